/* alloc/memcg.h - the memcg side of slab accounting: obj_cgroup, its memcg's page
 * counter, and the per-CPU obj_stock byte cache (v7.0-rc1 shapes,
 * reference/slub-model.md §1.5, §1.6).
 *
 * What is shared memory and how it is touched (all through kernel/):
 *   objcg refcount           a percpu_ref.  Per-CPU mode (the default, the kernel's
 *                            normal state): get/put add to this CPU's counter in
 *                            its obj_stock_pcp, unordered and private, as
 *                            this_cpu_add; an unbalanced put shows when the counters
 *                            are summed at quiescence.  Atomic mode (after
 *                            percpu_ref_kill, when the memcg goes offline; the state
 *                            Venkat's crash happened in): get is a relaxed atomic
 *                            add on objcg->refcnt, put atomic_long_sub_and_test
 *                            (fully ordered); underflow is caught at once and
 *                            release runs at zero.
 *   objcg->nr_charged_bytes  sub-page leftovers: atomic add / fully ordered xchg.
 *   memcg->memory            the page counter, in pages: value-returning atomics
 *                            (fully ordered), as page_counter_{try_,}charge/cancel,
 *                            touched only on a page-stock miss (below).
 * Fields written only at create/reset (id, memcg, page_shift) are immutable while
 * roles run and are read directly.
 * The per-CPU obj_stock (bytes, one objcg) and memcg_stock (whole pages, up to
 * NR_MEMCG_STOCK memcgs) are private to their CPU and accessed directly, like the
 * kernel's this_cpu data under local_trylock.
 *
 * Charging goes through two per-CPU caches, as in v7.0-rc1 (mm/memcontrol.c):
 *   bytes  obj_cgroup_charge -> consume_obj_stock; on a miss, whole pages from
 *          obj_cgroup_charge_pages -> try_charge_memcg -> consume_stock; on a miss
 *          there, page_counter_try_charge of a MEMCG_CHARGE_BATCH (64 pages) and
 *          refill_stock of what this charge did not use.
 *   back   obj_cgroup_uncharge_pages -> refill_stock (this CPU's page stock);
 *          the counter is uncharged (memcg_uncharge) only when a slot grows past
 *          the batch, is evicted, or is drained - and by obj_cgroup_release.
 * So the fully ordered counter atomics run once per batch, not once per object:
 * the model adds no barrier the kernel does not have.  memcg_drain_all empties
 * both caches at quiescence (obj stocks first: draining them refills the page
 * stocks), so the accounting checks see every charge in the counter.
 *
 * The world keeps one base reference on every objcg, so a correct run never brings
 * a refcount to zero; reaching zero (or below) is reported as a refcount underflow.
 * There is one memcg per objcg (objcg i charges memcg i).
 */
#ifndef SS_MEMCG_H
#define SS_MEMCG_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/kernel.h"

/* Most obj_cgroups a world may have. */
#define SS_MAX_OBJCGS 64

struct mem_cgroup {
	atomic_long_t memory; /* page counter (pages charged) */
	int id;
	unsigned page_shift;
	char pad[64 - sizeof(atomic_long_t) - 2 * sizeof(int)];
};

struct memcg_ctx;

struct obj_cgroup {
	atomic_long_t refcnt;		/* percpu_ref: the atomic part (all of it in atomic mode) */
	atomic_long_t nr_charged_bytes; /* atomic_t in the kernel; long here for headroom */
	struct mem_cgroup *memcg;
	atomic_t released; /* set by obj_cgroup_release (checker aid) */
	int id;
	struct memcg_ctx *ctx; /* where the per-CPU parts live */
	bool percpu;	       /* per-CPU mode (see above) */
} __attribute__((aligned(64)));

/* rc1's single-slot struct obj_stock_pcp; only its own CPU touches it. */
/* objcgs whose refcount can run in per-CPU mode (ids below this). */
#define SS_PCPU_OBJCGS 8

struct obj_stock_pcp {
	struct obj_cgroup *cached_objcg; /* holds a reference */
	unsigned long nr_bytes;
	char pad[64 - sizeof(void *) - sizeof(unsigned long)];
	/* This CPU's part of each objcg's percpu_ref, in per-CPU mode. */
	long objcg_ref[SS_PCPU_OBJCGS];
};

/* rc1's struct memcg_stock_pcp: pages precharged to up to NR_MEMCG_STOCK memcgs. */
#define NR_MEMCG_STOCK	   7
#define MEMCG_CHARGE_BATCH 64U

struct memcg_stock_pcp {
	u8 nr_pages[NR_MEMCG_STOCK];
	/* Model: the slot refill_stock evicts when all are taken (the kernel picks
	 * one with get_random_u32_below; round robin keeps runs deterministic). */
	u8 evict_next;
	struct mem_cgroup *cached[NR_MEMCG_STOCK]; /* the kernel holds a css ref */
} __attribute__((aligned(64)));

