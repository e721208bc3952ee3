/* fuzz/triage.c - replay reproducers from many machines and group them by what
 * fails where, keeping the smallest of each group (see fuzz/triage.h). */
#include "fuzz/triage.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc/alloc.h"
#include "fuzz/fuzz.h"
#include "fuzz/repro_emu.h"
#include "results/repro.h"

#define TRIAGE_MAX_DEPTH 32

void ss_triage_init(struct ss_triage *t)
{
	memset(t, 0, sizeof(*t));
}

void ss_triage_free(struct ss_triage *t)
{
	for (int i = 0; i < t->nitems; i++)
		free(t->items[i].path);
	free(t->items);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

const char *ss_triage_status_name(enum ss_triage_status s)
{
	switch (s) {
	case SS_TRIAGE_SAME: return "same";
	case SS_TRIAGE_DIFFERENT: return "different";
	case SS_TRIAGE_CLEAN: return "clean";
	case SS_TRIAGE_UNREADABLE: return "unreadable";
	}
	return "?";
}

static void unreadable(struct ss_triage_item *it, const char *why)
{
	it->status = SS_TRIAGE_UNREADABLE;
	snprintf(it->why, sizeof(it->why), "%.*s", (int)sizeof(it->why) - 1, why);
}

/* Replays the reproducer at it->path into *it. */
static void replay_one(struct ss_triage_item *it)
{
	struct ss_repro r;
	char err[512];
	it->group = -1;
	if (ss_repro_load(&r, it->path, err, sizeof(err)) != 0) {
		unreadable(it, err);
		return;
	}
	snprintf(it->scenario, sizeof(it->scenario), "%s", r.scenario);
	snprintf(it->variant, sizeof(it->variant), "%s", ss_variant_name(r.acfg.variant));
	snprintf(it->model, sizeof(it->model), "%s", r.model);
	snprintf(it->saved_func, sizeof(it->saved_func), "%s", r.func);
	it->saved_kind = r.kind;
	it->decisions = ss_fuzz_decisions(r.schedule, r.schedule_len);
	it->bytes = r.schedule_len;
	struct emu_config ec;
	struct emu *e = NULL;
	struct emu_result res;
	if (ss_emu_config_from_repro(&ec, &r, NULL, err, sizeof(err)) != 0 ||
	    !(e = emu_create(&ec, err, sizeof(err)))) {
		unreadable(it, err);
	} else if (emu_execute(e, r.schedule, r.schedule_len, &res) != 0) {
		snprintf(err, sizeof(err), "internal error: %s", res.internal_msg);
		unreadable(it, err);
	} else {
		it->kind = res.kind;
		const struct ss_site *s = res.fail.site;
		if (res.kind != SS_FAIL_NONE && s) {
			snprintf(it->func, sizeof(it->func), "%s", s->func ? s->func : "?");
			snprintf(it->file, sizeof(it->file), "%s", s->file ? s->file : "?");
			it->line = s->line;
		}
		it->status = res.kind == SS_FAIL_NONE	  ? SS_TRIAGE_CLEAN
			     : ss_repro_matches(&r, &res) ? SS_TRIAGE_SAME
							  : SS_TRIAGE_DIFFERENT;
	}
	if (e)
		emu_destroy(e);
	ss_repro_free(&r);
}

static int add_file(struct ss_triage *t, const char *path)
{
	if (t->nitems == t->cap) {
		int cap = t->cap ? 2 * t->cap : 64;
		struct ss_triage_item *n = realloc(t->items, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		t->items = n;
		t->cap = cap;
	}
	struct ss_triage_item *it = &t->items[t->nitems];
	memset(it, 0, sizeof(*it));
	if (!(it->path = strdup(path)))
		return -1;
	t->nitems++;
	replay_one(it);
	switch (it->status) {
	case SS_TRIAGE_SAME: t->nsame++; break;
	case SS_TRIAGE_DIFFERENT: t->ndifferent++; break;
	case SS_TRIAGE_CLEAN: t->nclean++; break;
	case SS_TRIAGE_UNREADABLE: t->nunreadable++; break;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json(const char *name)
{
	size_t l = strlen(name);
	return l > 5 && !strcmp(name + l - 5, ".json");
}

/* Every *.json under dir, sorted, depth first; returns how many it added. */
static int add_dir(struct ss_triage *t, const char *dir, int depth)
{
	if (depth > TRIAGE_MAX_DEPTH)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		size_t l = strlen(dir) + strlen(de->d_name) + 2;
		if (!(names[n] = malloc(l)))
			break;
		snprintf(names[n++], l, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	int added = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) != 0) /* a dangling link: nothing to replay */
			;
		else if (S_ISDIR(st.st_mode))
			added += add_dir(t, names[i], depth + 1);
		else if (S_ISREG(st.st_mode) && is_json(names[i]) && add_file(t, names[i]) == 0)
			added++;
		free(names[i]);
	}
	free(names);
	return added;
}

int ss_triage_add_path(struct ss_triage *t, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(t, path) == 0 ? 0 : (snprintf(err, errlen, "out of memory"), -1);
	if (add_dir(t, path, 0) == 0) {
		snprintf(err, errlen, "%s: no *.json reproducer under this directory", path);
		return -1;
	}
	return 0;
}

static bool same_group(const struct ss_triage_group *g, const struct ss_triage_item *it)
{
	return !strcmp(g->scenario, it->scenario) && !strcmp(g->variant, it->variant) &&
	       !strcmp(g->model, it->model) && g->kind == it->kind && !strcmp(g->func, it->func);
}

/* Is a a smaller reproducer than b? */
static bool smaller(const struct ss_triage_item *a, const struct ss_triage_item *b)
{
	if (a->decisions != b->decisions)
		return a->decisions < b->decisions;
	if (a->bytes != b->bytes)
		return a->bytes < b->bytes;
	return strcmp(a->path, b->path) < 0;
}

void ss_triage_finish(struct ss_triage *t)
{
	free(t->groups);
	t->groups = calloc((size_t)t->nitems + 1, sizeof(*t->groups));
	t->ngroups = 0;
	if (!t->groups)
		return;
	for (int i = 0; i < t->nitems; i++) {
		struct ss_triage_item *it = &t->items[i];
		if (it->status != SS_TRIAGE_SAME && it->status != SS_TRIAGE_DIFFERENT)
			continue;
		int g = 0;
		while (g < t->ngroups && !same_group(&t->groups[g], it))
			g++;
		struct ss_triage_group *gr = &t->groups[g];
		if (g == t->ngroups) {
			t->ngroups++;
			snprintf(gr->scenario, sizeof(gr->scenario), "%s", it->scenario);
			snprintf(gr->variant, sizeof(gr->variant), "%s", it->variant);
			snprintf(gr->model, sizeof(gr->model), "%s", it->model);
			snprintf(gr->func, sizeof(gr->func), "%s", it->func);
			snprintf(gr->file, sizeof(gr->file), "%s", it->file);
			gr->line = it->line;
			gr->kind = it->kind;
			gr->smallest = i;
		} else if (smaller(it, &t->items[gr->smallest])) {
			gr->smallest = i;
		}
		gr->count++;
		it->group = g;
	}
}
