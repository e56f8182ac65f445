/*
 * The data path without a network: frames built here go through dp_process
 * with a real service table, connection table and scheduler, and we check the
 * verdict, the rewritten frame and the counters.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "fixtures.h"
#include "expect.h"

static struct svc_table st;
static struct conn_table *ct;
static struct dp dp;

static uint8_t buf[70000 + 64];
static struct virtio_net_hdr *vh = (struct virtio_net_hdr *)(buf + 54);
static uint8_t *fr = buf + 64;		/* vnet header right before, as in the ring */

/* the real server 198.18.0.<rip> of proto 198.18.0.1:port; with mac, its
 * MAC known */
static void
add_dest(uint16_t proto, uint16_t port, int rip, int w, const uint8_t *mac)
{
	struct drlb_ctl_req r = fx_req(proto, port, NULL, rip, w);

	if (fx_apply(&st, DRLB_CTL_ADD_DEST, &r) != 0) {
		printf("not ok - add dest 198.18.0.%d\n", rip);
		exit(1);
	}
	if (mac != NULL)
		fx_resolve(fx_dest_find(&st, port, rip), mac);
}

/* a frame from the client's MAC into fr, with no vnet header */
static uint32_t
mkframe(const uint8_t *dst, const char *src, uint16_t sport, const char *dstip,
    uint16_t dport, uint8_t proto, uint8_t tcpflags, uint32_t payload)
{
	memset(vh, 0, sizeof(*vh));
	return fx_frame4(fr, dst, fx_ip4(src), sport, fx_ip4(dstip), dport,
	    proto, tcpflags, payload);
}

static enum dp_verdict
run(uint32_t len)
{
	struct dp_frame f = { .data = fr, .len = len, .wire_len = len,
	    .vnet = vh };

	return dp_process(&dp, &f);
}

#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04

