/* tests/unit/test_lkmm.c - linux-kernel.cat on hand-built execution graphs
 * (model/lkmm.c): each axiom has a graph that it alone forbids, the
 * relations that feed it are checked on their own, and the cat engine's
 * enumeration gives herd7's verdicts and execution counts on classic shapes. */
#include <stdlib.h>
#include <unistd.h>

#include "litmus/graph.h"
#include "model/lkmm.h"
#include "tests/unit/exg_hand.h"
#include "tests/unit/test.h"

enum { X, Y };
#define M_ONCE EVF_ONCE

/* Checks G with every axiom evaluated; returns the only failing axiom, -1 for
 * none, -2 for more than one. */
static int only_failure(struct lkmm_verdict *v)
{
	exg_finish(&G);
	lkmm_check(&G, true, v, NULL);
	int which = -1;
	for (int a = 0; a < LKMM_NAXIOMS; a++)
		if (v->fails[a])
			which = which == -1 ? a : -2;
	return which;
}

TEST(test_rel_closure_and_acyclicity)
{
	struct rel a, p;
	rel_zero(4, &a);
	rel_add(&a, 0, 1);
	rel_add(&a, 1, 2);
	rel_plus(4, &a, &p);
	EXPECT(rel_has(&p, 0, 2));
	EXPECT(!rel_has(&p, 2, 0));
	EXPECT(rel_acyclic(4, &a));
	rel_add(&a, 2, 0);
	EXPECT(!rel_acyclic(4, &a));
	rel_seq(4, &a, &a, &p);
	EXPECT(rel_has(&p, 0, 2) && rel_has(&p, 1, 0) && !rel_has(&p, 0, 1));
	rel_inv(4, &a, &p);
	EXPECT(rel_has(&p, 1, 0) && rel_has(&p, 0, 2));
}

/* CoRR: a read sees the new value, a po-later read of the same location the old one. */
TEST(test_coherence_alone_forbids_corr)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int i = iw(X), w = wr(0, X, 1, M_ONCE), r1 = rd(1, X, 1, M_ONCE), r2 = rd(1, X, 0, M_ONCE);
	co(i, w);
	rf(w, r1);
	rf(i, r2);
	EXPECT_EQ(only_failure(&v), LKMM_COHERENCE);
	EXPECT(!v.consistent);
}

/* An xchg whose read and write are split by another CPU's write. */
TEST(test_atomic_alone_forbids_a_write_inside_an_rmw)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int i = iw(X), r = rd(0, X, 0, EVF_RMW | M_ONCE), w = wr(0, X, 1, EVF_RMW | M_ONCE);
	int w2 = wr(1, X, 2, M_ONCE);
	rel_add(&G.rmw, r, w);
	rf(i, r);
	co(i, w2);
	co(w2, w);
	EXPECT_EQ(only_failure(&v), LKMM_ATOMIC);
}

/* LB with acquire loads: each load happens before the other CPU's store it reads. */
TEST(test_happens_before_alone_forbids_lb_acquires)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int r0 = rd(0, X, 1, EVF_ACQUIRE), w0 = wr(0, Y, 1, M_ONCE);
	int r1 = rd(1, Y, 1, EVF_ACQUIRE), w1 = wr(1, X, 1, M_ONCE);
	rf(w1, r0);
	rf(w0, r1);
	co(ix, w1);
	co(iy, w0);
	EXPECT_EQ(only_failure(&v), LKMM_HAPPENS_BEFORE);
	/* the same graph with ONCE loads is LB+poonceonces: allowed */
	G.ev[r0].flags = G.ev[r1].flags = M_ONCE;
	EXPECT_EQ(only_failure(&v), -1);
	EXPECT(v.consistent);
}

