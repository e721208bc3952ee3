/* engine/gx_revisit.c - revisits (engine/gx.h): which earlier reads a new
 * write may make read it, and the graphs that come of it (the read reading the
 * write, the events added after the read and outside the write's prefix
 * deleted, once per co place of the write), onto the stack.
 *
 * Locks (GenMC 0.9's way): when an unlock's revisit of the lock read of a
 * stuck thread (it read the held lock) deletes nothing, it is made in place
 * rather than pushed (gx_lock_in_place, gx.c): the read reads the unlock, its
 * write is added and the thread goes on in this execution, which would
 * otherwise end blocked.  That graph is claimed as pushed, but the unlock's
 * prefix is not settled (the execution goes on as the one it replaces would
 * have), so a later revisit may delete the unlock and keep the lock read: the
 * read then reads the held lock again and waits (repair_lock), and a revisit
 * that deletes both counts as maximal as though it read that lock
 * (revisited_by_deleted). */
#include <string.h>

#include "engine/gx_impl.h"

/* The (po | rf)-prefix of event a by fixpoint over every event (the general
 * case: events of a thread out of po order in ev[]). */
static void porf_prefix_slow(const struct gx_graph *G, int *bound)
{
	for (bool changed = true; changed;) {
		changed = false;
		for (int i = 0; i < G->n; i++) {
			const struct gx_event *e = &G->ev[i];
			if (e->idx > bound[(int)e->thr] || !is_read(e) || e->rf == GX_INIT)
				continue;
			const struct gx_event *w = &G->ev[e->rf];
			if (w->idx > bound[(int)w->thr]) {
				bound[(int)w->thr] = w->idx;
				changed = true;
			}
		}
	}
}

/* The (po | rf)-prefix of event a: in[i] for every event a depends on.  Each
 * thread's events are scanned once, in po order, up to its bound, which only
 * grows (the events of a thread stand in ev[] in po order, idx 0, 1, ...). */
static void porf_prefix(const struct gx_graph *G, int a, bool *in)
{
	static __thread short pos[GX_MAX_THREADS][GX_MAX_EVENTS];
	int bound[GX_MAX_THREADS], scanned[GX_MAX_THREADS], count[GX_MAX_THREADS] = {0};
	bool dense = true;
	for (int i = 0; i < G->n && dense; i++) {
		int t = G->ev[i].thr;
		dense = G->ev[i].idx == count[t];
		pos[t][count[t]++] = (short)i;
	}
	for (int t = 0; t < GX_MAX_THREADS; t++)
		bound[t] = scanned[t] = -1;
	bound[(int)G->ev[a].thr] = G->ev[a].idx;
	if (!dense)
		porf_prefix_slow(G, bound);
	for (bool more = dense; more;) {
		more = false;
		for (int t = 0; t < GX_MAX_THREADS; t++)
			while (scanned[t] < bound[t]) {
				const struct gx_event *e = &G->ev[pos[t][++scanned[t]]];
				if (!is_read(e) || e->rf == GX_INIT)
					continue;
				const struct gx_event *w = &G->ev[e->rf];
				if (w->idx > bound[(int)w->thr]) {
					bound[(int)w->thr] = w->idx;
					more = true;
				}
			}
	}
	for (int i = 0; i < G->n; i++)
		in[i] = G->ev[i].idx <= bound[(int)G->ev[i].thr];
}

/* May read r (index) read write a in G'?  Coherence of r's thread before r,
 * a poll's bound, a lock's value. */
static bool can_revisit(const struct gx_graph *G, int r, int a)
{
	const struct gx_event *re = &G->ev[r], *ae = &G->ev[a];
	if (re->newest_only || re->thr == ae->thr)
		return false;
	/* a lock acquisition may read a held lock too: then it waits for good,
	 * until a later unlock revisits it (GenMC's blocked CAS) */
	int f = -2;
	for (int i = 0; i < r; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->thr == re->thr && e->key == re->key && e->kind != EV_F) {
			int k = is_write(e) ? e->co : rank_of(G, e->rf);
			f = k > f ? k : f;
		}
	}
	if (ae->co < f)
		return false;
	if (re->poll_src != -2 && ae->co <= rank_of(G, re->poll_src))
		return false;
	return true;
}

