/* fuzz/race_export.c - data-race candidate -> C-litmus test (see race_export.h).
 *
 * Why the projection reports no race the execution does not have:
 *  - it keeps the whole execution up to the later access b, not a window: every
 *    marked access of every CPU to a location two CPUs touch, every fence,
 *    lock and RCU marker, the two plain accesses a and b, and the loads the
 *    kept accesses depend on (address dependencies written x + (r ^ r)).  What
 *    is left out is (1) the other plain accesses: linux-kernel.cat orders
 *    plain accesses only through marked ones (hb, pb, rb and xbstar are
 *    [Marked] ; ... ; [Marked]; the pre- and post-bounded relations link a and
 *    b to marked accesses by dependencies and fences, all kept), (2) accesses
 *    to locations one CPU alone touches, which make no edge between threads
 *    (the loads among them that a kept access depends on are kept), (3) the
 *    checkers' bookkeeping, which the kernel does not have, and (4) everything
 *    after b: in the emulator a load reads only stores already made, so no
 *    ordering into b or out of the earlier access a can pass through them.
 *    Not pinned: the coherence order of the kept stores (a test has no way to
 *    fix it beyond final values), so the check may pick another co than the
 *    execution's;
 *  - the code is straight-line (no branch was kept), so each load is pinned by
 *    the `filter` to the store it read in the execution: the test's executions
 *    are the ones with this execution's reads-from, not those in which a spin
 *    loop would have read another value and gone elsewhere;
 *  - a run of loads of one CPU from one site that read the same store with
 *    nothing kept between them is one load (a polling loop): the same reads-
 *    from and the same ordering to what follows;
 *  - only a and b are plain (the marked loads the chains pull in stay marked),
 *    so a `Flag data-race` of the test is a race of a or b;
 *  - RMWs are written as xchg with their ordering and the value they stored
 *    (the value they read is pinned), a failed one as the marked read it is.
 */
#include "fuzz/race_export.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz/litmus_export.h"

#define RX_MAXVARS    40 /* below the parser's 48 locations */
#define RX_MAXTHREADS 8

struct rx {
	FILE *f;
	const struct emu *e;
	const struct emu_trace_ent *tr;
	size_t ia, ib, n; /* n = ib + 1 */
	char *keep;	  /* [n] */
	char *as_mb;	  /* [n]: a lock operation written smp_mb() (a lock one CPU takes) */
	int *val;	  /* [n]: writes: the number stored; reads: the number read (-1: free) */
	int *reg;	  /* [n]: register of a kept read */
	int *var;	  /* [n]: variable of a kept entry */
	uintptr_t vkey[RX_MAXVARS];
	char vname[RX_MAXVARS][40];
	bool vlock[RX_MAXVARS];
	int nv;
	int cpu[RX_MAXTHREADS], ncpus;
};

static bool is_access(const struct emu_trace_ent *t)
{
	return t->op == EMU_OP_LOAD || t->op == EMU_OP_STORE || t->op == EMU_OP_RMW ||
	       t->op == EMU_OP_CAS128;
}

static bool is_lock(const struct emu_trace_ent *t)
{
	return t->op == EMU_OP_LOCK || t->op == EMU_OP_UNLOCK || t->op == EMU_OP_TRYLOCK;
}

static bool is_plain(const struct emu_trace_ent *t)
{
	return (t->op == EMU_OP_LOAD || t->op == EMU_OP_STORE) && t->sub == SS_ACC_PLAIN;
}

static bool matches(const struct emu_trace_ent *t, const struct race_access *s)
{
	return is_access(t) && t->site == s->site && t->cpu == s->cpu &&
	       ss_lx_is_write(t) == s->write;
}

