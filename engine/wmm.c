/* engine/wmm.c - the sc / tso / lkmm memory models behind engine/wmm.h.
 *
 * The lkmm rules are a rule-by-rule port of LKVM base mode with store buffers
 * (reference/memory-model.md §1.3, reference/lkvm-prototype/lkvm.py with
 * sb=True, vc=False, insert=False).  Representation choices (§2):
 *
 *  - A view is a dense array u32[max_locs] of mo positions.  Position p of a
 *    location is its p-th committed message (0 = initial value); mo = commit
 *    order, so comparing two messages of a location is comparing integers and
 *    a join is an element-wise max.  Entries of locations not yet created are 0.
 *  - Each view also keeps its extent [lo, hi): every entry outside it is 0.
 *    Joins, copies and clears only touch the extent of their source /
 *    destination, so their cost follows the locations a view actually names,
 *    not max_locs (most views of an execution name few locations: a store's
 *    view is what its CPU read, not everything it wrote).  wmm_reset clears
 *    only extents, so it costs what the last execution touched.
 *  - A view is a struct (extent + pointer to its array); buffers are moved
 *    between owners by swapping the structs: a commit hands its store-buffer
 *    view to the message slot (and takes the evicted slot's buffer back)
 *    instead of copying it.
 *  - A location keeps its newest `history` messages in a ring.  A view entry
 *    older than the oldest retained message is read as "the oldest retained
 *    one" (effective position = max(v[x], base[x])): that is exactly the forced
 *    propagation of §2.3, done lazily, and it only removes choices (sound).
 *  - Each message and each store-buffer entry owns a view slot, so no interning
 *    and no allocation at run time.
 *
 * sc and tso use the same histories and buffers but skip every view update
 * (their views stay empty, so reset skips them too): their loads always read
 * the newest message (or, under tso, the CPU's own newest buffered store to
 * the location).
 */
#include "engine/wmm.h"

#include <stdlib.h>
#include <string.h>

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
	struct wcpu cpu[];
};

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

/* Kept out of line: inlined into callers the vectorizer loses the restrict
 * information and the joins run element by element (measured 2-4x slower).
 * Compared as signed: mo positions stay below 2^31 (append() refuses more),
 * and a signed max vectorizes to one compare + blend with plain SSE2, where an
 * unsigned one needs sign-flipping (no pmaxud before SSE4.1). */
