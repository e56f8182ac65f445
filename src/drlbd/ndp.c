/*
 * IPv6 Neighbor Discovery for a DR director, with frames built by libnet.
 *
 * IPv6 has no ARP: a host finds "who has VIP" by sending a Neighbor
 * Solicitation (ICMPv6 135) to the VIP's solicited-node multicast address,
 * ff02::1:ff + the VIP's last 24 bits, and the owner answers with a
 * Neighbor Advertisement (ICMPv6 136) carrying its MAC.  As with ARP only
 * the director may answer: the real servers hold the VIP on lo, where
 * Linux neither answers solicitations arriving on eth0 for it nor runs
 * duplicate address detection on the segment (see the README).  The
 * director's kernel does not hold the VIP at all; we answer for it here.
 *
 * The solicited-node group's frames (33:33:ff:XX:XX:XX) reach a NIC only if
 * it has joined it: the capture socket joins it for each VIP
 * (PACKET_ADD_MEMBERSHIP, which an open packet socket may do without any
 * capability, so VIPs added after privileges were dropped work too).
 */
#include <arpa/inet.h>
#include <libnet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "ndp.h"
#include "neigh.h"
#include "trace.h"

#define UNA_REPEAT_MS		1000	/* each announcement is sent twice */
/* A claimed VIP is re-announced at once and again a little later (as
 * arp.c), at most once per RECLAIM_MS per VIP. */
#define RECLAIM_AGAIN_MS	1500
#define RECLAIM_MS		2000
/* We solicit our own VIPs now and then: a host that holds one on its
 * interface answers (as arp.c's checks) */
#define VIP_CHECK_FIRST_MS	2000
#define VIP_CHECK_MS		10000
#define VIP_CHECK_MAX		16

#define ND_NS_			135
#define ND_NA_			136
#define NDOPT_SLLA		1	/* source link-layer address */
#define NDOPT_TLLA		2	/* target link-layer address */
#define NA_F_SOLICITED		0x40000000
#define NA_F_OVERRIDE		0x20000000
#define ETHERTYPE_IPV6_		0x86dd

struct vip6 {
	uint8_t ip[16];
	int joined;			/* its solicited-node group */
	uint64_t reclaim_ms;		/* no re-announcement before this */
	uint64_t again_ms;		/* the second one due (0: none) */
};

/* one of drlbd's interfaces (neigh.h: links) */
struct ndp_link {
	libnet_t *ln;			/* ndp_open's injector, or NULL */
	ndp_send_fn send;
	void *send_arg;
	int ring_fd, ifindex;
	uint8_t mac[6];
	uint8_t lladdr[16];		/* fe80:: + EUI-64 of our MAC */
};

struct ndp {
	libnet_t *build;		/* assembles our frames, sends none */
	struct ndp_link lk[NDP_LINKS_MAX];
	unsigned nlinks;
	unsigned cur;			/* the link of the frame in ndp_input */
	struct svc_table *svcs;
	int own_vips;
	struct neigh_table *neigh;	/* real servers' MACs */
	struct vip6 *vips;
	size_t nvips, capvips;
	uint64_t una_repeat_ms;		/* when to repeat announcements (0: no) */
	uint64_t check_ms;		/* the next round of VIP checks */
	size_t check_next;		/* the VIP it starts with */
	uint64_t now_ms;
	struct ndp_counters cnt;
};

static void mcast_link(struct ndp *, unsigned, const uint8_t *, int);

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
static const uint8_t unspec[16];

static void ndp_probe(void *, const union drlb_inaddr *, int);

static const struct neigh_ops ndp_neigh_ops = {
	.probe = ndp_probe,
	.silent = "neighbor solicitations",
	.again = "neighbor discovery",
	.proto = "ND",
	.fix = "on that host keep the VIP on lo only, never on its "
	    "interface, and proxy_ndp off",
};

