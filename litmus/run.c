/* litmus/run.c - exhaustive exploration of a parsed litmus test on a wmm model,
 * and its reports: slabstress's herd7-style text, JSON, and herd7's own block
 * (lit_print_herd), which prints only from struct lit_result so that another
 * engine (an exact LKMM checker with herd7's execution counts) can feed it.
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

#include "litmus/graph.h"
#include "litmus/litmus.h"

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

/* The register machine's binary operators (LOP_BINOP sub-codes); shared by both
 * engines. */
long long lit_binop(int sub, long long a, long long b)
{
	switch (sub) {
	case 0: return a || b;
	case 1: return a && b;
	case 2: return a | b;
	case 3: return a ^ b;
	case 4: return a & b;
	case 5: return a == b;
	case 6: return a != b;
	case 7: return a < b;
	case 8: return a > b;
	case 9: return a <= b;
	case 10: return a >= b;
	case 11: return (long long)((unsigned long long)a << (b & 63));
	case 12: return a >> (b & 63);
	case 13: return (long long)((unsigned long long)a + (unsigned long long)b);
	case 14: return (long long)((unsigned long long)a - (unsigned long long)b);
	case 15: return (long long)((unsigned long long)a * (unsigned long long)b);
	case 16: return b ? a / b : 0;
	case 17: return b ? a % b : 0;
	}
	return 0;
}

/* Runs local instructions until a shared one (or the end). */
static void run_local(struct ex *e, int i)
{
	const struct lit_thread *th = e->t->th[i];
	struct thr *s = &e->th[i];
	for (;;) {
		const struct lit_ins *in = &th->code[s->pc];
		switch (in->op) {
		case LOP_CONST:
			s->reg[in->dst] = in->imm;
			s->dep[in->dst] = 0;
			break;
		case LOP_MOV:
			s->reg[in->dst] = s->reg[in->a];
			s->dep[in->dst] = s->dep[in->a];
			break;
		case LOP_BIN:
			s->reg[in->dst] = lit_binop(in->sub, s->reg[in->a], s->reg[in->b]);
			s->dep[in->dst] = s->dep[in->a] | s->dep[in->b];
			break;
		case LOP_UN: {
			long long a = s->reg[in->a];
			s->reg[in->dst] = in->sub == 0	 ? !a
					  : in->sub == 1 ? !!a
					  : in->sub == 2 ? (long long)(0ull - (unsigned long long)a)
							 : ~a;
			s->dep[in->dst] = s->dep[in->a];
			break;
		}
		case LOP_JZ:
			if (!s->reg[in->a]) {
				s->pc = (int)in->imm;
				continue;
			}
			break;
		case LOP_JMP: s->pc = (int)in->imm; continue;
		default: return; /* shared or END */
		}
		s->pc++;
	}
}

