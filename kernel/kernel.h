/* kernel/kernel.h - kernel-style shared-memory primitives with LKMM meaning.
 *
 * This is the only door through which alloc/ and scenarios/ touch shared memory.
 * Every primitive goes through one dispatch point, ss_kops:
 *
 *   - ss_kops == NULL  (native): C11/GCC atomics with the matching order.  The test
 *     is one predictable branch on a global that never changes during a native run.
 *   - ss_kops != NULL  (emulator): the call is handed to the emulator as
 *     ss_kops->op(ss_kctx, ...), ss_kctx being its state for the run; the emulator
 *     makes it a scheduling point and decides which value a load returns
 *     (engine/emu_ops.c).  See "the dispatch point" below for who sets the pair.
 *
 * Each call carries a code site (file, line, function and the source text of the
 * location, e.g. "slab->stride") so traces can name what was accessed.
 *
 * Mapping (tools/memory-model/linux-kernel.def, reference/slub-model.md §6):
 *   READ_ONCE / WRITE_ONCE / PLAIN_*     relaxed (plain accesses are modelled like
 *                                        marked ones; natively they are relaxed atomics
 *                                        so the program stays free of C UB)
 *   smp_load_acquire / smp_store_release acquire / release
 *   smp_mb                               seq_cst fence
 *   smp_wmb / smp_rmb                    release / acquire fence (over-approximations)
 *   value-returning RMW (xchg, cmpxchg, atomic_*_return, *_and_test)
 *                                        seq_cst fence; RMW; seq_cst fence
 *   _relaxed / _acquire / _release RMW   the named order
 *   failed cmpxchg                       relaxed load
 *
 * Natively (ss_kops == NULL) the instructions are the kernel's own on each
 * architecture (arch/<arch>/include/asm/barrier.h and cmpxchg.h):
 *                      arm64           POWER (ppc64le)   elsewhere (x86-64)
 *   smp_mb             dmb ish         sync              C11 seq_cst fence (mfence)
 *   smp_rmb            dmb ishld       lwsync            C11 acquire fence (none)
 *   smp_wmb            dmb ishst       lwsync            C11 release fence (none)
 *   acquire/release    the compiler's: ldar / stlr on arm64 (as the kernel);
 *                      ld;cmp;bne;isync / lwsync;st on POWER (the kernel:
 *                      ld;lwsync / lwsync;st); plain mov on x86-64
 *   cpu_relax          yield           or 1,1,1; or 2,2,2  pause
 *   cmpxchg128         arm64: __sync CAS = libgcc's outline atomic
 *                      __aarch64_cas16_sync, which takes LSE caspal when the CPU
 *                      has it (HWCAP_ATOMICS; -march=armv8.1-a would inline it)
 *                      and an ldaxp/stlxp loop ending in dmb ish otherwise: the
 *                      kernel's two paths.  POWER: sync; lqarx/stqcx. loop; sync,
 *                      the kernel's ATOMIC_ENTRY/EXIT barriers around a relaxed
 *                      16-byte __atomic CAS that gcc inlines (quad-word atomics,
 *                      POWER8 and later, Debian's ppc64el baseline).  x86-64:
 *                      lock cmpxchg16b (-mcx16).  No libatomic is linked.
 *                      -DSS_CMPXCHG128_LOCK: the kernel's slab_lock() fallback
 *                      instead (ss_cmpxchg128_locked), any architecture; also
 *                      clang on POWER, which calls libatomic for 16-byte atomics
 *                      (CC=gcc gives lqarx/stqcx.).
 */
#ifndef SS_KERNEL_H
#define SS_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned __int128 u128;

/* Most CPUs (virtual or real) a world may have. */
#define SS_MAX_CPUS 64

/* ---- code sites ---------------------------------------------------------------- */

#include "results/failure.h" /* struct ss_site */

#define SS_SITE(expr_text)                                                                         \
	({                                                                                         \
		static const struct ss_site ss_site__ = {__FILE__, __LINE__, __func__, expr_text}; \
		&ss_site__;                                                                        \
	})

/* ---- what an access is, for the emulator ------------------------------------------ */

enum ss_access {
	SS_ACC_PLAIN,	/* what the kernel does with plain C */
	SS_ACC_ONCE,	/* READ_ONCE / WRITE_ONCE / atomic_read / atomic_set */
	SS_ACC_ACQUIRE, /* smp_load_acquire */
	SS_ACC_RELEASE, /* smp_store_release */
};

enum ss_order {
	SS_ORD_RELAXED,
	SS_ORD_ACQUIRE,
	SS_ORD_RELEASE,
	SS_ORD_FULL, /* smp_mb(); rmw; smp_mb() */
};

enum ss_rmw_op {
	SS_RMW_XCHG, /* returns old, stores operand */
	SS_RMW_ADD,  /* returns old, stores old + operand (sub = add of negation) */
	SS_RMW_AND,
	SS_RMW_OR,
	SS_RMW_CMPXCHG, /* stores operand iff old == expected; returns old */
};

enum ss_fence {
	SS_FENCE_MB,
	SS_FENCE_WMB,
	SS_FENCE_RMB,
};

typedef struct {
	int locked; /* 0 unlocked, 1 locked; touched only through spin_* */
} spinlock_t;