static const char *
ntop6(const uint8_t *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX */
static void
solicited_node(const uint8_t *a, uint8_t group[16], uint8_t mac[6])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(group, pfx, 13);
	memcpy(group + 13, a + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/*
 * One NS or NA: Ethernet / IPv6 (hop limit 255, which receivers demand:
 * it proves the frame was not routed) / ICMPv6 / one link-layer address
 * option with our MAC.  libnet fills in the lengths and the checksum.
 */
static int
nd_send(struct ndp *n, unsigned l, uint8_t type, const uint8_t *eth_dst,
    const uint8_t *src, const uint8_t *dst, uint32_t flags,
    const uint8_t *target)
{
	struct libnet_in6_addr s, d, t;
	uint8_t *frame;
	uint32_t len;
	int r;

	memcpy(&s, src, 16);
	memcpy(&d, dst, 16);
	memcpy(&t, target, 16);
	libnet_clear_packet(n->build);
	if (libnet_build_icmpv6_ndp_opt(type == ND_NS_ ? NDOPT_SLLA :
	    NDOPT_TLLA, n->lk[l].mac, 6, n->build, 0) == -1)
		goto fail;
	if (type == ND_NS_) {
		if (libnet_build_icmpv6_ndp_nsol(ND_NS_, 0, 0, t, NULL, 0,
		    n->build, 0) == -1)
			goto fail;
	} else if (libnet_build_icmpv6_ndp_nadv(ND_NA_, 0, 0, flags, t, NULL,
	    0, n->build, 0) == -1)
		goto fail;
	if (libnet_build_ipv6(0, 0, LIBNET_ICMPV6_NDP_NSOL_H + 8,
	    IPPROTO_ICMPV6, 255, s, d, NULL, 0, n->build, 0) == -1)
		goto fail;
	if (libnet_build_ethernet(eth_dst, n->lk[l].mac, ETHERTYPE_IPV6_, NULL, 0,
	    n->build, 0) == -1)
		goto fail;
	/* the frame as libnet_write would send it (libnet_adv_cull_packet
	 * does the same, but only for an injector in advanced mode) */
	if (libnet_pblock_coalesce(n->build, &frame, &len) == -1)
		goto fail;
	r = n->lk[l].send(n->lk[l].send_arg, frame, len);
	libnet_adv_free_packet(n->build, frame);
	return r;
fail:
	log_warnx("ndp: %s", libnet_geterror(n->build));
	return -1;
}

/* ndp_open's ndp_send_fn: out of the interface */
static int
link_send(void *arg, const uint8_t *frame, uint32_t len)
{
	libnet_t *ln = arg;

	if (libnet_write_link(ln, frame, len) == -1) {
		log_warnx("ndp: %s", libnet_geterror(ln));
		return -1;
	}
	return 0;
}

struct ndp *
ndp_create(const uint8_t mac[6], int ifindex, int ring_fd, int own_vips,
    struct svc_table *svcs, ndp_send_fn send, void *send_arg, char *err,
    size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE];
	struct ndp *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((n->build = libnet_init(LIBNET_NONE, NULL, lerr)) == NULL) {
		snprintf(err, errlen, "libnet_init: %s", lerr);
		free(n);
		return NULL;
	}
	if ((n->neigh = neigh_create(AF_INET6, svcs, &ndp_neigh_ops, n)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		libnet_destroy(n->build);
		free(n);
		return NULL;
	}
	ndp_add_link(n, mac, ifindex, ring_fd, send, send_arg);
	n->own_vips = own_vips;
	n->svcs = svcs;
	n->check_ms = UINT64_MAX;
	return n;
}

int
ndp_add_link(struct ndp *n, const uint8_t mac[6], int ifindex, int ring_fd,
    ndp_send_fn send, void *send_arg)
{
	struct ndp_link *k;

	if (n->nlinks == NDP_LINKS_MAX)
		return -1;
	k = &n->lk[n->nlinks++];
	memcpy(k->mac, mac, 6);
	/* the link-local address the kernel would derive (EUI-64): the
	 * source of our solicitations, whether or not the kernel has IPv6
	 * on this interface */
	k->lladdr[0] = 0xfe;
	k->lladdr[1] = 0x80;
	k->lladdr[8] = mac[0] ^ 0x02;
	k->lladdr[9] = mac[1];
	k->lladdr[10] = mac[2];
	k->lladdr[11] = 0xff;
	k->lladdr[12] = 0xfe;
	k->lladdr[13] = mac[3];
	k->lladdr[14] = mac[4];
	k->lladdr[15] = mac[5];
	k->send = send;
	k->send_arg = send_arg;
	k->ring_fd = ring_fd;
	k->ifindex = ifindex;
	return 0;
}

/* libnet's injector on ifname and its MAC */
static libnet_t *
link_open(const char *ifname, uint8_t mac[6], char *err, size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE];
	struct libnet_ether_addr *ea;
	libnet_t *ln;

	if ((ln = libnet_init(LIBNET_LINK, ifname, lerr)) == NULL) {
		snprintf(err, errlen, "libnet_init(%s): %s", ifname, lerr);
		return NULL;
	}
	neigh_sender_quiet(libnet_getfd(ln), "ND");
	if ((ea = libnet_get_hwaddr(ln)) == NULL) {
		snprintf(err, errlen, "libnet_get_hwaddr(%s): %s", ifname,
		    libnet_geterror(ln));
		libnet_destroy(ln);
		return NULL;
	}
	memcpy(mac, ea->ether_addr_octet, 6);
	return ln;
}

struct ndp *
ndp_open(const char *ifname, int own_vips, struct svc_table *svcs, int ring_fd,
    char *err, size_t errlen)
{
	uint8_t mac[6];
	libnet_t *ln;
	struct ndp *n;

	if ((ln = link_open(ifname, mac, err, errlen)) == NULL)
		return NULL;
	if ((n = ndp_create(mac, (int)if_nametoindex(ifname), ring_fd,
	    own_vips, svcs, link_send, ln, err, errlen)) == NULL) {
		libnet_destroy(ln);
		return NULL;
	}
	n->lk[0].ln = ln;
	return n;
}

int
ndp_open_link(struct ndp *n, const char *ifname, int ring_fd, char *err,
    size_t errlen)
{
	uint8_t mac[6];
	libnet_t *ln;

	if ((ln = link_open(ifname, mac, err, errlen)) == NULL)
		return -1;
	if (ndp_add_link(n, mac, (int)if_nametoindex(ifname), ring_fd,
	    link_send, ln) < 0) {
		snprintf(err, errlen, "%s: more than %d interfaces", ifname,
		    NDP_LINKS_MAX);
		libnet_destroy(ln);
		return -1;
	}
	n->lk[n->nlinks - 1].ln = ln;
	/* the VIPs taken so far: their groups on this link too */
	for (size_t i = 0; i < n->nvips; i++)
		if (n->vips[i].joined)
			mcast_link(n, n->nlinks - 1, n->vips[i].ip, 1);
	return 0;
}

static void
mcast_link(struct ndp *n, unsigned l, const uint8_t *vip, int join)
{
	struct packet_mreq mr;
	uint8_t group[16];
	char a[INET6_ADDRSTRLEN];

	if (n->lk[l].ring_fd < 0)
		return;			/* ndp_create without a capture socket */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = n->lk[l].ifindex;
	mr.mr_type = PACKET_MR_MULTICAST;
	mr.mr_alen = 6;
	solicited_node(vip, group, mr.mr_address);
	if (setsockopt(n->lk[l].ring_fd, SOL_PACKET, join ? PACKET_ADD_MEMBERSHIP :
	    PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr)) < 0 && join) {
		n->cnt.mcast_join_errors++;
		log_warn("VIP %s: joining its solicited-node group %s",
		    ntop6(vip, a), ntop6(group, (char[INET6_ADDRSTRLEN]){ 0 }));
	}
}

