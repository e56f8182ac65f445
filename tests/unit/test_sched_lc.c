/*
 * lc, wlc, sed and nq (sched/lc.c, wlc.c, sed.c, nq.c over sched/lload.c's
 * index) against sequences computed by hand from ip_vs_lc.c, ip_vs_wlc.c,
 * ip_vs_sed.c and ip_vs_nq.c, and every decision against the plain O(n)
 * scans of sched_ref.h: in the hand-made cases and in long seeded runs of
 * interleaved events (connections opened, moved and expired through the
 * connection table, weight and threshold edits, dests added and removed,
 * NOMAC / OVERLOAD toggled, the scheduler switched).
 *
 * Real servers are 198.18.0.(10 + N), named A, B, C, ... for N = 1, 2, 3;
 * IPVS keeps the newest dest first, which decides ties.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "sched_ref.h"
#include "expect.h"

static struct svc_table T;
static struct conn_table *CT;
static uint32_t now = 1000;
static uint16_t next_cport = 10000;
/* decisions compared with the reference scan, and how many differed */
static unsigned long compared, mismatches;

#define VIP "198.18.0.1"
#define VPORT 80
#define MAX_DEST 40

static struct svc *
svc_at(uint16_t vport)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, VIP, &a.in);
	return svc_find(&T, AF_INET, IPPROTO_TCP, &a, vport);
}

static struct svc *
the_svc(void)
{
	return svc_at(VPORT);
}

static int
dest_num(const struct dest *d)
{
	return (int)(ntohl(d->conf.addr.in.s_addr) & 0xff) - 10;
}

static struct dest *
dest_n(int n)
{
	return fx_svc_dest(the_svc(), 10 + n);
}

static char
letter(const struct dest *d)
{
	return d == NULL ? '-' : (char)('A' - 1 + dest_num(d));
}

/* what arp.c does when a real server answers (or stops answering) */
static void
set_flag(int n, uint32_t flag, int on)
{
	struct dest *d = dest_n(n);

	if (on)
		d->flags |= flag;
	else
		d->flags &= ~flag;
	sched_dest_load_changed(d);
}

static void
add(int n, int weight)
{
	fx_dest(&T, DRLB_CTL_ADD_DEST, VPORT, 10 + n, weight);
	set_flag(n, DEST_F_NOMAC, 0);
}

static void
set_weight(int n, int w)
{
	fx_dest(&T, DRLB_CTL_EDIT_DEST, VPORT, 10 + n, w);
}

static void
del(int n)
{
	fx_dest(&T, DRLB_CTL_DEL_DEST, VPORT, 10 + n, 0);
}

static void
teardown(void)
{
	if (CT != NULL) {
		conn_flush(CT, &T);
		conn_table_destroy(CT);
		CT = NULL;
	}
	svc_table_free(&T);
}

/* a fresh service with this scheduler; dests A, B, ... added in this order
 * with these weights and their MACs learnt */
static void
setup(const char *sched, const int *weights, int n)
{
	struct drlb_timeouts tm = { 30, 5, 300 };

	teardown();
	svc_table_init(&T);
	CT = conn_table_create(1u << 16);
	conn_set_timeouts(CT, &tm);
	fx_svc(&T, DRLB_CTL_ADD_SVC, VPORT, sched);
	for (int i = 0; i < n; i++)
		add(i + 1, weights[i]);
}

/* The scheduler's pick, compared with the reference scan of its rule. */
static struct dest *
decide(struct svc *s)
{
	struct conn_key k;
	struct dest *d, *want;

	memset(&k, 0, sizeof(k));
	d = s->sched->schedule(s, &k);
	want = ref_find(s->sched->name)(s);
	compared++;
	if (d != want && ++mismatches <= 10)
		printf("# %s: index picked %c, the scan %c (decision %lu)\n",
		    s->sched->name, letter(d), letter(want), compared);
	return d;
}

/* ------------------------------------------- counts, recounted */

#define RECOUNT_MAX (2 * MAX_DEST + 8)

struct recount {
	const struct dest *d[RECOUNT_MAX];
	uint64_t active[RECOUNT_MAX], total[RECOUNT_MAX];
	int n, overflow;
};

