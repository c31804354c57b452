// SPDX-License-Identifier: GPL-2.0
/* The state model: blocks sorted by id, groups by BPF identity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp.h"
#include "model.h"

void model_init(struct memhp_model *m)
{
	memset(m, 0, sizeof(*m));
	m->page_size = 4096;
}

void model_free(struct memhp_model *m)
{
	free(m->blocks);
	m->blocks = NULL;
	m->nr_blocks = m->cap_blocks = 0;
}

/* v / d, with a shift when d is a power of 2 (always, on real systems):
 * a 64-bit division costs tens of cycles, and every event needs a few. */
static inline uint64_t div_u64(uint64_t v, uint64_t d)
{
	return (d & (d - 1)) ? v / d : v >> __builtin_ctzll(d);
}

uint64_t model_pages_per_block(const struct memhp_model *m)
{
	if (!m->page_size || m->block_size < m->page_size)
		return 0;
	return div_u64(m->block_size, m->page_size);
}

/*
 * Index of the first block with id >= @id. Branch-free halving (a
 * conditional move per step): with block ids from a live event stream the
 * classic search's branches are unpredictable, and it runs several times
 * per event (replay's hot path).
 */
static size_t lower_bound(const struct memhp_model *m, uint64_t id)
{
	const struct memhp_block *b = m->blocks;
	size_t len = m->nr_blocks, h = m->hint[id % 64];

	if (!len)
		return 0;
	/* Events name the same few blocks again and again: where was it? */
	if (h < len && b[h].id == id)
		return h;
	/* Else where it would be if the ids from the first one on had no
	 * gap (boot memory, a whole DIMM): the hint's slot is shared by
	 * every 64th block, and a machine has a few hundred. */
	if (id - b[0].id < len && b[id - b[0].id].id == id)
		return (size_t)(id - b[0].id);
	while (len > 1) {
		size_t half = len / 2;

		b = b[half - 1].id < id ? b + half : b;
		len -= half;
	}
	return (size_t)(b - m->blocks) + (b->id < id);
}

/*
 * Copy a fixed-size kernel string (maybe unterminated) into @dst: what
 * snprintf("%.*s") did, without a printf per event, and by one move of a
 * constant size instead of a strnlen() call (per event, per block). The
 * bytes after the terminator are the source's: nothing reads past one.
 */
#define COPY_NAME(dst, src)                                                                      \
	do {                                                                                     \
		const size_t n_ = sizeof(src) < sizeof(dst) - 1 ? sizeof(src) : sizeof(dst) - 1; \
		memcpy(dst, src, n_);                                                            \
		(dst)[n_] = '\0';                                                                \
	} while (0)

struct memhp_block *model_block_find(const struct memhp_model *m, uint64_t id)
{
	size_t i = lower_bound(m, id);

	if (i < m->nr_blocks && m->blocks[i].id == id)
		return &m->blocks[i];
	return NULL;
}

static void block_init(struct memhp_block *b, uint64_t id)
{
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->node = -1;
	b->removable = -1;
	b->phys_device = -1;
	b->group_id = -1;
	b->online_type = -1;
}

struct memhp_block *model_block_get(struct memhp_model *m, uint64_t id)
{
	size_t i;

	/* Fast path: snapshots and hotplug append in increasing order. */
	if (m->nr_blocks && m->blocks[m->nr_blocks - 1].id < id)
		i = m->nr_blocks;
	else
		i = lower_bound(m, id);
	if (i < m->nr_blocks && m->blocks[i].id == id)
		return &m->blocks[i];
	if (m->nr_blocks == m->cap_blocks) {
		size_t cap = m->cap_blocks ? m->cap_blocks * 2 : 256;
		struct memhp_block *nb = realloc(m->blocks, cap * sizeof(*nb));

		if (!nb)
			return NULL;
		m->blocks = nb;
		m->cap_blocks = cap;
	}
	memmove(&m->blocks[i + 1], &m->blocks[i],
		(m->nr_blocks - i) * sizeof(m->blocks[0]));
	m->nr_blocks++;
	block_init(&m->blocks[i], id);
	return &m->blocks[i];
}

/*
 * Make sure blocks [first, first + n) exist, in one merge pass: a range
 * inserted in the middle of a large model costs O(blocks + n), not a
 * memmove per block. The merge runs in place, from the end, after one
 * memmove of the tail: a hot-add in the middle of the machine (a DIMM slot
 * between boot memory and virtio-mem) is a common event, and building a
 * new array for it copied every block and went through malloc/free each
 * time. 0, or -1 on allocation failure (model unchanged).
 */
