/*
 * The health-check core: the checks of a keepalived.conf, their timers and
 * attempts in drlbd's poll loop, and what a real server's health does to
 * the live rules.  See health.h.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "clock.h"
#include "drlbd.h"
#include "health.h"
#include "log.h"
#include "loop.h"
#include "rules.h"

#define MISC_LOOK_MS	50	/* how often a running child is looked at */
#define START_SPREAD_MS	10	/* first attempts, one after another */

struct check_vs;

struct check_rs {
	struct check_vs *vs;
	const struct kaconf_rs *conf;
	int32_t weight;			/* configured, or misc_dynamic's */
	int up;				/* every check up */
	struct check *checks;
	uint32_t nchecks;
};

struct check_vs {
	struct health *h;
	const struct kaconf_vs *conf;
	struct check_rs *rs;
	uint32_t nrs;
};

struct health {
	struct drlbd *d;
	struct kaconf k;		/* what vs[]/rs[] point into */
	struct check_vs *vs;
	uint32_t nvs;
	struct check *polled[CHECK_POLLFDS_MAX];
	int npolled;
	int inflight;			/* attempts running */
	uint64_t due;			/* health_tick has work at or after this */
};

/* ---------------------------------------------------------------- rules */

/*
 * The rules a service of the file should have now, on a scratch table: its
 * real servers that are up with their weight, down ones out (or weight 0
 * with inhibit_on_failure), the sorry server exactly while none is up.
 * -1 when the scratch table refuses something (out of memory).
 */
static int
want_svc(const struct check_vs *v, struct svc_table *want)
{
	const struct kaconf_vs *vs = v->conf;
	struct drlb_ctl_req r;
	char why[DRLB_CTL_ERRMSG_MAX];
	int any_up = 0;

	memset(&r, 0, sizeof(r));
	r.svc = vs->conf;
	if (svc_apply(want, DRLB_CTL_ADD_SVC, &r, why, sizeof(why)) != 0)
		return -1;
	r.dest.port = vs->conf.port;		/* DR: the VIP's port */
	r.dest.conn_flags = DRLB_FWD_DROUTE;
	for (uint32_t i = 0; i < v->nrs; i++) {
		const struct check_rs *rs = &v->rs[i];

		any_up |= rs->up;
		if (!rs->up && !rs->conf->inhibit)
			continue;
		r.dest.af = rs->conf->af;
		r.dest.addr = rs->conf->addr;
		r.dest.weight = rs->up ? rs->weight : 0;
		if (svc_apply(want, DRLB_CTL_ADD_DEST, &r, why, sizeof(why)) != 0)
			return -1;
	}
	if (vs->has_sorry && !any_up) {
		r.dest.af = vs->sorry.af;
		r.dest.addr = vs->sorry.addr;
		r.dest.weight = vs->sorry.weight;
		if (svc_apply(want, DRLB_CTL_ADD_DEST, &r, why, sizeof(why)) != 0)
			return -1;
	}
	return 0;
}

/* Bring the live rules of one service (v NULL: of all) to their health. */
static void
refresh(struct health *h, const struct check_vs *v)
{
	struct svc_table want;
	struct rules_diff diff;
	int rc = 0;

	memset(&diff, 0, sizeof(diff));
	svc_table_init(&want);
	for (uint32_t i = 0; i < h->nvs && rc == 0; i++)
		if (v == NULL || v == &h->vs[i])
			rc = want_svc(&h->vs[i], &want);
	if (rc != 0)
		log_warnx("health checks: out of memory; rules unchanged");
	else if (v == NULL)
		rules_converge(h->d, &want, RULES_LOG_EACH, &diff);
	else if (svc_find(&h->d->svcs, v->conf->conf.af, v->conf->conf.protocol,
	    &v->conf->conf.addr, v->conf->conf.port) != NULL)
		/* (a service drlbadm deleted stays deleted) */
		rules_converge_svc(h->d, want.head, RULES_LOG_EACH, &diff);
	svc_table_free(&want);
}

/* ---------------------------------------------------------------- health */

static void
due_at(struct health *h, uint64_t t)
{
	if (t < h->due)
		h->due = t;
}