int ss_race_locate(const struct emu *e, const struct race_pair *p, size_t *ia, size_t *ib)
{
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	for (size_t i = 0; i < n; i++) {
		const struct race_access *other = matches(&tr[i], &p->b)   ? &p->a
						  : matches(&tr[i], &p->a) ? &p->b
									   : NULL;
		if (!other)
			continue;
		for (size_t j = i; j-- > 0;)
			if (tr[j].addr == tr[i].addr && matches(&tr[j], other)) {
				*ia = j;
				*ib = i;
				return 0;
			}
	}
	return -1;
}

/* Whether two or more CPUs access the word of each access in [0, n). */
static void mark_shared(struct rx *x, char *shared)
{
	const struct emu_trace_ent *tr = x->tr;
	for (size_t i = 0; i < x->n; i++) {
		if (!is_access(&tr[i]) || ss_lx_is_checker(&tr[i]) || shared[i])
			continue;
		unsigned mask = 0;
		for (size_t j = i; j < x->n; j++)
			if (is_access(&tr[j]) && tr[j].addr == tr[i].addr)
				mask |= 1u << (tr[j].cpu & 31);
		if (mask & (mask - 1))
			for (size_t j = i; j < x->n; j++)
				if (is_access(&tr[j]) && tr[j].addr == tr[i].addr)
					shared[j] = 1;
	}
}

static bool handle_used(const struct rx *x, int cpu, uint32_t h)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct emu_trace_ent *t = &x->tr[i];
		if (x->keep[i] && t->cpu == cpu && (t->flags & EMU_TR_DEP))
			for (unsigned d = 0; d < t->ndeps && d < 4; d++)
				if (t->deps[d] == h)
					return true;
	}
	return false;
}

/* A run of loads of one CPU from one site reading one store, nothing kept
 * between them: the last one stays. */
static void merge_polls(struct rx *x)
{
	const struct emu_trace_ent *tr = x->tr;
	long last[SS_MAX_ROLES];
	for (int c = 0; c < SS_MAX_ROLES; c++)
		last[c] = -1;
	for (size_t i = 0; i < x->n; i++) {
		if (!x->keep[i] || tr[i].cpu >= SS_MAX_ROLES)
			continue;
		const struct emu_trace_ent *t = &tr[i];
		long p = last[t->cpu];
		last[t->cpu] = (long)i;
		if (p < 0 || t->op != EMU_OP_LOAD || tr[p].op != EMU_OP_LOAD)
			continue;
		const struct emu_trace_ent *q = &tr[p];
		if (q->site != t->site || q->addr != t->addr || q->rf_cpu != t->rf_cpu ||
		    q->store_id != t->store_id || q->val != t->val || (size_t)p == x->ia ||
		    (q->handle && handle_used(x, q->cpu, q->handle)))
			continue;
		x->keep[p] = 0;
	}
}

/* A load no other CPU can reach: its location written by no other CPU in the
 * test, so it has no rfe and no external fr; not acquire, not a dependency
 * source, not of the pair.  Whatever it orders by fences its po-predecessors
 * are ordered by too, so dropping it changes no relation between kept events
 * (and it cuts the checker's path combinations, one per value it could read). */
static void drop_own_reads(struct rx *x)
{
	const struct emu_trace_ent *tr = x->tr;
	for (size_t i = 0; i < x->n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		if (!x->keep[i] || t->op != EMU_OP_LOAD || (t->flags & EMU_TR_ACQ) || i == x->ia ||
		    i == x->ib || (t->handle && handle_used(x, t->cpu, t->handle)))
			continue;
		bool other_writer = false;
		for (size_t j = 0; j < x->n && !other_writer; j++)
			other_writer = x->keep[j] && tr[j].addr == t->addr && tr[j].cpu != t->cpu &&
				       is_access(&tr[j]) && ss_lx_is_write(&tr[j]);
		if (!other_writer)
			x->keep[i] = 0;
	}
}

