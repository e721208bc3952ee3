/* fuzz/litmus_export.c - failing execution -> C-litmus test (see litmus_export.h).
 *
 * The test is the chain the failure rests on, not the whole execution:
 *  - on the reading CPU: the stale load, the earlier load that saw a newer value
 *    (the reordered pair), and every load either depends on - the load that
 *    produced the pointer and the metadata loads whose values went into the
 *    address (slab->obj_exts, slab->stride) - in program order with the fences
 *    between them; a dependency is written as an address computed from the
 *    source register (x + (r ^ r)), which herd7 and `slabstress litmus` both
 *    treat as an address dependency;
 *  - on the writing CPU: the store the stale load missed, the producer's
 *    barriers (fences, full-barrier RMWs) after it, and the store the earlier
 *    load read.
 * The checkers' own bookkeeping words (site text "checker:...") are never part
 * of it: the kernel has no such word, so a shape over it says nothing about the
 * kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/litmus_export.h"

#define MAXVARS 32

bool ss_lx_is_checker(const struct emu_trace_ent *t)
{
	return t->site && t->site->expr && !strncmp(t->site->expr, "checker:", 8);
}

static bool is_read(const struct emu_trace_ent *t)
{
	return t->op == EMU_OP_LOAD || t->op == EMU_OP_RMW || t->op == EMU_OP_CAS128;
}

bool ss_lx_is_write(const struct emu_trace_ent *t)
{
	return t->op == EMU_OP_STORE ||
	       ((t->op == EMU_OP_RMW || t->op == EMU_OP_CAS128) && !(t->flags & EMU_TR_FAILED));
}

static const char *fence_text(const struct emu_trace_ent *t)
{
	if (t->op == EMU_OP_FENCE)
		return t->sub == SS_FENCE_WMB	? "smp_wmb();"
		       : t->sub == SS_FENCE_RMB ? "smp_rmb();"
						: "smp_mb();";
	if ((t->op == EMU_OP_RMW || t->op == EMU_OP_CAS128) && (t->flags & EMU_TR_FULL))
		return "smp_mb(); /* a full-barrier RMW in the model */";
	if (t->op == EMU_OP_LOCK || t->op == EMU_OP_UNLOCK || t->op == EMU_OP_RCU)
		return "smp_mb(); /* lock / RCU: at least this strong in the model */";
	return NULL;
}

/* Ordering between trace entries a and b (exclusive) of cpu, as fences. */
static void fences_between(FILE *f, const struct emu_trace_ent *tr, size_t a, size_t b, int cpu,
			   unsigned want)
{
	bool any_mb = false;
	unsigned kinds = 0;
	for (size_t i = a + 1; i < b; i++) {
		if (tr[i].cpu != cpu)
			continue;
		const char *ft = fence_text(&tr[i]);
		if (!ft)
			continue;
		unsigned k = tr[i].op == EMU_OP_FENCE ? 1u << tr[i].sub : 1u << SS_FENCE_MB;
		if (!(k & (want | (1u << SS_FENCE_MB))) || (kinds & k))
			continue;
		if (k == 1u << SS_FENCE_MB) {
			if (any_mb)
				continue;
			any_mb = true;
		}
		kinds |= k;
		fprintf(f, "\t%s\n", ft);
	}
}

/* The trace index of the store load k read (by store id, else the reading CPU's
 * newest write at that site); -1 for the initial value or unknown. */
long ss_lx_rf_store(const struct emu_trace_ent *tr, size_t k)
{
	const struct emu_trace_ent *l = &tr[k];
	if (l->rf_cpu < 0)
		return -1;
	if (l->store_id)
		for (size_t j = k; j-- > 0;)
			if (tr[j].op == EMU_OP_STORE && tr[j].store_id == l->store_id)
				return (long)j;
	for (size_t j = k; j-- > 0;)
		if (ss_lx_is_write(&tr[j]) && tr[j].cpu == l->rf_cpu && tr[j].site == l->rf_site)
			return (long)j;
	return -1;
}

/* The trace index of cpu's load with dependency handle h before index before. */
long ss_lx_load_of_handle(const struct emu_trace_ent *tr, size_t before, int cpu, uint32_t h)
{
	if (!h)
		return -1;
	for (size_t j = before; j-- > 0;)
		if (tr[j].cpu == cpu && tr[j].op == EMU_OP_LOAD && tr[j].handle == h)
			return (long)j;
	return -1;
}