static int
recount_cb(struct conn *c, void *arg)
{
	struct recount *r = arg;
	int i;

	if (c->flags & CONN_F_TEMPLATE)
		return 0;
	for (i = 0; i < r->n && r->d[i] != c->dest; i++)
		;
	if (i == r->n) {
		if (r->n == RECOUNT_MAX) {
			r->overflow = 1;
			return 0;
		}
		r->d[r->n] = c->dest;
		r->active[r->n] = r->total[r->n] = 0;
		r->n++;
	}
	r->total[i]++;
	r->active[i] += ref_conn_active(c);
	return 0;
}

static int
recount_differs(const struct recount *r, const struct dest *d)
{
	uint64_t a = 0, t = 0;

	for (int i = 0; i < r->n; i++)
		if (r->d[i] == d) {
			a = r->active[i];
			t = r->total[i];
		}
	return d->activeconns != a || d->activeconns + (uint64_t)d->inactconns != t;
}

/*
 * ActiveConn/InActConn of every dest (listed or in the trash) against a
 * recount of the connection table with sched_ref.h's copy of
 * tcp_state_active_table: the scans read the daemon's counts, this keeps
 * those counts to the reference's rule.  Returns how many dests differ.
 */
static int
counts_differ(void)
{
	struct svc *s = the_svc();
	struct recount r;
	int bad = 0;

	memset(&r, 0, sizeof(r));
	conn_walk(CT, recount_cb, &r);
	if (r.overflow)
		return -1;
	for (uint32_t i = 0; s != NULL && i < s->ndests; i++)
		bad += recount_differs(&r, s->dests[i]);
	for (const struct dest *d = T.trash; d != NULL; d = d->trash_next)
		bad += recount_differs(&r, d);
	return bad;
}

static struct conn_key
next_key(void)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.0.200", &k.caddr.in);
	inet_pton(AF_INET, VIP, &k.vaddr.in);
	k.cport = htons(next_cport++);
	k.vport = htons(VPORT);
	return k;
}

enum { PEEK, OPEN, ESTABLISH };

/* n picks as letters; OPEN also opens a connection on each pick (inactive,
 * as a new DR connection starts), ESTABLISH takes it to ESTABLISHED */
static const char *
picks(int n, int mode)
{
	static char buf[1024];
	struct svc *s = the_svc();
	int i;

	for (i = 0; i < n && i < (int)sizeof(buf) - 1; i++) {
		struct dest *d = decide(s);
		struct conn_key k;
		struct conn *c;

		buf[i] = letter(d);
		if (mode == PEEK || d == NULL)
			continue;
		k = next_key();
		c = conn_insert(CT, &k, d, now);
		if (mode == ESTABLISH && c != NULL) {
			conn_seen(CT, c, CONN_TCP_SYN, now);
			conn_seen(CT, c, CONN_TCP_ACK, now);
		}
	}
	buf[i] = '\0';
	return buf;
}

static void
establish(int n)
{
	struct conn_key k = next_key();
	struct conn *c = conn_insert(CT, &k, dest_n(n), now);

	conn_seen(CT, c, CONN_TCP_SYN, now);
	conn_seen(CT, c, CONN_TCP_ACK, now);
}

static int
count_of(const char *s, char c)
{
	int k = 0;

	for (; *s; s++)
		k += *s == c;
	return k;
}

/* ------------------------------------------------------- by hand */

static void
test_registry(void)
{
	static const char *const names[] = { "lc", "wlc", "sed", "nq" };

	for (size_t i = 0; i < 4; i++) {
		const struct sched_ops *o = sched_find(names[i]);

		EXPECT_STR(o ? o->name : NULL, names[i], "sched_find finds it");
		EXPECT(o != NULL && o->dest_load_changed != NULL &&
		    o->dest_changed != NULL && o->init_svc != NULL &&
		    o->done_svc != NULL, "it keeps an index (all hooks set)");
	}
}

