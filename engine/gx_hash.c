/* engine/gx_hash.c - graph hashes and the sets of them (engine/gx_impl.h): what
 * the explorer uses to push a graph once and to count distinct executions, and
 * what --resume saves (engine/gx_state.c).  A hash names neither addresses nor
 * positions in ev[], so a graph hashes the same in another process. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/gx_impl.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/* The locations of ev[0, n): lid[i] for each access (fences: -1), and each
 * location's name, its first event (lowest thread, then index) as thr << 16 |
 * idx, not its address.  Returns their number. */
static int locations(const struct gx_event *ev, int n, int *lid, int *name)
{
	static __thread struct gx_locmap map;
	gx_loc_reset(&map);
	int last = -1; /* the last access */
	for (int i = 0; i < n; i++) {
		lid[i] = -1;
		if (ev[i].kind == EV_F)
			continue;
		int me = ev[i].thr << 16 | ev[i].idx, known = map.n, l;
		if (last >= 0 && ev[i].key == ev[last].key) /* the same as the access before */
			l = lid[last];
		else
			l = gx_loc_id(&map, ev[i].key);
		if (l == known || me < name[l])
			name[l] = me;
		lid[i] = l;
		last = i;
	}
	return map.n;
}

/* Each write's place in its location's co, co_pos[i] for the writes of
 * ev[0, n) (lid: from locations()): the writes of each location chained in co
 * order, mostly appended at the tail. */
static void co_positions(const struct gx_event *ev, int n, const int *lid, int nloc, int *co_pos)
{
	static __thread int first[GX_MAX_EVENTS], next[GX_MAX_EVENTS], tail[GX_MAX_EVENTS];
	for (int l = 0; l < nloc; l++)
		first[l] = tail[l] = -1;
	for (int i = 0; i < n; i++) {
		if (!is_write(&ev[i]))
			continue;
		int l = lid[i];
		if (tail[l] >= 0 && ev[tail[l]].co < ev[i].co) { /* the usual case: co-last */
			next[tail[l]] = i;
			next[i] = -1;
			tail[l] = i;
			continue;
		}
		int *at = &first[l];
		while (*at >= 0 && ev[*at].co < ev[i].co)
			at = &next[*at];
		next[i] = *at;
		*at = i;
		if (next[i] < 0)
			tail[l] = i;
	}
	for (int l = 0; l < nloc; l++)
		for (int i = first[l], k = 0; i >= 0; i = next[i])
			co_pos[i] = k++;
}

/* Each event's place in the order the events were added: the rank of its
 * stamp among the graph's (stamps differ).  While they span less than a few
 * times GX_MAX_EVENTS, as on most paths, a bitmap with counts per word ranks
 * them; otherwise a radix sort of (stamp, index) by the stamp's bytes. */
static void stamp_positions(const struct gx_event *ev, int n, int *st_pos)
{
	enum { SPAN = 8 * GX_MAX_EVENTS, WORDS = SPAN / 64 };
	static __thread uint64_t bit[WORDS];
	static __thread int before[WORDS];
	int lo = INT_MAX, hi = 0;
	for (int i = 0; i < n; i++) {
		lo = ev[i].stamp < lo ? ev[i].stamp : lo;
		hi = ev[i].stamp > hi ? ev[i].stamp : hi;
	}
	/* n > 0 makes lo <= hi; unsigned keeps gcc from imagining a negative span */
	unsigned span = n ? (unsigned)hi - (unsigned)lo : (unsigned)SPAN;
	if (span < SPAN) {
		int nw = (int)(span / 64) + 1;
		memset(bit, 0, (size_t)nw * sizeof(bit[0]));
		for (int i = 0; i < n; i++) {
			int s = ev[i].stamp - lo;
			bit[s / 64] |= 1ull << (s % 64);
		}
		for (int w = 0, c = 0; w < nw; w++) {
			before[w] = c;
			c += __builtin_popcountll(bit[w]);
		}
		for (int i = 0; i < n; i++) {
			int s = ev[i].stamp - lo;
			st_pos[i] = before[s / 64] +
				    __builtin_popcountll(bit[s / 64] & ((1ull << (s % 64)) - 1));
		}
		return;
	}
	static __thread uint64_t key[GX_MAX_EVENTS], tmp[GX_MAX_EVENTS];
	for (int i = 0; i < n; i++)
		key[i] = (uint64_t)(unsigned)(ev[i].stamp - lo) << 32 | (unsigned)i;
	for (int shift = 32; shift < 64 && ((uint64_t)(unsigned)(hi - lo) << 32) >> shift;
	     shift += 8) { /* LSD: a stable counting sort per byte */
		int count[257] = {0};
		for (int i = 0; i < n; i++)
			count[((key[i] >> shift) & 255) + 1]++;
		for (int d = 0; d < 256; d++)
			count[d + 1] += count[d];
		for (int i = 0; i < n; i++)
			tmp[count[(key[i] >> shift) & 255]++] = key[i];
		memcpy(key, tmp, (size_t)n * sizeof(key[0]));
	}
	for (int j = 0; j < n; j++)
		st_pos[(uint32_t)key[j]] = j;
}

