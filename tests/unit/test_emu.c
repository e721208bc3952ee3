/* tests/unit/test_emu.c - the emulator engine: context switch, determinism, the
 * empty schedule as an SC run, deadlock and step-limit detection, spin-poll
 * blocking, sub-word store merging, address dependencies inferred from pointer
 * provenance.  Uses small scenarios of its own and a do-nothing allocator, so it
 * does not depend on the slab model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ctx.h"
#include "engine/emu.h"
#include "engine/explore.h"
#include "tests/unit/test.h"

/* ---- context switch ----------------------------------------------------------- */

static struct ss_ctx t_main, t_co[2];
static int t_log[16], t_nlog;

static void pingpong(void *arg)
{
	int id = (int)(long)arg;
	ss_ctx_entered(&t_main);
	for (int i = 0; i < 3; i++) {
		t_log[t_nlog++] = id * 10 + i;
		ss_ctx_jump(&t_co[id], id ? &t_main : &t_co[1]);
	}
	for (;;)
		ss_ctx_jump(&t_co[id], &t_main);
}

TEST(test_ctx_switch_ping_pong)
{
	static char st0[65536], st1[65536];
	ss_ctx_init(&t_co[0], st0, sizeof(st0), pingpong, (void *)0L);
	ss_ctx_init(&t_co[1], st1, sizeof(st1), pingpong, (void *)1L);
	t_nlog = 0;
	for (int i = 0; i < 3; i++)
		ss_ctx_jump(&t_main, &t_co[0]); /* co0 -> co1 -> main */
	EXPECT_EQ(t_nlog, 6);
	int want[] = {0, 10, 1, 11, 2, 12};
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(t_log[i], want[i]);
}

/* ---- a do-nothing allocator -------------------------------------------------------- */

static void *na_create(const struct ss_alloc_config *c, char *e, size_t n)
{
	(void)c, (void)e, (void)n;
	return malloc(64);
}
static void na_reset(void *w)
{
	(void)w;
}
static void na_destroy(void *w)
{
	free(w);
}
static void *na_alloc(void *w, unsigned g)
{
	(void)w, (void)g;
	return NULL;
}
static void na_free(void *w, void *o)
{
	(void)w, (void)o;
}
static int na_quiesce(void *w)
{
	(void)w;
	return 0;
}
static const struct ss_alloc_ops none_alloc = {
    .name = "none",
    .summary = "test",
    .world_create = na_create,
    .world_reset = na_reset,
    .world_destroy = na_destroy,
    .alloc = na_alloc,
    .free = na_free,
    .quiesce = na_quiesce,
};

/* ---- test scenarios -------------------------------------------------------------- */

struct mp_state {
	u64 data[4];
	u64 flag;
	u64 *ptr;
	union {
		u64 word;
		struct {
			u32 lo;
			u16 mid;
			u16 hi;
		};
	} w;
	spinlock_t lock;
	u64 seen;
} __attribute__((aligned(64)));

/* message passing: data then flag; the reader checks data once it sees the flag */
static int mp_kind; /* 0 relaxed, 1 release/acquire, 2 wmb/rmb */

static void mp_writer(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	WRITE_ONCE(s->data[0], 42);
	if (mp_kind == 1) {
		smp_store_release(&s->flag, 1);
		return;
	}
	if (mp_kind == 2)
		smp_wmb();
	WRITE_ONCE(s->flag, 1);
}

static void mp_reader(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	for (;;) {
		u64 f = mp_kind == 1 ? smp_load_acquire(&s->flag) : READ_ONCE(s->flag);
		if (f)
			break;
		if (!ss_spin_wait(w, role))
			return;
	}
	if (mp_kind == 2)
		smp_rmb();
	u64 d = READ_ONCE(s->data[0]);
	if (d != 42)
		ss_fail_at(SS_FAIL_STALE_CONTENT, SS_SITE("s->data[0]"), "saw %llu",
			   (unsigned long long)d);
}

static const struct ss_scenario scn_mp = {
    .name = "t-mp",
    .nroles = 2,
    .role_names = {"writer", "reader"},
    .state_size = sizeof(struct mp_state),
    .role = {mp_writer, mp_reader},
};

static struct emu *mk(const struct ss_scenario *scn, enum wmm_model m, unsigned long max_steps)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = scn;
	c.alloc = &none_alloc;
	c.model = m;
	c.max_steps = max_steps;
	c.acfg.ncpus = scn->nroles;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("  emu_create: %s\n", err);
	return e;
}

