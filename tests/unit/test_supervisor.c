/* tests/unit/test_supervisor.c - the fuzz supervisor (fuzz/supervisor.h) without
 * libFuzzer: its work directory and its cleanup, the worker's command line, and
 * whole campaigns against stand-in workers (shell scripts) that leave a failing
 * schedule, a harmless one, or die without one, and corpus merges against a
 * stand-in for libFuzzer's -merge=1. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/supervisor.h"
#include "results/stop.h"
#include "tests/unit/test.h"

/* lazy-objexts, rc1, lkmm: wrong-metadata (the saved reproducer of the baseline). */
static const char failing_hex[] =
    "e9161d94bf512a975a0100000001010000010100010102010001000001000200000301000001020000000002"
    "000200020002010202000000000001000200000001000200000000000000020000000201000000020200000201"
    "000000010001000001020002010002000000000000000000000200010200020000010000000000000001000200"
    "010000000000000001000000";

static char tmp[64];

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
	chmod(path, mode);
}

/* The default target (lazy-objexts, rc1, lkmm), output under tmp. */
static void default_config(struct ss_fuzz_campaign_config *cfg, char *save, size_t n)
{
	char err[256];
	memset(cfg, 0, sizeof(*cfg));
	unsetenv(SS_FUZZ_ENV);
	EXPECT_EQ(ss_fuzz_target_from_env(&cfg->target, err, sizeof(err)), 0);
	snprintf(save, n, "%s/save", tmp);
	EXPECT_EQ(ss_fuzz_mkdir_p(save), 0);
	cfg->save = save;
	cfg->tmpdir = tmp;
	cfg->duration = 20;
	cfg->min_execs = 300;
}

TEST(test_prepare_makes_the_work_dir_and_destroy_removes_it)
{
	struct ss_fuzz_campaign_config cfg;
	char save[128], err[512] = "", work[4096];
	default_config(&cfg, save, sizeof(save));
	struct ss_fuzz_campaign c;
	EXPECT_EQ(ss_fuzz_campaign_prepare(&c, &cfg, err, sizeof(err)), 0);
	EXPECT(!strncmp(c.work, tmp, strlen(tmp)) && strstr(c.work, "/slabstress-fuzz."));
	EXPECT(exists(c.artifacts) && exists(c.corpus) && exists(c.cfg.target.stats_path));
	EXPECT(!strncmp(c.corpus, c.work, strlen(c.work))); /* a temporary corpus */
	EXPECT(c.sh != NULL && c.e != NULL);
	EXPECT(getenv(SS_FUZZ_ENV) && strstr(getenv(SS_FUZZ_ENV), "lazy-objexts"));
	EXPECT(c.cfg.duration == 20);
	snprintf(work, sizeof(work), "%s", c.work);
	ss_fuzz_campaign_destroy(&c);
	EXPECT(!exists(work));
	EXPECT(c.e == NULL && c.u == NULL);
}

TEST(test_prepare_refuses_a_missing_tmpdir)
{
	struct ss_fuzz_campaign_config cfg;
	char save[128], err[512] = "";
	default_config(&cfg, save, sizeof(save));
	cfg.tmpdir = "/nonexistent/ss-test";
	struct ss_fuzz_campaign c;
	EXPECT_EQ(ss_fuzz_campaign_prepare(&c, &cfg, err, sizeof(err)), SS_FUZZ_SUP_INTERNAL);
	EXPECT(strstr(err, "cannot create a work directory in /nonexistent/ss-test") == err);
	ss_fuzz_campaign_destroy(&c);
}

/* Index of s in argv, or -1. */
static int find_arg(char **argv, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(argv[i], s))
			return i;
	return -1;
}

