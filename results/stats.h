/* results/stats.h - the statistics behind `bench` and `compare`: order statistics
 * of a handful of repeated throughput measurements, and the Mann-Whitney U test
 * that decides whether two such sets differ by more than their noise.
 *
 * Repeats are few (3..20) and not normal (machine drift, vCPU placement), so
 * everything here is rank based: median instead of mean, MAD and IQR instead of
 * standard deviation, a rank-sum test instead of a t-test.
 */
#ifndef SS_RES_STATS_H
#define SS_RES_STATS_H

#include <stddef.h>

struct ss_summary {
	size_t n;
	double min, max;
	double median;
	double q1, q3; /* quartiles, linear interpolation between order statistics */
	double mad;    /* median absolute deviation from the median (unscaled) */
};

/* Median of n values (n > 0); x is not modified.  0 when n == 0. */
double ss_median(const double *x, size_t n);
/* Quantile q in [0,1] by linear interpolation (type 7, as R and numpy default). */
double ss_quantile(const double *x, size_t n, double q);
/* Fills *s; with n == 0 every field is 0. */
void ss_summarize(const double *x, size_t n, struct ss_summary *s);

struct ss_mwu {
	double u;     /* U of the first sample: pairs (a_i, b_j) with a_i > b_j, ties 1/2 */
	double p;     /* two-sided p-value */
	double z;     /* normal score (0 when exact) */
	int exact;    /* 1: exact permutation distribution (ties handled), 0: normal approx */
	double p_min; /* the smallest p these sample sizes can give (exact; 0 if unknown) */
};

/* Two-sided Mann-Whitney U test of a[0..na) against b[0..nb).
 * Exact (complete enumeration of the conditional permutation distribution over the
 * pooled mid-ranks, so ties are handled exactly) when C(na+nb, na) <= 500000;
 * otherwise the normal approximation with tie correction and continuity
 * correction.  Identical samples give p = 1.  Returns -1 when na or nb is 0 or
 * larger than 4096, else 0. */
int ss_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct ss_mwu *out);

#endif /* SS_RES_STATS_H */
