/*
 * The neighbour table (neigh.c) on its own: probes through its ops, the
 * probe / refresh / failed timers, what reaches the dests (live and in the
 * trash), forgetting addresses nobody uses, MAC flaps and holds, pins
 * (--static-mac and its parser), the VIP claimers' table, the log's limit
 * per MAC, and its log lines.
 */
#include "neigh.h"
#include "neigh_env.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x17 };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x08 };

static struct neigh_table *nt;
static uint64_t now;

/* the probes asked for, as text */
static char probed[64][INET6_ADDRSTRLEN];
static int nprobed, probe_af = AF_INET, probe_bad_arg;

static void
probe(void *arg, const union drlb_inaddr *a, int link)
{
	(void)link;
	if (arg != &nt)
		probe_bad_arg++;
	if (nprobed < 64)
		drlb_addr_str(probed[nprobed], sizeof(probed[0]), probe_af, a);
	nprobed++;
}

/* probes of ip since nprobed was 0 */
static int
probes_of(const char *ip)
{
	int n = 0;

	for (int i = 0; i < nprobed && i < 64; i++)
		n += strcmp(probed[i], ip) == 0;
	return n;
}

static const struct neigh_ops ops = {
	.probe = probe,
	.silent = "SILENT",
	.again = "AGAIN",
	.proto = "PROTO",
	.fix = "FIX",
};

static void
dest_added(void *arg, struct dest *d)
{
	neigh_dest_added(arg, d, now);
}

static union drlb_inaddr
addr(const char *s)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	pton(s, &a);
	return a;
}

static enum neigh_learnt
learn(const char *ip, const uint8_t *mac)
{
	union drlb_inaddr a = addr(ip);

	return neigh_learn(nt, &a, mac, 0, now);
}

/* tick at now + ms; returns how many probes went out */
static int
tick_at(uint64_t ms)
{
	int before = nprobed;

	now = ms;
	neigh_tick(nt, now);
	return nprobed - before;
}

static void
test_probe_on_add(void)
{
	const char *l;

	ctl(DRLB_CTL_ADD_SVC, "198.18.0.1", 80, NULL);
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.7");
	EXPECT_EQ(nprobed, 1, "a new real server is probed at once");
	EXPECT_STR(probed[0], "198.18.0.7", "... its address");
	EXPECT(dest(80, "198.18.0.7")->flags & DEST_F_NOMAC,
	    "unresolved: not scheduled");
	EXPECT_EQ(dest(80, "198.18.0.7")->mac_state, DRLB_MAC_NONE,
	    "unresolved: mac_state none");

	/* the same address in a second service: one entry, no new probe */
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.1", 443, NULL);
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 443, "198.18.0.7");
	EXPECT_EQ(nprobed, 1, "a known address is not probed again");

	/* another family: not this table's */
	ctl(DRLB_CTL_ADD_SVC, "2001:db8::1", 80, NULL);
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", 80, "2001:db8::7");
	/* its first 4 bytes are 198.18.0.7's */
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", 80, "c612:7::");
	EXPECT_EQ(nprobed, 1, "an IPv6 dest is no business of an IPv4 table");

	/* unanswered: every second, 3 times, then failed and every 5 s */
	EXPECT_EQ(tick_at(999), 0, "no probe before a second");
	EXPECT_EQ(tick_at(1000), 1, "second probe after 1 s");
	EXPECT_EQ(tick_at(2000), 1, "third probe after 2 s");
	l = log_new();
	expect_log(l, "does not answer", 0, "not failed after 3 probes yet");
	EXPECT_EQ(tick_at(3000), 1, "fourth probe after 3 s");
	l = log_new();
	expect_log(l, "real server 198.18.0.7 does not answer SILENT: not "
	    "scheduled (in DR a real server must be on the director's own "
	    "Ethernet segment)", 1,
	    "3 unanswered probes: failed, and said why");
	EXPECT_EQ(dest(80, "198.18.0.7")->mac_state, DRLB_MAC_FAILED,
	    "failed: mac_state failed (port 80)");
	EXPECT_EQ(dest(443, "198.18.0.7")->mac_state, DRLB_MAC_FAILED,
	    "failed: mac_state failed (port 443)");
	EXPECT_EQ(tick_at(7999), 0, "failed: no probe before 5 s");
	EXPECT_EQ(tick_at(8000), 1, "failed: probed every 5 s");
	l = log_new();
	expect_log(l, "does not answer", 0, "failure said once");
}

