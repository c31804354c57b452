// SPDX-License-Identifier: GPL-2.0
/*
 * memhp online-daemon decisions (user/lib/online_plan.c) over constructed states: a
 * DIMM goes whole into one zone, a virtio-mem device keeps what the ratio
 * allows (equal to the kernel's auto-movable result), kernel-reserve rules,
 * NUMA-awareness, node and group max-ratio rules, ordering.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon.h"
#include "zonealgo.h"

#define PPB 32768ULL /* 128 MiB blocks of 4 KiB pages */
#define GIB (1ULL << 30)

/* QEMU q35 with 4 GiB: blocks 0-15 (DMA + DMA32) and 32-47 (Normal). */
static void vm4g(struct za_state *st)
{
	struct za_block b0 = { .id = 0, .group = -1, .online = true,
			       .early = true, .zone = ZA_ZONE_NONE };
	struct za_zone *z;
	uint64_t i;

	assert_int_equal(za_init(st, PPB), 0);
	assert_int_equal(za_block_insert(st, &b0), 0);
	for (i = 1; i < 16; i++)
		assert_int_equal(za_block_add_boot(st, i, 0, ZA_ZONE_DMA32), 0);
	for (i = 32; i < 48; i++)
		assert_int_equal(za_block_add_boot(st, i, 0, ZA_ZONE_NORMAL), 0);
	z = za_zone_get(st, 0, ZA_ZONE_DMA);
	*z = (struct za_zone){ 1, 4095, 3998, 3998, 0 };
	z = za_zone_get(st, 0, ZA_ZONE_DMA32);
	*z = (struct za_zone){ 4096, 520160, 520160, 520160, 0 };
	/* memhp_default_state=offline, the kernel's policy irrelevant */
	st->cfg.policy = ZA_POLICY_CONTIG_ZONES;
}

static void rules_ratio(struct daemon_rules *r, unsigned int ratio,
			const struct policy *p)
{
	memset(r, 0, sizeof(*r));
	daemon_pick_ratio(r, p, (long)ratio, 301);
	r->numa_aware = true;
	r->pol = p;
	r->page_size = 4096;
}

static int add_dimm(struct za_state *st, uint64_t first, uint64_t n, int nid)
{
	int gid = za_group_register_static(st, nid, n * PPB, "dimm");
	uint64_t k;

	assert_true(gid >= 0);
	for (k = 0; k < n; k++)
		assert_int_equal(za_block_add(st, first + k, nid, gid), 0);
	return gid;
}

/* Plan every candidate; returns how many; zones in @zones by block order. */
static size_t plan_all(struct za_state *st, const struct daemon_rules *r,
		       struct daemon_decision *d, size_t max)
{
	uint64_t ids[512];
	size_t n = daemon_candidates(st, ids, 512);

	assert_true(n <= max);
	assert_int_equal(daemon_plan(st, r, ids, n, d), (int)n);
	return n;
}

/* The kernel's auto-movable with @ratio onlining the same blocks in order. */
static void kernel_online(struct za_state *st, unsigned int ratio,
			  const struct daemon_decision *d, size_t n, int *zones)
{
	size_t i;

	st->cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	st->cfg.ratio = ratio;
	for (i = 0; i < n; i++)
		assert_int_equal(za_online(st, d[i].block, ZA_MMOP_ONLINE, &zones[i]), 0);
}

/* The series' example: 4 x 4 GiB DIMMs at 301: three Movable, one Normal. */
static void test_dimm_whole_one_zone(void **state)
{
	struct za_state st, ker;
	struct daemon_rules r;
	struct daemon_decision d[256];
	int kz[256];
	size_t n, i;

	(void)state;
	vm4g(&st);
	for (i = 0; i < 4; i++)
		add_dimm(&st, 48 + 32 * i, 32, 0);
	assert_int_equal(za_copy(&ker, &st), 0);
	rules_ratio(&r, 301, NULL);
	n = plan_all(&st, &r, d, 256);
	assert_int_equal(n, 128);
	for (i = 0; i < n; i++) {
		assert_int_equal(d[i].block, 48 + i);
		assert_int_equal(d[i].zone, i < 96 ? ZA_ZONE_MOVABLE : ZA_ZONE_NORMAL);
		assert_int_equal(d[i].online_type, i < 96 ? ZA_MMOP_ONLINE_MOVABLE :
							     ZA_MMOP_ONLINE_KERNEL);
		assert_string_equal(d[i].why, i % 32 ? "static-group" : "ratio");
	}
	assert_non_null(strstr(d[96].reason, "for the whole DIMM: all of it goes KERNEL"));
	kernel_online(&ker, 301, d, n, kz);
	for (i = 0; i < n; i++)
		assert_int_equal(kz[i], d[i].zone);
	za_free(&ker);
	za_free(&st);
}

