/* tests/unit/test_gx.c - the graph explorer (engine/gx.c) against brute force.
 *
 * Random straight-line programs (2-3 threads of reads, writes, RMWs and fences
 * on 2 locations) are explored by gx and, independently, every candidate
 * execution (every rf choice, every co order) is built and checked here.  The
 * set of LKMM-consistent executions gx visits must be exactly the set of
 * consistent candidates whose po | rf is acyclic (gx.h says why those), each
 * one visited once; the classic shapes show the outcomes LKVM cannot (store
 * buffering, 2+2W, WRC, IRIW) and none that LKMM forbids. */
#include <stdlib.h>

#include "engine/gx.h"
#include "model/lkmm.h"
#include "tests/unit/test.h"

enum ins_kind { I_R, I_W, I_XCHG, I_F, I_LOCK, I_UNLOCK };

struct ins {
	enum ins_kind k;
	int loc;
	int val;
	unsigned flags; /* EVF_ONCE / ACQUIRE / RELEASE */
	enum ss_order ord;
	enum model_fence fence;
	int dep; /* -1, or the index (in the thread) of a read this depends on */
};

#define MAXT 3
#define MAXI 4

struct prog {
	int nthr;
	int len[MAXT];
	struct ins in[MAXT][MAXI];
	/* exact: the accesses are ctrl_exact; a thread's instructions from
	 * branch[t] on are ctrl dependent on its reads before it (no branch:
	 * branch[t] = len[t]) */
	bool exact;
	int branch[MAXT];
};

/* The events of thread t's instructions before instruction i. */
static int events_before(const struct prog *p, int t, int i)
{
	int n = 0;
	for (int k = 0; k < i; k++)
		n += p->in[t][k].k == I_XCHG || p->in[t][k].k == I_LOCK ? 2 : 1;
	return n;
}

/* An execution as text: rf of every read by (thread, index), co of every
 * location as a list of (thread, index). */
struct sig {
	char s[512];
};

static struct exg X;

/* ---- exploring with gx ---------------------------------------------------------------- */

static void mk_access(const struct prog *p, int t, int i, struct gx_access *a, const int *read_idx)
{
	const struct ins *in = &p->in[t][i];
	memset(a, 0, sizeof(*a));
	a->ctrl_exact = p->exact;
	a->ctrl_upto = i >= p->branch[t] ? events_before(p, t, p->branch[t]) : 0;
	a->key = 0x1000 + (uintptr_t)in->loc * 8;
	a->flags = in->flags;
	a->ord = in->ord;
	if (in->dep >= 0) {
		a->ndeps = 1;
		a->deps[0] = read_idx[in->dep];
	}
	switch (in->k) {
	case I_R: a->op = GX_READ; break;
	case I_W:
		a->op = GX_WRITE;
		a->val = (u128)in->val;
		break;
	case I_XCHG:
		a->op = GX_RMW;
		a->rmw = GX_RMW_XCHG;
		a->val = (u128)in->val;
		break;
	case I_F:
		a->op = GX_FENCE;
		a->fence = in->fence;
		break;
	case I_LOCK:
		a->op = GX_LOCK;
		a->key = 0x2000;
		break;
	case I_UNLOCK:
		a->op = GX_UNLOCK;
		a->key = 0x2000;
		break;
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* The signature of a model graph: for every read (thread, index in thread) its
 * write's (thread, value), for every write its number of co predecessors,
 * sorted, so the order events were added in does not matter. */
static void sig_of_exg(const struct exg *x, struct sig *s)
{
	char ent[64][24];
	int ne = 0, pos[REL_MAX_BIG];
	int count[8] = {0};
	for (int i = 0; i < x->n; i++)
		pos[i] = x->ev[i].thr < 0 ? -1 : count[(int)x->ev[i].thr]++;
	for (int i = 0; i < x->n && ne < 64; i++) {
		const struct ev *e = &x->ev[i];
		if (e->thr < 0 || e->kind == EV_F)
			continue;
		if (e->kind == EV_R) {
			int src = -1;
			for (int j = 0; j < x->n; j++)
				if (rel_has(&x->rf, j, i))
					src = j;
			snprintf(ent[ne++], sizeof(ent[0]), "r%d.%d<%d:%lld", e->thr, pos[i],
				 x->ev[src].thr, x->ev[src].thr < 0 ? 0 : x->ev[src].val);
		} else {
			int before = 0;
			for (int j = 0; j < x->n; j++)
				before += rel_has(&x->co, j, i);
			snprintf(ent[ne++], sizeof(ent[0]), "w%d.%d@%d", e->thr, pos[i], before);
		}
	}
	qsort(ent, (size_t)ne, sizeof(ent[0]), str_cmp);
	int len = 0;
	s->s[0] = 0;
	for (int k = 0; k < ne; k++)
		len += snprintf(s->s + len, sizeof(s->s) - (size_t)len, "%s;", ent[k]);
}

static int sig_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sig *)a)->s, ((const struct sig *)b)->s);
}

