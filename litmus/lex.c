/* litmus/lex.c - the litmus parser's input side: reading a file within the limits
 * (LIT_LIMIT_FILE, LIT_LIMIT_LINE, no NUL bytes), errors that longjmp out of the
 * parse, and the lexer.  OCaml comments "(* ... *)" are only recognised outside
 * braces (READ_ONCE(*x) contains "(*") and in the initial state; C comments
 * everywhere.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "litmus/parse_internal.h"
#include "results/json.h"

/* ---- errors -------------------------------------------------------------------- */

void lp_set_err(struct lit_error *e, enum lit_err_kind kind, const char *path, int line,
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

/* Sets p->err from fmt and leaves the parse. */
static void lp_verr(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0), noreturn));
static void lp_verr(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, va_list ap)
{
	char msg[256];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	lp_set_err(p->err, kind, p->t->path, line, msg);
	if (kind == LIT_ERR_MACRO) {
		/* herd7's words, for judgelitmus.sh's grep ': Unknown macro ' */
		size_t n = strlen(p->err->text);
		snprintf(p->err->text + n, sizeof(p->err->text) - n, " (User error)");
	}
	longjmp(p->jb, 1);
}

void lp_err_kind(struct ps *p, enum lit_err_kind kind, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_verr(p, kind, line, fmt, ap);
}

void lp_err(struct ps *p, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_verr(p, LIT_ERR_SYNTAX, line, fmt, ap);
}

void lp_nest_in(struct ps *p, int line)
{
	if (++p->depth > LIT_LIMIT_DEPTH)
		lp_err_kind(p, LIT_ERR_LIMIT, line,
			    "nesting deeper than the limit of %d levels (parentheses, '!', '~', "
			    "blocks)",
			    LIT_LIMIT_DEPTH);
}

void lp_nest_out(struct ps *p)
{
	p->depth--;
}

void lp_unsupported(struct ps *p, const char *what)
{
	snprintf(p->t->unsupported, sizeof(p->t->unsupported), "%s", what);
	p->unsup = true;
	longjmp(p->jb, 1);
}

/* ---- input ---------------------------------------------------------------------- */

char *lp_read_text(const char *path, struct lit_error *e)
{
	struct stat st;
	char msg[200];
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		lp_set_err(e, LIT_ERR_READ, path, 0,
			   "is a directory, expected a litmus file (give the directory itself to "
			   "`slabstress litmus` to run every *.litmus under it)");
		return NULL;
	}
	FILE *f = res_open_input(path); /* a FIFO with no writer: empty, not a hang */
	if (!f) {
		lp_set_err(e, LIT_ERR_READ, path, 0, strerror(errno));
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
				lp_set_err(e, LIT_ERR_READ, path, 0, strerror(errno ? errno : EIO));
				goto fail;
			}
			break;
		}
		for (size_t i = n; i < n + k; i++) {
			if (!text[i]) {
				snprintf(msg, sizeof(msg),
					 "not a text file (a NUL byte at offset %zu, line %d)", i,
					 line);
				lp_set_err(e, LIT_ERR_LIMIT, path, 0, msg);
				goto fail;
			}
			if (text[i] == '\n') {
				line++;
				col = 0;
			} else if (++col > LIT_LIMIT_LINE) {
				snprintf(msg, sizeof(msg),
					 "line %d is longer than the limit of %d characters", line,
					 LIT_LIMIT_LINE);
				lp_set_err(e, LIT_ERR_LIMIT, path, 0, msg);
				goto fail;
			}
		}
		n += k;
		if (n > LIT_LIMIT_FILE) {
			snprintf(msg, sizeof(msg),
				 "larger than the limit of %d bytes for a litmus file (read %zu so "
				 "far)",
				 LIT_LIMIT_FILE, n);
			lp_set_err(e, LIT_ERR_LIMIT, path, 0, msg);
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

void lp_lex(struct ps *p, const char *s, int line)
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
				lp_err(p, l0, "unterminated /* comment");
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
				lp_err(p, l0, "unterminated (* comment");
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
				lp_err(p, line, "number out of range");
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

void lp_expect(struct ps *p, const char *s, const char *where)
{
	if (!accept(p, s))
		lp_err(p, cur(p)->line, "expected '%s'%s, found '%s'", s, where, cur(p)->s);
}

const char *lp_ident(struct ps *p, const char *what)
{
	struct tok *t = cur(p);
	if (t->k != T_ID)
		lp_err(p, t->line, "expected %s, found '%s'", what, t->s);
	p->i++;
	return t->s;
}
