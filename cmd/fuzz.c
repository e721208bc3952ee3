/* cmd/fuzz.c - `slabstress fuzz`: a libFuzzer campaign over emulator schedules.
 *
 * This process supervises; a worker process (this binary again, with
 * "fuzz --ss-worker") runs libFuzzer in-process on the schedule bytes
 * (fuzz/fuzz.h).  A failing schedule makes the worker abort, libFuzzer writes it
 * to a private artifact directory, and the supervisor replays it, minimizes it,
 * deduplicates it by failure kind and code site, and saves a reproducer and its
 * rendered trace.  --keep-going restarts the worker from the corpus (or, with
 * --jobs N, lets libFuzzer's fork mode ignore crashes); SIGINT stops the worker
 * and still saves what was found.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/emu.h"
#include "engine/engine.h"
#include "fuzz/fuzz.h"
#include "fuzz/repro_emu.h"
#include "results/json.h"

enum {
	OPT_MODEL = 0x2000,
	OPT_DURATION,
	OPT_CORPUS,
	OPT_SAVE,
	OPT_JOBS,
	OPT_KEEP_GOING,
	OPT_NO_EXTRA,
	OPT_FEEDBACK,
	OPT_JSON,
	OPT_NO_PROGRESS,
	OPT_ITERS,
	OPT_MAX_STEPS,
	OPT_MAX_LEN,
	OPT_RUNS,
	OPT_MIN_EXECS,
	OPT_DEPS,
};

struct fuzz_cli {
	struct cli_scenario_opts sc;
	const char *model_arg, *corpus, *save, *json_path, *feedback;
	double duration;
	unsigned long jobs, iters, max_steps, max_len, min_execs;
	unsigned long long runs;
	int keep_going, no_extra, no_progress, quiet;
	int deps;
};

static const struct argp_option options[] = {
    {0, 0, 0, 0, "Fuzzing:", 3},
    {"model", OPT_MODEL, "M", 0, "memory model: sc, tso, lkmm (default: lkmm)", 3},
    {"duration", OPT_DURATION, "T", 0, "stop after T (10, 10s, 2m, 1h; default: 60s)", 3},
    {"runs", OPT_RUNS, "N", 0, "stop after N executions (default: none, --duration bounds)", 3},
    {"corpus", OPT_CORPUS, "DIR", 0,
     "keep the corpus in DIR; a later run resumes from it (default: a temporary one)", 3},
    {"jobs", OPT_JOBS, "N", 0, "N fuzzing processes (libFuzzer -fork=N; default: 1)", 3},
    {"keep-going", OPT_KEEP_GOING, 0, 0,
     "keep fuzzing after a failing schedule until the duration ends (default: stop at the "
     "first)",
     3},
    {"no-extra-counters", OPT_NO_EXTRA, 0, 0,
     "no interleaving feedback: libFuzzer mutates blind (default: reads-from, handover and "
     "barrier counters)",
     3},
    {"feedback", OPT_FEEDBACK, "F", OPTION_HIDDEN, "none, sites, interleaving", 3},
    {"max-len", OPT_MAX_LEN, "N", 0, "longest schedule in bytes (default: 512)", 3},
    {"max-steps", OPT_MAX_STEPS, "N", 0,
     "step bound of one execution; beyond it: step-limit failure (default: 200000)", 3},
    {"iters", OPT_ITERS, "N", 0, "handoffs per role per execution (default: 1)", 3},
    {"deps", OPT_DEPS, "MODE", 0,
     "where address dependencies come from: explicit, provenance, check (check runs "
     "explicit here; use explore --deps check for the report) (default: explicit)",
     3},
    {"minimize-execs", OPT_MIN_EXECS, "N", 0,
     "executions spent minimizing each unique failure (default: 20000)", 3},
    {0, 0, 0, 0, "Output:", 4},
    {"save", OPT_SAVE, "DIR", 0,
     "write each unique failure as DIR/<scenario>-<variant>-<model>-<kind>-<hash>.json "
     "(reproducer) and .txt (its interleaving) (default: crashes)",
     4},
    {"json", OPT_JSON, "FILE", 0, "write the result as JSON to FILE (- for stdout; default: none)",
     4},
    {"no-progress", OPT_NO_PROGRESS, 0, 0,
     "no live status line (default: shown when stderr is a terminal)", 4},
    {"quiet", 'q', 0, 0, "print only the verdict and the failures (default: full summary)", 4},
    {0},
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct fuzz_cli *o = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &o->sc; break;
	case OPT_MODEL: o->model_arg = arg; break;
	case OPT_DURATION: o->duration = cli_parse_duration("--duration", arg); break;
	case OPT_RUNS: o->runs = cli_parse_ull("--runs", arg, 1, 1ULL << 50); break;
	case OPT_CORPUS:
		if (!*arg)
			cli_usage_error("--corpus '': expected a directory");
		o->corpus = arg;
		break;
	case OPT_SAVE:
		if (!*arg)
			cli_usage_error("--save '': expected a directory");
		o->save = arg;
		break;
	case OPT_JOBS: o->jobs = (unsigned long)cli_parse_ull("--jobs", arg, 1, 256); break;
	case OPT_KEEP_GOING: o->keep_going = 1; break;
	case OPT_NO_EXTRA: o->no_extra = 1; break;
	case OPT_FEEDBACK: o->feedback = arg; break;
	case OPT_MAX_LEN:
		o->max_len = (unsigned long)cli_parse_ull("--max-len", arg, 4, 1 << 20);
		break;
	case OPT_MAX_STEPS:
		o->max_steps = (unsigned long)cli_parse_ull("--max-steps", arg, 100, 1UL << 26);
		break;
	case OPT_ITERS: o->iters = (unsigned long)cli_parse_ull("--iters", arg, 1, 1 << 20); break;
	case OPT_DEPS: o->deps = cli_parse_deps(arg); break;
	case OPT_MIN_EXECS:
		o->min_execs = (unsigned long)cli_parse_ull("--minimize-execs", arg, 1, 1UL << 30);
		break;
	case OPT_JSON: o->json_path = arg; break;
	case OPT_NO_PROGRESS: o->no_progress = 1; break;
	case 'q': o->quiet = 1; break;
	case ARGP_KEY_ARG:
		cli_usage_error("fuzz: unexpected argument '%s' (libFuzzer flags go after --)",
				arg);
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
    "Search the schedules of a scenario in the deterministic emulator with libFuzzer, "
    "in-process: the fuzz input is the schedule (which CPU runs next, which value each load "
    "reads), the feedback is which store each load read from, which CPU ran between two "
    "accesses to one location and which barriers were crossed with stores pending.  Each "
    "unique failure (kind and code site) is minimized to its fewest decisions and saved as "
    "a reproducer for `slabstress replay`.\v"
    "Arguments after -- go to libFuzzer unchanged (-seed=N, -max_len=N, -dict=FILE, ...).\n\n"
    "Usage:\n"
    "  slabstress fuzz -s SCENARIO [--variant V] [--model M] [--duration T] [--corpus DIR]\n"
    "                  [--save DIR] [--jobs N] [--keep-going] [--json FILE] [-- "
    "LIBFUZZER_FLAGS]\n\n"
    "Examples:\n"
    "  slabstress fuzz -s lazy-objexts --variant rc1 --model lkmm --duration 60 --save crashes/\n"
    "  slabstress fuzz -s once --variant fixed --duration 600 --corpus corpus/ -- -fork=2\n"
    "  slabstress replay crashes/lazy-objexts-rc1-lkmm-wrong-metadata-1a2b3c4d.json\n\n"
    "Exit status: 0 no failure in the whole duration, 1 a failing schedule was found, 2 bad "
    "input (or a build without libFuzzer), 3 internal error.";

static const struct argp_child children[] = {{&cli_scenario_argp, 0, 0, 0}, {0}};

/* snprintf that reports truncation (paths): a cut path would name another file. */
#define FMT(buf, n, ...) ((size_t)snprintf((buf), (n), __VA_ARGS__) >= (size_t)(n) ? -1 : 0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int mkdir_p(const char *path)
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