static void
test_learn(void)
{
	union drlb_inaddr a = addr("198.18.0.7");
	const char *l;

	EXPECT_EQ(learn("198.18.0.7", MAC_A), NEIGH_CHANGED,
	    "an answer after failure: changed");
	l = log_new();
	expect_log(l, "real server 198.18.0.7 answers AGAIN again", 1,
	    "says it answers again");
	expect_log(l, "real server 198.18.0.7 is at 02:00:00:00:00:07", 1,
	    "says where it is");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_A),
	    "MAC copied to the dest of port 80, scheduled");
	EXPECT(resolved_at(dest(443, "198.18.0.7"), MAC_A),
	    "MAC copied to the dest of port 443, scheduled");
	EXPECT(dest(80, "c612:7::")->mac_state == DRLB_MAC_NONE &&
	    (dest(80, "c612:7::")->flags & DEST_F_NOMAC),
	    "the IPv6 dest starting with the same 4 bytes untouched");

	EXPECT_EQ(learn("198.18.0.7", MAC_A), NEIGH_SAME, "same MAC: same");
	l = log_new();
	expect_log(l, "198.18.0.7", 0, "same MAC: nothing said");

	EXPECT_EQ(learn("198.18.0.7", MAC_B), NEIGH_CHANGED,
	    "new MAC: changed");
	l = log_new();
	expect_log(l, "real server 198.18.0.7 is at 02:00:00:00:00:17", 1,
	    "says the new MAC");
	expect_log(l, "again", 0, "not failed before: not 'again'");
	EXPECT(resolved_at(dest(443, "198.18.0.7"), MAC_B), "the dest moves");

	EXPECT_EQ(learn("198.18.0.9", MAC_A), NEIGH_UNKNOWN,
	    "not a real server: unknown");
	EXPECT_EQ(learn("2001:db8::7", MAC_A), NEIGH_UNKNOWN,
	    "IPv6 real server, IPv4 table: unknown");

	/* an IPv4 key is its 4 bytes: what follows in the union is noise */
	memset(a.b + 4, 0xa5, 12);
	EXPECT_EQ(neigh_learn(nt, &a, MAC_B, 0, now), NEIGH_SAME,
	    "IPv4 address compared on 4 bytes");

	/* resolved: re-checked after a minute, failed again after 3 more */
	EXPECT_EQ(tick_at(now + 59999), 0, "resolved: quiet for a minute");
	EXPECT_EQ(tick_at(now + 1), 1, "refresh probe after 60 s");
	EXPECT_EQ(tick_at(now + 1000), 1, "refresh unanswered: again in 1 s");
	EXPECT_EQ(tick_at(now + 1000), 1, "and again");
	log_new();
	EXPECT_EQ(tick_at(now + 1000), 1, "and again, now failed");
	l = log_new();
	expect_log(l, "real server 198.18.0.7 does not answer SILENT", 1,
	    "a resolved real server that stops answering fails");
	EXPECT_EQ(dest(80, "198.18.0.7")->mac_state, DRLB_MAC_FAILED,
	    "failed again: mac_state failed");
	EXPECT(dest(80, "198.18.0.7")->flags & DEST_F_NOMAC,
	    "failed again: not scheduled");
	EXPECT_MEM(dest(80, "198.18.0.7")->mac, MAC_B, 6,
	    "failed: the last MAC stays for the record");
	EXPECT_EQ(learn("198.18.0.7", MAC_B), NEIGH_CHANGED,
	    "same MAC after failure: changed (usable again)");
	EXPECT(resolved_at(dest(80, "198.18.0.7"), MAC_B), "scheduled again");
}

