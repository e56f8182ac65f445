/*
 * The real servers' neighbour table shared by ARP and IPv6 neighbor
 * discovery, and the deaf sending socket they share; see neigh.h.
 */
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#include "drlb/addr.h"
#include "log.h"
#include "neigh.h"
#include "sched.h"

#define PROBE_INTERVAL_MS	1000	/* unresolved: ask every second */
#define PROBE_TRIES		3	/* ... this many times before we give up */
#define FAILED_INTERVAL_MS	5000	/* failed: keep asking, slower */
#define REFRESH_MS		60000	/* resolved: re-check after a minute */

#define FLAP_WINDOW_MS		60000	/* MAC changes counted over a minute: */
#define FLAP_HOLD_AFTER		3	/* this many hold it (FLAP_HOLD) */
#define HOLD_MS			300000	/* for 5 minutes, while it answers */

#define LOG_WINDOW_MS		10000	/* per window of 10 s, at most */
#define LOG_PER_MAC		5	/* ... lines about one MAC */
#define LOG_ALL			50	/* ... and lines in all */
#define LOG_MACS		32	/* MACs told apart in a window */
#define LOG_SUMMARY_MACS	3	/* MACs named in the summary */

#define CLAIMERS		32	/* MACs remembered claiming a VIP */

enum neigh_state { NEIGH_NONE, NEIGH_RESOLVED, NEIGH_FAILED };

struct neigh {
	union drlb_inaddr addr;
	uint8_t mac[6];
	uint8_t link;			/* where it answered (resolved) */
	uint8_t state;
	uint8_t tries;			/* unanswered probes in a row */
	uint8_t pinned;			/* --static-mac */
	uint8_t flaps;			/* MAC changes since flap_since_ms */
	uint8_t stable_mac[6];		/* the MAC before those changes */
	uint64_t flap_since_ms;
	uint64_t held_until_ms;		/* 0: not held */
	uint64_t next_probe_ms;
};

/* the log limit: who logged how much in this window */
struct logmac {
	uint8_t mac[6];
	uint32_t lines;
	uint32_t suppressed;
};

struct neigh_table {
	uint16_t af;
	enum neigh_flap flap;
	struct svc_table *svcs;
	const struct neigh_ops *ops;
	void *arg;
	struct neigh *e;
	size_t n, cap;
	struct neigh_claimer claimer[CLAIMERS];
	size_t nclaimers;
	struct {
		struct logmac m[LOG_MACS];
		size_t n;
		uint64_t since_ms;	/* the window's start */
		uint32_t lines;
		uint32_t suppressed;
	} log;
	struct neigh_counters cnt;
};

static const char *
mac_str(char *buf, size_t len, const uint8_t *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

struct neigh_table *
neigh_create(uint16_t af, struct svc_table *svcs, const struct neigh_ops *ops,
    void *arg)
{
	struct neigh_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->af = af;
	t->svcs = svcs;
	t->ops = ops;
	t->arg = arg;
	return t;
}

void
neigh_destroy(struct neigh_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t);
}

void
neigh_set_flap(struct neigh_table *t, enum neigh_flap f)
{
	t->flap = f;
}

void
neigh_get_counters(const struct neigh_table *t, struct neigh_counters *c)
{
	*c = t->cnt;
}

/* ------------------------------------------------------------ log limit */

/* The window is over: one line for what it held back, then a new one. */
static void
log_roll(struct neigh_table *t, uint64_t now_ms)
{
	char list[3 * 48 + 64], m[18];
	size_t off = 0, named = 0, i;
	uint32_t rest;

	if (now_ms - t->log.since_ms < LOG_WINDOW_MS)
		return;
	if (t->log.suppressed > 0) {
		/* the MACs that were held back most, by name */
		rest = t->log.suppressed;
		list[0] = '\0';
		while (named < LOG_SUMMARY_MACS) {
			struct logmac *top = NULL;

			for (i = 0; i < t->log.n; i++) {
				struct logmac *e = &t->log.m[i];

				if (e->suppressed > 0 && (top == NULL ||
				    e->suppressed > top->suppressed))
					top = e;
			}
			if (top == NULL)
				break;
			off += (size_t)snprintf(list + off, sizeof(list) - off,
			    "%s%u about %s", named ? ", " : "",
			    top->suppressed, mac_str(m, sizeof(m), top->mac));
			rest -= top->suppressed;
			top->suppressed = 0;
			named++;
		}
		if (rest > 0)
			snprintf(list + off, sizeof(list) - off,
			    "%s%u about other MACs", named ? ", " : "", rest);
		log_warnx("%s: %u more log lines about frames from the segment "
		    "suppressed in %u s (%s)", t->ops->proto,
		    t->log.suppressed, LOG_WINDOW_MS / 1000, list);
	}
	t->log.n = 0;
	t->log.lines = 0;
	t->log.suppressed = 0;
	t->log.since_ms = now_ms;
}