#define MAXSIG 20000

static struct sig gx_sigs[MAXSIG], bf_sigs[MAXSIG];
static int gx_repeats;
static int lb_cycles; /* consistent executions gx visited with a po | rf cycle */

/* gx's check of a graph when it is pushed: LKMM (as gexplore.c), after the
 * quick refutation, which must agree with the model's own on every graph. */
static struct exg CX;
static unsigned long quick_checked, quick_refuted, quick_sc, quick_disagree, quick_wrong;

/* Compares gx's quick verdicts with the model's on the graph in CX; returns
 * gx's: 0 refuted, 1 allowed, -1 undecided. */
static int compare_quick(struct gx *g)
{
	bool refuted = gx_refuted_quickly(g), sc = gx_sc_consistent(g);
	quick_checked++;
	quick_refuted += refuted;
	quick_sc += sc;
	int verdict = refuted ? 0 : sc ? 1 : -1;
	quick_disagree += refuted != lkmm_refuted_quickly(&CX) || sc != lkmm_allowed_by_sc(&CX) ||
			  gx_quick_verdict(g) != verdict;
	if (refuted || sc) /* a verdict the whole check would not give */
		quick_wrong += refuted == lkmm_consistent(&CX);
	return verdict;
}
static bool check_lkmm(void *ctx, struct gx *g)
{
	char err[160];
	(void)ctx;
	if (gx_to_exg(g, &CX, err, sizeof(err)) < 0)
		return true;
	int quick = compare_quick(g);
	return quick >= 0 ? quick : lkmm_consistent(&CX);
}

/* Runs p once on the graph gx_begin started: each access of the thread
 * gx_pick names.  A thread whose lock read a held lock waits (as the
 * emulator's, engine/wmm_graph.c): it is ready again once gx_would_wait says
 * false (an unlock revisited its read in place), and then calls the lock op
 * again (*waiting: some thread ended waiting).  GX_OK at the end, or the
 * status that stopped it (GX_PRUNED, an error). */
static enum gx_status run_program(struct gx *g, const struct prog *p, bool *waiting)
{
	int pc[MAXT] = {0}, ridx[MAXT][MAXI];
	bool stuck[MAXT] = {0};
	*waiting = false;
	for (;;) {
		unsigned ready = 0;
		for (int t = 0; t < p->nthr; t++) {
			struct gx_access a;
			if (pc[t] >= p->len[t])
				continue;
			mk_access(p, t, pc[t], &a, ridx[t]);
			if (!stuck[t] || !gx_would_wait(g, t, &a))
				ready |= 1u << t;
		}
		if (!ready) {
			for (int t = 0; t < p->nthr; t++)
				*waiting |= stuck[t];
			return GX_OK;
		}
		int t = gx_pick(g, ready);
		struct gx_access a;
		struct gx_result r;
		mk_access(p, t, pc[t], &a, ridx[t]);
		enum gx_status st = gx_access(g, t, &a, &r);
		stuck[t] = st == GX_WAIT; /* read a held lock: waits */
		if (st != GX_OK && st != GX_WAIT)
			return st;
		if (st == GX_OK)
			ridx[t][pc[t]++] = r.idx;
	}
}

/* Explores p with gx (with prune: graphs checked as they are pushed); the
 * consistent executions' signatures, sorted; -1 on error. */
static bool porf_acyclic(void);

static int explore_gx(const struct prog *p, struct sig *out, int *nexec, bool prune)
{
	struct gx *g = gx_create(p->nthr, 0);
	gx_set_whole_graph(g, true);
	if (prune)
		gx_set_check(g, check_lkmm, NULL);
	int n = 0;
	*nexec = 0;
	while (gx_begin(g)) {
		bool waiting;
		enum gx_status st = run_program(g, p, &waiting);
		if (st != GX_OK && st != GX_PRUNED) {
			gx_destroy(g);
			return -1;
		}
		if (getenv("GX_DUMP")) /* debugging: every graph at its end */
			gx_dump(g, stdout);
		if (!gx_end(g, waiting))
			continue;
		(*nexec)++;
		char err[160];
		if (gx_to_exg(g, &X, err, sizeof(err)) < 0 ||
		    gx_to_exg(g, &CX, err, sizeof(err)) < 0)
			continue;
		compare_quick(g);
		struct lkmm_verdict v;
		if (!lkmm_check(&X, false, &v, NULL))
			continue;
		lb_cycles += !porf_acyclic();
		if (n < MAXSIG)
			sig_of_exg(&X, &out[n++]);
	}
	gx_destroy(g);
	qsort(out, (size_t)n, sizeof(*out), sig_cmp);
	/* the same execution visited twice: counted, then dropped */
	int u = 0;
	for (int i = 0; i < n; i++)
		if (!u || strcmp(out[u - 1].s, out[i].s))
			out[u++] = out[i];
	gx_repeats += n - u;
	return u;
}