static void
test_trash_and_gc(void)
{
	struct dest *d8;
	uint64_t t0;

	now += 10;
	t0 = now;
	nprobed = 0;
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.8");
	d8 = dest(80, "198.18.0.8");
	EXPECT_EQ(probes_of("198.18.0.8"), 1, "198.18.0.8 probed");

	/* removed while a connection holds it: in the trash, still synced */
	dest_hold(d8);
	ctl(DRLB_CTL_DEL_DEST, "198.18.0.1", 80, "198.18.0.8");
	EXPECT(st.trash == d8, "198.18.0.8 in the trash");
	EXPECT_EQ(learn("198.18.0.8", MAC_C), NEIGH_CHANGED,
	    "a trashed real server's address is still known");
	EXPECT_MEM(d8->mac, MAC_C, 6, "the trashed dest gets the MAC");
	EXPECT_EQ(d8->mac_state, DRLB_MAC_RESOLVED,
	    "the trashed dest: mac_state resolved");
	nprobed = 0;
	tick_at(t0 + 60000);
	EXPECT_EQ(probes_of("198.18.0.8"), 1,
	    "a trashed real server is still refreshed");

	/* back from the trash (svc.c keeps its MAC): as the table knows it,
	 * though refreshes with the same MAC change nothing */
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.8");
	EXPECT(dest(80, "198.18.0.8") == d8, "198.18.0.8 back from the trash");
	EXPECT(resolved_at(d8, MAC_C),
	    "resolved while in the trash: scheduled when back");
	ctl(DRLB_CTL_DEL_DEST, "198.18.0.1", 80, "198.18.0.8");
	tick_at(t0 + 61000);
	tick_at(t0 + 62000);
	tick_at(t0 + 63000);
	EXPECT_EQ(d8->mac_state, DRLB_MAC_FAILED, "failed in the trash");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.8");
	EXPECT(dest(80, "198.18.0.8") == d8, "198.18.0.8 back again");
	EXPECT(d8->flags & DEST_F_NOMAC,
	    "failed while in the trash: not scheduled when back");
	ctl(DRLB_CTL_DEL_DEST, "198.18.0.1", 80, "198.18.0.8");

	/* its last connection goes: forgotten */
	dest_put(&st, d8);
	EXPECT(st.trash == NULL, "trash empty");
	nprobed = 0;
	tick_at(t0 + 68000);
	EXPECT_EQ(probes_of("198.18.0.7"), 1, "198.18.0.7 still probed");
	EXPECT_EQ(probes_of("198.18.0.8"), 0,
	    "an unused address is not probed");
	EXPECT_EQ(learn("198.18.0.8", MAC_C), NEIGH_UNKNOWN,
	    "an unused address is forgotten");

	/* and back: a new entry, probed at once */
	nprobed = 0;
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.8");
	EXPECT_EQ(probes_of("198.18.0.8"), 1, "re-added: probed at once");
	EXPECT(dest(80, "198.18.0.8")->flags & DEST_F_NOMAC,
	    "re-added: not scheduled until it answers");
}