/* Moves write ai of ev[0, n) right after rank rx in its location's co. */
static void place_after(struct gx_event *ev, int n, int ai, int rx)
{
	for (int i = 0; i < n; i++)
		if (i != ai && is_write(&ev[i]) && ev[i].key == ev[ai].key && ev[i].co > rx)
			ev[i].co++;
	ev[ai].co = rx + 1;
}

/* Is write ai of ev[0, n) co-last in its location? */
static bool co_last(const struct gx_event *ev, int n, int ai)
{
	for (int i = 0; i < n; i++)
		if (i != ai && is_write(&ev[i]) && ev[i].key == ev[ai].key && ev[i].co > ev[ai].co)
			return false;
	return true;
}

/* Pushes G' (nev[0, n), r at ri reading a at ai); r, and a where it moved,
 * count as added maximally when a is co-last (GenMC's setAddedMax).  With
 * claim, G' is not pushed but claimed for an in-place revisit (gx_claim):
 * returns whether it was. */
static bool push_one(struct gx *g, const struct gx_graph *G, struct gx_event *nev, int n, int ai,
		     int ri, int rank_bump, bool claim)
{
	nev[ri].alt_added = !co_last(nev, n, ai);
	if (!nev[ai].paired)
		nev[ai].alt_added = nev[ri].alt_added;
	if (claim)
		return gx_claim(g, nev, n);
	gx_push(g, nev, n, G->next_stamp, G->next_rank + rank_bump, true);
	return false;
}

/* G' of a revisit: r (index in G) reads a, and pushes it; with places, once
 * for every co place a may take in G' (TruSt's VisitCOs), else a stays where
 * it is.  nev/n: G' with a at index ai and r at ri.  in_place: G' with a
 * co-last is claimed rather than pushed (see push_one); returns whether it
 * was. */
static bool push_revisit(struct gx *g, const struct gx_graph *G, struct gx_event *nev, int n,
			 int ai, int ri, bool places, bool in_place)
{
	if (!places)
		return push_one(g, G, nev, n, ai, ri, 0, in_place);
	static __thread struct gx_event pl[GX_MAX_EVENTS];
	const struct gx_event *a = &nev[ai], *r = &nev[ri];
	int floor = -1; /* a's own thread and r's coherence */
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &nev[i];
		if (i == ai || e->key != a->key || e->kind == EV_F)
			continue;
		if (e->thr != a->thr && !(e->thr == r->thr && e->idx < r->idx))
			continue;
		if (is_read(e) && e->rf == ai)
			continue; /* another read revisited with r (load buffering) */
		int k = is_write(e) ? e->co : e->rf == GX_INIT ? -1 : nev[e->rf].co;
		floor = k > floor ? k : floor;
	}
	int poll = r->poll_src == -2 ? -2 : r->poll_src == GX_INIT ? -1 : nev[r->poll_src].co;
	bool claimed = false;
	for (int x = -1; x < n; x++) {
		if (x == ai || (x >= 0 && (!is_write(&nev[x]) || nev[x].key != a->key)))
			continue;
		int rx = x < 0 ? -1 : nev[x].co;
		if (rx < floor || rx + 1 <= poll)
			continue;
		memcpy(pl, nev, (size_t)n * sizeof(*pl));
		place_after(pl, n, ai, rx);
		gx_merge_place(pl, n, ai, g->merge_init); /* r reads the value a has there */
		bool last = in_place && co_last(pl, n, ai);
		claimed |= push_one(g, G, pl, n, ai, ri, 1, last);
	}
	return claimed;
}

