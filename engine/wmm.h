/* engine/wmm.h - the weak-memory models (sc, tso, lkmm) as a pure state machine.
 *
 * No scheduling and no coroutines live here: a driver (engine/emu.c for virtual
 * CPUs, litmus/run.c for litmus threads) calls one operation per CPU step and the
 * model answers what a load returns.  Every point where the model may pick one
 * of several permitted behaviours asks the driver's choose() callback; answer 0
 * is always the "strongest" behaviour (read the newest message, commit buffered
 * stores now), so a driver that always answers 0 gets a sequentially consistent
 * run.  The same sequence of answers gives the same execution (deterministic).
 *
 * The lkmm model is "LKVM" base mode of ../shared/reference/memory-model.md:
 * per-location histories in coherence order (= commit order, append-only),
 * per-CPU views cur/obs/obsR/rel/ownW, per-CPU store buffers that commit in
 * per-location FIFO order, a global view G for strong fences, and transitive
 * per-load "knowledge" floors for address dependencies (§1.6).  It is designed
 * to under-approximate LKMM: every outcome it produces is LKMM-allowed (no false
 * alarms); it misses LB-class shapes, S+wmb+po, 2+2W+wmbs/rels and the
 * non-multicopy-atomic WRC variants.
 *
 * Locations are dense indices handed out by wmm_loc() for an address key.
 * Histories are bounded rings (history messages per location); when a ring is
 * full the oldest message is evicted and every view that still pointed at it is
 * treated as pointing at the oldest retained one (forced propagation: only
 * removes choices, so it stays sound).  All memory is allocated by wmm_create();
 * every operation is allocation-free.
 */
#ifndef SS_WMM_H
#define SS_WMM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

enum wmm_model {
	WMM_SC,	  /* every load reads the newest message, stores commit at once */
	WMM_TSO,  /* x86-TSO: FIFO store buffer, forwarding, locked RMW/mb drain */
	WMM_LKMM, /* LKVM base mode (memory-model.md §1) */
};

/* Kinds of choices the model asks the driver about. */
enum wmm_choice_kind {
	/* Which message a load reads: 0 = newest, k = k-th older (towards the
	 * CPU's floor).  nchoices >= 2. */
	WMM_CHOICE_READ,
	/* wmm_commit_choice(): 0 = commit every buffered store now, 1 = keep them
	 * all buffered for now, k >= 2 = commit only the (k-2)-th committable
	 * entry (the oldest pending store of some location). */
	WMM_CHOICE_COMMIT,
};

/* Answers outside [0, nchoices) are taken modulo nchoices. */
typedef unsigned (*wmm_choose_fn)(void *ctx, int cpu, enum wmm_choice_kind kind, unsigned nchoices);

/* Limits. */
#define WMM_MAX_CPUS	64 /* = SS_MAX_CPUS */
#define WMM_SB_MAX	8  /* store-buffer entries per CPU (full: oldest commits) */
#define WMM_KNOW_RING	16 /* dependency handles kept per CPU (older: sound fallback) */
#define WMM_DEP_MAX	4  /* handles one access may depend on */
#define WMM_HISTORY_MAX 64 /* messages per location ring */

/* An extra RMW operation beside enum ss_rmw_op: store old + operand iff
 * old != expected (atomic_add_unless / atomic_inc_not_zero); *ok says whether
 * it stored.  Like a failed cmpxchg, the failing case is a plain load. */
#define WMM_RMW_ADD_UNLESS ((enum ss_rmw_op)64)

/* "This access is address-dependent on these loads."  Handles come from
 * wmm_read_info.dep of earlier loads of the same CPU; 0 entries are ignored.
 * all = depend on every earlier load of the CPU (triage mode, or too many
 * sources).  Pass NULL for an independent access. */
struct wmm_dep {
	unsigned n;
	uint32_t h[WMM_DEP_MAX];
	bool all;
};

/* What a load (or the read half of an RMW / lock) read, for traces. */
struct wmm_read_info {
	u64 val;	   /* value read (low 64 bits for 16-byte locations) */
	int writer_cpu;	   /* CPU whose store was read; -1: initial value */
	uint32_t store_id; /* id of that store (wmm_store's return); 0: initial */
	const void *tag;   /* the tag given with that store (e.g. its code site) */
	uint32_t mo_pos;   /* its position in the location's coherence order */
	bool forwarded;	   /* read from the CPU's own store buffer */
	bool stale;	   /* not the newest committed message */
	unsigned nchoices; /* how many messages the load could have read */
	/* The newest committed message at that moment (== the one read unless stale). */
	u64 newest_val;
	int newest_cpu;
	uint32_t newest_store_id;
	const void *newest_tag;
	/* Knowledge handle of this load, for dependent accesses (struct wmm_dep). */
	uint32_t dep;
};

/* Statistics (cheap counters, for bench and coverage). */
struct wmm_stats {
	u64 loads, stores, rmws, fences, commits, stale_reads, evictions, forced_commits;
};

struct wmm;

/* ---- lifetime ------------------------------------------------------------------- */

