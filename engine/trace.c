/* engine/trace.c - reading the emulator's trace (engine/trace.h): the entry
 * that a stale load missed, the reordered pair, which entries a reader needs,
 * and the two-column rendering.  Works on the recorded entries only (emu_trace)
 * and the config (emu_config_of): no emulator internals.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/trace.h"

/* ---- which entries ----------------------------------------------------------------- */

#define COLW 60

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "?";
}

static void site_str(char *buf, size_t n, const struct ss_site *s)
{
	if (!s || !s->file)
		snprintf(buf, n, "?");
	else if (s->line)
		snprintf(buf, n, "%s:%d", base_name(s->file), s->line);
	else
		snprintf(buf, n, "%s", base_name(s->file));
}

static bool is_write(const struct emu_trace_ent *s)
{
	return s->op == EMU_OP_STORE || (s->op == EMU_OP_RMW && !(s->flags & EMU_TR_FAILED)) ||
	       (s->op == EMU_OP_CAS128 && !(s->flags & EMU_TR_FAILED));
}

static bool is_read(const struct emu_trace_ent *s)
{
	return s->op == EMU_OP_LOAD || s->op == EMU_OP_RMW || s->op == EMU_OP_CAS128;
}

/* The trace entry of the store a read read from (by id, or - sub-word stores
 * and RMWs, whose message id the model does not return - the latest write of
 * that CPU at that site before it); -1 for the initial value or unknown. */
static long find_store(const struct emu *e, size_t before, uint32_t id, int cpu,
		       const struct ss_site *site)
{
	if (cpu < 0)
		return -1;
	size_t ntr;
	const struct emu_trace_ent *tr = emu_trace(e, &ntr);
	/* By store id first: several stores can share a site (a loop), and the newest
	 * of them need not be the one read.  RMWs carry no store id: fall back to the
	 * CPU's newest write at that site. */
	if (id)
		for (size_t j = before; j-- > 0;) {
			const struct emu_trace_ent *s = &tr[j];
			if (s->op == EMU_OP_STORE && s->store_id == id)
				return (long)j;
		}
	for (size_t j = before; j-- > 0;) {
		const struct emu_trace_ent *s = &tr[j];
		if (is_write(s) && s->cpu == cpu && s->site == site)
			return (long)j;
	}
	return -1;
}

long emu_trace_missed(const struct emu *e, size_t i)
{
	size_t ntr;
	const struct emu_trace_ent *tr = emu_trace(e, &ntr);
	if (i >= ntr || !(tr[i].flags & EMU_TR_STALE))
		return -1;
	const struct emu_trace_ent *t = &tr[i];
	return find_store(e, i, t->newest_store_id, t->newest_cpu, t->newest_site);
}

long emu_trace_newer_po(const struct emu *e, size_t i)
{
	long j = emu_trace_missed(e, i);
	if (j < 0)
		return -1;
	size_t ntr;
	const struct emu_trace_ent *tr = emu_trace(e, &ntr);
	const struct emu_trace_ent *t = &tr[i], *s2 = &tr[j];
	for (size_t k = i; k-- > 0;) {
		const struct emu_trace_ent *l = &tr[k];
		if (l->cpu != t->cpu || !is_read(l) || l->rf_cpu != s2->cpu)
			continue;
		long m = find_store(e, k, l->store_id, l->rf_cpu, l->rf_site);
		if (m > j)
			return (long)k;
	}
	return -1;
}

