/*
 * Connection synchronisation, IPVS's sync daemon in userspace (see sync.h).
 *
 * Wire format: IPVS's version 1 (ip_vs_sync.c), so a drlbd backup reads a
 * kernel master's messages and the other way round:
 *
 *   message  0 reserved(0) | 1 syncid | 2-3 size (be16, header included)
 *            4 nr_conns    | 5 version (1) | 6-7 spare (0)
 *   entry    0 type (bit 0: IPv6) | 1 protocol | 2-3 version(4 bits)/size(12)
 *            4-7 flags | 8-9 state | 10 cport | 12 vport | 14 dport
 *            16-19 fwmark | 20-23 timeout (s) | 24 caddr, vaddr, daddr
 *            (4 bytes each for IPv4: 36 in all; 16 for IPv6: 72)
 *            then options (type, length, data), padded to 32 bits
 *
 * What the master sends, and when (IPVS's rules with its default sysctls,
 * simplified where noted):
 *   - a TCP connection in ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT or
 *     TIME_WAIT when its state changes to one other than ESTABLISHED, and
 *     at its 3rd, 53rd, 103rd ... packet (sync_threshold 3, sync_period 50):
 *     so ESTABLISHED goes out at the third packet, and a long transfer is
 *     refreshed every 50 packets; half-open connections are not sent;
 *   - a UDP flow at its 3rd, 53rd ... packet;
 *   - a persistence template just before each message of a connection it
 *     placed (IPVS, with its defaults, sends it with every packet of such
 *     a connection; once per connection message is enough to keep the
 *     backup's copy alive and bound the same way);
 *   - entries are gathered in one message of up to sync_maxlen bytes, sent
 *     when it is full or at the next 100 ms tick (IPVS waits up to 2 s).
 * The packet counts live in a side table keyed by the connection's address
 * in the table (drlbd's struct conn has no room for them): the data path
 * has no hook for us, so the master looks each forwarded frame's flow up
 * again (one more hash lookup per frame, only while a master runs).
 *
 * What a backup does with an entry (ip_vs_proc_conn): finds the service by
 * VIP:port (or the VIP's port-0 service) and its real server by address;
 * creates the connection, or updates its state and timeout, which restarts
 * from the message (IPVS sends each state's full timeout).  A connection
 * placed by a template is linked to the backup's copy of that template, as
 * on the master.  An entry whose real server the backup does not have is
 * counted (sync_no_dest) and skipped: drlbd cannot hold an unbound
 * connection as IPVS can.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "datapath.h"
#include "log.h"
#include "svc.h"
#include "sync.h"

/* ---------------------------------------------------------------- codec */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
sync_mesg_init(uint8_t *buf, uint8_t syncid)
{
	buf[0] = 0;			/* old nr_conns: 0 tells v0 readers off */
	buf[1] = syncid;
	put16(buf + 2, SYNC_MESG_HLEN);
	buf[4] = 0;
	buf[5] = SYNC_PROTO_VER;
	buf[6] = buf[7] = 0;
}

size_t
sync_mesg_len(const uint8_t *buf)
{
	return get16(buf + 2);
}

int
sync_mesg_add(uint8_t *buf, size_t cap, const struct sync_conn *sc)
{
	size_t head = get16(buf + 2), len, pad, alen;
	uint8_t *p;

	len = sc->af == AF_INET6 ? SYNC_V6_LEN : SYNC_V4_LEN;
	alen = drlb_addr_len(sc->af);
	pad = (4 - head) & 3;
	if (buf[4] == 255 || head + pad + len > cap || head + pad + len > 0xffff)
		return -1;
	p = buf + head;
	memset(p, 0, pad);
	p += pad;
	p[0] = sc->af == AF_INET6 ? 1 : 0;
	p[1] = sc->protocol;
	put16(p + 2, (uint16_t)(len & 0x0fff));	/* entry version 0 */
	put32(p + 4, sc->flags);
	put16(p + 8, sc->state);
	memcpy(p + 10, &sc->cport, 2);
	memcpy(p + 12, &sc->vport, 2);
	memcpy(p + 14, &sc->dport, 2);
	put32(p + 16, sc->fwmark);
	put32(p + 20, sc->timeout);
	memcpy(p + 24, sc->caddr.b, alen);
	memcpy(p + 24 + alen, sc->vaddr.b, alen);
	memcpy(p + 24 + 2 * alen, sc->daddr.b, alen);
	put16(buf + 2, (uint16_t)(head + pad + len));
	buf[4]++;
	return 0;
}

