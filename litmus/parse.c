/* litmus/parse.c - parser and compiler for the kernel C-litmus dialect
 * (../shared/litmus/FORMAT.md).
 *
 * The file is lexed once (litmus/lex.c).  Thread bodies are compiled straight
 * to the register machine of litmus.h (litmus/ccompile.c, litmus/prims.c); this
 * file parses the test around them: the header, the initial state, the threads'
 * parameters, the final condition and the filter.
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
#include <stdio.h>
#include <stdlib.h>

#include "litmus/parse_internal.h"

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
		lp_expect(p, "(", " after ATOMIC_INIT");
		long long v = init_value(p);
		lp_expect(p, ")", " closing ATOMIC_INIT");
		return v;
	}
	if (t->k == T_ID) {
		p->i++;
		if (!strcmp(t->s, "NULL"))
			return 0;
		return lp_loc_addr(lp_get_loc(p, t->s, t->line));
	}
	lp_err(p, t->line, "expected an initial value, found '%s'", t->s);
}

static void parse_init(struct ps *p)
{
	lp_expect(p, "{", " opening the initial state");
	while (!accept(p, "}")) {
		if (cur(p)->k == T_EOF)
			lp_err(p, cur(p)->line, "expected '}' closing the initial state");
		if (accept(p, ";"))
			continue;
		lp_skip_type(p);
		while (accept(p, "*"))
			;
		struct tok *t = cur(p);
		if (t->k == T_NUM && is_at(p, 1, ":")) {
			/* T:reg [= value] */
			int tid = (int)t->v;
			p->i += 2;
			const char *rn = lp_ident(p, "a register name");
			struct lit_thread *th = lp_thread_get(p, tid);
			int r = lp_get_reg(p, th, rn);
			if (accept(p, "="))
				th->reg_init[r] = init_value(p);
		} else {
			const char *name = lp_ident(p, "a location name");
			int l = lp_get_loc(p, name, t->line);
			if (accept(p, "="))
				p->t->locs[l].init = init_value(p);
		}
		if (!is(p, "}"))
			lp_expect(p, ";", " after an initial-state item");
	}
}

static void parse_thread(struct ps *p, int tid)
{
	struct lit_test *t = p->t;
	p->tid = tid;
	p->th = lp_thread_get(p, tid);
	p->nlive = p->nfree = 0;
	p->nparams = 0;
	lp_expect(p, "(", " after the thread name");
	while (!accept(p, ")")) {
		if (cur(p)->k == T_EOF)
			lp_err(p, cur(p)->line, "expected ')' closing the parameters");
		lp_skip_type(p);
		while (accept(p, "*"))
			;
		int line = cur(p)->line;
		const char *name = lp_ident(p, "a parameter name");
		if (p->nparams >= LIT_MAX_LOCS)
			lp_err(p, line, "too many parameters");
		snprintf(p->param[p->nparams], LIT_NAME, "%s", name);
		p->param_loc[p->nparams++] = lp_get_loc(p, name, line);
		if (!is(p, ")"))
			lp_expect(p, ",", " between parameters");
	}
	lp_expect(p, "{", " opening the thread body");
	while (!accept(p, "}")) {
		if (cur(p)->k == T_EOF)
			lp_err(p, cur(p)->line, "expected '}' closing the body of P%d", tid);
		lp_stmt(p);
	}
	lp_emit(p, LOP_END);
	if (tid + 1 > t->nthreads)
		t->nthreads = tid + 1;
}

/* ---- conditions ----------------------------------------------------------------- */

static int new_prop(struct ps *p, int kind, int l, int r)
{
	if (p->t->nprops >= LIT_MAX_PROP)
		lp_err(p, cur(p)->line, "condition too long");
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
		lp_err(p, cur(p)->line, "too many observed values (at most %d)", LIT_MAX_OBS);
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
		const char *rn = lp_ident(p, "a register name");
		if (tid < 0 || tid >= p->t->nthreads || !p->t->th[tid])
			lp_err(p, line, "no thread P%d for '%d:%s'", tid, tid, rn);
		/* herd7: a register the thread never names is one it never writes (0) */
		int r = lp_get_reg(p, p->t->th[tid], rn);
		v.kind = 2;
		v.t = tid;
		v.idx = r;
		return v;
	}
	if (t->k == T_NUM) {
		if (!rhs)
			lp_err(p, t->line, "expected a location or T:register, found '%s'", t->s);
		p->i++;
		v.kind = 0;
		v.c = neg ? -t->v : t->v;
		return v;
	}
	if (t->k == T_P && !strcmp(t->s, "[")) {
		/* herd7's [x]: the value held by location x, on either side */
		p->i++;
		struct tok *n = cur(p);
		const char *name = lp_ident(p, "a location name in '[...]'");
		lp_expect(p, "]", " closing '[location]'");
		v.kind = 1;
		v.idx = lp_get_loc(p, name, n->line);
		return v;
	}
	if (t->k == T_ID) {
		p->i++;
		if (rhs) {
			v.kind = 0;
			v.c = !strcmp(t->s, "NULL") ? 0 : lp_loc_addr(lp_get_loc(p, t->s, t->line));
			return v;
		}
		int l = lp_find_loc(p->t, t->s);
		if (l < 0)
			l = lp_get_loc(p, t->s, t->line);
		v.kind = 1;
		v.idx = l;
		return v;
	}
	lp_err(p, t->line, "expected a value in the condition, found '%s'", t->s);
}

