/*
 * The health-check core: the checks of a keepalived.conf, their timers and
 * attempts in drlbd's poll loop, and what a real server's health does to
 * the live rules.  See health.h.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
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

#define NOTIFY_MAX	32	/* notify scripts running at once */
#define NOTIFY_MS	60000	/* a notify script's time, at most */

struct check_rs {
	struct check_vs *vs;
	const struct kaconf_rs *conf;
	int32_t weight;			/* configured, or misc_dynamic's */
	int up;				/* every check up */
	char name[64];			/* "RIP:port" */
	struct check *checks;
	uint32_t nchecks;
};

struct check_vs {
	struct health *h;
	const struct kaconf_vs *conf;
	int quorum_up;			/* keepalived's quorum_state_up */
	struct check_rs *rs;
	uint32_t nrs;
};

/* a notify_up/down or quorum_up/down script running */
struct notify {
	pid_t pid;
	int fd;				/* its output, or -1 */
	uint64_t deadline;
	char label[200];
	struct check_out out;
};

struct health {
	struct drlbd *d;
	struct kaconf k;		/* what vs[]/rs[] point into */
	struct check_vs *vs;
	uint32_t nvs;
	struct check *polled[CHECK_POLLFDS_MAX];
	int npolled;
	struct notify notify[NOTIFY_MAX];
	int npolled_notify;
	int inflight;			/* attempts running */
	uint64_t due;			/* health_tick has work at or after this */
};

/* ---------------------------------------------------------------- notify */

/* Run a notify script as MISC_CHECK runs its command: a child, never
 * waited for, its output to the log under label. */
static void
notify_run(struct health *h, const char *cmd, const char *label)
{
	struct notify *n = NULL;

	if (cmd == NULL)
		return;
	for (int i = 0; i < NOTIFY_MAX && n == NULL; i++)
		if (h->notify[i].pid == 0)
			n = &h->notify[i];
	if (n == NULL) {
		log_warnx("%s: not run: %d notify scripts still running", label,
		    NOTIFY_MAX);
		return;
	}
	memset(n, 0, sizeof(*n));
	snprintf(n->label, sizeof(n->label), "%s", label);
	if (check_spawn(cmd, &n->pid, &n->fd) < 0) {
		log_warn("%s: not run", label);
		n->pid = 0;
		n->fd = -1;
		return;
	}
	n->deadline = clock_ms() + NOTIFY_MS;
	log_info("%s: running %s", label, cmd);
	h->due = 0;
}

/* the notify scripts that ended: reaped and logged; late ones killed */
static void
notify_reap(struct health *h, uint64_t now, int wait_ms)
{
	for (int i = 0; i < NOTIFY_MAX; i++) {
		struct notify *n = &h->notify[i];
		int st;
		pid_t r;

		if (n->pid == 0)
			continue;
		if (n->fd >= 0 && check_output(n->fd, &n->out, n->label)) {
			close(n->fd);
			n->fd = -1;
		}
		r = waitpid(n->pid, &st, WNOHANG);
		for (int w = 0; r == 0 && w < wait_ms / 10; w++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			r = waitpid(n->pid, &st, WNOHANG);
		}
		if (r == 0 && (now < n->deadline && wait_ms == 0))
			continue;
		if (r == 0) {
			kill(-n->pid, SIGKILL);
			kill(n->pid, SIGKILL);
			waitpid(n->pid, &st, 0);
			log_warnx("%s: killed after %d ms", n->label,
			    wait_ms ? wait_ms : NOTIFY_MS);
		} else if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) != 0)
			log_warnx("%s: exit %d", n->label, WEXITSTATUS(st));
		else if (r > 0 && WIFSIGNALED(st))
			log_warnx("%s: killed by signal %d", n->label,
			    WTERMSIG(st));
		if (n->fd >= 0) {
			check_output(n->fd, &n->out, n->label);
			close(n->fd);
		}
		n->fd = -1;
		n->pid = 0;
	}
}

static void
rs_notify(struct check_rs *rs, int up)
{
	char label[160];
	const char *cmd = up ? rs->conf->notify_up : rs->conf->notify_down;

	if (cmd == NULL)
		return;
	snprintf(label, sizeof(label), "notify_%s of real server %s",
	    up ? "up" : "down", rs->name);
	notify_run(rs->vs->h, cmd, label);
}

