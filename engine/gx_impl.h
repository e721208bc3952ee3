/* engine/gx_impl.h - the graph explorer's own data (engine/gx.h): the event,
 * the graph, the stack item and the explorer.  Only engine/gx*.c include it:
 * the files that extend the explorer see the same structures as gx.c. */
#ifndef SS_GX_IMPL_H
#define SS_GX_IMPL_H

#include <string.h>

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
	/* ctrl: the reads of its thread with idx below it order it (if it is a
	 * write) and may decide whether it happens; GX_CTRL_ALL: every earlier
	 * one (gx_access's ctrl_exact false) */
	short ctrl_upto;
	signed char thr;
	unsigned char kind; /* EV_R / EV_W / EV_F */
	unsigned char fence;
	unsigned char op;  /* enum gx_op of the access */
	unsigned char rmw; /* enum gx_rmw (RMW reads) */
	unsigned char off, size;
	unsigned char ndeps;
	bool dep_all, newest_only;
	bool paired; /* the read and the write of one RMW */
	/* TruSt's maximality (gx_revisit.c): an alternative pushed when added (a
	 * read not reading the co-latest write, a write not going co-last), and
	 * an event in the prefix of a write that revisited (never revisited again) */
	bool alt_added, settled;
	const void *tag; /* a write's tag (not saved: see gx_save) */
	short deps[GX_DEPS];
};

#define GX_CTRL_ALL 0x7fff
/* The most reads in a new write's prefix it may revisit at once (load
 * buffering, gx_revisit.c): every set of them is a revisit. */
#define GX_LB_MAX 6

/* Does event e of a thread depend (ctrl) on that thread's read of index idx? */
static inline bool gx_ctrl_on(const struct gx_event *e, int idx)
{
	return idx < e->ctrl_upto && idx < e->idx;
}

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

/* Numbers the locations of one graph: gx_loc_id gives key its number, a new
 * one (the next) the first time; the numbers start again at each
 * gx_loc_reset (a generation count: nothing to clear).  Open addressing over
 * twice GX_MAX_EVENTS slots, so a graph's keys always fit; a slot's key, gen
 * and id share a cache line. */
struct gx_locmap {
	struct gx_locslot {
		uintptr_t key;
		unsigned gen;
		int id;
	} slot[2 * GX_MAX_EVENTS];
	unsigned cur;
	int n;
};

static inline void gx_loc_reset(struct gx_locmap *m)
{
	if (++m->cur == 0) { /* wrapped: no slot may look current */
		for (int k = 0; k < 2 * GX_MAX_EVENTS; k++)
			m->slot[k].gen = 0;
		m->cur = 1;
	}
	m->n = 0;
}

static inline unsigned gx_loc_slot(uintptr_t key)
{
	return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 40) & (2 * GX_MAX_EVENTS - 1);
}

static inline int gx_loc_id(struct gx_locmap *m, uintptr_t key)
{
	if (!m->cur) /* never reset: zeroed slots would all look current */
		gx_loc_reset(m);
	unsigned k = gx_loc_slot(key);
	while (m->slot[k].gen == m->cur) {
		if (m->slot[k].key == key)
			return m->slot[k].id;
		k = (k + 1) & (2 * GX_MAX_EVENTS - 1);
	}
	m->slot[k].gen = m->cur;
	m->slot[k].key = key;
	return m->slot[k].id = m->n++;
}

/* key's number, or -1 when it has none (nothing added). */
static inline int gx_loc_find(const struct gx_locmap *m, uintptr_t key)
{
	if (!m->cur)
		return -1;
	for (unsigned k = gx_loc_slot(key); m->slot[k].gen == m->cur;
	     k = (k + 1) & (2 * GX_MAX_EVENTS - 1))
		if (m->slot[k].key == key)
			return m->slot[k].id;
	return -1;
}
/* Per-location indexes of the current graph (engine/gx_index.c): valid
 * false until rebuilt from ev[].  Locations are numbered by map; event
 * indices, -1 for none. */
struct gx_ix_event {
	int loc;	      /* its location (-1: a fence) */
	int co_prev, co_next; /* a write: the writes before and after it in co */
	int ev_next;	      /* a write: the next write of its location in ev[] */
};

struct gx_ix_location {
	int co_first, co_last; /* its writes in co order */
	int ev_first, ev_last; /* its writes in ev[] order */
	int broken;	       /* its RMWs that break atomicity */
	unsigned readers;      /* bit t: thread t has a read of it a write may revisit */
	/* per thread: the write (GX_INIT) whose rank is the thread's coherence
	 * floor here; -2: none */
	int floor[GX_MAX_THREADS];
};

struct gx_ix {
	bool valid;
	struct gx_locmap map;
	uintptr_t last_key; /* gx_ix_loc's last answer (last_loc -1: none) */
	int last_loc;
	struct gx_ix_event ev[GX_MAX_EVENTS];
	struct gx_ix_location loc[GX_MAX_EVENTS];
};

