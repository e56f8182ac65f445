/*
 * lload — the least-load tournament tree of lc, wlc, sed, nq, fo, ovf and
 * lblc's and lblcr's wlc fallback (see lload.h for the rules and why one
 * structure serves them all).
 *
 * Layout: an implicit binary tree over `leaves` (a power of two >= the
 * number of dests) slots; node[1] is the root, node[k]'s children are
 * node[2k] (earlier positions) and node[2k + 1], list position i is leaf
 * node[leaves + i].  A power of two keeps every left subtree strictly
 * before its right sibling in list order, which is what makes "left wins
 * ties" equal IPVS's "first in the list wins".
 *
 * Each node keeps the winner's position and its (h, w), so a match reads
 * two adjacent nodes, never the dests themselves.  Comparison, as IPVS
 * wlc: b beats a iff h(a) * w(b) > h(b) * w(a), in 64 bits.  Bounds:
 * h < 2^41 (activeconns < 2^32 times 257, plus inactconns < 2^32) and
 * w <= 65535 < 2^16 (svc.c refuses more), so each product < 2^57.
 *
 * Memory: 41 bytes per leaf (two nodes' worth, the list pointer, the room
 * flag), one allocation each per service: 10000 dests, 16384 leaves,
 * 656 KiB.
 */
#include <stdlib.h>

#include "lload.h"

struct lload {
	enum lload_rule rule;
	uint32_t n;		/* dests indexed: svc->ndests at the last build */
	uint32_t leaves;	/* power of two >= n */
	uint32_t cap;		/* leaves the arrays have room for */
	struct lload_node *node;	/* 2 * cap; node[0] unused */
	struct dest **list;	/* the dests indexed, in list order */
	uint8_t *room;		/* per position: activeconns * 2 < weight */
	uint32_t nroom;		/* how many have room */
	/*
	 * A rebuild could not get memory: nothing is indexed (n == 0) and
	 * every question is answered from the list, O(n), until a later
	 * rebuild succeeds.  The daemon keeps scheduling either way.
	 */
	bool degraded;
};

/* The leaf of dest d under rule r (pos filled in by the caller). */
static inline struct lload_node
lload_leaf(enum lload_rule r, const struct dest *d, uint32_t pos)
{
	struct lload_node x = { 0, 0, LLOAD_NONE };

	/* IPVS skips overloaded dests; weight 0 is quiesced (never wins) */
	if (!dest_usable(d) || d->conf.weight <= 0)
		return x;
	x.pos = pos;
	x.w = (uint32_t)d->conf.weight;
	switch (r) {
	case LLOAD_LC:
		x.w = 1;
		/* FALLTHROUGH */
	case LLOAD_WLC:
		x.h = dest_conn_overhead(d);
		break;
	case LLOAD_SED:
		x.h = (uint64_t)d->activeconns + 1;
		break;
	case LLOAD_NQ:
		x.h = d->activeconns == 0 ? 0 : (uint64_t)d->activeconns + 1;
		break;
	case LLOAD_OVF:
		/* ip_vs_ovf_schedule: passed over once active > weight */
		if ((int64_t)d->activeconns > d->conf.weight)
			return (struct lload_node){ 0, 0, LLOAD_NONE };
		/* FALLTHROUGH */
	case LLOAD_FO:
		/* the highest weight is the least 1 / weight */
		x.h = 1;
		break;
	}
	return x;
}

/* is_overloaded() in ip_vs_lblc.c and ip_vs_lblcr.c: d has room */
static inline bool
lload_has_room(const struct dest *d)
{
	return (int64_t)d->activeconns * 2 < d->conf.weight;
}

/* The winner of a (earlier positions) against b: b only if strictly less
 * loaded, so ties stay with the earlier dest. */
static inline struct lload_node
lload_match(struct lload_node a, struct lload_node b)
{
	if (a.pos == LLOAD_NONE)
		return b;
	if (b.pos == LLOAD_NONE)
		return a;
	return a.h * b.w > b.h * a.w ? b : a;
}

static inline bool
lload_same(const struct lload_node *a, const struct lload_node *b)
{
	return a->pos == b->pos && a->h == b->h && a->w == b->w;
}

struct lload_node
lload_wlc_leaf(const struct dest *d, uint32_t pos)
{
	return lload_leaf(LLOAD_WLC, d, pos);
}

void
lload_tree_build(struct lload_node *node, uint32_t leaves)
{
	for (uint32_t k = leaves - 1; k >= 1; k--)
		node[k] = lload_match(node[2 * k], node[2 * k + 1]);
}

void
lload_tree_set(struct lload_node *node, uint32_t leaves, uint32_t pos,
    struct lload_node x)
{
	uint32_t k = leaves + pos;

	if (lload_same(&x, &node[k]))
		return;			/* e.g. inactconns under sed */
	node[k] = x;
	/* re-play the matches up to the root; an unchanged winner means
	 * every node above is unchanged too */
	for (k >>= 1; k >= 1; k >>= 1) {
		x = lload_match(node[2 * k], node[2 * k + 1]);
		if (lload_same(&x, &node[k]))
			break;
		node[k] = x;
	}
}

/* Forget every dest indexed so far (their sched_data goes back to NULL). */
static void
lload_forget(struct lload *ll)
{
	for (uint32_t i = 0; i < ll->n; i++)
		ll->list[i]->sched_data = NULL;
	ll->n = 0;
}

