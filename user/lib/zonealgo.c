// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's zone choice for memory onlining (Linux 6.1
 * mm/memory_hotplug.c, drivers/base/memory.c) over a plain state. Each
 * function names the kernel function it models; comments say where the
 * model differs in granularity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zonealgo.h"

static const char *const zone_names[ZA_NR_ZONES] = {
	[ZA_ZONE_DMA] = "DMA",	     [ZA_ZONE_DMA32] = "DMA32",
	[ZA_ZONE_NORMAL] = "Normal", [ZA_ZONE_MOVABLE] = "Movable",
	[ZA_ZONE_DEVICE] = "Device",
};

static const char *const online_type_names[] = {
	[ZA_MMOP_OFFLINE] = "offline",
	[ZA_MMOP_ONLINE] = "online",
	[ZA_MMOP_ONLINE_KERNEL] = "online_kernel",
	[ZA_MMOP_ONLINE_MOVABLE] = "online_movable",
};

const char *za_zone_text(int zone)
{
	return zone < 0 || zone >= ZA_NR_ZONES ? "None" : zone_names[zone];
}

const char *za_zone_name(int zone)
{
	if (zone < 0 || zone >= ZA_NR_ZONES)
		return "none";
	return zone_names[zone];
}

int za_zone_from_name(const char *name)
{
	int i;

	for (i = 0; i < ZA_NR_ZONES; i++)
		if (!strcmp(name, zone_names[i]))
			return i;
	return -1;
}

const char *za_online_type_name(int type)
{
	if (type < 0 || type > ZA_MMOP_ONLINE_MOVABLE)
		return "?";
	return online_type_names[type];
}

int za_online_type_from_name(const char *name)
{
	int i;

	for (i = 0; i <= ZA_MMOP_ONLINE_MOVABLE; i++)
		if (!strcmp(name, online_type_names[i]))
			return i;
	return -1;
}

const char *za_policy_name(enum za_policy p)
{
	return p == ZA_POLICY_AUTO_MOVABLE ? "auto-movable" : "contig-zones";
}

int za_policy_from_name(const char *name)
{
	if (!strcmp(name, "contig-zones"))
		return ZA_POLICY_CONTIG_ZONES;
	if (!strcmp(name, "auto-movable"))
		return ZA_POLICY_AUTO_MOVABLE;
	return -1;
}

/* --- state ---------------------------------------------------------------- */

int za_init(struct za_state *st, uint64_t block_pages)
{
	memset(st, 0, sizeof(*st));
	if (!block_pages)
		return -EINVAL;
	st->block_pages = block_pages;
	st->section_pages = block_pages;
	st->subsection_pages = 512;
	st->cfg.policy = ZA_POLICY_CONTIG_ZONES;
	st->cfg.ratio = 301;
	st->cfg.numa_aware = true;
	return 0;
}

void za_free(struct za_state *st)
{
	free(st->nodes);
	free(st->groups);
	free(st->blocks);
	memset(st, 0, sizeof(*st));
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	p = calloc(n, size);
	if (p)
		memcpy(p, src, n * size);
	return p;
}

int za_copy(struct za_state *dst, const struct za_state *src)
{
	*dst = *src;
	dst->nodes = dup_array(src->nodes, (size_t)src->nr_nodes,
			       sizeof(*src->nodes));
	dst->groups =
		dup_array(src->groups, src->nr_groups, sizeof(*src->groups));
	dst->blocks =
		dup_array(src->blocks, src->nr_blocks, sizeof(*src->blocks));
	dst->cap_groups = src->nr_groups;
	dst->cap_blocks = src->nr_blocks;
	if ((src->nr_nodes && !dst->nodes) ||
	    (src->nr_groups && !dst->groups) ||
	    (src->nr_blocks && !dst->blocks)) {
		za_free(dst);
		return -ENOMEM;
	}
	return 0;
}

struct za_node *za_node_get(struct za_state *st, int nid)
{
	struct za_node *n;

