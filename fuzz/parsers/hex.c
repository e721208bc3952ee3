/* fuzz/parsers/hex.c - libFuzzer target: the two schedule-hex parsers
 * (emu_unhex, which allows whitespace, and ss_hex_decode, which does not).
 * Both must stay inside their buffers, agree where both accept, and
 * round-trip through their encoders. */
#include "engine/emu.h"
#include "fuzz/parsers/common.inc"
#include "results/repro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	size_t cap = size / 2 + 1;
	u8 *a = malloc(cap);
	unsigned char *b = NULL;
	long na = a ? emu_unhex(a, cap, s) : -1;
	long nb = ss_hex_decode(s, &b);
	if (na > (long)cap)
		abort();
	if (na >= 0 && nb >= 0 && (na != nb || memcmp(a, b, (size_t)na)))
		abort(); /* both accepted, different bytes */
	if (nb >= 0) {
		char *enc = ss_hex_encode(b, (size_t)nb);
		unsigned char *c = NULL;
		if (!enc || ss_hex_decode(enc, &c) != nb || (nb && memcmp(b, c, (size_t)nb)))
			abort();
		char *enc2 = malloc(2 * (size_t)nb + 1);
		if (enc2) {
			emu_hex(enc2, b, (size_t)nb);
			if (strcmp(enc, enc2))
				abort(); /* one encoding */
			free(enc2);
		}
		free(enc);
		free(c);
	}
	free(a);
	free(b);
	free(s);
	return 0;
}
