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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_no_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
