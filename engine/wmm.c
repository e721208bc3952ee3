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
 *
 * Files: this one (lifetime, locations, the view join loop, the state hash),
 * engine/wmm_access.c (commits and every access rule), engine/wmm_internal.h
 * (the state and the view algebra both use).
 */
#include "engine/wmm_internal.h"

/* ---- the view join loop ------------------------------------------------------- */

/* Kept out of line: inlined into callers the vectorizer loses the restrict
 * information and the joins run element by element (measured 2-4x slower).
 * Compared as signed: mo positions stay below 2^31 (append() refuses more),
 * and a signed max vectorizes to one compare + blend with plain SSE2, where an
 * unsigned one needs sign-flipping (no pmaxud before SSE4.1). */
__attribute__((noinline)) void wmm_vjoin_sse(uint32_t *restrict d, const uint32_t *restrict s,
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
__attribute__((noinline, target("avx2"))) void
wmm_vjoin_avx2(uint32_t *restrict d, const uint32_t *restrict s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		d[i] = d[i] > s[i] ? d[i] : s[i];
}

bool wmm_use_avx2;

static __attribute__((constructor)) void wmm_cpu_init(void)
{
	__builtin_cpu_init();
	wmm_use_avx2 = __builtin_cpu_supports("avx2");
}
#endif

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
		cp->ctrl_upto = cp->opaque = 0;
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
	if (w->gx)
		return wmmg_newest(w, loc);
	const struct wloc *l = &w->locs[loc];
	return (u64)w->msgs[(size_t)loc * w->ring + ((l->next - 1) & (w->ring - 1))].val;
}

uint32_t wmm_loc_version(const struct wmm *w, int loc)
{
	if (w->gx)
		return wmmg_version(w, loc);
	return w->locs[loc].next;
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
