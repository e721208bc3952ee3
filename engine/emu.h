/* engine/emu.h - the deterministic emulator: scenario roles as virtual CPUs
 * (coroutines) under a schedule, every kernel/ access decided by a memory model.
 *
 * One execution = ss_world_reset (same addresses, same bytes every time), the
 * scenario's reset hook, the roles as virtual CPUs until all return, then the
 * scenario's check hook and the allocator's quiesce.  While roles run, ss_kops
 * points at the emulator: every kernel/ access is a scheduling point, and the
 * memory model (engine/wmm.h) says which value a load returns.
 *
 * The schedule is a byte string (reference/memory-model.md §2.5):
 *  - front bytes, one whenever a run ends (its steps are used up, or its CPU
 *    blocks or finishes) and at the start: the next CPU is runnable CPU
 *    (b >> 5) % nrunnable in the list [the current CPU if runnable, then the
 *    other runnable CPUs by increasing id], and it runs 1 + (b & 0x1f) steps
 *    before the next byte.  So a zero byte is a default decision (stay on the
 *    current CPU, or the lowest runnable one) and zeroing a byte never shifts
 *    the bytes after it;
 *  - back bytes, one per memory-model choice with n >= 2 options: k = b % n
 *    (reads: 0 = newest message; commits: 0 = commit all now, 1 = keep buffered,
 *    k >= 2 = commit the (k-2)-th committable store);
 *  - when bytes run out: keep the current CPU (if it blocks or finishes, the
 *    lowest-numbered runnable one), read the newest value, commit stores at once.
 *    An empty schedule is a sequentially consistent run.
 * A run is a pure function of (scenario, variant, knobs, model, schedule bytes).
 *
 * Memory: model locations are naturally aligned 8-byte words (see emu.c for
 * sub-word accesses, the 128-bit cmpxchg and spinlocks).  Real memory always
 * holds the newest committed value of every location, so code outside kernel/
 * (allocator-private data, the check hooks) stays consistent; a load may return
 * an older value than real memory holds.
 */
#ifndef SS_EMU_H
#define SS_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/wmm.h"
#include "kernel/bug.h"
#include "scenarios/scenario.h"

/* Where load->load address dependencies come from (reference/memory-model.md
 * §1.6):
 *  - explicit: what the code declares through kernel/ (READ_ONCE_DEP(x, base)
 *    & co.; the dependencies a value carries, ss_dep_of, pass through
 *    virt_to_slab, obj_to_index, slab_obj_ext and the scenarios' pointer
 *    arithmetic by ss_dep_derive_from): exact, transitive;
 *  - provenance: inferred: an access inside [v, v + dep_span) of a recently
 *    loaded pointer v, or inside a block the allocator reaches from v
 *    (ss_alloc_ops.dep_blocks: the struct slab, the checker word), depends on
 *    every such load (up to WMM_DEP_MAX, more: on all earlier loads);
 *  - check: runs with explicit and computes the provenance floor beside it at
 *    every load; a load where the two floors differ is a disagreement
 *    (emu_dep_disagreements). */
enum emu_deps {
	EMU_DEPS_EXPLICIT,
	EMU_DEPS_PROVENANCE,
	EMU_DEPS_CHECK,
};
const char *emu_deps_name(enum emu_deps d);
/* "explicit", "provenance", "check" -> 0 and *d; else -1. */
int emu_deps_parse(const char *name, enum emu_deps *d);

struct emu_config {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	struct ss_alloc_config acfg;
	enum wmm_model model;
	unsigned long iters;	 /* handoffs per role per execution (0: 1) */
	unsigned long long seed; /* world PRNG seed, the same for every execution */
	unsigned long max_steps; /* step bound per execution (0: 200000) */
	int history;		 /* messages kept per location (0: 4) */
	int max_locs;		 /* locations one execution may touch (0: 2048) */
	size_t stack_size;	 /* bytes per virtual CPU stack (0: 256 KiB) */
	/* Address-dependency inference (§1.6 option 2): a load whose value v points
	 * at memory makes later loads of [v, v + dep_span) dependent on it
	 * (0: max(page_size, object_size)). */
	size_t dep_span;
	bool no_dep_inference; /* tests: no dependencies at all (either mode) */
	/* Dependencies under every model, not only lkmm's: a data-race check decides
	 * LKMM's flag on an sc or tso execution, and a plain access bounded by an
	 * address dependency does not race (fuzz/race_check.c, fuzz/replay.c). */
	bool track_deps;
	enum emu_deps deps; /* default: explicit */
	/* Graph mode (engine/gx.h, engine/gexplore.h): NULL, or the graph
	 * explorer every access of the roles goes to (the model then only names
	 * the model the finished graphs are checked against). */
	struct gx *graph;
	/* Candidate fixes (attribution): an extra fence executed right before
	 * every access at a code site on one CPU.  NULL / 0: none. */
	const struct emu_extra_fence *fences;
	int nfences;
};

