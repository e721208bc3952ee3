/* tests/unit/test_herd7_conf.c - herd7's configuration (litmus/herd7_conf.h):
 * a -conf file's settings, the file search next to it and in -I directories,
 * the macro names of a .def file, and a missing -conf file named in the error. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "litmus/herd7_conf.h"
#include "test.h"

static char dir[] = "/tmp/ss-herd7-XXXXXX";
static char cfg[600], def[600], inc[600];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(test_conf_file_sets_model_bell_and_macros)
{
	struct lit_herd7_conf h = {0};
	char err[1024] = "";
	EXPECT_EQ(lit_herd7_read_conf(&h, cfg, err, sizeof(err)), 0);
	EXPECT(!strcmp(h.model, "linux-kernel.cat"));
	EXPECT(!strcmp(h.bell, "linux-kernel.bell"));
	EXPECT(!strcmp(h.macros, "my.def"));
	EXPECT(!strcmp(h.conf_dir, dir));
	lit_herd7_conf_free(&h);
}

TEST(test_files_are_found_next_to_the_conf_file_and_in_include_dirs)
{
	struct lit_herd7_conf h = {0};
	char err[1024], path[600], want[700];
	EXPECT_EQ(lit_herd7_read_conf(&h, cfg, err, sizeof(err)), 0);
	EXPECT(lit_herd7_find(&h, "my.def", path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/my.def", dir);
	EXPECT(!strcmp(path, want));
	EXPECT(!lit_herd7_find(&h, "other.def", path, sizeof(path)));
	EXPECT(!strcmp(path, "other.def")); /* not found: the name as given */
	struct lit_herd7_conf g = {0};
	g.dirs[g.ndirs++] = inc;
	EXPECT(lit_herd7_find(&g, "other.def", path, sizeof(path)));
	lit_herd7_conf_free(&h);
}

TEST(test_macro_names_come_from_the_def_file)
{
	struct lit_herd7_conf h = {0};
	char err[1024];
	EXPECT_EQ(lit_herd7_read_conf(&h, cfg, err, sizeof(err)), 0);
	lit_herd7_read_macros(&h);
	EXPECT_EQ(h.nmacros, 2);
	if (h.nmacros == 2) {
		EXPECT(!strcmp(h.macro_names[0], "READ_ONCE"));
		EXPECT(!strcmp(h.macro_names[1], "smp_mb"));
	}
	lit_herd7_conf_free(&h);
	EXPECT_EQ(h.nmacros, 0);
}

TEST(test_missing_conf_file_is_named)
{
	struct lit_herd7_conf h = {0};
	char err[1024] = "";
	EXPECT_EQ(lit_herd7_read_conf(&h, "no-such.cfg", err, sizeof(err)), -1);
	EXPECT(strstr(err, "cannot find the -conf file 'no-such.cfg'") != NULL);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("FAIL cannot make %s\n", dir);
		return 1;
	}
	snprintf(cfg, sizeof(cfg), "%s/k.cfg", dir);
	snprintf(def, sizeof(def), "%s/my.def", dir);
	snprintf(inc, sizeof(inc), "%s/inc", dir);
	write_file(cfg, "(* herd7 configuration *)\n"
			"model linux-kernel.cat # the LKMM\n"
			"bell linux-kernel.bell\n"
			"macros my.def\n");
	write_file(def, "// comment\nREAD_ONCE(X) __load{once}(X)\n"
			"smp_mb() { __fence{mb}; }\n\n");
	EXPECT_EQ(mkdir(inc, 0700), 0);
	char other[700];
	snprintf(other, sizeof(other), "%s/other.def", inc);
	write_file(other, "");
	RUN(test_conf_file_sets_model_bell_and_macros);
	RUN(test_files_are_found_next_to_the_conf_file_and_in_include_dirs);
	RUN(test_macro_names_come_from_the_def_file);
	RUN(test_missing_conf_file_is_named);
	unlink(other);
	rmdir(inc);
	unlink(cfg);
	unlink(def);
	rmdir(dir);
	TEST_SUMMARY();
}
