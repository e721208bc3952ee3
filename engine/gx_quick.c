/* engine/gx_quick.c - quick LKMM verdicts on the explorer's own graph
 * (engine/gx.h), without building the model's graph: most graphs the explorer
 * checks are decided here, and only the rest go to model/lkmm.c.
 *
 * gx_refuted_quickly() is model/lkmm.c's lkmm_refuted_quickly: atomicity, and
 * an access co- or fr-before a write that reaches it along po and release ->
 * acquire reads-from edges (lock.cat: UL -> LKR too).  Each event gets a view:
 * for every thread, how many of its first events reach it that way.  Views are
 * made in an order where an acquire comes after the release it reads (a graph
 * here has no po | rf cycle).  An access is refuted when a write of its
 * location in its view is co-after the write it reads (fr) or itself (co).
 *
 * gx_sc_consistent() is the other way round: an execution that is sequentially
 * consistent (acyclic po | rf | co | fr, atomic RMWs) and has no grace period
 * is allowed by LKMM (model/lkmm.c says why), so the whole check is skipped.
 *
 * tests/unit/test_gx.c checks both against model/ on every graph of its random
 * programs. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/gx_impl.h"

/* of[t][k]: the index of thread t's k-th event; len[t]: its events. */
static void thread_order(const struct gx_graph *G, int (*of)[GX_MAX_EVENTS], int *len)
{
	memset(len, 0, GX_MAX_THREADS * sizeof(*len));
	for (int i = 0; i < G->n; i++) {
		int t = G->ev[i].thr, k = G->ev[i].idx;
		of[t][k] = i;
		if (k + 1 > len[t])
			len[t] = k + 1;
	}
}

/* The views of G's events (view[i][t]: thread t's events with idx below it
 * reach event i).  False when some acquire's release never gets a view
 * (cannot happen in a graph without a po | rf cycle). */
static bool make_views(const struct gx_graph *G, int nthreads, int (*of)[GX_MAX_EVENTS],
		       const int *len, short (*view)[GX_MAX_THREADS])
{
	static __thread bool made[GX_MAX_EVENTS];
	int next[GX_MAX_THREADS] = {0}, left = G->n;
	memset(made, 0, (size_t)G->n * sizeof(made[0]));
	for (bool moved = true; moved && left;) {
		moved = false;
		for (int t = 0; t < nthreads; t++)
			for (; next[t] < len[t]; next[t]++, left--, moved = true) {
				int i = of[t][next[t]];
				const struct gx_event *e = &G->ev[i];
				bool s = gx_syncs(G, e);
				if (s && !made[e->rf])
					break;
				if (next[t])
					memcpy(view[i], view[of[t][next[t] - 1]], sizeof(view[i]));
				else
					memset(view[i], 0, sizeof(view[i]));
				view[i][t] = (short)(e->idx + 1);
				for (int u = 0; s && u < nthreads; u++)
					if (view[e->rf][u] > view[i][u])
						view[i][u] = view[e->rf][u];
				made[i] = true;
			}
	}
	return !left;
}

/* Each location's writes in co order: loc[i] (event i's location, -1 for a
 * fence), co_next[w] / first[l] (the co-next write, the co-first; -1: none).
 * Returns the number of locations. */
static int co_chains(const struct gx_graph *G, int *loc, int *first, int *co_next)
{
	static __thread struct gx_locmap map;
	static __thread int tail[GX_MAX_EVENTS];
	gx_loc_reset(&map);
	int last = -1; /* the last access */
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		loc[i] = -1;
		if (e->kind == EV_F)
			continue;
		int known = map.n, l;
		if (last >= 0 && e->key == G->ev[last].key) /* the same as the access before */
			l = loc[last];
		else
			l = gx_loc_id(&map, e->key);
		if (l == known)
			first[l] = tail[l] = -1;
		loc[i] = l;
		last = i;
		if (e->kind != EV_W)
			continue;
		if (tail[l] >= 0 && G->ev[tail[l]].co < e->co) { /* the usual case: co-last */
			co_next[tail[l]] = i;
			co_next[i] = -1;
			tail[l] = i;
			continue;
		}
		int *at = &first[l]; /* insert by rank */
		while (*at >= 0 && G->ev[*at].co < e->co)
			at = &co_next[*at];
		co_next[i] = *at;
		*at = i;
		if (co_next[i] < 0)
			tail[l] = i;
	}
	return map.n;
}