static void
vs_notify(struct check_vs *v)
{
	char label[160], vn[64];
	const char *cmd = v->quorum_up ? v->conf->quorum_up :
	    v->conf->quorum_down;

	if (cmd == NULL)
		return;
	drlb_addrport_str(vn, sizeof(vn), v->conf->conf.af,
	    &v->conf->conf.addr, v->conf->conf.port);
	snprintf(label, sizeof(label), "quorum_%s of virtual server %s%.64s",
	    v->quorum_up ? "up" : "down", v->conf->group[0] ? "group " : "",
	    v->conf->group[0] ? v->conf->group : vn);
	notify_run(v->h, cmd, label);
}

/* ---------------------------------------------------------------- quorum */

static uint64_t
live_weight(const struct check_vs *v)
{
	uint64_t w = 0;

	for (uint32_t i = 0; i < v->nrs; i++)
		if (v->rs[i].up)
			w += (uint64_t)(v->rs[i].weight > 0 ? v->rs[i].weight : 0);
	return w;
}

/* keepalived's update_quorum_state(): quorum gained at quorum + hysteresis
 * of live weight, lost below quorum - hysteresis (or at none) */
static void
quorum_update(struct check_vs *v, int init)
{
	uint64_t w = live_weight(v);
	const struct kaconf_vs *c = v->conf;
	int64_t th = (int64_t)c->quorum + (v->quorum_up ? -1 : 1) *
	    (int64_t)c->hysteresis;
	char vn[64];

	drlb_addrport_str(vn, sizeof(vn), c->conf.af, &c->conf.addr,
	    c->conf.port);
	if (!v->quorum_up && w > 0 && (int64_t)w >= th) {
		v->quorum_up = 1;
		log_info("virtual server %s: quorum gained (%u+%u <= %llu)", vn,
		    c->quorum, c->hysteresis, (unsigned long long)w);
		vs_notify(v);
	} else if (v->quorum_up && (w == 0 || (int64_t)w < th)) {
		v->quorum_up = 0;
		log_warnx("virtual server %s: quorum %s (%u-%u > %llu)", vn,
		    init ? "down at start" : "lost", c->quorum, c->hysteresis,
		    (unsigned long long)w);
		vs_notify(v);
	}
}

/* ---------------------------------------------------------------- rules */

/*
 * The rules the services of a virtual server should have now, on a scratch
 * table, as keepalived's ipwrapper.c sets them: live real servers with
 * their weight, down ones out (or weight 0 with inhibit_on_failure); when
 * the quorum is lost and there is a sorry server, the sorry server alone
 * (real servers out, or weight 0 with inhibit_on_failure); with
 * sorry_server_inhibit the sorry server stays, weight 0, while not needed.
 * -1 when the scratch table refuses something (out of memory).
 */
static int
want_svc(const struct check_vs *v, struct svc_table *want)
{
	const struct kaconf_vs *vs = v->conf;
	struct drlb_ctl_req r;
	char why[DRLB_CTL_ERRMSG_MAX];
	int sorry = vs->has_sorry && !v->quorum_up;

	for (uint32_t s = 0; s < vs->nsvcs; s++) {
		memset(&r, 0, sizeof(r));
		r.svc = vs->svcs[s];
		if (svc_apply(want, DRLB_CTL_ADD_SVC, &r, why, sizeof(why)) != 0)
			return -1;
		r.dest.port = vs->svcs[s].port;	/* DR: the VIP's port */
		r.dest.conn_flags = DRLB_FWD_DROUTE;
		for (uint32_t i = 0; i < v->nrs; i++) {
			const struct check_rs *rs = &v->rs[i];
			int in = rs->up && !sorry;

			if (!in && !rs->conf->inhibit)
				continue;
			r.dest.af = rs->conf->af;
			r.dest.addr = rs->conf->addr;
			r.dest.weight = in ? rs->weight : 0;
			r.dest.u_threshold = rs->conf->u_threshold;
			r.dest.l_threshold = rs->conf->l_threshold;
			if (svc_apply(want, DRLB_CTL_ADD_DEST, &r, why,
			    sizeof(why)) != 0)
				return -1;
		}
		if (vs->has_sorry && (sorry || vs->sorry_inhibit)) {
			/* the sorry server may be a real server too */
			r.dest.af = vs->sorry.af;
			r.dest.addr = vs->sorry.addr;
			r.dest.weight = sorry ? vs->sorry.weight : 0;
			r.dest.u_threshold = r.dest.l_threshold = 0;
			if (svc_apply(want, DRLB_CTL_ADD_DEST, &r, why,
			    sizeof(why)) != 0)
				return -1;
		}
	}
	return 0;
}

