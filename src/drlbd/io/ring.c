/*
 * AF_PACKET capture and injection with an mmap'ed TPACKET_V2 RX ring.
 *
 * Why V2 and not V3: a V3 ring hands frames to userspace a block at a time,
 * and a block is handed over when it is full or when its retire timer fires
 * (1 ms at the least).  At low load a lone SYN would wait for that timer:
 * bench/ring_latency measured a lone frame's wait at 0.9 ms (V3, 1 ms
 * timer) and 5.9 ms (V3, the kernel's default timer) against 6 us (V2).  V2
 * hands over every frame as it lands and poll() wakes at once.
 *
 * Offload metadata: PACKET_VNET_HDR puts the kernel's virtio_net_hdr right
 * in front of each frame in the ring.  It tells us (a) that the L4 checksum
 * is unfinished and where it starts, and (b) that a frame is a coalesced
 * GSO/GRO super-frame and how it was cut.  The TX socket takes the same
 * header, so a super-frame is sent back to the kernel with its segmentation
 * instructions and the kernel (or the NIC) cuts it into MTU-sized frames.
 * That is also why ring slots are 68 KiB: a coalesced frame can be 64 KiB.
 *
 * Transmit: frames are sent straight out of the ring slots with one
 * sendmmsg() per burst (no copy in userspace, one syscall per batch).
 */
#include <errno.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../io.h"

#define RING_BLOCK_SIZE	(1u << 20)		/* 1 MiB per block */
#define RING_FRAME_SIZE	(17u * 4096)		/* 68 KiB: a 64 KiB GSO frame + headers */
#define RING_BLOCKS_DEFAULT 32			/* 32 MiB, 480 slots */
#define BURST_MAX	64

#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct io {
	int rx_fd, tx_fd;
	uint8_t *map;
	size_t map_len;
	uint32_t frame_nr;
	uint32_t head;				/* next slot to look at */
	uint32_t burst_start, burst_n;		/* the slots of the current burst */
	struct mmsghdr msgs[BURST_MAX];
	struct iovec iov[BURST_MAX];
	unsigned ntx;
	struct io_stats st;
};

static int
setint(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

/*
 * Join the workers' fanout group: the first socket makes a new group with
 * an id the kernel picks (unique in this network namespace, so two drlbd
 * never share one), the others join it by that id.  PACKET_IGNORE_OUTGOING
 * is per socket, but a fanout group has one tap for all its members: the
 * group must ignore our transmissions itself (Linux 6.2); before that they
 * are dropped one by one below (counted as truncated).
 */
static int
fanout_join(int fd, const struct io_params *p)
{
	int flags = PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
	int arg;
	socklen_t len = sizeof(arg);

	if (p->fanout_new)
		flags |= PACKET_FANOUT_FLAG_UNIQUEID;
	if (setint(fd, SOL_PACKET, PACKET_FANOUT,
	    (p->fanout_new ? 0 : p->fanout_id) | flags << 16) < 0) {
		if (errno != EINVAL)
			return -1;
		flags &= ~PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
		if (setint(fd, SOL_PACKET, PACKET_FANOUT,
		    (p->fanout_new ? 0 : p->fanout_id) | flags << 16) < 0)
			return -1;
	}
	/* the group we are in: the one made (its id for the others), or
	 * the one joined -- never a second group by mistake, which would
	 * hand every frame to two workers */
	if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) < 0)
		return -1;
	if (p->fanout_new) {
		if (p->fanout_id_out != NULL)
			*p->fanout_id_out = (uint16_t)arg;
	} else if ((uint16_t)arg != p->fanout_id) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

static void
ring_close(struct io *io)
{
	if (io == NULL)
		return;
	if (io->map != NULL && io->map != MAP_FAILED)
		munmap(io->map, io->map_len);
	if (io->rx_fd >= 0)
		close(io->rx_fd);
	if (io->tx_fd >= 0)
		close(io->tx_fd);
	free(io);
}