TEST(test_worker_argv_holds_the_flags_and_the_corpus_last)
{
	struct ss_fuzz_campaign_config cfg;
	char save[128], err[512] = "", corpus[128], prefix[4200];
	default_config(&cfg, save, sizeof(save));
	char *pass[] = {"-dict=x.dict", "-seed=9"};
	snprintf(corpus, sizeof(corpus), "%s/corpus-given", tmp);
	EXPECT_EQ(ss_fuzz_mkdir_p(corpus), 0);
	cfg.corpus = corpus;
	cfg.pass = pass;
	cfg.npass = 2;
	cfg.jobs = 3;
	cfg.keep_going = true;
	cfg.seed_set = true;
	cfg.seed = 42;
	cfg.runs = 1000;
	struct ss_fuzz_campaign c;
	EXPECT_EQ(ss_fuzz_campaign_prepare(&c, &cfg, err, sizeof(err)), 0);
	char *argv[32];
	int n = ss_fuzz_worker_argv(&c, 9.2, argv, 32);
	EXPECT(n > 10);
	EXPECT(argv[n] == NULL);
	EXPECT(!strcmp(argv[0], "slabstress") && !strcmp(argv[1], "fuzz"));
	EXPECT(!strcmp(argv[2], SS_FUZZ_WORKER_ARG));
	snprintf(prefix, sizeof(prefix), "-artifact_prefix=%s/", c.artifacts);
	EXPECT(find_arg(argv, n, prefix) > 2);
	EXPECT(find_arg(argv, n, "-max_len=512") > 2);
	EXPECT(find_arg(argv, n, "-len_control=0") > 2);
	EXPECT(find_arg(argv, n, "-seed=42") > 2);
	EXPECT(find_arg(argv, n, "-max_total_time=10") > 2); /* rounded up */
	EXPECT(find_arg(argv, n, "-fork=3") > 2);
	EXPECT(find_arg(argv, n, "-ignore_crashes=1") > 2);
	EXPECT(find_arg(argv, n, "-runs=1000") > 2);
	/* the caller's flags come after ours, so they win; the corpus is last */
	EXPECT(find_arg(argv, n, "-dict=x.dict") > find_arg(argv, n, "-runs=1000"));
	EXPECT(!strcmp(argv[n - 1], corpus));
	c.sh->execs = 400;
	n = ss_fuzz_worker_argv(&c, 5, argv, 32);
	EXPECT(find_arg(argv, n, "-runs=600") > 2);
	c.workers_started = 2; /* a restarted worker searches on from another seed */
	n = ss_fuzz_worker_argv(&c, 5, argv, 32);
	EXPECT(find_arg(argv, n, "-seed=44") > 2);
	c.sh->execs = 1000;
	EXPECT_EQ(ss_fuzz_worker_argv(&c, 5, argv, 32), 0); /* nothing left to run */
	EXPECT_EQ(ss_fuzz_worker_argv(&c, 5, argv, 8), -1);
	ss_fuzz_campaign_destroy(&c);
	EXPECT(exists(corpus)); /* the caller's corpus stays */
}

static int warnings;
static char last_warning[512];

static void count_warning(void *arg, const char *msg)
{
	(void)arg;
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

/* A stand-in worker: says what libFuzzer says, copies $SS_TEST_ARTIFACT to the
 * artifact prefix, exits $SS_TEST_EXIT. */
static const char fake_worker[] =
    "#!/bin/sh\n"
    "prefix=${3#-artifact_prefix=}\n"
    "echo '#2 INITED cov: 3 ft: 3 corp: 7/7b'\n"
    "echo \"WARNING: unrecognized flag '-bogus=1'; use -help=1 to list all flags\"\n"
    "[ -n \"$SS_TEST_ARTIFACT\" ] && cp \"$SS_TEST_ARTIFACT\" \"${prefix}crash-1\"\n"
    "exit ${SS_TEST_EXIT:-0}\n";

static bool fake_keep_going; /* run_fake's campaign restarts the worker for 2 s */

/* Runs one campaign against the stand-in worker; c is left to the caller. */
static int run_fake(struct ss_fuzz_campaign *c, const char *artifact, const char *exit_status)
{
	struct ss_fuzz_campaign_config cfg;
	char save[128], err[512] = "", exe[128];
	static char save_keep[128];
	default_config(&cfg, save, sizeof(save));
	snprintf(save_keep, sizeof(save_keep), "%s", save);
	cfg.save = save_keep;
	snprintf(exe, sizeof(exe), "%s/worker.sh", tmp);
	write_file(exe, fake_worker, sizeof(fake_worker) - 1, 0755);
	cfg.exe = exe;
	if (fake_keep_going) {
		cfg.keep_going = true;
		cfg.duration = 2;
	}
	if (artifact)
		setenv("SS_TEST_ARTIFACT", artifact, 1);
	else
		unsetenv("SS_TEST_ARTIFACT");
	setenv("SS_TEST_EXIT", exit_status, 1);
	EXPECT_EQ(ss_fuzz_campaign_prepare(c, &cfg, err, sizeof(err)), 0);
	warnings = 0;
	c->hooks.warn = count_warning;
	int rc = ss_fuzz_campaign_run(c);
	ss_fuzz_campaign_finish(c);
	return rc;
}

/* The failing schedule (failing_hex) as bytes, and written to tmp/name as art. */
static void failing_schedule(u8 *sched, const char *name, char *art, size_t artn)
{
	for (size_t i = 0; i < sizeof(failing_hex) / 2; i++)
		sscanf(failing_hex + 2 * i, "%2hhx", &sched[i]);
	snprintf(art, artn, "%s/%s", tmp, name);
	write_file(art, sched, sizeof(failing_hex) / 2, 0644);
}

TEST(test_a_failing_artifact_becomes_a_saved_reproducer)
{
	u8 sched[sizeof(failing_hex) / 2];
	char art[128];
	failing_schedule(sched, "failing.bin", art, sizeof(art));
	struct ss_fuzz_campaign c;
	EXPECT_EQ(run_fake(&c, art, "1"), 0);
	EXPECT_EQ(c.artifacts_seen, 1);
	EXPECT_EQ(c.nu, 1);
	if (c.nu == 1) {
		EXPECT_EQ(c.u[0].kind, SS_FAIL_WRONG_METADATA);
		EXPECT(c.u[0].saved && exists(c.u[0].path) && exists(c.u[0].trace_path));
		EXPECT_EQ(c.u[0].raw_len, sizeof(sched));
		/* minimized: fewer non-default decisions than as found */
		EXPECT(c.u[0].decisions < ss_fuzz_decisions(sched, sizeof(sched)));
		EXPECT(strstr(c.u[0].path, "lazy-objexts-rc1-lkmm-wrong-metadata-") != NULL);
	}
	EXPECT_EQ(c.corpus_size, 7);
	EXPECT_EQ(warnings, 1);
	EXPECT(strstr(last_warning, "libFuzzer: WARNING: unrecognized flag '-bogus=1'") ==
	       last_warning);
	json_t *doc = ss_fuzz_campaign_doc(&c, 0, NULL);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "failed"));
	EXPECT_EQ(json_array_size(json_object_get(doc, "failures")), 1);
	EXPECT_EQ(json_integer_value(json_object_get(json_object_get(doc, "counters"), "corpus")),
		  7);
	json_decref(doc);
	ss_fuzz_campaign_destroy(&c);
}