	if (nid < 0 || nid >= ZA_MAX_NODES)
		return NULL;
	if (nid >= st->nr_nodes) {
		n = realloc(st->nodes, (size_t)(nid + 1) * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + st->nr_nodes, 0,
		       (size_t)(nid + 1 - st->nr_nodes) * sizeof(*n));
		st->nodes = n;
		st->nr_nodes = nid + 1;
	}
	return &st->nodes[nid];
}

const struct za_node *za_node_find(const struct za_state *st, int nid)
{
	if (nid < 0 || nid >= st->nr_nodes)
		return NULL;
	return &st->nodes[nid];
}

struct za_zone *za_zone_get(struct za_state *st, int nid, int zone)
{
	struct za_node *n;

	if (zone < 0 || zone >= ZA_NR_ZONES)
		return NULL;
	n = za_node_get(st, nid);
	return n ? &n->zones[zone] : NULL;
}

static const struct za_zone *zone_find(const struct za_state *st, int nid,
				       int zone)
{
	const struct za_node *n = za_node_find(st, nid);

	return n ? &n->zones[zone] : NULL;
}

/* Index of the first block with id >= @id. */
static size_t block_lower_bound(const struct za_state *st, uint64_t id)
{
	size_t lo = 0, hi = st->nr_blocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->blocks[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct za_block *za_block_find(const struct za_state *st, uint64_t id)
{
	size_t i = block_lower_bound(st, id);

	if (i < st->nr_blocks && st->blocks[i].id == id)
		return &st->blocks[i];
	return NULL;
}

static bool block_id_ok(const struct za_state *st, uint64_t id)
{
	/* All of the block's pfns must be representable. */
	return id < UINT64_MAX / st->block_pages;
}

int za_block_insert(struct za_state *st, const struct za_block *b)
{
	size_t i;

	if (!block_id_ok(st, b->id) || b->nid < 0 || b->nid >= ZA_MAX_NODES ||
	    b->zone < ZA_ZONE_NONE || b->zone >= ZA_NR_ZONES)
		return -EINVAL;
	i = block_lower_bound(st, b->id);
	if (i < st->nr_blocks && st->blocks[i].id == b->id)
		return -EEXIST;
	if (st->nr_blocks >= ZA_MAX_BLOCKS)
		return -ENOMEM;
	if (!za_node_get(st, b->nid))
		return -ENOMEM;
	if (st->nr_blocks == st->cap_blocks) {
		size_t cap = st->cap_blocks ? st->cap_blocks * 2 : 64;
		struct za_block *nb = realloc(st->blocks, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		st->blocks = nb;
		st->cap_blocks = cap;
	}
	memmove(&st->blocks[i + 1], &st->blocks[i],
		(st->nr_blocks - i) * sizeof(*st->blocks));
	st->blocks[i] = *b;
	if (!b->online)
		st->blocks[i].zone = ZA_ZONE_NONE;
	st->nr_blocks++;
	return 0;
}

int za_block_add(struct za_state *st, uint64_t id, int nid, int gid)
{
	struct za_block b = {
		.id = id, .nid = nid, .group = gid, .zone = ZA_ZONE_NONE
	};

	if (gid >= 0 && !za_group_find(st, gid))
		return -EINVAL;
	return za_block_insert(st, &b);
}

/* resize_zone_range(): grow the span to cover [start_pfn, +nr_pages). */
static void resize_zone_range(struct za_zone *z, uint64_t start_pfn,
			      uint64_t nr_pages)
{
	uint64_t old_end_pfn = z->start_pfn + z->spanned;

	if (!z->spanned) {
		/* init_currently_empty_zone() sets zone_start_pfn first */
		z->start_pfn = start_pfn;
		old_end_pfn = start_pfn;
	} else if (start_pfn < z->start_pfn) {
		z->start_pfn = start_pfn;
	}
	z->spanned = (start_pfn + nr_pages > old_end_pfn ?
			      start_pfn + nr_pages :
			      old_end_pfn) -
		     z->start_pfn;
}

/* adjust_present_page_count() */
static void adjust_present(struct za_state *st, const struct za_block *b,
			   struct za_zone *z, int zone, int64_t nr_pages)
{
	struct za_group *g = b->group >= 0 ? za_group_find(st, b->group) : NULL;
	uint64_t n = (uint64_t)nr_pages;

	if (b->early)
		z->present_early += n;
	z->present += n;
	if (g && zone == ZA_ZONE_MOVABLE)
		g->present_movable_pages += n;
	else if (g)
		g->present_kernel_pages += n;
}

int za_block_add_boot(struct za_state *st, uint64_t id, int nid, int zone)
{
	struct za_block b = { .id = id,
			      .nid = nid,
			      .group = -1,
			      .online = true,
			      .early = true,
			      .zone = zone };
	struct za_zone *z;
	int rc;

	if (zone < 0 || zone >= ZA_NR_ZONES)
		return -EINVAL;
	rc = za_block_insert(st, &b);
	if (rc)
		return rc;
	z = za_zone_get(st, nid, zone);
	resize_zone_range(z, id * st->block_pages, st->block_pages);
	adjust_present(st, &b, z, zone, (int64_t)st->block_pages);
	return 0;
}

int za_block_remove(struct za_state *st, uint64_t id)
{
	size_t i = block_lower_bound(st, id);

	if (i >= st->nr_blocks || st->blocks[i].id != id)
		return -ENOENT;
	if (st->blocks[i].online)
		return -EBUSY;
	memmove(&st->blocks[i], &st->blocks[i + 1],
		(st->nr_blocks - i - 1) * sizeof(*st->blocks));
	st->nr_blocks--;
	return 0;
}

/* --- memory groups (drivers/base/memory.c) ------------------------------ */

struct za_group *za_group_find(const struct za_state *st, int id)
{
	size_t i;

	for (i = 0; i < st->nr_groups; i++)
		if (st->groups[i].id == id)
			return &st->groups[i];
	return NULL;
}

/* memory_group_register(): xa_alloc() takes the lowest free id. */
static int group_register(struct za_state *st, const struct za_group *g)
{
	size_t i;
	int id = 0;

	if (g->nid < 0 || g->nid >= ZA_MAX_NODES)
		return -EINVAL; /* !node_possible() */
	if (st->nr_groups >= ZA_MAX_GROUPS)
		return -ENOMEM;
	/* groups are sorted by id: the first gap */
	for (i = 0; i < st->nr_groups && st->groups[i].id == id; i++)
		id++;
	if (st->nr_groups == st->cap_groups) {
		size_t cap = st->cap_groups ? st->cap_groups * 2 : 8;
		struct za_group *ng = realloc(st->groups, cap * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		st->groups = ng;
		st->cap_groups = cap;
	}
	if (!za_node_get(st, g->nid))
		return -ENOMEM;
	memmove(&st->groups[i + 1], &st->groups[i],
		(st->nr_groups - i) * sizeof(*st->groups));
	st->groups[i] = *g;
	st->groups[i].id = id;
	st->groups[i].registered = true;
	st->nr_groups++;
	return id;
}

static void group_name(struct za_group *g, const char *name)
{
	snprintf(g->name, sizeof(g->name), "%s", name ? name : "");
}

int za_group_register_static(struct za_state *st, int nid, uint64_t max_pages,
			     const char *name)
{
	struct za_group g = { .nid = nid, .max_pages = max_pages };

	if (!max_pages)
		return -EINVAL;
	group_name(&g, name);
	return group_register(st, &g);
}

int za_group_register_dynamic(struct za_state *st, int nid, uint64_t unit_pages,
			      const char *name)
{
	struct za_group g = { .nid = nid,
			      .dynamic = true,
			      .unit_pages = unit_pages };

	if (!unit_pages || (unit_pages & (unit_pages - 1)) ||
	    unit_pages < st->block_pages)
		return -EINVAL;
	group_name(&g, name);
	return group_register(st, &g);
}

int za_group_unregister(struct za_state *st, int id)
{
	size_t i;

	for (i = 0; i < st->nr_blocks; i++)
		if (st->blocks[i].group == id)
			return -EBUSY;
	for (i = 0; i < st->nr_groups; i++) {
		if (st->groups[i].id != id)
			continue;
		memmove(&st->groups[i], &st->groups[i + 1],
			(st->nr_groups - i - 1) * sizeof(*st->groups));
		st->nr_groups--;
		return 0;
	}
	return -ENOENT;
}

/* --- zone choice (mm/memory_hotplug.c) ----------------------------------- */

/* zone_intersects() (include/linux/mmzone.h) */
static bool zone_intersects(const struct za_zone *z, uint64_t start_pfn,
			    uint64_t nr_pages)
{
	if (!z || !z->spanned)
		return false;
	if (start_pfn >= z->start_pfn + z->spanned ||
	    start_pfn + nr_pages <= z->start_pfn)
		return false;
	return true;
}

/* default_kernel_zone_for_pfn() */
static int default_kernel_zone_for_pfn(const struct za_state *st, int nid,
				       uint64_t start_pfn, uint64_t nr_pages)
{
	int zid;

	for (zid = 0; zid < ZA_ZONE_NORMAL; zid++)
		if (zone_intersects(zone_find(st, nid, zid), start_pfn,
				    nr_pages))
			return zid;
	return ZA_ZONE_NORMAL;
}

/* auto_movable_stats_account_zone() */
static void account_zone(const struct za_zone *z, int zid, uint64_t *movable,
			 uint64_t *kernel_early)
{
	if (!z->present) /* populated_zone() */
		return;
	if (zid == ZA_ZONE_MOVABLE) {
		*movable += z->present;
	} else {
		*kernel_early += z->present_early;
		/* CMA pages (never on hotplugged memory) behave like MOVABLE */
		*movable += z->cma;
		*kernel_early -= z->cma;
	}
}

void za_stats(const struct za_state *st, int nid, const struct za_group *group,
	      struct za_stats *out)
{
	/* auto_movable_stats_account_group() reads the ratio as an int */
	const int ratio = (int)st->cfg.ratio;
	uint64_t kernel_early = 0, movable = 0, req = 0, gmovable = 0;
	size_t i;
	int n, zid;

	memset(out, 0, sizeof(*out));
	for (n = 0; n < st->nr_nodes; n++) {
		if (nid != ZA_NUMA_NO_NODE && n != nid)
			continue;
		for (zid = 0; zid < ZA_NR_ZONES; zid++)
			account_zone(&st->nodes[n].zones[zid], zid, &movable,
				     &kernel_early);
	}
	out->movable_pages = movable;
	out->kernel_early_pages = kernel_early;

	/* walk_dynamic_memory_groups(nid, ..., excluded = group) */
	for (i = 0; i < st->nr_groups; i++) {
		const struct za_group *g = &st->groups[i];
		int64_t pages;

		if (!g->registered || !g->dynamic || g == group ||
		    (group && g->id == group->id))
			continue;
		if (nid != ZA_NUMA_NO_NODE && g->nid != nid)
			continue;
		if (!ratio)
			continue;
		pages = (int64_t)(g->present_movable_pages * 100 /
					  (uint64_t)(int64_t)ratio -
				  g->present_kernel_pages);
		if (pages > 0)
			req += (uint64_t)pages;
		gmovable += g->present_movable_pages;
	}
	out->group_movable_pages = gmovable;
	out->req_kernel_early_pages = req;
	if (kernel_early <= req) {
		out->starved = true;
		return;
	}
	kernel_early -= req;
	movable -= gmovable;
	if (group && group->dynamic)
		kernel_early += group->present_kernel_pages;
	out->eff_kernel_pages = kernel_early;
	out->eff_movable_pages = movable;
	out->limit_pages = (uint64_t)st->cfg.ratio * kernel_early / 100;
	out->headroom_pages =
		out->limit_pages > movable ? out->limit_pages - movable : 0;
}

/* auto_movable_can_online_movable() */
bool za_can_online_movable(const struct za_state *st, int nid,
			   const struct za_group *group, uint64_t nr_pages)
{
	struct za_stats s;

	za_stats(st, nid, group, &s);
	if (s.starved)
		return false;
	return s.eff_movable_pages + nr_pages <= s.limit_pages;
}

uint64_t za_headroom(const struct za_state *st, int nid,
		     const struct za_group *group)
{
	struct za_stats s;
	uint64_t h;

	if (!st->cfg.ratio)
		return 0;
	za_stats(st, ZA_NUMA_NO_NODE, group, &s);
	h = s.starved ? 0 : s.headroom_pages;
	if (st->cfg.numa_aware && nid != ZA_NUMA_NO_NODE) {
		za_stats(st, nid, group, &s);
		if (s.starved)
			h = 0;
		else if (s.headroom_pages < h)
			h = s.headroom_pages;
	}
	return h;
}

/* The block holding @pfn if its sections are online (pfn_to_online_page()). */
static const struct za_block *online_block_at(const struct za_state *st,
					      uint64_t pfn)
{
	const struct za_block *b = za_block_find(st, pfn / st->block_pages);

	return b && b->online ? b : NULL;
}

/* auto_movable_zone_for_pfn() */
static int auto_movable_zone_for_pfn(const struct za_state *st, int nid,
				     const struct za_group *group, uint64_t pfn,
				     uint64_t nr_pages)
{
	uint64_t online_pages = 0, max_pages, end_pfn;

	if (!st->cfg.ratio)
		goto kernel_zone;

	if (group && !group->dynamic) {
		max_pages = group->max_pages;
		online_pages = group->present_movable_pages;

		/* If anything is !MOVABLE online the rest !MOVABLE. */
		if (group->present_kernel_pages)
			goto kernel_zone;
	} else if (!group || group->unit_pages == nr_pages) {
		max_pages = nr_pages;
	} else {
		const uint64_t step = st->section_pages ? st->section_pages :
							  st->block_pages;

		max_pages = group->unit_pages;
		/*
		 * All online sections in the current unit; the kernel walks
		 * PAGES_PER_SECTION steps, a section is online iff its block
		 * is.
		 */
		pfn &= ~(group->unit_pages - 1); /* ALIGN_DOWN */
		end_pfn = pfn + group->unit_pages;
		for (; pfn < end_pfn; pfn += step) {
			const struct za_block *b = online_block_at(st, pfn);

			if (!b)
				continue;
			/* If anything is !MOVABLE online the rest !MOVABLE. */
			if (b->zone != ZA_ZONE_MOVABLE)
				goto kernel_zone;
			online_pages += step;
		}
	}

	/*
	 * Online MOVABLE if we could *currently* online all remaining parts
	 * MOVABLE.
	 */
	nr_pages = max_pages - online_pages;
	if (!za_can_online_movable(st, ZA_NUMA_NO_NODE, group, nr_pages))
		goto kernel_zone;
	if (st->cfg.numa_aware &&
	    !za_can_online_movable(st, nid, group, nr_pages))
		goto kernel_zone;
	return ZA_ZONE_MOVABLE;
kernel_zone:
	/* with pfn and nr_pages as modified above, like the kernel */
	return default_kernel_zone_for_pfn(st, nid, pfn, nr_pages);
}

/* default_zone_for_pfn(): the contig-zones policy */
static int default_zone_for_pfn(const struct za_state *st, int nid,
				uint64_t start_pfn, uint64_t nr_pages)
{
	int kernel = default_kernel_zone_for_pfn(st, nid, start_pfn, nr_pages);
	bool in_kernel = zone_intersects(zone_find(st, nid, kernel), start_pfn,
					 nr_pages);
	bool in_movable = zone_intersects(zone_find(st, nid, ZA_ZONE_MOVABLE),
					  start_pfn, nr_pages);

	/* inherit the existing zone where zones do not overlap the range */
	if (in_kernel ^ in_movable)
		return in_kernel ? kernel : ZA_ZONE_MOVABLE;
	return st->cfg.movable_node ? ZA_ZONE_MOVABLE : kernel;
}

int za_zone_for_pfn_range(const struct za_state *st, int online_type, int nid,
			  const struct za_group *group, uint64_t start_pfn,
			  uint64_t nr_pages)
{
	if (online_type == ZA_MMOP_ONLINE_KERNEL)
		return default_kernel_zone_for_pfn(st, nid, start_pfn,
						   nr_pages);
	if (online_type == ZA_MMOP_ONLINE_MOVABLE)
		return ZA_ZONE_MOVABLE;
	if (st->cfg.policy == ZA_POLICY_AUTO_MOVABLE)
		return auto_movable_zone_for_pfn(st, nid, group, start_pfn,
						 nr_pages);
	return default_zone_for_pfn(st, nid, start_pfn, nr_pages);
}

static const struct za_group *block_group(const struct za_state *st,
					  const struct za_block *b)
{
	return b->group >= 0 ? za_group_find(st, b->group) : NULL;
}

int za_zone_for_block(const struct za_state *st, uint64_t id, int online_type)
{
	const struct za_block *b = za_block_find(st, id);

	if (!b)
		return -ENOENT;
	return za_zone_for_pfn_range(st, online_type, b->nid,
				     block_group(st, b), id * st->block_pages,
				     st->block_pages);
}

/* --- online / offline ----------------------------------------------------- */

int za_online(struct za_state *st, uint64_t id, int online_type, int *zone)
{
	struct za_block *b = za_block_find(st, id);
	struct za_zone *z;
	int zid;

	if (!b)
		return -ENOENT;
	if (b->online || online_type < ZA_MMOP_ONLINE ||
	    online_type > ZA_MMOP_ONLINE_MOVABLE)
		return -EINVAL;
	zid = za_zone_for_block(st, id, online_type);
	z = za_zone_get(st, b->nid, zid);
	if (!z)
		return -ENOMEM;
	/* move_pfn_range_to_zone() + adjust_present_page_count() */
	resize_zone_range(z, id * st->block_pages, st->block_pages);
	adjust_present(st, b, z, zid, (int64_t)st->block_pages);
	b->online = true;
	b->zone = zid;
	if (zone)
		*zone = zid;
	return 0;
}

/*
 * Does online block @b hold pfns of zone @zid? Early blocks spanning zones
 * (zone NONE) are taken to hold pfns of every kernel zone whose span they
 * intersect; the kernel checks page_zone() per subsection.
 */
static bool block_in_zone(const struct za_state *st, const struct za_block *b,
			  int nid, int zid)
{
	if (!b->online || b->nid != nid)
		return false;
	if (b->zone == zid)
		return true;
	if (b->zone == ZA_ZONE_NONE && zid != ZA_ZONE_MOVABLE)
		return zone_intersects(zone_find(st, nid, zid),
				       b->id * st->block_pages,
				       st->block_pages);
	return false;
}

/*
 * find_smallest_section_pfn(): the first pfn start_pfn + k * SUBSECTION in
 * [start_pfn, end_pfn) that is online on @nid in @zid; 0 if none (as in the
 * kernel, a pfn of 0 reads as "none").
 */
static uint64_t find_smallest_pfn(const struct za_state *st, int nid, int zid,
				  uint64_t start_pfn, uint64_t end_pfn)
{
	const uint64_t sub = st->subsection_pages ? st->subsection_pages : 1;
	size_t i;

	for (i = block_lower_bound(st, start_pfn / st->block_pages);
	     i < st->nr_blocks; i++) {
		const struct za_block *b = &st->blocks[i];
		uint64_t bs = b->id * st->block_pages,
			 be = bs + st->block_pages;
		uint64_t lo, p;

		if (bs >= end_pfn)
			break;
		if (!block_in_zone(st, b, nid, zid))
			continue;
		lo = bs > start_pfn ? bs : start_pfn;
		p = start_pfn + (lo - start_pfn + sub - 1) / sub * sub;
		if (p < be && p < end_pfn)
			return p;
	}
	return 0;
}

/*
 * find_biggest_section_pfn(): the highest pfn end_pfn - 1 - k * SUBSECTION
 * in [start_pfn, end_pfn) online on @nid in @zid; 0 if none.
 */
static uint64_t find_biggest_pfn(const struct za_state *st, int nid, int zid,
				 uint64_t start_pfn, uint64_t end_pfn)
{
	const uint64_t sub = st->subsection_pages ? st->subsection_pages : 1;
	size_t i;

	if (end_pfn <= start_pfn)
		return 0;
	i = block_lower_bound(st, (end_pfn - 1) / st->block_pages + 1);
	while (i-- > 0) {
		const struct za_block *b = &st->blocks[i];
		uint64_t bs = b->id * st->block_pages,
			 be = bs + st->block_pages;
		uint64_t hi, k, p, lo;

		if (be <= start_pfn)
			break;
		if (!block_in_zone(st, b, nid, zid))
			continue;
		hi = (be < end_pfn ? be : end_pfn) - 1;
		k = (end_pfn - 1 - hi + sub - 1) / sub;
		if (k > (end_pfn - 1) / sub)
			continue;
		p = end_pfn - 1 - k * sub;
		lo = bs > start_pfn ? bs : start_pfn;
		if (p >= lo)
			return p;
	}
	return 0;
}

/* shrink_zone_span() */
static void shrink_zone_span(struct za_state *st, int nid, int zid,
			     uint64_t start_pfn, uint64_t end_pfn)
{
	struct za_zone *z = za_zone_get(st, nid, zid);
	uint64_t zend = z->start_pfn + z->spanned, pfn;

	if (z->start_pfn == start_pfn) {
		pfn = find_smallest_pfn(st, nid, zid, end_pfn, zend);
		if (pfn) {
			z->spanned = zend - pfn;
			z->start_pfn = pfn;
		} else {
			z->start_pfn = 0;
			z->spanned = 0;
		}
	} else if (zend == end_pfn) {
		pfn = find_biggest_pfn(st, nid, zid, z->start_pfn, start_pfn);
		if (pfn) {
			z->spanned = pfn - z->start_pfn + 1;
		} else {
			z->start_pfn = 0;
			z->spanned = 0;
		}
	}
}

int za_offline(struct za_state *st, uint64_t id)
{
	struct za_block *b = za_block_find(st, id);
	struct za_zone *z;
	int zid;

	if (!b)
		return -ENOENT;
	/* not online, or mem->zone == NULL (spans zones): -EINVAL */
	if (!b->online || b->zone < 0 || b->zone >= ZA_NR_ZONES)
		return -EINVAL;
	zid = b->zone;
	z = za_zone_get(st, b->nid, zid);
	if (!z)
		return -ENOMEM;
	/* offline_pages(): adjust_present_page_count(), sections offline */
	adjust_present(st, b, z, zid, -(int64_t)st->block_pages);
	b->online = false;
	b->zone = ZA_ZONE_NONE;
	/* remove_pfn_range_from_zone() */
	shrink_zone_span(st, b->nid, zid, id * st->block_pages,
			 (id + 1) * st->block_pages);
	return 0;
}

/* valid_zones_show() */
int za_valid_zones(const struct za_state *st, uint64_t id, char *buf,
		   size_t len)
{
	const struct za_block *b = za_block_find(st, id);
	int def, z;
	size_t n;

	if (!b)
		return -ENOENT;
	if (b->online) {
		snprintf(buf, len, "%s", za_zone_name(b->zone));
		return 0;
	}
	def = za_zone_for_block(st, id, ZA_MMOP_ONLINE);
	snprintf(buf, len, "%s", za_zone_name(def));
	z = za_zone_for_block(st, id, ZA_MMOP_ONLINE_KERNEL);
	n = strlen(buf);
	if (z != def && n < len)
		snprintf(buf + n, len - n, " %s", za_zone_name(z));
	z = za_zone_for_block(st, id, ZA_MMOP_ONLINE_MOVABLE);
	n = strlen(buf);
	if (z != def && n < len)
		snprintf(buf + n, len - n, " %s", za_zone_name(z));
	return 0;
}

uint64_t za_hotplugged_present(const struct za_state *st, int nid, int zone)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < st->nr_blocks; i++) {
		const struct za_block *b = &st->blocks[i];

		if (b->online && !b->early && b->nid == nid && b->zone == zone)
			sum += st->block_pages;
	}
	return sum;
}
