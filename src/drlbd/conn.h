/*
 * The connection table: (protocol, client IP, client port, VIP, port) ->
 * real server, with IPVS's DR semantics.
 *
 * - TCP state follows the client->server direction only (IPVS's INPUT-ONLY
 *   table, since in DR the replies never pass the director).
 * - Timeouts are IPVS's defaults, per state; UDP 300 s.
 * - dest->activeconns counts TCP connections in SYN_SENT, SYN_RECV,
 *   ESTABLISHED and SYNACK (IPVS's tcp_state_active_table), inactconns all
 *   others and UDP (IPVS's INACTIVE flag), kept exact on every state
 *   change, expiry, synced update and restore.
 * - Fixed capacity allocated up front; lookup and insert are O(1); expiry
 *   runs from a timer wheel in bounded slices, never as a full sweep.
 */
#ifndef DRLBD_CONN_H
#define DRLBD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>		/* pthread_mutex_t (not <pthread.h>: tests put
				   src/drlbd, with our sched.h, on the path) */
#include "drlb/svc-t.h"
#include "conn_key.h"

struct dest;
struct svc;
struct svc_table;

/* IPVS TCP states (IP_VS_TCP_S_*); UDP connections stay in CONN_S_NONE */
enum conn_state {
	CONN_S_NONE = 0,
	CONN_S_ESTABLISHED,
	CONN_S_SYN_SENT,
	CONN_S_SYN_RECV,
	CONN_S_FIN_WAIT,
	CONN_S_TIME_WAIT,
	CONN_S_CLOSE,
	CONN_S_CLOSE_WAIT,
	CONN_S_LAST_ACK,
	CONN_S_LISTEN,
	CONN_S_SYNACK,
	CONN_S_LAST
};

/* TCP flags in the order IPVS picks the event: rst > syn > fin > ack */
#define CONN_TCP_FIN 0x01
#define CONN_TCP_SYN 0x02
#define CONN_TCP_RST 0x04
#define CONN_TCP_ACK 0x10

/*
 * What an entry stores of its key: all of it but the VIP.  In DR the VIP
 * of a connection is the address of the service its real server belongs
 * to (dest->svc->conf.addr, valid as long as the entry holds the dest), so
 * the entry does not repeat it: 16 bytes saved on each of millions of
 * entries.  conn_vaddr() and conn_key_get() give it back.
 */
struct conn_ekey {
	union drlb_inaddr caddr;	/* client, network order */
	uint16_t cport;			/* network order */
	uint16_t vport;			/* network order */
	uint8_t  protocol;
	uint8_t  af;			/* AF_INET / AF_INET6 (| CONN_KEY_TEMPLATE) */
};

/*
 * 48 bytes: with the table's side arrays (hash chain heads, the timer
 * wheel's back links, persistence links: 4 bytes each per entry) an entry
 * costs 60 bytes at 1M connections, under 64 at 10M (conn_table_bytes).
 */
struct conn {
	struct conn_ekey key;		/* 22 bytes + 2 of alignment padding */
	uint8_t  state;			/* enum conn_state; a template: its
					   timeout & 0xff (conn_template_timeout) */
	uint8_t  flags;			/* CONN_F_* */
	uint16_t reserved;		/* a template: its timeout >> 8 */
	uint32_t hnext;			/* hash chain, index + 1, 0 = end */
	struct dest *dest;
	uint32_t wnext;			/* timer-wheel slot list (circular), node id */
	uint32_t expires;		/* in table ticks (seconds) */
};
_Static_assert(sizeof(struct conn) == 48, "struct conn is 48 bytes");

/* The persistence timeout template tmpl was made with, seconds: 24 bits
 * kept in its (otherwise unused) state and reserved fields. */
static inline uint32_t
conn_template_timeout(const struct conn *tmpl)
{
	return (uint32_t)tmpl->state | (uint32_t)tmpl->reserved << 8;
}

/* The VIP of c (or of template c): its service's address. */
const union drlb_inaddr *conn_vaddr(const struct conn *c);
/* c's whole key, VIP included (IPv4: the address's other 12 bytes 0). */
void conn_key_get(const struct conn *c, struct conn_key *k);

/* conn->flags */
#define CONN_F_INACTIVE	0x01	/* counted in dest->inactconns (IPVS IP_VS_CONN_F_INACTIVE) */
#define CONN_F_TEMPLATE	0x02	/* a persistence template (IPVS IP_VS_CONN_F_TEMPLATE) */
#define CONN_F_INUSE	0x80	/* internal: the slot holds a live connection */

/* In a key's af: a persistence template's key, which never equals a
 * connection's (see conn_template_key). */
