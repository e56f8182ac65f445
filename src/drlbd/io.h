/*
 * Capture / inject backends behind one ops struct (netsniff-ng, Redis ae_*):
 * io/ring.c (AF_PACKET mmap ring) now; others (libpcap) plug in the same way.
 */
#ifndef DRLBD_IO_H
#define DRLBD_IO_H

#include <stdint.h>
#include <linux/filter.h>

#include "datapath.h"

struct io;

struct io_params {
	const char *ifname;
	uint32_t ring_blocks;		/* RX ring size, in blocks (see ring.c) */
	/* join this PACKET_FANOUT group (workers), the kernel choosing the
	 * member with this classic-BPF program (fanout.h); NULL: no fanout */
	const struct sock_fprog *fanout;
	/* fanout_new: make a new group, its id chosen by the kernel (which
	 * may well be 0) and written to *fanout_id_out; else join fanout_id */
	int fanout_new;
	uint16_t fanout_id;
	uint16_t *fanout_id_out;
	/* transmit with PACKET_QDISC_BYPASS (no tc on the way out) */
	int qdisc_bypass;
};

/*
 * A backend's counters, one list from which struct io_stats, drlbadm
 * --counters (the line "field value") and the metrics are made:
 * C(field, metric, help).
 */
#define IO_STATS(C)							\
	C(rx_kernel_drops, "drlb_ring_kernel_drops_total",		\
	    "Frames the kernel dropped because the capture ring was full.") \
	C(tx_frames, "drlb_tx_frames_total", "Frames sent.")		\
	C(tx_errors, "drlb_tx_errors_total",				\
	    "Frames the kernel refused to send.")			\
	C(tx_batches, "drlb_tx_batches_total", "sendmmsg() calls.")

struct io_stats {
#define IO_STATS_FIELD(f, ...) uint64_t f;
	IO_STATS(IO_STATS_FIELD)
#undef IO_STATS_FIELD
};

struct io_ops {
	const char *name;
	struct io *(*open)(const struct io_params *p, char *err, size_t errlen);
	void (*close)(struct io *io);
	int  (*fd)(struct io *io);	/* poll() it for POLLIN */
	/* Up to max frames that have arrived, in order.  They stay valid (and
	 * may be edited in place) until rx_done. */
	unsigned (*rx_burst)(struct io *io, struct dp_frame *f, unsigned max);
	/* Queue a frame for transmit: one of this socket's current burst,
	 * or of another socket's (of another link) that stays valid until
	 * tx_flush. */
	void (*tx_queue)(struct io *io, struct dp_frame *f);
	/* Send what was queued, in one batch. */
	void (*tx_flush)(struct io *io);
	/* tx_flush, then give the burst back to the kernel. */
	void (*rx_done)(struct io *io);
	/* Replace the kernel-side filter (classic BPF). */
	int  (*set_filter)(struct io *io, const struct sock_fprog *prog);
	void (*stats)(struct io *io, struct io_stats *st);
};

extern const struct io_ops io_ring_ops;
/* The slots of a ring opened with p (io/ring.c's geometry). */
uint32_t io_ring_slots(const struct io_params *p);

/* One thread's sockets, one per link (drlbd's interfaces, in order). */
struct io_set {
	struct io *io[DP_LINKS_MAX];
	unsigned n;
};

#endif
