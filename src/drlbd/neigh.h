/*
 * Real servers' MACs, for ARP (arp.c) and IPv6 neighbor discovery (ndp.c):
 * one entry per real-server address of one family, probed when a dest with
 * that address appears, refreshed while it answers, failed (and the dests
 * not scheduled) when it stops.  What the table knows is copied into every
 * dest with that address, live or in the svc_table's trash.
 *
 * Sending a probe is the protocol's business: the table asks through ops.
 */
#ifndef DRLBD_NEIGH_H
#define DRLBD_NEIGH_H

#include <stdint.h>

#include "svc.h"

struct neigh_table;

struct neigh_ops {
	/* ask who has addr: an ARP request, a Neighbor Solicitation */
	void (*probe)(void *arg, const union drlb_inaddr *addr);
	/* the protocol in the log: "real server X does not answer <silent>:
	 * not scheduled (...)", "real server X answers <again> again" */
	const char *silent;
	const char *again;
};

/* A table for the dests of family af (AF_INET or AF_INET6) of svcs. */
struct neigh_table *neigh_create(uint16_t af, struct svc_table *svcs,
    const struct neigh_ops *ops, void *arg);
void neigh_destroy(struct neigh_table *t);

/* d was created (svc_table's on_dest_added): a new address is probed at
 * once, and d gets what is known of its address.  Other families: ignored. */
void neigh_dest_added(struct neigh_table *t, struct dest *d, uint64_t now_ms);

enum neigh_learnt {
	NEIGH_UNKNOWN,			/* not a real server's address */
	NEIGH_SAME,			/* its MAC confirmed */
	NEIGH_CHANGED,			/* newly resolved or moved: dests
					   updated */
};
/* A frame from the segment says addr is at mac. */
enum neigh_learnt neigh_learn(struct neigh_table *t,
    const union drlb_inaddr *addr, const uint8_t mac[6], uint64_t now_ms);

/* Probes and refreshes that are due, failures; forgets addresses no dest
 * has any more. */
void neigh_tick(struct neigh_table *t, uint64_t now_ms);

#endif
