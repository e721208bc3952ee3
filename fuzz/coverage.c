/* fuzz/coverage.c - folds an emulator trace into libFuzzer's extra counters
 * (see coverage.h for the events).  Cost: one pass over the trace with a few
 * table lookups per step; site hashes are memoized by site address. */
#include <stdint.h>
#include <string.h>

#include "fuzz/coverage.h"

/* libFuzzer finds this array through __start_/__stop___libfuzzer_extra_counters;
 * without libFuzzer it is just an array.  used: a build that never reads it
 * must keep it, or the section would be empty. */
__attribute__((section("__libfuzzer_extra_counters"), used,
	       aligned(64))) unsigned char ss_cov_counters[SS_COV_COUNTERS];

static inline uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	h ^= h >> 16;
	return h;
}

static uint32_t str_hash(const char *s, uint32_t h)
{
	if (!s)
		return h ^ 0x9e3779b9U;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619U;
	return h;
}

/* Memo of site address -> (site hash, location hash).  Sites are static
 * objects, so the table fills once per process. */
#define MEMO_SIZE 4096
static struct memo {
	const struct ss_site *site;
	uint32_t h, loc;
} memo[MEMO_SIZE];

static const struct memo *site_memo(const struct ss_site *s)
{
	static const struct memo none = {NULL, 0x51ed270bU, 0x2545f491U};
	if (!s)
		return &none;
	uintptr_t k = (uintptr_t)s;
	unsigned i = mix32((uint32_t)(k ^ (k >> 32))) & (MEMO_SIZE - 1);
	for (unsigned probe = 0; probe < MEMO_SIZE; probe++, i = (i + 1) & (MEMO_SIZE - 1)) {
		if (memo[i].site == s)
			return &memo[i];
		if (!memo[i].site) {
			memo[i].site = s;
			memo[i].h =
			    mix32(str_hash(s->file, 2166136261U) ^ (uint32_t)s->line * 0x9e3779b1U);
			/* The location: the accessed expression ("slab->stride16"). */
			memo[i].loc = mix32(str_hash(s->expr, 0x811c9dc5U));
			return &memo[i];
		}
	}
	return &none; /* full: collapse (never happens with a few hundred sites) */
}

static inline void bump(uint32_t h)
{
	unsigned char *c = &ss_cov_counters[mix32(h) & (SS_COV_COUNTERS - 1)];
	if (*c != 255)
		(*c)++;
}

enum { EV_RF = 1, EV_HANDOVER, EV_INTERPOSED, EV_FENCE, EV_SITE, EV_BLIND };

static inline uint32_t ev(uint32_t kind, uint32_t a, uint32_t b, uint32_t c)
{
	return mix32(kind * 0x27d4eb2fU ^ a) ^ mix32(b + 0x165667b1U) * 3 ^ c * 0x9e3779b1U;
}

#define MAX_CPUS  16
#define LOC_SLOTS 512

struct loc_state {
	uint32_t loc, gen;
	uint32_t last_i; /* trace index of the last access */
	uint32_t last_site;
	uint8_t last_cpu;
};

static bool is_access(unsigned op)
{
	return op == EMU_OP_LOAD || op == EMU_OP_STORE || op == EMU_OP_RMW || op == EMU_OP_CAS128 ||
	       op == EMU_OP_LOCK || op == EMU_OP_TRYLOCK || op == EMU_OP_UNLOCK;
}

/* A barrier in the sense of fence-crossed: orders earlier stores of its CPU. */
static bool is_barrier(const struct emu_trace_ent *t)
{
	return t->op == EMU_OP_FENCE || t->op == EMU_OP_UNLOCK ||
	       (t->flags & (EMU_TR_REL | EMU_TR_FULL)) != 0;
}