static __attribute__((noinline)) void vjoin_sse(uint32_t *restrict d, const uint32_t *restrict s,
						uint32_t n)
{
	int32_t *restrict dd = (int32_t *)d;
	const int32_t *restrict ss = (const int32_t *)s;
	for (uint32_t i = 0; i < n; i++)
		dd[i] = dd[i] > ss[i] ? dd[i] : ss[i];
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
/* The same loop for CPUs with AVX2 (8 lanes, native vpmaxud), chosen at
 * startup: the build itself targets baseline x86-64. */
static __attribute__((noinline, target("avx2"))) void
vjoin_avx2(uint32_t *restrict d, const uint32_t *restrict s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		d[i] = d[i] > s[i] ? d[i] : s[i];
}

static bool use_avx2;

static __attribute__((constructor)) void wmm_cpu_init(void)
{
	__builtin_cpu_init();
	use_avx2 = __builtin_cpu_supports("avx2");
}

static inline void vjoin_raw(uint32_t *d, const uint32_t *s, uint32_t n)
{
	if (use_avx2)
		vjoin_avx2(d, s, n);
	else
		vjoin_sse(d, s, n);
}
#else
#define vjoin_raw vjoin_sse
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
static void vcopy(struct view *d, const struct view *s)
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

static unsigned ask(struct wmm *w, int cpu, enum wmm_choice_kind k, unsigned n)
{
	if (n <= 1 || !w->choose)
		return 0;
	return w->choose(w->ctx, cpu, k, n) % n;
}

/* ---- lifetime ------------------------------------------------------------------ */

struct wmm *wmm_create(enum wmm_model m, int ncpus, int max_locs, int history)
{
	if (ncpus < 1 || ncpus > WMM_MAX_CPUS || max_locs < 1 || max_locs > (1 << 20) ||
	    history < 2 || history > WMM_HISTORY_MAX ||
	    (m != WMM_SC && m != WMM_TSO && m != WMM_LKMM))
		return NULL;
	struct wmm *w = calloc(1, sizeof(*w) + (size_t)ncpus * sizeof(struct wcpu));
	if (!w)
		return NULL;
	w->model = m;
	w->ncpus = ncpus;
	w->L = max_locs;
	w->H = history;
	w->ring = 1;
	while (w->ring < (unsigned)history)
		w->ring <<= 1;
	unsigned hs = 4;
	while (hs < 2u * (unsigned)max_locs)
		hs <<= 1;
	w->hmask = hs - 1;
	size_t L = (size_t)max_locs;
	w->locs = calloc(L, sizeof(*w->locs));
	w->msgs = calloc(L * w->ring, sizeof(*w->msgs));
	w->mv = calloc(L * w->ring, sizeof(*w->mv));
	w->mviews = calloc((L * w->ring + 1) * L, sizeof(uint32_t));
	w->gbuf = calloc(L, sizeof(uint32_t));
	w->hash = malloc(hs * sizeof(int));
	bool ok = w->locs && w->msgs && w->mv && w->mviews && w->gbuf && w->hash;
	if (ok) {
		for (size_t s = 0; s < L * w->ring; s++)
			w->mv[s] = (struct view){w->mviews + s * L, VEMPTY_LO, 0};
		w->scratch = (struct view){w->mviews + L * w->ring * L, VEMPTY_LO, 0};
		w->G = (struct view){w->gbuf, VEMPTY_LO, 0};
	}
	for (int c = 0; c < ncpus && ok; c++) {
		struct wcpu *cp = &w->cpu[c];
		/* one block per CPU: 5 views + store-buffer views + knowledge ring */
		uint32_t *b = calloc(L * (5 + WMM_SB_MAX + WMM_KNOW_RING), sizeof(uint32_t));
		if (!b) {
			ok = false;
			break;
		}
		cp->block = b;
		struct view *vs[5] = {&cp->cur, &cp->obs, &cp->obsR, &cp->rel, &cp->ownW};
		for (int k = 0; k < 5; k++)
			*vs[k] = (struct view){b + k * L, VEMPTY_LO, 0};
		for (int k = 0; k < WMM_SB_MAX; k++)
			cp->sbv[k] = (struct view){b + (5 + k) * L, VEMPTY_LO, 0};
		for (int k = 0; k < WMM_KNOW_RING; k++)
			cp->know[k] = (struct view){b + (5 + WMM_SB_MAX + k) * L, VEMPTY_LO, 0};
		cp->sbfree = (1u << WMM_SB_MAX) - 1;
	}
	if (!ok) {
		wmm_destroy(w);
		return NULL;
	}
	memset(w->hash, 0xff, hs * sizeof(int));
	w->next_store_id = 1;
	return w;
}

void wmm_destroy(struct wmm *w)
{
	if (!w)
		return;
	for (int c = 0; c < w->ncpus; c++)
		free(w->cpu[c].block);
	free(w->locs);
	free(w->msgs);
	free(w->mv);
	free(w->mviews);
	free(w->gbuf);
	free(w->hash);
	free(w);
}

void wmm_reset(struct wmm *w)
{
	/* Every entry outside a view's extent is 0, so clearing extents gives
	 * zero views.  Only the views that are read before being overwritten
	 * need it: cur/obs/obsR/rel/ownW and G.  Message views are set when the
	 * message is appended (the initial message's slot is cleared when its
	 * location is created), store-buffer, knowledge and scratch views are
	 * overwritten (vcopy) before any use; each keeps a valid extent, which
	 * is all vcopy needs.  sc and tso never write views at all. */
	int n = w->nloc;
	bool lk = lkmm(w);
	for (int c = 0; c < w->ncpus; c++) {
		struct wcpu *cp = &w->cpu[c];
		if (lk) {
			vclear(&cp->cur);
			vclear(&cp->obs);
			vclear(&cp->obsR);
			vclear(&cp->rel);
			vclear(&cp->ownW);
		}
		cp->nsb = 0;
		cp->ncomm = 0;
		cp->sbfree = (1u << WMM_SB_MAX) - 1;
		cp->nknow = 0;
		cp->did_unlock = false;
		cp->npend = cp->npoll = 0;
	}
	if (lk)
		vclear(&w->G);
	for (int x = 0; x < n; x++)
		w->hash[w->locs[x].hslot] = -1;
	w->nloc = 0;
	w->next_store_id = 1;
	memset(&w->st, 0, sizeof(w->st));
}

void wmm_set_chooser(struct wmm *w, wmm_choose_fn choose, void *ctx)
{
	w->choose = choose;
	w->ctx = ctx;
}

enum wmm_model wmm_model_of(const struct wmm *w)
{
	return w->model;
}

const char *wmm_model_name(enum wmm_model m)
{
	switch (m) {
	case WMM_SC: return "sc";
	case WMM_TSO: return "tso";
	case WMM_LKMM: return "lkmm";
	}
	return "?";
}

int wmm_model_parse(const char *name, enum wmm_model *m)
{
	if (!strcmp(name, "sc"))
		*m = WMM_SC;
	else if (!strcmp(name, "tso"))
		*m = WMM_TSO;
	else if (!strcmp(name, "lkmm"))
		*m = WMM_LKMM;
	else
		return -1;
	return 0;
}

const struct wmm_stats *wmm_stats(const struct wmm *w)
{
	return &w->st;
}

/* ---- locations ------------------------------------------------------------------ */

static inline unsigned addr_hash(uintptr_t a)
{
	u64 h = (u64)a * 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 32);
}

