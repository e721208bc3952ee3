/* litmus/write_graph.c - a model graph as a C-litmus test (write_graph.h). */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "litmus/litmus.h"
#include "litmus/write_graph.h"

#define NAME_LEN 48

struct wg {
	FILE *f;
	const struct exg *g;
	const bool *keep;
	int num[REL_MAX_BIG];	/* an access's value, renumbered within its location */
	int reg[REL_MAX_BIG];	/* a read's register number, -1 */
	int pno[REL_MAX_BIG];	/* a thread's P number, -1: no events */
	int never[REL_MAX_BIG]; /* per location: a number no write stores */
	bool used[REL_MAX_BIG], lock[REL_MAX_BIG];
	char name[REL_MAX_BIG][NAME_LEN];
	const char *ind; /* the indentation of the event being written */
};

static bool kept(const struct wg *w, int i)
{
	return !(w->g->ev[i].flags & EVF_IW) && (!w->keep || w->keep[i]);
}

/* Words herd7's C front end reserves, or C's: not a location's name. */
static bool reserved(const char *s)
{
	static const char *const words[] = {
	    "lock",	"unlock",     "if",	  "else",   "while",	"for",	     "do",
	    "return",	"int",	      "char",	  "long",   "short",	"void",	     "const",
	    "volatile", "signed",     "unsigned", "struct", "union",	"typedef",   "sizeof",
	    "atomic_t", "spinlock_t", "exists",	  "forall", "filter",	"locations", "true",
	    "false",	"NULL",	      "P0",	  "C",	    "goto",	"switch",    "case",
	    "break",	"continue",   "static",	  "extern", "register", "auto",	     "default"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(s, words[i]))
			return true;
	return lit_macro_known(NULL, s);
}

/* Is name taken by one of the locations before l? */
static bool name_taken(const struct wg *w, int l, const char *name)
{
	for (int k = 0; k < l; k++)
		if (w->used[k] && !strcmp(w->name[k], name))
			return true;
	return false;
}

/* A name for location l: the caller's if it is a C identifier, else x<l>_,
 * made unique (slot, slot2, ...) and kept apart from registers (r1 -> r1_)
 * and reserved words (lock -> lock_). */
static void name_location(struct wg *w, const struct lit_graph_text *t, int l)
{
	const char *s = t->loc_name ? t->loc_name[l] : NULL;
	bool ok = s && (isalpha((unsigned char)s[0]) || s[0] == '_') && strlen(s) < NAME_LEN - 8;
	for (const char *p = s; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	char base[NAME_LEN];
	bool reg = ok && s[0] == 'r' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1);
	if (!ok)
		snprintf(base, sizeof(base), "x%d_", l);
	else
		snprintf(base, sizeof(base), reg || reserved(s) ? "%s_" : "%s", s);
	snprintf(w->name[l], NAME_LEN, "%s", base);
	for (int k = 2; name_taken(w, l, w->name[l]); k++)
		snprintf(w->name[l], NAME_LEN, "%s%d", base, k);
}

/* Numbers the values of location l: the initial one 0, each other value a
 * write stores 1, 2, ... in event order; a read gets its write's number. */
static void number_values(struct wg *w, int l)
{
	const struct exg *g = w->g;
	long long vals[REL_MAX_BIG];
	int nv = 0;
	for (int i = 0; i < g->n; i++) {
		if (!kept(w, i) || g->ev[i].loc != l || g->ev[i].kind != EV_W)
			continue;
		int k = 0;
		while (k < nv && vals[k] != g->ev[i].val)
			k++;
		if (k == nv)
			vals[nv++] = g->ev[i].val;
		w->num[i] = k + 1;
	}
	w->never[l] = nv + 1;
	for (int i = 0; i < g->n; i++) {
		if (!kept(w, i) || g->ev[i].loc != l || g->ev[i].kind != EV_R)
			continue;
		int s = exg_rf_source(g, i);
		w->num[i] = s < 0 || (g->ev[s].flags & EVF_IW) ? 0 : w->num[s];
	}
}