/* SB+mbs: both loads read the initial values. */
TEST(test_propagation_alone_forbids_sb_mbs)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int w0 = wr(0, X, 1, M_ONCE);
	int f0 = fence(0, MF_MB);
	int r0 = rd(0, Y, 0, M_ONCE);
	int w1 = wr(1, Y, 1, M_ONCE);
	int f1 = fence(1, MF_MB);
	int r1 = rd(1, X, 0, M_ONCE);
	co(ix, w0);
	co(iy, w1);
	rf(iy, r0);
	rf(ix, r1);
	EXPECT_EQ(only_failure(&v), LKMM_PROPAGATION);
	/* smp_wmb is no strong fence: SB+wmbs is allowed */
	G.ev[f0].fence = G.ev[f1].fence = MF_WMB;
	EXPECT_EQ(only_failure(&v), -1);
}

/* SB+mbs again, its events numbered past 64 and 128 among 240 unrelated
 * writes (rows of several words): the same verdicts. */
TEST(test_propagation_forbids_sb_mbs_among_hundreds_of_events)
{
	struct lkmm_verdict v;
	exg_init_cap(&G, REL_MAX_BIG);
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < 60; k++) {
			int loc = 2 + 60 * t + k, i = iw(loc);
			co(i, wr(t, loc, 1, M_ONCE));
		}
	int ix = iw(X), iy = iw(Y);
	int w0 = wr(0, X, 1, M_ONCE);
	int f0 = fence(0, MF_MB);
	int r0 = rd(0, Y, 0, M_ONCE);
	int w1 = wr(1, Y, 1, M_ONCE);
	int f1 = fence(1, MF_MB);
	int r1 = rd(1, X, 0, M_ONCE);
	EXPECT(G.n > 240 && r1 > 128);
	co(ix, w0);
	co(iy, w1);
	rf(iy, r0);
	rf(ix, r1);
	EXPECT_EQ(only_failure(&v), LKMM_PROPAGATION);
	G.ev[f0].fence = G.ev[f1].fence = MF_WMB;
	EXPECT_EQ(only_failure(&v), -1);
	/* CoWR on the last events: thread 1 reads y's initial value after its own
	 * store to y */
	rf(iy, rd(1, Y, 0, M_ONCE));
	EXPECT_EQ(only_failure(&v), LKMM_COHERENCE);
}

/* RCU+sync+read: a reader's two stores straddle the updater's grace period. */
TEST(test_rcu_alone_forbids_a_grace_period_inside_a_reader)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int lk = fence(0, MF_RCU_LOCK);
	int wx = wr(0, X, 1, M_ONCE), wy = wr(0, Y, 1, M_ONCE);
	int ul = fence(0, MF_RCU_UNLOCK);
	int rx = rd(1, X, 1, M_ONCE);
	int sync = fence(1, MF_SYNC_RCU);
	int ry = rd(1, Y, 0, M_ONCE);
	co(ix, wx);
	co(iy, wy);
	rf(wx, rx);
	rf(iy, ry);
	EXPECT_EQ(only_failure(&v), LKMM_RCU);
	/* without the read-side critical section it is allowed */
	G.ev[lk].fence = G.ev[ul].fence = MF_BARRIER;
	EXPECT_EQ(only_failure(&v), -1);
	(void)sync;
}

/* SRCU: the reader's critical section is an srcu_read_lock load and an
 * srcu_read_unlock store of the srcu_struct, matched by data; only a grace
 * period on the same srcu_struct orders against it. */
TEST(test_rcu_alone_forbids_srcu_grace_period_on_the_same_struct)
{
	enum { S = 2, T = 3 };
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y), is = iw(S);
	iw(T);
	int lk = rd(0, S, 0, M_ONCE | EVF_SRCU_LOCK);
	int ry = rd(0, Y, 1, M_ONCE), rx = rd(0, X, 0, M_ONCE);
	int ul = wr(0, S, 0, M_ONCE | EVF_SRCU_UNLOCK);
	int wx = wr(1, X, 1, M_ONCE);
	int sync = exg_add(&G, 1, EV_F, S, 0, 0, MF_SYNC_SRCU);
	int wy = wr(1, Y, 1, M_ONCE);
	rel_add(&G.data, lk, ul);
	rf(is, lk);
	rf(wy, ry);
	rf(ix, rx);
	co(ix, wx);
	co(iy, wy);
	co(is, ul);
	EXPECT_EQ(only_failure(&v), LKMM_RCU);
	G.ev[sync].loc = T; /* synchronize_srcu(t): another srcu_struct */
	EXPECT_EQ(only_failure(&v), -1);
}

