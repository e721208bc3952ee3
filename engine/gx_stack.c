/* engine/gx_stack.c - the explorer's stack of graphs and the host's side of
 * it (engine/gx.h): pushing a graph once, lifetime, one execution's start
 * (gx_begin: the next graph, or a sampled start) and end, which thread goes
 * next, the newest write of a location, and the settings. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/gx_impl.h"

/* ---- the stack ------------------------------------------------------------------------ */

/* Sampling's PRNG (splitmix64). */
uint64_t gx_rnd(struct gx *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A sampling choice among n options: gx_set_chooser's chooser, else at random. */
unsigned gx_sample_choice(struct gx *g, unsigned n)
{
	if (!g->choose)
		return (unsigned)(gx_rnd(g) % n);
	unsigned k = n < 2 ? 0 : g->choose(g->choose_ctx, n);
	return k < n ? k : k % n;
}

/* A stack item holding ev[0, n) (malloc'ed; NULL out of memory). */
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
	if (gx_rnd(g) % ++g->nrev)
		return;
	struct gx_item *it = item_of(ev, n, next_stamp, next_rank);
	if (!it)
		return;
	free(g->next);
	g->next = it;
}

/* Would gx_push push ev[0, n): not pushed before (its hash *h, not in the
 * set), and the model (gx_set_check) does not refuse it? */
static bool pushable(struct gx *g, const struct gx_event *ev, int n, uint64_t *h)
{
	/* a refused graph is not remembered (most graphs offered are refused, and
	 * refusing one again is cheap): the set holds what was pushed */
	*h = gx_graph_hash(ev, n, true);
	if (gx_hset_has(&g->seen, *h))
		return false;
	if (g->check) { /* the model refuses it: and every graph that would grow from it */
		static __thread struct gx_graph view;
		memcpy(view.ev, ev, (size_t)n * sizeof(*ev));
		view.n = n;
		g->view = &view;
		bool ok = g->check(g->check_ctx, g);
		g->view = NULL;
		if (!ok) {
			g->st.refused++;
			return false;
		}
	}
	return true;
}

bool gx_claim(struct gx *g, const struct gx_event *ev, int n)
{
	uint64_t h;
	if (g->sample || g->no_push || !pushable(g, ev, n, &h))
		return false;
	gx_hset_insert(&g->seen, h);
	return true;
}

/* Puts a graph on the stack unless it was pushed before or the model refuses
 * it (gx_impl.h); sampling keeps revisit graphs as starts instead. */
void gx_push(struct gx *g, const struct gx_event *ev, int n, int next_stamp, int next_rank,
	     bool revisit)
{
	if (g->sample) {
		if (revisit && !g->choose) /* a chooser starts from the empty graph */
			sample_revisit(g, ev, n, next_stamp, next_rank);
		return;
	}
	uint64_t h;
	if (g->no_push || !pushable(g, ev, n, &h))
		return;
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
	g->in_place = -1;
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
	free(g->loaded);
	free(g);
}

/* A graph given: its header, then its events. */
struct given {
	int n, next_stamp, next_rank;
};

size_t gx_give_bottom(struct gx *g, void *buf, size_t keep)
{
	_Static_assert(sizeof(struct given) <= 24 && sizeof(struct gx_event) <= 160,
		       "GX_GIVEN_MAX is too small");
	if (g->depth <= keep || !g->stack)
		return 0;
	struct gx_item **at = &g->stack;
	while ((*at)->next)
		at = &(*at)->next;
	struct gx_item *it = *at;
	*at = NULL;
	struct given h = {it->n, it->next_stamp, it->next_rank};
	size_t ev = (size_t)it->n * sizeof(struct gx_event);
	memcpy(buf, &h, sizeof(h));
	memcpy((char *)buf + sizeof(h), it->ev, ev);
	g->depth--;
	g->stack_bytes -= sizeof(*it) + ev;
	free(it);
	return sizeof(h) + ev;
}

bool gx_take_given(struct gx *g, const void *buf, size_t len)
{
	struct given h;
	if (len < sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	if (h.n < 0 || h.n > GX_MAX_EVENTS ||
	    len != sizeof(h) + (size_t)h.n * sizeof(struct gx_event))
		return false;
	size_t bytes = sizeof(struct gx_item) + (size_t)h.n * sizeof(struct gx_event);
	struct gx_item *it = malloc(bytes);
	if (!it)
		return false;
	it->n = h.n;
	it->next_stamp = h.next_stamp;
	it->next_rank = h.next_rank;
	memcpy(it->ev, (const char *)buf + sizeof(h), (size_t)h.n * sizeof(struct gx_event));
	it->next = g->stack;
	g->stack = it;
	g->stack_bytes += bytes;
	if (++g->depth > g->st.max_stack)
		g->st.max_stack = g->depth;
	g->first = false;
	return true;
}

bool gx_begin(struct gx *g)
{
	struct gx_graph *G = &g->cur;
	struct gx_item *start = NULL;
	if (g->sample) { /* from the empty graph, or half the time a kept revisit */
		start = g->next;
		g->next = NULL;
		g->nrev = 0;
		if (start && gx_rnd(g) & 1) {
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
	gx_ix_invalidate(g);
	g->addr_free = gx_has_unbound_keys(G);
	g->diverged = g->full = g->dead = false;
	for (int t = 0; t < GX_MAX_THREADS; t++) {
		g->stuck[t] = g->handed[t] = false;
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
	return g->overflowed || g->lb_capped;
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
		return order[gx_sample_choice(g, (unsigned)n)];
	}
	return __builtin_ctz(ready);
}

/* The co-latest write of key among ev[0, rpos) (what the program has
 * re-created): the index's co order of the location, from the top down to the
 * first write re-created. */
u128 gx_newest(struct gx *g, uintptr_t key, u128 init)
{
	int w = gx_ix_top_before(g, gx_ix_loc(g, key), g->rpos);
#ifdef GX_INDEX_CHECK
	int top = GX_INIT;
	for (int i = 0; i < g->rpos; i++)
		if (is_write(&g->cur.ev[i]) && g->cur.ev[i].key == key &&
		    g->cur.ev[i].co > rank_of(&g->cur, top))
			top = i;
	if (top != w) {
		fprintf(stderr, "gx_newest: %#lx: %d, not %d\n", (unsigned long)key, w, top);
		_exit(99);
	}
#endif
	return w == GX_INIT ? init : g->cur.ev[w].val;
}

/* ---- settings ---------------------------------------------------------------------- */

void gx_set_whole_graph(struct gx *g, bool on)
{
	g->whole = on;
}

void gx_set_check(struct gx *g, bool (*check)(void *ctx, struct gx *g), void *ctx)
{
	g->check = check;
	g->check_ctx = ctx;
}

void gx_set_cycles_refused(struct gx *g, bool on)
{
	g->cycles_refused = on;
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
