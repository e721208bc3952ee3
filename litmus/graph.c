/* litmus/graph.c - candidate executions of a litmus test, as herd7 builds them,
 * for the cat engine (litmus/graph.h).
 *
 * 1. Per-thread paths.  Each thread's register machine (litmus/litmus.h) runs
 *    alone; every read takes, in turn, each value that can be in its location
 *    (a value set per location), so a thread has one path per combination of
 *    read values (and per trylock outcome).  A path is its events (with
 *    annotations and addr/data/ctrl dependencies tracked through registers)
 *    and its final registers.  The value sets start as the initial values and
 *    grow by every value some path writes, until nothing changes (at most one
 *    round per write event, which covers every chain of values a consistent
 *    execution can build).
 * 2. Combinations of one path per thread, plus the initial writes, give the
 *    events of a candidate (model/exec.h).
 * 3. Location by location: rf (each read from a write of the same value that
 *    is not po-after it), then co (orders of the writes that keep each
 *    thread's program order and put an RMW's write right after the write its
 *    read reads from); a location whose po-loc | rf | co | fr has a cycle is
 *    dropped at once (coherence is per location).
 * 4. A complete candidate goes to the model; consistent ones are counted as
 *    herd7 counts executions, and their final states make the histogram.
 *
 * --max-candidates bounds the work of 2-4 (nodes visited): over it the run
 * stops and says it gave up.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "litmus/graph.h"
#include "model/lkmm.h"
#include "litmus/machine.h"
#include "results/stop.h"

/* the litmus fence kinds are the model's */
#define SAME_FENCE(k) ((int)LIT_F_##k == (int)MF_##k)
_Static_assert(SAME_FENCE(MB) && SAME_FENCE(WMB) && SAME_FENCE(RMB) && SAME_FENCE(BEFORE_ATOMIC) &&
		   SAME_FENCE(AFTER_ATOMIC) && SAME_FENCE(AFTER_SPINLOCK) &&
		   SAME_FENCE(AFTER_UNLOCK_LOCK) && SAME_FENCE(BARRIER) && SAME_FENCE(RCU_LOCK) &&
		   SAME_FENCE(RCU_UNLOCK) && SAME_FENCE(SYNC_RCU) &&
		   SAME_FENCE(AFTER_SRCU_READ_UNLOCK) && SAME_FENCE(SYNC_SRCU) &&
		   SAME_FENCE(NKINDS),
	       "enum lit_fence and enum model_fence differ");
#undef SAME_FENCE

#define GX_MAXVAL    32	  /* values per location */
#define GX_MAXPATHS  8192 /* paths per thread */
#define GX_MAXSTEPS  100000
#define GX_MAXSCOPES 32 /* nested branches whose ctrl is open */

struct pev {
	unsigned char kind, fence;
	short loc;
	long long val;
	unsigned flags;
	uint64_t addr, data, ctrl; /* sources: event indices within the path */
	signed char rmw_w;	   /* R of an rmw pair: index of its W; else -1 */
	int line;		   /* source line (herd7's plain-store quirk) */
};

struct tpath {
	int nev;
	struct pev ev[REL_MAX];
	long long reg[LIT_MAX_REGS];
};

struct tstate {
	int pc;
	long long reg[LIT_MAX_REGS];
	uint64_t dep[LIT_MAX_REGS];
	uint64_t ctrl;
	/* herd7's C ctrl dependency reaches the events of the branches of an if
	 * (or the right operand of && / ||), not those after it: one scope per
	 * open branch, ended at its join point with the ctrl from before it. */
	int nscope;
	struct {
		int end;
		uint64_t ctrl;
	} scope[GX_MAXSCOPES];
	int line; /* of the instruction being run */
	struct tpath p;
};

struct vset {
	int n;
	long long v[GX_MAXVAL];
};

struct locinfo {
	int loc; /* test location */
	int nr, nw;
	int r[REL_MAX], w[REL_MAX]; /* w[0]: the initial write */
	int ncand[REL_MAX];
	int cand[REL_MAX][REL_MAX];
	int order[REL_MAX]; /* co order being built (indices into w[]) */
	uint64_t evs;	    /* bit e: event e (a candidate has at most REL_MAX events) */
};

