/*
 * The control socket: drlbadm's requests, served from the event loop and
 * never waited for.  Every client socket is non-blocking with its own
 * buffers: a request is read as it comes (it has CTL_REQ_MS to be whole), a
 * reply is written as the peer takes it (CTL_REPLY_MS), so a slow or silent
 * client holds nobody up.  What a client may do is decided at accept, from
 * its credentials, before anything is read.  At most CTL_MAX_CLIENTS at a
 * time; a newcomer takes the place of the longest-idle client, and root or
 * the socket's owner always gets in.
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "drlb/ctl.h"
#include "arp.h"
#include "control.h"
#include "drlbd.h"
#include "log.h"
#include "loop.h"
#include "ndp.h"
#include "rules.h"
#include "stats.h"
#include "sync.h"
#include "trace.h"

#define CTL_MAX_CLIENTS	16
#define CTL_REQ_MS	5000	/* from accept or the last reply to a whole request */
#define CTL_REPLY_MS	10000	/* for the peer to take a reply */
#define CTL_ACCEPTS	16	/* new clients per wake, at most */

/* What a client may do, from its credentials (SO_PEERCRED). */
enum ctl_access {
	CTL_DENY = 0,
	CTL_READ,		/* listings, counters, trace: the socket's group */
	CTL_WRITE,		/* changes: root or the socket's owner */
};

/* One client: the request being read, or the reply being written. */
struct ctl_client {
	int fd;				/* -1: a free slot */
	enum ctl_access access;
	int tracing;			/* a trace listener: lines go out from trace.c */
	uint64_t deadline_ms;		/* to finish what it is doing */
	uint64_t active_ms;		/* its last progress: who is idle longest */
	union {
		struct {
			struct drlb_ctl_hdr h;
			struct drlb_ctl_req req;
		} m;
		uint8_t b[sizeof(struct drlb_ctl_hdr) +
		    sizeof(struct drlb_ctl_req)];
	} in;
	size_t inlen;
	uint8_t *out;			/* header and body of the reply */
	size_t outlen, outoff;
};

/* what arrives on the socket, header then body, one buffer */
_Static_assert(sizeof(((struct ctl_client *)0)->in.m) ==
    sizeof(struct drlb_ctl_hdr) + sizeof(struct drlb_ctl_req),
    "a request is its header and its body, without padding");

struct control {
	struct drlbd *d;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t owner;
	gid_t group;
	struct ctl_client cl[CTL_MAX_CLIENTS];
	uint64_t evicted;		/* clients that gave way to a newcomer */
};

static int
mkdir_p(const char *dir)
{
	char tmp[256], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -1;
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

struct control *
control_listen(const char *path, struct drlbd *d, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *c;
	char dir[sizeof(sun.sun_path)];
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	if (mkdir_p(dirname(dir)) < 0) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return NULL;
	}
	/* a socket file left by a daemon that died: remove it, but never
	 * steal the socket of one that is alive */
	if ((fd = ctl_connect(path)) >= 0) {
		close(fd);
		snprintf(err, errlen, "%s: another drlbd is serving this socket",
		    path);
		return NULL;
	}
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail_close;
	/* owner and group may talk to us (ipvsadm needs root; so do we) */
	if (chmod(path, 0660) < 0 || listen(fd, 16) < 0)
		goto fail_close;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail_close;
	c->d = d;
	c->lfd = fd;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	strcpy(c->path, path);
	c->owner = geteuid();
	c->group = getegid();
	return c;
fail_close:
	close(fd);
fail:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	return NULL;
}

int
control_set_group(struct control *c, gid_t gid)
{
	if (chown(c->path, (uid_t)-1, gid) < 0)
		return -1;
	c->group = gid;
	return 0;
}

/* Is gid among pid's groups?  (SO_PEERCRED gives the primary group only;
 * the supplementary ones are in /proc.) */
static bool
pid_in_group(pid_t pid, gid_t gid)
{
	char path[64], line[1024];
	FILE *f;
	bool in = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!in && fgets(line, sizeof(line), f) != NULL) {
		char *p, *end;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (p = line + 7;; p = end) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			if ((gid_t)g == gid)
				in = true;
		}
	}
	fclose(f);
	return in;
}

