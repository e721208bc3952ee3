/* model/lkmm.c - linux-kernel.cat, one function per relation, in the cat
 * file's order, so the two can be read side by side.  Each function's comment
 * is the cat definition it computes.  Sets and base relations come from
 * model/exec.h (the bell's event classes, lock.cat's lock events); relation
 * algebra from model/rel.h.
 *
 * Deliberate differences from running the .cat in herd7: the bell's and
 * lock.cat's flags other than data-race
 * (unbalanced RCU nesting, mixed accesses, lock misuse) are not computed; the
 * checks stop at the first failed axiom unless asked for all.
 */
#include <stdlib.h>

#include "model/lkmm.h"

#define N (g->n)

/* fencerel(S) = po ; [S] ; po */
static void fencerel(const struct exg *g, set_t s, struct rel *o)
{
	rel_rng(N, &g->po, s, o);
	rel_seq(N, o, &g->po, o);
}

/* ---- the bell: dependencies carried through plain accesses ---------------------- */

/* let carry-dep = (data ; [~Srcu-unlock] ; rfi)*
 * let addr = carry-dep ; addr   (and ctrl, data alike) */
static void carry_dep(const struct exg *g, struct lkmm *m)
{
	struct rel cd;
	rel_rng(N, &g->data, set_minus(set_all(N), g->srcu_unlock), &cd);
	rel_seq(N, &cd, &m->rfi, &cd);
	rel_star(N, &cd, &cd);
	rel_seq(N, &cd, &g->addr, &m->addr);
	rel_seq(N, &cd, &g->ctrl, &m->ctrl);
	rel_seq(N, &cd, &g->data, &m->data);
}

/* rcu-rscs: matching rcu_read_lock / rcu_read_unlock pairs, innermost first
 * (the bell's recursive "matched"); per thread, that is bracket matching in po. */
static void rcu_rscs(const struct exg *g, struct lkmm *m)
{
	rel_zero(N, &m->rcu_rscs);
	int stack[REL_MAX_BIG], sp = 0, thr = -2;
	for (int i = 0; i < N; i++) {
		if (g->ev[i].thr != thr) {
			thr = g->ev[i].thr;
			sp = 0;
		}
		if (set_has(g->fk[MF_RCU_LOCK], i))
			stack[sp++] = i;
		else if (set_has(g->fk[MF_RCU_UNLOCK], i) && sp)
			rel_add(&m->rcu_rscs, stack[--sp], i);
	}
}

/* let carry-srcu-data = (data ; [~Srcu-unlock] ; rf)*
 * let srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
 * (the bell's data: before carry-dep) */
static void srcu_rscs(const struct exg *g, struct lkmm *m)
{
	struct rel csd;
	rel_rng(N, &g->data, set_minus(set_all(N), g->srcu_unlock), &csd);
	rel_seq(N, &csd, &g->rf, &csd);
	rel_star(N, &csd, &csd);
	rel_dom(N, g->srcu_lock, &csd, &csd);
	rel_seq(N, &csd, &g->data, &csd);
	rel_rng(N, &csd, g->srcu_unlock, &csd);
	rel_inter(N, &csd, &g->loc, &m->srcu_rscs);
}

/* ---- basic relations ---------------------------------------------------------------- */

/* let acq-po = [Acquire] ; po ; [M] */
static void acq_po(const struct exg *g, struct lkmm *m)
{
	rel_restrict(N, set_or(g->acquire, g->lkr), &g->po, g->M, &m->acq_po);
}

/* let po-rel = [M] ; po ; [Release] */
static void po_rel(const struct exg *g, struct lkmm *m)
{
	rel_restrict(N, g->M, &g->po, set_or(g->release, g->ul), &m->po_rel);
}

/* let po-unlock-lock-po = po ; [UL] ; (po | rf) ; [LKR] ; po
 * (since v5.16; before it was po ; [UL] ; rf ; [LKR] ; po) */
static void po_unlock_lock_po(const struct exg *g, struct lkmm *m)
{
	struct rel t;
	rel_union(N, &g->po, &g->rf, &t);
	rel_restrict(N, g->ul, &t, g->lkr, &t);
	rel_seq(N, &g->po, &t, &t);
	rel_seq(N, &t, &g->po, &m->po_unlock_lock_po);
}

/* let R4rmb = R \ Noreturn
 * let rmb = [R4rmb] ; fencerel(Rmb) ; [R4rmb] */