struct gx {
	int nthreads;
	struct gx_graph cur;
	int rpos; /* events re-created so far */
	bool first, diverged, full;
	bool dead;	 /* atomicity broken: pruned */
	u128 merge_init; /* the initial value of the location of the write being added */
	bool no_push;	 /* replaying a saved graph: no alternatives */
	/* gx_load's graph, kept: a replay that found a read of a later write
	 * (load buffering) holding another process's value patches it here and
	 * may run again (gx_reload) */
	struct gx_item *loaded;
	bool values_fixed;
	bool whole; /* gx_to_exg keeps every event (gx_set_whole_graph) */
	/* the graph being visited came from a --resume state (gx_state.c): values
	 * that hold addresses are those of this run, as for no_push */
	bool addr_free;
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
	/* a write had more load-buffering candidates than GX_LB_MAX
	 * (gx_revisit.c): the exploration is incomplete */
	bool lb_capped;
	/* an access was ctrl_exact: load-buffering revisits may be made (none
	 * can be while every access depends on every earlier read) */
	bool lb_on;
	bool cycles_refused;	    /* gx_set_cycles_refused: lb_on does not matter */
	bool stuck[GX_MAX_THREADS]; /* read a held lock: waits for an unlock's revisit */
	/* an unlock revisited thr's stuck lock read in place (gx_revisit.c): the
	 * read now reads it and its write is added; the thread's next gx_access
	 * (the lock op again, once gx_would_wait says false) only reports it */
	bool handed[GX_MAX_THREADS];
	/* set by gx_revisits_of: the stuck lock read of cur that the unlock being
	 * added revisits in place once its other revisits are made; -1: none */
	int in_place;
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
	struct gx_ix ix; /* indexes of cur (engine/gx_index.c) */
	/* gx_set_chooser: sampling choices from choose instead of the PRNG */
	unsigned (*choose)(void *ctx, unsigned n);
	void *choose_ctx;
};

/* ---- small helpers on events ------------------------------------------------------- */

static inline bool is_read(const struct gx_event *e)
{
	return e->kind == EV_R;
}

static inline bool is_write(const struct gx_event *e)
{
	return e->kind == EV_W;
}

/* The RMW write right after read i (same thread), or -1. */
static inline int rmw_write_of(const struct gx_graph *G, int i)
{
	if (i + 1 < G->n && G->ev[i].paired && G->ev[i + 1].paired &&
	    G->ev[i + 1].thr == G->ev[i].thr && is_write(&G->ev[i + 1]) &&
	    G->ev[i + 1].idx == G->ev[i].idx + 1)
		return i + 1;
	return -1;
}

/* Does read e synchronise with the write it reads: an acquire or lock read of
 * another thread's release or unlock (the edges of the quick refutation's
 * views, gx_quick.c, and of gx_sync.c's floors)? */
static inline bool gx_syncs(const struct gx_graph *G, const struct gx_event *e)
{
	if (e->kind != EV_R || e->rf == GX_INIT || !(e->flags & (EVF_ACQUIRE | EVF_LKR)))
		return false;
	const struct gx_event *w = &G->ev[e->rf];
	return w->thr != e->thr && (w->flags & (EVF_RELEASE | EVF_UL));
}

/* Rank of write w (GX_INIT: below all). */
static inline int rank_of(const struct gx_graph *G, int w)
{
	return w == GX_INIT ? -1 : G->ev[w].co;
}

/* ---- across the explorer's files ---------------------------------------------------- */

/* Hash of a graph (gx_hash.c): events, rf, co order, and with stamps the order
 * they were added in; no addresses, no positions in ev[]. */
uint64_t gx_graph_hash(const struct gx_event *ev, int n, bool stamps);
/* The stack (gx_stack.c): puts a graph on it unless it was pushed before or
 * the model refuses it (gx_set_check); sampling keeps revisit graphs instead. */
void gx_push(struct gx *g, const struct gx_event *ev, int n, int next_stamp, int next_rank,
	     bool revisit);
/* A graph revisited in place instead of pushed (gx_revisit.c): true, and
 * it counts as pushed, when gx_push would push it (not pushed before, not
 * refused by the model); false leaves it alone. */
bool gx_claim(struct gx *g, const struct gx_event *ev, int n);
/* Sampling: the PRNG, and a choice among n (the chooser's, or random). */
uint64_t gx_rnd(struct gx *g);
unsigned gx_sample_choice(struct gx *g, unsigned n);
/* Is h in s (gx_hash.c)? */
bool gx_hset_has(const struct hset *s, uint64_t h);
/* Inserts h (bit 0 set) into s (gx_hash.c): false when it was there. */
bool gx_hset_insert(struct hset *s, uint64_t h);

/* Revisits (gx_revisit.c): every earlier read of another thread that write a
 * (index in G, added last) may make read it, each as a graph on the stack; with
 * places, once for every co place a may take then (TruSt's VisitCOs). */
void gx_revisits_of(struct gx *g, const struct gx_graph *G, int a, bool places);
/* The in-place revisit gx_revisits_of chose (g->in_place, an index in cur):
 * lock read r reads unlock u (both in cur), its write is added right after it
 * (with its own revisits) and its thread goes on.  Returns u's index then, or
 * -2 when the write broke atomicity, -1 when the graph is full (gx.c). */
