/* tests/unit/test_race.c - data races: candidate detection on a hand-driven
 * access sequence (engine/race.h) and the exact confirmation of a litmus test
 * (litmus/race_check.h), positive and negative. */
#include <stdio.h>

#include "engine/race.h"
#include "litmus/race_check.h"
#include "tests/unit/test.h"

static const struct ss_site st_x = {"t.c", 1, "writer", "x"};
static const struct ss_site ld_x = {"t.c", 2, "reader", "x"};
static const struct ss_site ld_x_once = {"t.c", 3, "reader", "x"};
static const struct ss_site chk = {"t.c", 4, "check", "checker:obj_state"};

TEST(test_candidates)
{
	struct race_log *l = race_log_create(8, 2);
	EXPECT(l != NULL);
	race_exec_begin(l);
	/* CPU 0 plain store of loc 0, CPU 1 plain load of it: a candidate */
	race_note(l, 0, 0, 0, 8, true, true, false, &st_x);
	race_note(l, 0, 1, 0, 8, false, true, false, &ld_x);
	/* marked load against the plain store: a second pair */
	race_note(l, 0, 1, 0, 8, false, false, false, &ld_x_once);
	/* same CPU: none; other bytes of the word: none */
	race_note(l, 0, 0, 0, 8, false, true, false, &ld_x);
	race_note(l, 1, 0, 0, 4, true, true, false, &st_x);
	race_note(l, 1, 1, 4, 4, false, true, false, &ld_x);
	/* the checkers' bookkeeping: never */
	race_note(l, 2, 0, 0, 8, true, true, false, &chk);
	race_note(l, 2, 1, 0, 8, false, true, false, &chk);
	u8 sched[2] = {1, 2};
	race_exec_end(l, sched, 2);
	size_t n;
	const struct race_pair *p = race_pairs(l, &n);
	EXPECT(n == 2);
	EXPECT(p[0].a.site == &st_x && p[0].a.cpu == 0 && p[0].a.write && p[0].a.plain);
	EXPECT(p[0].b.site == &ld_x && p[0].b.cpu == 1 && !p[0].b.write);
	EXPECT(p[0].nsched == 1 && p[0].len[0] == 2 && p[0].sched[0][1] == 2);
	EXPECT(p[1].b.site == &ld_x_once && !p[1].b.plain);
	/* a second execution showing the same pair adds no pair; marked-marked none */
	race_exec_begin(l);
	race_note(l, 0, 0, 0, 8, true, false, false, &st_x);
	race_note(l, 0, 1, 0, 8, false, false, false, &ld_x_once);
	race_exec_end(l, sched, 2);
	race_pairs(l, &n);
	EXPECT(n == 2);
	race_log_destroy(l);
}

static const char *mp_plain = "C mp\n\n{\n}\n\n"
			      "P0(int *x, int *y)\n{\n\t*x = 1;\n\tsmp_store_release(y, 1);\n}\n\n"
			      "P1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\n"
			      "\tr0 = smp_load_acquire(y);\n\tr1 = *x;\n}\n\n"
			      "%s"
			      "exists (1:r1=0)\n";

static int judge(const char *filter)
{
	char text[1024], err[256] = "";
	snprintf(text, sizeof(text), mp_plain, filter);
	return lit_race_judge(text, err, sizeof(err));
}

TEST(test_confirm)
{
	/* without the filter the acquire may read 0 and the plain load races */
	EXPECT(judge("") == 1);
	/* pinned to the execution in which the acquire saw the release: no race */
	EXPECT(judge("filter (1:r0=1)\n") == 0);
	char err[256] = "";
	EXPECT(lit_race_judge("not a litmus test", err, sizeof(err)) == -1);
	EXPECT(err[0] != 0);
}

int main(void)
{
	RUN(test_candidates);
	RUN(test_confirm);
	TEST_SUMMARY();
}
