/* results/knobs.c - the names of the SLUB variants and obj_exts placements
 * (results/knobs.h). */
#include <string.h>

#include "results/knobs.h"

static const char *const variant_names[SS_NVARIANTS] = {
    [SS_VARIANT_RC1] = "rc1",
    [SS_VARIANT_EARLY_STRIDE] = "early-stride",
    [SS_VARIANT_WMB_RMB] = "wmb-rmb",
    [SS_VARIANT_FIXED] = "fixed",
};

const char *ss_variant_name(enum ss_variant v)
{
	return (unsigned)v < SS_NVARIANTS ? variant_names[v] : "unknown";
}

int ss_variant_from_name(const char *name)
{
	for (int v = 0; v < SS_NVARIANTS; v++)
		if (!strcmp(variant_names[v], name))
			return v;
	return -1;
}

static const char *const objext_names[] = {
    [SS_OBJEXT_SEPARATE] = "separate",
    [SS_OBJEXT_LEFTOVER] = "leftover",
    [SS_OBJEXT_IN_OBJECT] = "in-object",
};

const char *ss_objext_name(enum ss_objext_placement p)
{
	return (unsigned)p <= SS_OBJEXT_IN_OBJECT ? objext_names[p] : "unknown";
}

int ss_objext_from_name(const char *name)
{
	for (int p = 0; p <= SS_OBJEXT_IN_OBJECT; p++)
		if (!strcmp(objext_names[p], name))
			return p;
	return -1;
}
