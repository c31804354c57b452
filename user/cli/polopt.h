/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --policy, --sysroot, --interval, --duration, --no-bpf and --quiet, the
 * options of the commands that apply a policy to the state over time (check,
 * online-daemon): one argp child. Its values are parsed and checked in one
 * place; the help of --sysroot, --interval, --duration and --no-bpf says
 * what the option does for the command, so each command hands its own
 * texts (struct polopt_help) with its struct polopt at ARGP_KEY_INIT
 * (state->child_inputs[i]).
 */
#ifndef MEMHP_POLOPT_H
#define MEMHP_POLOPT_H

#include <argp.h>
#include <stdbool.h>

/* The command's words for the options whose meaning it shapes. */
struct polopt_help {
	const char *sysroot, *interval, *duration, *no_bpf;
};

struct polopt {
	const char *policy_file; /* --policy; NULL: none given */
	const char *sysroot;	 /* --sysroot; NULL: the running system */
	double interval;	 /* --interval, seconds; left as set when not given */
	double duration;	 /* --duration, seconds; 0: until a signal */
	bool no_bpf, quiet;
	double min_interval; /* set by the command: a shorter --interval is refused */
	const struct polopt_help *help;
};

extern const struct argp polopt_argp;

#endif
