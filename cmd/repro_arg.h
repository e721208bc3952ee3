/* cmd/repro_arg.h - the one FILE argument of the subcommands that read a
 * reproducer (replay, minimize): exactly one, or a usage error naming the
 * subcommand. */
#ifndef SS_CMD_REPRO_ARG_H
#define SS_CMD_REPRO_ARG_H

#include <argp.h>

/* For an argp parser's default case: takes ARGP_KEY_ARG (the file; a second
 * one is a usage error) and ARGP_KEY_END (none given: usage error) into *file;
 * any other key: ARGP_ERR_UNKNOWN. */
error_t cli_reproducer_arg(const char *cmd, int key, char *arg, const char **file);

#endif /* SS_CMD_REPRO_ARG_H */
