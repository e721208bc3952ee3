/* engine/gx_index.c - per-location indexes of the explorer's current graph
 * (struct gx_ix in engine/gx_impl.h), so that adding an event costs about the
 * number of writes of its location instead of a scan of the whole graph: each
 * location's writes in co order and in ev[] order, each thread's coherence
 * floor on it, and how many of its RMWs break atomicity.
 *
 * The index follows the graph as events are appended (gx_ix_added); anything
 * else that changes it (an event put in before others, a key bound by the
 * replay, a new graph from the stack) makes it invalid, and the next question
 * rebuilds it from ev[] (gx_ix_ensure).  Co ranks are not kept: only the order
 * of a location's writes, which co_after's renumbering leaves as it is.
 *
 * Every answer is the one the scan over ev[] it replaces gave; a build with
 * -DGX_INDEX_CHECK compares them after every change (tests: test_gx). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/gx_impl.h"

/* Rank of a floor (a write, GX_INIT, or -2: none). */
static int floor_rank(const struct gx_graph *G, int f)
{
	return f == -2 ? -2 : rank_of(G, f);
}

/* The RMW read whose write w is, or -1. */
static int pair_read(const struct gx_graph *G, int w)
{
	return w > 0 && rmw_write_of(G, w - 1) == w ? w - 1 : -1;
}

/* Is RMW write w (read r) atomic, with p the write co-before it (-1: none)?
 * Nothing of its location in co strictly between r's write and w. */
static bool pair_atomic(const struct gx_graph *G, int r, int w, int p)
{
	int lo = rank_of(G, G->ev[r].rf), hi = G->ev[w].co;
	return hi > lo && (p < 0 || G->ev[p].co <= lo);
}

static void new_loc(struct gx_ix *x, int l)
{
	x->co_first[l] = x->co_last[l] = x->ev_first[l] = x->ev_last[l] = -1;
	x->broken[l] = 0;
	for (int t = 0; t < GX_MAX_THREADS; t++)
		x->floor[l][t] = -2;
}

/* Links write w of location l into both its lists and counts what it does to
 * atomicity: the RMW write co-after it gets a new co-predecessor. */
static void link_write(const struct gx_graph *G, struct gx_ix *x, int l, int w)
{
	x->ev_next[w] = -1;
	if (x->ev_last[l] < 0)
		x->ev_first[l] = w;
	else
		x->ev_next[x->ev_last[l]] = w;
	x->ev_last[l] = w;
	int p = x->co_last[l];
	while (p >= 0 && G->ev[p].co > G->ev[w].co)
		p = x->co_prev[p];
	int q = p < 0 ? x->co_first[l] : x->co_next[p];
	int rq = q < 0 ? -1 : pair_read(G, q);
	if (rq >= 0)
		x->broken[l] -= !pair_atomic(G, rq, q, p);
	x->co_prev[w] = p;
	x->co_next[w] = q;
	if (p < 0)
		x->co_first[l] = w;
	else
		x->co_next[p] = w;
	if (q < 0)
		x->co_last[l] = w;
	else
		x->co_prev[q] = w;
	if (rq >= 0)
		x->broken[l] += !pair_atomic(G, rq, q, w);
	int rw = pair_read(G, w);
	if (rw >= 0)
		x->broken[l] += !pair_atomic(G, rw, w, p);
}

/* Event i (every event before it indexed) into the index. */
static void add_event(const struct gx_graph *G, struct gx_ix *x, int i)
{
	const struct gx_event *e = &G->ev[i];
	if (e->kind == EV_F) {
		x->loc[i] = -1;
		return;
	}
	int known = x->map.n, l = gx_loc_id(&x->map, e->key);
	if (l == known)
		new_loc(x, l);
	x->loc[i] = l;
	int src = is_write(e) ? i : e->rf, *f = &x->floor[l][(int)e->thr];
	if (floor_rank(G, src) > floor_rank(G, *f))
		*f = src;
	if (is_write(e))
		link_write(G, x, l, i);
}

static void build(const struct gx_graph *G, struct gx_ix *x)
{
	gx_loc_reset(&x->map);
	for (int i = 0; i < G->n; i++)
		add_event(G, x, i);
	x->valid = true;
}

