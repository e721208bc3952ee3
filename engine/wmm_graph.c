/* engine/wmm_graph.c - graph mode of the memory models (engine/wmm.h): with a
 * graph explorer attached (wmm_set_graph), every access is an event of its
 * graph (engine/gx.h) and gx says what a load returns.  The location table
 * stays wmm's; nothing is buffered, so the store-buffer operations have
 * nothing to do, and "newest" is the co-latest write of the graph.
 *
 * How the kernel's operations become events:
 *  - loads and stores: reads and writes marked as their access (plain, once,
 *    acquire, release); a load's explicit dependencies are its addr edges (a
 *    handle is 1 + the read's index among its CPU's events);
 *  - RMWs: an RMW of gx (read + write, or a read alone when a conditional one
 *    fails) that depends on every earlier read of its CPU (wmm_rmw has no
 *    dependency argument: more order than the code has, never less);
 *  - sub-word RMWs (wmm_rmw_sub): an RMW of the whole word that replaces the
 *    bytes; a sub-word store (wmm_store_sub) is a write of its bytes over
 *    those of the write before it in co (engine/gx_merge.c), marked as the
 *    store is;
 *  - the 16-byte cmpxchg's two words (wmm_rmw_newest): read the co-latest
 *    write and never anything else (exploring it would need one event over
 *    two words);
 *  - spinlocks: lock.cat's events, a lock being an RMW that must read 0 (a
 *    lock that read 1 waits until an unlock revisits it, in place when
 *    that deletes nothing: engine/gx.h);
 *  - fences: the fence events of linux-kernel.def.
 */
#include "engine/gx.h"
#include "engine/wmm_internal.h"

void wmm_set_graph(struct wmm *w, struct gx *gx, void (*stop)(void *ctx), void *ctx)
{
	w->gx = gx;
	w->gx_stop = stop;
	w->gx_stop_ctx = ctx;
}

bool wmm_graph_on(const struct wmm *w)
{
	return w->gx != NULL;
}

static u128 initial_of(const struct wmm *w, int x)
{
	return w->msgs[(size_t)x * w->ring].val;
}

static unsigned access_flags(enum ss_access acc)
{
	switch (acc) {
	case SS_ACC_PLAIN: return EVF_PLAIN;
	case SS_ACC_ACQUIRE: return EVF_ACQUIRE;
	case SS_ACC_RELEASE: return EVF_RELEASE;
	default: return EVF_ONCE;
	}
}

void wmm_set_branches_declared(struct wmm *w, bool on)
{
	w->branches_declared = on;
}

void wmm_branch(struct wmm *w, int cpu, int how)
{
	struct wcpu *cp = &w->cpu[cpu];
	if (!w->gx || !w->branches_declared)
		return;
	if (how == SS_OPAQUE_BEGIN) {
		cp->opaque++;
		return;
	}
	if (how == SS_OPAQUE_END && cp->opaque > 0)
		cp->opaque--;
	cp->ctrl_upto = gx_thread_events(w->gx, cpu); /* a branch point */
}

/* Which of cpu's loads control its next access (gx_access's ctrl fields). */
static void ctrl_of(const struct wmm *w, int cpu, struct gx_access *a)
{
	const struct wcpu *cp = &w->cpu[cpu];
	a->ctrl_exact = w->branches_declared && cp->opaque == 0;
	a->ctrl_upto = cp->ctrl_upto;
}

static void base_access(struct wmm *w, int x, enum gx_op op, struct gx_access *a)
{
	memset(a, 0, sizeof(*a));
	a->op = op;
	a->key = w->locs[x].addr;
	a->init = initial_of(w, x);
	a->tag = w->gx_tag;
}

/* gx could not go on: the execution ends here (stop does not return). */
static void check(struct wmm *w, enum gx_status s)
{
	if (s != GX_OK && s != GX_WAIT)
		w->gx_stop(w->gx_stop_ctx);
}

static void fill_read_info(struct wmm_read_info *out, const struct gx_result *r)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->val = (u64)r->old;
	out->writer_cpu = r->src_thr;
	out->store_id = r->src_id;
	out->stale = r->stale;
	out->newest_val = (u64)r->newest_val;
	out->newest_cpu = r->newest_thr;
	out->newest_store_id = r->newest_id;
	out->tag = r->src_tag;
	out->newest_tag = r->newest_tag;
	out->nchoices = r->stale ? 2 : 1;
	out->dep = r->idx >= 0 ? (uint32_t)r->idx + 1 : 0;
}