static struct io *
ring_open(const struct io_params *p, char *err, size_t errlen)
{
	struct tpacket_req req;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	/* until the real filter is attached let nothing in: "ret #0" */
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog drop_prog = { .len = 1, .filter = &drop_all };
	struct io *io;
	unsigned ifindex;
	const char *what;

	if ((ifindex = if_nametoindex(p->ifname)) == 0) {
		snprintf(err, errlen, "interface %s: %s", p->ifname,
		    strerror(errno));
		return NULL;
	}
	if ((io = calloc(1, sizeof(*io))) == NULL) {
		snprintf(err, errlen, "calloc: %s", strerror(errno));
		return NULL;
	}
	io->tx_fd = -1;
	io->map = MAP_FAILED;

	/* ---- receive socket + ring ---- */
	what = "socket(AF_PACKET)";
	if ((io->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	what = "SO_ATTACH_FILTER";
	if (setsockopt(io->rx_fd, SOL_SOCKET, SO_ATTACH_FILTER, &drop_prog,
	    sizeof(drop_prog)) < 0)
		goto fail;
	what = "PACKET_VERSION";
	if (setint(io->rx_fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2) < 0)
		goto fail;
	what = "PACKET_VNET_HDR";
	if (setint(io->rx_fd, SOL_PACKET, PACKET_VNET_HDR, 1) < 0)
		goto fail;
	/* our own transmissions come back on a packet tap as OUTGOING
	 * frames: never see them (also checked per frame below) */
	what = "PACKET_IGNORE_OUTGOING";
	if (setint(io->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) < 0)
		goto fail;

	req.tp_block_size = RING_BLOCK_SIZE;
	req.tp_frame_size = RING_FRAME_SIZE;
	req.tp_block_nr = p->ring_blocks ? p->ring_blocks : RING_BLOCKS_DEFAULT;
	req.tp_frame_nr = (RING_BLOCK_SIZE / RING_FRAME_SIZE) * req.tp_block_nr;
	what = "PACKET_RX_RING";
	if (setsockopt(io->rx_fd, SOL_PACKET, PACKET_RX_RING, &req,
	    sizeof(req)) < 0)
		goto fail;
	io->frame_nr = req.tp_frame_nr;
	io->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
	what = "mmap";
	io->map = mmap(NULL, io->map_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_LOCKED | MAP_POPULATE, io->rx_fd, 0);
	if (io->map == MAP_FAILED)
		io->map = mmap(NULL, io->map_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED, io->rx_fd, 0);
	if (io->map == MAP_FAILED)
		goto fail;

	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	what = "bind(rx)";
	if (bind(io->rx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	if (p->fanout != NULL) {
		/* one of the workers: the kernel hands each frame to one
		 * member of the group, by the program's answer modulo the
		 * number of members (the program is the group's: set again
		 * by each member, the same) */
		what = "PACKET_FANOUT";
		if (fanout_join(io->rx_fd, p) < 0)
			goto fail;
		what = "PACKET_FANOUT_DATA";
		if (setsockopt(io->rx_fd, SOL_PACKET, PACKET_FANOUT_DATA,
		    p->fanout, sizeof(*p->fanout)) < 0)
			goto fail;
	}

	/* ---- transmit socket: protocol 0, so it never receives ---- */
	what = "socket(AF_PACKET, tx)";
	if ((io->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	what = "PACKET_VNET_HDR(tx)";
	if (setint(io->tx_fd, SOL_PACKET, PACKET_VNET_HDR, 1) < 0)
		goto fail;
	what = "PACKET_QDISC_BYPASS(tx)";
	if (p->qdisc_bypass &&
	    setint(io->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1) < 0)
		goto fail;
	sll.sll_protocol = 0;
	what = "bind(tx)";
	if (bind(io->tx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return io;
fail:
	snprintf(err, errlen, "%s on %s: %s", what, p->ifname, strerror(errno));
	ring_close(io);
	return NULL;
}

static int
ring_fd(struct io *io)
{
	return io->rx_fd;
}

/* slot i lives in block i / fpb at offset (i % fpb) * frame size */
static inline struct tpacket2_hdr *
ring_slot(struct io *io, uint32_t i)
{
	const uint32_t fpb = RING_BLOCK_SIZE / RING_FRAME_SIZE;

	return (struct tpacket2_hdr *)(io->map +
	    (size_t)(i / fpb) * RING_BLOCK_SIZE +
	    (size_t)(i % fpb) * RING_FRAME_SIZE);
}

static unsigned
ring_rx_burst(struct io *io, struct dp_frame *f, unsigned max)
{
	unsigned n = 0;
	uint32_t i = io->head;

	if (max > BURST_MAX)
		max = BURST_MAX;
	io->burst_start = i;
	io->ntx = 0;
	while (n < max) {
		struct tpacket2_hdr *h = ring_slot(io, i);
		uint32_t status = __atomic_load_n(&h->tp_status,
		    __ATOMIC_ACQUIRE);
		struct sockaddr_ll *sll;

		if (!(status & TP_STATUS_USER))
			break;
		sll = (struct sockaddr_ll *)((uint8_t *)h +
		    TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
		f[n].data = (uint8_t *)h + h->tp_mac;
		f[n].len = h->tp_snaplen;
		f[n].wire_len = h->tp_len;
		f[n].flags = 0;
		if (status & TP_STATUS_CSUMNOTREADY)
			f[n].flags |= DP_FRAME_CSUM_PARTIAL;
		if (status & TP_STATUS_VLAN_VALID)
			f[n].flags |= DP_FRAME_VLAN;
		f[n].vnet = (struct virtio_net_hdr *)(f[n].data -
		    sizeof(struct virtio_net_hdr));
		if (sll->sll_pkttype == PACKET_OUTGOING) {
			/* belt and braces for kernels without
			 * PACKET_IGNORE_OUTGOING: make it look truncated
			 * so the data path drops it */
			f[n].len = 0;
			f[n].wire_len = 1;
		}
		n++;
		i = (i + 1 == io->frame_nr) ? 0 : i + 1;
	}
	io->burst_n = n;
	io->head = i;
	return n;
}

static void
ring_tx_queue(struct io *io, struct dp_frame *f)
{
	unsigned k = io->ntx;

	if (k >= BURST_MAX)
		return;
	/* the virtio_net_hdr sits right before the frame in the slot: one
	 * iovec carries both */
	io->iov[k].iov_base = (uint8_t *)f->vnet;
	io->iov[k].iov_len = sizeof(struct virtio_net_hdr) + f->len;
	memset(&io->msgs[k], 0, sizeof(io->msgs[k]));
	io->msgs[k].msg_hdr.msg_iov = &io->iov[k];
	io->msgs[k].msg_hdr.msg_iovlen = 1;
	io->ntx = k + 1;
}

static void
ring_tx_flush(struct io *io)
{
	unsigned sent = 0;

	while (sent < io->ntx) {
		int r = sendmmsg(io->tx_fd, io->msgs + sent, io->ntx - sent,
		    MSG_DONTWAIT);
		io->st.tx_batches++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* a frame the kernel refuses (or a full queue):
			 * count it and move past it, never spin */
			io->st.tx_errors++;
			sent++;
			continue;
		}
		sent += (unsigned)r;
		io->st.tx_frames += (unsigned)r;
	}
	io->ntx = 0;
}

static void
ring_rx_done(struct io *io)
{
	uint32_t i = io->burst_start;

	ring_tx_flush(io);
	/* give the slots back to the kernel, oldest first */
	for (unsigned n = 0; n < io->burst_n; n++) {
		__atomic_store_n(&ring_slot(io, i)->tp_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		i = (i + 1 == io->frame_nr) ? 0 : i + 1;
	}
	io->burst_n = 0;
}

static int
ring_set_filter(struct io *io, const struct sock_fprog *prog)
{
	return setsockopt(io->rx_fd, SOL_SOCKET, SO_ATTACH_FILTER, prog,
	    sizeof(*prog));
}

static void
ring_stats(struct io *io, struct io_stats *st)
{
	struct tpacket_stats ks;
	socklen_t len = sizeof(ks);

	/* PACKET_STATISTICS resets the kernel's counters: accumulate */
	if (getsockopt(io->rx_fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0)
		io->st.rx_kernel_drops += ks.tp_drops;
	*st = io->st;
}

uint32_t
io_ring_slots(const struct io_params *p)
{
	return (RING_BLOCK_SIZE / RING_FRAME_SIZE) *
	    (p->ring_blocks ? p->ring_blocks : RING_BLOCKS_DEFAULT);
}

const struct io_ops io_ring_ops = {
	.name = "ring",
	.open = ring_open,
	.close = ring_close,
	.fd = ring_fd,
	.rx_burst = ring_rx_burst,
	.tx_queue = ring_tx_queue,
	.tx_flush = ring_tx_flush,
	.rx_done = ring_rx_done,
	.set_filter = ring_set_filter,
	.stats = ring_stats,
};
