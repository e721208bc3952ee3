/* litmus/export_graph.c - a graph reproducer's failing graph as a
 * C-litmus test (export_graph.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/graph_build.h"
#include "engine/gx.h"
#include "engine/trace.h"
#include "litmus/export_graph.h"
#include "litmus/litmus.h"
#include "litmus/write_graph.h"
#include "model/exec_slice.h"
#include "results/knobs.h"

#define NAME_LEN 48

/* What the export is made of: the model graph, its names and what it keeps. */
struct gexport {
	const struct gx *gx;		   /* a graph replay's explorer, or NULL: */
	const struct emu_trace_ent *trace; /* the schedule's trace the graph was built from */
	struct exg x;
	bool within[REL_MAX_BIG]; /* not the checkers' bookkeeping */
	bool keep[REL_MAX_BIG];
	char names[REL_MAX_BIG][NAME_LEN];
	const char *loc_name[REL_MAX_BIG];
	char roles[GX_MAX_THREADS][80];
	const char *thr_name[GX_MAX_THREADS];
};

static const struct ss_site *site_of(const struct gexport *ex, int k)
{
	int src = ex->x.ev[k].src;
	if (ex->gx)
		return gx_event_tag(ex->gx, src);
	return src >= 0 ? ex->trace[src].site : NULL;
}

/* ex->x: the explorer's graph of a graph replay, or the graph of a schedule's
 * trace (engine/graph_build.h: no ctrl, no lock operations, so the test is
 * weaker than the code, never stronger).  0, or -1 with err. */
static int model_graph(struct gexport *ex, const struct emu *e, char *err, size_t n)
{
	ex->gx = emu_config_of(e)->graph;
	if (ex->gx)
		return gx_to_exg(ex->gx, &ex->x, err, n);
	size_t len;
	ex->trace = emu_trace(e, &len);
	return graph_build(e, &ex->x, NULL, err, n);
}

static bool is_checker(const struct ss_site *s)
{
	return s && s->expr && !strncmp(s->expr, "checker:", 8);
}

/* Names each location after its first access's site, leaves out the
 * locations the checkers' bookkeeping touches. */
static void name_locations(struct gexport *ex)
{
	const struct exg *x = &ex->x;
	bool checker[REL_MAX_BIG] = {false}, named[REL_MAX_BIG] = {false};
	for (int k = 0; k < x->n; k++) {
		int l = x->ev[k].loc;
		if (x->ev[k].kind == EV_F || l < 0 || (x->ev[k].flags & EVF_IW))
			continue;
		const struct ss_site *s = site_of(ex, k);
		checker[l] |= is_checker(s);
		if (!named[l] && s) {
			emu_expr_ident(ex->names[l], NAME_LEN, emu_site_expr(s), "x");
			named[l] = true;
		}
	}
	for (int l = 0; l < x->n; l++)
		ex->loc_name[l] = named[l] ? ex->names[l] : NULL;
	for (int k = 0; k < x->n; k++)
		ex->within[k] = x->ev[k].kind == EV_F || x->ev[k].loc < 0 || !checker[x->ev[k].loc];
}

/* The candidates, largest first: the whole graph, its shared locations, then
 * the shortest cycle with less and less around it. */
enum { NSTEPS = 5 };
static const char *const step_text[NSTEPS] = {
    "every event", "the events on locations two CPUs use",
    "the shortest po | rf | co | fr cycle, the writes its reads read and every dependency "
    "source, transitively",
    "the shortest po | rf | co | fr cycle, the writes its reads read and the cycle's "
    "dependency sources",
    "the shortest po | rf | co | fr cycle and the writes its reads read"};

/* Marks ex->keep for candidate step.  Returns whether it is worth a test (it
 * fits one and keeps something new); when not, why says so. */
