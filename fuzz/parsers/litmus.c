/* fuzz/parsers/litmus.c - libFuzzer target: the C-litmus parser
 * (litmus/litmus.h lit_parse_file) must reject or accept any bytes without a
 * crash, a leak or undefined behaviour; what it accepts must free cleanly. */
#include "fuzz/parsers/common.inc"
#include "litmus/litmus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_scratch(data, size, ".litmus");
	if (!path)
		return 0;
	struct lit_test *t = NULL;
	char err[512];
	if (lit_parse_file(path, &t, err, sizeof(err)) == 0) {
		if (!t)
			abort(); /* success must give a test */
		lit_free(t);
	} else if (!err[0]) {
		abort(); /* an error must say what */
	}
	unlink(path);
	return 0;
}
