/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two files of memhp top share: top.c (options, the curses and
 * --batch front ends, main) and top_collect.c (the session's events and
 * sysfs into a top_data for top_render).
 */
#ifndef MEMHP_TOP_INT_H
#define MEMHP_TOP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "offrun.h"
#include "policy.h"
#include "readiness_keep.h"
#include "session.h"
#include "sessopt.h"
#include "top_render.h"

struct top_opts {
	FILE *out, *err;
	struct cli cli; /* -h, --usage, -V */
	bool no_bpf, verbose; /* --no-bpf: sysfs re-read every --interval */
	long batch;	/* frames to print as text; 0: curses */
	double interval; /* seconds between refreshes (--interval) */
	double duration; /* stop after this many seconds (--duration); 0: never */
	int max_ratio;	/* percent, 0: the kernel's */
	const char *sysroot;
	struct sessopt sess; /* --attach, --buffer-size, --stuck-after, --watch-notifiers */
	const char *policy; /* --policy FILE */
};

/* What the front ends and the collection share; events under s.lock when live. */
struct top_state {
	struct top_opts *o;
	struct session s;
	bool live;
	char events[TOP_MAX_EVENTS][TOP_LINE]; /* ring, under s.lock */
	size_t ev_head, ev_count;
	uint64_t seen;
	char mode[96];
	char release[64];
	struct policy pol; /* with --policy */
	bool have_pol;
	struct policy_watch watch; /* violations as they appear and clear */
	struct rd_keep rdk; /* min-unpluggable: a readiness scan a minute at most */
	struct offrun run; /* offlines in flight, under s.lock */
};

/* The session's event callback: one line per event into the ring. */
void top_on_event(struct session *s, const struct memhp_event *e, void *ctx);

/* One frame's data: the live model (or a sysfs snapshot), zoneinfo, alerts.
 * 0 or -ENOMEM. */
int top_collect(struct top_state *st, struct top_data *d);

#endif
