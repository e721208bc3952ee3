/* engine/emu_ops.c - the emulator's kernel ops (engine/emu.h): every kernel/
 * access of a role is one of these, called through ss_kops with ss_kctx = the
 * struct emu; each is a scheduling point, asks the memory model (engine/wmm.h)
 * for its value, writes committed stores through to real memory and records a
 * trace entry.  Also the dependencies loads carry (--deps, see emu.c's opening
 * comment) and the --deps check bookkeeping.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/emu_internal.h"
#include "engine/trace.h"

static const struct ss_site site_bad_addr = {"engine/emu.c", 0, "emu", "invalid address"};

/* ---- trace recording -------------------------------------------------------------- */

struct emu_trace_ent *emu_tr_append(struct emu *e, enum emu_op op, const struct ss_site *site)
{
	if (e->ntr == e->trcap) {
		size_t n = e->trcap ? 2 * e->trcap : 4096;
		struct emu_trace_ent *t = realloc(e->tr, n * sizeof(*t));
		if (!t)
			return NULL;
		e->tr = t;
		e->trcap = n;
	}
	struct emu_trace_ent *t = &e->tr[e->ntr++];
	memset(t, 0, sizeof(*t));
	t->step = (uint32_t)e->steps;
	t->cpu = (uint8_t)e->cur;
	t->op = (uint8_t)op;
	t->site = site;
	t->rf_cpu = -1;
	t->newest_cpu = -1;
	return t;
}

static void tr_read(struct emu_trace_ent *t, const struct wmm_read_info *ri)
{
	t->rf_cpu = (int8_t)ri->writer_cpu;
	t->store_id = ri->store_id;
	t->rf_site = ri->tag;
	t->nchoices = ri->nchoices > 255 ? 255 : (uint8_t)ri->nchoices;
	if (ri->stale)
		t->flags |= EMU_TR_STALE;
	if (ri->forwarded)
		t->flags |= EMU_TR_FORWARDED;
	t->newest_cpu = (int8_t)ri->newest_cpu;
	t->newest_store_id = ri->newest_store_id;
	t->newest_site = ri->newest_tag;
	t->newest_val = ri->newest_val;
}

/* ---- dependencies -------------------------------------------------------------- */

static const char *const deps_names[] = {"explicit", "provenance", "check"};

const char *emu_deps_name(enum emu_deps d)
{
	return (unsigned)d < 3 ? deps_names[d] : "?";
}

int emu_deps_parse(const char *name, enum emu_deps *d)
{
	for (unsigned i = 0; i < 3; i++)
		if (name && !strcmp(name, deps_names[i])) {
			*d = (enum emu_deps)i;
			return 0;
		}
	return -1;
}

static inline void dep_add(struct wmm_dep *d, uint32_t h)
{
	if (!h || d->all)
		return;
	for (unsigned i = 0; i < d->n; i++)
		if (d->h[i] == h)
			return;
	if (d->n == WMM_DEP_MAX)
		d->all = true;
	else
		d->h[d->n++] = h;
}

/* Provenance: every table block holding address a (newest first). */
static const struct wmm_dep *find_dep(struct emu *e, int cpu, uintptr_t a, struct wmm_dep *d)
{
	struct vcpu *c = &e->cpu[cpu];
	unsigned n = c->ndep < EMU_DEP_K ? c->ndep : EMU_DEP_K;
	d->n = 0;
	d->all = false;
	for (unsigned i = 0; i < n; i++) {
		const struct dep_ent *de = &c->dep[(c->ndep - 1 - i) % EMU_DEP_K];
		if (a - de->lo < de->hi - de->lo)
			dep_add(d, de->h);
	}
	return d->n || d->all ? d : NULL;
}

static inline bool ptr_like(uintptr_t p)
{
	return p >= 65536 && p < ((uintptr_t)1 << 47);
}

