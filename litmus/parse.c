/* litmus/parse.c - parser and compiler for the kernel C-litmus dialect
 * (../shared/litmus/FORMAT.md).
 *
 * The file is lexed once.  OCaml comments "(* ... *)" are only recognised
 * outside braces (READ_ONCE(*x) contains "(*"), C comments everywhere.  Thread
 * bodies are compiled straight to the register machine of litmus.h.
 * Constructs whose LKMM meaning this tool does not model (RCU grace periods,
 * SRCU) stop the parse with t->unsupported set: such a test is reported as
 * unsupported, never guessed.  A call to a name that linux-kernel.def does not
 * define is herd7's "Unknown macro NAME" user error (LIT_ERR_MACRO), so the
 * kernel's judgelitmus.sh reads it as herd7's.
 *
 * herd7's dialect is followed where the two corpora (the kernel's and
 * paulmckrcu/litmus) use it: registers used without a declaration, typed
 * registers in the initial state, diy7 metadata lines, OCaml comments in the
 * initial state, '!=' / 'not' / '==' / '[x]' in conditions.
 *
 * Every input is bounded (LIT_LIMIT_*): file size, line length, nesting
 * depth, threads, locations; past one the parse fails with LIT_ERR_LIMIT and a
 * message naming the limit and the value.
 */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "litmus/litmus.h"

enum { T_EOF, T_ID, T_NUM, T_P };

struct tok {
	int k;
	char s[LIT_NAME];
	long long v;
	int line;
};

struct ps {
	struct lit_test *t;
	struct tok *tk;
	int ntk, cap, i;
	jmp_buf jb;
	struct lit_error *err;
	const struct lit_parse_opts *po;
	bool in_filter; /* herd7 shows no value that only the filter names */
	bool unsup;	/* longjmp reason: unsupported (not an error) */
	int depth;	/* current nesting of expressions, conditions and blocks */
	/* current thread */
	struct lit_thread *th;
	int tid;
	int nparams;
	char param[LIT_MAX_LOCS][LIT_NAME];
	int param_loc[LIT_MAX_LOCS];
};

