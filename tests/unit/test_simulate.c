// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: the defensive readers (zoneinfo, iomem, firmware memmap),
 * the starting state built from a sysroot tree like the lab VM's, and the
 * command (operations, exit codes, output).
 */
#include <errno.h>
#include <fcntl.h>
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

#include "simulate.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PPB 32768ULL

static char data_dir[4096];

static void find_data_dir(void)
{
	const char *src = __FILE__; /* tests/unit/test_simulate.c */
	const char *slash = strrchr(src, '/');

	snprintf(data_dir, sizeof(data_dir), "%.*s/../data",
		 slash ? (int)(slash - src) : 1, slash ? src : ".");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* --- zoneinfo ------------------------------------------------------------- */

static void test_zoneinfo_lab(void **s)
{
	struct zoneinfo zi;
	const struct zi_zone *z;
	char path[4200], err[256];

	snprintf(path, sizeof(path), "%s/zoneinfo-lab-2node", data_dir);
	assert_int_equal(zoneinfo_read(path, &zi, err, sizeof(err)), 0);
	assert_int_equal(zi.nr, 10);
	assert_int_equal(zi.malformed, 0);
	z = zoneinfo_find(&zi, 0, ZA_ZONE_DMA);
	assert_non_null(z);
	assert_true(z->has_start);
	assert_int_equal(z->start_pfn, 1);
	assert_int_equal(z->spanned, 4095);
	assert_int_equal(z->present, 3998);
	z = zoneinfo_find(&zi, 1, ZA_ZONE_MOVABLE);
	assert_int_equal(z->start_pfn, 1572864);
	assert_int_equal(z->present, 131072);
	z = zoneinfo_find(&zi, 0, ZA_ZONE_NORMAL);
	assert_false(z->has_start); /* unpopulated: not printed */
	assert_int_equal(z->spanned, 0);
	zoneinfo_free(&zi);
	assert_int_equal(zoneinfo_read("/nonexistent/zoneinfo", &zi, err,
				       sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/zoneinfo"));
}

static void test_zoneinfo_malformed(void **s)
{
	struct zoneinfo zi;
	const struct zi_zone *z;
	char path[4200], err[256];

	snprintf(path, sizeof(path), "%s/zoneinfo-malformed", data_dir);
	assert_int_equal(zoneinfo_read(path, &zi, err, sizeof(err)), 0);
	assert_true(zi.malformed >= 8);
	assert_true(zi.first[0]);
	z = zoneinfo_find(&zi, 0, ZA_ZONE_DMA);
	assert_int_equal(z->present, 3998); /* the repeated field is ignored */
	z = zoneinfo_find(&zi, 0, ZA_ZONE_DMA32);
	assert_false(z->has_spanned);
	assert_int_equal(z->present, 520160);
	assert_false(z->has_cma);
	assert_int_equal(z->start_pfn, 4096);
	z = zoneinfo_find(&zi, 0, ZA_ZONE_NORMAL);
	assert_true(z->has_spanned);
	assert_false(z->has_present); /* 2^64 */
	assert_null(zoneinfo_find(&zi, 5000, ZA_ZONE_NORMAL));
	z = zoneinfo_find(&zi, 1, ZA_ZONE_MOVABLE);
	assert_non_null(z);
	assert_false(z->has_start);
	zoneinfo_free(&zi);
}

static void test_zoneinfo_garbage(void **s)
{
	static const char *const pieces[] = {
		"Node ",
		"0",
		",",
		" zone ",
		"Normal",
		"Movable",
		"\n",
		"  spanned ",
		"present ",
		"start_pfn: ",
		"cma ",
		"99999999999",
		"18446744073709551616",
		"-1",
		" ",
		"\t",
		"\0",
		"x",
	};
	struct zoneinfo zi;
	char buf[2048];
	unsigned int seed = 1;
	int i;

	assert_int_equal(zoneinfo_parse("", 0, &zi), -EINVAL);
	zoneinfo_free(&zi);
	for (i = 0; i < 3000; i++) {
		size_t n = 0;

		while (n < sizeof(buf) - 32) {
			const char *p = pieces[rand_r(&seed) % 18];
			size_t l = *p ? strlen(p) : 1;

			if (rand_r(&seed) % 7 == 0) {
				buf[n++] = (char)rand_r(&seed);
				continue;
			}
			memcpy(buf + n, p, l);
			n += l;
			if (rand_r(&seed) % 50 == 0)
				break;
		}
		(void)zoneinfo_parse(buf, n, &zi);
		zoneinfo_free(&zi);
	}
	/* a line longer than the line buffer */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "Node 0, zone Normal\n  spanned ", 30);
	assert_int_equal(zoneinfo_parse(buf, sizeof(buf), &zi), 0);
	assert_false(zi.zones[0].has_spanned);
	zoneinfo_free(&zi);
}

static void test_iomem(void **s)
{
	static const char text[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009fbff : System RAM\n"
		"100000000-17fffffff : System RAM\n"
		"  100000000-1000fffff : Kernel code\n"
		"180000000-1ffffffff : virtio2\n"
		"  180000000-19fffffff : System RAM (virtio_mem)\n"
		"    180000000-180000fff : deeper\n"
		"  1a0000000-1afffffff : System RAM (virtio_mem)\n"
		"zzzz-1 : bad\n"
		"1-0 : reversed\n"
		"12345678901234567-1 : too long\n"
		"10-20 missing colon\n";
	struct zi_iomem io;

	assert_int_equal(iomem_parse(text, sizeof(text) - 1, &io), 0);
	assert_int_equal(io.nr, 8);
	assert_int_equal(io.malformed, 4);
	assert_false(io.zeroed);
	assert_string_equal(io.res[4].name, "virtio2");
	assert_int_equal(io.res[5].parent, 4);
	assert_int_equal(io.res[6].parent, 5);
	assert_int_equal(io.res[7].parent, 4);
	assert_int_equal(io.res[7].start, 0x1a0000000ULL);
	iomem_free(&io);
	assert_int_equal(
		iomem_parse("00000000-00000000 : System RAM\n", 31, &io), 0);
	assert_true(io.zeroed);
	iomem_free(&io);
}

/* --- a sysroot like the lab VM (numa=2, a DIMM, a virtio-mem device) ------ */

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

static void block(unsigned int id, const char *state, const char *zones,
		  int node, const char *fw)
{
	char rel[256], tgt[64];

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state",
		 id);
	put(rel, "%s\n", state);
	snprintf(rel, sizeof(rel),
		 "sys/devices/system/memory/memory%u/valid_zones", id);
	put(rel, "%s\n", zones);
	snprintf(rel, sizeof(rel),
		 "sys/devices/system/memory/memory%u/removable", id);
	put(rel, "1\n");
	snprintf(rel, sizeof(rel),
		 "sys/devices/system/memory/memory%u/phys_device", id);
	put(rel, "0\n");
	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/node%d",
		 id, node);
	snprintf(tgt, sizeof(tgt), "../../node/node%d", node);
	link_to(tgt, rel);
	snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/memory%u",
		 node, id);
	snprintf(tgt, sizeof(tgt), "../../memory/memory%u", id);
	link_to(tgt, rel);
	if (fw) {
		snprintf(rel, sizeof(rel),
			 "sys/devices/system/memory/memory%u/firmware_node",
			 id);
		link_to(fw, rel);
	}
}

