// SPDX-License-Identifier: GPL-2.0
/* Event validation and text/JSON formatting (schema: docs/events.md). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "jsonstr.h"
#include "ksyms.h"
#include "offwhy.h"

static const char *const kind_names[MEMHP_EV_KIND_MAX] = {
	[MEMHP_EV_ONLINE] = "online",
	[MEMHP_EV_OFFLINE] = "offline",
	[MEMHP_EV_ADD] = "add",
	[MEMHP_EV_REMOVE] = "remove",
	[MEMHP_EV_GROUP_REGISTER] = "group-register",
	[MEMHP_EV_GROUP_UNREGISTER] = "group-unregister",
	[MEMHP_EV_NOTIFY] = "notify",
	[MEMHP_EV_REQUEST] = "request",
	[MEMHP_EV_COVERAGE] = "coverage",
	[MEMHP_EV_OFFLINE_PROGRESS] = "offline-progress",
};

/* Records of the first layout end where the offline why fields begin. */
_Static_assert(offsetof(struct memhp_event, phase) == MEMHP_EVENT_SIZE_V1,
	       "fields before the why block moved: old records would misread");

/* The checks of decode_event(): 0, or -1 with a reason. */
static int check_event(const void *data, size_t size, char *why, size_t whylen)
{
	struct memhp_event_hdr h;
	/* Oldest layout we accept: the 256 bytes of the first release (up to
	 * vmemmap_pages); later fields are zero-filled (memhp.h). */
	const size_t min = MEMHP_EVENT_SIZE_V1;

	if (!data || size < sizeof(h)) {
		snprintf(why, whylen, "record of %zu bytes is shorter than a header", size);
		return -1;
	}
	memcpy(&h, data, sizeof(h));
	if (h.abi == 0 || h.abi > MEMHP_ABI_VERSION) {
		snprintf(why, whylen, "event ABI %u not supported (this memhp reads %u)",
			 h.abi, MEMHP_ABI_VERSION);
		return -1;
	}
	if (h.kind == 0 || h.kind >= MEMHP_EV_KIND_MAX) {
		snprintf(why, whylen, "unknown event kind %u", h.kind);
		return -1;
	}
	if (h.size > size || h.size < min) {
		snprintf(why, whylen, "event size %u does not fit record of %zu bytes",
			 h.size, size);
		return -1;
	}
	return 0;
}

int decode_event(const void *data, size_t size, struct memhp_event *out, char *why, size_t whylen)
{
	if (check_event(data, size, why, whylen))
		return -1;
	struct memhp_event_hdr h;
	size_t n;

	memcpy(&h, data, sizeof(h));
	/* an older, shorter layout: the fields it lacks read as zero */
	n = h.size < sizeof(*out) ? h.size : sizeof(*out);
	memcpy(out, data, n);
	if (n < sizeof(*out))
		memset((char *)out + n, 0, sizeof(*out) - n);
	/* Strings come from the kernel: terminate them whatever they hold. */
	out->comm[sizeof(out->comm) - 1] = '\0';
	out->zone_name[sizeof(out->zone_name) - 1] = '\0';
	out->res_name[sizeof(out->res_name) - 1] = '\0';
	out->blocker_why[sizeof(out->blocker_why) - 1] = '\0';
	return 0;
}

const struct memhp_event *decode_event_ref_slow(const void *data, size_t size,
						struct memhp_event *buf, char *why, size_t whylen)
{
	const struct memhp_event *e = data;

	if (check_event(data, size, why, whylen))
		return NULL;
	/* what decode_event() would copy, byte for byte: the strings are
	 * terminated already (the BPF side writes them so) and the record
	 * is aligned for the struct (a record file's events are) */
	/* alignment first: a misaligned struct may not even be read */
	if (!((uintptr_t)data % _Alignof(struct memhp_event)) && e->hdr.size >= sizeof(*e) &&
	    !e->comm[sizeof(e->comm) - 1] && !e->zone_name[sizeof(e->zone_name) - 1] &&
	    !e->res_name[sizeof(e->res_name) - 1] && !e->blocker_why[sizeof(e->blocker_why) - 1])
		return e;
	decode_event(data, size, buf, why, whylen);
	return buf;
}

