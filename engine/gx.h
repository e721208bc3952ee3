/* engine/gx.h - the graph explorer: the executions of a program as
 * execution graphs, in the way of GenMC and TruSt (Kokologiannakis et al.,
 * POPL 2022).
 *
 * The program is whatever calls gx_access(): the emulator's roles in graph mode
 * (engine/wmm_graph.c), or a unit test's straight-line threads.  gx owns the
 * current graph (events, rf, co) and a stack of graphs still to visit.  One
 * execution:
 *
 *   gx_begin()                     the next graph to visit (false: all done)
 *   the program runs from scratch; the driver asks gx_pick() which thread
 *   performs the next access and calls gx_access() for it
 *   gx_end()                       complete / blocked; then the caller checks
 *                                  the graph (gx_to_exg + model/lkmm.h)
 *
 * While the program re-creates the events of the graph being visited (the
 * replay), gx answers each read with the value its rf-write wrote; after that
 * it adds new events:
 *  - a read takes the co-latest write it may read now; every other write it
 *    could read (coherence: not co-before what its thread already saw) becomes
 *    a graph on the stack;
 *  - a write goes co-last; every other co place becomes a graph on the stack,
 *    and so does every *revisit*: an earlier read of the location that is not
 *    in the write's (po | rf)-prefix now reads it, the events added after that
 *    read and outside the prefix deleted, once for every co place of the write;
 *    only when the read and every event deleted were added maximally (TruSt's
 *    condition, gx_revisit.c), so each execution is reached along one path.
 * A set of the graphs pushed keeps a graph from being pushed twice (a safety
 * net; gx_exec_new counts the distinct executions); with gx_set_check, a graph
 * the model refuses is never pushed.
 * Reads read from writes po-before or po-after them: store buffering, 2+2W and
 * the non-multicopy-atomic shapes (WRC, IRIW) all appear.
 *
 * Load buffering (a (po | rf) cycle) needs to know which reads a write depends
 * on.  An access that is not ctrl_exact depends on every earlier read of its
 * thread (ctrl: the code may have branched on any of them), so no cycle
 * through it is consistent, and none is built.  With ctrl_exact accesses, a
 * new write may also revisit a read in its own (po | rf)-prefix (HMC's way,
 * Kokologiannakis and Vafeiadis, ASPLOS 2020): the read reads it, and the
 * events after the read that the write's prefix holds stay, when none of them
 * depends on the read (addr, data, ctrl, through the thread's later reads too):
 * the re-run makes them again as they were.  tests/unit/test_gx.c checks that
 * the consistent executions visited are exactly the consistent candidates:
 * those with an acyclic (po | rf) for conservative programs, all of them for
 * programs whose accesses are ctrl_exact.
 *
 * RMWs: an RMW may read a write another RMW read; the graph is pruned
 * (GX_PRUNED) once its new write's revisits are on the stack.  A lock is an RMW
 * that must read 0; one that reads a held lock (only ever the co-latest write)
 * stays in the graph and its thread waits (GX_WAIT; gx_would_wait says so)
 * until a later unlock's revisit makes it read that unlock.  When that revisit
 * would delete nothing it is made in place (GenMC's in-place lock revisit): the
 * read reads the unlock in the current graph, the lock's write is added, and
 * gx_would_wait turns false; the thread's next call of the lock op reports the
 * acquisition.  A later revisit that deletes the unlock but keeps the read
 * points it back at the held lock (GenMC's lock repair).  A poll read (after gx_relax)
 * needs a write co-after what the last poll read: when there is none,
 * gx_access() returns GX_WAIT without adding anything, and gx_would_wait() /
 * gx_poll_waits() say when the thread may try again.  An execution that ends
 * with a thread waiting is blocked (GenMC's spin assume): not a result, unless
 * every waiter waits for good (gx_waits_for_good): a deadlock, the caller's.
 *
 * Limits: GX_MAX_THREADS threads, GX_MAX_EVENTS events per graph, 16-byte
 * values.  Addresses (keys) identify locations; their initial value is what
 * the first access passes (the same in every execution).
 */
#ifndef SS_GX_H
#define SS_GX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "model/exec.h"

#define GX_MAX_THREADS 8
#define GX_MAX_EVENTS  1024
#define GX_DEPS	       4
#define GX_INIT	       (-1) /* rf of a read of the initial value */

enum gx_op {
	GX_READ,
	GX_WRITE,
	GX_RMW,	    /* read, then (if it succeeds) write, atomically */
	GX_FENCE,   /* a.fence */
	GX_LOCK,    /* spin_lock: an RMW 0 -> 1 that must read 0 */
	GX_TRYLOCK, /* reads 0: acquires as GX_LOCK; reads 1: a failed read */
	GX_UNLOCK,  /* a release write of 0 */
};