struct gx {
	const struct lit_test *t;
	const struct lit_opts *o;
	struct lit_result *r;
	struct vset V[LIT_MAX_LOCS];
	struct vset Vcut[LIT_MAX_LOCS]; /* values written by paths cut at a non-location */
	struct tpath *paths[LIT_MAX_THREADS];
	int npaths[LIT_MAX_THREADS], cap[LIT_MAX_THREADS];
	bool err, stop;
	char errmsg[256];
	unsigned long long nodes, max_nodes;
	struct timespec t0; /* start, for --timeout */
	/* the candidate being built */
	int choice[LIT_MAX_THREADS];
	int base[LIT_MAX_THREADS];
	int locev[LIT_MAX_LOCS]; /* the initial write of each location, -1: untouched */
	struct exg g;
	int nl;
	struct locinfo li[LIT_MAX_LOCS];
	int rfsrc[REL_MAX];
};

static void gx_error(struct gx *x, const char *msg, int line)
{
	if (!x->err) {
		x->err = true;
		if (line)
			snprintf(x->errmsg, sizeof(x->errmsg), "line %d: %s", line, msg);
		else
			snprintf(x->errmsg, sizeof(x->errmsg), "%s", msg);
	}
}

/* ---- 1. per-thread paths ------------------------------------------------------------ */

static bool vset_add(struct vset *v, long long val);

/* The location that address a names, or -1: herd7 drops a candidate whose access
 * goes through a value that is not a location (in the tests that do it such a read
 * is incoherent anyway: C-PPO000-019, C-non-race4 of paulmckrcu/litmus).  The
 * writes the cut path made still feed the values other threads may read. */
static int addr_loc(struct gx *x, const struct tstate *s, long long a)
{
	int k = lit_addr_loc(x->t, a);
	if (k < 0) {
		for (int i = 0; i < s->p.nev; i++)
			if (s->p.ev[i].kind == EV_W && x->Vcut[s->p.ev[i].loc].n < GX_MAXVAL)
				vset_add(&x->Vcut[s->p.ev[i].loc], s->p.ev[i].val);
		return -1;
	}
	return k;
}

static int add_ev(struct gx *x, struct tstate *s, int kind, int loc, long long val, unsigned flags,
		  uint64_t addr, uint64_t data)
{
	if (s->p.nev >= REL_MAX) {
		gx_error(x, "more than 64 events in one thread", 0);
		return -1;
	}
	int i = s->p.nev++;
	struct pev *e = &s->p.ev[i];
	e->kind = (unsigned char)kind;
	e->fence = 0;
	e->loc = (short)loc;
	e->val = val;
	e->flags = flags;
	e->addr = addr;
	e->data = data;
	e->ctrl = s->ctrl;
	e->rmw_w = -1;
	e->line = s->line;
	return i;
}

static void save_path(struct gx *x, int t, struct tstate *s)
{
	if (x->npaths[t] >= GX_MAXPATHS) {
		x->stop = true;
		return;
	}
	if (x->npaths[t] == x->cap[t]) {
		x->cap[t] = x->cap[t] ? 2 * x->cap[t] : 16;
		x->paths[t] = realloc(x->paths[t], (size_t)x->cap[t] * sizeof(struct tpath));
		if (!x->paths[t])
			abort();
	}
	struct tpath *p = &x->paths[t][x->npaths[t]++];
	p->nev = s->p.nev;
	memcpy(p->ev, s->p.ev, (size_t)s->p.nev * sizeof(p->ev[0]));
	memcpy(p->reg, s->reg, sizeof(p->reg));
}

static unsigned acc_flags(int acc)
{
	switch (acc) {
	case SS_ACC_PLAIN: return EVF_PLAIN;
	case SS_ACC_ACQUIRE: return EVF_ACQUIRE;
	case SS_ACC_RELEASE: return EVF_RELEASE;
	}
	return EVF_ONCE;
}

