// SPDX-License-Identifier: GPL-2.0
/* Option values: durations and sizes with the same suffixes everywhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cliopt.h"

static void test_secs(void **unused)
{
	static const struct {
		const char *in;
		double want;
	} ok[] = {
		{"30", 30},  {"1.5", 1.5}, {"1s", 1},	 {"250ms", 0.25},
		{"2m", 120}, {"1h", 3600}, {".5s", 0.5}, {"0", 0},
	};
	static const char *const bad[] = {
		"",   "s",   "-1",  "+1",    " 1",   "1 s",   "1sec",
		"1S", "inf", "nan", "1e400", "366d", "9000h", "1ms2",
	};
	double v;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(cliopt_parse_secs(ok[i].in, &v, true));
		assert_true(v > ok[i].want - 1e-9 && v < ok[i].want + 1e-9);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(cliopt_parse_secs(bad[i], &v, true));
	assert_false(cliopt_parse_secs("0", &v, false));
	assert_false(cliopt_parse_secs("0ms", &v, false));
}

static void test_size(void **unused)
{
	static const struct {
		const char *in;
		uint64_t want;
	} ok[] = {
		{"4096", 4096},
		{"1K", 1024},
		{"1KiB", 1024},
		{"1KB", 1000},
		{"1M", 1 << 20},
		{"1.5G", 3ull << 29},
		{"512MB", 512000000},
		{"512MiB", 512ull << 20},
		{"2T", 2ull << 40},
		{"0", 0},
		{"1B", 1},
	};
	static const char *const bad[] = {
		"", "M", "-1M", "1m", "1 M", "1.5", "0.1K", "1Mb", "1e30", "inf", "1MM",
	};
	uint64_t v;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(cliopt_parse_size(ok[i].in, &v));
		assert_int_equal(v, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(cliopt_parse_size(bad[i], &v));
}

static void test_ringbuf(void **unused)
{
	uint32_t v;

	(void)unused;
	assert_true(cliopt_parse_ringbuf("1M", &v));
	assert_int_equal(v, 1 << 20);
	assert_true(cliopt_parse_ringbuf("262144", &v));
	assert_true(cliopt_parse_ringbuf("0x1000", &v));
	assert_int_equal(v, 4096);
	assert_false(cliopt_parse_ringbuf("5000", &v));
	assert_false(cliopt_parse_ringbuf("2K", &v));
	assert_false(cliopt_parse_ringbuf("2G", &v));
	assert_true(cliopt_parse_ringbuf("1G", &v));
}

/* Ratios as export and top print them (3.01) or in percent (301%, 301). */
static void test_ratio(void **unused)
{
	static const struct {
		const char *in;
		uint64_t want;
	} ok[] = {
		{ "3.01", 301 }, { "301%", 301 }, { "301", 301 }, { "0.5", 50 },
		{ "1.0", 100 },  { "2.29", 229 }, { "0", 0 },	  { "0%", 0 },
		{ "100000%", 100000 },
	};
	static const char *const bad[] = {
		"", "%", "3.015", "3.5%", "-1", "+3", "3.01.1", "0x12d", "3e2",
		"301 %", "3,01", "abc", "3.01x", "1e400",
	};
	uint64_t v;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(cliopt_parse_ratio(ok[i].in, &v));
		assert_int_equal(v, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(cliopt_parse_ratio(bad[i], &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secs),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_ringbuf),
		cmocka_unit_test(test_ratio),
	};

	return cmocka_run_group_tests_name("cliopt", tests, NULL, NULL);
}
