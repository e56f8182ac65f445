/*
 * Rate estimator: IPVS's ip_vs_est.c, see est.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "est.h"
#include "svc.h"

/* IPVS's (s64)x >> 2 is an arithmetic shift, floor(x / 4); spelled out so
 * it does not rest on implementation-defined behaviour. */
static int64_t
asr2(int64_t x)
{
	return x >= 0 ? x >> 2 : -((-x + 3) >> 2);
}

static uint64_t
ewma(uint64_t avg, uint64_t rate)
{
	return avg + (uint64_t)asr2((int64_t)rate - (int64_t)avg);
}

void
est_update(struct est_state *e, const struct drlb_stats *now)
{
	/* scaled by 2^10, but divided 2 seconds */
	e->cps = ewma(e->cps, (now->conns - e->last_conns) << 9);
	e->inpps = ewma(e->inpps, (now->inpkts - e->last_inpkts) << 9);
	e->outpps = ewma(e->outpps, (now->outpkts - e->last_outpkts) << 9);
	/* scaled by 2^5, but divided 2 seconds */
	e->inbps = ewma(e->inbps, (now->inbytes - e->last_inbytes) << 4);
	e->outbps = ewma(e->outbps, (now->outbytes - e->last_outbytes) << 4);
	e->last_conns = now->conns;
	e->last_inpkts = now->inpkts;
	e->last_outpkts = now->outpkts;
	e->last_inbytes = now->inbytes;
	e->last_outbytes = now->outbytes;
}

void
est_read(const struct est_state *e, struct drlb_rates *r)
{
	r->cps = (e->cps + 0x1FF) >> 10;
	r->inpps = (e->inpps + 0x1FF) >> 10;
	r->outpps = (e->outpps + 0x1FF) >> 10;
	r->inbps = (e->inbps + 0xF) >> 5;
	r->outbps = (e->outbps + 0xF) >> 5;
}

void
est_reset(struct est_state *e, const struct drlb_stats *now)
{
	memset(e, 0, sizeof(*e));
	e->last_conns = now->conns;
	e->last_inpkts = now->inpkts;
	e->last_outpkts = now->outpkts;
	e->last_inbytes = now->inbytes;
	e->last_outbytes = now->outbytes;
}

/* ------------------------------------------------------------ the table */

/*
 * Open addressing with linear probing, keyed by the object's address; at
 * most half full.  `gen` marks the objects seen by the latest walk, the
 * others are swept.
 */
struct est_slot {
	const void *key;		/* NULL: free */
	uint32_t gen;
	struct est_state st;
};

struct est {
	struct est_slot *slot;
	uint32_t cap;			/* power of two */
	uint32_t n;
	uint32_t gen;
};

#define EST_CAP_MIN 64

static uint32_t
home(const struct est *e, const void *key)
{
	/* Fibonacci hashing of the address */
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & (e->cap - 1);
}

static struct est_slot *
lookup(struct est *e, const void *key)
{
	uint32_t i = home(e, key);

	for (uint32_t k = 0; k < e->cap; k++, i = (i + 1) & (e->cap - 1)) {
		if (e->slot[i].key == key)
			return &e->slot[i];
		if (e->slot[i].key == NULL)
			return NULL;
	}
	return NULL;
}

/* Put a slot's content into a table known to have room. */
static struct est_slot *
place(struct est *e, const struct est_slot *s)
{
	uint32_t i = home(e, s->key);

	while (e->slot[i].key != NULL)
		i = (i + 1) & (e->cap - 1);	/* ends: never full */
	e->slot[i] = *s;
	e->n++;
	return &e->slot[i];
}

/* Move to a table of cap slots, keeping those marked with gen (all when
 * all is set). */
static int
rebuild(struct est *e, uint32_t cap, int all)
{
	struct est_slot *old = e->slot;
	uint32_t ocap = e->cap;

	if ((e->slot = calloc(cap, sizeof(*e->slot))) == NULL) {
		e->slot = old;
		errno = ENOMEM;
		return -1;
	}
	e->cap = cap;
	e->n = 0;
	for (uint32_t i = 0; i < ocap; i++)
		if (old[i].key != NULL && (all || old[i].gen == e->gen))
			place(e, &old[i]);
	free(old);
	return 0;
}

