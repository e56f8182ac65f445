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
 */
#include "../sched.h"

static struct dest *
ovf_schedule(struct svc *svc, const struct conn_key *key)
{
	struct dest *d, *h = NULL;
	int32_t hw = 0, w;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->ndests; i++) {
		d = svc->dests[i];
		w = d->conf.weight;
		/* weight is 0..65535, so the comparison is exact in 64 bits */
		if (!dest_usable(d) || (int64_t)d->activeconns > w || w == 0)
			continue;
		if (h == NULL || w > hw) {
			h = d;
			hw = w;
		}
	}
	return h;
}

const struct sched_ops sched_ovf = {
	.name		= "ovf",
	.schedule	= ovf_schedule,
};