/* ---- dependencies ----------------------------------------------------------------
 *
 * An address or data dependency of an access on earlier loads of the same CPU
 * (LKMM's addr/data; reference/memory-model.md §1.6).  The emulator gives every
 * load an identity (a handle); a value computed from loaded values carries the
 * union of their handles, and an access whose address was computed from such a
 * value declares it (READ_ONCE_DEP, PLAIN_LOAD_DEP, ...).  Natively all of this
 * is an empty set: ss_kops is NULL, so no call is made.
 *
 * Where a value crosses an interface that carries only the value (kfree(p), a
 * pointer kept in per-CPU private memory and taken back), ss_dep_of(v) finds the
 * dependencies again from the value itself: the emulator remembers, per CPU, the
 * recent loads that returned v and the values derived with ss_dep_derive().
 * Handles are exact; more than SS_DEP_MAX of them become "all earlier loads of
 * this CPU", and a handle the model no longer keeps becomes everything the CPU
 * observed: both only add ordering (sound).  A value whose tags have left the
 * emulator's per-CPU ring carries nothing: that residual risk is what
 * `--deps check` measures against provenance inference. */
#define SS_DEP_MAX 4

struct ss_dep {
	u8 n;	  /* handles in h[] */
	bool all; /* depends on every earlier load of the CPU (overflow) */
	u32 h[SS_DEP_MAX];
};

#define SS_DEP_NONE ((struct ss_dep){0})

/* ---- control dependencies ----------------------------------------------------------
 *
 * LKMM orders a store after the loads that a branch before it tested (ctrl).  The
 * emulator cannot see C's branches, so by default every load of a CPU orders
 * all its later stores: more order than the code has, and no load buffering is
 * ever seen.  A scenario that sets .branches_declared promises that every branch
 * its roles take on a loaded value (an if, a loop's condition, a ?:) goes
 * through BRANCH_ON(cond); then an access depends (ctrl) only on the loads its
 * CPU made before its last BRANCH_ON, held to the end of the role (more order
 * than herd7 gives a branch whose arms join, never less), and the graph engine
 * explores load buffering.  Code that branches without saying so (the
 * allocator, shared helpers) runs between SS_OPAQUE_BEGIN and SS_OPAQUE_END
 * (ss_obj_alloc and ss_obj_free do it): every access there depends on every
 * earlier load, and its end is a branch point.  The primitives of this file
 * that branch inside (refcount_dec_and_test, llist_add's retry loop) declare it
 * themselves.  Natively all of this is nothing. */
enum ss_branch {
	SS_BRANCH_ON,	 /* the code branches on every load made so far */
	SS_OPAQUE_BEGIN, /* code that does not declare its branches starts */
	SS_OPAQUE_END,	 /* ... and ends (a branch point) */
};

/* The emulator's side of the dispatch point.  Every op gets ctx = ss_kctx (the
 * engine's state, e.g. engine/emu.c's struct emu) first.  Values travel as u64
 * (zero-extended for sizes 1, 2, 4); RMWs exist for sizes 4 and 8; cmpxchg128
 * is the SLUB freelist+counters double word. */
struct ss_kernel_ops {
	/* dep: NULL (no declared dependency) or the loads the address (loads,
	 * stores) or the stored value (stores) was computed from. */
	u64 (*load)(void *ctx, const volatile void *p, unsigned size, enum ss_access acc,
		    const struct ss_dep *dep, const struct ss_site *site);
	void (*store)(void *ctx, volatile void *p, unsigned size, u64 val, enum ss_access acc,
		      const struct ss_dep *dep, const struct ss_site *site);
	u64 (*rmw)(void *ctx, volatile void *p, unsigned size, enum ss_rmw_op op, u64 operand,
		   u64 expected, enum ss_order ord, const struct ss_site *site);
	bool (*cmpxchg128)(void *ctx, volatile u128 *p, u128 *old, u128 new_val, enum ss_order ord,
			   const struct ss_site *site);
	void (*fence)(void *ctx, enum ss_fence f, const struct ss_site *site);
	/* A spin-wait hint: the caller is polling; the emulator may block it until a
	 * location it polled gets a newer value. */
	void (*relax)(void *ctx, const struct ss_site *site);
	void (*spin_lock)(void *ctx, spinlock_t *l, const struct ss_site *site);
	bool (*spin_trylock)(void *ctx, spinlock_t *l, const struct ss_site *site);
	void (*spin_unlock)(void *ctx, spinlock_t *l, const struct ss_site *site);
	/* RCU: grace period and read-side markers. */
	void (*synchronize_rcu)(void *ctx, const struct ss_site *site);
	void (*rcu_read_lock)(void *ctx, const struct ss_site *site);
	void (*rcu_read_unlock)(void *ctx, const struct ss_site *site);
	/* Dependencies: those value v carries on this CPU (loads that returned it,
	 * values derived from it); v carries d from now on; those of the CPU's
	 * last load. */
	struct ss_dep (*dep_of)(void *ctx, u64 v);
	void (*dep_derive)(void *ctx, u64 v, const struct ss_dep *d);
	struct ss_dep (*dep_last)(void *ctx);
	/* Control dependencies (enum ss_branch). */
	void (*branch)(void *ctx, enum ss_branch how);
};

/* The dispatch point.  ss_kops NULL: native; every primitive tests it once
 * (one predictable branch on a global that no native run changes) and reads
 * nothing else.  ss_kops non-NULL: the primitive calls ss_kops->op(ss_kctx, ...),
 * ss_kctx being the engine's state for the run (the emulator's struct emu).
 *
 * Both are plain globals, set together by the engine, and only while no native
 * worker runs: the emulator runs its virtual CPUs as coroutines on the one
 * host thread that installed the pair, so one (ops, context) pair serves every
 * CPU of an execution, and one emulator executes at a time per process
 * (emu_execute installs the pair on entry and clears it on return).  ss_kctx
 * is read only after the branch is taken: native code never touches it. */
