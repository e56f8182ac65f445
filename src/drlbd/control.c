/*
 * The control socket: drlbadm's requests, one at a time per client.
 * Requests are small and fixed-size and drlbadm writes each in one go, so a
 * client is served synchronously when poll() says it is readable (with a
 * receive timeout so a stuck client cannot stall forwarding for long).
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

#define CTL_MAX_CLIENTS 16

/* What a client may do, from its credentials (SO_PEERCRED). */
enum ctl_access {
	CTL_DENY = 0,
	CTL_READ,		/* listings, counters, trace: the socket's group */
	CTL_WRITE,		/* changes: root or the socket's owner */
};

struct control {
	struct drlbd *d;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t owner;
	gid_t group;
	int cfd[CTL_MAX_CLIENTS];
	enum ctl_access access[CTL_MAX_CLIENTS];
	int ncl;
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
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
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

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->ncl; i++)
		close(c->cfd[i]);
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
	for (int i = 0; i < c->ncl && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = c->cfd[i], .events = POLLIN };
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

/* One request: apply or answer it. */
static void
ctl_dispatch(struct drlbd *d, int fd, uint16_t op, const struct drlb_ctl_req *req)
{
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
		ctl_send(fd, op, 0, &info, sizeof(info));
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
		ctl_send(fd, op, 0, &tm, sizeof(tm));
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
		if (trace_add(fd, &f) < 0) {
			status = EBUSY;
			snprintf(err, sizeof(err), "too many trace listeners");
			break;
		}
		log_info("trace listener added");
		ctl_send(fd, op, 0, NULL, 0);
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
		ctl_send(fd, op, 0, dm, sizeof(dm));
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
	if (status != 0) {
		free(body);
		ctl_send(fd, op, status, err, (uint32_t)strlen(err) + 1);
		return;
	}
	ctl_send(fd, op, 0, body, len);
	free(body);
}

static void
ctl_drop(struct control *c, int i)
{
	if (trace_has(c->cfd[i])) {
		trace_remove(c->cfd[i]);
		log_info("trace listener gone");
	}
	close(c->cfd[i]);
	c->ncl--;
	c->cfd[i] = c->cfd[c->ncl];
	c->access[i] = c->access[c->ncl];
}

static void
control_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now)
{
	struct control *c = arg;
	struct drlbd *d = c->d;

	(void)now;
	/* clients first (their indices shift when one goes), newest last */
	for (int k = n - 1; k >= 1; k--) {
		struct drlb_ctl_hdr h;
		void *body = NULL;
		int i;

		if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (i = 0; i < c->ncl && c->cfd[i] != pfd[k].fd; i++)
			;
		if (i == c->ncl)
			continue;
		if (ctl_recv(c->cfd[i], &h, &body, sizeof(struct drlb_ctl_req)) < 0) {
			if (errno != EPIPE)
				log_warn("control client");
			ctl_drop(c, i);
			continue;
		}
		if (h.len != sizeof(struct drlb_ctl_req)) {
			log_warnx("control client: request of %u bytes", h.len);
			free(body);
			ctl_drop(c, i);
			continue;
		}
		if (c->access[i] == CTL_DENY ||
		    (c->access[i] == CTL_READ && !op_reads_only(h.op))) {
			char msg[] = "Permission denied (changes need root or "
			    "the owner of the control socket)";

			ctl_send(c->cfd[i], h.op, EPERM, msg, sizeof(msg));
			free(body);
			continue;
		}
		ctl_dispatch(d, c->cfd[i], h.op, body);
		free(body);
	}
	if (n >= 1 && (pfd[0].revents & POLLIN)) {
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		struct timeval tv = { .tv_sec = 1 };

		if (fd < 0)
			return;
		if (c->ncl == CTL_MAX_CLIENTS) {
			close(fd);
			return;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		c->access[c->ncl] = peer_access(c, fd);
		c->cfd[c->ncl++] = fd;
	}
}

const struct loop_source control_source = {
	.name = "control socket",
	.maxfds = 1 + CTL_MAX_CLIENTS,
	.pollfds = control_pollfds,
	.serve = control_serve,
};