static inline void prov_block(struct vcpu *c, uintptr_t lo, uintptr_t hi, uint32_t h)
{
	struct dep_ent *de = &c->dep[c->ndep++ % EMU_DEP_K];
	de->lo = lo;
	de->hi = hi;
	de->h = h;
}

static void note_ptr(struct emu *e, int cpu, u64 v, uintptr_t src, uint32_t h)
{
	uintptr_t p = (uintptr_t)v & ~(uintptr_t)0xf;
	if (!h || !ptr_like(p))
		return;
	struct vcpu *c = &e->cpu[cpu];
	uintptr_t lo[EMU_DEP_BLOCKS], hi[EMU_DEP_BLOCKS];
	int nb = e->cfg.alloc->dep_blocks
		     ? e->cfg.alloc->dep_blocks(e->world->alloc_world, p, lo, hi, EMU_DEP_BLOCKS)
		     : 0;
	if (!nb) {
		lo[0] = p;
		hi[0] = p + e->dep_span;
		nb = 1;
	}
	for (int i = 0; i < nb; i++) {
		/* the pointer's own container is not reached through the pointer */
		if (src >= lo[i] && src < hi[i])
			hi[i] = src;
		if (hi[i] > lo[i])
			prov_block(c, lo[i], hi[i], h);
	}
}

/* Explicit: value tags. */
static inline void vtag_add(struct vcpu *c, u64 v, const struct ss_dep *d)
{
	unsigned i = c->nvt++ % EMU_VTAG_K;
	c->vtv[i] = v;
	c->vtd[i] = *d;
}

static struct ss_dep op_dep_of(void *ctx, u64 v)
{
	struct emu *e = ctx;
	struct ss_dep d = SS_DEP_NONE;
	if (!e->deps_on || !e->want_expl)
		return d;
	struct vcpu *c = &e->cpu[e->cur];
	if (c->q_v == v && c->q_nvt == c->nvt)
		return c->q_d;
	unsigned n = c->nvt < EMU_VTAG_K ? c->nvt : EMU_VTAG_K;
	u32 hit = 0;
	for (unsigned i = 0; i < n; i++)
		hit |= (u32)(c->vtv[i] == v) << i;
	while (hit) {
		unsigned i = (unsigned)__builtin_ctz(hit);
		hit &= hit - 1;
		d = d.n || d.all ? ss_dep_join(d, c->vtd[i]) : c->vtd[i];
	}
	c->q_v = v;
	c->q_nvt = c->nvt;
	c->q_d = d;
	return d;
}

static void op_dep_derive(void *ctx, u64 v, const struct ss_dep *d)
{
	struct emu *e = ctx;
	if (!e->deps_on || !e->want_expl)
		return;
	struct vcpu *c = &e->cpu[e->cur];
	/* the same derivation again (virt_to_slab of one object, called on every
	 * path): keep the ring for other values */
	for (unsigned k = 1; k <= 4 && k <= c->nvt; k++) {
		unsigned i = (c->nvt - k) % EMU_VTAG_K;
		const struct ss_dep *o = &c->vtd[i];
		if (c->vtv[i] == v && o->n == d->n && o->all == d->all &&
		    !memcmp(o->h, d->h, d->n * sizeof(d->h[0])))
			return;
	}
	vtag_add(c, v, d);
}

static struct ss_dep op_dep_last(void *ctx)
{
	struct emu *e = ctx;
	struct ss_dep d = SS_DEP_NONE;
	uint32_t h = e->cpu[e->cur].last_h;
	if (e->deps_on && e->want_expl && h) {
		d.n = 1;
		d.h[0] = h;
	}
	return d;
}

static inline const struct wmm_dep *expl_dep(const struct ss_dep *sd, struct wmm_dep *d)
{
	if (!sd || (!sd->n && !sd->all))
		return NULL;
	d->n = 0;
	d->all = sd->all;
	for (unsigned i = 0; i < sd->n && i < SS_DEP_MAX; i++)
		dep_add(d, sd->h[i]);
	return d;
}

