/*
 * The scheduler interface (IPVS's struct ip_vs_scheduler).  One file per
 * scheduler in sched/, everything static but its ops struct; one line in the
 * registry table of sched/sched.c.  Hooks other than schedule may be NULL.
 */
#ifndef DRLBD_SCHED_H
#define DRLBD_SCHED_H

#include "svc.h"
#include "conn.h"

struct sched_ops {
	const char *name;
	/* service gets this scheduler (-A, or -E changing it): IPVS init_service */
	int  (*init_svc)(struct svc *svc);
	/* service drops it: IPVS done_service */
	void (*done_svc)(struct svc *svc);
	/* a dest was added, edited (weight) or removed: IPVS add/upd/del_dest */
	void (*dest_changed)(struct svc *svc);
	/* pick a real server for a new connection, NULL when none can take it */
	struct dest *(*schedule)(struct svc *svc, const struct conn_key *key);
};

const struct sched_ops *sched_find(const char *name);

extern const struct sched_ops sched_wrr;
extern const struct sched_ops sched_rr;
extern const struct sched_ops sched_wlc;

#endif