static void rmb(const struct exg *g, struct lkmm *m)
{
	set_t r4rmb = set_minus(g->R, g->noreturn);
	fencerel(g, g->fk[MF_RMB], &m->rmb);
	rel_restrict(N, r4rmb, &m->rmb, r4rmb, &m->rmb);
}

/* let wmb = [W] ; fencerel(Wmb) ; [W] */
static void wmb(const struct exg *g, struct lkmm *m)
{
	fencerel(g, g->fk[MF_WMB], &m->wmb);
	rel_restrict(N, g->W, &m->wmb, g->W, &m->wmb);
}

/* let mb = ([M] ; fencerel(Mb) ; [M]) |
 *	([M] ; po ; [Mb & R]) | ([Mb & W] ; po ; [M]) |      (full-barrier RMWs)
 *	([M] ; fencerel(Before-atomic) ; [RMW] ; po? ; [M]) |
 *	([M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M]) |
 *	([M] ; po? ; [LKW] ; fencerel(After-spinlock) ; [M]) |
 *	([M] ; po-unlock-lock-po ; [After-unlock-lock] ; po ; [M]) |
 *	([M] ; po? ; [Srcu-unlock] ; fencerel(After-srcu-read-unlock) ; [M]) */
static void mb(const struct exg *g, struct lkmm *m)
{
	struct rel acc, t, f, poq;
	rel_opt(N, &g->po, &poq);
	fencerel(g, g->fk[MF_MB], &acc);
	rel_restrict(N, g->M, &g->po, set_and(g->mbtag, g->R), &t);
	rel_union(N, &acc, &t, &acc);
	rel_restrict(N, set_and(g->mbtag, g->W), &g->po, g->M, &t);
	rel_union(N, &acc, &t, &acc);
	if (!set_empty(g->fk[MF_BEFORE_ATOMIC])) {
		fencerel(g, g->fk[MF_BEFORE_ATOMIC], &f);
		rel_rng(N, &f, g->rmwset, &t);
		rel_seq(N, &t, &poq, &t);
		rel_union(N, &acc, &t, &acc);
	}
	if (!set_empty(g->fk[MF_AFTER_ATOMIC])) {
		fencerel(g, g->fk[MF_AFTER_ATOMIC], &f);
		rel_rng(N, &poq, g->rmwset, &t);
		rel_seq(N, &t, &f, &t);
		rel_union(N, &acc, &t, &acc);
	}
	if (!set_empty(g->fk[MF_AFTER_SPINLOCK])) {
		fencerel(g, g->fk[MF_AFTER_SPINLOCK], &f);
		rel_rng(N, &poq, g->lkw, &t);
		rel_seq(N, &t, &f, &t);
		rel_union(N, &acc, &t, &acc);
	}
	if (!set_empty(g->fk[MF_AFTER_UNLOCK_LOCK])) {
		rel_rng(N, &m->po_unlock_lock_po, g->fk[MF_AFTER_UNLOCK_LOCK], &t);
		rel_seq(N, &t, &g->po, &t);
		rel_union(N, &acc, &t, &acc);
	}
	if (!set_empty(g->fk[MF_AFTER_SRCU_READ_UNLOCK])) {
		fencerel(g, g->fk[MF_AFTER_SRCU_READ_UNLOCK], &f);
		rel_rng(N, &poq, g->srcu_unlock, &t);
		rel_seq(N, &t, &f, &t);
		rel_union(N, &acc, &t, &acc);
	}
	rel_restrict(N, g->M, &acc, g->M, &m->mb);
}

/* let gp = po ; [Sync-rcu | Sync-srcu] ; po? */
static void gp(const struct exg *g, struct lkmm *m)
{
	struct rel poq;
	rel_opt(N, &g->po, &poq);
	rel_rng(N, &g->po, set_or(g->fk[MF_SYNC_RCU], g->fk[MF_SYNC_SRCU]), &m->gp);
	rel_seq(N, &m->gp, &poq, &m->gp);
}

/* let strong-fence = mb | gp
 * let nonrw-fence = strong-fence | po-rel | acq-po
 * let fence = nonrw-fence | wmb | rmb */
static void fences(const struct exg *g, struct lkmm *m)
{
	acq_po(g, m);
	po_rel(g, m);
	po_unlock_lock_po(g, m);
	rmb(g, m);
	wmb(g, m);
	mb(g, m);
	gp(g, m);
	rel_union(N, &m->mb, &m->gp, &m->strong_fence);
	rel_union(N, &m->strong_fence, &m->po_rel, &m->nonrw_fence);
	rel_union(N, &m->nonrw_fence, &m->acq_po, &m->nonrw_fence);
	rel_union(N, &m->nonrw_fence, &m->wmb, &m->fence);
	rel_union(N, &m->fence, &m->rmb, &m->fence);
}