void emu_trace_cell(const struct emu *e, const struct emu_trace_ent *t, char *buf, size_t n)
{
	char at[64], v[64];
	site_str(at, sizeof(at), t->site);
	static const char *const fences[] = {"smp_mb()", "smp_wmb()", "smp_rmb()"};
	static const char *const rmws[] = {"xchg", "add", "and", "or", "cmpxchg"};
	static const char *const blk[] = {"-- done", "-- blocked (lock)", "-- blocked (poll)",
					  "-- blocked (rcu)"};
	emu_name_value(e, t->val, v, sizeof(v));
	switch (t->op) {
	case EMU_OP_LOAD:
		snprintf(buf, n, "%s %s = %s%s%s  %s", t->flags & EMU_TR_ACQ ? "R.acq" : "R",
			 emu_site_expr(t->site), v, t->flags & EMU_TR_STALE ? " STALE" : "",
			 t->flags & EMU_TR_DEP ? " (addr dep)" : "", at);
		break;
	case EMU_OP_STORE:
		snprintf(buf, n, "%s %s = %s  %s", t->flags & EMU_TR_REL ? "W.rel" : "W",
			 emu_site_expr(t->site), v, at);
		break;
	case EMU_OP_RMW: {
		/* RMW sites name the pointer (cmpxchg(&slab->obj_exts, ...)): show the
		 * location, then old -> new. */
		const char *loc = emu_site_expr(t->site);
		if (loc[0] == '&')
			loc++;
		char nv[64];
		emu_name_value(e, t->newest_val, nv, sizeof(nv));
		if (t->flags & EMU_TR_FAILED)
			snprintf(buf, n, "%s%s %s: %s (failed)  %s", rmws[t->sub < 5 ? t->sub : 0],
				 t->flags & EMU_TR_FULL ? "" : "_relaxed", loc, v, at);
		else
			snprintf(buf, n, "%s%s %s: %s -> %s  %s", rmws[t->sub < 5 ? t->sub : 0],
				 t->flags & EMU_TR_FULL ? "" : "_relaxed", loc, v, nv, at);
		break;
	}
	case EMU_OP_CAS128:
		snprintf(buf, n, "cmpxchg128 %s%s  %s", emu_site_expr(t->site),
			 t->flags & EMU_TR_FAILED ? " (failed)" : "", at);
		break;
	case EMU_OP_FENCE:
		snprintf(buf, n, "%s%s  %s", fences[t->sub < 3 ? t->sub : 0],
			 t->flags & EMU_TR_EXTRA ? " (inserted)" : "", at);
		break;
	case EMU_OP_LOCK:
	case EMU_OP_UNLOCK:
	case EMU_OP_RCU: snprintf(buf, n, "%s  %s", emu_site_expr(t->site), at); break;
	case EMU_OP_TRYLOCK:
		snprintf(buf, n, "%s%s  %s", emu_site_expr(t->site),
			 t->flags & EMU_TR_FAILED ? " (failed)" : "", at);
		break;
	case EMU_OP_BLOCK: snprintf(buf, n, "%s", blk[t->sub < 4 ? t->sub : 0]); break;
	default: snprintf(buf, n, "?"); break;
	}
}

/* Which entries the default rendering shows: stale loads, the stores they
 * missed, the earlier loads of the same CPU that saw newer values (the
 * reordered pair), fences, and the failing CPU's last accesses (a deadlock's:
 * every CPU's, so each one's lock or poll shows). */
/* The checkers' own bookkeeping (site text "checker:..."): not what a reader of
 * the interleaving is after, so only --full shows it. */
static bool is_checker_site(const struct ss_site *s)
{
	return s && s->expr && !strncmp(s->expr, "checker:", 8);
}

static char *select_entries(const struct emu *e, const struct emu_result *res, bool full)
{
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	char *keep = calloc(n ? n : 1, 1);
	if (!keep)
		return NULL;
	int fcpu = res && res->kind ? res->fail.cpu : -1;
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		if (full || (t->flags & EMU_TR_STALE) || t->op == EMU_OP_FENCE) {
			keep[i] = 1;
			shown++;
		}
		if (t->flags & EMU_TR_STALE) {
			long j = emu_trace_missed(e, i), k = emu_trace_newer_po(e, i);
			if (j >= 0)
				keep[j] = 1;
			if (k >= 0) {
				keep[k] = 1;
				/* ... and the store that earlier load read: the other half of
				 * the message-passing pair, as in the seed email's picture. */
				const struct emu_trace_ent *l = &tr[k];
				long m =
				    find_store(e, (size_t)k, l->store_id, l->rf_cpu, l->rf_site);
				if (m >= 0)
					keep[m] = 1;
			}
		}
	}
	int ncpus = emu_config_of(e)->scn->nroles;
	bool deadlock = res && res->kind == SS_FAIL_DEADLOCK;
	for (int c = 0; fcpu >= 0 && c < ncpus; c++) {
		if (c != fcpu && !deadlock)
			continue;
		int left = 4;
		for (size_t i = n; i-- > 0 && left > 0;)
			if (tr[i].cpu == c && (tr[i].op != EMU_OP_BLOCK || deadlock) &&
			    tr[i].step <= res->fail_step && !is_checker_site(tr[i].site)) {
				keep[i] = 1;
				left--;
			}
	}
	if (!shown && fcpu < 0) /* nothing stands out: the last steps before the end */
		for (size_t i = n > 12 ? n - 12 : 0; i < n; i++)
			keep[i] = 1;
	return keep;
}

