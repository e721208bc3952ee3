/* scenarios/scenario.h - handoff scenarios: how an object's pointer travels from the
 * allocating CPU to the freeing CPU.
 *
 * A scenario is one file ending in one designated-initializer descriptor, plus one
 * line in scenarios/list.h (docs/adding-a-scenario.md).  It runs in a *world* (struct ss_world): an
 * allocator instance, the scenario's own shared state (handoff slots, locks,
 * lists), and counters.  Engines call, per round:
 *
 *     reset(w)                     (quiescent; engine thread)
 *     role[i](w, i) on CPU i       (concurrently; each role does w->iters handoffs)
 *     check(w)                     (quiescent; engine thread)
 *
 * Roles touch shared memory only through kernel/ (so the emulator sees it), spin
 * only through ss_spin_wait() (so the emulator can block a poller and the native
 * engine can stop a run), and count handoffs with ss_count_handoff().
 */
#ifndef SS_SCENARIO_H
#define SS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc/alloc.h"
#include "kernel/bug.h"
#include "kernel/kernel.h"

#define SS_MAX_ROLES 4

/* The version of struct ss_scenario, struct ss_world and the helpers below as a
 * scenario file sees them (include/slabstress/scenario.h).  A plugin records the
 * value it was built with; slabstress refuses one built for another.  Bump it on
 * any change to those structs or to an inline helper. */
#define SS_SCENARIO_ABI 2

struct ss_world;

/* Which checks a scenario arms (shown by `slabstress list scenarios`). */
#define SS_CHECK_CONTENT 0x1u /* freeing CPU verifies the object's content */
#define SS_CHECK_MEMCG	 0x2u /* charge/uncharge, objcg refcount, metadata (slab only) */
#define SS_CHECK_FREE	 0x4u /* double free / use after free */
#define SS_CHECK_LEAK	 0x8u /* leaks at quiescence */

/* What the scenario's handoff guarantees under LKMM (reference/slub-model.md §5). */
enum ss_handoff_kind {
	SS_HANDOFF_CORRECT,   /* freeing CPU sees every store made before the handoff */
	SS_HANDOFF_BROKEN,    /* LKMM allows the freeing CPU to miss them */
	SS_HANDOFF_ALLOCATOR, /* exercises the allocator itself (lazy-objexts) */
};

/* A parameter a scenario honours, shown by `slabstress list scenarios -v` and in
 * slabstress.1.  The engines hand the values to the roles in struct ss_world (the
 * field of the same name: w->iters, w->batch); the option that sets one is --NAME
 * (run and bench; explore and fuzz take --iters only). */
struct ss_param {
	const char *name;	/* option and world field: "iters", "batch" */
	unsigned long def;	/* the default of run and bench */
	unsigned long def_emu;	/* the default of explore and fuzz (0: as def) */
	unsigned long min, max; /* what the option accepts */
	const char *help;	/* what this scenario does with it, one line */
};

#define SS_MAX_PARAMS 4

/* --iters: every scenario has it; `what` says what one iteration is here. */
#define SS_PARAM_ITERS(what)                                                                       \
	{                                                                                          \
		"iters", 1000, 1, 1, 1UL << 30, what                                               \
	}

struct ss_scenario {
	const char *name;
	const char *summary;
	int nroles;
	const char *role_names[SS_MAX_ROLES];
	enum ss_handoff_kind handoff;
	unsigned checks;
	bool slab_only;	   /* needs the slab model (e.g. lazy-objexts) */
	size_t state_size; /* bytes of scenario state in w->state, zeroed by the engine */
	/* Slab knobs this scenario needs, or 0 to keep the user's / the default. */
	bool needs_account; /* cache created with SLAB_ACCOUNT */
	bool batches;	    /* honours w->batch (several objects per publish) */
	/* Per-round hooks; reset and check may be NULL. */
	void (*reset)(struct ss_world *w);
	void (*role[SS_MAX_ROLES])(struct ss_world *w, int role);
	void (*check)(struct ss_world *w);
	/* What roles shared by several scenarios read to tell them apart (e.g. the
	 * struct slot_ops of slot.h), through w->scn->role_ops; NULL otherwise. */
	const void *role_ops;
	/* Longer explanation for `slabstress list scenarios -v` and the man page. */
	const char *details;
	/* What the roles read from the world, up to the first without a name. */
	struct ss_param params[SS_MAX_PARAMS];
	/* Every branch the roles take on a loaded value goes through BRANCH_ON()
	 * (kernel/kernel.h, "control dependencies"): the graph engine may then
	 * explore load buffering.  false: every load orders every later store of
	 * its CPU. */
	bool branches_declared;
};