static int prop_or(struct ps *p);

static int prop_atom_body(struct ps *p);

/* herd7's precedence, loosest first: \/, /\, => (right), ~ / not. */
static int prop_atom(struct ps *p)
{
	lp_nest_in(p, cur(p)->line);
	int k = prop_atom_body(p);
	lp_nest_out(p);
	return k;
}

static int prop_atom_body(struct ps *p)
{
	if (accept(p, "~") || accept(p, "not"))
		return new_prop(p, PK_NOT, prop_atom(p), -1);
	if (accept(p, "(")) {
		int k = prop_or(p);
		lp_expect(p, ")", " in the condition");
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
		lp_expect(p, "=", " in a condition atom");
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
		lp_nest_in(p, cur(p)->line);
		l = new_prop(p, PK_IMPL, l, prop_impl(p));
		lp_nest_out(p);
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
			lp_expect(p, "[", " after 'locations'");
			while (!accept(p, "]")) {
				if (cur(p)->k == T_EOF)
					lp_err(p, cur(p)->line, "expected ']' closing 'locations'");
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
			lp_err(p, tk->line, "expected end of file after the condition, found '%s'",
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
			lp_err(p, tk->line,
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

int lit_parse_file(const char *path, struct lit_test **out, char *err, size_t errlen)
{
	struct lit_error e;
	int rc = lit_parse(path, NULL, out, &e);
	if (rc)
		snprintf(err, errlen, "%s", e.text);
	return rc;
}

/* The "C <name>" header on the first non-blank line; also the expected result
 * and the digest of the whole text.  Returns the end of the header line (its
 * number in *line), or NULL with p->err set. */
static const char *parse_header(struct ps *p, const char *text, int *line)
{
	struct lit_test *t = p->t;
	const char *s = text;
	*line = 1;
	while (*s == '\n' || *s == ' ' || *s == '\t' || *s == '\r') {
		*line += *s == '\n';
		s++;
	}
	if (s[0] != 'C' || (s[1] != ' ' && s[1] != '\t')) {
		lp_set_err(p->err, LIT_ERR_SYNTAX, t->path, *line,
			   "expected 'C <test name>' header line");
		return NULL;
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
		lp_set_err(p->err, LIT_ERR_SYNTAX, t->path, *line,
			   "expected a test name after 'C'");
		return NULL;
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
	return e;
}

/* The thread-count limit first: past LIT_MAX_THREADS a test is only
 * unsupported, past LIT_LIMIT_THREADS it is refused. */
static void check_thread_count(struct ps *p)
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
		lp_err_kind(p, LIT_ERR_LIMIT, line0, "%d threads, past the limit of %d threads",
			    nth, LIT_LIMIT_THREADS);
}

/* Everything after the header: prelude, initial state, threads, conditions. */
static void parse_body(struct ps *p)
{
	struct lit_test *t = p->t;
	/* prelude (key=value lines) up to the initial state */
	while (!is(p, "{")) {
		if (cur(p)->k == T_EOF)
			lp_err(p, cur(p)->line, "expected '{' opening the initial state");
		p->i++;
	}
	parse_init(p);
	while (cur(p)->k == T_ID && cur(p)->s[0] == 'P' && isdigit((unsigned char)cur(p)->s[1])) {
		char *endp;
		long tid = strtol(cur(p)->s + 1, &endp, 10);
		if (*endp)
			break;
		if (tid != t->nthreads)
			lp_err(p, cur(p)->line, "expected thread P%d, found '%s'", t->nthreads,
			       cur(p)->s);
		p->i++;
		parse_thread(p, (int)tid);
	}
	if (t->nthreads == 0)
		lp_err(p, cur(p)->line, "expected a thread 'P0(...) { ... }', found '%s'",
		       cur(p)->s);
	parse_tail(p);
	for (int i = 0; i < t->nthreads; i++)
		if (!t->th[i])
			lp_err(p, 1, "thread P%d is missing", i);
}

int lit_parse(const char *path, const struct lit_parse_opts *po, struct lit_test **out,
	      struct lit_error *err)
{
	*out = NULL;
	memset(err, 0, sizeof(*err));
	char *text = lp_read_text(path, err);
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
	int line;
	const char *e = parse_header(p, text, &line);
	if (!e) {
		rc = -1;
		goto out;
	}
	lp_lex(p, e, line);
	check_thread_count(p);
	parse_body(p);
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
