/* tests/unit/test_wmm.c - the memory-model rules of engine/wmm.c, each on a tiny
 * program driven directly through engine/wmm.h.
 *
 * Programs are written in a fixed interleaving; every read choice is enumerated
 * with an odometer over the choose() answers (the same mechanism the litmus
 * explorer uses), so "allowed" = some answer vector gives the outcome and
 * "forbidden" = none does (for that interleaving; the litmus suite explores
 * interleavings too).
 */
#include <stdlib.h>

#include "engine/wmm.h"
#include "tests/unit/test.h"

/* ---- odometer over choose() answers ------------------------------------------ */

struct odo {
	unsigned ch[64], n[64];
	int len, pos;
};

static unsigned odo_choose(void *ctx, int cpu, enum wmm_choice_kind k, unsigned n)
{
	struct odo *o = ctx;
	(void)cpu;
	(void)k;
	if (o->pos < o->len)
		return o->ch[o->pos++];
	o->ch[o->len] = 0;
	o->n[o->len++] = n;
	o->pos++;
	return 0;
}

/* Next answer vector; false when all were visited. */
static bool odo_next(struct odo *o)
{
	while (o->len > 0 && o->ch[o->len - 1] + 1 >= o->n[o->len - 1])
		o->len--;
	if (!o->len)
		return false;
	o->ch[o->len - 1]++;
	return true;
}

enum { X = 0x100, Y = 0x200, Z = 0x300, S = 0x400 };

typedef void (*prog_fn)(struct wmm *w, long long *r);

/* Runs prog under every answer vector; returns a bitmask of which outcome
 * codes (prog writes r[0] in 0..63) occurred. */
static unsigned long long outcomes(enum wmm_model m, prog_fn prog)
{
	struct wmm *w = wmm_create(m, 4, 16, 8);
	struct odo o = {0};
	unsigned long long seen = 0;
	wmm_set_chooser(w, odo_choose, &o);
	do {
		long long r[8] = {0};
		wmm_reset(w);
		o.pos = 0;
		prog(w, r);
		seen |= 1ull << (r[0] & 63);
	} while (odo_next(&o));
	wmm_destroy(w);
	return seen;
}

#define L(a) wmm_loc(w, a, 8, 0)

