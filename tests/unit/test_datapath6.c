/*
 * The data path with IPv6 (and the ICMP errors of both families): frames
 * built here go through dp_process with real service and connection tables;
 * we check the verdict, the rewritten frame and the counters.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "datapath.h"
#include "fixtures.h"
#include "expect.h"

static const uint8_t MAC_SNM[6] = { 0x33, 0x33, 0xff, 0, 0, 0x01 };

static struct svc_table st;
static struct conn_table *ct;
static struct dp dp;
static int nd_seen;

static uint8_t buf[70000 + 64];
static struct virtio_net_hdr *vh = (struct virtio_net_hdr *)(buf + 54);
static uint8_t *fr = buf + 64;

#define SYN 0x02
#define ACK 0x10

static void
pton(uint16_t af, const char *s, void *dst)
{
	if (inet_pton(af, s, dst) != 1) {
		printf("not ok - bad address %s\n", s);
		exit(1);
	}
}

static void
add(uint16_t af, uint16_t op, uint16_t proto, const char *vip, uint16_t port,
    const char *sched, uint32_t flags, uint32_t netmask, const char *rip,
    const uint8_t *mac)
{
	struct drlb_ctl_req r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = proto;
	pton(af, vip, &r.svc.addr);
	r.svc.port = port;
	snprintf(r.svc.sched_name, sizeof(r.svc.sched_name), "%s", sched);
	r.svc.flags = flags;
	r.svc.timeout = 300;
	r.svc.netmask = netmask;
	if (rip != NULL) {
		r.dest.af = af;
		pton(af, rip, &r.dest.addr);
		r.dest.port = port;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	if (svc_apply(&st, op, &r, err, sizeof(err)) != 0) {
		printf("not ok - svc_apply %s %s: %s\n", vip, rip ? rip : "", err);
		exit(1);
	}
	if (rip == NULL)
		return;
	/* what ndp.c / arp.c do when the real server answers */
	for (struct svc *s = st.head; s; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			struct dest *d = s->dests[i];

			if (memcmp(d->conf.addr.b, r.dest.addr.b, 16) == 0)
				fx_resolve(d, mac);
		}
}

/*
 * Ethernet + IPv6 + `ext` (a list of extension header types, each 8 bytes,
 * ended by 0xff, as 0 is hop-by-hop) + TCP/UDP/ICMPv6 with payload bytes.  Returns the frame
 * length; *l4off gets the upper layer's offset from the IPv6 header.
 */
static uint32_t
mk6(const uint8_t *dst, const char *src, uint16_t sport, const char *dstip,
    uint16_t dport, uint8_t proto, uint8_t tcpflags, uint32_t payload,
    const uint8_t *ext, uint32_t *l4off)
{
	uint32_t l4 = proto == IPPROTO_TCP ? 20 : 8, off = 40, n = 0, plen;
	uint8_t *ip6 = fr + 14, *nh = ip6 + 6;

	while (ext != NULL && ext[n] != 0xff)
		n++;
	plen = n * 8 + l4 + payload;
	memset(fr, 0, 14 + 40 + plen);
	memcpy(fr, dst, 6);
	memcpy(fr + 6, FX_MAC_CLI, 6);
	fr[12] = 0x86;
	fr[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)(plen >> 8);
	ip6[5] = (uint8_t)plen;
	ip6[7] = 64;
	pton(AF_INET6, src, ip6 + 8);
	pton(AF_INET6, dstip, ip6 + 24);
	for (uint32_t i = 0; i < n; i++) {
		*nh = ext[i];
		nh = ip6 + off;		/* next header: first byte; length 0 */
		off += 8;
	}
	*nh = proto;
	ip6[off] = (uint8_t)(sport >> 8);
	ip6[off + 1] = (uint8_t)sport;
	ip6[off + 2] = (uint8_t)(dport >> 8);
	ip6[off + 3] = (uint8_t)dport;
	if (proto == IPPROTO_TCP) {
		ip6[off + 12] = 5 << 4;
		ip6[off + 13] = tcpflags;
	} else if (proto == IPPROTO_UDP) {
		ip6[off + 4] = (uint8_t)((8 + payload) >> 8);
		ip6[off + 5] = (uint8_t)(8 + payload);
	}
	for (uint32_t i = 0; i < payload; i++)
		ip6[off + l4 + i] = (uint8_t)(i * 13);
	memset(vh, 0, sizeof(*vh));
	if (l4off != NULL)
		*l4off = off;
	return 14 + 40 + plen;
}

