/* engine/wmm_access.c - the memory models' rules, access by access (see
 * engine/wmm.h for what each call means and engine/wmm.c for the
 * representation): commits of store-buffer entries, loads (which message a
 * load may read, knowledge handles, dependency floors), fences, stores, RMWs,
 * spinlocks and the poll rule of spin loops.
 */
#include "engine/wmm_internal.h"

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

/* The knowledge views of the loads dep names: into src[0..*ns), except the
 * view `slot` itself (*self set instead: it is being built on).  Returns true
 * when the floor must also take everything the CPU observed: dep->all, or a
 * handle the ring no longer keeps. */
static bool dep_sources(struct wcpu *c, const struct wmm_dep *dep, const struct view *slot,
			const struct view **src, unsigned *ns, bool *self)
{
	bool fallback = dep->all;
	*ns = 0;
	for (unsigned i = 0; i < dep->n && i < WMM_DEP_MAX; i++) {
		if (!dep->h[i])
			continue;
		const struct view *kv = know_get(c, dep->h[i]);
		if (!kv)
			fallback = true;
		else if (kv == slot)
			*self = true;
		else
			src[(*ns)++] = kv;
	}
	return fallback;
}

/* A load of x that reads the CPU's own buffered store sb[i] (forwarding: no
 * other effect, §1.3; the knowledge of a forwarded value is everything the CPU
 * observed, which is sound). */
static u128 forwarded(struct wmm *w, int cpu, int x, int i, struct wmm_read_info *out)
{
	struct wcpu *c = &w->cpu[cpu];
	uint32_t h = ++c->nknow; /* sc, tso: a name only (race tests) */
	if (lkmm(w))
		vcopy(know_slot(c, h), &c->obs);
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
	/* a spin loop that read its own buffered store waits for something newer
	 * than what is visible now: that store's commit, or a later one (without
	 * this the loop never woke, a false deadlock: relay-wrc-release under pct) */
	note_pending(c, x, w->locs[x].next - 1);
	return c->sb[i].val;
}

static u128 load_common(struct wmm *w, int cpu, int x, enum ss_access acc,
			const struct wmm_dep *dep, struct wmm_read_info *out)
{
	struct wcpu *c = &w->cpu[cpu];
	struct wloc *l = &w->locs[x];
	w->st.loads++;
	if (w->model != WMM_SC && c->nsb) {
		int i = sb_find(c, x);
		if (i >= 0)
			return forwarded(w, cpu, x, i, out);
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
			bool self = false;
			const struct view *src[WMM_DEP_MAX];
			unsigned ns;
			bool fallback = dep_sources(c, dep, k, src, &ns, &self);
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
	} else {
		if (c->npoll)
			(void)poll_floor(w, c, x);
		note_pending(c, x, p);
		/* sc, tso: the load's handle names it for the dependencies of a
		 * data-race test (emu_config.track_deps); no knowledge view */
		h = ++c->nknow;
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
		const struct view *src[WMM_DEP_MAX];
		unsigned ns;
		bool self = false;
		bool fallback = dep_sources(c, dep, NULL, src, &ns, &self);
		for (unsigned i = 0; i < ns; i++)
			f = umax(f, vat(src[i], loc));
		if (fallback)
			f = umax(f, vat(&c->obs, loc));
	}
	return umax(f, w->locs[loc].base);
}

u64 wmm_load(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
	     struct wmm_read_info *out, const void *tag)
{
	if (w->gx) {
		w->gx_tag = tag;
		return (u64)wmmg_load(w, cpu, loc, acc, dep, out);
	}
	return (u64)load_common(w, cpu, loc, acc, dep, out);
}

u128 wmm_load128(struct wmm *w, int cpu, int loc, enum ss_access acc, const struct wmm_dep *dep,
		 struct wmm_read_info *out, const void *tag)
{
	if (w->gx) {
		w->gx_tag = tag;
		return wmmg_load(w, cpu, loc, acc, dep, out);
	}
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
	if (w->gx) {
		wmmg_fence(w, cpu, f);
		return;
	}
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
	return wmm_store_dep(w, cpu, loc, val, acc, NULL, tag);
}

uint32_t wmm_store_dep(struct wmm *w, int cpu, int loc, u64 val, enum ss_access acc,
		       const struct wmm_dep *dep, const void *tag)
{
	if (w->gx) {
		w->gx_tag = tag;
		return wmmg_store(w, cpu, loc, val, acc, dep);
	}
	return store_common(w, cpu, loc, val, acc, tag);
}

void wmm_store128(struct wmm *w, int cpu, int loc, u128 val, enum ss_access acc, const void *tag)
{
	if (w->gx) {
		w->gx_tag = tag;
		wmmg_store(w, cpu, loc, val, acc, NULL);
		return;
	}
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
	if (w->gx) {
		w->gx_tag = tag;
		return (u64)wmmg_rmw(w, cpu, loc, op, operand, expected, ord, ok, out);
	}
	return (u64)rmw_common(w, cpu, loc, op, operand, expected, ord, ok, out, tag);
}

bool wmm_cmpxchg128(struct wmm *w, int cpu, int loc, u128 *old, u128 new_val, enum ss_order ord,
		    struct wmm_read_info *out, const void *tag)
{
	bool ok;
	u128 v = w->gx ? wmmg_rmw(w, cpu, loc, SS_RMW_CMPXCHG, new_val, *old, ord, &ok, out)
		       : rmw_common(w, cpu, loc, SS_RMW_CMPXCHG, new_val, *old, ord, &ok, out, tag);
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
	if (w->gx) {
		w->gx_tag = tag;
		return wmmg_lock(w, cpu, x, false, NULL);
	}
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
	if (w->gx) {
		w->gx_tag = tag;
		return wmmg_lock(w, cpu, x, true, dep);
	}
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
	if (w->gx) {
		w->gx_tag = tag;
		wmmg_unlock(w, cpu, x);
		return;
	}
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
	if (w->gx) {
		wmmg_relax(w, cpu);
		return;
	}
	struct wcpu *c = &w->cpu[cpu];
	c->npoll = c->npend;
	memcpy(c->poll_loc, c->pend_loc, sizeof(c->poll_loc));
	memcpy(c->poll_pos, c->pend_pos, sizeof(c->poll_pos));
	c->npend = 0;
}

bool wmm_poll_blocked(const struct wmm *w, int cpu)
{
	if (w->gx)
		return wmmg_poll_blocked(w, cpu);
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
