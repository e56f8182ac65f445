/*
 * synflood -- a small, bounded TCP SYN flood for drlb's tests
 * (tests/integration/synflood.sh).
 *
 *   synflood -i IFACE -m DST_MAC -s SRC_NET/LEN -d VIP -p PORT -t SECONDS [-b BATCH]
 *
 * Sends Ethernet frames to DST_MAC (the director) out of IFACE with an
 * AF_PACKET SOCK_RAW socket, BATCH frames per sendmmsg(): each an IPv4 TCP
 * SYN from a random address of SRC_NET/LEN and a random port to VIP:PORT,
 * with valid IP and TCP checksums, as fast as the machine allows, for
 * SECONDS (at most 60) or until SIGINT/SIGTERM.  Then it prints, on stdout,
 *   sent N frames in S s: R frames/s (E send errors)
 *
 * It refuses any address outside 198.18.0.0/24 (RFC 2544's benchmarking
 * range, which drlb's tests use inside their own network namespaces): the
 * source network must be a /24 or longer prefix inside it, and so must the
 * VIP.  The network address and the broadcast address of the prefix are
 * never used as sources.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS	60
#define MAX_BATCH	1024
#define FRAME_LEN	(14 + 20 + 24)	/* Ethernet, IPv4, TCP with MSS option */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: synflood -i IFACE -m DST_MAC -s SRC_NET/LEN -d VIP "
	    "-p PORT -t SECONDS [-b BATCH]\n"
	    "  addresses must lie in 198.18.0.0/24; SECONDS <= %d\n", MAX_SECONDS);
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64* : fast, good enough for addresses and ports */
static uint64_t rng_state;

static inline uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* 198.18.0.0/24 holds ADDR */
static int
in_range(uint32_t addr)
{
	return (addr & 0xffffff00u) == 0xc6120000u;
}

/* Fill frame f (template already in place) with a new source and ISN. */
static void
fill(uint8_t *f, uint32_t net, uint32_t hostmask)
{
	uint64_t r = rng();
	uint32_t host, src;
	uint8_t *ip = f + 14, *tcp = f + 34;
	uint32_t s;

	/* neither the network nor the broadcast address of the prefix */
	do {
		host = (uint32_t)r & hostmask;
		r = (r >> 8) | (rng() << 56);
	} while (host == 0 || host == hostmask);
	src = net | host;
	ip[12] = (uint8_t)(src >> 24);
	ip[13] = (uint8_t)(src >> 16);
	ip[14] = (uint8_t)(src >> 8);
	ip[15] = (uint8_t)src;
	put16(ip + 4, (uint16_t)(r >> 8));		/* IP id */
	ip[10] = ip[11] = 0;
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	/* source port 1024..65535, ISN */
	put16(tcp, (uint16_t)(1024 + (uint16_t)(r >> 24) % (65536 - 1024)));
	memcpy(tcp + 4, (uint8_t[4]){ (uint8_t)(r >> 40), (uint8_t)(r >> 48),
	    (uint8_t)(r >> 56), (uint8_t)rng() }, 4);
	/* TCP checksum over the pseudo header and the segment */
	tcp[16] = tcp[17] = 0;
	s = sum16(ip + 12, 8, 0);	/* source and destination addresses */
	s += IPPROTO_TCP + 24;
	s = sum16(tcp, 24, s);
	put16(tcp + 16, fold(s));
}

