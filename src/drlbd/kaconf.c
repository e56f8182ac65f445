/*
 * kaconf: a keepalived.conf's virtual_server blocks for drlbd.  See kaconf.h.
 *
 * keepalived's syntax is line oriented: a keyword and its arguments on one
 * line, a block opened by "{" (on that line or the next) and closed by "}";
 * "#" and "!" start a comment; "..." quotes a string with blanks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drlb/addr.h"
#include "drlb/ctl-t.h"
#include "kaconf.h"
#include "sched.h"
#include "svc.h"

#define KACONF_FILE_MAX	(4u << 20)	/* a keepalived.conf is not bigger */
#define ARGS_MAX	8

struct tok {
	char *s;
	int line;
	int quoted;
};

struct parser {
	const char *name;
	struct tok *t;
	size_t n, i, cap;
	char *err;
	size_t errlen;
	struct kaconf *k;
};

static int __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
push(struct parser *p, const char *s, size_t len, int line, int quoted)
{
	char *c;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct tok *t = realloc(p->t, cap * sizeof(*t));

		if (t == NULL)
			return perr(p, line, "out of memory");
		p->t = t;
		p->cap = cap;
	}
	if ((c = strndup(s, len)) == NULL)
		return perr(p, line, "out of memory");
	p->t[p->n++] = (struct tok){ .s = c, .line = line, .quoted = quoted };
	return 0;
}

static int
tokenize(struct parser *p, const char *text, size_t len)
{
	int line = 1;
	size_t i = 0;

	while (i < len) {
		char ch = text[i];

		if (ch == '\n') {
			line++;
			i++;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' ||
		    ch == '\v') {
			i++;
		} else if (ch == '#' || ch == '!') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (ch == '{' || ch == '}') {
			if (push(p, text + i, 1, line, 0) < 0)
				return -1;
			i++;
		} else if (ch == '"') {
			size_t s = ++i;

			while (i < len && text[i] != '"' && text[i] != '\n')
				i++;
			if (i >= len || text[i] != '"')
				return perr(p, line, "unterminated quoted string");
			if (push(p, text + s, i - s, line, 1) < 0)
				return -1;
			i++;
		} else if (ch == '\0') {
			return perr(p, line, "NUL byte in the file");
		} else {
			size_t s = i;

			while (i < len && strchr(" \t\r\f\v\n{}\"", text[i]) == NULL &&
			    text[i] != '\0')
				i++;
			if (push(p, text + s, i - s, line, 0) < 0)
				return -1;
		}
	}
	return 0;
}

static int
is_brace(const struct tok *t, char c)
{
	return !t->quoted && t->s[0] == c && t->s[1] == '\0';
}

/*
 * One statement at p->i: keyword, its arguments (the rest of its line), and
 * whether a block follows.  p->i ends after the arguments (on the "{" when
 * *block).
 */
struct stmt {
	const char *kw;
	int line;
	int argc;
	const char *argv[ARGS_MAX];
	int block;
};

static int
next_stmt(struct parser *p, struct stmt *st)
{
	struct tok *kw = &p->t[p->i];

	memset(st, 0, sizeof(*st));
	if (is_brace(kw, '{'))
		return perr(p, kw->line, "'{' without a keyword");
	if (kw->quoted)
		return perr(p, kw->line, "a quoted string where a keyword "
		    "belongs: \"%s\"", kw->s);
	st->kw = kw->s;
	st->line = kw->line;
	p->i++;
	while (p->i < p->n && p->t[p->i].line == st->line &&
	    !is_brace(&p->t[p->i], '{') && !is_brace(&p->t[p->i], '}')) {
		if (st->argc == ARGS_MAX)
			return perr(p, st->line, "%s: too many arguments", st->kw);
		st->argv[st->argc++] = p->t[p->i++].s;
	}
	if (p->i < p->n && is_brace(&p->t[p->i], '{')) {
		st->block = 1;
		p->i++;
	}
	return 0;
}