/* A config made by mk(): the emulator itself is destroyed (tests change the
 * config and create their own). */
static struct emu *mk_keep_last;
static struct emu *mk_keep(const struct ss_scenario *scn)
{
	if (mk_keep_last)
		emu_destroy(mk_keep_last);
	return mk_keep_last = mk(scn, WMM_LKMM, 0);
}

/* Random exploration of n executions; returns the number that failed. */
static unsigned long long explore_n(struct emu *e, unsigned long long n, double p)
{
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 7;
	o.max_execs = n;
	o.stale_prob = p;
	o.keep_going = true;
	struct explore_stats st;
	explore_random(e, &o, &st);
	explore_stats_free(&st);
	return st.failed_execs;
}

TEST(test_empty_schedule_is_sc_and_clean)
{
	for (int k = 0; k < 3; k++) {
		mp_kind = k; /* even the broken handoff is fine sequentially */
		for (int m = WMM_SC; m <= WMM_LKMM; m++) {
			struct emu *e = mk(&scn_mp, (enum wmm_model)m, 0);
			struct emu_result r;
			EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
			EXPECT_EQ(r.kind, SS_FAIL_NONE);
			EXPECT_EQ(r.stale_reads, 0);
			EXPECT_EQ(r.preemptions, 1); /* writer to the end, then the reader */
			emu_destroy(e);
		}
	}
}

TEST(test_mp_weak_only_under_lkmm_without_barriers)
{
	mp_kind = 0;
	struct emu *e = mk(&scn_mp, WMM_LKMM, 0);
	EXPECT(explore_n(e, 3000, 0.4) > 0);
	emu_destroy(e);
	for (int m = WMM_SC; m <= WMM_TSO; m++) {
		e = mk(&scn_mp, (enum wmm_model)m, 0);
		EXPECT_EQ(explore_n(e, 3000, 0.4), 0);
		emu_destroy(e);
	}
	for (mp_kind = 1; mp_kind <= 2; mp_kind++) {
		e = mk(&scn_mp, WMM_LKMM, 0);
		EXPECT_EQ(explore_n(e, 3000, 0.4), 0);
		emu_destroy(e);
	}
}

static char *trace_text(struct emu *e, const u8 *b, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emu_result r;
	emu_set_trace(e, true);
	emu_execute(e, b, n, &r);
	emu_print_trace(f, e, &r, true);
	fclose(f);
	return buf;
}

TEST(test_same_bytes_give_the_same_trace)
{
	mp_kind = 0;
	/* a run that fails: switch early, keep the flag store, read stale */
	struct emu *e = mk(&scn_mp, WMM_LKMM, 0);
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 3;
	o.max_execs = 5000;
	o.stale_prob = 0.4;
	struct explore_stats st;
	EXPECT_EQ(explore_random(e, &o, &st), 0);
	EXPECT(st.found);
	EXPECT(st.replay_ok);
	char *a = trace_text(e, st.first_sched, st.first_len);
	char *b = trace_text(e, st.first_sched, st.first_len);
	EXPECT(strcmp(a, b) == 0);
	EXPECT(strstr(a, "STALE") != NULL);
	EXPECT(strstr(a, "FAILURE") != NULL);
	struct emu *e2 = mk(&scn_mp, WMM_LKMM, 0);
	char *c = trace_text(e2, st.first_sched, st.first_len);
	EXPECT(strcmp(a, c) == 0);
	free(a);
	free(b);
	free(c);
	explore_stats_free(&st);
	emu_destroy(e);
	emu_destroy(e2);
}

/* ---- blocking, deadlock, step limit ------------------------------------------------- */

static void dl_role0(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	spin_lock(&s->lock);
	while (!READ_ONCE(s->flag)) /* never set: role 1 blocks on the lock first */
		if (!ss_spin_wait(w, role))
			return;
	spin_unlock(&s->lock);
}

static void dl_role1(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	spin_lock(&s->lock);
	WRITE_ONCE(s->flag, 1);
	spin_unlock(&s->lock);
}

static const struct ss_scenario scn_deadlock = {
    .name = "t-deadlock",
    .nroles = 2,
    .state_size = sizeof(struct mp_state),
    .role = {dl_role0, dl_role1},
};