static void note_disagreement(struct emu *e, const struct ss_site *site, uint32_t fe, uint32_t fp,
			      uint32_t newest)
{
	e->res->dep_disagreements++;
	for (size_t i = 0; i < e->ndis; i++)
		if (e->dis[i].site == site && e->dis[i].cpu == e->cur) {
			e->dis[i].count++;
			return;
		}
	if (e->ndis == EMU_DISAGREE_K)
		return;
	struct emu_dep_disagreement *d = &e->dis[e->ndis++];
	d->site = site;
	d->cpu = e->cur;
	d->count = 1;
	d->floor_explicit = fe;
	d->floor_provenance = fp;
	d->newest = newest;
	d->explicit_weaker = fe < fp;
}

const struct emu_dep_disagreement *emu_dep_disagreements(const struct emu *e, size_t *n)
{
	*n = e->ndis;
	return e->dis;
}

size_t emu_print_dep_disagreements(FILE *f, const struct emu *e)
{
	unsigned long total = 0;
	for (size_t i = 0; i < e->ndis; i++)
		total += e->dis[i].count;
	if (!e->ndis) {
		fprintf(f,
			"deps check: explicit and provenance dependencies agree at every load\n");
		return 0;
	}
	fprintf(f,
		"deps check: %lu load%s at %zu site%s where explicit and provenance "
		"dependencies disagree:\n",
		total, total == 1 ? "" : "s", e->ndis, e->ndis == 1 ? "" : "s");
	for (size_t i = 0; i < e->ndis; i++) {
		const struct emu_dep_disagreement *d = &e->dis[i];
		const char *file = d->site && d->site->file ? d->site->file : "?";
		const char *b = strrchr(file, '/');
		fprintf(f, "  CPU %d %s at %s:%d (%s): %lu time%s; %s is weaker (floor %u vs %u)\n",
			d->cpu, emu_site_expr(d->site), b ? b + 1 : file,
			d->site ? d->site->line : 0, d->site && d->site->func ? d->site->func : "?",
			d->count, d->count == 1 ? "" : "s",
			d->explicit_weaker ? "explicit" : "provenance",
			d->explicit_weaker ? d->floor_explicit : d->floor_provenance,
			d->explicit_weaker ? d->floor_provenance : d->floor_explicit);
	}
	return e->ndis;
}

/* The dependency a load at address a uses, by --deps; in check mode also
 * compares the two floors. */
static inline const struct wmm_dep *load_dep(struct emu *e, int cpu, int x, uintptr_t a,
					     const struct ss_dep *sd, struct wmm_dep *buf,
					     const struct ss_site *site)
{
	if (!e->deps_on)
		return NULL;
	switch (e->cfg.deps) {
	case EMU_DEPS_PROVENANCE: return find_dep(e, cpu, a, buf);
	case EMU_DEPS_CHECK: {
		struct wmm_dep pbuf;
		const struct wmm_dep *de = expl_dep(sd, buf), *dp = find_dep(e, cpu, a, &pbuf);
		uint32_t fe = wmm_dep_floor(e->w, cpu, x, de), fp = wmm_dep_floor(e->w, cpu, x, dp);
		if (fe != fp)
			note_disagreement(e, site, fe, fp, wmm_loc_version(e->w, x));
		return de;
	}
	default: return expl_dep(sd, buf);
	}
}

/* The dependency of a store's address, by --deps (check: the explicit one,
 * whose floor load_dep compares for loads). */
static inline const struct wmm_dep *store_dep(struct emu *e, int cpu, uintptr_t a,
					      const struct ss_dep *sd, struct wmm_dep *buf)
{
	if (!e->deps_on)
		return NULL;
	return e->cfg.deps == EMU_DEPS_PROVENANCE ? find_dep(e, cpu, a, buf) : expl_dep(sd, buf);
}

