/*
 * fo, ovf, twos, dh and sh against decisions computed by hand from the
 * IPVS sources (ip_vs_fo.c, ip_vs_ovf.c, ip_vs_twos.c, ip_vs_dh.c,
 * ip_vs_sh.c).  The list is newest first; weight 0 and unusable dests
 * (overloaded, MAC unknown) never take a new connection.
 *
 * Where a scheduler hashes (dh, sh) or draws random numbers (twos), the
 * test carries its own copy of IPVS's rule (hash_32, the tiling, the
 * fallback walk, the two-choices walk on xorshift64*), pinned by golden
 * values computed outside C, and compares every decision with it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "fixtures.h"
#include "sched/twos.h"
#include "expect.h"

static struct svc_table st;

#define NET		"198.18.0."
#define VIP_HOST	0xc6120001u		/* 198.18.0.1 */

/* ------------------------------------------------------------ helpers */

static struct svc *
mksvc(const char *sched, uint16_t port, uint32_t flags)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, port, sched, 0, 0);

	r.svc.flags = flags;
	if (fx_apply(&st, DRLB_CTL_ADD_SVC, &r) != 0)
		return NULL;
	return svc_find(&st, AF_INET, IPPROTO_TCP, &r.svc.addr, port);
}

/* -E: same scheduler, new flags */
static int
set_flags(struct svc *s, uint32_t flags)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, s->conf.port,
	    s->conf.sched_name, 0, 0);

	r.svc.flags = flags;
	return fx_apply(&st, DRLB_CTL_EDIT_SVC, &r);
}

/* add/edit/delete real server 198.18.0.n; a new one gets its MAC at once
 * (in real life the daemon's ARP module learns it) */
static int
dest_op(struct svc *s, uint16_t op, int n, int w)
{
	int rc = fx_dest(&st, op, s->conf.port, n, w);

	if (rc == 0 && op == DRLB_CTL_ADD_DEST)
		fx_resolve(fx_svc_dest(s, n), NULL);
	return rc;
}

static struct conn_key
mkkey(uint32_t caddr_host, uint16_t cport, uint32_t vaddr_host)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	k.caddr.in.s_addr = htonl(caddr_host);
	k.cport = htons(cport);
	k.vaddr.in.s_addr = htonl(vaddr_host);
	k.vport = htons(80);
	return k;
}

/* last address byte of the pick, 0 for none */
static int
pick_key(struct svc *s, const struct conn_key *k)
{
	struct dest *d = s->sched->schedule(s, k);

	return d != NULL ? d->conf.addr.b[3] : 0;
}

static int
pick(struct svc *s)
{
	struct conn_key k = mkkey(0xc6120063u, 40000, VIP_HOST);

	return pick_key(s, &k);
}

/* n picks as "a,b,c,"; with count, each pick adds an active connection */
static void
picks(struct svc *s, int n, int count, char *out)
{
	*out = '\0';
	for (int i = 0; i < n; i++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, VIP_HOST);
		struct dest *d = s->sched->schedule(s, &k);

		if (d != NULL && count) {
			d->activeconns++;
			sched_dest_load_changed(d);
		}
		out += sprintf(out, "%d,", d ? d->conf.addr.b[3] : 0);
	}
}

static void
del_svc(struct svc *s)
{
	fx_svc(&st, DRLB_CTL_DEL_SVC, s->conf.port, NULL);
}

/* ------------------------------------------------------------ fo */

