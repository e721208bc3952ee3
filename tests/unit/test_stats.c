/* tests/unit/test_stats.c - median, spread and the Mann-Whitney U test on data with
 * known answers (exact tables, R's wilcox.test / coin::wilcox_test). */
#include <math.h>

#include "results/stats.h"
#include "tests/unit/test.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

TEST(test_median_odd_even_and_unsorted)
{
	double odd[] = {5, 1, 3};
	double even[] = {4, 1, 3, 2};
	EXPECT(ss_median(odd, 3) == 3);
	EXPECT(ss_median(even, 4) == 2.5);
	EXPECT(odd[0] == 5); /* input left alone */
	double one[] = {7};
	EXPECT(ss_median(one, 1) == 7);
	EXPECT(ss_median(one, 0) == 0);
}

TEST(test_summary_spread)
{
	double x[] = {10, 12, 11, 50, 9};
	struct ss_summary s;
	ss_summarize(x, 5, &s);
	EXPECT_EQ(s.n, 5);
	EXPECT(s.min == 9 && s.max == 50);
	EXPECT(s.median == 11);
	EXPECT(s.q1 == 10 && s.q3 == 12);
	/* |x - 11| = 1 1 0 39 2 -> median 1: one outlier does not move the MAD */
	EXPECT(s.mad == 1);
}

TEST(test_mwu_identical_samples_p_is_one)
{
	double a[] = {5, 5, 5, 5, 5};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 5, a, 5, &m), 0);
	EXPECT(m.exact);
	EXPECT(NEAR(m.p, 1, 1e-12));
	EXPECT(NEAR(m.u, 12.5, 1e-12));
	double b[] = {1, 2, 3, 4, 5};
	EXPECT_EQ(ss_mann_whitney(b, 5, b, 5, &m), 0);
	EXPECT(NEAR(m.p, 1, 1e-12));
}

TEST(test_mwu_fully_separated_5_vs_5_exact)
{
	double lo[] = {1, 2, 3, 4, 5}, hi[] = {6, 7, 8, 9, 10};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(lo, 5, hi, 5, &m), 0);
	EXPECT(m.exact);
	EXPECT(m.u == 0);
	EXPECT(NEAR(m.p, 2.0 / 252, 1e-12)); /* 0.0079 */
	EXPECT(NEAR(m.p_min, 2.0 / 252, 1e-12));
	EXPECT_EQ(ss_mann_whitney(hi, 5, lo, 5, &m), 0);
	EXPECT(m.u == 25);
	EXPECT(NEAR(m.p, 2.0 / 252, 1e-12));
}

TEST(test_mwu_known_exact_value)
{
	/* R: wilcox.test(c(1.1,2.2,3.3,4.4), c(2.5,3.6,5.7,6.8,7.9))
	 *    W = 3, p-value = 0.1111 (exact: 14/126) */
	double a[] = {1.1, 2.2, 3.3, 4.4}, b[] = {2.5, 3.6, 5.7, 6.8, 7.9};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 4, b, 5, &m), 0);
	EXPECT(m.u == 3);
	EXPECT(NEAR(m.p, 14.0 / 126, 1e-12));
}

TEST(test_mwu_small_samples_cannot_be_significant)
{
	double a[] = {1, 2}, b[] = {3, 4};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 2, b, 2, &m), 0);
	EXPECT(NEAR(m.p, 2.0 / 6, 1e-12));
	EXPECT(NEAR(m.p_min, 1.0 / 3, 1e-12));
}

TEST(test_mwu_ties_exact_conditional)
{
	/* Pooled 1 1 2 2 | 2 3 3: mid-ranks 1.5 1.5 4 4 | 4 6.5 6.5, U(a) = 1, rank sum
	 * 11 against a mean of 16.  Of the C(7,4) = 35 ways to split the mid-ranks,
	 * 6 give a rank sum at least 5 from the mean (enumerated independently in
	 * Python), so the exact conditional p is 6/35. */
	double a[] = {1, 1, 2, 2}, b[] = {2, 3, 3};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 4, b, 3, &m), 0);
	EXPECT(m.exact);
	EXPECT(m.u == 1);
	EXPECT(NEAR(m.p, 6.0 / 35, 1e-12));
	/* Symmetric: swapping the samples gives the same p. */
	struct ss_mwu r;
	EXPECT_EQ(ss_mann_whitney(b, 3, a, 4, &r), 0);
	EXPECT(NEAR(r.p, m.p, 1e-12));
	EXPECT(r.u == 12 - 1);
}

TEST(test_mwu_normal_approximation_with_ties)
{
	/* 14 vs 14 gives C(28,14) = 40M splits: the normal approximation is used. */
	double a[14], b[14];
	for (int i = 0; i < 14; i++) {
		a[i] = 100 + i % 3;	/* heavy ties */
		b[i] = 100 + i % 3 + 5; /* shifted, separated */
	}
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 14, b, 14, &m), 0);
	EXPECT(!m.exact);
	EXPECT(m.u == 0);
	EXPECT(m.p < 1e-4);
	EXPECT(m.z < 0);
	double same[14];
	for (int i = 0; i < 14; i++)
		same[i] = 3;
	EXPECT_EQ(ss_mann_whitney(same, 14, same, 14, &m), 0);
	EXPECT(NEAR(m.p, 1, 1e-12)); /* zero variance after tie correction */
}

TEST(test_mwu_rejects_empty)
{
	double a[] = {1};
	struct ss_mwu m;
	EXPECT_EQ(ss_mann_whitney(a, 0, a, 1, &m), -1);
	EXPECT_EQ(ss_mann_whitney(a, 1, a, 0, &m), -1);
}

int main(void)
{
	RUN(test_median_odd_even_and_unsorted);
	RUN(test_summary_spread);
	RUN(test_mwu_identical_samples_p_is_one);
	RUN(test_mwu_fully_separated_5_vs_5_exact);
	RUN(test_mwu_known_exact_value);
	RUN(test_mwu_small_samples_cannot_be_significant);
	RUN(test_mwu_ties_exact_conditional);
	RUN(test_mwu_normal_approximation_with_ties);
	RUN(test_mwu_rejects_empty);
	TEST_SUMMARY();
}