static enum dp_verdict
run(uint32_t len)
{
	struct dp_frame f = { .data = fr, .len = len, .wire_len = len,
	    .vnet = vh };

	return dp_process(&dp, &f);
}

static void
nd_stub(void *arg, unsigned link, const uint8_t *frame, uint32_t len)
{
	(void)arg;
	(void)link;
	(void)frame;
	(void)len;
	nd_seen++;
}

/* Does the TCP/UDP checksum of the IPv6 frame in fr verify?  Recompute it
 * on a copy and compare. */
static int
csum6_ok(uint32_t len, uint32_t l4off, uint8_t proto)
{
	static uint8_t copy[70000];
	uint32_t off = proto == IPPROTO_TCP ? 16 : 6;

	memcpy(copy, fr + 14, len - 14);
	if (csum_ipv6_l4(copy, len - 14, l4off, proto) != 0)
		return 0;
	return memcmp(copy + l4off + off, fr + 14 + l4off + off, 2) == 0;
}

static const char *VIP = "2001:db8::1";
static const char *CLI = "2001:db8::100";

static void
test_forwarding(void)
{
	static uint8_t copy[256];
	uint32_t len, l4off;
	struct dest *d1 = NULL;
	const uint8_t *m1;

	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, SYN, 0, NULL,
	    NULL);
	memcpy(copy, fr, len);
	EXPECT_EQ(run(len), DP_FORWARD, "IPv6 SYN to [VIP]:80 is forwarded");
	EXPECT(memcmp(fr, FX_MAC_RS1, 6) == 0 || memcmp(fr, FX_MAC_RS2, 6) == 0,
	    "IPv6: destination MAC is a real server's");
	EXPECT_MEM(fr + 6, FX_MAC_DIR, 6, "IPv6: source MAC is the director's");
	EXPECT_MEM(fr + 12, copy + 12, len - 12,
	    "IPv6: the IP packet is untouched, byte for byte");
	m1 = memcmp(fr, FX_MAC_RS1, 6) == 0 ? FX_MAC_RS1 : FX_MAC_RS2;
	for (uint32_t i = 0; i < st.head->ndests; i++)
		if (memcmp(st.head->dests[i]->mac, m1, 6) == 0)
			d1 = st.head->dests[i];
	EXPECT_EQ(d1->stats.inbytes, 40 + 20,
	    "InBytes: the IPv6 packet with its 40-byte header");
	EXPECT_EQ(st.head->stats.inbytes, 60, "service InBytes as well");

	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, ACK, 100, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_FORWARD, "IPv6 ACK of the flow forwarded");
	EXPECT_MEM(fr, m1, 6, "IPv6: same flow, same real server");
	EXPECT_EQ(d1->activeconns, 1, "IPv6 flow ESTABLISHED: ActiveConn 1");
	len = mk6(FX_MAC_DIR, CLI, 40001, VIP, 80, IPPROTO_TCP, SYN, 0, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_FORWARD, "second IPv6 SYN forwarded");
	EXPECT(memcmp(fr, m1, 6) != 0, "wrr 1:1 alternates over IPv6 too");
	len = mk6(FX_MAC_DIR, CLI, 40002, VIP, 80, IPPROTO_TCP, ACK, 0, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_DROP, "IPv6 ACK of an unknown flow dropped");

	/* Ethernet padding after a short IPv6 packet is not sent */
	len = mk6(FX_MAC_DIR, CLI, 5353, VIP, 53, IPPROTO_UDP, 0, 4, NULL,
	    NULL);
	{
		struct dp_frame f = { .data = fr, .len = len + 6,
		    .wire_len = len + 6, .vnet = vh };
		EXPECT_EQ(dp_process(&dp, &f), DP_FORWARD,
		    "IPv6 UDP datagram forwarded");
		EXPECT_EQ(f.len, len, "trailing padding not transmitted");
	}
	EXPECT_MEM(fr, FX_MAC_RS1, 6,
	    "IPv6 UDP to the UDP service's real server");

	/* extension headers: walked, the packet forwarded as it is */
	{
		static const uint8_t dst_opts[] = { 60, 0xff };
		static const uint8_t hbh_dst[] = { 0, 60, 0xff };

		len = mk6(FX_MAC_DIR, CLI, 40010, VIP, 80, IPPROTO_TCP, SYN, 0,
		    dst_opts, &l4off);
		EXPECT_EQ(l4off, 48, "builder: TCP after 8 bytes of options");
		EXPECT_EQ(run(len), DP_FORWARD,
		    "SYN after a destination-options header forwarded");
		len = mk6(FX_MAC_DIR, CLI, 40011, VIP, 80, IPPROTO_TCP, SYN, 0,
		    hbh_dst, NULL);
		EXPECT_EQ(run(len), DP_FORWARD,
		    "SYN after hop-by-hop + destination options forwarded");
		EXPECT_EQ(dp.cnt.ext_hdrs, 2, "counted as ext_hdrs");
	}
	{
		static const uint8_t dst_hbh[] = { 60, 0, 0xff };
		static const uint8_t nine[] = { 60, 60, 60, 60, 60, 60, 60, 60,
		    60, 0xff };
		static const uint8_t frag[] = { 44, 0xff };
		static const uint8_t rt[] = { 43, 0xff };
		uint64_t mal = dp.cnt.malformed;

		len = mk6(FX_MAC_DIR, CLI, 40012, VIP, 80, IPPROTO_TCP, SYN, 0,
		    dst_hbh, NULL);
		EXPECT_EQ(run(len), DP_DROP, "hop-by-hop not first: dropped");
		EXPECT_EQ(dp.cnt.malformed, mal + 1, "counted as malformed");
		len = mk6(FX_MAC_DIR, CLI, 40013, VIP, 80, IPPROTO_TCP, SYN, 0,
		    nine, NULL);
		EXPECT_EQ(run(len), DP_DROP, "nine extension headers: dropped");
		EXPECT_EQ(dp.cnt.ext_hdr_dropped, 1, "counted as ext_hdr_dropped");
		len = mk6(FX_MAC_DIR, CLI, 40014, VIP, 80, IPPROTO_TCP, SYN, 0,
		    rt, &l4off);
		fr[14 + 40 + 3] = 1;	/* segments left 1 */
		EXPECT_EQ(run(len), DP_DROP,
		    "routing header with segments left: dropped");
		EXPECT_EQ(dp.cnt.ext_hdr_dropped, 2, "counted as ext_hdr_dropped");
		fr[14 + 40 + 3] = 0;
		EXPECT_EQ(run(len), DP_FORWARD,
		    "routing header with no segments left: forwarded");
		len = mk6(FX_MAC_DIR, CLI, 40015, VIP, 80, IPPROTO_TCP, SYN, 0,
		    frag, NULL);
		EXPECT_EQ(run(len), DP_DROP, "IPv6 fragment dropped");
		EXPECT_EQ(dp.cnt.fragment, 1, "counted as fragment");
	}

	/* the other policies */
	len = mk6(FX_MAC_DIR, CLI, 40000, "2001:db8::99", 80, IPPROTO_TCP, SYN,
	    0, NULL, NULL);
	EXPECT_EQ(run(len), DP_DROP, "IPv6 not to a VIP: dropped");
	EXPECT_EQ(dp.cnt.not_vip, 1, "counted as not_vip");
	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 81, IPPROTO_TCP, SYN, 0, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_DROP, "IPv6 VIP, no service on the port");
	EXPECT_EQ(dp.cnt.no_service, 1, "counted as no_service");
	len = mk6(FX_MAC_DIR, CLI, 0, VIP, 0, IPPROTO_ICMPV6, 0, 8, NULL, NULL);
	fr[14 + 40] = 128;		/* echo request */
	EXPECT_EQ(run(len), DP_DROP, "ICMPv6 echo to the VIP: dropped");
	EXPECT_EQ(dp.cnt.other_proto, 1, "counted as other_proto");
	{
		uint64_t mal = dp.cnt.malformed;

		len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, SYN, 0,
		    NULL, NULL);
		fr[14 + 4] = fr[14 + 5] = 0;	/* payload length 0 */
		EXPECT_EQ(run(len), DP_DROP, "payload length 0 (jumbo): dropped");
		fr[14 + 4] = 0x10;		/* beyond the frame */
		EXPECT_EQ(run(len), DP_DROP, "payload beyond the frame: dropped");
		fr[14 + 4] = 0;
		fr[14 + 5] = 12;		/* cuts the TCP header */
		EXPECT_EQ(run(len), DP_DROP, "truncated TCP header dropped");
		fr[14] = 0x40;
		fr[14 + 5] = 20;
		EXPECT_EQ(run(len), DP_DROP, "version 4 in an IPv6 frame dropped");
		for (uint32_t l = 14; l < 74; l++)
			run(l);			/* every truncation of a SYN */
		EXPECT_EQ(dp.cnt.malformed, mal + 4 + 60,
		    "each malformed IPv6 frame counted once");
	}
}

