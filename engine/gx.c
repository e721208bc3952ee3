/* engine/gx.c - the graph explorer (engine/gx.h): the current graph, how a
 * read, a write and an RMW are added with the alternatives they leave on the
 * stack, revisits, and the graph as a model graph.
 *
 * Representation.  ev[] holds the events in the order the program re-creates
 * them (replay order: a thread's events in program order).  Each event also has
 * a stamp, the order it was added in: revisits cut by stamp.  A revisited read
 * takes a stamp after the write it now reads, so every read's write has a
 * smaller stamp than the read and a cut by stamp never leaves a read without
 * its write.  co is a rank per write (only the order of ranks counts; the
 * initial write is below every rank).
 *
 * The algorithm is GenMC's (reads branch over the writes they may read, writes
 * over their co places and over revisits of every earlier read outside their
 * (po | rf)-prefix), made finite by a set of the graphs already put on the stack
 * (a hash of events, rf, co and stamps), not by TruSt's maximality condition.
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

static bool is_read(const struct gx_event *e)
{
	return e->kind == EV_R;
}

static bool is_write(const struct gx_event *e)
{
	return e->kind == EV_W;
}

/* The RMW write right after read i (same thread), or -1. */
static int rmw_write_of(const struct gx_graph *G, int i)
{
	if (i + 1 < G->n && G->ev[i].paired && G->ev[i + 1].paired &&
	    G->ev[i + 1].thr == G->ev[i].thr && is_write(&G->ev[i + 1]) &&
	    G->ev[i + 1].idx == G->ev[i].idx + 1)
		return i + 1;
	return -1;
}

/* Rank of write w (GX_INIT: below all). */
static int rank_of(const struct gx_graph *G, int w)
{
	return w == GX_INIT ? -1 : G->ev[w].co;
}

/* Atomicity on key: nothing in co between an RMW's write and the write its
 * read read. */
static bool atomic_ok(const struct gx_graph *G, uintptr_t key)
{
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *r = &G->ev[i];
		int w = is_read(r) && r->key == key ? rmw_write_of(G, i) : -1;
		if (w < 0)
			continue;
		int lo = rank_of(G, r->rf), hi = G->ev[w].co;
		if (hi <= lo)
			return false;
		for (int j = 0; j < G->n; j++)
			if (is_write(&G->ev[j]) && G->ev[j].key == key && G->ev[j].co > lo &&
			    G->ev[j].co < hi)
				return false;
	}
	return true;
}

/* The coherence floor of thread thr on key over events [0, upto) of ev[]: the
 * highest rank it wrote or read (-1: the initial value; -2: nothing). */
static int floor_of(const struct gx_graph *G, int thr, uintptr_t key, int upto)
{
	int f = -2;
	for (int i = 0; i < upto; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->thr != thr || e->key != key || e->kind == EV_F)
			continue;
		int r = is_write(e) ? e->co : rank_of(G, e->rf);
		if (r > f)
			f = r;
	}
	return f;
}

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
	case GX_RMW_MERGE: nv = r->operand; break;
	}
	if (r->op == GX_LOCK || r->op == GX_TRYLOCK) {
		*ok = old == 0;
		return 1;
	}
	return (old & ~m) | ((nv << (8 * r->off)) & m);
}

/* ---- the set of graphs already pushed ------------------------------------------------ */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/* Sorting helpers for graph_hash: (a, b) pairs by a, then b. */
struct pair {
	uint64_t a;
	int b, i;
};

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

/* The locations of ev[0, n): lid[i] for each access (fences: -1), and each
 * location's name, its first event (lowest thread, then index) as thr << 16 |
 * idx, not its address.  Returns their number. */
static int locations(const struct gx_event *ev, int n, int *lid, int *name)
{
	static __thread struct gx_locmap map;
	gx_loc_reset(&map);
	for (int i = 0; i < n; i++) {
		lid[i] = -1;
		if (ev[i].kind == EV_F)
			continue;
		int me = ev[i].thr << 16 | ev[i].idx, known = map.n, l = gx_loc_id(&map, ev[i].key);
		if (l == known || me < name[l])
			name[l] = me;
		lid[i] = l;
	}
	return map.n;
}

/* Each write's place in its location's co, co_pos[i] for the writes of
 * ev[0, n) (lid: from locations()): the writes of each location chained in co
 * order, mostly appended at the tail. */
static void co_positions(const struct gx_event *ev, int n, const int *lid, int nloc, int *co_pos)
{
	static __thread int first[GX_MAX_EVENTS], next[GX_MAX_EVENTS], tail[GX_MAX_EVENTS];
	for (int l = 0; l < nloc; l++)
		first[l] = tail[l] = -1;
	for (int i = 0; i < n; i++) {
		if (!is_write(&ev[i]))
			continue;
		int l = lid[i];
		if (tail[l] >= 0 && ev[tail[l]].co < ev[i].co) { /* the usual case: co-last */
			next[tail[l]] = i;
			next[i] = -1;
			tail[l] = i;
			continue;
		}
		int *at = &first[l];
		while (*at >= 0 && ev[*at].co < ev[i].co)
			at = &next[*at];
		next[i] = *at;
		*at = i;
		if (next[i] < 0)
			tail[l] = i;
	}
	for (int l = 0; l < nloc; l++)
		for (int i = first[l], k = 0; i >= 0; i = next[i])
			co_pos[i] = k++;
}