/* The memcg state of one world. */
struct memcg_ctx {
	unsigned long page_size;
	unsigned page_shift;
	int nobjcgs;
	bool atomic_refs;	   /* objcg refcounts in atomic (killed) mode */
	struct obj_cgroup *objcgs; /* nobjcgs entries (world arena) */
	struct mem_cgroup *memcgs; /* nobjcgs entries (world arena) */
	/* Per-CPU, each on its own cache lines: the header above is read by every
	 * CPU on every charge, the stocks are written by their own CPU. */
	struct obj_stock_pcp stock[SS_MAX_CPUS] __attribute__((aligned(64)));
	struct memcg_stock_pcp memcg_stock[SS_MAX_CPUS];
};

/* Bring ctx to its post-create state: every objcg holds the base reference, every
 * counter is zero, every stock is empty.  Quiescent; raw stores. */
void memcg_ctx_init(struct memcg_ctx *m, struct obj_cgroup *objcgs, struct mem_cgroup *memcgs,
		    int nobjcgs, unsigned long page_size);

/* Per-CPU (false, the default after init) or atomic (true) refcount mode for every
 * objcg; quiescent, before any get. */
void memcg_set_atomic_refs(struct memcg_ctx *m, bool atomic_refs);
/* The objcg's reference count: the atomic counter plus every CPU's part. */
long obj_cgroup_refs(const struct obj_cgroup *objcg);

/* The objcg the current CPU charges: objcg (cpu % nobjcgs).  Borrowed pointer. */
struct obj_cgroup *current_obj_cgroup(struct memcg_ctx *m);
/* True when p is one of this world's objcgs (checker: validates loaded pointers). */
bool memcg_is_objcg(const struct memcg_ctx *m, const void *p);

void obj_cgroup_get(struct obj_cgroup *objcg);
void obj_cgroup_put(struct obj_cgroup *objcg);
void obj_cgroup_release(struct obj_cgroup *objcg);

/* Whole pages for objcg's memcg, through this CPU's page stock (try_charge_memcg /
 * refill_stock). */
void obj_cgroup_charge_pages(struct obj_cgroup *objcg, unsigned long nr_pages);
void obj_cgroup_uncharge_pages(struct obj_cgroup *objcg, unsigned long nr_pages);

/* The per-CPU page stock (current CPU) and the page counter behind it. */
bool consume_stock(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages);
void refill_stock(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages);
void drain_stock(struct memcg_stock_pcp *stock, int i);
void drain_stock_fully(struct memcg_stock_pcp *stock);
int try_charge_memcg(struct memcg_ctx *m, struct mem_cgroup *memcg, unsigned long nr_pages);
/* page_counter_uncharge: fully ordered; reports (and repairs) an underflow. */
void memcg_uncharge(struct mem_cgroup *memcg, unsigned long nr_pages);

/* Byte-granular charge/uncharge through the per-CPU stock (current CPU). */
bool consume_obj_stock(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long nr_bytes);
void refill_obj_stock(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long nr_bytes,
		      bool allow_uncharge);
void drain_obj_stock(struct memcg_ctx *m, struct obj_stock_pcp *stock);
/* __obj_cgroup_charge: whole pages to the counter, the rest of the page to the stock. */
int obj_cgroup_charge(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long size);
void obj_cgroup_uncharge(struct memcg_ctx *m, struct obj_cgroup *objcg, unsigned long size);

/* ---- quiescence (engine thread, no role running) ----------------------------------- */

/* Drains every CPU's obj stock, then every CPU's page stock, running as that CPU
 * (sets ss_cpu_id, restores it): afterwards the page counters hold every charge. */
void memcg_drain_all(struct memcg_ctx *m, int ncpus);
/* Checks charges against what live objects hold: for objcg i, charged_bytes[i] is
 * the sum of obj_full_size over live objects whose ext names objcg i, and
 * live_refs[i] the number of such objects.  Whole pages of nr_charged_bytes are
 * uncharged first, as obj_cgroup_release would.  Reports charge-leak /
 * counter-underflow / refcount-underflow; returns the number of failures. */
int memcg_check_quiesce(struct memcg_ctx *m, const unsigned long *charged_bytes,
			const unsigned long *live_refs);

/* The page counter (pages charged, including pages held in page stocks). */
long memcg_page_counter(const struct memcg_ctx *m, int memcg_id);
/* Pages of memcg_id held in the page stock of cpu. */
unsigned long memcg_stock_pages(const struct memcg_ctx *m, int cpu, int memcg_id);

#endif /* SS_MEMCG_H */
