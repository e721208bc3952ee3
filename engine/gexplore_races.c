/* engine/gexplore_races.c - data races under `--engine graph --races`: every
 * consistent graph the exploration visits is an LKMM execution, so the cat
 * file's data-race flag is decided on it directly (model/lkmm.c's ww-race,
 * wr-race and rw-race), with no candidates and no exported test.  Each race is
 * kept once per pair of code sites, with the first graph that showed it (its
 * reproducer). */
#include <stdlib.h>
#include <string.h>

#include "engine/gexplore_impl.h"
#include "engine/gx.h"
#include "model/lkmm.h"

/* Event k of x as one side of a race (its code site from the graph's event).
 * The read half of an RMW stands for the RMW, named by its write: a sub-word
 * plain store is one too (the bytes merged into the word), and its race is the
 * store's. */
static struct race_access side_of(const struct gx *gx, const struct exg *x, int k)
{
	if (x->ev[k].kind == EV_R)
		for (int w = 0; w < x->n; w++)
			if (rel_has(&x->rmw, k, w)) {
				k = w;
				break;
			}
	const struct ev *e = &x->ev[k];
	return (struct race_access){.site = gx_event_tag(gx, e->src),
				    .cpu = e->thr,
				    .write = e->kind == EV_W,
				    .plain = (e->flags & EVF_PLAIN) != 0};
}

/* Is the pair (a, b) already among the first n? */
static bool known_pair(struct race_access (*pairs)[2], int n, const struct race_access *a,
		       const struct race_access *b)
{
	for (int i = 0; i < n; i++)
		if (race_same_pair(&pairs[i][0], &pairs[i][1], a, b))
			return true;
	return false;
}

/* The races of graph x (built from gx), one per pair of code sites, into
 * pairs[0, max): their number, 0 when x has none. */
static int races_of(const struct gx *gx, const struct exg *x, struct lkmm *m,
		    struct race_access (*pairs)[2], int max)
{
	struct lkmm_verdict v;
	if (!lkmm_check(x, false, &v, m) || !v.data_race)
		return 0;
	const struct rel *races[] = {&m->ww_race, &m->wr_race, &m->rw_race};
	int n = 0;
	for (int r = 0; r < 3; r++)
		for (int i = 0; i < x->n; i++)
			for (int j = 0; j < x->n; j++) {
				if (!rel_has(races[r], i, j))
					continue;
				struct race_access a = side_of(gx, x, i), b = side_of(gx, x, j);
				if (n < max && !known_pair(pairs, n, &a, &b)) {
					pairs[n][0] = a;
					pairs[n][1] = b;
					n++;
				}
			}
	return n;
}

/* The current graph of gx as x (scratch space of the thread); NULL when it
 * cannot be built (too big) or out of memory. */
static struct exg *graph_of(const struct gx *gx, struct lkmm **m)
{
	static __thread struct exg *x;
	static __thread struct lkmm *mm;
	char err[160];
	if (!x)
		x = malloc(sizeof(*x));
	if (!mm)
		mm = malloc(sizeof(*mm));
	*m = mm;
	return x && mm && gx_to_exg(gx, x, err, sizeof(err)) == 0 ? x : NULL;
}

int gexplore_graph_races(const struct gx *gx, struct race_access (*pairs)[2], int max)
{
	struct lkmm *m;
	struct exg *x = graph_of(gx, &m);
	return x ? races_of(gx, x, m, pairs, max) : -1;
}

/* Is every pair of c, named by its code sites, a race st keeps already? */
static bool all_known(const struct gx *gx, const struct exg *x, const struct rel *c,
		      const struct gexplore_stats *st)
{
	for (int i = 0; i < x->n; i++)
		for (int w = 0; w < rel_words(x->n); w++)
			for (uint64_t bits = rel_word_of(c, i, w); bits; bits &= bits - 1) {
				int j = w * 64 + __builtin_ctzll(bits);
				struct race_access a = side_of(gx, x, i), b = side_of(gx, x, j);
				bool known = false;
				for (size_t k = 0; k < st->nraces && !known; k++)
					known = race_same_pair(&st->races[k].a, &st->races[k].b, &a,
							       &b);
				if (!known)
					return false;
			}
	return true;
}

/* Could x show a race st does not keep yet?  Only pairs of conflicting
 * accesses that no release-acquire chain or critical section orders may race
 * (model/lkmm.h); when every one of them is a race kept already, the whole
 * check would add nothing.  The cheap test (the sites of the conflicts) comes
 * before the closure. */
static bool may_race_anew(const struct gx *gx, const struct exg *x, const struct gexplore_stats *st)
{
	static __thread struct rel *c;
	if (!c && !(c = malloc(sizeof(*c))))
		return true;
	lkmm_race_conflicts(x, c);
	if (all_known(gx, x, c, st))
		return false;
	lkmm_race_drop_ordered(x, c);
	return !all_known(gx, x, c, st);
}

void gexplore_keep_race(struct gexplore_stats *st, const struct race_access *pair, const u8 *graph,
			size_t len)
{
	for (size_t i = 0; i < st->nraces; i++)
		if (race_same_pair(&st->races[i].a, &st->races[i].b, &pair[0], &pair[1]))
			return;
	if (st->nraces >= GEXPLORE_MAX_RACES) {
		st->race_dropped++;
		return;
	}
	if (!st->races) {
		st->races = calloc(GEXPLORE_MAX_RACES, sizeof(*st->races));
		if (!st->races)
			return;
	}
	struct gexplore_race *k = &st->races[st->nraces];
	k->graph = malloc(len);
	if (!k->graph)
		return;
	memcpy(k->graph, graph, len);
	k->len = len;
	k->a = pair[0];
	k->b = pair[1];
	st->nraces++;
}

void gexplore_note_races(const struct gx *gx, struct gexplore_stats *st)
{
	struct race_access pairs[16][2];
	struct lkmm *m;
	struct exg *x = graph_of(gx, &m);
	if (!x) {
		st->race_unchecked++;
		return;
	}
	if (!may_race_anew(gx, x, st))
		return;
	int n = races_of(gx, x, m, pairs, 16);
	if (!n)
		return;
	st->race_graphs++;
	size_t len = 0;
	u8 *graph = gx_save(gx, &len);
	if (!graph)
		return;
	for (int i = 0; i < n; i++)
		gexplore_keep_race(st, pairs[i], graph, len);
	free(graph);
}

void gexplore_races_free(struct gexplore_stats *st)
{
	for (size_t i = 0; i < st->nraces; i++)
		free(st->races[i].graph);
	free(st->races);
	st->races = NULL;
	st->nraces = 0;
}
