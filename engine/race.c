/* engine/race.c - data-race candidates in the emulator (see race.h).
 *
 * Per location and CPU four slots (the last write, plain write, read, plain
 * read); a slot is valid in the execution whose number it carries, so starting
 * an execution costs nothing.  A new access pairs with the other CPUs' slots
 * that conflict with it: a plain access with any write (and, if it is a write,
 * any read); a marked one with the plain writes (and plain reads).
 */
#include "engine/race.h"

#include <stdlib.h>
#include <string.h>

enum { SLOT_W, SLOT_PW, SLOT_R, SLOT_PR, NSLOTS };

struct slot {
	const struct ss_site *site;
	uint32_t exec; /* valid when == the log's execution number */
	uint8_t off, size;
	bool plain, stale;
};

/* The CPUs that touched a location in the execution numbered exec. */
struct loc_cpus {
	uint32_t exec;
	uint32_t cpus;
};

struct race_log {
	int max_locs, ncpus;
	uint32_t exec;
	struct slot *slots;	  /* [loc][cpu][NSLOTS] */
	struct loc_cpus *touched; /* [loc] */
	struct race_pair pairs[RACE_MAX_PAIRS];
	size_t npairs;
	unsigned long dropped;
	/* pairs shown by this execution: index, and whether it had a stale read */
	uint16_t shown[RACE_MAX_PAIRS];
	bool shown_stale[RACE_MAX_PAIRS];
	uint32_t shown_exec[RACE_MAX_PAIRS];
	size_t nshown;
};

struct race_log *race_log_create(int max_locs, int ncpus)
{
	struct race_log *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->max_locs = max_locs;
	l->ncpus = ncpus;
	l->slots = calloc((size_t)max_locs * (size_t)ncpus * NSLOTS, sizeof(struct slot));
	l->touched = calloc((size_t)max_locs, sizeof(struct loc_cpus));
	if (!l->slots || !l->touched) {
		free(l->slots);
		free(l->touched);
		free(l);
		return NULL;
	}
	l->exec = 1;
	return l;
}

void race_log_destroy(struct race_log *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->npairs; i++)
		for (int k = 0; k < l->pairs[i].nsched; k++)
			free(l->pairs[i].sched[k]);
	free(l->slots);
	free(l->touched);
	free(l);
}

void race_exec_begin(struct race_log *l)
{
	l->exec++;
	l->nshown = 0;
}

static bool is_checker(const struct ss_site *s)
{
	return s && s->expr && !strncmp(s->expr, "checker:", 8);
}

/* The pair of sites (either order), added when new; -1 when full or a side is
 * the checkers' bookkeeping. */
static long pair_of(struct race_log *l, const struct race_access *a, const struct race_access *b)
{
	for (size_t i = 0; i < l->npairs; i++) {
		const struct race_pair *p = &l->pairs[i];
		if ((p->a.site == a->site && p->b.site == b->site && p->a.write == a->write &&
		     p->b.write == b->write) ||
		    (p->a.site == b->site && p->b.site == a->site && p->a.write == b->write &&
		     p->b.write == a->write))
			return (long)i;
	}
	if (is_checker(a->site) || is_checker(b->site))
		return -1;
	if (l->npairs == RACE_MAX_PAIRS) {
		l->dropped++;
		return -1;
	}
	struct race_pair *p = &l->pairs[l->npairs];
	memset(p, 0, sizeof(*p));
	p->a = *a;
	p->b = *b;
	return (long)l->npairs++;
}

static void shown(struct race_log *l, long i, bool stale)
{
	if (i < 0)
		return;
	if (l->shown_exec[i] == l->exec) {
		for (size_t k = 0; k < l->nshown; k++)
			if (l->shown[k] == i)
				l->shown_stale[k] |= stale;
		return;
	}
	l->shown_exec[i] = l->exec;
	l->shown[l->nshown] = (uint16_t)i;
	l->shown_stale[l->nshown++] = stale;
}

static inline bool overlap(const struct slot *s, unsigned off, unsigned size)
{
	return s->off < off + size && off < (unsigned)s->off + s->size;
}

static void pair_with_others(struct race_log *l, const struct slot *row, int cpu, unsigned off,
			     unsigned size, bool write, bool plain, bool stale,
			     const struct ss_site *site);

void race_note(struct race_log *l, int loc, int cpu, unsigned off, unsigned size, bool write,
	       bool plain, bool stale, const struct ss_site *site)
{
	if (unlikely((unsigned)loc >= (unsigned)l->max_locs || (unsigned)cpu >= (unsigned)l->ncpus))
		return;
	struct slot *row = &l->slots[(size_t)loc * (size_t)l->ncpus * NSLOTS];
	struct loc_cpus *lc = &l->touched[loc];
	if (lc->exec != l->exec) {
		lc->exec = l->exec;
		lc->cpus = 0;
	}
	bool others = (lc->cpus & ~(1u << cpu)) != 0;
	lc->cpus |= 1u << cpu;
	if (unlikely(others))
		pair_with_others(l, row, cpu, off, size, write, plain, stale, site);
	struct slot *my = &row[cpu * NSLOTS];
	struct slot ns = {site, l->exec, (uint8_t)off, (uint8_t)size, plain, stale};
	my[write ? SLOT_W : SLOT_R] = ns;
	if (plain)
		my[write ? SLOT_PW : SLOT_PR] = ns;
}

/* The pairs of this access with the other CPUs' remembered accesses. */
static void pair_with_others(struct race_log *l, const struct slot *row, int cpu, unsigned off,
			     unsigned size, bool write, bool plain, bool stale,
			     const struct ss_site *site)
{
	/* which of the other CPUs' slots conflict with this access */
	unsigned want = plain ? (1u << SLOT_W) | (write ? 1u << SLOT_R : 0)
			      : (1u << SLOT_PW) | (write ? 1u << SLOT_PR : 0);
	for (int o = 0; o < l->ncpus; o++) {
		if (o == cpu)
			continue;
		const struct slot *os = &row[o * NSLOTS];
		for (int k = 0; k < NSLOTS; k++) {
			const struct slot *s = &os[k];
			if (!(want >> k & 1) || s->exec != l->exec || !overlap(s, off, size))
				continue;
			struct race_access a = {s->site, o, k == SLOT_W || k == SLOT_PW, s->plain};
			struct race_access b = {site, cpu, write, plain};
			shown(l, pair_of(l, &a, &b), stale || s->stale);
		}
	}
}

void race_exec_end(struct race_log *l, const u8 *sched, size_t len)
{
	for (size_t k = 0; k < l->nshown; k++) {
		struct race_pair *p = &l->pairs[l->shown[k]];
		p->executions++;
		bool keep = p->nsched == 0 || (l->shown_stale[k] && p->nsched < RACE_MAX_SCHEDS);
		if (!keep)
			continue;
		u8 *copy = malloc(len ? len : 1);
		if (!copy)
			continue;
		if (len)
			memcpy(copy, sched, len);
		p->sched[p->nsched] = copy;
		p->len[p->nsched++] = len;
		p->stale_kept |= l->shown_stale[k];
	}
	l->nshown = 0;
}

const struct race_pair *race_pairs(const struct race_log *l, size_t *n)
{
	*n = l ? l->npairs : 0;
	return l ? l->pairs : NULL;
}

unsigned long race_pairs_dropped(const struct race_log *l)
{
	return l ? l->dropped : 0;
}