/* Marks i and, transitively, every load it depends on. */
void ss_lx_mark_chain(const struct emu_trace_ent *tr, char *keep, size_t i, int depth)
{
	if (keep[i] || depth > 64)
		return;
	keep[i] = 1;
	const struct emu_trace_ent *t = &tr[i];
	if (!(t->flags & EMU_TR_DEP) || t->ndeps == 0xff)
		return;
	for (unsigned d = 0; d < t->ndeps && d < 4; d++) {
		long j = ss_lx_load_of_handle(tr, i, t->cpu, t->deps[d]);
		if (j >= 0 && !ss_lx_is_checker(&tr[j]))
			ss_lx_mark_chain(tr, keep, (size_t)j, depth + 1);
	}
}

struct vars {
	uintptr_t addr[MAXVARS];
	char name[MAXVARS][40];
	const char *expr[MAXVARS];
	int n;
};

/* The variable of the location at addr (named after expr). */
static int var_of(struct vars *v, uintptr_t addr, const char *expr)
{
	for (int i = 0; i < v->n; i++)
		if (v->addr[i] == addr)
			return i;
	if (v->n == MAXVARS)
		return -1;
	char base[32];
	emu_expr_ident(base, sizeof(base), expr, "x");
	int i = v->n++, dup = 0;
	for (int j = 0; j < i; j++)
		if (!strncmp(v->name[j], base, strlen(base)))
			dup++;
	if (dup)
		snprintf(v->name[i], sizeof(v->name[i]), "%s_%d", base, dup + 1);
	else
		snprintf(v->name[i], sizeof(v->name[i]), "%s", base);
	v->addr[i] = addr;
	v->expr[i] = expr;
	return i;
}

/* The failing pair: stale load si, the earlier load ki of the same CPU that read
 * a store mi's CPU made after the missed store mi, and that store wi. */
struct pick {
	long si, ki, mi, wi;
};

static bool find_pair(const struct emu *e, const struct emu_result *res, struct pick *pk)
{
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		if (t->op != EMU_OP_LOAD || !(t->flags & EMU_TR_STALE) || ss_lx_is_checker(t))
			continue;
		long mi = emu_trace_missed(e, i);
		if (mi < 0 || ss_lx_is_checker(&tr[mi]) || tr[mi].cpu == t->cpu)
			continue;
		int w = tr[mi].cpu;
		long ki = -1, wi = -1;
		for (size_t k = i; k-- > 0 && ki < 0;) {
			const struct emu_trace_ent *l = &tr[k];
			if (l->cpu != t->cpu || !is_read(l) || ss_lx_is_checker(l) ||
			    l->rf_cpu != w || l->addr == t->addr)
				continue;
			long m = ss_lx_rf_store(tr, k);
			if (m > mi && tr[m].cpu == w && !ss_lx_is_checker(&tr[m])) {
				ki = (long)k;
				wi = m;
			}
		}
		if (ki < 0)
			continue;
		/* prefer the failing CPU, then the latest */
		if (found && t->cpu != res->fail.cpu && tr[pk->si].cpu == res->fail.cpu)
			continue;
		*pk = (struct pick){(long)i, ki, mi, wi};
		found = true;
	}
	return found;
}

/* What the exported test is made of: the pair, the chain kept on the reading CPU,
 * its variables and its registers. */
struct export
{
	FILE *f;
	const struct emu *e;
	const struct emu_trace_ent *tr;
	struct pick pk;
	char *keep; /* [n]: trace entry i is in the chain */
	int *rno;   /* [n]: register of a kept load */
	int nregs;
	size_t first; /* first kept entry */
	struct vars v;
	int x, y; /* variables of the stale load and of the earlier load */
	int w, c; /* writing and reading CPU */
};

/* Marks the chain, names its variables and numbers its loads.  Returns 0, or -1
 * with err set. */
static int export_prepare(struct export *ex, size_t n, char *err, size_t errlen)
{
	const struct emu_trace_ent *tr = ex->tr, *ld2 = &tr[ex->pk.si], *ld1 = &tr[ex->pk.ki];
	ex->keep = calloc(n, 1);
	if (!ex->keep) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ss_lx_mark_chain(tr, ex->keep, (size_t)ex->pk.si, 0);
	ss_lx_mark_chain(tr, ex->keep, (size_t)ex->pk.ki, 0);

	/* Variables: the two locations of the pair first, then the chain's. */
	ex->v.n = 0;
	ex->x = var_of(&ex->v, ld2->addr, emu_site_expr(ld2->site));
	ex->y = var_of(&ex->v, ld1->addr, emu_site_expr(ld1->site));
	ex->first = (size_t)ex->pk.si;
	for (size_t i = 0; i <= (size_t)ex->pk.si; i++)
		if (ex->keep[i]) {
			if (i < ex->first)
				ex->first = i;
			if (var_of(&ex->v, tr[i].addr, emu_site_expr(tr[i].site)) < 0) {
				snprintf(err, errlen, "more than %d locations in the chain",
					 MAXVARS);
				return -1;
			}
		}
	if (ex->x < 0 || ex->y < 0) {
		snprintf(err, errlen, "too many locations");
		return -1;
	}
	/* registers: one per kept load, in program order */
	ex->rno = calloc(n, sizeof(int));
	if (!ex->rno) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ex->nregs = 0;
	for (size_t i = ex->first; i <= (size_t)ex->pk.si; i++)
		if (ex->keep[i])
			ex->rno[i] = ex->nregs++;
	return 0;
}

