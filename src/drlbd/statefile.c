/*
 * The state file (its format: statefile.h).  Saving walks the tables;
 * restoring reads the file as it would anything another hand may have
 * written: every record is checked before any of it reaches a table, a
 * bad one is skipped and counted by reason, and a file that ends early
 * gives what it holds whole.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "drlb/addr.h"
#include "statefile.h"

struct save_ctx {
	struct conn_set *t;
	struct statefile_rec *recs;
	uint32_t n, cap, now;
	int pass;			/* 0: templates, 1: connections */
	struct conn **order;		/* record number - 1 -> entry */
};

static int
collect(struct conn *c, void *arg)
{
	struct save_ctx *x = arg;
	struct statefile_rec *r;
	struct conn *tmpl;

	if (((c->flags & CONN_F_TEMPLATE) != 0) != (x->pass == 0))
		return 0;
	if (x->n == x->cap) {
		uint32_t cap = x->cap ? x->cap * 2 : 1024;
		void *nr = realloc(x->recs, (size_t)cap * sizeof(*r));
		void *no = realloc(x->order, (size_t)cap * sizeof(*x->order));
		if (nr != NULL)
			x->recs = nr;
		if (no != NULL)
			x->order = no;
		if (nr == NULL || no == NULL)
			return -1;
		x->cap = cap;
	}
	r = &x->recs[x->n];
	memset(r, 0, sizeof(*r));
	conn_key_get(c, &r->key);
	r->daddr = c->dest->conf.addr;
	r->dport = c->dest->conf.port;
	r->daf = c->dest->conf.af;
	r->state = (c->flags & CONN_F_TEMPLATE) ? 0 : c->state;
	r->template = (c->flags & CONN_F_TEMPLATE) != 0;
	r->left = c->expires > x->now ? c->expires - x->now : 0;
	r->self = x->n + 1;
	if (r->template)
		r->timeout = conn_template_timeout(c);
	else if ((tmpl = conn_control(conn_set_owner(x->t, c), c)) != NULL)
		for (uint32_t i = 0; i < x->n; i++)
			if (x->order[i] == tmpl) {
				r->control = i + 1;
				break;
			}
	x->order[x->n++] = c;
	return 0;
}

long
statefile_save(int fd, struct conn_set *t, uint32_t now)
{
	struct save_ctx x = { .t = t, .now = now };
	struct statefile_hdr h = { .magic = STATEFILE_MAGIC,
	    .rec_size = sizeof(struct statefile_rec),
	    .saved_at = (uint64_t)time(NULL) };
	long rc = -1;

	for (x.pass = 0; x.pass < 2; x.pass++)
		if (conn_set_walk(t, collect, &x) != 0) {
			errno = ENOMEM;
			goto out;
		}
	h.count = x.n;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h))
		goto out;
	for (size_t off = 0, len = (size_t)x.n * sizeof(*x.recs); off < len;) {
		ssize_t w = write(fd, (char *)x.recs + off, len - off);
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		goto out;
	rc = x.n;
out:
	free(x.recs);
	free(x.order);
	return rc;
}

static struct dest *
find_dest(struct svc_table *st, const struct statefile_rec *r)
{
	uint16_t af = r->key.af & ~CONN_KEY_TEMPLATE;
	uint16_t vport = ntohs(r->key.vport);
	struct svc *s;

	/* the service by VIP:port, or the port-0 service of the VIP */
	s = svc_find(st, af, r->key.protocol, &r->key.vaddr, vport);
	if (s == NULL)
		s = svc_find(st, af, r->key.protocol, &r->key.vaddr, 0);
	if (s == NULL)
		return NULL;
	for (uint32_t i = 0; i < s->ndests; i++) {
		struct dest *d = s->dests[i];

		if (d->conf.af == r->daf && d->conf.port == r->dport &&
		    memcmp(d->conf.addr.b, r->daddr.b,
		    drlb_addr_len(r->daf)) == 0)
			return d;
	}
	return NULL;
}

/* As many of len bytes as the file still has (fewer: it ended, or cannot
 * be read further). */
