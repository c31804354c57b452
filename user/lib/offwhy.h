/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why an offline ended (or what a running one waits for), from the why
 * fields of OFFLINE and OFFLINE_PROGRESS events (bpf/offwhy.bpf.c): the
 * kernel's own reason words (offline_pages() in mm/memory_hotplug.c, the
 * same on 6.1 and 6.12), the step names, and the blocking page's kind.
 */
#ifndef MEMHP_OFFWHY_H
#define MEMHP_OFFWHY_H

#include <stdio.h>

#include "memhp.h"

enum offwhy_reason {
	OFFWHY_NONE = 0,   /* succeeded (or still running) */
	OFFWHY_HOLES,	   /* "memory holes" */
	OFFWHY_ISOLATE,	   /* "failure to isolate range" */
	OFFWHY_NOTIFIER,   /* "notifier failure" */
	OFFWHY_SIGNAL,	   /* "signal backoff" */
	OFFWHY_UNMOVABLE,  /* "unmovable page" */
	OFFWHY_DISSOLVE,   /* "failure to dissolve huge pages" */
	OFFWHY_UNKNOWN,	   /* failed, but what memhp saw does not say why */
	OFFWHY_NR,
};

/* The reason of an OFFLINE event; OFFWHY_NONE for ret 0 or no why fields. */
enum offwhy_reason offwhy_reason(const struct memhp_event *e);
/* The kernel's words ("unmovable page"); "" for OFFWHY_NONE. */
const char *offwhy_reason_name(enum offwhy_reason r);
/* Short label for metrics ("unmovable_page"). */
const char *offwhy_reason_label(enum offwhy_reason r);
/* "migration", "isolation", ... for enum memhp_offline_phase. */
const char *offwhy_phase_name(unsigned int phase);
/* notifier_to_errno() of a notifier chain result (include/linux/notifier.h). */
int offwhy_notifier_errno(int notify_ret);

/*
 * Fills e->blocker_kind from /proc/kpageflags and /proc/kpagecount (root;
 * under @sysroot if not NULL) when the event names a blocking page: the
 * page's kind now, moments after the kernel reported it. Leaves 0 when the
 * files cannot be read.
 */
void offwhy_annotate(struct memhp_event *e, const char *sysroot);
/* The blocker's kind name, NULL when not known. */
const char *offwhy_blocker_kind(const struct memhp_event *e);

/* "  why: ..." (failures and progress), nothing when there is nothing to say. */
void offwhy_print_text(FILE *f, const struct memhp_event *e);
/* ,"phase":...,"reason":... (the JSON fields of docs/events.md). */
void offwhy_print_json(FILE *f, const struct memhp_event *e);

#endif