/* ---- fundamental coherence ordering --------------------------------------------------- */

/* let com = rf | co | fr;  acyclic po-loc | com as coherence */
static bool coherence(const struct exg *g, struct lkmm *m)
{
	struct rel t;
	rel_inv(N, &g->rf, &t);
	rel_seq(N, &t, &g->co, &m->fr);
	rel_union(N, &g->rf, &g->co, &m->com);
	rel_union(N, &m->com, &m->fr, &m->com);
	rel_inter(N, &g->po, &g->loc, &m->po_loc);
	rel_inter(N, &g->rf, &g->ext, &m->rfe);
	rel_inter(N, &g->rf, &g->intr, &m->rfi);
	rel_inter(N, &g->co, &g->ext, &m->coe);
	rel_inter(N, &m->fr, &g->ext, &m->fre);
	rel_union(N, &m->po_loc, &m->com, &t);
	return rel_acyclic(N, &t);
}

/* empty rmw & (fre ; coe) as atomic */
static bool atomic(const struct exg *g, struct lkmm *m)
{
	struct rel t;
	rel_seq(N, &m->fre, &m->coe, &t);
	rel_inter(N, &g->rmw, &t, &t);
	return rel_empty(N, &t);
}

/* ---- instruction execution ordering ------------------------------------------------- */

/* let dep = addr | data
 * let rwdep = (dep | ctrl) ; [W]
 * let overwrite = co | fr
 * let to-w = rwdep | (overwrite & int) | (addr ; [Plain] ; wmb)
 * let to-r = (addr ; [R]) | (dep ; [Marked] ; rfi)
 * let ppo = to-r | to-w | fence | (po-unlock-lock-po & int) */
static void ppo(const struct exg *g, struct lkmm *m)
{
	struct rel dep, t, acc;
	rel_union(N, &m->addr, &m->data, &dep);
	/* to-w */
	rel_union(N, &dep, &m->ctrl, &acc);
	rel_rng(N, &acc, g->W, &acc);
	rel_union(N, &g->co, &m->fr, &t);
	rel_inter(N, &t, &g->intr, &t);
	rel_union(N, &acc, &t, &acc);
	rel_rng(N, &m->addr, g->plain, &t);
	rel_seq(N, &t, &m->wmb, &t);
	rel_union(N, &acc, &t, &acc);
	/* to-r */
	rel_rng(N, &m->addr, g->R, &t);
	rel_union(N, &acc, &t, &acc);
	rel_rng(N, &dep, g->marked, &t);
	rel_seq(N, &t, &m->rfi, &t);
	rel_union(N, &acc, &t, &acc);
	/* fence, po-unlock-lock-po & int */
	rel_union(N, &acc, &m->fence, &acc);
	rel_inter(N, &m->po_unlock_lock_po, &g->intr, &t);
	rel_union(N, &acc, &t, &m->ppo);
}

/* ---- propagation --------------------------------------------------------------------- */

/* let rmw-sequence = (rf ; rmw)* */
static void rmw_sequence(const struct exg *g, struct lkmm *m)
{
	rel_seq(N, &g->rf, &g->rmw, &m->rmw_sequence);
	rel_star(N, &m->rmw_sequence, &m->rmw_sequence);
}

/* let A-cumul(r) = (rfe ; [Marked])? ; r
 * let cumul-fence = [Marked] ; (A-cumul(strong-fence | po-rel) | wmb |
 *	po-unlock-lock-po) ; [Marked] ; rmw-sequence */
static void cumul_fence(const struct exg *g, struct lkmm *m)
{
	struct rel r, a, t;
	rmw_sequence(g, m);
	rel_union(N, &m->strong_fence, &m->po_rel, &r);
	rel_rng(N, &m->rfe, g->marked, &a);
	rel_opt(N, &a, &a);
	rel_seq(N, &a, &r, &t);
	rel_union(N, &t, &m->wmb, &t);
	rel_union(N, &t, &m->po_unlock_lock_po, &t);
	rel_restrict(N, g->marked, &t, g->marked, &t);
	rel_seq(N, &t, &m->rmw_sequence, &m->cumul_fence);
}