/* Why an event cannot be written, or NULL. */
static const char *unwritable(const struct wg *w, int i)
{
	const struct exg *g = w->g;
	const struct ev *e = &g->ev[i];
	if (e->flags & (EVF_SRCU_LOCK | EVF_SRCU_UNLOCK) ||
	    (e->kind == EV_F && e->fence == MF_SYNC_SRCU))
		return "an SRCU operation";
	if (e->kind == EV_F)
		return e->fence > MF_NONE && e->fence < MF_NKINDS ? NULL : "an unknown fence";
	if (w->lock[e->loc] && !exg_is_lock_op(e))
		return "a lock word accessed as memory";
	if (e->kind == EV_R) {
		int s = exg_rf_source(g, i);
		if (s >= 0 && !(g->ev[s].flags & EVF_IW) && !kept(w, s))
			return "a read of a write the test leaves out";
	}
	return NULL;
}

/* A returning read of a non-returning RMW would be ordered by an smp_rmb()
 * between it and another read of its thread: is there such a pair? */
static bool noreturn_meets_rmb(const struct wg *w, int i)
{
	const struct exg *g = w->g;
	bool rmb = false;
	for (int j = i + 1; j < g->n; j++) /* after it: an rmb, then a read */
		if (kept(w, j) && g->ev[j].thr == g->ev[i].thr) {
			rmb |= g->ev[j].kind == EV_F && g->ev[j].fence == MF_RMB;
			if (rmb && g->ev[j].kind == EV_R)
				return true;
		}
	rmb = false;
	for (int j = i; j-- > 0;) /* before it: an rmb, then (further back) a read */
		if (kept(w, j) && g->ev[j].thr == g->ev[i].thr) {
			rmb |= g->ev[j].kind == EV_F && g->ev[j].fence == MF_RMB;
			if (rmb && g->ev[j].kind == EV_R)
				return true;
		}
	return false;
}

/* Sets up w: locations, values, registers, thread numbers.  0 or -1 (err). */
static int prepare(struct wg *w, const struct lit_graph_text *t, char *err, size_t n)
{
	const struct exg *g = w->g;
	int events = 0, regs[REL_MAX_BIG] = {0}, np = 0;
	for (int i = 0; i < g->n; i++) {
		w->reg[i] = -1;
		if (!kept(w, i))
			continue;
		events++;
		if (g->ev[i].loc >= 0 && g->ev[i].kind != EV_F) {
			events += !w->used[g->ev[i].loc];
			w->used[g->ev[i].loc] = true;
			w->lock[g->ev[i].loc] |= exg_is_lock_op(&g->ev[i]);
		}
	}
	if (events > REL_MAX) {
		snprintf(err, n,
			 "%d events with the initial writes, more than the %d of a litmus test",
			 events, REL_MAX);
		return -1;
	}
	for (int l = 0; l < g->n; l++)
		if (w->used[l]) {
			name_location(w, t, l);
			number_values(w, l);
		}
	for (int k = 0; k < REL_MAX_BIG; k++)
		w->pno[k] = -1;
	for (int i = 0; i < g->n; i++) {
		if (!kept(w, i))
			continue;
		const char *why = unwritable(w, i);
		if (!why && g->ev[i].kind == EV_R && (g->ev[i].flags & EVF_NORETURN) &&
		    noreturn_meets_rmb(w, i))
			why = "a non-value-returning RMW with an smp_rmb() beside it";
		if (why) {
			snprintf(err, n, "event %d of thread %d is %s", i, g->ev[i].thr, why);
			return -1;
		}
		int th = g->ev[i].thr;
		w->pno[th] = 0;
		if (g->ev[i].kind == EV_R && !(g->ev[i].flags & EVF_LKR))
			w->reg[i] = regs[th]++;
	}
	for (int th = 0; th < g->nthreads; th++) /* P numbers in thread order */
		if (w->pno[th] == 0)
			w->pno[th] = np++;
	return 0;
}