#define CONN_KEY_TEMPLATE 0x80

/* opaque */
struct conn_table;

/* Default bound; memory is max_conns * sizeof(struct conn) + buckets. */
#define CONN_MAX_DEFAULT	(1u << 20)
#define CONN_BUCKETS_DEFAULT	4096	/* ipvsadm's "size=4096" header; the
					   table sizes its real hash to max_conns */

struct conn_table *conn_table_create(uint32_t max_conns);
void conn_table_destroy(struct conn_table *t);
uint32_t conn_count(const struct conn_table *t);
uint32_t conn_max(const struct conn_table *t);
/* Hash chain heads actually allocated (a power of two >= max_conns). */
uint32_t conn_buckets(const struct conn_table *t);
/* Memory held by the table, bytes (everything is allocated at create). */
size_t conn_table_bytes(const struct conn_table *t);

/* The connection for this key, or NULL. */
struct conn *conn_lookup(struct conn_table *t, const struct conn_key *k);

/*
 * A new connection to dest, in state NONE (counted in dest->inactconns, as
 * IPVS binds every new connection INACTIVE; the first frame's conn_seen
 * moves it, a SYN to SYN_RECV and so into activeconns; counted in
 * dest->stats.conns and the service's).  Holds a reference on dest.
 * Returns NULL when the table is full (policy: the new flow is dropped and
 * counted; existing connections are never evicted to make room), errno
 * ENOSPC.  The caller has looked the key up first: no duplicate check.
 * Expires after the NONE timeout (TCP 2 s, UDP 300 s) unless conn_seen()
 * is called for the first frame, as the data path does.
 */
struct conn *conn_insert(struct conn_table *t, const struct conn_key *k,
    struct dest *dest, uint32_t now);

/*
 * Persistence (IPVS connection templates).  A template is an entry of the
 * same table, keyed as above, bound to the real server that the client
 * group sticks to; it counts in dest->persistconns (PersistConn), not in
 * the active/inactive counts, and it expires `timeout` seconds (-p) after
 * it was last used to place a connection -- but never while connections it
 * placed still exist.
 */
/*
 * tk = the key of the template for k's client group at persistent service
 * svc (IPVS ip_vs_sched_persist): <protocol, client & netmask (IPv6: its
 * first netmask bits, a prefix length), 0, VIP, the service's port, or 0
 * for a port-0 service>.
 */
void conn_template_key(const struct svc *svc, const struct conn_key *k,
    struct conn_key *tk);
struct conn *conn_template_insert(struct conn_table *t,
    const struct conn_key *k, struct dest *dest, uint32_t now,
    uint32_t timeout);
/* A new connection was placed by this template: restart its timeout. */
void conn_template_touch(struct conn_table *t, struct conn *tmpl,
    uint32_t now);
/* c (of table t) was placed by tmpl, of conn_templates(t) (IPVS
 * ip_vs_control_add). */
void conn_set_control(struct conn_table *t, struct conn *c, struct conn *tmpl);
/* c's template, or NULL; t is c's table. */
struct conn *conn_control(struct conn_table *t, const struct conn *c);
/* How many connections tmpl controls now. */
uint32_t conn_n_control(const struct conn_table *t, const struct conn *tmpl);
/* Its real server is gone: unhook the template from its key so a new one
 * can be made, while it lives on for its connections. */
void conn_template_invalidate(struct conn_table *t, struct conn *tmpl);

/*
 * A frame of this connection went by: follow the TCP state (tcp_flags as
 * CONN_TCP_*; ignored for UDP), move the connection between active and
 * inactive, and restart its timeout.
 */
void conn_seen(struct conn_table *t, struct conn *c, uint8_t tcp_flags,
    uint32_t now);

/* IPVS INPUT-ONLY TCP state transition (pure). */
enum conn_state conn_tcp_next(enum conn_state s, uint8_t tcp_flags);
/* Does a connection in state s count in ActiveConn?  TCP: IPVS's
 * tcp_state_active_table; UDP never. */
bool conn_state_active(uint8_t protocol, enum conn_state s);

/* Timeout of a connection in this state, seconds (uses t's --set values). */
uint32_t conn_timeout(const struct conn_table *t, uint8_t protocol,
    enum conn_state s);
void conn_set_timeouts(struct conn_table *t, const struct drlb_timeouts *tm);
void conn_get_timeouts(const struct conn_table *t, struct drlb_timeouts *tm);

/*
 * Expire connections whose time has come (expires <= now), at most
 * `budget` of them and looking at no more than 4 * budget entries
 * (refreshed ones are re-slotted); returns how many were removed.  Call
 * every tick with a non-decreasing `now`; leftover work carries over.
 * Each removed connection uncounts itself, runs dest_overload_unbind() and
 * drops its dest reference (dest_put through svc_table).
 */
