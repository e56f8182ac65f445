/*
 * Weighted Fail Over (IPVS ip_vs_fo.c): every new connection goes to the
 * usable dest with the highest weight.  Only a strictly higher weight
 * replaces the current pick, so on a tie the first in list order wins
 * (the newest dest, since IPVS adds at the head).  Weight 0 never wins.
 * Load is not looked at: the backup takes over only when the primary's
 * weight drops below it, or the primary is overloaded (-x) or unreachable.
 */
#include "../sched.h"

static struct dest *
fo_schedule(struct svc *svc, const struct conn_key *key)
{
	struct dest *d, *hweight = NULL;
	int32_t hw = 0;			/* highest weight so far */
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->ndests; i++) {
		d = svc->dests[i];
		if (dest_usable(d) && d->conf.weight > hw) {
			hweight = d;
			hw = d->conf.weight;
		}
	}
	return hweight;
}

const struct sched_ops sched_fo = {
	.name		= "fo",
	.schedule	= fo_schedule,
};