const char *event_kind_name(unsigned int kind)
{
	if (kind < MEMHP_EV_KIND_MAX && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

int event_kind_parse(const char *name)
{
	int i;

	for (i = 1; i < MEMHP_EV_KIND_MAX; i++)
		if (kind_names[i] && !strcmp(kind_names[i], name))
			return i;
	return -1;
}

const char *notify_action_name(unsigned int a)
{
	static const char *const n[] = { "unknown",	    "going-online",
					 "online",	    "cancel-online",
					 "going-offline",   "offline",
					 "cancel-offline",  "prepare-online",
					 "finish-offline" };

	return a < sizeof(n) / sizeof(n[0]) ? n[a] : "unknown";
}

const char *online_type_name(int t)
{
	switch (t) {
	case MEMHP_MMOP_OFFLINE:
		return "offline";
	case MEMHP_MMOP_ONLINE:
		return "online";
	case MEMHP_MMOP_ONLINE_KERNEL:
		return "online_kernel";
	case MEMHP_MMOP_ONLINE_MOVABLE:
		return "online_movable";
	default:
		return "-";
	}
}

const char *errno_name(int ret, char *buf, size_t len)
{
	static const struct {
		int e;
		const char *n;
	} t[] = { { EPERM, "EPERM" },	{ ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		  { EIO, "EIO" },	{ ENOMEM, "ENOMEM" }, { EBUSY, "EBUSY" },
		  { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		  { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { EAGAIN, "EAGAIN" },
		  { E2BIG, "E2BIG" },	{ ENOTSUP, "EOPNOTSUPP" } };
	size_t i;

	if (ret == 0)
		return "ok";
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (ret == -t[i].e) /* not -ret: INT_MIN has no negation */
			return t[i].n;
	snprintf(buf, len, "%d", ret);
	return buf;
}

void time_conv_init(struct time_conv *tc)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	tc->offset_ns = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
			(real.tv_nsec - mono.tv_nsec);
}

static void wall_time(const struct time_conv *tc, uint64_t ktime, char *buf,
		      size_t len, int iso)
{
	int64_t ns;
	time_t s;
	struct tm tm;

	/* a corrupt timestamp must not overflow: show the epoch instead */
	if (ktime > INT64_MAX || __builtin_add_overflow((int64_t)ktime, tc->offset_ns, &ns) ||
	    ns < 0)
		ns = 0;
	s = ns / 1000000000LL;

	gmtime_r(&s, &tm);
	if (iso)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)((ns % 1000000000LL) / 1000));
	else
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)((ns % 1000000000LL) / 1000000));
}

/* lsmem-like size: 128M, 1G, 2.5G. */
static void human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	uint64_t whole = bytes, rem = 0;

	while (whole >= 1024 && u < 6) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (rem && whole < 10)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole, rem * 10 / 1024,
			 units[u]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
}

/*
 * The EVENT column: as wide as the longest name, "request:online_movable"
 * (22; notify:cancel-offline is 21), so the later columns line up.
 */
#define EVENT_COL 22

void event_print_text_header(FILE *f)
{
	fprintf(f, "%-12s %-*s %-10s %-21s %5s %4s %-8s %-7s %-16s %-7s %s\n", "TIME",
		EVENT_COL, "EVENT", "BLOCK", "PFN-RANGE", "SIZE", "NODE", "ZONE", "GROUP", "CALLER",
		"RESULT", "LATENCY");
}