/* How an RMW computes its write from the old value (sub-word: off, size). */
enum gx_rmw {
	GX_RMW_XCHG,
	GX_RMW_ADD,
	GX_RMW_AND,
	GX_RMW_OR,
	GX_RMW_CMPXCHG,	   /* stores val iff old == expected */
	GX_RMW_ADD_UNLESS, /* stores old + val iff old != expected */
	GX_RMW_MERGE,	   /* GX_WRITE: a sub-word store of val into bytes [off, off + size) */
};

struct gx_access {
	enum gx_op op;
	uintptr_t key;	   /* the location */
	u128 init;	   /* its initial value */
	u128 val;	   /* GX_WRITE: the value; GX_RMW: the operand */
	u128 expected;	   /* GX_RMW_CMPXCHG / GX_RMW_ADD_UNLESS */
	enum gx_rmw rmw;   /* GX_RMW; GX_WRITE with GX_RMW_MERGE: a sub-word store */
	enum ss_order ord; /* GX_RMW: relaxed, acquire, release, full */
	unsigned off;	   /* sub-word RMW or store: byte offset and size (size 0: whole value) */
	unsigned size;
	unsigned flags; /* GX_READ / GX_WRITE: EVF_ONCE, EVF_ACQUIRE, EVF_RELEASE or EVF_PLAIN */
	unsigned fence; /* GX_FENCE: enum model_fence */
	unsigned ndeps; /* same-thread reads this access depends on (their gx_result.idx) */
	int deps[GX_DEPS];
	bool dep_all;	  /* on every earlier read of the thread */
	bool newest_only; /* read the co-latest write, never anything else (see gx.c) */
	const void *tag;  /* a write's tag (its code site), handed back to its readers */
	/* Control dependencies.  ctrl_exact false (every caller that does not
	 * know its code's branches): every earlier read of the thread orders
	 * this access if it is a write (ctrl), and may decide whether it
	 * happens at all.  ctrl_exact: only the reads with index below
	 * ctrl_upto do (the program branched on them before this access;
	 * engine/gx.h's "Load buffering"). */
	bool ctrl_exact;
	int ctrl_upto;
};

struct gx_result {
	u128 old; /* value read (GX_READ, GX_RMW, locks) */
	bool ok;  /* the RMW / trylock wrote */
	int idx;  /* the read's index among its thread's events (for deps); -1: none */
	/* For traces: the write read (id: 1 + its stamp, 0: the initial value; thr
	 * -1 then), the co-latest write of the location when it was read, and
	 * whether the one read is older (stale); for a write, its id. */
	unsigned src_id, newest_id, write_id;
	int src_thr, newest_thr;
	u128 newest_val;
	const void *src_tag, *newest_tag;
	bool stale;
};

enum gx_status {
	GX_OK,
	GX_WAIT,     /* nothing to read yet: the thread waits (lock, poll) */
	GX_FULL,     /* more than GX_MAX_EVENTS events */
	GX_DIVERGED, /* the program did not re-create the graph being replayed */
	GX_PRUNED,   /* the graph broke atomicity: its revisits are made, stop */
};

struct gx_stats {
	unsigned long long executions; /* graphs visited to the end (complete or blocked) */
	unsigned long long blocked;    /* ... of which ended with a thread waiting */
	unsigned long long pruned;     /* ... of which broke atomicity */
	unsigned long long cut;	       /* RMW alternatives that broke it: never pushed */
	unsigned long long full;       /* ... of which grew past GX_MAX_EVENTS */
	unsigned long long refused;    /* ... of which the check refused once re-created */
	unsigned long long pushed;     /* graphs put on the stack */
	unsigned long long revisits;   /* ... of which by a revisit */
	unsigned long long events;     /* events added, replays included */
	size_t max_stack;	       /* most graphs on the stack at once */
	int max_events;		       /* most events in one graph */
};

struct gx;

/* nthreads <= GX_MAX_THREADS.  max_stack_bytes: memory the stack of graphs
 * may use (0: 1 GiB); NULL on bad arguments or out of memory. */
struct gx *gx_create(int nthreads, size_t max_stack_bytes);
void gx_destroy(struct gx *g);

/* ---- the host: one execution per call --------------------------------------------- */

/* Starts visiting the next graph: true, or false when every graph has been
 * visited (the first call visits the empty graph). */
bool gx_begin(struct gx *g);
/* The program stopped; waiting: some thread could not go on (counted as
 * blocked).  True when the graph is a result: not waiting, not diverged. */
