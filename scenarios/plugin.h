/* scenarios/plugin.h - out-of-tree scenarios: `-s ./my_handoff.c` or `-s ./x.so`.
 *
 * A scenario file includes <slabstress/scenario.h> and ends with
 * SS_EXPORT_SCENARIO(desc), which defines the two symbols looked up here:
 * `slabstress_scenario` (the descriptor) and `slabstress_scenario_abi` (must equal
 * SS_SCENARIO_ABI).  A .c file is compiled once into the per-user cache
 * ($XDG_CACHE_HOME/slabstress, default ~/.cache/slabstress; the name is a hash of the
 * source, the compiler and the ABI) with $CC, else cc, clang or gcc, and loaded
 * with dlopen; a .so is loaded as is.  The binary is linked with -rdynamic, so the
 * plugin calls ss_obj_alloc, the kernel ops, ss_spin_wait from it.
 *
 * A loaded plugin is remembered (by path and by descriptor name) and announced to
 * child processes in SLABSTRESS_SCENARIO_FILE, so ss_scenario_find(name) in a
 * re-exec'ed fuzz worker finds the same scenario.
 */
#ifndef SS_PLUGIN_H
#define SS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "scenarios/scenario.h"

/* The environment variable naming the source (or .so) of the loaded plugin. */
#define SS_PLUGIN_ENV "SLABSTRESS_SCENARIO_FILE"

/* True when -s NAME names a file rather than a built-in scenario: it has a '/' or
 * ends in .c or .so (built-in names never do). */
bool ss_plugin_is_path(const char *name);

/* Loads (compiling a .c when the cache has no copy) the scenario in path.
 * Returns the descriptor, or NULL with one line in err naming the file and the
 * problem (missing file, compile error, wrong ABI, missing symbol, zero roles,
 * too many roles, a name taken by a built-in).  The compiler's own messages go to
 * stderr before.  Loading the same file twice returns the same descriptor. */
const struct ss_scenario *ss_plugin_load(const char *path, char *err, size_t errlen);

/* A loaded plugin's descriptor by its scenario name, or NULL. */
const struct ss_scenario *ss_plugin_find(const char *name);

/* Where a plugin scenario came from: the absolute path of its file and the hash
 * of its content (16 hex digits), or NULL for a built-in scenario. */
const char *ss_plugin_source(const struct ss_scenario *scn, const char **hash);

/* The content hash (16 hex digits + NUL into out) of a file; 0, or -1 on a read
 * error. */
int ss_plugin_file_hash(const char *path, char out[17]);

/* Compiling: the compiler found (NULL: none) and the cache directory.  For
 * `list scenarios -v` and the tests. */
const char *ss_plugin_compiler(void);
int ss_plugin_cache_dir(char *buf, size_t n);

#endif /* SS_PLUGIN_H */
