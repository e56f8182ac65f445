/*
 * Maglev Hashing (IPVS ip_vs_mh.c; Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * Each dest gets a preference list of the table's slots, a permutation
 * given by offset + j * skip (mod M, M prime); the table is filled by
 * letting the dests claim, in turns, their next preferred slot that is
 * still free.  A client address (+ port with mh-port) hashes to one slot.
 * When a dest goes or comes, mostly only its own slots change owner, so
 * most clients keep their real server.
 *
 * Everything is as in IPVS so that drlb and any 64-bit Linux director with
 * the same ipvsadm commands build the same table and send a client to the
 * same real server:
 *  - M = 4093 (primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with the default 12),
 *    or the prime drlbd's --mh-table-size gives (sched_mh_set_table_size):
 *    IPVS's other primes, 251 .. 131071, are those of kernels built with
 *    CONFIG_IP_VS_MH_TAB_INDEX 8 .. 17; IPVS refuses more dests than M;
 *  - offset and skip hash the dest's address + port with hsiphash under the
 *    kernel's fixed keys (generate_hash_secret), never a random seed;
 *  - turns per round = (last_weight / gcd) >> rshift, at least 1 for a
 *    non-zero weight; rshift keeps weight/gcd within IP_VS_MH_TAB_BITS bits,
 *    CONFIG_IP_VS_MH_TAB_INDEX / 2, which is fls(M) / 2 for each of IPVS's
 *    primes (each lies just below 2^index) and is taken so for any M;
 *  - dests are visited in svc->dests order, which is IPVS's list order
 *    (newest first): the order decides who wins a contested slot;
 *  - the weight used to build the table is IPVS's last_weight, the latest
 *    non-zero weight: quiescing a dest (-w 0) keeps its slots, and lookups
 *    that land there find it unavailable (NULL, or the next dest with
 *    mh-fallback) instead of reshuffling everyone.
 *
 * Unavailable = weight 0 or not dest_usable() (IPVS: weight <= 0 or
 * OVERLOAD; drlb's NOMAC, no known MAC, cannot be forwarded to either).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../sched.h"
#include "hsiphash.h"

_Static_assert(SCHED_MH_TAB_DEFAULT == 4093, "IPVS's IP_VS_MH_TAB_SIZE");

/* M for services that take mh from now on (--mh-table-size) */
static uint32_t mh_tab_size = SCHED_MH_TAB_DEFAULT;

/* generate_hash_secret(): the same on every director, on purpose */
static const struct hsiphash_key mh_hash1 = {{ 2654435761UL, 2654435761UL }};
static const struct hsiphash_key mh_hash2 = {{ 2654446892UL, 2654446892UL }};

struct mh_lw {
	struct dest *d;
	int32_t last_weight;	/* IPVS dest->last_weight */
};

struct mh_state {
	struct dest **lookup;	/* M slots */
	uint32_t m;		/* M, prime: IP_VS_MH_TAB_SIZE */
	int tab_bits;		/* IP_VS_MH_TAB_BITS */
	/* the list as of the last change, in its order, with last weights;
	 * only dests listed then (each still exists) */
	struct mh_lw *lw;
	uint32_t nlw;
	int gcd;
	int rshift;
	/*
	 * The list changed since the table was built: it is built before
	 * the next lookup, or at the next tick.  A run of changes (a
	 * configuration loaded, a checker adding its real servers) then
	 * costs one build, not one each.  The table is the one IPVS builds
	 * after each change: it depends only on lw, which every change
	 * brings up to date at once.
	 */
	bool stale;
};

/* Scratch for one populate: what IPVS keeps in ip_vs_mh_dest_setup. */
struct mh_setup {
	unsigned int offset;
	unsigned int skip;
	unsigned int perm;
	int turns;
};

/*
 * ip_vs_mh_hashkey: hsiphash of offset + port + address as one u32 (IPv6
 * addresses folded by xor), all in host order, wrapping.
 */
