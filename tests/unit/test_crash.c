/* tests/unit/test_crash.c - engine/crash.c through the emulator: a role that
 * dereferences NULL or calls abort() is a scenario-crash failure of its CPU,
 * deterministic from run to run, and the emulator goes on executing afterwards
 * (the crashed coroutine is abandoned, the next execution is clean).  A do-nothing
 * allocator keeps the slab model out of it. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine/crash.h"
#include "engine/emu.h"
#include "tests/unit/test.h"

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
static const struct ss_alloc_ops none_alloc = {
    .name = "none",
    .summary = "test",
    .world_create = na_create,
    .world_reset = na_reset,
    .world_destroy = na_destroy,
    .alloc = na_alloc,
    .free = na_free,
};

struct crash_state {
	u64 flag;
} __attribute__((aligned(64)));

static int crash_how; /* 0: none, 1: NULL store, 2: abort() */

static void setter(struct ss_world *w, int role)
{
	struct crash_state *s = w->state;
	(void)role;
	WRITE_ONCE(s->flag, 1);
}

static void crasher(struct ss_world *w, int role)
{
	struct crash_state *s = w->state;
	while (!READ_ONCE(s->flag))
		if (!ss_spin_wait(w, role))
			return;
	if (crash_how == 1)
		*(volatile int *)(uintptr_t)READ_ONCE(s->flag) = 1; /* address 1 */
	else if (crash_how == 2)
		abort();
}

static const struct ss_scenario scn_crash = {
    .name = "t-crash",
    .nroles = 2,
    .role_names = {"setter", "crasher"},
    .state_size = sizeof(struct crash_state),
    .role = {setter, crasher},
};

static struct emu *mk(void)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = &scn_crash;
	c.alloc = &none_alloc;
	c.model = WMM_LKMM;
	c.acfg.ncpus = 2;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("  emu_create: %s\n", err);
	return e;
}

TEST(test_null_store_in_a_role_is_a_scenario_crash_of_its_cpu)
{
	struct emu *e = mk();
	struct emu_result r1, r2;
	EXPECT(e != NULL);
	if (!e)
		return;
	crash_how = 1;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r1), 0);
	EXPECT_EQ(r1.kind, SS_FAIL_SCENARIO_CRASH);
	EXPECT_EQ(r1.fail.cpu, 1);
	EXPECT(strstr(r1.fail.msg, "SIGSEGV (address 0x1) in role crasher") != NULL);
	EXPECT(r1.fail.site && !strcmp(r1.fail.site->func, "crasher"));
	/* deterministic: the same schedule crashes the same way */
	EXPECT_EQ(emu_execute(e, NULL, 0, &r2), 0);
	EXPECT_EQ(r2.kind, SS_FAIL_SCENARIO_CRASH);
	EXPECT_EQ(r2.steps, r1.steps);
	EXPECT(!strcmp(r1.fail.msg, r2.fail.msg));
	/* the emulator goes on: the next execution without the bug is clean */
	crash_how = 0;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r2), 0);
	EXPECT_EQ(r2.kind, SS_FAIL_NONE);
	emu_destroy(e);
}

TEST(test_abort_in_a_role_is_a_scenario_crash_and_the_emulator_goes_on)
{
	struct emu *e = mk();
	struct emu_result r;
	EXPECT(e != NULL);
	if (!e)
		return;
	crash_how = 2;
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
		EXPECT_EQ(r.kind, SS_FAIL_SCENARIO_CRASH);
		EXPECT(strstr(r.fail.msg, "SIGABRT (abort) in role crasher") != NULL);
	}
	crash_how = 0;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	EXPECT_EQ(r.kind, SS_FAIL_NONE);
	emu_destroy(e);
}

TEST(test_describe_names_the_signal)
{
	char buf[64];
	struct ss_crash c = {.sig = SIGSEGV, .addr = 0};
	ss_crash_describe(&c, buf, sizeof(buf));
	EXPECT(!strcmp(buf, "SIGSEGV (address 0x0)"));
	c.sig = SIGFPE;
	ss_crash_describe(&c, buf, sizeof(buf));
	EXPECT(!strcmp(buf, "SIGFPE"));
}

int main(void)
{
	RUN(test_null_store_in_a_role_is_a_scenario_crash_of_its_cpu);
	RUN(test_abort_in_a_role_is_a_scenario_crash_and_the_emulator_goes_on);
	RUN(test_describe_names_the_signal);
	TEST_SUMMARY();
}
