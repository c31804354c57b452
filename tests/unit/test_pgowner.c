// SPDX-License-Identifier: GPL-2.0
/*
 * A page's owner from page_owner: records in the exact form
 * print_page_owner() writes them on 6.1 and 6.12, the lookup over a fake
 * read_page_owner(), and why there is no owner on kernels without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "pgowner.h"

/*
 * 6.1 (linux-source-6.1 6.1.192, mm/page_owner.c:409 and :419):
 *   "Page allocated via order %u, mask %#x(%pGg), pid %d, tgid %d (%s), ts %llu ns, free_ts %llu ns\n"
 *   "PFN %lu type %s Block %lu type %s Flags %pGp\n"
 * then stack_depot_snprint(handle, ..., 0): " %pS\n" per frame
 * (kernel/stacktrace.c:56), "Page has been migrated, ..." when it was,
 * print_page_owner_memcg(), and "\n".
 */
static const char rec61[] =
	"Page allocated via order 0, mask 0x152cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), pid 812, "
	"tgid 812 (stress-ng), ts 52316042893 ns, free_ts 0 ns\n"
	"PFN 1081344 type Movable Block 2112 type Movable Flags "
	"0x17ffffc0080014(uptodate|lru|swapbacked|node=0|zone=2|lastcpupid=0x1fffff)\n"
	" post_alloc_hook+0x1a7/0x1f0\n"
	" get_page_from_freelist+0x5f6/0x1380\n"
	" __alloc_pages+0x1ea/0x320\n"
	" __folio_alloc+0x16/0x50\n"
	" vma_alloc_folio+0x91/0x370\n"
	" shmem_alloc_folio+0x55/0x90\n"
	" shmem_alloc_and_acct_folio+0x102/0x260\n"
	" shmem_get_folio_gfp+0x1c1/0x6e0\n"
	"Page has been migrated, last migrate reason: memory_hotplug\n"
	"\n";

/*
 * 6.12 (linux-source-6.12 6.12.118, mm/page_owner.c:553 and :563): no
 * free_ts, the pfn in hex ("PFN 0x%lx"), and the allocator's entry points
 * renamed *_noprof (allocation profiling).
 */
static const char rec612[] =
	"Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 1377, tgid 1377 (insmod), "
	"ts 98765432100 ns\n"
	"PFN 0x108001 type Unmovable Block 2112 type Movable Flags 0x17ffffc0000000(node=0|zone=2)\n"
	" post_alloc_hook+0xd5/0x100\n"
	" get_page_from_freelist+0x3e8/0x1550\n"
	" __alloc_pages_noprof+0x183/0x350\n"
	" alloc_pages_mpol_noprof+0xa2/0x1c0\n"
	" alloc_pages_noprof+0x5a/0xb0\n"
	" hold_init+0x2a/0xff0 [memhp_hold]\n"
	" do_one_initcall+0x5b/0x320\n"
	"Charged to memcg /\n"
	"\n";

static void test_parse_61(void **state)
{
	struct pgowner_rec r;

	(void)state;
	assert_int_equal(pgowner_parse(rec61, sizeof(rec61) - 1, &r), 0);
	assert_int_equal(r.pfn, 1081344);
	assert_int_equal(r.order, 0);
	assert_int_equal(r.gfp, 0x152cca);
	assert_string_equal(r.gfp_names, "GFP_HIGHUSER_MOVABLE|__GFP_COMP");
	assert_true(r.has_pid && r.has_tgid && r.has_comm && r.has_ts);
	assert_int_equal(r.pid, 812);
	assert_int_equal(r.tgid, 812);
	assert_string_equal(r.comm, "stress-ng");
	assert_int_equal(r.ts_ns, 52316042893ULL);
	/* the first frame that is not the page allocator */
	assert_string_equal(r.caller, "shmem_alloc_folio+0x55/0x90");
}

static void test_parse_612(void **state)
{
	struct pgowner_rec r;

	(void)state;
	assert_int_equal(pgowner_parse(rec612, sizeof(rec612) - 1, &r), 0);
	assert_int_equal(r.pfn, 0x108001);
	assert_int_equal(r.gfp, 0xcc0);
	assert_string_equal(r.gfp_names, "GFP_KERNEL");
	assert_int_equal(r.pid, 1377);
	assert_string_equal(r.comm, "insmod");
	assert_int_equal(r.ts_ns, 98765432100ULL);
	assert_string_equal(r.caller, "hold_init+0x2a/0xff0 [memhp_hold]");
}