static int addr_loc(struct ex *e, long long a, int line)
{
	long long k = (a - LIT_ADDR_BASE) / LIT_ADDR_STRIDE;
	if (a < LIT_ADDR_BASE || (a - LIT_ADDR_BASE) % LIT_ADDR_STRIDE || k >= e->t->nlocs) {
		if (!e->rt_error) {
			e->rt_error = true;
			snprintf(e->err, sizeof(e->err),
				 "line %d: access through %lld, which is not the address of a "
				 "location",
				 line, a);
		}
		return -1;
	}
	return (int)k; /* locations are registered in index order */
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
		long long v = (long long)wmm_load(w, i, l, in->acc, mask ? &d : NULL, &ri);
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

static long long val_of(struct ex *e, const struct lit_val *v)
{
	switch (v->kind) {
	case 1: return (long long)wmm_newest(e->w, v->idx);
	case 2: return e->th[v->t].reg[v->idx];
	}
	return v->c;
}

static bool prop_eval(struct ex *e, int k)
{
	const struct lit_prop *p = &e->t->props[k];
	switch (p->kind) {
	case PK_TRUE: return true;
	case PK_FALSE: return false;
	case PK_ATOM: return val_of(e, &p->lhs) == val_of(e, &p->rhs);
	case PK_NOT: return !prop_eval(e, p->l);
	case PK_AND: return prop_eval(e, p->l) && prop_eval(e, p->r);
	case PK_OR: return prop_eval(e, p->l) || prop_eval(e, p->r);
	case PK_IMPL: return !prop_eval(e, p->l) || prop_eval(e, p->r);
	}
	return false;
}

static void record_final(struct ex *e, struct lit_result *r)
{
	const struct lit_test *t = e->t;
	r->finals++;
	if (t->filter >= 0 && !prop_eval(e, t->filter))
		return;
	struct lit_outcome o;
	memset(&o, 0, sizeof(o));
	for (int k = 0; k < t->nobs; k++)
		o.v[k] = val_of(e, &t->obs[k]);
	o.sat = t->cond >= 0 ? prop_eval(e, t->cond) : true;
	for (int k = 0; k < r->nout; k++)
		if (!memcmp(r->out[k].v, o.v, sizeof(o.v)))
			return;
	if (r->nout == r->capout) {
		r->capout = r->capout ? 2 * r->capout : 16;
		r->out = realloc(r->out, (size_t)r->capout * sizeof(*r->out));
		if (!r->out)
			abort();
	}
	r->out[r->nout++] = o;
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

static void lit_compare(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r);

static void lkvm_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
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
	lit_compare(t, o, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	wmm_destroy(e->w);
	free(e->vis);
	free(e);
}

/* ---- the dispatch point between the engines ------------------------------------- */

void lit_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	if (o->engine == LIT_ENGINE_CAT) {
		lit_cat_run(t, o, r); /* litmus/graph.c */
		lit_compare(t, o, r);
	} else {
		lkvm_run(t, o, r);
	}
}

int lit_engine_parse(const char *name, enum lit_engine *e)
{
	if (!strcmp(name, "cat"))
		*e = LIT_ENGINE_CAT;
	else if (!strcmp(name, "lkvm"))
		*e = LIT_ENGINE_LKVM;
	else
		return -1;
	return 0;
}

const char *lit_engine_name(enum lit_engine e)
{
	return e == LIT_ENGINE_CAT ? "cat" : "lkvm";
}

const char *lit_unsupported(const struct lit_test *t, enum lit_engine e)
{
	if (t->unsupported[0])
		return t->unsupported;
	if (e == LIT_ENGINE_LKVM && t->lkvm_unsupported[0])
		return t->lkvm_unsupported;
	return NULL;
}

/* Compare with the file's Result: line.  The lkvm models under-approximate
 * LKMM (sc ⊆ tso ⊆ LKMM; lkmm mode = LKVM), so an outcome shown that LKMM
 * forbids is a disagreement under every model; a missing outcome is one only
 * under lkmm (sc and tso are meant to be stronger).  The cat engine's lkmm is
 * LKMM itself: there every difference is a disagreement, the data-race flag
 * included. */
static void lit_compare(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r)
{
	bool lk = o->model == WMM_LKMM;
	if (r->error) {
		r->cmp = CMP_ERROR;
	} else if (r->gave_up) {
		r->cmp = CMP_INCOMPLETE;
		r->why = "gave up at --max-candidates";
	} else if (t->expect == EXP_NONE) {
		r->cmp = CMP_NONE;
	} else {
		bool unsound = false, miss = false;
		switch (t->expect) {
		case EXP_NEVER: unsound = r->pos > 0; break;
		case EXP_ALWAYS:
			unsound = r->neg > 0;
			miss = r->pos == 0 && r->nout;
			break;
		case EXP_SOMETIMES: miss = r->pos == 0 || r->neg == 0; break;
		case EXP_DEADLOCK: unsound = r->nout > 0; break;
		case EXP_NONE: break;
		}
		if (unsound) {
			r->cmp = CMP_DISAGREE;
			r->why = "false alarm: shows an outcome LKMM forbids";
		} else if (miss && lk) {
			r->cmp = r->complete ? CMP_DISAGREE : CMP_INCOMPLETE;
			r->why = "miss: the model is stronger than LKMM here";
		} else if (!r->complete) {
			r->cmp = CMP_INCOMPLETE;
		} else if (miss) {
			r->cmp = CMP_NONE; /* sc/tso stronger than LKMM: expected */
		} else if (lk && o->engine == LIT_ENGINE_CAT && r->datarace != t->datarace) {
			r->cmp = CMP_DISAGREE;
			r->why = r->datarace ? "data race flagged, Result: has no DATARACE"
					     : "Result: says DATARACE, no data race found";
		} else {
			r->cmp = CMP_AGREE;
		}
	}
}

void lit_result_free(struct lit_result *r)
{
	free(r->out);
	r->out = NULL;
}

/* ---- reports -------------------------------------------------------------------- */

const char *lit_expect_name(enum lit_expect x)
{
	switch (x) {
	case EXP_NEVER: return "Never";
	case EXP_SOMETIMES: return "Sometimes";
	case EXP_ALWAYS: return "Always";
	case EXP_DEADLOCK: return "DEADLOCK";
	case EXP_NONE: break;
	}
	return "none";
}

const char *lit_obs_name(enum lit_obs_verdict v)
{
	return v == OBS_NEVER ? "Never" : v == OBS_ALWAYS ? "Always" : "Sometimes";
}

const char *lit_cmp_name(enum lit_cmp c)
{
	switch (c) {
	case CMP_AGREE: return "agree";
	case CMP_DISAGREE: return "DISAGREE";
	case CMP_NONE: return "not compared";
	case CMP_UNSUPPORTED: return "unsupported";
	case CMP_INCOMPLETE: return "incomplete";
	case CMP_ERROR: return "error";
	}
	return "?";
}

static void fmt_value(const struct lit_test *t, long long v, char *buf, size_t n)
{
	long long k = (v - LIT_ADDR_BASE) / LIT_ADDR_STRIDE;
	if (v >= LIT_ADDR_BASE && (v - LIT_ADDR_BASE) % LIT_ADDR_STRIDE == 0 && k < t->nlocs)
		snprintf(buf, n, "%s", t->locs[k].name);
	else
		snprintf(buf, n, "%lld", v);
}

static void fmt_key(const struct lit_test *t, const struct lit_val *v, char *buf, size_t n)
{
	if (v->kind == 1)
		snprintf(buf, n, "%s", t->locs[v->idx].name);
	else
		snprintf(buf, n, "%d:%s", v->t, t->th[v->t]->regname[v->idx]);
}

/* herd7 prints registers first (by thread), then memory. */
static int obs_order(const struct lit_test *t, int *ord)
{
	int n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < t->nobs; k++)
			if ((pass == 0) == (t->obs[k].kind == 2))
				ord[n++] = k;
	/* stable sort registers by thread */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0; b--) {
			const struct lit_val *x = &t->obs[ord[b - 1]], *y = &t->obs[ord[b]];
			if (x->kind == 2 && y->kind == 2 && x->t > y->t) {
				int tmp = ord[b];
				ord[b] = ord[b - 1];
				ord[b - 1] = tmp;
			}
		}
	return n;
}

