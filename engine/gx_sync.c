/* engine/gx_sync.c - the coherence a thread's next access inherits along
 * release -> acquire and unlock -> lock reads-from (engine/gx.h): the quick
 * refutation's rule (engine/gx_quick.c) applied before a graph is built.
 *
 * An access is refuted when a write of its location co-after what it reads or
 * writes reaches it along po and those reads-from edges (lkmm_refuted_quickly;
 * sc and tso refuse whatever LKMM refuses).  So when thread thr's next access
 * to key is added, every write of key that reaches thr's last event that way
 * bounds it from below: a read may not read a write co-before it, a write may
 * not go co-before it.  gx.c drops those alternatives instead of pushing graphs
 * the check would refuse; the co-latest write and the co-last place are never
 * bounded, so the graphs visited are the same, fewer are built. */
#include "engine/gx_impl.h"

int gx_sync_floor(const struct gx_graph *G, int thr, uintptr_t key)
{
	int bound[GX_MAX_THREADS];
	static __thread int syncs[GX_MAX_EVENTS]; /* the reads gx_syncs names */
	int ns = 0;
	for (int t = 0; t < GX_MAX_THREADS; t++)
		bound[t] = -1;
	for (int i = 0; i < G->n; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->thr == thr && e->idx > bound[thr])
			bound[thr] = e->idx;
		if (gx_syncs(G, e))
			syncs[ns++] = i;
	}
	bool other = false; /* does anything of another thread reach it? */
	for (bool changed = ns > 0; changed;) {
		changed = false;
		for (int k = 0; k < ns; k++) {
			const struct gx_event *e = &G->ev[syncs[k]];
			if (e->idx > bound[(int)e->thr])
				continue;
			const struct gx_event *w = &G->ev[e->rf];
			if (w->idx > bound[(int)w->thr]) {
				bound[(int)w->thr] = w->idx;
				changed = other = true;
			}
		}
	}
	int floor = -2;
	for (int i = 0; i < G->n && other; i++) {
		const struct gx_event *e = &G->ev[i];
		if (e->kind == EV_W && e->key == key && e->idx <= bound[(int)e->thr] &&
		    e->co > floor)
			floor = e->co;
	}
	return floor;
}
