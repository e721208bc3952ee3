/* results/repro.c - saving and strictly loading reproducer files (see repro.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/json.h"
#include "results/repro.h"

#ifndef SS_VERSION
#define SS_VERSION "0.0.0"
#endif

/* The one hex codec of schedule bytes; engine/emu.c's emu_hex/emu_unhex wrap it. */
void ss_hex_write(char *buf, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = digits[b[i] >> 4];
		buf[2 * i + 1] = digits[b[i] & 15];
	}
	buf[2 * n] = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long ss_hex_parse(unsigned char *out, size_t cap, const char *hex, const char *skip)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		if (skip && strchr(skip, *p))
			continue;
		int v = hexval((unsigned char)*p);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (long)n : -1;
}

char *ss_hex_encode(const unsigned char *b, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (s)
		ss_hex_write(s, b, n);
	return s;
}

long ss_hex_decode(const char *hex, unsigned char **out)
{
	size_t n = strlen(hex);
	*out = NULL;
	if (n % 2)
		return -1;
	unsigned char *b = malloc(n / 2 + 1);
	if (!b)
		return -1;
	/* No separators: every character is a digit, so n / 2 bytes or -1. */
	if (ss_hex_parse(b, n / 2, hex, NULL) < 0) {
		free(b);
		return -1;
	}
	*out = b;
	return (long)(n / 2);
}

int ss_repro_save(const struct ss_repro *r, const char *path, char *err, size_t errlen)
{
	char *hex = ss_hex_encode(r->schedule, r->schedule_len);
	if (!hex) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_t *knobs = json_pack(
	    "{s:i, s:s, s:I, s:I, s:b, s:i, s:i, s:I, s:b}", "stride_bits", r->acfg.stride_bits,
	    "objext", ss_objext_name(r->acfg.objext), "object_size",
	    (json_int_t)r->acfg.object_size, "page_size", (json_int_t)r->acfg.page_size, "account",
	    r->acfg.account, "ncpus", r->acfg.ncpus, "nobjcgs", r->acfg.nobjcgs, "max_objects",
	    (json_int_t)r->acfg.max_objects, "objcg_atomic", r->acfg.objcg_atomic);
	/* A named variant is its row (and editing its name stays a way to try a
	 * schedule on another variant); a custom one needs every switch. */
	if (knobs && r->acfg.variant == SS_VARIANT_CUSTOM) {
		char switches[512];
		ss_switches_format(r->acfg.switches, r->acfg.stride_bits, switches,
				   sizeof(switches));
		json_object_set_new(knobs, "switches", json_string(switches));
	}
	json_t *failure = json_pack("{s:s, s:i, s:s, s:i, s:s, s:s}", "kind",
				    ss_fail_kind_name(r->kind), "cpu", r->cpu, "file", r->file,
				    "line", r->line, "func", r->func, "message", r->message);
	json_t *doc = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:s, s:o}", "schema",
	    SS_REPRO_SCHEMA, "tool", "slabstress", "version", SS_VERSION, "scenario", r->scenario,
	    "variant", ss_variant_name(r->acfg.variant), "alloc", r->alloc, "knobs", knobs, "model",
	    r->model, "deps", r->deps[0] ? r->deps : "explicit", "iters", (json_int_t)r->iters,
	    "step_limit", (json_int_t)r->step_limit, "schedule", hex, "failure", failure);
	free(hex);
	if (doc && !strcmp(r->engine, "graph"))
		json_object_set_new(doc, "engine", json_string("graph"));
	if (doc && r->scenario_path[0]) {
		json_object_set_new(doc, "scenario_path", json_string(r->scenario_path));
		json_object_set_new(doc, "scenario_hash", json_string(r->scenario_hash));
	}
	if (!doc) {
		snprintf(err, errlen, "cannot build reproducer JSON");
		return -1;
	}
	int rc = res_write_atomic(doc, path, err, errlen);
	json_decref(doc);
	return rc;
}