/* The variable of key (a word, or a lock's address | 1) named after expr. */
static int var_of(struct rx *x, uintptr_t key, const char *expr, bool lock)
{
	for (int i = 0; i < x->nv; i++)
		if (x->vkey[i] == key)
			return i;
	if (x->nv == RX_MAXVARS)
		return -1;
	char base[32];
	emu_expr_ident(base, sizeof(base), expr && *expr == '&' ? expr + 1 : expr,
		       lock ? "lock" : "x");
	/* herd7's C-litmus keywords are no variable names */
	static const char *const reserved[] = {"lock", "unlock", "int",	   "if",
					       "else", "while",	 "filter", "exists",
					       "true", "false",	 "forall"};
	for (size_t k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
		if (!strcmp(base, reserved[k])) {
			strcat(base, "_v");
			break;
		}
	int i = x->nv++, dup = 0;
	for (int j = 0; j < i; j++)
		if (!strncmp(x->vname[j], base, strlen(base)))
			dup++;
	if (dup)
		snprintf(x->vname[i], sizeof(x->vname[i]), "%s_%d", base, dup + 1);
	else
		snprintf(x->vname[i], sizeof(x->vname[i]), "%s", base);
	x->vkey[i] = key;
	x->vlock[i] = lock;
	return i;
}

static bool is_mb(const struct rx *x, size_t i)
{
	const struct emu_trace_ent *t = &x->tr[i];
	return x->as_mb[i] || (t->op == EMU_OP_FENCE && t->sub == SS_FENCE_MB);
}

/* A lock only one CPU takes becomes smp_mb() (stronger than its acquire and
 * release: only fewer races), and runs of smp_mb() of one CPU one. */
static void private_locks(struct rx *x)
{
	const struct emu_trace_ent *tr = x->tr;
	for (size_t i = 0; i < x->n; i++) {
		if (!x->keep[i] || !is_lock(&tr[i]))
			continue;
		unsigned mask = 0;
		for (size_t j = 0; j < x->n; j++)
			if (x->keep[j] && is_lock(&tr[j]) && tr[j].addr == tr[i].addr)
				mask |= 1u << (tr[j].cpu & 31);
		x->as_mb[i] = !(mask & (mask - 1));
	}
	long last[SS_MAX_ROLES];
	for (int c = 0; c < SS_MAX_ROLES; c++)
		last[c] = -1;
	for (size_t i = 0; i < x->n; i++) {
		if (!x->keep[i] || tr[i].cpu >= SS_MAX_ROLES)
			continue;
		long p = last[tr[i].cpu];
		if (p >= 0 && is_mb(x, (size_t)p) && is_mb(x, i)) {
			x->keep[i] = 0;
			continue;
		}
		last[tr[i].cpu] = (long)i;
	}
}

/* Keeps what the test is made of (see the top of the file). */
static void choose(struct rx *x, char *shared)
{
	const struct emu_trace_ent *tr = x->tr;
	mark_shared(x, shared);
	for (size_t i = 0; i < x->n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		if (ss_lx_is_checker(t))
			continue;
		if (is_access(t) && shared[i] && (!is_plain(t) || i == x->ia || i == x->ib))
			ss_lx_mark_chain(tr, x->keep, i, 0);
		else if (t->op == EMU_OP_FENCE || t->op == EMU_OP_RCU || t->op == EMU_OP_LOCK ||
			 t->op == EMU_OP_UNLOCK ||
			 (t->op == EMU_OP_TRYLOCK && !(t->flags & EMU_TR_FAILED)))
			x->keep[i] = 1;
	}
	/* the stores the kept loads read (a marked load of a plain store) */
	for (int pass = 0; pass < 4; pass++)
		for (size_t i = 0; i < x->n; i++) {
			if (!x->keep[i] || ss_lx_is_write(&tr[i]) || !shared[i] || tr[i].rf_cpu < 0)
				continue;
			long j = ss_lx_rf_store(tr, i);
			if (j >= 0 && (size_t)j < x->n && !x->keep[j] && !ss_lx_is_checker(&tr[j]))
				ss_lx_mark_chain(tr, x->keep, (size_t)j, 0);
		}
	merge_polls(x);
	drop_own_reads(x);
	private_locks(x);
}

/* Variables, threads, store numbers, values read, registers; the event count.
 * 0, or -1 with err. */
static int number(struct rx *x, char *err, size_t errlen)
{
	const struct emu_trace_ent *tr = x->tr;
	int count[RX_MAXVARS] = {0}, nreg[SS_MAX_ROLES] = {0}, events = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		x->reg[i] = x->val[i] = x->var[i] = -1;
		if (!x->keep[i])
			continue;
		int c = 0;
		while (c < x->ncpus && x->cpu[c] != t->cpu)
			c++;
		if (c == x->ncpus) {
			if (x->ncpus == RX_MAXTHREADS) {
				snprintf(err, errlen, "too big: more than %d CPUs", RX_MAXTHREADS);
				return -1;
			}
			x->cpu[x->ncpus++] = t->cpu;
		}
		events += is_lock(t) && !x->as_mb[i] ? 2 : 1;
		if (!is_access(t) && (!is_lock(t) || x->as_mb[i]))
			continue;
		x->var[i] = var_of(x, is_lock(t) ? t->addr | 1 : t->addr, emu_site_expr(t->site),
				   is_lock(t));
		if (x->var[i] < 0) {
			snprintf(err, errlen, "too big: more than %d locations", RX_MAXVARS);
			return -1;
		}
		if (is_lock(t))
			continue;
		if (t->op != EMU_OP_STORE)
			x->reg[i] = nreg[t->cpu]++;
		if (ss_lx_is_write(t))
			x->val[i] = ++count[x->var[i]];
	}
	events += x->nv;
	if (events > SS_RACE_MAX_EVENTS) {
		snprintf(err, errlen, "too big: %d events (the exact checker holds %d)", events,
			 SS_RACE_MAX_EVENTS);
		return -1;
	}
	return 0;
}

