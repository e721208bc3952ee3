/* litmus/race_check.c - data-race verdict of a litmus test given as text (see
 * race_check.h).  The parser reads files, so the text goes through a private
 * temporary file. */
#include "litmus/race_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "litmus/graph.h"
#include "litmus/litmus.h"

/* Writes text to a new temporary file; its path in path.  0 or -1. */
static int write_temp(const char *text, char *path, size_t n)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, n, "%s/slabstress-race-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)w;
	}
	close(fd);
	return 0;
}

int lit_race_judge(const char *text, char *err, size_t errlen)
{
	char path[512];
	if (write_temp(text, path, sizeof(path))) {
		snprintf(err, errlen, "cannot write a temporary file for the race test");
		return -1;
	}
	struct lit_test *t = NULL;
	struct lit_error e;
	int rc = lit_parse(path, NULL, &t, &e);
	unlink(path);
	if (rc) {
		snprintf(err, errlen, "the exported race test does not parse: %s", e.msg);
		return -1;
	}
	const char *uns = lit_unsupported(t, LIT_ENGINE_CAT);
	if (uns) {
		snprintf(err, errlen, "too big or unsupported: %s", uns);
		lit_free(t);
		return -1;
	}
	struct lit_opts o = {
	    .model = WMM_LKMM, .engine = LIT_ENGINE_CAT, .max_candidates = LIT_RACE_MAX_CANDIDATES};
	struct lit_result r;
	memset(&r, 0, sizeof(r));
	lit_cat_run(t, &o, &r);
	int verdict;
	if (r.error) {
		snprintf(err, errlen, "too big: %s", r.err);
		verdict = -1;
	} else if (r.gave_up || !r.complete || !r.race_checked) {
		snprintf(err, errlen, "too big: more than %llu candidate executions",
			 (unsigned long long)LIT_RACE_MAX_CANDIDATES);
		verdict = -1;
	} else {
		verdict = r.datarace ? 1 : 0;
	}
	lit_result_free(&r);
	lit_free(t);
	return verdict;
}
