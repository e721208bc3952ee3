/* litmus/batch.c - judging a list of C-litmus files and reporting them
 * (litmus/batch.h). */
#include "litmus/batch.h"

#include <string.h>

#include "results/json.h"

static void count_failure(struct lit_tally *c, enum lit_err_kind k)
{
	c->failed++;
	switch (k) {
	case LIT_ERR_READ: c->unreadable++; break;
	case LIT_ERR_MACRO: c->macros++; break;
	case LIT_ERR_LIMIT: c->limits++; break;
	default: c->syntax++; break;
	}
}

static const char *err_kind_name(enum lit_err_kind k)
{
	switch (k) {
	case LIT_ERR_READ: return "unreadable";
	case LIT_ERR_MACRO: return "unknown macro";
	case LIT_ERR_LIMIT: return "limit";
	default: return "parse error";
	}
}

static void count_verdict(struct lit_tally *c, const struct lit_result *r)
{
	switch (r->cmp) {
	case CMP_AGREE: c->agree++; break;
	case CMP_DISAGREE:
		c->disagree++;
		if (r->why && !strncmp(r->why, "miss", 4))
			c->misses++;
		else
			c->alarms++;
		break;
	case CMP_NONE: c->none++; break;
	case CMP_INCOMPLETE: c->incomplete++; break;
	case CMP_ERROR: c->errors++; break;
	case CMP_UNSUPPORTED: c->unsup++; break;
	}
}

/* A file that could not be parsed: its own line and JSON object. */
static void report_failed(const char *path, const struct lit_error *e,
			  const struct lit_batch_opts *o)
{
	if (o->format != LIT_FORMAT_JSON)
		fprintf(o->rep, "%s\n", e->text);
	if (o->tests)
		json_array_append_new(
		    o->tests, json_pack("{s:s, s:s, s:s, s:s}", "file", path, "verdict", "failed",
					"failure", err_kind_name(e->kind), "error", e->text));
}

static void report_unsupported(const struct lit_test *t, const char *why,
			       const struct lit_batch_opts *o)
{
	if (o->format != LIT_FORMAT_JSON)
		fprintf(o->rep, "%s: unsupported: %s\n", t->path, why);
	if (o->tests)
		json_array_append_new(o->tests, json_pack("{s:s, s:s, s:s, s:s}", "file", t->path,
							  "name", t->name, "verdict", "unsupported",
							  "unsupported", why));
}

static void report_result(const struct lit_test *t, const struct lit_result *r,
			  const struct lit_batch_opts *o)
{
	if (o->format == LIT_FORMAT_TEXT)
		lit_print(o->out, t, r, o->quiet);
	else if (o->format == LIT_FORMAT_HERD && !r->error && r->complete)
		lit_print_herd(o->out, t, r);
	else if (o->format == LIT_FORMAT_HERD)
		fprintf(o->rep, "%s: %s\n", t->path,
			r->error ? r->err : "incomplete (state or time limit)");
	fflush(o->out);
	if (o->tests)
		json_array_append_new(o->tests, lit_result_json(t, r));
}

/* Parses, runs and reports one file.  Returns as lit_batch_run. */
static int run_file(const char *path, const struct lit_batch_opts *o, struct lit_tally *c,
		    char *err, size_t errlen)
{
	struct lit_test *t;
	struct lit_error e;
	if (lit_parse(path, NULL, &t, &e)) {
		if (!o->batch) {
			snprintf(err, errlen, "%s", e.text);
			return -1;
		}
		count_failure(c, e.kind);
		report_failed(path, &e, o);
		return 0;
	}
	const char *uns = lit_unsupported(t, o->run.engine);
	if (uns) {
		c->unsup++;
		report_unsupported(t, uns, o);
		lit_free(t);
		return 0;
	}
	struct lit_result r;
	lit_run(t, &o->run, &r);
	if (r.gave_up) {
		c->gave_up++;
		fprintf(o->diag,
			"slabstress: %s: gave up after %llu candidates (--max-candidates)\n",
			t->path, r.candidates);
	}
	count_verdict(c, &r);
	report_result(t, &r, o);
	lit_result_free(&r);
	lit_free(t);
	return 0;
}

int lit_batch_run(const struct lit_files *fl, const struct lit_batch_opts *o, struct lit_tally *c,
		  char *err, size_t errlen)
{
	c->tests += (unsigned)fl->n;
	for (int i = 0; i < fl->n; i++)
		if (run_file(fl->path[i], o, c, err, errlen))
			return -1;
	return 0;
}

