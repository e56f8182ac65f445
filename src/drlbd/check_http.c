/*
 * HTTP_GET: connect to the real server (as TCP_CHECK), send keepalived's
 *   GET path HTTP/1.0 (1.1 with http_protocol 1.1), Host: virtualhost or
 *   RIP:port, Connection: close with http_protocol 1.0C and 1.1
 * and read the answer until the server closes (or Content-Length is
 * reached).  Up when the status is one of status_code's (any 2xx without
 * one), the body's MD5 is digest (keepalived's genhash computes the same)
 * and the body matches regex (or not, regex_no_match) within its offsets,
 * where those are set.  connect_timeout bounds the whole exchange, as in
 * keepalived.  The request and the answer's parser are shared with SSL_GET
 * (check_ssl.c), which carries the same bytes over TLS.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checker.h"

#define HDR_MAX		8192		/* status line + headers */
#define REGEX_BODY_MAX	65536		/* the part of the body regex sees */
#define BODY_MAX	(16u << 20)	/* bigger answers fail */

/* ---------------------------------------------------------------- MD5 */
/* RFC 1321, written from its description: 64 steps in 4 rounds over each
 * 64-byte block, little-endian words. */

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t md5_r[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void
md5_block(struct check_md5 *m, const uint8_t *p)
{
	uint32_t w[16], a = m->a, b = m->b, c = m->c, d = m->d;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		    (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f, t;
		int g;

		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		t = d;
		d = c;
		c = b;
		f += a + md5_k[i] + w[g];
		b += (f << md5_r[i]) | (f >> (32 - md5_r[i]));
		a = t;
	}
	m->a += a;
	m->b += b;
	m->c += c;
	m->d += d;
}

void
check_md5_init(struct check_md5 *m)
{
	m->a = 0x67452301;
	m->b = 0xefcdab89;
	m->c = 0x98badcfe;
	m->d = 0x10325476;
	m->len = 0;
}

void
check_md5_update(struct check_md5 *m, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t have = (size_t)(m->len & 63);

	m->len += len;
	if (have > 0) {
		size_t take = 64 - have < len ? 64 - have : len;

		memcpy(m->buf + have, p, take);
		p += take;
		len -= take;
		if (have + take < 64)
			return;
		md5_block(m, m->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		md5_block(m, p);
	memcpy(m->buf, p, len);
}

void
check_md5_final(struct check_md5 *m, uint8_t out[16])
{
	static const uint8_t pad[64] = { 0x80 };
	uint64_t bits = m->len * 8;
	uint8_t lenle[8];
	size_t have = (size_t)(m->len & 63);
	uint32_t v[4];

	for (int i = 0; i < 8; i++)
		lenle[i] = (uint8_t)(bits >> (8 * i));
	check_md5_update(m, pad, have < 56 ? 56 - have : 120 - have);
	check_md5_update(m, lenle, 8);
	v[0] = m->a;
	v[1] = m->b;
	v[2] = m->c;
	v[3] = m->d;
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
}

/* ---------------------------------------------------------------- HTTP */

struct check_http {
	char req[2 * KACONF_PATH_MAX + 256];
	size_t reqlen;
	char hdr[HDR_MAX + 1];
	size_t hlen;
	int in_body;
	int status;
	long long clen;			/* Content-Length, or -1 */
	size_t body_len;
	struct check_md5 md5;
	char *body;			/* the first REGEX_BODY_MAX bytes, for regex */
	size_t blen;
};

struct check_http *
check_http_new(struct check *c)
{
	static const char *proto[] = { "1.0", "1.0", "1.1" };
	struct check_http *h;
	char a[INET6_ADDRSTRLEN], host[KACONF_PATH_MAX + 64];
	int n;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return NULL;
	}
	h->clen = -1;
	check_md5_init(&h->md5);
	if (c->conf.virtualhost[0] != '\0')
		snprintf(host, sizeof(host), "%s", c->conf.virtualhost);
	else {
		inet_ntop(c->af, c->addr.b, a, sizeof(a));
		snprintf(host, sizeof(host), "%s%s%s:%u", c->af == AF_INET6 ?
		    "[" : "", a, c->af == AF_INET6 ? "]" : "", c->port);
	}
	n = snprintf(h->req, sizeof(h->req), "GET %s HTTP/%s\r\n"
	    "User-Agent: KeepAliveClient\r\n%sHost: %s\r\n\r\n", c->conf.path,
	    proto[c->conf.http_protocol],
	    c->conf.http_protocol != KACONF_HTTP_1_0 ?
	    "Connection: close\r\n" : "", host);
	if (n < 0 || (size_t)n >= sizeof(h->req)) {
		snprintf(c->why, sizeof(c->why), "request too long");
		free(h);
		return NULL;
	}
	h->reqlen = (size_t)n;
	return h;
}

const char *
check_http_request(const struct check_http *h, size_t *len)
{
	*len = h->reqlen;
	return h->req;
}

void
check_http_free(struct check_http *h)
{
	if (h != NULL)
		free(h->body);
	free(h);
}

static void
hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int
status_ok(const struct check *c, int status)
{
	unsigned b;
	int any = 0;

	for (size_t i = 0; i < sizeof(c->conf.status_ok); i++)
		any |= c->conf.status_ok[i];
	if (!any)
		return status >= 200 && status <= 299;
	if (status < KACONF_HTTP_STATUS_MIN || status > KACONF_HTTP_STATUS_MAX)
		return 0;
	b = (unsigned)(status - KACONF_HTTP_STATUS_MIN);
	return (c->conf.status_ok[b / 8] >> (b % 8)) & 1;
}

/* regex, and where a match may start: keepalived's regex_min_offset and
 * regex_max_offset */
static int
regex_judge(struct check *c, struct check_http *h)
{
	const char *body = h->body ? h->body : "";
	regex_t re;
	regmatch_t m;
	int found = 0, flags = REG_EXTENDED;
	size_t from = 0;

	if (c->conf.regex_icase)
		flags |= REG_ICASE;
	if (regcomp(&re, c->conf.regex, flags) != 0) {
		snprintf(c->why, sizeof(c->why), "regex does not compile");
		return CHECK_FAIL;
	}
	while (from <= h->blen && regexec(&re, body + from, 1, &m,
	    from ? REG_NOTBOL : 0) == 0) {
		size_t at = from + (size_t)m.rm_so;

		if (at >= c->conf.regex_min_offset &&
		    (c->conf.regex_max_offset == 0 ||
		    at < c->conf.regex_max_offset)) {
			found = 1;
			break;
		}
		if (c->conf.regex_max_offset != 0 &&
		    at >= c->conf.regex_max_offset)
			break;
		from = at + 1;
	}
	regfree(&re);
	if (found == c->conf.regex_no_match) {
		snprintf(c->why, sizeof(c->why), "status %d, body %s the regex",
		    h->status, found ? "matches" : "does not match");
		return CHECK_FAIL;
	}
	return CHECK_OK;
}

/* The whole answer is in: judge it. */
static int
http_judge(struct check *c, struct check_http *h)
{
	if (!status_ok(c, h->status)) {
		if (c->conf.status_code)
			snprintf(c->why, sizeof(c->why), "status %d, expected %d%s",
			    h->status, c->conf.status_code, " (or as listed)");
		else
			snprintf(c->why, sizeof(c->why), "status %d, expected "
			    "2xx", h->status);
		return CHECK_FAIL;
	}
	if (c->conf.has_digest) {
		uint8_t d[16];
		char got[33], want[33];

		check_md5_final(&h->md5, d);
		if (memcmp(d, c->conf.digest, 16) != 0) {
			hex(d, got);
			hex(c->conf.digest, want);
			snprintf(c->why, sizeof(c->why), "digest %s, expected %s",
			    got, want);
			return CHECK_FAIL;
		}
	}
	if (c->conf.regex[0] != '\0' && regex_judge(c, h) != CHECK_OK)
		return CHECK_FAIL;
	snprintf(c->why, sizeof(c->why), "status %d", h->status);
	return CHECK_OK;
}

static int
body_add(struct check *c, struct check_http *h, const char *p, size_t n)
{
	if (h->clen >= 0 && (long long)(h->body_len + n) > h->clen)
		n = (size_t)(h->clen - (long long)h->body_len);
	h->body_len += n;
	if (h->body_len > BODY_MAX) {
		snprintf(c->why, sizeof(c->why), "answer over %u bytes", BODY_MAX);
		return -1;
	}
	if (c->conf.has_digest)
		check_md5_update(&h->md5, p, n);
	if (c->conf.regex[0] != '\0' && h->blen < REGEX_BODY_MAX) {
		size_t take = REGEX_BODY_MAX - h->blen < n ?
		    REGEX_BODY_MAX - h->blen : n;

		if (h->body == NULL &&
		    (h->body = malloc(REGEX_BODY_MAX + 1)) == NULL) {
			snprintf(c->why, sizeof(c->why), "out of memory");
			return -1;
		}
		memcpy(h->body + h->blen, p, take);
		h->blen += take;
		h->body[h->blen] = '\0';
	}
	return 0;
}

/* Parse the status line and headers once "\r\n\r\n" is in h->hdr. */
static int
parse_header(struct check *c, struct check_http *h, size_t end)
{
	char *l, *save = NULL;
	int minor;

	h->hdr[end] = '\0';
	l = strtok_r(h->hdr, "\r\n", &save);
	if (l == NULL || sscanf(l, "HTTP/1.%d %3d", &minor, &h->status) != 2 ||
	    h->status < 100 || h->status > 999) {
		snprintf(c->why, sizeof(c->why), "not an HTTP answer");
		return -1;
	}
	while ((l = strtok_r(NULL, "\r\n", &save)) != NULL)
		if (strncasecmp(l, "Content-Length:", 15) == 0) {
			char *e;
			long long v = strtoll(l + 15, &e, 10);

			if (e != l + 15 && v >= 0)
				h->clen = v;
		}
	return 0;
}

int
check_http_feed(struct check *c, struct check_http *h, const char *buf,
    size_t n)
{
	if (!h->in_body) {
		size_t take = HDR_MAX - h->hlen < n ? HDR_MAX - h->hlen : n;
		char *e;

		memcpy(h->hdr + h->hlen, buf, take);
		h->hlen += take;
		h->hdr[h->hlen] = '\0';
		if ((e = strstr(h->hdr, "\r\n\r\n")) == NULL) {
			if (h->hlen == HDR_MAX) {
				snprintf(c->why, sizeof(c->why), "header over %d "
				    "bytes", HDR_MAX);
				return CHECK_FAIL;
			}
			return CHECK_PENDING;
		}
		{
			size_t hend = (size_t)(e - h->hdr) + 4;
			/* bytes of buf after the header */
			size_t rest = h->hlen - hend;
			size_t off = take - rest;

			if (parse_header(c, h, hend) < 0)
				return CHECK_FAIL;
			h->in_body = 1;
			if (body_add(c, h, buf + off, rest) < 0)
				return CHECK_FAIL;
			/* what did not fit in hdr yet */
			if (body_add(c, h, buf + take, n - take) < 0)
				return CHECK_FAIL;
		}
	} else if (body_add(c, h, buf, n) < 0)
		return CHECK_FAIL;
	if (h->in_body && h->clen >= 0 && (long long)h->body_len >= h->clen)
		return http_judge(c, h);
	return CHECK_PENDING;
}

int
check_http_eof(struct check *c, struct check_http *h)
{
	if (!h->in_body) {
		snprintf(c->why, sizeof(c->why), "connection closed before the "
		    "answer's header ended");
		return CHECK_FAIL;
	}
	if (h->clen >= 0 && (long long)h->body_len < h->clen) {
		snprintf(c->why, sizeof(c->why), "answer shorter than its "
		    "Content-Length");
		return CHECK_FAIL;
	}
	return http_judge(c, h);
}

/* HTTP_GET over plain TCP */
struct http {
	struct check_http *h;
	int connected;
	size_t sent;
};

static int
http_start(struct check *c)
{
	struct http *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return CHECK_FAIL;
	}
	c->priv = t;
	if ((t->h = check_http_new(c)) == NULL)
		return CHECK_FAIL;
	r = check_tcp_connect(c);
	if (r == CHECK_OK) {		/* connected at once: send next */
		c->events = POLLOUT;
		t->connected = 1;
		return CHECK_PENDING;
	}
	return r;
}

static int
http_read(struct check *c, struct http *t)
{
	char buf[16384];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		int r;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return CHECK_PENDING;
			if (errno == EINTR)
				continue;
			snprintf(c->why, sizeof(c->why), "read: %s",
			    strerror(errno));
			return CHECK_FAIL;
		}
		if (n == 0)
			return check_http_eof(c, t->h);
		if ((r = check_http_feed(c, t->h, buf, (size_t)n)) !=
		    CHECK_PENDING)
			return r;
	}
}