bool
neigh_log_ok(struct neigh_table *t, const uint8_t mac[6], uint64_t now_ms)
{
	struct logmac *e = NULL;
	size_t i;

	log_roll(t, now_ms);
	for (i = 0; i < t->log.n; i++)
		if (memcmp(t->log.m[i].mac, mac, 6) == 0) {
			e = &t->log.m[i];
			break;
		}
	if (e == NULL && t->log.n < LOG_MACS) {
		e = &t->log.m[t->log.n++];
		memcpy(e->mac, mac, 6);
		e->lines = e->suppressed = 0;
	}
	/* a MAC beyond the table is bounded by the limit for all */
	if (t->log.lines >= LOG_ALL || (e != NULL && e->lines >= LOG_PER_MAC)) {
		if (e != NULL)
			e->suppressed++;
		t->log.suppressed++;
		t->cnt.log_suppressed++;
		return false;
	}
	if (e != NULL)
		e->lines++;
	t->log.lines++;
	return true;
}

/* ------------------------------------------------------------ the table */

static struct neigh *
neigh_find(struct neigh_table *t, const union drlb_inaddr *addr)
{
	for (size_t i = 0; i < t->n; i++)
		if (drlb_addr_eq(t->af, &t->e[i].addr, addr))
			return &t->e[i];
	return NULL;
}

static struct neigh *
neigh_add(struct neigh_table *t, const union drlb_inaddr *addr)
{
	struct neigh *n;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct neigh *ne = realloc(t->e, cap * sizeof(*ne));

		if (ne == NULL)
			return NULL;
		t->e = ne;
		t->cap = cap;
	}
	n = &t->e[t->n++];
	memset(n, 0, sizeof(*n));
	memcpy(&n->addr, addr, drlb_addr_len(t->af));
	return n;
}

static bool
dest_at(const struct neigh_table *t, const struct dest *d,
    const union drlb_inaddr *addr)
{
	return d->conf.af == t->af && drlb_addr_eq(t->af, &d->conf.addr, addr);
}

/* Copy what we know of n's MAC into every dest with its address,
 * including removed ones that connections still use. */
static void
neigh_sync(struct neigh_table *t, const struct neigh *n)
{
	struct svc *s;
	struct dest *d;

	t->svcs->gen++;
	for (s = t->svcs->head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			d = s->dests[i];
			if (!dest_at(t, d, &n->addr))
				continue;
			memcpy(d->mac, n->mac, 6);
			d->link = n->link;
			d->mac_state = n->state == NEIGH_RESOLVED ?
			    DRLB_MAC_RESOLVED : n->state == NEIGH_FAILED ?
			    DRLB_MAC_FAILED : DRLB_MAC_NONE;
			if (n->state == NEIGH_RESOLVED)
				d->flags &= ~DEST_F_NOMAC;
			else
				d->flags |= DEST_F_NOMAC;
			sched_dest_load_changed(d);
		}
	for (d = t->svcs->trash; d != NULL; d = d->trash_next) {
		if (!dest_at(t, d, &n->addr))
			continue;
		memcpy(d->mac, n->mac, 6);
		d->link = n->link;
		d->mac_state = n->state == NEIGH_RESOLVED ? DRLB_MAC_RESOLVED :
		    DRLB_MAC_FAILED;
		/* no scheduler sees it now, but it comes back with this flag
		 * if re-added (svc.c), and a refresh would not resync it */
		if (n->state == NEIGH_RESOLVED)
			d->flags &= ~DEST_F_NOMAC;
		else
			d->flags |= DEST_F_NOMAC;
	}
}

