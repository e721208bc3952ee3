/* fuzz/supervisor.c - the supervisor of a `slabstress fuzz` campaign
 * (fuzz/supervisor.h): work directory, worker processes, artifacts -> minimized,
 * deduplicated reproducers, and the result document. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/fuzz_graph.h"
#include "fuzz/repro_emu.h"
#include "fuzz/supervisor.h"
#include "results/json.h"
#include "results/stop.h"
#include "scenarios/plugin.h"

/* snprintf that reports truncation (paths): a cut path would name another file. */
#define FMT(buf, n, ...) ((size_t)snprintf((buf), (n), __VA_ARGS__) >= (size_t)(n) ? -1 : 0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ss_fuzz_mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static void rm_rf(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void warn(struct ss_fuzz_campaign *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(struct ss_fuzz_campaign *c, const char *fmt, ...)
{
	char msg[4600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->hooks.warn)
		c->hooks.warn(c->hooks.arg, msg);
}

/* ---- setting up and tearing down ---- */

static int prep_error(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int prep_error(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The work directory and what lives in it. */
static int make_work_dir(struct ss_fuzz_campaign *c, char *err, size_t errlen)
{
	const char *tmp = c->cfg.tmpdir ? c->cfg.tmpdir : getenv("TMPDIR");
	struct ss_fuzz_target *t = &c->cfg.target;
	snprintf(c->work, sizeof(c->work), "%s/slabstress-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(c->work)) {
		c->work[0] = 0;
		return prep_error(err, errlen, SS_FUZZ_SUP_INTERNAL,
				  "cannot create a work directory in %s: %s", tmp ? tmp : "/tmp",
				  strerror(errno));
	}
	/* Removed at exit and on a hard stop, whatever path ends the campaign. */
	c->work_slot = ss_stop_track_path(c->work, 1);
	if (FMT(c->artifacts, sizeof(c->artifacts), "%s/artifacts", c->work) ||
	    FMT(c->log_path, sizeof(c->log_path), "%s/libfuzzer.log", c->work) ||
	    FMT(t->stats_path, sizeof(t->stats_path), "%s/stats", c->work) ||
	    (c->cfg.corpus ? FMT(c->corpus, sizeof(c->corpus), "%s", c->cfg.corpus)
			   : FMT(c->corpus, sizeof(c->corpus), "%s/corpus", c->work)))
		return prep_error(err, errlen, SS_FUZZ_SUP_USAGE,
				  "--corpus or TMPDIR path too long");
	if (ss_fuzz_mkdir_p(c->artifacts) != 0 || ss_fuzz_mkdir_p(c->corpus) != 0)
		return prep_error(err, errlen, SS_FUZZ_SUP_INTERNAL, "cannot create %s: %s",
				  c->artifacts, strerror(errno));
	return 0;
}

/* The counters every worker adds to: a page of the stats file, shared. */
static int map_shared_counters(struct ss_fuzz_campaign *c, char *err, size_t errlen)
{
	const char *path = c->cfg.target.stats_path;
	int sfd = open(path, O_RDWR | O_CREAT, 0600);
	if (sfd < 0 || ftruncate(sfd, 4096) != 0) {
		int e = errno;
		if (sfd >= 0)
			close(sfd);
		return prep_error(err, errlen, SS_FUZZ_SUP_INTERNAL, "cannot create %s: %s", path,
				  strerror(e));
	}
	void *m = mmap(NULL, sizeof(*c->sh), PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	close(sfd);
	if (m == MAP_FAILED)
		return prep_error(err, errlen, SS_FUZZ_SUP_INTERNAL, "mmap %s: %s", path,
				  strerror(errno));
	c->sh = m;
	return 0;
}

/* The worker's fixed flags. */
static void fixed_flags(struct ss_fuzz_campaign *c)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	snprintf(c->art_flag, sizeof(c->art_flag), "-artifact_prefix=%s/", c->artifacts);
	snprintf(c->len_flag, sizeof(c->len_flag), "-max_len=%lu",
		 cfg->max_len ? cfg->max_len : SS_FUZZ_DEFAULT_MAX_LEN);
	if (cfg->seed_set)
		snprintf(c->seed_flag, sizeof(c->seed_flag), "-seed=%llu", cfg->seed);
}

int ss_fuzz_campaign_prepare(struct ss_fuzz_campaign *c, const struct ss_fuzz_campaign_config *cfg,
			     char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->work_slot = -1;
	if (!(c->cfg.duration > 0))
		c->cfg.duration = SS_FUZZ_DEFAULT_DURATION;
	int rc = make_work_dir(c, err, errlen);
	if (!rc)
		rc = map_shared_counters(c, err, errlen);
	if (rc)
		return rc;
	char env[2048];
	if (ss_fuzz_target_encode(&c->cfg.target, env, sizeof(env)) != 0 ||
	    setenv(SS_FUZZ_ENV, env, 1) != 0)
		return prep_error(err, errlen, SS_FUZZ_SUP_INTERNAL, "target description too long");
	c->e = emu_create(&c->cfg.target.ec, err, errlen);
	if (!c->e)
		return SS_FUZZ_SUP_INTERNAL;
	ss_emu_name_regions(c->e);
	if (c->cfg.target.graph) {
		c->gf = gexplore_fuzz_create(&c->cfg.target.ec, err, errlen);
		if (!c->gf)
			return SS_FUZZ_SUP_USAGE; /* too many roles for the graph explorer */
		ss_emu_name_regions(gexplore_fuzz_emu(c->gf));
	}
	fixed_flags(c);
	return 0;
}

void ss_fuzz_campaign_destroy(struct ss_fuzz_campaign *c)
{
	if (c->work[0]) {
		rm_rf(c->work);
		if (c->work_slot >= 0)
			ss_stop_untrack(c->work_slot);
	}
	for (int i = 0; i < c->nu; i++) {
		free(c->u[i].sched);
		free(c->u[i].hex);
	}
	free(c->u);
	if (c->sh)
		munmap(c->sh, sizeof(*c->sh));
	if (c->e)
		emu_destroy(c->e);
	gexplore_fuzz_destroy(c->gf);
	memset(c, 0, sizeof(*c));
	c->work_slot = -1;
}

/* ---- unique failures ---- */

static u8 *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	u8 *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			u8 *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(f);
	*len = n;
	return b;
}

FILE *ss_fuzz_open_trace(struct ss_fuzz_failure *u)
{
	snprintf(u->trace_path, sizeof(u->trace_path), "%s", u->path);
	char *dot = strrchr(u->trace_path, '.');
	if (dot)
		strcpy(dot, ".txt");
	return fopen(u->trace_path, "w");
}

/* The trace of u next to its reproducer, as <reproducer>.txt. */
static void save_trace(struct ss_fuzz_campaign *c, struct ss_fuzz_failure *u)
{
	FILE *f = ss_fuzz_open_trace(u);
	if (!f)
		return;
	struct emu_result res;
	emu_set_trace(c->e, true);
	emu_execute(c->e, u->sched, u->len, &res);
	const struct emu_config *ec = emu_config_of(c->e);
	fprintf(f, "slabstress fuzz: %s on CPU %d at %s:%d\n", ss_fail_kind_name(res.kind),
		res.fail.cpu, u->file, u->line);
	fprintf(f,
		"scenario %s, variant %s, model %s; %zu schedule bytes, %zu non-default "
		"decisions (from %zu bytes as found)\n",
		ec->scn->name, ss_variant_name(ec->acfg.variant), wmm_model_name(ec->model), u->len,
		u->decisions, u->raw_len);
	fprintf(f, "schedule: %s\nreplay:   slabstress replay %s\n\n", u->hex ? u->hex : "",
		u->path);
	emu_print_trace(f, c->e, &res, false);
	fclose(f);
	emu_set_trace(c->e, false);
}

/* Saves u (already minimized) as a reproducer and its trace. */
static void save_failure(struct ss_fuzz_campaign *c, struct ss_fuzz_failure *u)
{
	char err[300];
	if (ss_save_failure(c->cfg.save, c->e, &u->res, u->sched, u->len, u->path, sizeof(u->path),
			    err, sizeof(err)) != 0) {
		warn(c, "cannot save reproducer: %s", err);
		return;
	}
	u->saved = true;
	save_trace(c, u);
}

/* The unique failure of this kind and site, counted; NULL when it is new. */
static struct ss_fuzz_failure *known_failure(struct ss_fuzz_campaign *c, enum ss_fail_kind kind,
					     const char *file, int line)
{
	for (int i = 0; i < c->nu; i++)
		if (c->u[i].kind == kind && c->u[i].line == line && !strcmp(c->u[i].file, file)) {
			c->u[i].count++;
			return &c->u[i];
		}
	return NULL;
}

/* A new unique failure from schedule b (taken over): minimized, saved. */
static void add_failure(struct ss_fuzz_campaign *c, const struct emu_result *res, u8 *b, size_t len,
			const char *file, int line)
{
	if (c->nu == c->capu) {
		int cap = c->capu ? 2 * c->capu : 8;
		struct ss_fuzz_failure *u = realloc(c->u, (size_t)cap * sizeof(*c->u));
		if (!u) {
			snprintf(c->internal, sizeof(c->internal), "out of memory");
			free(b);
			return;
		}
		c->u = u;
		c->capu = cap;
	}
	struct ss_fuzz_failure *u = &c->u[c->nu++];
	memset(u, 0, sizeof(*u));
	u->kind = res->kind;
	snprintf(u->file, sizeof(u->file), "%s", file);
	u->line = line;
	u->count = 1;
	u->raw_len = len;
	u->found_s = now_s() - c->t0;
	if (c->gf) { /* the failing graph, as it is */
		u->graph = true;
		ss_fuzz_graph_failure(c, u, b, len);
		free(b);
		return;
	}
	u8 *min = NULL;
	size_t mlen = 0;
	if (ss_fuzz_minimize(c->e, b, len, res->kind, res->fail.site ? file : NULL, line,
			     c->cfg.min_execs ? c->cfg.min_execs : SS_FUZZ_DEFAULT_MIN_EXECS, &min,
			     &mlen) == 0) {
		free(b);
		b = min;
		len = mlen;
	}
	u->sched = b;
	u->len = len;
	u->decisions = ss_fuzz_decisions(b, len);
	emu_execute(c->e, b, len, &u->res);
	u->hex = malloc(2 * len + 1);
	if (u->hex)
		emu_hex(u->hex, b, len);
	save_failure(c, u);
}

static void handle_artifact(struct ss_fuzz_campaign *c, const char *path)
{
	size_t len = 0;
	u8 *b = read_file(path, &len);
	if (!b)
		return;
	c->artifacts_seen++;
	struct emu_result res;
	emu_set_trace(c->e, false);
	int rc = c->gf ? ss_fuzz_graph_rerun(c->gf, b, len, &res) : emu_execute(c->e, b, len, &res);
	if (rc != 0 || res.internal_error) {
		if (FMT(c->internal, sizeof(c->internal), "the emulator failed on schedule %s: %s",
			path, res.internal_msg))
			c->internal[sizeof(c->internal) - 2] = '.';
		free(b);
		return;
	}
	if (res.kind == SS_FAIL_NONE) {
		c->flaky++; /* not a schedule failure (e.g. a libFuzzer timeout or OOM) */
		free(b);
		return;
	}
	if (c->first_fail_s == 0) {
		c->first_fail_s = now_s() - c->t0;
		c->first_fail_execs = c->sh->execs;
	}
	const struct ss_site *s = res.fail.site;
	const char *file = s && s->file ? s->file : "?";
	int line = s ? s->line : 0;
	if (known_failure(c, res.kind, file, line)) {
		free(b);
		return;
	}
	add_failure(c, &res, b, len, file, line);
}

static void scan_artifacts(struct ss_fuzz_campaign *c)
{
	DIR *d = opendir(c->artifacts);
	if (!d)
		return;
	struct dirent *de;
	char names[64][256];
	int n = 0;
	while ((de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.')
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	closedir(d);
	/* Each file is handled once and removed: libFuzzer names an artifact by the
	 * input's hash, so a later worker that fails on the very same input (a
	 * restarted one often does) writes the same name again, and that is a
	 * failing input too, not a worker that died without one. */
	for (int i = 0; i < n; i++) {
		char p[4400];
		if (FMT(p, sizeof(p), "%s/%s", c->artifacts, names[i]) == 0) {
			handle_artifact(c, p);
			unlink(p);
		}
	}
}

/* ---- the worker process ---- */

/* The start of every worker's command line: the worker flag, the artifact
 * prefix and max_len.  Returns how many (5). */
static int worker_head(struct ss_fuzz_campaign *c, char **argv)
{
	argv[0] = "slabstress";
	argv[1] = "fuzz";
	argv[2] = SS_FUZZ_WORKER_ARG;
	argv[3] = c->art_flag;
	argv[4] = c->len_flag;
	return 5;
}

int ss_fuzz_worker_argv(struct ss_fuzz_campaign *c, double left, char **argv, int cap)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	/* 9 fixed, 4 per run, the caller's, the corpus and the NULL */
	if (cap < 9 + 4 + cfg->npass + 2)
		return -1;
	int k = worker_head(c, argv);
	argv[k++] = "-print_final_stats=1";
	argv[k++] = "-reload=1";
	/* A schedule's meaning depends on its length (the back stream is read from
	 * the end): growing inputs slowly (len_control) only delays the search. */
	argv[k++] = "-len_control=0";
	if (cfg->seed_set) {
		/* A restarted worker (keep-going) with the same seed would repeat the
		 * search it just made: worker k gets seed + k, still reproducible. */
		snprintf(c->seed_flag, sizeof(c->seed_flag), "-seed=%llu",
			 cfg->seed + c->workers_started);
		argv[k++] = c->seed_flag;
	}
	snprintf(c->time_flag, sizeof(c->time_flag), "-max_total_time=%ld", (long)(left + 0.999));
	argv[k++] = c->time_flag;
	if (cfg->jobs > 1) {
		snprintf(c->fork_flag, sizeof(c->fork_flag), "-fork=%lu", cfg->jobs);
		argv[k++] = c->fork_flag;
		if (cfg->keep_going)
			argv[k++] = "-ignore_crashes=1";
	}
	if (cfg->runs) {
		unsigned long long done = c->sh ? c->sh->execs : 0;
		if (done >= cfg->runs)
			return 0;
		snprintf(c->runs_flag, sizeof(c->runs_flag), "-runs=%llu", cfg->runs - done);
		argv[k++] = c->runs_flag;
	}
	for (int i = 0; i < cfg->npass; i++)
		argv[k++] = cfg->pass[i];
	argv[k++] = c->corpus;
	argv[k] = NULL;
	return k;
}

static pid_t spawn_worker(const char *exe, char **args, int *errfd)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0); /* one group: SIGINT reaches fork-mode jobs too */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* Never outlive the supervisor, however it ends (even SIGKILL). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execv(exe, args);
		_exit(127);
	}
	setpgid(pid, pid);
	ss_stop_track_pgid(pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	*errfd = pfd[0];
	return pid;
}

