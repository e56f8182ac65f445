/*
 * State file: a header, then one fixed-size record per entry, templates
 * first so that connections can name the template that placed them.
 * Times are kept as "seconds left", so the file does not depend on the
 * clock of the process that wrote it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "statefile.h"

#define STATE_MAGIC	0x4452424c53544131ull	/* "DRBLSTA1" */

struct state_hdr {
	uint64_t magic;
	uint32_t count;
	uint32_t rec_size;
	uint64_t saved_at;		/* wall clock, s: time passes while stopped */
};

struct state_rec {
	struct conn_key key;
	union drlb_inaddr daddr;	/* the real server */
	uint16_t dport;
	uint16_t daf;
	uint8_t  state;
	uint8_t  template;		/* 1: a persistence template */
	uint16_t pad;
	uint32_t left;			/* seconds to its expiry */
	uint32_t self;			/* this record's number, from 1 */
	uint32_t control;		/* its template's number, 0: none */
	uint32_t timeout;		/* a template's persistence timeout */
};

struct save_ctx {
	struct conn_set *t;
	struct state_rec *recs;
	uint32_t n, cap, now;
	int pass;			/* 0: templates, 1: connections */
	struct conn **order;		/* record number - 1 -> entry */
};

static int
collect(struct conn *c, void *arg)
{
	struct save_ctx *x = arg;
	struct state_rec *r;
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
	struct state_hdr h = { .magic = STATE_MAGIC,
	    .rec_size = sizeof(struct state_rec),
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
find_dest(struct svc_table *st, const struct state_rec *r)
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

long
statefile_restore(int fd, struct conn_set *cs, struct svc_table *st,
    uint32_t now, long *skipped)
{
	struct state_hdr h;
	struct state_rec r;
	struct conn **made = NULL;
	long restored = 0;
	uint64_t wall = (uint64_t)time(NULL), gone;

	*skipped = 0;
	if (read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h)) {
		if (lseek(fd, 0, SEEK_END) == 0)
			return 0;		/* empty: nothing saved yet */
		errno = EPROTO;
		return -1;
	}
	if (h.magic != STATE_MAGIC || h.rec_size != sizeof(r) ||
	    h.count > conn_set_max(cs)) {
		errno = EPROTO;
		return -1;
	}
	/* the time drlbd was away counts against every entry */
	gone = wall > h.saved_at ? wall - h.saved_at : 0;
	if (h.count > 0 && (made = calloc(h.count, sizeof(*made))) == NULL)
		return -1;
	for (uint32_t i = 0; i < h.count; i++) {
		struct conn_table *t;
		struct dest *d;
		struct conn *c;

		if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
			free(made);
			errno = EPROTO;
			return -1;
		}
		/* the table of the worker that will see its frames */
		t = conn_set_table(cs, &r.key);
		if (r.self != i + 1 || r.left <= gone ||
		    (d = find_dest(st, &r)) == NULL ||
		    conn_lookup(t, &r.key) != NULL) {
			(*skipped)++;
			continue;
		}
		if (r.template) {
			c = conn_template_insert(t, &r.key, d, now, r.timeout);
		} else {
			c = conn_insert(t, &r.key, d, now);
			if (c != NULL && r.control > 0 && r.control <= i &&
			    made[r.control - 1] != NULL)
				conn_set_control(t, c, made[r.control - 1]);
		}
		if (c == NULL) {
			(*skipped)++;
			continue;
		}
		/* counted as the state says (tcp_state_active_table), as it
		 * was when saved */
		conn_restore(t, c, (enum conn_state)r.state,
		    conn_state_active(r.key.protocol,
		    (enum conn_state)r.state), now + r.left - (uint32_t)gone);
		made[i] = c;
		restored++;
	}
	free(made);
	return restored;
}
