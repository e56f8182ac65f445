/* VIP announcement through a routing daemon; see announce.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "drlb/addr.h"
#include "announce.h"
#include "log.h"
#include "nftvip.h"
#include "priv.h"
#include "svc.h"

#define RETRY_MS	1000		/* a refused change is asked again */

struct vips {				/* VIPs, each once */
	struct nftvip_addr *v;
	size_t n, cap;
};

struct announce {
	int fd;				/* the tun device's: ours alone */
	int ifindex;
	uint32_t table;
	char dev[IFNAMSIZ];
	int draining;
	int failed;
	int synced;			/* gen below is valid */
	uint32_t gen;			/* svcs->gen brought in last */
	uint64_t retry_ms;
	struct vips cur;		/* routed, as the helper confirmed */
};

struct announce *
announce_open(const char *ifname, uint32_t table, char *err, size_t errlen)
{
	struct announce *a;
	struct ifreq ifr;
	int s = -1;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->table = table;
	/* "drlb-IF", or for a long IF "drlb" and its index */
	if (strlen(ifname) + 5 < IFNAMSIZ)
		snprintf(a->dev, sizeof(a->dev), "drlb-%s", ifname);
	else
		snprintf(a->dev, sizeof(a->dev), "drlb%u",
		    if_nametoindex(ifname));
	if ((a->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->dev);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	/* not persistent, even if one of that name was left so: the kernel
	 * deletes it with our descriptor */
	if (ioctl(a->fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(a->fd, TUNSETPERSIST, 0) < 0) {
		snprintf(err, errlen, "tun device %s: %s%s", a->dev,
		    strerror(errno), errno == EBUSY ? " (in use: another "
		    "drlbd on this interface?)" : errno == EPERM ? " (needs "
		    "CAP_NET_ADMIN at start; under systemd, add it to the "
		    "unit's CapabilityBoundingSet=)" : "");
		goto fail;
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0) ||
	    (a->ifindex = (int)if_nametoindex(a->dev)) == 0) {
		snprintf(err, errlen, "tun device %s: up: %s", a->dev,
		    strerror(errno));
		goto fail;
	}
	close(s);
	return a;
fail:
	if (s >= 0)
		close(s);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	return NULL;
}

int
announce_ifindex(const struct announce *a)
{
	return a->ifindex;
}

int
announce_fd(const struct announce *a)
{
	return a->fd;
}

const char *
announce_device(const struct announce *a)
{
	return a->dev;
}

uint32_t
announce_table(const struct announce *a)
{
	return a->table;
}

void
announce_drain(struct announce *a, int on)
{
	a->draining = on != 0;
	a->synced = 0;
}

/* Can s take a new connection: a real server of weight > 0 whose MAC is
 * known (overload passes: it is a moment's). */
static uint32_t
usable(const struct svc *s)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->ndests; i++)
		if (s->dests[i]->conf.weight > 0 &&
		    (s->dests[i]->flags & DEST_F_NOMAC) == 0)
			n++;
	return n;
}

static int
vips_add(struct vips *w, const struct svc *s)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].af == s->conf.af && drlb_addr_eq(s->conf.af,
		    (const union drlb_inaddr *)w->v[i].addr, &s->conf.addr))
			return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct nftvip_addr *nv = realloc(w->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		w->v = nv;
		w->cap = cap;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	w->v[w->n].af = s->conf.af;
	memcpy(w->v[w->n].addr, s->conf.addr.b, drlb_addr_len(s->conf.af));
	w->n++;
	return 0;
}

static int
vips_has(const struct vips *w, const struct nftvip_addr *v)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].af == v->af && memcmp(w->v[i].addr, v->addr,
		    drlb_addr_len(v->af)) == 0)
			return 1;
	return 0;
}

/* say what comes and goes: the VIPs of a that b lacks */
static void
log_gone(const struct vips *a, const struct vips *b, const char *what,
    uint32_t table)
{
	char s[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < a->n; i++)
		if (!vips_has(b, &a->v[i]))
			log_info("VIP %s %s (table %u)", drlb_addr_str(s,
			    sizeof(s), a->v[i].af,
			    (const union drlb_inaddr *)a->v[i].addr), what,
			    table);
}

int
announce_sync(struct announce *a, struct svc_table *svcs, struct priv *p,
    uint64_t now_ms, char *err, size_t errlen)
{
	struct vips w = { 0 };
	int rc = 0;

	if (a->synced && a->gen == svcs->gen &&
	    (!a->failed || now_ms < a->retry_ms))
		return 0;
	a->synced = 1;
	a->gen = svcs->gen;
	if (!a->draining)
		for (const struct svc *s = svcs->head; s != NULL && rc == 0;
		    s = s->next)
			if (usable(s) > 0)
				rc = vips_add(&w, s);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	else if (!a->failed && w.n == a->cur.n && (w.n == 0 ||
	    memcmp(w.v, a->cur.v, w.n * sizeof(w.v[0])) == 0)) {
		free(w.v);		/* the same set, in the same order */
		return 0;
	} else
		rc = priv_announce(p, w.v, w.n, err, errlen);
	a->retry_ms = now_ms + RETRY_MS;
	if (rc < 0) {
		free(w.v);
		/* said once; asked again every RETRY_MS */
		if (a->failed)
			return 0;
		a->failed = 1;
		return -1;
	}
	if (a->failed)
		log_info("VIP announcement works again");
	a->failed = 0;
	log_gone(&a->cur, &w, "withdrawn", a->table);
	log_gone(&w, &a->cur, "announced", a->table);
	free(a->cur.v);
	a->cur = w;
	return 1;
}

int
announce_list(const struct announce *a, struct svc_table *svcs, void **body,
    uint32_t *len)
{
	struct drlb_ctl_announce h;
	struct drlb_ctl_announce_vip *e;
	struct vips all = { 0 };
	uint8_t *b;

	memset(&h, 0, sizeof(h));
	if (a != NULL) {
		h.table = a->table;
		h.draining = (uint32_t)a->draining;
		h.failed = (uint32_t)a->failed;
		snprintf(h.device, sizeof(h.device), "%s", a->dev);
		for (const struct svc *s = svcs->head; s != NULL; s = s->next)
			if (vips_add(&all, s) < 0) {
				free(all.v);
				return -1;
			}
	}
	h.nvips = (uint32_t)all.n;
	*len = (uint32_t)(sizeof(h) + all.n * sizeof(*e));
	if ((b = calloc(1, *len)) == NULL) {
		free(all.v);
		return -1;
	}
	memcpy(b, &h, sizeof(h));
	e = (struct drlb_ctl_announce_vip *)(b + sizeof(h));
	for (size_t i = 0; i < all.n; i++, e++) {
		e->af = all.v[i].af;
		memcpy(e->addr.b, all.v[i].addr, drlb_addr_len(e->af));
		for (const struct svc *s = svcs->head; s != NULL;
		    s = s->next) {
			if (s->conf.af != e->af || !drlb_addr_eq(e->af,
			    &s->conf.addr, &e->addr))
				continue;
			e->services++;
			e->dests += s->ndests;
			e->usable += usable(s);
		}
		for (size_t k = 0; k < a->cur.n; k++)
			if (a->cur.v[k].af == e->af && memcmp(a->cur.v[k].addr,
			    all.v[i].addr, drlb_addr_len(e->af)) == 0)
				e->announced = 1;
	}
	free(all.v);
	*body = b;
	return 0;
}

void
announce_close(struct announce *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a->cur.v);
	free(a);
}
