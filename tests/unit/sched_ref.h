/*
 * Reference scans of IPVS's lc, wlc, sed, nq, fo, ovf and twos, and of
 * lblc's and lblcr's is_overloaded: one pass over the list per decision,
 * transcribed loop for loop from Linux 6.12.118's net/netfilter/ipvs/
 * ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c,
 * ip_vs_ovf.c, ip_vs_twos.c and ip_vs_lblc.c (with __s64 products, as IPVS
 * has them; IPVS's "overloaded" is drlb's !dest_usable), the load from
 * include/net/ip_vs.h (ip_vs_dest_conn_overhead) and which connections are
 * active from ip_vs_proto_tcp.c (tcp_state_active_table), each copied here
 * rather than taken from the daemon's code.  The daemon's schedulers answer
 * from indexes instead (lload.c's tree, twos.c's Fenwick tree);
 * tests/unit/test_sched_lc.c and test_sched_index.c check every decision
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

/* ip_vs_fo_schedule */
static inline struct dest *
ref_fo(const struct svc *svc)
{
	struct dest *hweight = NULL;
	int32_t hw = 0;

	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (dest_usable(d) && d->conf.weight > hw) {
			hweight = d;
			hw = d->conf.weight;
		}
	}
	return hweight;
}

/* ip_vs_ovf_schedule */
static inline struct dest *
ref_ovf(const struct svc *svc)
{
	struct dest *h = NULL;
	int32_t hw = 0, w;

	for (uint32_t i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		w = d->conf.weight;
		if (!dest_usable(d) || (int64_t)d->activeconns > w || w == 0)
			continue;
		if (h == NULL || w > hw) {
			h = d;
			hw = w;
		}
	}
	return h;
}

/*
 * ip_vs_twos_schedule with its two random numbers given: draw(arg) is
 * called twice, for rweight1 then rweight2, and only when some dest is
 * eligible; each is taken modulo total + 1 as get_random_u32_below does.
 */
static inline struct dest *
ref_twos(const struct svc *svc, uint32_t (*draw)(void *), void *arg)
{
	struct dest *choice1 = NULL, *choice2 = NULL;
	int64_t rweight1, rweight2, weight1 = -1, weight2 = -1;
	uint64_t total = 0, overhead1 = 0, overhead2 = 0;
	uint32_t i;

	for (i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (dest_usable(d) && d->conf.weight > 0) {
			total += (uint64_t)d->conf.weight;
			choice1 = d;
		}
	}
	if (choice1 == NULL)
		return NULL;
	total += 1;
	rweight1 = (int64_t)(draw(arg) % total);
	rweight2 = (int64_t)(draw(arg) % total);
	for (i = 0; i < svc->ndests; i++) {
		struct dest *d = svc->dests[i];

		if (!dest_usable(d) || d->conf.weight <= 0)
			continue;
		rweight1 -= d->conf.weight;
		rweight2 -= d->conf.weight;
		if (rweight1 <= 0 && weight1 == -1) {
			choice1 = d;
			weight1 = d->conf.weight;
			overhead1 = ref_conn_overhead(d);
		}
		if (rweight2 <= 0 && weight2 == -1) {
			choice2 = d;
			weight2 = d->conf.weight;
			overhead2 = ref_conn_overhead(d);
		}
		if (weight1 != -1 && weight2 != -1)
			break;
	}
	if (choice2 != NULL &&
	    (uint64_t)weight2 * overhead1 > (uint64_t)weight1 * overhead2)
		choice1 = choice2;
	return choice1;
}

/* is_overloaded in ip_vs_lblc.c and ip_vs_lblcr.c */
static inline bool
ref_lblc_overloaded(const struct dest *dest, const struct svc *svc)
{
	if ((int64_t)dest->activeconns > dest->conf.weight) {
		for (uint32_t i = 0; i < svc->ndests; i++) {
			const struct dest *d = svc->dests[i];

			if ((int64_t)d->activeconns * 2 < d->conf.weight)
				return true;
		}
	}
	return false;
}

/* The reference of a scheduler that needs nothing but the list, by name;
 * NULL for the others.  (__ip_vs_lblc_schedule and __ip_vs_lblcr_schedule,
 * the cache's fallback, are ref_wlc.) */
static inline struct dest *(*ref_find(const char *name))(const struct svc *)
{
	if (strcmp(name, "fo") == 0)
		return ref_fo;
	if (strcmp(name, "ovf") == 0)
		return ref_ovf;
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
