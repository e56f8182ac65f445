/*
 * sched_bench — the cost of one scheduling decision, for every registered
 * scheduler, with 2 .. 10000 dests whose counters move between decisions
 * the way the daemon moves them.
 *
 *   sched_bench [rounds [max_dests [sched ...]]]
 *
 * (default 3 rounds, 10000 dests, every scheduler; "mh" also runs as
 * "mh/131071", mh over a 131071-slot table, which 10000 dests need: IPVS's
 * 4093 slots take at most 4093).
 *
 * Every decision is followed by what the data path does with it: a
 * connection inserted on the pick (inactive), its SYN and ACK
 * (ESTABLISHED: active), a FIN for one in four (inactive again); the clock
 * ticks every 64 decisions and conn_expire() removes what is due.  The
 * timeouts are set so that a dest holds about 8 connections in steady
 * state whatever the number of dests, and a warm-up of 10 x dests
 * decisions (round robin by position, untimed) reaches that state first.
 * So every decision sees 2-3 counter changes and about one expiry, each of
 * which calls the scheduler's dest_load_changed hook.
 *
 * Three loops over the same decisions, each from a freshly built state:
 *   sched   the scheduler's own schedule() plus its hooks
 *   replay  the same picks replayed from the sched loop with the hooks
 *           switched off: the connection-table work alone
 *   scan    lc/wlc/sed/nq/fo/ovf only: IPVS's O(n) scan
 *           (tests/unit/sched_ref.h) instead of schedule(), hooks off
 * A decision's cost is (loop - replay) / decisions: what the scheduler adds
 * to the data path, index upkeep included.  Each loop is the best of
 * `rounds`; ratios are to rr with as many dests, measured in the same run
 * (the machine is shared and noisy).  No figure here is asserted anywhere.
 *
 * Then, for mh, what one change of the rules (an -e of one weight) costs:
 * the table's rebuild, at each table size and number of dests; and what
 * loading 1000 or 10000 dests one -a at a time costs, the table built
 * after each or once.
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544's benchmarking range): the
 * VIP 198.18.0.1, dests 198.19.x.y, clients 198.18.x.y.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"
#include "sched_ref.h"

#define VPORT		80
#define TICK_EVERY	64	/* decisions per clock second */
#define PER_DEST	8	/* live connections per dest in steady state */
/* below this, (loop - replay) is within the run-to-run noise of ~50-150 ns
 * loops on this kind of machine: no ratio is printed against it */
#define NOISE_NS	10.0

static const char *const scheds[] = {
	"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos",
	"dh", "sh", "mh", "mh/131071", "lblc", "lblcr",
};
static const uint32_t sizes[] = { 2, 10, 100, 1000, 10000 };

enum loop { L_SCHED, L_REPLAY, L_SCAN };

