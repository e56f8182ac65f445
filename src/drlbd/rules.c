/* The one door for rule changes; see rules.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drlb/addr.h"
#include "drlbd.h"
#include "est.h"
#include "host.h"
#include "log.h"
#include "priv.h"
#include "rules.h"

int
rules_vip_check(struct drlbd *d, uint16_t af, const union drlb_inaddr *vip,
    char *err, size_t errlen)
{
	char why[512], nft[256];

	switch (host_vip_check(af, vip, why, sizeof(why))) {
	case HOST_VIP_NOT_HELD:
		return 0;
	case HOST_VIP_ALIAS:
		/* the kernel may keep it if its IP layer never sees the
		 * VIP's frames (priv.h); the set follows on vips_changed */
		if (d->priv != NULL && (priv_dropping(d->priv) ||
		    priv_drop_vips(d->priv, &d->svcs, nft, sizeof(nft)) == 0)) {
			char a[DRLB_ADDRPORT_STRLEN];

			log_info("VIP %s is an address of this host's kernel: "
			    "its frames are kept from the kernel's IP layer "
			    "(nftables table netdev %s)", drlb_addr_str(a,
			    sizeof(a), af, vip), priv_table(d->priv));
			return 0;
		}
		if (d->priv != NULL)
			snprintf(err, errlen, "%s (and its frames cannot be kept "
			    "from the kernel: %s)", why, nft);
		else
			snprintf(err, errlen, "%s", why);
		return EADDRINUSE;
	case HOST_VIP_OWN:
	default:
		snprintf(err, errlen, "%s", why);
		return EADDRINUSE;
	}
}

