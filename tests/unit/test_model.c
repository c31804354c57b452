// SPDX-License-Identifier: GPL-2.0
/* The state model: block bookkeeping and event application. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "memhp.h"
#include "model.h"
#include "reconcile.h"

#define PPB 32768ULL /* 128 MiB blocks of 4 KiB pages */

static void setup_model(struct memhp_model *m)
{
	model_init(m);
	m->block_size = PPB * 4096;
}

static struct memhp_event ev(int kind, uint64_t block, uint64_t nblocks)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = kind;
	e.hdr.size = sizeof(e);
	e.start_pfn = block * PPB;
	e.nr_pages = nblocks * PPB;
	e.nid = -1;
	e.group_id = -1;
	strcpy(e.comm, "sh");
	return e;
}

static void test_blocks_sorted(void **s)
{
	struct memhp_model m;
	uint64_t ids[] = { 50, 3, 49, 0, 1000, 48, 3 };
	size_t i;

	setup_model(&m);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_non_null(model_block_get(&m, ids[i]));
	assert_int_equal(m.nr_blocks, 6);
	for (i = 1; i < m.nr_blocks; i++)
		assert_true(m.blocks[i - 1].id < m.blocks[i].id);
	assert_non_null(model_block_find(&m, 49));
	assert_null(model_block_find(&m, 51));
	model_block_remove(&m, 49);
	model_block_remove(&m, 12345); /* absent: no-op */
	assert_null(model_block_find(&m, 49));
	assert_int_equal(m.nr_blocks, 5);
	assert_int_equal(model_block_find(&m, 3)->node, -1);
	model_free(&m);
}

static void test_many_blocks(void **s)
{
	struct memhp_model m;
	uint64_t i;

	setup_model(&m);
	for (i = 0; i < 131072; i++)
		assert_non_null(model_block_get(&m, i));
	assert_int_equal(m.nr_blocks, 131072);
	assert_int_equal(model_block_find(&m, 131071)->id, 131071);
	model_free(&m);
}

static void test_add_online_offline_remove(void **s)
{
	struct memhp_model m;
	struct memhp_event e;
	struct memhp_block *b;

	setup_model(&m);
	e = ev(MEMHP_EV_ADD, 48, 8);
	e.nid = 0;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_blocks, 8);
	assert_int_equal(model_block_find(&m, 55)->state, MEMHP_BLOCK_OFFLINE);

	e = ev(MEMHP_EV_ONLINE, 49, 1);
	e.flags = MEMHP_F_ZONE;
	e.nid = 0;
	strcpy(e.zone_name, "Movable");
	strcpy(e.comm, "udev-worker");
	assert_int_equal(model_apply_event(&m, &e), 0);
	b = model_block_find(&m, 49);
	assert_int_equal(b->state, MEMHP_BLOCK_ONLINE);
	assert_string_equal(model_zones(&m, b), "Movable");
	assert_string_equal(model_block_ev(&m, b)->onlined_by, "udev-worker");
	assert_int_equal(model_block_find(&m, 48)->state, MEMHP_BLOCK_OFFLINE);

	/* A failed offline changes nothing. */
	e = ev(MEMHP_EV_OFFLINE, 49, 1);
	e.ret = -16;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_block_find(&m, 49)->state, MEMHP_BLOCK_ONLINE);
	e.ret = 0;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_block_find(&m, 49)->state, MEMHP_BLOCK_OFFLINE);

	e = ev(MEMHP_EV_REMOVE, 48, 8);
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_blocks, 0);
	assert_int_equal(m.events, 5);
	model_free(&m);
}