/* The lock write that unlock u of G releases: its thread's last lock write
 * of the location before it; -1: none. */
static int matching_lock(const struct gx_graph *G, int u)
{
	const struct gx_event *ue = &G->ev[u];
	int m = -1;
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (is_write(e) && e->thr == ue->thr && e->key == ue->key && e->idx < ue->idx &&
		    (e->op == GX_LOCK || e->op == GX_TRYLOCK) && e->paired &&
		    (m < 0 || e->idx > G->ev[m].idx))
			m = i;
	}
	return m;
}

/* Was read e of G revisited by a write the revisit keeping keep[] deletes
 * (one added after e)?  A lock read that reads an unlock whose lock is in
 * the revisiting write's prefix (in[]) counts as not: had the unlock not
 * revisited it in place, it would read that lock (GenMC's
 * hasBeenRevisitedByDeleted with prefixContainsMatchingLock). */
static bool revisited_by_deleted(const struct gx_graph *G, const struct gx_event *e,
				 const bool *keep, const bool *in)
{
	if (!is_read(e) || e->rf == GX_INIT || keep[e->rf] || G->ev[e->rf].stamp < e->stamp)
		return false;
	int m = e->op == GX_LOCK && G->ev[e->rf].op == GX_UNLOCK ? matching_lock(G, e->rf) : -1;
	return m < 0 || !in[m];
}

/* TruSt's maximality condition (Kokologiannakis et al., POPL 2022; GenMC's
 * isMaximalExtension): the revisit of read r by write a, keeping keep[], is
 * made only when r and every event it deletes were added maximally: none was
 * an alternative (alt_added), none read or wrote co-before a write kept
 * (other than a), and no deleted read had been revisited by a write deleted
 * with it (revisited_by_deleted).  Every execution is then reached along one
 * path only. */
static bool maximal_extension(const struct gx_graph *G, int a, int r, const bool *keep,
			      const bool *in)
{
	static __thread struct gx_locmap locs;
	static __thread int kept_top[2 * GX_MAX_EVENTS];
	gx_loc_reset(&locs);
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->kind == EV_F)
			continue;
		int n0 = locs.n, k = gx_loc_id(&locs, e->key);
		if (k == n0)
			kept_top[k] = -2;
		if (is_write(e) && keep[i] && i != a && e->co > kept_top[k])
			kept_top[k] = e->co;
	}
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if ((keep[i] && i != r) || e->kind == EV_F)
			continue;
		if (e->alt_added)
			return false;
		int seen = is_write(e) ? e->co : rank_of(G, e->rf);
		if (kept_top[gx_loc_id(&locs, e->key)] > seen)
			return false;
		if (revisited_by_deleted(G, e, keep, in))
			return false;
	}
	return true;
}

/* Does thread t of ev[0, n) release the lock it took with write w (a later
 * unlock of the location)? */
static bool unlocked_after(const struct gx_event *ev, int n, int w)
{
	for (int i = 0; i < n; i++)
		if (ev[i].thr == ev[w].thr && ev[i].idx > ev[w].idx && ev[i].op == GX_UNLOCK &&
		    is_write(&ev[i]) && ev[i].key == ev[w].key)
			return true;
	return false;
}

/* Kept lock read i of G' (ev[0, n)) lost the unlock it read (an in-place
 * revisit made it read one added after it): it reads the held lock again, the
 * co-latest lock write with no unlock after it, and waits for an unlock's
 * revisit (GenMC's repairLock).  False: no held lock to read. */