/*
 * The file's mode (0660) already keeps out everybody but the owner and the
 * group; the peer's credentials say which of the two it is.  Changes need
 * root or the owner, as ipvsadm needs root; the group may read.
 */
static enum ctl_access
peer_access(const struct control *c, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return CTL_DENY;
	if (cr.uid == 0 || cr.uid == c->owner)
		return CTL_WRITE;
	if (cr.gid == c->group || pid_in_group(cr.pid, c->group))
		return CTL_READ;
	return CTL_DENY;
}

static bool
op_reads_only(uint16_t op)
{
	switch (op) {
	case DRLB_CTL_GET_INFO:
	case DRLB_CTL_GET_SERVICES:
	case DRLB_CTL_GET_TIMEOUT:
	case DRLB_CTL_GET_CONNS:
	case DRLB_CTL_GET_COUNTERS:
	case DRLB_CTL_GET_METRICS:
	case DRLB_CTL_GET_COUNTERS_JSON:
	case DRLB_CTL_TRACE:
	case DRLB_CTL_GET_DAEMON:
		return true;
	default:
		return false;
	}
}

static void
client_close(struct ctl_client *cl)
{
	if (cl->tracing) {
		trace_remove(cl->fd);
		log_info("trace listener gone");
	}
	close(cl->fd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0)
			client_close(&c->cl[i]);
	close(c->lfd);
	unlink(c->path);
	free(c);
}

static int
control_pollfds(void *arg, struct pollfd *pfd, int max)
{
	struct control *c = arg;
	int n = 0;

	if (max < 1)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	for (int i = 0; i < CTL_MAX_CLIENTS && n < max; i++) {
		const struct ctl_client *cl = &c->cl[i];

		if (cl->fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = cl->fd,
			    .events = cl->out != NULL ? POLLOUT : POLLIN };
	}
	return n;
}

struct conns_buf {
	struct drlb_ctl_conn_entry *e;
	uint32_t n, cap;
	uint32_t now;
};

static int
conn_to_entry(struct conn *c, void *arg)
{
	struct conns_buf *b = arg;
	struct drlb_ctl_conn_entry *e;

	if (b->n == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 256;
		void *ne = realloc(b->e, (size_t)cap * sizeof(*e));
		if (ne == NULL)
			return -1;
		b->e = ne;
		b->cap = cap;
	}
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->af = c->key.af & ~CONN_KEY_TEMPLATE;
	e->protocol = c->key.protocol;
	e->caddr = c->key.caddr;
	e->vaddr = *conn_vaddr(c);
	if (e->af == AF_INET)
		memset(e->vaddr.b + 4, 0, 12);
	e->daddr = c->dest->conf.addr;
	e->cport = ntohs(c->key.cport);
	e->vport = ntohs(c->key.vport);
	/* IPVS ip_vs_sched_persist: a connection's dport is the real
	 * server's port, or for a port-0 service the port the client asked
	 * for; a template's is the real server's (0 for port 0) */
	e->dport = c->dest->conf.port != 0 || (c->flags & CONN_F_TEMPLATE) ?
	    c->dest->conf.port : ntohs(c->key.vport);
	e->state = (c->flags & CONN_F_TEMPLATE) ? 0 : c->state;
	e->expires_ms = c->expires > b->now ? (c->expires - b->now) * 1000 : 0;
	/* what ipvsadm sees in /proc/net/ip_vs_conn: templates flagged as
	 * IP_VS_CONN_F_TEMPLATE */
	e->flags = (c->flags & CONN_F_TEMPLATE) ? 0x1000 : 0;
	return 0;
}

/* The reply goes into the client's buffer; written as the peer takes it.
 * Out of memory: the client is closed (it sees EOF). */
