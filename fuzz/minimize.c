/* fuzz/minimize.c - delta debugging over schedule decisions (see minimize.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/explore.h"
#include "fuzz/minimize.h"

size_t ss_schedule_decisions(const u8 *sched, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += sched[i] != 0;
	return n;
}

static int same_failure(const struct emu_result *r, enum ss_fail_kind kind, const char *file,
			int line)
{
	if (r->kind != kind)
		return 0;
	if (!file)
		return 1;
	const struct ss_site *s = r->fail.site;
	return s && s->file && s->line == line && !strcmp(s->file, file);
}

int ss_schedule_fails(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		      const char *site_file, int site_line)
{
	struct emu_result r;
	if (emu_execute(e, sched, len, &r) != 0)
		return -1;
	return same_failure(&r, kind, site_file, site_line);
}

struct mz {
	struct emu *e;
	enum ss_fail_kind kind;
	const char *file;
	int line;
	unsigned long execs, max;
	u8 *cur, *tmp;
	size_t len;
	size_t fused, bused; /* bytes the last accepted run read from each end */
	int err;
};

/* Runs tmp[0..n); on the same failure it becomes the current schedule. */
static int try_accept(struct mz *m, size_t n)
{
	if (m->execs >= m->max || m->err)
		return 0;
	m->execs++;
	struct emu_result r;
	if (emu_execute(m->e, m->tmp, n, &r) != 0) {
		m->err = 1;
		return 0;
	}
	if (!same_failure(&r, m->kind, m->file, m->line))
		return 0;
	memcpy(m->cur, m->tmp, n);
	m->len = n;
	m->fused = r.front_used;
	m->bused = r.back_used;
	return 1;
}

/* Bytes between what the front and the back stream read are never read:
 * dropping them changes nothing. */
static void drop_unread(struct mz *m)
{
	if (m->fused + m->bused >= m->len)
		return;
	memcpy(m->tmp, m->cur, m->fused);
	memcpy(m->tmp + m->fused, m->cur + m->len - m->bused, m->bused);
	try_accept(m, m->fused + m->bused);
}

/* Zero chunks of c decisions (non-zero bytes), c halving down to 1. */
static int zero_pass(struct mz *m)
{
	int changed = 0;
	size_t *pos = malloc((m->len ? m->len : 1) * sizeof(*pos));
	if (!pos) {
		m->err = 1;
		return 0;
	}
	size_t nd = 0;
	for (size_t i = 0; i < m->len; i++)
		if (m->cur[i])
			pos[nd++] = i;
	for (size_t c = nd / 2 ? nd / 2 : 1; c >= 1 && nd; c /= 2) {
		for (size_t s = 0; s < nd; s += c) {
			memcpy(m->tmp, m->cur, m->len);
			size_t z = 0;
			for (size_t j = s; j < s + c && j < nd; j++)
				if (m->tmp[pos[j]]) {
					m->tmp[pos[j]] = 0;
					z++;
				}
			if (z && try_accept(m, m->len))
				changed = 1;
		}
		if (c == 1)
			break;
	}
	free(pos);
	return changed;
}

/* Delete chunks of c bytes, c halving down to 1. */
static int delete_pass(struct mz *m)
{
	int changed = 0;
	for (size_t c = m->len / 2 ? m->len / 2 : 1; c >= 1 && m->len; c /= 2) {
		for (size_t s = 0; s < m->len;) {
			size_t k = s + c <= m->len ? c : m->len - s;
			memcpy(m->tmp, m->cur, s);
			memcpy(m->tmp + s, m->cur + s + k, m->len - s - k);
			if (try_accept(m, m->len - k))
				changed = 1; /* the bytes now at s are new: try them again */
			else
				s += c;
			if (m->execs >= m->max || m->err)
				return changed;
		}
		if (c == 1)
			break;
	}
	return changed;
}

/* Delta debugging from one starting schedule; budget max executions.  0 and a
 * malloc'ed result, or -1. */
