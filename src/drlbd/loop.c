/* The event-source registry; see loop.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "loop.h"

struct loop_entry {
	const struct loop_source *src;
	void *arg;
	int off, n;			/* its fds in the last poll */
};

/* loop_every's source: a period and the next time */
struct loop_timer {
	struct loop_source src;
	uint32_t period;
	uint64_t next;
	void (*fn)(void *arg, uint64_t now_ms);
	void *arg;
	struct loop_timer *next_timer;
};

struct loop {
	struct loop_entry *e;
	int n, cap;
	struct pollfd *pfd;
	int npfd, cappfd;		/* cappfd: the sum of maxfds */
	struct loop_timer *timers;	/* loop_every's, freed with the loop */
};

struct loop *
loop_create(void)
{
	return calloc(1, sizeof(struct loop));
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	while (l->timers != NULL) {
		struct loop_timer *t = l->timers;

		l->timers = t->next_timer;
		free(t);
	}
	free(l->e);
	free(l->pfd);
	free(l);
}

int
loop_add(struct loop *l, const struct loop_source *src, void *arg)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct loop_entry *ne = realloc(l->e, (size_t)cap * sizeof(*ne));

		if (ne == NULL)
			return -1;
		l->e = ne;
		l->cap = cap;
	}
	if (src->pollfds != NULL && src->maxfds > 0) {
		int cap = l->cappfd + src->maxfds;
		struct pollfd *np = realloc(l->pfd, (size_t)cap * sizeof(*np));

		if (np == NULL)
			return -1;
		l->pfd = np;
		l->cappfd = cap;
	}
	l->e[l->n++] = (struct loop_entry){ .src = src, .arg = arg };
	return 0;
}

static uint64_t
timer_due(void *arg)
{
	return ((struct loop_timer *)arg)->next;
}

static void
timer_tick(void *arg, uint64_t now)
{
	struct loop_timer *t = arg;

	t->next += t->period;
	if (t->next <= now)		/* we were stopped: no catch-up */
		t->next = now + t->period;
	t->fn(t->arg, now);
}

int
loop_every(struct loop *l, const char *name, uint32_t period_ms,
    uint64_t first_ms, void (*fn)(void *arg, uint64_t now_ms), void *arg)
{
	struct loop_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	t->src = (struct loop_source){ .name = name, .due = timer_due,
	    .tick = timer_tick };
	t->period = period_ms;
	t->next = first_ms;
	t->fn = fn;
	t->arg = arg;
	if (loop_add(l, &t->src, t) < 0) {
		free(t);
		return -1;
	}
	t->next_timer = l->timers;
	l->timers = t;
	return 0;
}

static uint64_t
entry_due(const struct loop_entry *e)
{
	return e->src->due != NULL ? e->src->due(e->arg) : LOOP_NEVER;
}

int
loop_wait(struct loop *l, uint64_t now, int max_ms)
{
	uint64_t first = LOOP_NEVER;
	int timeout = max_ms, ready;

	l->npfd = 0;
	for (int i = 0; i < l->n; i++) {
		struct loop_entry *e = &l->e[i];
		uint64_t t = entry_due(e);

		e->off = l->npfd;
		e->n = 0;
		if (e->src->pollfds != NULL)
			e->n = e->src->pollfds(e->arg, l->pfd + l->npfd,
			    e->src->maxfds);
		l->npfd += e->n;
		if (t < first)
			first = t;
	}
	if (first <= now)
		timeout = 0;
	else if (first - now < (uint64_t)timeout)
		timeout = (int)(first - now);
	ready = poll(l->pfd, (nfds_t)l->npfd, timeout);
	if (ready < 0) {
		if (errno != EINTR)
			fatal("poll");
		ready = 0;
	}
	return ready;
}

bool
loop_due(struct loop *l, uint64_t now)
{
	for (int i = 0; i < l->n; i++)
		if (entry_due(&l->e[i]) <= now)
			return true;
	return false;
}

void
loop_run(struct loop *l, uint64_t now)
{
	for (int i = 0; i < l->n; i++) {
		struct loop_entry *e = &l->e[i];
		int any = 0;

		for (int k = 0; k < e->n && !any; k++)
			any = l->pfd[e->off + k].revents != 0;
		if (any)
			e->src->serve(e->arg, l->pfd + e->off, e->n, now);
		if (entry_due(e) <= now)
			e->src->tick(e->arg, now);
	}
}