/* With --keep-going every restarted worker fails on the very same input, so
 * libFuzzer writes the same artifact name again: each is a failing input of
 * the one unique failure, never "a worker that died without one". */
TEST(test_the_same_failing_input_again_after_a_restart_is_counted)
{
	u8 sched[sizeof(failing_hex) / 2];
	char art[128];
	failing_schedule(sched, "failing-again.bin", art, sizeof(art));
	struct ss_fuzz_campaign c;
	fake_keep_going = true;
	EXPECT_EQ(run_fake(&c, art, "77"), 0);
	fake_keep_going = false;
	EXPECT(c.internal[0] == 0);
	EXPECT(c.artifacts_seen >= 2);
	EXPECT(c.workers_started >= 2);
	EXPECT_EQ(c.nu, 1);
	if (c.nu == 1)
		EXPECT_EQ(c.u[0].count, c.artifacts_seen);
	ss_fuzz_campaign_destroy(&c);
}

TEST(test_a_harmless_artifact_is_counted_not_saved)
{
	char art[128];
	snprintf(art, sizeof(art), "%s/empty.bin", tmp);
	write_file(art, "", 0, 0644);
	struct ss_fuzz_campaign c;
	EXPECT_EQ(run_fake(&c, art, "0"), 0);
	EXPECT_EQ(c.artifacts_seen, 1);
	EXPECT_EQ(c.flaky, 1);
	EXPECT_EQ(c.nu, 0);
	json_t *doc = ss_fuzz_campaign_doc(&c, 0, NULL);
	EXPECT(!strcmp(json_string_value(json_object_get(doc, "verdict")), "clean"));
	json_decref(doc);
	ss_fuzz_campaign_destroy(&c);
}

TEST(test_a_worker_dying_without_an_input_is_an_internal_error)
{
	struct ss_fuzz_campaign c;
	EXPECT_EQ(run_fake(&c, NULL, "3"), -1);
	EXPECT(strstr(c.internal, "libFuzzer worker exited 3 without a failing input") ==
	       c.internal);
	EXPECT(c.log_worth_showing);
	EXPECT(exists(c.log_path)); /* its output, for the tail shown */
	/* the log named in the message is a copy next to the reproducers: it
	 * outlives the work directory */
	char kept[600] = "";
	const char *at = strstr(c.internal, "(log: ");
	if (at)
		snprintf(kept, sizeof(kept), "%.*s", (int)strcspn(at + 6, ")"), at + 6);
	EXPECT(strstr(kept, "/save/worker-error-") != NULL);
	ss_fuzz_campaign_destroy(&c);
	EXPECT(exists(kept));
}

/* A stand-in for libFuzzer's merge: writes its arguments to $SS_TEST_ARGS,
 * copies every input of the directories after the first (OUT) into OUT, exits
 * $SS_TEST_EXIT. */
