/* fuzz/repro_emu.h - between reproducer files (results/repro.h) and the emulator:
 * an emulator config from a reproducer, a reproducer from a failing execution,
 * saving failures under a directory, and the address names traces print.
 *
 * The world PRNG seed of emulator runs is fixed (SS_EMU_WORLD_SEED): a run is a
 * pure function of what a reproducer holds, and --seed only seeds exploration.
 */
#ifndef SS_REPRO_EMU_H
#define SS_REPRO_EMU_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/emu.h"
#include "results/repro.h"

#define SS_EMU_WORLD_SEED 1ULL

/* Fills *c from r (model_override: NULL or a model name replacing r->model).
 * Returns 0, or -1 with a one-line message naming the bad value. */
/* A reproducer of a scenario file names its path and content hash: the file is
 * loaded from there, and one whose content changed since is refused (a one-line
 * error) unless allowed here (replay --force). */
void ss_repro_allow_changed_scenario(bool allow);
int ss_emu_config_from_repro(struct emu_config *c, const struct ss_repro *r,
			     const char *model_override, char *err, size_t errlen);

/* A reproducer (schedule copied, malloc'ed) for this failing execution of an
 * emulator with config c.  The failure message's addresses are written
 * region-relative when e is given. */
int ss_repro_from_emu(struct ss_repro *r, const struct emu *e, const struct emu_result *res,
		      const u8 *sched, size_t len);

/* "<scenario>-<variant>-<model>-<kind>-<8 hex of the schedule's hash>.json" */
void ss_repro_file_name(char *buf, size_t n, const struct emu_config *c, enum ss_fail_kind kind,
			const u8 *sched, size_t len);

/* Saves the failure under dir (created if missing) with the name above; path
 * gets the file written.  Returns 0, or -1 with err. */
int ss_save_failure(const char *dir, const struct emu *e, const struct emu_result *res,
		    const u8 *sched, size_t len, char *path, size_t pathlen, char *err,
		    size_t errlen);

/* Registers the world's memory regions (emu_name_regions: the scenario state,
 * and the regions the allocator names itself), so traces name addresses the
 * same way in every process. */
void ss_emu_name_regions(struct emu *e);

/* Does res show the failure the reproducer recorded: the same kind in the same
 * function?  file:line are reported but not compared, so code that moves keeps
 * its reproducers. */
int ss_repro_matches(const struct ss_repro *r, const struct emu_result *res);

#endif /* SS_REPRO_EMU_H */
