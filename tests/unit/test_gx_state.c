/* tests/unit/test_gx_state.c - the graph explorer's stack in a file
 * (engine/gx_state.c, `explore --engine graph --resume`).
 *
 * A small program (3 threads of reads, writes, an RMW and a fence on 3
 * locations, one write storing an address) is explored once straight through
 * and once stopped after k graphs, saved, loaded into a fresh explorer whose
 * locations have other addresses (as in another process), and finished: the
 * executions of both parts together are those of the straight run, each
 * visited as often.  Files that are not states are refused. */
#include <stdlib.h>
#include <unistd.h>

#include "engine/gx.h"
#include "tests/unit/test.h"

enum op { R, W, X, F };

struct ins {
	enum op op;
	int loc;
	int val; /* W / X: the value; -1: the address of location 2 (a pointer) */
};

#define NT 3
#define NI 3
static const struct ins prog[NT][NI] = {
    {{W, 0, 1}, {F, 0, 0}, {R, 1, 0}},
    {{W, 1, 1}, {R, 0, 0}, {X, 0, 3}},
    {{R, 1, 0}, {W, 0, -1}, {R, 2, 0}},
};

/* base: where the locations are in this "process" */
static void access_of(const struct ins *in, uintptr_t base, struct gx_access *a)
{
	memset(a, 0, sizeof(*a));
	a->key = base + (uintptr_t)in->loc * 64;
	a->flags = EVF_ONCE;
	a->val = in->val < 0 ? (u128)(base + 2 * 64) : (u128)in->val;
	a->op = in->op == R ? GX_READ : in->op == W ? GX_WRITE : in->op == X ? GX_RMW : GX_FENCE;
	a->rmw = GX_RMW_XCHG;
	a->ord = SS_ORD_FULL;
	a->fence = MF_MB;
}

#define MAXEX 4096
struct run {
	char sig[MAXEX][64]; /* one line per execution: the values read, by thread */
	int n;
	unsigned long long distinct;
};

/* Runs one graph of the program; false when gx has none left. */
static bool one(struct gx *g, uintptr_t base, struct run *out)
{
	if (!gx_begin(g))
		return false;
	int pc[NT] = {0};
	char got[NT][NI][8]; /* what each read read, by thread and position */
	memset(got, 0, sizeof(got));
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
		access_of(&prog[t][pc[t]], base, &a);
		if (gx_access(g, t, &a, &r) != GX_OK)
			break;
		if (a.op == GX_READ || a.op == GX_RMW) /* an address read: "p" */
			snprintf(got[t][pc[t]], sizeof(got[t][pc[t]]), "%s",
				 r.old == (u128)(base + 2 * 64) ? "p"
				 : r.old < 10 ? (char[2]){(char)('0' + (int)r.old), 0}
					      : "?");
		pc[t]++;
	}
	if (gx_end(g, false) && out->n < MAXEX) {
		char *sig = out->sig[out->n++];
		sig[0] = 0;
		for (int t = 0; t < NT; t++)
			for (int i = 0; i < NI; i++)
				snprintf(sig + strlen(sig), 64 - strlen(sig), "%s,",
					 got[t][i][0] ? got[t][i] : "-");
		out->distinct += gx_exec_new(g);
	}
	return true;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void sorted(struct run *r)
{
	qsort(r->sig, (size_t)r->n, sizeof(r->sig[0]), cmp);
}

static char path[64];

/* Explores k graphs, saves, and finishes in a fresh gx at another address. */
static int stopped_after(int k, struct run *out)
{
	struct gx *g = gx_create(NT, 0);
	int visited = 0;
	while (visited < k && one(g, 0x10000, out))
		visited++;
	struct gx_state s;
	memset(&s, 0, sizeof(s));
	gx_state_add_param(&s, "program", "test");
	gx_state_set_count(&s, "visited", (unsigned long long)visited);
	char err[200];
	EXPECT_EQ(gx_state_save(g, &s, path, err, sizeof(err)), 0);
	size_t left = gx_stack_size(g);
	gx_destroy(g);

	struct gx_state in;
	EXPECT_EQ(gx_state_read(path, NT, &in, err, sizeof(err)), 0);
	EXPECT_EQ(gx_state_match(&in, &s, err, sizeof(err)), 0);
	EXPECT_EQ(gx_state_count(&in, "visited"), visited);
	EXPECT_EQ(in.ngraphs, left);
	g = gx_create(NT, 0);
	EXPECT_EQ(gx_state_load(g, &in), 0);
	gx_state_free(&in);
	while (one(g, 0x7f0000, out)) /* another process: other addresses */
		visited++;
	gx_destroy(g);
	return visited;
}