/* A comm may hold spaces, parentheses and even "), ts ". */
static void test_parse_odd_comm(void **state)
{
	static const char rec[] =
		"Page allocated via order 3, mask 0(none), pid -1, tgid 7 (a), ts 1 (x), "
		"ts 42 ns\nPFN 0x10 type Movable Block 0 type Movable Flags 0x0()\n";
	struct pgowner_rec r;

	(void)state;
	assert_int_equal(pgowner_parse(rec, sizeof(rec) - 1, &r), 0);
	assert_int_equal(r.order, 3);
	assert_int_equal(r.gfp, 0);
	assert_string_equal(r.gfp_names, "none");
	assert_int_equal(r.pid, -1);
	assert_string_equal(r.comm, "a), ts 1 (x");
	assert_int_equal(r.ts_ns, 42);
	assert_string_equal(r.caller, ""); /* no stack */
}

/* Kernels before tgid/comm (5.x): "pid %d, ts %llu ns, free_ts %llu ns". */
static void test_parse_no_tgid(void **state)
{
	static const char rec[] =
		"Page allocated via order 1, mask 0x2dc2(GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO), "
		"pid 1, ts 7 ns, free_ts 0 ns\nPFN 4096 type Unmovable Block 8 type Unmovable Flags 0x0()\n"
		" __alloc_pages_node+0x1/0x2\n alloc_pages+0x1/0x2\n __vmalloc_area_node+0x1/0x2\n";
	struct pgowner_rec r;

	(void)state;
	assert_int_equal(pgowner_parse(rec, sizeof(rec) - 1, &r), 0);
	assert_true(r.has_pid);
	assert_false(r.has_tgid);
	assert_false(r.has_comm);
	assert_int_equal(r.ts_ns, 7);
	assert_string_equal(r.caller, "__vmalloc_area_node+0x1/0x2");
}

/* Every cut of a record: no PFN line, no record; the whole PFN line, the
 * record; between, either, and never a read past the end (exact-size
 * copies: ASan sees any overread). */
static void test_truncated(void **state)
{
	const char *nl1 = strchr(rec612, '\n');
	const size_t no_pfn = (size_t)(nl1 - rec612) + 1 + 4; /* up to "PFN " */
	const size_t pfn_end = (size_t)(strchr(nl1 + 1, '\n') - rec612);
	struct pgowner_rec r;
	size_t n;
	int ret;

	(void)state;
	for (n = 0; n < sizeof(rec612); n++) {
		char *copy = malloc(n ? n : 1);

		memcpy(copy, rec612, n);
		ret = pgowner_parse(copy, n, &r);
		if (n <= no_pfn)
			assert_int_equal(ret, -EINVAL);
		else if (n >= pfn_end)
			assert_int_equal(ret, 0);
		else
			assert_true(ret == 0 || ret == -EINVAL);
		if (n >= pfn_end)
			assert_int_equal(r.pfn, 0x108001);
		free(copy);
	}
	assert_int_equal(pgowner_parse(NULL, 10, &r), -EINVAL);
}

static void test_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n\n",
		"PFN 0x10 type Movable\n",
		"Page allocated via order x, mask 0x1\nPFN 1 type\n",
		"Page allocated via order 0 mask 0x1\nPFN 1 type\n",
		"Page allocated via order 0, mask zz\nPFN 1 type\n",
		"Page allocated via order 99, mask 0x1\nPFN 1 type\n",
		"Page allocated via order 0, mask 0x1(GFP\nPFN 1x type\n",
		"Page allocated via order 0, mask 0x1(GFP\nPFN -1 type\n",
		"Page allocated via order 0, mask 0x1ffffffff\nPFN 1 type\n",
	};
	struct pgowner_rec r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pgowner_parse(bad[i], strlen(bad[i]), &r), -EINVAL);
	/* NUL bytes inside: a line ends there, nothing is read past @len */
	assert_int_equal(pgowner_parse("Page allocated via order 0, mask 0x1\0junk\nPFN 5\n", 48, &r), 0);
	assert_int_equal(r.pfn, 5);
}