extern const struct ss_kernel_ops *ss_kops;
extern void *ss_kctx;

/* The CPU the current role runs on (0..ncpus-1), set by the engine. */
extern __thread int ss_cpu_id;

static inline int smp_processor_id(void)
{
	return ss_cpu_id;
}

/* ---- native back end helpers ------------------------------------------------------ */

static inline u64 ss_native_load(const volatile void *p, unsigned size, int order)
{
	switch (size) {
	case 1: return __atomic_load_n((const volatile u8 *)p, order);
	case 2: return __atomic_load_n((const volatile u16 *)p, order);
	case 4: return __atomic_load_n((const volatile u32 *)p, order);
	default: return __atomic_load_n((const volatile u64 *)p, order);
	}
}

static inline void ss_native_store(volatile void *p, unsigned size, u64 v, int order)
{
	switch (size) {
	case 1: __atomic_store_n((volatile u8 *)p, (u8)v, order); break;
	case 2: __atomic_store_n((volatile u16 *)p, (u16)v, order); break;
	case 4: __atomic_store_n((volatile u32 *)p, (u32)v, order); break;
	default: __atomic_store_n((volatile u64 *)p, v, order); break;
	}
}

static inline int ss_native_order(enum ss_order ord)
{
	switch (ord) {
	case SS_ORD_RELAXED: return __ATOMIC_RELAXED;
	case SS_ORD_ACQUIRE: return __ATOMIC_ACQUIRE;
	case SS_ORD_RELEASE: return __ATOMIC_RELEASE;
	default: return __ATOMIC_SEQ_CST;
	}
}

#define SS_NATIVE_RMW(T, p, op, operand, expected, o)                                              \
	({                                                                                         \
		T ss_old__;                                                                        \
		switch (op) {                                                                      \
		case SS_RMW_XCHG:                                                                  \
			ss_old__ = __atomic_exchange_n((volatile T *)(p), (T)(operand), (o));      \
			break;                                                                     \
		case SS_RMW_ADD:                                                                   \
			ss_old__ = __atomic_fetch_add((volatile T *)(p), (T)(operand), (o));       \
			break;                                                                     \
		case SS_RMW_AND:                                                                   \
			ss_old__ = __atomic_fetch_and((volatile T *)(p), (T)(operand), (o));       \
			break;                                                                     \
		case SS_RMW_OR:                                                                    \
			ss_old__ = __atomic_fetch_or((volatile T *)(p), (T)(operand), (o));        \
			break;                                                                     \
		default:                                                                           \
			ss_old__ = (T)(expected);                                                  \
			__atomic_compare_exchange_n((volatile T *)(p), &ss_old__, (T)(operand),    \
						    false, (o), __ATOMIC_RELAXED);                 \
			break;                                                                     \
		}                                                                                  \
		ss_old__;                                                                          \
	})

/* ---- the dispatch point ----------------------------------------------------------- */

/* Value <-> u64 without warnings for pointers and integers of any width. */
#define SS_TO_U64(v)	  ((u64)(uintptr_t)(v))
#define SS_FROM_U64(x, v) ((__typeof__(x))(uintptr_t)(v))

static inline u64 ss_load_dep(const volatile void *p, unsigned size, enum ss_access acc,
			      const struct ss_dep *dep, const struct ss_site *site)
{
	if (unlikely(ss_kops))
		return ss_kops->load(ss_kctx, p, size, acc, dep, site);
	return ss_native_load(p, size, acc == SS_ACC_ACQUIRE ? __ATOMIC_ACQUIRE : __ATOMIC_RELAXED);
}

static inline void ss_store_dep(volatile void *p, unsigned size, u64 v, enum ss_access acc,
				const struct ss_dep *dep, const struct ss_site *site)
{
	if (unlikely(ss_kops)) {
		ss_kops->store(ss_kctx, p, size, v, acc, dep, site);
		return;
	}
	ss_native_store(p, size, v, acc == SS_ACC_RELEASE ? __ATOMIC_RELEASE : __ATOMIC_RELAXED);
}

static inline u64 ss_load(const volatile void *p, unsigned size, enum ss_access acc,
			  const struct ss_site *site)
{
	return ss_load_dep(p, size, acc, NULL, site);
}

static inline void ss_store(volatile void *p, unsigned size, u64 v, enum ss_access acc,
			    const struct ss_site *site)
{
	ss_store_dep(p, size, v, acc, NULL, site);
}

/* ---- control dependencies (see enum ss_branch) --------------------------------------- */

static inline void ss_branch(enum ss_branch how)
{
	if (unlikely(ss_kops))
		ss_kops->branch(ss_kctx, how);
}

/* if (BRANCH_ON(r != 0)), while (!BRANCH_ON(p = READ_ONCE(slot))): cond, once,
 * after its loads; the CPU's later accesses depend (ctrl) on them. */
#define BRANCH_ON(cond)                                                                            \
	({                                                                                         \
		__typeof__(cond) ss_branch_cond__ = (cond);                                        \
		ss_branch(SS_BRANCH_ON);                                                           \
		ss_branch_cond__;                                                                  \
	})