size_t emu_trace_select(const struct emu *e, const struct emu_result *res, bool full,
			void (*fn)(void *ctx, size_t idx), void *ctx)
{
	char *keep = select_entries(e, res, full);
	size_t k = 0, n;
	if (!keep)
		return 0;
	emu_trace(e, &n);
	for (size_t i = 0; i < n; i++)
		if (keep[i]) {
			fn(ctx, i);
			k++;
		}
	free(keep);
	return k;
}

static void print_row(FILE *f, int ncpu, long step, int cpu, const char *text)
{
	if (step >= 0)
		fprintf(f, "%6ld |", step);
	else
		fprintf(f, "       |");
	for (int c = 0; c < ncpu; c++) {
		if (c == cpu) {
			int len = (int)strlen(text);
			if (len > COLW && c + 1 < ncpu)
				fprintf(f, " %.*s~|", COLW - 1, text);
			else if (c + 1 < ncpu)
				fprintf(f, " %-*s|", COLW, text);
			else
				fprintf(f, " %s", text);
		} else if (c + 1 < ncpu) {
			fprintf(f, " %-*s|", COLW, "");
		}
	}
	fputc('\n', f);
}

void emu_print_trace(FILE *f, const struct emu *e, const struct emu_result *res, bool full)
{
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	const struct emu_config *cfg = emu_config_of(e);
	int ncpus = cfg->scn->nroles;
	char *keep = select_entries(e, res, full);
	if (!keep)
		return;
	char hdr[64];
	fprintf(f, "  step |");
	for (int c = 0; c < ncpus; c++) {
		const char *rn = cfg->scn->role_names[c];
		snprintf(hdr, sizeof(hdr), "CPU %d (%s)", c, rn ? rn : "role");
		if (c + 1 < ncpus)
			fprintf(f, " %-*s|", COLW, hdr);
		else
			fprintf(f, " %s", hdr);
	}
	fputc('\n', f);
	fprintf(f, "-------+");
	for (int c = 0; c < ncpus; c++) {
		for (int k = 0; k < COLW + 1; k++)
			fputc('-', f);
		if (c + 1 < ncpus)
			fputc('+', f);
	}
	fputc('\n', f);
	char text[512], at[64], v[64];
	size_t last = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		const struct emu_trace_ent *t = &tr[i];
		if (last != (size_t)-1 && i > last + 1 && !full)
			fprintf(f, "   ... |\n");
		last = i;
		emu_trace_cell(e, t, text, sizeof(text));
		print_row(f, ncpus, (long)t->step, t->cpu, text);
		if (t->flags & EMU_TR_STALE) {
			long j = emu_trace_missed(e, i);
			site_str(at, sizeof(at), t->newest_site);
			emu_name_value(e, t->newest_val, v, sizeof(v));
			if (j >= 0)
				snprintf(text, sizeof(text),
					 "  ^ missed %s by CPU %d, step %u (%s)", v, t->newest_cpu,
					 tr[j].step, at);
			else
				snprintf(text, sizeof(text), "  ^ missed %s by CPU %d (%s)", v,
					 t->newest_cpu, at);
			print_row(f, ncpus, -1, t->cpu, text);
		}
	}
	if (res && res->kind) {
		char msg[300];
		site_str(at, sizeof(at), res->fail.site);
		emu_name_message(e, res->fail.msg, msg, sizeof(msg));
		fprintf(f, "FAILURE at step %lu: %s on CPU %d at %s (%s): %s\n", res->fail_step,
			ss_fail_kind_name(res->kind), res->fail.cpu, at,
			res->fail.site && res->fail.site->func ? res->fail.site->func : "?", msg);
		fprintf(f, "  (under %s, %s dependencies)\n", wmm_model_name(cfg->model),
			emu_deps_name(cfg->deps));
	}
	free(keep);
}

void emu_expr_ident(char *buf, size_t n, const char *expr, const char *fallback)
{
	const char *p = expr, *q;
	if ((q = strrchr(p, '>')) && q > p && q[-1] == '-')
		p = q + 1;
	if ((q = strrchr(p, '.')))
		p = q + 1;
	if (*p == '(' && (q = strchr(p, ')'))) /* a cast: (unsigned long *)p + OFF is p */
		p = q + 1;
	while (*p && !isalnum((unsigned char)*p) && *p != '_')
		p++;
	size_t o = 0; /* the first identifier: freeptr_addr(s, obj) is freeptr_addr */
	for (; (isalnum((unsigned char)*p) || *p == '_') && o + 1 < n; p++)
		buf[o++] = *p;
	buf[o] = 0;
	if (!o || isdigit((unsigned char)buf[0]))
		snprintf(buf, n, "%s", fallback);
}
