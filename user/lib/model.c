// SPDX-License-Identifier: GPL-2.0
/* The state model: blocks sorted by id, groups by BPF identity. */
#include <errno.h>
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

_Static_assert(sizeof(struct memhp_block) == 32, "memhp_block: keep it small (model.h)");

void model_free(struct memhp_model *m)
{
	free(m->blocks);
	m->blocks = NULL;
	m->nr_blocks = m->cap_blocks = 0;
	free(m->zstr);
	free(m->zhash);
	m->zstr = NULL;
	m->zhash = NULL;
	m->nr_zstr = m->cap_zstr = m->zhash_cap = m->zlast = 0;
	free(m->ev);
	m->ev = NULL;
	m->nr_ev = m->cap_ev = m->ev_free = 0;
}

/* --- valid_zones strings --------------------------------------------- */

const char *model_zones_str(const struct memhp_model *m, uint32_t zi)
{
	return zi && zi < m->nr_zstr ? m->zstr[zi] : "";
}

const char *model_zones(const struct memhp_model *m, const struct memhp_block *b)
{
	return model_zones_str(m, b->zones);
}

static uint32_t zhash_of(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Rebuild the hash at twice the entries (load <= 1/2). */
static int zhash_grow(struct memhp_model *m)
{
	uint32_t cap = m->zhash_cap ? m->zhash_cap * 2 : 64, i, *h;

	h = calloc(cap, sizeof(*h));
	if (!h)
		return -1;
	for (i = 1; i < m->nr_zstr; i++) {
		uint32_t k = zhash_of(m->zstr[i], strlen(m->zstr[i])) & (cap - 1);

		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = i + 1;
	}
	free(m->zhash);
	m->zhash = h;
	m->zhash_cap = cap;
	return 0;
}

int model_zones_intern(struct memhp_model *m, const char *s, size_t len, uint32_t *zi)
{
	uint32_t k;

	*zi = 0;
	len = strnlen(s, len < MEMHP_ZONES_LEN - 1 ? len : MEMHP_ZONES_LEN - 1);
	if (!len)
		return 0;
	/* ONLINE events name the same zone again and again: no hashing */
	if (m->zlast && m->zlast < m->nr_zstr && !memcmp(m->zstr[m->zlast], s, len) &&
	    !m->zstr[m->zlast][len]) {
		*zi = m->zlast;
		return 0;
	}
	if (m->zhash_cap) {
		for (k = zhash_of(s, len) & (m->zhash_cap - 1); m->zhash[k];
		     k = (k + 1) & (m->zhash_cap - 1)) {
			const char *c = m->zstr[m->zhash[k] - 1];

			if (!memcmp(c, s, len) && !c[len]) {
				*zi = m->zlast = m->zhash[k] - 1;
				return 0;
			}
		}
	}
	if (!m->nr_zstr)
		m->nr_zstr = 1; /* index 0: "" */
	if (m->nr_zstr == UINT32_MAX / 2)
		return -1;
	if (m->nr_zstr >= m->cap_zstr) {
		uint32_t cap = m->cap_zstr ? m->cap_zstr * 2 : 16;
		char(*nz)[MEMHP_ZONES_LEN] = realloc(m->zstr, cap * sizeof(*nz));

		if (!nz)
			return -1;
		m->zstr = nz;
		m->cap_zstr = cap;
	}
	if ((m->nr_zstr + 1) * 2 > m->zhash_cap) {
		m->nr_zstr++; /* include the new entry when rehashing */
		memset(m->zstr[m->nr_zstr - 1], 0, MEMHP_ZONES_LEN);
		memcpy(m->zstr[m->nr_zstr - 1], s, len);
		if (zhash_grow(m)) {
			m->nr_zstr--;
			return -1;
		}
		*zi = m->zlast = m->nr_zstr - 1;
		return 0;
	}
	memset(m->zstr[m->nr_zstr], 0, MEMHP_ZONES_LEN);
	memcpy(m->zstr[m->nr_zstr], s, len);
	for (k = zhash_of(s, len) & (m->zhash_cap - 1); m->zhash[k];
	     k = (k + 1) & (m->zhash_cap - 1))
		;
	m->zhash[k] = m->nr_zstr + 1;
	*zi = m->zlast = m->nr_zstr++;
	return 0;
}

int model_set_zones(struct memhp_model *m, struct memhp_block *b, const char *s, size_t len)
{
	return model_zones_intern(m, s, len, &b->zones);
}

/* --- event data of blocks ---------------------------------------------- */

static const struct memhp_block_ev ev_none = { .group_id = -1 };

const struct memhp_block_ev *model_block_ev(const struct memhp_model *m,
					    const struct memhp_block *b)
{
	return b->ev && b->ev <= m->nr_ev ? &m->ev[b->ev - 1] : &ev_none;
}

/* A new record for @b (model_block_ev_get()'s slow path, out of line). */
static __attribute__((noinline)) struct memhp_block_ev *ev_new(struct memhp_model *m,
							       struct memhp_block *b)
{
	uint32_t i;

	if (m->ev_free) {
		i = m->ev_free;
		m->ev_free = m->ev[i - 1].next_free;
	} else {
		if (m->nr_ev == m->cap_ev) {
			uint32_t cap = m->cap_ev ? m->cap_ev * 2 : 64;
			struct memhp_block_ev *n;

			if (m->cap_ev >= UINT32_MAX / 2)
				return NULL;
			n = realloc(m->ev, cap * sizeof(*n));
			if (!n)
				return NULL;
			m->ev = n;
			m->cap_ev = cap;
		}
		i = ++m->nr_ev;
	}
	m->ev[i - 1] = ev_none;
	b->ev = i;
	return &m->ev[i - 1];
}

struct memhp_block_ev *model_block_ev_get(struct memhp_model *m, struct memhp_block *b)
{
	if (b->ev && b->ev <= m->nr_ev)
		return &m->ev[b->ev - 1];
	return ev_new(m, b);
}

void model_blocks_release(struct memhp_model *m, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to && i < m->nr_blocks; i++) {
		uint32_t e = m->blocks[i].ev;

		if (!e || e > m->nr_ev)
			continue;
		m->ev[e - 1].next_free = m->ev_free;
		m->ev_free = e;
		m->blocks[i].ev = 0;
	}
}