/* Skip a block's contents up to and including its "}" */
static int
skip_block(struct parser *p, int line, const char *kw)
{
	int depth = 1;

	for (; p->i < p->n; p->i++) {
		if (is_brace(&p->t[p->i], '{'))
			depth++;
		else if (is_brace(&p->t[p->i], '}') && --depth == 0) {
			p->i++;
			return 0;
		}
	}
	return perr(p, line, "%s: block not closed (missing '}')", kw);
}

/* Is the next token the "}" that closes the block opened at line? */
static int
block_end(struct parser *p, int line, const char *kw, int *end)
{
	if (p->i >= p->n)
		return perr(p, line, "%s: block not closed (missing '}')", kw);
	*end = is_brace(&p->t[p->i], '}');
	if (*end)
		p->i++;
	return 0;
}

static int
want_args(struct parser *p, const struct stmt *st, int n, int block)
{
	if (st->argc != n)
		return perr(p, st->line, "%s takes %d argument%s, %d given",
		    st->kw, n, n == 1 ? "" : "s", st->argc);
	if (st->block != block)
		return perr(p, st->line, block ? "%s: '{' expected" :
		    "%s takes no block", st->kw);
	return 0;
}

static int
parse_uint(struct parser *p, const struct stmt *st, const char *s,
    unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *v < min || *v > max)
		return perr(p, st->line, "%s: '%s' is not a number from %lu "
		    "to %lu", st->kw, s, min, max);
	return 0;
}

/* Seconds, possibly with decimals (keepalived reads "0.5"), to ms. */
static int
parse_secs(struct parser *p, const struct stmt *st, uint32_t min_ms,
    uint32_t max_ms, uint32_t *ms)
{
	const char *s = st->argv[0];
	char *end;
	double v;

	if (want_args(p, st, 1, 0) < 0)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v * 1000 >= min_ms) ||
	    !(v * 1000 <= max_ms))
		return perr(p, st->line, "%s: '%s' is not a time from %g to %g "
		    "seconds", st->kw, s, min_ms / 1000.0, max_ms / 1000.0);
	*ms = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

static int
parse_addr(struct parser *p, const struct stmt *st, const char *a,
    const char *port, uint16_t *af, union drlb_inaddr *addr, uint16_t *pport)
{
	unsigned long v;

	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, a, addr) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, a, addr) == 1)
		*af = AF_INET6;
	else
		return perr(p, st->line, "%s: '%s' is not an IPv4 or IPv6 "
		    "address (names are not resolved)", st->kw, a);
	if (parse_uint(p, st, port, 0, 65535, &v) < 0)
		return -1;
	*pport = (uint16_t)v;
	return 0;
}

/* ---------------------------------------------------------------- checks */

static struct kaconf_check *
check_new(struct parser *p, int type, int line, struct kaconf_check **list)
{
	struct kaconf_check *c = calloc(1, sizeof(*c)), **pp;

	if (c == NULL) {
		perr(p, line, "out of memory");
		return NULL;
	}
	c->type = type;
	c->line = line;
	c->connect_timeout_ms = KACONF_CONNECT_TIMEOUT_MS;
	c->retry = KACONF_RETRY;
	c->delay_before_retry_ms = KACONF_DELAY_BEFORE_RETRY_MS;
	c->rise = 1;
	for (pp = list; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	return c;
}

/* Keywords every checker takes; 1 when st was one of them, -1 on error. */
static int
common_check_kw(struct parser *p, const struct stmt *st, struct kaconf_check *c)
{
	unsigned long v;

	if (strcmp(st->kw, "connect_timeout") == 0)
		return parse_secs(p, st, 1, 3600000, &c->connect_timeout_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "connect_port") == 0) {
		if (want_args(p, st, 1, 0) < 0 ||
		    parse_uint(p, st, st->argv[0], 1, 65535, &v) < 0)
			return -1;
		c->connect_port = (uint16_t)v;
		return 1;
	}
	if (strcmp(st->kw, "retry") == 0 || strcmp(st->kw, "nb_get_retry") == 0) {
		if (want_args(p, st, 1, 0) < 0 ||
		    parse_uint(p, st, st->argv[0], 0, 1000, &v) < 0)
			return -1;
		c->retry = (uint32_t)v;
		return 1;
	}
	if (strcmp(st->kw, "delay_before_retry") == 0)
		return parse_secs(p, st, 0, 3600000, &c->delay_before_retry_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "rise") == 0 || strcmp(st->kw, "fall") == 0) {
		if (want_args(p, st, 1, 0) < 0 ||
		    parse_uint(p, st, st->argv[0], 1, 1000, &v) < 0)
			return -1;
		if (st->kw[0] == 'r')
			c->rise = (uint32_t)v;
		else
			c->fall = (uint32_t)v;
		return 1;
	}
	return 0;
}