static unsigned int
mh_hashkey(uint16_t af, const union drlb_inaddr *addr, uint16_t port,
    const struct hsiphash_key *key, unsigned int offset)
{
	uint32_t a;

	if (af == AF_INET6) {
		uint32_t w[4];

		memcpy(w, addr->b, sizeof(w));
		a = ntohl(w[0] ^ w[1] ^ w[2] ^ w[3]);
	} else {
		uint32_t w;

		memcpy(&w, addr->b, sizeof(w));
		a = ntohl(w);
	}
	return hsiphash_1u32(offset + port + a, key);
}

static int
mh_gcd(int a, int b)
{
	while (b != 0) {
		int r = a % b;
		a = b;
		b = r;
	}
	return a;
}

static int32_t
mh_last_weight(const struct mh_state *s, uint32_t i)
{
	return s->lw[i].last_weight;
}

/* ip_vs_mh_gcd_weight over last_weight; 0 when no dest has one */
static int
mh_gcd_weight(const struct mh_state *s)
{
	int g = 0;

	for (uint32_t i = 0; i < s->nlw; i++) {
		int w = mh_last_weight(s, i);
		if (w > 0)
			g = g > 0 ? mh_gcd(w, g) : w;
	}
	return g;
}

static int
mh_fls(unsigned int x)
{
	int r = 0;

	while (x != 0) {
		r++;
		x >>= 1;
	}
	return r;
}

/* ip_vs_mh_shift_weight: keep max weight / gcd within IP_VS_MH_TAB_BITS bits */
static int
mh_shift_weight(const struct mh_state *s, int g)
{
	int mw = 0, shift;

	if (g < 1)
		return 0;
	for (uint32_t i = 0; i < s->nlw; i++)
		if (mh_last_weight(s, i) > mw)
			mw = mh_last_weight(s, i);
	shift = mh_fls((unsigned int)(mw / g)) - s->tab_bits;
	return shift >= 0 ? shift : 0;
}

static bool
mh_prime(uint32_t m)
{
	if (m < 2)
		return false;
	for (uint32_t q = 2; q <= m / q; q++)
		if (m % q == 0)
			return false;
	return true;
}

int
sched_mh_set_table_size(uint32_t m)
{
	if (m < SCHED_MH_TAB_MIN || m > SCHED_MH_TAB_MAX || !mh_prime(m))
		return -1;
	mh_tab_size = m;
	return 0;
}

/*
 * Bring last_weight up to date (IPVS __ip_vs_update_dest: set on add, and
 * on edit only when the new weight is not 0).  A dest not in the previous
 * list was just added (or revived from the trash, which IPVS also treats as
 * an add).  Each listed dest keeps its position in lw + 1 in
 * dest->sched_data, so finding it in the previous list is O(1): the
 * position is believed only where lw holds the very dest (a revived dest's
 * is stale, a new one's is NULL).
 *
 * Every dest of the previous lw still exists here: one this change removed
 * is freed only after it.  Returns 0, or -1 without memory: lw then keeps,
 * in place, its entries still listed, so it never holds a dest that may be
 * freed.
 */
static int
mh_update_last_weights(struct svc *svc, struct mh_state *s)
{
	struct mh_lw *nlw = NULL;
	uint32_t n = svc->ndests, i, k;

	if (n > 0 && (nlw = calloc(n, sizeof(*nlw))) == NULL) {
		for (i = 0; i < n; i++)
			svc->dests[i]->sched_data = (void *)(uintptr_t)(i + 1);
		for (i = k = 0; i < s->nlw; i++) {
			struct dest *d = s->lw[i].d;
			uintptr_t p = (uintptr_t)d->sched_data;

			if (p != 0 && p <= n && svc->dests[p - 1] == d)
				s->lw[k++] = s->lw[i];
		}
		s->nlw = k;
		for (i = 0; i < k; i++)
			s->lw[i].d->sched_data = (void *)(uintptr_t)(i + 1);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct dest *d = svc->dests[i];
		uintptr_t p = (uintptr_t)d->sched_data;

		nlw[i].d = d;
		nlw[i].last_weight = d->conf.weight;
		if (d->conf.weight == 0 && p != 0 && p <= s->nlw &&
		    s->lw[p - 1].d == d)
			nlw[i].last_weight = s->lw[p - 1].last_weight;
	}
	for (i = 0; i < n; i++)
		svc->dests[i]->sched_data = (void *)(uintptr_t)(i + 1);
	free(s->lw);
	s->lw = nlw;
	s->nlw = n;
	return 0;
}