static void
test_ipv6(void)
{
	static const struct neigh_ops ops6 = {
		.probe = probe,
		.silent = "SILENT6",
		.again = "AGAIN6",
		.proto = "PROTO6",
		.fix = "FIX6",
	};
	struct neigh_table *t4 = nt;
	const char *l;

	nt = neigh_create(AF_INET6, &st, &ops6, &nt);
	st.cb_arg = nt;
	probe_af = AF_INET6;
	nprobed = 0;
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", 80, "2001:db8::8");
	EXPECT_EQ(probes_of("2001:db8::8"), 1,
	    "IPv6 table: an IPv6 dest is probed");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.9");
	EXPECT_EQ(nprobed, 1, "IPv6 table: an IPv4 dest is not");
	EXPECT_EQ(learn("2001:db8::9", MAC_A), NEIGH_UNKNOWN,
	    "IPv6 addresses compared on 16 bytes");
	EXPECT_EQ(learn("2001:db8::8", MAC_C), NEIGH_CHANGED, "learnt");
	l = log_new();
	expect_log(l, "real server 2001:db8::8 is at 02:00:00:00:00:08", 1,
	    "IPv6 address in the log");
	EXPECT(resolved_at(dest(80, "2001:db8::8"), MAC_C),
	    "IPv6 dest resolved");
	EXPECT(dest(80, "2001:db8::7")->flags & DEST_F_NOMAC,
	    "the other IPv6 dest (added before the table) untouched");
	neigh_destroy(nt);
	nt = t4;
	st.cb_arg = nt;
	probe_af = AF_INET;
}

static void
test_static_parse(void)
{
	static const struct {
		const char *spec, *err;
	} bad[] = {
		{ "198.18.0.7", "want IP=MAC (198.18.0.7=02:00:00:00:00:07)" },
		{ "=02:00:00:00:00:07",
		    "want IP=MAC (198.18.0.7=02:00:00:00:00:07)" },
		{ "rs1=02:00:00:00:00:07",
		    "rs1 is not an IPv4 or IPv6 address" },
		{ "198.18.0.7=02:00:00:00:00",
		    "02:00:00:00:00 is not a MAC (want six hex bytes: "
		    "02:00:00:00:00:07)" },
		{ "198.18.0.7=02:00:00:00:00:07:08",
		    "02:00:00:00:00:07:08 is not a MAC (want six hex bytes: "
		    "02:00:00:00:00:07)" },
		{ "198.18.0.7=2:0:0:0:0:7",
		    "2:0:0:0:0:7 is not a MAC (want six hex bytes: "
		    "02:00:00:00:00:07)" },
		{ "198.18.0.7=0g:00:00:00:00:07",
		    "0g:00:00:00:00:07 is not a MAC (want six hex bytes: "
		    "02:00:00:00:00:07)" },
		{ "198.18.0.7=01:00:5e:00:00:01",
		    "01:00:5e:00:00:01 is not a host's MAC (multicast or "
		    "zero)" },
		{ "198.18.0.7=00:00:00:00:00:00",
		    "00:00:00:00:00:00 is not a host's MAC (multicast or "
		    "zero)" },
	};
	static const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0, 0, 0x07 };
	struct neigh_static s;
	union drlb_inaddr a4 = addr("198.18.0.7"), a6 = addr("2001:db8::7");
	char err[128];

	EXPECT_EQ(neigh_static_parse("198.18.0.7=02:AB:cd:00:00:07", &s, err,
	    sizeof(err)), 0, "IPv4=MAC parsed (either case)");
	EXPECT(s.af == AF_INET && drlb_addr_eq(AF_INET, &s.addr, &a4) &&
	    memcmp(s.mac, mac, 6) == 0, "... to its address and MAC");
	EXPECT_EQ(neigh_static_parse("2001:db8::7=02-ab-cd-00-00-07", &s, err,
	    sizeof(err)), 0, "IPv6=MAC with dashes parsed");
	EXPECT(s.af == AF_INET6 && drlb_addr_eq(AF_INET6, &s.addr, &a6) &&
	    memcmp(s.mac, mac, 6) == 0, "... to its address and MAC");
	EXPECT_EQ(neigh_static_parse("[2001:db8::7]=02:ab:cd:00:00:07", &s, err,
	    sizeof(err)), 0, "[IPv6]=MAC parsed");
	EXPECT(s.af == AF_INET6 && drlb_addr_eq(AF_INET6, &s.addr, &a6),
	    "... without its brackets");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT_EQ(neigh_static_parse(bad[i].spec, &s, err, sizeof(err)),
		    -1, bad[i].spec);
		EXPECT_STR(err, bad[i].err, "... says why");
	}
}

