/*
 * kaconf: a keepalived.conf's virtual_server blocks for drlbd.  See kaconf.h.
 *
 * keepalived reads its file line by line (lib/parser.c): the line's end
 * ("\n", any "\r" before it) dropped, leading blanks dropped, "#" or "!"
 * outside quotes starting a comment, "include PATTERN" replaced by the files
 * the pattern globs to (relative to the including file's directory), and
 * the line cut at each "{" or "}" so that a block may open on the keyword's
 * line or the next one.  A statement is then a keyword and its arguments on
 * one line; "..." quotes an argument with blanks.  The same here: the
 * reader turns every file into tokens that know their file and line, the
 * parser walks them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "drlb/addr.h"
#include "drlb/ctl-t.h"
#include "kaconf.h"
#include "sched.h"
#include "svc.h"

#define KACONF_FILE_MAX	(4u << 20)	/* a keepalived.conf is not bigger */
#define KACONF_TOTAL_MAX (16u << 20)	/* all files, includes counted */
#define INCLUDE_DEPTH_MAX 16
#define ARGS_MAX	64
#define WARN_MAX	256
#define GROUP_SVCS_MAX	4096		/* IPVS services of one group */
#define UNSET		UINT32_MAX

/* IPVS's schedulers, as keepalived lists them (check_parser.c) */
static const char *const ipvs_scheds[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf",
	"lblcr", "sed", "nq", "twos", NULL
};

struct tok {
	char *s;
	int line;
	int file;			/* index in k->files */
	int quoted;
};

/* one virtual_server_group entry: addresses addr..end, one port */
struct vsg_entry {
	uint16_t af;
	union drlb_inaddr addr, end;
	uint16_t port;
	int line, file;
};

struct vsg {
	char name[KACONF_PATH_MAX];
	int line, file;
	struct vsg_entry *e;
	uint32_t n;
};

/* what real servers and checks inherit (keepalived's UINT_MAX: unset) */
struct inherit {
	uint32_t retry, delay_before_retry_ms, warmup_ms, connect_timeout_ms,
	    delay_loop_ms;
	int alpha, inhibit;		/* -1: unset */
	uint32_t weight;
	char virtualhost[KACONF_PATH_MAX];
};

/* a real server's own settings while its virtual server is read */
struct rsdef {
	struct kaconf_rs *rs;
	struct inherit in;
	int port_given;
};

struct incl {
	int file, line;			/* the include statement */
	const char *pattern;
};

struct parser {
	const char *name;
	struct tok *t;
	size_t n, i, cap;
	char *err;
	size_t errlen;
	struct kaconf *k;
	struct incl stack[INCLUDE_DEPTH_MAX];
	int depth;			/* includes being read */
	struct {
		dev_t dev;
		ino_t ino;
	} open[INCLUDE_DEPTH_MAX + 1];	/* the files being read, outermost
					   first (the loop check) */
	size_t total;			/* bytes read */
	struct vsg *vsg;
	uint32_t nvsg;
	/* the virtual server being read */
	struct rsdef *rd;
	uint32_t nrd, caprd;
};

/* file index i's name */
#define FN(p, i)	((p)->k->files[(i)])

static int __attribute__((format(printf, 4, 5)))
perr(struct parser *p, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", file ? file : p->name, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void __attribute__((format(printf, 4, 5)))
pwarn(struct parser *p, const char *file, int line, const char *fmt, ...)
{
	struct kaconf *k = p->k;
	char msg[1024], **w;
	va_list ap;
	int n;

	if (k->nwarn >= WARN_MAX) {
		k->nwarn++;
		return;
	}
	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((w = realloc(k->warn, (k->nwarn + 1) * sizeof(*w))) == NULL)
		return;
	k->warn = w;
	if ((w[k->nwarn] = strdup(msg)) != NULL)
		k->nwarn++;
}

const char *
kaconf_check_name(int type)
{
	switch (type) {
	case KACONF_TCP_CHECK:	return "TCP_CHECK";
	case KACONF_HTTP_GET:	return "HTTP_GET";
	case KACONF_SSL_GET:	return "SSL_GET";
	case KACONF_MISC_CHECK:	return "MISC_CHECK";
	case KACONF_UDP_CHECK:	return "UDP_CHECK";
	case KACONF_SMTP_CHECK:	return "SMTP_CHECK";
	case KACONF_DNS_CHECK:	return "DNS_CHECK";
	}
	return "?";
}

/* ---------------------------------------------------------------- reading */

static int
push(struct parser *p, const char *s, size_t len, int file, int line,
    int quoted)
{
	char *c;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct tok *t = realloc(p->t, cap * sizeof(*t));

		if (t == NULL)
			return perr(p, FN(p, file), line, "out of memory");
		p->t = t;
		p->cap = cap;
	}
	if ((c = strndup(s, len)) == NULL)
		return perr(p, FN(p, file), line, "out of memory");
	p->t[p->n++] = (struct tok){ .s = c, .line = line, .file = file,
	    .quoted = quoted };
	return 0;
}

/*
 * keepalived's decomment(): leading blanks go, "#" or "!" outside quotes
 * ends the line, "\#" and "\!" outside quotes are the characters
 * themselves, trailing blanks go.  In place.
 */
static int
decomment(struct parser *p, char *s, int file, int line)
{
	char *q = s + strspn(s, " \t"), *e;
	int quote = 0;

	memmove(s, q, strlen(q) + 1);
	for (q = s; *q != '\0'; q++) {
		if (*q == '"')
			quote = !quote;
		else if (*q == '\\' && q[1] != '\0') {
			if (!quote && (q[1] == '#' || q[1] == '!'))
				memmove(q, q + 1, strlen(q + 1) + 1);
			else
				q++;
		} else if (!quote && (*q == '#' || *q == '!')) {
			*q = '\0';
			break;
		}
	}
	if (quote)
		return perr(p, FN(p, file), line, "unterminated quoted string");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\f' || e[-1] == '\v'))
		*--e = '\0';
	return 0;
}

static int read_file(struct parser *p, const char *path, int from_file,
    int from_line);

/* keepalived's is_include(): "include" and a blank (includeX: its checks) */
static const char *
is_include(const char *s)
{
	if (strncmp(s, "include", 7) != 0)
		return NULL;
	if (s[7] == ' ' || s[7] == '\t')
		return s + 8;
	if (s[7] != '\0' && strchr("rmwba", s[7]) != NULL &&
	    (s[8] == ' ' || s[8] == '\t'))
		return s + 9;
	return NULL;
}

/* glob's directory and lstat hooks count what is missing, as keepalived's
 * do: a pattern naming a file (or a directory) that is not there is an
 * error, a wildcard that matches nothing in an existing directory is not */
static unsigned glob_missing;

static void *
gl_opendir(const char *name)
{
	DIR *d = opendir(name);

	if (d == NULL)
		glob_missing++;
	return d;
}

static void
gl_closedir(void *d)
{
	closedir(d);
}

static struct dirent *
gl_readdir(void *d)
{
	return readdir(d);
}

static int
gl_lstat(const char *path, struct stat *st)
{
	int r = lstat(path, st);

	if (r != 0)
		glob_missing++;
	return r;
}

/* "a.conf:3: include b.conf -> b.conf:7: include c.conf" */
static void
chain_str(struct parser *p, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < p->depth && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s:%d: include %s",
		    i ? " -> " : "", p->k->files[p->stack[i].file],
		    p->stack[i].line, p->stack[i].pattern);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int __attribute__((format(printf, 2, 3)))
incl_err(struct parser *p, const char *fmt, ...)
{
	char chain[1024], why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	chain_str(p, chain, sizeof(chain));
	snprintf(p->err, p->errlen, "%s: %s", chain, why);
	return -1;
}

static int
do_include(struct parser *p, const char *pattern, int file, int line)
{
	char path[4096];
	const char *from = p->k->files[file], *slash = strrchr(from, '/');
	glob_t g;
	int r, rc = 0, has_wild;

	if (pattern[0] == '\0')
		return perr(p, FN(p, file), line, "include: no file named");
	/* keepalived changes to the including file's directory */
	if (pattern[0] == '/' || slash == NULL)
		r = snprintf(path, sizeof(path), "%s", pattern);
	else
		r = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - from), from, pattern);
	if (r < 0 || (size_t)r >= sizeof(path))
		return perr(p, FN(p, file), line, "include: path too long");
	if (p->depth == INCLUDE_DEPTH_MAX)
		return incl_err(p, "includes nested deeper than %d",
		    INCLUDE_DEPTH_MAX);
	p->stack[p->depth].file = file;
	p->stack[p->depth].line = line;
	p->stack[p->depth].pattern = pattern;
	p->depth++;
	memset(&g, 0, sizeof(g));
	g.gl_closedir = gl_closedir;
	g.gl_readdir = gl_readdir;
	g.gl_opendir = gl_opendir;
	g.gl_lstat = gl_lstat;
	g.gl_stat = stat;
	glob_missing = 0;
	has_wild = strpbrk(pattern, "*?[{") != NULL;
	r = glob(path, GLOB_MARK | GLOB_BRACE | GLOB_ALTDIRFUNC, NULL, &g);
	if (r == GLOB_NOMATCH) {
		if (glob_missing > 0 || !has_wild)
			rc = incl_err(p, "%s: no such file", path);
		else
			pwarn(p, FN(p, file), line, "include %s: no file matches "
			    "(nothing included, as in keepalived)", pattern);
		goto out;
	}
	if (r != 0) {
		rc = incl_err(p, "%s: %s", path, r == GLOB_NOSPACE ?
		    "out of memory" : "read error");
		goto out;
	}
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
		const char *f = g.gl_pathv[i];
		struct stat st;

		if (f[0] != '\0' && f[strlen(f) - 1] == '/') {
			pwarn(p, FN(p, file), line, "include %s: %s is a directory: "
			    "skipped, as keepalived skips it", pattern, f);
			continue;
		}
		if (stat(f, &st) != 0) {
			rc = incl_err(p, "%s: %s", f, strerror(errno));
			break;
		}
		if (!S_ISREG(st.st_mode) ||
		    (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
			pwarn(p, FN(p, file), line, "include %s: %s is not a regular "
			    "non-executable file: skipped, as keepalived skips "
			    "it", pattern, f);
			continue;
		}
		for (int d = 0; d < p->depth; d++)
			if (p->open[d].dev == st.st_dev &&
			    p->open[d].ino == st.st_ino) {
				rc = incl_err(p, "%s: an include loop (the file "
				    "includes itself)", f);
				break;
			}
		if (rc == 0)
			rc = read_file(p, f, file, line);
	}
out:
	globfree(&g);
	p->depth--;
	return rc;
}