struct env {
	struct svc_table st;
	struct conn_table *ct;
	struct svc *svc;
	const struct sched_ops *real;	/* the service's scheduler */
	struct sched_ops nohooks;	/* the same with no hooks */
	uint32_t now;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
die(const char *what)
{
	fprintf(stderr, "sched_bench: %s\n", what);
	exit(1);
}

static char apply_err[DRLB_CTL_ERRMSG_MAX];

static int
apply(struct env *e, uint16_t op, const struct drlb_ctl_req *r)
{
	return svc_apply(&e->st, op, r, apply_err, sizeof(apply_err)) == 0 ?
	    0 : -1;
}

static void env_free(struct env *e);

/* "mh/131071": the scheduler's name, and the mh table size it asks for
 * (0: none); name points into a static buffer */
static const char *
sched_name(const char *spec, uint32_t *mh_size)
{
	static char name[DRLB_SCHED_NAME_MAX];
	const char *slash = strchr(spec, '/');

	*mh_size = slash != NULL ? (uint32_t)atol(slash + 1) : 0;
	snprintf(name, sizeof(name), "%.*s", slash != NULL ?
	    (int)(slash - spec) : (int)strlen(spec), spec);
	return name;
}

/* n dests of weights 1..10 (the same for every run), MACs learnt, then the
 * scheduler; the dests go in under rr so the scheduler is built once.
 * -1 (apply_err says why) when the scheduler refuses the service. */
static int
env_init(struct env *e, const char *spec, uint32_t n)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, VPORT, "rr", 0, 0);
	struct drlb_timeouts tm;
	uint32_t i, mh_size;
	const char *sched = sched_name(spec, &mh_size);

	memset(e, 0, sizeof(*e));
	svc_table_init(&e->st);
	if ((e->ct = conn_table_create(2 * PER_DEST * n + 4096)) == NULL)
		die("conn_table_create");
	/* lifetime ~ PER_DEST * n decisions: ESTABLISHED lasts tcp seconds
	 * of TICK_EVERY decisions each; FIN_WAIT a quarter of that */
	tm.tcp = (PER_DEST * n + TICK_EVERY - 1) / TICK_EVERY;
	tm.tcp_fin = tm.tcp / 4 + 1;
	tm.udp = 300;
	conn_set_timeouts(e->ct, &tm);
	e->now = 1000;
	if (apply(e, DRLB_CTL_ADD_SVC, &r) != 0)
		die(apply_err);
	for (i = 0; i < n; i++) {
		r.dest.af = AF_INET;
		r.dest.addr.in.s_addr = htonl(0xc6130000 + 1 + i);
		r.dest.port = VPORT;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
		r.dest.weight = 1 + (int)((i * 2654435761u) >> 16) % 10;
		if (apply(e, DRLB_CTL_ADD_DEST, &r) != 0)
			die(apply_err);
	}
	e->svc = e->st.head;
	for (i = 0; i < n; i++)
		fx_resolve(e->svc->dests[i], NULL);
	if (strcmp(sched, "rr") != 0) {
		r = fx_req(IPPROTO_TCP, VPORT, sched, 0, 0);
		if (mh_size != 0 && sched_mh_set_table_size(mh_size) != 0)
			die("bad mh table size");
		i = (uint32_t)apply(e, DRLB_CTL_EDIT_SVC, &r);
		sched_mh_set_table_size(SCHED_MH_TAB_DEFAULT);
		if (i != 0) {
			e->real = e->svc->sched;
			env_free(e);
			return -1;
		}
	}
	e->real = e->svc->sched;
	e->nohooks = *e->real;
	e->nohooks.dest_load_changed = NULL;
	e->nohooks.dest_changed = NULL;
	e->nohooks.tick = NULL;
	return 0;
}

static void
env_free(struct env *e)
{
	e->svc->sched = e->real;
	conn_flush(e->ct, &e->st);
	conn_table_destroy(e->ct);
	svc_table_free(&e->st);
}

static struct conn_key
key_of(uint64_t i)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	k.caddr.in.s_addr = htonl(0xc6120000 + (uint32_t)(i % 131072));
	k.cport = htons((uint16_t)(1024 + (i / 131072) % 60000));
	k.vaddr.in.s_addr = htonl(0xc6120001);
	k.vport = htons(VPORT);
	return k;
}

/* The data path's work after a decision for connection i. */
static inline void
after(struct env *e, uint64_t i, const struct conn_key *k, struct dest *d)
{
	struct conn *c;

	if (i % TICK_EVERY == 0) {
		e->now++;
		conn_expire(e->ct, &e->st, e->now, 1u << 20);
	}
	if (d == NULL || (c = conn_insert(e->ct, k, d, e->now)) == NULL)
		return;
	conn_seen(e->ct, c, CONN_TCP_SYN, e->now);
	conn_seen(e->ct, c, CONN_TCP_ACK, e->now);
	if (i % 4 == 0)
		conn_seen(e->ct, c, CONN_TCP_FIN, e->now);
}

/*
 * One loop of `dec` decisions after the warm-up; returns seconds.  L_SCHED
 * records each pick's list position in rec (-1: none), L_REPLAY replays
 * them, L_SCAN compares its picks with them and counts the differences.
 */
static double
run(const char *sched, uint32_t n, enum loop mode, uint32_t dec,
    int32_t *rec, unsigned long *diff)
{
	uint32_t mh_size;
	struct dest *(*scan)(const struct svc *) =
	    ref_find(sched_name(sched, &mh_size));
	struct env e;
	uint64_t i, warm = 10ull * n + 16 * TICK_EVERY;
	struct dest **pk = NULL;
	double t0, t;

	if (env_init(&e, sched, n) != 0)
		return -1.0;
	if (mode == L_SCHED && (pk = malloc(dec * sizeof(*pk))) == NULL)
		die("malloc");
	if (mode != L_SCHED)
		e.svc->sched = &e.nohooks;
	for (i = 0; i < warm; i++) {
		struct conn_key k = key_of(i);

		after(&e, i, &k, e.svc->dests[i % n]);
	}
	t0 = now_s();
	for (; i < warm + dec; i++) {
		struct conn_key k = key_of(i);
		int32_t *r = &rec[i - warm];
		struct dest *d;

		switch (mode) {
		case L_SCHED:
			d = e.svc->sched->schedule(e.svc, &k);
			pk[i - warm] = d;
			break;
		case L_REPLAY:
			d = *r < 0 ? NULL : e.svc->dests[*r];
			break;
		default:
			d = scan(e.svc);
			if (d != (*r < 0 ? NULL : e.svc->dests[*r]))
				++*diff;
			break;
		}
		after(&e, i, &k, d);
	}
	t = now_s() - t0;
	if (mode == L_SCHED) {
		/* picks to list positions, untimed: dest i was added i-th,
		 * 198.19.0.0 + 1 + i, and the list is newest first */
		for (i = 0; i < dec; i++)
			rec[i] = pk[i] == NULL ? -1 : (int32_t)(n - 1 -
			    (ntohl(pk[i]->conf.addr.in.s_addr) - 0xc6130001));
		free(pk);
	}
	env_free(&e);
	return t;
}

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

