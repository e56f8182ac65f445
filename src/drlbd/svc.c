/*
 * Services and real servers: what `ipvsadm -A/-E/-D/-a/-e/-d/-C/-Z/--set`
 * do, with the checks and error numbers of IPVS's do_ip_vs_set_ctl() and
 * the messages libipvs's ipvs_strerror() gives them.
 *
 * Lifetimes follow IPVS:
 * - a dest is referenced by its service's list (1) and by each connection
 *   (dest_hold/dest_put).  Removed (-d, -D, -C) while connections still use
 *   it, it goes to the trash and keeps forwarding them; the last dest_put
 *   frees it.  Re-adding the same RIP:port brings it back from the trash
 *   with its counters (ip_vs_trash_get_dest).
 * - a service is referenced by the table and by each of its dests, so a
 *   trashed dest's ->svc stays valid after -D.
 * - changes never touch existing connections: they keep their dest.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "drlb/addr.h"
#include "svc.h"
#include "sched.h"

/*
 * Weights are bounded to ipvsadm's 0..65535 (IPVS itself only refuses < 0):
 * wlc multiplies an overhead below 2^41 (activeconns < 2^32, shifted by 8,
 * plus inactconns) by a weight, and 2^41 * 2^16 stays inside 64 bits.
 */
#define DEST_WEIGHT_MAX	65535
/* IPVS refuses timeouts above INT_MAX / HZ; with HZ = 1000 that is this */
#define TIMEOUT_MAX	(2147483647u / 1000)

static bool
addr_eq(uint16_t af, const union drlb_inaddr *a, const union drlb_inaddr *b)
{
	return memcmp(a->b, b->b, drlb_addr_len(af)) == 0;
}

/* Copy an address, zeroing the bytes the family does not use. */
static void
addr_copy(uint16_t af, union drlb_inaddr *dst, const union drlb_inaddr *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->b, src->b, drlb_addr_len(af));
}

/* libipvs's texts for the errnos it names whatever the call (func 0 in
 * ipvs_strerror's table); others are strerror's */
static const char *
ipvs_text(int e)
{
	switch (e) {
	case EINVAL:
		return "Invalid operation.  Possibly wrong module version, "
		    "address not unicast, ...";
	case ENOMEM:
		return "Memory allocation problem";
	case ENOPROTOOPT:
		return "Protocol not available";
	case EAFNOSUPPORT:
		return "Operation not supported with specified address family";
	default:
		return strerror(e);
	}
}

static int
fail(char *err, size_t errlen, int e, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg != NULL ? msg : ipvs_text(e));
	return e;
}

/* ------------------------------------------------------------ references */

static void
svc_unref(struct svc *s)
{
	if (--s->refcnt == 0) {
		free(s->dests);
		free(s);
	}
}

static void
dest_free(struct svc_table *t, struct dest *d)
{
	if (t != NULL && t->on_dest_freed != NULL)
		t->on_dest_freed(t->cb_arg, d);
	if (d->svc != NULL)
		svc_unref(d->svc);
	free(d);
}

static void
trash_unlink(struct svc_table *t, struct dest *d)
{
	struct dest **pp;

	for (pp = &t->trash; *pp != NULL; pp = &(*pp)->trash_next) {
		if (*pp == d) {
			*pp = d->trash_next;
			d->trash_next = NULL;
			return;
		}
	}
}

void
dest_hold(struct dest *d)
{
	d->refcnt++;
}

void
dest_put(struct svc_table *t, struct dest *d)
{
	if (--d->refcnt > 0)
		return;
	/* Only a dest out of its service (in the trash) can get here. */
	if (t != NULL)
		trash_unlink(t, d);
	dest_free(t, d);
}

/* The service's list drops its reference (IPVS __ip_vs_del_dest). */
static void
dest_release(struct svc_table *t, struct dest *d)
{
	d->flags &= ~DEST_F_AVAILABLE;
	if (--d->refcnt == 0) {
		dest_free(t, d);
		return;
	}
	d->trash_next = t->trash;
	t->trash = d;
}

/* l_threshold_val: -y, or without one 75% of -x (u - u / 4) */
static uint32_t
dest_l_threshold_val(const struct dest *d)
{
	uint32_t u = d->conf.u_threshold;

	return d->conf.l_threshold ? d->conf.l_threshold : u - (u >> 2);
}

