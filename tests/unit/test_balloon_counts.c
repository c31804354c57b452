// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon counts without per-page programs: the kernel's vmstat counters
 * read from a sysroot, the drivers that count them, and how the totals are
 * given to drivers (balloon_attribute()).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "balloon_stats.h"
#include "balloon_vmstat.h"

static char root[256];

static void mkparents(const char *path)
{
	char tmp[4200], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(tmp, 0755);
		*p = '/';
	}
}

static void put(const char *rel, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkparents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/memhp-test-balloon-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_vmstat_read(void **s)
{
	struct balloon_vmstat v, base = { 10, 20, 30 }, d;

	assert_int_equal(balloon_vmstat_read(root, &v), -ENOENT); /* no file */
	put("proc/vmstat", "nr_free_pages 100\nballoon_inflate 76800\nballoon_deflate 512\n"
			   "balloon_migrate 7\nswap_ra 0\n");
	assert_int_equal(balloon_vmstat_read(root, &v), 0);
	assert_int_equal(v.inflate, 76800);
	assert_int_equal(v.deflate, 512);
	assert_int_equal(v.migrate, 7);
	d = balloon_vmstat_delta(&v, &base);
	assert_int_equal(d.inflate, 76790);
	assert_int_equal(d.deflate, 492);
	assert_int_equal(d.migrate, 0); /* went backwards: 0, not a wrap */
	/* no CONFIG_BALLOON_COMPACTION: no balloon_migrate line */
	put("proc/vmstat", "balloon_inflate 5\nballoon_deflate 3\n");
	assert_int_equal(balloon_vmstat_read(root, &v), 0);
	assert_int_equal(v.inflate, 5);
	assert_int_equal(v.migrate, 0);
	/* no CONFIG_MEMORY_BALLOON */
	put("proc/vmstat", "nr_free_pages 100\nballoon_inflatex 5\n");
	assert_int_equal(balloon_vmstat_read(root, &v), -ENOENT);
	/* malformed values */
	put("proc/vmstat", "balloon_inflate -5\nballoon_deflate 3\n");
	assert_int_equal(balloon_vmstat_read(root, &v), -EINVAL);
	put("proc/vmstat", "balloon_inflate 5x\nballoon_deflate 3\n");
	assert_int_equal(balloon_vmstat_read(root, &v), -EINVAL);
	put("proc/vmstat", "balloon_inflate 99999999999999999999999\n");
	assert_int_equal(balloon_vmstat_read(root, &v), -EINVAL);
}

static void test_drivers(void **s)
{
	char d[4][BALLOON_DRIVER_LEN];
	char path[4200];

	assert_int_equal(balloon_vmstat_drivers(root, d, 4), 0);
	/* the driver directory without a device: not active */
	put("sys/bus/virtio/drivers/virtio_balloon/bind", "");
	assert_int_equal(balloon_vmstat_drivers(root, d, 4), 0);
	snprintf(path, sizeof(path), "%s/sys/bus/virtio/drivers/virtio_balloon/virtio3", root);
	assert_int_equal(symlink("../../../../devices/pci0000:00/virtio3", path), 0);
	assert_int_equal(balloon_vmstat_drivers(root, d, 4), 1);
	assert_string_equal(d[0], "virtio_balloon");
	/* hv_balloon does not count balloon vm events */
	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/hv_balloon", root);
	mkparents(path);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/bus/vmbus/drivers/hv_balloon/x", root);
	assert_int_equal(symlink("../../../../devices/vmbus/x", path), 0);
	assert_int_equal(balloon_vmstat_drivers(root, d, 4), 1);
	put("sys/module/vmw_balloon/refcnt", "0\n");
	put("sys/devices/system/cmm/cmm0/rtas_errors", "0\n");
	assert_int_equal(balloon_vmstat_drivers(root, d, 4), 3);
	assert_string_equal(d[1], "vmw_balloon");
	assert_string_equal(d[2], "cmm");
	assert_int_equal(balloon_vmstat_drivers(root, d, 2), 2);
}

static struct balloon_dev dev(uint64_t key, const char *driver, uint64_t in, uint64_t mig,
			      uint64_t fail)
{
	struct balloon_dev b = { .key = key };

	snprintf(b.driver, sizeof(b.driver), "%s", driver);
	b.s.inflated = in;
	b.s.migrated = mig;
	b.s.migrate_failed = fail;
	b.s.migratepage = 0xffffffffc0001000ULL;
	return b;
}

static void test_attribute(void **s)
{
	const char virtio[1][BALLOON_DRIVER_LEN] = { "virtio_balloon" };
	const char two[2][BALLOON_DRIVER_LEN] = { "virtio_balloon", "vmw_balloon" };
	struct balloon_vmstat zero = { 0 }, t = { 76800, 76800, 12 };
	struct balloon_dev d[4];

	/* nothing counted, nothing seen: no entry ("no activity yet") */
	assert_int_equal(balloon_attribute(d, 0, 4, &zero, virtio, 1), 0);
	/* one driver: the kernel's totals, exact, whatever the batch programs saw */
	assert_int_equal(balloon_attribute(d, 0, 4, &t, virtio, 1), 1);
	assert_string_equal(d[0].driver, "virtio_balloon");
	assert_int_equal(d[0].key, 0);
	assert_int_equal(d[0].s.inflated, 76800);
	assert_int_equal(d[0].s.deflated, 76800);
	assert_int_equal(d[0].s.migrated, 12);
	assert_int_equal(d[0].s.migrate_failed, 0);
	/* the migrate program saw the device: its key and failures stay */
	d[0] = dev(0xffff888004000000ULL, "virtio_balloon", 0, 10, 2);
	assert_int_equal(balloon_attribute(d, 1, 4, &t, virtio, 1), 1);
	assert_int_equal(d[0].key, 0xffff888004000000ULL);
	assert_int_equal(d[0].s.migrated, 12);
	assert_int_equal(d[0].s.migrate_failed, 2);
	assert_int_equal(d[0].s.migratepage, 0xffffffffc0001000ULL);
	/* a device seen, no driver in sysfs: still one driver */
	d[0] = dev(0xffff888004000000ULL, "vmw_balloon", 512, 0, 0);
	assert_int_equal(balloon_attribute(d, 1, 4, &t, NULL, 0), 1);
	assert_string_equal(d[0].driver, "vmw_balloon");
	assert_int_equal(d[0].s.inflated, 76800);
	/* no driver known at all */
	assert_int_equal(balloon_attribute(d, 0, 4, &t, NULL, 0), 1);
	assert_string_equal(d[0].driver, "unknown");
	assert_int_equal(d[0].s.deflated, 76800);
	/* two drivers: the batch programs' counts stay, the rest unattributed */
	d[0] = dev(0xffff888004000000ULL, "vmw_balloon", 800, 2, 0);
	assert_int_equal(balloon_attribute(d, 1, 4, &t, two, 2), 2);
	assert_string_equal(d[0].driver, "vmw_balloon");
	assert_int_equal(d[0].s.inflated, 800);
	assert_string_equal(d[1].driver, "unattributed");
	assert_int_equal(d[1].key, 1);
	assert_int_equal(d[1].s.inflated, 76000);
	assert_int_equal(d[1].s.deflated, 76800);
	assert_int_equal(d[1].s.migrated, 10);
	/* ... and no room for it: the devices alone */
	d[0] = dev(0xffff888004000000ULL, "vmw_balloon", 800, 2, 0);
	assert_int_equal(balloon_attribute(d, 1, 1, &t, two, 2), 1);
	assert_int_equal(balloon_attribute(d, 0, 0, &t, virtio, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_read),
		cmocka_unit_test(test_drivers),
		cmocka_unit_test(test_attribute),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