/* The number read by kept read i: the store it read (0: the initial value);
 * -1: a location one CPU touches (not pinned); -2: unknown. */
static int value_read(const struct rx *x, size_t i, const char *shared)
{
	const struct emu_trace_ent *t = &x->tr[i];
	if (!shared[i])
		return -1;
	if (t->rf_cpu < 0)
		return 0;
	long j = ss_lx_rf_store(x->tr, i);
	if (j < 0 || (size_t)j >= x->n || !x->keep[j] || x->val[j] < 0)
		return -2;
	return x->val[j];
}

/* The address of kept access i: its variable, plus (r ^ r) for each kept load
 * of its CPU it depends on. */
static void address(const struct rx *x, size_t i, char *buf, size_t n, bool *dep)
{
	const struct emu_trace_ent *t = &x->tr[i];
	int o = snprintf(buf, n, "%s", x->vname[x->var[i]]);
	*dep = false;
	if (!(t->flags & EMU_TR_DEP) || t->ndeps == 0xff)
		return;
	for (unsigned d = 0; d < t->ndeps && d < 4; d++) {
		long j = ss_lx_load_of_handle(x->tr, i, t->cpu, t->deps[d]);
		if (j < 0 || !x->keep[j] || x->reg[j] < 0 || o >= (int)n)
			continue;
		o += snprintf(buf + o, n - (size_t)o, " + (r%d ^ r%d)", x->reg[j], x->reg[j]);
		*dep = true;
	}
}

static const char *rmw_name(const struct emu_trace_ent *t)
{
	return t->flags & EMU_TR_FULL  ? "xchg"
	       : t->flags & EMU_TR_ACQ ? "xchg_acquire"
	       : t->flags & EMU_TR_REL ? "xchg_release"
				       : "xchg_relaxed";
}

