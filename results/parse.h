/* results/parse.h - value parsers the command line and the parser fuzzers share:
 * sizes, size/number lists and CPU lists.  They return errors instead of exiting
 * (so that libFuzzer can drive them, fuzz/parsers/lists.c), with one-line
 * messages that name the option, the bad value and what was expected.
 *
 * Limits: a list argument is at most SS_LIST_MAX_CHARS characters; a CPU list
 * names at most `max` CPUs (the caller's array) below CPU_SETSIZE.
 */
#ifndef SS_RES_PARSE_H
#define SS_RES_PARSE_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#define SS_LIST_MAX_CHARS 4096

/* A whole number from min to max (decimal, or 0x hex).  0, or -1 with err set. */
int ss_parse_ull(const char *opt, const char *arg, unsigned long long min, unsigned long long max,
		 unsigned long long *out, char *err, size_t errlen);
/* A size with optional K/M/G (KiB/MiB/GiB, B) suffix: "64", "4096", "64K". */
int ss_parse_size(const char *opt, const char *arg, unsigned long long *out, char *err,
		  size_t errlen);
/* A comma list of sizes (is_size) or whole numbers, each from min to hi, no empty
 * item, no value twice, at most max values.  Returns the count, or -1. */
int ss_parse_list(const char *opt, const char *arg, unsigned long long *out, int max,
		  unsigned long long min, unsigned long long hi, bool is_size, char *err,
		  size_t errlen);
/* A CPU list "0-3,8,10-11" into cpus[], each CPU in *allowed (NULL: any below
 * CPU_SETSIZE), none twice, at most max.  Returns the count, or -1. */
int ss_parse_cpu_list(const char *opt, const char *arg, const cpu_set_t *allowed, int *cpus,
		      int max, char *err, size_t errlen);

#endif /* SS_RES_PARSE_H */
