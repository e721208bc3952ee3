/* tests/unit/test_gx_save.c - graph reproducer bytes (engine/gx_save.c: gx_save,
 * gx_load), the same on every architecture.
 *
 * Every graph of a small program (3 threads: writes, a fence, RMWs with 128-bit
 * operands, a dependent read, a newest-only read) is saved, loaded into a fresh
 * explorer, saved again (the same bytes), replayed by the program with its
 * locations elsewhere (the same values read, the same bytes once more).  The
 * bytes of one small graph are compared with hard-coded ones: the format is
 * fixed, not this machine's struct layout or byte order (tests/cross.sh runs
 * this test under qemu for arm64 and ppc64le).  Every truncation of a valid
 * buffer, a longer one and random byte changes are refused or replayed without
 * reading out of bounds (`make asan` runs it with AddressSanitizer).  The first
 * format ("GXG1", native structs) still loads at this build's event size. */
#include <stdlib.h>

#include "engine/gx_impl.h"
#include "tests/unit/test.h"

enum op { R, W, X, C, F, N };

struct ins {
	enum op op; /* R read, W write, X xchg, C cmpxchg, F fence, N newest-only read */
	int loc;
	int val;
	int dep; /* -1, or the position (in the thread) of a read this depends on */
};

#define NT 3
#define NI 3
static const struct ins prog[NT][NI] = {
    {{W, 0, 1, -1}, {F, 0, 0, -1}, {X, 1, 7, -1}},
    {{R, 1, 0, -1}, {R, 0, 0, 0}, {W, 1, 2, -1}},
    {{C, 0, 1, -1}, {N, 1, 0, -1}, {W, 0, 3, -1}},
};

/* base: where the locations are in this "process" */
static void access_of(const struct ins *in, uintptr_t base, const int *idx, struct gx_access *a)
{
	memset(a, 0, sizeof(*a));
	a->key = base + (uintptr_t)in->loc * 64;
	a->flags = EVF_ONCE;
	a->val = (u128)in->val;
	if (in->op == X) /* a 128-bit operand: both halves saved */
		a->val |= (u128)0x0102030405060708ull << 64;
	a->expected = 1;
	a->op = in->op == W		     ? GX_WRITE
		: in->op == F		     ? GX_FENCE
		: in->op == X || in->op == C ? GX_RMW
					     : GX_READ;
	a->rmw = in->op == C ? GX_RMW_CMPXCHG : GX_RMW_XCHG;
	a->ord = SS_ORD_FULL;
	a->fence = MF_MB;
	a->newest_only = in->op == N;
	if (in->dep >= 0) {
		a->ndeps = 1;
		a->deps[0] = idx[in->dep];
	}
}

/* Runs the program on the graph gx_begin took; sig: the values read, by
 * thread and position (not in the order they were read). */
static bool run(struct gx *g, uintptr_t base, char *sig, size_t n)
{
	int pc[NT] = {0}, idx[NT][NI];
	unsigned long long old[NT][NI];
	memset(old, 0xff, sizeof(old));
	for (;;) {
		unsigned ready = 0;
		for (int t = 0; t < NT; t++)
			if (pc[t] < NI)
				ready |= 1u << t;
		if (!ready)
			break;
		int t = gx_pick(g, ready);
		struct gx_access a;
		struct gx_result r;
		access_of(&prog[t][pc[t]], base, idx[t], &a);
		if (gx_access(g, t, &a, &r) != GX_OK)
			break;
		idx[t][pc[t]] = r.idx;
		old[t][pc[t]] = (unsigned long long)r.old;
		pc[t]++;
	}
	size_t used = 0;
	sig[0] = 0;
	for (int t = 0; t < NT; t++)
		for (int i = 0; i < NI && used + 24 < n; i++)
			used += (size_t)snprintf(sig + used, n - used, "%llx ", old[t][i]);
	return gx_end(g, false);
}

static bool same_bytes(const u8 *a, size_t na, const u8 *b, size_t nb)
{
	return a && b && na == nb && !memcmp(a, b, na);
}

/* Loads b into a fresh explorer and replays it at another base: the same
 * values read (sig), the same bytes saved again; false when anything differs. */
