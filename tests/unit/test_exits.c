// SPDX-License-Identifier: GPL-2.0
/*
 * The skipped-exit sweep, on a real BPF hash map shaped like "entries":
 * entries of exited threads go (and are counted), entries of live threads
 * stay. Needs root (BPF map creation); skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include "exits.h"
#include "memhp.h"

static int make_map(void)
{
	return bpf_map_create(BPF_MAP_TYPE_HASH, "entries", sizeof(struct memhp_entry_key), 64,
			      1024, NULL);
}

static uint64_t dead_pid_tgid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	assert_true(p > 0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return (uint64_t)p << 32 | (uint32_t)p;
}

static void put(int fd, uint64_t pid_tgid, uint64_t site)
{
	struct memhp_entry_key k = {.pid_tgid = pid_tgid, .site = site};
	char val[64] = {0};

	assert_int_equal(bpf_map_update_elem(fd, &k, val, BPF_ANY), 0);
}

static int count(int fd)
{
	struct memhp_entry_key k, *prev = NULL, next;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next) && n < 10000) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static void test_sweep_removes_only_dead_threads(void **state)
{
	uint64_t me = (uint64_t)getpid() << 32 | (uint32_t)getpid();
	uint64_t dead1 = dead_pid_tgid(), dead2 = dead_pid_tgid();
	char what[96];
	int fd = make_map();

	(void)state;
	if (fd < 0)
		skip();
	put(fd, me, SITE_ONLINE_PAGES);
	put(fd, dead1, SITE_SUBSYS_ONLINE);
	put(fd, me, SITE_NOTIFY);
	put(fd, dead2, SITE_OFFLINE_PAGES);
	assert_int_equal(exits_sweep(fd, what, sizeof(what)), 2);
	assert_int_equal(count(fd), 2);
	assert_non_null(strstr(what, ", pid "));
	assert_true(strstr(what, "memory_subsys_online") || strstr(what, "offline_pages"));
	/* Nothing left to find: a second sweep removes nothing. */
	assert_int_equal(exits_sweep(fd, what, sizeof(what)), 0);
	assert_string_equal(what, "");
	assert_int_equal(count(fd), 2);
	close(fd);
}

static void test_sweep_bad_fd_and_names(void **state)
{
	char what[8] = "x";

	(void)state;
	assert_int_equal(exits_sweep(-1, what, sizeof(what)), 0);
	assert_string_equal(what, "");
	assert_string_equal(exit_site_name(SITE_SUBSYS_ONLINE), "memory_subsys_online");
	assert_string_equal(exit_site_name(SITE_B_MIGRATE), "balloon_page_migrate");
	assert_string_equal(exit_site_name(12345), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_removes_only_dead_threads),
		cmocka_unit_test(test_sweep_bad_fd_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
