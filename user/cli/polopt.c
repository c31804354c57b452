// SPDX-License-Identifier: GPL-2.0
/* --policy, --sysroot, --interval, --duration, --no-bpf, --quiet as one argp child (polopt.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopt.h"
#include "polopt.h"

enum { OPT_NO_BPF = 0x9017 };

/* Groups as the commands had them: the state's source first, then timing. */
static const struct argp_option options[] = {
	{ "policy", 'p', "FILE", 0, "the policy file (YAML, docs/policy.md)", 0 },
	{ "sysroot", 's', "DIR", 0, "read the state from a copy under DIR", 0 },
	{ "interval", 'i', "TIME", 0, "state re-read every TIME", 1 },
	{ "duration", 'd', "TIME", 0, "stop after TIME (30s, 5m; default: at SIGINT/SIGTERM)", 1 },
	{ "no-bpf", OPT_NO_BPF, NULL, 0, "no BPF session", 1 },
	{ "quiet", 'q', NULL, 0, "no attach report on stderr", 1 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct polopt *o = state->input;

	switch (key) {
	case 'p':
		o->policy_file = arg;
		break;
	case 's':
		o->sysroot = arg;
		break;
	case 'i':
		if (!cliopt_parse_secs(arg, &o->interval, false) || o->interval < o->min_interval) {
			if (o->min_interval > 0)
				return cli_usage(state, "bad --interval seconds (>= %g): %s",
						 o->min_interval, arg);
			return cli_usage(state, "bad --interval seconds: %s", arg);
		}
		break;
	case 'd':
		if (!cliopt_parse_secs(arg, &o->duration, false))
			return cli_usage(state, "bad --duration seconds: %s", arg);
		break;
	case OPT_NO_BPF:
		o->no_bpf = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The command's text for an option, where it gave one (argp frees it). */
static char *help_filter(int key, const char *text, void *input)
{
	const struct polopt *o = input;
	const char *mine = NULL;

	if (!o || !o->help || !text)
		return (char *)text;
	switch (key) {
	case 's':
		mine = o->help->sysroot;
		break;
	case 'i':
		mine = o->help->interval;
		break;
	case 'd':
		mine = o->help->duration;
		break;
	case OPT_NO_BPF:
		mine = o->help->no_bpf;
		break;
	}
	if (!mine)
		return (char *)text;
	return strdup(mine) ?: (char *)text;
}

const struct argp polopt_argp = { options, parse_opt, NULL, NULL, NULL, help_filter, NULL };
