/* engine/emu.c - the deterministic emulator (see emu.h): virtual CPUs as
 * coroutines, one scheduling point per kernel/ access, values from engine/wmm.
 *
 * Control flow.  The host (emu_execute) switches to the first CPU; from then on
 * CPUs switch directly to each other at scheduling points (no round trip through
 * the host), and the last one to finish - or the one that finds a deadlock, the
 * step bound or a failure - switches back to the host.  A CPU abandoned that way
 * is simply never resumed: its stack is re-initialised for the next execution
 * and the world reset puts the allocator back, so nothing leaks.
 *
 * Locations.  A model location is a naturally aligned 8-byte word, keyed by its
 * address, created on its first access in an execution with the word's current
 * real memory content as initial value.
 *  - Sub-word loads read the word and extract their bytes.
 *  - Sub-word stores (the 16-bit stride store into the counters word at +4, int
 *    fields) are done as a relaxed RMW of the word that replaces only their bytes
 *    in the mo-newest value: real hardware stores bytes, so the other bytes of the
 *    word must keep whatever the newest store put there (merging into an older
 *    value would invent a lost update of a neighbouring field, a false alarm).  An
 *    RMW reads the newest message, drains the CPU's store buffer first and
 *    inherits the previous message's view; all three only add ordering, so this
 *    is sound - it gives up only the buffering (store->load reordering) of
 *    sub-word stores, which no scenario here depends on.  Sub-word RMWs (atomic_t
 *    inside a word) are a conditional RMW of the word on its newest value.
 *  - try_cmpxchg128 (SLUB's freelist+counters) works on two 8-byte locations: it
 *    drains, compares both newest values and, on success, does two full-barrier
 *    RMWs back to back; no other CPU runs in between, so the pair is updated
 *    atomically.  Plain 8-byte loads of freelist and of counters stay separate
 *    loads (they are, in the kernel), each of which may be stale on its own.
 *  - A spinlock_t is its own location keyed by (address | 1): it is touched only
 *    through spin_*, and may share a word with other fields.
 * Real memory holds the newest committed value of every location: stores are
 * written through when they commit (only the bytes that changed, so private
 * fields sharing the word and written by plain C keep their value).
 *
 * Address dependencies (reference/memory-model.md §1.6), --deps (emu.h):
 *  - explicit (default): a load takes the dependency the code declares
 *    (kernel/'s struct ss_dep: READ_ONCE_DEP & co.).  Each CPU keeps a small
 *    ring of value tags: every 8-byte load that returns a pointer-like value v
 *    tags v with its own handle (whose knowledge already holds the loads it
 *    depended on: chains are transitive in wmm), and ss_dep_derive(v, d) tags a
 *    computed value.  ss_dep_of(v) is the union of the tags of v, so a pointer
 *    handed through an interface that carries only the value (kfree(p), a
 *    per-CPU sheaf) keeps its dependencies.
 *  - provenance: each CPU keeps a table of recent 8-byte loads whose value
 *    (flag bits 0-3 masked off) looks like a pointer: the blocks the allocator
 *    says code reaches from v (ss_alloc_ops.dep_blocks: v's object slot, and
 *    the struct slab of v's page, which lives in a separate array), else
 *    [v, v + dep_span); each cut short at the loaded field's own address when
 *    that lies inside (the pointer's own container is not reached through the
 *    pointer).  A later load inside
 *    such blocks depends on every matching load (more than WMM_DEP_MAX: on all
 *    earlier loads).  Inferring too many only adds ordering (sound); a missed
 *    one (an address computed from an integer, a block farther than dep_span)
 *    is the residual false-alarm risk.
 *  - check: explicit drives the run; provenance's floor is computed beside it
 *    at every load and a difference is recorded (emu_dep_disagreements).
 * Under sc and tso dependencies order nothing, so none of this runs there.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/ctx.h"
#include "engine/emu.h"
#include "engine/world.h"
#include "results/repro.h"

#define EMU_DEP_K      16 /* provenance blocks per CPU */
#define EMU_VTAG_K     32 /* value tags per CPU (explicit dependencies) */
#define EMU_DEP_BLOCKS 4  /* allocator blocks reached from one pointer */
#define EMU_DISAGREE_K 64 /* distinct disagreeing sites kept (--deps check) */
#define EMU_NO_LOC     (-1)

_Static_assert(EMU_VTAG_K <= 32, "op_dep_of scans the value tags into a u32 mask");

struct dep_ent {
	uintptr_t lo, hi;
	uint32_t h;
};

enum blk { BLK_NONE, BLK_LOCK, BLK_POLL, BLK_RCU };

struct vcpu {
	struct ss_ctx ctx;
	struct emu *e;
	int id;
	bool finished;
	enum blk blk;
	int blk_loc;
	/* RCU: read-side nesting, outermost unlocks so far, and what a waiting
	 * synchronize_rcu() waits for. */
	int rcu_nest;
	unsigned rcu_gen;
	u64 rcu_wait_mask;
	unsigned rcu_snap[SS_MAX_ROLES];
	/* provenance table (ring) */
	struct dep_ent dep[EMU_DEP_K];
	unsigned ndep;
	/* explicit dependencies: value tags (ring) and the last load's handle */
	u64 vtv[EMU_VTAG_K];	       /* values (scanned: kept apart) */
	struct ss_dep vtd[EMU_VTAG_K]; /* their dependencies */
	unsigned nvt;
	/* the last lookup, valid while no tag was added (nvt unchanged) */
	u64 q_v;
	unsigned q_nvt;
	struct ss_dep q_d;
	uint32_t last_h;
};

struct emu {
	struct emu_config cfg;
	struct ss_world *world;
	struct wmm *w;
	int ncpus;
	struct vcpu cpu[SS_MAX_ROLES];
	struct ss_ctx host;
	char *stacks;
	size_t stacks_len, stack_size;
	uintptr_t dep_span;
	bool deps_on;		   /* lkmm and dependencies not turned off */
	bool want_prov, want_expl; /* which dependency sources run (--deps) */
	struct emu_dep_disagreement dis[EMU_DISAGREE_K];
	size_t ndis;

	/* schedule */
	const u8 *sched;
	size_t fpos, bpos; /* next front byte; back bytes are [fpos, bpos) from the end */
	const struct emu_gen *gen;
	emu_pick_fn pick;
	u8 *rec_front, *rec_back, *last;
	size_t nrec_front, nrec_back, nlast, rec_cap;
	int cur;
	unsigned long run_left;
	bool exhausted;

	/* execution */
	unsigned long steps, max_steps;
	bool abort, in_roles;
	unsigned idle_buffered; /* CPUs that cannot step but hold buffered stores */
	struct emu_result *res;

