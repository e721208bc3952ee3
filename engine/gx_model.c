/* engine/gx_model.c - the explorer's graph as a model graph (gx_to_exg,
 * engine/gx.h): which events go in, their dependencies and co, for
 * model/lkmm.c and the other models. */
#include <stdio.h>
#include <string.h>

#include "engine/gx_impl.h"

/* Does event e order anything beyond its location, so that it stays in the
 * model graph even where one CPU alone uses the location? */
static bool orders_beyond(const struct gx_event *e)
{
	return e->kind == EV_F || (e->flags & (EVF_MB | EVF_LKR | EVF_LKW | EVF_UL | EVF_LF));
}

/* Which events go into the model graph: every access to a location two CPUs
 * use, and of the others only fences, full-barrier RMWs and lock operations.
 * A location one CPU alone uses gives its reads exactly its own last write and
 * relates to nothing outside the CPU: po between the events kept is the same,
 * dependencies through such a location reach the model directly (explicit
 * dependencies are transitive), and ctrl from its reads adds nothing the CPU's
 * other reads do not (see gx.h); fences and barrier-like operations stay. */
static void pick_events(const struct gx_graph *G, bool whole, bool *keep, uintptr_t *keys,
			int *loc_of, int *nkeys)
{
	static __thread unsigned users[GX_MAX_EVENTS];
	static __thread struct gx_locmap map;
	gx_loc_reset(&map);
	int nk = 0;
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		loc_of[i] = -1;
		if (e->kind == EV_F)
			continue;
		int k = gx_loc_id(&map, e->key);
		if (k == nk) {
			keys[nk] = e->key;
			users[nk++] = 0;
		}
		users[k] |= 1u << e->thr;
		loc_of[i] = k;
	}
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		keep[i] = whole || orders_beyond(e) || (users[loc_of[i]] & (users[loc_of[i]] - 1));
	}
	/* a location stays when any of its events does: then all of them */
	static __thread bool loc_kept[GX_MAX_EVENTS];
	for (int k = 0; k < nk; k++)
		loc_kept[k] = false;
	for (int i = 0; i < G->n; i++)
		if (keep[i] && loc_of[i] >= 0)
			loc_kept[loc_of[i]] = true;
	for (int i = 0; i < G->n; i++)
		if (loc_of[i] >= 0)
			keep[i] = loc_kept[loc_of[i]];
	/* renumber the kept locations densely */
	static __thread int dense[GX_MAX_EVENTS];
	int nd = 0;
	for (int k = 0; k < nk; k++)
		dense[k] = loc_kept[k] ? nd++ : -1;
	for (int i = 0; i < G->n; i++)
		if (loc_of[i] >= 0)
			loc_of[i] = dense[loc_of[i]];
	*nkeys = nd;
}

/* The dependencies e has on the reads it names, and ctrl: from every read of
 * the CPU to every later write (conservative), or from the reads before its
 * ctrl_upto (gx_access's ctrl_exact).  Into a read: addr (dep_all: on
 * every earlier read).  Into a store: the reads it names are its address's
 * (wmm_store_dep; a store's value is not tracked), addr, and so is dep_all
 * there (an address that depends on more reads than a dependency holds: on
 * every earlier one).  Into an RMW's write, dep_all (on every earlier read but
 * its own read) is data.  before[0, nb): the kept events of e's thread before
 * it, in program order. */
static void dep_edges(const struct gx_graph *G, const int *before, int nb, const int *id, int i,
		      struct exg *x)
{
	const struct gx_event *e = &G->ev[i];
	bool rmw_write = is_write(e) && nb > 0 && rmw_write_of(G, before[nb - 1]) == i;
	for (int k = 0; k < nb; k++) {
		int j = before[k];
		const struct gx_event *d = &G->ev[j];
		if (!is_read(d))
			continue;
		bool named = false;
		for (unsigned q = 0; q < e->ndeps && !named; q++)
			named = e->deps[q] == d->idx;
		bool own_read = is_write(e) && rmw_write_of(G, j) == i;
		if (!is_write(e) && (named || e->dep_all))
			rel_add(&x->addr, id[j], id[i]);
		if (is_write(e) && (named || (e->dep_all && !rmw_write)) && !own_read)
			rel_add(&x->addr, id[j], id[i]);
		if (rmw_write && e->dep_all && !own_read)
			rel_add(&x->data, id[j], id[i]);
		if (is_write(e) && gx_ctrl_on(e, d->idx))
			rel_add(&x->ctrl, id[j], id[i]);
	}
}

