/*
 * fo, ovf and twos (over sched/lload.c's tree and twos.c's Fenwick tree),
 * lblc and lblcr (whose wlc fallback and is_overloaded answer from
 * lload.c) against the O(n) scans of sched_ref.h, every decision, in long
 * seeded runs of interleaved events: connections opened, moved and
 * expired through the connection table, weight and threshold edits (-x
 * sets and clears OVERLOAD as connections come and go), dests added,
 * removed and revived from the trash, NOMAC / OVERLOAD toggled by hand,
 * and the scheduler switched with -E (the index handed from one scheduler
 * to the next).
 *
 * twos: before each decision both the service's generator and the
 * reference's start from the same seed, so both walk with the same two
 * numbers.  lblc and lblcr: the reference keeps its own cache, IPVS's
 * rules over RIPs (a removed RIP's entry is invalid until it is re-added,
 * as a dest waiting in IPVS's trash), with the 60 s timer's expiry and
 * lblcr's daily shrink (days pass now and then).
 *
 * Real servers are 198.18.3.N (N = 1 .. MAX_DEST), clients 198.19.x.y;
 * lblc(r) keys go to 198.18.255.1 .. 198.18.255.NVADDR.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "sched_ref.h"
#include "sched/twos.h"
#include "expect.h"

static struct svc_table T;
static struct conn_table *CT;
static uint32_t now = 1000;
static uint32_t next_client;
/* decisions compared with the reference, and how many differed */
static unsigned long compared, mismatches;

#define VPORT		80
#define RIP0		0x300		/* dest n is 198.18.3.n: fx_req's rip */
#define MAX_DEST_BIG	1000
#define NVADDR		16

static struct svc *
the_svc(void)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, "198.18.0.1", &a.in);
	return svc_find(&T, AF_INET, IPPROTO_TCP, &a, VPORT);
}

static int
dest_num(const struct dest *d)
{
	return (int)(ntohl(d->conf.addr.in.s_addr) & 0xffff) - RIP0;
}

