/* engine/graph_build.c - the execution graph of one traced emulator execution
 * (engine/graph_build.h), for the exact LKMM checker.
 *
 * Trace entry -> events (flags as linux-kernel.bell names them):
 *   LOAD        R (plain, once or acquire), addr edges from the loads its
 *               explicit dependencies name
 *   STORE       W (plain, once or release), data edges likewise
 *   RMW         R, and W unless it failed, an rmw pair; Mb tags when full
 *   CAS128      the same on each of its two words (the second word's read is
 *               of the newest message: its source is rebuilt from co)
 *   FENCE       F mb / wmb / rmb;  RCU  F sync-rcu / rcu-lock / rcu-unlock
 *   LOCK, TRYLOCK, UNLOCK    left out (counted); RELAX, BLOCK  nothing
 * A word that only one CPU writes and nobody reads (the allocator's private
 * initialisation, mostly) gets no location and its stores no events: they
 * cannot be on a cycle of the cat file's relations (no com edge leaves them,
 * and the fences they sit between order the neighbours directly).
 * Store ids: the model numbers every write it creates 1, 2, ... in the order of
 * the trace (stores, successful RMWs, both halves of a CAS128, lock and unlock
 * writes); the builder counts along and checks the ids the trace shows.
 */
#include <stdlib.h>

#include "engine/graph_build.h"

#define GB_MAX	REL_MAX_BIG
#define GB_RAW	4096 /* words one execution may touch */
#define GB_HASH 8192

/* A word the trace touches: which CPUs, how many reads, its location in the
 * graph (-1: left out, a word only one CPU writes and nobody reads). */
struct gb_word {
	uintptr_t addr;
	uint64_t cpus;
	int reads, loc;
};

struct gb {
	const struct emu_trace_ent *tr;
	size_t ntr;
	struct exg *g;
	struct graph_build_stats *st;
	char *err;
	size_t errn;
	int nwords, nlocs;
	struct gb_word word[GB_RAW];
	unsigned gen;		/* of this build, for the hash */
	unsigned hgen[GB_HASH]; /* hash slot in use when hgen == gen */
	int hword[GB_HASH];	/* the slot's word */
	int loc_iw[GB_MAX];
	/* per event */
	size_t pos[GB_MAX];		     /* trace index (initial writes: 0) */
	uint32_t sid[GB_MAX];		     /* writes: store id (initial writes: 0) */
	uint32_t rf_sid[GB_MAX];	     /* reads: store id read */
	uint32_t newest[GB_MAX];	     /* reads: store id of the newest message then */
	uint32_t handle[GB_MAX];	     /* loads: dependency handle */
	bool rf_guess[GB_MAX];		     /* reads whose store the trace does not name */
	int lstart[GB_MAX + 1], lev[GB_MAX]; /* accesses by location */
	uint32_t next_sid;
	struct rel cons; /* co constraints between writes */
};

/* The word at addr (registered on first sight), or -1 past GB_RAW words. */
static int word_of(struct gb *b, uintptr_t addr)
{
	unsigned h = (unsigned)((addr >> 3) * 0x9e3779b1u) & (GB_HASH - 1);
	for (;; h = (h + 1) & (GB_HASH - 1)) {
		if (b->hgen[h] != b->gen)
			break;
		if (b->word[b->hword[h]].addr == addr)
			return b->hword[h];
	}
	if (b->nwords == GB_RAW)
		return -1;
	b->hgen[h] = b->gen;
	b->hword[h] = b->nwords;
	b->word[b->nwords] = (struct gb_word){.addr = addr};
	return b->nwords++;
}

/* The graph location of the word at addr (-1: left out). */
static int loc_of(struct gb *b, uintptr_t addr)
{
	int w = word_of(b, addr);
	return w < 0 ? -1 : b->word[w].loc;
}