/* Shows libFuzzer's warning about a flag it does not know, once per flag (a
 * restarted worker says it again). */
static void warn_flag(struct ss_fuzz_campaign *c, const char *line)
{
	for (int i = 0; i < c->nwarned; i++)
		if (!strcmp(c->warned[i], line))
			return;
	if (c->nwarned < 8)
		snprintf(c->warned[c->nwarned++], sizeof(c->warned[0]), "%s", line);
	warn(c, "libFuzzer: %s", line);
}

/* A line of libFuzzer's output: "corp: N" gives the corpus size. */
static void worker_line(struct ss_fuzz_campaign *c, const char *line)
{
	const char *p = strstr(line, "corp: ");
	if (p)
		c->corpus_size = strtoul(p + 6, NULL, 10);
	/* A flag after -- that libFuzzer does not know: its own words. */
	if (strstr(line, "WARNING: unrecognized flag"))
		warn_flag(c, line);
}

/* Reads libFuzzer's output: appended to the log, and line by line. */
static void drain(struct ss_fuzz_campaign *c, int fd, FILE *log, char *line, size_t *ll, size_t cap)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (log)
			fwrite(buf, 1, (size_t)n, log);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (*ll + 1 < cap)
					line[(*ll)++] = buf[i];
				continue;
			}
			line[*ll] = 0;
			*ll = 0;
			worker_line(c, line);
		}
	}
	if (log)
		fflush(log);
}