static void
test_hold(void)
{
	static const uint8_t MAC_D[6] = { 0x02, 0, 0, 0, 0, 0x27 };
	const char *l;

	now += 100000;
	neigh_set_flap(nt, NEIGH_FLAP_HOLD);
	nprobed = 0;
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", 80, "198.18.0.10");
	learn("198.18.0.10", MAC_A);
	log_new();
	/* three different MACs after the first: back to the first */
	EXPECT_EQ(learn("198.18.0.10", MAC_B), NEIGH_CHANGED, "A -> B");
	EXPECT_EQ(learn("198.18.0.10", MAC_C), NEIGH_CHANGED, "B -> C");
	EXPECT_EQ(learn("198.18.0.10", MAC_D), NEIGH_REFUSED, "C -> D: held");
	l = log_new();
	expect_log(l, "real server 198.18.0.10 flaps (3 MAC changes in 60 s, "
	    "the last to 02:00:00:00:00:27): held at 02:00:00:00:00:07 for "
	    "300 s (--mac-flap hold)", 1, "... at A, where it began");
	EXPECT(resolved_at(dest(80, "198.18.0.10"), MAC_A),
	    "... the dest back at A");
	nprobed = 0;
	tick_at(now);
	EXPECT_EQ(probes_of("198.18.0.10"), 1, "held: A asked at once");
	EXPECT_EQ(learn("198.18.0.10", MAC_C), NEIGH_REFUSED, "C refused");
	EXPECT_EQ(learn("198.18.0.10", MAC_A), NEIGH_SAME, "A confirmed");
	/* A goes silent: the hold ends with its failure */
	tick_at(now + 60000);
	tick_at(now + 1000);
	tick_at(now + 1000);
	tick_at(now + 1000);
	EXPECT_EQ(dest(80, "198.18.0.10")->mac_state, DRLB_MAC_FAILED,
	    "A silent: failed");
	log_new();
	EXPECT_EQ(learn("198.18.0.10", MAC_D), NEIGH_CHANGED,
	    "failed: the next to answer is believed, hold or not");
	EXPECT(resolved_at(dest(80, "198.18.0.10"), MAC_D), "... at D");
	/* changes a minute apart are no flapping */
	EXPECT_EQ(learn("198.18.0.10", MAC_A), NEIGH_CHANGED, "D -> A");
	now += 60000;
	EXPECT_EQ(learn("198.18.0.10", MAC_B), NEIGH_CHANGED, "a minute later "
	    "A -> B");
	EXPECT_EQ(learn("198.18.0.10", MAC_C), NEIGH_CHANGED, "B -> C");
	neigh_set_flap(nt, NEIGH_FLAP_FOLLOW);
	ctl(DRLB_CTL_DEL_DEST, "198.18.0.1", 80, "198.18.0.10");
}