/* let prop = [Marked] ; (overwrite & ext)? ; cumul-fence* ; [Marked] ; rfe? ; [Marked] */
static void prop(const struct exg *g, struct lkmm *m)
{
	struct rel ow, cf, rq, t;
	rel_union(N, &g->co, &m->fr, &ow);
	rel_inter(N, &ow, &g->ext, &ow);
	rel_opt(N, &ow, &ow);
	rel_dom(N, g->marked, &ow, &ow);
	rel_star(N, &m->cumul_fence, &cf);
	rel_seq(N, &ow, &cf, &t);
	rel_rng(N, &t, g->marked, &t);
	rel_opt(N, &m->rfe, &rq);
	rel_seq(N, &t, &rq, &t);
	rel_rng(N, &t, g->marked, &m->prop);
}

/* let hb = [Marked] ; (ppo | rfe | ((prop \ id) & int)) ; [Marked]
 * acyclic hb as happens-before */
static void hb(const struct exg *g, struct lkmm *m)
{
	struct rel t, p;
	rel_union(N, &m->ppo, &m->rfe, &t);
	rel_inter(N, &m->prop, &g->intr, &p);
	for (int i = 0; i < N; i++)
		rel_del(&p, i, i);
	rel_union(N, &t, &p, &t);
	rel_restrict(N, g->marked, &t, g->marked, &m->hb);
}

/* let pb = prop ; strong-fence ; hb* ; [Marked]
 * acyclic pb as propagation */
static void pb(const struct exg *g, struct lkmm *m)
{
	struct rel t, h;
	rel_seq(N, &m->prop, &m->strong_fence, &t);
	rel_star(N, &m->hb, &h);
	rel_seq(N, &t, &h, &t);
	rel_rng(N, &t, g->marked, &m->pb);
}

/* ---- RCU --------------------------------------------------------------------------- */

/* let rcu-link = po? ; hb* ; pb* ; prop ; po */
static void rcu_link(const struct exg *g, struct lkmm *m)
{
	struct rel t, s;
	rel_opt(N, &g->po, &t);
	rel_star(N, &m->hb, &s);
	rel_seq(N, &t, &s, &t);
	rel_star(N, &m->pb, &s);
	rel_seq(N, &t, &s, &t);
	rel_seq(N, &t, &m->prop, &t);
	rel_seq(N, &t, &g->po, &m->rcu_link);
}

/* let rec rcu-order = rcu-gp | (rcu-gp ; rcu-link ; rcu-rscsi) |
 *	(rcu-rscsi ; rcu-link ; rcu-gp) |
 *	(rcu-gp ; rcu-link ; rcu-order ; rcu-link ; rcu-rscsi) |
 *	(rcu-rscsi ; rcu-link ; rcu-order ; rcu-link ; rcu-gp) |
 *	(rcu-order ; rcu-link ; rcu-order)
 * with, for SRCU, the same terms on srcu-gp = [Sync-srcu] and srcu-rscsi, each
 * "& loc" (the same srcu_struct); a least fixed point.
 * let rcu-fence = po ; rcu-order ; po? */
static void rcu_fence(const struct exg *g, struct lkmm *m)
{
	struct rel gpid, rscsi, sgp, srscsi, base, t, u, cur;
	rel_id(N, g->fk[MF_SYNC_RCU], &gpid);
	rel_inv(N, &m->rcu_rscs, &rscsi);
	rel_id(N, g->fk[MF_SYNC_SRCU], &sgp);
	rel_inv(N, &m->srcu_rscs, &srscsi);
	/* base = rcu-gp | gp;link;rscsi | rscsi;link;gp */
	rel_seq(N, &gpid, &m->rcu_link, &t);
	rel_seq(N, &t, &rscsi, &base);
	rel_seq(N, &rscsi, &m->rcu_link, &t);
	rel_seq(N, &t, &gpid, &t);
	rel_union(N, &base, &t, &base);
	rel_union(N, &base, &gpid, &base);
	rel_union(N, &base, &sgp, &base);
	rel_seq(N, &sgp, &m->rcu_link, &t);
	rel_seq(N, &t, &srscsi, &t);
	rel_inter(N, &t, &g->loc, &t);
	rel_union(N, &base, &t, &base);
	rel_seq(N, &srscsi, &m->rcu_link, &t);
	rel_seq(N, &t, &sgp, &t);
	rel_inter(N, &t, &g->loc, &t);
	rel_union(N, &base, &t, &base);
	rel_copy(N, &base, &cur);
	for (;;) {
		struct rel nx, lfl;
		rel_copy(N, &base, &nx);
		rel_seq(N, &m->rcu_link, &cur, &lfl);
		rel_seq(N, &lfl, &m->rcu_link, &lfl); /* link ; fence ; link */
		rel_seq(N, &gpid, &lfl, &t);
		rel_seq(N, &t, &rscsi, &t);
		rel_union(N, &nx, &t, &nx);
		rel_seq(N, &rscsi, &lfl, &t);
		rel_seq(N, &t, &gpid, &t);
		rel_union(N, &nx, &t, &nx);
		rel_seq(N, &sgp, &lfl, &t);
		rel_seq(N, &t, &srscsi, &t);
		rel_inter(N, &t, &g->loc, &t);
		rel_union(N, &nx, &t, &nx);
		rel_seq(N, &srscsi, &lfl, &t);
		rel_seq(N, &t, &sgp, &t);
		rel_inter(N, &t, &g->loc, &t);
		rel_union(N, &nx, &t, &nx);
		rel_seq(N, &cur, &m->rcu_link, &u);
		rel_seq(N, &u, &cur, &u);
		rel_union(N, &nx, &u, &nx);
		if (rel_equal(N, &nx, &cur))
			break;
		rel_copy(N, &nx, &cur);
	}
	rel_copy(N, &cur, &m->rcu_order);
	rel_opt(N, &g->po, &t);
	rel_seq(N, &g->po, &m->rcu_order, &u);
	rel_seq(N, &u, &t, &m->rcu_fence);
}