/* After a load of value r (size bytes) at a with handle h. */
static inline void after_load(struct emu *e, int cpu, uintptr_t a, unsigned size, u64 r, uint32_t h)
{
	if (!e->deps_on)
		return;
	struct vcpu *c = &e->cpu[cpu];
	c->last_h = h;
	if (size != 8 || !h)
		return;
	if (e->want_prov)
		note_ptr(e, cpu, r, a, h);
	if (e->want_expl && ptr_like((uintptr_t)r)) {
		struct ss_dep d = {.n = 1, .h = {h}};
		vtag_add(c, r, &d);
	}
}

/* ---- the kernel ops ------------------------------------------------------------- */

/* Data-race candidates (engine/race.h): the access of the running CPU to bytes
 * [a & 7, +size) of location x.  Off (the default): one test. */
#define RACE_NOTE(e, x, a, size, write, plain, stale, site)                                        \
	do {                                                                                       \
		if (unlikely((e)->races))                                                          \
			race_note((e)->races, x, (e)->cur, (unsigned)((a)&7),                      \
				  (size) > 8 ? 8 : (size), write, plain, stale, site);             \
	} while (0)

/* Candidate fixes: the fences emu_config.fences asks for before this access.
 * Part of the access's step (no extra scheduling point), so a schedule means
 * the same interleaving with and without them. */
static void extra_fences(struct emu *e, const struct ss_site *site)
{
	if (!site || !site->file)
		return;
	for (int i = 0; i < e->cfg.nfences; i++) {
		const struct emu_extra_fence *xf = &e->cfg.fences[i];
		if (xf->line != site->line || (xf->cpu >= 0 && xf->cpu != e->cur))
			continue;
		if (e->fence_site[i] != site) {
			if (strcmp(xf->file, site->file) &&
			    strcmp(xf->file, strrchr(site->file, '/') ? strrchr(site->file, '/') + 1
								      : site->file))
				continue;
			e->fence_site[i] = site;
		}
		wmm_fence(e->w, e->cur, xf->kind);
		sync_dirty(e);
		struct emu_trace_ent *t = tr_add(e, EMU_OP_FENCE, site);
		if (t) {
			t->sub = (uint8_t)xf->kind;
			t->flags |= EMU_TR_EXTRA;
		}
	}
}

#define EXTRA_FENCES(e, site)                                                                      \
	do {                                                                                       \
		if (unlikely((e)->cfg.nfences))                                                    \
			extra_fences(e, site);                                                     \
	} while (0)

static inline bool bad_addr(struct emu *e, uintptr_t a, unsigned size)
{
	if (unlikely(a < 65536 || ((a & 7) + size > 8 && size != 16))) {
		ss_cpu_id = e->cur;
		ss_fail_at(SS_FAIL_USE_AFTER_FREE, &site_bad_addr,
			   "%u-byte access to %#lx (unmapped or straddling a word)", size,
			   (unsigned long)a);
		e->abort = true;
		emu_to_host(e);
	}
	return false;
}

static inline u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void tr_deps(struct emu_trace_ent *t, const struct wmm_dep *dep)
{
	if (!dep)
		return;
	t->flags |= EMU_TR_DEP;
	t->ndeps = dep->all ? 0xff : (uint8_t)dep->n;
	for (unsigned i = 0; i < dep->n && i < WMM_DEP_MAX; i++)
		t->deps[i] = dep->h[i];
}

/* The start of a load, store or RMW of size bytes at a: the scheduling point,
 * the candidate fences, the address check; returns the model location of a's
 * 8-byte word. */
static inline int access_word(struct emu *e, uintptr_t a, unsigned size, const struct ss_site *site)
{
	sched_point(e);
	EXTRA_FENCES(e, site);
	bad_addr(e, a, size);
	uintptr_t word = a & ~(uintptr_t)7;
	return get_loc(e, word, word);
}

/* A fence of the running CPU, its commits written through. */
static inline void fence_now(struct emu *e, enum ss_fence f)
{
	wmm_fence(e->w, e->cur, f);
	sync_dirty(e);
}

