/*
 * The checkers of real servers' health (keepalived's TCP_CHECK, HTTP_GET,
 * SSL_GET, MISC_CHECK, UDP_CHECK, SMTP_CHECK, DNS_CHECK): one file each
 * behind struct check_ops (check_tcp.c, check_http.c, check_ssl.c,
 * check_misc.c, check_udp.c, check_smtp.c, check_dns.c), driven by health.c
 * from the event loop.  A checker runs one attempt at a time without
 * blocking: it opens a non-blocking socket (polled for c->events) or starts
 * a child (its output pipe polled, the child looked at when revents is 0),
 * and says OK, FAIL (c->why) or PENDING.
 */
#ifndef DRLBD_CHECKER_H
#define DRLBD_CHECKER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kaconf.h"

struct check_rs;

enum check_result {
	CHECK_PENDING = 0,		/* in progress: wait for c->fd / the child */
	CHECK_OK,
	CHECK_FAIL,			/* c->why says why */
};

/* One checker of one real server and its attempt in progress. */
struct check {
	struct kaconf_check conf;
	const struct check_ops *ops;
	struct check_rs *rs;
	/* target: connect_ip or the RIP, port connect_port or the real
	 * server's */
	uint16_t af;
	union drlb_inaddr addr;
	uint16_t port;
	/* the attempt in progress (the checker's) */
	int fd;				/* -1, or polled for `events` */
	short events;
	pid_t pid;			/* MISC_CHECK's child, or 0 */
	const char *rs_name;		/* "RIP:port", for log lines */
	void *priv;			/* the checker's own state */
	int dyn_weight;			/* misc_dynamic: weight from the exit
					   status of the last success, or -1 */
	char why[160];			/* the last attempt's result */
	/* scheduling and health (the core's) */
	int running;
	int up;
	int has_run;			/* an attempt has ended */
	uint32_t fails, oks;		/* in a row */
	uint32_t fails_down;		/* the failures that took it DOWN */
	uint64_t next_ms;		/* next attempt (when not running) */
	uint64_t deadline_ms;		/* of the running attempt */
};

struct check_ops {
	const char *name;		/* "TCP_CHECK" */
	/* start an attempt: CHECK_PENDING with c->fd/events or c->pid set,
	 * or at once CHECK_OK / CHECK_FAIL */
	int (*start)(struct check *c);
	/* an event on c->fd (revents), or with revents 0 a look at a child */
	int (*step)(struct check *c, short revents);
	/* end the attempt and release what it holds (fd, child, priv); with
	 * timed_out set, also write why it did not finish in time.  Called
	 * after every attempt; must be idempotent. */
	void (*stop)(struct check *c, int timed_out);
	/* what is checked, for the log: "HTTP GET /", "TCP connect :80" */
	void (*describe)(const struct check *c, char *buf, size_t len);
	/* optional: is running out of time a success? (UDP_CHECK without
	 * require_reply) */
	int (*timeout_ok)(const struct check *c);
};

extern const struct check_ops check_tcp_ops;
extern const struct check_ops check_http_ops;
extern const struct check_ops check_ssl_ops;
extern const struct check_ops check_misc_ops;
extern const struct check_ops check_udp_ops;
extern const struct check_ops check_smtp_ops;
extern const struct check_ops check_dns_ops;

/* check_tcp.c, shared by the socket checkers: a non-blocking socket of
 * type (SOCK_STREAM, SOCK_DGRAM) bound as bindto/bind_port/bind_if say and
 * connected to c's target: CHECK_PENDING (c->fd, POLLOUT), CHECK_OK (at
 * once) or CHECK_FAIL; after POLLOUT, check_tcp_connected says whether a
 * stream connect worked. */
int check_sock_connect(struct check *c, int type);
int check_tcp_connect(struct check *c);
int check_tcp_connected(struct check *c);

/* check_http.c, shared with check_ssl.c: the request and the answer's
 * parser; feed and eof return CHECK_PENDING, CHECK_OK or CHECK_FAIL */
struct check_http;
struct check_http *check_http_new(struct check *c);
const char *check_http_request(const struct check_http *h, size_t *len);
int check_http_feed(struct check *c, struct check_http *h, const char *buf,
    size_t n);
int check_http_eof(struct check *c, struct check_http *h);
void check_http_free(struct check_http *h);

/* check_ssl.c: SSL_GET's context from the SSL { } block (NULL: an
 * automatic one); 0, or -1 with err.  Read while drlbd can still read the
 * key, at start and on SIGHUP. */
struct kaconf_ssl;
int check_ssl_init(const struct kaconf_ssl *s, char *err, size_t errlen);
void check_ssl_fini(void);

/* check_misc.c, shared with health.c's notify scripts: /bin/sh -c cmd in a
 * child of its own process group, stdin on /dev/null, stdout and stderr
 * on a non-blocking pipe (*fd); 0 or -1 (errno).  check_output reads what
 * is there and logs each line with label; 1 at end of output. */
int check_spawn(const char *cmd, pid_t *pid, int *fd);
struct check_out {
	char buf[512];
	size_t len;
};
int check_output(int fd, struct check_out *o, const char *label);

/* MD5 (RFC 1321), for HTTP_GET's digest; check_http.c */
struct check_md5 {
	uint32_t a, b, c, d;
	uint64_t len;
	uint8_t buf[64];
};
void check_md5_init(struct check_md5 *m);
void check_md5_update(struct check_md5 *m, const void *data, size_t len);
void check_md5_final(struct check_md5 *m, uint8_t out[16]);

/* MISC_CHECK: reap killed children that had not yet exited; check_misc.c */
void check_misc_reap(void);

#endif
