/*
 * The connection table across a restart: save, then restore into a fresh
 * table with the same rules; every connection comes back with its real
 * server, state, remaining time and persistence link, and the counters
 * (ActiveConn, InActConn, PersistConn) come out as they were.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fanout.h"
#include "statefile.h"
#include "fixtures.h"
#include "sched.h"
#include "expect.h"

/* the wall clock the file in fd was saved at: the restore's, so that no
 * second passes between them */
static uint64_t
saved_at(int fd)
{
	struct statefile_hdr h;

	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return 0;
	return h.saved_at;
}

static void
rules(struct svc_table *st)
{
	svc_table_init(st);
	fx_svc(st, DRLB_CTL_ADD_SVC, 80, "wlc");
	fx_svc_persist(st, DRLB_CTL_ADD_SVC, 443, "wlc", 300, 0xffffffff);
	for (int p = 0; p < 2; p++)
		for (int i = 7; i <= 8; i++)
			fx_dest(st, DRLB_CTL_ADD_DEST, p ? 443 : 80, i, 1);
}

/*
 * With workers: a state file (or a sync message) puts each connection in
 * the table of the worker the kernel will give its frames (fanout.h), the
 * persistence templates in the one shared table, and the links between
 * them still hold.  A -M /24 client group shares one template across
 * workers.
 */
static void
test_workers(void)
{
	struct svc_table a, b;
	struct conn_set A, B;
	char path[] = "/tmp/drlb-state-XXXXXX";
	int fd = mkstemp(path), wrong = 0, unlinked = 0;
	unsigned per[2] = { 0, 0 };
	struct conn_key tk;
	struct conn *tmpl;
	struct statefile_outcome out;
	long n;

	rules(&a);
	rules(&b);
	EXPECT_EQ(conn_set_create(&A, 2, 1024), 0, "a 2-worker set");
	EXPECT_EQ(conn_set_create(&B, 2, 1024), 0, "another");
	EXPECT(A.tmpl != A.w[0] && A.tmpl != A.w[1], "templates apart");
	conn_set_hooks(&A, &a, NULL, NULL, NULL);
	conn_set_hooks(&B, &b, NULL, NULL, NULL);
	/* one template for the client group 198.18.0.0/24 on :443 */
	tk = fx_key(443, 0);
	tk.caddr.b[3] = 0;
	tk.af |= CONN_KEY_TEMPLATE;
	EXPECT(conn_set_table(&A, &tk) == A.tmpl,
	    "a template key: the shared table");
	tmpl = conn_template_insert(A.tmpl, &tk, fx_dest_find(&a, 443, 8), 10,
	    300);
	for (int i = 0; i < 64; i++) {
		struct conn_key k = fx_key(443, (uint16_t)(3000 + i));
		struct conn_table *t;
		struct conn *c;

		k.caddr.b[3] = (uint8_t)(100 + i);
		t = conn_set_table(&A, &k);
		c = conn_insert(t, &k, fx_dest_find(&a, 443, 8), 10);
		conn_set_control(t, c, tmpl);
		conn_seen(t, c, CONN_TCP_SYN, 10);
		conn_seen(t, c, CONN_TCP_ACK, 10);
	}
	EXPECT_EQ(conn_n_control(A.tmpl, tmpl), 64,
	    "one template controls the group's 64 connections in both tables");
	EXPECT(conn_count(A.w[0]) > 10 && conn_count(A.w[1]) > 10,
	    "the 64 clients spread over both workers");
	EXPECT_EQ(conn_set_count(&A), 65, "the set counts all tables");
	n = statefile_save(fd, &A, 20);
	EXPECT_EQ(n, 65, "65 entries saved from three tables");
	lseek(fd, 0, SEEK_SET);
	n = statefile_restore(fd, &B, &b, 100, saved_at(fd), &out);
	EXPECT_EQ(n, 65, "65 restored");
	tmpl = conn_lookup(B.tmpl, &tk);
	EXPECT(tmpl != NULL, "the template is in the shared table");
	for (int i = 0; i < 64; i++) {
		struct conn_key k = fx_key(443, (uint16_t)(3000 + i));
		unsigned w = fanout_worker(AF_INET, &k.caddr, 2);
		struct conn *c;

		k.caddr.b[3] = (uint8_t)(100 + i);
		w = fanout_worker(AF_INET, &k.caddr, 2);
		c = conn_lookup(B.w[w], &k);
		if (c == NULL || conn_lookup(B.w[!w], &k) != NULL)
			wrong++;
		else {
			per[w]++;
			if (conn_control(B.w[w], c) != tmpl ||
			    conn_set_owner(&B, c) != B.w[w])
				unlinked++;
		}
	}
	EXPECT_EQ(wrong, 0, "each connection in its client's worker's table");
	EXPECT_EQ(unlinked, 0, "each still controlled by the shared template");
	EXPECT_EQ(per[0] + per[1], 64, "all 64");
	EXPECT(tmpl != NULL && conn_n_control(B.tmpl, tmpl) == 64,
	    "the template controls 64 after the restore");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns, 64, "ActiveConn 64");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->persistconns, 1, "PersistConn 1");
	conn_set_flush(&B, &b);
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns +
	    fx_dest_find(&b, 443, 8)->persistconns, 0,
	    "flushing the set uncounts everything");
	conn_set_flush(&A, &a);
	conn_set_destroy(&A);
	conn_set_destroy(&B);
	svc_table_free(&a);
	svc_table_free(&b);
	close(fd);
	unlink(path);
}

