/* fuzz/targets/target.c - the standalone libFuzzer target: one input is one
 * emulator schedule of a fixed scenario (SLABSTRESS_SCENARIO, SLABSTRESS_VARIANT,
 * SLABSTRESS_MODEL, SLABSTRESS_ITERS, SLABSTRESS_FEEDBACK; default lazy-objexts,
 * rc1, lkmm, 1, interleaving).  A failing schedule is a crash: the failure is
 * printed, then abort(), so any engine (libFuzzer, AFL++, LibAFL, OSS-Fuzz's
 * ClusterFuzz) keeps the input.  Built by `make fuzz`; fuzz/targets/replay_main.c
 * runs saved inputs without an engine.  A build may bake in its own defaults
 * with -DSS_TARGET_ENV='"SLABSTRESS_VARIANT=fixed SLABSTRESS_SCENARIO=..."' (what
 * .clusterfuzzlite/build.sh does: a fuzzing service sets no environment); the
 * environment still wins.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

static struct emu *t_emu;
static struct ss_fuzz_target t_target;

/* Set by replay_main: report failures, do not abort. */
int ss_target_no_abort;
struct emu_result ss_target_last;

/* Applies the build's SS_TARGET_ENV ("NAME=VALUE NAME=VALUE"), each only where
 * the environment does not set it. */
static void target_defaults(void)
{
#ifdef SS_TARGET_ENV
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", SS_TARGET_ENV);
	for (char *save = NULL, *kv = strtok_r(buf, " ", &save); kv;
	     kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq = '\0';
		setenv(kv, eq + 1, 0);
	}
#endif
}

static struct emu *target_emu(void)
{
	if (t_emu)
		return t_emu;
	target_defaults();
	char err[256];
	if (ss_fuzz_target_from_env(&t_target, err, sizeof(err)) != 0) {
		fprintf(stderr, "slabstress-fuzz: %s\n", err);
		exit(2);
	}
	t_emu = emu_create(&t_target.ec, err, sizeof(err));
	if (!t_emu) {
		fprintf(stderr, "slabstress-fuzz: internal error: %s\n", err);
		exit(3);
	}
	emu_set_trace(t_emu, true);
	return t_emu;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct emu *e = target_emu();
	const struct emu_config *c = emu_config_of(e);
	fprintf(stderr, "slabstress-fuzz: scenario %s, variant %s, model %s, feedback %s\n",
		c->scn->name, ss_variant_name(c->acfg.variant), wmm_model_name(c->model),
		ss_cov_mode_name(t_target.cov));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu *e = target_emu();
	struct emu_result *res = &ss_target_last;
	if (ss_fuzz_execute(e, t_target.cov, data, size, res) != 0) {
		fprintf(stderr, "slabstress-fuzz: internal error: %s\n", res->internal_msg);
		if (ss_target_no_abort)
			return 0;
		abort();
	}
	if (res->kind != SS_FAIL_NONE) {
		const struct ss_site *s = res->fail.site;
		fprintf(stderr, "slabstress-fuzz: %s on CPU %d at %s:%d: %s\n",
			ss_fail_kind_name(res->kind), res->fail.cpu, s ? s->file : "?",
			s ? s->line : 0, res->fail.msg);
		if (!ss_target_no_abort) {
			emu_print_trace(stderr, e, res, false);
			abort();
		}
	}
	return 0;
}