/* ---- brute force ------------------------------------------------------------------------ */

struct bf {
	const struct prog *p;
	int nev, nloc;
	int thr[MAXT * MAXI * 2], loc[MAXT * MAXI * 2];
	int kind[MAXT * MAXI * 2];
	int rf[MAXT * MAXI * 2];     /* reads: event id of the write, -1 - loc: initial */
	int co[MAXT * MAXI * 2];     /* writes: rank */
	int lockev[MAXT * MAXI * 2]; /* 1: a lock's read (must read 0), 2: its write, 3: unlock */
	int count;
	struct sig *out;
};

/* Builds the model graph of the candidate in b, as gx_to_exg does. */
static void bf_build(struct bf *b)
{
	const struct prog *p = b->p;
	exg_init_cap(&X, REL_MAX);
	for (int l = 0; l < b->nloc; l++)
		exg_add(&X, -1, EV_W, l, 0, 0, MF_NONE);
	int id[MAXT * MAXI * 2], e = 0, ev_of[MAXT][MAXI][2];
	for (int t = 0; t < p->nthr; t++)
		for (int i = 0; i < p->len[t]; i++) {
			const struct ins *in = &p->in[t][i];
			if (in->k == I_F) {
				ev_of[t][i][0] = exg_add(&X, t, EV_F, -1, 0, 0, in->fence);
				continue;
			}
			if (in->k == I_LOCK) {
				id[e] = exg_add(&X, t, EV_R, 2, 0, EVF_LKR, MF_NONE);
				ev_of[t][i][0] = id[e++];
				id[e] = exg_add(&X, t, EV_W, 2, 1, EVF_LKW, MF_NONE);
				ev_of[t][i][1] = id[e++];
				continue;
			}
			if (in->k == I_UNLOCK) {
				id[e] = exg_add(&X, t, EV_W, 2, 0, EVF_UL, MF_NONE);
				ev_of[t][i][0] = id[e++];
				continue;
			}
			unsigned rf = in->flags, wf = in->flags;
			if (in->k == I_XCHG) {
				rf = wf = EVF_RMW;
				if (in->ord == SS_ORD_FULL)
					rf |= EVF_MB, wf |= EVF_MB;
				else
					rf |= EVF_ONCE, wf |= EVF_ONCE;
			}
			if (in->k != I_W) {
				id[e] = exg_add(&X, t, EV_R, in->loc, 0, rf, MF_NONE);
				ev_of[t][i][0] = id[e++];
			}
			if (in->k != I_R) {
				id[e] = exg_add(&X, t, EV_W, in->loc, in->val, wf, MF_NONE);
				ev_of[t][i][in->k == I_XCHG] = id[e++];
			}
		}
	for (int k = 0; k < b->nev; k++) {
		if (b->kind[k] == EV_R) {
			int src = b->rf[k] < 0 ? -1 - b->rf[k] : id[b->rf[k]];
			rel_add(&X.rf, src, id[k]);
			/* the value read, for the signature */
			X.ev[id[k]].val = b->rf[k] < 0 ? 0 : X.ev[id[b->rf[k]]].val;
		}
		if (b->kind[k] == EV_W) {
			rel_add(&X.co, b->loc[k], id[k]);
			for (int j = 0; j < b->nev; j++)
				if (b->kind[j] == EV_W && b->loc[j] == b->loc[k] &&
				    b->co[j] > b->co[k])
					rel_add(&X.co, id[k], id[j]);
		}
	}
	for (int t = 0; t < p->nthr; t++)
		for (int i = 0; i < p->len[t]; i++) {
			const struct ins *in = &p->in[t][i];
			if (in->k == I_XCHG || in->k == I_LOCK)
				rel_add(&X.rmw, ev_of[t][i][0], ev_of[t][i][1]);
			if (in->k == I_F)
				continue;
			if (in->k == I_LOCK || in->k == I_UNLOCK) {
				/* reads before it order it (conservative ctrl, as gx) */
				int me = ev_of[t][i][in->k == I_LOCK];
				for (int j = 0; j < i; j++)
					if (p->in[t][j].k == I_R || p->in[t][j].k == I_XCHG ||
					    p->in[t][j].k == I_LOCK)
						rel_add(&X.ctrl, ev_of[t][j][0], me);
				if (in->k == I_LOCK)
					rel_add(&X.ctrl, ev_of[t][i][0], ev_of[t][i][1]);
				continue;
			}
			int me_last = ev_of[t][i][in->k == I_XCHG];
			for (int j = 0; j < i; j++) {
				const struct ins *d = &p->in[t][j];
				if (d->k != I_R && d->k != I_XCHG && d->k != I_LOCK)
					continue;
				int rd = ev_of[t][j][0];
				if (in->dep == j) /* a named read is the address's (gx_model.c) */
					for (int h = 0; h <= (in->k == I_XCHG); h++)
						rel_add(&X.addr, rd, ev_of[t][i][h]);
				if (in->k != I_R &&
				    (!p->exact || (j < p->branch[t] && i >= p->branch[t])))
					rel_add(&X.ctrl, rd, me_last);
			}
			if (in->k == I_XCHG && !p->exact)
				rel_add(&X.ctrl, ev_of[t][i][0], ev_of[t][i][1]);
		}
	exg_finish(&X);
}

