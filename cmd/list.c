/* cmd/list.c - `slabstress list`: the registered scenarios, variants, allocators and
 * memory models, as an aligned table or JSON. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "results/json.h"
#include "scenarios/plugin.h"

static const char *const model_rows[][2] = {
    {"sc", "sequential consistency: interleavings only (not an ordering bug if it fails here)"},
    {"tso", "x86-TSO: FIFO store buffers with forwarding; mb and locked RMW drain them"},
    {"lkmm", "Linux-kernel memory model (LKVM): stale reads unless a barrier, release/acquire, "
	     "RMW or dependency forbids them"},
};

static const char *const variant_rows[SS_NVARIANTS + 1] = {
    [SS_VARIANT_RC1] = "v7.0-rc1: lazy plain stride store, no smp_rmb before the stride load; "
		       "16-bit stride",
    [SS_VARIANT_EARLY_STRIDE] = "patch [7]: stride set early, before the slab is published; "
				"16-bit stride",
    [SS_VARIANT_WMB_RMB] = "test patch [5]: [7] plus smp_wmb() on write, smp_rmb() in "
			   "slab_get_stride(); 16-bit stride",
    [SS_VARIANT_FIXED] = "32-bit stride + [7] (mainline after v7.0-rc2)",
    [SS_VARIANT_CUSTOM] = "any combination of the switches: rc1's, changed with --set "
			  "SW=VAL,...",
};

static const char *handoff_name(enum ss_handoff_kind k)
{
	return k == SS_HANDOFF_CORRECT	? "correct"
	       : k == SS_HANDOFF_BROKEN ? "broken"
					: "allocator";
}

static void checks_text(unsigned c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s", c & SS_CHECK_CONTENT ? "content," : "",
		 c & SS_CHECK_MEMCG ? "memcg," : "", c & SS_CHECK_FREE ? "free," : "",
		 c & SS_CHECK_LEAK ? "leak," : "");
	size_t l = strlen(buf);
	if (l)
		buf[l - 1] = 0;
}

/* The parameters a scenario declares (struct ss_param), one line each. */
static void print_params(const struct ss_scenario *s)
{
	for (int i = 0; i < SS_MAX_PARAMS && s->params[i].name; i++) {
		const struct ss_param *p = &s->params[i];
		printf("    --%s N: %s (default %lu", p->name, p->help, p->def);
		if (p->def_emu && p->def_emu != p->def)
			printf(", %lu in explore and fuzz", p->def_emu);
		printf("; %lu to %lu)\n", p->min, p->max);
	}
}

static json_t *params_json(const struct ss_scenario *s)
{
	json_t *arr = json_array();

	for (int i = 0; i < SS_MAX_PARAMS && s->params[i].name; i++) {
		const struct ss_param *p = &s->params[i];
		json_array_append_new(
		    arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "name", p->name, "default",
				   (json_int_t)p->def, "default_emu",
				   (json_int_t)(p->def_emu ? p->def_emu : p->def), "min",
				   (json_int_t)p->min, "max", (json_int_t)p->max, "help", p->help));
	}
	return arr;
}

struct list_opts {
	const char *what;
	const char *file; /* -s FILE: only the scenario file's scenario */
	int json;
	int verbose;
};

