/* litmus/exec.c - building an execution graph (litmus/exec.h): events, then
 * the sets and base relations every model reads. */
#include "litmus/exec.h"

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
	g->R = g->W = g->F = g->IW = g->plain = g->noreturn = g->acquire = g->release = 0;
	g->mbtag = g->rmwset = g->lkr = g->lkw = g->ul = g->lf = 0;
	g->srcu_lock = g->srcu_unlock = 0;
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
		g->IW |= f & EVF_IW ? b : 0;
		g->plain |= f & EVF_PLAIN ? b : 0;
		g->noreturn |= f & EVF_NORETURN ? b : 0;
		g->acquire |= f & EVF_ACQUIRE ? b : 0;
		g->release |= f & EVF_RELEASE ? b : 0;
		g->mbtag |= f & EVF_MB ? b : 0;
		g->rmwset |= f & EVF_RMW ? b : 0;
		g->lkr |= f & EVF_LKR ? b : 0;
		g->lkw |= f & EVF_LKW ? b : 0;
		g->ul |= f & EVF_UL ? b : 0;
		g->lf |= f & EVF_LF ? b : 0;
		g->srcu_lock |= f & EVF_SRCU_LOCK ? b : 0;
		g->srcu_unlock |= f & EVF_SRCU_UNLOCK ? b : 0;
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
