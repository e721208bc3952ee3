/* engine/gx.c - the graph explorer (engine/gx.h): the current graph, how a
 * read, a write and an RMW are added with the alternatives they leave on the
 * stack.  The rest of the explorer: gx_revisit.c (revisits), gx_stack.c (the stack,
 * lifetime, settings), gx_hash.c (graph hashes and sets), gx_model.c (the
 * model graph), gx_quick.c (quick LKMM verdicts), gx_save.c (reproducer
 * bytes), gx_state.c (--resume); their shared structures are gx_impl.h.
 *
 * Representation.  ev[] holds the events in the order the program re-creates
 * them (replay order: a thread's events in program order).  Each event also has
 * a stamp, the order it was added in: revisits cut by stamp.  A revisited read
 * keeps its stamp (TruSt's); a cut by stamp still never leaves a read without
 * its write, because the events in the prefix of a write that revisited are
 * settled: never revisited again (but for a lock read an unlock revisited in
 * place, which gx_revisit.c repairs).  co is a rank per write (only the order
 * of ranks counts; the initial write is below every rank).
 *
 * The algorithm is GenMC's (reads branch over the writes they may read, writes
 * over their co places and over revisits of every earlier read outside their
 * (po | rf)-prefix), with TruSt's maximality condition on revisits
 * (gx_revisit.c): each execution is reached once.  A set of the graphs already
 * put on the stack (a hash of events, rf, co, stamps and the maximality flags)
 * stays as a safety net.
 * Coherence (a thread never reads or writes co-before what it already saw)
 * prunes while adding, atomicity once a new write's revisits are made; the
 * memory model is checked on each graph pushed (gx_set_check) and by the
 * caller on each finished one.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gx_impl.h"

/* ---- small helpers ---------------------------------------------------------------- */

static u128 sub_mask(unsigned size)
{
	return size >= 16 ? ~(u128)0 : (((u128)1 << (8 * size)) - 1);
}

/* The write of an RMW that read old: *ok and the new value. */
static u128 rmw_apply(const struct gx_event *r, u128 old, bool *ok)
{
	unsigned size = r->size ? r->size : 16;
	u128 m = sub_mask(size) << (8 * r->off);
	u128 o = (old & m) >> (8 * r->off), nv = 0;
	*ok = true;
	switch (r->rmw) {
	case GX_RMW_XCHG: nv = r->operand; break;
	case GX_RMW_ADD: nv = o + r->operand; break;
	case GX_RMW_AND: nv = o & r->operand; break;
	case GX_RMW_OR: nv = o | r->operand; break;
	case GX_RMW_CMPXCHG:
		*ok = o == (r->expected & sub_mask(size));
		nv = r->operand;
		break;
	case GX_RMW_ADD_UNLESS:
		*ok = o != (r->expected & sub_mask(size));
		nv = o + r->operand;
		break;
	case GX_RMW_MERGE: nv = r->operand; break; /* not an RMW's (gx_merge.c) */
	}
	if (r->op == GX_LOCK || r->op == GX_TRYLOCK) {
		*ok = old == 0;
		return 1;
	}
	return (old & ~m) | ((nv << (8 * r->off)) & m);
}

/* ---- editing the current graph ------------------------------------------------------- */

/* Inserts *e at index pos of G (the replay position), moving what follows;
 * every index that pointed at or after pos moves with it. */
static int insert_at(struct gx *g, int pos, const struct gx_event *e)
{
	struct gx_graph *G = &g->cur;
	if (G->n >= GX_MAX_EVENTS) {
		g->full = true;
		return -1;
	}
	if (pos == G->n) { /* nothing points at or after pos */
		G->ev[G->n++] = *e;
		gx_ix_added(g, pos);
		g->st.events++;
		return pos;
	}
	memmove(&G->ev[pos + 1], &G->ev[pos], (size_t)(G->n - pos) * sizeof(*e));
	G->n++;
	G->ev[pos] = *e;
	for (int i = 0; i < G->n; i++) {
		struct gx_event *x = &G->ev[i];
		if (i != pos && is_read(x) && x->rf >= pos)
			x->rf++;
		if (i != pos && x->poll_src >= pos)
			x->poll_src++;
	}
	for (int t = 0; t < GX_MAX_THREADS; t++) {
		if (g->last_read[t] >= pos)
			g->last_read[t]++;
		if (g->poll_src[t] >= pos)
			g->poll_src[t]++;
	}
	gx_ix_added(g, pos);
	g->st.events++;
	return pos;
}

