/*
 * arp.c without an interface (arp_create and a recorder): frames from the
 * segment through arp_input, and the frames it sends -- announcements,
 * probes, answers for the VIPs, re-announcements of a claimed VIP -- byte
 * by byte; the signs of another host claiming a VIP, MAC flaps, pins and
 * the log's limit per MAC, with their counters, log lines and trace.
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "arp.h"
#include "trace.h"
#include "neigh_env.h"

static const uint8_t MAC_DIR[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_CLI[6] = { 0x02, 0, 0, 0, 0, 0x64 };
static const uint8_t MAC_RS1[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t MAC_RS1B[6] = { 0x02, 0, 0, 0, 0, 0x17 };
static const uint8_t MAC_RS2[6] = { 0x02, 0, 0, 0, 0, 0x08 };
static const uint8_t MAC_EVIL[6] = { 0x02, 0, 0, 0, 0, 0x66 };
static const uint8_t MAC_EVIL2[6] = { 0x02, 0, 0, 0, 0, 0x67 };
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

/* frames sent since index i0 that are exactly this ARP from us */
static int
count_sent(int i0, const uint8_t *eth_dst, uint16_t op, const char *spa,
    const uint8_t *tha, const char *tpa)
{
	uint8_t f[42];
	int n = 0;

	arp_frame(f, eth_dst, op, MAC_DIR, spa, tha, tpa);
	for (int i = i0; i < nsent; i++)
		n += sent[i].len == 42 && memcmp(sent[i].f, f, 42) == 0;
	return n;
}

/* gratuitous ARPs for vip sent since index i0 */
static int
garps(int i0, const char *vip)
{
	return count_sent(i0, BCAST, REQ, vip, ZERO, vip);
}

/* a quiet start: a new window of the log's limit, re-announcements
 * allowed again, an empty recorder */
