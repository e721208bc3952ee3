/* litmus/ccompile.c - compiles a thread body of the kernel C-litmus dialect
 * straight to the register machine of litmus/litmus.h: locations (each has a fixed
 * address), registers (herd7: used without a declaration is fine), code emission,
 * C expressions by precedence level (&& and || short-circuit with jumps) and
 * statements (blocks, if/else, declarations, assignments, plain stores).  Loops
 * and goto make a test unsupported.  Kernel primitives are litmus/prims.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "litmus/parse_internal.h"

/* ---- locations ------------------------------------------------------------------ */

int lp_find_loc(struct lit_test *t, const char *name)
{
	for (int i = 0; i < t->nlocs; i++)
		if (!strcmp(t->locs[i].name, name))
			return i;
	return -1;
}

int lp_get_loc(struct ps *p, const char *name, int line)
{
	int i = lp_find_loc(p->t, name);
	if (i >= 0)
		return i;
	if (p->t->nlocs >= LIT_MAX_LOCS)
		lp_err_kind(p, LIT_ERR_LIMIT, line,
			    "location '%s' is past the limit of %d locations", name, LIT_MAX_LOCS);
	i = p->t->nlocs++;
	snprintf(p->t->locs[i].name, LIT_NAME, "%s", name);
	p->t->locs[i].init = 0;
	return i;
}

long long lp_loc_addr(int i)
{
	return LIT_ADDR_BASE + LIT_ADDR_STRIDE * i;
}

bool lp_is_type_word(const char *s)
{
	static const char *const w[] = {"int",		 "long",       "unsigned", "signed",
					"char",		 "short",      "atomic_t", "atomic64_t",
					"atomic_long_t", "spinlock_t", "void",	   "volatile",
					"const",	 "struct",     "u8",	   "u16",
					"u32",		 "u64",	       "s8",	   "s16",
					"s32",		 "s64",	       "bool",	   "intptr_t",
					"uintptr_t",	 "size_t",     NULL};
	for (int i = 0; w[i]; i++)
		if (!strcmp(s, w[i]))
			return true;
	return false;
}

bool lp_skip_type(struct ps *p)
{
	bool any = false;
	while (cur(p)->k == T_ID && lp_is_type_word(cur(p)->s)) {
		if (!strcmp(cur(p)->s, "struct")) {
			p->i++;
			if (cur(p)->k == T_ID && !strcmp(cur(p)->s, "srcu_struct"))
				snprintf(p->t->lkvm_unsupported, sizeof(p->t->lkvm_unsupported),
					 "struct srcu_struct (SRCU; use --engine cat)");
			lp_ident(p, "struct name");
		} else {
			p->i++;
		}
		any = true;
	}
	while (any && accept(p, "*"))
		;
	return any;
}

/* ---- registers ------------------------------------------------------------------ */

struct lit_thread *lp_thread_get(struct ps *p, int tid)
{
	struct lit_test *t = p->t;
	if (tid < 0 || tid >= LIT_LIMIT_THREADS)
		lp_err_kind(p, LIT_ERR_LIMIT, cur(p)->line,
			    "thread P%d is past the limit of %d threads", tid, LIT_LIMIT_THREADS);
	if (tid >= LIT_MAX_THREADS) {
		char what[64];
		snprintf(what, sizeof(what), "%d threads (the engine runs at most %d)", tid + 1,
			 LIT_MAX_THREADS);
		lp_unsupported(p, what);
	}
	if (!t->th[tid]) {
		t->th[tid] = calloc(1, sizeof(struct lit_thread));
		if (!t->th[tid])
			abort();
	}
	return t->th[tid];
}

int lp_find_reg(struct lit_thread *th, const char *name)
{
	for (int i = 0; i < th->nregs; i++)
		if (th->regname[i][0] && !strcmp(th->regname[i], name))
			return i;
	return -1;
}

int lp_new_reg(struct ps *p, struct lit_thread *th, const char *name)
{
	if (th->nregs >= LIT_MAX_REGS)
		lp_err(p, cur(p)->line, "too many registers in one thread");
	int r = th->nregs++;
	snprintf(th->regname[r], LIT_NAME, "%s", name ? name : "");
	th->reg_init[r] = 0;
	return r;
}

int lp_get_reg(struct ps *p, struct lit_thread *th, const char *name)
{
	int r = lp_find_reg(th, name);
	return r >= 0 ? r : lp_new_reg(p, th, name);
}

/* ---- code emission -------------------------------------------------------------- */

