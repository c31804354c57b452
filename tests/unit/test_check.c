// SPDX-License-Identifier: GPL-2.0
/*
 * memhp check: balloon detection from a sysroot, and check_main() (exit
 * codes, messages, JSON) over a small tree with no BPF.
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

#include "check.h"
#include "policy.h"

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

static void put(const char *rel, const char *fmt, ...)
{
	char path[4200];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkparents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkparents(path);
	assert_int_equal(symlink(target, path), 0);
}

static void block(unsigned int id, const char *zone, int node)
{
	char rel[256], tgt[64];

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state", id);
	put(rel, "online\n");
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/valid_zones", id);
	put(rel, "%s\n", zone);
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/node%d", id, node);
	snprintf(tgt, sizeof(tgt), "../../node/node%d", node);
	link_to(tgt, rel);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/memhp-test-check-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("sys/devices/system/memory/block_size_bytes", "8000000\n");
	put("sys/devices/system/memory/auto_online_blocks", "offline\n");
	put("sys/module/memory_hotplug/parameters/online_policy", "contig-zones\n");
	put("sys/module/memory_hotplug/parameters/auto_movable_ratio", "301\n");
	put("proc/cmdline", "quiet\n");
	put("dmesg", "");
	for (unsigned int b = 1; b < 8; b++)
		block(b, "DMA32", 0);
	for (unsigned int b = 8; b < 12; b++)
		block(b, "Movable", 0);
	put("proc/zoneinfo", "Node 0, zone    DMA32\n"
			     "        spanned  229376\n"
			     "        present  229376\n"
			     "  start_pfn:           32768\n"
			     "Node 0, zone  Movable\n"
			     "        spanned  131072\n"
			     "        present  131072\n"
			     "  start_pfn:           262144\n");
	put("pol.yaml", "version: 1\nrules:\n"
			"  - {name: r, rule: max-ratio, scope: global, max: 50}\n"
			"  - {name: b, rule: balloon-movable, severity: critical}\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

struct run {
	int rc;
	char out[8192], err[2048];
};

static struct run run_check(const char *first, ...)
{
	struct run r;
	char *argv[16] = { (char *)"memhp check" }, *ob = NULL, *eb = NULL;
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(&ob, &ol), *err = open_memstream(&eb, &el);
	va_list ap;
	int argc = 1;

	assert_non_null(out);
	assert_non_null(err);
	va_start(ap, first);
	for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	r.rc = check_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	snprintf(r.out, sizeof(r.out), "%s", ob ? ob : "");
	snprintf(r.err, sizeof(r.err), "%s", eb ? eb : "");
	free(ob);
	free(eb);
	return r;
}

static void test_balloons(void **s)
{
	struct policy_balloon b[4];
	char path[1024];

	assert_int_equal(check_detect_balloons(root, b, 4), 0);
	/* virtio_balloon driver bound, kallsyms with its callback */
	put("sys/bus/virtio/drivers/virtio_balloon/bind", "");
	assert_int_equal(check_detect_balloons(root, b, 4), 0); /* no device */
	link_to("../../../../devices/pci0000:00/virtio3",
		"sys/bus/virtio/drivers/virtio_balloon/virtio3");
	put("proc/kallsyms", "0000000000000000 t virtballoon_migratepage\t[virtio_balloon]\n");
	assert_int_equal(check_detect_balloons(root, b, 4), 1);
	assert_string_equal(b[0].driver, "virtio_balloon");
	assert_int_equal(b[0].compaction, 1);
	put("proc/kallsyms", "0000000000000000 t virtballoon_probe\t[virtio_balloon]\n");
	assert_int_equal(check_detect_balloons(root, b, 4), 1);
	assert_int_equal(b[0].compaction, 0);
	/* no kallsyms: the config copy decides */
	snprintf(path, sizeof(path), "%s/proc/kallsyms", root);
	unlink(path);
	put("config", "CONFIG_BALLOON_COMPACTION=y\n");
	assert_int_equal(check_detect_balloons(root, b, 4), 1);
	assert_int_equal(b[0].compaction, 1);
	put("config", "# CONFIG_BALLOON_COMPACTION is not set\n");
	assert_int_equal(check_detect_balloons(root, b, 4), 1);
	assert_int_equal(b[0].compaction, 0);
	/* hv_balloon and Xen: never */
	link_to("../../../../devices/vmbus/x", "sys/bus/vmbus/drivers/hv_balloon/x");
	put("sys/devices/system/xen_memory/xen_memory0/target_kb", "0\n");
	assert_int_equal(check_detect_balloons(root, b, 4), 3);
	assert_string_equal(b[1].driver, "hv_balloon");
	assert_int_equal(b[1].compaction, 0);
	assert_string_equal(b[2].driver, "xen_balloon");
	assert_int_equal(check_detect_balloons(root, b, 2), 2);
	snprintf(path, sizeof(path),
		 "rm -rf '%s/sys/bus' '%s/sys/devices/system/xen_memory' '%s/config'",
		 root, root, root);
	assert_int_equal(system(path), 0);
	assert_int_equal(check_detect_balloons(root, b, 4), 0);
}

static void test_main(void **s)
{
	char pol[512];
	struct run r;

	snprintf(pol, sizeof(pol), "%s/pol.yaml", root);
	r = run_check("--sysroot", root, NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.err, "memhp check: --policy FILE is required (try --help)\n");
	r = run_check("--policy", pol, "--sysroot", "/nonexistent", NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "memhp check: "));
	r = run_check("--policy", pol, "--interval", "0", NULL);
	assert_int_equal(r.rc, 2);
	r = run_check("--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Exit status: 0 no violation"));

	/* 4 Movable blocks over 7 DMA32 blocks: 57 > 50; balloon: none yet */
	r = run_check("--policy", pol, "--sysroot", root, NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out,
			       "warning r [max-ratio] global: MOVABLE:KERNEL 57 exceeds 50 (Movable 512 MiB, kernel early 896 MiB) (actual 57, limit 50)\n"));
	r = run_check("--policy", pol, "--sysroot", root, "--fail-on", "critical", NULL);
	assert_int_equal(r.rc, 0);
	/* an hv_balloon makes the critical balloon rule fire */
	link_to("../../../../devices/vmbus/y", "sys/bus/vmbus/drivers/hv_balloon/y");
	r = run_check("--policy", pol, "--sysroot", root, "--fail-on", "critical", "-J",
		      NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"rule\":\"b\",\"type\":\"balloon-movable\",\"severity\":\"critical\",\"line\":4,\"object\":\"balloon hv_balloon\""));
	assert_non_null(strstr(r.out, "\"unit\":\"bytes\",\"actual\":536870912,\"infinite\":false,\"limit\":0"));
	assert_non_null(strstr(r.out, "\"exit\":1}\n"));
	assert_string_equal(r.err, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_balloons),
		cmocka_unit_test(test_main),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