/* A DIMM already partly Movable (someone onlined it) stays in one zone. */
static void test_dimm_keeps_its_zone(void **state)
{
	struct za_state st;
	struct daemon_rules r;
	struct daemon_decision d;

	(void)state;
	vm4g(&st);
	add_dimm(&st, 48, 8, 0);
	assert_int_equal(za_online(&st, 48, ZA_MMOP_ONLINE_MOVABLE, NULL), 0);
	rules_ratio(&r, 0, NULL); /* ratio 0 would say KERNEL */
	assert_int_equal(daemon_decide(&st, &r, 49, &d), 0);
	assert_int_equal(d.online_type, ZA_MMOP_ONLINE_MOVABLE);
	assert_string_equal(d.why, "static-group");
	assert_int_equal(daemon_decide(&st, &r, 48, &d), -EALREADY);
	assert_int_equal(daemon_decide(&st, &r, 999, &d), -ENOENT);
	za_free(&st);
}

/* virtio-mem 14 GiB at 301: equal to the kernel block for block. */
static void test_virtio_mem_ratio(void **state)
{
	struct za_state st, ker;
	struct daemon_rules r;
	struct daemon_decision d[256];
	int kz[256], gid;
	size_t n, i, movable = 0;
	uint64_t k;

	(void)state;
	vm4g(&st);
	gid = za_group_register_dynamic(&st, 0, PPB, "virtio0");
	assert_true(gid >= 0);
	for (k = 48; k < 48 + 112; k++)
		assert_int_equal(za_block_add(&st, k, 0, gid), 0);
	assert_int_equal(za_copy(&ker, &st), 0);
	rules_ratio(&r, 301, NULL);
	n = plan_all(&st, &r, d, 256);
	assert_int_equal(n, 112);
	kernel_online(&ker, 301, d, n, kz);
	for (i = 0; i < n; i++) {
		assert_int_equal(kz[i], d[i].zone);
		movable += d[i].zone == ZA_ZONE_MOVABLE;
	}
	/* memory48-143 Movable, 144 Normal, 145-147 Movable, 148 Normal */
	for (i = 0; i < 96; i++)
		assert_int_equal(d[i].zone, ZA_ZONE_MOVABLE);
	assert_int_equal(d[96].zone, ZA_ZONE_NORMAL);
	assert_int_equal(d[97].zone, ZA_ZONE_MOVABLE);
	assert_int_equal(d[99].zone, ZA_ZONE_MOVABLE);
	assert_int_equal(d[100].zone, ZA_ZONE_NORMAL);
	assert_true(movable > 100);
	za_free(&ker);
	za_free(&st);
}

/* kernel-reserve: the first hot-plugged memory goes KERNEL until it is met. */
static void test_reserve(void **state)
{
	struct policy_rule rules[2] = {
		{ .name = "ratio", .type = POL_MAX_RATIO, .scope = POL_SCOPE_GLOBAL,
		  .node = -1, .group = -1, .max = 301, .line = 3 },
		{ .name = "node0-reserve", .type = POL_KERNEL_RESERVE, .node = 0,
		  .group = -1, .min_bytes = 4 * GIB + GIB / 2, .ratio = -1, .line = 4 },
	};
	struct policy p = { rules, 2, 1 };
	struct za_state st;
	struct daemon_rules r;
	struct daemon_decision d[64];
	size_t n, i;

	(void)state;
	vm4g(&st);
	add_dimm(&st, 48, 8, 0);   /* 1 GiB: reserve not met (4 GiB) -> KERNEL */
	add_dimm(&st, 56, 8, 0);   /* 5 GiB now, still KERNEL by the ratio */
	memset(&r, 0, sizeof(r));
	daemon_pick_ratio(&r, &p, -1, 100);
	assert_int_equal(r.ratio, 301);
	assert_non_null(strstr(r.ratio_src, "rule ratio"));
	r.numa_aware = true;
	r.pol = &p;
	r.page_size = 4096;
	n = plan_all(&st, &r, d, 64);
	assert_int_equal(n, 16);
	assert_string_equal(d[0].why, "kernel-reserve");
	assert_non_null(strstr(d[0].reason, "rule node0-reserve (line 4)"));
	for (i = 0; i < 8; i++)
		assert_int_equal(d[i].zone, ZA_ZONE_NORMAL);
	/* the reserve exceeds the early kernel memory: no Movable headroom */
	assert_string_equal(d[8].why, "ratio");
	assert_int_equal(d[8].zone, ZA_ZONE_NORMAL);
	za_free(&st);

	/* a 3.5 GiB reserve: 0.5 GiB counts, 301% of it ~1.5 GiB */
	rules[1].min_bytes = 3 * GIB + GIB / 2;
	vm4g(&st);
	add_dimm(&st, 48, 8, 0);
	add_dimm(&st, 56, 8, 0);
	n = plan_all(&st, &r, d, 64);
	assert_int_equal(d[0].zone, ZA_ZONE_MOVABLE);
	assert_non_null(strstr(d[0].reason, "reserve of 3.50 GiB not counted"));
	assert_int_equal(d[8].zone, ZA_ZONE_NORMAL);
	/* the scratch state is restored: present early pages unchanged */
	assert_int_equal(za_zone_get(&st, 0, ZA_ZONE_DMA32)->present_early, 520160);
	za_free(&st);
}