/* ---- unique failures ---- */

struct uniq {
	enum ss_fail_kind kind;
	char file[128];
	int line;
	unsigned long count;   /* failing inputs with this kind and site */
	struct emu_result res; /* of the minimized schedule */
	u8 *sched;	       /* minimized */
	size_t len, raw_len, decisions;
	char path[4096], trace_path[4096];
	char *hex;
	double found_s;
	bool saved;
};

struct campaign {
	struct fuzz_cli *o;
	struct emu *e;
	struct ss_fuzz_shared *sh;
	char work[4096], artifacts[4096], corpus[4096], log_path[4096];
	const char *save;
	struct uniq *u;
	int nu, capu;
	unsigned long artifacts_seen, flaky;
	char warned[8][256]; /* libFuzzer's unrecognized-flag warnings, shown once */
	int nwarned;
	double t0, first_fail_s;
	unsigned long long first_fail_execs;
	size_t corpus_size;
	char internal[4400];
	/* names of artifacts already handled */
	char **seen;
	int nseen, capseen;
};

static bool seen_before(struct campaign *c, const char *name)
{
	for (int i = 0; i < c->nseen; i++)
		if (!strcmp(c->seen[i], name))
			return true;
	if (c->nseen == c->capseen) {
		c->capseen = c->capseen ? 2 * c->capseen : 16;
		c->seen = realloc(c->seen, (size_t)c->capseen * sizeof(*c->seen));
		if (!c->seen)
			cli_internal_error("out of memory");
	}
	c->seen[c->nseen++] = strdup(name);
	return false;
}

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