/* IPVS's option types (the 0x40 bit: optional, may be ignored) */
#define OPT_SEQ_DATA	1
#define OPT_PE_DATA	2
#define OPT_PE_NAME	3
#define OPT_F_PARAM	0x40
/* IP_VS_CONN_F_BACKUP_MASK: the flags a backup takes from a message */
#define SYNC_F_BACKUP_MASK	(SYNC_F_FWD_MASK | SYNC_F_NOOUTPUT | \
				 SYNC_F_INACTIVE | SYNC_F_SEQ_MASK | 0x0800 | \
				 SYNC_F_TEMPLATE)
#define UDP_NUM_STATES	2		/* IP_VS_UDP_S_LAST */

/* One entry in [p, end): 0 done (given to fn or skipped), -1 drop the rest */
static int
decode_one(const uint8_t *p, const uint8_t *end,
    void (*fn)(void *, const struct sync_conn *), void *arg,
    struct sync_decode_stats *st)
{
	struct sync_conn sc;
	const uint8_t *q;
	size_t alen;
	unsigned seen = 0;
	int skip = 0;

	memset(&sc, 0, sizeof(sc));
	if (p[0] & 1) {
		sc.af = AF_INET6;
		alen = 16;
		q = p + SYNC_V6_LEN;
	} else if (p[0] == 0) {
		sc.af = AF_INET;
		alen = 4;
		q = p + SYNC_V4_LEN;
	} else
		return -1;
	if (q > end)
		return -1;
	for (; q < end;) {
		unsigned type, plen;

		if (q + 2 > end)
			return -1;
		type = q[0];
		plen = q[1];
		q += 2;
		if (plen == 0 || q + plen > end)
			return -1;
		switch (type & ~OPT_F_PARAM) {
		case OPT_SEQ_DATA:
			/* NAT's sequence offsets: DR never adjusts them */
			if (plen != 24 || (seen & 1))
				return -1;
			seen |= 1;
			break;
		case OPT_PE_DATA:
		case OPT_PE_NAME:
			/* (found by fuzz_sync: the "optional" bit is no part
			 * of the option's number) */
			if ((type & ~OPT_F_PARAM) == OPT_PE_NAME && plen > 16)
				return -1;
			if (seen & (1u << (type & ~OPT_F_PARAM)))
				return -1;
			seen |= 1u << (type & ~OPT_F_PARAM);
			skip = 1;	/* a persistence engine (sip): none here */
			break;
		default:
			if (!(type & OPT_F_PARAM))
				skip = 1;	/* unknown and mandatory */
		}
		q += plen;
	}
	sc.protocol = p[1];
	sc.flags = get32(p + 4) & SYNC_F_BACKUP_MASK;
	sc.state = get16(p + 8);
	memcpy(&sc.cport, p + 10, 2);
	memcpy(&sc.vport, p + 12, 2);
	memcpy(&sc.dport, p + 14, 2);
	sc.fwmark = get32(p + 16);
	sc.timeout = get32(p + 20);
	memcpy(sc.caddr.b, p + 24, alen);
	memcpy(sc.vaddr.b, p + 24 + alen, alen);
	memcpy(sc.daddr.b, p + 24 + 2 * alen, alen);
	if (!(sc.flags & SYNC_F_TEMPLATE)) {
		if (sc.protocol == IPPROTO_TCP)
			skip |= sc.state >= CONN_S_LAST;
		else if (sc.protocol == IPPROTO_UDP)
			skip |= sc.state >= UDP_NUM_STATES;
		else
			skip = 1;
	}
	if (skip) {
		st->skipped++;
		return 0;
	}
	st->entries++;
	fn(arg, &sc);
	return 0;
}

int
sync_mesg_decode(const uint8_t *buf, size_t len, uint8_t want_syncid,
    void (*fn)(void *arg, const struct sync_conn *sc), void *arg,
    struct sync_decode_stats *st)
{
	const uint8_t *end = buf + len, *p;

