/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line contract every command shares (docs/DESIGN-NOTES.md):
 * -h/--help, --usage and -V/--version as one argp child, output on the
 * streams the command's *_main() was handed, and argp that never exits:
 * a command's main returns 0 after help, 2 after a usage error
 * (exitcode.h), like every other refusal.
 *
 * A command lists cli_argp among its argp children, hands it its
 * struct cli at ARGP_KEY_INIT (state->child_inputs[i]) and parses with
 * cli_parse(). Option handlers report bad values with
 * `return cli_usage(state, "...", ...);`, which prints the message the
 * way argp does and stops the parse.
 */
#ifndef MEMHP_CLI_H
#define MEMHP_CLI_H

#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

struct cli {
	FILE *out, *err;
	bool done; /* help, usage or version printed: exit 0 */
};

extern const struct argp cli_argp;

/* argp_error() (message, then "Try ... --help"), and the error that ends
 * argp_parse() under ARGP_NO_EXIT. */
#define cli_usage(state, ...) (argp_error((state), __VA_ARGS__), EINVAL)

/*
 * argp_parse() with ARGP_NO_EXIT | ARGP_NO_HELP | @flags. Returns -1 when
 * the command should run, otherwise its exit status: 2 after a usage
 * error (already printed, even if help was printed too), 0 after --help,
 * --usage or --version.
 */
int cli_parse(const struct argp *argp, int argc, char **argv, unsigned int flags, void *input,
	      const struct cli *c);

/*
 * cli_parse() with argv[0] set to @prog ("memhp check"), so argp's messages
 * name the command however it was called; with @prog alone when @argc < 1
 * or @argv is NULL (a command run as a function).
 */
int cli_parse_as(const char *prog, const struct argp *argp, int argc, char **argv,
		 unsigned int flags, void *input, const struct cli *c);

/* "memhp VERSION (event ABI N)", what -V prints for every command. */
void cli_print_version(FILE *f);

#endif