/* The co-latest write of location l's rank (-1: none). */
static int co_max(const struct gx *g, int l)
{
	return rank_of(&g->cur, gx_ix_top(g, l));
}

/* The co places of a new write of location l in ev[] order: GX_INIT, then each
 * write of l; -2 after the last. */
static int next_place(const struct gx *g, int l, int x)
{
	int n = x == GX_INIT ? gx_ix_first_write(g, l) : gx_ix_next_write(g, x);
	return n < 0 ? -2 : n;
}

/* ---- adding events ---------------------------------------------------------------------- */

/* The ctrl_upto of access a, its thread's idx-th event. */
static short ctrl_bound(const struct gx_access *a, int idx)
{
	if (!a->ctrl_exact)
		return GX_CTRL_ALL;
	return (short)(a->ctrl_upto < 0 ? 0 : a->ctrl_upto > idx ? idx : a->ctrl_upto);
}

static void fill_event(struct gx_event *e, int thr, int idx, const struct gx_access *a)
{
	memset(e, 0, sizeof(*e));
	e->thr = (signed char)thr;
	e->idx = (short)idx;
	e->key = a->key;
	e->op = (unsigned char)a->op;
	e->rmw = (unsigned char)a->rmw;
	e->off = (unsigned char)a->off;
	e->size = (unsigned char)a->size;
	e->operand = a->val;
	e->expected = a->expected;
	e->fence = (unsigned char)a->fence;
	e->flags = a->flags;
	e->poll_src = -2;
	e->rf = GX_INIT;
	e->ndeps = (unsigned char)(a->ndeps < GX_DEPS ? a->ndeps : GX_DEPS);
	for (unsigned k = 0; k < e->ndeps; k++)
		e->deps[k] = (short)a->deps[k];
	e->dep_all = a->dep_all || a->ndeps > GX_DEPS;
	e->newest_only = a->newest_only;
	e->tag = a->tag;
	e->ctrl_upto = ctrl_bound(a, idx);
}

/* The flags of an RMW's read and write parts (as litmus/graph.c). */
static void rmw_flags(const struct gx_access *a, bool ok, unsigned *rf, unsigned *wf)
{
	if (a->op == GX_LOCK || a->op == GX_TRYLOCK) {
		*rf = ok ? EVF_LKR : EVF_LF;
		*wf = EVF_LKW;
		return;
	}
	*rf = *wf = EVF_RMW;
	enum ss_order o = a->ord;
	if (ok && o == SS_ORD_ACQUIRE)
		*rf |= EVF_ACQUIRE;
	if (ok && o == SS_ORD_RELEASE)
		*wf |= EVF_RELEASE;
	if (ok && o == SS_ORD_FULL) {
		*rf |= EVF_MB;
		*wf |= EVF_MB;
	}
	if (!ok || o == SS_ORD_RELAXED || o == SS_ORD_ACQUIRE)
		*wf |= EVF_ONCE;
	if (!ok || o == SS_ORD_RELAXED || o == SS_ORD_RELEASE)
		*rf |= EVF_ONCE;
}

/* The writes thr's read of a may read now, co-latest first; returns how many.
 * Coherence: none co-before what thr saw of the location; a poll: co-after
 * what it read last; newest_only: the co-latest only. */
static int read_candidates(struct gx *g, int thr, const struct gx_access *a, int *out)
{
	const struct gx_graph *G = &g->cur;
	int l = gx_ix_loc(g, a->key);
	int floor = gx_ix_floor(g, l, thr);
	int poll_rank = -3;
	if (g->poll_src[thr] != -2 && g->poll_key[thr] == a->key && a->op != GX_WRITE)
		poll_rank = rank_of(G, g->poll_src[thr]);
	int top = gx_ix_top(g, l), k = 0;
	for (int w = top;; w = gx_ix_co_prev(g, w)) { /* co_prev of the co-first: GX_INIT */
		int rk = rank_of(G, w);
		if (rk < floor || (poll_rank != -3 && rk <= poll_rank) ||
		    (a->newest_only && w != top))
			break;
		out[k++] = w;
		if (w == GX_INIT)
			break;
	}
	if (a->op == GX_LOCK) {
		/* A lock that reads a held lock waits until a later unlock revisits
		 * it.  Only the co-latest write may be such a value (GenMC's
		 * filterAcquiredLocks): a read of an older held value is an
		 * alternative, never revisited, so its thread would wait for good
		 * in every graph that keeps it, and no complete execution has a
		 * lock read of a held value. */
		int m = 0;
		for (int i = 0; i < k; i++) {
			u128 v = out[i] == GX_INIT ? a->init : G->ev[out[i]].val;
			if (v == 0 || (i == 0 && out[i] == top))
				out[m++] = out[i];
		}
		k = m;
	}
	return k;
}