/* let rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]
 * irreflexive rb as rcu */
static void rb(const struct exg *g, struct lkmm *m)
{
	struct rel t, s;
	rel_seq(N, &m->prop, &m->rcu_fence, &t);
	rel_star(N, &m->hb, &s);
	rel_seq(N, &t, &s, &t);
	rel_star(N, &m->pb, &s);
	rel_seq(N, &t, &s, &t);
	rel_rng(N, &t, g->marked, &m->rb);
}

/* ---- plain accesses and data races ------------------------------------------------------ */

/* (after the RCU section)
 * let fence = fence | rcu-fence
 * let strong-fence = strong-fence | rcu-fence
 * let xbstar = (hb | pb | rb)*
 * let vis = cumul-fence* ; rfe? ; [Marked] ;
 *	((strong-fence ; [Marked] ; xbstar) | (xbstar & int)) */
static void vis(const struct exg *g, struct lkmm *m)
{
	struct rel t, s, a;
	rel_union(N, &m->fence, &m->rcu_fence, &m->fence);
	rel_union(N, &m->strong_fence, &m->rcu_fence, &m->strong_fence);
	rel_union(N, &m->hb, &m->pb, &t);
	rel_union(N, &t, &m->rb, &t);
	rel_star(N, &t, &m->xbstar);
	rel_rng(N, &m->strong_fence, g->marked, &t);
	rel_seq(N, &t, &m->xbstar, &t);
	rel_inter(N, &m->xbstar, &g->intr, &s);
	rel_union(N, &t, &s, &t); /* the disjunction */
	rel_star(N, &m->cumul_fence, &a);
	rel_opt(N, &m->rfe, &s);
	rel_seq(N, &a, &s, &a);
	rel_rng(N, &a, g->marked, &a);
	rel_seq(N, &a, &t, &m->vis);
}

/* let w-pre-bounded = [Marked] ; (addr | fence)?
 * let r-pre-bounded = [Marked] ; (addr | nonrw-fence |
 *	([R4rmb] ; fencerel(Rmb) ; [~Noreturn]))?
 * let w-post-bounded = fence? ; [Marked] ; rmw-sequence
 * let r-post-bounded = (nonrw-fence | ([~Noreturn] ; fencerel(Rmb) ; [R4rmb]))? ;
 *	[Marked] */
static void bounded(const struct exg *g, struct lkmm *m)
{
	set_t r4rmb = set_minus(g->R, g->noreturn), nnr = set_minus(set_all(N), g->noreturn);
	struct rel t, fr;
	fencerel(g, g->fk[MF_RMB], &fr);
	rel_union(N, &m->addr, &m->fence, &t);
	rel_opt(N, &t, &t);
	rel_dom(N, g->marked, &t, &m->w_pre_bounded);
	rel_restrict(N, r4rmb, &fr, nnr, &t);
	rel_union(N, &t, &m->addr, &t);
	rel_union(N, &t, &m->nonrw_fence, &t);
	rel_opt(N, &t, &t);
	rel_dom(N, g->marked, &t, &m->r_pre_bounded);
	rel_opt(N, &m->fence, &t);
	rel_rng(N, &t, g->marked, &t);
	rel_seq(N, &t, &m->rmw_sequence, &m->w_post_bounded);
	rel_restrict(N, nnr, &fr, r4rmb, &t);
	rel_union(N, &t, &m->nonrw_fence, &t);
	rel_opt(N, &t, &t);
	rel_rng(N, &t, g->marked, &m->r_post_bounded);
}

