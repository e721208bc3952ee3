/* results/knobs.h - the allocator knobs a run is a pure function of, as results
 * record them: the SLUB variant, the obj_exts placement and the whole allocator
 * configuration, with the names reproducers and reports use.  alloc/alloc.h
 * builds the allocator interface on them; they live here so that results/
 * (reproducers, result documents) depends on no other directory.
 */
#ifndef SS_RES_KNOBS_H
#define SS_RES_KNOBS_H

#include <stdbool.h>
#include <stddef.h>

/* The SLUB code paths of the real history (reference/slub-model.md §3). */
enum ss_variant {
	SS_VARIANT_RC1,		 /* v7.0-rc1: lazy plain stride store, no rmb on read */
	SS_VARIANT_EARLY_STRIDE, /* patch [7]: stride set early, before publication */
	SS_VARIANT_WMB_RMB,	 /* patch [5]: [7] + smp_wmb on write, smp_rmb on read */
	SS_VARIANT_FIXED,	 /* 32-bit stride + [7] (mainline after v7.0-rc2) */
	SS_NVARIANTS,
	/* Not a row of the history: the switches of ss_alloc_config.switches. */
	SS_VARIANT_CUSTOM = SS_NVARIANTS
};

/* The switches of the slab model (alloc/slab.c): a named variant is one row of
 * values (ss_variant_switches), --variant custom --set NAME=VALUE,... any
 * combination.  Each is a bit of ss_alloc_config.switches, off = the first value
 * named (rc1 is all off); the stride's width is the separate stride_bits, shown
 * to users as the switch stride-bits=16|32. */
enum ss_slab_switch {
	SS_SW_STRIDE_EARLY,	  /* stride=late|early: where slab->stride is set */
	SS_SW_WMB_AFTER_STRIDE,	  /* wmb-after-stride=off|on: smp_wmb() after a stride
				   * store made before obj_exts is published */
	SS_SW_INOBJ_STRIDE_FIRST, /* inobj-order=exts-first|stride-first: in-object
				   * vectors store stride before obj_exts */
	SS_SW_RMB_BEFORE_STRIDE,  /* rmb-before-stride=off|on: smp_rmb() at the
				   * start of slab_get_stride() */
	SS_SW_STRIDE_ONCE,	  /* stride-access=plain|once: READ_ONCE/WRITE_ONCE */
	SS_SW_OBJEXTS_ACQUIRE,	  /* obj-exts-read=once|acquire: how the free and
				   * alloc hooks load slab->obj_exts */
	SS_NSWITCHES
};
#define SS_SW(sw) (1u << (sw))
#define SS_SW_ALL ((1u << SS_NSWITCHES) - 1)
/* Switches as users name them: the SS_NSWITCHES above, then stride-bits. */
#define SS_SW_STRIDE_BITS SS_NSWITCHES
#define SS_NSWITCH_NAMES  (SS_NSWITCHES + 1)

enum ss_objext_placement {
	SS_OBJEXT_SEPARATE, /* kmalloc'ed vector, stride = sizeof(struct slabobj_ext) */
	SS_OBJEXT_LEFTOVER, /* in the slab's leftover space, same stride */
	SS_OBJEXT_IN_OBJECT /* inside each object (SLAB_OBJ_EXT_IN_OBJ), stride = s->size */
};

struct ss_alloc_config {
	enum ss_variant variant;
	unsigned switches;    /* SS_VARIANT_CUSTOM only (SS_SW bits); a named variant
			       * has its row (ss_config_switches) */
	unsigned stride_bits; /* 16 or 32 */
	enum ss_objext_placement objext;
	size_t object_size;	   /* bytes, the kmem_cache's object_size */
	size_t page_size;	   /* bytes, PAGE_SIZE of the modelled machine */
	bool account;		   /* SLAB_ACCOUNT on the cache (charge every object) */
	int ncpus;		   /* CPUs (roles) that will call into the world */
	int nobjcgs;		   /* obj_cgroups; CPU c charges objcg c % nobjcgs */
	unsigned long max_objects; /* upper bound of live objects at once (sizing) */
	bool objcg_atomic;	   /* objcg refcounts in atomic (killed percpu_ref)
				    * mode instead of per-CPU mode */
};

const char *ss_variant_name(enum ss_variant v);
/* -1 when unknown; "custom" is SS_VARIANT_CUSTOM. */
int ss_variant_from_name(const char *name);
/* The stride width a variant ships with (16 for rc1/early-stride/wmb-rmb/custom,
 * 32 for fixed). */
unsigned ss_variant_default_stride_bits(enum ss_variant v);
/* A named variant's row of switch values (0 for custom). */
unsigned ss_variant_switches(enum ss_variant v);
/* The switch values a configuration runs with. */
unsigned ss_config_switches(const struct ss_alloc_config *c);
/* Switch i (0 .. SS_NSWITCH_NAMES-1): its name and its value names (off, on;
 * "16", "32" for stride-bits). */
const char *ss_switch_name(int i);
const char *ss_switch_value_name(int i, bool on);
/* Applies "NAME=VALUE,NAME=VALUE..." to *switches / *stride_bits.  -1 and one line
 * in err naming the bad item and the valid names or values. */
int ss_switches_apply(const char *spec, unsigned *switches, unsigned *stride_bits, char *err,
		      size_t errlen);
/* "stride=early,wmb-after-stride=off,...,stride-bits=16": every switch, in order.
 * Returns snprintf's count. */
int ss_switches_format(unsigned switches, unsigned stride_bits, char *buf, size_t n);
/* The named variant whose row and default width these are, or SS_VARIANT_CUSTOM. */
enum ss_variant ss_variant_of_switches(unsigned switches, unsigned stride_bits);

const char *ss_objext_name(enum ss_objext_placement p);
int ss_objext_from_name(const char *name); /* -1 when unknown */

#endif /* SS_RES_KNOBS_H */