/* ip_vs_mh_permutate + ip_vs_mh_populate over lw */
static int
mh_populate(struct mh_state *s)
{
	struct mh_setup *ds;
	uint8_t *used;
	uint32_t nd = s->nlw, p;
	int n, dt_count;

	if (s->gcd < 1) {
		/* no dest, or all with last_weight 0: an empty table */
		memset(s->lookup, 0, s->m * sizeof(*s->lookup));
		return 0;
	}
	ds = calloc(nd, sizeof(*ds));
	used = calloc(s->m, 1);
	if (ds == NULL || used == NULL) {
		free(ds);
		free(used);
		return -1;
	}
	for (p = 0; p < nd; p++) {
		const struct dest *d = s->lw[p].d;
		int lw = mh_last_weight(s, p), t;

		ds[p].offset = mh_hashkey(d->conf.af, &d->conf.addr,
		    d->conf.port, &mh_hash1, 0) % s->m;
		ds[p].skip = mh_hashkey(d->conf.af, &d->conf.addr,
		    d->conf.port, &mh_hash2, 0) % (s->m - 1) + 1;
		ds[p].perm = ds[p].offset;
		t = (lw / s->gcd) >> s->rshift;
		ds[p].turns = t ? t : (lw != 0);
	}

	/*
	 * Round after round over the list, each dest claims `turns` slots,
	 * each the next free one along its permutation, until all M slots
	 * are owned.  gcd >= 1 means some dest has turns >= 1, so this ends.
	 */
	n = 0;
	dt_count = 0;
	for (;;) {
		for (p = 0; p < nd; ) {
			unsigned int c;

			if (ds[p].turns < 1) {
				p++;	/* weight 0 since it was added */
				continue;
			}
			c = ds[p].perm;
			while (used[c]) {
				ds[p].perm += ds[p].skip;
				if (ds[p].perm >= s->m)
					ds[p].perm -= s->m;
				c = ds[p].perm;
			}
			used[c] = 1;
			s->lookup[c] = s->lw[p].d;
			if ((uint32_t)++n == s->m)
				goto out;
			if (++dt_count >= ds[p].turns) {
				dt_count = 0;
				p++;
			}
		}
	}
out:
	free(ds);
	free(used);
	return 0;
}

/* the second half of ip_vs_mh_reassign: 0, or -1 (no memory: the table
 * stays) */
static int
mh_build(struct mh_state *s)
{
	s->gcd = mh_gcd_weight(s);
	s->rshift = mh_shift_weight(s, s->gcd);
	return mh_populate(s);
}

static int
mh_dest_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct dest *const *)a;
	uintptr_t y = (uintptr_t)*(struct dest *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * Where IPVS's table would still hold a reference to a removed dest (only
 * when a change failed), drlb must not keep the pointer: the dest is freed
 * once its last connection goes.  Such slots become empty.  Slots are
 * compared with the listed dests, never followed.
 */
static void
mh_drop_removed(struct svc *svc, struct mh_state *s)
{
	struct dest **sorted = NULL;
	uint32_t n = svc->ndests;

	if (n > 0 && (sorted = malloc(n * sizeof(*sorted))) == NULL) {
		memset(s->lookup, 0, s->m * sizeof(*s->lookup));
		return;
	}
	if (n > 0) {
		memcpy(sorted, svc->dests, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), mh_dest_cmp);
	}
	for (uint32_t c = 0; c < s->m; c++)
		if (s->lookup[c] != NULL && (n == 0 || bsearch(&s->lookup[c],
		    sorted, n, sizeof(*sorted), mh_dest_cmp) == NULL))
			s->lookup[c] = NULL;
	free(sorted);
}