#ifdef GX_INDEX_CHECK
/* The scans the index replaces, and a fresh index, against the index. */
static void check_index(const struct gx *g)
{
	static struct gx_ix fresh;
	const struct gx_graph *G = &g->cur;
	const struct gx_ix *x = &g->ix;
	build(G, &fresh);
	bool bad = fresh.map.n != x->map.n;
	int why = bad;
	for (int i = 0; i < G->n && !bad; i++) {
		bad = fresh.loc[i] != x->loc[i];
		if (is_write(&G->ev[i]))
			bad = bad || fresh.co_prev[i] != x->co_prev[i] ||
			      fresh.co_next[i] != x->co_next[i] ||
			      fresh.ev_next[i] != x->ev_next[i];
		why = bad ? 1000 + i : 0;
	}
	for (int l = 0; l < x->map.n && !bad; l++) {
		bad = fresh.co_first[l] != x->co_first[l] || fresh.co_last[l] != x->co_last[l] ||
		      fresh.ev_first[l] != x->ev_first[l] || fresh.ev_last[l] != x->ev_last[l] ||
		      fresh.broken[l] != x->broken[l];
		for (int t = 0; t < GX_MAX_THREADS; t++)
			bad = bad ||
			      floor_rank(G, fresh.floor[l][t]) != floor_rank(G, x->floor[l][t]);
		why = bad ? 2000 + l : why;
	}
	for (int i = 0; i < G->n && !bad; i++) { /* the old scans */
		const struct gx_event *e = &G->ev[i];
		/* key 0: a loaded graph's events not re-created yet (gx_load): the
		 * ranks of several locations, which tie */
		if (e->kind == EV_F || !e->key)
			continue;
		int l = x->loc[i], f = -2, top = -1, broken = 0;
		for (int j = 0; j < G->n; j++) {
			const struct gx_event *o = &G->ev[j];
			if (o->key != e->key || o->kind == EV_F)
				continue;
			int r = is_write(o) ? o->co : rank_of(G, o->rf);
			if (o->thr == e->thr && r > f)
				f = r;
			if (is_write(o) && o->co > top)
				top = o->co;
			int w = is_read(o) ? rmw_write_of(G, j) : -1;
			if (w < 0)
				continue;
			int lo = rank_of(G, o->rf), hi = G->ev[w].co;
			bool ok = hi > lo;
			for (int k = 0; k < G->n && ok; k++)
				ok = !(is_write(&G->ev[k]) && G->ev[k].key == e->key &&
				       G->ev[k].co > lo && G->ev[k].co < hi);
			broken += !ok;
		}
		bad = f != floor_rank(G, x->floor[l][(int)e->thr]) ||
		      top != rank_of(G, x->co_last[l] < 0 ? GX_INIT : x->co_last[l]) ||
		      (broken == 0) != (x->broken[l] == 0);
		why = bad ? 3000 + i : why;
	}
	if (bad) {
		fprintf(stderr, "gx_index: the index differs from the graph (%d, rpos %d)\n", why,
			g->rpos);
		gx_dump(g, stderr);
		_exit(98);
	}
}
#else
static void check_index(const struct gx *g)
{
	(void)g;
}
#endif

void gx_ix_ensure(struct gx *g)
{
	if (!g->ix.valid) {
		build(&g->cur, &g->ix);
		check_index(g);
	}
}

void gx_ix_added(struct gx *g, int pos)
{
	if (!g->ix.valid)
		return;
	if (pos != g->cur.n - 1) { /* indices moved: rebuilt when next asked */
		g->ix.valid = false;
		return;
	}
	add_event(&g->cur, &g->ix, pos);
	check_index(g);
}

int gx_ix_loc(struct gx *g, uintptr_t key)
{
	gx_ix_ensure(g);
	return gx_loc_find(&g->ix.map, key);
}

int gx_ix_floor(const struct gx *g, int l, int thr)
{
	return l < 0 ? -2 : floor_rank(&g->cur, g->ix.floor[l][thr]);
}

int gx_ix_top(const struct gx *g, int l)
{
	return l < 0 || g->ix.co_last[l] < 0 ? GX_INIT : g->ix.co_last[l];
}

int gx_ix_top_before(const struct gx *g, int l, int upto)
{
	int w = l < 0 ? -1 : g->ix.co_last[l];
	while (w >= upto)
		w = g->ix.co_prev[w];
	return w < 0 ? GX_INIT : w;
}

int gx_ix_shift(const struct gx *g, int l, int rx, struct gx_event *ev)
{
	for (int w = l < 0 ? -1 : g->ix.co_last[l]; w >= 0 && ev[w].co > rx; w = g->ix.co_prev[w])
		ev[w].co++;
	return rx + 1;
}

bool gx_ix_atomic(const struct gx *g, int l)
{
	return l < 0 || g->ix.broken[l] == 0;
}

bool gx_ix_breaks_after(const struct gx *g, int l, int src)
{
	if (l < 0)
		return false;
	const struct gx_ix *x = &g->ix;
	int q = src == GX_INIT ? x->co_first[l] : x->co_next[src];
	int rq = q < 0 ? -1 : pair_read(&g->cur, q);
	return rq >= 0 && pair_atomic(&g->cur, rq, q, src == GX_INIT ? -1 : src);
}
