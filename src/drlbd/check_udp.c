/*
 * UDP_CHECK, as keepalived's (check_udp.c, layer4.c): a connected UDP
 * socket sends payload (keepalived's 32-byte "keepalived check - " filler
 * without one) to the real server.  An ICMP error (port or host
 * unreachable) is a failure; so is no answer within connect_timeout when
 * require_reply is set, else silence is a success.  An answer must be
 * min_reply_length..max_reply_length bytes long and, with require_reply
 * DATA, match DATA on the bytes both have ("x" nibbles not compared).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

#define UDP_FILLER_LEN	32

static int
udp_send(struct check *c)
{
	static const char fill[] = "keepalived check - ";
	uint8_t buf[UDP_FILLER_LEN];
	const uint8_t *p = c->conf.payload;
	size_t len = c->conf.payload_len;
	ssize_t n;

	if (len == 0) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)fill[i % (sizeof(fill) - 1)];
		p = buf;
		len = sizeof(buf);
	}
	n = send(c->fd, p, len, 0);
	if (n == (ssize_t)len) {
		c->events = POLLIN;
		return CHECK_PENDING;
	}
	snprintf(c->why, sizeof(c->why), "send: %s", n < 0 ? strerror(errno) :
	    "short");
	return CHECK_FAIL;
}

static int
udp_start(struct check *c)
{
	int r = check_sock_connect(c, SOCK_DGRAM);

	if (r == CHECK_FAIL)
		return r;
	/* a connected UDP socket gets ICMP errors as ECONNREFUSED and the
	 * like on recv: no IP_RECVERR needed for the verdict */
	return udp_send(c);
}

static int
udp_reply_ok(struct check *c, const uint8_t *b, size_t n)
{
	size_t len;

	if (n < c->conf.min_reply_len || n > c->conf.max_reply_len) {
		snprintf(c->why, sizeof(c->why), "a %zu-byte answer, not %u to %u",
		    n, c->conf.min_reply_len, c->conf.max_reply_len);
		return CHECK_FAIL;
	}
	len = c->conf.reply_len < n ? c->conf.reply_len : n;
	for (size_t i = 0; i < len; i++)
		if ((b[i] ^ c->conf.reply[i]) & ~c->conf.reply_mask[i]) {
			snprintf(c->why, sizeof(c->why), "answer differs from "
			    "require_reply at byte %zu", i);
			return CHECK_FAIL;
		}
	snprintf(c->why, sizeof(c->why), "a %zu-byte answer", n);
	return CHECK_OK;
}

static int
udp_step(struct check *c, short revents)
{
	uint8_t b[65536];
	ssize_t n;

	if (revents == 0)
		return CHECK_PENDING;
	n = recv(c->fd, b, sizeof(b), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return CHECK_PENDING;
		snprintf(c->why, sizeof(c->why), "%s", errno == ECONNREFUSED ?
		    "ICMP port unreachable" : strerror(errno));
		return CHECK_FAIL;
	}
	if (!c->conf.require_reply) {
		snprintf(c->why, sizeof(c->why), "answered");
		return CHECK_OK;
	}
	return udp_reply_ok(c, b, (size_t)n);
}

static void
udp_stop(struct check *c, int timed_out)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	if (timed_out)
		snprintf(c->why, sizeof(c->why), "no answer within %u ms",
		    c->conf.connect_timeout_ms);
}

/* keepalived: silence until connect_timeout is a success unless
 * require_reply; the core calls this instead of failing on time */
static int
udp_timeout_ok(const struct check *c)
{
	return !c->conf.require_reply;
}

static void
udp_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "UDP_CHECK :%u%s", c->port,
	    c->conf.require_reply ? " (reply required)" : "");
}

const struct check_ops check_udp_ops = {
	.name = "UDP_CHECK",
	.start = udp_start,
	.step = udp_step,
	.stop = udp_stop,
	.describe = udp_describe,
	.timeout_ok = udp_timeout_ok,
};
