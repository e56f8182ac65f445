/*
 * Tiny test helpers (libuv's ASSERT_EQ shape): each check prints
 * "ok - what" or "not ok - what" with both operands; tests/run.sh counts them.
 */
#ifndef DRLB_TEST_CHECK_H
#define DRLB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed;

#define CHECK_EQ(a, b, what) do {					\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ == b_)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s = %lld, expected %s = %lld"	\
		    " (%s:%d)\n", what, #a, a_, #b, b_, __FILE__,	\
		    __LINE__);						\
		check_failed = 1;					\
	}								\
} while (0)

#define CHECK(cond, what) do {						\
	if (cond)							\
		printf("ok - %s\n", what);				\
	else {								\
		printf("not ok - %s: %s is false (%s:%d)\n", what,	\
		    #cond, __FILE__, __LINE__);				\
		check_failed = 1;					\
	}								\
} while (0)

#define CHECK_MEM(a, b, n, what) CHECK(memcmp((a), (b), (n)) == 0, what)

#define CHECK_DONE() (check_failed ? 1 : 0)

#endif