static void tp_run(struct gx *x, int t, struct tstate *s);

/* The read side of LOAD / RMW / TRYLOCK with value v, then the rest. */
static void tp_read(struct gx *x, int t, const struct tstate *s0, const struct lit_ins *in, int loc,
		    long long v, int variant)
{
	struct tstate s = *s0;
	uint64_t ad = s.dep[in->a];
	s.line = in->line;
	int ri;
	long long res = v;
	switch (in->op) {
	case LOP_LOAD:
		ri = add_ev(x, &s, EV_R, loc, v,
			    acc_flags(in->acc) | (in->ord == LIT_SRCU_LOCK ? EVF_SRCU_LOCK : 0), ad,
			    0);
		break;
	case LOP_RMW: {
		long long opnd = s.reg[in->b], nv = 0;
		bool ok = true;
		switch (in->sub) {
		case SS_RMW_XCHG: nv = opnd; break;
		case SS_RMW_ADD: nv = lit_binop(13, v, opnd); break;
		case SS_RMW_AND: nv = v & opnd; break;
		case SS_RMW_OR: nv = v | opnd; break;
		case SS_RMW_CMPXCHG:
			nv = opnd;
			ok = v == s.reg[in->c];
			break;
		default: /* WMM_RMW_ADD_UNLESS */
			nv = lit_binop(13, v, opnd);
			ok = v != s.reg[in->c];
			break;
		}
		unsigned rf = EVF_RMW, wf = EVF_RMW;
		if (in->ret == RET_NONE)
			rf |= EVF_NORETURN;
		if (ok && in->ord == SS_ORD_ACQUIRE)
			rf |= EVF_ACQUIRE;
		if (ok && in->ord == SS_ORD_RELEASE)
			wf |= EVF_RELEASE;
		if (ok && in->ord == SS_ORD_FULL) {
			rf |= EVF_MB;
			wf |= EVF_MB;
		}
		if (!ok || in->ord == SS_ORD_RELAXED || in->ord == SS_ORD_ACQUIRE)
			wf |= EVF_ONCE;
		if (!ok || in->ord == SS_ORD_RELAXED || in->ord == SS_ORD_RELEASE)
			rf |= EVF_ONCE;
		ri = add_ev(x, &s, EV_R, loc, v, rf, ad, 0);
		if (ri >= 0 && ok) {
			uint64_t dd = s.dep[in->b];
			int wi = add_ev(x, &s, EV_W, loc, nv, wf, ad, dd);
			if (wi >= 0)
				s.p.ev[ri].rmw_w = (signed char)wi;
		}
		long long sum = lit_binop(13, v, opnd);
		switch (in->ret) {
		case RET_OLD: res = v; break;
		case RET_NEW: res = sum; break;
		case RET_ZERO: res = sum == 0; break;
		case RET_NEG: res = sum < 0; break;
		case RET_OK: res = ok; break;
		default: res = 0; break;
		}
		break;
	}
	default: /* LOP_TRYLOCK: variant 0 takes the lock, 1 fails */
		if (variant == 0) {
			ri = add_ev(x, &s, EV_R, loc, 0, EVF_LKR, ad, 0);
			int wi = add_ev(x, &s, EV_W, loc, 1, EVF_LKW, ad, 0);
			if (ri >= 0 && wi >= 0)
				s.p.ev[ri].rmw_w = (signed char)wi;
			res = 1;
		} else {
			ri = add_ev(x, &s, EV_R, loc, 1, EVF_LF, ad, 0);
			res = 0;
		}
		break;
	}
	if (ri < 0)
		return;
	if (in->op != LOP_RMW || in->ret != RET_NONE) {
		s.reg[in->dst] = res;
		s.dep[in->dst] = 1ull << ri;
	}
	s.pc++;
	tp_run(x, t, &s);
}