int wmm_loc_find(const struct wmm *w, uintptr_t addr)
{
	for (unsigned i = addr_hash(addr) & w->hmask;; i = (i + 1) & w->hmask) {
		int x = w->hash[i];
		if (x < 0)
			return -1;
		if (w->locs[x].addr == addr)
			return x;
	}
}

static int loc_common(struct wmm *w, uintptr_t addr, unsigned size, u128 initial)
{
	unsigned i;
	for (i = addr_hash(addr) & w->hmask;; i = (i + 1) & w->hmask) {
		int x = w->hash[i];
		if (x < 0)
			break;
		if (w->locs[x].addr == addr)
			return x;
	}
	if (w->nloc >= w->L)
		return -1;
	int x = w->nloc++;
	w->hash[i] = x;
	struct wloc *l = &w->locs[x];
	l->hslot = i;
	l->addr = addr;
	l->size = size;
	l->base = 0;
	l->next = 1;
	struct wmsg *m = msg_at(w, x, 0);
	m->val = initial;
	m->tag = NULL;
	m->store_id = 0;
	m->cpu = -1;
	m->rmw = 0;
	if (lkmm(w))
		vclear(mview_at(w, x, 0)); /* the initial message has no view */
	return x;
}

int wmm_loc(struct wmm *w, uintptr_t addr, unsigned size, u64 initial)
{
	return loc_common(w, addr, size, initial);
}

int wmm_loc128(struct wmm *w, uintptr_t addr, u128 initial)
{
	return loc_common(w, addr, 16, initial);
}

int wmm_nlocs(const struct wmm *w)
{
	return w->nloc;
}

uintptr_t wmm_loc_addr(const struct wmm *w, int loc)
{
	return w->locs[loc].addr;
}

u64 wmm_newest(const struct wmm *w, int loc)
{
	const struct wloc *l = &w->locs[loc];
	return (u64)w->msgs[(size_t)loc * w->ring + ((l->next - 1) & (w->ring - 1))].val;
}

uint32_t wmm_loc_version(const struct wmm *w, int loc)
{
	return w->locs[loc].next;
}

/* ---- commits ------------------------------------------------------------------- */

/* Appends a message to x (mo = commit order); view may be NULL (sc/tso or "no
 * view").  The view is moved, not copied: the message's slot takes its buffer
 * and *view gets the slot's old buffer (contents undefined, extent valid).
 * Evicts the oldest message when the ring is full (views pointing at it now
 * mean the oldest retained one).  Returns the new mo position. */
static uint32_t append(struct wmm *w, int x, u128 val, int cpu, uint32_t sid, const void *tag,
		       bool rmw, struct view *view)
{
	struct wloc *l = &w->locs[x];
	if (l->next - l->base >= (uint32_t)w->H) {
		l->base++;
		w->st.evictions++;
	}
	if (l->next >= INT32_MAX)
		abort(); /* 2^31 commits to one location in one execution */
	uint32_t p = l->next++;
	struct wmsg *m = msg_at(w, x, p);
	m->val = val;
	m->tag = tag;
	m->store_id = sid;
	m->cpu = (int16_t)cpu;
	m->rmw = rmw;
	if (lkmm(w)) {
		struct view *mv = mview_at(w, x, p);
		if (view)
			vswap(mv, view);
		else
			vclear(mv);
		mv->v[x] = 0; /* a message view never names its own location */
	}
	w->st.commits++;
	return p;
}

/* Commit effects on the storing CPU (§1.3 "Commit"). */
static void store_effects(struct wmm *w, struct wcpu *c, int x, uint32_t p)
{
	vset(&c->cur, x, p);
	vset(&c->obs, x, p);
	vset(&c->ownW, x, p);
	vjoin(&c->ownW, mview_at(w, x, p));
}

static void commit_entry(struct wmm *w, int cpu, unsigned i)
{
	struct wcpu *c = &w->cpu[cpu];
	struct sbent e = c->sb[i];
	bool lk = lkmm(w);
	uint32_t p =
	    append(w, e.loc, e.val, cpu, e.store_id, e.tag, false, lk ? &c->sbv[e.vs] : NULL);
	if (lk)
		store_effects(w, c, e.loc, p);
	c->sbfree |= 1u << e.vs;
	/* keep buffer order (FIFO per location); views stay in their slots.
	 * Entry i was the oldest of its location: a younger store to it (if
	 * any) becomes committable in its place. */
	bool younger = false;
	for (unsigned j = i + 1; j < c->nsb; j++) {
		younger |= c->sb[j].loc == e.loc;
		c->sb[j - 1] = c->sb[j];
	}
	c->ncomm -= !younger;
	c->nsb--;
}

