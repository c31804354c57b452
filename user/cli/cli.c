// SPDX-License-Identifier: GPL-2.0
/* -h/--help, --usage, -V/--version as one argp child (see cli.h). */
#include "cli.h"
#include "exitcode.h"
#include "memhp.h"

#ifndef MEMHP_VERSION
#define MEMHP_VERSION "(unknown version)"
#endif

enum { OPT_USAGE = 0xc11 };

/* Group -1: after every option of the command, as argp's own would be. */
static const struct argp_option options[] = {
	{"help", 'h', NULL, 0, "display this help", -1},
	{"usage", OPT_USAGE, NULL, 0, "display a short usage message", -1},
	{"version", 'V', NULL, 0, "display version", -1},
	{0},
};

void cli_print_version(FILE *f)
{
	fprintf(f, "memhp %s (event ABI %d)\n", MEMHP_VERSION, MEMHP_ABI_VERSION);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct cli *c = state->input;

	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		/* argp's own messages go where the command's output goes */
		if (c) {
			state->out_stream = c->out;
			state->err_stream = c->err;
		}
		return 0;
	case 'h':
		argp_state_help(state, c->out, ARGP_HELP_STD_HELP);
		c->done = true;
		return 0;
	case OPT_USAGE:
		argp_state_help(state, c->out, ARGP_HELP_USAGE);
		c->done = true;
		return 0;
	case 'V':
		cli_print_version(c->out);
		c->done = true;
		return 0;
	default: return ARGP_ERR_UNKNOWN;
	}
}

const struct argp cli_argp = {options, parse_opt, NULL, NULL, NULL, NULL, NULL};

int cli_parse(const struct argp *argp, int argc, char **argv, unsigned int flags, void *input,
	      const struct cli *c)
{
	int rc = argp_parse(argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP | flags, NULL, input);

	if (rc) /* a usage error counts even after a --help */
		return MEMHP_EXIT_USAGE;
	if (c->done)
		return MEMHP_EXIT_OK;
	return -1;
}

int cli_parse_as(const char *prog, const struct argp *argp, int argc, char **argv,
		 unsigned int flags, void *input, const struct cli *c)
{
	char *alone[] = { (char *)prog, NULL };

	if (argc < 1 || !argv) {
		argc = 1;
		argv = alone;
	}
	argv[0] = (char *)prog;
	return cli_parse(argp, argc, argv, flags, input, c);
}
