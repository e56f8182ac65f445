/*
 * IPv6 Neighbor Discovery beside the data path (RFC 4861, frames built with
 * libnet) -- IPv6's ARP:
 *  - VIP ownership: answer Neighbor Solicitations for each IPv6 VIP with
 *    our MAC (they come to the VIP's solicited-node multicast address
 *    ff02::1:ffXX:XXXX, whose MAC 33:33:ff:XX:XX:XX the capture socket
 *    joins), and announce each VIP with an unsolicited Neighbor
 *    Advertisement (override flag) when it appears and at start.
 *    --no-arp turns this off too.
 *  - Real-server MACs: found by Neighbor Solicitation from the director's
 *    link-local address (EUI-64 of its MAC), learnt from the advertisements
 *    that answer ours (solicited, to that address) and from the
 *    solicitations real servers send from their own address; one that does
 *    not answer is not scheduled, and drlbd says why, as with ARP.
 *  - Another MAC claiming an IPv6 VIP -- an advertisement for it (with the
 *    override flag it moves clients), a solicitation sourced from it, a
 *    duplicate address detection probe for it -- is counted, logged once
 *    per MAC, traced, and answered by an unsolicited advertisement.  We
 *    solicit our VIPs ourselves now and then, to hear such a host answer.
 */
#ifndef DRLBD_NDP_H
#define DRLBD_NDP_H

#include <stddef.h>
#include <stdint.h>

#include "neigh.h"
#include "svc.h"

struct ndp;

/*
 * Neighbor Discovery's counters, one list from which struct ndp_counters,
 * drlbadm --counters (the line "ndp_field value") and the metrics are
 * made: C(field, metric, help).
 */
#define NDP_COUNTERS(C)							\
	C(vip_solicits_answered, "drlb_ndp_vip_solicits_answered_total", \
	    "Neighbor Solicitations for a VIP (or our link-local address) " \
	    "answered with our MAC.")					\
	C(unsolicited_na_sent, "drlb_ndp_unsolicited_na_sent_total",	\
	    "Unsolicited Neighbor Advertisements sent for the VIPs.")	\
	C(probes_sent, "drlb_ndp_probes_sent_total",			\
	    "Neighbor Solicitations sent to resolve real servers.")	\
	C(adverts_learnt, "drlb_ndp_adverts_learnt_total",		\
	    "Neighbor Advertisements or Solicitations that gave or "	\
	    "refreshed a real server's MAC.")				\
	C(unsolicited_ignored, "drlb_ndp_unsolicited_ignored_total",	\
	    "Neighbor Advertisements for a real server that were not "	\
	    "answers to ours: not learnt.")				\
	C(vip_conflicts, "drlb_ndp_vip_conflicts_total",		\
	    "Neighbor Discovery frames in which another MAC claimed one of " \
	    "our VIPs (the three kinds below).")			\
	C(vip_claim_adverts, "drlb_ndp_vip_claim_adverts_total",	\
	    "Neighbor Advertisements from another MAC for one of our VIPs " \
	    "(with the override flag they move clients).")		\
	C(vip_claim_solicits, "drlb_ndp_vip_claim_solicits_total",	\
	    "Neighbor Solicitations from another MAC with one of our VIPs " \
	    "as source (a real server with the VIP on its interface).")	\
	C(vip_claim_probes, "drlb_ndp_vip_claim_probes_total",		\
	    "Duplicate address detection solicitations from another MAC " \
	    "for one of our VIPs.")					\
	C(vip_checks_sent, "drlb_ndp_vip_checks_sent_total",		\
	    "Neighbor Solicitations sent for our own VIPs, which only a " \
	    "host that should not (one holding the VIP on its interface) " \
	    "answers.")							\
	C(vip_claimers, "drlb_ndp_vip_claimers_total",			\
	    "MACs that began to claim one of our VIPs (each logged once).") \
	C(vip_reclaims, "drlb_ndp_vip_reclaims_total",			\
	    "VIPs re-announced by unsolicited Neighbor Advertisement after " \
	    "another MAC claimed them.")				\
	C(mac_flaps, "drlb_ndp_mac_flaps_total",			\
	    "Real servers' MACs that changed while resolved.")		\
	C(mac_holds, "drlb_ndp_mac_holds_total",			\
	    "Flapping real servers held at their earlier MAC "		\
	    "(--mac-flap hold).")					\
	C(mac_refused, "drlb_ndp_mac_refused_total",			\
	    "Neighbor Discovery frames ignored that gave a pinned "	\
	    "(--static-mac) or held real server another MAC.")		\
	C(log_suppressed, "drlb_ndp_log_suppressed_total",		\
	    "Log lines about Neighbor Discovery frames held back by the " \
	    "per-MAC limit.")						\
	C(malformed, "drlb_ndp_malformed_total",			\
	    "Malformed Neighbor Discovery frames.")			\
	C(mcast_join_errors, "drlb_ndp_mcast_join_errors_total",	\
	    "VIP solicited-node multicast groups the capture socket could " \
	    "not join (PACKET_ADD_MEMBERSHIP refused).")

