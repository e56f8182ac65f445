/*
 * SMTP_CHECK, as keepalived's (check_smtp.c): connect to the real server's
 * SMTP port (or connect_port), read the banner (220), send
 * "HELO helo_name", read its answer (250), send QUIT and read the answer to
 * it.  Up when the whole dialogue went through within connect_timeout.  A
 * multi-line answer ("250-...") is read to its last line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

#define SMTP_LINE_MAX	512

enum { SMTP_CONNECT, SMTP_BANNER, SMTP_HELO, SMTP_QUIT };

struct smtp {
	int state;
	char in[SMTP_LINE_MAX * 4];
	size_t inlen;
	char out[KACONF_PATH_MAX + 16];
	size_t outlen, sent;
};

static int
smtp_start(struct check *c)
{
	struct smtp *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return CHECK_FAIL;
	}
	c->priv = s;
	r = check_tcp_connect(c);
	if (r == CHECK_FAIL)
		return r;
	s->state = r == CHECK_OK ? SMTP_BANNER : SMTP_CONNECT;
	c->events = r == CHECK_OK ? POLLIN : POLLOUT;
	return CHECK_PENDING;
}

/* a whole answer in s->in: its code, or -1 while its last line is not in */
static int
smtp_answer(struct smtp *s)
{
	char *l = s->in, *nl;

	while ((nl = memchr(l, '\n', s->inlen - (size_t)(l - s->in))) != NULL) {
		/* "250-" continues, "250 " (or a bare code) ends */
		if (nl - l < 4 || l[3] != '-')
			return atoi(l);
		l = nl + 1;
	}
	return -1;
}

static int
smtp_send(struct check *c, struct smtp *s, const char *line)
{
	int n = snprintf(s->out, sizeof(s->out), "%s\r\n", line);

	s->outlen = n > 0 && (size_t)n < sizeof(s->out) ? (size_t)n : 0;
	s->sent = 0;
	s->inlen = 0;
	c->events = POLLOUT;
	return CHECK_PENDING;
}

static int
smtp_step(struct check *c, short revents)
{
	struct smtp *s = c->priv;
	char line[KACONF_PATH_MAX + 8];
	ssize_t n;
	int code;

	if (revents == 0 || s == NULL)
		return CHECK_PENDING;
	if (s->state == SMTP_CONNECT) {
		if (check_tcp_connected(c) != CHECK_OK)
			return CHECK_FAIL;
		s->state = SMTP_BANNER;
		c->events = POLLIN;
		return CHECK_PENDING;
	}
	if (s->sent < s->outlen) {
		n = send(c->fd, s->out + s->sent, s->outlen - s->sent,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return CHECK_PENDING;
			snprintf(c->why, sizeof(c->why), "send: %s",
			    strerror(errno));
			return CHECK_FAIL;
		}
		s->sent += (size_t)n;
		if (s->sent == s->outlen)
			c->events = POLLIN;
		return CHECK_PENDING;
	}
	n = recv(c->fd, s->in + s->inlen, sizeof(s->in) - 1 - s->inlen, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return CHECK_PENDING;
		snprintf(c->why, sizeof(c->why), "read: %s", strerror(errno));
		return CHECK_FAIL;
	}
	if (n == 0) {
		snprintf(c->why, sizeof(c->why), "connection closed in the "
		    "dialogue");
		return CHECK_FAIL;
	}
	s->inlen += (size_t)n;
	s->in[s->inlen] = '\0';
	if ((code = smtp_answer(s)) < 0) {
		if (s->inlen == sizeof(s->in) - 1) {
			snprintf(c->why, sizeof(c->why), "answer too long");
			return CHECK_FAIL;
		}
		return CHECK_PENDING;
	}
	switch (s->state) {
	case SMTP_BANNER:
		if (code != 220) {
			snprintf(c->why, sizeof(c->why), "banner %d, expected "
			    "220", code);
			return CHECK_FAIL;
		}
		s->state = SMTP_HELO;
		snprintf(line, sizeof(line), "HELO %s", c->conf.helo_name);
		return smtp_send(c, s, line);
	case SMTP_HELO:
		if (code != 250) {
			snprintf(c->why, sizeof(c->why), "HELO answered %d, "
			    "expected 250", code);
			return CHECK_FAIL;
		}
		s->state = SMTP_QUIT;
		return smtp_send(c, s, "QUIT");
	default:
		snprintf(c->why, sizeof(c->why), "banner, HELO and QUIT "
		    "answered");
		return CHECK_OK;
	}
}

static void
smtp_stop(struct check *c, int timed_out)
{
	struct smtp *s = c->priv;

	if (timed_out)
		snprintf(c->why, sizeof(c->why), "timeout %s",
		    s == NULL || s->state == SMTP_CONNECT ? "connecting" :
		    s->state == SMTP_BANNER ? "waiting for the banner" :
		    s->state == SMTP_HELO ? "waiting for HELO's answer" :
		    "waiting for QUIT's answer");
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	free(s);
	c->priv = NULL;
}

static void
smtp_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "SMTP_CHECK :%u", c->port);
}

const struct check_ops check_smtp_ops = {
	.name = "SMTP_CHECK",
	.start = smtp_start,
	.step = smtp_step,
	.stop = smtp_stop,
	.describe = smtp_describe,
};