	/* locations: real-memory shadow and write-through */
	u64 *shadow;
	uint32_t *synced;
	u8 *ldirty;
	int *dirty;
	int ndirty;
	int nloc_used;
	const struct wmm_stats *wst;
	u64 seen_commits; /* wst->commits at the last sync_dirty */

	/* trace */
	bool tracing;
	struct emu_trace_ent *tr;
	size_t ntr, trcap;

	/* SLABSTRESS_CHECK_RESET: the world's image hash before the first execution */
	bool check_reset, have_image;
	unsigned long long image_hash;

	/* extra fences (attribution): resolved site pointers, per config entry */
	const struct ss_site *fence_site[16];

	/* address naming */
	struct {
		uintptr_t base;
		size_t len, elem;
		char name[24];
		size_t sub; /* elements are arrays of sub-byte entries (0: not) */
		char subname[16];
	} reg[32];
	int nreg;
};

/* The emulator whose roles are running (ss_kops callbacks carry no context). */
static struct emu *g_emu;

static const struct ss_site site_step_limit = {"engine/emu.c", 0, "emu", "step bound"};
static const struct ss_site site_deadlock = {"engine/emu.c", 0, "emu", "all CPUs blocked"};
static const struct ss_site site_bad_addr = {"engine/emu.c", 0, "emu", "invalid address"};

/* ---- schedule bytes ------------------------------------------------------------- */

static bool front_byte(struct emu *e, unsigned *b)
{
	if (e->gen) {
		unsigned v = e->gen->front(e->gen->ctx) & 0xff;
		if (e->nrec_front < e->rec_cap)
			e->rec_front[e->nrec_front++] = (u8)v;
		*b = v;
		return true;
	}
	if (e->fpos >= e->bpos)
		return false;
	*b = e->sched[e->fpos++];
	e->res->front_used++;
	return true;
}

static unsigned emu_choose(void *ctx, int cpu, enum wmm_choice_kind kind, unsigned n)
{
	struct emu *e = ctx;
	(void)cpu;
	if (e->gen) {
		unsigned k = e->gen->back(e->gen->ctx, kind, n);
		if (k >= n)
			k %= n;
		if (e->nrec_back < e->rec_cap)
			e->rec_back[e->nrec_back++] = (u8)k;
		return k;
	}
	if (e->bpos <= e->fpos)
		return 0;
	e->res->back_used++;
	return e->sched[--e->bpos] % n;
}

/* The runnable CPUs in front-byte order: the current one first (if runnable),
 * then the others by increasing id.  Returns how many. */
static int runnable_list(struct emu *e, struct emu_pick_info *pi);

/* Chooses who runs next and for how long, from one front byte (or, when they
 * ran out, the defaults: the current CPU if runnable, else the lowest runnable
 * one, until it blocks or finishes).  pi holds the runnable list (n >= 1). */
static int take_byte(struct emu *e, struct emu_pick_info *pi)
{
	unsigned b;
	bool have;
	if (e->pick) {
		b = e->pick(e->gen->ctx, pi) & 0xff;
		if (e->nrec_front < e->rec_cap)
			e->rec_front[e->nrec_front++] = (u8)b;
		have = true;
	} else {
		have = front_byte(e, &b);
	}
	if (have) {
		e->run_left = 1 + (b & 0x1f);
		e->exhausted = false;
		return pi->cpus[(b >> 5) % (unsigned)pi->n];
	}
	e->run_left = ULONG_MAX;
	e->exhausted = true;
	return pi->cpus[0];
}

/* ---- locations and write-through ---------------------------------------------- */

static inline u64 byte_mask_of(u64 diff)
{
	diff |= diff >> 4;
	diff |= diff >> 2;
	diff |= diff >> 1;
	diff &= 0x0101010101010101ULL;
	return diff * 0xff;
}

static void write_real(struct emu *e, int x, u64 v)
{
	uintptr_t key = wmm_loc_addr(e->w, x);
	if (key & 1) {
		*(volatile int *)(key & ~(uintptr_t)1) = (int)v;
		return;
	}
	u64 diff = v ^ e->shadow[x];
	if (!diff)
		return;
	volatile u64 *p = (volatile u64 *)key;
	u64 m = byte_mask_of(diff);
	*p = (*p & ~m) | (v & m);
	e->shadow[x] = v;
}

static inline void sync_loc(struct emu *e, int x)
{
	uint32_t v = wmm_loc_version(e->w, x);
	if (v != e->synced[x]) {
		e->synced[x] = v;
		write_real(e, x, wmm_newest(e->w, x));
	}
}

static inline void mark_dirty(struct emu *e, int x)
{
	if (!e->ldirty[x]) {
		e->ldirty[x] = 1;
		e->dirty[e->ndirty++] = x;
	}
}

/* After anything that may have committed stores: write the newest values of
 * every location with stores in flight through to real memory. */
static void sync_dirty(struct emu *e)
{
	/* nothing committed since the last look: nothing to write */
	if (!e->ndirty || e->wst->commits == e->seen_commits)
		return;
	e->seen_commits = e->wst->commits;
	for (int i = 0; i < e->ndirty; i++)
		sync_loc(e, e->dirty[i]);
	for (int c = 0; c < e->ncpus; c++)
		if (wmm_has_buffered(e->w, c))
			return;
	for (int i = 0; i < e->ndirty; i++)
		e->ldirty[e->dirty[i]] = 0;
	e->ndirty = 0;
}

static void internal_error(struct emu *e, const char *msg, uintptr_t a);

static int get_loc(struct emu *e, uintptr_t key, uintptr_t real)
{
	int x = wmm_loc_find(e->w, key);
	if (likely(x >= 0))
		return x;
	u64 init = (key & 1) ? (u64)(unsigned)*(volatile int *)real : *(volatile u64 *)real;
	x = wmm_loc(e->w, key, (key & 1) ? 4 : 8, init);
	if (x < 0) {
		internal_error(e, "too many distinct locations in one execution (raise max_locs)",
			       key);
		return EMU_NO_LOC;
	}
	e->shadow[x] = init;
	e->synced[x] = wmm_loc_version(e->w, x);
	e->ldirty[x] = 0;
	if (x + 1 > e->nloc_used)
		e->nloc_used = x + 1;
	return x;
}

/* ---- trace ------------------------------------------------------------------------ */

