/* tests/unit/test_graph_build.c - traced emulator executions as execution
 * graphs (engine/graph_build.c) checked by the exact LKMM checker: every
 * execution the operational lkmm model (LKVM, stronger than LKMM) produces on
 * the seed scenarios is LKMM-consistent, LKMM flags rc1's stride race and no
 * other variant's, the graph has what the trace has, and a graph made
 * inconsistent by hand is refused.  Schedules are drawn as `explore`'s random
 * strategy draws them (uniform front bytes, weak choices with probability 0.3). */
#include <stdlib.h>
#include <time.h>

#include "alloc/alloc.h"
#include "engine/emu.h"
#include "engine/graph_build.h"
#include "scenarios/scenario.h"
#include "tests/unit/test.h"

static struct exg G;

static struct emu *mk(const char *scn, enum ss_variant v)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = ss_scenario_find(scn);
	if (!c.scn)
		return NULL;
	c.alloc = &ss_alloc_slab;
	c.acfg.variant = v;
	c.acfg.stride_bits = ss_variant_default_stride_bits(v);
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = c.scn->needs_account || c.scn->handoff != SS_HANDOFF_ALLOCATOR;
	c.acfg.ncpus = c.scn->nroles;
	c.acfg.nobjcgs = 2;
	c.acfg.max_objects = 4096;
	c.model = WMM_LKMM;
	c.iters = 1;
	c.seed = 1; /* SS_EMU_WORLD_SEED, as explore runs */
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("  emu_create: %s\n", err);
	else
		emu_set_trace(e, true);
	return e;
}

/* Random schedules as `explore` draws them: uniform front bytes, a weak model
 * choice with probability 0.3. */
static unsigned long long rng_state;
static unsigned long long rnd(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static unsigned front(void *ctx)
{
	(void)ctx;
	return (unsigned)(rnd() & 0xff);
}
static unsigned back(void *ctx, enum wmm_choice_kind kind, unsigned n)
{
	(void)ctx;
	(void)kind;
	unsigned long long r = rnd();
	if (n < 2 || r % 10 >= 3)
		return 0;
	return 1 + (unsigned)((r >> 32) % (n - 1));
}

struct tally {
	int runs, consistent, inconsistent, unbuilt, failed_runs, max_events, stale;
	int omitted_locks, co_cycles, rf_outside, omitted_writes;
	int with_fre; /* graphs where a read missed a newer write of another CPU */
	int races;    /* consistent graphs with LKMM's data-race flag */
	double build_check_us, exec_us;
};

static double us_between(const struct timespec *a, const struct timespec *b)
{
	return 1e6 * (double)(b->tv_sec - a->tv_sec) + 1e-3 * (double)(b->tv_nsec - a->tv_nsec);
}

/* n random executions of e, each built and checked. */
static void check_runs(struct emu *e, int n, struct tally *t)
{
	struct emu_gen gen = {.front = front, .back = back, .ctx = NULL};
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < n; i++) {
		struct emu_result r;
		struct timespec a, b;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		if (emu_execute_gen(e, &gen, &r) < 0)
			continue;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		t->exec_us += us_between(&a, &b);
		t->runs++;
		t->failed_runs += r.kind != SS_FAIL_NONE;
		t->stale += r.stale_reads > 0;
		struct lkmm_verdict v;
		struct graph_build_stats st;
		char err[200];
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		int c = graph_check_lkmm(e, &G, &v, &st, err, sizeof(err));
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		t->build_check_us += us_between(&a, &b);
		if (c < 0) {
			if (t->unbuilt++ == 0)
				printf("  not built: %s\n", err);
			continue;
		}
		t->max_events = st.events > t->max_events ? st.events : t->max_events;
		t->omitted_locks += st.omitted_locks;
		t->omitted_writes += st.omitted_private_writes;
		t->co_cycles += st.co_cycles;
		t->rf_outside += st.rf_outside;
		static struct rel fr;
		rel_inv(G.n, &G.rf, &fr);
		rel_seq(G.n, &fr, &G.co, &fr);
		rel_inter(G.n, &fr, &G.ext, &fr);
		t->with_fre += !rel_empty(G.n, &fr);
		if (c) {
			t->races += v.data_race;
			t->consistent++;
		} else if (t->inconsistent++ < 3) {
			printf("  run %d inconsistent under LKMM:", i);
			for (int k = 0; k < LKMM_NAXIOMS; k++)
				if (v.fails[k])
					printf(" %s", lkmm_axiom_name((enum lkmm_axiom)k));
			printf(" (%d events, co cycles %d)\n", st.events, st.co_cycles);
		}
	}
}