static size_t
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static bool
af_ok(unsigned af)
{
	return af == AF_INET || af == AF_INET6;
}

/*
 * Is r a record statefile_save could have written, record number self?
 * Nothing a file says reaches the tables unchecked: the key's template
 * bit decides which table an entry goes to (templates: the shared one),
 * so it must agree with the record's flag, and the link a connection
 * names is checked against what the earlier record was.
 */
static bool
rec_ok(const struct statefile_rec *r, uint32_t self)
{
	bool tmpl = (r->key.af & CONN_KEY_TEMPLATE) != 0;

	if (r->self != self || r->template > 1 || tmpl != r->template ||
	    r->pad != 0 || !af_ok(r->key.af & ~CONN_KEY_TEMPLATE) ||
	    !af_ok(r->daf) ||
	    (r->key.protocol != IPPROTO_TCP && r->key.protocol != IPPROTO_UDP))
		return false;
	if (tmpl)
		/* a template: no port, no state, no template of its own, a
		 * timeout as conn_template_insert keeps it */
		return r->key.cport == 0 && r->state == 0 && r->control == 0 &&
		    r->timeout > 0 && r->timeout <= 0xffffff;
	/* a connection: a TCP state, or UDP's none; a link to an earlier
	 * record (checked by the caller) */
	return r->timeout == 0 && r->control < self &&
	    (r->key.protocol == IPPROTO_TCP ? r->state < CONN_S_LAST :
	    r->state == CONN_S_NONE);
}

/* what statefile_restore knows of an earlier record */
struct seen {
	struct conn *c;			/* restored as, or NULL */
	uint8_t kind;			/* SEEN_* */
};
#define SEEN_MALFORMED	0
#define SEEN_CONN	1
#define SEEN_TEMPLATE	2

static void
skip(struct statefile_outcome *out, enum statefile_skip why)
{
	out->why[why]++;
	out->skipped++;
}

