/* model/exec_slice.c - the shortest cycle of po | rf | co | fr of a model
 * graph and what it needs around it (model/exec_slice.h). */
#include <stdlib.h>
#include <string.h>

#include "model/exec_slice.h"

static bool is_access(const struct ev *e)
{
	return (e->kind == EV_R || e->kind == EV_W) && !(e->flags & EVF_IW);
}

/* The edge i -> j of po | rf | co | fr between accesses; src[i]: the write
 * read i reads (-1: none). */
static bool sc_edge(const struct exg *g, const int *src, int i, int j)
{
	if (rel_has(&g->po, i, j) || rel_has(&g->rf, i, j) || rel_has(&g->co, i, j))
		return true;
	return src[i] >= 0 && rel_has(&g->co, src[i], j); /* fr = rf^-1 ; co */
}

/* The shortest cycle through s: its length (0: none), its events in cyc. */
static int cycle_through(const struct exg *g, const bool (*adj)[REL_MAX_BIG], int s, int *cyc,
			 int *parent, int *queue)
{
	for (int i = 0; i < g->n; i++)
		parent[i] = -1;
	int head = 0, tail = 0;
	queue[tail++] = s;
	parent[s] = s;
	while (head < tail) {
		int u = queue[head++];
		for (int v = 0; v < g->n; v++) {
			if (!adj[u][v])
				continue;
			if (v == s) { /* back at the start: the path s .. u closes it */
				int len = 0;
				for (int k = u; k != s; k = parent[k])
					cyc[len++] = k;
				cyc[len++] = s;
				return len;
			}
			if (parent[v] < 0) {
				parent[v] = u;
				queue[tail++] = v;
			}
		}
	}
	return 0;
}

/* The shortest cycle of g into cyc (length returned, 0 when none). */
static int shortest_cycle(const struct exg *g, const bool *within, int *cyc)
{
	bool(*adj)[REL_MAX_BIG] = calloc((size_t)g->n, sizeof(*adj));
	int *parent = malloc(sizeof(int) * (size_t)g->n * 3);
	int best = 0;
	if (!adj || !parent)
		goto out;
	int *queue = parent + g->n, *cur = parent + 2 * g->n, *src = queue;
	for (int i = 0; i < g->n; i++)
		src[i] = g->ev[i].kind == EV_R ? exg_rf_source(g, i) : -1;
	for (int i = 0; i < g->n; i++)
		for (int j = 0; j < g->n; j++)
			adj[i][j] = is_access(&g->ev[i]) && is_access(&g->ev[j]) &&
				    (!within || (within[i] && within[j])) && sc_edge(g, src, i, j);
	for (int s = 0; s < g->n; s++) {
		if (!is_access(&g->ev[s]))
			continue;
		int len = cycle_through(g, (const bool(*)[REL_MAX_BIG])adj, s, cur, parent, queue);
		if (len && (!best || len < best)) {
			best = len;
			memcpy(cyc, cur, sizeof(int) * (size_t)len);
		}
	}
out:
	free(adj);
	free(parent);
	return best;
}

/* Marks i and what it needs: the write it reads, its RMW partner, and (deps)
 * its addr/data sources, each of those in turn. */
static void mark(const struct exg *g, const bool *within, bool *keep, int i, bool deps)
{
	if (keep[i] || (g->ev[i].flags & EVF_IW))
		return;
	keep[i] = true;
	for (int j = 0; j < g->n; j++) {
		bool need = (g->ev[i].kind == EV_R && rel_has(&g->rf, j, i)) ||
			    rel_has(&g->rmw, i, j) || rel_has(&g->rmw, j, i) ||
			    (deps && (!within || within[j]) &&
			     (rel_has(&g->addr, j, i) || rel_has(&g->data, j, i)));
		if (need)
			mark(g, within, keep, j, deps);
	}
}

/* Every operation on a kept lock word, and the fences between kept events of
 * each thread. */
static void mark_locks_and_fences(const struct exg *g, bool *keep)
{
	for (int i = 0; i < g->n; i++)
		if (keep[i] && exg_is_lock_op(&g->ev[i]))
			for (int j = 0; j < g->n; j++)
				if (g->ev[j].loc == g->ev[i].loc && !(g->ev[j].flags & EVF_IW))
					keep[j] = true;
	for (int t = 0; t < g->nthreads; t++) {
		int first = -1, last = -1;
		for (int i = 0; i < g->n; i++)
			if (keep[i] && g->ev[i].thr == t) {
				if (first < 0)
					first = i;
				last = i;
			}
		for (int i = first + 1; first >= 0 && i < last; i++)
			if (g->ev[i].thr == t && g->ev[i].kind == EV_F)
				keep[i] = true;
	}
}

int exg_slice_sc_cycle(const struct exg *g, const bool *within, enum exg_slice_reach reach,
		       bool *keep)
{
	int cyc[REL_MAX_BIG];
	memset(keep, 0, sizeof(bool) * (size_t)g->n);
	int len = shortest_cycle(g, within, cyc);
	if (!len)
		return 0;
	for (int k = 0; k < len; k++)
		mark(g, within, keep, cyc[k], reach == EXG_SLICE_DEPS_ALL);
	if (reach == EXG_SLICE_DEPS_CYCLE)
		for (int k = 0; k < len; k++)
			for (int j = 0; j < g->n; j++)
				if ((!within || within[j]) &&
				    (rel_has(&g->addr, j, cyc[k]) || rel_has(&g->data, j, cyc[k])))
					mark(g, within, keep, j, false);
	mark_locks_and_fences(g, keep);
	int n = 0;
	for (int i = 0; i < g->n; i++)
		n += keep[i];
	return n;
}

int exg_slice_shared(const struct exg *g, const bool *within, bool *keep)
{
	unsigned users[REL_MAX_BIG] = {0}; /* by location: a bit per thread (mod 32) */
	for (int i = 0; i < g->n; i++)
		if (is_access(&g->ev[i]) && g->ev[i].loc >= 0 && (!within || within[i]))
			users[g->ev[i].loc] |= 1u << (g->ev[i].thr & 31);
	int n = 0;
	for (int i = 0; i < g->n; i++) {
		unsigned u = is_access(&g->ev[i]) && g->ev[i].loc >= 0 ? users[g->ev[i].loc] : 0;
		keep[i] = (!within || within[i]) && (u & (u - 1)) != 0;
	}
	mark_locks_and_fences(g, keep);
	for (int i = 0; i < g->n; i++)
		n += keep[i];
	return n;
}

int exg_slice_size(const struct exg *g, const bool *keep)
{
	bool seen[REL_MAX_BIG] = {false};
	int n = 0;
	for (int i = 0; i < g->n; i++) {
		if (!keep[i])
			continue;
		n++;
		int l = g->ev[i].loc;
		if (l >= 0 && l < REL_MAX_BIG && !seen[l]) {
			seen[l] = true;
			n++;
		}
	}
	return n;
}
