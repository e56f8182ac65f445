/* drlbd's privileged helper; see priv.h. */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "nftvip.h"
#include "priv.h"
#include "rtvip.h"
#include "svc.h"

#define PRIV_MAGIC	0x44525056u	/* "DRPV" */
#define PRIV_VIPS_MAX	4096		/* VIPs in one request, at most */
#define PRIV_WAIT_MS	5000		/* for an answer */

/* what a request asks: the whole set each time, never a change */
enum priv_op {
	PRIV_DROP = 1,			/* the VIPs nftables keeps from the kernel */
	PRIV_ANNOUNCE,			/* the VIPs routed in the table */
};

struct priv_req {
	uint32_t magic;
	uint32_t op;			/* enum priv_op */
	uint32_t n;
	struct nftvip_addr v[];		/* n of them */
};

struct priv_reply {
	int32_t status;			/* 0 or an errno */
	char msg[256];
};

struct priv {
	pid_t pid;
	int fd;
	int dropping;
	char table[64];
};

/* ---------------------------------------------------------------- helper */

/* What the helper keeps: its nftables table, and the routes it made. */
struct helper {
	struct nftvip *n;		/* NULL: no nftables here */
	char nft_err[256];		/* then why */
	int installed;
	struct rtvip *rt;		/* NULL: no table asked */
	struct nftvip_addr *routed;	/* PRIV_VIPS_MAX of them */
	uint32_t nrouted;
};

/* Everything drlbd had open but our end of the socketpair (and the tun
 * device's descriptor) goes. */
static void
close_others(int keep, int keep2)
{
	for (int fd = 3; fd < 4096; fd++)
		if (fd != keep && fd != keep2)
			close(fd);
}

static int
addr_in(const struct nftvip_addr *v, uint32_t n, const struct nftvip_addr *a)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].af == a->af && memcmp(v[i].addr, a->addr,
		    a->af == AF_INET6 ? 16 : 4) == 0)
			return 1;
	return 0;
}

static void
drop(struct helper *h, const struct priv_req *req, struct priv_reply *rep)
{
	if (h->n == NULL) {
		rep->status = EPROTONOSUPPORT;
		snprintf(rep->msg, sizeof(rep->msg), "%s", h->nft_err);
	} else if (!h->installed && nftvip_install(h->n, rep->msg,
	    sizeof(rep->msg)) < 0)
		rep->status = errno ? errno : EIO;
	else {
		h->installed = 1;
		if (nftvip_set(h->n, req->v, req->n, rep->msg,
		    sizeof(rep->msg)) < 0)
			rep->status = errno ? errno : EIO;
	}
}

/* Routes the request lacks go, then the ones it adds come; what fails
 * stays as it was, and the first failure is the answer. */
static void
announce(struct helper *h, const struct priv_req *req, struct priv_reply *rep)
{
	char msg[sizeof(rep->msg)];

	if (h->rt == NULL) {
		rep->status = EINVAL;
		snprintf(rep->msg, sizeof(rep->msg), "no routing table to "
		    "announce in");
		return;
	}
	for (uint32_t i = 0; i < h->nrouted; i++) {
		if (addr_in(req->v, req->n, &h->routed[i]))
			continue;
		if (rtvip_route(h->rt, 0, h->routed[i].af, h->routed[i].addr,
		    msg, sizeof(msg)) < 0) {
			if (rep->status == 0) {
				rep->status = errno ? errno : EIO;
				memcpy(rep->msg, msg, sizeof(msg));
			}
			continue;
		}
		h->routed[i--] = h->routed[--h->nrouted];
	}
	for (uint32_t i = 0; i < req->n; i++) {
		if (addr_in(h->routed, h->nrouted, &req->v[i]))
			continue;
		if (rtvip_route(h->rt, 1, req->v[i].af, req->v[i].addr, msg,
		    sizeof(msg)) < 0) {
			if (rep->status == 0) {
				rep->status = errno ? errno : EIO;
				memcpy(rep->msg, msg, sizeof(msg));
			}
			continue;
		}
		if (h->nrouted < PRIV_VIPS_MAX)
			h->routed[h->nrouted++] = req->v[i];
	}
}

