/* engine/trace.h - the emulator's trace, read back: recorded entries, the
 * reordered pair behind a stale load, the selection a reader needs, the
 * two-column rendering, and address naming (engine/trace.c, engine/names.c).
 *
 * Conventions, for every function here:
 *  - e is an emulator from emu_create(); the trace is that of its last
 *    execution run with emu_set_trace(e, true) (empty otherwise), and stays
 *    valid until the next execution or emu_destroy(e);
 *  - indexes are positions in emu_trace()'s array; -1 means "none / unknown";
 *  - buf/out of n bytes are always NUL-terminated (truncated if short; n > 0);
 *  - names never contain host addresses of registered regions, so the text is
 *    the same in every process (no ASLR).
 * Nothing here changes an execution: rendering is read-only.
 */
#ifndef SS_TRACE_H
#define SS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/emu.h"

/* One recorded step. */
enum emu_op {
	EMU_OP_LOAD,
	EMU_OP_STORE,
	EMU_OP_RMW,
	EMU_OP_CAS128,
	EMU_OP_FENCE,
	EMU_OP_LOCK,
	EMU_OP_TRYLOCK,
	EMU_OP_UNLOCK,
	EMU_OP_RELAX,
	EMU_OP_BLOCK,
	EMU_OP_RCU,
};

#define EMU_TR_STALE	 0x01u /* load read an older message than the newest */
#define EMU_TR_FORWARDED 0x02u /* load read the CPU's own buffered store */
#define EMU_TR_DEP	 0x04u /* access was declared / inferred dependent on loads */
#define EMU_TR_FAILED	 0x08u /* conditional RMW / trylock failed */
#define EMU_TR_ACQ	 0x10u
#define EMU_TR_REL	 0x20u
#define EMU_TR_FULL	 0x40u
#define EMU_TR_EXTRA	 0x80u /* fence inserted by emu_config.fences */

struct emu_trace_ent {
	uint32_t step;
	uint8_t cpu, op, size, flags;
	uint8_t sub;	   /* fence kind, rmw op, access kind */
	int8_t rf_cpu;	   /* writer of the value read; -1: initial value */
	int8_t newest_cpu; /* writer of the newest message (stale loads) */
	uint8_t nchoices;
	uint32_t store_id; /* stores: id; loads: id of the store read */
	uint32_t newest_store_id;
	const struct ss_site *site;
	const struct ss_site *rf_site;	   /* loads: site of the store read */
	const struct ss_site *newest_site; /* stale loads: site of the newest store */
	u64 val;			   /* loads: value read; stores: value written */
	u64 newest_val;
	uintptr_t addr;	  /* loads, stores, RMWs: the 8-byte word accessed */
	uint32_t handle;  /* loads (lkmm): the load's dependency handle */
	uint8_t ndeps;	  /* EMU_TR_DEP: handles in deps (0xff: all) */
	uint32_t deps[4]; /* handles of the loads it depends on */
};

/* The recorded entries of the last traced execution; *n gets how many. */
const struct emu_trace_ent *emu_trace(const struct emu *e, size_t *n);

/* The interesting part of the last traced execution in two or more columns, one
 * per CPU: stale loads (with the store they missed), the stores they missed,
 * accesses at the failure's site, fences, full-barrier RMWs, blocking, and the
 * failure line.  full: every step. */
void emu_print_trace(FILE *f, const struct emu *e, const struct emu_result *res, bool full);
/* One entry as the text of its column cell (values region-named). */
void emu_trace_cell(const struct emu *e, const struct emu_trace_ent *t, char *buf, size_t n);
/* For a stale load at trace index i: the index of the store it missed (-1:
 * unknown), and the nearest earlier read of the same CPU that read a store the
 * missed store's CPU made after the missed one (the reordered pair; -1: none). */
long emu_trace_missed(const struct emu *e, size_t i);
long emu_trace_newer_po(const struct emu *e, size_t i);
/* The same selection as JSON-friendly records: calls fn for each shown entry
 * (index into emu_trace()) in order; returns how many. */
size_t emu_trace_select(const struct emu *e, const struct emu_result *res, bool full,
			void (*fn)(void *ctx, size_t idx), void *ctx);

/* Address naming for traces: values and addresses inside a registered region
 * print as "name+0xoff" (or "name[i]+0xoff" with elem_size), so traces are the
 * same in every process (no ASLR addresses).  Regions are kept until
 * emu_destroy; at most 32. */
void emu_add_region(struct emu *e, uintptr_t base, size_t len, size_t elem_size, const char *name);
/* The elements of region `name` are arrays of sub_size-byte entries called
 * sub_name: addresses print as &vec[0].ext[1] (+ offset inside the entry). */
void emu_region_entries(struct emu *e, const char *name, size_t sub_size, const char *sub_name);
/* Writes a value: a region-relative name when v points into a region, else
 * hex.  Returns buf. */
const char *emu_name_value(const struct emu *e, u64 v, char *buf, size_t n);
/* Rewrites every 0x... number in msg that points into a region (messages of
 * failures) into out. */
void emu_name_message(const struct emu *e, const char *msg, char *out, size_t n);
/* The location name of a site for traces: the allocator's name for the
 * site's source text (ss_alloc_location_name: one name for the fields a model
 * splits by width); "?" for NULL or a site without text.  Static storage. */
const char *emu_site_expr(const struct ss_site *s);
/* A C identifier for a location expression (its last member name: st->x is
 * x), or fallback when it has none; into buf of n bytes. */
void emu_expr_ident(char *buf, size_t n, const char *expr, const char *fallback);
/* Registers the world's memory: the scenario state ("st") and the regions
 * the allocator names (ss_alloc_name_regions).  Call once after emu_create. */
void emu_name_regions(struct emu *e);

#endif /* SS_TRACE_H */
