/*
 * Tiny test helpers (libuv's ASSERT_EQ shape): each check prints
 * "ok - what" or "not ok - what" with both operands; tests/run.sh counts
 * them.  A test's main() ends with `return CHECK_DONE();`.
 */
#ifndef DRLB_TEST_CHECK_H
#define DRLB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_fails, check_count;

#define CHECK_EQ(a, b, what) do {					\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	check_count++;							\
	if (a_ == b_)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s == %lld, expected %s == %lld "	\
		    "(%s:%d)\n", what, #a, a_, #b, b_, __FILE__, __LINE__); \
		check_fails++;						\
	}								\
} while (0)

#define CHECK_STR(a, b, what) do {					\
	const char *a_ = (a), *b_ = (b);				\
	check_count++;							\
	if (a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0)		\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s == \"%s\", expected \"%s\" "	\
		    "(%s:%d)\n", what, #a, a_ ? a_ : "(null)",		\
		    b_ ? b_ : "(null)", __FILE__, __LINE__);		\
		check_fails++;						\
	}								\
} while (0)

#define CHECK(cond, what) do {						\
	check_count++;							\
	if (cond)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s is false (%s:%d)\n", what,	\
		    #cond, __FILE__, __LINE__);				\
		check_fails++;						\
	}								\
} while (0)

#define CHECK_MEM(a, b, n, what) CHECK(memcmp((a), (b), (n)) == 0, what)

#define CHECK_DONE()							\
	(printf("# %d checks, %d failed\n", check_count, check_fails),	\
	 check_fails ? 1 : 0)

#endif