/* One line (no "\n") of file: decomment, includes, tokens. */
static int
read_line(struct parser *p, char *s, int file, int line)
{
	char *seg = s;

	if (decomment(p, s, file, line) < 0)
		return -1;
	/* cut at each brace outside quotes, as keepalived's read_line */
	while (*seg != '\0') {
		char *q = seg, *end;
		int quote = 0;
		const char *inc;

		seg += strspn(seg, " \t\r\f\v");
		for (end = seg; *end != '\0'; end++) {
			if (*end == '"')
				quote = !quote;
			else if (!quote && (*end == '{' || *end == '}'))
				break;
		}
		if (end == seg && *end != '\0') {
			if (push(p, end, 1, file, line, 0) < 0)
				return -1;
			seg = end + 1;
			continue;
		}
		{
			char save = *end;

			*end = '\0';
			inc = is_include(seg);
			if (inc != NULL) {
				char pat[4096];
				size_t l;

				inc += strspn(inc, " \t");
				snprintf(pat, sizeof(pat), "%s", inc);
				l = strlen(pat);
				while (l > 0 && strchr(" \t\r", pat[l - 1]))
					pat[--l] = '\0';
				if (do_include(p, pat, file, line) < 0)
					return -1;
			} else {
				/* words: blanks apart, "..." one word */
				q = seg;
				while (*q != '\0') {
					q += strspn(q, " \t\r\f\v");
					if (*q == '\0')
						break;
					if (*q == '"') {
						char *c = strchr(q + 1, '"');

						if (c == NULL)
							return perr(p, FN(p, file), line,
							    "unterminated quoted "
							    "string");
						if (push(p, q + 1,
						    (size_t)(c - q - 1), file,
						    line, 1) < 0)
							return -1;
						q = c + 1;
					} else {
						size_t w = strcspn(q,
						    " \t\r\f\v\"");

						if (push(p, q, w, file, line,
						    0) < 0)
							return -1;
						q += w;
					}
				}
			}
			*end = save;
		}
		if (*end == '\0')
			break;
		if (push(p, end, 1, file, line, 0) < 0)
			return -1;
		seg = end + 1;
	}
	return 0;
}

static int
add_file(struct parser *p, const char *name)
{
	struct kaconf *k = p->k;
	char **f;

	if (k->nfiles >= KACONF_FILES_MAX)
		return -1;
	if ((f = realloc(k->files, (k->nfiles + 1) * sizeof(*f))) == NULL)
		return -1;
	k->files = f;
	if ((f[k->nfiles] = strdup(name)) == NULL)
		return -1;
	return (int)k->nfiles++;
}

/* The text of file number file, line by line. */
static int
read_text(struct parser *p, int file, const char *text, size_t len)
{
	size_t i = 0;
	int line = 0;
	char *buf = NULL;
	size_t cap = 0;

	while (i < len) {
		size_t s = i, l;

		line++;
		while (i < len && text[i] != '\n')
			i++;
		l = i - s;
		if (i < len)
			i++;			/* the "\n" */
		if (memchr(text + s, '\0', l) != NULL) {
			free(buf);
			return perr(p, FN(p, file), line, "NUL byte in the file");
		}
		/* keepalived drops every "\r" and "\n" at the line's end */
		while (l > 0 && text[s + l - 1] == '\r')
			l--;
		if (l + 1 > cap) {
			char *b = realloc(buf, l + 1);

			if (b == NULL) {
				free(buf);
				return perr(p, FN(p, file), line, "out of memory");
			}
			buf = b;
			cap = l + 1;
		}
		memcpy(buf, text + s, l);
		buf[l] = '\0';
		if (read_line(p, buf, file, line) < 0) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

static int
read_file(struct parser *p, const char *path, int from_file, int from_line)
{
	FILE *f;
	char *buf;
	size_t n;
	int file, rc, bad;
	struct stat st;

	if ((f = fopen(path, "r")) == NULL) {
		if (p->depth > 0)
			return incl_err(p, "%s: %s", path, strerror(errno));
		snprintf(p->err, p->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(KACONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		return perr(p, FN(p, from_file), from_line, "out of memory");
	}
	n = fread(buf, 1, KACONF_FILE_MAX + 1, f);
	bad = ferror(f) ? 1 : n > KACONF_FILE_MAX ||
	    (p->total += n) > KACONF_TOTAL_MAX ? 2 : 0;
	memset(&p->open[p->depth], 0, sizeof(p->open[0]));
	if (fstat(fileno(f), &st) == 0) {
		p->open[p->depth].dev = st.st_dev;
		p->open[p->depth].ino = st.st_ino;
	}
	fclose(f);
	if (bad) {
		free(buf);
		if (p->depth > 0)
			return incl_err(p, "%s: %s", path, bad == 1 ?
			    "read error" : "too big");
		snprintf(p->err, p->errlen, "%s: %s", path, bad == 1 ?
		    "read error" : "larger than 4 MiB");
		return -1;
	}
	if ((file = add_file(p, path)) < 0) {
		free(buf);
		return incl_err(p, "more than %d files", KACONF_FILES_MAX);
	}
	rc = read_text(p, file, buf, n);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- statements */

static int
is_brace(const struct tok *t, char c)
{
	return !t->quoted && t->s[0] == c && t->s[1] == '\0';
}

/*
 * One statement at p->i: keyword, its arguments (the rest of its line), and
 * whether a block follows.  p->i ends after the arguments (after the "{"
 * when *block).
 */
struct stmt {
	const char *kw;
	int line;
	int file;
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
		return perr(p, FN(p, kw->file), kw->line, "'{' without a keyword");
	if (kw->quoted)
		return perr(p, FN(p, kw->file), kw->line, "a quoted string where a "
		    "keyword belongs: \"%s\"", kw->s);
	st->kw = kw->s;
	st->line = kw->line;
	st->file = kw->file;
	p->i++;
	while (p->i < p->n && p->t[p->i].line == st->line &&
	    p->t[p->i].file == st->file &&
	    !is_brace(&p->t[p->i], '{') && !is_brace(&p->t[p->i], '}')) {
		if (st->argc == ARGS_MAX)
			return perr(p, FN(p, st->file), st->line, "%s: too many "
			    "arguments", st->kw);
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
skip_block(struct parser *p, const struct stmt *st)
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
	return perr(p, FN(p, st->file), st->line, "%s: block not closed (missing "
	    "'}')", st->kw);
}

/* Is the next token the "}" that closes the block opened by st? */
static int
block_end(struct parser *p, const struct stmt *st, int *end)
{
	if (p->i >= p->n)
		return perr(p, FN(p, st->file), st->line, "%s: block not closed "
		    "(missing '}')", st->kw);
	*end = is_brace(&p->t[p->i], '}');
	if (*end)
		p->i++;
	return 0;
}

static int
want_args(struct parser *p, const struct stmt *st, int n, int block)
{
	if (st->argc != n)
		return perr(p, FN(p, st->file), st->line, "%s takes %d argument%s, "
		    "%d given", st->kw, n, n == 1 ? "" : "s", st->argc);
	if (st->block != block)
		return perr(p, FN(p, st->file), st->line, block ? "%s: '{' expected" :
		    "%s takes no block", st->kw);
	return 0;
}

/* between min and max arguments, no block */
static int
want_range(struct parser *p, const struct stmt *st, int min, int max)
{
	if (st->argc < min || st->argc > max)
		return perr(p, FN(p, st->file), st->line, "%s takes %d to %d "
		    "arguments, %d given", st->kw, min, max, st->argc);
	if (st->block)
		return perr(p, FN(p, st->file), st->line, "%s takes no block", st->kw);
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
		return perr(p, FN(p, st->file), st->line, "%s: '%s' is not a number "
		    "from %lu to %lu", st->kw, s, min, max);
	return 0;
}

/* keyword N: one unsigned argument */
static int
kw_uint(struct parser *p, const struct stmt *st, unsigned long min,
    unsigned long max, uint32_t *v)
{
	unsigned long x;

	if (want_args(p, st, 1, 0) < 0 ||
	    parse_uint(p, st, st->argv[0], min, max, &x) < 0)
		return -1;
	*v = (uint32_t)x;
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
	if (errno || end == s || *end || s[0] == '-' ||
	    strpbrk(s, "xXeEnN") != NULL || !(v * 1000 >= min_ms) ||
	    !(v * 1000 <= max_ms))
		return perr(p, FN(p, st->file), st->line, "%s: '%s' is not a time "
		    "from %g to %g seconds", st->kw, s, min_ms / 1000.0,
		    max_ms / 1000.0);
	*ms = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

/* keyword [on|off|true|false|yes|no]: keepalived's check_true_false */
static int
parse_bool(struct parser *p, const struct stmt *st, int *v)
{
	const char *s;

	if (want_range(p, st, 0, 1) < 0)
		return -1;
	if (st->argc == 0) {
		*v = 1;
		return 0;
	}
	s = st->argv[0];
	if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "yes"))
		*v = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "no"))
		*v = 0;
	else
		return perr(p, FN(p, st->file), st->line, "%s: '%s' is not one of "
		    "on/off/true/false/yes/no", st->kw, s);
	return 0;
}

/* an address, no port */
static int
parse_ip(struct parser *p, const struct stmt *st, const char *a,
    uint16_t *af, union drlb_inaddr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, a, addr) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, a, addr) == 1)
		*af = AF_INET6;
	else
		return perr(p, FN(p, st->file), st->line, "%s: '%s' is not an IPv4 "
		    "or IPv6 address (names are not resolved)", st->kw, a);
	return 0;
}

/* IP [PORT]: keepalived takes a missing port (or 0) as "none" */
static int
parse_addr(struct parser *p, const struct stmt *st, const char *a,
    const char *port, uint16_t *af, union drlb_inaddr *addr, uint16_t *pport)
{
	unsigned long v = 0;

	if (parse_ip(p, st, a, af, addr) < 0)
		return -1;
	if (port != NULL && parse_uint(p, st, port, 0, 65535, &v) < 0)
		return -1;
	*pport = (uint16_t)v;
	return 0;
}

static int
unsupported(struct parser *p, const struct stmt *st, const char *where)
{
	return perr(p, FN(p, st->file), st->line, "unsupported keyword '%s' in %s",
	    st->kw, where);
}

/* a string argument into buf (bufsize), the whole line's words joined */
static int
kw_str(struct parser *p, const struct stmt *st, char *buf, size_t len)
{
	size_t n = 0;

	if (st->argc < 1 || st->block)
		return perr(p, FN(p, st->file), st->line, "%s: a value expected",
		    st->kw);
	buf[0] = '\0';
	for (int i = 0; i < st->argc; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? " " : "",
		    st->argv[i]);

		if (w < 0 || (size_t)w >= len - n)
			return perr(p, FN(p, st->file), st->line, "%s: longer than "
			    "%zu bytes", st->kw, len - 1);
		n += (size_t)w;
	}
	return 0;
}

static int
kw_cmd(struct parser *p, const struct stmt *st, char **cmd)
{
	char buf[KACONF_CMD_MAX];

	if (*cmd != NULL)
		return perr(p, FN(p, st->file), st->line, "%s given twice", st->kw);
	if (kw_str(p, st, buf, sizeof(buf)) < 0)
		return -1;
	if ((*cmd = strdup(buf)) == NULL)
		return perr(p, FN(p, st->file), st->line, "out of memory");
	return 0;
}

