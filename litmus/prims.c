/* litmus/prims.c - the kernel primitives of the C-litmus dialect: which names
 * tools/memory-model/linux-kernel.def defines (what herd7 accepts), and how each
 * compiles to the register machine (one table row per name or per RMW family).
 * A known name this tool does not model (atomic_xor, ...) makes the test
 * unsupported; an unknown one is herd7's "Unknown macro" user error.
 */
#include <stdio.h>

#include "litmus/parse_internal.h"

/* Splits "<base><suffix>" for the ordering suffixes of RMWs. */
static int rmw_order(const char *name, const char *base, bool *match)
{
	size_t n = strlen(base);
	*match = false;
	if (strncmp(name, base, n))
		return 0;
	const char *s = name + n;
	*match = true;
	if (!*s)
		return SS_ORD_FULL;
	if (!strcmp(s, "_relaxed"))
		return SS_ORD_RELAXED;
	if (!strcmp(s, "_acquire"))
		return SS_ORD_ACQUIRE;
	if (!strcmp(s, "_release"))
		return SS_ORD_RELEASE;
	*match = false;
	return 0;
}

/* The macros of the kernel's tools/memory-model/linux-kernel.def (as of v6.15),
 * by name: what herd7 knows with -conf linux-kernel.cfg.  Names with an
 * ordering family take "", _relaxed, _acquire and _release. */
static const char *const def_plain[] = {
    "READ_ONCE",
    "WRITE_ONCE",
    "smp_store_release",
    "smp_load_acquire",
    "rcu_assign_pointer",
    "rcu_dereference",
    "smp_store_mb",
    "smp_mb",
    "smp_rmb",
    "smp_wmb",
    "smp_mb__before_atomic",
    "smp_mb__after_atomic",
    "smp_mb__after_spinlock",
    "smp_mb__after_unlock_lock",
    "smp_mb__after_srcu_read_unlock",
    "barrier",
    "spin_lock",
    "spin_unlock",
    "spin_trylock",
    "spin_is_locked",
    "rcu_read_lock",
    "rcu_read_unlock",
    "synchronize_rcu",
    "synchronize_rcu_expedited",
    "srcu_read_lock",
    "srcu_read_unlock",
    "srcu_down_read",
    "srcu_up_read",
    "synchronize_srcu",
    "synchronize_srcu_expedited",
    "atomic_read",
    "atomic_set",
    "atomic_read_acquire",
    "atomic_set_release",
    "atomic_add",
    "atomic_sub",
    "atomic_inc",
    "atomic_dec",
    "atomic_and",
    "atomic_or",
    "atomic_xor",
    "atomic_andnot",
    "atomic_sub_and_test",
    "atomic_dec_and_test",
    "atomic_inc_and_test",
    /* not in the file: herd7's own "legacy" built-in */
    "atomic_add_unless",
    NULL,
};
static const char *const def_ordered[] = {
    "xchg",
    "cmpxchg",
    "atomic_xchg",
    "atomic_cmpxchg",
    "atomic_add_return",
    "atomic_fetch_add",
    "atomic_inc_return",
    "atomic_fetch_inc",
    "atomic_sub_return",
    "atomic_fetch_sub",
    "atomic_dec_return",
    "atomic_fetch_dec",
    "atomic_fetch_and",
    "atomic_fetch_or",
    "atomic_fetch_xor",
    "atomic_fetch_andnot",
    "atomic_add_negative",
    NULL,
};

bool lit_macro_known(const struct lit_parse_opts *po, const char *fn)
{
	if (po && po->macros) {
		for (int i = 0; i < po->nmacros; i++)
			if (!strcmp(po->macros[i], fn))
				return true;
		return !strcmp(fn, "atomic_add_unless"); /* herd7 built-in */
	}
	for (int i = 0; def_plain[i]; i++)
		if (!strcmp(def_plain[i], fn))
			return true;
	for (int i = 0; def_ordered[i]; i++) {
		size_t n = strlen(def_ordered[i]);
		if (strncmp(fn, def_ordered[i], n))
			continue;
		const char *sfx = fn + n;
		if (!*sfx || !strcmp(sfx, "_relaxed") || !strcmp(sfx, "_acquire") ||
		    !strcmp(sfx, "_release"))
			return true;
	}
	return false;
}

/* ---- compiling the primitives ------------------------------------------------------ */

/* One primitive's compiler: parses the arguments after "fn(" up to and including
 * the ')' and emits its code; returns the value register or -1.  arg is the
 * table row's (an access kind, a fence kind, an opcode). */
typedef int (*prim_fn)(struct ps *p, const char *fn, int arg);