/* ------------------------------------------------------------ hostile files */

/*
 * A state file read as hostile: files statefile_save wrote, then edited
 * as a hand or a disk might.  Each is restored into 1 and 2 workers; what
 * is restored must hold together (every link a template of the same real
 * server, each template's count its connections', the real servers'
 * counts the entries') and flush back to nothing.
 */
#define IMG_RECS 48

struct image {
	struct statefile_hdr h;
	struct statefile_rec r[IMG_RECS];
};

/* records 1: a template of 443 to .8; 2, 3: its connections from ports
 * 1000 and 1001 (established); 4: a port-80 connection to .7 */
static void
image_base(struct image *im)
{
	struct svc_table st;
	struct conn_set cs;
	struct conn_key k, tk = fx_key(443, 0);
	struct conn *tmpl, *c;
	FILE *f = tmpfile();
	int fd = fileno(f);

	rules(&st);
	conn_set_create(&cs, 1, 64);
	tk.af |= CONN_KEY_TEMPLATE;
	tmpl = conn_template_insert(cs.tmpl, &tk, fx_dest_find(&st, 443, 8), 10, 300);
	for (int i = 0; i < 3; i++) {
		k = fx_key(i < 2 ? 443 : 80, (uint16_t)(1000 + i));
		c = conn_insert(cs.w[0], &k, fx_dest_find(&st, i < 2 ? 443 : 80,
		    i < 2 ? 8 : 7), 10);
		if (i < 2)
			conn_set_control(cs.w[0], c, tmpl);
		conn_seen(cs.w[0], c, CONN_TCP_SYN, 10);
		conn_seen(cs.w[0], c, CONN_TCP_ACK, 10);
	}
	memset(im, 0, sizeof(*im));
	if (statefile_save(fd, &cs, 20) != 4 ||
	    pread(fd, im, sizeof(im->h) + 4 * sizeof(im->r[0]), 0) !=
	    (ssize_t)(sizeof(im->h) + 4 * sizeof(im->r[0])))
		abort();
	/* the records in the order above (statefile_save's walk is the
	 * timer wheel's: sort the connections by port) */
	for (int i = 1; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (ntohs(im->r[j].key.cport) <
			    ntohs(im->r[i].key.cport)) {
				struct statefile_rec x = im->r[i];

				im->r[i] = im->r[j];
				im->r[j] = x;
			}
	for (uint32_t i = 0; i < 4; i++) {
		im->r[i].self = i + 1;
		im->r[i].control = i == 1 || i == 2 ? 1 : 0;
	}
	fclose(f);
	conn_set_flush(&cs, &st);
	conn_set_destroy(&cs);
	svc_table_free(&st);
}

struct restored {
	struct svc_table st;
	struct conn_set cs;
	struct statefile_outcome out;
	long n;
};

struct walk {
	struct restored *x;
	int bad;
};

static int
check_entry(struct conn *c, void *arg)
{
	struct walk *w = arg;
	struct conn_set *cs = &w->x->cs;
	struct conn_table *t = conn_set_owner(cs, c);
	struct conn *tmpl;
	struct conn_key k;

	conn_key_get(c, &k);
	if (t == NULL || conn_lookup(t, &k) != c ||
	    conn_set_table(cs, &k) != t ||
	    ((c->flags & CONN_F_TEMPLATE) != 0) !=
	    (t == cs->tmpl && (k.af & CONN_KEY_TEMPLATE) != 0))
		w->bad++;
	if ((c->flags & CONN_F_TEMPLATE) == 0 &&
	    (tmpl = conn_control(t, c)) != NULL &&
	    (!(tmpl->flags & CONN_F_TEMPLATE) || tmpl->dest != c->dest ||
	    conn_set_owner(cs, tmpl) != cs->tmpl))
		w->bad++;
	return 0;
}

/* the first len bytes of im, restored into a set of n workers */
static void
image_restore(const struct image *im, size_t len, unsigned n,
    struct restored *x)
{
	FILE *f = tmpfile();
	int fd = fileno(f);

	rules(&x->st);
	if (conn_set_create(&x->cs, n, 64) != 0 ||
	    write(fd, im, len) != (ssize_t)len)
		abort();
	conn_set_hooks(&x->cs, &x->st, NULL, NULL, NULL);
	lseek(fd, 0, SEEK_SET);
	x->n = statefile_restore(fd, &x->cs, &x->st, 100, im->h.saved_at,
	    &x->out);
	fclose(f);
}

/* the restored tables hold together; flushed, nothing is left */
static void
image_done(struct restored *x, const char *what)
{
	struct walk w = { .x = x };
	char msg[160];
	uint32_t active = 0, inact = 0, persist = 0, refs = 0;

	conn_set_walk(&x->cs, check_entry, &w);
	snprintf(msg, sizeof(msg), "%s: the restored entries hold together",
	    what);
	EXPECT_EQ(w.bad, 0, msg);
	snprintf(msg, sizeof(msg), "%s: the tables hold what was restored",
	    what);
	EXPECT_EQ(conn_set_count(&x->cs), x->n < 0 ? 0 : x->n, msg);
	conn_set_flush(&x->cs, &x->st);
	for (struct svc *s = x->st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			active += s->dests[i]->activeconns;
			inact += s->dests[i]->inactconns;
			persist += s->dests[i]->persistconns;
			refs += s->dests[i]->refcnt - 1;
		}
	snprintf(msg, sizeof(msg), "%s: flushed, no count or reference left",
	    what);
	EXPECT_EQ(conn_set_count(&x->cs) + active + inact + persist + refs, 0,
	    msg);
	conn_set_destroy(&x->cs);
	svc_table_free(&x->st);
}

#define IMG_LEN(nrec) (sizeof(struct statefile_hdr) + \
	(size_t)(nrec) * sizeof(struct statefile_rec))

