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

#include "health.h"
#include "drlbd.h"
#include "est.h"
#include "log.h"

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
	const struct kaconf_vs *conf;
	struct check_rs *rs;
	uint32_t nrs;
};

static struct {
	struct drlbd *d;
	struct kaconf k;		/* what vs[]/rs[] point into */
	struct check_vs *vs;
	uint32_t nvs;
	struct check *polled[CHECK_POLLFDS_MAX];
	int npolled;
	int inflight;			/* attempts running */
	uint64_t due;			/* health_tick has work at or after this */
} S = { .due = UINT64_MAX };

/* ---------------------------------------------------------------- helpers */

static const char *
addrport(char *buf, size_t len, uint16_t af, const union drlb_inaddr *a,
    uint16_t port)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(af, a->b, s, sizeof(s));
	snprintf(buf, len, af == AF_INET6 ? "[%s]:%u" : "%s:%u", s, port);
	return buf;
}

static const char *
svc_name(char *buf, size_t len, const struct kaconf_vs *vs)
{
	char a[64];

	snprintf(buf, len, "%s %s", vs->conf.protocol == IPPROTO_UDP ? "UDP" :
	    "TCP", addrport(a, sizeof(a), vs->conf.af, &vs->conf.addr,
	    vs->conf.port));
	return buf;
}

static struct svc *
live_svc(const struct kaconf_vs *vs)
{
	return svc_find(&S.d->svcs, vs->conf.af, vs->conf.protocol,
	    &vs->conf.addr, vs->conf.port);
}

static struct dest *
live_dest(struct svc *s, uint16_t af, const union drlb_inaddr *a)
{
	for (uint32_t i = 0; i < s->ndests; i++)
		if (memcmp(&s->dests[i]->conf.addr, a,
		    af == AF_INET6 ? 16 : 4) == 0 &&
		    s->dests[i]->conf.port == s->conf.port)
			return s->dests[i];
	return NULL;
}

static void
req_for(struct drlb_ctl_req *r, const struct kaconf_vs *vs, uint16_t af,
    const union drlb_inaddr *a, int32_t weight)
{
	memset(r, 0, sizeof(*r));
	r->svc = vs->conf;
	r->dest.af = af;
	r->dest.addr = *a;
	r->dest.port = vs->conf.port;		/* DR: the VIP's port */
	r->dest.conn_flags = DRLB_FWD_DROUTE;
	r->dest.weight = weight;
}

static int
apply(uint16_t op, const struct drlb_ctl_req *r, const char *what)
{
	char why[DRLB_CTL_ERRMSG_MAX];

	if (svc_apply(&S.d->svcs, op, r, why, sizeof(why)) != 0) {
		log_warnx("%s: %s", what, why[0] ? why : "failed");
		return -1;
	}
	drlbd_est_changed(S.d, op, r);
	return 0;
}

/* The real server (or sorry server) a of vs present with weight w. */
static void
dest_set(const struct kaconf_vs *vs, uint16_t af, const union drlb_inaddr *a,
    int32_t w, const char *role)
{
	struct svc *s = live_svc(vs);
	struct dest *dst;
	struct drlb_ctl_req r;
	char sn[80], rn[64], what[200];

	if (s == NULL)		/* deleted by drlbadm: nothing to do */
		return;
	svc_name(sn, sizeof(sn), vs);
	addrport(rn, sizeof(rn), af, a, vs->conf.port);
	req_for(&r, vs, af, a, w);
	if ((dst = live_dest(s, af, a)) == NULL) {
		snprintf(what, sizeof(what), "%s: adding %s %s", sn, role, rn);
		if (apply(DRLB_CTL_ADD_DEST, &r, what) == 0)
			log_info("%s: %s %s added, weight %d", sn, role, rn, w);
	} else if (dst->conf.weight != w) {
		int32_t was = dst->conf.weight;

		r.dest.u_threshold = dst->conf.u_threshold;
		r.dest.l_threshold = dst->conf.l_threshold;
		snprintf(what, sizeof(what), "%s: weight of %s %s", sn, role, rn);
		if (apply(DRLB_CTL_EDIT_DEST, &r, what) == 0)
			log_info("%s: %s %s weight %d (was %d)", sn, role, rn, w,
			    was);
	}
}