long
statefile_restore(int fd, struct conn_set *cs, struct svc_table *st,
    uint32_t now, uint64_t wall, struct statefile_outcome *out)
{
	struct statefile_hdr h;
	struct statefile_rec r;
	struct seen *seen = NULL;
	struct stat sb;
	uint64_t gone;
	uint32_t cap;
	size_t got;

	memset(out, 0, sizeof(*out));
	if ((got = read_full(fd, &h, sizeof(h))) < sizeof(h)) {
		if (got == 0)
			return 0;		/* empty: nothing saved yet */
		if (got >= sizeof(h.magic) && h.magic == STATEFILE_MAGIC) {
			out->truncated = true;
			return 0;
		}
		errno = EPROTO;
		return -1;
	}
	if (h.magic != STATEFILE_MAGIC || h.rec_size != sizeof(r)) {
		errno = EPROTO;
		return -1;
	}
	out->count = h.count;
	/* what the links are checked against, for no more records than the
	 * file holds: the count is the file's word too */
	cap = h.count;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		uint64_t held = sb.st_size > (off_t)sizeof(h) ?
		    ((uint64_t)sb.st_size - sizeof(h)) / sizeof(r) : 0;

		if (held < cap)
			cap = (uint32_t)held;
	}
	if (cap > 0 && (seen = calloc(cap, sizeof(*seen))) == NULL)
		return -1;
	/* the time drlbd was away counts against every entry */
	gone = wall > h.saved_at ? wall - h.saved_at : 0;
	for (uint32_t i = 0; i < h.count; i++) {
		struct conn_table *t;
		struct conn *c, *tmpl = NULL;
		struct dest *d;
		uint32_t left;

		if (i == cap || read_full(fd, &r, sizeof(r)) < sizeof(r)) {
			out->truncated = true;
			break;
		}
		out->whole++;
		if (!rec_ok(&r, i + 1)) {
			skip(out, STATEFILE_MALFORMED);
			continue;
		}
		seen[i].kind = r.template ? SEEN_TEMPLATE : SEEN_CONN;
		/* the table of the worker that will see its frames, or the
		 * templates' (rec_ok: the key says which) */
		t = conn_set_table(cs, &r.key);
		if (r.control > 0) {
			/* its template: an earlier template record of the same
			 * real server, in the table t's connections use.  One
			 * not restored, or malformed itself, leaves the
			 * connection without it, as if it had expired. */
			const struct seen *ts = &seen[r.control - 1];

			if (ts->kind == SEEN_CONN) {
				skip(out, STATEFILE_BADLINK);
				continue;
			}
			tmpl = ts->c;
		}
		/* never longer than its timeout allows now */
		left = r.template ? r.timeout : conn_timeout(t, r.key.protocol,
		    (enum conn_state)r.state);
		if (r.left < left)
			left = r.left;
		if (left <= gone) {
			skip(out, STATEFILE_EXPIRED);
			continue;
		}
		if ((d = find_dest(st, &r)) == NULL) {
			skip(out, STATEFILE_GONE);
			continue;
		}
		if (tmpl != NULL && (tmpl->dest != d ||
		    conn_set_owner(cs, tmpl) != conn_templates(t))) {
			skip(out, STATEFILE_BADLINK);
			continue;
		}
		if (conn_lookup(t, &r.key) != NULL) {
			skip(out, STATEFILE_DUPLICATE);
			continue;
		}
		/* a full table: skipped, as nothing restored gives way to
		 * what comes later in the file */
		if (conn_count(t) >= conn_max(t)) {
			skip(out, STATEFILE_FULL);
			continue;
		}
		if (r.template)
			c = conn_template_insert(t, &r.key, d, now, r.timeout);
		else if ((c = conn_insert(t, &r.key, d, now)) != NULL &&
		    tmpl != NULL)
			conn_set_control(t, c, tmpl);
		if (c == NULL) {
			skip(out, STATEFILE_FULL);
			continue;
		}
		/* counted as the state says (tcp_state_active_table), as it
		 * was when saved */
		conn_restore(t, c, (enum conn_state)r.state,
		    conn_state_active(r.key.protocol, (enum conn_state)r.state),
		    now + (uint32_t)(left - gone));
		seen[i].c = c;
		out->restored++;
	}
	if (!out->truncated && read_full(fd, &r, 1) > 0)
		out->trailing = true;
	free(seen);
	return out->restored;
}

static const char *const skip_names[STATEFILE_NSKIP] = {
	[STATEFILE_EXPIRED]	= "expired",
	[STATEFILE_GONE]	= "no longer in the rules",
	[STATEFILE_DUPLICATE]	= "duplicate",
	[STATEFILE_FULL]	= "table full",
	[STATEFILE_MALFORMED]	= "malformed",
	[STATEFILE_BADLINK]	= "bad template link",
};

const char *
statefile_skip_name(enum statefile_skip why)
{
	return (unsigned)why < STATEFILE_NSKIP ? skip_names[why] : "?";
}

int
statefile_outcome_text(const struct statefile_outcome *out, char *buf,
    size_t len)
{
	int n = 0, w;
	const char *sep = "";

	/* past the end of buf, only counted (no pointer beyond it) */
#define APPEND(...) do {						\
	w = len > (size_t)n ? snprintf(buf + n, len - (size_t)n,	\
	    __VA_ARGS__) : snprintf(NULL, 0, __VA_ARGS__);		\
	if (w < 0)							\
		return -1;						\
	n += w;								\
} while (0)
	if (len > 0)
		buf[0] = '\0';
	for (int i = 0; i < STATEFILE_NSKIP; i++)
		if (out->why[i] > 0) {
			APPEND("%s%ld %s", sep, out->why[i], skip_names[i]);
			sep = ", ";
		}
	if (out->truncated && out->count == 0) {
		APPEND("%sthe file is truncated in its header", sep);
		sep = ", ";
	} else if (out->truncated) {
		APPEND("%sthe file is truncated: %u of %u records", sep,
		    out->whole, out->count);
		sep = ", ";
	}
	if (out->trailing)
		APPEND("%sbytes after the last record ignored", sep);
	if (n == 0)
		APPEND("none");
#undef APPEND
	return n;
}
