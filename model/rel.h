/* model/rel.h - relation algebra on bit matrices, the vocabulary of a cat
 * file.  A relation over at most REL_MAX_BIG events is a bit matrix (bit j of
 * row i: i -> j); a set of events is a bit vector (set_t, used only through
 * the set_* functions below).  Every operation takes n, the number of events
 * in use, and touches rows [0, n) and columns [0, n) only.
 *
 * Layout: row i is rel_words(n) 64-bit words, word w (columns 64w .. 64w+63)
 * stored at r[w * REL_MAX_BIG + i] ("word planes").  For n <= REL_MAX (64) the
 * rows are r[0 .. n), one word each, so a litmus candidate costs what it did
 * before the matrices grew; the planes beyond the first are only touched when
 * n > 64.  Temporaries of the bigger matrices are variable-length arrays
 * sized by n.
 *
 *   cat            here
 *   r1 ; r2        rel_seq          r1 | r2   rel_union     r1 & r2  rel_inter
 *   r1 \ r2        rel_minus        r^-1      rel_inv       [S]      rel_id
 *   r+  r*  r?     rel_plus, rel_star, rel_opt              S * T    rel_cross
 *   [S] ; r        rel_dom          r ; [S]   rel_rng
 *   acyclic r      rel_acyclic      irreflexive r  rel_irreflexive   empty r  rel_empty
 *
 * Outputs may alias inputs for the element-wise operations; rel_seq, rel_inv and
 * the closures work on a copy, so they may alias too.
 */
#ifndef SS_MODEL_REL_H
#define SS_MODEL_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Only rows [0, n) of the word planes in use are ever written or read, which
 * gcc's -Wmaybe-uninitialized cannot follow through the planes (false alarms
 * at -O2 on every relation temporary): off in the files that include this. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define REL_MAX	    64	/* events of one litmus candidate (one word per row) */
#define REL_MAX_BIG 512 /* events of any execution graph */
#define REL_WORDS   (REL_MAX_BIG / 64)

/* A set of events: bit i of w[i / 64]. */
typedef struct {
	uint64_t w[REL_WORDS];
} set_t;

struct rel {
	uint64_t r[REL_WORDS * REL_MAX_BIG];
};

/* Words per row for n events. */
static inline int rel_words(int n)
{
	return (n + 63) >> 6;
}

/* Word w of row i. */
static inline uint64_t *rel_word(struct rel *a, int i, int w)
{
	return &a->r[(size_t)w * REL_MAX_BIG + (size_t)i];
}

static inline uint64_t rel_word_of(const struct rel *a, int i, int w)
{
	return a->r[(size_t)w * REL_MAX_BIG + (size_t)i];
}

/* ---- sets ------------------------------------------------------------------------- */

static inline set_t set_none(void)
{
	set_t s;
	memset(&s, 0, sizeof(s));
	return s;
}

static inline set_t set_all(int n)
{
	set_t s = set_none();
	int full = n >> 6;
	for (int w = 0; w < full; w++)
		s.w[w] = ~0ull;
	if (n & 63)
		s.w[full] = (1ull << (n & 63)) - 1;
	return s;
}

static inline bool set_has(set_t s, int i)
{
	return s.w[i >> 6] >> (i & 63) & 1;
}

static inline void set_add(set_t *s, int i)
{
	s->w[i >> 6] |= 1ull << (i & 63);
}

static inline set_t set_or(set_t a, set_t b)
{
	for (int w = 0; w < REL_WORDS; w++)
		a.w[w] |= b.w[w];
	return a;
}

static inline set_t set_and(set_t a, set_t b)
{
	for (int w = 0; w < REL_WORDS; w++)
		a.w[w] &= b.w[w];
	return a;
}

/* a \ b */
static inline set_t set_minus(set_t a, set_t b)
{
	for (int w = 0; w < REL_WORDS; w++)
		a.w[w] &= ~b.w[w];
	return a;
}

static inline bool set_empty(set_t s)
{
	uint64_t acc = 0;
	for (int w = 0; w < REL_WORDS; w++)
		acc |= s.w[w];
	return !acc;
}

/* ---- relations ---------------------------------------------------------------------- */

static inline bool rel_has(const struct rel *a, int i, int j)
{
	return rel_word_of(a, i, j >> 6) >> (j & 63) & 1;
}

static inline void rel_add(struct rel *a, int i, int j)
{
	*rel_word(a, i, j >> 6) |= 1ull << (j & 63);
}

static inline void rel_del(struct rel *a, int i, int j)
{
	*rel_word(a, i, j >> 6) &= ~(1ull << (j & 63));
}

static inline void rel_zero(int n, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		memset(rel_word(o, 0, w), 0, (size_t)n * sizeof(o->r[0]));
}

static inline void rel_copy(int n, const struct rel *a, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		memmove(rel_word(o, 0, w), &a->r[(size_t)w * REL_MAX_BIG],
			(size_t)n * sizeof(o->r[0]));
}

static inline bool rel_equal(int n, const struct rel *a, const struct rel *b)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		if (memcmp(&a->r[(size_t)w * REL_MAX_BIG], &b->r[(size_t)w * REL_MAX_BIG],
			   (size_t)n * sizeof(a->r[0])))
			return false;
	return true;
}

static inline void rel_union(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (size_t i = (size_t)w * REL_MAX_BIG, e = i + (size_t)n; i < e; i++)
			o->r[i] = a->r[i] | b->r[i];
}

static inline void rel_inter(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (size_t i = (size_t)w * REL_MAX_BIG, e = i + (size_t)n; i < e; i++)
			o->r[i] = a->r[i] & b->r[i];
}