/* An access's explicit dependencies (gx's deps: the reads' indices). */
static void add_deps(struct gx_access *a, const struct wmm_dep *dep)
{
	if (!dep)
		return;
	a->dep_all = a->dep_all || dep->all;
	for (unsigned k = 0; k < dep->n && k < WMM_DEP_MAX; k++)
		if (dep->h[k] && a->ndeps < GX_DEPS)
			a->deps[a->ndeps++] = (int)dep->h[k] - 1;
}

u128 wmmg_load(struct wmm *w, int cpu, int x, enum ss_access acc, const struct wmm_dep *dep,
	       struct wmm_read_info *out)
{
	struct gx_access a;
	base_access(w, x, GX_READ, &a);
	ctrl_of(w, cpu, &a);
	a.flags = access_flags(acc);
	add_deps(&a, dep);
	struct gx_result r;
	check(w, gx_access(w->gx, cpu, &a, &r));
	w->st.loads++;
	fill_read_info(out, &r);
	return r.old;
}

/* A store of val to x (marked acc, its address's dependencies dep), with
 * rmw/off/size for a sub-word one; its write's id. */
static uint32_t store_common(struct wmm *w, int cpu, int x, u128 val, enum ss_access acc,
			     const struct wmm_dep *dep, const struct gx_access *sub)
{
	struct gx_access a;
	base_access(w, x, GX_WRITE, &a);
	ctrl_of(w, cpu, &a);
	w->locs[x].next++; /* the version (wmmg_version) */
	a.flags = access_flags(acc);
	add_deps(&a, dep); /* the address's: gx_model.c makes them addr edges */
	a.val = val;
	if (sub) {
		a.rmw = sub->rmw;
		a.off = sub->off;
		a.size = sub->size;
	}
	struct gx_result r;
	check(w, gx_access(w->gx, cpu, &a, &r));
	w->st.stores++;
	w->st.commits++;
	return r.write_id;
}

uint32_t wmmg_store(struct wmm *w, int cpu, int x, u128 val, enum ss_access acc,
		    const struct wmm_dep *dep)
{
	return store_common(w, cpu, x, val, acc, dep, NULL);
}

static enum gx_rmw rmw_kind(enum ss_rmw_op op)
{
	switch ((int)op) {
	case SS_RMW_XCHG: return GX_RMW_XCHG;
	case SS_RMW_ADD: return GX_RMW_ADD;
	case SS_RMW_AND: return GX_RMW_AND;
	case SS_RMW_OR: return GX_RMW_OR;
	case SS_RMW_CMPXCHG: return GX_RMW_CMPXCHG;
	default: return GX_RMW_ADD_UNLESS;
	}
}

static u128 rmw_common(struct wmm *w, int cpu, struct gx_access *a, bool *ok,
		       struct wmm_read_info *out, uint32_t *id)
{
	a->dep_all = true;
	ctrl_of(w, cpu, a);
	struct gx_result r;
	r.write_id = 0;
	check(w, gx_access(w->gx, cpu, a, &r));
	w->st.rmws++;
	if (r.ok)
		w->st.commits++;
	if (ok)
		*ok = r.ok;
	fill_read_info(out, &r);
	if (id)
		*id = r.write_id;
	return r.old;
}

/* The access of an RMW of op on word x (sub-word: off, size; size 0: whole). */
static void rmw_access(struct wmm *w, int x, enum ss_rmw_op op, u128 operand, u128 expected,
		       enum ss_order ord, struct gx_access *a)
{
	base_access(w, x, GX_RMW, a);
	w->locs[x].next++;
	a->rmw = rmw_kind(op);
	a->val = operand;
	a->expected = expected;
	a->ord = ord;
}

u128 wmmg_rmw(struct wmm *w, int cpu, int x, enum ss_rmw_op op, u128 operand, u128 expected,
	      enum ss_order ord, bool *ok, struct wmm_read_info *out)
{
	struct gx_access a;
	rmw_access(w, x, op, operand, expected, ord, &a);
	return rmw_common(w, cpu, &a, ok, out, NULL);
}