/* Saves u (already minimized) as a reproducer and its trace. */
static void save_uniq(struct campaign *c, struct uniq *u)
{
	char err[300];
	if (ss_save_failure(c->save, c->e, &u->res, u->sched, u->len, u->path, sizeof(u->path), err,
			    sizeof(err)) != 0) {
		fprintf(stderr, "slabstress: cannot save reproducer: %s\n", err);
		return;
	}
	u->saved = true;
	snprintf(u->trace_path, sizeof(u->trace_path), "%s", u->path);
	char *dot = strrchr(u->trace_path, '.');
	if (dot)
		strcpy(dot, ".txt");
	FILE *f = fopen(u->trace_path, "w");
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

static void handle_artifact(struct campaign *c, const char *path)
{
	size_t len = 0;
	u8 *b = read_file(path, &len);
	if (!b)
		return;
	c->artifacts_seen++;
	struct emu_result res;
	emu_set_trace(c->e, false);
	int rc = emu_execute(c->e, b, len, &res);
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
	for (int i = 0; i < c->nu; i++)
		if (c->u[i].kind == res.kind && c->u[i].line == line &&
		    !strcmp(c->u[i].file, file)) {
			c->u[i].count++;
			free(b);
			return;
		}
	if (c->nu == c->capu) {
		c->capu = c->capu ? 2 * c->capu : 8;
		c->u = realloc(c->u, (size_t)c->capu * sizeof(*c->u));
		if (!c->u)
			cli_internal_error("out of memory");
	}
	struct uniq *u = &c->u[c->nu++];
	memset(u, 0, sizeof(*u));
	u->kind = res.kind;
	snprintf(u->file, sizeof(u->file), "%s", file);
	u->line = line;
	u->count = 1;
	u->raw_len = len;
	u->found_s = now_s() - c->t0;
	u8 *min = NULL;
	size_t mlen = 0;
	if (ss_fuzz_minimize(c->e, b, len, res.kind, s ? file : NULL, line,
			     c->o->min_execs ? c->o->min_execs : 20000, &min, &mlen) == 0) {
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
	save_uniq(c, u);
}

static void scan_artifacts(struct campaign *c)
{
	DIR *d = opendir(c->artifacts);
	if (!d)
		return;
	struct dirent *de;
	char names[64][256];
	int n = 0;
	while ((de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.' && !seen_before(c, de->d_name))
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	closedir(d);
	for (int i = 0; i < n; i++) {
		char p[4400];
		if (FMT(p, sizeof(p), "%s/%s", c->artifacts, names[i]) == 0)
			handle_artifact(c, p);
	}
}

/* ---- the worker process ---- */

static pid_t spawn_worker(struct campaign *c, char **args, int *errfd)
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
		execv("/proc/self/exe", args);
		_exit(127);
	}
	setpgid(pid, pid);
	ss_stop_track_pgid(pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	*errfd = pfd[0];
	(void)c;
	return pid;
}

/* Shows libFuzzer's warning about a flag it does not know, once per flag (a
 * restarted worker says it again). */
static void warn_flag(struct campaign *c, const char *line)
{
	for (int i = 0; i < c->nwarned; i++)
		if (!strcmp(c->warned[i], line))
			return;
	if (c->nwarned < 8)
		snprintf(c->warned[c->nwarned++], sizeof(c->warned[0]), "%s", line);
	fprintf(stderr, "slabstress: libFuzzer: %s\n", line);
}

/* Reads libFuzzer's output: appended to the log; "corp: N" gives the corpus size. */
static void drain(struct campaign *c, int fd, FILE *log, char *line, size_t *ll, size_t cap)
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
			const char *p = strstr(line, "corp: ");
			if (p)
				c->corpus_size = strtoul(p + 6, NULL, 10);
			/* A flag after -- that libFuzzer does not know: its own words. */
			if (strstr(line, "WARNING: unrecognized flag"))
				warn_flag(c, line);
		}
	}
	if (log)
		fflush(log);
}

