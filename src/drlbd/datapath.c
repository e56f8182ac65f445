/*
 * The path of one frame through a Direct-Routing director.
 *
 *   client ──▶ director ──▶ real server ──▶ client (directly, not through us)
 *
 * In LVS-DR the director and the real servers share one Ethernet segment and
 * every real server holds the VIP on its loopback.  So to hand a client's
 * packet to a real server the director does not touch the IP packet at all:
 * it only readdresses the Ethernet frame.
 *
 *   frame in:   dst MAC = director   src MAC = client (or router)
 *               IP  client:cport -> VIP:vport
 *   frame out:  dst MAC = real srv   src MAC = director
 *               IP  client:cport -> VIP:vport          (unchanged, byte for byte)
 *
 * The real server's kernel accepts the packet because the VIP is one of its
 * own addresses (on lo), and answers from the VIP straight to the client.
 * The director therefore sees only the client->server half of each
 * connection, which is why TCP state is followed from that half alone.
 *
 * The same holds for IPv6 (the VIP on the real servers' lo as a /128).
 * ARP and Neighbor Discovery -- who owns the VIP, where the real servers
 * are -- are handled beside this path (arp.c, ndp.c); an ICMP error about a
 * flow (fragmentation needed, packet too big) follows the flow to its real
 * server, the only host that can act on it.
 *
 * dp_process() at the bottom reads top to bottom in that order: parse, look
 * up or schedule, rewrite, finish checksums.  Every frame that is not
 * forwarded is counted under the reason it was refused (struct
 * dp_counters), and with `drlbadm --trace` each step says what it did.
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include "csum.h"
#include "datapath.h"
#include "sched.h"
#include "trace.h"

#define ETH_HLEN_	14
#define ETHERTYPE_IPV6_	0x86dd
#define IP_MF		0x2000
#define IP_OFFMASK	0x1fff
#define IP6_HLEN	40
/* at most this many IPv6 extension headers are walked to find TCP/UDP: a
 * real packet has one or two; a long chain is an attack on middleboxes */
#define IP6_EXT_MAX	8
/* ICMP "fragmentation needed" / ICMPv6 "packet too big" */
#define ICMP_UNREACH_	3
#define ICMP_NEEDFRAG_	4
#define ICMP6_PTB	2
#define ND_NS		135
#define ND_NA		136
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5	/* linux/virtio_net.h of 2021 */
#endif

/* What parsing found in an IPv4 or IPv6 packet to a VIP. */
struct dp_pkt {
	uint8_t *ip;			/* the IP header */
	uint32_t iplen;			/* IP packet length (IPv6: 40 + payload) */
	uint32_t l4off;			/* upper-layer header, from ip */
	uint8_t proto;			/* TCP, UDP, ICMP, ICMPv6, ... */
	uint16_t af;
};

void
dp_init(struct dp *dp, const uint8_t mac[6], uint32_t mtu,
    struct svc_table *svcs, struct conn_table *conns)
{
	memset(dp, 0, sizeof(*dp));
	memcpy(dp->mac, mac, 6);
	memcpy(dp->link_mac[0], mac, 6);
	dp->nlinks = 1;
	dp->mtu = mtu;
	dp->svcs = svcs;
	dp->conns = conns;
	dp->wid = -1;
}

int
dp_add_link(struct dp *dp, const uint8_t mac[6], uint32_t mtu)
{
	if (dp->nlinks == DP_LINKS_MAX)
		return -1;
	memcpy(dp->link_mac[dp->nlinks++], mac, 6);
	/* a frame may go out of any link: it must fit the smallest */
	if (mtu < dp->mtu)
		dp->mtu = mtu;
	return 0;
}

static inline uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

/* TCP flags byte -> the CONN_TCP_* events IPVS's state table knows */
static inline uint8_t
tcp_events(uint8_t th_flags)
{
	return th_flags & (CONN_TCP_FIN | CONN_TCP_SYN | CONN_TCP_RST |
	    CONN_TCP_ACK);
}

