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

static void new_loc(struct gx_ix_location *L)
{
	L->co_first = L->co_last = L->ev_first = L->ev_last = -1;
	L->broken = 0;
	L->readers = 0;
	for (int t = 0; t < GX_MAX_THREADS; t++)
		L->floor[t] = -2;
}

/* Links write w of location L into both its lists and counts what it does to
 * atomicity: the RMW write co-after it gets a new co-predecessor. */
static void link_write(const struct gx_graph *G, struct gx_ix *x, struct gx_ix_location *L, int w)
{
	struct gx_ix_event *we = &x->ev[w];
	we->ev_next = -1;
	if (L->ev_last < 0)
		L->ev_first = w;
	else
		x->ev[L->ev_last].ev_next = w;
	L->ev_last = w;
	int p = L->co_last;
	while (p >= 0 && G->ev[p].co > G->ev[w].co)
		p = x->ev[p].co_prev;
	int q = p < 0 ? L->co_first : x->ev[p].co_next;
	int rq = q < 0 ? -1 : pair_read(G, q);
	if (rq >= 0)
		L->broken -= !pair_atomic(G, rq, q, p);
	we->co_prev = p;
	we->co_next = q;
	if (p < 0)
		L->co_first = w;
	else
		x->ev[p].co_next = w;
	if (q < 0)
		L->co_last = w;
	else
		x->ev[q].co_prev = w;
	if (rq >= 0)
		L->broken += !pair_atomic(G, rq, q, w);
	int rw = pair_read(G, w);
	if (rw >= 0)
		L->broken += !pair_atomic(G, rw, w, p);
}

/* Event i (every event before it indexed) into the index. */
static void add_event(const struct gx_graph *G, struct gx_ix *x, int i)
{
	const struct gx_event *e = &G->ev[i];
	if (e->kind == EV_F) {
		x->ev[i].loc = -1;
		return;
	}
	int l = x->last_loc;
	if (l < 0 || x->last_key != e->key) { /* not the location asked about last */
		int known = x->map.n;
		l = gx_loc_id(&x->map, e->key);
		if (l == known)
			new_loc(&x->loc[l]);
		x->last_key = e->key;
		x->last_loc = l;
	}
	struct gx_ix_location *L = &x->loc[l];
	x->ev[i].loc = l;
	int src = is_write(e) ? i : e->rf, *f = &L->floor[(int)e->thr];
	if (floor_rank(G, src) > floor_rank(G, *f))
		*f = src;
	if (is_write(e))
		link_write(G, x, L, i);
	else if (!e->newest_only)
		L->readers |= 1u << e->thr;
}

static void build(const struct gx_graph *G, struct gx_ix *x)
{
	gx_loc_reset(&x->map);
	x->last_loc = -1;
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
		const struct gx_ix_event *a = &fresh.ev[i], *b = &x->ev[i];
		bad = a->loc != b->loc;
		if (is_write(&G->ev[i]))
			bad = bad || a->co_prev != b->co_prev || a->co_next != b->co_next ||
			      a->ev_next != b->ev_next;
		why = bad ? 1000 + i : 0;
	}
	for (int l = 0; l < x->map.n && !bad; l++) {
		const struct gx_ix_location *a = &fresh.loc[l], *b = &x->loc[l];
		bad = a->co_first != b->co_first || a->co_last != b->co_last ||
		      a->ev_first != b->ev_first || a->ev_last != b->ev_last ||
		      a->broken != b->broken || a->readers != b->readers;
		for (int t = 0; t < GX_MAX_THREADS; t++)
			bad = bad || floor_rank(G, a->floor[t]) != floor_rank(G, b->floor[t]);
		why = bad ? 2000 + l : why;
	}
	for (int i = 0; i < G->n && !bad; i++) { /* the old scans */
		const struct gx_event *e = &G->ev[i];
		/* key 0: a loaded graph's events not re-created yet (gx_load): the
		 * ranks of several locations, which tie */
		if (e->kind == EV_F || !e->key)
			continue;
		const struct gx_ix_location *L = &x->loc[x->ev[i].loc];
		int f = -2, top = -1, broken = 0;
		unsigned readers = 0;
		for (int j = 0; j < G->n; j++) {
			const struct gx_event *o = &G->ev[j];
			if (o->key != e->key || o->kind == EV_F)
				continue;
			int r = is_write(o) ? o->co : rank_of(G, o->rf);
			if (o->thr == e->thr && r > f)
				f = r;
			if (is_write(o) && o->co > top)
				top = o->co;
			if (is_read(o) && !o->newest_only)
				readers |= 1u << o->thr;
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
		bad = f != floor_rank(G, L->floor[(int)e->thr]) ||
		      top != rank_of(G, L->co_last < 0 ? GX_INIT : L->co_last) ||
		      (broken == 0) != (L->broken == 0) || readers != L->readers;
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

int gx_ix_loc_lookup(struct gx *g, uintptr_t key)
{
	struct gx_ix *x = &g->ix;
	gx_ix_ensure(g);
	if (x->last_loc >= 0 && x->last_key == key) /* a number, once given, stays */
		return x->last_loc;
	int l = gx_loc_find(&x->map, key);
	if (l >= 0) {
		x->last_key = key;
		x->last_loc = l;
	}
	return l;
}
int gx_ix_floor(const struct gx *g, int l, int thr)
{
	return l < 0 ? -2 : floor_rank(&g->cur, g->ix.loc[l].floor[thr]);
}

int gx_ix_top(const struct gx *g, int l)
{
	return l < 0 || g->ix.loc[l].co_last < 0 ? GX_INIT : g->ix.loc[l].co_last;
}

int gx_ix_top_before(const struct gx *g, int l, int upto)
{
	int w = l < 0 ? -1 : g->ix.loc[l].co_last;
	while (w >= upto)
		w = g->ix.ev[w].co_prev;
	return w < 0 ? GX_INIT : w;
}

int gx_ix_shift(const struct gx *g, int l, int rx, struct gx_event *ev)
{
	int w = l < 0 ? -1 : g->ix.loc[l].co_last;
	for (; w >= 0 && ev[w].co > rx; w = g->ix.ev[w].co_prev)
		ev[w].co++;
	return rx + 1;
}

bool gx_ix_atomic(const struct gx *g, int l)
{
	return l < 0 || g->ix.loc[l].broken == 0;
}

bool gx_ix_breaks_after(const struct gx *g, int l, int src)
{
	if (l < 0)
		return false;
	const struct gx_ix *x = &g->ix;
	int q = src == GX_INIT ? x->loc[l].co_first : x->ev[src].co_next;
	int rq = q < 0 ? -1 : pair_read(&g->cur, q);
	return rq >= 0 && pair_atomic(&g->cur, rq, q, src == GX_INIT ? -1 : src);
}
