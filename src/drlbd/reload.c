/*
 * --config and SIGHUP: validate the whole file on a scratch table, then
 * edit the live table towards it.  See reload.h.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "drlbd.h"
#include "log.h"
#include "reload.h"

#define LINE_MAX_LEN	1024
#define WORDS_MAX	64

/* Parse every line of file and apply it to scratch; 0 or -1 with err. */
static int
validate(struct drlbd *d, const char *file, struct svc_table *scratch,
    char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char line[LINE_MAX_LEN];
	int lineno = 0, rc = -1;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *argv[WORDS_MAX], why[DRLB_CTL_ERRMSG_MAX];
		struct drlb_cmd cmd;
		uint16_t op;
		int argc;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", file, lineno);
			goto out_close;
		}
		if ((argc = drlb_cmd_split(line, "drlbd", argv, WORDS_MAX)) < 0) {
			snprintf(err, errlen, "%s:%d: too many words", file, lineno);
			goto out_close;
		}
		if (argc == 1)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		optind = 0;
		if (drlb_cmd_parse(argc, argv, &cmd, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", file, lineno, why);
			goto out_close;
		}
		if ((op = drlb_cmd_ctl_op(cmd.op)) == 0) {
			snprintf(err, errlen, "%s:%d: not a rule (only commands "
			    "that change rules, like -A and -a)", file, lineno);
			goto out_close;
		}
		if (op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) {
			const char *vw = drlbd_kernel_vip_check(d,
			    cmd.req.svc.af, &cmd.req.svc.addr);
			if (vw != NULL) {
				snprintf(err, errlen, "%s:%d: %s", file, lineno, vw);
				goto out_close;
			}
		}
		if (svc_apply(scratch, op, &cmd.req, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", file, lineno,
			    why[0] ? why : "invalid rule");
			goto out_close;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", file);
		goto out_close;
	}
	rc = 0;
out_close:
	fclose(f);
	optind = 0;
	return rc;
}

static int
addr_eq(uint16_t af, const union drlb_inaddr *a, const union drlb_inaddr *b)
{
	return memcmp(a, b, af == AF_INET6 ? 16 : 4) == 0;
}

static struct dest *
dest_find(const struct svc *s, const struct dest *w)
{
	for (uint32_t i = 0; i < s->ndests; i++)
		if (s->dests[i]->conf.port == w->conf.port &&
		    addr_eq(s->conf.af, &s->dests[i]->conf.addr, &w->conf.addr))
			return s->dests[i];
	return NULL;
}

static struct drlb_ctl_req
svc_req(const struct svc *s)
{
	struct drlb_ctl_req r;

	memset(&r, 0, sizeof(r));
	r.svc = s->conf;
	r.svc.flags &= ~(uint32_t)DRLB_SVC_F_HASHED;
	return r;
}

static struct drlb_ctl_req
dest_req(const struct svc *s, const struct dest *d)
{
	struct drlb_ctl_req r = svc_req(s);

	r.dest = d->conf;
	r.dest.conn_flags = DRLB_FWD_DROUTE;
	return r;
}

static void
live_apply(struct drlbd *d, uint16_t op, const struct drlb_ctl_req *r,
    uint32_t *count, struct reload_stats *st)
{
	char why[DRLB_CTL_ERRMSG_MAX];

	if (svc_apply(&d->svcs, op, r, why, sizeof(why)) == 0) {
		(*count)++;
		return;
	}
	st->failed++;
	log_warnx("reload: control op %u failed: %s", op, why);
}

static int
svc_differs(const struct svc *a, const struct svc *b)
{
	uint32_t fa = a->conf.flags & ~(uint32_t)DRLB_SVC_F_HASHED;
	uint32_t fb = b->conf.flags & ~(uint32_t)DRLB_SVC_F_HASHED;

	return strncmp(a->conf.sched_name, b->conf.sched_name,
	    DRLB_SCHED_NAME_MAX) != 0 || fa != fb ||
	    a->conf.timeout != b->conf.timeout ||
	    a->conf.netmask != b->conf.netmask;
}

static int
dest_differs(const struct dest *a, const struct dest *b)
{
	return a->conf.weight != b->conf.weight ||
	    a->conf.u_threshold != b->conf.u_threshold ||
	    a->conf.l_threshold != b->conf.l_threshold;
}

/* Edit the live table towards want. */
static void
sync_live(struct drlbd *d, struct svc_table *want, struct reload_stats *st)
{
	struct svc_table *live = &d->svcs;
	struct drlb_ctl_req r;
	struct svc *s, *next, *w;

	/* services that are gone */
	for (s = live->head; s != NULL; s = next) {
		next = s->next;
		if (svc_find(want, s->conf.af, s->conf.protocol, &s->conf.addr,
		    s->conf.port) != NULL)
			continue;
		r = svc_req(s);
		live_apply(d, DRLB_CTL_DEL_SVC, &r, &st->svc_deleted, st);
	}
	for (w = want->head; w != NULL; w = w->next) {
		s = svc_find(live, w->conf.af, w->conf.protocol, &w->conf.addr,
		    w->conf.port);
		r = svc_req(w);
		if (s == NULL) {
			live_apply(d, DRLB_CTL_ADD_SVC, &r, &st->svc_added, st);
			if ((s = svc_find(live, w->conf.af, w->conf.protocol,
			    &w->conf.addr, w->conf.port)) == NULL)
				continue;
		} else if (svc_differs(s, w))
			live_apply(d, DRLB_CTL_EDIT_SVC, &r, &st->svc_edited, st);
		/* real servers that are gone (from the end: removal shifts
		 * only the ones after) */
		for (uint32_t i = s->ndests; i-- > 0;) {
			if (dest_find(w, s->dests[i]) != NULL)
				continue;
			r = dest_req(s, s->dests[i]);
			live_apply(d, DRLB_CTL_DEL_DEST, &r, &st->dest_deleted, st);
		}
		/* oldest first, so new ones end up in the file's list order
		 * (IPVS puts each new real server at the head) */
		for (uint32_t i = w->ndests; i-- > 0;) {
			const struct dest *wd = w->dests[i], *ld = dest_find(s, wd);

			r = dest_req(w, wd);
			if (ld == NULL)
				live_apply(d, DRLB_CTL_ADD_DEST, &r,
				    &st->dest_added, st);
			else if (dest_differs(ld, wd))
				live_apply(d, DRLB_CTL_EDIT_DEST, &r,
				    &st->dest_edited, st);
		}
	}
	if (memcmp(&live->timeouts, &want->timeouts, sizeof(want->timeouts))) {
		memset(&r, 0, sizeof(r));
		r.timeouts = want->timeouts;
		live_apply(d, DRLB_CTL_SET_TIMEOUT, &r, &st->timeouts_set, st);
		conn_set_timeouts_all(&d->conns, &live->timeouts);
	}
}

int
reload_config(struct drlbd *d, const char *file, struct reload_stats *st,
    char *err, size_t errlen)
{
	struct svc_table scratch;
	int rc;

	memset(st, 0, sizeof(*st));
	svc_table_init(&scratch);	/* no callbacks: no ARP, no filter */
	if ((rc = validate(d, file, &scratch, err, errlen)) == 0)
		sync_live(d, &scratch, st);
	svc_table_free(&scratch);
	return rc;
}
