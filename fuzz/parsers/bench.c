/* fuzz/parsers/bench.c - libFuzzer target: bench results as `slabstress compare`
 * reads them (results/compare.h res_cmp_load).  Any bytes: a clean error (one
 * line in err) or a result; an accepted one is then compared with itself, pairs
 * matched by allocator and by scenario, and the comparison document built. */
#include "fuzz/parsers/common.inc"
#include "results/compare.h"

static void judge_with_itself(const char *path, bool by_alloc)
{
	struct res_cmp c;
	char err[512] = "";
	memset(&c, 0, sizeof(c));
	if (res_cmp_load(&c.f[0], path, err, sizeof(err)) != 0 ||
	    res_cmp_load(&c.f[1], path, err, sizeof(err)) != 0) {
		if (!err[0])
			abort(); /* every refusal says why */
		res_cmp_free(&c);
		return;
	}
	struct res_cmp_options o = {.threshold = 5, .alpha = 0.05, .by_alloc = by_alloc};
	err[0] = 0;
	if (res_cmp_judge(&c, &o, err, sizeof(err)) == 0) {
		if (c.nreg)
			abort(); /* a result is no regression of itself */
		json_t *doc = res_cmp_doc(&c, &o, 0, NULL);
		json_decref(doc);
	} else if (!err[0]) {
		abort();
	}
	res_cmp_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_scratch(data, size, ".json");
	if (!path)
		return 0;
	judge_with_itself(path, true);
	judge_with_itself(path, false);
	unlink(path);
	return 0;
}
