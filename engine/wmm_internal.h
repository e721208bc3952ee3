/* engine/wmm_internal.h - the memory models' private state and view algebra,
 * shared by engine/wmm.c (lifetime, locations, views, state hash) and
 * engine/wmm_access.c (commits, loads, fences, stores, RMWs, locks, polling).
 * The public API and the model rules are in engine/wmm.h; the representation
 * is described at the top of engine/wmm.c.  Nothing outside engine/wmm*.c
 * includes this header.
 */
#ifndef SS_WMM_INTERNAL_H
#define SS_WMM_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "engine/wmm.h"

struct wmsg {
	u128 val;
	const void *tag;
	uint32_t store_id;
	int16_t cpu; /* -1: initial value */
	uint8_t rmw;
};

struct wloc {
	uintptr_t addr;
	unsigned size;
	uint32_t base;	/* mo position of the oldest retained message */
	uint32_t next;	/* mo position the next committed message gets */
	unsigned hslot; /* its slot in the address hash (cleared by reset) */
};

struct sbent {
	u128 val;
	const void *tag;
	uint32_t store_id;
	int loc;
	unsigned vs; /* index of its view in wcpu.sbv */
};

/* A view: v[i] for every location i; every entry outside [lo, hi) is 0
 * (empty: lo = VEMPTY_LO, hi = 0, so extents merge with min / max). */
struct view {
	uint32_t *v;
	uint32_t lo, hi;
};

#define VEMPTY_LO UINT32_MAX

#define POLL_MAX 4

struct wcpu {
	struct view cur;  /* floor for loads */
	struct view obs;  /* everything observed (own committed stores included) */
	struct view obsR; /* everything read (carried by every store: conservative deps) */
	struct view rel;  /* what plain stores must carry (wmb, mb, unlock->lock) */
	struct view ownW; /* own committed stores and their message views (for wmb) */
	struct view sbv[WMM_SB_MAX];	 /* views of buffered stores (sbent.vs) */
	struct view know[WMM_KNOW_RING]; /* knowledge views of recent loads */
	uint32_t *block; /* the buffers above, one allocation (views swap buffers) */
	struct sbent sb[WMM_SB_MAX];
	unsigned nsb;
	unsigned ncomm;	 /* entries that are the oldest of their location */
	unsigned sbfree; /* bit i: sbv[i] not used by a buffered store */
	uint32_t nknow;	 /* handles handed out so far; handle h lives in slot (h-1)%K */
	bool did_unlock;
	/* Loads since the last cpu_relax (for the poll rule) and the polled set. */
	int npend, npoll;
	int pend_loc[POLL_MAX], poll_loc[POLL_MAX];
	uint32_t pend_pos[POLL_MAX], poll_pos[POLL_MAX];
	/* graph mode, branches declared: the CPU's events before its last branch
	 * point, and how deep it is in opaque code (engine/wmm_graph.c) */
	int ctrl_upto, opaque;
};

struct wmm {
	enum wmm_model model;
	int ncpus, L, H;
	unsigned ring; /* power of two >= H */
	int nloc;
	wmm_choose_fn choose;
	void *ctx;
	struct wloc *locs;
	struct wmsg *msgs;   /* L * ring */
	struct view *mv;     /* L * ring message views */
	uint32_t *mviews;    /* (L * ring + 1) * L: the buffers of mv[] and scratch */
	struct view G;	     /* global strong-fence view */
	uint32_t *gbuf;	     /* G's buffer */
	struct view scratch; /* builds RMW / unlock message views (swapped into mv[]) */
	int *hash;	     /* address -> loc, open addressing, -1 empty */
	unsigned hmask;
	uint32_t next_store_id;
	struct wmm_stats st;
	/* graph mode (engine/wmm_graph.c): NULL, or the explorer every access goes to */
	struct gx *gx;
	void (*gx_stop)(void *ctx);
	void *gx_stop_ctx;
	const void *gx_tag;	/* the tag of the access in hand (its code site) */
	bool branches_declared; /* wmm_set_branches_declared */
	struct wcpu cpu[];
};

/* ---- graph mode (engine/wmm_graph.c), reached from the public functions ---------- */

u128 wmmg_load(struct wmm *w, int cpu, int x, enum ss_access acc, const struct wmm_dep *dep,
	       struct wmm_read_info *out);
uint32_t wmmg_store(struct wmm *w, int cpu, int x, u128 val, enum ss_access acc,
		    const struct wmm_dep *dep);