void model_blocks_clear(struct memhp_model *m)
{
	model_blocks_release(m, 0, m->nr_blocks);
	m->nr_blocks = 0;
}

void model_blocks_swap(struct memhp_model *a, struct memhp_model *b)
{
	struct memhp_model t;

	memcpy(&t, a, sizeof(t));
#define SWAP(f)              \
	do {                 \
		a->f = b->f; \
		b->f = t.f;  \
	} while (0)
	SWAP(blocks);
	SWAP(nr_blocks);
	SWAP(cap_blocks);
	SWAP(zstr);
	SWAP(nr_zstr);
	SWAP(cap_zstr);
	SWAP(zhash);
	SWAP(zhash_cap);
	SWAP(zlast);
	SWAP(ev);
	SWAP(nr_ev);
	SWAP(cap_ev);
	SWAP(ev_free);
#undef SWAP
	memcpy(a->hint, b->hint, sizeof(a->hint));
	memcpy(b->hint, t.hint, sizeof(b->hint));
}

int model_copy_blocks(struct memhp_model *dst, const struct memhp_model *src)
{
	size_t i;

	model_init(dst);
	dst->block_size = src->block_size;
	dst->page_size = src->page_size;
	dst->sys = src->sys;
	memcpy(dst->groups, src->groups, sizeof(dst->groups));
	dst->nr_groups = src->nr_groups;
	if (src->nr_blocks) {
		dst->blocks = malloc(src->nr_blocks * sizeof(*dst->blocks));
		if (!dst->blocks)
			goto nomem;
		memcpy(dst->blocks, src->blocks, src->nr_blocks * sizeof(*dst->blocks));
		for (i = 0; i < src->nr_blocks; i++)
			dst->blocks[i].ev = 0; /* no event data in the copy */
		dst->nr_blocks = dst->cap_blocks = src->nr_blocks;
	}
	if (src->nr_zstr) {
		dst->zstr = malloc(src->nr_zstr * sizeof(*dst->zstr));
		if (!dst->zstr)
			goto nomem;
		memcpy(dst->zstr, src->zstr, src->nr_zstr * sizeof(*dst->zstr));
		dst->nr_zstr = dst->cap_zstr = src->nr_zstr;
	}
	if (src->zhash_cap) {
		dst->zhash = malloc(src->zhash_cap * sizeof(*dst->zhash));
		if (!dst->zhash)
			goto nomem;
		memcpy(dst->zhash, src->zhash, src->zhash_cap * sizeof(*dst->zhash));
		dst->zhash_cap = src->zhash_cap;
	}
	dst->zlast = src->zlast < dst->nr_zstr ? src->zlast : 0;
	memcpy(dst->hint, src->hint, sizeof(dst->hint));
	return 0;
nomem:
	model_free(dst);
	model_init(dst);
	return -ENOMEM;
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
	model_blocks_release(m, i, i + 1);
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
		struct memhp_block_ev *x = model_block_ev_get(m, &first[i]);

		if (!x)
			break;
		x->group_key = g->key;
		x->group_id = g->id;
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
		account_zone(m, b->node, model_zones(m, b), pages);
}

