/*
 * libpcap capture and injection (drlbd --capture pcap): the portable
 * backend, for comparison with io/ring.c and for hosts where a hand-made
 * AF_PACKET ring is not wanted.
 *
 * Receive: pcap_create + pcap_activate on the interface, in immediate mode
 * (libpcap then uses a TPACKET_V2 ring, so a lone SYN is handed over at once
 * instead of waiting for a V3 block's timer), direction PCAP_D_IN (our own
 * transmissions never come back), snaplen 256 KiB so a 64 KiB coalesced frame
 * arrives whole, and the same classic BPF filter as the ring (filter.c),
 * installed with pcap_setfilter.  libpcap owns its ring slot only during its
 * callback, and io.h promises frames that stay valid until rx_done: each
 * frame is copied into one of BURST_MAX slots of our own.
 *
 * Transmit: one pcap_inject() (a send() on the capture socket) per frame.
 *
 * What libpcap does not say, and what follows:
 *  - no virtio_net_hdr: a coalesced frame (GRO/LRO on the director's NIC, or
 *    TSO/GSO passed through a veth) cannot be handed back with segmentation
 *    instructions, so the data path drops a frame over the MTU as `oversize`
 *    (counted).  With this backend turn GRO/LRO off on the director's
 *    interface (ethtool -K IF gro off lro off); on veth the sender's TSO/GSO
 *    must be off instead (tests/integration/pcap.sh).
 *  - no TP_STATUS_CSUMNOTREADY: we cannot tell a checksum the sender's kernel
 *    left to offload (veth, local senders) from a finished one.  Every frame
 *    is marked DP_FRAME_CSUM_PARTIAL, and the data path finishes the L4
 *    checksum of a forwarded TCP/UDP frame when its field holds just the
 *    pseudo-header sum -- what an offloading sender leaves -- and leaves
 *    every other as it came, a bad one included (csum_l4_looks_partial).
 *    The ring backend has neither limitation.
 *
 * Privileges: pcap_activate needs CAP_NET_RAW; main.c opens the backend
 * before dropping every capability.  pcap_setfilter (SO_ATTACH_FILTER) and
 * pcap_inject on the open socket need none.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io.h"

#define PCAP_SNAPLEN	262144			/* a 64 KiB coalesced frame fits */
#define PCAP_SLOT	(17u * 4096)		/* 68 KiB, as ring.c's slots */
#define PCAP_BUFFER	(32u << 20)		/* kernel ring: 32 MiB, as ring.c */
#define BURST_MAX	64

struct io {
	pcap_t *p;
	int fd;
	uint8_t *slots;				/* BURST_MAX * PCAP_SLOT */
	struct dp_frame *f;			/* the caller's array, in rx_burst */
	unsigned n, max;
	struct dp_frame *txq[BURST_MAX];
	unsigned ntx;
	struct io_stats st;
};

static void
pc_close(struct io *io)
{
	if (io == NULL)
		return;
	if (io->p != NULL)
		pcap_close(io->p);
	free(io->slots);
	free(io);
}