static void
test_lc(void)
{
	static const int w111[] = { 1, 1, 1 };
	static const int w11[] = { 1, 1 };
	static const int w051[] = { 0, 5, 1 };
	const char *s;

	/* list C B A, each pick opens an inactive connection: C0 B0 A0 -> C;
	 * C1 -> B (first of the 0s); A; then all at 1 -> C, B, A */
	setup("lc", w111, 3);
	EXPECT_STR(picks(6, OPEN), "CBACBA", "lc: least overhead, ties to the newest");

	/* an active connection weighs 257 inactive ones (activeconns * 256
	 * + totalconns, ip_vs_dest_conn_overhead): B holds one active (257);
	 * A takes 257 (0..256 < 257); at 257 = 257 the tie goes to B (first
	 * in the list), then B 258 > A 257 -> A */
	setup("lc", w11, 2);
	establish(2);
	EXPECT_EQ(dest_n(2)->activeconns, 1, "lc: B has one active connection");
	s = picks(259, OPEN);
	EXPECT_EQ(count_of(s, 'A'), 258, "lc: A takes 258 of 259");
	EXPECT_EQ(s[257], 'B', "lc: the 258th ties at 257 and goes to B");
	EXPECT_EQ(s[258], 'A', "lc: then A again");

	/* the reproduction: rs1 (A) then rs2 (B); a connection to B
	 * is established; a lone SYN goes to A.  SYN_RECV is active
	 * (tcp_state_active_table), so both weigh the same and the next
	 * connection goes to B, first in the list (both 257) */
	setup("lc", w11, 2);
	establish(2);
	{
		struct conn_key k = next_key();
		struct conn *c = conn_insert(CT, &k, dest_n(1), now);

		conn_seen(CT, c, CONN_TCP_SYN, now);
	}
	EXPECT(dest_n(1)->activeconns == 1 && dest_n(1)->inactconns == 0,
	    "lc: A's lone SYN (SYN_RECV) is an active connection");
	EXPECT_STR(picks(1, PEEK), "B", "lc: B and A weigh the same: B, first in the list");

	/* weights other than 0 do not matter; weight 0 never wins.
	 * list C(1) B(5) A(0): C0 B0 -> C; C1 B0 -> B; tie -> C; B */
	setup("lc", w051, 3);
	EXPECT_STR(picks(4, OPEN), "CBCB", "lc: weight 0 skipped, weights ignored");

	/* unusable dests skipped: C without MAC: B A B A; B overloaded: A A;
	 * A overloaded: none; C's MAC back: C (0 against nobody) */
	setup("lc", w111, 3);
	set_flag(3, DEST_F_NOMAC, 1);
	EXPECT_STR(picks(4, OPEN), "BABA", "lc skips a dest without MAC");
	set_flag(2, DEST_F_OVERLOAD, 1);
	EXPECT_STR(picks(2, OPEN), "AA", "lc skips an overloaded dest");
	set_flag(1, DEST_F_OVERLOAD, 1);
	EXPECT_STR(picks(1, OPEN), "-", "lc: all unusable -> NULL");
	set_flag(3, DEST_F_NOMAC, 0);
	EXPECT_STR(picks(2, OPEN), "CC", "lc: C usable again");

	/* dests added and removed mid-stream: B A at 1 each; C added at the
	 * head: C0 -> C, tie C1 B1 A1 -> C, C2 -> B, B2 -> A.  B removed with
	 * 2 connections (to the trash): C2 A2 -> C, A.  B's connections then
	 * expire from the trash (load changes for a dest no longer indexed),
	 * and so do all others: C, A from zero */
	setup("lc", w11, 2);
	EXPECT_STR(picks(2, OPEN), "BA", "lc: before adding C");
	add(3, 1);
	EXPECT_STR(picks(4, OPEN), "CCBA", "lc: C added at the head of the list");
	del(2);
	EXPECT(T.trash != NULL && T.trash->inactconns == 2,
	    "lc: B in the trash with its 2 connections");
	EXPECT_STR(picks(2, OPEN), "CA", "lc: after removing B");
	now += 3;
	conn_expire(CT, &T, now, 1u << 20);
	EXPECT(T.trash == NULL, "lc: B's connections expired, B freed");
	EXPECT_EQ(dest_n(3)->inactconns + dest_n(1)->inactconns, 0,
	    "lc: all connections gone");
	EXPECT_STR(picks(2, OPEN), "CA", "lc: from zero again");
	/* B back at the head with 0: B; then B1 C1 A1 tie -> B; then C */
	add(2, 1);
	EXPECT_STR(picks(3, OPEN), "BBC", "lc: B re-added at the head");
}