int lp_emit(struct ps *p, int op)
{
	struct lit_thread *th = p->th;
	if (th->ncode >= LIT_MAX_CODE)
		lp_err(p, cur(p)->line, "thread too long");
	int k = th->ncode++;
	struct lit_ins *in = &th->code[k];
	memset(in, 0, sizeof(*in));
	in->op = (unsigned char)op;
	in->dst = in->a = in->b = in->c = -1;
	in->load_id = -1;
	in->line = cur(p)->line;
	return k;
}

/* A temporary: one a finished statement left, else a new register.  A
 * temporary lives within its statement (an if's condition up to its jump), so
 * long tests do not run out of registers. */
int lp_tmp(struct ps *p)
{
	int r = p->nfree ? p->tmp_free[--p->nfree] : lp_new_reg(p, p->th, NULL);
	p->tmp_live[p->nlive++] = r;
	return r;
}

/* The temporaries made since mark (a p->nlive) are free again. */
static void tmps_release(struct ps *p, int mark)
{
	while (p->nlive > mark)
		p->tmp_free[p->nfree++] = p->tmp_live[--p->nlive];
}

int lp_const(struct ps *p, long long v)
{
	int r = lp_tmp(p);
	int k = lp_emit(p, LOP_CONST);
	p->th->code[k].dst = r;
	p->th->code[k].imm = v;
	return r;
}

int lp_load_id(struct ps *p)
{
	int id = p->th->nloads++;
	return id < LIT_MAX_LOADS ? id : LIT_MAX_LOADS; /* beyond: "depends on all" */
}

int lp_load(struct ps *p, int addr, int acc)
{
	int r = lp_tmp(p);
	int k = lp_emit(p, LOP_LOAD);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = addr;
	in->acc = (unsigned char)acc;
	in->load_id = lp_load_id(p);
	return r;
}

void lp_store(struct ps *p, int addr, int val, int acc)
{
	int k = lp_emit(p, LOP_STORE);
	struct lit_ins *in = &p->th->code[k];
	in->a = addr;
	in->b = val;
	in->acc = (unsigned char)acc;
}

void lp_fence(struct ps *p, int f, enum lit_fence kind)
{
	int k = lp_emit(p, LOP_FENCE);
	p->th->code[k].sub = (unsigned char)f;
	p->th->code[k].imm = kind;
}

int lp_bin(struct ps *p, int sub, int a, int b)
{
	int r = lp_tmp(p);
	int k = lp_emit(p, LOP_BIN);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = a;
	in->b = b;
	in->sub = (unsigned char)sub;
	return r;
}

int lp_un(struct ps *p, int sub, int a)
{
	int r = lp_tmp(p);
	int k = lp_emit(p, LOP_UN);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = a;
	in->sub = (unsigned char)sub;
	return r;
}

int lp_rmw(struct ps *p, int op, int addr, int operand, int expected, int ord, int ret)
{
	int r = lp_tmp(p);
	int k = lp_emit(p, LOP_RMW);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = addr;
	in->b = operand;
	in->c = expected;
	in->sub = (unsigned char)op;
	in->ord = (unsigned char)ord;
	in->ret = (unsigned char)ret;
	in->load_id = lp_load_id(p);
	return r;
}

/* ---- expressions ---------------------------------------------------------------- */

/* The binary operators, by precedence level (low to high). */
static const char *const binops[][4] = {
    {"||", NULL},
    {"&&", NULL},
    {"|", NULL},
    {"^", NULL},
    {"&", NULL},
    {"==", "!=", NULL},
    {"<", ">", "<=", ">="},
    {"<<", ">>", NULL},
    {"+", "-", NULL},
    {"*", "/", "%", NULL},
};
#define NLEVELS ((int)(sizeof(binops) / sizeof(binops[0])))

/* sub codes for LOP_BIN: index into this list */
static const char *const binop_names[] = {"||", "&&", "|",  "^", "&", "==", "!=", "<", ">", "<=",
					  ">=", "<<", ">>", "+", "-", "*",  "/",  "%", NULL};

int lit_binop_code(const char *s);
int lit_binop_code(const char *s)
{
	for (int i = 0; binop_names[i]; i++)
		if (!strcmp(binop_names[i], s))
			return i;
	return -1;
}

