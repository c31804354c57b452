// SPDX-License-Identifier: GPL-2.0
/*
 * What the loader makes of libbpf's log when an object does not load
 * (loader_log_reason()), the --require lists, and the probe tables the
 * compat check shares. The logs are libbpf 1.1's, from real loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader.h"

/* notify.bpf.c against Debian 6.12.118 (online_type became enum mmop) */
static const char core_log[] =
	"libbpf: prog 'kprobe_subsys_on': BPF program load failed: Invalid argument\n"
	"libbpf: prog 'kprobe_subsys_on': -- BEGIN PROG LOAD LOG --\n"
	"0: R1=ctx() R10=fp0\n"
	"; int BPF_KPROBE(kprobe_subsys_on, void *dev) @ notify.bpf.c:189\n"
	"0: (79) r6 = *(u64 *)(r1 +112)        ; R1=ctx() R6=scalar()\n"
	"10: (85) call bpf_probe_read_kernel#113       ; R0=scalar() fp-112=mmmmmmmm\n"
	"11: <invalid CO-RE relocation>\n"
	"failed to resolve CO-RE relocation <byte_off> [45] struct memory_block.online_type "
	"(0:2 @ offset 16)\n"
	"processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 0\n"
	"-- END PROG LOAD LOG --\n"
	"libbpf: prog 'kprobe_subsys_on': failed to load: -22\n"
	"libbpf: failed to load object 'memhp_notify'\n";

static const char verifier_log[] =
	"libbpf: prog 'fexit_add': BPF program load failed: Permission denied\n"
	"libbpf: prog 'fexit_add': -- BEGIN PROG LOAD LOG --\n"
	"0: R1=ctx() R10=fp0\n"
	"3: (61) r2 = *(u32 *)(r1 +0)\n"
	"R1 invalid mem access 'scalar'\n"
	"processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0\n"
	"-- END PROG LOAD LOG --\n"
	"libbpf: prog 'fexit_add': failed to load: -13\n";

static const char eperm_log[] =
	"libbpf: prog 'fentry_online': BPF program load failed: Operation not permitted\n"
	"libbpf: permission error while running as root; try raising 'ulimit -l'? current "
	"value: 8.0 MiB\n"
	"libbpf: prog 'fentry_online': failed to load: -1\n"
	"libbpf: failed to load object 'memhp_online'\n";

static void test_core_relocation(void **s)
{
	char prog[64], why[200];

	assert_int_equal(loader_log_reason(core_log, prog, sizeof(prog), why, sizeof(why)), 0);
	assert_string_equal(prog, "kprobe_subsys_on");
	assert_string_equal(why, "CO-RE relocation failed: struct memory_block.online_type");
}

static void test_verifier(void **s)
{
	char prog[64], why[200];

	assert_int_equal(loader_log_reason(verifier_log, prog, sizeof(prog), why, sizeof(why)),
			 0);
	assert_string_equal(prog, "fexit_add");
	assert_string_equal(why, "verifier rejected: R1 invalid mem access 'scalar'");
}

static void test_errno_only(void **s)
{
	char prog[64], why[200];

	assert_int_equal(loader_log_reason(eperm_log, prog, sizeof(prog), why, sizeof(why)), 0);
	assert_string_equal(prog, "fentry_online");
	assert_string_equal(why, "Operation not permitted");
}

static void test_failed_to_load_errno(void **s)
{
	char prog[64], why[200];

	assert_int_equal(loader_log_reason("libbpf: prog 'x': failed to load: -7\n", prog,
					   sizeof(prog), why, sizeof(why)), 0);
	assert_string_equal(prog, "x");
	assert_string_equal(why, "Argument list too long");
}

static void test_relocate_failure(void **s)
{
	char prog[64], why[200];

	assert_int_equal(loader_log_reason("libbpf: prog 'kprobe_notify': relo #3: failed to "
					   "relocate: -3\nlibbpf: failed to perform CO-RE "
					   "relocations: -3\n",
					   prog, sizeof(prog), why, sizeof(why)), 0);
	assert_string_equal(prog, "kprobe_notify");
	assert_string_equal(why, "CO-RE relocation failed: No such process");
}

static void test_nothing_named(void **s)
{
	char prog[64] = "junk", why[200];

	assert_int_equal(loader_log_reason("libbpf: map 'events': failed to create: -1\n", prog,
					   sizeof(prog), why, sizeof(why)), -1);
	assert_string_equal(prog, "");
	assert_string_equal(why, "map 'events': failed to create: -1");
	assert_int_equal(loader_log_reason("", prog, sizeof(prog), why, sizeof(why)), -1);
	assert_string_equal(why, "");
}

/* A small @why truncates, never overflows. */
static void test_truncation(void **s)
{
	char prog[8], why[16];

	assert_int_equal(loader_log_reason(core_log, prog, sizeof(prog), why, sizeof(why)), 0);
	assert_string_equal(prog, "kprobe_");
	assert_string_equal(why, "CO-RE relocatio");
}

static void test_require(void **s)
{
	char bad[64], known[1024];

	assert_int_equal(loader_require_check("core", bad, sizeof(bad)), 0);
	assert_int_equal(loader_require_check("all", bad, sizeof(bad)), 0);
	assert_int_equal(loader_require_check("memory_notify,coverage", bad, sizeof(bad)), 0);
	assert_int_equal(loader_require_check("core,online_pagez", bad, sizeof(bad)), -1);
	assert_string_equal(bad, "online_pagez");
	assert_int_equal(loader_require_check("", bad, sizeof(bad)), -1);
	/* every core probe is in the tables */
	assert_int_equal(loader_require_check(LOADER_CORE_PROBES, bad, sizeof(bad)), 0);
	loader_known_probes(known, sizeof(known));
	assert_non_null(strstr(known, "online_pages, offline_pages"));
	assert_non_null(strstr(known, "memory_subsys_online"));
}

static void test_tables(void **s)
{
	size_t i, n = loader_nr_probes();

	assert_true(n >= 18 && n <= LOADER_MAX_PROBES);
	assert_string_equal(loader_probe_name(0), "online_pages");
	assert_string_equal(loader_probe_object(0), "online");
	for (i = 0; i < n; i++)
		assert_non_null(loader_probe_object(i));
	assert_null(loader_probe_name(n));
	assert_null(loader_probe_target(0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_relocation), cmocka_unit_test(test_verifier),
		cmocka_unit_test(test_errno_only),	cmocka_unit_test(test_failed_to_load_errno),
		cmocka_unit_test(test_relocate_failure), cmocka_unit_test(test_nothing_named),
		cmocka_unit_test(test_truncation),	cmocka_unit_test(test_require),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
