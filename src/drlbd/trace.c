/*
 * Trace listeners and the lines they get (see trace.h).  Lines are written
 * with MSG_DONTWAIT: a listener that does not keep up loses lines (counted
 * and reported to it) rather than slowing the data path down.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "conn.h"
#include "svc.h"
#include "trace.h"

#define TRACE_MAX 8

bool trace_on;
__thread uint32_t trace_mask;
/* workers emit concurrently: one line goes out whole, and the listeners'
 * loss counts stay right (listeners come and go only while workers are
 * paused) */
static pthread_mutex_t emit_lock = PTHREAD_MUTEX_INITIALIZER;

static struct listener {
	int fd;
	struct trace_filter f;
	uint64_t dropped;
} listeners[TRACE_MAX];
static int nlisteners;

static void
update_on(void)
{
	trace_on = nlisteners > 0;
	trace_mask = 0;
}

int
trace_add(int fd, const struct trace_filter *f)
{
	if (nlisteners == TRACE_MAX)
		return -1;
	listeners[nlisteners].fd = fd;
	listeners[nlisteners].f = *f;
	listeners[nlisteners].dropped = 0;
	nlisteners++;
	update_on();
	return 0;
}

bool
trace_full(void)
{
	return nlisteners == TRACE_MAX;
}

void
trace_remove(int fd)
{
	for (int i = 0; i < nlisteners; i++)
		if (listeners[i].fd == fd) {
			listeners[i] = listeners[--nlisteners];
			break;
		}
	update_on();
}

bool
trace_has(int fd)
{
	for (int i = 0; i < nlisteners; i++)
		if (listeners[i].fd == fd)
			return true;
	return false;
}

static bool
addr_eq(uint16_t af, const union drlb_inaddr *a, const union drlb_inaddr *b)
{
	return af == AF_INET ? a->in.s_addr == b->in.s_addr :
	    memcmp(a->b, b->b, 16) == 0;
}

void
trace_frame(const struct conn_key *k)
{
	uint32_t m = 0;

	if (!trace_on) {
		trace_mask = 0;
		return;
	}
	for (int i = 0; i < nlisteners; i++) {
		const struct trace_filter *f = &listeners[i].f;

		if (k == NULL) {
			if (f->af == 0 && f->client_af == 0)
				m |= 1u << i;
			continue;
		}
		if (f->af != 0 && (f->af != k->af || f->protocol != k->protocol ||
		    !addr_eq(f->af, &f->vaddr, &k->vaddr) ||
		    (f->vport != 0 && f->vport != ntohs(k->vport))))
			continue;
		if (f->client_af != 0 && (f->client_af != k->af ||
		    !addr_eq(f->client_af, &f->client, &k->caddr)))
			continue;
		m |= 1u << i;
	}
	trace_mask = m;
}

void
trace_select(uint16_t af, const union drlb_inaddr *client)
{
	uint32_t m = 0;

	if (!trace_on) {
		trace_mask = 0;
		return;
	}
	for (int i = 0; i < nlisteners; i++) {
		const struct trace_filter *f = &listeners[i].f;

		/* a client filter admits only events about that client */
		if (f->client_af != 0 && (af == 0 || f->client_af != af ||
		    !addr_eq(af, &f->client, client)))
			continue;
		m |= 1u << i;
	}
	trace_mask = m;
}

void
trace_emit(const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(line, sizeof(line), "%H:%M:%S", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, ".%06ld ",
	    ts.tv_nsec / 1000);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&emit_lock);
	for (int i = 0; i < nlisteners; i++) {
		struct listener *l = &listeners[i];

		if (!(trace_mask & (1u << i)))
			continue;
		if (l->dropped > 0) {
			char note[64];
			int k = snprintf(note, sizeof(note),
			    "... %llu lines lost (listener too slow)\n",
			    (unsigned long long)l->dropped);
			if (send(l->fd, note, (size_t)k, MSG_DONTWAIT | MSG_NOSIGNAL) == k)
				l->dropped = 0;
		}
		if (send(l->fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n)
			l->dropped++;
	}
	pthread_mutex_unlock(&emit_lock);
}

const char *
trace_addrport(char *buf, size_t len, uint16_t af, const union drlb_inaddr *a,
    uint16_t port)
{
	return drlb_addrport_str(buf, len, af, a, port);
}

const char *
trace_mac(char *buf, size_t len, const uint8_t m[6])
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

void
trace_conn_expired(const struct conn *c)
{
	char cl[64], vs[64], rs[64];
	uint16_t af = c->key.af & ~CONN_KEY_TEMPLATE;

	if (!trace_on)
		return;
	trace_select(af, &c->key.caddr);
	TRACE("expire %s %s -> %s -> %s (%s)",
	    c->key.protocol == IPPROTO_TCP ? "TCP" : "UDP",
	    trace_addrport(cl, sizeof(cl), af, &c->key.caddr, ntohs(c->key.cport)),
	    trace_addrport(vs, sizeof(vs), af, conn_vaddr(c), ntohs(c->key.vport)),
	    trace_addrport(rs, sizeof(rs), c->dest->conf.af, &c->dest->conf.addr,
	    c->dest->conf.port),
	    (c->flags & CONN_F_TEMPLATE) ? "persistence template" :
	    conn_state_str(c));
	trace_mask = 0;
}