static void record_interleaving(const struct emu_trace_ent *tr, size_t n)
{
	static struct loc_state locs[LOC_SLOTS];
	static uint32_t gen;
	uint32_t cpu_last[MAX_CPUS]; /* trace index + 1 of each CPU's last step */
	uint32_t nstores[MAX_CPUS], store_site[MAX_CPUS];
	memset(cpu_last, 0, sizeof(cpu_last));
	memset(nstores, 0, sizeof(nstores));
	memset(store_site, 0, sizeof(store_site));
	if (++gen == 0) {
		memset(locs, 0, sizeof(locs));
		gen = 1;
	}

	for (size_t i = 0; i < n; i++) {
		const struct emu_trace_ent *t = &tr[i];
		unsigned c = t->cpu & (MAX_CPUS - 1);
		const struct memo *m = site_memo(t->site);

		if (t->op == EMU_OP_LOAD || t->op == EMU_OP_RMW || t->op == EMU_OP_CAS128) {
			uint32_t bits =
			    (t->flags & (EMU_TR_STALE | EMU_TR_FORWARDED | EMU_TR_FAILED)) |
			    (t->rf_cpu == (int8_t)t->cpu ? 0x100u : 0) |
			    (t->rf_cpu < 0 ? 0x200u : 0);
			bump(ev(EV_RF, m->h, site_memo(t->rf_site)->h, bits));
		}
		if (is_barrier(t) && nstores[c]) {
			uint32_t k = nstores[c] > 3 ? 3 : nstores[c];
			bump(ev(EV_FENCE, m->h, store_site[c], k));
			nstores[c] = 0;
		}
		if (t->op == EMU_OP_STORE && !(t->flags & EMU_TR_REL)) {
			nstores[c]++;
			store_site[c] = m->h;
		}
		if (is_access(t->op)) {
			unsigned s = m->loc & (LOC_SLOTS - 1);
			struct loc_state *l = NULL;
			for (unsigned p = 0; p < 8; p++, s = (s + 1) & (LOC_SLOTS - 1)) {
				if (locs[s].gen != gen) {
					l = &locs[s];
					l->gen = gen;
					l->loc = m->loc;
					l->last_i = UINT32_MAX;
					break;
				}
				if (locs[s].loc == m->loc) {
					l = &locs[s];
					break;
				}
			}
			if (l && l->last_i != UINT32_MAX) {
				if (l->last_cpu != c) {
					bump(ev(EV_HANDOVER, l->last_site, m->h, 0));
				} else {
					for (unsigned d = 0; d < MAX_CPUS; d++)
						if (d != c && cpu_last[d] > l->last_i + 1)
							bump(ev(EV_INTERPOSED, l->last_site, m->h,
								d + 1));
				}
			}
			if (l) {
				l->last_i = (uint32_t)i;
				l->last_cpu = (uint8_t)c;
				l->last_site = m->h;
			}
		}
		cpu_last[c] = (uint32_t)i + 1;
	}
}

void ss_cov_record(const struct emu_trace_ent *tr, size_t n, enum ss_cov_mode mode)
{
	switch (mode) {
	case SS_COV_NONE: bump(EV_BLIND); break;
	case SS_COV_SITES:
		for (size_t i = 0; i < n; i++)
			bump(ev(EV_SITE, site_memo(tr[i].site)->h, tr[i].op, 0));
		break;
	case SS_COV_INTERLEAVING: record_interleaving(tr, n); break;
	}
}

size_t ss_cov_count(void)
{
	size_t k = 0;
	for (size_t i = 0; i < SS_COV_COUNTERS; i++)
		k += ss_cov_counters[i] != 0;
	return k;
}

void ss_cov_clear(void)
{
	memset(ss_cov_counters, 0, sizeof(ss_cov_counters));
}

static const char *const mode_names[] = {"none", "sites", "interleaving"};

const char *ss_cov_mode_name(enum ss_cov_mode m)
{
	return (unsigned)m < 3 ? mode_names[m] : "?";
}

int ss_cov_mode_from_name(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (name && !strcmp(name, mode_names[i]))
			return i;
	return -1;
}
