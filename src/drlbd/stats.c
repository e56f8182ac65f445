/*
 * The daemon's counters and metrics, gathered from every module that counts
 * (the data paths of the main thread and the workers, the capture sockets,
 * ARP and ND, the connection tables, the sync daemon) and rendered for
 * drlbadm --counters, SIGUSR1's log and the metrics outlets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "arp.h"
#include "counters.h"
#include "drlbd.h"
#include "log.h"
#include "metrics.h"
#include "ndp.h"
#include "stats.h"
#include "sync.h"

#define CLAIMERS_MAX	64		/* shown, per family */

/* The MACs that claimed a VIP, IPv4's then IPv6's; their number. */
static size_t
claimers(struct drlbd *d, struct neigh_claimer *c, uint16_t *af)
{
	size_t n = arp_claimers(d->arp, c, CLAIMERS_MAX);

	for (size_t i = 0; i < n; i++)
		af[i] = AF_INET;
	if (d->ndp != NULL) {
		size_t m = ndp_claimers(d->ndp, c + n, CLAIMERS_MAX);

		for (size_t i = n; i < n + m; i++)
			af[i] = AF_INET6;
		n += m;
	}
	return n;
}

/* The main thread's data path and socket, and the workers' (paused). */
static void
all_counters(struct drlbd *d, struct dp_counters *c, struct io_stats *io)
{
	*c = d->dp.cnt;
	memset(io, 0, sizeof(*io));
	worker_ios_stats(d->o.io_ops, &d->io, io);
	workers_counters(&d->workers, c, io);
}

char *
stats_metrics_text(struct drlbd *d, uint32_t *len)
{
	struct metrics_input in;
	struct neigh_claimer cl[2 * CLAIMERS_MAX];
	uint16_t claf[2 * CLAIMERS_MAX];
	struct arp_counters a;
	struct ndp_counters nc;
	struct dp_counters c;
	struct io_stats io;

	arp_get_counters(d->arp, &a);
	memset(&nc, 0, sizeof(nc));
	if (d->ndp != NULL)
		ndp_get_counters(d->ndp, &nc);
	all_counters(d, &c, &io);
	memset(&in, 0, sizeof(in));
	in.svcs = &d->svcs;
	in.dp = &c;
	in.io = &io;
	in.arp = &a;
	in.ndp = &nc;
	in.claimers = cl;
	in.claimer_af = claf;
	in.nclaimers = claimers(d, cl, claf);
	in.conns = conn_set_count(&d->conns);
	in.conns_max = conn_set_max(&d->conns);
	in.conns_reclaimed = conn_set_reclaimed(&d->conns);
	return metrics_render(&in, len);
}

char *
stats_metrics_render(void *d, uint32_t *len)
{
	return stats_metrics_text(d, len);
}

void
stats_write_metrics_file(void *arg, uint64_t now_ms)
{
	static int failing;
	struct drlbd *d = arg;
	uint32_t len;
	char *t = stats_metrics_text(d, &len);

	(void)now_ms;
	if (t == NULL || metrics_write_file(d->o.metrics_file, t, len) < 0) {
		if (!failing)		/* once per failing streak */
			log_warn("--metrics-file %s", d->o.metrics_file);
		failing = 1;
	} else
		failing = 0;
	free(t);
}

/* Every counter, gathered for counters.c (workers paused). */
static void
gather(struct drlbd *d, struct counters_input *in,
    struct counters_worker w[FANOUT_MAX], char *extra, size_t extralen)
{
	memset(in, 0, sizeof(*in));
	arp_get_counters(d->arp, &in->arp);
	all_counters(d, &in->dp, &in->io);
	if (d->ndp != NULL)
		ndp_get_counters(d->ndp, &in->ndp);
	in->conns_now = conn_set_count(&d->conns);
	in->conns_reclaimed = conn_set_reclaimed(&d->conns);
	in->workers = d->o.nworkers;
	in->worker_pauses = d->workers.pauses;
	for (unsigned i = 0; i < d->workers.n; i++)
		w[i] = (struct counters_worker){
			.rx = d->workers.w[i].dp.cnt.rx,
			.forwarded = d->workers.w[i].dp.cnt.forwarded,
			.conns = conn_count(d->conns.w[i]),
		};
	in->worker = w;
	in->nworker = d->workers.n;
	extra[0] = '\0';
	if (d->sync != NULL)
		sync_counters_text(d->sync, extra, extralen);
	{
		/* each MAC that claimed a VIP: vip_claims{mac=...,vip=...} N */
		struct neigh_claimer c[2 * CLAIMERS_MAX];
		uint16_t af[2 * CLAIMERS_MAX];
		size_t n = claimers(d, c, af), off = strlen(extra);

		for (size_t i = 0; i < n && off < extralen; i++) {
			char a[64];
			int k;

			drlb_addr_str(a, sizeof(a), af[i], &c[i].vip);
			k = snprintf(extra + off, extralen - off,
			    "vip_claims{mac=%02x:%02x:%02x:%02x:%02x:%02x,vip=%s} "
			    "%llu\n", c[i].mac[0], c[i].mac[1], c[i].mac[2],
			    c[i].mac[3], c[i].mac[4], c[i].mac[5], a,
			    (unsigned long long)c[i].claims);
			if (k < 0 || (size_t)k >= extralen - off) {
				extra[off] = '\0';	/* a whole line or none */
				break;
			}
			off += (size_t)k;
		}
	}
	in->extra = extra;
}

char *
stats_counters_text(struct drlbd *d, uint32_t *len)
{
	struct counters_input in;
	struct counters_worker w[FANOUT_MAX];
	char extra[8192];

	gather(d, &in, w, extra, sizeof(extra));
	return counters_text(&in, len);
}

char *
stats_counters_json(struct drlbd *d, uint32_t *len)
{
	struct counters_input in;
	struct counters_worker w[FANOUT_MAX];
	char extra[8192];

	gather(d, &in, w, extra, sizeof(extra));
	return counters_json(&in, len);
}
