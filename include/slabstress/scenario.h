/* include/slabstress/scenario.h - the public scenario API: what a scenario file
 * (`slabstress explore -s ./my_handoff.c`) includes.
 *
 * A scenario file is one C file that defines a descriptor and exports it:
 *
 *     #include <slabstress/scenario.h>
 *
 *     static void producer(struct ss_world *w, int role) { ... }
 *     static void consumer(struct ss_world *w, int role) { ... }
 *
 *     SS_EXPORT_SCENARIO(
 *         .name = "my-handoff", .summary = "...", .nroles = 2,
 *         .role_names = {"producer", "consumer"}, .role = {producer, consumer},
 *         .handoff = SS_HANDOFF_CORRECT, .checks = SS_CHECK_CONTENT | SS_CHECK_FREE,
 *         .state_size = sizeof(struct my_state),
 *         .params = {SS_PARAM_ITERS("handoffs per round")});
 *
 * What it may use is exactly what the built-in scenarios use:
 *   - struct ss_scenario, struct ss_world, struct ss_param, the SS_CHECK_* flags,
 *     enum ss_handoff_kind (scenarios/scenario.h, documented there);
 *   - the object calls ss_obj_alloc / ss_obj_fill / ss_obj_verify / ss_obj_free,
 *     ss_obj_alloc_filled / ss_obj_consume, ss_count_handoff, ss_spin_wait,
 *     ss_jitter, ss_rand (scenarios/scenario.h);
 *   - the kernel primitives READ_ONCE, WRITE_ONCE, PLAIN_LOAD, PLAIN_STORE,
 *     smp_store_release, smp_load_acquire, smp_mb/wmb/rmb, xchg, cmpxchg, atomics,
 *     spinlocks, RCU (kernel/kernel.h), and failure reporting:
 *     SS_FAIL(SS_FAIL_<kind>, fmt, ...) (kernel/bug.h, kinds in results/failure.h).
 * Every shared access goes through those primitives (so the emulator sees it),
 * every wait loop through ss_spin_wait (so a poller can be blocked and a native run
 * stopped).  docs/writing-a-scenario.md walks through a complete file.
 *
 * Building: slabstress compiles a .c itself (flags -std=gnu11 -O2 -fPIC -shared
 * -D_GNU_SOURCE, -mcx16 on x86-64); by hand:
 *     cc -shared -fPIC $(pkg-config --cflags slabstress) my_handoff.c -o my_handoff.so
 * Installed, this header lives in PREFIX/include/slabstress/ next to the in-tree
 * headers it includes, under the same relative paths.
 */
#ifndef SLABSTRESS_SCENARIO_H
#define SLABSTRESS_SCENARIO_H

#include "kernel/bug.h"
#include "kernel/kernel.h"
#include "scenarios/scenario.h"

/* Defines the two symbols slabstress looks up in a scenario file: the descriptor
 * `slabstress_scenario`, initialised with the designated initializers given, and
 * `slabstress_scenario_abi`, the SS_SCENARIO_ABI it was built with (a plugin built
 * for another ABI is refused with exit 2). */
#define SS_EXPORT_SCENARIO(...)                                                                    \
	__attribute__((visibility("default"))) extern const int slabstress_scenario_abi;           \
	__attribute__((visibility("default"))) const int slabstress_scenario_abi =                 \
	    SS_SCENARIO_ABI;                                                                       \
	__attribute__((                                                                            \
	    visibility("default"))) extern const struct ss_scenario slabstress_scenario;           \
	__attribute__((visibility("default")))                                                     \
	const struct ss_scenario slabstress_scenario = {__VA_ARGS__}

#endif /* SLABSTRESS_SCENARIO_H */