size_t ss_fuzz_campaign_corpus_now(const struct ss_fuzz_campaign *c)
{
	size_t corp = c->corpus_size;
	if (!corp && c->cfg.corpus)
		corp = count_files(c->corpus);
	return corp;
}

void ss_fuzz_log_tail(FILE *out, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char lines[8][300];
	int n = 0;
	while (fgets(lines[n % 8], sizeof(lines[0]), f))
		n++;
	fclose(f);
	for (int i = n > 8 ? n - 8 : 0; i < n; i++)
		fprintf(out, "  | %s", lines[i % 8]);
}

/* One worker, from start to reaped: its output drained, a stop request passed on
 * (SIGINT, then again after 10 s, then SIGKILL), the artifacts of fork mode
 * handled as they come.  Returns its wait status; *sent: how hard it was stopped. */
static int watch_worker(struct ss_fuzz_campaign *c, pid_t pid, int fd, FILE *log, int *sent)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	char line[1024];
	size_t ll = 0;
	int status = 0;
	double last_status = 0, deadline = c->t0 + cfg->duration + 30;
	*sent = 0;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		poll(&p, 1, 200);
		drain(c, fd, log, line, &ll, sizeof(line));
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		double t = now_s();
		if (ss_interrupted && *sent == 0) {
			kill(-pid, SIGINT);
			*sent = 1;
			deadline = t + 10;
		}
		if (t > deadline) {
			kill(-pid, *sent >= 2 ? SIGKILL : SIGINT);
			*sent = *sent >= 2 ? 3 : 2;
			deadline = t + 5;
		}
		if (cfg->keep_going && cfg->jobs > 1)
			scan_artifacts(c);
		if (c->hooks.status && t - last_status >= 1) {
			c->hooks.status(c->hooks.arg, c, t - c->t0);
			last_status = t;
		}
	}
	drain(c, fd, log, line, &ll, sizeof(line));
	close(fd);
	kill(-pid, SIGKILL); /* stray fork-mode jobs */
	ss_stop_untrack_pgid(pid);
	return status;
}