/* __ip_vs_dest_update_overload(dest, 0), after -x/-y changed: overloaded
 * at or above -x, cleared below the lower threshold, kept in between */
static void
dest_overload_update(struct dest *d)
{
	uint64_t conns = (uint64_t)d->activeconns + d->inactconns;

	if (d->conf.u_threshold == 0 || conns < dest_l_threshold_val(d))
		d->flags &= ~DEST_F_OVERLOAD;
	else if (conns >= d->conf.u_threshold)
		d->flags |= DEST_F_OVERLOAD;
}

void
dest_overload_bind(struct dest *d)
{
	uint64_t total = (uint64_t)d->activeconns + d->inactconns;

	/* ip_vs_bind_dest: totalconns reaching u_threshold sets it */
	if (d->conf.u_threshold != 0 && total == d->conf.u_threshold)
		d->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(d);
}

void
dest_overload_unbind(struct dest *d)
{
	uint64_t total = (uint64_t)d->activeconns + d->inactconns;

	/* ip_vs_unbind_dest: totalconns dropping from l_threshold_val
	 * clears it */
	if (d->conf.u_threshold != 0 && total + 1 == dest_l_threshold_val(d))
		d->flags &= ~DEST_F_OVERLOAD;
	sched_dest_load_changed(d);
}

/* ------------------------------------------------------------ lookups */

static bool
svc_matches(const struct svc *s, uint16_t af, uint16_t protocol,
    const union drlb_inaddr *addr, uint16_t port)
{
	return s->conf.af == af && s->conf.protocol == protocol &&
	    s->conf.port == port && addr_eq(af, &s->conf.addr, addr);
}

struct svc *
svc_find(struct svc_table *t, uint16_t af, uint16_t protocol,
    const union drlb_inaddr *addr, uint16_t port)
{
	struct svc *s;

	/* A handful of services: a list walk is cheaper than a hash here. */
	for (s = t->head; s != NULL; s = s->next)
		if (svc_matches(s, af, protocol, addr, port))
			return s;
	return NULL;
}

bool
svc_is_vip(struct svc_table *t, uint16_t af, const union drlb_inaddr *addr)
{
	struct svc *s;

	for (s = t->head; s != NULL; s = s->next)
		if (s->conf.af == af && addr_eq(af, &s->conf.addr, addr))
			return true;
	return false;
}

static int
dest_index(const struct svc *s, const union drlb_inaddr *addr, uint16_t port)
{
	uint32_t i;

	for (i = 0; i < s->ndests; i++) {
		const struct dest *d = s->dests[i];
		if (d->conf.port == port &&
		    addr_eq(s->conf.af, &d->conf.addr, addr))
			return (int)i;
	}
	return -1;
}

/* IPVS ip_vs_trash_get_dest: same real server of the same virtual service */
static struct dest *
trash_find(struct svc_table *t, const struct svc *s,
    const union drlb_inaddr *addr, uint16_t port)
{
	struct dest *d;

	for (d = t->trash; d != NULL; d = d->trash_next) {
		const struct svc *o = d->svc;
		if (d->conf.af == s->conf.af && d->conf.port == port &&
		    addr_eq(s->conf.af, &d->conf.addr, addr) &&
		    svc_matches(o, s->conf.af, s->conf.protocol,
		    &s->conf.addr, s->conf.port))
			return d;
	}
	return NULL;
}

/* ------------------------------------------------------------ dest list */

/* IPVS list_add_rcu: the newest dest goes first. */
static int
dests_push_head(struct svc *s, struct dest *d)
{
	if (s->ndests == s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 4;
		struct dest **n = realloc(s->dests, ncap * sizeof(*n));
		if (n == NULL)
			return -1;
		s->dests = n;
		s->cap = ncap;
	}
	memmove(&s->dests[1], &s->dests[0], s->ndests * sizeof(*s->dests));
	s->dests[0] = d;
	s->ndests++;
	return 0;
}

static void
dests_remove(struct svc *s, uint32_t i)
{
	memmove(&s->dests[i], &s->dests[i + 1],
	    (s->ndests - i - 1) * sizeof(*s->dests));
	s->ndests--;
}

