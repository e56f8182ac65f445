/*
 * ARP for a DR director, with frames built by libnet.
 *
 * Why a DR director must answer ARP for the VIP itself: clients (or their
 * router) find "who has VIP" by ARP, and only the director may answer —
 * every real server also holds the VIP (on lo), which is why they are set to
 * arp_ignore=1 (answer only for addresses on the receiving interface) and
 * arp_announce=2 (never use the VIP as the source of their own requests).
 * drlbd's director needs no VIP in its kernel at all: it answers for it here.
 */
#include <arpa/inet.h>
#include <libnet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "arp.h"
#include "log.h"
#include "neigh.h"
#include "trace.h"

#define GARP_REPEAT_MS		1000	/* each announcement is sent twice */
/* A claimed VIP is re-announced at once and again a little later: Linux
 * ignores a second change of an entry within its locktime (1 s) unless
 * the frame is a gratuitous ARP, and not every kernel says "unless".  At
 * most once per RECLAIM_MS per VIP, whatever the segment sends. */
#define RECLAIM_AGAIN_MS	1500
#define RECLAIM_MS		2000
/* We ask the segment for our own VIPs now and then: a real server with
 * arp_ignore=0 answers, to us, what it would answer a client (whose
 * unicast reply a switch never shows us).  Soon after an announcement,
 * then every VIP_CHECK_MS, at most VIP_CHECK_MAX VIPs a round. */
#define VIP_CHECK_FIRST_MS	2000
#define VIP_CHECK_MS		10000
#define VIP_CHECK_MAX		16

/* An announced VIP. */
struct vip4 {
	uint32_t ip;
	uint64_t reclaim_ms;		/* no re-announcement before this */
	uint64_t again_ms;		/* the second one due (0: none) */
};

/* one of drlbd's interfaces (neigh.h: links) */
struct arp_link {
	libnet_t *ln;			/* arp_open's injector, or NULL */
	arp_send_fn send;
	void *send_arg;
	uint8_t mac[6];
	uint32_t ipaddr;		/* our address there (a DIP) or 0 */
};

struct arp {
	libnet_t *build;		/* assembles our frames, sends none */
	struct arp_link lk[ARP_LINKS_MAX];
	unsigned nlinks;
	struct svc_table *svcs;
	int own_vips;
	struct neigh_table *neigh;	/* real servers' MACs */
	struct vip4 *vips;		/* announced VIPs */
	size_t nvips, capvips;
	uint64_t garp_repeat_ms;	/* when to repeat announcements (0: no) */
	uint64_t check_ms;		/* the next round of VIP checks */
	size_t check_next;		/* the VIP it starts with */
	uint64_t now_ms;
	struct arp_counters cnt;
};

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero6[6];

static void arp_probe(void *, const union drlb_inaddr *, int);

static const struct neigh_ops arp_neigh_ops = {
	.probe = arp_probe,
	.silent = "ARP",
	.again = "ARP",
	.proto = "ARP",
	.fix = "set arp_ignore=1 and arp_announce=2 on that host",
};

/* One ARP frame out of link l, from our MAC there. */
static int
arp_send(struct arp *a, unsigned l, uint16_t op, const uint8_t *eth_dst,
    const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	uint8_t *frame;
	uint32_t len;
	int r;

	libnet_clear_packet(a->build);
	/* Ethernet's ARP for IPv4, as libnet_autobuild_arp builds it on an
	 * Ethernet link (a context without a link has no link type) */
	if (libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, 6, 4, op, sha,
	    (uint8_t *)&spa, tha, (uint8_t *)&tpa, NULL, 0, a->build, 0) == -1)
		goto fail;
	if (libnet_build_ethernet(eth_dst, a->lk[l].mac, ETHERTYPE_ARP, NULL, 0,
	    a->build, 0) == -1)
		goto fail;
	/* the frame as libnet_write would send it (libnet_adv_cull_packet
	 * does the same, but only for an injector in advanced mode) */
	if (libnet_pblock_coalesce(a->build, &frame, &len) == -1)
		goto fail;
	r = a->lk[l].send(a->lk[l].send_arg, frame, len);
	libnet_adv_free_packet(a->build, frame);
	return r;
