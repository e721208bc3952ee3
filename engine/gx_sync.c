/* engine/gx_sync.c - gx_refuted_by_sync() (engine/gx.h): model/lkmm.c's
 * lkmm_refuted_by_sync computed on the explorer's own graph, without building
 * the model's graph.  Most graphs the LKMM check refuses in scenario code are
 * refused this way (a read in a critical section offered a write from before
 * the previous holder's), so the explorer asks this first and the whole check
 * only for what is left.
 *
 * Each event gets a view: for every thread, how many of its first events
 * reach it along po and release -> acquire reads-from edges (lock.cat: UL ->
 * LKR too).  Views are made in an order where an acquire comes after the
 * release it reads (a graph here has no po | rf cycle).  An access is refuted
 * when a write of its location in its view is co-after the write it reads
 * (fr) or co-after itself (co).  tests/unit/test_gx.c checks the two agree on
 * every graph of its random programs. */
#include <limits.h>
#include <string.h>

#include "engine/gx_impl.h"

static bool syncs(const struct gx_graph *G, const struct gx_event *e)
{
	if (e->kind != EV_R || e->rf == GX_INIT || !(e->flags & (EVF_ACQUIRE | EVF_LKR)))
		return false;
	const struct gx_event *w = &G->ev[e->rf];
	return w->thr != e->thr && (w->flags & (EVF_RELEASE | EVF_UL));
}

/* The views of G's events (view[i][t]: thread t's events with idx below it
 * reach event i).  False when some acquire's release never gets a view
 * (cannot happen in a graph without a po | rf cycle). */
static bool make_views(const struct gx_graph *G, int nthreads, short (*view)[GX_MAX_THREADS])
{
	static __thread int of[GX_MAX_THREADS][GX_MAX_EVENTS];
	static __thread bool made[GX_MAX_EVENTS];
	int len[GX_MAX_THREADS] = {0}, next[GX_MAX_THREADS] = {0}, left = G->n;
	for (int i = 0; i < G->n; i++) {
		int t = G->ev[i].thr, k = G->ev[i].idx;
		of[t][k] = i;
		if (k + 1 > len[t])
			len[t] = k + 1;
		made[i] = false;
	}
	for (bool moved = true; moved && left;) {
		moved = false;
		for (int t = 0; t < nthreads; t++)
			for (; next[t] < len[t]; next[t]++, left--, moved = true) {
				int i = of[t][next[t]];
				const struct gx_event *e = &G->ev[i];
				bool s = syncs(G, e);
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

/* Links the writes of each location: first[] by location (loc[i]: event i's),
 * next_w[j]: the next write of j's location.  Returns the number of locations. */
static int link_writes(const struct gx_graph *G, int *loc, int *first, int *next_w)
{
	static __thread uintptr_t keys[GX_MAX_EVENTS];
	int nloc = 0;
	for (int i = G->n - 1; i >= 0; i--) {
		const struct gx_event *e = &G->ev[i];
		loc[i] = -1;
		if (e->kind == EV_F)
			continue;
		int l = 0;
		while (l < nloc && keys[l] != e->key)
			l++;
		if (l == nloc) {
			keys[nloc++] = e->key;
			first[l] = -1;
		}
		loc[i] = l;
		if (e->kind == EV_W) {
			next_w[i] = first[l];
			first[l] = i;
		}
	}
	return nloc;
}

bool gx_refuted_by_sync(const struct gx *g)
{
	const struct gx_graph *G = g->view ? g->view : &g->cur;
	static __thread short view[GX_MAX_EVENTS][GX_MAX_THREADS];
	static __thread int loc[GX_MAX_EVENTS], first[GX_MAX_EVENTS], next_w[GX_MAX_EVENTS];
	if (!make_views(G, g->nthreads, view))
		return false;
	link_writes(G, loc, first, next_w);
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (loc[i] < 0)
			continue;
		/* the co rank e must not be below: its own, or its write's */
		int floor = e->kind == EV_W ? e->co : e->rf == GX_INIT ? INT_MIN : G->ev[e->rf].co;
		for (int j = first[loc[i]]; j >= 0; j = next_w[j]) {
			const struct gx_event *w = &G->ev[j];
			if (j != i && w->co > floor && w->idx < view[i][(int)w->thr])
				return true;
		}
	}
	return false;
}
