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

struct arp_counters {
	uint64_t vip_requests_answered;
	uint64_t garp_sent;
	uint64_t probes_sent;
	uint64_t replies_learnt;
	uint64_t vip_conflicts;		/* another MAC claimed one of our VIPs */
	uint64_t malformed;
};

/* Opens libnet's link-layer injector on ifname (needs CAP_NET_RAW: call
 * before privileges are dropped). */
struct arp *arp_open(const char *ifname, int own_vips, struct svc_table *svcs,
    char *err, size_t errlen);
void arp_close(struct arp *a);

const uint8_t *arp_mac(const struct arp *a);	/* our MAC, from libnet */
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