/* lb_kind / lvs_method / sorry_server_lvs_method: DR, or refused */
static int
kw_method(struct parser *p, const struct stmt *st)
{
	if (st->argc < 1 || st->block)
		return perr(p, FN(p, st->file), st->line, "%s: a method expected",
		    st->kw);
	if (strcmp(st->argv[0], "DR") == 0 && st->argc == 1)
		return 0;
	if (strcasecmp(st->argv[0], "DR") == 0 && st->argc == 1) {
		/* keepalived knows only "DR" and would run NAT */
		pwarn(p, FN(p, st->file), st->line, "%s %s: read as DR (keepalived "
		    "takes upper case only and would fall back to NAT)",
		    st->kw, st->argv[0]);
		return 0;
	}
	return perr(p, FN(p, st->file), st->line, "%s %s: drlbd forwards by direct "
	    "routing only (lb_kind DR)", st->kw, st->argv[0]);
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

/*
 * keepalived's read_hex_str(): hex octets, blanks allowed between them (a
 * lone digit before a blank is one octet); with mask, "x" is a nibble not
 * compared.  The arguments of st from the first.
 */
static int
kw_hex(struct parser *p, const struct stmt *st, uint8_t *buf, uint8_t *mask,
    uint16_t *len)
{
	char s[KACONF_PAYLOAD_MAX * 3];
	size_t n = 0;
	const char *q;

	if (kw_str(p, st, s, sizeof(s)) < 0)
		return -1;
	for (q = s; *q != '\0';) {
		int hi, lo, mhi = 0, mlo = 0;

		q += strspn(q, " \t");
		if (*q == '\0')
			break;
		if (mask != NULL && (*q == 'x' || *q == 'X'))
			hi = 0, mhi = 0xf;
		else if ((hi = hexval(*q)) < 0)
			goto bad;
		q++;
		if (*q != '\0' && *q != ' ' && *q != '\t') {
			if (mask != NULL && (*q == 'x' || *q == 'X'))
				lo = 0, mlo = 0xf;
			else if ((lo = hexval(*q)) < 0)
				goto bad;
			q++;
			hi = hi << 4 | lo;
			mhi = mhi << 4 | mlo;
		}
		if (n == KACONF_PAYLOAD_MAX)
			return perr(p, FN(p, st->file), st->line, "%s: more than %d "
			    "bytes", st->kw, KACONF_PAYLOAD_MAX);
		buf[n] = (uint8_t)hi;
		if (mask != NULL)
			mask[n] = (uint8_t)mhi;
		n++;
	}
	if (n == 0)
		goto bad;
	*len = (uint16_t)n;
	return 0;
bad:
	return perr(p, FN(p, st->file), st->line, "%s: '%s' is not a hex string",
	    st->kw, s);
}

/* ---------------------------------------------------------------- checks */

static struct kaconf_check *
check_new(struct parser *p, int type, const struct stmt *st,
    struct kaconf_check **list)
{
	struct kaconf_check *c = calloc(1, sizeof(*c)), **pp;

	if (c == NULL) {
		perr(p, FN(p, st->file), st->line, "out of memory");
		return NULL;
	}
	c->type = type;
	c->line = st->line;
	c->file = p->k->files[st->file];
	for (pp = list; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
	return c;
}

/* a check's settings before they are resolved: UNSET, -1 */
static void
check_proto(struct kaconf_check *c, int type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->connect_timeout_ms = UNSET;
	c->retry = UNSET;
	c->delay_before_retry_ms = UNSET;
	c->delay_loop_ms = UNSET;
	c->warmup_ms = UNSET;
	c->alpha = -1;
	c->max_reply_len = 255;		/* keepalived's UINT8_MAX */
	c->dns_type = 6;		/* SOA */
}

/* connect_ip, connect_port, bindto, bind_port, bind_if, connect_timeout,
 * fwmark: 1 when st was one of them, -1 on error */
static int
conn_kw(struct parser *p, const struct stmt *st, struct kaconf_check *c)
{
	uint32_t v;

	if (strcmp(st->kw, "connect_ip") == 0) {
		if (want_args(p, st, 1, 0) < 0 ||
		    parse_ip(p, st, st->argv[0], &c->connect_af,
		    &c->connect_ip) < 0)
			return -1;
		if (c->has_bindto && c->bind_af != c->connect_af)
			return perr(p, FN(p, st->file), st->line, "connect_ip %s: "
			    "not of bindto's address family", st->argv[0]);
		c->has_connect_ip = 1;
		return 1;
	}
	if (strcmp(st->kw, "connect_port") == 0) {
		if (kw_uint(p, st, 1, 65535, &v) < 0)
			return -1;
		c->connect_port = (uint16_t)v;
		return 1;
	}
	if (strcmp(st->kw, "bindto") == 0) {
		if (want_args(p, st, 1, 0) < 0 ||
		    parse_ip(p, st, st->argv[0], &c->bind_af, &c->bindto) < 0)
			return -1;
		if (c->has_connect_ip && c->bind_af != c->connect_af)
			return perr(p, FN(p, st->file), st->line, "bindto %s: not of "
			    "connect_ip's address family", st->argv[0]);
		c->has_bindto = 1;
		return 1;
	}
	if (strcmp(st->kw, "bind_port") == 0) {
		if (kw_uint(p, st, 1, 65535, &v) < 0)
			return -1;
		c->bind_port = (uint16_t)v;
		if (v < 1024)
			pwarn(p, FN(p, st->file), st->line, "bind_port %u: drlbd's "
			    "checks run without privileges, a port below 1024 "
			    "cannot be bound (the check fails)", v);
		return 1;
	}
	if (strcmp(st->kw, "bind_if") == 0) {
		if (want_args(p, st, 1, 0) < 0)
			return -1;
		if (strlen(st->argv[0]) >= sizeof(c->bind_if))
			return perr(p, FN(p, st->file), st->line, "bind_if: interface "
			    "name '%s' too long", st->argv[0]);
		snprintf(c->bind_if, sizeof(c->bind_if), "%s", st->argv[0]);
		return 1;
	}
	if (strcmp(st->kw, "connect_timeout") == 0)
		return parse_secs(p, st, 1, 3600000, &c->connect_timeout_ms) <
		    0 ? -1 : 1;
	if (strcmp(st->kw, "fwmark") == 0)
		return perr(p, FN(p, st->file), st->line, "fwmark: drlbd's checks "
		    "cannot mark their packets (SO_MARK needs CAP_NET_ADMIN, "
		    "which they run without)");
	return 0;
}

/* retry, delay_before_retry, warmup, delay_loop, alpha, log_all_failures
 * and drlb's rise and fall: every checker takes them */
static int
common_kw(struct parser *p, const struct stmt *st, struct kaconf_check *c)
{
	if (strcmp(st->kw, "retry") == 0)
		return kw_uint(p, st, 0, UNSET - 1, &c->retry) < 0 ? -1 : 1;
	if (strcmp(st->kw, "delay_before_retry") == 0)
		return parse_secs(p, st, 0, UNSET - 1,
		    &c->delay_before_retry_ms) < 0 ? -1 : 1;
	if (strcmp(st->kw, "warmup") == 0)
		return parse_secs(p, st, 0, UNSET - 1, &c->warmup_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "delay_loop") == 0)
		return parse_secs(p, st, 1, UNSET - 1, &c->delay_loop_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "alpha") == 0)
		return parse_bool(p, st, &c->alpha) < 0 ? -1 : 1;
	if (strcmp(st->kw, "log_all_failures") == 0)
		return parse_bool(p, st, &c->log_all_failures) < 0 ? -1 : 1;
	if (strcmp(st->kw, "rise") == 0)
		return kw_uint(p, st, 1, 1000, &c->rise) < 0 ? -1 : 1;
	if (strcmp(st->kw, "fall") == 0)
		return kw_uint(p, st, 1, 1000, &c->fall) < 0 ? -1 : 1;
	return 0;
}

/* status_code 200 204 300-399 ... */
static int
kw_status(struct parser *p, const struct stmt *st, struct kaconf_check *c)
{
	if (st->argc < 1 || st->block)
		return perr(p, FN(p, st->file), st->line, "status_code: a code "
		    "expected");
	for (int i = 0; i < st->argc; i++) {
		const char *s = st->argv[i];
		char *e;
		unsigned long lo, hi;

		errno = 0;
		lo = strtoul(s, &e, 10);
		hi = lo;
		if (*e == '-')
			hi = strtoul(e + 1, &e, 10);
		if (errno || *e || e == s || !isdigit((unsigned char)s[0]) ||
		    lo < KACONF_HTTP_STATUS_MIN || hi > KACONF_HTTP_STATUS_MAX ||
		    lo > hi)
			return perr(p, FN(p, st->file), st->line, "status_code: '%s' "
			    "is not a code or range of codes from %d to %d", s,
			    KACONF_HTTP_STATUS_MIN, KACONF_HTTP_STATUS_MAX);
		if (c->status_code == 0)
			c->status_code = (int)lo;
		for (unsigned long v = lo; v <= hi; v++) {
			unsigned b = (unsigned)(v - KACONF_HTTP_STATUS_MIN);

			c->status_ok[b / 8] |= (uint8_t)(1u << (b % 8));
		}
	}
	return 0;
}

/* url { path, status_code, digest, virtualhost, regex ... } */
static int
parse_url(struct parser *p, const struct stmt *hd, struct kaconf_check *c)
{
	struct stmt st;
	int end, has_path = 0, has_regex = 0, has_regex_opt = 0;

	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "path") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(st.argv[0]) >= sizeof(c->path) ||
			    strpbrk(st.argv[0], " \r\n") != NULL ||
			    st.argv[0][0] == '\0')
				return perr(p, FN(p, st.file), st.line, "path: '%s' is "
				    "not a URL path (at most %zu bytes)",
				    st.argv[0], sizeof(c->path) - 1);
			snprintf(c->path, sizeof(c->path), "%s", st.argv[0]);
			has_path = 1;
		} else if (strcmp(st.kw, "status_code") == 0) {
			if (kw_status(p, &st, c) < 0)
				return -1;
		} else if (strcmp(st.kw, "digest") == 0) {
			const char *h = st.argv[0];

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(h) != 32)
				return perr(p, FN(p, st.file), st.line, "digest: '%s' is "
				    "not an MD5 digest (32 hex digits)", h);
			for (int i = 0; i < 16; i++) {
				int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

				if (hi < 0 || lo < 0)
					return perr(p, FN(p, st.file), st.line, "digest: "
					    "'%s' is not an MD5 digest (32 hex "
					    "digits)", h);
				c->digest[i] = (uint8_t)(hi << 4 | lo);
			}
			c->has_digest = 1;
		} else if (strcmp(st.kw, "virtualhost") == 0) {
			if (kw_str(p, &st, c->virtualhost,
			    sizeof(c->virtualhost)) < 0)
				return -1;
		} else if (strcmp(st.kw, "regex") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strlen(st.argv[0]) >= sizeof(c->regex) ||
			    st.argv[0][0] == '\0')
				return perr(p, FN(p, st.file), st.line, "regex: empty or "
				    "longer than %zu bytes", sizeof(c->regex) - 1);
			snprintf(c->regex, sizeof(c->regex), "%s", st.argv[0]);
			has_regex = 1;
		} else if (strcmp(st.kw, "regex_no_match") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			c->regex_no_match = 1;
			has_regex_opt = 1;
		} else if (strcmp(st.kw, "regex_options") == 0) {
			for (int i = 0; i < st.argc; i++)
				if (strcmp(st.argv[i], "caseless") == 0)
					c->regex_icase = 1;
				else
					pwarn(p, FN(p, st.file), st.line, "regex_options "
					    "%s: ignored (drlbd's regex is a POSIX "
					    "ERE, not PCRE2; caseless is taken)",
					    st.argv[i]);
			has_regex_opt = 1;
		} else if (strcmp(st.kw, "regex_min_offset") == 0) {
			if (kw_uint(p, &st, 0, UNSET - 1,
			    &c->regex_min_offset) < 0)
				return -1;
			has_regex_opt = 1;
		} else if (strcmp(st.kw, "regex_max_offset") == 0) {
			if (kw_uint(p, &st, 0, UNSET - 2,
			    &c->regex_max_offset) < 0)
				return -1;
			c->regex_max_offset++;	/* one past the last start */
			has_regex_opt = 1;
		} else if (strcmp(st.kw, "regex_stack") == 0) {
			pwarn(p, FN(p, st.file), st.line, "regex_stack: ignored (a "
			    "PCRE2 JIT setting; drlbd's regex has no JIT)");
		} else
			return unsupported(p, &st, "url");
	}
	if (!has_path)
		return perr(p, FN(p, hd->file), hd->line, "url: no path");
	if (has_regex_opt && !has_regex)
		pwarn(p, FN(p, hd->file), hd->line, "url: regex options without "
		    "regex: ignored, as keepalived ignores them");
	if (c->regex_max_offset &&
	    c->regex_min_offset >= c->regex_max_offset) {
		pwarn(p, FN(p, hd->file), hd->line, "url: regex_min_offset beyond "
		    "regex_max_offset: both ignored, as keepalived ignores "
		    "them");
		c->regex_min_offset = c->regex_max_offset = 0;
	}
	return 0;
}

