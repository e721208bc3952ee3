/* tests/unit/test_deps.c - explicit dependencies (kernel/ struct ss_dep, emu
 * --deps): a pointer's dependency travels through virt_to_slab, obj_to_index and
 * slab_obj_ext into the loads of slab->obj_exts, slab->stride and ext->objcg,
 * transitively; the dependency is what forbids a stale ext->objcg after
 * smp_wmb() + WRITE_ONCE publish (MP+wmb+addr); provenance agrees with it
 * (--deps check) and names a load left undeclared; a release publish with a
 * READ_ONCE take and kfree is clean with nothing in the scenario; natively the
 * helpers cost nothing and return no dependency. */
#include <stdlib.h>
#include <string.h>

#include "alloc/slab.h"
#include "engine/emu.h"
#include "engine/explore.h"
#include "tests/unit/test.h"

struct dep_state {
	void *ptr;
	struct obj_cgroup *want; /* the objcg the writer charged (plain C, set before) */
} __attribute__((aligned(64)));

/* CPU 0: allocate (charge: obj_exts, stride and ext->objcg are written), then
 * smp_wmb() and WRITE_ONCE of the pointer. */
static void dep_writer(struct ss_world *w, int role)
{
	struct dep_state *st = w->state;
	void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
	if (!obj)
		return;
	smp_wmb();
	WRITE_ONCE(st->ptr, obj);
}

/* CPU 1: READ_ONCE of the pointer, then the free hook's address arithmetic by
 * hand: every load below depends on the pointer's load only through it. */
static void dep_reader(struct ss_world *w, int role)
{
	struct dep_state *st = w->state;
	struct slab_world *sw = w->alloc_world;
	struct kmem_cache *s = slab_world_cache(sw);
	(void)role;
	void *p;
	while (!(p = READ_ONCE(st->ptr)))
		cpu_relax();
	struct slab *slab = virt_to_slab(sw, p);
	unsigned long obj_exts = slab_obj_exts(slab);
	if (!obj_exts) {
		ss_fail_at(SS_FAIL_WRONG_METADATA, SS_SITE("slab->obj_exts"), "stale obj_exts");
		return;
	}
	unsigned idx = obj_to_index(s, slab, p, slab_address(sw, slab));
	struct slabobj_ext *ext = slab_obj_ext(s, slab, obj_exts, idx);
	if (ext != slab_own_ext(sw, p)) {
		ss_fail_at(SS_FAIL_WRONG_METADATA, SS_SITE("slab->stride"), "stale stride");
		return;
	}
	struct obj_cgroup *cg = PLAIN_LOAD_DEP(ext->objcg, ext);
	if (cg != st->want)
		ss_fail_at(SS_FAIL_CHARGE_LEAK, SS_SITE("ext->objcg"), "stale ext->objcg");
}

static void dep_reset(struct ss_world *w)
{
	struct dep_state *st = w->state;
	st->ptr = NULL;
	st->want = current_obj_cgroup(slab_world_memcg(w->alloc_world));
}

static const struct ss_scenario scn_slabdep = {
    .name = "t-slabdep",
    .nroles = 2,
    .state_size = sizeof(struct dep_state),
    .needs_account = true,
    .reset = dep_reset,
    .role = {dep_writer, dep_reader},
};

static struct emu *mk(enum emu_deps deps, bool no_deps)
{
	struct emu_config c;
	memset(&c, 0, sizeof(c));
	c.scn = &scn_slabdep;
	c.alloc = &ss_alloc_slab;
	c.model = WMM_LKMM;
	c.deps = deps;
	c.no_dep_inference = no_deps;
	c.acfg.variant = SS_VARIANT_RC1;
	c.acfg.stride_bits = 16;
	c.acfg.objext = SS_OBJEXT_SEPARATE;
	c.acfg.object_size = 64;
	c.acfg.page_size = 4096;
	c.acfg.account = true;
	c.acfg.nobjcgs = 1;
	c.acfg.max_objects = 64;
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	if (!e)
		printf("  emu_create: %s\n", err);
	return e;
}

/* A config to start from (the emulator is kept until the next call). */
static struct emu *mk_keep_last;
static struct emu *mk_keep(enum emu_deps deps)
{
	if (mk_keep_last)
		emu_destroy(mk_keep_last);
	return mk_keep_last = mk(deps, false);
}

static unsigned long long explore_n(struct emu *e, unsigned long long n)
{
	struct explore_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 11;
	o.max_execs = n;
	o.stale_prob = 0.5;
	o.keep_going = true;
	struct explore_stats st;
	explore_random(e, &o, &st);
	explore_stats_free(&st);
	return st.failed_execs;
}

static bool has_dep(const struct emu_trace_ent *t, uint32_t h)
{
	if (!(t->flags & EMU_TR_DEP) || !h)
		return false;
	for (unsigned i = 0; i < t->ndeps && i < 4; i++)
		if (t->deps[i] == h)
			return true;
	return false;
}

