/* engine/pct.h - PCT's priority rule (Burckhardt et al., ASPLOS 2010), shared by
 * the schedule engine (engine/explore.c) and the graph engine's pct
 * (engine/gexplore.c): at each change point reached the running CPU drops below
 * every other (change point j lowers it to d - 1 - j), and the runnable CPU of
 * highest priority goes next. */
#ifndef SS_ENGINE_PCT_H
#define SS_ENGINE_PCT_H

#include "engine/emu.h"

/* Passes the change points cp[*next_cp ..] (ascending) up to pi->step, then
 * returns the index in pi->cpus of the runnable CPU of highest priority. */
static inline int pct_highest(int *prio, const unsigned long *cp, unsigned ncp, unsigned *next_cp,
			      unsigned d, const struct emu_pick_info *pi)
{
	while (*next_cp < ncp && cp[*next_cp] <= pi->step) {
		prio[pi->cur] = (int)d - 1 - (int)*next_cp;
		(*next_cp)++;
	}
	int best = 0;
	for (int i = 1; i < pi->n; i++)
		if (prio[pi->cpus[i]] > prio[pi->cpus[best]])
			best = i;
	return best;
}

/* Sorts the ncp change points ascending (a handful: insertion sort). */
static inline void pct_sort_change_points(unsigned long *cp, unsigned ncp)
{
	for (unsigned a = 1; a < ncp; a++)
		for (unsigned b = a; b > 0 && cp[b - 1] > cp[b]; b--) {
			unsigned long t = cp[b];
			cp[b] = cp[b - 1];
			cp[b - 1] = t;
		}
}

#endif /* SS_ENGINE_PCT_H */