/* Recompute a TCP/UDP checksum from the packet alone (pseudo header of the
 * packet's family). */
static int
dp_csum_l4(const struct dp_pkt *p)
{
	if (p->af == AF_INET6)
		return csum_ipv6_l4(p->ip, p->iplen, p->l4off, p->proto);
	return csum_ipv4_l4(p->ip, p->iplen);
}

/*
 * Finish an L4 checksum the sender's kernel left to offload.  With the
 * kernel's offload metadata (virtio_net_hdr) we know exactly where it starts;
 * without it, recompute it from the pseudo header.  A coalesced (GSO) frame
 * keeps its partial checksum: the kernel finishes it per segment when it
 * segments the frame on transmit.  IPv6 is the same, with RFC 8200's pseudo
 * header and the L4 header after any extension headers.
 */
static void
dp_finish_csum(struct dp *dp, struct dp_frame *f, const struct dp_pkt *p)
{
	struct virtio_net_hdr *vh = f->vnet;

	if (vh != NULL) {
		uint32_t start = le16toh(vh->csum_start);
		uint32_t off = le16toh(vh->csum_offset);

		if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		    vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
			return;
		/* trust the metadata only where it agrees with the packet:
		 * the sum starts at the L4 header and lands in its checksum
		 * field; anything else is recomputed from the packet */
		if (start != ETH_HLEN_ + p->l4off ||
		    off != (p->proto == IPPROTO_TCP ? 16u : 6u)) {
			if (dp_csum_l4(p) == 0) {
				vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
				dp->cnt.csum_finished++;
			}
			return;
		}
		/* the frame is only as long as its IP packet: Ethernet
		 * padding (short frames) is not part of the sum */
		if (csum_finish_partial(f->data, ETH_HLEN_ + p->iplen, start,
		    off) == 0) {
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
			dp->cnt.csum_finished++;
		}
		return;
	}
	/* no offload data (libpcap): finish only what looks unfinished */
	if ((f->flags & DP_FRAME_CSUM_PARTIAL) &&
	    csum_l4_looks_partial(p->ip, p->iplen, p->l4off, p->proto) &&
	    dp_csum_l4(p) == 0)
		dp->cnt.csum_finished++;
}

/*
 * A coalesced frame's segmentation type must be the packet's own: TCPv4 for
 * TCP over IPv4, TCPv6 over IPv6, UDP (UFO) or UDP_L4 for UDP.  Anything
 * else would have the kernel cut the frame by the wrong rules.
 */
static bool
dp_gso_matches(const struct virtio_net_hdr *vh, const struct dp_pkt *p)
{
	uint8_t t = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (p->proto == IPPROTO_TCP)
		return t == (p->af == AF_INET6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
		    VIRTIO_NET_HDR_GSO_TCPV4);
	return t == VIRTIO_NET_HDR_GSO_UDP || t == VIRTIO_NET_HDR_GSO_UDP_L4;
}

/*
 * IPv6 puts optional extension headers between its fixed header and TCP or
 * UDP, each naming the next.  Walk hop-by-hop options (first only),
 * routing (only with no segments left: the VIP is the final destination)
 * and destination options, at most IP6_EXT_MAX of them, to the upper
 * layer.  Returns 0 with *l4off and *proto set, or why not:
 * -1 malformed, -2 a fragment header, -3 a header we do not pass.
 */
static int
dp_ipv6_upper(const uint8_t *ip6, uint32_t len, uint32_t *l4off,
    uint8_t *proto, unsigned *next)
{
	uint32_t off = IP6_HLEN;
	uint8_t nh = ip6[6];

	for (*next = 0;; (*next)++) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
			if (off != IP6_HLEN)
				return -1;	/* RFC 8200 4.1: first only */
			/* FALLTHROUGH */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (*next >= IP6_EXT_MAX)
				return -3;
			if (len < 8 || off > len - 8)
				return -1;
			if (nh == IPPROTO_ROUTING && ip6[off + 3] != 0)
				return -3;	/* segments left: not ours */
			nh = ip6[off];
			off += ((uint32_t)ip6[off + 1] + 1) * 8;
			if (off > len)
				return -1;
			break;
		case IPPROTO_FRAGMENT:
			return -2;
		default:
			*l4off = off;
			*proto = nh;
			return 0;
		}
	}
}