static const char *fence_name(int fence)
{
	static const char *const names[MF_NKINDS] = {
	    [MF_MB] = "smp_mb()",
	    [MF_WMB] = "smp_wmb()",
	    [MF_RMB] = "smp_rmb()",
	    [MF_BEFORE_ATOMIC] = "smp_mb__before_atomic()",
	    [MF_AFTER_ATOMIC] = "smp_mb__after_atomic()",
	    [MF_AFTER_SPINLOCK] = "smp_mb__after_spinlock()",
	    [MF_AFTER_UNLOCK_LOCK] = "smp_mb__after_unlock_lock()",
	    [MF_BARRIER] = "barrier()",
	    [MF_RCU_LOCK] = "rcu_read_lock()",
	    [MF_RCU_UNLOCK] = "rcu_read_unlock()",
	    [MF_SYNC_RCU] = "synchronize_rcu()",
	    [MF_AFTER_SRCU_READ_UNLOCK] = "smp_mb__after_srcu_read_unlock()",
	};
	return names[fence];
}

/* " + (rK ^ rK)" for each kept read of rel into event i (and into j >= 0). */
static void dep_terms(const struct wg *w, const struct rel *r, int i, int j, char *buf, size_t n)
{
	size_t o = strlen(buf);
	for (int k = 0; k < w->g->n && o < n; k++)
		if (w->reg[k] >= 0 && kept(w, k) &&
		    (rel_has(r, k, i) || (j >= 0 && rel_has(r, k, j))))
			o += (size_t)snprintf(buf + o, n - o, " + (r%d ^ r%d)", w->reg[k],
					      w->reg[k]);
}

/* The address of access i (and of its RMW partner j): the location, plus the
 * address dependencies.  *deps: whether there are any. */
static void address_of(const struct wg *w, int i, int j, char *buf, size_t n, bool *deps)
{
	snprintf(buf, n, "%s", w->name[w->g->ev[i].loc]);
	size_t base = strlen(buf);
	dep_terms(w, &w->g->addr, i, j, buf, n);
	*deps = strlen(buf) > base;
}

/* Opens an if around write i when reads of its thread reach it by ctrl (not
 * its own RMW read r).  Returns whether it did. */
static bool open_ctrl(const struct wg *w, int i, int r)
{
	char cond[1024] = "";
	size_t o = 0;
	for (int k = 0; k < w->g->n && o < sizeof(cond); k++)
		if (k != r && w->reg[k] >= 0 && kept(w, k) && rel_has(&w->g->ctrl, k, i))
			o += (size_t)snprintf(cond + o, sizeof(cond) - o, "%s(r%d ^ r%d)",
					      o ? " + " : "", w->reg[k], w->reg[k]);
	if (!o)
		return false;
	fprintf(w->f, "\tif (%s == 0) {\n", cond);
	return true;
}

static void write_rmw(const struct wg *w, int r, int wr)
{
	const struct exg *g = w->g;
	const struct ev *re = &g->ev[r], *we = &g->ev[wr];
	char addr[1024], val[1024];
	bool deps;
	address_of(w, r, wr, addr, sizeof(addr), &deps);
	snprintf(val, sizeof(val), "%d", w->num[wr]);
	dep_terms(w, &g->data, wr, -1, val, sizeof(val));
	const char *op = (re->flags & EVF_MB)	     ? "xchg"
			 : (re->flags & EVF_ACQUIRE) ? "xchg_acquire"
			 : (we->flags & EVF_RELEASE) ? "xchg_release"
						     : "xchg_relaxed";
	fprintf(w->f, "%sr%d = %s(%s, %s);\n", w->ind, w->reg[r], op, addr, val);
}

