/* alloc/libc.c - the "libc" backend: glibc's own malloc/free.
 *
 * The binary links jemalloc, which interposes malloc for the whole process, so
 * glibc's implementation is looked up explicitly in the already loaded
 * libc.so.6 (dlopen with RTLD_NOLOAD, then dlsym on that handle).  No memcg:
 * gfp flags are ignored.  Double frees are caught by the live-pointer set of
 * alloc/track.h before glibc would abort on them.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "alloc/track.h"
#include "kernel/bug.h"

struct libc_world {
	struct ss_track live;
	size_t size;
};

static void *(*glibc_malloc)(size_t);
static void (*glibc_free)(void *);
static pthread_once_t glibc_once = PTHREAD_ONCE_INIT;

static void glibc_lookup(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return;
	void *m = dlsym(h, "malloc");
	void *f = dlsym(h, "free");
	if (m && f) {
		/* dlsym returns void *; the cast to a function pointer is POSIX. */
		memcpy(&glibc_malloc, &m, sizeof(m));
		memcpy(&glibc_free, &f, sizeof(f));
		/* Initialise glibc's malloc here, on one thread.  Its first call runs
		 * ptmalloc_init, which gives the calling thread main_arena without
		 * counting it; two worker threads making their first glibc call at once
		 * would both get it that way and the second to exit trips glibc's
		 * "attached_threads > 0" assertion. */
		glibc_free(glibc_malloc(16));
	}
	/* libc stays loaded for the life of the process; the handle is not closed
	 * so the symbols stay valid. */
}

static void *libc_world_create(const struct ss_alloc_config *cfg, char *err, size_t errlen)
{
	pthread_once(&glibc_once, glibc_lookup);
	if (!glibc_malloc || !glibc_free) {
		const char *why = dlerror();
		snprintf(err, errlen, "libc: cannot find glibc's malloc/free in libc.so.6: %s",
			 why ? why : "not loaded");
		return NULL;
	}
	struct libc_world *lw = calloc(1, sizeof(*lw));
	if (!lw || !ss_track_init(&lw->live, cfg->max_objects)) {
		snprintf(err, errlen, "libc: out of memory for the live-object table");
		free(lw);
		return NULL;
	}
	lw->size = cfg->object_size;
	return lw;
}

static void libc_free_cb(void *p, void *arg)
{
	(void)arg;
	glibc_free(p);
}

static void libc_world_reset(void *world)
{
	struct libc_world *lw = world;

	ss_track_drain(&lw->live, libc_free_cb, NULL);
}

static void libc_world_destroy(void *world)
{
	struct libc_world *lw = world;

	if (!lw)
		return;
	libc_world_reset(lw);
	ss_track_destroy(&lw->live);
	free(lw);
}

static void *libc_alloc(void *world, unsigned gfp)
{
	struct libc_world *lw = world;
	void *p = glibc_malloc(lw->size);

	(void)gfp; /* no memcg */
	if (p && !ss_track_insert(&lw->live, p))
		SS_FAIL(SS_FAIL_INVARIANT,
			"libc: live-object table full at %p (more than max_objects live)", p);
	return p;
}

static void libc_free(void *world, void *obj)
{
	struct libc_world *lw = world;

	if (!ss_track_remove(&lw->live, obj)) {
		SS_FAIL(SS_FAIL_DOUBLE_FREE, "libc: free of %p, which is not live", obj);
		return; /* glibc would abort, or worse */
	}
	glibc_free(obj);
}

static int libc_quiesce(void *world)
{
	struct libc_world *lw = world;
	unsigned long live = ss_track_compact(&lw->live);

	if (live) {
		SS_FAIL(SS_FAIL_INVARIANT, "libc: %lu objects still live at quiescence", live);
		return 1;
	}
	return 0;
}

const struct ss_alloc_ops ss_alloc_libc = {
    .name = "libc",
    .summary = "glibc's malloc/free (looked up past jemalloc); content and double-free checks",
    .caps = SS_CAP_CONTENT | SS_CAP_DOUBLE_FREE,
    .world_create = libc_world_create,
    .world_reset = libc_world_reset,
    .world_destroy = libc_world_destroy,
    .alloc = libc_alloc,
    .free = libc_free,
    .quiesce = libc_quiesce,
};
