// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's zone choice (user/lib/zonealgo.c) against Linux 6.1
 * mm/memory_hotplug.c: the worked examples of the auto-movable series, the
 * contig-zones rules, memory groups, spans growing and shrinking, and the
 * corner cases of the kernel code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "zonealgo.h"

#define PPB 32768ULL /* 128 MiB blocks of 4 KiB pages */

/* QEMU q35 with 4 GiB: blocks 0-15 (DMA + DMA32) and 32-47 (Normal). */
static void vm4g(struct za_state *st)
{
	struct za_block b0 = { .id = 0,
			       .group = -1,
			       .online = true,
			       .early = true,
			       .zone = ZA_ZONE_NONE };
	struct za_zone *z;
	uint64_t i;

	assert_int_equal(za_init(st, PPB), 0);
	assert_int_equal(za_block_insert(st, &b0), 0);
	for (i = 1; i < 16; i++)
		assert_int_equal(za_block_add_boot(st, i, 0, ZA_ZONE_DMA32), 0);
	for (i = 32; i < 48; i++)
		assert_int_equal(za_block_add_boot(st, i, 0, ZA_ZONE_NORMAL),
				 0);
	z = za_zone_get(st, 0, ZA_ZONE_DMA);
	*z = (struct za_zone){ 1, 4095, 3998, 3998, 0 };
	z = za_zone_get(st, 0, ZA_ZONE_DMA32);
	*z = (struct za_zone){ 4096, 520160, 520160, 520160, 0 };
	st->cfg.policy = ZA_POLICY_AUTO_MOVABLE;
}

static int add_online(struct za_state *st, uint64_t first, uint64_t n, int nid,
		      int gid, int type)
{
	uint64_t k;
	int zone = -1;

	for (k = 0; k < n; k++)
		assert_int_equal(za_block_add(st, first + k, nid, gid), 0);
	for (k = 0; k < n; k++)
		assert_int_equal(za_online(st, first + k, type, &zone), 0);
	return zone;
}

static int zone_of(struct za_state *st, uint64_t id)
{
	struct za_block *b = za_block_find(st, id);

	assert_non_null(b);
	return b->online ? b->zone : -100;
}

/* Seed example: 4 GiB DIMMs into a 4 GiB VM, ratio 301. */
static void test_seed_dimms(void **s)
{
	struct za_state st;
	int d, zones[5];

	vm4g(&st);
	for (d = 0; d < 5; d++) {
		int gid = za_group_register_static(&st, 0, 32 * PPB, "dimm");

		assert_true(gid >= 0);
		zones[d] = add_online(&st, 48 + 32 * (uint64_t)d, 32, 0, gid,
				      ZA_MMOP_ONLINE);
	}
	assert_int_equal(zones[0], ZA_ZONE_MOVABLE);
	assert_int_equal(zones[1], ZA_ZONE_MOVABLE);
	assert_int_equal(zones[2], ZA_ZONE_MOVABLE);
	assert_int_equal(zones[3], ZA_ZONE_NORMAL);
	assert_int_equal(zones[4], ZA_ZONE_NORMAL);
	/* a DIMM is never split: every block of DIMM 3 is Normal */
	assert_int_equal(zone_of(&st, 144), ZA_ZONE_NORMAL);
	assert_int_equal(zone_of(&st, 175), ZA_ZONE_NORMAL);
	assert_int_equal(za_zone_get(&st, 0, ZA_ZONE_MOVABLE)->present,
			 96 * PPB);
	za_free(&st);
}

/* Seed example: one virtio-mem device growing a 4 GiB VM, ratio 301. */
static void test_seed_virtio_mem(void **s)
{
	struct za_state st;
	int gid;
	uint64_t b;

	vm4g(&st);
	gid = za_group_register_dynamic(&st, 0, PPB, "virtio0");
	assert_true(gid >= 0);
	add_online(&st, 48, 112, 0, gid, ZA_MMOP_ONLINE);
	for (b = 48; b <= 143; b++)
		assert_int_equal(zone_of(&st, b), ZA_ZONE_MOVABLE);
	for (b = 144; b < 160; b++)
		assert_int_equal(zone_of(&st, b), (b - 144) % 4 ?
							  ZA_ZONE_MOVABLE :
							  ZA_ZONE_NORMAL);
	assert_int_equal(za_group_find(&st, gid)->present_kernel_pages,
			 4 * PPB);
	za_free(&st);
}