fail:
	log_warnx("arp: %s", libnet_geterror(a->build));
	return -1;
}

/* arp_open's arp_send_fn: out of the interface */
static int
link_send(void *arg, const uint8_t *frame, uint32_t len)
{
	libnet_t *ln = arg;

	if (libnet_write_link(ln, frame, len) == -1) {
		log_warnx("arp: %s", libnet_geterror(ln));
		return -1;
	}
	return 0;
}

struct arp *
arp_create(const uint8_t mac[6], uint32_t ipaddr, int own_vips,
    struct svc_table *svcs, arp_send_fn send, void *send_arg, char *err,
    size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE];
	struct arp *a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((a->build = libnet_init(LIBNET_NONE, NULL, lerr)) == NULL) {
		snprintf(err, errlen, "libnet_init: %s", lerr);
		free(a);
		return NULL;
	}
	if ((a->neigh = neigh_create(AF_INET, svcs, &arp_neigh_ops, a)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		libnet_destroy(a->build);
		free(a);
		return NULL;
	}
	arp_add_link(a, mac, ipaddr, send, send_arg);
	a->own_vips = own_vips;
	a->svcs = svcs;
	a->check_ms = UINT64_MAX;
	return a;
}

int
arp_add_link(struct arp *a, const uint8_t mac[6], uint32_t ipaddr,
    arp_send_fn send, void *send_arg)
{
	struct arp_link *k;

	if (a->nlinks == ARP_LINKS_MAX)
		return -1;
	k = &a->lk[a->nlinks++];
	memcpy(k->mac, mac, 6);
	k->ipaddr = ipaddr;
	k->send = send;
	k->send_arg = send_arg;
	return 0;
}

/* libnet's injector on ifname, its MAC and our address there */
static libnet_t *
link_open(const char *ifname, uint8_t mac[6], uint32_t *ipaddr, char *err,
    size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE];
	struct libnet_ether_addr *ea;
	libnet_t *ln;

	if ((ln = libnet_init(LIBNET_LINK, ifname, lerr)) == NULL) {
		snprintf(err, errlen, "libnet_init(%s): %s", ifname, lerr);
		return NULL;
	}
	neigh_sender_quiet(libnet_getfd(ln), "ARP");
	if ((ea = libnet_get_hwaddr(ln)) == NULL) {
		snprintf(err, errlen, "libnet_get_hwaddr(%s): %s", ifname,
		    libnet_geterror(ln));
		libnet_destroy(ln);
		return NULL;
	}
	memcpy(mac, ea->ether_addr_octet, 6);
	/* our own address (the DIP) is the source of our ARP requests; with
	 * none, send ARP probes from 0.0.0.0, which hosts answer as well */
	*ipaddr = libnet_get_ipaddr4(ln);
	if (*ipaddr == (uint32_t)-1)
		*ipaddr = 0;
	return ln;
}

struct arp *
arp_open(const char *ifname, int own_vips, struct svc_table *svcs, char *err,
    size_t errlen)
{
	uint8_t mac[6];
	uint32_t ipaddr;
	libnet_t *ln;
	struct arp *a;

	if ((ln = link_open(ifname, mac, &ipaddr, err, errlen)) == NULL)
		return NULL;
	if ((a = arp_create(mac, ipaddr, own_vips, svcs, link_send, ln, err,
	    errlen)) == NULL) {
		libnet_destroy(ln);
		return NULL;
	}
	a->lk[0].ln = ln;
	return a;
}

int
arp_open_link(struct arp *a, const char *ifname, char *err, size_t errlen)
{
	uint8_t mac[6];
	uint32_t ipaddr;
	libnet_t *ln;

	if ((ln = link_open(ifname, mac, &ipaddr, err, errlen)) == NULL)
		return -1;
	if (arp_add_link(a, mac, ipaddr, link_send, ln) < 0) {
		snprintf(err, errlen, "%s: more than %d interfaces", ifname,
		    ARP_LINKS_MAX);
		libnet_destroy(ln);
		return -1;
	}
	a->lk[a->nlinks - 1].ln = ln;
	return 0;
}

void
arp_close(struct arp *a)
{
	if (a == NULL)
		return;
	libnet_destroy(a->build);
	for (unsigned l = 0; l < a->nlinks; l++)
		if (a->lk[l].ln != NULL)
			libnet_destroy(a->lk[l].ln);
	neigh_destroy(a->neigh);
	free(a->vips);
	free(a);
}