static void
test_wlc(void)
{
	static const int w13[] = { 1, 3 };

	/* list B(3) A(1), inactive connections, A replaces B iff
	 * oh(B) * 1 > oh(A) * 3:
	 * 0,0 -> B; 1,0 -> A; 1,1 -> B; 2,1 -> B; 3,1 (3 > 3 no) -> B;
	 * 4,1 -> A; 4,2 -> B */
	setup("wlc", w13, 2);
	EXPECT_STR(picks(7, OPEN), "BABBBAB", "wlc 1:3 (ties to the newest)");
	/* weight edit mid-stream: A at 0 -> B B (B now 7) */
	set_weight(1, 0);
	EXPECT_STR(picks(2, OPEN), "BB", "wlc: weight 0 after an edit");
	/* A at 4: B 7, A 2: 7 * 4 > a * 3 while a <= 9 -> A x 8, then at
	 * a = 10: 28 > 30 no -> B */
	set_weight(1, 4);
	EXPECT_STR(picks(9, OPEN), "AAAAAAAAB", "wlc: weight 4 after an edit");
	/* B 8, A 10; one connection on A established: 256 + 11, and
	 * 8 * 4 > 267 * 3 is false -> B */
	establish(1);
	EXPECT_STR(picks(1, PEEK), "B", "wlc: one active connection weighs 257");
}

static void
test_sed(void)
{
	static const int w13[] = { 1, 3 };
	static const int w11[] = { 1, 1 };

	/* list B(3) A(1), established connections, A replaces B iff
	 * (aB + 1) * 1 > (aA + 1) * 3: B0..B2 -> B (1, 2, 3 > 3 no);
	 * B3 A0: 4 > 3 -> A; B3 A1: 4 > 6 no -> B; B4, B5 (6 > 6 no) -> B;
	 * B6: 7 > 6 -> A */
	setup("sed", w13, 2);
	EXPECT_STR(picks(8, ESTABLISH), "BBBABBBA", "sed 1:3 counts the new job");
	/* inactive connections do not count: always the tie -> B */
	setup("sed", w11, 2);
	EXPECT_STR(picks(4, OPEN), "BBBB", "sed ignores inactive connections");
	EXPECT_EQ(dest_n(2)->inactconns, 4, "sed: B holds the 4 inactive");
	set_flag(2, DEST_F_OVERLOAD, 1);
	EXPECT_STR(picks(2, ESTABLISH), "AA", "sed skips an overloaded dest");
	set_flag(2, DEST_F_OVERLOAD, 0);
	/* B 0 active, A 2: B while (aB + 1) * 1 > 3 * 1 is false: B0..B2;
	 * B3: 4 > 3 -> A; then 4 > 4 no -> B */
	EXPECT_STR(picks(5, ESTABLISH), "BBBAB", "sed: back to B until it passes A");
}

static void
test_nq(void)
{
	static const int w13[] = { 1, 3 };
	static const int w1_100[] = { 1, 100 };
	static const int w011[] = { 0, 1, 1 };

	/* list B(3) A(1), established connections: B idle -> B; A idle -> A;
	 * then as sed: B1 A1: 2 * 1 > 2 * 3 no -> B; B2..B5 (6 > 6 no) -> B;
	 * B6: 7 > 6 -> A */
	setup("nq", w13, 2);
	EXPECT_STR(picks(8, ESTABLISH), "BABBBBBA", "nq: idle first, then sed");
	/* an idle dest wins whatever the ratios: B(100) A(1) */
	setup("nq", w1_100, 2);
	EXPECT_STR(picks(3, ESTABLISH), "BAB", "nq: idle A beats B at 2/100");
	/* inactive connections leave a dest idle: first idle in the list */
	setup("nq", w011, 3);
	EXPECT_STR(picks(3, OPEN), "CCC", "nq: inactive connections do not count");
	/* weight 0 never, even idle; C busy -> B (idle) */
	EXPECT_STR(picks(2, ESTABLISH), "CB", "nq: C busy, next idle B");
	EXPECT_STR(picks(1, PEEK), "C", "nq: all busy -> sed, tie to C");
	set_flag(3, DEST_F_NOMAC, 1);
	EXPECT_STR(picks(1, PEEK), "B", "nq: C unusable");
	del(2);
	EXPECT_STR(picks(1, PEEK), "-", "nq: only A (weight 0) and C (no MAC) left");
	set_weight(1, 2);
	EXPECT_STR(picks(1, PEEK), "A", "nq: A at weight 2, idle");
}