/* A trace entry whose only detail is sub (fence kind, RCU marker). */
static inline void tr_sub(struct emu *e, enum emu_op op, const struct ss_site *site, unsigned sub)
{
	struct emu_trace_ent *t = tr_add(e, op, site);
	if (t)
		t->sub = (uint8_t)sub;
}

/* A lock word changed in the model (v: 1 taken, 0 free): the same in real
 * memory, which is then in sync with the model's newest value. */
static inline void lock_word_set(struct emu *e, int x, u64 v)
{
	emu_write_real(e, x, v);
	e->synced[x] = wmm_loc_version(e->w, x);
}

/* The end of a store or RMW of word x: counted, written through, and a trace
 * entry (when tracing) with what every such entry holds. */
static inline struct emu_trace_ent *word_written(struct emu *e, int x, enum emu_op op,
						 const struct ss_site *site, uintptr_t word,
						 unsigned size, unsigned sub)
{
	e->res->accesses++;
	mark_dirty(e, x);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, op, site);
	if (t) {
		t->addr = word;
		t->size = (uint8_t)size;
		t->sub = (uint8_t)sub;
	}
	return t;
}

/* A sub-word RMW (atomic_t inside a word): a conditional RMW of word x on its
 * newest value, replacing size bytes at byte offset off.  Returns the old
 * sub-word value; *ok false when a cmpxchg failed, *nv the new sub-word value. */
static u64 subword_rmw(struct emu *e, int cpu, int x, unsigned off, unsigned size,
		       enum ss_rmw_op op, u64 operand, u64 expected, enum ss_order ord,
		       const struct ss_site *site, struct wmm_read_info *ri, bool *ok, u64 *nv)
{
	u64 m = size_mask(size);
	if (wmm_graph_on(e->w)) {
		u64 wv =
		    wmm_rmw_sub(e->w, cpu, x, op, operand, expected, off, size, ord, ok, ri, site);
		u64 old = (wv >> (8 * off)) & m;
		*nv = (wmm_newest(e->w, x) >> (8 * off)) & m;
		return old;
	}
	wmm_drain(e->w, cpu);
	u64 wv = wmm_newest(e->w, x);
	u64 old = (wv >> (8 * off)) & m;
	switch (op) {
	case SS_RMW_XCHG: *nv = operand; break;
	case SS_RMW_ADD: *nv = old + operand; break;
	case SS_RMW_AND: *nv = old & operand; break;
	case SS_RMW_OR: *nv = old | operand; break;
	default:
		*ok = old == (expected & m);
		*nv = operand;
		break;
	}
	*nv &= m;
	if (*ok) {
		u64 merged = (wv & ~(m << (8 * off))) | (*nv << (8 * off));
		wmm_rmw(e->w, cpu, x, SS_RMW_CMPXCHG, merged, wv, ord, NULL, ri, site);
	} else {
		/* a failing conditional RMW: a plain load of the newest value */
		wmm_rmw(e->w, cpu, x, SS_RMW_CMPXCHG, 0, wv ^ 1, ord, NULL, ri, site);
	}
	return old;
}

static u64 op_load(void *ctx, const volatile void *p, unsigned size, enum ss_access acc,
		   const struct ss_dep *sdep, const struct ss_site *site)
{
	struct emu *e = ctx;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	int x = access_word(e, a, size, site);
	int cpu = e->cur;
	struct wmm_dep dbuf;
	const struct wmm_dep *dep = load_dep(e, cpu, x, a, sdep, &dbuf, site);
	struct wmm_read_info ri;
	u64 v = wmm_load(e->w, cpu, x, acc, dep, &ri, site);
	e->res->accesses++;
	u64 r = size == 8 ? v : (v >> (8 * (a & 7))) & size_mask(size);
	after_load(e, cpu, a, size, r, ri.dep);
	RACE_NOTE(e, x, a, size, false, acc == SS_ACC_PLAIN, ri.stale, site);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_LOAD, site);
	if (t) {
		t->addr = word;
		t->handle = ri.dep;
		tr_deps(t, dep);
		t->size = (uint8_t)size;
		t->sub = (uint8_t)acc;
		t->val = r;
		tr_read(t, &ri);
		if (size != 8)
			t->newest_val = (t->newest_val >> (8 * (a & 7))) & size_mask(size);
		if (t->val == t->newest_val) /* an older message with the same bytes */
			t->flags &= (uint8_t)~EMU_TR_STALE;
		if (acc == SS_ACC_ACQUIRE)
			t->flags |= EMU_TR_ACQ;
	}
	return r;
}