static void
test_fo(void)
{
	struct svc *s = mksvc("fo", 81, 0);
	char str[256];

	EXPECT(s != NULL && s->sched == &sched_fo, "fo: service created");
	EXPECT_EQ(pick(s), 0, "fo: no dest, no pick");
	dest_op(s, DRLB_CTL_ADD_DEST, 11, 1);
	dest_op(s, DRLB_CTL_ADD_DEST, 12, 3);
	dest_op(s, DRLB_CTL_ADD_DEST, 13, 3);		/* list 13, 12, 11 */
	picks(s, 3, 1, str);
	EXPECT_STR(str, "13,13,13,",
	    "fo: highest weight, tie to the first in list (newest)");
	fx_svc_dest(s, 13)->activeconns = 1000000;
	sched_dest_load_changed(fx_svc_dest(s, 13));
	EXPECT_EQ(pick(s), 13, "fo: load is ignored");
	fx_svc_dest(s, 13)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 13));
	EXPECT_EQ(pick(s), 12, "fo: overloaded primary -> next highest weight");
	fx_svc_dest(s, 13)->flags &= ~DEST_F_OVERLOAD;
	fx_svc_dest(s, 13)->flags |= DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 13));
	EXPECT_EQ(pick(s), 12, "fo: primary without MAC -> next");
	fx_svc_dest(s, 13)->flags &= ~DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 13));
	EXPECT_EQ(pick(s), 13, "fo: primary back");
	dest_op(s, DRLB_CTL_EDIT_DEST, 13, 0);
	EXPECT_EQ(pick(s), 12, "fo: primary at weight 0 -> next");
	dest_op(s, DRLB_CTL_EDIT_DEST, 12, 0);
	EXPECT_EQ(pick(s), 11, "fo: weight 1 is the last resort");
	dest_op(s, DRLB_CTL_EDIT_DEST, 11, 0);
	EXPECT_EQ(pick(s), 0, "fo: all weights 0 -> none");
	dest_op(s, DRLB_CTL_EDIT_DEST, 11, 2);
	dest_op(s, DRLB_CTL_EDIT_DEST, 12, 2);
	EXPECT_EQ(pick(s), 12, "fo: tie 2/2, 12 is before 11 in the list");
	dest_op(s, DRLB_CTL_ADD_DEST, 14, 2);		/* at the head */
	EXPECT_EQ(pick(s), 14, "fo: a new dest with the same weight wins the tie");
	dest_op(s, DRLB_CTL_DEL_DEST, 14, 0);
	EXPECT_EQ(pick(s), 12, "fo: after its removal the tie goes back to 12");
	del_svc(s);
}

/* ------------------------------------------------------------ ovf */

static void
test_ovf(void)
{
	struct svc *s = mksvc("ovf", 82, 0);
	char str[256];

	EXPECT(s != NULL && s->sched == &sched_ovf, "ovf: service created");
	dest_op(s, DRLB_CTL_ADD_DEST, 21, 2);
	dest_op(s, DRLB_CTL_ADD_DEST, 22, 3);
	dest_op(s, DRLB_CTL_ADD_DEST, 23, 3);		/* list 23, 22, 21 */
	/* 23 takes active 0..3 (<= 3), then 22 the same, 21 active 0..2 */
	picks(s, 12, 1, str);
	EXPECT_STR(str, "23,23,23,23,22,22,22,22,21,21,21,0,",
	    "ovf: fill the highest weight until activeconns > weight, overflow in order");
	fx_svc_dest(s, 22)->activeconns = 3;
	sched_dest_load_changed(fx_svc_dest(s, 22));
	EXPECT_EQ(pick(s), 22, "ovf: activeconns == weight still takes one");
	fx_svc_dest(s, 23)->activeconns = 0;
	fx_svc_dest(s, 23)->inactconns = 100000;
	sched_dest_load_changed(fx_svc_dest(s, 23));
	EXPECT_EQ(pick(s), 23, "ovf: inactive connections do not count");
	fx_svc_dest(s, 23)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 23));
	EXPECT_EQ(pick(s), 22, "ovf: overloaded -> next");
	fx_svc_dest(s, 23)->flags &= ~DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 23));
	dest_op(s, DRLB_CTL_EDIT_DEST, 23, 0);
	fx_svc_dest(s, 23)->activeconns = 0;
	sched_dest_load_changed(fx_svc_dest(s, 23));
	EXPECT_EQ(pick(s), 22, "ovf: weight 0 is never picked, even idle");
	dest_op(s, DRLB_CTL_EDIT_DEST, 21, 5);
	EXPECT_EQ(pick(s), 21, "ovf: a raised weight takes over (4 active <= 5)");
	fx_svc_dest(s, 21)->activeconns = 6;
	sched_dest_load_changed(fx_svc_dest(s, 21));
	EXPECT_EQ(pick(s), 22, "ovf: and overflows again at 6 > 5");
	fx_svc_dest(s, 22)->flags |= DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 22));
	EXPECT_EQ(pick(s), 0, "ovf: nothing usable under its weight -> none");
	del_svc(s);
}

/* ------------------------------------------------------------ twos */

/* the reference: xorshift64*, high 32 bits, as twos.h documents */
static uint64_t ref_x;