uint32_t conn_expire(struct conn_table *t, struct svc_table *st, uint32_t now,
    uint32_t budget);

/*
 * The daemon's table defends itself against SYN floods: when full, a new
 * flow takes the place of a half-open TCP connection (never an established
 * one, a UDP flow or anything persistence holds), and while it is over 3/4
 * full half-open connections time out after 10 s instead of 60.  Binding
 * the service table (needed to release entries) turns the first part on.
 */
void conn_table_bind(struct conn_table *t, struct svc_table *st);
/* How many half-open connections gave way to new flows. */
uint64_t conn_reclaimed(const struct conn_table *t);

/* c goes now, uncounted and freed as if it had expired (IPVS
 * ip_vs_conn_expire_now); not a template.  Nobody is told (no expire
 * hook), as for an entry the SYN-flood defence takes. */
void conn_expire_now(struct conn_table *t, struct svc_table *st,
    struct conn *c);

/*
 * A connection takes a saved or synced state and expiry, and counts as
 * active or inactive as told (IPVS ip_vs_proc_conn: a synced connection's
 * INACTIVE flag is the master's, not derived from its state), the real
 * server's counts moved to match.  TCP state only; a template's expiry
 * only.
 */
void conn_restore(struct conn_table *t, struct conn *c, enum conn_state s,
    bool active, uint32_t expires);

/* fn is told about each connection just before it expires (trace). */
void conn_set_expire_hook(struct conn_table *t,
    void (*fn)(void *arg, const struct conn *c), void *arg);

/* Remove every connection (daemon shutdown). */
void conn_flush(struct conn_table *t, struct svc_table *st);

/* Visit all connections (the -c listing); stops early when fn returns != 0. */
int conn_walk(struct conn_table *t, int (*fn)(struct conn *c, void *arg),
    void *arg);

/*
 * Workers (--workers N, see fanout.h): one table per worker, each holding
 * the connections of the clients the kernel sends that worker, and one
 * table of persistence templates that all share.  Without workers (n 1)
 * w[0] is the only table and holds the templates too.
 *
 * A worker touches its own table without a lock.  What connections of
 * different workers share -- real servers' counters and references, the
 * schedulers, the template table -- changes under one lock, taken only
 * when a connection is scheduled, changes between active and inactive, or
 * expires: never for a frame of an established flow.
 */
#define CONN_SET_MAX 16			/* = FANOUT_MAX */

struct conn_set {
	unsigned n;
	struct conn_table *w[CONN_SET_MAX];
	struct conn_table *tmpl;	/* w[0] when n == 1 */
};

/* n tables sharing max_conns, and the template table; 0 or -1 (errno) */
int conn_set_create(struct conn_set *cs, unsigned n, uint32_t max_conns);
void conn_set_destroy(struct conn_set *cs);
/* a set of one table made elsewhere (not destroyed with the set) */
void conn_set_single(struct conn_set *cs, struct conn_table *t);
/* the table this key belongs in: the template table for a template key,
 * else the table of the worker that sees the client's frames */
struct conn_table *conn_set_table(const struct conn_set *cs,
    const struct conn_key *k);
/* the table c lives in */
struct conn_table *conn_set_owner(const struct conn_set *cs,
    const struct conn *c);
uint32_t conn_set_count(const struct conn_set *cs);
uint32_t conn_set_max(const struct conn_set *cs);
uint64_t conn_set_reclaimed(const struct conn_set *cs);
/* every table's entries; stops early when fn returns != 0 */
int conn_set_walk(const struct conn_set *cs,
    int (*fn)(struct conn *c, void *arg), void *arg);
void conn_set_timeouts_all(const struct conn_set *cs,
    const struct drlb_timeouts *tm);
void conn_set_flush(const struct conn_set *cs, struct svc_table *st);
/* expire hook, SYN-flood binding and (NULL: none) the shared lock on
 * every table of the set */
void conn_set_hooks(const struct conn_set *cs, struct svc_table *st,
    void (*fn)(void *arg, const struct conn *c), void *arg,
    pthread_mutex_t *lock);

/* The table t's connections keep their templates in (t itself without
 * workers). */
struct conn_table *conn_templates(struct conn_table *t);
/* conn_seen takes this lock around a change of the real server's counts */
void conn_table_set_lock(struct conn_table *t, pthread_mutex_t *lock);

const char *conn_state_name(enum conn_state s);	/* "ESTABLISHED", ... */
/* What ipvsadm -c prints for this connection: the TCP state, or "UDP". */
const char *conn_state_str(const struct conn *c);

#endif
