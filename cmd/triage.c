/* cmd/triage.c - `slabstress triage DIR...`: replay reproducers saved on any number
 * of machines, group them by failure and site, keep the smallest of each group
 * (fuzz/triage.c), print the table and optionally JSON. */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "fuzz/triage.h"
#include "results/json.h"
#include "results/repro.h"

enum { OPT_KEEP = 0x2600 };

struct triage_cli {
	const char *json_path, *keep_dir;
	char **paths;
	int npaths;
	bool quiet;
};

static const struct argp_option options[] = {
    {"json", 'j', "FILE", 0,
     "write the groups and every reproducer's outcome as JSON to FILE (- for stdout)", 0},
    {"keep", OPT_KEEP, "DIR", 0, "save the smallest reproducer of each group under DIR", 0},
    {"quiet", 'q', 0, 0,
     "only the table and the summary (no line per reproducer that did not replay as saved)", 0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct triage_cli *o = state->input;
	switch (key) {
	case 'j': o->json_path = arg; break;
	case OPT_KEEP: o->keep_dir = arg; break;
	case 'q': o->quiet = true; break;
	case ARGP_KEY_ARG: o->paths[o->npaths++] = arg; break;
	case ARGP_KEY_END:
		if (!o->npaths)
			cli_usage_error("triage: no reproducer file or directory given");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Replay reproducers saved by explore, fuzz or matrix (--save) on any number of "
    "machines, group them by scenario, variant, model, failure kind and the function "
    "where it fails, and keep the smallest of each group (fewest schedule decisions). "
    "Directories are searched recursively for *.json; a file that is not a reproducer "
    "gets its own line and does not stop the batch.\v"
    "Usage:\n"
    "  slabstress triage DIR|FILE... [--keep DIR] [--json FILE] [-q]\n\n"
    "Examples:\n"
    "  slabstress explore -s once --model lkmm --save found1/\n"
    "  slabstress explore -s once --model lkmm --seed 2 --save found2/\n"
    "  slabstress triage found1/ found2/ --keep triaged/\n\n"
    "Exit status: 0 no reproducer fails any more, 1 at least one group (a failure that "
    "replays), 2 bad input (a path that does not exist, a directory without *.json).";

static json_t *item_json(const struct ss_triage_item *it)
{
	json_t *o =
	    json_pack("{s:s, s:s}", "path", it->path, "outcome", ss_triage_status_name(it->status));
	if (it->status == SS_TRIAGE_UNREADABLE) {
		json_object_set_new(o, "why", json_string(it->why));
		return o;
	}
	json_object_set_new(o, "saved_kind", json_string(ss_fail_kind_name(it->saved_kind)));
	json_object_set_new(o, "saved_func", json_string(it->saved_func));
	json_object_set_new(o, "kind", json_string(ss_fail_kind_name(it->kind)));
	json_object_set_new(o, "decisions", json_integer((json_int_t)it->decisions));
	json_object_set_new(o, "group", it->group >= 0 ? json_integer(it->group + 1) : json_null());
	return o;
}

static json_t *triage_json(const struct ss_triage *t, int argc, char **argv)
{
	json_t *doc = res_doc_new("triage", argc, argv);
	json_t *groups = json_array(), *items = json_array();
	for (int g = 0; g < t->ngroups; g++) {
		const struct ss_triage_group *gr = &t->groups[g];
		const struct ss_triage_item *s = &t->items[gr->smallest];
		json_array_append_new(
		    groups,
		    json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:i}", "group",
			      g + 1, "scenario", gr->scenario, "variant", gr->variant, "model",
			      gr->model, "kind", ss_fail_kind_name(gr->kind), "func", gr->func,
			      "file", gr->file, "line", gr->line, "count", gr->count, "smallest",
			      s->path, "smallest_decisions", (int)s->decisions));
	}
	for (int i = 0; i < t->nitems; i++)
		json_array_append_new(items, item_json(&t->items[i]));
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "reproducers", items);
	json_object_set_new(doc, "counts",
			    json_pack("{s:i, s:i, s:i, s:i, s:i}", "same", t->nsame, "different",
				      t->ndifferent, "clean", t->nclean, "unreadable",
				      t->nunreadable, "groups", t->ngroups));
	return doc;
}

