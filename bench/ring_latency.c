/*
 * How long does a lone frame wait in an AF_PACKET RX ring before userspace
 * sees it?  TPACKET_V2 versus TPACKET_V3 (the choice drlbd's io/ring.c makes).
 *
 *   ring_latency TX_IF RX_IF COUNT
 *
 * TX_IF and RX_IF are the two ends of a veth pair (bench/run.sh makes them in
 * a namespace of its own).  For each ring kind, COUNT frames are sent one at a
 * time, 2 ms apart (so each one is alone: "low load"), and we time from
 * send() to the moment poll() + the ring show the frame.  Prints median and
 * 99th percentile per ring kind, and the ratio to V2 measured in this run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	(1u << 16)
#define NBLOCK	8
#define FRAME	2048

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct rx {
	int fd, version;
	uint8_t *map;
	unsigned idx;
};

static int
rx_open(struct rx *r, const char *ifname, int version, unsigned tov_ms)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
	    .sll_protocol = htons(0x88b5) };	/* local experimental ethertype */

	memset(r, 0, sizeof(*r));
	r->version = version;
	if ((r->fd = socket(AF_PACKET, SOCK_RAW, htons(0x88b5))) < 0)
		return -1;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version,
	    sizeof(version)) < 0)
		return -1;
	if (version == TPACKET_V3) {
		struct tpacket_req3 q = { .tp_block_size = BLOCK,
		    .tp_block_nr = NBLOCK, .tp_frame_size = FRAME,
		    .tp_frame_nr = BLOCK / FRAME * NBLOCK,
		    .tp_retire_blk_tov = tov_ms };
		if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &q,
		    sizeof(q)) < 0)
			return -1;
	} else {
		struct tpacket_req q = { .tp_block_size = BLOCK,
		    .tp_block_nr = NBLOCK, .tp_frame_size = FRAME,
		    .tp_frame_nr = BLOCK / FRAME * NBLOCK };
		if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &q,
		    sizeof(q)) < 0)
			return -1;
	}
	r->map = mmap(NULL, (size_t)BLOCK * NBLOCK, PROT_READ | PROT_WRITE,
	    MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	return bind(r->fd, (struct sockaddr *)&sll, sizeof(sll));
}

/* Has a frame arrived?  Consume it (and, for V3, its whole block). */
static int
rx_take(struct rx *r)
{
	if (r->version == TPACKET_V3) {
		struct tpacket_block_desc *b = (void *)(r->map +
		    (size_t)r->idx * BLOCK);
		if (!(__atomic_load_n(&b->hdr.bh1.block_status,
		    __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return 0;
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		r->idx = (r->idx + 1) % NBLOCK;
		return 1;
	} else {
		struct tpacket2_hdr *h = (void *)(r->map + (size_t)r->idx * FRAME);
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
		    TP_STATUS_USER))
			return 0;
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		r->idx = (r->idx + 1) % (BLOCK / FRAME * NBLOCK);
		return 1;
	}
}

static int
run(const char *txif, const char *rxif, int version, unsigned tov,
    unsigned count, uint64_t *med, uint64_t *p99)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6,
	    .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };
	uint64_t *lat = calloc(count, sizeof(*lat));
	struct rx r;
	int tx;
	unsigned got = 0;

	if (lat == NULL || rx_open(&r, rxif, version, tov) < 0)
		return -1;
	if ((tx = socket(AF_PACKET, SOCK_RAW, 0)) < 0)
		return -1;
	to.sll_ifindex = (int)if_nametoindex(txif);
	for (unsigned i = 0; i < count; i++) {
		struct pollfd p = { .fd = r.fd, .events = POLLIN };
		uint64_t t0 = now_ns(), deadline = t0 + 200000000u;

		if (sendto(tx, frame, sizeof(frame), 0, (struct sockaddr *)&to,
		    sizeof(to)) < 0)
			return -1;
		/* bounded: give up on a frame after 200 ms */
		while (!rx_take(&r) && now_ns() < deadline)
			poll(&p, 1, 50);
		lat[got++] = now_ns() - t0;
		/* 2 ms of quiet: the next frame is alone again */
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
		while (rx_take(&r))
			;
	}
	qsort(lat, got, sizeof(*lat), cmp_u64);
	*med = lat[got / 2];
	*p99 = lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1];
	close(tx);
	close(r.fd);
	munmap(r.map, (size_t)BLOCK * NBLOCK);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; int v; unsigned tov; } k[] = {
		{ "TPACKET_V2", TPACKET_V2, 0 },
		{ "TPACKET_V3 tov=1ms", TPACKET_V3, 1 },
		{ "TPACKET_V3 tov=default", TPACKET_V3, 0 },
	};
	uint64_t med[3], p99[3];
	unsigned count;

	if (argc != 4 || (count = (unsigned)atoi(argv[3])) == 0 || count > 100000) {
		fprintf(stderr, "usage: ring_latency TX_IF RX_IF COUNT\n");
		return 2;
	}
	printf("lone-frame wake-up latency, %u frames each, 2 ms apart\n", count);
	printf("%-24s %12s %12s %10s\n", "ring", "median_us", "p99_us",
	    "median/V2");
	for (int i = 0; i < 3; i++) {
		if (run(argv[1], argv[2], k[i].v, k[i].tov, count, &med[i],
		    &p99[i]) < 0) {
			perror(k[i].name);
			return 1;
		}
		printf("%-24s %12.1f %12.1f %10.1f\n", k[i].name, med[i] / 1e3,
		    p99[i] / 1e3, (double)med[i] / (double)med[0]);
	}
	return 0;
}
