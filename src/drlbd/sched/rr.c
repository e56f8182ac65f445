/*
 * Round-Robin (IPVS ip_vs_rr.c): the next usable dest of weight > 0 after
 * the last pick, wrapping at the end of the list, at most one full lap.
 *
 * IPVS keeps a pointer to the last pick's list node; we keep the dest
 * itself (so a dest added at the head does not move the cursor) and a hint
 * of its position, checked before use, so that a pick costs O(1) unless the
 * list changed.  When the last pick is removed the mark moves to its
 * predecessor (the head if it was first), so the lap goes on with its
 * successor, as ip_vs_rr_del_dest.
 */
#include <stdlib.h>

#include "../sched.h"

struct rr_mark {
	struct dest *last;		/* NULL: the list head */
	uint32_t pos;			/* where last was, a hint */
};

static int
rr_init_svc(struct svc *svc)
{
	if ((svc->sched_data = calloc(1, sizeof(struct rr_mark))) == NULL)
		return -1;
	return 0;
}

static void
rr_done_svc(struct svc *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

/* Where is m->last now?  -1: gone (or none). */
static int64_t
rr_find(const struct svc *svc, struct rr_mark *m)
{
	if (m->last == NULL)
		return -1;
	if (m->pos < svc->ndests && svc->dests[m->pos] == m->last)
		return m->pos;
	for (uint32_t i = 0; i < svc->ndests; i++)
		if (svc->dests[i] == m->last) {
			m->pos = i;
			return i;
		}
	m->last = NULL;
	return -1;
}

/*
 * ip_vs_rr_del_dest: IPVS has already unlinked d, so the mark, if it is d,
 * becomes d's old predecessor (p->next->prev), the list head when d was
 * first: the next pick is d's successor, not the head.
 */
static void
rr_del_dest(struct svc *svc, struct dest *d, uint32_t at)
{
	struct rr_mark *m = svc->sched_data;

	if (m->last != d)
		return;
	if (at == 0) {
		m->last = NULL;
		return;
	}
	m->last = svc->dests[at - 1];
	m->pos = at - 1;
}

static void
rr_dest_changed(struct svc *svc)
{
	rr_find(svc, svc->sched_data);
}

static struct dest *
rr_schedule(struct svc *svc, const struct conn_key *key)
{
	struct rr_mark *m = svc->sched_data;
	uint32_t n = svc->ndests, start;
	int64_t at = rr_find(svc, m);

	(void)key;
	start = at < 0 ? 0 : (uint32_t)at + 1;
	/* one lap: from after the last pick to (and including) it */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (start + k) % n;
		struct dest *d = svc->dests[i];

		if (dest_usable(d) && d->conf.weight > 0) {
			m->last = d;
			m->pos = i;
			return d;
		}
	}
	return NULL;
}

const struct sched_ops sched_rr = {
	.name		= "rr",
	.init_svc	= rr_init_svc,
	.done_svc	= rr_done_svc,
	.dest_changed	= rr_dest_changed,
	.del_dest	= rr_del_dest,
	.schedule	= rr_schedule,
};
