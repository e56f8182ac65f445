/*
 * Real servers' MACs, for ARP (arp.c) and IPv6 neighbor discovery (ndp.c):
 * one entry per real-server address of one family, probed when a dest with
 * that address appears, refreshed while it answers, failed (and the dests
 * not scheduled) when it stops.  What the table knows is copied into every
 * dest with that address, live or in the svc_table's trash.
 *
 * What the segment says is not all believed alike:
 *  - a real server whose MAC changes while resolved "flaps": counted and
 *    logged; by default the last one wins (IPVS trusts the kernel's
 *    neighbour table, which does the same), with NEIGH_FLAP_HOLD one that
 *    keeps flapping is held at the MAC it had before;
 *  - an address pinned to a MAC (drlbd --static-mac) is never probed nor
 *    moved;
 *  - another MAC that claims one of our VIPs is counted per MAC in a small
 *    table and logged once, with what to fix on that host.
 * Every log line a frame from the segment can cause goes through a limit
 * per source MAC, so that a flood of spoofed frames makes a few lines and
 * one summary of what was suppressed.
 *
 * Sending a probe is the protocol's business: the table asks through ops.
 */
#ifndef DRLBD_NEIGH_H
#define DRLBD_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc.h"

struct neigh_table;

/* drlbd may direct on several interfaces ("links", numbered from 0): a real
 * server is learnt on the one where it answers, and its frames go out
 * there.  A probe goes to that link, or to all of them (NEIGH_LINK_ALL)
 * while the real server has not answered. */
#define NEIGH_LINK_ALL	(-1)

struct neigh_ops {
	/* ask who has addr on link (or on every one): an ARP request, a
	 * Neighbor Solicitation */
	void (*probe)(void *arg, const union drlb_inaddr *addr, int link);
	/* the protocol in the log: "real server X does not answer <silent>:
	 * not scheduled (...)", "real server X answers <again> again",
	 * "<proto>: N more log lines suppressed ..." */
	const char *silent;
	const char *again;
	const char *proto;
	/* what to set on a host that claims a VIP: "...; <fix> (run
	 * tools/drlb-realserver check VIP there)" */
	const char *fix;
};

/* A table for the dests of family af (AF_INET or AF_INET6) of svcs. */
struct neigh_table *neigh_create(uint16_t af, struct svc_table *svcs,
    const struct neigh_ops *ops, void *arg);
void neigh_destroy(struct neigh_table *t);

/* drlbd --mac-flap: what a real server's MAC that keeps changing does */
enum neigh_flap {
	NEIGH_FLAP_FOLLOW,		/* the last one wins (default) */
	NEIGH_FLAP_HOLD,		/* held at its earlier MAC */
};
void neigh_set_flap(struct neigh_table *t, enum neigh_flap f);

/* drlbd --static-mac IP=MAC */
struct neigh_static {
	uint16_t af;
	union drlb_inaddr addr;
	uint8_t mac[6];
};
/* Parses "198.18.0.7=02:00:00:00:00:07" (or an IPv6 address, bare or in
 * brackets); 0, or -1 with why in err. */
int neigh_static_parse(const char *spec, struct neigh_static *s, char *err,
    size_t errlen);
/* addr is at mac, whatever the segment says: resolved at once, never
 * probed, never failed.  Another family: ignored.  0, or -1 (memory). */
int neigh_pin(struct neigh_table *t, const struct neigh_static *s);

/* d was created (svc_table's on_dest_added): a new address is probed at
 * once, and d gets what is known of its address.  Other families: ignored. */
void neigh_dest_added(struct neigh_table *t, struct dest *d, uint64_t now_ms);

enum neigh_learnt {
	NEIGH_UNKNOWN,			/* not a real server's address */
	NEIGH_SAME,			/* its MAC confirmed */
	NEIGH_CHANGED,			/* newly resolved or moved: dests
					   updated */
	NEIGH_REFUSED,			/* another MAC for a pinned or held
					   real server: ignored */
};
/* Is addr a real server's address (one the table resolves)? */
bool neigh_known(struct neigh_table *t, const union drlb_inaddr *addr);
/* A frame from the segment of link says addr is at mac. */
enum neigh_learnt neigh_learn(struct neigh_table *t,
    const union drlb_inaddr *addr, const uint8_t mac[6], unsigned link,
    uint64_t now_ms);

/*
 * mac, not ours, claims our VIP vip by a frame described by how ("an ARP
 * request (who-has 198.18.0.100 tell 198.18.0.1)"), a duplicate address
 * probe if probe: counted for that MAC; the first claim of a MAC is logged
 * (naming the real server at that MAC, if any) with the fix.  Returns the
 * MAC's claims so far (1: the first).
 */
uint64_t neigh_claim(struct neigh_table *t, const uint8_t mac[6],
    const union drlb_inaddr *vip, const char *how, bool probe,
    uint64_t now_ms);

/* One MAC that claimed a VIP, as the table remembers it. */
struct neigh_claimer {
	uint8_t mac[6];
	union drlb_inaddr vip;		/* the last VIP it claimed */
	uint64_t claims;
	uint64_t last_ms;
};
/* The claimers remembered (at most max, most claims first); their number. */
size_t neigh_claimers(const struct neigh_table *t, struct neigh_claimer *out,
    size_t max);

/*
 * A log line about a frame from mac: true when it may be written now.  At
 * most a few lines per MAC and a few dozen in all per window; what is held
 * back is counted, and summed up in one line when the window ends.
 */
bool neigh_log_ok(struct neigh_table *t, const uint8_t mac[6],
    uint64_t now_ms);

/* What the table counts, for the protocol's counters. */
struct neigh_counters {
	uint64_t mac_flaps;		/* a resolved MAC changed */
	uint64_t mac_holds;		/* a flapping real server held */
	uint64_t mac_refused;		/* frames a pin or a hold ignored */
	uint64_t vip_claimers;		/* MACs that began claiming a VIP */
	uint64_t log_suppressed;	/* lines neigh_log_ok held back */
};
void neigh_get_counters(const struct neigh_table *t, struct neigh_counters *c);

/* Probes and refreshes that are due, failures, holds that end, the log
 * limit's summary; forgets addresses no dest has any more. */
void neigh_tick(struct neigh_table *t, uint64_t now_ms);

/* ARP's and ND's sending socket (libnet's, opened for ETH_P_ALL and never
 * bound) made deaf: else the kernel clones every frame drlbd forwards to
 * deliver it there (dev_queue_xmit_nit), to pile up unread.  ARP and ND
 * come in on the ring.  who names the caller in a warning. */
void neigh_sender_quiet(int fd, const char *who);

#endif