static void
rs_changed(struct check_rs *rs, const struct check *c)
{
	char rn[64], what[128];
	int up = 1;

	for (uint32_t i = 0; i < rs->nchecks; i++)
		up &= rs->checks[i].up;
	if (up == rs->up)
		return;
	rs->up = up;
	c->ops->describe(c, what, sizeof(what));
	drlb_addrport_str(rn, sizeof(rn), rs->conf->af, &rs->conf->addr, rs->conf->port);
	if (up)
		log_info("real server %s UP (%s: %s, %u success%s)", rn, what,
		    c->why, c->conf.rise, c->conf.rise == 1 ? "" : "es");
	else
		log_warnx("real server %s DOWN (%s: %s, %u failure%s)", rn, what,
		    c->why, c->conf.fall, c->conf.fall == 1 ? "" : "s");
	refresh(rs->vs->h, rs->vs);
}

/* An attempt ended with res (CHECK_OK / CHECK_FAIL). */
static void
finish(struct check *c, int res, uint64_t now, int timed_out)
{
	struct check_rs *rs = c->rs;
	uint32_t dl = rs->vs->conf->delay_loop_ms;
	int was = c->up;

	c->ops->stop(c, timed_out);
	if (c->running) {
		c->running = 0;
		rs->vs->h->inflight--;
	}
	if (res == CHECK_OK) {
		c->fails = 0;
		if (!c->up && ++c->oks >= c->conf.rise) {
			c->up = 1;
			c->oks = 0;
		}
		/* rising: the next attempt soon, as retries go */
		c->next_ms = now + (c->up ? dl : c->conf.delay_before_retry_ms);
		if (c->dyn_weight >= 0 && c->dyn_weight != rs->weight) {
			char rn[64];

			rs->weight = c->dyn_weight;
			drlb_addrport_str(rn, sizeof(rn), rs->conf->af, &rs->conf->addr,
			    rs->conf->port);
			log_info("real server %s: weight %d (%s)", rn,
			    rs->weight, c->why);
			if (rs->up)
				refresh(rs->vs->h, rs->vs);
		}
	} else {
		c->oks = 0;
		if (c->up && ++c->fails >= c->conf.fall) {
			c->up = 0;
			c->fails = 0;
		}
		/* keepalived: retries delay_before_retry apart while up */
		c->next_ms = now + (c->up ? c->conf.delay_before_retry_ms : dl);
		if (c->up)
			log_debug("check of real server: %s (failure %u of %u)",
			    c->why, c->fails, c->conf.fall);
	}
	if (c->up != was)
		rs_changed(rs, c);
	due_at(rs->vs->h, c->next_ms);
}

static void
start(struct check *c, uint64_t now)
{
	int r;

	c->why[0] = '\0';
	c->dyn_weight = -1;
	c->running = 1;
	c->rs->vs->h->inflight++;
	c->deadline_ms = now + (c->conf.type == KACONF_MISC_CHECK ?
	    c->conf.misc_timeout_ms : c->conf.connect_timeout_ms);
	r = c->ops->start(c);
	if (r != CHECK_PENDING)
		finish(c, r, now, 0);
}

#define FOR_EACH_CHECK(h, c)						\
	for (uint32_t vi_ = 0; vi_ < (h)->nvs; vi_++)			\
		for (uint32_t ri_ = 0; ri_ < (h)->vs[vi_].nrs; ri_++)	\
			for (uint32_t ci_ = 0; ci_ < (h)->vs[vi_].rs[ri_].nchecks && \
			    ((c) = &(h)->vs[vi_].rs[ri_].checks[ci_]); ci_++)