/* po | rf acyclic? */
static bool porf_acyclic(void)
{
	struct rel u;
	rel_union(X.n, &X.po, &X.rf, &u);
	return rel_acyclic(X.n, &u);
}

static void bf_co(struct bf *b, int loc);
/* Candidates lkmm_refuted_quickly refutes and lkmm_allowed_by_sc allows, and
 * those of them the whole check decides the other way. */
static unsigned long refuted, wrongly_refuted, allowed, wrongly_allowed;
/* Consistent candidates with a data race, and races the filter of
 * model/lkmm.h (lkmm_race_conflicts less lkmm_race_drop_ordered) would miss. */
static unsigned long racy, races_filtered_out, ordered_dropped;

/* Counts the pairs of ww-race | wr-race | rw-race outside the race filter of
 * the consistent candidate X. */
static unsigned long races_outside_filter(void)
{
	static struct lkmm m;
	static struct rel c, all;
	struct lkmm_verdict v;
	lkmm_race_conflicts(&X, &c);
	for (int i = 0; i < X.n; i++)
		for (int j = 0; j < X.n; j++)
			ordered_dropped += rel_has(&c, i, j);
	lkmm_race_drop_ordered(&X, &c);
	for (int i = 0; i < X.n; i++)
		for (int j = 0; j < X.n; j++)
			ordered_dropped -= rel_has(&c, i, j);
	if (!lkmm_check(&X, false, &v, &m) || !v.data_race)
		return 0;
	racy++;
	rel_union(X.n, &m.ww_race, &m.wr_race, &all);
	rel_union(X.n, &all, &m.rw_race, &all);
	unsigned long out = 0;
	for (int i = 0; i < X.n; i++)
		for (int j = 0; j < X.n; j++)
			out += rel_has(&all, i, j) && !rel_has(&c, i, j);
	return out;
}

static void bf_rf(struct bf *b, int k)
{
	if (k == b->nev) {
		bf_co(b, 0);
		return;
	}
	if (b->kind[k] != EV_R) {
		bf_rf(b, k + 1);
		return;
	}
	b->rf[k] = -1 - b->loc[k];
	bf_rf(b, k + 1);
	for (int w = 0; w < b->nev; w++)
		if (b->kind[w] == EV_W && b->loc[w] == b->loc[k] &&
		    !(b->thr[w] == b->thr[k] && w > k) &&
		    !(b->lockev[k] == 1 && b->lockev[w] == 2)) {
			b->rf[k] = w;
			bf_rf(b, k + 1);
		}
}

/* Every order of the writes of loc, then the next location. */
static void bf_perm(struct bf *b, int loc, int *ws, int nw, int depth)
{
	if (depth == nw) {
		bf_co(b, loc + 1);
		return;
	}
	for (int i = depth; i < nw; i++) {
		int t = ws[depth];
		ws[depth] = ws[i];
		ws[i] = t;
		b->co[ws[depth]] = depth;
		bf_perm(b, loc, ws, nw, depth + 1);
		t = ws[depth];
		ws[depth] = ws[i];
		ws[i] = t;
	}
}

static void bf_co(struct bf *b, int loc)
{
	if (loc == b->nloc) {
		bf_build(b);
		struct lkmm_verdict v;
		bool ok = lkmm_check(&X, false, &v, NULL);
		if (lkmm_refuted_quickly(&X)) { /* must never refute a consistent graph */
			refuted++;
			wrongly_refuted += ok;
		}
		if (lkmm_allowed_by_sc(&X)) { /* nor allow an inconsistent one */
			allowed++;
			wrongly_allowed += !ok;
		}
		if (ok)
			races_filtered_out += races_outside_filter();
		if ((b->p->exact || porf_acyclic()) && ok && b->count < MAXSIG)
			sig_of_exg(&X, &b->out[b->count++]);
		return;
	}
	int ws[MAXT * MAXI], nw = 0;
	for (int k = 0; k < b->nev; k++)
		if (b->kind[k] == EV_W && b->loc[k] == loc)
			ws[nw++] = k;
	bf_perm(b, loc, ws, nw, 0);
}