u64 wmm_rmw_sub(struct wmm *w, int cpu, int x, enum ss_rmw_op op, u64 operand, u64 expected,
		unsigned off, unsigned size, enum ss_order ord, bool *ok, struct wmm_read_info *out,
		const void *tag)
{
	w->gx_tag = tag;
	struct gx_access a;
	rmw_access(w, x, op, operand, expected, ord, &a);
	a.off = off;
	a.size = size;
	return (u64)rmw_common(w, cpu, &a, ok, out, NULL);
}

uint32_t wmm_store_sub(struct wmm *w, int cpu, int x, u64 val, unsigned off, unsigned size,
		       enum ss_access acc, const struct wmm_dep *dep, const void *tag)
{
	w->gx_tag = tag;
	/* a write of bytes [off, off + size): engine/gx_merge.c */
	const struct gx_access sub = {.rmw = GX_RMW_MERGE, .off = off, .size = size};
	return store_common(w, cpu, x, val, acc, dep, &sub);
}

u64 wmm_rmw_newest(struct wmm *w, int cpu, int x, enum ss_rmw_op op, u64 operand, u64 expected,
		   enum ss_order ord, bool *ok, struct wmm_read_info *out, const void *tag)
{
	w->gx_tag = tag;
	struct gx_access a;
	rmw_access(w, x, op, operand, expected, ord, &a);
	a.newest_only = true;
	return (u64)rmw_common(w, cpu, &a, ok, out, NULL);
}

static enum model_fence fence_kind(enum ss_fence f)
{
	switch (f) {
	case SS_FENCE_WMB: return MF_WMB;
	case SS_FENCE_RMB: return MF_RMB;
	default: return MF_MB;
	}
}

void wmmg_fence(struct wmm *w, int cpu, enum ss_fence f)
{
	struct gx_access a;
	memset(&a, 0, sizeof(a));
	a.op = GX_FENCE;
	a.fence = fence_kind(f);
	ctrl_of(w, cpu, &a);
	check(w, gx_access(w->gx, cpu, &a, NULL));
	w->st.fences++;
}

bool wmmg_lock(struct wmm *w, int cpu, int x, bool try, uint32_t *dep)
{
	struct gx_access a;
	base_access(w, x, try ? GX_TRYLOCK : GX_LOCK, &a);
	ctrl_of(w, cpu, &a);
	w->locs[x].next++;
	a.dep_all = true;
	struct gx_result r;
	enum gx_status s = gx_access(w->gx, cpu, &a, &r);
	check(w, s);
	if (dep)
		*dep = !r.ok && r.idx >= 0 ? (uint32_t)r.idx + 1 : 0;
	if (s == GX_OK && r.ok)
		w->st.commits++;
	return s == GX_OK && r.ok;
}

void wmmg_unlock(struct wmm *w, int cpu, int x)
{
	struct gx_access a;
	base_access(w, x, GX_UNLOCK, &a);
	ctrl_of(w, cpu, &a);
	w->locs[x].next++;
	check(w, gx_access(w->gx, cpu, &a, NULL));
	w->st.commits++;
}

bool wmm_lock_blocked(const struct wmm *w, int cpu, int loc)
{
	if (!w->gx)
		return wmm_lock_would_block(w, loc);
	struct gx_access a;
	memset(&a, 0, sizeof(a));
	a.op = GX_LOCK;
	a.key = w->locs[loc].addr;
	return gx_would_wait(w->gx, cpu, &a);
}

u64 wmmg_newest(const struct wmm *w, int x)
{
	return (u64)gx_newest(w->gx, w->locs[x].addr, initial_of(w, x));
}

/* Changes whenever x may have a new newest value: every access that may
 * write x counts (wmm_loc starts it at 1; the graph keeps no per-location
 * count, and counting its writes was a scan per access). */
uint32_t wmmg_version(const struct wmm *w, int x)
{
	return w->locs[x].next;
}

void wmmg_relax(struct wmm *w, int cpu)
{
	gx_relax(w->gx, cpu);
}

bool wmmg_poll_blocked(const struct wmm *w, int cpu)
{
	return gx_poll_waits(w->gx, cpu, 0, 0);
}
