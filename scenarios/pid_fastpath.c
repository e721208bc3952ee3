/* scenarios/pid_fastpath.c - the `pid-fastpath` handoff: put_pid() before
 * f57e515a1b56, whose shortcut frees when a relaxed atomic_read() of the count
 * sees 1 (slub-model.md §4.1, §5 row 10).
 *
 *	if (atomic_read(&pid->count) == 1 || atomic_dec_and_test(&pid->count))
 *		kmem_cache_free(ns->pid_cachep, pid);
 *
 * The owner's atomic_dec_and_test() is fully ordered, but the last user reads
 * the count with a relaxed load and only a control dependency leads to the free:
 * that orders the load before later stores, not before later loads, so kfree()'s
 * loads of the object and its metadata may be satisfied before the count is read
 * and miss the owner's last writes.  Everything else is the `refcount` scenario:
 * count in the object (or a ring for objects under 40 bytes), the owner writes
 * the object after sharing it, the freeing CPU verifies those writes.
 */
#include "scenarios/scenario.h"

#define PID_RING     4
#define PID_FILL_MAX 32 /* ss_obj_fill() writes at most 4 words */

struct pid_hdr {
	atomic_t count;
};

struct pid_state {
	void *slot; /* the shared object on its way to the second user */
	struct pid_hdr ring[PID_RING];
} __attribute__((aligned(64)));

/* The owner's writes before sharing (shared=false) and after (shared=true). */
static unsigned long pid_tag(const struct ss_world *w, unsigned long i, bool shared)
{
	return (((unsigned long)w->round << 32) + i + 1) | (shared ? 1UL << 63 : 0);
}

static struct pid_hdr *pid_hdr_of(struct ss_world *w, void *obj, unsigned long i)
{
	struct pid_state *s = w->state;
	size_t size = w->acfg->object_size;
	size_t fill = size < PID_FILL_MAX ? size & ~(size_t)7 : PID_FILL_MAX;

	if (size >= 8) {
		size_t off = (size - 8) & ~(size_t)7;
		if (off >= fill)
			return (struct pid_hdr *)((char *)obj + off);
	}
	return &s->ring[i % PID_RING];
}

static void put_pid(struct ss_world *w, int role, void *obj, unsigned long i)
{
	atomic_t *count = &pid_hdr_of(w, obj, i)->count;

	/* BROKEN on purpose: the relaxed read + control dependency does not order
	 * the loads in the free path after it (atomic_read_acquire() would). */
	if (atomic_read(count) == 1 || atomic_dec_and_test(count)) {
		ss_obj_verify(w, obj, pid_tag(w, i, true));
		ss_obj_free(w, role, obj);
	}
}

/* Quiescent: an object still in the slot holds only the slot's reference (the
 * owner always drops its own before it can stop). */
static void pid_drain(struct ss_world *w)
{
	struct pid_state *s = w->state;
	void *obj = READ_ONCE(s->slot);

	if (obj) {
		ss_obj_free(w, 0, obj);
		WRITE_ONCE(s->slot, NULL);
	}
}

static void pid_owner_role(struct ss_world *w, int role)
{
	struct pid_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj = ss_obj_alloc(w, role, SS_GFP_ACCOUNT);
		if (!obj) {
			SS_FAIL(SS_FAIL_INVARIANT, "pid-fastpath: allocation %lu failed", i);
			return;
		}
		ss_obj_fill(w, obj, pid_tag(w, i, false));
		atomic_set(&pid_hdr_of(w, obj, i)->count, 2);
		while (READ_ONCE(s->slot)) {
			if (!ss_spin_wait(w, role)) {
				ss_obj_free(w, role, obj);
				return;
			}
		}
		/* Sharing (a lookup under a lock or RCU in the kernel) is a correct
		 * handoff; what is under test is the writes after it. */
		smp_store_release(&s->slot, obj);
		ss_jitter(w, role);
		ss_obj_fill(w, obj, pid_tag(w, i, true));
		put_pid(w, role, obj, i);
	}
}

static void pid_user_role(struct ss_world *w, int role)
{
	struct pid_state *s = w->state;

	for (unsigned long i = 0; i < w->iters; i++) {
		void *obj;

		while (!(obj = smp_load_acquire(&s->slot))) {
			if (!ss_spin_wait(w, role))
				return;
		}
		WRITE_ONCE(s->slot, NULL);
		ss_jitter(w, role);
		bool stopped = false;
		if (ss_rand(w, role) & 3) {
			/* Let the owner drop first, so that put_pid() takes the
			 * shortcut; this read decides nothing, put_pid's does. */
			while (atomic_read(&pid_hdr_of(w, obj, i)->count) != 1) {
				if (!ss_spin_wait(w, role)) {
					stopped = true;
					break;
				}
			}
		}
		put_pid(w, role, obj, i);
		ss_count_handoff(w, role);
		if (stopped)
			return;
	}
}

const struct ss_scenario ss_scn_pid_fastpath = {
    .name = "pid-fastpath",
    .summary = "old put_pid(): free when a relaxed atomic_read() sees 1 (broken)",
    .nroles = 2,
    .role_names = {"owner", "user"},
    .handoff = SS_HANDOFF_BROKEN,
    .checks = SS_CHECK_CONTENT | SS_CHECK_MEMCG | SS_CHECK_FREE | SS_CHECK_LEAK,
    .state_size = sizeof(struct pid_state),
    .needs_account = true,
    .reset = pid_drain,
    .role = {pid_owner_role, pid_user_role},
    .check = pid_drain,
    .details = "Owner: atomic_set(&pid->count, 2), share, write, put_pid(). put_pid(): if "
	       "(atomic_read(&count) == 1 || atomic_dec_and_test(&count)) free. The owner's "
	       "dec is fully ordered, but the last user's atomic_read() is relaxed and only a "
	       "control dependency leads to kfree(), which orders no later loads under LKMM: "
	       "the free may miss the owner's last writes. put_pid() before f57e515a1b56; fix "
	       "with atomic_read_acquire() or refcount_dec_and_test() (slub-model.md sections "
	       "4.1 and 5 row 10).",
};
