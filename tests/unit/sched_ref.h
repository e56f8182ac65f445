/*
 * Reference scans of IPVS's lc, wlc, sed and nq: one pass over the list per
 * decision, transcribed loop for loop from Linux 6.12.118's
 * net/netfilter/ipvs/ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c and ip_vs_nq.c
 * (with __s64 products, as IPVS has them; IPVS's "overloaded" is drlb's
 * !dest_usable), the load from include/net/ip_vs.h
 * (ip_vs_dest_conn_overhead) and which connections are active from
 * ip_vs_proto_tcp.c (tcp_state_active_table), each copied here rather than
 * taken from the daemon's code.  The daemon's schedulers answer from
 * lload.c's index instead; tests/unit/test_sched_lc.c checks every decision
 * against these and the daemon's counts against ref_conn_active,
 * bench/sched_bench.c times both.  Not part of the daemon.
 */
#ifndef DRLB_TEST_SCHED_REF_H
#define DRLB_TEST_SCHED_REF_H

#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "svc.h"
#include "conn.h"

/* tcp_state_active_table: the states that count in ActiveConn */
static const bool ref_tcp_state_active[CONN_S_LAST] = {
	[CONN_S_NONE]		= false,
	[CONN_S_ESTABLISHED]	= true,
	[CONN_S_SYN_SENT]	= true,
	[CONN_S_SYN_RECV]	= true,
	[CONN_S_FIN_WAIT]	= false,
	[CONN_S_TIME_WAIT]	= false,
	[CONN_S_CLOSE]		= false,
	[CONN_S_CLOSE_WAIT]	= false,
	[CONN_S_LAST_ACK]	= false,
	[CONN_S_LISTEN]		= false,
	[CONN_S_SYNACK]		= true,
};

/* Is connection c (not a template) in its real server's ActiveConn?  TCP:
 * as its state says (set_tcp_state); UDP never (bound INACTIVE, and
 * udp_state_transition leaves the flag alone). */
static inline bool
ref_conn_active(const struct conn *c)
{
	return c->key.protocol == IPPROTO_TCP && c->state < CONN_S_LAST &&
	    ref_tcp_state_active[c->state];
}

/* ip_vs_dest_conn_overhead: (activeconns << 8) + totalconns, where
 * totalconns counts every connection (InActConn is total - active) */
static inline uint64_t
ref_conn_overhead(const struct dest *d)
{
	uint64_t total = (uint64_t)d->activeconns + d->inactconns;

	return ((uint64_t)d->activeconns << 8) + total;
}

/* ip_vs_lc_schedule */
static inline struct dest *
ref_lc(const struct svc *svc)
{
	struct dest *least = NULL;
	uint64_t loh = 0, doh;

	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (!dest_usable(d) || d->conf.weight == 0)
			continue;
		doh = ref_conn_overhead(d);
		if (least == NULL || doh < loh) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* ip_vs_wlc_schedule (oh = conn overhead) and ip_vs_sed_schedule
 * (oh = activeconns + 1): same loop */
static inline struct dest *
ref_wlc_sed(const struct svc *svc, int sed)
{
	struct dest *least = NULL;
	uint64_t loh = 0, doh;
	uint32_t i;

	for (i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (dest_usable(d) && d->conf.weight > 0) {
			least = d;
			loh = sed ? (uint64_t)d->activeconns + 1 :
			    ref_conn_overhead(d);
			break;
		}
	}
	if (least == NULL)
		return NULL;
	for (i++; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (!dest_usable(d))
			continue;
		doh = sed ? (uint64_t)d->activeconns + 1 : ref_conn_overhead(d);
		if (loh * (uint64_t)d->conf.weight >
		    doh * (uint64_t)least->conf.weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

static inline struct dest *
ref_wlc(const struct svc *svc)
{
	return ref_wlc_sed(svc, 0);
}

static inline struct dest *
ref_sed(const struct svc *svc)
{
	return ref_wlc_sed(svc, 1);
}

/* ip_vs_nq_schedule */
static inline struct dest *
ref_nq(const struct svc *svc)
{
	struct dest *least = NULL;
	uint64_t loh = 0, doh;

	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (!dest_usable(d) || d->conf.weight == 0)
			continue;
		doh = (uint64_t)d->activeconns + 1;
		/* return the server directly if it is idle */
		if (d->activeconns == 0)
			return d;
		if (least == NULL || loh * (uint64_t)d->conf.weight >
		    doh * (uint64_t)least->conf.weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* The reference of a scheduler by name, NULL for the others. */
static inline struct dest *(*ref_find(const char *name))(const struct svc *)
{
	if (strcmp(name, "lc") == 0)
		return ref_lc;
	if (strcmp(name, "wlc") == 0)
		return ref_wlc;
	if (strcmp(name, "sed") == 0)
		return ref_sed;
	if (strcmp(name, "nq") == 0)
		return ref_nq;
	return NULL;
}

#endif
