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
 * Files: this one (lifetime, schedule bytes, scheduling, locations, one
 * execution); emu_ops.c (the kernel ops behind ss_kops, dependencies, trace
 * recording); emu_internal.h (the state both share and the per-access fast
 * paths); trace.c and names.c (reading the trace and naming addresses, behind
 * engine/trace.h).
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

#include "engine/crash.h"
#include "engine/emu_internal.h"
#include "results/repro.h"

static const struct ss_site site_step_limit = {"engine/emu.c", 0, "emu", "step bound"};
static const struct ss_site site_deadlock = {"engine/emu.c", 0, "emu", "all CPUs blocked"};

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

void emu_write_real(struct emu *e, int x, u64 v)
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
		emu_write_real(e, x, wmm_newest(e->w, x));
	}
}

void emu_sync_dirty_commits(struct emu *e)
{
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

int emu_loc_create(struct emu *e, uintptr_t key, uintptr_t real)
{
	u64 init = (key & 1) ? (u64)(unsigned)*(volatile int *)real : *(volatile u64 *)real;
	int x = wmm_loc(e->w, key, (key & 1) ? 4 : 8, init);
	if (x < 0) {
		emu_internal_error(
		    e, "too many distinct locations in one execution (raise max_locs)", key);
		return EMU_NO_LOC;
	}
	e->shadow[x] = init;
	e->synced[x] = wmm_loc_version(e->w, x);
	e->ldirty[x] = 0;
	if (x + 1 > e->nloc_used)
		e->nloc_used = x + 1;
	return x;
}

/* ---- scheduling -------------------------------------------------------------------- */

void emu_to_host(struct emu *e)
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

void emu_internal_error(struct emu *e, const char *msg, uintptr_t a)
{
	if (!e->res->internal_error) {
		e->res->internal_error = true;
		snprintf(e->res->internal_msg, sizeof(e->res->internal_msg), "%s (address %#lx)",
			 msg, (unsigned long)a);
	}
	e->abort = true;
	if (e->in_roles)
		emu_to_host(e);
}

bool emu_rcu_waiting(const struct emu *e, const struct vcpu *c)
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
		if (wmm_lock_blocked(e->w, id, c->blk_loc))
			return false;
		break;
	case BLK_POLL:
		if (wmm_poll_blocked(e->w, id))
			return false;
		break;
	case BLK_RCU:
		if (emu_rcu_waiting(e, c))
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
void emu_switch_next(struct emu *e, int from)
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
		emu_to_host(e);
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

void emu_step_limit(struct emu *e)
{
	char msg[96];
	snprintf(msg, sizeof(msg), "no end after %lu steps (a livelock, or raise the bound)",
		 e->max_steps);
	fail_now(e, SS_FAIL_STEP_LIMIT, &site_step_limit, msg);
	emu_to_host(e);
}

/* CPUs that cannot step (finished, blocked) may still hold buffered stores:
 * they get a commit decision at every step of the others, so their last stores
 * can become visible (or stay late) while the others run. */
static void note_idle(struct emu *e, int id)
{
	if (wmm_has_buffered(e->w, id))
		e->idle_buffered |= 1u << id;
}

void emu_idle_commits(struct emu *e)
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

/* The running CPU cannot go on: run someone else until it can. */
void emu_block(struct emu *e, enum blk why, int loc, const struct ss_site *site)
{
	int me = e->cur;
	struct emu_trace_ent *t = tr_add(e, EMU_OP_BLOCK, site);
	if (t)
		t->sub = (uint8_t)why;
	e->cpu[me].blk = why;
	e->cpu[me].blk_loc = loc;
	note_idle(e, me);
	emu_switch_next(e, me);
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
	emu_switch_next(e, c->id);
	emu_to_host(e); /* not reached: a finished CPU is never picked */
}

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

/* A crash signal in a role (engine/crash.h): a scenario-crash failure of the CPU
 * that ran it, then back to the host like any failing CPU. */
static void emu_crashed(void *arg, const struct ss_crash *c)
{
	static const struct ss_site unknown = {"?", 0, "?", "crash"};
	struct emu *e = arg;
	const char *role = e->cfg.scn->role_names[e->cur] ? e->cfg.scn->role_names[e->cur] : "?";
	char what[64];
	ss_kops = NULL; /* the rest runs natively, whatever the role was doing */
	ss_crash_describe(c, what, sizeof(what));
	if (c->site && !strcmp(c->site->func, "?"))
		c->site->func = role; /* a static function: name the role instead */
	ss_fail_at(SS_FAIL_SCENARIO_CRASH, c->site ? c->site : &unknown,
		   "scenario %s crashed: %s in role %s", e->cfg.scn->name, what, role);
	e->abort = true;
	emu_to_host(e);
}

/* ---- lifetime ------------------------------------------------------------------- */

/* e->cfg = *cfg with every 0 replaced by its default (emu.h), and what follows
 * from it. */
static void apply_defaults(struct emu *e, const struct emu_config *cfg)
{
	const struct ss_scenario *scn = cfg->scn;
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
	/* graph mode: every graph's data races are LKMM's, whatever model checks it */
	e->deps_on = (e->cfg.model == WMM_LKMM || e->cfg.track_deps || e->cfg.graph) &&
		     !e->cfg.no_dep_inference;
	e->want_prov = e->cfg.deps != EMU_DEPS_EXPLICIT;
	e->want_expl = e->cfg.deps != EMU_DEPS_PROVENANCE;
	e->ncpus = scn->nroles;
	e->max_steps = e->cfg.max_steps;
	const char *cr = getenv("SLABSTRESS_CHECK_RESET");
	e->check_reset = cr && *cr && strcmp(cr, "0") != 0;
	e->stack_size = (e->cfg.stack_size + 4095) & ~(size_t)4095;
}

/* Graph mode: the explorer cannot go on with this execution (it pruned it, or
 * the roles did not re-create its graph): end it, no verdict. */
static void graph_stop(void *ctx)
{
	struct emu *e = ctx;
	e->abort = true;
	emu_to_host(e);
}

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
	apply_defaults(e, cfg);

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
	if (e->cfg.graph)
		wmm_set_graph(e->w, e->cfg.graph, graph_stop, e);
	wmm_set_branches_declared(e->w, e->cfg.scn && e->cfg.scn->branches_declared);
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
	race_log_destroy(e->races);
	free(e);
}