static void status_line(struct campaign *c, double elapsed)
{
	unsigned long long x = c->sh->execs;
	size_t corp = c->corpus_size;
	if (!corp && c->o->corpus)
		corp = count_files(c->corpus);
	fprintf(stderr, "\r  %5.0fs  %llu execs  %.0f exec/s  corpus %zu  unique failures %d   ",
		elapsed, x, elapsed > 0 ? x / elapsed : 0.0, corp, c->nu);
	fflush(stderr);
}

static void log_tail(const char *path)
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
		fprintf(stderr, "  | %s", lines[i % 8]);
}

/* Runs workers until the duration ends, a failure stops the campaign, or SIGINT.
 * Returns 0, or -1 on an internal error (c->internal). */
static int run_campaign(struct campaign *c, char **base_args, int nbase, char **pass, int npass,
			bool progress)
{
	struct fuzz_cli *o = c->o;
	double duration = o->duration > 0 ? o->duration : 60;
	FILE *log = fopen(c->log_path, "a");
	for (int round = 0;; round++) {
		double elapsed = now_s() - c->t0;
		double left = duration - elapsed;
		if (left < 0.5 || ss_interrupted)
			break;
		char **args = calloc((size_t)(nbase + npass + 8), sizeof(*args));
		char tbuf[64], jbuf[64], rbuf[64];
		int k = 0;
		for (int i = 0; i < nbase; i++)
			args[k++] = base_args[i];
		snprintf(tbuf, sizeof(tbuf), "-max_total_time=%ld", (long)(left + 0.999));
		args[k++] = tbuf;
		if (o->jobs > 1) {
			snprintf(jbuf, sizeof(jbuf), "-fork=%lu", o->jobs);
			args[k++] = jbuf;
			if (o->keep_going)
				args[k++] = "-ignore_crashes=1";
		}
		if (o->runs) {
			unsigned long long done = c->sh->execs;
			if (done >= o->runs) {
				free(args);
				break;
			}
			snprintf(rbuf, sizeof(rbuf), "-runs=%llu", o->runs - done);
			args[k++] = rbuf;
		}
		for (int i = 0; i < npass; i++)
			args[k++] = pass[i];
		args[k++] = c->corpus;
		args[k] = NULL;

		int fd;
		pid_t pid = spawn_worker(c, args, &fd);
		free(args);
		if (pid < 0) {
			snprintf(c->internal, sizeof(c->internal), "cannot start the worker: %s",
				 strerror(errno));
			return -1;
		}
		char line[1024];
		size_t ll = 0;
		int status = 0, sent = 0;
		double last_status = 0, deadline = c->t0 + duration + 30;
		unsigned long nu_before = (unsigned long)c->nu, art_before = c->artifacts_seen;
		for (;;) {
			struct pollfd p = {fd, POLLIN, 0};
			poll(&p, 1, 200);
			drain(c, fd, log, line, &ll, sizeof(line));
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			double t = now_s();
			if (ss_interrupted && sent == 0) {
				kill(-pid, SIGINT);
				sent = 1;
				deadline = t + 10;
			}
			if (t > deadline) {
				kill(-pid, sent >= 2 ? SIGKILL : SIGINT);
				sent = sent >= 2 ? 3 : 2;
				deadline = t + 5;
			}
			if (o->keep_going && o->jobs > 1)
				scan_artifacts(c);
			if (progress && t - last_status >= 1) {
				status_line(c, t - c->t0);
				last_status = t;
			}
		}
		drain(c, fd, log, line, &ll, sizeof(line));
		close(fd);
		kill(-pid, SIGKILL); /* stray fork-mode jobs */
		ss_stop_untrack_pgid(pid);
		scan_artifacts(c);
		if (c->internal[0])
			return -1;
		bool found_new = c->artifacts_seen > art_before;
		bool bad_exit = !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && !found_new);
		if (bad_exit && !ss_interrupted && sent < 2) {
			if (progress)
				fprintf(stderr, "\r%*s\r", 78, "");
			int r;
			if (WIFEXITED(status))
				r = FMT(
				    c->internal, sizeof(c->internal),
				    "libFuzzer worker exited %d without a failing input (log: %s)",
				    WEXITSTATUS(status), c->log_path);
			else
				r = FMT(c->internal, sizeof(c->internal),
					"libFuzzer worker killed by signal %d (log: %s)",
					WTERMSIG(status), c->log_path);
			(void)r;
			log_tail(c->log_path);
			return -1;
		}
		(void)nu_before;
		if (!found_new || !o->keep_going || o->jobs > 1 || o->runs)
			break;
		(void)round;
	}
	if (log)
		fclose(log);
	if (progress)
		fprintf(stderr, "\r%*s\r", 78, "");
	return 0;
}