/* Relaxed (or release) RMW of word x replacing `size` bytes at byte offset sh
 * with val; returns the old sub-word value. */
static u64 subword_write(struct emu *e, int cpu, int x, unsigned off, unsigned size, u64 val,
			 enum ss_order ord, const struct ss_site *site, struct wmm_read_info *ri)
{
	wmm_drain(e->w, cpu);
	u64 old = wmm_newest(e->w, x);
	u64 m = size_mask(size) << (8 * off);
	u64 merged = (old & ~m) | ((val << (8 * off)) & m);
	bool ok;
	wmm_rmw(e->w, cpu, x, SS_RMW_CMPXCHG, merged, old, ord, &ok, ri, site);
	return (old >> (8 * off)) & size_mask(size);
}

static void op_store(void *ctx, volatile void *p, unsigned size, u64 val, enum ss_access acc,
		     const struct ss_dep *sdep, const struct ss_site *site)
{
	struct emu *e = ctx;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	int x = access_word(e, a, size, site);
	int cpu = e->cur;
	uint32_t sid = 0;
	struct wmm_dep dbuf;
	/* the address's dependencies, by --deps: addr edges in graph mode and in
	 * the race tests (w-pre-bounded), nothing the lkvm model orders by */
	const struct wmm_dep *adep = store_dep(e, cpu, a, sdep, &dbuf);
	const struct wmm_dep *gdep = wmm_graph_on(e->w) ? adep : NULL;
	if (size == 8) {
		sid = wmm_store_dep(e->w, cpu, x, val, acc, gdep, site);
	} else if (wmm_graph_on(e->w)) {
		sid = wmm_store_sub(e->w, cpu, x, val, (unsigned)(a & 7), size, acc, gdep, site);
		val &= size_mask(size);
	} else {
		struct wmm_read_info ri;
		subword_write(e, cpu, x, (unsigned)(a & 7), size, val,
			      acc == SS_ACC_RELEASE ? SS_ORD_RELEASE : SS_ORD_RELAXED, site, &ri);
		val &= size_mask(size);
	}
	RACE_NOTE(e, x, a, size, true, acc == SS_ACC_PLAIN, false, site);
	struct emu_trace_ent *t = word_written(e, x, EMU_OP_STORE, site, word, size, acc);
	if (t) {
		t->val = val;
		t->store_id = sid;
		if (acc == SS_ACC_RELEASE)
			t->flags |= EMU_TR_REL;
		/* Dependencies into stores order nothing the model does not already
		 * order (every store carries what its CPU read): recorded for traces
		 * and litmus export only. */
		tr_deps(t, adep);
	}
}