static void fmt_state(const struct lit_test *t, const struct lit_outcome *o, char *buf, size_t n)
{
	int ord[LIT_MAX_OBS], no = obs_order(t, ord);
	size_t used = 0;
	buf[0] = 0;
	for (int j = 0; j < no; j++) {
		char key[LIT_NAME * 2], val[LIT_NAME];
		fmt_key(t, &t->obs[ord[j]], key, sizeof(key));
		fmt_value(t, o->v[ord[j]], val, sizeof(val));
		int w = snprintf(buf + used, n - used, "%s%s=%s;", j ? " " : "", key, val);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

static int outcome_cmp_t(const void *a, const void *b, void *ctx)
{
	const struct lit_test *t = ctx;
	const struct lit_outcome *x = a, *y = b;
	int ord[LIT_MAX_OBS], no = obs_order(t, ord);
	for (int j = 0; j < no; j++)
		if (x->v[ord[j]] != y->v[ord[j]])
			return x->v[ord[j]] < y->v[ord[j]] ? -1 : 1;
	return 0;
}

static void fmt_prop(const struct lit_test *t, int k, char *buf, size_t n)
{
	const struct lit_prop *p = &t->props[k];
	char a[512], b[512];
	switch (p->kind) {
	case PK_TRUE: snprintf(buf, n, "true"); return;
	case PK_FALSE: snprintf(buf, n, "false"); return;
	case PK_ATOM:
		fmt_key(t, &p->lhs, a, sizeof(a));
		if (p->rhs.kind)
			fmt_key(t, &p->rhs, b, sizeof(b));
		else
			fmt_value(t, p->rhs.c, b, sizeof(b));
		snprintf(buf, n, "%s=%s", a, b);
		return;
	case PK_NOT:
		fmt_prop(t, p->l, a, sizeof(a));
		snprintf(buf, n, "~%s%s%s", t->props[p->l].kind == PK_ATOM ? "" : "(", a,
			 t->props[p->l].kind == PK_ATOM ? "" : ")");
		return;
	default:
		fmt_prop(t, p->l, a, sizeof(a));
		fmt_prop(t, p->r, b, sizeof(b));
		snprintf(buf, n, "(%s %s %s)", a,
			 p->kind == PK_AND  ? "/\\"
			 : p->kind == PK_OR ? "\\/"
					    : "=>",
			 b);
		return;
	}
}

static const char *quant_kind(enum lit_quant q)
{
	/* no condition at all: herd7 reads "forall (true)" */
	return q == Q_NOT_EXISTS	      ? "Forbidden"
	       : q == Q_FORALL || q == Q_NONE ? "Required"
					      : "Allowed";
}

static bool quant_ok(const struct lit_test *t, const struct lit_result *r)
{
	switch (t->quant) {
	case Q_NOT_EXISTS: return r->pos == 0;
	case Q_NONE:
	case Q_FORALL: return r->neg == 0;
	default: return r->pos > 0;
	}
}

static void sort_outcomes(const struct lit_test *t, const struct lit_result *r)
{
	if (r->nout > 1) /* no state at all (a deadlocked test): out may be NULL */
		qsort_r(r->out, (size_t)r->nout, sizeof(*r->out), outcome_cmp_t, (void *)t);
}

void lit_print(FILE *f, const struct lit_test *t, const struct lit_result *r, bool quiet)
{
	char cond[2048] = "true";
	if (t->cond >= 0)
		fmt_prop(t, t->cond, cond, sizeof(cond));
	if (quiet) {
		fprintf(f, "%-56s %-9s %s", t->name, r->error ? "error" : lit_obs_name(r->obs),
			t->expect == EXP_NONE ? "" : lit_expect_name(t->expect));
		fprintf(f, " %s%s%s\n", lit_cmp_name(r->cmp),
			r->error			   ? ": "
			: r->why && r->cmp == CMP_DISAGREE ? ": "
							   : "",
			r->error			   ? r->err
			: r->why && r->cmp == CMP_DISAGREE ? r->why
							   : "");
		return;
	}
	fprintf(f, "Test %s %s\n", t->name, quant_kind(t->quant));
	if (r->error) {
		fprintf(f, "Error %s\n", r->err);
	} else {
		sort_outcomes(t, r);
		fprintf(f, "States %d\n", r->nout);
		for (int k = 0; k < r->nout; k++) {
			char buf[2048];
			fmt_state(t, &r->out[k], buf, sizeof(buf));
			fprintf(f, "%s\n", buf);
		}
		fprintf(f, "%s\n", quant_ok(t, r) ? "Ok" : "No");
		fprintf(f, "Witnesses\nPositive: %u Negative: %u\n", r->pos, r->neg);
		if (r->datarace)
			fprintf(f, "Flag data-race\n");
	}
	fprintf(f, "Condition %s %s\n",
		t->quant == Q_NOT_EXISTS ? "~exists"
		: t->quant == Q_FORALL	 ? "forall"
					 : "exists",
		cond);
	if (!r->error)
		fprintf(f, "Observation %s %s %u %u\n", t->name, lit_obs_name(r->obs), r->pos,
			r->neg);
	fprintf(f,
		"Model %s: %llu executions, %llu states, %llu pruned, %llu deadlocked%s, %.3fs\n",
		wmm_model_name(r->model), r->executions, r->states, r->pruned, r->deadlocks,
		r->complete ? "" : " (INCOMPLETE: state limit)", r->seconds);
	if (t->expect != EXP_NONE)
		fprintf(f, "Expected (Result: %s%s) -> %s%s%s\n", lit_expect_name(t->expect),
			t->datarace ? " DATARACE" : "", lit_cmp_name(r->cmp),
			r->why && r->cmp == CMP_DISAGREE ? ": " : "",
			r->why && r->cmp == CMP_DISAGREE ? r->why : "");
	fprintf(f, "\n");
}

json_t *lit_result_json(const struct lit_test *t, const struct lit_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "file", json_string(t->path));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "model", json_string(wmm_model_name(r->model)));
	json_object_set_new(o, "expected",
			    t->expect == EXP_NONE ? json_null()
						  : json_string(lit_expect_name(t->expect)));
	json_object_set_new(o, "kind", json_string(quant_kind(t->quant)));
	char cond[2048] = "true";
	if (t->cond >= 0)
		fmt_prop(t, t->cond, cond, sizeof(cond));
	json_object_set_new(o, "condition", json_string(cond));
	if (r->error) {
		json_object_set_new(o, "error", json_string(r->err));
	} else {
		sort_outcomes(t, r);
		json_t *st = json_array();
		for (int k = 0; k < r->nout; k++) {
			json_t *s = json_object();
			int ord[LIT_MAX_OBS], no = obs_order(t, ord);
			json_t *vals = json_object();
			for (int j = 0; j < no; j++) {
				char key[LIT_NAME * 2], val[LIT_NAME];
				fmt_key(t, &t->obs[ord[j]], key, sizeof(key));
				fmt_value(t, r->out[k].v[ord[j]], val, sizeof(val));
				json_object_set_new(vals, key, json_string(val));
			}
			json_object_set_new(s, "values", vals);
			json_object_set_new(s, "condition", json_boolean(r->out[k].sat));
			json_array_append_new(st, s);
		}
		json_object_set_new(o, "states", st);
		json_object_set_new(o, "observation", json_string(lit_obs_name(r->obs)));
		json_object_set_new(o, "positive", json_integer(r->pos));
		json_object_set_new(o, "negative", json_integer(r->neg));
		json_object_set_new(o, "datarace", json_boolean(r->datarace));
	}
	json_object_set_new(o, "verdict", json_string(lit_cmp_name(r->cmp)));
	if (r->why && r->cmp == CMP_DISAGREE)
		json_object_set_new(o, "reason", json_string(r->why));
	json_object_set_new(o, "complete", json_boolean(r->complete));
	json_t *tm = json_object();
	json_object_set_new(tm, "seconds", json_real(r->seconds));
	json_object_set_new(tm, "executions", json_integer((json_int_t)r->executions));
	json_object_set_new(tm, "states", json_integer((json_int_t)r->states));
	json_object_set_new(tm, "pruned", json_integer((json_int_t)r->pruned));
	json_object_set_new(tm, "deadlocked", json_integer((json_int_t)r->deadlocks));
	json_object_set_new(o, "timing", tm);
	return o;
}

