/*
 * Fuzz target: the --metrics-listen responder, its parser and its
 * per-client buffers.
 *
 * The real responder (metrics_http_listen on 127.0.0.1, a port the kernel
 * picks: nothing leaves the host) is served as the daemon's loop serves
 * it: its pollfds, poll(2) with no wait, serve, and tick when due.  Up to
 * NCL clients connect over loopback and write the input's bytes in chunks;
 * after each step every client reads what came back.
 *
 * Input: byte 0, bit 0: the render fails (500).  Then records, each one
 * byte: its high nibble the client (mod NCL), its low nibble what it does:
 * 0 connect (anew if it was closed), 1 one second passes, 2 shut down its
 * writing side, 3 close; anything else writes a chunk, whose length is
 * the next byte, the chunk the bytes after it (what is left, if fewer).
 *
 * Besides sanitizer reports it aborts when:
 *  - metrics_http_parse, over an exact copy of what a client sent (at
 *    most METRICS_HTTP_REQ_MAX bytes), changes its status once it said
 *    one, or says two things for the same bytes;
 *  - a whole request (the parser says a status) is not answered within
 *    a few steps, or the answer is not one whole HTTP/1.0 response with
 *    that status (500 when render fails), its Content-Length its body's
 *    (none for HEAD), the rendered text for a 200;
 *  - a connection ends without an answer though its request was whole;
 *  - once every client is gone, the responder still holds one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "metrics_http.h"
#include "fuzz.h"

#define NCL	10		/* more than METRICS_HTTP_CLIENTS: some give way */
#define RESP_MAX 4096		/* our answers are small */

static const char text[] = "# HELP drlb_up drlbd is running\n"
    "# TYPE drlb_up gauge\ndrlb_up 1\n";

struct client {
	int fd;			/* -1: not connected */
	uint8_t sent[METRICS_HTTP_REQ_MAX];	/* what the responder can hold */
	size_t slen;
	int status;		/* the parser's, over sent */
	int head;
	int steps;		/* since status became non-zero, unanswered */
	char resp[RESP_MAX];
	size_t rlen;
};

static struct metrics_http *h;
static struct sockaddr_in addr;
static struct client cl[NCL];
static int render_fails;
static uint64_t now_ms;

static char *
render(void *arg, uint32_t *len)
{
	char *t;

	(void)arg;
	if (render_fails || (t = malloc(sizeof(text) - 1)) == NULL)
		return NULL;
	memcpy(t, text, sizeof(text) - 1);
	*len = sizeof(text) - 1;
	return t;
}

/* the parser over an exact copy of the client's bytes */
static int
parse(const struct client *c, int *head)
{
	char *b = malloc(c->slen ? c->slen : 1);
	int s, s2, h2;

	if (b == NULL)
		abort();
	memcpy(b, c->sent, c->slen);
	s = metrics_http_parse(b, c->slen, METRICS_HTTP_REQ_MAX, head);
	s2 = metrics_http_parse(b, c->slen, METRICS_HTTP_REQ_MAX, &h2);
	free(b);
	if (s != s2 || (s == 200 && *head != h2))
		abort();		/* the same bytes, another answer */
	if (s != 0 && s != 200 && s != 400 && s != 404 && s != 405 && s != 431)
		abort();
	return s;
}

/* One whole answer, as the client's request says. */
static void
check_response(const struct client *c)
{
	char *hdr, *end, *cl_at;
	int status;
	unsigned long clen;
	size_t blen;

	if (c->rlen == 0) {
		/* closed unanswered: evicted, timed out or it ended itself,
		 * never once its request was whole */
		if (c->status != 0)
			abort();
		return;
	}
	if (c->status == 0)
		abort();		/* an answer to half a request */
	if ((hdr = malloc(c->rlen + 1)) == NULL)
		abort();
	memcpy(hdr, c->resp, c->rlen);
	hdr[c->rlen] = '\0';
	if (c->rlen < 13 || memcmp(hdr, "HTTP/1.0 ", 9) != 0 ||
	    sscanf(hdr + 9, "%3d", &status) != 1)
		abort();
	if (status != (c->status == 200 && render_fails ? 500 : c->status))
		abort();
	if ((end = strstr(hdr, "\r\n\r\n")) == NULL ||
	    (cl_at = strstr(hdr, "\r\nContent-Length: ")) == NULL ||
	    cl_at > end)
		abort();
	clen = strtoul(cl_at + 18, NULL, 10);
	blen = c->rlen - (size_t)(end + 4 - hdr);
	if (c->status == 200 && c->head && !render_fails) {
		if (blen != 0 || clen != sizeof(text) - 1)
			abort();
	} else if (blen != clen)
		abort();
	if (status == 200 && !c->head &&
	    (blen != sizeof(text) - 1 || memcmp(end + 4, text, blen) != 0))
		abort();
	free(hdr);
}

