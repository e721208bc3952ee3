/* engine/topology.c - packages, cores and SMT siblings from sysfs, the pinning
 * policies over them, and the round-trip matrix (engine/topology.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ceiling.h"
#include "engine/topology.h"

static const char *const pin_names[] = {"spread", "compact",	   "random", "none",
					"smt",	  "cross-package", "fixed"};

const char *ss_pin_name(enum ss_pin pin)
{
	return pin_names[pin];
}

int ss_pin_parse(const char *name, enum ss_pin *pin)
{
	for (int p = 0; p < SS_PIN_FIXED; p++)
		if (!strcmp(pin_names[p], name)) {
			*pin = (enum ss_pin)p;
			return 0;
		}
	return -1;
}

/* ---- reading sysfs ------------------------------------------------------------------ */

/* The first line of root/cpuN/topology/file into buf; 0, or -1 when unreadable. */
static int read_topology_file(const char *root, int cpu, const char *file, char *buf, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", root, cpu, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *got = fgets(buf, (int)n, f);
	fclose(f);
	return got ? 0 : -1;
}

/* A CPU list such as "0-1" or "0,4" or "2-3,8": its first CPU and how many. */
static int parse_cpu_list(const char *s, int *first)
{
	int count = 0;
	*first = -1;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s)
			return count;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return count;
		}
		if (*first < 0 || a < *first)
			*first = (int)a;
		count += (int)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	return count;
}

void ss_topology_read(const char *root, const int *cpus, int n, struct ss_topology *t)
{
	memset(t, 0, sizeof(*t));
	t->n = n < SS_TOPOLOGY_MAX ? n : SS_TOPOLOGY_MAX;
	for (int i = 0; i < t->n; i++) {
		struct ss_cpu_place *p = &t->place[i];
		char buf[256];
		int core_id = -1, first;
		p->cpu = cpus[i];
		p->core = cpus[i];
		p->nsiblings = 1;
		if (read_topology_file(root, cpus[i], "physical_package_id", buf, sizeof(buf)) == 0)
			p->package = atoi(buf), t->from_sysfs = true;
		if (read_topology_file(root, cpus[i], "core_id", buf, sizeof(buf)) == 0)
			core_id = atoi(buf), t->from_sysfs = true;
		if (core_id >= 0)
			p->core = p->package * 65536 + core_id;
		if (read_topology_file(root, cpus[i], "thread_siblings_list", buf, sizeof(buf)) ==
		    0) {
			int count = parse_cpu_list(buf, &first);
			if (count >= 1 && first >= 0) {
				p->core = first;
				p->nsiblings = count;
				t->from_sysfs = true;
			}
		}
	}
}

/* ---- choosing ----------------------------------------------------------------------- */

/* Per CPU: how many CPUs of the same core come before it, and its package's index
 * in first-seen order.  Returns the number of packages. */
static int ranks(const struct ss_topology *t, int *smt_rank, int *pkg_index)
{
	int pkgs[SS_TOPOLOGY_MAX], npkg = 0;
	for (int i = 0; i < t->n; i++) {
		smt_rank[i] = 0;
		for (int j = 0; j < i; j++)
			if (t->place[j].core == t->place[i].core)
				smt_rank[i]++;
		int k = 0;
		while (k < npkg && pkgs[k] != t->place[i].package)
			k++;
		if (k == npkg)
			pkgs[npkg++] = t->place[i].package;
		pkg_index[i] = k;
	}
	return npkg;
}

/* spread: one CPU per core first (by SMT rank), within a rank round-robin over the
 * packages; one package, no SMT: the order given.  Indexes into t->place. */
static int order_spread(const struct ss_topology *t, int *order)
{
	int smt_rank[SS_TOPOLOGY_MAX], pkg[SS_TOPOLOGY_MAX], m = 0;
	int npkg = ranks(t, smt_rank, pkg);
	bool used[SS_TOPOLOGY_MAX] = {false};
	for (int r = 0; m < t->n; r++)
		for (bool any = true; any;) {
			any = false;
			for (int p = 0; p < npkg; p++)
				for (int i = 0; i < t->n; i++)
					if (!used[i] && smt_rank[i] == r && pkg[i] == p) {
						used[i] = true;
						order[m++] = i;
						any = true;
						break;
					}
		}
	return npkg;
}

/* compact: stable sort by (package, core). */
static void order_compact(const struct ss_topology *t, int *order)
{
	for (int i = 0; i < t->n; i++)
		order[i] = i;
	for (int i = 1; i < t->n; i++)
		for (int j = i; j > 0; j--) {
			const struct ss_cpu_place *a = &t->place[order[j - 1]],
						  *b = &t->place[order[j]];
			if (a->package < b->package ||
			    (a->package == b->package && a->core <= b->core))
				break;
			int tmp = order[j - 1];
			order[j - 1] = order[j];
			order[j] = tmp;
		}
}

/* smt: groups of nroles siblings of one core first, then the rest compact.
 * Returns the number of groups. */