static void test_allocator_frames(void **state)
{
	(void)state;
	assert_true(pgowner_frame_is_allocator(" __alloc_pages+0x1/0x2", 22));
	assert_true(pgowner_frame_is_allocator("alloc_pages_mpol_noprof+0xa2/0x1c0", 34));
	assert_true(pgowner_frame_is_allocator("__folio_alloc.constprop.0+0x1/0x2", 33));
	assert_true(pgowner_frame_is_allocator("post_alloc_hook", 15));
	assert_false(pgowner_frame_is_allocator("folio_alloc_buffers+0x1/0x2", 27));
	assert_false(pgowner_frame_is_allocator("shmem_alloc_folio+0x55/0x90", 27));
	assert_false(pgowner_frame_is_allocator("", 0));
}

/*
 * read_page_owner() over a table: the record of the first entry at or
 * after the offset (a tail page of an allocation is never one).
 */
struct fake_page { uint64_t pfn; unsigned int order; };
struct fake { const struct fake_page *p; size_t n; unsigned int reads; bool garbage; };

static ssize_t fake_read(void *ctx, char *buf, size_t len, uint64_t pfn)
{
	struct fake *f = ctx;
	size_t i;
	int n;

	f->reads++;
	for (i = 0; i < f->n; i++) {
		if (f->p[i].pfn < pfn)
			continue;
		if (f->garbage)
			n = snprintf(buf, len, "PFN 0x%llx\n", (unsigned long long)f->p[i].pfn);
		else
			n = snprintf(buf, len,
				     "Page allocated via order %u, mask 0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), pid 9, tgid 9 (t), ts 5 ns\n"
				     "PFN 0x%llx type Movable Block 0 type Movable Flags 0x0()\n"
				     " get_page_from_freelist+0x1/0x2\n do_anonymous_page+0x1/0x2\n\n",
				     f->p[i].order, (unsigned long long)f->p[i].pfn);
		return n;
	}
	return 0;
}

static void test_lookup(void **state)
{
	static const struct fake_page pages[] = {
		{ 0x100, 0 }, { 0x200, 9 }, { 0x400, 0 }, { 0x408, 2 },
	};
	struct fake f = { pages, 4, 0, false };
	struct pgowner_rec r;

	(void)state;
	/* exact: one read */
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x100, &r), PGOWNER_FOUND);
	assert_int_equal(r.pfn, 0x100);
	assert_int_equal(f.reads, 1);
	assert_string_equal(r.caller, "do_anonymous_page+0x1/0x2");
	/* a tail of the order-9 THP at 0x200: found at its head */
	f.reads = 0;
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x3ff, &r), PGOWNER_FOUND);
	assert_int_equal(r.pfn, 0x200);
	assert_int_equal(r.order, 9);
	assert_true(f.reads <= 11);
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x40b, &r), PGOWNER_FOUND);
	assert_int_equal(r.pfn, 0x408);
	/* a free page between allocations: no record (not the next one's) */
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x401, &r), PGOWNER_NO_RECORD);
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x40c, &r), PGOWNER_NO_RECORD);
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x101, &r), PGOWNER_NO_RECORD);
	f.garbage = true;
	assert_int_equal(pgowner_lookup_with(fake_read, &f, 0x100, &r), PGOWNER_BAD_RECORD);
}

static ssize_t fail_read(void *ctx, char *buf, size_t len, uint64_t pfn)
{
	(void)ctx, (void)buf, (void)len, (void)pfn;
	errno = EIO;
	return -1;
}

static void test_lookup_errors(void **state)
{
	struct pgowner_src none = { -1, PGOWNER_NO_DEBUGFS };
	struct pgowner_rec r;

	(void)state;
	assert_int_equal(pgowner_lookup_with(fail_read, NULL, 1, &r), PGOWNER_READ_ERROR);
	assert_int_equal(pgowner_lookup(&none, 1, &r), PGOWNER_NO_DEBUGFS);
	assert_int_equal(pgowner_lookup(NULL, 1, &r), PGOWNER_NOT_RECORDED);
}