/* Adds write event *w (its co rank set) at index pos (at or before the replay
 * position, which moves past it) and leaves its revisits on the stack; an
 * unlock's in-place revisit (gx_revisits_of) is made then.  Its index, or -1
 * (full), -2 (atomicity broken). */
static int add_write_at(struct gx *g, struct gx_event *w, int pos, bool places)
{
	struct gx_graph *G = &g->cur;
	w->kind = EV_W;
	w->stamp = G->next_stamp++;
	int i = insert_at(g, pos, w);
	if (i < 0)
		return -1;
	g->rpos++;
	int l = gx_ix_loc(g, w->key);
	g->in_place = -1;
	if (!g->choose && gx_ix_revisitable(g, l, w->thr)) /* a chooser keeps no revisit */
		gx_revisits_of(g, G, i, places);
	if (!gx_ix_atomic(g, l)) {
		g->dead = true; /* its revisits are made: nothing more comes of it */
		return -2;
	}
	int r = g->in_place;
	g->in_place = -1;
	return r >= 0 ? gx_lock_in_place(g, r, i) : i;
}

/* Adds write event *w at the replay position (add_write_at). */
static int add_write(struct gx *g, struct gx_event *w, bool places)
{
	return add_write_at(g, w, g->rpos, places);
}

/* May a new write go right after x (GX_INIT or a write of its location) other
 * than at the top? */
static bool other_place(const struct gx_graph *G, int x, int floor, int top)
{
	return rank_of(G, x) >= floor && rank_of(G, x) != top;
}

/* gx_set_chooser's co place of a new write of location l: the write (or
 * GX_INIT) it goes right after; -2: co-last (choice 0). */
static int chosen_place(struct gx *g, int l, int floor, int top)
{
	const struct gx_graph *G = &g->cur;
	unsigned np = 0;
	for (int x = GX_INIT; x != -2; x = next_place(g, l, x))
		np += other_place(G, x, floor, top);
	unsigned k = gx_sample_choice(g, np + 1);
	for (int x = GX_INIT; x != -2 && k; x = next_place(g, l, x))
		if (other_place(G, x, floor, top) && --k == 0)
			return x;
	return -2;
}

/* May write *w go right after write (or GX_INIT) x of the current graph, whose
 * events have run?  A sub-word store there takes x's bytes below (set here);
 * no sub-word store co-after it may change value (its readers read the old
 * one).  false: the caller drops the execution (diverged). */
static bool merge_fits(struct gx *g, struct gx_event *w, int x, u128 init)
{
	const struct gx_graph *G = &g->cur;
	u128 below = x == GX_INIT ? init : G->ev[x].val;
	if (gx_is_merge_write(w))
		w->val = gx_merge_over(w, below);
	return gx_merge_keeps(G->ev, G->n, w->key, rank_of(G, x), w->val);
}

/* A plain (or unlock) write: co-last now, each other co place on the stack;
 * its revisits, each with every co place (TruSt), are made now. */
