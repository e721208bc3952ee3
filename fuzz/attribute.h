/* fuzz/attribute.h - which reordering a failure needs, and which single barrier
 * removes it.
 *
 * Attribution re-runs the failing schedule under sc, tso and lkmm and searches
 * briefly under each (random schedules), so "fails under sc" (not an ordering
 * bug), "fails under tso" (x86 can do it: store->load reordering) and "lkmm
 * only" (a reordering x86 never does) are told apart.  For a weak-only failure
 * the pair of accesses comes from the trace: the stale load, the store it
 * missed, and the earlier load of the same CPU whose value came after that
 * store (load->load), or none (the store side).  Candidate fixes are then
 * tried one at a time as emulator options (struct emu_extra_fence): smp_rmb()
 * before the stale load, smp_wmb() before the newer store, smp_mb() before the
 * stale load.  Each model's clean verdict and each fix is first tried as a
 * complete graph search (engine/gexplore.h, at most ATTR_GRAPH_SECONDS: a proof
 * when it finishes, a refutation when it finds the failure); only when that does
 * not decide does the schedule search run: an exhaustive search within bounds
 * when that completes within its budget, else a bounded random search.  The
 * report says which.
 */
#ifndef SS_ATTRIBUTE_H
#define SS_ATTRIBUTE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/emu.h"

struct ss_attr_fix {
	char what[200]; /* "smp_rmb() before slab->stride (slab.c:178) on CPU 1" */
	struct emu_extra_fence f;
	char file[128];
	bool fixes;	 /* no failure of the kind in the check below */
	bool exhaustive; /* checked by a complete bounded exhaustive search */
	bool failed;	 /* graph search: the fixed code failed (so no fix, even when
			  * the search did not finish) */
	bool by_graph;	 /* decided by a graph search (fixes: a proof; failed: a
			  * failing graph), also in a schedule attribution */
	unsigned long long execs;
};

struct ss_attribution {
	bool fails[3]; /* by enum wmm_model: replay or search */
	bool replay_fails[3];
	unsigned long long searched[3];
	bool have_pair, prior_is_load;
	int cpu, writer;
	char stale[160], prior[160], missed[160], newer[160];
	char verdict[1024]; /* one paragraph, no newline at the end */
	int nfix;
	struct ss_attr_fix fix[3];
	int best; /* index of the first fix that works, -1 */
	/* ss_attribute_graph: by graphs, not schedules; proved_clean[m]: the
	 * complete graph search under model m found no such failure */
	bool graph;
	bool proved_clean[3];
	bool searched_graphs[3]; /* searched[m] counts graphs (graph_decides) */
};

/* base: the failing run's config (its model is the one the failure was seen
 * under).  search: random executions per model (0: 2000).  Returns 0, or -1
 * with err. */
int ss_attribute(const struct emu_config *base, const u8 *sched, size_t len, enum ss_fail_kind kind,
		 unsigned long search, struct ss_attribution *a, char *err, size_t errlen);
void ss_attribution_print(FILE *f, const struct ss_attribution *a);

/* The same for a failing execution graph of the graph engine (engine/gexplore.h;
 * fuzz/attribute_graph.c): the graph checked under sc, tso and lkmm, then, where
 * a model refuses it, a complete graph search under that model (a proof of
 * absence when it completes); the reordered pair from the graph's trace; each
 * candidate barrier proved or refuted by a complete graph search of the fixed
 * code.  max_graphs bounds each search (0: 200000). */
int ss_attribute_graph(const struct emu_config *base, const u8 *graph, size_t len,
		       enum ss_fail_kind kind, unsigned long long max_graphs,
		       struct ss_attribution *a, char *err, size_t errlen);

/* Shared with fuzz/attribute_graph.c: the reordered pair from the trace e holds
 * of failing execution r; the verdict paragraph and the candidate barriers from
 * a->fails and the pair. */
void ss_attr_find_pair(const struct emu *e, const struct emu_result *r, struct ss_attribution *a,
		       const struct ss_site **stale_site, const struct ss_site **newer_site);
void ss_attr_verdict(struct ss_attribution *a, const struct ss_site *stale_site,
		     const struct ss_site *newer_site);

#endif /* SS_ATTRIBUTE_H */
