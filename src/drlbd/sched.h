/*
 * The scheduler interface (IPVS's struct ip_vs_scheduler).  One file per
 * scheduler in sched/, everything static but its ops struct; one line in the
 * registry table of sched/sched.c.  Hooks other than schedule may be NULL.
 */
#ifndef DRLBD_SCHED_H
#define DRLBD_SCHED_H

#include <stddef.h>
#include "svc.h"
#include "conn_key.h"

struct sched_ops {
	const char *name;
	/* service gets this scheduler (-A, or -E changing it): IPVS init_service */
	int  (*init_svc)(struct svc *svc);
	/* service drops it: IPVS done_service */
	void (*done_svc)(struct svc *svc);
	/* a dest was added, edited (weight) or removed: IPVS add/upd/del_dest */
	void (*dest_changed)(struct svc *svc);
	/* d, until now svc->dests[at], has just left the list; called before
	 * dest_changed (IPVS __ip_vs_unlink_dest: list_del_rcu, then the
	 * scheduler's del_dest, which may still follow d's next link) */
	void (*del_dest)(struct svc *svc, struct dest *d, uint32_t at);
	/* pick a real server for a new connection, NULL when none can take it */
	struct dest *(*schedule)(struct svc *svc, const struct conn_key *key);
	/* d's load or usability changed (activeconns, inactconns, the
	 * OVERLOAD or NOMAC flag): for schedulers that keep an index of their
	 * dests' loads.  d may already be out of svc->dests (in the trash). */
	void (*dest_load_changed)(struct svc *svc, struct dest *d);
	/* once a second, with the connection table's clock (seconds): for
	 * schedulers with state that expires (lblc, lblcr) */
	void (*tick)(struct svc *svc, uint32_t now);
};

/* Tell d's scheduler that d's load or usability changed. */
static inline void
sched_dest_load_changed(struct dest *d)
{
	struct svc *s = d->svc;

	if (s != NULL && s->sched != NULL && s->sched->dest_load_changed != NULL)
		s->sched->dest_load_changed(s, d);
}

/*
 * IPVS's ip_vs_dest_conn_overhead(): activeconns * 256 + totalconns, the
 * total being every connection, active or not (ip_vs_dest_inactconns() is
 * total - active), so an active connection weighs 257 inactive ones.  The
 * load of lc, wlc, lblc, lblcr and twos.  < 2^41: no overflow in 64 bits,
 * nor times a weight (< 2^16).
 */
static inline uint64_t
dest_conn_overhead(const struct dest *d)
{
	return ((uint64_t)d->activeconns << 8) + d->activeconns +
	    d->inactconns;
}

/*
 * mh's lookup table size M for services that take mh from now on (drlbd
 * --mh-table-size): a prime from SCHED_MH_TAB_MIN to SCHED_MH_TAB_MAX.
 * 0, or -1 when m is not such a prime (nothing changes).  The default is
 * IPVS's IP_VS_MH_TAB_SIZE, 4093: directors agree with kernel directors
 * only at the M their kernels were built with (CONFIG_IP_VS_MH_TAB_INDEX
 * 8 .. 17: 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071),
 * and IPVS's mh takes at most M dests.
 */
#define SCHED_MH_TAB_DEFAULT	4093
#define SCHED_MH_TAB_MIN	251
#define SCHED_MH_TAB_MAX	1048573		/* the largest prime < 2^20 */
int sched_mh_set_table_size(uint32_t m);

const struct sched_ops *sched_find(const char *name);
/* "rr wrr lc ..." (every scheduler's name) into buf; returns buf */
const char *sched_names(char *buf, size_t len);

extern const struct sched_ops sched_wrr;
extern const struct sched_ops sched_rr;
extern const struct sched_ops sched_wlc;
extern const struct sched_ops sched_lc;
extern const struct sched_ops sched_sed;
extern const struct sched_ops sched_nq;
extern const struct sched_ops sched_fo;
extern const struct sched_ops sched_ovf;
extern const struct sched_ops sched_twos;
extern const struct sched_ops sched_dh;
extern const struct sched_ops sched_sh;
extern const struct sched_ops sched_mh;
extern const struct sched_ops sched_lblc;
extern const struct sched_ops sched_lblcr;

#endif