int model_apply_event(struct memhp_model *m, const struct memhp_event *e)
{
	uint64_t ppb = model_pages_per_block(m);
	uint64_t first, nblocks, i;
	struct memhp_group *g;
	struct memhp_block_ev *x;
	uint32_t zi = 0;
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
		if (e->hdr.kind == MEMHP_EV_ONLINE && (e->flags & MEMHP_F_ZONE) &&
		    model_zones_intern(m, e->zone_name, sizeof(e->zone_name), &zi))
			return -1;
		m->hint[first % 64] = at;
		account_pages(m, e, nblocks ? &m->blocks[at] : NULL,
			      e->hdr.kind == MEMHP_EV_ONLINE ? (int64_t)e->nr_pages
							     : -(int64_t)e->nr_pages);
		for (i = 0; i < nblocks; i++) {
			struct memhp_block *b = &m->blocks[at + i];

			x = model_block_ev_get(m, b);
			if (!x)
				return -1;
			x->last_event_ns = e->ts_ns;
			if (e->hdr.kind == MEMHP_EV_ONLINE) {
				b->state = MEMHP_BLOCK_ONLINE;
				if (e->flags & MEMHP_F_ZONE) {
					b->zones = zi;
					b->node = e->nid;
				}
				COPY_NAME(x->onlined_by, e->comm);
				/* one event per block when a callback is tracked */
				x->released_known = (e->flags & MEMHP_F_RELEASED) && nblocks == 1;
				x->released_pages = e->released_pages;
			} else {
				b->state = MEMHP_BLOCK_OFFLINE;
				/* valid_zones is a list now; the memmap pages
				 * still leave this zone (REQUEST event) */
				if (e->flags & MEMHP_F_ZONE)
					COPY_NAME(x->last_zone, e->zone_name);
				else /* a pointer: COPY_NAME would take its size */
					snprintf(x->last_zone, sizeof(x->last_zone), "%s",
						 model_zones(m, b));
				b->zones = 0;
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
			x = model_block_ev_get(m, b);
			if (!x)
				return -1;
			x->last_event_ns = e->ts_ns;
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
			model_blocks_release(m, lo, hi);
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
		x = model_block_ev_get(m, b);
		if (!x)
			return -1;
		x->coverage_known = true;
		COPY_NAME(x->coverage_driver, e->res_name);
		x->backed_pages = e->backed_pages;
		x->backed_not_onlined = lost;
		x->uncovered_released = e->released_uncovered;
		return 0;
	}
	case MEMHP_EV_REQUEST: {
		struct memhp_block *b = model_block_find(m, first);

		if (b)
			m->hint[first % 64] = (size_t)(b - m->blocks);

		if (b && !(e->flags & MEMHP_F_REQ_OFFLINE))
			b->online_type = (int)e->online_type;
		x = b ? model_block_ev_get(m, b) : NULL;
		if (b && !x)
			return -1;
		if (b)
			x->vmemmap_pages = e->vmemmap_pages;
		/* memory_block_online/offline() account the memmap pages */
		if (b && !e->ret && e->vmemmap_pages && e->vmemmap_pages <= ppb)
			account_zone(m, b->node,
				     (e->flags & MEMHP_F_REQ_OFFLINE) ? x->last_zone
								      : model_zones(m, b),
				     (e->flags & MEMHP_F_REQ_OFFLINE) ? -(int64_t)e->vmemmap_pages
								      : (int64_t)e->vmemmap_pages);
		return 0;
	}
	default:
		return 0;
	}
}
