/* results/atomic.c - files written whole or not at all (results/atomic.h). */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/atomic.h"

int res_atomic_begin(struct res_atomic *a, const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path), *copy2 = strdup(path);
	if (!copy || !copy2) {
		free(copy), free(copy2);
		snprintf(err, errlen, "cannot write '%s': out of memory", path);
		return -1;
	}
	snprintf(a->tmp, sizeof(a->tmp), "%s/.%s.XXXXXX", dirname(copy), basename(copy2));
	free(copy), free(copy2);
	a->path = path;
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &a->old);
	a->fd = mkstemp(a->tmp);
	a->f = a->fd < 0 ? NULL : fdopen(a->fd, "wb");
	if (!a->f) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
		if (a->fd >= 0) {
			close(a->fd);
			unlink(a->tmp);
		}
		sigprocmask(SIG_SETMASK, &a->old, NULL);
		return -1;
	}
	return 0;
}

int res_atomic_end(struct res_atomic *a, bool ok, char *err, size_t errlen)
{
	ok = ok && fflush(a->f) == 0 && fsync(a->fd) == 0;
	ok = fclose(a->f) == 0 && ok;
	ok = ok && chmod(a->tmp, 0644) == 0 && rename(a->tmp, a->path) == 0;
	if (!ok) {
		snprintf(err, errlen, "cannot write '%s': %s", a->path,
			 strerror(errno ? errno : EIO));
		unlink(a->tmp);
	}
	sigprocmask(SIG_SETMASK, &a->old, NULL);
	return ok ? 0 : -1;
}
