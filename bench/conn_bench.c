/*
 * conn_bench — throughput of the connection table (conn.c) against a
 * baseline measured in the same run: a plain open-addressing array (linear
 * probing, keys stored inline, twice the slots, no expiry, no accounting)
 * probed with the same keys in the same order.  The machine is shared and
 * noisy, so the ratios are what to read; each figure is the best of
 * `rounds` runs.
 *
 *   conn_bench [entries] [rounds]      (default 1048576 entries, 3 rounds)
 *
 * Measured: inserts into an empty table up to `entries` (its bound),
 * lookups that hit (shuffled order), lookups that miss, and expiry of all
 * entries (conn_expire in slices of 65536); bytes per entry.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svc.h"
#include "conn.h"
#include "sched.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: reproducible key order */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* ---------------------------------------------------------- baseline */

struct base_slot {
	struct conn_key key;
	uint32_t used;
	void *val;
};

struct base {
	struct base_slot *slots;
	uint32_t mask;
};

static uint32_t
base_hash(const struct conn_key *k)
{
	uint64_t h = ((uint64_t)k->caddr.in.s_addr << 32) ^
	    k->vaddr.in.s_addr ^ ((uint64_t)k->cport << 16) ^ k->vport ^
	    ((uint64_t)k->protocol << 40);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static int
base_eq(const struct conn_key *a, const struct conn_key *b)
{
	return a->caddr.in.s_addr == b->caddr.in.s_addr &&
	    a->vaddr.in.s_addr == b->vaddr.in.s_addr &&
	    a->cport == b->cport && a->vport == b->vport &&
	    a->protocol == b->protocol && a->af == b->af;
}

static void
base_insert(struct base *b, const struct conn_key *k, void *v)
{
	uint32_t i = base_hash(k) & b->mask;

	while (b->slots[i].used)
		i = (i + 1) & b->mask;
	b->slots[i].key = *k;
	b->slots[i].val = v;
	b->slots[i].used = 1;
}

static void *
base_lookup(struct base *b, const struct conn_key *k)
{
	uint32_t i = base_hash(k) & b->mask;

	while (b->slots[i].used) {
		if (base_eq(&b->slots[i].key, k))
			return b->slots[i].val;
		i = (i + 1) & b->mask;
	}
	return NULL;
}

/* ---------------------------------------------------------- run */

struct fig {
	double drlb, base;	/* operations per second, best round */
};

static void
best(double *cur, double v)
{
	if (v > *cur)
		*cur = v;
}

static void
report(const char *what, const struct fig *f)
{
	printf("%-24s %10.2f M/s %10.2f M/s %8.2f\n", what, f->drlb / 1e6,
	    f->base / 1e6, f->drlb / f->base);
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) :
	    CONN_MAX_DEFAULT;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	struct conn_key *keys, *miss;
	uint32_t *order, i, r;
	struct svc_table st;
	struct drlb_ctl_req req;
	struct dest *d;
	struct fig ins = {0, 0}, hit = {0, 0}, mis = {0, 0}, exp = {0, 0};
	uintptr_t sink = 0;
	size_t base_bytes = 0, drlb_bytes = 0;
	double t0, t1;

	if (n < 16 || rounds < 1) {
		fprintf(stderr, "usage: conn_bench [entries>=16] [rounds>=1]\n");
		return 2;
	}

	/* one service, one real server */
	svc_table_init(&st);
	memset(&req, 0, sizeof(req));
	req.svc.af = AF_INET;
	req.svc.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "192.0.2.1", &req.svc.addr.in);
	req.svc.port = 80;
	strcpy(req.svc.sched_name, "wlc");
	if (svc_apply(&st, DRLB_CTL_ADD_SVC, &req, NULL, 0) != 0)
		return 1;
	req.dest.af = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", &req.dest.addr.in);
	req.dest.weight = 1;
	if (svc_apply(&st, DRLB_CTL_ADD_DEST, &req, NULL, 0) != 0)
		return 1;
	d = st.head->dests[0];

	/* n distinct keys: client IP and port from the index, order shuffled */
	keys = calloc(n, sizeof(*keys));
	miss = calloc(n, sizeof(*miss));
	order = calloc(n, sizeof(*order));
	if (keys == NULL || miss == NULL || order == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		struct conn_key *k = &keys[i];
		k->af = AF_INET;
		k->protocol = IPPROTO_TCP;
		k->caddr.in.s_addr = htonl(0x0a000000u | (i / 60000) << 8 |
		    (uint32_t)(rnd() & 0xff));
		k->cport = htons((uint16_t)(1024 + i % 60000));
		k->vaddr = req.svc.addr;
		k->vport = htons(80);
		miss[i] = *k;
		miss[i].vport = htons(443);	/* never inserted */
		order[i] = i;
	}
	for (i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rnd() % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}

	for (r = 0; r < (uint32_t)rounds; r++) {
		struct conn_table *ct = conn_table_create(n);
		struct base b;
		uint32_t nb, removed, now;

		if (ct == NULL)
			return 1;
		for (nb = 1; nb < 2 * n; nb <<= 1)
			;
		b.mask = nb - 1;
		b.slots = calloc(nb, sizeof(*b.slots));
		if (b.slots == NULL)
			return 1;
		/* fault the baseline's pages in too, as conn_table_create does */
		memset(b.slots, 0, (size_t)nb * sizeof(*b.slots));
		base_bytes = (size_t)nb * sizeof(*b.slots);
		drlb_bytes = conn_table_bytes(ct);

		/* inserts (the table's full bound) */
		t0 = now_s();
		for (i = 0; i < n; i++)
			sink += (uintptr_t)conn_insert(ct, &keys[i], d, 1000);
		t1 = now_s();
		best(&ins.drlb, n / (t1 - t0));
		t0 = now_s();
		for (i = 0; i < n; i++)
			base_insert(&b, &keys[i], d);
		t1 = now_s();
		best(&ins.base, n / (t1 - t0));

		/* hits, shuffled */
		t0 = now_s();
		for (i = 0; i < n; i++)
			sink += (uintptr_t)conn_lookup(ct, &keys[order[i]]);
		t1 = now_s();
		best(&hit.drlb, n / (t1 - t0));
		t0 = now_s();
		for (i = 0; i < n; i++)
			sink += (uintptr_t)base_lookup(&b, &keys[order[i]]);
		t1 = now_s();
		best(&hit.base, n / (t1 - t0));

		/* misses */
		t0 = now_s();
		for (i = 0; i < n; i++)
			sink += (uintptr_t)conn_lookup(ct, &miss[order[i]]);
		t1 = now_s();
		best(&mis.drlb, n / (t1 - t0));
		t0 = now_s();
		for (i = 0; i < n; i++)
			sink += (uintptr_t)base_lookup(&b, &miss[order[i]]);
		t1 = now_s();
		best(&mis.base, n / (t1 - t0));

		/* expiry of everything (NONE: 2 s), in slices as the daemon
		 * would call it; the baseline is a sweep that clears each slot
		 * (what a table without a wheel would have to do) */
		t0 = now_s();
		removed = 0;
		for (now = 1000; removed < n; now++) {
			uint32_t got;
			while ((got = conn_expire(ct, &st, now, 65536)) > 0)
				removed += got;
		}
		t1 = now_s();
		best(&exp.drlb, n / (t1 - t0));
		if (conn_count(ct) != 0 || d->inactconns != 0) {
			fprintf(stderr, "expiry left %u conns\n", conn_count(ct));
			return 1;
		}
		t0 = now_s();
		for (i = 0; i <= b.mask; i++)
			if (b.slots[i].used) {
				sink += (uintptr_t)b.slots[i].val;
				b.slots[i].used = 0;
			}
		t1 = now_s();
		best(&exp.base, n / (t1 - t0));

		free(b.slots);
		conn_table_destroy(ct);
	}

	printf("conn_bench: %u entries, best of %d rounds (ops/s)\n", n, rounds);
	printf("%-24s %14s %14s %8s\n", "", "drlb", "baseline", "ratio");
	report("insert", &ins);
	report("lookup hit (shuffled)", &hit);
	report("lookup miss", &mis);
	report("expire", &exp);
	printf("%-24s %10.1f B   %10.1f B   %8.2f\n", "bytes per entry",
	    (double)drlb_bytes / n, (double)base_bytes / n,
	    (double)drlb_bytes / (double)base_bytes);
	printf("(baseline: open addressing, linear probe, %zu-byte inline slots, "
	    "load 0.5, no expiry or accounting; its \"expire\" is a sweep)\n",
	    sizeof(struct base_slot));
	printf("# sink %lu\n", (unsigned long)(sink & 0xff));
	svc_table_free(&st);
	free(keys);
	free(miss);
	free(order);
	return 0;
}