static inline void rel_minus(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (size_t i = (size_t)w * REL_MAX_BIG, e = i + (size_t)n; i < e; i++)
			o->r[i] = a->r[i] & ~b->r[i];
}

/* a ; b */
static inline void rel_seq(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	if (n <= 64) {
		uint64_t t[64];
		for (int i = 0; i < n; i++) {
			uint64_t x = a->r[i], acc = 0;
			while (x) {
				acc |= b->r[__builtin_ctzll(x)];
				x &= x - 1;
			}
			t[i] = acc;
		}
		memcpy(o->r, t, (size_t)n * sizeof(t[0]));
		return;
	}
	int nw = rel_words(n);
	uint64_t t[nw][n];
	for (int i = 0; i < n; i++) {
		uint64_t acc[REL_WORDS] = {0};
		for (int w = 0; w < nw; w++) {
			uint64_t x = rel_word_of(a, i, w);
			while (x) {
				const uint64_t *bk = &b->r[64 * w + __builtin_ctzll(x)];
				for (int v = 0; v < nw; v++)
					acc[v] |= bk[(size_t)v * REL_MAX_BIG];
				x &= x - 1;
			}
		}
		for (int v = 0; v < nw; v++)
			t[v][i] = acc[v];
	}
	for (int v = 0; v < nw; v++)
		memcpy(rel_word(o, 0, v), t[v], (size_t)n * sizeof(t[0][0]));
}

static inline void rel_inv(int n, const struct rel *a, struct rel *o)
{
	if (n <= 64) {
		uint64_t t[64];
		memset(t, 0, (size_t)n * sizeof(t[0]));
		for (int i = 0; i < n; i++) {
			uint64_t x = a->r[i];
			while (x) {
				t[__builtin_ctzll(x)] |= 1ull << i;
				x &= x - 1;
			}
		}
		memcpy(o->r, t, (size_t)n * sizeof(t[0]));
		return;
	}
	int nw = rel_words(n);
	uint64_t t[nw][n];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < n; i++)
		for (int w = 0; w < nw; w++) {
			uint64_t x = rel_word_of(a, i, w);
			while (x) {
				t[i >> 6][64 * w + __builtin_ctzll(x)] |= 1ull << (i & 63);
				x &= x - 1;
			}
		}
	for (int v = 0; v < nw; v++)
		memcpy(rel_word(o, 0, v), t[v], (size_t)n * sizeof(t[0][0]));
}

/* [S] */
static inline void rel_id(int n, set_t s, struct rel *o)
{
	rel_zero(n, o);
	for (int i = 0; i < n; i++)
		if (set_has(s, i))
			rel_add(o, i, i);
}

/* S * T */
static inline void rel_cross(int n, set_t s, set_t t, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			*rel_word(o, i, w) = set_has(s, i) ? t.w[w] : 0;
}

/* [S] ; a */
static inline void rel_dom(int n, set_t s, const struct rel *a, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			*rel_word(o, i, w) = set_has(s, i) ? rel_word_of(a, i, w) : 0;
}

/* a ; [S] */
static inline void rel_rng(int n, const struct rel *a, set_t s, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			*rel_word(o, i, w) = rel_word_of(a, i, w) & s.w[w];
}

/* [S] ; a ; [T] */
static inline void rel_restrict(int n, set_t s, const struct rel *a, set_t t, struct rel *o)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			*rel_word(o, i, w) = set_has(s, i) ? rel_word_of(a, i, w) & t.w[w] : 0;
}

/* a+ (Warshall on rows) */
static inline void rel_plus(int n, const struct rel *a, struct rel *o)
{
	if (o != a)
		rel_copy(n, a, o);
	if (n <= 64) {
		for (int k = 0; k < n; k++) {
			uint64_t rk = o->r[k], bit = 1ull << k;
			if (!rk)
				continue;
			for (int i = 0; i < n; i++)
				if (o->r[i] & bit)
					o->r[i] |= rk;
		}
		return;
	}
	int nw = rel_words(n);
	for (int k = 0; k < n; k++) {
		uint64_t rk[REL_WORDS], any = 0;
		for (int w = 0; w < nw; w++)
			any |= rk[w] = rel_word_of(o, k, w);
		if (!any)
			continue;
		for (int i = 0; i < n; i++)
			if (rel_has(o, i, k))
				for (int w = 0; w < nw; w++)
					*rel_word(o, i, w) |= rk[w];
	}
}

/* a? = a | id */
static inline void rel_opt(int n, const struct rel *a, struct rel *o)
{
	if (o != a)
		rel_copy(n, a, o);
	for (int i = 0; i < n; i++)
		rel_add(o, i, i);
}

/* a* = a+ | id */
static inline void rel_star(int n, const struct rel *a, struct rel *o)
{
	rel_plus(n, a, o);
	for (int i = 0; i < n; i++)
		rel_add(o, i, i);
}

static inline bool rel_empty(int n, const struct rel *a)
{
	uint64_t acc = 0;
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			acc |= rel_word_of(a, i, w);
	return !acc;
}

static inline bool rel_irreflexive(int n, const struct rel *a)
{
	for (int i = 0; i < n; i++)
		if (rel_has(a, i, i))
			return false;
	return true;
}

static inline bool rel_acyclic(int n, const struct rel *a)
{
	struct rel t;
	rel_plus(n, a, &t);
	return rel_irreflexive(n, &t);
}

static inline set_t rel_domain(int n, const struct rel *a)
{
	set_t s = set_none();
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			if (rel_word_of(a, i, w))
				set_add(&s, i);
	return s;
}

static inline set_t rel_range(int n, const struct rel *a)
{
	set_t s = set_none();
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			s.w[w] |= rel_word_of(a, i, w);
	return s;
}

#endif /* SS_MODEL_REL_H */