/*
 * mh: ms per rebuild of its table, the work of one change of the rules
 * (an -e of one weight, back and forth) followed by a decision, which
 * builds the table, at table size m with n dests.  -1 when m cannot hold
 * n.
 */
static double
mh_rebuild_ms(uint32_t m, uint32_t n, int changes)
{
	struct conn_key k = key_of(0);
	char spec[32];
	struct drlb_ctl_req r;
	struct env e;
	double t0, t;

	snprintf(spec, sizeof(spec), "mh/%u", m);
	if (env_init(&e, spec, n) != 0)
		return -1.0;
	r = fx_req(IPPROTO_TCP, VPORT, NULL, 0, 0);
	r.dest.af = AF_INET;
	r.dest.addr = e.svc->dests[0]->conf.addr;
	r.dest.port = VPORT;
	r.dest.conn_flags = DRLB_FWD_DROUTE;
	t0 = now_s();
	for (int c = 0; c < changes; c++) {
		r.dest.weight = 11 + c % 2;
		if (apply(&e, DRLB_CTL_EDIT_DEST, &r) != 0)
			die(apply_err);
		(void)e.svc->sched->schedule(e.svc, &k);
	}
	t = now_s() - t0;
	env_free(&e);
	return t / changes * 1e3;
}

/*
 * mh: seconds to load n dests into a service that has mh from the start,
 * one -a at a time (a configuration read, a checker adding its real
 * servers), then decide once; with decide_each, a decision after every -a
 * as well (so the table is built n times).
 */
static double
mh_load_s(uint32_t m, uint32_t n, int decide_each)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, VPORT, "mh", 0, 0);
	struct conn_key k = key_of(0);
	struct svc_table st;
	struct svc *svc;
	double t0, t;

	svc_table_init(&st);
	if (sched_mh_set_table_size(m) != 0 ||
	    svc_apply(&st, DRLB_CTL_ADD_SVC, &r, apply_err,
	    sizeof(apply_err)) != 0)
		die("mh service");
	sched_mh_set_table_size(SCHED_MH_TAB_DEFAULT);
	svc = st.head;
	t0 = now_s();
	for (uint32_t i = 0; i < n; i++) {
		r.dest.af = AF_INET;
		r.dest.addr.in.s_addr = htonl(0xc6130000 + 1 + i);
		r.dest.port = VPORT;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
		r.dest.weight = 1 + (int)((i * 2654435761u) >> 16) % 10;
		if (svc_apply(&st, DRLB_CTL_ADD_DEST, &r, apply_err,
		    sizeof(apply_err)) != 0)
			die(apply_err);
		if (decide_each)
			(void)svc->sched->schedule(svc, &k);
	}
	(void)svc->sched->schedule(svc, &k);
	t = now_s() - t0;
	svc_table_free(&st);
	return t;
}

