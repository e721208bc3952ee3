/* engine/gx_save.c - a graph as bytes and back (gx_save, gx_load for
 * reproducers), distinct executions (gx_exec_new) and the debugging dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gx_impl.h"

#define GX_MAGIC 0x31475847u /* "GXG1" */

bool gx_exec_new(struct gx *g)
{
	return gx_hset_insert(&g->done, gx_graph_hash(g->cur.ev, g->cur.n, false));
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
