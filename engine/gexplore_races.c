/* engine/gexplore_races.c - data races under `--engine graph --races`: every
 * consistent graph the exploration visits is an LKMM execution, so the cat
 * file's data-race flag is decided on it directly (model/lkmm.c's ww-race,
 * wr-race and rw-race), with no candidates and no exported test.  Each race is
 * kept once per pair of code sites, with the first graph that showed it (its
 * reproducer). */
#include <stdlib.h>
#include <string.h>

#include "engine/gexplore.h"
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

int gexplore_graph_races(const struct gx *gx, struct race_access (*pairs)[2], int max)
{
	static __thread struct exg *x;
	static __thread struct lkmm *m;
	char err[160];
	if (!x)
		x = malloc(sizeof(*x));
	if (!m)
		m = malloc(sizeof(*m));
	if (!x || !m || gx_to_exg(gx, x, err, sizeof(err)) < 0)
		return -1;
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

/* Keeps a race not seen before, with a copy of the graph's bytes. */
static void keep_race(struct gexplore_stats *st, const struct race_access *pair, const u8 *graph,
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
	int n = gexplore_graph_races(gx, pairs, 16);
	if (n < 0) {
		st->race_unchecked++;
		return;
	}
	if (!n)
		return;
	st->race_graphs++;
	size_t len = 0;
	u8 *graph = gx_save(gx, &len);
	if (!graph)
		return;
	for (int i = 0; i < n; i++)
		keep_race(st, pairs[i], graph, len);
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
