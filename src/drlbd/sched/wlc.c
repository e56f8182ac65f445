/*
 * Weighted Least-Connection (IPVS ip_vs_wlc.c).
 *
 * Pick the usable dest with the least overhead / weight, where overhead =
 * (activeconns << 8) + totalconns (dest_conn_overhead): an active
 * connection weighs 257 inactive ones.  Ratios are compared by
 * cross-multiplying, loh * w(d) > doh * w(least), never by dividing.
 * Bounds: overhead < 2^32 * 257 + 2^32 < 2^41 and weights <= 65535
 * (svc.c), so each product is below 2^57 in 64 bits.
 *
 * IPVS starts from the first usable dest with weight > 0 in list order
 * (newest first), and only a strictly better one replaces it: ties go to
 * the newer dest.  Weight 0 never wins (0 * ... > ... is never true).
 *
 * IPVS scans the list on every decision; drlb keeps the same arg-min in
 * the tournament tree of lload.c: O(log n) per load change, O(1) per
 * decision, the same picks.
 */
#include "lload.h"

static int
wlc_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_WLC);
}

const struct sched_ops sched_wlc = {
	.name			= "wlc",
	.init_svc		= wlc_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