/* let ww-vis = fence | (strong-fence ; xbstar ; w-pre-bounded) |
 *	(w-post-bounded ; vis ; w-pre-bounded)
 * let wr-vis = fence | (strong-fence ; xbstar ; r-pre-bounded) |
 *	(w-post-bounded ; vis ; r-pre-bounded)
 * let rw-xbstar = fence | (r-post-bounded ; xbstar ; w-pre-bounded) */
static void plain_vis(const struct exg *g, struct lkmm *m)
{
	struct rel t, sx, u;
	(void)g;
	rel_seq(N, &m->strong_fence, &m->xbstar, &sx);
	rel_seq(N, &m->w_post_bounded, &m->vis, &t);
	rel_seq(N, &t, &m->w_pre_bounded, &m->ww_vis);
	rel_seq(N, &sx, &m->w_pre_bounded, &u);
	rel_union(N, &m->ww_vis, &u, &m->ww_vis);
	rel_union(N, &m->ww_vis, &m->fence, &m->ww_vis);
	rel_seq(N, &t, &m->r_pre_bounded, &m->wr_vis);
	rel_seq(N, &sx, &m->r_pre_bounded, &u);
	rel_union(N, &m->wr_vis, &u, &m->wr_vis);
	rel_union(N, &m->wr_vis, &m->fence, &m->wr_vis);
	rel_seq(N, &m->r_post_bounded, &m->xbstar, &t);
	rel_seq(N, &t, &m->w_pre_bounded, &m->rw_xbstar);
	rel_union(N, &m->rw_xbstar, &m->fence, &m->rw_xbstar);
}

/* let pre-race = ext & ((Plain * M) | ((M \ IW) * Plain)) */
static void pre_race(const struct exg *g, struct lkmm *m)
{
	struct rel a, b;
	rel_cross(N, g->plain, g->M, &a);
	rel_cross(N, set_minus(g->M, g->IW), g->plain, &b);
	rel_union(N, &a, &b, &a);
	rel_inter(N, &a, &g->ext, &m->pre_race);
}

/* let wr-incoh = pre-race & rf & rw-xbstar^-1
 * let rw-incoh = pre-race & fr & wr-vis^-1
 * let ww-incoh = pre-race & co & ww-vis^-1
 * empty (wr-incoh | rw-incoh | ww-incoh) as plain-coherence */
static bool plain_coherence(const struct exg *g, struct lkmm *m)
{
	struct rel t, inv;
	rel_inv(N, &m->rw_xbstar, &inv);
	rel_inter(N, &m->pre_race, &g->rf, &t);
	rel_inter(N, &t, &inv, &t);
	if (!rel_empty(N, &t))
		return false;
	rel_inv(N, &m->wr_vis, &inv);
	rel_inter(N, &m->pre_race, &m->fr, &t);
	rel_inter(N, &t, &inv, &t);
	if (!rel_empty(N, &t))
		return false;
	rel_inv(N, &m->ww_vis, &inv);
	rel_inter(N, &m->pre_race, &g->co, &t);
	rel_inter(N, &t, &inv, &t);
	return rel_empty(N, &t);
}

/* let ww-nonrace = ww-vis & ((Marked * W) | rw-xbstar) & ((W * Marked) | wr-vis)
 * let ww-race = (pre-race & co) \ ww-nonrace
 * let wr-race = (pre-race & (co? ; rf)) \ wr-vis \ rw-xbstar^-1
 * let rw-race = (pre-race & fr) \ rw-xbstar
 * flag ~empty (ww-race | wr-race | rw-race) as data-race */
static bool data_race(const struct exg *g, struct lkmm *m)
{
	struct rel a, b, t;
	rel_cross(N, g->marked, g->W, &a);
	rel_union(N, &a, &m->rw_xbstar, &a);
	rel_cross(N, g->W, g->marked, &b);
	rel_union(N, &b, &m->wr_vis, &b);
	rel_inter(N, &m->ww_vis, &a, &t);
	rel_inter(N, &t, &b, &t); /* ww-nonrace */
	rel_inter(N, &m->pre_race, &g->co, &a);
	rel_minus(N, &a, &t, &m->ww_race);
	rel_opt(N, &g->co, &a);
	rel_seq(N, &a, &g->rf, &a);
	rel_inter(N, &m->pre_race, &a, &a);
	rel_minus(N, &a, &m->wr_vis, &a);
	rel_inv(N, &m->rw_xbstar, &b);
	rel_minus(N, &a, &b, &m->wr_race);
	rel_inter(N, &m->pre_race, &m->fr, &a);
	rel_minus(N, &a, &m->rw_xbstar, &m->rw_race);
	return !rel_empty(N, &m->ww_race) || !rel_empty(N, &m->wr_race) ||
	       !rel_empty(N, &m->rw_race);
}

