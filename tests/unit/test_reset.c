/* tests/unit/test_reset.c - executions are independent (issue 9): the world reset
 * restores every byte an execution can read, so a schedule found after many other
 * executions gives the same run in a fresh emulator; SLABSTRESS_CHECK_RESET
 * notices a reset that misses something. */
#include <stdlib.h>
#include <string.h>

#include "alloc/slab.h"
#include "engine/explore.h"
#include "engine/world.h"
#include "fuzz/repro_emu.h"
#include "tests/unit/test.h"

/* ---- an allocator whose reset leaves one word behind -------------------------------- */

static struct ss_alloc_ops leaky_slab;

/* The slab reset, then a word written into the first slab page once an execution
 * has used one: what a reset that forgot the pages would leave. */
static void leaky_reset(void *world)
{
	struct slab_world *w = world;
	ss_alloc_slab.world_reset(world);
	if (w->pages_hwm_max)
		((volatile unsigned long *)w->pages)[3] = 0x5a5a5a5aUL;
}

static struct emu *mk(const char *scn, enum ss_variant v, const struct ss_alloc_ops *alloc)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = ss_scenario_find(scn);
	c.alloc = alloc;
	c.acfg.variant = v;
	c.acfg.stride_bits = ss_variant_default_stride_bits(v);
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = !c.scn->slab_only;
	c.acfg.nobjcgs = 2;
	c.acfg.max_objects = 4096;
	c.model = WMM_LKMM;
	c.seed = SS_EMU_WORLD_SEED;
	char err[256];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("  emu_create: %s\n", err);
	return e;
}

/* ---- failing schedules collected from a keep-going search --------------------------- */

#define NSAVED 60

struct saved {
	u8 *sched;
	size_t len;
	enum ss_fail_kind kind;
	const struct ss_site *site;
	unsigned long step;
};

struct collect {
	struct saved s[NSAVED];
	int n;
};

static void on_failure(void *ctx, const struct emu_result *r, const u8 *sched, size_t len)
{
	struct collect *c = ctx;
	if (c->n == NSAVED)
		return;
	struct saved *s = &c->s[c->n++];
	s->sched = malloc(len ? len : 1);
	memcpy(s->sched, sched, len);
	s->len = len;
	s->kind = r->kind;
	s->site = r->fail.site;
	s->step = r->fail_step;
}

/* Explores keep-going (every failure but the first is found after earlier
 * executions in the same world), then runs each failing schedule again in a
 * fresh emulator: same failure, same site, same step. */
static int replays_differently(const char *scn, enum ss_variant v, enum explore_strategy strat)
{
	struct emu *e = mk(scn, v, &ss_alloc_slab);
	if (!e)
		return -1;
	struct collect c;
	memset(&c, 0, sizeof(c));
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 3;
	o.max_execs = 3000;
	o.stale_prob = 0.3;
	o.keep_going = true;
	o.strategy = strat;
	o.on_failure = on_failure;
	o.failure_ctx = &c;
	struct explore_stats st;
	int rc = explore_run(e, &o, &st);
	explore_stats_free(&st);
	emu_destroy(e);
	if (rc != 0 || c.n < 20) {
		printf("  %s: explore rc %d, %d failures saved\n", scn, rc, c.n);
		return -1;
	}
	int differ = 0;
	for (int i = 0; i < c.n; i++) {
		struct emu *f = mk(scn, v, &ss_alloc_slab);
		struct emu_result res;
		if (!f || emu_execute(f, c.s[i].sched, c.s[i].len, &res) != 0)
			differ++;
		else if (res.kind != c.s[i].kind || res.fail.site != c.s[i].site ||
			 res.fail_step != c.s[i].step)
			differ++;
		emu_destroy(f);
		free(c.s[i].sched);
	}
	if (differ)
		printf("  %s: %d of %d failing schedules replay differently\n", scn, differ, c.n);
	return differ;
}

TEST(test_keep_going_failures_replay_the_same_in_a_fresh_emulator)
{
	EXPECT_EQ(replays_differently("once", SS_VARIANT_WMB_RMB, EXPLORE_RANDOM), 0);
	EXPECT_EQ(replays_differently("pid-fastpath", SS_VARIANT_FIXED, EXPLORE_PCT), 0);
	EXPECT_EQ(replays_differently("lazy-objexts", SS_VARIANT_RC1, EXPLORE_RANDOM), 0);
}

TEST(test_reset_restores_the_first_image)
{
	struct emu *e = mk("once", SS_VARIANT_WMB_RMB, &ss_alloc_slab);
	EXPECT(e != NULL);
	if (!e)
		return;
	struct ss_world *w = emu_world(e);
	unsigned long long first = ss_world_hash(w);
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 7;
	o.max_execs = 500;
	o.stale_prob = 0.3;
	o.keep_going = true;
	struct explore_stats st;
	EXPECT_EQ(explore_run(e, &o, &st), 0);
	explore_stats_free(&st);
	/* The executions used slab pages; the next reset puts back the bytes the
	 * world was created with. */
	EXPECT(((struct slab_world *)w->alloc_world)->pages_hwm > 0);
	ss_world_reset(w, SS_EMU_WORLD_SEED);
	EXPECT(((struct slab_world *)w->alloc_world)->pages_hwm_max > 0);
	EXPECT(ss_world_hash(w) == first);
	/* ... and the hash sees a single word of a slab page. */
	((volatile unsigned long *)((struct slab_world *)w->alloc_world)->pages)[5] = 1;
	EXPECT(ss_world_hash(w) != first);
	emu_destroy(e);
}

TEST(test_check_reset_catches_a_word_left_behind)
{
	leaky_slab = ss_alloc_slab;
	leaky_slab.world_reset = leaky_reset;
	setenv("SLABSTRESS_CHECK_RESET", "1", 1);
	struct emu *e = mk("once", SS_VARIANT_FIXED, &leaky_slab);
	EXPECT(e != NULL);
	if (!e)
		return;
	struct emu_result res;
	EXPECT_EQ(emu_execute(e, NULL, 0, &res), 0);
	EXPECT_EQ(emu_execute(e, NULL, 0, &res), -1);
	EXPECT(res.internal_error);
	EXPECT(strstr(res.internal_msg, "SLABSTRESS_CHECK_RESET") != NULL);
	emu_destroy(e);

	/* The real reset passes the same check. */
	e = mk("once", SS_VARIANT_FIXED, &ss_alloc_slab);
	EXPECT(e != NULL);
	if (!e)
		return;
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(emu_execute(e, NULL, 0, &res), 0);
	emu_destroy(e);
}

int main(void)
{
	RUN(test_keep_going_failures_replay_the_same_in_a_fresh_emulator);
	RUN(test_reset_restores_the_first_image);
	RUN(test_check_reset_catches_a_word_left_behind);
	TEST_SUMMARY();
}