static void test_ratio_zero(void **s)
{
	struct za_state st;

	vm4g(&st);
	st.cfg.ratio = 0;
	assert_int_equal(add_online(&st, 48, 8, 0, -1, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	assert_int_equal(za_headroom(&st, 0, NULL), 0);
	/* explicit types win over the policy */
	assert_int_equal(add_online(&st, 56, 1, 0, -1, ZA_MMOP_ONLINE_MOVABLE),
			 ZA_ZONE_MOVABLE);
	za_free(&st);
}

/* ratio 100: firmware holes make early memory a little less than 4 GiB. */
static void test_holes_count(void **s)
{
	struct za_state st;
	int gid;

	vm4g(&st);
	st.cfg.ratio = 100;
	/* KERNEL_EARLY = 3998 + 520160 + 524288 < 4 GiB: a 4 GiB DIMM fails */
	gid = za_group_register_static(&st, 0, 32 * PPB, NULL);
	assert_int_equal(add_online(&st, 48, 32, 0, gid, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	/* but without a group each block is decided alone */
	assert_int_equal(add_online(&st, 80, 31, 0, -1, ZA_MMOP_ONLINE),
			 ZA_ZONE_MOVABLE);
	assert_int_equal(add_online(&st, 111, 1, 0, -1, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	za_free(&st);
}

static void test_contig_zones(void **s)
{
	struct za_state st;
	char vz[64];
	int gid;

	vm4g(&st);
	st.cfg.policy = ZA_POLICY_CONTIG_ZONES;
	gid = za_group_register_static(&st, 0, 8 * PPB, NULL);
	for (int k = 0; k < 8; k++)
		assert_int_equal(za_block_add(&st, 48 + k, 0, gid), 0);
	/* no span intersects: the kernel zone; Normal's span ends at 48 */
	assert_int_equal(za_zone_for_block(&st, 48, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	assert_int_equal(za_valid_zones(&st, 55, vz, sizeof(vz)), 0);
	assert_string_equal(vz, "Normal Movable");
	/* the seed thread: online the last block movable ... */
	assert_int_equal(za_online(&st, 55, ZA_MMOP_ONLINE_MOVABLE, NULL), 0);
	assert_int_equal(za_valid_zones(&st, 55, vz, sizeof(vz)), 0);
	assert_string_equal(vz, "Movable");
	/* ... blocks below still see neither span: kernel zone */
	assert_int_equal(za_zone_for_block(&st, 54, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	/* online 48 Movable too: now 49-54 are inside Movable's span only */
	assert_int_equal(za_online(&st, 48, ZA_MMOP_ONLINE_MOVABLE, NULL), 0);
	assert_int_equal(za_valid_zones(&st, 50, vz, sizeof(vz)), 0);
	assert_string_equal(vz, "Movable Normal");
	/* a Normal block inside Movable's span: both intersect -> kernel */
	assert_int_equal(za_online(&st, 50, ZA_MMOP_ONLINE_KERNEL, NULL), 0);
	assert_int_equal(za_zone_for_block(&st, 49, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	st.cfg.movable_node = true;
	assert_int_equal(za_zone_for_block(&st, 49, ZA_MMOP_ONLINE),
			 ZA_ZONE_MOVABLE);
	za_free(&st);
}

static void test_movable_node_outside_spans(void **s)
{
	struct za_state st;

	vm4g(&st);
	st.cfg.policy = ZA_POLICY_CONTIG_ZONES;
	st.cfg.movable_node = true;
	assert_int_equal(add_online(&st, 48, 1, 0, -1, ZA_MMOP_ONLINE),
			 ZA_ZONE_MOVABLE);
	/* inside Normal's span only: Normal even with movable_node */
	assert_int_equal(za_offline(&st, 40), 0);
	assert_int_equal(za_online(&st, 40, ZA_MMOP_ONLINE, NULL), 0);
	assert_int_equal(zone_of(&st, 40), ZA_ZONE_NORMAL);
	za_free(&st);
}

/* Hot-added memory below 4 GiB joins DMA32 when DMA32 spans it. */
static void test_default_kernel_zone(void **s)
{
	struct za_state st;

	vm4g(&st);
	st.cfg.ratio = 0;
	/* DMA32 spans up to pfn 524256, block 15 ends at 524288 */
	assert_int_equal(za_offline(&st, 15), 0);
	assert_int_equal(za_zone_for_block(&st, 15, ZA_MMOP_ONLINE_KERNEL),
			 ZA_ZONE_DMA32);
	assert_int_equal(za_zone_for_block(&st, 15, ZA_MMOP_ONLINE),
			 ZA_ZONE_DMA32);
	/* the kernel does not shrink DMA32: its end is not block aligned */
	assert_int_equal(za_zone_get(&st, 0, ZA_ZONE_DMA32)->spanned, 520160);
	/* re-onlining early memory counts as early again */
	assert_int_equal(za_online(&st, 15, ZA_MMOP_ONLINE, NULL), 0);
	assert_int_equal(za_zone_get(&st, 0, ZA_ZONE_DMA32)->present_early,
			 520160 + PPB - PPB);
	/* a block in the 2-4 GiB hole intersects no DMA32 span: Normal */
	assert_int_equal(za_block_add(&st, 20, 0, -1), 0);
	assert_int_equal(za_zone_for_block(&st, 20, ZA_MMOP_ONLINE_KERNEL),
			 ZA_ZONE_NORMAL);
	za_free(&st);
}

static void test_static_group(void **s)
{
	struct za_state st;
	int gid, zone;

	vm4g(&st);
	gid = za_group_register_static(&st, 0, 8 * PPB, NULL);
	for (int k = 0; k < 8; k++)
		assert_int_equal(za_block_add(&st, 48 + k, 0, gid), 0);
	/* one block online_kernel: the rest of the DIMM follows */
	assert_int_equal(za_online(&st, 52, ZA_MMOP_ONLINE_KERNEL, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_NORMAL);
	assert_int_equal(za_online(&st, 48, ZA_MMOP_ONLINE, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_NORMAL);
	assert_int_equal(za_group_find(&st, gid)->present_kernel_pages,
			 2 * PPB);
	za_free(&st);

	/* need = max_pages - present movable: a huge static group never fits */
	vm4g(&st);
	gid = za_group_register_static(&st, 0, 1000 * PPB, NULL);
	assert_int_equal(add_online(&st, 48, 1, 0, gid, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	za_free(&st);
}

static void test_dynamic_unit(void **s)
{
	struct za_state st;
	int gid, zone;

	vm4g(&st);
	gid = za_group_register_dynamic(&st, 0, 4 * PPB, NULL);
	assert_true(gid >= 0);
	for (int k = 0; k < 8; k++)
		assert_int_equal(za_block_add(&st, 48 + k, 0, gid), 0);
	assert_int_equal(za_online(&st, 49, ZA_MMOP_ONLINE_KERNEL, NULL), 0);
	/* 48 shares a unit with a Normal block */
	assert_int_equal(za_online(&st, 48, ZA_MMOP_ONLINE, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_NORMAL);
	/* the next unit is free: Movable, and its online blocks count */
	assert_int_equal(za_online(&st, 52, ZA_MMOP_ONLINE, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_MOVABLE);
	assert_int_equal(za_online(&st, 55, ZA_MMOP_ONLINE, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_MOVABLE);
	za_free(&st);
}

/*
 * auto_movable_zone_for_pfn() falls back to default_kernel_zone_for_pfn()
 * with pfn and nr_pages as modified by the unit walk: a block that
 * intersects DMA32 is still onlined to Normal when the walk ended past it.
 */
static void test_kernel_fallback_uses_modified_pfn(void **s)
{
	struct za_state st;
	int gid, zone;

	assert_int_equal(za_init(&st, PPB), 0);
	st.cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	/* tiny early kernel memory: nothing can go Movable */
	assert_int_equal(za_block_add_boot(&st, 0, 0, ZA_ZONE_DMA32), 0);
	*za_zone_get(&st, 0, ZA_ZONE_DMA32) =
		(struct za_zone){ 0, 12 * PPB, 1, 1, 0 }; /* spans 0-11 */
	gid = za_group_register_dynamic(&st, 0, 8 * PPB, NULL);
	assert_int_equal(za_block_add(&st, 10, 0, gid), 0);
	/* unit 8-15: the walk ends at pfn 16 * PPB, past DMA32's span */
	assert_int_equal(za_zone_for_block(&st, 10, ZA_MMOP_ONLINE_KERNEL),
			 ZA_ZONE_DMA32);
	assert_int_equal(za_online(&st, 10, ZA_MMOP_ONLINE, &zone), 0);
	assert_int_equal(zone, ZA_ZONE_NORMAL);
	/*
	 * A unit with a non-movable online block: the walk stops at that
	 * block's pfn (10, inside DMA32's span), so block 11 goes DMA32 while
	 * block 10 went Normal.
	 */
	assert_int_equal(za_block_add(&st, 11, 0, gid), 0);
	assert_int_equal(za_zone_for_block(&st, 11, ZA_MMOP_ONLINE),
			 ZA_ZONE_DMA32);
	/* unit 16-23 has nothing online: the walk ends past DMA32 again */
	assert_int_equal(za_block_add(&st, 17, 0, gid), 0);
	assert_int_equal(za_zone_for_block(&st, 17, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	/* ratio 0 keeps pfn and nr_pages */
	st.cfg.ratio = 0;
	assert_int_equal(za_zone_for_block(&st, 11, ZA_MMOP_ONLINE),
			 ZA_ZONE_DMA32);
	za_free(&st);
}

static void test_cma_and_groups_in_stats(void **s)
{
	struct za_state st;
	struct za_stats stats;
	int g1, g2;

	vm4g(&st);
	/* CMA counts as movable and not as kernel early */
	za_zone_get(&st, 0, ZA_ZONE_NORMAL)->cma = 1000;
	za_stats(&st, ZA_NUMA_NO_NODE, NULL, &stats);
	assert_int_equal(stats.movable_pages, 1000);
	assert_int_equal(stats.kernel_early_pages,
			 3998 + 520160 + 524288 - 1000);
	/* another dynamic group's kernel requirement is taken away */
	g1 = za_group_register_dynamic(&st, 0, PPB, "a");
	g2 = za_group_register_dynamic(&st, 0, PPB, "b");
	add_online(&st, 48, 8, 0, g1, ZA_MMOP_ONLINE_MOVABLE);
	za_stats(&st, ZA_NUMA_NO_NODE, za_group_find(&st, g2), &stats);
	assert_int_equal(stats.group_movable_pages, 8 * PPB);
	assert_int_equal(stats.req_kernel_early_pages, 8 * PPB * 100 / 301);
	assert_int_equal(stats.eff_movable_pages, 1000);
	/* the group itself is excluded */
	za_stats(&st, ZA_NUMA_NO_NODE, za_group_find(&st, g1), &stats);
	assert_int_equal(stats.req_kernel_early_pages, 0);
	assert_int_equal(stats.eff_movable_pages, 8 * PPB + 1000);
	/* starved: other groups need all early kernel memory */
	add_online(&st, 56, 100, 0, g1, ZA_MMOP_ONLINE_MOVABLE);
	za_stats(&st, ZA_NUMA_NO_NODE, za_group_find(&st, g2), &stats);
	assert_true(stats.starved);
	assert_false(za_can_online_movable(&st, ZA_NUMA_NO_NODE,
					   za_group_find(&st, g2), 0));
	/* g1 itself is over the ratio with its own 13.5 GiB */
	assert_false(za_can_online_movable(&st, ZA_NUMA_NO_NODE,
					   za_group_find(&st, g1), 0));
	/* its kernel memory would count for itself (not for others) */
	za_group_find(&st, g1)->present_kernel_pages = 200 * PPB;
	assert_true(za_can_online_movable(&st, ZA_NUMA_NO_NODE,
					  za_group_find(&st, g1), PPB));
	za_free(&st);
}

static void test_numa_aware(void **s)
{
	struct za_state st;
	int gid;

	/* node 0: 2 GiB early, node 1: 2 GiB early */
	assert_int_equal(za_init(&st, PPB), 0);
	st.cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	st.cfg.ratio = 100;
	for (uint64_t i = 0; i < 16; i++) {
		assert_int_equal(za_block_add_boot(&st, i, 0, ZA_ZONE_DMA32),
				 0);
		assert_int_equal(
			za_block_add_boot(&st, 32 + i, 1, ZA_ZONE_NORMAL), 0);
	}
	/* 3 GiB on node 0: global allows (4 GiB), node 0 does not (2 GiB) */
	gid = za_group_register_static(&st, 0, 24 * PPB, NULL);
	assert_int_equal(add_online(&st, 48, 24, 0, gid, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	st.cfg.numa_aware = false;
	gid = za_group_register_static(&st, 0, 24 * PPB, NULL);
	assert_int_equal(add_online(&st, 72, 24, 0, gid, ZA_MMOP_ONLINE),
			 ZA_ZONE_MOVABLE);
	/* global: 32 blocks early, 24 movable; node 1: 16 early, none */
	assert_int_equal(za_headroom(&st, 1, NULL), 8 * PPB);
	st.cfg.numa_aware = true;
	assert_int_equal(za_headroom(&st, 1, NULL), 8 * PPB);
	assert_int_equal(za_headroom(&st, 0, NULL), 0);
	za_free(&st);
}

static void test_shrink_zone_span(void **s)
{
	struct za_state st;
	struct za_zone *mz;

	vm4g(&st);
	add_online(&st, 48, 8, 0, -1, ZA_MMOP_ONLINE_MOVABLE);
	mz = za_zone_get(&st, 0, ZA_ZONE_MOVABLE);
	assert_int_equal(mz->start_pfn, 48 * PPB);
	assert_int_equal(mz->spanned, 8 * PPB);
	/* middle: no change */
	assert_int_equal(za_offline(&st, 51), 0);
	assert_int_equal(mz->spanned, 8 * PPB);
	/* first: start moves to the next online block */
	assert_int_equal(za_offline(&st, 48), 0);
	assert_int_equal(mz->start_pfn, 49 * PPB);
	assert_int_equal(mz->spanned, 7 * PPB);
	/* last: the end moves down to the previous online block's end */
	assert_int_equal(za_offline(&st, 55), 0);
	assert_int_equal(mz->spanned, 6 * PPB);
	assert_int_equal(za_offline(&st, 54), 0);
	assert_int_equal(za_offline(&st, 53), 0);
	assert_int_equal(za_offline(&st, 52), 0);
	/* skips the offline block 51 */
	assert_int_equal(mz->start_pfn, 49 * PPB);
	assert_int_equal(mz->spanned, 2 * PPB);
	assert_int_equal(za_offline(&st, 49), 0);
	assert_int_equal(mz->start_pfn, 50 * PPB);
	assert_int_equal(za_offline(&st, 50), 0);
	assert_int_equal(mz->start_pfn, 0);
	assert_int_equal(mz->spanned, 0);
	assert_int_equal(mz->present, 0);
	/* blocks of the zone on another node are not found */
	za_free(&st);
}

static void test_shrink_other_node(void **s)
{
	struct za_state st;
	struct za_zone *mz;

	vm4g(&st);
	add_online(&st, 48, 1, 0, -1, ZA_MMOP_ONLINE_MOVABLE);
	add_online(&st, 49, 1, 1, -1, ZA_MMOP_ONLINE_MOVABLE);
	add_online(&st, 50, 1, 0, -1, ZA_MMOP_ONLINE_MOVABLE);
	mz = za_zone_get(&st, 0, ZA_ZONE_MOVABLE);
	assert_int_equal(za_offline(&st, 50), 0);
	assert_int_equal(mz->spanned, PPB); /* 49 belongs to node 1 */
	za_free(&st);
}

static void test_errors(void **s)
{
	struct za_state st;
	char vz[64];

	vm4g(&st);
	assert_int_equal(za_online(&st, 47, ZA_MMOP_ONLINE, NULL), -EINVAL);
	assert_int_equal(za_online(&st, 99, ZA_MMOP_ONLINE, NULL), -ENOENT);
	assert_int_equal(za_block_add(&st, 60, 0, -1), 0);
	assert_int_equal(za_online(&st, 60, ZA_MMOP_OFFLINE, NULL), -EINVAL);
	assert_int_equal(za_online(&st, 60, 42, NULL), -EINVAL);
	assert_int_equal(za_offline(&st, 60), -EINVAL);
	/* block 0 spans DMA and DMA32: the kernel refuses to offline it */
	assert_int_equal(za_offline(&st, 0), -EINVAL);
	assert_int_equal(za_valid_zones(&st, 0, vz, sizeof(vz)), 0);
	assert_string_equal(vz, "none");
	assert_int_equal(za_block_remove(&st, 47), -EBUSY);
	assert_int_equal(za_block_remove(&st, 60), 0);
	assert_int_equal(za_block_add(&st, 47, 0, -1), -EEXIST);
	assert_int_equal(za_block_add(&st, 61, 0, 77), -EINVAL);
	assert_int_equal(za_block_add(&st, UINT64_MAX / PPB, 0, -1), -EINVAL);
	assert_int_equal(za_block_add(&st, 61, ZA_MAX_NODES, -1), -EINVAL);
	za_free(&st);
	assert_int_equal(za_init(&st, 0), -EINVAL);
	za_free(&st);
}

static void test_groups(void **s)
{
	struct za_state st;

	vm4g(&st);
	assert_int_equal(za_group_register_static(&st, 0, 0, NULL), -EINVAL);
	assert_int_equal(za_group_register_dynamic(&st, 0, PPB / 2, NULL),
			 -EINVAL);
	assert_int_equal(za_group_register_dynamic(&st, 0, 3 * PPB, NULL),
			 -EINVAL);
	assert_int_equal(za_group_register_static(&st, -1, PPB, NULL), -EINVAL);
	assert_int_equal(za_group_register_static(&st, 0, PPB, "a"), 0);
	assert_int_equal(za_group_register_static(&st, 0, PPB, "b"), 1);
	assert_int_equal(za_group_register_dynamic(&st, 0, PPB, "c"), 2);
	assert_int_equal(za_block_add(&st, 48, 0, 1), 0);
	assert_int_equal(za_group_unregister(&st, 1), -EBUSY);
	assert_int_equal(za_group_unregister(&st, 0), 0);
	/* xa_alloc: the lowest free id */
	assert_int_equal(za_group_register_static(&st, 0, PPB, "d"), 0);
	assert_int_equal(za_group_unregister(&st, 9), -ENOENT);
	za_free(&st);
}

static void test_weird_ratios(void **s)
{
	struct za_state st, cp;

	vm4g(&st);
	za_group_register_dynamic(&st, 0, PPB, NULL);
	add_online(&st, 48, 4, 0, 0, ZA_MMOP_ONLINE);
	st.cfg.ratio = UINT32_MAX; /* > INT_MAX: the kernel's int ratio */
	(void)za_zone_for_block(&st, 48, ZA_MMOP_ONLINE);
	assert_int_equal(za_block_add(&st, 60, 0, -1), 0);
	(void)za_zone_for_block(&st, 60, ZA_MMOP_ONLINE);
	st.cfg.ratio = 1;
	assert_int_equal(za_zone_for_block(&st, 60, ZA_MMOP_ONLINE),
			 ZA_ZONE_NORMAL);
	assert_int_equal(za_copy(&cp, &st), 0);
	assert_int_equal(cp.nr_blocks, st.nr_blocks);
	assert_int_equal(za_online(&cp, 60, ZA_MMOP_ONLINE, NULL), 0);
	assert_false(za_block_find(&st, 60)->online);
	za_free(&cp);
	za_free(&st);
}

static void test_names(void **s)
{
	assert_string_equal(za_zone_name(ZA_ZONE_MOVABLE), "Movable");
	assert_string_equal(za_zone_name(-1), "none");
	assert_string_equal(za_zone_name(99), "none");
	assert_int_equal(za_zone_from_name("DMA32"), ZA_ZONE_DMA32);
	assert_int_equal(za_zone_from_name("HighMem"), -1);
	assert_int_equal(za_online_type_from_name("online_movable"),
			 ZA_MMOP_ONLINE_MOVABLE);
	assert_int_equal(za_online_type_from_name("online-movable"), -1);
	assert_string_equal(za_online_type_name(9), "?");
	assert_int_equal(za_policy_from_name("auto-movable"),
			 ZA_POLICY_AUTO_MOVABLE);
	assert_int_equal(za_policy_from_name("auto_movable"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_dimms),
		cmocka_unit_test(test_seed_virtio_mem),
		cmocka_unit_test(test_ratio_zero),
		cmocka_unit_test(test_holes_count),
		cmocka_unit_test(test_contig_zones),
		cmocka_unit_test(test_movable_node_outside_spans),
		cmocka_unit_test(test_default_kernel_zone),
		cmocka_unit_test(test_static_group),
		cmocka_unit_test(test_dynamic_unit),
		cmocka_unit_test(test_kernel_fallback_uses_modified_pfn),
		cmocka_unit_test(test_cma_and_groups_in_stats),
		cmocka_unit_test(test_numa_aware),
		cmocka_unit_test(test_shrink_zone_span),
		cmocka_unit_test(test_shrink_other_node),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_weird_ratios),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