/*
 * The two files of issue 15.  A connection whose template is the record
 * of another connection: linked unchecked, it wrote out of bounds with
 * workers (the template's index taken in the shared table) and corrupted
 * the links without.  A file cut inside a record: what came before was
 * restored, then the whole restore reported "Protocol error".
 */
static void
test_crafted(void)
{
	struct image im;
	struct restored x;
	char text[256];

	image_base(&im);
	im.r[2].control = 2;		/* 1001's template: 1000's record */
	for (unsigned n = 1; n <= 2; n++) {
		struct conn_key k = fx_key(443, 1001), tk = fx_key(443, 0);
		struct conn *tmpl;

		tk.af |= CONN_KEY_TEMPLATE;
		image_restore(&im, IMG_LEN(4), n, &x);
		EXPECT_EQ(x.n, 3, n == 1 ? "link to a connection, 1 worker: "
		    "the other 3 restored" : "link to a connection, 2 workers: "
		    "the other 3 restored");
		EXPECT_EQ(x.out.why[STATEFILE_BADLINK], 1,
		    "... the one skipped as a bad template link");
		EXPECT(conn_lookup(conn_set_table(&x.cs, &k), &k) == NULL,
		    "... it is not in the table");
		tmpl = conn_lookup(x.cs.tmpl, &tk);
		EXPECT(tmpl != NULL && conn_n_control(x.cs.tmpl, tmpl) == 1,
		    "... the template controls 1000 only");
		image_done(&x, n == 1 ? "bad link, 1 worker" :
		    "bad link, 2 workers");
	}

	image_base(&im);
	image_restore(&im, IMG_LEN(3) + 10, 2, &x);
	EXPECT_EQ(x.n, 3, "cut inside the 4th record: the 3 whole restored");
	EXPECT(x.out.truncated && x.out.whole == 3 && x.out.count == 4,
	    "... and the file said to be truncated, 3 of 4");
	EXPECT_EQ(x.out.skipped, 0, "... nothing skipped");
	statefile_outcome_text(&x.out, text, sizeof(text));
	EXPECT_STR(text, "the file is truncated: 3 of 4 records",
	    "... in the log line's words");
	image_done(&x, "truncated");
}

