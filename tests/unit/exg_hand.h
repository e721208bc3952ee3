/* tests/unit/exg_hand.h - building a model graph (model/exec.h) by hand in a
 * unit test: one graph G per test file, events and edges added in order. */
#ifndef SS_TESTS_EXG_HAND_H
#define SS_TESTS_EXG_HAND_H

#include "model/exec.h"

static struct exg G;

/* The initial write of loc. */
static inline int iw(int loc)
{
	return exg_add(&G, -1, EV_W, loc, 0, 0, 0);
}
static inline int wr(int t, int loc, long long v, unsigned f)
{
	return exg_add(&G, t, EV_W, loc, v, f, 0);
}
static inline int rd(int t, int loc, long long v, unsigned f)
{
	return exg_add(&G, t, EV_R, loc, v, f, 0);
}
static inline int fence(int t, enum model_fence k)
{
	return exg_add(&G, t, EV_F, -1, 0, 0, k);
}
static inline void rf(int w, int r)
{
	rel_add(&G.rf, w, r);
}
static inline void co(int a, int b)
{
	rel_add(&G.co, a, b);
}

#endif /* SS_TESTS_EXG_HAND_H */
