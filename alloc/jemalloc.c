/* alloc/jemalloc.c - the "jemalloc" backend: the real libjemalloc (mallocx /
 * sdallocx with the world's fixed object size), for throughput comparison and
 * for running the handoff scenarios against a production allocator.
 *
 * jemalloc has no memcg: gfp flags are ignored and only content and double-free
 * checks apply.  Its per-thread caches play the part of SLUB's per-CPU sheaves:
 * an object freed on another thread goes to that thread's cache, the cross-CPU
 * path the scenarios exercise.  The whole process's malloc is jemalloc too
 * (the binary links -ljemalloc), which is why alloc/libc.c looks glibc up.
 * Double frees are caught by the live-pointer set of alloc/track.h.
 */
#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/alloc.h"
#include "alloc/track.h"
#include "kernel/bug.h"

struct jemalloc_world {
	struct ss_track live;
	size_t size;
};

static void *jemalloc_world_create(const struct ss_alloc_config *cfg, char *err, size_t errlen)
{
	struct jemalloc_world *jw = calloc(1, sizeof(*jw));

	if (!jw || !ss_track_init(&jw->live, cfg->max_objects)) {
		snprintf(err, errlen, "jemalloc: out of memory for the live-object table");
		free(jw);
		return NULL;
	}
	jw->size = cfg->object_size;
	return jw;
}

static void jemalloc_free_cb(void *p, void *arg)
{
	struct jemalloc_world *jw = arg;

	sdallocx(p, jw->size, 0);
}

static void jemalloc_world_reset(void *world)
{
	struct jemalloc_world *jw = world;

	ss_track_drain(&jw->live, jemalloc_free_cb, jw);
}

static void jemalloc_world_destroy(void *world)
{
	struct jemalloc_world *jw = world;

	if (!jw)
		return;
	jemalloc_world_reset(jw);
	ss_track_destroy(&jw->live);
	free(jw);
}

static void *jemalloc_alloc(void *world, unsigned gfp)
{
	struct jemalloc_world *jw = world;
	void *p = mallocx(jw->size, 0);

	(void)gfp; /* no memcg */
	if (p && !ss_track_insert(&jw->live, p))
		SS_FAIL(SS_FAIL_INVARIANT,
			"jemalloc: live-object table full at %p (more than max_objects live)", p);
	return p;
}

static void jemalloc_free(void *world, void *obj)
{
	struct jemalloc_world *jw = world;

	if (!ss_track_remove(&jw->live, obj)) {
		SS_FAIL(SS_FAIL_DOUBLE_FREE, "jemalloc: free of %p, which is not live", obj);
		return; /* never hand a dead pointer to the real allocator */
	}
	sdallocx(obj, jw->size, 0);
}

static int jemalloc_quiesce(void *world)
{
	struct jemalloc_world *jw = world;
	unsigned long live = ss_track_compact(&jw->live);

	if (live) {
		SS_FAIL(SS_FAIL_INVARIANT, "jemalloc: %lu objects still live at quiescence", live);
		return 1;
	}
	return 0;
}

const struct ss_alloc_ops ss_alloc_jemalloc = {
    .name = "jemalloc",
    .summary = "the real libjemalloc (mallocx/sdallocx); content and double-free checks",
    .caps = SS_CAP_CONTENT | SS_CAP_DOUBLE_FREE,
    .world_create = jemalloc_world_create,
    .world_reset = jemalloc_world_reset,
    .world_destroy = jemalloc_world_destroy,
    .alloc = jemalloc_alloc,
    .free = jemalloc_free,
    .quiesce = jemalloc_quiesce,
};