static int explore_bf(const struct prog *p, struct sig *out)
{
	struct bf b;
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.out = out;
	b.nloc = 3;
	for (int t = 0; t < p->nthr; t++)
		for (int i = 0; i < p->len[t]; i++) {
			const struct ins *in = &p->in[t][i];
			if (in->k == I_F)
				continue;
			if (in->k == I_LOCK) {
				b.thr[b.nev] = t, b.loc[b.nev] = 2, b.lockev[b.nev] = 1;
				b.kind[b.nev++] = EV_R;
				b.thr[b.nev] = t, b.loc[b.nev] = 2, b.lockev[b.nev] = 2;
				b.kind[b.nev++] = EV_W;
				continue;
			}
			if (in->k == I_UNLOCK) {
				b.thr[b.nev] = t, b.loc[b.nev] = 2, b.lockev[b.nev] = 3;
				b.kind[b.nev++] = EV_W;
				continue;
			}
			if (in->k != I_W) {
				b.thr[b.nev] = t, b.loc[b.nev] = in->loc, b.kind[b.nev++] = EV_R;
			}
			if (in->k != I_R) {
				b.thr[b.nev] = t, b.loc[b.nev] = in->loc, b.kind[b.nev++] = EV_W;
			}
		}
	bf_rf(&b, 0);
	qsort(out, (size_t)b.count, sizeof(*out), sig_cmp);
	return b.count;
}

/* ---- programs ---------------------------------------------------------------------------- */

static unsigned long long rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void random_prog(struct prog *p, bool big, bool locks)
{
	memset(p, 0, sizeof(*p));
	p->nthr = 2 + (int)rnd(2);
	int val = 1;
	for (int t = 0; t < p->nthr; t++) {
		p->len[t] = 1 + (int)rnd(p->nthr == 3 ? (big ? 3 : 2) : (big ? 4 : 3));
		int last_read = -1;
		for (int i = 0; i < p->len[t]; i++) {
			struct ins *in = &p->in[t][i];
			unsigned r = rnd(10);
			in->k = r < 4 ? I_R : r < 8 ? I_W : r < 9 ? I_XCHG : I_F;
			in->loc = (int)rnd(2);
			in->val = val++;
			in->dep = -1;
			static const unsigned fl[] = {EVF_ONCE, EVF_ONCE, EVF_ACQUIRE, EVF_RELEASE,
						      EVF_PLAIN};
			in->flags = fl[rnd(5)];
			if (in->k == I_XCHG && in->flags == EVF_PLAIN)
				in->flags = EVF_ONCE;
			if (in->k == I_R && in->flags == EVF_RELEASE)
				in->flags = EVF_ONCE;
			if (in->k == I_W && in->flags == EVF_ACQUIRE)
				in->flags = EVF_ONCE;
			in->ord = rnd(2) ? SS_ORD_FULL : SS_ORD_RELAXED;
			static const enum model_fence fe[] = {MF_MB, MF_WMB, MF_RMB};
			in->fence = fe[rnd(3)];
			if (in->k != I_F && last_read >= 0 && rnd(3) == 0)
				in->dep = last_read;
			if (in->k == I_R || in->k == I_XCHG)
				last_read = i;
		}
		/* sometimes the thread's accesses sit in a critical section */
		if (locks && p->len[t] + 2 <= MAXI && rnd(3) == 0) {
			memmove(&p->in[t][1], &p->in[t][0], (size_t)p->len[t] * sizeof(struct ins));
			for (int i = 1; i <= p->len[t]; i++)
				if (p->in[t][i].dep >= 0)
					p->in[t][i].dep++;
			p->in[t][0] = (struct ins){.k = I_LOCK, .dep = -1};
			p->in[t][p->len[t] + 1] = (struct ins){.k = I_UNLOCK, .dep = -1};
			p->len[t] += 2;
		}
	}
}

static void print_prog(const struct prog *p)
{
	static const char *kn[] = {"R", "W", "XCHG", "F", "LOCK", "UNLOCK"};
	for (int t = 0; t < p->nthr; t++) {
		printf("  P%d:", t);
		for (int i = 0; i < p->len[t]; i++) {
			const struct ins *in = &p->in[t][i];
			printf(" %s", kn[in->k]);
			if (in->k == I_F)
				printf("%d", in->fence);
			else
				printf(" x%d=%d f%x dep%d;", in->loc, in->val, in->flags, in->dep);
		}
		if (p->exact)
			printf(" (ctrl from instruction %d on)", p->branch[t]);
		printf("\n");
	}
}

/* Explores program k with gx and by brute force; false (and both sets
 * printed) when the consistent executions differ.  Adds to the totals. */
static bool compare_program(int k, const struct prog *p, int *total_gx, int *total_bf)
{
	bool prune = getenv("GX_PRUNE") ? atoi(getenv("GX_PRUNE")) : k % 4 >= 2;
	int nexec;
	int ng = explore_gx(p, gx_sigs, &nexec, prune);
	int nb = explore_bf(p, bf_sigs);
	*total_gx += ng;
	*total_bf += nb;
	bool same = ng == nb;
	for (int i = 0; same && i < ng; i++)
		same = !strcmp(gx_sigs[i].s, bf_sigs[i].s);
	if (same)
		return true;
	printf("  program %d: gx %d consistent, brute force %d\n", k, ng, nb);
	print_prog(p);
	for (int i = 0; i < ng; i++)
		printf("    gx %s\n", gx_sigs[i].s);
	for (int i = 0; i < nb; i++)
		printf("    bf %s\n", bf_sigs[i].s);
	return false;
}