/* Pass 1: the words an entry touches, by which CPU, read or not. */
static int note_words(struct gb *b, const struct emu_trace_ent *t)
{
	int w0 = -1, w1 = -1;
	switch (t->op) {
	case EMU_OP_LOAD:
	case EMU_OP_STORE:
	case EMU_OP_RMW: w0 = word_of(b, t->addr); break;
	case EMU_OP_CAS128:
		w0 = word_of(b, t->addr);
		w1 = word_of(b, t->addr + 8);
		break;
	default: return 0;
	}
	if (w0 < 0 || (t->op == EMU_OP_CAS128 && w1 < 0))
		return -1;
	for (int k = 0; k < 2; k++) {
		int w = k ? w1 : w0;
		if (w < 0)
			continue;
		b->word[w].cpus |= 1ull << (t->cpu & 63);
		b->word[w].reads += t->op != EMU_OP_STORE;
	}
	return 0;
}

/* Events an entry becomes (after the words got their locations). */
static int entry_events(struct gb *b, const struct emu_trace_ent *t)
{
	bool failed = t->flags & EMU_TR_FAILED;
	switch (t->op) {
	case EMU_OP_LOAD: return 1;
	case EMU_OP_STORE: return loc_of(b, t->addr) >= 0;
	case EMU_OP_RMW: return failed ? 1 : 2;
	case EMU_OP_CAS128: return failed ? 2 : 4;
	case EMU_OP_FENCE:
	case EMU_OP_RCU: return 1;
	}
	return 0;
}

static unsigned acc_flags(unsigned acc)
{
	switch (acc) {
	case SS_ACC_PLAIN: return EVF_PLAIN;
	case SS_ACC_ACQUIRE: return EVF_ACQUIRE;
	case SS_ACC_RELEASE: return EVF_RELEASE;
	}
	return EVF_ONCE;
}

static int add(struct gb *b, size_t i, enum ev_kind kind, int loc, long long val, unsigned flags,
	       enum model_fence f)
{
	const struct emu_trace_ent *t = &b->tr[i];
	int ev = exg_add(b->g, t->cpu, kind, loc, val, flags, f);
	if (ev >= 0) {
		b->g->ev[ev].src = (int)i;
		b->pos[ev] = i;
		b->sid[ev] = b->rf_sid[ev] = b->newest[ev] = b->handle[ev] = 0;
		b->rf_guess[ev] = false;
		if (kind == EV_R)
			b->st->reads++;
		else if (kind == EV_W)
			b->st->writes++;
		else
			b->st->fences++;
	}
	return ev;
}

/* The id the model gave the write of entry i (ev: its event, -1 when left
 * out); the trace's id, when it shows one, must agree. */
static int new_write(struct gb *b, size_t i, int ev, uint32_t shown)
{
	if (shown && shown != b->next_sid) {
		snprintf(b->err, b->errn, "store ids out of step at step %u: %u, expected %u",
			 (unsigned)b->tr[i].step, (unsigned)shown, (unsigned)b->next_sid);
		return -1;
	}
	if (ev >= 0)
		b->sid[ev] = b->next_sid;
	b->next_sid++;
	return 0;
}

/* Dependency edges into ev (addr: a load's and a store's dependency is its
 * address's, PLAIN_STORE_DEP / wmm_store_dep; a store's value is not tracked)
 * from the loads of its CPU the entry names (all of them for "all"). */
static void deps_into(struct gb *b, const struct emu_trace_ent *t, int ev, struct rel *kind)
{
	if (!(t->flags & EMU_TR_DEP))
		return;
	struct exg *g = b->g;
	for (int s = ev - 1; s >= 0; s--) {
		if (g->ev[s].thr != t->cpu || g->ev[s].kind != EV_R || !b->handle[s])
			continue;
		bool named = t->ndeps == 0xff;
		for (int k = 0; k < t->ndeps && k < 4 && !named; k++)
			named = t->deps[k] == b->handle[s];
		if (named)
			rel_add(kind, s, ev);
	}
}

/* An R (and W unless failed) of an RMW on word loc; the read's source is the
 * store id shown, or (guess) the newest message, rebuilt later. */
