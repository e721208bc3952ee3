/* tests/unit/test_rel.c - the bit-matrix relation algebra (model/rel.h)
 * against a plain boolean-matrix reference, on random relations of sizes on
 * both sides of the one-word rows (n <= 64) and up to REL_MAX_BIG events. */
#include <stdlib.h>

#include "model/rel.h"
#include "tests/unit/test.h"

static bool A[REL_MAX_BIG][REL_MAX_BIG], B[REL_MAX_BIG][REL_MAX_BIG], O[REL_MAX_BIG][REL_MAX_BIG];
static struct rel ra, rb, ro;
static const int sizes[] = {1, 7, 63, 64, 65, 130, 200, REL_MAX_BIG};
#define NSIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

/* A random relation with about one edge in `sparse` pairs, in both forms. */
static void random_rel(int n, bool m[REL_MAX_BIG][REL_MAX_BIG], struct rel *r, unsigned sparse)
{
	rel_zero(n, r);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			m[i][j] = rnd() % sparse == 0;
			if (m[i][j])
				rel_add(r, i, j);
		}
}

static set_t random_set(int n, bool *s)
{
	set_t t = set_none();
	for (int i = 0; i < n; i++)
		if ((s[i] = rnd() % 3 == 0))
			set_add(&t, i);
	return t;
}

static bool same(int n, bool m[REL_MAX_BIG][REL_MAX_BIG], const struct rel *r)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (m[i][j] != rel_has(r, i, j))
				return false;
	/* nothing outside [0, n) x [0, n) in the rows in use */
	for (int i = 0; i < n; i++)
		for (int j = n; j < rel_words(n) * 64; j++)
			if (rel_has(r, i, j))
				return false;
	return true;
}

static void ref_seq(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			O[i][j] = false;
			for (int k = 0; k < n && !O[i][j]; k++)
				O[i][j] = A[i][k] && B[k][j];
		}
}

static void ref_plus(int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			O[i][j] = A[i][j];
	for (int k = 0; k < n; k++)
		for (int i = 0; i < n; i++)
			if (O[i][k])
				for (int j = 0; j < n; j++)
					O[i][j] |= O[k][j];
}

TEST(test_elementwise_and_sets_match_the_reference)
{
	for (int z = 0; z < NSIZES; z++) {
		int n = sizes[z];
		bool s[REL_MAX_BIG], t[REL_MAX_BIG];
		random_rel(n, A, &ra, 3);
		random_rel(n, B, &rb, 3);
		set_t S = random_set(n, s), T = random_set(n, t);
		rel_union(n, &ra, &rb, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = A[i][j] || B[i][j];
		EXPECT(same(n, O, &ro));
		rel_minus(n, &ra, &rb, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = A[i][j] && !B[i][j];
		EXPECT(same(n, O, &ro));
		rel_restrict(n, S, &ra, T, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = s[i] && A[i][j] && t[j];
		EXPECT(same(n, O, &ro));
		rel_cross(n, S, T, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = s[i] && t[j];
		EXPECT(same(n, O, &ro));
		rel_id(n, S, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = i == j && s[i];
		EXPECT(same(n, O, &ro));
		set_t all = set_all(n), st = set_minus(set_or(S, T), set_and(S, T));
		for (int i = 0; i < REL_MAX_BIG; i++) {
			EXPECT(set_has(all, i) == (i < n));
			if (i < n)
				EXPECT(set_has(st, i) == (s[i] != t[i]));
		}
		rel_copy(n, &ra, &ro);
		EXPECT(rel_equal(n, &ra, &ro) && same(n, A, &ro));
		EXPECT(rel_empty(n, &ra) == set_empty(rel_domain(n, &ra)));
	}
}

TEST(test_seq_inv_and_closures_match_the_reference)
{
	for (int z = 0; z < NSIZES; z++) {
		int n = sizes[z];
		random_rel(n, A, &ra, (unsigned)n + 1);
		random_rel(n, B, &rb, (unsigned)n + 1);
		rel_seq(n, &ra, &rb, &ro);
		ref_seq(n);
		EXPECT(same(n, O, &ro));
		rel_seq(n, &ra, &rb, &ra); /* output aliasing an input */
		EXPECT(same(n, O, &ra));
		random_rel(n, A, &ra, (unsigned)n + 1);
		rel_inv(n, &ra, &ro);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				O[i][j] = A[j][i];
		EXPECT(same(n, O, &ro));
		rel_plus(n, &ra, &ro);
		ref_plus(n);
		EXPECT(same(n, O, &ro));
		bool cyclic = false;
		for (int i = 0; i < n; i++)
			cyclic |= O[i][i];
		EXPECT(rel_acyclic(n, &ra) == !cyclic);
		rel_star(n, &ra, &ro);
		for (int i = 0; i < n; i++)
			O[i][i] = true;
		EXPECT(same(n, O, &ro));
	}
}

/* A chain 0 -> 1 -> ... -> n-1 crosses every word boundary; closing it adds
 * the back edge's cycle. */
TEST(test_chain_across_words)
{
	int n = REL_MAX_BIG;
	rel_zero(n, &ra);
	for (int i = 0; i + 1 < n; i++)
		rel_add(&ra, i, i + 1);
	EXPECT(rel_acyclic(n, &ra));
	rel_plus(n, &ra, &ro);
	EXPECT(rel_has(&ro, 0, n - 1) && rel_has(&ro, 63, 64) && rel_has(&ro, 64, 511));
	EXPECT(!rel_has(&ro, 64, 63));
	rel_add(&ra, n - 1, 0);
	EXPECT(!rel_acyclic(n, &ra));
	rel_del(&ra, n - 1, 0);
	EXPECT(rel_acyclic(n, &ra));
}

int main(void)
{
	RUN(test_elementwise_and_sets_match_the_reference);
	RUN(test_seq_inv_and_closures_match_the_reference);
	RUN(test_chain_across_words);
	TEST_SUMMARY();
}
