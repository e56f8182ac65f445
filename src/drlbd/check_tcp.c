/*
 * TCP_CHECK: a non-blocking connect to the real server's address (RIP, not
 * the VIP, which lives on the real server's lo) from the director's own
 * address, chosen by the kernel's routing (no bind: nothing privileged).
 * Up when the handshake completes; the connection is closed at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

int
check_tcp_connect(struct check *c)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (c->af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, c->addr.b, 16);
		s6->sin6_port = htons(c->port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = c->addr.in;
		s4->sin_port = htons(c->port);
		sl = sizeof(*s4);
	}
	c->fd = socket(c->af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(c->why, sizeof(c->why), "socket: %s", strerror(errno));
		return CHECK_FAIL;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return CHECK_OK;
	if (errno == EINPROGRESS) {
		c->events = POLLOUT;
		return CHECK_PENDING;
	}
	snprintf(c->why, sizeof(c->why), "connect: %s", strerror(errno));
	return CHECK_FAIL;
}

/* After POLLOUT: did the connect work? */
int
check_tcp_connected(struct check *c)
{
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e != 0) {
		snprintf(c->why, sizeof(c->why), "connect: %s", strerror(e));
		return CHECK_FAIL;
	}
	return CHECK_OK;
}

static int
tcp_start(struct check *c)
{
	int r = check_tcp_connect(c);

	if (r == CHECK_OK)
		snprintf(c->why, sizeof(c->why), "connected");
	return r;
}

static int
tcp_step(struct check *c, short revents)
{
	int r;

	if (revents == 0)
		return CHECK_PENDING;
	if ((r = check_tcp_connected(c)) == CHECK_OK)
		snprintf(c->why, sizeof(c->why), "connected");
	return r;
}

static void
tcp_stop(struct check *c, int timed_out)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	if (timed_out)
		snprintf(c->why, sizeof(c->why), "connect timeout");
}

static void
tcp_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "TCP connect :%u", c->port);
}

const struct check_ops check_tcp_ops = {
	.name = "TCP_CHECK",
	.start = tcp_start,
	.step = tcp_step,
	.stop = tcp_stop,
	.describe = tcp_describe,
};