static void
client_end(struct client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
}

static void
client_connect(struct client *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	client_end(c);
	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		abort();
	/* our close resets: no TIME_WAIT piling up over a run */
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		abort();		/* the backlog holds more than NCL */
}

/* the daemon's loop, once: poll, serve, tick */
static void
serve(void)
{
	struct pollfd pfd[1 + METRICS_HTTP_CLIENTS];
	int n = metrics_http_source.pollfds(h, pfd, 1 + METRICS_HTTP_CLIENTS);

	if (poll(pfd, (nfds_t)n, 0) < 0)
		abort();
	metrics_http_source.serve(h, pfd, n, now_ms);
	if (metrics_http_source.due(h) <= now_ms)
		metrics_http_source.tick(h, now_ms);
}

/* what came back to each client; a connection that ended is judged */
static void
drain(void)
{
	for (int i = 0; i < NCL; i++) {
		struct client *c = &cl[i];
		ssize_t r;

		while (c->fd >= 0) {
			r = recv(c->fd, c->resp + c->rlen, RESP_MAX - c->rlen,
			    MSG_DONTWAIT);
			if (r > 0) {
				c->rlen += (size_t)r;
				if (c->rlen == RESP_MAX)
					abort();
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			/* EOF, or reset (we wrote after its answer) */
			check_response(c);
			client_end(c);
		}
	}
}

static void
step(void)
{
	serve();
	drain();
	for (int i = 0; i < NCL; i++) {
		struct client *c = &cl[i];

		/* a whole request is answered: read at once, or at the next
		 * serve when it was accepted in this one */
		if (c->fd >= 0 && c->status != 0 && ++c->steps > 3)
			abort();
	}
}

static void
client_write(struct client *c, const uint8_t *p, size_t n)
{
	size_t take;
	ssize_t w;
	int st, head;

	if (c->fd < 0)
		client_connect(c);
	if ((w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT)) <= 0)
		return;			/* answered and gone: nothing read */
	n = (size_t)w;
	if (c->status != 0)
		return;			/* the responder reads no more */
	take = sizeof(c->sent) - c->slen < n ? sizeof(c->sent) - c->slen : n;
	memcpy(c->sent + c->slen, p, take);
	c->slen += take;
	st = parse(c, &head);
	c->status = st;
	c->head = head;
}

static void
setup(void)
{
	char err[256];
	struct pollfd pfd[1];
	socklen_t al = sizeof(addr);

	h = metrics_http_listen("127.0.0.1:0", render, NULL, err, sizeof(err));
	if (h == NULL) {
		fprintf(stderr, "fuzz_metrics: %s\n", err);
		abort();
	}
	/* the listener is the first fd the source polls */
	if (metrics_http_source.pollfds(h, pfd, 1) != 1 ||
	    getsockname(pfd[0].fd, (struct sockaddr *)&addr, &al) < 0)
		abort();
	for (int i = 0; i < NCL; i++)
		cl[i].fd = -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pollfd pfd[1 + METRICS_HTTP_CLIENTS];

	if (h == NULL)
		setup();
	now_ms = 1000000;
	if (size < 1)
		return 0;
	render_fails = data[0] & 1;
	data++;
	size--;
	while (size > 0) {
		struct client *c = &cl[(data[0] >> 4) % NCL];
		uint8_t op = data[0] & 15;

		data++;
		size--;
		switch (op) {
		case 0:
			client_connect(c);
			break;
		case 1:
			now_ms += 1000;
			break;
		case 2:
			if (c->fd >= 0)
				shutdown(c->fd, SHUT_WR);
			break;
		case 3:
			client_end(c);
			break;
		default: {
			size_t n = size > 0 ? data[0] : 0;

			if (size > 0) {
				data++;
				size--;
			}
			if (n > size)
				n = size;
			client_write(c, data, n);
			data += n;
			size -= n;
		}
		}
		step();
	}
	/* a few more steps: what is whole gets its answer */
	for (int k = 0; k < 3; k++)
		step();
	for (int i = 0; i < NCL; i++)
		client_end(&cl[i]);
	/* every client gone: the responder lets go of them all (it sees
	 * their end when it next reads, or they time out) */
	for (int k = 0; k < 2; k++) {
		now_ms += METRICS_HTTP_TIMEOUT_MS;
		serve();
	}
	if (metrics_http_source.pollfds(h, pfd, 1 + METRICS_HTTP_CLIENTS) != 1)
		abort();
	return 0;
}