/* one field of one record edited: skipped for the reason given */
enum edit {
	E_AF,
	E_AF_TMPLBIT,
	E_AF_CONN_TMPLBIT,
	E_DAF,
	E_PROTO,
	E_STATE,
	E_STATE_TMPL,
	E_FLAG,
	E_FLAG_CONN,
	E_PAD,
	E_SELF,
	E_CTL_SELF,
	E_CTL_LATER,
	E_CTL_FAR,
	E_CTL_TMPL,
	E_TMO0,
	E_TMO_BIG,
	E_TMO_CONN,
	E_TMPL_PORT,
	E_OTHER_RS,
	E_EXPIRED,
	E_GONE,
	E_DUP,
};

struct edit_case {
	const char *what;
	int rec;			/* 0-based */
	enum edit e;
	enum statefile_skip why;
};

static void
edit(struct statefile_rec *r, enum edit e)
{
	switch (e) {
	case E_AF:
		r->key.af = 7;
		break;
	case E_AF_TMPLBIT:
		r->key.af &= ~CONN_KEY_TEMPLATE;
		break;
	case E_AF_CONN_TMPLBIT:
		r->key.af |= CONN_KEY_TEMPLATE;
		break;
	case E_DAF:
		r->daf = 0;
		break;
	case E_PROTO:
		r->key.protocol = IPPROTO_ICMP;
		break;
	case E_STATE:
		r->state = CONN_S_LAST;
		break;
	case E_STATE_TMPL:
		r->state = 1;
		break;
	case E_FLAG:
		r->template = 2;
		break;
	case E_FLAG_CONN:
		r->template = 1;
		break;
	case E_PAD:
		r->pad = 1;
		break;
	case E_SELF:
		r->self = 9;
		break;
	case E_CTL_SELF:
		r->control = r->self;
		break;
	case E_CTL_LATER:
		r->control = 4;
		break;
	case E_CTL_FAR:
		r->control = 0xffffffff;
		break;
	case E_CTL_TMPL:
		r->control = 1;
		break;
	case E_TMO0:
		r->timeout = 0;
		break;
	case E_TMO_BIG:
		r->timeout = 0x1000000;
		break;
	case E_TMO_CONN:
		r->timeout = 300;
		break;
	case E_TMPL_PORT:
		r->key.cport = htons(1);
		break;
	case E_OTHER_RS:
		r->daddr.b[3] = 7;
		break;
	case E_EXPIRED:
		r->left = 0;
		break;
	case E_GONE:
		r->dport = 81;
		break;
	case E_DUP:
		r->key.cport = htons(1000);
		break;
	}
}