static int
check_type(const char *kw)
{
	static const struct { const char *kw; int type; } t[] = {
		{ "TCP_CHECK", KACONF_TCP_CHECK },
		{ "HTTP_GET", KACONF_HTTP_GET },
		{ "SSL_GET", KACONF_SSL_GET },
		{ "MISC_CHECK", KACONF_MISC_CHECK },
		{ "UDP_CHECK", KACONF_UDP_CHECK },
		{ "SMTP_CHECK", KACONF_SMTP_CHECK },
		{ "DNS_CHECK", KACONF_DNS_CHECK },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(kw, t[i].kw) == 0)
			return t[i].type;
	return 0;
}

static const struct {
	const char *name;
	uint16_t type;
} dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "MX", 15 },
	{ "TXT", 16 }, { "AAAA", 28 }, { "RRSIG", 46 }, { "DNSKEY", 48 },
};

/* copy what the block set (proto) into c, leaving c's own url settings */
static void
check_apply_proto(struct kaconf_check *c, const struct kaconf_check *proto)
{
	struct kaconf_check own = *c;

	*c = *proto;
	c->line = own.line;
	c->file = own.file;
	c->next = own.next;
	if (c->type == KACONF_HTTP_GET || c->type == KACONF_SSL_GET) {
		memcpy(c->path, own.path, sizeof(c->path));
		c->status_code = own.status_code;
		memcpy(c->status_ok, own.status_ok, sizeof(c->status_ok));
		c->has_digest = own.has_digest;
		memcpy(c->digest, own.digest, sizeof(c->digest));
		memcpy(c->regex, own.regex, sizeof(c->regex));
		c->regex_no_match = own.regex_no_match;
		c->regex_icase = own.regex_icase;
		c->regex_min_offset = own.regex_min_offset;
		c->regex_max_offset = own.regex_max_offset;
		if (own.virtualhost[0] != '\0')
			memcpy(c->virtualhost, own.virtualhost,
			    sizeof(c->virtualhost));
	}
}

/* SMTP_CHECK's host { } (deprecated in keepalived, still read): one more
 * check with its own connection settings */
static int
parse_smtp_host(struct parser *p, const struct stmt *hd,
    struct kaconf_check *c)
{
	struct stmt st;
	int end, r;

	if (want_args(p, hd, 0, 1) < 0)
		return -1;
	pwarn(p, FN(p, hd->file), hd->line, "host: deprecated in keepalived (one "
	    "SMTP_CHECK per host), read as a check of its own");
	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			return 0;
		if (next_stmt(p, &st) < 0)
			return -1;
		if ((r = conn_kw(p, &st, c)) < 0)
			return -1;
		if (r == 0)
			return unsupported(p, &st, "host");
	}
}

/*
 * A checker block of a real server.  The common keywords may come before or
 * after the url (host) blocks: they apply to every url's check.
 */
static int
parse_check(struct parser *p, const struct stmt *hd, struct kaconf_rs *rs)
{
	struct kaconf_check proto, *c, *first = NULL;
	struct kaconf_check *hosts[32];
	struct stmt st;
	int end, nurl = 0, nhost = 0, r;
	int type = check_type(hd->kw);
	int http = type == KACONF_HTTP_GET || type == KACONF_SSL_GET;

	if (want_args(p, hd, 0, 1) < 0)
		return -1;
	check_proto(&proto, type);
	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (type != KACONF_MISC_CHECK &&
		    (r = conn_kw(p, &st, &proto)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if ((r = common_kw(p, &st, &proto)) < 0)
			return -1;
		if (r)
			continue;
		if (http && strcmp(st.kw, "url") == 0) {
			if (want_args(p, &st, 0, 1) < 0)
				return -1;
			if ((c = check_new(p, type, &st, &rs->checks)) == NULL)
				return -1;
			if (first == NULL)
				first = c;
			nurl++;
			if (parse_url(p, &st, c) < 0)
				return -1;
		} else if (http && strcmp(st.kw, "nb_get_retry") == 0) {
			if (kw_uint(p, &st, 0, UNSET - 1, &proto.retry) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "nb_get_retry: read as retry "
			    "(keepalived 2.2 calls it deprecated)");
		} else if (http && strcmp(st.kw, "virtualhost") == 0) {
			if (kw_str(p, &st, proto.virtualhost,
			    sizeof(proto.virtualhost)) < 0)
				return -1;
		} else if (http && strcmp(st.kw, "http_protocol") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strcmp(st.argv[0], "1.0") == 0)
				proto.http_protocol = KACONF_HTTP_1_0;
			else if (strcmp(st.argv[0], "1.1") == 0)
				proto.http_protocol = KACONF_HTTP_1_1;
			else if (strcasecmp(st.argv[0], "1.0C") == 0)
				proto.http_protocol = KACONF_HTTP_1_0C;
			else
				return perr(p, FN(p, st.file), st.line, "http_protocol: "
				    "'%s' is not 1.0, 1.0C or 1.1", st.argv[0]);
		} else if (http && strcmp(st.kw, "enable_sni") == 0) {
			if (parse_bool(p, &st, &proto.enable_sni) < 0)
				return -1;
			if (type == KACONF_HTTP_GET)
				pwarn(p, FN(p, st.file), st.line, "enable_sni: ignored "
				    "by HTTP_GET (no TLS)");
		} else if (http && strcmp(st.kw, "fast_recovery") == 0) {
			if (parse_bool(p, &st, &proto.fast_recovery) < 0)
				return -1;
		} else if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "misc_path") == 0) {
			if (kw_str(p, &st, proto.misc_path,
			    sizeof(proto.misc_path)) < 0)
				return -1;
		} else if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "misc_timeout") == 0) {
			if (parse_secs(p, &st, 1, 3600000,
			    &proto.misc_timeout_ms) < 0)
				return -1;
		} else if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "misc_dynamic") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			proto.misc_dynamic = 1;
		} else if (type == KACONF_MISC_CHECK &&
		    strcmp(st.kw, "user") == 0) {
			if (want_range(p, &st, 1, 2) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "user %s: ignored: the "
			    "command runs as drlbd does after start (no "
			    "privileges to change user)", st.argv[0]);
		} else if (type == KACONF_UDP_CHECK &&
		    strcmp(st.kw, "payload") == 0) {
			if (kw_hex(p, &st, proto.payload, NULL,
			    &proto.payload_len) < 0)
				return -1;
		} else if (type == KACONF_UDP_CHECK &&
		    strcmp(st.kw, "require_reply") == 0) {
			proto.require_reply = 1;
			if (st.argc > 0 && kw_hex(p, &st, proto.reply,
			    proto.reply_mask, &proto.reply_len) < 0)
				return -1;
		} else if (type == KACONF_UDP_CHECK &&
		    strcmp(st.kw, "min_reply_length") == 0) {
			uint32_t v;

			if (kw_uint(p, &st, 0, 65535, &v) < 0)
				return -1;
			proto.min_reply_len = (uint16_t)v;
		} else if (type == KACONF_UDP_CHECK &&
		    strcmp(st.kw, "max_reply_length") == 0) {
			uint32_t v;

			if (kw_uint(p, &st, 0, 65535, &v) < 0)
				return -1;
			proto.max_reply_len = (uint16_t)v;
		} else if (type == KACONF_SMTP_CHECK &&
		    strcmp(st.kw, "helo_name") == 0) {
			if (kw_str(p, &st, proto.helo_name,
			    sizeof(proto.helo_name)) < 0)
				return -1;
		} else if (type == KACONF_SMTP_CHECK &&
		    strcmp(st.kw, "host") == 0) {
			struct kaconf_check h;

			if (nhost == (int)(sizeof(hosts) / sizeof(hosts[0])))
				return perr(p, FN(p, st.file), st.line, "host: more than "
				    "%zu", sizeof(hosts) / sizeof(hosts[0]));
			check_proto(&h, type);
			if (parse_smtp_host(p, &st, &h) < 0)
				return -1;
			if ((c = check_new(p, type, &st, &rs->checks)) == NULL)
				return -1;
			h.line = c->line;
			h.file = c->file;
			h.next = c->next;
			*c = h;
			hosts[nhost++] = c;
		} else if (type == KACONF_DNS_CHECK &&
		    strcmp(st.kw, "type") == 0) {
			size_t i;

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			for (i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]);
			    i++)
				if (strcasecmp(st.argv[0], dns_types[i].name) == 0)
					break;
			if (i == sizeof(dns_types) / sizeof(dns_types[0]))
				return perr(p, FN(p, st.file), st.line, "type: '%s' is "
				    "not one of A NS CNAME SOA MX TXT AAAA RRSIG "
				    "DNSKEY", st.argv[0]);
			proto.dns_type = dns_types[i].type;
		} else if (type == KACONF_DNS_CHECK &&
		    strcmp(st.kw, "name") == 0) {
			const char *n = st.argv[0];

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (proto.dns_name[0] != '\0')
				return perr(p, FN(p, st.file), st.line, "name given "
				    "twice");
			if ((n[0] == '.' && n[1] != '\0') ||
			    strstr(n, "..") != NULL ||
			    strlen(n) >= sizeof(proto.dns_name))
				return perr(p, FN(p, st.file), st.line, "name: '%s' has "
				    "an empty label or is too long", n);
			snprintf(proto.dns_name, sizeof(proto.dns_name), "%s", n);
		} else
			return unsupported(p, &st, hd->kw);
	}
	if (http && nurl == 0)
		return perr(p, FN(p, hd->file), hd->line, "%s without a url block",
		    hd->kw);
	if (type == KACONF_MISC_CHECK && proto.misc_path[0] == '\0')
		return perr(p, FN(p, hd->file), hd->line, "MISC_CHECK without "
		    "misc_path");
	if (type == KACONF_UDP_CHECK &&
	    proto.min_reply_len > proto.max_reply_len)
		return perr(p, FN(p, hd->file), hd->line, "UDP_CHECK: min_reply_length "
		    "%u > max_reply_length %u: it would always fail",
		    proto.min_reply_len, proto.max_reply_len);
	if (type == KACONF_SMTP_CHECK && proto.helo_name[0] == '\0')
		snprintf(proto.helo_name, sizeof(proto.helo_name), "%s",
		    "smtpchecker.keepalived.org");
	if (!http) {
		/* keepalived: the host blocks replace the checker's own
		 * connection unless it set one itself */
		int own = type != KACONF_SMTP_CHECK || nhost == 0 ||
		    proto.has_connect_ip || proto.connect_port ||
		    proto.has_bindto || proto.bind_port || proto.bind_if[0] ||
		    proto.connect_timeout_ms != UNSET;

		for (int i = 0; i < nhost; i++) {
			struct kaconf_check *h = hosts[i], hc = *h;

			check_apply_proto(h, &proto);
			h->has_connect_ip = hc.has_connect_ip;
			h->connect_af = hc.connect_af;
			h->connect_ip = hc.connect_ip;
			h->connect_port = hc.connect_port;
			h->has_bindto = hc.has_bindto;
			h->bind_af = hc.bind_af;
			h->bindto = hc.bindto;
			h->bind_port = hc.bind_port;
			memcpy(h->bind_if, hc.bind_if, sizeof(h->bind_if));
			h->connect_timeout_ms = hc.connect_timeout_ms;
		}
		if (!own)
			return 0;
		if ((first = check_new(p, type, hd, &rs->checks)) == NULL)
			return -1;
		/* the block's own check comes before its hosts' */
		if (nhost > 0) {
			struct kaconf_check **pp;

			for (pp = &rs->checks; *pp != hosts[0]; pp = &(*pp)->next)
				;
			for (c = *pp; c->next != first; c = c->next)
				;
			c->next = NULL;
			first->next = *pp;
			*pp = first;
		}
		nurl = 1;
	}
	for (c = first; c != NULL && nurl > 0; c = c->next, nurl--)
		check_apply_proto(c, &proto);
	return 0;
}

