/*
 * gen — a traffic generator for bench/fwd_bench.sh and bench/cost.sh:
 * 64-byte frames (60 bytes without the FCS) of TCP or UDP to one MAC /
 * VIP:port, sent with sendmmsg() on an AF_PACKET socket for a bounded time,
 * at full speed or at a fixed rate.
 *
 *   gen IF DST-MAC VIP PORT tcp|udp est N|new SECONDS [PPS [BURST]]
 *
 *   est N   established flows: N flows (source address in 198.18.0.0/24,
 *           random source port), each announced first by a SYN, then ACKs
 *           (TCP) / datagrams (UDP) round robin over the N flows
 *   new     every frame a new flow: a SYN (or a datagram) from the next
 *           source port / address in 198.18.0.0/24 (up to 256 x 64511 flows
 *           before they repeat)
 *   PPS     a fixed offered load instead of full speed: bursts of BURST
 *           frames (default 8), each sent at its absolute deadline
 *           (clock_nanosleep TIMER_ABSTIME, timer slack 1 ns), the k-th at
 *           t0 + k * BURST / PPS; a burst that finds the queue full is sent
 *           again, not dropped, so the rate is exact unless the generator
 *           falls behind (counted as "late": bursts sent after the next one's
 *           deadline)
 *
 * Prints "gen: FRAMES frames in SECONDS s (RATE/s), ERRORS send errors, LATE
 * late bursts".
 * Checksums are complete (IPv4 header and L4), so a receiver may verify them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN	60		/* + 4 bytes FCS = 64 on the wire */
#define BATCH		64
#define NET_BASE	0xc6120000u	/* 198.18.0.0/24 */

struct flow {
	uint32_t saddr;
	uint16_t sport;
};

static uint8_t src_mac[6], dst_mac[6];
static uint32_t vip;
static uint16_t vport;
static int is_tcp;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static uint16_t
csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* one 60-byte frame of flow fl; syn: a TCP SYN (else an ACK) */
static void
build(uint8_t *f, const struct flow *fl, int syn, uint32_t seq)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;
	uint16_t iplen = is_tcp ? 40 : 20 + 8 + 18;
	uint32_t ps;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, ETH_P_IP);
	ip[0] = 0x45;
	put16(ip + 2, iplen);
	put16(ip + 4, (uint16_t)seq);
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = is_tcp ? IPPROTO_TCP : IPPROTO_UDP;
	put32(ip + 12, fl->saddr);
	put32(ip + 16, vip);
	put16(ip + 10, csum(ip, 20, 0));
	put16(l4, fl->sport);
	put16(l4 + 2, vport);
	/* pseudo header: addresses, protocol, L4 length */
	ps = (fl->saddr >> 16) + (fl->saddr & 0xffff) + (vip >> 16) +
	    (vip & 0xffff) + ip[9] + (uint32_t)(iplen - 20);
	if (is_tcp) {
		put32(l4 + 4, seq);
		put32(l4 + 8, syn ? 0 : 1);
		l4[12] = 5 << 4;
		l4[13] = syn ? 0x02 : 0x10;	/* SYN / ACK */
		put16(l4 + 14, 65535);
		put16(l4 + 16, csum(l4, 20, ps));
	} else {
		put16(l4 + 4, 8 + 18);
		memcpy(l4 + 8, "drlb bench gen 64", 18);
		put16(l4 + 6, csum(l4, 26, ps));
	}
}

/* the next frame of the run: the next established flow's, or a new flow */
static void
next_frame(uint8_t *f, const struct flow *flows, uint32_t nflows, int is_new,
    uint32_t *next, uint32_t *seq)
{
	static uint32_t ctr;

	if (is_new) {
		/* next port, then next address */
		struct flow fl;

		fl.saddr = NET_BASE | ((ctr / 64511) & 0xff);
		fl.sport = (uint16_t)(1024 + ctr % 64511);
		ctr++;
		build(f, &fl, 1, (*seq)++);
	} else {
		build(f, &flows[*next], 0, (*seq)++);
		*next = *next + 1 == nflows ? 0 : *next + 1;
	}
}

static void
ts_add_ns(struct timespec *ts, uint64_t ns)
{
	ns += (uint64_t)ts->tv_nsec;
	ts->tv_sec += (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/* A fixed rate: burst k leaves at t0 + k * burst / pps, an absolute
 * deadline, so a late wake-up shortens the next wait instead of slowing
 * the rate.  Returns the frames sent. */
static uint64_t
paced(int fd, struct mmsghdr *msgs, uint8_t (*frames)[FRAME_LEN],
    const struct flow *flows, uint32_t nflows, int is_new, double pps,
    unsigned burst, double secs, uint32_t *seq, uint64_t *late)
{
	/* the interval in ns as a fraction, so rounding never drifts */
	const double step = 1e9 * burst / pps;
	uint64_t total = (uint64_t)(secs * pps / burst), sent = 0;
	uint32_t next = 0;
	struct timespec t0, dl, now;

	/* the default slack (50 us) would round every wait up */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t k = 0; k < total; k++) {
		dl = t0;
		ts_add_ns(&dl, (uint64_t)(step * (double)k));
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl,
		    NULL) == EINTR)
			;
		for (unsigned i = 0; i < burst; i++)
			next_frame(frames[i], flows, nflows, is_new, &next, seq);
		for (unsigned done = 0; done < burst;) {
			int r = sendmmsg(fd, msgs + done, burst - done, 0);

			if (r < 0) {
				if (errno != EINTR && errno != ENOBUFS &&
				    errno != EAGAIN)
					return sent;
				continue;
			}
			done += (unsigned)r;
			sent += (unsigned)r;
		}
		/* behind if the next deadline has passed already */
		clock_gettime(CLOCK_MONOTONIC, &now);
		dl = t0;
		ts_add_ns(&dl, (uint64_t)(step * (double)(k + 1)));
		if (now.tv_sec > dl.tv_sec || (now.tv_sec == dl.tv_sec &&
		    now.tv_nsec > dl.tv_nsec))
			(*late)++;
	}
	return sent;
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