/* start due attempts, time out late ones, look at children */
static void
health_tick(void *arg, uint64_t now)
{
	struct health *h = arg;
	struct check *c;
	uint64_t due = UINT64_MAX;

	check_misc_reap();
	FOR_EACH_CHECK(h, c) {
		if (c->running && c->pid > 0) {
			int r = c->ops->step(c, 0);

			if (r != CHECK_PENDING)
				finish(c, r, now, 0);
		}
		if (c->running && now >= c->deadline_ms)
			finish(c, CHECK_FAIL, now, 1);
		if (!c->running && now >= c->next_ms) {
			if (h->inflight < CHECK_POLLFDS_MAX)
				start(c, now);
			else
				c->next_ms = now + START_SPREAD_MS;
		}
		if (c->running) {
			uint64_t t = c->deadline_ms;

			if (c->pid > 0 && now + MISC_LOOK_MS < t)
				t = now + MISC_LOOK_MS;
			if (t < due)
				due = t;
		} else if (c->next_ms < due)
			due = c->next_ms;
	}
	h->due = due;
}

static uint64_t
health_due(void *arg)
{
	return ((struct health *)arg)->due;
}

/* the sockets of attempts in progress */
static int
health_pollfds(void *arg, struct pollfd *pfd, int max)
{
	struct health *h = arg;
	struct check *c;
	int n = 0;

	if (max > CHECK_POLLFDS_MAX)
		max = CHECK_POLLFDS_MAX;
	FOR_EACH_CHECK(h, c) {
		if (n >= max)
			break;
		if (!c->running || c->fd < 0 || c->events == 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->events };
		h->polled[n++] = c;
	}
	h->npolled = n;
	return n;
}

static void
health_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now)
{
	struct health *h = arg;

	for (int i = 0; i < n && i < h->npolled; i++) {
		struct check *c = h->polled[i];
		int r;

		if (pfd[i].revents == 0 || !c->running || c->fd != pfd[i].fd)
			continue;
		if ((r = c->ops->step(c, pfd[i].revents)) != CHECK_PENDING)
			finish(c, r, now, 0);
	}
	h->npolled = 0;
}

const struct loop_source health_source = {
	.name = "health checks",
	.maxfds = CHECK_POLLFDS_MAX,
	.pollfds = health_pollfds,
	.serve = health_serve,
	.due = health_due,
	.tick = health_tick,
};

/* ---------------------------------------------------------------- loading */

static void
set_free(struct check_vs *vs, uint32_t nvs)
{
	for (uint32_t i = 0; i < nvs; i++) {
		for (uint32_t j = 0; j < vs[i].nrs; j++) {
			for (uint32_t k = 0; k < vs[i].rs[j].nchecks; k++) {
				struct check *c = &vs[i].rs[j].checks[k];

				if (c->running)
					c->ops->stop(c, 0);
			}
			free(vs[i].rs[j].checks);
		}
		free(vs[i].rs);
	}
	free(vs);
}

static int
same_svc(const struct drlb_svc_conf *a, const struct drlb_svc_conf *b)
{
	return a->af == b->af && a->protocol == b->protocol &&
	    a->port == b->port && drlb_addr_eq(a->af, &a->addr, &b->addr);
}

/* The health a real server had before a reload, if it was there. */
static const struct check_rs *
old_rs(const struct health *h, const struct kaconf_vs *vs,
    const struct kaconf_rs *rs)
{
	for (uint32_t i = 0; i < h->nvs; i++) {
		if (!same_svc(&h->vs[i].conf->conf, &vs->conf))
			continue;
		for (uint32_t j = 0; j < h->vs[i].nrs; j++) {
			const struct kaconf_rs *o = h->vs[i].rs[j].conf;

			if (o->port == rs->port &&
			    drlb_addr_eq(rs->af, &o->addr, &rs->addr))
				return &h->vs[i].rs[j];
		}
	}
	return NULL;
}