/* A sysroot: a mount table, an osrelease, a kernel config. */
static void put(const char *root, const char *path, const char *text)
{
	char p[512], dir[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "%s", p);
	for (s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static enum pgowner_status open_why(const char *root)
{
	struct pgowner_src s;

	pgowner_open(&s, root);
	pgowner_close(&s);
	return s.why;
}

static void test_open_reasons(void **state)
{
	char root[] = "/tmp/memhp-pgowner-XXXXXX";
	static const char mounted[] =
		"sysfs /sys sysfs rw 0 0\ndebugfs /sys/kernel/debug debugfs rw,relatime 0 0\n";

	(void)state;
	assert_non_null(mkdtemp(root));
	/* no mount table, or debugfs not in it */
	assert_int_equal(open_why(root), PGOWNER_NO_DEBUGFS);
	put(root, "/proc/self/mounts", "sysfs /sys sysfs rw 0 0\n");
	assert_int_equal(open_why(root), PGOWNER_NO_DEBUGFS);
	/* mounted, no file, no config to tell which */
	put(root, "/proc/self/mounts", mounted);
	put(root, "/sys/kernel/debug/tracing", "");
	assert_int_equal(open_why(root), PGOWNER_ABSENT);
	/* what Debian's 6.1 and 6.12 configs say */
	put(root, "/proc/sys/kernel/osrelease", "6.1.0-57-amd64\n");
	put(root, "/boot/config-6.1.0-57-amd64",
	    "CONFIG_PAGE_EXTENSION=y\n# CONFIG_PAGE_OWNER is not set\nCONFIG_PAGE_TABLE_CHECK=y\n");
	assert_int_equal(open_why(root), PGOWNER_NO_CONFIG);
	put(root, "/boot/config-6.1.0-57-amd64", "CONFIG_PAGE_OWNER_X=y\nCONFIG_PAGE_OWNER=y\n");
	assert_int_equal(open_why(root), PGOWNER_NOT_ENABLED);
	/* a release that would leave /boot: not looked at */
	put(root, "/proc/sys/kernel/osrelease", "../etc\n");
	assert_int_equal(open_why(root), PGOWNER_ABSENT);
	/* the file is there */
	put(root, "/sys/kernel/debug/page_owner", "");
	assert_int_equal(open_why(root), PGOWNER_FOUND);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

static char *capture_note(bool json, const struct pgowner_note *n, uint64_t pfn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		pgowner_note_json(f, n, pfn);
	else
		pgowner_note_text(f, n, pfn);
	fclose(f);
	return buf;
}

static void test_note_output(void **state)
{
	struct pgowner_note n = { .pfn = 0x108001, .st = PGOWNER_FOUND };
	char *s;

	(void)state;
	assert_int_equal(pgowner_parse(rec612, sizeof(rec612) - 1, &n.rec), 0);
	s = capture_note(true, &n, 0x108001);
	assert_string_equal(s, ",\"owner\":{\"pfn\":1081345,\"order\":0,\"gfp\":\"0xcc0\","
			       "\"gfp_flags\":\"GFP_KERNEL\",\"pid\":1377,\"tgid\":1377,"
			       "\"comm\":\"insmod\",\"ts_ns\":98765432100,"
			       "\"caller\":\"hold_init+0x2a/0xff0 [memhp_hold]\"}");
	free(s);
	s = capture_note(false, &n, 0x108001);
	assert_string_equal(s, "; owner: order 0, gfp 0xcc0, pid 1377 tgid 1377 (insmod), "
			       "ts 98765432100 ns, via hold_init+0x2a/0xff0 [memhp_hold]");
	free(s);
	/* a note for another page is not this page's */
	s = capture_note(true, &n, 0x108002);
	assert_string_equal(s, ",\"owner\":null,\"owner_unknown\":\"not recorded (memhp record keeps no owner)\"");
	free(s);
	/* a replay: no note */
	s = capture_note(false, NULL, 1);
	assert_string_equal(s, "; owner ? (not recorded (memhp record keeps no owner))");
	free(s);
	n.st = PGOWNER_NO_CONFIG;
	s = capture_note(true, &n, 0x108001);
	assert_string_equal(s, ",\"owner\":null,\"owner_unknown\":\"no page_owner: CONFIG_PAGE_OWNER is not set\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_61),
		cmocka_unit_test(test_parse_612),
		cmocka_unit_test(test_parse_odd_comm),
		cmocka_unit_test(test_parse_no_tgid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_allocator_frames),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_open_reasons),
		cmocka_unit_test(test_note_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