static uint32_t
ref_rand32(void)
{
	ref_x ^= ref_x >> 12;
	ref_x ^= ref_x << 25;
	ref_x ^= ref_x >> 27;
	return (uint32_t)((ref_x * 0x2545F4914F6CDD1Dull) >> 32);
}

struct ref_dest {
	int n, w;
	int usable;
	uint32_t act, inact;
};

static int ref_swaps;		/* times choice2 replaced choice1 */

/* ip_vs_twos_schedule on an array in list order; returns an index or -1 */
static int
ref_twos(struct ref_dest *rd, int nd)
{
	long long total = 0, r1, r2;
	int c1 = -1, c2 = -1;
	unsigned long long oh1 = 0, oh2 = 0;

	for (int i = 0; i < nd; i++)
		if (rd[i].usable && rd[i].w > 0)
			total += rd[i].w;
	if (total == 0)
		return -1;
	r1 = ref_rand32() % (total + 1);
	r2 = ref_rand32() % (total + 1);
	for (int i = 0; i < nd && (c1 < 0 || c2 < 0); i++) {
		if (!rd[i].usable || rd[i].w <= 0)
			continue;
		r1 -= rd[i].w;
		r2 -= rd[i].w;
		if (r1 <= 0 && c1 < 0) {
			c1 = i;
			oh1 = ((unsigned long long)rd[i].act << 8) +
			    rd[i].act + rd[i].inact;
		}
		if (r2 <= 0 && c2 < 0) {
			c2 = i;
			oh2 = ((unsigned long long)rd[i].act << 8) +
			    rd[i].act + rd[i].inact;
		}
	}
	if ((unsigned long long)rd[c2].w * oh1 >
	    (unsigned long long)rd[c1].w * oh2) {
		ref_swaps++;
		return c2;
	}
	return c1;
}

static void
test_twos(void)
{
	struct svc *s = mksvc("twos", 83, 0), *other = mksvc("fo", 84, 0);
	struct ref_dest rd[4] = {
		{ 34, 4, 1, 0, 0 }, { 33, 3, 1, 0, 0 },
		{ 32, 2, 1, 0, 0 }, { 31, 1, 1, 0, 0 },
	};
	int i, mism = 0, first_mism = -1, cnt[4] = { 0 }, refcnt[4] = { 0 };
	uint32_t g[4];

	EXPECT(s != NULL && s->sched == &sched_twos, "twos: service created");
	/* the reference generator against values computed outside C */
	ref_x = 12345;
	for (i = 0; i < 4; i++)
		g[i] = ref_rand32();
	EXPECT(g[0] == 2555902770u && g[1] == 3234773579u &&
	    g[2] == 328846939u && g[3] == 3161420795u,
	    "twos: reference xorshift64* matches golden values");
	EXPECT_EQ(sched_twos_seed(other, 1), -1, "twos: seeding a fo service fails");
	del_svc(other);

	EXPECT_EQ(pick(s), 0, "twos: no dest, no pick");
	dest_op(s, DRLB_CTL_ADD_DEST, 31, 1);
	dest_op(s, DRLB_CTL_ADD_DEST, 32, 2);
	dest_op(s, DRLB_CTL_ADD_DEST, 33, 3);
	dest_op(s, DRLB_CTL_ADD_DEST, 34, 4);		/* list 34 33 32 31 */

	/* no load at all: choice2 never wins (0 > 0 is false), so each pick is
	 * choice1 = the first dest where r1 - cumulative weight <= 0, with
	 * r1 = rand % 11: 0..4 -> 34, 5..7 -> 33, 8..9 -> 32, 10 -> 31 */
	EXPECT_EQ(sched_twos_seed(s, 12345), 0, "twos: seed");
	{
		static const int by_r[11] = { 34, 34, 34, 34, 34, 33, 33, 33,
		    32, 32, 31 };
		int want = by_r[g[0] % 11];	/* g[1] is r2, unused */

		EXPECT_EQ(pick(s), want, "twos: idle, first pick by hand from r1");
		want = by_r[g[2] % 11];
		EXPECT_EQ(pick(s), want, "twos: idle, second pick by hand from r1");
	}

	/* 20000 picks, each adding a connection (every 3rd one active) to the
	 * chosen dest in both the real thing and the reference */
	sched_twos_seed(s, 0x5eed);
	ref_x = 0x5eed;
	ref_swaps = 0;
	for (i = 0; i < 20000; i++) {
		int r = ref_twos(rd, 4), got = pick(s), want = r < 0 ? 0 : rd[r].n;

		if (got != want && mism++ == 0)
			first_mism = i;
		if (r >= 0) {
			struct dest *d = fx_svc_dest(s, rd[r].n);

			if (i % 3 == 0) {
				rd[r].act++;
				d->activeconns++;
			} else {
				rd[r].inact++;
				d->inactconns++;
			}
			sched_dest_load_changed(d);
			refcnt[r]++;
		}
		if (got != 0)
			for (int j = 0; j < 4; j++)
				if (rd[j].n == got)
					cnt[j]++;
	}
	EXPECT_EQ(mism, 0, "twos: 20000 loaded picks equal the reference rule");
	if (mism)
		printf("# first mismatch at pick %d\n", first_mism);
	EXPECT(ref_swaps > 1000, "twos: the less loaded second choice won often");
	printf("# twos: picks by weight 4/3/2/1: %d %d %d %d (%d swaps)\n",
	    cnt[0], cnt[1], cnt[2], cnt[3], ref_swaps);
	/* two choices keep load/weight close: each within 10% of its share */
	for (i = 0; i < 4; i++)
		EXPECT(cnt[i] * 10 > rd[i].w * 2000 * 9 &&
		    cnt[i] * 10 < rd[i].w * 2000 * 11,
		    "twos: connections follow the weights within 10%");

	/* the same seed replays the same picks */
	{
		char a[128], b[128];

		sched_twos_seed(s, 77);
		picks(s, 16, 0, a);
		sched_twos_seed(s, 77);
		picks(s, 16, 0, b);
		EXPECT_STR(a, b, "twos: same seed, same picks");
	}

	/* weight 0 and unusable dests never come up */
	dest_op(s, DRLB_CTL_EDIT_DEST, 34, 0);
	fx_svc_dest(s, 33)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 33));
	fx_svc_dest(s, 32)->flags |= DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 32));
	{
		int only31 = 1;

		for (i = 0; i < 1000; i++)
			if (pick(s) != 31)
				only31 = 0;
		EXPECT(only31, "twos: skips weight 0, overloaded and MAC-less dests");
	}
	fx_svc_dest(s, 31)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 31));
	EXPECT_EQ(pick(s), 0, "twos: nothing usable -> none");
	del_svc(s);
}