/* Hash of a graph: events (by thread and index), rf, co order, and with
 * stamps the order they were added in (ranks and stamps by their order only,
 * so gaps do not count).  Neither addresses nor the order of ev[] count: a
 * location is named by its first event, values (which may hold addresses)
 * follow from rf in a program that re-runs the same way, and events are
 * summed.  So a graph hashes the same in another process (--resume saves the
 * sets, gx_state.c). */
uint64_t gx_graph_hash(const struct gx_event *ev, int n, bool stamps)
{
	static __thread int co_pos[GX_MAX_EVENTS], st_pos[GX_MAX_EVENTS], lid[GX_MAX_EVENTS],
	    name[GX_MAX_EVENTS];
	int nloc = locations(ev, n, lid, name);
	co_positions(ev, n, lid, nloc, co_pos);
	if (stamps)
		stamp_positions(ev, n, st_pos);
	uint64_t sum = 0;
	for (int i = 0; i < n; i++) {
		const struct gx_event *e = &ev[i];
		const struct gx_event *w = is_read(e) && e->rf != GX_INIT ? &ev[e->rf] : NULL;
		uint64_t h = mix(0, ((uint64_t)e->thr << 48) ^ ((uint64_t)e->idx << 32) ^ e->kind);
		h = mix(h, e->kind == EV_F ? e->fence : (uint64_t)name[lid[i]] + 1);
		h = mix(h, w ? ((uint64_t)w->thr << 16 | (uint64_t)w->idx) + 1 : 0);
		h = mix(h, ((uint64_t)(is_write(e) ? co_pos[i] : 0) << 32) |
			       (uint32_t)(stamps ? st_pos[i] : 0));
		h = mix(h, stamps ? (uint64_t)e->alt_added | (uint64_t)e->settled << 1 : 0);
		h ^= h >> 31; /* a strong finish: sums of similar events must not cancel */
		h *= 0x94d049bb133111ebull;
		sum += h ^ (h >> 29);
	}
	return mix((uint64_t)n, sum) | 1;
}

/* Is h in the set? */
bool gx_hset_has(const struct hset *s, uint64_t h)
{
	if (!s->cap)
		return false;
	for (size_t k = h & (s->cap - 1); s->t[k]; k = (k + 1) & (s->cap - 1))
		if (s->t[k] == h)
			return true;
	return false;
}

/* A set of 64-bit hashes (open addressing, 0 = empty; hashes have bit 0 set).
 * Inserts h; false when it was there.  Out of memory: true (visit again
 * rather than lose it). */
bool gx_hset_insert(struct hset *s, uint64_t h)
{
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : SEEN_MIN;
		uint64_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return true;
		for (size_t i = 0; i < s->cap; i++)
			if (s->t[i]) {
				size_t k = s->t[i] & (cap - 1);
				while (t[k])
					k = (k + 1) & (cap - 1);
				t[k] = s->t[i];
			}
		free(s->t);
		s->t = t;
		s->cap = cap;
	}
	size_t k = h & (s->cap - 1);
	while (s->t[k]) {
		if (s->t[k] == h)
			return false;
		k = (k + 1) & (s->cap - 1);
	}
	s->t[k] = h;
	s->n++;
	return true;
}
