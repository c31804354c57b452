/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The options of the commands that run a BPF session, as argp children:
 * - sessopt_argp: --attach and --buffer-size, for every such command (trace,
 *   record, top, export, check, balloon, online-daemon); --mode is a hidden
 *   alias of --attach (check and online-daemon called it that);
 * - sessopt_offline_argp: --stuck-after and --watch-notifiers, only for the
 *   commands that show offlines (trace, record, top, export, check): balloon
 *   and online-daemon have nothing to show them in, so they do not offer
 *   options that would do nothing there.
 * A command lists the children it offers and hands each the same struct
 * sessopt at ARGP_KEY_INIT (state->child_inputs[i]), then sessopt_apply().
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
extern const struct argp sessopt_offline_argp;

/* The parsed options into the session's (what was not given stays 0: the
 * session's default). */
void sessopt_apply(const struct sessopt *o, struct session_opts *so);

#endif