/* The real server (or sorry server) a of vs absent. */
static void
dest_clear(const struct kaconf_vs *vs, uint16_t af, const union drlb_inaddr *a,
    const char *role)
{
	struct svc *s = live_svc(vs);
	struct drlb_ctl_req r;
	char sn[80], rn[64], what[200];

	if (s == NULL || live_dest(s, af, a) == NULL)
		return;
	svc_name(sn, sizeof(sn), vs);
	addrport(rn, sizeof(rn), af, a, vs->conf.port);
	req_for(&r, vs, af, a, 0);
	snprintf(what, sizeof(what), "%s: removing %s %s", sn, role, rn);
	if (apply(DRLB_CTL_DEL_DEST, &r, what) == 0)
		log_info("%s: %s %s removed", sn, role, rn);
}

/*
 * Bring a service's real servers to their health: up ones in with their
 * weight, down ones out (or weight 0 with inhibit_on_failure), the sorry
 * server in exactly while none is up.
 */
static void
vs_refresh(struct check_vs *v)
{
	const struct kaconf_vs *vs = v->conf;
	int any_up = 0;

	for (uint32_t i = 0; i < v->nrs; i++) {
		struct check_rs *rs = &v->rs[i];

		if (rs->up) {
			any_up = 1;
			dest_set(vs, rs->conf->af, &rs->conf->addr, rs->weight,
			    "real server");
		} else if (rs->conf->inhibit)
			dest_set(vs, rs->conf->af, &rs->conf->addr, 0,
			    "real server");
		else
			dest_clear(vs, rs->conf->af, &rs->conf->addr,
			    "real server");
	}
	if (!vs->has_sorry)
		return;
	if (any_up)
		dest_clear(vs, vs->sorry.af, &vs->sorry.addr, "sorry server");
	else
		dest_set(vs, vs->sorry.af, &vs->sorry.addr, vs->sorry.weight,
		    "sorry server");
}

/* ---------------------------------------------------------------- health */

static void
due_at(uint64_t t)
{
	if (t < S.due)
		S.due = t;
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
	addrport(rn, sizeof(rn), rs->conf->af, &rs->conf->addr, rs->conf->port);
	if (up)
		log_info("real server %s UP (%s: %s, %u success%s)", rn, what,
		    c->why, c->conf.rise, c->conf.rise == 1 ? "" : "es");
	else
		log_warnx("real server %s DOWN (%s: %s, %u failure%s)", rn, what,
		    c->why, c->conf.fall, c->conf.fall == 1 ? "" : "s");
	vs_refresh(rs->vs);
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
		S.inflight--;
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
			addrport(rn, sizeof(rn), rs->conf->af, &rs->conf->addr,
			    rs->conf->port);
			log_info("real server %s: weight %d (%s)", rn,
			    rs->weight, c->why);
			if (rs->up)
				vs_refresh(rs->vs);
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
	due_at(c->next_ms);
}

static void
start(struct check *c, uint64_t now)
{
	int r;

	c->why[0] = '\0';
	c->dyn_weight = -1;
	c->running = 1;
	S.inflight++;
	c->deadline_ms = now + (c->conf.type == KACONF_MISC_CHECK ?
	    c->conf.misc_timeout_ms : c->conf.connect_timeout_ms);
	r = c->ops->start(c);
	if (r != CHECK_PENDING)
		finish(c, r, now, 0);
}

#define FOR_EACH_CHECK(c)						\
	for (uint32_t vi_ = 0; vi_ < S.nvs; vi_++)			\
		for (uint32_t ri_ = 0; ri_ < S.vs[vi_].nrs; ri_++)	\
			for (uint32_t ci_ = 0; ci_ < S.vs[vi_].rs[ri_].nchecks && \
			    ((c) = &S.vs[vi_].rs[ri_].checks[ci_]); ci_++)