int gx_lock_in_place(struct gx *g, int r, int u);

/* Sub-word stores (gx_merge.c): a write of GX_RMW_MERGE holds its bytes in
 * operand [off, off + size).  gx_merge_place sets the value of write w of
 * ev[0, n), just placed in co (init: the location's initial value), and of the
 * sub-word stores co-after it that its bytes reach; true when one of those
 * (not w) changed. */
bool gx_is_merge_write(const struct gx_event *e);
/* Sub-word store e's bytes over value below. */
u128 gx_merge_over(const struct gx_event *e, u128 below);
bool gx_merge_place(struct gx_event *ev, int n, int w, u128 init);
/* Does the write of key right after co rank rank of ev[0, n) (-1: the initial
 * value) keep its value when a write of value below goes before it?  Only a
 * sub-word store can change. */
bool gx_merge_keeps(const struct gx_event *ev, int n, uintptr_t key, int rank, u128 below);

/* The co rank a new access of thr to key may not go below (gx_sync.c): the
 * co-latest write of key that reaches thr's last event along po and
 * release -> acquire / unlock -> lock reads-from; -2: none. */
int gx_sync_floor(const struct gx_graph *G, int thr, uintptr_t key);

/* A replay order for G (gx_save.c): every read after the write it reads, an RMW's
 * write right after its read, each thread in program order.  order[k]: the
 * k-th event. */
void gx_replay_order(const struct gx_graph *G, int *order);

/* Locations of a graph loaded from a --resume state (engine/gx_state.c) are
 * numbered, not addressed: key GX_KEY_UNBOUND - k for the k-th location, a
 * value no address takes.  The replay binds each to the address the program
 * accesses (every event of the location at once): gx_bind_saved_key, for the
 * event at the replay position; false (diverged) when that address is already
 * another location's (the program did not re-create the graph). */
#define GX_KEY_UNBOUND	   (~(uintptr_t)0)
#define GX_KEY_UNBOUND_MAX 65536
static inline bool gx_key_unbound(uintptr_t key)
{
	return key > GX_KEY_UNBOUND - GX_KEY_UNBOUND_MAX;
}
bool gx_bind_saved_key(struct gx *g, int thr, const struct gx_access *a);
bool gx_has_unbound_keys(const struct gx_graph *G);

/* The current graph's indexes (gx_index.c).  gx_ix_added: event pos was just
 * inserted into cur (appended: indexed; else the index is rebuilt when next
 * asked).  gx_ix_ensure rebuilds an invalid index; every question below but
 * gx_ix_loc assumes a valid one (gx_ix_loc makes it valid).  l: a location's
 * number from gx_ix_loc, -1 for one without events. */
static inline void gx_ix_invalidate(struct gx *g)
{
	g->ix.valid = false;
}
void gx_ix_ensure(struct gx *g);
void gx_ix_added(struct gx *g, int pos);
int gx_ix_loc_lookup(struct gx *g, uintptr_t key);
static inline int gx_ix_loc(struct gx *g, uintptr_t key)
{
	const struct gx_ix *x = &g->ix;
	if (x->valid && x->last_loc >= 0 && x->last_key == key) /* the last one asked about */
		return x->last_loc;
	return gx_ix_loc_lookup(g, key);
}
/* thr's coherence floor on l: the highest rank it wrote or read (-1: the
 * initial value; -2: nothing). */
int gx_ix_floor(const struct gx *g, int l, int thr);
/* The co-latest write of l (GX_INIT: none); the co-latest among ev[0, upto). */
int gx_ix_top(const struct gx *g, int l);
int gx_ix_top_before(const struct gx *g, int l, int upto);
/* co_after: in ev (cur's events or a copy of them), the writes of l ranked
 * above rx move up one; returns the rank a new write right after rx takes. */
int gx_ix_shift(const struct gx *g, int l, int rx, struct gx_event *ev);
/* Does no RMW of l break atomicity?  Would a new write right after src (a
 * write of l, GX_INIT) break that of the RMW write co-after src? */
bool gx_ix_atomic(const struct gx *g, int l);
bool gx_ix_breaks_after(const struct gx *g, int l, int src);
/* May a write of thread thr to l revisit a read (gx_revisits_of finds one)? */
static inline bool gx_ix_revisitable(const struct gx *g, int l, int thr)
{
	return l >= 0 && (g->ix.loc[l].readers & ~(1u << thr));
}
/* The ev[]-order list of l's writes: the first, the next; the co order,
 * downwards: the write co-before w (GX_INIT after the co-first). */
static inline int gx_ix_first_write(const struct gx *g, int l)
{
	return l < 0 ? -1 : g->ix.loc[l].ev_first;
}
static inline int gx_ix_next_write(const struct gx *g, int w)
{
	return g->ix.ev[w].ev_next;
}
static inline int gx_ix_co_prev(const struct gx *g, int w)
{
	return g->ix.ev[w].co_prev;
}

#endif /* SS_GX_IMPL_H */
