/*
 * Fuzz target: HTTP_GET's and SSL_GET's answer parser (check_http.c:
 * check_http_feed, check_http_eof), a real server's reply as a checker
 * reads it: the status line, Content-Length, the body's MD5 and regex.
 *
 * Input: 5 bytes of the check's configuration, then the reply.
 *  byte 0: bits 0-1 digest (0 none, 1 the MD5 of what follows the reply's
 *          first empty line, 2 a wrong one); bit 2 a regex, bit 3
 *          regex_no_match, bit 4 caseless; bits 5-6 status_code (none:
 *          2xx; 200; 200 and 301-302; 404)
 *  byte 1: which regex (of a few)
 *  bytes 2, 3: regex_min_offset, regex_max_offset
 *  byte 4: how the reply comes: 0 a byte at a time, else chunks of
 *          pseudo-random sizes from this seed
 * The reply is fed twice from fresh state: whole, then in chunks, each
 * in a malloc'ed buffer of exactly its length, then EOF if no verdict
 * came.
 *
 * Besides sanitizer reports it aborts when: the verdict is not OK or
 * FAIL after EOF; a FAIL says no why; the two feedings disagree (verdict
 * or why); or a plain reply is refused: its head ends in the first
 * 8192 bytes with no NUL and no Content-Length, its status line is a
 * 2xx and none was asked for, there is no regex, and the digest asked
 * for is its body's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "checker.h"
#include "fuzz.h"

#define HDR_MAX	8192	/* check_http.c's */

static const char *const regexes[] = {
	"ok", "^OK$", "[a-z]+[0-9]", "status: (up|down)", "", ".*", "(", "a|b|c",
};

static void
set_status(struct kaconf_check *k, int code)
{
	unsigned b = (unsigned)(code - KACONF_HTTP_STATUS_MIN);

	k->status_ok[b / 8] |= (uint8_t)(1u << (b % 8));
	if (k->status_code == 0)
		k->status_code = code;
}

static void
conf(struct check *c, const uint8_t *cfg, const uint8_t *reply, size_t n)
{
	const uint8_t *end = memmem(reply, n, "\r\n\r\n", 4);

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->af = AF_INET;
	c->addr.b[0] = 198; c->addr.b[1] = 18; c->addr.b[3] = 7;
	c->port = 80;
	c->ops = &check_http_ops;
	snprintf(c->conf.path, sizeof(c->conf.path), "/health");
	c->conf.http_protocol = cfg[0] >> 7;
	if ((cfg[0] & 3) == 1) {
		struct check_md5 m;
		size_t off = end != NULL ? (size_t)(end - reply) + 4 : n;

		check_md5_init(&m);
		check_md5_update(&m, reply + off, n - off);
		check_md5_final(&m, c->conf.digest);
		c->conf.has_digest = 1;
	} else if ((cfg[0] & 3) >= 2) {
		memset(c->conf.digest, 0x5a, sizeof(c->conf.digest));
		c->conf.has_digest = 1;
	}
	if (cfg[0] & 4)
		snprintf(c->conf.regex, sizeof(c->conf.regex), "%s",
		    regexes[cfg[1] % (sizeof(regexes) / sizeof(regexes[0]))]);
	c->conf.regex_no_match = (cfg[0] >> 3) & 1;
	c->conf.regex_icase = (cfg[0] >> 4) & 1;
	c->conf.regex_min_offset = cfg[2];
	c->conf.regex_max_offset = cfg[3];
	switch ((cfg[0] >> 5) & 3) {
	case 1:
		set_status(&c->conf, 200);
		break;
	case 2:
		set_status(&c->conf, 200);
		set_status(&c->conf, 301);
		set_status(&c->conf, 302);
		break;
	case 3:
		set_status(&c->conf, 404);
		break;
	}
}

/* feed one chunk from a buffer of its own, of exactly its size */
static int
feed(struct check *c, struct check_http *h, const uint8_t *p, size_t n)
{
	char *b = malloc(n ? n : 1);
	int r;

	if (b == NULL)
		abort();
	memcpy(b, p, n);
	r = check_http_feed(c, h, b, n);
	free(b);
	return r;
}

/* one feeding: chunk 0 whole, else sizes from seed; the verdict */
static int
run(struct check *c, const uint8_t *reply, size_t n, int chunked,
    uint8_t seed)
{
	struct check_http *h = check_http_new(c);
	uint32_t x = seed * 2654435761u + 1;
	size_t off = 0;
	int r = CHECK_PENDING;

	if (h == NULL)
		abort();
	while (r == CHECK_PENDING && off < n) {
		size_t k = n - off;

		if (chunked && seed == 0)
			k = 1;
		else if (chunked) {
			x = x * 1103515245u + 12345;
			/* mostly small, sometimes past the header's room */
			k = (x >> 16) % 8 == 0 ? 1 + (x >> 8) % 9000 :
			    1 + (x >> 16) % 64;
			if (k > n - off)
				k = n - off;
		}
		r = feed(c, h, reply + off, k);
		off += k;
	}
	if (r == CHECK_PENDING)
		r = check_http_eof(c, h);
	check_http_free(h);
	if (r != CHECK_OK && r != CHECK_FAIL)
		abort();
	if (r == CHECK_FAIL && c->why[0] == '\0')
		abort();
	return r;
}

/* the oracle's plain reply (see the top) */
static int
plain(uint8_t cfg, const uint8_t *reply, size_t n)
{
	const uint8_t *end = memmem(reply, n, "\r\n\r\n", 4);
	size_t hl, ll;
	char line[64];
	int minor, status;

	if (end == NULL || (hl = (size_t)(end - reply) + 4) > HDR_MAX ||
	    memchr(reply, '\0', hl) != NULL || reply[0] != 'H')
		return 0;
	for (size_t i = 0; i + 15 <= hl; i++)
		if (strncasecmp((const char *)reply + i, "content-length:",
		    15) == 0)
			return 0;
	for (ll = 0; ll < hl && reply[ll] != '\r' && reply[ll] != '\n'; ll++)
		;
	if (ll >= sizeof(line))
		return 0;
	memcpy(line, reply, ll);
	line[ll] = '\0';
	if (sscanf(line, "HTTP/1.%d %3d", &minor, &status) != 2 ||
	    status < 200 || status > 299)
		return 0;
	/* no status_code, no regex, no digest or the right one */
	return (cfg & 0x64) == 0 && (cfg & 3) < 2 && n - hl <= (16u << 20);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check c1, c2;
	int r1, r2;

	if (size < 5)
		return 0;
	conf(&c1, data, data + 5, size - 5);
	conf(&c2, data, data + 5, size - 5);
	r1 = run(&c1, data + 5, size - 5, 0, 0);
	r2 = run(&c2, data + 5, size - 5, 1, data[4]);
	if (r1 != r2 || strcmp(c1.why, c2.why) != 0) {
		fprintf(stderr, "whole: %d %s\nchunked: %d %s\n", r1, c1.why,
		    r2, c2.why);
		abort();
	}
	if (plain(data[0], data + 5, size - 5) && r1 != CHECK_OK) {
		fprintf(stderr, "plain reply refused: %s\n", c1.why);
		abort();
	}
	return 0;
}