/* The "C name" line and the comment that tells where the test comes from. */
static void export_comment(const struct export *ex, const char *source, int pw, int pc)
{
	FILE *f = ex->f;
	const struct emu_trace_ent *tr = ex->tr, *ld2 = &tr[ex->pk.si], *ld1 = &tr[ex->pk.ki];
	const struct emu_config *cfg = emu_config_of(ex->e);
	int w = ex->w, c = ex->c;
	char v_old[64], v_new[64], v_y[64];
	emu_name_value(ex->e, ld2->val, v_old, sizeof(v_old));
	emu_name_value(ex->e, ld2->newest_val, v_new, sizeof(v_new));
	emu_name_value(ex->e, ld1->val, v_y, sizeof(v_y));

	fprintf(f, "C slabstress-%s-%s\n\n", cfg->scn->name, ss_variant_name(cfg->acfg.variant));
	fprintf(f, "(*\n * Result: Sometimes\n *\n");
	fprintf(f, " * Exported by slabstress replay --litmus from %s (model %s, %s\n", source,
		wmm_model_name(cfg->model), emu_deps_name(cfg->deps));
	fprintf(f, " * dependencies).  P%d is CPU %d (%s), P%d is CPU %d (%s).\n", pw, w,
		cfg->scn->role_names[w] ? cfg->scn->role_names[w] : "role", pc, c,
		cfg->scn->role_names[c] ? cfg->scn->role_names[c] : "role");
	fprintf(f, " * CPU %d read %s = %s (new), then %s = %s (stale; %s was stored before).\n", c,
		emu_site_expr(ld1->site), v_y, emu_site_expr(ld2->site), v_old, v_new);
	fprintf(f, " * The chain on CPU %d, in program order:\n", c);
	for (size_t i = ex->first; i <= (size_t)ex->pk.si; i++) {
		if (!ex->keep[i])
			continue;
		const struct emu_trace_ent *t = &tr[i];
		char val[64];
		emu_name_value(ex->e, t->val, val, sizeof(val));
		fprintf(f, " *   r%d = %s (= %s, step %u)", ex->rno[i], emu_site_expr(t->site), val,
			t->step);
		bool any = false;
		if ((t->flags & EMU_TR_DEP) && t->ndeps != 0xff)
			for (unsigned d = 0; d < t->ndeps && d < 4; d++) {
				long j = ss_lx_load_of_handle(tr, i, t->cpu, t->deps[d]);
				if (j >= 0 && ex->keep[j]) {
					fprintf(f, "%s r%d", any ? "," : ": address depends on",
						ex->rno[j]);
					any = true;
				}
			}
		fprintf(f, "\n");
	}
	fprintf(f, " * Values renumbered: 0 = initial, 1 = the new value.  Plain C accesses of\n"
		   " * the kernel are written *_ONCE (no data-race flag).\n *)\n\n");
}

/* The writing thread: the missed store, the producer's barriers, the store the
 * earlier load read (as the kind of access it was). */
static void export_writer(const struct export *ex)
{
	FILE *f = ex->f;
	const struct emu_trace_ent *st1 = &ex->tr[ex->pk.wi];
	const char *x = ex->v.name[ex->x], *y = ex->v.name[ex->y];
	bool rmw = st1->op == EMU_OP_RMW || st1->op == EMU_OP_CAS128;
	if (rmw)
		fprintf(f, "\tint r0;\n\n");
	fprintf(f, "\tWRITE_ONCE(*%s, 1);\n", x);
	fences_between(f, ex->tr, (size_t)ex->pk.mi, (size_t)ex->pk.wi, ex->w, 1u << SS_FENCE_WMB);
	if (rmw && (st1->flags & EMU_TR_FULL))
		fprintf(f, "\tr0 = cmpxchg(%s, 0, 1);\n", y);
	else if (rmw)
		fprintf(f, "\tr0 = cmpxchg_relaxed(%s, 0, 1);\n", y);
	else if (st1->flags & EMU_TR_REL)
		fprintf(f, "\tsmp_store_release(%s, 1);\n", y);
	else
		fprintf(f, "\tWRITE_ONCE(*%s, 1);\n", y);
}