/* Copies the worker's log next to the reproducers (the work directory goes
 * when the campaign ends): the kept path, or the temporary one when it cannot. */
static const char *keep_worker_log(struct ss_fuzz_campaign *c)
{
	static char kept[4200];
	if (!c->cfg.save ||
	    FMT(kept, sizeof(kept), "%s/worker-error-%ld.log", c->cfg.save, (long)getpid()))
		return c->log_path;
	FILE *in = fopen(c->log_path, "r"), *out = in ? fopen(kept, "w") : NULL;
	char buf[8192];
	size_t n;
	bool ok = out != NULL;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = false;
	if (!ok && out)
		unlink(kept);
	return ok ? kept : c->log_path;
}

/* A worker that ended badly without a failing input: why, into c->internal. */
static void worker_failed(struct ss_fuzz_campaign *c, int status)
{
	int r;
	const char *log = keep_worker_log(c);
	if (WIFEXITED(status))
		r = FMT(c->internal, sizeof(c->internal),
			"libFuzzer worker exited %d without a failing input (log: %s)",
			WEXITSTATUS(status), log);
	else
		r = FMT(c->internal, sizeof(c->internal),
			"libFuzzer worker killed by signal %d (log: %s)", WTERMSIG(status), log);
	(void)r;
	c->log_worth_showing = true;
}

