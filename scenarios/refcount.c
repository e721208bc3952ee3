/* scenarios/refcount.c - the `refcount` handoff: two CPUs share an object through
 * a refcount_t; whichever drops the last reference frees it (slub-model.md §5
 * row 9; put_pid() after f57e515a1b56).
 *
 * The owner allocates the object, sets the count to 2, shares it, keeps writing
 * it (the "use"), and drops its reference; the other CPU drops its own.  Every
 * refcount_dec_and_test() is a release and the one that reaches zero adds an
 * acquire, so the freeing CPU sees the other CPU's writes, including the ones
 * made after the object was shared.  The freeing CPU verifies those.
 *
 * The roles are shared_obj.c's, shared with `pid-fastpath`; this file gives
 * them the refcount_t operations.
 */
#include "scenarios/shared_obj.h"

static void refcount_obj_set(struct shared_obj_hdr *obj, int n)
{
	refcount_set(&obj->ref, n);
}

static int refcount_obj_read(struct shared_obj_hdr *obj)
{
	return refcount_read(&obj->ref);
}

static bool refcount_obj_put(struct shared_obj_hdr *obj)
{
	return refcount_dec_and_test(&obj->ref);
}

static const struct shared_obj_ops refcount_ops = {
    .set = refcount_obj_set,
    .read = refcount_obj_read,
    .put = refcount_obj_put,
};

const struct ss_scenario ss_scn_refcount = {
    .name = "refcount",
    .handoff = SS_HANDOFF_CORRECT,
    SHARED_OBJ_SCENARIO(&refcount_ops),
    .params = {SHARED_OBJ_PARAM_ITERS},
    .summary = "object shared by two CPUs, last refcount_dec_and_test() frees (correct)",
    .details = "Owner: refcount_set(&obj->ref, 2), share obj, write it, "
	       "refcount_dec_and_test(). User: refcount_dec_and_test(); the one reaching zero "
	       "frees. Under LKMM each decrement is a release and the successful one an "
	       "acquire, so the freeing CPU sees the other's writes made after sharing. "
	       "put_pid() after f57e515a1b56 (Joel Fernandes, 2019: \"Fully ordered --> "
	       "RELEASE + ACQUIRE\"); slub-model.md section 5 row 9.",
};
