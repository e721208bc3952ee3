/* engine/gx_save.c - a graph as bytes and back (gx_save, gx_load for
 * reproducers), distinct executions (gx_exec_new) and the debugging dump.
 *
 * Reproducer bytes ("GXG2") are the same on every architecture: fixed-width
 * little-endian fields, written one by one (no struct layout, no padding), so
 * a reproducer saved on x86_64 replays on arm64, ppc64le or a big-endian host.
 * A header of 16 bytes, then n records of 88 bytes, nothing else:
 *
 *   header   0  4 bytes: magic "GXG2" (ASCII)
 *            4  u32  n: the events (<= GX_MAX_EVENTS)
 *            8  u32  next_stamp   12 u32 next_rank   (<= INT32_MAX)
 *   record   0  u8   thr           1 u8 kind (EV_R/EV_W/EV_F)   2 u8 op (enum gx_op)
 *            3  u8   rmw (enum gx_rmw)   4 u8 off   5 u8 size   6 u8 fence (enum
 *                    model_fence)   7 u8 ndeps
 *            8  u16  bits: 1 dep_all, 2 newest_only, 4 paired, 8 alt_added,
 *                    16 settled (other bits 0)
 *           10  u16  idx (<= INT16_MAX)          12 u32 flags (EVF_*)
 *           16  i32  stamp   20 i32 rf   24 i32 co   28 i32 poll_src
 *           32  i16  deps[0..3]
 *           40  u128 val   56 u128 operand   72 u128 expected (low 8 bytes first)
 *
 * The records come in a replay order (gx_replay_order: each read after the
 * write it reads); rf and poll_src are positions in that order (GX_INIT -1,
 * poll_src -2: none).  Keys and tags are not saved: addresses differ between
 * processes, and the replay takes them from the program.  gx_load checks the
 * length (exactly 16 + 88 n), every field's range (events_ok) and refuses
 * anything else; it still reads the first format ("GXG1": 4 native u32, then
 * struct gx_event as this build lays it out) when its length matches this
 * build's event size, so old reproducers replay on the kind of machine that
 * made them. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gx_impl.h"

#define GX1_MAGIC  0x31475847u /* a native u32: the bytes "GXG1" on little-endian hosts */
#define GX2_MAGIC  "GXG2"
#define GX2_HEADER 16
#define GX2_RECORD 88

enum {
	BIT_DEP_ALL = 1,
	BIT_NEWEST_ONLY = 2,
	BIT_PAIRED = 4,
	BIT_ALT_ADDED = 8,
	BIT_SETTLED = 16,
	BITS_ALL = 31
};

bool gx_exec_new(struct gx *g)
{
	return gx_hset_insert(&g->done, gx_graph_hash(g->cur.ev, g->cur.n, false));
}

/* A replay order for G: every read after the write it reads where a (po | rf)
 * cycle (load buffering) allows it, an RMW's write right after its read, the
 * threads' events in program order, otherwise as in ev[].  order[k]: the
 * k-th event. */
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
		if (pick < 0) /* a (po | rf) cycle (load buffering): a read before its write */
			for (int i = 0; i < G->n && pick < 0; i++)
				if (!done[i] && G->ev[i].idx == next[(int)G->ev[i].thr])
					pick = i;
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

/* ---- the portable encoding ("GXG2") ------------------------------------------------- */

static void put_le(u8 *p, uint64_t v, int nbytes)
{
	for (int i = 0; i < nbytes; i++)
		p[i] = (u8)(v >> (8 * i));
}

