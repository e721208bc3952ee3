/* tests/unit/test_write_graph.c - model graphs written as C-litmus tests
 * (litmus/write_graph.c) and cut down to their shortest po|rf|co|fr cycle
 * (model/exec_slice.c): each written test is parsed and run by the exact
 * checker, which must find the graph's outcome (Sometimes), and the cut keeps
 * the shape and what it needs. */
#include <stdlib.h>
#include <unistd.h>

#include "litmus/litmus.h"
#include "litmus/write_graph.h"
#include "model/exec_slice.h"
#include "tests/unit/exg_hand.h"
#include "tests/unit/test.h"

enum { X, Y, Z, L };

/* Writes G (keep: NULL for all) to a file, runs it under lkmm; the observed
 * verdict, -1 when writing failed, -2 when it did not parse or finish.  The
 * text is left in text[]. */
static char text[16384];
static int written_verdict(const bool *keep, const struct lit_graph_text *lt, bool *race)
{
	char path[] = "/tmp/test_write_graph_XXXXXX.litmus", err[256];
	int fd = mkstemps(path, 7);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f)
		return -2;
	int rc = lit_write_graph(f, &G, keep, lt, err, sizeof(err));
	rewind(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	struct lit_test *t = NULL;
	struct lit_error e;
	if (rc != 0 || lit_parse(path, NULL, &t, &e) != 0) {
		if (rc == 0)
			printf("  parse: %s\n%s", e.text, text);
		unlink(path);
		return rc != 0 ? -1 : -2;
	}
	unlink(path);
	struct lit_opts o = {.model = WMM_LKMM, .engine = LIT_ENGINE_CAT};
	struct lit_result r;
	lit_run(t, &o, &r);
	int v = r.error || !r.complete ? -2 : (int)r.obs;
	if (v == -2)
		printf("  checker: %s%s\n%s", r.error ? r.err : "",
		       r.complete ? "" : " (incomplete)", text);
	if (race)
		*race = r.datarace;
	lit_result_free(&r);
	lit_free(t);
	return v;
}

/* S with a barrier on one side only: allowed; names that herd7 reserves. */
TEST(test_s_shape_written_and_found)
{
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int w0 = wr(0, X, 7, EVF_ONCE), w1 = wr(0, Y, 9, EVF_ONCE);
	int r = rd(1, Y, 9, EVF_ONCE);
	fence(1, MF_MB);
	int w2 = wr(1, X, 5, EVF_ONCE), r2 = rd(1, X, 7, EVF_ONCE);
	rf(w1, r);
	rf(w0, r2);
	co(ix, w2);
	co(w2, w0);
	co(iy, w1);
	rel_add(&G.ctrl, r, w2);
	exg_finish(&G);
	const char *names[] = {"lock", "r1"};
	struct lit_graph_text lt = {.name = "S-test", .loc_name = names};
	EXPECT_EQ(written_verdict(NULL, &lt, NULL), OBS_SOMETIMES);
	EXPECT(strstr(text, "int lock_;"));	       /* a reserved word renamed */
	EXPECT(strstr(text, "int r1_;"));	       /* not a register's name */
	EXPECT(strstr(text, "if ((r0 ^ r0) == 0) {")); /* the ctrl dependency */
	EXPECT(strstr(text, "smp_mb();"));
	/* values renumbered per location in event order: x 7 -> 1, 5 -> 2 */
	EXPECT(strstr(text, "WRITE_ONCE(*lock_, 2);"));
	EXPECT(strstr(text, "exists (1:r0=1 /\\ 1:r1=1 /\\ lock_=1 /\\ r1_=1)"));
}

/* MP+wmb+rmb is forbidden, and with a release store and an acquire load too:
 * the graph written is Never, so a writer that dropped a fence or an
 * annotation would show here. */
TEST(test_forbidden_graph_stays_forbidden)
{
	for (int annotated = 0; annotated < 2; annotated++) {
		exg_init(&G);
		int ix = iw(X), iy = iw(Y);
		int w0 = wr(0, X, 1, EVF_ONCE);
		if (!annotated)
			fence(0, MF_WMB);
		int w1 = wr(0, Y, 1, annotated ? EVF_RELEASE : EVF_ONCE);
		int r0 = rd(1, Y, 1, annotated ? EVF_ACQUIRE : EVF_ONCE);
		if (!annotated)
			fence(1, MF_RMB);
		int r1 = rd(1, X, 0, EVF_ONCE);
		co(ix, w0);
		co(iy, w1);
		rf(w1, r0);
		rf(ix, r1);
		exg_finish(&G);
		struct lit_graph_text lt = {.name = "MP-ordered"};
		EXPECT_EQ(written_verdict(NULL, &lt, NULL), OBS_NEVER);
		EXPECT(annotated ? strstr(text, "smp_store_release(x1_, 1);") &&
				       strstr(text, "r0 = smp_load_acquire(x1_);")
				 : strstr(text, "smp_wmb();") && strstr(text, "smp_rmb();"));
	}
}

