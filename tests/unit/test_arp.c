/*
 * arp.c without an interface (arp_create and a recorder): frames from the
 * segment through arp_input, and the frames it sends -- announcements,
 * probes, answers for the VIPs -- byte by byte.
 */
#include "arp.h"
#include "neigh_env.h"

static const uint8_t MAC_DIR[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_CLI[6] = { 0x02, 0, 0, 0, 0, 0x64 };
static const uint8_t MAC_RS1[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t MAC_RS1B[6] = { 0x02, 0, 0, 0, 0, 0x17 };
static const uint8_t MAC_RS2[6] = { 0x02, 0, 0, 0, 0, 0x08 };
static const uint8_t MAC_EVIL[6] = { 0x02, 0, 0, 0, 0, 0x66 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO[6];

#define REQ 1
#define REP 2

static struct arp *a;
static uint64_t now;

static struct arp_counters
cnt(void)
{
	struct arp_counters c;

	arp_get_counters(a, &c);
	return c;
}

/* Ethernet (to eth_dst, from sha) + ARP for IPv4 over Ethernet: 42 bytes */
static uint32_t
arp_frame(uint8_t *f, const uint8_t *eth_dst, uint16_t op,
    const uint8_t *sha, const char *spa, const uint8_t *tha, const char *tpa)
{
	static const uint8_t hdr[8] = { 0, 1, 0x08, 0x00, 6, 4 };

	memcpy(f, eth_dst, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, hdr, 6);
	f[20] = (uint8_t)(op >> 8);
	f[21] = (uint8_t)op;
	memcpy(f + 22, sha, 6);
	pton(spa, f + 28);
	memcpy(f + 32, tha, 6);
	pton(tpa, f + 38);
	return 42;
}

static void
in(uint16_t op, const uint8_t *sha, const char *spa, const uint8_t *tha,
    const char *tpa)
{
	uint8_t f[42];

	feed(arp_input, a, f, arp_frame(f, BCAST, op, sha, spa, tha, tpa));
}

/* frame i of the recorder is ours: this ARP to eth_dst, exactly */
static int
sent_is(int i, const uint8_t *eth_dst, uint16_t op, const char *spa,
    const uint8_t *tha, const char *tpa)
{
	uint8_t f[42];

	arp_frame(f, eth_dst, op, MAC_DIR, spa, tha, tpa);
	if (i >= nsent || sent[i].len != 42 || memcmp(sent[i].f, f, 42) != 0) {
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
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.1", 80, NULL);
	EXPECT_EQ(nsent, 1, "a new VIP: one frame");
	EXPECT(sent_is(0, BCAST, REQ, "198.18.0.1", ZERO, "198.18.0.1"),
	    "... a gratuitous ARP request for it, from our MAC");
	EXPECT_EQ(cnt().garp_sent, 1, "garp_sent");
	expect_log(log_new(), "VIP 198.18.0.1 announced by gratuitous ARP", 1,
	    "announcement logged");

	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.7");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.8");
	EXPECT_EQ(nsent, 3, "two real servers: two frames");
	EXPECT(sent_is(1, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.7"),
	    "... who-has 198.18.0.7 tell our DIP");
	EXPECT(sent_is(2, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.8"),
	    "... who-has 198.18.0.8 tell our DIP");
	EXPECT_EQ(cnt().probes_sent, 2, "probes_sent");

	/* IPv6 is ndp.c's */
	ctl(DRLB_CTL_ADD_SVC, "2001:db8::1", 80, NULL);
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", 80, "2001:db8::7");
	EXPECT_EQ(nsent, 3, "an IPv6 VIP and real server: no ARP");

	/* each announcement goes out twice, a second apart */
	now = 1000;
	arp_tick(a, now);
	EXPECT_EQ(nsent, 6, "after 1 s: the VIP again, both probes again");
	EXPECT(sent_is(3, BCAST, REQ, "198.18.0.1", ZERO, "198.18.0.1"),
	    "... the gratuitous ARP repeated first");
	EXPECT_EQ(cnt().garp_sent, 2, "garp_sent 2");
	now = 2000;
	arp_tick(a, now);
	EXPECT_EQ(nsent, 8, "after 2 s: only the probes");
}

static void
test_malformed(void)
{
	struct arp_counters c0 = cnt();
	uint8_t f[64];
	int n0 = nsent;

	/* each would say 198.18.0.7 is at MAC_RS1, were it well formed */
	arp_frame(f, BCAST, REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	feed(arp_input, a, f, 41);
	feed(arp_input, a, f, 14);
	feed(arp_input, a, f, 0);
	f[15] = 6;			/* hardware: IEEE 802 */
	feed(arp_input, a, f, 42);
	f[15] = 1;
	f[16] = 0x86;			/* protocol: IPv6 */
	f[17] = 0xdd;
	feed(arp_input, a, f, 42);
	f[16] = 0x08;
	f[17] = 0x00;
	f[18] = 8;			/* hardware address length */
	feed(arp_input, a, f, 42);
	f[18] = 6;
	f[19] = 16;			/* protocol address length */
	feed(arp_input, a, f, 42);
	f[14] = 1;			/* hardware 0x0101 */
	f[19] = 4;
	feed(arp_input, a, f, 42);
	EXPECT_EQ(cnt().malformed - c0.malformed, 8, "8 malformed counted");
	EXPECT_EQ(cnt().replies_learnt, c0.replies_learnt, "nothing learnt");
	EXPECT(dest(80, "198.18.0.7")->flags & DEST_F_NOMAC,
	    "198.18.0.7 still unresolved");
	EXPECT_EQ(nsent, n0, "nothing sent");

	/* the same, well formed: a real server's reply */
	f[14] = 0;
	feed(arp_input, a, f, 42);
	EXPECT_EQ(cnt().malformed - c0.malformed, 8, "the reply is fine");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1),
	    "... and resolves 198.18.0.7: MAC copied, scheduled");
	EXPECT_EQ(cnt().replies_learnt - c0.replies_learnt, 1,
	    "replies_learnt");
	EXPECT_EQ(nsent, n0, "a reply is not answered");
}

static void
test_learn(void)
{
	struct arp_counters c0 = cnt();
	int n0 = nsent;
	const char *l;

	/* 198.18.0.7 was resolved by the padded reply above */
	expect_log(log_new(), "real server 198.18.0.7 is at 02:00:00:00:00:07",
	    1, "198.18.0.7's MAC logged");

	/* a request from it (asking for our DIP) at another MAC, padded
	 * to Ethernet's 60 bytes: moves */
	{
		uint8_t f[60] = { 0 };

		arp_frame(f, BCAST, REQ, MAC_RS1B, "198.18.0.7", ZERO,
		    "198.18.0.2");
		feed(arp_input, a, f, sizeof(f));
	}
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "a request from a real server moves it to its new MAC");
	expect_log(log_new(), "real server 198.18.0.7 is at 02:00:00:00:00:17",
	    1, "the move logged");
	in(REQ, MAC_RS1B, "198.18.0.7", ZERO, "198.18.0.2");
	expect_log(log_new(), "198.18.0.7", 0, "the same MAC: nothing logged");
	EXPECT_EQ(cnt().replies_learnt - c0.replies_learnt, 2,
	    "replies_learnt counts each frame from a real server");
	EXPECT_EQ(nsent, n0, "nothing sent: not ours to answer");

	/* ARP probes come from 0.0.0.0: nothing to learn */
	in(REQ, MAC_EVIL, "0.0.0.0", ZERO, "198.18.0.7");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "an ARP probe from 0.0.0.0 teaches nothing");
	/* nor from an address that is no real server */
	in(REP, MAC_EVIL, "198.18.0.9", MAC_DIR, "198.18.0.2");
	EXPECT_EQ(cnt().replies_learnt - c0.replies_learnt, 2,
	    "not from a real server: not learnt");

	/* 198.18.0.8 never answered: failed, then answers */
	now = 3000;
	arp_tick(a, now);
	l = log_new();
	expect_log(l, "real server 198.18.0.8 does not answer ARP: not "
	    "scheduled (in DR a real server must be on the director's own "
	    "Ethernet segment)", 1, "the unanswered real server: why");
	EXPECT_EQ(dest(80, "198.18.0.8")->mac_state, DRLB_MAC_FAILED,
	    "198.18.0.8 failed");
	/* its gratuitous ARP (sender = target = its address) */
	in(REQ, MAC_RS2, "198.18.0.8", ZERO, "198.18.0.8");
	l = log_new();
	expect_log(l, "real server 198.18.0.8 answers ARP again", 1,
	    "... and back: said");
	expect_log(l, "real server 198.18.0.8 is at 02:00:00:00:00:08", 1,
	    "... with its MAC");
	EXPECT(resolved_at(dest(80, "198.18.0.8"), MAC_RS2),
	    "a real server's gratuitous ARP resolves it");
}

static void
test_vip(void)
{
	struct arp_counters c0 = cnt();
	int n0 = nsent;

	in(REQ, MAC_CLI, "198.18.0.100", ZERO, "198.18.0.1");
	EXPECT_EQ(nsent, n0 + 1, "who-has VIP: one frame");
	EXPECT(sent_is(n0, MAC_CLI, REP, "198.18.0.1", MAC_CLI, "198.18.0.100"),
	    "... VIP is-at our MAC, to the asker");
	EXPECT_EQ(cnt().vip_requests_answered - c0.vip_requests_answered, 1,
	    "vip_requests_answered");

	in(REQ, MAC_CLI, "198.18.0.100", ZERO, "198.18.0.50");
	in(REQ, MAC_CLI, "198.18.0.100", ZERO, "198.18.0.2");
	in(REP, MAC_CLI, "198.18.0.100", MAC_DIR, "198.18.0.1");
	EXPECT_EQ(nsent, n0 + 1, "not a VIP, our DIP, a reply: not answered");

	/* someone else claims the VIP */
	in(REQ, MAC_EVIL, "198.18.0.1", ZERO, "198.18.0.1");
	expect_log(log_new(), "02:00:00:00:00:66 also claims VIP 198.18.0.1 "
	    "(a real server without arp_ignore=1/arp_announce=2?)", 1,
	    "a gratuitous ARP for the VIP: conflict logged");
	in(REP, MAC_EVIL, "198.18.0.1", MAC_CLI, "198.18.0.100");
	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 2,
	    "a gratuitous ARP and a reply for the VIP: 2 conflicts");
	EXPECT_EQ(nsent, n0 + 1, "conflicts are not answered");

	/* our own frames, as the capture sees them */
	c0 = cnt();
	in(REQ, MAC_DIR, "198.18.0.2", ZERO, "198.18.0.1");
	in(REQ, MAC_DIR, "198.18.0.1", ZERO, "198.18.0.1");
	in(REP, MAC_DIR, "198.18.0.8", MAC_CLI, "198.18.0.100");
	EXPECT_EQ(nsent, n0 + 1, "our own frames: not answered");
	EXPECT_EQ(cnt().vip_conflicts, c0.vip_conflicts,
	    "our own announcement: no conflict");
	EXPECT_EQ(cnt().replies_learnt, c0.replies_learnt,
	    "our own frames: nothing learnt");
	EXPECT(resolved_at(dest(80, "198.18.0.8"), MAC_RS2),
	    "198.18.0.8 not moved to our MAC");
}

static void
test_no_arp(void)
{
	struct arp_counters c0;
	int n0;

	arp_set_own_vips(a, 0);
	EXPECT_EQ(arp_own_vips(a), 0, "--arp off");
	c0 = cnt();
	n0 = nsent;
	in(REQ, MAC_CLI, "198.18.0.100", ZERO, "198.18.0.1");
	in(REQ, MAC_EVIL, "198.18.0.1", ZERO, "198.18.0.1");
	EXPECT_EQ(nsent, n0, "not owning the VIPs: who-has VIP not answered");
	EXPECT_EQ(cnt().vip_conflicts, c0.vip_conflicts,
	    "not owning the VIPs: no conflict");
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1),
	    "real servers still learnt");
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.3", 80, NULL);
	EXPECT_EQ(nsent, n0, "a new VIP is not announced");

	arp_set_own_vips(a, 1);
	EXPECT_EQ(arp_own_vips(a), 1, "--arp on");
	EXPECT_EQ(nsent, n0 + 2, "on: both VIPs announced at once");
	EXPECT(sent_is(n0, BCAST, REQ, "198.18.0.1", ZERO, "198.18.0.1"),
	    "... 198.18.0.1");
	EXPECT(sent_is(n0 + 1, BCAST, REQ, "198.18.0.3", ZERO, "198.18.0.3"),
	    "... 198.18.0.3");
	in(REQ, MAC_CLI, "198.18.0.100", ZERO, "198.18.0.3");
	EXPECT(sent_is(n0 + 2, MAC_CLI, REP, "198.18.0.3", MAC_CLI,
	    "198.18.0.100"), "on: answered again");
}

int
main(void)
{
	char err[256];
	union drlb_inaddr dip;

	log_capture();
	svc_table_init(&st);
	pton("198.18.0.2", &dip);
	if ((a = arp_create(MAC_DIR, dip.in.s_addr, 1, &st, record, NULL, err,
	    sizeof(err))) == NULL) {
		printf("not ok - arp_create: %s\n", err);
		return 1;
	}
	EXPECT_MEM(arp_mac(a), MAC_DIR, 6, "arp_mac");
	EXPECT_EQ(arp_ipaddr(a), dip.in.s_addr, "arp_ipaddr");
	st.on_dest_added = arp_dest_added;
	st.on_vips_changed = arp_vips_changed;
	st.cb_arg = a;

	test_announce_and_probe();
	test_malformed();
	test_learn();
	test_vip();
	test_no_arp();

	/* the table goes first: flushing it calls the hooks */
	svc_table_free(&st);
	arp_close(a);
	return EXPECT_DONE();
}