/* ------------------------------------------------------------ dh */

/* ip_vs_dh_hashkey from the address in host order: hash_32(addr, 8) */
static int
ref_dh_bucket(uint32_t addr_host)
{
	return (int)((addr_host * 0x61C88647u) >> 24);
}

static void
test_dh(void)
{
	struct svc *s = mksvc("dh", 85, 0);
	int cnt[256], ok, x;
	const int list3[3] = { 43, 42, 41 };

	EXPECT(s != NULL && s->sched == &sched_dh, "dh: service created");
	EXPECT(ref_dh_bucket(0xc6120001u) == 188 &&
	    ref_dh_bucket(0xc6120002u) == 30 &&
	    ref_dh_bucket(0xc61200c8u) == 191,
	    "dh: reference hash matches golden values");

	/* the reproduction: VIP 198.18.0.1, add rs1 then rs2 (list
	 * rs2 rs1): bucket 188 is even -> rs2 (the old multiplicative hash
	 * gave bucket 177 -> rs1) */
	dest_op(s, DRLB_CTL_ADD_DEST, 1, 1);
	dest_op(s, DRLB_CTL_ADD_DEST, 2, 1);
	EXPECT_EQ(pick(s), 2, "dh: VIP 198.18.0.1, rs1 then rs2 -> bucket 188 -> rs2");
	dest_op(s, DRLB_CTL_DEL_DEST, 1, 0);
	dest_op(s, DRLB_CTL_DEL_DEST, 2, 0);

	dest_op(s, DRLB_CTL_ADD_DEST, 41, 1);
	dest_op(s, DRLB_CTL_ADD_DEST, 42, 5);
	dest_op(s, DRLB_CTL_ADD_DEST, 43, 1);		/* list 43 42 41 */

	/* the VIPs 198.18.0.0..255 land in 221 distinct buckets; bucket i
	 * belongs to list[i % 3] */
	memset(cnt, 0, sizeof(cnt));
	ok = 1;
	for (x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, 0xc6120000u | x);
		int got = pick_key(s, &k);

		if (got != list3[ref_dh_bucket(0xc6120000u | x) % 3])
			ok = 0;
		cnt[got]++;
	}
	EXPECT(ok, "dh: every VIP goes to the dest of its bucket (round robin over the list)");
	EXPECT(cnt[43] == 90 && cnt[42] == 83 && cnt[41] == 83,
	    "dh: 90/83/83 VIPs, weight 5 gets no more buckets than weight 1 (as IPVS)");
	{
		struct conn_key k1 = mkkey(0xc6120063u, 1000, VIP_HOST);
		struct conn_key k2 = mkkey(0xc6120064u, 2000, VIP_HOST);
		int a = pick_key(s, &k1);

		EXPECT_EQ(a, list3[188 % 3], "dh: VIP .1 is bucket 188 -> list[2]");
		EXPECT(pick_key(s, &k1) == a && pick_key(s, &k2) == a,
		    "dh: same VIP -> same dest, whatever the client");
	}

	/* weight 0 and overloaded dests keep their buckets, which then fail */
	dest_op(s, DRLB_CTL_EDIT_DEST, 42, 0);
	memset(cnt, 0, sizeof(cnt));
	for (x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, 0xc6120000u | x);

		cnt[pick_key(s, &k)]++;
	}
	EXPECT(cnt[0] == 83 && cnt[43] == 90 && cnt[41] == 83,
	    "dh: weight 0 -> its VIPs' buckets yield none, others unchanged");
	dest_op(s, DRLB_CTL_EDIT_DEST, 42, 5);
	fx_svc_dest(s, 43)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 43));
	memset(cnt, 0, sizeof(cnt));
	for (x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, 0xc6120000u | x);

		cnt[pick_key(s, &k)]++;
	}
	EXPECT(cnt[0] == 90 && cnt[42] == 83 && cnt[41] == 83,
	    "dh: overloaded -> its VIPs' buckets yield none (no fallback)");
	fx_svc_dest(s, 43)->flags &= ~DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 43));

	/* removal: list 43 41, buckets 128 / 128 (VIPs 129 / 127); then 44
	 * at the head: 44 43 41 */
	dest_op(s, DRLB_CTL_DEL_DEST, 42, 0);
	ok = 1;
	memset(cnt, 0, sizeof(cnt));
	for (x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, 0xc6120000u | x);
		int got = pick_key(s, &k);

		if (got != (ref_dh_bucket(0xc6120000u | x) % 2 ? 41 : 43))
			ok = 0;
		cnt[got]++;
	}
	EXPECT(ok && cnt[43] == 129 && cnt[41] == 127,
	    "dh: a removed dest's buckets are dealt again over the rest");
	dest_op(s, DRLB_CTL_ADD_DEST, 44, 1);
	ok = 1;
	for (x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120063u, 40000, 0xc6120000u | x);
		static const int list[3] = { 44, 43, 41 };

		if (pick_key(s, &k) != list[ref_dh_bucket(0xc6120000u | x) % 3])
			ok = 0;
	}
	EXPECT(ok, "dh: a dest added mid-stream takes buckets 0, 3, 6, ...");
	del_svc(s);
	s = mksvc("dh", 86, 0);
	EXPECT_EQ(pick(s), 0, "dh: no dests -> none");
	del_svc(s);
}

