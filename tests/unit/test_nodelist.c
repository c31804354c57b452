// SPDX-License-Identifier: GPL-2.0
/* The kernel's node lists (lib/nodelist.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "nodelist.h"

static void test_contains(void **s)
{
	assert_int_equal(nodelist_contains("0\n", 0), 1);
	assert_int_equal(nodelist_contains("0\n", 1), 0);
	assert_int_equal(nodelist_contains("0-3,8\n", 2), 1);
	assert_int_equal(nodelist_contains("0-3,8", 8), 1);
	assert_int_equal(nodelist_contains("0-3,8", 5), 0);
	assert_int_equal(nodelist_contains("", 0), 0);
	assert_int_equal(nodelist_contains("3-1", 2), -EINVAL);
	assert_int_equal(nodelist_contains("0-", 0), -EINVAL);
	assert_int_equal(nodelist_contains("a", 0), -EINVAL);
	assert_int_equal(nodelist_contains("0 1", 0), -EINVAL);
	assert_int_equal(nodelist_contains("99999999999", 0), -EINVAL);
}

static void test_possible(void **s)
{
	char dir[] = "/tmp/memhp-nodelist-XXXXXX", path[256], list[64];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	/* no file: the kernel does not say */
	assert_true(node_possible(dir, 0, list, sizeof(list)) < 0);
	snprintf(path, sizeof(path), "%s/sys", dir);
	mkdir(path, 0755);
	strcat(path, "/devices");
	mkdir(path, 0755);
	strcat(path, "/system");
	mkdir(path, 0755);
	strcat(path, "/node");
	mkdir(path, 0755);
	strcat(path, "/possible");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0-1\n", f);
	fclose(f);
	assert_int_equal(node_possible(dir, 1, list, sizeof(list)), 1);
	assert_int_equal(node_possible(dir, 7, list, sizeof(list)), 0);
	assert_string_equal(list, "0-1");
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_possible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