bool wmm_has_buffered(const struct wmm *w, int cpu)
{
	return w->cpu[cpu].nsb != 0;
}

/* Is buffer entry i the oldest pending store of its location? */
static bool committable(const struct wcpu *c, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (c->sb[j].loc == c->sb[i].loc)
			return false;
	return true;
}

unsigned wmm_ncommittable(const struct wmm *w, int cpu)
{
	const struct wcpu *c = &w->cpu[cpu];
	if (!c->nsb)
		return 0;
	if (w->model != WMM_LKMM)
		return 1; /* tso: FIFO over all locations */
	return c->ncomm;
}

void wmm_commit(struct wmm *w, int cpu, unsigned k)
{
	struct wcpu *c = &w->cpu[cpu];
	if (w->model != WMM_LKMM) {
		if (c->nsb)
			commit_entry(w, cpu, 0);
		return;
	}
	for (unsigned i = 0; i < c->nsb; i++) {
		if (!committable(c, i))
			continue;
		if (k-- == 0) {
			commit_entry(w, cpu, i);
			return;
		}
	}
}

void wmm_drain(struct wmm *w, int cpu)
{
	while (w->cpu[cpu].nsb)
		commit_entry(w, cpu, 0);
}

void wmm_drain_all(struct wmm *w)
{
	for (int c = 0; c < w->ncpus; c++)
		wmm_drain(w, c);
}

void wmm_commit_choice(struct wmm *w, int cpu)
{
	unsigned n = wmm_ncommittable(w, cpu);
	if (!n)
		return;
	unsigned k = ask(w, cpu, WMM_CHOICE_COMMIT, 2 + n);
	if (k == 0)
		wmm_drain(w, cpu);
	else if (k >= 2)
		wmm_commit(w, cpu, k - 2);
}

/* ---- loads --------------------------------------------------------------------- */

static inline struct view *know_slot(struct wcpu *c, uint32_t h)
{
	return &c->know[(h - 1) % WMM_KNOW_RING];
}

/* Knowledge view of handle h, or NULL when the handle is unknown or its slot
 * was reused: then the caller falls back to obs, which contains every
 * knowledge view the CPU ever recorded (sound). */
static const struct view *know_get(struct wcpu *c, uint32_t h)
{
	if (h == 0 || h > c->nknow || c->nknow - h >= WMM_KNOW_RING)
		return NULL;
	return know_slot(c, h);
}

static void fill_newest(struct wmm *w, int x, struct wmm_read_info *out)
{
	const struct wloc *l = &w->locs[x];
	const struct wmsg *n = msg_at(w, x, l->next - 1);
	out->newest_val = (u64)n->val;
	out->newest_cpu = n->cpu;
	out->newest_store_id = n->store_id;
	out->newest_tag = n->tag;
}

/* Poll rule: the floor a polled location imposes on the next load of it. */
static uint32_t poll_floor(struct wmm *w, struct wcpu *c, int x)
{
	for (int i = 0; i < c->npoll; i++) {
		if (c->poll_loc[i] != x)
			continue;
		uint32_t want = c->poll_pos[i] + 1, newest = w->locs[x].next - 1;
		c->poll_loc[i] = c->poll_loc[--c->npoll];
		c->poll_pos[i] = c->poll_pos[c->npoll];
		return want < newest ? want : newest;
	}
	return 0;
}

static void note_pending(struct wcpu *c, int x, uint32_t p)
{
	for (int i = 0; i < c->npend; i++)
		if (c->pend_loc[i] == x) {
			c->pend_pos[i] = p;
			return;
		}
	if (c->npend < POLL_MAX) {
		c->pend_loc[c->npend] = x;
		c->pend_pos[c->npend++] = p;
	}
}

/* Reading message p of x (§1.3 "Loads"/"Acquire loads"); floor is the view the
 * load used (NULL: cur), recorded with the result as the load's knowledge. */
static uint32_t read_msg(struct wmm *w, int cpu, int x, uint32_t p, bool acquire,
			 const struct view *floor)
{
	struct wcpu *c = &w->cpu[cpu];
	uint32_t h = ++c->nknow;
	struct view *k = know_slot(c, h);
	const struct view *mv = mview_at(w, x, p);
	if (floor == k)
		vjoin(k, mv);
	else
		vjoin2(k, floor ? floor : &c->cur, mv);
	vjoin(&c->obs, mv);
	vjoin(&c->obsR, mv);
	vset(k, x, p);
	vset(&c->cur, x, p);
	vset(&c->obs, x, p);
	vset(&c->obsR, x, p);
	if (acquire)
		vjoin(&c->cur, mv);
	return h;
}

