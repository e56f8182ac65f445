/*
 * lload — the least-load tournament tree of lc, wlc, sed and nq
 * (see lload.h for the rules and why one structure serves all four).
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
 * Memory: 40 bytes per leaf (two nodes' worth plus the list pointer), one
 * allocation each for nodes and list per service: 10000 dests, 16384
 * leaves, 640 KiB.
 */
#include <stdlib.h>

#include "lload.h"

#define LLOAD_NONE	UINT32_MAX	/* no eligible dest in the range */

struct lload_node {
	uint64_t h;		/* load of the range's winner */
	uint32_t w;		/* its weight (1 for lc) */
	uint32_t pos;		/* its list position, LLOAD_NONE */
};

struct lload {
	enum lload_rule rule;
	uint32_t n;		/* dests indexed: svc->ndests at the last build */
	uint32_t leaves;	/* power of two >= n */
	uint32_t cap;		/* leaves the arrays have room for */
	struct lload_node *node;	/* 2 * cap; node[0] unused */
	struct dest **list;	/* the dests indexed, in list order */
	/*
	 * A rebuild could not get memory: nothing is indexed (n == 0) and
	 * decisions play the same matches along the list, O(n), until a
	 * later rebuild succeeds.  The daemon keeps scheduling either way.
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
	}
	return x;
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
	uint32_t n = svc->ndests, leaves = 1, i, k;

	lload_forget(ll);
	while (leaves < n)
		leaves <<= 1;
	if (leaves > ll->cap) {
		struct lload_node *node;
		struct dest **list;

		node = realloc(ll->node, 2 * (size_t)leaves * sizeof(*node));
		if (node == NULL)
			goto out_degraded;
		ll->node = node;
		list = realloc(ll->list, (size_t)leaves * sizeof(*list));
		if (list == NULL)
			goto out_degraded;
		ll->list = list;
		ll->cap = leaves;
	}
	ll->degraded = false;
	ll->leaves = leaves;
	ll->n = n;
	for (i = 0; i < leaves; i++) {
		struct lload_node *x = &ll->node[leaves + i];

		if (i < n) {
			struct dest *d = svc->dests[i];

			ll->list[i] = d;
			d->sched_data = (void *)(uintptr_t)(i + 1);
			*x = lload_leaf(ll->rule, d, i);
		} else {
			x->h = 0;
			x->w = 0;
			x->pos = LLOAD_NONE;
		}
	}
	for (k = leaves - 1; k >= 1; k--)
		ll->node[k] = lload_match(ll->node[2 * k], ll->node[2 * k + 1]);
	return 0;

out_degraded:
	ll->degraded = true;
	return -1;
}

int
lload_init_svc(struct svc *svc, enum lload_rule rule)
{
	struct lload *ll;

	if ((ll = calloc(1, sizeof(*ll))) == NULL)
		return -1;
	ll->rule = rule;
	if (lload_build(svc, ll) != 0) {
		free(ll->node);
		free(ll->list);
		free(ll);
		return -1;
	}
	svc->sched_data = ll;
	return 0;
}

void
lload_done_svc(struct svc *svc)
{
	struct lload *ll = svc->sched_data;

	if (ll == NULL)
		return;
	lload_forget(ll);
	free(ll->node);
	free(ll->list);
	free(ll);
	svc->sched_data = NULL;
}

void
lload_dest_changed(struct svc *svc)
{
	/* on failure the index stays degraded until the next change */
	(void)lload_build(svc, svc->sched_data);
}

void
lload_dest_load_changed(struct svc *svc, struct dest *d)
{
	struct lload *ll = svc->sched_data;
	uintptr_t p = (uintptr_t)d->sched_data;
	struct lload_node x;
	uint32_t k;

	/* not indexed: removed (in the trash), or the index is degraded */
	if (p == 0 || p > ll->n || ll->list[p - 1] != d)
		return;
	k = ll->leaves + (uint32_t)(p - 1);
	x = lload_leaf(ll->rule, d, (uint32_t)(p - 1));
	if (lload_same(&x, &ll->node[k]))
		return;			/* e.g. inactconns under sed */
	ll->node[k] = x;
	/* re-play the matches up to the root; an unchanged winner means
	 * every node above is unchanged too */
	for (k >>= 1; k >= 1; k >>= 1) {
		x = lload_match(ll->node[2 * k], ll->node[2 * k + 1]);
		if (lload_same(&x, &ll->node[k]))
			break;
		ll->node[k] = x;
	}
}

struct dest *
lload_schedule(struct svc *svc, const struct conn_key *key)
{
	struct lload *ll = svc->sched_data;
	struct lload_node best;

	(void)key;
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