static void perr(struct ps *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
static void set_err(struct lit_error *e, enum lit_err_kind kind, const char *path, int line,
		    const char *msg)
{
	e->kind = kind;
	e->line = line;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	if (line > 0)
		snprintf(e->text, sizeof(e->text), "%s:%d: %s", path, line, msg);
	else
		snprintf(e->text, sizeof(e->text), "%s: %s", path, msg);
}

static void perr_kind(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
static void perr_kind(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(p->err, kind, p->t->path, line, msg);
	if (kind == LIT_ERR_MACRO) {
		/* herd7's words, for judgelitmus.sh's grep ': Unknown macro ' */
		size_t n = strlen(p->err->text);
		snprintf(p->err->text + n, sizeof(p->err->text) - n, " (User error)");
	}
	longjmp(p->jb, 1);
}

static void perr(struct ps *p, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(p->err, LIT_ERR_SYNTAX, p->t->path, line, msg);
	longjmp(p->jb, 1);
}

/* Enters one level of nesting (expression, condition, block); LIT_LIMIT_DEPTH
 * bounds the recursion, so hostile input cannot exhaust the stack. */
static void nest_in(struct ps *p, int line)
{
	if (++p->depth > LIT_LIMIT_DEPTH)
		perr_kind(p, LIT_ERR_LIMIT, line,
			  "nesting deeper than the limit of %d levels (parentheses, '!', '~', "
			  "blocks)",
			  LIT_LIMIT_DEPTH);
}

static void nest_out(struct ps *p)
{
	p->depth--;
}

static void unsupported(struct ps *p, const char *what) __attribute__((noreturn));
static void unsupported(struct ps *p, const char *what)
{
	snprintf(p->t->unsupported, sizeof(p->t->unsupported), "%s", what);
	p->unsup = true;
	longjmp(p->jb, 1);
}

/* ---- lexer ---------------------------------------------------------------------- */

static void push_tok(struct ps *p, int k, const char *s, size_t n, long long v, int line)
{
	if (p->ntk == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->tk = realloc(p->tk, (size_t)p->cap * sizeof(*p->tk));
		if (!p->tk)
			abort();
	}
	struct tok *t = &p->tk[p->ntk++];
	t->k = k;
	if (n >= sizeof(t->s))
		n = sizeof(t->s) - 1;
	memcpy(t->s, s, n);
	t->s[n] = 0;
	t->v = v;
	t->line = line;
}

static void lex(struct ps *p, const char *s, int line)
{
	static const char *const puncts[] = {"/\\", "\\/", "==", "!=", "<=", ">=", "&&",
					     "||",  "<<",  ">>", "->", "=>", "<>", NULL};
	int depth = 0, top_blocks = 0;
	while (*s) {
		if (*s == '\n') {
			line++;
			s++;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '/') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			int l0 = line;
			for (s += 2; *s && !(s[0] == '*' && s[1] == '/'); s++)
				line += *s == '\n';
			if (!*s)
				perr(p, l0, "unterminated /* comment");
			s += 2;
			continue;
		}
		/* OCaml comments: outside braces, and in the initial state when
		 * "(*" is followed by a blank (herd7 allows them there; a thread
		 * body's READ_ONCE(*x) never has one). */
		if (s[0] == '(' && s[1] == '*' &&
		    (depth == 0 ||
		     (depth == 1 && top_blocks == 1 && isspace((unsigned char)s[2])))) {
			int l0 = line, nest = 1;
			for (s += 2; *s && nest; s++) {
				line += *s == '\n';
				if (s[0] == '(' && s[1] == '*') {
					nest++;
					s++;
				} else if (s[0] == '*' && s[1] == ')') {
					nest--;
					s++;
				}
			}
			if (nest)
				perr(p, l0, "unterminated (* comment");
			continue;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			const char *b = s;
			while (isalnum((unsigned char)*s) || *s == '_' || *s == '.')
				s++;
			push_tok(p, T_ID, b, (size_t)(s - b), 0, line);
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			const char *b = s;
			char *e;
			errno = 0;
			long long v = strtoll(s, &e, 0);
			if (errno)
				perr(p, line, "number out of range");
			s = e;
			push_tok(p, T_NUM, b, (size_t)(s - b), v, line);
			continue;
		}
		int k;
		for (k = 0; puncts[k]; k++)
			if (!strncmp(s, puncts[k], strlen(puncts[k])))
				break;
		size_t n = puncts[k] ? strlen(puncts[k]) : 1;
		if (*s == '{' && depth++ == 0)
			top_blocks++;
		else if (*s == '}' && depth > 0)
			depth--;
		push_tok(p, T_P, s, n, 0, line);
		s += n;
	}
	push_tok(p, T_EOF, "end of file", 11, 0, line);
}

static struct tok *cur(struct ps *p)
{
	return &p->tk[p->i];
}

static bool is(struct ps *p, const char *s)
{
	struct tok *t = cur(p);
	return t->k != T_EOF && !strcmp(t->s, s);
}

static bool is_at(struct ps *p, int off, const char *s)
{
	if (p->i + off >= p->ntk)
		return false;
	struct tok *t = &p->tk[p->i + off];
	return t->k != T_EOF && !strcmp(t->s, s);
}

static bool accept(struct ps *p, const char *s)
{
	if (is(p, s)) {
		p->i++;
		return true;
	}
	return false;
}

static void expect(struct ps *p, const char *s, const char *where)
{
	if (!accept(p, s))
		perr(p, cur(p)->line, "expected '%s'%s, found '%s'", s, where, cur(p)->s);
}

static const char *ident(struct ps *p, const char *what)
{
	struct tok *t = cur(p);
	if (t->k != T_ID)
		perr(p, t->line, "expected %s, found '%s'", what, t->s);
	p->i++;
	return t->s;
}

/* ---- locations ------------------------------------------------------------------ */

static int find_loc(struct lit_test *t, const char *name)
{
	for (int i = 0; i < t->nlocs; i++)
		if (!strcmp(t->locs[i].name, name))
			return i;
	return -1;
}

static int get_loc(struct ps *p, const char *name, int line)
{
	int i = find_loc(p->t, name);
	if (i >= 0)
		return i;
	if (p->t->nlocs >= LIT_MAX_LOCS)
		perr_kind(p, LIT_ERR_LIMIT, line, "location '%s' is past the limit of %d locations",
			  name, LIT_MAX_LOCS);
	i = p->t->nlocs++;
	snprintf(p->t->locs[i].name, LIT_NAME, "%s", name);
	p->t->locs[i].init = 0;
	return i;
}

static long long loc_addr(int i)
{
	return LIT_ADDR_BASE + LIT_ADDR_STRIDE * i;
}

static bool is_type_word(const char *s)
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

/* Skips a type (words and '*'s).  Returns true if one was there. */
static bool skip_type(struct ps *p)
{
	bool any = false;
	while (cur(p)->k == T_ID && is_type_word(cur(p)->s)) {
		if (!strcmp(cur(p)->s, "struct")) {
			p->i++;
			if (cur(p)->k == T_ID && !strcmp(cur(p)->s, "srcu_struct"))
				snprintf(p->t->lkvm_unsupported, sizeof(p->t->lkvm_unsupported),
					 "struct srcu_struct (SRCU; use --engine cat)");
			ident(p, "struct name");
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

static struct lit_thread *thread_get(struct ps *p, int tid)
{
	struct lit_test *t = p->t;
	if (tid < 0 || tid >= LIT_LIMIT_THREADS)
		perr_kind(p, LIT_ERR_LIMIT, cur(p)->line,
			  "thread P%d is past the limit of %d threads", tid, LIT_LIMIT_THREADS);
	if (tid >= LIT_MAX_THREADS) {
		char what[64];
		snprintf(what, sizeof(what), "%d threads (the engine runs at most %d)", tid + 1,
			 LIT_MAX_THREADS);
		unsupported(p, what);
	}
	if (!t->th[tid]) {
		t->th[tid] = calloc(1, sizeof(struct lit_thread));
		if (!t->th[tid])
			abort();
	}
	return t->th[tid];
}

static int find_reg(struct lit_thread *th, const char *name)
{
	for (int i = 0; i < th->nregs; i++)
		if (th->regname[i][0] && !strcmp(th->regname[i], name))
			return i;
	return -1;
}

static int new_reg(struct ps *p, struct lit_thread *th, const char *name)
{
	if (th->nregs >= LIT_MAX_REGS)
		perr(p, cur(p)->line, "too many registers in one thread");
	int r = th->nregs++;
	snprintf(th->regname[r], LIT_NAME, "%s", name ? name : "");
	th->reg_init[r] = 0;
	return r;
}

static int get_reg(struct ps *p, struct lit_thread *th, const char *name)
{
	int r = find_reg(th, name);
	return r >= 0 ? r : new_reg(p, th, name);
}

/* ---- code emission -------------------------------------------------------------- */

static int emit(struct ps *p, int op)
{
	struct lit_thread *th = p->th;
	if (th->ncode >= LIT_MAX_CODE)
		perr(p, cur(p)->line, "thread too long");
	int k = th->ncode++;
	struct lit_ins *in = &th->code[k];
	memset(in, 0, sizeof(*in));
	in->op = (unsigned char)op;
	in->dst = in->a = in->b = in->c = -1;
	in->load_id = -1;
	in->line = cur(p)->line;
	return k;
}

static int tmp(struct ps *p)
{
	return new_reg(p, p->th, NULL);
}

static int k_const(struct ps *p, long long v)
{
	int r = tmp(p);
	int k = emit(p, LOP_CONST);
	p->th->code[k].dst = r;
	p->th->code[k].imm = v;
	return r;
}

static int load_id(struct ps *p)
{
	int id = p->th->nloads++;
	return id < LIT_MAX_LOADS ? id : LIT_MAX_LOADS; /* beyond: "depends on all" */
}

static int k_load(struct ps *p, int addr, int acc)
{
	int r = tmp(p);
	int k = emit(p, LOP_LOAD);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = addr;
	in->acc = (unsigned char)acc;
	in->load_id = load_id(p);
	return r;
}

static void k_store(struct ps *p, int addr, int val, int acc)
{
	int k = emit(p, LOP_STORE);
	struct lit_ins *in = &p->th->code[k];
	in->a = addr;
	in->b = val;
	in->acc = (unsigned char)acc;
}

/* A fence with its LKMM kind (linux-kernel.def): sub is what the lkvm engine
 * executes, imm the exact kind the cat engine needs. */
static void k_fence_kind(struct ps *p, int f, enum lit_fence kind)
{
	int k = emit(p, LOP_FENCE);
	p->th->code[k].sub = (unsigned char)f;
	p->th->code[k].imm = kind;
}

static int k_bin(struct ps *p, int sub, int a, int b)
{
	int r = tmp(p);
	int k = emit(p, LOP_BIN);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = a;
	in->b = b;
	in->sub = (unsigned char)sub;
	return r;
}

static int k_un(struct ps *p, int sub, int a)
{
	int r = tmp(p);
	int k = emit(p, LOP_UN);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = a;
	in->sub = (unsigned char)sub;
	return r;
}

static int k_rmw(struct ps *p, int op, int addr, int operand, int expected, int ord, int ret)
{
	int r = tmp(p);
	int k = emit(p, LOP_RMW);
	struct lit_ins *in = &p->th->code[k];
	in->dst = r;
	in->a = addr;
	in->b = operand;
	in->c = expected;
	in->sub = (unsigned char)op;
	in->ord = (unsigned char)ord;
	in->ret = (unsigned char)ret;
	in->load_id = load_id(p);
	return r;
}

/* ---- expressions ---------------------------------------------------------------- */

static int c_expr(struct ps *p);
static int c_unary(struct ps *p);

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
		return c_unary(p);
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
			int res = k_un(p, 1 /* !! */, l);
			int j;
			if (is_and) {
				j = emit(p, LOP_JZ);
				p->th->code[j].a = res;
			} else {
				int n = k_un(p, 0 /* ! */, res);
				j = emit(p, LOP_JZ);
				p->th->code[j].a = n;
			}
			int rr = c_level(p, lv + 1);
			int k = emit(p, LOP_UN);
			p->th->code[k].dst = res;
			p->th->code[k].a = rr;
			p->th->code[k].sub = 1;
			p->th->code[j].imm = p->th->ncode;
			p->th->code[j].c = p->th->ncode; /* the ctrl of the test ends here */
			l = res;
			continue;
		}
		int r = c_level(p, lv + 1);
		l = k_bin(p, lit_binop_code(op), l, r);
	}
}

/* The address argument of a macro that takes an lvalue: "*e" -> e. */
static int c_lvalue_addr(struct ps *p)
{
	if (accept(p, "*"))
		return c_unary(p);
	if (accept(p, "(")) {
		int a = c_lvalue_addr(p);
		expect(p, ")", " closing the location");
		return a;
	}
	perr(p, cur(p)->line, "expected '*' and a pointer (as in READ_ONCE(*x)), found '%s'",
	     cur(p)->s);
}

static void args_end(struct ps *p)
{
	expect(p, ")", " after the arguments");
}

static void comma(struct ps *p)
{
	expect(p, ",", " between arguments");
}

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

/* A call to a kernel primitive; returns its value register (-1: no value). */
static int c_call(struct ps *p, const char *fn, int line)
{
	bool m;
	int ord;
	if (!lit_macro_known(p->po, fn))
		perr_kind(p, LIT_ERR_MACRO, line, "Unknown macro %s", fn);
	/* loads */
	if (!strcmp(fn, "READ_ONCE") || !strcmp(fn, "rcu_dereference")) {
		int a = c_lvalue_addr(p);
		args_end(p);
		return k_load(p, a, SS_ACC_ONCE);
	}
	if (!strcmp(fn, "smp_load_acquire") || !strcmp(fn, "atomic_read_acquire")) {
		int a = c_expr(p);
		args_end(p);
		return k_load(p, a, SS_ACC_ACQUIRE);
	}
	if (!strcmp(fn, "atomic_read")) {
		int a = c_expr(p);
		args_end(p);
		return k_load(p, a, SS_ACC_ONCE);
	}
	if (!strcmp(fn, "spin_is_locked")) {
		/* a marked load of the lock word (locked != 0) */
		int a = c_expr(p);
		args_end(p);
		int v = k_load(p, a, SS_ACC_ONCE);
		return k_un(p, 1, v);
	}
	/* stores */
	if (!strcmp(fn, "WRITE_ONCE") || !strcmp(fn, "rcu_assign_pointer") ||
	    !strcmp(fn, "smp_store_mb")) {
		int a = c_lvalue_addr(p);
		comma(p);
		int v = c_expr(p);
		args_end(p);
		k_store(p, a, v, fn[0] == 'r' ? SS_ACC_RELEASE : SS_ACC_ONCE);
		if (!strcmp(fn, "smp_store_mb"))
			k_fence_kind(p, SS_FENCE_MB, LIT_F_MB);
		return -1;
	}
	if (!strcmp(fn, "smp_store_release") || !strcmp(fn, "atomic_set_release") ||
	    !strcmp(fn, "atomic_set")) {
		int a = c_expr(p);
		comma(p);
		int v = c_expr(p);
		args_end(p);
		k_store(p, a, v, strcmp(fn, "atomic_set") ? SS_ACC_RELEASE : SS_ACC_ONCE);
		return -1;
	}
	/* fences */
	static const struct {
		const char *fn;
		enum lit_fence kind;
	} fences[] = {
	    {"smp_mb", LIT_F_MB},
	    {"smp_mb__before_atomic", LIT_F_BEFORE_ATOMIC},
	    {"smp_mb__after_atomic", LIT_F_AFTER_ATOMIC},
	    {"smp_mb__after_spinlock", LIT_F_AFTER_SPINLOCK},
	    {"smp_mb__after_unlock_lock", LIT_F_AFTER_UNLOCK_LOCK},
	    {"smp_wmb", LIT_F_WMB},
	    {"smp_rmb", LIT_F_RMB},
	    /* no-ops for the lkvm engine (program order is execution order
	     * there); events for the cat engine */
	    {"barrier", LIT_F_BARRIER},
	    {"rcu_read_lock", LIT_F_RCU_LOCK},
	    {"rcu_read_unlock", LIT_F_RCU_UNLOCK},
	    {"synchronize_rcu", LIT_F_SYNC_RCU},
	    {"synchronize_rcu_expedited", LIT_F_SYNC_RCU},
	    {"smp_mb__after_srcu_read_unlock", LIT_F_AFTER_SRCU_READ_UNLOCK},
	};
	for (size_t i = 0; i < sizeof(fences) / sizeof(fences[0]); i++) {
		if (strcmp(fn, fences[i].fn))
			continue;
		args_end(p);
		enum lit_fence kd = fences[i].kind;
		k_fence_kind(p,
			     kd == LIT_F_WMB   ? SS_FENCE_WMB
			     : kd == LIT_F_RMB ? SS_FENCE_RMB
					       : SS_FENCE_MB,
			     kd);
		if (kd == LIT_F_SYNC_RCU)
			snprintf(p->t->lkvm_unsupported, sizeof(p->t->lkvm_unsupported),
				 "%s (RCU grace period; use --engine cat)", fn);
		return -1;
	}
	/* SRCU (engine cat only; the parameter's type marks the test lkvm-unsupported):
	 * linux-kernel.def makes the read side a load and a store of the srcu_struct */
	if (!strcmp(fn, "srcu_read_lock") || !strcmp(fn, "srcu_down_read")) {
		int a = c_expr(p);
		args_end(p);
		int r = k_load(p, a, SS_ACC_ONCE);
		p->th->code[p->th->ncode - 1].ord = LIT_SRCU_LOCK;
		return r;
	}
	if (!strcmp(fn, "srcu_read_unlock") || !strcmp(fn, "srcu_up_read")) {
		int a = c_expr(p);
		comma(p);
		int v = c_expr(p);
		args_end(p);
		k_store(p, a, v, SS_ACC_ONCE);
		p->th->code[p->th->ncode - 1].ord = LIT_SRCU_UNLOCK;
		return -1;
	}
	if (!strcmp(fn, "synchronize_srcu") || !strcmp(fn, "synchronize_srcu_expedited")) {
		int a = c_expr(p);
		args_end(p);
		k_fence_kind(p, SS_FENCE_MB, LIT_F_SYNC_SRCU);
		p->th->code[p->th->ncode - 1].a = a;
		return -1;
	}
	/* spinlocks */
	if (!strcmp(fn, "spin_lock") || !strcmp(fn, "spin_unlock") || !strcmp(fn, "spin_trylock")) {
		int a = c_expr(p);
		args_end(p);
		int op = fn[5] == 'l' ? LOP_LOCK : fn[5] == 'u' ? LOP_UNLOCK : LOP_TRYLOCK;
		int k = emit(p, op);
		p->th->code[k].a = a;
		if (op == LOP_TRYLOCK) {
			int r = tmp(p);
			p->th->code[k].dst = r;
			p->th->code[k].load_id = load_id(p);
			return r;
		}
		return -1;
	}
	/* xchg / cmpxchg and their atomic_t forms */
	ord = rmw_order(fn, "xchg", &m);
	if (!m)
		ord = rmw_order(fn, "atomic_xchg", &m);
	if (m) {
		int a = c_expr(p);
		comma(p);
		int v = c_expr(p);
		args_end(p);
		return k_rmw(p, SS_RMW_XCHG, a, v, -1, ord, RET_OLD);
	}
	ord = rmw_order(fn, "cmpxchg", &m);
	if (!m)
		ord = rmw_order(fn, "atomic_cmpxchg", &m);
	if (m) {
		int a = c_expr(p);
		comma(p);
		int o = c_expr(p);
		comma(p);
		int n = c_expr(p);
		args_end(p);
		return k_rmw(p, SS_RMW_CMPXCHG, a, n, o, ord, RET_OLD);
	}
	/* atomic_{add,sub,inc,dec}: relaxed, no value */
	if (!strcmp(fn, "atomic_inc") || !strcmp(fn, "atomic_dec") || !strcmp(fn, "atomic_add") ||
	    !strcmp(fn, "atomic_sub") || !strcmp(fn, "atomic_and") || !strcmp(fn, "atomic_or") ||
	    !strcmp(fn, "atomic_andnot")) {
		int opnd, a;
		bool unary = !strcmp(fn, "atomic_inc") || !strcmp(fn, "atomic_dec");
		if (unary) {
			a = c_expr(p);
			opnd = k_const(p, !strcmp(fn, "atomic_inc") ? 1 : -1);
		} else {
			opnd = c_expr(p);
			comma(p);
			a = c_expr(p);
			if (!strcmp(fn, "atomic_sub"))
				opnd = k_un(p, 2 /* neg */, opnd);
			if (!strcmp(fn, "atomic_andnot"))
				opnd = k_un(p, 3 /* ~ */, opnd);
		}
		args_end(p);
		int op = !strcmp(fn, "atomic_and") || !strcmp(fn, "atomic_andnot") ? SS_RMW_AND
			 : !strcmp(fn, "atomic_or")				   ? SS_RMW_OR
										   : SS_RMW_ADD;
		k_rmw(p, op, a, opnd, -1, SS_ORD_RELAXED, RET_NONE);
		return -1;
	}
	/* value-returning arithmetic RMWs */
	static const struct {
		const char *base;
		int unary; /* 1: (v), 0: (i, v) */
		int delta; /* unary: +1/-1; binary: +1 as is, -1 negated, -2 complemented */
		int op, ret;
	} ar[] = {
	    {"atomic_add_return", 0, 1, SS_RMW_ADD, RET_NEW},
	    {"atomic_sub_return", 0, -1, SS_RMW_ADD, RET_NEW},
	    {"atomic_inc_return", 1, 1, SS_RMW_ADD, RET_NEW},
	    {"atomic_dec_return", 1, -1, SS_RMW_ADD, RET_NEW},
	    {"atomic_fetch_add", 0, 1, SS_RMW_ADD, RET_OLD},
	    {"atomic_fetch_sub", 0, -1, SS_RMW_ADD, RET_OLD},
	    {"atomic_fetch_inc", 1, 1, SS_RMW_ADD, RET_OLD},
	    {"atomic_fetch_dec", 1, -1, SS_RMW_ADD, RET_OLD},
	    {"atomic_fetch_and", 0, 1, SS_RMW_AND, RET_OLD},
	    {"atomic_fetch_or", 0, 1, SS_RMW_OR, RET_OLD},
	    {"atomic_fetch_andnot", 0, -2, SS_RMW_AND, RET_OLD},
	    {"atomic_inc_and_test", 1, 1, SS_RMW_ADD, RET_ZERO},
	    {"atomic_dec_and_test", 1, -1, SS_RMW_ADD, RET_ZERO},
	    {"atomic_sub_and_test", 0, -1, SS_RMW_ADD, RET_ZERO},
	    {"atomic_add_negative", 0, 1, SS_RMW_ADD, RET_NEG},
	};
	for (size_t i = 0; i < sizeof(ar) / sizeof(ar[0]); i++) {
		ord = rmw_order(fn, ar[i].base, &m);
		if (!m)
			continue;
		if (ar[i].ret == RET_ZERO && ord != SS_ORD_FULL)
			continue; /* the *_and_test forms have no ordering variants */
		int a, opnd;
		if (ar[i].unary) {
			a = c_expr(p);
			opnd = k_const(p, ar[i].delta);
		} else {
			opnd = c_expr(p);
			comma(p);
			a = c_expr(p);
			if (ar[i].delta == -1)
				opnd = k_un(p, 2, opnd);
			else if (ar[i].delta == -2) /* andnot: & ~V */
				opnd = k_un(p, 3, opnd);
		}
		args_end(p);
		return k_rmw(p, ar[i].op, a, opnd, -1, ord, ar[i].ret);
	}
	if (!strcmp(fn, "atomic_add_unless") || !strcmp(fn, "atomic_inc_not_zero")) {
		int a = c_expr(p), opnd, u;
		if (fn[7] == 'a') {
			comma(p);
			opnd = c_expr(p);
			comma(p);
			u = c_expr(p);
		} else {
			opnd = k_const(p, 1);
			u = k_const(p, 0);
		}
		args_end(p);
		return k_rmw(p, WMM_RMW_ADD_UNLESS, a, opnd, u, SS_ORD_FULL, RET_OK);
	}
	(void)line;
	unsupported(p, fn);
}

static int c_primary(struct ps *p)
{
	struct tok *t = cur(p);
	if (t->k == T_NUM) {
		p->i++;
		return k_const(p, t->v);
	}
	if (accept(p, "(")) {
		int r = c_expr(p);
		expect(p, ")", " closing the parenthesis");
		return r;
	}
	if (t->k == T_ID) {
		const char *name = t->s;
		int line = t->line;
		p->i++;
		if (accept(p, "("))
			return c_call(p, name, line);
		if (!strcmp(name, "NULL"))
			return k_const(p, 0);
		int r = find_reg(p->th, name);
		if (r >= 0)
			return r;
		for (int i = 0; i < p->nparams; i++)
			if (!strcmp(p->param[i], name))
				return k_const(p, loc_addr(p->param_loc[i]));
		int l = find_loc(p->t, name);
		if (l >= 0)
			return k_const(p, loc_addr(l));
		perr(p, line, "unknown identifier '%s' (not a register, parameter or location)",
		     name);
	}
	perr(p, t->line, "expected an expression, found '%s'", t->s);
}

static int c_unary_body(struct ps *p);

/* Every nesting construct of an expression ('(', unary operators, casts)
 * passes here: the depth limit bounds the recursion. */
static int c_unary(struct ps *p)
{
	nest_in(p, cur(p)->line);
	int r = c_unary_body(p);
	nest_out(p);
	return r;
}

static int c_unary_body(struct ps *p)
{
	struct tok *t = cur(p);
	if (accept(p, "!"))
		return k_un(p, 0, c_unary(p));
	if (accept(p, "-"))
		return k_un(p, 2, c_unary(p));
	if (accept(p, "~"))
		return k_un(p, 3, c_unary(p));
	if (accept(p, "+"))
		return c_unary(p);
	if (accept(p, "*")) {
		int a = c_unary(p);
		return k_load(p, a, SS_ACC_PLAIN);
	}
	if (accept(p, "&")) {
		const char *name = ident(p, "a location after '&'");
		for (int i = 0; i < p->nparams; i++)
			if (!strcmp(p->param[i], name))
				return k_const(p, loc_addr(p->param_loc[i]));
		int l = find_loc(p->t, name);
		if (l < 0)
			perr(p, t->line, "'&%s': not a location", name);
		return k_const(p, loc_addr(l));
	}
	/* cast: '(' type ')' */
	if (is(p, "(") && p->i + 1 < p->ntk && p->tk[p->i + 1].k == T_ID &&
	    is_type_word(p->tk[p->i + 1].s)) {
		p->i++;
		skip_type(p);
		expect(p, ")", " closing the cast");
		return c_unary(p);
	}
	return c_primary(p);
}

static int c_expr(struct ps *p)
{
	return c_level(p, 0);
}

/* ---- statements ----------------------------------------------------------------- */

static void c_stmt(struct ps *p);

/* "lhs = rhs" or an expression; a statement-level assignment. */
static void c_assign_or_expr(struct ps *p)
{
	struct lit_thread *th = p->th;
	if (cur(p)->k == T_ID && is_at(p, 1, "=")) {
		const char *name = cur(p)->s;
		int line = cur(p)->line;
		int r = find_reg(th, name);
		if (r < 0) {
			for (int i = 0; i < p->nparams; i++)
				if (!strcmp(p->param[i], name))
					perr(p, line,
					     "'%s' is a location: write '*%s = ...' or WRITE_ONCE",
					     name, name);
			/* herd7: a register needs no declaration (an int, or a
			 * pointer when it holds an address: values are untyped here) */
			r = new_reg(p, th, name);
		}
		p->i += 2;
		int v = c_expr(p);
		int k = emit(p, LOP_MOV);
		th->code[k].dst = r;
		th->code[k].a = v;
		return;
	}
	if (is(p, "*")) {
		/* "*e = v" is a plain store; otherwise it was an expression: undo */
		int save_i = p->i, save_code = th->ncode, save_regs = th->nregs,
		    save_loads = th->nloads;
		p->i++;
		int a = c_unary(p);
		if (accept(p, "=")) {
			int v = c_expr(p);
			k_store(p, a, v, SS_ACC_PLAIN);
			return;
		}
		p->i = save_i;
		th->ncode = save_code;
		th->nregs = save_regs;
		th->nloads = save_loads;
	}
	(void)c_expr(p);
}

static void c_decl(struct ps *p)
{
	skip_type(p);
	for (;;) {
		while (accept(p, "*"))
			;
		int line = cur(p)->line;
		const char *name = ident(p, "a register name");
		if (find_loc(p->t, name) >= 0 && find_reg(p->th, name) < 0) {
			bool param = false;
			for (int i = 0; i < p->nparams; i++)
				param |= !strcmp(p->param[i], name);
			if (param)
				perr(p, line, "register '%s' shadows a parameter", name);
		}
		int r = get_reg(p, p->th, name);
		if (accept(p, "=")) {
			int v = c_expr(p);
			int k = emit(p, LOP_MOV);
			p->th->code[k].dst = r;
			p->th->code[k].a = v;
		}
		if (!accept(p, ","))
			break;
	}
	expect(p, ";", " after the declaration");
}

static void c_stmt_body(struct ps *p);

static void c_stmt(struct ps *p)
{
	nest_in(p, cur(p)->line);
	c_stmt_body(p);
	nest_out(p);
}

static void c_stmt_body(struct ps *p)
{
	struct lit_thread *th = p->th;
	if (accept(p, ";"))
		return;
	if (accept(p, "{")) {
		while (!is(p, "}")) {
			if (cur(p)->k == T_EOF)
				perr(p, cur(p)->line, "expected '}' closing the block");
			c_stmt(p);
		}
		p->i++;
		return;
	}
	if (accept(p, "if")) {
		expect(p, "(", " after 'if'");
		int c = c_expr(p);
		expect(p, ")", " closing the 'if' condition");
		int jz = emit(p, LOP_JZ);
		th->code[jz].a = c;
		c_stmt(p);
		if (accept(p, "else")) {
			int j = emit(p, LOP_JMP);
			th->code[jz].imm = th->ncode;
			c_stmt(p);
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
		unsupported(p, cur(p)->s);
	if (cur(p)->k == T_ID && is_type_word(cur(p)->s)) {
		c_decl(p);
		return;
	}
	c_assign_or_expr(p);
	expect(p, ";", " after the statement");
}

/* ---- sections ------------------------------------------------------------------- */

/* A value in the initial state: number, &loc, loc (= its address), ATOMIC_INIT(n). */
static long long init_value(struct ps *p)
{
	bool neg = accept(p, "-");
	struct tok *t = cur(p);
	if (t->k == T_NUM) {
		p->i++;
		return neg ? -t->v : t->v;
	}
	if (accept(p, "&"))
		t = cur(p);
	if (t->k == T_ID && !strcmp(t->s, "ATOMIC_INIT")) {
		p->i++;
		expect(p, "(", " after ATOMIC_INIT");
		long long v = init_value(p);
		expect(p, ")", " closing ATOMIC_INIT");
		return v;
	}
	if (t->k == T_ID) {
		p->i++;
		if (!strcmp(t->s, "NULL"))
			return 0;
		return loc_addr(get_loc(p, t->s, t->line));
	}
	perr(p, t->line, "expected an initial value, found '%s'", t->s);
}

static void parse_init(struct ps *p)
{
	expect(p, "{", " opening the initial state");
	while (!accept(p, "}")) {
		if (cur(p)->k == T_EOF)
			perr(p, cur(p)->line, "expected '}' closing the initial state");
		if (accept(p, ";"))
			continue;
		skip_type(p);
		while (accept(p, "*"))
			;
		struct tok *t = cur(p);
		if (t->k == T_NUM && is_at(p, 1, ":")) {
			/* T:reg [= value] */
			int tid = (int)t->v;
			p->i += 2;
			const char *rn = ident(p, "a register name");
			struct lit_thread *th = thread_get(p, tid);
			int r = get_reg(p, th, rn);
			if (accept(p, "="))
				th->reg_init[r] = init_value(p);
		} else {
			const char *name = ident(p, "a location name");
			int l = get_loc(p, name, t->line);
			if (accept(p, "="))
				p->t->locs[l].init = init_value(p);
		}
		if (!is(p, "}"))
			expect(p, ";", " after an initial-state item");
	}
}

static void parse_thread(struct ps *p, int tid)
{
	struct lit_test *t = p->t;
	p->tid = tid;
	p->th = thread_get(p, tid);
	p->nparams = 0;
	expect(p, "(", " after the thread name");
	while (!accept(p, ")")) {
		if (cur(p)->k == T_EOF)
			perr(p, cur(p)->line, "expected ')' closing the parameters");
		skip_type(p);
		while (accept(p, "*"))
			;
		int line = cur(p)->line;
		const char *name = ident(p, "a parameter name");
		if (p->nparams >= LIT_MAX_LOCS)
			perr(p, line, "too many parameters");
		snprintf(p->param[p->nparams], LIT_NAME, "%s", name);
		p->param_loc[p->nparams++] = get_loc(p, name, line);
		if (!is(p, ")"))
			expect(p, ",", " between parameters");
	}
	expect(p, "{", " opening the thread body");
	while (!accept(p, "}")) {
		if (cur(p)->k == T_EOF)
			perr(p, cur(p)->line, "expected '}' closing the body of P%d", tid);
		c_stmt(p);
	}
	emit(p, LOP_END);
	if (tid + 1 > t->nthreads)
		t->nthreads = tid + 1;
}

/* ---- conditions ----------------------------------------------------------------- */

static int new_prop(struct ps *p, int kind, int l, int r)
{
	if (p->t->nprops >= LIT_MAX_PROP)
		perr(p, cur(p)->line, "condition too long");
	int k = p->t->nprops++;
	struct lit_prop *pr = &p->t->props[k];
	memset(pr, 0, sizeof(*pr));
	pr->kind = kind;
	pr->l = l;
	pr->r = r;
	return k;
}

static void note_obs(struct ps *p, struct lit_val v)
{
	if (v.kind == 0 || p->in_filter)
		return;
	for (int i = 0; i < p->t->nobs; i++)
		if (p->t->obs[i].kind == v.kind && p->t->obs[i].t == v.t &&
		    p->t->obs[i].idx == v.idx)
			return;
	if (p->t->nobs >= LIT_MAX_OBS)
		perr(p, cur(p)->line, "too many observed values (at most %d)", LIT_MAX_OBS);
	p->t->obs[p->t->nobs++] = v;
}

/* lhs: loc | T:reg;  rhs additionally: integer, a location name = its address */
static struct lit_val cond_val(struct ps *p, bool rhs)
{
	struct lit_val v = {0};
	struct tok *t = cur(p);
	bool neg = false;
	if (rhs && accept(p, "-")) {
		neg = true;
		t = cur(p);
	}
	if (t->k == T_NUM && is_at(p, 1, ":")) {
		int tid = (int)t->v;
		p->i += 2;
		int line = cur(p)->line;
		const char *rn = ident(p, "a register name");
		if (tid < 0 || tid >= p->t->nthreads || !p->t->th[tid])
			perr(p, line, "no thread P%d for '%d:%s'", tid, tid, rn);
		/* herd7: a register the thread never names is one it never writes (0) */
		int r = get_reg(p, p->t->th[tid], rn);
		v.kind = 2;
		v.t = tid;
		v.idx = r;
		return v;
	}
	if (t->k == T_NUM) {
		if (!rhs)
			perr(p, t->line, "expected a location or T:register, found '%s'", t->s);
		p->i++;
		v.kind = 0;
		v.c = neg ? -t->v : t->v;
		return v;
	}
	if (t->k == T_P && !strcmp(t->s, "[")) {
		/* herd7's [x]: the value held by location x, on either side */
		p->i++;
		struct tok *n = cur(p);
		const char *name = ident(p, "a location name in '[...]'");
		expect(p, "]", " closing '[location]'");
		v.kind = 1;
		v.idx = get_loc(p, name, n->line);
		return v;
	}
	if (t->k == T_ID) {
		p->i++;
		if (rhs) {
			v.kind = 0;
			v.c = !strcmp(t->s, "NULL") ? 0 : loc_addr(get_loc(p, t->s, t->line));
			return v;
		}
		int l = find_loc(p->t, t->s);
		if (l < 0)
			l = get_loc(p, t->s, t->line);
		v.kind = 1;
		v.idx = l;
		return v;
	}
	perr(p, t->line, "expected a value in the condition, found '%s'", t->s);
}

static int prop_or(struct ps *p);

static int prop_atom_body(struct ps *p);

/* herd7's precedence, loosest first: \/, /\, => (right), ~ / not. */
static int prop_atom(struct ps *p)
{
	nest_in(p, cur(p)->line);
	int k = prop_atom_body(p);
	nest_out(p);
	return k;
}

static int prop_atom_body(struct ps *p)
{
	if (accept(p, "~") || accept(p, "not"))
		return new_prop(p, PK_NOT, prop_atom(p), -1);
	if (accept(p, "(")) {
		int k = prop_or(p);
		expect(p, ")", " in the condition");
		return k;
	}
	if (cur(p)->k == T_ID && !strcmp(cur(p)->s, "true")) {
		p->i++;
		return new_prop(p, PK_TRUE, -1, -1);
	}
	if (cur(p)->k == T_ID && !strcmp(cur(p)->s, "false")) {
		p->i++;
		return new_prop(p, PK_FALSE, -1, -1);
	}
	struct lit_val l = cond_val(p, false);
	bool neq = false;
	if (accept(p, "!=") || accept(p, "<>"))
		neq = true;
	else if (!accept(p, "=="))
		expect(p, "=", " in a condition atom");
	struct lit_val r = cond_val(p, true);
	int k = new_prop(p, PK_ATOM, -1, -1);
	p->t->props[k].lhs = l;
	p->t->props[k].rhs = r;
	note_obs(p, l);
	note_obs(p, r);
	return neq ? new_prop(p, PK_NOT, k, -1) : k;
}

static int prop_impl(struct ps *p)
{
	int l = prop_atom(p);
	if (accept(p, "=>")) {
		nest_in(p, cur(p)->line);
		l = new_prop(p, PK_IMPL, l, prop_impl(p));
		nest_out(p);
	}
	return l;
}

static int prop_and(struct ps *p)
{
	int l = prop_impl(p);
	while (accept(p, "/\\"))
		l = new_prop(p, PK_AND, l, prop_impl(p));
	return l;
}

static int prop_or(struct ps *p)
{
	int l = prop_and(p);
	while (accept(p, "\\/"))
		l = new_prop(p, PK_OR, l, prop_and(p));
	return l;
}

static void parse_tail(struct ps *p)
{
	struct lit_test *t = p->t;
	for (;;) {
		struct tok *tk = cur(p);
		if (tk->k == T_EOF)
			break;
		if (tk->k == T_ID && !strcmp(tk->s, "locations")) {
			p->i++;
			expect(p, "[", " after 'locations'");
			while (!accept(p, "]")) {
				if (cur(p)->k == T_EOF)
					perr(p, cur(p)->line, "expected ']' closing 'locations'");
				if (accept(p, ";"))
					continue;
				note_obs(p, cond_val(p, false));
			}
			continue;
		}
		if (tk->k == T_ID && !strcmp(tk->s, "filter")) {
			p->i++;
			p->in_filter = true;
			t->filter = prop_or(p);
			p->in_filter = false;
			continue;
		}
		if (t->quant != Q_NONE)
			perr(p, tk->line, "expected end of file after the condition, found '%s'",
			     tk->s);
		if (tk->k == T_ID && !strcmp(tk->s, "exists")) {
			p->i++;
			t->quant = Q_EXISTS;
		} else if (tk->k == T_P && !strcmp(tk->s, "~") && is_at(p, 1, "exists")) {
			p->i += 2;
			t->quant = Q_NOT_EXISTS;
		} else if (tk->k == T_ID && !strcmp(tk->s, "forall")) {
			p->i++;
			t->quant = Q_FORALL;
		} else {
			perr(p, tk->line,
			     "expected 'exists', '~exists', 'forall', 'locations' or 'filter', "
			     "found '%s'",
			     tk->s);
		}
		t->cond = prop_or(p);
		accept(p, ";"); /* herd7 allows one after the condition */
	}
}

/* ---- driver --------------------------------------------------------------------- */

static void find_result(struct lit_test *t, const char *text)
{
	/* judgelitmus.sh: the first "* Result: <word>" line */
	for (const char *s = text; (s = strstr(s, "Result:")); s++) {
		const char *b = s;
		while (b > text && b[-1] != '\n')
			b--;
		bool star = false;
		for (const char *q = b; q < s; q++)
			if (*q == '*')
				star = true;
			else if (*q != ' ' && *q != '\t' && *q != '(')
				goto next;
		if (!star)
			goto next;
		const char *v = s + 7;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strncmp(v, "Never", 5))
			t->expect = EXP_NEVER;
		else if (!strncmp(v, "Sometimes", 9))
			t->expect = EXP_SOMETIMES;
		else if (!strncmp(v, "Always", 6))
			t->expect = EXP_ALWAYS;
		else if (!strncmp(v, "DEADLOCK", 8))
			t->expect = EXP_DEADLOCK;
		else
			goto next;
		{
			const char *e = strchr(v, '\n');
			const char *d = strstr(v, "DATARACE");
			t->datarace = d && (!e || d < e);
		}
		return;
	next:;
	}
}

/* Reads path whole, within the file-size and line-length limits; NULL and e
 * set on failure. */
static char *read_text(const char *path, struct lit_error *e)
{
	struct stat st;
	char msg[200];
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		set_err(e, LIT_ERR_READ, path, 0,
			"is a directory, expected a litmus file (give the directory itself to "
			"`slabstress litmus` to run every *.litmus under it)");
		return NULL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		set_err(e, LIT_ERR_READ, path, 0, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 14, n = 0, col = 0;
	int line = 1;
	char *text = malloc(cap);
	if (!text)
		abort();
	for (;;) {
		size_t k = fread(text + n, 1, cap - n - 1, f);
		if (!k) {
			if (ferror(f)) {
				set_err(e, LIT_ERR_READ, path, 0, strerror(errno ? errno : EIO));
				goto fail;
			}
			break;
		}
		for (size_t i = n; i < n + k; i++) {
			if (!text[i]) {
				snprintf(msg, sizeof(msg),
					 "not a text file (a NUL byte at offset %zu, line %d)", i,
					 line);
				set_err(e, LIT_ERR_LIMIT, path, 0, msg);
				goto fail;
			}
			if (text[i] == '\n') {
				line++;
				col = 0;
			} else if (++col > LIT_LIMIT_LINE) {
				snprintf(msg, sizeof(msg),
					 "line %d is longer than the limit of %d characters", line,
					 LIT_LIMIT_LINE);
				set_err(e, LIT_ERR_LIMIT, path, 0, msg);
				goto fail;
			}
		}
		n += k;
		if (n > LIT_LIMIT_FILE) {
			snprintf(msg, sizeof(msg),
				 "larger than the limit of %d bytes for a litmus file (read %zu so "
				 "far)",
				 LIT_LIMIT_FILE, n);
			set_err(e, LIT_ERR_LIMIT, path, 0, msg);
			goto fail;
		}
		if (n + 1 >= cap) {
			cap *= 2;
			text = realloc(text, cap);
			if (!text)
				abort();
		}
	}
	fclose(f);
	text[n] = 0;
	return text;
fail:
	fclose(f);
	free(text);
	return NULL;
}

int lit_parse_file(const char *path, struct lit_test **out, char *err, size_t errlen)
{
	struct lit_error e;
	int rc = lit_parse(path, NULL, out, &e);
	if (rc)
		snprintf(err, errlen, "%s", e.text);
	return rc;
}

int lit_parse(const char *path, const struct lit_parse_opts *po, struct lit_test **out,
	      struct lit_error *err)
{
	*out = NULL;
	memset(err, 0, sizeof(*err));
	char *text = read_text(path, err);
	if (!text)
		return -1;

	struct lit_test *t = calloc(1, sizeof(*t));
	struct ps *p = calloc(1, sizeof(*p));
	if (!t || !p)
		abort();
	snprintf(t->path, sizeof(t->path), "%s", path);
	t->cond = t->filter = -1;
	p->t = t;
	p->err = err;
	p->po = po;
	int rc = 0;
	if (setjmp(p->jb)) {
		rc = p->unsup ? 0 : -1;
		goto out;
	}
	/* header: "C <name>" on the first non-blank line */
	const char *s = text;
	int line = 1;
	while (*s == '\n' || *s == ' ' || *s == '\t' || *s == '\r') {
		line += *s == '\n';
		s++;
	}
	if (s[0] != 'C' || (s[1] != ' ' && s[1] != '\t')) {
		set_err(err, LIT_ERR_SYNTAX, path, line, "expected 'C <test name>' header line");
		rc = -1;
		goto out;
	}
	s += 2;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *e = s;
	while (*e && *e != '\n' && *e != '\r')
		e++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s) {
		set_err(err, LIT_ERR_SYNTAX, path, line, "expected a test name after 'C'");
		rc = -1;
		goto out;
	}
	snprintf(t->name, sizeof(t->name), "%.*s", (int)(e - s), s);
	find_result(t, text);
	/* FNV-1a, twice, for the herd block's Hash= line */
	t->digest[0] = 0xcbf29ce484222325ull;
	t->digest[1] = 0x84222325cbf29ce4ull;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		t->digest[0] = (t->digest[0] ^ *c) * 0x100000001b3ull;
		t->digest[1] = (t->digest[1] ^ (*c + 0x5bu)) * 0x100000001b3ull;
	}
	while (*e && *e != '\n')
		e++;
	lex(p, e, line);
	/* the thread-count limit first: past LIT_MAX_THREADS a test is only
	 * unsupported, past LIT_LIMIT_THREADS it is refused */
	{
		int depth = 0, nth = 0, line0 = 0;
		for (int k = 0; k + 1 < p->ntk; k++) {
			struct tok *tk = &p->tk[k];
			if (tk->k == T_P && tk->s[0] == '{')
				depth++;
			else if (tk->k == T_P && tk->s[0] == '}' && depth > 0)
				depth--;
			else if (!depth && tk->k == T_ID && tk->s[0] == 'P' &&
				 isdigit((unsigned char)tk->s[1]) && !strcmp(p->tk[k + 1].s, "(") &&
				 ++nth > LIT_LIMIT_THREADS && !line0)
				line0 = tk->line;
		}
		if (nth > LIT_LIMIT_THREADS)
			perr_kind(p, LIT_ERR_LIMIT, line0,
				  "%d threads, past the limit of %d threads", nth,
				  LIT_LIMIT_THREADS);
	}
	/* prelude (key=value lines) up to the initial state */
	while (!is(p, "{")) {
		if (cur(p)->k == T_EOF)
			perr(p, cur(p)->line, "expected '{' opening the initial state");
		p->i++;
	}
	parse_init(p);
	while (cur(p)->k == T_ID && cur(p)->s[0] == 'P' && isdigit((unsigned char)cur(p)->s[1])) {
		char *endp;
		long tid = strtol(cur(p)->s + 1, &endp, 10);
		if (*endp)
			break;
		if (tid != t->nthreads)
			perr(p, cur(p)->line, "expected thread P%d, found '%s'", t->nthreads,
			     cur(p)->s);
		p->i++;
		parse_thread(p, (int)tid);
	}
	if (t->nthreads == 0)
		perr(p, cur(p)->line, "expected a thread 'P0(...) { ... }', found '%s'", cur(p)->s);
	parse_tail(p);
	for (int i = 0; i < t->nthreads; i++)
		if (!t->th[i])
			perr(p, 1, "thread P%d is missing", i);
out:
	free(p->tk);
	free(p);
	free(text);
	if (rc < 0) {
		lit_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void lit_free(struct lit_test *t)
{
	if (!t)
		return;
	for (int i = 0; i < LIT_MAX_THREADS; i++)
		free(t->th[i]);
	free(t);
}
