/*
 * Worker threads (see worker.h).  Each runs, for its own socket, the loop
 * the main thread runs without workers:
 *
 *   poll its ring (and the main thread's eventfd)
 *   -> if asked, pause until resumed
 *   -> move every frame that has arrived through the data path
 *   -> once a second, expire its own connections (under the shared lock)
 *   -> at a high rate, nap so that the next wake-up finds a burst (rx_pace)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "svc.h"
#include "worker.h"

#define W_BURST		64
#define W_BURSTS	16		/* then look at the knock again */
#define W_EXPIRE_BUDGET	65536		/* connections expired per second */

#define RX_PACE_WINDOW_NS	10000000u	/* the rate's window: 10 ms */
#define RX_PACE_RATE_MIN	50000u		/* frames/s: below, no nap */
#define RX_PACE_BURST		32u		/* frames a nap waits for */
#define RX_PACE_NS_PER_SLOT	500u		/* nap <= ring depth at 2 Mpps */

static int
asked(struct workers *ws)
{
	return __atomic_load_n(&ws->park, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&ws->quit, __ATOMIC_ACQUIRE);
}

/* Wait here while the main thread works on shared state. */
static void
park(struct workers *ws)
{
	pthread_mutex_lock(&ws->park_mtx);
	ws->parked++;
	pthread_cond_signal(&ws->parked_cv);
	while (ws->park && !ws->quit)
		pthread_cond_wait(&ws->park_cv, &ws->park_mtx);
	ws->parked--;
	pthread_mutex_unlock(&ws->park_mtx);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
rx_pace_init(struct rx_pace *p, uint32_t max_us, uint32_t ring_slots)
{
	uint64_t max = (uint64_t)max_us * 1000u;

	memset(p, 0, sizeof(*p));
	/* a rate that jumps mid-nap must still fit in the ring: at most its
	 * depth at 2 Mpps (240 us for the default 480 slots, 60 us for the
	 * 120 of 8 MiB) */
	if (max > (uint64_t)ring_slots * RX_PACE_NS_PER_SLOT)
		max = (uint64_t)ring_slots * RX_PACE_NS_PER_SLOT;
	p->max_ns = (uint32_t)max;
	p->win_start = now_ns();
	if (p->max_ns != 0)
		/* the default slack (50 us) would stretch every nap by up to
		 * that much: this thread's timers, nothing else */
		(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
}

void
rx_pace(struct rx_pace *p, unsigned n)
{
	uint64_t now, nap;
	struct timespec ts;

	if (p->max_ns == 0)
		return;
	now = now_ns();
	p->win_frames += n;
	if (now - p->win_start >= RX_PACE_WINDOW_NS) {
		p->rate = p->win_frames * 1000000000u / (now - p->win_start);
		p->win_start = now;
		p->win_frames = 0;
	}
	/* nothing came (a knock, or the load stopped: back to poll, so a lone
	 * frame is forwarded as it lands); a low rate (each frame's wake-up
	 * is cheap enough, and its latency is what matters); or a full burst
	 * (behind already: no sleeping) */
	if (n == 0 || p->rate < RX_PACE_RATE_MIN || n >= 2 * RX_PACE_BURST)
		return;
	nap = (uint64_t)RX_PACE_BURST * 1000000000u / p->rate;
	if (nap > p->max_ns)
		nap = p->max_ns;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)nap;
	/* an interrupted nap is only shorter: no retry */
	(void)clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

unsigned
worker_forward(struct dp *dp, const struct io_ops *ops, struct io_set *ios,
    unsigned link, struct workers *ws)
{
	struct io *rx = ios->io[link];
	struct dp_frame f[W_BURST];
	unsigned total = 0;

	for (int b = 0; b < W_BURSTS && (ws == NULL || !asked(ws)); b++) {
		unsigned n = ops->rx_burst(rx, f, W_BURST), other = 0;

		total += n;
		for (unsigned i = 0; i < n; i++) {
			f[i].link = (uint8_t)link;
			if (dp_process(dp, &f[i]) != DP_FORWARD)
				continue;
			ops->tx_queue(ios->io[f[i].out], &f[i]);
			other |= f[i].out != link ? 1u << f[i].out : 0;
		}
		/* frames queued on another link's socket point into this
		 * burst: out before it goes back to the kernel */
		for (unsigned l = 0; other != 0 && l < ios->n; l++)
			if (other & (1u << l))
				ops->tx_flush(ios->io[l]);
		ops->rx_done(rx);
		if (n < W_BURST)
			break;
	}
	return total;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct workers *ws = w->ws;
	struct pollfd pfd[DP_LINKS_MAX + 1];
	unsigned nl = w->ios.n;

	for (unsigned l = 0; l < nl; l++)
		pfd[l] = (struct pollfd){ .fd = ws->ops->fd(w->ios.io[l]),
		    .events = POLLIN };
	pfd[nl] = (struct pollfd){ .fd = w->evfd, .events = POLLIN };
	rx_pace_init(&w->pace, ws->pace_us, ws->ring_slots);
	for (;;) {
		uint64_t v;
		unsigned n = 0;

		if (__atomic_load_n(&ws->quit, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&ws->park, __ATOMIC_ACQUIRE)) {
			park(ws);
			continue;
		}
		if (poll(pfd, nl + 1, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[nl].revents & POLLIN)
			(void)!read(w->evfd, &v, sizeof(v));
		if (asked(ws))
			continue;
		w->dp.now = (uint32_t)((clock_ms() - ws->start_ms) / 1000) + 1;
		for (unsigned l = 0; l < nl; l++)
			if (pfd[l].revents & POLLIN)
				n += worker_forward(&w->dp, ws->ops, &w->ios, l,
				    ws);
		if (w->dp.now != w->expired_at) {
			/* its own connections; releasing one touches the real
			 * server's counts and references, shared */
			pthread_mutex_lock(&ws->lock);
			conn_expire(w->dp.conns, ws->svcs, w->dp.now,
			    W_EXPIRE_BUDGET);
			pthread_mutex_unlock(&ws->lock);
			w->expired_at = w->dp.now;
		}
		if (!asked(ws))
			rx_pace(&w->pace, n);
	}
	return NULL;
}

int
workers_open(struct workers *ws, unsigned n, const struct io_ops *ops,
    const struct io_params *iop, unsigned nlinks, const struct dp *tmpl_dp,
    const struct conn_set *cs, struct svc_table *svcs, uint64_t start_ms,
    char *err, size_t errlen)
{
	struct io_params p[DP_LINKS_MAX];
	struct sock_fprog prog;

	memset(&prog, 0, sizeof(prog));	/* its padding goes to the kernel */
	memset(ws, 0, sizeof(*ws));
	pthread_mutex_init(&ws->lock, NULL);
	pthread_mutex_init(&ws->park_mtx, NULL);
	pthread_cond_init(&ws->park_cv, NULL);
	pthread_cond_init(&ws->parked_cv, NULL);
	ws->ops = ops;
	ws->svcs = svcs;
	ws->start_ms = start_ms;
	fanout_prog(&prog);
	/* a group per interface (the kernel wants one device per group):
	 * the first socket makes it, the kernel picks its id (any value, 0
	 * included); the others join that id.  The same program in each
	 * gives a client the same worker on every link. */
	for (unsigned l = 0; l < nlinks; l++) {
		p[l] = iop[l];
		p[l].fanout = &prog;
		p[l].fanout_new = 1;
		p[l].fanout_id_out = &p[l].fanout_id;
	}
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];

		w->ws = ws;
		w->id = i;
		w->evfd = -1;
		ws->n = i + 1;
		for (unsigned l = 0; l < nlinks; l++) {
			if ((w->ios.io[l] = ops->open(&p[l], err,
			    errlen)) == NULL)
				goto fail;
			w->ios.n = l + 1;
			p[l].fanout_new = 0;
		}
		if ((w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
			snprintf(err, errlen, "eventfd: %s", strerror(errno));
			goto fail;
		}
		w->dp = *tmpl_dp;
		w->dp.conns = cs->w[i];
		w->dp.wid = (int)i;
		w->dp.lock = &ws->lock;
		/* ARP and ND are the main thread's: a worker never sees them */
		w->dp.arp_input = NULL;
		w->dp.ndp_input = NULL;
		memset(&w->dp.cnt, 0, sizeof(w->dp.cnt));
	}
	return 0;
fail:
	workers_stop(ws);
	return -1;
}

int
workers_start(struct workers *ws)
{
	sigset_t all, old;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < ws->n && rc == 0; i++) {
		rc = pthread_create(&ws->w[i].thread, NULL, worker_main,
		    &ws->w[i]);
		ws->w[i].started = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

void
workers_pause(struct workers *ws)
{
	unsigned running = 0;

	for (unsigned i = 0; i < ws->n; i++)
		running += ws->w[i].started;
	if (running == 0)
		return;
	pthread_mutex_lock(&ws->park_mtx);
	__atomic_store_n(&ws->park, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ws->park_mtx);
	for (unsigned i = 0; i < ws->n; i++) {
		uint64_t one = 1;

		(void)!write(ws->w[i].evfd, &one, sizeof(one));
	}
	pthread_mutex_lock(&ws->park_mtx);
	while (ws->parked < running)
		pthread_cond_wait(&ws->parked_cv, &ws->park_mtx);
	pthread_mutex_unlock(&ws->park_mtx);
	ws->pauses++;
	svc_fold_stats(ws->svcs);
}

void
workers_resume(struct workers *ws)
{
	if (ws->n == 0)
		return;
	pthread_mutex_lock(&ws->park_mtx);
	__atomic_store_n(&ws->park, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&ws->park_cv);
	pthread_mutex_unlock(&ws->park_mtx);
}

void
workers_stop(struct workers *ws)
{
	if (ws->n == 0)
		return;			/* none were opened (--workers 1) */
	pthread_mutex_lock(&ws->park_mtx);
	__atomic_store_n(&ws->quit, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&ws->park_cv);
	pthread_mutex_unlock(&ws->park_mtx);
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];
		uint64_t one = 1;

		if (w->evfd >= 0)
			(void)!write(w->evfd, &one, sizeof(one));
		if (w->started)
			pthread_join(w->thread, NULL);
		w->started = 0;
	}
	/* the last per-frame counts, for a final listing or state */
	svc_fold_stats(ws->svcs);
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];

		worker_ios_close(ws->ops, &w->ios);
		if (w->evfd >= 0)
			close(w->evfd);
		w->evfd = -1;
	}
}