/* the VIP's solicited-node group, on every link's capture socket */
static void
mcast(struct ndp *n, const uint8_t *vip, int join)
{
	for (unsigned l = 0; l < n->nlinks; l++)
		mcast_link(n, l, vip, join);
}

void
ndp_close(struct ndp *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nvips; i++)
		if (n->vips[i].joined)
			mcast(n, n->vips[i].ip, 0);
	libnet_destroy(n->build);
	for (unsigned l = 0; l < n->nlinks; l++)
		if (n->lk[l].ln != NULL)
			libnet_destroy(n->lk[l].ln);
	neigh_destroy(n->neigh);
	free(n->vips);
	free(n);
}

void
ndp_get_counters(const struct ndp *n, struct ndp_counters *c)
{
	struct neigh_counters nc;

	neigh_get_counters(n->neigh, &nc);
	*c = n->cnt;
	c->vip_claimers = nc.vip_claimers;
	c->mac_flaps = nc.mac_flaps;
	c->mac_holds = nc.mac_holds;
	c->mac_refused = nc.mac_refused;
	c->log_suppressed = nc.log_suppressed;
}

void
ndp_set_mac_flap(struct ndp *n, enum neigh_flap f)
{
	if (n != NULL)
		neigh_set_flap(n->neigh, f);
}

int
ndp_static_mac(struct ndp *n, const struct neigh_static *s)
{
	return n != NULL ? neigh_pin(n->neigh, s) : 0;
}