struct ndp_counters {
#define NDP_COUNTERS_FIELD(f, ...) uint64_t f;
	NDP_COUNTERS(NDP_COUNTERS_FIELD)
#undef NDP_COUNTERS_FIELD
};

/* Where our frames go; returns 0, or -1 when the frame was not sent. */
typedef int (*ndp_send_fn)(void *arg, const uint8_t *frame, uint32_t len);

/* Opens libnet's link-layer injector on ifname (needs CAP_NET_RAW: call
 * before privileges are dropped) and sends through it.  ring_fd: the
 * capture socket, which joins the VIPs' solicited-node groups (no
 * capability needed for that). */
#define NDP_LINKS_MAX	4		/* = ARP_LINKS_MAX */

struct ndp *ndp_open(const char *ifname, int own_vips, struct svc_table *svcs,
    int ring_fd, char *err, size_t errlen);
/* Without an interface (tests, fuzzing): our MAC as given, each frame
 * built as ndp_open's and handed to send; ring_fd -1 joins no group. */
struct ndp *ndp_create(const uint8_t mac[6], int ifindex, int ring_fd,
    int own_vips, struct svc_table *svcs, ndp_send_fn send, void *send_arg,
    char *err, size_t errlen);
/* Another interface, the next link (its capture socket ring_fd joins the
 * VIPs' groups): 0, or -1 with err. */
int ndp_open_link(struct ndp *n, const char *ifname, int ring_fd, char *err,
    size_t errlen);
/* Another link without an interface (tests): 0, or -1 (too many). */
int ndp_add_link(struct ndp *n, const uint8_t mac[6], int ifindex,
    int ring_fd, ndp_send_fn send, void *send_arg);
void ndp_close(struct ndp *n);

/* dp_arp_fn: a Neighbor Solicitation or Advertisement arrived */
void ndp_input(void *arg, unsigned link, const uint8_t *frame, uint32_t len);
/* svc_table hooks (IPv6 dests and VIPs only; others are ignored) */
void ndp_dest_added(void *arg, struct dest *d);
void ndp_vips_changed(void *arg);
/* drlbadm --arp on|off for the IPv6 VIPs: take them over (join, answer,
 * announce by unsolicited NA) or release them. */
void ndp_set_own_vips(struct ndp *n, int on);
/* timers: probes, refreshes, repeated announcements; now in ms */
void ndp_tick(struct ndp *n, uint64_t now_ms);

void ndp_get_counters(const struct ndp *n, struct ndp_counters *c);

/* drlbd --mac-flap and --static-mac (IPv6 ones; others are ignored);
 * ndp_static_mac returns 0, or -1 (memory) */
void ndp_set_mac_flap(struct ndp *n, enum neigh_flap f);
int ndp_static_mac(struct ndp *n, const struct neigh_static *s);
/* The MACs that claimed an IPv6 VIP (neigh_claimers) */
size_t ndp_claimers(const struct ndp *n, struct neigh_claimer *out,
    size_t max);

#endif