static int
http_step(struct check *c, short revents)
{
	struct http *t = c->priv;
	size_t len;
	const char *req;

	if (revents == 0 || t == NULL)
		return CHECK_PENDING;
	if (!t->connected) {
		if (check_tcp_connected(c) != CHECK_OK)
			return CHECK_FAIL;
		t->connected = 1;
	}
	req = check_http_request(t->h, &len);
	if (t->sent < len) {
		ssize_t n = send(c->fd, req + t->sent, len - t->sent,
		    MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return CHECK_PENDING;
			snprintf(c->why, sizeof(c->why), "send: %s",
			    strerror(errno));
			return CHECK_FAIL;
		}
		t->sent += (size_t)n;
		c->events = t->sent < len ? POLLOUT : POLLIN;
		return CHECK_PENDING;
	}
	return http_read(c, t);
}

static void
http_stop(struct check *c, int timed_out)
{
	struct http *t = c->priv;

	if (timed_out) {
		size_t len = 0;

		if (t != NULL && t->h != NULL)
			check_http_request(t->h, &len);
		snprintf(c->why, sizeof(c->why), "%s",
		    t == NULL || !t->connected ? "connect timeout" :
		    t->sent < len ? "timeout sending the request" :
		    "timeout reading the answer");
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	if (t != NULL)
		check_http_free(t->h);
	free(t);
	c->priv = NULL;
}

static void
http_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "HTTP GET %s", c->conf.path);
}

const struct check_ops check_http_ops = {
	.name = "HTTP_GET",
	.start = http_start,
	.step = http_step,
	.stop = http_stop,
	.describe = http_describe,
};