TEST(random_programs_match_brute_force)
{
	int bad = 0, total_gx = 0, total_bf = 0;
	bool big = getenv("GX_BIG") != NULL;
	int nprog = getenv("GX_PROGRAMS") ? atoi(getenv("GX_PROGRAMS")) : 400;
	for (int k = 0; k < nprog && bad < 3; k++) {
		struct prog p;
		random_prog(&p, big, k % 2);
		if (getenv("GX_ONLY") && atoi(getenv("GX_ONLY")) != k)
			continue; /* debugging one program: GX_ONLY=k (GX_PRUNE=0|1) */
		bad += !compare_program(k, &p, &total_gx, &total_bf);
	}
	printf("  # %d consistent executions by gx (%d visited twice), %d by brute force\n",
	       total_gx, gx_repeats, total_bf);
	printf("  # quick verdicts: %lu candidates refuted (%lu of them consistent), %lu allowed "
	       "by sc (%lu of them inconsistent); on gx's graphs %lu refuted and %lu allowed "
	       "of %lu, %lu differ from model/'s\n",
	       refuted, wrongly_refuted, allowed, wrongly_allowed, quick_refuted, quick_sc,
	       quick_checked, quick_disagree);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(gx_repeats, 0); /* TruSt's maximality: every execution once */
	EXPECT_EQ(wrongly_refuted, 0);
	EXPECT_EQ(wrongly_allowed, 0);
	EXPECT_EQ(quick_disagree, 0);
	printf("  # race filter: %lu consistent candidates with a data race, %lu ordered "
	       "conflicts dropped, %lu races it would have missed\n",
	       racy, ordered_dropped, races_filtered_out);
	EXPECT(racy > 0 && ordered_dropped > 0);
	EXPECT_EQ(races_filtered_out, 0);
}

/* A program of critical sections on the one lock: each thread one of a few
 * shapes (L lock, U unlock, a an access of location 0 or 1), at most three
 * sections and four accesses in all (brute force orders every write). */
static void random_lock_prog(struct prog *p)
{
	static const char *shapes[] = {"LaU", "LaUa", "aLaU", "LULU", "LaaU", "LU", "a", "LUa"};
	memset(p, 0, sizeof(*p));
	p->nthr = 2 + (int)rnd(2);
	int val = 1, sections = 0, accesses = 0;
	for (int t = 0; t < p->nthr; t++) {
		const char *sh;
		int ns, na;
		do {
			sh = shapes[rnd(8)];
			ns = na = 0;
			for (const char *c = sh; *c; c++)
				ns += *c == 'L', na += *c == 'a';
		} while (sections + ns > 3 || accesses + na > 4);
		sections += ns;
		accesses += na;
		for (const char *c = sh; *c; c++) {
			struct ins *in = &p->in[t][p->len[t]++];
			*in = (struct ins){.k = *c == 'L' ? I_LOCK : I_UNLOCK, .dep = -1};
			if (*c != 'a')
				continue;
			unsigned r = rnd(5);
			in->k = r < 2 ? I_R : r < 4 ? I_W : I_XCHG;
			in->loc = (int)rnd(2);
			in->val = val++;
			in->flags = in->k == I_W ? (rnd(2) ? EVF_ONCE : EVF_RELEASE)
						 : (rnd(2) ? EVF_ONCE : EVF_ACQUIRE);
			in->ord = rnd(2) ? SS_ORD_FULL : SS_ORD_RELAXED;
		}
	}
}

/* Programs where threads contend for the lock (a waiter is handed the lock
 * in place by the holder's unlock, gx_revisit.c) against brute force. */
TEST(lock_programs_match_brute_force)
{
	int bad = 0, total_gx = 0, total_bf = 0;
	int nprog = getenv("GX_LOCK_PROGRAMS") ? atoi(getenv("GX_LOCK_PROGRAMS")) : 80;
	gx_repeats = 0;
	for (int k = 0; k < nprog && bad < 3; k++) {
		struct prog p;
		random_lock_prog(&p);
		if (getenv("GX_ONLY") && atoi(getenv("GX_ONLY")) != k)
			continue;
		bad += !compare_program(k, &p, &total_gx, &total_bf);
	}
	printf("  # %d consistent executions by gx (%d visited twice), %d by brute force\n",
	       total_gx, gx_repeats, total_bf);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(gx_repeats, 0);
}

/* ---- load buffering: programs whose accesses say which reads they depend on -------- */

/* Reads and writes of two locations (a fence now and then), each thread
 * branching on its reads at a random point or never, with a random dependency
 * now and then: LB and its dependency-ordered forms.  No RMW: a read of an RMW
 * is never revisited by a write in its prefix (its write would move in co;
 * gx.h), so a cycle whose every read is an RMW's is not explored. */