const struct emu_config *emu_config_of(const struct emu *e)
{
	return &e->cfg;
}

enum emu_waits emu_cpu_waits(const struct emu *e, int cpu)
{
	if (cpu < 0 || cpu >= e->ncpus || e->cpu[cpu].finished)
		return EMU_WAITS_NOTHING;
	switch (e->cpu[cpu].blk) {
	case BLK_LOCK: return EMU_WAITS_LOCK;
	case BLK_POLL: return EMU_WAITS_POLL;
	case BLK_RCU: return EMU_WAITS_RCU;
	default: return EMU_WAITS_NOTHING;
	}
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

/* SLABSTRESS_CHECK_RESET: every execution must start from the same image
 * (emu.h): compares it with the first execution's; false (an internal error in
 * res) when it differs. */
static bool same_image(struct emu *e, struct emu_result *res)
{
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
		return false;
	}
	return true;
}

/* Every virtual CPU back to its start: unblocked, outside RCU, no dependencies
 * remembered, a fresh stack entering role_entry. */
static void reset_cpus(struct emu *e)
{
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
#ifdef SS_CTX_ASAN
		/* the stack is reused every run: frames left mid-call (a failure, a
		 * graph the explorer stopped) and the shadow of earlier runs must not
		 * poison what the next run writes there (scenario files' uninstrumented
		 * frames above all) */
		__asan_unpoison_memory_region(stack, e->stack_size);
#endif
		ss_ctx_init(&v->ctx, stack, e->stack_size, role_entry, v);
	}
}

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
	if (e->races)
		race_exec_begin(e->races);
	ss_world_reset(e->world, e->cfg.seed);
	e->world->iters = e->cfg.iters;
	if (e->cfg.scn->reset)
		e->cfg.scn->reset(e->world);
	if (e->check_reset && !same_image(e, res)) {
		ss_set_fail_hook(NULL, NULL);
		return -1;
	}

	wmm_reset(e->w);
	e->seen_commits = 0;
	memset(e->ldirty, 0, (size_t)e->nloc_used);
	e->ndirty = 0;
	e->nloc_used = 0;
	reset_cpus(e);

	if (!res->kind) {
		struct emu_pick_info pi;
		e->cur = 0;
		runnable_list(e, &pi);
		e->cur = take_byte(e, &pi);
		e->in_roles = true;
		ss_kctx = e;
		ss_kops = &emu_kops;
		ss_cpu_id = e->cur;
		ss_crash_arm(emu_crashed, e);
		ss_ctx_jump(&e->host, &e->cpu[e->cur].ctx);
		ss_crash_disarm();
		ss_kops = NULL;
		ss_kctx = NULL;
		e->in_roles = false;
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
	int rc = execute(e, res);
	if (e->races)
		race_exec_end(e->races, sched, sched ? len : 0);
	return rc;
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
	if (e->races)
		race_exec_end(e->races, e->last, e->nlast);
	e->gen = NULL;
	e->pick = NULL;
	return rc;
}

int emu_set_races(struct emu *e, bool on)
{
	if (!on) {
		race_log_destroy(e->races);
		e->races = NULL;
		return 0;
	}
	if (!e->races)
		e->races = race_log_create(e->cfg.max_locs, e->ncpus);
	return e->races ? 0 : -1;
}

const struct race_log *emu_races(const struct emu *e)
{
	return e->races;
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