/* A struct lkmm is about 50 relations of REL_MAX_BIG rows (1.6 MB): one per
 * thread, allocated on first use and kept (the rows a check touches are those
 * of its n events, so a small graph stays as cheap as it was). */
static struct lkmm *lkmm_scratch(void)
{
	static __thread struct lkmm *scratch;
	if (!scratch)
		scratch = malloc(sizeof(*scratch));
	if (!scratch)
		abort();
	return scratch;
}

/* ---- the checks ------------------------------------------------------------------------ */

static bool check(const struct exg *g, bool all, bool race, struct lkmm_verdict *v,
		  struct lkmm *mout)
{
	struct lkmm *m = mout ? mout : lkmm_scratch();
	memset(v, 0, sizeof(*v));
#define FAIL(ax)                                                                                   \
	do {                                                                                       \
		v->fails[ax] = true;                                                               \
		if (!all)                                                                          \
			return v->consistent = false;                                              \
	} while (0)
	if (!coherence(g, m))
		FAIL(LKMM_COHERENCE);
	if (!atomic(g, m))
		FAIL(LKMM_ATOMIC);
	carry_dep(g, m);
	fences(g, m);
	ppo(g, m);
	cumul_fence(g, m);
	prop(g, m);
	hb(g, m);
	if (!rel_acyclic(N, &m->hb))
		FAIL(LKMM_HAPPENS_BEFORE);
	pb(g, m);
	if (!rel_acyclic(N, &m->pb))
		FAIL(LKMM_PROPAGATION);
	rel_zero(N, &m->rcu_rscs);
	rel_zero(N, &m->srcu_rscs);
	rel_zero(N, &m->rcu_link);
	rel_zero(N, &m->rcu_order);
	rel_zero(N, &m->rcu_fence);
	rel_zero(N, &m->rb);
	if (!set_empty(
		set_or(g->fk[MF_SYNC_RCU], g->fk[MF_SYNC_SRCU]))) { /* else rcu-order is empty */
		rcu_rscs(g, m);
		srcu_rscs(g, m);
		rcu_link(g, m);
		rcu_fence(g, m);
		rb(g, m);
		if (!rel_irreflexive(N, &m->rb))
			FAIL(LKMM_RCU);
	}
	if (!set_empty(g->plain) || all) { /* no plain access: pre-race is empty */
		vis(g, m);
		bounded(g, m);
		plain_vis(g, m);
		pre_race(g, m);
		if (!plain_coherence(g, m))
			FAIL(LKMM_PLAIN_COHERENCE);
		if (race)
			v->data_race = data_race(g, m);
	}
#undef FAIL
	v->consistent = true;
	for (int a = 0; a < LKMM_NAXIOMS; a++)
		if (v->fails[a])
			v->consistent = false;
	return v->consistent;
}

bool lkmm_check(const struct exg *g, bool all, struct lkmm_verdict *v, struct lkmm *mout)
{
	return check(g, all, true, v, mout);
}

bool lkmm_consistent(const struct exg *g)
{
	struct lkmm_verdict v;
	return check(g, false, false, &v, NULL);
}

const char *lkmm_axiom_name(enum lkmm_axiom a)
{
	static const char *const names[] = {"coherence",   "atomic", "happens-before",
					    "propagation", "rcu",    "plain-coherence"};
	return a < LKMM_NAXIOMS ? names[a] : "?";
}

/* ---- quick verdicts for the graph explorer ------------------------------------------ */

