/* engine/gx_state.c - the graph explorer's stack in a file (engine/gx.h, "a
 * stopped exploration"): `explore --engine graph --resume STATE` writes the
 * graphs still to visit when it stops early and goes on from them later, in
 * another process.
 *
 * File format (version 2: events carry TruSt's flags).  Text lines, then the stack, then a
 * checksum:
 *
 *   slabstress-gx-state 2 EVENT_BYTES MAX_EVENTS\n   format, struct gx_event's size, GX_MAX_EVENTS
 *   version SS_VERSION\n                             the binary that wrote it
 *   param NAME VALUE\n ...                            the run's parameters (checked on resume)
 *   count NAME DECIMAL\n ...                          counters so far (the caller's names)
 *   stack NGRAPHS NBYTES\n                            then NBYTES bytes: the graphs, top first,
 *                                                     each u32 n, next_stamp, next_rank, 0,
 *                                                     then n struct gx_event (native order)
 *   seen N\n                                          then N u64: hashes of the graphs pushed
 *   done N\n                                          then N u64: of the executions finished
 *   end HEX16\n                                       FNV-1a 64 of every byte before "end"
 *
 * A graph's events are in the order gx_save puts them: a replay order (each read
 * after the write it reads), rf and poll_src as positions in that order, tags
 * NULL; but as native struct gx_event, not gx_save's portable records: a state
 * is read only by the version (and event size) that wrote it.
 * Addresses differ between processes (ASLR), so a location is saved as
 * a number: key GX_KEY_UNBOUND - k for the k-th location of the graph (gx_impl.h);
 * when the program re-creates the graph, the first access to a location binds
 * every event of it to the address (gx_bind_key), and the values that may hold
 * addresses (writes, RMW operands, reads) are taken from this run (addr_free).
 * Unlike gx_load's graph, a loaded graph makes its alternatives as usual.  The
 * hashes (gx.c's graph_hash) name neither addresses nor positions in ev[], so
 * the sets saved go on deduplicating in the next process: a resumed exploration
 * visits the graphs an uninterrupted one does, and counts what it counts.
 *
 * The file is written whole or not at all (results/atomic.h): to DIR/.NAME.XXXXXX with
 * the stop signals blocked, fsync'ed and renamed over NAME: a reader sees the
 * old file or the new one, never half of one, and no temporary is left. */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/gx_impl.h"
#include "results/atomic.h"

#ifndef SS_VERSION
#define SS_VERSION "0.0.0"
#endif

#define STATE_MAGIC  "slabstress-gx-state"
#define STATE_FORMAT 2

/* ---- binding numbered locations (gx_impl.h) ----------------------------------------- */

bool gx_bind_saved_key(struct gx *g, int thr, const struct gx_access *a)
{
	struct gx_graph *G = &g->cur;
	uintptr_t unbound = G->ev[g->rpos].key;
	if (a->op == GX_FENCE || !gx_key_unbound(unbound) || G->ev[g->rpos].thr != thr)
		return true;
	for (int i = 0; i < G->n; i++)
		if (G->ev[i].kind != EV_F && G->ev[i].key == a->key) {
			g->diverged = true; /* another location's address */
			return false;
		}
	for (int i = 0; i < G->n; i++)
		if (G->ev[i].kind != EV_F && G->ev[i].key == unbound)
			G->ev[i].key = a->key;
	return true;
}

bool gx_has_unbound_keys(const struct gx_graph *G)
{
	for (int i = 0; i < G->n; i++)
		if (G->ev[i].kind != EV_F && gx_key_unbound(G->ev[i].key))
			return true;
	return false;
}

size_t gx_stack_size(const struct gx *g)
{
	return g->depth;
}

/* ---- writing ------------------------------------------------------------------------- */