bool gx_end(struct gx *g, bool waiting);
/* The program did not re-create the graph being visited (or the graph grew
 * past GX_MAX_EVENTS): this execution is no result. */
bool gx_diverged(const struct gx *g);
/* The current graph as a model graph (every event, with an initial write per
 * location first; po, rf, co, rmw, addr, data; ctrl: every read to every
 * po-later write, see gx.c).  0, or -1 with err when it has more than
 * REL_MAX_BIG events.  x: about 330 KB, caller-owned. */
int gx_to_exg(const struct gx *g, struct exg *x, char *err, size_t n);
/* The tag (code site) of event i of that graph (x->ev[k].src of gx_to_exg's
 * events); NULL when i is no event. */
const void *gx_event_tag(const struct gx *g, int i);
/* The model's verdict on a graph: called once a graph taken from the stack has
 * been re-created, before anything is added to it; false prunes it and every
 * graph that would grow from it (the model must refuse every extension of a
 * graph it refuses: linux-kernel.cat's axioms, sc and tso do).  NULL: graphs
 * are only checked by the caller at the end. */
void gx_set_check(struct gx *g, bool (*check)(void *ctx, struct gx *g), void *ctx);
/* on: the model refuses every (po | rf) cycle (sc, tso), so no load-buffering
 * revisit is made (each would be refused).  Default off, as for lkmm. */
void gx_set_cycles_refused(struct gx *g, bool on);
/* Sampling instead of exploring: every read takes one of the writes it may
 * read at random, every write one of its co places, nothing is pushed; each
 * execution keeps one of its revisit graphs at random, and the next one starts
 * from it half the time (else from the empty graph), so reads from later writes
 * are sampled too.  gx_begin then never runs out.  seed: the PRNG's. */
void gx_set_sample(struct gx *g, unsigned long long seed);
/* Quick LKMM verdicts on the current graph (or the one gx_set_check's
 * function is asked about), without gx_to_exg (engine/gx_quick.c).
 * gx_refuted_quickly: model/lkmm.h's lkmm_refuted_quickly; true: LKMM refuses
 * the graph.  gx_sc_consistent: acyclic po | rf | co | fr, atomic RMWs and no
 * grace period; true: LKMM allows the graph. */
bool gx_refuted_quickly(const struct gx *g);
bool gx_sc_consistent(const struct gx *g);
/* Both at once: 0 refuted, 1 allowed, -1 neither (the whole check decides). */
int gx_quick_verdict(const struct gx *g);
/* Sampling with every choice from choose(ctx, n) (an answer k < n; larger ones
 * are taken modulo n), asked only where there are n >= 2 options: which ready
 * thread adds the next event (gx_pick: 0 = the thread of the last event, then
 * the others by increasing number), which write a read reads (0 = the
 * co-latest) and where a write goes in co (0 = co-last, then the other places
 * in the order of the graph's writes).  No revisit graph is kept: every
 * execution starts from the empty graph, and a read reads only writes already
 * in the graph (a thread order that runs the write first reaches it).  Turns
 * sampling on (fuzz --engine graph). */
void gx_set_chooser(struct gx *g, unsigned (*choose)(void *ctx, unsigned n), void *ctx);
/* gx_to_exg keeps the events of locations one thread alone uses too (tests). */
void gx_set_whole_graph(struct gx *g, bool on);
/* The stack ran out of memory, or a write had more reads in its prefix to
 * revisit than GX_LB_MAX (load buffering): the exploration is incomplete. */
bool gx_overflowed(const struct gx *g);
const struct gx_stats *gx_stats(const struct gx *g);

/* Is the current graph an execution not seen before by this call (events, rf,
 * co; not the order they were added in)?  Counts distinct executions. */
bool gx_exec_new(struct gx *g);
/* The current graph, one event per line (debugging). */
void gx_dump(const struct gx *g, FILE *f);
/* The current graph as bytes, for a reproducer (malloc'ed; *len): portable
 * little-endian records (engine/gx_save.c); addresses are not kept. */
u8 *gx_save(const struct gx *g, size_t *len);
/* Makes saved bytes the only graph left to visit, with no alternatives made
 * while it runs (a replay).  0, or -1 on bytes gx_save did not make. */
int gx_load(struct gx *g, const u8 *b, size_t len);
/* The replay of a loaded graph diverged where a read of a later write (load
 * buffering) had taken the saved value and the write, re-created, holds
 * another (an address of this process): the read now has the write's value
 * and the graph is the only one left to visit again (true); false: nothing
 * to correct. */
bool gx_reload(struct gx *g);

