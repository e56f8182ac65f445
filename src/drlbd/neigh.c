/*
 * The real servers' neighbour table shared by ARP and IPv6 neighbor
 * discovery; see neigh.h.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "log.h"
#include "neigh.h"
#include "sched.h"

#define PROBE_INTERVAL_MS	1000	/* unresolved: ask every second */
#define PROBE_TRIES		3	/* ... this many times before we give up */
#define FAILED_INTERVAL_MS	5000	/* failed: keep asking, slower */
#define REFRESH_MS		60000	/* resolved: re-check after a minute */

enum neigh_state { NEIGH_NONE, NEIGH_RESOLVED, NEIGH_FAILED };

struct neigh {
	union drlb_inaddr addr;
	uint8_t mac[6];
	uint8_t state;
	uint8_t tries;			/* unanswered probes in a row */
	uint64_t next_probe_ms;
};

struct neigh_table {
	uint16_t af;
	struct svc_table *svcs;
	const struct neigh_ops *ops;
	void *arg;
	struct neigh *e;
	size_t n, cap;
};

struct neigh_table *
neigh_create(uint16_t af, struct svc_table *svcs, const struct neigh_ops *ops,
    void *arg)
{
	struct neigh_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->af = af;
	t->svcs = svcs;
	t->ops = ops;
	t->arg = arg;
	return t;
}

void
neigh_destroy(struct neigh_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t);
}

static struct neigh *
neigh_find(struct neigh_table *t, const union drlb_inaddr *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (drlb_addr_eq(t->af, &t->e[i].addr, addr))
			return &t->e[i];
	return NULL;
}

static bool
dest_at(const struct neigh_table *t, const struct dest *d,
    const union drlb_inaddr *addr)
{
	return d->conf.af == t->af && drlb_addr_eq(t->af, &d->conf.addr, addr);
}

/* Copy what we know of n's MAC into every dest with its address,
 * including removed ones that connections still use. */
static void
neigh_sync(struct neigh_table *t, const struct neigh *n)
{
	struct svc *s;
	struct dest *d;

	t->svcs->gen++;
	for (s = t->svcs->head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			d = s->dests[i];
			if (!dest_at(t, d, &n->addr))
				continue;
			memcpy(d->mac, n->mac, 6);
			d->mac_state = n->state == NEIGH_RESOLVED ?
			    DRLB_MAC_RESOLVED : n->state == NEIGH_FAILED ?
			    DRLB_MAC_FAILED : DRLB_MAC_NONE;
			if (n->state == NEIGH_RESOLVED)
				d->flags &= ~DEST_F_NOMAC;
			else
				d->flags |= DEST_F_NOMAC;
			sched_dest_load_changed(d);
		}
	for (d = t->svcs->trash; d != NULL; d = d->trash_next) {
		if (!dest_at(t, d, &n->addr))
			continue;
		memcpy(d->mac, n->mac, 6);
		d->mac_state = n->state == NEIGH_RESOLVED ? DRLB_MAC_RESOLVED :
		    DRLB_MAC_FAILED;
		/* no scheduler sees it now, but it comes back with this flag
		 * if re-added (svc.c), and a refresh would not resync it */
		if (n->state == NEIGH_RESOLVED)
			d->flags &= ~DEST_F_NOMAC;
		else
			d->flags |= DEST_F_NOMAC;
	}
}

/* Is addr still the address of some dest (live or in the trash)? */
static bool
neigh_used(struct neigh_table *t, const union drlb_inaddr *addr)
{
	struct svc *s;
	struct dest *d;

	for (s = t->svcs->head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (dest_at(t, s->dests[i], addr))
				return true;
	for (d = t->svcs->trash; d != NULL; d = d->trash_next)
		if (dest_at(t, d, addr))
			return true;
	return false;
}

static void
neigh_probe(struct neigh_table *t, struct neigh *n)
{
	t->ops->probe(t->arg, &n->addr);
	n->tries++;
}

void
neigh_dest_added(struct neigh_table *t, struct dest *d, uint64_t now_ms)
{
	struct neigh *n;

	if (d->conf.af != t->af)
		return;
	if ((n = neigh_find(t, &d->conf.addr)) == NULL) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct neigh *ne = realloc(t->e, cap * sizeof(*ne));

			if (ne == NULL)
				return;	/* stays NOMAC: not scheduled */
			t->e = ne;
			t->cap = cap;
		}
		n = &t->e[t->n++];
		memset(n, 0, sizeof(*n));
		memcpy(&n->addr, &d->conf.addr, drlb_addr_len(t->af));
		/* ask right away: the first connection should not wait */
		neigh_probe(t, n);
		n->next_probe_ms = now_ms + PROBE_INTERVAL_MS;
	}
	neigh_sync(t, n);
}

enum neigh_learnt
neigh_learn(struct neigh_table *t, const union drlb_inaddr *addr,
    const uint8_t mac[6], uint64_t now_ms)
{
	struct neigh *n;
	char a[INET6_ADDRSTRLEN];
	bool changed;

	if ((n = neigh_find(t, addr)) == NULL)
		return NEIGH_UNKNOWN;
	changed = n->state != NEIGH_RESOLVED || memcmp(n->mac, mac, 6) != 0;
	if (n->state == NEIGH_FAILED)
		log_info("real server %s answers %s again",
		    drlb_addr_str(a, sizeof(a), t->af, addr), t->ops->again);
	memcpy(n->mac, mac, 6);
	n->state = NEIGH_RESOLVED;
	n->tries = 0;
	n->next_probe_ms = now_ms + REFRESH_MS;
	if (!changed)
		return NEIGH_SAME;
	log_info("real server %s is at %02x:%02x:%02x:%02x:%02x:%02x",
	    drlb_addr_str(a, sizeof(a), t->af, addr), mac[0], mac[1], mac[2],
	    mac[3], mac[4], mac[5]);
	neigh_sync(t, n);
	return NEIGH_CHANGED;
}

void
neigh_tick(struct neigh_table *t, uint64_t now_ms)
{
	char a[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < t->n; i++) {
		struct neigh *n = &t->e[i];

		if (!neigh_used(t, &n->addr)) {
			t->e[i--] = t->e[--t->n];
			continue;
		}
		if (now_ms < n->next_probe_ms)
			continue;
		if (n->tries >= PROBE_TRIES && n->state != NEIGH_FAILED) {
			n->state = NEIGH_FAILED;
			log_warnx("real server %s does not answer %s: not "
			    "scheduled (in DR a real server must be on the "
			    "director's own Ethernet segment)",
			    drlb_addr_str(a, sizeof(a), t->af, &n->addr),
			    t->ops->silent);
			neigh_sync(t, n);
		}
		neigh_probe(t, n);
		n->next_probe_ms = now_ms + (n->state == NEIGH_FAILED ?
		    FAILED_INTERVAL_MS : PROBE_INTERVAL_MS);
	}
}
