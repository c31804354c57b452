/* SPDX-License-Identifier: GPL-2.0 */
/* Event decoding (validation of ring-buffer records) and event formatting. */
#ifndef MEMHP_DECODE_H
#define MEMHP_DECODE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event_compact.h"
#include "memhp.h"

struct memhp_model;
struct pgowner_note;

/*
 * Validate and copy one raw record into *out. Older (shorter) events of the
 * same major ABI are zero-extended; records from a newer ABI, of an unknown
 * kind, or too short for their header are rejected with a reason.
 * Returns 0 or -1.
 */
int decode_event(const void *data, size_t size, struct memhp_event *out,
		 char *why, size_t whylen);

/*
 * decode_event() without the copy where the copy would change nothing
 * (replay: a 256-byte copy per event): @data itself when it is aligned for
 * the struct and its strings are terminated, else decode_event()'s copy in
 * @buf. NULL (reason in @why) for what decode_event() rejects.
 */
const struct memhp_event *decode_event_ref_slow(const void *data, size_t size,
						struct memhp_event *buf, char *why, size_t whylen);

/* Inline (per event): decode_event()'s checks on the header's one word, the
 * strings' last bytes; anything else is decided by decode_event_ref_slow(). */
static inline const struct memhp_event *
decode_event_ref(const void *data, size_t size, struct memhp_event *buf, char *why, size_t whylen)
{
	const struct memhp_event *e = data;

	if (__builtin_expect(data && size >= MEMHP_EVENT_SIZE_V1 &&
				     !((uintptr_t)data % _Alignof(struct memhp_event)),
			     1) &&
	    e->hdr.abi - 1u < MEMHP_ABI_VERSION && e->hdr.kind - 1u < MEMHP_EV_KIND_MAX - 1u &&
	    e->hdr.size <= size && !e->comm[sizeof(e->comm) - 1] &&
	    !e->zone_name[sizeof(e->zone_name) - 1] && !e->res_name[sizeof(e->res_name) - 1]) {
		if (e->hdr.size >= sizeof(*e)) {
			if (!e->blocker_why[sizeof(e->blocker_why) - 1])
				return e;
		} else if (e->hdr.size == MEMHP_EVENT_SIZE_V1 &&
			   event_may_be_short(e->hdr.kind, e->flags)) {
			/* the first layout in place: nothing reads the why
			 * fields of such an event (event_compact.h) */
			return e;
		}
	}
	return decode_event_ref_slow(data, size, buf, why, whylen);
}


const char *event_kind_name(unsigned int kind);
/* Parses an event kind name; -1 if unknown. */
int event_kind_parse(const char *name);
const char *notify_action_name(unsigned int action);
const char *online_type_name(int type);
/* "EBUSY" for -16, "ok" for 0, "E123" when unknown. */
const char *errno_name(int ret, char *buf, size_t len);

/* Converts ktime (CLOCK_MONOTONIC ns) to wall-clock. */
struct time_conv {
	int64_t offset_ns; /* realtime - monotonic at start */
};
void time_conv_init(struct time_conv *tc);

/* @owner: the live session's owner of the event's blocker page
 * (session.owner); NULL in a replay (offwhy_print_text()). */
void event_print_text(FILE *f, const struct memhp_event *e, uint64_t pages_per_block,
		      uint64_t page_size, const struct time_conv *tc,
		      const struct pgowner_note *owner);
void event_print_json(FILE *f, const struct memhp_event *e, uint64_t pages_per_block,
		      uint64_t page_size, const struct time_conv *tc,
		      const struct pgowner_note *owner);
void event_print_text_header(FILE *f);

#endif