/* ---------------------------------------------------------------- servers */

static void
inherit_init(struct inherit *in)
{
	in->retry = in->delay_before_retry_ms = in->warmup_ms = UNSET;
	in->connect_timeout_ms = in->delay_loop_ms = UNSET;
	in->alpha = in->inhibit = -1;
	in->weight = UNSET;
	in->virtualhost[0] = '\0';
}

/* retry, delay_before_retry, warmup, connect_timeout, delay_loop: what
 * virtual and real servers hand down to their checks; 1 when st was one */
static int
inherit_kw(struct parser *p, const struct stmt *st, struct inherit *in)
{
	if (strcmp(st->kw, "retry") == 0)
		return kw_uint(p, st, 1, UNSET - 1, &in->retry) < 0 ? -1 : 1;
	if (strcmp(st->kw, "delay_before_retry") == 0)
		return parse_secs(p, st, 0, UNSET - 1,
		    &in->delay_before_retry_ms) < 0 ? -1 : 1;
	if (strcmp(st->kw, "warmup") == 0)
		return parse_secs(p, st, 0, UNSET - 1, &in->warmup_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "connect_timeout") == 0)
		return parse_secs(p, st, 1, 3600000, &in->connect_timeout_ms) <
		    0 ? -1 : 1;
	if (strcmp(st->kw, "delay_loop") == 0)
		return parse_secs(p, st, 1, UNSET - 1, &in->delay_loop_ms) < 0 ?
		    -1 : 1;
	if (strcmp(st->kw, "virtualhost") == 0)
		return kw_str(p, st, in->virtualhost,
		    sizeof(in->virtualhost)) < 0 ? -1 : 1;
	return 0;
}

/* the checkers keepalived has that drlbd does not run, and why */
static const char *
refused_check(const char *kw)
{
	if (strcmp(kw, "PING_CHECK") == 0)
		return "ICMP echo needs a raw or ping socket, which drlbd's "
		    "unprivileged checks cannot open";
	if (strcmp(kw, "FILE_CHECK") == 0)
		return "it needs keepalived's track_file, which drlbd does not "
		    "read";
	if (strcmp(kw, "BFD_CHECK") == 0)
		return "it needs keepalived's BFD process";
	return NULL;
}

static int
parse_rs(struct parser *p, const struct stmt *hd, struct kaconf_vs *vs,
    struct rsdef *rd)
{
	struct kaconf_rs *rs = rd->rs;
	struct stmt st;
	int end, r;
	const char *why;

	if (hd->argc < 1 || hd->argc > 2)
		return perr(p, FN(p, hd->file), hd->line, "%s takes an address "
		    "and a port", hd->kw);
	if (!hd->block)
		return perr(p, FN(p, hd->file), hd->line, "%s: '{' expected", hd->kw);
	if (parse_addr(p, hd, hd->argv[0], hd->argc > 1 ? hd->argv[1] : NULL,
	    &rs->af, &rs->addr, &rs->port) < 0)
		return -1;
	rd->port_given = rs->port != 0;
	if (vs->conf.af != 0 && rs->af != vs->conf.af)
		return perr(p, FN(p, hd->file), hd->line, "real_server %s: not of the "
		    "virtual server's address family (DR needs the same "
		    "segment)", hd->argv[0]);
	rs->line = hd->line;
	rs->file = p->k->files[hd->file];
	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			return 0;
		if (next_stmt(p, &st) < 0)
			return -1;
		if ((r = inherit_kw(p, &st, &rd->in)) != 0) {
			if (r < 0)
				return -1;
		} else if (strcmp(st.kw, "weight") == 0) {
			if (kw_uint(p, &st, 0, 65535, &rd->in.weight) < 0)
				return -1;
		} else if (strcmp(st.kw, "lvs_method") == 0) {
			if (kw_method(p, &st) < 0)
				return -1;
		} else if (strcmp(st.kw, "uthreshold") == 0) {
			if (kw_uint(p, &st, 0, UINT32_MAX, &rs->u_threshold) < 0)
				return -1;
		} else if (strcmp(st.kw, "lthreshold") == 0) {
			if (kw_uint(p, &st, 0, UINT32_MAX, &rs->l_threshold) < 0)
				return -1;
		} else if (strcmp(st.kw, "inhibit_on_failure") == 0) {
			if (parse_bool(p, &st, &rd->in.inhibit) < 0)
				return -1;
		} else if (strcmp(st.kw, "alpha") == 0) {
			if (parse_bool(p, &st, &rd->in.alpha) < 0)
				return -1;
		} else if (strcmp(st.kw, "notify_up") == 0) {
			if (kw_cmd(p, &st, &rs->notify_up) < 0)
				return -1;
		} else if (strcmp(st.kw, "notify_down") == 0) {
			if (kw_cmd(p, &st, &rs->notify_down) < 0)
				return -1;
		} else if (strcmp(st.kw, "smtp_alert") == 0) {
			int v;

			if (parse_bool(p, &st, &v) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "smtp_alert: ignored: drlbd "
			    "sends no e-mail (its log has every state change)");
		} else if (strcmp(st.kw, "snmp_name") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "snmp_name: ignored: drlbd "
			    "has no SNMP agent");
		} else if (check_type(st.kw) != 0) {
			if (parse_check(p, &st, rs) < 0)
				return -1;
		} else if ((why = refused_check(st.kw)) != NULL) {
			return perr(p, FN(p, st.file), st.line, "%s is not run by "
			    "drlbd: %s", st.kw, why);
		} else
			return unsupported(p, &st, "real_server");
	}
}

static void
rs_free(struct kaconf_rs *rs)
{
	while (rs->checks != NULL) {
		struct kaconf_check *c = rs->checks;

		rs->checks = c->next;
		free(c);
	}
	free(rs->notify_up);
	free(rs->notify_down);
}

static void
vs_free(struct kaconf_vs *vs)
{
	while (vs->rs != NULL) {
		struct kaconf_rs *rs = vs->rs;

		vs->rs = rs->next;
		rs_free(rs);
		free(rs);
	}
	free(vs->svcs);
	free(vs->quorum_up);
	free(vs->quorum_down);
	free(vs);
}

static struct rsdef *
rd_new(struct parser *p, const struct stmt *st)
{
	struct rsdef *rd;

	if (p->nrd == p->caprd) {
		uint32_t cap = p->caprd ? p->caprd * 2 : 16;

		if ((rd = realloc(p->rd, cap * sizeof(*rd))) == NULL) {
			perr(p, FN(p, st->file), st->line, "out of memory");
			return NULL;
		}
		p->rd = rd;
		p->caprd = cap;
	}
	rd = &p->rd[p->nrd++];
	memset(rd, 0, sizeof(*rd));
	inherit_init(&rd->in);
	return rd;
}

/* the flags keepalived's lbflags_handler sets (in file order: sh-port
 * counts only after lb_algo sh) */
