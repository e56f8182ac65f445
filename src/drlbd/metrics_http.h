/*
 * A minimal HTTP/1.0 responder for a Prometheus scrape of drlbd's metrics
 * (metrics.h), polled from the daemon's one loop.
 *
 * Library-like: nothing here logs; errors come back in an error buffer.
 */
#ifndef DRLBD_METRICS_HTTP_H
#define DRLBD_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>

/*
 * --metrics-listen ADDR:PORT (127.0.0.1:9478, [::1]:9478, :9478 = any):
 * GET /metrics, one request per connection (HTTP/1.0, Connection: close).
 * Every socket is non-blocking; a request is bounded to METRICS_HTTP_REQ_MAX
 * bytes and a connection to METRICS_HTTP_TIMEOUT_MS, at most
 * METRICS_HTTP_CLIENTS at a time: when all are taken, the oldest one that
 * has not sent a whole request gives way to the newcomer, so idle or
 * dribbling peers cannot keep a scraper out.  Listen before dropping
 * privileges.
 */
#define METRICS_HTTP_REQ_MAX	4096
#define METRICS_HTTP_TIMEOUT_MS	5000
#define METRICS_HTTP_CLIENTS	8

struct loop_source;
struct metrics_http;
typedef char *(*metrics_render_fn)(void *arg, uint32_t *len);

/*
 * The request head in buf[0..len), as read so far from one connection (it
 * holds at most cap bytes): 0 while it is not whole, else the status of the
 * answer: 200 (GET or HEAD of /metrics or /metrics?..., *head set for HEAD),
 * 400 (no "METHOD TARGET HTTP/..." request line), 405 (another method), 404
 * (another target), 431 (cap bytes and no end of the head).  The head ends
 * at the first empty line ("\r\n\r\n" or "\n\n"); nothing from a NUL byte
 * on is looked at, so a head with a NUL in it never ends (431, or the
 * connection's time runs out).  Reads buf[0..len) only, needs no NUL; once
 * it says a status, more bytes after them do not change it.
 */
int metrics_http_parse(const char *buf, size_t len, size_t cap, int *head);

/* render(arg) gives the text of each answered scrape. */
struct metrics_http *metrics_http_listen(const char *addrport,
    metrics_render_fn render, void *arg, char *err, size_t errlen);
void metrics_http_close(struct metrics_http *h);
/* its event source (arg: the struct metrics_http) */
extern const struct loop_source metrics_http_source;

#endif