static u64 op_rmw(void *ctx, volatile void *p, unsigned size, enum ss_rmw_op op, u64 operand,
		  u64 expected, enum ss_order ord, const struct ss_site *site)
{
	struct emu *e = ctx;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	int x = access_word(e, a, size, site);
	int cpu = e->cur;
	struct wmm_read_info ri;
	bool ok = true;
	u64 old, nv = 0;
	if (size == 8) {
		old = wmm_rmw(e->w, cpu, x, op, operand, expected, ord, &ok, &ri, site);
		nv = wmm_newest(e->w, x);
	} else {
		old = subword_rmw(e, cpu, x, (unsigned)(a & 7), size, op, operand, expected, ord,
				  site, &ri, &ok, &nv);
	}
	/* a failed conditional RMW is a marked read */
	RACE_NOTE(e, x, a, size, ok, false, false, site);
	struct emu_trace_ent *t = word_written(e, x, EMU_OP_RMW, site, word, size, op);
	if (t) {
		t->val = old;
		tr_read(t, &ri);
		t->newest_val = nv;
		if (!ok)
			t->flags |= EMU_TR_FAILED;
		if (ord == SS_ORD_FULL)
			t->flags |= EMU_TR_FULL;
		else if (ord == SS_ORD_ACQUIRE)
			t->flags |= EMU_TR_ACQ;
		else if (ord == SS_ORD_RELEASE)
			t->flags |= EMU_TR_REL;
	}
	return old;
}

static bool op_cmpxchg128(void *ctx, volatile u128 *p, u128 *old, u128 new_val, enum ss_order ord,
			  const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	EXTRA_FENCES(e, site);
	int cpu = e->cur;
	uintptr_t a = (uintptr_t)p;
	if ((a & 15) || a < 65536)
		bad_addr(e, 0, 16);
	int x0 = get_loc(e, a, a), x1 = get_loc(e, a + 8, a + 8);
	wmm_drain(e->w, cpu);
	sync_dirty(e);
	u64 n0 = wmm_newest(e->w, x0), n1 = wmm_newest(e->w, x1);
	u64 e0 = (u64)*old, e1 = (u64)(*old >> 64);
	bool ok = n0 == e0 && n1 == e1;
	struct wmm_read_info ri;
	if (wmm_graph_on(e->w)) {
		/* graph mode: each word an RMW of its co-latest write (wmm.h) */
		wmm_rmw_newest(e->w, cpu, x0, SS_RMW_CMPXCHG, (u64)new_val, ok ? e0 : n0 ^ 1, ord,
			       NULL, &ri, site);
		wmm_rmw_newest(e->w, cpu, x1, SS_RMW_CMPXCHG, (u64)(new_val >> 64),
			       ok ? e1 : n1 ^ 1, ord, NULL, NULL, site);
		if (!ok)
			*old = ((u128)n1 << 64) | n0;
	} else if (ok) {
		wmm_rmw(e->w, cpu, x0, SS_RMW_XCHG, (u64)new_val, 0, ord, NULL, &ri, site);
		wmm_rmw(e->w, cpu, x1, SS_RMW_XCHG, (u64)(new_val >> 64), 0, ord, NULL, NULL, site);
	} else {
		wmm_rmw(e->w, cpu, x0, SS_RMW_CMPXCHG, 0, n0 ^ 1, ord, NULL, &ri, site);
		wmm_rmw(e->w, cpu, x1, SS_RMW_CMPXCHG, 0, n1 ^ 1, ord, NULL, NULL, site);
		*old = ((u128)n1 << 64) | n0;
	}
	RACE_NOTE(e, x0, a, 8, ok, false, false, site);
	RACE_NOTE(e, x1, a, 8, ok, false, false, site);
	mark_dirty(e, x0);
	mark_dirty(e, x1);
	sync_dirty(e);
	e->res->accesses++;
	struct emu_trace_ent *t = tr_add(e, EMU_OP_CAS128, site);
	if (t) {
		t->addr = a;
		t->size = 16;
		t->val = n0;
		t->newest_val = n1;
		tr_read(t, &ri);
		t->flags |= ok ? EMU_TR_FULL : EMU_TR_FAILED;
	}
	return ok;
}

static void op_fence(void *ctx, enum ss_fence f, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	fence_now(e, f);
	tr_sub(e, EMU_OP_FENCE, site, f);
}

static void op_branch(void *ctx, enum ss_branch how)
{
	struct emu *e = ctx;
	wmm_branch(e->w, e->cur, (int)how);
}

