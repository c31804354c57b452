// SPDX-License-Identifier: GPL-2.0
/*
 * A whole system tree made from the input (sysfs memory blocks, node links,
 * memory_hotplug and virtio_mem parameters, /proc/zoneinfo, /proc/iomem,
 * /proc/cmdline, /sys/firmware/memmap, virtio device links, a dmesg file:
 * the format of fuzz_common.h) -> zi_system_load() (user/lib/zi_system.c, over
 * user/lib/sysfs.c) -> the zone algorithm (user/lib/zonealgo.c) on what it built.
 *
 * After a successful load: valid_zones and the zone choice of every block
 * for every online type, the ratio statistics and headroom per node and
 * group, then the "a OP" lines of the input as operations on a copy:
 *   "o ID TYPE" online, "f ID" offline, "r ID" remove, "+ ID NID GID" add,
 *   "u GID" unregister a group, "s NID PAGES" / "d NID PAGES" register a
 *   static / dynamic group (numbers in decimal or 0x hex).
 * Checked: a load that fails says why; the state's blocks stay sorted and
 * unique, zone answers are zones or errors, valid_zones is a terminated
 * string of zone names.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "zonealgo.h"
#include "zoneinfo.h"

static void check_state(const struct za_state *st)
{
	size_t i;

	FZ_CHECK(st->block_pages > 0);
	FZ_CHECK(st->nr_blocks <= st->cap_blocks || !st->cap_blocks);
	for (i = 1; i < st->nr_blocks; i++)
		FZ_CHECK(st->blocks[i - 1].id < st->blocks[i].id);
	for (i = 0; i < st->nr_blocks; i++) {
		const struct za_block *b = &st->blocks[i];

		FZ_CHECK(b->zone >= ZA_ZONE_NONE && b->zone < ZA_NR_ZONES);
		FZ_CHECK(za_block_find(st, b->id) == b);
	}
	for (i = 0; i < st->nr_groups; i++)
		FZ_CHECK(memchr(st->groups[i].name, 0, sizeof(st->groups[i].name)));
}

static void queries(const struct za_state *st)
{
	struct za_stats zs;
	char buf[96];
	size_t i;
	int t, nid;

	for (i = 0; i < st->nr_blocks && i < 64; i++) {
		uint64_t id = st->blocks[i].id;
		int rc = za_valid_zones(st, id, buf, sizeof(buf));

		FZ_CHECK(rc == 0 || rc < 0);
		if (!rc) {
			FZ_CHECK(memchr(buf, 0, sizeof(buf)) && buf[0]);
		}
		for (t = ZA_MMOP_ONLINE; t <= ZA_MMOP_ONLINE_MOVABLE; t++) {
			int z = za_zone_for_block(st, id, t);

			FZ_CHECK(z < 0 || z < ZA_NR_ZONES);
		}
		/* a buffer too small for the answer */
		za_valid_zones(st, id, buf, 4);
		FZ_CHECK(memchr(buf, 0, 4));
	}
	for (nid = -1; nid < st->nr_nodes && nid < 8; nid++) {
		za_stats(st, nid, NULL, &zs);
		za_headroom(st, nid, NULL);
		za_can_online_movable(st, nid, NULL, st->block_pages);
		for (i = 0; i < st->nr_groups && i < 8; i++) {
			za_stats(st, nid, &st->groups[i], &zs);
			za_headroom(st, nid, &st->groups[i]);
			za_can_online_movable(st, nid, &st->groups[i],
					      st->block_pages);
		}
	}
	for (nid = 0; nid < st->nr_nodes && nid < 8; nid++)
		for (t = 0; t < ZA_NR_ZONES; t++)
			za_hotplugged_present(st, nid, t);
}

static uint64_t num(const char **p)
{
	char *end;
	uint64_t v;

	while (**p == ' ')
		(*p)++;
	errno = 0;
	v = strtoull(*p, &end, 0);
	*p = end;
	return v;
}

static void ops(struct za_state *st, const struct fz_tree *t)
{
	int i, zone;

	for (i = 0; i < t->nargs; i++) {
		const char *p = t->args[i] + 1;
		uint64_t a, b, c;

		switch (t->args[i][0]) {
		case 'o':
			a = num(&p);
			b = num(&p);
			zone = -99;
			if (!za_online(st, a, (int)b, &zone))
				FZ_CHECK(zone >= 0 && zone < ZA_NR_ZONES);
			break;
		case 'f':
			za_offline(st, num(&p));
			break;
		case 'r':
			za_block_remove(st, num(&p));
			break;
		case '+':
			a = num(&p);
			b = num(&p);
			c = num(&p);
			za_block_add(st, a, (int)b, (int)c);
			break;
		case 'u':
			za_group_unregister(st, (int)num(&p));
			break;
		case 's':
			a = num(&p);
			za_group_register_static(st, (int)a, num(&p), "fuzz-dimm");
			break;
		case 'd':
			a = num(&p);
			za_group_register_dynamic(st, (int)a, num(&p), "fuzz-virtio");
			break;
		default:
			break;
		}
		check_state(st);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = fz_tree_root();
	struct zi_system s;
	struct za_state copy;
	struct fz_tree t;
	char err[512];
	size_t i;
	int rc;

	if (fz_tree_build(root, data, size, &t))
		abort();
	zi_system_init(&s);
	err[0] = '\0';
	rc = zi_system_load(&s, root, err, sizeof(err));
	/*
	 * -EINTR: a read blocked until libFuzzer's timeout alarm interrupted
	 * it (a FIFO in the tree opened without O_NONBLOCK); outside the
	 * fuzzer that is a hang.
	 */
	FZ_CHECK(rc != -EINTR);
	if (rc) {
		FZ_CHECK(rc < 0 && err[0]);
	} else {
		FZ_CHECK(s.block_size && s.page_size);
		FZ_CHECK(s.st.nr_blocks > 0);
		FZ_CHECK(s.nr_warnings <= ZI_MAX_WARNINGS);
		for (i = 0; i < s.nr_warnings; i++)
			FZ_CHECK(s.warnings[i] && s.warnings[i][0]);
		for (i = 0; i < s.nr_devs; i++)
			FZ_CHECK(memchr(s.devs[i].name, 0, sizeof(s.devs[i].name)));
		check_state(&s.st);
		queries(&s.st);
		if (t.nargs && !za_copy(&copy, &s.st)) {
			ops(&copy, &t);
			queries(&copy);
			za_free(&copy);
		}
	}
	zi_system_free(&s);
	fz_tree_free(&t);
	fz_rmtree(root);
	return 0;
}
