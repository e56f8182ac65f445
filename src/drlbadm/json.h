/*
 * A small JSON writer for drlbadm's --json listings (docs/json.md).  No
 * library: objects, arrays, strings, unsigned integers and booleans are all
 * the listings need.
 *
 * The layout is fixed so that golden files can be compared byte for byte:
 * two-space indentation, "key": value, one member per line, and empty
 * containers as [] / {} -- the same text Python's json.dumps(obj, indent=2)
 * writes.  Strings are escaped as json.dumps does with ensure_ascii: '"',
 * '\\' and control characters escaped, every non-ASCII character written as
 * \uXXXX (surrogate pairs above U+FFFF), so the output is plain ASCII even
 * when a name is not; bytes that are not valid UTF-8 become U+FFFD.
 */
#ifndef DRLBADM_JSON_H
#define DRLBADM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

struct json {
	FILE *f;
	int depth;
	bool has_members[JSON_DEPTH_MAX];	/* per open container */
	bool pending_key;			/* a key was written, no value yet */
};

void json_init(struct json *j, FILE *f);
/* key is NULL inside arrays and for the top-level value */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *s);
/* at most n bytes of s (fixed-size, possibly unterminated name fields) */
void json_string_n(struct json *j, const char *key, const char *s, size_t n);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
/* ends the document with a newline */
void json_finish(struct json *j);

/* the escaped, quoted form of s[0..n) alone (for tests) */
void json_write_string(FILE *f, const char *s, size_t n);

#endif