int
main(void)
{
	struct drlb_ctl_req r;
	uint8_t copy[256];
	uint32_t len;
	struct dest *d1, *d2;
	uint64_t before;

	svc_table_init(&st);
	ct = conn_table_create(1024);
	dp_init(&dp, FX_MAC_DIR, 1500, &st, ct);
	dp.now = 1;

	EXPECT_EQ(fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "wrr"), 0,
	    "add TCP service");
	r = fx_req(IPPROTO_UDP, 53, "wlc", 0, 0);
	EXPECT_EQ(fx_apply(&st, DRLB_CTL_ADD_SVC, &r), 0, "add UDP service");
	add_dest(IPPROTO_TCP, 80, 7, 1, FX_MAC_RS1);
	add_dest(IPPROTO_TCP, 80, 8, 1, FX_MAC_RS2);
	add_dest(IPPROTO_UDP, 53, 7, 1, FX_MAC_RS1);

	/* a SYN is scheduled; only the Ethernet addresses change */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	memcpy(copy, fr, len);
	EXPECT_EQ(run(len), DP_FORWARD, "SYN to VIP:80 is forwarded");
	EXPECT(memcmp(fr, FX_MAC_RS1, 6) == 0 || memcmp(fr, FX_MAC_RS2, 6) == 0,
	    "destination MAC is a real server's");
	EXPECT_MEM(fr + 6, FX_MAC_DIR, 6, "source MAC is the director's");
	EXPECT_MEM(fr + 12, copy + 12, len - 12,
	    "the IP packet is untouched, byte for byte");
	EXPECT_EQ(conn_count(ct), 1, "one connection in the table");
	d1 = memcmp(fr, FX_MAC_RS1, 6) == 0 ? fx_dest_find(&st, 80, 7) :
	    fx_dest_find(&st, 80, 8);

	/* the same flow sticks */
	for (int i = 0; i < 5; i++) {
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1",
		    80, IPPROTO_TCP, ACK, 100);
		EXPECT_EQ(run(len), DP_FORWARD, "ACK of the flow forwarded");
		EXPECT_MEM(fr, d1->mac, 6, "same flow, same real server");
	}
	EXPECT_EQ(d1->activeconns, 1, "ACK after SYN: the connection is active");
	EXPECT_EQ(d1->stats.inpkts, 6, "real server's InPkts counts frames");
	EXPECT_EQ(d1->stats.inbytes, 40 + 5 * 140, "InBytes counts IP bytes");
	EXPECT_EQ(d1->stats.outpkts, 0, "OutPkts stays 0 in DR");

	/* a second flow goes to the other real server (wrr 1:1) */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40001, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_FORWARD, "second SYN forwarded");
	d2 = memcmp(fr, FX_MAC_RS1, 6) == 0 ? fx_dest_find(&st, 80, 7) :
	    fx_dest_find(&st, 80, 8);
	EXPECT(d1 != d2, "wrr 1:1 alternates real servers");

	/* IPVS conn_reuse_mode 1: a SYN on a connection in CLOSE (or
	 * TIME_WAIT) is a new connection, scheduled afresh; in FIN_WAIT it
	 * is not (that takes conn_reuse_mode 2) */
	{
		uint32_t conns0 = d1->stats.conns + d2->stats.conns;
		uint32_t n0 = conn_count(ct);

		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
		    IPPROTO_TCP, RST, 0);
		EXPECT_EQ(run(len), DP_FORWARD, "RST of the flow forwarded");
		EXPECT_EQ(d1->activeconns + d2->activeconns, 1,
		    "RST: CLOSE, no longer active");
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
		    IPPROTO_TCP, SYN, 0);
		EXPECT_EQ(run(len), DP_FORWARD, "SYN on the CLOSE flow forwarded");
		EXPECT_EQ(d1->stats.conns + d2->stats.conns, conns0 + 1,
		    "SYN in CLOSE: a new connection was scheduled");
		EXPECT_EQ(conn_count(ct), n0, "... in place of the old entry");
		EXPECT_EQ(d1->activeconns + d2->activeconns +
		    d1->inactconns + d2->inactconns, n0,
		    "counts: the old entry uncounted, the new one counted");
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
		    IPPROTO_TCP, ACK, 0);
		run(len);
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
		    IPPROTO_TCP, FIN | ACK, 0);
		run(len);			/* ES -> FIN_WAIT */
		conns0 = d1->stats.conns + d2->stats.conns;
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
		    IPPROTO_TCP, SYN, 0);
		EXPECT_EQ(run(len), DP_FORWARD, "SYN on the FIN_WAIT flow forwarded");
		EXPECT_EQ(d1->stats.conns + d2->stats.conns, conns0,
		    "SYN in FIN_WAIT: the same connection (SYN_RECV)");
	}

	/* unknown TCP flow, not a SYN: IPVS does not schedule it */
	before = dp.cnt.no_conn;
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40002, "198.18.0.1", 80,
	    IPPROTO_TCP, ACK, 0);
	EXPECT_EQ(run(len), DP_DROP, "ACK of an unknown flow is dropped");
	EXPECT_EQ(dp.cnt.no_conn, before + 1, "counted as no_conn");
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40003, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN | RST, 0);
	EXPECT_EQ(run(len), DP_DROP, "SYN+RST does not schedule");

	/* UDP: any packet schedules */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 5353, "198.18.0.1", 53,
	    IPPROTO_UDP, 0, 20);
	EXPECT_EQ(run(len), DP_FORWARD, "UDP datagram forwarded");
	EXPECT_MEM(fr, FX_MAC_RS1, 6, "UDP goes to the UDP service's real server");
	{
		union drlb_inaddr vip;
		struct svc *us;

		memset(&vip, 0, sizeof(vip));
		vip.in.s_addr = fx_ip4("198.18.0.1");
		us = svc_find(&st, AF_INET, IPPROTO_UDP, &vip, 53);

		/* the UDP service's own .7, not the TCP service's */
		EXPECT(us != NULL && us->ndests == 1 &&
		    us->dests[0]->inactconns == 1 &&
		    us->dests[0]->activeconns == 0,
		    "UDP connections count as inactive");
	}

	/* policy drops, each under its own counter */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 81,
	    IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_DROP, "VIP but no service on the port: dropped");
	EXPECT_EQ(dp.cnt.no_service, 1, "counted as no_service");

	len = mkframe(FX_MAC_DIR, "198.18.0.100", 0, "198.18.0.1", 0,
	    IPPROTO_ICMP, 0, 8);
	EXPECT_EQ(run(len), DP_DROP, "ICMP to the VIP: dropped");
	EXPECT_EQ(dp.cnt.other_proto, 1, "counted as other_proto");

	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.99", 80,
	    IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_DROP, "not a VIP: dropped");
	EXPECT_EQ(dp.cnt.not_vip, 1, "counted as not_vip");

	len = mkframe(FX_MAC_RS2, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_DROP, "frame to another MAC: not ours");
	EXPECT_EQ(dp.cnt.not_for_us, 1, "counted as not_for_us");

	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	fr[14 + 6] = 0x20;		/* MF */
	EXPECT_EQ(run(len), DP_DROP, "first fragment dropped");
	fr[14 + 6] = 0x00;
	fr[14 + 7] = 0x10;		/* offset */
	EXPECT_EQ(run(len), DP_DROP, "later fragment dropped");
	EXPECT_EQ(dp.cnt.fragment, 2, "counted as fragment");

	/* malformed: every length the header claims is checked */
	before = dp.cnt.malformed;
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	fr[14] = 0x44;			/* IHL 4 */
	EXPECT_EQ(run(len), DP_DROP, "IHL < 5 dropped");
	fr[14] = 0x4f;			/* IHL 15: 60 bytes > packet */
	EXPECT_EQ(run(len), DP_DROP, "IHL beyond the packet dropped");
	fr[14] = 0x45;
	fr[14 + 2] = 0x10;		/* total length 4096 > captured */
	EXPECT_EQ(run(len), DP_DROP, "total length beyond the frame dropped");
	fr[14 + 2] = 0;
	fr[14 + 3] = 30;		/* total length cuts the TCP header */
	EXPECT_EQ(run(len), DP_DROP, "truncated TCP header dropped");
	fr[14] = 0x65;			/* version 6 in an IPv4 frame */
	fr[14 + 3] = 40;
	EXPECT_EQ(run(len), DP_DROP, "wrong IP version dropped");
	fr[14] = 0x45;
	fr[14 + 32] = 0xf0;		/* data offset 60 > segment */
	EXPECT_EQ(run(len), DP_DROP, "TCP data offset beyond the segment dropped");
	for (uint32_t l = 0; l < 54; l++)
		run(l);			/* every truncation of a SYN */
	EXPECT_EQ(dp.cnt.malformed, before + 6 + 54,
	    "each malformed frame counted once");
	{
		struct dp_frame f = { .data = fr, .len = 60, .wire_len = 2000,
		    .vnet = vh };
		EXPECT_EQ(dp_process(&dp, &f), DP_DROP,
		    "frame captured shorter than on the wire dropped");
		EXPECT_EQ(dp.cnt.truncated, 1, "counted as truncated");
	}

	/* unfinished checksum (CHECKSUM_PARTIAL on veth) gets finished */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, ACK, 333);
	{
		/* the pseudo-header sum the sender's kernel leaves */
		uint8_t *ip = fr + 14;
		uint32_t s = 0, l4 = len - 34;
		uint16_t v;

		for (int i = 12; i < 20; i += 2)
			s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
		s += IPPROTO_TCP + l4;
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		ip[36] = (uint8_t)(s >> 8);
		ip[37] = (uint8_t)s;
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = htole16(34);
		vh->csum_offset = htole16(16);
		before = dp.cnt.csum_finished;
		EXPECT_EQ(run(len), DP_FORWARD, "partial-checksum frame forwarded");
		EXPECT_EQ(dp.cnt.csum_finished, before + 1, "checksum finished");
		EXPECT_EQ(vh->flags, VIRTIO_NET_HDR_F_DATA_VALID,
		    "vnet header no longer asks for a checksum");
		/* verify: sum over pseudo header and segment is 0xffff */
		s = 0;
		for (int i = 12; i < 20; i += 2)
			s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
		s += IPPROTO_TCP + l4;
		for (uint32_t i = 0; i + 1 < l4; i += 2)
			s += (uint32_t)(ip[20 + i] << 8 | ip[20 + i + 1]);
		if (l4 & 1)
			s += (uint32_t)(ip[20 + l4 - 1] << 8);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		v = (uint16_t)s;
		EXPECT_EQ(v, 0xffff, "finished checksum verifies at the receiver");
	}

	/* oversize: a coalesced frame needs the kernel's segmentation data */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, ACK, 9000);
	EXPECT_EQ(run(len), DP_DROP, "frame over the MTU without GSO info dropped");
	EXPECT_EQ(dp.cnt.oversize, 1, "counted as oversize");
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1", 80,
	    IPPROTO_TCP, ACK, 9000);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = htole16(1448);
	vh->csum_start = htole16(34);
	vh->csum_offset = htole16(16);
	EXPECT_EQ(run(len), DP_FORWARD, "GSO frame forwarded for the kernel to segment");
	EXPECT_EQ(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    "GSO frame keeps its partial checksum for the kernel");
	EXPECT_EQ(dp.cnt.gso, 1, "counted as gso");

	/* weight 0: existing flow continues, no new ones */
	{
		EXPECT_EQ(fx_dest(&st, DRLB_CTL_EDIT_DEST, 80,
		    d1->conf.addr.b[3], 0), 0, "set weight 0");
		len = mkframe(FX_MAC_DIR, "198.18.0.100", 40000, "198.18.0.1",
		    80, IPPROTO_TCP, ACK, 10);
		EXPECT_EQ(run(len), DP_FORWARD, "existing flow still forwarded");
		EXPECT_MEM(fr, d1->mac, 6, "existing flow keeps its real server");
		for (int i = 0; i < 4; i++) {
			len = mkframe(FX_MAC_DIR, "198.18.0.101",
			    (uint16_t)(41000 + i), "198.18.0.1", 80,
			    IPPROTO_TCP, SYN, 0);
			EXPECT_EQ(run(len), DP_FORWARD, "new flow forwarded");
			EXPECT_MEM(fr, d2->mac, 6,
			    "new flows avoid the weight-0 real server");
		}
	}

	/* a real server whose MAC is unknown is not scheduled */
	add_dest(IPPROTO_TCP, 80, 9, 100, NULL);
	len = mkframe(FX_MAC_DIR, "198.18.0.102", 42000, "198.18.0.1", 80,
	    IPPROTO_TCP, SYN, 0);
	EXPECT_EQ(run(len), DP_FORWARD, "SYN forwarded despite an unresolved dest");
	EXPECT_MEM(fr, d2->mac, 6, "the unresolved real server gets nothing");

	/* sloppy_tcp: a mid-stream segment of an unknown flow is scheduled */
	dp.sloppy_tcp = 1;
	len = mkframe(FX_MAC_DIR, "198.18.0.103", 43000, "198.18.0.1", 80,
	    IPPROTO_TCP, ACK, 10);
	EXPECT_EQ(run(len), DP_FORWARD, "sloppy_tcp: ACK of an unknown flow scheduled");
	{
		struct conn_key k;
		struct conn *c;

		memset(&k, 0, sizeof(k));
		k.af = AF_INET;
		k.protocol = IPPROTO_TCP;
		k.caddr.in.s_addr = fx_ip4("198.18.0.103");
		k.vaddr.in.s_addr = fx_ip4("198.18.0.1");
		k.cport = htons(43000);
		k.vport = htons(80);
		c = conn_lookup(ct, &k);
		/* INPUT-ONLY ack in NONE -> ESTABLISHED (tcp_states[]) */
		EXPECT(c != NULL && c->state == CONN_S_ESTABLISHED &&
		    !(c->flags & CONN_F_INACTIVE),
		    "sloppy_tcp: a flow picked up by its ACK is ESTABLISHED, active");
	}
	len = mkframe(FX_MAC_DIR, "198.18.0.103", 43001, "198.18.0.1", 80,
	    IPPROTO_TCP, RST | ACK, 0);
	EXPECT_EQ(run(len), DP_DROP, "sloppy_tcp: RST of an unknown flow still dropped");
	dp.sloppy_tcp = 0;

	/* ARP goes beside the path */
	len = mkframe(FX_MAC_DIR, "198.18.0.100", 0, "198.18.0.1", 0, 0, 0, 28);
	fr[12] = 0x08;
	fr[13] = 0x06;
	EXPECT_EQ(run(len), DP_CONSUMED, "ARP consumed");
	/* anything else */
	fr[12] = 0x88;
	fr[13] = 0xb5;			/* an experimental ethertype */
	EXPECT_EQ(run(len), DP_DROP, "neither IPv4, IPv6 nor ARP: dropped");
	EXPECT_EQ(dp.cnt.non_ip, 1, "counted as non_ip");
	return EXPECT_DONE();
}