/* One worker run with left seconds to go: 1 to go on with another, 0 to stop,
 * -1 on an internal error. */
static int run_one_worker(struct ss_fuzz_campaign *c, double left, FILE *log)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	char **args = calloc((size_t)(cfg->npass + 16), sizeof(*args));
	int n = args ? ss_fuzz_worker_argv(c, left, args, cfg->npass + 16) : -1;
	if (n <= 0) {
		free(args);
		if (n < 0)
			snprintf(c->internal, sizeof(c->internal), "out of memory");
		return n;
	}
	int fd, sent;
	pid_t pid = spawn_worker(cfg->exe ? cfg->exe : "/proc/self/exe", args, &fd);
	free(args);
	c->workers_started++;
	if (pid < 0) {
		snprintf(c->internal, sizeof(c->internal), "cannot start the worker: %s",
			 strerror(errno));
		return -1;
	}
	unsigned long art_before = c->artifacts_seen;
	int status = watch_worker(c, pid, fd, log, &sent);
	scan_artifacts(c);
	if (c->internal[0])
		return -1;
	bool found_new = c->artifacts_seen > art_before;
	bool bad_exit = !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && !found_new);
	if (bad_exit && !ss_interrupted && sent < 2) {
		worker_failed(c, status);
		return -1;
	}
	return found_new && cfg->keep_going && cfg->jobs <= 1 && !cfg->runs;
}

