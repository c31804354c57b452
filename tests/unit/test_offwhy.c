// SPDX-License-Identifier: GPL-2.0
/* Why an offline ended: the reason from the why fields, old records, output. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clock.h"
#include "decode.h"
#include "memhp.h"
#include "model.h"
#include "offrun.h"
#include "offwhy.h"
#include "prom.h"

static struct memhp_event offline(int ret, unsigned int phase, unsigned int seen)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = MEMHP_EV_OFFLINE;
	e.hdr.size = sizeof(e);
	e.start_pfn = 0x200000;
	e.nr_pages = 32768;
	e.nid = 0;
	e.zone_idx = -1;
	e.group_id = -1;
	strcpy(e.comm, "sh");
	e.ret = ret;
	e.flags = MEMHP_F_WHY;
	e.phase = phase;
	e.why_seen = seen;
	return e;
}

/* notifier_from_errno(-ENOMEM), what memory-notifier-error-inject returns */
#define NOTIFY_ENOMEM (0x8000 | (1 + ENOMEM))

static void test_reasons(void **s)
{
	struct memhp_event e;

	e = offline(0, MEMHP_PHASE_TEST, MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY | MEMHP_SEEN_TEST);
	assert_int_equal(offwhy_reason(&e), OFFWHY_NONE);

	e = offline(-EINVAL, MEMHP_PHASE_NONE, 0);
	assert_int_equal(offwhy_reason(&e), OFFWHY_HOLES);
	assert_string_equal(offwhy_reason_name(offwhy_reason(&e)), "memory holes");

	e = offline(-EBUSY, MEMHP_PHASE_ISOLATE, MEMHP_SEEN_ISOLATE | MEMHP_SEEN_BLOCKER);
	e.isolate_ret = -EBUSY;
	assert_int_equal(offwhy_reason(&e), OFFWHY_ISOLATE);
	assert_string_equal(offwhy_reason_name(offwhy_reason(&e)), "failure to isolate range");

	e = offline(-ENOMEM, MEMHP_PHASE_NOTIFY, MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY);
	e.notify_ret = NOTIFY_ENOMEM;
	assert_int_equal(offwhy_notifier_errno(e.notify_ret), -ENOMEM);
	assert_int_equal(offwhy_reason(&e), OFFWHY_NOTIFIER);

	/* a notifier that passed (NOTIFY_OK) and a signal while migrating */
	e = offline(-EINTR, MEMHP_PHASE_MIGRATE,
		    MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY | MEMHP_SEEN_MIGRATE);
	e.notify_ret = 1;
	assert_int_equal(offwhy_reason(&e), OFFWHY_SIGNAL);

	e = offline(-EBUSY, MEMHP_PHASE_NOTIFY, MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY);
	e.notify_ret = 0; /* NOTIFY_DONE: nobody objected */
	assert_int_equal(offwhy_reason(&e), OFFWHY_UNMOVABLE);

	e = offline(-EBUSY, MEMHP_PHASE_DISSOLVE,
		    MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY | MEMHP_SEEN_DISSOLVE);
	e.dissolve_ret = -EBUSY;
	assert_int_equal(offwhy_reason(&e), OFFWHY_DISSOLVE);
	assert_string_equal(offwhy_reason_name(offwhy_reason(&e)),
			    "failure to dissolve huge pages");

	/* failed with nothing that explains it */
	e = offline(-ENOMEM, MEMHP_PHASE_NONE, 0);
	assert_int_equal(offwhy_reason(&e), OFFWHY_UNKNOWN);

	/* no why fields (an old record, or the probes not attached) */
	e = offline(-EBUSY, 0, 0);
	e.flags = 0;
	assert_int_equal(offwhy_reason(&e), OFFWHY_NONE);
}

