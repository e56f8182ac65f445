/*
 * lload — the least-load index shared by lc, wlc, sed and nq.
 *
 * IPVS scans the whole dest list on every decision (O(n)).  These four
 * rules all pick the eligible dest (usable, weight > 0) with the least
 * h / w, the first in list order among equals, for a per-rule h and w:
 *
 *   lc   h = (activeconns << 8) + totalconns   w = 1
 *   wlc  h = (activeconns << 8) + totalconns   w = weight
 *   sed  h = activeconns + 1                   w = weight
 *   nq   h = activeconns + 1, or 0 when idle   w = weight
 *
 * (nq's "first idle dest, else sed" is sed with an idle dest's h taken as
 * 0: every idle dest then beats every busy one and ties among idle ones
 * go to the first, which is where nq's scan stops.)
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
 * Use: a scheduler's ops point init_svc at a function calling
 * lload_init_svc(svc, rule) and the other hooks at lload_*.  The index
 * keeps each indexed dest's list position in dest->sched_data (position +
 * 1; NULL for any dest it does not index, e.g. one in the trash).
 */
#ifndef DRLBD_SCHED_LLOAD_H
#define DRLBD_SCHED_LLOAD_H

#include "../sched.h"

enum lload_rule {
	LLOAD_LC,
	LLOAD_WLC,
	LLOAD_SED,
	LLOAD_NQ,
};

/* Build the index for svc's current dests: 0, or -1 (ENOMEM). */
int lload_init_svc(struct svc *svc, enum lload_rule rule);
void lload_done_svc(struct svc *svc);
/* The list changed: rebuild. */
void lload_dest_changed(struct svc *svc);
/* d's counters or usability changed: O(log n); ignores d not indexed. */
void lload_dest_load_changed(struct svc *svc, struct dest *d);
/* The rule's pick (the root), O(1); NULL when no dest is eligible. */
struct dest *lload_schedule(struct svc *svc, const struct conn_key *key);

#endif
