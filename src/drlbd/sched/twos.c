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
 * IPVS walks the list twice per decision (the total, then the draws).
 * drlb keeps the eligible weights (usable, weight > 0; 0 otherwise) in a
 * Fenwick tree over the list positions, so the total is kept as it changes
 * and each draw is a descent to the first position whose running sum
 * reaches it, O(log n): the dest IPVS's walk stops at for the same
 * numbers.  A change of usability updates the tree, O(log n); a change of
 * the list rebuilds it, O(n).
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
	/* the index: eligible weights by list position */
	uint32_t n;		/* dests indexed: svc->ndests at the last build */
	uint32_t cap;		/* positions the arrays have room for */
	uint32_t top;		/* highest power of two <= n, 0 when n == 0 */
	struct dest **list;	/* the dests indexed, in list order */
	uint32_t *w;		/* w[i]: position i's eligible weight, or 0 */
	uint64_t *fw;		/* Fenwick tree, fw[1..n]: sums of w[] */
	uint64_t total;		/* sum of w[] */
	/*
	 * A rebuild could not get memory: nothing is indexed (n == 0) and
	 * decisions walk the list as IPVS, O(n), until a later rebuild
	 * succeeds.
	 */
	bool degraded;
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

/* What d puts in the draw: its weight if IPVS's walk counts it. */
static inline uint32_t
twos_weight(const struct dest *d)
{
	return dest_usable(d) && d->conf.weight > 0 ?
	    (uint32_t)d->conf.weight : 0;
}

/* Forget every dest indexed so far (their sched_data goes back to NULL). */
static void
twos_forget(struct twos_state *st)
{
	for (uint32_t i = 0; i < st->n; i++)
		st->list[i]->sched_data = NULL;
	st->n = 0;
	st->top = 0;
	st->total = 0;
}

static int
twos_build(struct svc *svc, struct twos_state *st)
{
	uint32_t n = svc->ndests, i, j;

	twos_forget(st);
	if (n > st->cap) {
		struct dest **list;
		uint32_t *w;
		uint64_t *fw;

		if ((list = realloc(st->list, n * sizeof(*list))) == NULL)
			goto out_degraded;
		st->list = list;
		if ((w = realloc(st->w, n * sizeof(*w))) == NULL)
			goto out_degraded;
		st->w = w;
		if ((fw = realloc(st->fw, (n + 1) * sizeof(*fw))) == NULL)
			goto out_degraded;
		st->fw = fw;
		st->cap = n;
	}
	st->degraded = false;
	st->n = n;
	for (i = 0; i < n; i++) {
		struct dest *d = svc->dests[i];

		st->list[i] = d;
		d->sched_data = (void *)(uintptr_t)(i + 1);
		st->w[i] = twos_weight(d);
		st->total += st->w[i];
		st->fw[i + 1] = st->w[i];
	}
	/* each node adds itself into its parent: O(n) */
	for (i = 1; i <= n; i++)
		if ((j = i + (i & -i)) <= n)
			st->fw[j] += st->fw[i];
	for (st->top = 1; st->top <= n / 2; st->top <<= 1)
		;
	if (n == 0)
		st->top = 0;
	return 0;

out_degraded:
	st->degraded = true;
	return -1;
}

/*
 * The list position at which IPVS's walk stops for a drawn r in
 * [0, total]: the first position whose running sum of weights reaches r.
 * r = 0 stops at the first eligible dest, as r = 1 does: only eligible
 * dests raise the sum, so the first position reaching r >= 1 is eligible.
 */
static uint32_t
twos_find(const struct twos_state *st, uint64_t r)
{
	uint32_t pos = 0;

	if (r == 0)
		r = 1;
	for (uint32_t step = st->top; step != 0; step >>= 1)
		if (pos + step <= st->n && st->fw[pos + step] < r) {
			pos += step;
			r -= st->fw[pos];
		}
	return pos;		/* sum(w[0..pos - 1]) < r <= sum(w[0..pos]) */
}

static int
twos_init_svc(struct svc *svc)
{
	struct twos_state *st;
	uint64_t seed;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	if (twos_build(svc, st) != 0) {
		free(st->list);
		free(st->w);
		free(st->fw);
		free(st);
		return -1;
	}
	seed = twos_seed_random();
	st->x = seed != 0 ? seed : TWOS_SEED_ZERO;
	svc->sched_data = st;
	return 0;
}

static void
twos_done_svc(struct svc *svc)
{
	struct twos_state *st = svc->sched_data;

	if (st != NULL) {
		twos_forget(st);
		free(st->list);
		free(st->w);
		free(st->fw);
		free(st);
	}
	svc->sched_data = NULL;
}

static void
twos_dest_changed(struct svc *svc)
{
	/* on failure the index stays degraded until the next change */
	(void)twos_build(svc, svc->sched_data);
}

static void
twos_dest_load_changed(struct svc *svc, struct dest *d)
{
	struct twos_state *st = svc->sched_data;
	uintptr_t p = (uintptr_t)d->sched_data;
	uint64_t delta;
	uint32_t w, i;

	/* not indexed: removed (in the trash), or the index is degraded */
	if (p == 0 || p > st->n || st->list[p - 1] != d)
		return;
	w = twos_weight(d);
	if (w == st->w[p - 1])
		return;			/* a count changed, not usability */
	/* the difference, modulo 2^64: the sums come out exact */
	delta = (uint64_t)w - st->w[p - 1];
	st->w[p - 1] = w;
	st->total += delta;
	for (i = (uint32_t)p; i <= st->n; i += i & -i)
		st->fw[i] += delta;
}

/* ip_vs_twos_schedule, line for line: the index's fallback */
static struct dest *
twos_schedule_walk(struct svc *svc)
{
	struct dest *d, *choice1 = NULL, *choice2 = NULL;
	int64_t rweight1, rweight2, weight1 = -1, weight2 = -1;
	uint64_t total = 0, overhead1 = 0, overhead2 = 0;
	uint32_t i;

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

static struct dest *
twos_schedule(struct svc *svc, const struct conn_key *key)
{
	struct twos_state *st = svc->sched_data;
	struct dest *choice1, *choice2;
	uint64_t total, r1, r2;

	(void)key;
	if (st->degraded)
		return twos_schedule_walk(svc);
	if (st->total == 0)
		return NULL;
	/* inclusive of total, as IPVS; drawn in this order */
	total = st->total + 1;
	r1 = twos_rand32(st) % total;
	r2 = twos_rand32(st) % total;
	choice1 = st->list[twos_find(st, r1)];
	choice2 = st->list[twos_find(st, r2)];
	if ((uint64_t)choice2->conf.weight * dest_conn_overhead(choice1) >
	    (uint64_t)choice1->conf.weight * dest_conn_overhead(choice2))
		return choice2;
	return choice1;
}

const struct sched_ops sched_twos = {
	.name			= "twos",
	.init_svc		= twos_init_svc,
	.done_svc		= twos_done_svc,
	.dest_changed		= twos_dest_changed,
	.schedule		= twos_schedule,
	.dest_load_changed	= twos_dest_load_changed,
};