static bool repair_lock(struct gx_event *ev, int n, int i)
{
	struct gx_event *x = &ev[i];
	if (!is_read(x) || x->op != GX_LOCK)
		return false;
	for (int k = 0; k < n; k++) /* its write and what follows are deleted too */
		if (ev[k].thr == x->thr && ev[k].idx > x->idx)
			return false;
	int held = -1;
	for (int w = 0; w < n; w++) {
		const struct gx_event *e = &ev[w];
		if (!is_write(e) || e->key != x->key || !e->paired ||
		    (e->op != GX_LOCK && e->op != GX_TRYLOCK) || (held >= 0 && ev[held].co > e->co))
			continue;
		if (!unlocked_after(ev, n, w))
			held = w;
	}
	if (held < 0)
		return false;
	x->rf = held;
	x->val = ev[held].val;
	x->paired = false;
	x->flags = EVF_LF;
	return true;
}

/* G' of the revisit of read r by write a in G (r -1: load-buffering reads
 * only, set by push_with): the events keep[] in nev (map: G's index to
 * nev's, -1 deleted), a's prefix (in[]) but r settled; every kept read's
 * write kept, or repaired (repair_lock).  Its size, or -1. */
static int kept_graph(const struct gx_graph *G, const bool *keep, const bool *in, int r,
		      struct gx_event *nev, int *map)
{
	int n = 0;
	for (int i = 0; i < G->n; i++) {
		map[i] = keep[i] ? n : -1;
		if (keep[i]) {
			nev[n] = G->ev[i];
			nev[n++].settled |=
			    in[i] && i != r; /* a's prefix (push_with: and LB reads) */
		}
	}
	for (int i = 0; i < n; i++) {
		struct gx_event *x = &nev[i];
		if (is_read(x) && x->rf != GX_INIT && (r < 0 || i != map[r])) {
			if (map[x->rf] >= 0)
				x->rf = map[x->rf];
			else if (!repair_lock(nev, n, i))
				return -1;
		}
		if (x->poll_src >= 0 && (x->poll_src = map[x->poll_src]) < 0)
			return -1;
	}
	return n;
}

/* Is read r of cur the lock read of a stuck thread (it read the held lock)
 * and a an unlock: a revisit that may be made in place (GenMC's
 * tryRevisitLockInPlace) when it deletes nothing? */
static bool stuck_lock_read(const struct gx *g, const struct gx_graph *G, int a, int r)
{
	const struct gx_event *re = &G->ev[r];
	return G == &g->cur && !g->sample && !g->no_push && G->ev[a].op == GX_UNLOCK &&
	       re->op == GX_LOCK && rmw_write_of(G, r) < 0 && g->stuck[(int)re->thr];
}

/* Does a revisit keeping keep[] keep every event of G? */
static bool keeps_all(const struct gx_graph *G, const bool *keep)
{
	for (int i = 0; i < G->n; i++)
		if (!keep[i])
			return false;
	return true;
}

/* A load-buffering revisit of read r (in the new write's prefix) keeps the
 * events keep[], some of them after r in its thread: does one of those depend
 * on r, through an addr or data dependency, ctrl (it may not happen at all
 * once r reads another value) or its RMW's read, directly or through the
 * thread's later reads that do?  The re-run might not make it again as it
 * was, so that revisit is not made.  An access that is not ctrl_exact depends
 * on every earlier read: no cycle goes through it. */
static bool kept_depends_on(const struct gx_graph *G, int r, const bool *keep)
{
	static __thread bool dep_read[GX_MAX_EVENTS]; /* r's thread's reads, by idx */
	const struct gx_event *re = &G->ev[r];
	int t = re->thr, prev = r;
	dep_read[re->idx] = true;
	for (int i = r + 1; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->thr != t)
			continue;
		bool d = e->dep_all || gx_ctrl_on(e, re->idx);
		for (unsigned k = 0; k < e->ndeps && !d; k++) {
			int j = e->deps[k];
			d = j >= re->idx && j < e->idx && dep_read[j];
		}
		if (!d && is_write(e) && rmw_write_of(G, prev) == i)
			d = dep_read[G->ev[prev].idx];
		if (d && keep[i])
			return true;
		if (is_read(e))
			dep_read[e->idx] = d;
		prev = i;
	}
	return false;
}