static enum gx_status forward_write(struct gx *g, int thr, const struct gx_access *a,
				    unsigned flags, struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	struct gx_event w;
	fill_event(&w, thr, g->nev[thr], a);
	w.val = a->val;
	w.flags = flags;
	w.kind = EV_W;
	g->merge_init = a->init; /* a sub-word store's bytes below at the co-first place */
	int l = gx_ix_loc(g, a->key);
	int floor = gx_ix_floor(g, l, thr);
	int top = co_max(g, l);
	static __thread struct gx_event alt[GX_MAX_EVENTS];
	if (G->n + 1 > GX_MAX_EVENTS) {
		g->full = true;
		return GX_FULL;
	}
	if (g->sample) { /* one place at random among those allowed */
		int np = 0, pick = -2;
		for (int x = GX_INIT; x != -2 && !g->choose; x = next_place(g, l, x))
			if (rank_of(G, x) >= floor && gx_rnd(g) % (unsigned)++np == 0)
				pick = x;
		if (g->choose) /* 0: co-last; k: the k-th other place allowed */
			pick = chosen_place(g, l, floor, top);
		if (pick != -2 && rank_of(G, pick) != top) {
			if (!merge_fits(g, &w, pick, a->init)) {
				g->diverged = true;
				return GX_DIVERGED;
			}
			w.co = gx_ix_shift(g, l, rank_of(G, pick), G->ev);
			G->next_rank++;
			int k = add_write(g, &w, true);
			if (res && k >= 0)
				res->write_id = (unsigned)G->ev[k].stamp + 1;
			return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
		}
	}
	/* every other place: right after a write (or the initial value) at or
	 * above the floor and what synchronises with thr (gx_sync.c) */
	if (!g->sample) {
		int sf = gx_sync_floor(G, thr, a->key);
		floor = sf > floor ? sf : floor;
	}
	for (int x = GX_INIT; x != -2 && !g->sample; x = next_place(g, l, x)) {
		int rx = rank_of(G, x);
		if (rx < floor || rx == top)
			continue;
		memcpy(alt, G->ev, (size_t)G->n * sizeof(*alt));
		alt[G->n] = w;
		alt[G->n].alt_added = true; /* not co-last */
		alt[G->n].co = gx_ix_shift(g, l, rx, alt);
		alt[G->n].stamp = G->next_stamp;
		gx_merge_place(alt, G->n + 1, G->n, a->init);
		gx_push(g, alt, G->n + 1, G->next_stamp + 1, G->next_rank + 1, false);
	}
	if (gx_is_merge_write(&w)) {
		int ti = gx_ix_top(g, l);
		w.val = gx_merge_over(&w, ti == GX_INIT ? a->init : G->ev[ti].val);
	}
	w.co = top + 1;
	G->next_rank++;
	int k = add_write(g, &w, true);
	if (res && k >= 0)
		res->write_id = (unsigned)G->ev[k].stamp + 1;
	return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
}

/* add_read's graph on the stack: the current one with read r (of write src)
 * added and, when the RMW writes (ok), its write (nv, flags wfl) right after
 * src, the write's revisits made from it. */
static int push_read(struct gx *g, int thr, const struct gx_access *a, const struct gx_event *r,
		     int src, bool ok, u128 nv, unsigned wfl)
{
	const struct gx_graph *G = &g->cur;
	static __thread struct gx_graph ag;
	struct gx_event *alt = ag.ev;
	if (G->n + 2 > GX_MAX_EVENTS)
		return -1;
	memcpy(alt, G->ev, (size_t)G->n * sizeof(*alt));
	int n = G->n, l = gx_ix_loc(g, a->key);
	alt[n] = *r;
	alt[n].alt_added = true; /* not the co-latest write */
	alt[n].stamp = G->next_stamp;
	n++;
	if (ok) {
		struct gx_event w = *r;
		w.kind = EV_W;
		w.idx++;
		w.val = nv;
		w.flags = wfl;
		w.alt_added = false; /* an RMW's write goes where its read says */
		w.rf = GX_INIT;
		w.poll_src = -2;
		w.co = gx_ix_shift(g, l, rank_of(G, src), alt);
		w.stamp = G->next_stamp + 1;
		alt[n++] = w;
		gx_merge_place(alt, n, n - 1, 0); /* sub-word stores co-after it */
		/* the write's revisits come from this graph even when it
		 * breaks atomicity (then it goes no further itself) */
		ag.n = n;
		ag.next_stamp = G->next_stamp + 2;
		ag.next_rank = G->next_rank + 1;
		if (gx_ix_revisitable(g, l, thr)) /* r is thr's: no revisit */
			gx_revisits_of(g, &ag, n - 1, false);
		/* ag is cur, the read and its write right after src */
		if (!gx_ix_atomic(g, l) || gx_ix_breaks_after(g, l, src)) {
			g->st.cut++;
			return 0;
		}
	}
	gx_push(g, alt, n, G->next_stamp + 2, G->next_rank + 1, false);
	return 0;
}