/* A plain load reads from a plain store that executes after it (through two mbs). */
TEST(test_plain_coherence_alone_forbids_reading_the_future)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int rx = rd(0, X, 1, EVF_PLAIN);
	fence(0, MF_MB);
	int wy = wr(0, Y, 1, M_ONCE);
	int ry = rd(1, Y, 1, M_ONCE);
	fence(1, MF_MB);
	int wx = wr(1, X, 1, EVF_PLAIN);
	co(ix, wx);
	co(iy, wy);
	rf(wx, rx);
	rf(wy, ry);
	EXPECT_EQ(only_failure(&v), LKMM_PLAIN_COHERENCE);
}

/* MP with a plain payload: unordered, a data race; with release/acquire, none. */
TEST(test_data_race_flag_on_plain_message_passing)
{
	struct lkmm_verdict v;
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int wx = wr(0, X, 1, EVF_PLAIN), wy = wr(0, Y, 1, M_ONCE);
	int ry = rd(1, Y, 1, M_ONCE), rx = rd(1, X, 1, EVF_PLAIN);
	co(ix, wx);
	co(iy, wy);
	rf(wy, ry);
	rf(wx, rx);
	EXPECT_EQ(only_failure(&v), -1);
	EXPECT(v.data_race);
	G.ev[wy].flags = EVF_RELEASE;
	G.ev[ry].flags = EVF_ACQUIRE;
	EXPECT_EQ(only_failure(&v), -1);
	EXPECT(!v.data_race);
}

TEST(test_ppo_has_dependencies_and_fences_but_not_plain_po)
{
	static struct lkmm m;
	struct lkmm_verdict v;
	exg_init(&G);
	iw(X);
	iw(Y);
	int r = rd(0, X, 0, M_ONCE), w = wr(0, Y, 0, M_ONCE), r2 = rd(0, Y, 0, M_ONCE);
	rf(0, r);
	rf(w, r2);
	co(1, w);
	exg_finish(&G);
	lkmm_check(&G, true, &v, &m);
	EXPECT(!rel_has(&m.ppo, r, w)); /* plain po R -> W: not preserved */
	rel_add(&G.data, r, w);
	lkmm_check(&G, true, &v, &m);
	EXPECT(rel_has(&m.ppo, r, w)); /* data dependency: to-w */
	EXPECT(rel_has(&m.hb, r, w));
	EXPECT(!rel_has(&m.rfe, w, r2)); /* rfi is not rfe */
}

TEST(test_mb_of_full_rmw_and_after_atomic)
{
	static struct lkmm m;
	struct lkmm_verdict v;
	exg_init(&G);
	iw(X);
	iw(Y);
	int w = wr(0, X, 1, M_ONCE);
	int rr = rd(0, Y, 0, EVF_RMW | M_ONCE); /* a failed cmpxchg: a read only */
	int fa = fence(0, MF_AFTER_ATOMIC);
	int r = rd(0, X, 1, M_ONCE);
	rf(1, rr);
	rf(w, r);
	co(0, w);
	exg_finish(&G);
	lkmm_check(&G, true, &v, &m);
	EXPECT(rel_has(&m.mb, w, r)); /* [M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M] */
	EXPECT(rel_has(&m.strong_fence, w, r));
	G.ev[fa].fence = MF_BARRIER;
	exg_finish(&G);
	lkmm_check(&G, true, &v, &m);
	EXPECT(!rel_has(&m.mb, w, r));
	G.ev[rr].flags |= EVF_MB; /* a successful cmpxchg(): Mb & R */
	exg_finish(&G);
	lkmm_check(&G, true, &v, &m);
	EXPECT(rel_has(&m.mb, w, rr));
}

