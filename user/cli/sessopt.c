// SPDX-License-Identifier: GPL-2.0
/* The BPF session's options as two argp children (see sessopt.h). */
#include "cli.h"
#include "cliopt.h"
#include "sessopt.h"

enum { OPT_ATTACH = 0x5e55, OPT_BUF, OPT_STUCK, OPT_WATCH_NOTIFIERS };

/* A duration (cliopt: 10s, 500ms, 2m); 0 turns the alarm off. */
static bool parse_stuck(const char *arg, uint64_t *out)
{
	double v;

	if (!cliopt_parse_secs(arg, &v, true))
		return false;
	v *= 1e9;
	*out = v == 0 ? SESS_STUCK_OFF : v < 1 ? 1 : (uint64_t)v;
	return true;
}

static const struct argp_option options[] = {
	{ "attach", OPT_ATTACH, "MODE", 0, LOADER_MODE_HELP, 0 },
	{ "buffer-size", OPT_BUF, "BYTES", 0, CLIOPT_RINGBUF_HELP, 0 },
	/* the old name in check and online-daemon, kept working */
	{ "mode", OPT_ATTACH, "MODE", OPTION_HIDDEN, NULL, 0 },
	{ 0 },
};

static const struct argp_option offline_options[] = {
	{ "stuck-after", OPT_STUCK, "TIME", 0,
	  "Report an offline still running after TIME (10s, 500ms; default 10s, 0: never)", 0 },
	{ "watch-notifiers", OPT_WATCH_NOTIFIERS, NULL, 0,
	  "Kernels before 6.2 (no notifier_run tracepoint): watch every memory notifier "
	  "callback, by kprobe or (notrace ones) hardware breakpoint, so an offline the chain "
	  "vetoed names the callback; costs a probe hit per callback per chain call "
	  "(docs/kernels.md). 6.2+ names it without this",
	  0 },
	{ 0 },
};

/* Both children: each option is in one table only, so one parser serves. */
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
	case OPT_WATCH_NOTIFIERS:
		o->watch_notifiers = true;
		break;
	case OPT_STUCK:
		if (!parse_stuck(arg, &o->stuck_after_ns))
			return cli_usage(state, "invalid --stuck-after '%s' (10s, 500ms, 0 for never)",
					 arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp sessopt_argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };
const struct argp sessopt_offline_argp = { offline_options, parse_opt, NULL, NULL, NULL,
					   NULL, NULL };

void sessopt_apply(const struct sessopt *o, struct session_opts *so)
{
	so->mode = o->mode;
	so->ringbuf_bytes = o->ringbuf_bytes;
	so->stuck_after_ns = o->stuck_after_ns;
	so->watch_notifiers = o->watch_notifiers;
}