static void tp_run(struct gx *x, int t, struct tstate *s)
{
	const struct lit_thread *th = x->t->th[t];
	for (int steps = 0; !x->err && !x->stop; steps++) {
		if (steps > GX_MAXSTEPS) {
			gx_error(x, "a thread runs longer than 100000 steps", 0);
			return;
		}
		while (s->nscope && s->pc == s->scope[s->nscope - 1].end)
			s->ctrl = s->scope[--s->nscope].ctrl;
		const struct lit_ins *in = &th->code[s->pc];
		int loc;
		s->line = in->line;
		switch (in->op) {
		case LOP_CONST:
		case LOP_MOV:
		case LOP_BIN:
		case LOP_UN: lit_exec_local(in, s->reg, s->dep); break;
		case LOP_JZ:
			if (s->nscope == GX_MAXSCOPES) {
				gx_error(x, "branches nested deeper than 32", in->line);
				return;
			}
			s->scope[s->nscope].end = in->c;
			s->scope[s->nscope++].ctrl = s->ctrl;
			s->ctrl |= s->dep[in->a];
			if (!s->reg[in->a]) {
				s->pc = (int)in->imm;
				continue;
			}
			break;
		case LOP_JMP: s->pc = (int)in->imm; continue;
		case LOP_END: save_path(x, t, s); return;
		case LOP_FENCE: {
			loc = -1;
			if (in->imm == LIT_F_SYNC_SRCU && (loc = addr_loc(x, s, s->reg[in->a])) < 0)
				return;
			int k = add_ev(x, s, EV_F, loc, 0, 0, 0, 0);
			if (k < 0)
				return;
			s->p.ev[k].fence = (unsigned char)(in->imm		     ? in->imm
							   : in->sub == SS_FENCE_WMB ? LIT_F_WMB
							   : in->sub == SS_FENCE_RMB ? LIT_F_RMB
										     : LIT_F_MB);
			break;
		}
		case LOP_STORE: {
			uint64_t data = s->dep[in->b];
			/* herd7 (7.58+1, C front end): a plain store whose value is a
			 * load in the same statement (*z2 = *z1;) carries no data
			 * dependency from that load; a marked one does */
			if (in->acc == SS_ACC_PLAIN)
				for (int k = 0; k < s->p.nev; k++)
					if (s->p.ev[k].kind == EV_R && s->p.ev[k].line == in->line)
						data &= ~(1ull << k);
			loc = addr_loc(x, s, s->reg[in->a]);
			if (loc < 0 ||
			    add_ev(x, s, EV_W, loc, s->reg[in->b],
				   acc_flags(in->acc) |
				       (in->ord == LIT_SRCU_UNLOCK ? EVF_SRCU_UNLOCK : 0),
				   s->dep[in->a], data) < 0)
				return;
			break;
		}
		case LOP_LOCK: {
			loc = addr_loc(x, s, s->reg[in->a]);
			if (loc < 0)
				return;
			int ri = add_ev(x, s, EV_R, loc, 0, EVF_LKR, s->dep[in->a], 0);
			int wi = add_ev(x, s, EV_W, loc, 1, EVF_LKW, s->dep[in->a], 0);
			if (ri < 0 || wi < 0)
				return;
			s->p.ev[ri].rmw_w = (signed char)wi;
			break;
		}
		case LOP_UNLOCK:
			loc = addr_loc(x, s, s->reg[in->a]);
			if (loc < 0 || add_ev(x, s, EV_W, loc, 0, EVF_UL, s->dep[in->a], 0) < 0)
				return;
			break;
		case LOP_TRYLOCK:
			loc = addr_loc(x, s, s->reg[in->a]);
			if (loc < 0)
				return;
			tp_read(x, t, s, in, loc, 0, 0);
			tp_read(x, t, s, in, loc, 1, 1);
			return;
		case LOP_LOAD:
		case LOP_RMW:
			loc = addr_loc(x, s, s->reg[in->a]);
			if (loc < 0)
				return;
			for (int k = 0; k < x->V[loc].n && !x->err && !x->stop; k++)
				tp_read(x, t, s, in, loc, x->V[loc].v[k], 0);
			return;
		default: gx_error(x, "unknown instruction", in->line); return;
		}
		s->pc++;
	}
}

