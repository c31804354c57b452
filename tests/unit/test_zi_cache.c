// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of export's file helpers in user/lib: atomic_file_write()
 * (the textfile: whole content, replaced, no temporary left, clear errors)
 * and zi_cache (a render reads /proc/zoneinfo itself, and takes the main
 * thread's copy when it cannot).
 */
#include <dirent.h>
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

#include "atomic_file.h"
#include "zi_cache.h"

static char dir[64];

static int mkdir_tmp(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/memhp-zic.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static size_t read_all(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return (size_t)-1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static size_t entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

static void test_atomic_write(void **state)
{
	char path[128], buf[64], err[256];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	assert_int_equal(atomic_file_write(path, "a 1\n", 4, err, sizeof(err)), 0);
	assert_int_equal(read_all(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "a 1\n");
	/* replaced whole, mode 0644, no temporary file left beside it */
	assert_int_equal(atomic_file_write(path, "b 22\n", 5, err, sizeof(err)), 0);
	assert_int_equal(read_all(path, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "b 22\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(dir), 1);
	assert_int_equal(unlink(path), 0);
}

static void test_atomic_write_errors(void **state)
{
	char path[4200], err[4400]; /* the message names the path */

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-dir/m.prom", dir);
	assert_true(atomic_file_write(path, "x", 1, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot create a temporary file"));
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_true(atomic_file_write(path, "x", 1, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "path too long"));
}

static const char zoneinfo[] =
	"Node 0, zone   Normal\n"
	"  pages free     1000\n"
	"        min      10\n"
	"        low      20\n"
	"        high     30\n"
	"        spanned  262144\n"
	"        present  262144\n"
	"        managed  250000\n"
	"  start_pfn:           1048576\n";

static void test_zi_cache_fallback(void **state)
{
	char path[128];
	struct zi_cache c;
	struct zoneinfo zi;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	zi_cache_init(&c, dir, "test", stderr);
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", dir);
	assert_string_equal(c.path, path);

	/* absent: no zones from the file nor from the (empty) copy */
	zi_cache_refresh(&c, true);
	assert_int_equal(c.have, 0);
	assert_true(zi_cache_get(&c, &zi) <= 0);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(zoneinfo, f);
	fclose(f);
	c.wanted = false;
	assert_int_equal(zi_cache_get(&c, &zi), 1); /* read by the render itself */
	assert_int_equal(zi.nr, 1);
	assert_false(c.wanted);
	zoneinfo_free(&zi);

	zi_cache_refresh(&c, true);
	assert_int_equal(c.have, 1);
	assert_int_equal(unlink(path), 0);
	/* the file is gone: the main thread's copy stands in, and is wanted */
	assert_int_equal(zi_cache_get(&c, &zi), 1);
	assert_int_equal(zi.nr, 1);
	assert_int_equal(zi.zones[0].nid, 0);
	assert_true(c.wanted);
	zoneinfo_free(&zi);
	zi_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_atomic_write_errors),
		cmocka_unit_test(test_zi_cache_fallback),
	};

	return cmocka_run_group_tests(tests, mkdir_tmp, rm_tmp);
}
