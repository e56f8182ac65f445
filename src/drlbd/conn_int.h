/*
 * Private to the connection table's files; conn.h is the interface.
 *
 *   conn.c       the table: hashing, the timer wheel, create/destroy,
 *                lookup, insert, release, expiry, flush, walk, restore,
 *                the SYN-flood reclaim (IPVS ip_vs_conn.c)
 *   conn_tcp.c   TCP states: the INPUT-ONLY transitions, their names and
 *                timeouts, conn_seen (IPVS ip_vs_proto_tcp.c)
 *   conn_tmpl.c  persistence templates and their keys
 *   conn_set.c   the per-worker sets of tables
 */
#ifndef DRLBD_CONN_INT_H
#define DRLBD_CONN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "conn.h"

#define WHEEL_BITS	10
#define WHEEL_SIZE	(1u << WHEEL_BITS)	/* slots; > the default 900 s */
#define WHEEL_MASK	(WHEEL_SIZE - 1)
#define WHEEL_PENDING	WHEEL_SIZE		/* sentinel of the work list */

struct conn_table {
	struct conn *conns;		/* max entries */
	uint32_t *buckets;		/* chain heads, index + 1, 0 = empty */
	/*
	 * Wheel nodes are numbered 0..max-1 (connections) and
	 * max..max+WHEEL_SIZE (sentinels: one per slot, then the pending
	 * list).  Forward links of connections are conn->wnext, those of
	 * sentinels snext[]; every node's back link is wprev[].
	 */
	uint32_t *wprev;
	uint32_t *snext;
	/*
	 * Persistence links, one word per entry (struct conn has no room left):
	 * for a connection, its template's index + 1 (0: none; IPVS
	 * cp->control); for a template, how many connections it controls
	 * (IPVS n_control).
	 */
	uint32_t *aux;
	/* where this table's connections find their templates: itself, or
	 * with workers the one template table they all share */
	struct conn_table *tt;
	/* with workers: the lock for what connections of different workers
	 * share (real servers' counters, schedulers), NULL without */
	pthread_mutex_t *lock;
	/* SYN-flood defence (see conn_reclaim): set by conn_table_bind */
	struct svc_table *st;
	uint64_t reclaimed;
	/* told about each connection that expires (trace), may be NULL */
	void (*on_expire)(void *arg, const struct conn *c);
	void *on_expire_arg;
	uint32_t bmask;			/* buckets - 1 */
	uint32_t max;
	uint32_t count;
	uint32_t free_head;		/* index + 1, chained through hnext */
	uint32_t seed;
	uint32_t tick;			/* next wheel tick to process */
	uint32_t tmo[CONN_S_LAST];	/* TCP, per state */
	uint32_t udp_tmo;
};

static inline bool
key_v6(const struct conn_key *k)
{
	return (k->af & ~CONN_KEY_TEMPLATE) == AF_INET6;
}

/* ------------------------------------------------------------ the wheel */

static inline uint32_t *
wnext_of(struct conn_table *t, uint32_t id)
{
	return id < t->max ? &t->conns[id].wnext : &t->snext[id - t->max];
}

static inline uint32_t
slot_node(const struct conn_table *t, uint32_t tick)
{
	return t->max + (tick & WHEEL_MASK);
}

/* The slot for an entry due at `when`: never one already passed. */
static inline uint32_t
place(const struct conn_table *t, uint32_t when)
{
	return slot_node(t, when < t->tick ? t->tick : when);
}

static inline void
wlink(struct conn_table *t, uint32_t head, uint32_t id)
{
	uint32_t first = *wnext_of(t, head);

	t->conns[id].wnext = first;
	t->wprev[id] = head;
	t->wprev[first] = id;
	*wnext_of(t, head) = id;
}

static inline void
wunlink(struct conn_table *t, uint32_t id)
{
	uint32_t prev = t->wprev[id], next = t->conns[id].wnext;

	*wnext_of(t, prev) = next;
	t->wprev[next] = prev;
}

/* c is due at e now: earlier than the slot it waits in, it moves at once;
 * later, it is re-slotted lazily when its old slot comes up. */
static inline void
wdue(struct conn_table *t, struct conn *c, uint32_t e)
{
	uint32_t id = (uint32_t)(c - t->conns);

	if (e < c->expires) {
		wunlink(t, id);
		wlink(t, place(t, e), id);
	}
	c->expires = e;
}

/* ------------------------------------------------------------ shared */

/* conn.c: take a free slot, hash it under k, put it on the wheel */
struct conn *conn_alloc(struct conn_table *t, const struct conn_key *k,
    struct dest *dest, uint32_t expires);
/* conn.c: hash entry id under the key it holds, or take it off its chain */
void conn_hash_link(struct conn_table *t, uint32_t id);
void conn_hash_unlink(struct conn_table *t, uint32_t id);
/* conn_tcp.c: a new table's timeouts, IPVS's defaults */
void conn_timeouts_init(struct conn_table *t);

#endif
