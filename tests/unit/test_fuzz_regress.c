/* tests/unit/test_fuzz_regress.c - fuzzing's regression tier: every input kept
 * under tests/fuzz-regress/<parser>/ replays through the parser fuzz target's
 * own checks (no libFuzzer needed), the saved lazy-objexts schedule still
 * fails the same way, and the interleaving feedback and the interim minimizer
 * behave. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/coverage.h"
#include "fuzz/fuzz.h"
#include "fuzz/repro_emu.h"
#include "results/repro.h"
#include "test.h"

/* The parser targets, renamed so all three link into this binary. */
#define LLVMFuzzerTestOneInput fuzz_litmus_one
#include "fuzz/parsers/litmus.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_repro_one
#include "fuzz/parsers/repro.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_hex_one
#include "fuzz/parsers/hex.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_lists_one
#include "fuzz/parsers/lists.c"
#undef LLVMFuzzerTestOneInput

static int replay_dir(const char *dir, int (*one)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[1024];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		FILE *f = fopen(p, "rb");
		if (!f)
			continue;
		static uint8_t buf[1 << 20];
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		one(buf, len); /* aborts on a regression */
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

TEST(test_fuzz_regress_litmus_inputs_parse_or_fail_cleanly)
{
	EXPECT(replay_dir("tests/fuzz-regress/litmus", fuzz_litmus_one) > 0);
}

TEST(test_fuzz_regress_repro_inputs_load_or_fail_cleanly)
{
	EXPECT(replay_dir("tests/fuzz-regress/repro", fuzz_repro_one) > 0);
}

TEST(test_fuzz_regress_hex_inputs_agree)
{
	EXPECT(replay_dir("tests/fuzz-regress/hex", fuzz_hex_one) > 0);
	static const char *const odd[] = {"", "0", "zz", "0 0", "00 ff\n", "ABCDEF", "\xff\xfe"};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		fuzz_hex_one((const uint8_t *)odd[i], strlen(odd[i]));
}

TEST(test_fuzz_regress_list_parsers_keep_their_promises)
{
	EXPECT(replay_dir("tests/fuzz-regress/lists", fuzz_lists_one) > 0);
	static const char *const odd[] = {"\0",
					  "\0-",
					  "\0"
					  "0-99999999999999999999",
					  "\0"
					  "5-1",
					  "\0"
					  "0,,1",
					  "\1"
					  "64,,128",
					  "\1"
					  ",64",
					  "\1"
					  "64,",
					  "\1"
					  "18446744073709551615K",
					  "\2"
					  "0",
					  "\2"
					  "1,1",
					  "\2"
					  "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		fuzz_lists_one((const uint8_t *)odd[i], strlen(odd[i] + 1) + 1);
	/* The cases the CLI refuses, refused by the library parsers too. */
	unsigned long long v[8];
	char err[256];
	EXPECT(ss_parse_list("--size", "64,,128", v, 8, 8, 1 << 22, true, err, sizeof(err)) < 0);
	EXPECT(strstr(err, "empty item") != NULL);
	EXPECT(ss_parse_list("--size", "64,128", v, 8, 8, 1 << 22, true, err, sizeof(err)) == 2);
	int cpus[4];
	EXPECT(ss_parse_cpu_list("--cpus", "0-9", NULL, cpus, 4, err, sizeof(err)) < 0);
	EXPECT(strstr(err, "more than 4") != NULL);
}

static struct emu *lazy_emu(const char *variant)
{
	struct ss_repro r;
	memset(&r, 0, sizeof(r));
	snprintf(r.scenario, sizeof(r.scenario), "lazy-objexts");
	snprintf(r.alloc, sizeof(r.alloc), "slab");
	snprintf(r.model, sizeof(r.model), "lkmm");
	const struct ss_scenario *sc = ss_scenario_find("lazy-objexts");
	int v = ss_variant_from_name(variant);
	r.acfg.variant = (enum ss_variant)v;
	r.acfg.stride_bits = ss_variant_default_stride_bits(v);
	r.acfg.objext = SS_OBJEXT_SEPARATE;
	r.acfg.object_size = 64;
	r.acfg.page_size = 4096;
	r.acfg.account = sc->needs_account || sc->handoff != SS_HANDOFF_ALLOCATOR;
	r.acfg.ncpus = sc->nroles;
	r.acfg.nobjcgs = 2;
	r.acfg.max_objects = 4096;
	r.iters = 1;
	r.step_limit = 200000;
	struct emu_config c;
	char err[256];
	if (ss_emu_config_from_repro(&c, &r, NULL, err, sizeof(err)) != 0)
		return NULL;
	return emu_create(&c, err, sizeof(err));
}

/* The reproducer `slabstress fuzz` saved for the stale stride read. */
TEST(test_fuzz_saved_lazy_objexts_schedule_still_fails)
{
	struct ss_repro r;
	char err[512];
	EXPECT_EQ(
	    ss_repro_load(&r, "tests/fuzz-regress/repro/seed-lazy-objexts.json", err, sizeof(err)),
	    0);
	struct emu_config c;
	EXPECT_EQ(ss_emu_config_from_repro(&c, &r, NULL, err, sizeof(err)), 0);
	struct emu *e = emu_create(&c, err, sizeof(err));
	EXPECT(e != NULL);
	if (!e)
		return;
	struct emu_result res;
	EXPECT_EQ(emu_execute(e, r.schedule, r.schedule_len, &res), 0);
	EXPECT(ss_repro_matches(&r, &res));
	EXPECT(ss_fuzz_decisions(r.schedule, r.schedule_len) <= 12);
	/* The same schedule on the fixed variant is clean. */
	struct emu *f = lazy_emu("early-stride");
	EXPECT(f != NULL);
	if (f) {
		EXPECT_EQ(emu_execute(f, r.schedule, r.schedule_len, &res), 0);
		EXPECT_EQ(res.kind, SS_FAIL_NONE);
		emu_destroy(f);
	}
	emu_destroy(e);
	ss_repro_free(&r);
}

/* Feedback is a pure function of the schedule, and schedules that read
 * differently light different counters. */
TEST(test_fuzz_extra_counters_follow_reads_from)
{
	struct emu *e = lazy_emu("rc1");
	EXPECT(e != NULL);
	if (!e)
		return;
	struct ss_repro r;
	char err[512];
	EXPECT_EQ(
	    ss_repro_load(&r, "tests/fuzz-regress/repro/seed-lazy-objexts.json", err, sizeof(err)),
	    0);
	emu_set_trace(e, true);
	static unsigned char sc[SS_COV_COUNTERS], again[SS_COV_COUNTERS];
	struct emu_result res;
	ss_cov_clear();
	EXPECT_EQ(ss_fuzz_execute(e, SS_COV_INTERLEAVING, NULL, 0, &res), 0);
	EXPECT_EQ(res.kind, SS_FAIL_NONE);
	size_t n_sc = ss_cov_count();
	EXPECT(n_sc > 0);
	memcpy(sc, ss_cov_counters, sizeof(sc));
	ss_cov_clear();
	EXPECT_EQ(ss_fuzz_execute(e, SS_COV_INTERLEAVING, NULL, 0, &res), 0);
	EXPECT(!memcmp(sc, ss_cov_counters, sizeof(sc))); /* deterministic */
	ss_cov_clear();
	EXPECT_EQ(ss_fuzz_execute(e, SS_COV_INTERLEAVING, r.schedule, r.schedule_len, &res), 0);
	EXPECT(res.kind != SS_FAIL_NONE);
	memcpy(again, ss_cov_counters, sizeof(again));
	size_t new_features = 0;
	for (size_t i = 0; i < SS_COV_COUNTERS; i++)
		new_features += again[i] && !sc[i];
	EXPECT(new_features > 0); /* the stale read is a new reads-from pair */
	ss_cov_clear();
	EXPECT_EQ(ss_fuzz_execute(e, SS_COV_NONE, r.schedule, r.schedule_len, &res), 0);
	EXPECT_EQ(ss_cov_count(), 1);
	ss_cov_clear();
	ss_repro_free(&r);
	emu_destroy(e);
}

TEST(test_fuzz_fallback_minimizer_keeps_the_failure)
{
	struct emu *e = lazy_emu("rc1");
	EXPECT(e != NULL);
	if (!e)
		return;
	struct ss_repro r;
	char err[512];
	EXPECT_EQ(
	    ss_repro_load(&r, "tests/fuzz-regress/repro/seed-lazy-objexts.json", err, sizeof(err)),
	    0);
	/* Noise a minimizer must strip: extra scheduling bytes that keep the failure
	 * are not guaranteed, so start from the saved one padded with defaults. */
	size_t len = r.schedule_len + 64;
	u8 *s = calloc(1, len);
	memcpy(s, r.schedule, r.schedule_len);
	u8 *out = NULL;
	size_t out_len = 0;
	int ok = ss_fuzz_fails_same(e, s, len, r.kind, r.file, r.line);
	if (ok == 1) {
		EXPECT_EQ(ss_fuzz_minimize_fallback(e, s, len, r.kind, r.file, r.line, 5000, &out,
						    &out_len),
			  0);
		EXPECT(out != NULL);
		EXPECT(out_len <= len);
		EXPECT_EQ(ss_fuzz_fails_same(e, out, out_len, r.kind, r.file, r.line), 1);
		EXPECT(ss_fuzz_decisions(out, out_len) <= ss_fuzz_decisions(s, len));
	}
	/* A clean schedule is refused. */
	u8 *none = NULL;
	size_t nl = 0;
	EXPECT_EQ(ss_fuzz_minimize_fallback(e, NULL, 0, r.kind, r.file, r.line, 100, &none, &nl),
		  -1);
	free(out);
	free(s);
	ss_repro_free(&r);
	emu_destroy(e);
}

TEST(test_fuzz_target_description_round_trips)
{
	struct ss_fuzz_target t, u;
	char err[256], buf[2048], buf2[2048];
	unsetenv(SS_FUZZ_ENV);
	EXPECT_EQ(ss_fuzz_target_from_env(&t, err, sizeof(err)), 0);
	EXPECT(!strcmp(t.ec.scn->name, "lazy-objexts"));
	EXPECT_EQ(t.ec.acfg.variant, ss_variant_from_name("rc1"));
	EXPECT_EQ(t.ec.model, WMM_LKMM);
	snprintf(t.stats_path, sizeof(t.stats_path), "/tmp/x");
	EXPECT_EQ(ss_fuzz_target_encode(&t, buf, sizeof(buf)), 0);
	EXPECT_EQ(ss_fuzz_target_decode(&u, buf, err, sizeof(err)), 0);
	EXPECT_EQ(ss_fuzz_target_encode(&u, buf2, sizeof(buf2)), 0);
	EXPECT(!strcmp(buf, buf2));
	EXPECT_EQ(ss_fuzz_target_decode(&u, "scenario=nope", err, sizeof(err)), -1);
}

int main(void)
{
	RUN(test_fuzz_regress_litmus_inputs_parse_or_fail_cleanly);
	RUN(test_fuzz_regress_repro_inputs_load_or_fail_cleanly);
	RUN(test_fuzz_regress_hex_inputs_agree);
	RUN(test_fuzz_regress_list_parsers_keep_their_promises);
	RUN(test_fuzz_saved_lazy_objexts_schedule_still_fails);
	RUN(test_fuzz_extra_counters_follow_reads_from);
	RUN(test_fuzz_fallback_minimizer_keeps_the_failure);
	RUN(test_fuzz_target_description_round_trips);
	TEST_SUMMARY();
}