static const struct argp_option options[] = {
    {"json", 'j', 0, 0, "print JSON instead of a table (default: table)", 0},
    {"verbose", 'v', 0, 0,
     "scenarios: also print each scenario's details and parameters; variants: each one's "
     "switches",
     0},
    {"scenario", 's', "FILE", 0,
     "scenarios: only the scenario of this scenario file (./x.c, compiled and cached, or "
     "./x.so) (default: the built-in ones)",
     0},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct list_opts *o = state->input;
	switch (key) {
	case 'j': o->json = 1; break;
	case 'v': o->verbose = 1; break;
	case 's': o->file = arg; break;
	case ARGP_KEY_ARG:
		if (o->what)
			cli_usage_error(
			    "list: unexpected argument '%s': expected one of scenarios, "
			    "variants, allocators, models",
			    arg);
		o->what = arg;
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One scenario's row (or a JSON row into arr); -v adds details and parameters. */
static void list_scenario(const struct list_opts *o, const struct ss_scenario *s, json_t *arr)
{
	char checks[64];
	checks_text(s->checks, checks, sizeof(checks));
	const char *allocs = s->slab_only ? "slab" : "all";
	const char *hash = NULL, *file = ss_plugin_source(s, &hash);
	if (o->json) {
		json_t *row =
		    json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "name", s->name, "roles",
			      s->nroles, "handoff", handoff_name(s->handoff), "allocators", allocs,
			      "checks", checks, "summary", s->summary ? s->summary : "", "details",
			      s->details ? s->details : "");
		if (file) {
			json_object_set_new(row, "file", json_string(file));
			json_object_set_new(row, "file_hash", json_string(hash));
		}
		json_object_set_new(row, "branches_declared", json_boolean(s->branches_declared));
		if (o->verbose)
			json_object_set_new(row, "params", params_json(s));
		json_array_append_new(arr, row);
		return;
	}
	printf("%-16s %-5d %-9s %-10s %-24s %s\n", s->name, s->nroles, handoff_name(s->handoff),
	       allocs, checks, s->summary ? s->summary : "");
	if (!o->verbose)
		return;
	if (file) /* a scenario file's origin and roles (built-ins: the man page) */
		printf("    file %s (content hash %s)\n", file, hash);
	if (file && s->role_names[0]) {
		printf("    roles:");
		for (int r = 0; r < s->nroles; r++)
			printf(" %s", s->role_names[r] ? s->role_names[r] : "?");
		printf("\n");
	}
	if (s->details)
		printf("    %s\n", s->details);
	if (s->branches_declared)
		printf(
		    "    branches declared (BRANCH_ON): --engine graph explores load buffering\n");
	print_params(s);
}

/* The scenario table: the built-ins, or the one of -s FILE. */
static void list_scenarios(const struct list_opts *o, json_t *arr)
{
	const struct ss_scenario *one = NULL;
	if (o->file) {
		char err[4400];
		one = ss_plugin_load(o->file, err, sizeof(err));
		if (!one)
			cli_usage_error("%s", err);
	}
	if (!o->json)
		printf("%-16s %-5s %-9s %-10s %-24s %s\n", "SCENARIO", "ROLES", "HANDOFF",
		       "ALLOCATORS", "CHECKS", "SUMMARY");
	for (int i = 0; one ? i < 1 : ss_scenarios[i] != NULL; i++)
		list_scenario(o, one ? one : ss_scenarios[i], arr);
}

/* Each variant with its row of switch values (JSON: always; table: with -v). */
static void list_variants(const struct list_opts *o, json_t *arr)
{
	for (int v = 0; v <= SS_VARIANT_CUSTOM; v++) {
		unsigned row = ss_variant_switches(v), bits = ss_variant_default_stride_bits(v);
		if (o->json) {
			json_t *sw = json_object();
			for (int i = 0; i < SS_NSWITCH_NAMES; i++) {
				bool on = i == SS_SW_STRIDE_BITS ? bits == 32 : (row >> i) & 1;
				json_object_set_new(sw, ss_switch_name(i),
						    json_string(ss_switch_value_name(i, on)));
			}
			json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:o}", "name",
							     ss_variant_name(v), "stride_bits",
							     bits, "summary", variant_rows[v],
							     "switches", sw));
			continue;
		}
		printf("%-13s %s\n", ss_variant_name(v), variant_rows[v]);
		if (!o->verbose)
			continue;
		char buf[512];
		ss_switches_format(row, bits, buf, sizeof(buf));
		printf("    --set %s\n", buf);
	}
}

static const char doc[] =
    "List what slabstress knows: scenarios (default), variants, allocators, models.\v"
    "Examples:\n  slabstress list\n  slabstress list scenarios -v\n  slabstress list "
    "scenarios -s ./release_acquire_handoff.c -v\n  slabstress list variants -v\n  slabstress list "
    "variants --json";

int cmd_list(int argc, char **argv)
{
	struct list_opts o = {0};
	struct argp argp = {options, parse, "[scenarios|variants|allocators|models]", doc, 0, 0, 0};
	cli_parse(&argp, argc, argv, &o);
	const char *what = o.what ? o.what : "scenarios";
	json_t *arr = json_array();

	if (!strcmp(what, "scenarios")) {
		list_scenarios(&o, arr);
	} else if (!strcmp(what, "variants")) {
		list_variants(&o, arr);
	} else if (!strcmp(what, "allocators")) {
		for (int i = 0; ss_allocators[i]; i++) {
			const struct ss_alloc_ops *a = ss_allocators[i];
			if (o.json)
				json_array_append_new(arr, json_pack("{s:s, s:b, s:s}", "name",
								     a->name, "memcg",
								     (a->caps & SS_CAP_MEMCG) != 0,
								     "summary", a->summary));
			else
				printf("%-9s %s\n", a->name, a->summary);
		}
	} else if (!strcmp(what, "models")) {
		for (size_t i = 0; i < sizeof(model_rows) / sizeof(model_rows[0]); i++) {
			if (o.json)
				json_array_append_new(arr, json_pack("{s:s, s:s}", "name",
								     model_rows[i][0], "summary",
								     model_rows[i][1]));
			else
				printf("%-5s %s\n", model_rows[i][0], model_rows[i][1]);
		}
	} else {
		json_decref(arr);
		cli_usage_error("list: unknown list '%s': expected one of scenarios, variants, "
				"allocators, models",
				what);
	}
	if (o.json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	json_decref(arr);
	return SS_EXIT_CLEAN;
}
