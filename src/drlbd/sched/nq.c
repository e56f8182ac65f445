/*
 * Never Queue (IPVS ip_vs_nq.c).
 *
 * The first usable dest of weight > 0 (list order, newest first) with no
 * active connection; when every one is busy, sed's pick: the least
 * (activeconns + 1) / weight, cross-multiplied in 64 bits, ties to the
 * first in list order.
 *
 * In lload.c's tree this is sed with an idle dest's load taken as 0: an
 * idle dest then beats every busy one, and idle ones tie, which the tree
 * settles for the first in the list, where IPVS's scan stops.  O(log n)
 * per load change, O(1) per decision, the same picks.
 */
#include "lload.h"

static int
nq_init_svc(struct svc *svc)
{
	return lload_init_svc(svc, LLOAD_NQ);
}

const struct sched_ops sched_nq = {
	.name			= "nq",
	.init_svc		= nq_init_svc,
	.done_svc		= lload_done_svc,
	.dest_changed		= lload_dest_changed,
	.schedule		= lload_schedule,
	.dest_load_changed	= lload_dest_load_changed,
};