struct out {
	FILE *f;
	uint64_t h;
	bool bad;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void put(struct out *o, const void *p, size_t n)
{
	o->h = fnv(o->h, p, n);
	if (!o->bad && fwrite(p, 1, n, o->f) != n)
		o->bad = true;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put(o, line, n < 0 ? 0 : (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n);
}

/* One stack graph in the file's form (see the top): ev[] in a replay order,
 * locations numbered, into o (or only its size when o is NULL). */
static size_t put_graph(struct out *o, const struct gx_item *it)
{
	size_t bytes = 16 + (size_t)it->n * sizeof(struct gx_event);
	if (!o)
		return bytes;
	static __thread struct gx_graph G;
	static __thread int order[GX_MAX_EVENTS], pos[GX_MAX_EVENTS];
	static __thread uintptr_t locs[GX_MAX_EVENTS];
	G.n = it->n;
	memcpy(G.ev, it->ev, (size_t)it->n * sizeof(struct gx_event));
	gx_replay_order(&G, order);
	for (int k = 0; k < G.n; k++)
		pos[order[k]] = k;
	uint32_t hdr[4] = {(uint32_t)it->n, (uint32_t)it->next_stamp, (uint32_t)it->next_rank, 0};
	put(o, hdr, sizeof(hdr));
	int nlocs = 0;
	for (int k = 0; k < G.n; k++) {
		struct gx_event e = G.ev[order[k]];
		if (e.kind != EV_F) {
			int l = 0;
			while (l < nlocs && locs[l] != e.key)
				l++;
			if (l == nlocs)
				locs[nlocs++] = e.key;
			e.key = GX_KEY_UNBOUND - (uintptr_t)l;
		} else {
			e.key = 0;
		}
		e.tag = NULL;
		if (e.kind == EV_R && e.rf != GX_INIT)
			e.rf = pos[e.rf];
		if (e.poll_src >= 0)
			e.poll_src = pos[e.poll_src];
		put(o, &e, sizeof(e));
	}
	return bytes;
}

static void put_body(struct out *o, const struct gx *g, const struct gx_state *s)
{
	putf(o, "%s %d %zu %d\n", STATE_MAGIC, STATE_FORMAT, sizeof(struct gx_event),
	     GX_MAX_EVENTS);
	putf(o, "version %s\n", SS_VERSION);
	put(o, s->params, strlen(s->params));
	for (int i = 0; i < s->ncounts; i++)
		putf(o, "count %s %llu\n", s->count_name[i], s->count[i]);
	size_t bytes = 0;
	for (const struct gx_item *it = g->stack; it; it = it->next)
		bytes += put_graph(NULL, it);
	putf(o, "stack %zu %zu\n", g->depth, bytes);
	for (const struct gx_item *it = g->stack; it; it = it->next)
		put_graph(o, it);
	const struct hset *sets[2] = {&g->seen, &g->done};
	for (int k = 0; k < 2; k++) {
		putf(o, "%s %zu\n", k ? "done" : "seen", sets[k]->n);
		for (size_t i = 0; i < sets[k]->cap; i++)
			if (sets[k]->t[i])
				put(o, &sets[k]->t[i], sizeof(uint64_t));
	}
}

int gx_state_save(const struct gx *g, const struct gx_state *s, const char *path, char *err,
		  size_t n)
{
	struct res_atomic a;
	if (res_atomic_begin(&a, path, err, n) != 0)
		return -1;
	struct out o = {a.f, 0xcbf29ce484222325ull, false};
	put_body(&o, g, s);
	uint64_t h = o.h;
	putf(&o, "end %016" PRIx64 "\n", h);
	return res_atomic_end(&a, !o.bad, err, n);
}

/* ---- counters and parameters ---------------------------------------------------------- */

void gx_state_set_count(struct gx_state *s, const char *name, unsigned long long v)
{
	for (int i = 0; i < s->ncounts; i++)
		if (!strcmp(s->count_name[i], name)) {
			s->count[i] = v;
			return;
		}
	if (s->ncounts == GX_STATE_MAX_COUNTS)
		return;
	snprintf(s->count_name[s->ncounts], sizeof(s->count_name[0]), "%s", name);
	s->count[s->ncounts++] = v;
}

unsigned long long gx_state_count(const struct gx_state *s, const char *name)
{
	for (int i = 0; i < s->ncounts; i++)
		if (!strcmp(s->count_name[i], name))
			return s->count[i];
	return 0;
}

void gx_state_add_param(struct gx_state *s, const char *name, const char *value)
{
	size_t len = strlen(s->params);
	snprintf(s->params + len, sizeof(s->params) - len, "param %s %s\n", name, value);
}

/* The value of parameter name in a params block ("param NAME VALUE\n" lines),
 * copied into v; false when it has none. */
static bool param_of(const char *params, const char *name, char *v, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = params; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, "param ", 6) || strncmp(p + 6, name, nl) || p[6 + nl] != ' ')
			continue;
		const char *val = p + 7 + nl, *end = strchr(val, '\n');
		size_t len = end ? (size_t)(end - val) : strlen(val);
		snprintf(v, n, "%.*s", (int)len, val);
		return true;
	}
	return false;
}

int gx_state_match(const struct gx_state *s, const struct gx_state *run, char *err, size_t n)
{
	for (const char *p = run->params; *p;) {
		const char *name = p + 6, *sp = strchr(name, ' '), *end = strchr(p, '\n');
		if (strncmp(p, "param ", 6) || !sp || !end)
			break;
		char key[64], mine[256], theirs[256];
		snprintf(key, sizeof(key), "%.*s", (int)(sp - name), name);
		param_of(run->params, key, mine, sizeof(mine));
		if (!param_of(s->params, key, theirs, sizeof(theirs))) {
			snprintf(err, n, "holds no %s (this run: %s): not a state of this command",
				 key, mine);
			return -1;
		}
		if (strcmp(mine, theirs)) {
			snprintf(err, n, "was written with %s %s, this run has %s %s", key, theirs,
				 key, mine);
			return -1;
		}
		p = end + 1;
	}
	return 0;
}

