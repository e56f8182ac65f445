/*
 * Fuzz target: the control socket as drlbadm and anyone allowed on it
 * reach it: control.c's framing, per-client state, dispatch, and the
 * requests applied through rules.c to a daemon's tables.
 *
 * The daemon is linked whole but main.c: a struct drlbd with its service
 * and connection tables, rate estimator, ARP and ND (sending into a
 * recorder), sync daemon (not started), and the hooks main.c installs;
 * control_listen makes the socket in a directory of its own under /tmp.
 * The control source is served as the loop serves it (pollfds, poll(2)
 * without waiting, serve, tick when due).  Up to NCL clients (more than
 * the 16 slots) connect and write; we are the socket's owner, so each
 * may change rules.  Traffic comes too: SYNs and UDP datagrams to the
 * services, through the data path (dp_process) into the connection table,
 * to real servers whose MACs count as resolved once added.
 *
 * Input: records, each one byte: its high 5 bits the client (mod NCL),
 * its low 3 bits what it does: 0 connect (anew), 1 one second passes
 * (the tables' and estimator's ticks run), 2 shut down its writing side,
 * 3 close, 4 read what came (at most the next byte's count, 0 all), 5 a
 * new flow from client address (the high bits) to the service of the
 * next byte (its low 3 bits: the table's nth), 6 a whole request: the next
 * byte its op, then 2 bytes (big endian) the body's length and the body,
 * zero-padded (what drlbadm sends); 7 raw bytes, the next byte their
 * count.  After each record the control source is served once.
 * START_DAEMON is never sent (it opens multicast sockets): its op is
 * changed on the way to an unknown one.
 *
 * Each input starts from empty tables, defaults, VIPs owned, fresh ARP,
 * ND and estimator, and no client.  Besides sanitizer reports it aborts
 * when: a real server keeps a count or reference once the connections
 * are flushed; a reply is not a whole header of our magic and version, with a
 * body of its length (an error a NUL-ended text); replies do not answer
 * the client's whole requests in order, op for op; once every client has
 * read what came, a whole request is still unanswered; the service table
 * is inconsistent; or, every client gone, the socket still holds one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "drlb/ctl.h"
#include "arp.h"
#include "control.h"
#include "datapath.h"
#include "drlbd.h"
#include "est.h"
#include "loop.h"
#include "ndp.h"
#include "sched.h"
#include "rules.h"
#include "svc.h"
#include "sync.h"
#include "fuzz.h"

#define NCL		18		/* more than control.c's 16 slots */
#define FRAME		(sizeof(struct drlb_ctl_hdr) + sizeof(struct drlb_ctl_req))
#define OPS_MAX		4096		/* whole requests per client, tracked */
#define REPLY_MAX	(1u << 20)

struct client {
	int fd;				/* -1: not connected */
	int eof;			/* the daemon ended it */
	size_t sent;			/* bytes of the request stream */
	uint8_t frame[FRAME];		/* the frame being sent */
	int bad;			/* a header the daemon refuses was sent */
	int untracked;			/* more requests than ops[] holds */
	uint16_t ops[OPS_MAX];		/* whole requests, in order */
	unsigned nops, nreplies;
	int tracing;			/* a TRACE answered OK: lines follow */
	uint8_t *in;			/* what came back, not yet parsed */
	size_t inlen;
};

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static char dir[] = "/tmp/fuzz_control.XXXXXX";
static char path[sizeof(dir) + 16];
static struct drlbd d;
static struct control *ctl;
static struct client cl[NCL];
static struct drlb_timeouts timeouts0;
static uint64_t now_ms;

static int
record(void *arg, const uint8_t *frame, uint32_t len)
{
	(void)arg;
	(void)frame;
	(void)len;
	return 0;
}

/* main.c's hooks, as it installs them; a real server's MAC then counts
 * as resolved, as neigh.c marks it when the real server answers (no
 * frame from the segment here), so traffic reaches it */
static void
dest_added(void *arg, struct dest *dst)
{
	(void)arg;
	arp_dest_added(d.arp, dst);
	ndp_dest_added(d.ndp, dst);
	memcpy(dst->mac, mac, 6);
	dst->mac[5] = dst->conf.addr.b[drlb_addr_len(dst->conf.af) - 1];
	dst->mac_state = DRLB_MAC_RESOLVED;
	dst->flags &= ~DEST_F_NOMAC;
	sched_dest_load_changed(dst);
}

static void
dest_freed(void *arg, struct dest *dst)
{
	(void)arg;
	est_forget(d.est, dst);
}

static void
vips_changed(void *arg)
{
	(void)arg;
	arp_vips_changed(d.arp);
	ndp_vips_changed(d.ndp);
}