const uint8_t *
arp_mac(const struct arp *a, unsigned link)
{
	return a->lk[link].mac;
}

uint32_t
arp_ipaddr(const struct arp *a)
{
	return a->lk[0].ipaddr;
}

void
arp_get_counters(const struct arp *a, struct arp_counters *c)
{
	struct neigh_counters nc;

	neigh_get_counters(a->neigh, &nc);
	*c = a->cnt;
	c->vip_claimers = nc.vip_claimers;
	c->mac_flaps = nc.mac_flaps;
	c->mac_holds = nc.mac_holds;
	c->mac_refused = nc.mac_refused;
	c->log_suppressed = nc.log_suppressed;
}

void
arp_set_mac_flap(struct arp *a, enum neigh_flap f)
{
	neigh_set_flap(a->neigh, f);
}

int
arp_static_mac(struct arp *a, const struct neigh_static *s)
{
	return neigh_pin(a->neigh, s);
}

size_t
arp_claimers(const struct arp *a, struct neigh_claimer *out, size_t max)
{
	return neigh_claimers(a->neigh, out, max);
}

static void
arp_probe(void *arg, const union drlb_inaddr *rip, int link)
{
	struct arp *a = arg;

	for (unsigned l = 0; l < a->nlinks; l++) {
		if (link != NEIGH_LINK_ALL && (unsigned)link != l)
			continue;
		arp_send(a, l, ARPOP_REQUEST, bcast, a->lk[l].mac,
		    a->lk[l].ipaddr, zero6, rip->in.s_addr);
		a->cnt.probes_sent++;
	}
}

void
arp_dest_added(void *arg, struct dest *d)
{
	struct arp *a = arg;

	neigh_dest_added(a->neigh, d, a->now_ms);
}

static bool
is_vip(struct arp *a, uint32_t ip)
{
	union drlb_inaddr v = { 0 };

	v.in.s_addr = ip;
	return svc_is_vip(a->svcs, AF_INET, &v);
}

static void
garp(struct arp *a, uint32_t vip)
{
	/* a gratuitous ARP request: sender and target are the VIP, so every
	 * host on the segment updates VIP -> our MAC there */
	for (unsigned l = 0; l < a->nlinks; l++)
		if (arp_send(a, l, ARPOP_REQUEST, bcast, a->lk[l].mac, vip,
		    zero6, vip) == 0)
			a->cnt.garp_sent++;
}

void
arp_vips_changed(void *arg)
{
	struct arp *a = arg;
	struct svc *s;
	size_t i, j;

	if (!a->own_vips)
		return;
	/* forget VIPs that are gone */
	for (i = j = 0; i < a->nvips; i++)
		if (is_vip(a, a->vips[i].ip))
			a->vips[j++] = a->vips[i];
	a->nvips = j;
	/* announce the new ones */
	for (s = a->svcs->head; s != NULL; s = s->next) {
		uint32_t v = s->conf.addr.in.s_addr;

		if (s->conf.af != AF_INET)
			continue;
		for (i = 0; i < a->nvips && a->vips[i].ip != v; i++)
			;
		if (i < a->nvips)
			continue;
		if (a->nvips == a->capvips) {
			size_t cap = a->capvips ? a->capvips * 2 : 16;
			struct vip4 *nv = realloc(a->vips, cap * sizeof(*nv));
			if (nv == NULL)
				return;
			a->vips = nv;
			a->capvips = cap;
		}
		a->vips[a->nvips++] = (struct vip4){ .ip = v };
		garp(a, v);
		log_info("VIP %s announced by gratuitous ARP",
		    inet_ntoa(s->conf.addr.in));
		a->garp_repeat_ms = a->now_ms + GARP_REPEAT_MS;
		if (a->check_ms > a->now_ms + VIP_CHECK_FIRST_MS)
			a->check_ms = a->now_ms + VIP_CHECK_FIRST_MS;
	}
}