/* The table for the list as of the last change, built if it is stale. */
static void
mh_settle(struct svc *svc, struct mh_state *s)
{
	if (!s->stale)
		return;
	s->stale = false;
	if (mh_build(s) != 0)
		mh_drop_removed(svc, s);
}

static void
mh_done_svc(struct svc *svc)
{
	struct mh_state *s = svc->sched_data;

	for (uint32_t i = 0; i < svc->ndests; i++)
		svc->dests[i]->sched_data = NULL;
	if (s != NULL) {
		free(s->lookup);
		free(s->lw);
		free(s);
	}
	svc->sched_data = NULL;
}

/* ip_vs_mh_init_svc */
static int
mh_init_svc(struct svc *svc)
{
	struct mh_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->m = mh_tab_size;
	s->tab_bits = mh_fls(s->m) / 2;
	if ((s->lookup = calloc(s->m, sizeof(*s->lookup))) == NULL) {
		free(s);
		return -1;
	}
	svc->sched_data = s;
	/* IPVS: -EINVAL with more dests than slots */
	if (svc->ndests > s->m || mh_update_last_weights(svc, s) != 0 ||
	    mh_build(s) != 0) {
		mh_done_svc(svc);
		return -1;
	}
	return 0;
}

/* ip_vs_mh_dest_changed */
static void
mh_dest_changed(struct svc *svc)
{
	struct mh_state *s = svc->sched_data;

	if (svc->ndests <= s->m && mh_update_last_weights(svc, s) == 0) {
		s->stale = true;
		return;
	}
	/*
	 * IPVS: -EINVAL (more dests than slots) or -ENOMEM, and the table
	 * stays as the last change that succeeded left it: build it now
	 * from that change's list, then forget the dests this one removed.
	 * last_weight follows the weights all the same (IPVS keeps it in
	 * the dest).
	 */
	mh_settle(svc, s);
	if (svc->ndests > s->m)
		(void)mh_update_last_weights(svc, s);
	mh_drop_removed(svc, s);
}

static void
mh_tick(struct svc *svc, uint32_t now)
{
	(void)now;
	mh_settle(svc, svc->sched_data);
}

static inline bool
mh_unavailable(const struct dest *d)
{
	return d->conf.weight <= 0 || !dest_usable(d);
}

/* ip_vs_mh_get_fallback: the hashed slot, else rehash with growing offsets */
static struct dest *
mh_get_fallback(const struct mh_state *s, uint16_t af,
    const union drlb_inaddr *addr, uint16_t port)
{
	unsigned int offset, roffset, hash, ihash;
	struct dest *d;

	ihash = mh_hashkey(af, addr, port, &mh_hash1, 0) % s->m;
	d = s->lookup[ihash];
	if (d == NULL)
		return NULL;
	if (!mh_unavailable(d))
		return d;
	for (offset = 0; offset < s->m; offset++) {
		roffset = (offset + ihash) % s->m;
		hash = mh_hashkey(af, addr, port, &mh_hash1, roffset) % s->m;
		d = s->lookup[hash];
		if (d == NULL)
			break;
		if (!mh_unavailable(d))
			return d;
	}
	return NULL;
}

static struct dest *
mh_schedule(struct svc *svc, const struct conn_key *key)
{
	struct mh_state *s = svc->sched_data;
	uint16_t port = 0;
	struct dest *d;

	mh_settle(svc, s);
	/* mh-port: the client's source port joins the key */
	if (svc->conf.flags & DRLB_SVC_F_SCHED2)
		port = ntohs(key->cport);
	if (svc->conf.flags & DRLB_SVC_F_SCHED1)	/* mh-fallback */
		return mh_get_fallback(s, svc->conf.af, &key->caddr, port);
	d = s->lookup[mh_hashkey(svc->conf.af, &key->caddr, port, &mh_hash1,
	    0) % s->m];
	return d == NULL || mh_unavailable(d) ? NULL : d;
}

const struct sched_ops sched_mh = {
	.name		= "mh",
	.init_svc	= mh_init_svc,
	.done_svc	= mh_done_svc,
	.dest_changed	= mh_dest_changed,
	.schedule	= mh_schedule,
	.tick		= mh_tick,
};
