/* model/lkmm.h - the Linux-kernel memory model as a consistency check on one
 * execution graph: tools/memory-model/linux-kernel.cat with linux-kernel.bell,
 * linux-kernel.def (lkmmv1: full-barrier RMWs carry Mb tags) and lock.cat.
 * model/lkmm.c computes each relation of the cat file in a function of the
 * same name, in the cat file's order. */
#ifndef SS_MODEL_LKMM_H
#define SS_MODEL_LKMM_H

#include "model/exec.h"

/* The cat file's checks, in its order. */
enum lkmm_axiom {
	LKMM_COHERENCE,	      /* acyclic po-loc | com */
	LKMM_ATOMIC,	      /* empty rmw & (fre ; coe) */
	LKMM_HAPPENS_BEFORE,  /* acyclic hb */
	LKMM_PROPAGATION,     /* acyclic pb */
	LKMM_RCU,	      /* irreflexive rb */
	LKMM_PLAIN_COHERENCE, /* empty wr-incoh | rw-incoh | ww-incoh */
	LKMM_NAXIOMS,
};

struct lkmm_verdict {
	bool fails[LKMM_NAXIOMS];
	bool consistent;
	bool data_race; /* flag data-race (computed for consistent graphs, or with all) */
};

/* The named relations of linux-kernel.cat for one graph. */
struct lkmm {
	struct rel fr, com, po_loc, rfe, rfi, coe, fre;
	struct rel addr, data, ctrl; /* after the bell's carry-dep */
	struct rel acq_po, po_rel, po_unlock_lock_po, rmb, wmb, mb, gp, strong_fence, nonrw_fence,
	    fence;
	struct rel ppo, rmw_sequence, cumul_fence, prop, hb, pb;
	struct rel rcu_rscs, srcu_rscs, rcu_link, rcu_order, rcu_fence, rb;
	struct rel xbstar, vis, w_pre_bounded, r_pre_bounded, w_post_bounded, r_post_bounded,
	    ww_vis, wr_vis, rw_xbstar, pre_race, ww_race, wr_race, rw_race;
};

/* Checks g (built with exec.h, finished).  all: evaluate every axiom and the
 * data-race flag even after a failure (tests, explanations); otherwise stop
 * at the first failed axiom.  m: NULL, or receives the relations computed. */
bool lkmm_check(const struct exg *g, bool all, struct lkmm_verdict *v, struct lkmm *m);
/* lkmm_check's verdict alone: the axioms, stopping at the first that fails,
 * without the data-race flag (the graph explorer's check). */
bool lkmm_consistent(const struct exg *g);
const char *lkmm_axiom_name(enum lkmm_axiom a);
/* Cheap verdicts for the graph explorer (see model/lkmm.c).  refuted: an RMW
 * broken by a write between, or an access co- or fr-before a write that
 * precedes it along po and release-acquire chains (critical sections
 * included); true means inconsistent.  allowed_by_sc: an SC execution without
 * grace periods; true means consistent.  Otherwise the whole check decides. */
bool lkmm_refuted_quickly(const struct exg *g);
bool lkmm_allowed_by_sc(const struct exg *g);
/* A filter for the data-race flag (engine/gexplore_races.c): race_conflicts
 * gives the pairs that may race (pre-race & loc, a write on one side);
 * race_drop_ordered drops those that release-acquire chains and critical
 * sections order, which never race in a consistent graph.  What is left holds
 * ww-race | wr-race | rw-race of a consistent g. */
void lkmm_race_conflicts(const struct exg *g, struct rel *out);
void lkmm_race_drop_ordered(const struct exg *g, struct rel *c);

/* The other models on the same graphs (model/axioms.c).  SC: acyclic(po | rf |
 * co | fr) and atomicity.  TSO: x86-TSO (herd's x86tso.cat) with the kernel's
 * x86 mappings: smp_mb and synchronize_rcu are MFENCE, every RMW instruction
 * and lock acquisition is a locked instruction, the other fences and
 * release/acquire compile to plain moves. */
bool ax_sc_check(const struct exg *g);
bool ax_tso_check(const struct exg *g);

#endif /* SS_MODEL_LKMM_H */
