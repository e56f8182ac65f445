/*
 * drlbadm's JSON writer (json.h).  Layout and escaping follow Python's
 * json.dumps(obj, indent=2), so tests/golden/derive.py can write the golden
 * files with the standard library instead of with this code.
 */
#include <string.h>

#include "json.h"

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void
indent(struct json *j)
{
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* the separator and indentation before a member, then its key */
static void
member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		fputs(j->has_members[j->depth - 1] ? ",\n" : "\n", j->f);
		j->has_members[j->depth - 1] = true;
		indent(j);
	}
	if (key != NULL) {
		json_write_string(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
}

static void
begin(struct json *j, const char *key, char open)
{
	member(j, key);
	fputc(open, j->f);
	if (j->depth < JSON_DEPTH_MAX) {
		j->has_members[j->depth] = false;
		j->depth++;
	}
}

static void
end(struct json *j, char close)
{
	if (j->depth == 0)
		return;
	j->depth--;
	if (j->has_members[j->depth]) {
		fputc('\n', j->f);
		indent(j);
	}
	fputc(close, j->f);
}

void
json_begin_object(struct json *j, const char *key)
{
	begin(j, key, '{');
}

void
json_end_object(struct json *j)
{
	end(j, '}');
}

void
json_begin_array(struct json *j, const char *key)
{
	begin(j, key, '[');
}

void
json_end_array(struct json *j)
{
	end(j, ']');
}

/*
 * The code point of the UTF-8 sequence at s (at most n bytes), its length
 * in *len; U+FFFD for one byte when the sequence is invalid (overlong,
 * surrogate, above U+10FFFF, cut short).
 */
static uint32_t
utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp;
	size_t need;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0xfffd;
	}
	if (need > n)
		return 0xfffd;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0xfffd;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0xfffd;
	*len = need;
	return cp;
}

void
json_write_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;

	fputc('"', f);
	while (i < n && s[i] != '\0') {
		uint32_t cp = utf8_decode(s + i, n - i, &len);

		i += len;
		switch (cp) {
		case '"':	fputs("\\\"", f); continue;
		case '\\':	fputs("\\\\", f); continue;
		case '\b':	fputs("\\b", f); continue;
		case '\f':	fputs("\\f", f); continue;
		case '\n':	fputs("\\n", f); continue;
		case '\r':	fputs("\\r", f); continue;
		case '\t':	fputs("\\t", f); continue;
		default:	break;
		}
		if (cp < 0x20 || cp > 0x7e) {	/* json.dumps: all but ' '..'~' */
			if (cp >= 0x10000) {
				cp -= 0x10000;
				fprintf(f, "\\u%04x\\u%04x",
				    (unsigned)(0xd800 + (cp >> 10)),
				    (unsigned)(0xdc00 + (cp & 0x3ff)));
			} else {
				fprintf(f, "\\u%04x", (unsigned)cp);
			}
		} else {
			fputc((int)cp, f);
		}
	}
	fputc('"', f);
}

void
json_string_n(struct json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	json_write_string(j->f, s, n);
}

void
json_string(struct json *j, const char *key, const char *s)
{
	json_string_n(j, key, s, strlen(s));
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void
json_finish(struct json *j)
{
	fputc('\n', j->f);
}