static void
sched_dest_changed(struct svc *s)
{
	if (s->sched != NULL && s->sched->dest_changed != NULL)
		s->sched->dest_changed(s);
}

/* ------------------------------------------------------------ table */

void
svc_table_init(struct svc_table *t)
{
	memset(t, 0, sizeof(*t));
	t->timeouts.tcp = 900;
	t->timeouts.tcp_fin = 120;
	t->timeouts.udp = 300;
}

static void
vips_changed(struct svc_table *t)
{
	if (t->on_vips_changed != NULL)
		t->on_vips_changed(t->cb_arg);
}

/* Take a service out: scheduler done, dests released (to the trash when
 * connections hold them), the table's reference dropped. */
static void
svc_destroy(struct svc_table *t, struct svc *s)
{
	uint32_t i;

	if (s->sched != NULL && s->sched->done_svc != NULL)
		s->sched->done_svc(s);
	s->sched = NULL;
	s->sched_data = NULL;
	for (i = 0; i < s->ndests; i++)
		dest_release(t, s->dests[i]);
	free(s->dests);
	s->dests = NULL;
	s->ndests = s->cap = 0;
	s->next = NULL;
	svc_unref(s);
}

static void
svc_flush(struct svc_table *t)
{
	struct svc *s, *next;
	bool had = t->head != NULL;

	for (s = t->head; s != NULL; s = next) {
		next = s->next;
		svc_destroy(t, s);
	}
	t->head = NULL;
	t->count = 0;
	if (had)
		vips_changed(t);
}

void
svc_table_free(struct svc_table *t)
{
	struct dest *d;

	svc_flush(t);
	/* Shutdown: connections should be gone (conn_flush) by now; free
	 * what is left in the trash regardless. */
	while ((d = t->trash) != NULL) {
		t->trash = d->trash_next;
		dest_free(t, d);
	}
}

static void
fold(struct drlb_stats *st, struct svc_wstats *w)
{
	for (unsigned i = 0; i < SVC_WORKERS_MAX; i++) {
		st->inpkts += w[i].inpkts;
		st->inbytes += w[i].inbytes;
		w[i].inpkts = w[i].inbytes = 0;
	}
}

void
svc_fold_stats(struct svc_table *t)
{
	for (struct svc *s = t->head; s != NULL; s = s->next) {
		fold(&s->stats, s->w);
		for (uint32_t i = 0; i < s->ndests; i++)
			fold(&s->dests[i]->stats, s->dests[i]->w);
	}
	for (struct dest *d = t->trash; d != NULL; d = d->trash_next)
		fold(&d->stats, d->w);
}

/* ------------------------------------------------------------ requests */

static void
zero_svc(struct svc *s)
{
	uint32_t i;

	for (i = 0; i < s->ndests; i++) {
		memset(&s->dests[i]->stats, 0, sizeof(s->dests[i]->stats));
		memset(&s->dests[i]->rates, 0, sizeof(s->dests[i]->rates));
		memset(s->dests[i]->w, 0, sizeof(s->dests[i]->w));
	}
	memset(&s->stats, 0, sizeof(s->stats));
	memset(s->w, 0, sizeof(s->w));
	memset(&s->rates, 0, sizeof(s->rates));
}

static int
set_timeout(struct svc_table *t, const struct drlb_timeouts *tm,
    char *err, size_t errlen)
{
	if (tm->tcp > TIMEOUT_MAX || tm->tcp_fin > TIMEOUT_MAX ||
	    tm->udp > TIMEOUT_MAX)
		return fail(err, errlen, EINVAL, NULL);
	if (tm->tcp)
		t->timeouts.tcp = tm->tcp;
	if (tm->tcp_fin)
		t->timeouts.tcp_fin = tm->tcp_fin;
	if (tm->udp)
		t->timeouts.udp = tm->udp;
	return 0;
}