/* MP with an address dependency on the reader (forbidden) and without it
 * (allowed); an RMW and a lock around the writer's stores. */
TEST(test_dependencies_rmw_and_lock_written)
{
	for (int dep = 0; dep < 2; dep++) {
		exg_init(&G);
		int ix = iw(X), iy = iw(Y), il = iw(L);
		int lr = rd(0, L, 0, EVF_LKR), lw = wr(0, L, 1, EVF_LKW);
		int w0 = wr(0, X, 1, EVF_PLAIN);
		int ul = wr(0, L, 0, EVF_UL);
		fence(0, MF_WMB);
		int xr = rd(0, Y, 0, EVF_RMW | EVF_ONCE), xw = wr(0, Y, 1, EVF_RMW | EVF_ONCE);
		int r0 = rd(1, Y, 1, EVF_ONCE), r1 = rd(1, X, 0, EVF_ONCE);
		rel_add(&G.rmw, lr, lw);
		rel_add(&G.rmw, xr, xw);
		rf(il, lr);
		co(il, lw);
		co(lw, ul);
		co(ix, w0);
		rf(iy, xr);
		co(iy, xw);
		rf(xw, r0);
		rf(ix, r1);
		if (dep)
			rel_add(&G.addr, r0, r1);
		exg_finish(&G);
		struct lit_graph_text lt = {.name = "MP-lock-xchg"};
		bool race = false;
		EXPECT_EQ(written_verdict(NULL, &lt, &race), dep ? OBS_NEVER : OBS_SOMETIMES);
		EXPECT(strstr(text, "spin_lock(x3_);") && strstr(text, "spin_unlock(x3_);"));
		EXPECT(strstr(text, "r0 = xchg_relaxed(x1_, 1);"));
		EXPECT(strstr(text, "*x0_ = 1;")); /* plain stays plain */
		EXPECT(!dep || strstr(text, "r1 = READ_ONCE(*(x0_ + (r0 ^ r0)));"));
		EXPECT(race); /* where the reader sees y == 0, its read of x races */
	}
}

/* SB among unrelated events: the cut keeps the four events of the cycle and
 * the fence between two of them, not the rest; the cut written is Sometimes. */
TEST(test_slice_keeps_the_cycle)
{
	exg_init(&G);
	int ix = iw(X), iy = iw(Y), iz = iw(Z);
	int z0 = wr(0, Z, 1, EVF_ONCE);
	int w0 = wr(0, X, 1, EVF_ONCE);
	int f0 = fence(0, MF_WMB);
	int r0 = rd(0, Y, 0, EVF_ONCE);
	int w1 = wr(1, Y, 1, EVF_ONCE);
	int r1 = rd(1, X, 0, EVF_ONCE);
	int z1 = rd(1, Z, 1, EVF_ONCE);
	co(iz, z0);
	co(ix, w0);
	co(iy, w1);
	rf(iy, r0);
	rf(ix, r1);
	rf(z0, z1);
	exg_finish(&G);
	bool keep[REL_MAX_BIG];
	EXPECT_EQ(exg_slice_sc_cycle(&G, NULL, EXG_SLICE_DEPS_ALL, keep), 5);
	EXPECT(keep[w0] && keep[f0] && keep[r0] && keep[w1] && keep[r1]);
	EXPECT(!keep[z0] && !keep[z1] && !keep[ix]);
	EXPECT_EQ(exg_slice_size(&G, keep), 7); /* two locations' initial writes */
	struct lit_graph_text lt = {.name = "SB-cut"};
	EXPECT_EQ(written_verdict(keep, &lt, NULL), OBS_SOMETIMES);
	EXPECT(!strstr(text, "x2_"));
	/* a sequentially consistent graph has no cycle to cut */
	bool within[REL_MAX_BIG] = {false};
	within[z0] = within[z1] = true;
	EXPECT_EQ(exg_slice_sc_cycle(&G, within, EXG_SLICE_DEPS_ALL, keep), 0);
}

/* The shared part: locations one thread alone uses go, the fences between
 * what stays stay. */
