/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --attach, --buffer-size and --stuck-after, the options of the commands that
 * run a BPF session (trace, record, top, export, balloon, check,
 * online-daemon): one argp child. --mode is a hidden alias of --attach (check
 * and online-daemon called it that). A command lists
 * sessopt_argp among its children and hands it a struct sessopt at
 * ARGP_KEY_INIT (state->child_inputs[i]).
 */
#ifndef MEMHP_SESSOPT_H
#define MEMHP_SESSOPT_H

#include <argp.h>
#include <stdint.h>

#include "loader.h"
#include "session.h"

struct sessopt {
	enum loader_mode mode;	/* --attach */
	uint32_t ringbuf_bytes; /* --buffer-size; 0: the default */
	uint64_t stuck_after_ns; /* --stuck-after; 0: the default, SESS_STUCK_OFF: never */
	bool watch_notifiers;	 /* --watch-notifiers */
};


extern const struct argp sessopt_argp;

#endif