static bool vset_add(struct vset *v, long long val)
{
	for (int k = 0; k < v->n; k++)
		if (v->v[k] == val)
			return false;
	if (v->n == GX_MAXVAL)
		return false;
	v->v[v->n++] = val;
	return true;
}

/* Paths of every thread, with the value sets iterated to a fixed point. */
/* The constants a thread compares against or stores (through register copies):
 * each may be the value a location holds in an execution that only a cycle of
 * reads-from justifies (herd7 solves for such values), so every location starts
 * with them; a value no write gives is dropped at rf time. */
static void seed_constants(struct gx *x, const struct lit_thread *th)
{
	bool wanted[LIT_MAX_REGS] = {false};
	for (int k = 0; k < th->ncode; k++) {
		const struct lit_ins *in = &th->code[k];
		if (in->op == LOP_STORE)
			wanted[in->b] = true;
		if (in->op == LOP_BIN && in->sub >= 5 && in->sub <= 10)
			wanted[in->a] = wanted[in->b] = true;
	}
	for (bool grew = true; grew;) {
		grew = false;
		for (int k = 0; k < th->ncode; k++) {
			const struct lit_ins *in = &th->code[k];
			if (in->op == LOP_MOV && wanted[in->dst] && !wanted[in->a])
				grew = wanted[in->a] = true;
		}
	}
	for (int k = 0; k < th->ncode; k++) {
		const struct lit_ins *c = &th->code[k];
		if (c->op == LOP_CONST && wanted[c->dst])
			for (int l = 0; l < x->t->nlocs; l++)
				vset_add(&x->V[l], c->imm);
	}
}

static void all_paths(struct gx *x)
{
	const struct lit_test *t = x->t;
	for (int l = 0; l < t->nlocs; l++) {
		x->V[l].n = 0;
		vset_add(&x->V[l], t->locs[l].init);
	}
	/* herd7 solves a branch on a read symbolically: "if (r == 1)" can take
	 * r = 1 even when only a cycle of reads-from justifies it. */
	for (int i = 0; i < t->nthreads; i++)
		seed_constants(x, t->th[i]);
	struct tstate *s = malloc(sizeof(*s));
	if (!s)
		abort();
	for (int round = 0;; round++) {
		int nw = 0; /* most writes one execution can have */
		for (int i = 0; i < t->nthreads; i++) {
			x->npaths[i] = 0;
			memset(s, 0, sizeof(*s));
			memcpy(s->reg, t->th[i]->reg_init, sizeof(s->reg));
			tp_run(x, i, s);
		}
		if (x->err || x->stop)
			break;
		bool grew = false;
		for (int i = 0; i < t->nthreads; i++) {
			int most = 0;
			for (int p = 0; p < x->npaths[i]; p++) {
				int w = 0;
				for (int k = 0; k < x->paths[i][p].nev; k++)
					w += x->paths[i][p].ev[k].kind == EV_W;
				most = w > most ? w : most;
			}
			nw += most;
		}
		/* a value read in round k was built by a chain of k writes of one
		 * execution: after nw rounds every such chain is covered */
		if (round >= nw)
			break;
		for (int i = 0; i < t->nthreads; i++)
			for (int p = 0; p < x->npaths[i]; p++)
				for (int k = 0; k < x->paths[i][p].nev; k++) {
					const struct pev *e = &x->paths[i][p].ev[k];
					if (e->kind != EV_W)
						continue;
					if (x->V[e->loc].n == GX_MAXVAL) {
						gx_error(x, "more than 32 values in one location",
							 0);
						break;
					}
					grew |= vset_add(&x->V[e->loc], e->val);
				}
		for (int l = 0; l < t->nlocs; l++)
			for (int k = 0; k < x->Vcut[l].n; k++) {
				if (x->V[l].n == GX_MAXVAL) {
					gx_error(x, "more than 32 values in one location", 0);
					break;
				}
				grew |= vset_add(&x->V[l], x->Vcut[l].v[k]);
			}
		if (!grew || x->err)
			break;
	}
	free(s);
}

