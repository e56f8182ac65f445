/*
 * Round-Robin (IPVS ip_vs_rr.c): the next usable dest of weight > 0 after
 * the last pick, wrapping at the end of the list, at most one full lap.
 *
 * IPVS keeps a pointer to the last pick's list node; we keep the dest
 * itself, so a dest added at the head (IPVS's order) does not move the
 * cursor.  When the last pick is removed the lap restarts from the head.
 */
#include "../sched.h"

static int
rr_init_svc(struct svc *svc)
{
	svc->sched_data = NULL;		/* NULL: the list head */
	return 0;
}

static void
rr_dest_changed(struct svc *svc)
{
	for (uint32_t i = 0; i < svc->ndests; i++)
		if (svc->dests[i] == svc->sched_data)
			return;
	svc->sched_data = NULL;
}

static struct dest *
rr_schedule(struct svc *svc, const struct conn_key *key)
{
	uint32_t n = svc->ndests, start = 0, k;

	(void)key;
	if (svc->sched_data != NULL)
		for (uint32_t i = 0; i < n; i++)
			if (svc->dests[i] == svc->sched_data) {
				start = i + 1;
				break;
			}
	/* one lap: from after the last pick to (and including) it */
	for (k = 0; k < n; k++) {
		struct dest *d = svc->dests[(start + k) % n];

		if (dest_usable(d) && d->conf.weight > 0) {
			svc->sched_data = d;
			return d;
		}
	}
	return NULL;
}

const struct sched_ops sched_rr = {
	.name		= "rr",
	.init_svc	= rr_init_svc,
	.dest_changed	= rr_dest_changed,
	.schedule	= rr_schedule,
};