static int rmw_events(struct gb *b, size_t i, int loc, u64 old, u64 nv, bool guess)
{
	const struct emu_trace_ent *t = &b->tr[i];
	unsigned f = EVF_RMW | (t->flags & EMU_TR_FULL ? EVF_MB : EVF_ONCE);
	bool failed = t->flags & EMU_TR_FAILED;
	int r = add(b, i, EV_R, loc, (long long)old, failed ? EVF_RMW | EVF_ONCE : f, MF_NONE);
	if (r < 0)
		return -1;
	b->rf_sid[r] = guess ? 0 : t->store_id;
	b->rf_guess[r] = guess;
	b->newest[r] = guess ? 0 : t->newest_store_id;
	if (failed)
		return 0;
	int w = add(b, i, EV_W, loc, (long long)nv, f, MF_NONE);
	if (w < 0 || new_write(b, i, w, 0) < 0)
		return -1;
	rel_add(&b->g->rmw, r, w);
	return 0;
}

static int access_events(struct gb *b, size_t i)
{
	const struct emu_trace_ent *t = &b->tr[i];
	int loc = loc_of(b, t->addr), ev;
	switch (t->op) {
	case EMU_OP_LOAD:
		ev = add(b, i, EV_R, loc, (long long)t->val, acc_flags(t->sub), MF_NONE);
		if (ev < 0)
			return -1;
		b->rf_sid[ev] = t->store_id;
		b->newest[ev] = t->newest_store_id;
		b->handle[ev] = t->handle;
		deps_into(b, t, ev, &b->g->addr);
		return 0;
	case EMU_OP_STORE:
		if (loc < 0) { /* a word only this CPU writes */
			b->st->omitted_private_writes++;
			return new_write(b, i, -1, t->size == 8 ? t->store_id : 0);
		}
		ev = add(b, i, EV_W, loc, (long long)t->val, acc_flags(t->sub), MF_NONE);
		if (ev < 0 || new_write(b, i, ev, t->size == 8 ? t->store_id : 0) < 0)
			return -1;
		deps_into(b, t, ev, &b->g->addr);
		return 0;
	case EMU_OP_RMW: return rmw_events(b, i, loc, t->val, t->newest_val, false);
	default: /* EMU_OP_CAS128 */
		if (rmw_events(b, i, loc, t->val, 0, false) < 0)
			return -1;
		return rmw_events(b, i, loc_of(b, t->addr + 8), t->newest_val, 0, true);
	}
}

static int entry_to_events(struct gb *b, size_t i)
{
	const struct emu_trace_ent *t = &b->tr[i];
	static const enum model_fence fence_kind[] = {MF_MB, MF_WMB, MF_RMB};
	static const enum model_fence rcu_kind[] = {MF_SYNC_RCU, MF_RCU_LOCK, MF_RCU_UNLOCK};
	switch (t->op) {
	case EMU_OP_LOAD:
	case EMU_OP_STORE:
	case EMU_OP_RMW:
	case EMU_OP_CAS128: return access_events(b, i);
	case EMU_OP_FENCE:
		return add(b, i, EV_F, -1, 0, 0, fence_kind[t->sub < 3 ? t->sub : 0]) < 0 ? -1 : 0;
	case EMU_OP_RCU:
		return add(b, i, EV_F, -1, 0, 0, rcu_kind[t->sub < 3 ? t->sub : 0]) < 0 ? -1 : 0;
	case EMU_OP_LOCK:
	case EMU_OP_TRYLOCK:
	case EMU_OP_UNLOCK:
		/* their writes are numbered too */
		if (t->op != EMU_OP_TRYLOCK || !(t->flags & EMU_TR_FAILED))
			b->next_sid++;
		b->st->omitted_locks++;
		return 0;
	}
	return 0;
}

/* ---- rf and co ------------------------------------------------------------------ */

/* The accesses of each location, in event order: lev[lstart[loc] ..
 * lstart[loc + 1]). */
static void group_by_location(struct gb *b)
{
	const struct exg *g = b->g;
	int count[GB_MAX + 1] = {0};
	for (int e = 0; e < g->n; e++)
		if (g->ev[e].kind != EV_F)
			count[g->ev[e].loc + 1]++;
	b->lstart[0] = 0;
	for (int k = 0; k < b->nlocs; k++)
		b->lstart[k + 1] = b->lstart[k] + count[k + 1];
	int fill[GB_MAX];
	memcpy(fill, b->lstart, (size_t)b->nlocs * sizeof(fill[0]));
	for (int e = 0; e < g->n; e++)
		if (g->ev[e].kind != EV_F)
			b->lev[fill[g->ev[e].loc]++] = e;
}