TEST(test_all_cpus_blocked_is_a_deadlock)
{
	struct emu *e = mk(&scn_deadlock, WMM_LKMM, 0);
	struct emu_result r;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	EXPECT_EQ(r.kind, SS_FAIL_DEADLOCK);
	EXPECT(r.steps < 20);
	emu_destroy(e);
}

static void spin_forever(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	while (!READ_ONCE(s->flag)) /* no cpu_relax: the emulator cannot block it */
		;
}

static const struct ss_scenario scn_livelock = {
    .name = "t-livelock",
    .nroles = 1,
    .state_size = sizeof(struct mp_state),
    .role = {spin_forever},
};

TEST(test_step_bound_ends_a_livelock)
{
	struct emu *e = mk(&scn_livelock, WMM_SC, 1000);
	struct emu_result r;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	EXPECT_EQ(r.kind, SS_FAIL_STEP_LIMIT);
	EXPECT_EQ(r.steps, 1001);
	/* the emulator is reusable after an abandoned execution */
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	EXPECT_EQ(r.kind, SS_FAIL_STEP_LIMIT);
	emu_destroy(e);
}

static void poll_role0(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	unsigned long n = 0;
	while (!READ_ONCE(s->flag)) {
		n++;
		if (!ss_spin_wait(w, role))
			return;
	}
	WRITE_ONCE(s->seen, n);
}

static void poll_role1(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	for (int i = 0; i < 50; i++)
		WRITE_ONCE(s->data[1], i); /* work the poller must not spin through */
	WRITE_ONCE(s->flag, 1);
}

static const struct ss_scenario scn_poll = {
    .name = "t-poll",
    .nroles = 2,
    .state_size = sizeof(struct mp_state),
    .role = {poll_role0, poll_role1},
};

TEST(test_relax_blocks_a_poller_until_a_new_value)
{
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		struct emu *e = mk(&scn_poll, (enum wmm_model)m, 0);
		struct emu_result r;
		/* switch to the other CPU after every single step */
		u8 sched[64];
		memset(sched, 0x20, sizeof(sched));
		EXPECT_EQ(emu_execute(e, sched, sizeof(sched), &r), 0);
		EXPECT_EQ(r.kind, SS_FAIL_NONE);
		struct mp_state *s = emu_world(e)->state;
		EXPECT_EQ(s->seen, 1); /* one poll, blocked, woken by the flag store */
		EXPECT(r.steps < 60);
		emu_destroy(e);
	}
}

/* ---- sub-word stores --------------------------------------------------------------- */

static void sw_role0(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	WRITE_ONCE(s->w.lo, 0x11111111u);
	PLAIN_STORE(s->w.mid, 0x2222);
}

static void sw_role1(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	PLAIN_STORE(s->w.hi, 0x3333);
	u16 mid = PLAIN_LOAD(s->w.mid);
	if (mid != 0 && mid != 0x2222)
		ss_fail_at(SS_FAIL_INVARIANT, SS_SITE("s->w.mid"), "torn %#x", mid);
}

static void sw_check(struct ss_world *w)
{
	struct mp_state *s = w->state;
	if (s->w.word != 0x3333222211111111ULL)
		ss_fail_at(SS_FAIL_INVARIANT, SS_SITE("s->w.word"), "word %#llx",
			   (unsigned long long)s->w.word);
}

static const struct ss_scenario scn_subword = {
    .name = "t-subword",
    .nroles = 2,
    .state_size = sizeof(struct mp_state),
    .role = {sw_role0, sw_role1},
    .check = sw_check,
};

TEST(test_sub_word_stores_merge_into_the_word)
{
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		struct emu *e = mk(&scn_subword, (enum wmm_model)m, 0);
		EXPECT_EQ(explore_n(e, 2000, 0.5), 0);
		emu_destroy(e);
	}
}

/* ---- address dependency from pointer provenance ------------------------------------- */

static void dep_writer(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	WRITE_ONCE(s->data[2], 7);
	smp_wmb();
	WRITE_ONCE(s->ptr, &s->data[2]);
}

static void dep_reader(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	u64 *p = READ_ONCE(s->ptr);
	if (p && READ_ONCE(*p) != 7) /* MP+wmb+addr: LKMM forbids the stale read */
		ss_fail_at(SS_FAIL_STALE_CONTENT, SS_SITE("*p"), "saw a stale value");
}