static struct emu_trace_ent *tr_add(struct emu *e, enum emu_op op, const struct ss_site *site)
{
	if (!e->tracing)
		return NULL;
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

/* ---- scheduling -------------------------------------------------------------------- */

static void to_host(struct emu *e) __attribute__((noreturn));
static void to_host(struct emu *e)
{
	ss_ctx_jump(&e->cpu[e->cur].ctx, &e->host);
	__builtin_unreachable();
}

static void fail_now(struct emu *e, enum ss_fail_kind kind, const struct ss_site *site,
		     const char *msg)
{
	ss_fail_at(kind, site, "%s", msg);
	e->abort = true;
}

static void internal_error(struct emu *e, const char *msg, uintptr_t a)
{
	if (!e->res->internal_error) {
		e->res->internal_error = true;
		snprintf(e->res->internal_msg, sizeof(e->res->internal_msg), "%s (address %#lx)",
			 msg, (unsigned long)a);
	}
	e->abort = true;
	if (e->in_roles)
		to_host(e);
}

static bool rcu_waiting(const struct emu *e, const struct vcpu *c)
{
	for (int o = 0; o < e->ncpus; o++)
		if ((c->rcu_wait_mask >> o) & 1) {
			const struct vcpu *r = &e->cpu[o];
			if (r->rcu_nest > 0 && r->rcu_gen == c->rcu_snap[o])
				return true;
		}
	return false;
}

static bool runnable(struct emu *e, int id)
{
	struct vcpu *c = &e->cpu[id];
	if (c->finished)
		return false;
	switch (c->blk) {
	case BLK_NONE: return true;
	case BLK_LOCK:
		if (wmm_lock_would_block(e->w, c->blk_loc))
			return false;
		break;
	case BLK_POLL:
		if (wmm_poll_blocked(e->w, id))
			return false;
		break;
	case BLK_RCU:
		if (rcu_waiting(e, c))
			return false;
		break;
	}
	c->blk = BLK_NONE;
	return true;
}

static int runnable_list(struct emu *e, struct emu_pick_info *pi)
{
	int n = 0;
	pi->cur = e->cur;
	pi->cur_runnable = runnable(e, e->cur);
	pi->step = e->steps;
	if (pi->cur_runnable)
		pi->cpus[n++] = e->cur;
	for (int c = 0; c < e->ncpus; c++)
		if (c != e->cur && runnable(e, c))
			pi->cpus[n++] = c;
	pi->n = n;
	return n;
}

static void deadlock(struct emu *e)
{
	char msg[200];
	int len = snprintf(msg, sizeof(msg), "all unfinished CPUs are blocked:");
	static const char *const why[] = {"", "on a spinlock", "polling for a new value",
					  "in synchronize_rcu"};
	for (int c = 0; c < e->ncpus && len < (int)sizeof(msg); c++)
		if (!e->cpu[c].finished)
			len += snprintf(msg + len, sizeof(msg) - (size_t)len, " cpu %d %s;", c,
					why[e->cpu[c].blk]);
	ss_cpu_id = e->cur;
	fail_now(e, SS_FAIL_DEADLOCK, &site_deadlock, msg);
}

/* Switches from the running CPU `from` to the next one (which may be `from`
 * itself when it is still runnable).  When nobody can run: commit every store
 * buffer (stores always become visible eventually) and look again; then it is a
 * deadlock, or the end of the execution. */
static void switch_next(struct emu *e, int from)
{
	struct emu_pick_info pi;
	if (!runnable_list(e, &pi)) {
		wmm_drain_all(e->w);
		sync_dirty(e);
		runnable_list(e, &pi);
	}
	if (!pi.n) {
		bool all_done = true;
		for (int c = 0; c < e->ncpus; c++)
			all_done &= e->cpu[c].finished;
		if (!all_done)
			deadlock(e);
		to_host(e);
	}
	int to = take_byte(e, &pi);
	if (to == from)
		return;
	e->res->preemptions++;
	e->cur = to;
	ss_cpu_id = to;
	ss_ctx_jump(&e->cpu[from].ctx, &e->cpu[to].ctx);
	/* resumed: whoever switched here set cur, ss_cpu_id and the run */
}

static void step_limit(struct emu *e)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "no end after %lu steps (a livelock, or raise the bound)",
		 e->max_steps);
	fail_now(e, SS_FAIL_STEP_LIMIT, &site_step_limit, msg);
	to_host(e);
}

/* CPUs that cannot step (finished, blocked) may still hold buffered stores:
 * they get a commit decision at every step of the others, so their last stores
 * can become visible (or stay late) while the others run. */
static void note_idle(struct emu *e, int id)
{
	if (wmm_has_buffered(e->w, id))
		e->idle_buffered |= 1u << id;
}

static void idle_commits(struct emu *e)
{
	for (int c = 0; c < e->ncpus; c++) {
		if (!((e->idle_buffered >> c) & 1) || c == e->cur)
			continue;
		wmm_commit_choice(e->w, c);
		if (!wmm_has_buffered(e->w, c))
			e->idle_buffered &= ~(1u << c);
	}
	sync_dirty(e);
}

/* Every kernel/ access starts here. */
static inline void sched_point(struct emu *e)
{
	if (unlikely(++e->steps > e->max_steps))
		step_limit(e);
	if (unlikely(e->abort))
		to_host(e);
	if (unlikely(e->run_left == 0))
		switch_next(e, e->cur);
	if (!e->exhausted)
		e->run_left--;
	if (wmm_has_buffered(e->w, e->cur)) {
		wmm_commit_choice(e->w, e->cur);
		sync_dirty(e);
	}
	if (unlikely(e->idle_buffered))
		idle_commits(e);
}

/* The running CPU cannot go on: run someone else until it can. */
static void block(struct emu *e, enum blk why, int loc, const struct ss_site *site)
{
	int me = e->cur;
	struct emu_trace_ent *t = tr_add(e, EMU_OP_BLOCK, site);
	if (t)
		t->sub = (uint8_t)why;
	e->cpu[me].blk = why;
	e->cpu[me].blk_loc = loc;
	note_idle(e, me);
	switch_next(e, me);
	e->idle_buffered &= ~(1u << me);
	/* switch_next only comes back here once `me` is runnable again (or
	 * right away, if it already is) */
	e->cpu[me].blk = BLK_NONE;
}