	memset(st, 0, sizeof(*st));
	if (len < 4 || len != get16(buf + 2))
		return -1;
	if (want_syncid != 0 && buf[1] != want_syncid)
		return -1;
	if (len < SYNC_MESG_HLEN || buf[5] != SYNC_PROTO_VER || buf[0] != 0 ||
	    buf[6] != 0 || buf[7] != 0)
		return -1;		/* version 0: not spoken here */
	p = buf + SYNC_MESG_HLEN;
	for (unsigned i = 0; i < buf[4]; i++) {
		size_t size;

		if (p + SYNC_V4_LEN > end)
			return -1;
		size = get16(p + 2) & 0x0fff;
		if (p + size > end || (get16(p + 2) >> 12) != 0)
			return -1;
		if (decode_one(p, p + size, fn, arg, st) < 0)
			return -1;
		p += (size + 3) & ~(size_t)3;
	}
	return 0;
}

/* ---------------------------------------------------------------- table */

void
sync_conn_from(struct sync_conn *sc, struct conn_table *t, const struct conn *c)
{
	int tmpl = (c->flags & CONN_F_TEMPLATE) != 0;
	const struct dest *d = c->dest;

	memset(sc, 0, sizeof(*sc));
	sc->af = c->key.af & ~CONN_KEY_TEMPLATE;
	sc->protocol = c->key.protocol;
	sc->cport = c->key.cport;
	sc->vport = c->key.vport;
	sc->caddr = c->key.caddr;
	sc->vaddr = *conn_vaddr(c);
	if (sc->af == AF_INET)
		memset(sc->vaddr.b + 4, 0, 12);
	sc->daddr = d->conf.addr;
	/* IPVS: a connection's dport is the real server's port, or for a
	 * port-0 service the port the client asked for */
	sc->dport = htons(d->conf.port != 0 || tmpl ? d->conf.port :
	    ntohs(c->key.vport));
	/* a DR real server's connections: DROUTE|NOOUTPUT, INACTIVE as the
	 * connection is counted (tcp_state_active_table; UDP always); a
	 * template keeps the INACTIVE it was made with */
	sc->flags = SYNC_F_DROUTE | SYNC_F_NOOUTPUT;
	if (tmpl)
		sc->flags |= SYNC_F_TEMPLATE | SYNC_F_INACTIVE;
	else if (c->flags & CONN_F_INACTIVE)
		sc->flags |= SYNC_F_INACTIVE;
	sc->state = tmpl ? 0 : c->state;
	sc->timeout = tmpl ? conn_template_timeout(c) :
	    conn_timeout(t, c->key.protocol, (enum conn_state)c->state);
}

static struct dest *
find_dest(struct svc_table *st, const struct sync_conn *sc, struct svc **svcp)
{
	size_t alen = drlb_addr_len(sc->af);
	struct svc *s;

	s = svc_find(st, sc->af, sc->protocol, &sc->vaddr, ntohs(sc->vport));
	if (s == NULL && !(sc->flags & SYNC_F_TEMPLATE))
		s = svc_find(st, sc->af, sc->protocol, &sc->vaddr, 0);
	if (s == NULL)
		return NULL;
	*svcp = s;
	for (uint32_t i = 0; i < s->ndests; i++) {
		struct dest *d = s->dests[i];

		if (d->conf.af == sc->af &&
		    (d->conf.port == ntohs(sc->dport) || d->conf.port == 0) &&
		    memcmp(d->conf.addr.b, sc->daddr.b, alen) == 0)
			return d;
	}
	return NULL;
}

/* the template a connection of svc belongs to (the data path's key) */
static struct conn *
find_template(struct conn_table *t, const struct svc *svc,
    const struct conn_key *k)
{
	struct conn_key tk;

	if (!(svc->conf.flags & DRLB_SVC_F_PERSISTENT))
		return NULL;
	conn_template_key(svc, k, &tk);
	return conn_lookup(t, &tk);
}

