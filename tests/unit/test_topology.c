/* tests/unit/test_topology.c - the sysfs topology reader on fake trees (two packages
 * of two cores with two SMT threads each; one package without SMT; nothing at all),
 * and the pinning policies' choices and fallback notes on them. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/topology.h"
#include "tests/unit/test.h"

static char root[64];

static void put(int cpu, const char *file, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/cpu%d", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%d/topology", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", root, cpu, file);
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
}

/* cpu0-3: first threads of pkg0 core0, pkg0 core1, pkg1 core0, pkg1 core1; cpu4-7
 * their SMT siblings (Linux numbers them this way on Intel servers). */
static void two_packages_smt(void)
{
	snprintf(root, sizeof(root), "/tmp/ss-topo-XXXXXX");
	if (!mkdtemp(root))
		return;
	for (int c = 0; c < 8; c++) {
		int t = c % 4;
		char buf[32];
		snprintf(buf, sizeof(buf), "%d", t / 2);
		put(c, "physical_package_id", buf);
		snprintf(buf, sizeof(buf), "%d", t % 2);
		put(c, "core_id", buf);
		snprintf(buf, sizeof(buf), "%d,%d", t, t + 4);
		put(c, "thread_siblings_list", buf);
	}
}

static void remove_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", root);
}

static const int eight[] = {0, 1, 2, 3, 4, 5, 6, 7};

static void choose(const struct ss_topology *t, enum ss_pin pin, int nthreads, int *out, char *note)
{
	ss_pin_choose(t, pin, 2, nthreads, 1, out, note, 256);
}

TEST(test_reads_packages_cores_and_siblings)
{
	struct ss_topology t;
	two_packages_smt();
	ss_topology_read(root, eight, 8, &t);
	EXPECT(t.from_sysfs);
	EXPECT_EQ(t.n, 8);
	EXPECT_EQ(t.place[2].package, 1);
	EXPECT_EQ(t.place[6].package, 1);
	EXPECT_EQ(t.place[1].core, t.place[5].core);
	EXPECT(t.place[0].core != t.place[1].core);
	EXPECT_EQ(t.place[3].nsiblings, 2);
	remove_tree();
}

TEST(test_policies_on_two_packages_with_smt)
{
	struct ss_topology t;
	int out[8];
	char note[256];
	two_packages_smt();
	ss_topology_read(root, eight, 8, &t);

	/* spread: one per core, the packages alternating: a pair spans both. */
	choose(&t, SS_PIN_SPREAD, 8, out, note);
	int spread[] = {0, 2, 1, 3, 4, 6, 5, 7};
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(out[i], spread[i]);
	EXPECT_EQ(note[0], 0);

	/* compact: siblings together, one package first. */
	choose(&t, SS_PIN_COMPACT, 8, out, note);
	int compact[] = {0, 4, 1, 5, 2, 6, 3, 7};
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(out[i], compact[i]);

	/* smt: each pair on the two threads of one core. */
	choose(&t, SS_PIN_SMT, 4, out, note);
	EXPECT(out[0] == 0 && out[1] == 4 && out[2] == 1 && out[3] == 5);
	EXPECT_EQ(note[0], 0);

	/* cross-package: each pair's roles on different packages. */
	choose(&t, SS_PIN_CROSS_PACKAGE, 8, out, note);
	for (int p = 0; p < 4; p++)
		EXPECT(t.place[out[2 * p]].package != t.place[out[2 * p + 1]].package);
	EXPECT(out[0] == 0 && out[1] == 2);
	EXPECT_EQ(note[0], 0);

	/* none: unpinned; random: a permutation. */
	choose(&t, SS_PIN_NONE, 4, out, note);
	EXPECT(out[0] == -1 && out[3] == -1);
	choose(&t, SS_PIN_RANDOM, 8, out, note);
	int seen = 0;
	for (int i = 0; i < 8; i++)
		seen |= 1 << out[i];
	EXPECT_EQ(seen, 0xff);
	remove_tree();
}