/* A record of the first ABI layout (256 bytes): accepted, why fields zero. */
static void test_old_record(void **s)
{
	struct memhp_event e = offline(-EBUSY, MEMHP_PHASE_MIGRATE, MEMHP_SEEN_MIGRATE), out;
	/* aligned like a record file's events; room for the struct so the
	 * compiler sees no read past it */
	uint64_t rec64[sizeof(struct memhp_event) / 8];
	unsigned char *rec = (unsigned char *)rec64;
	const struct memhp_event *r;
	struct memhp_event buf;
	char why[128];

	e.flags = 0;
	e.hdr.size = MEMHP_EVENT_SIZE_V1;
	memcpy(rec, &e, MEMHP_EVENT_SIZE_V1);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(decode_event(rec, MEMHP_EVENT_SIZE_V1, &out, why, sizeof(why)), 0);
	assert_int_equal(out.ret, -EBUSY);
	assert_int_equal(out.phase, 0);
	assert_int_equal(out.why_seen, 0);
	assert_int_equal(out.blocker_pfn, 0);
	/* without MEMHP_F_WHY: read in place (event_compact.h), and nothing
	 * reads its why fields: no reason, no why in the text */
	r = decode_event_ref(rec, MEMHP_EVENT_SIZE_V1, &buf, why, sizeof(why));
	assert_ptr_equal(r, (void *)rec);
	assert_int_equal(offwhy_reason(r), OFFWHY_NONE);
	assert_null(offwhy_blocker_kind(r));
	/* with it, a copy: the why fields read as zero */
	e.flags = MEMHP_F_WHY;
	memcpy(rec, &e, MEMHP_EVENT_SIZE_V1);
	r = decode_event_ref(rec, MEMHP_EVENT_SIZE_V1, &buf, why, sizeof(why));
	assert_ptr_equal(r, &buf);
	assert_int_equal(r->migrate_passes, 0);
	/* shorter than the first layout: rejected */
	e.hdr.size = MEMHP_EVENT_SIZE_V1 - 8;
	memcpy(rec, &e, MEMHP_EVENT_SIZE_V1);
	assert_int_equal(decode_event(rec, MEMHP_EVENT_SIZE_V1, &out, why, sizeof(why)), -1);
}

/* blocker_kind is what the recording session named: a record keeps it
 * (tests/unit/test_offrecord.c records and replays it). */
static void test_kind_from_record(void **s)
{
	struct memhp_event e = offline(-EBUSY, MEMHP_PHASE_ISOLATE, MEMHP_SEEN_BLOCKER), out;
	char why[128];

	e.blocker_kind = 4;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_int_equal(out.blocker_kind, 4);
	assert_string_equal(offwhy_blocker_kind(&out), "slab");
	/* read in place: nothing to copy */
	assert_ptr_equal(decode_event_ref(&e, sizeof(e), &out, why, sizeof(why)), &e);
}

static char *render_owner(const struct memhp_event *e, bool json, const struct pgowner_note *owner)
{
	struct time_conv tc = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		event_print_json(f, e, 32768, 4096, &tc, owner);
	else
		event_print_text(f, e, 32768, 4096, &tc, owner);
	fclose(f);
	return buf;
}

/* as a replay prints: no owner lookup */
static char *render(const struct memhp_event *e, bool json)
{
	return render_owner(e, json, NULL);
}

