/* tests/genmc/genmc_slab.c - the program shape GenMC 0.9 was measured on (issue
 * 13), as a slabstress scenario file: a small slab of its own, not the SLUB
 * model of alloc/.  Load it with
 *
 *     slabstress explore -s tests/genmc/genmc_slab.c --iters TI --variant V ...
 *
 * The slab: a freelist of GS_OBJS objects under a spinlock, a 16-bit stride
 * field and an obj_exts pointer installed lazily: the first allocator that finds
 * it 0 installs its own vector with cmpxchg(&obj_exts, 0, vec) (a loser uses the
 * winner's); every allocator then finds the object's ext at obj_exts + stride *
 * index.  Each of T threads, I times: allocates an object (pop under the lock,
 * install or read obj_exts, write its ext), frees it (read obj_exts and the
 * stride again, check the ext still names the object, push under the lock),
 * checking the stride each time it reads it.
 *
 * --iters TI selects the shape: T threads (2..4) x I iterations each (1..3), as
 * two digits (21, 23, 41, 32); 1..3 alone is 2 threads x I.  The descriptor
 * declares four roles; roles T..3 do nothing (no kernel access: no event).
 *
 * Which code runs is the slab variant's switches (`slabstress list variants
 * -v`), read from w->acfg:
 *   stride=late|early          the installer stores the stride after its
 *                              successful cmpxchg (late) or before it (early)
 *   stride-access=plain|once   PLAIN_STORE/PLAIN_LOAD or WRITE_ONCE/READ_ONCE
 *   rmb-before-stride=off|on   smp_rmb() before every stride load
 *   wmb-after-stride=off|on    smp_wmb() after an early stride store
 * (stride-bits, inobj-order and obj-exts-read do not apply: the field is u16.)
 *   buggy:  --variant rc1  (late, plain, no rmb): a thread that finds obj_exts
 *           installed may read the stride before the installer wrote it - even
 *           under sc (an interleaving), and a plain/plain data race under lkmm.
 *   fixed:  --variant custom --set stride=early,stride-access=once,rmb-before-stride=on
 *           (marked stride, WRITE_ONCE before the install, READ_ONCE + smp_rmb).
 *   --variant wmb-rmb: early, plain, smp_wmb + smp_rmb: the smp_rmb fix of a
 *           plain stride (what GenMC wrongly flags, per issue 13).
 * tests/genmc/README.md has the figures.
 */
#include <slabstress/scenario.h>

#define GS_OBJS	    4 /* one per thread: each holds at most one at a time */
#define GS_THREADS  4
#define GS_EXT_SIZE sizeof(struct gs_ext)

struct gs_ext {
	unsigned long owner; /* the object this ext describes, written at alloc */
	unsigned long pad;   /* 16 bytes: the stride is 16 */
};

struct gs_obj {
	struct gs_obj *next; /* freelist link, under the lock */
	unsigned long payload;
};

struct gs_state {
	spinlock_t lock;
	struct gs_obj *freelist; /* under lock */
	u16 stride;		 /* 0 until an installer stores GS_EXT_SIZE */
	unsigned long obj_exts;	 /* 0 until the first allocator installs a vector */
	struct gs_obj objs[GS_OBJS];
	struct gs_ext vec[GS_THREADS][GS_OBJS]; /* each thread's candidate vector */
} __attribute__((aligned(64)));

struct gs_code {
	bool early, once, rmb, wmb;
};

static struct gs_code gs_code_of(const struct ss_world *w)
{
	unsigned sw = ss_config_switches(w->acfg);
	return (struct gs_code){.early = sw & SS_SW(SS_SW_STRIDE_EARLY),
				.once = sw & SS_SW(SS_SW_STRIDE_ONCE),
				.rmb = sw & SS_SW(SS_SW_RMB_BEFORE_STRIDE),
				.wmb = sw & SS_SW(SS_SW_WMB_AFTER_STRIDE)};
}

/* --iters TI -> T threads x I iterations; false when it is neither TI nor 1..3. */
static bool gs_shape(unsigned long n, unsigned *threads, unsigned *iters)
{
	if (n >= 1 && n <= 3) {
		*threads = 2;
		*iters = (unsigned)n;
		return true;
	}
	*threads = (unsigned)(n / 10);
	*iters = (unsigned)(n % 10);
	return n < 100 && *threads >= 2 && *threads <= GS_THREADS && *iters >= 1 && *iters <= 3;
}

static void gs_reset(struct ss_world *w)
{
	struct gs_state *st = w->state;

	spin_lock_init(&st->lock);
	for (int i = 0; i < GS_OBJS; i++)
		PLAIN_STORE(st->objs[i].next, i + 1 < GS_OBJS ? &st->objs[i + 1] : NULL);
	PLAIN_STORE(st->freelist, &st->objs[0]);
	PLAIN_STORE(st->stride, (u16)0);
	PLAIN_STORE(st->obj_exts, 0UL);
	for (int t = 0; t < GS_THREADS; t++)
		for (int i = 0; i < GS_OBJS; i++)
			PLAIN_STORE(st->vec[t][i].owner, 0UL);
}

static void gs_set_stride(struct gs_state *st, struct gs_code c)
{
	if (c.once)
		WRITE_ONCE(st->stride, (u16)GS_EXT_SIZE);
	else
		PLAIN_STORE(st->stride, (u16)GS_EXT_SIZE);
}

/* The object's ext: obj_exts + stride * index, the address depending on both
 * loads and on obj.  Reports a stride other than GS_EXT_SIZE. */