static const struct emu_trace_ent *find_load(const struct emu_trace_ent *tr, size_t n, int cpu,
					     const char *expr)
{
	for (size_t i = 0; i < n; i++)
		if (tr[i].cpu == cpu && tr[i].op == EMU_OP_LOAD && tr[i].site &&
		    !strcmp(emu_site_expr(tr[i].site), expr))
			return &tr[i];
	return NULL;
}

/* The sequential run (empty schedule) traced: which handles each load declared. */
TEST(test_dependency_follows_virt_to_slab_obj_to_index_slab_obj_ext)
{
	struct emu *e = mk(EMU_DEPS_EXPLICIT, false);
	EXPECT(e != NULL);
	if (!e)
		return;
	emu_set_trace(e, true);
	struct emu_result r;
	EXPECT_EQ(emu_execute(e, NULL, 0, &r), 0);
	EXPECT_EQ(r.kind, SS_FAIL_NONE);
	size_t n;
	const struct emu_trace_ent *tr = emu_trace(e, &n);
	const struct emu_trace_ent *lp = find_load(tr, n, 1, "st->ptr");
	const struct emu_trace_ent *lx = find_load(tr, n, 1, "slab->obj_exts");
	const struct emu_trace_ent *ls = find_load(tr, n, 1, "slab->stride");
	const struct emu_trace_ent *lc = find_load(tr, n, 1, "ext->objcg");
	EXPECT(lp && lx && ls && lc);
	if (lp && lx && ls && lc) {
		EXPECT(lp->handle != 0);
		EXPECT(!(lp->flags & EMU_TR_DEP)); /* the source itself depends on nothing */
		/* virt_to_slab(p): both metadata loads depend on p's load */
		EXPECT(has_dep(lx, lp->handle));
		EXPECT(has_dep(ls, lp->handle));
		/* slab_obj_ext: ext depends on the obj_exts load and the stride load
		 * (each of which carries p's knowledge: the chain is transitive) */
		EXPECT(has_dep(lc, lx->handle));
		EXPECT(has_dep(lc, ls->handle));
	}
	emu_destroy(e);
}

/* MP+wmb+addr through the slab's metadata: LKMM forbids every stale read here;
 * without the dependency the model allows them (so the test can fail). */
TEST(test_dependency_through_slab_metadata_forbids_stale_reads)
{
	struct emu *e = mk(EMU_DEPS_EXPLICIT, false);
	EXPECT(e != NULL);
	if (e) {
		EXPECT_EQ(explore_n(e, 3000), 0);
		emu_destroy(e);
	}
	e = mk(EMU_DEPS_EXPLICIT, true);
	EXPECT(e != NULL);
	if (e) {
		EXPECT(explore_n(e, 3000) > 0);
		emu_destroy(e);
	}
}

/* Provenance (extended with the allocator's blocks: struct slab lives in a
 * separate array) gives the same floors as the declared dependencies. */
TEST(test_deps_check_finds_no_disagreement_on_slab_metadata)
{
	struct emu *e = mk(EMU_DEPS_CHECK, false);
	EXPECT(e != NULL);
	if (!e)
		return;
	EXPECT_EQ(explore_n(e, 3000), 0);
	size_t nd;
	emu_dep_disagreements(e, &nd);
	EXPECT_EQ(nd, 0);
	emu_destroy(e);
	/* and provenance alone is as strong */
	e = mk(EMU_DEPS_PROVENANCE, false);
	EXPECT(e != NULL);
	if (e) {
		EXPECT_EQ(explore_n(e, 3000), 0);
		emu_destroy(e);
	}
}

/* The same reader with the stride load left undeclared (a plain PLAIN_LOAD of
 * slab->stride16): --deps check must name that site, because provenance reaches
 * struct slab (a separate array) from the object pointer and explicit does not. */
static void undeclared_reader(struct ss_world *w, int role)
{
	struct dep_state *st = w->state;
	struct slab_world *sw = w->alloc_world;
	(void)role;
	void *p;
	while (!(p = READ_ONCE(st->ptr)))
		cpu_relax();
	struct slab *slab = virt_to_slab(sw, p);
	if (!slab_obj_exts(slab))
		return;
	if (PLAIN_LOAD(slab->stride16) != sizeof(struct slabobj_ext))
		ss_fail_at(SS_FAIL_WRONG_METADATA, SS_SITE("slab->stride16"), "stale stride");
}

static const struct ss_scenario scn_undeclared = {
    .name = "t-undeclared",
    .nroles = 2,
    .state_size = sizeof(struct dep_state),
    .needs_account = true,
    .reset = dep_reset,
    .role = {dep_writer, undeclared_reader},
};

TEST(test_deps_check_names_an_undeclared_metadata_load)
{
	struct emu_config c = *emu_config_of(mk_keep(EMU_DEPS_CHECK));
	c.scn = &scn_undeclared;
	char err[200];
	struct emu *e = emu_create(&c, err, sizeof(err));
	EXPECT(e != NULL);
	if (!e)
		return;
	EXPECT(explore_n(e, 3000) > 0); /* explicit: the stale stride is allowed */
	size_t nd;
	const struct emu_dep_disagreement *d = emu_dep_disagreements(e, &nd);
	EXPECT_EQ(nd, 1);
	if (nd == 1) {
		EXPECT(d[0].explicit_weaker);
		EXPECT_EQ(d[0].cpu, 1);
		EXPECT(!strcmp(emu_site_expr(d[0].site), "slab->stride"));
	}
	emu_destroy(e);
	/* provenance orders it through struct slab */
	c.deps = EMU_DEPS_PROVENANCE;
	e = emu_create(&c, err, sizeof(err));
	if (e) {
		EXPECT_EQ(explore_n(e, 3000), 0);
		emu_destroy(e);
	}
}

