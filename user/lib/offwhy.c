// SPDX-License-Identifier: GPL-2.0
/* Naming why an offline ended (see offwhy.h, docs/events.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "jsonstr.h"
#include "kpage.h"
#include "ksyms.h"
#include "decode.h"
#include "offwhy.h"

/* include/linux/notifier.h */
#define NOTIFY_OK_ 0x0001
#define NOTIFY_STOP_MASK_ 0x8000

int offwhy_notifier_errno(int ret)
{
	ret &= ~NOTIFY_STOP_MASK_;
	return ret > NOTIFY_OK_ ? NOTIFY_OK_ - ret : 0;
}

/*
 * In offline_pages()' own order: the first step that reported a failure is
 * the one that ended the call; what is left is told apart by the errno
 * (-EINTR only from the signal check, -EBUSY from scan_movable_pages()
 * once the notifier chain passed, -EINVAL only from the checks before
 * isolation).
 */
enum offwhy_reason offwhy_reason(const struct memhp_event *e)
{
	unsigned int seen;

	/* the kind first: other kinds may lack the why fields (decode.h) */
	if (e->hdr.kind != MEMHP_EV_OFFLINE || !(e->flags & MEMHP_F_WHY) || e->ret == 0)
		return OFFWHY_NONE;
	seen = e->why_seen;
	if ((seen & MEMHP_SEEN_ISOLATE) && e->isolate_ret)
		return OFFWHY_ISOLATE;
	if ((seen & MEMHP_SEEN_NOTIFY) && offwhy_notifier_errno(e->notify_ret))
		return OFFWHY_NOTIFIER;
	if ((seen & MEMHP_SEEN_DISSOLVE) && e->dissolve_ret)
		return OFFWHY_DISSOLVE;
	if (e->ret == -EINTR)
		return OFFWHY_SIGNAL;
	if (e->ret == -EBUSY &&
	    (seen & (MEMHP_SEEN_NOTIFY | MEMHP_SEEN_MIGRATE | MEMHP_SEEN_TEST)))
		return OFFWHY_UNMOVABLE;
	if (e->ret == -EINVAL && !(seen & (MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY)))
		return OFFWHY_HOLES;
	return OFFWHY_UNKNOWN;
}

const char *offwhy_reason_name(enum offwhy_reason r)
{
	static const char *const n[OFFWHY_NR] = {
		[OFFWHY_NONE] = "",
		[OFFWHY_HOLES] = "memory holes",
		[OFFWHY_ISOLATE] = "failure to isolate range",
		[OFFWHY_NOTIFIER] = "notifier failure",
		[OFFWHY_SIGNAL] = "signal backoff",
		[OFFWHY_UNMOVABLE] = "unmovable page",
		[OFFWHY_DISSOLVE] = "failure to dissolve huge pages",
		[OFFWHY_UNKNOWN] = "unknown",
	};

	return (unsigned int)r < OFFWHY_NR ? n[r] : "unknown";
}

const char *offwhy_reason_label(enum offwhy_reason r)
{
	static const char *const n[OFFWHY_NR] = {
		[OFFWHY_NONE] = "none",
		[OFFWHY_HOLES] = "memory_holes",
		[OFFWHY_ISOLATE] = "isolate_range",
		[OFFWHY_NOTIFIER] = "notifier",
		[OFFWHY_SIGNAL] = "signal",
		[OFFWHY_UNMOVABLE] = "unmovable_page",
		[OFFWHY_DISSOLVE] = "dissolve_huge_pages",
		[OFFWHY_UNKNOWN] = "unknown",
	};

	return (unsigned int)r < OFFWHY_NR ? n[r] : "unknown";
}

const char *offwhy_phase_name(unsigned int phase)
{
	static const char *const n[] = {
		[MEMHP_PHASE_NONE] = "hole check",
		[MEMHP_PHASE_HOLES] = "hole check",
		[MEMHP_PHASE_ISOLATE] = "isolation",
		[MEMHP_PHASE_NOTIFY] = "notifier",
		[MEMHP_PHASE_MIGRATE] = "migration",
		[MEMHP_PHASE_DISSOLVE] = "hugetlb dissolve",
		[MEMHP_PHASE_TEST] = "isolation test",
	};

	return phase < sizeof(n) / sizeof(n[0]) ? n[phase] : "unknown";
}