struct ss_world {
	const struct ss_scenario *scn;
	const struct ss_alloc_ops *alloc;
	void *alloc_world;
	const struct ss_alloc_config *acfg;
	void *state;	     /* scn->state_size bytes, cacheline aligned */
	unsigned long iters; /* handoffs each role performs per round */
	unsigned batch;	     /* pointers per publish where the scenario supports it (>= 1) */
	unsigned long round;
	unsigned long long rng[SS_MAX_ROLES]; /* per-role PRNG state, from --seed */
	unsigned jitter;		      /* max spin iterations of random delay, 0 = off */
	volatile int *stop;		      /* set asynchronously: roles must return soon */
	bool shares_alloc; /* a sibling: the allocator world belongs to another */
	/* Counters, each written only by its own role. */
	struct {
		unsigned long long handoffs;
		unsigned long long allocs;
		unsigned long long frees;
		unsigned long long spins;
		char pad[32];
	} ctr[SS_MAX_ROLES];
};

/* Every scenario of scenarios/list.h, in its order; NULL-terminated. */
extern const struct ss_scenario *const ss_scenarios[];
/* A built-in scenario, then a loaded scenario file (by its scenario name or path;
 * a path not loaded yet is loaded quietly: scenarios/plugin.h), or NULL. */
const struct ss_scenario *ss_scenario_find(const char *name);
/* Only the built-in scenarios. */
const struct ss_scenario *ss_scenario_builtin(const char *name);
/* The parameter `name` the scenario declares, or NULL when it ignores it. */
const struct ss_param *ss_scenario_param(const struct ss_scenario *scn, const char *name);

/* ---- helpers for scenario code (scenarios/common.c) ------------------------------- */

/* The allocator branches on what it loads without saying so: opaque code. */
static inline void *ss_obj_alloc(struct ss_world *w, int role, unsigned gfp)
{
	w->ctr[role].allocs++;
	ss_branch(SS_OPAQUE_BEGIN);
	void *obj = w->alloc->alloc(w->alloc_world, gfp);
	ss_branch(SS_OPAQUE_END);
	return obj;
}

/* A role's allocation of an object the scenario's reset reserved (the staging
 * ops of alloc/alloc.h): opaque code as well. */
static inline void *ss_obj_alloc_reserved(struct ss_world *w, int role, void *obj, unsigned gfp)
{
	w->ctr[role].allocs++;
	ss_branch(SS_OPAQUE_BEGIN);
	void *got = w->alloc->alloc_reserved(w->alloc_world, obj, gfp);
	ss_branch(SS_OPAQUE_END);
	return got;
}

static inline void ss_obj_free(struct ss_world *w, int role, void *obj)
{
	w->ctr[role].frees++;
	ss_branch(SS_OPAQUE_BEGIN);
	w->alloc->free(w->alloc_world, obj);
	ss_branch(SS_OPAQUE_END);
}

static inline void ss_count_handoff(struct ss_world *w, int role)
{
	w->ctr[role].handoffs++;
}

/* The tag of the i-th handoff of the round (ss_obj_fill / ss_obj_verify): objects
 * are taken in the order they were published, so the i-th take expects the i-th
 * fill; the round in the high half keeps a stale word from last round unequal. */
static inline unsigned long ss_handoff_tag(const struct ss_world *w, unsigned long i)
{
	return ((unsigned long)w->round << 32) + i + 1;
}

/* Writes a pattern naming (tag) into the object's payload with plain stores, as a
 * user initialising the object would.  The first word holds the tag. */
void ss_obj_fill(struct ss_world *w, void *obj, unsigned long tag);
/* Where a scenario keeps a size-byte header inside the object: the last 8-byte
 * aligned place past the fill pattern, or NULL when the object is too small (the
 * scenario then keeps the header in its own state). */
void *ss_obj_trailer(struct ss_world *w, void *obj, size_t size);
/* On the freeing CPU: reads the payload back and reports stale-content if any word
 * differs from what ss_obj_fill() wrote.  Returns false on a mismatch. */
bool ss_obj_verify(struct ss_world *w, void *obj, unsigned long tag);
/* The producer's start of handoff i: allocates (SS_GFP_ACCOUNT) and fills with tag.
 * NULL, reported as "<scenario>: allocation <i> failed", when the allocator is out. */
void *ss_obj_alloc_filled(struct ss_world *w, int role, unsigned long i, unsigned long tag);
/* The consumer's end of a handoff: verifies the fill, frees, counts the handoff. */
void ss_obj_consume(struct ss_world *w, int role, void *obj, unsigned long tag);

/* One spin iteration of a wait loop: cpu_relax(), plus a bail-out when the run was
 * stopped.  Returns false when the role must give up and return. */
bool ss_spin_wait(struct ss_world *w, int role);

/* Optional random delay between accesses (--jitter). */
void ss_jitter(struct ss_world *w, int role);

/* Per-role PRNG (splitmix64), seeded from --seed. */
unsigned long long ss_rand(struct ss_world *w, int role);

#endif /* SS_SCENARIO_H */
