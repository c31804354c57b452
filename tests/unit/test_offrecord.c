// SPDX-License-Identifier: GPL-2.0
/*
 * The blocker kind is part of what is recorded: a live session names the
 * page an offline is stuck on (offwhy_annotate() on the readiness fixture's
 * kpageflags), memhp record stores the bytes session_ingest() hands to
 * on_raw, and replay_main() prints exactly the lines the live sink printed.
 * Files written before the kind was stored replay with kind null.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode.h"
#include "event_compact.h"
#include "kpage.h"
#include "offwhy.h"
#include "record.h"
#include "replay.h"
#include "session.h"

static char tree[4096];

static void find_tree(void)
{
	const char *src = __FILE__; /* tests/unit/test_offrecord.c */
	const char *slash = strrchr(src, '/');

	snprintf(tree, sizeof(tree), "%.*s/../data/readiness-tree", slash ? (int)(slash - src) : 1,
		 slash ? src : ".");
}

/* What the live session produced: the sink's JSON lines and on_raw's bytes. */
struct capture {
	struct rec_writer w;
	FILE *live;
	uint64_t ppb, page_size;
	struct time_conv tc;
	int raw_events;
};

static void on_raw(struct session *s, const void *data, size_t size, void *ctx)
{
	struct capture *c = ctx;
	unsigned char small[MEMHP_EVENT_SIZE_V1] __attribute__((aligned(8)));
	size_t n = event_compact(data, size, small, sizeof(small));

	(void)s;
	/* what memhp record does with them (record_cmd.c) */
	assert_int_equal(n ? rec_write(&c->w, REC_EVENT, small, (uint32_t)n)
			   : rec_write(&c->w, REC_EVENT, data, (uint32_t)size),
			 0);
	c->raw_events++;
}

static void on_event(struct session *s, const struct memhp_event *e, void *ctx)
{
	struct capture *c = ctx;

	(void)s;
	event_print_json(c->live, e, c->ppb, c->page_size, &c->tc, NULL);
}

/* A why event as the BPF side writes it: blocker_kind 0. */
static struct memhp_event why_event(unsigned int kind, int ret, uint64_t pfn, const char *report)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = (unsigned short)kind;
	e.hdr.size = sizeof(e);
	e.ts_ns = 5000000000ULL;
	e.pid = 42;
	strcpy(e.comm, "sh");
	e.start_pfn = pfn & ~7ULL; /* the fixture's blocks are 8 pages */
	e.nr_pages = 8;
	e.nid = -1;
	e.zone_idx = -1;
	e.group_id = -1;
	e.group_nid = -1;
	e.status_nid = -1;
	e.ret = ret;
	e.flags = MEMHP_F_WHY | MEMHP_F_DURATION;
	e.duration_ns = 12000000000ULL;
	e.phase = ret ? MEMHP_PHASE_ISOLATE : MEMHP_PHASE_MIGRATE;
	e.why_seen = MEMHP_SEEN_BLOCKER | (ret ? MEMHP_SEEN_ISOLATE : MEMHP_SEEN_MIGRATE);
	e.isolate_ret = ret;
	e.migrate_passes = ret ? 0 : 3;
	e.blocker_pfn = pfn;
	strcpy(e.blocker_why, report);
	return e;
}

static char *slurp_stream(FILE *f, char **buf)
{
	fclose(f);
	return *buf;
}

