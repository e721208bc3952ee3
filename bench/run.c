/* bench/run.c - one native run (bench/run.h): the config from the command's
 * options, what the scenario allows, and the result document. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run.h"
#include "results/json.h"
#include "results/repro.h"
#include "scenarios/plugin.h"

int ss_run_allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	int n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int ss_run_config_build(struct ss_run_config *cfg, const struct ss_run_request *req, char *err,
			size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scn = req->scn;
	cfg->alloc = req->alloc;
	cfg->acfg = req->acfg;
	cfg->pairs = req->pairs ? (int)req->pairs : 1;
	if (cfg->pairs * cfg->scn->nroles > SS_MAX_CPUS) {
		snprintf(err, errlen,
			 "--pairs %d: %d threads, more than the %d this build supports", cfg->pairs,
			 cfg->pairs * cfg->scn->nroles, SS_MAX_CPUS);
		return -1;
	}
	if (cfg->pairs > 1 && cfg->scn->slab_only) {
		snprintf(err, errlen,
			 "--pairs %d: scenario '%s' sets up the slab itself and runs as one "
			 "instance only",
			 cfg->pairs, cfg->scn->name);
		return -1;
	}
	cfg->nthreads = cfg->pairs * cfg->scn->nroles;
	cfg->acfg.ncpus = cfg->nthreads;
	cfg->acfg.max_objects *= (unsigned long)cfg->pairs;
	cfg->seed = req->seed;
	cfg->rounds = req->rounds;
	cfg->duration = req->duration > 0 ? req->duration : 3.0;
	cfg->iters = req->iters ? req->iters : 1000;
	cfg->batch = req->batch ? req->batch : 1;
	if (cfg->batch > 1 && !cfg->scn->batches) {
		snprintf(err, errlen,
			 "--batch %u: scenario '%s' publishes one object at a time (batching "
			 "scenarios: release-acquire)",
			 cfg->batch, cfg->scn->name);
		return -1;
	}
	cfg->jitter = req->jitter;
	cfg->keep_going = req->keep_going;
	cfg->progress = req->progress;
	cfg->pin = SS_PIN_SPREAD;
	return 0;
}

int ss_run_check_cpus(const struct ss_run_config *cfg, const char *cpus_arg, char *err,
		      size_t errlen)
{
	if (cfg->pin == SS_PIN_NONE || cfg->nthreads <= cfg->ncpus)
		return 0;
	snprintf(err, errlen,
		 "scenario '%s' runs %d threads but --cpus '%s' gives %d CPU%s: expected at least "
		 "%d CPUs (or --pin none)",
		 cfg->scn->name, cfg->nthreads, cpus_arg ? cpus_arg : "(default)", cfg->ncpus,
		 cfg->ncpus == 1 ? "" : "s", cfg->nthreads);
	return -1;
}

double ss_run_handoffs_per_s(const struct ss_run_stats *st)
{
	return st->elapsed > 0 ? (double)st->handoffs / st->elapsed : 0;
}

void ss_run_plan_cpus(const struct ss_run_config *cfg, int *host_cpu, char *note, size_t notelen)
{
	struct ss_topology topo;
	ss_topology_read(SS_TOPOLOGY_SYSFS, cfg->cpus, cfg->ncpus, &topo);
	ss_pin_choose(&topo, cfg->pin, cfg->scn->nroles, cfg->nthreads, cfg->seed, host_cpu, note,
		      notelen);
}

#if defined(__x86_64__) || defined(__i386__)
#define HOST_IS_TSO 1
#else
#define HOST_IS_TSO 0
#endif

const char *ss_host_memory_model(void)
{
	return HOST_IS_TSO ? "tso" : "weak";
}

const char *const ss_tso_hidden[] = {
#if HOST_IS_TSO
    "load->load reordering",
    "load->store reordering",
    "store->store reordering",
    "lazy-objexts --variant rc1 (the lazy obj_exts hole: a stale stride)",
    "once",
    "plain",
    "every other failure that needs the lkmm model (explore finds it under --model lkmm, "
    "not under --model tso)",
#endif
    NULL,
};

void ss_tso_notice(char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = 0;
	if (!HOST_IS_TSO)
		return;
	len += (size_t)snprintf(buf, n,
				"slabstress: note: this host is TSO (x86-64): of the four "
				"reorderings only store->load happens natively, so a native run "
				"cannot show:\n");
	for (int i = 0; ss_tso_hidden[i] && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "  - %s\n", ss_tso_hidden[i]);
	if (len < n)
		snprintf(buf + len, n - len,
			 "  to see them: slabstress explore -s SCENARIO --model lkmm (it "
			 "explores the weak interleavings deterministically)\n");
}

json_t *ss_run_histogram_json(const struct ss_run_stats *st, const struct ss_failure_log *log)
{
	json_t *kinds = json_array();
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (log->by_kind[k])
			json_array_append_new(
			    kinds, json_pack("{s:s, s:I, s:f}", "kind",
					     ss_fail_kind_name((enum ss_fail_kind)k), "count",
					     (json_int_t)log->by_kind[k], "per_million_rounds",
					     st->rounds ? (double)log->by_kind[k] * 1e6 /
							      (double)st->rounds
							: 0.0));
	return json_pack("{s:I, s:o}", "rounds", (json_int_t)st->rounds, "kinds", kinds);
}

json_t *ss_rtt_matrix_json(const int *cpus, int n, const double *ns)
{
	json_t *c = json_array(), *rows = json_array();
	for (int i = 0; i < n; i++) {
		json_t *row = json_array();
		for (int j = 0; j < n; j++)
			json_array_append_new(row, json_real(ns[i * n + j]));
		json_array_append_new(c, json_integer(cpus[i]));
		json_array_append_new(rows, row);
	}
	return json_pack("{s:o, s:o}", "cpus", c, "ns", rows);
}

static void format_matrix(FILE *f, const int *cpus, int n, const double *ns)
{
	fprintf(f, "  round trip in ns between the chosen CPUs:\n  %8s", "");
	for (int j = 0; j < n; j++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu%d", cpus[j]);
		fprintf(f, " %9s", name);
	}
	for (int i = 0; i < n; i++) {
		fprintf(f, "\n  cpu%-5d", cpus[i]);
		for (int j = 0; j < n; j++)
			if (i == j)
				fprintf(f, " %9s", "-");
			else
				fprintf(f, " %9.0f", ns[i * n + j]);
	}
	fprintf(f, "\n");
}

json_t *ss_run_rtt_matrix(const int *cpus_in, int n_in, char **text)
{
	int cpus[SS_MAX_CPUS];
	size_t len = 0;
	char err[256];
	json_t *j = NULL;
	FILE *f = open_memstream(text, &len);
	if (!f)
		return NULL;
	int n = ss_distinct_cpus(cpus_in, n_in, cpus);
	double *ns = NULL;
	if (n > SS_RTT_MATRIX_MAX) {
		fprintf(f, "  round trips: the first %d of %d CPUs only\n", SS_RTT_MATRIX_MAX, n);
		n = SS_RTT_MATRIX_MAX;
	}
	if (n < 2)
		fprintf(f, "  round trips: not measured (%s)\n",
			n ? "one CPU" : "--pin none: no CPU chosen");
	else if (!(ns = calloc((size_t)(n * n), sizeof(*ns))))
		fprintf(f, "  round trips: not measured (out of memory)\n");
	else if (ss_rtt_matrix(cpus, n, ns, err, sizeof(err)) != 0)
		fprintf(f, "  round trips: not measured (%s)\n", err);
	else {
		format_matrix(f, cpus, n, ns);
		j = ss_rtt_matrix_json(cpus, n, ns);
	}
	free(ns);
	fclose(f);
	return j;
}

json_t *ss_disturbance_json(const struct ss_disturbance *d)
{
	return json_pack("{s:I, s:I, s:f, s:f, s:i, s:b, s:s}", "involuntary_ctx_switches",
			 (json_int_t)d->ivcsw, "voluntary_ctx_switches", (json_int_t)d->vcsw,
			 "steal_pct", d->steal_pct, "loadavg1", d->loadavg1, "cpus_online",
			 d->cpus_online, "disturbed", d->disturbed, "reasons", d->reasons);
}

static json_t *parameters_json(const struct ss_run_config *cfg)
{
	json_t *cpus = json_array();
	for (int i = 0; i < cfg->ncpus; i++)
		json_array_append_new(cpus, json_integer(cfg->cpus[i]));
	const struct ss_alloc_config *a = &cfg->acfg;
	const char *hash = NULL, *file = ss_plugin_source(cfg->scn, &hash);
	json_t *pa = json_pack(
	    "{s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:o, s:s, s:I, s:f, s:I, s:I, "
	    "s:b, s:b, s:I, s:i}",
	    "scenario", cfg->scn->name, "variant", ss_variant_name(a->variant), "alloc",
	    cfg->alloc->name, "stride_bits", a->stride_bits, "objext", ss_objext_name(a->objext),
	    "object_size", (json_int_t)a->object_size, "page_size", (json_int_t)a->page_size,
	    "seed", (json_int_t)cfg->seed, "cpus", cpus, "pin", ss_pin_name(cfg->pin), "rounds",
	    (json_int_t)cfg->rounds, "duration", cfg->rounds ? 0.0 : cfg->duration, "iters",
	    (json_int_t)cfg->iters, "jitter", (json_int_t)cfg->jitter, "keep_going",
	    cfg->keep_going, "account", a->account, "batch", (json_int_t)cfg->batch, "pairs",
	    cfg->pairs);
	ss_repro_params_add(pa, a, file, hash); /* switches; a scenario file's path + hash */
	return pa;
}

