/* results/stop.c - the stop handler shared by run, explore, bench, matrix and fuzz
 * (SIGINT, SIGTERM, SIGHUP), and the registry of what a hard stop cleans up.
 *
 * Everything the handler touches is async-signal-safe: fixed tables written
 * before their "used" flag is set, kill(2), and a recursive removal done with
 * openat/getdents64/unlinkat on a static buffer (no malloc, no stdio). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results/stop.h"

volatile int ss_interrupted;

#define NPATHS 16
#define NPGIDS 8

static char paths[NPATHS][4096];
static volatile sig_atomic_t path_used[NPATHS]; /* 0 free, 1 file, 2 directory */
static volatile pid_t pgids[NPGIDS];
static volatile double first_at;
static volatile sig_atomic_t cleaning;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Removes what dirfd/name names, recursing into directories (bounded depth: our
 * temporary trees are two levels deep). */
static void remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return;
	if (depth > 8)
		return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	static char buf[8][4096]; /* one per depth: the handler may not allocate */
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf[depth], sizeof(buf[depth]));
		if (n <= 0)
			break;
		int removed = 0;
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf[depth] + off);
			off += de->d_reclen;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			remove_at(fd, de->d_name, depth + 1);
			removed = 1;
		}
		if (removed) /* the directory changed under the cursor: read it again */
			lseek(fd, 0, SEEK_SET);
	}
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void ss_stop_cleanup(void)
{
	for (int i = 0; i < NPGIDS; i++) {
		pid_t pg = pgids[i];
		if (pg > 0) {
			kill(-pg, SIGKILL);
			kill(pg, SIGKILL);
			waitpid(pg, NULL, 0);
			pgids[i] = 0;
		}
	}
	for (int i = 0; i < NPATHS; i++)
		if (path_used[i]) {
			remove_at(AT_FDCWD, paths[i], 0);
			path_used[i] = 0;
		}
}

static void on_stop(int sig)
{
	int saved = errno;
	double t = now_s();
	if (!ss_interrupted) {
		first_at = t;
		ss_interrupted = sig;
		errno = saved;
		return;
	}
	/* timeout(1) signals the child and then its whole group: one request. */
	if (sig == ss_interrupted && t - first_at < SS_STOP_DUP_S) {
		errno = saved;
		return;
	}
	if (cleaning)
		_exit(128 + sig);
	cleaning = 1;
	static const char msg[] = "slabstress: second stop signal: workers killed, temporary "
				  "files removed, results not written\n";
	ssize_t w = write(2, msg, sizeof(msg) - 1);
	(void)w;
	ss_stop_cleanup();
	_exit(128 + sig);
}

static void at_exit_cleanup(void)
{
	ss_stop_cleanup();
}

void ss_install_sigint(void)
{
	static int installed;
	if (!installed) {
		atexit(at_exit_cleanup);
		installed = 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int ss_stop_track_path(const char *path, int is_dir)
{
	if (!path || strlen(path) >= sizeof(paths[0]))
		return -1;
	for (int i = 0; i < NPATHS; i++)
		if (!path_used[i]) {
			memcpy(paths[i], path, strlen(path) + 1);
			path_used[i] = is_dir ? 2 : 1;
			return i;
		}
	return -1;
}

void ss_stop_untrack(int slot)
{
	if (slot >= 0 && slot < NPATHS)
		path_used[slot] = 0;
}

void ss_stop_track_pgid(pid_t pgid)
{
	for (int i = 0; i < NPGIDS; i++)
		if (!pgids[i]) {
			pgids[i] = pgid;
			return;
		}
}

void ss_stop_untrack_pgid(pid_t pgid)
{
	for (int i = 0; i < NPGIDS; i++)
		if (pgids[i] == pgid)
			pgids[i] = 0;
}