/* Each event's place in the order the events were added: the rank of its
 * stamp among the graph's (stamps differ; while they stay below a few times
 * GX_MAX_EVENTS, as on any path, a bitmap with counts per word ranks them,
 * otherwise they are sorted). */
static void stamp_positions(const struct gx_event *ev, int n, int *st_pos)
{
	enum { SPAN = 8 * GX_MAX_EVENTS, WORDS = SPAN / 64 };
	static __thread uint64_t bit[WORDS];
	static __thread int before[WORDS];
	int top = 0;
	for (int i = 0; i < n; i++)
		if (ev[i].stamp > top)
			top = ev[i].stamp;
	if (top < SPAN) {
		int nw = top / 64 + 1;
		memset(bit, 0, (size_t)nw * sizeof(bit[0]));
		for (int i = 0; i < n; i++)
			bit[ev[i].stamp / 64] |= 1ull << (ev[i].stamp % 64);
		for (int w = 0, c = 0; w < nw; w++) {
			before[w] = c;
			c += __builtin_popcountll(bit[w]);
		}
		for (int i = 0; i < n; i++) {
			int s = ev[i].stamp;
			st_pos[i] = before[s / 64] +
				    __builtin_popcountll(bit[s / 64] & ((1ull << (s % 64)) - 1));
		}
		return;
	}
	static __thread struct pair pr[GX_MAX_EVENTS];
	for (int i = 0; i < n; i++)
		pr[i] = (struct pair){0, ev[i].stamp, i};
	qsort(pr, (size_t)n, sizeof(pr[0]), pair_cmp);
	for (int j = 0; j < n; j++)
		st_pos[pr[j].i] = j;
}

/* Hash of a graph: events (by thread and index), rf, co order, and with
 * stamps the order they were added in (ranks and stamps by their order only,
 * so gaps do not count).  Neither addresses nor the order of ev[] count: a
 * location is named by its first event, values (which may hold addresses)
 * follow from rf in a program that re-runs the same way, and events are
 * summed.  So a graph hashes the same in another process (--resume saves the
 * sets, gx_state.c). */
static uint64_t graph_hash(const struct gx_event *ev, int n, bool stamps)
{
	static __thread int co_pos[GX_MAX_EVENTS], st_pos[GX_MAX_EVENTS], lid[GX_MAX_EVENTS],
	    name[GX_MAX_EVENTS];
	int nloc = locations(ev, n, lid, name);
	co_positions(ev, n, lid, nloc, co_pos);
	if (stamps)
		stamp_positions(ev, n, st_pos);
	uint64_t sum = 0;
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &ev[i];
		const struct gx_event *w = is_read(e) && e->rf != GX_INIT ? &ev[e->rf] : NULL;
		uint64_t h = mix(0, ((uint64_t)e->thr << 48) ^ ((uint64_t)e->idx << 32) ^ e->kind);
		h = mix(h, e->kind == EV_F ? e->fence : (uint64_t)name[lid[i]] + 1);
		h = mix(h, w ? ((uint64_t)w->thr << 16 | (uint64_t)w->idx) + 1 : 0);
		h = mix(h, ((uint64_t)(is_write(e) ? co_pos[i] : 0) << 32) |
			       (uint32_t)(stamps ? st_pos[i] : 0));
		h ^= h >> 31; /* a strong finish: sums of similar events must not cancel */
		h *= 0x94d049bb133111ebull;
		sum += h ^ (h >> 29);
	}
	return mix((uint64_t)n, sum) | 1;
}

/* Is h in the set? */
static bool hset_has(const struct hset *s, uint64_t h)
{
	if (!s->cap)
		return false;
	for (size_t k = h & (s->cap - 1); s->t[k]; k = (k + 1) & (s->cap - 1))
		if (s->t[k] == h)
			return true;
	return false;
}

/* A set of 64-bit hashes (open addressing, 0 = empty; hashes have bit 0 set).
 * Inserts h; false when it was there.  Out of memory: true (visit again
 * rather than lose it). */
bool gx_hset_insert(struct hset *s, uint64_t h)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : SEEN_MIN;
		uint64_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return true;
		for (size_t i = 0; i < s->cap; i++)
			if (s->t[i]) {
				size_t k = s->t[i] & (cap - 1);
				while (t[k])
					k = (k + 1) & (cap - 1);
				t[k] = s->t[i];
			}
		free(s->t);
		s->t = t;
		s->cap = cap;
	}
	size_t k = h & (s->cap - 1);
	while (s->t[k]) {
		if (s->t[k] == h)
			return false;
		k = (k + 1) & (s->cap - 1);
	}
	s->t[k] = h;
	s->n++;
	return true;
}