int
rules_apply(struct drlbd *d, uint16_t op, const struct drlb_ctl_req *req,
    char *err, size_t errlen)
{
	int status;

	if ((op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) &&
	    (status = rules_vip_check(d, req->svc.af, &req->svc.addr, err,
	    errlen)) != 0)
		return status;
	if ((status = svc_apply(&d->svcs, op, req, err, errlen)) != 0)
		return status;
	switch (op) {
	case DRLB_CTL_SET_TIMEOUT:
		conn_set_timeouts_all(&d->conns, &d->svcs.timeouts);
		break;
	case DRLB_CTL_ZERO:
		/* ip_vs_zero_stats resets the estimators with the counters */
		if (d->est == NULL)
			break;
		if (req->svc.af == 0)
			est_zero(d->est, &d->svcs, NULL);
		else {
			struct svc *s = svc_find(&d->svcs, req->svc.af,
			    req->svc.protocol, &req->svc.addr, req->svc.port);

			if (s != NULL)
				est_zero(d->est, &d->svcs, s);
		}
		break;
	case DRLB_CTL_FLUSH:
	case DRLB_CTL_DEL_SVC:
	case DRLB_CTL_DEL_DEST:
		/* a deleted object's memory may be reused before the next
		 * tick: the estimators forget it now */
		if (d->est != NULL && est_prune(d->est, &d->svcs) < 0)
			log_warnx("rate estimator: out of memory");
		break;
	default:
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- converge */

static const char *
svc_name(char *buf, size_t len, const struct svc *s)
{
	char a[DRLB_ADDRPORT_STRLEN];

	snprintf(buf, len, "%s %s", s->conf.protocol == IPPROTO_UDP ? "UDP" :
	    "TCP", drlb_addrport_str(a, sizeof(a), s->conf.af, &s->conf.addr,
	    s->conf.port));
	return buf;
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
dest_req(const struct svc *s, const struct dest *dst)
{
	struct drlb_ctl_req r = svc_req(s);

	r.dest = dst->conf;
	r.dest.conn_flags = DRLB_FWD_DROUTE;
	return r;
}

static struct dest *
dest_find(const struct svc *s, const struct dest *w)
{
	for (uint32_t i = 0; i < s->ndests; i++)
		if (s->dests[i]->conf.port == w->conf.port &&
		    drlb_addr_eq(s->conf.af, &s->dests[i]->conf.addr,
		    &w->conf.addr))
			return s->dests[i];
	return NULL;
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

/* One change of a convergence: applied, counted, logged as asked. */
static int
change(struct drlbd *d, uint16_t op, const struct drlb_ctl_req *r,
    uint32_t *count, struct rules_diff *diff)
{
	char why[DRLB_CTL_ERRMSG_MAX];

	if (rules_apply(d, op, r, why, sizeof(why)) == 0) {
		(*count)++;
		return 0;
	}
	diff->failed++;
	log_warnx("rules: control op %u failed: %s", op,
	    why[0] ? why : "invalid");
	return -1;
}

void
rules_converge_svc(struct drlbd *d, const struct svc *w, unsigned flags,
    struct rules_diff *diff)
{
	struct drlb_ctl_req r = svc_req(w);
	struct svc *s = svc_find(&d->svcs, w->conf.af, w->conf.protocol,
	    &w->conf.addr, w->conf.port);
	int each = (flags & RULES_LOG_EACH) != 0;
	char sn[80], rn[DRLB_ADDRPORT_STRLEN];

	svc_name(sn, sizeof(sn), w);
	if (s == NULL) {
		if (change(d, DRLB_CTL_ADD_SVC, &r, &diff->svc_added,
		    diff) == 0 && each)
			log_info("%s: added, scheduler %s", sn,
			    w->conf.sched_name);
		s = svc_find(&d->svcs, w->conf.af, w->conf.protocol,
		    &w->conf.addr, w->conf.port);
		if (s == NULL)
			return;
	} else if (svc_differs(s, w) && change(d, DRLB_CTL_EDIT_SVC, &r,
	    &diff->svc_edited, diff) == 0 && each)
		log_info("%s: edited, scheduler %s", sn, w->conf.sched_name);
	/* real servers that are gone (from the end: removal shifts only the
	 * ones after) */
	for (uint32_t i = s->ndests; i-- > 0;) {
		const struct dest *ld = s->dests[i];

		if (dest_find(w, ld) != NULL)
			continue;
		drlb_addrport_str(rn, sizeof(rn), ld->conf.af, &ld->conf.addr,
		    ld->conf.port);
		r = dest_req(s, ld);
		if (change(d, DRLB_CTL_DEL_DEST, &r, &diff->dest_deleted,
		    diff) == 0 && each)
			log_info("%s: real server %s removed", sn, rn);
	}
	/* oldest first, so new ones end up in want's list order (IPVS puts
	 * each new real server at the head) */
	for (uint32_t i = w->ndests; i-- > 0;) {
		const struct dest *wd = w->dests[i], *ld = dest_find(s, wd);

		drlb_addrport_str(rn, sizeof(rn), wd->conf.af, &wd->conf.addr,
		    wd->conf.port);
		r = dest_req(w, wd);
		if (ld == NULL) {
			if (change(d, DRLB_CTL_ADD_DEST, &r, &diff->dest_added,
			    diff) == 0 && each)
				log_info("%s: real server %s added, weight %d",
				    sn, rn, wd->conf.weight);
		} else if (dest_differs(ld, wd)) {
			int32_t was = ld->conf.weight;

			if (change(d, DRLB_CTL_EDIT_DEST, &r, &diff->dest_edited,
			    diff) == 0 && each)
				log_info("%s: real server %s weight %d (was %d)",
				    sn, rn, wd->conf.weight, was);
		}
	}
}

void
rules_converge(struct drlbd *d, struct svc_table *want, unsigned flags,
    struct rules_diff *diff)
{
	struct drlb_ctl_req r;
	struct svc *s, *next;
	char sn[80];

	for (s = d->svcs.head; s != NULL; s = next) {
		next = s->next;
		if (svc_find(want, s->conf.af, s->conf.protocol, &s->conf.addr,
		    s->conf.port) != NULL)
			continue;
		svc_name(sn, sizeof(sn), s);
		r = svc_req(s);
		if (change(d, DRLB_CTL_DEL_SVC, &r, &diff->svc_deleted,
		    diff) == 0 && (flags & RULES_LOG_EACH))
			log_info("%s: deleted (not in the file)", sn);
	}
	for (const struct svc *w = want->head; w != NULL; w = w->next)
		rules_converge_svc(d, w, flags, diff);
	if ((flags & RULES_TIMEOUTS) && memcmp(&d->svcs.timeouts,
	    &want->timeouts, sizeof(want->timeouts)) != 0) {
		memset(&r, 0, sizeof(r));
		r.timeouts = want->timeouts;
		change(d, DRLB_CTL_SET_TIMEOUT, &r, &diff->timeouts_set, diff);
	}
}
