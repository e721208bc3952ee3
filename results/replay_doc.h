/* results/replay_doc.h - the result document of `slabstress replay --format
 * json`: what was replayed, under which model and dependency mode, whether the
 * saved failure happened again, the failure, the trace and the attribution.
 *
 * The caller (fuzz/replay.c) renders the emulator's parts (failure, trace,
 * attribution) as JSON; this file only lays the document out, so the schema
 * lives in one place.
 */
#ifndef SS_RES_REPLAY_DOC_H
#define SS_RES_REPLAY_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct res_replay_info {
	const char *reproducer;		 /* the file replayed */
	const char *scenario, *variant;	 /* as saved */
	const char *model, *saved_model; /* replayed under, saved under */
	const char *deps, *saved_deps;	 /* dependency modes, the same way */
	bool deps_checked;		 /* deps check: dep_disagreements is reported */
	unsigned long dep_disagreements; /* loads where the two sources disagree */
	size_t schedule_bytes;
	const char *saved_failure; /* res_replay_saved_failure()'s text */
	bool matches_saved;	   /* the same kind in the same function */
	bool failed;		   /* the replay failed (any failure) */
	/* Owned by the document once passed (NULL: left out; trace: empty). */
	json_t *failure, *trace, *attribution;
};

/* "KIND at FILE:LINE (FUNC)": the failure a reproducer records. */
void res_replay_saved_failure(char *buf, size_t n, const char *kind, const char *file, int line,
			      const char *func);
/* How the replay compares with the saved failure, in words. */
const char *res_replay_match_text(bool matches_saved, bool failed);

/* The document (schema slabstress-replay); takes over info's json members. */
json_t *res_replay_doc(struct res_replay_info *info, int argc, char **argv);

#endif /* SS_RES_REPLAY_DOC_H */