/* Is there a cycle in po-loc | rf | co | fr among the events of ev[0, n) at
 * key?  LKMM's first axiom (coherence, on plain accesses too), and sc's and
 * tso's, refuse such a graph.  The few events of one location: edges to the
 * thread's next one there, the co-next write, a write's readers, a read's
 * write's co-next (fr); Kahn's count. */
static bool location_incoherent(const struct gx_event *ev, int n, uintptr_t key)
{
	static __thread int at[GX_MAX_EVENTS], slot[GX_MAX_EVENTS], indeg[GX_MAX_EVENTS];
	static __thread int po_next[GX_MAX_EVENTS], co_next[GX_MAX_EVENTS], fr[GX_MAX_EVENTS];
	static __thread int rd_head[GX_MAX_EVENTS], rd_next[GX_MAX_EVENTS], ready[GX_MAX_EVENTS];
	static __thread int wr[GX_MAX_EVENTS];
	int m = 0, nw = 0, last[GX_MAX_THREADS];
	for (int t = 0; t < GX_MAX_THREADS; t++)
		last[t] = -1;
	for (int i = 0; i < n; i++) { /* ev[] holds each thread's events in po order */
		slot[i] = -1;
		if (ev[i].key != key || ev[i].kind == EV_F)
			continue;
		int k = m++, t = ev[i].thr;
		slot[i] = k, at[k] = i;
		po_next[k] = co_next[k] = fr[k] = rd_head[k] = -1;
		indeg[k] = 0;
		if (last[t] >= 0)
			po_next[last[t]] = k;
		last[t] = k;
		if (is_write(&ev[i])) { /* by co rank: insertion */
			int j = nw++;
			for (; j > 0 && ev[at[wr[j - 1]]].co > ev[i].co; j--)
				wr[j] = wr[j - 1];
			wr[j] = k;
		}
	}
	for (int j = 0; j + 1 < nw; j++)
		co_next[wr[j]] = wr[j + 1];
	for (int k = 0; k < m; k++) {
		const struct gx_event *e = &ev[at[k]];
		if (!is_read(e))
			continue;
		int w = e->rf == GX_INIT ? -1 : slot[e->rf];
		if (e->rf != GX_INIT && w < 0)
			return false; /* reads another location's write: not ours to judge */
		fr[k] = w < 0 ? (nw ? wr[0] : -1) : co_next[w];
		if (w >= 0) {
			rd_next[k] = rd_head[w];
			rd_head[w] = k;
			indeg[k]++;
		}
	}
	for (int k = 0; k < m; k++) {
		if (po_next[k] >= 0)
			indeg[po_next[k]]++;
		if (co_next[k] >= 0)
			indeg[co_next[k]]++;
		if (fr[k] >= 0)
			indeg[fr[k]]++;
	}
	int nready = 0, done = 0;
	for (int k = 0; k < m; k++)
		if (!indeg[k])
			ready[nready++] = k;
	while (nready) { /* Kahn: acyclic iff every event comes out */
		int k = ready[--nready], out[3] = {po_next[k], co_next[k], fr[k]};
		done++;
		for (int s = 0; s < 3; s++)
			if (out[s] >= 0 && !--indeg[out[s]])
				ready[nready++] = out[s];
		for (int r = rd_head[k]; r >= 0; r = rd_next[r])
			if (!--indeg[r])
				ready[nready++] = r;
	}
	return done < m;
}

/* Does coherence refuse every revisit that makes read c (in a's prefix, in[])
 * read a?  Every such revisit keeps the prefix; the other reads there that a
 * may be revisiting too are left out (each may read a or keep its write), and
 * leaving events out only takes edges away.  So when po-loc | rf | co | fr on
 * a's location has a cycle in what is left, with c reading a, in every co
 * place a may take, every such graph has one too: LKMM's first axiom (on
 * plain accesses too; sc's and tso's as well) refuses it, and c is not a
 * candidate.  One small check per candidate and place instead of a whole
 * graph per set of candidates and place: a critical section's load of a
 * location its section then stores, reading a store of a later section
 * (po-loc ; co ; rf), is the usual one.  LKMM's quick refutation gives up on
 * every (po | rf) cycle. */