/* ---- 2-4. candidates ----------------------------------------------------------------- */

static long long val_of(void *ctx, const struct lit_val *v)
{
	struct gx *x = ctx;
	switch (v->kind) {
	case 1: {
		int iw = x->locev[v->idx];
		if (iw < 0)
			return x->t->locs[v->idx].init;
		const struct locinfo *li = NULL;
		for (int k = 0; k < x->nl; k++)
			if (x->li[k].loc == v->idx)
				li = &x->li[k];
		return x->g.ev[li->w[li->order[li->nw - 1]]].val;
	}
	case 2: return x->paths[v->t][x->choice[v->t]].reg[v->idx];
	}
	return v->c;
}

/* A consistent execution: counted, and its final state into the histogram. */
static void record(struct gx *x)
{
	struct lit_result *r = x->r;
	struct lit_outcome o;
	if (!lit_outcome_of(x->t, val_of, x, &o))
		return;
	if (o.sat)
		r->pos++;
	else
		r->neg++;
	r->executions++;
	int k = lit_outcome_find(r, &o);
	if (k >= 0) {
		r->out[k].count++;
		return;
	}
	o.count = 1;
	lit_outcome_append(r, &o);
}

static bool budget(struct gx *x)
{
	if (++x->nodes > x->max_nodes) {
		x->stop = true;
		x->r->gave_up = true;
	}
	/* a stop signal (results/stop.h; only commands that install the handler set
	 * it, such as a race check after explore or fuzz): give up, no verdict */
	if ((x->nodes & 255) == 1 && ss_interrupted) {
		x->stop = true;
		x->r->gave_up = true;
	}
	/* --timeout (herd7's -timeout): looked at on the first node and every 256 after */
	if (x->o->timeout_s > 0 && (x->nodes & 255) == 1) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - x->t0.tv_sec) +
			1e-9 * (double)(now.tv_nsec - x->t0.tv_nsec) >
		    x->o->timeout_s) {
			x->stop = true;
			x->r->timed_out = true;
		}
	}
	return !x->stop;
}

static void leaf(struct gx *x)
{
	struct exg *g = &x->g;
	bool ok;
	if (!budget(x))
		return;
	switch (x->o->model) {
	case WMM_SC:
	case WMM_TSO: {
		struct lkmm_verdict v;
		ok = x->o->model == WMM_SC ? ax_sc_check(g) : ax_tso_check(g);
		/* RCU grace periods are no hardware axiom: they hold by the kernel's
		 * implementation, which LKMM's rcu axiom states; keep it (the other
		 * LKMM axioms hold anyway on an SC or TSO execution) */
		if (ok && !set_empty(set_or(g->fk[LIT_F_SYNC_RCU], g->fk[LIT_F_SYNC_SRCU])))
			ok = lkmm_check(g, false, &v, NULL);
		break;
	}
	default: {
		struct lkmm_verdict v;
		ok = lkmm_check(g, false, &v, NULL);
		if (ok && v.data_race &&
		    (x->t->filter < 0 || lit_prop_eval(x->t, x->t->filter, val_of, x)))
			x->r->datarace = true;
		break;
	}
	}
	if (ok)
		record(x);
}

static void enum_loc(struct gx *x, int k);

/* po-loc | rf | co | fr has no cycle among this location's events. */
static bool loc_coherent(struct gx *x, const struct locinfo *li)
{
	struct exg *g = &x->g;
	int n = g->n;
	struct rel fr, t;
	set_t s = set_none();
	s.w[0] = li->evs;
	rel_restrict(n, s, &g->rf, s, &t);
	rel_inv(n, &t, &fr);
	rel_seq(n, &fr, &g->co, &fr);
	rel_union(n, &t, &fr, &t);
	rel_union(n, &t, &g->co, &t);
	rel_union(n, &t, &g->po, &t);
	rel_restrict(n, s, &t, s, &t);
	return rel_acyclic(n, &t);
}

