/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why an offline ended (or what a running one waits for), from the why
 * fields of OFFLINE and OFFLINE_PROGRESS events (bpf/offwhy.bpf.c): the
 * kernel's own reason words (offline_pages() in mm/memory_hotplug.c, the
 * same on 6.1 and 6.12), the step names, and the blocking page's kind.
 */
#ifndef MEMHP_OFFWHY_H
#define MEMHP_OFFWHY_H

#include <stdbool.h>
#include <stdio.h>

#include "memhp.h"
#include "pgowner.h"

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
 * /proc/kpageflags and /proc/kpagecount, opened once when the session
 * starts (before it drops privileges): naming a blocker then costs two
 * 8-byte preads (docs/events.md, "blocker kind": about 2 us, against 14 us
 * when both files were opened and closed per event). -1: not open.
 */
struct offwhy_pagefiles {
	int flags_fd, count_fd;
};

/* Opens both under @sysroot (NULL: /). 0, or -errno with both left -1. */
int offwhy_pagefiles_open(struct offwhy_pagefiles *pf, const char *sysroot);
void offwhy_pagefiles_close(struct offwhy_pagefiles *pf);

/*
 * Fills e->blocker_kind from the page files when the event names a
 * blocking page: the page's kind now, moments after the kernel reported
 * it. Leaves 0 when the files are not open or cannot be read.
 */
void offwhy_annotate(struct memhp_event *e, const struct offwhy_pagefiles *pf);

/*
 * What memhp record stores for the raw ring-buffer record @data of @size
 * bytes that decoded to @e: the same bytes with @e's blocker_kind written
 * in, so that a replay names the kind the live session named. Copies into
 * @out and returns the length when there is a kind to store; 0: store
 * @data as it is (another kind of event, no why fields, a record too short
 * for the field or longer than @outlen).
 */
size_t offwhy_record_bytes(const void *data, size_t size, const struct memhp_event *e,
			   void *out, size_t outlen);

/* Whether @e names a blocking page (blocker_pfn valid). */
bool offwhy_has_blocker(const struct memhp_event *e);

/* The blocker's kind name, NULL when not known. */
const char *offwhy_blocker_kind(const struct memhp_event *e);

/*
 * "  why: ..." (failures and progress), nothing when there is nothing to
 * say. @owner: the live session's owner lookup of the blocker page; NULL
 * where there is none to have (a replay): the owner then reads "not
 * recorded".
 */
void offwhy_print_text(FILE *f, const struct memhp_event *e, const struct pgowner_note *owner);
/* ,"phase":...,"reason":... (the JSON fields of docs/events.md). */
void offwhy_print_json(FILE *f, const struct memhp_event *e, const struct pgowner_note *owner);

#endif
