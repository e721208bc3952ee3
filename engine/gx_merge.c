/* engine/gx_merge.c - sub-word stores in the graph explorer (engine/gx.h).
 *
 * A sub-word store (wmm_store_sub) is a write, as linux-kernel.cat sees it: no
 * read goes with it.  gx keeps whole words, so its value is its bytes [off,
 * off + size) over the bytes of the write it follows in co (the initial value
 * at the co-first place).  That value depends on where the write goes in co:
 * gx_merge_place computes it for a write just placed, and again for each
 * sub-word store co-after it whose bytes below changed, up to the first whole
 * write (a store of the same bytes changes nothing and ends the walk).  Reads
 * of a write whose value changed read the new one; a program that then runs
 * otherwise diverges on replay (not covered, and said so). */
#include "engine/gx_impl.h"

static u128 sub_mask(unsigned size)
{
	return size >= 16 ? ~(u128)0 : (((u128)1) << (8 * size)) - 1;
}

bool gx_is_merge_write(const struct gx_event *e)
{
	return e->kind == EV_W && e->op == GX_WRITE && e->rmw == GX_RMW_MERGE;
}

u128 gx_merge_over(const struct gx_event *e, u128 below)
{
	u128 m = sub_mask(e->size ? e->size : 16) << (8 * e->off);
	return (below & ~m) | ((e->operand << (8 * e->off)) & m);
}

/* The write of location key right after co rank rank in ev[0, n) (rank -1:
 * the initial value); -1: none. */
static int co_after(const struct gx_event *ev, int n, uintptr_t key, int rank)
{
	int best = -1;
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &ev[i];
		if (e->kind == EV_W && e->key == key && e->co > rank &&
		    (best < 0 || e->co < ev[best].co))
			best = i;
	}
	return best;
}

/* The write of w's location right before it in co; -1: the initial value. */
static int co_before(const struct gx_event *ev, int n, int w)
{
	int best = -1;
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &ev[i];
		if (i != w && e->kind == EV_W && e->key == ev[w].key && e->co < ev[w].co &&
		    (best < 0 || e->co > ev[best].co))
			best = i;
	}
	return best;
}

bool gx_merge_keeps(const struct gx_event *ev, int n, uintptr_t key, int rank, u128 below)
{
	int s = co_after(ev, n, key, rank);
	return s < 0 || !gx_is_merge_write(&ev[s]) || gx_merge_over(&ev[s], below) == ev[s].val;
}

/* Gives write w value v, and its reads too. */
static void set_value(struct gx_event *ev, int n, int w, u128 v)
{
	ev[w].val = v;
	for (int i = 0; i < n; i++)
		if (ev[i].kind == EV_R && ev[i].rf == w)
			ev[i].val = v;
}

bool gx_merge_place(struct gx_event *ev, int n, int w, u128 init)
{
	if (gx_is_merge_write(&ev[w])) {
		int p = co_before(ev, n, w);
		set_value(ev, n, w, gx_merge_over(&ev[w], p < 0 ? init : ev[p].val));
	}
	bool changed = false;
	for (int prev = w, s = co_after(ev, n, ev[w].key, ev[w].co);
	     s >= 0 && gx_is_merge_write(&ev[s]);
	     prev = s, s = co_after(ev, n, ev[s].key, ev[s].co)) {
		u128 v = gx_merge_over(&ev[s], ev[prev].val);
		if (v == ev[s].val)
			break;
		set_value(ev, n, s, v);
		changed = true;
	}
	return changed;
}