/* A release publish and a READ_ONCE take, then use and kfree through the pointer
 * (the rcu_assign_pointer / rcu_dereference pattern): only the address
 * dependency orders the freeing CPU, and it reaches kfree's metadata loads with
 * nothing in the scenario but the helpers every scenario uses. */
static void rel_writer(struct ss_world *w, int role)
{
	struct dep_state *st = w->state;
	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj)
			return;
		ss_obj_fill(w, obj, i + 1);
		while (READ_ONCE(st->ptr))
			cpu_relax();
		smp_store_release(&st->ptr, obj);
	}
}

static void rel_reader(struct ss_world *w, int role)
{
	struct dep_state *st = w->state;
	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;
		while (!(obj = READ_ONCE(st->ptr)))
			cpu_relax();
		WRITE_ONCE(st->ptr, NULL);
		ss_obj_verify(w, obj, i + 1);
		ss_obj_free(w, role, obj);
	}
}

static void rel_drain(struct ss_world *w)
{
	struct dep_state *st = w->state;
	if (st->ptr)
		ss_obj_free(w, 0, st->ptr);
	st->ptr = NULL;
}

static const struct ss_scenario scn_reldep = {
    .name = "t-release-dep",
    .nroles = 2,
    .state_size = sizeof(struct dep_state),
    .needs_account = true,
    .reset = rel_drain,
    .role = {rel_writer, rel_reader},
    .check = rel_drain,
};

TEST(test_release_publish_dependency_take_and_kfree_is_clean)
{
	for (int v = SS_VARIANT_RC1; v < SS_NVARIANTS; v++) {
		struct emu_config c;
		memset(&c, 0, sizeof(c));
		c.scn = &scn_reldep;
		c.alloc = &ss_alloc_slab;
		c.model = WMM_LKMM;
		c.iters = 2;
		c.acfg.variant = (enum ss_variant)v;
		c.acfg.stride_bits = ss_variant_default_stride_bits((enum ss_variant)v);
		c.acfg.object_size = 64;
		c.acfg.page_size = 4096;
		c.acfg.account = true;
		c.acfg.nobjcgs = 2;
		c.acfg.max_objects = 64;
		char err[200];
		struct emu *e = emu_create(&c, err, sizeof(err));
		EXPECT(e != NULL);
		if (!e)
			continue;
		/* rc1 has its own allocator-side hole (lazy-objexts) but not on this
		 * path: the slab is created with its vector while private */
		unsigned long long bad = explore_n(e, 2000);
		if (bad)
			printf("  variant %s: %llu failing executions\n",
			       ss_variant_name((enum ss_variant)v), bad);
		EXPECT_EQ(bad, 0);
		emu_destroy(e);
		/* without dependencies the same handoff fails: the test can fail */
		c.no_dep_inference = true;
		e = emu_create(&c, err, sizeof(err));
		if (e) {
			EXPECT(explore_n(e, 2000) > 0);
			emu_destroy(e);
		}
	}
}

/* Natively (ss_kops NULL) the helpers make no call and carry nothing. */
TEST(test_native_dependencies_are_empty)
{
	int x = 5;
	struct ss_dep d = ss_dep_of(&x);
	EXPECT_EQ(d.n, 0);
	EXPECT(!d.all);
	EXPECT(ss_dep_derive(&x, d) == &x);
	EXPECT(ss_dep_derive_from(&x, &x) == &x);
	EXPECT_EQ(PLAIN_LOAD_DEP(x, &x), 5);
	EXPECT_EQ(ss_dep_last().n, 0);
}

TEST(test_deps_names_round_trip)
{
	for (int d = EMU_DEPS_EXPLICIT; d <= EMU_DEPS_CHECK; d++) {
		enum emu_deps back;
		EXPECT_EQ(emu_deps_parse(emu_deps_name((enum emu_deps)d), &back), 0);
		EXPECT_EQ(back, d);
	}
	enum emu_deps x;
	EXPECT_EQ(emu_deps_parse("window", &x), -1);
}

int main(void)
{
	RUN(test_dependency_follows_virt_to_slab_obj_to_index_slab_obj_ext);
	RUN(test_dependency_through_slab_metadata_forbids_stale_reads);
	RUN(test_deps_check_finds_no_disagreement_on_slab_metadata);
	RUN(test_deps_check_names_an_undeclared_metadata_load);
	RUN(test_release_publish_dependency_take_and_kfree_is_clean);
	RUN(test_native_dependencies_are_empty);
	RUN(test_deps_names_round_trip);
	if (mk_keep_last)
		emu_destroy(mk_keep_last);
	TEST_SUMMARY();
}
