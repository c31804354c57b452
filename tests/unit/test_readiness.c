// SPDX-License-Identifier: GPL-2.0
/*
 * Unplug readiness: the page classifier (lib/kpage), the chunked reader on
 * fixture files (short, odd-sized, missing), the per-block verdict and its
 * sums, the scan of tests/data/readiness-tree and readiness_main() on it.
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

#include "kpage.h"
#include "policy.h"
#include "readiness.h"
#include "readiness_keep.h"
#include "readiness_cmd.h"
#include "zonealgo.h"

static char tree[4096];
static char tmpdir[] = "/tmp/memhp-rd-XXXXXX";

static void find_tree(void)
{
	const char *src = __FILE__; /* tests/unit/test_readiness.c */
	const char *slash = strrchr(src, '/');

	snprintf(tree, sizeof(tree), "%.*s/../data/readiness-tree", slash ? (int)(slash - src) : 1,
		 slash ? src : ".");
}

/* --- classifier ---------------------------------------------------------- */

#define F(b) KPF(b)

static void test_classify_kinds(void **state)
{
	(void)state;
	assert_int_equal(kpage_classify(F(BUDDY), 0, 0), KPAGE_FREE);
	assert_int_equal(kpage_classify(F(LRU) | F(ANON) | F(MMAP) | F(SWAPBACKED), 1, 1),
			 KPAGE_LRU_ANON);
	assert_int_equal(kpage_classify(F(LRU) | F(MMAP), 2, 2), KPAGE_LRU_FILE);
	/* unmapped page cache is normal */
	assert_int_equal(kpage_classify(F(LRU), 0, 0), KPAGE_LRU_FILE);
	/* tmpfs: swap-backed but not anon */
	assert_int_equal(kpage_classify(F(LRU) | F(SWAPBACKED), 0, 0), KPAGE_LRU_FILE);
	/* the same tmpfs page isolated by a migration pass: off the LRU
	 * (the flags read in the lab mid-offline: 0x4048) */
	assert_int_equal(kpage_classify(0x48 /* UPTODATE|ACTIVE */ | F(SWAPBACKED), 0, 0),
			 KPAGE_LRU_FILE);
	assert_int_equal(kpage_classify(F(SLAB), 0, 0), KPAGE_SLAB);
	/* 6.1 marks slab compound tails too */
	assert_int_equal(kpage_classify(F(SLAB) | F(COMPOUND_TAIL), 0, 0), KPAGE_SLAB);
	assert_int_equal(kpage_classify(F(PGTABLE), 0, 0), KPAGE_PGTABLE);
	/* reserved wins over anything else it carries */
	assert_int_equal(kpage_classify(F(RESERVED) | F(LRU), 1, 1), KPAGE_RESERVED);
	assert_int_equal(kpage_classify(F(RESERVED) | F(SLAB), 0, 0), KPAGE_RESERVED);
	assert_int_equal(kpage_classify(F(RESERVED) | F(PGTABLE), 0, 0), KPAGE_RESERVED);
	assert_int_equal(kpage_classify(F(HUGE) | F(COMPOUND_HEAD), 0, 0), KPAGE_HUGETLB);
	assert_int_equal(kpage_classify(F(HUGE) | F(COMPOUND_TAIL), 0, 0), KPAGE_HUGETLB);
	assert_int_equal(kpage_classify(F(OFFLINE), 0, 0), KPAGE_OFFLINE);
	assert_int_equal(kpage_classify(F(HWPOISON) | F(LRU), 1, 1), KPAGE_HWPOISON);
	assert_int_equal(kpage_classify(F(NOPAGE), 0, 0), KPAGE_NOPAGE);
	/* no flag: a kernel allocation or a per-CPU free page: unknown */
	assert_int_equal(kpage_classify(0, 0, 0), KPAGE_UNKNOWN);
	assert_int_equal(kpage_classify(F(MMAP), 1, 1), KPAGE_UNKNOWN);
}