static void test_output(void **s)
{
	struct memhp_event e = offline(-EBUSY, MEMHP_PHASE_ISOLATE,
				       MEMHP_SEEN_ISOLATE | MEMHP_SEEN_BLOCKER);
	char *out;

	e.isolate_ret = -EBUSY;
	e.blocker_pfn = 0x200123;
	strcpy(e.blocker_why, "unmovable page");
	e.blocker_kind = 3 + 1; /* KPAGE_SLAB */
	out = render(&e, true);
	assert_non_null(strstr(out, "\"reason\":\"failure to isolate range\""));
	assert_non_null(strstr(out, "\"phase\":\"isolation\""));
	/* a replay: the owner was not recorded, and says so */
	assert_non_null(strstr(out, "\"blocker\":{\"pfn\":2097443,\"report\":\"unmovable page\","
				    "\"kind\":\"slab\",\"owner\":null,\"owner_unknown\":"
				    "\"not recorded (memhp record keeps no owner)\"}"));
	assert_non_null(strstr(out, "\"notifier_callback\":null"));
	free(out);
	out = render(&e, false);
	assert_non_null(strstr(out, "why: failure to isolate range (isolation)"));
	assert_non_null(strstr(out, "blocker pfn 0x200123 slab (unmovable page); owner ? (not recorded"));
	free(out);
	/* live: the session's lookup of that page */
	{
		struct pgowner_note n = { .pfn = 0x200123, .st = PGOWNER_NO_DEBUGFS };

		out = render_owner(&e, true, &n);
		assert_non_null(strstr(out, "\"kind\":\"slab\",\"owner\":null,\"owner_unknown\":"
					    "\"debugfs not mounted on /sys/kernel/debug\"}"));
		free(out);
		n.st = PGOWNER_FOUND;
		n.rec.pfn = 0x200120;
		n.rec.order = 2;
		n.rec.gfp = 0xcc0;
		strcpy(n.rec.caller, "alloc_slab_page+0x1/0x2");
		out = render_owner(&e, true, &n);
		assert_non_null(strstr(out, "\"kind\":\"slab\",\"owner\":{\"pfn\":2097440,\"order\":2,"
					    "\"gfp\":\"0xcc0\""));
		assert_non_null(strstr(out, "\"caller\":\"alloc_slab_page+0x1/0x2\"}}"));
		free(out);
		out = render_owner(&e, false, &n);
		assert_non_null(strstr(out, "; owner: order 2, gfp 0xcc0, via alloc_slab_page+0x1/0x2"));
		free(out);
	}

	/* progress: "running", passes and the page it waits for */
	e = offline(0, MEMHP_PHASE_MIGRATE, MEMHP_SEEN_MIGRATE | MEMHP_SEEN_BLOCKER);
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e.migrate_passes = 40;
	e.pages_migrated = 12;
	e.pages_failed = 40;
	e.blocker_pfn = 0x200001;
	strcpy(e.blocker_why, "migration failure");
	out = render(&e, true);
	assert_non_null(strstr(out, "\"event\":\"offline-progress\""));
	assert_non_null(strstr(out, "\"result\":\"running\""));
	assert_non_null(strstr(out, "\"reason\":null"));
	assert_non_null(strstr(out, "\"migrate_passes\":40,\"pages_migrated\":12,\"pages_failed\":40"));
	free(out);
	out = render(&e, false);
	assert_non_null(strstr(out, "running: migration; 40 migration passes"));
	free(out);

	/* a veto: the callback the chain ran last, by name when it resolves */
	e = offline(-ENOMEM, MEMHP_PHASE_NOTIFY,
		    MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY | MEMHP_SEEN_NOTIFIER);
	e.notify_ret = NOTIFY_ENOMEM;
	e.notifier_cb = 0x1234;
	out = render(&e, true);
	assert_non_null(strstr(out, "\"reason\":\"notifier failure\""));
	assert_null(strstr(out, "\"notifier_callback\":null"));
	free(out);
	/* the chain passed: the last callback run is no vetoer */
	e.ret = -EBUSY;
	e.notify_ret = 1;
	out = render(&e, true);
	assert_non_null(strstr(out, "\"notifier_callback\":null"));
	free(out);

	/* a successful offline prints no why in text; what it took, if it migrated */
	e = offline(0, MEMHP_PHASE_TEST, MEMHP_SEEN_TEST);
	out = render(&e, false);
	assert_null(strstr(out, "why:"));
	assert_null(strstr(out, "done:"));
	free(out);
	e.why_seen |= MEMHP_SEEN_MIGRATE;
	e.migrate_passes = 654;
	e.pages_migrated = 13400;
	e.pages_failed = 654;
	out = render(&e, false);
	assert_non_null(strstr(out, "done: 654 migration passes, 13400 migrated, 654 failed"));
	free(out);
}