void
workers_counters(struct workers *ws, struct dp_counters *c,
    struct io_stats *st)
{
	for (unsigned i = 0; i < ws->n; i++) {
		const uint64_t *a = (const uint64_t *)&ws->w[i].dp.cnt;
		uint64_t *sum = (uint64_t *)c;

		_Static_assert(sizeof(struct dp_counters) % 8 == 0,
		    "dp_counters: uint64_t only");
		for (size_t k = 0; k < sizeof(*c) / 8; k++)
			sum[k] += a[k];
		worker_ios_stats(ws->ops, &ws->w[i].ios, st);
	}
}

void
worker_ios_stats(const struct io_ops *ops, struct io_set *ios,
    struct io_stats *st)
{
	for (unsigned l = 0; l < ios->n; l++) {
		struct io_stats s;

		if (ios->io[l] == NULL)
			continue;
		ops->stats(ios->io[l], &s);
#define IO_STATS_SUM(f, ...) st->f += s.f;
		IO_STATS(IO_STATS_SUM)
#undef IO_STATS_SUM
	}
}

int
worker_ios_filter(const struct io_ops *ops, struct io_set *ios,
    const struct sock_fprog *prog)
{
	int rc = 0;

	for (unsigned l = 0; l < ios->n; l++)
		if (ios->io[l] != NULL && ops->set_filter(ios->io[l], prog) < 0)
			rc = -1;
	return rc;
}

void
worker_ios_close(const struct io_ops *ops, struct io_set *ios)
{
	for (unsigned l = 0; l < ios->n; l++)
		if (ios->io[l] != NULL)
			ops->close(ios->io[l]);
	ios->n = 0;
}

int
workers_set_filter(struct workers *ws, const struct sock_fprog *prog)
{
	int rc = 0;

	for (unsigned i = 0; i < ws->n; i++)
		if (worker_ios_filter(ws->ops, &ws->w[i].ios, prog) < 0)
			rc = -1;
	return rc;
}