static void random_lb_prog(struct prog *p)
{
	memset(p, 0, sizeof(*p));
	p->exact = true;
	p->nthr = 2 + (int)rnd(2);
	int val = 1;
	for (int t = 0; t < p->nthr; t++) {
		p->len[t] = 1 + (int)rnd(p->nthr == 3 ? 3 : 4);
		int last_read = -1;
		for (int i = 0; i < p->len[t]; i++) {
			struct ins *in = &p->in[t][i];
			unsigned r = rnd(12);
			in->k = r < 5 ? I_R : r < 11 ? I_W : I_F;
			in->loc = (int)rnd(2);
			in->val = val++;
			in->dep = last_read >= 0 && rnd(4) == 0 ? last_read : -1;
			static const unsigned fl[] = {EVF_ONCE, EVF_ONCE, EVF_ONCE, EVF_ACQUIRE,
						      EVF_RELEASE};
			in->flags = fl[rnd(5)];
			if (in->k == I_R && in->flags == EVF_RELEASE)
				in->flags = EVF_ONCE;
			if ((in->k == I_W || in->k == I_XCHG) && in->flags == EVF_ACQUIRE)
				in->flags = EVF_ONCE;
			if (in->k == I_XCHG)
				in->flags = EVF_ONCE;
			in->ord = rnd(3) ? SS_ORD_RELAXED : SS_ORD_FULL;
			static const enum model_fence fe[] = {MF_MB, MF_WMB, MF_RMB};
			in->fence = fe[rnd(3)];
			if (in->k == I_R || in->k == I_XCHG)
				last_read = i;
		}
		p->branch[t] = rnd(3) ? p->len[t] : (int)rnd((unsigned)p->len[t] + 1);
	}
}

/* With exact control dependencies the (po | rf) cycles LKMM allows are
 * explored too: every consistent candidate, LB among them. */
TEST(load_buffering_programs_match_brute_force)
{
	int bad = 0, total_gx = 0, total_bf = 0;
	int nprog = getenv("GX_LB_PROGRAMS") ? atoi(getenv("GX_LB_PROGRAMS")) : 400;
	gx_repeats = 0;
	lb_cycles = 0;
	for (int k = 0; k < nprog && bad < 3; k++) {
		struct prog p;
		random_lb_prog(&p);
		if (getenv("GX_ONLY") && atoi(getenv("GX_ONLY")) != k)
			continue;
		bad += !compare_program(k, &p, &total_gx, &total_bf);
	}
	printf("  # %d consistent executions by gx (%d visited twice, %d with a po | rf "
	       "cycle), %d by brute force\n",
	       total_gx, gx_repeats, lb_cycles, total_bf);
	EXPECT_EQ(bad, 0);
	EXPECT(lb_cycles > 0);
	/* on graphs with a cycle the quick refutation may give up where model/'s
	 * does not (its views need an order: then the whole check decides); it
	 * never gives a verdict the whole check would not */
	EXPECT_EQ(quick_wrong, 0);
	/* a cycle may be closed at more than one of its reads: such an execution
	 * may be visited twice (gexplore counts distinct ones), never missed */
	EXPECT(gx_repeats <= lb_cycles);
}

/* The classic LB shape: each CPU reads one location and writes the other.
 * Without dependencies LKMM allows both reads to see the other's write; a
 * branch on the read before the write (ctrl) forbids it on either side. */
TEST(load_buffering_shapes)
{
	for (int shape = 0; shape < 4; shape++) {
		struct prog p;
		memset(&p, 0, sizeof(p));
		p.exact = true;
		p.nthr = 2;
		for (int t = 0; t < 2; t++) {
			p.len[t] = 2;
			p.in[t][0] = (struct ins){.k = I_R, .loc = t, .flags = EVF_ONCE, .dep = -1};
			p.in[t][1] = (struct ins){
			    .k = I_W, .loc = 1 - t, .val = 1, .flags = EVF_ONCE, .dep = -1};
			p.branch[t] = 2;
		}
		if (shape & 1)
			p.branch[0] = 1; /* P0: if (r0) WRITE_ONCE(y, 1) */
		if (shape & 2)
			p.in[1][1].dep = 0; /* P1: WRITE_ONCE(x, r1) (data, as addr) */
		int nexec;
		lb_cycles = 0;
		int ng = explore_gx(&p, gx_sigs, &nexec, true);
		int nb = explore_bf(&p, bf_sigs);
		bool both_one = false; /* r0 = 1 and r1 = 1 */
		for (int i = 0; i < ng; i++)
			both_one |=
			    strstr(gx_sigs[i].s, "r0.0<1:1") && strstr(gx_sigs[i].s, "r1.0<0:1");
		printf(
		    "  # LB shape %d: %d consistent executions (brute force %d), r0 = r1 = 1: %s\n",
		    shape, ng, nb, both_one ? "reached" : "not reached");
		EXPECT_EQ(ng, nb);
		EXPECT(both_one == (shape != 3));
		EXPECT(shape == 3 ? lb_cycles == 0 : lb_cycles >= 1);
	}
}