void ss_repro_params_add(json_t *params, const struct ss_alloc_config *a, const char *scenario_path,
			 const char *scenario_hash)
{
	char switches[512];
	if (!params)
		return;
	ss_switches_format(ss_config_switches(a), a->stride_bits, switches, sizeof(switches));
	json_object_set_new(params, "switches", json_string(switches));
	if (scenario_path) {
		json_object_set_new(params, "scenario_path", json_string(scenario_path));
		json_object_set_new(params, "scenario_hash",
				    json_string(scenario_hash ? scenario_hash : ""));
	}
}

void ss_repro_free(struct ss_repro *r)
{
	free(r->schedule);
	r->schedule = NULL;
}

/* Field readers that fail with "FILE: field 'x' ..." messages. */
struct loader {
	const char *path;
	char *err;
	size_t errlen;
	int bad;
};

static json_t *need(struct loader *l, json_t *obj, const char *where, const char *key,
		    json_type type)
{
	static const char *const tn[] = {"an object",	  "an array", "a string",
					 "an integer",	  "a number", "true or false",
					 "true or false", "null"};
	if (l->bad)
		return NULL;
	json_t *v = json_object_get(obj, key);
	bool ok = v && (json_typeof(v) == type ||
			(type == JSON_TRUE && (json_is_true(v) || json_is_false(v))));
	if (!ok) {
		snprintf(l->err, l->errlen, "%s: %s field '%s%s' %s: expected %s", l->path,
			 v ? "bad" : "missing", where, key, v ? "has the wrong type" : "",
			 tn[type]);
		l->bad = 1;
		return NULL;
	}
	return v;
}

static void copy_str(struct loader *l, json_t *obj, const char *where, const char *key, char *dst,
		     size_t n)
{
	json_t *v = need(l, obj, where, key, JSON_STRING);
	if (!v)
		return;
	if (strlen(json_string_value(v)) >= n) {
		snprintf(l->err, l->errlen, "%s: field '%s%s' is too long", l->path, where, key);
		l->bad = 1;
		return;
	}
	strcpy(dst, json_string_value(v));
}

static long long get_int(struct loader *l, json_t *obj, const char *where, const char *key,
			 long long min, long long max)
{
	json_t *v = need(l, obj, where, key, JSON_INTEGER);
	if (!v)
		return 0;
	long long x = json_integer_value(v);
	if (x < min || x > max) {
		snprintf(l->err, l->errlen, "%s: field '%s%s' is %lld: expected %lld to %lld",
			 l->path, where, key, x, min, max);
		l->bad = 1;
	}
	return x;
}

static void only_known(struct loader *l, json_t *obj, const char *where, const char *const *keys)
{
	const char *key;
	json_t *v;
	if (l->bad)
		return;
	json_object_foreach(obj, key, v)
	{
		int known = 0;
		for (const char *const *k = keys; *k; k++)
			known |= !strcmp(*k, key);
		if (!known) {
			snprintf(l->err, l->errlen,
				 "%s: unknown field '%s%s': this reproducer was not written by "
				 "slabstress %s",
				 l->path, where, key, SS_VERSION);
			l->bad = 1;
			return;
		}
	}
}

/* The document at path, once it is a JSON object of the reproducer schema; NULL
 * with err set otherwise. */