static void
reply(struct ctl_client *cl, uint16_t op, int32_t status, const void *body,
    uint32_t len)
{
	struct drlb_ctl_hdr h = {
		.magic = DRLB_CTL_MAGIC, .version = DRLB_CTL_VERSION,
		.op = op, .status = status, .len = len,
	};

	free(cl->out);
	cl->outoff = 0;
	cl->outlen = sizeof(h) + len;
	if ((cl->out = malloc(cl->outlen)) == NULL) {
		cl->outlen = 0;
		return;
	}
	memcpy(cl->out, &h, sizeof(h));
	if (len > 0)
		memcpy(cl->out + sizeof(h), body, len);
}

/* Write what the peer takes now: 1 all written, 0 more to write, -1 gone. */
static int
flush(struct ctl_client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = send(cl->fd, cl->out + cl->outoff,
		    cl->outlen - cl->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		cl->outoff += (size_t)n;
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return 1;
}

/* One request: apply or answer it. */
static void
dispatch(struct control *c, struct ctl_client *cl, uint16_t op,
    const struct drlb_ctl_req *req)
{
	struct drlbd *d = c->d;
	char err[DRLB_CTL_ERRMSG_MAX] = "";
	void *body = NULL;
	uint32_t len = 0;
	int status = 0;

	switch (op) {
	case DRLB_CTL_GET_INFO: {
		static struct drlb_ctl_info info;

		info.version = 0x010201;
		info.size = CONN_BUCKETS_DEFAULT;
		info.num_services = d->svcs.count;
		info.conn_count = conn_set_count(&d->conns);
		info.conn_max = conn_set_max(&d->conns);
		reply(cl, op, 0, &info, sizeof(info));
		return;
	}
	case DRLB_CTL_GET_SERVICES:
		if (svc_serialize(&d->svcs, &body, &len) < 0) {
			status = ENOMEM;
			snprintf(err, sizeof(err), "Memory allocation problem");
		}
		break;
	case DRLB_CTL_GET_TIMEOUT: {
		struct drlb_timeouts tm;

		conn_get_timeouts(d->conns.w[0], &tm);
		reply(cl, op, 0, &tm, sizeof(tm));
		return;
	}
	case DRLB_CTL_GET_CONNS: {
		struct conns_buf b = { .now = d->dp.now };

		if (conn_set_walk(&d->conns, conn_to_entry, &b) != 0) {
			free(b.e);
			status = ENOMEM;
			snprintf(err, sizeof(err), "Memory allocation problem");
			break;
		}
		body = b.e;
		len = b.n * (uint32_t)sizeof(*b.e);
		break;
	}
	case DRLB_CTL_TRACE: {
		struct trace_filter f = {
			.af = req->svc.af,
			.protocol = req->svc.protocol,
			.vaddr = req->svc.addr,
			.vport = req->svc.port,
			.client_af = req->dest.af,
			.client = req->dest.addr,
		};

		if (trace_full()) {
			status = EBUSY;
			snprintf(err, sizeof(err), "too many trace listeners");
			break;
		}
		/* a filter naming a service there is not: say so, rather
		 * than wait for events that cannot come */
		if (f.af != 0 && (f.vport != 0 ? svc_find(&d->svcs, f.af,
		    f.protocol, &f.vaddr, f.vport) == NULL :
		    !svc_is_vip(&d->svcs, f.af, &f.vaddr))) {
			char a[DRLB_ADDRPORT_STRLEN];

			status = ENOENT;
			snprintf(err, sizeof(err), "No such service: %s %s "
			    "(drlbadm -L -n lists the services)",
			    f.protocol == IPPROTO_UDP ? "UDP" : "TCP",
			    f.vport != 0 ? drlb_addrport_str(a, sizeof(a), f.af,
			    &f.vaddr, f.vport) : drlb_addr_str(a, sizeof(a),
			    f.af, &f.vaddr));
			break;
		}
		/* the answer first, whole, then the lines trace.c sends */
		reply(cl, op, 0, NULL, 0);
		if (cl->out == NULL || flush(cl) != 1) {
			client_close(cl);
			return;
		}
		if (trace_add(cl->fd, &f) < 0) {
			client_close(cl);	/* too many (checked above) */
			return;
		}
		cl->tracing = 1;
		log_info("trace listener added");
		return;
	}
	case DRLB_CTL_START_DAEMON:
	case DRLB_CTL_STOP_DAEMON: {
		/* the request body carries a struct drlb_ctl_daemon */
		struct drlb_ctl_daemon dm;

		memcpy(&dm, req, sizeof(dm));
		if (op == DRLB_CTL_START_DAEMON ?
		    sync_start(d->sync, &dm, err, sizeof(err)) < 0 :
		    sync_stop(d->sync, dm.state) < 0) {
			status = errno ? errno : EINVAL;
			if (op == DRLB_CTL_STOP_DAEMON)
				snprintf(err, sizeof(err), "No daemon is running");
		}
		break;
	}
	case DRLB_CTL_GET_DAEMON: {
		struct drlb_ctl_daemon dm[2];

		sync_get(d->sync, dm);
		reply(cl, op, 0, dm, sizeof(dm));
		return;
	}
	case DRLB_CTL_SET_ARP: {
		struct drlb_ctl_arp a;

		memcpy(&a, req, sizeof(a));
		d->own_vips = a.on != 0;
		arp_set_own_vips(d->arp, d->own_vips);
		ndp_set_own_vips(d->ndp, d->own_vips);
		log_info("VIPs %s at L2 (drlbadm --arp %s)", d->own_vips ?
		    "taken over: answering ARP, announced" : "released: no "
		    "ARP answers", d->own_vips ? "on" : "off");
		break;
	}
	case DRLB_CTL_GET_COUNTERS:
		if ((body = stats_counters_text(d, &len)) == NULL) {
			status = ENOMEM;
			snprintf(err, sizeof(err), "Memory allocation problem");
		}
		break;
	case DRLB_CTL_GET_COUNTERS_JSON:
		if ((body = stats_counters_json(d, &len)) == NULL) {
			status = ENOMEM;
			snprintf(err, sizeof(err), "Memory allocation problem");
		}
		break;
	case DRLB_CTL_GET_METRICS:
		if ((body = stats_metrics_text(d, &len)) == NULL) {
			status = ENOMEM;
			snprintf(err, sizeof(err), "Memory allocation problem");
		}
		break;
	case DRLB_CTL_ADD_SVC:
	case DRLB_CTL_EDIT_SVC:
	case DRLB_CTL_FLUSH:
	case DRLB_CTL_DEL_SVC:
	case DRLB_CTL_ADD_DEST:
	case DRLB_CTL_EDIT_DEST:
	case DRLB_CTL_DEL_DEST:
	case DRLB_CTL_ZERO:
	case DRLB_CTL_SET_TIMEOUT:
		status = rules_apply(d, op, req, err, sizeof(err));
		break;
	default:
		status = EINVAL;
		snprintf(err, sizeof(err), "unknown control request %u", op);
	}
	if (status != 0)
		reply(cl, op, status, err, (uint32_t)strlen(err) + 1);
	else
		reply(cl, op, 0, body, len);
	free(body);
}

/* Read what has come of the client's request; apply it once it is whole. */
static void
client_read(struct control *c, struct ctl_client *cl, uint64_t now)
{
	static const char denied[] = "Permission denied (changes need root "
	    "or the owner of the control socket)";
	ssize_t n;

	n = recv(cl->fd, cl->in.b + cl->inlen, sizeof(cl->in.b) - cl->inlen,
	    MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		if (n < 0 || cl->inlen > 0)
			log_warnx("control client gone mid-request%s%s",
			    n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		client_close(cl);
		return;
	}
	cl->inlen += (size_t)n;
	cl->active_ms = now;
	if (cl->inlen >= sizeof(cl->in.m.h) &&
	    (cl->in.m.h.magic != DRLB_CTL_MAGIC ||
	    cl->in.m.h.version != DRLB_CTL_VERSION ||
	    cl->in.m.h.len != sizeof(struct drlb_ctl_req))) {
		log_warnx("control client: not a drlb request (magic %#x, "
		    "version %u, %u bytes)", cl->in.m.h.magic,
		    cl->in.m.h.version, cl->in.m.h.len);
		client_close(cl);
		return;
	}
	if (cl->inlen < sizeof(cl->in.b))
		return;
	cl->inlen = 0;
	cl->deadline_ms = now + CTL_REPLY_MS;
	if (cl->access == CTL_READ && !op_reads_only(cl->in.m.h.op))
		reply(cl, cl->in.m.h.op, EPERM, denied, sizeof(denied));
	else
		dispatch(c, cl, cl->in.m.h.op, &cl->in.m.req);
	if (cl->fd >= 0 && cl->out == NULL && !cl->tracing)
		client_close(cl);		/* no memory for the reply */
}

static void
client_write(struct ctl_client *cl, uint64_t now)
{
	int r = flush(cl);

	if (r < 0) {
		client_close(cl);
		return;
	}
	cl->active_ms = now;
	if (r == 1)			/* the next request may come */
		cl->deadline_ms = now + CTL_REQ_MS;
}

/*
 * A free slot for a newcomer, or the slot of the client that has been idle
 * longest (not a trace listener, not in the middle of a reply; when the
 * newcomer may only read, not one that may write), which gives way.
 */
static struct ctl_client *
slot(struct control *c, enum ctl_access access)
{
	struct ctl_client *victim = NULL;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->cl[i];

		if (cl->fd < 0)
			return cl;
		if (cl->tracing || cl->out != NULL ||
		    (access != CTL_WRITE && cl->access == CTL_WRITE))
			continue;
		if (victim == NULL || cl->active_ms < victim->active_ms)
			victim = cl;
	}
	if (victim != NULL) {
		c->evicted++;
		client_close(victim);
	}
	return victim;
}

static void
client_accept(struct control *c, uint64_t now)
{
	for (int a = 0; a < CTL_ACCEPTS; a++) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		enum ctl_access access;
		struct ctl_client *cl;

		if (fd < 0)
			return;
		/* who it is decides all, before a byte is read */
		if ((access = peer_access(c, fd)) == CTL_DENY ||
		    (cl = slot(c, access)) == NULL) {
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->access = access;
		cl->active_ms = now;
		cl->deadline_ms = now + CTL_REQ_MS;
	}
}

static void
control_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now)
{
	struct control *c = arg;

	for (int k = 1; k < n; k++) {
		struct ctl_client *cl = NULL;

		if (pfd[k].revents == 0)
			continue;
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			if (c->cl[i].fd == pfd[k].fd)
				cl = &c->cl[i];
		if (cl == NULL)
			continue;
		if (cl->out != NULL)
			client_write(cl, now);
		else if (cl->tracing) {
			/* a listener says nothing: anything is its end */
			char b[64];

			if (recv(cl->fd, b, sizeof(b), MSG_DONTWAIT) == 0 ||
			    (pfd[k].revents & (POLLHUP | POLLERR)))
				client_close(cl);
		} else
			client_read(c, cl, now);
	}
	if (n >= 1 && (pfd[0].revents & POLLIN))
		client_accept(c, now);
}

/* the earliest deadline of a client (trace listeners have none) */
static uint64_t
control_due(void *arg)
{
	struct control *c = arg;
	uint64_t due = LOOP_NEVER;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0 && !c->cl[i].tracing &&
		    c->cl[i].deadline_ms < due)
			due = c->cl[i].deadline_ms;
	return due;
}

/* a client that did not finish its request, or take its reply, in time */
static void
control_expire(void *arg, uint64_t now)
{
	struct control *c = arg;

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &c->cl[i];

		if (cl->fd < 0 || cl->tracing || cl->deadline_ms > now)
			continue;
		if (cl->out != NULL || cl->inlen > 0)
			log_warnx("control client too slow (%s): closed",
			    cl->out != NULL ? "its reply not taken" :
			    "its request not whole");
		client_close(cl);
	}
}

const struct loop_source control_source = {
	.name = "control socket",
	.maxfds = 1 + CTL_MAX_CLIENTS,
	.pollfds = control_pollfds,
	.serve = control_serve,
	.due = control_due,
	.tick = control_expire,
};
