/* results/knobs.c - the names of the SLUB variants, their switches and the obj_exts
 * placements (results/knobs.h): each named variant is one row of switch values. */
#include <stdio.h>
#include <string.h>

#include "results/knobs.h"

static const char *const variant_names[SS_NVARIANTS + 1] = {
    [SS_VARIANT_RC1] = "rc1",	      [SS_VARIANT_EARLY_STRIDE] = "early-stride",
    [SS_VARIANT_WMB_RMB] = "wmb-rmb", [SS_VARIANT_FIXED] = "fixed",
    [SS_VARIANT_CUSTOM] = "custom",
};

/* The rows: reference/slub-model.md §3 (rc1, patches [7] and [5], the u32 fix). */
static const unsigned variant_rows[SS_NVARIANTS] = {
    [SS_VARIANT_RC1] = 0,
    [SS_VARIANT_EARLY_STRIDE] = SS_SW(SS_SW_STRIDE_EARLY),
    [SS_VARIANT_WMB_RMB] = SS_SW(SS_SW_STRIDE_EARLY) | SS_SW(SS_SW_WMB_AFTER_STRIDE) |
			   SS_SW(SS_SW_INOBJ_STRIDE_FIRST) | SS_SW(SS_SW_RMB_BEFORE_STRIDE),
    [SS_VARIANT_FIXED] = SS_SW(SS_SW_STRIDE_EARLY),
};

static const char *const switch_names[SS_NSWITCH_NAMES][3] = {
    [SS_SW_STRIDE_EARLY] = {"stride", "late", "early"},
    [SS_SW_WMB_AFTER_STRIDE] = {"wmb-after-stride", "off", "on"},
    [SS_SW_INOBJ_STRIDE_FIRST] = {"inobj-order", "exts-first", "stride-first"},
    [SS_SW_RMB_BEFORE_STRIDE] = {"rmb-before-stride", "off", "on"},
    [SS_SW_STRIDE_ONCE] = {"stride-access", "plain", "once"},
    [SS_SW_OBJEXTS_ACQUIRE] = {"obj-exts-read", "once", "acquire"},
    [SS_SW_STRIDE_BITS] = {"stride-bits", "16", "32"},
};

const char *ss_variant_name(enum ss_variant v)
{
	return (unsigned)v <= SS_VARIANT_CUSTOM ? variant_names[v] : "unknown";
}

int ss_variant_from_name(const char *name)
{
	for (int v = 0; v <= SS_VARIANT_CUSTOM; v++)
		if (!strcmp(variant_names[v], name))
			return v;
	return -1;
}

unsigned ss_variant_default_stride_bits(enum ss_variant v)
{
	return v == SS_VARIANT_FIXED ? 32 : 16;
}

unsigned ss_variant_switches(enum ss_variant v)
{
	return (unsigned)v < SS_NVARIANTS ? variant_rows[v] : 0;
}

unsigned ss_config_switches(const struct ss_alloc_config *c)
{
	return c->variant == SS_VARIANT_CUSTOM ? c->switches : ss_variant_switches(c->variant);
}

const char *ss_switch_name(int i)
{
	return (unsigned)i < SS_NSWITCH_NAMES ? switch_names[i][0] : "unknown";
}

const char *ss_switch_value_name(int i, bool on)
{
	return (unsigned)i < SS_NSWITCH_NAMES ? switch_names[i][on ? 2 : 1] : "unknown";
}

enum ss_variant ss_variant_of_switches(unsigned switches, unsigned stride_bits)
{
	for (int v = 0; v < SS_NVARIANTS; v++)
		if (variant_rows[v] == switches &&
		    ss_variant_default_stride_bits((enum ss_variant)v) == stride_bits)
			return (enum ss_variant)v;
	return SS_VARIANT_CUSTOM;
}

static int apply_one(const char *item, size_t len, unsigned *switches, unsigned *stride_bits,
		     char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', len);
	size_t nlen = eq ? (size_t)(eq - item) : len;
	for (int i = 0; i < SS_NSWITCH_NAMES; i++) {
		if (strlen(switch_names[i][0]) != nlen || strncmp(item, switch_names[i][0], nlen))
			continue;
		const char *val = eq ? eq + 1 : "";
		size_t vlen = len - (eq ? nlen + 1 : nlen);
		for (int on = 0; on < 2; on++) {
			const char *vn = switch_names[i][1 + on];
			if (strlen(vn) != vlen || strncmp(val, vn, vlen))
				continue;
			if (i == SS_SW_STRIDE_BITS)
				*stride_bits = on ? 32 : 16;
			else if (on)
				*switches |= SS_SW(i);
			else
				*switches &= ~SS_SW(i);
			return 0;
		}
		snprintf(err, errlen, "bad value '%.*s' for switch %s: expected %s or %s",
			 (int)vlen, val, switch_names[i][0], switch_names[i][1],
			 switch_names[i][2]);
		return -1;
	}
	int k =
	    snprintf(err, errlen, "unknown switch '%.*s': expected NAME=VALUE with NAME one of ",
		     (int)nlen, item);
	for (int i = 0; i < SS_NSWITCH_NAMES && k >= 0 && (size_t)k < errlen; i++)
		k += snprintf(err + k, errlen - (size_t)k, "%s%s", i ? ", " : "",
			      switch_names[i][0]);
	return -1;
}

int ss_switches_apply(const char *spec, unsigned *switches, unsigned *stride_bits, char *err,
		      size_t errlen)
{
	const char *p = spec;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (!len) {
			snprintf(err, errlen, "empty switch in '%s': expected NAME=VALUE,...",
				 spec);
			return -1;
		}
		if (apply_one(p, len, switches, stride_bits, err, errlen))
			return -1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int ss_switches_format(unsigned switches, unsigned stride_bits, char *buf, size_t n)
{
	int k = 0;
	for (int i = 0; i < SS_NSWITCH_NAMES; i++) {
		bool on = i == SS_SW_STRIDE_BITS ? stride_bits == 32 : (switches & SS_SW(i)) != 0;
		size_t room = (size_t)k < n ? n - (size_t)k : 0;
		int w = snprintf(room ? buf + k : NULL, room, "%s%s=%s", i ? "," : "",
				 switch_names[i][0], switch_names[i][1 + on]);
		if (w < 0)
			return w;
		k += w;
	}
	return k;
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