static bool choose(struct gexport *ex, int step, char *why, size_t n)
{
	static const enum exg_slice_reach reach[NSTEPS] = {
	    0, 0, EXG_SLICE_DEPS_ALL, EXG_SLICE_DEPS_CYCLE, EXG_SLICE_CYCLE_ONLY};
	static __thread bool before[REL_MAX_BIG];
	memcpy(before, ex->keep, sizeof(before));
	if (step == 0) {
		memcpy(ex->keep, ex->within, sizeof(ex->keep));
	} else if (step == 1) {
		exg_slice_shared(&ex->x, ex->within, ex->keep); /* not empty: checked first */
	} else if (!exg_slice_sc_cycle(&ex->x, ex->within, reach[step], ex->keep)) {
		return false; /* no cycle: an interleaving gives the graph */
	}
	if (step > 0 && !memcmp(before, ex->keep, sizeof(before)))
		return false;
	int size = exg_slice_size(&ex->x, ex->keep);
	if (size > REL_MAX)
		snprintf(why, n, "%s needs %d events, more than a litmus test's %d",
			 step > 1 ? "the shortest cycle" : "the graph", size, REL_MAX);
	return size <= REL_MAX;
}

/* The comment: where the test comes from, what it keeps, each thread's sites. */
static void comment(const struct gexport *ex, const struct emu_config *cfg, const char *source,
		    const char *what, char *buf, size_t n)
{
	size_t o = (size_t)snprintf(
	    buf, n,
	    "Exported by slabstress replay --litmus from %s\n"
	    "(scenario %s, model %s, %s dependencies, engine %s):\n"
	    "Kept: %s, of the graph that failed, %s.\n"
	    "Each read's value and each location's last value are the graph's.\n",
	    source, cfg->scn->name, wmm_model_name(cfg->model), emu_deps_name(cfg->deps),
	    ex->gx ? "graph" : "lkvm", what,
	    ex->gx ? "as the exact checker saw it"
		   : "built from the trace (no ctrl dependencies, no lock operations: the "
		     "test allows at least what the code does)");
	for (int t = 0; t < ex->x.nthreads && o < n; t++) {
		const char *sep = "";
		for (int k = 0; k < ex->x.n && o < n; k++) {
			const struct ss_site *s = ex->keep[k] ? site_of(ex, k) : NULL;
			if (!s || ex->x.ev[k].thr != t)
				continue;
			if (!*sep)
				o += (size_t)snprintf(buf + o, n - o, "CPU %d:", t);
			o += (size_t)snprintf(buf + o, n - o, "%s %s %s (%s:%d)", sep,
					      ex->x.ev[k].kind == EV_R	 ? "R"
					      : ex->x.ev[k].kind == EV_W ? "W"
									 : "F",
					      emu_site_expr(s), s->file ? s->file : "?", s->line);
			sep = ",";
		}
		if (*sep && o < n)
			o += (size_t)snprintf(buf + o, n - o, "\n");
	}
}

/* The exact checker's verdict on the test text (its Result line), so that the
 * test says DATARACE where an execution races, and a test it calls Never (a
 * bug of the export) is never written.  0; 1 when the checker did not finish
 * (result: Sometimes, the expectation); -1 with err. */
static int judge(const char *text, size_t len, char *result, size_t n, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/slabstress-export-XXXXXX.litmus",
		 dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 7);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		snprintf(err, errlen, "cannot write a temporary file in %s",
			 dir && *dir ? dir : "/tmp");
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	struct lit_test *t = NULL;
	struct lit_error e;
	int rc = lit_parse(path, NULL, &t, &e);
	unlink(path);
	const char *unsup = rc == 0 ? lit_unsupported(t, LIT_ENGINE_CAT) : NULL;
	if (rc != 0 || unsup) {
		snprintf(err, errlen, "the exported test does not parse (a bug): %s",
			 rc ? e.text : unsup);
		lit_free(t);
		return -1;
	}
	struct lit_opts o = {.model = WMM_LKMM, .engine = LIT_ENGINE_CAT, .timeout_s = 10};
	struct lit_result r;
	lit_run(t, &o, &r);
	rc = r.error || !r.complete;
	if (!r.error && r.complete && r.obs == OBS_NEVER) {
		snprintf(err, errlen, "the exact checker calls the exported test Never (a bug)");
		rc = -1;
	}
	snprintf(result, n, "%s%s", r.complete && !r.error ? lit_obs_name(r.obs) : "Sometimes",
		 r.race_checked && r.datarace ? " DATARACE" : "");
	lit_result_free(&r);
	lit_free(t);
	return rc;
}