/* co of the kept writes: the initial write of each location first, then its
 * writes by rank, as a chain (exg_finish closes it). */
static void co_edges(const struct gx_graph *G, const bool *keep, const int *id, const int *loc_of,
		     int nkeys, struct exg *x)
{
	static __thread int last[GX_MAX_EVENTS], order[GX_MAX_EVENTS];
	int nw = 0;
	for (int i = 0; i < G->n; i++)
		if (keep[i] && is_write(&G->ev[i]))
			order[nw++] = i;
	/* by (location, rank): insertion sort, few writes per location */
	for (int a = 1; a < nw; a++)
		for (int b = a; b > 0; b--) {
			int p = order[b - 1], q = order[b];
			if (loc_of[p] < loc_of[q] ||
			    (loc_of[p] == loc_of[q] && G->ev[p].co < G->ev[q].co))
				break;
			order[b - 1] = q;
			order[b] = p;
		}
	for (int k = 0; k < nkeys; k++)
		last[k] = k; /* the initial write's id */
	for (int a = 0; a < nw; a++) {
		int i = order[a];
		rel_add(&x->co, last[loc_of[i]], id[i]);
		last[loc_of[i]] = id[i];
	}
}

int gx_to_exg(const struct gx *g, struct exg *x, char *err, size_t n)
{
	const struct gx_graph *G = g->view ? g->view : &g->cur;
	static __thread uintptr_t keys[GX_MAX_EVENTS];
	static __thread int id[GX_MAX_EVENTS], loc_of[GX_MAX_EVENTS];
	static __thread bool keep[GX_MAX_EVENTS];
	static __thread int tev[GX_MAX_THREADS][GX_MAX_EVENTS], pos[GX_MAX_EVENTS];
	int nkeys, nev = 0, ntev[GX_MAX_THREADS] = {0};
	pick_events(G, g->whole, keep, keys, loc_of, &nkeys);
	for (int i = 0; i < G->n; i++)
		nev += keep[i];
	if (nkeys + nev > REL_MAX_BIG) {
		snprintf(err, n,
			 "the graph has %d events on %d locations two CPUs use, more than the "
			 "model's %d",
			 nev, nkeys, REL_MAX_BIG);
		return -1;
	}
	exg_init_cap(x, nkeys + nev);
	for (int k = 0; k < nkeys; k++)
		exg_add(x, -1, EV_W, k, 0, 0, MF_NONE);
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		id[i] = !keep[i] ? -1
				 : exg_add(x, e->thr, (enum ev_kind)e->kind, loc_of[i],
					   (long long)e->val, e->flags, (enum model_fence)e->fence);
		if (keep[i]) {
			x->ev[id[i]].src = i;
			pos[i] = ntev[(int)e->thr];
			tev[(int)e->thr][ntev[(int)e->thr]++] = i;
		}
	}
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (!keep[i])
			continue;
		if (is_read(e)) {
			rel_add(&x->rf, e->rf == GX_INIT ? loc_of[i] : id[e->rf], id[i]);
			int w = rmw_write_of(G, i);
			if (w >= 0)
				rel_add(&x->rmw, id[i], id[w]);
		}
		if (e->kind != EV_F)
			dep_edges(G, tev[(int)e->thr], pos[i], id, i, x);
	}
	co_edges(G, keep, id, loc_of, nkeys, x);
	exg_finish(x);
	return 0;
}

const void *gx_event_tag(const struct gx *g, int i)
{
	const struct gx_graph *G = g->view ? g->view : &g->cur;
	return i >= 0 && i < G->n ? G->ev[i].tag : NULL;
}