static void memmap(unsigned int i, uint64_t start, uint64_t end,
		   const char *type)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/start", i);
	put(rel, "0x%llx\n", (unsigned long long)start);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/end", i);
	put(rel, "0x%llx\n", (unsigned long long)end);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/type", i);
	put(rel, "%s\n", type);
}

static int make_lab_root(void **state)
{
	char *zi, src[4200];
	size_t len;
	unsigned int b;

	snprintf(root, sizeof(root), "/tmp/memhp-test-simulate-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("sys/devices/system/memory/block_size_bytes", "8000000\n");
	put("sys/devices/system/memory/auto_online_blocks", "online\n");
	put("sys/module/memory_hotplug/parameters/online_policy",
	    "auto-movable\n");
	put("sys/module/memory_hotplug/parameters/auto_movable_ratio", "301\n");
	put("sys/module/memory_hotplug/parameters/auto_movable_numa_aware",
	    "Y\n");
	put("sys/module/memory_hotplug/parameters/memmap_on_memory", "N\n");
	put("sys/module/virtio_mem/parameters/force_bbm", "N\n");
	put("sys/module/virtio_mem/parameters/bbm_block_size", "0\n");
	put("proc/cmdline", "console=ttyS0 nokaslr\n");
	put("dmesg",
	    "[    7.7] virtio_mem virtio2: device block size: 0x200000\n"
	    "[    7.7] virtio_mem virtio2: nid: 1\n");
	block(0, "online", "none", 0, NULL);
	for (b = 1; b < 16; b++)
		block(b, "online", "DMA32", 0, NULL);
	for (b = 32; b < 48; b++)
		block(b, "online", "Normal", 1, NULL);
	for (b = 48; b < 52; b++)
		block(b, "online", "Movable", 1, NULL);
	for (b = 64; b < 68; b++)
		block(b, "online", "Movable", 0,
		      "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00");
	memmap(0, 0, 0x9fbff, "System RAM");
	memmap(1, 0x9fc00, 0x9ffff, "Reserved");
	memmap(2, 0xf0000, 0xfffff, "Reserved");
	memmap(3, 0x100000, 0x7ffdffff, "System RAM");
	memmap(4, 0x7ffe0000, 0x7fffffff, "Reserved");
	memmap(5, 0xb0000000, 0xbfffffff, "Reserved");
	memmap(6, 0xfed1c000, 0xfed1ffff, "Reserved");
	memmap(7, 0xfffc0000, 0xffffffff, "Reserved");
	memmap(8, 0x100000000, 0x17fffffff, "System RAM");
	memmap(9, 0xfd00000000, 0xffffffffff, "Reserved");
	memmap(10, 0x200000000, 0x21fffffff, "System RAM");
	put("proc/iomem", "00000000-00000fff : Reserved\n"
			  "00001000-0009fbff : System RAM\n"
			  "00100000-7ffdffff : System RAM\n"
			  "  01000000-01e01d31 : Kernel code\n"
			  "100000000-17fffffff : System RAM\n"
			  "180000000-1ffffffff : virtio2\n"
			  "  180000000-19fffffff : System RAM (virtio_mem)\n"
			  "200000000-21fffffff : System RAM\n"
			  "fd00000000-ffffffffff : Reserved\n");
	snprintf(src, sizeof(src), "%s/zoneinfo-lab-2node", data_dir);
	zi = slurp(src, &len);
	put("proc/zoneinfo", "%s", zi);
	free(zi);
	return 0;
}

static int remove_root(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_system_load(void **s)
{
	struct zi_system sys;
	struct za_group *g;
	char err[512];
	size_t i;
	int dimm = -1, vmem = -1;

	zi_system_init(&sys);
	assert_int_equal(zi_system_load(&sys, root, err, sizeof(err)), 0);
	assert_int_equal(sys.st.block_pages, PPB);
	assert_int_equal(sys.st.cfg.policy, ZA_POLICY_AUTO_MOVABLE);
	assert_int_equal(sys.st.cfg.ratio, 301);
	assert_int_equal(sys.auto_online, ZA_MMOP_ONLINE);
	assert_int_equal(sys.nr_early, 32);
	assert_int_equal(sys.nr_hotplugged, 8);
	for (i = 0; i < sys.nr_devs; i++) {
		if (!strcmp(sys.devs[i].name, "PNP0C80:00"))
			dimm = (int)i;
		if (!strcmp(sys.devs[i].name, "virtio2"))
			vmem = (int)i;
	}
	assert_true(dimm >= 0 && vmem >= 0);
	g = za_group_find(&sys.st, sys.devs[dimm].group);
	assert_false(g->dynamic);
	assert_int_equal(g->nid, 0);
	assert_int_equal(g->max_pages, 4 * PPB);
	assert_int_equal(g->present_movable_pages, 4 * PPB);
	g = za_group_find(&sys.st, sys.devs[vmem].group);
	assert_true(g->dynamic);
	assert_int_equal(g->nid, 1);
	assert_int_equal(g->unit_pages, PPB);
	assert_int_equal(sys.devs[vmem].region_first, 48);
	assert_int_equal(sys.devs[vmem].region_end, 64);
	assert_int_equal(za_zone_get(&sys.st, 1, ZA_ZONE_NORMAL)->present_early,
			 524288);
	assert_int_equal(
		za_zone_get(&sys.st, 0, ZA_ZONE_MOVABLE)->present_early, 0);
	assert_int_equal(za_zone_get(&sys.st, 0, ZA_ZONE_DMA32)->present_early,
			 520160);
	assert_true(za_block_find(&sys.st, 0)->early);
	assert_false(za_block_find(&sys.st, 64)->early);
	assert_int_equal(za_block_find(&sys.st, 0)->zone, ZA_ZONE_NONE);
	zi_system_free(&sys);
}

/* --- the command ---------------------------------------------------------- */

struct run {
	int rc;
	char *out, *err;
};

static struct run run_sim(const char *first, ...)
{
	char *argv[32];
	struct run r = { 0 };
	size_t ol = 0, el = 0;
	FILE *out = open_memstream(&r.out, &ol),
	     *err = open_memstream(&r.err, &el);
	va_list ap;
	int argc = 0;
	const char *a;

	argv[argc++] = (char *)"memhp simulate";
	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	r.rc = simulate_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_sysroot_dimm(void **s)
{
	struct run r = run_sim("-J", "--sysroot", root, "dimm 1G node=0",
			       "dimm 1G node=1; online-all", NULL);

	assert_int_equal(r.rc, 0);
	/* first fit after the virtio-mem region and the DIMM at 64-67 */
	assert_non_null(strstr(r.out, "{\"action\":\"add\",\"block\":68,"));
	assert_non_null(strstr(r.out,
			       "{\"action\":\"online\",\"block\":68,\"node\":0,"
			       "\"group\":2,\"online_type\":\"online\","
			       "\"zone\":\"Movable\"}"));
	assert_non_null(strstr(r.out, "\"ok\":true"));
	assert_non_null(strstr(
		r.out, "\"block\":0,\"state\":\"online\",\"zone\":null"));
	run_free(&r);
}

static void test_sysroot_vmem(void **s)
{
	struct run r;

	/* grows virtio2 (node 1 from the kernel log), 12 blocks left */
	r = run_sim("-J", "--sysroot", root, "virtio-mem 1G", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(
		r.out, "{\"action\":\"online\",\"block\":52,\"node\":1,"));
	assert_non_null(strstr(
		r.out, "{\"action\":\"online\",\"block\":59,\"node\":1,"));
	run_free(&r);
	r = run_sim("--sysroot", root, "virtio-mem 2G dev=virtio2", NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(
		r.err,
		"argument 1: virtio-mem 2G dev=virtio2: virtio2: no room left"));
	run_free(&r);
	/* ratio 0 from the command line */
	r = run_sim("--sysroot", root, "--ratio", "0", "virtio-mem 128M", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "online -> Normal"));
	run_free(&r);
}

static void test_usage(void **s)
{
	struct run r;
	char path[] = "/tmp/memhp-test-ops-XXXXXX";
	int fd;

	r = run_sim("--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Operations"));
	assert_non_null(strstr(r.out, "--sysroot"));
	run_free(&r);
	r = run_sim("--bogus", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	r = run_sim("--ratio", "-1", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	r = run_sim("--policy", "movable", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	r = run_sim("--sysroot", root, "--state", "x", NULL);
	assert_int_equal(r.rc, 2);
	run_free(&r);
	r = run_sim("--sysroot", "/nonexistent", NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "memhp simulate: "));
	run_free(&r);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "# ops\ndimm 1G\n  frobnicate 3\n", 30) == 30);
	close(fd);
	r = run_sim("--sysroot", root, "-f", path, NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, ":3: unknown operation \"frobnicate\""));
	assert_string_equal(r.out, "");
	run_free(&r);
	unlink(path);

	/* every operation is checked before anything runs */
	static const char *const bad[] = {
		"dimm",
		"dimm 0",
		"dimm 1X",
		"dimm 1G node=x",
		"dimm 1G at=1 block=2",
		"online",
		"online 5 online_sideways",
		"online 1-",
		"online memoryx",
		"boot 1 zone=Normal",
		"set",
		"set ratio=-3",
		"set policy=foo",
		"virtio-mem 1G unit=3M",
		"unplug",
		"online 0-99999999999",
		"dimm 1G color=red",
		"online-all 1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = run_sim("--sysroot", root, bad[i], NULL);
		if (r.rc != 2)
			fail_msg("\"%s\": rc %d, %s", bad[i], r.rc, r.err);
		assert_non_null(strstr(r.err, "argument 1: "));
		run_free(&r);
	}
}