/* ------------------------------------------------------------ sh */

/* ip_vs_sh_hashkey: hash_32(port + addr, 8), both in host order */
static int
ref_sh_bucket(uint32_t addr_host, uint16_t port_host)
{
	return (int)(((addr_host + port_host) * 0x61C88647u) >> 24);
}

#define SH_ADDR	0xc6120064u		/* 198.18.0.100, the probing client */

static uint16_t probe[256];		/* a client port per bucket */

/* owner of each bucket, by asking the scheduler through the probes */
static void
sh_owners(struct svc *s, int *own)
{
	for (int b = 0; b < 256; b++) {
		struct conn_key k = mkkey(SH_ADDR, probe[b], VIP_HOST);

		own[b] = pick_key(s, &k);
	}
}

/* the reference tiling (ip_vs_sh_reassign) over (n, weight) in list order */
static void
ref_tile(const int *n, const int *w, int nd, int *own)
{
	int p = 0, c = 0;

	for (int b = 0; b < 256; b++) {
		own[b] = n[p];
		if (++c >= w[p]) {
			p = (p + 1) % nd;
			c = 0;
		}
	}
}

static int
count_of(const int *own, int n)
{
	int c = 0;

	for (int b = 0; b < 256; b++)
		c += own[b] == n;
	return c;
}