/*
 * Neighbor Discovery (RFC 4861) rides in ICMPv6: a Neighbor Solicitation or
 * Advertisement, with no extension header before it.  Like ARP for IPv4 it
 * is handled beside the path (ndp.c), whatever its destination MAC: NS for
 * a VIP come to the solicited-node multicast address.
 */
static bool
dp_is_nd(const uint8_t *eth, uint32_t len)
{
	const uint8_t *ip6 = eth + ETH_HLEN_;

	return len >= ETH_HLEN_ + IP6_HLEN + 4 && (ip6[0] >> 4) == 6 &&
	    ip6[6] == IPPROTO_ICMPV6 &&
	    (ip6[IP6_HLEN] == ND_NS || ip6[IP6_HLEN] == ND_NA);
}

/* ---- trace helpers (only called when someone listens) ---------------- */

static const char *
tcp_flags_str(char *b, uint8_t ev)
{
	char *p = b;

	if (ev & CONN_TCP_SYN) *p++ = 'S';
	if (ev & CONN_TCP_FIN) *p++ = 'F';
	if (ev & CONN_TCP_RST) *p++ = 'R';
	if (ev & CONN_TCP_ACK) *p++ = '.';
	*p = '\0';
	return b;
}

static const char *
dest_str(char *b, size_t len, const struct dest *d)
{
	return trace_addrport(b, len, d->conf.af, &d->conf.addr, d->conf.port);
}

/* The scheduler's view of every real server, and its pick. */
static void
trace_sched(const struct svc *svc, const struct dest *pick)
{
	char line[768], a[64];
	size_t off = 0;

	for (uint32_t i = 0; i < svc->ndests && off < sizeof(line) - 1; i++) {
		const struct dest *d = svc->dests[i];

		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    "%s%s w=%d act=%u inact=%u%s", i ? " | " : "",
		    dest_str(a, sizeof(a), d), d->conf.weight, d->activeconns,
		    d->inactconns, !dest_usable(d) ?
		    ((d->flags & DEST_F_NOMAC) ? " (no MAC)" : " (overloaded)") :
		    "");
	}
	TRACE("  sched %s: %s -> %s", svc->sched->name, line,
	    pick ? dest_str(a, sizeof(a), pick) : "none");
}

/*
 * Persistence (-p): every connection of a client group -- the client
 * address masked with -M -- goes to the same real server while the group
 * keeps coming back within the timeout.  The choice is remembered in a
 * connection template keyed <protocol, client & mask, 0, VIP, port> (port
 * 0 for a port-0 service, which so sticks all ports of the VIP together;
 * for IPv6 the mask is the first -M bits, a prefix length),
 * exactly as IPVS's ip_vs_sched_persist does.  Returns 0 with *dp_dest and
 * *tmplp set, or -1 (counted) when no real server can be had.
 */
static int
dp_schedule_persist(struct dp *dp, struct svc *svc, const struct conn_key *k,
    struct conn **tmplp, struct dest **destp)
{
	struct conn_key tk;
	struct conn_table *tt = conn_templates(dp->conns);
	struct conn *t;
	struct dest *d;

