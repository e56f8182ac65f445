/*
 * ndp.c without an interface (ndp_create and a recorder): Neighbor
 * Solicitations and Advertisements from the segment through ndp_input, and
 * the frames it sends -- unsolicited advertisements, solicitations to a
 * real server's solicited-node group, answers for the VIPs -- byte by byte,
 * ICMPv6 checksum included.
 */
#include "ndp.h"
#include "neigh_env.h"

static const uint8_t MAC_DIR[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_CLI[6] = { 0x02, 0, 0, 0, 0, 0x64 };
static const uint8_t MAC_CLI2[6] = { 0x02, 0, 0, 0, 0, 0x65 };
static const uint8_t MAC_RS1[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t MAC_RS1B[6] = { 0x02, 0, 0, 0, 0, 0x17 };
static const uint8_t MAC_RS2[6] = { 0x02, 0, 0, 0, 0, 0x08 };
static const uint8_t MAC_EVIL[6] = { 0x02, 0, 0, 0, 0, 0x66 };
static const uint8_t MAC_X[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t MAC_ALL[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
static const uint8_t MAC_SN7[6] = { 0x33, 0x33, 0xff, 0, 0, 0x07 };
static const uint8_t MAC_SN8[6] = { 0x33, 0x33, 0xff, 0, 0, 0x08 };

/* our link-local address: fe80:: + EUI-64 of MAC_DIR */
#define LLADDR	"fe80::ff:fe00:2"
#define VIP	"2001:db8::1"

#define NS	135
#define NA	136
#define SLLA	1
#define TLLA	2
#define F_S	0x40000000
#define F_O	0x20000000

static struct ndp *nd;
static uint64_t now;

static struct ndp_counters
cnt(void)
{
	struct ndp_counters c;

	ndp_get_counters(nd, &c);
	return c;
}

/* a link-layer address option (8 bytes) */
static const uint8_t *
lla(uint8_t type, const uint8_t *mac)
{
	static uint8_t o[4][8];
	static int k;
	uint8_t *p = o[k++ % 4];

	p[0] = type;
	p[1] = 1;
	memcpy(p + 2, mac, 6);
	return p;
}

static uint16_t
icmp6_csum(const uint8_t *ip6, uint32_t plen)
{
	uint32_t sum = 0;

	for (uint32_t i = 8; i < 40; i += 2)	/* source, destination */
		sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	sum += plen + 58;
	for (uint32_t i = 0; i < plen; i += 2)
		sum += (uint32_t)(ip6[40 + i] << 8 |
		    (i + 1 < plen ? ip6[40 + i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Ethernet + IPv6 (hop limit 255) + an NS or NA: flags, target, options
 * (opt, optlen bytes), with its checksum.  Returns the frame's length.
 */
static uint32_t
nd_frame(uint8_t *f, const uint8_t *eth_dst, const uint8_t *eth_src,
    const char *src, const char *dst, uint8_t type, uint32_t flags,
    const char *target, const uint8_t *opt, uint32_t optlen)
{
	uint8_t *ip6 = f + 14, *icmp = ip6 + 40;
	uint32_t plen = 24 + optlen;
	uint16_t c;

	memset(f, 0, 14 + 40 + plen);
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, eth_src, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)(plen >> 8);
	ip6[5] = (uint8_t)plen;
	ip6[6] = 58;
	ip6[7] = 255;
	pton(src, ip6 + 8);
	pton(dst, ip6 + 24);
	icmp[0] = type;
	icmp[4] = (uint8_t)(flags >> 24);
	pton(target, icmp + 8);
	if (optlen > 0)
		memcpy(icmp + 24, opt, optlen);
	c = icmp6_csum(ip6, plen);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 14 + 40 + plen;
}

static void
in(const uint8_t *eth_src, const char *src, const char *dst, uint8_t type,
    uint32_t flags, const char *target, const uint8_t *opt, uint32_t optlen)
{
	uint8_t f[128];
	uint32_t len;

	len = nd_frame(f, MAC_ALL, eth_src, src, dst, type, flags, target, opt,
	    optlen);
	feed(ndp_input, nd, f, len);
}

/* frame i of the recorder is ours, exactly this NS or NA with our MAC in
 * its link-layer address option */
static int
sent_is(int i, const uint8_t *eth_dst, const char *src, const char *dst,
    uint8_t type, uint32_t flags, const char *target)
{
	uint8_t f[86];

	nd_frame(f, eth_dst, MAC_DIR, src, dst, type, flags, target,
	    lla(type == NS ? SLLA : TLLA, MAC_DIR), 8);
	if (i >= nsent || sent[i].len != 86 || memcmp(sent[i].f, f, 86) != 0) {
		printf("# frame %d (%u bytes):", i,
		    i < nsent ? sent[i].len : 0);
		for (uint32_t j = 0; i < nsent && j < sent[i].len; j++)
			printf(" %02x", sent[i].f[j]);
		printf("\n");
		return 0;
	}
	return 1;
}

static void
test_announce_and_probe(void)
{
	ctl(DRLB_CTL_ADD_SVC, VIP, 80, NULL);
	EXPECT_EQ(nsent, 1, "a new VIP: one frame");
	EXPECT(sent_is(0, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "... an unsolicited NA (override) to all nodes, hop limit 255, "
	    "checksum right");
	EXPECT_EQ(cnt().unsolicited_na_sent, 1, "unsolicited_na_sent");
	expect_log(log_new(), "VIP 2001:db8::1 announced by unsolicited "
	    "neighbor advertisement", 1, "announcement logged");
	EXPECT_EQ(cnt().mcast_join_errors, 0, "no capture socket: no join");

	ctl(DRLB_CTL_ADD_DEST, VIP, 80, "2001:db8::7");
	ctl(DRLB_CTL_ADD_DEST, VIP, 80, "2001:db8::8");
	EXPECT_EQ(nsent, 3, "two real servers: two frames");
	EXPECT(sent_is(1, MAC_SN7, LLADDR, "ff02::1:ff00:7", NS, 0,
	    "2001:db8::7"), "... an NS for 2001:db8::7 from our link-local "
	    "address to its solicited-node group");
	EXPECT(sent_is(2, MAC_SN8, LLADDR, "ff02::1:ff00:8", NS, 0,
	    "2001:db8::8"), "... and for 2001:db8::8");
	EXPECT_EQ(cnt().probes_sent, 2, "probes_sent");

	/* IPv4 is arp.c's */
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.1", 80, NULL);
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.7");
	EXPECT_EQ(nsent, 3, "an IPv4 VIP and real server: no ND");

	now = 1000;
	ndp_tick(nd, now);
	EXPECT_EQ(nsent, 6, "after 1 s: the NA again, both NS again");
	EXPECT(sent_is(3, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "... the announcement repeated first");
	now = 2000;
	ndp_tick(nd, now);
	EXPECT_EQ(nsent, 9, "after 2 s: the NS, and a check of the VIP");
	EXPECT(sent_is(6, (const uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0, 1 },
	    LLADDR, "ff02::1:ff00:1", NS, 0, VIP), "... an NS for the VIP "
	    "(a host holding it on its interface answers)");
	EXPECT_EQ(cnt().vip_checks_sent, 1, "vip_checks_sent");
}

static void
test_malformed(void)
{
	struct ndp_counters c0 = cnt();
	uint8_t f[128];
	uint32_t len;
	int n0 = nsent;

	/* each would say 2001:db8::7 is at MAC_RS1, were it well formed */
	len = nd_frame(f, MAC_DIR, MAC_RS1, "2001:db8::7", LLADDR, NA,
	    F_S | F_O, "2001:db8::7", lla(TLLA, MAC_RS1), 8);
	f[21] = 64;			/* hop limit: routed */
	feed(ndp_input, nd, f, len);
	f[21] = 255;
	f[55] = 1;			/* ICMPv6 code */
	feed(ndp_input, nd, f, len);
	f[55] = 0;
	feed(ndp_input, nd, f, 77);	/* shorter than an NA */
	feed(ndp_input, nd, f, 54);
	feed(ndp_input, nd, f, 20);
	feed(ndp_input, nd, f, 0);
	f[19] = 16;			/* payload length under an NA */
	feed(ndp_input, nd, f, len);
	f[19] = 40;			/* more than the frame carries */
	feed(ndp_input, nd, f, len);
	EXPECT_EQ(cnt().malformed - c0.malformed, 8, "8 malformed counted");
	EXPECT_EQ(cnt().adverts_learnt, c0.adverts_learnt, "nothing learnt");
	EXPECT(dest(80, "2001:db8::7")->flags & DEST_F_NOMAC,
	    "2001:db8::7 still unresolved");
	EXPECT_EQ(nsent, n0, "nothing sent");

	/* the same, well formed */
	f[19] = 32;
	feed(ndp_input, nd, f, len);
	EXPECT_EQ(cnt().malformed - c0.malformed, 8, "the NA is fine");
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1),
	    "... and resolves 2001:db8::7: MAC copied, scheduled");
	EXPECT_EQ(cnt().adverts_learnt - c0.adverts_learnt, 1,
	    "adverts_learnt");
	expect_log(log_new(), "real server 2001:db8::7 is at "
	    "02:00:00:00:00:07", 1, "its MAC logged");
	EXPECT_EQ(nsent, n0, "an NA is not answered");
}

static void
test_options(void)
{
	uint8_t o[32];

	/* no option: the Ethernet source */
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", NULL, 0);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "NA without an option: the Ethernet source's MAC");
	expect_log(log_new(), "real server 2001:db8::7 is at "
	    "02:00:00:00:00:17", 1, "the move logged");

	/* another option first (a nonce), then the target address */
	o[0] = 14;
	o[1] = 1;
	memset(o + 2, 0xaa, 6);
	memcpy(o + 8, lla(TLLA, MAC_RS1), 8);
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", o, 16);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1),
	    "the target link-layer option after another one");

	/* the source link-layer option in an NA is not the target's */
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7",
	    lla(SLLA, MAC_X), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "NA with a source link-layer option: the Ethernet source");

	/* truncated: an option longer than what is left */
	in(MAC_RS1, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", o + 8, 8);
	memcpy(o, lla(TLLA, MAC_X), 8);
	o[1] = 2;
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", o, 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "an option longer than the packet is not read");
	/* a zero length (RFC 4861 4.6: invalid) ends the walk */
	o[1] = 0;
	memcpy(o + 8, lla(TLLA, MAC_X), 8);
	in(MAC_RS1, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", o, 16);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1),
	    "an option of length 0 ends the walk (the one after it unread)");
	/* 4 bytes left: no room for an option */
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7",
	    lla(TLLA, MAC_X), 4);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "half an option is no option");

	/* an NS learns its sender only from its source link-layer option */
	in(MAC_X, "2001:db8::7", "ff02::1:ff00:8", NS, 0, "2001:db8::8", NULL,
	    0);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "NS without a source link-layer option: not learnt");
	in(MAC_X, "2001:db8::7", "ff02::1:ff00:8", NS, 0, "2001:db8::8",
	    lla(SLLA, MAC_RS1), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1),
	    "NS with one: learnt from the option");
}

static void
test_failed(void)
{
	const char *l;
	int n0;

	now = 3000;
	ndp_tick(nd, now);
	l = log_new();
	expect_log(l, "real server 2001:db8::8 does not answer neighbor "
	    "solicitations: not scheduled (in DR a real server must be on the "
	    "director's own Ethernet segment)", 1,
	    "the unanswered real server: why");
	EXPECT_EQ(dest(80, "2001:db8::8")->mac_state, DRLB_MAC_FAILED,
	    "2001:db8::8 failed");
	/* it asks for the other real server, saying its MAC */
	n0 = nsent;
	in(MAC_RS2, "2001:db8::8", "ff02::1:ff00:7", NS, 0, "2001:db8::7",
	    lla(SLLA, MAC_RS2), 8);
	l = log_new();
	expect_log(l, "real server 2001:db8::8 answers neighbor discovery "
	    "again", 1, "... and back: said");
	expect_log(l, "real server 2001:db8::8 is at 02:00:00:00:00:08", 1,
	    "... with its MAC");
	EXPECT(resolved_at(dest(80, "2001:db8::8"), MAC_RS2),
	    "an NS from a real server resolves it");
	EXPECT_EQ(nsent, n0, "an NS for another host is not ours to answer");
}

static void
test_vip(void)
{
	struct ndp_counters c0 = cnt();
	int n0 = nsent;

	/* to the VIP's solicited-node group, with the asker's MAC */
	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:1", NS, 0, VIP,
	    lla(SLLA, MAC_CLI), 8);
	EXPECT_EQ(nsent, n0 + 1, "NS for the VIP: one frame");
	EXPECT(sent_is(n0, MAC_CLI, VIP, "2001:db8::100", NA, F_S | F_O, VIP),
	    "... a solicited NA (override) from the VIP to the asker");
	/* neighbor unreachability detection: unicast, no option */
	in(MAC_CLI2, "2001:db8::101", VIP, NS, 0, VIP, NULL, 0);
	EXPECT(sent_is(n0 + 1, MAC_CLI2, VIP, "2001:db8::101", NA, F_S | F_O,
	    VIP), "NS without an option: answered to the Ethernet source");
	/* duplicate address detection (from ::) */
	in(MAC_CLI, "::", "ff02::1:ff00:1", NS, 0, VIP, NULL, 0);
	EXPECT(sent_is(n0 + 2, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "DAD for the VIP: defended to all nodes, not solicited");
	/* our link-local address */
	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:2", NS, 0, LLADDR,
	    lla(SLLA, MAC_CLI), 8);
	EXPECT(sent_is(n0 + 3, MAC_CLI, LLADDR, "2001:db8::100", NA, F_S | F_O,
	    LLADDR), "NS for our link-local address: answered");
	EXPECT_EQ(cnt().vip_solicits_answered - c0.vip_solicits_answered, 4,
	    "vip_solicits_answered");
	EXPECT_EQ(cnt().adverts_learnt, c0.adverts_learnt,
	    "a client is not a real server: nothing learnt");

	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:50", NS, 0, "2001:db8::50",
	    lla(SLLA, MAC_CLI), 8);
	in(MAC_CLI, "2001:db8::100", VIP, NA, F_S, "2001:db8::100",
	    lla(TLLA, MAC_CLI), 8);
	EXPECT_EQ(nsent, n0 + 4, "NS for another address, an NA: no answer");

	EXPECT_EQ(cnt().vip_claim_probes - c0.vip_claim_probes, 1,
	    "DAD for the VIP: vip_claim_probes");
	expect_log(log_new(), "02:00:00:00:00:64 claims VIP 2001:db8::1 by a "
	    "duplicate address detection probe: a host about to take it (told "
	    "it is taken); on that host keep the VIP on lo only, never on its "
	    "interface, and proxy_ndp off (run tools/drlb-realserver check "
	    "2001:db8::1 there)", 1, "... logged");

	/* our own frames, as the capture sees them */
	c0 = cnt();
	in(MAC_DIR, "2001:db8::100", "ff02::1:ff00:1", NS, 0, VIP,
	    lla(SLLA, MAC_DIR), 8);
	in(MAC_DIR, VIP, "ff02::1", NA, F_O, VIP, lla(TLLA, MAC_DIR), 8);
	in(MAC_DIR, "2001:db8::8", LLADDR, NA, F_S, "2001:db8::8",
	    lla(TLLA, MAC_DIR), 8);
	EXPECT_EQ(nsent, n0 + 4, "our own frames: not answered");
	EXPECT_EQ(cnt().vip_conflicts, c0.vip_conflicts,
	    "our own announcement: no conflict");
	EXPECT(resolved_at(dest(80, "2001:db8::8"), MAC_RS2),
	    "our own frames: nothing learnt");
	EXPECT_EQ(cnt().malformed, c0.malformed, "... nor counted malformed");
}

