/*
 * The connection table (see conn.h for what it promises; conn_int.h names
 * the files that make it up): the entries, their hash, their timer wheel.
 *
 * Memory is fixed at creation: an array of max_conns struct conn, a free
 * list threaded through conn->hnext, a power-of-two array of hash chain
 * heads, and the timer wheel.  Nothing is allocated or freed afterwards, so
 * a full table is a plain, cheap condition: the new flow is refused and
 * existing ones are never evicted (under a SYN flood the established
 * connections keep working; IPVS instead grows until memory runs out).
 *
 * Hashing: lookup3/jhash over the key with a random seed chosen at creation
 * (IPVS hashes its connection table with jhash_3words and a random seed
 * too), so a client cannot aim its ports at one chain.
 *
 * Expiry: a timer wheel of WHEEL_SIZE one-second slots.  A connection sits
 * in the slot of the tick at which it must next be looked at.  A frame that
 * pushes its expiry later (the common case: every packet of a busy
 * connection) only writes conn->expires; when the old slot comes up the
 * entry is re-slotted to its new time.  An expiry that moves *earlier*
 * (ESTABLISHED -> FIN_WAIT) moves the entry at once, so nothing outlives its
 * IPVS timeout.  Lists are circular and doubly linked with one sentinel per
 * slot; the back links live in a side array (wprev) because struct conn has
 * no room left for them.  conn_expire() moves one due slot at a time to a
 * "pending" list and works through it within a budget; what is left carries
 * over to the next call.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/random.h>

#include "conn_int.h"
#include "sched.h"
#include "svc.h"

/* conn_expire looks at no more than this many entries per entry it may
 * remove (re-slotting refreshed entries costs work too) */
#define EXPIRE_SCAN_FACTOR 4
#define CONN_MAX_LIMIT	(1u << 30)

/* ------------------------------------------------------------ hashing */

#define JHASH_INITVAL	0xdeadbeefu

static inline uint32_t
rol32(uint32_t x, unsigned k)
{
	return (x << k) | (x >> (32 - k));
}

#define jhash_mix(a, b, c) do {				\
	a -= c; a ^= rol32(c, 4);  c += b;		\
	b -= a; b ^= rol32(a, 6);  a += c;		\
	c -= b; c ^= rol32(b, 8);  b += a;		\
	a -= c; a ^= rol32(c, 16); c += b;		\
	b -= a; b ^= rol32(a, 19); a += c;		\
	c -= b; c ^= rol32(b, 4);  b += a;		\
} while (0)

#define jhash_final(a, b, c) do {			\
	c ^= b; c -= rol32(b, 14);			\
	a ^= c; a -= rol32(c, 11);			\
	b ^= a; b -= rol32(a, 25);			\
	c ^= b; c -= rol32(b, 16);			\
	a ^= c; a -= rol32(c, 4);			\
	b ^= a; b -= rol32(a, 14);			\
	c ^= b; c -= rol32(b, 24);			\
} while (0)

static inline uint32_t
conn_hash(const struct conn_table *t, const struct conn_key *k)
{
	uint32_t a, b, c, init;

	init = t->seed ^ ((uint32_t)k->protocol | (uint32_t)k->af << 8);
	if (!key_v6(k)) {
		/* jhash_3words(caddr, vaddr, ports, seed ^ proto) */
		a = b = c = JHASH_INITVAL + init;
		a += k->caddr.in.s_addr;
		b += k->vaddr.in.s_addr;
		c += ((uint32_t)k->cport << 16) | k->vport;
		jhash_final(a, b, c);
		return c;
	}
	/* lookup3 hashword over the 9 words of an IPv6 key */
	uint32_t w[9];
	memcpy(w, k->caddr.b, 16);
	memcpy(w + 4, k->vaddr.b, 16);
	w[8] = ((uint32_t)k->cport << 16) | k->vport;
	a = b = c = JHASH_INITVAL + (9u << 2) + init;
	a += w[0]; b += w[1]; c += w[2]; jhash_mix(a, b, c);
	a += w[3]; b += w[4]; c += w[5]; jhash_mix(a, b, c);
	a += w[6]; b += w[7]; c += w[8]; jhash_final(a, b, c);
	return c;
}