	conn_template_key(svc, k, &tk);
	t = conn_lookup(tt, &tk);
	if (t != NULL) {
		d = t->dest;
		TRACE("  persistence: client group has a template -> %s",
		    dest_str((char[64]){0}, 64, d));
		/* IPVS ip_vs_check_template: a removed real server (or, here,
		 * one that no longer answers ARP) ends the stickiness */
		if (!(d->flags & DEST_F_AVAILABLE) || (d->flags & DEST_F_NOMAC)) {
			conn_template_invalidate(tt, t);
			t = NULL;
		}
	}
	if (t == NULL) {
		d = svc->sched->schedule(svc, k);
		if (TRACE_ON)
			trace_sched(svc, d);
		if (d == NULL) {
			dp->cnt.no_dest++;
			return -1;
		}
		TRACE("  persistence: new template for the client group");
		t = conn_template_insert(tt, &tk, d, dp->now,
		    svc->conf.timeout);
		if (t == NULL) {
			dp->cnt.table_full++;
			return -1;
		}
	} else
		conn_template_touch(tt, t, dp->now);
	*tmplp = t;
	*destp = t->dest;
	return 0;
}

/*
 * 4. A new connection: the scheduler (or the client group's persistence
 * template) picks the real server, the table remembers the choice.  With
 * workers this runs under dp->lock: the scheduler's state and the real
 * servers' counts are shared by all workers.  NULL (counted) when the flow
 * cannot be placed.
 */
static struct conn *
dp_new_conn(struct dp *dp, struct svc *svc, const struct conn_key *key)
{
	struct conn *c, *tmpl = NULL;
	struct dest *d;

	if (svc->conf.flags & DRLB_SVC_F_PERSISTENT) {
		if (dp_schedule_persist(dp, svc, key, &tmpl, &d) < 0)
			return NULL;
	} else {
		d = svc->sched->schedule(svc, key);
		if (TRACE_ON)
			trace_sched(svc, d);
		if (d == NULL) {
			dp->cnt.no_dest++;
			TRACE("  drop: no real server can take it (no_dest)");
			return NULL;
		}
	}
	c = conn_insert(dp->conns, key, d, dp->now);
	if (c == NULL) {
		dp->cnt.table_full++;
		TRACE("  drop: connection table full (table_full)");
		return NULL;
	}
	if (tmpl != NULL)
		conn_set_control(dp->conns, c, tmpl);
	dp->cnt.conns_new++;
	return c;
}

/*
 * 1b. IPv4: the header's lengths checked, the VIP found, fragments and
 * options placed.  Returns 0 with p filled, or -1 (counted).
 */
static int
dp_parse_ipv4(struct dp *dp, uint8_t *ip, uint32_t len, struct dp_pkt *p,
    struct conn_key *key)
{
	uint32_t ihl;

	if (len < 20 || (ip[0] >> 4) != 4) {
		dp->cnt.malformed++;
		return -1;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || get16(ip + 2) < ihl || get16(ip + 2) > len) {
		dp->cnt.malformed++;
		return -1;
	}
	p->ip = ip;
	p->iplen = get16(ip + 2);	/* drop Ethernet padding */
	p->l4off = ihl;
	p->proto = ip[9];
	p->af = AF_INET;
	memset(key, 0, sizeof(*key));
	memcpy(&key->vaddr, ip + 16, 4);
	memcpy(&key->caddr, ip + 12, 4);
	if (!svc_is_vip(dp->svcs, AF_INET, &key->vaddr)) {
		dp->cnt.not_vip++;
		return -1;
	}
	if (get16(ip + 6) & (IP_MF | IP_OFFMASK)) {
		/* only the first fragment carries ports; without reassembly
		 * we cannot place the others, so none are forwarded */
		dp->cnt.fragment++;
		return -1;
	}
	return 0;
}

/*
 * 1b'. IPv6: the same for a 40-byte fixed header and the extension headers
 * after it.  A payload length of 0 (a jumbogram, or BIG TCP) is not taken.
 */
static int
dp_parse_ipv6(struct dp *dp, uint8_t *ip6, uint32_t len, struct dp_pkt *p,
    struct conn_key *key)
{
	unsigned next;
	int r;

