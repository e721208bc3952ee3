/* litmus/lkvm.c - the lkvm engine of `slabstress litmus`: exhaustive exploration
 * of a parsed litmus test on a wmm model (engine/wmm.h).  The dispatch between
 * the engines is litmus/run.c, the reports litmus/report.c.
 *
 * Stateless DFS over the choice vector: one execution replays the vector from
 * an empty model; every choice point (which thread acts or which buffered store
 * commits; which message a load reads, asked by engine/wmm.c through choose())
 * takes the next entry, or appends a 0 when the vector is exhausted.  After the
 * execution the vector is advanced like an odometer (last entry first).
 *
 * Pruning: after each step beyond the replayed prefix, the whole state (model
 * state hash, pcs, registers with their dependency sets) is looked up in a
 * visited set; a state seen before has had all its continuations explored
 * already (steps always make progress, so the state graph is acyclic), so the
 * execution stops there.  This keeps the search exhaustive while collapsing
 * interleavings that commute.  A 64-bit hash collision could only drop
 * executions (a missed outcome, never an invented one).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "litmus/machine.h"

#define MAX_VEC 4096

struct thr {
	int pc;
	long long reg[LIT_MAX_REGS];
	u64 dep[LIT_MAX_REGS]; /* bit i: load id i; bit 63: "all earlier loads" */
	uint32_t handle[LIT_MAX_LOADS + 1];
};

struct ex {
	const struct lit_test *t;
	struct wmm *w;
	struct thr th[LIT_MAX_THREADS];
	/* the choice vector */
	unsigned ch[MAX_VEC], n[MAX_VEC];
	int len, pos, div; /* div: index of the entry changed last (states after it are new) */
	bool overflow;
	bool rt_error;
	char err[256];
	/* visited states */
	u64 *vis;
	size_t vcap, vn;
	unsigned long long max_states;
	bool limit;
};

static unsigned next_choice(struct ex *e, unsigned n)
{
	if (e->pos < e->len) {
		unsigned c = e->ch[e->pos];
		if (e->n[e->pos] != n && !e->rt_error) {
			/* replay must be deterministic; this is an internal error */
			e->rt_error = true;
			snprintf(e->err, sizeof(e->err), "internal error: replay diverged");
		}
		e->pos++;
		return c < n ? c : 0;
	}
	if (e->len >= MAX_VEC) {
		e->overflow = true;
		e->pos++;
		return 0;
	}
	e->ch[e->len] = 0;
	e->n[e->len] = n;
	e->len++;
	e->pos++;
	return 0;
}

static unsigned wmm_choose_cb(void *ctx, int cpu, enum wmm_choice_kind k, unsigned n)
{
	(void)cpu;
	(void)k;
	return next_choice(ctx, n);
}

