/*
 * ARP beside the data path (frames built with libnet):
 *  - VIP ownership: the director's kernel does not hold the VIP, so drlbd
 *    answers "who has VIP?" with its own MAC, and announces each VIP with a
 *    gratuitous ARP when it appears and at start.  --no-arp turns this off
 *    for setups where another program owns the VIP.
 *  - Real-server MACs: found by ARP and kept fresh.  A real server that does
 *    not answer is not scheduled (DEST_F_NOMAC), and drlbd says why: in DR
 *    a real server must be on the director's own segment.
 */
#ifndef DRLBD_ARP_H
#define DRLBD_ARP_H

#include <stdint.h>
#include "svc.h"

struct arp;

/*
 * ARP's counters, one list from which struct arp_counters, drlbadm
 * --counters (the line "arp_field value") and the metrics are made:
 * C(field, metric, help).
 */
#define ARP_COUNTERS(C)							\
	C(vip_requests_answered, "drlb_arp_vip_requests_answered_total", \
	    "ARP requests for a VIP answered with our MAC.")		\
	C(garp_sent, "drlb_arp_gratuitous_sent_total",			\
	    "Gratuitous ARPs sent for the VIPs.")			\
	C(probes_sent, "drlb_arp_probes_sent_total",			\
	    "ARP requests sent to resolve real servers.")		\
	C(replies_learnt, "drlb_arp_replies_learnt_total",		\
	    "ARP replies that gave or refreshed a real server's MAC.")	\
	C(vip_conflicts, "drlb_arp_vip_conflicts_total",		\
	    "ARP frames in which another MAC claimed one of our VIPs.")	\
	C(malformed, "drlb_arp_malformed_total", "Malformed ARP frames.")

struct arp_counters {
#define ARP_COUNTERS_FIELD(f, ...) uint64_t f;
	ARP_COUNTERS(ARP_COUNTERS_FIELD)
#undef ARP_COUNTERS_FIELD
};

/* Where our frames go; returns 0, or -1 when the frame was not sent. */
typedef int (*arp_send_fn)(void *arg, const uint8_t *frame, uint32_t len);

/* Opens libnet's link-layer injector on ifname (needs CAP_NET_RAW: call
 * before privileges are dropped) and sends through it. */
struct arp *arp_open(const char *ifname, int own_vips, struct svc_table *svcs,
    char *err, size_t errlen);
/* Without an interface (tests, fuzzing): our MAC and IPv4 (network order,
 * 0 for none) as given, each frame built as arp_open's and handed to send. */
struct arp *arp_create(const uint8_t mac[6], uint32_t ipaddr, int own_vips,
    struct svc_table *svcs, arp_send_fn send, void *send_arg, char *err,
    size_t errlen);
void arp_close(struct arp *a);

const uint8_t *arp_mac(const struct arp *a);	/* our MAC */
uint32_t arp_ipaddr(const struct arp *a);	/* our IPv4 (DIP) or 0 */

/* dp_arp_fn: an ARP frame arrived */
void arp_input(void *arg, const uint8_t *frame, uint32_t len);
/* svc_table hooks */
void arp_dest_added(void *arg, struct dest *d);
void arp_vips_changed(void *arg);
/* timers: probes, refreshes, repeated announcements; now in ms */
void arp_tick(struct arp *a, uint64_t now_ms);

void arp_get_counters(const struct arp *a, struct arp_counters *c);

/*
 * VIP takeover (drlbadm --arp on|off, e.g. from a VRRP notify script): on,
 * answer ARP for the VIPs and announce every one of them now by gratuitous
 * ARP (twice, 1 s apart); off, stop answering (as --no-arp).
 */
void arp_set_own_vips(struct arp *a, int on);
int arp_own_vips(const struct arp *a);

#endif