static int
kw_flag(struct parser *p, const struct stmt *st, struct kaconf_vs *vs)
{
	const char *kw = st->kw, *sched = vs->conf.sched_name;

	if (want_args(p, st, 0, 0) < 0)
		return -1;
	if (strcmp(kw, "ops") == 0)
		vs->conf.flags |= DRLB_SVC_F_ONEPACKET;
	else if (strcmp(kw, "flag-1") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED1;
	else if (strcmp(kw, "flag-2") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED2;
	else if (strcmp(kw, "flag-3") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED3;
	else if (strcmp(sched, "sh") == 0 && strcmp(kw, "sh-port") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED2;
	else if (strcmp(sched, "sh") == 0 && strcmp(kw, "sh-fallback") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED1;
	else if (strcmp(sched, "mh") == 0 && strcmp(kw, "mh-port") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED2;
	else if (strcmp(sched, "mh") == 0 && strcmp(kw, "mh-fallback") == 0)
		vs->conf.flags |= DRLB_SVC_F_SCHED1;
	else if (strcmp(kw, "hashed") == 0 &&
	    (strcmp(sched, "sh") == 0 || strcmp(sched, "mh") == 0))
		;	/* keepalived takes it there and sets nothing */
	else
		return perr(p, FN(p, st->file), st->line, "%s: only after lb_algo %s "
		    "(keepalived ignores it elsewhere)", kw,
		    strncmp(kw, "mh", 2) == 0 ? "mh" : "sh");
	return 0;
}

static int
parse_vs(struct parser *p, const struct stmt *hd, struct kaconf_vs *vs,
    struct inherit *vin, int *has_proto, int *has_kind, int *has_sched,
    int *port_given)
{
	struct stmt st;
	int end, r;
	struct kaconf_rs **tail = &vs->rs;

	if (hd->argc >= 1 && strcmp(hd->argv[0], "fwmark") == 0)
		return perr(p, FN(p, hd->file), hd->line, "virtual_server fwmark: "
		    "not supported by drlbd (no netfilter marks in userspace)");
	if (hd->argc >= 1 && strcmp(hd->argv[0], "group") == 0) {
		if (want_args(p, hd, 2, 1) < 0)
			return -1;
		snprintf(vs->group, sizeof(vs->group), "%s", hd->argv[1]);
	} else {
		if (hd->argc < 1 || hd->argc > 2)
			return want_args(p, hd, 2, 1);
		if (!hd->block)
			return perr(p, FN(p, hd->file), hd->line, "%s: '{' expected",
			    hd->kw);
		if (parse_addr(p, hd, hd->argv[0], hd->argc > 1 ?
		    hd->argv[1] : NULL, &vs->conf.af, &vs->conf.addr,
		    &vs->conf.port) < 0)
			return -1;
		*port_given = vs->conf.port != 0;
	}
	vs->line = hd->line;
	vs->file = p->k->files[hd->file];
	snprintf(vs->conf.sched_name, sizeof(vs->conf.sched_name), "wlc");
	vs->conf.netmask = UNSET;
	vs->delay_loop_ms = KACONF_DELAY_LOOP_MS;
	vs->quorum = 1;
	vin->weight = 1;
	vin->connect_timeout_ms = KACONF_CONNECT_TIMEOUT_MS;
	vin->delay_loop_ms = KACONF_DELAY_LOOP_MS;
	vin->alpha = vin->inhibit = 0;
	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "weight") != 0 &&
		    (r = inherit_kw(p, &st, vin)) != 0) {
			if (r < 0)
				return -1;
			vs->delay_loop_ms = vin->delay_loop_ms;
		} else if (strcmp(st.kw, "weight") == 0) {
			if (kw_uint(p, &st, 1, 65535, &vin->weight) < 0)
				return -1;
		} else if (strcmp(st.kw, "ip_family") == 0) {
			uint16_t af;

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strcmp(st.argv[0], "inet") == 0)
				af = AF_INET;
			else if (strcmp(st.argv[0], "inet6") == 0)
				af = AF_INET6;
			else
				return perr(p, FN(p, st.file), st.line, "ip_family: '%s' "
				    "is not inet or inet6", st.argv[0]);
			if (vs->conf.af != 0 && vs->conf.af != af)
				return perr(p, FN(p, st.file), st.line, "ip_family %s: "
				    "not the virtual server's family", st.argv[0]);
			vs->conf.af = af;
		} else if (strcmp(st.kw, "lb_algo") == 0 ||
		    strcmp(st.kw, "lvs_sched") == 0) {
			size_t i;

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			for (i = 0; ipvs_scheds[i] != NULL &&
			    strcmp(ipvs_scheds[i], st.argv[0]) != 0; i++)
				;
			if (ipvs_scheds[i] == NULL ||
			    sched_find(st.argv[0]) == NULL) {
				char names[256];

				return perr(p, FN(p, st.file), st.line, "%s: unknown "
				    "scheduler '%s' (drlbd has: %s)", st.kw,
				    st.argv[0], sched_names(names, sizeof(names)));
			}
			snprintf(vs->conf.sched_name, sizeof(vs->conf.sched_name),
			    "%s", st.argv[0]);
			*has_sched = 1;
		} else if (strcmp(st.kw, "ops") == 0 ||
		    strcmp(st.kw, "hashed") == 0 ||
		    strncmp(st.kw, "flag-", 5) == 0 ||
		    strncmp(st.kw, "sh-", 3) == 0 ||
		    strncmp(st.kw, "mh-", 3) == 0) {
			if (kw_flag(p, &st, vs) < 0)
				return -1;
		} else if (strcmp(st.kw, "lb_kind") == 0 ||
		    strcmp(st.kw, "lvs_method") == 0) {
			if (kw_method(p, &st) < 0)
				return -1;
			*has_kind = 1;
		} else if (strcmp(st.kw, "persistence_engine") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			return perr(p, FN(p, st.file), st.line, "persistence_engine "
			    "%s: drlbd has no persistence engines", st.argv[0]);
		} else if (strcmp(st.kw, "persistence_timeout") == 0) {
			uint32_t v = DRLB_PERSIST_DEFAULT;

			if (st.argc == 0 && !st.block)
				;	/* as keepalived: 360 */
			else if (kw_uint(p, &st, 1, KACONF_PERSIST_MAX, &v) < 0)
				return -1;
			vs->conf.flags |= DRLB_SVC_F_PERSISTENT;
			vs->conf.timeout = v;
		} else if (strcmp(st.kw, "persistence_granularity") == 0) {
			struct in_addr m;
			uint32_t v;
			uint16_t af = vs->conf.af;

			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (af == 0)
				af = strchr(st.argv[0], '.') ? AF_INET : AF_INET6;
			if (af == AF_INET6) {
				if (kw_uint(p, &st, 1, 128, &v) < 0)
					return -1;
				vs->conf.netmask = v;
			} else {
				uint32_t h;

				if (inet_pton(AF_INET, st.argv[0], &m) != 1)
					return perr(p, FN(p, st.file), st.line, "%s: '%s' "
					    "is not a netmask", st.kw, st.argv[0]);
				/* contiguous ones, as drlbd's -M wants */
				h = ntohl(m.s_addr);
				if (h != 0 && ((~h + 1) & ~h) != 0)
					return perr(p, FN(p, st.file), st.line, "%s: '%s' "
					    "is not a netmask", st.kw, st.argv[0]);
				vs->conf.netmask = m.s_addr;
			}
			if (vs->conf.af == 0)
				vs->conf.af = af;
			/* keepalived: granularity makes the service
			 * persistent */
			if (!(vs->conf.flags & DRLB_SVC_F_PERSISTENT)) {
				vs->conf.flags |= DRLB_SVC_F_PERSISTENT;
				vs->conf.timeout = DRLB_PERSIST_DEFAULT;
			}
		} else if (strcmp(st.kw, "protocol") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			if (strcasecmp(st.argv[0], "TCP") == 0)
				vs->conf.protocol = IPPROTO_TCP;
			else if (strcasecmp(st.argv[0], "UDP") == 0)
				vs->conf.protocol = IPPROTO_UDP;
			else
				return perr(p, FN(p, st.file), st.line, "protocol %s: "
				    "drlbd forwards TCP and UDP only", st.argv[0]);
			*has_proto = 1;
		} else if (strcmp(st.kw, "ha_suspend") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			vs->ha_suspend = 1;
		} else if (strcmp(st.kw, "smtp_alert") == 0) {
			int v;

			if (parse_bool(p, &st, &v) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "smtp_alert: ignored: drlbd "
			    "sends no e-mail (its log has every state change)");
		} else if (strcmp(st.kw, "snmp_name") == 0) {
			if (want_args(p, &st, 1, 0) < 0)
				return -1;
			pwarn(p, FN(p, st.file), st.line, "snmp_name: ignored: drlbd "
			    "has no SNMP agent");
		} else if (strcmp(st.kw, "inhibit_on_failure") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			vin->inhibit = 1;
		} else if (strcmp(st.kw, "alpha") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			vin->alpha = 1;
		} else if (strcmp(st.kw, "omega") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			vs->omega = 1;
		} else if (strcmp(st.kw, "quorum") == 0) {
			if (kw_uint(p, &st, 1, UINT32_MAX, &vs->quorum) < 0)
				return -1;
		} else if (strcmp(st.kw, "hysteresis") == 0) {
			if (kw_uint(p, &st, 0, UINT32_MAX, &vs->hysteresis) < 0)
				return -1;
		} else if (strcmp(st.kw, "quorum_up") == 0) {
			if (kw_cmd(p, &st, &vs->quorum_up) < 0)
				return -1;
		} else if (strcmp(st.kw, "quorum_down") == 0) {
			if (kw_cmd(p, &st, &vs->quorum_down) < 0)
				return -1;
		} else if (strcmp(st.kw, "sorry_server") == 0) {
			if (want_range(p, &st, 1, 2) < 0 ||
			    parse_addr(p, &st, st.argv[0], st.argc > 1 ?
			    st.argv[1] : NULL, &vs->sorry.af, &vs->sorry.addr,
			    &vs->sorry.port) < 0)
				return -1;
			if (vs->conf.af != 0 && vs->sorry.af != vs->conf.af)
				return perr(p, FN(p, st.file), st.line, "sorry_server %s: "
				    "not of the virtual server's address family",
				    st.argv[0]);
			vs->has_sorry = 1;
			vs->sorry.line = st.line;
			vs->sorry.file = p->k->files[st.file];
			vs->sorry.weight = 1;
		} else if (strcmp(st.kw, "sorry_server_inhibit") == 0) {
			if (want_args(p, &st, 0, 0) < 0)
				return -1;
			if (!vs->has_sorry)
				return perr(p, FN(p, st.file), st.line, "sorry_server_"
				    "inhibit before or without sorry_server");
			vs->sorry_inhibit = 1;
		} else if (strcmp(st.kw, "sorry_server_lvs_method") == 0) {
			if (!vs->has_sorry)
				return perr(p, FN(p, st.file), st.line, "sorry_server_"
				    "lvs_method before or without sorry_server");
			if (kw_method(p, &st) < 0)
				return -1;
		} else if (strcmp(st.kw, "real_server") == 0) {
			struct kaconf_rs *rs = calloc(1, sizeof(*rs));
			struct rsdef *rd;

			if (rs == NULL)
				return perr(p, FN(p, st.file), st.line, "out of memory");
			*tail = rs;
			tail = &rs->next;
			if ((rd = rd_new(p, &st)) == NULL)
				return -1;
			rd->rs = rs;
			if (parse_rs(p, &st, vs, rd) < 0)
				return -1;
			if (vs->conf.af == 0)
				vs->conf.af = rs->af;
		} else
			return unsupported(p, &st, "virtual_server");
	}
	return 0;
}

/*
 * What keepalived's validate_check_config() does to a virtual server: the
 * defaults real servers and checks inherit, ports, quorum.
 */
static int
vs_resolve(struct parser *p, const struct stmt *hd, struct kaconf_vs *vs,
    const struct inherit *vin, int port_given)
{
	uint64_t wsum = 0;
	uint16_t port = vs->conf.port;

	for (uint32_t i = 0; i < p->nrd; i++) {
		struct rsdef *rd = &p->rd[i];
		struct kaconf_rs *rs = rd->rs;
		struct inherit *in = &rd->in;

		if (in->alpha == -1)
			in->alpha = vin->alpha;
		if (in->inhibit == -1)
			in->inhibit = vin->inhibit;
		if (in->retry == UNSET)
			in->retry = vin->retry;
		if (in->connect_timeout_ms == UNSET)
			in->connect_timeout_ms = vin->connect_timeout_ms;
		if (in->delay_loop_ms == UNSET)
			in->delay_loop_ms = vin->delay_loop_ms;
		if (in->warmup_ms == UNSET)
			in->warmup_ms = vin->warmup_ms;
		if (in->delay_before_retry_ms == UNSET)
			in->delay_before_retry_ms = vin->delay_before_retry_ms;
		if (in->weight == UNSET)
			in->weight = vin->weight;
		if (in->virtualhost[0] == '\0')
			memcpy(in->virtualhost, vin->virtualhost,
			    sizeof(in->virtualhost));
		rs->weight = (int32_t)in->weight;
		rs->inhibit = in->inhibit;
		rs->alpha = in->alpha;
		wsum += in->weight;
		/* DR: the real server's port is the virtual server's */
		if (vs->group[0] == '\0') {
			if (rd->port_given && rs->port != port)
				pwarn(p, rs->file, rs->line, "real_server port %u is not the "
				    "virtual server's %u: direct routing keeps "
				    "the port, so %u (as keepalived resets it)",
				    rs->port, port, port);
		}
		for (struct kaconf_check *c = rs->checks; c; c = c->next) {
			uint32_t dretry = c->type == KACONF_MISC_CHECK ? 0 :
			    c->type == KACONF_DNS_CHECK ? 3 : KACONF_RETRY;
			uint32_t ddbr = c->type == KACONF_HTTP_GET ||
			    c->type == KACONF_SSL_GET ? 3000 :
			    c->type == KACONF_DNS_CHECK ? 0 :
			    KACONF_DELAY_BEFORE_RETRY_MS;

			if (c->alpha == -1)
				c->alpha = in->alpha;
			if (c->retry == UNSET)
				c->retry = in->retry != UNSET ? in->retry : dretry;
			if (c->connect_timeout_ms == UNSET)
				c->connect_timeout_ms = in->connect_timeout_ms;
			if (c->delay_loop_ms == UNSET)
				c->delay_loop_ms = in->delay_loop_ms;
			if (c->warmup_ms == UNSET)
				c->warmup_ms = in->warmup_ms != UNSET ?
				    in->warmup_ms : c->delay_loop_ms;
			if (c->delay_before_retry_ms == UNSET)
				c->delay_before_retry_ms =
				    in->delay_before_retry_ms != UNSET ?
				    in->delay_before_retry_ms : ddbr ? ddbr :
				    c->delay_loop_ms;
			if (c->virtualhost[0] == '\0')
				memcpy(c->virtualhost, in->virtualhost,
				    sizeof(c->virtualhost));
			if (c->rise == 0)
				c->rise = 1;
			/* keepalived: DOWN after the first failure and its
			 * retries */
			if (c->fall == 0)
				c->fall = c->retry + 1;
			if (c->has_bindto && !c->has_connect_ip &&
			    c->bind_af != rs->af)
				return perr(p, c->file, c->line, "bindto: not of "
				    "the real server's address family");
			/* the port a check connects to: connect_port, the
			 * real server's as written, the service's */
			if (c->connect_port == 0 && rd->port_given &&
			    (rs->port != port || vs->group[0] != '\0'))
				c->connect_port = rs->port;
		}
		if (vs->group[0] == '\0' || !rd->port_given)
			rs->port = port;
	}
	(void)port_given;
	/* the sorry server comes and goes by itself: not a real server too */
	for (struct kaconf_rs *rs = vs->rs; rs != NULL && vs->has_sorry;
	    rs = rs->next)
		if (rs->af == vs->sorry.af &&
		    drlb_addr_eq(rs->af, &rs->addr, &vs->sorry.addr))
			return perr(p, vs->sorry.file, vs->sorry.line,
			    "sorry_server is also the real_server of line %d",
			    rs->line);
	if (vs->quorum > wsum) {
		pwarn(p, FN(p, hd->file), hd->line, "quorum %u exceeds the real "
		    "servers' total weight %llu: reduced to %llu, as keepalived "
		    "does", vs->quorum, (unsigned long long)wsum,
		    (unsigned long long)wsum);
		vs->quorum = (uint32_t)wsum;
	}
	if (vs->quorum > 0 && vs->hysteresis >= vs->quorum) {
		pwarn(p, FN(p, hd->file), hd->line, "hysteresis %u >= quorum %u: set "
		    "to %u, as keepalived does", vs->hysteresis, vs->quorum,
		    vs->quorum - 1);
		vs->hysteresis = vs->quorum - 1;
	} else if (vs->quorum == 0)
		vs->hysteresis = 0;
	if (vs->has_sorry) {
		if (vs->sorry.port != 0 && vs->group[0] == '\0' &&
		    vs->sorry.port != port)
			pwarn(p, FN(p, hd->file), vs->sorry.line, "sorry_server port "
			    "%u is not the virtual server's %u: %u, as keepalived "
			    "resets it", vs->sorry.port, port, port);
		vs->sorry.port = port;
	}
	return 0;
}

/* ---------------------------------------------------------------- groups */

static int
vsg_entry_parse(struct parser *p, const struct stmt *st, struct vsg *g)
{
	struct vsg_entry e, *ne;
	char a[INET6_ADDRSTRLEN + 8], *dash, *slash;
	unsigned long v = 0;

	memset(&e, 0, sizeof(e));
	e.line = st->line;
	e.file = st->file;
	if (strcmp(st->kw, "fwmark") == 0)
		return perr(p, FN(p, st->file), st->line, "virtual_server_group %s: "
		    "fwmark: not supported by drlbd (no netfilter marks in "
		    "userspace)", g->name);
	if (st->argc > 1 || st->block)
		return perr(p, FN(p, st->file), st->line, "virtual_server_group %s: "
		    "'%s': an entry is IP[-END|/MASK] [PORT]", g->name, st->kw);
	if (st->argc == 1 && parse_uint(p, st, st->argv[0], 0, 65535, &v) < 0)
		return -1;
	e.port = (uint16_t)v;
	snprintf(a, sizeof(a), "%s", st->kw);
	dash = strchr(a, '-');
	slash = strchr(a, '/');
	if (dash != NULL)
		*dash = '\0';
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, a, &e.addr) == 1)
		e.af = AF_INET;
	else if (inet_pton(AF_INET6, a, &e.addr) == 1)
		e.af = AF_INET6;
	else
		return perr(p, FN(p, st->file), st->line, "virtual_server_group %s: "
		    "'%s' is not an address or range", g->name, st->kw);
	e.end = e.addr;
	if (slash != NULL) {
		unsigned long m;
		char *x;
		unsigned bits = e.af == AF_INET ? 32 : 128;

		m = strtoul(slash + 1, &x, 10);
		if (*x || m == 0 || m > bits)
			return perr(p, FN(p, st->file), st->line, "virtual_server_group "
			    "%s: '%s': a bad prefix length", g->name, st->kw);
		for (unsigned b = (unsigned)m; b < bits; b++) {
			if (e.addr.b[b / 8] & (0x80 >> (b % 8)))
				return perr(p, FN(p, st->file), st->line,
				    "virtual_server_group %s: '%s': host bits "
				    "set", g->name, st->kw);
			e.end.b[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		}
	} else if (dash != NULL) {
		const char *r = dash + 1;
		union drlb_inaddr end;

		if ((e.af == AF_INET && strchr(r, '.')) ||
		    (e.af == AF_INET6 && strchr(r, ':'))) {
			if (inet_pton(e.af, r, &end) != 1)
				return perr(p, FN(p, st->file), st->line,
				    "virtual_server_group %s: '%s': a bad range "
				    "end", g->name, st->kw);
			e.end = end;
		} else {
			char *x;
			unsigned long last = strtoul(r, &x, e.af == AF_INET6 ?
			    16 : 10);

			if (*x || x == r || (e.af == AF_INET && last > 255) ||
			    last > 0xffff)
				return perr(p, FN(p, st->file), st->line,
				    "virtual_server_group %s: '%s': a bad range "
				    "end", g->name, st->kw);
			if (e.af == AF_INET)
				e.end.b[3] = (uint8_t)last;
			else {
				e.end.b[14] = (uint8_t)(last >> 8);
				e.end.b[15] = (uint8_t)last;
			}
		}
		if (memcmp(&e.end, &e.addr, drlb_addr_len(e.af)) < 0)
			return perr(p, FN(p, st->file), st->line, "virtual_server_group "
			    "%s: '%s': the range ends before it starts", g->name,
			    st->kw);
	}
	if ((ne = realloc(g->e, (g->n + 1) * sizeof(*ne))) == NULL)
		return perr(p, FN(p, st->file), st->line, "out of memory");
	g->e = ne;
	g->e[g->n++] = e;
	return 0;
}

static int
parse_vsg(struct parser *p, const struct stmt *hd)
{
	struct vsg *g;
	struct stmt st;
	int end;

	if (want_args(p, hd, 1, 1) < 0)
		return -1;
	for (uint32_t i = 0; i < p->nvsg; i++)
		if (strcmp(p->vsg[i].name, hd->argv[0]) == 0)
			return perr(p, FN(p, hd->file), hd->line, "virtual_server_group "
			    "%s: defined twice (first at %s:%d)", hd->argv[0],
			    p->k->files[p->vsg[i].file], p->vsg[i].line);
	if ((g = realloc(p->vsg, (p->nvsg + 1) * sizeof(*g))) == NULL)
		return perr(p, FN(p, hd->file), hd->line, "out of memory");
	p->vsg = g;
	g = &p->vsg[p->nvsg++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", hd->argv[0]);
	g->line = hd->line;
	g->file = hd->file;
	for (;;) {
		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (vsg_entry_parse(p, &st, g) < 0)
			return -1;
	}
	if (g->n == 0)
		pwarn(p, FN(p, hd->file), hd->line, "virtual_server_group %s has no "
		    "entries", g->name);
	return 0;
}

static void
addr_inc(uint16_t af, union drlb_inaddr *a)
{
	for (int i = (int)drlb_addr_len(af) - 1; i >= 0 && ++a->b[i] == 0; i--)
		;
}

/* the IPVS services of a group virtual server, one per address and port */
static int
vs_expand_group(struct parser *p, struct kaconf_vs *vs)
{
	struct vsg *g = NULL;
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->nvsg; i++)
		if (strcmp(p->vsg[i].name, vs->group) == 0)
			g = &p->vsg[i];
	if (g == NULL)
		return perr(p, vs->file, vs->line, "virtual_server group %s: no "
		    "virtual_server_group %s", vs->group, vs->group);
	for (uint32_t i = 0; i < g->n; i++) {
		struct vsg_entry *e = &g->e[i];
		union drlb_inaddr a = e->addr;

		if (vs->conf.af != 0 && e->af != vs->conf.af)
			return perr(p, FN(p, e->file), e->line, "virtual_server_group "
			    "%s: its entries and real servers are not all of "
			    "one address family (DR needs the same segment)",
			    g->name);
		vs->conf.af = e->af;
		for (;;) {
			struct drlb_svc_conf *s;

			if (n == GROUP_SVCS_MAX)
				return perr(p, FN(p, e->file), e->line,
				    "virtual_server_group %s: more than %d "
				    "services", g->name, GROUP_SVCS_MAX);
			if ((s = realloc(vs->svcs, (n + 1) * sizeof(*s))) ==
			    NULL)
				return perr(p, FN(p, e->file), e->line, "out of memory");
			vs->svcs = s;
			s[n] = vs->conf;
			s[n].addr = a;
			s[n].port = e->port;
			/* keepalived's ipvs_group_range_cmd() sets each
			 * group service's netmask to the whole address:
			 * persistence_granularity does not reach IPVS */
			s[n].netmask = e->af == AF_INET6 ? 128 : 0xffffffffu;
			n++;
			if (memcmp(&a, &e->end, drlb_addr_len(e->af)) == 0)
				break;
			addr_inc(e->af, &a);
		}
	}
	vs->nsvcs = n;
	if (n > 0)
		vs->conf = vs->svcs[0];
	return 0;
}

/* ---------------------------------------------------------------- top */

static int
parse_ssl(struct parser *p, const struct stmt *hd)
{
	struct kaconf_ssl *s = &p->k->ssl;
	struct stmt st;
	int end;

	if (want_args(p, hd, 0, 1) < 0)
		return -1;
	s->set = 1;
	for (;;) {
		char *dst;

		if (block_end(p, hd, &end) < 0)
			return -1;
		if (end)
			break;
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "password") == 0)
			dst = s->password;
		else if (strcmp(st.kw, "ca") == 0)
			dst = s->ca;
		else if (strcmp(st.kw, "certificate") == 0)
			dst = s->certificate;
		else if (strcmp(st.kw, "key") == 0)
			dst = s->key;
		else
			return unsupported(p, &st, "SSL");
		if (kw_str(p, &st, dst, KACONF_PATH_MAX) < 0)
			return -1;
		if (dst == s->ca)
			pwarn(p, FN(p, st.file), st.line, "ca: loaded, but as in "
			    "keepalived SSL_GET verifies no certificate");
	}
	return 0;
}