TEST(test_cross_package_short_of_cpus_says_so)
{
	struct ss_topology t;
	int out[4], cpus[] = {0, 1, 4, 2}; /* three on package 0, one on package 1 */
	char note[256];
	two_packages_smt();
	ss_topology_read(root, cpus, 4, &t);
	choose(&t, SS_PIN_CROSS_PACKAGE, 4, out, note);
	EXPECT(strstr(note, "not enough CPUs on each package") != NULL);
	EXPECT(t.place[1].package == 0 && t.place[3].package == 1);
	remove_tree();
}

TEST(test_one_package_without_smt_falls_back_with_a_note)
{
	struct ss_topology t;
	int out[2], two[] = {0, 1};
	char note[256];
	snprintf(root, sizeof(root), "/tmp/ss-topo-XXXXXX");
	if (!mkdtemp(root))
		return;
	put(0, "physical_package_id", "0");
	put(0, "core_id", "0");
	put(0, "thread_siblings_list", "0");
	put(1, "physical_package_id", "0");
	put(1, "core_id", "1");
	put(1, "thread_siblings_list", "1");
	ss_topology_read(root, two, 2, &t);
	choose(&t, SS_PIN_SMT, 2, out, note);
	EXPECT(strstr(note, "falling back to compact") != NULL);
	EXPECT(out[0] == 0 && out[1] == 1);
	choose(&t, SS_PIN_CROSS_PACKAGE, 2, out, note);
	EXPECT(strstr(note, "one package") != NULL && strstr(note, "spread") != NULL);
	EXPECT(out[0] == 0 && out[1] == 1);
	remove_tree();
}

TEST(test_no_sysfs_every_cpu_its_own_core)
{
	struct ss_topology t;
	int out[4], cpus[] = {3, 1, 2, 0};
	char note[256];
	ss_topology_read("/nonexistent/slabstress", cpus, 4, &t);
	EXPECT(!t.from_sysfs);
	EXPECT(t.place[0].core == 3 && t.place[0].package == 0 && t.place[0].nsiblings == 1);
	choose(&t, SS_PIN_SPREAD, 4, out, note);
	EXPECT(out[0] == 3 && out[1] == 1 && out[2] == 2 && out[3] == 0);
	choose(&t, SS_PIN_SMT, 2, out, note);
	EXPECT(strstr(note, "no topology in sysfs") != NULL);
}

TEST(test_sibling_ranges_and_pin_names)
{
	struct ss_topology t;
	int one[] = {2};
	snprintf(root, sizeof(root), "/tmp/ss-topo-XXXXXX");
	if (!mkdtemp(root))
		return;
	put(2, "thread_siblings_list", "2-3,8");
	ss_topology_read(root, one, 1, &t);
	EXPECT_EQ(t.place[0].core, 2);
	EXPECT_EQ(t.place[0].nsiblings, 3);
	remove_tree();
	enum ss_pin p;
	EXPECT(ss_pin_parse("cross-package", &p) == 0 && p == SS_PIN_CROSS_PACKAGE);
	EXPECT(ss_pin_parse("smt", &p) == 0 && p == SS_PIN_SMT);
	EXPECT(ss_pin_parse("fixed", &p) == -1);
	EXPECT(!strcmp(ss_pin_name(SS_PIN_SPREAD), "spread"));
	int d[4], dup[] = {1, -1, 1, 0};
	EXPECT_EQ(ss_distinct_cpus(dup, 4, d), 2);
	EXPECT(d[0] == 1 && d[1] == 0);
}

int main(void)
{
	RUN(test_reads_packages_cores_and_siblings);
	RUN(test_policies_on_two_packages_with_smt);
	RUN(test_cross_package_short_of_cpus_says_so);
	RUN(test_one_package_without_smt_falls_back_with_a_note);
	RUN(test_no_sysfs_every_cpu_its_own_core);
	RUN(test_sibling_ranges_and_pin_names);
	TEST_SUMMARY();
}