static void role_entry(void *arg)
{
	struct vcpu *c = arg;
	struct emu *e = c->e;
	ss_ctx_entered(&e->host);
	e->cfg.scn->role[c->id](e->world, c->id);
	c->finished = true;
	note_idle(e, c->id);
	tr_add(e, EMU_OP_BLOCK, NULL);
	switch_next(e, c->id);
	to_host(e); /* not reached: a finished CPU is never picked */
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

static struct ss_dep op_dep_of(u64 v)
{
	struct emu *e = g_emu;
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

static void op_dep_derive(u64 v, const struct ss_dep *d)
{
	struct emu *e = g_emu;
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

static struct ss_dep op_dep_last(void)
{
	struct emu *e = g_emu;
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
		to_host(e);
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

static u64 op_load(const volatile void *p, unsigned size, enum ss_access acc,
		   const struct ss_dep *sdep, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	EXTRA_FENCES(e, site);
	int cpu = e->cur;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	bad_addr(e, a, size);
	int x = get_loc(e, word, word);
	struct wmm_dep dbuf;
	const struct wmm_dep *dep = load_dep(e, cpu, x, a, sdep, &dbuf, site);
	struct wmm_read_info ri;
	u64 v = wmm_load(e->w, cpu, x, acc, dep, &ri);
	e->res->accesses++;
	u64 r = size == 8 ? v : (v >> (8 * (a & 7))) & size_mask(size);
	after_load(e, cpu, a, size, r, ri.dep);
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

static void op_store(volatile void *p, unsigned size, u64 val, enum ss_access acc,
		     const struct ss_dep *sdep, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	EXTRA_FENCES(e, site);
	int cpu = e->cur;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	bad_addr(e, a, size);
	int x = get_loc(e, word, word);
	uint32_t sid = 0;
	if (size == 8) {
		sid = wmm_store(e->w, cpu, x, val, acc, site);
	} else {
		struct wmm_read_info ri;
		subword_write(e, cpu, x, (unsigned)(a & 7), size, val,
			      acc == SS_ACC_RELEASE ? SS_ORD_RELEASE : SS_ORD_RELAXED, site, &ri);
		val &= size_mask(size);
	}
	e->res->accesses++;
	mark_dirty(e, x);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_STORE, site);
	if (t) {
		t->addr = word;
		t->size = (uint8_t)size;
		t->sub = (uint8_t)acc;
		t->val = val;
		t->store_id = sid;
		if (acc == SS_ACC_RELEASE)
			t->flags |= EMU_TR_REL;
		/* Dependencies into stores order nothing the model does not already
		 * order (every store carries what its CPU read): recorded for traces
		 * and litmus export only. */
		struct wmm_dep dbuf;
		if (e->deps_on && e->want_expl)
			tr_deps(t, expl_dep(sdep, &dbuf));
	}
}

static u64 op_rmw(volatile void *p, unsigned size, enum ss_rmw_op op, u64 operand, u64 expected,
		  enum ss_order ord, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	EXTRA_FENCES(e, site);
	int cpu = e->cur;
	uintptr_t a = (uintptr_t)p, word = a & ~(uintptr_t)7;
	bad_addr(e, a, size);
	int x = get_loc(e, word, word);
	struct wmm_read_info ri;
	bool ok = true;
	u64 old, nv = 0;
	if (size == 8) {
		old = wmm_rmw(e->w, cpu, x, op, operand, expected, ord, &ok, &ri, site);
		nv = wmm_newest(e->w, x);
	} else {
		unsigned off = (unsigned)(a & 7);
		u64 m = size_mask(size);
		wmm_drain(e->w, cpu);
		u64 wv = wmm_newest(e->w, x);
		old = (wv >> (8 * off)) & m;
		switch (op) {
		case SS_RMW_XCHG: nv = operand; break;
		case SS_RMW_ADD: nv = old + operand; break;
		case SS_RMW_AND: nv = old & operand; break;
		case SS_RMW_OR: nv = old | operand; break;
		default:
			ok = old == (expected & m);
			nv = operand;
			break;
		}
		nv &= m;
		if (ok) {
			u64 merged = (wv & ~(m << (8 * off))) | (nv << (8 * off));
			wmm_rmw(e->w, cpu, x, SS_RMW_CMPXCHG, merged, wv, ord, NULL, &ri, site);
		} else {
			/* a failing conditional RMW: a plain load of the newest value */
			wmm_rmw(e->w, cpu, x, SS_RMW_CMPXCHG, 0, wv ^ 1, ord, NULL, &ri, site);
		}
	}
	e->res->accesses++;
	mark_dirty(e, x);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_RMW, site);
	if (t) {
		t->addr = word;
		t->size = (uint8_t)size;
		t->sub = (uint8_t)op;
		t->val = old;
		tr_read(t, &ri);
		t->newest_val = nv;
		if (!ok)
			t->flags |= EMU_TR_FAILED;
		if (ord == SS_ORD_FULL)
			t->flags |= EMU_TR_FULL;
	}
	return old;
}

static bool op_cmpxchg128(volatile u128 *p, u128 *old, u128 new_val, enum ss_order ord,
			  const struct ss_site *site)
{
	struct emu *e = g_emu;
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
	if (ok) {
		wmm_rmw(e->w, cpu, x0, SS_RMW_XCHG, (u64)new_val, 0, ord, NULL, &ri, site);
		wmm_rmw(e->w, cpu, x1, SS_RMW_XCHG, (u64)(new_val >> 64), 0, ord, NULL, NULL, site);
	} else {
		wmm_rmw(e->w, cpu, x0, SS_RMW_CMPXCHG, 0, n0 ^ 1, ord, NULL, &ri, site);
		wmm_rmw(e->w, cpu, x1, SS_RMW_CMPXCHG, 0, n1 ^ 1, ord, NULL, NULL, site);
		*old = ((u128)n1 << 64) | n0;
	}
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

static void op_fence(enum ss_fence f, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	wmm_fence(e->w, e->cur, f);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_FENCE, site);
	if (t)
		t->sub = (uint8_t)f;
}

static void op_relax(const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	wmm_relax(e->w, e->cur);
	if (wmm_poll_blocked(e->w, e->cur))
		block(e, BLK_POLL, -1, site);
}

static inline int lock_loc(struct emu *e, spinlock_t *l)
{
	uintptr_t a = (uintptr_t)l;
	if (a < 65536)
		bad_addr(e, 0, 4);
	return get_loc(e, a | 1, a);
}

static void op_spin_lock(spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	int x = lock_loc(e, l);
	while (!wmm_lock(e->w, e->cur, x, site)) {
		sync_dirty(e);
		block(e, BLK_LOCK, x, site);
	}
	e->res->accesses++;
	write_real(e, x, 1);
	e->synced[x] = wmm_loc_version(e->w, x);
	sync_dirty(e);
	tr_add(e, EMU_OP_LOCK, site);
}

static bool op_spin_trylock(spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	int x = lock_loc(e, l);
	bool ok = wmm_trylock(e->w, e->cur, x, site);
	e->res->accesses++;
	if (ok) {
		write_real(e, x, 1);
		e->synced[x] = wmm_loc_version(e->w, x);
	}
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_TRYLOCK, site);
	if (t && !ok)
		t->flags |= EMU_TR_FAILED;
	return ok;
}

static void op_spin_unlock(spinlock_t *l, const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	int x = lock_loc(e, l);
	wmm_unlock(e->w, e->cur, x, site);
	e->res->accesses++;
	write_real(e, x, 0);
	e->synced[x] = wmm_loc_version(e->w, x);
	sync_dirty(e);
	tr_add(e, EMU_OP_UNLOCK, site);
}

/* RCU (memory-model.md §1.9, conservative, UNVERIFIED against herd7): read-side
 * entry and exit are full barriers, synchronize_rcu() is mb, a wait until every
 * CPU that was inside a read-side section has left it, mb. */
static void op_synchronize_rcu(const struct ss_site *site)
{
	struct emu *e = g_emu;
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
	while (rcu_waiting(e, c))
		block(e, BLK_RCU, -1, site);
	c->rcu_wait_mask = 0;
	wmm_fence(e->w, e->cur, SS_FENCE_MB);
	sync_dirty(e);
	struct emu_trace_ent *t = tr_add(e, EMU_OP_RCU, site);
	if (t)
		t->sub = 0;
}

static void op_rcu_read_lock(const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	if (e->cpu[e->cur].rcu_nest++ == 0) {
		wmm_fence(e->w, e->cur, SS_FENCE_MB);
		sync_dirty(e);
	}
	struct emu_trace_ent *t = tr_add(e, EMU_OP_RCU, site);
	if (t)
		t->sub = 1;
}

static void op_rcu_read_unlock(const struct ss_site *site)
{
	struct emu *e = g_emu;
	sched_point(e);
	struct vcpu *c = &e->cpu[e->cur];
	if (c->rcu_nest > 0 && --c->rcu_nest == 0) {
		c->rcu_gen++;
		wmm_fence(e->w, e->cur, SS_FENCE_MB);
		sync_dirty(e);
	}
	struct emu_trace_ent *t = tr_add(e, EMU_OP_RCU, site);
	if (t)
		t->sub = 2;
}

static const struct ss_kernel_ops emu_kops = {
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
};

/* ---- failures ------------------------------------------------------------------- */

static void emu_fail_hook(const struct ss_failure *f, void *arg)
{
	struct emu *e = arg;
	struct emu_result *r = e->res;
	r->nfail++;
	if (r->kind == SS_FAIL_NONE) {
		r->kind = f->kind;
		r->fail = *f;
		r->fail_step = e->steps;
	}
	/* Stop the roles at their next access: what follows a failure is noise. */
	if (e->in_roles)
		e->abort = true;
}

/* ---- lifetime ------------------------------------------------------------------- */

struct emu *emu_create(const struct emu_config *cfg, char *err, size_t errlen)
{
	const struct ss_scenario *scn = cfg->scn;
	if (!scn || !cfg->alloc) {
		snprintf(err, errlen, "emulator: no scenario or allocator");
		return NULL;
	}
	if (scn->nroles < 1 || scn->nroles > SS_MAX_ROLES) {
		snprintf(err, errlen, "emulator: scenario '%s' has %d roles (1 to %d supported)",
			 scn->name, scn->nroles, SS_MAX_ROLES);
		return NULL;
	}
	struct emu *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	if (e->cfg.nfences > 16)
		e->cfg.nfences = 16;
	if (!e->cfg.iters)
		e->cfg.iters = 1;
	if (!e->cfg.max_steps)
		e->cfg.max_steps = 200000;
	if (!e->cfg.history)
		e->cfg.history = 4;
	if (!e->cfg.max_locs)
		e->cfg.max_locs = 2048;
	if (!e->cfg.stack_size)
		e->cfg.stack_size = 256 << 10;
	e->cfg.acfg.ncpus = scn->nroles;
	e->dep_span = e->cfg.dep_span;
	if (!e->dep_span)
		e->dep_span = e->cfg.acfg.page_size > e->cfg.acfg.object_size
				  ? e->cfg.acfg.page_size
				  : e->cfg.acfg.object_size;
	if (!e->dep_span)
		e->dep_span = 4096;
	e->deps_on = e->cfg.model == WMM_LKMM && !e->cfg.no_dep_inference;
	e->want_prov = e->cfg.deps != EMU_DEPS_EXPLICIT;
	e->want_expl = e->cfg.deps != EMU_DEPS_PROVENANCE;
	e->ncpus = scn->nroles;
	e->max_steps = e->cfg.max_steps;
	const char *cr = getenv("SLABSTRESS_CHECK_RESET");
	e->check_reset = cr && *cr && strcmp(cr, "0") != 0;
	e->stack_size = (e->cfg.stack_size + 4095) & ~(size_t)4095;

	/* one mapping for every stack, each with a guard page below it */
	e->stacks_len = (size_t)e->ncpus * (e->stack_size + 4096);
	e->stacks =
	    mmap(NULL, e->stacks_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->stacks == MAP_FAILED) {
		e->stacks = NULL;
		snprintf(err, errlen, "emulator: cannot map stacks: %s", strerror(errno));
		goto fail;
	}
	for (int c = 0; c < e->ncpus; c++) {
		mprotect(e->stacks + (size_t)c * (e->stack_size + 4096), 4096, PROT_NONE);
		e->cpu[c].e = e;
		e->cpu[c].id = c;
	}
	e->w = wmm_create(e->cfg.model, e->ncpus, e->cfg.max_locs, e->cfg.history);
	if (!e->w) {
		snprintf(err, errlen, "emulator: cannot create the %s model",
			 wmm_model_name(e->cfg.model));
		goto fail;
	}
	wmm_set_chooser(e->w, emu_choose, e);
	e->wst = wmm_stats(e->w);
	size_t L = (size_t)e->cfg.max_locs;
	e->shadow = calloc(L, sizeof(*e->shadow));
	e->synced = calloc(L, sizeof(*e->synced));
	e->ldirty = calloc(L, 1);
	e->dirty = calloc(L, sizeof(*e->dirty));
	e->rec_cap = e->cfg.max_steps + 16;
	e->rec_front = malloc(e->rec_cap);
	e->rec_back = malloc(e->rec_cap);
	e->last = malloc(2 * e->rec_cap);
	if (!e->shadow || !e->synced || !e->ldirty || !e->dirty || !e->rec_front || !e->rec_back ||
	    !e->last) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	e->world =
	    ss_world_create(scn, cfg->alloc, &e->cfg.acfg, e->cfg.iters, e->cfg.seed, err, errlen);
	if (!e->world)
		goto fail;
	/* The world keeps a pointer to the allocator config: ours, which outlives it. */
	return e;
fail:
	emu_destroy(e);
	return NULL;
}

void emu_destroy(struct emu *e)
{
	if (!e)
		return;
	if (e->world)
		ss_world_destroy(e->world);
	wmm_destroy(e->w);
	if (e->stacks)
		munmap(e->stacks, e->stacks_len);
	free(e->shadow);
	free(e->synced);
	free(e->ldirty);
	free(e->dirty);
	free(e->rec_front);
	free(e->rec_back);
	free(e->last);
	free(e->tr);
	free(e);
}

const struct emu_config *emu_config_of(const struct emu *e)
{
	return &e->cfg;
}

struct ss_world *emu_world(struct emu *e)
{
	return e->world;
}

void emu_set_trace(struct emu *e, bool on)
{
	e->tracing = on;
}

const struct emu_trace_ent *emu_trace(const struct emu *e, size_t *n)
{
	*n = e->ntr;
	return e->tr;
}

/* ---- one execution ---------------------------------------------------------------- */

static int execute(struct emu *e, struct emu_result *res)
{
	memset(res, 0, sizeof(*res));
	e->res = res;
	e->ntr = 0;
	e->steps = 0;
	e->abort = false;
	e->idle_buffered = 0;

	ss_kops = NULL;
	ss_cpu_id = 0;
	ss_set_fail_hook(emu_fail_hook, e);
	ss_world_reset(e->world, e->cfg.seed);
	e->world->iters = e->cfg.iters;
	if (e->cfg.scn->reset)
		e->cfg.scn->reset(e->world);
	if (e->check_reset) {
		/* Every execution must start from the same image (emu.h): compare
		 * it with the first execution's. */
		unsigned long long h = ss_world_hash(e->world);
		if (!e->have_image) {
			e->have_image = true;
			e->image_hash = h;
		} else if (h != e->image_hash) {
			res->internal_error = true;
			snprintf(res->internal_msg, sizeof(res->internal_msg),
				 "SLABSTRESS_CHECK_RESET: the world's memory before this execution "
				 "differs from the first execution's (hash %#llx, first %#llx): "
				 "the reset missed something",
				 h, e->image_hash);
			ss_set_fail_hook(NULL, NULL);
			return -1;
		}
	}

	wmm_reset(e->w);
	e->seen_commits = 0;
	memset(e->ldirty, 0, (size_t)e->nloc_used);
	e->ndirty = 0;
	e->nloc_used = 0;
	for (int c = 0; c < e->ncpus; c++) {
		struct vcpu *v = &e->cpu[c];
		v->finished = false;
		v->blk = BLK_NONE;
		v->rcu_nest = 0;
		v->rcu_gen = 0;
		v->rcu_wait_mask = 0;
		v->ndep = 0;
		v->nvt = 0;
		v->q_nvt = ~0u;
		v->last_h = 0;
		char *stack = e->stacks + (size_t)c * (e->stack_size + 4096) + 4096;
		ss_ctx_init(&v->ctx, stack, e->stack_size, role_entry, v);
	}

	if (!res->kind) {
		struct emu_pick_info pi;
		e->cur = 0;
		runnable_list(e, &pi);
		e->cur = take_byte(e, &pi);
		g_emu = e;
		e->in_roles = true;
		ss_kops = &emu_kops;
		ss_cpu_id = e->cur;
		ss_ctx_jump(&e->host, &e->cpu[e->cur].ctx);
		ss_kops = NULL;
		e->in_roles = false;
		g_emu = NULL;
	}
	res->steps = e->steps;

	if (!e->abort && !res->kind) {
		/* quiescence: every store reaches memory, then the checks run
		 * natively on the host (real memory = newest values) */
		wmm_drain_all(e->w);
		sync_dirty(e);
		for (int i = 0; i < e->nloc_used; i++)
			sync_loc(e, i);
		ss_cpu_id = 0;
		if (e->cfg.scn->check)
			e->cfg.scn->check(e->world);
		if (e->cfg.alloc->quiesce)
			e->cfg.alloc->quiesce(e->world->alloc_world);
	}
	res->stale_reads = wmm_stats(e->w)->stale_reads;
	ss_set_fail_hook(NULL, NULL);
	ss_cpu_id = 0;
	return res->internal_error ? -1 : 0;
}

int emu_execute(struct emu *e, const u8 *sched, size_t len, struct emu_result *res)
{
	e->gen = NULL;
	e->pick = NULL;
	e->sched = sched;
	e->fpos = 0;
	e->bpos = sched ? len : 0;
	return execute(e, res);
}

int emu_execute_gen(struct emu *e, const struct emu_gen *gen, struct emu_result *res)
{
	return emu_execute_pick(e, gen, NULL, res);
}

int emu_execute_pick(struct emu *e, const struct emu_gen *gen, emu_pick_fn pick,
		     struct emu_result *res)
{
	e->gen = gen;
	e->pick = pick;
	e->sched = NULL;
	e->fpos = e->bpos = 0;
	e->nrec_front = e->nrec_back = 0;
	int rc = execute(e, res);
	memcpy(e->last, e->rec_front, e->nrec_front);
	for (size_t i = 0; i < e->nrec_back; i++)
		e->last[e->nrec_front + i] = e->rec_back[e->nrec_back - 1 - i];
	e->nlast = e->nrec_front + e->nrec_back;
	res->front_used = e->nrec_front;
	res->back_used = e->nrec_back;
	e->gen = NULL;
	e->pick = NULL;
	return rc;
}

const u8 *emu_last_schedule(const struct emu *e, size_t *len)
{
	*len = e->nlast;
	return e->last;
}

/* ---- hex ------------------------------------------------------------------------- */

/* Thin wrappers over the one codec, results/repro.c's; emu_unhex also skips
 * spaces, tabs, newlines and colons between digits. */
void emu_hex(char *buf, const u8 *bytes, size_t len)
{
	ss_hex_write(buf, bytes, len);
}

long emu_unhex(u8 *out, size_t cap, const char *hex)
{
	return ss_hex_parse(out, cap, hex, " \n\t:");
}

/* ---- trace rendering ------------------------------------------------------------ */

#define COLW 60

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "?";
}

static void site_str(char *buf, size_t n, const struct ss_site *s)
{
	if (!s || !s->file)
		snprintf(buf, n, "?");
	else if (s->line)
		snprintf(buf, n, "%s:%d", base_name(s->file), s->line);
	else
		snprintf(buf, n, "%s", base_name(s->file));
}

static bool is_write(const struct emu_trace_ent *s)
{
	return s->op == EMU_OP_STORE || (s->op == EMU_OP_RMW && !(s->flags & EMU_TR_FAILED)) ||
	       (s->op == EMU_OP_CAS128 && !(s->flags & EMU_TR_FAILED));
}

static bool is_read(const struct emu_trace_ent *s)
{
	return s->op == EMU_OP_LOAD || s->op == EMU_OP_RMW || s->op == EMU_OP_CAS128;
}

/* The trace entry of the store a read read from (by id, or - sub-word stores
 * and RMWs, whose message id the model does not return - the latest write of
 * that CPU at that site before it); -1 for the initial value or unknown. */
static long find_store(const struct emu *e, size_t before, uint32_t id, int cpu,
		       const struct ss_site *site)
{
	if (cpu < 0)
		return -1;
	/* By store id first: several stores can share a site (a loop), and the newest
	 * of them need not be the one read.  RMWs carry no store id: fall back to the
	 * CPU's newest write at that site. */
	if (id)
		for (size_t j = before; j-- > 0;) {
			const struct emu_trace_ent *s = &e->tr[j];
			if (s->op == EMU_OP_STORE && s->store_id == id)
				return (long)j;
		}
	for (size_t j = before; j-- > 0;) {
		const struct emu_trace_ent *s = &e->tr[j];
		if (is_write(s) && s->cpu == cpu && s->site == site)
			return (long)j;
	}
	return -1;
}

long emu_trace_missed(const struct emu *e, size_t i)
{
	if (i >= e->ntr || !(e->tr[i].flags & EMU_TR_STALE))
		return -1;
	const struct emu_trace_ent *t = &e->tr[i];
	return find_store(e, i, t->newest_store_id, t->newest_cpu, t->newest_site);
}

long emu_trace_newer_po(const struct emu *e, size_t i)
{
	long j = emu_trace_missed(e, i);
	if (j < 0)
		return -1;
	const struct emu_trace_ent *t = &e->tr[i], *s2 = &e->tr[j];
	for (size_t k = i; k-- > 0;) {
		const struct emu_trace_ent *l = &e->tr[k];
		if (l->cpu != t->cpu || !is_read(l) || l->rf_cpu != s2->cpu)
			continue;
		long m = find_store(e, k, l->store_id, l->rf_cpu, l->rf_site);
		if (m > j)
			return (long)k;
	}
	return -1;
}

void emu_trace_cell(const struct emu *e, const struct emu_trace_ent *t, char *buf, size_t n)
{
	char at[64], v[64];
	site_str(at, sizeof(at), t->site);
	static const char *const fences[] = {"smp_mb()", "smp_wmb()", "smp_rmb()"};
	static const char *const rmws[] = {"xchg", "add", "and", "or", "cmpxchg"};
	static const char *const blk[] = {"-- done", "-- blocked (lock)", "-- blocked (poll)",
					  "-- blocked (rcu)"};
	emu_name_value(e, t->val, v, sizeof(v));
	switch (t->op) {
	case EMU_OP_LOAD:
		snprintf(buf, n, "%s %s = %s%s%s  %s", t->flags & EMU_TR_ACQ ? "R.acq" : "R",
			 emu_site_expr(t->site), v, t->flags & EMU_TR_STALE ? " STALE" : "",
			 t->flags & EMU_TR_DEP ? " (addr dep)" : "", at);
		break;
	case EMU_OP_STORE:
		snprintf(buf, n, "%s %s = %s  %s", t->flags & EMU_TR_REL ? "W.rel" : "W",
			 emu_site_expr(t->site), v, at);
		break;
	case EMU_OP_RMW: {
		/* RMW sites name the pointer (cmpxchg(&slab->obj_exts, ...)): show the
		 * location, then old -> new. */
		const char *loc = emu_site_expr(t->site);
		if (loc[0] == '&')
			loc++;
		char nv[64];
		emu_name_value(e, t->newest_val, nv, sizeof(nv));
		if (t->flags & EMU_TR_FAILED)
			snprintf(buf, n, "%s%s %s: %s (failed)  %s", rmws[t->sub < 5 ? t->sub : 0],
				 t->flags & EMU_TR_FULL ? "" : "_relaxed", loc, v, at);
		else
			snprintf(buf, n, "%s%s %s: %s -> %s  %s", rmws[t->sub < 5 ? t->sub : 0],
				 t->flags & EMU_TR_FULL ? "" : "_relaxed", loc, v, nv, at);
		break;
	}
	case EMU_OP_CAS128:
		snprintf(buf, n, "cmpxchg128 %s%s  %s", emu_site_expr(t->site),
			 t->flags & EMU_TR_FAILED ? " (failed)" : "", at);
		break;
	case EMU_OP_FENCE:
		snprintf(buf, n, "%s%s  %s", fences[t->sub < 3 ? t->sub : 0],
			 t->flags & EMU_TR_EXTRA ? " (inserted)" : "", at);
		break;
	case EMU_OP_LOCK:
	case EMU_OP_UNLOCK:
	case EMU_OP_RCU: snprintf(buf, n, "%s  %s", emu_site_expr(t->site), at); break;
	case EMU_OP_TRYLOCK:
		snprintf(buf, n, "%s%s  %s", emu_site_expr(t->site),
			 t->flags & EMU_TR_FAILED ? " (failed)" : "", at);
		break;
	case EMU_OP_BLOCK: snprintf(buf, n, "%s", blk[t->sub < 4 ? t->sub : 0]); break;
	default: snprintf(buf, n, "?"); break;
	}
}

/* Which entries the default rendering shows: stale loads, the stores they
 * missed, the earlier loads of the same CPU that saw newer values (the
 * reordered pair), fences, and the failing CPU's last accesses. */
/* The checkers' own bookkeeping (site text "checker:..."): not what a reader of
 * the interleaving is after, so only --full shows it. */
static bool is_checker_site(const struct ss_site *s)
{
	return s && s->expr && !strncmp(s->expr, "checker:", 8);
}

static char *select_entries(const struct emu *e, const struct emu_result *res, bool full)
{
	size_t n = e->ntr;
	const struct emu_trace_ent *tr = e->tr;
	char *keep = calloc(n ? n : 1, 1);
	if (!keep)
		return NULL;
	int fcpu = res && res->kind ? res->fail.cpu : -1;
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		if (full || (t->flags & EMU_TR_STALE) || t->op == EMU_OP_FENCE) {
			keep[i] = 1;
			shown++;
		}
		if (t->flags & EMU_TR_STALE) {
			long j = emu_trace_missed(e, i), k = emu_trace_newer_po(e, i);
			if (j >= 0)
				keep[j] = 1;
			if (k >= 0) {
				keep[k] = 1;
				/* ... and the store that earlier load read: the other half of
				 * the message-passing pair, as in the seed email's picture. */
				const struct emu_trace_ent *l = &tr[k];
				long m =
				    find_store(e, (size_t)k, l->store_id, l->rf_cpu, l->rf_site);
				if (m >= 0)
					keep[m] = 1;
			}
		}
	}
	if (fcpu >= 0) {
		int left = 4;
		for (size_t i = n; i-- > 0 && left > 0;)
			if (tr[i].cpu == fcpu && tr[i].op != EMU_OP_BLOCK &&
			    tr[i].step <= res->fail_step && !is_checker_site(tr[i].site)) {
				keep[i] = 1;
				left--;
			}
	}
	if (!shown && fcpu < 0) /* nothing stands out: the last steps before the end */
		for (size_t i = n > 12 ? n - 12 : 0; i < n; i++)
			keep[i] = 1;
	return keep;
}