static void op_relax(void *ctx, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	wmm_relax(e->w, e->cur);
	if (wmm_poll_blocked(e->w, e->cur))
		emu_block(e, BLK_POLL, -1, site);
}

static inline int lock_loc(struct emu *e, spinlock_t *l)
{
	uintptr_t a = (uintptr_t)l;
	if (a < 65536)
		bad_addr(e, 0, 4);
	return get_loc(e, a | 1, a);
}

static void op_spin_lock(void *ctx, spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	int x = lock_loc(e, l);
	while (!wmm_lock(e->w, e->cur, x, site)) {
		sync_dirty(e);
		emu_block(e, BLK_LOCK, x, site);
	}
	e->res->accesses++;
	lock_word_set(e, x, 1);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_LOCK, site);
	if (t)
		t->addr = (uintptr_t)l;
}

static bool op_spin_trylock(void *ctx, spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	int x = lock_loc(e, l);
	bool ok = wmm_trylock(e->w, e->cur, x, site);
	e->res->accesses++;
	if (ok)
		lock_word_set(e, x, 1);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_TRYLOCK, site);
	if (t) {
		t->addr = (uintptr_t)l;
		if (!ok)
			t->flags |= EMU_TR_FAILED;
	}
	return ok;
}

static void op_spin_unlock(void *ctx, spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	int x = lock_loc(e, l);
	wmm_unlock(e->w, e->cur, x, site);
	e->res->accesses++;
	lock_word_set(e, x, 0);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_UNLOCK, site);
	if (t)
		t->addr = (uintptr_t)l;
}

/* RCU (memory-model.md §1.9, conservative, UNVERIFIED against herd7): read-side
 * entry and exit are full barriers, synchronize_rcu() is mb, a wait until every
 * CPU that was inside a read-side section has left it, mb. */
static void op_synchronize_rcu(void *ctx, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	struct vcpu *c = &e->cpu[e->cur];
	wmm_fence(e->w, e->cur, SS_FENCE_MB);
	c->rcu_wait_mask = 0;
	for (int o = 0; o < e->ncpus; o++)
		if (o != e->cur && e->cpu[o].rcu_nest > 0) {
			c->rcu_wait_mask |= 1ULL << o;
			c->rcu_snap[o] = e->cpu[o].rcu_gen;
		}
	sync_dirty(e);
	while (emu_rcu_waiting(e, c))
		emu_block(e, BLK_RCU, -1, site);
	c->rcu_wait_mask = 0;
	fence_now(e, SS_FENCE_MB);
	tr_sub(e, EMU_OP_RCU, site, 0);
}

static void op_rcu_read_lock(void *ctx, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	if (e->cpu[e->cur].rcu_nest++ == 0)
		fence_now(e, SS_FENCE_MB);
	tr_sub(e, EMU_OP_RCU, site, 1);
}

static void op_rcu_read_unlock(void *ctx, const struct ss_site *site)
{
	struct emu *e = ctx;
	sched_point(e);
	struct vcpu *c = &e->cpu[e->cur];
	if (c->rcu_nest > 0 && --c->rcu_nest == 0) {
		c->rcu_gen++;
		fence_now(e, SS_FENCE_MB);
	}
	tr_sub(e, EMU_OP_RCU, site, 2);
}

const struct ss_kernel_ops emu_kops = {
    .load = op_load,
    .store = op_store,
    .rmw = op_rmw,
    .cmpxchg128 = op_cmpxchg128,
    .fence = op_fence,
    .relax = op_relax,
    .spin_lock = op_spin_lock,
    .spin_trylock = op_spin_trylock,
    .spin_unlock = op_spin_unlock,
    .synchronize_rcu = op_synchronize_rcu,
    .rcu_read_lock = op_rcu_read_lock,
    .rcu_read_unlock = op_rcu_read_unlock,
    .dep_of = op_dep_of,
    .dep_derive = op_dep_derive,
    .dep_last = op_dep_last,
    .branch = op_branch,
};