/* ---- reading --------------------------------------------------------------------------- */

static u8 *slurp(const char *path, size_t *len, char *err, size_t n)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, n, "cannot read it: %s", f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	u8 *b = malloc((size_t)sb.st_size + 1);
	size_t got = b ? fread(b, 1, (size_t)sb.st_size, f) : 0;
	fclose(f);
	if (!b || got != (size_t)sb.st_size) {
		snprintf(err, n, "cannot read it: %s", b ? "short read" : "out of memory");
		free(b);
		return NULL;
	}
	b[got] = 0;
	*len = got;
	return b;
}

/* The header line and the checksum: 0, or -1 with err. */
static int check_frame(const u8 *b, size_t len, char *err, size_t n)
{
	int fmt = 0, maxev = 0;
	size_t evb = 0;
	if (!len) {
		snprintf(err, n, "is empty: not a state file (expected one written by --resume)");
		return -1;
	}
	if (len < sizeof(STATE_MAGIC) || memcmp(b, STATE_MAGIC " ", sizeof(STATE_MAGIC)) ||
	    sscanf((const char *)b + sizeof(STATE_MAGIC), "%d %zu %d", &fmt, &evb, &maxev) != 3) {
		snprintf(err, n, "is not a state file (expected a first line '%s %d ...')",
			 STATE_MAGIC, STATE_FORMAT);
		return -1;
	}
	if (fmt != STATE_FORMAT || evb != sizeof(struct gx_event) || maxev != GX_MAX_EVENTS) {
		snprintf(err, n,
			 "has format %d with %zu-byte events, this build reads format %d with "
			 "%zu-byte events",
			 fmt, evb, STATE_FORMAT, sizeof(struct gx_event));
		return -1;
	}
	size_t tail = 4 + 16 + 1; /* "end " HEX16 "\n" */
	uint64_t want = 0;
	const char *t = (const char *)b + len - tail;
	if (len < tail || memcmp(t, "end ", 4) || b[len - 1] != '\n' ||
	    sscanf(t + 4, "%16" SCNx64, &want) != 1 ||
	    fnv(0xcbf29ce484222325ull, b, len - tail) != want) {
		snprintf(err, n, "is truncated or corrupt (its checksum line does not match)");
		return -1;
	}
	return 0;
}

/* A saved graph's events: what gx_load checks, and a replay order. */
static bool graph_ok(const struct gx_event *ev, int n, int nthreads)
{
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &ev[i];
		if (e->thr < 0 || e->thr >= nthreads || e->idx < 0 ||
		    (e->kind != EV_R && e->kind != EV_W && e->kind != EV_F) ||
		    (e->kind == EV_R && (e->rf < GX_INIT || e->rf >= i)) ||
		    (e->kind == EV_R && e->rf >= 0 && ev[e->rf].kind != EV_W) ||
		    e->ndeps > GX_DEPS || e->poll_src < -2 || e->poll_src >= n ||
		    e->fence >= MF_NKINDS || e->off >= 16 || e->size > 16 ||
		    (e->kind == EV_F ? e->key != 0 : !gx_key_unbound(e->key)))
			return false;
	}
	return true;
}

/* Walks the stack's bytes: the offset of each graph into off[] (may be NULL);
 * how many, or -1 when the bytes are not graphs for nthreads threads. */
static long walk_graphs(const u8 *b, size_t len, int nthreads, size_t *off)
{
	static __thread struct gx_event ev[GX_MAX_EVENTS];
	long k = 0;
	for (size_t p = 0; p < len; k++) {
		uint32_t hdr[4];
		if (len - p < sizeof(hdr))
			return -1;
		memcpy(hdr, b + p, sizeof(hdr));
		size_t bytes = (size_t)hdr[0] * sizeof(struct gx_event);
		if (hdr[0] > GX_MAX_EVENTS || len - p - sizeof(hdr) < bytes)
			return -1;
		memcpy(ev, b + p + sizeof(hdr), bytes);
		if (!graph_ok(ev, (int)hdr[0], nthreads))
			return -1;
		if (off)
			off[k] = p;
		p += sizeof(hdr) + bytes;
	}
	return k;
}