size_t
ndp_claimers(const struct ndp *n, struct neigh_claimer *out, size_t max)
{
	return n != NULL ? neigh_claimers(n->neigh, out, max) : 0;
}

static void
ndp_probe(void *arg, const union drlb_inaddr *rip, int link)
{
	struct ndp *n = arg;
	uint8_t group[16], mac[6];

	solicited_node(rip->b, group, mac);
	for (unsigned l = 0; l < n->nlinks; l++) {
		if (link != NEIGH_LINK_ALL && (unsigned)link != l)
			continue;
		nd_send(n, l, ND_NS_, mac, n->lk[l].lladdr, group, 0, rip->b);
		n->cnt.probes_sent++;
	}
}

void
ndp_dest_added(void *arg, struct dest *d)
{
	struct ndp *n = arg;

	neigh_dest_added(n->neigh, d, n->now_ms);
}

static bool
is_vip(struct ndp *n, const uint8_t *ip)
{
	union drlb_inaddr v;

	memcpy(v.b, ip, 16);
	return svc_is_vip(n->svcs, AF_INET6, &v);
}

/* An unsolicited advertisement to all nodes: the VIP is at our MAC, and
 * the override flag replaces whatever a neighbour cache held. */
static void
announce(struct ndp *n, const uint8_t *vip)
{
	for (unsigned l = 0; l < n->nlinks; l++)
		if (nd_send(n, l, ND_NA_, all_nodes_mac, vip, all_nodes,
		    NA_F_OVERRIDE, vip) == 0)
			n->cnt.unsolicited_na_sent++;
}

void
ndp_vips_changed(void *arg)
{
	struct ndp *n = arg;
	struct svc *s;
	size_t i, j;
	char a[INET6_ADDRSTRLEN];

	if (!n->own_vips)
		return;
	/* forget VIPs that are gone, and leave their groups */
	for (i = j = 0; i < n->nvips; i++) {
		if (is_vip(n, n->vips[i].ip)) {
			n->vips[j++] = n->vips[i];
			continue;
		}
		if (n->vips[i].joined)
			mcast(n, n->vips[i].ip, 0);
	}
	n->nvips = j;
	/* join and announce the new ones */
	for (s = n->svcs->head; s != NULL; s = s->next) {
		const uint8_t *v = s->conf.addr.b;

		if (s->conf.af != AF_INET6)
			continue;
		for (i = 0; i < n->nvips && memcmp(n->vips[i].ip, v, 16); i++)
			;
		if (i < n->nvips)
			continue;
		if (n->nvips == n->capvips) {
			size_t cap = n->capvips ? n->capvips * 2 : 16;
			struct vip6 *nv = realloc(n->vips, cap * sizeof(*nv));
			if (nv == NULL)
				return;
			n->vips = nv;
			n->capvips = cap;
		}
		memset(&n->vips[n->nvips], 0, sizeof(n->vips[0]));
		memcpy(n->vips[n->nvips].ip, v, 16);
		mcast(n, v, 1);
		n->vips[n->nvips++].joined = 1;
		announce(n, v);
		log_info("VIP %s announced by unsolicited neighbor advertisement",
		    ntop6(v, a));
		n->una_repeat_ms = n->now_ms + UNA_REPEAT_MS;
		if (n->check_ms > n->now_ms + VIP_CHECK_FIRST_MS)
			n->check_ms = n->now_ms + VIP_CHECK_FIRST_MS;
	}
}

void
ndp_set_own_vips(struct ndp *n, int on)
{
	if (n == NULL)
		return;
	/* off: stop answering, leave the VIPs' solicited-node groups; on:
	 * every IPv6 VIP is new again, joined and announced at once (the
	 * hosts' neighbour caches move to our MAC) -- as arp.c for IPv4 */
	for (size_t i = 0; i < n->nvips; i++)
		if (n->vips[i].joined)
			mcast(n, n->vips[i].ip, 0);
	n->nvips = 0;
	n->una_repeat_ms = 0;
	n->check_ms = UINT64_MAX;
	n->own_vips = on != 0;
	if (on)
		ndp_vips_changed(n);
}

/* The link-layer address option of the given type, or NULL. */
static const uint8_t *
nd_lladdr_opt(const uint8_t *opt, uint32_t len, uint8_t type)
{
	while (len >= 8) {
		uint32_t olen = (uint32_t)opt[1] * 8;

		if (olen == 0 || olen > len)
			return NULL;	/* RFC 4861 4.6: a zero length is invalid */
		if (opt[0] == type && olen >= 8)
			return opt + 2;
		opt += olen;
		len -= olen;
	}
	return NULL;
}