static void test_runtime_errors(void **s)
{
	static const char *const ops[] = {
		"online 9999",	  "online 1",
		"offline 0",	  "offline 20",
		"remove 1",	  "unplug nothing",
		"dimm 100M",	  "dimm 1G block=64",
		"unplug virtio2", "dimm 8E",
		"virtio-mem 8E",  "virtio-mem 1G dev=n region=8E",
	};
	struct run r;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		r = run_sim("-J", "--sysroot", root, ops[i], NULL);
		if (r.rc != 1)
			fail_msg("\"%s\": rc %d, %s", ops[i], r.rc, r.err);
		assert_non_null(strstr(r.out, "\"ok\":false"));
		assert_non_null(strstr(r.out, "\"error\":"));
		run_free(&r);
	}
	/* unplug: offline and remove the DIMM, group unregistered */
	r = run_sim("--sysroot", root, "unplug PNP0C80:00", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "remove     memory64-67"));
	assert_non_null(strstr(r.out, "unregister memory group 0"));
	run_free(&r);
}

static void test_state_file(void **s)
{
	char path[] = "/tmp/memhp-test-state-XXXXXX";
	static const char state[] =
		"block-size 128M\n"
		"boot 0 zone=none\n"
		"boot 1-15 zone=DMA32\n"
		"boot 32-47 zone=Normal\n"
		"zone 0 DMA start=1 spanned=4095 present=3998\n"
		"zone 0 DMA32 start=4096 spanned=520160 present=520160\n"
		"set policy=auto-movable auto-online=online\n";
	struct run r;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(write(fd, state, sizeof(state) - 1) ==
		    (ssize_t)(sizeof(state) - 1));
	close(fd);
	r = run_sim("--state", path, "dimm 4G", "dimm 4G", "dimm 4G", "dimm 4G",
		    NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(
		r.out,
		"memory48-79            node 0  group 0  online -> Movable"));
	assert_non_null(strstr(
		r.out,
		"memory112-143          node 0  group 2  online -> Movable"));
	assert_non_null(strstr(
		r.out,
		"memory144-175          node 0  group 3  online -> Normal"));
	run_free(&r);
	r = run_sim("--state", path, "-J", "virtio-mem 14G", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(
		r.out,
		"{\"block\":143,\"state\":\"online\",\"zone\":\"Movable\""));
	assert_non_null(strstr(
		r.out,
		"{\"block\":144,\"state\":\"online\",\"zone\":\"Normal\""));
	assert_non_null(strstr(
		r.out,
		"{\"block\":147,\"state\":\"online\",\"zone\":\"Movable\""));
	assert_non_null(strstr(
		r.out,
		"{\"block\":148,\"state\":\"online\",\"zone\":\"Normal\""));
	run_free(&r);
	/* contig-zones, offline hot-add, explicit onlining, spans */
	r = run_sim(
		"--state", path, "-J", "--policy", "contig-zones",
		"--auto-online", "offline",
		"dimm 1G; online 55 online_movable; online 48-54; offline 55",
		NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(
		r.out,
		"{\"block\":48,\"state\":\"online\",\"zone\":\"Normal\""));
	assert_non_null(strstr(
		r.out,
		"{\"block\":55,\"state\":\"offline\",\"zone\":null,\"valid_zones\":\"Normal Movable\""));
	run_free(&r);
	unlink(path);

	/* a bad state file: exit 2 naming the line */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_true(write(fd, "block-size 128M\nboot 1 zone=Sideways\n", 37) ==
		    37);
	close(fd);
	r = run_sim("--state", path, NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, ":2: bad value for zone"));
	run_free(&r);
	unlink(path);
}