static void test_groups(void **s)
{
	struct memhp_model m;
	struct memhp_event e;

	setup_model(&m);
	e = ev(MEMHP_EV_GROUP_REGISTER, 0, 0);
	e.flags = MEMHP_F_GROUP | MEMHP_F_GROUP_ID;
	e.group_id = 2;
	e.group_nid = 1;
	e.group_pages = 8 * PPB;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_groups, 1);

	/* The first online names the group object: merged, not duplicated. */
	e = ev(MEMHP_EV_ONLINE, 48, 1);
	e.flags = MEMHP_F_GROUP | MEMHP_F_GROUP_ID;
	e.group_id = 2;
	e.group_key = 0xffff8880deadb000ULL;
	e.group_nid = 1;
	e.group_pages = 8 * PPB;
	e.group_movable_pages = PPB;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_non_null(model_group_by_key(&m, e.group_key, false));
	assert_int_equal(m.nr_groups, 1);
	assert_int_equal(model_group_by_key(&m, e.group_key, false)->id, 2);
	assert_int_equal(model_group_by_key(&m, e.group_key, false)->present_movable_pages, PPB);
	assert_int_equal(model_block_ev(&m, model_block_find(&m, 48))->group_id, 2);

	/* Unknown id (memhp started late): the group is still tracked by key. */
	e = ev(MEMHP_EV_ONLINE, 60, 1);
	e.flags = MEMHP_F_GROUP | MEMHP_F_GROUP_DYNAMIC;
	e.group_key = 0xffff8880cafe0000ULL;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_group_by_key(&m, e.group_key, false)->id, -1);
	assert_true(model_group_by_key(&m, e.group_key, false)->dynamic);

	e = ev(MEMHP_EV_GROUP_UNREGISTER, 0, 0);
	e.flags = MEMHP_F_GROUP | MEMHP_F_GROUP_ID;
	e.group_id = 2;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_null(model_group_by_key(&m, 0xffff8880deadb000ULL, false));
	assert_int_equal(m.nr_groups, 1); /* the dynamic one is left */
	model_free(&m);
}

static void test_rejects_nonsense(void **s)
{
	struct memhp_model m;
	struct memhp_event e;

	setup_model(&m);
	e = ev(MEMHP_EV_ONLINE, 0, 0);
	e.nr_pages = UINT64_MAX / 2; /* would be 2^50 blocks */
	assert_int_equal(model_apply_event(&m, &e), -1);
	assert_int_equal(m.nr_blocks, 0);
	m.block_size = 0; /* no snapshot yet: cannot place blocks */
	e = ev(MEMHP_EV_ONLINE, 1, 1);
	assert_int_equal(model_apply_event(&m, &e), -1);
	model_free(&m);
}

static void test_coverage_findings(void **s)
{
	struct memhp_model m;
	struct memhp_event e;
	struct memhp_block *b;

	setup_model(&m);
	assert_non_null(model_block_get(&m, 48));
	e = ev(MEMHP_EV_COVERAGE, 48, 1);
	strcpy(e.res_name, "hv_balloon");
	e.backed_pages = PPB;
	e.released_backed = 0; /* the seed bug: nothing of a backed block came online */
	assert_int_equal(model_apply_event(&m, &e), 0);
	b = model_block_find(&m, 48);
	assert_true(model_block_ev(&m, b)->coverage_known);
	assert_string_equal(model_block_ev(&m, b)->coverage_driver, "hv_balloon");
	assert_int_equal(model_block_ev(&m, b)->backed_not_onlined, PPB);
	assert_int_equal(m.not_onlined_findings, 1);
	assert_int_equal(m.not_onlined_pages, PPB);
	e.released_backed = PPB;
	e.released_uncovered = 7;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_block_ev(&m, b)->backed_not_onlined, 0);
	assert_int_equal(m.uncovered_findings, 1);
	assert_int_equal(m.uncovered_pages, 7);
	model_free(&m);
}