static bool lb_prefix_incoherent(struct gx *g, const struct gx_graph *G, int a, int c,
				 const bool *in)
{
	static __thread struct gx_event loc[GX_MAX_EVENTS], pl[GX_MAX_EVENTS];
	static __thread int map[GX_MAX_EVENTS];
	if (!g->check)
		return false;
	int m = 0;
	uintptr_t key = G->ev[a].key;
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		map[i] = -1;
		if (!(in[i] || i == a) || e->key != key || e->kind == EV_F ||
		    (i != c && is_read(e) && can_revisit(G, i, a)))
			continue;
		map[i] = m;
		loc[m++] = *e;
	}
	for (int k = 0; k < m; k++)
		if (is_read(&loc[k]) && loc[k].rf != GX_INIT)
			loc[k].rf = map[loc[k].rf]; /* in the prefix, at key: kept */
	int ai = map[a];
	loc[map[c]].rf = ai;
	for (int x = -1; x < m; x++) {
		if (x == ai || (x >= 0 && !is_write(&loc[x])))
			continue;
		memcpy(pl, loc, (size_t)m * sizeof(*pl));
		place_after(pl, m, ai, x < 0 ? -1 : loc[x].co);
		if (!location_incoherent(pl, m, key))
			return false;
	}
	return true;
}

/* The load-buffering candidates of write a: reads of its location in other
 * threads that its (po | rf)-prefix holds and that may read it, less those
 * the prefix itself depends on (every revisit keeps the prefix, so they are
 * never flipped: a branch after each poll of a declared spin loop makes most
 * of a location's reads such) and those coherence refuses to let read a
 * (lb_prefix_incoherent).  At most GX_LB_MAX; more sets
 * g->lb_capped: the exploration is then incomplete. */
static int lb_candidates(struct gx *g, const struct gx_graph *G, int a, const bool *in, int *out)
{
	int n = 0;
	for (int r = 0; r < G->n; r++) {
		const struct gx_event *re = &G->ev[r];
		if (!in[r] || !is_read(re) || re->key != G->ev[a].key || !can_revisit(G, r, a) ||
		    kept_depends_on(G, r, in) || lb_prefix_incoherent(g, G, a, r, in))
			continue;
		if (n == GX_LB_MAX) {
			g->lb_capped = true;
			break;
		}
		out[n++] = r;
	}
	return n;
}

/* Pushes the revisit graph nev (n events, a at ai, the first read revisited at
 * ri) with the load-buffering candidates of mask (lb[], indices in G) reading
 * a too; map: G's index to nev's.  True when the in-place graph was claimed. */
static bool push_with(struct gx *g, const struct gx_graph *G, struct gx_event *nev, int n,
		      const int *map, int a, int ri, const int *lb, unsigned mask, bool places,
		      bool whole)
{
	static __thread struct gx_event flipped[GX_MAX_EVENTS];
	if (!mask) /* no load buffering: nev as it is */
		return push_revisit(g, G, nev, n, map[a], ri, places, whole);
	memcpy(flipped, nev, (size_t)n * sizeof(*flipped));
	for (int k = 0; mask >> k; k++)
		if (mask >> k & 1) {
			struct gx_event *x = &flipped[map[lb[k]]];
			x->rf = map[a];
			x->val = G->ev[a].val;
			x->settled = G->ev[lb[k]].settled; /* revisited, not a's prefix */
		}
	return push_revisit(g, G, flipped, n, map[a], ri, places, whole);
}

/* May the candidates of mask all read a in a revisit keeping keep[]: kept, and
 * nothing kept depends on one of them? */