static void report(const char *what, const struct tally *t)
{
	printf("  %s: %d runs (%d failing, %d with stale reads), %d consistent, %d "
	       "inconsistent, %d not built, %d with fre, %d racy; up to %d events; %.1f us per "
	       "build+check (the traced execution: %.1f us; thread CPU time); "
	       "left out: %d lock ops, %d private writes; co cycles %d, rf outside %d\n",
	       what, t->runs, t->failed_runs, t->stale, t->consistent, t->inconsistent, t->unbuilt,
	       t->with_fre, t->races, t->max_events, t->runs ? t->build_check_us / t->runs : 0.0,
	       t->runs ? t->exec_us / t->runs : 0.0, t->omitted_locks, t->omitted_writes,
	       t->co_cycles, t->rf_outside);
}

TEST(test_every_lkvm_execution_of_lazy_objexts_is_lkmm_consistent)
{
	static const char *const names[] = {"rc1", "early-stride", "wmb-rmb", "fixed"};
	for (int k = 0; k < SS_NVARIANTS; k++) {
		struct emu *e = mk("lazy-objexts", (enum ss_variant)k);
		EXPECT(e != NULL);
		if (!e)
			return;
		struct tally t;
		char what[64];
		rng_state = 1;
		check_runs(e, 300, &t);
		snprintf(what, sizeof(what), "lazy-objexts %s", names[k]);
		report(what, &t);
		EXPECT(t.runs == 300);
		EXPECT(t.stale > 0);	/* weak executions among them */
		EXPECT(t.with_fre > 0); /* and their graphs show it */
		EXPECT_EQ(t.unbuilt, 0);
		EXPECT_EQ(t.inconsistent, 0);
		/* LKMM's data-race flag: rc1's plain stride load races with the
		 * lazy store; the variants that set the stride early do not */
		if (k == SS_VARIANT_RC1)
			EXPECT(t.races > 0);
		else
			EXPECT_EQ(t.races, 0);
		emu_destroy(e);
	}
}

TEST(test_every_lkvm_execution_of_once_is_lkmm_consistent)
{
	struct emu *e = mk("once", SS_VARIANT_RC1);
	EXPECT(e != NULL);
	if (!e)
		return;
	struct tally t;
	rng_state = 2;
	check_runs(e, 300, &t);
	report("once rc1", &t);
	EXPECT(t.runs == 300);
	EXPECT(t.max_events > 64); /* rows of several words */
	EXPECT_EQ(t.unbuilt, 0);
	EXPECT_EQ(t.inconsistent, 0);
	emu_destroy(e);
}

/* The graph of one execution holds what its trace holds, and breaking it by
 * hand is refused. */
TEST(test_graph_matches_trace_and_a_broken_one_is_refused)
{
	struct emu *e = mk("once", SS_VARIANT_RC1);
	EXPECT(e != NULL);
	if (!e)
		return;
	struct emu_result r;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	size_t ntr;
	const struct emu_trace_ent *tr = emu_trace(e, &ntr);
	int loads = 0, writes = 0;
	for (size_t i = 0; i < ntr; i++) {
		loads += tr[i].op == EMU_OP_LOAD || tr[i].op == EMU_OP_RMW;
		writes += tr[i].op == EMU_OP_STORE ||
			  (tr[i].op == EMU_OP_RMW && !(tr[i].flags & EMU_TR_FAILED));
	}
	struct graph_build_stats st;
	struct lkmm_verdict v;
	char err[200];
	EXPECT_EQ(graph_check_lkmm(e, &G, &v, &st, err, sizeof(err)), 1);
	EXPECT_EQ(st.reads, loads);
	EXPECT_EQ(st.writes + st.omitted_private_writes, writes);
	EXPECT_EQ(st.events, st.locations + st.reads + st.writes + st.fences);
	/* a read that reads the po-later write of its own CPU to the same word (a
	 * read from its own future: po-loc ; rf is a cycle) */
	int found = 0;
	for (int r = 0; r < G.n && !found; r++)
		for (int w = r + 1; w < G.n && !found; w++) {
			if (G.ev[r].kind != EV_R || G.ev[w].kind != EV_W || G.ev[r].thr < 0 ||
			    G.ev[r].thr != G.ev[w].thr || G.ev[r].loc != G.ev[w].loc ||
			    rel_has(&G.rmw, r, w))
				continue;
			for (int k = 0; k < G.n; k++)
				rel_del(&G.rf, k, r);
			rel_add(&G.rf, w, r);
			found = 1;
		}
	EXPECT(found);
	exg_finish(&G);
	EXPECT(!lkmm_check(&G, true, &v, NULL));
	EXPECT(v.fails[LKMM_COHERENCE]);
	emu_destroy(e);
}

int main(void)
{
	RUN(test_every_lkvm_execution_of_lazy_objexts_is_lkmm_consistent);
	RUN(test_every_lkvm_execution_of_once_is_lkmm_consistent);
	RUN(test_graph_matches_trace_and_a_broken_one_is_refused);
	TEST_SUMMARY();
}
