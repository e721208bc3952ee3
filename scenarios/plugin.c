/* scenarios/plugin.c - out-of-tree scenarios: compile a scenario file into the
 * per-user cache, dlopen it, check its ABI and descriptor (scenarios/plugin.h).
 */
#include "scenarios/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SS_SOURCE_DIR
#define SS_SOURCE_DIR ""
#endif
#ifndef SS_INCLUDE_DIR
#define SS_INCLUDE_DIR "/usr/local/include/slabstress"
#endif

#define PLUGIN_MAX 8

struct plugin {
	char path[PATH_MAX]; /* absolute path of the file given to -s */
	char hash[17];	     /* of its content */
	const struct ss_scenario *scn;
};

static struct plugin plugins[PLUGIN_MAX];
static int nplugins;

bool ss_plugin_is_path(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n && (strchr(name, '/') || (n > 2 && !strcmp(name + n - 2, ".c")) ||
		     (n > 3 && !strcmp(name + n - 3, ".so")));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static unsigned long long fnv1a(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV_START 0xcbf29ce484222325ULL

/* The file's content, malloc'ed, its size in *len; NULL with errno on failure. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *nb = realloc(buf, cap *= 2);
		if (!nb)
			free(buf);
		buf = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

int ss_plugin_file_hash(const char *path, char out[17])
{
	size_t n;
	char *buf = read_all(path, &n);
	if (!buf)
		return -1;
	snprintf(out, 17, "%016llx", fnv1a(FNV_START, buf, n));
	free(buf);
	return 0;
}

/* The absolute path of an executable named prog on PATH (or prog itself when it
 * has a '/'), into buf; false when there is none. */
static bool find_on_path(const char *prog, char *buf, size_t n)
{
	if (strchr(prog, '/')) {
		snprintf(buf, n, "%s", prog);
		return access(buf, X_OK) == 0;
	}
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		snprintf(buf, n, "%.*s/%s", (int)len, p, prog);
		if (len && access(buf, X_OK) == 0)
			return true;
		p += len + (e != NULL);
	}
	return false;
}

const char *ss_plugin_compiler(void)
{
	static char found[PATH_MAX];
	static const char *const names[] = {"cc", "clang", "gcc", NULL};
	const char *cc = getenv("CC");
	if (cc && *cc)
		return find_on_path(cc, found, sizeof(found)) ? found : NULL;
	for (int i = 0; names[i]; i++)
		if (find_on_path(names[i], found, sizeof(found)))
			return found;
	return NULL;
}

/* mkdir -p */
static int make_dirs(char *d)
{
	for (char *p = d + 1;; p++) {
		char c = *p;
		if (c && c != '/')
			continue;
		*p = 0;
		int bad = mkdir(d, 0755) != 0 && errno != EEXIST;
		*p = c;
		if (bad)
			return -1;
		if (!c)
			return 0;
	}
}

int ss_plugin_cache_dir(char *buf, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, n, "%s/slabstress", xdg);
	else if (home && *home)
		snprintf(buf, n, "%s/.cache/slabstress", home);
	else
		snprintf(buf, n, "/tmp/slabstress-cache-%u", (unsigned)getuid());
	return make_dirs(buf);
}

/* The two -I directories: for <slabstress/scenario.h> and for the in-tree headers it
 * includes ("scenarios/scenario.h").  SLABSTRESS_INCLUDE (an installed
 * PREFIX/include/slabstress) wins, then the source tree this binary was built from,
 * then the installed headers. */
static int include_flags(char inc[2][PATH_MAX + 2])
{
	const char *env = getenv("SLABSTRESS_INCLUDE");
	char probe[PATH_MAX + 64];
	const char *base = SS_INCLUDE_DIR;
	if (env && *env) {
		base = env;
	} else if (SS_SOURCE_DIR[0]) {
		snprintf(probe, sizeof(probe), "%s/include/slabstress/scenario.h", SS_SOURCE_DIR);
		if (access(probe, R_OK) == 0) {
			snprintf(inc[0], PATH_MAX + 2, "-I%s/include", SS_SOURCE_DIR);
			snprintf(inc[1], PATH_MAX + 2, "-I%s", SS_SOURCE_DIR);
			return 0;
		}
	}
	/* Installed: PREFIX/include/slabstress holds scenario.h and the in-tree headers. */
	snprintf(inc[0], PATH_MAX + 2, "-I%s/..", base);
	snprintf(inc[1], PATH_MAX + 2, "-I%s", base);
	return 0;
}

