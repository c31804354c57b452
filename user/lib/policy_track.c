// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: per-block event statistics (the tracker fed by
 * policy_track_event()) that the event rules are evaluated over. See
 * user/lib/policy.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "zoneinfo.h"

void policy_tracker_init(struct policy_tracker *t)
{
	memset(t, 0, sizeof(*t));
}

void policy_tracker_free(struct policy_tracker *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static struct policy_block_stats *tracker_get(struct policy_tracker *t,
					      uint64_t block)
{
	const struct policy_block_stats *p = t->b;
	size_t lo = 0, len = t->nr, h = t->hint[block % 64];

	/* the same few blocks again and again; else a branch-free halving
	 * (called for every online/offline event) */
	if (h < len && p[h].block == block)
		return &t->b[h];
	if (len) {
		while (len > 1) {
			size_t half = len / 2;

			p = p[half - 1].block < block ? p + half : p;
			len -= half;
		}
		lo = (size_t)(p - t->b) + (p->block < block);
	}
	t->hint[block % 64] = lo;
	if (lo < t->nr && t->b[lo].block == block)
		return &t->b[lo];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct policy_block_stats *nb;

		if (cap > ZA_MAX_BLOCKS)
			return NULL;
		nb = realloc(t->b, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		t->b = nb;
		t->cap = cap;
	}
	memmove(&t->b[lo + 1], &t->b[lo], (t->nr - lo) * sizeof(*t->b));
	memset(&t->b[lo], 0, sizeof(*t->b));
	t->b[lo].block = block;
	t->nr++;
	return &t->b[lo];
}

const struct policy_block_stats *
policy_tracker_find(const struct policy_tracker *t, uint64_t block)
{
	for (size_t lo = 0, hi = t->nr; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->b[mid].block == block)
			return &t->b[mid];
		if (t->b[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int policy_track_event(struct policy_tracker *t, const struct memhp_event *e,
		       uint64_t pages_per_block)
{
	struct policy_block_stats *b;
	unsigned int kind = e->hdr.kind;

	if (!policy_tracks_kind(kind))
		return 0;
	if (!pages_per_block)
		return 0;
	t->events++;
	/* a shift for the power-of-2 block sizes of real systems */
	b = tracker_get(t, pages_per_block & (pages_per_block - 1)
				   ? e->start_pfn / pages_per_block
				   : e->start_pfn >> __builtin_ctzll(pages_per_block));
	if (!b)
		return -ENOMEM;
	if (kind == MEMHP_EV_OFFLINE || kind == MEMHP_EV_OFFLINE_PROGRESS) {
		/* progress events: an offline still running after --stuck-after */
		if ((e->flags & MEMHP_F_DURATION) && e->duration_ns > b->max_offline_ns)
			b->max_offline_ns = e->duration_ns;
		b->offline_running = kind == MEMHP_EV_OFFLINE_PROGRESS;
		if (kind == MEMHP_EV_OFFLINE_PROGRESS)
			return 0;
		b->last_offline_ret = e->ret;
		if (e->ret) {
			b->offline_failures++;
			b->last_offline_error = e->ret;
		}
		return 0;
	}
	if (e->ret) {
		b->online_failures++;
		b->last_online_error = e->ret;
		return 0;
	}
	if (e->flags & MEMHP_F_DURATION) {
		b->onlines++;
		if (e->duration_ns > b->max_online_ns)
			b->max_online_ns = e->duration_ns;
	}
	return 0;
}