static void
test_edits(void)
{
	static const struct edit_case edits[] = {
		{ "an unknown family", 3, E_AF, STATEFILE_MALFORMED },
		{ "a template without the template key", 0, E_AF_TMPLBIT,
		    STATEFILE_MALFORMED },
		{ "a connection with a template's key", 3, E_AF_CONN_TMPLBIT,
		    STATEFILE_MALFORMED },
		{ "a real server of no family", 3, E_DAF, STATEFILE_MALFORMED },
		{ "ICMP", 3, E_PROTO, STATEFILE_MALFORMED },
		{ "a TCP state past the last", 3, E_STATE,
		    STATEFILE_MALFORMED },
		{ "a template with a state", 0, E_STATE_TMPL,
		    STATEFILE_MALFORMED },
		{ "a template flag of 2", 3, E_FLAG, STATEFILE_MALFORMED },
		{ "a connection flagged a template", 3, E_FLAG_CONN,
		    STATEFILE_MALFORMED },
		{ "padding not zero", 3, E_PAD, STATEFILE_MALFORMED },
		{ "a record out of its place", 3, E_SELF, STATEFILE_MALFORMED },
		{ "a connection its own template", 3, E_CTL_SELF,
		    STATEFILE_MALFORMED },
		{ "a template later in the file", 2, E_CTL_LATER,
		    STATEFILE_MALFORMED },
		{ "a template past the file", 2, E_CTL_FAR,
		    STATEFILE_MALFORMED },
		{ "a template with a template", 0, E_CTL_TMPL,
		    STATEFILE_MALFORMED },
		{ "a template of timeout 0", 0, E_TMO0, STATEFILE_MALFORMED },
		{ "a template of timeout 2^24", 0, E_TMO_BIG,
		    STATEFILE_MALFORMED },
		{ "a connection with a timeout", 3, E_TMO_CONN,
		    STATEFILE_MALFORMED },
		{ "a template with a client port", 0, E_TMPL_PORT,
		    STATEFILE_MALFORMED },
		{ "a template of another real server", 2, E_OTHER_RS,
		    STATEFILE_BADLINK },
		{ "no time left", 3, E_EXPIRED, STATEFILE_EXPIRED },
		{ "a real server no longer in the rules", 3, E_GONE,
		    STATEFILE_GONE },
		{ "the key of an earlier record", 2, E_DUP,
		    STATEFILE_DUPLICATE },
	};

	for (size_t e = 0; e < sizeof(edits) / sizeof(edits[0]); e++)
		for (unsigned n = 1; n <= 2; n++) {
			const struct edit_case *ed = &edits[e];
			struct image im;
			struct restored x;
			char msg[160];
			long lost;

			image_base(&im);
			edit(&im.r[ed->rec], ed->e);
			image_restore(&im, IMG_LEN(4), n, &x);
			/* a template skipped leaves its connections restored
			 * without it */
			lost = 1;
			if (ed->rec == 0) {
				struct conn_key k = fx_key(443, 1000);
				struct conn_table *t;
				struct conn *c;

				t = conn_set_table(&x.cs, &k);
				c = conn_lookup(t, &k);
				EXPECT(c != NULL && conn_control(t, c) == NULL,
				    "... its connections without it");
			}
			snprintf(msg, sizeof(msg), "%s (%u worker%s): skipped "
			    "as %s, the rest restored", ed->what, n,
			    n > 1 ? "s" : "", statefile_skip_name(ed->why));
			EXPECT(x.n == 4 - lost && x.out.skipped == lost &&
			    x.out.why[ed->why] == lost && !x.out.truncated,
			    msg);
			image_done(&x, ed->what);
		}
}