/* Runs the compiler on src into out; its messages go to our stderr.  0 or -1. */
static int run_compiler(const char *cc, const char *src, const char *out, char *err, size_t errlen)
{
	char inc[2][PATH_MAX + 2];
	include_flags(inc);
	/* __FILE__ is the file's own name, wherever it was compiled from: the cache
	 * is keyed by content, so a path would be the first caller's. */
	char prefix_map[PATH_MAX + 32];
	const char *slash = strrchr(src, '/');
	snprintf(prefix_map, sizeof(prefix_map),
		 "-fmacro-prefix-map=%.*s=", slash ? (int)(slash - src + 1) : 0, src);
	const char *argv[20];
	int k = 0;
	argv[k++] = cc;
	argv[k++] = "-std=gnu11";
	argv[k++] = "-O2";
	argv[k++] = "-fPIC";
	argv[k++] = "-shared";
	argv[k++] = "-D_GNU_SOURCE";
#if defined(__x86_64__)
	argv[k++] = "-mcx16";
#endif
	argv[k++] = inc[0];
	argv[k++] = inc[1];
	if (slash)
		argv[k++] = prefix_map;
	argv[k++] = "-o";
	argv[k++] = out;
	argv[k++] = src;
	argv[k] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "%s: cannot start the compiler: %s", src, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(2, 1); /* the compiler's messages all on stderr */
		execv(cc, (char **)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(err, errlen, "%s: compile error (%s exited with %d)", src, cc,
		 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return -1;
}

/* The cached shared object of a .c source into so (compiling it if absent). */
static int compiled_object(const char *src, char *so, size_t n, char *err, size_t errlen)
{
	size_t len;
	char *text = read_all(src, &len);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read the scenario file: %s", src,
			 strerror(errno));
		return -1;
	}
	const char *cc = ss_plugin_compiler();
	if (!cc) {
		free(text);
		snprintf(err, errlen, "%s: no C compiler found ($CC, cc, clang, gcc)", src);
		return -1;
	}
	int abi = SS_SCENARIO_ABI;
	unsigned long long h = fnv1a(FNV_START, text, len);
	free(text);
	h = fnv1a(h, cc, strlen(cc) + 1);
	h = fnv1a(h, &abi, sizeof(abi));
	h = fnv1a(h, SS_VERSION, sizeof(SS_VERSION));
	h = fnv1a(h, "file-name", 9); /* objects made before __FILE__ lost its path */
	char dir[PATH_MAX - 64];
	if (ss_plugin_cache_dir(dir, sizeof(dir)) != 0) {
		snprintf(err, errlen, "%s: cannot create the cache directory %s: %s", src, dir,
			 strerror(errno));
		return -1;
	}
	snprintf(so, n, "%s/%016llx.so", dir, h);
	if (access(so, R_OK) == 0)
		return 0;
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s/.%016llx.%ld.tmp", dir, h, (long)getpid());
	if (run_compiler(cc, src, tmp, err, errlen) != 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, so) != 0) {
		snprintf(err, errlen, "%s: cannot store %s: %s", src, so, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The descriptor's own sanity: what the engines rely on. */
static int check_descriptor(const char *path, const struct ss_scenario *s, char *err, size_t errlen)
{
	const char *why = NULL;
	if (!s->name || !*s->name)
		why = "the descriptor has no name";
	else if (strlen(s->name) > 48 || s->name[strspn(s->name, "abcdefghijklmnopqrstuvwxyz"
								 "0123456789-_")])
		why = "the scenario name must be 1 to 48 of a-z, 0-9, '-', '_'";
	else if (s->nroles < 1)
		why = "the descriptor has zero roles";
	else if (s->nroles > SS_MAX_ROLES || s->nroles > SS_MAX_CPUS)
		why = "the descriptor has more roles than slabstress supports (4)";
	for (int i = 0; !why && i < s->nroles; i++)
		if (!s->role[i])
			why = "a role has no function";
	if (!why && ss_scenario_builtin(s->name))
		why = "its scenario name is taken by a built-in scenario";
	if (why)
		snprintf(err, errlen, "%s: %s", path, why);
	return why ? -1 : 0;
}

/* The ELF class and machine (bytes 4 and 18-19 of the header) of a file, or -1. */
static long elf_kind(const char *file)
{
	unsigned char hdr[20];
	FILE *f = fopen(file, "rb");
	size_t n = f ? fread(hdr, 1, sizeof(hdr), f) : 0;
	if (f)
		fclose(f);
	if (n < sizeof(hdr) || memcmp(hdr, "\177ELF", 4))
		return -1;
	return (long)hdr[4] << 16 | hdr[18] | hdr[19] << 8;
}

/* dlopen says "No such file" for a .so of another architecture: say what it is. */
static int check_architecture(const char *path, const char *so, char *err, size_t errlen)
{
	long mine = elf_kind("/proc/self/exe"), its = elf_kind(so);
	if (its < 0) {
		snprintf(err, errlen, "%s: not a shared object (no ELF header)", path);
		return -1;
	}
	if (mine >= 0 && its != mine) {
		snprintf(err, errlen,
			 "%s: built for another architecture (ELF class %ld, machine %ld; this "
			 "slabstress: class %ld, machine %ld)",
			 path, its >> 16, its & 0xffff, mine >> 16, mine & 0xffff);
		return -1;
	}
	return 0;
}

static const struct ss_scenario *open_object(const char *path, const char *so, char *err,
					     size_t errlen)
{
	if (check_architecture(path, so, err, errlen) != 0)
		return NULL;
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s: cannot load: %s", path, e ? e : "dlopen failed");
		return NULL;
	}
	const int *abi = dlsym(h, "slabstress_scenario_abi");
	const struct ss_scenario *s = dlsym(h, "slabstress_scenario");
	if (!abi || !s) {
		snprintf(err, errlen,
			 "%s: missing symbol %s (end the file with SS_EXPORT_SCENARIO(descriptor))",
			 path, !s ? "slabstress_scenario" : "slabstress_scenario_abi");
	} else if (*abi != SS_SCENARIO_ABI) {
		snprintf(err, errlen,
			 "%s: built for scenario ABI %d, this slabstress has ABI %d: rebuild it",
			 path, *abi, SS_SCENARIO_ABI);
	} else if (check_descriptor(path, s, err, errlen) == 0) {
		return s; /* never dlclose'd: the scenario lives as long as the process */
	}
	dlclose(h);
	return NULL;
}

const struct ss_scenario *ss_plugin_load(const char *path, char *err, size_t errlen)
{
	char abs[PATH_MAX], hash[17];
	if (!realpath(path, abs)) {
		snprintf(err, errlen, "%s: no such scenario file: %s", path, strerror(errno));
		return NULL;
	}
	for (int i = 0; i < nplugins; i++)
		if (!strcmp(plugins[i].path, abs))
			return plugins[i].scn;
	if (nplugins == PLUGIN_MAX) {
		snprintf(err, errlen, "%s: too many scenario files (at most %d)", path, PLUGIN_MAX);
		return NULL;
	}
	if (ss_plugin_file_hash(abs, hash) != 0) {
		snprintf(err, errlen, "%s: cannot read the scenario file: %s", path,
			 strerror(errno));
		return NULL;
	}
	char so[PATH_MAX];
	if (ends_with(abs, ".so"))
		snprintf(so, sizeof(so), "%s", abs);
	else if (compiled_object(abs, so, sizeof(so), err, errlen) != 0)
		return NULL;
	const struct ss_scenario *s = open_object(path, so, err, errlen);
	if (!s)
		return NULL;
	for (int i = 0; i < nplugins; i++)
		if (!strcmp(plugins[i].scn->name, s->name)) {
			snprintf(err, errlen, "%s: scenario '%s' is already loaded from %s", path,
				 s->name, plugins[i].path);
			return NULL;
		}
	struct plugin *p = &plugins[nplugins++];
	snprintf(p->path, sizeof(p->path), "%s", abs);
	memcpy(p->hash, hash, sizeof(p->hash));
	p->scn = s;
	if (nplugins == 1)
		setenv(SS_PLUGIN_ENV, abs, 1); /* a re-exec'ed fuzz worker loads it too */
	return s;
}

const struct ss_scenario *ss_plugin_find(const char *name)
{
	for (int i = 0; i < nplugins; i++)
		if (!strcmp(plugins[i].scn->name, name) || !strcmp(plugins[i].path, name))
			return plugins[i].scn;
	/* A child of a process that loaded one (the fuzz worker): load it quietly. */
	const char *env = getenv(SS_PLUGIN_ENV);
	char err[512];
	if (env && *env && !nplugins && ss_plugin_load(env, err, sizeof(err)))
		return ss_plugin_find(name);
	if (ss_plugin_is_path(name))
		return ss_plugin_load(name, err, sizeof(err));
	return NULL;
}

const char *ss_plugin_source(const struct ss_scenario *scn, const char **hash)
{
	for (int i = 0; i < nplugins; i++)
		if (plugins[i].scn == scn) {
			if (hash)
				*hash = plugins[i].hash;
			return plugins[i].path;
		}
	return NULL;
}