/* empty rmw & (fr ; co), or else:
 * let sync = [Release | UL] ; rf ; [Acquire | LKR]
 * let after = (po | sync)+
 * (co | fr) ; after is reflexive: refuted.
 *
 * The first is atomic (with an internal write between, a coherence cycle).
 * Release-acquire chains and critical sections order what comes before a
 * release before what comes after the acquire that reads it, for plain and
 * marked accesses alike, so no access may be co- or fr-before a write that
 * reaches it along po and such chains.  For marked accesses: with e ->(co|fr)
 * w ->after e, w's side of the chain is A-cumul(po-rel) | po-unlock-lock-po,
 * that is cumul-fence* ; rfe, so e ->prop a for the acquire a of e's thread,
 * and a ->acq-po e closes an hb cycle ((prop \ id) & int, ppo); on one thread
 * it is a coherence cycle.  For plain ones the same chain makes w ->ww-vis e
 * or w ->wr-vis e (both ends bounded by the release and the acquire):
 * plain-coherence.  So every graph refuted here is inconsistent under the
 * whole model; tests/unit/test_gx.c compares the two on random programs. */
bool lkmm_refuted_quickly(const struct exg *g)
{
	struct rel sync, after, fr, t;
	rel_inv(N, &g->rf, &fr);
	rel_seq(N, &fr, &g->co, &fr);
	rel_seq(N, &fr, &g->co, &t);
	rel_inter(N, &g->rmw, &t, &t);
	if (!rel_empty(N, &t))
		return true;
	rel_restrict(N, set_or(g->release, g->ul), &g->rf, set_or(g->acquire, g->lkr), &sync);
	rel_union(N, &g->po, &sync, &after);
	rel_plus(N, &after, &after);
	rel_union(N, &fr, &g->co, &t);
	rel_seq(N, &t, &after, &t);
	return !rel_irreflexive(N, &t);
}

/* The accesses that may race: pre-race & loc, with a write on one side, the
 * initial writes left out.  Every pair of ww-race, wr-race and rw-race is among
 * them (each is inside pre-race and co, co? ; rf or fr; an initial write is
 * never plain, so it could only be the right side of Plain * M, a read's
 * co-first rf source, never co-, rf- or fr-after it). */
void lkmm_race_conflicts(const struct exg *g, struct rel *out)
{
	struct rel a, b;
	set_t m = set_minus(g->M, g->IW);
	rel_cross(N, g->plain, m, &a);
	rel_cross(N, m, g->plain, &b);
	rel_union(N, &a, &b, &a);
	rel_inter(N, &a, &g->ext, &a);
	rel_inter(N, &a, &g->loc, &a);
	rel_cross(N, g->W, g->M, &b);
	rel_inter(N, &a, &b, out);
	rel_cross(N, g->M, g->W, &b);
	rel_inter(N, &a, &b, &a);
	rel_union(N, out, &a, out);
}

/* Drops from c the pairs ordered either way by (po | sync)+, with sync as in
 * lkmm_refuted_quickly.  On a consistent graph none of them races: along such
 * a chain from e to e', e reaches a release (po-rel: a fence, and nonrw-fence)
 * or is one, the chain is cumul-fence* ; rfe (so vis) and in xbstar, and the
 * acquire at its end reaches e' by acq-po (fence); so w-post-bounded ; vis ;
 * w-pre-bounded (ww-vis), the same with r-pre-bounded (wr-vis) and
 * r-post-bounded ; xbstar ; w-pre-bounded (rw-xbstar) all hold for (e, e'),
 * critical sections (po-unlock-lock-po) alike.  A com edge against the chain
 * is refuted by lkmm_refuted_quickly.  tests/unit/test_gx.c checks that every
 * race of its random programs' consistent graphs survives. */
void lkmm_race_drop_ordered(const struct exg *g, struct rel *c)
{
	struct rel sync, after;
	rel_restrict(N, set_or(g->release, g->ul), &g->rf, set_or(g->acquire, g->lkr), &sync);
	rel_union(N, &g->po, &sync, &after);
	rel_plus(N, &after, &after);
	rel_minus(N, c, &after, c);
	rel_inv(N, &after, &after);
	rel_minus(N, c, &after, c);
}

/* The other way round: with no grace period in g, an SC execution (acyclic
 * po | rf | co | fr, atomic RMWs: ax_sc_check) is consistent.  Every relation
 * the axioms use is made of po, rf, co and fr (hb, pb, prop, cumul-fence,
 * xbstar, vis and the bounded relations are all inside (po | com)*), so an
 * hb or pb cycle, or a pair wr-incoh / rw-incoh / ww-incoh refuses (a com
 * edge against a (po | com)* path), is a po | com cycle; atomic is checked;
 * only rb, the RCU axiom, is not made that way, and it is empty without
 * synchronize_rcu / synchronize_srcu. */
bool lkmm_allowed_by_sc(const struct exg *g)
{
	return set_empty(set_or(g->fk[MF_SYNC_RCU], g->fk[MF_SYNC_SRCU])) && ax_sc_check(g);
}