static void __attribute__((noreturn))
helper(int fd, const char *const *ifnames, unsigned nif, uid_t uid, gid_t gid,
    uint32_t table, int ifindex, int tun_fd)
{
	struct priv_reply rep;
	struct priv_req *req;
	struct helper h;
	size_t cap = sizeof(*req) + PRIV_VIPS_MAX * sizeof(req->v[0]);

	/* drlbd's signals are drlbd's: the helper ends when drlbd's end of
	 * the socket closes, after removing its table */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "drlbd-priv");
	close_others(fd, tun_fd);
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
	    CAPNG_BOUNDING_SET, CAP_NET_ADMIN);
	memset(&rep, 0, sizeof(rep));
	/* a bounding set without CAP_NET_ADMIN (a systemd unit's) is the
	 * usual cause: say so rather than just vanish */
	if (uid == 0 ? capng_apply(CAPNG_SELECT_BOTH) != 0 :
	    capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP |
	    CAPNG_CLEAR_BOUNDING) != 0) {
		rep.status = EPERM;
		snprintf(rep.msg, sizeof(rep.msg), "cannot keep CAP_NET_ADMIN "
		    "(not in the bounding set? under systemd, add it to the "
		    "unit's CapabilityBoundingSet=)");
		(void)send(fd, &rep, sizeof(rep), 0);
		_exit(1);
	}
	memset(&h, 0, sizeof(h));
	/* without nftables the helper is still of use to announce; the
	 * requests that need nftables get the reason */
	if ((h.n = nftvip_open(ifnames, nif, h.nft_err,
	    sizeof(h.nft_err))) == NULL && table == 0) {
		rep.status = errno ? errno : EPERM;
		memcpy(rep.msg, h.nft_err, sizeof(rep.msg));
	}
	if (table != 0 && (h.rt = rtvip_open(table, ifindex, rep.msg,
	    sizeof(rep.msg))) == NULL)
		rep.status = errno ? errno : EPERM;
	if (send(fd, &rep, sizeof(rep), 0) < 0 || rep.status != 0 ||
	    (req = malloc(cap)) == NULL ||
	    (h.routed = calloc(PRIV_VIPS_MAX, sizeof(*h.routed))) == NULL)
		_exit(1);
	for (;;) {
		ssize_t len = recv(fd, req, cap, 0);

		if (len <= 0)		/* drlbd is gone */
			break;
		memset(&rep, 0, sizeof(rep));
		if ((size_t)len < sizeof(*req) || req->magic != PRIV_MAGIC ||
		    req->n > PRIV_VIPS_MAX ||
		    (size_t)len != sizeof(*req) + req->n * sizeof(req->v[0])) {
			rep.status = EINVAL;
			snprintf(rep.msg, sizeof(rep.msg), "bad request");
		} else {
			for (uint32_t i = 0; i < req->n; i++)
				if (req->v[i].af != AF_INET &&
				    req->v[i].af != AF_INET6)
					rep.status = EINVAL;
			if (rep.status != 0)
				snprintf(rep.msg, sizeof(rep.msg),
				    "bad address family");
			else if (req->op == PRIV_DROP)
				drop(&h, req, &rep);
			else if (req->op == PRIV_ANNOUNCE)
				announce(&h, req, &rep);
			else {
				rep.status = EINVAL;
				snprintf(rep.msg, sizeof(rep.msg),
				    "bad request");
			}
		}
		if (send(fd, &rep, sizeof(rep), 0) < 0)
			break;
	}
	/* drlbd is gone: its routes go one by one, each one announced as
	 * gone (FRR's zebra does not notice the routes that go with a
	 * deleted device), then the device goes with our descriptor */
	for (uint32_t i = 0; i < h.nrouted; i++)
		(void)rtvip_route(h.rt, 0, h.routed[i].af, h.routed[i].addr,
		    rep.msg, sizeof(rep.msg));
	free(req);
	free(h.routed);
	rtvip_close(h.rt);
	nftvip_close(h.n, h.installed);
	_exit(0);
}

/* ---------------------------------------------------------------- drlbd's */

