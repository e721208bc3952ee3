/* fuzz/parsers/repro.c - libFuzzer target: reproducer files
 * (results/repro.h ss_repro_load).  Any bytes: a clean error or a reproducer;
 * an accepted one must survive save + load unchanged (schedule bytes, kind). */
#include "fuzz/parsers/common.inc"
#include "results/repro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_scratch(data, size, ".json");
	if (!path)
		return 0;
	struct ss_repro r;
	char err[512];
	memset(&r, 0, sizeof(r));
	if (ss_repro_load(&r, path, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();
		unlink(path);
		return 0;
	}
	char again[300];
	snprintf(again, sizeof(again), "%s.again.json", path);
	struct ss_repro r2;
	memset(&r2, 0, sizeof(r2));
	if (ss_repro_save(&r, again, err, sizeof(err)) == 0) {
		if (ss_repro_load(&r2, again, err, sizeof(err)) != 0)
			abort(); /* what we write we must read */
		if (r2.schedule_len != r.schedule_len || r2.kind != r.kind ||
		    (r.schedule_len && memcmp(r.schedule, r2.schedule, r.schedule_len)))
			abort();
		ss_repro_free(&r2);
	}
	unlink(again);
	ss_repro_free(&r);
	unlink(path);
	return 0;
}