/* ncpus <= WMM_MAX_CPUS; max_locs: distinct locations one execution may touch;
 * history: ring size per location (4..WMM_HISTORY_MAX; 4..8 is the intended
 * range for the emulator).  NULL on bad arguments or out of memory. */
struct wmm *wmm_create(enum wmm_model m, int ncpus, int max_locs, int history);
/* Back to empty: no locations, empty buffers, zero views.  No allocation; cost
 * proportional to what the last execution used. */
void wmm_reset(struct wmm *w);
void wmm_destroy(struct wmm *w);

void wmm_set_chooser(struct wmm *w, wmm_choose_fn choose, void *ctx);
enum wmm_model wmm_model_of(const struct wmm *w);
const char *wmm_model_name(enum wmm_model m);
/* "sc", "tso", "lkmm" -> 0 and *m; else -1. */
int wmm_model_parse(const char *name, enum wmm_model *m);

/* ---- locations ------------------------------------------------------------------ */

/* Dense index of the location with this address key, created on first use with
 * the given initial value (the initial message, mo position 0, writer -1).
 * size: 1, 2, 4, 8 or 16 (informational; values are kept as given).  -1 when
 * max_locs locations already exist. */
int wmm_loc(struct wmm *w, uintptr_t addr, unsigned size, u64 initial);
/* The same for a 16-byte location with a full 128-bit initial value. */
int wmm_loc128(struct wmm *w, uintptr_t addr, u128 initial);
/* Index of an existing location, or -1. */
int wmm_loc_find(const struct wmm *w, uintptr_t addr);
int wmm_nlocs(const struct wmm *w);
uintptr_t wmm_loc_addr(const struct wmm *w, int loc);
/* Value of the newest committed message (ignores store buffers). */
u64 wmm_newest(const struct wmm *w, int loc);
/* Number of messages ever committed to loc (grows by one per commit): a driver
 * blocked on loc can compare it to decide whether something new arrived. */
uint32_t wmm_loc_version(const struct wmm *w, int loc);

/* ---- accesses (cpu in [0, ncpus)) --------------------------------------------------- */

/* The oldest mo position a load of loc by cpu with dependency dep could read now
 * (the per-access floor of §1.6, before the poll rule); the newest message's
 * position under sc/tso; UINT32_MAX when the load would be forwarded from the
 * CPU's store buffer.  Pure: for comparing two dependency sets. */
uint32_t wmm_dep_floor(const struct wmm *w, int cpu, int loc, const struct wmm_dep *dep);
/* acc: SS_ACC_PLAIN / ONCE (relaxed load), ACQUIRE.  dep: NULL or the loads this
 * address depends on.  out: may be NULL.  tag: opaque (the code site); graph
 * mode keeps it on the read's event (gx_event_tag: data races name both sides). */
u64 wmm_load(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
	     struct wmm_read_info *out, const void *tag);
/* acc: PLAIN / ONCE (buffered), RELEASE (drain first, carries everything the CPU
 * observed).  tag: opaque, returned in read infos of readers (e.g. code site).
 * Returns the store id (>= 1). */
uint32_t wmm_store(struct wmm *w, int cpu, int loc, u64 val, enum ss_access acc, const void *tag);
/* wmm_store with dep: the loads the store's address depends on (NULL: none).
 * Graph mode makes them the write's addr edges (LKMM's w-pre-bounded: a plain
 * store through a pointer read with a marked load is bounded by it); the
 * operational models already order every store after its CPU's loads and
 * ignore it. */
uint32_t wmm_store_dep(struct wmm *w, int cpu, int loc, u64 val, enum ss_access acc,
		       const struct wmm_dep *dep, const void *tag);
/* Atomic read-modify-write on the mo-newest message.  op: ss_rmw_op or
 * WMM_RMW_ADD_UNLESS; for SS_RMW_CMPXCHG, stores operand iff old == expected.
 * ord: RELAXED / ACQUIRE / RELEASE / FULL (= mb; rmw; mb).  A failing cmpxchg /
 * add_unless is a plain load (no ordering).  Returns the old value; *ok (may be
 * NULL) says whether the write happened. */
u64 wmm_rmw(struct wmm *w, int cpu, int loc, enum ss_rmw_op op, u64 operand, u64 expected,
	    enum ss_order ord, bool *ok, struct wmm_read_info *out, const void *tag);
void wmm_fence(struct wmm *w, int cpu, enum ss_fence f);

/* 16-byte locations (SLUB's freelist+counters double word): whole-value load
 * and cmpxchg, same rules as the 8-byte forms. */
u128 wmm_load128(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
		 struct wmm_read_info *out, const void *tag);
void wmm_store128(struct wmm *w, int cpu, int loc, u128 val, enum ss_access acc, const void *tag);
bool wmm_cmpxchg128(struct wmm *w, int cpu, int loc, u128 *old, u128 new_val, enum ss_order ord,
		    struct wmm_read_info *out, const void *tag);

/* ---- spinlocks (a location whose value is 0 when unlocked) ---------------------- */

/* Would spin_lock block now (newest message of loc is locked)?  The driver
 * must not call wmm_lock then; it retries once wmm_loc_version() changes. */