static void fill_info(struct wmm *w, int x, uint32_t p, unsigned nch, uint32_t h,
		      struct wmm_read_info *out)
{
	const struct wmsg *m = msg_at(w, x, p);
	out->val = (u64)m->val;
	out->writer_cpu = m->cpu;
	out->store_id = m->store_id;
	out->tag = m->tag;
	out->mo_pos = p;
	out->forwarded = false;
	out->stale = p != w->locs[x].next - 1;
	out->nchoices = nch;
	out->dep = h;
	fill_newest(w, x, out);
}

static int sb_find(const struct wcpu *c, int x)
{
	for (int i = (int)c->nsb - 1; i >= 0; i--)
		if (c->sb[i].loc == x)
			return i;
	return -1;
}

static u128 load_common(struct wmm *w, int cpu, int x, enum ss_access acc,
			const struct wmm_dep *dep, struct wmm_read_info *out)
{
	struct wcpu *c = &w->cpu[cpu];
	struct wloc *l = &w->locs[x];
	w->st.loads++;
	if (w->model != WMM_SC && c->nsb) {
		int i = sb_find(c, x);
		if (i >= 0) {
			/* forwarding: no other effect (§1.3); the knowledge of a
			 * forwarded value is everything the CPU observed (sound) */
			uint32_t h = 0;
			if (lkmm(w)) {
				h = ++c->nknow;
				vcopy(know_slot(c, h), &c->obs);
			}
			if (out) {
				out->val = (u64)c->sb[i].val;
				out->writer_cpu = cpu;
				out->store_id = c->sb[i].store_id;
				out->tag = c->sb[i].tag;
				out->mo_pos = UINT32_MAX;
				out->forwarded = true;
				out->stale = false;
				out->nchoices = 1;
				out->dep = h;
				fill_newest(w, x, out);
			}
			return c->sb[i].val;
		}
	}
	uint32_t newest = l->next - 1, p = newest, h = 0;
	unsigned nch = 1;
	if (lkmm(w)) {
		const struct view *floor = NULL;
		uint32_t f = c->cur.v[x];
		if (dep && (dep->n || dep->all)) {
			/* per-access floor cur ⊔ know(src...), built in the new
			 * knowledge slot (§1.6: transitive, not joined into cur) */
			struct view *k = know_slot(c, c->nknow + 1);
			/* the slot may hold a source's knowledge (handle nknow-15,
			 * the oldest one of the ring): then build on it instead of
			 * overwriting it with cur first (that lost it: the floor
			 * was cur alone, an unsound false alarm on MP+wmb+addr) */
			bool fallback = dep->all, self = false;
			const struct view *src[WMM_DEP_MAX];
			unsigned ns = 0;
			for (unsigned i = 0; i < dep->n && i < WMM_DEP_MAX; i++) {
				if (!dep->h[i])
					continue;
				const struct view *kv = know_get(c, dep->h[i]);
				if (!kv)
					fallback = true;
				else if (kv == k)
					self = true;
				else
					src[ns++] = kv;
			}
			if (self)
				vjoin(k, &c->cur);
			else
				vcopy(k, &c->cur);
			for (unsigned i = 0; i < ns; i++)
				vjoin(k, src[i]);
			if (fallback)
				vjoin(k, &c->obs);
			floor = k;
			f = k->v[x];
		}
		if (c->npoll)
			f = umax(f, poll_floor(w, c, x));
		f = umax(f, l->base);
		nch = newest - f + 1;
		unsigned k = ask(w, cpu, WMM_CHOICE_READ, nch);
		p = newest - k;
		if (k)
			w->st.stale_reads++;
		h = read_msg(w, cpu, x, p, acc == SS_ACC_ACQUIRE, floor);
		note_pending(c, x, p);
	} else if (c->npoll) {
		(void)poll_floor(w, c, x);
		note_pending(c, x, p);
	} else {
		note_pending(c, x, p);
	}
	if (out)
		fill_info(w, x, p, nch, h, out);
	return msg_at(w, x, p)->val;
}

static inline uint32_t vat(const struct view *v, int x)
{
	return (uint32_t)x >= v->lo && (uint32_t)x < v->hi ? v->v[x] : 0;
}