/* Puts a graph on the stack unless it was there before. */
static uint64_t rnd(struct gx *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A sampling choice among n options: gx_set_chooser's chooser, else at random. */
static unsigned sample_choice(struct gx *g, unsigned n)
{
	if (!g->choose)
		return (unsigned)(rnd(g) % n);
	unsigned k = n < 2 ? 0 : g->choose(g->choose_ctx, n);
	return k < n ? k : k % n;
}

static struct gx_item *item_of(const struct gx_event *ev, int n, int next_stamp, int next_rank)
{
	struct gx_item *it = malloc(sizeof(struct gx_item) + (size_t)n * sizeof(struct gx_event));
	if (!it)
		return NULL;
	it->n = n;
	it->next_stamp = next_stamp;
	it->next_rank = next_rank;
	it->next = NULL;
	memcpy(it->ev, ev, (size_t)n * sizeof(*ev));
	return it;
}

/* Sampling: each revisit graph may become the next execution's start (one of
 * the k seen so far kept with probability 1/k). */
static void sample_revisit(struct gx *g, const struct gx_event *ev, int n, int next_stamp,
			   int next_rank)
{
	if (rnd(g) % ++g->nrev)
		return;
	struct gx_item *it = item_of(ev, n, next_stamp, next_rank);
	if (!it)
		return;
	free(g->next);
	g->next = it;
}

static void push(struct gx *g, const struct gx_event *ev, int n, int next_stamp, int next_rank,
		 bool revisit)
{
	if (g->sample) {
		if (revisit && !g->choose) /* a chooser starts from the empty graph */
			sample_revisit(g, ev, n, next_stamp, next_rank);
		return;
	}
	if (g->no_push)
		return;
	/* a refused graph is not remembered (most graphs offered are refused, and
	 * refusing one again is cheap): the set holds what was pushed */
	uint64_t h = graph_hash(ev, n, true);
	if (hset_has(&g->seen, h))
		return;
	if (g->check) { /* the model refuses it: and every graph that would grow from it */
		static __thread struct gx_graph view;
		memcpy(view.ev, ev, (size_t)n * sizeof(*ev));
		view.n = n;
		g->view = &view;
		bool ok = g->check(g->check_ctx, g);
		g->view = NULL;
		if (!ok) {
			g->st.refused++;
			return;
		}
	}
	gx_hset_insert(&g->seen, h);
	size_t bytes = sizeof(struct gx_item) + (size_t)n * sizeof(struct gx_event);
	struct gx_item *it = g->stack_bytes + bytes > g->max_stack_bytes ? NULL : malloc(bytes);
	if (!it) {
		g->overflowed = true;
		return;
	}
	it->n = n;
	it->next_stamp = next_stamp;
	it->next_rank = next_rank;
	memcpy(it->ev, ev, (size_t)n * sizeof(*ev));
	it->next = g->stack;
	g->stack = it;
	g->stack_bytes += bytes;
	if (++g->depth > g->st.max_stack)
		g->st.max_stack = g->depth;
	g->st.pushed++;
	g->st.revisits += revisit;
}

/* ---- lifetime --------------------------------------------------------------------------- */

struct gx *gx_create(int nthreads, size_t max_stack_bytes)
{
	if (nthreads < 1 || nthreads > GX_MAX_THREADS)
		return NULL;
	struct gx *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->nthreads = nthreads;
	g->max_stack_bytes = max_stack_bytes ? max_stack_bytes : (size_t)1 << 30;
	g->first = true;
	return g;
}

void gx_destroy(struct gx *g)
{
	if (!g)
		return;
	while (g->stack) {
		struct gx_item *it = g->stack;
		g->stack = it->next;
		free(it);
	}
	free(g->seen.t);
	free(g->done.t);
	free(g->next);
	free(g);
}

bool gx_begin(struct gx *g)
{
	struct gx_graph *G = &g->cur;
	struct gx_item *start = NULL;
	if (g->sample) { /* from the empty graph, or half the time a kept revisit */
		start = g->next;
		g->next = NULL;
		g->nrev = 0;
		if (start && rnd(g) & 1) {
			free(start);
			start = NULL;
		}
	}
	if (g->sample && start) {
		G->n = start->n;
		G->next_stamp = start->next_stamp;
		G->next_rank = start->next_rank;
		memcpy(G->ev, start->ev, (size_t)start->n * sizeof(struct gx_event));
		free(start);
	} else if (g->first || g->sample) {
		g->first = false;
		G->n = 0;
		G->next_stamp = G->next_rank = 0;
	} else {
		struct gx_item *it = g->stack;
		if (!it)
			return false;
		g->stack = it->next;
		g->depth--;
		g->stack_bytes -= sizeof(*it) + (size_t)it->n * sizeof(struct gx_event);
		G->n = it->n;
		G->next_stamp = it->next_stamp;
		G->next_rank = it->next_rank;
		memcpy(G->ev, it->ev, (size_t)it->n * sizeof(struct gx_event));
		free(it);
	}
	g->rpos = 0;
	g->addr_free = gx_has_unbound_keys(G);
	g->diverged = g->full = g->dead = false;
	for (int t = 0; t < GX_MAX_THREADS; t++) {
		g->stuck[t] = false;
		g->nev[t] = 0;
		g->last_read[t] = -1;
		g->poll_src[t] = -2;
		g->poll_key[t] = 0;
	}
	return true;
}

bool gx_end(struct gx *g, bool waiting)
{
	g->st.executions++;
	if (g->cur.n > g->st.max_events)
		g->st.max_events = g->cur.n;
	if (g->full)
		g->st.full++;
	else if (g->dead)
		g->st.pruned++;
	else if (waiting)
		g->st.blocked++;
	return !waiting && !g->diverged && !g->full && !g->dead;
}

bool gx_overflowed(const struct gx *g)
{
	return g->overflowed;
}

bool gx_diverged(const struct gx *g)
{
	return g->diverged;
}

const struct gx_stats *gx_stats(const struct gx *g)
{
	return &g->st;
}

int gx_pick(struct gx *g, unsigned ready)
{
	if (!ready)
		return -1;
	if (g->rpos < g->cur.n) {
		int t = g->cur.ev[g->rpos].thr;
		if ((ready >> t) & 1)
			return t;
		g->diverged = true;
	}
	if (g->choose && (ready & (ready - 1))) { /* the last event's thread first */
		int cur = g->rpos ? g->cur.ev[g->rpos - 1].thr : -1, order[GX_MAX_THREADS], n = 0;
		if (cur >= 0 && ((ready >> cur) & 1))
			order[n++] = cur;
		for (int t = 0; t < GX_MAX_THREADS; t++)
			if (((ready >> t) & 1) && t != cur)
				order[n++] = t;
		return order[sample_choice(g, (unsigned)n)];
	}
	return __builtin_ctz(ready);
}

/* The co-latest write of key among ev[0, rpos) (what the program has
 * re-created).  Events before rpos never move or change within a run (new
 * ones go in at rpos), so each key keeps how far it was scanned and what it
 * found: a run scans each event once per key asked about. */
u128 gx_newest(struct gx *g, uintptr_t key, u128 init)
{
	const struct gx_graph *G = &g->cur;
	struct gx_newest_cache *c = &g->newest;
	if (c->run != g->runs) {
		c->run = g->runs;
		gx_loc_reset(&c->map);
	}
	int known = c->map.n, k = gx_loc_id(&c->map, key);
	if (k == known) {
		c->upto[k] = 0;
		c->co[k] = INT_MIN;
		c->val[k] = init;
	}
	for (int i = c->upto[k]; i < g->rpos; i++)
		if (is_write(&G->ev[i]) && G->ev[i].key == key && G->ev[i].co > c->co[k]) {
			c->co[k] = G->ev[i].co;
			c->val[k] = G->ev[i].val;
		}
	c->upto[k] = g->rpos;
	return c->val[k];
}

unsigned gx_nwrites(const struct gx *g, uintptr_t key)
{
	unsigned k = 0;
	for (int i = 0; i < g->rpos; i++)
		k += is_write(&g->cur.ev[i]) && g->cur.ev[i].key == key;
	return k;
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
	bool append = pos == G->n; /* nothing points at or after pos then */
	memmove(&G->ev[pos + 1], &G->ev[pos], (size_t)(G->n - pos) * sizeof(*e));
	G->n++;
	G->ev[pos] = *e;
	for (int i = 0; i < G->n && !append; i++) {
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
	g->st.events++;
	return pos;
}

/* Makes room in key's co right after rank rx; returns the rank to take. */
static int co_after(struct gx_event *ev, int n, uintptr_t key, int rx)
{
	for (int i = 0; i < n; i++)
		if (is_write(&ev[i]) && ev[i].key == key && ev[i].co > rx)
			ev[i].co++;
	return rx + 1;
}

static int co_max(const struct gx_event *ev, int n, uintptr_t key)
{
	int m = -1;
	for (int i = 0; i < n; i++)
		if (is_write(&ev[i]) && ev[i].key == key && ev[i].co > m)
			m = ev[i].co;
	return m;
}

/* The (po | rf)-prefix of event a: in[i] for every event a depends on. */
static void porf_prefix(const struct gx_graph *G, int a, bool *in)
{
	int bound[GX_MAX_THREADS];
	for (int t = 0; t < GX_MAX_THREADS; t++)
		bound[t] = -1;
	bound[(int)G->ev[a].thr] = G->ev[a].idx;
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
	for (int i = 0; i < G->n; i++)
		in[i] = G->ev[i].idx <= bound[(int)G->ev[i].thr];
}

/* ---- revisits ------------------------------------------------------------------------- */

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

/* G' of a revisit: r (index in G) reads a, and pushes it; with places, once
 * for every co place a may take in G' (TruSt's VisitCOs), else a stays where
 * it is.  nev/n: G' with a at index ai and r at ri. */
static void push_revisit(struct gx *g, const struct gx_graph *G, struct gx_event *nev, int n,
			 int ai, int ri, bool places)
{
	if (!places) {
		push(g, nev, n, G->next_stamp + 1, G->next_rank, true);
		return;
	}
	static __thread struct gx_event pl[GX_MAX_EVENTS];
	const struct gx_event *a = &nev[ai], *r = &nev[ri];
	int floor = -1; /* a's own thread and r's coherence */
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &nev[i];
		if (i == ai || e->key != a->key || e->kind == EV_F)
			continue;
		if (e->thr != a->thr && !(e->thr == r->thr && e->idx < r->idx))
			continue;
		int k = is_write(e) ? e->co : e->rf == GX_INIT ? -1 : nev[e->rf].co;
		floor = k > floor ? k : floor;
	}
	int poll = r->poll_src == -2 ? -2 : r->poll_src == GX_INIT ? -1 : nev[r->poll_src].co;
	for (int x = -1; x < n; x++) {
		if (x == ai || (x >= 0 && (!is_write(&nev[x]) || nev[x].key != a->key)))
			continue;
		int rx = x < 0 ? -1 : nev[x].co;
		if (rx < floor || rx + 1 <= poll)
			continue;
		memcpy(pl, nev, (size_t)n * sizeof(*pl));
		place_after(pl, n, ai, rx);
		push(g, pl, n, G->next_stamp + 1, G->next_rank + 1, true);
	}
}

/* Every read that write a (index in G, added last) may revisit: the graph with
 * the read reading a and the events added after it that a does not depend on
 * deleted, onto the stack (see push_revisit for places). */
static void revisits_of(struct gx *g, const struct gx_graph *G, int a, bool places)
{
	static __thread bool in[GX_MAX_EVENTS];
	static __thread struct gx_event nev[GX_MAX_EVENTS];
	static __thread int map[GX_MAX_EVENTS];
	bool any = false; /* a read of another thread to revisit at all? */
	for (int r = 0; r < G->n && !any; r++)
		any = is_read(&G->ev[r]) && G->ev[r].key == G->ev[a].key &&
		      G->ev[r].thr != G->ev[a].thr && !G->ev[r].newest_only;
	if (!any)
		return;
	porf_prefix(G, a, in);
	for (int r = 0; r < G->n; r++) {
		const struct gx_event *re = &G->ev[r];
		if (!is_read(re) || re->key != G->ev[a].key || in[r] || !can_revisit(G, r, a))
			continue;
		int n = 0;
		for (int i = 0; i < G->n; i++) {
			bool keep = i == a || in[i] || G->ev[i].stamp <= re->stamp;
			map[i] = keep ? n : -1;
			if (keep)
				nev[n++] = G->ev[i];
		}
		bool ok = true;
		for (int i = 0; i < n && ok; i++) {
			struct gx_event *x = &nev[i];
			if (is_read(x) && x->rf != GX_INIT)
				ok = (x->rf = map[x->rf]) >= 0;
			if (x->poll_src >= 0)
				ok = ok && (x->poll_src = map[x->poll_src]) >= 0;
		}
		if (!ok)
			continue; /* cannot happen: every read's write has a smaller stamp */
		struct gx_event *nr = &nev[map[r]];
		nr->rf = map[a];
		nr->val = G->ev[a].val;
		nr->stamp = G->next_stamp;
		push_revisit(g, G, nev, n, map[a], map[r], places);
	}
}

/* ---- adding events ---------------------------------------------------------------------- */

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
}

