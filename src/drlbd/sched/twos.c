/*
 * Weighted Power of Two Choices (IPVS ip_vs_twos.c).
 *
 * Two dests are drawn at random, each with probability by weight, and the
 * less loaded of the two wins, load being overhead / weight with overhead
 * = (activeconns << 8) + totalconns as in wlc (dest_conn_overhead).  Step
 * by step as IPVS:
 *
 *   total = sum of the weights of the usable dests with weight > 0
 *   r1, r2 = rand32() % (total + 1), drawn in this order
 *   walk those dests in list order (newest first) subtracting each weight
 *   from r1 and r2; choice1 (choice2) is the first dest where r1 (r2)
 *   drops to <= 0
 *   choice2 replaces choice1 only if w2 * oh1 > w1 * oh2
 *
 * The "+ 1" is IPVS's: the random values are inclusive of total, so the
 * first dest in the list gets w + 1 of the total + 1 values, the others w.
 * Ties (equal load) keep choice1.
 *
 * IPVS uses the kernel's prandom; drlb keeps an xorshift64* generator per
 * service, seeded from getrandom() (see twos.h for the test hook).
 *
 * Bounds: overhead < 2^32 * 257 + 2^32 < 2^41 and weights <= 65535, so the
 * cross products stay below 2^57 in 64 bits (IPVS multiplies in int and
 * would overflow long before).  total < 2^32 * 65535 fits in 64 bits.
 */
#include <stdlib.h>
#include <time.h>
#include <sys/random.h>

#include "../sched.h"
#include "twos.h"

#define TWOS_SEED_ZERO	0x9e3779b97f4a7c15ull	/* used for a zero seed */

struct twos_state {
	uint64_t x;		/* xorshift64* state, never 0 */
};

/* xorshift64* (Vigna 2014); its high 32 bits are the good ones */
static uint32_t
twos_rand32(struct twos_state *st)
{
	uint64_t x = st->x;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	st->x = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

static uint64_t
twos_seed_random(void)
{
	uint64_t seed = 0;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed) &&
	    seed != 0)
		return seed;
	/* no entropy yet (early boot) or no getrandom: the choice only
	 * needs to differ between runs, not to be secret */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    (uint64_t)(uintptr_t)&seed;
}

int
sched_twos_seed(struct svc *svc, uint64_t seed)
{
	struct twos_state *st;

	if (svc->sched != &sched_twos || (st = svc->sched_data) == NULL)
		return -1;
	st->x = seed != 0 ? seed : TWOS_SEED_ZERO;
	return 0;
}

static int
twos_init_svc(struct svc *svc)
{
	struct twos_state *st;
	uint64_t seed;

	if ((st = malloc(sizeof(*st))) == NULL)
		return -1;
	seed = twos_seed_random();
	st->x = seed != 0 ? seed : TWOS_SEED_ZERO;
	svc->sched_data = st;
	return 0;
}

static void
twos_done_svc(struct svc *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static struct dest *
twos_schedule(struct svc *svc, const struct conn_key *key)
{
	struct dest *d, *choice1 = NULL, *choice2 = NULL;
	int64_t rweight1, rweight2, weight1 = -1, weight2 = -1;
	uint64_t total = 0, overhead1 = 0, overhead2 = 0;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->ndests; i++) {
		d = svc->dests[i];
		if (dest_usable(d) && d->conf.weight > 0) {
			total += (uint64_t)d->conf.weight;
			choice1 = d;
		}
	}
	if (choice1 == NULL)
		return NULL;

	/* inclusive of total, as IPVS */
	total += 1;
	rweight1 = (int64_t)(twos_rand32(svc->sched_data) % total);
	rweight2 = (int64_t)(twos_rand32(svc->sched_data) % total);

	for (i = 0; i < svc->ndests; i++) {
		d = svc->dests[i];
		if (!dest_usable(d) || d->conf.weight <= 0)
			continue;
		rweight1 -= d->conf.weight;
		rweight2 -= d->conf.weight;
		if (rweight1 <= 0 && weight1 == -1) {
			choice1 = d;
			weight1 = d->conf.weight;
			overhead1 = dest_conn_overhead(d);
		}
		if (rweight2 <= 0 && weight2 == -1) {
			choice2 = d;
			weight2 = d->conf.weight;
			overhead2 = dest_conn_overhead(d);
		}
		if (weight1 != -1 && weight2 != -1)
			break;
	}

	if (choice2 != NULL &&
	    (uint64_t)weight2 * overhead1 > (uint64_t)weight1 * overhead2)
		choice1 = choice2;
	return choice1;
}

const struct sched_ops sched_twos = {
	.name		= "twos",
	.init_svc	= twos_init_svc,
	.done_svc	= twos_done_svc,
	.schedule	= twos_schedule,
};