static bool replays(const u8 *b, size_t len, const char *sig)
{
	struct gx *g = gx_create(NT, 0);
	size_t n2 = 0, n3 = 0;
	bool ok = g && gx_load(g, b, len) == 0;
	u8 *b2 = ok ? gx_save(g, &n2) : NULL;
	char got[256];
	ok = ok && same_bytes(b, len, b2, n2);
	ok = ok && gx_begin(g);
	ok = ok && run(g, 0x7f0000, got, sizeof(got));
	ok = ok && !gx_diverged(g) && !strcmp(got, sig);
	u8 *b3 = ok ? gx_save(g, &n3) : NULL;
	ok = ok && same_bytes(b, len, b3, n3);
	free(b2);
	free(b3);
	gx_destroy(g);
	return ok;
}

/* Saves the graph of the first complete execution of prog (a test input). */
static u8 *first_graph(size_t *len)
{
	struct gx *g = gx_create(NT, 0);
	char sig[256];
	u8 *b = NULL;
	while (!b && g && gx_begin(g))
		if (run(g, 0x1000, sig, sizeof(sig)))
			b = gx_save(g, len);
	gx_destroy(g);
	return b;
}

TEST(every_graph_round_trips_byte_exactly)
{
	struct gx *g = gx_create(NT, 0);
	int graphs = 0, bad = 0;
	char sig[256];
	while (g && gx_begin(g)) {
		if (!run(g, 0x1000, sig, sizeof(sig)))
			continue;
		size_t len = 0;
		u8 *b = gx_save(g, &len);
		graphs++;
		if (!b || len < 4 || memcmp(b, "GXG2", 4) || !replays(b, len, sig))
			bad++;
		free(b);
	}
	gx_destroy(g);
	EXPECT(graphs >= 10);
	EXPECT_EQ(bad, 0);
}

/* Two threads: T0 writes x = 0x1122334455667788 and fences, T1 reads y, reads
 * x, then cmpxchg's y from 0 to a 128-bit value (acquire), its read depending
 * on the read of x.  The first graph: T0 first, T1 reads T0's write. */
static u8 *known_graph(size_t *len)
{
	struct gx *g = gx_create(2, 0);
	const uintptr_t x = 0x4000, y = 0x4040;
	struct gx_access a[5] = {
	    {.op = GX_WRITE, .key = x, .val = 0x1122334455667788ull, .flags = EVF_ONCE},
	    {.op = GX_FENCE, .fence = MF_WMB},
	    {.op = GX_READ, .key = y, .flags = EVF_ONCE},
	    {.op = GX_READ, .key = x, .flags = EVF_ACQUIRE},
	    {.op = GX_RMW,
	     .key = y,
	     .rmw = GX_RMW_CMPXCHG,
	     .ord = SS_ORD_ACQUIRE,
	     .val = (u128)0xa1a2a3a4a5a6a7a8ull << 64 | 0xb1b2b3b4b5b6b7b8ull,
	     .expected = 0,
	     .ndeps = 1},
	};
	const int thr[5] = {0, 0, 1, 1, 1};
	u8 *b = NULL;
	if (g && gx_begin(g)) {
		struct gx_result r;
		for (int k = 0; k < 5; k++) {
			gx_access(g, thr[k], &a[k], &r);
			if (k == 3)
				a[4].deps[0] = r.idx;
		}
		if (gx_end(g, false))
			b = gx_save(g, len);
	}
	gx_destroy(g);
	return b;
}

/* known_graph's bytes.  Each record in lines of: thr kind op rmw off size fence
 * ndeps; bits idx flags; stamp rf co poll_src; deps[4]; val; operand; expected. */
static const char known_hex[] =
    /* header: "GXG2", n 6, next_stamp 6, next_rank 2 */
    "47584732060000000600000002000000"
    /* W t0.0 x = 0x1122334455667788 (once) */
    "0002010000000000"
    "0000000001000000"
    "00000000ffffffff00000000feffffff"
    "0000000000000000"
    "88776655443322110000000000000000"
    "88776655443322110000000000000000"
    "00000000000000000000000000000000"
    /* F t0.1 wmb */
    "0004030000000200"
    "0000010000000000"
    "01000000ffffffff00000000feffffff"
    "0000000000000000"
    "00000000000000000000000000000000"
    "00000000000000000000000000000000"
    "00000000000000000000000000000000"
    /* R t1.0 y (once): the initial value */
    "0101000000000000"
    "0000000001000000"
    "02000000ffffffff00000000feffffff"
    "0000000000000000"
    "00000000000000000000000000000000"
    "00000000000000000000000000000000"
    "00000000000000000000000000000000"
    /* R t1.1 x (acquire): reads record 0 */
    "0101000000000000"
    "0000010002000000"
    "030000000000000000000000feffffff"
    "0000000000000000"
    "88776655443322110000000000000000"
    "00000000000000000000000000000000"
    "00000000000000000000000000000000"
    /* RMW read t1.2 y: cmpxchg 0 -> 128-bit value, dep on t1.1 */
    "0101020400000001"
    "0400020022000000"
    "04000000ffffffff00000000feffffff"
    "0100000000000000"
    "00000000000000000000000000000000"
    "b8b7b6b5b4b3b2b1a8a7a6a5a4a3a2a1"
    "00000000000000000000000000000000"
    /* RMW write t1.3 y */
    "0102020400000001"
    "0400030021000000"
    "05000000ffffffff00000000feffffff"
    "0100000000000000"
    "b8b7b6b5b4b3b2b1a8a7a6a5a4a3a2a1"
    "b8b7b6b5b4b3b2b1a8a7a6a5a4a3a2a1"
    "00000000000000000000000000000000";