static void
usage(void)
{
	fprintf(stderr, "usage: gen IF DST-MAC VIP PORT tcp|udp est N|new "
	    "SECONDS [PPS [BURST]]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct flow *flows = NULL;
	struct in_addr a;
	uint32_t nflows = 0, next = 0, seq = 1;
	uint64_t sent = 0, errors = 0, late = 0;
	double secs, t0, t_end, pps = 0;
	unsigned burst = 8;
	int fd, ai, is_new;
	char path[64];
	FILE *mf;

	if (argc < 8)
		usage();
	if (parse_mac(argv[2], dst_mac) < 0 || inet_pton(AF_INET, argv[3], &a) != 1)
		usage();
	vip = ntohl(a.s_addr);
	vport = (uint16_t)atoi(argv[4]);
	is_tcp = strcmp(argv[5], "tcp") == 0;
	if (!is_tcp && strcmp(argv[5], "udp") != 0)
		usage();
	is_new = strcmp(argv[6], "new") == 0;
	ai = 7;
	if (!is_new) {
		if (strcmp(argv[6], "est") != 0 || argc < 9)
			usage();
		nflows = (uint32_t)strtoul(argv[ai++], NULL, 10);
		if (nflows == 0)
			usage();
	}
	if (ai >= argc || (secs = atof(argv[ai++])) <= 0)
		usage();
	if (ai < argc && (pps = atof(argv[ai++])) <= 0)
		usage();
	if (ai < argc && ((burst = (unsigned)atoi(argv[ai++])) == 0 ||
	    burst > BATCH))
		usage();
	if (ai < argc)
		usage();

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", argv[1]);
	if ((mf = fopen(path, "r")) == NULL || fscanf(mf, "%63s", path) != 1 ||
	    parse_mac(path, src_mac) < 0) {
		fprintf(stderr, "gen: MAC of %s unknown\n", argv[1]);
		return 1;
	}
	fclose(mf);
	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0) {
		perror("gen: socket(AF_PACKET)");
		return 1;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll,
	    sizeof(sll)) < 0) {
		fprintf(stderr, "gen: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	if (!is_new) {
		/* the flows, each announced by a SYN (UDP: its first datagram) */
		if ((flows = calloc(nflows, sizeof(*flows))) == NULL) {
			perror("gen: calloc");
			return 1;
		}
		for (uint32_t i = 0; i < nflows; i++) {
			flows[i].saddr = NET_BASE | (rnd() & 0xff);
			flows[i].sport = (uint16_t)(1024 + rnd() % 64511);
		}
		for (uint32_t i = 0; i < nflows; i += BATCH) {
			unsigned n = nflows - i < BATCH ? nflows - i : BATCH;

			for (unsigned k = 0; k < n; k++)
				build(frames[k], &flows[i + k], 1, seq++);
			for (unsigned done = 0; done < n;) {
				int r = sendmmsg(fd, msgs + done, n - done, 0);
				if (r < 0) {
					usleep(100);	/* queue full: wait */
					continue;
				}
				done += (unsigned)r;
			}
			/* paced: a SYN lost to a full ring would leave its
			 * flow unknown to the director (no_conn) */
			usleep(2000);
		}
		usleep(200000);		/* let the forwarder take them in */
	}

	t0 = now_s();
	t_end = t0 + secs;
	if (pps > 0) {
		sent = paced(fd, msgs, frames, flows, nflows, is_new, pps, burst,
		    secs, &seq, &late);
		goto done;
	}
	while (now_s() < t_end) {
		/* a few batches between clock reads */
		for (int rep = 0; rep < 16; rep++) {
			for (unsigned k = 0; k < BATCH; k++)
				next_frame(frames[k], flows, nflows, is_new,
				    &next, &seq);
			int r = sendmmsg(fd, msgs, BATCH, MSG_DONTWAIT);
			if (r < 0)
				errors++;
			else
				sent += (unsigned)r;
		}
	}
done:
	secs = now_s() - t0;
	printf("gen: %llu frames in %.2f s (%.0f/s), %llu send errors, "
	    "%llu late bursts\n", (unsigned long long)sent, secs,
	    (double)sent / secs, (unsigned long long)errors,
	    (unsigned long long)late);
	free(flows);
	close(fd);
	return 0;
}
