/*
 * Weighted Round-Robin (IPVS ip_vs_wrr.c), step for step.
 *
 *   mw: the maximum weight, reduced by (di - 1) so the last pass is cw = 1
 *   di: the gcd of the positive weights (the step)
 *   cw: the weight a dest needs in the current pass
 *   cl: where the last pick was; -1 is the list head
 *
 * Each pick continues the scan after cl for a usable dest with weight >=
 * cw; at the end of the list cw drops by di (back to mw once it reaches 0)
 * and the scan starts again from the head.  The list is svc->dests, newest
 * dest first as in IPVS, so weights 4,3,2 added as A,B,C (list C,B,A) give
 * A B A C B A C B A.  Any dest change resets cl to the head and keeps cw
 * where it can (ip_vs_wrr_dest_changed).
 */
#include <stdlib.h>

#include "../sched.h"

#define WRR_HEAD	(-1)
#define WRR_NOSTOP	(-2)

struct wrr_mark {
	int cl;		/* index of the current dest, WRR_HEAD */
	int cw;		/* current weight */
	int mw;		/* maximum weight, - (di - 1) */
	int di;		/* decreasing interval */
};

static int
gcd(int a, int b)
{
	while (b != 0) {
		int r = a % b;
		a = b;
		b = r;
	}
	return a;
}

static int
wrr_gcd_weight(const struct svc *svc)
{
	int g = 0;
	uint32_t i;

	for (i = 0; i < svc->ndests; i++) {
		int w = svc->dests[i]->conf.weight;
		if (w > 0)
			g = g > 0 ? gcd(w, g) : w;
	}
	return g ? g : 1;
}

static int
wrr_max_weight(const struct svc *svc)
{
	int mw = 0;
	uint32_t i;

	for (i = 0; i < svc->ndests; i++)
		if (svc->dests[i]->conf.weight > mw)
			mw = svc->dests[i]->conf.weight;
	return mw;
}

static int
wrr_init_svc(struct svc *svc)
{
	struct wrr_mark *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		return -1;
	m->cl = WRR_HEAD;
	m->di = wrr_gcd_weight(svc);
	m->mw = wrr_max_weight(svc) - (m->di - 1);
	m->cw = m->mw;
	svc->sched_data = m;
	return 0;
}

static void
wrr_done_svc(struct svc *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static void
wrr_dest_changed(struct svc *svc)
{
	struct wrr_mark *m = svc->sched_data;

	m->cl = WRR_HEAD;
	m->di = wrr_gcd_weight(svc);
	m->mw = wrr_max_weight(svc) - (m->di - 1);
	if (m->cw > m->mw || !m->cw)
		m->cw = m->mw;
	else if (m->di > 1)
		m->cw = (m->cw / m->di) * m->di + 1;
}

static struct dest *
wrr_schedule(struct svc *svc, const struct conn_key *key)
{
	struct wrr_mark *m = svc->sched_data;
	int n = (int)svc->ndests, i = m->cl, last, stop = WRR_NOSTOP;
	bool last_pass = false, restarted = false;
	struct dest *d;

	(void)key;
	if (m->mw == 0)
		return NULL;		/* no dest, or all of weight 0 */
	last = i;
	/* Stop only after all dests were checked for weight >= 1 (last pass) */
	for (;;) {
		for (i++; i < n; i++) {
			d = svc->dests[i];
			if (dest_usable(d) && d->conf.weight >= m->cw)
				goto found;
			if (i == stop)
				goto over;
		}
		i = WRR_HEAD;		/* wrapped to the list head */
		m->cw -= m->di;
		if (m->cw <= 0) {
			m->cw = m->mw;
			/* Stop if we tried the last pass from the first dest:
			 * 1. last_pass: we started checks when cw > di but
			 *    then all dests were checked for w >= 1
			 * 2. last was head: the first and only traversal was
			 *    for weight >= 1, for all dests. */
			if (last_pass || last == WRR_HEAD)
				goto over;
			restarted = true;
		}
		last_pass = m->cw <= m->di;
		if (last_pass && restarted && last != WRR_HEAD) {
			/* First traversal was for w >= 1 but only for dests
			 * after 'last', now do the same for all dests up to
			 * 'last'. */
			stop = last;
		}
	}
found:
	m->cl = i;
	return d;
over:
	m->cl = i;
	return NULL;
}

const struct sched_ops sched_wrr = {
	.name		= "wrr",
	.init_svc	= wrr_init_svc,
	.done_svc	= wrr_done_svc,
	.dest_changed	= wrr_dest_changed,
	.schedule	= wrr_schedule,
};