static void test_range_merge(void **s)
{
	struct memhp_model m;
	struct memhp_event e;
	size_t i;

	setup_model(&m);
	/* blocks 0, 10, 1000 exist; online 5..14 merges 9 new ones around 10 */
	assert_non_null(model_block_get(&m, 0));
	assert_non_null(model_block_get(&m, 10));
	model_block_find(&m, 10)->state = MEMHP_BLOCK_OFFLINE;
	assert_non_null(model_block_get(&m, 1000));
	e = ev(MEMHP_EV_ONLINE, 5, 10);
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_blocks, 12);
	for (i = 1; i < m.nr_blocks; i++)
		assert_true(m.blocks[i - 1].id < m.blocks[i].id);
	for (i = 5; i < 15; i++)
		assert_int_equal(model_block_find(&m, i)->state, MEMHP_BLOCK_ONLINE);
	/* a big range below existing blocks stays fast and sorted */
	e = ev(MEMHP_EV_ADD, 100, 60000);
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_blocks, 12 + 59999); /* 1000 was there */
	assert_int_equal(model_block_find(&m, 30000)->state, MEMHP_BLOCK_OFFLINE);
	assert_int_equal(model_block_find(&m, 1000)->state, MEMHP_BLOCK_OFFLINE);
	e = ev(MEMHP_EV_REMOVE, 50, 60000);
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(m.nr_blocks, 12 + 59999 - 59950);
	assert_null(model_block_find(&m, 1000));
	assert_non_null(model_block_find(&m, 60050));
	for (i = 1; i < m.nr_blocks; i++)
		assert_true(m.blocks[i - 1].id < m.blocks[i].id);
	model_free(&m);
}

/* Present pages per zone: online/offline pages and memmap pages, after a baseline. */
static void test_zone_accounting(void **s)
{
	struct memhp_model m;
	struct memhp_event e;
	const struct memhp_zone_acct *z;

	(void)s;
	setup_model(&m);
	/* No baseline: nothing is counted. */
	e = ev(MEMHP_EV_ONLINE, 40, 1);
	e.flags |= MEMHP_F_ZONE;
	e.nid = 0;
	strcpy(e.zone_name, "Normal");
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_null(model_zone_acct(&m, 0, "Normal", false));

	m.zacct_state = MEMHP_ZACCT_VALID;
	/* memmap_on_memory: online_pages() covers the block minus 512 memmap
	 * pages, memory_block_online() adds those 512 afterwards (REQUEST). */
	e = ev(MEMHP_EV_ONLINE, 48, 1);
	e.start_pfn += 512;
	e.nr_pages -= 512;
	e.flags |= MEMHP_F_ZONE;
	e.nid = 0;
	strcpy(e.zone_name, "Movable");
	assert_int_equal(model_apply_event(&m, &e), 0);
	e = ev(MEMHP_EV_REQUEST, 48, 1);
	e.vmemmap_pages = 512;
	assert_int_equal(model_apply_event(&m, &e), 0);
	z = model_zone_acct(&m, 0, "Movable", false);
	assert_non_null(z);
	assert_int_equal(z->delta, (int64_t)PPB);
	/* A failed online moves nothing. */
	e = ev(MEMHP_EV_ONLINE, 49, 1);
	e.flags |= MEMHP_F_ZONE;
	e.nid = 0;
	e.ret = -16;
	strcpy(e.zone_name, "Movable");
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(z->delta, (int64_t)PPB);
	/* Offline: pages and memmap leave the zone the block was in. */
	e = ev(MEMHP_EV_OFFLINE, 48, 1);
	e.start_pfn += 512;
	e.nr_pages -= 512;
	e.flags |= MEMHP_F_ZONE;
	e.nid = 0;
	strcpy(e.zone_name, "Movable");
	assert_int_equal(model_apply_event(&m, &e), 0);
	e = ev(MEMHP_EV_REQUEST, 48, 1);
	e.flags |= MEMHP_F_REQ_OFFLINE;
	e.vmemmap_pages = 512;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(z->delta, 0);
	/* A failed offline request keeps the memmap pages in the zone. */
	e.ret = -16;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(z->delta, 0);
	/* Zones are kept per node. */
	e = ev(MEMHP_EV_ONLINE, 64, 2);
	e.flags |= MEMHP_F_ZONE;
	e.nid = 1;
	strcpy(e.zone_name, "Movable");
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_zone_acct(&m, 1, "Movable", false)->delta, (int64_t)(2 * PPB));
	assert_int_equal(z->delta, 0);
	model_free(&m);
}