/* Runs the cat engine on a litmus text; returns the result. */
static void run_text(const char *text, enum wmm_model model, struct lit_result *r)
{
	char path[] = "/tmp/test_lkmm_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	struct lit_test *t;
	char err[256];
	if (lit_parse_file(path, &t, err, sizeof(err)))
		abort();
	unlink(path);
	struct lit_opts o = {.model = model, .engine = LIT_ENGINE_CAT};
	lit_cat_run(t, &o, r);
	lit_free(t);
}

static const char lb[] = "C LB\n{}\n"
			 "P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, 1); }\n"
			 "P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); WRITE_ONCE(*x, 1); }\n"
			 "exists (0:r0=1 /\\ 1:r0=1)\n";

TEST(test_engine_shows_load_buffering_under_lkmm_only)
{
	struct lit_result r;
	run_text(lb, WMM_LKMM, &r);
	EXPECT_EQ(r.obs, OBS_SOMETIMES);
	EXPECT_EQ(r.pos, 1);
	EXPECT_EQ(r.neg, 3);
	EXPECT(r.complete);
	lit_result_free(&r);
	run_text(lb, WMM_TSO, &r);
	EXPECT_EQ(r.obs, OBS_NEVER);
	lit_result_free(&r);
}

/* 2+2W: herd7 counts executions, co orders included: 4 rf-free executions. */
TEST(test_engine_counts_executions_like_herd)
{
	static const char w22[] = "C 2+2W\n{}\n"
				  "P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 2); }\n"
				  "P1(int *x, int *y) { WRITE_ONCE(*y, 1); WRITE_ONCE(*x, 2); }\n"
				  "exists (x=1 /\\ y=1)\n";
	struct lit_result r;
	run_text(w22, WMM_LKMM, &r);
	EXPECT_EQ(r.obs, OBS_SOMETIMES);
	EXPECT_EQ(r.pos + r.neg, 4);
	lit_result_free(&r);
	run_text(w22, WMM_SC, &r);
	EXPECT_EQ(r.obs, OBS_NEVER);
	EXPECT_EQ(r.neg, 3);
	lit_result_free(&r);
}

TEST(test_engine_gives_up_at_max_candidates)
{
	struct lit_result r;
	char path[] = "/tmp/test_lkmm_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, lb, strlen(lb)) != (ssize_t)strlen(lb))
		abort();
	close(fd);
	struct lit_test *t;
	char err[256];
	if (lit_parse_file(path, &t, err, sizeof(err)))
		abort();
	unlink(path);
	struct lit_opts o = {.model = WMM_LKMM, .engine = LIT_ENGINE_CAT, .max_candidates = 2};
	lit_cat_run(t, &o, &r);
	EXPECT(r.gave_up);
	EXPECT(!r.complete);
	lit_result_free(&r);
	lit_free(t);
}

int main(void)
{
	RUN(test_rel_closure_and_acyclicity);
	RUN(test_coherence_alone_forbids_corr);
	RUN(test_atomic_alone_forbids_a_write_inside_an_rmw);
	RUN(test_happens_before_alone_forbids_lb_acquires);
	RUN(test_propagation_alone_forbids_sb_mbs);
	RUN(test_propagation_forbids_sb_mbs_among_hundreds_of_events);
	RUN(test_rcu_alone_forbids_a_grace_period_inside_a_reader);
	RUN(test_rcu_alone_forbids_srcu_grace_period_on_the_same_struct);
	RUN(test_plain_coherence_alone_forbids_reading_the_future);
	RUN(test_data_race_flag_on_plain_message_passing);
	RUN(test_ppo_has_dependencies_and_fences_but_not_plain_po);
	RUN(test_mb_of_full_rmw_and_after_atomic);
	RUN(test_engine_shows_load_buffering_under_lkmm_only);
	RUN(test_engine_counts_executions_like_herd);
	RUN(test_engine_gives_up_at_max_candidates);
	TEST_SUMMARY();
}
