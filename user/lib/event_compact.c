// SPDX-License-Identifier: GPL-2.0
/* Events in their shortest record form (see event_compact.h). */
#include <string.h>

#include "event_compact.h"

size_t event_compact(const void *data, size_t size, void *out, size_t outlen)
{
	const unsigned char *tail = (const unsigned char *)data + MEMHP_EVENT_SIZE_V1;
	struct memhp_event_hdr h;
	unsigned int flags;
	size_t i;

	if (!data || size != sizeof(struct memhp_event) || outlen < MEMHP_EVENT_SIZE_V1)
		return 0;
	memcpy(&h, data, sizeof(h));
	/* only what decodes: this ABI, a known kind, the size it says */
	if (h.abi != MEMHP_ABI_VERSION || h.kind == 0 || h.kind >= MEMHP_EV_KIND_MAX ||
	    h.size != size)
		return 0;
	memcpy(&flags, (const char *)data + offsetof(struct memhp_event, flags), sizeof(flags));
	if (!event_may_be_short(h.kind, flags))
		return 0;
	for (i = 0; i < size - MEMHP_EVENT_SIZE_V1; i++)
		if (tail[i])
			return 0; /* something would be lost */
	memcpy(out, data, MEMHP_EVENT_SIZE_V1);
	h.size = MEMHP_EVENT_SIZE_V1;
	memcpy(out, &h, sizeof(h));
	return MEMHP_EVENT_SIZE_V1;
}