static int
unsupported(struct parser *p, const struct stmt *st, const char *where)
{
	return perr(p, st->line, "unsupported keyword '%s' in %s", st->kw, where);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* url { path, status_code, digest, regex } */
static int
parse_url(struct parser *p, int line, struct kaconf_check *c)
{
	struct stmt st;
	int end, has_path = 0;
	unsigned long v;

	for (;;) {
		if (block_end(p, line, "url", &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "path") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (st.argv[0][0] != '/' ||
			    strlen(st.argv[0]) >= sizeof(c->path) ||
			    strpbrk(st.argv[0], " \r\n") != NULL)
				return perr(p, st.line, "path: '%s' is not an "
				    "absolute URL path (at most %zu bytes)",
				    st.argv[0], sizeof(c->path) - 1);
			snprintf(c->path, sizeof(c->path), "%s", st.argv[0]);
			has_path = 1;
		} else if (strcmp(st.kw, "status_code") == 0) {
			if (want_args(p, &st, 1, 0) < 0 ||
			    parse_uint(p, &st, st.argv[0], 100, 599, &v) < 0)
				return -1;
			c->status_code = (int)v;
		} else if (strcmp(st.kw, "digest") == 0) {
			const char *h = st.argv[0];

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(h) != 32)
				return perr(p, st.line, "digest: '%s' is not an "
				    "MD5 digest (32 hex digits)", h);
			for (int i = 0; i < 16; i++) {
				int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

				if (hi < 0 || lo < 0)
					return perr(p, st.line, "digest: '%s' is "
					    "not an MD5 digest (32 hex digits)", h);
				c->digest[i] = (uint8_t)(hi << 4 | lo);
			}
			c->has_digest = 1;
		} else if (strcmp(st.kw, "regex") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(st.argv[0]) >= sizeof(c->regex) ||
			    st.argv[0][0] == '\0')
				return perr(p, st.line, "regex: empty or longer "
				    "than %zu bytes", sizeof(c->regex) - 1);
			snprintf(c->regex, sizeof(c->regex), "%s", st.argv[0]);
		} else
			return unsupported(p, &st, "url");
	}
	if (!has_path)
		return perr(p, line, "url: no path");
	return 0;
}

/*
 * TCP_CHECK / HTTP_GET / MISC_CHECK { ... }.  The common keywords may come
 * before or after the url blocks: they are applied to every url's check.
 */
