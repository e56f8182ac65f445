/*
 * DNS_CHECK, as keepalived's (check_dns.c): one query over UDP to the real
 * server (its port, or connect_port), recursion desired, for name (the
 * root by default) and type (SOA by default), class IN.  Up when an answer
 * with the query's id and rcode 0 (NOERROR) comes within connect_timeout;
 * answers with another id, or that are queries, are ignored as keepalived
 * ignores them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

#define DNS_QUERY_MAX	(12 + KACONF_PATH_MAX + 2 + 4)

static int
dns_query(struct check *c, uint8_t *q, size_t *len, uint16_t *id)
{
	const char *s = c->conf.dns_name;
	size_t n = 12;

	if (getrandom(id, sizeof(*id), GRND_NONBLOCK) != sizeof(*id))
		*id = (uint16_t)(rand() & 0xffff);
	memset(q, 0, 12);
	q[0] = (uint8_t)(*id >> 8);
	q[1] = (uint8_t)*id;
	q[2] = 0x01;			/* RD */
	q[5] = 1;			/* QDCOUNT */
	/* QNAME: labels; "" and "." are the root */
	while (*s != '\0') {
		const char *e = strchr(s, '.');
		size_t l = e ? (size_t)(e - s) : strlen(s);

		if (l > 63 || n + l + 1 >= DNS_QUERY_MAX - 5) {
			snprintf(c->why, sizeof(c->why), "name: a label too long");
			return -1;
		}
		if (l > 0) {
			q[n++] = (uint8_t)l;
			memcpy(q + n, s, l);
			n += l;
		}
		s += l;
		if (*s == '.')
			s++;
	}
	q[n++] = 0;
	q[n++] = (uint8_t)(c->conf.dns_type >> 8);
	q[n++] = (uint8_t)c->conf.dns_type;
	q[n++] = 0;
	q[n++] = 1;			/* IN */
	*len = n;
	return 0;
}

static int
dns_start(struct check *c)
{
	uint8_t q[DNS_QUERY_MAX];
	size_t len;
	uint16_t *id;
	ssize_t n;

	if ((id = calloc(1, sizeof(*id))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return CHECK_FAIL;
	}
	c->priv = id;
	if (check_sock_connect(c, SOCK_DGRAM) == CHECK_FAIL)
		return CHECK_FAIL;
	if (dns_query(c, q, &len, id) < 0)
		return CHECK_FAIL;
	n = send(c->fd, q, len, 0);
	if (n != (ssize_t)len) {
		snprintf(c->why, sizeof(c->why), "send: %s", n < 0 ?
		    strerror(errno) : "short");
		return CHECK_FAIL;
	}
	c->events = POLLIN;
	return CHECK_PENDING;
}

static int
dns_step(struct check *c, short revents)
{
	uint8_t b[1500];
	const uint16_t *id = c->priv;
	ssize_t n;

	if (revents == 0 || id == NULL)
		return CHECK_PENDING;
	for (;;) {
		n = recv(c->fd, b, sizeof(b), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return CHECK_PENDING;
			snprintf(c->why, sizeof(c->why), "%s",
			    errno == ECONNREFUSED ? "ICMP port unreachable" :
			    strerror(errno));
			return CHECK_FAIL;
		}
		if (n < 12 || (b[0] << 8 | b[1]) != *id || !(b[2] & 0x80))
			continue;	/* not the answer to our query */
		if ((b[3] & 0x0f) != 0) {
			snprintf(c->why, sizeof(c->why), "rcode %d",
			    b[3] & 0x0f);
			return CHECK_FAIL;
		}
		snprintf(c->why, sizeof(c->why), "NOERROR");
		return CHECK_OK;
	}
}

static void
dns_stop(struct check *c, int timed_out)
{
	if (timed_out)
		snprintf(c->why, sizeof(c->why), "no answer within %u ms",
		    c->conf.connect_timeout_ms);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	free(c->priv);
	c->priv = NULL;
}

static void
dns_describe(const struct check *c, char *buf, size_t len)
{
	static const struct { uint16_t t; const char *n; } names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 46, "RRSIG" },
		{ 48, "DNSKEY" },
	};
	const char *t = "?";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == c->conf.dns_type)
			t = names[i].n;
	snprintf(buf, len, "DNS_CHECK %s %s", t, c->conf.dns_name[0] ?
	    c->conf.dns_name : ".");
}

const struct check_ops check_dns_ops = {
	.name = "DNS_CHECK",
	.start = dns_start,
	.step = dns_step,
	.stop = dns_stop,
	.describe = dns_describe,
};