static int order_smt(const struct ss_topology *t, int nroles, int *order)
{
	int compact[SS_TOPOLOGY_MAX], rest[SS_TOPOLOGY_MAX], m = 0, nrest = 0, groups = 0;
	order_compact(t, compact);
	for (int i = 0; i < t->n;) {
		int j = i;
		while (j < t->n && t->place[compact[j]].core == t->place[compact[i]].core)
			j++;
		int k = i;
		for (; nroles > 1 && j - k >= nroles; k += nroles, groups++)
			for (int r = 0; r < nroles; r++)
				order[m++] = compact[k + r];
		for (; k < j; k++)
			rest[nrest++] = compact[k];
		i = j;
	}
	memcpy(order + m, rest, (size_t)nrest * sizeof(int));
	return groups;
}

/* cross-package: role r of pair p on package (p + r) mod packages, taking that
 * package's CPUs in spread order; when one runs out, the next that has one.
 * Returns false when some pair could not be split. */
static bool choose_cross(const struct ss_topology *t, int npkg, const int *spread, int nroles,
			 int nthreads, int *out)
{
	int smt_rank[SS_TOPOLOGY_MAX], pkg[SS_TOPOLOGY_MAX];
	bool used[SS_TOPOLOGY_MAX] = {false}, split = true;
	ranks(t, smt_rank, pkg);
	for (int th = 0; th < nthreads; th++) {
		int want = (th / nroles + th % nroles) % npkg, got = -1;
		for (int d = 0; d < npkg && got < 0; d++)
			for (int k = 0; k < t->n; k++) {
				int i = spread[k];
				if (!used[i] && pkg[i] == (want + d) % npkg) {
					got = i;
					split &= d == 0;
					break;
				}
			}
		if (got < 0) { /* more threads than CPUs: reuse in order */
			out[th] = out[th % t->n];
			continue;
		}
		used[got] = true;
		out[th] = t->place[got].cpu;
	}
	return split;
}

static void shuffle(int *order, int n, unsigned long long seed)
{
	unsigned long long s = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (int i = n - 1; i > 0; i--) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		int j = (int)(s % (unsigned long long)(i + 1)), tmp = order[i];
		order[i] = order[j], order[j] = tmp;
	}
}

void ss_pin_choose(const struct ss_topology *t, enum ss_pin pin, int nroles, int nthreads,
		   unsigned long long seed, int *out, char *note, size_t notelen)
{
	int order[SS_TOPOLOGY_MAX], npairs = (nthreads + nroles - 1) / nroles;
	note[0] = 0;
	if (pin == SS_PIN_NONE || t->n < 1) {
		for (int th = 0; th < nthreads; th++)
			out[th] = -1;
		return;
	}
	for (int i = 0; i < t->n; i++)
		order[i] = i;
	if (pin == SS_PIN_RANDOM)
		shuffle(order, t->n, seed);
	else if (pin == SS_PIN_COMPACT)
		order_compact(t, order);
	else if (pin == SS_PIN_SPREAD || pin == SS_PIN_CROSS_PACKAGE) {
		int npkg = order_spread(t, order);
		if (pin == SS_PIN_CROSS_PACKAGE && npkg > 1) {
			if (!choose_cross(t, npkg, order, nroles, nthreads, out))
				snprintf(note, notelen,
					 "--pin cross-package: not enough CPUs on each package: "
					 "some pairs have their roles on one package");
			return;
		}
		if (pin == SS_PIN_CROSS_PACKAGE)
			snprintf(note, notelen,
				 "--pin cross-package: all %d CPUs are on one package%s: "
				 "falling back to spread",
				 t->n, t->from_sysfs ? "" : " (no topology in sysfs)");
	} else if (pin == SS_PIN_SMT) {
		int groups = order_smt(t, nroles, order);
		if (groups == 0)
			snprintf(note, notelen,
				 "--pin smt: no core has %d SMT siblings among the %d CPUs (SMT "
				 "off or absent%s): falling back to compact",
				 nroles, t->n, t->from_sysfs ? "" : ", no topology in sysfs");
		else if (groups < npairs)
			snprintf(note, notelen,
				 "--pin smt: only %d of %d pairs can sit on SMT siblings: the rest "
				 "are placed compact",
				 groups, npairs);
	}
	for (int th = 0; th < nthreads; th++)
		out[th] = t->place[order[th % t->n]].cpu;
}

int ss_distinct_cpus(const int *cpus, int n, int *out)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		bool seen = cpus[i] < 0;
		for (int j = 0; j < m && !seen; j++)
			seen = out[j] == cpus[i];
		if (!seen)
			out[m++] = cpus[i];
	}
	return m;
}

/* ---- round trips -------------------------------------------------------------------- */

int ss_rtt_matrix(const int *cpus, int n, double *ns, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		ns[i * n + i] = 0;
		for (int j = i + 1; j < n; j++) {
			double v = ss_ceiling_rtt_ns(cpus[i], cpus[j], 500, 3, err, errlen);
			if (v < 0)
				return -1;
			ns[i * n + j] = ns[j * n + i] = v;
		}
	}
	return 0;
}
