// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the exporter's process_* self-metrics (user/lib/procself.c
 * and their rendering in user/lib/prom.c): /proc/PID/stat and /proc/stat
 * parsing (hostile command names, truncation, overflow), this process's real
 * values, and the families in the exposition only when asked for.
 */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "model.h"
#include "procself.h"
#include "prom.h"

/* A real 6.1 line, then the same with a command name of spaces and ')'. */
#define STAT_TAIL                                                              \
	" S 1 1234 1234 0 -1 4194560 2380 0 0 0 150 25 0 0 20 0 3 0 "       \
	"98765 95834112 1434 18446744073709551615 1 1 0 0 0 0 0 4096 17664 " \
	"0 0 0 17 1 0 0 0 0 0\n"

static void test_stat_parse(void **state)
{
	static const char plain[] = "1234 (memhp)" STAT_TAIL;
	static const char hostile[] = "1234 (a) b ) 7 8 (c)" STAT_TAIL;
	struct proc_stat_fields f;

	assert_int_equal(proc_stat_parse(plain, strlen(plain), &f), 0);
	assert_int_equal(f.utime, 150);
	assert_int_equal(f.stime, 25);
	assert_int_equal(f.starttime, 98765);
	assert_int_equal(f.vsize, 95834112);
	assert_int_equal(f.rss, 1434);
	memset(&f, 0, sizeof(f));
	assert_int_equal(proc_stat_parse(hostile, strlen(hostile), &f), 0);
	assert_int_equal(f.utime, 150);
	assert_int_equal(f.rss, 1434);
}

static void test_stat_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"1234 memhp S 1",			 /* no () */
		"1234 (memhp)",				 /* nothing after */
		"1234 (memhp)S 1 1234",			 /* no space after ) */
		"1234 (memhp) S 1 1234 1234 0 -1 4194560 2380 0 0 0 150", /* cut */
		"1234 (memhp) S 1 1234 1234 0 -1 4194560 2380 0 0 0 x 25 0 0 20 0 3 0 1 2 3\n",
		"1234 (memhp) S 1 1234 1234 0 -1 4194560 2380 0 0 0 "
		"99999999999999999999999 25 0 0 20 0 3 0 1 2 3\n", /* > 2^64 */
		"1234 (memhp) S 1 1234 1234 0 -1 4194560 2380 0 0 0 150  25 0 0 20 0 3 0 1 2 3\n",
	};
	struct proc_stat_fields f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proc_stat_parse(bad[i], strlen(bad[i]), &f), -1);
	/* the length counts, not the terminator: the plain line cut short */
	assert_int_equal(proc_stat_parse("1234 (memhp)" STAT_TAIL, 60, &f), -1);
}

static void test_btime_parse(void **state)
{
	static const char stat[] = "cpu  1 2 3\nintr 5 6 7\nbtime 1796420000\nprocesses 9\n";
	uint64_t bt = 0;

	assert_int_equal(proc_btime_parse(stat, strlen(stat), &bt), 0);
	assert_int_equal(bt, 1796420000ULL);
	assert_int_equal(proc_btime_parse("btime 12", 8, &bt), 0);
	assert_int_equal(bt, 12);
	assert_int_equal(proc_btime_parse("btime\nbtime x\nbtimes 5\n", 23, &bt), -1);
	assert_int_equal(proc_btime_parse("cpu 1\n", 6, &bt), -1);
}

/* This process, read as the exporter reads itself. */
static void test_read_self(void **state)
{
	struct proc_self ps;
	struct rlimit rl;
	double now = (double)time(NULL);
	int fd = open("/dev/null", O_RDONLY), fd2;
	uint64_t before;

	assert_true(fd >= 0);
	proc_self_read(&ps, "/proc");
	assert_true(ps.have_stat);
	assert_true(ps.rss_bytes > 0 && ps.rss_bytes <= ps.vsize_bytes);
	assert_true(ps.cpu_seconds >= 0 && ps.cpu_seconds < 600);
	/* started in the last ten minutes, not in the future (1 s rounding) */
	assert_true(ps.start_time > now - 600 && ps.start_time <= now + 1);
	assert_true(ps.have_fds);
	assert_true(ps.open_fds >= 4); /* stdin, stdout, stderr, fd */
	before = ps.open_fds;
	fd2 = dup(fd);
	proc_self_read(&ps, "/proc");
	assert_int_equal(ps.open_fds, before + 1);
	assert_true(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	assert_true(ps.have_max_fds);
	if (rl.rlim_cur != RLIM_INFINITY)
		assert_int_equal(ps.max_fds, (uint64_t)rl.rlim_cur);
	close(fd2);
	close(fd);
}

/* A proc tree without the files: nothing made up. */
static void test_read_missing(void **state)
{
	struct proc_self ps;

	proc_self_read(&ps, "/nonexistent-proc");
	assert_false(ps.have_stat);
	assert_false(ps.have_fds);
	assert_true(ps.have_max_fds); /* getrlimit, not /proc */
}

static void test_render(void **state)
{
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct proc_self ps = {
		.have_stat = true, .cpu_seconds = 1.5, .rss_bytes = 4096,
		.vsize_bytes = 8192, .start_time = 1796420000.25,
		.have_fds = true, .open_fds = 9,
		.have_max_fds = true, .max_fds = UINT64_MAX,
	};
	struct prom_buf b;

	model_init(&m);
	m.block_size = 128 << 20;
	in.model = &m;
	prom_buf_init(&b);
	assert_int_equal(prom_render(&b, &in), 0);
	assert_null(strstr(b.p, "process_"));
	prom_buf_reset(&b);
	in.self = &ps;
	assert_int_equal(prom_render(&b, &in), 0);
	assert_non_null(strstr(b.p, "# TYPE process_cpu_seconds_total counter\n"
				    "process_cpu_seconds_total 1.5\n"));
	assert_non_null(strstr(b.p, "\nprocess_resident_memory_bytes 4096\n"));
	assert_non_null(strstr(b.p, "\nprocess_virtual_memory_bytes 8192\n"));
	assert_non_null(strstr(b.p, "\nprocess_start_time_seconds 1796420000.25\n"));
	assert_non_null(strstr(b.p, "\nprocess_open_fds 9\n"));
	assert_non_null(strstr(b.p, "\nprocess_max_fds +Inf\n"));
	/* what could not be read is absent, not 0 */
	prom_buf_reset(&b);
	ps.have_fds = false;
	ps.start_time = 0;
	ps.max_fds = 1024;
	assert_int_equal(prom_render(&b, &in), 0);
	assert_null(strstr(b.p, "process_open_fds"));
	assert_null(strstr(b.p, "process_start_time_seconds"));
	assert_non_null(strstr(b.p, "\nprocess_max_fds 1024\n"));
	prom_buf_free(&b);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_parse),
		cmocka_unit_test(test_stat_parse_bad),
		cmocka_unit_test(test_btime_parse),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
