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
	/* which of the director's interfaces it came in on (drlbd
	 * --interface, in order: link 0 first), and with DP_FORWARD the one
	 * it goes out on: where its real server's MAC was learnt */
	uint8_t link;
	uint8_t out;
};
#define DP_FRAME_CSUM_PARTIAL 0x0001	/* TP_STATUS_CSUMNOTREADY */
#define DP_FRAME_VLAN         0x0002	/* the NIC stripped an 802.1Q tag */

enum dp_verdict {
	DP_DROP = 0,			/* not ours, or refused (see counters) */
	DP_FORWARD,			/* rewritten: transmit it */
	DP_CONSUMED,			/* handled beside the path (ARP, ND) */
};

/*
 * The data path's counters, one list from which struct dp_counters,
 * drlbadm --counters and the metrics (counters.c, metrics.c) are made:
 *   C(field, block, metric, help): a metric family of its own
 *   D(field, block): why frames were dropped (or not forwarded), the sample
 *     drlb_frames_dropped_total{reason="field"}.  Each is a documented
 *     policy; see the README's "What happens to which frame".
 * In the counters text each is the line "field value", in the part of the
 * text its block says.  The order is the text's within each block, and
 * the metrics' among the families and among the reasons.
 */
enum dp_text_block {
	DP_TEXT_TOP,			/* before conns_now */
	DP_TEXT_FRAMES,			/* after conns_reclaimed */
	DP_TEXT_IPV6,			/* after the ARP counters */
};

#define DP_COUNTERS(C, D)						\
	C(rx, DP_TEXT_TOP, "drlb_frames_received_total",		\
	    "Frames the capture ring delivered.")			\
	C(forwarded, DP_TEXT_TOP, "drlb_frames_forwarded_total",	\
	    "Frames rewritten and sent to a real server.")		\
	C(arp, DP_TEXT_FRAMES, "drlb_arp_frames_total",			\
	    "ARP frames handed to the ARP module.")			\
	C(conns_new, DP_TEXT_TOP, "drlb_connections_scheduled_total",	\
	    "New connections scheduled (all services).")		\
	D(not_for_us, DP_TEXT_FRAMES)	/* destination MAC not ours */	\
	D(non_ip, DP_TEXT_FRAMES)	/* neither IPv4, IPv6, ARP */	\
	D(vlan, DP_TEXT_FRAMES)		/* 802.1Q tagged: not supported */ \
	/* truncated headers, bad IHL/length/version */			\
	D(malformed, DP_TEXT_FRAMES)					\
	D(truncated, DP_TEXT_FRAMES)	/* capture shorter than the frame */ \
	/* IPv4 fragments, IPv6 fragment headers */			\
	D(fragment, DP_TEXT_FRAMES)					\
	D(other_proto, DP_TEXT_FRAMES)	/* not TCP/UDP to a VIP (ICMP, ...) */ \
	D(not_vip, DP_TEXT_FRAMES)	/* IPv4/IPv6 not to a VIP */	\
	D(no_service, DP_TEXT_FRAMES)	/* a VIP, no service on that port */ \
	D(no_conn, DP_TEXT_FRAMES)	/* TCP non-SYN with no connection */ \
	D(no_dest, DP_TEXT_FRAMES)	/* scheduler found no real server */ \
	D(table_full, DP_TEXT_FRAMES)	/* connection table at its bound */ \
	D(dest_no_mac, DP_TEXT_FRAMES)	/* real server's MAC unknown */	\
	/* over the MTU without segmentation info */			\
	D(oversize, DP_TEXT_FRAMES)					\
	C(csum_finished, DP_TEXT_FRAMES, "drlb_checksums_completed_total", \
	    "Unfinished TCP/UDP checksums (offload) completed before "	\
	    "forwarding.")						\
	C(gso, DP_TEXT_FRAMES, "drlb_gso_frames_total",			\
	    "Coalesced frames handed back to the kernel to segment.")	\
	C(ndp, DP_TEXT_IPV6, "drlb_ndp_frames_total",			\
	    "IPv6 Neighbor Discovery frames handed to the ND module.")	\
	C(ext_hdrs, DP_TEXT_IPV6, "drlb_ipv6_extension_header_frames_total", \
	    "IPv6 frames whose extension headers were walked.")		\
	/* IPv6: more than IP6_EXT_MAX extension headers, or a routing	\
	 * header with segments left */					\
	D(ext_hdr_dropped, DP_TEXT_IPV6)					\
	C(icmp_forwarded, DP_TEXT_IPV6, "drlb_icmp_errors_forwarded_total", \
	    "ICMP errors about a flow (fragmentation needed, packet too big) " \
	    "sent to its real server.")

struct dp_counters {
#define DP_COUNTER_FIELD(f, ...) uint64_t f;
	DP_COUNTERS(DP_COUNTER_FIELD, DP_COUNTER_FIELD)
#undef DP_COUNTER_FIELD
};

struct dp;
/* ARP frames go here (arp.c), IPv6 ND frames to ndp.c; may be NULL */
typedef void (*dp_arp_fn)(void *arg, unsigned link, const uint8_t *frame,
    uint32_t len);

#define DP_LINKS_MAX	4		/* = ARP_LINKS_MAX */

struct dp {
	uint8_t mac[6];			/* ours on link 0 */
	uint32_t mtu;			/* the smallest of the links' */
	uint8_t link_mac[DP_LINKS_MAX][6];	/* ours on each link */
	unsigned nlinks;
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

/* With one link, the interface of mac and mtu. */
void dp_init(struct dp *dp, const uint8_t mac[6], uint32_t mtu,
    struct svc_table *svcs, struct conn_table *conns);
/* Another link (the next index): 0, or -1 (DP_LINKS_MAX). */
int dp_add_link(struct dp *dp, const uint8_t mac[6], uint32_t mtu);
enum dp_verdict dp_process(struct dp *dp, struct dp_frame *f);

#endif
