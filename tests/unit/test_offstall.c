// SPDX-License-Identifier: GPL-2.0
/*
 * Offlines stuck inside one step (lib/offstall): when memhp's timer reports
 * a call BPF says nothing about, on an injected clock; the event it makes,
 * and that top's RUNNING list (offrun), the exposition's gauge (same list)
 * and the policy's offline-duration budget take it like BPF's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "offrun.h"
#include "offstall.h"
#include "offwhy.h"
#include "policy.h"

#define S 1000000000ULL
#define TID ((4242ULL << 32) | 4243ULL)

/* An offline_pages() call that entered at @ts, blocked in the notifier chain. */
static struct memhp_offline call_at(uint64_t ts)
{
	struct memhp_offline en;

	memset(&en, 0, sizeof(en));
	en.ts = ts;
	en.start_pfn = 48 * 32768ULL;
	en.nr_pages = 32768;
	en.why.phase = MEMHP_PHASE_NOTIFY;
	en.why.seen = MEMHP_SEEN_ISOLATE;
	en.why.in_chain = 1;
	return en;
}

static bool scan_one(struct offstall *st, const struct memhp_offline *en, uint64_t now)
{
	bool due;

	offstall_scan_begin(st);
	due = offstall_due(st, TID, en, now);
	offstall_scan_end(st);
	return due;
}

static void test_due_after_threshold_once_a_second(void **state)
{
	struct memhp_offline en = call_at(100 * S);
	struct offstall st;

	(void)state;
	offstall_init(&st, 3 * S, OFFSTALL_EVERY_NS);
	assert_false(scan_one(&st, &en, 100 * S));
	/* past --stuck-after, BPF gets its first interval to speak */
	assert_false(scan_one(&st, &en, 103 * S));
	assert_false(scan_one(&st, &en, 104 * S - 1));
	/* and did not: memhp reports it */
	assert_true(scan_one(&st, &en, 104 * S));
	/* reported: not again within the interval */
	assert_false(scan_one(&st, &en, 104 * S + S / 2));
	assert_true(scan_one(&st, &en, 105 * S));
	assert_true(scan_one(&st, &en, 106 * S + S / 10));
	/* a clock before the entry (never a report, never a wrap) */
	assert_false(scan_one(&st, &en, 50 * S));
	/* off: never */
	offstall_init(&st, 0, OFFSTALL_EVERY_NS);
	assert_false(scan_one(&st, &en, 1000 * S));
}

static void test_bpf_reporting_wins(void **state)
{
	struct memhp_offline en = call_at(100 * S);
	struct offstall st;

	(void)state;
	offstall_init(&st, 3 * S, OFFSTALL_EVERY_NS);
	/* BPF's progress a moment ago: the steps repeat, BPF speaks */
	en.why.last_progress = 110 * S;
	assert_false(scan_one(&st, &en, 110 * S + S / 2));
	assert_false(scan_one(&st, &en, 112 * S - 1));
	/* two intervals without one: the call is inside a step */
	assert_true(scan_one(&st, &en, 112 * S));
}

static void test_ended_calls_forgotten(void **state)
{
	struct memhp_offline en = call_at(100 * S), next = call_at(104 * S);
	struct offstall st;

	(void)state;
	offstall_init(&st, 3 * S, OFFSTALL_EVERY_NS);
	assert_true(scan_one(&st, &en, 104 * S));
	assert_int_equal(st.n, 1);
	/* a scan without it: the call returned */
	offstall_scan_begin(&st);
	offstall_scan_end(&st);
	assert_int_equal(st.n, 0);
	/* the same thread's next offline is a call of its own */
	assert_false(scan_one(&st, &next, 107 * S + S / 2));
	assert_true(scan_one(&st, &next, 108 * S));
	/* more calls than remembered: still reported (every scan) */
	offstall_init(&st, 3 * S, OFFSTALL_EVERY_NS);
	offstall_scan_begin(&st);
	for (uint64_t i = 0; i < OFFSTALL_MAX + 2; i++) {
		struct memhp_offline c = call_at(100 * S + i);

		assert_true(offstall_due(&st, TID + i, &c, 200 * S));
	}
	offstall_scan_end(&st);
	assert_int_equal(st.n, OFFSTALL_MAX);
}

static char *render(const struct memhp_event *e, bool json)
{
	struct time_conv tc = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		event_print_json(f, e, 32768, 4096, &tc, NULL);
	else
		event_print_text(f, e, 32768, 4096, &tc, NULL);
	fclose(f);
	return buf;
}

static void test_event_and_consumers(void **state)
{
	struct memhp_offline en = call_at(100 * S);
	const struct policy_block_stats *b;
	struct policy_tracker t;
	struct memhp_event e, d;
	struct offrun run = { 0 };
	char why[128], line[256];
	char *out;

	(void)state;
	offstall_event(&e, TID, &en, 112 * S, "sh", 1);
	assert_int_equal(e.hdr.kind, MEMHP_EV_OFFLINE_PROGRESS);
	assert_int_equal(e.pid, 4242);
	assert_int_equal(e.start_pfn, 48 * 32768ULL);
	assert_int_equal(e.duration_ns, 12 * S);
	assert_int_equal(e.flags, MEMHP_F_WHY | MEMHP_F_TIMER | MEMHP_F_DURATION);
	/* a valid event: decodes to itself (and so records and replays) */
	assert_int_equal(decode_event(&e, sizeof(e), &d, why, sizeof(why)), 0);
	assert_memory_equal(&d, &e, sizeof(e));
	out = render(&e, true);
	assert_non_null(strstr(out, "\"event\":\"offline-progress\""));
	assert_non_null(strstr(out, "\"phase\":\"notifier\",\"reason\":null,\"reported_by\":\"timer\""));
	assert_non_null(strstr(out, "\"duration_ns\":12000000000"));
	free(out);
	out = render(&e, false);
	assert_non_null(strstr(out, "running: notifier (inside this step: no step ended lately)"));
	free(out);
	/* BPF's own progress events say so too */
	e.flags &= ~MEMHP_F_TIMER;
	out = render(&e, true);
	assert_non_null(strstr(out, "\"reported_by\":\"bpf\""));
	free(out);
	e.flags |= MEMHP_F_TIMER;

	/* top's RUNNING list and the exposition's gauge */
	offrun_event(&run, &e);
	assert_int_equal(run.n, 1);
	assert_int_equal(offrun_elapsed_ns(&run.e[0], 112 * S), 12 * S);
	offrun_line(&run.e[0], 32768, 113 * S, line, sizeof(line));
	assert_non_null(strstr(line, "block 48"));
	assert_non_null(strstr(line, "13.0s"));
	assert_non_null(strstr(line, "notifier"));

	/* the offline-duration budget sees a running offline of 12 s */
	policy_tracker_init(&t);
	assert_int_equal(policy_track_event(&t, &e, 32768), 0);
	b = policy_tracker_find(&t, 48);
	assert_non_null(b);
	assert_true(b->offline_running);
	assert_int_equal(b->max_offline_ns, 12 * S);
	policy_tracker_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_after_threshold_once_a_second),
		cmocka_unit_test(test_bpf_reporting_wins),
		cmocka_unit_test(test_ended_calls_forgotten),
		cmocka_unit_test(test_event_and_consumers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
