/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events in their shortest record form. The offline why fields (appended
 * to struct memhp_event after its first 256-byte layout) belong to two
 * kinds only; an event of another kind is written in the 256-byte form
 * and replay reads it in place, at the speed of the first layout
 * (docs/record.md). Kept apart from decode.c so that writers such as
 * tools/gen-record need nothing else.
 */
#ifndef MEMHP_EVENT_COMPACT_H
#define MEMHP_EVENT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>

#include "memhp.h"

/* Kinds whose events carry the offline why fields (MEMHP_F_WHY). */
static inline bool event_kind_has_why(unsigned int kind)
{
	return kind == MEMHP_EV_OFFLINE || kind == MEMHP_EV_OFFLINE_PROGRESS;
}

/*
 * Whether an event may lack the why fields (a 256-byte record, read in
 * place by decode_event_ref()): any event without MEMHP_F_WHY but an
 * offline-progress one. Code reads the why fields only of an event of a
 * why kind with MEMHP_F_WHY set, or of an offline-progress event.
 */
static inline bool event_may_be_short(unsigned int kind, unsigned int flags)
{
	return !(flags & MEMHP_F_WHY) && kind != MEMHP_EV_OFFLINE_PROGRESS;
}

/*
 * The shortest record that decodes to the same event: an event that may be
 * short (event_may_be_short()) and has every byte past the first layout 0, as its first 256 bytes with hdr.size 256, copied to @out.
 * Returns the bytes to write from @out, or 0 to write @data as it is
 * (anything else, malformed records included, is written untouched).
 */
size_t event_compact(const void *data, size_t size, void *out, size_t outlen);

#endif