/* ---- herd7's block -------------------------------------------------------------- */

/* herd7 orders a final state's bindings by location: registers by thread and
 * name, then memory by name. */
static int herd_obs_cmp(const struct lit_test *t, const struct lit_val *x, const struct lit_val *y)
{
	if (x->kind != y->kind)
		return x->kind == 2 ? -1 : 1;
	if (x->kind == 2) {
		if (x->t != y->t)
			return x->t < y->t ? -1 : 1;
		return strcmp(t->th[x->t]->regname[x->idx], t->th[y->t]->regname[y->idx]);
	}
	return strcmp(t->locs[x->idx].name, t->locs[y->idx].name);
}

static int herd_obs_order(const struct lit_test *t, int *ord)
{
	int n = t->nobs;
	for (int k = 0; k < n; k++)
		ord[k] = k;
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && herd_obs_cmp(t, &t->obs[ord[b - 1]], &t->obs[ord[b]]) > 0;
		     b--) {
			int tmp = ord[b];
			ord[b] = ord[b - 1];
			ord[b - 1] = tmp;
		}
	return n;
}

static void herd_key(const struct lit_test *t, const struct lit_val *v, char *buf, size_t n)
{
	if (v->kind == 1)
		snprintf(buf, n, "[%s]", t->locs[v->idx].name);
	else
		snprintf(buf, n, "%d:%s", v->t, t->th[v->t]->regname[v->idx]);
}