/* co of location li: order[pos..] still to place; placed: bit e for event e
 * (the candidate's relations have one word per row: exg_init, REL_MAX). */
static void enum_co(struct gx *x, int k, int pos, uint64_t placed)
{
	struct locinfo *li = &x->li[k];
	struct exg *g = &x->g;
	if (x->stop || x->err)
		return;
	if (pos == li->nw) {
		/* co rows of this location */
		for (int a = 0; a < li->nw; a++) {
			uint64_t later = 0;
			for (int b = a + 1; b < li->nw; b++)
				later |= 1ull << li->w[li->order[b]];
			*rel_word(&g->co, li->w[li->order[a]], 0) = later;
		}
		if (!budget(x))
			return;
		if (loc_coherent(x, li))
			enum_loc(x, k + 1);
		return;
	}
	int prev = li->w[li->order[pos - 1]];
	for (int c = 1; c < li->nw; c++) {
		int e = li->w[c];
		if (placed >> e & 1)
			continue;
		/* same-thread writes keep program order */
		bool ok = true;
		for (int d = 1; d < li->nw && ok; d++) {
			int f = li->w[d];
			if (f != e && !(placed >> f & 1) && rel_has(&g->po, f, e))
				ok = false;
		}
		/* an RMW's write comes right after the write its read reads from */
		for (int i = 0; i < g->n && ok; i++)
			if (rel_has(&g->rmw, i, e) && x->rfsrc[i] != prev)
				ok = false;
		/* coherence with the reads, as early as possible: e goes co-after
		 * every placed write and co-before every unplaced one */
		for (int j = 0; j < li->nr && ok; j++) {
			int r = li->r[j], src = x->rfsrc[r];
			bool src_placed = placed >> src & 1;
			if (src != e && src_placed && rel_has(&g->po, e, r))
				ok = false; /* CoWR: r reads a write co-before its po-earlier e */
			if (src != e && !src_placed && rel_has(&g->po, r, e))
				ok = false; /* CoRW: r reads a write co-after its po-later e */
			if (src == e)
				for (int k = 0; k < li->nr && ok; k++) {
					int r2 = li->r[k], s2 = x->rfsrc[r2];
					if (s2 != e && (placed >> s2 & 1) && rel_has(&g->po, r, r2))
						ok = false; /* CoRR */
				}
		}
		if (!ok)
			continue;
		li->order[pos] = c;
		enum_co(x, k, pos + 1, placed | 1ull << e);
	}
}

static void enum_rf(struct gx *x, int k, int j)
{
	struct locinfo *li = &x->li[k];
	struct exg *g = &x->g;
	if (x->stop || x->err)
		return;
	if (j == li->nr) {
		for (int a = 0; a < li->nw; a++)
			*rel_word(&g->rf, li->w[a], 0) = 0;
		for (int b = 0; b < li->nr; b++)
			rel_add(&g->rf, x->rfsrc[li->r[b]], li->r[b]);
		li->order[0] = 0;
		enum_co(x, k, 1, 1ull << li->w[0]);
		return;
	}
	for (int c = 0; c < li->ncand[j]; c++) {
		x->rfsrc[li->r[j]] = li->cand[j][c];
		enum_rf(x, k, j + 1);
	}
}

static void enum_loc(struct gx *x, int k)
{
	if (k == x->nl)
		leaf(x);
	else
		enum_rf(x, k, 0);
}

