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
 * This file reads top to bottom in that order: parse, look up or schedule,
 * rewrite, finish checksums.  Every frame that is not forwarded is counted
 * under the reason it was refused (struct dp_counters).
 */
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "datapath.h"
#include "sched.h"

#define ETH_HLEN_	14
#define IP_MF		0x2000
#define IP_OFFMASK	0x1fff

void
dp_init(struct dp *dp, const uint8_t mac[6], uint32_t mtu,
    struct svc_table *svcs, struct conn_table *conns)
{
	memset(dp, 0, sizeof(*dp));
	memcpy(dp->mac, mac, 6);
	dp->mtu = mtu;
	dp->svcs = svcs;
	dp->conns = conns;
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

/*
 * Finish an L4 checksum the sender's kernel left to offload.  With the
 * kernel's offload metadata (virtio_net_hdr) we know exactly where it starts;
 * without it, recompute it from the pseudo header.  A coalesced (GSO) frame
 * keeps its partial checksum: the kernel finishes it per segment when it
 * segments the frame on transmit.
 */
static void
dp_finish_csum(struct dp *dp, struct dp_frame *f, uint8_t *ip, uint32_t iplen,
    uint32_t ihl)
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
		if (start != ETH_HLEN_ + ihl ||
		    off != (ip[9] == IPPROTO_TCP ? 16u : 6u)) {
			if (csum_ipv4_l4(ip, iplen) == 0) {
				vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
				dp->cnt.csum_finished++;
			}
			return;
		}
		/* the frame is only as long as its IP packet: Ethernet
		 * padding (short frames) is not part of the sum */
		if (csum_finish_partial(f->data, ETH_HLEN_ + iplen, start,
		    off) == 0) {
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
			dp->cnt.csum_finished++;
		}
		return;
	}
	if ((f->flags & DP_FRAME_CSUM_PARTIAL) && csum_ipv4_l4(ip, iplen) == 0)
		dp->cnt.csum_finished++;
}

/*
 * Persistence (-p): every connection of a client group -- the client
 * address masked with -M -- goes to the same real server while the group
 * keeps coming back within the timeout.  The choice is remembered in a
 * connection template keyed <protocol, client & mask, 0, VIP, port> (port
 * 0 for a port-0 service, which so sticks all ports of the VIP together),
 * exactly as IPVS's ip_vs_sched_persist does.  Returns 0 with *dp_dest and
 * *tmplp set, or -1 (counted) when no real server can be had.
 */
static int
dp_schedule_persist(struct dp *dp, struct svc *svc, const struct conn_key *k,
    struct conn **tmplp, struct dest **destp)
{
	struct conn_key tk = *k;
	struct conn *t;
	struct dest *d;

	tk.caddr.in.s_addr &= svc->conf.netmask;
	tk.cport = 0;
	if (ntohs(k->vport) != svc->conf.port)
		tk.vport = 0;
	tk.af |= CONN_KEY_TEMPLATE;

	t = conn_lookup(dp->conns, &tk);
	if (t != NULL) {
		d = t->dest;
		/* IPVS ip_vs_check_template: a removed real server (or, here,
		 * one that no longer answers ARP) ends the stickiness */
		if (!(d->flags & DEST_F_AVAILABLE) || (d->flags & DEST_F_NOMAC)) {
			conn_template_invalidate(dp->conns, t);
			t = NULL;
		}
	}
	if (t == NULL) {
		if ((d = svc->sched->schedule(svc, k)) == NULL) {
			dp->cnt.no_dest++;
			return -1;
		}
		t = conn_template_insert(dp->conns, &tk, d, dp->now,
		    svc->conf.timeout);
		if (t == NULL) {
			dp->cnt.table_full++;
			return -1;
		}
	} else
		conn_template_touch(dp->conns, t, dp->now);
	*tmplp = t;
	*destp = t->dest;
	return 0;
}

