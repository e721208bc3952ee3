/* tests/genmc/genmc_slab_for_genmc.c - genmc_slab.c's program written for GenMC
 * 0.9 itself (`genmc -lkmm`), so both tools can be measured on one program
 * (issue 13).  Not part of the slabstress build: tests/genmc/run_genmc.sh
 * compiles it with GenMC when a GenMC 0.9 binary is given, and says "skipped"
 * otherwise.
 *
 * The same shape as genmc_slab.c, access for access: a freelist of GS_OBJS
 * objects under a spinlock, a 16-bit stride, obj_exts installed lazily with
 * cmpxchg by the first allocator that reads it as 0; T threads each allocate,
 * free and check their metadata I times.
 *
 * Build-time switches (as the slab variant's switches of genmc_slab.c):
 *   -DT=2..4 -DI=1..3           threads x iterations (default 2 x 1)
 *   -DSTRIDE_EARLY              store the stride before the cmpxchg (else after
 *                               a successful one: rc1, broken)
 *   -DSTRIDE_ONCE               WRITE_ONCE / READ_ONCE (else plain)
 *   -DRMB_BEFORE_STRIDE         smp_rmb() before every stride load
 *   -DWMB_AFTER_STRIDE          smp_wmb() after an early stride store
 * The fix is -DSTRIDE_EARLY -DSTRIDE_ONCE -DRMB_BEFORE_STRIDE.
 */
#include <assert.h>
#include <lkmm.h>
#include <pthread.h>
#include <stdlib.h>

#ifndef T
#define T 2
#endif
#ifndef I
#define I 1
#endif
#define GS_OBJS 4

struct gs_ext {
	unsigned long owner;
	unsigned long pad; /* 16 bytes: the stride is 16 */
};

struct gs_obj {
	struct gs_obj *next;
	unsigned long payload;
};

spinlock_t lock;
struct gs_obj *freelist;
unsigned short stride;
struct gs_ext *obj_exts;
struct gs_obj objs[GS_OBJS];
struct gs_ext vec[4][GS_OBJS];

#ifdef STRIDE_ONCE
#define STORE_STRIDE(v) WRITE_ONCE(stride, (v))
#define LOAD_STRIDE()	READ_ONCE(stride)
#else
#define STORE_STRIDE(v) (stride = (v))
#define LOAD_STRIDE()	(stride)
#endif

static struct gs_ext *ext_of(struct gs_ext *exts, struct gs_obj *obj)
{
#ifdef RMB_BEFORE_STRIDE
	smp_rmb();
#endif
	unsigned s = LOAD_STRIDE();
	assert(s == sizeof(struct gs_ext)); /* wrong-metadata: stale stride */
	return (struct gs_ext *)((char *)exts + s * (unsigned long)(obj - objs));
}

static struct gs_ext *install(int t)
{
#ifdef STRIDE_EARLY
	STORE_STRIDE(sizeof(struct gs_ext));
#ifdef WMB_AFTER_STRIDE
	smp_wmb();
#endif
#endif
	struct gs_ext *old = cmpxchg(&obj_exts, NULL, vec[t]);
	if (old)
		return old;
#ifndef STRIDE_EARLY
	STORE_STRIDE(sizeof(struct gs_ext));
#endif
	return vec[t];
}

static struct gs_obj *gs_alloc(int t)
{
	spin_lock(&lock);
	struct gs_obj *obj = freelist;
	if (obj)
		freelist = obj->next;
	spin_unlock(&lock);
	assert(obj); /* one object per thread: never empty */
	struct gs_ext *exts = READ_ONCE(obj_exts);
	if (!exts)
		exts = install(t);
	struct gs_ext *ext = ext_of(exts, obj);
	ext->owner = (unsigned long)obj;
	return obj;
}

static void gs_free(struct gs_obj *obj)
{
	struct gs_ext *exts = READ_ONCE(obj_exts);
	struct gs_ext *ext = ext_of(exts, obj);
	assert(ext->owner == (unsigned long)obj); /* wrong-metadata: ext of another */
	spin_lock(&lock);
	obj->next = freelist;
	freelist = obj;
	spin_unlock(&lock);
}

static void *gs_thread(void *arg)
{
	int t = (int)(long)arg;
	for (int i = 0; i < I; i++)
		gs_free(gs_alloc(t));
	return NULL;
}

int main(void)
{
	pthread_t th[T];

	pthread_mutex_init(&lock, NULL);
	for (int i = 0; i < GS_OBJS; i++)
		objs[i].next = i + 1 < GS_OBJS ? &objs[i + 1] : NULL;
	freelist = &objs[0];
	for (long t = 0; t < T; t++)
		pthread_create(&th[t], NULL, gs_thread, (void *)t);
	for (int t = 0; t < T; t++)
		pthread_join(th[t], NULL);
	return 0;
}