/* unsolicited NAs for vip sent since index i0 */
static int
announced(int i0, const char *vip)
{
	uint8_t f[86];
	int n = 0;

	nd_frame(f, MAC_ALL, MAC_DIR, vip, "ff02::1", NA, F_O, vip,
	    lla(TLLA, MAC_DIR), 8);
	for (int i = i0; i < nsent; i++)
		n += sent[i].len == 86 && memcmp(sent[i].f, f, 86) == 0;
	return n;
}

static void
test_claims(void)
{
	struct ndp_counters c0;
	struct neigh_claimer cl[4];
	int n0;

	now += 10000;
	ndp_tick(nd, now);
	log_new();
	nsent = 0;
	c0 = cnt();

	/* someone else advertises the VIP, overriding the clients' caches */
	in(MAC_EVIL, VIP, "ff02::1", NA, F_O, VIP, lla(TLLA, MAC_EVIL), 8);
	expect_log(log_new(), "02:00:00:00:00:66 claims VIP 2001:db8::1 by a "
	    "neighbor advertisement with the override flag: clients that "
	    "believe it bypass the director; on that host keep the VIP on lo "
	    "only, never on its interface, and proxy_ndp off (run "
	    "tools/drlb-realserver check 2001:db8::1 there)", 1,
	    "an NA with override for the VIP from another MAC: logged");
	EXPECT_EQ(cnt().vip_claim_adverts - c0.vip_claim_adverts, 1,
	    "vip_claim_adverts");
	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 1, "vip_conflicts");
	EXPECT_EQ(cnt().vip_claimers - c0.vip_claimers, 1, "vip_claimers");
	EXPECT_EQ(nsent, 1, "one frame:");
	EXPECT(sent_is(0, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "... the VIP re-announced (unsolicited NA, override)");
	EXPECT_EQ(cnt().vip_reclaims - c0.vip_reclaims, 1, "vip_reclaims");
	in(MAC_EVIL, VIP, "ff02::1", NA, 0, VIP, lla(TLLA, MAC_EVIL), 8);
	expect_log(log_new(), "claims", 0, "the same MAC again: not logged");
	EXPECT_EQ(cnt().vip_claim_adverts - c0.vip_claim_adverts, 2,
	    "... without override too: counted");
	EXPECT_EQ(nsent, 1, "... not re-announced within 2 s");
	now += 1500;
	ndp_tick(nd, now);
	EXPECT_EQ(announced(1, VIP), 1, "the re-announcement repeated 1.5 s "
	    "later");
	/* the VIP said to be at our MAC is no claim */
	in(MAC_EVIL, VIP, "ff02::1", NA, F_O, VIP, lla(TLLA, MAC_DIR), 8);
	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 2,
	    "an NA for the VIP at our MAC: no claim");

	/* a real server with the VIP on its interface asks for a client
	 * from it: the client learns the VIP at its MAC */
	now += 500;
	ndp_tick(nd, now);
	n0 = nsent;
	in(MAC_RS2, VIP, "ff02::1:ff00:100", NS, 0, "2001:db8::100",
	    lla(SLLA, MAC_RS2), 8);
	expect_log(log_new(), "02:00:00:00:00:08 (real server 2001:db8::8) "
	    "claims VIP 2001:db8::1 by a neighbor solicitation (who-has "
	    "2001:db8::100 from 2001:db8::1): clients that believe it bypass "
	    "the director;", 1, "an NS from the VIP: logged, naming the "
	    "real server");
	EXPECT_EQ(cnt().vip_claim_solicits - c0.vip_claim_solicits, 1,
	    "vip_claim_solicits");
	EXPECT_EQ(announced(n0, VIP), 1, "... the VIP re-announced");
	EXPECT(resolved_at(dest(80, "2001:db8::8"), MAC_RS2),
	    "... the real server's own address untouched");

	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 3, "3 conflicts");
	EXPECT_EQ(ndp_claimers(nd, cl, 4), 3,
	    "ndp_claimers: 3 MACs (with the DAD prober)");
	EXPECT_MEM(cl[0].mac, MAC_EVIL, 6, "... the one with 2 claims first");
	EXPECT_EQ(cl[0].claims, 2, "... 2 claims");
}