static int
parse_check(struct parser *p, const struct stmt *hd, struct kaconf_rs *rs)
{
	struct kaconf_check proto, *c, *first = NULL;
	struct stmt st;
	int end, nurl = 0, r;
	int type = strcmp(hd->kw, "TCP_CHECK") == 0 ? KACONF_TCP_CHECK :
	    strcmp(hd->kw, "HTTP_GET") == 0 ? KACONF_HTTP_GET : KACONF_MISC_CHECK;

	if (want_args(p, hd, 0, 1) < 0)
		return -1;
	/* the settings every url shares, collected here first */
	memset(&proto, 0, sizeof(proto));
	proto.connect_timeout_ms = KACONF_CONNECT_TIMEOUT_MS;
	proto.retry = KACONF_RETRY;
	proto.delay_before_retry_ms = KACONF_DELAY_BEFORE_RETRY_MS;
	proto.rise = 1;
	for (;;) {
		if (block_end(p, hd->line, hd->kw, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if ((r = common_check_kw(p, &st, &proto)) < 0)
			return -1;
		if (r)
			continue;
		if (type == KACONF_HTTP_GET && strcmp(st.kw, "url") == 0) {
			if (want_args(p, &st, 0, 1) < 0)
				return -1;
			if ((c = check_new(p, type, st.line, &rs->checks)) == NULL)
				return -1;
			if (first == NULL)
				first = c;
			nurl++;
			if (parse_url(p, st.line, c) < 0)
				return -1;
			continue;
		}
		if (type == KACONF_MISC_CHECK && strcmp(st.kw, "misc_path") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(st.argv[0]) >= sizeof(proto.misc_path) ||
			    st.argv[0][0] == '\0')
				return perr(p, st.line, "misc_path: empty or "
				    "longer than %zu bytes",
				    sizeof(proto.misc_path) - 1);
			snprintf(proto.misc_path, sizeof(proto.misc_path), "%s",
			    st.argv[0]);
			continue;
		}
		if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "misc_timeout") == 0) {
			if (parse_secs(p, &st, 1, 3600000,
			    &proto.misc_timeout_ms) < 0)
				return -1;
			continue;
		}
		if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "misc_dynamic") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			proto.misc_dynamic = 1;
			continue;
		}
		return unsupported(p, &st, hd->kw);
	}
	if (type == KACONF_HTTP_GET && nurl == 0)
		return perr(p, hd->line, "HTTP_GET without a url block");
	if (type == KACONF_MISC_CHECK && proto.misc_path[0] == '\0')
		return perr(p, hd->line, "MISC_CHECK without misc_path");
	if (type != KACONF_HTTP_GET) {
		if ((first = check_new(p, type, hd->line, &rs->checks)) == NULL)
			return -1;
		nurl = 1;
	}
	/* copy the shared settings into this block's checks */
	for (c = first; c != NULL && nurl > 0; c = c->next, nurl--) {
		c->connect_port = proto.connect_port;
		c->connect_timeout_ms = proto.connect_timeout_ms;
		c->retry = proto.retry;
		c->delay_before_retry_ms = proto.delay_before_retry_ms;
		c->rise = proto.rise;
		/* keepalived: DOWN after the first failure and its retries */
		c->fall = proto.fall ? proto.fall : proto.retry + 1;
		memcpy(c->misc_path, proto.misc_path, sizeof(c->misc_path));
		c->misc_timeout_ms = proto.misc_timeout_ms;
		c->misc_dynamic = proto.misc_dynamic;
	}
	return 0;
}

/* ---------------------------------------------------------------- servers */

static int
parse_rs(struct parser *p, const struct stmt *hd, struct kaconf_vs *vs,
    struct kaconf_rs *rs)
{
	struct stmt st;
	int end;
	unsigned long v;

	if (want_args(p, hd, 2, 1) < 0 ||
	    parse_addr(p, hd, hd->argv[0], hd->argv[1], &rs->af, &rs->addr,
	    &rs->port) < 0)
		return -1;
	if (rs->af != vs->conf.af)
		return perr(p, hd->line, "real_server %s: not of the virtual "
		    "server's address family (DR needs the same segment)",
		    hd->argv[0]);
	rs->line = hd->line;
	for (;;) {
		if (block_end(p, hd->line, hd->kw, &end) < 0)
			return -1;
		if (end)
			return 0;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "weight") == 0) {
			if (want_args(p, &st, 1, 0) < 0 ||
			    parse_uint(p, &st, st.argv[0], 0, 65535, &v) < 0)
				return -1;
			rs->weight = (int32_t)v;
		} else if (strcmp(st.kw, "inhibit_on_failure") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			rs->inhibit = 1;
		} else if (strcmp(st.kw, "TCP_CHECK") == 0 ||
		    strcmp(st.kw, "HTTP_GET") == 0 ||
		    strcmp(st.kw, "MISC_CHECK") == 0) {
			if (parse_check(p, &st, rs) < 0)
				return -1;
		} else if (strcmp(st.kw, "SSL_GET") == 0 ||
		    strcmp(st.kw, "SMTP_CHECK") == 0 ||
		    strcmp(st.kw, "DNS_CHECK") == 0 ||
		    strcmp(st.kw, "BFD_CHECK") == 0 ||
		    strcmp(st.kw, "PING_CHECK") == 0 ||
		    strcmp(st.kw, "UDP_CHECK") == 0 ||
		    strcmp(st.kw, "FILE_CHECK") == 0) {
			return perr(p, st.line, "%s is not supported by drlbd "
			    "(TCP_CHECK, HTTP_GET and MISC_CHECK are)", st.kw);
		} else
			return unsupported(p, &st, "real_server");
	}
}