/* Drift: states that differ, blocks on one side only; an offline in flight is none. */
static void test_drift(void **s)
{
	struct memhp_model k, m;
	struct drift_item items[4];
	struct memhp_event e;

	(void)s;
	setup_model(&k);
	setup_model(&m);
	model_block_get(&k, 1)->state = MEMHP_BLOCK_ONLINE;
	model_block_get(&m, 1)->state = MEMHP_BLOCK_ONLINE;
	model_block_get(&k, 2)->state = MEMHP_BLOCK_GOING_OFFLINE; /* offline_pages() running */
	model_block_get(&m, 2)->state = MEMHP_BLOCK_ONLINE;
	model_block_get(&k, 3)->state = MEMHP_BLOCK_OFFLINE;
	model_block_get(&m, 3)->state = MEMHP_BLOCK_ONLINE;
	model_block_get(&k, 4)->state = MEMHP_BLOCK_ONLINE; /* kernel only */
	model_block_get(&m, 5)->state = MEMHP_BLOCK_OFFLINE; /* model only */
	assert_int_equal(reconcile_diff(&k, &m, items, 4), 3);
	assert_int_equal(items[0].block, 3);
	assert_int_equal(items[0].kernel_state, MEMHP_BLOCK_OFFLINE);
	assert_int_equal(items[0].model_state, MEMHP_BLOCK_ONLINE);
	assert_int_equal(items[1].block, 4);
	assert_int_equal(items[1].model_state, -1);
	assert_int_equal(items[2].block, 5);
	assert_int_equal(items[2].kernel_state, -1);
	assert_int_equal(reconcile_drift(&k, &m), 3);
	/* going-offline in the model (a snapshot) and a failed offline: online */
	model_block_get(&m, 2)->state = MEMHP_BLOCK_GOING_OFFLINE;
	e = ev(MEMHP_EV_OFFLINE, 2, 1);
	e.ret = -16;
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_block_find(&m, 2)->state, MEMHP_BLOCK_ONLINE);
	model_free(&k);
	model_free(&m);
}

/* The copy reconcile reads the system against, outside the session's lock. */
static void test_copy_blocks(void **s)
{
	struct memhp_model m, c;
	struct memhp_event e;
	struct memhp_block *b;

	(void)s;
	setup_model(&m);
	snprintf(m.sys.auto_online_blocks, sizeof(m.sys.auto_online_blocks), "online_movable");
	e = ev(MEMHP_EV_ADD, 8, 2);
	assert_int_equal(model_apply_event(&m, &e), 0);
	e = ev(MEMHP_EV_ONLINE, 8, 1);
	e.flags |= MEMHP_F_ZONE;
	e.nid = 0;
	snprintf(e.zone_name, sizeof(e.zone_name), "Movable");
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_non_null(model_block_ev(&m, model_block_find(&m, 8)));

	assert_int_equal(model_copy_blocks(&c, &m), 0);
	assert_int_equal(c.block_size, m.block_size);
	assert_string_equal(c.sys.auto_online_blocks, "online_movable");
	assert_int_equal(c.nr_blocks, 2);
	b = model_block_find(&c, 8);
	assert_non_null(b);
	assert_int_equal(b->state, MEMHP_BLOCK_ONLINE);
	assert_string_equal(model_zones(&c, b), "Movable");
	assert_int_equal(b->ev, 0); /* no event data: the copy has no ev array */
	assert_int_equal(model_block_find(&c, 9)->state, MEMHP_BLOCK_OFFLINE);
	/* independent: the live model moves on, the copy does not */
	e = ev(MEMHP_EV_OFFLINE, 8, 1);
	assert_int_equal(model_apply_event(&m, &e), 0);
	assert_int_equal(model_block_find(&c, 8)->state, MEMHP_BLOCK_ONLINE);
	assert_non_null(model_block_get(&c, 100));
	assert_null(model_block_find(&m, 100));
	model_free(&c);
	/* an empty model copies to an empty one */
	model_free(&m);
	setup_model(&m);
	assert_int_equal(model_copy_blocks(&c, &m), 0);
	assert_int_equal(c.nr_blocks, 0);
	assert_string_equal(model_zones_str(&c, 0), "");
	model_free(&c);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_sorted),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_add_online_offline_remove),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_rejects_nonsense),
		cmocka_unit_test(test_coverage_findings),
		cmocka_unit_test(test_range_merge),
		cmocka_unit_test(test_zone_accounting),
		cmocka_unit_test(test_drift),
		cmocka_unit_test(test_copy_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
