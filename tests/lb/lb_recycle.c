/* tests/lb/lb_recycle.c - a handoff that only load buffering breaks, as a
 * scenario file whose roles declare their branches (.branches_declared,
 * kernel/kernel.h "control dependencies"), so the graph engine explores the
 * executions where a load reads a store its CPU's partner makes later.
 *
 *     slabstress explore -s tests/lb/lb_recycle.c --model lkmm --engine graph
 *
 * The shape: a producer publishes an object in a slot and recycles it itself
 * when the consumer has already said it is done with the slot; the consumer
 * takes what the slot holds, then says it is done:
 *
 *     producer                            consumer
 *     done = READ_ONCE(st->done);         p = READ_ONCE(st->slot);
 *     WRITE_ONCE(st->slot, obj);          WRITE_ONCE(st->done, 1);
 *     if (BRANCH_ON(done)) recycle obj    if (BRANCH_ON(p)) take p
 *
 * In every interleaving a producer that reads done == 1 read it after the
 * consumer's read of the slot, which came before the publish: the consumer took
 * nothing.  LKMM also allows each load to read the other CPU's store (LB: no
 * dependency orders a load before the store after it), and then both own the
 * object: it is freed twice.  The release variant (lb_recycle_release.c)
 * publishes and acknowledges with smp_store_release, which orders each CPU's
 * load before its store: LB+release+release, forbidden.  The branches after the
 * stores do not order them (a ctrl dependency orders only what comes after it).
 */
#include <slabstress/scenario.h>

struct lb_obj {
	unsigned long payload;
};

struct lb_state {
	struct lb_obj *slot;  /* the handoff: NULL until the producer publishes */
	unsigned long done;   /* the consumer's "done with the slot" */
	struct lb_obj obj;    /* the object handed off */
	bool recycled, taken; /* who freed it (each written by its own role) */
} __attribute__((aligned(64)));

static void lb_producer(struct ss_world *w, int role)
{
	struct lb_state *st = w->state;
	unsigned long done = READ_ONCE(st->done);
#ifdef LB_RELEASE
	smp_store_release(&st->slot, &st->obj);
#else
	WRITE_ONCE(st->slot, &st->obj);
#endif
	if (BRANCH_ON(done))
		st->recycled = true; /* nobody else takes it: the producer frees it */
	ss_count_handoff(w, role);
}

static void lb_consumer(struct ss_world *w, int role)
{
	struct lb_state *st = w->state;
	struct lb_obj *p = READ_ONCE(st->slot);
#ifdef LB_RELEASE
	smp_store_release(&st->done, 1UL);
#else
	WRITE_ONCE(st->done, 1UL);
#endif
	if (BRANCH_ON(p))
		st->taken = true; /* the consumer owns it and frees it */
	ss_count_handoff(w, role);
}

static void lb_check(struct ss_world *w)
{
	struct lb_state *st = w->state;
	if (st->recycled && st->taken)
		SS_FAIL(SS_FAIL_DOUBLE_FREE,
			"object %p freed twice: the producer read the consumer's done before "
			"its publish, and the consumer took the object from the slot",
			(void *)&st->obj);
}

#ifdef LB_RELEASE
#define LB_NAME	   "lb-recycle-release"
#define LB_HANDOFF SS_HANDOFF_CORRECT
#define LB_SUMMARY "recycle on the consumer's done, publish and done with release (LB: correct)"
#else
#define LB_NAME	   "lb-recycle"
#define LB_HANDOFF SS_HANDOFF_BROKEN
#define LB_SUMMARY "recycle on the consumer's done, WRITE_ONCE publish and done (LB: broken)"
#endif

SS_EXPORT_SCENARIO(.name = LB_NAME, .summary = LB_SUMMARY, .nroles = 2,
		   .role_names = {"producer", "consumer"}, .role = {lb_producer, lb_consumer},
		   .check = lb_check, .handoff = LB_HANDOFF, .checks = SS_CHECK_FREE,
		   .state_size = sizeof(struct lb_state), .branches_declared = true,
		   .details = "The producer reads the consumer's done flag, publishes the "
			      "object and recycles it when done was set; the consumer reads the "
			      "slot, sets done and takes what it read. Only load buffering (each "
			      "load reading the other CPU's later store) gives the object to "
			      "both. Its roles declare their branches (BRANCH_ON).",
		   .params = {{"iters", 1, 1, 1, 1, "one handoff per round"}});