void
sync_apply(struct conn_set *cs, struct svc_table *st, uint32_t now,
    const struct sync_conn *sc, struct sync_apply_stats *as)
{
	struct conn_table *t;
	struct conn_key k;
	struct svc *svc = NULL;
	struct dest *d;
	struct conn *c;
	uint32_t timeout = sc->timeout;

	if ((sc->af != AF_INET && sc->af != AF_INET6) ||
	    (sc->protocol != IPPROTO_TCP && sc->protocol != IPPROTO_UDP)) {
		as->bad++;
		return;
	}
	memset(&k, 0, sizeof(k));
	k.af = (uint8_t)sc->af;
	k.protocol = sc->protocol;
	k.caddr = sc->caddr;
	k.vaddr = sc->vaddr;
	k.cport = sc->cport;
	k.vport = sc->vport;
	if ((d = find_dest(st, sc, &svc)) == NULL) {
		as->no_dest++;
		return;
	}
	if (sc->flags & SYNC_F_TEMPLATE) {
		/* the master's template key (its conn_template_key), taken as
		 * sent like IPVS ip_vs_proc_conn: not re-masked with our -M */
		k.af |= CONN_KEY_TEMPLATE;
		t = cs->tmpl;
		if (timeout == 0)
			timeout = 3 * 60;	/* IPVS, for a v0 template */
		c = conn_lookup(t, &k);
		if (c != NULL && c->dest == d) {
			conn_template_touch(t, c, now);
			as->updated++;
			return;
		}
		if (c != NULL)		/* the master moved the client group */
			conn_template_invalidate(t, c);
		if (conn_template_insert(t, &k, d, now, timeout) == NULL)
			as->table_full++;
		else
			as->templates++;
		return;
	}
	/* the table of the worker that will see the client's frames */
	t = conn_set_table(cs, &k);
	/* UDP has one state: IPVS's UDP "NORMAL" is our NONE */
	if (timeout == 0)
		timeout = conn_timeout(t, sc->protocol, (enum conn_state)
		    (sc->protocol == IPPROTO_TCP ? sc->state : CONN_S_NONE));
	c = conn_lookup(t, &k);
	if (c != NULL && c->dest != d) {
		/* ip_vs_proc_conn: an active entry replaces ours (ours ends
		 * now, the next message creates it anew); an inactive one is
		 * the end of the connection ours replaced: ignored */
		if (!(sc->flags & SYNC_F_INACTIVE))
			/* ip_vs_conn_expire_now: counted as it is until it
			 * goes */
			conn_restore(t, c, CONN_S_CLOSE,
			    !(c->flags & CONN_F_INACTIVE), now);
		as->conflicts++;
		return;
	}
	if (c == NULL) {
		struct conn *tmpl;

		if ((c = conn_insert(t, &k, d, now)) == NULL) {
			as->table_full++;
			return;
		}
		if ((tmpl = find_template(cs->tmpl, svc, &k)) != NULL &&
		    tmpl->dest == d)
			conn_set_control(t, c, tmpl);
		as->created++;
	} else
		as->updated++;
	/* counted as the master counts it: ip_vs_proc_conn takes INACTIVE
	 * from the message (a new connection keeps it through
	 * ip_vs_bind_dest's IP_VS_CONN_F_SYNC case, an existing one has its
	 * real server's ActiveConn moved when it differs), not from the
	 * state */
	conn_restore(t, c, sc->protocol == IPPROTO_TCP ?
	    (enum conn_state)sc->state : CONN_S_NONE,
	    !(sc->flags & SYNC_F_INACTIVE), now + timeout);
}

/* ---------------------------------------------------------------- daemon */

/* master: per-connection packet count and the state last sent */
struct rec {
	const struct conn *c;		/* NULL: free slot */
	uint32_t khash;			/* c's key when recorded: a reused
					   slot of the table is a new flow */
	uint16_t pkts;			/* wraps like IPVS's in_pkts; only
					   pkts % SYNC_PERIOD matters */
	uint8_t old_state;
	uint8_t pad;
};

struct sync_half {
	struct drlb_ctl_daemon conf;	/* conf.state 0: not running */
	int fd;
	unsigned ifindex;
};

struct sync_counters {
	uint64_t msgs_sent, conns_sent, send_errors;
	uint64_t msgs_received, msgs_dropped, wrong_interface, entries_skipped;
	struct sync_apply_stats apply;
};

struct sync {
	struct conn_set *t;
	struct svc_table *st;
	uint32_t max_conns;
	uint32_t now;
	struct sync_half m, b;
	uint8_t *buf;			/* the master's message being filled */
	size_t maxlen;
	struct rec *recs;
	uint32_t mask;			/* recs has mask + 1 slots */
	uint32_t nrecs;
	uint8_t *rxbuf;
	struct sync_counters cnt;
};