/* the header's word against the file, the table's bound, the clock */
static void
test_counts(void)
{
	struct image im;
	struct restored x;
	struct conn *c;
	struct conn_key k;
	char text[256];
	size_t len;

	image_base(&im);
	im.h.count = 0xffffffff;
	image_restore(&im, IMG_LEN(4), 2, &x);
	EXPECT(x.n == 4 && x.out.truncated && x.out.whole == 4,
	    "a count past the file's end: its 4 records, truncated");
	image_done(&x, "count past the end");

	image_base(&im);
	image_restore(&im, IMG_LEN(4) + 3, 1, &x);
	EXPECT(x.n == 4 && x.out.trailing && !x.out.truncated,
	    "bytes after the last record: said, the records restored");
	image_done(&x, "trailing bytes");

	/* more connections than a worker's table holds (64 / 2 = 32) */
	image_base(&im);
	for (uint32_t i = 4; i < IMG_RECS; i++) {
		im.r[i] = im.r[3];
		im.r[i].self = i + 1;
		im.r[i].key.cport = htons((uint16_t)(2000 + i));
	}
	im.h.count = IMG_RECS;
	image_restore(&im, IMG_LEN(IMG_RECS), 2, &x);
	EXPECT(x.n + x.out.why[STATEFILE_FULL] == IMG_RECS &&
	    x.out.why[STATEFILE_FULL] > 0 && x.out.skipped ==
	    x.out.why[STATEFILE_FULL],
	    "a worker's table full: the rest skipped as such");
	statefile_outcome_text(&x.out, text, sizeof(text));
	EXPECT(strstr(text, "table full") != NULL, "... and said");
	image_done(&x, "table full");

	/* an expiry far beyond any timeout: the timeout's */
	image_base(&im);
	im.r[3].left = 0xffffffff;
	im.r[0].left = 0xffffffff;
	image_restore(&im, IMG_LEN(4), 1, &x);
	k = fx_key(80, 1002);
	c = conn_lookup(x.cs.w[0], &k);
	EXPECT(c != NULL && c->expires == 100 + 900,
	    "a connection's time left no more than its state's timeout");
	k = fx_key(443, 0);
	k.af |= CONN_KEY_TEMPLATE;
	c = conn_lookup(x.cs.tmpl, &k);
	EXPECT(c != NULL && c->expires == 100 + 300,
	    "a template's no more than its persistence timeout");
	image_done(&x, "clamped");

	/* the clock: a file from the future loses no time, one older than
	 * its entries keeps none */
	image_base(&im);
	im.h.saved_at += 100000;
	len = IMG_LEN(4);
	image_restore(&im, len, 1, &x);
	EXPECT_EQ(x.n, 4, "saved in the future: all restored");
	image_done(&x, "future");

	/* the header alone, cut, or of another record size */
	image_base(&im);
	im.h.count = 0;
	image_restore(&im, sizeof(im.h), 1, &x);
	EXPECT(x.n == 0 && !x.out.truncated && x.out.whole == 0,
	    "a header of no records: nothing, quietly");
	image_done(&x, "empty");
	image_base(&im);
	image_restore(&im, sizeof(im.h) - 4, 1, &x);
	EXPECT(x.n == 0 && x.out.truncated, "a cut header: nothing, truncated");
	statefile_outcome_text(&x.out, text, sizeof(text));
	EXPECT_STR(text, "the file is truncated in its header",
	    "... in the log line's words");
	image_done(&x, "cut header");
	image_base(&im);
	image_restore(&im, 5, 1, &x);
	EXPECT(x.n == -1 && errno == EPROTO,
	    "5 bytes, not our magic: not a state file");
	image_done(&x, "5 bytes");
	image_base(&im);
	im.h.rec_size = sizeof(im.r[0]) + 4;
	image_restore(&im, IMG_LEN(4), 1, &x);
	EXPECT(x.n == -1 && errno == EPROTO,
	    "another record size: not a state file of ours");
	image_done(&x, "record size");

	/* the log line's words for several reasons at once */
	{
		struct statefile_outcome o;

		memset(&o, 0, sizeof(o));
		o.why[STATEFILE_EXPIRED] = 2;
		o.why[STATEFILE_MALFORMED] = 1;
		o.skipped = 3;
		o.truncated = true;
		o.whole = 5;
		o.count = 9;
		statefile_outcome_text(&o, text, sizeof(text));
		EXPECT_STR(text, "2 expired, 1 malformed, the file is "
		    "truncated: 5 of 9 records", "the reasons, in a line");
		memset(&o, 0, sizeof(o));
		statefile_outcome_text(&o, text, sizeof(text));
		EXPECT_STR(text, "none", "no reason: none");
	}
}