static void
test_offload(void)
{
	uint32_t len, l4off;
	uint8_t *ip6 = fr + 14;
	static const uint8_t dst_opts[] = { 60, 0xff };

	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum (any value
	 * works for this check: the finished sum must verify) */
	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, ACK, 333,
	    dst_opts, &l4off);
	{
		static uint8_t ph[40];
		uint64_t sum;
		uint16_t c;
		uint32_t l4len = len - 14 - l4off;

		memcpy(ph, ip6 + 8, 32);
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[39] = IPPROTO_TCP;
		sum = csum_add(ph, 40, 0);
		c = (uint16_t)~csum_fold(sum);	/* folded, not complemented */
		memcpy(ip6 + l4off + 16, &c, 2);
	}
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16((uint16_t)(14 + l4off));
	vh->csum_offset = htole16(16);
	EXPECT_EQ(run(len), DP_FORWARD, "IPv6 partial-checksum frame forwarded");
	EXPECT_EQ(vh->flags, VIRTIO_NET_HDR_F_DATA_VALID,
	    "IPv6: the vnet header no longer asks for a checksum");
	EXPECT(csum6_ok(len, l4off, IPPROTO_TCP),
	    "IPv6: finished checksum (after extension headers) verifies");

	/* metadata that disagrees with the packet: recomputed from it */
	len = mk6(FX_MAC_DIR, CLI, 5353, VIP, 53, IPPROTO_UDP, 0, 77, dst_opts,
	    &l4off);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = htole16(54);	/* the options, not UDP */
	vh->csum_offset = htole16(6);
	EXPECT_EQ(run(len), DP_FORWARD, "UDP with wrong csum_start forwarded");
	EXPECT(csum6_ok(len, l4off, IPPROTO_UDP),
	    "IPv6 UDP checksum recomputed from the pseudo header verifies");
	EXPECT(ip6[l4off + 6] != 0 || ip6[l4off + 7] != 0,
	    "IPv6 UDP checksum is never 0");

	/* MTU and coalesced frames */
	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, ACK, 9000, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_DROP, "IPv6 over the MTU without GSO: dropped");
	EXPECT_EQ(dp.cnt.oversize, 1, "counted as oversize");
	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, ACK, 9000, NULL,
	    NULL);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh->gso_size = htole16(1428);
	vh->csum_start = htole16(54);
	vh->csum_offset = htole16(16);
	EXPECT_EQ(run(len), DP_FORWARD, "TCPv6 GSO frame forwarded to segment");
	EXPECT_EQ(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    "GSO frame keeps its partial checksum for the kernel");
	EXPECT_EQ(dp.cnt.gso, 1, "counted as gso");
	len = mk6(FX_MAC_DIR, CLI, 40000, VIP, 80, IPPROTO_TCP, ACK, 9000, NULL,
	    NULL);
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = htole16(1428);
	EXPECT_EQ(run(len), DP_DROP,
	    "TCPv4 segmentation of an IPv6 packet: dropped");
}

