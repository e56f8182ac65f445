/*
 * Rate estimator, as IPVS's (net/netfilter/ipvs/ip_vs_est.c): every 2 s,
 * for each service and real server, the counters' growth over the interval
 * is turned into a rate and smoothed,
 *
 *	avg += (rate - avg) >> 2		(W = 1/4: about the last 8 s)
 *
 * in fixed point: connections and packets per second scaled by 2^10, bytes
 * per second by 2^5.  The growth over 2 s is shifted left by 9 (resp. 4),
 * i.e. scaled and halved in one go.  Values are read back rounded, as
 * ip_vs_read_estimator does: (avg + 0x1FF) >> 10, (avg + 0xF) >> 5.
 *
 * Overflow bound: the 64-bit scaled averages hold a byte rate up to
 * 2^63 / 2^5 = 2^58 B/s and a packet rate up to 2^53 /s: never reached.
 *
 * Library-like: no logging; -1 with errno on allocation failure.
 */
#ifndef DRLBD_EST_H
#define DRLBD_EST_H

#include <stdint.h>

#include "drlb/svc-t.h"
#include "drlb/ctl-t.h"

struct svc;
struct svc_table;

#define EST_INTERVAL_MS	2000		/* IPVS: mod_timer(jiffies + 2*HZ) */

/* One estimator (struct ip_vs_estimator). */
struct est_state {
	uint64_t last_conns, last_inpkts, last_outpkts;
	uint64_t last_inbytes, last_outbytes;
	uint64_t cps, inpps, outpps;	/* scaled by 2^10 */
	uint64_t inbps, outbps;		/* scaled by 2^5 */
};

/* One 2-second step for one object: its counters now. */
void est_update(struct est_state *e, const struct drlb_stats *now);
/* The rates it stands for, rounded as ip_vs_read_estimator. */
void est_read(const struct est_state *e, struct drlb_rates *r);
/* ip_vs_zero_estimator: start over from these counters, averages 0. */
void est_reset(struct est_state *e, const struct drlb_stats *now);

/*
 * The estimators of a whole svc_table.  svc.h's structs have no room for
 * estimator state, so it is kept beside them, keyed by the object's address;
 * an object is first seen with last_* = 0, as IPVS's zeroed estimator
 * (new services and real servers start with zero counters).  Removed real
 * servers in the trash keep theirs, so one that comes back goes on smoothly.
 */
struct est;

struct est *est_create(void);
void est_free(struct est *e);
/* Every EST_INTERVAL_MS: update every estimator and write svc->rates and
 * dest->rates.  Forgets objects that are no longer in the table. */
int est_tick(struct est *e, struct svc_table *t);
/* -Z: reset the estimators of s and its real servers (s NULL: all). */
void est_zero(struct est *e, struct svc_table *t, struct svc *s);
/* Forget objects no longer in t (after deletes: their memory may be
 * reused by new ones before the next tick). */
int est_prune(struct est *e, struct svc_table *t);
/* Forget one object (a real server about to be freed). */
void est_forget(struct est *e, const void *obj);
/* How many objects are estimated (tests). */
uint32_t est_count(const struct est *e);

#endif