/* ---- dependency helpers (see struct ss_dep) ---------------------------------------- */

/* The dependencies value v carries on this CPU. */
static inline struct ss_dep ss_dep_of_u64(u64 v)
{
	if (unlikely(ss_kops))
		return ss_kops->dep_of(ss_kctx, v);
	return SS_DEP_NONE;
}
#define ss_dep_of(v) ss_dep_of_u64((u64)(uintptr_t)(v))

/* The dependencies of the CPU's last load (its value: an integer such as a
 * stride that goes into an address). */
static inline struct ss_dep ss_dep_last(void)
{
	if (unlikely(ss_kops))
		return ss_kops->dep_last(ss_kctx);
	return SS_DEP_NONE;
}

/* a | b: an overflow becomes "all" (sound). */
static inline struct ss_dep ss_dep_join(struct ss_dep a, struct ss_dep b)
{
	if (likely(!ss_kops))
		return a;
	a.all |= b.all;
	for (unsigned i = 0; i < b.n && !a.all; i++) {
		bool have = false;
		for (unsigned j = 0; j < a.n; j++)
			have |= a.h[j] == b.h[i];
		if (have)
			continue;
		if (a.n == SS_DEP_MAX)
			a.all = true;
		else
			a.h[a.n++] = b.h[i];
	}
	return a;
}

/* Value v was computed from d: ss_dep_of(v) returns (at least) d from now on.
 * Evaluates to v, so a helper can end with  return ss_dep_derive(ptr, d);  d is
 * evaluated only under the emulator (natively: one branch, nothing computed). */
static inline void ss_dep_derive_u64(u64 v, struct ss_dep d)
{
	if (d.n || d.all)
		ss_kops->dep_derive(ss_kctx, v, &d);
}
#define ss_dep_derive(v, d)                                                                        \
	({                                                                                         \
		__typeof__(v) ss_v__ = (v);                                                        \
		if (unlikely(ss_kops))                                                             \
			ss_dep_derive_u64(SS_TO_U64(ss_v__), (d));                                 \
		ss_v__;                                                                            \
	})

/* The same for "v was computed from base" and "v is the value of the CPU's last
 * load" (out of line: a call only under the emulator). */
void ss_emu_derive_from(u64 v, u64 base);
void ss_emu_derive_last(u64 v);
#define ss_dep_derive_from(v, base)                                                                \
	({                                                                                         \
		__typeof__(v) ss_v__ = (v);                                                        \
		if (unlikely(ss_kops))                                                             \
			ss_emu_derive_from(SS_TO_U64(ss_v__), SS_TO_U64(base));                    \
		ss_v__;                                                                            \
	})
#define ss_dep_derive_last(v)                                                                      \
	({                                                                                         \
		__typeof__(v) ss_v__ = (v);                                                        \
		if (unlikely(ss_kops))                                                             \
			ss_emu_derive_last(SS_TO_U64(ss_v__));                                     \
		ss_v__;                                                                            \
	})

/* The kernel's barrier instructions (see the mapping at the top). */
#if defined(__aarch64__)
#define ss_native_mb()	__asm__ __volatile__("dmb ish" ::: "memory")
#define ss_native_rmb() __asm__ __volatile__("dmb ishld" ::: "memory")
#define ss_native_wmb() __asm__ __volatile__("dmb ishst" ::: "memory")
#elif defined(__powerpc64__)
#define ss_native_mb()	__asm__ __volatile__("sync" ::: "memory")
#define ss_native_rmb() __asm__ __volatile__("lwsync" ::: "memory")
#define ss_native_wmb() __asm__ __volatile__("lwsync" ::: "memory")
#else
#define ss_native_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define ss_native_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ss_native_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

static inline u64 ss_rmw(volatile void *p, unsigned size, enum ss_rmw_op op, u64 operand,
			 u64 expected, enum ss_order ord, const struct ss_site *site)
{
	if (unlikely(ss_kops))
		return ss_kops->rmw(ss_kctx, p, size, op, operand, expected, ord, site);
	int o = ss_native_order(ord);
	if (ord == SS_ORD_FULL)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	u64 old = size == 4 ? (u64)SS_NATIVE_RMW(u32, p, op, operand, expected, o)
			    : (u64)SS_NATIVE_RMW(u64, p, op, operand, expected, o);
	if (ord == SS_ORD_FULL)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return old;
}

static inline void ss_fence(enum ss_fence f, const struct ss_site *site)
{
	if (unlikely(ss_kops)) {
		ss_kops->fence(ss_kctx, f, site);
		return;
	}
	switch (f) {
	case SS_FENCE_MB: ss_native_mb(); break;
	case SS_FENCE_WMB: ss_native_wmb(); break;
	case SS_FENCE_RMB: ss_native_rmb(); break;
	}
}

/* ---- marked and plain accesses ---------------------------------------------------- */

#define READ_ONCE(x)	  SS_FROM_U64(x, ss_load(&(x), sizeof(x), SS_ACC_ONCE, SS_SITE(#x)))
#define WRITE_ONCE(x, v)  ss_store(&(x), sizeof(x), SS_TO_U64(v), SS_ACC_ONCE, SS_SITE(#x))
#define PLAIN_LOAD(x)	  SS_FROM_U64(x, ss_load(&(x), sizeof(x), SS_ACC_PLAIN, SS_SITE(#x)))
#define PLAIN_STORE(x, v) ss_store(&(x), sizeof(x), SS_TO_U64(v), SS_ACC_PLAIN, SS_SITE(#x))
/* The same with an address dependency: the address of x was computed from the
 * value base (a pointer, or anything ss_dep_derive tagged), so the access depends
 * on the loads base carries (ss_dep_of(base)).  Natively these are the plain
 * relaxed accesses (base is not evaluated); under the emulator one out-of-line
 * call (kernel/kernel.c). */