/* the listed dest n, NULL if n is not listed */
static struct dest *
dest_n(const struct svc *s, int n)
{
	for (uint32_t i = 0; s != NULL && i < s->ndests; i++)
		if (dest_num(s->dests[i]) == n)
			return s->dests[i];
	return NULL;
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

/* ------------------------------------------------------- rng */

static uint64_t rng_state;

static uint64_t
rnd64(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
rnd(uint32_t n)
{
	return (uint32_t)(rnd64() >> 32) % n;
}

/* with many dests, no 65535: one such dest would never overflow (ovf) */
static int big_run;

static int
rand_weight(void)
{
	static const int w[] = { 0, 1, 1, 1, 2, 2, 3, 4, 5, 7, 65535 };

	return w[rnd(sizeof(w) / sizeof(w[0]) - (big_run ? 1 : 0))];
}

/* the generator twos.h documents, for the reference's two draws */
static uint64_t ref_x;

static uint32_t
ref_draw(void *arg)
{
	(void)arg;
	ref_x ^= ref_x >> 12;
	ref_x ^= ref_x << 25;
	ref_x ^= ref_x >> 27;
	return (uint32_t)((ref_x * 0x2545f4914f6cdd1dull) >> 32);
}

/* ------------------------------------------------- lblc(r) reference */

/*
 * One entry per destination IP: lblc's one RIP, or lblcr's set of RIPs
 * (newest first).  A RIP stands for the listed dest with that address, or
 * for nothing while it is not listed; then, for lblcr's shrink, for the
 * weight and load it had when removed (snap_*).
 */
struct ref_entry {
	int used;
	int n;
	int rip[MAX_DEST_BIG];
	uint32_t lastuse, lastmod;
};
static struct ref_entry ref_cache[NVADDR];
static int32_t snap_w[MAX_DEST_BIG + 1];
static uint64_t snap_oh[MAX_DEST_BIG + 1];
/* the 60 s timer (check_expire), on the clock of the last tick */
static struct {
	int armed;
	uint32_t now, next_check, counter;
} ref_timer;
static unsigned long ref_repicks;	/* cached dest overloaded: re-picked */
static unsigned long ref_shrinks, ref_expired;

static void
ref_cache_reset(void)
{
	for (int v = 0; v < NVADDR; v++)
		ref_cache[v].used = ref_cache[v].n = 0;
	ref_timer.armed = 0;
	ref_timer.now = 0;
	ref_timer.counter = 1;
}

/* ip_vs_lblc(r)_check_expire from the timer, for the 16 entries here
 * (never over max_size): every 30th run, those unused for 24 h go */
static void
ref_tick(uint32_t t)
{
	ref_timer.now = t;
	if (!ref_timer.armed) {
		ref_timer.next_check = t + 60;
		ref_timer.armed = 1;
		return;
	}
	if ((int32_t)(t - ref_timer.next_check) < 0)
		return;
	if (ref_timer.counter % 30 == 0) {
		for (int v = 0; v < NVADDR; v++)
			if (ref_cache[v].used && !((int64_t)t <
			    (int64_t)ref_cache[v].lastuse + 86400)) {
				ref_cache[v].used = ref_cache[v].n = 0;
				ref_expired++;
			}
		ref_timer.counter = 1;
	} else
		ref_timer.counter++;
	ref_timer.next_check = t + 60;
}

static void
ref_new_entry(struct ref_entry *e, const struct dest *d)
{
	e->used = 1;
	e->n = 1;
	e->rip[0] = dest_num(d);
	e->lastuse = e->lastmod = ref_timer.now;
}

/* ip_vs_lblc_schedule */
static struct dest *
ref_lblc(const struct svc *s, int v)
{
	struct ref_entry *e = &ref_cache[v];
	struct dest *d;

	if (e->used) {
		e->lastuse = ref_timer.now;
		d = dest_n(s, e->rip[0]);
		if (d != NULL && d->conf.weight > 0 &&
		    !(d->flags & DEST_F_NOMAC)) {
			if (!ref_lblc_overloaded(d, s))
				return d;
			ref_repicks++;
		}
	}
	if ((d = ref_wlc(s)) == NULL)
		return NULL;
	if (e->used)
		e->rip[0] = dest_num(d);
	else
		ref_new_entry(e, d);
	return d;
}

/* ip_vs_dest_set_min over the entry's listed members */
static struct dest *
ref_set_min(const struct svc *s, const struct ref_entry *e)
{
	struct dest *least = NULL, *d;
	uint64_t loh = 0, doh;
	int i;

	for (i = 0; i < e->n; i++) {
		d = dest_n(s, e->rip[i]);
		if (d == NULL || !dest_usable(d))
			continue;
		if (d->conf.weight > 0) {
			least = d;
			loh = ref_conn_overhead(d);
			break;
		}
	}
	if (least == NULL)
		return NULL;
	for (i++; i < e->n; i++) {
		d = dest_n(s, e->rip[i]);
		if (d == NULL || !dest_usable(d))
			continue;
		doh = ref_conn_overhead(d);
		if (loh * (uint64_t)d->conf.weight >
		    doh * (uint64_t)least->conf.weight) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* ip_vs_dest_set_max: by weight > 0, live or as when removed; returns a
 * member's index or -1 */
static int
ref_set_max(const struct svc *s, const struct ref_entry *e)
{
	int most = -1;
	uint64_t moh = 0, doh;
	int32_t mw = 0, dw;

	for (int i = 0; i < e->n; i++) {
		struct dest *d = dest_n(s, e->rip[i]);

		dw = d != NULL ? d->conf.weight : snap_w[e->rip[i]];
		doh = d != NULL ? ref_conn_overhead(d) : snap_oh[e->rip[i]];
		if (dw <= 0)
			continue;
		if (most < 0 || moh * (uint64_t)dw < doh * (uint64_t)mw) {
			most = i;
			moh = doh;
			mw = dw;
		}
	}
	return most;
}

/* ip_vs_lblcr_schedule */
static struct dest *
ref_lblcr(const struct svc *s, int v)
{
	struct ref_entry *e = &ref_cache[v];
	struct dest *d;
	int i;

	if (!e->used) {
		if ((d = ref_wlc(s)) == NULL)
			return NULL;
		ref_new_entry(e, d);
		return d;
	}
	e->lastuse = ref_timer.now;
	d = ref_set_min(s, e);
	if (e->n > 1 && (int64_t)ref_timer.now > (int64_t)e->lastmod + 86400 &&
	    (i = ref_set_max(s, e)) >= 0) {
		memmove(&e->rip[i], &e->rip[i + 1],
		    (size_t)(e->n - i - 1) * sizeof(int));
		e->n--;
		e->lastmod = ref_timer.now;
		ref_shrinks++;
	}
	if (d != NULL) {
		if (!ref_lblc_overloaded(d, s))
			return d;
		ref_repicks++;
	}
	if ((d = ref_wlc(s)) == NULL)
		return NULL;
	/* ip_vs_dest_set_insert(check): at the head unless a member */
	for (i = 0; i < e->n && e->rip[i] != dest_num(d); i++)
		;
	if (i == e->n) {
		memmove(&e->rip[1], &e->rip[0], (size_t)e->n * sizeof(int));
		e->rip[0] = dest_num(d);
		e->n++;
		e->lastmod = ref_timer.now;
	}
	return d;
}

/* ------------------------------------------------------- decisions */

static unsigned long swaps, overflows;
static const char *run_sched;	/* the scheduler of the run */
static unsigned long mine;	/* decisions it made */

static struct conn_key
next_key(int v)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	k.caddr.in.s_addr = htonl(0xc6130000u + (next_client >> 14));
	k.cport = htons((uint16_t)(1024 + (next_client & 0x3fff)));
	next_client++;
	k.vaddr.in.s_addr = htonl(0xc612ff01u + (uint32_t)v);
	k.vport = htons(VPORT);
	return k;
}

/* The walk's first choice for ref_x's next draw (was choice2 taken?) */
static struct dest *
ref_twos_first(const struct svc *s)
{
	uint64_t total = 0, r;
	uint32_t i;

	for (i = 0; i < s->ndests; i++)
		if (dest_usable(s->dests[i]) && s->dests[i]->conf.weight > 0)
			total += (uint64_t)s->dests[i]->conf.weight;
	if (total == 0)
		return NULL;
	r = ref_draw(NULL) % (total + 1);
	for (i = 0; i < s->ndests; i++) {
		struct dest *x = s->dests[i];

		if (!dest_usable(x) || x->conf.weight <= 0)
			continue;
		if (r <= (uint64_t)x->conf.weight)
			return x;
		r -= (uint64_t)x->conf.weight;
	}
	return NULL;
}

/* The scheduler's pick for key k (destination IP index v), compared with
 * the reference's. */
static struct dest *
decide(struct svc *s, const struct conn_key *k, int v)
{
	const char *name = s->sched->name;
	struct dest *d, *want;

	if (strcmp(name, "twos") == 0) {
		uint64_t seed = rnd64() | 1;

		sched_twos_seed(s, seed);
		d = s->sched->schedule(s, k);
		ref_x = seed;
		want = ref_twos(s, ref_draw, NULL);
		ref_x = seed;
		swaps += want != ref_twos_first(s);
	} else if (strcmp(name, "lblc") == 0) {
		d = s->sched->schedule(s, k);
		want = ref_lblc(s, v);
	} else if (strcmp(name, "lblcr") == 0) {
		d = s->sched->schedule(s, k);
		want = ref_lblcr(s, v);
	} else {
		d = s->sched->schedule(s, k);
		want = ref_find(name)(s);
		if (strcmp(name, "ovf") == 0)
			overflows += want != ref_fo(s);
	}
	compared++;
	mine += strcmp(name, run_sched) == 0;
	if (d != want && ++mismatches <= 10)
		printf("# %s: picked %d, the reference %d (decision %lu)\n",
		    name, d ? dest_num(d) : 0, want ? dest_num(want) : 0,
		    compared);
	return d;
}

/* what arp.c does when a real server answers (or stops answering), or an
 * overload set by hand: the scheduler is told */
static void
set_flag(struct dest *d, uint32_t flag, int on)
{
	if (on)
		d->flags |= flag;
	else
		d->flags &= ~flag;
	sched_dest_load_changed(d);
}

static void
add(int n, int weight, uint32_t u_threshold)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, VPORT, NULL, RIP0 + n,
	    weight);

	r.dest.u_threshold = u_threshold;
	fx_apply(&T, DRLB_CTL_ADD_DEST, &r);
}

/* the once-a-second tick: the scheduler's and the reference's timers */
static void
tick(struct svc *s, uint32_t t)
{
	if (s->sched->tick != NULL)
		s->sched->tick(s, t);
	ref_tick(t);
}

/* -E -s: a new scheduler takes the service; lblc(r)'s cache starts empty */
static void
switch_to(struct svc *s, const char *name)
{
	const struct sched_ops *old = s->sched;

	fx_svc(&T, DRLB_CTL_EDIT_SVC, VPORT, name);
	if (s->sched != old)
		ref_cache_reset();
}

#define KEYS 4096

static void
random_run(const char *sched, uint64_t seed, int steps, int max_dest)
{
	static const char *const names[] = { "fo", "ovf", "twos", "lblc",
	    "lblcr", "wlc", "lc" };
	static struct conn_key keys[KEYS];
	static const uint8_t tflags[] = { CONN_TCP_ACK, CONN_TCP_ACK,
	    CONN_TCP_FIN, CONN_TCP_SYN, CONN_TCP_RST };
	unsigned long before = mismatches, cmp0 = compared;
	unsigned long picked = 0, nulls = 0, trashed = 0;
	struct drlb_timeouts tm = { 30, 5, 300 };
	uint32_t nkeys = 0;
	char what[200];
	struct svc *s;
	int i;

	rng_state = seed;
	swaps = overflows = ref_repicks = ref_shrinks = ref_expired = mine = 0;
	run_sched = sched;
	big_run = max_dest > 40;
	teardown();
	svc_table_init(&T);
	CT = conn_table_create(1u << 17);
	conn_set_timeouts(CT, &tm);
	fx_svc(&T, DRLB_CTL_ADD_SVC, VPORT, sched);
	s = the_svc();
	ref_cache_reset();
	for (i = 1; i <= max_dest / 2; i++) {
		add(i, rand_weight(), 0);
		if (rnd(8) != 0)
			set_flag(dest_n(s, i), DEST_F_NOMAC, 0);
	}
	for (i = 0; i < steps; i++) {
		uint32_t ev = rnd(1000);
		int v = (int)rnd(NVADDR);
		struct conn_key k = next_key(v);
		struct dest *d;

		if (ev < 450) {
			/* a new connection where the scheduler says */
			struct conn *c;

			if ((d = decide(s, &k, v)) == NULL) {
				nulls++;
				continue;
			}
			picked++;
			/* the table keys a DR connection by its service's VIP
			 * (lblc(r) looked at the destination IP only) */
			k.vaddr.in.s_addr = fx_ip4("198.18.0.1");
			if ((c = conn_insert(CT, &k, d, now)) == NULL)
				continue;
			keys[nkeys++ % KEYS] = k;
			conn_seen(CT, c, CONN_TCP_SYN, now);
			if (rnd(4) != 0)
				conn_seen(CT, c, CONN_TCP_ACK, now);
			continue;	/* that was the decision */
		} else if (ev < 650) {
			/* a frame of a recent connection: state moves */
			struct conn *c;

			if (nkeys == 0)
				continue;
			c = conn_lookup(CT, &keys[(nkeys - 1 -
			    rnd(nkeys < 512 ? nkeys : 512)) % KEYS]);
			if (c == NULL)
				continue;
			if (c->dest != NULL &&
			    !(c->dest->flags & DEST_F_AVAILABLE))
				trashed++;
			conn_seen(CT, c, tflags[rnd(sizeof(tflags))], now);
		} else if (ev < 720) {
			now += 1 + rnd(3);
			conn_expire(CT, &T, now, 1u << 20);
			tick(s, now);
		} else if (ev < 770 && s->ndests > 0) {
			/* weight and thresholds edited (-e) */
			struct drlb_ctl_req r;

			d = s->dests[rnd(s->ndests)];
			r = fx_req(IPPROTO_TCP, VPORT, NULL, RIP0 + dest_num(d),
			    rand_weight());
			if (rnd(3) == 0) {
				r.dest.u_threshold = 2 + rnd(30);
				r.dest.l_threshold = rnd(2) ?
				    rnd(r.dest.u_threshold) : 0;
			}
			fx_apply(&T, DRLB_CTL_EDIT_DEST, &r);
		} else if (ev < 800) {
			/* a dest added (maybe back from the trash) */
			int n = 1 + (int)rnd((uint32_t)max_dest);

			if (dest_n(s, n) == NULL) {
				add(n, rand_weight(), rnd(4) == 0 ?
				    2 + rnd(30) : 0);
				if (rnd(4) != 0)
					set_flag(dest_n(s, n), DEST_F_NOMAC, 0);
			}
		} else if (ev < 825 && s->ndests > 0) {
			d = s->dests[rnd(s->ndests)];
			/* what lblcr's set_max keeps of a removed member */
			snap_w[dest_num(d)] = d->conf.weight;
			snap_oh[dest_num(d)] = ref_conn_overhead(d);
			fx_dest(&T, DRLB_CTL_DEL_DEST, VPORT,
			    RIP0 + dest_num(d), 0);
		} else if (ev < 830) {
			/* a day passes: one timer run (lblcr's sets unchanged
			 * for 24 h shrink), or 31 (a full check: entries
			 * unused for 24 h expire) */
			int runs = rnd(2) ? 1 : 31;

			now += 86400 + rnd(7200);
			for (int r = 0; r < runs; r++) {
				now += 60;
				tick(s, now);
			}
			conn_expire(CT, &T, now, 1u << 20);
		} else if (ev < 995 && s->ndests > 0) {
			/* MAC lost / learnt, or overloaded by hand */
			d = s->dests[rnd(s->ndests)];
			set_flag(d, rnd(2) ? DEST_F_NOMAC : DEST_F_OVERLOAD,
			    (int)rnd(2));
		} else if (ev >= 995) {
			/* -E: another scheduler, often back to this one */
			switch_to(s, rnd(4) ? sched : names[rnd(7)]);
		}
		/* after every event, not only before a new connection */
		k = next_key(v);
		(void)decide(s, &k, v);
	}
	snprintf(what, sizeof(what), "%s: seed %#llx, %d events, up to %d "
	    "dests: %lu decisions (%lu picks, %lu none, %lu frames of "
	    "removed dests) equal the reference", sched,
	    (unsigned long long)seed, steps, max_dest, compared - cmp0,
	    picked, nulls, trashed);
	EXPECT_EQ(mismatches - before, 0, what);
	EXPECT(picked > (unsigned long)steps / 5 && (big_run || nulls > 0),
	    big_run ? "the run picked" :
	    "the run both picked and found none available");
	if (!big_run)
		EXPECT(trashed > 0, "the run moved connections of removed "
		    "dests (load changes the index ignores)");
	EXPECT(mine > (compared - cmp0) / 2,
	    "most decisions were the scheduler's own");
	if (strcmp(sched, "twos") == 0) {
		printf("# twos: the second choice won %lu times\n", swaps);
		EXPECT(swaps > 100, "twos: the second choice won often");
	} else if (strcmp(sched, "ovf") == 0) {
		printf("# ovf: %lu decisions overflowed\n", overflows);
		EXPECT(overflows > 100,
		    "ovf: the highest weight overflowed often");
	} else if (strncmp(sched, "lblc", 4) == 0) {
		printf("# %s: %lu re-picks of an overloaded cached dest\n",
		    sched, ref_repicks);
		EXPECT(ref_repicks > 100, "is_overloaded re-picked often");
		printf("# %s: %lu entries expired, %lu sets shrunk\n", sched,
		    ref_expired, ref_shrinks);
		EXPECT(ref_expired > 0 && (sched[4] != 'r' || ref_shrinks > 0),
		    "entries expired (and lblcr's sets shrank)");
	}
}

/* ------------------------------------------------------- by hand */

/* The index's edges, each pinned by hand: ties at the root's two halves,
 * a sole eligible dest at the last position, twos's r = 0 and r = total. */
static void
test_edges(void)
{
	struct svc *s;
	int i;

	teardown();
	svc_table_init(&T);
	fx_svc(&T, DRLB_CTL_ADD_SVC, VPORT, "fo");
	s = the_svc();
	/* 5 dests (8 leaves, 3 empty): list 5 4 3 2 1 */
	for (i = 1; i <= 5; i++) {
		add(i, i == 1 || i == 5 ? 9 : 3, 0);
		set_flag(dest_n(s, i), DEST_F_NOMAC, 0);
	}
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 5,
	    "fo: weight 9 at both ends of the list: the first");
	set_flag(dest_n(s, 5), DEST_F_OVERLOAD, 1);
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 1,
	    "fo: the first overloaded: the last position");
	set_flag(dest_n(s, 1), DEST_F_NOMAC, 1);
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 4,
	    "fo: both gone: the first of the weight-3 ties");
	fx_dest(&T, DRLB_CTL_EDIT_DEST, VPORT, RIP0 + 2, 4);
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 2,
	    "fo: an edit raises one above the ties");

	switch_to(s, "ovf");
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 2,
	    "ovf: handed the same list, the same pick");
	dest_n(s, 2)->activeconns = 4;		/* == weight: still takes */
	sched_dest_load_changed(dest_n(s, 2));
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 2,
	    "ovf: activeconns == weight still takes one");
	dest_n(s, 2)->activeconns = 5;
	sched_dest_load_changed(dest_n(s, 2));
	EXPECT_EQ(dest_num(s->sched->schedule(s, NULL)), 4,
	    "ovf: activeconns > weight: the next (first of the ties)");
	dest_n(s, 2)->activeconns = 0;
	sched_dest_load_changed(dest_n(s, 2));

	/* twos: list 5 (overloaded) 4:3 3:3 2:7 1 (no MAC), total 13, r in
	 * 0 .. 13: 0 .. 3 -> 4 (r = 0 stops at the first eligible), 4 .. 6
	 * -> 3, 7 .. 13 -> 2 */
	switch_to(s, "twos");
	fx_dest(&T, DRLB_CTL_EDIT_DEST, VPORT, RIP0 + 2, 7);
	{
		static const int want[14] = { 4, 4, 4, 4, 3, 3, 3, 2, 2, 2,
		    2, 2, 2, 2 };
		int bad = 0;

		for (uint64_t seed = 1; seed < 3000; seed++) {
			uint32_t r;
			struct dest *d;

			sched_twos_seed(s, seed);
			ref_x = seed;
			r = ref_draw(NULL) % 14;
			(void)ref_draw(NULL);
			/* no load anywhere: choice2 never wins */
			d = s->sched->schedule(s, NULL);
			bad += d == NULL || dest_num(d) != want[r];
		}
		EXPECT_EQ(bad, 0, "twos: r = 0 .. total map to the dests "
		    "IPVS's walk stops at");
	}
	teardown();
}

int
main(void)
{
	static const struct {
		const char *name;
		uint64_t seed;
	} runs[] = {
		{ "fo", 0xf0f0f0f05eedull },
		{ "ovf", 0x0f0f0f0f5eedull },
		{ "twos", 0x2525252525edull },
		{ "lblc", 0x1b1c1b1c5eedull },
		{ "lblcr", 0x1b1c71b15eedull },
	};

	test_edges();
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		random_run(runs[i].name, runs[i].seed, 200000, 40);
		random_run(runs[i].name, runs[i].seed ^ 0xb16, 20000,
		    MAX_DEST_BIG);
	}
	printf("# %lu decisions compared in all\n", compared);
	EXPECT_EQ(mismatches, 0, "every decision equals the reference's");
	teardown();
	return EXPECT_DONE();
}
