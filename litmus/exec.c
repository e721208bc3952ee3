/* litmus/exec.c - building an execution graph (litmus/exec.h): events, then
 * the sets and base relations every model reads. */
#include <stddef.h>

#include "litmus/exec.h"

/* The event sets a flag alone decides: the flag and its set in struct exg. */
static const struct {
	unsigned flag;
	size_t set; /* offsetof(struct exg, ...) */
} flag_sets[] = {
    {EVF_IW, offsetof(struct exg, IW)},
    {EVF_PLAIN, offsetof(struct exg, plain)},
    {EVF_NORETURN, offsetof(struct exg, noreturn)},
    {EVF_ACQUIRE, offsetof(struct exg, acquire)},
    {EVF_RELEASE, offsetof(struct exg, release)},
    {EVF_MB, offsetof(struct exg, mbtag)},
    {EVF_RMW, offsetof(struct exg, rmwset)},
    {EVF_LKR, offsetof(struct exg, lkr)},
    {EVF_LKW, offsetof(struct exg, lkw)},
    {EVF_UL, offsetof(struct exg, ul)},
    {EVF_LF, offsetof(struct exg, lf)},
    {EVF_SRCU_LOCK, offsetof(struct exg, srcu_lock)},
    {EVF_SRCU_UNLOCK, offsetof(struct exg, srcu_unlock)},
};
#define NFLAG_SETS (sizeof(flag_sets) / sizeof(flag_sets[0]))

static set_t *flag_set(struct exg *g, size_t k)
{
	return (set_t *)((char *)g + flag_sets[k].set);
}

void exg_init(struct exg *g)
{
	memset(g, 0, sizeof(*g));
}

int exg_add(struct exg *g, int thr, enum ev_kind kind, int loc, long long val, unsigned flags,
	    enum lit_fence fence)
{
	if (g->n >= REL_MAX)
		return -1;
	int i = g->n++;
	struct ev *e = &g->ev[i];
	e->kind = (unsigned char)kind;
	e->fence = (unsigned char)fence;
	e->thr = (signed char)thr;
	e->loc = (short)loc;
	e->val = val;
	e->flags = flags | (thr < 0 ? EVF_IW : 0);
	if (thr + 1 > g->nthreads)
		g->nthreads = thr + 1;
	return i;
}

void exg_finish(struct exg *g)
{
	int n = g->n;
	g->R = g->W = g->F = 0;
	for (size_t k = 0; k < NFLAG_SETS; k++)
		*flag_set(g, k) = 0;
	memset(g->fk, 0, sizeof(g->fk));
	for (int i = 0; i < n; i++) {
		const struct ev *e = &g->ev[i];
		set_t b = 1ull << i;
		unsigned f = e->flags;
		if (e->kind == EV_R)
			g->R |= b;
		if (e->kind == EV_W)
			g->W |= b;
		if (e->kind == EV_F) {
			g->F |= b;
			if (e->fence < LIT_F_NKINDS)
				g->fk[e->fence] |= b;
		}
		for (size_t k = 0; k < NFLAG_SETS; k++)
			if (f & flag_sets[k].flag)
				*flag_set(g, k) |= b;
	}
	g->M = g->R | g->W;
	/* linux-kernel.bell: Marked = ~M | IW | Once | Release | Acquire | Mb | RMW
	 * | lock events; Plain = M \ Marked.  An access is plain only when built
	 * so (EVF_PLAIN) and nothing else marks it. */
	g->plain &= g->M & ~g->IW & ~g->rmwset & ~g->lkr & ~g->lkw & ~g->ul & ~g->lf;
	g->marked = set_all(n) & ~g->plain;
	for (int i = 0; i < n; i++) {
		const struct ev *a = &g->ev[i];
		g->po.r[i] = g->loc.r[i] = g->intr.r[i] = 0;
		for (int j = 0; j < n; j++) {
			const struct ev *b = &g->ev[j];
			bool same = a->thr >= 0 && a->thr == b->thr;
			if (same)
				g->intr.r[i] |= 1ull << j;
			if (same && j > i)
				g->po.r[i] |= 1ull << j;
			if (a->loc >= 0 && a->loc == b->loc)
				g->loc.r[i] |= 1ull << j;
		}
		g->ext.r[i] = set_all(n) & ~g->intr.r[i] & ~(1ull << i);
	}
	rel_plus(n, &g->co, &g->co);
}