static void print_table(FILE *f, const struct ss_triage *t, bool quiet)
{
	if (!quiet)
		for (int i = 0; i < t->nitems; i++) {
			const struct ss_triage_item *it = &t->items[i];
			if (it->status == SS_TRIAGE_UNREADABLE)
				fprintf(f, "%s: unreadable: %s\n", it->path, it->why);
			else if (it->status == SS_TRIAGE_CLEAN)
				fprintf(f, "%s: clean now (saved: %s in %s)\n", it->path,
					ss_fail_kind_name(it->saved_kind), it->saved_func);
			else if (it->status == SS_TRIAGE_DIFFERENT)
				fprintf(f, "%s: %s in %s, saved as %s in %s\n", it->path,
					ss_fail_kind_name(it->kind), it->func,
					ss_fail_kind_name(it->saved_kind), it->saved_func);
		}
	if (t->ngroups)
		fprintf(f, "%-5s %5s  %-16s %-12s %-5s %-18s %-28s %s\n", "GROUP", "COUNT",
			"SCENARIO", "VARIANT", "MODEL", "FAILURE", "SITE", "SMALLEST (decisions)");
	for (int g = 0; g < t->ngroups; g++) {
		const struct ss_triage_group *gr = &t->groups[g];
		const struct ss_triage_item *s = &t->items[gr->smallest];
		char site[256];
		snprintf(site, sizeof(site), "%s (%s:%d)", gr->func, gr->file, gr->line);
		fprintf(f, "%-5d %5d  %-16s %-12s %-5s %-18s %-28s %s (%zu)\n", g + 1, gr->count,
			gr->scenario, gr->variant, gr->model, ss_fail_kind_name(gr->kind), site,
			s->path, s->decisions);
	}
	fprintf(f,
		"%d reproducers: %d groups; %d replayed their saved failure, %d a different one, "
		"%d clean, %d unreadable\n",
		t->nitems, t->ngroups, t->nsame, t->ndifferent, t->nclean, t->nunreadable);
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				return -1;
			if (!(*s = c))
				return 0;
		}
	}
}

/* Saves the smallest of each group under dir with its own file name. */
static int keep_smallest(const struct ss_triage *t, const char *dir)
{
	if (make_dirs(dir) != 0) {
		fprintf(stderr, "slabstress: triage --keep %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int g = 0; g < t->ngroups; g++) {
		const char *src = t->items[t->groups[g].smallest].path;
		struct ss_repro r;
		char err[512], path[4096], base[1024];
		snprintf(base, sizeof(base), "%s", src);
		snprintf(path, sizeof(path), "%s/%s", dir, basename(base));
		if (ss_repro_load(&r, src, err, sizeof(err)) != 0 ||
		    ss_repro_save(&r, path, err, sizeof(err)) != 0) {
			fprintf(stderr, "slabstress: triage --keep: %s\n", err);
			return -1;
		}
		ss_repro_free(&r);
	}
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	struct triage_cli o = {0};
	o.paths = calloc((size_t)argc + 1, sizeof(*o.paths));
	if (!o.paths)
		cli_internal_error("out of memory");
	struct argp argp = {options, parse, "DIR|FILE...", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	if (o.json_path)
		cli_check_output_path("--json", o.json_path);
	if (o.keep_dir)
		cli_check_output_dir("--keep", o.keep_dir);
	cli_json_stdout(o.json_path);
	struct ss_triage t;
	ss_triage_init(&t);
	char err[4200];
	for (int i = 0; i < o.npaths; i++)
		if (ss_triage_add_path(&t, o.paths[i], err, sizeof(err)) != 0) {
			ss_triage_free(&t);
			cli_usage_error("triage: %s", err);
		}
	ss_triage_finish(&t);
	print_table(stdout, &t, o.quiet);
	int rc = t.ngroups ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	if (o.keep_dir && keep_smallest(&t, o.keep_dir) != 0)
		rc = SS_EXIT_INTERNAL;
	if (o.json_path) {
		json_t *doc = triage_json(&t, argc, argv);
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0) {
			fprintf(stderr, "slabstress: %s\n", err);
			rc = SS_EXIT_INTERNAL;
		}
		json_decref(doc);
	}
	ss_triage_free(&t);
	free(o.paths);
	return rc;
}
