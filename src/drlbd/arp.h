/*
 * ARP beside the data path (frames built with libnet):
 *  - VIP ownership: the director's kernel does not hold the VIP, so drlbd
 *    answers "who has VIP?" with its own MAC, and announces each VIP with a
 *    gratuitous ARP when it appears and at start.  --no-arp turns this off
 *    for setups where another program owns the VIP.
 *  - Real-server MACs: found by ARP and kept fresh.  A real server that does
 *    not answer is not scheduled (DEST_F_NOMAC), and drlbd says why: in DR
 *    a real server must be on the director's own segment.  MAC flaps,
 *    --mac-flap hold and --static-mac are neigh.h's.
 *  - The ARP problem, caught: while we own the VIPs, any other MAC that
 *    claims one -- an ARP request sourced from it (a real server with
 *    arp_announce=0 asking for a client), a reply or gratuitous ARP for it
 *    (arp_ignore=0), a probe for it -- is counted, logged once per MAC with
 *    the fix, traced, and answered by re-announcing the VIP, so that
 *    clients that moved come back.  Since a switch shows us no reply to a
 *    client, we ask for our VIPs ourselves now and then: a real server
 *    with arp_ignore=0 answers us too.
 */
#ifndef DRLBD_ARP_H
#define DRLBD_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "neigh.h"
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
	    "ARP frames in which another MAC claimed one of our VIPs "	\
	    "(the four kinds below).")					\
	C(vip_claim_requests, "drlb_arp_vip_claim_requests_total",	\
	    "ARP requests from another MAC with one of our VIPs as sender " \
	    "(who-has X tell VIP: a real server with arp_announce=0).")	\
	C(vip_claim_replies, "drlb_arp_vip_claim_replies_total",	\
	    "ARP replies from another MAC for one of our VIPs "		\
	    "(a real server with arp_ignore=0).")			\
	C(vip_claim_gratuitous, "drlb_arp_vip_claim_gratuitous_total",	\
	    "Gratuitous ARPs from another MAC for one of our VIPs.")	\
	C(vip_claim_probes, "drlb_arp_vip_claim_probes_total",		\
	    "ARP probes (duplicate address detection) from another "	\
	    "MAC for one of our VIPs.")					\
	C(vip_checks_sent, "drlb_arp_vip_checks_sent_total",		\
	    "ARP requests sent for our own VIPs, which only a host that " \
	    "should not (a real server with arp_ignore=0) answers.")	\
	C(vip_claimers, "drlb_arp_vip_claimers_total",			\
	    "MACs that began to claim one of our VIPs (each logged once).") \
	C(vip_reclaims, "drlb_arp_vip_reclaims_total",			\
	    "VIPs re-announced by gratuitous ARP after another MAC "	\
	    "claimed them.")						\
	C(mac_flaps, "drlb_arp_mac_flaps_total",			\
	    "Real servers' MACs that changed while resolved.")		\
	C(mac_holds, "drlb_arp_mac_holds_total",			\
	    "Flapping real servers held at their earlier MAC "		\
	    "(--mac-flap hold).")					\
	C(mac_refused, "drlb_arp_mac_refused_total",			\
	    "ARP frames ignored that gave a pinned (--static-mac) or held " \
	    "real server another MAC.")					\
	C(log_suppressed, "drlb_arp_log_suppressed_total",		\
	    "Log lines about ARP frames held back by the per-MAC limit.") \
	C(malformed, "drlb_arp_malformed_total", "Malformed ARP frames.")

struct arp_counters {
#define ARP_COUNTERS_FIELD(f, ...) uint64_t f;
	ARP_COUNTERS(ARP_COUNTERS_FIELD)
#undef ARP_COUNTERS_FIELD
};

/* Where our frames go; returns 0, or -1 when the frame was not sent. */
typedef int (*arp_send_fn)(void *arg, const uint8_t *frame, uint32_t len);

/* drlbd's interfaces, at most (neigh.h's links; link 0 is the first) */
#define ARP_LINKS_MAX	4

/* Opens libnet's link-layer injector on ifname (needs CAP_NET_RAW: call
 * before privileges are dropped) and sends through it: link 0. */
struct arp *arp_open(const char *ifname, int own_vips, struct svc_table *svcs,
    char *err, size_t errlen);
/* Another interface, the next link: 0, or -1 with err. */
int arp_open_link(struct arp *a, const char *ifname, char *err,
    size_t errlen);
/* Without an interface (tests, fuzzing): our MAC and IPv4 (network order,
 * 0 for none) as given, each frame built as arp_open's and handed to send. */
struct arp *arp_create(const uint8_t mac[6], uint32_t ipaddr, int own_vips,
    struct svc_table *svcs, arp_send_fn send, void *send_arg, char *err,
    size_t errlen);
/* Another link without an interface (tests): 0, or -1 (too many). */
int arp_add_link(struct arp *a, const uint8_t mac[6], uint32_t ipaddr,
    arp_send_fn send, void *send_arg);
void arp_close(struct arp *a);

const uint8_t *arp_mac(const struct arp *a, unsigned link); /* our MAC */
uint32_t arp_ipaddr(const struct arp *a);	/* our IPv4 (DIP) or 0 */

/* dp_arp_fn: an ARP frame arrived on link */
void arp_input(void *arg, unsigned link, const uint8_t *frame, uint32_t len);
/* svc_table hooks */
void arp_dest_added(void *arg, struct dest *d);
void arp_vips_changed(void *arg);
/* timers: probes, refreshes, repeated announcements; now in ms */
void arp_tick(struct arp *a, uint64_t now_ms);

void arp_get_counters(const struct arp *a, struct arp_counters *c);

/* drlbd --mac-flap and --static-mac (IPv4 ones; others are ignored);
 * arp_static_mac returns 0, or -1 (memory) */
void arp_set_mac_flap(struct arp *a, enum neigh_flap f);
int arp_static_mac(struct arp *a, const struct neigh_static *s);
/* The MACs that claimed an IPv4 VIP (neigh_claimers) */
size_t arp_claimers(const struct arp *a, struct neigh_claimer *out,
    size_t max);

/*
 * VIP takeover (drlbadm --arp on|off, e.g. from a VRRP notify script): on,
 * answer ARP for the VIPs and announce every one of them now by gratuitous
 * ARP (twice, 1 s apart); off, stop answering (as --no-arp).
 */
void arp_set_own_vips(struct arp *a, int on);
int arp_own_vips(const struct arp *a);

#endif
