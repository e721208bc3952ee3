/* results/repro.h - reproducer files: one failing emulator execution, self-contained.
 *
 * A reproducer names everything a run is a pure function of (scenario, variant,
 * allocator knobs, model, handoffs per role, schedule bytes) plus the failure it
 * showed, so `slabstress replay` can re-run it on any host and say whether the same
 * failure happens.  Loading is strict: another tool version, a missing field, an
 * unknown field or a bad value is an error naming the file and the field, never a
 * silently different run.
 *
 *   { "schema": "slabstress-repro/1", "tool": "slabstress", "version": "0.1.0",
 *     "scenario": "lazy-objexts", "variant": "rc1", "alloc": "slab",
 *     "knobs": { "stride_bits": 16, "objext": "separate", "object_size": 64,
 *                "page_size": 4096, "account": false, "ncpus": 2, "nobjcgs": 2,
 *                "max_objects": 4096, "objcg_atomic": false },
 *     "model": "lkmm", "deps": "explicit", "iters": 1, "step_limit": 100000,
 *     "schedule": "00ff01...",                 (hex)
 *     "failure": { "kind": "wrong-metadata", "cpu": 1, "file": "alloc/memcg.c",
 *                  "line": 123, "func": "__memcg_slab_free_hook", "message": "..." } }
 *
 * knobs.switches (every slab switch, as --set takes them) is written for variant
 * "custom" and required there; a named variant is its row (the field, if given
 * anyway, must be that row).
 *
 * A failure the graph engine found adds "engine": "graph"; its "schedule" is then
 * the failing execution graph (engine/gx.h, gx_save), not schedule bytes.
 *
 * A scenario from a scenario file (`-s ./x.c`) adds, optionally,
 *     "scenario_path": "/abs/path/x.c", "scenario_hash": "0123456789abcdef"
 * (the file and the hash of its content when the reproducer was saved).
 */
#ifndef SS_REPRO_H
#define SS_REPRO_H

#include <stddef.h>

#include "results/failure.h"
#include "results/knobs.h"

#define SS_REPRO_SCHEMA "slabstress-repro/1"
/* Limits of a reproducer file: its size, its JSON nesting, its schedule (bytes;
 * fuzz --max-len allows up to 1 MiB). */
#define SS_REPRO_MAX_BYTES    (4u << 20)
#define SS_REPRO_MAX_DEPTH    16
#define SS_REPRO_MAX_SCHEDULE (1 << 20)
/* CPUs a reproducer may name: SS_MAX_CPUS of kernel/kernel.h (alloc/alloc.c checks). */
#define SS_REPRO_MAX_CPUS 64

struct ss_repro {
	char scenario[64];
	/* A scenario file's absolute path and content hash (16 hex digits); both
	 * empty for a built-in scenario. */
	char scenario_path[4096];
	char scenario_hash[17];
	char alloc[32];
	char model[16];
	char deps[16];	/* dependency mode (explicit, provenance, check); files
			 * written before it existed: provenance */
	char engine[8]; /* "lkvm" (schedule: schedule bytes) or "graph" (schedule:
			 * the failing execution graph, engine/gx.h's gx_save) */
	struct ss_alloc_config acfg;
	unsigned long iters;
	unsigned long step_limit;
	unsigned char *schedule; /* malloc'ed; ss_repro_free releases it */
	size_t schedule_len;
	/* The failure it showed when saved. */
	enum ss_fail_kind kind;
	int cpu;
	char file[128];
	int line;
	char func[96];
	char message[240];
};

/* Writes atomically; returns 0, or -1 with a message in err. */
int ss_repro_save(const struct ss_repro *r, const char *path, char *err, size_t errlen);
/* Returns 0, or -1 with a one-line message naming the file and the field in err. */
int ss_repro_load(struct ss_repro *r, const char *path, char *err, size_t errlen);
void ss_repro_free(struct ss_repro *r);

/* For result documents (explore/run/fuzz --json "parameters"): adds "switches"
 * (every slab switch of a, as in knobs.switches) and, for a scenario file
 * (scenario_path non-NULL), "scenario_path" and "scenario_hash" as reproducers
 * name it.  params is a json_t object. */
struct json_t;
void ss_repro_params_add(struct json_t *params, const struct ss_alloc_config *a,
			 const char *scenario_path, const char *scenario_hash);

/* Hex of schedule bytes (lowercase out, either case in). */
/* Writes 2*n digits and a NUL into buf (at least 2*n+1 chars). */
void ss_hex_write(char *buf, const unsigned char *b, size_t n);
/* Parses hex into out, skipping the characters in skip (NULL: none); returns the
 * byte count, or -1 on a bad digit, an odd digit count or more than cap bytes. */
long ss_hex_parse(unsigned char *out, size_t cap, const char *hex, const char *skip);
char *ss_hex_encode(const unsigned char *b, size_t n); /* malloc'ed, NUL-terminated */
/* Strict (no separators); returns the byte count, or -1 on a bad digit or odd length. */
long ss_hex_decode(const char *hex, unsigned char **out);

#endif /* SS_REPRO_H */
