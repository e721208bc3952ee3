/* fuzz/attribute_graph.c - attribution of a failure the graph engine found
 * (fuzz/attribute.h, ss_attribute_graph): which models allow the failing graph
 * (and, where one does not, whether a complete graph search under it finds the
 * failure anyway), which reordering the graph shows, and which single barrier
 * removes the failure, each answer a complete graph search, so a proof. */
#include <string.h>

#include "engine/gexplore.h"
#include "fuzz/attribute.h"

/* Each search stops after this long: an explanation should not take minutes
 * (a scenario with hundreds of thousands of graphs, the 4 x 1 GenMC shape);
 * what it did not finish says "not a proof". */
#define ATTR_SEARCH_SECONDS 5.0

/* A complete search of cfg for a failure of kind: 1 found, 0 none (*proof when
 * every graph was visited), -1 error. */
static int search(const struct emu_config *cfg, enum ss_fail_kind kind,
		  unsigned long long max_graphs, bool *proof, unsigned long long *graphs, char *err,
		  size_t errlen)
{
	struct gexplore_opts o;
	memset(&o, 0, sizeof(o));
	o.max_execs = max_graphs;
	o.duration = ATTR_SEARCH_SECONDS;
	o.keep_going = true;
	struct gexplore_stats st;
	if (gexplore_run(cfg, &o, &st, NULL) != 0) {
		snprintf(err, errlen, "%s", st.error);
		gexplore_stats_free(&st);
		return -1;
	}
	*graphs = st.executions;
	*proof = st.complete;
	int found = st.log.by_kind[kind] > 0;
	gexplore_stats_free(&st);
	return found;
}

/* Under model m: the failing graph itself, else a search. */
static int model_allows(const struct emu_config *base, enum wmm_model m, const u8 *graph,
			size_t len, enum ss_fail_kind kind, unsigned long long max_graphs,
			struct ss_attribution *a, char *err, size_t errlen)
{
	struct emu_config c = *base;
	c.model = m;
	c.fences = NULL;
	c.nfences = 0;
	struct emu_result r;
	bool consistent = false;
	if (gexplore_replay(&c, graph, len, &r, &consistent, NULL, err, errlen) != 0)
		return -1;
	if (consistent && r.kind == kind) {
		a->replay_fails[m] = true;
		return 1;
	}
	bool proof;
	int x = search(&c, kind, max_graphs, &proof, &a->searched[m], err, errlen);
	if (x == 0)
		a->proved_clean[m] = proof;
	return x;
}

int ss_attribute_graph(const struct emu_config *base, const u8 *graph, size_t len,
		       enum ss_fail_kind kind, unsigned long long max_graphs,
		       struct ss_attribution *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->graph = true;
	a->best = -1;
	a->cpu = a->writer = -1;
	if (!max_graphs)
		max_graphs = 200000;
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		int x = model_allows(base, (enum wmm_model)m, graph, len, kind, max_graphs, a, err,
				     errlen);
		if (x < 0)
			return -1;
		a->fails[m] = x;
	}
	if (a->fails[WMM_SC]) {
		snprintf(
		    a->verdict, sizeof(a->verdict),
		    "fails under sequential consistency: not a memory-ordering bug (no barrier "
		    "can fix it; look at the values in the failure)");
		return 0;
	}
	/* the pair, from the failing graph's trace under its own model */
	struct emu_config wc = *base;
	wc.fences = NULL;
	wc.nfences = 0;
	struct emu *e = NULL;
	struct emu_result r;
	bool consistent;
	if (gexplore_replay(&wc, graph, len, &r, &consistent, &e, err, errlen) != 0)
		return -1;
	const struct ss_site *stale_site = NULL, *newer_site = NULL;
	ss_attr_find_pair(e, &r, a, &stale_site, &newer_site);
	gexplore_free_emu(e);
	ss_attr_verdict(a, stale_site, newer_site);
	for (int i = 0; i < a->nfix; i++) {
		struct ss_attr_fix *fx = &a->fix[i];
		struct emu_config c = wc;
		c.fences = &fx->f;
		c.nfences = 1;
		bool proof;
		int x = search(&c, kind, max_graphs, &proof, &fx->execs, err, errlen);
		if (x < 0)
			return -1;
		fx->fixes = x == 0 && proof;
		fx->failed = x == 1;
		fx->exhaustive = proof;
		if (fx->fixes && a->best < 0)
			a->best = i;
	}
	return 0;
}