static void write_read(const struct wg *w, int i)
{
	const struct ev *e = &w->g->ev[i];
	char addr[1024];
	bool deps;
	address_of(w, i, -1, addr, sizeof(addr), &deps);
	const char *l = w->name[e->loc];
	if (e->flags & EVF_LF)
		fprintf(w->f, "%sr%d = spin_trylock(%s);\n", w->ind, w->reg[i], l);
	else if (e->flags & EVF_RMW) /* failed: a cmpxchg whose old value nobody stores */
		fprintf(w->f, "%sr%d = %s(%s, %d, %d);\n", w->ind, w->reg[i],
			(e->flags & EVF_ACQUIRE) ? "cmpxchg_acquire" : "cmpxchg_relaxed", addr,
			w->never[e->loc], w->never[e->loc]);
	else if (e->flags & EVF_ACQUIRE)
		fprintf(w->f, "%sr%d = smp_load_acquire(%s);\n", w->ind, w->reg[i], addr);
	else {
		char deref[1100];
		snprintf(deref, sizeof(deref), deps ? "*(%s)" : "*%s", addr);
		if (e->flags & EVF_PLAIN)
			fprintf(w->f, "%sr%d = %s;\n", w->ind, w->reg[i], deref);
		else
			fprintf(w->f, "%sr%d = READ_ONCE(%s);\n", w->ind, w->reg[i], deref);
	}
}

static void write_write(const struct wg *w, int i)
{
	const struct ev *e = &w->g->ev[i];
	char addr[1024], val[1024];
	bool deps;
	if (e->flags & EVF_UL) {
		fprintf(w->f, "%sspin_unlock(%s);\n", w->ind, w->name[e->loc]);
		return;
	}
	address_of(w, i, -1, addr, sizeof(addr), &deps);
	snprintf(val, sizeof(val), "%d", w->num[i]);
	dep_terms(w, &w->g->data, i, -1, val, sizeof(val));
	if (e->flags & EVF_RELEASE)
		fprintf(w->f, "%ssmp_store_release(%s, %s);\n", w->ind, addr, val);
	else if (e->flags & EVF_PLAIN)
		fprintf(w->f, deps ? "%s*(%s) = %s;\n" : "%s*%s = %s;\n", w->ind, addr, val);
	else
		fprintf(w->f, deps ? "%sWRITE_ONCE(*(%s), %s);\n" : "%sWRITE_ONCE(*%s, %s);\n",
			w->ind, addr, val);
}

/* One kept event of a thread (an RMW's write goes with its read). */
static void write_event(struct wg *w, int i)
{
	const struct exg *g = w->g;
	const struct ev *e = &g->ev[i];
	int p = e->kind == EV_F ? -1 : exg_rmw_partner(g, i);
	if (e->kind == EV_F) {
		fprintf(w->f, "\t%s;\n", fence_name(e->fence));
		return;
	}
	if (e->kind == EV_W && p >= 0) /* written with its read */
		return;
	w->ind = "\t";
	bool open = open_ctrl(w, p >= 0 ? p : i, p >= 0 ? i : -1);
	if (open)
		w->ind = "\t\t";
	if (e->flags & EVF_LKR)
		fprintf(w->f, "%sspin_lock(%s);\n", w->ind, w->name[e->loc]);
	else if (p >= 0)
		write_rmw(w, i, p);
	else if (e->kind == EV_R)
		write_read(w, i);
	else
		write_write(w, i);
	if (open)
		fprintf(w->f, "\t}\n");
}

static void write_thread(struct wg *w, int th)
{
	const struct exg *g = w->g;
	fprintf(w->f, "P%d(", w->pno[th]);
	bool first = true;
	for (int l = 0; l < g->n; l++)
		if (w->used[l]) {
			fprintf(w->f, "%s%s *%s", first ? "" : ", ",
				w->lock[l] ? "spinlock_t" : "int", w->name[l]);
			first = false;
		}
	fprintf(w->f, ")\n{\n");
	bool any = false;
	for (int i = 0; i < g->n; i++)
		if (kept(w, i) && g->ev[i].thr == th && w->reg[i] >= 0) {
			fprintf(w->f, "\tint r%d;\n", w->reg[i]);
			any = true;
		}
	if (any)
		fprintf(w->f, "\n");
	for (int i = 0; i < g->n; i++)
		if (kept(w, i) && g->ev[i].thr == th)
			write_event(w, i);
	fprintf(w->f, "}\n\n");
}

