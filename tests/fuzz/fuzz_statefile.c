/*
 * Fuzz target: the state file (drlbd --state-file), which drlbd reads at
 * start-up as anything another hand may have written.  Each input is a
 * file, restored into a set of one table and into a set of two workers'
 * tables (and their shared template table), with a small service table.
 * Besides "no crash, no sanitizer report" it checks what the tables
 * promise, after the restore, after part of the entries expire, and after
 * a round trip through statefile_save and a second restore:
 *  - the outcome adds up (restored + skipped = records read whole; the
 *    tables hold what was restored);
 *  - every entry is found under its key in the table its key names, a
 *    template only in the template table, a connection's template is a
 *    template of the same real server there, and each template's count is
 *    its connections';
 *  - each real server's ActiveConn, InActConn, PersistConn and references
 *    are its entries';
 *  - what is saved and restored again comes back the same (real server,
 *    state, expiry, template);
 *  - flushed, every count comes back to 0.
 *
 * Built with -DSTATEFILE_SEEDS it is instead the seed writer (mkseeds.py
 * runs it): files statefile_save writes from populated tables, into the
 * corpus, and the crafted files of issue 15 into the regressions.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "statefile.h"
#include "svc.h"
#include "fuzz.h"

#define NOW	1000			/* the restoring table's clock */
#define WALL	1700000000u		/* the wall clock at restore */
#define LATER	150			/* s later: what is due by then expires */

static struct svc_table st;

static void
add(uint16_t op, uint16_t proto, const char *vip, uint16_t port,
    uint32_t flags, uint32_t netmask, const char *rip)
{
	struct drlb_ctl_req r;
	char err[256];
	uint16_t af = strchr(vip, ':') ? AF_INET6 : AF_INET;

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = proto;
	inet_pton(af, vip, &r.svc.addr);
	r.svc.port = port;
	strcpy(r.svc.sched_name, "wlc");
	r.svc.flags = flags;
	r.svc.timeout = 300;
	r.svc.netmask = netmask;
	if (rip != NULL) {
		r.dest.af = af;
		inet_pton(af, rip, &r.dest.addr);
		r.dest.port = port;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	if (svc_apply(&st, op, &r, err, sizeof(err)) != 0)
		abort();
}

/* both families, both protocols, persistence by port, by /24 and /64, and
 * a port-0 service */
static void
rules(void)
{
	static const struct {
		uint16_t proto;
		const char *vip;
		uint16_t port;
		uint32_t flags, netmask;
		const char *rips[2];
	} s[] = {
		{ IPPROTO_TCP, "198.18.0.1", 80, 0, 0xffffffff,
		    { "198.18.0.7", "198.18.0.8" } },
		{ IPPROTO_UDP, "198.18.0.1", 53, 0, 0xffffffff,
		    { "198.18.0.7", NULL } },
		{ IPPROTO_TCP, "198.18.0.1", 443, DRLB_SVC_F_PERSISTENT,
		    0xffffffff, { "198.18.0.7", "198.18.0.8" } },
		{ IPPROTO_TCP, "198.18.0.3", 0, DRLB_SVC_F_PERSISTENT,
		    0x00ffffff, { "198.18.0.8", NULL } },
		{ IPPROTO_TCP, "2001:db8::1", 80, DRLB_SVC_F_PERSISTENT, 64,
		    { "2001:db8::7", "2001:db8::8" } },
		{ IPPROTO_UDP, "2001:db8::1", 53, 0, 128,
		    { "2001:db8::7", NULL } },
	};

	svc_table_init(&st);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		add(DRLB_CTL_ADD_SVC, s[i].proto, s[i].vip, s[i].port,
		    s[i].flags, s[i].netmask, NULL);
		for (int j = 0; j < 2 && s[i].rips[j] != NULL; j++)
			add(DRLB_CTL_ADD_DEST, s[i].proto, s[i].vip, s[i].port,
			    s[i].flags, s[i].netmask, s[i].rips[j]);
	}
}

/* a set of n workers' tables as the daemon has them, small enough that
 * an input fills them */
static void
set_create(struct conn_set *cs, unsigned n)
{
	if (conn_set_create(cs, n, n == 1 ? 24 : 48) != 0)
		abort();
	conn_set_hooks(cs, &st, NULL, NULL, NULL);
}

#ifndef STATEFILE_SEEDS

#define DEST_MAX	16
#define TMPL_MAX	64		/* > any template table here */

/* the entries of a set, counted as the real servers and templates count
 * them */
