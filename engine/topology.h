/* engine/topology.h - where the CPUs are: packages, cores and SMT siblings read from
 * sysfs (/sys/devices/system/cpu/cpuN/topology), the pinning policies that choose a
 * CPU for each role from them, and the cache-line round-trip matrix between the
 * chosen CPUs.
 *
 * Pinning policies (thread t runs role t % nroles of pair t / nroles):
 *   spread         one CPU per physical core first, consecutive threads on different
 *                  packages first (a pair's two roles land on two packages when
 *                  there are two)
 *   compact        as close as possible: package, then core, SMT siblings together
 *   smt            the roles of a pair on SMT siblings of one core
 *   cross-package  the roles of a pair on different packages
 *   random         a seeded shuffle of the CPUs
 *   none           not pinned
 *   fixed          the CPUs in the order given (the bench runner, after choosing)
 * A request that cannot be met (no SMT siblings, one package) falls back (smt to
 * compact, cross-package to spread) with a one-line note saying so.
 */
#ifndef SS_ENGINE_TOPOLOGY_H
#define SS_ENGINE_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

enum ss_pin {
	SS_PIN_SPREAD,
	SS_PIN_COMPACT,
	SS_PIN_RANDOM,
	SS_PIN_NONE,
	SS_PIN_SMT,
	SS_PIN_CROSS_PACKAGE,
	SS_PIN_FIXED,
};

/* Where one CPU sits.  core is a machine-wide key (the first CPU of its
 * thread_siblings_list, else package * 65536 + core_id, else the CPU itself). */
struct ss_cpu_place {
	int cpu;
	int package; /* physical_package_id, 0 when absent */
	int core;
	int nsiblings; /* CPUs in its thread_siblings_list, 1 when absent */
};

#define SS_TOPOLOGY_MAX 64

struct ss_topology {
	int n;
	struct ss_cpu_place place[SS_TOPOLOGY_MAX]; /* in the order of the CPUs given */
	bool from_sysfs; /* false: nothing readable, every CPU its own core, one package */
};

/* The default sysfs root. */
#define SS_TOPOLOGY_SYSFS "/sys/devices/system/cpu"

/* Reads the places of the n CPUs (n <= SS_TOPOLOGY_MAX) under root (a directory
 * holding cpuN/topology/..., e.g. SS_TOPOLOGY_SYSFS or a fake tree).  Missing
 * files fall back as described above; never fails. */
void ss_topology_read(const char *root, const int *cpus, int n, struct ss_topology *t);

/* Chooses a host CPU for each of nthreads threads from t's CPUs by policy pin
 * (out[i] = -1 for every thread with SS_PIN_NONE; when there are fewer CPUs than
 * threads they are reused in order).  seed drives SS_PIN_RANDOM.  note gets one
 * line when the request could not be met as asked ("" otherwise).
 * Pre: t->n >= 1 unless pin is SS_PIN_NONE; nroles >= 1. */
void ss_pin_choose(const struct ss_topology *t, enum ss_pin pin, int nroles, int nthreads,
		   unsigned long long seed, int *out, char *note, size_t notelen);

/* "spread", "compact", "random", "none", "smt", "cross-package", "fixed"; parse
 * accepts the first six and returns -1 for anything else. */
const char *ss_pin_name(enum ss_pin pin);
int ss_pin_parse(const char *name, enum ss_pin *pin);

/* The distinct CPUs of cpus[0..n) (negative ones dropped) into out, in first-seen
 * order; returns how many. */
int ss_distinct_cpus(const int *cpus, int n, int *out);

/* Largest matrix measured: 32 CPUs (496 pairs, about a second). */
#define SS_RTT_MATRIX_MAX 32

/* Cache-line round trip in ns between every two of the n CPUs (n <=
 * SS_RTT_MATRIX_MAX), into ns[i * n + j] (0 on the diagonal, symmetric): the
 * median of 3 samples of 500 round trips per pair.  Returns 0, or -1 with a message
 * in err when a pair's threads could not be started or pinned. */
int ss_rtt_matrix(const int *cpus, int n, double *ns, char *err, size_t errlen);

#endif /* SS_ENGINE_TOPOLOGY_H */