int
main(int argc, char **argv)
{
	static const uint32_t mh_sizes[] = { 4093, 131071, 1048573 };
	static const uint32_t mh_dests[] = { 10, 1000, 4093, 10000 };
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	uint32_t max_dests = argc > 2 ? (uint32_t)atoi(argv[2]) : 10000;
	const char *const *list = scheds;
	size_t nlist = sizeof(scheds) / sizeof(scheds[0]);
	double rr_ns[sizeof(sizes) / sizeof(sizes[0])] = { 0 };
	int rr_run[sizeof(sizes) / sizeof(sizes[0])] = { 0 };
	int mh_seen = 0;

	if (rounds < 1)
		rounds = 1;
	if (argc > 3) {
		list = (const char *const *)&argv[3];
		nlist = (size_t)(argc - 3);
	}
	printf("sched_bench: ns per decision (schedule + its hooks, minus the same\n"
	    "connection work replayed without them), best of %d rounds; x rr: ratio\n"
	    "to rr with as many dests; scan: IPVS's O(n) loop in place of the index\n\n",
	    rounds);
	printf("%-9s %6s %8s %12s %9s %12s %11s %10s\n", "sched", "dests",
	    "decis.", "ns/decision", "x rr", "scan ns/dec", "scan/index",
	    "loop ns");
	for (size_t s = 0; s < nlist; s++) {
		const char *spec = list[s];
		uint32_t mh_size;
		const char *name = sched_name(spec, &mh_size);
		int has_scan = ref_find(name) != NULL;

		if (sched_find(name) == NULL) {
			printf("%-9s (not registered: skipped)\n", spec);
			continue;
		}
		mh_seen |= strcmp(name, "mh") == 0;
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			uint32_t n = sizes[z];
			/* many decisions where they cost little against the
			 * ~50-150 ns of connection work; an O(n) scan at
			 * 10000 dests costs ~30 us a decision */
			uint32_t dec = n >= 10000 ? 100000 : n >= 1000 ?
			    200000 : 1000000;
			int32_t *rec;
			double ts = 1e30, tr = 1e30, tc = 1e30, ns, cns;
			unsigned long diff = 0;

			if (n > max_dests)
				break;
			if ((rec = malloc(dec * sizeof(*rec))) == NULL)
				die("malloc");
			if (run(spec, n, L_SCHED, 1, rec, NULL) < 0) {
				printf("%-9s %6u (the scheduler refuses: %s)\n",
				    spec, n, apply_err);
				free(rec);
				continue;
			}
			for (int r = 0; r < rounds; r++) {
				ts = min_d(ts, run(spec, n, L_SCHED, dec, rec,
				    NULL));
				tr = min_d(tr, run(spec, n, L_REPLAY, dec, rec,
				    NULL));
				if (has_scan)
					tc = min_d(tc, run(spec, n, L_SCAN, dec,
					    rec, &diff));
			}
			ns = (ts - tr) / dec * 1e9;
			if (strcmp(spec, "rr") == 0) {
				rr_ns[z] = ns;
				rr_run[z] = 1;
			}
			printf("%-9s %6u %8u %12.1f", spec, n, dec, ns);
			if (!rr_run[z])
				printf(" %9s", "-");
			else if (rr_ns[z] >= NOISE_NS)
				printf(" %9.2f", ns / rr_ns[z]);
			else
				printf(" %9s", "noise");
			if (has_scan) {
				cns = (tc - tr) / dec * 1e9;
				printf(" %12.1f", cns);
				if (ns >= NOISE_NS && cns >= NOISE_NS)
					printf(" %11.1f", cns / ns);
				else
					printf(" %11s", "noise");
			} else
				printf(" %12s %11s", "", "");
			printf(" %10.1f", tr / dec * 1e9);
			if (diff != 0)
				printf("  (%lu picks differ from the scan!)", diff);
			printf("\n");
			fflush(stdout);
			free(rec);
		}
	}
	if (!mh_seen)
		return 0;
	printf("\nmh: ms per change of the rules (one -e: the table rebuilt), "
	    "best of %d rounds of 8\n%-9s", rounds, "dests");
	for (size_t m = 0; m < sizeof(mh_sizes) / sizeof(mh_sizes[0]); m++)
		printf(" %9s%-7u", "M=", mh_sizes[m]);
	printf("\n");
	for (size_t z = 0; z < sizeof(mh_dests) / sizeof(mh_dests[0]); z++) {
		if (mh_dests[z] > max_dests)
			break;
		printf("%-9u", mh_dests[z]);
		for (size_t m = 0; m < sizeof(mh_sizes) / sizeof(mh_sizes[0]);
		    m++) {
			double best = 1e30, t = 0;

			for (int r = 0; r < rounds; r++) {
				t = mh_rebuild_ms(mh_sizes[m], mh_dests[z], 8);
				if (t < 0)
					break;
				best = min_d(best, t);
			}
			if (t < 0)
				printf(" %16s", "refused");
			else
				printf(" %16.3f", best);
		}
		printf("\n");
		fflush(stdout);
	}
	if (max_dests >= 10000) {
		printf("\nmh, M=131071: s to load dests one -a at a time, then "
		    "decide\n");
		printf("  1000 dests, a decision after each -a: %8.3f s\n",
		    mh_load_s(131071, 1000, 1));
		printf("  1000 dests, no decision in between:   %8.3f s\n",
		    mh_load_s(131071, 1000, 0));
		printf(" 10000 dests, no decision in between:   %8.3f s\n",
		    mh_load_s(131071, 10000, 0));
	}
	return 0;
}