static bool is_addr(const struct lit_test *t, long long v)
{
	return v >= LIT_ADDR_BASE && (v - LIT_ADDR_BASE) % LIT_ADDR_STRIDE == 0 &&
	       (v - LIT_ADDR_BASE) / LIT_ADDR_STRIDE < t->nlocs;
}

/* Values: numbers before addresses (printed as the location's name). */
static int herd_val_cmp(const struct lit_test *t, long long a, long long b)
{
	bool sa = is_addr(t, a), sb = is_addr(t, b);
	if (sa != sb)
		return sa ? 1 : -1;
	if (sa)
		return strcmp(t->locs[(a - LIT_ADDR_BASE) / LIT_ADDR_STRIDE].name,
			      t->locs[(b - LIT_ADDR_BASE) / LIT_ADDR_STRIDE].name);
	return a < b ? -1 : a > b;
}

static int herd_state_cmp(const void *a, const void *b, void *ctx)
{
	const struct lit_test *t = ctx;
	const struct lit_outcome *x = a, *y = b;
	int ord[LIT_MAX_OBS], no = herd_obs_order(t, ord);
	for (int j = 0; j < no; j++) {
		int c = herd_val_cmp(t, x->v[ord[j]], y->v[ord[j]]);
		if (c)
			return c;
	}
	return 0;
}