static void
vs_free(struct kaconf_vs *vs)
{
	while (vs->rs != NULL) {
		struct kaconf_rs *rs = vs->rs;

		vs->rs = rs->next;
		while (rs->checks != NULL) {
			struct kaconf_check *c = rs->checks;

			rs->checks = c->next;
			free(c);
		}
		free(rs);
	}
	free(vs);
}

static int
parse_vs(struct parser *p, const struct stmt *hd, struct kaconf_vs *vs)
{
	struct stmt st;
	int end, inhibit = 0;
	unsigned long v;
	struct kaconf_rs **tail = &vs->rs;

	if (hd->argc >= 1 && (strcmp(hd->argv[0], "fwmark") == 0 ||
	    strcmp(hd->argv[0], "group") == 0))
		return perr(p, hd->line, "virtual_server %s: not supported by "
		    "drlbd (%s)", hd->argv[0], hd->argv[0][0] == 'f' ?
		    "no netfilter marks in userspace" :
		    "no virtual_server_group; list each virtual server");
	if (want_args(p, hd, 2, 1) < 0 ||
	    parse_addr(p, hd, hd->argv[0], hd->argv[1], &vs->conf.af,
	    &vs->conf.addr, &vs->conf.port) < 0)
		return -1;
	vs->line = hd->line;
	vs->conf.protocol = IPPROTO_TCP;
	snprintf(vs->conf.sched_name, sizeof(vs->conf.sched_name), "wlc");
	vs->conf.netmask = vs->conf.af == AF_INET6 ? 128 : 0xffffffffu;
	vs->delay_loop_ms = KACONF_DELAY_LOOP_MS;
	for (;;) {
		if (block_end(p, hd->line, hd->kw, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "delay_loop") == 0) {
			if (parse_secs(p, &st, 100, 86400000, &vs->delay_loop_ms) < 0)
				return -1;
		} else if (strcmp(st.kw, "lb_algo") == 0 ||
		    strcmp(st.kw, "lvs_sched") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(st.argv[0]) >= DRLB_SCHED_NAME_MAX ||
			    sched_find(st.argv[0]) == NULL) {
				char names[256];

				return perr(p, st.line, "%s: unknown scheduler "
				    "'%s' (drlbd has: %s)", st.kw, st.argv[0],
				    sched_names(names, sizeof(names)));
			}
			snprintf(vs->conf.sched_name, sizeof(vs->conf.sched_name),
			    "%s", st.argv[0]);
		} else if (strcmp(st.kw, "lb_kind") == 0 ||
		    strcmp(st.kw, "lvs_method") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strcasecmp(st.argv[0], "DR") != 0)
				return perr(p, st.line, "%s %s: drlbd forwards by "
				    "direct routing only (lb_kind DR)", st.kw,
				    st.argv[0]);
		} else if (strcmp(st.kw, "persistence_timeout") == 0) {
			if (st.argc == 0 && !st.block)
				v = DRLB_PERSIST_DEFAULT;	/* as keepalived: 360 */
			else if (want_args(p, &st, 1, 0) < 0 ||
			    parse_uint(p, &st, st.argv[0], 1, 0x7fffffff, &v) < 0)
				return -1;
			vs->conf.flags |= DRLB_SVC_F_PERSISTENT;
			vs->conf.timeout = (uint32_t)v;
		} else if (strcmp(st.kw, "persistence_granularity") == 0) {
			struct in_addr m;

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (vs->conf.af == AF_INET6) {
				if (parse_uint(p, &st, st.argv[0], 1, 128, &v) < 0)
					return -1;
				vs->conf.netmask = (uint32_t)v;
			} else {
				uint32_t h;

				if (inet_pton(AF_INET, st.argv[0], &m) != 1)
					return perr(p, st.line, "%s: '%s' is not "
					    "a netmask", st.kw, st.argv[0]);
				/* contiguous ones, as ipvsadm wants */
				h = ntohl(m.s_addr);
				if (h != 0 && ((~h + 1) & ~h) != 0)
					return perr(p, st.line, "%s: '%s' is not "
					    "a netmask", st.kw, st.argv[0]);
				vs->conf.netmask = m.s_addr;
			}
		} else if (strcmp(st.kw, "protocol") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strcasecmp(st.argv[0], "TCP") == 0)
				vs->conf.protocol = IPPROTO_TCP;
			else if (strcasecmp(st.argv[0], "UDP") == 0)
				vs->conf.protocol = IPPROTO_UDP;
			else
				return perr(p, st.line, "protocol %s: drlbd "
				    "forwards TCP and UDP only", st.argv[0]);
		} else if (strcmp(st.kw, "inhibit_on_failure") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			inhibit = 1;
		} else if (strcmp(st.kw, "sorry_server") == 0) {
			if (want_args(p, &st, 2, 0) < 0 ||
			    parse_addr(p, &st, st.argv[0], st.argv[1],
			    &vs->sorry.af, &vs->sorry.addr, &vs->sorry.port) < 0)
				return -1;
			if (vs->sorry.af != vs->conf.af)
				return perr(p, st.line, "sorry_server %s: not of "
				    "the virtual server's address family",
				    st.argv[0]);
			vs->has_sorry = 1;
			vs->sorry.line = st.line;
			vs->sorry.weight = 1;
		} else if (strcmp(st.kw, "real_server") == 0) {
			struct kaconf_rs *rs = calloc(1, sizeof(*rs));

			if (rs == NULL)
				return perr(p, st.line, "out of memory");
			rs->weight = 1;
			*tail = rs;
			tail = &rs->next;
			if (parse_rs(p, &st, vs, rs) < 0)
				return -1;
		} else
			return unsupported(p, &st, "virtual_server");
	}
	/* the sorry server comes and goes by itself: not a real server too */
	for (struct kaconf_rs *rs = vs->rs; rs != NULL && vs->has_sorry;
	    rs = rs->next)
		if (memcmp(&rs->addr, &vs->sorry.addr,
		    drlb_addr_len(vs->conf.af)) == 0)
			return perr(p, vs->sorry.line, "sorry_server is also "
			    "the real_server of line %d", rs->line);
	/* inhibit_on_failure in the virtual server: for all its real servers */
	for (struct kaconf_rs *rs = vs->rs; rs != NULL && inhibit; rs = rs->next)
		rs->inhibit = 1;
	if (vs->conf.protocol == IPPROTO_UDP)
		for (struct kaconf_rs *rs = vs->rs; rs != NULL; rs = rs->next)
			for (struct kaconf_check *c = rs->checks; c; c = c->next)
				if (c->type != KACONF_MISC_CHECK)
					return perr(p, c->line, "%s on a UDP "
					    "virtual server: use MISC_CHECK",
					    c->type == KACONF_TCP_CHECK ?
					    "TCP_CHECK" : "HTTP_GET");
	return 0;
}