/* "smp_rmb() before the access at file:line on CPU cpu" (cpu -1: every CPU). */
struct emu_extra_fence {
	int cpu;
	const char *file; /* compared by string: the site's __FILE__ */
	int line;
	enum ss_fence kind;
};

/* What one execution found.  Failures after the first are counted only. */
struct emu_result {
	enum ss_fail_kind kind;	 /* SS_FAIL_NONE: clean */
	struct ss_failure fail;	 /* the first failure */
	unsigned long fail_step; /* step at which it was reported */
	unsigned nfail;
	unsigned long steps;	/* scheduling points */
	unsigned long accesses; /* kernel/ accesses (loads, stores, RMWs, locks) */
	unsigned long stale_reads;
	unsigned long preemptions;	 /* CPU switches */
	size_t front_used, back_used;	 /* schedule bytes consumed */
	unsigned long dep_disagreements; /* --deps check: loads whose floors differ */
	bool internal_error;		 /* model out of locations, bad access size ... */
	char internal_msg[160];
};

/* A generator of schedule bytes (random exploration): asked for each decision
 * instead of reading a byte string; the emulator records what it returned, so
 * the execution can be replayed with emu_last_schedule(). */
struct emu_pick_info {
	int cur;		/* the CPU that ran last (0 at the start) */
	bool cur_runnable;	/* then cpus[0] == cur */
	int n;			/* runnable CPUs, >= 1 */
	int cpus[SS_MAX_ROLES]; /* front byte b selects cpus[(b >> 5) % n] */
	unsigned long step;	/* steps so far */
};

struct emu_gen {
	/* A front byte (scheduling). */
	unsigned (*front)(void *ctx);
	/* A back answer k < n for a model choice. */
	unsigned (*back)(void *ctx, enum wmm_choice_kind kind, unsigned n);
	void *ctx;
};

/* A front-byte generator that sees the runnable CPUs (pct, exhaustive). */
typedef unsigned (*emu_pick_fn)(void *ctx, const struct emu_pick_info *pi);

struct emu;

/* ---- create and destroy ------------------------------------------------------------
 *
 * Every function below takes an emulator from emu_create() (never NULL unless
 * said) and none may be called from inside a role (they are the host's). */

/* Creates an emulator for *cfg (copied; a 0 field takes the default its
 * comment gives), with its world (ss_world_create), memory model and one stack
 * per virtual CPU.  Pre: cfg->scn and cfg->alloc set, 1 <= scn->nroles <=
 * SS_MAX_ROLES.  Returns the emulator, or NULL with a one-line message in err
 * (bad config, out of memory, the world could not be made); nothing is left
 * allocated then. */
struct emu *emu_create(const struct emu_config *cfg, char *err, size_t errlen);
/* Frees e, its world, its trace and its schedule buffers.  NULL: nothing. */
void emu_destroy(struct emu *e);
/* The config e runs with: defaults filled in, acfg.ncpus = scn->nroles.  Owned
 * by e, valid until emu_destroy(e). */
const struct emu_config *emu_config_of(const struct emu *e);
/* What virtual CPU cpu waits in at the end of the last execution (one that
 * ended with SS_FAIL_DEADLOCK): EMU_WAITS_NOTHING (finished), a spinlock, a
 * poll for a new value, or synchronize_rcu. */
enum emu_waits { EMU_WAITS_NOTHING, EMU_WAITS_LOCK, EMU_WAITS_POLL, EMU_WAITS_RCU };
enum emu_waits emu_cpu_waits(const struct emu *e, int cpu);
/* The world the roles run in: the same addresses in every execution, its
 * memory as the last execution left it.  Owned by e. */