int offwhy_pagefiles_open(struct offwhy_pagefiles *pf, const char *sysroot)
{
	pf->flags_fd = kpage_open(sysroot, "kpageflags");
	if (pf->flags_fd < 0) {
		int err = pf->flags_fd;

		pf->flags_fd = pf->count_fd = -1;
		return err;
	}
	pf->count_fd = kpage_open(sysroot, "kpagecount");
	if (pf->count_fd < 0) {
		int err = pf->count_fd;

		offwhy_pagefiles_close(pf);
		return err;
	}
	return 0;
}

void offwhy_pagefiles_close(struct offwhy_pagefiles *pf)
{
	if (pf->flags_fd >= 0)
		close(pf->flags_fd);
	if (pf->count_fd >= 0)
		close(pf->count_fd);
	pf->flags_fd = pf->count_fd = -1;
}

bool offwhy_has_blocker(const struct memhp_event *e)
{
	return event_kind_has_why(e->hdr.kind) && (e->flags & MEMHP_F_WHY) &&
	       (e->why_seen & MEMHP_SEEN_BLOCKER) && e->blocker_pfn != UINT64_MAX;
}

void offwhy_annotate(struct memhp_event *e, const struct offwhy_pagefiles *pf)
{
	uint64_t flags, count;

	e->blocker_kind = 0;
	if (!offwhy_has_blocker(e) || !pf || pf->flags_fd < 0 || pf->count_fd < 0)
		return;
	if (kpage_read_fd(pf->flags_fd, e->blocker_pfn, 1, &flags) ||
	    kpage_read_fd(pf->count_fd, e->blocker_pfn, 1, &count))
		return;
	e->blocker_kind = (unsigned int)kpage_classify(flags, count, count) + 1;
}

size_t offwhy_record_bytes(const void *data, size_t size, const struct memhp_event *e,
			   void *out, size_t outlen)
{
	const size_t at = offsetof(struct memhp_event, blocker_kind);

	if (!data || !event_kind_has_why(e->hdr.kind) || !(e->flags & MEMHP_F_WHY) ||
	    e->hdr.size < at + sizeof(e->blocker_kind) || size < e->hdr.size || size > outlen)
		return 0;
	memcpy(out, data, size);
	memcpy((char *)out + at, &e->blocker_kind, sizeof(e->blocker_kind));
	return size;
}

const char *offwhy_blocker_kind(const struct memhp_event *e)
{
	if (!event_kind_has_why(e->hdr.kind) || !(e->flags & MEMHP_F_WHY) || !e->blocker_kind || e->blocker_kind > KPAGE_NR_KINDS)
		return NULL;
	return kpage_kind_name((enum kpage_kind)(e->blocker_kind - 1));
}

static bool has_why(const struct memhp_event *e)
{
	return (e->hdr.kind == MEMHP_EV_OFFLINE || e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS) &&
	       (e->flags & MEMHP_F_WHY);
}

