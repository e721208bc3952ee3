/* model/axioms.c - the two stronger models on the cat engine's execution
 * graphs (model/exec.h): sequential consistency and x86-TSO.
 *
 * SC: every execution is an interleaving, i.e. acyclic(po | rf | co | fr),
 * and RMWs are atomic.
 *
 * TSO follows herd's x86tso.cat: sc-per-location (acyclic po-loc | com),
 * atomicity, and acyclic ghb where ghb = ppo | mfence | implied | rfe | co | fr,
 * ppo = po minus write->read pairs, mfence = fencerel(MFENCE), implied = po
 * into or out of a locked instruction.  The kernel's x86 mappings decide what
 * is what: smp_mb (and synchronize_rcu) is MFENCE; xchg/cmpxchg (failed ones
 * too), atomic RMWs and spin_lock are locked; smp_wmb, smp_rmb,
 * smp_mb__{before,after}_atomic, smp_mb__after_spinlock, release and acquire
 * compile to plain moves or nothing; a failed trylock is a plain read.
 */
#include "model/lkmm.h"

static void fr_of(const struct exg *g, struct rel *fr)
{
	rel_inv(g->n, &g->rf, fr);
	rel_seq(g->n, fr, &g->co, fr);
}

/* empty rmw & (fre ; coe) */
static bool atomicity(const struct exg *g, const struct rel *fr)
{
	int n = g->n;
	struct rel fre, coe, t;
	rel_inter(n, fr, &g->ext, &fre);
	rel_inter(n, &g->co, &g->ext, &coe);
	rel_seq(n, &fre, &coe, &t);
	rel_inter(n, &g->rmw, &t, &t);
	return rel_empty(n, &t);
}

bool ax_sc_check(const struct exg *g)
{
	int n = g->n;
	struct rel fr, t;
	fr_of(g, &fr);
	if (!atomicity(g, &fr))
		return false;
	rel_restrict(n, g->M, &g->po, g->M, &t);
	rel_union(n, &t, &g->rf, &t);
	rel_union(n, &t, &g->co, &t);
	rel_union(n, &t, &fr, &t);
	return rel_acyclic(n, &t);
}

bool ax_tso_check(const struct exg *g)
{
	int n = g->n;
	struct rel fr, t, u, ghb;
	fr_of(g, &fr);
	/* sc-per-location */
	rel_inter(n, &g->po, &g->loc, &t);
	rel_union(n, &t, &g->rf, &t);
	rel_union(n, &t, &g->co, &t);
	rel_union(n, &t, &fr, &t);
	if (!rel_acyclic(n, &t) || !atomicity(g, &fr))
		return false;
	/* ppo: po over accesses, minus W -> R */
	rel_restrict(n, g->M, &g->po, g->M, &ghb);
	for (int w = 0, nw = rel_words(n); w < nw; w++)
		for (int i = 0; i < n; i++)
			if (set_has(g->W, i))
				*rel_word(&ghb, i, w) &= ~g->R.w[w];
	/* mfence */
	set_t mf = set_or(g->fk[MF_MB], set_or(g->fk[MF_SYNC_RCU], g->fk[MF_SYNC_SRCU]));
	rel_rng(n, &g->po, mf, &t);
	rel_seq(n, &t, &g->po, &t);
	rel_restrict(n, g->M, &t, g->M, &t);
	rel_union(n, &ghb, &t, &ghb);
	/* implied: po into / out of a locked instruction */
	set_t locked = set_or(g->rmwset, set_or(g->lkr, g->lkw));
	rel_restrict(n, g->M, &g->po, locked, &t);
	rel_restrict(n, locked, &g->po, g->M, &u);
	rel_union(n, &ghb, &t, &ghb);
	rel_union(n, &ghb, &u, &ghb);
	/* rfe | co | fr */
	rel_inter(n, &g->rf, &g->ext, &t);
	rel_union(n, &ghb, &t, &ghb);
	rel_union(n, &ghb, &g->co, &ghb);
	rel_union(n, &ghb, &fr, &ghb);
	return rel_acyclic(n, &ghb);
}
