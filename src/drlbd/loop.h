/*
 * The main thread's event loop: a registry of event sources (Redis's ae,
 * in its simplest form) instead of a poll array indexed by hand.
 *
 * A source brings file descriptors to poll (pollfds, then serve with what
 * poll said, in the same order), a time at which it wants to run (due,
 * then tick), or both.  Each wake the loop polls every source's fds at
 * once, with a timeout up to the earliest due time; the caller then
 * serves the sources in the order they were added.  The loop knows
 * nothing of what the sources are.
 */
#ifndef DRLBD_LOOP_H
#define DRLBD_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#define LOOP_NEVER	UINT64_MAX

struct loop_source {
	const char *name;
	int maxfds;			/* at most this many fds from pollfds */
	/* fill pfd (at most max), return how many; NULL: no fds */
	int (*pollfds)(void *arg, struct pollfd *pfd, int max);
	/* what poll said about them (n as pollfds returned) */
	void (*serve)(void *arg, const struct pollfd *pfd, int n,
	    uint64_t now_ms);
	/* when tick wants to run (ms of clock_ms; LOOP_NEVER); NULL: never */
	uint64_t (*due)(void *arg);
	void (*tick)(void *arg, uint64_t now_ms);
};

struct loop;

struct loop *loop_create(void);
void loop_free(struct loop *l);
/* Register src (not copied: it must outlive the loop) with its arg;
 * 0 or -1 (out of memory). */
int loop_add(struct loop *l, const struct loop_source *src, void *arg);
/* A source that ticks every period_ms, first at first_ms; a late tick is
 * not caught up. */
int loop_every(struct loop *l, const char *name, uint32_t period_ms,
    uint64_t first_ms, void (*fn)(void *arg, uint64_t now_ms), void *arg);

/* Poll every source's fds until one is ready or a source is due (never
 * longer than max_ms); returns how many fds are ready. */
int loop_wait(struct loop *l, uint64_t now_ms, int max_ms);
/* Is some source due at now_ms? */
bool loop_due(struct loop *l, uint64_t now_ms);
/* Serve the sources with ready fds and tick the due ones, in the order
 * they were added. */
void loop_run(struct loop *l, uint64_t now_ms);

#endif
