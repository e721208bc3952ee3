/* results/replay_doc.c - the replay result document (results/replay_doc.h). */
#include "results/replay_doc.h"

#include <stdio.h>

#include "results/json.h"

void res_replay_saved_failure(char *buf, size_t n, const char *kind, const char *file, int line,
			      const char *func)
{
	snprintf(buf, n, "%s at %s:%d (%s)", kind, file, line, func);
}

const char *res_replay_match_text(bool matches_saved, bool failed)
{
	return matches_saved ? "matches the saved failure"
	       : failed	     ? "a DIFFERENT failure than the saved one"
			     : "clean: the saved failure did not happen";
}

json_t *res_replay_doc(struct res_replay_info *in, int argc, char **argv)
{
	json_t *doc = res_doc_new("replay", argc, argv);
	json_object_set_new(doc, "reproducer", json_string(in->reproducer));
	json_object_set_new(doc, "scenario", json_string(in->scenario));
	json_object_set_new(doc, "variant", json_string(in->variant));
	json_object_set_new(doc, "model", json_string(in->model));
	json_object_set_new(doc, "saved_model", json_string(in->saved_model));
	/* the dependency mode the verdict rests on */
	json_object_set_new(doc, "deps", json_string(in->deps));
	json_object_set_new(doc, "saved_deps", json_string(in->saved_deps));
	if (in->deps_checked)
		json_object_set_new(doc, "dep_disagreements",
				    json_integer((json_int_t)in->dep_disagreements));
	json_object_set_new(doc, "schedule_bytes", json_integer((json_int_t)in->schedule_bytes));
	json_object_set_new(doc, "saved_failure", json_string(in->saved_failure));
	json_object_set_new(doc, "matches_saved", json_boolean(in->matches_saved));
	json_object_set_new(doc, "verdict", json_string(in->failed ? "failed" : "clean"));
	if (in->failure)
		json_object_set_new(doc, "failure", in->failure);
	json_object_set_new(doc, "trace", in->trace ? in->trace : json_array());
	if (in->attribution)
		json_object_set_new(doc, "attribution", in->attribution);
	in->failure = in->trace = in->attribution = NULL;
	return doc;
}