static json_t *repro_open(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = res_json_load_limited(path, "reproducer", SS_REPRO_MAX_BYTES,
					    SS_REPRO_MAX_DEPTH, &je, err, errlen);
	if (!doc && err[0])
		return NULL;
	if (!doc) {
		if (je.line <= 0 && je.position == 0)
			snprintf(err, errlen, "%s: cannot read: %s", path, je.text);
		else
			snprintf(err, errlen, "%s: not valid JSON at line %d column %d: %s", path,
				 je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: not a slabstress reproducer (expected a JSON object)",
			 path);
		json_decref(doc);
		return NULL;
	}
	json_t *schema = json_object_get(doc, "schema");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), SS_REPRO_SCHEMA)) {
		snprintf(err, errlen,
			 "%s: not a slabstress reproducer (schema %s%s%s, expected \"%s\")", path,
			 json_is_string(schema) ? "\"" : "",
			 json_is_string(schema) ? json_string_value(schema) : "missing",
			 json_is_string(schema) ? "\"" : "", SS_REPRO_SCHEMA);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* The top-level fields but knobs, failure and schedule; the variant's name into
 * variant (checked later). */
static void load_top(struct loader *l, json_t *doc, struct ss_repro *r, char *variant, size_t n)
{
	static const char *const top[] = {
	    "schema", "tool",	       "version",	"scenario",   "variant",  "alloc",
	    "knobs",  "model",	       "iters",		"step_limit", "schedule", "failure",
	    "deps",   "scenario_path", "scenario_hash", "engine",     NULL};
	char version[64] = "";
	only_known(l, doc, "", top);
	copy_str(l, doc, "", "version", version, sizeof(version));
	if (!l->bad && strcmp(version, SS_VERSION)) {
		snprintf(l->err, l->errlen,
			 "%s: written by slabstress %s, this is %s: schedules are not portable "
			 "across versions; re-run the exploration",
			 l->path, version, SS_VERSION);
		l->bad = 1;
	}
	copy_str(l, doc, "", "scenario", r->scenario, sizeof(r->scenario));
	if (json_object_get(doc, "scenario_path")) { /* optional: a scenario file's */
		copy_str(l, doc, "", "scenario_path", r->scenario_path, sizeof(r->scenario_path));
		copy_str(l, doc, "", "scenario_hash", r->scenario_hash, sizeof(r->scenario_hash));
	}
	copy_str(l, doc, "", "variant", variant, n);
	copy_str(l, doc, "", "alloc", r->alloc, sizeof(r->alloc));
	copy_str(l, doc, "", "model", r->model, sizeof(r->model));
	/* Optional: the engine that found it (lkvm: a schedule; graph: a graph). */
	json_t *engine = json_object_get(doc, "engine");
	snprintf(r->engine, sizeof(r->engine), "lkvm");
	if (engine && !l->bad) {
		const char *en = json_is_string(engine) ? json_string_value(engine) : "";
		if (strcmp(en, "lkvm") && strcmp(en, "graph")) {
			snprintf(l->err, l->errlen, "%s: field 'engine' is not lkvm or graph",
				 l->path);
			l->bad = 1;
		}
		snprintf(r->engine, sizeof(r->engine), "%s", en);
	}
	/* Optional: reproducers from before dependency modes ran under provenance. */
	json_t *deps = json_object_get(doc, "deps");
	snprintf(r->deps, sizeof(r->deps), "provenance");
	if (deps && !l->bad) {
		const char *d = json_is_string(deps) ? json_string_value(deps) : "";
		if (strcmp(d, "explicit") && strcmp(d, "provenance") && strcmp(d, "check")) {
			snprintf(l->err, l->errlen,
				 "%s: field 'deps' is not explicit, provenance or check", l->path);
			l->bad = 1;
		} else {
			snprintf(r->deps, sizeof(r->deps), "%s", d);
		}
	}
	r->iters = (unsigned long)get_int(l, doc, "", "iters", 1, 1 << 20);
	r->step_limit = (unsigned long)get_int(l, doc, "", "step_limit", 1, 1LL << 40);
}

/* "knobs": the allocator configuration; the placement's name into objext. */
static void load_knobs(struct loader *l, json_t *doc, struct ss_repro *r, char *objext, size_t n,
		       char *switches, size_t nsw)
{
	static const char *const knob_keys[] = {
	    "stride_bits", "objext",	  "object_size",  "page_size", "account", "ncpus",
	    "nobjcgs",	   "max_objects", "objcg_atomic", "switches",  NULL};
	json_t *knobs = need(l, doc, "", "knobs", JSON_OBJECT);
	only_known(l, knobs, "knobs.", knob_keys);
	if (!knobs)
		return;
	r->acfg.stride_bits = (unsigned)get_int(l, knobs, "knobs.", "stride_bits", 16, 32);
	if (!l->bad && r->acfg.stride_bits != 16 && r->acfg.stride_bits != 32) {
		snprintf(l->err, l->errlen,
			 "%s: field 'knobs.stride_bits' is %u: expected 16 or 32", l->path,
			 r->acfg.stride_bits);
		l->bad = 1;
	}
	copy_str(l, knobs, "knobs.", "objext", objext, n);
	r->acfg.object_size = (size_t)get_int(l, knobs, "knobs.", "object_size", 8, 1 << 22);
	r->acfg.page_size = (size_t)get_int(l, knobs, "knobs.", "page_size", 4096, 1 << 20);
	json_t *acc = need(l, knobs, "knobs.", "account", JSON_TRUE);
	r->acfg.account = acc && json_is_true(acc);
	r->acfg.ncpus = (int)get_int(l, knobs, "knobs.", "ncpus", 1, SS_REPRO_MAX_CPUS);
	r->acfg.nobjcgs = (int)get_int(l, knobs, "knobs.", "nobjcgs", 1, 64);
	r->acfg.max_objects = (unsigned long)get_int(l, knobs, "knobs.", "max_objects", 1, 1 << 24);
	/* Optional: absent means per-CPU refcounts (the default). */
	json_t *atomic_refs = json_object_get(knobs, "objcg_atomic");
	if (atomic_refs && !json_is_boolean(atomic_refs) && !l->bad) {
		snprintf(l->err, l->errlen,
			 "%s: bad field 'knobs.objcg_atomic': expected true or false", l->path);
		l->bad = 1;
	}
	r->acfg.objcg_atomic = atomic_refs && json_is_true(atomic_refs);
	/* Optional: absent (files before switches existed) means the variant's row. */
	if (json_object_get(knobs, "switches"))
		copy_str(l, knobs, "knobs.", "switches", switches, nsw);
}

/* "knobs.switches" against the variant: a named variant's must be its row (and
 * the width knobs.stride_bits); a custom variant needs them. */
static void load_switches(struct loader *l, struct ss_repro *r, const char *spec)
{
	char why[512];
	unsigned sw = 0, bits = r->acfg.stride_bits;
	if (!*spec) {
		if (r->acfg.variant == SS_VARIANT_CUSTOM)
			snprintf(l->err, l->errlen,
				 "%s: missing field 'knobs.switches': variant custom needs it",
				 l->path),
			    l->bad = 1;
		return;
	}
	if (ss_switches_apply(spec, &sw, &bits, why, sizeof(why)))
		snprintf(l->err, l->errlen, "%s: field 'knobs.switches': %s", l->path, why),
		    l->bad = 1;
	else if (bits != r->acfg.stride_bits)
		snprintf(l->err, l->errlen,
			 "%s: field 'knobs.switches' says stride-bits=%u but 'knobs.stride_bits' "
			 "is %u",
			 l->path, bits, r->acfg.stride_bits),
		    l->bad = 1;
	else if (r->acfg.variant != SS_VARIANT_CUSTOM && sw != ss_variant_switches(r->acfg.variant))
		snprintf(l->err, l->errlen,
			 "%s: field 'knobs.switches' is not variant %s's row: expected variant "
			 "custom",
			 l->path, ss_variant_name(r->acfg.variant)),
		    l->bad = 1;
	else
		r->acfg.switches = r->acfg.variant == SS_VARIANT_CUSTOM ? sw : 0;
}

/* "failure": what the reproducer showed; the kind's name into kind. */
static void load_failure(struct loader *l, json_t *doc, struct ss_repro *r, char *kind, size_t n)
{
	static const char *const fail_keys[] = {"kind", "cpu",	   "file", "line",
						"func", "message", NULL};
	json_t *fail = need(l, doc, "", "failure", JSON_OBJECT);
	only_known(l, fail, "failure.", fail_keys);
	if (!fail)
		return;
	copy_str(l, fail, "failure.", "kind", kind, n);
	r->cpu = (int)get_int(l, fail, "failure.", "cpu", -1, SS_REPRO_MAX_CPUS);
	copy_str(l, fail, "failure.", "file", r->file, sizeof(r->file));
	r->line = (int)get_int(l, fail, "failure.", "line", 0, 1 << 30);
	copy_str(l, fail, "failure.", "func", r->func, sizeof(r->func));
	copy_str(l, fail, "failure.", "message", r->message, sizeof(r->message));
}

/* The names read as strings: variant, placement, failure kind and model. */
static void load_names(struct loader *l, struct ss_repro *r, const char *variant,
		       const char *objext, const char *kind)
{
	int v = ss_variant_from_name(variant);
	int p = ss_objext_from_name(objext);
	r->kind = ss_fail_kind_from_name(kind);
	if (v < 0)
		snprintf(l->err, l->errlen,
			 "%s: field 'variant' is '%s': expected rc1, early-stride, "
			 "wmb-rmb, fixed or custom",
			 l->path, variant),
		    l->bad = 1;
	else if (p < 0)
		snprintf(l->err, l->errlen,
			 "%s: field 'knobs.objext' is '%s': expected separate, "
			 "leftover or in-object",
			 l->path, objext),
		    l->bad = 1;
	else if (r->kind == SS_FAIL_NONE)
		snprintf(l->err, l->errlen, "%s: field 'failure.kind' is '%s': not a failure kind",
			 l->path, kind),
		    l->bad = 1;
	else if (strcmp(r->model, "sc") && strcmp(r->model, "tso") && strcmp(r->model, "lkmm"))
		snprintf(l->err, l->errlen, "%s: field 'model' is '%s': expected sc, tso or lkmm",
			 l->path, r->model),
		    l->bad = 1;
	r->acfg.variant = (enum ss_variant)(v < 0 ? 0 : v);
	r->acfg.objext = (enum ss_objext_placement)(p < 0 ? 0 : p);
}

/* "schedule": hex, within SS_REPRO_MAX_SCHEDULE bytes. */
static void load_schedule(struct loader *l, json_t *sched, struct ss_repro *r)
{
	size_t hl = strlen(json_string_value(sched));
	long n = -1;
	if (hl > 2 * (size_t)SS_REPRO_MAX_SCHEDULE)
		snprintf(l->err, l->errlen,
			 "%s: field 'schedule' holds %zu bytes, over the limit of %d", l->path,
			 hl / 2, SS_REPRO_MAX_SCHEDULE);
	else if ((n = ss_hex_decode(json_string_value(sched), &r->schedule)) < 0)
		snprintf(l->err, l->errlen, "%s: field 'schedule' is not an even-length hex string",
			 l->path);
	if (n < 0)
		l->bad = 1;
	else
		r->schedule_len = (size_t)n;
}

int ss_repro_load(struct ss_repro *r, const char *path, char *err, size_t errlen)
{
	struct loader l = {path, err, errlen, 0};
	char variant[32] = "", objext[32] = "", kind[32] = "", switches[512] = "";
	memset(r, 0, sizeof(*r));
	json_t *doc = repro_open(path, err, errlen);
	if (!doc)
		return -1;
	load_top(&l, doc, r, variant, sizeof(variant));
	load_knobs(&l, doc, r, objext, sizeof(objext), switches, sizeof(switches));
	load_failure(&l, doc, r, kind, sizeof(kind));
	json_t *sched = need(&l, doc, "", "schedule", JSON_STRING);
	if (!l.bad)
		load_names(&l, r, variant, objext, kind);
	if (!l.bad)
		load_switches(&l, r, switches);
	if (!l.bad)
		load_schedule(&l, sched, r);
	json_decref(doc);
	if (l.bad) {
		ss_repro_free(r);
		return -1;
	}
	return 0;
}
