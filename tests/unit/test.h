/* tests/unit/test.h - a minimal unit-test harness.
 *
 * Each test binary defines tests with TEST(name) { ... }, lists them in main via
 * RUN(name), and ends with TEST_SUMMARY().  A failed EXPECT marks the test failed
 * and goes on; tests/run.sh adds up the "ok"/"FAIL" lines of every binary.
 */
#ifndef SS_TEST_H
#define SS_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failed_current;
static int tests_passed, tests_failed;

#define TEST(name) static void name(void)

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("  %s:%d: expected %s\n", __FILE__, __LINE__, #cond);               \
			test_failed_current = 1;                                                   \
		}                                                                                  \
	} while (0)

#define EXPECT_EQ(a, b)                                                                            \
	do {                                                                                       \
		long long ta__ = (long long)(a), tb__ = (long long)(b);                            \
		if (ta__ != tb__) {                                                                \
			printf("  %s:%d: expected %s == %s (%lld vs %lld)\n", __FILE__, __LINE__,  \
			       #a, #b, ta__, tb__);                                                \
			test_failed_current = 1;                                                   \
		}                                                                                  \
	} while (0)

#define RUN(name)                                                                                  \
	do {                                                                                       \
		test_failed_current = 0;                                                           \
		name();                                                                            \
		if (test_failed_current) {                                                         \
			tests_failed++;                                                            \
			printf("FAIL %s\n", #name);                                                \
		} else {                                                                           \
			tests_passed++;                                                            \
			printf("ok %s\n", #name);                                                  \
		}                                                                                  \
		fflush(stdout);                                                                    \
	} while (0)

#define TEST_SUMMARY()                                                                             \
	do {                                                                                       \
		printf("# %d passed, %d failed\n", tests_passed, tests_failed);                    \
		return tests_failed ? 1 : 0;                                                       \
	} while (0)

#endif /* SS_TEST_H */
