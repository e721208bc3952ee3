/* engine/names.c - address naming for traces and failure messages
 * (engine/trace.h): registered regions of the world's memory, and location
 * names, which the allocator supplies (ss_alloc_location_name): the engine
 * knows no allocator fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "engine/emu_internal.h"

void emu_add_region(struct emu *e, uintptr_t base, size_t len, size_t elem_size, const char *name)
{
	if (e->nreg >= (int)(sizeof(e->reg) / sizeof(e->reg[0])) || !len)
		return;
	e->reg[e->nreg].base = base;
	e->reg[e->nreg].len = len;
	e->reg[e->nreg].elem = elem_size;
	e->reg[e->nreg].sub = 0;
	snprintf(e->reg[e->nreg].name, sizeof(e->reg[0].name), "%s", name);
	e->nreg++;
}

const char *emu_name_value(const struct emu *e, u64 v, char *buf, size_t n)
{
	for (int i = 0; e && i < e->nreg; i++) { /* no emulator kept: the raw value */
		uintptr_t off = (uintptr_t)v - e->reg[i].base;
		if ((uintptr_t)v < e->reg[i].base || off >= e->reg[i].len)
			continue;
		if (e->reg[i].elem) {
			size_t idx = off / e->reg[i].elem, rem = off % e->reg[i].elem;
			int k = snprintf(buf, n, "&%s[%zu]", e->reg[i].name, idx);
			if (e->reg[i].sub && k > 0 && (size_t)k < n) {
				/* &vec[0].ext[1], &page[0].obj[3]+0x8 */
				size_t j = rem / e->reg[i].sub;
				k += snprintf(buf + k, n - (size_t)k, ".%s[%zu]", e->reg[i].subname,
					      j);
				rem %= e->reg[i].sub;
			}
			if (rem && k > 0 && (size_t)k < n)
				snprintf(buf + k, n - (size_t)k, "+%#zx", rem);
		} else if (off) {
			snprintf(buf, n, "&%s+%#lx", e->reg[i].name, (unsigned long)off);
		} else {
			snprintf(buf, n, "&%s", e->reg[i].name);
		}
		return buf;
	}
	snprintf(buf, n, "%#llx", (unsigned long long)v);
	return buf;
}

void emu_region_entries(struct emu *e, const char *name, size_t sub_size, const char *sub_name)
{
	for (int i = 0; i < e->nreg; i++)
		if (!strcmp(e->reg[i].name, name) && sub_size) {
			e->reg[i].sub = sub_size;
			snprintf(e->reg[i].subname, sizeof(e->reg[i].subname), "%s", sub_name);
		}
}

void emu_name_message(const struct emu *e, const char *msg, char *out, size_t n)
{
	size_t o = 0;
	if (!n)
		return;
	for (const char *p = msg; *p && o + 1 < n;) {
		if (p[0] == '0' && p[1] == 'x') {
			char *end;
			unsigned long long v = strtoull(p, &end, 16);
			char nm[64];
			emu_name_value(e, v, nm, sizeof(nm));
			if (nm[0] == '&') {
				int w = snprintf(out + o, n - o, "%s", nm);
				o += w > 0 ? (size_t)w : 0;
				if (o >= n)
					o = n - 1;
				p = end;
				continue;
			}
		}
		out[o++] = *p++;
	}
	out[o] = 0;
}

const char *emu_site_expr(const struct ss_site *s)
{
	if (!s || !s->expr)
		return "?";
	return ss_alloc_location_name(s->expr);
}

/* ss_region_fn for the allocator: one region, and its entries when it has any. */
static void add_alloc_region(void *ctx, uintptr_t base, size_t len, size_t elem_size,
			     const char *name, size_t sub_size, const char *sub_name)
{
	struct emu *e = ctx;
	emu_add_region(e, base, len, elem_size, name);
	if (sub_size)
		emu_region_entries(e, name, sub_size, sub_name);
}

void emu_name_regions(struct emu *e)
{
	struct ss_world *w = e->world;
	e->nreg = 0; /* named once, however often asked */
	if (w->state && e->cfg.scn->state_size)
		emu_add_region(e, (uintptr_t)w->state, e->cfg.scn->state_size, 0, "st");
	ss_alloc_name_regions(e->cfg.alloc, w->alloc_world, &e->cfg.acfg, add_alloc_region, e);
}