void offwhy_print_text(FILE *f, const struct memhp_event *e, const struct pgowner_note *owner)
{
	enum offwhy_reason r = offwhy_reason(e);
	const char *kind;
	char cb[128];

	if (!has_why(e))
		return;
	/* a success: what it took, when it had to migrate */
	if (e->hdr.kind == MEMHP_EV_OFFLINE && e->ret == 0) {
		if (e->why_seen & MEMHP_SEEN_MIGRATE)
			fprintf(f, "  done: %u migration passes, %" PRIu64 " migrated, %" PRIu64
				   " failed",
				e->migrate_passes, (uint64_t)e->pages_migrated,
				(uint64_t)e->pages_failed);
		return;
	}
	if (e->hdr.kind == MEMHP_EV_OFFLINE)
		fprintf(f, "  why: %s (%s)", offwhy_reason_name(r), offwhy_phase_name(e->phase));
	else
		fprintf(f, "  running: %s%s", offwhy_phase_name(e->phase),
			(e->flags & MEMHP_F_TIMER) ? " (inside this step: no step ended lately)" : "");
	if (e->why_seen & MEMHP_SEEN_MIGRATE)
		fprintf(f, "; %u migration passes, %" PRIu64 " migrated, %" PRIu64 " failed",
			e->migrate_passes, (uint64_t)e->pages_migrated, (uint64_t)e->pages_failed);
	if (e->why_seen & MEMHP_SEEN_BLOCKER) {
		kind = offwhy_blocker_kind(e);
		fprintf(f, "; blocker pfn 0x%" PRIx64 " %s (%s)", (uint64_t)e->blocker_pfn,
			kind ? kind : "kind?", e->blocker_why);
		pgowner_note_text(f, owner, e->blocker_pfn);
	}
	if (r == OFFWHY_NOTIFIER)
		fprintf(f, "; vetoed by %s",
			(e->why_seen & MEMHP_SEEN_NOTIFIER)
				? ksym_name(e->notifier_cb, cb, sizeof(cb))
				: "? (no notifier_run tracepoint before 6.2)");
}

void offwhy_print_json(FILE *f, const struct memhp_event *e, const struct pgowner_note *owner)
{
	enum offwhy_reason r = offwhy_reason(e);
	const char *kind;
	char cb[128];

	if (!has_why(e))
		return;
	fprintf(f, ",\"phase\":\"%s\",\"reason\":", offwhy_phase_name(e->phase));
	if (r == OFFWHY_NONE)
		fprintf(f, "null");
	else
		fprintf(f, "\"%s\"", offwhy_reason_name(r));
	/* who reported a running offline: BPF from a step that ended, or
	 * memhp's timer for a call inside one step (offstall.h) */
	if (e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS)
		fprintf(f, ",\"reported_by\":\"%s\"", (e->flags & MEMHP_F_TIMER) ? "timer" : "bpf");
	fprintf(f, ",\"migrate_passes\":%u,\"pages_migrated\":%" PRIu64
		   ",\"pages_failed\":%" PRIu64,
		e->migrate_passes, (uint64_t)e->pages_migrated, (uint64_t)e->pages_failed);
	fprintf(f, ",\"isolate_ret\":");
	if (e->why_seen & MEMHP_SEEN_ISOLATE)
		fprintf(f, "%d", e->isolate_ret);
	else
		fprintf(f, "null");
	fprintf(f, ",\"notifier_errno\":");
	if (e->why_seen & MEMHP_SEEN_NOTIFY)
		fprintf(f, "%d", offwhy_notifier_errno(e->notify_ret));
	else
		fprintf(f, "null");
	fprintf(f, ",\"dissolve_ret\":");
	if (e->why_seen & MEMHP_SEEN_DISSOLVE)
		fprintf(f, "%d", e->dissolve_ret);
	else
		fprintf(f, "null");
	if (e->why_seen & MEMHP_SEEN_BLOCKER) {
		kind = offwhy_blocker_kind(e);
		fprintf(f, ",\"blocker\":{\"pfn\":%" PRIu64 ",\"report\":", (uint64_t)e->blocker_pfn);
		json_string(f, e->blocker_why, sizeof(e->blocker_why));
		fprintf(f, ",\"kind\":");
		if (kind)
			fprintf(f, "\"%s\"", kind);
		else
			fprintf(f, "null");
		pgowner_note_json(f, owner, e->blocker_pfn);
		fputc('}', f);
	} else {
		fprintf(f, ",\"blocker\":null");
	}
	/* the last callback run is the vetoer only when the chain failed */
	fprintf(f, ",\"notifier_callback\":");
	if ((e->why_seen & MEMHP_SEEN_NOTIFIER) && (e->why_seen & MEMHP_SEEN_NOTIFY) &&
	    offwhy_notifier_errno(e->notify_ret))
		json_string(f, ksym_name(e->notifier_cb, cb, sizeof(cb)), sizeof(cb));
	else
		fprintf(f, "null");
}