static void
test_persistence(void)
{
	const char *v = "2001:db8::2";
	uint32_t len;
	uint8_t first[6];

	/* -M 64: the clients of one /64 stick together */
	add(AF_INET6, DRLB_CTL_ADD_SVC, IPPROTO_TCP, v, 443, "rr",
	    DRLB_SVC_F_PERSISTENT, 64, NULL, NULL);
	add(AF_INET6, DRLB_CTL_ADD_DEST, IPPROTO_TCP, v, 443, "rr",
	    DRLB_SVC_F_PERSISTENT, 64, "2001:db8::7", FX_MAC_RS1);
	add(AF_INET6, DRLB_CTL_ADD_DEST, IPPROTO_TCP, v, 443, "rr",
	    DRLB_SVC_F_PERSISTENT, 64, "2001:db8::8", FX_MAC_RS2);
	len = mk6(FX_MAC_DIR, "2001:db8:0:1::10", 50000, v, 443, IPPROTO_TCP,
	    SYN, 0, NULL, NULL);
	EXPECT_EQ(run(len), DP_FORWARD, "persistent IPv6: first client placed");
	memcpy(first, fr, 6);
	for (int i = 0; i < 4; i++) {
		char c[64];

		snprintf(c, sizeof(c), "2001:db8:0:1:%x::%x", i * 0x1111, i + 1);
		len = mk6(FX_MAC_DIR, c, (uint16_t)(50001 + i), v, 443,
		    IPPROTO_TCP, SYN, 0, NULL, NULL);
		EXPECT_EQ(run(len), DP_FORWARD, "same /64: forwarded");
		EXPECT_MEM(fr, first, 6, "same /64: same real server (-M 64)");
	}
	len = mk6(FX_MAC_DIR, "2001:db8:0:2::10", 50010, v, 443, IPPROTO_TCP,
	    SYN, 0, NULL, NULL);
	EXPECT_EQ(run(len), DP_FORWARD, "another /64: forwarded");
	EXPECT(memcmp(fr, first, 6) != 0,
	    "another /64: a new template, rr's next real server");
	EXPECT_EQ(conn_count(ct) > 0, 1, "templates and connections in the table");
}