int cmd_fuzz(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], SS_FUZZ_WORKER_ARG))
		return ss_fuzz_worker_main(argc, argv);

	/* Everything after "--" belongs to libFuzzer. */
	int ours = argc, npass = 0;
	char **pass = NULL;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			ours = i;
			pass = argv + i + 1;
			npass = argc - i - 1;
			break;
		}
	struct fuzz_cli o;
	memset(&o, 0, sizeof(o));
	cli_scenario_defaults(&o.sc);
	struct argp argp = {options, parse, 0, doc, children, 0, 0};
	char **our_argv = calloc((size_t)ours + 1, sizeof(char *));
	if (!our_argv)
		cli_internal_error("out of memory");
	memcpy(our_argv, argv, (size_t)ours * sizeof(char *));
	cli_parse(&argp, ours, our_argv, &o);
	cli_scenario_finish(&o.sc, true);
	for (int i = 0; i < npass; i++)
		if (pass[i][0] != '-')
			cli_usage_error(
			    "fuzz: unexpected argument '%s' after --: expected libFuzzer "
			    "flags like -seed=1 (use --corpus DIR for the corpus)",
			    pass[i]);

	enum wmm_model model = WMM_LKMM;
	if (o.model_arg && wmm_model_parse(o.model_arg, &model) != 0)
		cli_usage_error("unknown --model '%s': expected one of sc, tso, lkmm", o.model_arg);
	enum ss_cov_mode cov = o.no_extra ? SS_COV_NONE : SS_COV_INTERLEAVING;
	if (o.feedback) {
		int m = ss_cov_mode_from_name(o.feedback);
		if (m < 0)
			cli_usage_error(
			    "unknown --feedback '%s': expected none, sites, interleaving",
			    o.feedback);
		cov = (enum ss_cov_mode)m;
	}
	cli_check_output_path("--json", o.json_path);
	cli_json_stdout(o.json_path);
	const char *save = o.save ? o.save : "crashes";
	cli_check_output_dir("--save", save);
	cli_check_output_dir("--corpus", o.corpus);
	if (!ss_fuzz_have_libfuzzer())
		cli_usage_error("fuzz: built without libFuzzer (CC=gcc): rebuild with clang");
	if (mkdir_p(save) != 0)
		cli_usage_error("cannot create --save directory '%s': %s", save, strerror(errno));
	if (o.corpus && mkdir_p(o.corpus) != 0)
		cli_usage_error("cannot create --corpus directory '%s': %s", o.corpus,
				strerror(errno));
	if (!o.duration)
		o.duration = 60;

	struct ss_fuzz_target t;
	memset(&t, 0, sizeof(t));
	t.ec.scn = o.sc.scn;
	t.ec.alloc = o.sc.alloc;
	t.ec.acfg = o.sc.acfg;
	t.ec.model = model;
	t.ec.iters = o.iters ? o.iters : 1;
	t.ec.seed = SS_EMU_WORLD_SEED;
	t.ec.max_steps = o.max_steps ? o.max_steps : 200000;
	t.ec.deps = (enum emu_deps)o.deps;
	t.cov = cov;

	struct campaign c;
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.save = save;
	ss_install_sigint(); /* before the work directory exists: a stop removes it */
	const char *tmp = getenv("TMPDIR");
	snprintf(c.work, sizeof(c.work), "%s/slabstress-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(c.work))
		cli_internal_error("cannot create a work directory in %s: %s", tmp ? tmp : "/tmp",
				   strerror(errno));
	/* Removed at exit and on a hard stop, whatever path ends the campaign. */
	ss_stop_track_path(c.work, 1);
	if (FMT(c.artifacts, sizeof(c.artifacts), "%s/artifacts", c.work) ||
	    FMT(c.log_path, sizeof(c.log_path), "%s/libfuzzer.log", c.work) ||
	    FMT(t.stats_path, sizeof(t.stats_path), "%s/stats", c.work) ||
	    (o.corpus ? FMT(c.corpus, sizeof(c.corpus), "%s", o.corpus)
		      : FMT(c.corpus, sizeof(c.corpus), "%s/corpus", c.work)))
		cli_usage_error("--corpus or TMPDIR path too long");
	if (mkdir_p(c.artifacts) != 0 || mkdir_p(c.corpus) != 0)
		cli_internal_error("cannot create %s: %s", c.artifacts, strerror(errno));
	int sfd = open(t.stats_path, O_RDWR | O_CREAT, 0600);
	if (sfd < 0 || ftruncate(sfd, 4096) != 0)
		cli_internal_error("cannot create %s: %s", t.stats_path, strerror(errno));
	c.sh = mmap(NULL, sizeof(*c.sh), PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	close(sfd);
	if (c.sh == MAP_FAILED)
		cli_internal_error("mmap %s: %s", t.stats_path, strerror(errno));

	char env[2048];
	if (ss_fuzz_target_encode(&t, env, sizeof(env)) != 0 || setenv(SS_FUZZ_ENV, env, 1) != 0)
		cli_internal_error("target description too long");

	char err[300] = "";
	c.e = emu_create(&t.ec, err, sizeof(err));
	if (!c.e)
		cli_internal_error("%s", err);
	ss_emu_name_regions(c.e);

	const struct ss_alloc_config *a = &t.ec.acfg;
	if (!o.quiet) {
		printf("slabstress fuzz: scenario %s, variant %s, alloc %s, model %s, feedback %s, "
		       "deps %s\n",
		       t.ec.scn->name, ss_variant_name(a->variant), t.ec.alloc->name,
		       wmm_model_name(model), ss_cov_mode_name(cov), emu_deps_name(t.ec.deps));
		printf("  slab: stride-bits %u, objext %s, object-size %zu, page-size %zu\n",
		       a->stride_bits, ss_objext_name(a->objext), a->object_size, a->page_size);
		printf("  libFuzzer in-process, %lu job%s, %.0f s%s, corpus %s, save %s\n",
		       o.jobs ? o.jobs : 1, o.jobs > 1 ? "s" : "", o.duration,
		       o.keep_going ? ", keep going" : "", o.corpus ? o.corpus : "(temporary)",
		       save);
		fflush(stdout);
	}

	/* The worker's fixed flags; the corpus comes last. */
	char art_flag[4200], seed_flag[64], len_flag[64];
	snprintf(art_flag, sizeof(art_flag), "-artifact_prefix=%s/", c.artifacts);
	snprintf(len_flag, sizeof(len_flag), "-max_len=%lu", o.max_len ? o.max_len : 512);
	char *base[12];
	int nb = 0;
	base[nb++] = "slabstress";
	base[nb++] = "fuzz";
	base[nb++] = SS_FUZZ_WORKER_ARG;
	base[nb++] = art_flag;
	base[nb++] = len_flag;
	base[nb++] = "-print_final_stats=1";
	base[nb++] = "-reload=1";
	/* A schedule's meaning depends on its length (the back stream is read from
	 * the end): growing inputs slowly (len_control) only delays the search. */
	base[nb++] = "-len_control=0";
	if (o.sc.seed_set) {
		snprintf(seed_flag, sizeof(seed_flag), "-seed=%llu", o.sc.seed);
		base[nb++] = seed_flag;
	}
	/* argv[0] of the exec is "slabstress"; drop it from the count of our slots. */

	signal(SIGPIPE, SIG_IGN);
	bool progress = !o.no_progress && !o.quiet && cli_stderr_is_tty();
	c.t0 = now_s();
	int rc = run_campaign(&c, base, nb, pass, npass, progress);
	double elapsed = now_s() - c.t0;
	unsigned long long execs = c.sh->execs;
	if (c.o->corpus || !c.corpus_size)
		c.corpus_size = c.corpus_size ? c.corpus_size : count_files(c.corpus);
	if (rc != 0) {
		fprintf(stderr, "slabstress: internal error: %s\n", c.internal);
		emu_destroy(c.e);
		return SS_EXIT_INTERNAL;
	}

	double eps = elapsed > 0 ? execs / elapsed : 0;
	if (!o.quiet)
		printf("  %llu executions in %.1f s = %.0f exec/s, corpus %zu%s\n", execs, elapsed,
		       eps, c.corpus_size, ss_interrupted ? " (interrupted)" : "");
	if (c.nu) {
		printf(
		    "FAILED: %d unique failure%s in %lu failing input%s (first after %.2f s, %llu "
		    "executions) under %s, %s dependencies\n",
		    c.nu, c.nu == 1 ? "" : "s", c.artifacts_seen, c.artifacts_seen == 1 ? "" : "s",
		    c.first_fail_s, c.first_fail_execs, wmm_model_name(model),
		    emu_deps_name(t.ec.deps));
		for (int i = 0; i < c.nu; i++) {
			struct uniq *u = &c.u[i];
			printf("  %s at %s:%d: %s (%zu non-default decision%s, %zu bytes)\n",
			       ss_fail_kind_name(u->kind), u->file, u->line,
			       u->saved ? u->path : "(not saved)", u->decisions,
			       u->decisions == 1 ? "" : "s", u->len);
		}
	} else {
		printf("clean: no failure in %llu executions (%.0f s) under %s, %s dependencies\n",
		       execs, elapsed, wmm_model_name(model), emu_deps_name(t.ec.deps));
	}

	if (o.json_path) {
		json_t *doc = res_doc_new("fuzz", cli_argc, cli_argv);
		json_t *pa = json_pack(
		    "{s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:s, s:f, s:I, s:b, s:I, s:I}",
		    "scenario", t.ec.scn->name, "variant", ss_variant_name(a->variant), "alloc",
		    t.ec.alloc->name, "model", wmm_model_name(model), "stride_bits", a->stride_bits,
		    "objext", ss_objext_name(a->objext), "object_size", (json_int_t)a->object_size,
		    "page_size", (json_int_t)a->page_size, "feedback", ss_cov_mode_name(cov),
		    "duration", o.duration, "jobs", (json_int_t)(o.jobs ? o.jobs : 1), "keep_going",
		    o.keep_going, "iters", (json_int_t)t.ec.iters, "max_steps",
		    (json_int_t)t.ec.max_steps);
		json_t *lf = json_array();
		for (int i = 0; i < npass; i++)
			json_array_append_new(lf, json_string(pass[i]));
		json_object_set_new(pa, "libfuzzer_flags", lf);
		if (o.sc.seed_set)
			json_object_set_new(pa, "seed", json_integer((json_int_t)o.sc.seed));
		json_object_set_new(doc, "parameters", pa);
		json_object_set_new(doc, "engine", json_string("fuzz"));
		json_object_set_new(
		    doc, "counters",
		    json_pack("{s:I, s:I, s:I, s:I}", "executions", (json_int_t)execs,
			      "failing_inputs", (json_int_t)c.artifacts_seen, "unique_failures",
			      (json_int_t)c.nu, "corpus", (json_int_t)c.corpus_size));
		json_t *tm = json_pack("{s:f, s:f}", "elapsed_s", elapsed, "executions_per_s", eps);
		if (c.nu) {
			json_object_set_new(tm, "first_failure_s", json_real(c.first_fail_s));
			json_object_set_new(tm, "first_failure_executions",
					    json_integer((json_int_t)c.first_fail_execs));
		}
		json_object_set_new(doc, "timing", tm);
		json_object_set_new(doc, "interrupted", json_boolean(ss_interrupted));
		json_t *fl = json_array();
		for (int i = 0; i < c.nu; i++) {
			struct uniq *u = &c.u[i];
			json_t *f = res_failure_json(&u->res.fail);
			json_object_set_new(f, "count", json_integer((json_int_t)u->count));
			json_object_set_new(f, "reproducer", json_string(u->saved ? u->path : ""));
			json_object_set_new(f, "trace", json_string(u->saved ? u->trace_path : ""));
			json_object_set_new(f, "schedule", json_string(u->hex ? u->hex : ""));
			json_object_set_new(f, "decisions", json_integer((json_int_t)u->decisions));
			json_object_set_new(f, "schedule_bytes_found",
					    json_integer((json_int_t)u->raw_len));
			json_array_append_new(fl, f);
		}
		json_object_set_new(doc, "failures", fl);
		json_object_set_new(doc, "verdict", json_string(c.nu ? "failed" : "clean"));
		json_object_set_new(doc, "deps", json_string(emu_deps_name(t.ec.deps)));
		if (res_write_atomic(doc, o.json_path, err, sizeof(err)) != 0) {
			json_decref(doc);
			fprintf(stderr, "slabstress: %s\n", err);
			return SS_EXIT_INTERNAL;
		}
		json_decref(doc);
	}

	int ret = c.nu ? SS_EXIT_FOUND : SS_EXIT_CLEAN;
	rm_rf(c.work);
	for (int i = 0; i < c.nu; i++) {
		free(c.u[i].sched);
		free(c.u[i].hex);
	}
	for (int i = 0; i < c.nseen; i++)
		free(c.seen[i]);
	free(c.seen);
	free(c.u);
	free(our_argv);
	emu_destroy(c.e);
	return ret;
}
