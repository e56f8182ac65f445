/*
 * The data path: one captured frame in, a verdict out.  See datapath.c.
 */
#ifndef DRLBD_DATAPATH_H
#define DRLBD_DATAPATH_H

#include <stdint.h>
#include <sys/types.h>		/* pthread_mutex_t */
#include <linux/virtio_net.h>

#include "svc.h"
#include "conn.h"

/* A captured frame as a capture backend hands it over. */
struct dp_frame {
	uint8_t *data;			/* the Ethernet header */
	uint32_t len;			/* bytes captured */
	uint32_t wire_len;		/* bytes on the wire (> len: truncated) */
	uint32_t flags;			/* DP_FRAME_* */
	/* the kernel's offload metadata when the backend has it (AF_PACKET
	 * with PACKET_VNET_HDR), else NULL; edited in place for transmit */
	struct virtio_net_hdr *vnet;
};
#define DP_FRAME_CSUM_PARTIAL 0x0001	/* TP_STATUS_CSUMNOTREADY */
#define DP_FRAME_VLAN         0x0002	/* the NIC stripped an 802.1Q tag */

enum dp_verdict {
	DP_DROP = 0,			/* not ours, or refused (see counters) */
	DP_FORWARD,			/* rewritten: transmit it */
	DP_CONSUMED,			/* handled beside the path (ARP, ND) */
};

/*
 * Why frames were dropped (or not forwarded).  Each is a documented policy;
 * see the README's "What happens to which frame".
 */
struct dp_counters {
	uint64_t rx;			/* frames seen */
	uint64_t forwarded;
	uint64_t arp;			/* ARP frames handed to arp.c */
	uint64_t not_for_us;		/* destination MAC not ours */
	uint64_t ndp;			/* IPv6 Neighbor Discovery handed to ndp.c */
	uint64_t non_ip;		/* neither IPv4, IPv6, ARP */
	uint64_t vlan;			/* 802.1Q tagged: not supported, dropped */
	uint64_t malformed;		/* truncated headers, bad IHL/length/version */
	uint64_t truncated;		/* capture shorter than the frame */
	uint64_t fragment;		/* IPv4 fragments, IPv6 fragment headers */
	uint64_t other_proto;		/* not TCP/UDP to a VIP (ICMP, ...) */
	uint64_t not_vip;		/* IPv4/IPv6 not addressed to a VIP */
	uint64_t ext_hdrs;		/* IPv6 with extension headers walked
					   (forwarded as they are) */
	uint64_t ext_hdr_dropped;	/* IPv6: more than IP6_EXT_MAX extension
					   headers, or a routing header with
					   segments left */
	uint64_t icmp_forwarded;	/* ICMP frag-needed / ICMPv6 packet too
					   big sent to the flow's real server */
	uint64_t no_service;		/* a VIP, but no service on that port */
	uint64_t no_conn;		/* TCP non-SYN with no connection */
	uint64_t no_dest;		/* scheduler found no usable real server */
	uint64_t table_full;		/* connection table at its bound */
	uint64_t dest_no_mac;		/* real server's MAC unknown (lost) */
	uint64_t oversize;		/* over the MTU without segmentation info */
	uint64_t csum_finished;		/* unfinished L4 checksums completed */
	uint64_t gso;			/* coalesced frames handed to the kernel
					   to segment on transmit */
	uint64_t conns_new;		/* connections scheduled */
};

struct dp;
/* ARP frames go here (arp.c), IPv6 ND frames to ndp.c; may be NULL */
typedef void (*dp_arp_fn)(void *arg, const uint8_t *frame, uint32_t len);

struct dp {
	uint8_t mac[6];			/* ours: the director's interface */
	uint32_t mtu;			/* of that interface */
	struct svc_table *svcs;
	struct conn_table *conns;
	uint32_t now;			/* seconds, monotonic; set each burst */
	int sloppy_tcp;			/* IPVS sloppy_tcp: any non-RST segment
					   may start a connection */
	dp_arp_fn arp_input;
	void *arp_arg;
	/* told about the connection of every TCP/UDP frame forwarded (the
	 * sync master counts its packets); may be NULL */
	void (*on_forward)(void *arg, struct conn *c, uint32_t now);
	void *fwd_arg;
	dp_arp_fn ndp_input;		/* IPv6 NS/NA (ndp.c); may be NULL */
	void *ndp_arg;
	/*
	 * Workers (--workers N): this dp is worker wid's (0..N-1), its conns
	 * the worker's own table, and `lock` guards what workers share (the
	 * schedulers, real servers' counters, the template table).  Without
	 * workers wid is -1 and lock NULL.  With ARP and ND only (the main
	 * thread's dp beside workers) conns is NULL.
	 */
	int wid;
	pthread_mutex_t *lock;
	struct dp_counters cnt;
};

void dp_init(struct dp *dp, const uint8_t mac[6], uint32_t mtu,
    struct svc_table *svcs, struct conn_table *conns);
enum dp_verdict dp_process(struct dp *dp, struct dp_frame *f);

#endif