static int
diff_count(const int *a, const int *b)
{
	int c = 0;

	for (int i = 0; i < 256; i++)
		c += a[i] != b[i];
	return c;
}

/* 10,000 random clients (198.18.0.0/24, port) of a fixed sequence */
#define NCLIENTS 10000
static uint32_t cl_addr[NCLIENTS];
static uint16_t cl_port[NCLIENTS];

static void
sh_clients(struct svc *s, int *out)
{
	for (int i = 0; i < NCLIENTS; i++) {
		struct conn_key k = mkkey(cl_addr[i], cl_port[i], VIP_HOST);

		out[i] = pick_key(s, &k);
	}
}

static int
moved(const int *a, const int *b, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += a[i] != b[i];
	return c;
}

/* clients that moved although their dest n stayed */
static int
moved_off(const int *a, const int *b, int n)
{
	int c = 0;

	for (int i = 0; i < NCLIENTS; i++)
		c += a[i] != n && a[i] != b[i];
	return c;
}

/* how many clients sit in buckets whose owner differs between tables */
static int
ref_moved(const int *own_a, const int *own_b)
{
	int c = 0;

	for (int i = 0; i < NCLIENTS; i++) {
		int b = ref_sh_bucket(cl_addr[i], cl_port[i]);

		c += own_a[b] != own_b[b];
	}
	return c;
}

