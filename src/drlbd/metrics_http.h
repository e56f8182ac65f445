/*
 * A minimal HTTP/1.0 responder for a Prometheus scrape of drlbd's metrics
 * (metrics.h), polled from the daemon's one loop.
 *
 * Library-like: nothing here logs; errors come back in an error buffer.
 */
#ifndef DRLBD_METRICS_HTTP_H
#define DRLBD_METRICS_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
