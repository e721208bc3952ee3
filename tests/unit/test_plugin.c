/* tests/unit/test_plugin.c - scenario files (scenarios/plugin.c) through the loader
 * itself: what counts as a path, the content hash, a .c compiled into the cache
 * and reused, found by name and by path, its origin carried by a reproducer, and
 * each refusal (missing file, compile error, wrong ABI, no symbol, zero roles) as
 * one line naming the file.  The plugins here call nothing of slabstress (this
 * binary is not linked with -rdynamic; tests/cli/test_plugin.sh runs real ones). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "results/repro.h"
#include "scenarios/plugin.h"
#include "tests/unit/test.h"

static char dir[] = "/tmp/ss-plugin-XXXXXX";

static const char plugin_head[] = "#include <slabstress/scenario.h>\n"
				  "static void idle(struct ss_world *w, int role)\n"
				  "{ (void)w; (void)role; }\n";

/* Writes dir/name with the common head and then body; returns its path. */
static const char *write_plugin(const char *name, const char *body)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fprintf(f, "%s%s\n", plugin_head, body);
	fclose(f);
	return p;
}

static int cached_objects(void)
{
	char d[512];
	snprintf(d, sizeof(d), "%s/cache/slabstress", dir);
	DIR *dp = opendir(d);
	int n = 0;
	for (struct dirent *e; dp && (e = readdir(dp));)
		n += strstr(e->d_name, ".so") && e->d_name[0] != '.';
	if (dp)
		closedir(dp);
	return n;
}

TEST(path_or_name)
{
	EXPECT(ss_plugin_is_path("./x.c"));
	EXPECT(ss_plugin_is_path("x.c"));
	EXPECT(ss_plugin_is_path("lib/x.so"));
	EXPECT(ss_plugin_is_path("x.so"));
	EXPECT(!ss_plugin_is_path("release-acquire"));
	EXPECT(!ss_plugin_is_path("lazy-objexts"));
	EXPECT(!ss_plugin_is_path(""));
	for (int i = 0; ss_scenarios[i]; i++)
		EXPECT(!ss_plugin_is_path(ss_scenarios[i]->name));
}

TEST(load_compiles_once)
{
	char err[600];
	const char *p = write_plugin("ok.c", "SS_EXPORT_SCENARIO(.name = \"unit-plugin\", "
					     ".nroles = 2, .role = {idle, idle});");
	const struct ss_scenario *s = ss_plugin_load(p, err, sizeof(err));
	EXPECT(s != NULL);
	if (!s) {
		printf("  %s\n", err);
		return;
	}
	EXPECT(!strcmp(s->name, "unit-plugin"));
	EXPECT_EQ(s->nroles, 2);
	EXPECT_EQ(cached_objects(), 1);
	EXPECT(ss_plugin_load(p, err, sizeof(err)) == s);
	EXPECT(ss_scenario_find("unit-plugin") == s);
	EXPECT(ss_scenario_find(p) == s);
	EXPECT(ss_scenario_builtin("unit-plugin") == NULL);
	const char *hash = NULL, *src = ss_plugin_source(s, &hash);
	char want[17];
	EXPECT(src && strstr(src, "/ok.c"));
	EXPECT(ss_plugin_file_hash(p, want) == 0);
	EXPECT(hash && !strcmp(hash, want));
	EXPECT(ss_plugin_source(ss_scenarios[0], NULL) == NULL);
}

static void expect_refused(const char *name, const char *body, const char *why)
{
	char err[600] = "";
	const char *p = body ? write_plugin(name, body) : name;
	fflush(NULL);
	int saved = dup(2), nul = open("/dev/null", O_WRONLY); /* the compiler's messages */
	dup2(nul, 2);
	EXPECT(ss_plugin_load(p, err, sizeof(err)) == NULL);
	dup2(saved, 2);
	close(saved);
	close(nul);
	EXPECT(strstr(err, name) != NULL);
	EXPECT(strstr(err, why) != NULL);
	EXPECT(strchr(err, '\n') == NULL);
	if (!strstr(err, why))
		printf("  %s: got '%s'\n", name, err);
}

TEST(refusals)
{
	expect_refused("/nonexistent/none.c", NULL, "no such scenario file");
	expect_refused("syntax.c", "this is not C;", "compile error");
	expect_refused("nosym.c", "const int x = 1;", "missing symbol slabstress_scenario");
	expect_refused("abi.c",
		       "const int slabstress_scenario_abi = 999;\n"
		       "const struct ss_scenario slabstress_scenario = {.name = \"abi\", "
		       ".nroles = 1, .role = {idle}};",
		       "built for scenario ABI 999");
	expect_refused("zero.c", "SS_EXPORT_SCENARIO(.name = \"zero\", .nroles = 0);",
		       "zero roles");
	expect_refused("badname.c",
		       "SS_EXPORT_SCENARIO(.name = \"Bad Name\", .nroles = 1, .role = {idle});",
		       "scenario name must be");
	expect_refused("taken.c",
		       "SS_EXPORT_SCENARIO(.name = \"plain\", .nroles = 1, .role = {idle});",
		       "taken by a built-in");
}

TEST(repro_names_the_file)
{
	struct ss_repro r, back;
	memset(&r, 0, sizeof(r));
	strcpy(r.scenario, "unit-plugin");
	strcpy(r.scenario_path, "/abs/ok.c");
	strcpy(r.scenario_hash, "0123456789abcdef");
	strcpy(r.alloc, "slab");
	strcpy(r.model, "lkmm");
	r.acfg.stride_bits = 32;
	r.acfg.object_size = 64;
	r.acfg.page_size = 4096;
	r.acfg.ncpus = 2;
	r.acfg.nobjcgs = 2;
	r.acfg.max_objects = 64;
	r.iters = 1;
	r.step_limit = 1000;
	static unsigned char bytes[] = {1, 2};
	r.schedule = bytes;
	r.schedule_len = 2;
	r.kind = SS_FAIL_STALE_CONTENT;
	strcpy(r.file, "x.c");
	strcpy(r.func, "f");
	char path[256], err[512];
	snprintf(path, sizeof(path), "%s/r.json", dir);
	EXPECT(ss_repro_save(&r, path, err, sizeof(err)) == 0);
	int rc = ss_repro_load(&back, path, err, sizeof(err));
	EXPECT(rc == 0);
	if (rc)
		printf("  %s\n", err);
	EXPECT(!strcmp(back.scenario_path, "/abs/ok.c"));
	EXPECT(!strcmp(back.scenario_hash, "0123456789abcdef"));
	ss_repro_free(&back);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char cache[300];
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("XDG_CACHE_HOME", cache, 1);
	unsetenv("SLABSTRESS_SCENARIO_FILE");
	RUN(path_or_name);
	if (ss_plugin_compiler()) {
		RUN(load_compiles_once);
		RUN(refusals);
	} else {
		printf("skipped load_compiles_once, refusals: no C compiler\n");
	}
	RUN(repro_names_the_file);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	TEST_SUMMARY();
}