static void
test_sh(void)
{
	struct svc *s;
	int own[256], own2[256], ref[256], b, ok, found = 0;
	static int c0[NCLIENTS], c1[NCLIENTS], c2[NCLIENTS];

	EXPECT(ref_sh_bucket(0xc6120001u, 0) == 188 &&
	    ref_sh_bucket(0xc61200c8u, 0) == 191 &&
	    ref_sh_bucket(0xc6120001u, 12345) == 27 &&
	    ref_sh_bucket(SH_ADDR, 40000) == 49,
	    "sh: reference hash_32 matches golden values");
	/* a client port for every bucket (the hash is a bijection of the sum) */
	memset(probe, 0, sizeof(probe));
	{
		int have[256] = { 0 };

		for (uint32_t p = 1; p < 65536 && found < 256; p++) {
			b = ref_sh_bucket(SH_ADDR, (uint16_t)p);
			if (!have[b]) {
				have[b] = 1;
				probe[b] = (uint16_t)p;
				found++;
			}
		}
	}
	EXPECT_EQ(found, 256, "sh: probe ports cover all buckets");

	s = mksvc("sh", 87, DRLB_SVC_F_SCHED2);		/* sh-port */
	EXPECT(s != NULL && s->sched == &sched_sh, "sh: service created");
	EXPECT_EQ(pick(s), 0, "sh: no dests -> none");
	dest_op(s, DRLB_CTL_ADD_DEST, 51, 1);
	dest_op(s, DRLB_CTL_ADD_DEST, 52, 2);
	dest_op(s, DRLB_CTL_ADD_DEST, 53, 3);		/* list 53 52 51 */

	/* tiling 53 53 53 52 52 51, repeated: 256 = 42 * 6 + 4 */
	sh_owners(s, own);
	ok = 1;
	for (b = 0; b < 256; b++) {
		static const int pat[6] = { 53, 53, 53, 52, 52, 51 };

		if (own[b] != pat[b % 6])
			ok = 0;
	}
	EXPECT(ok, "sh: buckets tiled by weight in list order (53x3, 52x2, 51x1, ...)");
	EXPECT(count_of(own, 53) == 129 && count_of(own, 52) == 85 &&
	    count_of(own, 51) == 42, "sh: 129/85/42 buckets for weights 3/2/1");
	sh_owners(s, own2);
	EXPECT_EQ(diff_count(own, own2), 0, "sh: same key -> same dest");

	/* golden keys: (198.18.0.100, 40000) is bucket 49 -> pat[1] = 53 */
	{
		struct conn_key k = mkkey(SH_ADDR, 40000, VIP_HOST);

		EXPECT_EQ(pick_key(s, &k), 53, "sh: golden key -> bucket 49 -> 53");
	}

	/* without sh-port every probe port hashes as port 0 */
	set_flags(s, 0);
	sh_owners(s, own2);
	{
		int want = own[ref_sh_bucket(SH_ADDR, 0)];

		ok = 1;
		for (b = 0; b < 256; b++)
			if (own2[b] != want)
				ok = 0;
		EXPECT(ok, "sh: without sh-port the port does not matter");
	}
	ok = 1;
	for (uint32_t x = 0; x < 256; x++) {
		struct conn_key k = mkkey(0xc6120000u | x, 1234, VIP_HOST);

		if (pick_key(s, &k) != own[ref_sh_bucket(0xc6120000u | x, 0)])
			ok = 0;
	}
	EXPECT(ok, "sh: each source address goes to its bucket's dest");
	set_flags(s, DRLB_SVC_F_SCHED2);
	sh_owners(s, own2);
	EXPECT_EQ(diff_count(own, own2), 0, "sh: sh-port back, same table");

	/* weight 0: 52 still owns one bucket per lap: 53 53 53 52 51 (x51 + 1) */
	dest_op(s, DRLB_CTL_EDIT_DEST, 52, 0);
	sh_owners(s, own2);
	{
		const int n[3] = { 53, 52, 51 }, w[3] = { 3, 0, 1 };

		ref_tile(n, w, 3, ref);
		ok = 1;
		for (b = 0; b < 256; b++)
			if (own2[b] != (ref[b] == 52 ? 0 : ref[b]))
				ok = 0;
		EXPECT(ok, "sh: weight 0 keeps one bucket per lap, which yields none");
		EXPECT(count_of(own2, 0) == 51 && count_of(own2, 53) == 154 &&
		    count_of(own2, 51) == 51, "sh: 154/51 buckets, 51 refused");
	}
	dest_op(s, DRLB_CTL_EDIT_DEST, 52, 2);

	/* unusable without fallback: exactly its buckets fail */
	fx_svc_dest(s, 52)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 52));
	sh_owners(s, own2);
	ok = 1;
	for (b = 0; b < 256; b++)
		if (own2[b] != (own[b] == 52 ? 0 : own[b]))
			ok = 0;
	EXPECT(ok, "sh: overloaded dest, no fallback -> its 85 buckets yield none");

	/* sh-fallback: only 52's keys move, each along IPVS's walk, which
	 * looks at bucket (off + 2 * ihash) & 255 for off = 0, 1, ... */
	set_flags(s, DRLB_SVC_F_SCHED1 | DRLB_SVC_F_SCHED2);
	sh_owners(s, own2);
	{
		int nmoved = 0;

		ok = 1;
		for (b = 0; b < 256; b++) {
			int want = own[b];

			if (own[b] == 52) {
				for (int off = 0; off < 256; off++) {
					int h = (off + 2 * b) & 255;

					if (own[h] != 52) {
						want = own[h];
						break;
					}
				}
			}
			if (own2[b] != want)
				ok = 0;
			nmoved += own2[b] != own[b];
		}
		EXPECT(ok, "sh-fallback: keys of the unusable dest follow the walk");
		EXPECT_EQ(nmoved, 85, "sh-fallback: only the 85 buckets of 52 move");
		/* bucket 4 (52): walk starts at 8 = pat[2] = 53 */
		EXPECT_EQ(own2[4], 53, "sh-fallback: bucket 4 -> bucket 8 -> 53");
		/* bucket 3 (52): 6 = pat[0] = 53 */
		EXPECT_EQ(own2[3], 53, "sh-fallback: bucket 3 -> bucket 6 -> 53");
	}
	fx_svc_dest(s, 52)->flags &= ~DEST_F_OVERLOAD;
	fx_svc_dest(s, 52)->flags |= DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 52));
	sh_owners(s, own);
	EXPECT_EQ(diff_count(own, own2), 0,
	    "sh-fallback: MAC unknown moves the same keys as overloaded");
	fx_svc_dest(s, 52)->flags &= ~DEST_F_NOMAC;
	sched_dest_load_changed(fx_svc_dest(s, 52));
	fx_svc_dest(s, 51)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 51));
	fx_svc_dest(s, 52)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 52));
	fx_svc_dest(s, 53)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(fx_svc_dest(s, 53));
	EXPECT_EQ(pick(s), 0, "sh-fallback: all unusable -> none");
	del_svc(s);

	/* ---- removal and return: 4 dests of weight 1, list 64 63 62 61 */
	s = mksvc("sh", 88, DRLB_SVC_F_SCHED2);
	for (int n = 61; n <= 64; n++)
		dest_op(s, DRLB_CTL_ADD_DEST, n, 1);
	{
		uint64_t x = 0xdecafbadull;

		for (int i = 0; i < NCLIENTS; i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			uint64_t r = x * 0x2545F4914F6CDD1Dull;

			cl_addr[i] = 0xc6120000u | (uint32_t)((r >> 56) & 0xff);
			cl_port[i] = (uint16_t)(r >> 32);
		}
	}
	int orig[256], lst[4] = { 64, 63, 62, 61 }, w1[4] = { 1, 1, 1, 1 };

	sh_owners(s, orig);
	ref_tile(lst, w1, 4, ref);
	EXPECT_EQ(diff_count(orig, ref), 0, "sh: 4 x weight 1 -> bucket i is list[i % 4]");
	sh_clients(s, c0);

	/* remove the newest (64): list 63 62 61; over 12 buckets the owner
	 * stays only at i % 12 = 9, 10, 11; 256 = 21 * 12 + 4 -> 63 stay */
	dest_op(s, DRLB_CTL_DEL_DEST, 64, 0);
	sh_owners(s, own);
	EXPECT_EQ(256 - diff_count(orig, own), 63,
	    "sh: removing the head of 4 keeps only 63 of 256 buckets");
	sh_clients(s, c1);
	EXPECT_EQ(moved(c0, c1, NCLIENTS), ref_moved(orig, own),
	    "sh: clients moved = clients in changed buckets");
	printf("# sh: remove 198.18.0.64 (head) of 4: %d/256 buckets and %d/%d clients move"
	    " (%d of them were not on it)\n", diff_count(orig, own),
	    moved(c0, c1, NCLIENTS), NCLIENTS, moved_off(c0, c1, 64));
	dest_op(s, DRLB_CTL_ADD_DEST, 64, 1);		/* back at the head */
	sh_owners(s, own);
	EXPECT_EQ(diff_count(orig, own), 0,
	    "sh: the head re-added -> the original table exactly");
	sh_clients(s, c2);
	EXPECT_EQ(moved(c0, c2, NCLIENTS), 0, "sh: and every client is back");

	/* remove a middle one (62): list 64 63 61; the owner stays at
	 * i % 12 = 0, 1, 11 -> 21 * 3 + 2 = 65 buckets stay, 191 move, 64 of
	 * them 62's own */
	dest_op(s, DRLB_CTL_DEL_DEST, 62, 0);
	sh_owners(s, own);
	EXPECT_EQ(diff_count(orig, own), 191,
	    "sh: removing the 3rd of 4 moves 191 of 256 buckets");
	sh_clients(s, c1);
	EXPECT_EQ(moved(c0, c1, NCLIENTS), ref_moved(orig, own),
	    "sh: clients moved = clients in changed buckets");
	printf("# sh: remove 198.18.0.62 (3rd) of 4: 191/256 buckets and %d/%d clients move"
	    " (%d of them were not on it)\n", moved(c0, c1, NCLIENTS), NCLIENTS,
	    moved_off(c0, c1, 62));
	/* back, but at the head: 62 64 63 61 vs 64 63 62 61 -> only
	 * i % 4 == 3 (61) keeps its owner: 192 buckets differ */
	dest_op(s, DRLB_CTL_ADD_DEST, 62, 1);
	sh_owners(s, own);
	EXPECT_EQ(diff_count(orig, own), 192,
	    "sh: re-added at the head, 192 buckets differ from the original");
	sh_clients(s, c2);
	EXPECT_EQ(moved(c0, c2, NCLIENTS), ref_moved(orig, own),
	    "sh: clients still moved = clients in changed buckets");
	printf("# sh: 198.18.0.62 back (at the head): 192/256 buckets and %d/%d clients"
	    " differ from the start\n", moved(c0, c2, NCLIENTS), NCLIENTS);
	del_svc(s);
}

int
main(void)
{
	svc_table_init(&st);
	test_fo();
	test_ovf();
	test_twos();
	test_dh();
	test_sh();
	EXPECT_EQ(st.count, 0, "all services deleted");
	svc_table_free(&st);
	return EXPECT_DONE();
}
