/*
 * TCP_CHECK: a non-blocking connect to the real server's address (RIP, not
 * the VIP, which lives on the real server's lo; or connect_ip) from the
 * director's own address, chosen by the kernel's routing unless bindto or
 * bind_port say otherwise (nothing privileged: a port below 1024 cannot be
 * bound).  Up when the handshake completes; the connection is closed at
 * once.  On a UDP virtual server too: keepalived's TCP_CHECK is a TCP
 * connect whatever the service's protocol (kube-keepalived-vip writes it
 * for UDP services).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

static socklen_t
sockaddr_of(uint16_t af, const union drlb_inaddr *a, uint16_t port,
    unsigned scope, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->b, 16);
		s6->sin6_port = htons(port);
		/* a link-local address is reached through bind_if */
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			s6->sin6_scope_id = scope;
		return sizeof(*s6);
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = a->in;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
}

int
check_sock_connect(struct check *c, int type)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned scope = 0;

	if (c->conf.bind_if[0] != '\0' &&
	    (scope = if_nametoindex(c->conf.bind_if)) == 0) {
		snprintf(c->why, sizeof(c->why), "bind_if %s: %s",
		    c->conf.bind_if, strerror(errno));
		return CHECK_FAIL;
	}
	c->fd = socket(c->af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(c->why, sizeof(c->why), "socket: %s", strerror(errno));
		return CHECK_FAIL;
	}
	if (c->conf.has_bindto || c->conf.bind_port) {
		union drlb_inaddr any;

		memset(&any, 0, sizeof(any));
		sl = sockaddr_of(c->af, c->conf.has_bindto ? &c->conf.bindto :
		    &any, c->conf.bind_port, scope, &ss);
		if (bind(c->fd, (struct sockaddr *)&ss, sl) < 0) {
			snprintf(c->why, sizeof(c->why), "bind: %s",
			    strerror(errno));
			return CHECK_FAIL;
		}
	}
	sl = sockaddr_of(c->af, &c->addr, c->port, scope, &ss);
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return CHECK_OK;
	if (errno == EINPROGRESS) {
		c->events = POLLOUT;
		return CHECK_PENDING;
	}
	snprintf(c->why, sizeof(c->why), "connect: %s", strerror(errno));
	return CHECK_FAIL;
}

int
check_tcp_connect(struct check *c)
{
	return check_sock_connect(c, SOCK_STREAM);
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