/* One text line "WORD ..." of the header at *p: parsed into s, *p moved on. */
static int header_line(struct gx_state *s, const char **p, const char *end, char *err, size_t n)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl) {
		snprintf(err, n, "is corrupt (a header line without its end)");
		return -1;
	}
	char line[600];
	snprintf(line, sizeof(line), "%.*s", (int)(nl - *p), *p);
	char name[40];
	unsigned long long v;
	if (!strncmp(line, "param ", 6)) {
		size_t len = strlen(s->params);
		snprintf(s->params + len, sizeof(s->params) - len, "%s\n", line);
	} else if (sscanf(line, "count %39s %llu", name, &v) == 2) {
		gx_state_set_count(s, name, v);
	} else if (strncmp(line, "version ", 8)) {
		snprintf(err, n, "is corrupt (unexpected line '%.60s')", line);
		return -1;
	} else if (strcmp(line + 8, SS_VERSION)) {
		snprintf(err, n, "was written by slabstress %.40s, this is %s", line + 8,
			 SS_VERSION);
		return -1;
	}
	*p = nl + 1;
	return 0;
}

/* "NAME N\n" and N hashes at *p: their offset and count. */
static int hash_set(const struct gx_state *s, const char **p, const char *end, const char *name,
		    size_t *off, size_t *count)
{
	size_t len = strlen(name);
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl || strncmp(*p, name, len) || (*p)[len] != ' ' ||
	    sscanf(*p + len + 1, "%zu", count) != 1 ||
	    (size_t)(end - nl - 1) / sizeof(uint64_t) < *count)
		return -1;
	*off = (size_t)(nl + 1 - (const char *)s->buf);
	*p = nl + 1 + *count * sizeof(uint64_t);
	return 0;
}

int gx_state_read(const char *path, int nthreads, struct gx_state *s, char *err, size_t n)
{
	memset(s, 0, sizeof(*s));
	size_t len = 0;
	s->buf = slurp(path, &len, err, n);
	if (!s->buf || check_frame(s->buf, len, err, n) < 0)
		return -1;
	const char *p = strchr((const char *)s->buf, '\n') + 1, *end = (const char *)s->buf + len;
	size_t ng = 0, nb = 0;
	while (strncmp(p, "stack ", 6))
		if (header_line(s, &p, end, err, n) < 0)
			return -1;
	end -= 4 + 16 + 1; /* the checksum line */
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || sscanf(p, "stack %zu %zu", &ng, &nb) != 2 || (size_t)(end - nl - 1) < nb) {
		snprintf(err, n, "is corrupt (its stack line does not match its size)");
		return -1;
	}
	s->graphs_off = (size_t)(nl + 1 - (const char *)s->buf);
	s->graphs_len = nb;
	s->ngraphs = ng;
	p = nl + 1 + nb;
	if (hash_set(s, &p, end, "seen", &s->seen_off, &s->nseen) < 0 ||
	    hash_set(s, &p, end, "done", &s->done_off, &s->ndone) < 0 || p != end) {
		snprintf(err, n, "is corrupt (its hash sets do not match its size)");
		return -1;
	}
	if (walk_graphs(s->buf + s->graphs_off, nb, nthreads, NULL) != (long)ng) {
		snprintf(err, n, "is corrupt (its graphs are not graphs of %d threads)", nthreads);
		return -1;
	}
	return 0;
}

int gx_state_load(struct gx *g, const struct gx_state *s)
{
	const u8 *b = s->buf + s->graphs_off;
	size_t *off = malloc((s->ngraphs + 1) * sizeof(*off));
	if (!off || walk_graphs(b, s->graphs_len, g->nthreads, off) != (long)s->ngraphs) {
		free(off);
		return -1;
	}
	for (size_t k = s->ngraphs; k-- > 0;) { /* bottom first: the top ends on top */
		uint32_t hdr[4];
		memcpy(hdr, b + off[k], sizeof(hdr));
		size_t bytes = sizeof(struct gx_item) + (size_t)hdr[0] * sizeof(struct gx_event);
		struct gx_item *it = malloc(bytes);
		if (!it) {
			free(off);
			return -1;
		}
		it->n = (int)hdr[0];
		it->next_stamp = (int)hdr[1];
		it->next_rank = (int)hdr[2];
		memcpy(it->ev, b + off[k] + sizeof(hdr), (size_t)it->n * sizeof(struct gx_event));
		it->next = g->stack;
		g->stack = it;
		g->stack_bytes += bytes;
		if (++g->depth > g->st.max_stack)
			g->st.max_stack = g->depth;
	}
	free(off);
	for (size_t i = 0; i < s->nseen + s->ndone; i++) {
		uint64_t h;
		size_t at = i < s->nseen ? s->seen_off + 8 * i : s->done_off + 8 * (i - s->nseen);
		memcpy(&h, s->buf + at, sizeof(h));
		gx_hset_insert(i < s->nseen ? &g->seen : &g->done, h | 1);
	}
	g->first = false; /* the empty graph was visited before the state was saved */
	return 0;
}

void gx_state_free(struct gx_state *s)
{
	free(s->buf);
	s->buf = NULL;
}