	if (len < IP6_HLEN || (ip6[0] >> 4) != 6 || get16(ip6 + 4) == 0 ||
	    get16(ip6 + 4) > len - IP6_HLEN) {
		dp->cnt.malformed++;
		return -1;
	}
	p->ip = ip6;
	p->iplen = IP6_HLEN + get16(ip6 + 4);	/* drop Ethernet padding */
	p->af = AF_INET6;
	memset(key, 0, sizeof(*key));
	memcpy(&key->caddr, ip6 + 8, 16);
	memcpy(&key->vaddr, ip6 + 24, 16);
	if (!svc_is_vip(dp->svcs, AF_INET6, &key->vaddr)) {
		dp->cnt.not_vip++;
		return -1;
	}
	r = dp_ipv6_upper(ip6, p->iplen, &p->l4off, &p->proto, &next);
	if (r == -1) {
		dp->cnt.malformed++;
		return -1;
	}
	if (r == -2) {
		/* as IPv4: no reassembly in the director */
		dp->cnt.fragment++;
		return -1;
	}
	if (r == -3) {
		/* too many, or a routing header naming further hops */
		dp->cnt.ext_hdr_dropped++;
		return -1;
	}
	if (next > 0)
		dp->cnt.ext_hdrs++;
	return 0;
}

/*
 * An ICMP error about one of our flows: a router between a real server and
 * the client says a reply was too big (IPv4 "fragmentation needed", ICMPv6
 * "packet too big").  The reply came from the VIP, so the error comes to the
 * VIP -- that is, to us -- but only the real server that sent it can lower
 * its path MTU.  The error quotes the reply's headers, VIP:port -> client:
 * swapped, they are the flow's key, and the error goes where the flow goes
 * (IPVS ip_vs_in_icmp does the same).  Returns 0 with *cp set, or -1.
 */
static int
dp_icmp_flow(struct dp *dp, const struct dp_pkt *p, struct conn **cp)
{
	const uint8_t *l4 = p->ip + p->l4off, *in;
	uint32_t l4len = p->iplen - p->l4off, inlen, inl4;
	struct conn_key k;
	uint8_t proto;
	unsigned next;

	if (l4len < 8)
		return -1;
	in = l4 + 8;
	inlen = l4len - 8;
	memset(&k, 0, sizeof(k));
	if (p->af == AF_INET) {
		if (l4[0] != ICMP_UNREACH_ || l4[1] != ICMP_NEEDFRAG_ ||
		    inlen < 20 || (in[0] >> 4) != 4)
			return -1;
		inl4 = (uint32_t)(in[0] & 0x0f) * 4;
		proto = in[9];
		/* a later fragment quotes no ports */
		if (inl4 < 20 || (get16(in + 6) & IP_OFFMASK) ||
		    memcmp(in + 12, p->ip + 16, 4) != 0)
			return -1;
		memcpy(&k.vaddr, in + 12, 4);
		memcpy(&k.caddr, in + 16, 4);
	} else {
		if (l4[0] != ICMP6_PTB || inlen < IP6_HLEN ||
		    (in[0] >> 4) != 6 ||
		    dp_ipv6_upper(in, inlen, &inl4, &proto, &next) != 0 ||
		    memcmp(in + 8, p->ip + 24, 16) != 0)
			return -1;
		memcpy(&k.vaddr, in + 8, 16);
		memcpy(&k.caddr, in + 24, 16);
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || inl4 + 4 > inlen)
		return -1;
	memcpy(&k.vport, in + inl4, 2);
	memcpy(&k.cport, in + inl4 + 2, 2);
	k.protocol = proto;
	k.af = (uint8_t)p->af;
	*cp = conn_lookup(dp->conns, &k);
	return *cp != NULL ? 0 : -1;
}