/* A read or RMW read of write src; for an RMW that writes, its write right
 * after src in co.  In the current graph (alt NULL) or as a graph on the
 * stack.  Its index, or -1 (full), -2 (atomicity broken), -3 (diverged: the
 * write would change a sub-word store's value that has been read). */
static int add_read(struct gx *g, int thr, const struct gx_access *a, int src, bool push_it)
{
	struct gx_graph *G = &g->cur;
	struct gx_event r;
	fill_event(&r, thr, g->nev[thr], a);
	r.kind = EV_R;
	r.rf = src;
	r.val = src == GX_INIT ? a->init : G->ev[src].val;
	if (g->poll_src[thr] != -2 && g->poll_key[thr] == a->key)
		r.poll_src = g->poll_src[thr];
	bool ok = false;
	u128 nv = 0;
	unsigned rfl = a->flags, wfl = 0;
	if (a->op != GX_READ) {
		nv = rmw_apply(&r, r.val, &ok);
		rmw_flags(a, ok, &rfl, &wfl);
	}
	r.flags = rfl;
	r.paired = ok;
	if (push_it)
		return push_read(g, thr, a, &r, src, ok, nv, wfl);
	r.stamp = G->next_stamp++;
	if (insert_at(g, g->rpos, &r) < 0)
		return -1;
	int ri = g->rpos++;
	g->nev[thr]++;
	if (ok) {
		struct gx_event w = r;
		w.idx++;
		w.val = nv;
		w.flags = wfl;
		w.rf = GX_INIT;
		w.poll_src = -2;
		if (!merge_fits(g, &w, src, 0)) {
			g->diverged = true;
			return -3;
		}
		w.co = gx_ix_shift(g, gx_ix_loc(g, a->key), rank_of(G, src), G->ev);
		G->next_rank++;
		int k = add_write(g, &w, false);
		g->nev[thr]++;
		if (k < 0)
			return k;
	}
	return ri;
}

static void read_done(struct gx *g, int thr, int ri, const struct gx_access *a,
		      struct gx_result *res)
{
	const struct gx_graph *G = &g->cur;
	const struct gx_event *r = &G->ev[ri];
	res->old = r->val;
	res->idx = r->idx;
	res->src_id = r->rf == GX_INIT ? 0 : (unsigned)G->ev[r->rf].stamp + 1;
	res->src_thr = r->rf == GX_INIT ? -1 : G->ev[r->rf].thr;
	/* the co-latest write re-created before this read */
	int top = gx_ix_top_before(g, gx_ix_loc(g, r->key), ri);
	res->newest_id = top == GX_INIT ? 0 : (unsigned)G->ev[top].stamp + 1;
	res->newest_thr = top == GX_INIT ? -1 : G->ev[top].thr;
	res->newest_val = top == GX_INIT ? a->init : G->ev[top].val;
	res->src_tag = r->rf == GX_INIT ? NULL : G->ev[r->rf].tag;
	res->newest_tag = top == GX_INIT ? NULL : G->ev[top].tag;
	res->stale = rank_of(G, r->rf) < rank_of(G, top);
	bool ok = false;
	if (a->op != GX_READ)
		rmw_apply(r, r->val, &ok);
	res->ok = ok;
	g->last_read[thr] = ri;
	if (g->poll_key[thr] == a->key)
		g->poll_src[thr] = -2;
}

