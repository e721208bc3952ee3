/* engine/emu_internal.h - the emulator's private state, shared by its files:
 * emu.c (lifetime, schedule bytes, scheduling, locations, one execution),
 * emu_ops.c (the kernel ops: every kernel/ access, dependencies, trace
 * recording) and names.c (address naming).  Nothing outside engine/emu*.c and
 * engine/names.c includes it; the public API is engine/emu.h.
 *
 * The fast paths every access takes (sched_point, get_loc, sync_dirty,
 * mark_dirty, tr_add) are inline here, their slow paths out of line.
 */
#ifndef SS_EMU_INTERNAL_H
#define SS_EMU_INTERNAL_H

#include "engine/ctx.h"
#include "engine/emu.h"
#include "engine/race.h"
#include "engine/world.h"

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

	/* data-race candidates (emu_set_races); NULL: off */
	struct race_log *races;

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

/* ---- emu.c: locations and write-through ------------------------------------------ */

/* Writes v, the newest value of location x, through to real memory (the bytes
 * that changed only). */
void emu_write_real(struct emu *e, int x, u64 v);
/* The slow path of sync_dirty: something committed since the last look. */
void emu_sync_dirty_commits(struct emu *e);
/* The slow path of get_loc: a location seen for the first time in this
 * execution; EMU_NO_LOC (after an internal error) when the model is full. */
int emu_loc_create(struct emu *e, uintptr_t key, uintptr_t real);

/* After anything that may have committed stores: write the newest values of
 * every location with stores in flight through to real memory. */
static inline void sync_dirty(struct emu *e)
{
	/* nothing committed since the last look: nothing to write */
	if (!e->ndirty || e->wst->commits == e->seen_commits)
		return;
	emu_sync_dirty_commits(e);
}

static inline void mark_dirty(struct emu *e, int x)
{
	if (!e->ldirty[x]) {
		e->ldirty[x] = 1;
		e->dirty[e->ndirty++] = x;
	}
}

/* The model location of key (an 8-byte word, or a lock's address | 1) whose
 * real memory is at real. */
static inline int get_loc(struct emu *e, uintptr_t key, uintptr_t real)
{
	int x = wmm_loc_find(e->w, key);
	if (likely(x >= 0))
		return x;
	return emu_loc_create(e, key, real);
}

/* ---- emu_ops.c ------------------------------------------------------------------- */

/* What ss_kops points at while roles run (ss_kctx: the struct emu). */
extern const struct ss_kernel_ops emu_kops;

/* Appends a trace entry for the running CPU; NULL when out of memory. */
struct emu_trace_ent *emu_tr_append(struct emu *e, enum emu_op op, const struct ss_site *site);

/* A new trace entry when tracing, else NULL. */
static inline struct emu_trace_ent *tr_add(struct emu *e, enum emu_op op,
					   const struct ss_site *site)
{
	if (!e->tracing)
		return NULL;
	return emu_tr_append(e, op, site);
}

/* ---- emu.c: scheduling ------------------------------------------------------------ */

/* Back to the host context (the end of the execution, or an abort). */
void emu_to_host(struct emu *e) __attribute__((noreturn));
/* Records an internal error (first one kept) and aborts the execution. */
void emu_internal_error(struct emu *e, const char *msg, uintptr_t a);
/* Switches from CPU `from` to the next one per the schedule (see emu.c). */
void emu_switch_next(struct emu *e, int from);
/* The step bound is reached: fails the execution and returns to the host. */
void emu_step_limit(struct emu *e) __attribute__((noreturn));
/* Commit decisions for CPUs that cannot step but hold buffered stores. */
void emu_idle_commits(struct emu *e);
/* The running CPU cannot go on: run someone else until it can. */
void emu_block(struct emu *e, enum blk why, int loc, const struct ss_site *site);
/* A CPU in synchronize_rcu() still waits for a reader. */
bool emu_rcu_waiting(const struct emu *e, const struct vcpu *c);

/* Every kernel/ access starts here. */
static inline void sched_point(struct emu *e)
{
	if (unlikely(++e->steps > e->max_steps))
		emu_step_limit(e);
	if (unlikely(e->abort))
		emu_to_host(e);
	if (unlikely(e->run_left == 0))
		emu_switch_next(e, e->cur);
	if (!e->exhausted)
		e->run_left--;
	if (wmm_has_buffered(e->w, e->cur)) {
		wmm_commit_choice(e->w, e->cur);
		sync_dirty(e);
	}
	if (unlikely(e->idle_buffered))
		emu_idle_commits(e);
}

#endif /* SS_EMU_INTERNAL_H */
