/* results/parse.c - sizes, comma lists and CPU lists, parsed without exiting (see
 * parse.h); cmd/cli.c turns an error into the usage line and exit 2. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "results/parse.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

int ss_parse_ull(const char *opt, const char *arg, unsigned long long min, unsigned long long max,
		 unsigned long long *out, char *err, size_t errlen)
{
	char *end;
	if (!arg || !isdigit((unsigned char)arg[0]))
		return ERR("cannot parse %s '%s': expected a whole number from %llu to %llu", opt,
			   arg ? arg : "", min, max);
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || *end || v < min || v > max)
		return ERR("cannot parse %s '%s': expected a whole number from %llu to %llu", opt,
			   arg, min, max);
	*out = v;
	return 0;
}

int ss_parse_size(const char *opt, const char *arg, unsigned long long *out, char *err,
		  size_t errlen)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = arg && isdigit((unsigned char)arg[0]) ? strtoull(arg, &end, 0) : 0;
	unsigned shift = 0;
	if (v && !errno) {
		if (!strcmp(end, "") || !strcmp(end, "B"))
			shift = 0;
		else if (!strcasecmp(end, "K") || !strcasecmp(end, "KiB"))
			shift = 10;
		else if (!strcasecmp(end, "M") || !strcasecmp(end, "MiB"))
			shift = 20;
		else if (!strcasecmp(end, "G") || !strcasecmp(end, "GiB"))
			shift = 30;
		else
			v = 0;
	}
	if (errno || !v || (v << shift) >> shift != v)
		return ERR("cannot parse %s '%s': expected a size in bytes like 64, 4096 or 64K",
			   opt, arg ? arg : "");
	*out = v << shift;
	return 0;
}

static int check_length(const char *opt, const char *arg, char *err, size_t errlen)
{
	size_t l = strnlen(arg, SS_LIST_MAX_CHARS + 1);
	if (l > SS_LIST_MAX_CHARS)
		return ERR("%s: list longer than %d characters (limit)", opt, SS_LIST_MAX_CHARS);
	return 0;
}

int ss_parse_list(const char *opt, const char *arg, unsigned long long *out, int max,
		  unsigned long long min, unsigned long long hi, bool is_size, char *err,
		  size_t errlen)
{
	const char *eg = is_size ? "64,256" : "1,32";
	if (!arg || check_length(opt, arg, err, errlen))
		return arg ? -1 : ERR("%s: no list given", opt);
	int n = 0;
	const char *p = arg;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (!l)
			return ERR(
			    "cannot parse %s '%s': empty item, expected a comma list like %s", opt,
			    arg, eg);
		char item[64];
		if (l >= sizeof(item))
			return ERR("cannot parse %s '%s': item '%.*s...' too long", opt, arg, 16,
				   p);
		memcpy(item, p, l);
		item[l] = 0;
		if (n == max)
			return ERR("%s '%s': more than %d values", opt, arg, max);
		unsigned long long v;
		if (is_size ? ss_parse_size(opt, item, &v, err, errlen)
			    : ss_parse_ull(opt, item, min, hi, &v, err, errlen))
			return -1;
		if (v < min || v > hi)
			return ERR(
			    "cannot parse %s '%s': %llu is out of range: expected %llu to %llu",
			    opt, arg, v, min, hi);
		for (int i = 0; i < n; i++)
			if (out[i] == v)
				return ERR("%s '%s': %llu is listed twice", opt, arg, v);
		out[n++] = v;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

int ss_parse_cpu_list(const char *opt, const char *arg, const cpu_set_t *allowed, int *cpus,
		      int max, char *err, size_t errlen)
{
	if (!arg || !*arg)
		return ERR("cannot parse %s '': expected a CPU list like 0-3,8", opt);
	if (check_length(opt, arg, err, errlen))
		return -1;
	int n = 0;
	const char *p = arg;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return ERR("cannot parse %s '%s': expected a CPU list like 0-3,8", opt,
				   arg);
		errno = 0;
		long lo = strtol(p, &end, 10), hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return ERR("cannot parse %s '%s': expected a CPU list like 0-3,8",
					   opt, arg);
			hi = strtol(p, &end, 10);
			p = end;
		}
		if (errno)
			return ERR("cannot parse %s '%s': CPU number out of range", opt, arg);
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return ERR("cannot parse %s '%s': expected a CPU list like 0-3,8", opt,
				   arg);
		if (hi < lo)
			return ERR("cannot parse %s '%s': range %ld-%ld is empty", opt, arg, lo,
				   hi);
		for (long c = lo; c <= hi; c++) {
			if (c >= CPU_SETSIZE && !allowed)
				return ERR("%s '%s': CPU %ld is beyond the limit of %d CPUs", opt,
					   arg, c, CPU_SETSIZE);
			if (allowed && (c >= CPU_SETSIZE || !CPU_ISSET(c, allowed)))
				return ERR("%s '%s': CPU %ld is not available to this process "
					   "(it may use %d CPUs, see nproc)",
					   opt, arg, c, CPU_COUNT(allowed));
			for (int i = 0; i < n; i++)
				if (cpus[i] == c)
					return ERR("%s '%s': CPU %ld is listed twice", opt, arg, c);
			if (n == max)
				return ERR("%s '%s': more than %d CPUs", opt, arg, max);
			cpus[n++] = (int)c;
		}
	}
	return n;
}