static struct gs_ext *gs_ext_of(struct gs_state *st, struct gs_code c, unsigned long exts,
				struct gs_obj *obj, const char *when)
{
	if (c.rmb)
		smp_rmb();
	unsigned stride = c.once ? READ_ONCE(st->stride) : PLAIN_LOAD(st->stride);
	struct ss_dep d = ss_dep_join(ss_dep_of(exts), ss_dep_last());
	if (BRANCH_ON(stride != GS_EXT_SIZE))
		SS_FAIL(SS_FAIL_WRONG_METADATA, "%s: stride %u, expected %u (obj_exts %#lx seen)",
			when, stride, (unsigned)GS_EXT_SIZE, exts);
	unsigned long index = (unsigned long)(obj - st->objs);
	struct gs_ext *ext = (struct gs_ext *)(exts + (unsigned long)stride * index);
	return ss_dep_derive(ext, ss_dep_join(d, ss_dep_of(obj)));
}

/* The lazy install: the first allocator to find obj_exts 0 installs its vector. */
static unsigned long gs_install(struct gs_state *st, struct gs_code c, int t)
{
	unsigned long vec = (unsigned long)st->vec[t];

	if (c.early) {
		gs_set_stride(st, c);
		if (c.wmb)
			smp_wmb();
	}
	unsigned long old = cmpxchg(&st->obj_exts, 0UL, vec);
	if (BRANCH_ON(old != 0))
		return old; /* lost the race: use the winner's */
	if (!c.early)
		gs_set_stride(st, c); /* BROKEN on purpose (rc1): after the install */
	return vec;
}

static struct gs_obj *gs_alloc(struct gs_state *st, struct gs_code c, int t)
{
	spin_lock(&st->lock);
	struct gs_obj *obj = PLAIN_LOAD(st->freelist);
	if (BRANCH_ON(obj != NULL))
		PLAIN_STORE(st->freelist, PLAIN_LOAD_DEP(obj->next, obj));
	spin_unlock(&st->lock);
	if (!BRANCH_ON(obj != NULL)) {
		SS_FAIL(SS_FAIL_INVARIANT, "genmc-slab: freelist empty on thread %d", t);
		return NULL;
	}
	unsigned long exts = READ_ONCE(st->obj_exts);
	if (!BRANCH_ON(exts != 0))
		exts = gs_install(st, c, t);
	struct gs_ext *ext = gs_ext_of(st, c, exts, obj, "alloc");
	PLAIN_STORE_DEP(ext->owner, (unsigned long)obj, ext);
	return obj;
}

static void gs_free(struct gs_state *st, struct gs_code c, struct gs_obj *obj)
{
	unsigned long exts = READ_ONCE(st->obj_exts);
	struct gs_ext *ext = gs_ext_of(st, c, exts, obj, "free");
	unsigned long owner = PLAIN_LOAD_DEP(ext->owner, ext);
	if (BRANCH_ON(owner != (unsigned long)obj))
		SS_FAIL(SS_FAIL_WRONG_METADATA, "free: ext of object %ld names %#lx, expected %p",
			(long)(obj - st->objs), owner, (void *)obj);
	spin_lock(&st->lock);
	PLAIN_STORE_DEP(obj->next, PLAIN_LOAD(st->freelist), obj);
	PLAIN_STORE(st->freelist, obj);
	spin_unlock(&st->lock);
}

static void gs_thread(struct ss_world *w, int role)
{
	struct gs_state *st = w->state;
	unsigned threads, iters;

	if (!gs_shape(w->iters, &threads, &iters)) {
		if (role == 0)
			SS_FAIL(
			    SS_FAIL_INVARIANT,
			    "genmc-slab: --iters %lu: expected 1..3, or TI with T threads 2..4 and "
			    "I iterations 1..3 (21, 23, 41, 32)",
			    w->iters);
		return;
	}
	if ((unsigned)role >= threads)
		return;
	struct gs_code c = gs_code_of(w);
	for (unsigned i = 0; i < iters; i++) {
		struct gs_obj *obj = gs_alloc(st, c, role);
		if (!BRANCH_ON(obj != NULL))
			return;
		gs_free(st, c, obj);
		ss_count_handoff(w, role);
	}
}

SS_EXPORT_SCENARIO(.name = "genmc-slab",
		   .summary = "GenMC 0.9's shape: spinlocked freelist, 16-bit stride, lazy cmpxchg "
			      "obj_exts install (rc1: broken)",
		   .nroles = 4, .role_names = {"t0", "t1", "t2", "t3"},
		   .role = {gs_thread, gs_thread, gs_thread, gs_thread}, .reset = gs_reset,
		   .handoff = SS_HANDOFF_ALLOCATOR, .checks = SS_CHECK_MEMCG,
		   .state_size = sizeof(struct gs_state), .branches_declared = true,
		   .details = "T threads each allocate an object from a small slab of the file's "
			      "own (freelist under a spinlock), free it and check its metadata: "
			      "the 16-bit stride and the ext at obj_exts + stride * index, "
			      "obj_exts installed lazily by the first allocator with cmpxchg. "
			      "--iters TI: T threads (2..4) x I iterations (1..3). The slab "
			      "variant's switches pick the code: --variant rc1 stores the stride "
			      "plainly after the install (broken); --variant custom --set "
			      "stride=early,stride-access=once,rmb-before-stride=on is the fix.",
		   .params = {{"iters", 21, 21, 1, 43,
			       "TI: T threads (2..4) x I allocate/free iterations each (1..3); "
			       "1..3 alone: 2 threads"}});
