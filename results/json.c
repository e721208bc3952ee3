/* results/json.c - the one JSON emitter: document header, failures, atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "results/atomic.h"
#include "results/json.h"

#ifndef SS_VERSION
#define SS_VERSION "0.0.0"
#endif

static json_t *host_json(void)
{
	char model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');
			if (colon &&
			    (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5))) {
				snprintf(model, sizeof(model), "%s", colon + 2);
				model[strcspn(model, "\n")] = 0;
				break;
			}
		}
		fclose(f);
	}
	struct utsname u;
	uname(&u);
	return json_pack("{s:s, s:I, s:s, s:s}", "cpu_model", model, "cpus_online",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "kernel", u.release, "arch",
			 u.machine);
}

json_t *res_doc_new(const char *kind, int argc, char **argv)
{
	char schema[64], started[64];
	snprintf(schema, sizeof(schema), "slabstress-%s/%d", kind, SS_SCHEMA_VERSION);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *cmd = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "schema", schema, "tool", "slabstress",
			 "version", SS_VERSION, "command", cmd, "host", host_json(), "started",
			 started);
}

json_t *res_failure_json(const struct ss_failure *f)
{
	json_t *site = json_null();
	if (f->site)
		site = json_pack("{s:s, s:i, s:s, s:s}", "file", f->site->file, "line",
				 f->site->line, "func", f->site->func ? f->site->func : "", "expr",
				 f->site->expr ? f->site->expr : "");
	return json_pack("{s:s, s:i, s:o, s:s}", "kind", ss_fail_kind_name(f->kind), "cpu", f->cpu,
			 "site", site, "message", f->msg);
}

json_t *res_failure_log_json(const struct ss_failure_log *log)
{
	json_t *by_kind = json_object();
	for (int k = 1; k < SS_FAIL_NKINDS; k++)
		if (log->by_kind[k])
			json_object_set_new(by_kind, ss_fail_kind_name(k),
					    json_integer((json_int_t)log->by_kind[k]));
	json_t *first = json_array();
	for (int i = 0; i < log->kept; i++) {
		json_t *f = res_failure_json(&log->first[i]);
		json_object_set_new(f, "round", json_integer((json_int_t)log->round_of[i]));
		json_array_append_new(first, f);
	}
	return json_pack("{s:I, s:o, s:o}", "total", (json_int_t)log->total, "by_kind", by_kind,
			 "first", first);
}

FILE *res_open_input(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Open without waiting for a writer; then read blocking, which returns EOF at
	 * once when there is no writer. */
	int flags = fcntl(fd, F_GETFL);
	FILE *f = NULL;
	if (flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0)
		f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

/* Up to limit bytes of f in a buffer that grows as they come (a small file costs
 * little, whatever the limit).  NULL when out of memory; *rerr: the read error. */
static char *read_at_most(FILE *f, size_t limit, size_t *n, int *rerr)
{
	size_t cap = limit < 65536 ? limit : 65536;
	char *buf = malloc(cap);
	*n = 0;
	while (buf) {
		*n += fread(buf + *n, 1, cap - *n, f);
		if (ferror(f)) {
			*rerr = errno ? errno : EIO;
			break;
		}
		if (*n < cap || cap == limit)
			break;
		size_t more = cap > limit / 2 ? limit : 2 * cap;
		char *grown = realloc(buf, more);
		if (!grown) {
			free(buf);
			return NULL;
		}
		buf = grown;
		cap = more;
	}
	return buf;
}

json_t *res_json_load_limited(const char *path, const char *what, size_t max_bytes, int max_depth,
			      json_error_t *je, char *err, size_t errlen)
{
	err[0] = 0;
	memset(je, 0, sizeof(*je));
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected a %s file", path, what);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > max_bytes) {
		snprintf(err, errlen, "%s: %lld bytes, over the limit of %zu bytes for a %s", path,
			 (long long)st.st_size, max_bytes, what);
		return NULL;
	}
	FILE *f = res_open_input(path);
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	size_t n = 0;
	int rerr = 0;
	char *buf = read_at_most(f, max_bytes + 1, &n, &rerr);
	fclose(f);
	if (!buf || rerr) {
		free(buf);
		if (rerr)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(rerr));
		else
			snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (n > max_bytes) {
		free(buf);
		snprintf(err, errlen, "%s: more than %zu bytes, over the limit for a %s", path,
			 max_bytes, what);
		return NULL;
	}
	if (n == 0) { /* an empty file, or a FIFO no process writes to */
		free(buf);
		snprintf(err, errlen, "%s: empty, expected a %s file", path, what);
		return NULL;
	}
	/* Nesting depth, outside strings: checked before the parser recurses. */
	int depth = 0, maxd = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > maxd)
				maxd = depth;
			if (depth > max_depth) {
				free(buf);
				snprintf(
				    err, errlen,
				    "%s: JSON nested more than %d deep (at byte %zu), over the "
				    "limit for a %s",
				    path, max_depth, i, what);
				return NULL;
			}
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	json_t *doc = json_loadb(buf, n, JSON_REJECT_DUPLICATES, je);
	free(buf);
	return doc;
}

static FILE *json_stdout;

FILE *res_json_stdout(void)
{
	return json_stdout ? json_stdout : stdout;
}

int res_json_stdout_take(void)
{
	if (json_stdout)
		return 0;
	fflush(stdout);
	int fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f || dup2(2, 1) < 0) {
		if (f)
			fclose(f);
		else
			close(fd);
		return -1;
	}
	json_stdout = f;
	return 0;
}

int res_write_atomic(json_t *doc, const char *path, char *err, size_t errlen)
{
	if (!strcmp(path, "-")) {
		FILE *out = res_json_stdout();
		fflush(stdout);
		if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 ||
		    fputc('\n', out) == EOF || fflush(out) != 0) {
			snprintf(err, errlen, "cannot write JSON to stdout");
			return -1;
		}
		return 0;
	}
	struct res_atomic a;
	if (res_atomic_begin(&a, path, err, errlen) != 0)
		return -1;
	bool ok =
	    json_dumpf(doc, a.f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', a.f) != EOF;
	return res_atomic_end(&a, ok, err, errlen);
}
