/*
 * fwd_ref — a minimal reference forwarder for bench/fwd_bench.sh: what
 * drlbd's I/O costs with nothing else in the way.  No connection table, no
 * scheduler, no parsing beyond the kernel-side filter: every IPv4 frame to
 * our MAC gets destination MAC = the one given, source MAC = ours, and goes
 * back out on the same interface.
 *
 *   fwd_ref IF DST-MAC [bypass]
 *
 * bypass: transmit with PACKET_QDISC_BYPASS, as drlbd --qdisc-bypass.
 *
 * I/O is io/ring.c's, on purpose, so the ratio drlbd/fwd_ref is the cost of
 * drlbd's data path and loop alone: a TPACKET_V2 RX ring of the same geometry
 * (1 MiB blocks, 68 KiB slots, 32 blocks) with PACKET_VNET_HDR and
 * PACKET_IGNORE_OUTGOING, poll() on it, bursts of up to 64 frames sent
 * straight from the ring slots with one sendmmsg() per burst on a second
 * AF_PACKET socket (protocol 0, PACKET_VNET_HDR), then the slots given back.
 * V2, not V3, as drlbd (bench/ring_latency: V3 holds lone frames for its
 * block timer).
 *
 * On SIGINT/SIGTERM it prints "fwd_ref: rx N tx N tx_errors N batches N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_BLOCK_SIZE	(1u << 20)
#define RING_FRAME_SIZE	(17u * 4096)
#define RING_BLOCKS	32
#define BURST_MAX	64

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "fwd_ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
setint(int fd, int level, int opt, int val, const char *what)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) < 0)
		die(what);
}

static int
parse_mac(const char *s, uint8_t m[6])
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
	    &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

int
main(int argc, char **argv)
{
	static struct mmsghdr msgs[BURST_MAX];
	static struct iovec iov[BURST_MAX];
	const uint32_t fpb = RING_BLOCK_SIZE / RING_FRAME_SIZE;
	struct tpacket_req req;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t mymac[6], dst[6];
	uint64_t rx = 0, tx = 0, txerr = 0, batches = 0;
	uint32_t frame_nr, head = 0;
	uint8_t *map;
	size_t map_len;
	char path[64];
	FILE *mf;
	int rxfd, txfd;
	struct sigaction sa;

	if (argc < 3 || argc > 4 || parse_mac(argv[2], dst) < 0 ||
	    (argc == 4 && strcmp(argv[3], "bypass") != 0)) {
		fprintf(stderr, "usage: fwd_ref IF DST-MAC [bypass]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", argv[1]);
	if ((mf = fopen(path, "r")) == NULL || fscanf(mf, "%63s", path) != 1 ||
	    parse_mac(path, mymac) < 0) {
		fprintf(stderr, "fwd_ref: MAC of %s unknown\n", argv[1]);
		return 1;
	}
	fclose(mf);
	if ((sll.sll_ifindex = (int)if_nametoindex(argv[1])) == 0)
		die(argv[1]);

	/* kernel-side filter: IPv4 to our MAC (ld/jeq on the destination
	 * MAC's two halves, then the ethertype) */
	struct sock_filter flt[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)mymac[2] << 24 |
		    (uint32_t)mymac[3] << 16 | (uint32_t)mymac[4] << 8 | mymac[5], 0, 5),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)mymac[0] << 8 | mymac[1], 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 262144),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(flt) / sizeof(flt[0]),
	    .filter = flt };

	if ((rxfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	if (setsockopt(rxfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) < 0)
		die("SO_ATTACH_FILTER");
	setint(rxfd, SOL_PACKET, PACKET_VERSION, TPACKET_V2, "PACKET_VERSION");
	setint(rxfd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
	setint(rxfd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1,
	    "PACKET_IGNORE_OUTGOING");
	req.tp_block_size = RING_BLOCK_SIZE;
	req.tp_frame_size = RING_FRAME_SIZE;
	req.tp_block_nr = RING_BLOCKS;
	req.tp_frame_nr = fpb * RING_BLOCKS;
	if (setsockopt(rxfd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		die("PACKET_RX_RING");
	frame_nr = req.tp_frame_nr;
	map_len = (size_t)RING_BLOCK_SIZE * RING_BLOCKS;
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_LOCKED | MAP_POPULATE, rxfd, 0);
	if (map == MAP_FAILED)
		map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    rxfd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(rxfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind");
	if ((txfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
		die("socket(tx)");
	setint(txfd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR(tx)");
	if (argc == 4)
		setint(txfd, SOL_PACKET, PACKET_QDISC_BYPASS, 1,
		    "PACKET_QDISC_BYPASS(tx)");
	sll.sll_protocol = 0;
	if (bind(txfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind(tx)");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "fwd_ref: forwarding on %s\n", argv[1]);

	while (!quit) {
		struct pollfd pfd = { .fd = rxfd, .events = POLLIN };
		unsigned n, sent;
		uint32_t i = head;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		for (int b = 0; b < 16; b++) {
			for (n = 0, i = head; n < BURST_MAX; n++) {
				struct tpacket2_hdr *h = (struct tpacket2_hdr *)(map +
				    (size_t)(i / fpb) * RING_BLOCK_SIZE +
				    (size_t)(i % fpb) * RING_FRAME_SIZE);
				uint8_t *eth;

				if (!(__atomic_load_n(&h->tp_status,
				    __ATOMIC_ACQUIRE) & TP_STATUS_USER))
					break;
				eth = (uint8_t *)h + h->tp_mac;
				memcpy(eth, dst, 6);
				memcpy(eth + 6, mymac, 6);
				iov[n].iov_base = eth - sizeof(struct virtio_net_hdr);
				iov[n].iov_len = sizeof(struct virtio_net_hdr) +
				    h->tp_snaplen;
				memset(&msgs[n], 0, sizeof(msgs[n]));
				msgs[n].msg_hdr.msg_iov = &iov[n];
				msgs[n].msg_hdr.msg_iovlen = 1;
				i = i + 1 == frame_nr ? 0 : i + 1;
			}
			rx += n;
			for (sent = 0; sent < n;) {
				int r = sendmmsg(txfd, msgs + sent, n - sent,
				    MSG_DONTWAIT);
				batches++;
				if (r < 0) {
					if (errno == EINTR)
						continue;
					txerr++;
					sent++;
					continue;
				}
				sent += (unsigned)r;
				tx += (unsigned)r;
			}
			for (uint32_t k = 0; k < n; k++) {
				struct tpacket2_hdr *h = (struct tpacket2_hdr *)(map +
				    (size_t)(head / fpb) * RING_BLOCK_SIZE +
				    (size_t)(head % fpb) * RING_FRAME_SIZE);
				__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
				    __ATOMIC_RELEASE);
				head = head + 1 == frame_nr ? 0 : head + 1;
			}
			if (n < BURST_MAX)
				break;
		}
	}
	printf("fwd_ref: rx %llu tx %llu tx_errors %llu batches %llu\n",
	    (unsigned long long)rx, (unsigned long long)tx,
	    (unsigned long long)txerr, (unsigned long long)batches);
	munmap(map, map_len);
	close(rxfd);
	close(txfd);
	return 0;
}