uint32_t wmm_dep_floor(const struct wmm *w, int cpu, int loc, const struct wmm_dep *dep)
{
	if (!lkmm(w))
		return w->locs[loc].next - 1;
	struct wcpu *c = (struct wcpu *)&w->cpu[cpu];
	if (c->nsb && sb_find(c, loc) >= 0)
		return UINT32_MAX; /* forwarded from the store buffer: no floor */
	uint32_t f = vat(&c->cur, loc);
	if (dep && (dep->n || dep->all)) {
		bool fallback = dep->all;
		for (unsigned i = 0; i < dep->n && i < WMM_DEP_MAX; i++) {
			if (!dep->h[i])
				continue;
			const struct view *kv = know_get(c, dep->h[i]);
			if (!kv)
				fallback = true;
			else
				f = umax(f, vat(kv, loc));
		}
		if (fallback)
			f = umax(f, vat(&c->obs, loc));
	}
	return umax(f, w->locs[loc].base);
}

u64 wmm_load(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
	     struct wmm_read_info *out)
{
	return (u64)load_common(w, cpu, loc, acc, dep, out);
}

u128 wmm_load128(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
		 struct wmm_read_info *out)
{
	return load_common(w, cpu, loc, acc, dep, out);
}

/* ---- fences -------------------------------------------------------------------- */

static void do_mb(struct wmm *w, struct wcpu *c)
{
	vjoin(&w->G, &c->obs);
	vcopy(&c->obs, &w->G); /* obs ⊔= G, and G ⊇ obs now */
	vjoin(&c->obsR, &w->G);
	vjoin(&c->cur, &c->obs);
	vjoin(&c->rel, &c->obs);
}

void wmm_fence(struct wmm *w, int cpu, enum ss_fence f)
{
	struct wcpu *c = &w->cpu[cpu];
	w->st.fences++;
	switch (w->model) {
	case WMM_SC: return;
	case WMM_TSO:
		if (f == SS_FENCE_MB)
			wmm_drain(w, cpu);
		return;
	case WMM_LKMM: break;
	}
	switch (f) {
	case SS_FENCE_MB:
		wmm_drain(w, cpu);
		do_mb(w, c);
		break;
	case SS_FENCE_WMB:
		wmm_drain(w, cpu);
		vjoin(&c->rel, &c->ownW);
		break;
	case SS_FENCE_RMB: vjoin(&c->cur, &c->obs); break;
	}
}

/* ---- stores -------------------------------------------------------------------- */

static uint32_t store_common(struct wmm *w, int cpu, int x, u128 val, enum ss_access acc,
			     const void *tag)
{
	struct wcpu *c = &w->cpu[cpu];
	uint32_t sid = w->next_store_id++;
	w->st.stores++;
	if (w->model == WMM_SC) {
		append(w, x, val, cpu, sid, tag, false, NULL);
		return sid;
	}
	if (lkmm(w) && acc == SS_ACC_RELEASE)
		wmm_drain(w, cpu);
	if (c->nsb == WMM_SB_MAX) {
		/* full buffer: the oldest entry is always committable */
		commit_entry(w, cpu, 0);
		w->st.forced_commits++;
	}
	c->ncomm += sb_find(c, x) < 0;
	unsigned i = c->nsb++;
	unsigned vs = (unsigned)__builtin_ctz(c->sbfree);
	c->sbfree &= ~(1u << vs);
	c->sb[i] = (struct sbent){.val = val, .tag = tag, .store_id = sid, .loc = x, .vs = vs};
	if (lkmm(w)) {
		/* message view fixed now: rel ⊔ obsR, release: obs (⊇ both) */
		struct view *v = &c->sbv[vs];
		if (acc == SS_ACC_RELEASE)
			vjoin2(v, &c->obs, &c->rel);
		else
			vjoin2(v, &c->rel, &c->obsR);
	}
	return sid;
}

uint32_t wmm_store(struct wmm *w, int cpu, int loc, u64 val, enum ss_access acc, const void *tag)
{
	return store_common(w, cpu, loc, val, acc, tag);
}

void wmm_store128(struct wmm *w, int cpu, int loc, u128 val, enum ss_access acc, const void *tag)
{
	store_common(w, cpu, loc, val, acc, tag);
}

/* ---- read-modify-writes --------------------------------------------------------- */

/* The write half of an RMW / lock: appended right after m (the newest), view
 * rel ⊔ obsR (⊔ obs for release) ⊔ m.view (it inherits, like a release
 * sequence). */