static void
quiet(void)
{
	now += 10000;
	arp_tick(a, now);
	log_new();
	nsent = 0;
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
	EXPECT_EQ(nsent, 9, "after 2 s: the probes, and a check of the VIP");
	EXPECT(sent_is(6, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.1"),
	    "... who-has VIP tell our DIP (a real server with arp_ignore=0 "
	    "answers it)");
	EXPECT_EQ(cnt().vip_checks_sent, 1, "vip_checks_sent");
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
test_claims(void)
{
	struct arp_counters c0;
	struct neigh_claimer cl[4];
	int n0;

	quiet();
	c0 = cnt();
	/* the ARP problem: a real server with arp_announce=0 asks for a
	 * client with the VIP as its source, and the client believes it */
	in(REQ, MAC_RS1B, "198.18.0.1", ZERO, "198.18.0.100");
	expect_log(log_new(), "02:00:00:00:00:17 (real server 198.18.0.7) "
	    "claims VIP 198.18.0.1 by an ARP request (who-has 198.18.0.100 "
	    "tell 198.18.0.1): clients that believe it bypass the director; "
	    "set arp_ignore=1 and arp_announce=2 on that host (run "
	    "tools/drlb-realserver check 198.18.0.1 there)", 1,
	    "who-has CLIENT tell VIP: logged, naming the real server, the fix");
	EXPECT_EQ(cnt().vip_claim_requests - c0.vip_claim_requests, 1,
	    "vip_claim_requests");
	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 1, "vip_conflicts");
	EXPECT_EQ(cnt().vip_claimers - c0.vip_claimers, 1, "vip_claimers");
	EXPECT_EQ(cnt().vip_reclaims - c0.vip_reclaims, 1, "vip_reclaims");
	EXPECT_EQ(nsent, 1, "the VIP re-announced at once, nothing else");
	EXPECT(sent_is(0, BCAST, REQ, "198.18.0.1", ZERO, "198.18.0.1"),
	    "... by a gratuitous ARP");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "the real server's own address stays at its MAC");

	in(REQ, MAC_RS1B, "198.18.0.1", ZERO, "198.18.0.100");
	expect_log(log_new(), "claims", 0, "the same MAC again: not logged");
	EXPECT_EQ(cnt().vip_claim_requests - c0.vip_claim_requests, 2,
	    "... but counted");
	EXPECT_EQ(nsent, 1, "... and not re-announced within 2 s");
	now += 1500;
	arp_tick(a, now);
	EXPECT_EQ(garps(1, "198.18.0.1"), 1,
	    "the re-announcement repeated 1.5 s later");
	now += 500;
	arp_tick(a, now);
	n0 = nsent;
	in(REQ, MAC_RS1B, "198.18.0.1", ZERO, "198.18.0.100");
	EXPECT_EQ(garps(n0, "198.18.0.1"), 1,
	    "2 s after the last: a claim re-announces again");
	EXPECT_EQ(cnt().vip_reclaims - c0.vip_reclaims, 2, "vip_reclaims 2");

	/* a real server with arp_ignore=0 answers for the VIP */
	n0 = nsent;
	in(REP, MAC_EVIL, "198.18.0.1", MAC_CLI, "198.18.0.100");
	expect_log(log_new(), "02:00:00:00:00:66 claims VIP 198.18.0.1 by an "
	    "ARP reply (198.18.0.1 is-at its MAC, to 198.18.0.100): clients "
	    "that believe it bypass the director; set arp_ignore=1", 1,
	    "a reply for the VIP from another MAC: logged");
	EXPECT_EQ(cnt().vip_claim_replies - c0.vip_claim_replies, 1,
	    "vip_claim_replies");
	EXPECT_EQ(nsent, n0, "within 2 s of the last re-announcement: none");

	/* gratuitous ARP for the VIP, as a request and as a reply */
	in(REQ, MAC_EVIL2, "198.18.0.1", ZERO, "198.18.0.1");
	in(REP, MAC_EVIL2, "198.18.0.1", BCAST, "198.18.0.1");
	expect_log(log_new(), "02:00:00:00:00:67 claims VIP 198.18.0.1 by a "
	    "gratuitous ARP: ", 1, "a gratuitous ARP: logged once");
	EXPECT_EQ(cnt().vip_claim_gratuitous - c0.vip_claim_gratuitous, 2,
	    "vip_claim_gratuitous");

	/* a host about to take the VIP probes for it: answered, so that it
	 * does not; no cache moved, so nothing to re-announce */
	now += 2000;
	arp_tick(a, now);
	n0 = nsent;
	in(REQ, MAC_CLI, "0.0.0.0", ZERO, "198.18.0.1");
	expect_log(log_new(), "02:00:00:00:00:64 claims VIP 198.18.0.1 by an "
	    "ARP probe (duplicate address detection): a host about to take "
	    "it (told it is taken); set arp_ignore=1 and arp_announce=2 on "
	    "that host (run tools/drlb-realserver check 198.18.0.1 there)", 1,
	    "a probe: logged");
	EXPECT_EQ(cnt().vip_claim_probes - c0.vip_claim_probes, 1,
	    "vip_claim_probes");
	EXPECT_EQ(nsent, n0 + 1, "a probe: one frame");
	EXPECT(sent_is(n0, MAC_CLI, REP, "198.18.0.1", MAC_CLI, "0.0.0.0"),
	    "... the answer (the VIP is taken), no gratuitous ARP");

	/* what is not a claim */
	in(3, MAC_EVIL, "198.18.0.1", ZERO, "198.18.0.100");	/* RARP */
	in(REQ, MAC_EVIL, "198.18.0.100", ZERO, "198.18.0.1");	/* a client */
	EXPECT_EQ(cnt().vip_conflicts - c0.vip_conflicts, 3 + 1 + 2 + 1,
	    "vip_conflicts: every claim, nothing else");
	EXPECT_EQ(cnt().vip_claimers - c0.vip_claimers, 4,
	    "vip_claimers: 4 MACs");

	EXPECT_EQ(arp_claimers(a, cl, 4), 4, "arp_claimers: 4 MACs");
	EXPECT_MEM(cl[0].mac, MAC_RS1B, 6, "... the real server first");
	EXPECT_EQ(cl[0].claims, 3, "... with its 3 claims");
	EXPECT_MEM(cl[1].mac, MAC_EVIL2, 6, "... then 02:00:00:00:00:67");
	EXPECT_EQ(cl[1].claims, 2, "... with 2");
	EXPECT_EQ(arp_claimers(a, cl, 1), 1, "arp_claimers: at most max");
	EXPECT_MEM(cl[0].mac, MAC_RS1B, 6, "... the most first");
}