static void
test_learn_solicited_only(void)
{
	struct ndp_counters c0;

	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", NULL, 0);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B), "at RS1B");
	log_new();
	c0 = cnt();
	/* unsolicited, to all nodes, override: anyone may send that */
	in(MAC_EVIL, "2001:db8::7", "ff02::1", NA, F_O, "2001:db8::7",
	    lla(TLLA, MAC_EVIL), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "an unsolicited NA for a real server is not learnt");
	/* solicited, but not by us */
	in(MAC_EVIL, "2001:db8::7", "2001:db8::100", NA, F_S | F_O,
	    "2001:db8::7", lla(TLLA, MAC_EVIL), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "an NA answering someone else is not learnt");
	EXPECT_EQ(cnt().unsolicited_ignored - c0.unsolicited_ignored, 2,
	    "unsolicited_ignored");
	in(MAC_EVIL, "2001:db8::100", "ff02::1", NA, F_O, "2001:db8::100",
	    lla(TLLA, MAC_EVIL), 8);
	EXPECT_EQ(cnt().unsolicited_ignored - c0.unsolicited_ignored, 2,
	    "... an NA about a client is none of ours");
	/* an answer to our solicitation */
	in(MAC_RS1, "2001:db8::7", LLADDR, NA, F_S | F_O, "2001:db8::7",
	    lla(TLLA, MAC_RS1), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1),
	    "a solicited NA to our link-local address is learnt");
	EXPECT_EQ(cnt().mac_flaps - c0.mac_flaps, 1, "... a flap");
	expect_log(log_new(), "real server 2001:db8::7 is at 02:00:00:00:00:07, "
	    "was at 02:00:00:00:00:17 (MAC flap)", 1, "... logged as one");
}