/* Random operation soup: any exit status but a crash. */
static void test_garbage_ops(void **s)
{
	static const char *const words[] = {
		"dimm",
		"virtio-mem",
		"online",
		"offline",
		"remove",
		"unplug",
		"add",
		"online-all",
		"set",
		"1G",
		"128M",
		"0",
		"48-55",
		"55-48",
		"node=1",
		"node=999",
		"unit=512M",
		"ratio=0",
		"policy=auto-movable",
		"auto-online=online",
		"dev=virtio2",
		"dev=x",
		"block=70",
		"at=0x200000000",
		"online_movable",
		"online_kernel",
		";",
		"memory64",
		"dimm0",
		"PNP0C80:00",
		"18446744073709551615",
		"region=1G",
		"align=1G",
	};
	unsigned int seed = 7;
	char op[512];
	int i, k;

	for (i = 0; i < 150; i++) {
		struct run r;
		size_t n = 0;
		int nw = 1 + (int)(rand_r(&seed) % 8);

		for (k = 0; k < nw; k++)
			n += (size_t)snprintf(
				op + n, sizeof(op) - n, "%s ",
				words[rand_r(&seed) %
				      (sizeof(words) / sizeof(words[0]))]);
		r = run_sim(i % 2 ? "-J" : "--ratio=301", "--sysroot", root, op,
			    NULL);
		assert_true(r.rc == 0 || r.rc == 1 || r.rc == 2);
		run_free(&r);
	}
}

