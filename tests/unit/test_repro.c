/* tests/unit/test_repro.c - reproducer files round-trip, and every kind of bad file
 * is refused with a message naming the file and the field. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "results/repro.h"
#include "tests/unit/test.h"

static char dir[] = "/tmp/ss-repro-XXXXXX";

static struct ss_repro sample(void)
{
	static unsigned char bytes[] = {0, 1, 0xfe, 0x7f};
	struct ss_repro r;
	memset(&r, 0, sizeof(r));
	strcpy(r.scenario, "lazy-objexts");
	strcpy(r.alloc, "slab");
	strcpy(r.model, "lkmm");
	r.acfg.variant = SS_VARIANT_RC1;
	r.acfg.stride_bits = 16;
	r.acfg.objext = SS_OBJEXT_SEPARATE;
	r.acfg.object_size = 64;
	r.acfg.page_size = 4096;
	r.acfg.ncpus = 2;
	r.acfg.nobjcgs = 2;
	r.acfg.max_objects = 64;
	r.iters = 1;
	r.step_limit = 10000;
	r.schedule = bytes;
	r.schedule_len = sizeof(bytes);
	r.kind = SS_FAIL_WRONG_METADATA;
	r.cpu = 1;
	strcpy(r.file, "alloc/memcg.c");
	r.line = 42;
	strcpy(r.func, "__memcg_slab_free_hook");
	strcpy(r.message, "ext mismatch");
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

TEST(test_reproducer_round_trips)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/r.json", dir);
	struct ss_repro r = sample(), back;
	EXPECT_EQ(ss_repro_save(&r, path, err, sizeof(err)), 0);
	EXPECT_EQ(ss_repro_load(&back, path, err, sizeof(err)), 0);
	EXPECT(!strcmp(back.scenario, "lazy-objexts"));
	EXPECT_EQ(back.acfg.variant, SS_VARIANT_RC1);
	EXPECT_EQ(back.schedule_len, 4);
	EXPECT(back.schedule && back.schedule[2] == 0xfe);
	EXPECT_EQ(back.kind, SS_FAIL_WRONG_METADATA);
	EXPECT_EQ(back.line, 42);
	ss_repro_free(&back);
}

/* The good document with one key set to v (NULL: removed), as text. */
static const char *edited(const char *good, const char *key, json_t *v)
{
	static char out[4096];
	json_t *doc = json_loads(good, 0, NULL);
	if (v)
		json_object_set_new(doc, key, v);
	else
		json_object_del(doc, key);
	char *text = json_dumps(doc, 0);
	snprintf(out, sizeof(out), "%s", text);
	free(text);
	json_decref(doc);
	return out;
}

static void expect_refused(const char *name, const char *text, const char *needle)
{
	char path[256], err[256] = "";
	struct ss_repro r;
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	write_file(path, text);
	int rc = ss_repro_load(&r, path, err, sizeof(err));
	EXPECT_EQ(rc, -1);
	if (!strstr(err, needle) || !strstr(err, name)) {
		printf("  %s: message '%s' lacks '%s'\n", name, err, needle);
		test_failed_current = 1;
	}
}

TEST(test_bad_reproducers_are_refused_with_the_field_named)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), "%s/good.json", dir);
	struct ss_repro r = sample();
	ss_repro_save(&r, path, err, sizeof(err));
	FILE *f = fopen(path, "r");
	char good[4096];
	size_t n = fread(good, 1, sizeof(good) - 1, f);
	good[n] = 0;
	fclose(f);

	char buf[4096];
	memcpy(buf, good, n / 2);
	buf[n / 2] = 0;
	expect_refused("truncated", buf, "not valid JSON");
	expect_refused("foreign", "{\"schema\": \"slabstress-run/1\"}",
		       "not a slabstress reproducer");
	expect_refused("notobject", "[1,2]", "expected a JSON object");

	expect_refused("oldversion", edited(good, "version", json_string("9.9.9")),
		       "written by slabstress 9.9.9");
	expect_refused("unknownfield", edited(good, "surprise", json_integer(1)),
		       "unknown field 'surprise'");
	expect_refused("badhex", edited(good, "schedule", json_string("0g")), "'schedule'");
	expect_refused("badvariant", edited(good, "variant", json_string("rc9")), "'variant'");
	expect_refused("nomodel", edited(good, "model", NULL), "missing field 'model'");
	expect_refused("badtype", edited(good, "iters", json_string("1")), "'iters'");
	expect_refused("missing", "{}", "schema");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	RUN(test_reproducer_round_trips);
	RUN(test_bad_reproducers_are_refused_with_the_field_named);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	TEST_SUMMARY();
}