/* The flags of an RMW's read and write parts (as litmus/graph.c). */
static void rmw_flags(const struct gx_access *a, bool ok, unsigned *rf, unsigned *wf)
{
	if (a->op == GX_LOCK || a->op == GX_TRYLOCK) {
		*rf = ok ? EVF_LKR : EVF_LF;
		*wf = EVF_LKW;
		return;
	}
	if (a->rmw == GX_RMW_MERGE) { /* a sub-word store: its own marking */
		*rf = a->flags & ~(unsigned)EVF_RELEASE;
		*wf = a->flags;
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

/* May thr's read (or RMW) of a read write w (index or GX_INIT)?  For RMWs
 * *ok says whether it would write. */
static bool readable(const struct gx *g, int thr, const struct gx_access *a, int w, int floor,
		     int poll_rank, bool *ok)
{
	const struct gx_graph *G = &g->cur;
	int rk = rank_of(G, w);
	*ok = false;
	if (rk < floor || (poll_rank != -3 && rk <= poll_rank))
		return false;
	if (a->newest_only && rk != co_max(G->ev, G->n, a->key))
		return false;
	if (a->op == GX_READ)
		return true;
	struct gx_event tmp;
	fill_event(&tmp, thr, 0, a);
	rmw_apply(&tmp, w == GX_INIT ? a->init : G->ev[w].val, ok);
	/* A write another RMW read may be read too: the atomicity violation is
	 * pruned once the write's revisits are made (GenMC's way). */
	return true;
}

/* The writes thr's read of a may read now, co-latest first; returns how many. */
static int read_candidates(const struct gx *g, int thr, const struct gx_access *a, int *out)
{
	const struct gx_graph *G = &g->cur;
	int floor = floor_of(G, thr, a->key, G->n);
	int poll_rank = -3;
	if (g->poll_src[thr] != -2 && g->poll_key[thr] == a->key && a->op != GX_WRITE)
		poll_rank = rank_of(G, g->poll_src[thr]);
	int k = 0;
	bool ok;
	if (readable(g, thr, a, GX_INIT, floor, poll_rank, &ok))
		out[k++] = GX_INIT;
	for (int i = 0; i < G->n; i++)
		if (is_write(&G->ev[i]) && G->ev[i].key == a->key &&
		    readable(g, thr, a, i, floor, poll_rank, &ok))
			out[k++] = i;
	/* co-latest first */
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && rank_of(G, out[j]) > rank_of(G, out[j - 1]); j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	if (a->op == GX_LOCK) {
		/* A lock that reads a held lock waits until a later unlock revisits
		 * it; which held value it read changes nothing that follows (its CPU
		 * is stuck, nobody reads the read), so one such read is enough: the
		 * co-latest, which no cycle can reach. */
		int m = 0;
		bool held = false;
		for (int i = 0; i < k; i++) {
			u128 v = out[i] == GX_INIT ? a->init : G->ev[out[i]].val;
			if (v != 0 && held)
				continue;
			held |= v != 0;
			out[m++] = out[i];
		}
		k = m;
	}
	return k;
}

/* Adds write event *w (its co rank set) at the replay position and leaves its
 * revisits on the stack. */
static int add_write(struct gx *g, struct gx_event *w, bool places)
{
	struct gx_graph *G = &g->cur;
	w->kind = EV_W;
	w->stamp = G->next_stamp++;
	int i = insert_at(g, g->rpos, w);
	if (i < 0)
		return -1;
	g->rpos++;
	if (!g->choose) /* a chooser keeps no revisit */
		revisits_of(g, G, i, places);
	if (!atomic_ok(G, w->key)) {
		g->dead = true; /* its revisits are made: nothing more comes of it */
		return -2;
	}
	return i;
}

/* May a new write of key go right after x (a write or GX_INIT) other than at
 * the top? */
static bool other_place(const struct gx_graph *G, int x, uintptr_t key, int floor, int top)
{
	return (x == GX_INIT || (is_write(&G->ev[x]) && G->ev[x].key == key)) &&
	       rank_of(G, x) >= floor && rank_of(G, x) != top;
}

/* gx_set_chooser's co place of a new write of key: the write (or GX_INIT) it
 * goes right after; -2: co-last (choice 0). */
static int chosen_place(struct gx *g, uintptr_t key, int floor, int top)
{
	const struct gx_graph *G = &g->cur;
	unsigned np = 0;
	for (int x = GX_INIT; x < G->n; x++)
		np += other_place(G, x, key, floor, top);
	unsigned k = sample_choice(g, np + 1);
	for (int x = GX_INIT; x < G->n && k; x++)
		if (other_place(G, x, key, floor, top) && --k == 0)
			return x;
	return -2;
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
	int floor = floor_of(G, thr, a->key, G->n);
	int top = co_max(G->ev, G->n, a->key);
	static __thread struct gx_event alt[GX_MAX_EVENTS];
	if (G->n + 1 > GX_MAX_EVENTS) {
		g->full = true;
		return GX_FULL;
	}
	if (g->sample) { /* one place at random among those allowed */
		int np = 0, pick = -2;
		for (int x = GX_INIT; x < G->n && !g->choose; x++)
			if ((x == GX_INIT || (is_write(&G->ev[x]) && G->ev[x].key == a->key)) &&
			    rank_of(G, x) >= floor && rnd(g) % (unsigned)++np == 0)
				pick = x;
		if (g->choose) /* 0: co-last; k: the k-th other place allowed */
			pick = chosen_place(g, a->key, floor, top);
		if (pick != -2 && rank_of(G, pick) != top) {
			w.co = co_after(G->ev, G->n, a->key, rank_of(G, pick));
			G->next_rank++;
			int k = add_write(g, &w, true);
			if (res && k >= 0)
				res->write_id = (unsigned)G->ev[k].stamp + 1;
			return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
		}
	}
	/* every other place: right after a write (or the initial value) at or
	 * above the floor that no RMW read */
	for (int x = GX_INIT; x < G->n && !g->sample; x++) {
		if (x != GX_INIT && (!is_write(&G->ev[x]) || G->ev[x].key != a->key))
			continue;
		int rx = rank_of(G, x);
		if (rx < floor || rx == top)
			continue;
		memcpy(alt, G->ev, (size_t)G->n * sizeof(*alt));
		alt[G->n] = w;
		alt[G->n].co = co_after(alt, G->n, a->key, rx);
		alt[G->n].stamp = G->next_stamp;
		push(g, alt, G->n + 1, G->next_stamp + 1, G->next_rank + 1, false);
	}
	w.co = top + 1;
	G->next_rank++;
	int k = add_write(g, &w, true);
	if (res && k >= 0)
		res->write_id = (unsigned)G->ev[k].stamp + 1;
	return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
}

/* A read or RMW read of write src; for an RMW that writes, its write right
 * after src in co.  In the current graph (alt NULL) or as a graph on the
 * stack. */
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
	if (push_it) {
		static __thread struct gx_event alt[GX_MAX_EVENTS];
		if (G->n + 2 > GX_MAX_EVENTS)
			return -1;
		memcpy(alt, G->ev, (size_t)G->n * sizeof(*alt));
		int n = G->n;
		alt[n] = r;
		alt[n].stamp = G->next_stamp;
		n++;
		if (ok) {
			struct gx_event w = r;
			w.kind = EV_W;
			w.idx++;
			w.val = nv;
			w.flags = wfl;
			w.rf = GX_INIT;
			w.poll_src = -2;
			w.co = co_after(alt, n, a->key, rank_of(G, src));
			w.stamp = G->next_stamp + 1;
			alt[n++] = w;
			/* the write's revisits come from this graph even when it
			 * breaks atomicity (then it goes no further itself) */
			static __thread struct gx_graph ag;
			memcpy(ag.ev, alt, (size_t)n * sizeof(*alt));
			ag.n = n;
			ag.next_stamp = G->next_stamp + 2;
			ag.next_rank = G->next_rank + 1;
			revisits_of(g, &ag, n - 1, false);
			if (!atomic_ok(&ag, a->key)) {
				g->st.cut++;
				return 0;
			}
		}
		push(g, alt, n, G->next_stamp + 2, G->next_rank + 1, false);
		return 0;
	}
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
		w.co = co_after(G->ev, G->n, a->key, rank_of(G, src));
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
	int top = GX_INIT;
	for (int i = 0; i < ri; i++)
		if (is_write(&G->ev[i]) && G->ev[i].key == r->key && G->ev[i].co > rank_of(G, top))
			top = i;
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
	int c = g->sample ? (int)sample_choice(g, (unsigned)k) : 0; /* sampling: one at random */
	for (int i = 1; i < k && !g->sample; i++)
		add_read(g, thr, a, cand[i], true);
	int ri = add_read(g, thr, a, cand[c], false);
	if (ri == -2)
		return GX_PRUNED;
	if (ri < 0) {
		g->full = true;
		return GX_FULL;
	}
	read_done(g, thr, ri, a, res);
	if (res->ok && rmw_write_of(G, ri) >= 0)
		res->write_id = (unsigned)G->ev[ri + 1].stamp + 1;
	if (a->op == GX_LOCK && !res->ok) {
		g->stuck[thr] = true; /* read a held lock: waits for good */
		return GX_WAIT;
	}
	return GX_OK;
}

/* Re-creates event rpos for thr's access a. */
static enum gx_status replay(struct gx *g, int thr, const struct gx_access *a,
			     struct gx_result *res)
{
	struct gx_graph *G = &g->cur;
	struct gx_event *e = &G->ev[g->rpos];
	unsigned char op = e->op;
	if (!gx_bind_saved_key(g, thr, a)) /* a --resume state's graph (gx_state.c) */
		return GX_DIVERGED;
	if (e->thr != thr || op != a->op || (a->op != GX_FENCE && e->key && e->key != a->key) ||
	    e->idx != g->nev[thr]) {
		g->diverged = true;
		return GX_DIVERGED;
	}
	if (a->op != GX_FENCE)
		e->key = a->key; /* a saved graph has no addresses */
	e->tag = a->tag;
	if (a->op == GX_FENCE) {
		g->rpos++;
		g->nev[thr]++;
		return GX_OK;
	}
	if (is_read(e) && e->rf != GX_INIT) {
		const struct gx_event *w = &G->ev[e->rf];
		/* a saved graph lists each write before its readers; every write
		 * read must be one of this location */
		if (!is_write(w) || (e->rf < g->rpos && w->key != a->key) ||
		    (g->no_push && e->rf >= g->rpos)) {
			g->diverged = true;
			return GX_DIVERGED;
		}
	}
	if (is_read(e)) /* the value its write has in this run, where it has one */
		e->val = e->rf == GX_INIT ? a->init : e->rf < g->rpos ? G->ev[e->rf].val : e->val;
	if (is_write(e)) {
		u128 v = a->op == GX_UNLOCK ? 0 : a->val;
		if (g->no_push || g->addr_free) /* a saved graph: addresses in values differ */
			e->val = v;
		else if (e->val != v) {
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
	/* the RMW's write: re-created, or new after a revisit (which may have
	 * changed the read's value, and so whether it writes and its marks) */
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
		G->ev[w].key = e->key;
		G->ev[w].tag = a->tag;
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
	nw.val = nv;
	nw.flags = wfl;
	nw.rf = GX_INIT;
	nw.poll_src = -2;
	nw.co = co_after(G->ev, G->n, e->key, rank_of(G, e->rf));
	G->next_rank++;
	int k = add_write(g, &nw, false);
	g->nev[thr]++;
	if (k >= 0)
		res->write_id = (unsigned)G->ev[k].stamp + 1;
	return k == -2 ? GX_PRUNED : k < 0 ? GX_FULL : GX_OK;
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
	return read_candidates(g, thr, a, cand) == 0;
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
	return read_candidates(g, thr, &a, cand) == 0;
}

/* ---- the graph for the memory models ---------------------------------------------- */

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

/* addr (into any access) / data (into writes) from the reads e names, and the
 * conservative ctrl: every read of the CPU to every later write.  before[0,
 * nb): the kept events of e's thread before it, in program order. */
static void dep_edges(const struct gx_graph *G, const int *before, int nb, const int *id, int i,
		      struct exg *x)
{
	const struct gx_event *e = &G->ev[i];
	struct rel *dep = is_write(e) ? &x->data : &x->addr;
	for (int k = 0; k < nb; k++) {
		int j = before[k];
		const struct gx_event *d = &G->ev[j];
		if (!is_read(d))
			continue;
		bool on = e->dep_all;
		for (unsigned q = 0; q < e->ndeps && !on; q++)
			on = e->deps[q] == d->idx;
		if (on && !(is_write(e) && rmw_write_of(G, j) == i))
			rel_add(dep, id[j], id[i]);
		if (is_write(e))
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

/* ---- saving a graph (reproducers) ---------------------------------------------------- */

#define GX_MAGIC 0x31475847u /* "GXG1" */

bool gx_exec_new(struct gx *g)
{
	return gx_hset_insert(&g->done, graph_hash(g->cur.ev, g->cur.n, false));
}

/* A replay order for G: every read after the write it reads (a graph here has
 * no po | rf cycle), an RMW's write right after its read, the threads'
 * events in program order, otherwise as in ev[].  order[k]: the k-th event. */
void gx_replay_order(const struct gx_graph *G, int *order)
{
	static __thread bool done[GX_MAX_EVENTS];
	int next[GX_MAX_THREADS] = {0}, k = 0;
	memset(done, 0, (size_t)G->n);
	while (k < G->n) {
		int pick = -1;
		for (int i = 0; i < G->n && pick < 0; i++) {
			const struct gx_event *e = &G->ev[i];
			if (!done[i] && e->idx == next[(int)e->thr] &&
			    (!is_read(e) || e->rf == GX_INIT || done[e->rf]))
				pick = i;
		}
		if (pick < 0) /* cannot happen; keep the order as it is */
			for (int i = 0; i < G->n && pick < 0; i++)
				if (!done[i])
					pick = i;
		done[pick] = true;
		order[k++] = pick;
		next[(int)G->ev[pick].thr]++;
		int w = rmw_write_of(G, pick);
		if (w >= 0) {
			done[w] = true;
			order[k++] = w;
			next[(int)G->ev[w].thr]++;
		}
	}
}

u8 *gx_save(const struct gx *g, size_t *len)
{
	const struct gx_graph *G = &g->cur;
	size_t n = 16 + (size_t)G->n * sizeof(struct gx_event);
	u8 *b = calloc(1, n);
	static __thread int order[GX_MAX_EVENTS], pos[GX_MAX_EVENTS];
	if (!b)
		return NULL;
	uint32_t hdr[4] = {GX_MAGIC, (uint32_t)G->n, (uint32_t)G->next_stamp,
			   (uint32_t)G->next_rank};
	memcpy(b, hdr, sizeof(hdr));
	gx_replay_order(G, order);
	for (int k = 0; k < G->n; k++)
		pos[order[k]] = k;
	for (int k = 0; k < G->n; k++) {
		struct gx_event e = G->ev[order[k]];
		e.key = 0; /* addresses differ between processes */
		e.tag = NULL;
		if (is_read(&e) && e.rf != GX_INIT)
			e.rf = pos[e.rf];
		if (e.poll_src >= 0)
			e.poll_src = pos[e.poll_src];
		memcpy(b + 16 + (size_t)k * sizeof(e), &e, sizeof(e));
	}
	*len = n;
	return b;
}

int gx_load(struct gx *g, const u8 *b, size_t len)
{
	uint32_t hdr[4];
	if (len < sizeof(hdr))
		return -1;
	memcpy(hdr, b, sizeof(hdr));
	if (hdr[0] != GX_MAGIC || hdr[1] > GX_MAX_EVENTS ||
	    len != 16 + (size_t)hdr[1] * sizeof(struct gx_event))
		return -1;
	struct gx_graph *G = &g->cur;
	G->n = (int)hdr[1];
	G->next_stamp = (int)hdr[2];
	G->next_rank = (int)hdr[3];
	memcpy(G->ev, b + 16, (size_t)G->n * sizeof(struct gx_event));
	for (int i = 0; i < G->n; i++) {
		struct gx_event *e = &G->ev[i];
		if (e->thr < 0 || e->thr >= g->nthreads ||
		    (e->kind != EV_R && e->kind != EV_W && e->kind != EV_F) ||
		    (e->kind == EV_R && (e->rf < GX_INIT || e->rf >= G->n)) || e->ndeps > GX_DEPS ||
		    e->poll_src < -2 || e->poll_src >= G->n || e->fence >= MF_NKINDS ||
		    e->off >= 16 || e->size > 16 || e->idx < 0)
			return -1;
	}
	g->first = false;
	g->no_push = true;
	/* the only graph to visit: the next gx_begin takes it */
	size_t bytes = sizeof(struct gx_item) + (size_t)G->n * sizeof(struct gx_event);
	struct gx_item *it = malloc(bytes);
	if (!it)
		return -1;
	it->n = G->n;
	it->next_stamp = G->next_stamp;
	it->next_rank = G->next_rank;
	memcpy(it->ev, G->ev, (size_t)G->n * sizeof(struct gx_event));
	it->next = g->stack;
	g->stack = it;
	g->depth++;
	g->stack_bytes += bytes;
	return 0;
}

void gx_dump(const struct gx *g, FILE *f)
{
	const struct gx_graph *G = &g->cur;
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		fprintf(f, "%3d: t%d.%d s%d %c op%d key %#lx val %#llx rf %d co %d fl %#x%s%s\n", i,
			e->thr, e->idx, e->stamp, " RWF"[e->kind & 3 ? e->kind : 3], e -> op,
			(unsigned long)e -> key, (unsigned long long)e -> val, e -> rf, e -> co,
			e -> flags, e -> paired ? " pair" : "", e->newest_only ? " newest" : "");
	}
}

void gx_set_whole_graph(struct gx *g, bool on)
{
	g->whole = on;
}

void gx_set_check(struct gx *g, bool (*check)(void *ctx, struct gx *g), void *ctx)
{
	g->check = check;
	g->check_ctx = ctx;
}

void gx_set_sample(struct gx *g, unsigned long long seed)
{
	g->sample = true;
	g->rng = seed * 0x2545f4914f6cdd1dull + 1;
}

void gx_set_chooser(struct gx *g, unsigned (*choose)(void *ctx, unsigned n), void *ctx)
{
	g->sample = true;
	g->choose = choose;
	g->choose_ctx = ctx;
}