static int c_level(struct ps *p, int lv)
{
	if (lv >= NLEVELS)
		return lp_unary(p);
	int l = c_level(p, lv + 1);
	for (;;) {
		const char *op = NULL;
		for (int j = 0; j < 4 && binops[lv][j]; j++)
			if (cur(p)->k == T_P && !strcmp(cur(p)->s, binops[lv][j]))
				op = binops[lv][j];
		if (!op)
			return l;
		p->i++;
		if (!strcmp(op, "&&") || !strcmp(op, "||")) {
			/* short circuit: r = !!l; if (r == (op is &&)) r = !!rhs */
			bool is_and = op[0] == '&';
			int res = lp_un(p, 1 /* !! */, l);
			int j;
			if (is_and) {
				j = lp_emit(p, LOP_JZ);
				p->th->code[j].a = res;
			} else {
				int n = lp_un(p, 0 /* ! */, res);
				j = lp_emit(p, LOP_JZ);
				p->th->code[j].a = n;
			}
			int rr = c_level(p, lv + 1);
			int k = lp_emit(p, LOP_UN);
			p->th->code[k].dst = res;
			p->th->code[k].a = rr;
			p->th->code[k].sub = 1;
			p->th->code[j].imm = p->th->ncode;
			p->th->code[j].c = p->th->ncode; /* the ctrl of the test ends here */
			l = res;
			continue;
		}
		int r = c_level(p, lv + 1);
		l = lp_bin(p, lit_binop_code(op), l, r);
	}
}

int lp_lvalue_addr(struct ps *p)
{
	if (accept(p, "*"))
		return lp_unary(p);
	if (accept(p, "(")) {
		int a = lp_lvalue_addr(p);
		lp_expect(p, ")", " closing the location");
		return a;
	}
	lp_err(p, cur(p)->line, "expected '*' and a pointer (as in READ_ONCE(*x)), found '%s'",
	       cur(p)->s);
}

void lp_args_end(struct ps *p)
{
	lp_expect(p, ")", " after the arguments");
}

void lp_comma(struct ps *p)
{
	lp_expect(p, ",", " between arguments");
}

static int c_primary(struct ps *p)
{
	struct tok *t = cur(p);
	if (t->k == T_NUM) {
		p->i++;
		return lp_const(p, t->v);
	}
	if (accept(p, "(")) {
		int r = lp_expr(p);
		lp_expect(p, ")", " closing the parenthesis");
		return r;
	}
	if (t->k == T_ID) {
		const char *name = t->s;
		int line = t->line;
		p->i++;
		if (accept(p, "("))
			return lp_call(p, name, line);
		if (!strcmp(name, "NULL"))
			return lp_const(p, 0);
		int r = lp_find_reg(p->th, name);
		if (r >= 0)
			return r;
		for (int i = 0; i < p->nparams; i++)
			if (!strcmp(p->param[i], name))
				return lp_const(p, lp_loc_addr(p->param_loc[i]));
		int l = lp_find_loc(p->t, name);
		if (l >= 0)
			return lp_const(p, lp_loc_addr(l));
		lp_err(p, line, "unknown identifier '%s' (not a register, parameter or location)",
		       name);
	}
	lp_err(p, t->line, "expected an expression, found '%s'", t->s);
}

static int c_unary_body(struct ps *p);

/* Every nesting construct of an expression ('(', unary operators, casts)
 * passes here: the depth limit bounds the recursion. */
int lp_unary(struct ps *p)
{
	lp_nest_in(p, cur(p)->line);
	int r = c_unary_body(p);
	lp_nest_out(p);
	return r;
}

static int c_unary_body(struct ps *p)
{
	struct tok *t = cur(p);
	if (accept(p, "!"))
		return lp_un(p, 0, lp_unary(p));
	if (accept(p, "-"))
		return lp_un(p, 2, lp_unary(p));
	if (accept(p, "~"))
		return lp_un(p, 3, lp_unary(p));
	if (accept(p, "+"))
		return lp_unary(p);
	if (accept(p, "*")) {
		int a = lp_unary(p);
		return lp_load(p, a, SS_ACC_PLAIN);
	}
	if (accept(p, "&")) {
		const char *name = lp_ident(p, "a location after '&'");
		for (int i = 0; i < p->nparams; i++)
			if (!strcmp(p->param[i], name))
				return lp_const(p, lp_loc_addr(p->param_loc[i]));
		int l = lp_find_loc(p->t, name);
		if (l < 0)
			lp_err(p, t->line, "'&%s': not a location", name);
		return lp_const(p, lp_loc_addr(l));
	}
	/* cast: '(' type ')' */
	if (is(p, "(") && p->i + 1 < p->ntk && p->tk[p->i + 1].k == T_ID &&
	    lp_is_type_word(p->tk[p->i + 1].s)) {
		p->i++;
		lp_skip_type(p);
		lp_expect(p, ")", " closing the cast");
		return lp_unary(p);
	}
	return c_primary(p);
}

int lp_expr(struct ps *p)
{
	return c_level(p, 0);
}

