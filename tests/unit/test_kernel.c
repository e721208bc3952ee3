/* tests/unit/test_kernel.c - the native back end of kernel/: each primitive returns
 * what the kernel's would, and the failure hook receives what ss_fail_at reports. */
#include <pthread.h>
#include <unistd.h>

#include "kernel/bug.h"
#include "kernel/kernel.h"
#include "tests/unit/test.h"

TEST(test_cmpxchg_returns_old_and_stores_only_on_match)
{
	unsigned long x = 5;
	EXPECT_EQ(cmpxchg(&x, 4UL, 9UL), 5);
	EXPECT_EQ(x, 5);
	EXPECT_EQ(cmpxchg(&x, 5UL, 9UL), 5);
	EXPECT_EQ(x, 9);
	int *p = NULL, v = 1;
	EXPECT(cmpxchg_relaxed(&p, (int *)NULL, &v) == NULL);
	EXPECT(p == &v);
}

TEST(test_try_cmpxchg_updates_expected_on_failure)
{
	long x = 3, old = 2;
	EXPECT(!try_cmpxchg(&x, &old, 7L));
	EXPECT_EQ(old, 3);
	EXPECT(try_cmpxchg(&x, &old, 7L));
	EXPECT_EQ(x, 7);
}

TEST(test_xchg_and_atomics)
{
	unsigned int u = 1;
	EXPECT_EQ(xchg(&u, 2u), 1);
	EXPECT_EQ(READ_ONCE(u), 2);
	atomic_t a = ATOMIC_INIT(2);
	EXPECT_EQ(atomic_inc_return(&a), 3);
	EXPECT(!atomic_dec_and_test(&a));
	EXPECT(!atomic_dec_and_test(&a));
	EXPECT(atomic_dec_and_test(&a));
	atomic_long_t l;
	atomic_long_set(&l, -5);
	atomic_long_add(10, &l);
	EXPECT_EQ(atomic_long_read(&l), 5);
	EXPECT(atomic_long_sub_and_test(5, &l));
	EXPECT_EQ(atomic_cmpxchg(&a, 0, 4), 0);
	EXPECT_EQ(atomic_read_acquire(&a), 4);
}

TEST(test_sub_word_plain_store_truncates_like_the_kernel)
{
	union {
		u64 counters;
		struct {
			u32 low;
			u16 stride;
			u16 pad;
		};
	} c = {.counters = 0};
	PLAIN_STORE(c.stride, 131072u); /* unsigned short: 131072 -> 0 */
	EXPECT_EQ(PLAIN_LOAD(c.stride), 0);
	PLAIN_STORE(c.stride, 16u);
	EXPECT_EQ(c.counters >> 32, 16);
}

TEST(test_cmpxchg128_swaps_both_words)
{
	static u128 pair __attribute__((aligned(16)));
	u128 old = 0, nv = ((u128)7 << 64) | 9;
	EXPECT(try_cmpxchg128(&pair, &old, nv));
	EXPECT((u64)(pair >> 64) == 7 && (u64)pair == 9);
	old = 0;
	EXPECT(!try_cmpxchg128(&pair, &old, 0));
	EXPECT(old == nv);
}

TEST(test_refcount_last_put_returns_true)
{
	refcount_t r = REFCOUNT_INIT(1);
	refcount_inc(&r);
	EXPECT(!refcount_dec_and_test(&r));
	EXPECT(refcount_dec_and_test(&r));
}

TEST(test_llist_del_all_returns_everything_added)
{
	struct llist_head h;
	struct llist_node n[3];
	init_llist_head(&h);
	EXPECT(llist_add(&n[0], &h));
	EXPECT(!llist_add(&n[1], &h));
	EXPECT(!llist_add(&n[2], &h));
	struct llist_node *all = llist_del_all(&h);
	int count = 0;
	for (; all; all = all->next)
		count++;
	EXPECT_EQ(count, 3);
	EXPECT(llist_empty(&h));
}

