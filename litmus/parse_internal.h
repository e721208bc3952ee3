/* litmus/parse_internal.h - what the files of the litmus parser share: the token
 * list, the parser state, errors (longjmp out of the parse), and the compiler of
 * thread bodies to the register machine of litmus/litmus.h.
 *
 *   litmus/lex.c       reading a file within the limits, errors, the lexer
 *   litmus/ccompile.c  locations, registers, code emission, C expressions and
 *                      statements of a thread body
 *   litmus/prims.c     the kernel primitives of linux-kernel.def (a table)
 *   litmus/parse.c     the test: header, initial state, threads, conditions
 *
 * Every lp_err* and lp_unsupported longjmps to the parse's jmp_buf: they never
 * return, so the compiler functions return only what they parsed.
 */
#ifndef SS_LITMUS_PARSE_INTERNAL_H
#define SS_LITMUS_PARSE_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
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
	/* temporaries of the current thread: those of the statement being
	 * compiled (live) and those a finished statement left for reuse (free) */
	int tmp_live[LIT_MAX_REGS], nlive;
	int tmp_free[LIT_MAX_REGS], nfree;
};

/* ---- tokens ----------------------------------------------------------------------- */

static inline struct tok *cur(struct ps *p)
{
	return &p->tk[p->i];
}

static inline bool is(struct ps *p, const char *s)
{
	struct tok *t = cur(p);
	return t->k != T_EOF && !strcmp(t->s, s);
}

static inline bool is_at(struct ps *p, int off, const char *s)
{
	if (p->i + off >= p->ntk)
		return false;
	struct tok *t = &p->tk[p->i + off];
	return t->k != T_EOF && !strcmp(t->s, s);
}

static inline bool accept(struct ps *p, const char *s)
{
	if (is(p, s)) {
		p->i++;
		return true;
	}
	return false;
}

/* ---- litmus/lex.c ------------------------------------------------------------------ */

/* Fills e: kind, line (0: none), msg, and text "path:line: msg". */
void lp_set_err(struct lit_error *e, enum lit_err_kind kind, const char *path, int line,
		const char *msg);
/* A syntax error at line; does not return. */
void lp_err(struct ps *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* An error of another kind (LIT_ERR_LIMIT, LIT_ERR_MACRO); does not return. */
void lp_err_kind(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
/* The test uses what this tool does not model: stops the parse without an error
 * and with t->unsupported set to what. */
void lp_unsupported(struct ps *p, const char *what) __attribute__((noreturn));
/* Enters / leaves one level of nesting (expression, condition, block);
 * LIT_LIMIT_DEPTH bounds the recursion, so hostile input cannot exhaust the stack. */
void lp_nest_in(struct ps *p, int line);
void lp_nest_out(struct ps *p);
/* Reads path whole, within the file-size and line-length limits; NULL and e set
 * on failure. */
char *lp_read_text(const char *path, struct lit_error *e);
/* Appends the tokens of s (which starts at line) to p->tk, ending with T_EOF. */
void lp_lex(struct ps *p, const char *s, int line);
/* Consumes s or fails naming where ("after the declaration"). */
void lp_expect(struct ps *p, const char *s, const char *where);
/* Consumes an identifier or fails naming what was expected. */
const char *lp_ident(struct ps *p, const char *what);

/* ---- litmus/ccompile.c ------------------------------------------------------------- */

int lp_find_loc(struct lit_test *t, const char *name);
/* The location called name, added when new (within LIT_MAX_LOCS). */
int lp_get_loc(struct ps *p, const char *name, int line);
long long lp_loc_addr(int i);
bool lp_is_type_word(const char *s);
/* Skips a type (words and '*'s).  Returns true if one was there. */
bool lp_skip_type(struct ps *p);
struct lit_thread *lp_thread_get(struct ps *p, int tid);
int lp_find_reg(struct lit_thread *th, const char *name);
int lp_new_reg(struct ps *p, struct lit_thread *th, const char *name);
int lp_get_reg(struct ps *p, struct lit_thread *th, const char *name);
/* Code emission into p->th: each returns the instruction (lp_emit) or the register
 * holding the result. */
int lp_emit(struct ps *p, int op);
int lp_tmp(struct ps *p);
int lp_const(struct ps *p, long long v);
int lp_load_id(struct ps *p);
int lp_load(struct ps *p, int addr, int acc);
void lp_store(struct ps *p, int addr, int val, int acc);
/* A fence with its LKMM kind (linux-kernel.def): f is what the lkvm engine
 * executes, kind the exact kind the cat engine needs. */
void lp_fence(struct ps *p, int f, enum lit_fence kind);
int lp_bin(struct ps *p, int sub, int a, int b);
int lp_un(struct ps *p, int sub, int a);
int lp_rmw(struct ps *p, int op, int addr, int operand, int expected, int ord, int ret);
/* Expressions: each returns the register holding the value. */
int lp_expr(struct ps *p);
int lp_unary(struct ps *p);
/* The address argument of a macro that takes an lvalue: "*e" -> e. */
int lp_lvalue_addr(struct ps *p);
void lp_args_end(struct ps *p);
void lp_comma(struct ps *p);
/* One statement of a thread body. */
void lp_stmt(struct ps *p);

/* ---- litmus/prims.c ---------------------------------------------------------------- */

/* A call to a kernel primitive, after "fn(" ; returns its value register (-1: no
 * value).  An unknown name is herd7's "Unknown macro" error, a known one this
 * tool does not model makes the test unsupported. */
int lp_call(struct ps *p, const char *fn, int line);

#endif /* SS_LITMUS_PARSE_INTERNAL_H */