static uint32_t rmw_write(struct wmm *w, int cpu, int x, uint32_t pm, u128 nv, bool release,
			  const void *tag, uint32_t *sid_out)
{
	struct wcpu *c = &w->cpu[cpu];
	uint32_t sid = w->next_store_id++;
	if (sid_out)
		*sid_out = sid;
	if (!lkmm(w))
		return append(w, x, nv, cpu, sid, tag, true, NULL);
	/* build the view in scratch (append moves it into the message's slot);
	 * the inherited view lives in m's slot */
	struct view *tmp = &w->scratch;
	vjoin2(tmp, &c->rel, &c->obsR);
	vjoin(tmp, mview_at(w, x, pm));
	if (release)
		vjoin(tmp, &c->obs);
	uint32_t p = append(w, x, nv, cpu, sid, tag, true, tmp);
	store_effects(w, c, x, p);
	return p;
}

static u128 rmw_common(struct wmm *w, int cpu, int x, enum ss_rmw_op op, u128 operand,
		       u128 expected, enum ss_order ord, bool *ok, struct wmm_read_info *out,
		       const void *tag)
{
	struct wcpu *c = &w->cpu[cpu];
	struct wloc *l = &w->locs[x];
	w->st.rmws++;
	if (w->model != WMM_SC)
		wmm_drain(w, cpu);
	uint32_t pm = l->next - 1;
	u128 old = msg_at(w, x, pm)->val, nv;
	bool succ = true;
	switch ((int)op) {
	case SS_RMW_XCHG: nv = operand; break;
	case SS_RMW_ADD: nv = old + operand; break;
	case SS_RMW_AND: nv = old & operand; break;
	case SS_RMW_OR: nv = old | operand; break;
	case SS_RMW_CMPXCHG:
		succ = old == expected;
		nv = operand;
		break;
	case (int)WMM_RMW_ADD_UNLESS:
		succ = old != expected;
		nv = old + operand;
		break;
	default: nv = operand; break;
	}
	if (l->size && l->size < 8)
		nv &= ((u128)1 << (8 * l->size)) - 1;
	else if (l->size == 8)
		nv = (u64)nv;
	if (ok)
		*ok = succ;
	uint32_t h = 0;
	if (!succ) {
		/* failed conditional RMW: a plain load of the newest message */
		if (lkmm(w))
			h = read_msg(w, cpu, x, pm, false, NULL);
		if (out)
			fill_info(w, x, pm, 1, h, out);
		return old;
	}
	bool full = ord == SS_ORD_FULL;
	if (lkmm(w)) {
		if (full)
			do_mb(w, c);
		h = read_msg(w, cpu, x, pm, ord == SS_ORD_ACQUIRE, NULL);
	}
	if (out)
		fill_info(w, x, pm, 1, h, out);
	rmw_write(w, cpu, x, pm, nv, ord == SS_ORD_RELEASE || full, tag, NULL);
	if (lkmm(w) && full)
		do_mb(w, c);
	return old;
}

u64 wmm_rmw(struct wmm *w, int cpu, int loc, enum ss_rmw_op op, u64 operand, u64 expected,
	    enum ss_order ord, bool *ok, struct wmm_read_info *out, const void *tag)
{
	return (u64)rmw_common(w, cpu, loc, op, operand, expected, ord, ok, out, tag);
}

bool wmm_cmpxchg128(struct wmm *w, int cpu, int loc, u128 *old, u128 new_val, enum ss_order ord,
		    struct wmm_read_info *out, const void *tag)
{
	bool ok;
	u128 v = rmw_common(w, cpu, loc, SS_RMW_CMPXCHG, new_val, *old, ord, &ok, out, tag);
	*old = v;
	return ok;
}

/* ---- spinlocks ------------------------------------------------------------------ */

bool wmm_lock_would_block(const struct wmm *w, int loc)
{
	return wmm_newest(w, loc) != 0;
}

bool wmm_lock(struct wmm *w, int cpu, int x, const void *tag)
{
	struct wcpu *c = &w->cpu[cpu];
	if (w->model != WMM_SC)
		wmm_drain(w, cpu);
	if (wmm_lock_would_block(w, x))
		return false;
	w->st.rmws++;
	uint32_t pm = w->locs[x].next - 1;
	if (lkmm(w)) {
		read_msg(w, cpu, x, pm, true, NULL);
		if (c->did_unlock) {
			/* po-unlock-lock-po: ppo and a cumul-fence (rmb + wmb here) */
			vjoin(&c->cur, &c->obs);
			vjoin(&c->rel, &c->ownW);
		}
	}
	rmw_write(w, cpu, x, pm, 1, false, tag, NULL);
	return true;
}

bool wmm_trylock(struct wmm *w, int cpu, int x, const void *tag)
{
	return wmm_trylock_dep(w, cpu, x, tag, NULL);
}

