/*
 * lload — the least-load index shared by lc, wlc, sed, nq, fo, ovf and
 * the wlc fallback of lblc and lblcr.
 *
 * IPVS scans the whole dest list on every decision (O(n)).  These rules
 * all pick the eligible dest with the least h / w, the first in list order
 * among equals, for a per-rule eligibility, h and w:
 *
 *   lc   usable, weight > 0     h = (activeconns << 8) + totalconns  w = 1
 *   wlc  usable, weight > 0     h = (activeconns << 8) + totalconns  w = weight
 *   sed  usable, weight > 0     h = activeconns + 1                  w = weight
 *   nq   usable, weight > 0     h = activeconns + 1, 0 when idle     w = weight
 *   fo   usable, weight > 0     h = 1                                w = weight
 *   ovf  usable, weight > 0,    h = 1                                w = weight
 *        activeconns <= weight
 *
 * (nq's "first idle dest, else sed" is sed with an idle dest's h taken as
 * 0: every idle dest then beats every busy one and ties among idle ones
 * go to the first, which is where nq's scan stops.  fo's and ovf's "only
 * a strictly higher weight replaces the pick" is the least 1 / weight.)
 *
 * That is an arg-min under a total preorder with ties to the lower list
 * position, so it can be kept in a tournament (segment) tree over the list
 * positions: each node holds the winner of its range, its left child
 * covering the earlier positions wins ties.  A load change re-plays the
 * matches on the path to the root, O(log n), stopping as soon as a node's
 * winner comes out unchanged; a decision reads the root, O(1).  A change of
 * the list (dest added, removed, weight edited) rebuilds it, O(n), as it
 * changes positions.
 *
 * Beside the tree the index counts the listed dests with room, activeconns
 * * 2 < weight: the other half of lblc's and lblcr's is_overloaded(), which
 * asks whether any dest of the list has room.
 *
 * Use: a scheduler whose whole state is the index points init_svc at a
 * function calling lload_init_svc(svc, rule) and its other hooks at the
 * lload_* hooks below.  One with more state (lblc, lblcr) keeps a struct
 * lload * of its own and calls lload_new .. lload_any_room from its hooks.
 * The index keeps each indexed dest's list position in dest->sched_data
 * (position + 1; NULL for any dest it does not index, e.g. one in the
 * trash).
 */
#ifndef DRLBD_SCHED_LLOAD_H
#define DRLBD_SCHED_LLOAD_H

#include "../sched.h"

enum lload_rule {
	LLOAD_LC,
	LLOAD_WLC,
	LLOAD_SED,
	LLOAD_NQ,
	LLOAD_FO,
	LLOAD_OVF,
};

struct lload;

/* An index of svc's current dests under rule; NULL (ENOMEM). */
struct lload *lload_new(struct svc *svc, enum lload_rule rule);
void lload_free(struct lload *ll);
/* The list changed: rebuild, O(n).  Without memory the index falls back
 * to scanning the list (the same picks) until a later rebuild succeeds. */
void lload_rebuild(struct lload *ll, struct svc *svc);
/* d's counters or usability changed: O(log n); ignores d not indexed. */
void lload_update(struct lload *ll, struct dest *d);
/* The rule's pick (the root), O(1); NULL when no dest is eligible. */
struct dest *lload_pick(const struct lload *ll, const struct svc *svc);
/* Is d in svc->dests?  O(1). */
bool lload_listed(const struct lload *ll, const struct svc *svc,
    const struct dest *d);
/* Has some dest of svc->dests activeconns * 2 < weight?  O(1). */
bool lload_any_room(const struct lload *ll, const struct svc *svc);

/* d's position in svc->dests, LLOAD_NONE if not listed or not known (the
 * index degraded), O(1). */
uint32_t lload_pos(const struct lload *ll, const struct dest *d);

/*
 * The tree alone, for a scheduler that keeps its own over other slots
 * (lblcr's sets): node[1 .. 2 * leaves - 1], leaves a power of two, slot i
 * at node[leaves + i]; each node holds the winner of its range by the wlc
 * rule, ties to the lower slot.
 */
#define LLOAD_NONE	UINT32_MAX	/* no eligible dest in the range */
struct lload_node {
	uint64_t h;		/* load of the range's winner */
	uint32_t w;		/* its weight (1 for lc) */
	uint32_t pos;		/* its slot, LLOAD_NONE */
};
/* the leaf of d at slot pos under wlc's rule (NONE unless usable and
 * weight > 0) */
struct lload_node lload_wlc_leaf(const struct dest *d, uint32_t pos);
/* every inner node from the leaves, O(leaves) */
void lload_tree_build(struct lload_node *node, uint32_t leaves);
/* slot pos's leaf is x now: re-play the path to the root, O(log leaves) */
void lload_tree_set(struct lload_node *node, uint32_t leaves, uint32_t pos,
    struct lload_node x);

/* sched_ops hooks for a scheduler whose state is one index */
int lload_init_svc(struct svc *svc, enum lload_rule rule);
void lload_done_svc(struct svc *svc);
void lload_dest_changed(struct svc *svc);
void lload_dest_load_changed(struct svc *svc, struct dest *d);
struct dest *lload_schedule(struct svc *svc, const struct conn_key *key);

#endif