/* A real server's address is at mac (an NA's target, an NS's source). */
static void
learn(struct ndp *n, const uint8_t *ip, const uint8_t *mac, const char *what)
{
	union drlb_inaddr rip;
	enum neigh_learnt l;

	memcpy(rip.b, ip, 16);
	if ((l = neigh_learn(n->neigh, &rip, mac, n->cur, n->now_ms)) ==
	    NEIGH_UNKNOWN)
		return;
	if (l != NEIGH_REFUSED)
		n->cnt.adverts_learnt++;
	if (trace_on) {
		char a[INET6_ADDRSTRLEN], m[24];

		trace_select(0, NULL);
		TRACE("nd %s from real server %s: is at %s%s", what,
		    ntop6(ip, a), trace_mac(m, sizeof(m), mac),
		    l == NEIGH_REFUSED ? ": refused (pinned or held at another "
		    "MAC)" : "");
		trace_mask = 0;
	}
}

/* Another MAC claimed vip: take it back (rate-limited); true if sent. */
static bool
reclaim(struct ndp *n, const uint8_t *vip)
{
	struct vip6 *v = NULL;

	for (size_t i = 0; i < n->nvips; i++)
		if (memcmp(n->vips[i].ip, vip, 16) == 0)
			v = &n->vips[i];
	if (v == NULL || n->now_ms < v->reclaim_ms)
		return false;
	announce(n, vip);
	v->reclaim_ms = n->now_ms + RECLAIM_MS;
	v->again_ms = n->now_ms + RECLAIM_AGAIN_MS;
	n->cnt.vip_reclaims++;
	return true;
}

/* mac claimed vip by how: count, log (once per MAC), trace, take it back */
static void
claimed(struct ndp *n, uint64_t *kind, const uint8_t *mac, const uint8_t *vip,
    const uint8_t *client, const char *how)
{
	union drlb_inaddr v;
	uint64_t c;
	bool probe, sent;

	n->cnt.vip_conflicts++;
	(*kind)++;
	memcpy(v.b, vip, 16);
	probe = kind == &n->cnt.vip_claim_probes;
	c = neigh_claim(n->neigh, mac, &v, how, probe, n->now_ms);
	/* a probe moves no cache (its source is ::): answering it is
	 * enough */
	sent = !probe && reclaim(n, vip);
	if (trace_on) {
		char a[INET6_ADDRSTRLEN], m[24];
		union drlb_inaddr cl;

		if (client != NULL) {
			memcpy(cl.b, client, 16);
			trace_select(AF_INET6, &cl);
		} else
			trace_select(0, NULL);
		TRACE("nd from %s: claims VIP %s by %s (claim %llu of this "
		    "MAC)%s", trace_mac(m, sizeof(m), mac), ntop6(vip, a), how,
		    (unsigned long long)c, sent ? ": VIP re-announced" : "");
		trace_mask = 0;
	}
}