TEST(known_graph_has_fixed_bytes)
{
	size_t len = 0;
	u8 *b = known_graph(&len);
	char hex[4096] = "";
	for (size_t i = 0; b && i < len && 2 * i + 2 < sizeof(hex); i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	if (strcmp(hex, known_hex))
		printf("  got %s\n", hex);
	EXPECT(b != NULL);
	EXPECT_EQ(len, 16 + 6 * 88); /* W, F, R, R, RMW read, RMW write */
	EXPECT(!strcmp(hex, known_hex));
	/* and the expected bytes load */
	size_t n = strlen(known_hex) / 2;
	u8 *want = malloc(n);
	for (size_t i = 0; want && i < n; i++)
		want[i] =
		    (u8)strtoul((char[3]){known_hex[2 * i], known_hex[2 * i + 1], 0}, NULL, 16);
	struct gx *g = gx_create(2, 0);
	EXPECT(want && g && gx_load(g, want, n) == 0);
	gx_destroy(g);
	free(want);
	free(b);
}

TEST(every_truncation_and_extension_is_refused)
{
	size_t len = 0;
	u8 *b = first_graph(&len);
	EXPECT(b != NULL && len > 16);
	struct gx *g = gx_create(NT, 0);
	int accepted = 0;
	for (size_t k = 0; b && g && k < len; k++) {
		u8 *cut = malloc(k ? k : 1); /* its own buffer: ASan sees a read past it */
		memcpy(cut, b, k);
		accepted += gx_load(g, cut, k) == 0;
		free(cut);
	}
	u8 *longer = b ? malloc(len + 88) : NULL;
	if (longer) {
		memcpy(longer, b, len);
		memset(longer + len, 0, 88);
		accepted += gx_load(g, longer, len + 1) == 0;
		accepted += gx_load(g, longer, len + 88) == 0; /* one record more than n says */
	}
	EXPECT(gx_load(g, NULL, 0) < 0);
	EXPECT_EQ(accepted, 0);
	free(longer);
	free(b);
	gx_destroy(g);
}

/* A corrupted buffer gx_load took: replayed to its end (or divergence). */
static void replay_anything(struct gx *g)
{
	char sig[256];
	if (gx_begin(g))
		run(g, 0x9000, sig, sizeof(sig));
}

TEST(random_byte_changes_never_crash)
{
	size_t len = 0;
	u8 *b = first_graph(&len);
	EXPECT(b != NULL);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	int loaded = 0, refused = 0;
	for (int it = 0; b && it < 20000; it++) {
		u8 *c = malloc(len);
		memcpy(c, b, len);
		int flips = 1 + it % 4;
		for (int k = 0; k < flips; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			size_t at = (size_t)(rng >> 33) % len;
			c[at] = it % 2 ? (u8)(rng >> 20) : (u8)(c[at] ^ (1u << ((rng >> 28) % 8)));
		}
		struct gx *g = gx_create(NT, 0);
		if (gx_load(g, c, len) == 0) {
			loaded++;
			replay_anything(g);
		} else {
			refused++;
		}
		gx_destroy(g);
		free(c);
	}
	printf("  # 20000 changed buffers: %d loaded (and replayed), %d refused\n", loaded,
	       refused);
	EXPECT(refused > 0);
	EXPECT(loaded > 0); /* values and flags may change: still a graph to replay */
	free(b);
}

/* Offsets in known_graph's bytes: the header's, record r's field f. */
#define REC(r, f) (16 + (r)*88 + (f))

TEST(bad_fields_are_refused)
{
	size_t len = 0;
	u8 *b = known_graph(&len);
	EXPECT(b != NULL);
	struct {
		size_t at;
		int width; /* bytes written little-endian */
		uint32_t val;
	} bad[] = {
	    {0, 1, 'X'},		      /* magic */
	    {3, 1, '3'},		      /* a later version */
	    {4, 4, 7},			      /* n: not the length */
	    {4, 4, 0x80000006u},	      /* n: huge */
	    {8, 4, 0x80000000u},	      /* next_stamp > INT32_MAX */
	    {12, 4, 0x80000000u},	      /* next_rank > INT32_MAX */
	    {REC(0, 0), 1, 2},		      /* thr: the graph has 2 threads */
	    {REC(0, 1), 1, 3},		      /* kind */
	    {REC(0, 2), 1, GX_UNLOCK + 1},    /* op */
	    {REC(4, 3), 1, GX_RMW_MERGE + 1}, /* rmw */
	    {REC(4, 4), 1, 16},		      /* off */
	    {REC(4, 5), 1, 17},		      /* size */
	    {REC(1, 6), 1, MF_NKINDS},	      /* fence */
	    {REC(4, 7), 1, GX_DEPS + 1},      /* ndeps */
	    {REC(0, 8), 2, 32},		      /* an unknown bit */
	    {REC(0, 8), 2, 0x100},	      /* an unknown bit */
	    {REC(2, 10), 2, 0x8000},	      /* idx past a short */
	    {REC(2, 16), 4, 0x80000000u},     /* stamp negative */
	    {REC(3, 20), 4, 6},		      /* rf past the graph */
	    {REC(3, 20), 4, (uint32_t)-2},    /* rf below GX_INIT */
	    {REC(0, 24), 4, (uint32_t)-1},    /* co negative */
	    {REC(2, 28), 4, (uint32_t)-3},    /* poll_src below -2 */
	    {REC(3, 28), 4, 6},		      /* poll_src past the graph */
	};
	int accepted = 0;
	for (size_t k = 0; b && k < sizeof(bad) / sizeof(bad[0]); k++) {
		u8 *c = malloc(len);
		memcpy(c, b, len);
		for (int i = 0; i < bad[k].width; i++)
			c[bad[k].at + (size_t)i] = (u8)(bad[k].val >> (8 * i));
		struct gx *g = gx_create(2, 0);
		if (gx_load(g, c, len) == 0) {
			accepted++;
			printf("  accepted %zu = %#x\n", bad[k].at, bad[k].val);
		}
		gx_destroy(g);
		free(c);
	}
	EXPECT_EQ(accepted, 0);
	free(b);
}

/* The first format: 4 native u32 and this build's struct gx_event. */
static u8 *native_bytes(const struct gx_graph *G, size_t *len)
{
	*len = 16 + (size_t)G->n * sizeof(struct gx_event);
	u8 *b = calloc(1, *len);
	uint32_t hdr[4] = {0x31475847u, (uint32_t)G->n, (uint32_t)G->next_stamp,
			   (uint32_t)G->next_rank};
	memcpy(b, hdr, sizeof(hdr));
	for (int i = 0; i < G->n; i++) {
		struct gx_event e = G->ev[i];
		e.key = 0;
		e.tag = NULL;
		memcpy(b + 16 + (size_t)i * sizeof(e), &e, sizeof(e));
	}
	return b;
}

TEST(first_format_loads_at_this_event_size)
{
	size_t len = 0, n1 = 0, n2 = 0;
	u8 *b = first_graph(&len);
	struct gx *g = gx_create(NT, 0), *h = gx_create(NT, 0);
	EXPECT(b && g && h && gx_load(g, b, len) == 0);
	u8 *old = native_bytes(&g->cur, &n1);
	EXPECT(gx_load(h, old, n1) == 0);
	u8 *again = gx_save(h, &n2);
	EXPECT(same_bytes(b, len, again, n2)); /* the same graph, saved in the new format */
	EXPECT(gx_load(h, old, n1 - 1) < 0);   /* another event size: refused */
	old[16 + offsetof(struct gx_event, paired)] = 2; /* no bool */
	EXPECT(gx_load(h, old, n1) < 0);
	free(again);
	free(old);
	free(b);
	gx_destroy(g);
	gx_destroy(h);
}

int main(void)
{
	RUN(every_graph_round_trips_byte_exactly);
	RUN(known_graph_has_fixed_bytes);
	RUN(every_truncation_and_extension_is_refused);
	RUN(random_byte_changes_never_crash);
	RUN(bad_fields_are_refused);
	RUN(first_format_loads_at_this_event_size);
	TEST_SUMMARY();
}