static void
test_nd_and_icmp(void)
{
	uint32_t len;
	uint8_t *ip6 = fr + 14, *ip = fr + 14, rsmac[6];

	/* Neighbor Solicitation to the solicited-node group: to ndp.c */
	len = mk6(MAC_SNM, CLI, 0, "ff02::1:ff00:1", 0, IPPROTO_ICMPV6, 0, 24,
	    NULL, NULL);
	ip6[7] = 255;
	ip6[40] = 135;
	EXPECT_EQ(run(len), DP_CONSUMED, "IPv6 NS consumed beside the path");
	ip6[40] = 136;
	EXPECT_EQ(run(len), DP_CONSUMED, "IPv6 NA consumed beside the path");
	EXPECT_EQ(nd_seen, 2, "both handed to the ND handler");
	EXPECT_EQ(dp.cnt.ndp, 2, "counted as ndp");
	ip6[40] = 133;			/* router solicitation: not ours */
	EXPECT_EQ(run(len), DP_DROP, "other multicast ICMPv6 dropped");

	/* ICMPv6 packet too big about a flow: to that flow's real server */
	len = mk6(FX_MAC_DIR, CLI, 41000, VIP, 80, IPPROTO_TCP, SYN, 0, NULL,
	    NULL);
	EXPECT_EQ(run(len), DP_FORWARD, "flow for the PTB test");
	memcpy(rsmac, fr, 6);
	{
		uint8_t inner[60];

		/* what the real server sent: VIP:80 -> client:41000 */
		mk6(FX_MAC_CLI, VIP, 80, CLI, 41000, IPPROTO_TCP, ACK, 0, NULL,
		    NULL);
		memcpy(inner, ip6, 60);
		len = mk6(FX_MAC_DIR, "2001:db8::fe", 0, VIP, 0, IPPROTO_ICMPV6,
		    0, 60, NULL, NULL);
		ip6[40] = 2;		/* packet too big */
		ip6[41] = 0;
		ip6[46] = 0x05;		/* MTU 1280 */
		memcpy(ip6 + 48, inner, 60);
		EXPECT_EQ(run(len), DP_FORWARD,
		    "ICMPv6 packet too big about a flow: forwarded");
		EXPECT_MEM(fr, rsmac, 6, "to the flow's real server");
		EXPECT_EQ(dp.cnt.icmp_forwarded, 1, "counted as icmp_forwarded");
		ip6[48 + 40 + 3] = 99;	/* client port 41000 -> other */
		memcpy(fr, FX_MAC_DIR, 6);
		EXPECT_EQ(run(len), DP_DROP, "PTB about no known flow: dropped");
	}

	/* IPv4 fragmentation needed, the same way */
	len = fx_frame4(fr, FX_MAC_DIR, fx_ip4("198.18.0.100"), 41000,
	    fx_ip4("198.18.0.1"), 80, IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_FORWARD, "IPv4 flow for the frag-needed test");
	EXPECT_MEM(fr, FX_MAC_RS1, 6, "IPv4 flow at its only real server");
	{
		uint8_t inner[28];

		/* the real server's reply 198.18.0.1:80 -> .100:41000 */
		memcpy(inner, ip, 20);
		memcpy(inner + 12, ip + 16, 4);
		memcpy(inner + 16, ip + 12, 4);
		inner[20] = 0; inner[21] = 80;
		inner[22] = 0xa0; inner[23] = 0x28;
		inner[24] = inner[25] = inner[26] = inner[27] = 0;
		len = 14 + 20 + 8 + 28;
		memset(fr, 0, len);
		memcpy(fr, FX_MAC_DIR, 6);
		memcpy(fr + 6, FX_MAC_CLI, 6);
		fr[12] = 0x08;
		ip[0] = 0x45;
		ip[3] = 56;
		ip[8] = 64;
		ip[9] = IPPROTO_ICMP;
		pton(AF_INET, "198.18.0.254", ip + 12);
		pton(AF_INET, "198.18.0.1", ip + 16);
		ip[20] = 3;		/* unreachable */
		ip[21] = 4;		/* fragmentation needed */
		ip[26] = 0x05; ip[27] = 0xdc;	/* MTU 1500 */
		memcpy(ip + 28, inner, 28);
		EXPECT_EQ(run(len), DP_FORWARD,
		    "ICMP fragmentation needed about a flow: forwarded");
		EXPECT_MEM(fr, FX_MAC_RS1, 6, "to the flow's real server");
		EXPECT_EQ(dp.cnt.icmp_forwarded, 2, "counted as icmp_forwarded");
		ip[21] = 1;		/* host unreachable: not ours */
		memcpy(fr, FX_MAC_DIR, 6);
		EXPECT_EQ(run(len), DP_DROP, "other ICMP unreachable: dropped");
	}
}