struct sync *
sync_create(struct conn_set *t, struct svc_table *st, uint32_t max_conns)
{
	struct sync *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->t = t;
	s->st = st;
	s->max_conns = max_conns;
	s->m.fd = s->b.fd = -1;
	return s;
}

static void
half_close(struct sync_half *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	memset(&h->conf, 0, sizeof(h->conf));
}

void
sync_destroy(struct sync *s)
{
	if (s == NULL)
		return;
	sync_tick(s);			/* what the master gathered goes out */
	half_close(&s->m);
	half_close(&s->b);
	free(s->buf);
	free(s->recs);
	free(s->rxbuf);
	free(s);
}

int
sync_master_on(const struct sync *s)
{
	return s != NULL && s->m.conf.state != 0;
}

void
sync_get(const struct sync *s, struct drlb_ctl_daemon out[2])
{
	out[0] = s->m.conf;
	out[1] = s->b.conf;
}

static int
fail(char *err, size_t errlen, const char *what, const char *ifn)
{
	int e = errno;

	snprintf(err, errlen, "sync daemon on %s: %s: %s", ifn, what,
	    strerror(e));
	errno = e;
	return -1;
}

/* SO_BINDTODEVICE needs CAP_NET_RAW before Linux 5.7 (and on a socket
 * already bound to a device); without it the master's IP_MULTICAST_IF and
 * source address, and the backup's IP_PKTINFO check, keep us on the
 * interface all the same. */
static void
bind_to_device(int fd, const char *ifn)
{
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifn,
	    (socklen_t)strlen(ifn) + 1) < 0)
		log_debug("sync: SO_BINDTODEVICE %s: %s (interface checked "
		    "otherwise)", ifn, strerror(errno));
}

static int
if_ipv4(const char *ifn, struct in_addr *a)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifn);
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
		*a = ((struct sockaddr_in *)(void *)&ifr.ifr_addr)->sin_addr;
		rc = 0;
	}
	close(fd);
	return rc;
}

static int
if_mtu_of(const char *ifn)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 1500;

	if (fd < 0)
		return mtu;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifn);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

static struct sockaddr_in
group_of(const struct drlb_ctl_daemon *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(c->mcast_port ? c->mcast_port : SYNC_PORT);
	sin.sin_addr.s_addr = c->mcast_af == AF_INET ? c->mcast_group.in.s_addr :
	    htonl(SYNC_GROUP);
	return sin;
}

static int
open_master(struct sync *s, const struct drlb_ctl_daemon *c, unsigned ifindex,
    char *err, size_t errlen)
{
	struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };
	struct sockaddr_in src = { .sin_family = AF_INET }, grp = group_of(c);
	int fd, off = 0, ttl = c->mcast_ttl ? c->mcast_ttl : 1;
	int pmtu = IP_PMTUDISC_DONT;
	size_t maxlen = (size_t)if_mtu_of(c->mcast_ifn) - 28;

	if (c->sync_maxlen != 0 && c->sync_maxlen < maxlen)
		maxlen = c->sync_maxlen;
	if (maxlen < SYNC_MESG_HLEN + SYNC_V6_LEN) {
		errno = EINVAL;
		return fail(err, errlen, "sync-maxlen too small", c->mcast_ifn);
	}
	if (if_ipv4(c->mcast_ifn, &src.sin_addr) < 0)
		return fail(err, errlen, "no IPv4 address to send from",
		    c->mcast_ifn);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		return fail(err, errlen, "socket", c->mcast_ifn);
	bind_to_device(fd, c->mcast_ifn);
	/* IPVS make_send_sock: out of this interface, not looped back to
	 * ourselves, TTL 1, fragmentation allowed, from its address */
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) < 0) {
		fail(err, errlen, "multicast options", c->mcast_ifn);
		goto out_close_fd;
	}
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		fail(err, errlen, "bind", c->mcast_ifn);
		goto out_close_fd;
	}
	if (connect(fd, (struct sockaddr *)&grp, sizeof(grp)) < 0) {
		fail(err, errlen, "connect to the group", c->mcast_ifn);
		goto out_close_fd;
	}
	s->m.fd = fd;
	s->maxlen = maxlen;
	return 0;
out_close_fd:
	close(fd);
	return -1;
}