/* The RMW write paired with read i (its thread's next event), or -1. */
static int rmw_write(const struct gx_graph *G, int (*of)[GX_MAX_EVENTS], const int *len, int i)
{
	const struct gx_event *r = &G->ev[i];
	if (r->kind != EV_R || !r->paired || r->idx + 1 >= len[(int)r->thr])
		return -1;
	int w = of[(int)r->thr][r->idx + 1];
	return G->ev[w].paired && G->ev[w].kind == EV_W ? w : -1;
}

/* rmw & (fr ; co) is not empty: some write sits between an RMW's read and its
 * write in co (external: LKMM's atomic; internal: a coherence cycle), that
 * is, the RMW's write is not the co-next of the write its read reads. */
static bool breaks_atomicity(const struct gx_graph *G, int (*of)[GX_MAX_EVENTS], const int *len,
			     const int *loc, const int *first, const int *co_next)
{
	for (int i = 0; i < G->n; i++) {
		int w = rmw_write(G, of, len, i);
		if (w >= 0 && (G->ev[i].rf == GX_INIT ? first[loc[i]] : co_next[G->ev[i].rf]) != w)
			return true;
	}
	return false;
}

/* What both verdicts start from: the graph, its threads in order and its
 * locations' co chains (one set per thread: gx runs on one). */
static __thread struct quick {
	const struct gx_graph *G;
	int nthreads, nloc;
	int of[GX_MAX_THREADS][GX_MAX_EVENTS], len[GX_MAX_THREADS];
	int loc[GX_MAX_EVENTS], first[GX_MAX_EVENTS], co_next[GX_MAX_EVENTS];
} Q;

/* co_chains from the current graph's index (engine/gx_index.c): the same
 * chains, locations numbered the same way (in the order of ev[]). */
static int co_chains_indexed(const struct gx *g, int *loc, int *first, int *co_next)
{
	const struct gx_ix *x = &g->ix;
	for (int i = 0; i < g->cur.n; i++) {
		loc[i] = x->ev[i].loc;
		co_next[i] = x->ev[i].co_next;
	}
	for (int l = 0; l < x->map.n; l++)
		first[l] = x->loc[l].co_first;
	return x->map.n;
}

static void prepare(const struct gx *g)
{
	Q.G = g->view ? g->view : &g->cur;
	Q.nthreads = g->nthreads;
	thread_order(Q.G, Q.of, Q.len);
	if (!g->view && g->ix.valid)
		Q.nloc = co_chains_indexed(g, Q.loc, Q.first, Q.co_next);
	else
		Q.nloc = co_chains(Q.G, Q.loc, Q.first, Q.co_next);
#ifdef GX_INDEX_CHECK
	static __thread int loc[GX_MAX_EVENTS], first[GX_MAX_EVENTS], co_next[GX_MAX_EVENTS];
	int nloc = co_chains(Q.G, loc, first, co_next);
	bool same = nloc == Q.nloc;
	for (int i = 0; i < Q.G->n && same; i++)
		same =
		    loc[i] == Q.loc[i] && (Q.G->ev[i].kind != EV_W || co_next[i] == Q.co_next[i]);
	for (int l = 0; l < nloc && same; l++)
		same = first[l] == Q.first[l];
	if (!same) {
		fprintf(stderr, "gx_quick: the index's co chains differ\n");
		_exit(97);
	}
#endif
}