const union drlb_inaddr *
conn_vaddr(const struct conn *c)
{
	return &c->dest->svc->conf.addr;
}

void
conn_key_get(const struct conn *c, struct conn_key *k)
{
	memset(k, 0, sizeof(*k));
	k->caddr = c->key.caddr;
	k->cport = c->key.cport;
	k->vport = c->key.vport;
	k->protocol = c->key.protocol;
	k->af = c->key.af;
	if (key_v6(k))
		memcpy(k->vaddr.b, conn_vaddr(c)->b, 16);
	else
		k->vaddr.in = conn_vaddr(c)->in;
}

/* Does entry c hold key y?  The VIP, which costs two dereferences, last:
 * chain neighbours differ in the client or its port. */
static inline bool
key_eq(const struct conn *c, const struct conn_key *y)
{
	const struct conn_ekey *x = &c->key;

	if (x->cport != y->cport || x->vport != y->vport ||
	    x->protocol != y->protocol || x->af != y->af)
		return false;
	if (!key_v6(y))
		return x->caddr.in.s_addr == y->caddr.in.s_addr &&
		    conn_vaddr(c)->in.s_addr == y->vaddr.in.s_addr;
	return memcmp(x->caddr.b, y->caddr.b, 16) == 0 &&
	    memcmp(conn_vaddr(c)->b, y->vaddr.b, 16) == 0;
}

/* the hash of the key entry c holds */
static inline uint32_t
entry_hash(const struct conn_table *t, const struct conn *c)
{
	struct conn_key k;

	conn_key_get(c, &k);
	return conn_hash(t, &k);
}

void
conn_hash_link(struct conn_table *t, uint32_t id)
{
	struct conn *c = &t->conns[id];
	uint32_t h = entry_hash(t, c) & t->bmask;

	c->hnext = t->buckets[h];
	t->buckets[h] = id + 1;
}

void
conn_hash_unlink(struct conn_table *t, uint32_t id)
{
	struct conn *c = &t->conns[id];
	uint32_t *pp = &t->buckets[entry_hash(t, c) & t->bmask];

	while (*pp != id + 1)
		pp = &t->conns[*pp - 1].hnext;
	*pp = c->hnext;
}
/* ------------------------------------------------------------ the wheel */

static inline bool
wempty(struct conn_table *t, uint32_t head)
{
	return *wnext_of(t, head) == head;
}

static inline void
winit(struct conn_table *t, uint32_t head)
{
	*wnext_of(t, head) = head;
	t->wprev[head] = head;
}

/* Move every entry of list `from` to the empty list `to`. */
static void
wsplice(struct conn_table *t, uint32_t from, uint32_t to)
{
	uint32_t first, last;

	if (wempty(t, from))
		return;
	first = *wnext_of(t, from);
	last = t->wprev[from];
	*wnext_of(t, to) = first;
	t->wprev[first] = to;
	*wnext_of(t, last) = to;
	t->wprev[to] = last;
	winit(t, from);
}

/* ------------------------------------------------------------ table */

static uint32_t
random_seed(void)
{
	uint32_t s;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16) ^
	    (uint32_t)ts.tv_sec;
}

/* Write one byte per page so the pages are ours now, not at first use. */
static void
prefault(void *p, size_t len)
{
	volatile uint8_t *b = p;

	for (size_t i = 0; i < len; i += 4096)
		b[i] = b[i];
}