static void group_text(const struct memhp_event *e, char *buf, size_t len)
{
	/* static/dynamic is known when the event read the group object */
	bool kind = e->group_key || e->hdr.kind == MEMHP_EV_GROUP_REGISTER;

	if (!(e->flags & MEMHP_F_GROUP))
		snprintf(buf, len, "-");
	else if (e->flags & MEMHP_F_GROUP_ID)
		snprintf(buf, len, "%d%s", e->group_id,
			 !kind ? "" : e->flags & MEMHP_F_GROUP_DYNAMIC ? "(dyn)" : "(sta)");
	else
		snprintf(buf, len, "?%s", e->flags & MEMHP_F_GROUP_DYNAMIC ? "(dyn)" : "(sta)");
}

void event_print_text(FILE *f, const struct memhp_event *e, uint64_t ppb,
		      uint64_t page_size, const struct time_conv *tc,
		      const struct pgowner_note *owner)
{
	char tbuf[48], block[48], range[48], size[24], node[16], grp[24], eb[16],
		lat[24], ev[24];
	uint64_t first, nblocks;

	wall_time(tc, e->ts_ns, tbuf, sizeof(tbuf), 0);
	snprintf(ev, sizeof(ev), "%s", event_kind_name(e->hdr.kind));
	if (e->hdr.kind == MEMHP_EV_NOTIFY)
		snprintf(ev, sizeof(ev), "notify:%s", notify_action_name(e->notify_action));
	else if (e->hdr.kind == MEMHP_EV_REQUEST)
		snprintf(ev, sizeof(ev), "request:%s",
			 (e->flags & MEMHP_F_REQ_OFFLINE) ? "offline"
							   : online_type_name((int)e->online_type));
	if (e->nr_pages || e->hdr.kind == MEMHP_EV_REQUEST) {
		first = ppb ? e->start_pfn / ppb : 0;
		nblocks = ppb ? (e->nr_pages + ppb - 1) / ppb : 0;
		if (nblocks > 1)
			snprintf(block, sizeof(block), "%" PRIu64 "-%" PRIu64, first,
				 first + nblocks - 1);
		else
			snprintf(block, sizeof(block), "%" PRIu64, first);
		if (e->nr_pages)
			snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64, (uint64_t)e->start_pfn,
				 (uint64_t)(e->start_pfn + e->nr_pages - 1));
		else
			snprintf(range, sizeof(range), "0x%" PRIx64, (uint64_t)e->start_pfn);
		if (e->nr_pages)
			human_size(e->nr_pages * page_size, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "-");
	} else {
		snprintf(block, sizeof(block), "-");
		snprintf(range, sizeof(range), "-");
		snprintf(size, sizeof(size), "-");
	}
	if (e->nid >= 0)
		snprintf(node, sizeof(node), "%d", e->nid);
	else if (e->hdr.kind == MEMHP_EV_NOTIFY && e->status_nid >= 0)
		snprintf(node, sizeof(node), "%d", e->status_nid);
	else
		snprintf(node, sizeof(node), "-");
	group_text(e, grp, sizeof(grp));
	if (e->flags & MEMHP_F_DURATION)
		snprintf(lat, sizeof(lat), "%.3fms", e->duration_ns / 1e6);
	else
		snprintf(lat, sizeof(lat), "-");
	fprintf(f, "%-12s %-*s %-10s %-21s %5s %4s %-8s %-7s %-16s %-7s %s", tbuf, EVENT_COL, ev,
		block, range, size, node, (e->flags & MEMHP_F_ZONE) ? e->zone_name : "-",
		grp, e->comm,
		e->hdr.kind == MEMHP_EV_NOTIFY		    ? "-"
		: e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS ? "running"
							    : errno_name(e->ret, eb, sizeof(eb)),
		lat);
	offwhy_print_text(f, e, owner);
	if (e->hdr.kind == MEMHP_EV_COVERAGE) {
		uint64_t lost = e->backed_pages > e->released_backed
					? e->backed_pages - e->released_backed : 0;

		fprintf(f, "  %s: backed %" PRIu64 ", onlined %" PRIu64, e->res_name,
			(uint64_t)e->backed_pages, (uint64_t)e->released_backed);
		if (e->released_uncovered)
			fprintf(f, "  CRITICAL: %" PRIu64 " pages released that the driver never backed",
				(uint64_t)e->released_uncovered);
		if (lost)
			fprintf(f, "  WARNING: %" PRIu64 " backed pages left offline", lost);
	}
	/* Pages of an onlined range that the online-page callback kept back. */
	if ((e->flags & MEMHP_F_RELEASED) && e->ret == 0 && e->released_pages != e->nr_pages) {
		char cb[96];

		fprintf(f, "  released %" PRIu64 "/%" PRIu64 " pages (callback %s)",
			(uint64_t)e->released_pages, (uint64_t)e->nr_pages,
			ksym_name(e->callback, cb, sizeof(cb)));
	}
	fputc('\n', f);
}

