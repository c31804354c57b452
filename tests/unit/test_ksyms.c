// SPDX-License-Identifier: GPL-2.0
/* Kernel symbol lookup from a kallsyms-format file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ksyms.h"

static char path[] = "/tmp/memhp-ksyms-XXXXXX";

static int setup(void **s)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "ffffffff81000000 T _stext\n"
		   "ffffffff81234560 d online_page_callback\n"
		   "ffffffff81234560 T generic_online_page\n"
		   "ffffffffc0a01230 t virtio_mem_online_page_cb\t[virtio_mem]\n"
		   "garbage line\n"
		   "\n");
	fclose(f);
	ksym_set_path(path);
	return 0;
}

static int teardown(void **s)
{
	unlink(path);
	return 0;
}

static void test_lookup(void **s)
{
	char b[96];

	assert_string_equal(ksym_name(0xffffffff81234560ULL, b, sizeof(b)), "generic_online_page");
	assert_string_equal(ksym_name(0xffffffffc0a01230ULL, b, sizeof(b)),
			    "virtio_mem_online_page_cb [virtio_mem]");
	assert_string_equal(ksym_name(0x1234, b, sizeof(b)), "0x1234");
	assert_string_equal(ksym_name(0, b, sizeof(b)), "-");
	/* cached: same answer after the file is gone */
	unlink(path);
	assert_string_equal(ksym_name(0xffffffff81234560ULL, b, sizeof(b)), "generic_online_page");
}

static void test_no_file(void **s)
{
	char b[96];

	ksym_set_path("/nonexistent/kallsyms");
	assert_string_equal(ksym_name(0xffffffff81234560ULL, b, sizeof(b)), "0xffffffff81234560");
	/* a small buffer truncates, never overflows */
	assert_int_equal(strlen(ksym_name(0xffffffff81234560ULL, b, 4)), 3);
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Read without CAP_SYSLOG, kallsyms shows every address as 0 (export's
 * HTTP thread, as nobody): that miss must not stay cached, or the name is
 * an address for good even when a root thread asks next.
 */
static void test_restricted_not_cached(void **s)
{
	char p[] = "/tmp/memhp-ksyms-r-XXXXXX", b[96];
	int fd = mkstemp(p);

	assert_true(fd >= 0);
	close(fd);
	write_file(p, "0000000000000000 t virtballoon_migratepage\t[virtio_balloon]\n"
		      "0000000000000000 T _stext\n");
	ksym_set_path(p);
	assert_string_equal(ksym_name(0xffffffffc0b00010ULL, b, sizeof(b)), "0xffffffffc0b00010");
	write_file(p, "ffffffffc0b00010 t virtballoon_migratepage\t[virtio_balloon]\n"
		      "ffffffff81000000 T _stext\n");
	assert_string_equal(ksym_name(0xffffffffc0b00010ULL, b, sizeof(b)),
			    "virtballoon_migratepage [virtio_balloon]");
	/* a miss in a file with real addresses is cached */
	assert_string_equal(ksym_name(0xffffffff8100beefULL, b, sizeof(b)), "0xffffffff8100beef");
	unlink(p);
	assert_string_equal(ksym_name(0xffffffffc0b00010ULL, b, sizeof(b)),
			    "virtballoon_migratepage [virtio_balloon]");
}

/*
 * Lines are skipped on their address alone (issue #14); any line that is
 * not plainly "HEX blank" takes the full parse, as every line did before:
 * leading blanks, a 0x prefix, upper case, tabs, a target far into the
 * file (past several 64 KiB reads).
 */
static void test_lines_read_as_before(void **s)
{
	char p[] = "/tmp/memhp-ksyms-l-XXXXXX", b[96];
	int fd = mkstemp(p), i;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 0; i < 20000; i++)
		fprintf(f, "ffffffff8%07x t filler_%d\n", i * 16, i);
	fprintf(f, " ffffffff90000010 T spaced\n"
		   "0xffffffff90000020 T prefixed\n"
		   "FFFFFFFF90000030\tT upper\n"
		   "ffffffff90000040 T\n"
		   "ffffffff90000040 T named_after_a_short_line\n"
		   "1ffffffff90000050 T seventeen_digits\n"
		   "ffffffffc0a00000 t far_away\t[some_module]\n");
	fclose(f);
	ksym_set_path(p);
	assert_string_equal(ksym_name(0xffffffff90000010ULL, b, sizeof(b)), "spaced");
	assert_string_equal(ksym_name(0xffffffff90000020ULL, b, sizeof(b)), "prefixed");
	assert_string_equal(ksym_name(0xffffffff90000030ULL, b, sizeof(b)), "upper");
	assert_string_equal(ksym_name(0xffffffff90000040ULL, b, sizeof(b)),
			    "named_after_a_short_line");
	/* sscanf's %llx saturates 17 digits to ~0, which names ~0 */
	assert_string_equal(ksym_name(~0ULL, b, sizeof(b)), "seventeen_digits");
	assert_string_equal(ksym_name(0xffffffff90000050ULL, b, sizeof(b)), "0xffffffff90000050");
	assert_string_equal(ksym_name(0xffffffffc0a00000ULL, b, sizeof(b)),
			    "far_away [some_module]");
	assert_string_equal(ksym_name(0xffffffff8004e1f0ULL, b, sizeof(b)), "filler_19999");
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_restricted_not_cached),
		cmocka_unit_test(test_lines_read_as_before),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
