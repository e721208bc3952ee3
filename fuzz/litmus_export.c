/* fuzz/litmus_export.c - failing execution -> C-litmus test (see litmus_export.h). */
#include <ctype.h>
#include <string.h>

#include "fuzz/litmus_export.h"

/* A C identifier for a location expression: its last member name. */
static void var_name(char *buf, size_t n, const char *expr, const char *fallback)
{
	const char *p = expr, *q;
	if ((q = strrchr(p, '>')) && q > p && q[-1] == '-')
		p = q + 1;
	if ((q = strrchr(p, '.')))
		p = q + 1;
	size_t o = 0;
	for (; *p && o + 1 < n; p++)
		if (isalnum((unsigned char)*p) || *p == '_')
			buf[o++] = *p;
		else if (*p == '[')
			break;
	buf[o] = 0;
	if (!o || isdigit((unsigned char)buf[0]))
		snprintf(buf, n, "%s", fallback);
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

int ss_litmus_export(FILE *f, const struct emu *e, const struct emu_result *res, const char *source,
		     char *err, size_t errlen)
{
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	long si = -1;
	for (size_t i = 0; i < n; i++)
		if ((tr[i].flags & EMU_TR_STALE) && emu_trace_newer_po(e, i) >= 0)
			if (si < 0 || tr[i].cpu == res->fail.cpu || tr[si].cpu != res->fail.cpu)
				si = (long)i;
	if (si < 0) {
		snprintf(
		    err, errlen,
		    "no stale load with an earlier load that saw a newer value (message-passing "
		    "shape) in the trace");
		return -1;
	}
	long mi = emu_trace_missed(e, (size_t)si), ki = emu_trace_newer_po(e, (size_t)si);
	const struct emu_trace_ent *ld2 = &tr[si], *st2 = &tr[mi], *ld1 = &tr[ki];
	/* the store the earlier load read */
	long wi = -1;
	for (long m = ki; m-- > mi;)
		if (tr[m].cpu == ld1->rf_cpu && tr[m].site == ld1->rf_site &&
		    tr[m].op != EMU_OP_LOAD) {
			wi = m;
			break;
		}
	if (wi < 0) {
		snprintf(err, errlen, "cannot find the store the earlier load read");
		return -1;
	}
	const struct emu_trace_ent *st1 = &tr[wi];
	int w = st2->cpu, c = ld2->cpu;
	char x[48], y[64];
	var_name(x, sizeof(x), emu_site_expr(ld2->site), "x");
	var_name(y, sizeof(y), emu_site_expr(ld1->site), "y");
	if (!strcmp(x, y))
		snprintf(y, sizeof(y), "%s_2", x);
	int pw = w < c ? 0 : 1, pc = 1 - pw;
	const struct emu_config *cfg = emu_config_of(e);
	char v_old[64], v_new[64], v_y[64];
	emu_name_value(e, ld2->val, v_old, sizeof(v_old));
	emu_name_value(e, ld2->newest_val, v_new, sizeof(v_new));
	emu_name_value(e, ld1->val, v_y, sizeof(v_y));

	fprintf(f, "C slabstress-%s-%s\n\n", cfg->scn->name, ss_variant_name(cfg->acfg.variant));
	fprintf(f, "(*\n * Result: Sometimes\n *\n");
	fprintf(f, " * Exported by slabstress replay --litmus from %s (model %s).\n", source,
		wmm_model_name(cfg->model));
	fprintf(f, " * P%d is CPU %d (%s), P%d is CPU %d (%s).  %s = %s, %s = %s in the model:\n",
		pw, w, cfg->scn->role_names[w] ? cfg->scn->role_names[w] : "role", pc, c,
		cfg->scn->role_names[c] ? cfg->scn->role_names[c] : "role", x,
		emu_site_expr(ld2->site), y, emu_site_expr(ld1->site));
	fprintf(f, " * CPU %d read %s = %s (new), then %s = %s (stale; %s was stored before).\n", c,
		y, v_y, x, v_old, v_new);
	fprintf(f, " * Values renumbered: 0 = initial, 1 = the new value.  Plain C accesses of\n"
		   " * the kernel are written *_ONCE (no data-race flag).\n *)\n\n");
	fprintf(f, "{\n\tint %s;\n\tint %s;\n}\n\n", x, y);
	for (int p = 0; p < 2; p++) {
		fprintf(f, "P%d(int *%s, int *%s)\n{\n", p, x, y);
		if (p == pw) {
			bool rmw = st1->op == EMU_OP_RMW || st1->op == EMU_OP_CAS128;
			if (rmw)
				fprintf(f, "\tint r0;\n\n");
			fprintf(f, "\tWRITE_ONCE(*%s, 1);\n", x);
			fences_between(f, tr, (size_t)mi, (size_t)wi, w, 1u << SS_FENCE_WMB);
			if (rmw && (st1->flags & EMU_TR_FULL))
				fprintf(f, "\tr0 = cmpxchg(%s, 0, 1);\n", y);
			else if (rmw)
				fprintf(f, "\tr0 = cmpxchg_relaxed(%s, 0, 1);\n", y);
			else if (st1->flags & EMU_TR_REL)
				fprintf(f, "\tsmp_store_release(%s, 1);\n", y);
			else
				fprintf(f, "\tWRITE_ONCE(*%s, 1);\n", y);
		} else {
			fprintf(f, "\tint r0;\n\tint r1;\n\n");
			if (ld1->flags & EMU_TR_ACQ)
				fprintf(f, "\tr0 = smp_load_acquire(%s);\n", y);
			else
				fprintf(f, "\tr0 = READ_ONCE(*%s);\n", y);
			fences_between(f, tr, (size_t)ki, (size_t)si, c, 1u << SS_FENCE_RMB);
			fprintf(f, "\tr1 = READ_ONCE(*%s);\n", x);
		}
		fprintf(f, "}\n\n");
	}
	fprintf(f, "exists (%d:r0=1 /\\ %d:r1=0)\n", pc, pc);
	return 0;
}
