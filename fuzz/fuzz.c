/* fuzz/fuzz.c - libFuzzer over emulator schedules (see fuzz.h): the worker that
 * runs LLVMFuzzerRunDriver in-process, the target description it receives
 * through the environment, and minimization of what it finds. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "fuzz/fuzz_graph.h"
#include "fuzz/minimize.h"
#include "fuzz/repro_emu.h"

#ifndef SS_HAVE_MINIMIZE
/* fuzz/minimize.c is not in this tree yet: use it if something else links it. */
#pragma weak ss_minimize_schedule
#pragma weak ss_schedule_decisions
#endif

#ifdef SS_HAVE_LIBFUZZER
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *data, size_t size));
#endif

bool ss_fuzz_have_libfuzzer(void)
{
#ifdef SS_HAVE_LIBFUZZER
	return true;
#else
	return false;
#endif
}

/* ---- the target description ---- */

int ss_fuzz_target_encode(const struct ss_fuzz_target *t, char *buf, size_t n)
{
	const struct emu_config *c = &t->ec;
	const struct ss_alloc_config *a = &c->acfg;
	int k = snprintf(
	    buf, n,
	    "scenario=%s alloc=%s variant=%d switches=%u stride_bits=%u objext=%d object_size=%zu "
	    "page_size=%zu account=%d ncpus=%d nobjcgs=%d max_objects=%lu model=%d "
	    "iters=%lu max_steps=%lu seed=%llu cov=%d objcg_atomic=%d deps=%d graph=%d stats=%s",
	    c->scn->name, c->alloc->name, (int)a->variant, a->switches, a->stride_bits,
	    (int)a->objext, a->object_size, a->page_size, (int)a->account, a->ncpus, a->nobjcgs,
	    a->max_objects, (int)c->model, c->iters, c->max_steps, c->seed, (int)t->cov,
	    (int)a->objcg_atomic, (int)c->deps, (int)t->graph, t->stats_path);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

int ss_fuzz_target_decode(struct ss_fuzz_target *t, const char *s, char *err, size_t errlen)
{
	char scn[64], alloc[32], stats[512] = "";
	int variant, objext, account, model, cov, objcg_atomic = 0, deps = 0, graph = 0;
	unsigned long long seed;
	memset(t, 0, sizeof(*t));
	struct emu_config *c = &t->ec;
	struct ss_alloc_config *a = &c->acfg;
	int got =
	    sscanf(s,
		   "scenario=%63s alloc=%31s variant=%d switches=%u stride_bits=%u objext=%d "
		   "object_size=%zu "
		   "page_size=%zu account=%d ncpus=%d nobjcgs=%d max_objects=%lu model=%d "
		   "iters=%lu max_steps=%lu seed=%llu cov=%d objcg_atomic=%d deps=%d graph=%d "
		   "stats=%511s",
		   scn, alloc, &variant, &a->switches, &a->stride_bits, &objext, &a->object_size,
		   &a->page_size, &account, &a->ncpus, &a->nobjcgs, &a->max_objects, &model,
		   &c->iters, &c->max_steps, &seed, &cov, &objcg_atomic, &deps, &graph, stats);
	a->objcg_atomic = objcg_atomic != 0;
	if (got < 18) {
		snprintf(err, errlen, "bad %s '%.80s': not written by this slabstress", SS_FUZZ_ENV,
			 s);
		return -1;
	}
	c->scn = ss_scenario_find(scn);
	c->alloc = ss_alloc_find(alloc);
	if (!c->scn || !c->alloc || variant < 0 || variant > SS_VARIANT_CUSTOM || model < 0 ||
	    model > WMM_LKMM || cov < 0 || cov > SS_COV_INTERLEAVING) {
		snprintf(err, errlen, "bad %s '%.80s': unknown name or value", SS_FUZZ_ENV, s);
		return -1;
	}
	a->variant = (enum ss_variant)variant;
	a->objext = (enum ss_objext_placement)objext;
	a->account = account != 0;
	c->model = (enum wmm_model)model;
	c->deps = deps >= 0 && deps <= EMU_DEPS_CHECK ? (enum emu_deps)deps : EMU_DEPS_EXPLICIT;
	c->seed = seed;
	t->cov = (enum ss_cov_mode)cov;
	snprintf(t->stats_path, sizeof(t->stats_path), "%s", stats);
	t->graph = graph != 0;
	return 0;
}

int ss_fuzz_target_from_env(struct ss_fuzz_target *t, char *err, size_t errlen)
{
	const char *s = getenv(SS_FUZZ_ENV);
	if (s && *s)
		return ss_fuzz_target_decode(t, s, err, errlen);
	/* The standalone target: a compiled-in default, overridable one value each. */
	struct ss_repro r;
	memset(&r, 0, sizeof(r));
	const char *scn = getenv("SLABSTRESS_SCENARIO"), *var = getenv("SLABSTRESS_VARIANT");
	const char *model = getenv("SLABSTRESS_MODEL"), *iters = getenv("SLABSTRESS_ITERS");
	const char *fb = getenv("SLABSTRESS_FEEDBACK");
	snprintf(r.scenario, sizeof(r.scenario), "%s", scn && *scn ? scn : "lazy-objexts");
	snprintf(r.alloc, sizeof(r.alloc), "slab");
	snprintf(r.model, sizeof(r.model), "%s", model && *model ? model : "lkmm");
	const struct ss_scenario *sc = ss_scenario_find(r.scenario);
	int v = ss_variant_from_name(var && *var ? var : "rc1");
	if (!sc || v < 0) {
		snprintf(err, errlen, "unknown %s '%s'",
			 sc ? "SLABSTRESS_VARIANT" : "SLABSTRESS_SCENARIO", sc ? var : r.scenario);
		return -1;
	}
	struct ss_alloc_config *a = &r.acfg;
	a->variant = (enum ss_variant)v;
	a->stride_bits = ss_variant_default_stride_bits(v);
	a->objext = SS_OBJEXT_SEPARATE;
	a->object_size = 64;
	a->page_size = 4096;
	a->account = sc->needs_account || sc->handoff != SS_HANDOFF_ALLOCATOR;
	a->ncpus = sc->nroles;
	a->nobjcgs = 2;
	a->max_objects = 4096;
	r.iters = iters && *iters ? strtoul(iters, NULL, 10) : 1;
	r.step_limit = 200000;
	memset(t, 0, sizeof(*t));
	if (ss_emu_config_from_repro(&t->ec, &r, NULL, err, errlen) != 0)
		return -1;
	if (!r.iters)
		t->ec.iters = 1;
	int cov = ss_cov_mode_from_name(fb && *fb ? fb : "interleaving");
	if (cov < 0) {
		snprintf(err, errlen,
			 "unknown SLABSTRESS_FEEDBACK '%s': expected none, sites, "
			 "interleaving",
			 fb);
		return -1;
	}
	t->cov = (enum ss_cov_mode)cov;
	return 0;
}

/* ---- one input ---- */

int ss_fuzz_execute(struct emu *e, enum ss_cov_mode cov, const u8 *data, size_t len,
		    struct emu_result *res)
{
	int rc = emu_execute(e, data, len, res);
	if (rc != 0 || res->internal_error)
		return -1;
	size_t n = 0;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	ss_cov_record(tr, n, cov);
	return 0;
}

/* ---- the worker ---- */

#ifdef SS_HAVE_LIBFUZZER
static struct emu *w_emu;
static struct gexplore_fuzz *w_graph; /* --engine graph */
static enum ss_cov_mode w_cov;
static struct ss_fuzz_shared *w_shared;

static int worker_one(const uint8_t *data, size_t size)
{
	struct emu_result res;
	int k = w_graph ? ss_fuzz_graph_execute(w_graph, w_cov, data, size, &res)
			: ss_fuzz_execute(w_emu, w_cov, data, size, &res);
	if (k < 0) {
		/* A schedule that breaks the emulator is a bug of ours: keep it. */
		fprintf(stderr, "slabstress: internal error on this input: %s\n", res.internal_msg);
		abort();
	}
	if (w_shared) {
		__atomic_fetch_add(&w_shared->execs, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&w_shared->steps, res.steps, __ATOMIC_RELAXED);
		if (k > 0)
			__atomic_fetch_add(&w_shared->consistent, 1, __ATOMIC_RELAXED);
	}
	if (res.kind != SS_FAIL_NONE) {
		const struct ss_site *s = res.fail.site;
		if (w_shared)
			__atomic_fetch_add(&w_shared->failures, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "slabstress: failing %s: %s on CPU %d at %s:%d\n",
			w_graph ? "graph" : "schedule", ss_fail_kind_name(res.kind), res.fail.cpu,
			s ? s->file : "?", s ? s->line : 0);
		/* libFuzzer's crash path writes the input to -artifact_prefix. */
		abort();
	}
	return 0;
}

/* argv[0] for libFuzzer: its fork mode runs it through the shell as
 * "<argv[0]> <flags>", so it names the worker entry, quoted. */
static char *self_command(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	size_t cap = 4 * (size_t)n + 64;
	char *s = malloc(cap), *p = s;
	if (!s)
		return NULL;
	*p++ = '\'';
	for (ssize_t i = 0; i < n; i++) {
		if (exe[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = exe[i];
		}
	}
	snprintf(p, cap - (size_t)(p - s), "' fuzz %s", SS_FUZZ_WORKER_ARG);
	return s;
}
#endif /* SS_HAVE_LIBFUZZER */

int ss_fuzz_worker_main(int argc, char **argv)
{
#ifdef SS_HAVE_LIBFUZZER
	char err[256];
	struct ss_fuzz_target t;
	const char *env = getenv(SS_FUZZ_ENV);
	if (!env || ss_fuzz_target_decode(&t, env, err, sizeof(err)) != 0) {
		fprintf(stderr, "slabstress: %s\n",
			env ? err : "fuzz " SS_FUZZ_WORKER_ARG " is internal to `slabstress fuzz`");
		return 2;
	}
	if (t.graph)
		w_graph = gexplore_fuzz_create(&t.ec, err, sizeof(err));
	w_emu = t.graph ? (w_graph ? gexplore_fuzz_emu(w_graph) : NULL)
			: emu_create(&t.ec, err, sizeof(err));
	if (!w_emu) {
		fprintf(stderr, "slabstress: internal error: %s\n", err);
		return 3;
	}
	emu_set_trace(w_emu, t.cov != SS_COV_NONE);
	w_cov = t.cov;
	if (t.stats_path[0]) {
		int fd = open(t.stats_path, O_RDWR);
		if (fd >= 0) {
			void *m = mmap(NULL, sizeof(struct ss_fuzz_shared), PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);
			if (m != MAP_FAILED)
				w_shared = m;
			close(fd);
		}
	}
	char *self = self_command();
	int n = argc - 1; /* drop "fuzz"; "--ss-worker" becomes argv[0] */
	char **av = calloc((size_t)n + 1, sizeof(*av));
	if (!self || !av) {
		fprintf(stderr, "slabstress: internal error: out of memory\n");
		return 3;
	}
	av[0] = self;
	for (int i = 2; i < argc; i++)
		av[i - 1] = argv[i];
	int rc = LLVMFuzzerRunDriver(&n, &av, worker_one);
	if (w_graph)
		gexplore_fuzz_destroy(w_graph);
	else
		emu_destroy(w_emu);
	return rc;
#else
	(void)argc;
	(void)argv;
	fprintf(stderr, "slabstress: fuzz: built without libFuzzer: rebuild with clang\n");
	return 2;
#endif
}

/* ---- minimization ---- */

static int run_plain(struct emu *e, const u8 *s, size_t n, struct emu_result *res)
{
	int rc = emu_execute(e, s, n, res);
	return rc != 0 || res->internal_error ? -1 : 0;
}

static int same_failure(const struct emu_result *res, enum ss_fail_kind kind, const char *file,
			int line)
{
	if (res->kind != kind)
		return 0;
	if (!file)
		return 1;
	const struct ss_site *s = res->fail.site;
	return s && s->file && !strcmp(s->file, file) && s->line == line;
}

int ss_fuzz_fails_same(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		       const char *file, int line)
{
	struct emu_result res;
	if (run_plain(e, sched, len, &res) != 0)
		return -1;
	return same_failure(&res, kind, file, line);
}

/* Keeps only the consumed bytes: front[0..fu) + back[len-bu..len). */
static size_t compact(u8 *s, size_t len, const struct emu_result *res)
{
	size_t fu = res->front_used, bu = res->back_used;
	if (fu + bu >= len)
		return len;
	memmove(s + fu, s + len - bu, bu);
	return fu + bu;
}

int ss_fuzz_minimize_fallback(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
			      const char *file, int line, unsigned long max_execs, u8 **out,
			      size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (!max_execs)
		max_execs = 20000;
	u8 *cur = malloc(len + 1), *cand = malloc(len + 1);
	if (!cur || !cand) {
		free(cur);
		free(cand);
		return -1;
	}
	if (len)
		memcpy(cur, sched, len);
	size_t n = len;
	unsigned long execs = 0;
	struct emu_result res;
	emu_set_trace(e, false);
	if (run_plain(e, cur, n, &res) != 0 || !same_failure(&res, kind, file, line))
		goto fail;
	execs++;
	n = compact(cur, n, &res);
	for (int pass = 0; pass < 3 && execs < max_execs; pass++) {
		bool changed = false;
		/* Drop scheduling bytes, last first (fewer preemptions). */
		for (size_t i = res.front_used; i-- > 0 && execs < max_execs;) {
			memcpy(cand, cur, i);
			memcpy(cand + i, cur + i + 1, n - i - 1);
			struct emu_result r2;
			execs++;
			if (run_plain(e, cand, n - 1, &r2) == 0 &&
			    same_failure(&r2, kind, file, line)) {
				memcpy(cur, cand, n - 1);
				n = compact(cur, n - 1, &r2);
				res = r2;
				changed = true;
			}
		}
		/* Default single decisions. */
		for (size_t i = 0; i < n && execs < max_execs; i++) {
			if (!cur[i])
				continue;
			u8 keep = cur[i];
			cur[i] = 0;
			struct emu_result r2;
			execs++;
			if (run_plain(e, cur, n, &r2) == 0 && same_failure(&r2, kind, file, line)) {
				res = r2;
				changed = true;
			} else {
				cur[i] = keep;
			}
		}
		/* Trailing zero back bytes = defaults: drop what the run no longer reads. */
		struct emu_result r3;
		execs++;
		if (run_plain(e, cur, n, &r3) == 0 && same_failure(&r3, kind, file, line)) {
			n = compact(cur, n, &r3);
			res = r3;
		}
		if (!changed)
			break;
	}
	free(cand);
	*out = cur;
	*out_len = n;
	return 0;
fail:
	free(cur);
	free(cand);
	return -1;
}

int ss_fuzz_minimize(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		     const char *file, int line, unsigned long max_execs, u8 **out, size_t *out_len)
{
#ifdef SS_HAVE_MINIMIZE
	return ss_minimize_schedule(e, sched, len, kind, file, line, max_execs, out, out_len);
#else
	if (ss_minimize_schedule)
		return ss_minimize_schedule(e, sched, len, kind, file, line, max_execs, out,
					    out_len);
	return ss_fuzz_minimize_fallback(e, sched, len, kind, file, line, max_execs, out, out_len);
#endif
}

size_t ss_fuzz_decisions(const u8 *sched, size_t len)
{
#ifdef SS_HAVE_MINIMIZE
	return ss_schedule_decisions(sched, len);
#else
	if (ss_schedule_decisions)
		return ss_schedule_decisions(sched, len);
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		k += sched[i] != 0;
	return k;
#endif
}