bool wmm_trylock_dep(struct wmm *w, int cpu, int x, const void *tag, uint32_t *dep)
{
	if (dep)
		*dep = 0;
	if (w->model != WMM_SC)
		wmm_drain(w, cpu);
	if (!wmm_lock_would_block(w, x))
		return wmm_lock(w, cpu, x, tag);
	w->st.loads++;
	if (lkmm(w)) {
		uint32_t h = read_msg(w, cpu, x, w->locs[x].next - 1, false, NULL);
		if (dep)
			*dep = h;
	}
	return false;
}

void wmm_unlock(struct wmm *w, int cpu, int x, const void *tag)
{
	struct wcpu *c = &w->cpu[cpu];
	if (w->model != WMM_SC)
		wmm_drain(w, cpu);
	w->st.stores++;
	uint32_t sid = w->next_store_id++;
	if (!lkmm(w)) {
		append(w, x, 0, cpu, sid, tag, false, NULL);
	} else {
		/* release view rel ⊔ obsR ⊔ obs */
		struct view *v = &w->scratch;
		vjoin2(v, &c->obs, &c->rel);
		vjoin(v, &c->obsR);
		uint32_t p = append(w, x, 0, cpu, sid, tag, false, v);
		store_effects(w, c, x, p);
	}
	c->did_unlock = true;
}

/* ---- spin loops ----------------------------------------------------------------- */

void wmm_relax(struct wmm *w, int cpu)
{
	struct wcpu *c = &w->cpu[cpu];
	(void)w;
	c->npoll = c->npend;
	memcpy(c->poll_loc, c->pend_loc, sizeof(c->poll_loc));
	memcpy(c->poll_pos, c->pend_pos, sizeof(c->poll_pos));
	c->npend = 0;
}

bool wmm_poll_blocked(const struct wmm *w, int cpu)
{
	const struct wcpu *c = &w->cpu[cpu];
	if (!c->npoll)
		return false;
	for (int i = 0; i < c->npoll; i++) {
		int x = c->poll_loc[i];
		if (w->locs[x].next - 1 > c->poll_pos[i] || sb_find(c, x) >= 0)
			return false;
	}
	return true;
}

/* ---- state hash ------------------------------------------------------------------ */

static inline u64 mix(u64 h, u64 v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

/* A view hashed with every entry clamped to the oldest retained message, so a
 * forced eviction makes equal what it made equivalent. */
static u64 hview(const struct wmm *w, u64 h, const struct view *vw)
{
	const uint32_t *v = vw->v;
	for (int i = 0; i < w->nloc; i++)
		h = mix(h, umax(v[i], w->locs[i].base));
	return h;
}

u64 wmm_state_hash(const struct wmm *w, u64 seed)
{
	u64 h = mix(seed, (u64)w->nloc);
	bool lk = lkmm(w);
	for (int x = 0; x < w->nloc; x++) {
		const struct wloc *l = &w->locs[x];
		h = mix(h, ((u64)l->base << 32) | l->next);
		for (uint32_t p = l->base; p < l->next; p++) {
			const struct wmsg *m = &w->msgs[(size_t)x * w->ring + (p & (w->ring - 1))];
			h = mix(h, (u64)m->val);
			h = mix(h, (u64)(m->val >> 64));
			h = mix(h, ((u64)(uint16_t)m->cpu << 8) | m->rmw);
			if (lk)
				h = hview(w, h, &w->mv[(size_t)x * w->ring + (p & (w->ring - 1))]);
		}
	}
	if (lk)
		h = hview(w, h, &w->G);
	for (int ci = 0; ci < w->ncpus; ci++) {
		const struct wcpu *c = &w->cpu[ci];
		h = mix(h, ((u64)c->nsb << 40) | ((u64)c->did_unlock << 32) | c->nknow);
		for (unsigned i = 0; i < c->nsb; i++) {
			h = mix(h, (u64)c->sb[i].loc);
			h = mix(h, (u64)c->sb[i].val);
			h = mix(h, (u64)(c->sb[i].val >> 64));
			if (lk)
				h = hview(w, h, &c->sbv[c->sb[i].vs]);
		}
		for (int i = 0; i < c->npoll; i++)
			h = mix(h, ((u64)c->poll_loc[i] << 32) | c->poll_pos[i]);
		for (int i = 0; i < c->npend; i++)
			h = mix(h, ((u64)c->pend_loc[i] << 32) | c->pend_pos[i]);
		if (!lk)
			continue;
		h = hview(w, h, &c->cur);
		h = hview(w, h, &c->obs);
		h = hview(w, h, &c->obsR);
		h = hview(w, h, &c->rel);
		h = hview(w, h, &c->ownW);
		uint32_t nk = c->nknow < WMM_KNOW_RING ? c->nknow : WMM_KNOW_RING;
		for (uint32_t k = 0; k < nk; k++)
			h = hview(w, h, &c->know[k]);
	}
	return h;
}