static const struct ss_scenario scn_dep = {
    .name = "t-dep",
    .nroles = 2,
    .state_size = sizeof(struct mp_state),
    .role = {dep_writer, dep_reader},
};

TEST(test_address_dependency_is_inferred_from_the_loaded_pointer)
{
	struct emu_config c = *emu_config_of(mk_keep(&scn_dep));
	c.deps = EMU_DEPS_PROVENANCE;
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	EXPECT_EQ(explore_n(e, 4000, 0.5), 0);
	emu_destroy(e);
	/* without the inference the model would allow it: the inference matters */
	c.no_dep_inference = true;
	e = emu_create(&c, err, sizeof(err));
	EXPECT(explore_n(e, 4000, 0.5) > 0);
	emu_destroy(e);
	/* explicit mode takes only what the code declares: this reader declares
	 * nothing, so the stale read is allowed (and --deps check says so) */
	c.no_dep_inference = false;
	c.deps = EMU_DEPS_CHECK;
	e = emu_create(&c, err, sizeof(err));
	EXPECT(explore_n(e, 4000, 0.5) > 0);
	size_t nd;
	const struct emu_dep_disagreement *d = emu_dep_disagreements(e, &nd);
	EXPECT_EQ(nd, 1);
	EXPECT(nd == 1 && d[0].explicit_weaker && d[0].cpu == 1);
	emu_destroy(e);
}

/* The same reader declaring its dependency (READ_ONCE_DEP on the pointer). */
static void dep_reader_declared(struct ss_world *w, int role)
{
	struct mp_state *s = w->state;
	(void)role;
	u64 *p = READ_ONCE(s->ptr);
	if (p && READ_ONCE_DEP(*p, p) != 7)
		ss_fail_at(SS_FAIL_STALE_CONTENT, SS_SITE("*p"), "saw a stale value");
}

static const struct ss_scenario scn_dep_declared = {
    .name = "t-dep-declared",
    .nroles = 2,
    .state_size = sizeof(struct mp_state),
    .role = {dep_writer, dep_reader_declared},
};

TEST(test_declared_address_dependency_orders_the_load)
{
	struct emu_config c = *emu_config_of(mk_keep(&scn_dep_declared));
	char err[200];
	for (int d = EMU_DEPS_EXPLICIT; d <= EMU_DEPS_CHECK; d++) {
		c.deps = (enum emu_deps)d;
		struct emu *e = emu_create(&c, err, sizeof(err));
		EXPECT_EQ(explore_n(e, 4000, 0.5), 0);
		size_t nd;
		emu_dep_disagreements(e, &nd);
		EXPECT_EQ(nd, 0);
		emu_destroy(e);
	}
	c.deps = EMU_DEPS_EXPLICIT;
	c.no_dep_inference = true;
	struct emu *e = emu_create(&c, err, sizeof(err));
	EXPECT(explore_n(e, 4000, 0.5) > 0);
	emu_destroy(e);
}

TEST(test_hex_round_trip)
{
	u8 b[4] = {0x00, 0x5f, 0xa0, 0xff}, o[8];
	char h[9];
	emu_hex(h, b, 4);
	EXPECT(strcmp(h, "005fa0ff") == 0);
	EXPECT_EQ(emu_unhex(o, sizeof(o), "00 5f A0ff"), 4);
	EXPECT(memcmp(o, b, 4) == 0);
	EXPECT_EQ(emu_unhex(o, sizeof(o), "abc"), -1);
}

int main(void)
{
	RUN(test_ctx_switch_ping_pong);
	RUN(test_empty_schedule_is_sc_and_clean);
	RUN(test_mp_weak_only_under_lkmm_without_barriers);
	RUN(test_same_bytes_give_the_same_trace);
	RUN(test_all_cpus_blocked_is_a_deadlock);
	RUN(test_step_bound_ends_a_livelock);
	RUN(test_relax_blocks_a_poller_until_a_new_value);
	RUN(test_sub_word_stores_merge_into_the_word);
	RUN(test_address_dependency_is_inferred_from_the_loaded_pointer);
	RUN(test_declared_address_dependency_orders_the_load);
	RUN(test_hex_round_trip);
	if (mk_keep_last)
		emu_destroy(mk_keep_last);
	TEST_SUMMARY();
}