/* MP: P0 x=1; y=1 (committed); P1 r1=y; r2=x.  Code r1*2+r2. */
static void mp(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 0, y, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, y, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

static void mp_wmb_rmb(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_fence(w, 0, SS_FENCE_WMB);
	wmm_store(w, 0, y, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, y, SS_ACC_ONCE, NULL, NULL, NULL);
	wmm_fence(w, 1, SS_FENCE_RMB);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

static void mp_rel_acq(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 0, y, 1, SS_ACC_RELEASE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, y, SS_ACC_ACQUIRE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

/* MP with the wmb but a reader without rmb: still allowed (reader bug). */
static void mp_wmb_po(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_fence(w, 0, SS_FENCE_WMB);
	wmm_store(w, 0, y, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, y, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

TEST(mp_allowed_under_lkmm_only)
{
	EXPECT(outcomes(WMM_LKMM, mp) & (1ull << 2)); /* r1=1, r2=0 */
	EXPECT(!(outcomes(WMM_TSO, mp) & (1ull << 2)));
	EXPECT(!(outcomes(WMM_SC, mp) & (1ull << 2)));
	EXPECT(outcomes(WMM_LKMM, mp_wmb_po) & (1ull << 2));
}

TEST(mp_fences_forbid)
{
	EXPECT(!(outcomes(WMM_LKMM, mp_wmb_rmb) & (1ull << 2)));
	EXPECT(!(outcomes(WMM_LKMM, mp_rel_acq) & (1ull << 2)));
	EXPECT(outcomes(WMM_LKMM, mp_wmb_rmb) & (1ull << 3));
}

/* SB: x=1 / y=1 buffered on both CPUs, then the loads.  Code r0*2+r1. */
static void sb(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 1, y, 1, SS_ACC_ONCE, NULL);
	wmm_commit_choice(w, 0);
	wmm_commit_choice(w, 1);
	long long a = wmm_load(w, 0, y, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	wmm_drain_all(w);
	r[0] = a * 2 + b;
}

static void sb_mbs(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 1, y, 1, SS_ACC_ONCE, NULL);
	wmm_fence(w, 0, SS_FENCE_MB);
	wmm_fence(w, 1, SS_FENCE_MB);
	long long a = wmm_load(w, 0, y, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

TEST(sb_store_buffering)
{
	EXPECT(outcomes(WMM_TSO, sb) & 1); /* r0=0, r1=0 */
	EXPECT(outcomes(WMM_LKMM, sb) & 1);
	EXPECT(!(outcomes(WMM_SC, sb) & 1));
	EXPECT(!(outcomes(WMM_LKMM, sb_mbs) & 1));
	EXPECT(!(outcomes(WMM_TSO, sb_mbs) & 1));
}

/* Forwarding: a CPU sees its own buffered store; others do not yet. */
TEST(forwarding)
{
	for (int m = WMM_SC; m <= WMM_LKMM; m++) {
		struct wmm *w = wmm_create(m, 2, 4, 4);
		int x = L(X);
		wmm_store(w, 0, x, 7, SS_ACC_ONCE, NULL);
		struct wmm_read_info ri;
		EXPECT_EQ(wmm_load(w, 0, x, SS_ACC_ONCE, NULL, &ri, NULL), 7);
		EXPECT_EQ(ri.forwarded, m != WMM_SC);
		EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), m == WMM_SC ? 7 : 0);
		EXPECT_EQ(wmm_has_buffered(w, 0), m != WMM_SC);
		wmm_drain(w, 0);
		EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, &ri, NULL), 7);
		EXPECT_EQ(ri.writer_cpu, 0);
		wmm_destroy(w);
	}
}

/* CoRR: after reading the new value, the old one can no longer be read. */
static void corr(struct wmm *w, long long *r)
{
	int x = L(X);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

/* CoWR: a CPU that committed a store never reads an mo-older one. */
static void cowr(struct wmm *w, long long *r)
{
	int x = L(X);
	wmm_store(w, 1, x, 2, SS_ACC_ONCE, NULL);
	wmm_drain(w, 1);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	r[0] = wmm_load(w, 0, x, SS_ACC_ONCE, NULL, NULL, NULL);
}

TEST(coherence)
{
	unsigned long long o = outcomes(WMM_LKMM, corr);
	EXPECT(!(o & (1ull << 2))); /* 1 then 0 */
	EXPECT(o & 1);		    /* 0 then 0: stale both times is fine */
	EXPECT(o & (1ull << 3));
	EXPECT_EQ(outcomes(WMM_LKMM, cowr), 1ull << 1);
}

/* Release/acquire chains are transitive (ISA2-like through one middle CPU). */
static void isa2(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y), z = L(Z);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 0, y, 1, SS_ACC_RELEASE, NULL);
	wmm_drain(w, 0);
	long long a = wmm_load(w, 1, y, SS_ACC_ACQUIRE, NULL, NULL, NULL);
	wmm_store(w, 1, z, 1, SS_ACC_RELEASE, NULL);
	wmm_drain(w, 1);
	long long b = wmm_load(w, 2, z, SS_ACC_ACQUIRE, NULL, NULL, NULL);
	long long c = wmm_load(w, 2, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 4 + b * 2 + c;
}

TEST(release_acquire)
{
	unsigned long long o = outcomes(WMM_LKMM, isa2);
	EXPECT(!(o & (1ull << 6))); /* a=1 b=1 c=0 */
	EXPECT(o & (1ull << 7));
}

/* RMW atomicity: two increments never both read 0; and an RMW reads the newest. */
static void incs(struct wmm *w, long long *r)
{
	int x = L(X);
	long long a = wmm_rmw(w, 0, x, SS_RMW_ADD, 1, 0, SS_ORD_RELAXED, NULL, NULL, NULL);
	long long b = wmm_rmw(w, 1, x, SS_RMW_ADD, 1, 0, SS_ORD_RELAXED, NULL, NULL, NULL);
	r[0] = a * 4 + b * 2 + (long long)wmm_newest(w, x) / 2;
}

TEST(rmw_atomicity)
{
	EXPECT_EQ(outcomes(WMM_LKMM, incs), 1ull << 3); /* a=0 b=1 final 2 */
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	int x = L(X);
	bool ok;
	EXPECT_EQ(wmm_rmw(w, 0, x, SS_RMW_CMPXCHG, 5, 1, SS_ORD_FULL, &ok, NULL, NULL), 0);
	EXPECT(!ok);
	EXPECT_EQ(wmm_rmw(w, 0, x, SS_RMW_CMPXCHG, 5, 0, SS_ORD_FULL, &ok, NULL, NULL), 0);
	EXPECT(ok);
	EXPECT_EQ(wmm_newest(w, x), 5);
	EXPECT_EQ(wmm_rmw(w, 1, x, WMM_RMW_ADD_UNLESS, 1, 5, SS_ORD_FULL, &ok, NULL, NULL), 5);
	EXPECT(!ok);
	wmm_destroy(w);
}

/* SB+xchgs: full-barrier RMWs order the store before the later load. */
static void sb_xchg(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y);
	wmm_rmw(w, 0, x, SS_RMW_XCHG, 1, 0, SS_ORD_FULL, NULL, NULL, NULL);
	wmm_rmw(w, 1, y, SS_RMW_XCHG, 1, 0, SS_ORD_FULL, NULL, NULL, NULL);
	long long a = wmm_load(w, 0, y, SS_ACC_ONCE, NULL, NULL, NULL);
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 2 + b;
}

TEST(full_rmw_is_mb)
{
	EXPECT(!(outcomes(WMM_LKMM, sb_xchg) & 1));
}

/* Forced eviction: with a 4-message ring, a CPU whose view lags behind is
 * bumped; it can never read an evicted message, and coherence still holds. */
TEST(eviction_sound)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	struct odo o = {0};
	wmm_set_chooser(w, odo_choose, &o);
	int bad = 0, runs = 0;
	do {
		wmm_reset(w);
		o.pos = 0;
		int x = L(X);
		for (int v = 1; v <= 10; v++) {
			wmm_store(w, 0, x, v, SS_ACC_ONCE, NULL);
			wmm_drain(w, 0);
		}
		long long a = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
		long long b = wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL);
		if (a < 7 || b < a)
			bad++;
		runs++;
	} while (odo_next(&o));
	EXPECT_EQ(bad, 0);
	EXPECT(runs > 1);
	EXPECT(wmm_stats(w)->evictions > 0);
	wmm_destroy(w);
}