static struct io *
pc_open(const struct io_params *params, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	/* until the real filter is attached let nothing in: "ret #0" */
	struct bpf_insn drop_all = { BPF_RET | BPF_K, 0, 0, 0 };
	struct bpf_program drop_prog = { 1, &drop_all };
	struct io *io;
	const char *what;
	int rc;

	if ((io = calloc(1, sizeof(*io))) == NULL ||
	    (io->slots = malloc((size_t)BURST_MAX * PCAP_SLOT)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(io);
		return NULL;
	}
	if ((io->p = pcap_create(params->ifname, ebuf)) == NULL) {
		snprintf(err, errlen, "pcap_create(%s): %s", params->ifname, ebuf);
		pc_close(io);
		return NULL;
	}
	what = "pcap_set_snaplen";
	if (pcap_set_snaplen(io->p, PCAP_SNAPLEN) != 0)
		goto fail;
	what = "pcap_set_immediate_mode";
	if (pcap_set_immediate_mode(io->p, 1) != 0)
		goto fail;
	what = "pcap_set_buffer_size";
	if (pcap_set_buffer_size(io->p, (int)(params->ring_blocks ?
	    params->ring_blocks << 20 : PCAP_BUFFER)) != 0)
		goto fail;
	what = "pcap_set_promisc";
	if (pcap_set_promisc(io->p, 0) != 0)
		goto fail;
	what = "pcap_activate";
	if ((rc = pcap_activate(io->p)) < 0) {
		snprintf(err, errlen, "pcap_activate(%s): %s%s%s", params->ifname,
		    pcap_statustostr(rc), rc == PCAP_ERROR ? ": " : "",
		    rc == PCAP_ERROR ? pcap_geterr(io->p) : "");
		pc_close(io);
		return NULL;
	}
	if (pcap_datalink(io->p) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: not an Ethernet interface (pcap "
		    "link type %d)", params->ifname, pcap_datalink(io->p));
		pc_close(io);
		return NULL;
	}
	what = "pcap_setfilter(drop all)";
	if (pcap_setfilter(io->p, &drop_prog) != 0)
		goto fail;
	what = "pcap_setdirection(PCAP_D_IN)";
	if (pcap_setdirection(io->p, PCAP_D_IN) != 0)
		goto fail;
	what = "pcap_setnonblock";
	if (pcap_setnonblock(io->p, 1, ebuf) != 0)
		goto fail;
	what = "pcap_get_selectable_fd";
	if ((io->fd = pcap_get_selectable_fd(io->p)) < 0)
		goto fail;
	return io;
fail:
	snprintf(err, errlen, "%s on %s: %s", what, params->ifname,
	    ebuf[0] ? ebuf : pcap_geterr(io->p));
	pc_close(io);
	return NULL;
}

static int
pc_fd(struct io *io)
{
	return io->fd;
}

static void
pc_rx_one(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct io *io = (struct io *)user;
	struct dp_frame *f;
	uint32_t len = h->caplen;

	if (io->n >= io->max)
		return;
	f = &io->f[io->n];
	if (len > PCAP_SLOT)
		len = PCAP_SLOT;	/* len < wire_len: dropped as truncated */
	f->data = io->slots + (size_t)io->n * PCAP_SLOT;
	memcpy(f->data, bytes, len);
	f->len = len;
	f->wire_len = h->len;
	/* libpcap cannot say which checksums are unfinished: the data path
	 * finishes those that look unfinished (see the top of this file) */
	f->flags = DP_FRAME_CSUM_PARTIAL;
	f->vnet = NULL;
	io->n++;
}

static unsigned
pc_rx_burst(struct io *io, struct dp_frame *f, unsigned max)
{
	if (max > BURST_MAX)
		max = BURST_MAX;
	io->f = f;
	io->n = 0;
	io->max = max;
	io->ntx = 0;
	/* non-blocking: returns at once with what the ring holds; on an
	 * error the frames copied so far are still good */
	(void)pcap_dispatch(io->p, (int)max, pc_rx_one, (u_char *)io);
	return io->n;
}

static void
pc_tx_queue(struct io *io, struct dp_frame *f)
{
	if (io->ntx < BURST_MAX)
		io->txq[io->ntx++] = f;
}

static void
pc_tx_flush(struct io *io)
{
	for (unsigned i = 0; i < io->ntx; i++) {
		io->st.tx_batches++;	/* one send() per frame */
		if (pcap_inject(io->p, io->txq[i]->data, io->txq[i]->len) < 0)
			io->st.tx_errors++;
		else
			io->st.tx_frames++;
	}
	io->ntx = 0;
}

static int
pc_set_filter(struct io *io, const struct sock_fprog *prog)
{
	struct bpf_program bp;

	/* struct sock_filter and struct bpf_insn have the same layout */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter),
	    "bpf_insn layout");
	bp.bf_len = prog->len;
	bp.bf_insns = (struct bpf_insn *)prog->filter;
	if (pcap_setfilter(io->p, &bp) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void
pc_stats(struct io *io, struct io_stats *st)
{
	struct pcap_stat ps;

	/* libpcap accumulates the kernel's PACKET_STATISTICS itself */
	if (pcap_stats(io->p, &ps) == 0)
		io->st.rx_kernel_drops = ps.ps_drop;
	*st = io->st;
}

const struct io_ops io_pcap_ops = {
	.name = "pcap",
	.open = pc_open,
	.close = pc_close,
	.fd = pc_fd,
	.rx_burst = pc_rx_burst,
	.tx_queue = pc_tx_queue,
	.tx_flush = pc_tx_flush,
	.rx_done = pc_tx_flush,	/* the frames are our copies */
	.set_filter = pc_set_filter,
	.stats = pc_stats,
};
