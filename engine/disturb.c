/* engine/disturb.c - reads /proc/stat and /proc/loadavg around a native run and
 * judges whether the run was disturbed (see disturb.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/disturb.h"

void ss_cpu_ticks(const int *cpus, int n, unsigned long long *steal, unsigned long long *total)
{
	*steal = *total = 0;
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		int cpu;
		unsigned long long v[8] = {0};
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 9)
			continue;
		for (int i = 0; i < n; i++)
			if (cpus[i] == cpu) {
				for (int k = 0; k < 8; k++)
					*total += v[k];
				*steal += v[7];
			}
	}
	fclose(f);
}

void ss_disturbance_judge(struct ss_disturbance *d, unsigned long long steal,
			  unsigned long long total, double elapsed, int nthreads)
{
	d->steal_pct = total ? 100.0 * (double)steal / (double)total : 0;
	d->loadavg1 = 0;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &d->loadavg1) != 1)
			d->loadavg1 = 0;
		fclose(f);
	}
	d->cpus_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	d->reasons[0] = 0;
	size_t o = 0;
	double per = elapsed > 0 && nthreads > 0 ? (double)d->ivcsw / elapsed / nthreads : 0;
	if (per > SS_DISTURB_IVCSW_PER_S)
		o += (size_t)snprintf(d->reasons + o, sizeof(d->reasons) - o,
				      "%s%.0f involuntary switches/s per pinned thread",
				      o ? "; " : "", per);
	if (o < sizeof(d->reasons) && d->steal_pct > SS_DISTURB_STEAL_PCT)
		o += (size_t)snprintf(d->reasons + o, sizeof(d->reasons) - o, "%ssteal %.1f%%",
				      o ? "; " : "", d->steal_pct);
	if (o < sizeof(d->reasons) && d->cpus_online > 0 && d->loadavg1 > d->cpus_online)
		o += (size_t)snprintf(d->reasons + o, sizeof(d->reasons) - o,
				      "%sload %.1f > %d CPUs", o ? "; " : "", d->loadavg1,
				      d->cpus_online);
	d->disturbed = o > 0;
}