/* Products at the overflow bound: h < 2^41, w <= 65535.  Counters set by
 * hand (billions of connections are out of reach), no connections open. */
static void
test_bounds(void)
{
	static const int w[] = { 65535, 1 };
	struct dest *a, *b;

	setup("wlc", w, 2);		/* list B(1) A(65535) */
	a = dest_n(1);
	b = dest_n(2);
	/* B: 2^16 active = 2^24; A: 65535 * 2^24 = 2^40 - 2^24, as
	 * activeconns 2^32 - 2^16: a tie, to B (first) */
	b->activeconns = 1u << 16;
	sched_dest_load_changed(b);
	a->activeconns = 0xffffffffu - 0xffffu;
	sched_dest_load_changed(a);
	EXPECT_STR(picks(1, PEEK), "B", "wlc: tie at 2^40 * 2^16 goes to the first");
	b->inactconns = 1;
	sched_dest_load_changed(b);
	EXPECT_STR(picks(1, PEEK), "A", "wlc: one more inactive on B -> A");
	/* the largest overheads: both at 2^40 - 256 + 2^32 - 1 */
	a->activeconns = b->activeconns = 0xffffffffu;
	a->inactconns = b->inactconns = 0xffffffffu;
	sched_dest_load_changed(a);
	sched_dest_load_changed(b);
	EXPECT_STR(picks(1, PEEK), "A", "wlc: equal maximal overheads, A's weight wins");
	a->activeconns = b->activeconns = 0;
	a->inactconns = b->inactconns = 0;
	sched_dest_load_changed(a);
	sched_dest_load_changed(b);
}

/* ------------------------------------------------------- randomized */

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

static int
rand_weight(void)
{
	static const int w[] = { 0, 1, 1, 1, 2, 2, 3, 4, 5, 7, 65535 };

	return w[rnd(sizeof(w) / sizeof(w[0]))];
}

#define KEYS 4096