/* A tree whose files are all wrong: messages, never a crash. */
static void test_broken_sysroot(void **s)
{
	char saved[256];
	struct run r;

	snprintf(saved, sizeof(saved), "%s", root);
	snprintf(root, sizeof(root), "/tmp/memhp-test-broken-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("sys/devices/system/memory/block_size_bytes", "8000000\n");
	put("sys/devices/system/memory/auto_online_blocks", "sideways\n");
	put("sys/module/memory_hotplug/parameters/online_policy", "x\n");
	put("sys/module/memory_hotplug/parameters/auto_movable_ratio",
	    "99999999999999999999\n");
	put("sys/module/memory_hotplug/parameters/auto_movable_numa_aware",
	    "maybe\n");
	block(0, "online", "Bogus", 0, NULL);
	block(1, "online", "Movable", 0, "../x/y");
	block(2, "weird", "Normal", 0, NULL);
	block(3, "offline", "", 0, NULL);
	memmap(0, 0x1000, 0x0, "System RAM");
	put("sys/firmware/memmap/zz/start", "1\n");
	put("proc/iomem", "garbage\n00000000-00000000 : System RAM\n");
	put("proc/zoneinfo", "Node 0, zone Movable\n spanned 32768\n"
			     " present 99999\n start_pfn: 32768\n"
			     "Node 0, zone Normal\n spanned 5\n present 0\n");
	r = run_sim("--sysroot", root, "online 3", "offline 1", NULL);
	assert_true(r.rc == 0 || r.rc == 1);
	/* warnings on stderr with the command's prefix, not in the result */
	assert_non_null(strstr(r.err, "memhp simulate: warning: "));
	assert_null(strstr(r.out, "warning: "));
	run_free(&r);
	put("proc/zoneinfo", "nothing here\n");
	r = run_sim("--sysroot", root, NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "zoneinfo"));
	run_free(&r);
	remove_root(NULL);
	snprintf(root, sizeof(root), "%s", saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoneinfo_lab),
		cmocka_unit_test(test_zoneinfo_malformed),
		cmocka_unit_test(test_zoneinfo_garbage),
		cmocka_unit_test(test_iomem),
		cmocka_unit_test(test_system_load),
		cmocka_unit_test(test_sysroot_dimm),
		cmocka_unit_test(test_sysroot_vmem),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_runtime_errors),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_garbage_ops),
		cmocka_unit_test(test_broken_sysroot),
	};

	find_data_dir();
	return cmocka_run_group_tests(tests, make_lab_root, remove_root);
}