struct tally {
	const struct conn_set *cs;
	uint32_t now;
	uint32_t entries;
	unsigned nd, nt;
	struct dest *d[DEST_MAX];
	uint32_t active[DEST_MAX], inact[DEST_MAX], persist[DEST_MAX];
	struct conn *t[TMPL_MAX];	/* templates, walked or named */
	uint32_t named[TMPL_MAX];	/* by how many connections */
	bool walked[TMPL_MAX];
};

static unsigned
dest_index(struct tally *y, struct dest *d)
{
	for (unsigned i = 0; i < y->nd; i++)
		if (y->d[i] == d)
			return i;
	abort();			/* not a real server of the rules */
}

static unsigned
tmpl_index(struct tally *y, struct conn *tmpl)
{
	unsigned i;

	for (i = 0; i < y->nt; i++)
		if (y->t[i] == tmpl)
			return i;
	if (y->nt == TMPL_MAX)
		abort();
	y->t[y->nt] = tmpl;
	return y->nt++;
}

static int
check_entry(struct conn *c, void *arg)
{
	struct tally *y = arg;
	const struct conn_set *cs = y->cs;
	struct conn_table *t = conn_set_owner(cs, c);
	struct conn *tmpl;
	struct conn_key k;
	bool is_tmpl = (c->flags & CONN_F_TEMPLATE) != 0;
	unsigned di;

	if (t == NULL || !(c->flags & CONN_F_INUSE))
		abort();
	di = dest_index(y, c->dest);
	conn_key_get(c, &k);
	/* under its key, in the table its key names; a template only in the
	 * template table; due in the future, never beyond 2^24 s */
	if (conn_set_table(cs, &k) != t || conn_lookup(t, &k) != c ||
	    is_tmpl != ((k.af & CONN_KEY_TEMPLATE) != 0) ||
	    (is_tmpl && t != cs->tmpl) ||
	    c->expires <= y->now || c->expires - y->now > 0xffffff)
		abort();
	y->entries++;
	if (is_tmpl) {
		y->persist[di]++;
		y->walked[tmpl_index(y, c)] = true;
		return 0;
	}
	/* a TCP state (UDP's none), active as the state says */
	if (c->state >= CONN_S_LAST ||
	    ((c->flags & CONN_F_INACTIVE) != 0) ==
	    conn_state_active(c->key.protocol, (enum conn_state)c->state) ||
	    (c->key.protocol != IPPROTO_TCP && c->state != CONN_S_NONE))
		abort();
	if (c->flags & CONN_F_INACTIVE)
		y->inact[di]++;
	else
		y->active[di]++;
	/* its template: a live template of its real server, in the
	 * template table */
	if ((tmpl = conn_control(t, c)) != NULL) {
		if ((tmpl->flags & (CONN_F_INUSE | CONN_F_TEMPLATE)) !=
		    (CONN_F_INUSE | CONN_F_TEMPLATE) ||
		    tmpl->dest != c->dest ||
		    conn_set_owner(cs, tmpl) != cs->tmpl)
			abort();
		y->named[tmpl_index(y, tmpl)]++;
	}
	return 0;
}

/* Everything the set holds holds together, and the real servers count
 * exactly its entries (the set is the only one holding any). */
static void
check_set(const struct conn_set *cs, uint32_t now)
{
	struct tally y;

	memset(&y, 0, sizeof(y));
	y.cs = cs;
	y.now = now;
	for (struct svc *s = st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			if (y.nd == DEST_MAX)
				abort();
			y.d[y.nd++] = s->dests[i];
		}
	conn_set_walk(cs, check_entry, &y);
	if (y.entries != conn_set_count(cs))
		abort();
	for (unsigned i = 0; i < y.nt; i++)
		if (!y.walked[i] || conn_n_control(cs->tmpl, y.t[i]) !=
		    y.named[i])
			abort();
	for (unsigned i = 0; i < y.nd; i++) {
		const struct dest *d = y.d[i];

		if (d->activeconns != y.active[i] ||
		    d->inactconns != y.inact[i] ||
		    d->persistconns != y.persist[i] ||
		    d->refcnt != 1 + y.active[i] + y.inact[i] + y.persist[i])
			abort();
	}
}

/* what the outcome says adds up, and the tables hold what it says */
static void
check_outcome(long n, const struct statefile_outcome *out,
    const struct conn_set *cs, size_t size)
{
	bool cut = size < sizeof(struct statefile_hdr);
	long why = 0;

	for (int i = 0; i < STATEFILE_NSKIP; i++)
		why += out->why[i];
	if (n < 0) {
		if (conn_set_count(cs) != 0)
			abort();
		return;
	}
	if (n != out->restored || why != out->skipped ||
	    out->restored + out->skipped != (long)out->whole ||
	    out->whole > out->count ||
	    out->truncated != (out->whole < out->count ||
	    (cut && size > 0)) || (cut && (out->count != 0 || n != 0)) ||
	    (out->truncated && out->trailing) ||
	    conn_set_count(cs) != (uint32_t)n)
		abort();
}

