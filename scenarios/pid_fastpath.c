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
 * and miss the owner's last writes.  Everything else is the `refcount` scenario,
 * whose roles (shared_obj.c) this file gives the old put_pid()'s atomic_t
 * operations.
 */
#include "scenarios/shared_obj.h"

static void pid_set(struct shared_obj_hdr *pid, int n)
{
	atomic_set(&pid->count, n);
}

static int pid_read(struct shared_obj_hdr *pid)
{
	return atomic_read(&pid->count);
}

static bool put_pid(struct shared_obj_hdr *pid)
{
	/* BROKEN on purpose: the relaxed read + control dependency does not order
	 * the loads in the free path after it (atomic_read_acquire() would). */
	return BRANCH_ON(atomic_read(&pid->count) == 1) || atomic_dec_and_test(&pid->count);
}

static const struct shared_obj_ops pid_ops = {
    .set = pid_set,
    .read = pid_read,
    .put = put_pid,
};

const struct ss_scenario ss_scn_pid_fastpath = {
    .name = "pid-fastpath",
    .handoff = SS_HANDOFF_BROKEN,
    SHARED_OBJ_SCENARIO(&pid_ops),
    .params = {SHARED_OBJ_PARAM_ITERS},
    .summary = "old put_pid(): free when a relaxed atomic_read() sees 1 (broken)",
    .details = "Owner: atomic_set(&pid->count, 2), share, write, put_pid(). put_pid(): if "
	       "(atomic_read(&count) == 1 || atomic_dec_and_test(&count)) free. The owner's "
	       "dec is fully ordered, but the last user's atomic_read() is relaxed and only a "
	       "control dependency leads to kfree(), which orders no later loads under LKMM: "
	       "the free may miss the owner's last writes. put_pid() before f57e515a1b56; fix "
	       "with atomic_read_acquire() or refcount_dec_and_test() (slub-model.md sections "
	       "4.1 and 5 row 10).",
};
