// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: the engine. Runs each operation through the kernel's zone
 * algorithm (user/lib/zonealgo.c) on the state loaded by user/lib/zi_system.c
 * or built from a --state file, and records the steps for the printers
 * (user/lib/simulate_print.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simulate_run.h"

#define PROG SIM_PROG

/* --- execution ------------------------------------------------------------ */

static struct step *cur_step(struct sim *s)
{
	return s->silent || !s->nr_steps ? NULL : &s->steps[s->nr_steps - 1];
}

static int begin_step(struct sim *s, const struct op *op)
{
	struct step *ns;

	if (s->silent)
		return 0;
	if (s->nr_steps == s->cap_steps) {
		size_t cap = s->cap_steps ? s->cap_steps * 2 : 16;

		ns = realloc(s->steps, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		s->steps = ns;
		s->cap_steps = cap;
	}
	memset(&s->steps[s->nr_steps], 0, sizeof(*s->steps));
	s->steps[s->nr_steps++].op = op;
	return 0;
}

static int act(struct sim *s, enum act_kind kind, uint64_t block, int nid,
	       int group, int zone, int type)
{
	struct step *st = cur_step(s);
	struct action *na;

	if (!st)
		return 0;
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;

		na = realloc(st->acts, cap * sizeof(*na));
		if (!na)
			return -ENOMEM;
		st->acts = na;
		st->cap = cap;
	}
	st->acts[st->nr++] = (struct action){ .kind = kind,
					      .block = block,
					      .nid = nid,
					      .group = group,
					      .zone = zone,
					      .online_type = type };
	return 0;
}

static void note(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct sim *s, const char *fmt, ...)
{
	struct step *st = cur_step(s);
	va_list ap;

	if (!st || st->nr_notes >= 4)
		return;
	va_start(ap, fmt);
	vsnprintf(st->notes[st->nr_notes++], sizeof(st->notes[0]), fmt, ap);
	va_end(ap);
}

/* The failure of the current operation; always returns -1. */
static int fail(struct sim *s, const struct op *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct sim *s, const struct op *op, const char *fmt, ...)
{
	struct step *st = cur_step(s);
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (st)
		snprintf(st->error, sizeof(st->error), "%s", buf);
	fprintf(s->o->err, PROG ": %s: %s: %s\n", op->src, op->text, buf);
	return -1;
}

struct za_state *ST(struct sim *s)
{
	return &s->sys.st;
}

/* Make sure the state exists (--state files create it lazily). */
static int need_state(struct sim *s, const struct op *op)
{
	uint64_t bp;

	if (s->have_state)
		return 0;
	bp = s->next_block_size / s->sys.page_size;
	if (!bp || s->next_block_size % s->sys.page_size)
		return fail(s, op,
			    "block size is not a multiple of the page size");
	if (za_init(ST(s), bp))
		return fail(s, op, "bad block size");
	ST(s)->subsection_pages = (2u << 20) / s->sys.page_size ?
					  (2u << 20) / s->sys.page_size :
					  1;
	s->sys.block_size = s->next_block_size;
	s->have_state = true;
	return 0;
}

/* Is block @id taken by a present block or a device region? */
static bool block_taken(struct sim *s, uint64_t id,
			const struct zi_device *skip)
{
	size_t i;

	if (za_block_find(ST(s), id))
		return true;
	for (i = 0; i < s->sys.nr_devs; i++) {
		const struct zi_device *d = &s->sys.devs[i];

		if (d == skip || d->kind != ZI_DEV_VIRTIO_MEM || !d->region_end)
			continue;
		if (id >= d->region_first && id < d->region_end)
			return true;
	}
	return false;
}

/*
 * First fit for @n blocks aligned to @align blocks in the hotplug area: from
 * the end of boot memory, but not below 4 GiB, rounded up to 1 GiB (where
 * QEMU's x86 machines start their device memory region), skipping present
 * blocks and virtio-mem regions.
 */
static int first_fit(struct sim *s, uint64_t n, uint64_t align, uint64_t *out)
{
	const uint64_t bs = s->sys.block_size;
	uint64_t end = 0, base, id, limit = UINT64_MAX / ST(s)->block_pages;
	size_t i;

	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (ST(s)->blocks[i].early && ST(s)->blocks[i].id + 1 > end)
			end = ST(s)->blocks[i].id + 1;
	if (end < limit / bs)
		end *= bs; /* bytes */
	else
		end = UINT64_MAX - (1ull << 30);
	if (end < (4ull << 30))
		end = 4ull << 30;
	base = ((end - 1) | ((1ull << 30) - 1)) + 1; /* ROUND_UP(end, 1 GiB) */
	base = (base + bs - 1) / bs;
	if (!align)
		align = 1;
	id = (base + align - 1) / align * align;
	while (id < limit && limit - id >= n) {
		uint64_t k;

		for (k = 0; k < n && !block_taken(s, id + k, NULL); k++)
			;
		if (k == n) {
			*out = id;
			return 0;
		}
		id = (id + k + 1 + align - 1) / align * align;
	}
	return -ENOSPC;
}

static int auto_online_blocks(struct sim *s, const struct op *op,
			      uint64_t first, uint64_t n)
{
	uint64_t k;

	if (s->sys.auto_online <= ZA_MMOP_OFFLINE)
		return 0;
	/* walk_memory_blocks(start, size, NULL, online_memory_block) */
	for (k = 0; k < n; k++) {
		struct za_block *b = za_block_find(ST(s), first + k);
		int zone, rc;

		rc = za_online(ST(s), first + k, s->sys.auto_online, &zone);
		if (rc)
			return fail(s, op,
				    "memory%" PRIu64 ": online failed (%s)",
				    first + k, strerror(-rc));
		act(s, ACT_ONLINE, first + k, b->nid, b->group, zone,
		    s->sys.auto_online);
	}
	return 0;
}

static int add_blocks(struct sim *s, const struct op *op, uint64_t first,
		      uint64_t n, int nid, int gid)
{
	uint64_t k;

	for (k = 0; k < n; k++) {
		int rc = za_block_add(ST(s), first + k, nid, gid);

		if (rc == -EEXIST)
			return fail(s, op,
				    "memory%" PRIu64 " is already present",
				    first + k);
		if (rc)
			return fail(s, op, "memory%" PRIu64 ": cannot add (%s)",
				    first + k, strerror(-rc));
		act(s, ACT_ADD, first + k, nid, gid, ZA_ZONE_NONE, 0);
	}
	return 0;
}

static int exec_dimm(struct sim *s, const struct op *op)
{
	const uint64_t bs = s->sys.block_size;
	uint64_t n = op->size / bs, first, align = 1;
	struct zi_device d = { .kind = ZI_DEV_DIMM, .group = -1 };
	int nid = op->nid >= 0 ? op->nid : 0, gid;
	uint64_t k;

	if (op->size % bs)
		return fail(s, op,
			    "size is not a multiple of the memory block size");
	if (n > ZA_MAX_BLOCKS - ST(s)->nr_blocks)
		return fail(s, op, "too large (the model stops at %u blocks)",
			    ZA_MAX_BLOCKS);
	if (op->has_align)
		align = op->align > bs ? op->align / bs : 1;
	if (op->has_block || op->has_at) {
		if (op->has_at && op->at % bs)
			return fail(
				s, op,
				"at= is not aligned to the memory block size");
		first = op->has_block ? op->block : op->at / bs;
		if (first >= UINT64_MAX / ST(s)->block_pages - n)
			return fail(s, op, "beyond 64-bit addresses");
		for (k = 0; k < n; k++)
			if (block_taken(s, first + k, NULL))
				return fail(s, op, "memory%" PRIu64 " is taken",
					    first + k);
	} else if (first_fit(s, n, align, &first)) {
		return fail(s, op, "no free range of that size");
	}
	if (op->name[0]) {
		if (zi_device_find(&s->sys, op->name))
			return fail(s, op, "a device named %s exists",
				    op->name);
		snprintf(d.name, sizeof(d.name), "%s", op->name);
	} else {
		do
			snprintf(d.name, sizeof(d.name), "dimm%u", s->dimms++);
		while (zi_device_find(&s->sys, d.name));
	}
	/* acpi_memory_enable_device() */
	gid = za_group_register_static(ST(s), nid, op->size / s->sys.page_size,
				       d.name);
	if (gid < 0)
		return fail(s, op, "cannot register a memory group (%s)",
			    strerror(-gid));
	act(s, ACT_REGISTER, (uint64_t)gid, nid, gid, ZA_ZONE_NONE, 0);
	d.group = gid;
	d.nid = nid;
	if (zi_device_add(&s->sys, &d) < 0)
		return fail(s, op, "out of memory");
	note(s, "%s: memory%" PRIu64 "-%" PRIu64 ", memory group %d", d.name,
	     first, first + n - 1, gid);
	if (add_blocks(s, op, first, n, nid, gid))
		return -1;
	return auto_online_blocks(s, op, first, n);
}

/* The virtio-mem device an operation means, or a new one (NULL + *create). */
static int pick_vmem(struct sim *s, const struct op *op, struct zi_device **out)
{
	struct zi_device *found = NULL;
	size_t i, nr = 0;

	*out = NULL;
	if (op->name[0]) {
		struct zi_device *d = zi_device_find(&s->sys, op->name);

		if (d && d->kind != ZI_DEV_VIRTIO_MEM)
			return fail(s, op, "%s is not a virtio-mem device",
				    op->name);
		*out = d;
		return 0;
	}
	for (i = 0; i < s->sys.nr_devs; i++) {
		struct zi_device *d = &s->sys.devs[i];

		if (d->kind != ZI_DEV_VIRTIO_MEM)
			continue;
		if (op->nid >= 0 && d->nid >= 0 && d->nid != op->nid)
			continue;
		found = d;
		nr++;
	}
	if (nr > 1)
		return fail(s, op, "several virtio-mem devices: say dev=NAME");
	*out = found;
	return 0;
}

static int exec_vmem(struct sim *s, const struct op *op)
{
	const uint64_t bs = s->sys.block_size, bp = ST(s)->block_pages;
	struct zi_device *d;
	struct za_group *g;
	uint64_t unit_blocks, nunits, u, added = 0, threshold;
	int gid;

	if (pick_vmem(s, op, &d))
		return -1;
	if (op->unit && (op->unit < bs || op->unit % s->sys.page_size))
		return fail(
			s, op,
			"unit= must be a power of two >= the memory block size");
	if (op->size / bs > ZA_MAX_BLOCKS - ST(s)->nr_blocks ||
	    (op->has_region && op->region / bs > ZA_MAX_BLOCKS))
		return fail(s, op, "too large (the model stops at %u blocks)",
			    ZA_MAX_BLOCKS);
	if (!d) {
		struct zi_device nd = { .kind = ZI_DEV_VIRTIO_MEM,
					.group = -1 };
		uint64_t unit = op->unit ? op->unit / s->sys.page_size : bp;
		uint64_t ub = unit / bp, region, first;
		int nid = op->nid >= 0 ? op->nid : 0;

		region = op->has_region ? op->region : op->size;
		region = (region + unit * s->sys.page_size - 1) /
			 (unit * s->sys.page_size) * ub;
		if (op->has_block || op->has_at) {
			if (op->has_at && op->at % (unit * s->sys.page_size))
				return fail(s, op,
					    "at= is not aligned to the unit");
			first = op->has_block ? op->block : op->at / bs;
			if (first % ub)
				return fail(
					s, op,
					"block= is not aligned to the unit");
		} else if (first_fit(s, region, ub, &first)) {
			return fail(s, op, "no free range of that size");
		}
		if (first >= UINT64_MAX / bp - region)
			return fail(s, op, "beyond 64-bit addresses");
		if (op->name[0]) {
			snprintf(nd.name, sizeof(nd.name), "%s", op->name);
		} else {
			do
				snprintf(nd.name, sizeof(nd.name), "vmem%u",
					 s->vmems++);
			while (zi_device_find(&s->sys, nd.name));
		}
		/* virtio_mem_init_hotplug() */
		gid = za_group_register_dynamic(ST(s), nid, unit, nd.name);
		if (gid < 0)
			return fail(s, op,
				    "cannot register a memory group (%s)",
				    strerror(-gid));
		act(s, ACT_REGISTER, (uint64_t)gid, nid, gid, ZA_ZONE_NONE, 0);
		nd.group = gid;
		nd.nid = nid;
		nd.unit_pages = unit;
		nd.region_first = first;
		nd.region_end = first + region;
		if (zi_device_add(&s->sys, &nd) < 0)
			return fail(s, op, "out of memory");
		d = &s->sys.devs[s->sys.nr_devs - 1];
		note(s,
		     "%s: new device, region memory%" PRIu64 "-%" PRIu64
		     ", unit %" PRIu64 " block(s), memory group %d",
		     d->name, d->region_first, d->region_end - 1, ub, gid);
	}
	g = za_group_find(ST(s), d->group);
	if (!g)
		return fail(s, op, "%s has no memory group", d->name);
	if (op->nid >= 0 && d->nid >= 0 && op->nid != d->nid)
		return fail(s, op, "%s is on node %d", d->name, d->nid);
	if (d->nid < 0) {
		d->nid = op->nid >= 0 ? op->nid : 0;
		g->nid = d->nid;
		if (op->nid < 0)
			note(s, "%s: node unknown, taken as 0 (say node=)",
			     d->name);
	}
	if (op->unit && op->unit / s->sys.page_size != g->unit_pages) {
		if (g->present_kernel_pages || g->present_movable_pages)
			return fail(s, op,
				    "%s has memory plugged with another unit",
				    d->name);
		g->unit_pages = op->unit / s->sys.page_size;
		d->unit_pages = g->unit_pages;
	}
	unit_blocks = g->unit_pages / bp;
	nunits = (op->size + g->unit_pages * s->sys.page_size - 1) /
		 (g->unit_pages * s->sys.page_size);
	if (nunits * g->unit_pages * s->sys.page_size != op->size)
		note(s,
		     "%s: size rounded up to whole units (%" PRIu64
		     " block(s)): a partly plugged block is onlined whole",
		     d->name, unit_blocks);
	/* The lowest unused units of the region, one add_memory() each. */
	for (u = 0; u < nunits; u++) {
		uint64_t id = (d->region_first + unit_blocks - 1) /
			      unit_blocks * unit_blocks;
		uint64_t k;

		for (;; id += unit_blocks) {
			if (d->region_end && id + unit_blocks > d->region_end)
				return fail(s, op,
					    "%s: no room left in its region",
					    d->name);
			if (id >= UINT64_MAX / bp - unit_blocks)
				return fail(s, op, "beyond 64-bit addresses");
			for (k = 0; k < unit_blocks; k++)
				if (za_block_find(ST(s), id + k))
					break;
			if (k == unit_blocks)
				break;
		}
		if (add_blocks(s, op, id, unit_blocks, d->nid, d->group))
			return -1;
		added += unit_blocks;
		if (auto_online_blocks(s, op, id, unit_blocks))
			return -1;
	}
	threshold = 2 * g->unit_pages * s->sys.page_size;
	if (threshold < (1ull << 30))
		threshold = 1ull << 30;
	if (s->sys.auto_online <= ZA_MMOP_OFFLINE && added * bs > threshold)
		note(s,
		     "%s: with memory left offline the driver stops adding at its offline threshold (%" PRIu64
		     " MiB) until memory is onlined",
		     d->name, threshold >> 20);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Like writing each block to the probe interface: add, auto-online. Adding
 * them all first gives the same zones (offline blocks play no part in the
 * choice) and inserting in ascending order keeps it linear.
 */
static int exec_add(struct sim *s, const struct op *op)
{
	int nid = op->nid >= 0 ? op->nid : 0;
	uint64_t *sorted;
	size_t i;
	int rc = 0;

	sorted = calloc(op->nr_list, sizeof(*sorted));
	if (!sorted)
		return fail(s, op, "out of memory");
	memcpy(sorted, op->list, op->nr_list * sizeof(*sorted));
	qsort(sorted, op->nr_list, sizeof(*sorted), cmp_u64);
	for (i = 0; i < op->nr_list && !rc; i++) {
		if (za_block_find(ST(s), sorted[i]))
			rc = fail(s, op, "memory%" PRIu64 " is already present",
				  sorted[i]);
		else
			rc = add_blocks(s, op, sorted[i], 1, nid, -1);
	}
	free(sorted);
	for (i = 0; i < op->nr_list && !rc; i++)
		rc = auto_online_blocks(s, op, op->list[i], 1);
	return rc;
}

static int online_one(struct sim *s, const struct op *op, uint64_t id, int type)
{
	struct za_block *b = za_block_find(ST(s), id);
	int zone, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	rc = za_online(ST(s), id, type, &zone);
	if (rc == -EINVAL)
		return fail(s, op,
			    "memory%" PRIu64
			    " is already online (the kernel says EINVAL)",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_ONLINE, id, b->nid, b->group, zone, type);
}

static int offline_one(struct sim *s, const struct op *op, uint64_t id)
{
	struct za_block *b = za_block_find(ST(s), id);
	int zone, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	zone = b->zone;
	if (b->online && zone == ZA_ZONE_NONE)
		return fail(
			s, op,
			"memory%" PRIu64
			" spans several zones (valid_zones \"none\"): the kernel refuses to offline it",
			id);
	rc = za_offline(ST(s), id);
	if (rc == -EINVAL)
		return fail(s, op,
			    "memory%" PRIu64
			    " is already offline (the kernel says EINVAL)",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_OFFLINE, id, b->nid, b->group, zone, 0);
}

static int remove_one(struct sim *s, const struct op *op, uint64_t id)
{
	struct za_block *b = za_block_find(ST(s), id);
	int nid, group, rc;

	if (!b)
		return fail(s, op, "memory%" PRIu64 ": no such block", id);
	nid = b->nid;
	group = b->group;
	rc = za_block_remove(ST(s), id);
	if (rc == -EBUSY)
		return fail(s, op,
			    "memory%" PRIu64 " is online: offline it first",
			    id);
	if (rc)
		return fail(s, op, "memory%" PRIu64 ": %s", id, strerror(-rc));
	return act(s, ACT_REMOVE, id, nid, group, ZA_ZONE_NONE, 0);
}

static int exec_unplug(struct sim *s, const struct op *op)
{
	struct zi_device *d = zi_device_find(&s->sys, op->name);
	uint64_t *ids;
	size_t i, n = 0;
	int gid, rc = 0;

	if (!d)
		return fail(s, op, "no device named %s", op->name);
	if (d->kind == ZI_DEV_VIRTIO_MEM)
		return fail(s, op, "%s is virtio-mem: use offline and remove",
			    op->name);
	gid = d->group;
	ids = calloc(ST(s)->nr_blocks + 1, sizeof(*ids));
	if (!ids)
		return fail(s, op, "out of memory");
	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (gid >= 0 && ST(s)->blocks[i].group == gid)
			ids[n++] = ST(s)->blocks[i].id;
	/* ACPI eject: offline every block (in order), then remove */
	for (i = 0; i < n && !rc; i++)
		if (za_block_find(ST(s), ids[i])->online)
			rc = offline_one(s, op, ids[i]);
	for (i = 0; i < n && !rc; i++)
		rc = remove_one(s, op, ids[i]);
	free(ids);
	if (rc)
		return rc;
	if (gid >= 0 && !za_group_unregister(ST(s), gid))
		act(s, ACT_UNREGISTER, (uint64_t)gid, d->nid, gid, ZA_ZONE_NONE,
		    0);
	*d = s->sys.devs[--s->sys.nr_devs];
	return 0;
}

static int exec_online_all(struct sim *s, const struct op *op)
{
	uint64_t *ids;
	size_t i, n = 0;
	int rc = 0;

	ids = calloc(ST(s)->nr_blocks + 1, sizeof(*ids));
	if (!ids)
		return fail(s, op, "out of memory");
	for (i = 0; i < ST(s)->nr_blocks; i++)
		if (!ST(s)->blocks[i].online)
			ids[n++] = ST(s)->blocks[i].id;
	for (i = 0; i < n && !rc; i++)
		rc = online_one(s, op, ids[i], op->online_type);
	free(ids);
	return rc;
}

static void apply_set(struct sim *s, const struct op *op)
{
	if (op->policy >= 0)
		ST(s)->cfg.policy = (enum za_policy)op->policy;
	if (op->ratio >= 0)
		ST(s)->cfg.ratio = (unsigned int)op->ratio;
	if (op->numa_aware >= 0)
		ST(s)->cfg.numa_aware = op->numa_aware;
	if (op->movable_node >= 0)
		ST(s)->cfg.movable_node = op->movable_node;
	if (op->auto_online >= 0)
		s->sys.auto_online = op->auto_online;
}

static int exec_state_only(struct sim *s, const struct op *op)
{
	size_t i;
	struct za_zone *z;

	switch (op->kind) {
	case OP_BLOCK_SIZE:
	case OP_PAGE_SIZE:
		if (s->have_state)
			return fail(s, op, "%s must come before any block",
				    op->kind == OP_BLOCK_SIZE ? "block-size" :
								"page-size");
		if (op->kind == OP_BLOCK_SIZE)
			s->next_block_size = op->size;
		else
			s->sys.page_size = op->size;
		return 0;
	case OP_BOOT:
		for (i = 0; i < op->nr_list; i++) {
			struct za_block mixed = { .id = op->list[i],
						  .nid = op->nid >= 0 ?
								 op->nid :
								 0,
						  .group = -1,
						  .online = true,
						  .early = true,
						  .zone = ZA_ZONE_NONE };
			int rc = op->zone == ZA_NR_ZONES ?
					 za_block_insert(ST(s), &mixed) :
					 za_block_add_boot(ST(s), op->list[i],
							   mixed.nid, op->zone);

			if (rc)
				return fail(s, op, "memory%" PRIu64 ": %s",
					    op->list[i],
					    rc == -EEXIST ? "already present" :
							    strerror(-rc));
		}
		return 0;
	case OP_ZONE:
		z = za_zone_get(ST(s), op->nid, op->zone);
		if (!z)
			return fail(s, op, "out of memory");
		if (op->has_start)
			z->start_pfn = op->z_start;
		if (op->has_spanned)
			z->spanned = op->z_spanned;
		if (op->has_present)
			z->present = op->z_present;
		if (op->has_early)
			z->present_early = op->z_early;
		else if (op->has_present)
			z->present_early =
				op->z_present -
				(za_hotplugged_present(ST(s), op->nid,
						       op->zone) <
						 op->z_present ?
					 za_hotplugged_present(ST(s), op->nid,
							       op->zone) :
					 op->z_present);
		if (op->has_cma)
			z->cma = op->z_cma;
		if (z->spanned && z->start_pfn > UINT64_MAX - z->spanned)
			return fail(s, op, "span beyond 64-bit pfns");
		return 0;
	default:
		return 0;
	}
}

int exec_op(struct sim *s, const struct op *op)
{
	size_t i;

	if (begin_step(s, op))
		return fail(s, op, "out of memory");
	if (op->kind == OP_BLOCK_SIZE || op->kind == OP_PAGE_SIZE)
		return exec_state_only(s, op);
	if (need_state(s, op))
		return -1;
	switch (op->kind) {
	case OP_DIMM:
		return exec_dimm(s, op);
	case OP_VMEM:
		return exec_vmem(s, op);
	case OP_ADD:
		return exec_add(s, op);
	case OP_ONLINE:
		for (i = 0; i < op->nr_list; i++)
			if (online_one(s, op, op->list[i], op->online_type))
				return -1;
		return 0;
	case OP_OFFLINE:
		for (i = 0; i < op->nr_list; i++)
			if (offline_one(s, op, op->list[i]))
				return -1;
		return 0;
	case OP_REMOVE:
		for (i = 0; i < op->nr_list; i++)
			if (remove_one(s, op, op->list[i]))
				return -1;
		return 0;
	case OP_UNPLUG:
		return exec_unplug(s, op);
	case OP_ONLINE_ALL:
		return exec_online_all(s, op);
	case OP_SET:
		apply_set(s, op);
		return 0;
	default:
		return exec_state_only(s, op);
	}
}

void sim_free(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->nr_steps; i++)
		free(s->steps[i].acts);
	free(s->steps);
	zi_system_free(&s->sys);
}

int run_state_file(struct sim *s)
{
	struct op_list l = { 0 };
	size_t i;
	int rc = 0;

	s->sys.auto_online = ZA_MMOP_OFFLINE;
	s->next_block_size = 128ull << 20;
	if (read_ops_file(s->o, s->o->state_file, &l, true)) {
		op_list_free(&l);
		return -1;
	}
	s->silent = true;
	for (i = 0; i < l.nr && !rc; i++)
		rc = exec_op(s, &l.ops[i]);
	if (!rc && !s->have_state) {
		struct op dummy = { 0 };

		snprintf(dummy.src, sizeof(dummy.src), "%s", s->o->state_file);
		snprintf(dummy.text, sizeof(dummy.text), "(end)");
		rc = need_state(s, &dummy);
	}
	s->silent = false;
	op_list_free(&l);
	return rc;
}