void
arp_set_own_vips(struct arp *a, int on)
{
	a->own_vips = on != 0;
	/* forget what was announced: on, every VIP is new and announced at
	 * once (the client's and router's caches move to our MAC) */
	a->nvips = 0;
	a->garp_repeat_ms = 0;
	a->check_ms = UINT64_MAX;
	if (on)
		arp_vips_changed(a);
}

int
arp_own_vips(const struct arp *a)
{
	return a->own_vips;
}

/* Another MAC claimed vip: take it back (rate-limited); true if sent. */
static bool
reclaim(struct arp *a, uint32_t vip)
{
	struct vip4 *v = NULL;

	for (size_t i = 0; i < a->nvips; i++)
		if (a->vips[i].ip == vip)
			v = &a->vips[i];
	if (v == NULL || a->now_ms < v->reclaim_ms)
		return false;
	garp(a, vip);
	v->reclaim_ms = a->now_ms + RECLAIM_MS;
	v->again_ms = a->now_ms + RECLAIM_AGAIN_MS;
	a->cnt.vip_reclaims++;
	return true;
}

enum claim { CLAIM_NONE, CLAIM_REQUEST, CLAIM_REPLY, CLAIM_GRATUITOUS,
    CLAIM_PROBE };

/* Which sign, if any, of another host claiming a VIP a frame is. */
static enum claim
claim_of(struct arp *a, uint16_t op, uint32_t spa, uint32_t tpa)
{
	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		return CLAIM_NONE;	/* Linux reads no other */
	if (spa != 0 && is_vip(a, spa))
		return spa == tpa ? CLAIM_GRATUITOUS : op == ARPOP_REPLY ?
		    CLAIM_REPLY : CLAIM_REQUEST;
	/* RFC 5227's probe: a host about to take the address */
	if (spa == 0 && op == ARPOP_REQUEST && is_vip(a, tpa))
		return CLAIM_PROBE;
	return CLAIM_NONE;
}

/* Count, log (once per MAC), trace and answer a claim of a VIP. */
static void
claimed(struct arp *a, enum claim k, const uint8_t *sha, uint32_t spa,
    uint32_t tpa)
{
	char how[96], s[INET_ADDRSTRLEN], t[INET_ADDRSTRLEN], m[24];
	uint32_t vip = k == CLAIM_PROBE ? tpa : spa;
	union drlb_inaddr v = { .in.s_addr = vip };
	uint64_t n;
	bool sent;

	inet_ntop(AF_INET, &spa, s, sizeof(s));
	inet_ntop(AF_INET, &tpa, t, sizeof(t));
	a->cnt.vip_conflicts++;
	switch (k) {
	case CLAIM_REQUEST:
		a->cnt.vip_claim_requests++;
		snprintf(how, sizeof(how), "an ARP request (who-has %s tell "
		    "%s)", t, s);
		break;
	case CLAIM_REPLY:
		a->cnt.vip_claim_replies++;
		snprintf(how, sizeof(how), "an ARP reply (%s is-at its MAC, "
		    "to %s)", s, t);
		break;
	case CLAIM_GRATUITOUS:
		a->cnt.vip_claim_gratuitous++;
		snprintf(how, sizeof(how), "a gratuitous ARP");
		break;
	default:
		a->cnt.vip_claim_probes++;
		snprintf(how, sizeof(how), "an ARP probe (duplicate address "
		    "detection)");
		break;
	}
	n = neigh_claim(a->neigh, sha, &v, how, k == CLAIM_PROBE, a->now_ms);
	/* a probe moves no cache (its sender is 0.0.0.0): answering it is
	 * enough */
	sent = k != CLAIM_PROBE && reclaim(a, vip);
	if (trace_on) {
		union drlb_inaddr c = { .in.s_addr = tpa };

		/* a request or reply is about its target, a client */
		if (k == CLAIM_REQUEST || k == CLAIM_REPLY)
			trace_select(AF_INET, &c);
		else
			trace_select(0, NULL);
		TRACE("arp from %s: claims VIP %s by %s (claim %llu of this "
		    "MAC)%s", trace_mac(m, sizeof(m), sha),
		    inet_ntoa(v.in), how, (unsigned long long)n,
		    sent ? ": VIP re-announced" : "");
		trace_mask = 0;
	}
}