static int
open_backup(struct sync *s, const struct drlb_ctl_daemon *c, unsigned ifindex,
    char *err, size_t errlen)
{
	struct sockaddr_in grp = group_of(c);
	struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };
	int fd, on = 1;

	mr.imr_multiaddr = grp.sin_addr;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		return fail(err, errlen, "socket", c->mcast_ifn);
	/* IPVS make_receive_sock: reusable, bound to the group and port on
	 * this interface, the group joined there */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0) {
		fail(err, errlen, "socket options", c->mcast_ifn);
		goto out_close_fd;
	}
	bind_to_device(fd, c->mcast_ifn);
	if (bind(fd, (struct sockaddr *)&grp, sizeof(grp)) < 0) {
		fail(err, errlen, "bind to the group", c->mcast_ifn);
		goto out_close_fd;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		fail(err, errlen, "join the group", c->mcast_ifn);
		goto out_close_fd;
	}
	if (s->rxbuf == NULL && (s->rxbuf = malloc(SYNC_BUF_MAX)) == NULL) {
		fail(err, errlen, "receive buffer", c->mcast_ifn);
		goto out_close_fd;
	}
	s->b.fd = fd;
	return 0;
out_close_fd:
	close(fd);
	return -1;
}

int
sync_start(struct sync *s, const struct drlb_ctl_daemon *conf, char *err,
    size_t errlen)
{
	struct drlb_ctl_daemon c = *conf;
	struct sync_half *h;
	unsigned ifindex;
	char grp[INET_ADDRSTRLEN];
	struct sockaddr_in g;

	c.mcast_ifn[sizeof(c.mcast_ifn) - 1] = '\0';
	if (c.state != DRLB_DAEMON_MASTER && c.state != DRLB_DAEMON_BACKUP) {
		errno = EINVAL;
		snprintf(err, errlen, "sync daemon: state must be master or "
		    "backup");
		return -1;
	}
	h = c.state == DRLB_DAEMON_MASTER ? &s->m : &s->b;
	if (h->conf.state != 0) {
		errno = EEXIST;
		snprintf(err, errlen, "Daemon has already run");
		return -1;
	}
	if (c.mcast_af != 0 && c.mcast_af != AF_INET) {
		errno = EAFNOSUPPORT;
		snprintf(err, errlen, "sync daemon: drlbd synchronises over "
		    "IPv4 multicast only");
		return -1;
	}
	if (c.mcast_ifn[0] == '\0') {
		errno = EINVAL;
		snprintf(err, errlen, "sync daemon: --mcast-interface IF is "
		    "required: the interface sync messages go out and come in "
		    "on");
		return -1;
	}
	if ((ifindex = if_nametoindex(c.mcast_ifn)) == 0) {
		errno = ENODEV;
		snprintf(err, errlen, "sync daemon: no such interface '%s'",
		    c.mcast_ifn);
		return -1;
	}
	if (c.state == DRLB_DAEMON_MASTER) {
		size_t cap = 1;

		while (cap < (size_t)s->max_conns * 2)
			cap <<= 1;
		if (s->recs == NULL &&
		    (s->recs = calloc(cap, sizeof(*s->recs))) == NULL)
			return fail(err, errlen, "packet counts", c.mcast_ifn);
		s->mask = (uint32_t)(cap - 1);
		s->nrecs = 0;
		if (open_master(s, &c, ifindex, err, errlen) < 0)
			goto out_free_recs;
		free(s->buf);
		if ((s->buf = malloc(s->maxlen)) == NULL) {
			fail(err, errlen, "message buffer", c.mcast_ifn);
			close(s->m.fd);
			s->m.fd = -1;
			goto out_free_recs;
		}
		sync_mesg_init(s->buf, (uint8_t)c.syncid);
	} else if (open_backup(s, &c, ifindex, err, errlen) < 0)
		return -1;
	h->conf = c;
	h->ifindex = ifindex;
	g = group_of(&c);
	inet_ntop(AF_INET, &g.sin_addr, grp, sizeof(grp));
	log_info("sync daemon started: state = %s, mcast_ifn = %s, syncid = "
	    "%u, group %s:%u", c.state == DRLB_DAEMON_MASTER ? "MASTER" :
	    "BACKUP", c.mcast_ifn, c.syncid, grp, ntohs(g.sin_port));
	return 0;
out_free_recs:
	free(s->recs);
	s->recs = NULL;
	return -1;
}