static void test_replay_prints_live_kind(void **state)
{
	char path[] = "/tmp/memhp-offrec-XXXXXX";
	char *live_buf = NULL, *rep_buf = NULL, *err_buf = NULL, why[256];
	size_t live_len = 0, rep_len = 0, err_len = 0;
	struct capture c = { 0 };
	struct session_opts so = { 0 };
	struct memhp_event ev[3];
	struct rec_info info;
	struct session s;
	FILE *rep, *err;
	int fd = mkstemp(path), i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	c.live = open_memstream(&live_buf, &live_len);
	so.no_trace = true;
	so.quiet = true;
	so.sysroot = tree;
	so.on_raw = on_raw;
	so.on_event = on_event;
	so.ctx = &c;
	so.err = stderr;
	assert_int_equal(session_open(&s, &so), 0);
	/* what a tracing session opens before it drops privileges */
	assert_int_equal(offwhy_pagefiles_open(&s.pages, tree), 0);
	c.ppb = model_pages_per_block(&s.model);
	c.page_size = s.model.page_size;
	c.tc = s.tc;
	rec_info_now(&info, &s.model);
	info.start_monotonic_ns = info.start_realtime_ns - s.tc.offset_ns;
	assert_int_equal(rec_writer_open(&c.w, path, &info, why, sizeof(why)), 0);
	assert_int_equal(rec_write_snapshot(&c.w, &s.model), 0);

	/* readiness-tree: pfn 35 slab, pfn 24 anonymous LRU, pfn 38 flagless */
	ev[0] = why_event(MEMHP_EV_OFFLINE, -EBUSY, 35, "unmovable page");
	ev[1] = why_event(MEMHP_EV_OFFLINE_PROGRESS, 0, 24, "migration failure");
	ev[2] = why_event(MEMHP_EV_OFFLINE, -EBUSY, 38, "unmovable page");
	for (i = 0; i < 3; i++)
		assert_int_equal(session_ingest(&s, &ev[i], sizeof(ev[i])), 0);
	assert_int_equal(c.raw_events, 3);
	assert_int_equal(rec_writer_close(&c.w), 0);
	slurp_stream(c.live, &live_buf);
	offwhy_pagefiles_close(&s.pages);
	session_close(&s);

	/* the live session named the kinds */
	assert_non_null(strstr(live_buf, "\"pfn\":35,\"report\":\"unmovable page\",\"kind\":\"slab\""));
	assert_non_null(strstr(live_buf, "\"pfn\":24,\"report\":\"migration failure\","
					 "\"kind\":\"lru-anon\""));
	assert_non_null(strstr(live_buf, "\"pfn\":38,\"report\":\"unmovable page\","
					 "\"kind\":\"unknown\""));

	/* and a replay of the file prints the same lines, byte for byte */
	rep = open_memstream(&rep_buf, &rep_len);
	err = open_memstream(&err_buf, &err_len);
	{
		char *argv[] = { "replay", path, "-J", NULL };

		assert_int_equal(replay_main(3, argv, rep, err), 0);
	}
	slurp_stream(rep, &rep_buf);
	slurp_stream(err, &err_buf);
	assert_string_equal(rep_buf, live_buf);
	free(live_buf);
	free(rep_buf);
	free(err_buf);
	unlink(path);
}

/* Without the page files (not root): no kind, live and recorded alike. */
static void test_no_pagefiles_no_kind(void **state)
{
	struct memhp_event e = why_event(MEMHP_EV_OFFLINE, -EBUSY, 35, "unmovable page");
	struct offwhy_pagefiles none = { -1, -1 }, pf;
	unsigned char out[sizeof(e)] __attribute__((aligned(8)));
	struct memhp_event back;
	char why[128];

	(void)state;
	offwhy_annotate(&e, &none);
	assert_int_equal(e.blocker_kind, 0);
	assert_int_equal(offwhy_pagefiles_open(&pf, "/nonexistent-sysroot"), -ENOENT);
	assert_int_equal(pf.flags_fd, -1);
	assert_int_equal(pf.count_fd, -1);
	/* the stored bytes carry the 0: a replay says null, as live did */
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(out)), sizeof(e));
	assert_int_equal(decode_event(out, sizeof(out), &back, why, sizeof(why)), 0);
	assert_null(offwhy_blocker_kind(&back));
}

/* What offwhy_record_bytes() leaves alone. */
static void test_record_bytes_only_why(void **state)
{
	struct memhp_event e = why_event(MEMHP_EV_OFFLINE, -EBUSY, 35, "unmovable page");
	unsigned char out[sizeof(e) + 8] __attribute__((aligned(8)));
	struct memhp_event back;
	char why[128];

	(void)state;
	e.blocker_kind = KPAGE_SLAB + 1;
	/* the kind written into the record's bytes, nothing else changed */
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(out)), sizeof(e));
	assert_int_equal(decode_event(out, sizeof(e), &back, why, sizeof(why)), 0);
	assert_memory_equal(&back, &e, sizeof(e));
	assert_string_equal(offwhy_blocker_kind(&back), "slab");
	/* an event without why fields: stored as it came */
	e.flags &= ~MEMHP_F_WHY;
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(out)), 0);
	e.flags |= MEMHP_F_WHY;
	e.hdr.kind = MEMHP_EV_ONLINE;
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(out)), 0);
	e.hdr.kind = MEMHP_EV_OFFLINE;
	/* a record of the first layout has no field for it */
	e.hdr.size = MEMHP_EVENT_SIZE_V1;
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(out)), 0);
	e.hdr.size = sizeof(e);
	/* longer than the buffer: never a partial copy */
	assert_int_equal(offwhy_record_bytes(&e, sizeof(e), &e, out, sizeof(e) - 1), 0);
}

/* A kind this memhp does not know (a later writer's): read as unknown (null). */
static void test_newer_kind_reads_null(void **state)
{
	struct memhp_event e = why_event(MEMHP_EV_OFFLINE, -EBUSY, 35, "unmovable page"), out;
	char why[128];

	(void)state;
	e.blocker_kind = KPAGE_NR_KINDS + 1;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_null(offwhy_blocker_kind(&out));
	e.blocker_kind = KPAGE_PGTABLE + 1;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_string_equal(offwhy_blocker_kind(&out), "pgtable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_prints_live_kind),
		cmocka_unit_test(test_no_pagefiles_no_kind),
		cmocka_unit_test(test_record_bytes_only_why),
		cmocka_unit_test(test_newer_kind_reads_null),
	};

	find_tree();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