/* ---- statements ----------------------------------------------------------------- */

/* "lhs = rhs" or an expression; a statement-level assignment. */
static void c_assign_or_expr(struct ps *p)
{
	struct lit_thread *th = p->th;
	if (cur(p)->k == T_ID && is_at(p, 1, "=")) {
		const char *name = cur(p)->s;
		int line = cur(p)->line;
		int r = lp_find_reg(th, name);
		if (r < 0) {
			for (int i = 0; i < p->nparams; i++)
				if (!strcmp(p->param[i], name))
					lp_err(
					    p, line,
					    "'%s' is a location: write '*%s = ...' or WRITE_ONCE",
					    name, name);
			/* herd7: a register needs no declaration (an int, or a
			 * pointer when it holds an address: values are untyped here) */
			r = lp_new_reg(p, th, name);
		}
		p->i += 2;
		int v = lp_expr(p);
		int k = lp_emit(p, LOP_MOV);
		th->code[k].dst = r;
		th->code[k].a = v;
		return;
	}
	if (is(p, "*")) {
		/* "*e = v" is a plain store; otherwise it was an expression: undo */
		int save_i = p->i, save_code = th->ncode, save_regs = th->nregs,
		    save_loads = th->nloads, save_live = p->nlive, save_free = p->nfree;
		p->i++;
		int a = lp_unary(p);
		if (accept(p, "=")) {
			int v = lp_expr(p);
			lp_store(p, a, v, SS_ACC_PLAIN);
			return;
		}
		p->i = save_i;
		th->ncode = save_code;
		th->nregs = save_regs;
		th->nloads = save_loads;
		p->nlive = save_live; /* the free ones it took are still in tmp_free */
		p->nfree = save_free;
	}
	(void)lp_expr(p);
}

static void c_decl(struct ps *p)
{
	lp_skip_type(p);
	for (;;) {
		while (accept(p, "*"))
			;
		int line = cur(p)->line;
		const char *name = lp_ident(p, "a register name");
		if (lp_find_loc(p->t, name) >= 0 && lp_find_reg(p->th, name) < 0) {
			bool param = false;
			for (int i = 0; i < p->nparams; i++)
				param |= !strcmp(p->param[i], name);
			if (param)
				lp_err(p, line, "register '%s' shadows a parameter", name);
		}
		int r = lp_get_reg(p, p->th, name);
		if (accept(p, "=")) {
			int v = lp_expr(p);
			int k = lp_emit(p, LOP_MOV);
			p->th->code[k].dst = r;
			p->th->code[k].a = v;
		}
		if (!accept(p, ","))
			break;
	}
	lp_expect(p, ";", " after the declaration");
}

static void c_stmt_body(struct ps *p);

void lp_stmt(struct ps *p)
{
	lp_nest_in(p, cur(p)->line);
	c_stmt_body(p);
	lp_nest_out(p);
}

static void c_stmt_body(struct ps *p)
{
	struct lit_thread *th = p->th;
	int mark = p->nlive;
	if (accept(p, ";"))
		return;
	if (accept(p, "{")) {
		while (!is(p, "}")) {
			if (cur(p)->k == T_EOF)
				lp_err(p, cur(p)->line, "expected '}' closing the block");
			lp_stmt(p);
		}
		p->i++;
		return;
	}
	if (accept(p, "if")) {
		lp_expect(p, "(", " after 'if'");
		int c = lp_expr(p);
		lp_expect(p, ")", " closing the 'if' condition");
		int jz = lp_emit(p, LOP_JZ);
		th->code[jz].a = c;
		tmps_release(p, mark);
		lp_stmt(p);
		if (accept(p, "else")) {
			int j = lp_emit(p, LOP_JMP);
			th->code[jz].imm = th->ncode;
			lp_stmt(p);
			th->code[j].imm = th->ncode;
		} else {
			th->code[jz].imm = th->ncode;
		}
		th->code[jz].c = th->ncode; /* the join point: ctrl ends here */
		return;
	}
	if (cur(p)->k == T_ID &&
	    (!strcmp(cur(p)->s, "while") || !strcmp(cur(p)->s, "for") || !strcmp(cur(p)->s, "do") ||
	     !strcmp(cur(p)->s, "goto") || !strcmp(cur(p)->s, "switch")))
		lp_unsupported(p, cur(p)->s);
	if (cur(p)->k == T_ID && lp_is_type_word(cur(p)->s)) {
		c_decl(p);
		tmps_release(p, mark);
		return;
	}
	c_assign_or_expr(p);
	lp_expect(p, ";", " after the statement");
	tmps_release(p, mark);
}