int
sync_stop(struct sync *s, uint32_t state)
{
	struct sync_half *h = state == DRLB_DAEMON_MASTER ? &s->m :
	    state == DRLB_DAEMON_BACKUP ? &s->b : NULL;

	if (h == NULL || h->conf.state == 0) {
		errno = ESRCH;
		return -1;
	}
	if (h == &s->m) {
		sync_tick(s);
		free(s->recs);
		s->recs = NULL;
		free(s->buf);
		s->buf = NULL;
	}
	log_info("sync daemon stopped: state = %s",
	    h == &s->m ? "MASTER" : "BACKUP");
	half_close(h);
	return 0;
}

/* ---- master: what to send when ---- */

static uint32_t
key_hash(const struct conn_key *k)
{
	uint32_t h = 2166136261u;
	const uint8_t *p[2] = { k->caddr.b, k->vaddr.b };

	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 16; i++)
			h = (h ^ p[j][i]) * 16777619u;
	h = (h ^ k->cport) * 16777619u;
	h = (h ^ k->vport) * 16777619u;
	h = (h ^ k->protocol) * 16777619u;
	return (h ^ k->af) * 16777619u;
}

static uint32_t
rec_home(const struct sync *s, const struct conn *c)
{
	uint64_t x = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(x >> 32) & s->mask;
}

/* c's record, made (or reset, for a new flow in a reused slot) if need be;
 * NULL when the side table is full */
static struct rec *
rec_get(struct sync *s, const struct conn *c)
{
	struct conn_key k;
	uint32_t i = rec_home(s, c), kh;

	conn_key_get(c, &k);
	kh = key_hash(&k);

	for (;; i = (i + 1) & s->mask) {
		struct rec *r = &s->recs[i];

		if (r->c == c) {
			if (r->khash != kh) {
				r->khash = kh;
				r->pkts = 0;
				r->old_state = CONN_S_NONE;
			}
			return r;
		}
		if (r->c == NULL) {
			if (s->nrecs >= s->mask / 4 * 3)
				return NULL;
			s->nrecs++;
			r->c = c;
			r->khash = kh;
			r->pkts = 0;
			r->old_state = CONN_S_NONE;
			return r;
		}
	}
}

void
sync_conn_gone(struct sync *s, const struct conn *c)
{
	uint32_t i, j;

	if (s == NULL || s->recs == NULL)
		return;
	for (i = rec_home(s, c); s->recs[i].c != c; i = (i + 1) & s->mask)
		if (s->recs[i].c == NULL)
			return;
	/* linear probing: shift back the entries that would not be found
	 * across the hole */
	for (j = i;;) {
		uint32_t k;

		j = (j + 1) & s->mask;
		if (s->recs[j].c == NULL)
			break;
		k = rec_home(s, s->recs[j].c);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			s->recs[i] = s->recs[j];
			i = j;
		}
	}
	s->recs[i].c = NULL;
	s->nrecs--;
}

static void
flush(struct sync *s)
{
	size_t len;

	if (s->buf == NULL || s->buf[4] == 0)
		return;
	len = sync_mesg_len(s->buf);
	if (send(s->m.fd, s->buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)len) {
		s->cnt.msgs_sent++;
		s->cnt.conns_sent += s->buf[4];
	} else if (s->cnt.send_errors++ == 0 || s->cnt.send_errors % 1000 == 0)
		log_warn("sync: send (%llu errors so far)",
		    (unsigned long long)s->cnt.send_errors);
	sync_mesg_init(s->buf, (uint8_t)s->m.conf.syncid);
}

static void
queue(struct sync *s, const struct conn *c)
{
	struct sync_conn sc;

	sync_conn_from(&sc, s->t->w[0], c);
	if (sync_mesg_add(s->buf, s->maxlen, &sc) == 0)
		return;
	flush(s);
	if (sync_mesg_add(s->buf, s->maxlen, &sc) < 0)
		s->cnt.send_errors++;
}