static int
lload_build(struct svc *svc, struct lload *ll)
{
	uint32_t n = svc->ndests, leaves = 1, i;

	lload_forget(ll);
	while (leaves < n)
		leaves <<= 1;
	if (leaves > ll->cap) {
		struct lload_node *node;
		struct dest **list;
		uint8_t *room;

		node = realloc(ll->node, 2 * (size_t)leaves * sizeof(*node));
		if (node == NULL)
			goto out_degraded;
		ll->node = node;
		list = realloc(ll->list, (size_t)leaves * sizeof(*list));
		if (list == NULL)
			goto out_degraded;
		ll->list = list;
		room = realloc(ll->room, (size_t)leaves);
		if (room == NULL)
			goto out_degraded;
		ll->room = room;
		ll->cap = leaves;
	}
	ll->degraded = false;
	ll->leaves = leaves;
	ll->n = n;
	ll->nroom = 0;
	for (i = 0; i < leaves; i++) {
		struct lload_node *x = &ll->node[leaves + i];

		if (i < n) {
			struct dest *d = svc->dests[i];

			ll->list[i] = d;
			d->sched_data = (void *)(uintptr_t)(i + 1);
			*x = lload_leaf(ll->rule, d, i);
			ll->room[i] = lload_has_room(d);
			ll->nroom += ll->room[i];
		} else {
			x->h = 0;
			x->w = 0;
			x->pos = LLOAD_NONE;
		}
	}
	lload_tree_build(ll->node, leaves);
	return 0;

out_degraded:
	ll->degraded = true;
	return -1;
}

struct lload *
lload_new(struct svc *svc, enum lload_rule rule)
{
	struct lload *ll;

	if ((ll = calloc(1, sizeof(*ll))) == NULL)
		return NULL;
	ll->rule = rule;
	if (lload_build(svc, ll) != 0) {
		lload_free(ll);
		return NULL;
	}
	return ll;
}

void
lload_free(struct lload *ll)
{
	if (ll == NULL)
		return;
	lload_forget(ll);
	free(ll->node);
	free(ll->list);
	free(ll->room);
	free(ll);
}

void
lload_rebuild(struct lload *ll, struct svc *svc)
{
	/* on failure the index stays degraded until the next change */
	(void)lload_build(svc, ll);
}

void
lload_update(struct lload *ll, struct dest *d)
{
	uintptr_t p = (uintptr_t)d->sched_data;
	uint8_t room;

	/* not indexed: removed (in the trash), or the index is degraded */
	if (p == 0 || p > ll->n || ll->list[p - 1] != d)
		return;
	room = lload_has_room(d);
	if (room != ll->room[p - 1]) {
		ll->nroom = room ? ll->nroom + 1 : ll->nroom - 1;
		ll->room[p - 1] = room;
	}
	lload_tree_set(ll->node, ll->leaves, (uint32_t)(p - 1),
	    lload_leaf(ll->rule, d, (uint32_t)(p - 1)));
}

struct dest *
lload_pick(const struct lload *ll, const struct svc *svc)
{
	struct lload_node best;

	if (ll->degraded) {
		best = (struct lload_node){ 0, 0, LLOAD_NONE };
		for (uint32_t i = 0; i < svc->ndests; i++)
			best = lload_match(best,
			    lload_leaf(ll->rule, svc->dests[i], i));
		return best.pos == LLOAD_NONE ? NULL : svc->dests[best.pos];
	}
	best = ll->node[1];
	return best.pos == LLOAD_NONE ? NULL : ll->list[best.pos];
}

uint32_t
lload_pos(const struct lload *ll, const struct dest *d)
{
	uintptr_t p = (uintptr_t)d->sched_data;

	return p != 0 && p <= ll->n && ll->list[p - 1] == d ?
	    (uint32_t)(p - 1) : LLOAD_NONE;
}

bool
lload_listed(const struct lload *ll, const struct svc *svc,
    const struct dest *d)
{
	uintptr_t p = (uintptr_t)d->sched_data;

	if (ll->degraded) {
		for (uint32_t i = 0; i < svc->ndests; i++)
			if (svc->dests[i] == d)
				return true;
		return false;
	}
	return p != 0 && p <= ll->n && ll->list[p - 1] == d;
}

bool
lload_any_room(const struct lload *ll, const struct svc *svc)
{
	if (ll->degraded) {
		for (uint32_t i = 0; i < svc->ndests; i++)
			if (lload_has_room(svc->dests[i]))
				return true;
		return false;
	}
	return ll->nroom > 0;
}

/* ------------------------------------------------ a scheduler's hooks */

int
lload_init_svc(struct svc *svc, enum lload_rule rule)
{
	struct lload *ll;

	if ((ll = lload_new(svc, rule)) == NULL)
		return -1;
	svc->sched_data = ll;
	return 0;
}

void
lload_done_svc(struct svc *svc)
{
	lload_free(svc->sched_data);
	svc->sched_data = NULL;
}

void
lload_dest_changed(struct svc *svc)
{
	lload_rebuild(svc->sched_data, svc);
}

void
lload_dest_load_changed(struct svc *svc, struct dest *d)
{
	lload_update(svc->sched_data, d);
}

struct dest *
lload_schedule(struct svc *svc, const struct conn_key *key)
{
	(void)key;
	return lload_pick(svc->sched_data, svc);
}
