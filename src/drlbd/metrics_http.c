/*
 * A minimal HTTP/1.0 responder for Prometheus scrapes (--metrics-listen).
 * See metrics_http.h.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "metrics_http.h"

struct http_client {
	int fd;				/* -1: free */
	int writing;
	uint64_t since_ms;
	char req[METRICS_HTTP_REQ_MAX];
	size_t rlen;
	char *out;
	size_t olen, ooff;
};

struct metrics_http {
	int lfd;
	struct http_client cl[METRICS_HTTP_CLIENTS];
	metrics_render_fn render;	/* once per answered scrape */
	void *arg;
};

struct metrics_http *
metrics_http_listen(const char *addrport, metrics_render_fn render, void *arg,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	struct metrics_http *h;
	char host[256];
	const char *colon = strrchr(addrport, ':'), *port;
	size_t hl;
	int fd = -1, one = 1, r;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "--metrics-listen %s: want ADDR:PORT", addrport);
		return NULL;
	}
	port = colon + 1;
	hl = (size_t)(colon - addrport);
	if (hl >= 2 && addrport[0] == '[' && addrport[hl - 1] == ']') {
		addrport++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "--metrics-listen: address too long");
		return NULL;
	}
	memcpy(host, addrport, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((r = getaddrinfo(hl ? host : NULL, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "--metrics-listen %s: %s", addrport,
		    gai_strerror(r));
		return NULL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, METRICS_HTTP_CLIENTS) < 0)
		goto fail_close;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto fail_close;
	freeaddrinfo(res);
	h->lfd = fd;
	h->render = render;
	h->arg = arg;
	for (int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		h->cl[i].fd = -1;
	return h;
fail_close:
	close(fd);
fail:
	snprintf(err, errlen, "--metrics-listen %s: %s", addrport,
	    strerror(errno));
	freeaddrinfo(res);
	return NULL;
}

static void
client_close(struct http_client *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->writing = 0;
	c->rlen = c->olen = c->ooff = 0;
}

void
metrics_http_close(struct metrics_http *h)
{
	if (h == NULL)
		return;
	for (int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->cl[i].fd >= 0)
			client_close(&h->cl[i]);
	close(h->lfd);
	free(h);
}

static int
http_pollfds(void *arg, struct pollfd *pfd, int max)
{
	struct metrics_http *h = arg;
	int n = 0;

	if (max < 1)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
	for (int i = 0; i < METRICS_HTTP_CLIENTS && n < max; i++)
		if (h->cl[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = h->cl[i].fd,
			    .events = h->cl[i].writing ? POLLOUT : POLLIN };
	return n;
}

static void
respond(struct http_client *c, const char *status, const char *ctype,
    char *body, size_t blen, int head)
{
	char hdr[256];
	int hn;

	hn = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, ctype,
	    blen);
	c->olen = (size_t)hn + (head ? 0 : blen);
	if ((c->out = malloc(c->olen)) == NULL) {
		c->olen = 0;
		free(body);
		return;
	}
	memcpy(c->out, hdr, (size_t)hn);
	if (!head && blen)
		memcpy(c->out + hn, body, blen);
	free(body);
	c->ooff = 0;
	c->writing = 1;
}

static void
respond_text(struct http_client *c, const char *status, const char *msg)
{
	char *b = strdup(msg);

	respond(c, status, "text/plain; charset=utf-8", b, b ? strlen(b) : 0, 0);
}

int
metrics_http_parse(const char *buf, size_t len, size_t cap, int *head)
{
	const char *nul = memchr(buf, '\0', len);
	size_t n = nul != NULL ? (size_t)(nul - buf) : len;
	const char *eol, *sp1, *sp2;
	size_t ll;

	*head = 0;
	/* the head ends with an empty line; we need no header from it */
	if (memmem(buf, n, "\r\n\r\n", 4) == NULL &&
	    memmem(buf, n, "\n\n", 2) == NULL)
		return len >= cap ? 431 : 0;
	/* the request line: up to the first newline, which the end has */
	eol = memchr(buf, '\n', n);
	ll = (size_t)(eol - buf);
	if ((sp1 = memchr(buf, ' ', ll)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL ||
	    (size_t)(eol - sp2 - 1) < 5 || memcmp(sp2 + 1, "HTTP/", 5) != 0)
		return 400;
	if (sp1 - buf == 4 && memcmp(buf, "HEAD", 4) == 0)
		*head = 1;
	else if (sp1 - buf != 3 || memcmp(buf, "GET", 3) != 0)
		return 405;
	sp1++;
	if (!((sp2 - sp1 == 8 && memcmp(sp1, "/metrics", 8) == 0) ||
	    (sp2 - sp1 >= 9 && memcmp(sp1, "/metrics?", 9) == 0))) {
		*head = 0;
		return 404;
	}
	return 200;
}

/* What has come of the request in c->req: answer it once it says what. */
static void
handle(struct http_client *c, metrics_render_fn render, void *arg)
{
	int head, status = metrics_http_parse(c->req, c->rlen, sizeof(c->req),
	    &head);

	switch (status) {
	case 0:
		return;				/* more to come */
	case 200:
		break;
	case 405:
		respond_text(c, "405 Method Not Allowed", "GET /metrics\n");
		return;
	case 404:
		respond_text(c, "404 Not Found", "drlbd serves /metrics only\n");
		return;
	case 431:
		respond_text(c, "431 Request Header Fields Too Large",
		    "request too large\n");
		return;
	default:
		respond_text(c, "400 Bad Request", "bad request\n");
		return;
	}
	uint32_t len = 0;
	char *text = render(arg, &len);

	if (text == NULL) {
		respond_text(c, "500 Internal Server Error", "out of memory\n");
		return;
	}
	respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", text,
	    len, head);
}

static void
client_read(struct http_client *c, metrics_render_fn render, void *arg)
{
	ssize_t r = recv(c->fd, c->req + c->rlen, sizeof(c->req) - c->rlen,
	    MSG_DONTWAIT);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(c);
		return;
	}
	c->rlen += (size_t)r;
	handle(c, render, arg);
}