/* one virtual_server block, then what keepalived makes of it */
static int
top_vs(struct parser *p, const struct stmt *st, struct kaconf_vs ***tail)
{
	struct kaconf_vs *vs = calloc(1, sizeof(*vs));
	struct inherit vin;
	int has_proto = 0, has_kind = 0, has_sched = 0, port_given = 0;

	if (vs == NULL)
		return perr(p, FN(p, st->file), st->line, "out of memory");
	**tail = vs;
	*tail = &vs->next;
	inherit_init(&vin);
	p->nrd = 0;
	if (parse_vs(p, st, vs, &vin, &has_proto, &has_kind, &has_sched,
	    &port_given) < 0)
		return -1;
	if (!has_proto) {
		/* keepalived 2.2: "no protocol set - defaulting to UDP" */
		vs->conf.protocol = IPPROTO_UDP;
		pwarn(p, FN(p, st->file), st->line, "virtual_server without protocol: "
		    "UDP, as keepalived 2.2 defaults to");
	}
	if (!has_kind)
		pwarn(p, FN(p, st->file), st->line, "virtual_server without lb_kind: "
		    "keepalived would use NAT; drlbd forwards by DR");
	if (!has_sched)
		pwarn(p, FN(p, st->file), st->line, "virtual_server without lb_algo: "
		    "wlc, as keepalived defaults to");
	if ((vs->conf.flags & DRLB_SVC_F_ONEPACKET) &&
	    vs->conf.protocol != IPPROTO_UDP)
		return perr(p, FN(p, st->file), st->line, "ops: one-packet scheduling "
		    "is for UDP only (keepalived drops it)");
	if (vs->conf.netmask == UNSET)
		vs->conf.netmask = vs->conf.af == AF_INET6 ? 128 : 0xffffffffu;
	if (vs->group[0] == '\0' && vs->conf.port == 0 &&
	    !(vs->conf.flags & DRLB_SVC_F_PERSISTENT)) {
		pwarn(p, FN(p, st->file), st->line, "port 0 is for persistent services "
		    "only: persistence_timeout %d, as keepalived sets it",
		    DRLB_PERSIST_DEFAULT);
		vs->conf.flags |= DRLB_SVC_F_PERSISTENT;
		vs->conf.timeout = DRLB_PERSIST_DEFAULT;
	}
	return vs_resolve(p, st, vs, &vin, port_given);
}