/* READ_ONCE(*x), rcu_dereference(*x): a load of an lvalue. */
static int prim_load_lvalue(struct ps *p, const char *fn, int acc)
{
	(void)fn;
	int a = lp_lvalue_addr(p);
	lp_args_end(p);
	return lp_load(p, a, acc);
}

/* smp_load_acquire(x), atomic_read(x): a load of a pointer. */
static int prim_load(struct ps *p, const char *fn, int acc)
{
	(void)fn;
	int a = lp_expr(p);
	lp_args_end(p);
	return lp_load(p, a, acc);
}

/* spin_is_locked(l): a marked load of the lock word (locked != 0). */
static int prim_spin_is_locked(struct ps *p, const char *fn, int arg)
{
	(void)fn;
	(void)arg;
	int a = lp_expr(p);
	lp_args_end(p);
	int v = lp_load(p, a, SS_ACC_ONCE);
	return lp_un(p, 1, v);
}

/* WRITE_ONCE(*x, v), rcu_assign_pointer(*x, v), smp_store_mb(*x, v). */
static int prim_store_lvalue(struct ps *p, const char *fn, int acc)
{
	int a = lp_lvalue_addr(p);
	lp_comma(p);
	int v = lp_expr(p);
	lp_args_end(p);
	lp_store(p, a, v, acc);
	if (!strcmp(fn, "smp_store_mb"))
		lp_fence(p, SS_FENCE_MB, LIT_F_MB);
	return -1;
}

/* smp_store_release(x, v), atomic_set(x, v), atomic_set_release(x, v). */
static int prim_store(struct ps *p, const char *fn, int acc)
{
	(void)fn;
	int a = lp_expr(p);
	lp_comma(p);
	int v = lp_expr(p);
	lp_args_end(p);
	lp_store(p, a, v, acc);
	return -1;
}

/* A fence of LKMM kind kd; barrier and RCU read-side markers are no-ops for the
 * lkvm engine (program order is execution order there), events for the cat
 * engine. */
static int prim_fence(struct ps *p, const char *fn, int kd)
{
	lp_args_end(p);
	lp_fence(p,
		 kd == LIT_F_WMB   ? SS_FENCE_WMB
		 : kd == LIT_F_RMB ? SS_FENCE_RMB
				   : SS_FENCE_MB,
		 (enum lit_fence)kd);
	if (kd == LIT_F_SYNC_RCU)
		snprintf(p->t->lkvm_unsupported, sizeof(p->t->lkvm_unsupported),
			 "%s (RCU grace period; use --engine cat)", fn);
	return -1;
}

/* SRCU (engine cat only; the parameter's type marks the test lkvm-unsupported):
 * linux-kernel.def makes the read side a load and a store of the srcu_struct. */
static int prim_srcu_lock(struct ps *p, const char *fn, int arg)
{
	(void)fn;
	(void)arg;
	int a = lp_expr(p);
	lp_args_end(p);
	int r = lp_load(p, a, SS_ACC_ONCE);
	p->th->code[p->th->ncode - 1].ord = LIT_SRCU_LOCK;
	return r;
}

static int prim_srcu_unlock(struct ps *p, const char *fn, int arg)
{
	(void)fn;
	(void)arg;
	int a = lp_expr(p);
	lp_comma(p);
	int v = lp_expr(p);
	lp_args_end(p);
	lp_store(p, a, v, SS_ACC_ONCE);
	p->th->code[p->th->ncode - 1].ord = LIT_SRCU_UNLOCK;
	return -1;
}

static int prim_sync_srcu(struct ps *p, const char *fn, int arg)
{
	(void)fn;
	(void)arg;
	int a = lp_expr(p);
	lp_args_end(p);
	lp_fence(p, SS_FENCE_MB, LIT_F_SYNC_SRCU);
	p->th->code[p->th->ncode - 1].a = a;
	return -1;
}

/* spin_lock, spin_unlock, spin_trylock (op: LOP_LOCK, LOP_UNLOCK, LOP_TRYLOCK). */
static int prim_spin(struct ps *p, const char *fn, int op)
{
	(void)fn;
	int a = lp_expr(p);
	lp_args_end(p);
	int k = lp_emit(p, op);
	p->th->code[k].a = a;
	if (op == LOP_TRYLOCK) {
		int r = lp_tmp(p);
		p->th->code[k].dst = r;
		p->th->code[k].load_id = lp_load_id(p);
		return r;
	}
	return -1;
}