int
main(void)
{
	struct svc_table a, b;
	struct conn_table *ta = conn_table_create(256), *tb = conn_table_create(256);
	struct conn_key k, tk;
	struct conn *c, *tmpl;
	char path[] = "/tmp/drlb-state-XXXXXX";
	int fd = mkstemp(path);
	long n;
	struct conn_set sa, sb;
	struct statefile_outcome out;

	conn_set_single(&sa, ta);
	conn_set_single(&sb, tb);
	rules(&a);
	rules(&b);
	/* port 80: 3 connections: established to .7, SYN_RECV to .8, FIN_WAIT to .7 */
	k = fx_key(80, 1000);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 7), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);
	k = fx_key(80, 1001);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 8), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	k = fx_key(80, 1002);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 7), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);
	conn_seen(ta, c, CONN_TCP_FIN, 10);
	/* port 443 persistent: a template to .8 controlling one connection */
	tk = fx_key(443, 0);
	tk.af |= CONN_KEY_TEMPLATE;
	tmpl = conn_template_insert(ta, &tk, fx_dest_find(&a, 443, 8), 10, 300);
	k = fx_key(443, 2000);
	c = conn_insert(ta, &k, fx_dest_find(&a, 443, 8), 10);
	conn_set_control(ta, c, tmpl);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);

	n = statefile_save(fd, &sa, 20);
	EXPECT_EQ(n, 5, "5 entries saved (4 connections, 1 template)");
	lseek(fd, 0, SEEK_SET);
	/* the new process has another clock: now = 1000 */
	n = statefile_restore(fd, &sb, &b, 1000, saved_at(fd), &out);
	EXPECT_EQ(n, 5, "5 entries restored");
	EXPECT_EQ(out.skipped, 0, "none skipped");
	EXPECT_EQ(conn_count(tb), 5, "table holds them");

	k = fx_key(80, 1000);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->dest == fx_dest_find(&b, 80, 7),
	    "connection keeps its real server");
	EXPECT(c != NULL && c->state == CONN_S_ESTABLISHED,
	    "... and its state");
	EXPECT(c != NULL && c->expires == 1000 + 900 - 10,
	    "... and its remaining time");
	k = fx_key(80, 1001);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->state == CONN_S_SYN_RECV &&
	    c->dest == fx_dest_find(&b, 80, 8),
	    "half-open connection restored as such");
	k = fx_key(80, 1002);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->state == CONN_S_FIN_WAIT, "FIN_WAIT restored");
	EXPECT_EQ(fx_dest_find(&b, 80, 7)->activeconns, 1, "ActiveConn as before (.7)");
	EXPECT_EQ(fx_dest_find(&b, 80, 7)->inactconns, 1, "InActConn as before (.7)");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->activeconns, 1,
	    "ActiveConn as before (.8: SYN_RECV is active)");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->inactconns, 0, "InActConn as before (.8)");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->persistconns, 1, "PersistConn as before");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns, 1, "persistent service's ActiveConn");
	k = fx_key(443, 2000);
	c = conn_lookup(tb, &k);
	tmpl = conn_lookup(tb, &tk);
	EXPECT(c != NULL && tmpl != NULL && conn_control(tb, c) == tmpl,
	    "connection still controlled by its template");
	EXPECT(tmpl != NULL && conn_n_control(tb, tmpl) == 1,
	    "template controls 1");

	/* a real server gone from the rules: its connections are skipped */
	{
		struct conn_table *tc = conn_table_create(256);
		struct svc_table c3;

		rules(&c3);
		fx_dest(&c3, DRLB_CTL_DEL_DEST, 80, 7, 0);
		lseek(fd, 0, SEEK_SET);
		struct conn_set sc;

		conn_set_single(&sc, tc);
		n = statefile_restore(fd, &sc, &c3, 50, saved_at(fd), &out);
		EXPECT_EQ(n, 3, "restored what still has a real server");
		EXPECT_EQ(out.skipped, 2,
		    "skipped the 2 of the removed real server");
		EXPECT_EQ(out.why[STATEFILE_GONE], 2,
		    "... as no longer in the rules");
		conn_flush(tc, &c3);
		conn_table_destroy(tc);
		svc_table_free(&c3);
	}
	/* not a state file */
	{
		char junk[64] = "this is not a state file at all, not at all....";

		if (ftruncate(fd, 0) == 0 && write(fd, junk, sizeof(junk)) == 64) {
			lseek(fd, 0, SEEK_SET);
			EXPECT_EQ(statefile_restore(fd, &sb, &b, 1, 0, &out),
			    -1, "a file that is not ours is refused");
		}
	}
	close(fd);
	unlink(path);
	conn_flush(ta, &a);
	conn_flush(tb, &b);
	conn_table_destroy(ta);
	conn_table_destroy(tb);
	svc_table_free(&a);
	svc_table_free(&b);
	test_workers();
	test_crafted();
	test_edits();
	test_counts();
	return EXPECT_DONE();
}
