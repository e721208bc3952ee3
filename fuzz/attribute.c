/* fuzz/attribute.c - reordering attribution and single-barrier fixes (see
 * attribute.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/explore.h"
#include "engine/gexplore.h"
#include "fuzz/attribute.h"

/* A graph search in a schedule attribution stops after this long: past it the
 * program is too big to prove quickly, and the schedule search decides. */
#define ATTR_GRAPH_SECONDS 1.0

/* Every execution graph of cfg (graph mode, at most ATTR_GRAPH_SECONDS), for a
 * failure of kind (failures of other kinds do not count, as in the schedule
 * search): 1 found, 0 none and every graph visited (a proof), -1 not decided
 * (not finished, or the engine cannot run it).  *graphs: how many it ran.
 * *give_up: set when a search did not finish or could not run, after which
 * the attribution's other searches are not tried as graphs (the program is too
 * big: each would cost its whole budget for nothing). */
static int graph_decides(const struct emu_config *cfg, enum ss_fail_kind kind,
			 unsigned long long *graphs, bool *give_up)
{
	if (*give_up || cfg->deps == EMU_DEPS_CHECK)
		return -1;
	struct gexplore_opts o;
	memset(&o, 0, sizeof(o));
	o.max_execs = 200000;
	o.duration = ATTR_GRAPH_SECONDS;
	o.keep_going = true;
	struct gexplore_stats st;
	int rc = gexplore_run(cfg, &o, &st, NULL);
	int x = rc != 0 ? -1 : st.log.by_kind[kind] ? 1 : st.complete ? 0 : -1;
	*give_up = x < 0;
	*graphs = st.executions;
	gexplore_stats_free(&st);
	return x;
}

static const char *bname(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p ? p : "?";
}

/* Does the failure of `kind` happen under cfg: the schedule itself, then every
 * execution graph (graph_decides: a proof either way when it decides), then a
 * random search (also for a failing schedule when fsched wants one and only a
 * graph failed).  *replay says whether the schedule alone did; *in_graphs that
 * *searched counts graphs.  When fsched is given, a failing schedule (malloc'ed)
 * is returned there when one was found. */
static int fails_under(const struct emu_config *cfg, const u8 *sched, size_t len,
		       enum ss_fail_kind kind, unsigned long search, bool *replay,
		       bool *proved_clean, bool *in_graphs, unsigned long long *searched,
		       u8 **fsched, size_t *flen, bool *give_up, char *err, size_t errlen)
{
	struct emu *e = emu_create(cfg, err, errlen);
	if (!e)
		return -1;
	struct emu_result r;
	int found = 0;
	*replay = false;
	*searched = 0;
	if (emu_execute(e, sched, len, &r) == 0 && r.kind == kind) {
		*replay = true;
		found = 1;
		if (fsched && (*fsched = malloc(len ? len : 1))) {
			memcpy(*fsched, sched, len);
			*flen = len;
		}
	}
	unsigned long long graphs = 0;
	int g = !found && search ? graph_decides(cfg, kind, &graphs, give_up) : -1;
	if (g == 0)
		*proved_clean = true; /* nothing fails: no schedule search */
	if (g == 1)
		found = 1; /* a graph the model allows fails */
	if (g == 0 || (g == 1 && !fsched)) {
		*in_graphs = true;
		*searched = graphs;
		search = 0;
	}
	if (!found && search) {
		struct explore_opts o;
		struct explore_stats st;
		memset(&o, 0, sizeof(o));
		o.seed = 1;
		o.max_execs = search;
		o.stale_prob = 0.3;
		o.keep_going = true;
		if (explore_random(e, &o, &st) == 0) {
			*searched = st.executions;
			for (int k = 0; k < SS_FAIL_NKINDS; k++)
				(void)k;
			if (st.log.by_kind[kind]) {
				found = 1;
				/* the first failing schedule may be of another kind: look again */
				if (fsched && st.first.kind == kind) {
					*fsched = st.first_sched;
					*flen = st.first_len;
					st.first_sched = NULL;
				}
			}
		}
		explore_stats_free(&st);
	}
	emu_destroy(e);
	return found;
}