int
main(void)
{
	svc_table_init(&st);
	ct = conn_table_create(1024);
	dp_init(&dp, FX_MAC_DIR, 1500, &st, ct);
	dp.now = 1;
	dp.ndp_input = nd_stub;

	add(AF_INET6, DRLB_CTL_ADD_SVC, IPPROTO_TCP, VIP, 80, "wrr", 0, 128,
	    NULL, NULL);
	add(AF_INET6, DRLB_CTL_ADD_DEST, IPPROTO_TCP, VIP, 80, "wrr", 0, 128,
	    "2001:db8::7", FX_MAC_RS1);
	add(AF_INET6, DRLB_CTL_ADD_DEST, IPPROTO_TCP, VIP, 80, "wrr", 0, 128,
	    "2001:db8::8", FX_MAC_RS2);
	add(AF_INET6, DRLB_CTL_ADD_SVC, IPPROTO_UDP, VIP, 53, "wlc", 0, 128,
	    NULL, NULL);
	add(AF_INET6, DRLB_CTL_ADD_DEST, IPPROTO_UDP, VIP, 53, "wlc", 0, 128,
	    "2001:db8::7", FX_MAC_RS1);
	add(AF_INET, DRLB_CTL_ADD_SVC, IPPROTO_TCP, "198.18.0.1", 80, "wlc", 0,
	    0xffffffff, NULL, NULL);
	add(AF_INET, DRLB_CTL_ADD_DEST, IPPROTO_TCP, "198.18.0.1", 80, "wlc", 0,
	    0xffffffff, "198.18.0.7", FX_MAC_RS1);

	test_forwarding();
	test_offload();
	test_persistence();
	test_nd_and_icmp();
	return EXPECT_DONE();
}
