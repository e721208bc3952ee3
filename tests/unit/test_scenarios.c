/* tests/unit/test_scenarios.c - the scenario table, the content check, the
 * tracked backends (jemalloc, libc) and every scenario run natively on real
 * threads against every allocator that can be created here.
 *
 * The runner is a tiny stand-in for engine/native.c: one pthread per role with
 * ss_cpu_id set to the role, reset / roles / check per round, quiesce at the
 * end.  Correct handoffs must report nothing on any allocator; broken ones are
 * allowed stale content (they pass on x86, may fail on arm64) but nothing else.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "alloc/alloc.h"
#include "engine/world.h"
#include "kernel/bug.h"
#include "scenarios/scenario.h"
#include "tests/unit/test.h"

/* ---- failure counting ---------------------------------------------------------- */

static unsigned long fail_count[SS_FAIL_NKINDS];
static unsigned long fail_printed;

static void count_fail(const struct ss_failure *f, void *arg)
{
	(void)arg;
	__atomic_fetch_add(&fail_count[f->kind], 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&fail_printed, 1, __ATOMIC_RELAXED) < 5)
		printf("  (failure %s on cpu %d: %s)\n", ss_fail_kind_name(f->kind), f->cpu,
		       f->msg);
}

static void fails_clear(void)
{
	memset(fail_count, 0, sizeof(fail_count));
	fail_printed = 0;
}

static unsigned long fails_total(void)
{
	unsigned long n = 0;
	for (int k = 0; k < SS_FAIL_NKINDS; k++)
		n += __atomic_load_n(&fail_count[k], __ATOMIC_RELAXED);
	return n;
}

/* ---- a tiny native runner ------------------------------------------------------ */

struct role_arg {
	struct ss_world *w;
	int role;
};

static void *role_thread(void *p)
{
	struct role_arg *a = p;

	ss_cpu_id = a->role;
	a->w->scn->role[a->role](a->w, a->role);
	return NULL;
}

/* One round: reset, all roles concurrently, check.  stop_after_ms > 0 sets the
 * stop flag that long after the roles start. */
