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
	enum emu_deps deps;    /* default: explicit */
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

/* NULL with a message in err on failure (bad config, out of memory). */
struct emu *emu_create(const struct emu_config *cfg, char *err, size_t errlen);
void emu_destroy(struct emu *e);
const struct emu_config *emu_config_of(const struct emu *e);
struct ss_world *emu_world(struct emu *e);

/* Runs one execution under sched[0..len).  Returns 0 (the verdict is in *res) or
 * -1 on an internal error (res->internal_msg). */
int emu_execute(struct emu *e, const u8 *sched, size_t len, struct emu_result *res);
/* Runs one execution whose decisions come from gen; the bytes it produced are
 * then available from emu_last_schedule(). */
int emu_execute_gen(struct emu *e, const struct emu_gen *gen, struct emu_result *res);
/* The same with front bytes from pick(gen->ctx, ...) instead of gen->front. */
int emu_execute_pick(struct emu *e, const struct emu_gen *gen, emu_pick_fn pick,
		     struct emu_result *res);
/* The schedule bytes of the last emu_execute_gen() (front stream, then the back
 * stream reversed): replaying them with emu_execute() gives the same run.  The
 * buffer belongs to e and changes with the next execution. */
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

/* Trace recording (off by default; costs ~64 bytes per step). */
void emu_set_trace(struct emu *e, bool on);

/* One recorded step. */
enum emu_op {
	EMU_OP_LOAD,
	EMU_OP_STORE,
	EMU_OP_RMW,
	EMU_OP_CAS128,
	EMU_OP_FENCE,
	EMU_OP_LOCK,
	EMU_OP_TRYLOCK,
	EMU_OP_UNLOCK,
	EMU_OP_RELAX,
	EMU_OP_BLOCK,
	EMU_OP_RCU,
};

#define EMU_TR_STALE	 0x01u /* load read an older message than the newest */
#define EMU_TR_FORWARDED 0x02u /* load read the CPU's own buffered store */
#define EMU_TR_DEP	 0x04u /* access was declared / inferred dependent on loads */
#define EMU_TR_FAILED	 0x08u /* conditional RMW / trylock failed */
#define EMU_TR_ACQ	 0x10u
#define EMU_TR_REL	 0x20u
#define EMU_TR_FULL	 0x40u
#define EMU_TR_EXTRA	 0x80u /* fence inserted by emu_config.fences */

struct emu_trace_ent {
	uint32_t step;
	uint8_t cpu, op, size, flags;
	uint8_t sub;	   /* fence kind, rmw op, access kind */
	int8_t rf_cpu;	   /* writer of the value read; -1: initial value */
	int8_t newest_cpu; /* writer of the newest message (stale loads) */
	uint8_t nchoices;
	uint32_t store_id; /* stores: id; loads: id of the store read */
	uint32_t newest_store_id;
	const struct ss_site *site;
	const struct ss_site *rf_site;	   /* loads: site of the store read */
	const struct ss_site *newest_site; /* stale loads: site of the newest store */
	u64 val;			   /* loads: value read; stores: value written */
	u64 newest_val;
	uintptr_t addr;	  /* loads, stores, RMWs: the 8-byte word accessed */
	uint32_t handle;  /* loads (lkmm): the load's dependency handle */
	uint8_t ndeps;	  /* EMU_TR_DEP: handles in deps (0xff: all) */
	uint32_t deps[4]; /* handles of the loads it depends on */
};

const struct emu_trace_ent *emu_trace(const struct emu *e, size_t *n);

/* The interesting part of the last traced execution in two or more columns, one
 * per CPU: stale loads (with the store they missed), the stores they missed,
 * accesses at the failure's site, fences, full-barrier RMWs, blocking, and the
 * failure line.  full: every step. */
void emu_print_trace(FILE *f, const struct emu *e, const struct emu_result *res, bool full);
/* One entry as the text of its column cell (values region-named). */
void emu_trace_cell(const struct emu *e, const struct emu_trace_ent *t, char *buf, size_t n);
/* For a stale load at trace index i: the index of the store it missed (-1:
 * unknown), and the nearest earlier read of the same CPU that read a store the
 * missed store's CPU made after the missed one (the reordered pair; -1: none). */
long emu_trace_missed(const struct emu *e, size_t i);
long emu_trace_newer_po(const struct emu *e, size_t i);
/* The same selection as JSON-friendly records: calls fn for each shown entry
 * (index into emu_trace()) in order; returns how many. */
size_t emu_trace_select(const struct emu *e, const struct emu_result *res, bool full,
			void (*fn)(void *ctx, size_t idx), void *ctx);

/* Address naming for traces: values and addresses inside a registered region
 * print as "name+0xoff" (or "name[i]+0xoff" with elem_size), so traces are the
 * same in every process (no ASLR addresses).  Regions are kept until
 * emu_destroy; at most 32. */
void emu_add_region(struct emu *e, uintptr_t base, size_t len, size_t elem_size, const char *name);
/* The elements of region `name` are arrays of sub_size-byte entries called
 * sub_name: addresses print as &vec[0].ext[1] (+ offset inside the entry). */
void emu_region_entries(struct emu *e, const char *name, size_t sub_size, const char *sub_name);
/* Writes a value: a region-relative name when v points into a region, else
 * hex.  Returns buf. */
const char *emu_name_value(const struct emu *e, u64 v, char *buf, size_t n);
/* Rewrites every 0x... number in msg that points into a region (messages of
 * failures) into out. */
void emu_name_message(const struct emu *e, const char *msg, char *out, size_t n);
/* The location name of a site for traces ("slab->stride" for the model's
 * width-split "slab->stride16"). */
const char *emu_site_expr(const struct ss_site *s);

/* Schedule bytes as lowercase hex (buf of at least 2*len+1 chars). */
void emu_hex(char *buf, const u8 *bytes, size_t len);
/* Parses hex (whitespace allowed); returns the length or -1. */
long emu_unhex(u8 *out, size_t cap, const char *hex);

#endif /* SS_EMU_H */