static struct est_slot *
find_or_add(struct est *e, const void *key)
{
	struct est_slot *s = lookup(e, key), ns;

	if (s != NULL)
		return s;
	if ((e->n + 1) * 2 > e->cap && rebuild(e, e->cap * 2, 1) < 0)
		return NULL;
	memset(&ns, 0, sizeof(ns));	/* IPVS: a zeroed estimator */
	ns.key = key;
	return place(e, &ns);
}

struct est *
est_create(void)
{
	struct est *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cap = EST_CAP_MIN;
	if ((e->slot = calloc(e->cap, sizeof(*e->slot))) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
est_free(struct est *e)
{
	if (e == NULL)
		return;
	free(e->slot);
	free(e);
}

uint32_t
est_count(const struct est *e)
{
	return e->n;
}

void
est_forget(struct est *e, const void *obj)
{
	struct est_slot *s = lookup(e, obj);
	uint32_t i, j, mask = e->cap - 1;

	if (s == NULL)
		return;
	/* backward-shift deletion: no tombstones */
	i = (uint32_t)(s - e->slot);
	j = i;
	for (uint32_t k = 0; k < e->cap; k++) {
		uint32_t h;

		j = (j + 1) & mask;
		if (e->slot[j].key == NULL)
			break;
		h = home(e, e->slot[j].key);
		/* slot j may move to i unless its home lies cyclically in (i, j] */
		if ((i < j) ? (h <= i || h > j) : (h <= i && h > j)) {
			e->slot[i] = e->slot[j];
			i = j;
		}
	}
	e->slot[i].key = NULL;
	e->n--;
}

/* Visit every estimated object: update (tick) or only mark (prune). */
static int
walk(struct est *e, struct svc_table *t, int update)
{
	struct est_slot *es;
	int rc = 0;

#define VISIT(obj) do {							\
	if (update)							\
		es = find_or_add(e, (obj));				\
	else								\
		es = lookup(e, (obj));					\
	if (es == NULL) {						\
		if (update)						\
			rc = -1;					\
		break;							\
	}								\
	es->gen = e->gen;						\
	if (update) {							\
		est_update(&es->st, &(obj)->stats);			\
		est_read(&es->st, &(obj)->rates);			\
	}								\
} while (0)

	e->gen++;
	for (struct svc *s = t->head; s != NULL; s = s->next) {
		VISIT(s);
		for (uint32_t i = 0; i < s->ndests; i++)
			VISIT(s->dests[i]);
	}
	/* removed real servers still carrying connections count on */
	for (struct dest *d = t->trash; d != NULL; d = d->trash_next)
		VISIT(d);
#undef VISIT
	return rc;
}

/* Forget what the latest walk did not see. */
static int
sweep(struct est *e)
{
	uint32_t seen = 0, cap = e->cap;

	for (uint32_t i = 0; i < e->cap; i++)
		if (e->slot[i].key != NULL && e->slot[i].gen == e->gen)
			seen++;
	if (seen == e->n)
		return 0;
	while (cap > EST_CAP_MIN && seen * 8 < cap)
		cap /= 2;
	return rebuild(e, cap, 0);
}

int
est_tick(struct est *e, struct svc_table *t)
{
	int rc = walk(e, t, 1);

	if (sweep(e) < 0)
		rc = -1;
	return rc;
}

int
est_prune(struct est *e, struct svc_table *t)
{
	walk(e, t, 0);
	return sweep(e);
}

static void
zero_one(struct est *e, const void *key, const struct drlb_stats *st,
    struct drlb_rates *r)
{
	struct est_slot *s = find_or_add(e, key);

	if (s != NULL)
		est_reset(&s->st, st);
	memset(r, 0, sizeof(*r));
}

void
est_zero(struct est *e, struct svc_table *t, struct svc *only)
{
	for (struct svc *s = t->head; s != NULL; s = s->next) {
		if (only != NULL && s != only)
			continue;
		zero_one(e, s, &s->stats, &s->rates);
		for (uint32_t i = 0; i < s->ndests; i++)
			zero_one(e, s->dests[i], &s->dests[i]->stats,
			    &s->dests[i]->rates);
	}
}