static void test_classify_thp_and_lru_batches(void **state)
{
	(void)state;
	/* a THP tail on 6.1 has no KPF_LRU: still the head's kind */
	assert_int_equal(kpage_classify(F(THP) | F(ANON) | F(MMAP) | F(COMPOUND_TAIL), 1, 1),
			 KPAGE_LRU_ANON);
	assert_int_equal(kpage_classify(F(THP) | F(COMPOUND_TAIL), 0, 0), KPAGE_LRU_FILE);
	/* anon, not yet on the LRU (per-CPU batch): migrates after the drain */
	assert_int_equal(kpage_classify(F(ANON) | F(MMAP), 1, 1), KPAGE_LRU_ANON);
}

static void test_classify_pinned_heuristic(void **state)
{
	uint64_t unmapped = F(LRU) | F(ANON) | F(SWAPBACKED);

	(void)state;
	assert_int_equal(kpage_classify(unmapped, 0, 0), KPAGE_PINNED);
	/* kpagecount not read: the heuristic is off */
	assert_int_equal(kpage_classify(unmapped, 0, UINT64_MAX), KPAGE_LRU_ANON);
	/* swap cache, KSM, THP or mapped: alive for a known reason */
	assert_int_equal(kpage_classify(unmapped | F(SWAPCACHE), 0, 0), KPAGE_LRU_ANON);
	assert_int_equal(kpage_classify(unmapped | F(KSM), 0, 0), KPAGE_LRU_ANON);
	assert_int_equal(kpage_classify(unmapped | F(THP) | F(COMPOUND_HEAD), 0, 0),
			 KPAGE_LRU_ANON);
	assert_int_equal(kpage_classify(unmapped | F(MMAP), 1, 1), KPAGE_LRU_ANON);
}

static void test_kind_names_and_movability(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < KPAGE_NR_KINDS; k++) {
		assert_string_not_equal(kpage_kind_name(k), "?");
		assert_int_equal(kpage_kind_parse(kpage_kind_name(k)), k);
	}
	assert_string_equal(kpage_kind_name(KPAGE_LRU_ANON), "lru-anon");
	assert_string_equal(kpage_kind_name(KPAGE_NR_KINDS), "?");
	assert_int_equal(kpage_kind_parse("nonsense"), -1);
	assert_true(kpage_kind_movable(KPAGE_FREE));
	assert_true(kpage_kind_movable(KPAGE_LRU_FILE));
	assert_true(kpage_kind_movable(KPAGE_HUGETLB));
	assert_false(kpage_kind_movable(KPAGE_SLAB));
	assert_false(kpage_kind_movable(KPAGE_PGTABLE));
	assert_false(kpage_kind_movable(KPAGE_RESERVED));
	assert_false(kpage_kind_movable(KPAGE_PINNED));
	assert_false(kpage_kind_movable(KPAGE_UNKNOWN));
	assert_false(kpage_kind_movable(KPAGE_NOPAGE));
	assert_false(kpage_kind_migrates(KPAGE_FREE));
	assert_false(kpage_kind_migrates(KPAGE_OFFLINE));
	assert_true(kpage_kind_migrates(KPAGE_LRU_ANON));
}

/* --- chunked reader -------------------------------------------------------- */

