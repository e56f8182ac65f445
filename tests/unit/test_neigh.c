/*
 * The neighbour table (neigh.c) on its own: probes through its ops, the
 * probe / refresh / failed timers, what reaches the dests (live and in the
 * trash), forgetting addresses nobody uses, and its log lines.
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
probe(void *arg, const union drlb_inaddr *a)
{
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

	return neigh_learn(nt, &a, mac, now);
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
	EXPECT_EQ(neigh_learn(nt, &a, MAC_B, now), NEIGH_SAME,
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

	EXPECT_EQ(probe_bad_arg, 0, "probes get the table's argument");
	neigh_destroy(nt);
	svc_table_free(&st);
	return EXPECT_DONE();
}