void
arp_input(void *arg, unsigned link, const uint8_t *f, uint32_t len)
{
	struct arp *a = arg;
	uint16_t op;
	uint32_t spa, tpa;
	const uint8_t *sha;
	union drlb_inaddr sender = { 0 };
	enum neigh_learnt l;
	enum claim k;

	/* Ethernet(14) + ARP for IPv4 over Ethernet (28) */
	if (len < 42 || f[14] != 0 || f[15] != 1 || f[16] != 0x08 ||
	    f[17] != 0x00 || f[18] != 6 || f[19] != 4) {
		a->cnt.malformed++;
		return;
	}
	op = (uint16_t)(f[20] << 8 | f[21]);
	sha = f + 22;
	memcpy(&spa, f + 28, 4);
	memcpy(&tpa, f + 38, 4);
	if (link >= a->nlinks)
		link = 0;
	for (unsigned i = 0; i < a->nlinks; i++)
		if (memcmp(sha, a->lk[i].mac, 6) == 0)
			return;		/* our own */

	/* a real server speaking (request or reply): learn or refresh */
	sender.in.s_addr = spa;
	if (spa != 0 && (l = neigh_learn(a->neigh, &sender, sha, link,
	    a->now_ms)) != NEIGH_UNKNOWN) {
		if (l != NEIGH_REFUSED)
			a->cnt.replies_learnt++;
		if (trace_on) {
			char m[24];

			trace_select(0, NULL);
			TRACE("arp %s from real server %s: is at %s%s",
			    op == ARPOP_REPLY ? "reply" : "request",
			    inet_ntoa(sender.in), trace_mac(m, sizeof(m), sha),
			    l == NEIGH_REFUSED ? ": refused (pinned or held "
			    "at another MAC)" : "");
			trace_mask = 0;
		}
	}

	if (!a->own_vips)
		return;
	if ((k = claim_of(a, op, spa, tpa)) != CLAIM_NONE) {
		/* someone else says it is, or wants to be, the VIP: usually
		 * a real server whose arp_ignore/arp_announce were not set */
		claimed(a, k, sha, spa, tpa);
		if (k != CLAIM_PROBE)
			return;
		/* a probe is answered: the prober then knows it is taken */
	}
	if (op == ARPOP_REQUEST && tpa != spa && is_vip(a, tpa)) {
		/* "who has VIP, tell spa": we do */
		if (arp_send(a, link, ARPOP_REPLY, sha, a->lk[link].mac, tpa,
		    sha, spa) == 0)
			a->cnt.vip_requests_answered++;
		if (trace_on) {
			union drlb_inaddr c = { .in.s_addr = spa };
			char m[24], vip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &tpa, vip, sizeof(vip));
			trace_select(AF_INET, &c);
			TRACE("arp who-has %s tell %s: answered %s is-at %s (ours)",
			    vip, inet_ntoa(c.in), vip,
			    trace_mac(m, sizeof(m), a->lk[link].mac));
			trace_mask = 0;
		}
	}
}

void
arp_tick(struct arp *a, uint64_t now_ms)
{
	size_t i;

	a->now_ms = now_ms;
	if (a->garp_repeat_ms && now_ms >= a->garp_repeat_ms) {
		a->garp_repeat_ms = 0;
		for (i = 0; i < a->nvips; i++)
			garp(a, a->vips[i].ip);
	}
	for (i = 0; i < a->nvips; i++)
		if (a->vips[i].again_ms && now_ms >= a->vips[i].again_ms) {
			a->vips[i].again_ms = 0;
			garp(a, a->vips[i].ip);
		}
	if (a->own_vips && now_ms >= a->check_ms) {
		/* who-has VIP tell DIP: only a host that should not answers */
		for (i = 0; i < a->nvips && i < VIP_CHECK_MAX; i++) {
			if (a->check_next >= a->nvips)
				a->check_next = 0;
			for (unsigned l = 0; l < a->nlinks; l++)
				if (arp_send(a, l, ARPOP_REQUEST, bcast,
				    a->lk[l].mac, a->lk[l].ipaddr, zero6,
				    a->vips[a->check_next].ip) == 0)
					a->cnt.vip_checks_sent++;
			a->check_next++;
		}
		a->check_ms = now_ms + VIP_CHECK_MS;
	}
	neigh_tick(a->neigh, now_ms);
}
