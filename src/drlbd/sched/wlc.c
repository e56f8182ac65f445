/*
 * Weighted Least-Connection (IPVS ip_vs_wlc.c).
 *
 * Pick the usable dest with the least overhead / weight, where overhead =
 * (activeconns << 8) + inactconns: an active connection weighs 256
 * inactive ones.  Ratios are compared by cross-multiplying,
 * loh * w(d) > doh * w(least), never by dividing.  Bounds: overhead <
 * 2^32 * 256 + 2^32 < 2^41 and weights <= 65535 (svc.c), so each product
 * is below 2^57 in 64 bits.
 *
 * The least starts at the first usable dest with weight > 0 in list order
 * (newest first), and only a strictly better one replaces it: ties go to
 * the newer dest.  Weight 0 never wins (0 * ... > ... is never true).
 */
#include "../sched.h"

static inline uint64_t
wlc_overhead(const struct dest *d)
{
	return ((uint64_t)d->activeconns << 8) + d->inactconns;
}

static struct dest *
wlc_schedule(struct svc *svc, const struct conn_key *key)
{
	struct dest *d, *least = NULL;
	uint64_t loh = 0, doh;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->ndests; i++) {
		d = svc->dests[i];
		if (dest_usable(d) && d->conf.weight > 0) {
			least = d;
			loh = wlc_overhead(least);
			break;
		}
	}
	if (least == NULL)
		return NULL;
	for (i++; i < svc->ndests; i++) {
		d = svc->dests[i];
		if (!dest_usable(d))
			continue;
		doh = wlc_overhead(d);
		if (loh * (uint64_t)d->conf.weight >
		    doh * (uint64_t)least->conf.weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

const struct sched_ops sched_wlc = {
	.name		= "wlc",
	.schedule	= wlc_schedule,
};