/* The write of store id sid on loc (the initial write for 0 or an unknown id). */
static int write_of(struct gb *b, int loc, uint32_t sid)
{
	const struct exg *g = b->g;
	for (int k = b->lstart[loc]; sid && k < b->lstart[loc + 1]; k++) {
		int w = b->lev[k];
		if (g->ev[w].kind == EV_W && b->sid[w] == sid)
			return w;
	}
	if (sid)
		b->st->rf_outside++;
	return b->loc_iw[loc];
}

/* Edges a -> b of cons between writes of one location (never into the
 * initial write, which goes first anyway). */
static void before(struct gb *b, int w1, int w2)
{
	if (w1 != w2 && !(b->g->ev[w2].flags & EVF_IW))
		rel_add(&b->cons, w1, w2);
}

/* What the trace says about co: program order, coherence with the reads
 * (CoWR, CoRW, CoRR), RMWs after their source, and a write made after a read
 * goes after the message that was newest at that read. */
static void co_constraints(struct gb *b, const int *src, int loc)
{
	const struct exg *g = b->g;
	for (int i = b->lstart[loc]; i < b->lstart[loc + 1]; i++)
		for (int j = i + 1; j < b->lstart[loc + 1]; j++) {
			int a = b->lev[i], c = b->lev[j];
			const struct ev *x = &g->ev[a], *y = &g->ev[c];
			bool same = x->thr >= 0 && x->thr == y->thr;
			if (x->kind == EV_W && y->kind == EV_W && same)
				before(b, a, c);
			if (x->kind == EV_W && y->kind == EV_R && same)
				before(b, a, src[c]); /* CoWR */
			if (x->kind == EV_R && y->kind == EV_W && same)
				before(b, src[a], c); /* CoRW */
			if (x->kind == EV_R && y->kind == EV_R && same)
				before(b, src[a], src[c]); /* CoRR */
			if (x->kind == EV_R && y->kind == EV_W && b->newest[a] &&
			    b->pos[c] > b->pos[a])
				before(b, write_of(b, loc, b->newest[a]), c);
			if (x->kind == EV_R && y->kind == EV_W && rel_has(&g->rmw, a, c))
				before(b, src[a], c);
		}
}

/* co of one location: a topological order of cons, the earliest in the trace
 * first among the writes free to go. */
static void co_of_location(struct gb *b, int loc)
{
	struct exg *g = b->g;
	int ws[GB_MAX], k = 0, prev = b->loc_iw[loc];
	bool placed[GB_MAX], cycle = false;
	for (int i = b->lstart[loc]; i < b->lstart[loc + 1]; i++)
		if (g->ev[b->lev[i]].kind == EV_W && b->lev[i] != prev) {
			placed[k] = false;
			ws[k++] = b->lev[i];
		}
	for (int done = 0; done < k; done++) {
		int pick = -1, free_count = 0;
		for (int x = 0; x < k; x++) {
			if (placed[x])
				continue;
			bool ready = true;
			for (int y = 0; y < k && ready; y++)
				if (!placed[y] && rel_has(&b->cons, ws[y], ws[x]))
					ready = false;
			if (ready && pick < 0)
				pick = x;
			free_count += ready;
		}
		if (pick < 0) { /* a cycle: the earliest left goes */
			for (pick = 0; placed[pick]; pick++)
				;
			cycle = true;
		}
		b->st->co_ties += free_count > 1;
		rel_add(&g->co, prev, ws[pick]);
		placed[pick] = true;
		prev = ws[pick];
	}
	b->st->co_cycles += cycle;
}

/* The source of a read of the newest message the trace does not name: the
 * co-last write of its location made before it. */