static void access_str(char *buf, size_t n, const struct emu_trace_ent *t, int cpu)
{
	const char *what = t->op == EMU_OP_LOAD ? "load" : t->op == EMU_OP_STORE ? "store" : "RMW";
	snprintf(buf, n, "%s of %s (%s:%d) on CPU %d", what, emu_site_expr(t->site),
		 t->site ? bname(t->site->file) : "?", t->site ? t->site->line : 0, cpu);
}

/* The reordered pair, from the trace e holds of failing execution r. */
void ss_attr_find_pair(const struct emu *e, const struct emu_result *rp, struct ss_attribution *a,
		       const struct ss_site **stale_site, const struct ss_site **newer_site)
{
	const struct emu_result r = *rp;
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	long best = -1;
	for (size_t i = 0; i < n; i++) /* the last stale load of the failing CPU, else any */
		if (tr[i].flags & EMU_TR_STALE)
			if (best < 0 || tr[i].cpu == r.fail.cpu || tr[best].cpu != r.fail.cpu)
				best = (long)i;
	if (best >= 0) {
		const struct emu_trace_ent *t = &tr[best];
		long j = emu_trace_missed(e, (size_t)best), k = emu_trace_newer_po(e, (size_t)best);
		a->cpu = t->cpu;
		access_str(a->stale, sizeof(a->stale), t, t->cpu);
		*stale_site = t->site;
		if (j >= 0) {
			a->writer = tr[j].cpu;
			access_str(a->missed, sizeof(a->missed), &tr[j], tr[j].cpu);
		}
		if (k >= 0) {
			a->have_pair = true;
			a->prior_is_load = tr[k].op == EMU_OP_LOAD || tr[k].op == EMU_OP_RMW ||
					   tr[k].op == EMU_OP_CAS128;
			access_str(a->prior, sizeof(a->prior), &tr[k], tr[k].cpu);
			/* the store the earlier load read: the writer's newer store */
			for (size_t m = (size_t)k; m-- > 0;)
				if (tr[m].cpu == tr[k].rf_cpu && tr[m].site == tr[k].rf_site &&
				    tr[m].op != EMU_OP_LOAD) {
					access_str(a->newer, sizeof(a->newer), &tr[m], tr[m].cpu);
					*newer_site = tr[m].site;
					break;
				}
		}
	}
}

/* The same from a traced run of the failing schedule under cfg. */
static void find_pair(const struct emu_config *cfg, const u8 *sched, size_t len,
		      struct ss_attribution *a, const struct ss_site **stale_site,
		      const struct ss_site **newer_site)
{
	char err[128];
	struct emu *e = emu_create(cfg, err, sizeof(err));
	if (!e)
		return;
	emu_set_trace(e, true);
	struct emu_result r;
	emu_execute(e, sched, len, &r);
	ss_attr_find_pair(e, &r, a, stale_site, newer_site);
	emu_destroy(e);
}

/* Is the failure impossible with the fence?  Exhaustive within bounds when it
 * completes in its budget, else a random search. */
static int check_fix(const struct emu_config *base, struct ss_attr_fix *fx, const u8 *sched,
		     size_t len, enum ss_fail_kind kind, unsigned long search, bool *give_up,
		     char *err, size_t errlen)
{
	struct emu_config c = *base;
	c.fences = &fx->f;
	c.nfences = 1;
	struct emu *e = emu_create(&c, err, errlen);
	if (!e)
		return -1;
	struct emu_result r;
	fx->fixes = false;
	if (emu_execute(e, sched, len, &r) != 0 || r.kind == kind) {
		emu_destroy(e);
		return 0;
	}
	/* a proof, or a failing graph, when the graphs are few enough */
	int g = graph_decides(&c, kind, &fx->execs, give_up);
	if (g >= 0) {
		fx->by_graph = true;
		fx->fixes = g == 0;
		fx->failed = g == 1;
		fx->exhaustive = g == 0;
		emu_destroy(e);
		return 0;
	}
	struct explore_opts o;
	struct explore_stats st;
	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.strategy = EXPLORE_EXHAUSTIVE;
	o.max_execs = 20000;
	o.keep_going = true;
	if (explore_exhaustive(e, &o, &st) == 0) {
		fx->execs = st.executions;
		if (st.log.by_kind[kind]) {
			explore_stats_free(&st);
			emu_destroy(e);
			return 0;
		}
		fx->exhaustive = st.complete;
	}
	explore_stats_free(&st);
	if (!fx->exhaustive) {
		o.strategy = EXPLORE_RANDOM;
		o.max_execs = search * 5;
		o.stale_prob = 0.3;
		if (explore_random(e, &o, &st) == 0) {
			fx->execs = st.executions;
			fx->fixes = st.log.by_kind[kind] == 0;
		}
		explore_stats_free(&st);
		o.strategy = EXPLORE_PCT;
		if (fx->fixes && explore_pct(e, &o, &st) == 0) {
			fx->execs += st.executions;
			fx->fixes = st.log.by_kind[kind] == 0;
		}
		explore_stats_free(&st);
	} else {
		fx->fixes = true;
	}
	emu_destroy(e);
	return 0;
}

