/* engine/disturb.h - what disturbed a native run on a shared machine: involuntary
 * context switches of the pinned threads (getrusage RUSAGE_THREAD), the steal
 * time of their CPUs and the load average (/proc), and the verdict "disturbed"
 * with its reasons, so that a figure measured on a busy server is flagged, not
 * trusted. */
#ifndef SS_ENGINE_DISTURB_H
#define SS_ENGINE_DISTURB_H

#include <stdbool.h>

/* Thresholds: more than this many involuntary switches per pinned thread per
 * second, more than this share of steal time, a 1-minute load average above the
 * online CPUs. */
#define SS_DISTURB_IVCSW_PER_S 20.0
#define SS_DISTURB_STEAL_PCT   2.0

struct ss_disturbance {
	unsigned long long ivcsw, vcsw; /* over the pinned threads */
	double steal_pct;		/* steal / all ticks of their CPUs, in % */
	double loadavg1;		/* at the end */
	int cpus_online;
	bool disturbed;
	char reasons[160]; /* "" or "12 involuntary switches/s/thread; load 5.1 > 2 CPUs" */
};

/* Ticks of the given CPUs from /proc/stat (steal and all); 0 when unreadable. */
void ss_cpu_ticks(const int *cpus, int n, unsigned long long *steal, unsigned long long *total);
/* Fills in steal_pct, loadavg1, cpus_online and the verdict from the counters
 * already in d, the tick deltas and the run's length and thread count. */
void ss_disturbance_judge(struct ss_disturbance *d, unsigned long long steal,
			  unsigned long long total, double elapsed, int nthreads);

#endif /* SS_ENGINE_DISTURB_H */