static json_t *roles_json(const struct ss_run_config *cfg, const struct ss_run_stats *st)
{
	json_t *roles = json_array();
	for (int t = 0; t < cfg->nthreads; t++) {
		int r = t % cfg->scn->nroles;
		json_array_append_new(
		    roles,
		    json_pack("{s:i, s:i, s:s, s:i}", "role", r, "pair", t / cfg->scn->nroles,
			      "name", cfg->scn->role_names[r] ? cfg->scn->role_names[r] : "", "cpu",
			      st->pinned_cpu[t]));
	}
	return roles;
}

json_t *ss_run_doc(const struct ss_run_config *cfg, const struct ss_run_stats *st,
		   const struct ss_failure_log *log, int argc, char **argv)
{
	json_t *doc = res_doc_new("run", argc, argv);
	json_t *roles = roles_json(cfg, st);
	json_object_set_new(doc, "parameters", parameters_json(cfg));
	json_object_set_new(doc, "engine", json_string("native"));
	json_object_set_new(doc, "host_memory_model", json_string(ss_host_memory_model()));
	json_t *hidden = json_array();
	for (int i = 0; ss_tso_hidden[i]; i++)
		json_array_append_new(hidden, json_string(ss_tso_hidden[i]));
	json_object_set_new(doc, "host_cannot_show", hidden);
	json_object_set_new(doc, "roles", roles);
	json_object_set_new(doc, "counters",
			    json_pack("{s:I, s:I, s:I, s:I}", "rounds", (json_int_t)st->rounds,
				      "handoffs", (json_int_t)st->handoffs, "allocs",
				      (json_int_t)st->allocs, "frees", (json_int_t)st->frees));
	json_object_set_new(doc, "timing",
			    json_pack("{s:f, s:f, s:f}", "elapsed_s", st->elapsed, "handoffs_per_s",
				      ss_run_handoffs_per_s(st), "rounds_per_s",
				      st->elapsed > 0 ? st->rounds / st->elapsed : 0.0));
	json_object_set_new(doc, "interrupted", json_boolean(st->interrupted));
	json_object_set_new(doc, "disturbance", ss_disturbance_json(&st->dist));
	json_object_set_new(doc, "disturbed", json_boolean(st->dist.disturbed));
	json_object_set_new(doc, "failures", res_failure_log_json(log));
	json_object_set_new(doc, "verdict", json_string(log->total ? "failed" : "clean"));
	return doc;
}