static void add_fix(struct ss_attribution *a, enum ss_fence kind, int cpu, const struct ss_site *s,
		    const char *between)
{
	static const char *const names[] = {"smp_mb()", "smp_wmb()", "smp_rmb()"};
	if (!s || !s->file || a->nfix >= 3)
		return;
	struct ss_attr_fix *fx = &a->fix[a->nfix++];
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->file, sizeof(fx->file), "%s", s->file);
	fx->f.cpu = cpu;
	fx->f.file = fx->file;
	fx->f.line = s->line;
	fx->f.kind = kind;
	snprintf(fx->what, sizeof(fx->what), "%s on CPU %d %s (before %s at %s:%d)", names[kind],
		 cpu, between, emu_site_expr(s), bname(s->file), s->line);
}

int ss_attribute(const struct emu_config *base, const u8 *sched, size_t len, enum ss_fail_kind kind,
		 unsigned long search, struct ss_attribution *a, char *err, size_t errlen)
{
	bool give_up = false; /* a graph search did not finish: no more of them */
	memset(a, 0, sizeof(*a));
	a->best = -1;
	a->cpu = a->writer = -1;
	if (!search)
		search = 2000;
	u8 *weak = NULL;
	size_t wlen = 0;
	enum wmm_model weak_model = WMM_LKMM;
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		struct emu_config c = *base;
		c.model = (enum wmm_model)m;
		c.fences = NULL;
		c.nfences = 0;
		u8 *fs = NULL;
		size_t fl = 0;
		int x = fails_under(&c, sched, len, kind, search, &a->replay_fails[m],
				    &a->proved_clean[m], &a->searched_graphs[m], &a->searched[m],
				    m == WMM_SC ? NULL : &fs, &fl, &give_up, err, errlen);
		if (x < 0)
			return -1;
		a->fails[m] = x;
		if (x && !weak && fs && m != WMM_SC) {
			weak = fs;
			wlen = fl;
			weak_model = (enum wmm_model)m;
		} else {
			free(fs);
		}
	}
	if (a->fails[WMM_SC]) {
		snprintf(
		    a->verdict, sizeof(a->verdict),
		    "fails under sequential consistency: not a memory-ordering bug (no barrier "
		    "can fix it; look at the values in the failure)");
		free(weak);
		return 0;
	}
	if (!weak) {
		snprintf(
		    a->verdict, sizeof(a->verdict),
		    "the failure did not reproduce under sc, tso or lkmm with this schedule or "
		    "%lu random ones per model",
		    search);
		return 0;
	}
	struct emu_config wc = *base;
	wc.model = weak_model;
	wc.fences = NULL;
	wc.nfences = 0;
	const struct ss_site *stale_site = NULL, *newer_site = NULL;
	find_pair(&wc, weak, wlen, a, &stale_site, &newer_site);
	ss_attr_verdict(a, stale_site, newer_site);
	for (int i = 0; i < a->nfix; i++) {
		if (check_fix(&wc, &a->fix[i], weak, wlen, kind, search, &give_up, err, errlen) !=
		    0) {
			free(weak);
			return -1;
		}
		if (a->fix[i].fixes && a->best < 0)
			a->best = i;
	}
	free(weak);
	return 0;
}