static int
parse_top(struct parser *p)
{
	struct kaconf_vs **tail = &p->k->vs;
	struct stmt st;

	while (p->i < p->n) {
		if (is_brace(&p->t[p->i], '}'))
			return perr(p, p->t[p->i].line, "'}' without a block");
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "virtual_server") == 0) {
			struct kaconf_vs *vs = calloc(1, sizeof(*vs));

			if (vs == NULL)
				return perr(p, st.line, "out of memory");
			*tail = vs;
			tail = &vs->next;
			if (parse_vs(p, &st, vs) < 0)
				return -1;
		} else if (strcmp(st.kw, "global_defs") == 0 ||
		    strncmp(st.kw, "vrrp_", 5) == 0) {
			/* VRRP (and keepalived's globals) is keepalived's job */
			struct kaconf *k = p->k;

			if (!st.block)
				return perr(p, st.line, "%s: '{' expected", st.kw);
			if (k->nskipped < KACONF_SKIPPED_MAX) {
				snprintf(k->skipped[k->nskipped].name,
				    sizeof(k->skipped[0].name), "%s", st.kw);
				k->skipped[k->nskipped].line = st.line;
			}
			k->nskipped++;
			if (skip_block(p, st.line, st.kw) < 0)
				return -1;
		} else if (strcmp(st.kw, "include") == 0) {
			return perr(p, st.line, "include is not supported by "
			    "drlbd: one file");
		} else
			return perr(p, st.line, "unsupported keyword '%s' (drlbd "
			    "reads virtual_server blocks; global_defs and vrrp_* "
			    "are skipped)", st.kw);
	}
	return 0;
}

