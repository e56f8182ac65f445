/*
 * Tiny test helpers (libuv's ASSERT_EQ shape): each expectation prints
 * "ok - what" or "not ok - what" with both operands; tests/run.sh counts
 * them.  A test's main() ends with `return EXPECT_DONE();`.
 */
#ifndef DRLB_TEST_EXPECT_H
#define DRLB_TEST_EXPECT_H

#include <stdio.h>
#include <string.h>

static int expect_fails, expect_count;

#define EXPECT_EQ(a, b, what) do {					\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	expect_count++;							\
	if (a_ == b_)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s == %lld, expected %s == %lld "	\
		    "(%s:%d)\n", what, #a, a_, #b, b_, __FILE__, __LINE__); \
		expect_fails++;						\
	}								\
} while (0)

#define EXPECT_STR(a, b, what) do {					\
	const char *a_ = (a), *b_ = (b);				\
	expect_count++;							\
	if (a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0)		\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s == \"%s\", expected \"%s\" "	\
		    "(%s:%d)\n", what, #a, a_ ? a_ : "(null)",		\
		    b_ ? b_ : "(null)", __FILE__, __LINE__);		\
		expect_fails++;						\
	}								\
} while (0)

#define EXPECT(cond, what) do {						\
	expect_count++;							\
	if (cond)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s is false (%s:%d)\n", what,	\
		    #cond, __FILE__, __LINE__);				\
		expect_fails++;						\
	}								\
} while (0)

#define EXPECT_MEM(a, b, n, what) EXPECT(memcmp((a), (b), (n)) == 0, what)

#define EXPECT_DONE()							\
	(printf("# %d checks, %d failed\n", expect_count, expect_fails),	\
	 expect_fails ? 1 : 0)

#endif