/* The helper's answer, within PRIV_WAIT_MS: 0, or -1 with err. */
static int
answer(struct priv *p, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	struct priv_reply rep;
	ssize_t len;

	if (poll(&pfd, 1, PRIV_WAIT_MS) != 1) {
		snprintf(err, errlen, "drlbd's helper did not answer");
		return -1;
	}
	if ((len = recv(p->fd, &rep, sizeof(rep), MSG_DONTWAIT)) !=
	    (ssize_t)sizeof(rep)) {
		snprintf(err, errlen, "drlbd's helper is gone");
		return -1;
	}
	if (rep.status != 0) {
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		snprintf(err, errlen, "%s", rep.msg[0] ? rep.msg :
		    strerror(rep.status));
		errno = rep.status;
		return -1;
	}
	return 0;
}

struct priv *
priv_start(const char *const *ifnames, unsigned nif, uid_t uid, gid_t gid,
    uint32_t table, int ifindex, int tun_fd, char *err, size_t errlen)
{
	struct priv *p;
	int sv[2];

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(p->table, sizeof(p->table), "drlbd_%s", ifnames[0]);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		free(p);
		return NULL;
	}
	if ((p->pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		free(p);
		return NULL;
	}
	if (p->pid == 0) {
		close(sv[0]);
		helper(sv[1], ifnames, nif, uid, gid, table, ifindex, tun_fd);
	}
	close(sv[1]);
	p->fd = sv[0];
	if (answer(p, err, errlen) < 0) {
		priv_stop(p);
		return NULL;
	}
	return p;
}

int
priv_drop_vips(struct priv *p, struct svc_table *svcs, char *err,
    size_t errlen)
{
	struct priv_req *req;
	size_t n = 0, len;
	int rc;

	for (struct svc *s = svcs->head; s != NULL; s = s->next)
		n++;
	if (n > PRIV_VIPS_MAX) {
		snprintf(err, errlen, "more than %d VIPs", PRIV_VIPS_MAX);
		return -1;
	}
	len = sizeof(*req) + n * sizeof(req->v[0]);
	if ((req = calloc(1, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	req->magic = PRIV_MAGIC;
	req->op = PRIV_DROP;
	/* one entry per VIP, however many services it has */
	for (struct svc *s = svcs->head; s != NULL; s = s->next) {
		uint32_t i;

		for (i = 0; i < req->n; i++)
			if (req->v[i].af == s->conf.af && drlb_addr_eq(s->conf.af,
			    (const union drlb_inaddr *)req->v[i].addr,
			    &s->conf.addr))
				break;
		if (i < req->n)
			continue;
		req->v[req->n].af = s->conf.af;
		memcpy(req->v[req->n].addr, s->conf.addr.b,
		    drlb_addr_len(s->conf.af));
		req->n++;
	}
	len = sizeof(*req) + req->n * sizeof(req->v[0]);
	if (send(p->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(err, errlen, "drlbd's helper is gone");
		free(req);
		return -1;
	}
	free(req);
	if ((rc = answer(p, err, errlen)) == 0)
		p->dropping = 1;
	return rc;
}

int
priv_announce(struct priv *p, const struct nftvip_addr *v, size_t n,
    char *err, size_t errlen)
{
	struct priv_req *req;
	size_t len;

	if (n > PRIV_VIPS_MAX) {
		snprintf(err, errlen, "more than %d VIPs", PRIV_VIPS_MAX);
		return -1;
	}
	len = sizeof(*req) + n * sizeof(req->v[0]);
	if ((req = calloc(1, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	req->magic = PRIV_MAGIC;
	req->op = PRIV_ANNOUNCE;
	req->n = (uint32_t)n;
	if (n > 0)
		memcpy(req->v, v, n * sizeof(*v));
	if (send(p->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(err, errlen, "drlbd's helper is gone");
		free(req);
		return -1;
	}
	free(req);
	return answer(p, err, errlen);
}

int
priv_dropping(const struct priv *p)
{
	return p != NULL && p->dropping;
}

const char *
priv_table(const struct priv *p)
{
	return p->table;
}

void
priv_stop(struct priv *p)
{
	if (p == NULL)
		return;
	close(p->fd);
	/* it removes its table, then exits: a bounded wait */
	for (int i = 0; i < 50; i++) {
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid)
			break;
		usleep(20000);
	}
	free(p);
}
