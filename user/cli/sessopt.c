// SPDX-License-Identifier: GPL-2.0
/* --attach and --buffer-size as one argp child (see sessopt.h). */
#include "cli.h"
#include "cliopt.h"
#include "sessopt.h"

enum { OPT_ATTACH = 0x5e55, OPT_BUF };

static const struct argp_option options[] = {
	{ "attach", OPT_ATTACH, "MODE", 0, LOADER_MODE_HELP, 0 },
	{ "buffer-size", OPT_BUF, "BYTES", 0, CLIOPT_RINGBUF_HELP, 0 },
	/* the old name in check and online-daemon, kept working */
	{ "mode", OPT_ATTACH, "MODE", OPTION_HIDDEN, NULL, 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sessopt *o = state->input;

	switch (key) {
	case OPT_ATTACH:
		if (loader_mode_parse(arg, &o->mode))
			return cli_usage(state, "invalid --attach '%s' (auto, fentry or kprobe)", arg);
		break;
	case OPT_BUF:
		if (!cliopt_parse_ringbuf(arg, &o->ringbuf_bytes))
			return cli_usage(state, CLIOPT_RINGBUF_BAD, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp sessopt_argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };
