/* fuzz/race_check.c - confirming, printing and recording data races (see
 * race_check.h). */
#include "fuzz/race_check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gexplore.h"
#include "fuzz/race_export.h"
#include "model/rel.h"
#include "results/json.h"
#include "results/stop.h"

static const char *const mode_names[] = {"report", "fail", "ignore"};

int ss_races_parse(const char *name, enum ss_races_mode *m)
{
	for (unsigned i = 0; i < 3; i++)
		if (name && !strcmp(name, mode_names[i])) {
			*m = (enum ss_races_mode)i;
			return 0;
		}
	return -1;
}

const char *ss_races_name(enum ss_races_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "?";
}

/* Runs sched on e with the trace on and exports the pair p into a string (*text,
 * malloc'ed).  0, or -1 with err. */
static int export_text(struct emu *e, const struct race_pair *p, const u8 *sched, size_t len,
		       const char *source, char **text, char *err, size_t errlen)
{
	struct emu_result res;
	size_t ia, ib, tlen = 0;
	*text = NULL;
	if (emu_execute(e, sched, len, &res) != 0) {
		snprintf(err, errlen, "internal error replaying: %s", res.internal_msg);
		return -1;
	}
	if (ss_race_locate(e, p, &ia, &ib) != 0) {
		snprintf(err, errlen, "the pair is not in the replayed trace");
		return -1;
	}
	FILE *f = open_memstream(text, &tlen);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = ss_race_export(f, e, ia, ib, source, err, errlen);
	fclose(f);
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static int add_finding(struct ss_races *out, const struct race_pair *p, const u8 *s, size_t len)
{
	struct ss_race_finding *v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	out->v = v;
	struct ss_race_finding *fd = &v[out->n];
	fd->a = p->a;
	fd->b = p->b;
	fd->sched = malloc(len ? len : 1);
	if (!fd->sched)
		return -1;
	if (len)
		memcpy(fd->sched, s, len);
	fd->len = len;
	out->n++;
	return 0;
}

/* One pair: its kept schedules until one is judged a race. */
static void check_pair(struct emu *e, const struct race_pair *p, ss_race_judge_fn judge,
		       struct ss_races *out)
{
	bool verdict = false;
	char why[200] = "";
	for (int k = 0; k < p->nsched && !ss_interrupted; k++) {
		char *text = NULL, err[200] = "";
		int v = -1;
		if (export_text(e, p, p->sched[k], p->len[k], "an explored execution", &text, err,
				sizeof(err)) == 0)
			v = judge(text, err, sizeof(err));
		free(text);
		if (v == 1) {
			add_finding(out, p, p->sched[k], p->len[k]);
			return;
		}
		if (v == 0)
			verdict = true;
		else if (!why[0])
			snprintf(why, sizeof(why), "%s", err);
	}
	if (!verdict && !ss_interrupted) { /* a stop: not checked, not "too big" */
		if (!out->skipped++)
			snprintf(out->skip_why, sizeof(out->skip_why), "%s", why);
	}
}

int ss_races_check(const struct emu_config *cfg, const struct race_log *log, ss_race_judge_fn judge,
		   struct ss_races *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	size_t n;
	const struct race_pair *pairs = race_pairs(log, &n);
	out->dropped = race_pairs_dropped(log);
	if (!n)
		return 0;
	struct emu_config dcfg = *cfg;
	dcfg.track_deps = true; /* the exported test carries them under sc and tso too */
	struct emu *e = emu_create(&dcfg, err, errlen);
	if (!e)
		return -1;
	emu_set_trace(e, true);
	for (size_t i = 0; i < n && !ss_interrupted; i++) {
		out->candidates++;
		check_pair(e, &pairs[i], judge, out);
	}
	out->interrupted = ss_interrupted != 0;
	emu_destroy(e);
	return 0;
}

/* The bytes of file path (at most cap), or -1. */
static long read_input(const char *path, u8 *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

/* Calls run(ctx, bytes, len) on each input file of the open directory d (at
 * most max_files, dot files skipped), closes d; how many were read.  A run
 * returns false for an input that did not count. */
static size_t each_input(DIR *d, const char *dir, size_t max_files,
			 bool (*run)(void *ctx, const u8 *b, size_t n), void *ctx)
{
	static u8 buf[1 << 16];
	struct dirent *de;
	char path[4400];
	size_t k = 0;
	while (!ss_interrupted && (de = readdir(d)) && k < max_files) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		long n = read_input(path, buf, sizeof(buf));
		if (n >= 0 && run(ctx, buf, (size_t)n))
			k++;
	}
	closedir(d);
	return k;
}

/* An input as a schedule on the race-noting emulator. */
static bool run_schedule(void *ctx, const u8 *b, size_t n)
{
	struct emu_result res;
	return emu_execute(ctx, b, n, &res) == 0;
}

int ss_races_check_dir(const struct emu_config *cfg, const char *dir, size_t max_files,
		       ss_race_judge_fn judge, struct ss_races *out, size_t *nfiles, char *err,
		       size_t errlen)
{
	memset(out, 0, sizeof(*out));
	*nfiles = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read the corpus directory %s", dir);
		return -1;
	}
	struct emu *e = emu_create(cfg, err, errlen);
	if (!e || emu_set_races(e, true) != 0) {
		if (e) {
			snprintf(err, errlen, "out of memory for the race log");
			emu_destroy(e);
		}
		closedir(d);
		return -1;
	}
	*nfiles = each_input(d, dir, max_files, run_schedule, e);
	int rc = ss_races_check(cfg, emu_races(e), judge, out, err, errlen);
	emu_destroy(e);
	return rc;
}

/* Is the pair a, b among out's findings, either way round? */
static bool known_race(const struct ss_races *out, const struct race_access *a,
		       const struct race_access *b)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct ss_race_finding *fd = &out->v[i];
		if (race_same_pair(&fd->a, &fd->b, a, b))
			return true;
	}
	return false;
}

/* The races of the graph f just ran, each new pair added with that graph. */
static void graph_input_races(struct gexplore_fuzz *f, struct ss_races *out)
{
	struct race_access pairs[16][2];
	int n = gexplore_replay_races(gexplore_fuzz_emu(f), pairs, 16);
	if (n < 0)
		out->skipped++;
	u8 *graph = NULL;
	size_t glen = 0;
	for (int i = 0; i < n; i++) {
		if (known_race(out, &pairs[i][0], &pairs[i][1]))
			continue;
		if (!graph && !(graph = gexplore_fuzz_graph(f, &glen)))
			return;
		struct race_pair p = {.a = pairs[i][0], .b = pairs[i][1]};
		if (out->n >= RACE_MAX_PAIRS)
			out->dropped++;
		else
			add_finding(out, &p, graph, glen);
	}
	free(graph);
}

struct graph_walk {
	struct gexplore_fuzz *f;
	struct ss_races *out;
};

/* An input as a graph; a consistent one's races decided on it. */
static bool run_graph_input(void *ctx, const u8 *b, size_t n)
{
	struct graph_walk *w = ctx;
	struct emu_result res;
	if (gexplore_fuzz_run(w->f, b, n, &res) == 1) {
		w->out->candidates++; /* consistent graphs checked */
		graph_input_races(w->f, w->out);
	}
	return true;
}

int ss_races_check_graph_dir(const struct emu_config *cfg, const char *dir, size_t max_files,
			     struct ss_races *out, size_t *nfiles, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->graph = true;
	snprintf(out->skip_why, sizeof(out->skip_why), "more events than the model's check takes");
	*nfiles = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read the corpus directory %s", dir);
		return -1;
	}
	struct gexplore_fuzz *f = gexplore_fuzz_create(cfg, err, errlen);
	if (!f) {
		closedir(d);
		return -1;
	}
	struct graph_walk w = {f, out};
	*nfiles = each_input(d, dir, max_files, run_graph_input, &w);
	gexplore_fuzz_destroy(f);
	return 0;
}

void ss_races_free(struct ss_races *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].sched);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int ss_race_write_test(FILE *f, const struct emu_config *cfg, const struct ss_race_finding *fd,
		       const char *source, char *err, size_t errlen)
{
	struct emu *e = emu_create(cfg, err, errlen);
	if (!e)
		return -1;
	emu_set_trace(e, true);
	struct race_pair p = {.a = fd->a, .b = fd->b};
	char *text = NULL;
	int rc = export_text(e, &p, fd->sched, fd->len, source, &text, err, errlen);
	if (!rc)
		fputs(text, f);
	free(text);
	emu_destroy(e);
	return rc;
}

static const char *access_text(const struct race_access *s)
{
	return s->write ? (s->plain ? "plain store" : "marked store")
			: (s->plain ? "plain load" : "marked load");
}

static void site_text(char *buf, size_t n, const struct ss_site *s)
{
	snprintf(buf, n, "%s:%d (%s)", s && s->file ? s->file : "?", s ? s->line : 0,
		 s && s->func ? s->func : "?");
}

void ss_races_print(FILE *f, const struct ss_races *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct ss_race_finding *fd = &r->v[i];
		char sa[200], sb[200];
		site_text(sa, sizeof(sa), fd->a.site);
		site_text(sb, sizeof(sb), fd->b.site);
		fprintf(
		    f,
		    "data race: CPU %d %s of %s at %s races with CPU %d %s at %s, LKMM flags it "
		    "(exact check of the %s)\n",
		    fd->b.cpu, access_text(&fd->b), emu_site_expr(fd->b.site), sb, fd->a.cpu,
		    access_text(&fd->a), sa, r->graph ? "execution graph" : "exported test");
	}
	if (r->dropped)
		fprintf(f,
			"race check skipped for %s past the first %d site pairs (%lu "
			"occurrence%s)\n",
			r->graph ? "races" : "candidates", RACE_MAX_PAIRS, r->dropped,
			r->dropped == 1 ? "" : "s");
	if (r->interrupted || ss_interrupted)
		fprintf(f, "race check interrupted by a stop signal: the races above are those "
			   "found before it\n");
	if (r->skipped && r->graph)
		fprintf(f, "race check skipped (too big) for %lu of %lu consistent graph%s: %s\n",
			r->skipped, r->candidates, r->candidates == 1 ? "" : "s", r->skip_why);
	else if (r->skipped)
		fprintf(f,
			"race check skipped (too big) for %lu of %lu candidate pair%s: %s (explore "
			"--engine graph --races report decides them on the execution graphs, up to "
			"%d events)\n",
			r->skipped, r->candidates, r->candidates == 1 ? "" : "s", r->skip_why,
			REL_MAX_BIG);
}

static json_t *access_json(const struct race_access *s)
{
	return json_pack("{s:i, s:s, s:s, s:i, s:s}", "cpu", s->cpu, "access", access_text(s),
			 "file", s->site && s->site->file ? s->site->file : "?", "line",
			 s->site ? s->site->line : 0, "func",
			 s->site && s->site->func ? s->site->func : "?");
}

json_t *ss_races_json(const struct ss_races *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct ss_race_finding *fd = &r->v[i];
		char *hex = malloc(2 * fd->len + 1);
		if (hex)
			emu_hex(hex, fd->sched, fd->len);
		json_array_append_new(
		    arr, json_pack("{s:s, s:o, s:o, s:s, s:s}", "location",
				   emu_site_expr(fd->b.site), "access", access_json(&fd->b),
				   "races_with", access_json(&fd->a), "check", "lkmm exact",
				   r->graph ? "graph" : "schedule", hex ? hex : ""));
		free(hex);
	}
	return arr;
}

void ss_race_failure(const struct ss_race_finding *fd, struct ss_failure *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = SS_FAIL_DATA_RACE;
	out->cpu = fd->b.cpu;
	out->site = fd->b.site;
	char sa[200];
	site_text(sa, sizeof(sa), fd->a.site);
	snprintf(out->msg, sizeof(out->msg), "%s of %s races with CPU %d %s at %s",
		 access_text(&fd->b), emu_site_expr(fd->b.site), fd->a.cpu, access_text(&fd->a),
		 sa);
}
