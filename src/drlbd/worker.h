/*
 * Workers (--workers N): N threads, each with its own AF_PACKET socket in
 * one PACKET_FANOUT group, its own data path state and its own connection
 * table.  The kernel gives each worker the frames of its clients
 * (fanout.h), so a worker forwards an established flow without any lock.
 *
 * What workers share changes under workers.lock (see conn.h: scheduling a
 * new connection, a connection turning active or inactive, expiry).
 * Everything else -- control requests, reloads, health checks, ARP and ND,
 * the sync daemon, rates and metrics -- runs in the main thread with the
 * workers paused between two bursts (workers_pause), the way a kernel
 * stops the machine for a rare change: the fast path never waits for the
 * control plane, and the control plane sees a still picture.
 */
#ifndef DRLBD_WORKER_H
#define DRLBD_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "datapath.h"
#include "fanout.h"
#include "io.h"

struct workers;

/*
 * Batching at load (--batch-wait).  A TPACKET_V2 ring wakes its reader for
 * each frame that lands on an empty ring: that is what gives a lone request
 * its few microseconds, and at a moderate load it costs a wake-up, a poll()
 * and a sendmmsg() for every one or two frames -- more so with several
 * workers, each seeing a share of the frames.  So a thread that forwards at
 * least RX_PACE_RATE_MIN frames a second (measured over 10 ms windows)
 * sleeps, after each wake-up that was not behind, about the time
 * RX_PACE_BURST frames take to arrive at that rate, at most max_ns, and
 * then takes them in one burst.  Below that rate, and after any wake-up
 * that finds nothing, it stays poll-driven: a lone frame is forwarded as it
 * lands.
 */
struct rx_pace {
	uint64_t win_start;		/* ns (CLOCK_MONOTONIC) */
	uint64_t win_frames;		/* frames in this window so far */
	uint64_t rate;			/* frames/s over the last window */
	uint32_t max_ns;		/* the longest nap; 0: never nap */
};

#define RX_PACE_DEFAULT_US	200	/* --batch-wait's default */
#define RX_PACE_MAX_US		1000	/* and its bound */

/* max_us 0: never nap.  ring_slots: the ring's depth, which caps the nap
 * (see worker.c) */
void rx_pace_init(struct rx_pace *p, uint32_t max_us, uint32_t ring_slots);
/* After a wake-up that forwarded n frames: maybe nap. */
void rx_pace(struct rx_pace *p, unsigned n);

struct worker {
	struct workers *ws;
	unsigned id;
	pthread_t thread;
	int started;
	struct io_set ios;		/* one socket per link */
	struct dp dp;
	int evfd;			/* the main thread's knock (eventfd) */
	uint32_t expired_at;		/* dp.now of the last expiry run */
	struct rx_pace pace;
};

struct workers {
	unsigned n;			/* 0: no worker threads (--workers 1) */
	struct worker w[FANOUT_MAX];
	const struct io_ops *ops;
	struct svc_table *svcs;
	uint64_t start_ms;		/* the daemon's clock: dp.now base */
	/* what the workers share (schedulers, real servers' counts and
	 * references, the template table, the sync master's records) */
	pthread_mutex_t lock;
	/* pausing */
	pthread_mutex_t park_mtx;
	pthread_cond_t park_cv;		/* paused workers wait here */
	pthread_cond_t parked_cv;	/* the main thread waits for them here */
	unsigned parked;
	int park;			/* the main thread asks them to pause */
	int quit;
	uint64_t pauses;		/* how often (counters) */
	/* batching at load: set between workers_open and workers_start */
	uint32_t pace_us;		/* --batch-wait */
	uint32_t ring_slots;		/* each worker's ring, in slots */
};

/* Open n sockets on each of nlinks interfaces (iop[l]), one fanout group
 * per interface (before privileges are dropped); each worker's dp is
 * initialised from tmpl_dp with its own table. */
int workers_open(struct workers *ws, unsigned n, const struct io_ops *ops,
    const struct io_params *iop, unsigned nlinks, const struct dp *tmpl_dp,
    const struct conn_set *cs, struct svc_table *svcs, uint64_t start_ms,
    char *err, size_t errlen);
/* Start the threads (signals stay with the main thread). */
int workers_start(struct workers *ws);
/* Pause every worker between two bursts and fold their per-frame counters
 * into the services' (svc_fold_stats); returns when all are paused.  A
 * no-op without workers. */
void workers_pause(struct workers *ws);
void workers_resume(struct workers *ws);
/* Stop and join the threads, close their sockets. */
void workers_stop(struct workers *ws);

/* The sum of the workers' data-path counters and socket statistics, added
 * to *c and *st. */
void workers_counters(struct workers *ws, struct dp_counters *c,
    struct io_stats *st);
int workers_set_filter(struct workers *ws, const struct sock_fprog *prog);

/* Move the frames that have arrived on link's socket of ios through dp and
 * send what it forwards out of the link it names, in bursts, at most 16 of
 * 64 frames; a worker stops early when the main thread asks (ws; NULL: the
 * main thread itself, --workers 1).  Returns the frames taken in. */
unsigned worker_forward(struct dp *dp, const struct io_ops *ops,
    struct io_set *ios, unsigned link, struct workers *ws);
/* One thread's sockets together: statistics added to *st, a filter on
 * each (0, or -1 when one refused it), closed. */
void worker_ios_stats(const struct io_ops *ops, struct io_set *ios,
    struct io_stats *st);
int worker_ios_filter(const struct io_ops *ops, struct io_set *ios,
    const struct sock_fprog *prog);
void worker_ios_close(const struct io_ops *ops, struct io_set *ios);

#endif