static void run_round(struct ss_world *w, unsigned long round, long stop_after_ms)
{
	const struct ss_scenario *scn = w->scn;
	pthread_t th[SS_MAX_ROLES];
	struct role_arg arg[SS_MAX_ROLES];

	w->round = round;
	if (scn->reset)
		scn->reset(w);
	for (int r = 0; r < scn->nroles; r++) {
		arg[r] = (struct role_arg){w, r};
		pthread_create(&th[r], NULL, role_thread, &arg[r]);
	}
	if (stop_after_ms > 0) {
		struct timespec ts = {stop_after_ms / 1000, (stop_after_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		__atomic_store_n(w->stop, 1, __ATOMIC_RELAXED);
	}
	for (int r = 0; r < scn->nroles; r++)
		pthread_join(th[r], NULL);
	if (scn->check)
		scn->check(w);
}

struct totals {
	unsigned long long allocs, frees, handoffs;
	int quiesce_fails;
};

static struct ss_alloc_config test_config(const struct ss_scenario *scn, size_t object_size)
{
	return (struct ss_alloc_config){
	    .variant = SS_VARIANT_FIXED,
	    .stride_bits = 32,
	    .objext = SS_OBJEXT_SEPARATE,
	    .object_size = object_size,
	    .page_size = 4096,
	    .account = scn->needs_account,
	    .ncpus = scn->nroles,
	    .nobjcgs = 2,
	    .max_objects = 4096,
	};
}

/* Runs rounds x iters of scn on allocator a.  Returns false (and says why) when
 * the world cannot be created here, e.g. a backend not built in. */
static bool run_scenario(const struct ss_scenario *scn, const struct ss_alloc_ops *a,
			 size_t object_size, unsigned long iters, unsigned long rounds,
			 long stop_after_ms, struct totals *t)
{
	struct ss_alloc_config acfg = test_config(scn, object_size);
	volatile int stop = 0;
	char err[256] = "";
	struct ss_world *w = ss_world_create(scn, a, &acfg, iters, 42, err, sizeof(err));

	memset(t, 0, sizeof(*t));
	if (!w) {
		printf("  (skipped %s on %s: %s)\n", scn->name, a->name, err);
		return false;
	}
	w->stop = &stop;
	w->jitter = 8;
	for (unsigned long r = 0; r < rounds; r++) {
		run_round(w, r, stop_after_ms);
		for (int i = 0; i < SS_MAX_ROLES; i++) {
			t->allocs += w->ctr[i].allocs;
			t->frees += w->ctr[i].frees;
			t->handoffs += w->ctr[i].handoffs;
		}
		memset(w->ctr, 0, sizeof(w->ctr));
	}
	t->quiesce_fails = a->quiesce(w->alloc_world);
	ss_world_destroy(w);
	return true;
}

/* ---- the registry ------------------------------------------------------------- */

/* scenarios/list.h expanded once more, here: the descriptor symbols in list
 * order, and each symbol's name as the scenario is called (ss_scn_same_cpu is
 * "same-cpu"). */
#define SS_SCENARIO(sym) extern const struct ss_scenario ss_scn_##sym;
#include "scenarios/list.h"
#undef SS_SCENARIO

static const struct {
	const struct ss_scenario *scn;
	const char *sym;
} listed[] = {
#define SS_SCENARIO(sym) {&ss_scn_##sym, #sym},
#include "scenarios/list.h"
#undef SS_SCENARIO
};
#define NLISTED (sizeof(listed) / sizeof(listed[0]))

TEST(test_registry_is_the_list_in_order)
{
	size_t n = 0;

	while (ss_scenarios[n])
		n++;
	EXPECT_EQ(n, NLISTED);
	EXPECT(n >= 2);
	for (size_t i = 0; i < NLISTED && i < n; i++) {
		const struct ss_scenario *s = listed[i].scn;
		char want[64];
		size_t k = 0;

		EXPECT(ss_scenarios[i] == s);
		/* the symbol names the scenario: ss_scn_<name with '-' as '_'> */
		for (; listed[i].sym[k] && k < sizeof(want) - 1; k++)
			want[k] = listed[i].sym[k] == '_' ? '-' : listed[i].sym[k];
		want[k] = 0;
		EXPECT(s->name && !strcmp(s->name, want));
		if (!s->name || strcmp(s->name, want))
			printf("  ss_scn_%s is called '%s'\n", listed[i].sym,
			       s->name ? s->name : "");
		EXPECT(ss_scenario_find(s->name) == s);
		for (size_t j = 0; j < i; j++)
			EXPECT(strcmp(listed[j].scn->name, s->name) != 0);
	}
	EXPECT(ss_scenario_find("no-such-scenario") == NULL);
	EXPECT(ss_scenario_find("") == NULL);
	EXPECT(ss_scenario_find(NULL) == NULL);
}

static bool params_are_complete(const struct ss_scenario *s)
{
	bool ok = ss_scenario_param(s, "iters") != NULL; /* every scenario counts rounds */

	for (int i = 0; i < SS_MAX_PARAMS && s->params[i].name; i++) {
		const struct ss_param *p = &s->params[i];
		ok &= p->help && strlen(p->help) > 10;
		ok &= p->min <= p->def && p->def <= p->max;
		ok &= !p->def_emu || (p->min <= p->def_emu && p->def_emu <= p->max);
		ok &= ss_scenario_param(s, p->name) == p; /* declared once */
	}
	/* run and bench reject --batch for a scenario without .batches */
	ok &= s->batches == (ss_scenario_param(s, "batch") != NULL);
	ok &= ss_scenario_param(s, "no-such-param") == NULL;
	return ok;
}

TEST(test_every_descriptor_is_complete)
{
	for (size_t i = 0; ss_scenarios[i]; i++) {
		const struct ss_scenario *s = ss_scenarios[i];
		bool ok = s->nroles >= 1 && s->nroles <= SS_MAX_ROLES;

		ok &= s->summary && *s->summary && s->details && strlen(s->details) > 40;
		for (int r = 0; ok && r < s->nroles; r++)
			ok &= s->role[r] && s->role_names[r] && *s->role_names[r];
		for (int r = s->nroles; ok && r < SS_MAX_ROLES; r++)
			ok &= !s->role[r];
		ok &= s->checks != 0;
		/* a class, and the allocator's own scenarios alone may need the slab */
		ok &= s->handoff == SS_HANDOFF_CORRECT || s->handoff == SS_HANDOFF_BROKEN ||
		      s->handoff == SS_HANDOFF_ALLOCATOR;
		ok &= !s->slab_only || s->handoff == SS_HANDOFF_ALLOCATOR;
		/* the summary ends with the class it claims */
		ok &= s->handoff == SS_HANDOFF_ALLOCATOR ||
		      strstr(s->summary, s->handoff == SS_HANDOFF_CORRECT ? "correct" : "broken");
		ok &= params_are_complete(s);
		EXPECT(ok);
		if (!ok)
			printf("  scenario %s: incomplete descriptor\n", s->name);
	}
}

/* A correct handoff, a broken one and the allocator's own are all represented:
 * the native, emulator and matrix tests mean something only then. */
TEST(test_every_class_is_represented)
{
	int n[3] = {0, 0, 0};

	for (size_t i = 0; ss_scenarios[i]; i++)
		n[ss_scenarios[i]->handoff]++;
	EXPECT(n[SS_HANDOFF_CORRECT] > 0);
	EXPECT(n[SS_HANDOFF_BROKEN] > 0);
	EXPECT(n[SS_HANDOFF_ALLOCATOR] > 0);
}

/* ---- content check ------------------------------------------------------------ */

TEST(test_verify_reports_tampered_content_as_stale)
{
	const struct ss_scenario *scn = ss_scenario_find("same-cpu");
	struct ss_alloc_config acfg = test_config(scn, 64);
	char err[256];
	struct ss_world *w =
	    ss_world_create(scn, &ss_alloc_jemalloc, &acfg, 1, 1, err, sizeof(err));

	EXPECT(w != NULL);
	if (!w)
		return;
	fails_clear();
	u64 *obj = ss_obj_alloc(w, 0, SS_GFP_ACCOUNT);
	ss_obj_fill(w, obj, 0x1234);
	EXPECT(obj[0] == 0x1234);
	EXPECT(ss_obj_verify(w, obj, 0x1234));
	EXPECT_EQ(fails_total(), 0);

	EXPECT(!ss_obj_verify(w, obj, 0x1235)); /* another handoff's tag */
	EXPECT_EQ(fail_count[SS_FAIL_STALE_CONTENT], 1);

	ss_obj_fill(w, obj, 0x1234);
	obj[3] ^= 1; /* one stale word past the tag */
	EXPECT(!ss_obj_verify(w, obj, 0x1234));
	EXPECT_EQ(fail_count[SS_FAIL_STALE_CONTENT], 2);

	ss_obj_fill(w, obj, 0x1234);
	obj[1] = 0; /* zeroed memory */
	EXPECT(!ss_obj_verify(w, obj, 0x1234));
	EXPECT_EQ(fail_count[SS_FAIL_STALE_CONTENT], 3);
	EXPECT_EQ(fails_total(), 3);

	ss_obj_free(w, 0, obj);
	EXPECT_EQ(w->alloc->quiesce(w->alloc_world), 0);
	ss_world_destroy(w);
}

/* ---- tracked backends --------------------------------------------------------- */

static void check_double_free_and_leak(const struct ss_alloc_ops *a)
{
	const struct ss_scenario *scn = ss_scenario_find("same-cpu");
	struct ss_alloc_config acfg = test_config(scn, 64);
	char err[256];
	struct ss_world *w = ss_world_create(scn, a, &acfg, 1, 1, err, sizeof(err));

	EXPECT(w != NULL);
	if (!w) {
		printf("  %s: %s\n", a->name, err);
		return;
	}
	fails_clear();
	void *p = a->alloc(w->alloc_world, 0);
	void *q = a->alloc(w->alloc_world, 0);
	EXPECT(p && q && p != q);
	a->free(w->alloc_world, p);
	EXPECT_EQ(fails_total(), 0);
	a->free(w->alloc_world, p); /* double free: reported, not passed on */
	EXPECT_EQ(fail_count[SS_FAIL_DOUBLE_FREE], 1);
	int local;
	a->free(w->alloc_world, &local); /* never allocated */
	EXPECT_EQ(fail_count[SS_FAIL_DOUBLE_FREE], 2);

	/* q is still live: a leak at quiescence. */
	EXPECT_EQ(a->quiesce(w->alloc_world), 1);
	EXPECT_EQ(fail_count[SS_FAIL_INVARIANT], 1);
	/* reset frees what is live and empties the set */
	a->world_reset(w->alloc_world);
	EXPECT_EQ(a->quiesce(w->alloc_world), 0);
	a->free(w->alloc_world, q); /* freed by reset: now a double free */
	EXPECT_EQ(fail_count[SS_FAIL_DOUBLE_FREE], 3);

	/* many objects at once, then all freed: nothing live, nothing reported */
	enum { N = 3000 };
	void **v = calloc(N, sizeof(*v));
	for (int i = 0; i < N; i++)
		v[i] = a->alloc(w->alloc_world, 0);
	for (int i = N - 1; i >= 0; i--)
		a->free(w->alloc_world, v[i]);
	free(v);
	EXPECT_EQ(a->quiesce(w->alloc_world), 0);
	EXPECT_EQ(fails_total(), 4);
	ss_world_destroy(w);
}

TEST(test_jemalloc_reports_double_free_and_leak)
{
	check_double_free_and_leak(&ss_alloc_jemalloc);
}

TEST(test_libc_reports_double_free_and_leak)
{
	check_double_free_and_leak(&ss_alloc_libc);
}

/* ---- every scenario, natively ------------------------------------------------- */

static void run_all(const struct ss_alloc_ops *a, size_t object_size, unsigned long iters,
		    unsigned long rounds)
{
	for (size_t i = 0; ss_scenarios[i]; i++) {
		const struct ss_scenario *scn = ss_scenarios[i];
		struct totals t;

		if (scn->slab_only && strcmp(a->name, "slab"))
			continue;
		fails_clear();
		if (!run_scenario(scn, a, object_size, iters, rounds, 0, &t))
			continue;
		unsigned long total = fails_total();
		unsigned long stale = fail_count[SS_FAIL_STALE_CONTENT];
		if (scn->handoff == SS_HANDOFF_BROKEN) {
			/* May show stale content on weak hardware; nothing else. */
			EXPECT_EQ(total, stale);
			if (stale)
				printf("  %s on %s: %lu stale reads (weak hardware?)\n", scn->name,
				       a->name, stale);
		} else {
			EXPECT_EQ(total, 0);
		}
		if (total != (scn->handoff == SS_HANDOFF_BROKEN ? stale : 0))
			printf("  %s on %s (object size %zu): %lu failures\n", scn->name, a->name,
			       object_size, total);
		EXPECT_EQ(t.quiesce_fails, 0);
		EXPECT_EQ(t.allocs, t.frees);
		if (scn->handoff != SS_HANDOFF_ALLOCATOR)
			EXPECT_EQ(t.handoffs, iters * rounds);
		if (t.allocs != t.frees ||
		    (scn->handoff != SS_HANDOFF_ALLOCATOR && t.handoffs != iters * rounds))
			printf("  %s on %s: allocs %llu frees %llu handoffs %llu\n", scn->name,
			       a->name, t.allocs, t.frees, t.handoffs);
	}
}

TEST(test_every_scenario_runs_clean_on_jemalloc)
{
	run_all(&ss_alloc_jemalloc, 64, 2000, 3);
}

TEST(test_every_scenario_runs_clean_on_libc)
{
	run_all(&ss_alloc_libc, 64, 2000, 3);
}

TEST(test_every_scenario_runs_clean_on_slab)
{
	const struct ss_alloc_ops *slab = ss_alloc_find("slab");

	EXPECT(slab != NULL);
	if (slab)
		run_all(slab, 64, 2000, 3);
}

/* Objects too small to hold the fill pattern and a header (llist node,
 * refcount, tty next) keep the header in the scenario state instead. */
TEST(test_small_objects_run_clean)
{
	run_all(&ss_alloc_jemalloc, 16, 1000, 2);
	run_all(&ss_alloc_jemalloc, 8, 1000, 2);
	run_all(&ss_alloc_libc, 40, 1000, 2);
	run_all(&ss_alloc_jemalloc, 4096, 500, 2);
}

/* A stopped run: roles give up mid-round, check frees what is left in the
 * slots, and nothing leaks. */
TEST(test_stopped_rounds_leave_nothing_behind)
{
	for (size_t i = 0; ss_scenarios[i]; i++) {
		const struct ss_scenario *scn = ss_scenarios[i];
		struct totals t;

		if (scn->slab_only)
			continue;
		fails_clear();
		if (!run_scenario(scn, &ss_alloc_jemalloc, 64, 1UL << 40, 1, 20, &t))
			continue;
		EXPECT_EQ(t.quiesce_fails, 0);
		EXPECT_EQ(t.allocs, t.frees);
		if (scn->handoff == SS_HANDOFF_CORRECT)
			EXPECT_EQ(fails_total(), 0);
		if (t.allocs != t.frees || t.quiesce_fails)
			printf("  %s: allocs %llu frees %llu quiesce %d\n", scn->name, t.allocs,
			       t.frees, t.quiesce_fails);
	}
}

int main(void)
{
	ss_set_fail_hook(count_fail, NULL);
	RUN(test_registry_is_the_list_in_order);
	RUN(test_every_descriptor_is_complete);
	RUN(test_every_class_is_represented);
	RUN(test_verify_reports_tampered_content_as_stale);
	RUN(test_jemalloc_reports_double_free_and_leak);
	RUN(test_libc_reports_double_free_and_leak);
	RUN(test_every_scenario_runs_clean_on_jemalloc);
	RUN(test_every_scenario_runs_clean_on_libc);
	RUN(test_every_scenario_runs_clean_on_slab);
	RUN(test_small_objects_run_clean);
	RUN(test_stopped_rounds_leave_nothing_behind);
	TEST_SUMMARY();
}