static int blocks_ensure(struct memhp_model *m, uint64_t first, uint64_t n, size_t *at)
{
	size_t lo = lower_bound(m, first), hi, present, missing, total, k, o;
	uint64_t id;

	*at = lo;
	/* ids are unique and sorted: n blocks from first, all there? */
	if (n && lo + n <= m->nr_blocks && m->blocks[lo + n - 1].id == first + n - 1)
		return 0;
	hi = lower_bound(m, first + n);
	present = hi - lo;
	missing = n - present;
	if (!missing)
		return 0;
	total = m->nr_blocks + missing;
	if (total > m->cap_blocks) {
		size_t cap = m->cap_blocks ? m->cap_blocks : 256;
		struct memhp_block *nb;

		while (cap < total)
			cap *= 2;
		nb = realloc(m->blocks, cap * sizeof(*nb));
		if (!nb)
			return -1;
		m->blocks = nb;
		m->cap_blocks = cap;
	}
	if (hi < m->nr_blocks)
		memmove(&m->blocks[hi + missing], &m->blocks[hi],
			(m->nr_blocks - hi) * sizeof(m->blocks[0]));
	/* backwards: o - k is the number of blocks still to create, >= 0,
	 * so a block is never overwritten before it moved */
	o = lo + n;
	k = hi;
	for (id = first + n; id-- > first;) {
		if (k > lo && m->blocks[k - 1].id == id)
			m->blocks[--o] = m->blocks[--k];
		else
			block_init(&m->blocks[--o], id);
	}
	m->nr_blocks = total;
	return 0;
}

void model_block_remove(struct memhp_model *m, uint64_t id)
{
	size_t i = lower_bound(m, id);

	if (i >= m->nr_blocks || m->blocks[i].id != id)
		return;
	memmove(&m->blocks[i], &m->blocks[i + 1],
		(m->nr_blocks - i - 1) * sizeof(m->blocks[0]));
	m->nr_blocks--;
}

const char *model_state_name(enum memhp_block_state s)
{
	switch (s) {
	case MEMHP_BLOCK_ONLINE:
		return "online";
	case MEMHP_BLOCK_OFFLINE:
		return "offline";
	case MEMHP_BLOCK_GOING_OFFLINE:
		return "going-offline";
	default:
		return "unknown";
	}
}

struct memhp_group *model_group_by_key(struct memhp_model *m, uint64_t key,
				       bool create)
{
	size_t i;

	if (!key)
		return NULL;
	for (i = 0; i < m->nr_groups; i++)
		if (m->groups[i].key == key)
			return &m->groups[i];
	if (!create || m->nr_groups == MEMHP_MAX_GROUPS)
		return NULL;
	memset(&m->groups[m->nr_groups], 0, sizeof(m->groups[0]));
	m->groups[m->nr_groups].key = key;
	m->groups[m->nr_groups].id = -1;
	return &m->groups[m->nr_groups++];
}

/* Groups known only by id (ADD / REGISTER events) get a synthetic key. */
#define GROUP_ID_KEY(id) (0x8000000000000000ULL | (uint64_t)(uint32_t)(id))

static struct memhp_group *group_by_id(struct memhp_model *m, int id)
{
	size_t i;

	for (i = 0; i < m->nr_groups; i++)
		if (m->groups[i].id == id)
			return &m->groups[i];
	return NULL;
}

/* @first: the first of @nblocks consecutive blocks (blocks_ensure()). */
static void apply_group(struct memhp_model *m, const struct memhp_event *e,
			struct memhp_block *first, uint64_t nblocks)
{
	struct memhp_group *g = NULL;
	uint64_t i;