TEST(resumed_exploration_visits_what_one_run_does)
{
	static struct run whole, part;
	struct gx *g = gx_create(NT, 0);
	int total = 0;
	while (one(g, 0x10000, &whole))
		total++;
	gx_destroy(g);
	sorted(&whole);
	EXPECT(whole.n > 20);
	EXPECT_EQ(whole.distinct, (unsigned long long)whole.n);
	for (int k = 1; k < total; k += 3) {
		memset(&part, 0, sizeof(part));
		EXPECT_EQ(stopped_after(k, &part), total);
		sorted(&part);
		EXPECT_EQ(part.n, whole.n);
		EXPECT_EQ(part.distinct, whole.distinct);
		bool same = part.n == whole.n;
		for (int i = 0; same && i < part.n; i++)
			same = !strcmp(part.sig[i], whole.sig[i]);
		if (!same)
			printf("  stopped after %d: the executions differ\n", k);
		EXPECT(same);
	}
	printf("  # %d graphs, %d executions, stopped after every 3rd graph and resumed\n", total,
	       whole.n);
}

static int read_bytes(const void *b, size_t n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	fwrite(b, 1, n, f);
	fclose(f);
	struct gx_state s;
	int rc = gx_state_read(path, NT, &s, err, errlen);
	gx_state_free(&s);
	return rc;
}

TEST(bad_files_are_refused)
{
	char err[200];
	EXPECT_EQ(read_bytes("", 0, err, sizeof(err)), -1);
	EXPECT(strstr(err, "empty") != NULL);
	EXPECT_EQ(read_bytes("hello\n", 6, err, sizeof(err)), -1);
	EXPECT(strstr(err, "not a state file") != NULL);
	/* a real one, then cut short and with one byte changed */
	struct gx *g = gx_create(NT, 0);
	struct run r = {.n = 0};
	for (int i = 0; i < 3; i++)
		one(g, 0x10000, &r);
	struct gx_state s;
	memset(&s, 0, sizeof(s));
	gx_state_add_param(&s, "program", "test");
	EXPECT_EQ(gx_state_save(g, &s, path, err, sizeof(err)), 0);
	gx_destroy(g);
	FILE *f = fopen(path, "rb");
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	EXPECT_EQ(read_bytes(buf, n - 30, err, sizeof(err)), -1);
	EXPECT(strstr(err, "truncated or corrupt") != NULL);
	buf[n / 2] ^= 1;
	EXPECT_EQ(read_bytes(buf, n, err, sizeof(err)), -1);
	buf[n / 2] ^= 1;
	EXPECT_EQ(read_bytes(buf, n, err, sizeof(err)), 0);
	/* another program's parameters */
	struct gx_state in, other;
	memset(&other, 0, sizeof(other));
	gx_state_add_param(&other, "program", "another");
	EXPECT_EQ(gx_state_read(path, NT, &in, err, sizeof(err)), 0);
	EXPECT_EQ(gx_state_match(&in, &other, err, sizeof(err)), -1);
	EXPECT(strstr(err, "program test") != NULL);
	gx_state_free(&in);
	/* more threads in its graphs than this program has */
	EXPECT_EQ(gx_state_read(path, 1, &in, err, sizeof(err)), -1);
	gx_state_free(&in);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/test_gx_state.%ld", (long)getpid());
	RUN(resumed_exploration_visits_what_one_run_does);
	RUN(bad_files_are_refused);
	unlink(path);
	TEST_SUMMARY();
}