static void
test_pin(void)
{
	struct ndp_counters c0 = cnt();
	struct neigh_static s;
	char err[128];

	neigh_static_parse("[2001:db8::8]=02:00:00:00:00:88", &s, err,
	    sizeof(err));
	EXPECT_EQ(ndp_static_mac(nd, &s), 0, "ndp_static_mac");
	EXPECT(resolved_at(dest(80, "2001:db8::8"), s.mac),
	    "pinned: the dest moves to the MAC given at once");
	in(MAC_RS2, "2001:db8::8", LLADDR, NA, F_S, "2001:db8::8",
	    lla(TLLA, MAC_RS2), 8);
	EXPECT(resolved_at(dest(80, "2001:db8::8"), s.mac),
	    "... and stays there whatever answers");
	EXPECT_EQ(cnt().mac_refused - c0.mac_refused, 1, "mac_refused");
	expect_log(log_new(), "02:00:00:00:00:08 says it is real server "
	    "2001:db8::8, which is pinned (--static-mac) at "
	    "02:00:00:00:00:88: ignored", 1, "... said");
	neigh_static_parse("198.18.0.7=02:00:00:00:00:88", &s, err,
	    sizeof(err));
	EXPECT_EQ(ndp_static_mac(nd, &s), 0, "an IPv4 pin: ignored by ND");
}