u128 wmmg_rmw(struct wmm *w, int cpu, int x, enum ss_rmw_op op, u128 operand, u128 expected,
	      enum ss_order ord, bool *ok, struct wmm_read_info *out);
void wmmg_fence(struct wmm *w, int cpu, enum ss_fence f);
bool wmmg_lock(struct wmm *w, int cpu, int x, bool try, uint32_t *dep);
void wmmg_unlock(struct wmm *w, int cpu, int x);
u64 wmmg_newest(const struct wmm *w, int x);
uint32_t wmmg_version(const struct wmm *w, int x);
void wmmg_relax(struct wmm *w, int cpu);
bool wmmg_poll_blocked(const struct wmm *w, int cpu);

/* ---- small helpers ------------------------------------------------------------- */

static inline uint32_t umax(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static inline struct wmsg *msg_at(struct wmm *w, int x, uint32_t p)
{
	return &w->msgs[(size_t)x * w->ring + (p & (w->ring - 1))];
}

static inline struct view *mview_at(struct wmm *w, int x, uint32_t p)
{
	return &w->mv[(size_t)x * w->ring + (p & (w->ring - 1))];
}

static inline bool vempty(const struct view *v)
{
	return v->lo >= v->hi;
}

/* The view join loop, out of line (see engine/wmm.c): baseline x86-64 and
 * AVX2, chosen at startup. */
void wmm_vjoin_sse(uint32_t *restrict d, const uint32_t *restrict s, uint32_t n);
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
void wmm_vjoin_avx2(uint32_t *restrict d, const uint32_t *restrict s, uint32_t n);
extern bool wmm_use_avx2;

static inline void vjoin_raw(uint32_t *d, const uint32_t *s, uint32_t n)
{
	if (wmm_use_avx2)
		wmm_vjoin_avx2(d, s, n);
	else
		wmm_vjoin_sse(d, s, n);
}
#else
#define vjoin_raw wmm_vjoin_sse
#endif

static inline void vext(struct view *d, uint32_t lo, uint32_t hi)
{
	if (lo < d->lo)
		d->lo = lo;
	if (hi > d->hi)
		d->hi = hi;
}

/* d ⊔= s (d != s) */
static inline void vjoin(struct view *d, const struct view *s)
{
	if (vempty(s))
		return;
	vjoin_raw(d->v + s->lo, s->v + s->lo, s->hi - s->lo);
	vext(d, s->lo, s->hi);
}

/* d = 0 */
static inline void vclear(struct view *d)
{
	if (!vempty(d))
		memset(d->v + d->lo, 0, (size_t)(d->hi - d->lo) * sizeof(uint32_t));
	d->lo = VEMPTY_LO;
	d->hi = 0;
}

/* d = s: zero what d has outside s's extent, copy s's extent. */
static inline void vcopy(struct view *d, const struct view *s)
{
	if (d == s)
		return;
	if (vempty(s)) {
		vclear(d);
		return;
	}
	if (!vempty(d)) {
		if (d->lo < s->lo) {
			uint32_t e = d->hi < s->lo ? d->hi : s->lo;
			memset(d->v + d->lo, 0, (size_t)(e - d->lo) * sizeof(uint32_t));
		}
		if (d->hi > s->hi) {
			uint32_t b = d->lo > s->hi ? d->lo : s->hi;
			memset(d->v + b, 0, (size_t)(d->hi - b) * sizeof(uint32_t));
		}
	}
	memcpy(d->v + s->lo, s->v + s->lo, (size_t)(s->hi - s->lo) * sizeof(uint32_t));
	d->lo = s->lo;
	d->hi = s->hi;
}

/* d = a ⊔ b */
static inline void vjoin2(struct view *d, const struct view *a, const struct view *b)
{
	if (d == b) {
		vjoin(d, a);
		return;
	}
	vcopy(d, a);
	vjoin(d, b);
}

/* d[x] = max(d[x], p) */
static inline void vset(struct view *d, int x, uint32_t p)
{
	if (p > d->v[x]) {
		d->v[x] = p;
		vext(d, (uint32_t)x, (uint32_t)x + 1);
	}
}

static inline void vswap(struct view *a, struct view *b)
{
	struct view t = *a;
	*a = *b;
	*b = t;
}

static inline bool lkmm(const struct wmm *w)
{
	return w->model == WMM_LKMM;
}

static inline unsigned ask(struct wmm *w, int cpu, enum wmm_choice_kind k, unsigned n)
{
	if (n <= 1 || !w->choose)
		return 0;
	return w->choose(w->ctx, cpu, k, n) % n;
}

#endif /* SS_WMM_INTERNAL_H */