/* One combination of paths: build the events, then rf and co. */
static void combination(struct gx *x)
{
	const struct lit_test *t = x->t;
	struct exg *g = &x->g;
	exg_init(g);
	for (int l = 0; l < t->nlocs; l++)
		x->locev[l] = -1;
	/* initial writes of the locations some path touches */
	for (int i = 0; i < t->nthreads; i++) {
		const struct tpath *p = &x->paths[i][x->choice[i]];
		for (int e = 0; e < p->nev; e++) {
			int l = p->ev[e].loc;
			if (p->ev[e].kind != EV_F && x->locev[l] < 0) {
				x->locev[l] = exg_add(g, -1, EV_W, l, t->locs[l].init, 0, 0);
				if (x->locev[l] < 0)
					goto full;
			}
		}
	}
	for (int i = 0; i < t->nthreads; i++) {
		const struct tpath *p = &x->paths[i][x->choice[i]];
		int b = x->base[i] = g->n;
		if (b + p->nev > REL_MAX)
			goto full;
		for (int e = 0; e < p->nev; e++) {
			const struct pev *v = &p->ev[e];
			exg_add(g, i, v->kind, v->loc, v->val, v->flags, v->fence);
		}
		for (int e = 0; e < p->nev; e++) {
			const struct pev *v = &p->ev[e];
			for (int s = 0; s < p->nev; s++) {
				if (v->addr >> s & 1)
					rel_add(&g->addr, b + s, b + e);
				if (v->data >> s & 1)
					rel_add(&g->data, b + s, b + e);
				if (v->ctrl >> s & 1)
					rel_add(&g->ctrl, b + s, b + e);
			}
			if (v->rmw_w >= 0)
				rel_add(&g->rmw, b + e, b + v->rmw_w);
		}
	}
	g->nthreads = t->nthreads;
	exg_finish(g);
	/* per location: reads, writes, rf candidates */
	x->nl = 0;
	for (int l = 0; l < t->nlocs; l++) {
		if (x->locev[l] < 0)
			continue;
		struct locinfo *li = &x->li[x->nl++];
		li->loc = l;
		li->nr = li->nw = 0;
		li->evs = 0;
		for (int e = 0; e < g->n; e++) {
			if (g->ev[e].loc != l || g->ev[e].kind == EV_F)
				continue;
			li->evs |= 1ull << e;
			if (g->ev[e].kind == EV_W)
				li->w[li->nw++] = e; /* the initial write comes first */
			else
				li->r[li->nr++] = e;
		}
		for (int j = 0; j < li->nr; j++) {
			int rd = li->r[j];
			li->ncand[j] = 0;
			for (int a = 0; a < li->nw; a++) {
				int w = li->w[a];
				if (g->ev[w].val == g->ev[rd].val && !rel_has(&g->po, rd, w))
					li->cand[j][li->ncand[j]++] = w;
			}
			if (!li->ncand[j])
				return; /* a value no write gives */
		}
	}
	enum_loc(x, 0);
	return;
full:
	gx_error(x, "more than 64 events in one execution", 0);
}

static void enum_paths(struct gx *x, int i)
{
	if (x->stop || x->err)
		return;
	if (i == x->t->nthreads) {
		if (budget(x))
			combination(x);
		return;
	}
	for (int p = 0; p < x->npaths[i] && !x->stop && !x->err; p++) {
		x->choice[i] = p;
		enum_paths(x, i + 1);
	}
}

void lit_cat_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(r, 0, sizeof(*r));
	r->model = o->model;
	struct gx *x = calloc(1, sizeof(*x));
	if (!x)
		abort();
	x->t = t;
	x->o = o;
	x->r = r;
	x->max_nodes = o->max_candidates ? o->max_candidates : LIT_MAX_CANDIDATES;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	all_paths(x);
	if (x->stop && !x->err && !r->timed_out)
		r->gave_up = true; /* too many paths */
	if (!x->err && !x->stop)
		enum_paths(x, 0);
	r->error = x->err;
	snprintf(r->err, sizeof(r->err), "%s", x->errmsg);
	r->complete = !x->err && !r->gave_up && !r->timed_out;
	r->obs = r->pos == 0 ? OBS_NEVER : r->neg == 0 ? OBS_ALWAYS : OBS_SOMETIMES;
	r->states = (unsigned long long)r->nout;
	r->candidates = x->nodes; /* path combinations, location choices, executions */
	r->exec_counts = true;	  /* pos/neg count executions, as herd7 does */
	r->race_checked = o->model == WMM_LKMM;
	for (int i = 0; i < LIT_MAX_THREADS; i++)
		free(x->paths[i]);
	free(x);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}