static void write_file(const char *name, const void *buf, size_t len)
{
	char p[4200];
	int fd;

	snprintf(p, sizeof(p), "%s/proc/%s", tmpdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static int setup_tmp(void **state)
{
	char p[4200];

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(p, sizeof(p), "%s/proc", tmpdir);
	return mkdir(p, 0755);
}

static int teardown_tmp(void **state)
{
	char cmd[4200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

static void test_reader_chunks(void **state)
{
	/* more than one chunk, and a start that is not chunk-aligned */
	size_t n = KPAGE_CHUNK_PFNS + 1000, i;
	uint64_t *src = calloc(n, 8), *fl = calloc(n, 8), *ct = calloc(n, 8);

	(void)state;
	assert_non_null(src);
	for (i = 0; i < n; i++)
		src[i] = i * 0x10001ull;
	write_file("kpageflags", src, n * 8);
	for (i = 0; i < n; i++)
		src[i] = i & 7;
	write_file("kpagecount", src, n * 8);
	assert_int_equal(kpage_read_range(tmpdir, 3, n - 3, fl, ct), 0);
	for (i = 0; i < n - 3; i++) {
		assert_int_equal(fl[i], (i + 3) * 0x10001ull);
		assert_int_equal(ct[i], (i + 3) & 7);
	}
	/* either file alone */
	memset(fl, 0, n * 8);
	assert_int_equal(kpage_read_range(tmpdir, KPAGE_CHUNK_PFNS, 10, fl, NULL), 0);
	assert_int_equal(fl[9], (KPAGE_CHUNK_PFNS + 9ull) * 0x10001ull);
	/* past the end: ENODATA, not a short success */
	assert_int_equal(kpage_read_range(tmpdir, n - 5, 10, fl, ct), -ENODATA);
	/* offsets that overflow */
	assert_int_equal(kpage_read_range(tmpdir, UINT64_MAX / 8, 1, fl, NULL), -EINVAL);
	free(src);
	free(fl);
	free(ct);
}

static void test_reader_bad_files(void **state)
{
	uint64_t buf[4] = { 1, 2, 3, 4 }, out[4];
	char p[4200];

	(void)state;
	/* 20 bytes: not whole entries */
	write_file("kpageflags", buf, 20);
	assert_int_equal(kpage_read_range(tmpdir, 0, 2, out, NULL), -EINVAL);
	/* whole but short */
	write_file("kpageflags", buf, 16);
	assert_int_equal(kpage_read_range(tmpdir, 0, 2, out, NULL), 0);
	assert_int_equal(kpage_read_range(tmpdir, 0, 3, out, NULL), -ENODATA);
	/* missing */
	snprintf(p, sizeof(p), "%s/proc/kpagecount", tmpdir);
	unlink(p);
	assert_int_equal(kpage_read_range(tmpdir, 0, 1, NULL, out), -ENOENT);
	assert_non_null(strstr(kpage_strerror(-ENOENT), "kpageflags"));
	assert_non_null(strstr(kpage_strerror(-EACCES), "root"));
	/* a directory is not a page file */
	mkdir(p, 0755);
	assert_int_equal(kpage_read_range(tmpdir, 0, 1, NULL, out), -EINVAL);
	rmdir(p);
}

/* --- verdicts --------------------------------------------------------------- */

static struct rd_block blk(int zone)
{
	struct rd_block b = { .online = true, .zone = zone, .blocker = -1, .dev = -1 };

	return b;
}

static void add(struct rd_block *b, uint64_t pfn, enum kpage_kind k)
{
	rd_block_add_page(b, pfn, k, kpage_kind_movable(k));
}

static void test_verdicts(void **state)
{
	struct rd_block b;
	struct rd_sum s = { 0 };
	uint64_t p;

	(void)state;
	b = blk(ZA_ZONE_NORMAL);
	for (p = 0; p < 8; p++)
		add(&b, p, KPAGE_FREE);
	rd_block_judge(&b);
	assert_int_equal(b.verdict, RD_READY);
	rd_sum_add(&s, &b, 32768, 4096);

	b = blk(ZA_ZONE_MOVABLE);
	add(&b, 0, KPAGE_LRU_ANON);
	add(&b, 1, KPAGE_LRU_FILE);
	add(&b, 2, KPAGE_OFFLINE); /* skipped, not migrated */
	add(&b, 3, KPAGE_FREE);
	rd_block_judge(&b);
	assert_int_equal(b.verdict, RD_MIGRATE);
	assert_int_equal(b.migrate_pages, 2);
	rd_sum_add(&s, &b, 32768, 4096);

	/* Normal zone: the first unmovable page fails isolation at once */
	b = blk(ZA_ZONE_NORMAL);
	add(&b, 0, KPAGE_LRU_ANON);
	for (p = 1; p < 7; p++)
		add(&b, p, p == 5 ? KPAGE_PGTABLE : KPAGE_SLAB);
	rd_block_judge(&b);
	assert_int_equal(b.verdict, RD_BLOCKED);
	assert_int_equal(b.blocker, KPAGE_SLAB);
	assert_int_equal(b.fail, RD_FAIL_ISOLATE);
	assert_int_equal(b.nr_first, RD_FIRST_PFNS);
	assert_int_equal(b.first_pfn[0], 1);
	assert_int_equal(b.unmovable_pages, 6);
	rd_sum_add(&s, &b, 32768, 4096);

	/* Movable zone: pinned page -> migration retries; reserved -> isolation */
	b = blk(ZA_ZONE_MOVABLE);
	add(&b, 0, KPAGE_PINNED);
	rd_block_judge(&b);
	assert_int_equal(b.fail, RD_FAIL_RETRIES);
	assert_int_equal(b.blocker, KPAGE_PINNED);
	add(&b, 1, KPAGE_RESERVED);
	rd_block_judge(&b);
	assert_int_equal(b.fail, RD_FAIL_ISOLATE);
	assert_int_equal(b.blocker, KPAGE_RESERVED);

	/* PageOffline the driver keeps */
	b = blk(ZA_ZONE_MOVABLE);
	rd_block_add_page(&b, 9, KPAGE_OFFLINE, false);
	rd_block_judge(&b);
	assert_int_equal(b.verdict, RD_BLOCKED);
	assert_int_equal(b.fail, RD_FAIL_UNMOVABLE);

	/* spans zones, and offline */
	b = blk(ZA_ZONE_NONE);
	rd_block_judge(&b);
	assert_int_equal(b.fail, RD_FAIL_ZONES);
	b = blk(ZA_ZONE_NORMAL);
	b.online = false;
	rd_block_judge(&b);
	assert_int_equal(b.verdict, RD_OFFLINE);
	rd_sum_add(&s, &b, 32768, 4096);

	assert_int_equal(s.blocks[RD_READY], 1);
	assert_int_equal(s.blocks[RD_MIGRATE], 1);
	assert_int_equal(s.blocks[RD_BLOCKED], 1);
	assert_int_equal(s.blocks[RD_OFFLINE], 1);
	assert_int_equal(s.online_bytes, 3 * 32768);
	assert_int_equal(s.unpluggable_bytes, 2 * 32768);
	assert_int_equal(s.ready_bytes, 32768);
	assert_int_equal(s.migrate_bytes, 2 * 4096);
	assert_int_equal(s.pages[KPAGE_SLAB], 5);
}

/* --- the fixture tree ------------------------------------------------------- */

static const struct rd_block *find(const struct readiness *r, uint64_t id)
{
	size_t i;

	for (i = 0; i < r->nr_blocks; i++)
		if (r->blocks[i].id == id)
			return &r->blocks[i];
	fail_msg("memory%llu missing", (unsigned long long)id);
	return NULL;
}

static void test_scan_tree(void **state)
{
	struct rd_opts o = { .sysroot = tree, .balloon_compaction = 0 };
	struct readiness r;
	char err[512] = "";
	static const struct {
		int id, verdict, blocker;
	} want[] = {
		{ 0, RD_BLOCKED, -1 },		   { 1, RD_READY, -1 },
		{ 2, RD_BLOCKED, KPAGE_RESERVED }, { 3, RD_MIGRATE, -1 },
		{ 4, RD_BLOCKED, KPAGE_SLAB },	   { 5, RD_MIGRATE, -1 },
		{ 6, RD_BLOCKED, KPAGE_PINNED },   { 7, RD_OFFLINE, -1 },
		{ 8, RD_READY, -1 },		   { 9, RD_BLOCKED, KPAGE_OFFLINE },
	};
	size_t i;

	(void)state;
	readiness_init(&r);
	assert_int_equal(readiness_scan(&r, &o, err, sizeof(err)), 0);
	assert_int_equal(r.nr_blocks, 10);
	assert_int_equal(r.block_pages, 8);
	/* online blocks only: 9 of 10 */
	assert_int_equal(r.pages_scanned, 72);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct rd_block *b = find(&r, want[i].id);

		assert_int_equal(b->verdict, want[i].verdict);
		assert_int_equal(b->blocker, want[i].blocker);
	}
	assert_int_equal(find(&r, 0)->fail, RD_FAIL_ZONES);
	assert_int_equal(find(&r, 3)->migrate_pages, 5);
	assert_int_equal(find(&r, 5)->migrate_pages, 6);
	assert_int_equal(find(&r, 6)->fail, RD_FAIL_RETRIES);
	assert_int_equal(find(&r, 9)->fail, RD_FAIL_UNMOVABLE);
	assert_int_equal(find(&r, 4)->first_pfn[0], 35);
	assert_int_equal(find(&r, 4)->first_kind[1], KPAGE_PGTABLE);
	/* a flagless page blocks in Normal, not in ZONE_MOVABLE */
	assert_int_equal(find(&r, 4)->first_pfn[2], 38);
	assert_int_equal(find(&r, 4)->first_kind[2], KPAGE_UNKNOWN);
	assert_int_equal(find(&r, 8)->pages[KPAGE_UNKNOWN], 1);
	assert_int_equal(find(&r, 8)->unmovable_pages, 0);
	/* node 1: blocks 5 and 8 could go: 2 x 32 KiB */
	assert_int_equal(r.nr_nodes, 2);
	assert_int_equal(r.nodes[1].unpluggable_bytes, 2 * 32768);
	assert_int_equal(r.nodes[1].ready_bytes, 32768);
	assert_int_equal(r.nodes[0].unpluggable_bytes, 2 * 32768);
	assert_int_equal(r.total.blocks[RD_BLOCKED], 5);
	/* the DIMM (blocks 8-9): one block ready */
	assert_int_equal(r.sys.nr_devs, 1);
	assert_int_equal(r.devs[0].unpluggable_bytes, 32768);
	assert_non_null(rd_zone_find(&r, 1, ZA_ZONE_MOVABLE));
	assert_int_equal(rd_zone_find(&r, 0, ZA_ZONE_NORMAL)->sum.blocks[RD_BLOCKED], 2);
	readiness_free(&r);

	/* with balloon compaction, PageOffline outside virtio-mem migrates */
	o.balloon_compaction = 1;
	readiness_init(&r);
	assert_int_equal(readiness_scan(&r, &o, err, sizeof(err)), 0);
	assert_int_equal(find(&r, 9)->verdict, RD_MIGRATE);
	assert_int_equal(find(&r, 9)->pages[KPAGE_BALLOON], 2);
	readiness_free(&r);
}

/* --- policy rule min-unpluggable ------------------------------------------- */

static void test_policy_min_unpluggable(void **state)
{
	static const char pol[] =
		"version: 1\nrules:\n"
		"  - {name: nodes, rule: min-unpluggable, scope: node, min: 64K}\n"
		"  - {name: dimm, rule: min-unpluggable, scope: group, group: \"PNP0C80:00\", min: 64K}\n"
		"  - {name: n1, rule: min-unpluggable, scope: node, node: 1, min: 65537}\n"
		"  - {name: all, rule: min-unpluggable, min: 128K}\n"
		"  - {name: all-low, rule: min-unpluggable, min: 96K}\n";
	struct rd_opts o = { .sysroot = tree, .balloon_compaction = 0 };
	struct policy_result res;
	struct policy_state ps = { 0 };
	struct readiness r;
	struct policy p;
	char err[512] = "";
	size_t i;
	int n;

	(void)state;
	assert_int_equal(policy_parse(pol, strlen(pol), "t", &p, err, sizeof(err)), 0);
	assert_true(policy_needs_readiness(&p));
	readiness_init(&r);
	assert_int_equal(readiness_scan(&r, &o, err, sizeof(err)), 0);
	ps.za = &r.sys.st;
	ps.devs = r.sys.devs;
	ps.nr_devs = r.sys.nr_devs;
	ps.page_size = r.page_size;
	policy_result_init(&res);
	/* without a scan the rules are not evaluated, not silently passed */
	assert_int_equal(policy_evaluate(&p, &ps, &res), 0);
	for (i = 0; i < p.nr; i++)
		assert_false(res.evaluated[i]);
	ps.readiness = &r;
	n = policy_evaluate(&p, &ps, &res);
	/* nodes: 64K each, not below; dimm: 32K < 64K; n1: 64K < 65537;
	 * all: 128K < 128K no; all-low: no */
	assert_int_equal(n, 2);
	assert_string_equal(p.rules[res.v[0].rule].name, "dimm");
	assert_string_equal(res.v[0].object, "group 0 (PNP0C80:00)");
	assert_int_equal(res.v[0].actual, 32768);
	assert_string_equal(p.rules[res.v[1].rule].name, "n1");
	assert_string_equal(res.v[1].object, "node 1");
	assert_int_equal(res.v[1].limit, 65537);
	assert_non_null(strstr(res.v[1].detail, "64 KiB could be unplugged now"));
	policy_result_free(&res);
	policy_free(&p);
	readiness_free(&r);
}

static void test_policy_min_unpluggable_parse_errors(void **state)
{
	static const char *bad[] = {
		"version: 1\nrules:\n  - {rule: min-unpluggable}\n",
		"version: 1\nrules:\n  - {rule: min-unpluggable, min: 1G, group: 0}\n",
		"version: 1\nrules:\n  - {rule: min-unpluggable, min: 1G, max: 3}\n",
		"version: 1\nrules:\n  - {rule: min-unpluggable, min: lots}\n",
	};
	struct policy p;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_not_equal(policy_parse(bad[i], strlen(bad[i]), "t", &p, err, sizeof(err)),
				     0);
		assert_non_null(strstr(err, "t:"));
	}
}

/* --- readiness_main ----------------------------------------------------------- */

struct run {
	int rc;
	char *out, *err;
	size_t outlen, errlen;
};

static struct run run(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[6] = { (char *)"memhp readiness" };
	const char *args[4] = { a1, a2, a3, a4 };
	struct run r = { 0 };
	FILE *out, *err;
	int argc = 1, i;

	for (i = 0; i < 4 && args[i]; i++)
		argv[argc++] = (char *)args[i];
	out = open_memstream(&r.out, &r.outlen);
	err = open_memstream(&r.err, &r.errlen);
	r.rc = readiness_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_main_text_json_errors(void **state)
{
	struct run r;

	(void)state;
	r = run("--sysroot", tree, "--balloon-compaction", "N");
	assert_int_equal(r.rc, RD_EXIT_OK);
	assert_non_null(strstr(r.out, "memory3 "));
	assert_non_null(strstr(r.out, "needs migration of 20 KiB"));
	assert_non_null(strstr(r.out, "blocked (slab)"));
	assert_non_null(strstr(r.out, "0x23:slab 0x24:pgtable 0x26:unknown"));
	assert_non_null(strstr(r.out, "blocked (spans zones)"));
	assert_null(strstr(r.out, "memory7 ")); /* offline: only with -a */
	run_free(&r);

	r = run("-J", "--sysroot", tree, NULL);
	assert_int_equal(r.rc, RD_EXIT_OK);
	assert_non_null(strstr(r.out, "\"block\":3,\"start\":98304,\"size\":32768"));
	assert_non_null(strstr(r.out, "\"verdict\":\"migrate\",\"verdict_text\":\"needs migration of 20 KiB\""));
	/* the fixture has no debugfs: no owners, said once at the top */
	assert_non_null(strstr(r.out, "\"page_owner\":{\"available\":false,\"why\":"
				      "\"debugfs not mounted on /sys/kernel/debug\"}"));
	assert_non_null(strstr(r.out, "\"first_unmovable\":[{\"pfn\":35,\"kind\":\"slab\",\"owner\":null},"
				      "{\"pfn\":36,\"kind\":\"pgtable\",\"owner\":null},"
				      "{\"pfn\":38,\"kind\":\"unknown\",\"owner\":null}]"));
	assert_non_null(strstr(r.out, "{\"node\":1,\"blocks\":{\"offline\":1,\"ready\":1,\"migrate\":1,\"blocked\":2},"
				      "\"online_bytes\":131072,\"ready_bytes\":32768,\"unpluggable_bytes\":65536"));
	assert_string_equal(r.out + r.outlen - 2, "}\n");
	run_free(&r);

	r = run("--sysroot", "/nonexistent-memhp", NULL, NULL);
	assert_int_equal(r.rc, RD_EXIT_ERROR);
	assert_non_null(strstr(r.err, "memhp readiness: "));
	run_free(&r);

	r = run("--bogus", NULL, NULL, NULL);
	assert_int_equal(r.rc, RD_EXIT_USAGE);
	run_free(&r);
	r = run("extra", NULL, NULL, NULL);
	assert_int_equal(r.rc, RD_EXIT_USAGE);
	run_free(&r);
	r = run("--balloon-compaction", "maybe", NULL, NULL);
	assert_int_equal(r.rc, RD_EXIT_USAGE);
	run_free(&r);
	r = run("--help", NULL, NULL, NULL);
	assert_int_equal(r.rc, RD_EXIT_OK);
	assert_non_null(strstr(r.out, "--sysroot"));
	run_free(&r);
}

/*
 * page_owner on: a fixture file whose bytes at offset 35 are a 6.12
 * record for pfn 35 (pread(fd, .., pfn) is what read_page_owner() takes);
 * at offsets 36 and 38 the reader then sees the record's tail, which is
 * no record: each page gets its owner or says why it has none.
 */
static void test_main_owners(void **state)
{
	static const char rec[] =
		"Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 (kworker/0:1), "
		"ts 77 ns\nPFN 0x23 type Unmovable Block 0 type Unmovable Flags 0x200(slab)\n"
		" post_alloc_hook+0x1/0x2\n get_page_from_freelist+0x1/0x2\n"
		" __alloc_pages_noprof+0x1/0x2\n allocate_slab+0x1/0x2\n\n";
	char dir[] = "/tmp/memhp-rdo-XXXXXX", cmd[9000], p[4200];
	struct run r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/.' '%s/' && mkdir -p '%s/sys/kernel/debug' '%s/proc/self'",
		 tree, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/proc/self/mounts", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("debugfs /sys/kernel/debug debugfs rw 0 0\n", f);
	fclose(f);
	/* mounted, no page_owner, no kernel config: both possible reasons */
	r = run("-J", "--sysroot", dir, NULL);
	assert_non_null(strstr(r.out, "\"why\":\"no page_owner: CONFIG_PAGE_OWNER not set or "
				      "page_owner=on not given\"}"));
	run_free(&r);
	snprintf(p, sizeof(p), "%s/sys/kernel/debug/page_owner", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%35s%s", "", rec);
	fclose(f);
	r = run("-J", "--sysroot", dir, NULL);
	assert_int_equal(r.rc, RD_EXIT_OK);
	assert_non_null(strstr(r.out, "\"page_owner\":{\"available\":true,\"why\":null}"));
	assert_non_null(strstr(r.out, "{\"pfn\":35,\"kind\":\"slab\",\"owner\":{\"pfn\":35,\"order\":0,"
				      "\"gfp\":\"0xcc0\",\"gfp_flags\":\"GFP_KERNEL\",\"pid\":5,\"tgid\":5,"
				      "\"comm\":\"kworker/0:1\",\"ts_ns\":77,\"caller\":\"allocate_slab+0x1/0x2\"}}"));
	assert_non_null(strstr(r.out, "{\"pfn\":36,\"kind\":\"pgtable\",\"owner\":null,"
				      "\"owner_unknown\":\"page_owner record not understood\"}"));
	run_free(&r);
	r = run("--sysroot", dir, NULL, NULL);
	assert_non_null(strstr(r.out, "Owners of the first unmovable pages (page_owner):\n"));
	assert_non_null(strstr(r.out, "\n  memory4 0x24 pgtable: ? (page_owner record not understood)\n"));
	assert_non_null(strstr(r.out, "\n  memory4 0x23 slab: order 0, gfp 0xcc0, pid 5 tgid 5 (kworker/0:1), "
				      "ts 77 ns, via allocate_slab+0x1/0x2\n"));
	run_free(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* --- live: a scan kept between policy evaluations (readiness_keep) -------- */

static void test_keep_rescans_per_interval(void **state)
{
	const uint64_t slab = 1ull << KPF_BIT_SLAB;
	char dir[] = "/tmp/memhp-rdk-XXXXXX", cmd[9000], p[4200];
	const struct readiness *r1, *r2;
	uint64_t before;
	struct rd_keep k;
	bool scanned;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/.' '%s/'", tree, dir);
	assert_int_equal(system(cmd), 0);
	rd_keep_init(&k, 60);
	r1 = rd_keep_get(&k, dir, 100, &scanned);
	assert_non_null(r1);
	assert_true(scanned);
	assert_int_equal(k.scans, 1);
	before = r1->total.unpluggable_bytes;
	/* memory1 (pfns 8-15, all free: ready) gets a slab page: blocked */
	snprintf(p, sizeof(p), "%s/proc/kpageflags", dir);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &slab, 8, 8 * 8), 8);
	close(fd);
	/* within the interval: the kept scan, not a new one */
	r2 = rd_keep_get(&k, dir, 159.9, &scanned);
	assert_ptr_equal(r2, r1);
	assert_false(scanned);
	assert_int_equal(k.scans, 1);
	assert_int_equal(r2->total.unpluggable_bytes, before);
	/* the interval over: scanned again, the change seen */
	r2 = rd_keep_get(&k, dir, 160, &scanned);
	assert_true(scanned);
	assert_int_equal(k.scans, 2);
	assert_int_equal(r2->total.unpluggable_bytes, before - 32768);
	/* a clock that went back scans rather than trusting the old one */
	assert_non_null(rd_keep_get(&k, dir, 10, &scanned));
	assert_true(scanned);
	/* a scan that fails: no readiness (the rule is not evaluated), the
	 * reason kept, and no retry before the interval */
	assert_int_equal(unlink(p), 0);
	assert_null(rd_keep_get(&k, dir, 100, &scanned));
	assert_true(scanned);
	assert_int_equal(k.failures, 1);
	assert_non_null(strstr(k.error, "kpageflags"));
	assert_null(rd_keep_get(&k, dir, 159, &scanned));
	assert_false(scanned);
	assert_int_equal(k.scans, 4);
	rd_keep_free(&k);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_kinds),
		cmocka_unit_test(test_classify_thp_and_lru_batches),
		cmocka_unit_test(test_classify_pinned_heuristic),
		cmocka_unit_test(test_kind_names_and_movability),
		cmocka_unit_test_setup_teardown(test_reader_chunks, setup_tmp, NULL),
		cmocka_unit_test_setup_teardown(test_reader_bad_files, NULL, teardown_tmp),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_scan_tree),
		cmocka_unit_test(test_policy_min_unpluggable),
		cmocka_unit_test(test_policy_min_unpluggable_parse_errors),
		cmocka_unit_test(test_keep_rescans_per_interval),
		cmocka_unit_test(test_main_owners),
		cmocka_unit_test(test_main_text_json_errors),
	};

	find_tree();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
