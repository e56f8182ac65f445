/*
 * Prometheus metrics (text exposition format 0.0.4): what ipvsadm's
 * --stats/--rate listings and drlbadm --counters show, as metric families
 * with # HELP and # TYPE lines.  Served three ways: DRLB_CTL_GET_METRICS on
 * the control socket, a file rewritten atomically for node_exporter's
 * textfile collector (--metrics-file), and a minimal HTTP/1.0 responder for
 * a Prometheus scrape (--metrics-listen), all from the daemon's one loop.
 *
 * Library-like: nothing here logs; errors come back as -1 with errno or in
 * an error buffer.
 */
#ifndef DRLBD_METRICS_H
#define DRLBD_METRICS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "arp.h"
#include "datapath.h"
#include "io.h"
#include "ndp.h"
#include "svc.h"

struct drlbd;

/* What is rendered; io, arp and ndp may be NULL (their families are left
 * out). */
struct metrics_input {
	struct svc_table *svcs;
	const struct dp_counters *dp;
	const struct io_stats *io;
	const struct arp_counters *arp;
	const struct ndp_counters *ndp;
	uint32_t conns;			/* connection table: entries now */
	uint32_t conns_max;		/* its bound (--max-conns) */
	uint64_t conns_reclaimed;	/* half-open entries given to new flows */
};

/* The exposition text, malloc'ed (NUL-terminated; *len without the NUL). */
char *metrics_render(const struct metrics_input *in, uint32_t *len);

/* A label value escaped as the format wants (\\, \", \n) into out;
 * returns out, truncated to outlen - 1 at worst. */
char *metrics_escape_label(const char *v, char *out, size_t outlen);

/* Write text to path atomically: path.tmp, then rename().  -1 with errno. */
int metrics_write_file(const char *path, const char *text, size_t len);

/*
 * --metrics-listen ADDR:PORT (127.0.0.1:9478, [::1]:9478, :9478 = any):
 * GET /metrics, one request per connection (HTTP/1.0, Connection: close).
 * Every socket is non-blocking; a request is bounded to METRICS_HTTP_REQ_MAX
 * bytes and a connection to METRICS_HTTP_TIMEOUT_MS, at most
 * METRICS_HTTP_CLIENTS at a time.  Listen before dropping privileges.
 */
#define METRICS_HTTP_REQ_MAX	4096
#define METRICS_HTTP_TIMEOUT_MS	5000
#define METRICS_HTTP_CLIENTS	8
#define METRICS_HTTP_POLLFDS	(1 + METRICS_HTTP_CLIENTS)

struct metrics_http;
typedef char *(*metrics_render_fn)(void *arg, uint32_t *len);

struct metrics_http *metrics_http_listen(const char *addrport, char *err,
    size_t errlen);
void metrics_http_close(struct metrics_http *h);
/* fill pfd with the fds to poll, return how many (<= max) */
int metrics_http_pollfds(struct metrics_http *h, struct pollfd *pfd, int max);
/* serve what poll reported; render is called once per answered scrape */
void metrics_http_serve(struct metrics_http *h, const struct pollfd *pfd,
    int n, uint64_t now_ms, metrics_render_fn render, void *arg);
/* close connections older than METRICS_HTTP_TIMEOUT_MS */
void metrics_http_expire(struct metrics_http *h, uint64_t now_ms);

/* main.c: the daemon's metrics text (GET_METRICS, file and HTTP). */
char *drlbd_metrics_text(struct drlbd *d, uint32_t *len);

#endif
