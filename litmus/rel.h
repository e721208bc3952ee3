/* litmus/rel.h - relation algebra on bit matrices, the vocabulary of a cat
 * file: a relation over at most REL_MAX events is one uint64_t row per event
 * (bit j of row i: i -> j), a set is one uint64_t.  Every operation takes n,
 * the number of events in use, and touches rows [0, n) only.
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
#ifndef SS_LITMUS_REL_H
#define SS_LITMUS_REL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define REL_MAX 64

typedef uint64_t set_t;

struct rel {
	uint64_t r[REL_MAX];
};

static inline set_t set_all(int n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static inline bool rel_has(const struct rel *a, int i, int j)
{
	return a->r[i] >> j & 1;
}

static inline void rel_add(struct rel *a, int i, int j)
{
	a->r[i] |= 1ull << j;
}

static inline void rel_zero(int n, struct rel *o)
{
	memset(o->r, 0, (size_t)n * sizeof(o->r[0]));
}

static inline void rel_union(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = a->r[i] | b->r[i];
}

static inline void rel_inter(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = a->r[i] & b->r[i];
}

static inline void rel_minus(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = a->r[i] & ~b->r[i];
}

/* a ; b */
static inline void rel_seq(int n, const struct rel *a, const struct rel *b, struct rel *o)
{
	struct rel t;
	for (int i = 0; i < n; i++) {
		uint64_t x = a->r[i], acc = 0;
		while (x) {
			acc |= b->r[__builtin_ctzll(x)];
			x &= x - 1;
		}
		t.r[i] = acc;
	}
	memcpy(o->r, t.r, (size_t)n * sizeof(t.r[0]));
}

static inline void rel_inv(int n, const struct rel *a, struct rel *o)
{
	struct rel t;
	rel_zero(n, &t);
	for (int i = 0; i < n; i++) {
		uint64_t x = a->r[i];
		while (x) {
			t.r[__builtin_ctzll(x)] |= 1ull << i;
			x &= x - 1;
		}
	}
	memcpy(o->r, t.r, (size_t)n * sizeof(t.r[0]));
}

/* [S] */
static inline void rel_id(int n, set_t s, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = (s >> i & 1) ? 1ull << i : 0;
}

/* S * T */
static inline void rel_cross(int n, set_t s, set_t t, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = (s >> i & 1) ? t : 0;
}

/* [S] ; a */
static inline void rel_dom(int n, set_t s, const struct rel *a, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = (s >> i & 1) ? a->r[i] : 0;
}

/* a ; [S] */
static inline void rel_rng(int n, const struct rel *a, set_t s, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = a->r[i] & s;
}

/* [S] ; a ; [T] */
static inline void rel_restrict(int n, set_t s, const struct rel *a, set_t t, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = (s >> i & 1) ? a->r[i] & t : 0;
}

/* a+ (Warshall on rows) */
static inline void rel_plus(int n, const struct rel *a, struct rel *o)
{
	if (o != a)
		memcpy(o->r, a->r, (size_t)n * sizeof(a->r[0]));
	for (int k = 0; k < n; k++) {
		uint64_t rk = o->r[k], bit = 1ull << k;
		if (!rk)
			continue;
		for (int i = 0; i < n; i++)
			if (o->r[i] & bit)
				o->r[i] |= rk;
	}
}

/* a? = a | id */
static inline void rel_opt(int n, const struct rel *a, struct rel *o)
{
	for (int i = 0; i < n; i++)
		o->r[i] = a->r[i] | 1ull << i;
}

/* a* = a+ | id */
static inline void rel_star(int n, const struct rel *a, struct rel *o)
{
	rel_plus(n, a, o);
	for (int i = 0; i < n; i++)
		o->r[i] |= 1ull << i;
}

static inline bool rel_empty(int n, const struct rel *a)
{
	uint64_t acc = 0;
	for (int i = 0; i < n; i++)
		acc |= a->r[i];
	return !acc;
}

static inline bool rel_irreflexive(int n, const struct rel *a)
{
	for (int i = 0; i < n; i++)
		if (a->r[i] >> i & 1)
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
	set_t s = 0;
	for (int i = 0; i < n; i++)
		if (a->r[i])
			s |= 1ull << i;
	return s;
}

static inline set_t rel_range(int n, const struct rel *a)
{
	set_t s = 0;
	for (int i = 0; i < n; i++)
		s |= a->r[i];
	return s;
}

#endif /* SS_LITMUS_REL_H */
