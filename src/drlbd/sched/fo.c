/*
 * Weighted Fail Over (IPVS ip_vs_fo.c): every new connection goes to the
 * usable dest with the highest weight.  Only a strictly higher weight
 * replaces the current pick, so on a tie the first in list order wins
 * (the newest dest, since IPVS adds at the head).  Weight 0 never wins.
 * Load is not looked at: the backup takes over only when the primary's
 * weight drops below it, or the primary is overloaded (-x) or unreachable.
 *
 * IPVS scans the list on every decision; drlb keeps the same arg-max in
 * lload.c's tournament tree (h = 1, w = weight: the least 1 / weight):
 * O(log n) when a dest's usability changes, O(1) per decision.
 */
#include "lload.h"

static int
fo_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_FO);
}

const struct sched_ops sched_fo = {
	.name			= "fo",
	.init_svc		= fo_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
