/* scenarios/common.c - the helpers every scenario uses (declared in scenario.h):
 * the content pattern that lets the freeing CPU tell whether it sees the
 * allocating CPU's stores, the spin-wait that can be stopped, jitter and the
 * per-role PRNG.
 *
 * The pattern lives in the first min(object_size / 8, 4) words of the object.
 * Word 0 is the tag itself; word k is the tag mixed with k, so a stale word from
 * an earlier handoff (a different tag), from allocator metadata (a freelist
 * pointer) or from zeroed memory never matches.  Both sides use plain accesses:
 * that is what a user initialising an object and kfree() reading it do, and it
 * is what the emulator may serve from an older store when the handoff does not
 * order them.  The freeing side's loads declare their address dependency on the
 * object pointer (PLAIN_LOAD_DEP(word[k], obj)), so a handoff ordered only by that dependency (a
 * READ_ONCE / rcu_dereference take) is ordered here without anything in the
 * scenario.
 */
#include "scenarios/scenario.h"

#define SS_FILL_WORDS_MAX 4

static unsigned fill_words(const struct ss_world *w)
{
	size_t n = w->acfg->object_size / sizeof(u64);
	return n < SS_FILL_WORDS_MAX ? (unsigned)n : SS_FILL_WORDS_MAX;
}

static u64 pattern_word(unsigned long tag, unsigned k)
{
	if (k == 0)
		return tag;
	/* Odd multiplier: distinct k give distinct words for one tag, and the
	 * rotation keeps word k of tag t unequal to word 0 of a nearby tag. */
	u64 x = (u64)tag ^ ((u64)k * 0x9e3779b97f4a7c15ULL);
	return (x << 17) | (x >> 47);
}

void ss_obj_fill(struct ss_world *w, void *obj, unsigned long tag)
{
	u64 *word = obj;
	unsigned n = fill_words(w);

	for (unsigned k = 0; k < n; k++)
		PLAIN_STORE(word[k], pattern_word(tag, k));
}

void *ss_obj_trailer(struct ss_world *w, void *obj, size_t size)
{
	size_t osize = w->acfg->object_size;
	size_t fill = fill_words(w) * sizeof(u64);

	if (osize < size)
		return NULL;
	size_t off = (osize - size) & ~(size_t)7;
	/* pointer arithmetic: the trailer carries obj's dependencies */
	return off >= fill ? ss_dep_derive_from((char *)obj + off, obj) : NULL;
}

static bool verify_words(struct ss_world *w, void *obj, unsigned long tag)
{
	u64 *word = obj;
	unsigned n = fill_words(w);
	for (unsigned k = 0; k < n; k++) {
		/* The word's address is computed from obj: address-dependent on the
		 * load that produced obj (the handoff's READ_ONCE / rcu_dereference). */
		u64 seen = PLAIN_LOAD_DEP(word[k], obj);
		u64 want = pattern_word(tag, k);
		if (seen != want) {
			SS_FAIL(SS_FAIL_STALE_CONTENT,
				"object %p word %u: saw %#llx, expected %#llx (tag %#lx)", obj, k,
				(unsigned long long)seen, (unsigned long long)want, tag);
			return false;
		}
	}
	return true;
}

/* Its loop stops at the first word that differs: opaque code (kernel.h,
 * "control dependencies"). */
bool ss_obj_verify(struct ss_world *w, void *obj, unsigned long tag)
{
	ss_branch(SS_OPAQUE_BEGIN);
	bool ok = verify_words(w, obj, tag);
	ss_branch(SS_OPAQUE_END);
	return ok;
}

void *ss_obj_alloc_filled(struct ss_world *w, int role, unsigned long i, unsigned long tag)
{
	void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);

	if (!obj) {
		SS_FAIL(SS_FAIL_INVARIANT, "%s: allocation %lu failed", w->scn->name, i);
		return NULL;
	}
	ss_obj_fill(w, obj, tag);
	return obj;
}

void ss_obj_consume(struct ss_world *w, int role, void *obj, unsigned long tag)
{
	/* NULL: seen in graphs the model refuses (sampled graphs run to the end) */
	if (!BRANCH_ON(obj != NULL)) {
		SS_FAIL(SS_FAIL_STALE_CONTENT, "handed a NULL object (tag %#lx)", tag);
		return;
	}
	ss_obj_verify(w, obj, tag);
	ss_obj_free(w, role, obj);
	ss_count_handoff(w, role);
}

bool ss_spin_wait(struct ss_world *w, int role)
{
	cpu_relax();
	/* The stop flag is set once, asynchronously, by the engine's control
	 * thread; looking at it every 1024 spins keeps the poll loop tight while a
	 * stopped run still ends within microseconds. */
	if ((++w->ctr[role].spins & 1023) == 0 && w->stop && BRANCH_ON(READ_ONCE(*w->stop)))
		return false;
	return true;
}

unsigned long long ss_rand(struct ss_world *w, int role)
{
	/* splitmix64: one add and a mix per call, state owned by the role. */
	unsigned long long z = (w->rng[role] += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ss_jitter(struct ss_world *w, int role)
{
	/* Under the emulator the schedule decides every interleaving; a random
	 * delay would only add scheduling points (cpu_relax is one) that no
	 * schedule asked for. */
	if (!w->jitter || ss_kops)
		return;
	unsigned long long n = ss_rand(w, role) % ((unsigned long long)w->jitter + 1);
	for (unsigned long long i = 0; i < n; i++)
		cpu_relax();
}