enum dp_verdict
dp_process(struct dp *dp, struct dp_frame *f)
{
	uint8_t *eth = f->data, *l4;
	uint32_t l4len;
	uint16_t ethertype;
	uint8_t events = 0;
	bool gso = false, icmp = false;
	struct dp_pkt pk;
	struct conn_key key;
	struct svc *svc;
	struct conn *c;
	struct dest *d;

	dp->cnt.rx++;
	trace_mask = 0;

	/* ---- 1. parse: Ethernet ---------------------------------------- */
	if (f->len < f->wire_len) {
		/* the ring slot was too small: we do not have the whole frame
		 * and must not send a piece of it */
		dp->cnt.truncated++;
		return DP_DROP;
	}
	if (f->len < ETH_HLEN_) {
		dp->cnt.malformed++;
		return DP_DROP;
	}
	ethertype = get16(eth + 12);
	if (ethertype == ETHERTYPE_ARP) {
		/* VIP ownership and real-server MACs live beside the path */
		dp->cnt.arp++;
		if (dp->arp_input)
			dp->arp_input(dp->arp_arg, f->link, eth, f->len);
		return DP_CONSUMED;
	}
	if (ethertype == ETHERTYPE_IPV6_ && dp_is_nd(eth, f->len)) {
		/* IPv6's ARP: Neighbor Discovery, also beside the path */
		dp->cnt.ndp++;
		if (dp->ndp_input)
			dp->ndp_input(dp->ndp_arg, f->link, eth, f->len);
		return DP_CONSUMED;
	}
	if (dp->conns == NULL) {
		/* the main thread's ARP/ND socket beside workers: its filter
		 * lets nothing else in */
		dp->cnt.not_vip++;
		return DP_DROP;
	}
	if (f->link >= dp->nlinks || memcmp(eth, dp->link_mac[f->link], 6) != 0) {
		/* broadcast, multicast or flooded: only frames the segment
		 * delivered to *our* MAC were meant for the director */
		dp->cnt.not_for_us++;
		return DP_DROP;
	}
	if ((f->flags & DP_FRAME_VLAN) || ethertype == ETHERTYPE_VLAN) {
		/* forwarding would lose or misplace the tag */
		dp->cnt.vlan++;
		return DP_DROP;
	}

	/* ---- 1b. parse: IPv4 or IPv6, to a VIP --------------------------- */
	if (ethertype == ETHERTYPE_IP) {
		if (dp_parse_ipv4(dp, eth + ETH_HLEN_, f->len - ETH_HLEN_, &pk,
		    &key) < 0)
			return DP_DROP;
	} else if (ethertype == ETHERTYPE_IPV6_) {
		if (dp_parse_ipv6(dp, eth + ETH_HLEN_, f->len - ETH_HLEN_, &pk,
		    &key) < 0)
			return DP_DROP;
	} else {
		dp->cnt.non_ip++;
		return DP_DROP;
	}
	if ((pk.af == AF_INET && pk.proto == IPPROTO_ICMP) ||
	    (pk.af == AF_INET6 && pk.proto == IPPROTO_ICMPV6)) {
		/* an ICMP error about a flow goes to the flow's real server;
		 * any other ICMP to a VIP is nobody's */
		if (dp_icmp_flow(dp, &pk, &c) < 0) {
			dp->cnt.other_proto++;
			return DP_DROP;
		}
		if (pk.iplen > dp->mtu || (f->vnet != NULL &&
		    f->vnet->gso_type != VIRTIO_NET_HDR_GSO_NONE)) {
			dp->cnt.oversize++;
			return DP_DROP;
		}
		icmp = true;
		svc = c->dest->svc;
		goto forward;
	}
	if (pk.proto != IPPROTO_TCP && pk.proto != IPPROTO_UDP) {
		dp->cnt.other_proto++;
		return DP_DROP;
	}

	/* A frame longer than the link can carry is a coalesced one (GRO, or
	 * TSO passed through a veth); it may only go out if the kernel knows
	 * how to cut it back into MTU-sized segments, by the packet's rules. */
	gso = f->vnet != NULL && f->vnet->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (gso && !dp_gso_matches(f->vnet, &pk)) {
		dp->cnt.malformed++;
		return DP_DROP;
	}
	if (pk.iplen > dp->mtu && !gso) {
		dp->cnt.oversize++;
		return DP_DROP;
	}

	/* ---- 1c. parse: TCP / UDP ports --------------------------------- */
	l4 = pk.ip + pk.l4off;
	l4len = pk.iplen - pk.l4off;
	if (pk.proto == IPPROTO_TCP) {
		if (l4len < 20 || (uint32_t)(l4[12] >> 4) * 4 < 20 ||
		    (uint32_t)(l4[12] >> 4) * 4 > l4len) {
			dp->cnt.malformed++;
			return DP_DROP;
		}
		events = tcp_events(l4[13]);
	} else if (l4len < 8) {
		dp->cnt.malformed++;
		return DP_DROP;
	}
	memcpy(&key.cport, l4, 2);
	memcpy(&key.vport, l4 + 2, 2);
	key.protocol = pk.proto;
	key.af = (uint8_t)pk.af;
	if (__builtin_expect(trace_on, 0)) {
		char cs[64], vs[64], m1[24], m2[24], fl[8];

		trace_frame(&key);
		/* with workers, which one the kernel gave it (fanout.h) */
		char wk[24] = "";

		if (dp->wid >= 0)
			snprintf(wk, sizeof(wk), "  worker %d", dp->wid);
		TRACE("in  %s %s -> %s %s%s%s  %s -> %s  %u bytes%s",
		    pk.proto == IPPROTO_TCP ? "TCP" : "UDP",
		    trace_addrport(cs, sizeof(cs), pk.af, &key.caddr,
		    ntohs(key.cport)),
		    trace_addrport(vs, sizeof(vs), pk.af, &key.vaddr,
		    ntohs(key.vport)),
		    pk.proto == IPPROTO_TCP ? "[" : "",
		    pk.proto == IPPROTO_TCP ? tcp_flags_str(fl, events) : "",
		    pk.proto == IPPROTO_TCP ? "]" : "",
		    trace_mac(m1, sizeof(m1), eth + 6),
		    trace_mac(m2, sizeof(m2), eth), pk.iplen, wk);
	}

	/* ---- 2. look up the virtual service ----------------------------- */
	svc = svc_find(dp->svcs, pk.af, pk.proto, &key.vaddr, ntohs(key.vport));
	if (svc == NULL)
		/* a persistent port-0 service takes every port of its VIP */
		svc = svc_find(dp->svcs, pk.af, pk.proto, &key.vaddr, 0);
	if (svc == NULL) {
		dp->cnt.no_service++;
		TRACE("  drop: no service on this port (no_service)");
		return DP_DROP;
	}

	/* ---- 3. the connection: an existing flow keeps its real server --- */
	c = conn_lookup(dp->conns, &key);
	/* IPVS's conn_reuse_mode 1, its default (ip_vs_in_hook,
	 * is_new_conn_expected): a SYN on a connection in TIME_WAIT or CLOSE
	 * that no template controls starts a new connection on a reused
	 * port: the old entry goes now and the SYN is scheduled afresh */
	if (c != NULL && pk.proto == IPPROTO_TCP && (events & CONN_TCP_SYN) &&
	    (c->state == CONN_S_TIME_WAIT || c->state == CONN_S_CLOSE) &&
	    conn_control(dp->conns, c) == NULL) {
		TRACE("  conn reuse: the %s entry goes, the SYN is scheduled "
		    "anew", conn_state_name(c->state));
		if (dp->lock != NULL)
			pthread_mutex_lock(dp->lock);
		conn_expire_now(dp->conns, dp->svcs, c);
		if (dp->lock != NULL)
			pthread_mutex_unlock(dp->lock);
		c = NULL;
	}
	if (c == NULL) {
		/* IPVS schedules a TCP connection only on a SYN without RST;
		 * anything else of an unknown flow is not ours to place --
		 * unless sloppy_tcp: then any segment without RST may, so that
		 * a flow moved here by ECMP, or a director restart, goes on
		 * (with sh or mh every director picks the same real server) */
		if (pk.proto == IPPROTO_TCP && ((events & CONN_TCP_RST) ||
		    (!(events & CONN_TCP_SYN) && !dp->sloppy_tcp))) {
			dp->cnt.no_conn++;
			TRACE("  conn miss, not a SYN: drop (no_conn)");
			return DP_DROP;
		}
		TRACE("  conn miss: a new connection");
		/* ---- 4. schedule: the service's scheduler picks ---------- */
		if (dp->lock != NULL)
			pthread_mutex_lock(dp->lock);
		c = dp_new_conn(dp, svc, &key);
		if (dp->lock != NULL)
			pthread_mutex_unlock(dp->lock);
		if (c == NULL)
			return DP_DROP;
	}
	if (TRACE_ON) {
		uint8_t before = c->state;
		char ds[64];

		conn_seen(dp->conns, c, events, dp->now);
		TRACE("  conn %s -> %s: %s%s%s",
		    before == c->state ? "hit" : "state",
		    dest_str(ds, sizeof(ds), c->dest),
		    pk.proto == IPPROTO_TCP ? conn_state_name(before) : "UDP",
		    pk.proto == IPPROTO_TCP && before != c->state ? " -> " : "",
		    pk.proto == IPPROTO_TCP && before != c->state ?
		    conn_state_name(c->state) : "");
	} else
		conn_seen(dp->conns, c, events, dp->now);
forward:
	d = c->dest;
	if (d->mac_state != DRLB_MAC_RESOLVED) {
		dp->cnt.dest_no_mac++;
		TRACE("  drop: real server's MAC unknown (dest_no_mac)");
		return DP_DROP;
	}

	/* IPVS counts IP bytes in (skb->len: for IPv6 the 40-byte header
	 * and any extension headers too); "out" stays 0 in DR: replies
	 * bypass us */
	if (dp->wid < 0) {
		d->stats.inpkts++;
		d->stats.inbytes += pk.iplen;
		if (svc != NULL) {
			svc->stats.inpkts++;
			svc->stats.inbytes += pk.iplen;
		}
	} else {
		/* this worker's own cache line of them (svc_fold_stats) */
		d->w[dp->wid].inpkts++;
		d->w[dp->wid].inbytes += pk.iplen;
		if (svc != NULL) {
			svc->w[dp->wid].inpkts++;
			svc->w[dp->wid].inbytes += pk.iplen;
		}
	}

	/* ---- 5. rewrite: only the Ethernet addresses change -------------- */
	if (TRACE_ON) {
		char m1[24], m2[24];

		TRACE("  rewrite dst MAC %s -> %s, src MAC -> ours; IP untouched",
		    trace_mac(m1, sizeof(m1), eth),
		    trace_mac(m2, sizeof(m2), d->mac));
	}
	/* out of the link where the real server answered, from our MAC
	 * there (one link: where the frame came in) */
	f->out = d->link < dp->nlinks ? d->link : 0;
	memcpy(eth, d->mac, 6);		/* to the real server */
	memcpy(eth + 6, dp->link_mac[f->out], 6);	/* from us */

	/* ---- 6. finish what the sender's kernel left to offload ---------- */
	if (icmp)
		/* a router's error arrives with its checksum done; any offload
		 * request stays for the kernel to honour on transmit */
		dp->cnt.icmp_forwarded++;
	else {
		dp_finish_csum(dp, f, &pk);
		if (gso)
			dp->cnt.gso++;
	}
	/* transmit only the IP packet's bytes, not trailing padding */
	f->len = ETH_HLEN_ + pk.iplen;
	if (dp->on_forward != NULL && !icmp)
		dp->on_forward(dp->fwd_arg, c, dp->now);

	dp->cnt.forwarded++;
	return DP_FORWARD;
}