TEST(test_shared_slice_drops_thread_local_locations)
{
	exg_init(&G);
	int ix = iw(X), iz = iw(Z);
	int z0 = wr(0, Z, 1, EVF_ONCE);
	int f0 = fence(0, MF_MB);
	int w0 = wr(0, X, 1, EVF_ONCE);
	int z1 = rd(0, Z, 1, EVF_ONCE);
	int r1 = rd(1, X, 1, EVF_ONCE);
	co(iz, z0);
	co(ix, w0);
	rf(z0, z1);
	rf(w0, r1);
	exg_finish(&G);
	bool keep[REL_MAX_BIG];
	EXPECT_EQ(exg_slice_shared(&G, NULL, keep), 2);
	EXPECT(keep[w0] && keep[r1] && !keep[z0] && !keep[z1] && !keep[f0]);
	bool within[REL_MAX_BIG] = {false};
	within[w0] = true; /* the reader left out: nothing two threads use */
	EXPECT_EQ(exg_slice_shared(&G, within, keep), 0);
}

/* A failed RMW is a cmpxchg that cannot succeed, a failed trylock reads the
 * held lock; many locations give a condition cut to the parser's 32 values. */
TEST(test_failed_rmw_trylock_and_long_condition)
{
	exg_init(&G);
	int ix = iw(X), il = iw(L), more[19];
	for (int k = 0; k < 19; k++) /* 19 more locations: 34 values in all */
		more[k] = iw(L + 1 + k);
	int lr = rd(0, L, 0, EVF_LKR), lw = wr(0, L, 1, EVF_LKW);
	int w = wr(0, X, 5, EVF_ONCE);
	int lf = rd(1, L, 1, EVF_LF);
	int fr = rd(1, X, 5, EVF_RMW | EVF_ONCE); /* a cmpxchg that found 5 */
	rel_add(&G.rmw, lr, lw);
	rf(il, lr);
	co(il, lw);
	rf(lw, lf);
	co(ix, w);
	rf(w, fr);
	for (int k = 0; k < 19; k++) { /* 12 of them read, 7 only written */
		int v = wr(2, L + 1 + k, 1, EVF_ONCE);
		co(more[k], v);
		if (k < 12)
			rf(v, rd(3, L + 1 + k, 1, EVF_ONCE));
	}
	exg_finish(&G);
	struct lit_graph_text lt = {.name = "failed-ops"};
	EXPECT_EQ(written_verdict(NULL, &lt, NULL), OBS_SOMETIMES);
	EXPECT(strstr(text, "r0 = spin_trylock(x3_);"));
	EXPECT(strstr(text, "r1 = cmpxchg_relaxed(x0_, 2, 2);")); /* 2: no write stores it */
	EXPECT(strstr(text, "1:r0=0 /\\ 1:r1=1"));
	EXPECT(strstr(text, "(* 32 of the graph's 34 values: at most 32 in a condition *)"));
}

/* A non-value-returning RMW written as a returning xchg would be ordered by
 * the smp_rmb() after it: refused. */
TEST(test_noreturn_rmw_beside_rmb_refused)
{
	exg_init(&G);
	int ix = iw(X), iy = iw(Y);
	int r = rd(0, X, 0, EVF_RMW | EVF_NORETURN | EVF_ONCE), w = wr(0, X, 1, EVF_RMW | EVF_ONCE);
	fence(0, MF_RMB);
	int r2 = rd(0, Y, 0, EVF_ONCE);
	rel_add(&G.rmw, r, w);
	rf(ix, r);
	co(ix, w);
	rf(iy, r2);
	exg_finish(&G);
	char err[256] = "";
	FILE *f = tmpfile();
	EXPECT_EQ(lit_write_graph(f, &G, NULL, &(struct lit_graph_text){0}, err, sizeof(err)), -1);
	EXPECT(strstr(err, "non-value-returning RMW"));
	fclose(f);
}

/* What the dialect cannot say is refused with a reason, nothing written. */
TEST(test_unwritable_refused)
{
	exg_init(&G);
	iw(X);
	exg_add(&G, 0, EV_R, X, 0, EVF_SRCU_LOCK, 0);
	exg_finish(&G);
	char err[256] = "";
	FILE *f = tmpfile();
	EXPECT_EQ(lit_write_graph(f, &G, NULL, &(struct lit_graph_text){0}, err, sizeof(err)), -1);
	EXPECT(strstr(err, "SRCU"));
	EXPECT_EQ(ftell(f), 0);
	fclose(f);
}

int main(void)
{
	RUN(test_s_shape_written_and_found);
	RUN(test_forbidden_graph_stays_forbidden);
	RUN(test_dependencies_rmw_and_lock_written);
	RUN(test_slice_keeps_the_cycle);
	RUN(test_shared_slice_drops_thread_local_locations);
	RUN(test_failed_rmw_trylock_and_long_condition);
	RUN(test_noreturn_rmw_beside_rmb_refused);
	RUN(test_unwritable_refused);
	TEST_SUMMARY();
}
