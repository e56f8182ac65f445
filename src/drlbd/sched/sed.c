/*
 * Shortest Expected Delay (IPVS ip_vs_sed.c).
 *
 * The usable dest of weight > 0 with the least (activeconns + 1) / weight:
 * the delay a new job would see there, counting itself.  Inactive
 * connections do not count.  Ratios are compared by cross-multiplying in
 * 64 bits (as IPVS since it widened them to __s64); only a strictly
 * smaller one replaces the least so far, so ties go to the first in list
 * order (the newest dest).
 *
 * IPVS scans the list on every decision; drlb keeps the same arg-min in
 * the tournament tree of lload.c: O(log n) per load change, O(1) per
 * decision, the same picks.
 */
#include "lload.h"

static int
sed_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_SED);
}

const struct sched_ops sched_sed = {
	.name			= "sed",
	.init_svc		= sed_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
