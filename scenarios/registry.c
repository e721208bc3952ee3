/* scenarios/registry.c - the scenario table, generated from scenarios/list.h (one
 * line per scenario), and the lookups over it (declared in scenario.h).
 */
#include <string.h>

#include "scenarios/plugin.h"
#include "scenarios/scenario.h"

#define SS_SCENARIO(sym) extern const struct ss_scenario ss_scn_##sym;
#include "scenarios/list.h"
#undef SS_SCENARIO

const struct ss_scenario *const ss_scenarios[] = {
#define SS_SCENARIO(sym) &ss_scn_##sym,
#include "scenarios/list.h"
#undef SS_SCENARIO
    NULL,
};

const struct ss_scenario *ss_scenario_builtin(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; ss_scenarios[i]; i++)
		if (!strcmp(ss_scenarios[i]->name, name))
			return ss_scenarios[i];
	return NULL;
}

const struct ss_scenario *ss_scenario_find(const char *name)
{
	const struct ss_scenario *s = ss_scenario_builtin(name);
	return s || !name ? s : ss_plugin_find(name);
}

const struct ss_param *ss_scenario_param(const struct ss_scenario *scn, const char *name)
{
	for (int i = 0; i < SS_MAX_PARAMS && scn->params[i].name; i++)
		if (!strcmp(scn->params[i].name, name))
			return &scn->params[i];
	return NULL;
}