enum dp_verdict
dp_process(struct dp *dp, struct dp_frame *f)
{
	uint8_t *eth = f->data, *ip, *l4;
	uint32_t ihl, iplen, l4len;
	uint16_t ethertype, frag;
	uint8_t proto, events = 0;
	bool gso;
	struct conn_key key;
	struct svc *svc;
	struct conn *c, *tmpl = NULL;
	struct dest *d;

	dp->cnt.rx++;

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
			dp->arp_input(dp->arp_arg, eth, f->len);
		return DP_CONSUMED;
	}
	if (memcmp(eth, dp->mac, 6) != 0) {
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
	if (ethertype != ETHERTYPE_IP) {
		dp->cnt.non_ip++;
		return DP_DROP;
	}

	/* ---- 1b. parse: IPv4 -------------------------------------------- */
	ip = eth + ETH_HLEN_;
	iplen = f->len - ETH_HLEN_;
	if (iplen < 20 || (ip[0] >> 4) != 4) {
		dp->cnt.malformed++;
		return DP_DROP;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || get16(ip + 2) < ihl || get16(ip + 2) > iplen) {
		dp->cnt.malformed++;
		return DP_DROP;
	}
	iplen = get16(ip + 2);		/* drop Ethernet padding */
	memcpy(&key.vaddr, ip + 16, 4);
	memset(key.vaddr.b + 4, 0, 12);
	if (!svc_is_vip(dp->svcs, AF_INET, &key.vaddr)) {
		dp->cnt.not_vip++;
		return DP_DROP;
	}
	frag = get16(ip + 6);
	if (frag & (IP_MF | IP_OFFMASK)) {
		/* only the first fragment carries ports; without reassembly
		 * we cannot place the others, so none are forwarded */
		dp->cnt.fragment++;
		return DP_DROP;
	}
	proto = ip[9];
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		dp->cnt.other_proto++;
		return DP_DROP;
	}

	/* A frame longer than the link can carry is a coalesced one (GRO, or
	 * TSO passed through a veth); it may only go out if the kernel knows
	 * how to cut it back into MTU-sized segments. */
	gso = f->vnet != NULL && f->vnet->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (iplen > dp->mtu && !gso) {
		dp->cnt.oversize++;
		return DP_DROP;
	}

	/* ---- 1c. parse: TCP / UDP ports --------------------------------- */
	l4 = ip + ihl;
	l4len = iplen - ihl;
	if (proto == IPPROTO_TCP) {
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
	memcpy(&key.caddr, ip + 12, 4);
	memset(key.caddr.b + 4, 0, 12);
	memcpy(&key.cport, l4, 2);
	memcpy(&key.vport, l4 + 2, 2);
	key.protocol = proto;
	key.af = AF_INET;

	/* ---- 2. look up the virtual service ----------------------------- */
	svc = svc_find(dp->svcs, AF_INET, proto, &key.vaddr, ntohs(key.vport));
	if (svc == NULL)
		/* a persistent port-0 service takes every port of its VIP */
		svc = svc_find(dp->svcs, AF_INET, proto, &key.vaddr, 0);
	if (svc == NULL) {
		dp->cnt.no_service++;
		return DP_DROP;
	}

	/* ---- 3. the connection: an existing flow keeps its real server --- */
	c = conn_lookup(dp->conns, &key);
	if (c == NULL) {
		/* IPVS schedules a TCP connection only on a SYN without RST;
		 * anything else of an unknown flow is not ours to place --
		 * unless sloppy_tcp: then any segment without RST may, so that
		 * a flow moved here by ECMP, or a director restart, goes on
		 * (with sh or mh every director picks the same real server) */
		if (proto == IPPROTO_TCP && ((events & CONN_TCP_RST) ||
		    (!(events & CONN_TCP_SYN) && !dp->sloppy_tcp))) {
			dp->cnt.no_conn++;
			return DP_DROP;
		}
		/* ---- 4. schedule: the service's scheduler picks ---------- */
		if (svc->conf.flags & DRLB_SVC_F_PERSISTENT) {
			if (dp_schedule_persist(dp, svc, &key, &tmpl, &d) < 0)
				return DP_DROP;
		} else if ((d = svc->sched->schedule(svc, &key)) == NULL) {
			dp->cnt.no_dest++;
			return DP_DROP;
		}
		c = conn_insert(dp->conns, &key, d, dp->now);
		if (c == NULL) {
			dp->cnt.table_full++;
			return DP_DROP;
		}
		if (tmpl != NULL)
			conn_set_control(dp->conns, c, tmpl);
		dp->cnt.conns_new++;
	}
	conn_seen(dp->conns, c, events, dp->now);
	d = c->dest;
	if (d->mac_state != DRLB_MAC_RESOLVED) {
		dp->cnt.dest_no_mac++;
		return DP_DROP;
	}

	/* IPVS counts IP bytes in; "out" stays 0 in DR: replies bypass us */
	d->stats.inpkts++;
	d->stats.inbytes += iplen;
	svc->stats.inpkts++;
	svc->stats.inbytes += iplen;

	/* ---- 5. rewrite: only the Ethernet addresses change -------------- */
	memcpy(eth, d->mac, 6);		/* to the real server */
	memcpy(eth + 6, dp->mac, 6);	/* from us */

	/* ---- 6. finish what the sender's kernel left to offload ---------- */
	dp_finish_csum(dp, f, ip, iplen, ihl);
	if (gso)
		dp->cnt.gso++;
	/* transmit only the IP packet's bytes, not trailing padding */
	f->len = ETH_HLEN_ + iplen;

	dp->cnt.forwarded++;
	return DP_FORWARD;
}