u64 ss_emu_load_from(const volatile void *p, unsigned size, enum ss_access acc, u64 base,
		     const struct ss_site *site);
void ss_emu_store_from(volatile void *p, unsigned size, u64 v, enum ss_access acc, u64 base,
		       const struct ss_site *site);
#define SS_LOAD_DEP__(x, acc, base, text)                                                          \
	SS_FROM_U64(x, likely(!ss_kops) ? ss_native_load(&(x), sizeof(x), __ATOMIC_RELAXED)        \
					: ss_emu_load_from(&(x), sizeof(x), acc, SS_TO_U64(base),  \
							   SS_SITE(text)))
#define SS_STORE_DEP__(x, v, acc, base, text)                                                      \
	do {                                                                                       \
		if (likely(!ss_kops))                                                              \
			ss_native_store(&(x), sizeof(x), SS_TO_U64(v), __ATOMIC_RELAXED);          \
		else                                                                               \
			ss_emu_store_from(&(x), sizeof(x), SS_TO_U64(v), acc, SS_TO_U64(base),     \
					  SS_SITE(text));                                          \
	} while (0)
#define READ_ONCE_DEP(x, base)	    SS_LOAD_DEP__(x, SS_ACC_ONCE, base, #x)
#define PLAIN_LOAD_DEP(x, base)	    SS_LOAD_DEP__(x, SS_ACC_PLAIN, base, #x)
#define WRITE_ONCE_DEP(x, v, base)  SS_STORE_DEP__(x, v, SS_ACC_ONCE, base, #x)
#define PLAIN_STORE_DEP(x, v, base) SS_STORE_DEP__(x, v, SS_ACC_PLAIN, base, #x)
/* ... naming the location in traces by text instead of the expression. */
#define READ_ONCE_DEP_AT(x, base, text)	    SS_LOAD_DEP__(x, SS_ACC_ONCE, base, text)
#define WRITE_ONCE_DEP_AT(x, v, base, text) SS_STORE_DEP__(x, v, SS_ACC_ONCE, base, text)
#define smp_load_acquire(p)                                                                        \
	SS_FROM_U64(*(p), ss_load((p), sizeof(*(p)), SS_ACC_ACQUIRE, SS_SITE(#p)))
#define smp_store_release(p, v)                                                                    \
	ss_store((p), sizeof(*(p)), SS_TO_U64(v), SS_ACC_RELEASE, SS_SITE(#p))
#define rcu_dereference(x)	 READ_ONCE(x)
#define rcu_assign_pointer(x, v) smp_store_release(&(x), v)

#define smp_mb()		ss_fence(SS_FENCE_MB, SS_SITE("smp_mb"))
#define smp_wmb()		ss_fence(SS_FENCE_WMB, SS_SITE("smp_wmb"))
#define smp_rmb()		ss_fence(SS_FENCE_RMB, SS_SITE("smp_rmb"))
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define barrier()		__asm__ __volatile__("" ::: "memory")

static inline void ss_cpu_relax(const struct ss_site *site)
{
	if (unlikely(ss_kops)) {
		ss_kops->relax(ss_kctx, site);
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#elif defined(__powerpc64__)
	/* The kernel's cpu_relax(): low then medium SMT thread priority. */
	__asm__ __volatile__("or 1,1,1\n\tor 2,2,2" ::: "memory");
#else
	barrier();
#endif
}
#define cpu_relax() ss_cpu_relax(SS_SITE("cpu_relax"))

/* ---- xchg / cmpxchg on any 4- or 8-byte scalar or pointer --------------------------- */

#define SS_XCHG(p, v, ord, name)                                                                   \
	SS_FROM_U64(*(p),                                                                          \
		    ss_rmw((p), sizeof(*(p)), SS_RMW_XCHG, SS_TO_U64(v), 0, ord, SS_SITE(name)))
#define xchg(p, v)	   SS_XCHG(p, v, SS_ORD_FULL, #p)
#define xchg_relaxed(p, v) SS_XCHG(p, v, SS_ORD_RELAXED, #p)
#define xchg_acquire(p, v) SS_XCHG(p, v, SS_ORD_ACQUIRE, #p)
#define xchg_release(p, v) SS_XCHG(p, v, SS_ORD_RELEASE, #p)

/* A failed cmpxchg orders nothing: the emulator treats it as a relaxed load. */
#define SS_CMPXCHG(p, o, n, ord, name)                                                             \
	SS_FROM_U64(*(p), ss_rmw((p), sizeof(*(p)), SS_RMW_CMPXCHG, SS_TO_U64(n), SS_TO_U64(o),    \
				 ord, SS_SITE(name)))
#define cmpxchg(p, o, n)	 SS_CMPXCHG(p, o, n, SS_ORD_FULL, #p)
#define cmpxchg_relaxed(p, o, n) SS_CMPXCHG(p, o, n, SS_ORD_RELAXED, #p)
#define cmpxchg_acquire(p, o, n) SS_CMPXCHG(p, o, n, SS_ORD_ACQUIRE, #p)
#define cmpxchg_release(p, o, n) SS_CMPXCHG(p, o, n, SS_ORD_RELEASE, #p)

/* try_cmpxchg(p, &old, new): true on success; on failure *old is updated. */
#define SS_TRY_CMPXCHG(p, po, n, ord, name)                                                        \
	({                                                                                         \
		__typeof__(*(p)) ss_exp__ = *(po);                                                 \
		__typeof__(*(p)) ss_got__ = SS_CMPXCHG(p, ss_exp__, n, ord, name);                 \
		bool ss_ok__ = ss_got__ == ss_exp__;                                               \
		if (!ss_ok__)                                                                      \
			*(po) = ss_got__;                                                          \
		ss_ok__;                                                                           \
	})
#define try_cmpxchg(p, po, n)	      SS_TRY_CMPXCHG(p, po, n, SS_ORD_FULL, #p)
#define try_cmpxchg_relaxed(p, po, n) SS_TRY_CMPXCHG(p, po, n, SS_ORD_RELAXED, #p)
#define try_cmpxchg_acquire(p, po, n) SS_TRY_CMPXCHG(p, po, n, SS_ORD_ACQUIRE, #p)
#define try_cmpxchg_release(p, po, n) SS_TRY_CMPXCHG(p, po, n, SS_ORD_RELEASE, #p)

/* The kernel's fallback where the CPU has no 16-byte compare-and-swap (SLUB's
 * slab_lock() around __update_freelist_slow): smp_mb; a lock hashed from p;
 * compare and store; unlock; smp_mb.  Built with -DSS_CMPXCHG128_LOCK (make cross
 * ARCH=ppc64le: Debian 12's qemu-ppc64le 7.2 spins forever on stqcx.); kernel.c. */
u128 ss_cmpxchg128_locked(volatile u128 *p, u128 expected, u128 new_val);

/* 128-bit compare-and-exchange of SLUB's freelist+counters pair (fully ordered). */
static inline bool ss_try_cmpxchg128(volatile u128 *p, u128 *old, u128 new_val,
				     const struct ss_site *site)
{
	if (unlikely(ss_kops))
		return ss_kops->cmpxchg128(ss_kctx, p, old, new_val, SS_ORD_FULL, site);
	u128 expected = *old;
#if defined(SS_CMPXCHG128_LOCK) || (defined(__powerpc64__) && defined(__clang__))
	u128 seen = ss_cmpxchg128_locked(p, expected, new_val);
#elif defined(__powerpc64__)
	/* The kernel's arch_cmpxchg128: sync; lqarx/stqcx. loop; sync.  gcc inlines
	 * the relaxed 16-byte __atomic CAS as the bare loop (quad-word atomics,
	 * POWER8 and later); __sync would end in isync, weaker than the kernel. */
	u128 seen = expected;
	__asm__ __volatile__("sync" ::: "memory");
	__atomic_compare_exchange_n(p, &seen, new_val, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__asm__ __volatile__("sync" ::: "memory");
#else
	/* __sync_* inlines cmpxchg16b (x86-64 with -mcx16) with both compilers and
	 * calls libgcc's __aarch64_cas16_sync (casp or ldxp/stxp) on arm64; the
	 * __atomic form would call libatomic's lock under gcc. */
	u128 seen = __sync_val_compare_and_swap(p, expected, new_val);
#endif
	if (seen == expected)
		return true;
	*old = seen;
	return false;
}
#define try_cmpxchg128(p, po, n) ss_try_cmpxchg128((p), (po), (n), SS_SITE(#p))

/* ---- atomic_t / atomic_long_t ------------------------------------------------------ */

typedef struct {
	int counter;
} atomic_t;
typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i)                                                                             \
	{                                                                                          \
		(i)                                                                                \
	}

#define SS_ATOMIC_OPS(pfx, T, tt)                                                                  \
	static inline T pfx##_read_site(const tt *v, const struct ss_site *s)                      \
	{                                                                                          \
		return (T)ss_load(&v->counter, sizeof(T), SS_ACC_ONCE, s);                         \
	}                                                                                          \
	static inline T pfx##_read_acquire_site(const tt *v, const struct ss_site *s)              \
	{                                                                                          \
		return (T)ss_load(&v->counter, sizeof(T), SS_ACC_ACQUIRE, s);                      \
	}                                                                                          \
	static inline void pfx##_set_site(tt *v, T i, const struct ss_site *s)                     \
	{                                                                                          \
		ss_store(&v->counter, sizeof(T), (u64)i, SS_ACC_ONCE, s);                          \
	}                                                                                          \
	static inline void pfx##_set_release_site(tt *v, T i, const struct ss_site *s)             \
	{                                                                                          \
		ss_store(&v->counter, sizeof(T), (u64)i, SS_ACC_RELEASE, s);                       \
	}                                                                                          \
	static inline T pfx##_fetch_add_site(tt *v, T i, enum ss_order o, const struct ss_site *s) \
	{                                                                                          \
		return (T)ss_rmw(&v->counter, sizeof(T), SS_RMW_ADD, (u64)i, 0, o, s);             \
	}                                                                                          \
	static inline T pfx##_xchg_site(tt *v, T i, enum ss_order o, const struct ss_site *s)      \
	{                                                                                          \
		return (T)ss_rmw(&v->counter, sizeof(T), SS_RMW_XCHG, (u64)i, 0, o, s);            \
	}                                                                                          \
	static inline T pfx##_cmpxchg_site(tt *v, T old, T n, enum ss_order o,                     \
					   const struct ss_site *s)                                \
	{                                                                                          \
		return (T)ss_rmw(&v->counter, sizeof(T), SS_RMW_CMPXCHG, (u64)n, (u64)old, o, s);  \
	}

SS_ATOMIC_OPS(atomic, int, atomic_t)
SS_ATOMIC_OPS(atomic_long, long, atomic_long_t)

#define SS_AS(v)		 SS_SITE(#v)
#define atomic_read(v)		 atomic_read_site((v), SS_AS(v))
#define atomic_read_acquire(v)	 atomic_read_acquire_site((v), SS_AS(v))
#define atomic_set(v, i)	 atomic_set_site((v), (i), SS_AS(v))
#define atomic_set_release(v, i) atomic_set_release_site((v), (i), SS_AS(v))
/* Non-value-returning RMWs are relaxed. */
#define atomic_inc(v)		((void)atomic_fetch_add_site((v), 1, SS_ORD_RELAXED, SS_AS(v)))
#define atomic_dec(v)		((void)atomic_fetch_add_site((v), -1, SS_ORD_RELAXED, SS_AS(v)))
#define atomic_add(i, v)	((void)atomic_fetch_add_site((v), (i), SS_ORD_RELAXED, SS_AS(v)))
#define atomic_sub(i, v)	((void)atomic_fetch_add_site((v), -(i), SS_ORD_RELAXED, SS_AS(v)))
#define atomic_add_return(i, v) (atomic_fetch_add_site((v), (i), SS_ORD_FULL, SS_AS(v)) + (i))
#define atomic_add_return_relaxed(i, v)                                                            \
	(atomic_fetch_add_site((v), (i), SS_ORD_RELAXED, SS_AS(v)) + (i))
#define atomic_add_return_acquire(i, v)                                                            \
	(atomic_fetch_add_site((v), (i), SS_ORD_ACQUIRE, SS_AS(v)) + (i))
#define atomic_add_return_release(i, v)                                                            \
	(atomic_fetch_add_site((v), (i), SS_ORD_RELEASE, SS_AS(v)) + (i))
#define atomic_sub_return(i, v)		atomic_add_return(-(i), v)
#define atomic_inc_return(v)		atomic_add_return(1, v)
#define atomic_inc_return_relaxed(v)	atomic_add_return_relaxed(1, v)
#define atomic_dec_return(v)		atomic_add_return(-1, v)
#define atomic_dec_return_relaxed(v)	atomic_add_return_relaxed(-1, v)
#define atomic_dec_return_release(v)	atomic_add_return_release(-1, v)
#define atomic_fetch_add(i, v)		atomic_fetch_add_site((v), (i), SS_ORD_FULL, SS_AS(v))
#define atomic_fetch_add_relaxed(i, v)	atomic_fetch_add_site((v), (i), SS_ORD_RELAXED, SS_AS(v))
#define atomic_dec_and_test(v)		(atomic_add_return(-1, v) == 0)
#define atomic_sub_and_test(i, v)	(atomic_add_return(-(i), v) == 0)
#define atomic_xchg(v, i)		atomic_xchg_site((v), (i), SS_ORD_FULL, SS_AS(v))
#define atomic_xchg_relaxed(v, i)	atomic_xchg_site((v), (i), SS_ORD_RELAXED, SS_AS(v))
#define atomic_cmpxchg(v, o, n)		atomic_cmpxchg_site((v), (o), (n), SS_ORD_FULL, SS_AS(v))
#define atomic_cmpxchg_relaxed(v, o, n) atomic_cmpxchg_site((v), (o), (n), SS_ORD_RELAXED, SS_AS(v))

#define atomic_long_read(v)	    atomic_long_read_site((v), SS_AS(v))
#define atomic_long_read_acquire(v) atomic_long_read_acquire_site((v), SS_AS(v))
#define atomic_long_set(v, i)	    atomic_long_set_site((v), (i), SS_AS(v))
#define atomic_long_inc(v)	    ((void)atomic_long_fetch_add_site((v), 1, SS_ORD_RELAXED, SS_AS(v)))
#define atomic_long_dec(v)	    ((void)atomic_long_fetch_add_site((v), -1, SS_ORD_RELAXED, SS_AS(v)))
#define atomic_long_add(i, v)	    ((void)atomic_long_fetch_add_site((v), (i), SS_ORD_RELAXED, SS_AS(v)))
#define atomic_long_sub(i, v)                                                                      \
	((void)atomic_long_fetch_add_site((v), -(i), SS_ORD_RELAXED, SS_AS(v)))
#define atomic_long_add_return(i, v)                                                               \
	(atomic_long_fetch_add_site((v), (i), SS_ORD_FULL, SS_AS(v)) + (i))
#define atomic_long_add_return_relaxed(i, v)                                                       \
	(atomic_long_fetch_add_site((v), (i), SS_ORD_RELAXED, SS_AS(v)) + (i))
#define atomic_long_sub_return(i, v)   atomic_long_add_return(-(i), v)
#define atomic_long_sub_and_test(i, v) (atomic_long_add_return(-(i), v) == 0)
#define atomic_long_dec_and_test(v)    (atomic_long_add_return(-1, v) == 0)
#define atomic_long_xchg(v, i)	       atomic_long_xchg_site((v), (i), SS_ORD_FULL, SS_AS(v))
#define atomic_long_cmpxchg(v, o, n)   atomic_long_cmpxchg_site((v), (o), (n), SS_ORD_FULL, SS_AS(v))

/* ---- spinlock_t --------------------------------------------------------------------- */

static inline void ss_spin_lock(spinlock_t *l, const struct ss_site *site)
{
	if (unlikely(ss_kops)) {
		ss_kops->spin_lock(ss_kctx, l, site);
		return;
	}
	for (;;) {
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			ss_cpu_relax(site);
	}
}

static inline bool ss_spin_trylock(spinlock_t *l, const struct ss_site *site)
{
	if (unlikely(ss_kops))
		return ss_kops->spin_trylock(ss_kctx, l, site);
	return !__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
	       !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void ss_spin_unlock(spinlock_t *l, const struct ss_site *site)
{
	if (unlikely(ss_kops)) {
		ss_kops->spin_unlock(ss_kctx, l, site);
		return;
	}
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#define spin_lock_init(l) ((l)->locked = 0)
#define spin_lock(l)	  ss_spin_lock((l), SS_SITE("spin_lock(" #l ")"))
#define spin_trylock(l)	  ss_spin_trylock((l), SS_SITE("spin_trylock(" #l ")"))
#define spin_unlock(l)	  ss_spin_unlock((l), SS_SITE("spin_unlock(" #l ")"))

/* ---- refcount_t (include/linux/refcount.h semantics) ------------------------------ */

typedef struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)                                                                           \
	{                                                                                          \
		.refs = ATOMIC_INIT(n)                                                             \
	}
#define refcount_set(r, n) atomic_set(&(r)->refs, (n))
#define refcount_read(r)   atomic_read(&(r)->refs)

/* Returns the old value so callers can report underflow; increments are relaxed. */
static inline int ss_refcount_inc(refcount_t *r, const struct ss_site *s)
{
	return atomic_fetch_add_site(&r->refs, 1, SS_ORD_RELAXED, s);
}

/* RELEASE on every decrement, ACQUIRE on the one that reaches zero
 * (control dependency + smp_acquire__after_ctrl_dep, modelled as smp_rmb()). */
static inline bool ss_refcount_dec_and_test(refcount_t *r, int *old_out, const struct ss_site *s)
{
	int old = atomic_fetch_add_site(&r->refs, -1, SS_ORD_RELEASE, s);
	if (old_out)
		*old_out = old;
	if (BRANCH_ON(old == 1)) {
		ss_fence(SS_FENCE_RMB, s);
		return true;
	}
	return false;
}
#define refcount_inc(r)		 ((void)ss_refcount_inc((r), SS_SITE(#r)))
#define refcount_dec_and_test(r) ss_refcount_dec_and_test((r), NULL, SS_SITE(#r))

/* ---- llist (include/linux/llist.h) ------------------------------------------------ */

struct llist_node {
	struct llist_node *next;
};
struct llist_head {
	struct llist_node *first;
};

#define init_llist_head(h) ((h)->first = NULL)

/* llist_add_batch: READ_ONCE + try_cmpxchg loop; fully ordered on success. */
static inline bool llist_add(struct llist_node *n, struct llist_head *h)
{
	struct llist_node *first = READ_ONCE(h->first);
	do {
		WRITE_ONCE(n->next, first);
	} while (!BRANCH_ON(try_cmpxchg(&h->first, &first, n)));
	return first == NULL;
}

/* llist_del_all: xchg, fully ordered. */
static inline struct llist_node *llist_del_all(struct llist_head *h)
{
	return xchg(&h->first, (struct llist_node *)NULL);
}

static inline bool llist_empty(const struct llist_head *h)
{
	return READ_ONCE(h->first) == NULL;
}

/* ---- RCU -------------------------------------------------------------------------- */

void ss_native_synchronize_rcu(void);
void ss_native_rcu_read_lock(void);
void ss_native_rcu_read_unlock(void);

static inline void ss_synchronize_rcu(const struct ss_site *s)
{
	if (unlikely(ss_kops))
		ss_kops->synchronize_rcu(ss_kctx, s);
	else
		ss_native_synchronize_rcu();
}
static inline void ss_rcu_read_lock(const struct ss_site *s)
{
	if (unlikely(ss_kops))
		ss_kops->rcu_read_lock(ss_kctx, s);
	else
		ss_native_rcu_read_lock();
}
static inline void ss_rcu_read_unlock(const struct ss_site *s)
{
	if (unlikely(ss_kops))
		ss_kops->rcu_read_unlock(ss_kctx, s);
	else
		ss_native_rcu_read_unlock();
}
#define synchronize_rcu() ss_synchronize_rcu(SS_SITE("synchronize_rcu"))
#define rcu_read_lock()	  ss_rcu_read_lock(SS_SITE("rcu_read_lock"))
#define rcu_read_unlock() ss_rcu_read_unlock(SS_SITE("rcu_read_unlock"))

/* ---- per-CPU data ------------------------------------------------------------------ */

/* A per-CPU variable is an array indexed by CPU.  Like the kernel's this_cpu
 * accessors, per-CPU data that only its own CPU touches (sheaves, obj_stock) is
 * accessed directly: it is not shared memory and needs no ordering. */
#define DEFINE_PER_CPU(type, name) type name[SS_MAX_CPUS]
#define per_cpu_ptr(arr, cpu)	   (&(arr)[(cpu)])
#define this_cpu_ptr(arr)	   (&(arr)[smp_processor_id()])

#endif /* SS_KERNEL_H */