static const char fake_merger[] =
    "#!/bin/sh\n"
    "echo \"$@\" >\"$SS_TEST_ARGS\"\n"
    "out=\n"
    "for a in \"$@\"; do\n"
    "  case $a in -* | fuzz) continue ;; esac\n"
    "  if [ -z \"$out\" ]; then out=$a; else cp \"$a\"/* \"$out\"/; fi\n"
    "done\n"
    "exit ${SS_TEST_EXIT:-0}\n";

/* Merges tmp/A (2 inputs) and tmp/B (1) into tmp/OUT with the stand-in. */
static int run_fake_merge(struct ss_fuzz_campaign *c, const char *exit_status,
			  struct ss_fuzz_merge_counts *n, char *args, size_t argsn)
{
	struct ss_fuzz_campaign_config cfg;
	char save[128], err[512] = "", exe[128], a[128], b[128], out[128], f[160];
	default_config(&cfg, save, sizeof(save));
	snprintf(exe, sizeof(exe), "%s/merger.sh", tmp);
	write_file(exe, fake_merger, sizeof(fake_merger) - 1, 0755);
	cfg.exe = exe;
	snprintf(a, sizeof(a), "%s/A", tmp);
	snprintf(b, sizeof(b), "%s/B", tmp);
	snprintf(out, sizeof(out), "%s/OUT", tmp);
	EXPECT(ss_fuzz_mkdir_p(a) == 0 && ss_fuzz_mkdir_p(b) == 0 && ss_fuzz_mkdir_p(out) == 0);
	const char *names[3] = {"A/in1", "A/in2", "B/in3"};
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s/%s", tmp, names[i]);
		write_file(f, names[i], 5, 0644);
	}
	snprintf(args, argsn, "%s/args", tmp);
	setenv("SS_TEST_ARGS", args, 1);
	setenv("SS_TEST_EXIT", exit_status, 1);
	EXPECT_EQ(ss_fuzz_campaign_prepare(c, &cfg, err, sizeof(err)), 0);
	char *dirs[2] = {a, b};
	return ss_fuzz_campaign_merge(c, out, dirs, 2, n);
}

TEST(test_merge_runs_libfuzzer_merge_into_out_and_counts)
{
	struct ss_fuzz_campaign c;
	struct ss_fuzz_merge_counts n;
	char argsfile[128], line[8192] = "";
	EXPECT_EQ(run_fake_merge(&c, "0", &n, argsfile, sizeof(argsfile)), 0);
	EXPECT_EQ(n.inputs, 3);
	EXPECT_EQ(n.out_before, 0);
	EXPECT_EQ(n.out_after, 3);
	FILE *f = fopen(argsfile, "r");
	EXPECT(f && fgets(line, sizeof(line), f));
	if (f)
		fclose(f);
	EXPECT(strstr(line, "fuzz " SS_FUZZ_WORKER_ARG " -artifact_prefix=") == line);
	EXPECT(strstr(line, " -merge=1 ") != NULL);
	char control[4200];
	snprintf(control, sizeof(control), " -merge_control_file=%s/merge.control ", c.work);
	EXPECT(strstr(line, control) != NULL);
	char tail[300];
	snprintf(tail, sizeof(tail), " %s/OUT %s/A %s/B\n", tmp, tmp, tmp); /* OUT first */
	EXPECT(strlen(line) > strlen(tail) && !strcmp(line + strlen(line) - strlen(tail), tail));
	ss_fuzz_campaign_destroy(&c);
}

TEST(test_a_failing_merge_is_an_internal_error)
{
	struct ss_fuzz_campaign c;
	struct ss_fuzz_merge_counts n;
	char argsfile[128];
	EXPECT_EQ(run_fake_merge(&c, "5", &n, argsfile, sizeof(argsfile)), -1);
	EXPECT(strstr(c.internal, "libFuzzer worker exited 5") == c.internal);
	EXPECT(c.log_worth_showing);
	ss_fuzz_campaign_destroy(&c);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ss-test-supervisor-XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	ss_stop_track_path(tmp, 1); /* removed by ss_stop_cleanup at the end */
	RUN(test_prepare_makes_the_work_dir_and_destroy_removes_it);
	RUN(test_prepare_refuses_a_missing_tmpdir);
	RUN(test_worker_argv_holds_the_flags_and_the_corpus_last);
	RUN(test_a_failing_artifact_becomes_a_saved_reproducer);
	RUN(test_the_same_failing_input_again_after_a_restart_is_counted);
	RUN(test_a_harmless_artifact_is_counted_not_saved);
	RUN(test_a_worker_dying_without_an_input_is_an_internal_error);
	RUN(test_merge_runs_libfuzzer_merge_into_out_and_counts);
	RUN(test_a_failing_merge_is_an_internal_error);
	ss_stop_cleanup();
	EXPECT(!exists(tmp));
	TEST_SUMMARY();
}