void lit_batch_summary(char *buf, size_t n, const struct lit_tally *c, enum wmm_model model)
{
	snprintf(buf, n,
		 "%u tests: %u agree, %u disagree, %u unsupported (model %s; %u false alarms, %u "
		 "misses; %u not compared, %u incomplete, %u errors; %u failed: %u unreadable, %u "
		 "parse errors, %u unknown macros, %u over a limit)",
		 c->tests, c->agree, c->disagree, c->unsup, wmm_model_name(model), c->alarms,
		 c->misses, c->none, c->incomplete, c->errors, c->failed, c->unreadable, c->syntax,
		 c->macros, c->limits);
}

void lit_batch_print_summary(FILE *f, const struct lit_tally *c, enum wmm_model model,
			     bool misses_ok)
{
	char summary[640];
	lit_batch_summary(summary, sizeof(summary), c, model);
	fprintf(f, "%s\n", summary);
	if (c->misses && !c->alarms && !c->incomplete && !c->errors && !c->failed && !misses_ok)
		fprintf(f, "only misses disagree (Sometimes shapes the model cannot produce, "
			   "listed in --help): --misses-ok exits 0 on them\n");
}

int lit_batch_exit_status(const struct lit_tally *c, bool misses_ok)
{
	if (c->gave_up)
		return 3; /* a verdict we could not reach: never a silent hour */
	if (c->alarms || c->incomplete || c->errors || c->failed || (c->misses && !misses_ok))
		return 1;
	return 0;
}

json_t *lit_tally_json(const struct lit_tally *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "tests", (json_int_t)c->tests, "agree", (json_int_t)c->agree, "disagree",
			 (json_int_t)c->disagree, "false_alarms", (json_int_t)c->alarms, "misses",
			 (json_int_t)c->misses, "unsupported", (json_int_t)c->unsup, "not_compared",
			 (json_int_t)c->none, "incomplete", (json_int_t)c->incomplete, "errors",
			 (json_int_t)c->errors, "failed", (json_int_t)c->failed, "unreadable",
			 (json_int_t)c->unreadable, "parse_errors", (json_int_t)c->syntax,
			 "unknown_macros", (json_int_t)c->macros, "over_limit",
			 (json_int_t)c->limits);
}

json_t *lit_batch_json(const struct lit_opts *run, json_t *tests, const struct lit_tally *c,
		       int exit_status, int argc, char **argv)
{
	json_t *doc = res_doc_new("litmus", argc, argv);
	json_object_set_new(doc, "model", json_string(wmm_model_name(run->model)));
	json_object_set_new(doc, "engine", json_string(lit_engine_name(run->engine)));
	json_object_set_new(doc, "tests", tests ? tests : json_array());
	json_object_set_new(doc, "summary", lit_tally_json(c));
	json_object_set_new(doc, "exit_status", json_integer(exit_status));
	return doc;
}

/* herd7's warning for a file it refuses. */
static void herd7_parse_warning(FILE *warn, const char *path, const struct lit_error *e)
{
	if (e->line > 0 && e->kind != LIT_ERR_MACRO)
		fprintf(warn, "Warning: File \"%s\", line %d: %s (User error)\n", path, e->line,
			e->msg);
	else
		fprintf(warn, "Warning: File \"%s\": %s (User error)\n", path, e->msg);
}

void lit_batch_herd7(const struct lit_files *fl, const struct lit_parse_opts *po, double timeout_s,
		     FILE *out, FILE *warn)
{
	for (int i = 0; i < fl->n; i++) {
		struct lit_test *t;
		struct lit_error e;
		if (lit_parse(fl->path[i], po, &t, &e)) {
			herd7_parse_warning(warn, fl->path[i], &e);
			continue;
		}
		if (t->unsupported[0]) {
			fprintf(warn, "Warning: File \"%s\": unsupported by slabstress: %s\n",
				fl->path[i], t->unsupported);
			lit_free(t);
			continue;
		}
		struct lit_result r;
		struct lit_opts lo = {.model = WMM_LKMM, .timeout_s = timeout_s};
		lit_run(t, &lo, &r);
		if (r.error)
			fprintf(warn, "Warning: File \"%s\": slabstress: %s\n", fl->path[i], r.err);
		else if (r.complete)
			lit_print_herd(out, t, &r);
		else if (!r.timed_out) /* herd7 prints nothing for a test past -timeout */
			fprintf(warn,
				"Warning: File \"%s\": slabstress: exploration incomplete (state "
				"limit)\n",
				fl->path[i]);
		fflush(out);
		lit_result_free(&r);
		lit_free(t);
	}
}