static int dd_minimize(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
		       const char *site_file, int site_line, unsigned long max, unsigned long *used,
		       u8 **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	struct mz m = {.e = e, .kind = kind, .file = site_file, .line = site_line, .max = max};
	m.cur = malloc(len + 1);
	m.tmp = malloc(len + 1);
	if (!m.cur || !m.tmp)
		goto fail;
	if (len)
		memcpy(m.tmp, sched, len);
	if (!try_accept(&m, len))
		goto fail; /* does not fail that way to begin with */
	drop_unread(&m);
	for (int round = 0; round < 8; round++) {
		int ch = zero_pass(&m);
		drop_unread(&m);
		ch |= delete_pass(&m);
		drop_unread(&m);
		if (!ch || m.execs >= m.max || m.err)
			break;
	}
	if (m.err)
		goto fail;
	free(m.tmp);
	*used += m.execs;
	*out = m.cur;
	*out_len = m.len;
	return 0;
fail:
	*used += m.execs;
	free(m.cur);
	free(m.tmp);
	return -1;
}

/* Other starting points: failing schedules of the same kind and site that a pct
 * search finds.  Delta debugging is a local search over positional bytes (zeroing
 * a scheduling byte shifts where the later ones apply), so a start found by a
 * search that makes few decisions often minimizes further than the original. */
#define MZ_ALT_STARTS 6

struct alt_starts {
	enum ss_fail_kind kind;
	const char *file;
	int line;
	int n;
	u8 *sched[MZ_ALT_STARTS];
	size_t len[MZ_ALT_STARTS];
};

static void collect_start(void *ctx, const struct emu_result *r, const u8 *sched, size_t len)
{
	struct alt_starts *a = ctx;
	if (a->n == MZ_ALT_STARTS || !same_failure(r, a->kind, a->file, a->line))
		return;
	u8 *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, sched, len);
	a->sched[a->n] = copy;
	a->len[a->n++] = len;
}

static bool smaller(const u8 *a, size_t alen, const u8 *b, size_t blen)
{
	size_t da = ss_schedule_decisions(a, alen), db = ss_schedule_decisions(b, blen);
	return da < db || (da == db && alen < blen);
}

int ss_minimize_schedule(struct emu *e, const u8 *sched, size_t len, enum ss_fail_kind kind,
			 const char *site_file, int site_line, unsigned long max_execs, u8 **out,
			 size_t *out_len)
{
	unsigned long max = max_execs ? max_execs : 20000, used = 0;
	emu_set_trace(e, false);
	if (dd_minimize(e, sched, len, kind, site_file, site_line, max * 3 / 4, &used, out,
			out_len) != 0)
		return -1;
	if (ss_schedule_decisions(*out, *out_len) <= 2 || used >= max)
		return 0;

	struct alt_starts a = {.kind = kind, .file = site_file, .line = site_line};
	struct explore_opts o = {.seed = 0x5eed,
				 .max_execs = (max - used) / 4 + 1,
				 .keep_going = true,
				 .strategy = EXPLORE_PCT,
				 .on_failure = collect_start,
				 .failure_ctx = &a};
	struct explore_stats st;
	memset(&st, 0, sizeof(st));
	if (explore_pct(e, &o, &st) == 0)
		used += (unsigned long)st.executions;
	explore_stats_free(&st);
	for (int i = 0; i < a.n; i++) {
		u8 *cand = NULL;
		size_t clen = 0;
		unsigned long left = max > used ? max - used : 0;
		if (left > 0 &&
		    dd_minimize(e, a.sched[i], a.len[i], kind, site_file, site_line,
				left / (unsigned long)(a.n - i), &used, &cand, &clen) == 0) {
			if (smaller(cand, clen, *out, *out_len)) {
				free(*out);
				*out = cand;
				*out_len = clen;
			} else {
				free(cand);
			}
		}
		free(a.sched[i]);
	}
	emu_set_trace(e, false);
	return 0;
}