static enum gx_status forward(struct gx *g, int thr, const struct gx_access *a,
			      struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	if (G->n + 2 > GX_MAX_EVENTS) {
		g->full = true;
		return GX_FULL;
	}
	if (a->op == GX_FENCE) {
		struct gx_event f;
		fill_event(&f, thr, g->nev[thr], a);
		f.kind = EV_F;
		f.key = 0;
		f.stamp = G->next_stamp++;
		insert_at(g, g->rpos++, &f);
		g->nev[thr]++;
		return GX_OK;
	}
	if (a->op == GX_WRITE || a->op == GX_UNLOCK) {
		enum gx_status s =
		    forward_write(g, thr, a, a->op == GX_UNLOCK ? EVF_UL : a->flags, res);
		g->nev[thr]++;
		return s;
	}
	static __thread int cand[GX_MAX_EVENTS + 1];
	int k = read_candidates(g, thr, a, cand);
	if (!k)
		return GX_WAIT;
	if (!g->sample && k > 1) { /* co-latest first: drop those the check refutes */
		int sf = gx_sync_floor(G, thr, a->key);
		while (k > 1 && rank_of(G, cand[k - 1]) < sf)
			k--;
	}
	int c = g->sample ? (int)gx_sample_choice(g, (unsigned)k) : 0; /* sampling: one at random */
	for (int i = 1; i < k && !g->sample; i++)
		add_read(g, thr, a, cand[i], true);
	int ri = add_read(g, thr, a, cand[c], false);
	if (ri == -2)
		return GX_PRUNED;
	if (ri == -3)
		return GX_DIVERGED;
	if (ri < 0) {
		g->full = true;
		return GX_FULL;
	}
	read_done(g, thr, ri, a, res);
	if (res->ok && rmw_write_of(G, ri) >= 0)
		res->write_id = (unsigned)G->ev[ri + 1].stamp + 1;
	if (a->op == GX_LOCK && !res->ok) {
		g->stuck[thr] = true; /* read a held lock: waits for an unlock's revisit */
		return GX_WAIT;
	}
	return GX_OK;
}

/* The write of the RMW whose read (ri) replay() just re-created: re-created
 * too, or new after a revisit (which may have changed the read's value, and so
 * whether it writes and its marks). */
static enum gx_status replay_rmw_write(struct gx *g, int thr, int ri, const struct gx_access *a,
				       struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	struct gx_event *e = &G->ev[ri];
	bool ok;
	u128 nv = rmw_apply(e, e->val, &ok);
	unsigned rfl, wfl;
	rmw_flags(a, ok, &rfl, &wfl);
	e->flags = rfl;
	int w = rmw_write_of(G, ri);
	if (!ok) {
		if (w >= 0) {
			g->diverged = true;
			return GX_DIVERGED;
		}
		if (a->op == GX_LOCK) {
			g->stuck[thr] = true;
			return GX_WAIT;
		}
		return GX_OK;
	}
	if (w >= 0) {
		G->ev[w].flags = wfl;
		if (G->ev[w].key != e->key)
			gx_ix_invalidate(g);
		G->ev[w].key = e->key;
		G->ev[w].tag = a->tag;
		G->ev[w].ctrl_upto = e->ctrl_upto;
		if (g->no_push || g->addr_free)
			G->ev[w].val = nv;
		if (G->ev[w].val != nv) {
			g->diverged = true;
			return GX_DIVERGED;
		}
		g->rpos++;
		g->nev[thr]++;
		res->write_id = (unsigned)G->ev[w].stamp + 1;
		return GX_OK;
	}
	e->paired = true;
	struct gx_event nw = *e;
	nw.idx++;
	nw.alt_added = nw.settled = false; /* new: goes where its read says */
	nw.val = nv;
	nw.flags = wfl;
	nw.rf = GX_INIT;
	nw.poll_src = -2;
	if (!merge_fits(g, &nw, e->rf, 0)) {
		g->diverged = true;
		return GX_DIVERGED;
	}
	nw.co = gx_ix_shift(g, gx_ix_loc(g, e->key), rank_of(G, e->rf), G->ev);
	G->next_rank++;
	int k = add_write(g, &nw, false);
	g->nev[thr]++;
	if (k >= 0)
		res->write_id = (unsigned)G->ev[k].stamp + 1;
	return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
}

/* Takes write e's value from this run's access a (a saved graph's values may
 * hold another process's addresses); false when a is not the write e is.  A
 * sub-word store is its bytes: its value is theirs over the write before it. */
static bool write_replayed(struct gx *g, struct gx_event *e, const struct gx_access *a)
{
	bool saved = g->no_push || g->addr_free;
	if (gx_is_merge_write(e)) {
		if (a->rmw != GX_RMW_MERGE || e->off != a->off || e->size != a->size)
			return false;
		if (!saved)
			return e->operand == a->val;
		e->operand = a->val;
		e->val = gx_merge_over(e, e->val);
		return true;
	}
	u128 v = a->op == GX_UNLOCK ? 0 : a->val;
	if (!saved)
		return e->val == v;
	e->val = v;
	return true;
}

