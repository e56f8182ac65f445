/*
 * Least-Connection (IPVS ip_vs_lc.c).
 *
 * The usable dest of weight > 0 with the least overhead =
 * (activeconns << 8) + totalconns (dest_conn_overhead, IPVS's
 * ip_vs_dest_conn_overhead); only a strictly smaller overhead
 * replaces the least so far, so ties go to the first in list order (the
 * newest dest).  Weights other than 0 play no part.
 *
 * IPVS scans the list on every decision; drlb keeps the same arg-min in
 * the tournament tree of lload.c: O(log n) per load change, O(1) per
 * decision, the same picks.
 */
#include "lload.h"

static int
lc_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_LC);
}

const struct sched_ops sched_lc = {
	.name			= "lc",
	.init_svc		= lc_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