/* atomic_{inc,dec}(v), atomic_{add,sub,and,or,andnot}(i, v): relaxed, no value. */
static int prim_atomic_void(struct ps *p, const char *fn, int op)
{
	int opnd, a;
	bool unary = !strcmp(fn, "atomic_inc") || !strcmp(fn, "atomic_dec");
	if (unary) {
		a = lp_expr(p);
		opnd = lp_const(p, !strcmp(fn, "atomic_inc") ? 1 : -1);
	} else {
		opnd = lp_expr(p);
		lp_comma(p);
		a = lp_expr(p);
		if (!strcmp(fn, "atomic_sub"))
			opnd = lp_un(p, 2 /* neg */, opnd);
		if (!strcmp(fn, "atomic_andnot"))
			opnd = lp_un(p, 3 /* ~ */, opnd);
	}
	lp_args_end(p);
	lp_rmw(p, op, a, opnd, -1, SS_ORD_RELAXED, RET_NONE);
	return -1;
}

/* atomic_add_unless(v, a, u), atomic_inc_not_zero(v). */
static int prim_add_unless(struct ps *p, const char *fn, int arg)
{
	(void)arg;
	int a = lp_expr(p), opnd, u;
	if (fn[7] == 'a') {
		lp_comma(p);
		opnd = lp_expr(p);
		lp_comma(p);
		u = lp_expr(p);
	} else {
		opnd = lp_const(p, 1);
		u = lp_const(p, 0);
	}
	lp_args_end(p);
	return lp_rmw(p, WMM_RMW_ADD_UNLESS, a, opnd, u, SS_ORD_FULL, RET_OK);
}

/* The primitives called by their exact name. */
static const struct {
	const char *fn;
	prim_fn compile;
	int arg;
} prims_exact[] = {
    {"READ_ONCE", prim_load_lvalue, SS_ACC_ONCE},
    {"rcu_dereference", prim_load_lvalue, SS_ACC_ONCE},
    {"smp_load_acquire", prim_load, SS_ACC_ACQUIRE},
    {"atomic_read_acquire", prim_load, SS_ACC_ACQUIRE},
    {"atomic_read", prim_load, SS_ACC_ONCE},
    {"spin_is_locked", prim_spin_is_locked, 0},
    {"WRITE_ONCE", prim_store_lvalue, SS_ACC_ONCE},
    {"rcu_assign_pointer", prim_store_lvalue, SS_ACC_RELEASE},
    {"smp_store_mb", prim_store_lvalue, SS_ACC_ONCE},
    {"smp_store_release", prim_store, SS_ACC_RELEASE},
    {"atomic_set_release", prim_store, SS_ACC_RELEASE},
    {"atomic_set", prim_store, SS_ACC_ONCE},
    {"smp_mb", prim_fence, LIT_F_MB},
    {"smp_mb__before_atomic", prim_fence, LIT_F_BEFORE_ATOMIC},
    {"smp_mb__after_atomic", prim_fence, LIT_F_AFTER_ATOMIC},
    {"smp_mb__after_spinlock", prim_fence, LIT_F_AFTER_SPINLOCK},
    {"smp_mb__after_unlock_lock", prim_fence, LIT_F_AFTER_UNLOCK_LOCK},
    {"smp_wmb", prim_fence, LIT_F_WMB},
    {"smp_rmb", prim_fence, LIT_F_RMB},
    {"barrier", prim_fence, LIT_F_BARRIER},
    {"rcu_read_lock", prim_fence, LIT_F_RCU_LOCK},
    {"rcu_read_unlock", prim_fence, LIT_F_RCU_UNLOCK},
    {"synchronize_rcu", prim_fence, LIT_F_SYNC_RCU},
    {"synchronize_rcu_expedited", prim_fence, LIT_F_SYNC_RCU},
    {"smp_mb__after_srcu_read_unlock", prim_fence, LIT_F_AFTER_SRCU_READ_UNLOCK},
    {"srcu_read_lock", prim_srcu_lock, 0},
    {"srcu_down_read", prim_srcu_lock, 0},
    {"srcu_read_unlock", prim_srcu_unlock, 0},
    {"srcu_up_read", prim_srcu_unlock, 0},
    {"synchronize_srcu", prim_sync_srcu, 0},
    {"synchronize_srcu_expedited", prim_sync_srcu, 0},
    {"spin_lock", prim_spin, LOP_LOCK},
    {"spin_unlock", prim_spin, LOP_UNLOCK},
    {"spin_trylock", prim_spin, LOP_TRYLOCK},
    {"atomic_inc", prim_atomic_void, SS_RMW_ADD},
    {"atomic_dec", prim_atomic_void, SS_RMW_ADD},
    {"atomic_add", prim_atomic_void, SS_RMW_ADD},
    {"atomic_sub", prim_atomic_void, SS_RMW_ADD},
    {"atomic_and", prim_atomic_void, SS_RMW_AND},
    {"atomic_andnot", prim_atomic_void, SS_RMW_AND},
    {"atomic_or", prim_atomic_void, SS_RMW_OR},
    {"atomic_add_unless", prim_add_unless, 0},
    {"atomic_inc_not_zero", prim_add_unless, 0},
};