static void test_running(void **s)
{
	struct memhp_event e = offline(0, MEMHP_PHASE_MIGRATE, MEMHP_SEEN_MIGRATE | MEMHP_SEEN_BLOCKER);
	struct offrun r;
	char line[256];

	memset(&r, 0, sizeof(r));
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e.pid = 7;
	e.ts_ns = 100ULL * 1000000000ULL;
	e.flags |= MEMHP_F_DURATION;
	e.duration_ns = 12ULL * 1000000000ULL;
	e.migrate_passes = 3;
	e.blocker_pfn = 0x200005;
	strcpy(e.blocker_why, "migration failure");
	e.blocker_kind = 1 + 1; /* KPAGE_LRU_ANON */
	offrun_event(&r, &e);
	offrun_event(&r, &e); /* the same offline again: updated, not added */
	assert_int_equal(r.n, 1);
	/* 2 s after the event: 14 s */
	offrun_line(&r.e[0], 32768, e.ts_ns + 2000000000ULL, line, sizeof(line));
	assert_non_null(strstr(line, "block 64"));
	assert_non_null(strstr(line, "14.0s"));
	assert_non_null(strstr(line, "stuck on pfn 0x200005 lru-anon (migration failure)"));
	/* another task's offline of another block */
	e.pid = 8;
	e.start_pfn += 32768;
	offrun_event(&r, &e);
	assert_int_equal(r.n, 2);
	/* the offline event ends the first */
	e = offline(0, MEMHP_PHASE_TEST, 0);
	e.pid = 7;
	offrun_event(&r, &e);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.e[0].pid, 8);
	/* no progress for longer than OFFRUN_STALE_NS: its end was lost */
	offrun_expire(&r, 100ULL * 1000000000ULL + OFFRUN_STALE_NS + 1);
	assert_int_equal(r.n, 0);
}

static void test_metrics(void **s)
{
	struct prom_stats *st = calloc(1, sizeof(*st));
	struct memhp_event e = offline(-ENOMEM, MEMHP_PHASE_NOTIFY,
				       MEMHP_SEEN_ISOLATE | MEMHP_SEEN_NOTIFY);
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct prom_buf b;

	assert_non_null(st);
	e.notify_ret = NOTIFY_ENOMEM;
	prom_stats_event(st, &e);
	e = offline(-EBUSY, MEMHP_PHASE_ISOLATE, MEMHP_SEEN_ISOLATE);
	e.isolate_ret = -EBUSY;
	prom_stats_event(st, &e);
	prom_stats_event(st, &e);
	e = offline(0, MEMHP_PHASE_MIGRATE, MEMHP_SEEN_MIGRATE);
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e.start_pfn = 64 * 32768;
	e.ts_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	e.flags |= MEMHP_F_DURATION;
	e.duration_ns = 11ULL * 1000000000ULL;
	prom_stats_event(st, &e);
	model_init(&m);
	m.block_size = 32768ULL * 4096;
	m.page_size = 4096;
	in.model = &m;
	in.stats = st;
	in.live = true;
	prom_buf_init(&b);
	assert_int_equal(prom_render(&b, &in), 0);
	assert_non_null(strstr(b.p, "memhp_offline_failures_total{reason=\"notifier\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_offline_failures_total{reason=\"isolate_range\"} 2\n"));
	assert_non_null(strstr(b.p, "memhp_offline_running 1\n"));
	assert_non_null(strstr(b.p, "memhp_offline_running_seconds{block=\"64\"} 11"));
	/* progress is a state, not an event result */
	assert_null(strstr(b.p, "event=\"offline-progress\""));
	prom_buf_free(&b);
	model_free(&m);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_old_record),
		cmocka_unit_test(test_kind_from_record),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
