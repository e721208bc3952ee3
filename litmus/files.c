/* litmus/files.c - the list of litmus files a batch runs: every path given,
 * and for a directory every *.litmus file under it (recursively, in name
 * order, so a batch's report is the same on every host).  A path that is
 * neither stays in the list: reading it later gives the file's own error line.
 * Inside a directory, a symbolic link to a directory is not followed (as
 * find(1) does not): corpora link directories into each other.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "litmus/litmus.h"

static void add(struct lit_files *fl, const char *path)
{
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? 2 * fl->cap : 64;
		fl->path = realloc(fl->path, (size_t)fl->cap * sizeof(*fl->path));
		if (!fl->path)
			abort();
	}
	fl->path[fl->n] = strdup(path);
	if (!fl->path[fl->n])
		abort();
	fl->n++;
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n > m && !strcmp(s + n - m, sfx);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk(struct lit_files *fl, const char *dir, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name);
	if (n < 0) {
		add(fl, dir); /* unreadable: its error line comes from the parser */
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (nm[0] == '.') {
			free(ents[i]);
			continue;
		}
		size_t len = strlen(dir) + strlen(nm) + 2;
		char *p = malloc(len);
		if (!p)
			abort();
		snprintf(p, len, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/", nm);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (depth < 64)
				walk(fl, p, depth + 1);
		} else if (S_ISLNK(st.st_mode) && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* a linked directory: not followed */
		} else if (has_suffix(nm, ".litmus")) {
			add(fl, p);
		}
		free(p);
		free(ents[i]);
	}
	free(ents);
}

void lit_files_add(struct lit_files *fl, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fl->dirs++;
		walk(fl, path, 0);
	} else {
		add(fl, path);
	}
}

void lit_files_free(struct lit_files *fl)
{
	for (int i = 0; i < fl->n; i++)
		free(fl->path[i]);
	free(fl->path);
	memset(fl, 0, sizeof(*fl));
}