int gx_lock_in_place(struct gx *g, int r, int u)
{
	struct gx_graph *G = &g->cur;
	struct gx_event *e = &G->ev[r];
	int thr = e->thr;
	bool ok;
	e->rf = u;
	e->val = G->ev[u].val;
	e->alt_added = false; /* u is co-last */
	gx_ix_invalidate(g);  /* thr's coherence floor moved */
	u128 nv = rmw_apply(e, e->val, &ok);
	if (!ok)
		return u; /* cannot happen: an unlock writes 0 */
	struct gx_access a = {.op = (enum gx_op)e->op};
	unsigned rfl, wfl;
	rmw_flags(&a, true, &rfl, &wfl);
	e->flags = rfl;
	e->paired = true;
	struct gx_event nw = *e;
	nw.idx++;
	nw.alt_added = nw.settled = false;
	nw.val = nv;
	nw.flags = wfl;
	nw.rf = GX_INIT;
	nw.poll_src = -2;
	nw.co = gx_ix_shift(g, gx_ix_loc(g, e->key), rank_of(G, u), G->ev);
	G->next_rank++;
	g->stuck[thr] = false;
	g->handed[thr] = true;
	g->nev[thr]++;
	int k = add_write_at(g, &nw, r + 1, false);
	return k == -2 ? -2 : k < 0 ? -1 : u + 1;
}

/* thr calls the lock op whose read an unlock revisited in place again (as
 * the emulator does once gx_would_wait says false): it reports the
 * acquisition gx_lock_in_place completed. */
static enum gx_status handed_lock(struct gx *g, int thr, const struct gx_access *a,
				  struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	int ri = g->last_read[thr];
	g->handed[thr] = false;
	if (a->op != GX_LOCK || ri < 0 || G->ev[ri].key != a->key || rmw_write_of(G, ri) < 0) {
		g->diverged = true;
		return GX_DIVERGED;
	}
	read_done(g, thr, ri, a, res);
	res->write_id = (unsigned)G->ev[ri + 1].stamp + 1;
	return GX_OK;
}

/* Write w of a loaded graph, just re-created with this run's value: did every
 * read of it re-created before it (load buffering: they took the saved value)
 * read that value?  Where one did not, its value in the loaded graph becomes
 * the write's, for gx_reload. */
static bool forward_readers_agree(struct gx *g, int w)
{
	const struct gx_graph *G = &g->cur;
	bool agree = true;
	if (!g->no_push)
		return true; /* exploring: the reads took this run's value */
	for (int i = 0; i < w; i++) {
		const struct gx_event *r = &G->ev[i];
		if (!is_read(r) || r->rf != w || r->val == G->ev[w].val)
			continue;
		agree = false;
		if (g->loaded && i < g->loaded->n) {
			g->loaded->ev[i].val = G->ev[w].val;
			g->values_fixed = true;
		}
	}
	return agree;
}

/* Re-creates event rpos for thr's access a. */
static enum gx_status replay(struct gx *g, int thr, const struct gx_access *a,
			     struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	struct gx_event *e = &G->ev[g->rpos];
	unsigned char op = e->op;
	uintptr_t key = e->key;
	bool bound = gx_bind_saved_key(g, thr, a); /* a --resume state's graph (gx_state.c) */
	if (e->key != key)
		gx_ix_invalidate(g); /* its location's events have a new key */
	if (!bound)
		return GX_DIVERGED;
	if (e->thr != thr || op != a->op || (a->op != GX_FENCE && e->key && e->key != a->key) ||
	    e->idx != g->nev[thr]) {
		g->diverged = true;
		return GX_DIVERGED;
	}
	if (a->op != GX_FENCE)
		e->key = a->key; /* a saved graph has no addresses */
	if (e->key != key)
		gx_ix_invalidate(g); /* its location's events have a new key */
	e->tag = a->tag;
	e->ctrl_upto = ctrl_bound(a, e->idx); /* this run's branches */
	if (a->op == GX_FENCE) {
		g->rpos++;
		g->nev[thr]++;
		return GX_OK;
	}
	if (is_read(e) && e->rf != GX_INIT) {
		const struct gx_event *w = &G->ev[e->rf];
		/* every write read must be one of this location; a --resume
		 * state's read of a later write (load buffering) holds the saving
		 * process's value, maybe an address: not run with it (a loaded
		 * reproducer's is checked when its write comes: gx_reload) */
		if (!is_write(w) || (e->rf < g->rpos && w->key != a->key) ||
		    (g->addr_free && e->rf >= g->rpos)) {
			g->diverged = true;
			return GX_DIVERGED;
		}
	}
	if (is_read(e)) /* the value its write has in this run, where it has one */
		e->val = e->rf == GX_INIT ? a->init : e->rf < g->rpos ? G->ev[e->rf].val : e->val;
	if (is_write(e)) {
		if (!write_replayed(g, e, a) || !forward_readers_agree(g, g->rpos)) {
			g->diverged = true;
			return GX_DIVERGED;
		}
		g->rpos++;
		g->nev[thr]++;
		res->write_id = (unsigned)e->stamp + 1;
		return GX_OK;
	}
	/* how this run computes the RMW's write (a saved graph's operands hold
	 * the addresses of another process) */
	e->operand = a->val;
	e->expected = a->expected;
	e->rmw = (unsigned char)a->rmw;
	e->off = (unsigned char)a->off;
	e->size = (unsigned char)a->size;
	int ri = g->rpos++;
	g->nev[thr]++;
	read_done(g, thr, ri, a, res);
	if (a->op == GX_READ)
		return GX_OK;
	return replay_rmw_write(g, thr, ri, a, res);
}