void
health_tick(uint64_t now)
{
	struct check *c;
	uint64_t due = UINT64_MAX;

	if (now < S.due)
		return;
	check_misc_reap();
	FOR_EACH_CHECK(c) {
		if (c->running && c->pid > 0) {
			int r = c->ops->step(c, 0);

			if (r != CHECK_PENDING)
				finish(c, r, now, 0);
		}
		if (c->running && now >= c->deadline_ms)
			finish(c, CHECK_FAIL, now, 1);
		if (!c->running && now >= c->next_ms) {
			if (S.inflight < CHECK_POLLFDS_MAX)
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
	S.due = due;
}

int
health_pollfds(struct pollfd *pfd, int max)
{
	struct check *c;
	int n = 0;

	if (max > CHECK_POLLFDS_MAX)
		max = CHECK_POLLFDS_MAX;
	FOR_EACH_CHECK(c) {
		if (n >= max)
			break;
		if (!c->running || c->fd < 0 || c->events == 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->events };
		S.polled[n++] = c;
	}
	S.npolled = n;
	return n;
}

void
health_serve(const struct pollfd *pfd, int n, uint64_t now)
{
	for (int i = 0; i < n && i < S.npolled; i++) {
		struct check *c = S.polled[i];
		int r;

		if (pfd[i].revents == 0 || !c->running || c->fd != pfd[i].fd)
			continue;
		if ((r = c->ops->step(c, pfd[i].revents)) != CHECK_PENDING)
			finish(c, r, now, 0);
	}
	S.npolled = 0;
}

int
health_next_ms(uint64_t now)
{
	if (S.due == UINT64_MAX)
		return INT_MAX;
	if (S.due <= now)
		return 0;
	return S.due - now > INT_MAX ? INT_MAX : (int)(S.due - now);
}

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
	    a->port == b->port &&
	    memcmp(&a->addr, &b->addr, a->af == AF_INET6 ? 16 : 4) == 0;
}

/* The health a real server had before a reload, if it was there. */
static const struct check_rs *
old_rs(const struct kaconf_vs *vs, const struct kaconf_rs *rs)
{
	for (uint32_t i = 0; i < S.nvs; i++) {
		if (!same_svc(&S.vs[i].conf->conf, &vs->conf))
			continue;
		for (uint32_t j = 0; j < S.vs[i].nrs; j++) {
			const struct kaconf_rs *o = S.vs[i].rs[j].conf;

			if (o->port == rs->port && memcmp(&o->addr, &rs->addr,
			    rs->af == AF_INET6 ? 16 : 4) == 0)
				return &S.vs[i].rs[j];
		}
	}
	return NULL;
}

static int
build(const struct kaconf *k, struct check_vs **out, uint32_t *nout,
    uint64_t now)
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

		cv->conf = v;
		for (const struct kaconf_rs *r = v->rs; r != NULL; r = r->next)
			nrs++;
		if ((cv->rs = calloc(nrs ? nrs : 1, sizeof(*cv->rs))) == NULL)
			goto out_free;
		for (const struct kaconf_rs *r = v->rs; r != NULL; r = r->next) {
			struct check_rs *rs = &cv->rs[cv->nrs++];
			const struct check_rs *o = old_rs(v, r);
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

static int
svc_differs(const struct svc *s, const struct kaconf_vs *vs)
{
	return strncmp(s->conf.sched_name, vs->conf.sched_name,
	    DRLB_SCHED_NAME_MAX) != 0 ||
	    (s->conf.flags & ~(uint32_t)DRLB_SVC_F_HASHED) != vs->conf.flags ||
	    s->conf.timeout != vs->conf.timeout ||
	    s->conf.netmask != vs->conf.netmask;
}

/* Is dst one of vs's real servers or its sorry server? */
static int
configured(const struct kaconf_vs *vs, const struct dest *dst)
{
	size_t l = vs->conf.af == AF_INET6 ? 16 : 4;

	if (vs->has_sorry && memcmp(&vs->sorry.addr, &dst->conf.addr, l) == 0)
		return 1;
	for (const struct kaconf_rs *r = vs->rs; r != NULL; r = r->next)
		if (memcmp(&r->addr, &dst->conf.addr, l) == 0)
			return 1;
	return 0;
}

/* Bring the live rules to the (installed) file, health included. */
static void
sync_live(void)
{
	struct svc_table *live = &S.d->svcs;
	struct drlb_ctl_req r;
	struct svc *s, *next;
	char sn[80], what[160];

	for (s = live->head; s != NULL; s = next) {
		int keep = 0;

		next = s->next;
		for (uint32_t i = 0; i < S.nvs && !keep; i++)
			keep = same_svc(&s->conf, &S.vs[i].conf->conf);
		if (keep)
			continue;
		memset(&r, 0, sizeof(r));
		r.svc = s->conf;
		r.svc.flags &= ~(uint32_t)DRLB_SVC_F_HASHED;
		snprintf(what, sizeof(what), "%s %s", s->conf.protocol ==
		    IPPROTO_UDP ? "UDP" : "TCP", addrport(sn, sizeof(sn),
		    s->conf.af, &s->conf.addr, s->conf.port));
		if (apply(DRLB_CTL_DEL_SVC, &r, what) == 0)
			log_info("%s: deleted (not in the file)", what);
	}
	for (uint32_t i = 0; i < S.nvs; i++) {
		const struct kaconf_vs *vs = S.vs[i].conf;

		svc_name(sn, sizeof(sn), vs);
		memset(&r, 0, sizeof(r));
		r.svc = vs->conf;
		if ((s = live_svc(vs)) == NULL) {
			snprintf(what, sizeof(what), "adding %s", sn);
			if (apply(DRLB_CTL_ADD_SVC, &r, what) == 0)
				log_info("%s: added, scheduler %s", sn,
				    vs->conf.sched_name);
		} else if (svc_differs(s, vs)) {
			snprintf(what, sizeof(what), "editing %s", sn);
			if (apply(DRLB_CTL_EDIT_SVC, &r, what) == 0)
				log_info("%s: edited, scheduler %s", sn,
				    vs->conf.sched_name);
		}
		if ((s = live_svc(vs)) == NULL)
			continue;
		/* real servers the file no longer has (from the end: a
		 * removal shifts only the ones after it) */
		for (uint32_t j = s->ndests; j-- > 0;) {
			struct dest *dst = s->dests[j];

			if (!configured(vs, dst))
				dest_clear(vs, dst->conf.af, &dst->conf.addr,
				    "real server (not in the file)");
		}
		vs_refresh(&S.vs[i]);
	}
}

int
health_load(struct drlbd *d, const char *file, char *err, size_t errlen)
{
	struct kaconf k;
	struct svc_table scratch;
	struct check_vs *vs;
	uint32_t nvs;
	int rc;

	if (kaconf_parse_file(file, &k, err, errlen) != 0)
		return -1;
	for (const struct kaconf_vs *v = k.vs; v != NULL; v = v->next) {
		const char *why = drlbd_kernel_vip_check(d, v->conf.af,
		    &v->conf.addr);

		if (why != NULL) {
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
	for (uint32_t i = 0; i < k.nskipped; i++)
		if (i < KACONF_SKIPPED_MAX)
			log_info("%s:%d: %s skipped: VRRP and keepalived's "
			    "globals are keepalived's job", file,
			    k.skipped[i].line, k.skipped[i].name);
	S.d = d;
	if (build(&k, &vs, &nvs, drlbd_now_ms()) != 0) {
		snprintf(err, errlen, "%s: out of memory", file);
		kaconf_free(&k);
		return -1;
	}
	/* the old checks go (their attempts stopped); health carried over */
	set_free(S.vs, S.nvs);
	kaconf_free(&S.k);
	S.k = k;
	/* vs[].conf points into k's lists, which moved with the struct copy
	 * only by their head pointer: the nodes themselves did not move */
	S.vs = vs;
	S.nvs = nvs;
	S.inflight = 0;
	S.npolled = 0;
	S.due = 0;
	sync_live();
	return 0;
}

void
health_shutdown(void)
{
	set_free(S.vs, S.nvs);
	S.vs = NULL;
	S.nvs = 0;
	S.inflight = 0;
	kaconf_free(&S.k);
	check_misc_reap();
	S.due = UINT64_MAX;
}
