/*
 * Overflow-connection (IPVS ip_vs_ovf.c): keep sending to the usable dest
 * with the highest weight while its active connections do not exceed its
 * weight; once activeconns > weight it is passed over and the next highest
 * weight takes the overflow.  Weight 0 never takes connections.  The first
 * candidate in list order stays unless a strictly higher weight follows,
 * so ties go to the newest dest.
 *
 * Only activeconns count (as IPVS): a UDP service, whose connections are
 * all inactive in DR, never overflows.
 *
 * IPVS scans the list on every decision; drlb keeps the same arg-max in
 * lload.c's tournament tree (h = 1, w = weight, a dest with activeconns >
 * weight out of the running): O(log n) per load change, O(1) per decision.
 */
#include "lload.h"

static int
ovf_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_OVF);
}

const struct sched_ops sched_ovf = {
	.name			= "ovf",
	.init_svc		= ovf_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