/* The co-last kept write of location l, -1 for none. */
static int co_last(const struct wg *w, int l)
{
	int last = -1;
	for (int i = 0; i < w->g->n; i++)
		if (kept(w, i) && w->g->ev[i].loc == l && w->g->ev[i].kind == EV_W &&
		    (last < 0 || rel_has(&w->g->co, last, i)))
			last = i;
	return last;
}

/* Does read i read a value another thread wrote (or the initial one)? */
static bool reads_external(const struct wg *w, int i)
{
	int src = exg_rf_source(w->g, i);
	return src < 0 || w->g->ev[src].thr != w->g->ev[i].thr;
}

/* The exists clause: every read's value and every location's last one, at
 * most LIT_MAX_OBS of them (what `slabstress litmus` checks): the reads of
 * other threads' values first, then the last values, then the other reads.
 * Fewer only makes the clause weaker: the graph still satisfies it. */
static void write_condition(const struct wg *w)
{
	const struct exg *g = w->g;
	const char *sep = "";
	int named = 0, all = 0;
	fprintf(w->f, "exists (");
	for (int pass = 0; pass < 3; pass++) {
		for (int th = 0; pass != 1 && th < g->nthreads; th++)
			for (int i = 0; i < g->n; i++) {
				if (!kept(w, i) || g->ev[i].thr != th || w->reg[i] < 0 ||
				    reads_external(w, i) != (pass == 0))
					continue;
				all++;
				if (named++ >= LIT_MAX_OBS)
					continue;
				fprintf(w->f, "%s%d:r%d=%d", sep, w->pno[th], w->reg[i],
					(g->ev[i].flags & EVF_LF) ? 0 : w->num[i]);
				sep = " /\\ ";
			}
		for (int l = 0; pass == 1 && l < g->n; l++) {
			int last = w->used[l] && !w->lock[l] ? co_last(w, l) : -1;
			if (last < 0)
				continue;
			all++;
			if (named++ >= LIT_MAX_OBS)
				continue;
			fprintf(w->f, "%s%s=%d", sep, w->name[l], w->num[last]);
			sep = " /\\ ";
		}
	}
	fprintf(w->f, ")");
	if (all > LIT_MAX_OBS)
		fprintf(w->f, " (* %d of the graph's %d values: at most %d in a condition *)",
			LIT_MAX_OBS, all, LIT_MAX_OBS);
	fprintf(w->f, "\n");
}

int lit_write_graph(FILE *f, const struct exg *g, const bool *keep,
		    const struct lit_graph_text *text, char *err, size_t n)
{
	static __thread struct wg w;
	memset(&w, 0, sizeof(w));
	w.f = f;
	w.g = g;
	w.keep = keep;
	if (prepare(&w, text, err, n) != 0)
		return -1;
	fprintf(f, "C %s\n\n(*\n * Result: %s\n", text->name ? text->name : "graph",
		text->result ? text->result : "Sometimes");
	if (text->comment) {
		fprintf(f, " *\n");
		for (const char *p = text->comment; *p;) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);
			fprintf(f, " * %.*s\n", len, p);
			p += len + (nl != NULL);
		}
	}
	for (int th = 0; th < g->nthreads; th++)
		if (w.pno[th] >= 0 && text->thr_name && text->thr_name[th])
			fprintf(f, " * P%d is %s.\n", w.pno[th], text->thr_name[th]);
	fprintf(f, " *)\n\n{\n");
	for (int l = 0; l < g->n; l++)
		if (w.used[l])
			fprintf(f, "\t%s %s;\n", w.lock[l] ? "spinlock_t" : "int", w.name[l]);
	fprintf(f, "}\n\n");
	for (int th = 0; th < g->nthreads; th++)
		if (w.pno[th] >= 0)
			write_thread(&w, th);
	write_condition(&w);
	return 0;
}
