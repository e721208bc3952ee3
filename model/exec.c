/* model/exec.c - building an execution graph (model/exec.h): events, then
 * the sets and base relations every model reads. */
#include <stddef.h>

#include "model/exec.h"

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
	exg_init_cap(g, REL_MAX);
}

void exg_init_cap(struct exg *g, int cap)
{
	g->n = g->nthreads = 0;
	g->cap = cap < REL_MAX_BIG ? cap : REL_MAX_BIG;
	/* the relations a builder adds edges to; exg_finish computes the rest */
	struct rel *given[] = {&g->addr, &g->data, &g->ctrl, &g->rmw, &g->rf, &g->co};
	for (size_t k = 0; k < sizeof(given) / sizeof(given[0]); k++)
		rel_zero(g->cap, given[k]);
}

int exg_add(struct exg *g, int thr, enum ev_kind kind, int loc, long long val, unsigned flags,
	    enum model_fence fence)
{
	if (g->n >= g->cap)
		return -1;
	int i = g->n++;
	struct ev *e = &g->ev[i];
	e->kind = (unsigned char)kind;
	e->fence = (unsigned char)fence;
	e->thr = (signed char)thr;
	e->loc = (short)loc;
	e->val = val;
	e->flags = flags | (thr < 0 ? EVF_IW : 0);
	e->src = -1;
	if (thr + 1 > g->nthreads)
		g->nthreads = thr + 1;
	return i;
}

/* Row i of o is s, or with after >= 0 the events of s after event `after`. */
static void set_row(int n, struct rel *o, int i, const set_t *s, int after)
{
	for (int w = 0, nw = rel_words(n); w < nw; w++) {
		uint64_t v = s->w[w];
		if (after >= 0 && w <= after >> 6)
			v = w < after >> 6 ? 0 : v & (~0ull << (after & 63) << 1);
		*rel_word(o, i, w) = v;
	}
}

/* po (the order events of one thread were added in), loc, int and ext: each
 * row is the set of its thread's (location's) events. */
static void base_relations(struct exg *g)
{
	int n = g->n, nlocs = 0;
	static __thread set_t thr_evs[128], loc_evs[REL_MAX_BIG];
	static __thread short locs[REL_MAX_BIG];
	short loc_id[REL_MAX_BIG];
	for (int t = 0; t < g->nthreads && t < 128; t++)
		thr_evs[t] = set_none();
	for (int i = 0; i < n; i++) {
		const struct ev *e = &g->ev[i];
		if (e->thr >= 0)
			set_add(&thr_evs[e->thr], i);
		loc_id[i] = -1;
		if (e->loc < 0)
			continue;
		int k = 0;
		while (k < nlocs && locs[k] != e->loc)
			k++;
		if (k == nlocs) {
			locs[nlocs++] = e->loc;
			loc_evs[k] = set_none();
		}
		set_add(&loc_evs[k], i);
		loc_id[i] = (short)k;
	}
	const set_t all = set_all(n), none = set_none();
	for (int i = 0; i < n; i++) {
		int t = g->ev[i].thr;
		const set_t *same = t >= 0 ? &thr_evs[t] : &none;
		set_row(n, &g->intr, i, same, -1);
		set_row(n, &g->po, i, same, i);
		set_row(n, &g->loc, i, loc_id[i] >= 0 ? &loc_evs[loc_id[i]] : &none, -1);
		for (int w = 0, nw = rel_words(n); w < nw; w++)
			*rel_word(&g->ext, i, w) = all.w[w] & ~same->w[w];
		rel_del(&g->ext, i, i);
	}
}

void exg_finish(struct exg *g)
{
	int n = g->n;
	g->R = g->W = g->F = set_none();
	for (size_t k = 0; k < NFLAG_SETS; k++)
		*flag_set(g, k) = set_none();
	for (int k = 0; k < MF_NKINDS; k++)
		g->fk[k] = set_none();
	for (int i = 0; i < n; i++) {
		const struct ev *e = &g->ev[i];
		unsigned f = e->flags;
		if (e->kind == EV_R)
			set_add(&g->R, i);
		if (e->kind == EV_W)
			set_add(&g->W, i);
		if (e->kind == EV_F) {
			set_add(&g->F, i);
			if (e->fence < MF_NKINDS)
				set_add(&g->fk[e->fence], i);
		}
		for (size_t k = 0; k < NFLAG_SETS; k++)
			if (f & flag_sets[k].flag)
				set_add(flag_set(g, k), i);
	}
	g->M = set_or(g->R, g->W);
	/* linux-kernel.bell: Marked = ~M | IW | Once | Release | Acquire | Mb | RMW
	 * | lock events; Plain = M \ Marked.  An access is plain only when built
	 * so (EVF_PLAIN) and nothing else marks it. */
	set_t marking = set_or(set_or(g->IW, g->rmwset), set_or(g->lkr, g->lkw));
	marking = set_or(marking, set_or(g->ul, g->lf));
	g->plain = set_minus(set_and(g->plain, g->M), marking);
	g->marked = set_minus(set_all(n), g->plain);
	base_relations(g);
	rel_plus(n, &g->co, &g->co);
}

int exg_rf_source(const struct exg *g, int r)
{
	for (int w = 0; w < g->n; w++)
		if (rel_has(&g->rf, w, r))
			return w;
	return -1;
}

int exg_rmw_partner(const struct exg *g, int i)
{
	for (int j = 0; j < g->n; j++)
		if (rel_has(&g->rmw, i, j) || rel_has(&g->rmw, j, i))
			return j;
	return -1;
}