	if (!(e->flags & MEMHP_F_GROUP))
		return;
	if (e->group_key) {
		if (e->flags & MEMHP_F_GROUP_ID) {
			struct memhp_group *old = group_by_id(m, e->group_id);

			/* Drop the record made from the REGISTER event: the
			 * group object now has its real identity. */
			if (old && old->key == GROUP_ID_KEY(e->group_id))
				*old = m->groups[--m->nr_groups];
		}
		g = model_group_by_key(m, e->group_key, true);
		if (g && (e->flags & MEMHP_F_GROUP_ID))
			g->id = e->group_id;
	} else if (e->flags & MEMHP_F_GROUP_ID) {
		g = group_by_id(m, e->group_id);
	}
	if (!g)
		return;
	g->registered = true;
	if (e->group_key) {
		g->nid = e->group_nid;
		g->dynamic = e->flags & MEMHP_F_GROUP_DYNAMIC;
		g->pages = e->group_pages;
		g->present_kernel_pages = e->group_kernel_pages;
		g->present_movable_pages = e->group_movable_pages;
	}
	for (i = 0; first && i < nblocks; i++) {
		first[i].group_key = g->key;
		first[i].group_id = g->id;
	}
}

struct memhp_zone_acct *model_zone_acct(struct memhp_model *m, int nid, const char *zone,
					bool create)
{
	struct memhp_zone_acct *z;
	size_t i;

	for (i = 0; i < m->nr_zacct; i++)
		if (m->zacct[i].nid == nid && !strcmp(m->zacct[i].zone, zone))
			return &m->zacct[i];
	if (!create || m->nr_zacct == MEMHP_MAX_ZONE_ACCT)
		return NULL;
	z = &m->zacct[m->nr_zacct++];
	memset(z, 0, sizeof(*z));
	z->nid = nid;
	snprintf(z->zone, sizeof(z->zone), "%s", zone);
	return z;
}

/* Pages entering (> 0) or leaving a zone, once a baseline is being kept. */
static void account_zone(struct memhp_model *m, int nid, const char *zone, int64_t pages)
{
	struct memhp_zone_acct *z;

	if (m->zacct_state != MEMHP_ZACCT_VALID || nid < 0 || !zone[0] || strchr(zone, ' '))
		return;
	z = model_zone_acct(m, nid, zone, true);
	if (z)
		z->delta += pages;
	else
		m->zacct_overflow++;
}

/* online_pages()/offline_pages() name their zone; older kernels' offline not. */
static void account_pages(struct memhp_model *m, const struct memhp_event *e,
			  const struct memhp_block *b, int64_t pages)
{
	if (e->flags & MEMHP_F_ZONE)
		account_zone(m, e->nid, e->zone_name, pages);
	else if (b)
		account_zone(m, b->node, b->zones, pages);
}