int
main(int argc, char **argv)
{
	const char *ifname = NULL, *macs = NULL, *srcs = NULL, *vips = NULL;
	int port = -1, secs = -1, batch = 64, opt, fd;
	uint8_t dmac[6], smac[6];
	uint32_t net, hostmask, vip;
	unsigned plen;
	struct in_addr a;
	struct ifreq ifr;
	struct sockaddr_ll sll;
	char netbuf[32], *slash;

	while ((opt = getopt(argc, argv, "i:m:s:d:p:t:b:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'm': macs = optarg; break;
		case 's': srcs = optarg; break;
		case 'd': vips = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'b': batch = atoi(optarg); break;
		default: usage();
		}
	}
	if (!ifname || !macs || !srcs || !vips || port <= 0 || port > 65535 ||
	    secs <= 0 || batch <= 0 || batch > MAX_BATCH || optind != argc)
		usage();
	if (secs > MAX_SECONDS) {
		fprintf(stderr, "synflood: at most %d seconds\n", MAX_SECONDS);
		return 2;
	}
	if (sscanf(macs, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1],
	    &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6) {
		fprintf(stderr, "synflood: bad MAC %s\n", macs);
		return 2;
	}
	snprintf(netbuf, sizeof(netbuf), "%s", srcs);
	if ((slash = strchr(netbuf, '/')) == NULL) {
		fprintf(stderr, "synflood: source must be NET/LEN\n");
		return 2;
	}
	*slash = '\0';
	plen = (unsigned)atoi(slash + 1);
	if (inet_pton(AF_INET, netbuf, &a) != 1 || plen < 24 || plen > 30) {
		fprintf(stderr, "synflood: source %s: an IPv4 prefix /24../30\n", srcs);
		return 2;
	}
	hostmask = (1u << (32 - plen)) - 1;
	net = ntohl(a.s_addr) & ~hostmask;
	if (inet_pton(AF_INET, vips, &a) != 1) {
		fprintf(stderr, "synflood: bad VIP %s\n", vips);
		return 2;
	}
	vip = ntohl(a.s_addr);
	if (!in_range(net) || !in_range(vip)) {
		fprintf(stderr, "synflood: addresses must lie in 198.18.0.0/24\n");
		return 2;
	}

	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0) {
		perror("synflood: socket(AF_PACKET)");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("synflood: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		perror("synflood: SIOCGIFINDEX");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_protocol = 0;	/* send only: receive nothing */
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("synflood: bind");
		return 1;
	}
	/* straight to the driver: the flood need not queue behind a qdisc */
	{
		int one = 1;

		(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		    sizeof(one));
	}

	static uint8_t frames[MAX_BATCH][FRAME_LEN];
	static struct iovec iov[MAX_BATCH];
	static struct mmsghdr msgs[MAX_BATCH];

	for (int i = 0; i < batch; i++) {
		uint8_t *f = frames[i], *ip = f + 14, *tcp = f + 34;

		memcpy(f, dmac, 6);
		memcpy(f + 6, smac, 6);
		put16(f + 12, ETHERTYPE_IP);
		ip[0] = 0x45;
		put16(ip + 2, 20 + 24);
		put16(ip + 6, 0x4000);		/* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		ip[16] = (uint8_t)(vip >> 24);
		ip[17] = (uint8_t)(vip >> 16);
		ip[18] = (uint8_t)(vip >> 8);
		ip[19] = (uint8_t)vip;
		put16(tcp + 2, (uint16_t)port);
		tcp[12] = 6 << 4;		/* data offset: 24 bytes */
		tcp[13] = 0x02;			/* SYN */
		put16(tcp + 14, 64240);		/* window */
		tcp[20] = 2; tcp[21] = 4;	/* MSS 1460 */
		put16(tcp + 22, 1460);
		iov[i].iov_base = f;
		iov[i].iov_len = FRAME_LEN;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	rng_state = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^
	    0x9e3779b97f4a7c15ULL;

	unsigned long long sent = 0, errs = 0;
	double t0 = now_s(), end = t0 + secs, t = t0;
	unsigned long loops = 0;

	while (!stop) {
		if ((loops++ & 15) == 0 && (t = now_s()) >= end)
			break;
		for (int i = 0; i < batch; i++)
			fill(frames[i], net, hostmask);
		int n = sendmmsg(fd, msgs, (unsigned)batch, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			errs++;
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("synflood: sendmmsg");
				break;
			}
			continue;
		}
		sent += (unsigned)n;
		if (n < batch)
			errs++;
	}
	t = now_s() - t0;
	printf("sent %llu frames in %.2f s: %.0f frames/s (%llu send errors)\n",
	    sent, t, t > 0 ? (double)sent / t : 0.0, errs);
	close(fd);
	return 0;
}