size_t emu_trace_select(const struct emu *e, const struct emu_result *res, bool full,
			void (*fn)(void *ctx, size_t idx), void *ctx)
{
	char *keep = select_entries(e, res, full);
	size_t k = 0;
	if (!keep)
		return 0;
	for (size_t i = 0; i < e->ntr; i++)
		if (keep[i]) {
			fn(ctx, i);
			k++;
		}
	free(keep);
	return k;
}

static void print_row(FILE *f, int ncpu, long step, int cpu, const char *text)
{
	if (step >= 0)
		fprintf(f, "%6ld |", step);
	else
		fprintf(f, "       |");
	for (int c = 0; c < ncpu; c++) {
		if (c == cpu) {
			int len = (int)strlen(text);
			if (len > COLW && c + 1 < ncpu)
				fprintf(f, " %.*s~|", COLW - 1, text);
			else if (c + 1 < ncpu)
				fprintf(f, " %-*s|", COLW, text);
			else
				fprintf(f, " %s", text);
		} else if (c + 1 < ncpu) {
			fprintf(f, " %-*s|", COLW, "");
		}
	}
	fputc('\n', f);
}

void emu_print_trace(FILE *f, const struct emu *e, const struct emu_result *res, bool full)
{
	size_t n = e->ntr;
	const struct emu_trace_ent *tr = e->tr;
	char *keep = select_entries(e, res, full);
	if (!keep)
		return;
	char hdr[64];
	fprintf(f, "  step |");
	for (int c = 0; c < e->ncpus; c++) {
		const char *rn = e->cfg.scn->role_names[c];
		snprintf(hdr, sizeof(hdr), "CPU %d (%s)", c, rn ? rn : "role");
		if (c + 1 < e->ncpus)
			fprintf(f, " %-*s|", COLW, hdr);
		else
			fprintf(f, " %s", hdr);
	}
	fputc('\n', f);
	fprintf(f, "-------+");
	for (int c = 0; c < e->ncpus; c++) {
		for (int k = 0; k < COLW + 1; k++)
			fputc('-', f);
		if (c + 1 < e->ncpus)
			fputc('+', f);
	}
	fputc('\n', f);
	char text[512], at[64], v[64];
	size_t last = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		const struct emu_trace_ent *t = &tr[i];
		if (last != (size_t)-1 && i > last + 1 && !full)
			fprintf(f, "   ... |\n");
		last = i;
		emu_trace_cell(e, t, text, sizeof(text));
		print_row(f, e->ncpus, (long)t->step, t->cpu, text);
		if (t->flags & EMU_TR_STALE) {
			long j = emu_trace_missed(e, i);
			site_str(at, sizeof(at), t->newest_site);
			emu_name_value(e, t->newest_val, v, sizeof(v));
			if (j >= 0)
				snprintf(text, sizeof(text),
					 "  ^ missed %s by CPU %d, step %u (%s)", v, t->newest_cpu,
					 tr[j].step, at);
			else
				snprintf(text, sizeof(text), "  ^ missed %s by CPU %d (%s)", v,
					 t->newest_cpu, at);
			print_row(f, e->ncpus, -1, t->cpu, text);
		}
	}
	if (res && res->kind) {
		char msg[300];
		site_str(at, sizeof(at), res->fail.site);
		emu_name_message(e, res->fail.msg, msg, sizeof(msg));
		fprintf(f, "FAILURE at step %lu: %s on CPU %d at %s (%s): %s\n", res->fail_step,
			ss_fail_kind_name(res->kind), res->fail.cpu, at,
			res->fail.site && res->fail.site->func ? res->fail.site->func : "?", msg);
		fprintf(f, "  (under %s, %s dependencies)\n", wmm_model_name(e->cfg.model),
			emu_deps_name(e->cfg.deps));
	}
	free(keep);
}