static spinlock_t lock;
static long counter_under_lock;

static void *lock_worker(void *arg)
{
	ss_cpu_id = (int)(long)arg;
	for (int i = 0; i < 200000; i++) {
		spin_lock(&lock);
		PLAIN_STORE(counter_under_lock, PLAIN_LOAD(counter_under_lock) + 1);
		spin_unlock(&lock);
	}
	return NULL;
}

TEST(test_spinlock_excludes_across_threads)
{
	pthread_t t[2];
	spin_lock_init(&lock);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, lock_worker, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(counter_under_lock, 400000);
	EXPECT(spin_trylock(&lock));
	EXPECT(!spin_trylock(&lock));
	spin_unlock(&lock);
}

static int hook_calls;
static struct ss_failure hook_last;

static void count_hook(const struct ss_failure *f, void *arg)
{
	(void)arg;
	hook_calls++;
	hook_last = *f;
}

TEST(test_fail_hook_receives_kind_cpu_site_and_message)
{
	ss_set_fail_hook(count_hook, NULL);
	ss_cpu_id = 3;
	SS_FAIL(SS_FAIL_COUNTER_UNDERFLOW, "page counter went to %d", -4096);
	ss_set_fail_hook(NULL, NULL);
	EXPECT_EQ(hook_calls, 1);
	EXPECT_EQ(hook_last.kind, SS_FAIL_COUNTER_UNDERFLOW);
	EXPECT_EQ(hook_last.cpu, 3);
	EXPECT(strstr(hook_last.msg, "-4096") != NULL);
	EXPECT(strstr(hook_last.site->file, "test_kernel.c") != NULL);
	EXPECT(!strcmp(ss_fail_kind_name(SS_FAIL_WRONG_METADATA), "wrong-metadata"));
	EXPECT_EQ(ss_fail_kind_from_name("double-free"), SS_FAIL_DOUBLE_FREE);
	EXPECT_EQ(ss_fail_kind_from_name("nonsense"), SS_FAIL_NONE);
}

static volatile int rcu_reader_inside, rcu_reader_left;

static void *rcu_reader(void *arg)
{
	(void)arg;
	ss_cpu_id = 1;
	rcu_read_lock();
	__atomic_store_n(&rcu_reader_inside, 1, __ATOMIC_SEQ_CST);
	usleep(20000); /* long enough that a grace period that did not wait would end first */
	__atomic_store_n(&rcu_reader_left, 1, __ATOMIC_SEQ_CST);
	rcu_read_unlock();
	return NULL;
}

TEST(test_synchronize_rcu_waits_for_a_reader_inside)
{
	pthread_t t;
	rcu_reader_inside = rcu_reader_left = 0;
	pthread_create(&t, NULL, rcu_reader, NULL);
	while (!__atomic_load_n(&rcu_reader_inside, __ATOMIC_SEQ_CST))
		;
	ss_cpu_id = 0;
	synchronize_rcu();
	/* The grace period began while CPU 1 was inside: it ends after CPU 1 left. */
	EXPECT_EQ(__atomic_load_n(&rcu_reader_left, __ATOMIC_SEQ_CST), 1);
	pthread_join(t, NULL);
	synchronize_rcu(); /* and with nobody inside it returns at once */
}

int main(void)
{
	RUN(test_cmpxchg_returns_old_and_stores_only_on_match);
	RUN(test_try_cmpxchg_updates_expected_on_failure);
	RUN(test_xchg_and_atomics);
	RUN(test_sub_word_plain_store_truncates_like_the_kernel);
	RUN(test_cmpxchg128_swaps_both_words);
	RUN(test_refcount_last_put_returns_true);
	RUN(test_llist_del_all_returns_everything_added);
	RUN(test_spinlock_excludes_across_threads);
	RUN(test_fail_hook_receives_kind_cpu_site_and_message);
	RUN(test_synchronize_rcu_waits_for_a_reader_inside);
	TEST_SUMMARY();
}