static void
client_write(struct http_client *c)
{
	ssize_t w = send(c->fd, c->out + c->ooff, c->olen - c->ooff,
	    MSG_DONTWAIT | MSG_NOSIGNAL);

	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w <= 0) {
		client_close(c);
		return;
	}
	c->ooff += (size_t)w;
	if (c->ooff == c->olen) {
		shutdown(c->fd, SHUT_WR);
		client_close(c);
	}
}

static void
http_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now_ms)
{
	struct metrics_http *h = arg;

	for (int k = 1; k < n; k++) {
		struct http_client *c = NULL;

		if (!(pfd[k].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
			continue;
		for (int i = 0; i < METRICS_HTTP_CLIENTS; i++)
			if (h->cl[i].fd == pfd[k].fd)
				c = &h->cl[i];
		if (c == NULL)
			continue;
		if (!c->writing)
			client_read(c, h->render, h->arg);
		if (c->fd >= 0 && c->writing && c->out == NULL)
			client_close(c);	/* no memory for the answer */
		else if (c->fd >= 0 && c->writing)
			client_write(c);	/* usually all of it at once */
	}
	if (n < 1 || !(pfd[0].revents & POLLIN))
		return;
	for (int a = 0; a < METRICS_HTTP_CLIENTS; a++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int i;

		if (fd < 0)
			break;
		for (i = 0; i < METRICS_HTTP_CLIENTS && h->cl[i].fd >= 0; i++)
			;
		if (i == METRICS_HTTP_CLIENTS) {
			/* full: the oldest that has not sent a whole request
			 * gives way, so idle or dribbling peers cannot keep a
			 * scraper out; one being answered keeps its slot */
			int v = -1;

			for (i = 0; i < METRICS_HTTP_CLIENTS; i++)
				if (!h->cl[i].writing && (v < 0 ||
				    h->cl[i].since_ms < h->cl[v].since_ms))
					v = i;
			if (v < 0) {
				close(fd);	/* all being answered */
				continue;
			}
			client_close(&h->cl[v]);
			i = v;
		}
		h->cl[i].fd = fd;
		h->cl[i].since_ms = now_ms;
	}
}

/* when the oldest connection runs out of time */
static uint64_t
http_due(void *arg)
{
	struct metrics_http *h = arg;
	uint64_t due = LOOP_NEVER;

	for (int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->cl[i].fd >= 0 &&
		    h->cl[i].since_ms + METRICS_HTTP_TIMEOUT_MS < due)
			due = h->cl[i].since_ms + METRICS_HTTP_TIMEOUT_MS;
	return due;
}

/* close connections older than METRICS_HTTP_TIMEOUT_MS */
static void
http_expire(void *arg, uint64_t now_ms)
{
	struct metrics_http *h = arg;

	for (int i = 0; i < METRICS_HTTP_CLIENTS; i++)
		if (h->cl[i].fd >= 0 &&
		    now_ms - h->cl[i].since_ms >= METRICS_HTTP_TIMEOUT_MS)
			client_close(&h->cl[i]);
}

const struct loop_source metrics_http_source = {
	.name = "metrics HTTP",
	.maxfds = 1 + METRICS_HTTP_CLIENTS,
	.pollfds = http_pollfds,
	.serve = http_serve,
	.due = http_due,
	.tick = http_expire,
};