static int newest_before(struct gb *b, int r)
{
	const struct exg *g = b->g;
	int loc = g->ev[r].loc, best = b->loc_iw[loc];
	for (int k = b->lstart[loc]; k < b->lstart[loc + 1]; k++) {
		int w = b->lev[k];
		if (g->ev[w].kind == EV_W && b->pos[w] < b->pos[r] && rel_has(&g->co, best, w))
			best = w;
	}
	b->st->newest_guessed++;
	return best;
}

static void rf_and_co(struct gb *b)
{
	struct exg *g = b->g;
	int n = g->n, src[GB_MAX];
	group_by_location(b);
	for (int r = 0; r < n; r++)
		src[r] = g->ev[r].kind == EV_R ? write_of(b, g->ev[r].loc, b->rf_sid[r]) : -1;
	rel_zero(n, &b->cons);
	for (int loc = 0; loc < b->nlocs; loc++) {
		co_constraints(b, src, loc);
		co_of_location(b, loc);
	}
	rel_plus(n, &g->co, &g->co); /* newest_before compares co places */
	for (int r = 0; r < n; r++) {
		if (src[r] < 0)
			continue;
		if (b->rf_guess[r])
			src[r] = newest_before(b, r);
		rel_add(&g->rf, src[r], r);
	}
}

/* ---- the whole graph ------------------------------------------------------------ */

static struct gb *gb_scratch(void)
{
	static __thread struct gb *b;
	if (!b && !(b = calloc(1, sizeof(*b))))
		abort();
	return b;
}

int graph_build(const struct emu *e, struct exg *g, struct graph_build_stats *st, char *err,
		size_t n)
{
	struct graph_build_stats dummy;
	struct gb *b = gb_scratch();
	b->tr = emu_trace(e, &b->ntr);
	b->g = g;
	b->st = st ? st : &dummy;
	memset(b->st, 0, sizeof(*b->st));
	b->err = err;
	b->errn = n;
	b->nwords = b->nlocs = 0;
	b->next_sid = 1;
	if (++b->gen == 0) { /* wrapped: no slot may look in use */
		memset(b->hgen, 0, sizeof(b->hgen));
		b->gen = 1;
	}
	for (size_t i = 0; i < b->ntr; i++)
		if (note_words(b, &b->tr[i]) < 0) {
			snprintf(err, n, "more than %d words touched", GB_RAW);
			return -1;
		}
	for (int w = 0; w < b->nwords; w++) {
		struct gb_word *x = &b->word[w];
		bool shared = x->reads || (x->cpus & (x->cpus - 1));
		if (shared && b->nlocs == GB_MAX) {
			snprintf(err, n, "more than %d shared words", GB_MAX);
			return -1;
		}
		x->loc = shared ? b->nlocs++ : -1;
	}
	int nev = 0;
	for (size_t i = 0; i < b->ntr && nev <= GB_MAX; i++)
		nev += entry_events(b, &b->tr[i]);
	if (nev + b->nlocs > GB_MAX) {
		snprintf(err, n,
			 "%d events and %d locations: more than the %d events a graph holds", nev,
			 b->nlocs, GB_MAX);
		return -1;
	}
	exg_init_cap(g, nev + b->nlocs);
	for (int k = 0; k < b->nlocs; k++) {
		int iw = exg_add(g, -1, EV_W, k, 0, 0, MF_NONE);
		b->loc_iw[k] = iw;
		b->pos[iw] = 0;
		b->sid[iw] = b->rf_sid[iw] = b->newest[iw] = b->handle[iw] = 0;
		b->rf_guess[iw] = false;
	}
	for (size_t i = 0; i < b->ntr; i++)
		if (entry_to_events(b, i) < 0)
			return -1;
	rf_and_co(b);
	exg_finish(g);
	b->st->events = g->n;
	b->st->locations = b->nlocs;
	return 0;
}

int graph_check_lkmm(const struct emu *e, struct exg *g, struct lkmm_verdict *v,
		     struct graph_build_stats *st, char *err, size_t n)
{
	if (graph_build(e, g, st, err, n) < 0)
		return -1;
	return lkmm_check(g, false, v, NULL) ? 1 : 0;
}
