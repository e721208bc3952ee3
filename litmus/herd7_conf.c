/* litmus/herd7_conf.c - herd7's file search, -conf file and macro names
 * (litmus/herd7_conf.h). */
#include "litmus/herd7_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results/json.h"

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* herd7's search: the name as given, then next to the -conf file, then each
 * -I directory, then the library directory. */
bool lit_herd7_find(const struct lit_herd7_conf *h, const char *name, char *out, size_t n)
{
	if (is_file(name) || name[0] == '/') {
		snprintf(out, n, "%s", name);
		return is_file(name);
	}
	const char *dirs[LIT_HERD7_MAX_DIRS + 2];
	int nd = 0;
	if (h->conf_dir[0])
		dirs[nd++] = h->conf_dir;
	for (int i = 0; i < h->ndirs; i++)
		dirs[nd++] = h->dirs[i];
	if (h->libdir)
		dirs[nd++] = h->libdir;
	for (int i = 0; i < nd; i++) {
		snprintf(out, n, "%s/%s", dirs[i], name);
		if (is_file(out))
			return true;
	}
	snprintf(out, n, "%s", name);
	return false;
}

/* A herd7 configuration file: "key value" lines; (* ... *) and # comments. */
int lit_herd7_read_conf(struct lit_herd7_conf *h, const char *arg, char *err, size_t errlen)
{
	char path[512];
	if (!lit_herd7_find(h, arg, path, sizeof(path))) {
		snprintf(err, errlen,
			 "cannot find the -conf file '%s' (looked in ., the -I directories and "
			 "-set-libdir)",
			 arg);
		return -1;
	}
	FILE *f = res_open_input(path); /* a FIFO without a writer reads as empty */
	if (!f) {
		snprintf(err, errlen, "cannot read the -conf file '%s': %s", path, strerror(errno));
		return -1;
	}
	snprintf(h->conf_dir, sizeof(h->conf_dir), "%s", path);
	char *slash = strrchr(h->conf_dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(h->conf_dir, sizeof(h->conf_dir), ".");
	char line[1024];
	bool in_comment = false;
	while (fgets(line, sizeof(line), f)) {
		if (in_comment || strstr(line, "(*")) {
			in_comment = !strstr(line, "*)");
			continue;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char key[64], val[448];
		if (sscanf(line, " %63s %447s", key, val) != 2)
			continue;
		if (!strcmp(key, "model") || !strcmp(key, "cat"))
			snprintf(h->model, sizeof(h->model), "%s", val);
		else if (!strcmp(key, "bell"))
			snprintf(h->bell, sizeof(h->bell), "%s", val);
		else if (!strcmp(key, "macros"))
			snprintf(h->macros, sizeof(h->macros), "%s", val);
	}
	fclose(f);
	return 0;
}

/* The names a linux-kernel.def defines: "NAME(args) body" lines. */
void lit_herd7_read_macros(struct lit_herd7_conf *h)
{
	char path[512];
	if (!h->macros[0] || !lit_herd7_find(h, h->macros, path, sizeof(path)))
		return; /* the built-in list: the kernel's linux-kernel.def */
	FILE *f = res_open_input(path);
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f) && h->nmacros < LIT_HERD7_MAX_MACROS) {
		size_t n = 0;
		while (line[n] == '_' || (line[n] >= 'a' && line[n] <= 'z') ||
		       (line[n] >= 'A' && line[n] <= 'Z') ||
		       (n && line[n] >= '0' && line[n] <= '9'))
			n++;
		if (!n || line[n] != '(')
			continue;
		line[n] = 0;
		h->macro_names[h->nmacros] = strdup(line);
		if (!h->macro_names[h->nmacros])
			abort();
		h->nmacros++;
	}
	fclose(f);
}

void lit_herd7_conf_free(struct lit_herd7_conf *h)
{
	for (int i = 0; i < h->nmacros; i++)
		free(h->macro_names[i]);
	h->nmacros = 0;
}
