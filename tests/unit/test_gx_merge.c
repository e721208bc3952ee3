/* tests/unit/test_gx_merge.c - sub-word stores in the graph explorer
 * (engine/gx_merge.c): a store's value is its bytes over the write before it
 * in co, for whatever place it takes, and a sub-word store co-after a write
 * placed before it takes the new bytes below (its reads too). */
#include <string.h>

#include "engine/gx_impl.h"
#include "tests/unit/test.h"

#define KEY 0x1000

static struct gx_event ev[8];

/* A write of KEY at co rank co: whole (size 0) or bytes [off, off + size). */
static void write_at(int i, int co, u128 bytes, unsigned off, unsigned size, u128 val)
{
	memset(&ev[i], 0, sizeof(ev[i]));
	ev[i].kind = EV_W;
	ev[i].op = GX_WRITE;
	ev[i].key = KEY;
	ev[i].co = co;
	ev[i].rmw = size ? GX_RMW_MERGE : GX_RMW_XCHG;
	ev[i].off = (unsigned char)off;
	ev[i].size = (unsigned char)size;
	ev[i].operand = bytes;
	ev[i].val = val;
	ev[i].rf = GX_INIT;
	ev[i].poll_src = -2;
}

static void read_of(int i, int w)
{
	memset(&ev[i], 0, sizeof(ev[i]));
	ev[i].kind = EV_R;
	ev[i].op = GX_READ;
	ev[i].key = KEY;
	ev[i].rf = w;
	ev[i].val = ev[w].val;
	ev[i].poll_src = -2;
}

TEST(a_sub_word_store_takes_the_bytes_below_its_place)
{
	write_at(0, 0, 0x1111, 0, 0, 0x1111);	      /* whole word 0x1111 */
	write_at(1, 1, 0xab, 2, 1, 0);		      /* byte 2 := 0xab, just placed */
	EXPECT(!gx_merge_place(ev, 2, 1, 0x5000));    /* nothing after it */
	EXPECT(ev[1].val == 0xab1111);		      /* over the whole write */
	write_at(1, -1, 0xab, 2, 1, 0);		      /* co-first: over the initial value */
	EXPECT(!gx_merge_place(ev, 2, 1, 0x5000000)); /* the whole write follows: kept */
	EXPECT(ev[1].val == 0x5ab0000);
}

TEST(a_write_placed_before_a_store_of_other_bytes_changes_it_and_its_reads)
{
	write_at(0, 1, 0xcd, 0, 1, 0xcd);		 /* byte 0 := 0xcd over 0 */
	read_of(1, 0);					 /* reads 0xcd */
	write_at(2, 0, 0x7700, 0, 0, 0x7700);		 /* a whole write placed before it */
	EXPECT(!gx_merge_keeps(ev, 2, KEY, -1, 0x7700)); /* asked before it goes in */
	EXPECT(gx_merge_place(ev, 3, 2, 0));
	EXPECT(ev[0].val == 0x77cd);
	EXPECT(ev[1].val == 0x77cd);
}

TEST(a_store_of_the_same_bytes_keeps_its_value)
{
	write_at(0, 1, 0x10, 2, 2, 0x100000);		  /* bytes 2-3 := 0x10 over 0 */
	write_at(1, 0, 0x20, 2, 2, 0);			  /* the same bytes, placed before it */
	EXPECT(gx_merge_keeps(ev, 1, KEY, -1, 0x200000)); /* asked before it goes in */
	EXPECT(!gx_merge_place(ev, 2, 1, 0));
	EXPECT(ev[1].val == 0x200000 && ev[0].val == 0x100000);
}

int main(void)
{
	RUN(a_sub_word_store_takes_the_bytes_below_its_place);
	RUN(a_write_placed_before_a_store_of_other_bytes_changes_it_and_its_reads);
	RUN(a_store_of_the_same_bytes_keeps_its_value);
	TEST_SUMMARY();
}
