/* cmd/repro_arg.c - the reproducer FILE argument (cmd/repro_arg.h). */
#include "cmd/repro_arg.h"

#include "cmd/cli.h"

error_t cli_reproducer_arg(const char *cmd, int key, char *arg, const char **file)
{
	switch (key) {
	case ARGP_KEY_ARG:
		if (*file)
			cli_usage_error("%s: unexpected second argument '%s' (one reproducer)", cmd,
					arg);
		*file = arg;
		return 0;
	case ARGP_KEY_END:
		if (!*file)
			cli_usage_error("%s: no reproducer file given", cmd);
		return 0;
	default: return ARGP_ERR_UNKNOWN;
	}
}
