/* engine/gx_impl.h - the graph explorer's own data (engine/gx.h): the event,
 * the graph, the stack item and the explorer.  Only engine/gx*.c include it:
 * the files that extend the explorer see the same structures as gx.c. */
#ifndef SS_GX_IMPL_H
#define SS_GX_IMPL_H

#include "engine/gx.h"

struct gx_event {
	u128 val;		/* R: the value read; W: the value written */
	u128 operand, expected; /* RMW read: how its write is computed */
	uintptr_t key;
	int stamp;
	int rf;	      /* R: index of its write in ev[], GX_INIT */
	int co;	      /* W: rank in co */
	int poll_src; /* R after gx_relax: must read co-after this write (GX_INIT ok); -2: none */
	unsigned flags;
	short idx; /* among its thread's events */
	signed char thr;
	unsigned char kind; /* EV_R / EV_W / EV_F */
	unsigned char fence;
	unsigned char op;  /* enum gx_op of the access */
	unsigned char rmw; /* enum gx_rmw (RMW reads) */
	unsigned char off, size;
	unsigned char ndeps;
	bool dep_all, newest_only;
	bool paired;	 /* the read and the write of one RMW */
	const void *tag; /* a write's tag (not saved: see gx_save) */
	short deps[GX_DEPS];
};

struct gx_graph {
	int n;
	int next_stamp;
	int next_rank;
	struct gx_event ev[GX_MAX_EVENTS];
};

struct gx_item {
	struct gx_item *next;
	int n, next_stamp, next_rank;
	struct gx_event ev[];
};

#define SEEN_MIN 4096

struct hset {
	uint64_t *t;
	size_t n, cap;
};

struct gx {
	int nthreads;
	struct gx_graph cur;
	int rpos; /* events re-created so far */
	bool first, diverged, full;
	bool dead;    /* atomicity broken: pruned */
	bool no_push; /* replaying a saved graph: no alternatives */
	bool whole;   /* gx_to_exg keeps every event (gx_set_whole_graph) */
	/* gx_set_check: the model's verdict on a graph once it is re-created */
	bool (*check)(void *ctx, struct gx *g);
	void *check_ctx;
	const struct gx_graph *view; /* what gx_to_exg converts (NULL: cur) */
	/* gx_set_sample: random choices instead of the stack; one revisit graph
	 * of each execution kept (reservoir) as a start for the next */
	bool sample;
	uint64_t rng;
	struct gx_item *next;
	unsigned long long nrev;
	bool stuck[GX_MAX_THREADS]; /* read a held lock: waits for good */
	/* per thread, this execution */
	int nev[GX_MAX_THREADS];
	int last_read[GX_MAX_THREADS]; /* its last read (index), -1 */
	int poll_src[GX_MAX_THREADS];  /* after gx_relax: the write to exceed; -2: none */
	uintptr_t poll_key[GX_MAX_THREADS];
	/* the stack */
	struct gx_item *stack;
	size_t depth, stack_bytes, max_stack_bytes;
	bool overflowed;
	/* graphs already pushed (open addressing; 0 = empty) */
	struct hset seen; /* graphs pushed */
	struct hset done; /* executions finished (gx_exec_new) */
	struct gx_stats st;
	/* gx_set_chooser: sampling choices from choose instead of the PRNG */
	unsigned (*choose)(void *ctx, unsigned n);
	void *choose_ctx;
};

#endif /* SS_GX_IMPL_H */