static void
test_no_arp(void)
{
	struct ndp_counters c0;
	int n0;

	ndp_set_own_vips(nd, 0);
	c0 = cnt();
	n0 = nsent;
	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:1", NS, 0, VIP,
	    lla(SLLA, MAC_CLI), 8);
	in(MAC_EVIL, VIP, "ff02::1", NA, F_O, VIP, lla(TLLA, MAC_EVIL), 8);
	EXPECT_EQ(nsent, n0,
	    "not owning the VIPs: NS for the VIP not answered");
	EXPECT_EQ(cnt().vip_conflicts, c0.vip_conflicts,
	    "not owning the VIPs: no conflict");
	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:2", NS, 0, LLADDR,
	    lla(SLLA, MAC_CLI), 8);
	EXPECT(sent_is(n0, MAC_CLI, LLADDR, "2001:db8::100", NA, F_S | F_O,
	    LLADDR), "our link-local address is still ours");
	in(MAC_RS1B, "2001:db8::7", LLADDR, NA, F_S, "2001:db8::7", NULL, 0);
	EXPECT(resolved_at(dest(80, "2001:db8::7"), MAC_RS1B),
	    "real servers still learnt");
	ctl(DRLB_CTL_ADD_SVC, "2001:db8::3", 80, NULL);
	EXPECT_EQ(nsent, n0 + 1, "a new VIP is not announced");

	ndp_set_own_vips(nd, 1);
	EXPECT_EQ(nsent, n0 + 3, "on: both VIPs announced at once");
	EXPECT(sent_is(n0 + 1, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "... 2001:db8::1");
	EXPECT(sent_is(n0 + 2, MAC_ALL, "2001:db8::3", "ff02::1", NA, F_O,
	    "2001:db8::3"), "... 2001:db8::3");
	now += 1000;
	ndp_tick(nd, now);
	EXPECT(sent_is(n0 + 3, MAC_ALL, VIP, "ff02::1", NA, F_O, VIP),
	    "... and again a second later");
	in(MAC_CLI, "2001:db8::100", "ff02::1:ff00:3", NS, 0, "2001:db8::3",
	    lla(SLLA, MAC_CLI), 8);
	EXPECT(sent_is(nsent - 1, MAC_CLI, "2001:db8::3", "2001:db8::100", NA,
	    F_S | F_O, "2001:db8::3"), "on: answered again");
}

int
main(void)
{
	char err[256];

	log_capture();
	svc_table_init(&st);
	if ((nd = ndp_create(MAC_DIR, 0, -1, 1, &st, record, NULL, err,
	    sizeof(err))) == NULL) {
		printf("not ok - ndp_create: %s\n", err);
		return 1;
	}
	st.on_dest_added = ndp_dest_added;
	st.on_vips_changed = ndp_vips_changed;
	st.cb_arg = nd;

	test_announce_and_probe();
	test_malformed();
	test_options();
	test_failed();
	test_vip();
	test_claims();
	test_learn_solicited_only();
	test_pin();
	test_no_arp();

	/* the table goes first: flushing it calls the hooks */
	svc_table_free(&st);
	ndp_close(nd);
	return EXPECT_DONE();
}