/* Address dependency: MP+wmb+addr forbidden with the dependency, allowed
 * without it; and the floor is per-access (MP+wmb+addr-po allowed). */
static int dep_mode;
static void mp_addr(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y), z = L(Z);
	wmm_store(w, 0, z, 1, SS_ACC_ONCE, NULL);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_fence(w, 0, SS_FENCE_WMB);
	wmm_store(w, 0, y, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	struct wmm_read_info ri;
	long long a = wmm_load(w, 1, y, SS_ACC_ONCE, NULL, &ri, NULL);
	struct wmm_dep d = {.n = 1, .h = {ri.dep}};
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, dep_mode ? &d : NULL, NULL, NULL);
	long long c = wmm_load(w, 1, z, SS_ACC_ONCE, NULL, NULL, NULL);
	r[0] = a * 4 + b * 2 + c;
}

TEST(dependency_floor)
{
	dep_mode = 1;
	unsigned long long o = outcomes(WMM_LKMM, mp_addr);
	EXPECT(!(o & (1ull << 4)) && !(o & (1ull << 5))); /* a=1 b=0 */
	EXPECT(o & (1ull << 6));			  /* a=1 b=1 c=0: per-access */
	dep_mode = 0;
	EXPECT(outcomes(WMM_LKMM, mp_addr) & (1ull << 4));
}