struct ss_world *emu_world(struct emu *e);

/* ---- execute and replay ------------------------------------------------------------
 *
 * One execution: the world reset, the scenario's reset hook, the roles as
 * virtual CPUs until all return (or a failure, the step bound, a deadlock),
 * then - after a clean run only - the scenario's check hook and the
 * allocator's quiesce on the host.  While the roles run the execution owns the
 * process's dispatch point (kernel/kernel.h: ss_kops, ss_kctx) and the failure
 * hook: one execution at a time per process, none from inside a role.
 *
 * All three return 0 with the verdict in *res (res->kind SS_FAIL_NONE: clean;
 * otherwise the first failure, res->nfail counting the others), or -1 on an
 * internal error (res->internal_error, res->internal_msg: the model ran out of
 * locations, a bad access size, SLABSTRESS_CHECK_RESET found an incomplete
 * reset).  *res is overwritten either way.  With the trace on
 * (emu_set_trace), the execution's steps are then in emu_trace(). */

/* Runs one execution under the schedule bytes sched[0..len) (the format at the
 * top of this file; sched NULL or len 0: the sequentially consistent default
 * run).  A pure function of (config, bytes): the same result in every process. */
int emu_execute(struct emu *e, const u8 *sched, size_t len, struct emu_result *res);
/* Runs one execution whose decisions come from gen (gen->front: scheduling,
 * gen->back: model choices; both non-NULL, answers taken modulo the range).
 * The bytes they amount to are then in emu_last_schedule(). */
int emu_execute_gen(struct emu *e, const struct emu_gen *gen, struct emu_result *res);
/* The same with front bytes from pick(gen->ctx, runnable CPUs) instead of
 * gen->front (pick NULL: emu_execute_gen). */
int emu_execute_pick(struct emu *e, const struct emu_gen *gen, emu_pick_fn pick,
		     struct emu_result *res);
/* The schedule bytes of the last emu_execute_gen/_pick (front stream, then the
 * back stream reversed): emu_execute() on them replays the same run.  *len gets
 * their length.  The buffer belongs to e and changes with the next execution. */
const u8 *emu_last_schedule(const struct emu *e, size_t *len);

/* --deps check: the distinct code sites (per CPU) where explicit and provenance
 * dependencies gave a load different floors, over every execution of e so far.
 * floor_*: the oldest readable message (mo positions; the newer floor is the
 * stronger ordering) at the first such load. */
struct emu_dep_disagreement {
	const struct ss_site *site;
	int cpu;
	unsigned long count;
	uint32_t floor_explicit, floor_provenance, newest;
	bool explicit_weaker; /* explicit allowed an older message than provenance */
};
const struct emu_dep_disagreement *emu_dep_disagreements(const struct emu *e, size_t *n);
/* Prints them (or that there are none); returns how many sites. */
size_t emu_print_dep_disagreements(FILE *f, const struct emu *e);

/* Trace recording for the executions that follow (off by default; ~64 bytes
 * per step).  What was recorded is read through engine/trace.h (emu_trace and
 * the renderers).  Does not change what an execution does. */
void emu_set_trace(struct emu *e, bool on);

/* Data-race candidates (engine/race.h) for the executions that follow: on,
 * every execution notes its kernel/ accesses (a few loads and stores per
 * access, nothing else changes); off (the default), none are noted and the log
 * is freed.  Returns 0, or -1 when out of memory. */
int emu_set_races(struct emu *e, bool on);
/* The candidates so far (NULL when off).  Owned by e. */
const struct race_log *emu_races(const struct emu *e);

/* Schedule bytes as lowercase hex, NUL-terminated.  Pre: buf holds at least
 * 2*len+1 chars. */
void emu_hex(char *buf, const u8 *bytes, size_t len);
/* Parses hex into out[0..cap) (spaces, tabs, newlines and colons between
 * digits allowed); returns the number of bytes, or -1 (odd digit count, a bad
 * character, more than cap bytes). */
long emu_unhex(u8 *out, size_t cap, const char *hex);

/* Trace reading, rendering and address naming: declared apart, included here
 * so that callers of the emulator see one API. */
#include "engine/trace.h"

#endif /* SS_EMU_H */