/* ---- address naming ------------------------------------------------------------- */

void emu_add_region(struct emu *e, uintptr_t base, size_t len, size_t elem_size, const char *name)
{
	if (e->nreg >= (int)(sizeof(e->reg) / sizeof(e->reg[0])) || !len)
		return;
	e->reg[e->nreg].base = base;
	e->reg[e->nreg].len = len;
	e->reg[e->nreg].elem = elem_size;
	e->reg[e->nreg].sub = 0;
	snprintf(e->reg[e->nreg].name, sizeof(e->reg[0].name), "%s", name);
	e->nreg++;
}

const char *emu_name_value(const struct emu *e, u64 v, char *buf, size_t n)
{
	for (int i = 0; i < e->nreg; i++) {
		uintptr_t off = (uintptr_t)v - e->reg[i].base;
		if ((uintptr_t)v < e->reg[i].base || off >= e->reg[i].len)
			continue;
		if (e->reg[i].elem) {
			size_t idx = off / e->reg[i].elem, rem = off % e->reg[i].elem;
			int k = snprintf(buf, n, "&%s[%zu]", e->reg[i].name, idx);
			if (e->reg[i].sub && k > 0 && (size_t)k < n) {
				/* &vec[0].ext[1], &page[0].obj[3]+0x8 */
				size_t j = rem / e->reg[i].sub;
				k += snprintf(buf + k, n - (size_t)k, ".%s[%zu]", e->reg[i].subname,
					      j);
				rem %= e->reg[i].sub;
			}
			if (rem && k > 0 && (size_t)k < n)
				snprintf(buf + k, n - (size_t)k, "+%#zx", rem);
		} else if (off) {
			snprintf(buf, n, "&%s+%#lx", e->reg[i].name, (unsigned long)off);
		} else {
			snprintf(buf, n, "&%s", e->reg[i].name);
		}
		return buf;
	}
	snprintf(buf, n, "%#llx", (unsigned long long)v);
	return buf;
}