void event_print_json(FILE *f, const struct memhp_event *e, uint64_t ppb,
		      uint64_t page_size, const struct time_conv *tc,
		      const struct pgowner_note *owner)
{
	char tbuf[64], eb[16];

	wall_time(tc, e->ts_ns, tbuf, sizeof(tbuf), 1);
	fprintf(f, "{\"time\":\"%s\",\"ktime_ns\":%" PRIu64 ",\"event\":\"%s\"", tbuf,
		(uint64_t)e->ts_ns, event_kind_name(e->hdr.kind));
	fprintf(f, ",\"cpu\":%u,\"pid\":%u,\"comm\":", e->cpu, e->pid);
	json_string(f, e->comm, sizeof(e->comm));
	if (e->nr_pages || e->hdr.kind == MEMHP_EV_REQUEST) {
		uint64_t first = ppb ? e->start_pfn / ppb : 0;
		uint64_t n = ppb ? (e->nr_pages + ppb - 1) / ppb : 0;

		fprintf(f, ",\"block\":%" PRIu64 ",\"blocks\":%" PRIu64, first,
			e->hdr.kind == MEMHP_EV_REQUEST ? 1 : n);
	}
	fprintf(f, ",\"start_pfn\":%" PRIu64 ",\"nr_pages\":%" PRIu64
		   ",\"phys_addr\":%" PRIu64 ",\"size_bytes\":%" PRIu64,
		(uint64_t)e->start_pfn, (uint64_t)e->nr_pages,
		(uint64_t)e->start_pfn * page_size, (uint64_t)e->nr_pages * page_size);
	fprintf(f, ",\"node\":%d", e->nid);
	if (e->flags & MEMHP_F_ZONE) {
		fprintf(f, ",\"zone\":");
		json_string(f, e->zone_name, sizeof(e->zone_name));
		fprintf(f, ",\"zone_idx\":%d", e->zone_idx);
	} else {
		fprintf(f, ",\"zone\":null,\"zone_idx\":null");
	}
	if (e->flags & MEMHP_F_GROUP) {
		bool dyn = e->flags & MEMHP_F_GROUP_DYNAMIC;

		fprintf(f, ",\"group\":{");
		if (e->flags & MEMHP_F_GROUP_ID)
			fprintf(f, "\"id\":%d", e->group_id);
		else
			fprintf(f, "\"id\":null");
		if (e->hdr.kind != MEMHP_EV_ADD && e->hdr.kind != MEMHP_EV_GROUP_UNREGISTER) {
			fprintf(f, ",\"dynamic\":%s,\"node\":%d,\"%s\":%" PRIu64,
				dyn ? "true" : "false", e->group_nid,
				dyn ? "unit_pages" : "max_pages", (uint64_t)e->group_pages);
		}
		if (e->group_key)
			fprintf(f, ",\"present_kernel_pages\":%" PRIu64
				   ",\"present_movable_pages\":%" PRIu64,
				(uint64_t)e->group_kernel_pages, (uint64_t)e->group_movable_pages);
		fputc('}', f);
	} else {
		fprintf(f, ",\"group\":null");
	}
	if (e->hdr.kind == MEMHP_EV_NOTIFY) {
		fprintf(f, ",\"action\":\"%s\",\"action_raw\":%u,\"status_change_nid\":%d",
			notify_action_name(e->notify_action), e->online_type, e->status_nid);
		fprintf(f, ",\"notifier_ret\":%d", e->ret);
	} else {
		fprintf(f, ",\"ret\":%d,\"result\":\"%s\"", e->ret,
			e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS ? "running"
								  : errno_name(e->ret, eb, sizeof(eb)));
	}
	if (e->hdr.kind == MEMHP_EV_REQUEST)
		fprintf(f, ",\"request\":\"%s\",\"online_type\":\"%s\",\"vmemmap_pages\":%" PRIu64,
			(e->flags & MEMHP_F_REQ_OFFLINE) ? "offline" : "online",
			(e->flags & MEMHP_F_REQ_OFFLINE) ? "offline"
							  : online_type_name((int)e->online_type),
			(uint64_t)e->vmemmap_pages);
	if (e->hdr.kind == MEMHP_EV_ADD) {
		fprintf(f, ",\"resource\":");
		json_string(f, e->res_name, sizeof(e->res_name));
		fprintf(f, ",\"mhp_flags\":%u", e->mhp_flags);
	}
	if (e->hdr.kind == MEMHP_EV_COVERAGE) {
		uint64_t lost = e->backed_pages > e->released_backed
					? e->backed_pages - e->released_backed : 0;
		int n = 0;

		fprintf(f, ",\"driver\":");
		json_string(f, e->res_name, sizeof(e->res_name));
		fprintf(f, ",\"region_start_pfn\":%" PRIu64 ",\"region_end_pfn\":%" PRIu64
			   ",\"backed_pages\":%" PRIu64 ",\"released_backed_pages\":%" PRIu64
			   ",\"released_uncovered_pages\":%" PRIu64
			   ",\"backed_not_onlined_pages\":%" PRIu64 ",\"findings\":[",
			(uint64_t)e->region_start_pfn, (uint64_t)e->region_end_pfn,
			(uint64_t)e->backed_pages, (uint64_t)e->released_backed,
			(uint64_t)e->released_uncovered, lost);
		if (e->released_uncovered)
			fprintf(f, "%s{\"kind\":\"uncovered-online\",\"severity\":\"critical\","
				   "\"pages\":%" PRIu64 "}", n++ ? "," : "",
				(uint64_t)e->released_uncovered);
		if (lost)
			fprintf(f, "%s{\"kind\":\"backed-not-onlined\",\"severity\":\"warning\","
				   "\"pages\":%" PRIu64 "}", n++ ? "," : "", lost);
		fputc(']', f);
	}
	if (e->hdr.kind == MEMHP_EV_ONLINE) {
		char cb[96];

		if (e->flags & MEMHP_F_RELEASED)
			fprintf(f, ",\"released_pages\":%" PRIu64 ",\"held_pages\":%" PRIu64
				   ",\"release_calls\":%" PRIu64,
				(uint64_t)e->released_pages,
				e->nr_pages > e->released_pages
					? (uint64_t)(e->nr_pages - e->released_pages) : 0,
				(uint64_t)e->release_calls);
		fprintf(f, ",\"online_callback\":");
		if (e->callback)
			json_string(f, ksym_name(e->callback, cb, sizeof(cb)), sizeof(cb));
		else
			fprintf(f, "null");
	}
	offwhy_print_json(f, e, owner);
	if (e->flags & MEMHP_F_DURATION)
		fprintf(f, ",\"duration_ns\":%" PRIu64, (uint64_t)e->duration_ns);
	else
		fprintf(f, ",\"duration_ns\":null");
	fprintf(f, ",\"probe\":\"%s\"}\n", (e->flags & MEMHP_F_KPROBE) ? "kprobe" : "fentry");
}