/* NUMA: node 1 has 512 MiB of boot memory; a 2 GiB DIMM there. */
static void test_numa(void **state)
{
	struct za_state st;
	struct daemon_rules r;
	struct daemon_decision d;
	struct policy_rule rules[1] = {
		{ .name = "node1", .type = POL_MAX_RATIO, .scope = POL_SCOPE_NODE,
		  .node = 1, .group = -1, .max = 1000, .line = 2 },
	};
	struct policy p = { rules, 1, 1 };
	uint64_t k;

	(void)state;
	vm4g(&st);
	for (k = 64; k < 68; k++)
		assert_int_equal(za_block_add_boot(&st, k, 1, ZA_ZONE_NORMAL), 0);
	add_dimm(&st, 80, 16, 1);
	rules_ratio(&r, 301, NULL);
	assert_int_equal(daemon_decide(&st, &r, 80, &d), 0);
	assert_int_equal(d.zone, ZA_ZONE_NORMAL); /* node 1: 1.5 GiB < 2 GiB */
	assert_int_equal(d.nid, 1);
	r.numa_aware = false; /* global: 4.5 GiB * 3.01 */
	assert_int_equal(daemon_decide(&st, &r, 80, &d), 0);
	assert_int_equal(d.zone, ZA_ZONE_MOVABLE);
	/* a node rule of 1000 on node 1 allows it even NUMA-aware... */
	r.ratio = 1000;
	r.numa_aware = true;
	r.pol = &p;
	assert_int_equal(daemon_decide(&st, &r, 80, &d), 0);
	assert_int_equal(d.zone, ZA_ZONE_MOVABLE);
	/* ...and a node rule of 301 forbids it with a global 1000 */
	rules[0].max = 301;
	assert_int_equal(daemon_decide(&st, &r, 80, &d), 0);
	assert_int_equal(d.zone, ZA_ZONE_NORMAL);
	assert_string_equal(d.why, "node-ratio");
	za_free(&st);
}

/* A group max-ratio rule for dynamic groups: kernel pages first. */
static void test_group_rule(void **state)
{
	struct policy_rule rules[1] = {
		{ .name = "vmem", .type = POL_MAX_RATIO, .scope = POL_SCOPE_GROUP,
		  .node = -1, .group = -1, .groups = POL_GROUPS_DYNAMIC,
		  .max = 300, .line = 2 },
	};
	struct policy p = { rules, 1, 1 };
	struct za_state st;
	struct daemon_rules r;
	struct daemon_decision d[16];
	int gid;
	uint64_t k;

	(void)state;
	vm4g(&st);
	gid = za_group_register_dynamic(&st, 0, PPB, "virtio0");
	for (k = 48; k < 56; k++)
		assert_int_equal(za_block_add(&st, k, 0, gid), 0);
	rules_ratio(&r, 301, &p);
	assert_int_equal(plan_all(&st, &r, d, 16), 8);
	/* K M M M K M M M */
	for (k = 0; k < 8; k++)
		assert_int_equal(d[k].zone, k % 4 ? ZA_ZONE_MOVABLE : ZA_ZONE_NORMAL);
	assert_string_equal(d[0].why, "group-ratio");
	za_free(&st);
}

/* Groups in id order, lowest block first; blocks without a group last. */
static void test_order(void **state)
{
	struct za_state st;
	uint64_t ids[8] = { 70, 50, 60, 49, 61, 48 };
	int g0, g1;

	(void)state;
	vm4g(&st);
	g0 = za_group_register_static(&st, 0, 2 * PPB, "a");
	g1 = za_group_register_static(&st, 0, 2 * PPB, "b");
	assert_int_equal(za_block_add(&st, 60, 0, g0), 0);
	assert_int_equal(za_block_add(&st, 61, 0, g0), 0);
	assert_int_equal(za_block_add(&st, 48, 0, g1), 0);
	assert_int_equal(za_block_add(&st, 49, 0, g1), 0);
	assert_int_equal(za_block_add(&st, 50, 0, -1), 0);
	assert_int_equal(za_block_add(&st, 70, 0, -1), 0);
	daemon_order(&st, ids, 6);
	assert_int_equal(ids[0], 60);
	assert_int_equal(ids[1], 61);
	assert_int_equal(ids[2], 48);
	assert_int_equal(ids[3], 49);
	assert_int_equal(ids[4], 50);
	assert_int_equal(ids[5], 70);
	/* early blocks are never candidates */
	assert_int_equal(za_offline(&st, 40), 0);
	assert_int_equal(daemon_candidates(&st, ids, 8), 6);
	za_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dimm_whole_one_zone),
		cmocka_unit_test(test_dimm_keeps_its_zone),
		cmocka_unit_test(test_virtio_mem_ratio),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_numa),
		cmocka_unit_test(test_group_rule),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