enum herd_above { H_TOP, H_AND, H_OR, H_IMPL };

/* herd7's ConstrGen printing: And/Or chains flat, parenthesised only under a
 * different connective, "not (...)" for a negation. */
static void herd_prop(const struct lit_test *t, int k, enum herd_above above, char *buf, size_t n)
{
	const struct lit_prop *p = &t->props[k];
	char a[512], b[512];
	enum herd_above here = p->kind == PK_AND ? H_AND : p->kind == PK_OR ? H_OR : H_IMPL;
	switch (p->kind) {
	case PK_TRUE: snprintf(buf, n, "true"); return;
	case PK_FALSE: snprintf(buf, n, "false"); return;
	case PK_ATOM:
		herd_key(t, &p->lhs, a, sizeof(a));
		if (p->rhs.kind)
			herd_key(t, &p->rhs, b, sizeof(b));
		else
			fmt_value(t, p->rhs.c, b, sizeof(b));
		snprintf(buf, n, "%s=%s", a, b);
		return;
	case PK_NOT:
		herd_prop(t, p->l, H_TOP, a, sizeof(a));
		snprintf(buf, n, "not (%s)", a);
		return;
	default: break;
	}
	herd_prop(t, p->l, here, a, sizeof(a));
	herd_prop(t, p->r, here, b, sizeof(b));
	/* herd7's is_paren: only an And under an Or, or a chain of the same
	 * connective, goes without parentheses */
	bool paren = above != H_TOP && above != here && !(above == H_OR && here == H_AND);
	snprintf(buf, n, "%s%s%s%s%s", paren ? "(" : "", a,
		 here == H_AND	? " /\\ "
		 : here == H_OR ? " \\/ "
				: " => ",
		 b, paren ? ")" : "");
}

void lit_herd_condition(const struct lit_test *t, char *buf, size_t n)
{
	char c[2048] = "true";
	if (t->cond >= 0)
		herd_prop(t, t->cond, H_TOP, c, sizeof(c));
	snprintf(buf, n, "%s (%s)",
		 t->quant == Q_NOT_EXISTS		      ? "~exists"
		 : t->quant == Q_FORALL || t->quant == Q_NONE ? "forall"
							      : "exists",
		 c);
}

void lit_print_herd(FILE *f, const struct lit_test *t, const struct lit_result *r)
{
	fprintf(f, "Test %s %s\n", t->name, quant_kind(t->quant));
	if (r->nout > 1)
		qsort_r(r->out, (size_t)r->nout, sizeof(*r->out), herd_state_cmp, (void *)t);
	fprintf(f, "States %d\n", r->nout);
	int ord[LIT_MAX_OBS], no = herd_obs_order(t, ord);
	for (int k = 0; k < r->nout; k++) {
		for (int j = 0; j < no; j++) {
			char key[LIT_NAME * 2], val[LIT_NAME];
			herd_key(t, &t->obs[ord[j]], key, sizeof(key));
			fmt_value(t, r->out[k].v[ord[j]], val, sizeof(val));
			fprintf(f, "%s=%s;%s", key, val, j + 1 < no ? " " : "");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "%s\n", quant_ok(t, r) ? "Ok" : "No");
	bool swap = t->quant == Q_NOT_EXISTS; /* herd7 counts the witnesses of ~p */
	fprintf(f, "Witnesses\nPositive: %u Negative: %u\n", swap ? r->neg : r->pos,
		swap ? r->pos : r->neg);
	if (r->race_checked && r->datarace)
		fprintf(f, "Flag data-race\n");
	char cond[2304];
	lit_herd_condition(t, cond, sizeof(cond));
	fprintf(f, "Condition %s\n", cond);
	fprintf(f, "Observation %s %s %u %u\n", t->name, lit_obs_name(r->obs), r->pos, r->neg);
	fprintf(f, "Time %s %0.2f\n", t->name, r->seconds);
	fprintf(f, "Hash=%016llx%016llx\n\n", t->digest[0], t->digest[1]);
}