/* Visited-set insert; false if already there. */
static bool visit(struct ex *e, u64 h)
{
	if (!h)
		h = 1;
	if ((e->vn + 1) * 2 > e->vcap) {
		size_t nc = e->vcap ? e->vcap * 2 : 1 << 16;
		u64 *nv = calloc(nc, sizeof(u64));
		if (!nv)
			abort();
		for (size_t i = 0; i < e->vcap; i++) {
			u64 x = e->vis[i];
			if (!x)
				continue;
			size_t j = (size_t)(x * 0x9E3779B97F4A7C15ull >> 20) & (nc - 1);
			while (nv[j])
				j = (j + 1) & (nc - 1);
			nv[j] = x;
		}
		free(e->vis);
		e->vis = nv;
		e->vcap = nc;
	}
	size_t j = (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (e->vcap - 1);
	while (e->vis[j]) {
		if (e->vis[j] == h)
			return false;
		j = (j + 1) & (e->vcap - 1);
	}
	e->vis[j] = h;
	e->vn++;
	if (e->vn >= e->max_states)
		e->limit = true;
	return true;
}

static inline u64 mix(u64 h, u64 v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

static u64 state_hash(struct ex *e)
{
	u64 h = wmm_state_hash(e->w, 0x1234567);
	for (int i = 0; i < e->t->nthreads; i++) {
		const struct lit_thread *th = e->t->th[i];
		struct thr *s = &e->th[i];
		h = mix(h, (u64)s->pc);
		for (int r = 0; r < th->nregs; r++) {
			h = mix(h, (u64)s->reg[r]);
			h = mix(h, s->dep[r]);
		}
		int nl = th->nloads <= LIT_MAX_LOADS ? th->nloads : LIT_MAX_LOADS + 1;
		for (int k = 0; k < nl; k++)
			h = mix(h, s->handle[k]);
	}
	return h;
}

/* ---- the register machine ------------------------------------------------------- */

static bool is_shared(int op)
{
	return op >= LOP_LOAD && op <= LOP_TRYLOCK;
}

/* Runs local instructions until a shared one (or the end). */
static void run_local(struct ex *e, int i)
{
	const struct lit_thread *th = e->t->th[i];
	struct thr *s = &e->th[i];
	for (;;) {
		const struct lit_ins *in = &th->code[s->pc];
		switch (in->op) {
		case LOP_JZ:
			if (!s->reg[in->a]) {
				s->pc = (int)in->imm;
				continue;
			}
			break;
		case LOP_JMP: s->pc = (int)in->imm; continue;
		default:
			if (!lit_exec_local(in, s->reg, s->dep))
				return; /* shared or END */
		}
		s->pc++;
	}
}

static int addr_loc(struct ex *e, long long a, int line)
{
	int k = lit_addr_loc(e->t, a);
	if (k < 0) {
		if (!e->rt_error) {
			e->rt_error = true;
			snprintf(e->err, sizeof(e->err),
				 "line %d: access through %lld, which is not the address of a "
				 "location",
				 line, a);
		}
		return -1;
	}
	return k;
}

static bool needs_drain(enum wmm_model m, const struct lit_ins *in)
{
	if (m == WMM_SC)
		return false;
	switch (in->op) {
	case LOP_RMW:
	case LOP_LOCK:
	case LOP_UNLOCK:
	case LOP_TRYLOCK: return true;
	case LOP_FENCE: return in->sub == SS_FENCE_MB || (m == WMM_LKMM && in->sub == SS_FENCE_WMB);
	case LOP_STORE: return m == WMM_LKMM && in->acc == SS_ACC_RELEASE;
	}
	return false;
}

/* Can thread i execute its next (shared) instruction now? */
static bool enabled(struct ex *e, int i)
{
	const struct lit_ins *in = &e->t->th[i]->code[e->th[i].pc];
	if (in->op == LOP_END)
		return false;
	if (needs_drain(wmm_model_of(e->w), in) && wmm_has_buffered(e->w, i))
		return false; /* its buffered stores commit first (as separate steps) */
	if (in->op == LOP_LOCK) {
		int l = addr_loc(e, e->th[i].reg[in->a], in->line);
		if (l < 0 || wmm_lock_would_block(e->w, l))
			return false;
	}
	return true;
}

static void set_dep(struct wmm_dep *d, const struct thr *s, u64 mask)
{
	memset(d, 0, sizeof(*d));
	if (mask >> 63) {
		d->all = true;
		return;
	}
	for (int b = 0; b < 63 && mask; b++) {
		if (!(mask >> b & 1))
			continue;
		mask &= ~(1ull << b);
		if (d->n == WMM_DEP_MAX) {
			d->all = true;
			return;
		}
		d->h[d->n++] = s->handle[b];
	}
}

static u64 load_bit(int id)
{
	return id >= LIT_MAX_LOADS ? 1ull << 63 : 1ull << id;
}

static void exec_shared(struct ex *e, int i)
{
	const struct lit_ins *in = &e->t->th[i]->code[e->th[i].pc];
	struct thr *s = &e->th[i];
	struct wmm *w = e->w;
	int l = -1;
	if (in->op != LOP_FENCE) {
		l = addr_loc(e, s->reg[in->a], in->line);
		if (l < 0)
			return;
	}
	struct wmm_read_info ri;
	switch (in->op) {
	case LOP_LOAD: {
		struct wmm_dep d;
		u64 mask = s->dep[in->a];
		set_dep(&d, s, mask);
		long long v = (long long)wmm_load(w, i, l, in->acc, mask ? &d : NULL, &ri, NULL);
		s->reg[in->dst] = v;
		s->dep[in->dst] = load_bit(in->load_id);
		s->handle[in->load_id] = ri.dep;
		break;
	}
	case LOP_STORE: wmm_store(w, i, l, (u64)s->reg[in->b], in->acc, NULL); break;
	case LOP_RMW: {
		bool ok;
		long long opnd = s->reg[in->b];
		long long exp = in->c >= 0 ? s->reg[in->c] : 0;
		long long old = (long long)wmm_rmw(w, i, l, in->sub, (u64)opnd, (u64)exp, in->ord,
						   &ok, &ri, NULL);
		long long nv = (long long)((unsigned long long)old + (unsigned long long)opnd);
		long long v = 0;
		switch (in->ret) {
		case RET_OLD: v = old; break;
		case RET_NEW: v = nv; break;
		case RET_ZERO: v = nv == 0; break;
		case RET_NEG: v = nv < 0; break;
		case RET_OK: v = ok; break;
		}
		s->reg[in->dst] = v;
		s->dep[in->dst] = load_bit(in->load_id);
		s->handle[in->load_id] = ri.dep;
		break;
	}
	case LOP_FENCE:
		if (in->imm < LIT_F_BARRIER) /* barrier(), RCU marks: no-ops here */
			wmm_fence(w, i, in->sub);
		break;
	case LOP_LOCK: wmm_lock(w, i, l, NULL); break;
	case LOP_UNLOCK: wmm_unlock(w, i, l, NULL); break;
	case LOP_TRYLOCK: {
		/* A failed attempt is a load of the lock word: its value (0) carries
		 * that load's dependency.  A success is an acquire: nothing after it
		 * can be reordered before it, so its 1 needs no dependency. */
		uint32_t h;
		s->reg[in->dst] = wmm_trylock_dep(w, i, l, NULL, &h);
		s->dep[in->dst] = h ? load_bit(in->load_id) : 0;
		s->handle[in->load_id] = h;
		break;
	}
	}
	s->pc++;
}

/* ---- outcomes ------------------------------------------------------------------- */

static long long val_of(void *ctx, const struct lit_val *v)
{
	struct ex *e = ctx;
	switch (v->kind) {
	case 1: return (long long)wmm_newest(e->w, v->idx);
	case 2: return e->th[v->t].reg[v->idx];
	}
	return v->c;
}

/* A final state: one more outcome when it is new (lkvm counts states, not
 * executions: count stays 0). */
static void record_final(struct ex *e, struct lit_result *r)
{
	struct lit_outcome o;
	r->finals++;
	if (lit_outcome_of(e->t, val_of, e, &o) && lit_outcome_find(r, &o) < 0)
		lit_outcome_append(r, &o);
}

/* One execution along the current vector. */
static void run_one(struct ex *e, struct lit_result *r)
{
	const struct lit_test *t = e->t;
	struct wmm *w = e->w;
	wmm_reset(w);
	for (int k = 0; k < t->nlocs; k++)
		wmm_loc(w, (uintptr_t)(LIT_ADDR_BASE + LIT_ADDR_STRIDE * k), 8,
			(u64)t->locs[k].init);
	for (int i = 0; i < t->nthreads; i++) {
		struct thr *s = &e->th[i];
		s->pc = 0;
		memcpy(s->reg, t->th[i]->reg_init, sizeof(s->reg));
		memset(s->dep, 0, sizeof(s->dep));
		memset(s->handle, 0, sizeof(s->handle));
		run_local(e, i);
	}
	e->pos = 0;
	r->executions++;
	for (;;) {
		/* actions: exec thread i, or commit its k-th committable store */
		int act_t[LIT_MAX_THREADS * (WMM_SB_MAX + 1)];
		int act_k[LIT_MAX_THREADS * (WMM_SB_MAX + 1)];
		unsigned na = 0;
		bool all_done = true;
		for (int i = 0; i < t->nthreads; i++) {
			if (t->th[i]->code[e->th[i].pc].op != LOP_END)
				all_done = false;
			if (enabled(e, i)) {
				act_t[na] = i;
				act_k[na++] = -1;
			}
			unsigned nc = wmm_ncommittable(w, i);
			for (unsigned k = 0; k < nc; k++) {
				act_t[na] = i;
				act_k[na++] = (int)k;
			}
		}
		if (e->rt_error)
			return;
		if (!na) {
			if (all_done)
				record_final(e, r);
			else
				r->deadlocks++;
			return;
		}
		unsigned a = na > 1 ? next_choice(e, na) : 0;
		int i = act_t[a];
		if (act_k[a] >= 0) {
			wmm_commit(w, i, (unsigned)act_k[a]);
		} else {
			if (!is_shared(t->th[i]->code[e->th[i].pc].op))
				return; /* cannot happen: run_local stops at shared ops */
			exec_shared(e, i);
			if (e->rt_error)
				return;
			run_local(e, i);
		}
		if (e->overflow) {
			e->rt_error = true;
			snprintf(e->err, sizeof(e->err), "execution longer than %d choices",
				 MAX_VEC);
			return;
		}
		if (e->pos > e->div) {
			if (!visit(e, state_hash(e))) {
				r->pruned++;
				return;
			}
		}
	}
}

void lit_lkvm_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	memset(r, 0, sizeof(*r));
	r->model = o->model;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct ex *e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->t = t;
	e->max_states = o->max_states ? o->max_states : 20000000ull;
	e->w = wmm_create(o->model, t->nthreads, t->nlocs > 0 ? t->nlocs : 1, 32);
	if (!e->w)
		abort();
	wmm_set_chooser(e->w, wmm_choose_cb, e);
	e->div = -1;
	for (unsigned long long n = 1;; n++) {
		run_one(e, r);
		if (e->rt_error || e->limit)
			break;
		if (o->timeout_s > 0 && !(n & 255)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((double)(t1.tv_sec - t0.tv_sec) +
				1e-9 * (double)(t1.tv_nsec - t0.tv_nsec) >
			    o->timeout_s) {
				r->timed_out = true;
				break;
			}
		}
		/* odometer: advance the last entry that has an untried value */
		while (e->len > 0 && e->ch[e->len - 1] + 1 >= e->n[e->len - 1])
			e->len--;
		if (!e->len)
			break;
		e->ch[e->len - 1]++;
		e->div = e->len - 1;
	}
	r->complete = !e->rt_error && !e->limit && !r->timed_out;
	r->error = e->rt_error;
	snprintf(r->err, sizeof(r->err), "%s", e->err);
	r->states = e->vn;
	for (int k = 0; k < r->nout; k++) {
		if (r->out[k].sat)
			r->pos++;
		else
			r->neg++;
	}
	r->obs = r->pos == 0 ? OBS_NEVER : r->neg == 0 ? OBS_ALWAYS : OBS_SOMETIMES;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	wmm_destroy(e->w);
	free(e->vis);
	free(e);
}