bool wmm_lock_would_block(const struct wmm *w, int loc);
/* Drain; acquire-RMW 0 -> 1 on the newest message; after an earlier unlock of
 * this CPU also cur |= obs, rel |= ownW (po-unlock-lock-po).  Returns false
 * (and changes nothing) when it would block. */
bool wmm_lock(struct wmm *w, int cpu, int loc, const void *tag);
/* Success: as wmm_lock.  Failure (locked): a plain load of the newest message. */
bool wmm_trylock(struct wmm *w, int cpu, int loc, const void *tag);
/* The same; *dep: the knowledge handle of a failed attempt's load (0 on success
 * or outside lkmm), for accesses that depend on the returned value. */
bool wmm_trylock_dep(struct wmm *w, int cpu, int loc, const void *tag, uint32_t *dep);
/* Drain; release store of 0, committed at once. */
void wmm_unlock(struct wmm *w, int cpu, int loc, const void *tag);

/* ---- spin loops ------------------------------------------------------------------- */

/* cpu_relax() hint: the CPU is polling the location of its last load.  Its next
 * load of that location must read a message newer than the one just read;
 * until one exists wmm_poll_blocked() is true and the driver should not run
 * the CPU (sound: removes choices; guarantees progress). */
void wmm_relax(struct wmm *w, int cpu);
bool wmm_poll_blocked(const struct wmm *w, int cpu);

/* ---- store buffers ---------------------------------------------------------------- */

bool wmm_has_buffered(const struct wmm *w, int cpu);
/* Entries that may commit now (oldest pending store of their location; under
 * tso only the oldest entry). */
unsigned wmm_ncommittable(const struct wmm *w, int cpu);
/* Commit the k-th committable entry (k < wmm_ncommittable). */
void wmm_commit(struct wmm *w, int cpu, unsigned k);
/* One commit decision via choose(WMM_CHOICE_COMMIT, 2 + ncommittable); no-op
 * (and no question) when the buffer is empty.  Call it before each step of a
 * CPU with buffered stores. */
void wmm_commit_choice(struct wmm *w, int cpu);
/* Commit every buffered store of cpu, in program order. */
void wmm_drain(struct wmm *w, int cpu);
/* Same for every CPU (end of an execution). */
void wmm_drain_all(struct wmm *w);

/* ---- graph mode (engine/wmm_graph.c) ------------------------------------------------ */

struct gx;

/* Attaches a graph explorer (engine/gx.h): from now on every access is an event
 * of gx's graph and gx decides what loads return; nothing is buffered (the
 * store-buffer operations do nothing) and "newest" is the co-latest write.
 * stop(ctx) is called when gx cannot go on with the execution (it pruned it,
 * the program did not re-create the graph, the graph is full) and must not
 * return.  gx NULL: back to the model's own rules. */
void wmm_set_graph(struct wmm *w, struct gx *gx, void (*stop)(void *ctx), void *ctx);
bool wmm_graph_on(const struct wmm *w);
/* Graph mode: the scenario declares its branches (struct ss_scenario's
 * branches_declared), so an access depends (ctrl) only on the loads before
 * its CPU's last branch point (wmm_branch; kernel/kernel.h's enum ss_branch).
 * Off: on every earlier load.  Nothing changes in the other modes. */
void wmm_set_branches_declared(struct wmm *w, bool on);
void wmm_branch(struct wmm *w, int cpu, int how);
/* Would cpu's spin_lock of loc wait now?  (wmm_lock_would_block outside graph
 * mode, where it does not depend on the CPU.) */
bool wmm_lock_blocked(const struct wmm *w, int cpu, int loc);
/* Graph mode only: a sub-word RMW (size bytes at byte offset off of the word
 * at loc; operand and expected are sub-word values), and a sub-word store (an
 * RMW of the word that replaces the bytes, marked as acc says, dep its
 * address's dependencies as for wmm_store_dep; returns the write's id, as
 * wmm_store). */
u64 wmm_rmw_sub(struct wmm *w, int cpu, int loc, enum ss_rmw_op op, u64 operand, u64 expected,
		unsigned off, unsigned size, enum ss_order ord, bool *ok, struct wmm_read_info *out,
		const void *tag);
uint32_t wmm_store_sub(struct wmm *w, int cpu, int loc, u64 val, unsigned off, unsigned size,
		       enum ss_access acc, const struct wmm_dep *dep, const void *tag);
/* Graph mode only: wmm_rmw that reads the co-latest write and nothing else
 * (the two words of a 16-byte cmpxchg). */
u64 wmm_rmw_newest(struct wmm *w, int cpu, int loc, enum ss_rmw_op op, u64 operand, u64 expected,
		   enum ss_order ord, bool *ok, struct wmm_read_info *out, const void *tag);

/* ---- inspection ------------------------------------------------------------------- */

/* Hash of the model state, ignoring ids, tags and statistics, so that two
 * interleavings that reach equivalent states hash equal (exhaustive
 * exploration prunes on it). */
u64 wmm_state_hash(const struct wmm *w, u64 seed);
const struct wmm_stats *wmm_stats(const struct wmm *w);

#endif /* SS_WMM_H */