/* One kept access: plain only for the pair. */
static void access_stmt(const struct rx *x, size_t i)
{
	FILE *f = x->f;
	const struct emu_trace_ent *t = &x->tr[i];
	char a[256], star[272];
	bool dep;
	address(x, i, a, sizeof(a), &dep);
	snprintf(star, sizeof(star), dep ? "*(%s)" : "*%s", a);
	bool plain = (i == x->ia || i == x->ib) && t->op != EMU_OP_RMW && t->op != EMU_OP_CAS128 &&
		     t->sub == SS_ACC_PLAIN;
	int r = x->reg[i], v = x->val[i];
	if (t->op == EMU_OP_STORE) {
		if (plain)
			fprintf(f, "\t%s = %d;\n", star, v);
		else if (t->flags & EMU_TR_REL)
			fprintf(f, "\tsmp_store_release(%s, %d);\n", a, v);
		else
			fprintf(f, "\tWRITE_ONCE(%s, %d);\n", star, v);
	} else if (t->op == EMU_OP_LOAD) {
		if (plain)
			fprintf(f, "\tr%d = %s;\n", r, star);
		else if (t->flags & EMU_TR_ACQ)
			fprintf(f, "\tr%d = smp_load_acquire(%s);\n", r, a);
		else
			fprintf(f, "\tr%d = READ_ONCE(%s);\n", r, star);
	} else if (t->flags & EMU_TR_FAILED) {
		fprintf(f, "\tr%d = READ_ONCE(%s); /* a failed RMW */\n", r, star);
	} else {
		fprintf(f, "\tr%d = %s(%s, %d);\n", r, rmw_name(t), a, v);
	}
}

static void stmt(const struct rx *x, size_t i)
{
	FILE *f = x->f;
	const struct emu_trace_ent *t = &x->tr[i];
	if (x->as_mb[i]) {
		fprintf(f, "\tsmp_mb(); /* a lock only this CPU takes */\n");
		return;
	}
	switch (t->op) {
	case EMU_OP_FENCE:
		fprintf(f, "\t%s\n",
			t->sub == SS_FENCE_WMB	 ? "smp_wmb();"
			: t->sub == SS_FENCE_RMB ? "smp_rmb();"
						 : "smp_mb();");
		return;
	case EMU_OP_RCU:
		fprintf(f, "\t%s\n",
			t->sub == 1   ? "rcu_read_lock();"
			: t->sub == 2 ? "rcu_read_unlock();"
				      : "synchronize_rcu();");
		return;
	case EMU_OP_LOCK:
	case EMU_OP_TRYLOCK: fprintf(f, "\tspin_lock(%s);\n", x->vname[x->var[i]]); return;
	case EMU_OP_UNLOCK: fprintf(f, "\tspin_unlock(%s);\n", x->vname[x->var[i]]); return;
	default: access_stmt(x, i);
	}
}

static const char *kind_text(const struct emu_trace_ent *t)
{
	bool plain = t->op != EMU_OP_RMW && t->op != EMU_OP_CAS128 && t->sub == SS_ACC_PLAIN;
	if (ss_lx_is_write(t))
		return plain ? "plain store" : "marked store";
	return plain ? "plain load" : "marked load";
}

static void comment(const struct rx *x, const char *source)
{
	FILE *f = x->f;
	const struct emu_config *cfg = emu_config_of(x->e);
	const struct emu_trace_ent *a = &x->tr[x->ia], *b = &x->tr[x->ib];
	fprintf(f, "C slabstress-race-%s-%s\n\n", cfg->scn->name,
		ss_variant_name(cfg->acfg.variant));
	fprintf(f, "(*\n * Exported by slabstress from %s (model %s, %s dependencies):\n", source,
		wmm_model_name(cfg->model), emu_deps_name(cfg->deps));
	fprintf(f, " * does CPU %d's %s of %s (%s:%d) race with CPU %d's %s (%s:%d)?\n", a->cpu,
		kind_text(a), emu_site_expr(a->site), a->site ? a->site->file : "?",
		a->site ? a->site->line : 0, b->cpu, kind_text(b), b->site ? b->site->file : "?",
		b->site ? b->site->line : 0);
	for (int c = 0; c < x->ncpus; c++)
		fprintf(f, " * P%d is CPU %d (%s).\n", c, x->cpu[c],
			cfg->scn->role_names[x->cpu[c]] ? cfg->scn->role_names[x->cpu[c]] : "role");
	fprintf(f, " * The execution up to the later access, on the locations two CPUs touch;\n"
		   " * stores renumbered 1, 2, ... per location, each load pinned by the\n"
		   " * filter to the store it read.  Only the pair's accesses are plain.\n *)\n\n");
}