static void
random_run(const char *sched, uint64_t seed, int steps)
{
	static const char *const names[] = { "lc", "wlc", "sed", "nq" };
	static struct conn_key keys[KEYS];
	static const uint8_t tflags[] = { CONN_TCP_ACK, CONN_TCP_ACK,
	    CONN_TCP_FIN, CONN_TCP_SYN, CONN_TCP_RST };
	unsigned long before = mismatches, cmp0 = compared;
	unsigned long picked = 0, nulls = 0, trash_events = 0;
	unsigned long recounts = 0, recount_bad = 0;
	uint32_t nkeys = 0;
	char what[160];
	struct svc *s;
	int i;

	rng_state = seed;
	setup(sched, NULL, 0);
	s = the_svc();
	for (i = 1; i <= 8; i++)
		add(i, rand_weight());
	for (i = 0; i < steps; i++) {
		uint32_t ev = rnd(1000);
		struct dest *d;

		if (ev < 450) {
			/* a new connection where the scheduler says */
			struct conn_key k;
			struct conn *c;

			if ((d = decide(s)) == NULL) {
				nulls++;
				continue;
			}
			picked++;
			k = next_key();
			k.caddr.b[3] = (uint8_t)(200 + rnd(50));
			if ((c = conn_insert(CT, &k, d, now)) == NULL)
				continue;
			keys[nkeys++ % KEYS] = k;
			conn_seen(CT, c, CONN_TCP_SYN, now);
			if (rnd(4) != 0)
				conn_seen(CT, c, CONN_TCP_ACK, now);
		} else if (ev < 700) {
			/* a frame of an older connection: state moves */
			struct conn *c;

			if (nkeys == 0)
				continue;
			c = conn_lookup(CT, &keys[rnd(nkeys < KEYS ? nkeys : KEYS)]);
			if (c == NULL)
				continue;
			if (c->dest != NULL && !(c->dest->flags & DEST_F_AVAILABLE))
				trash_events++;
			conn_seen(CT, c, tflags[rnd(sizeof(tflags))], now);
		} else if (ev < 800) {
			now += 1 + rnd(3);
			conn_expire(CT, &T, now, 1u << 20);
		} else if (ev < 850 && s->ndests > 0) {
			/* weight and thresholds edited (-e) */
			struct drlb_ctl_req r;

			d = s->dests[rnd(s->ndests)];
			r = fx_req(IPPROTO_TCP, VPORT, NULL, 10 + dest_num(d),
			    rand_weight());
			if (rnd(3) == 0) {
				r.dest.u_threshold = 2 + rnd(30);
				r.dest.l_threshold = rnd(2) ? rnd(r.dest.u_threshold) : 0;
			}
			fx_apply(&T, DRLB_CTL_EDIT_DEST, &r);
		} else if (ev < 880) {
			/* a dest added (maybe back from the trash) */
			int n = 1 + (int)rnd(MAX_DEST);

			if (dest_n(n) == NULL) {
				struct drlb_ctl_req r = fx_req(IPPROTO_TCP,
				    VPORT, NULL, 10 + n, rand_weight());

				if (rnd(4) == 0)
					r.dest.u_threshold = 2 + rnd(30);
				fx_apply(&T, DRLB_CTL_ADD_DEST, &r);
				if (rnd(4) != 0)
					set_flag(n, DEST_F_NOMAC, 0);
			}
		} else if (ev < 905 && s->ndests > 0) {
			del(dest_num(s->dests[rnd(s->ndests)]));
		} else if (ev < 995 && s->ndests > 0) {
			/* MAC lost / learnt, or overloaded by hand */
			d = s->dests[rnd(s->ndests)];
			set_flag(dest_num(d), rnd(2) ? DEST_F_NOMAC :
			    DEST_F_OVERLOAD, (int)rnd(2));
		} else {
			/* -E -s: another of the four takes the service */
			fx_svc(&T, DRLB_CTL_EDIT_SVC, VPORT, names[rnd(4)]);
		}
		/* after every event, not only before a new connection */
		(void)decide(s);
		if (i % 509 == 0) {
			recounts++;
			recount_bad += counts_differ() != 0;
		}
	}
	snprintf(what, sizeof(what), "%s: ActiveConn/InActConn equal a recount "
	    "by tcp_state_active_table at %lu points", sched, recounts);
	EXPECT_EQ(recount_bad, 0, what);
	snprintf(what, sizeof(what), "%s: seed %#llx, %d events, %lu decisions "
	    "(%lu picks, %lu none, %lu load changes of trashed dests): index == "
	    "scan", sched, (unsigned long long)seed, steps, compared - cmp0,
	    picked, nulls, trash_events);
	EXPECT_EQ(mismatches - before, 0, what);
	EXPECT(picked > (unsigned long)steps / 4 && nulls > 0,
	    "the run both picked and found none available");
	EXPECT(trash_events > 0, "the run moved connections of removed dests");
}

int
main(void)
{
	svc_table_init(&T);
	test_registry();
	test_lc();
	test_wlc();
	test_sed();
	test_nq();
	test_bounds();
	EXPECT_EQ(mismatches, 0, "hand-made cases: index == scan at every decision");
	random_run("lc", 0x1c1c1c1c5eedull, 200000);
	random_run("wlc", 0x3c3c3c3c5eedull, 200000);
	random_run("sed", 0x5ed05ed05eedull, 200000);
	random_run("nq", 0x4e4e4e4e5eedull, 200000);
	teardown();
	return EXPECT_DONE();
}