/* The value-returning RMWs, by base name: each takes "", _relaxed, _acquire and
 * _release (rmw_order) except the *_and_test forms. */
static const struct {
	const char *base;
	int nargs; /* 1: (v), 2: (i, v) for arithmetic, (v, n) xchg, 3: (v, o, n) cmpxchg */
	int delta; /* 1 args: +1/-1; 2 args: +1 as is, -1 negated, -2 complemented */
	int op, ret;
} prims_rmw[] = {
    {"xchg", 2, 0, SS_RMW_XCHG, RET_OLD},
    {"atomic_xchg", 2, 0, SS_RMW_XCHG, RET_OLD},
    {"cmpxchg", 3, 0, SS_RMW_CMPXCHG, RET_OLD},
    {"atomic_cmpxchg", 3, 0, SS_RMW_CMPXCHG, RET_OLD},
    {"atomic_add_return", 2, 1, SS_RMW_ADD, RET_NEW},
    {"atomic_sub_return", 2, -1, SS_RMW_ADD, RET_NEW},
    {"atomic_inc_return", 1, 1, SS_RMW_ADD, RET_NEW},
    {"atomic_dec_return", 1, -1, SS_RMW_ADD, RET_NEW},
    {"atomic_fetch_add", 2, 1, SS_RMW_ADD, RET_OLD},
    {"atomic_fetch_sub", 2, -1, SS_RMW_ADD, RET_OLD},
    {"atomic_fetch_inc", 1, 1, SS_RMW_ADD, RET_OLD},
    {"atomic_fetch_dec", 1, -1, SS_RMW_ADD, RET_OLD},
    {"atomic_fetch_and", 2, 1, SS_RMW_AND, RET_OLD},
    {"atomic_fetch_or", 2, 1, SS_RMW_OR, RET_OLD},
    {"atomic_fetch_andnot", 2, -2, SS_RMW_AND, RET_OLD},
    {"atomic_inc_and_test", 1, 1, SS_RMW_ADD, RET_ZERO},
    {"atomic_dec_and_test", 1, -1, SS_RMW_ADD, RET_ZERO},
    {"atomic_sub_and_test", 2, -1, SS_RMW_ADD, RET_ZERO},
    {"atomic_add_negative", 2, 1, SS_RMW_ADD, RET_NEG},
};

/* Row i of prims_rmw with ordering ord. */
static int prim_rmw(struct ps *p, size_t i, int ord)
{
	int a, opnd, expected = -1;
	if (prims_rmw[i].op == SS_RMW_XCHG || prims_rmw[i].op == SS_RMW_CMPXCHG) {
		a = lp_expr(p);
		lp_comma(p);
		opnd = lp_expr(p);
		if (prims_rmw[i].nargs == 3) {
			lp_comma(p);
			expected = opnd;
			opnd = lp_expr(p);
		}
	} else if (prims_rmw[i].nargs == 1) {
		a = lp_expr(p);
		opnd = lp_const(p, prims_rmw[i].delta);
	} else {
		opnd = lp_expr(p);
		lp_comma(p);
		a = lp_expr(p);
		if (prims_rmw[i].delta == -1)
			opnd = lp_un(p, 2, opnd);
		else if (prims_rmw[i].delta == -2) /* andnot: & ~V */
			opnd = lp_un(p, 3, opnd);
	}
	lp_args_end(p);
	return lp_rmw(p, prims_rmw[i].op, a, opnd, expected, ord, prims_rmw[i].ret);
}

int lp_call(struct ps *p, const char *fn, int line)
{
	if (!lit_macro_known(p->po, fn))
		lp_err_kind(p, LIT_ERR_MACRO, line, "Unknown macro %s", fn);
	for (size_t i = 0; i < sizeof(prims_exact) / sizeof(prims_exact[0]); i++)
		if (!strcmp(fn, prims_exact[i].fn))
			return prims_exact[i].compile(p, fn, prims_exact[i].arg);
	for (size_t i = 0; i < sizeof(prims_rmw) / sizeof(prims_rmw[0]); i++) {
		bool m;
		int ord = rmw_order(fn, prims_rmw[i].base, &m);
		if (!m)
			continue;
		if (prims_rmw[i].ret == RET_ZERO && ord != SS_ORD_FULL)
			continue; /* the *_and_test forms have no ordering variants */
		return prim_rmw(p, i, ord);
	}
	lp_unsupported(p, fn);
}