int ss_fuzz_campaign_run(struct ss_fuzz_campaign *c)
{
	FILE *log = fopen(c->log_path, "a");
	int rc = 0;
	c->t0 = now_s();
	for (;;) {
		double left = c->cfg.duration - (now_s() - c->t0);
		if (left < 0.5 || ss_interrupted)
			break;
		rc = run_one_worker(c, left, log);
		if (rc <= 0)
			break;
	}
	if (log)
		fclose(log);
	return rc < 0 ? -1 : 0;
}

/* The merge worker's command line: the fixed flags, -merge=1, the caller's
 * flags, out and the dirs, NULL-terminated; control holds the control file flag.
 * Returns the count, or -1 when it does not fit in cap. */
static int merge_argv(struct ss_fuzz_campaign *c, const char *out, char *const *dirs, int ndirs,
		      char *control, size_t controlsize, char **argv, int cap)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	if (cap < 8 + cfg->npass + 1 + ndirs + 1 ||
	    FMT(control, controlsize, "-merge_control_file=%s/merge.control", c->work))
		return -1;
	int k = worker_head(c, argv);
	argv[k++] = "-merge=1";
	argv[k++] = control;
	if (cfg->seed_set)
		argv[k++] = c->seed_flag;
	for (int i = 0; i < cfg->npass; i++)
		argv[k++] = cfg->pass[i];
	argv[k++] = (char *)out;
	for (int i = 0; i < ndirs; i++)
		argv[k++] = dirs[i];
	argv[k] = NULL;
	return k;
}

int ss_fuzz_campaign_merge(struct ss_fuzz_campaign *c, const char *out, char *const *dirs,
			   int ndirs, struct ss_fuzz_merge_counts *n)
{
	memset(n, 0, sizeof(*n));
	for (int i = 0; i < ndirs; i++)
		n->inputs += count_files(dirs[i]);
	n->out_before = count_files(out);
	int cap = c->cfg.npass + ndirs + 10;
	char **args = calloc((size_t)cap, sizeof(*args));
	char control[4200];
	if (!args || merge_argv(c, out, dirs, ndirs, control, sizeof(control), args, cap) < 0) {
		free(args);
		snprintf(c->internal, sizeof(c->internal), "out of memory or path too long");
		return -1;
	}
	FILE *log = fopen(c->log_path, "a");
	c->t0 = now_s();
	int fd, sent;
	pid_t pid = spawn_worker(c->cfg.exe ? c->cfg.exe : "/proc/self/exe", args, &fd);
	free(args);
	if (pid < 0) {
		if (log)
			fclose(log);
		snprintf(c->internal, sizeof(c->internal), "cannot start the worker: %s",
			 strerror(errno));
		return -1;
	}
	int status = watch_worker(c, pid, fd, log, &sent);
	if (log)
		fclose(log);
	c->elapsed = now_s() - c->t0;
	n->out_after = count_files(out);
	bool bad_exit = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (bad_exit && !ss_interrupted && sent < 2) {
		worker_failed(c, status);
		return -1;
	}
	return 0;
}

void ss_fuzz_campaign_finish(struct ss_fuzz_campaign *c)
{
	c->elapsed = now_s() - c->t0;
	c->execs = c->sh ? c->sh->execs : 0;
	if (c->cfg.corpus || !c->corpus_size)
		c->corpus_size = c->corpus_size ? c->corpus_size : count_files(c->corpus);
}