static int
add_svc(struct svc_table *t, const struct drlb_svc_conf *u,
    char *err, size_t errlen)
{
	const struct sched_ops *sched;
	struct svc *s, **pp;

	if ((sched = sched_find(u->sched_name)) == NULL || u->pe_name[0])
		return fail(err, errlen, ENOENT,
		    "Scheduler or persistence engine not found");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return fail(err, errlen, ENOMEM, NULL);
	s->conf = *u;
	addr_copy(u->af, &s->conf.addr, &u->addr);
	s->conf.flags |= DRLB_SVC_F_HASHED;
	s->refcnt = 1;
	if (sched->init_svc != NULL && sched->init_svc(s) != 0) {
		free(s);
		return fail(err, errlen, ENOMEM, NULL);
	}
	s->sched = sched;
	for (pp = &t->head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = s;
	t->count++;
	vips_changed(t);
	return 0;
}

/* IPVS ip_vs_edit_service: flags, timeout, netmask; a new scheduler gets
 * the service (old done_service, new init_service).  Dests, counters and
 * connections stay. */
static int
edit_svc(struct svc *s, const struct drlb_svc_conf *u, char *err,
    size_t errlen)
{
	const struct sched_ops *sched, *old;

	if ((sched = sched_find(u->sched_name)) == NULL || u->pe_name[0])
		return fail(err, errlen, ENOENT,
		    "Scheduler or persistence engine not found");
	s->conf.flags = u->flags | DRLB_SVC_F_HASHED;
	s->conf.timeout = u->timeout;
	s->conf.netmask = u->netmask;
	old = s->sched;
	if (sched == old)
		return 0;
	if (old != NULL && old->done_svc != NULL)
		old->done_svc(s);
	s->sched = NULL;
	s->sched_data = NULL;
	if (sched->init_svc != NULL && sched->init_svc(s) != 0) {
		/* as IPVS: put the old one back */
		if (old != NULL && old->init_svc != NULL)
			old->init_svc(s);
		s->sched = old;
		return fail(err, errlen, ENOMEM, NULL);
	}
	s->sched = sched;
	memcpy(s->conf.sched_name, u->sched_name, sizeof(s->conf.sched_name));
	return 0;
}

static void
del_svc(struct svc_table *t, struct svc *s)
{
	struct svc **pp;

	for (pp = &t->head; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	t->count--;
	svc_destroy(t, s);
	vips_changed(t);
}

/* Weight, thresholds and flags of a new, revived or edited dest
 * (IPVS __ip_vs_update_dest). */
static void
dest_update(struct dest *d, const struct drlb_dest_conf *u)
{
	d->conf.weight = u->weight;
	d->conf.conn_flags = DRLB_FWD_DROUTE;	/* drlb forwards DR only */
	d->flags |= DEST_F_AVAILABLE;
	/* __ip_vs_update_dest: the overload state is looked at again only
	 * when -x or -y changes */
	if (u->u_threshold != d->conf.u_threshold ||
	    u->l_threshold != d->conf.l_threshold) {
		d->conf.u_threshold = u->u_threshold;
		d->conf.l_threshold = u->l_threshold;
		dest_overload_update(d);
	}
}

static int
check_udest(const struct drlb_dest_conf *u, char *err, size_t errlen)
{
	if (u->weight < 0 || u->weight > DEST_WEIGHT_MAX)
		return fail(err, errlen, ERANGE, NULL);
	if (u->l_threshold > u->u_threshold)
		return fail(err, errlen, ERANGE, NULL);
	/* ip_vs_add_dest / ip_vs_edit_dest */
	if (u->u_threshold > INT_MAX)
		return fail(err, errlen, EINVAL, NULL);
	return 0;
}

/* What inet_addr_type() would not call RTN_UNICAST/RTN_LOCAL. */
static bool
addr_unicast(uint16_t af, const union drlb_inaddr *a)
{
	if (af == AF_INET) {
		uint32_t h = ntohl(a->in.s_addr);
		if ((h >> 24) == 0 || h == 0xffffffffu || (h >> 28) == 0xe)
			return false;
		return true;
	}
	return a->b[0] != 0xff && !IN6_IS_ADDR_UNSPECIFIED(&a->in6);
}

static int
add_dest(struct svc_table *t, struct svc *s, const struct drlb_dest_conf *u,
    char *err, size_t errlen)
{
	struct dest *d;
	uint16_t port = s->conf.port;	/* DR: the real server's port is the VIP's */
	int r;

	if ((r = check_udest(u, err, errlen)) != 0)
		return r;
	if (dest_index(s, &u->addr, port) >= 0)
		return fail(err, errlen, EEXIST, "Destination already exists");

	if ((d = trash_find(t, s, &u->addr, port)) != NULL) {
		/* back from the trash with its counters and MAC */
		if (dests_push_head(s, d) != 0)
			return fail(err, errlen, ENOMEM, NULL);
		trash_unlink(t, d);
		if (d->svc != s) {
			/* its old service was deleted and re-created */
			svc_unref(d->svc);
			d->svc = s;
			s->refcnt++;
			memset(&d->stats, 0, sizeof(d->stats));
			memset(&d->rates, 0, sizeof(d->rates));
			memset(d->w, 0, sizeof(d->w));
		}
		d->refcnt++;
		dest_update(d, u);
		sched_dest_changed(s);
		return 0;
	}

	if (!addr_unicast(s->conf.af, &u->addr))
		return fail(err, errlen, EINVAL, NULL);
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return fail(err, errlen, ENOMEM, NULL);
	d->conf.af = s->conf.af;
	d->conf.port = port;
	addr_copy(s->conf.af, &d->conf.addr, &u->addr);
	d->svc = s;
	d->flags = DEST_F_AVAILABLE | DEST_F_NOMAC;
	d->mac_state = DRLB_MAC_NONE;
	d->refcnt = 1;
	dest_update(d, u);
	if (dests_push_head(s, d) != 0) {
		free(d);
		return fail(err, errlen, ENOMEM, NULL);
	}
	s->refcnt++;
	sched_dest_changed(s);
	if (t->on_dest_added != NULL)
		t->on_dest_added(t->cb_arg, d);
	return 0;
}

static int
edit_dest(struct svc *s, const struct drlb_dest_conf *u, char *err,
    size_t errlen)
{
	int i, r;

	if ((r = check_udest(u, err, errlen)) != 0)
		return r;
	if ((i = dest_index(s, &u->addr, s->conf.port)) < 0)
		return fail(err, errlen, ENOENT, "No such destination");
	dest_update(s->dests[i], u);
	sched_dest_changed(s);
	return 0;
}

static int
del_dest(struct svc_table *t, struct svc *s, const struct drlb_dest_conf *u,
    char *err, size_t errlen)
{
	struct dest *d;
	int i;

	/* ipvsadm fills in the service's port when -r has none */
	i = dest_index(s, &u->addr, u->port ? u->port : s->conf.port);
	if (i < 0)
		return fail(err, errlen, ENOENT, "No such destination");
	d = s->dests[i];
	dests_remove(s, (uint32_t)i);
	if (s->sched != NULL && s->sched->del_dest != NULL)
		s->sched->del_dest(s, d, (uint32_t)i);
	sched_dest_changed(s);
	dest_release(t, d);
	return 0;
}

int
svc_apply(struct svc_table *t, uint16_t op, const struct drlb_ctl_req *req,
    char *err, size_t errlen)
{
	const struct drlb_svc_conf *u = &req->svc;
	struct svc *s;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	switch (op) {
	case DRLB_CTL_FLUSH:
		svc_flush(t);
		return 0;
	case DRLB_CTL_SET_TIMEOUT:
		return set_timeout(t, &req->timeouts, err, errlen);
	case DRLB_CTL_ZERO:
		if (u->af == 0) {
			for (s = t->head; s != NULL; s = s->next)
				zero_svc(s);
			return 0;
		}
		break;
	case DRLB_CTL_ADD_SVC:
	case DRLB_CTL_EDIT_SVC:
	case DRLB_CTL_DEL_SVC:
	case DRLB_CTL_ADD_DEST:
	case DRLB_CTL_EDIT_DEST:
	case DRLB_CTL_DEL_DEST:
		break;
	default:
		return fail(err, errlen, EINVAL, NULL);
	}

	/* IPv4 and IPv6 (IPVS's CONFIG_IP_VS_IPV6) */
	if (u->af != AF_INET && u->af != AF_INET6)
		return fail(err, errlen, EAFNOSUPPORT, NULL);
	/* IPVS ip_vs_add_service/ip_vs_edit_service: an IPv6 -M is a prefix
	 * length, 1..128 */
	if ((op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) &&
	    u->af == AF_INET6 && (u->netmask < 1 || u->netmask > 128))
		return fail(err, errlen, EINVAL, NULL);
	/* IPVS ip_vs_genl_set_cmd: a real server of the other family only
	 * through a tunnel; DR needs the same segment and family */
	if ((op == DRLB_CTL_ADD_DEST || op == DRLB_CTL_EDIT_DEST) &&
	    req->dest.af != 0 && req->dest.af != u->af)
		return fail(err, errlen, EINVAL, NULL);
	if (u->fwmark != 0)
		return fail(err, errlen, EOPNOTSUPP,
		    "Firewall-mark services are not supported by drlb");
	if ((op == DRLB_CTL_ADD_SVC || op == DRLB_CTL_EDIT_SVC) &&
	    strnlen(u->sched_name, DRLB_SCHED_NAME_MAX) == DRLB_SCHED_NAME_MAX)
		return fail(err, errlen, EINVAL, NULL);
	if (u->protocol == IPPROTO_SCTP)
		return fail(err, errlen, ENOPROTOOPT, NULL);
	if (u->protocol != IPPROTO_TCP && u->protocol != IPPROTO_UDP)
		return fail(err, errlen, EFAULT, NULL);	/* as IPVS */

	s = svc_find(t, u->af, u->protocol, &u->addr, u->port);
	if (op != DRLB_CTL_ADD_SVC && s == NULL) {
		bool destop = op == DRLB_CTL_ADD_DEST ||
		    op == DRLB_CTL_EDIT_DEST || op == DRLB_CTL_DEL_DEST;
		return fail(err, errlen, ESRCH,
		    destop ? "Service not defined" : "No such service");
	}

	switch (op) {
	case DRLB_CTL_ADD_SVC:
		if (s != NULL)
			return fail(err, errlen, EEXIST,
			    "Service already exists");
		return add_svc(t, u, err, errlen);
	case DRLB_CTL_EDIT_SVC:
		return edit_svc(s, u, err, errlen);
	case DRLB_CTL_DEL_SVC:
		del_svc(t, s);
		return 0;
	case DRLB_CTL_ZERO:
		zero_svc(s);
		return 0;
	case DRLB_CTL_ADD_DEST:
		return add_dest(t, s, &req->dest, err, errlen);
	case DRLB_CTL_EDIT_DEST:
		return edit_dest(s, &req->dest, err, errlen);
	case DRLB_CTL_DEL_DEST:
		return del_dest(t, s, &req->dest, err, errlen);
	}
	return fail(err, errlen, EINVAL, NULL);
}

/* ------------------------------------------------------------ listing */

int
svc_serialize(struct svc_table *t, void **body, uint32_t *len)
{
	struct svc *s;
	size_t n = 0;
	uint8_t *buf, *p;
	uint32_t i;

	for (s = t->head; s != NULL; s = s->next)
		n += sizeof(struct drlb_ctl_svc_entry) +
		    (size_t)s->ndests * sizeof(struct drlb_ctl_dest_entry);
	if (n > DRLB_CTL_MAX_REPLY) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((buf = calloc(1, n ? n : 1)) == NULL)
		return -1;
	p = buf;
	for (s = t->head; s != NULL; s = s->next) {
		struct drlb_ctl_svc_entry se;

		memset(&se, 0, sizeof(se));
		se.conf = s->conf;
		se.num_dests = s->ndests;
		se.stats = s->stats;
		se.rates = s->rates;
		memcpy(p, &se, sizeof(se));
		p += sizeof(se);
		for (i = 0; i < s->ndests; i++) {
			const struct dest *d = s->dests[i];
			struct drlb_ctl_dest_entry de;

			memset(&de, 0, sizeof(de));
			de.conf = d->conf;
			de.activeconns = d->activeconns;
			de.inactconns = d->inactconns;
			de.persistconns = d->persistconns;
			memcpy(de.mac, d->mac, sizeof(de.mac));
			de.mac_state = d->mac_state;
			de.overloaded = (d->flags & DEST_F_OVERLOAD) != 0;
			de.stats = d->stats;
			de.rates = d->rates;
			memcpy(p, &de, sizeof(de));
			p += sizeof(de);
		}
	}
	*body = buf;
	*len = (uint32_t)n;
	return 0;
}