enum gx_status gx_access(struct gx *g, int thr, const struct gx_access *a, struct gx_result *res)
{
	struct gx_result dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	res->idx = -1;
	res->src_thr = res->newest_thr = -1;
	if (g->diverged || g->full || g->dead)
		return g->full ? GX_FULL : g->dead ? GX_PRUNED : GX_DIVERGED;
	g->lb_on |= a->ctrl_exact;
	if (g->handed[thr])
		return handed_lock(g, thr, a, res);
	if (g->stuck[thr])
		return GX_WAIT;
	g->st.events++;
	if (g->rpos < g->cur.n)
		return replay(g, thr, a, res);
	return forward(g, thr, a, res);
}

/* Has thr events of the graph still to re-create? */
static bool replay_pending(const struct gx *g, int thr)
{
	for (int i = g->rpos; i < g->cur.n; i++)
		if (g->cur.ev[i].thr == thr)
			return true;
	return false;
}

bool gx_would_wait(const struct gx *g, int thr, const struct gx_access *a)
{
	if (a->op == GX_LOCK)
		return g->stuck[thr];
	if (replay_pending(g, thr))
		return false;
	static __thread int cand[GX_MAX_EVENTS + 1];
	/* the index is a cache: built here when it is not (g is never const) */
	return read_candidates((struct gx *)g, thr, a, cand) == 0;
}

bool gx_waits_for_good(struct gx *g, int thr)
{
	const struct gx_graph *G = &g->cur;
	if (thr < 0 || thr >= g->nthreads || replay_pending(g, thr))
		return false;
	if (g->stuck[thr]) { /* its last event: the lock read of a held lock */
		int r = G->n - 1;
		while (r >= 0 && G->ev[r].thr != thr)
			r--;
		if (r < 0 || !is_read(&G->ev[r]))
			return false;
		return rank_of(G, G->ev[r].rf) == co_max(g, gx_ix_loc(g, G->ev[r].key));
	}
	if (g->poll_src[thr] == -2)
		return false;
	struct gx_access a = {.op = GX_READ, .key = g->poll_key[thr]};
	static __thread int cand[GX_MAX_EVENTS + 1];
	return read_candidates(g, thr, &a, cand) == 0;
}

int gx_thread_events(const struct gx *g, int thr)
{
	return thr >= 0 && thr < g->nthreads ? g->nev[thr] : 0;
}

void gx_relax(struct gx *g, int thr)
{
	int r = g->last_read[thr];
	if (r < 0)
		return;
	g->poll_key[thr] = g->cur.ev[r].key;
	g->poll_src[thr] = g->cur.ev[r].rf;
}

bool gx_poll_waits(const struct gx *g, int thr, uintptr_t key, u128 init)
{
	(void)key;
	if (g->poll_src[thr] == -2 || replay_pending(g, thr))
		return false;
	struct gx_access a = {.op = GX_READ, .key = g->poll_key[thr], .init = init};
	static __thread int cand[GX_MAX_EVENTS + 1];
	return read_candidates((struct gx *)g, thr, &a, cand) == 0; /* see gx_would_wait */
}