/* Bring the live rules of one virtual server (v NULL: of all) to their
 * health. */
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
	else
		for (struct svc *w = want.head; w != NULL; w = w->next)
			/* (a service drlbadm deleted stays deleted) */
			if (svc_find(&h->d->svcs, w->conf.af, w->conf.protocol,
			    &w->conf.addr, w->conf.port) != NULL)
				rules_converge_svc(h->d, w, RULES_LOG_EACH,
				    &diff);
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
rs_changed(struct check_rs *rs, struct check *c)
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
		    c->why, c->fails_down, c->fails_down == 1 ? "" : "s");
	rs_notify(rs, up);
	quorum_update(rs->vs, 0);
	refresh(rs->vs->h, rs->vs);
}

/* An attempt ended with res (CHECK_OK / CHECK_FAIL). */
static void
finish(struct check *c, int res, uint64_t now, int timed_out)
{
	struct check_rs *rs = c->rs;
	uint32_t dl = c->conf.delay_loop_ms;
	int was = c->up, first = !c->has_run;

	c->ops->stop(c, timed_out);
	if (c->running) {
		c->running = 0;
		rs->vs->h->inflight--;
	}
	c->has_run = 1;
	if (res == CHECK_OK) {
		c->fails = 0;
		if (!c->up && ++c->oks >= c->conf.rise) {
			c->up = 1;
			c->oks = 0;
		}
		/* rising: the next attempt soon, as retries go; keepalived's
		 * fast_recovery: at once */
		c->next_ms = now + (c->up ? dl : c->conf.fast_recovery ? 0 :
		    c->conf.delay_before_retry_ms);
		if (c->dyn_weight >= 0 && c->dyn_weight != rs->weight) {
			rs->weight = c->dyn_weight;
			log_info("real server %s: weight %d (%s)", rs->name,
			    rs->weight, c->why);
			if (rs->up) {
				quorum_update(rs->vs, 0);
				refresh(rs->vs->h, rs->vs);
			}
		}
	} else {
		c->oks = 0;
		/* keepalived: a check that has not run yet is taken DOWN by
		 * its first failure (its retries are for a server it saw up) */
		if (c->up && (++c->fails >= c->conf.fall || first)) {
			c->up = 0;
			c->fails_down = c->fails;
			c->fails = 0;
		}
		/* keepalived: retries delay_before_retry apart while up */
		c->next_ms = now + (c->up ? c->conf.delay_before_retry_ms : dl);
		if (c->up || c->conf.log_all_failures) {
			char what[128];

			c->ops->describe(c, what, sizeof(what));
			if (c->conf.log_all_failures)
				log_info("real server %s: %s: %s (failure %u of "
				    "%u)", rs->name, what, c->why, c->fails,
				    c->conf.fall);
			else
				log_debug("real server %s: %s: %s (failure %u "
				    "of %u)", rs->name, what, c->why, c->fails,
				    c->conf.fall);
		}
		if (first && !c->up && !was && rs->conf->alpha) {
			/* keepalived: alpha mode's first failure notifies */
			rs_notify(rs, 0);
		}
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
	notify_reap(h, now, 0);
	for (int i = 0; i < NOTIFY_MAX; i++)
		if (h->notify[i].pid != 0) {
			uint64_t t = now + MISC_LOOK_MS;

			if (t < due)
				due = t;
		}
	FOR_EACH_CHECK(h, c) {
		if (c->running && c->pid > 0) {
			int r = c->ops->step(c, 0);

			if (r != CHECK_PENDING)
				finish(c, r, now, 0);
		}
		if (c->running && now >= c->deadline_ms)
			finish(c, c->ops->timeout_ok != NULL &&
			    c->ops->timeout_ok(c) ? CHECK_OK : CHECK_FAIL, now,
			    1);
		/* ha_suspend: no checks while drlbd does not hold the VIPs */
		if (!c->running && now >= c->next_ms &&
		    c->rs->vs->conf->ha_suspend && !h->d->own_vips)
			c->next_ms = now + c->conf.delay_loop_ms;
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

	if (max > CHECK_POLLFDS_MAX + NOTIFY_MAX)
		max = CHECK_POLLFDS_MAX + NOTIFY_MAX;
	FOR_EACH_CHECK(h, c) {
		if (n >= max || n >= CHECK_POLLFDS_MAX)
			break;
		if (!c->running || c->fd < 0 || c->events == 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->events };
		h->polled[n++] = c;
	}
	h->npolled = n;
	/* the notify scripts' output */
	h->npolled_notify = 0;
	for (int i = 0; i < NOTIFY_MAX && n < max; i++)
		if (h->notify[i].pid != 0 && h->notify[i].fd >= 0) {
			pfd[n++] = (struct pollfd){ .fd = h->notify[i].fd,
			    .events = POLLIN };
			h->npolled_notify++;
		}
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
	for (int i = h->npolled; i < n; i++)
		if (pfd[i].revents != 0) {
			h->due = 0;	/* tick reads and reaps */
			break;
		}
	h->npolled = 0;
}

const struct loop_source health_source = {
	.name = "health checks",
	.maxfds = CHECK_POLLFDS_MAX + NOTIFY_MAX,
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

/* The state a virtual server had before a reload, if it was there. */
static const struct check_vs *
old_vs(const struct health *h, const struct kaconf_vs *vs)
{
	for (uint32_t i = 0; i < h->nvs; i++)
		if (same_svc(&h->vs[i].conf->conf, &vs->conf))
			return &h->vs[i];
	return NULL;
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

static const struct check_ops *
ops_of(int type)
{
	switch (type) {
	case KACONF_TCP_CHECK:	return &check_tcp_ops;
	case KACONF_HTTP_GET:	return &check_http_ops;
	case KACONF_SSL_GET:	return &check_ssl_ops;
	case KACONF_UDP_CHECK:	return &check_udp_ops;
	case KACONF_SMTP_CHECK:	return &check_smtp_ops;
	case KACONF_DNS_CHECK:	return &check_dns_ops;
	}
	return &check_misc_ops;
}

/* keepalived's warmup: the first attempt at random in [0, warmup] */
static uint64_t
warmup(uint32_t ms)
{
	return ms ? (uint64_t)random() % ((uint64_t)ms + 1) : 0;
}

static int
build(struct health *h, const struct kaconf *k, struct check_vs **out,
    uint32_t *nout, uint64_t now)
{
	struct check_vs *vs;
	uint32_t nvs = 0;

	for (const struct kaconf_vs *v = k->vs; v != NULL; v = v->next)
		nvs++;
	if ((vs = calloc(nvs ? nvs : 1, sizeof(*vs))) == NULL)
		return -1;
	nvs = 0;
	for (const struct kaconf_vs *v = k->vs; v != NULL; v = v->next) {
		struct check_vs *cv = &vs[nvs++];
		const struct check_vs *ov = old_vs(h, v);
		uint32_t nrs = 0;

		cv->h = h;
		cv->conf = v;
		cv->quorum_up = ov != NULL ? ov->quorum_up : 1;
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
			drlb_addrport_str(rs->name, sizeof(rs->name), r->af,
			    &r->addr, r->port);
			/* a new real server starts up, as in keepalived, DOWN
			 * with alpha; one that stays keeps its health */
			rs->up = o != NULL ? o->up : !r->alpha;
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
					c->conf.misc_timeout_ms =
					    c->conf.delay_loop_ms;
				c->ops = ops_of(kc->type);
				c->rs = rs;
				c->rs_name = rs->name;
				c->af = kc->has_connect_ip ? kc->connect_af : r->af;
				c->addr = kc->has_connect_ip ? kc->connect_ip :
				    r->addr;
				c->port = kc->connect_port ? kc->connect_port :
				    r->port;
				c->fd = -1;
				c->dyn_weight = -1;
				c->up = rs->up && !(o == NULL && kc->alpha);
				c->has_run = o != NULL;
				c->next_ms = now + (kc->fast_recovery && o == NULL ?
				    0 : warmup(kc->warmup_ms));
			}
			if (o != NULL && o->weight != r->weight && o->up) {
				/* misc_dynamic's weight stays until the next
				 * attempt says otherwise */
				for (uint32_t i = 0; i < o->nchecks; i++)
					if (o->checks[i].conf.misc_dynamic)
						rs->weight = o->weight;
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

/* keepalived's omega (and a reload that drops them): live real servers
 * of a virtual server going away run notify_down, a quorum that was up
 * runs quorum_down */
static void
vs_gone(struct check_vs *v, int omega_only)
{
	if (omega_only && !v->conf->omega)
		return;
	for (uint32_t i = 0; i < v->nrs; i++)
		if (v->rs[i].up)
			rs_notify(&v->rs[i], 0);
	if (v->quorum_up) {
		v->quorum_up = 0;
		vs_notify(v);
	}
}

int
health_load(struct drlbd *d, const char *file, char *err, size_t errlen)
{
	struct health *h = d->health;
	struct kaconf k;
	struct svc_table scratch;
	struct check_vs *vs;
	uint32_t nvs;
	int rc, ssl_done = 0;

	if (kaconf_parse_file(file, &k, err, errlen) != 0)
		return -1;
	for (const struct kaconf_vs *v = k.vs; v != NULL; v = v->next)
		for (uint32_t i = 0; i < v->nsvcs; i++) {
			char why[512];

			if (rules_vip_check(d, v->svcs[i].af, &v->svcs[i].addr,
			    why, sizeof(why)) != 0) {
				snprintf(err, errlen, "%s:%d: %s", v->file,
				    v->line, why);
				kaconf_free(&k);
				return -1;
			}
		}
	/* SSL_GET's context now, while the key may still be readable */
	for (const struct kaconf_vs *v = k.vs; v != NULL; v = v->next)
		for (const struct kaconf_rs *r = v->rs; r != NULL; r = r->next)
			for (const struct kaconf_check *c = r->checks; c != NULL;
			    c = c->next)
				if (c->type == KACONF_SSL_GET && !ssl_done) {
					if (check_ssl_init(&k.ssl, err,
					    errlen) != 0) {
						kaconf_free(&k);
						return -1;
					}
					ssl_done = 1;
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
			    "globals are keepalived's job", k.skipped[i].file,
			    k.skipped[i].line, k.skipped[i].name);
	for (uint32_t i = 0; i < k.nwarn && k.warn != NULL; i++)
		if (k.warn[i] != NULL)
			log_warnx("%s", k.warn[i]);
	if (k.nfiles > 1)
		log_info("%s: %u files read (includes)", file, k.nfiles);
	if (build(h, &k, &vs, &nvs, clock_ms()) != 0) {
		snprintf(err, errlen, "%s: out of memory", file);
		kaconf_free(&k);
		return -1;
	}
	/* what goes with the reload: keepalived runs notify_down for live
	 * real servers it removes (quorum_down with their virtual server) */
	for (uint32_t i = 0; i < h->nvs; i++) {
		struct check_vs *ov = &h->vs[i];
		const struct kaconf_vs *nv = NULL;

		for (uint32_t j = 0; j < nvs && nv == NULL; j++)
			if (same_svc(&vs[j].conf->conf, &ov->conf->conf))
				nv = vs[j].conf;
		if (nv == NULL) {
			vs_gone(ov, 0);
			continue;
		}
		for (uint32_t j = 0; j < ov->nrs; j++) {
			const struct kaconf_rs *r;

			for (r = nv->rs; r != NULL; r = r->next)
				if (r->port == ov->rs[j].conf->port &&
				    drlb_addr_eq(r->af, &r->addr,
				    &ov->rs[j].conf->addr))
					break;
			if (r == NULL && ov->rs[j].up)
				rs_notify(&ov->rs[j], 0);
		}
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
	for (uint32_t i = 0; i < nvs; i++)
		quorum_update(&vs[i], 1);
	refresh(h, NULL);
	return 0;
}

void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	/* omega: notify_down and quorum_down on the way out, given a second
	 * to run as keepalived gives them */
	for (uint32_t i = 0; i < h->nvs; i++)
		vs_gone(&h->vs[i], 1);
	notify_reap(h, clock_ms(), 1000);
	set_free(h->vs, h->nvs);
	kaconf_free(&h->k);
	check_misc_reap();
	check_ssl_fini();
	free(h);
}