/* Writes the test of ex's kept events into a new string (*body, *len),
 * judged first.  judge's 0, 1 or -1 (err). */
static int write_judged(struct gexport *ex, struct lit_graph_text *lt, char **body, size_t *len,
			char *err, size_t errlen)
{
	char result[64];
	int verdict = 0;
	for (int pass = 0; pass < 2; pass++) {
		FILE *mem = open_memstream(body, len);
		if (!mem) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		int rc = lit_write_graph(mem, &ex->x, ex->keep, lt, err, errlen);
		fclose(mem);
		if (rc == 0 && pass == 0)
			rc = verdict = judge(*body, *len, result, sizeof(result), err, errlen);
		if (rc < 0)
			return -1;
		if (pass == 0) {
			free(*body);
			*body = NULL;
			lt->result = result;
		}
	}
	lt->result = NULL;
	return verdict;
}

int lit_export_graph(FILE *f, const struct emu *e, const char *source, char *err, size_t errlen)
{
	const struct emu_config *cfg = emu_config_of(e);
	struct gexport *ex = calloc(1, sizeof(*ex));
	char *text = malloc(16384), *body = NULL;
	size_t body_len = 0;
	int rc = -1;
	if (!ex || !text) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (model_graph(ex, e, err, errlen) < 0)
		goto out;
	name_locations(ex);
	for (int t = 0; t < ex->x.nthreads && t < GX_MAX_THREADS; t++) {
		const char *role = t < cfg->scn->nroles ? cfg->scn->role_names[t] : NULL;
		snprintf(ex->roles[t], sizeof(ex->roles[t]), "CPU %d (%s)", t,
			 role ? role : "role");
		ex->thr_name[t] = ex->roles[t];
	}
	char name[160];
	snprintf(name, sizeof(name), "slabstress-%s-%s-graph", cfg->scn->name,
		 ss_variant_name(cfg->acfg.variant));
	struct lit_graph_text lt = {
	    .name = name,
	    .loc_name = ex->loc_name,
	    .thr_name = ex->x.nthreads <= GX_MAX_THREADS ? ex->thr_name : NULL, /* one per thread */
	    .comment = text};
	if (!exg_slice_shared(&ex->x, ex->within, ex->keep)) { /* a test of one CPU says nothing */
		snprintf(err, errlen, "the failing execution touches no location two CPUs use");
		rc = LIT_EXPORT_NOTHING;
		goto out;
	}
	/* the largest candidate the exact checker finishes on; else the last
	 * that fits (body keeps it) */
	snprintf(err, errlen, "no part of the graph fits a litmus test");
	for (int step = 0; step < NSTEPS && rc != 0; step++) {
		if (!choose(ex, step, err, errlen))
			continue;
		comment(ex, cfg, source, step_text[step], text, 16384);
		free(body);
		body = NULL;
		int v = write_judged(ex, &lt, &body, &body_len, err, errlen);
		if (v < 0)
			goto out;
		rc = v == 0 ? 0 : rc;
	}
	if (rc != 0 && body) {
		fprintf(stderr,
			"slabstress: note: the exact checker did not finish on the exported "
			"test: its Result line is the expectation, not a verdict\n");
		rc = 0;
	}
	if (rc == 0)
		fwrite(body, 1, body_len, f); /* all or nothing on f */
out:
	free(body);
	free(text);
	free(ex);
	return rc;
}