/* ---- the program: called while it runs ---------------------------------------------- */

/* The thread that performs the next access: while replaying, the one whose
 * event comes next; then the lowest-numbered of `ready` (bit i: thread i can
 * run).  -1 when ready is empty. */
int gx_pick(struct gx *g, unsigned ready);
/* Performs one access of thread thr (see enum gx_status). */
enum gx_status gx_access(struct gx *g, int thr, const struct gx_access *a, struct gx_result *r);
/* Would this lock acquisition / poll read of thr wait now? */
bool gx_would_wait(const struct gx *g, int thr, const struct gx_access *a);
/* Does thr, waiting (a lock acquisition that read a held lock, or a poll with
 * no newer write to read), wait for good in this graph: the lock value it read
 * is its location's co-latest write, or no write follows what the poll read?
 * When every unfinished thread does, the execution is a deadlock (or a hang),
 * not a graph cut by the spin assumption. */
bool gx_waits_for_good(struct gx *g, int thr);
/* The events thread thr has made so far in this execution (an access's
 * ctrl_upto counts them). */
int gx_thread_events(const struct gx *g, int thr);
/* cpu_relax(): thr polls the location of its last read; its next read of that
 * location must read a write co-after the one just read. */
void gx_relax(struct gx *g, int thr);
/* Does thr's next read of key wait for a new write (after gx_relax)? */
bool gx_poll_waits(const struct gx *g, int thr, uintptr_t key, u128 init);
/* The co-latest value of key (init when it has no write yet). */
u128 gx_newest(struct gx *g, uintptr_t key, u128 init);

/* ---- one exploration over several processes (engine/gexplore_jobs.c) ------------ */

/* The graphs on the stack are the roots of parts of the exploration that no
 * other graph's part overlaps (each execution is reached along one path
 * only), so they may be explored apart, in other processes of this binary.
 * GX_GIVEN_MAX: the most bytes a graph given takes. */
#define GX_GIVEN_MAX (24 + GX_MAX_EVENTS * 160)
/* Takes the bottom graph off the stack (the one pushed first: the largest
 * part, in a depth-first search) into buf (GX_GIVEN_MAX bytes) when more than
 * keep graphs are on it: its length, 0 when not. */
size_t gx_give_bottom(struct gx *g, void *buf, size_t keep);
/* Pushes a graph gx_give_bottom gave (in this process or another of this
 * binary, forked from the same one); false out of memory or bad bytes. */
bool gx_take_given(struct gx *g, const void *buf, size_t len);

/* ---- a stopped exploration: the stack in a file (engine/gx_state.c) -------------- */

/* What a state file holds besides the stack: the run's parameters ("param NAME
 * VALUE\n" lines, gx_state_add_param) and named counters.  gx_state_read also
 * keeps the file's bytes (free with gx_state_free). */
#define GX_STATE_MAX_COUNTS 40
struct gx_state {
	char params[2048];
	int ncounts;
	char count_name[GX_STATE_MAX_COUNTS][40];
	unsigned long long count[GX_STATE_MAX_COUNTS];
	size_t ngraphs; /* read: graphs on the saved stack */
	u8 *buf;	/* read: the file */
	size_t graphs_off, graphs_len;
	size_t seen_off, nseen, done_off, ndone; /* read: the hash sets */
};

void gx_state_add_param(struct gx_state *s, const char *name, const char *value);
void gx_state_set_count(struct gx_state *s, const char *name, unsigned long long v);
/* The counter name (0 when the file has none). */
unsigned long long gx_state_count(const struct gx_state *s, const char *name);
/* Graphs on the stack now. */
size_t gx_stack_size(const struct gx *g);
/* Writes s (parameters, counters) and g's stack to path, atomically (a temporary
 * file renamed over it).  0, or -1 with err. */
int gx_state_save(const struct gx *g, const struct gx_state *s, const char *path, char *err,
		  size_t n);
/* Reads and checks a state file (format, this binary's version, checksum, graphs
 * of nthreads threads).  0, or -1 with err: one line saying what is wrong with
 * it, to follow the file's name. */
int gx_state_read(const char *path, int nthreads, struct gx_state *s, char *err, size_t n);
/* 0 when s was written with run's parameters, else -1 with err naming the first
 * one that differs and what s holds. */
int gx_state_match(const struct gx_state *s, const struct gx_state *run, char *err, size_t n);
/* Puts s's stack on g (a fresh gx: the empty graph counts as visited); its
 * graphs then make their alternatives as any other.  0, or -1. */
int gx_state_load(struct gx *g, const struct gx_state *s);
void gx_state_free(struct gx_state *s);

#endif /* SS_GX_H */