static void
test_claim_trace(void)
{
	struct trace_filter any, other;
	int sv[2];
	char buf[2048];
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		printf("not ok - socketpair\n");
		exit(1);
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(&any, 0, sizeof(any));
	trace_add(sv[0], &any);
	in(REQ, MAC_RS1B, "198.18.0.1", ZERO, "198.18.0.100");
	n = read(sv[1], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	EXPECT(strstr(buf, "arp from 02:00:00:00:00:17: claims VIP 198.18.0.1 "
	    "by an ARP request (who-has 198.18.0.100 tell 198.18.0.1) (claim "
	    "4 of this MAC)") != NULL, "the trace shows the claim");
	if (strstr(buf, "claims") == NULL)
		printf("# trace: %s\n", buf);
	trace_remove(sv[0]);

	/* about the client it asks for: a listener for another client does
	 * not get it */
	memset(&other, 0, sizeof(other));
	other.client_af = AF_INET;
	pton("198.18.0.101", &other.client);
	trace_add(sv[0], &other);
	in(REQ, MAC_RS1B, "198.18.0.1", ZERO, "198.18.0.100");
	n = read(sv[1], buf, sizeof(buf) - 1);
	EXPECT(n <= 0, "... not to a listener for another client");
	trace_remove(sv[0]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_log_limit(void)
{
	struct arp_counters c0;
	uint8_t m[6] = { 0x02, 0, 0, 0, 0, 0 };
	int lines = 0;

	/* 3000 spoofed replies for the VIP, each from another MAC: each a
	 * new claimer, but no more than 50 lines in 10 s */
	quiet();
	c0 = cnt();
	for (int i = 0; i < 3000; i++) {
		m[3] = 0x10;
		m[4] = (uint8_t)(i >> 8);
		m[5] = (uint8_t)i;
		in(REP, m, "198.18.0.1", MAC_CLI, "198.18.0.100");
		if (i % 20 == 19)
			lines += log_count("claims VIP");
	}
	lines += log_count("claims VIP");
	EXPECT_EQ(cnt().vip_claim_replies - c0.vip_claim_replies, 3000,
	    "3000 spoofed replies: each counted");
	EXPECT_EQ(cnt().vip_claimers - c0.vip_claimers, 3000,
	    "... each MAC a claimer (the table forgets the oldest)");
	EXPECT_EQ(lines, 50, "... 50 lines logged");
	EXPECT_EQ(cnt().log_suppressed - c0.log_suppressed, 2950,
	    "... 2950 suppressed (log_suppressed)");
	EXPECT(nsent <= 2, "... and the VIP re-announced once (and again)");
	now += 10000;
	arp_tick(a, now);
	expect_log(log_new(), "ARP: 2950 more log lines about frames from the "
	    "segment suppressed in 10 s (2950 about other MACs)", 1,
	    "a window later: one summary line");

	/* 3000 spoofed replies for a real server from two MACs in turn:
	 * followed (last one wins), each a flap, 5 lines per MAC */
	quiet();
	c0 = cnt();
	lines = 0;
	for (int i = 0; i < 3000; i++) {
		in(REP, i % 2 ? MAC_RS1B : MAC_RS1, "198.18.0.7", MAC_DIR,
		    "198.18.0.2");
		if (i % 20 == 19)
			lines += log_count("(MAC flap)");
	}
	lines += log_count("(MAC flap)");
	EXPECT_EQ(cnt().mac_flaps - c0.mac_flaps, 3000, "3000 MAC flaps");
	EXPECT_EQ(lines, 10, "... 10 lines logged, 5 per MAC");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "... the last one wins (--mac-flap follow)");
	now += 10000;
	arp_tick(a, now);
	expect_log(log_new(), "ARP: 2990 more log lines about frames from the "
	    "segment suppressed in 10 s (1495 about 02:00:00:00:00:07, 1495 "
	    "about 02:00:00:00:00:17)", 1, "... one summary naming both");
	now += 10000;
	arp_tick(a, now);
	expect_log(log_new(), "suppressed", 0, "a quiet window: no summary");
}

static void
test_hold_and_pin(void)
{
	struct arp_counters c0;
	struct neigh_static s;
	char err[128];
	int n0;

	/* the flap window of the flood above ends */
	now += 60000;
	arp_tick(a, now);
	in(REP, MAC_RS1B, "198.18.0.7", MAC_DIR, "198.18.0.2");
	in(REP, MAC_RS2, "198.18.0.8", MAC_DIR, "198.18.0.2");
	log_new();
	nsent = 0;
	c0 = cnt();
	arp_set_mac_flap(a, NEIGH_FLAP_HOLD);
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	in(REP, MAC_RS1B, "198.18.0.7", MAC_DIR, "198.18.0.2");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "--mac-flap hold: two changes followed");
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	expect_log(log_new(), "real server 198.18.0.7 flaps (3 MAC changes in "
	    "60 s, the last to 02:00:00:00:00:07): held at 02:00:00:00:00:17 "
	    "for 300 s (--mac-flap hold)", 1, "the third in a minute: held");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B),
	    "... at the MAC before the flapping");
	EXPECT_EQ(cnt().mac_flaps - c0.mac_flaps, 3, "mac_flaps");
	EXPECT_EQ(cnt().mac_holds - c0.mac_holds, 1, "mac_holds");
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	expect_log(log_new(), "02:00:00:00:00:07 says it is real server "
	    "198.18.0.7, which is held at 02:00:00:00:00:17: ignored", 1,
	    "held: another MAC's reply ignored, said");
	EXPECT_EQ(cnt().mac_refused - c0.mac_refused, 1, "mac_refused");
	EXPECT_EQ(cnt().mac_flaps - c0.mac_flaps, 3, "... not a flap");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1B), "... not moved");
	arp_tick(a, now);
	EXPECT_EQ(count_sent(0, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.7"),
	    1, "the held MAC is asked at once whether it answers");
	/* it does, for 5 minutes: then the hold ends */
	for (int i = 0; i < 30; i++) {
		in(REP, MAC_RS1B, "198.18.0.7", MAC_DIR, "198.18.0.2");
		now += 10000;
		nsent = 0;
		arp_tick(a, now);
	}
	expect_log(log_new(), "real server 198.18.0.7 no longer held at "
	    "02:00:00:00:00:17", 1, "after 5 minutes the hold ends");
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_RS1),
	    "... and a change is followed again");
	arp_set_mac_flap(a, NEIGH_FLAP_FOLLOW);

	/* --static-mac: pinned at the MAC given */
	EXPECT_EQ(neigh_static_parse("198.18.0.8=02:00:00:00:00:08", &s, err,
	    sizeof(err)), 0, "--static-mac 198.18.0.8=02:00:00:00:00:08");
	EXPECT_EQ(arp_static_mac(a, &s), 0, "arp_static_mac");
	expect_log(log_new(), "real server 198.18.0.8 pinned at "
	    "02:00:00:00:00:08 (--static-mac)", 1, "the pin logged");
	in(REP, MAC_EVIL, "198.18.0.8", MAC_DIR, "198.18.0.2");
	expect_log(log_new(), "02:00:00:00:00:66 says it is real server "
	    "198.18.0.8, which is pinned (--static-mac) at 02:00:00:00:00:08: "
	    "ignored", 1, "pinned: another MAC's reply ignored, said");
	EXPECT(resolved_at(dest(80, "198.18.0.8"), MAC_RS2), "... not moved");
	nsent = 0;
	for (int i = 0; i < 20; i++) {
		now += 10000;
		arp_tick(a, now);
	}
	EXPECT_EQ(count_sent(0, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.8"),
	    0, "a pinned real server is never asked");
	EXPECT(resolved_at(dest(80, "198.18.0.8"), MAC_RS2),
	    "... nor failed when silent");
	EXPECT(count_sent(0, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.7") > 0,
	    "(others still are)");
	/* a pin for an address no dest has yet: resolved when it comes */
	neigh_static_parse("198.18.0.9=02:00:00:00:00:09", &s, err,
	    sizeof(err));
	arp_static_mac(a, &s);
	n0 = nsent;
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.9");
	EXPECT(resolved_at(dest(80, "198.18.0.9"), s.mac),
	    "a pinned address: resolved as the dest is added");
	EXPECT_EQ(nsent, n0, "... without asking");
	ctl(DRLB_CTL_DEL_DEST, "198.18.0.1", 80, "198.18.0.9");
	/* an IPv6 pin is ND's */
	neigh_static_parse("2001:db8::7=02:00:00:00:00:07", &s, err,
	    sizeof(err));
	EXPECT_EQ(arp_static_mac(a, &s), 0, "an IPv6 pin: ignored by ARP");
	expect_log(log_new(), "2001:db8::7", 0, "... silently");
	in(REP, MAC_RS1, "198.18.0.7", MAC_DIR, "198.18.0.2");
	log_new();
}

static void
test_vip_checks(void)
{
	char v[32];
	int per[21] = { 0 }, round;

	/* a real server with arp_ignore=0 answers our check: a claim */
	quiet();
	now += 10000;
	arp_tick(a, now);
	EXPECT_EQ(count_sent(0, BCAST, REQ, "198.18.0.2", ZERO, "198.18.0.1"),
	    1, "every 10 s: who-has VIP tell our DIP");
	in(REP, MAC_RS2, "198.18.0.1", MAC_DIR, "198.18.0.2");
	expect_log(log_new(), "02:00:00:00:00:08 (real server 198.18.0.8) "
	    "claims VIP 198.18.0.1 by an ARP reply (198.18.0.1 is-at its MAC, "
	    "to 198.18.0.2)", 1, "... answered by a real server: a claim");

	/* 21 VIPs: 16 a round, each in turn */
	for (int i = 0; i < 20; i++) {
		snprintf(v, sizeof(v), "198.18.0.%d", 20 + i);
		ctl(DRLB_CTL_ADD_SVC, v, 80, NULL);
	}
	for (round = 0; round < 4; round++) {
		int k = 0;

		nsent = 0;
		now += 10000;
		arp_tick(a, now);
		for (int i = 0; i < 21; i++) {
			snprintf(v, sizeof(v), "198.18.0.%d", i ? 19 + i : 1);
			per[i] += count_sent(0, BCAST, REQ, "198.18.0.2", ZERO,
			    v);
			k += count_sent(0, BCAST, REQ, "198.18.0.2", ZERO, v);
		}
		if (k > 16)
			break;
	}
	EXPECT_EQ(round, 4, "at most 16 VIPs asked a round");
	for (int i = 0, ok = 1; i < 21; i++) {
		ok &= per[i] == 3 || per[i] == 4;
		if (i == 20)
			EXPECT(ok, "4 rounds of 16: each of 21 VIPs asked 3 or 4 "
			    "times");
	}
	for (int i = 0; i < 20; i++) {
		snprintf(v, sizeof(v), "198.18.0.%d", 20 + i);
		ctl(DRLB_CTL_DEL_SVC, v, 80, NULL);
	}
	nsent = 0;
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
	EXPECT_MEM(arp_mac(a, 0), MAC_DIR, 6, "arp_mac");
	EXPECT_EQ(arp_ipaddr(a), dip.in.s_addr, "arp_ipaddr");
	st.on_dest_added = arp_dest_added;
	st.on_vips_changed = arp_vips_changed;
	st.cb_arg = a;

	test_announce_and_probe();
	test_malformed();
	test_learn();
	test_vip();
	test_claims();
	test_claim_trace();
	test_log_limit();
	test_hold_and_pin();
	test_vip_checks();
	test_no_arp();

	/* the table goes first: flushing it calls the hooks */
	svc_table_free(&st);
	arp_close(a);
	return EXPECT_DONE();
}
