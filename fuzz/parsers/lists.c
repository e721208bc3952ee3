/* fuzz/parsers/lists.c - libFuzzer target: the CPU-list, size-list and
 * number-list parsers (results/parse.h).  The first byte picks the parser, the
 * rest is the argument.  Each must fail with a message or return values that
 * keep its promises (count within max, in range, none twice), and what it
 * accepts must print back as a list it accepts again with the same values. */
#include "fuzz/parsers/common.inc"
#include "results/parse.h"

#define LMAX 16

static void check_values(const unsigned long long *v, int n, unsigned long long lo,
			 unsigned long long hi)
{
	if (n < 1 || n > LMAX)
		abort();
	for (int i = 0; i < n; i++) {
		if (v[i] < lo || v[i] > hi)
			abort();
		for (int j = 0; j < i; j++)
			if (v[i] == v[j])
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 3;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	char err[512] = "", again[LMAX * 24 + 1];
	size_t off = 0;
	if (which == 0) {
		int cpus[LMAX], cpus2[LMAX];
		cpu_set_t allowed;
		CPU_ZERO(&allowed);
		for (int c = 0; c < 64; c += 3)
			CPU_SET(c, &allowed);
		int n = ss_parse_cpu_list("--cpus", s, (size & 1) ? &allowed : NULL, cpus, LMAX,
					  err, sizeof(err));
		if (n < 0) {
			if (!err[0])
				abort();
		} else {
			if (n < 1 || n > LMAX)
				abort();
			for (int i = 0; i < n; i++) {
				if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE)
					abort();
				if ((size & 1) && !CPU_ISSET(cpus[i], &allowed))
					abort();
				off += (size_t)snprintf(again + off, sizeof(again) - off, "%s%d",
							i ? "," : "", cpus[i]);
			}
			if (ss_parse_cpu_list("--cpus", again, NULL, cpus2, LMAX, err,
					      sizeof(err)) != n ||
			    memcmp(cpus, cpus2, (size_t)n * sizeof(int)))
				abort();
		}
	} else {
		bool is_size = which == 1;
		unsigned long long v[LMAX], v2[LMAX], lo = is_size ? 8 : 1,
						      hi = is_size ? 1u << 22 : 1024;
		int n = ss_parse_list(is_size ? "--size" : "--batch", s, v, LMAX, lo, hi, is_size,
				      err, sizeof(err));
		if (n < 0) {
			if (!err[0])
				abort();
		} else {
			check_values(v, n, lo, hi);
			for (int i = 0; i < n; i++)
				off += (size_t)snprintf(again + off, sizeof(again) - off, "%s%llu",
							i ? "," : "", v[i]);
			if (ss_parse_list("--size", again, v2, LMAX, lo, hi, is_size, err,
					  sizeof(err)) != n ||
			    memcmp(v, v2, (size_t)n * sizeof(v[0])))
				abort();
		}
	}
	free(s);
	return 0;
}
