/* model/exec.h - one candidate execution as an event graph: events (reads,
 * writes, fences) with their annotations, and the base relations a cat model
 * starts from (po, loc, int/ext, addr/data/ctrl, rmw; rf and co of the
 * candidate).  litmus/graph.c builds these from a litmus program,
 * engine/graph_build.c from a traced emulator execution; the unit tests build
 * them by hand.  The models (model/lkmm.c, model/axioms.c) only read it.
 *
 * Conventions, as in herd7: initial writes (IW) come first and belong to no
 * thread (every edge from them is external); po is the order of events of one
 * thread in the order they were added; lock operations are the lock.cat events
 * LKR/LKW (an rmw pair reading 0, writing 1), UL (a release write of 0) and LF
 * (a failed trylock: a read of 1), so the value-based rf/co of a lock word gives
 * exactly lock.cat's executions.
 */
#ifndef SS_MODEL_EXEC_H
#define SS_MODEL_EXEC_H

#include "model/rel.h"

enum ev_kind { EV_R = 1, EV_W = 2, EV_F = 4 };

/* Fence events by linux-kernel.def kind (litmus/litmus.h's enum lit_fence has
 * the same values; litmus/graph.c checks so). */
enum model_fence {
	MF_NONE,
	MF_MB,
	MF_WMB,
	MF_RMB,
	MF_BEFORE_ATOMIC,
	MF_AFTER_ATOMIC,
	MF_AFTER_SPINLOCK,
	MF_AFTER_UNLOCK_LOCK,
	MF_BARRIER,
	MF_RCU_LOCK,
	MF_RCU_UNLOCK,
	MF_SYNC_RCU,
	MF_AFTER_SRCU_READ_UNLOCK,
	MF_SYNC_SRCU, /* synchronize_srcu(a): an event of location a */
	MF_NKINDS,
};

/* Annotations (linux-kernel.bell tags, lock.cat classes). */
enum ev_flag {
	EVF_ONCE = 1 << 0,     /* READ_ONCE / WRITE_ONCE and friends ('once) */
	EVF_ACQUIRE = 1 << 1,  /* Acquire (read side only; not on a failed RMW) */
	EVF_RELEASE = 1 << 2,  /* Release (write side only; not on a failed RMW) */
	EVF_MB = 1 << 3,       /* Mb tag of a successful full-barrier RMW (lkmmv1) */
	EVF_NORETURN = 1 << 4, /* read of a non-value-returning RMW */
	EVF_RMW = 1 << 5,      /* event of an RMW instruction (failed ones included) */
	EVF_LKR = 1 << 6,
	EVF_LKW = 1 << 7,
	EVF_UL = 1 << 8,
	EVF_LF = 1 << 9,
	EVF_IW = 1 << 10,	   /* initial write */
	EVF_PLAIN = 1 << 11,	   /* an unmarked access (plain C) */
	EVF_SRCU_LOCK = 1 << 12,   /* srcu_read_lock: a read of the srcu_struct */
	EVF_SRCU_UNLOCK = 1 << 13, /* srcu_read_unlock: a write of it */
};

struct ev {
	unsigned char kind;  /* enum ev_kind */
	unsigned char fence; /* EV_F: enum model_fence */
	signed char thr;     /* -1: initial write */
	short loc;	     /* -1: fence (but synchronize_srcu: its srcu_struct) */
	long long val;
	unsigned flags; /* enum ev_flag */
	int src;	/* the event's index in what it was built from: the explorer's graph
			 * (gx_to_exg), the trace (graph_build); -1 */
};

struct exg {
	int n, nthreads;
	int cap; /* most events (exg_init: REL_MAX; exg_init_cap: up to REL_MAX_BIG) */
	struct ev ev[REL_MAX_BIG];
	/* event sets (exg_finish) */
	set_t R, W, F, M, IW, marked, plain, noreturn, acquire, release, mbtag, rmwset;
	set_t lkr, lkw, ul, lf;
	set_t srcu_lock, srcu_unlock;
	set_t fk[MF_NKINDS]; /* fences by kind */
	/* base relations: po, loc, int, ext by exg_finish; deps, rmw, rf, co given */
	struct rel po, loc, intr, ext, addr, data, ctrl, rmw, rf, co;
};

/* An empty graph of at most REL_MAX events (a litmus candidate). */
void exg_init(struct exg *g);
/* An empty graph of at most cap (<= REL_MAX_BIG) events; the relations' rows
 * are as wide as cap needs.  A struct exg is about 330 KB: keep it off small
 * stacks. */
void exg_init_cap(struct exg *g, int cap);
/* Appends an event; thr -1 for an initial write.  -1 when the graph is full. */
int exg_add(struct exg *g, int thr, enum ev_kind kind, int loc, long long val, unsigned flags,
	    enum model_fence fence);
/* Derives the sets and po/loc/int/ext; closes co transitively.  Call after
 * every event, dependency, rmw, rf and co edge is in. */
void exg_finish(struct exg *g);

/* The write read r reads (an initial write included), -1 for none. */
int exg_rf_source(const struct exg *g, int r);
/* The other event of i's RMW (its write for its read, and back), -1 for none. */
int exg_rmw_partner(const struct exg *g, int i);
/* Is e a lock operation (lock.cat's LKR, LKW, UL, LF)? */
static inline bool exg_is_lock_op(const struct ev *e)
{
	return (e->flags & (EVF_LKR | EVF_LKW | EVF_UL | EVF_LF)) != 0;
}

#endif /* SS_MODEL_EXEC_H */
