/*
 * Workers' sets of tables (see conn.h): one connection table per worker
 * and the template table they share.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "conn_int.h"
#include "fanout.h"

_Static_assert(CONN_SET_MAX == FANOUT_MAX, "one table per worker");

struct conn_table *
conn_templates(struct conn_table *t)
{
	return t->tt;
}

void
conn_table_set_lock(struct conn_table *t, pthread_mutex_t *lock)
{
	t->lock = lock;
}

int
conn_set_create(struct conn_set *cs, unsigned n, uint32_t max_conns)
{
	uint32_t each;

	memset(cs, 0, sizeof(*cs));
	if (n == 0 || n > FANOUT_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* the bound is shared out: each worker sees 1/n of the clients */
	each = n == 1 ? max_conns : max_conns / n;
	if (each < 16)
		each = 16;
	for (unsigned i = 0; i < n; i++) {
		if ((cs->w[i] = conn_table_create(each)) == NULL) {
			conn_set_destroy(cs);
			return -1;
		}
		cs->n = i + 1;
	}
	cs->tmpl = cs->w[0];
	if (n > 1) {
		/* templates: one table all workers share (under the lock), so
		 * a client group (-M) sticks together whichever worker sees
		 * each of its clients */
		uint32_t tn = max_conns / 4 < 16 ? 16 : max_conns / 4;

		if ((cs->tmpl = conn_table_create(tn)) == NULL) {
			conn_set_destroy(cs);
			return -1;
		}
		for (unsigned i = 0; i < n; i++)
			cs->w[i]->tt = cs->tmpl;
	}
	return 0;
}

void
conn_set_single(struct conn_set *cs, struct conn_table *t)
{
	memset(cs, 0, sizeof(*cs));
	cs->n = 1;
	cs->w[0] = cs->tmpl = t;
}

void
conn_set_destroy(struct conn_set *cs)
{
	if (cs->tmpl != NULL && (cs->n == 0 || cs->tmpl != cs->w[0]))
		conn_table_destroy(cs->tmpl);
	for (unsigned i = 0; i < cs->n; i++)
		conn_table_destroy(cs->w[i]);
	memset(cs, 0, sizeof(*cs));
}

/* the tables of the set, each once: workers', then the template table */
static unsigned
set_tables(const struct conn_set *cs, struct conn_table **v)
{
	unsigned k = 0;

	for (unsigned i = 0; i < cs->n; i++)
		v[k++] = cs->w[i];
	if (cs->tmpl != NULL && cs->tmpl != cs->w[0])
		v[k++] = cs->tmpl;
	return k;
}

struct conn_table *
conn_set_table(const struct conn_set *cs, const struct conn_key *k)
{
	if (k->af & CONN_KEY_TEMPLATE)
		return cs->tmpl;
	return cs->w[fanout_worker(k->af, &k->caddr, cs->n)];
}

struct conn_table *
conn_set_owner(const struct conn_set *cs, const struct conn *c)
{
	struct conn_table *v[FANOUT_MAX + 1];
	unsigned k = set_tables(cs, v);

	for (unsigned i = 0; i < k; i++)
		if (c >= v[i]->conns && c < v[i]->conns + v[i]->max)
			return v[i];
	return NULL;
}

/* entries in use (or the bound, with max) over every table of the set */
static uint32_t
set_sum(const struct conn_set *cs, bool max)
{
	struct conn_table *v[FANOUT_MAX + 1];
	unsigned k = set_tables(cs, v);
	uint32_t n = 0;

	for (unsigned i = 0; i < k; i++)
		n += max ? v[i]->max : v[i]->count;
	return n;
}

uint32_t
conn_set_count(const struct conn_set *cs)
{
	return set_sum(cs, false);
}

uint32_t
conn_set_max(const struct conn_set *cs)
{
	return set_sum(cs, true);
}

uint64_t
conn_set_reclaimed(const struct conn_set *cs)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < cs->n; i++)
		n += cs->w[i]->reclaimed;
	return n;
}

int
conn_set_walk(const struct conn_set *cs, int (*fn)(struct conn *c, void *arg),
    void *arg)
{
	struct conn_table *v[FANOUT_MAX + 1];
	unsigned k = set_tables(cs, v);
	int r;

	for (unsigned i = 0; i < k; i++)
		if ((r = conn_walk(v[i], fn, arg)) != 0)
			return r;
	return 0;
}

void
conn_set_timeouts_all(const struct conn_set *cs, const struct drlb_timeouts *tm)
{
	struct conn_table *v[FANOUT_MAX + 1];
	unsigned k = set_tables(cs, v);

	for (unsigned i = 0; i < k; i++)
		conn_set_timeouts(v[i], tm);
}

void
conn_set_flush(const struct conn_set *cs, struct svc_table *st)
{
	/* every worker's connections, then the templates they held */
	for (unsigned i = 0; i < cs->n; i++)
		conn_flush(cs->w[i], st);
	if (cs->tmpl != NULL && cs->tmpl != cs->w[0])
		conn_flush(cs->tmpl, st);
}

void
conn_set_hooks(const struct conn_set *cs, struct svc_table *st,
    void (*fn)(void *arg, const struct conn *c), void *arg,
    pthread_mutex_t *lock)
{
	struct conn_table *v[FANOUT_MAX + 1];
	unsigned k = set_tables(cs, v);

	for (unsigned i = 0; i < k; i++) {
		conn_set_expire_hook(v[i], fn, arg);
		conn_table_bind(v[i], st);
		v[i]->lock = lock;
	}
	/* the template table is only touched under the lock already */
	if (cs->tmpl != NULL && cs->tmpl != cs->w[0])
		cs->tmpl->lock = NULL;
}