/* Threads: the kept entries of each CPU in program order. */
static void threads(const struct rx *x)
{
	FILE *f = x->f;
	for (int c = 0; c < x->ncpus; c++) {
		fprintf(f, "P%d(", c);
		for (int v = 0; v < x->nv; v++)
			fprintf(f, "%s%s *%s", v ? ", " : "", x->vlock[v] ? "spinlock_t" : "int",
				x->vname[v]);
		fprintf(f, ")\n{\n");
		int nr = 0;
		for (size_t i = 0; i < x->n; i++)
			if (x->keep[i] && x->tr[i].cpu == x->cpu[c] && x->reg[i] >= 0)
				fprintf(f, "\tint r%d;\n", nr++);
		if (nr)
			fprintf(f, "\n");
		for (size_t i = 0; i < x->n; i++)
			if (x->keep[i] && x->tr[i].cpu == x->cpu[c])
				stmt(x, i);
		fprintf(f, "}\n\n");
	}
}

/* The filter (each pinned load's number) and an exists clause that holds. */
static int conditions(const struct rx *x, const char *shared, char *err, size_t errlen)
{
	FILE *f = x->f;
	const char *sep = "filter (";
	for (size_t i = 0; i < x->n; i++) {
		if (!x->keep[i] || x->reg[i] < 0)
			continue;
		int v = value_read(x, i, shared);
		if (v == -2) {
			snprintf(err, errlen,
				 "cannot tell which store the load at trace entry %zu read", i);
			return -1;
		}
		if (v < 0)
			continue;
		int c = 0;
		while (x->cpu[c] != x->tr[i].cpu)
			c++;
		fprintf(f, "%s%d:r%d=%d", sep, c, x->reg[i], v);
		sep = " /\\ ";
	}
	if (*sep == ' ')
		fprintf(f, ")\n");
	const char *v = x->vname[x->var[x->ia]];
	fprintf(f, "exists (%s=0 \\/ ~%s=0)\n", v, v);
	return 0;
}

int ss_race_export(FILE *f, const struct emu *e, size_t ia, size_t ib, const char *source,
		   char *err, size_t errlen)
{
	size_t n;
	struct rx x = {.f = f, .e = e, .ia = ia, .ib = ib, .n = ib + 1};
	x.tr = emu_trace(e, &n);
	if (ia >= ib || ib >= n) {
		snprintf(err, errlen, "no such pair of accesses in the trace");
		return -1;
	}
	char *shared = calloc(x.n, 1);
	x.keep = calloc(x.n, 1);
	x.as_mb = calloc(x.n, 1);
	x.val = calloc(x.n, sizeof(int));
	x.reg = calloc(x.n, sizeof(int));
	x.var = calloc(x.n, sizeof(int));
	int rc = -1;
	if (!shared || !x.keep || !x.as_mb || !x.val || !x.reg || !x.var) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	choose(&x, shared);
	x.keep[ia] = x.keep[ib] = 1;
	if (number(&x, err, errlen))
		goto out;
	/* the filter must be known before anything is written */
	FILE *null = fopen("/dev/null", "w");
	struct rx probe = x;
	probe.f = null ? null : f;
	if (null) {
		rc = conditions(&probe, shared, err, errlen);
		fclose(null);
		if (rc)
			goto out;
	}
	comment(&x, source);
	fprintf(f, "{\n}\n\n");
	threads(&x);
	rc = conditions(&x, shared, err, errlen);
out:
	free(shared);
	free(x.keep);
	free(x.as_mb);
	free(x.val);
	free(x.reg);
	free(x.var);
	return rc;
}