static void
cleanup(void)
{
	control_close(ctl);
	rmdir(dir);
}

static void
setup(void)
{
	char err[256];

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	svc_table_init(&d.svcs);
	timeouts0 = d.svcs.timeouts;
	if (conn_set_create(&d.conns, 1, 4096) < 0)
		abort();
	d.o.nworkers = 1;
	dp_init(&d.dp, mac, 1500, &d.svcs, d.conns.w[0]);
	d.svcs.on_dest_added = dest_added;
	d.svcs.on_dest_freed = dest_freed;
	d.svcs.on_vips_changed = vips_changed;
	if ((d.sync = sync_create(&d.conns, &d.svcs, 4096)) == NULL)
		abort();
	if ((ctl = control_listen(path, &d, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	atexit(cleanup);
	for (int i = 0; i < NCL; i++)
		cl[i].fd = -1;
}

/* each input from the same state */
static void
reset(void)
{
	struct drlb_ctl_req r;
	char err[256];
	struct in_addr dip;

	memset(&r, 0, sizeof(r));
	d.dp.now = 1;
	d.svcs.on_dest_added = NULL;
	d.svcs.on_vips_changed = NULL;
	if (rules_apply(&d, DRLB_CTL_FLUSH, &r, err, sizeof(err)) != 0)
		abort();
	d.svcs.timeouts = timeouts0;
	conn_set_timeouts_all(&d.conns, &d.svcs.timeouts);
	arp_close(d.arp);
	ndp_close(d.ndp);
	est_free(d.est);
	inet_pton(AF_INET, "198.18.0.2", &dip);
	d.own_vips = 1;
	if ((d.arp = arp_create(mac, dip.s_addr, 1, &d.svcs, record, NULL, err,
	    sizeof(err))) == NULL ||
	    (d.ndp = ndp_create(mac, 0, -1, 1, &d.svcs, record, NULL, err,
	    sizeof(err))) == NULL || (d.est = est_create()) == NULL)
		abort();
	d.svcs.on_dest_added = dest_added;
	d.svcs.on_vips_changed = vips_changed;
}

/* the table's own links agree */
static void
check_table(void)
{
	uint32_t n = 0;

	for (const struct svc *s = d.svcs.head; s != NULL; s = s->next) {
		n++;
		if (svc_find(&d.svcs, s->conf.af, s->conf.protocol,
		    &s->conf.addr, s->conf.port) != s)
			abort();
		for (uint32_t i = 0; i < s->ndests; i++)
			if (s->dests[i] == NULL || s->dests[i]->svc != s)
				abort();
	}
	if (n != d.svcs.count)
		abort();
}

/* what came back: whole replies, in order, each answering its request */
static void
parse_replies(struct client *c)
{
	size_t off = 0;

	while (!c->tracing && c->inlen - off >= sizeof(struct drlb_ctl_hdr)) {
		struct drlb_ctl_hdr h;
		const uint8_t *body;

		memcpy(&h, c->in + off, sizeof(h));
		if (h.magic != DRLB_CTL_MAGIC || h.version != DRLB_CTL_VERSION ||
		    (!c->untracked && (c->nreplies >= c->nops ||
		    h.op != c->ops[c->nreplies])) || h.status < 0)
			abort();
		if (c->inlen - off - sizeof(h) < h.len)
			break;			/* its body is on its way */
		body = c->in + off + sizeof(h);
		if (h.status != 0 && (h.len == 0 || body[h.len - 1] != '\0'))
			abort();		/* errors: a NUL-ended text */
		c->nreplies++;
		off += sizeof(h) + h.len;
		if (h.op == DRLB_CTL_TRACE && h.status == 0)
			c->tracing = 1;		/* its lines follow: text */
	}
	if (c->tracing)
		off = c->inlen;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

static void
client_end(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
client_connect(struct client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	client_end(c);
	strcpy(sun.sun_path, path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		abort();
}

/* read up to max bytes of what came (0: all) */
static void
client_read(struct client *c, size_t max)
{
	size_t got = 0;

	while (c->fd >= 0 && !c->eof && (max == 0 || got < max)) {
		size_t room = REPLY_MAX - c->inlen;
		ssize_t r;

		if (max != 0 && room > max - got)
			room = max - got;
		if (c->in == NULL && (c->in = malloc(REPLY_MAX)) == NULL)
			abort();
		r = recv(c->fd, c->in + c->inlen, room, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			c->eof = 1;
			break;
		}
		c->inlen += (size_t)r;
		got += (size_t)r;
		parse_replies(c);
		if (c->inlen == REPLY_MAX)
			abort();		/* a reply bigger than ours can be */
	}
}

/* The bytes of the request stream, as sent: whole requests counted,
 * START_DAEMON's op changed, a refused header noted. */
static void
client_send(struct client *c, uint8_t *p, size_t n)
{
	static const size_t op_at = offsetof(struct drlb_ctl_hdr, op);
	uint8_t lo = c->frame[op_at];
	size_t k;
	ssize_t w;

	if (c->fd < 0)
		client_connect(c);
	for (k = 0; k < n; k++) {
		size_t at = (c->sent + k) % FRAME;

		if (at == op_at)
			lo = p[k];
		else if (at == op_at + 1 &&
		    (lo | (uint16_t)p[k] << 8) == DRLB_CTL_START_DAEMON)
			p[k] = 0xff;		/* no multicast socket */
	}
	/* the daemon reads no more than what it answers: a client that does
	 * not read may find the socket full */
	if ((w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT)) <= 0)
		return;
	for (k = 0; k < (size_t)w; k++) {
		size_t at = (c->sent + k) % FRAME;
		struct drlb_ctl_hdr h;

		c->frame[at] = p[k];
		if (c->bad || (at != sizeof(h) - 1 && at != FRAME - 1))
			continue;
		memcpy(&h, c->frame, sizeof(h));
		if (h.magic != DRLB_CTL_MAGIC || h.version != DRLB_CTL_VERSION ||
		    h.len != sizeof(struct drlb_ctl_req))
			c->bad = 1;		/* the daemon closes on it */
		else if (at == FRAME - 1 && c->nops < OPS_MAX)
			c->ops[c->nops++] = h.op;
		else if (at == FRAME - 1)
			c->untracked = 1;	/* replies: their framing only */
	}
	c->sent += (size_t)w;
}

/* one second: what main.c's ticks do */
static void
second(void)
{
	now_ms += 1000;
	d.dp.now++;
	conn_expire(d.conns.tmpl, &d.svcs, d.dp.now, 64);
	for (struct svc *s = d.svcs.head; s != NULL; s = s->next)
		if (s->sched->tick != NULL)
			s->sched->tick(s, d.dp.now);
	if (d.dp.now % 2 == 0)
		est_tick(d.est, &d.svcs);
}

/* A new flow's first frame from client n to the service the byte
 * picks: a SYN, or a UDP datagram; in a buffer of exactly its size. */
static void
flow(unsigned n, uint8_t which)
{
	const struct svc *s = d.svcs.head;
	struct dp_frame f;
	uint8_t *b;
	size_t l3, l4, len;
	uint16_t sport = (uint16_t)(40000 + n), dport;
	int v6;

	for (unsigned i = 0; s != NULL && i < (which & 7u); i++)
		s = s->next;
	if (s == NULL)
		return;
	v6 = s->conf.af == AF_INET6;
	dport = s->conf.port != 0 ? s->conf.port : 443;
	l3 = v6 ? 40 : 20;
	l4 = s->conf.protocol == IPPROTO_UDP ? 8 : 20;
	len = 14 + l3 + l4;
	if ((b = calloc(1, len)) == NULL)
		abort();
	memcpy(b, mac, 6);
	memcpy(b + 6, mac, 6);
	b[11] = (uint8_t)(0x40 + n);
	b[12] = v6 ? 0x86 : 0x08;
	b[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		b[14] = 0x60;
		b[18] = (uint8_t)(l4 >> 8);
		b[19] = (uint8_t)l4;
		b[20] = s->conf.protocol;
		b[21] = 64;
		b[22] = 0x20; b[23] = 0x01; b[24] = 0x0d; b[25] = 0xb8;
		b[37] = (uint8_t)(0x64 + n);
		memcpy(b + 38, s->conf.addr.b, 16);
	} else {
		b[14] = 0x45;
		b[16] = (uint8_t)((l3 + l4) >> 8);
		b[17] = (uint8_t)(l3 + l4);
		b[20] = 0x40;			/* DF */
		b[22] = 64;
		b[23] = s->conf.protocol;
		b[26] = 198; b[27] = 18; b[28] = 1; b[29] = (uint8_t)(n + 1);
		memcpy(b + 30, s->conf.addr.b, 4);
	}
	b[14 + l3] = (uint8_t)(sport >> 8);
	b[15 + l3] = (uint8_t)sport;
	b[16 + l3] = (uint8_t)(dport >> 8);
	b[17 + l3] = (uint8_t)dport;
	if (s->conf.protocol == IPPROTO_UDP)
		b[19 + l3] = 8;			/* length; no checksum */
	else {
		b[26 + l3] = 5 << 4;
		b[27 + l3] = 0x02;		/* SYN */
		b[28 + l3] = 0xff;
	}
	memset(&f, 0, sizeof(f));
	f.data = b;
	f.len = f.wire_len = (uint32_t)len;
	dp_process(&d.dp, &f);
	free(b);
}

/* the connections gone, no real server holds a count or reference */
static void
check_flushed(void)
{
	conn_set_flush(&d.conns, &d.svcs);
	for (struct svc *s = d.svcs.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (s->dests[i]->activeconns != 0 ||
			    s->dests[i]->inactconns != 0 ||
			    s->dests[i]->persistconns != 0 ||
			    s->dests[i]->refcnt != 1)
				abort();
}

static void
serve(void)
{
	struct pollfd pfd[1 + 16];
	int n = control_source.pollfds(ctl, pfd, 1 + 16);

	if (poll(pfd, (nfds_t)n, 0) < 0)
		abort();
	control_source.serve(ctl, pfd, n, now_ms);
	if (control_source.due(ctl) <= now_ms)
		control_source.tick(ctl, now_ms);
	check_table();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pollfd pfd[1 + 16];

	if (ctl == NULL)
		setup();
	reset();
	now_ms = 1000000;
	while (size > 0) {
		struct client *c = &cl[(data[0] >> 3) % NCL];
		uint8_t op = data[0] & 7;

		data++;
		size--;
		switch (op) {
		case 0:
			client_connect(c);
			break;
		case 1:
			second();
			break;
		case 2:
			if (c->fd >= 0)
				shutdown(c->fd, SHUT_WR);
			break;
		case 3:
			client_end(c);
			break;
		case 4:
			if (size > 0) {
				client_read(c, data[0]);
				data++;
				size--;
			}
			break;
		case 5:
			if (size > 0) {
				flow((data[0] >> 3) % 32u, data[0]);
				data++;
				size--;
			}
			break;
		case 6: {
			uint8_t f[FRAME];
			struct drlb_ctl_hdr h = {
				.magic = DRLB_CTL_MAGIC,
				.version = DRLB_CTL_VERSION,
				.len = sizeof(struct drlb_ctl_req),
			};
			size_t len;

			if (size < 3) {
				size = 0;
				break;
			}
			h.op = data[0];
			len = (size_t)data[1] << 8 | data[2];
			data += 3;
			size -= 3;
			if (len > size)
				len = size;
			if (len > sizeof(struct drlb_ctl_req))
				len = sizeof(struct drlb_ctl_req);
			memset(f, 0, sizeof(f));
			memcpy(f, &h, sizeof(h));
			memcpy(f + sizeof(h), data, len);
			data += len;
			size -= len;
			client_send(c, f, FRAME);
			break;
		}
		default: {
			size_t n = size > 0 ? data[0] : 0;
			uint8_t *b;

			if (size > 0) {
				data++;
				size--;
			}
			if (n > size)
				n = size;
			/* its own buffer: client_send may change a byte */
			if ((b = malloc(n ? n : 1)) == NULL)
				abort();
			memcpy(b, data, n);
			client_send(c, b, n);
			free(b);
			data += n;
			size -= n;
		}
		}
		serve();
	}
	/* every client reads all: what it sent whole is answered (two
	 * serves a request: read and answer, write), unless the daemon
	 * ended it (evicted, too slow, a refused header) */
	for (int k = 0, idle = 0; idle < 4 && k < 4 * NCL * OPS_MAX; k++) {
		unsigned before = 0, after = 0;

		for (int i = 0; i < NCL; i++)
			before += cl[i].nreplies + (unsigned)cl[i].eof;
		serve();
		for (int i = 0; i < NCL; i++) {
			client_read(&cl[i], 0);
			after += cl[i].nreplies + (unsigned)cl[i].eof;
		}
		idle = after == before ? idle + 1 : 0;
	}
	for (int i = 0; i < NCL; i++) {
		struct client *c = &cl[i];

		if (c->fd < 0)
			continue;
		if (c->untracked)
			continue;
		if (c->nreplies > c->nops)
			abort();
		if (!c->eof && !c->tracing && c->nreplies != c->nops) {
			fprintf(stderr, "client %d: %u requests, %u replies\n",
			    i, c->nops, c->nreplies);
			abort();
		}
	}
	for (int i = 0; i < NCL; i++)
		client_end(&cl[i]);
	check_flushed();
	/* every client gone: the socket lets go of them all */
	for (int k = 0; k < 2; k++) {
		now_ms += 60000;
		serve();
	}
	if (control_source.pollfds(ctl, pfd, 1 + 16) != 1)
		abort();
	return 0;
}