static bool lb_mask_ok(const struct gx_graph *G, const int *lb, unsigned mask, const bool *keep)
{
	for (int k = 0; mask >> k; k++)
		if ((mask >> k & 1) && (!keep[lb[k]] || kept_depends_on(G, lb[k], keep)))
			return false;
	return true;
}

/* Every read that write a (index in G, added last) may revisit: the graph with
 * the read reading a and the events added after it that a does not depend on
 * deleted, onto the stack (see push_revisit for places).  A read in a's
 * (po | rf)-prefix too, when nothing kept after it depends on it
 * (kept_depends_on): load buffering.  A read in the prefix
 * of a write that revisited is never revisited (it is settled: GenMC's
 * revisitable status), nor is one added as an alternative; an exhaustive
 * search makes only the maximal revisits.  An unlock's revisit of a stuck
 * lock read that deletes nothing is made in place instead (co-last): it is
 * left in g->in_place for gx_lock_in_place. */
void gx_revisits_of(struct gx *g, const struct gx_graph *G, int a, bool places)
{
	static __thread bool in[GX_MAX_EVENTS], keep[GX_MAX_EVENTS];
	static __thread struct gx_event nev[GX_MAX_EVENTS];
	static __thread int map[GX_MAX_EVENTS];
	bool any = false; /* a read of another thread to revisit at all? */
	for (int r = 0; r < G->n && !any; r++)
		any = is_read(&G->ev[r]) && G->ev[r].key == G->ev[a].key &&
		      G->ev[r].thr != G->ev[a].thr && !G->ev[r].newest_only;
	if (!any)
		return;
	porf_prefix(G, a, in);
	int lb[GX_LB_MAX],
	    nlb = g->lb_on && !g->cycles_refused ? lb_candidates(g, G, a, in, lb) : 0;
	unsigned all = (1u << nlb) - 1;
	/* TruSt's revisits of a read outside the prefix, each also with every set
	 * of load-buffering candidates reading a */
	for (int r = 0; r < G->n; r++) {
		const struct gx_event *re = &G->ev[r];
		if (!is_read(re) || re->key != G->ev[a].key || in[r] || re->settled ||
		    (!g->sample && re->alt_added) || !can_revisit(G, r, a))
			continue;
		for (int i = 0; i < G->n; i++)
			keep[i] = i == a || in[i] || G->ev[i].stamp <= re->stamp;
		if (!g->sample && !maximal_extension(G, a, r, keep, in))
			continue;
		int n = kept_graph(G, keep, in, r, nev, map);
		if (n < 0)
			continue; /* cannot happen: a kept read's write is kept or repaired */
		nev[map[r]].rf = map[a];
		nev[map[r]].val = G->ev[a].val;
		bool whole = stuck_lock_read(g, G, a, r) && keeps_all(G, keep);
		for (unsigned mask = 0; mask <= all; mask++)
			if ((!mask || lb_mask_ok(G, lb, mask, keep)) &&
			    push_with(g, G, nev, n, map, a, map[r], lb, mask, places,
				      whole && !mask))
				g->in_place = r;
	}
	/* load buffering alone: every set of candidates reads a, the events added
	 * after the last of them and outside the prefix deleted */
	for (unsigned mask = 1; mask <= all; mask++) {
		int last = -1;
		for (int k = 0; k < nlb; k++)
			if (mask >> k & 1 && (last < 0 || G->ev[lb[k]].stamp > G->ev[last].stamp))
				last = lb[k];
		for (int i = 0; i < G->n; i++)
			keep[i] = i == a || in[i] || G->ev[i].stamp <= G->ev[last].stamp;
		if (!lb_mask_ok(G, lb, mask, keep))
			continue;
		int n = kept_graph(G, keep, in, -1, nev, map);
		if (n >= 0)
			push_with(g, G, nev, n, map, a, map[last], lb, mask, places, false);
	}
}