/* The dependency handle of a load K loads back must still carry its knowledge,
 * for every K the handle ring keeps (regression: at K = ring size - 1 the new
 * handle's slot overwrote the old one's before it was read, and MP+wmb+addr
 * showed its forbidden outcome). */
static int dep_gap;
static void mp_addr_gap(struct wmm *w, long long *r)
{
	int x = L(X), y = L(Y), z = L(Z);
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	wmm_fence(w, 0, SS_FENCE_WMB);
	wmm_store(w, 0, y, 1, SS_ACC_ONCE, NULL);
	wmm_drain(w, 0);
	struct wmm_read_info ri;
	long long a = wmm_load(w, 1, y, SS_ACC_ONCE, NULL, &ri, NULL);
	for (int k = 0; k < dep_gap; k++)
		(void)wmm_load(w, 1, z, SS_ACC_ONCE, NULL, NULL, NULL);
	struct wmm_dep d = {.n = 1, .h = {ri.dep}};
	long long b = wmm_load(w, 1, x, SS_ACC_ONCE, &d, NULL, NULL);
	r[0] = a * 2 + b;
}

TEST(dependency_handle_survives_the_ring)
{
	for (dep_gap = 0; dep_gap < WMM_KNOW_RING + 2; dep_gap++) {
		unsigned long long o = outcomes(WMM_LKMM, mp_addr_gap);
		if (o & (1ull << 2)) { /* a=1 b=0: forbidden by the address dependency */
			printf("  gap %d: MP+wmb+addr outcome observed\n", dep_gap);
			test_failed_current = 1;
		}
	}
}

/* Locks: MP through a critical section; would-block reporting. */
TEST(spinlock)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	int s = L(S), x = L(X);
	EXPECT(wmm_lock(w, 0, s, NULL));
	EXPECT(wmm_lock_would_block(w, s));
	EXPECT(!wmm_lock(w, 1, s, NULL));
	EXPECT(!wmm_trylock(w, 1, s, NULL));
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	uint32_t ver = wmm_loc_version(w, s);
	wmm_unlock(w, 0, s, NULL);
	EXPECT(wmm_loc_version(w, s) != ver);
	EXPECT(!wmm_has_buffered(w, 0));
	EXPECT(wmm_lock(w, 1, s, NULL));
	/* the lock read the unlock (release), so x=1 is visible */
	EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), 1);
	wmm_destroy(w);
}

/* Poll rule: after cpu_relax the CPU blocks until a newer message arrives. */
TEST(poll_blocks_until_new)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	int x = L(X);
	EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), 0);
	wmm_relax(w, 1);
	EXPECT(wmm_poll_blocked(w, 1));
	wmm_store(w, 0, x, 1, SS_ACC_ONCE, NULL);
	EXPECT(wmm_poll_blocked(w, 1)); /* still buffered on CPU 0 */
	wmm_drain(w, 0);
	EXPECT(!wmm_poll_blocked(w, 1));
	EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), 1); /* no stale choice */
	wmm_destroy(w);
}

/* A spin loop that read its own buffered store (forwarded) waits for the
 * location too: once the store is visible another CPU's newer store wakes it
 * (relay-wrc-release's relay polled its own release store of the next slot and
 * was never woken by the consumer's emptying store: a false deadlock). */
