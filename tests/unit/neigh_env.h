/*
 * What test_neigh, test_arp and test_ndp share: a service table filled
 * through svc_apply (so its hooks run as in the daemon), a recorder standing
 * in for the interface, frames handed over in buffers of exactly their
 * length (a read past the end is an ASan report), and the daemon's log
 * (stderr) captured, to check its wording: log_new() is what it got since
 * the previous call.
 */
#ifndef DRLB_TEST_NEIGH_ENV_H
#define DRLB_TEST_NEIGH_ENV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drlb/addr.h"
#include "svc.h"
#include "expect.h"

static struct svc_table st;

/* ---- the interface: frames sent, in order (test_neigh sends none) */
#define SENT_MAX 64
static struct {
	uint32_t len;
	uint8_t f[128];
} sent[SENT_MAX];
static int nsent;

static __attribute__((unused)) int
record(void *arg, const uint8_t *frame, uint32_t len)
{
	(void)arg;
	if (nsent == SENT_MAX || len > sizeof(sent[0].f)) {
		printf("not ok - recorder: frame %d of %u bytes\n", nsent, len);
		exit(1);
	}
	memcpy(sent[nsent].f, frame, len);
	sent[nsent++].len = len;
	return 0;
}

/* A frame arrives: in a buffer of exactly len bytes. */
static __attribute__((unused)) void
feed(void (*input)(void *, unsigned, const uint8_t *, uint32_t), void *arg,
    const uint8_t *frame, uint32_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);

	if (copy == NULL)
		exit(1);
	memcpy(copy, frame, len);
	input(arg, 0, copy, len);	/* on link 0 */
	free(copy);
}

/* ---- the service table */
static void
pton(const char *s, void *dst)
{
	if (inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, dst) != 1) {
		printf("not ok - bad address %s\n", s);
		exit(1);
	}
}

/* svc_apply(op) on TCP vip:port, with real server rip (or none) */
static void
ctl(uint16_t op, const char *vip, uint16_t port, const char *rip)
{
	struct drlb_ctl_req r;
	char err[256];
	uint16_t af = strchr(vip, ':') ? AF_INET6 : AF_INET;

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = IPPROTO_TCP;
	pton(vip, &r.svc.addr);
	r.svc.port = port;
	snprintf(r.svc.sched_name, sizeof(r.svc.sched_name), "wlc");
	r.svc.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	if (rip != NULL) {
		r.dest.af = af;
		pton(rip, &r.dest.addr);
		r.dest.port = port;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	if (svc_apply(&st, op, &r, err, sizeof(err)) != 0) {
		printf("not ok - svc_apply %u %s %s: %s\n", op, vip,
		    rip ? rip : "", err);
		exit(1);
	}
}

/* the real server rip of the service on port (live ones only) */
static struct dest *
dest(uint16_t port, const char *rip)
{
	union drlb_inaddr a;
	uint16_t af = strchr(rip, ':') ? AF_INET6 : AF_INET;

	memset(&a, 0, sizeof(a));
	pton(rip, &a);
	for (struct svc *s = st.head; s; s = s->next)
		if (s->conf.port == port && s->conf.af == af)
			for (uint32_t i = 0; i < s->ndests; i++)
				if (drlb_addr_eq(af, &s->dests[i]->conf.addr,
				    &a))
					return s->dests[i];
	printf("not ok - no real server %s on port %u\n", rip, port);
	exit(1);
}

/* d resolved at mac: usable, MAC copied */
static int
resolved_at(const struct dest *d, const uint8_t *mac)
{
	return d->mac_state == DRLB_MAC_RESOLVED &&
	    (d->flags & DEST_F_NOMAC) == 0 && memcmp(d->mac, mac, 6) == 0;
}

/* ---- the log: log.c's stderr becomes a file (fd 2 stays: sanitizer
 * reports still reach the terminal; glibc lets stderr be assigned) */
static FILE *log_rd;
static char log_buf[16384];

static void
log_capture(void)
{
	char path[] = "/tmp/drlb-test-log.XXXXXX";
	int fd = mkstemp(path);
	FILE *w;

	if (fd < 0 || (w = fopen(path, "a")) == NULL ||
	    (log_rd = fdopen(fd, "r")) == NULL) {
		printf("not ok - capturing the log\n");
		exit(1);
	}
	unlink(path);
	stderr = w;
}

static const char *
log_new(void)
{
	size_t n;

	fflush(stderr);
	clearerr(log_rd);
	n = fread(log_buf, 1, sizeof(log_buf) - 1, log_rd);
	log_buf[n] = '\0';
	return log_buf;
}

/* How often what occurs in the log since log_new was last called (read
 * to its end; call it often enough that no line straddles two reads). */
static __attribute__((unused)) int
log_count(const char *what)
{
	const char *l;
	int n = 0;

	while (*(l = log_new()) != '\0')
		for (const char *p = l; (p = strstr(p, what)) != NULL; p++)
			n++;
	return n;
}

/* log (from log_new) has line, or has not when !want */
static void
expect_log(const char *log, const char *line, int want, const char *what)
{
	int has = strstr(log, line) != NULL;

	EXPECT(has == want, what);
	if (has != want)
		printf("# the log %s \"%s\"; it was:\n%s", want ? "lacks" :
		    "has", line, log);
}

#endif