static int
parse_top(struct parser *p)
{
	struct kaconf_vs **tail = &p->k->vs;
	struct stmt st;

	while (p->i < p->n) {
		if (is_brace(&p->t[p->i], '}'))
			return perr(p, FN(p, p->t[p->i].file), p->t[p->i].line,
			    "'}' without a block");
		if (next_stmt(p, &st) < 0)
			return -1;
		if (strcmp(st.kw, "virtual_server") == 0) {
			if (top_vs(p, &st, &tail) < 0)
				return -1;
		} else if (strcmp(st.kw, "virtual_server_group") == 0) {
			if (parse_vsg(p, &st) < 0)
				return -1;
		} else if (strcmp(st.kw, "SSL") == 0) {
			if (parse_ssl(p, &st) < 0)
				return -1;
		} else if (strcmp(st.kw, "global_defs") == 0 ||
		    strncmp(st.kw, "vrrp_", 5) == 0) {
			/* VRRP (and keepalived's globals) is keepalived's job */
			struct kaconf *k = p->k;

			if (!st.block)
				return perr(p, FN(p, st.file), st.line, "%s: '{' expected",
				    st.kw);
			if (k->nskipped < KACONF_SKIPPED_MAX) {
				snprintf(k->skipped[k->nskipped].name,
				    sizeof(k->skipped[0].name), "%s", st.kw);
				k->skipped[k->nskipped].line = st.line;
				k->skipped[k->nskipped].file = k->files[st.file];
			}
			k->nskipped++;
			if (skip_block(p, &st) < 0)
				return -1;
		} else
			return perr(p, FN(p, st.file), st.line, "unsupported keyword "
			    "'%s' (drlbd reads virtual_server blocks; global_defs "
			    "and vrrp_* are skipped)", st.kw);
	}
	return 0;
}

/* after the whole text: groups, services, empty virtual servers */
static int
finish(struct parser *p)
{
	struct kaconf_vs **pp = &p->k->vs;

	while (*pp != NULL) {
		struct kaconf_vs *vs = *pp;

		if (vs->group[0] != '\0') {
			if (vs_expand_group(p, vs) < 0) {
				/* name the virtual server's own file */
				return -1;
			}
		} else {
			if ((vs->svcs = malloc(sizeof(*vs->svcs))) == NULL)
				return perr(p, vs->file, vs->line, "out of memory");
			vs->svcs[0] = vs->conf;
			vs->nsvcs = 1;
		}
		if (vs->rs == NULL || vs->nsvcs == 0) {
			/* keepalived: "has no real servers - ignoring" */
			pwarn(p, vs->file, vs->line, "virtual_server %s: skipped, as "
			    "keepalived skips it", vs->rs == NULL ?
			    "without real servers" : "of an empty group");
			*pp = vs->next;
			vs_free(vs);
			continue;
		}
		pp = &vs->next;
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
	for (uint32_t i = 0; i < k->nwarn && i < WARN_MAX; i++)
		free(k->warn[i]);
	free(k->warn);
	for (uint32_t i = 0; i < k->nfiles; i++)
		free(k->files[i]);
	free(k->files);
	memset(k, 0, sizeof(*k));
}

static int
parse(struct parser *p, const char *text, size_t len)
{
	int rc, f;

	if (text == NULL)
		rc = read_file(p, p->name, 0, 0);
	else if ((f = add_file(p, p->name)) < 0) {
		snprintf(p->err, p->errlen, "%s: out of memory", p->name);
		rc = -1;
	} else
		rc = read_text(p, f, text, len);
	if (rc == 0)
		rc = parse_top(p);
	if (rc == 0)
		rc = finish(p);
	for (size_t i = 0; i < p->n; i++)
		free(p->t[i].s);
	free(p->t);
	for (uint32_t i = 0; i < p->nvsg; i++)
		free(p->vsg[i].e);
	free(p->vsg);
	free(p->rd);
	return rc;
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
	if ((rc = parse(&p, text, len)) != 0)
		kaconf_free(k);
	return rc;
}

int
kaconf_parse_file(const char *file, struct kaconf *k, char *err, size_t errlen)
{
	struct parser p = { .name = file, .err = err, .errlen = errlen, .k = k };
	int rc;

	memset(k, 0, sizeof(*k));
	if (errlen > 0)
		err[0] = '\0';
	if ((rc = parse(&p, NULL, 0)) != 0)
		kaconf_free(k);
	return rc;
}

/*
 * What keepalived hands IPVS at start (ipwrapper.c's init_services()):
 * real servers up, except alpha ones (weight 0 with inhibit_on_failure,
 * else left out); when their total weight is below the quorum and there is
 * a sorry server, the sorry server alone (inhibited real servers at weight
 * 0); a sorry_server_inhibit one listed at weight 0 otherwise.
 */
int
kaconf_to_table(const struct kaconf *k, const char *name, struct svc_table *t,
    char *err, size_t errlen)
{
	char why[DRLB_CTL_ERRMSG_MAX];
	struct drlb_ctl_req r;

	(void)name;
	for (const struct kaconf_vs *vs = k->vs; vs != NULL; vs = vs->next) {
		uint64_t live = 0;
		int sorry;

		for (const struct kaconf_rs *rs = vs->rs; rs; rs = rs->next)
			if (!rs->alpha)
				live += (uint64_t)rs->weight;
		sorry = vs->has_sorry && (live == 0 || live < vs->quorum);
		for (uint32_t i = 0; i < vs->nsvcs; i++) {
			memset(&r, 0, sizeof(r));
			r.svc = vs->svcs[i];
			if (svc_apply(t, DRLB_CTL_ADD_SVC, &r, why,
			    sizeof(why)) != 0) {
				snprintf(err, errlen, "%s:%d: virtual_server: %s",
				    vs->file, vs->line, why[0] ? why : "invalid");
				return -1;
			}
			r.dest.port = vs->svcs[i].port;	/* DR */
			r.dest.conn_flags = DRLB_FWD_DROUTE;
			for (const struct kaconf_rs *rs = vs->rs; rs;
			    rs = rs->next) {
				int in = !rs->alpha && !sorry;

				if (!in && !rs->inhibit)
					continue;
				r.dest.af = rs->af;
				r.dest.addr = rs->addr;
				r.dest.weight = in ? rs->weight : 0;
				r.dest.u_threshold = rs->u_threshold;
				r.dest.l_threshold = rs->l_threshold;
				if (svc_apply(t, DRLB_CTL_ADD_DEST, &r, why,
				    sizeof(why)) != 0) {
					snprintf(err, errlen, "%s:%d: real_server: "
					    "%s", rs->file, rs->line, why[0] ?
					    why : "invalid");
					return -1;
				}
			}
			if (vs->has_sorry && (sorry || vs->sorry_inhibit)) {
				r.dest.af = vs->sorry.af;
				r.dest.addr = vs->sorry.addr;
				r.dest.weight = sorry ? vs->sorry.weight : 0;
				r.dest.u_threshold = r.dest.l_threshold = 0;
				if (svc_apply(t, DRLB_CTL_ADD_DEST, &r, why,
				    sizeof(why)) != 0) {
					snprintf(err, errlen, "%s:%d: sorry_server: "
					    "%s", vs->sorry.file, vs->sorry.line,
					    why[0] ? why : "invalid");
					return -1;
				}
			}
		}
	}
	return 0;
}