int model_apply_event(struct memhp_model *m, const struct memhp_event *e)
{
	uint64_t ppb = model_pages_per_block(m);
	uint64_t first, nblocks, i;
	struct memhp_group *g;
	size_t at;

	m->events++;
	if (e->hdr.kind == MEMHP_EV_GROUP_REGISTER) {
		if (e->ret || !(e->flags & MEMHP_F_GROUP_ID))
			return 0;
		g = group_by_id(m, e->group_id);
		if (!g)
			g = model_group_by_key(m, GROUP_ID_KEY(e->group_id), true);
		if (!g)
			return -1;
		g->id = e->group_id;
		g->nid = e->group_nid;
		g->dynamic = e->flags & MEMHP_F_GROUP_DYNAMIC;
		g->pages = e->group_pages;
		g->registered = true;
		return 0;
	}
	if (e->hdr.kind == MEMHP_EV_GROUP_UNREGISTER) {
		if (e->ret)
			return 0;
		g = group_by_id(m, e->group_id);
		if (g) {
			*g = m->groups[--m->nr_groups];
		}
		return 0;
	}
	if (!ppb)
		return -1;
	first = div_u64(e->start_pfn, ppb);
	nblocks = div_u64(e->nr_pages + ppb - 1, ppb);
	/* 65536 blocks: 8 TiB of 128 MiB blocks in one operation; more is nonsense */
	if (nblocks > (1u << 16))
		return -1;

	switch (e->hdr.kind) {
	case MEMHP_EV_ONLINE:
	case MEMHP_EV_OFFLINE:
		if (e->ret) {
			/* A failed offline leaves a block that was going offline (in the
			 * snapshot) online again. */
			for (i = 0; e->hdr.kind == MEMHP_EV_OFFLINE && i < nblocks; i++) {
				struct memhp_block *b = model_block_find(m, first + i);

				if (b && b->state == MEMHP_BLOCK_GOING_OFFLINE)
					b->state = MEMHP_BLOCK_ONLINE;
			}
			return 0;
		}
		if (first > UINT64_MAX - nblocks || blocks_ensure(m, first, nblocks, &at))
			return -1;
		m->hint[first % 64] = at;
		account_pages(m, e, nblocks ? &m->blocks[at] : NULL,
			      e->hdr.kind == MEMHP_EV_ONLINE ? (int64_t)e->nr_pages
							     : -(int64_t)e->nr_pages);
		for (i = 0; i < nblocks; i++) {
			struct memhp_block *b = &m->blocks[at + i];

			b->last_event_ns = e->ts_ns;
			if (e->hdr.kind == MEMHP_EV_ONLINE) {
				b->state = MEMHP_BLOCK_ONLINE;
				if (e->flags & MEMHP_F_ZONE) {
					COPY_NAME(b->zones, e->zone_name);
					b->node = e->nid;
				}
				COPY_NAME(b->onlined_by, e->comm);
				/* one event per block when a callback is tracked */
				b->released_known = (e->flags & MEMHP_F_RELEASED) && nblocks == 1;
				b->released_pages = e->released_pages;
			} else {
				b->state = MEMHP_BLOCK_OFFLINE;
				/* valid_zones is a list now; the memmap pages
				 * still leave this zone (REQUEST event) */
				if (e->flags & MEMHP_F_ZONE)
					COPY_NAME(b->last_zone, e->zone_name);
				else
					COPY_NAME(b->last_zone, b->zones);
				b->zones[0] = '\0';
			}
		}
		apply_group(m, e, nblocks ? &m->blocks[at] : NULL, nblocks);
		return 0;
	case MEMHP_EV_ADD: {
		if (e->ret)
			return 0;
		if (first > UINT64_MAX - nblocks || blocks_ensure(m, first, nblocks, &at))
			return -1;
		m->hint[first % 64] = at;
		for (i = 0; i < nblocks; i++) {
			struct memhp_block *b = &m->blocks[at + i];

			/* new blocks (state still unknown) start offline */
			if (b->state == MEMHP_BLOCK_UNKNOWN) {
				b->state = MEMHP_BLOCK_OFFLINE;
				b->node = e->nid;
			}
			b->last_event_ns = e->ts_ns;
		}
		apply_group(m, e, nblocks ? &m->blocks[at] : NULL, nblocks);
		return 0;
	}
	case MEMHP_EV_REMOVE: {
		/* one memmove for the whole range */
		size_t lo, hi;

		if (e->ret)
			return 0;
		if (first > UINT64_MAX - nblocks)
			return -1;
		lo = lower_bound(m, first);
		hi = lower_bound(m, first + nblocks);
		if (hi > lo) {
			memmove(&m->blocks[lo], &m->blocks[hi],
				(m->nr_blocks - hi) * sizeof(m->blocks[0]));
			m->nr_blocks -= hi - lo;
		}
		return 0;
	}
	case MEMHP_EV_COVERAGE: {
		struct memhp_block *b = model_block_find(m, first);
		uint64_t lost = e->backed_pages > e->released_backed
					? e->backed_pages - e->released_backed : 0;

		if (e->ret)
			return 0;
		if (e->released_uncovered) {
			m->uncovered_findings++;
			m->uncovered_pages += e->released_uncovered;
		}
		if (lost) {
			m->not_onlined_findings++;
			m->not_onlined_pages += lost;
		}
		if (!b)
			return 0;
		m->hint[first % 64] = (size_t)(b - m->blocks);
		b->coverage_known = true;
		COPY_NAME(b->coverage_driver, e->res_name);
		b->backed_pages = e->backed_pages;
		b->backed_not_onlined = lost;
		b->uncovered_released = e->released_uncovered;
		return 0;
	}
	case MEMHP_EV_REQUEST: {
		struct memhp_block *b = model_block_find(m, first);

		if (b)
			m->hint[first % 64] = (size_t)(b - m->blocks);

		if (b && !(e->flags & MEMHP_F_REQ_OFFLINE))
			b->online_type = (int)e->online_type;
		if (b)
			b->vmemmap_pages = e->vmemmap_pages;
		/* memory_block_online/offline() account the memmap pages */
		if (b && !e->ret && e->vmemmap_pages && e->vmemmap_pages <= ppb)
			account_zone(m, b->node, (e->flags & MEMHP_F_REQ_OFFLINE) ? b->last_zone
										   : b->zones,
				     (e->flags & MEMHP_F_REQ_OFFLINE) ? -(int64_t)e->vmemmap_pages
								      : (int64_t)e->vmemmap_pages);
		return 0;
	}
	default:
		return 0;
	}
}