/* ---- the chooser (gx_set_chooser: fuzz --engine graph) ------------------------------ */

/* Every sequence of choices, as an odometer: the run takes the recorded
 * choices, then 0 for each new choice point; next() moves to the next one. */
struct odometer {
	unsigned pick[256], n[256];
	int len, pos;
	bool overflow;
};

static unsigned odo_choose(void *ctx, unsigned n)
{
	struct odometer *o = ctx;
	if (o->pos >= 256) {
		o->overflow = true;
		return 0;
	}
	if (o->pos == o->len) {
		o->pick[o->len] = 0;
		o->n[o->len++] = n;
	}
	o->n[o->pos] = n;
	return o->pick[o->pos++];
}

static bool odo_next(struct odometer *o)
{
	o->len = o->pos;
	while (o->len > 0 && o->pick[o->len - 1] + 1 >= o->n[o->len - 1])
		o->len--;
	if (!o->len)
		return false;
	o->pick[o->len - 1]++;
	return true;
}

/* One execution of p from the empty graph with the choices of the chooser:
 * true and its signature in *s when it is a consistent result. */
static bool run_chosen(struct gx *g, const struct prog *p, struct sig *s)
{
	bool waiting;
	if (!gx_begin(g))
		return false;
	run_program(g, p, &waiting);
	char err[160];
	struct lkmm_verdict v;
	if (!gx_end(g, waiting) || gx_to_exg(g, &X, err, sizeof(err)) < 0 ||
	    !lkmm_check(&X, false, &v, NULL))
		return false;
	sig_of_exg(&X, s);
	return true;
}

static unsigned zero_choose(void *ctx, unsigned n)
{
	(void)ctx, (void)n;
	return 0;
}

static struct sig ch_sigs[MAXSIG];

/* Every string of choices over small random programs: all zeros is the
 * in-order execution (gx's first graph), and the consistent executions
 * reached are exactly those the exhaustive exploration visits. */
TEST(chooser_reaches_the_exhaustive_set)
{
	int bad = 0, checked = 0, runs_total = 0;
	for (int k = 0; k < 300 && bad < 3; k++) {
		struct prog p;
		random_prog(&p, false, k % 2);
		struct gx *g = gx_create(p.nthr, 0);
		gx_set_whole_graph(g, true);
		gx_set_chooser(g, zero_choose, NULL);
		struct sig zero, first;
		bool zc = run_chosen(g, &p, &zero);
		gx_destroy(g);
		g = gx_create(p.nthr, 0);
		gx_set_whole_graph(g, true);
		bool fc = run_chosen(g, &p, &first);
		gx_destroy(g);
		EXPECT(zc == fc && (!zc || !strcmp(zero.s, first.s)));
		struct odometer o = {.len = 0};
		g = gx_create(p.nthr, 0);
		gx_set_whole_graph(g, true);
		gx_set_chooser(g, odo_choose, &o);
		int n = 0, runs = 0;
		do {
			o.pos = 0;
			runs++;
			if (run_chosen(g, &p, &ch_sigs[n]) && n + 1 < MAXSIG)
				n++;
		} while (odo_next(&o) && runs < 200000);
		gx_destroy(g);
		if (o.overflow || runs >= 200000)
			continue;
		qsort(ch_sigs, (size_t)n, sizeof(ch_sigs[0]), sig_cmp);
		int u = 0;
		for (int i = 0; i < n; i++)
			if (!u || strcmp(ch_sigs[u - 1].s, ch_sigs[i].s))
				ch_sigs[u++] = ch_sigs[i];
		int nexec, ng = explore_gx(&p, gx_sigs, &nexec, false);
		bool subset = true, same = u == ng;
		for (int i = 0, j = 0; i < u && subset; i++) {
			while (j < ng && strcmp(gx_sigs[j].s, ch_sigs[i].s) < 0)
				j++;
			subset = j < ng && !strcmp(gx_sigs[j].s, ch_sigs[i].s);
		}
		checked++;
		runs_total += runs;
		if (!subset || !same) {
			bad++;
			printf("  program %d: chooser %d consistent (%s), exhaustive %d\n", k, u,
			       subset ? "a subset" : "NOT a subset", ng);
			print_prog(&p);
		}
	}
	printf("  # %d programs, %d runs of every choice string\n", checked, runs_total);
	EXPECT(checked > 200);
	EXPECT_EQ(bad, 0);
}

int main(void)
{
	RUN(random_programs_match_brute_force);
	RUN(chooser_reaches_the_exhaustive_set);
	RUN(lock_programs_match_brute_force);
	RUN(load_buffering_shapes);
	RUN(load_buffering_programs_match_brute_force);
	TEST_SUMMARY();
}