static bool refuted(void)
{
	const struct gx_graph *G = Q.G;
	static __thread short view[GX_MAX_EVENTS][GX_MAX_THREADS];
	/* after[w][t]: the lowest index of thread t's writes at or co-after w */
	static __thread short after[GX_MAX_EVENTS][GX_MAX_THREADS];
	static __thread int chain[GX_MAX_EVENTS];
	if (breaks_atomicity(G, Q.of, Q.len, Q.loc, Q.first, Q.co_next))
		return true;
	if (!make_views(G, Q.nthreads, Q.of, Q.len, view))
		return false;
	for (int l = 0; l < Q.nloc; l++) { /* each chain backwards */
		int k = 0;
		for (int j = Q.first[l]; j >= 0; j = Q.co_next[j])
			chain[k++] = j;
		for (int t = 0; t < GX_MAX_THREADS && k; t++)
			after[chain[k - 1]][t] = SHRT_MAX;
		for (int m = k - 1; m >= 0; m--) {
			int j = chain[m], t = G->ev[j].thr;
			if (m < k - 1)
				memcpy(after[j], after[chain[m + 1]], sizeof(after[j]));
			if (G->ev[j].idx < after[j][t])
				after[j][t] = G->ev[j].idx;
		}
	}
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (Q.loc[i] < 0)
			continue;
		/* the writes co-after what e must not be below (itself, or its
		 * write): does e see one of them? */
		int j = e->kind == EV_W	   ? Q.co_next[i]
			: e->rf == GX_INIT ? Q.first[Q.loc[i]]
					   : Q.co_next[e->rf];
		for (int t = 0; j >= 0 && t < Q.nthreads; t++)
			if (after[j][t] < view[i][t])
				return true;
	}
	return false;
}

bool gx_refuted_quickly(const struct gx *g)
{
	prepare(g);
	return refuted();
}

/* ---- sequential consistency ------------------------------------------------------ */

/* The edges from i of po | rf | co | fr that a cycle needs (po and co to the
 * next event, rf to each read of i, fr to the co-next write of the one i
 * reads) into out; returns how many.  rd_head / rd_next: each write's reads. */
static int successors(const struct gx_graph *G, int i, const int *rd_head, const int *rd_next,
		      int *out)
{
	const struct gx_event *e = &G->ev[i];
	int k = 0;
	if (e->idx + 1 < Q.len[(int)e->thr])
		out[k++] = Q.of[(int)e->thr][e->idx + 1];
	if (e->kind == EV_W) {
		if (Q.co_next[i] >= 0)
			out[k++] = Q.co_next[i];
		for (int r = rd_head[i]; r >= 0; r = rd_next[r])
			out[k++] = r;
	} else if (e->kind == EV_R) {
		int fr_to = e->rf == GX_INIT ? Q.first[Q.loc[i]] : Q.co_next[e->rf];
		if (fr_to >= 0)
			out[k++] = fr_to;
	}
	return k;
}

/* atomic: breaks_atomicity is known to be false. */
static bool sc_consistent(bool atomic)
{
	const struct gx_graph *G = Q.G;
	static __thread int rd_head[GX_MAX_EVENTS], rd_next[GX_MAX_EVENTS], out[GX_MAX_EVENTS + 3];
	static __thread int indeg[GX_MAX_EVENTS], ready[GX_MAX_EVENTS];
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->kind == EV_F && (e->fence == MF_SYNC_RCU || e->fence == MF_SYNC_SRCU))
			return false; /* the RCU axiom is not implied by SC */
		rd_head[i] = -1;
		indeg[i] = 0;
	}
	if (!atomic && breaks_atomicity(G, Q.of, Q.len, Q.loc, Q.first, Q.co_next))
		return false;
	for (int i = G->n - 1; i >= 0; i--) /* each write's reads */
		if (G->ev[i].kind == EV_R && G->ev[i].rf != GX_INIT) {
			rd_next[i] = rd_head[G->ev[i].rf];
			rd_head[G->ev[i].rf] = i;
		}
	for (int i = 0; i < G->n; i++)
		for (int k = successors(G, i, rd_head, rd_next, out); k--;)
			indeg[out[k]]++;
	int nready = 0, done = 0;
	for (int i = 0; i < G->n; i++)
		if (!indeg[i])
			ready[nready++] = i;
	while (nready) { /* Kahn: acyclic iff every event comes out */
		int i = ready[--nready];
		done++;
		for (int k = successors(G, i, rd_head, rd_next, out); k--;)
			if (!--indeg[out[k]])
				ready[nready++] = out[k];
	}
	return done == G->n;
}

bool gx_sc_consistent(const struct gx *g)
{
	prepare(g);
	return sc_consistent(false);
}

int gx_quick_verdict(const struct gx *g)
{
	prepare(g);
	return refuted() ? 0 : sc_consistent(true) ? 1 : -1; /* not refuted: atomic */
}