void
kaconf_free(struct kaconf *k)
{
	while (k->vs != NULL) {
		struct kaconf_vs *vs = k->vs;

		k->vs = vs->next;
		vs_free(vs);
	}
	memset(k, 0, sizeof(*k));
}

int
kaconf_parse_buf(const char *name, const char *text, size_t len,
    struct kaconf *k, char *err, size_t errlen)
{
	struct parser p = { .name = name, .err = err, .errlen = errlen, .k = k };
	int rc;

	memset(k, 0, sizeof(*k));
	if (errlen > 0)
		err[0] = '\0';
	rc = tokenize(&p, text, len);
	if (rc == 0)
		rc = parse_top(&p);
	for (size_t i = 0; i < p.n; i++)
		free(p.t[i].s);
	free(p.t);
	if (rc != 0)
		kaconf_free(k);
	return rc;
}

int
kaconf_parse_file(const char *file, struct kaconf *k, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	memset(k, 0, sizeof(*k));
	if ((f = fopen(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if ((buf = malloc(KACONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	n = fread(buf, 1, KACONF_FILE_MAX + 1, f);
	if (ferror(f) || n > KACONF_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", file, ferror(f) ? "read error" :
		    "larger than 4 MiB");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = kaconf_parse_buf(file, buf, n, k, err, errlen);
	free(buf);
	return rc;
}

int
kaconf_to_table(const struct kaconf *k, const char *name, struct svc_table *t,
    char *err, size_t errlen)
{
	char why[DRLB_CTL_ERRMSG_MAX];
	struct drlb_ctl_req r;

	for (const struct kaconf_vs *vs = k->vs; vs != NULL; vs = vs->next) {
		memset(&r, 0, sizeof(r));
		r.svc = vs->conf;
		if (svc_apply(t, DRLB_CTL_ADD_SVC, &r, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%d: virtual_server: %s", name,
			    vs->line, why[0] ? why : "invalid");
			return -1;
		}
		for (const struct kaconf_rs *rs = vs->rs; rs; rs = rs->next) {
			r.dest.af = rs->af;
			r.dest.addr = rs->addr;
			r.dest.port = vs->conf.port;	/* DR: the VIP's port */
			r.dest.conn_flags = DRLB_FWD_DROUTE;
			r.dest.weight = rs->weight;
			if (svc_apply(t, DRLB_CTL_ADD_DEST, &r, why,
			    sizeof(why)) != 0) {
				snprintf(err, errlen, "%s:%d: real_server: %s",
				    name, rs->line, why[0] ? why : "invalid");
				return -1;
			}
		}
	}
	return 0;
}