static uint64_t get_le(const u8 *p, int nbytes)
{
	uint64_t v = 0;
	for (int i = 0; i < nbytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Two's complement, whatever the host's conversions do. */
static int32_t get_i32(const u8 *p)
{
	uint32_t u = (uint32_t)get_le(p, 4);
	return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}

static int16_t get_i16(const u8 *p)
{
	uint16_t u = (uint16_t)get_le(p, 2);
	return u <= INT16_MAX ? (int16_t)u : (int16_t)(-(int32_t)(uint16_t)~u - 1);
}

static void put_u128(u8 *p, u128 v)
{
	put_le(p, (uint64_t)v, 8);
	put_le(p + 8, (uint64_t)(v >> 64), 8);
}

static u128 get_u128(const u8 *p)
{
	return (u128)get_le(p, 8) | (u128)get_le(p + 8, 8) << 64;
}

static void encode_event(u8 *p, const struct gx_event *e)
{
	const unsigned char small[8] = {
	    (unsigned char)e->thr, e->kind, e->op, e->rmw, e->off, e->size, e->fence, e->ndeps};
	memcpy(p, small, sizeof(small));
	unsigned bits = (e->dep_all ? BIT_DEP_ALL : 0) | (e->newest_only ? BIT_NEWEST_ONLY : 0) |
			(e->paired ? BIT_PAIRED : 0) | (e->alt_added ? BIT_ALT_ADDED : 0) |
			(e->settled ? BIT_SETTLED : 0);
	put_le(p + 8, bits, 2);
	put_le(p + 10, (uint16_t)e->idx, 2);
	put_le(p + 12, e->flags, 4);
	const int words[4] = {e->stamp, e->rf, e->co, e->poll_src};
	for (int k = 0; k < 4; k++)
		put_le(p + 16 + 4 * k, (uint32_t)words[k], 4);
	for (int k = 0; k < GX_DEPS; k++)
		put_le(p + 32 + 2 * k, (uint16_t)e->deps[k], 2);
	put_u128(p + 40, e->val);
	put_u128(p + 56, e->operand);
	put_u128(p + 72, e->expected);
}

/* One record into *e (key 0, tag NULL); false when a field does not fit its
 * type (the ranges the graph needs are events_ok's). */
static bool decode_event(const u8 *p, struct gx_event *e)
{
	memset(e, 0, sizeof(*e));
	unsigned bits = (unsigned)get_le(p + 8, 2);
	uint16_t idx = (uint16_t)get_le(p + 10, 2);
	if (p[0] >= GX_MAX_THREADS || (bits & ~(unsigned)BITS_ALL) || idx > INT16_MAX)
		return false;
	e->thr = (signed char)p[0];
	e->kind = p[1];
	e->op = p[2];
	e->rmw = p[3];
	e->off = p[4];
	e->size = p[5];
	e->fence = p[6];
	e->ndeps = p[7];
	e->dep_all = bits & BIT_DEP_ALL;
	e->newest_only = bits & BIT_NEWEST_ONLY;
	e->paired = bits & BIT_PAIRED;
	e->alt_added = bits & BIT_ALT_ADDED;
	e->settled = bits & BIT_SETTLED;
	e->idx = (short)idx;
	e->ctrl_upto = GX_CTRL_ALL; /* not saved: the replay takes it from the program */
	e->flags = (unsigned)get_le(p + 12, 4);
	e->stamp = get_i32(p + 16);
	e->rf = get_i32(p + 20);
	e->co = get_i32(p + 24);
	e->poll_src = get_i32(p + 28);
	for (int k = 0; k < GX_DEPS; k++)
		e->deps[k] = get_i16(p + 32 + 2 * k);
	e->val = get_u128(p + 40);
	e->operand = get_u128(p + 56);
	e->expected = get_u128(p + 72);
	return true;
}

u8 *gx_save(const struct gx *g, size_t *len)
{
	const struct gx_graph *G = &g->cur;
	size_t n = GX2_HEADER + (size_t)G->n * GX2_RECORD;
	u8 *b = calloc(1, n);
	static __thread int order[GX_MAX_EVENTS], pos[GX_MAX_EVENTS];
	if (!b)
		return NULL;
	memcpy(b, GX2_MAGIC, 4);
	put_le(b + 4, (uint32_t)G->n, 4);
	put_le(b + 8, (uint32_t)G->next_stamp, 4);
	put_le(b + 12, (uint32_t)G->next_rank, 4);
	gx_replay_order(G, order);
	for (int k = 0; k < G->n; k++)
		pos[order[k]] = k;
	for (int k = 0; k < G->n; k++) {
		struct gx_event e = G->ev[order[k]];
		if (is_read(&e) && e.rf != GX_INIT)
			e.rf = pos[e.rf];
		if (e.poll_src >= 0)
			e.poll_src = pos[e.poll_src];
		encode_event(b + GX2_HEADER + (size_t)k * GX2_RECORD, &e);
	}
	*len = n;
	return b;
}

/* ---- loading ------------------------------------------------------------------------ */

/* "GXG2" bytes into *T: 0, or -1 when they are not (length, header, fields). */
static int decode_portable(const u8 *b, size_t len, struct gx_graph *T)
{
	if (len < GX2_HEADER || memcmp(b, GX2_MAGIC, 4))
		return -1;
	uint64_t n = get_le(b + 4, 4), stamp = get_le(b + 8, 4), rank = get_le(b + 12, 4);
	if (n > GX_MAX_EVENTS || stamp > INT32_MAX || rank > INT32_MAX ||
	    len != GX2_HEADER + (size_t)n * GX2_RECORD)
		return -1;
	T->n = (int)n;
	T->next_stamp = (int)stamp;
	T->next_rank = (int)rank;
	for (int i = 0; i < T->n; i++)
		if (!decode_event(b + GX2_HEADER + (size_t)i * GX2_RECORD, &T->ev[i]))
			return -1;
	return 0;
}

/* The bools of a native record hold 0 or 1 (any other byte is no bool). */
static bool native_bools_ok(const u8 *rec)
{
	const size_t at[] = {
	    offsetof(struct gx_event, dep_all), offsetof(struct gx_event, newest_only),
	    offsetof(struct gx_event, paired), offsetof(struct gx_event, alt_added),
	    offsetof(struct gx_event, settled)};
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++)
		if (rec[at[k]] > 1)
			return false;
	return true;
}

/* "GXG1" bytes (struct gx_event as this build lays it out) into *T: only
 * when their length matches this build's event size. */
static int decode_native(const u8 *b, size_t len, struct gx_graph *T)
{
	uint32_t hdr[4];
	const size_t evb = sizeof(struct gx_event);
	if (len < sizeof(hdr))
		return -1;
	memcpy(hdr, b, sizeof(hdr));
	if (hdr[0] != GX1_MAGIC || hdr[1] > GX_MAX_EVENTS || hdr[2] > INT32_MAX ||
	    hdr[3] > INT32_MAX || len != sizeof(hdr) + (size_t)hdr[1] * evb)
		return -1;
	T->n = (int)hdr[1];
	T->next_stamp = (int)hdr[2];
	T->next_rank = (int)hdr[3];
	for (int i = 0; i < T->n; i++) {
		const u8 *rec = b + sizeof(hdr) + (size_t)i * evb;
		if (!native_bools_ok(rec))
			return -1;
		memcpy(&T->ev[i], rec, evb);
		T->ev[i].key = 0;
		T->ev[i].tag = NULL;
	}
	return 0;
}

/* The ranges a saved graph's events must keep (indexes into the graph,
 * enumerations, threads of this program). */
static bool events_ok(const struct gx_graph *T, int nthreads)
{
	for (int i = 0; i < T->n; i++) {
		const struct gx_event *e = &T->ev[i];
		if (e->thr < 0 || e->thr >= nthreads ||
		    (e->kind != EV_R && e->kind != EV_W && e->kind != EV_F) || e->op > GX_UNLOCK ||
		    e->rmw > GX_RMW_MERGE || e->rf < GX_INIT || e->rf >= T->n ||
		    e->ndeps > GX_DEPS || e->poll_src < -2 || e->poll_src >= T->n ||
		    e->fence >= MF_NKINDS || e->off >= 16 || e->size > 16 || e->idx < 0 ||
		    e->stamp < 0 || e->co < 0)
			return false;
	}
	return true;
}

int gx_load(struct gx *g, const u8 *b, size_t len)
{
	static __thread struct gx_graph T;
	if (!b || (decode_portable(b, len, &T) < 0 && decode_native(b, len, &T) < 0) ||
	    !events_ok(&T, g->nthreads))
		return -1;
	size_t bytes = sizeof(struct gx_item) + (size_t)T.n * sizeof(struct gx_event);
	struct gx_item *it = malloc(bytes);
	if (!it)
		return -1;
	struct gx_graph *G = &g->cur;
	G->n = T.n;
	G->next_stamp = T.next_stamp;
	G->next_rank = T.next_rank;
	memcpy(G->ev, T.ev, (size_t)T.n * sizeof(struct gx_event));
	g->first = false;
	g->no_push = true;
	/* the only graph to visit: the next gx_begin takes it */
	it->n = G->n;
	it->next_stamp = G->next_stamp;
	it->next_rank = G->next_rank;
	memcpy(it->ev, G->ev, (size_t)G->n * sizeof(struct gx_event));
	free(g->loaded);
	g->loaded = malloc(bytes);
	if (g->loaded)
		memcpy(g->loaded, it, bytes);
	g->values_fixed = false;
	it->next = g->stack;
	g->stack = it;
	g->depth++;
	g->stack_bytes += bytes;
	return 0;
}

bool gx_reload(struct gx *g)
{
	if (!g->values_fixed || !g->loaded || g->stack)
		return false;
	size_t bytes = sizeof(struct gx_item) + (size_t)g->loaded->n * sizeof(struct gx_event);
	struct gx_item *it = malloc(bytes);
	if (!it)
		return false;
	memcpy(it, g->loaded, bytes);
	g->values_fixed = false;
	it->next = NULL;
	g->stack = it;
	g->depth++;
	g->stack_bytes += bytes;
	return true;
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