struct same {
	const struct conn_set *a, *b;
	uint32_t n;
};

/* entry c of a is in b as it was */
static int
check_same(struct conn *c, void *arg)
{
	struct same *x = arg;
	struct conn_table *ta = conn_set_owner(x->a, c), *tb;
	struct conn *e, *ca, *cb;
	struct conn_key k, ka, kb;

	conn_key_get(c, &k);
	tb = conn_set_table(x->b, &k);
	if ((e = conn_lookup(tb, &k)) == NULL || e->dest != c->dest ||
	    e->flags != c->flags || e->state != c->state ||
	    e->reserved != c->reserved || e->expires != c->expires)
		abort();
	ca = conn_control(ta, c);
	cb = conn_control(tb, e);
	if ((ca == NULL) != (cb == NULL))
		abort();
	if (ca != NULL) {
		conn_key_get(ca, &ka);
		conn_key_get(cb, &kb);
		if (memcmp(&ka, &kb, sizeof(ka)) != 0)
			abort();
	}
	x->n++;
	return 0;
}

static int mfd = -1;
static int ready;

/* the input as a file at offset 0 */
static int
as_file(const uint8_t *data, size_t size)
{
	if (mfd < 0 && (mfd = memfd_create("state", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(mfd, 0) != 0 ||
	    (size > 0 && pwrite(mfd, data, size, 0) != (ssize_t)size) ||
	    lseek(mfd, 0, SEEK_SET) != 0)
		abort();
	return mfd;
}

static void
one(const uint8_t *data, size_t size, unsigned workers)
{
	struct conn_set cs, again;
	struct statefile_outcome out;
	struct statefile_hdr h;
	struct same same;
	long n;

	set_create(&cs, workers);
	n = statefile_restore(as_file(data, size), &cs, &st, NOW, WALL, &out);
	check_outcome(n, &out, &cs, size);
	/* the log line's words, whole or cut to a small buffer */
	if (n >= 0) {
		char text[300], cut[12];
		int len = statefile_outcome_text(&out, text, sizeof(text));

		if (len <= 0 || (size_t)len >= sizeof(text) ||
		    strlen(text) != (size_t)len ||
		    statefile_outcome_text(&out, cut, sizeof(cut)) != len ||
		    strncmp(cut, text, sizeof(cut) - 1) != 0)
			abort();
	}
	check_set(&cs, NOW);

	/* time passes: what was due expires, links and counts hold */
	for (unsigned i = 0; i < cs.n; i++)
		conn_expire(cs.w[i], &st, NOW + LATER, UINT32_MAX);
	if (cs.tmpl != cs.w[0])
		conn_expire(cs.tmpl, &st, NOW + LATER, UINT32_MAX);
	check_set(&cs, NOW + LATER);

	/* saved and restored again (by its own wall clock: no time lost),
	 * everything comes back as it was */
	n = statefile_save(mfd, &cs, NOW + LATER);
	if (n != (long)conn_set_count(&cs) ||
	    pread(mfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    lseek(mfd, 0, SEEK_SET) != 0)
		abort();
	set_create(&again, workers);
	if (statefile_restore(mfd, &again, &st, NOW + LATER, h.saved_at,
	    &out) != n || out.skipped != 0 || out.truncated || out.trailing)
		abort();
	same = (struct same){ .a = &cs, .b = &again };
	conn_set_walk(&cs, check_same, &same);
	if (same.n != conn_set_count(&again))
		abort();
	conn_set_flush(&again, &st);
	conn_set_destroy(&again);
	check_set(&cs, NOW + LATER);

	/* flushed: nothing left, every count back to 0 */
	conn_set_flush(&cs, &st);
	if (conn_set_count(&cs) != 0)
		abort();
	for (struct svc *s = st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (s->dests[i]->activeconns != 0 ||
			    s->dests[i]->inactconns != 0 ||
			    s->dests[i]->persistconns != 0 ||
			    s->dests[i]->refcnt != 1)
				abort();
	conn_set_destroy(&cs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		/* the daemon's log is not what is being fuzzed (fd 2, where
		 * libFuzzer and the sanitizers write, stays) */
		if ((stderr = fopen("/dev/null", "w")) == NULL)
			abort();
		rules();
		ready = 1;
	}
	one(data, size, 1);
	one(data, size, 2);
	return 0;
}

#else /* STATEFILE_SEEDS */

/* TCP/UDP client:cport -> vip:vport */
static struct conn_key
key(uint8_t proto, const char *client, uint16_t cport, const char *vip,
    uint16_t vport)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = strchr(vip, ':') ? AF_INET6 : AF_INET;
	k.protocol = proto;
	inet_pton(k.af, client, &k.caddr);
	inet_pton(k.af, vip, &k.vaddr);
	k.cport = htons(cport);
	k.vport = htons(vport);
	return k;
}

static struct svc *
svc_of(const struct conn_key *k)
{
	struct svc *s = svc_find(&st, k->af, k->protocol, &k->vaddr,
	    ntohs(k->vport));

	if (s == NULL)
		s = svc_find(&st, k->af, k->protocol, &k->vaddr, 0);
	if (s == NULL)
		abort();
	return s;
}

/* the real server of k's service whose address ends in last */
static struct dest *
rs(const struct conn_key *k, int last)
{
	struct svc *s = svc_of(k);

	for (uint32_t i = 0; i < s->ndests; i++)
		if (s->dests[i]->conf.addr.b[k->af == AF_INET6 ? 15 : 3] ==
		    last)
			return s->dests[i];
	abort();
}

/* a connection in state s, placed by tmpl (may be NULL) */
static struct conn *
conn(struct conn_set *cs, const struct conn_key *k, int last,
    enum conn_state s, struct conn *tmpl)
{
	struct conn_table *t = conn_set_table(cs, k);
	struct conn *c = conn_insert(t, k, rs(k, last), NOW);

	if (c == NULL)
		abort();
	if (tmpl != NULL)
		conn_set_control(t, c, tmpl);
	conn_restore(t, c, s, conn_state_active(k->protocol, s),
	    NOW + conn_timeout(t, k->protocol, s));
	return c;
}

/* the template of k's client group, to the real server ending in last */
static struct conn *
tmpl(struct conn_set *cs, const struct conn_key *k, int last)
{
	struct conn_key tk;
	struct conn *c;

	conn_template_key(svc_of(k), k, &tk);
	if ((c = conn_lookup(cs->tmpl, &tk)) != NULL)
		return c;
	if ((c = conn_template_insert(cs->tmpl, &tk, rs(k, last), NOW,
	    svc_of(k)->conf.timeout)) == NULL)
		abort();
	return c;
}

static void
persistent(struct conn_set *cs, int clients, int per)
{
	for (int i = 0; i < clients; i++) {
		char a[64];
		struct conn_key k;
		struct conn *t;

		snprintf(a, sizeof(a), "198.18.1.%d", 10 + i);
		for (int j = 0; j < per; j++) {
			k = key(IPPROTO_TCP, a, (uint16_t)(40000 + j),
			    "198.18.0.1", 443);
			t = tmpl(cs, &k, 7 + i % 2);
			conn(cs, &k, 7 + i % 2, j % 3 == 2 ? CONN_S_FIN_WAIT :
			    CONN_S_ESTABLISHED, t);
		}
		/* a port-0 service: one template for the /24, any port */
		k = key(IPPROTO_TCP, a, 50000, "198.18.0.3",
		    (uint16_t)(22 + i));
		conn(cs, &k, 8, CONN_S_ESTABLISHED, tmpl(cs, &k, 8));
		snprintf(a, sizeof(a), "2001:db8:1::%d", 10 + i);
		k = key(IPPROTO_TCP, a, 40000, "2001:db8::1", 80);
		conn(cs, &k, 7 + i % 2, CONN_S_SYN_RECV,
		    tmpl(cs, &k, 7 + i % 2));
	}
}

static void
mixed(struct conn_set *cs)
{
	for (int s = 0; s < CONN_S_LAST; s++) {
		struct conn_key k = key(IPPROTO_TCP, "198.18.0.100",
		    (uint16_t)(30000 + s), "198.18.0.1", 80);

		conn(cs, &k, 7 + s % 2, (enum conn_state)s, NULL);
	}
	for (int i = 0; i < 2; i++) {
		struct conn_key k = key(IPPROTO_UDP, "198.18.0.101",
		    (uint16_t)(5353 + i), "198.18.0.1", 53);

		conn(cs, &k, 7, CONN_S_NONE, NULL);
		k = key(IPPROTO_UDP, "2001:db8:2::1", (uint16_t)(5353 + i),
		    "2001:db8::1", 53);
		conn(cs, &k, 7, CONN_S_NONE, NULL);
	}
	persistent(cs, 2, 2);
}

/* what statefile_save writes of cs, as saved `ago` seconds before WALL */
static size_t
saved(struct conn_set *cs, uint64_t ago, uint8_t *buf, size_t cap)
{
	FILE *f = tmpfile();
	int fd = fileno(f);
	struct statefile_hdr h;
	ssize_t n;

	if (statefile_save(fd, cs, NOW) < 0 ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		abort();
	/* a fixed clock: the same seeds on every run */
	h.saved_at = WALL - ago;
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    (n = pread(fd, buf, cap, 0)) < 0 || (size_t)n == cap)
		abort();
	fclose(f);
	return (size_t)n;
}

static void
put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* one seed: a set of `workers` filled by fill, saved, flushed */
static void
seed(const char *dir, const char *name, unsigned workers,
    void (*fill)(struct conn_set *), uint64_t ago)
{
	static uint8_t buf[1 << 16];
	struct conn_set cs;
	size_t len;

	/* larger than the fuzzed sets: a seed may overfill them */
	if (conn_set_create(&cs, workers, 256) != 0)
		abort();
	if (fill != NULL)
		fill(&cs);
	len = saved(&cs, ago, buf, sizeof(buf));
	conn_set_flush(&cs, &st);
	conn_set_destroy(&cs);
	put(dir, name, buf, len);
}

static void
fill_one(struct conn_set *cs)
{
	struct conn_key k = key(IPPROTO_TCP, "198.18.0.100", 40000,
	    "198.18.0.1", 80);

	conn(cs, &k, 7, CONN_S_ESTABLISHED, NULL);
}
static void
fill_persist(struct conn_set *cs)
{
	persistent(cs, 3, 3);
}

/* more than the fuzzed sets hold */
static void
fill_full(struct conn_set *cs)
{
	persistent(cs, 1, 30);
}

/* issue 15's files: records 1 a template of :443, 2 and 3 its
 * connections, 4 a connection to :80 */
static size_t
base(uint8_t *buf, size_t cap)
{
	struct conn_set cs;
	struct conn_key k;
	struct conn *t;
	size_t len;

	set_create(&cs, 2);
	k = key(IPPROTO_TCP, "198.18.1.10", 1000, "198.18.0.1", 443);
	t = tmpl(&cs, &k, 8);
	conn(&cs, &k, 8, CONN_S_ESTABLISHED, t);
	k.cport = htons(1001);
	conn(&cs, &k, 8, CONN_S_ESTABLISHED, t);
	k = key(IPPROTO_TCP, "198.18.1.10", 1002, "198.18.0.1", 80);
	conn(&cs, &k, 7, CONN_S_ESTABLISHED, NULL);
	len = saved(&cs, 0, buf, cap);
	conn_set_flush(&cs, &st);
	conn_set_destroy(&cs);
	return len;
}

int
main(int argc, char **argv)
{
	uint8_t buf[4096];
	struct statefile_rec r;
	size_t len, at, last;

	if (argc != 3) {
		fprintf(stderr, "usage: %s corpus-dir regress-dir\n", argv[0]);
		return 2;
	}
	rules();
	seed(argv[1], "empty", 1, NULL, 0);
	seed(argv[1], "one", 1, fill_one, 0);
	seed(argv[1], "mixed", 1, mixed, 0);
	seed(argv[1], "mixed-workers", 2, mixed, 0);
	seed(argv[1], "mixed-aged", 1, mixed, 100);
	seed(argv[1], "persist-workers", 2, fill_persist, 0);
	seed(argv[1], "full", 1, fill_full, 0);

	/* a connection whose template is another connection's record: an
	 * out-of-bounds write at start-up with workers */
	len = base(buf, sizeof(buf));
	last = 0;
	for (at = sizeof(struct statefile_hdr); at + sizeof(r) <= len;
	    at += sizeof(r)) {
		memcpy(&r, buf + at, sizeof(r));
		if (r.control != 0)
			last = at;
	}
	/* the last linked one (record 3 or 4) names the record before it,
	 * a connection */
	memcpy(&r, buf + last, sizeof(r));
	if (last == 0 || r.self < 3)
		abort();
	r.control = r.self - 1;
	memcpy(buf + last, &r, sizeof(r));
	put(argv[2], "badlink-to-connection", buf, len);
	/* cut 10 bytes into its last record: "Protocol error" after
	 * restoring the others */
	len = base(buf, sizeof(buf));
	put(argv[2], "truncated-record", buf, len - sizeof(r) + 10);
	/* cut inside the header, after the magic */
	put(argv[2], "truncated-header", buf, sizeof(struct statefile_hdr) - 5);
	return 0;
}

#endif /* STATEFILE_SEEDS */
