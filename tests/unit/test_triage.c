/* tests/unit/test_triage.c - fuzz/triage.c called directly: the seed reproducer
 * replays as saved and forms one group; the same file twice stays one group with
 * two members; a missing path and an empty directory are refused; a file that is
 * not a reproducer is counted apart without stopping the batch. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/triage.h"
#include "tests/unit/test.h"

#define SEED "tests/fuzz-regress/repro/seed-lazy-objexts.json"

TEST(test_seed_reproducer_is_one_group)
{
	struct ss_triage t;
	char err[512];
	ss_triage_init(&t);
	EXPECT_EQ(ss_triage_add_path(&t, SEED, err, sizeof(err)), 0);
	EXPECT_EQ(ss_triage_add_path(&t, SEED, err, sizeof(err)), 0);
	ss_triage_finish(&t);
	EXPECT_EQ(t.nitems, 2);
	EXPECT_EQ(t.nsame, 2);
	EXPECT_EQ(t.ngroups, 1);
	if (t.ngroups == 1) {
		EXPECT_EQ(t.groups[0].count, 2);
		EXPECT_EQ(t.groups[0].kind, SS_FAIL_WRONG_METADATA);
		EXPECT(!strcmp(t.groups[0].func, "check_ext"));
		EXPECT(!strcmp(t.groups[0].variant, "rc1"));
		EXPECT_EQ(t.groups[0].smallest, 0); /* equal sizes: the first path */
	}
	ss_triage_free(&t);
}

TEST(test_bad_paths_and_foreign_files)
{
	struct ss_triage t;
	char err[512], dir[] = "/tmp/ss-triage-XXXXXX", path[600];
	ss_triage_init(&t);
	EXPECT_EQ(ss_triage_add_path(&t, "/nonexistent/x.json", err, sizeof(err)), -1);
	EXPECT(strstr(err, "/nonexistent/x.json") != NULL);
	EXPECT(mkdtemp(dir) != NULL);
	EXPECT_EQ(ss_triage_add_path(&t, dir, err, sizeof(err)), -1);
	EXPECT(strstr(err, "no *.json reproducer") != NULL);
	snprintf(path, sizeof(path), "%s/other.json", dir);
	FILE *f = fopen(path, "w");
	EXPECT(f != NULL);
	if (f) {
		fputs("{\"schema\": \"slabstress-run/1\"}\n", f);
		fclose(f);
	}
	EXPECT_EQ(ss_triage_add_path(&t, dir, err, sizeof(err)), 0);
	ss_triage_finish(&t);
	EXPECT_EQ(t.nunreadable, 1);
	EXPECT_EQ(t.ngroups, 0);
	EXPECT(t.nitems == 1 && t.items[0].status == SS_TRIAGE_UNREADABLE && t.items[0].why[0]);
	ss_triage_free(&t);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(test_seed_reproducer_is_one_group);
	RUN(test_bad_paths_and_foreign_files);
	TEST_SUMMARY();
}