/* One kept load of the reading thread, its address dependencies written as
 * x + (r ^ r). */
static void export_load(struct export *ex, size_t i)
{
	FILE *f = ex->f;
	const struct emu_trace_ent *t = &ex->tr[i];
	const char *loc = ex->v.name[var_of(&ex->v, t->addr, emu_site_expr(t->site))];
	char addr[256];
	int o = snprintf(addr, sizeof(addr), "%s", loc);
	bool dep = false;
	if ((t->flags & EMU_TR_DEP) && t->ndeps == 0xff)
		fprintf(f, "\tsmp_rmb(); /* depends on every earlier load */\n");
	else if (t->flags & EMU_TR_DEP)
		for (unsigned d = 0; d < t->ndeps && d < 4; d++) {
			long j = ss_lx_load_of_handle(ex->tr, i, ex->c, t->deps[d]);
			if (j < 0 || !ex->keep[j] || o >= (int)sizeof(addr))
				continue;
			o += snprintf(addr + o, sizeof(addr) - (size_t)o, " + (r%d ^ r%d)",
				      ex->rno[j], ex->rno[j]);
			dep = true;
		}
	if (t->flags & EMU_TR_ACQ)
		fprintf(f, "\tr%d = smp_load_acquire(%s);\n", ex->rno[i], addr);
	else if (dep)
		fprintf(f, "\tr%d = READ_ONCE(*(%s));\n", ex->rno[i], addr);
	else
		fprintf(f, "\tr%d = READ_ONCE(*%s);\n", ex->rno[i], addr);
}

/* The reading thread: the chain in program order, with the fences between. */
static void export_reader(struct export *ex)
{
	FILE *f = ex->f;
	for (int r = 0; r < ex->nregs; r++)
		fprintf(f, "\tint r%d;\n", r);
	fprintf(f, "\n");
	const char *last_fence = NULL;
	for (size_t i = ex->first; i <= (size_t)ex->pk.si; i++) {
		const struct emu_trace_ent *t = &ex->tr[i];
		if (t->cpu != ex->c)
			continue;
		if (!ex->keep[i]) {
			const char *ft = fence_text(t);
			if (ft && ft != last_fence)
				fprintf(f, "\t%s\n", ft);
			if (ft)
				last_fence = ft;
			continue;
		}
		last_fence = NULL;
		export_load(ex, i);
	}
}

int ss_litmus_export(FILE *f, const struct emu *e, const struct emu_result *res, const char *source,
		     char *err, size_t errlen)
{
	size_t n;
	struct export ex = {.f = f, .e = e};
	ex.tr = emu_trace(e, &n);
	if (!find_pair(e, res, &ex.pk)) {
		snprintf(err, errlen,
			 "no stale load (outside the checkers' bookkeeping) with an earlier load "
			 "that saw a newer value (message-passing shape) in the trace");
		return -1;
	}
	ex.w = ex.tr[ex.pk.mi].cpu;
	ex.c = ex.tr[ex.pk.si].cpu;
	if (export_prepare(&ex, n, err, errlen)) {
		free(ex.rno);
		free(ex.keep);
		return -1;
	}
	int pw = ex.w < ex.c ? 0 : 1, pc = 1 - pw;
	export_comment(&ex, source, pw, pc);
	fprintf(f, "{\n");
	for (int i = 0; i < ex.v.n; i++)
		fprintf(f, "\tint %s;\n", ex.v.name[i]);
	fprintf(f, "}\n\n");
	for (int p = 0; p < 2; p++) {
		fprintf(f, "P%d(", p);
		for (int i = 0; i < ex.v.n; i++)
			fprintf(f, "%sint *%s", i ? ", " : "", ex.v.name[i]);
		fprintf(f, ")\n{\n");
		if (p == pw)
			export_writer(&ex);
		else
			export_reader(&ex);
		fprintf(f, "}\n\n");
	}
	fprintf(f, "exists (%d:r%d=1 /\\ %d:r%d=0)\n", pc, ex.rno[ex.pk.ki], pc, ex.rno[ex.pk.si]);
	free(ex.rno);
	free(ex.keep);
	return 0;
}
