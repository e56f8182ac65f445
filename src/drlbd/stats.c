/*
 * The daemon's counters and metrics, gathered from every module that counts
 * (the data paths of the main thread and the workers, the capture sockets,
 * ARP and ND, the connection tables, the sync daemon) and rendered for
 * drlbadm --counters, SIGUSR1's log and the metrics outlets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "counters.h"
#include "drlbd.h"
#include "log.h"
#include "metrics.h"
#include "ndp.h"
#include "stats.h"
#include "sync.h"

/* The main thread's data path and socket, and the workers' (paused). */
static void
all_counters(struct drlbd *d, struct dp_counters *c, struct io_stats *io)
{
	*c = d->dp.cnt;
	d->o.io_ops->stats(d->io, io);
	workers_counters(&d->workers, c, io);
}

char *
stats_metrics_text(struct drlbd *d, uint32_t *len)
{
	struct metrics_input in;
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
	in->extra = extra;
}

char *
stats_counters_text(struct drlbd *d, uint32_t *len)
{
	struct counters_input in;
	struct counters_worker w[FANOUT_MAX];
	char extra[1024];

	gather(d, &in, w, extra, sizeof(extra));
	return counters_text(&in, len);
}

char *
stats_counters_json(struct drlbd *d, uint32_t *len)
{
	struct counters_input in;
	struct counters_worker w[FANOUT_MAX];
	char extra[1024];

	gather(d, &in, w, extra, sizeof(extra));
	return counters_json(&in, len);
}