TEST(poll_of_a_forwarded_value_wakes)
{
	for (int m = WMM_TSO; m <= WMM_LKMM; m++) {
		struct wmm *w = wmm_create((enum wmm_model)m, 2, 4, 4);
		int x = L(X), y = L(Y);
		EXPECT_EQ(wmm_load(w, 1, y, SS_ACC_ONCE, NULL, NULL, NULL), 0); /* polled too */
		wmm_store(w, 1, x, 1, SS_ACC_ONCE, NULL);
		EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), 1); /* forwarded */
		wmm_relax(w, 1);
		wmm_drain(w, 1);
		wmm_store(w, 0, x, 0, SS_ACC_ONCE, NULL);
		wmm_drain(w, 0);
		EXPECT(!wmm_poll_blocked(w, 1)); /* the other CPU's store wakes it */
		EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL), 0);
		wmm_destroy(w);
	}
}

/* Read info names the missed store. */
TEST(read_info)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	struct odo o = {.len = 1, .ch = {1}, .n = {2}};
	wmm_set_chooser(w, odo_choose, &o);
	int x = wmm_loc(w, X, 8, 0);
	static const char tag[] = "slab->stride";
	uint32_t sid = wmm_store(w, 0, x, 16, SS_ACC_ONCE, tag);
	wmm_drain(w, 0);
	struct wmm_read_info ri;
	EXPECT_EQ(wmm_load(w, 1, x, SS_ACC_ONCE, NULL, &ri, NULL), 0);
	EXPECT(ri.stale);
	EXPECT_EQ(ri.writer_cpu, -1);
	EXPECT_EQ(ri.newest_cpu, 0);
	EXPECT_EQ(ri.newest_val, 16);
	EXPECT_EQ(ri.newest_store_id, sid);
	EXPECT(ri.newest_tag == tag);
	EXPECT_EQ(ri.nchoices, 2);
	wmm_destroy(w);
}

/* Determinism and reset: the same answers give the same state hash. */
TEST(deterministic_reset)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 8, 4);
	u64 h[2];
	for (int k = 0; k < 2; k++) {
		wmm_reset(w);
		long long r[8];
		mp_wmb_rmb(w, r);
		h[k] = wmm_state_hash(w, 1);
	}
	EXPECT(h[0] == h[1]);
	wmm_destroy(w);
}

/* 16-byte locations (freelist+counters): whole-value load and cmpxchg. */
TEST(double_word)
{
	struct wmm *w = wmm_create(WMM_LKMM, 2, 4, 4);
	u128 init = ((u128)5 << 64) | 7, nv = ((u128)9 << 64) | 1;
	int x = wmm_loc128(w, 0x10, init);
	EXPECT(wmm_load128(w, 0, x, SS_ACC_ONCE, NULL, NULL, NULL) == init);
	u128 old = nv;
	EXPECT(!wmm_cmpxchg128(w, 1, x, &old, nv, SS_ORD_FULL, NULL, NULL));
	EXPECT(old == init);
	EXPECT(wmm_cmpxchg128(w, 1, x, &old, nv, SS_ORD_FULL, NULL, NULL));
	EXPECT(wmm_load128(w, 1, x, SS_ACC_ONCE, NULL, NULL, NULL) == nv);
	wmm_destroy(w);
}

int main(void)
{
	RUN(mp_allowed_under_lkmm_only);
	RUN(mp_fences_forbid);
	RUN(sb_store_buffering);
	RUN(forwarding);
	RUN(coherence);
	RUN(release_acquire);
	RUN(rmw_atomicity);
	RUN(full_rmw_is_mb);
	RUN(eviction_sound);
	RUN(dependency_floor);
	RUN(dependency_handle_survives_the_ring);
	RUN(spinlock);
	RUN(poll_blocks_until_new);
	RUN(poll_of_a_forwarded_value_wakes);
	RUN(read_info);
	RUN(deterministic_reset);
	RUN(double_word);
	TEST_SUMMARY();
}
