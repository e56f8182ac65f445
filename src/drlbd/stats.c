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
	struct dp_counters c;
	struct io_stats io;

	arp_get_counters(d->arp, &a);
	all_counters(d, &c, &io);
	memset(&in, 0, sizeof(in));
	in.svcs = &d->svcs;
	in.dp = &c;
	in.io = &io;
	in.arp = &a;
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

char *
stats_counters_text(struct drlbd *d, uint32_t *len)
{
	struct dp_counters cnt;
	const struct dp_counters *c = &cnt;
	struct arp_counters a;
	struct io_stats io;
	char *buf;
	size_t cap = 8192;
	int n;

	arp_get_counters(d->arp, &a);
	all_counters(d, &cnt, &io);
	if ((buf = malloc(cap)) == NULL)
		return NULL;
	n = snprintf(buf, cap,
	    "rx %llu\nforwarded %llu\nconns_new %llu\nconns_now %u\n"
	    "conns_reclaimed %llu\n"
	    "arp %llu\nnot_for_us %llu\nnon_ip %llu\nvlan %llu\n"
	    "malformed %llu\ntruncated %llu\nfragment %llu\nother_proto %llu\n"
	    "not_vip %llu\nno_service %llu\nno_conn %llu\nno_dest %llu\n"
	    "table_full %llu\ndest_no_mac %llu\noversize %llu\n"
	    "csum_finished %llu\ngso %llu\n"
	    "rx_kernel_drops %llu\ntx_frames %llu\ntx_errors %llu\n"
	    "tx_batches %llu\n"
	    "arp_vip_requests_answered %llu\narp_garp_sent %llu\n"
	    "arp_probes_sent %llu\narp_replies_learnt %llu\n"
	    "arp_vip_conflicts %llu\narp_malformed %llu\n",
	    (unsigned long long)c->rx, (unsigned long long)c->forwarded,
	    (unsigned long long)c->conns_new, conn_set_count(&d->conns),
	    (unsigned long long)conn_set_reclaimed(&d->conns),
	    (unsigned long long)c->arp, (unsigned long long)c->not_for_us,
	    (unsigned long long)c->non_ip, (unsigned long long)c->vlan,
	    (unsigned long long)c->malformed, (unsigned long long)c->truncated,
	    (unsigned long long)c->fragment, (unsigned long long)c->other_proto,
	    (unsigned long long)c->not_vip, (unsigned long long)c->no_service,
	    (unsigned long long)c->no_conn, (unsigned long long)c->no_dest,
	    (unsigned long long)c->table_full,
	    (unsigned long long)c->dest_no_mac,
	    (unsigned long long)c->oversize,
	    (unsigned long long)c->csum_finished, (unsigned long long)c->gso,
	    (unsigned long long)io.rx_kernel_drops,
	    (unsigned long long)io.tx_frames, (unsigned long long)io.tx_errors,
	    (unsigned long long)io.tx_batches,
	    (unsigned long long)a.vip_requests_answered,
	    (unsigned long long)a.garp_sent, (unsigned long long)a.probes_sent,
	    (unsigned long long)a.replies_learnt,
	    (unsigned long long)a.vip_conflicts, (unsigned long long)a.malformed);
	if (n < 0 || (size_t)n >= cap) {
		free(buf);
		return NULL;
	}
	{
		/* IPv6: the data path's extra cases and neighbor discovery */
		struct ndp_counters nc;
		int m;

		memset(&nc, 0, sizeof(nc));
		if (d->ndp != NULL)
			ndp_get_counters(d->ndp, &nc);
		m = snprintf(buf + n, cap - (size_t)n,
		    "ndp %llu\next_hdrs %llu\next_hdr_dropped %llu\n"
		    "icmp_forwarded %llu\n"
		    "ndp_vip_solicits_answered %llu\nndp_unsolicited_na_sent %llu\n"
		    "ndp_probes_sent %llu\nndp_adverts_learnt %llu\n"
		    "ndp_vip_conflicts %llu\nndp_malformed %llu\n"
		    "ndp_mcast_join_errors %llu\n",
		    (unsigned long long)c->ndp, (unsigned long long)c->ext_hdrs,
		    (unsigned long long)c->ext_hdr_dropped,
		    (unsigned long long)c->icmp_forwarded,
		    (unsigned long long)nc.vip_solicits_answered,
		    (unsigned long long)nc.unsolicited_na_sent,
		    (unsigned long long)nc.probes_sent,
		    (unsigned long long)nc.adverts_learnt,
		    (unsigned long long)nc.vip_conflicts,
		    (unsigned long long)nc.malformed,
		    (unsigned long long)nc.mcast_join_errors);
		if (m < 0 || (size_t)m >= cap - (size_t)n) {
			free(buf);
			return NULL;
		}
		n += m;
	}
	{
		/* each worker's share (with --workers 1, the one data path) */
		int m = snprintf(buf + n, cap - (size_t)n, "workers %u\n"
		    "worker_pauses %llu\n", d->o.nworkers,
		    (unsigned long long)d->workers.pauses);

		for (unsigned i = 0; i < d->workers.n && m > 0 &&
		    (size_t)m < cap - (size_t)n; i++)
			m += snprintf(buf + n + m, cap - (size_t)(n + m),
			    "worker%u_rx %llu\nworker%u_forwarded %llu\n"
			    "worker%u_conns %u\n", i,
			    (unsigned long long)d->workers.w[i].dp.cnt.rx, i,
			    (unsigned long long)d->workers.w[i].dp.cnt.forwarded,
			    i, conn_count(d->conns.w[i]));
		if (m < 0 || (size_t)m >= cap - (size_t)n) {
			free(buf);
			return NULL;
		}
		n += m;
	}
	if (d->sync != NULL)
		n += sync_counters_text(d->sync, buf + n, cap - (size_t)n);
	*len = (uint32_t)n;
	return buf;
}