void emu_region_entries(struct emu *e, const char *name, size_t sub_size, const char *sub_name)
{
	for (int i = 0; i < e->nreg; i++)
		if (!strcmp(e->reg[i].name, name) && sub_size) {
			e->reg[i].sub = sub_size;
			snprintf(e->reg[i].subname, sizeof(e->reg[i].subname), "%s", sub_name);
		}
}

void emu_name_message(const struct emu *e, const char *msg, char *out, size_t n)
{
	size_t o = 0;
	if (!n)
		return;
	for (const char *p = msg; *p && o + 1 < n;) {
		if (p[0] == '0' && p[1] == 'x') {
			char *end;
			unsigned long long v = strtoull(p, &end, 16);
			char nm[64];
			emu_name_value(e, v, nm, sizeof(nm));
			if (nm[0] == '&') {
				int w = snprintf(out + o, n - o, "%s", nm);
				o += w > 0 ? (size_t)w : 0;
				if (o >= n)
					o = n - 1;
				p = end;
				continue;
			}
		}
		out[o++] = *p++;
	}
	out[o] = 0;
}

const char *emu_site_expr(const struct ss_site *s)
{
	static const char *const alias[][2] = {
	    /* the model keeps both widths of the kernel's one field */
	    {"slab->stride16", "slab->stride"},
	    {"slab->stride32", "slab->stride"},
	};
	if (!s || !s->expr)
		return "?";
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(s->expr, alias[i][0]))
			return alias[i][1];
	return s->expr;
}