void
ndp_input(void *arg, unsigned link, const uint8_t *f, uint32_t len)
{
	struct ndp *n = arg;
	const struct ndp_link *k;
	const uint8_t *ip6 = f + 14, *icmp = ip6 + 40, *src, *dst, *target, *ll;
	uint32_t plen, flags;
	char how[96], a[INET6_ADDRSTRLEN];
	union drlb_inaddr t;

	/* the data path hands over nothing shorter than an NS, but other
	 * callers may: the source MAC is read only if it is there */
	n->cur = link < n->nlinks ? link : 0;
	k = &n->lk[n->cur];
	for (unsigned l = 0; len >= 14 && l < n->nlinks; l++)
		if (memcmp(f + 6, n->lk[l].mac, 6) == 0)
			return;		/* our own */
	/* RFC 4861 7.1.1/7.1.2: hop limit 255, code 0, at least 24 bytes */
	plen = len >= 54 ? (uint32_t)(ip6[4] << 8 | ip6[5]) : 0;
	if (len < 14 + 40 + 24 || plen < 24 || plen > len - 54 ||
	    ip6[7] != 255 || icmp[1] != 0) {
		n->cnt.malformed++;
		return;
	}
	src = ip6 + 8;
	dst = ip6 + 24;
	target = icmp + 8;
	memcpy(t.b, target, 16);
	if (icmp[0] == ND_NA_) {
		flags = (uint32_t)icmp[4] << 24;
		ll = nd_lladdr_opt(icmp + 24, plen - 24, NDOPT_TLLA);
		if (ll == NULL)
			ll = f + 6;
		if (n->own_vips && is_vip(n, target)) {
			/* someone else says it is the VIP: usually a real
			 * server with the VIP on its interface */
			if (memcmp(ll, k->mac, 6) == 0)
				return;	/* at our MAC: no harm */
			snprintf(how, sizeof(how), "a neighbor advertisement%s",
			    flags & NA_F_OVERRIDE ? " with the override flag" :
			    "");
			claimed(n, &n->cnt.vip_claim_adverts, ll, target,
			    memcmp(dst, all_nodes, 16) != 0 ? dst : NULL, how);
			return;
		}
		/* only an answer to our solicitation teaches a real server's
		 * MAC: anyone may send an unsolicited one */
		if ((flags & NA_F_SOLICITED) && memcmp(dst, k->lladdr, 16) == 0)
			learn(n, target, ll, "advertisement");
		else if (neigh_known(n->neigh, &t))
			n->cnt.unsolicited_ignored++;
		return;
	}
	/* a solicitation: a real server asking (learn it, if it says its
	 * MAC), and perhaps for a VIP or our link-local address */
	ll = nd_lladdr_opt(icmp + 24, plen - 24, NDOPT_SLLA);
	if (n->own_vips && is_vip(n, src)) {
		/* asking from the VIP: a host that holds it on its
		 * interface, and tells every host it asks where it is */
		snprintf(how, sizeof(how), "a neighbor solicitation (who-has "
		    "%s from %s)", ntop6(target, a), ntop6(src,
		    (char[INET6_ADDRSTRLEN]){ 0 }));
		claimed(n, &n->cnt.vip_claim_solicits, ll != NULL ? ll : f + 6,
		    src, target, how);
		return;
	}
	if (memcmp(src, unspec, 16) != 0 && ll != NULL)
		learn(n, src, ll, "solicitation");
	if (!(n->own_vips && is_vip(n, target)) &&
	    memcmp(target, k->lladdr, 16) != 0)
		return;
	if (memcmp(src, unspec, 16) == 0) {
		/* duplicate address detection for our address: a host about
		 * to take it; defend it to all nodes (RFC 4861 7.2.4), not
		 * solicited */
		if (is_vip(n, target))
			claimed(n, &n->cnt.vip_claim_probes, f + 6, target,
			    NULL, "a duplicate address detection probe");
		if (nd_send(n, n->cur, ND_NA_, all_nodes_mac, target,
		    all_nodes, NA_F_OVERRIDE, target) == 0)
			n->cnt.vip_solicits_answered++;
		return;
	}
	/* "who has VIP, tell src": we do, to its MAC */
	if (nd_send(n, n->cur, ND_NA_, ll != NULL ? ll : f + 6, target, src,
	    NA_F_SOLICITED | NA_F_OVERRIDE, target) == 0)
		n->cnt.vip_solicits_answered++;
}

void
ndp_tick(struct ndp *n, uint64_t now_ms)
{
	size_t i;

	n->now_ms = now_ms;
	if (n->una_repeat_ms && now_ms >= n->una_repeat_ms) {
		n->una_repeat_ms = 0;
		for (i = 0; i < n->nvips; i++)
			announce(n, n->vips[i].ip);
	}
	for (i = 0; i < n->nvips; i++)
		if (n->vips[i].again_ms && now_ms >= n->vips[i].again_ms) {
			n->vips[i].again_ms = 0;
			announce(n, n->vips[i].ip);
		}
	if (n->own_vips && now_ms >= n->check_ms) {
		/* who has VIP: only a host that should not answers */
		for (i = 0; i < n->nvips && i < VIP_CHECK_MAX; i++) {
			uint8_t group[16], mac[6];
			const uint8_t *v;

			if (n->check_next >= n->nvips)
				n->check_next = 0;
			v = n->vips[n->check_next++].ip;
			solicited_node(v, group, mac);
			for (unsigned l = 0; l < n->nlinks; l++)
				if (nd_send(n, l, ND_NS_, mac, n->lk[l].lladdr,
				    group, 0, v) == 0)
					n->cnt.vip_checks_sent++;
		}
		n->check_ms = now_ms + VIP_CHECK_MS;
	}
	neigh_tick(n->neigh, now_ms);
}