void ss_attr_verdict(struct ss_attribution *a, const struct ss_site *stale_site,
		     const struct ss_site *newer_site)
{
	if (a->fails[WMM_TSO]) {
		snprintf(
		    a->verdict, sizeof(a->verdict),
		    "fails under x86-TSO too: needs store->load reordering (a store buffer)%s%s",
		    a->stale[0] ? "; the stale access: " : "", a->stale);
	} else if (a->have_pair && a->prior_is_load) {
		snprintf(
		    a->verdict, sizeof(a->verdict),
		    "needs load->load reordering on CPU %d (not possible on x86-TSO; possible on "
		    "arm64, POWER): the %s read a value older than what the earlier %s saw "
		    "(it missed the %s, made before the %s)",
		    a->cpu, a->stale, a->prior, a->missed, a->newer[0] ? a->newer : "newer store");
	} else if (a->stale[0]) {
		snprintf(a->verdict, sizeof(a->verdict),
			 "needs store->store reordering on CPU %d or a non-multicopy-atomic "
			 "propagation (not possible on x86-TSO): the %s missed the %s",
			 a->writer, a->stale, a->missed);
	} else {
		snprintf(a->verdict, sizeof(a->verdict),
			 "needs a reordering x86-TSO never does (lkmm only); no stale load in the "
			 "trace names it");
	}
	/* candidate fixes, one barrier each */
	if (stale_site && !a->fails[WMM_TSO])
		add_fix(a, SS_FENCE_RMB, a->cpu, stale_site,
			a->have_pair ? "between the two loads" : "before the stale load");
	if (newer_site && a->writer >= 0 && !a->fails[WMM_TSO])
		add_fix(a, SS_FENCE_WMB, a->writer, newer_site, "between the two stores");
	if (stale_site)
		add_fix(a, SS_FENCE_MB, a->cpu, stale_site, "before the stale load");
}

void ss_attribution_print(FILE *f, const struct ss_attribution *a)
{
	static const char *const mn[] = {"sc", "tso", "lkmm"};
	fprintf(f, "attribution:");
	for (int m = 0; m < 3; m++)
		fprintf(f, " %s %s%s", mn[m], a->fails[m] ? "FAILS" : "clean",
			a->fails[m]
			    ? (a->replay_fails[m] ? a->graph ? " (this graph)" : " (this schedule)"
						  : " (search)")
			: a->proved_clean[m] ? " (proof)"
			: a->graph	     ? " (search not finished: not a proof)"
					     : "");
	if (a->graph)
		fprintf(f, "  [graphs: %llu/%llu/%llu]\n", a->searched[0], a->searched[1],
			a->searched[2]);
	else /* a model proved clean counted graphs, a searched one random executions */
		for (int m = 0; m < 3; m++)
			fprintf(f, "%s%s %llu %s%s", m ? ", " : "  [search: ", mn[m],
				a->searched[m],
				a->searched_graphs[m] ? "graphs" : "random executions",
				m == 2 ? "]\n" : "");
	fprintf(f, "  %s\n", a->verdict);
	for (int i = 0; i < a->nfix; i++) {
		const struct ss_attr_fix *x = &a->fix[i];
		if (!x->fixes && !x->execs)
			fprintf(f,
				"  candidate fix: %s: does NOT fix it (the failing schedule still "
				"fails with it)\n",
				x->what);
		else if (a->graph || x->by_graph)
			fprintf(f, "  candidate fix: %s: %s (%s, %llu graphs)\n", x->what,
				x->fixes    ? "makes the failure impossible"
				: x->failed ? "does NOT fix it"
					    : "unknown",
				x->fixes ? "proved: every execution graph of the fixed code"
				: x->failed
				    ? "the fixed code still fails in a graph the model allows"
				    : "no failure, but the search did not finish: not a proof",
				x->execs);
		else
			fprintf(f, "  candidate fix: %s: %s (%s, %llu executions)\n", x->what,
				x->fixes ? "makes the failure impossible" : "does NOT fix it",
				x->exhaustive
				    ? "verified by exhaustive search within bounds: "
				      "preemptions <= 1, weak choices <= 1"
				    : "not verified exhaustively (too big): bounded random "
				      "+ pct search",
				x->execs);
	}
	bool unknown = false;
	for (int i = 0; i < a->nfix; i++)
		unknown |= a->graph && !a->fix[i].fixes && !a->fix[i].failed;
	if (a->best >= 0)
		fprintf(f, "  suggested fix: %s\n", a->fix[a->best].what);
	else if (unknown)
		fprintf(f, "  no single barrier of those tried is proved to remove the failure "
			   "(a search that did not finish proves nothing)\n");
	else if (a->nfix)
		fprintf(f, "  no single barrier of those tried removes the failure\n");
}