struct conn_table *
conn_table_create(uint32_t max_conns)
{
	struct conn_table *t;
	uint32_t nb, i;

	if (max_conns == 0 || max_conns > CONN_MAX_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	for (nb = 1; nb < max_conns; nb <<= 1)
		;
	t->max = max_conns;
	t->bmask = nb - 1;
	t->conns = aligned_alloc(64, (size_t)max_conns * sizeof(struct conn));
	if (t->conns == NULL)
		goto out_free_table;
	t->buckets = calloc(nb, sizeof(uint32_t));
	if (t->buckets == NULL)
		goto out_free_conns;
	t->wprev = malloc(((size_t)max_conns + WHEEL_SIZE + 1) *
	    sizeof(uint32_t));
	if (t->wprev == NULL)
		goto out_free_buckets;
	t->snext = malloc((WHEEL_SIZE + 1) * sizeof(uint32_t));
	if (t->snext == NULL)
		goto out_free_wprev;
	t->aux = calloc(max_conns, sizeof(uint32_t));
	if (t->aux == NULL)
		goto out_free_snext;

	/* Touch everything now: the bound is memory we already hold, and a
	 * flood filling the table must not make the process grow.  (calloc'd
	 * pages may still be the kernel's shared zero page: write them.) */
	prefault(t->buckets, (size_t)nb * sizeof(uint32_t));
	prefault(t->wprev, ((size_t)max_conns + WHEEL_SIZE + 1) * sizeof(uint32_t));
	prefault(t->aux, (size_t)max_conns * sizeof(uint32_t));
	memset(t->conns, 0, (size_t)max_conns * sizeof(struct conn));
	for (i = 0; i < max_conns; i++)
		t->conns[i].hnext = i + 1 < max_conns ? i + 2 : 0;
	t->free_head = 1;
	for (i = 0; i <= WHEEL_SIZE; i++)
		winit(t, max_conns + i);
	t->seed = random_seed();
	t->tt = t;
	conn_timeouts_init(t);
	return t;

out_free_snext:
	free(t->snext);
out_free_wprev:
	free(t->wprev);
out_free_buckets:
	free(t->buckets);
out_free_conns:
	free(t->conns);
out_free_table:
	free(t);
	errno = ENOMEM;
	return NULL;
}

void
conn_table_destroy(struct conn_table *t)
{
	if (t == NULL)
		return;
	free(t->aux);
	free(t->snext);
	free(t->wprev);
	free(t->buckets);
	free(t->conns);
	free(t);
}

uint32_t
conn_count(const struct conn_table *t)
{
	return t->count;
}

uint32_t
conn_max(const struct conn_table *t)
{
	return t->max;
}

uint32_t
conn_buckets(const struct conn_table *t)
{
	return t->bmask + 1;
}

size_t
conn_table_bytes(const struct conn_table *t)
{
	return sizeof(*t) + (size_t)t->max * sizeof(struct conn) +
	    ((size_t)t->bmask + 1) * sizeof(uint32_t) +
	    ((size_t)t->max + WHEEL_SIZE + 1) * sizeof(uint32_t) +
	    (WHEEL_SIZE + 1) * sizeof(uint32_t) +
	    (size_t)t->max * sizeof(uint32_t);
}

struct conn *
conn_lookup(struct conn_table *t, const struct conn_key *k)
{
	uint32_t i = t->buckets[conn_hash(t, k) & t->bmask];

	while (i != 0) {
		struct conn *c = &t->conns[i - 1];
		if (key_eq(c, k))
			return c;
		i = c->hnext;
	}
	return NULL;
}

static void conn_release(struct conn_table *t, struct svc_table *st,
    uint32_t id);

#define RECLAIM_PROBES	256	/* entries looked at for an embryonic one */

static inline bool
embryonic(const struct conn_table *t, uint32_t id)
{
	const struct conn *c = &t->conns[id];

	return (c->flags & (CONN_F_INUSE | CONN_F_TEMPLATE)) == CONN_F_INUSE &&
	    c->key.protocol == IPPROTO_TCP && t->aux[id] == 0 &&
	    (c->state == CONN_S_SYN_RECV || c->state == CONN_S_NONE);
}

/*
 * SYN-flood defence, IPVS's drop_entry made fair and cheap: when the table
 * is full, a new flow takes the place of the *oldest* embryonic TCP
 * connection -- one whose client never completed the handshake as far as
 * we saw (SYN_RECV, NONE).  Oldest, because a flood's SYNs never get an
 * ACK while a real client's ACK follows its SYN within a round trip: evict
 * in arrival order and a real client's entry outlives the round trip as
 * long as the table holds more than a round trip's worth of flood.  The
 * timer wheel already orders entries by when they are due, and half-open
 * entries all have the same timeout, so due-first is oldest-first: look at
 * the due list, then slot after slot from now, each oldest entry first, at
 * most RECLAIM_PROBES entries.  Established connections, UDP flows,
 * persistence templates and connections a template controls are never
 * taken; a table full of those refuses the new flow (table_full).
 */
static bool
conn_reclaim(struct conn_table *t)
{
	uint32_t probes = 0;

	if (t->st == NULL)
		return false;
	for (uint32_t s = 0; s <= WHEEL_SIZE && probes < RECLAIM_PROBES; s++) {
		/* the due (pending) list first, then the slots from now on */
		uint32_t head = s == 0 ? t->max + WHEEL_PENDING :
		    slot_node(t, t->tick + s - 1);

		for (uint32_t id = t->wprev[head]; id != head &&
		    probes < RECLAIM_PROBES; id = t->wprev[id], probes++) {
			if (!embryonic(t, id))
				continue;
			wunlink(t, id);
			conn_release(t, t->st, id);
			t->reclaimed++;
			return true;
		}
	}
	return false;
}

void
conn_table_bind(struct conn_table *t, struct svc_table *st)
{
	t->st = st;
}

uint64_t
conn_reclaimed(const struct conn_table *t)
{
	return t->reclaimed;
}

/* Take a free slot, hash it under k, put it on the wheel. */
struct conn *
conn_alloc(struct conn_table *t, const struct conn_key *k, struct dest *dest,
    uint32_t expires)
{
	struct conn *c;
	uint32_t id;

	if (t->free_head == 0 && !conn_reclaim(t)) {
		errno = ENOSPC;
		return NULL;
	}
	id = t->free_head - 1;
	c = &t->conns[id];
	t->free_head = c->hnext;

	/* the VIP is not stored: it is dest->svc's address */
	c->key.caddr = k->caddr;
	if (!key_v6(k))
		/* only the first 4 bytes count: keep the rest zero for -c */
		memset(c->key.caddr.b + 4, 0, 12);
	c->key.cport = k->cport;
	c->key.vport = k->vport;
	c->key.protocol = k->protocol;
	c->key.af = k->af;
	c->state = CONN_S_NONE;
	c->reserved = 0;
	c->dest = dest;
	t->aux[id] = 0;
	/* hashed as conn_release will find it: from what the entry holds
	 * (the caller's key has the same VIP: its dest is of that service) */
	conn_hash_link(t, id);
	c->expires = expires;
	wlink(t, place(t, c->expires), id);
	t->count++;
	dest_hold(dest);
	return c;
}

struct conn *
conn_insert(struct conn_table *t, const struct conn_key *k,
    struct dest *dest, uint32_t now)
{
	struct conn *c;

	c = conn_alloc(t, k, dest, now + conn_timeout(t, k->protocol,
	    CONN_S_NONE));
	if (c == NULL)
		return NULL;
	c->flags = CONN_F_INUSE | CONN_F_INACTIVE;

	/* IPVS ip_vs_bind_dest: a real server's conn_flags always carry
	 * INACTIVE (__ip_vs_update_dest), so the connection starts in
	 * InActConn; set_tcp_state moves it on its first frame */
	dest->inactconns++;
	dest->stats.conns++;
	if (dest->svc != NULL)
		dest->svc->stats.conns++;
	dest_overload_bind(dest);
	return c;
}

/* Unhash, uncount and free one connection; drops its dest reference. */
static void
conn_release(struct conn_table *t, struct svc_table *st, uint32_t id)
{
	struct conn *c = &t->conns[id];
	struct dest *d = c->dest;

	conn_hash_unlink(t, id);
	c->flags &= ~CONN_F_INUSE;
	c->dest = NULL;
	c->hnext = t->free_head;
	t->free_head = id + 1;
	t->count--;

	if (c->flags & CONN_F_TEMPLATE) {
		t->aux[id] = 0;
	} else if (t->aux[id] != 0) {
		/* one connection fewer under its template (IPVS
		 * ip_vs_control_del) */
		struct conn_table *tt = t->tt;
		uint32_t tid = t->aux[id] - 1;

		if ((tt->conns[tid].flags & (CONN_F_INUSE | CONN_F_TEMPLATE)) ==
		    (CONN_F_INUSE | CONN_F_TEMPLATE) && tt->aux[tid] > 0)
			tt->aux[tid]--;
		t->aux[id] = 0;
	}
	if (d != NULL) {
		/* IPVS ip_vs_unbind_dest (a template touches neither the
		 * connection counts nor -x/-y), then the dest reference */
		if (c->flags & CONN_F_TEMPLATE) {
			d->persistconns--;
		} else {
			if (c->flags & CONN_F_INACTIVE)
				d->inactconns--;
			else
				d->activeconns--;
			dest_overload_unbind(d);
		}
		dest_put(st, d);
	}
	c->flags = 0;
}

uint32_t
conn_expire(struct conn_table *t, struct svc_table *st, uint32_t now,
    uint32_t budget)
{
	uint32_t pend = t->max + WHEEL_PENDING;
	uint32_t removed = 0, scanned = 0, limit;

	limit = budget > UINT32_MAX / EXPIRE_SCAN_FACTOR ?
	    UINT32_MAX : budget * EXPIRE_SCAN_FACTOR;
	for (;;) {
		while (!wempty(t, pend)) {
			uint32_t id;
			struct conn *c;

			if (removed >= budget || scanned >= limit)
				return removed;
			id = *wnext_of(t, pend);
			c = &t->conns[id];
			wunlink(t, id);
			scanned++;
			if (c->expires <= now && (c->flags & CONN_F_TEMPLATE) &&
			    t->aux[id] > 0) {
				/* IPVS ip_vs_conn_expire: a template outlives
				 * the connections it controls; look again a
				 * full persistence timeout later */
				c->expires = now + conn_template_timeout(c);
				wlink(t, place(t, c->expires), id);
			} else if (c->expires <= now) {
				if (t->on_expire != NULL)
					t->on_expire(t->on_expire_arg, c);
				conn_release(t, st, id);
				removed++;
			} else {
				/* refreshed since it was slotted */
				wlink(t, place(t, c->expires), id);
			}
		}
		if (t->tick > now)
			return removed;
		/* After a long pause, one turn of the wheel sees every slot. */
		if (now - t->tick >= WHEEL_SIZE)
			t->tick = now - WHEEL_SIZE + 1;
		wsplice(t, slot_node(t, t->tick), pend);
		t->tick++;
	}
}

void
conn_expire_now(struct conn_table *t, struct svc_table *st, struct conn *c)
{
	uint32_t id = (uint32_t)(c - t->conns);

	wunlink(t, id);
	conn_release(t, st, id);
}

void
conn_restore(struct conn_table *t, struct conn *c, enum conn_state s,
    bool active, uint32_t expires)
{
	if (!(c->flags & CONN_F_TEMPLATE)) {
		struct dest *d = c->dest;
		bool was_active = !(c->flags & CONN_F_INACTIVE);

		if (c->key.protocol == IPPROTO_TCP && (unsigned)s < CONN_S_LAST)
			c->state = (uint8_t)s;
		if (was_active && !active) {
			d->activeconns--;
			d->inactconns++;
			c->flags |= CONN_F_INACTIVE;
		} else if (!was_active && active) {
			d->inactconns--;
			d->activeconns++;
			c->flags &= ~CONN_F_INACTIVE;
		}
		if (was_active != active)
			sched_dest_load_changed(d);
	}
	wdue(t, c, expires);
}

void
conn_set_expire_hook(struct conn_table *t,
    void (*fn)(void *arg, const struct conn *c), void *arg)
{
	t->on_expire = fn;
	t->on_expire_arg = arg;
}

void
conn_flush(struct conn_table *t, struct svc_table *st)
{
	uint32_t s, head, id, next;

	/* connections first, then the templates that controlled them */
	for (int pass = 0; pass < 2; pass++)
		for (s = 0; s <= WHEEL_SIZE; s++) {
			head = t->max + s;
			for (id = *wnext_of(t, head); id != head; id = next) {
				next = t->conns[id].wnext;
				if (pass == 0 &&
				    (t->conns[id].flags & CONN_F_TEMPLATE))
					continue;
				wunlink(t, id);
				conn_release(t, st, id);
			}
		}
}

int
conn_walk(struct conn_table *t, int (*fn)(struct conn *c, void *arg),
    void *arg)
{
	uint32_t s, head, id, next;
	int r;

	for (s = 0; s <= WHEEL_SIZE; s++) {
		head = t->max + s;
		for (id = *wnext_of(t, head); id != head; id = next) {
			next = t->conns[id].wnext;
			if ((r = fn(&t->conns[id], arg)) != 0)
				return r;
		}
	}
	return 0;
}