static void
test_claims(void)
{
	struct neigh_claimer cl[40];
	struct neigh_counters c;
	union drlb_inaddr vip = addr("198.18.0.1");
	uint8_t m[6] = { 0x02, 0, 0, 0, 0x10, 0 };
	const char *l;

	now += 10000;
	tick_at(now);
	learn("198.18.0.7", MAC_B);
	log_new();
	EXPECT_EQ(neigh_claim(nt, MAC_B, &vip, "HOW", false, now), 1,
	    "a first claim: 1");
	l = log_new();
	expect_log(l, "02:00:00:00:00:17 (real server 198.18.0.7) claims VIP "
	    "198.18.0.1 by HOW: clients that believe it bypass the director; "
	    "FIX (run tools/drlb-realserver check 198.18.0.1 there)", 1,
	    "... logged, naming the real server at that MAC");
	EXPECT_EQ(neigh_claim(nt, MAC_B, &vip, "HOW", false, now), 2,
	    "a second: 2");
	expect_log(log_new(), "claims", 0, "... not logged");
	EXPECT_EQ(neigh_claim(nt, m, &vip, "PROBE", true, now), 1,
	    "another MAC's probe");
	expect_log(log_new(), "02:00:00:00:10:00 claims VIP 198.18.0.1 by "
	    "PROBE: a host about to take it (told it is taken); FIX", 1,
	    "... logged as a probe, no real server named");
	/* the table holds 32: the least recently heard goes */
	for (int i = 1; i < 40; i++) {
		m[5] = (uint8_t)i;
		now++;
		neigh_claim(nt, m, &vip, "HOW", false, now);
		if (i == 30)
			EXPECT_EQ(neigh_claim(nt, MAC_B, &vip, "HOW", false,
			    now), 3, "the table full: B claims a third time");
	}
	log_new();
	EXPECT_EQ(neigh_claimers(nt, cl, 40), 32, "32 claimers remembered");
	EXPECT_MEM(cl[0].mac, MAC_B, 6, "... the one with most claims first");
	EXPECT_EQ(cl[0].claims, 3, "... its 3 claims");
	EXPECT_EQ(cl[1].claims, 1, "... then the others'");
	neigh_get_counters(nt, &c);
	EXPECT_EQ(c.vip_claimers, 41, "vip_claimers counts each new MAC");
	m[5] = 0;
	EXPECT_EQ(neigh_claim(nt, m, &vip, "HOW", false, now), 1,
	    "the oldest was forgotten: new again");
	m[5] = 39;
	EXPECT_EQ(neigh_claim(nt, m, &vip, "HOW", false, now), 2,
	    "the newest was not");
}

static void
test_log_limit(void)
{
	uint8_t m[6] = { 0x02, 0, 0, 0, 0x20, 0 };
	struct neigh_counters c0, c;
	int ok = 0;

	now += 10000;
	tick_at(now);
	log_new();
	neigh_get_counters(nt, &c0);
	for (int i = 0; i < 8; i++)
		ok += neigh_log_ok(nt, MAC_A, now);
	EXPECT_EQ(ok, 5, "5 lines per MAC in a window");
	EXPECT(neigh_log_ok(nt, MAC_B, now), "... another MAC has its own");
	for (int i = 0; i < 100; i++) {
		m[5] = (uint8_t)i;
		ok += neigh_log_ok(nt, m, now);
	}
	EXPECT_EQ(ok, 49, "50 lines in all");
	neigh_get_counters(nt, &c);
	EXPECT_EQ(c.log_suppressed - c0.log_suppressed, 3 + 56,
	    "log_suppressed counts the rest");
	tick_at(now + 9999);
	expect_log(log_new(), "suppressed", 0, "no summary within the window");
	EXPECT(!neigh_log_ok(nt, MAC_B, now), "... nor a line");
	tick_at(now + 1);
	expect_log(log_new(), "PROTO: 60 more log lines about frames from the "
	    "segment suppressed in 10 s (3 about 02:00:00:00:00:07, 1 about "
	    "02:00:00:00:00:17, 56 about other MACs)", 1,
	    "the window over: one summary, the most first");
	EXPECT(neigh_log_ok(nt, MAC_A, now), "a new window: lines again");
	EXPECT(neigh_known(nt, &(union drlb_inaddr){ .in.s_addr =
	    addr("198.18.0.7").in.s_addr }), "neigh_known: a real server");
	EXPECT(!neigh_known(nt, &(union drlb_inaddr){ .in.s_addr =
	    addr("198.18.0.99").in.s_addr }), "neigh_known: not one");
}

int
main(void)
{
	log_capture();
	svc_table_init(&st);
	nt = neigh_create(AF_INET, &st, &ops, &nt);
	st.on_dest_added = dest_added;
	st.cb_arg = nt;

	test_probe_on_add();
	test_learn();
	test_trash_and_gc();
	test_ipv6();
	test_static_parse();
	test_hold();
	test_claims();
	test_log_limit();

	EXPECT_EQ(probe_bad_arg, 0, "probes get the table's argument");
	neigh_destroy(nt);
	svc_table_free(&st);
	return EXPECT_DONE();
}
