/* fuzz/fuzz_graph.c - `slabstress fuzz --engine graph` (fuzz/fuzz_graph.h):
 * one input on the graph explorer, and a failing input as a graph reproducer
 * with its trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_graph.h"
#include "fuzz/repro_emu.h"

int ss_fuzz_graph_rerun(struct gexplore_fuzz *gf, const u8 *in, size_t len, struct emu_result *res)
{
	int k = gexplore_fuzz_run(gf, in, len, res);
	if (k < 0)
		return -1;
	if (k == 0) /* no result: dropped, not a failure */
		res->kind = SS_FAIL_NONE;
	return 0;
}

int ss_fuzz_graph_execute(struct gexplore_fuzz *gf, enum ss_cov_mode cov, const u8 *data,
			  size_t len, struct emu_result *res)
{
	int k = gexplore_fuzz_run(gf, data, len, res);
	if (k < 0)
		return -1;
	if (k == 0) {
		res->kind = SS_FAIL_NONE;
		return 0;
	}
	size_t n = 0;
	const struct emu_trace_ent *tr = emu_trace(gexplore_fuzz_emu(gf), &n);
	ss_cov_record(tr, n, cov);
	return 1;
}

/* The failing graph's trace as <reproducer>.txt. */
static void save_graph_trace(struct gexplore_fuzz *gf, struct ss_fuzz_failure *u, size_t len)
{
	FILE *f = ss_fuzz_open_trace(u);
	if (!f)
		return;
	struct emu *e = gexplore_fuzz_emu(gf);
	const struct emu_config *ec = emu_config_of(e);
	fprintf(f, "slabstress fuzz --engine graph: %s on CPU %d at %s:%d\n",
		ss_fail_kind_name(u->res.kind), u->res.fail.cpu, u->file, u->line);
	fprintf(f,
		"scenario %s, variant %s, model %s; a graph of %zu bytes from %zu input bytes "
		"(%zu non-default choices), not minimized\n",
		ec->scn->name, ss_variant_name(ec->acfg.variant), wmm_model_name(ec->model), u->len,
		len, u->decisions);
	fprintf(f, "replay:   slabstress replay %s\n\n", u->path);
	emu_print_trace(f, e, &u->res, false);
	fclose(f);
}

void ss_fuzz_graph_failure(struct ss_fuzz_campaign *c, struct ss_fuzz_failure *u, const u8 *in,
			   size_t len)
{
	struct gexplore_fuzz *gf = c->gf;
	struct emu *e = gexplore_fuzz_emu(gf);
	emu_set_trace(e, true);
	int rc = ss_fuzz_graph_rerun(gf, in, len, &u->res);
	size_t used = gexplore_fuzz_used(gf);
	u->decisions = 0;
	for (size_t i = 0; i < used && i < len; i++)
		u->decisions += in[i] != 0;
	u->sched = rc == 0 && u->res.kind != SS_FAIL_NONE ? gexplore_fuzz_graph(gf, &u->len) : NULL;
	if (!u->sched) {
		if (c->hooks.warn)
			c->hooks.warn(c->hooks.arg, "cannot save reproducer: the failing input did "
						    "not fail again");
		emu_set_trace(e, false);
		return;
	}
	u->hex = malloc(2 * u->len + 1);
	if (u->hex)
		emu_hex(u->hex, u->sched, u->len);
	char err[300];
	if (ss_save_failure(c->cfg.save, e, &u->res, u->sched, u->len, u->path, sizeof(u->path),
			    err, sizeof(err)) != 0) {
		if (c->hooks.warn) {
			char msg[400];
			snprintf(msg, sizeof(msg), "cannot save reproducer: %s", err);
			c->hooks.warn(c->hooks.arg, msg);
		}
		emu_set_trace(e, false);
		return;
	}
	u->saved = true;
	save_graph_trace(gf, u, len); /* the run's trace is still in e */
	emu_set_trace(e, false);
}