/* ip_vs_sync_conn_needed() with the default sysctls (see the top) */
static int
needed(const struct conn *c, struct rec *r)
{
	int force = 0;

	if (c->key.protocol == IPPROTO_TCP) {
		if (!((1u << c->state) & (1u << CONN_S_ESTABLISHED |
		    1u << CONN_S_FIN_WAIT | 1u << CONN_S_CLOSE |
		    1u << CONN_S_CLOSE_WAIT | 1u << CONN_S_TIME_WAIT)))
			return 0;
		force = c->state != r->old_state;
		if (force && c->state != CONN_S_ESTABLISHED)
			goto set;
	}
	if (r->pkts % SYNC_PERIOD != SYNC_THRESHOLD)
		return 0;
set:
	r->old_state = c->state;
	return 1;
}

void
sync_forwarded(void *arg, struct conn *c, uint32_t now)
{
	struct sync *s = arg;
	struct conn *tmpl;
	struct rec *r;

	s->now = now;
	if (!sync_master_on(s) || (r = rec_get(s, c)) == NULL)
		return;
	r->pkts++;
	if (!needed(c, r))
		return;
	/* the template first: the backup links the connection to it */
	if ((tmpl = conn_control(conn_set_owner(s->t, c), c)) != NULL)
		queue(s, tmpl);
	queue(s, c);
}

void
sync_tick(struct sync *s)
{
	if (s != NULL && s->m.conf.state != 0)
		flush(s);
}

/* ---- backup: apply what arrives ---- */

struct apply_ctx {
	struct sync *s;
	uint32_t now;
};

static void
apply_cb(void *arg, const struct sync_conn *sc)
{
	struct apply_ctx *x = arg;

	sync_apply(x->s->t, x->s->st, x->now, sc, &x->s->cnt.apply);
}

int
sync_pollfds(struct sync *s, struct pollfd *pfd, int max)
{
	if (s == NULL || s->b.fd < 0 || max < 1)
		return 0;
	pfd[0] = (struct pollfd){ .fd = s->b.fd, .events = POLLIN };
	return 1;
}

void
sync_serve(struct sync *s, const struct pollfd *pfd, int n, uint32_t now)
{
	struct apply_ctx x = { .s = s, .now = now };

	if (n < 1 || s->b.fd < 0 || !(pfd[0].revents & POLLIN))
		return;
	for (int i = 0; i < 64; i++) {
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} cbuf;
		struct iovec iov = { .iov_base = s->rxbuf,
		    .iov_len = SYNC_BUF_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b) };
		struct sync_decode_stats st;
		unsigned ifindex = 0;
		ssize_t len;

		if ((len = recvmsg(s->b.fd, &mh, MSG_DONTWAIT)) < 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ifindex = (unsigned)pi.ipi_ifindex;
			}
		if (ifindex != s->b.ifindex) {
			s->cnt.wrong_interface++;
			continue;
		}
		s->cnt.msgs_received++;
		if (sync_mesg_decode(s->rxbuf, (size_t)len,
		    (uint8_t)s->b.conf.syncid, apply_cb, &x, &st) < 0)
			s->cnt.msgs_dropped++;
		s->cnt.entries_skipped += st.skipped;
	}
}

int
sync_counters_text(const struct sync *s, char *buf, size_t cap)
{
	const struct sync_counters *c = &s->cnt;
	int n;

	n = snprintf(buf, cap,
	    "sync_msgs_sent %llu\nsync_conns_sent %llu\nsync_send_errors %llu\n"
	    "sync_msgs_received %llu\nsync_msgs_dropped %llu\n"
	    "sync_wrong_interface %llu\nsync_entries_skipped %llu\n"
	    "sync_conns_created %llu\nsync_conns_updated %llu\n"
	    "sync_templates_created %llu\nsync_no_dest %llu\n"
	    "sync_conflicts %llu\nsync_table_full %llu\n",
	    (unsigned long long)c->msgs_sent, (unsigned long long)c->conns_sent,
	    (unsigned long long)c->send_errors,
	    (unsigned long long)c->msgs_received,
	    (unsigned long long)c->msgs_dropped,
	    (unsigned long long)c->wrong_interface,
	    (unsigned long long)c->entries_skipped,
	    (unsigned long long)c->apply.created,
	    (unsigned long long)c->apply.updated,
	    (unsigned long long)c->apply.templates,
	    (unsigned long long)c->apply.no_dest,
	    (unsigned long long)c->apply.conflicts,
	    (unsigned long long)c->apply.table_full);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return n;
}