/* Is addr still the address of some dest (live or in the trash)? */
static bool
neigh_used(struct neigh_table *t, const union drlb_inaddr *addr)
{
	struct svc *s;
	struct dest *d;

	for (s = t->svcs->head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (dest_at(t, s->dests[i], addr))
				return true;
	for (d = t->svcs->trash; d != NULL; d = d->trash_next)
		if (dest_at(t, d, addr))
			return true;
	return false;
}

static void
neigh_probe(struct neigh_table *t, struct neigh *n)
{
	/* a real server that answered is asked where it answered; one that
	 * has not, on every link */
	t->ops->probe(t->arg, &n->addr, n->state == NEIGH_RESOLVED ?
	    (int)n->link : NEIGH_LINK_ALL);
	n->tries++;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
neigh_static_parse(const char *spec, struct neigh_static *s, char *err,
    size_t errlen)
{
	char ip[INET6_ADDRSTRLEN + 2], *p;
	const char *eq = strrchr(spec, '='), *m;
	size_t iplen;

	memset(s, 0, sizeof(*s));
	if (eq == NULL || (iplen = (size_t)(eq - spec)) == 0 ||
	    iplen >= sizeof(ip)) {
		snprintf(err, errlen,
		    "want IP=MAC (198.18.0.7=02:00:00:00:00:07)");
		return -1;
	}
	memcpy(ip, spec, iplen);
	ip[iplen] = '\0';
	p = ip;
	if (p[0] == '[' && p[iplen - 1] == ']') {
		p[iplen - 1] = '\0';
		p++;
	}
	if (inet_pton(AF_INET, p, &s->addr) == 1)
		s->af = AF_INET;
	else if (inet_pton(AF_INET6, p, &s->addr) == 1)
		s->af = AF_INET6;
	else {
		snprintf(err, errlen, "%s is not an IPv4 or IPv6 address", p);
		return -1;
	}
	/* six hex bytes apart by ':' (or '-') */
	for (int i = 0; i < 6; i++) {
		m = eq + 1 + 3 * i;
		if (hexval(m[0]) < 0 || hexval(m[1]) < 0 || (i < 5 ?
		    m[2] != ':' && m[2] != '-' : m[2] != '\0')) {
			snprintf(err, errlen, "%s is not a MAC (want six hex "
			    "bytes: 02:00:00:00:00:07)", eq + 1);
			return -1;
		}
		s->mac[i] = (uint8_t)(hexval(m[0]) << 4 | hexval(m[1]));
	}
	if ((s->mac[0] & 1) != 0 || memcmp(s->mac, "\0\0\0\0\0\0", 6) == 0) {
		snprintf(err, errlen, "%s is not a host's MAC (multicast or "
		    "zero)", eq + 1);
		return -1;
	}
	return 0;
}

int
neigh_pin(struct neigh_table *t, const struct neigh_static *s)
{
	struct neigh *n;
	char a[INET6_ADDRSTRLEN], m[18];

	if (s->af != t->af)
		return 0;
	if ((n = neigh_find(t, &s->addr)) == NULL &&
	    (n = neigh_add(t, &s->addr)) == NULL)
		return -1;
	n->pinned = 1;
	n->state = NEIGH_RESOLVED;
	n->tries = 0;
	n->held_until_ms = 0;
	memcpy(n->mac, s->mac, 6);
	log_info("real server %s pinned at %s (--static-mac)",
	    drlb_addr_str(a, sizeof(a), t->af, &s->addr),
	    mac_str(m, sizeof(m), s->mac));
	neigh_sync(t, n);
	return 0;
}

void
neigh_dest_added(struct neigh_table *t, struct dest *d, uint64_t now_ms)
{
	struct neigh *n;

	if (d->conf.af != t->af)
		return;
	if ((n = neigh_find(t, &d->conf.addr)) == NULL) {
		if ((n = neigh_add(t, &d->conf.addr)) == NULL)
			return;	/* stays NOMAC: not scheduled */
		/* ask right away: the first connection should not wait */
		neigh_probe(t, n);
		n->next_probe_ms = now_ms + PROBE_INTERVAL_MS;
	}
	neigh_sync(t, n);
}

bool
neigh_known(struct neigh_table *t, const union drlb_inaddr *addr)
{
	return neigh_find(t, addr) != NULL;
}

/* A resolved n is said to be at another MAC: a flap.  Returns true when
 * it is held instead of moved (NEIGH_FLAP_HOLD, flapping too often). */
static bool
neigh_flap(struct neigh_table *t, struct neigh *n, const uint8_t mac[6],
    uint64_t now_ms)
{
	char a[INET6_ADDRSTRLEN], m0[18], m1[18];

	t->cnt.mac_flaps++;
	if (n->flaps == 0 || now_ms - n->flap_since_ms >= FLAP_WINDOW_MS) {
		n->flaps = 0;
		n->flap_since_ms = now_ms;
		memcpy(n->stable_mac, n->mac, 6);
	}
	if (n->flaps < UINT8_MAX)
		n->flaps++;
	if (t->flap != NEIGH_FLAP_HOLD || n->flaps < FLAP_HOLD_AFTER)
		return false;
	/* back to where it was before it began to flap, as long as that
	 * MAC answers: probed now, failed if it does not (the hold ends) */
	t->cnt.mac_holds++;
	n->held_until_ms = now_ms + HOLD_MS;
	if (memcmp(n->mac, n->stable_mac, 6) != 0) {
		memcpy(n->mac, n->stable_mac, 6);
		neigh_sync(t, n);
	}
	n->next_probe_ms = now_ms;
	n->tries = 0;
	if (neigh_log_ok(t, mac, now_ms))
		log_warnx("real server %s flaps (%u MAC changes in %u s, the "
		    "last to %s): held at %s for %u s (--mac-flap hold)",
		    drlb_addr_str(a, sizeof(a), t->af, &n->addr), n->flaps,
		    FLAP_WINDOW_MS / 1000, mac_str(m1, sizeof(m1), mac),
		    mac_str(m0, sizeof(m0), n->mac), HOLD_MS / 1000);
	return true;
}

enum neigh_learnt
neigh_learn(struct neigh_table *t, const union drlb_inaddr *addr,
    const uint8_t mac[6], unsigned link, uint64_t now_ms)
{
	struct neigh *n;
	char a[INET6_ADDRSTRLEN], m0[18], m1[18];
	bool moved;

	if ((n = neigh_find(t, addr)) == NULL)
		return NEIGH_UNKNOWN;
	drlb_addr_str(a, sizeof(a), t->af, addr);
	if (memcmp(n->mac, mac, 6) != 0 && (n->pinned ||
	    (n->held_until_ms != 0 && now_ms < n->held_until_ms))) {
		t->cnt.mac_refused++;
		if (neigh_log_ok(t, mac, now_ms))
			log_warnx("%s says it is real server %s, which is %s "
			    "at %s: ignored", mac_str(m1, sizeof(m1), mac), a,
			    n->pinned ? "pinned (--static-mac)" : "held",
			    mac_str(m0, sizeof(m0), n->mac));
		return NEIGH_REFUSED;
	}
	if (n->pinned)
		return NEIGH_SAME;
	moved = n->state == NEIGH_RESOLVED && memcmp(n->mac, mac, 6) != 0;
	if (moved && neigh_flap(t, n, mac, now_ms))
		return NEIGH_REFUSED;
	if (n->state == NEIGH_FAILED && neigh_log_ok(t, mac, now_ms))
		log_info("real server %s answers %s again", a, t->ops->again);
	if (!moved && n->state == NEIGH_RESOLVED && n->link == link) {
		n->tries = 0;
		n->next_probe_ms = now_ms + REFRESH_MS;
		return NEIGH_SAME;
	}
	if (moved) {
		if (neigh_log_ok(t, mac, now_ms))
			log_warnx("real server %s is at %s, was at %s "
			    "(MAC flap)", a, mac_str(m1, sizeof(m1), mac),
			    mac_str(m0, sizeof(m0), n->mac));
	} else if (neigh_log_ok(t, mac, now_ms))
		log_info("real server %s is at %s", a,
		    mac_str(m1, sizeof(m1), mac));
	memcpy(n->mac, mac, 6);
	n->link = (uint8_t)link;
	n->state = NEIGH_RESOLVED;
	n->tries = 0;
	n->next_probe_ms = now_ms + REFRESH_MS;
	neigh_sync(t, n);
	return NEIGH_CHANGED;
}

/* ------------------------------------------------------------ VIP claims */

uint64_t
neigh_claim(struct neigh_table *t, const uint8_t mac[6],
    const union drlb_inaddr *vip, const char *how, bool probe,
    uint64_t now_ms)
{
	struct neigh_claimer *c = NULL;
	char v[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], m[18], who[80];
	size_t i;

	for (i = 0; i < t->nclaimers; i++)
		if (memcmp(t->claimer[i].mac, mac, 6) == 0) {
			c = &t->claimer[i];
			break;
		}
	if (c != NULL) {
		c->claims++;
		c->last_ms = now_ms;
		memcpy(&c->vip, vip, sizeof(c->vip));
		return c->claims;
	}
	/* a new MAC: in place of the one heard from least recently */
	if (t->nclaimers < CLAIMERS)
		c = &t->claimer[t->nclaimers++];
	else
		for (c = &t->claimer[0], i = 1; i < CLAIMERS; i++)
			if (t->claimer[i].last_ms < c->last_ms)
				c = &t->claimer[i];
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	memcpy(&c->vip, vip, drlb_addr_len(t->af));
	c->claims = 1;
	c->last_ms = now_ms;
	t->cnt.vip_claimers++;

	if (!neigh_log_ok(t, mac, now_ms))
		return 1;
	mac_str(m, sizeof(m), mac);
	snprintf(who, sizeof(who), "%s", m);
	for (i = 0; i < t->n; i++)
		if (t->e[i].state == NEIGH_RESOLVED &&
		    memcmp(t->e[i].mac, mac, 6) == 0) {
			snprintf(who, sizeof(who), "%s (real server %s)", m,
			    drlb_addr_str(a, sizeof(a), t->af, &t->e[i].addr));
			break;
		}
	drlb_addr_str(v, sizeof(v), t->af, vip);
	log_warnx("%s claims VIP %s by %s: %s; %s (run tools/drlb-realserver "
	    "check %s there)", who, v, how, probe ? "a host about to take it "
	    "(told it is taken)" : "clients that believe it bypass the "
	    "director", t->ops->fix, v);
	return 1;
}

static int
by_claims(const void *x, const void *y)
{
	const struct neigh_claimer *a = x, *b = y;

	return a->claims < b->claims ? 1 : a->claims > b->claims ? -1 : 0;
}

size_t
neigh_claimers(const struct neigh_table *t, struct neigh_claimer *out,
    size_t max)
{
	struct neigh_claimer all[CLAIMERS];
	size_t n = t->nclaimers;

	memcpy(all, t->claimer, n * sizeof(all[0]));
	qsort(all, n, sizeof(all[0]), by_claims);
	if (n > max)
		n = max;
	if (n > 0)
		memcpy(out, all, n * sizeof(all[0]));
	return n;
}

/* ------------------------------------------------------------ timers */

void
neigh_tick(struct neigh_table *t, uint64_t now_ms)
{
	char a[INET6_ADDRSTRLEN], m[18];

	log_roll(t, now_ms);
	for (size_t i = 0; i < t->n; i++) {
		struct neigh *n = &t->e[i];

		if (n->pinned)
			continue;
		if (!neigh_used(t, &n->addr)) {
			t->e[i--] = t->e[--t->n];
			continue;
		}
		if (n->held_until_ms != 0 && now_ms >= n->held_until_ms) {
			n->held_until_ms = 0;
			n->flaps = 0;
			log_info("real server %s no longer held at %s",
			    drlb_addr_str(a, sizeof(a), t->af, &n->addr),
			    mac_str(m, sizeof(m), n->mac));
		}
		if (now_ms < n->next_probe_ms)
			continue;
		if (n->tries >= PROBE_TRIES && n->state != NEIGH_FAILED) {
			n->state = NEIGH_FAILED;
			/* the MAC it was held at is gone: the next to answer
			 * is believed */
			n->held_until_ms = 0;
			n->flaps = 0;
			log_warnx("real server %s does not answer %s: not "
			    "scheduled (in DR a real server must be on the "
			    "director's own Ethernet segment)",
			    drlb_addr_str(a, sizeof(a), t->af, &n->addr),
			    t->ops->silent);
			neigh_sync(t, n);
		}
		neigh_probe(t, n);
		n->next_probe_ms = now_ms + (n->state == NEIGH_FAILED ?
		    FAILED_INTERVAL_MS : PROBE_INTERVAL_MS);
	}
}

void
neigh_sender_quiet(int fd, const char *who)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &none };
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) < 0)
		log_warn("%s: link socket filter", who);
	/* kernels before 4.20 lack it: then outgoing frames are still
	 * cloned, and dropped by the filter */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one));
}
