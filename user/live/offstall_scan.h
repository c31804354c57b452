/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session's half of lib/offstall.h: walks the "offlines" map for
 * offline_pages() calls in flight and makes the progress events BPF could
 * not (an offline stuck inside one step).
 */
#ifndef MEMHP_OFFSTALL_SCAN_H
#define MEMHP_OFFSTALL_SCAN_H

#include <stdint.h>

#include "offstall.h"

typedef void (*offstall_emit_fn)(const struct memhp_event *e, void *ctx);

/*
 * One walk of @fd (the "offlines" map) at @now_ns (CLOCK_MONOTONIC ns): an
 * OFFLINE_PROGRESS event through @emit for each call offstall_due() says
 * is due and whose thread is in offline_pages() as far as /proc can tell
 * (a thread whose kernel stack /proc shows and that is elsewhere left a
 * stale entry behind, exits.h). Returns the events made, or -errno.
 */
int offstall_scan(int fd, struct offstall *st, uint64_t now_ns, offstall_emit_fn emit,
		  void *ctx);

#endif