static int
build(struct health *h, const struct kaconf *k, struct check_vs **out,
    uint32_t *nout, uint64_t now)
{
	struct check_vs *vs;
	uint32_t nvs = 0, spread = 0;

	for (const struct kaconf_vs *v = k->vs; v != NULL; v = v->next)
		nvs++;
	if ((vs = calloc(nvs ? nvs : 1, sizeof(*vs))) == NULL)
		return -1;
	nvs = 0;
	for (const struct kaconf_vs *v = k->vs; v != NULL; v = v->next) {
		struct check_vs *cv = &vs[nvs++];
		uint32_t nrs = 0;

		cv->h = h;
		cv->conf = v;
		for (const struct kaconf_rs *r = v->rs; r != NULL; r = r->next)
			nrs++;
		if ((cv->rs = calloc(nrs ? nrs : 1, sizeof(*cv->rs))) == NULL)
			goto out_free;
		for (const struct kaconf_rs *r = v->rs; r != NULL; r = r->next) {
			struct check_rs *rs = &cv->rs[cv->nrs++];
			const struct check_rs *o = old_rs(h, v, r);
			uint32_t n = 0;

			rs->vs = cv;
			rs->conf = r;
			rs->weight = r->weight;
			/* a new real server starts up, as in keepalived
			 * (without alpha); one that stays keeps its health */
			rs->up = o != NULL ? o->up : 1;
			for (const struct kaconf_check *kc = r->checks; kc;
			    kc = kc->next)
				n++;
			if ((rs->checks = calloc(n ? n : 1,
			    sizeof(*rs->checks))) == NULL)
				goto out_free;
			for (const struct kaconf_check *kc = r->checks; kc;
			    kc = kc->next) {
				struct check *c = &rs->checks[rs->nchecks++];

				c->conf = *kc;
				c->conf.next = NULL;
				if (c->conf.misc_timeout_ms == 0)
					c->conf.misc_timeout_ms = v->delay_loop_ms;
				c->ops = kc->type == KACONF_TCP_CHECK ?
				    &check_tcp_ops : kc->type == KACONF_HTTP_GET ?
				    &check_http_ops : &check_misc_ops;
				c->rs = rs;
				c->af = r->af;
				c->addr = r->addr;
				c->port = kc->connect_port ? kc->connect_port :
				    r->port;
				c->fd = -1;
				c->dyn_weight = -1;
				c->up = rs->up;
				c->next_ms = now + (uint64_t)(spread++ %
				    100) * START_SPREAD_MS;
			}
		}
	}
	*out = vs;
	*nout = nvs;
	return 0;
out_free:
	set_free(vs, nvs);
	return -1;
}

int
health_load(struct drlbd *d, const char *file, char *err, size_t errlen)
{
	struct health *h = d->health;
	struct kaconf k;
	struct svc_table scratch;
	struct check_vs *vs;
	uint32_t nvs;
	int rc;

	if (kaconf_parse_file(file, &k, err, errlen) != 0)
		return -1;
	for (const struct kaconf_vs *v = k.vs; v != NULL; v = v->next) {
		char why[512];

		if (rules_vip_check(d, v->conf.af, &v->conf.addr, why,
		    sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", file, v->line, why);
			kaconf_free(&k);
			return -1;
		}
	}
	/* every service and real server through svc_apply, on a copy */
	svc_table_init(&scratch);
	rc = kaconf_to_table(&k, file, &scratch, err, errlen);
	svc_table_free(&scratch);
	if (rc != 0) {
		kaconf_free(&k);
		return -1;
	}
	if (h == NULL && (h = d->health = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", file);
		kaconf_free(&k);
		return -1;
	}
	h->d = d;
	for (uint32_t i = 0; i < k.nskipped; i++)
		if (i < KACONF_SKIPPED_MAX)
			log_info("%s:%d: %s skipped: VRRP and keepalived's "
			    "globals are keepalived's job", file,
			    k.skipped[i].line, k.skipped[i].name);
	if (build(h, &k, &vs, &nvs, clock_ms()) != 0) {
		snprintf(err, errlen, "%s: out of memory", file);
		kaconf_free(&k);
		return -1;
	}
	/* the old checks go (their attempts stopped); health carried over */
	set_free(h->vs, h->nvs);
	kaconf_free(&h->k);
	h->k = k;
	/* vs[].conf points into k's lists, which moved with the struct copy
	 * only by their head pointer: the nodes themselves did not move */
	h->vs = vs;
	h->nvs = nvs;
	h->inflight = 0;
	h->npolled = 0;
	h->due = 0;
	refresh(h, NULL);
	return 0;
}

void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	set_free(h->vs, h->nvs);
	kaconf_free(&h->k);
	check_misc_reap();
	free(h);
}
