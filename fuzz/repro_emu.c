/* fuzz/repro_emu.c - reproducers <-> emulator (see repro_emu.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/repro_emu.h"
#include "scenarios/plugin.h"

static bool allow_changed_scenario;

void ss_repro_allow_changed_scenario(bool allow)
{
	allow_changed_scenario = allow;
}

/* The scenario file a reproducer names: same content (unless allowed), loaded. */
static int load_scenario_file(const struct ss_repro *r, char *err, size_t errlen)
{
	char now[17], why[600];
	if (ss_plugin_file_hash(r->scenario_path, now) != 0) {
		snprintf(err, errlen, "cannot read the scenario file %s: %s", r->scenario_path,
			 strerror(errno));
		return -1;
	}
	if (strcmp(now, r->scenario_hash) && !allow_changed_scenario) {
		snprintf(err, errlen,
			 "the scenario file %s changed since the reproducer was saved (hash %s, "
			 "now %s): the schedule may mean something else; --force replays anyway",
			 r->scenario_path, r->scenario_hash, now);
		return -1;
	}
	const struct ss_scenario *s = ss_plugin_load(r->scenario_path, why, sizeof(why));
	if (!s) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (strcmp(s->name, r->scenario)) {
		snprintf(err, errlen, "the scenario file %s defines '%s', not '%s'",
			 r->scenario_path, s->name, r->scenario);
		return -1;
	}
	return 0;
}

int ss_emu_config_from_repro(struct emu_config *c, const struct ss_repro *r,
			     const char *model_override, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (r->scenario_path[0] && load_scenario_file(r, err, errlen) != 0)
		return -1;
	c->scn = ss_scenario_find(r->scenario);
	if (!c->scn) {
		snprintf(err, errlen, "unknown scenario '%s' in the reproducer", r->scenario);
		return -1;
	}
	c->alloc = ss_alloc_find(r->alloc);
	if (!c->alloc) {
		snprintf(err, errlen, "unknown allocator '%s' in the reproducer", r->alloc);
		return -1;
	}
	const char *m = model_override ? model_override : r->model;
	if (wmm_model_parse(m, &c->model) != 0) {
		snprintf(err, errlen, "unknown model '%s': expected one of sc, tso, lkmm", m);
		return -1;
	}
	if (emu_deps_parse(r->deps[0] ? r->deps : "provenance", &c->deps) != 0) {
		snprintf(err, errlen, "unknown dependency mode '%s'", r->deps);
		return -1;
	}
	c->acfg = r->acfg;
	c->iters = r->iters;
	c->max_steps = r->step_limit;
	c->seed = SS_EMU_WORLD_SEED;
	return 0;
}

int ss_repro_from_emu(struct ss_repro *r, const struct emu *e, const struct emu_result *res,
		      const u8 *sched, size_t len)
{
	const struct emu_config *c = emu_config_of(e);
	memset(r, 0, sizeof(*r));
	snprintf(r->scenario, sizeof(r->scenario), "%s", c->scn->name);
	const char *hash = NULL, *file = ss_plugin_source(c->scn, &hash);
	if (file) {
		snprintf(r->scenario_path, sizeof(r->scenario_path), "%s", file);
		snprintf(r->scenario_hash, sizeof(r->scenario_hash), "%s", hash);
	}
	snprintf(r->alloc, sizeof(r->alloc), "%s", c->alloc->name);
	snprintf(r->model, sizeof(r->model), "%s", wmm_model_name(c->model));
	snprintf(r->deps, sizeof(r->deps), "%s", emu_deps_name(c->deps));
	snprintf(r->engine, sizeof(r->engine), "%s", c->graph ? "graph" : "lkvm");
	r->acfg = c->acfg;
	r->iters = c->iters;
	r->step_limit = c->max_steps;
	r->schedule = malloc(len ? len : 1);
	if (!r->schedule)
		return -1;
	memcpy(r->schedule, sched, len);
	r->schedule_len = len;
	r->kind = res->kind;
	r->cpu = res->fail.cpu;
	const struct ss_site *s = res->fail.site;
	snprintf(r->file, sizeof(r->file), "%s", s && s->file ? s->file : "?");
	r->line = s ? s->line : 0;
	snprintf(r->func, sizeof(r->func), "%s", s && s->func ? s->func : "?");
	emu_name_message(e, res->fail.msg, r->message, sizeof(r->message));
	return 0;
}

static u64 fnv1a(const u8 *b, size_t n)
{
	u64 h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

void ss_repro_file_name(char *buf, size_t n, const struct emu_config *c, enum ss_fail_kind kind,
			const u8 *sched, size_t len)
{
	snprintf(buf, n, "%s-%s-%s-%s-%08llx.json", c->scn->name, ss_variant_name(c->acfg.variant),
		 wmm_model_name(c->model), ss_fail_kind_name(kind),
		 (unsigned long long)(fnv1a(sched, len) & 0xffffffffULL));
}

int ss_save_failure(const char *dir, const struct emu *e, const struct emu_result *res,
		    const u8 *sched, size_t len, char *path, size_t pathlen, char *err,
		    size_t errlen)
{
	/* mkdir -p: the front end checked that the deepest existing ancestor takes it. */
	char d[4096];
	snprintf(d, sizeof(d), "%s", dir);
	for (char *p = d + 1;; p++) {
		char c = *p;
		if (c && c != '/')
			continue;
		*p = 0;
		if (mkdir(d, 0777) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create --save directory '%s': %s", d,
				 strerror(errno));
			return -1;
		}
		*p = c;
		if (!c)
			break;
	}
	char name[256];
	ss_repro_file_name(name, sizeof(name), emu_config_of(e), res->kind, sched, len);
	snprintf(path, pathlen, "%s/%s", dir, name);
	struct ss_repro r;
	if (ss_repro_from_emu(&r, e, res, sched, len) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = ss_repro_save(&r, path, err, errlen);
	ss_repro_free(&r);
	return rc;
}

void ss_emu_name_regions(struct emu *e)
{
	emu_name_regions(e);
}

int ss_repro_matches(const struct ss_repro *r, const struct emu_result *res)
{
	const struct ss_site *s = res->fail.site;
	if (res->kind != r->kind)
		return 0;
	if (!s || !s->func || !r->func[0])
		return 0;
	/* The function, not the line: a reproducer saved before an edit that only
	 * moved code (or moved a function to another file) still names its failure. */
	return !strcmp(s->func, r->func);
}