/* ---- the result document ---- */

static json_t *parameters_json(const struct ss_fuzz_campaign *c)
{
	const struct ss_fuzz_campaign_config *cfg = &c->cfg;
	const struct emu_config *ec = &cfg->target.ec;
	const struct ss_alloc_config *a = &ec->acfg;
	json_t *pa =
	    json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:s, s:f, s:I, s:b, s:I, s:I}",
		      "scenario", ec->scn->name, "variant", ss_variant_name(a->variant), "alloc",
		      ec->alloc->name, "model", wmm_model_name(ec->model), "stride_bits",
		      a->stride_bits, "objext", ss_objext_name(a->objext), "object_size",
		      (json_int_t)a->object_size, "page_size", (json_int_t)a->page_size, "feedback",
		      ss_cov_mode_name(cfg->target.cov), "duration", cfg->duration, "jobs",
		      (json_int_t)(cfg->jobs ? cfg->jobs : 1), "keep_going", cfg->keep_going,
		      "iters", (json_int_t)ec->iters, "max_steps", (json_int_t)ec->max_steps);
	json_t *lf = json_array();
	for (int i = 0; i < cfg->npass; i++)
		json_array_append_new(lf, json_string(cfg->pass[i]));
	json_object_set_new(pa, "libfuzzer_flags", lf);
	json_object_set_new(pa, "engine", json_string(cfg->target.graph ? "graph" : "lkvm"));
	if (cfg->seed_set)
		json_object_set_new(pa, "seed", json_integer((json_int_t)cfg->seed));
	const char *hash = NULL, *file = ss_plugin_source(ec->scn, &hash);
	ss_repro_params_add(pa, a, file, hash); /* switches; a scenario file's path + hash */
	return pa;
}

static json_t *failure_json(const struct ss_fuzz_failure *u)
{
	json_t *f = res_failure_json(&u->res.fail);
	json_object_set_new(f, "count", json_integer((json_int_t)u->count));
	json_object_set_new(f, "reproducer", json_string(u->saved ? u->path : ""));
	json_object_set_new(f, "trace", json_string(u->saved ? u->trace_path : ""));
	json_object_set_new(f, "schedule", json_string(u->hex ? u->hex : ""));
	json_object_set_new(f, "decisions", json_integer((json_int_t)u->decisions));
	json_object_set_new(f, "schedule_bytes_found", json_integer((json_int_t)u->raw_len));
	return f;
}

json_t *ss_fuzz_campaign_doc(const struct ss_fuzz_campaign *c, int argc, char **argv)
{
	double eps = c->elapsed > 0 ? c->execs / c->elapsed : 0;
	json_t *doc = res_doc_new("fuzz", argc, argv);
	json_object_set_new(doc, "parameters", parameters_json(c));
	json_object_set_new(doc, "engine", json_string("fuzz"));
	json_object_set_new(doc, "counters",
			    json_pack("{s:I, s:I, s:I, s:I}", "executions", (json_int_t)c->execs,
				      "failing_inputs", (json_int_t)c->artifacts_seen,
				      "unique_failures", (json_int_t)c->nu, "corpus",
				      (json_int_t)c->corpus_size));
	json_t *tm = json_pack("{s:f, s:f}", "elapsed_s", c->elapsed, "executions_per_s", eps);
	if (c->nu) {
		json_object_set_new(tm, "first_failure_s", json_real(c->first_fail_s));
		json_object_set_new(tm, "first_failure_executions",
				    json_integer((json_int_t)c->first_fail_execs));
	}
	json_object_set_new(doc, "timing", tm);
	json_object_set_new(doc, "interrupted", json_boolean(ss_interrupted));
	json_t *fl = json_array();
	for (int i = 0; i < c->nu; i++)
		json_array_append_new(fl, failure_json(&c->u[i]));
	json_object_set_new(doc, "failures", fl);
	json_object_set_new(doc, "verdict", json_string(c->nu ? "failed" : "clean"));
	json_object_set_new(doc, "deps", json_string(emu_deps_name(c->cfg.target.ec.deps)));
	return doc;
}
