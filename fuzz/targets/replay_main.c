/* fuzz/targets/replay_main.c - runs saved inputs of the standalone target
 * without a fuzzing engine (fio's t/fuzz style): each FILE (or every file of a
 * DIRECTORY) is one schedule, executed as LLVMFuzzerTestOneInput would, its
 * verdict printed with the interleaving of a failing one.
 *   slabstress-fuzz-replay [-q] FILE|DIR...
 * Exit status: 0 none fails, 1 one or more fail, 2 unreadable input, 3 internal.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/emu.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int ss_target_no_abort;
extern struct emu_result ss_target_last;

static int quiet;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "slabstress-fuzz-replay: cannot open '%s'\n", path);
		return 2;
	}
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, k;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
			if (!nb) {
				fclose(f);
				free(buf);
				return 3;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	const struct emu_result *r = &ss_target_last;
	if (r->internal_error) {
		printf("%s: internal error: %s\n", path, r->internal_msg);
		return 3;
	}
	if (r->kind == SS_FAIL_NONE) {
		if (!quiet)
			printf("%s: clean (%zu bytes, %lu steps)\n", path, n, r->steps);
		return 0;
	}
	printf("%s: FAILED: %s\n", path, ss_fail_kind_name(r->kind));
	return 1;
}

static int replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "slabstress-fuzz-replay: cannot open '%s'\n", path);
		return 2;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	DIR *d = opendir(path);
	int worst = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		int rc = replay_path(p);
		if (rc > worst)
			worst = rc;
	}
	if (d)
		closedir(d);
	return worst;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "-q")) {
		quiet = 1;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: slabstress-fuzz-replay [-q] FILE|DIR...\n");
		return 2;
	}
	ss_target_no_abort = 1;
	LLVMFuzzerInitialize(&argc, &argv);
	int worst = 0;
	for (int i = first; i < argc; i++) {
		int rc = replay_path(argv[i]);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
