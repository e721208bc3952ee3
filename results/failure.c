/* results/failure.c - failure kind names and the failure hook (results/failure.h). */
#include <string.h>

#include "results/failure.h"

static ss_fail_hook_fn fail_hook;
static void *fail_hook_arg;

static const char *const fail_kind_names[SS_FAIL_NKINDS] = {
    [SS_FAIL_NONE] = "none",
    [SS_FAIL_COUNTER_UNDERFLOW] = "counter-underflow",
    [SS_FAIL_REFCOUNT_UNDERFLOW] = "refcount-underflow",
    [SS_FAIL_WRONG_METADATA] = "wrong-metadata",
    [SS_FAIL_CHARGE_LEAK] = "charge-leak",
    [SS_FAIL_STALE_CONTENT] = "stale-content",
    [SS_FAIL_DOUBLE_FREE] = "double-free",
    [SS_FAIL_USE_AFTER_FREE] = "use-after-free",
    [SS_FAIL_INVARIANT] = "invariant",
    [SS_FAIL_DEADLOCK] = "deadlock",
    [SS_FAIL_STEP_LIMIT] = "step-limit",
    [SS_FAIL_DATA_RACE] = "data-race",
    [SS_FAIL_SCENARIO_CRASH] = "scenario-crash",
};

const char *ss_fail_kind_name(enum ss_fail_kind kind)
{
	if ((unsigned)kind >= SS_FAIL_NKINDS)
		return "unknown";
	return fail_kind_names[kind];
}

enum ss_fail_kind ss_fail_kind_from_name(const char *name)
{
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (!strcmp(name, fail_kind_names[k]))
			return (enum ss_fail_kind)k;
	return SS_FAIL_NONE;
}

void ss_set_fail_hook(ss_fail_hook_fn fn, void *arg)
{
	fail_hook = fn;
	fail_hook_arg = arg;
}

bool ss_fail_deliver(const struct ss_failure *f)
{
	if (!fail_hook)
		return false;
	fail_hook(f, fail_hook_arg);
	return true;
}
