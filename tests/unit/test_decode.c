// SPDX-License-Identifier: GPL-2.0
/* Event decoding and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "memhp.h"

static struct memhp_event good(void)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = MEMHP_EV_ONLINE;
	e.hdr.size = sizeof(e);
	e.start_pfn = 0x180000;
	e.nr_pages = 32768;
	e.nid = 0;
	e.zone_idx = 4;
	strcpy(e.zone_name, "Movable");
	strcpy(e.comm, "kworker/u4:1");
	e.flags = MEMHP_F_ZONE | MEMHP_F_GROUP | MEMHP_F_GROUP_ID | MEMHP_F_DURATION;
	e.group_id = 3;
	e.group_key = 0xffff888000001000ULL;
	e.group_pages = 262144;
	e.group_movable_pages = 32768;
	e.duration_ns = 1500000;
	return e;
}

static void test_decode_accepts_good(void **s)
{
	struct memhp_event e = good(), out;
	char why[128];

	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_memory_equal(&e, &out, sizeof(e));
}

static void test_decode_rejects(void **s)
{
	struct memhp_event e = good(), out;
	char why[128];

	assert_int_equal(decode_event(&e, 3, &out, why, sizeof(why)), -1);
	assert_int_equal(decode_event(NULL, 0, &out, why, sizeof(why)), -1);
	assert_int_equal(decode_event(&e, sizeof(e) - 1, &out, why, sizeof(why)), -1);
	e.hdr.abi = MEMHP_ABI_VERSION + 1;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ABI"));
	e = good();
	e.hdr.abi = 0;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), -1);
	e = good();
	e.hdr.kind = MEMHP_EV_KIND_MAX;
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "kind"));
	e = good();
	e.hdr.size = sizeof(e) + 8; /* claims more than the record holds */
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), -1);
}

static void test_decode_terminates_strings(void **s)
{
	struct memhp_event e = good(), out;
	char why[128];

	memset(e.comm, 'A', sizeof(e.comm));
	memset(e.zone_name, 'Z', sizeof(e.zone_name));
	memset(e.res_name, 'R', sizeof(e.res_name));
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_int_equal(strlen(out.comm), sizeof(out.comm) - 1);
	assert_int_equal(strlen(out.zone_name), sizeof(out.zone_name) - 1);
	assert_int_equal(strlen(out.res_name), sizeof(out.res_name) - 1);
}

/* decode_event_ref(): the record itself only where decode_event() would
 * copy the same bytes; its copy otherwise; NULL for what it rejects */
static void test_decode_ref(void **s)
{
	struct memhp_event e = good(), out, buf;
	const struct memhp_event *r;
	uint64_t raw[sizeof(e) / 8 + 1];
	char why[128];

	r = decode_event_ref(&e, sizeof(e), &buf, why, sizeof(why));
	assert_ptr_equal(r, &e);
	/* misaligned: a copy */
	memcpy((char *)raw + 4, &e, sizeof(e));
	r = decode_event_ref((char *)raw + 4, sizeof(e), &buf, why, sizeof(why));
	assert_ptr_equal(r, &buf);
	assert_memory_equal(r, &e, sizeof(e));
	/* unterminated strings: decode_event()'s copy, terminated */
	memset(e.comm, 'A', sizeof(e.comm));
	memset(e.zone_name, 'Z', sizeof(e.zone_name));
	memset(e.res_name, 'R', sizeof(e.res_name));
	r = decode_event_ref(&e, sizeof(e), &buf, why, sizeof(why));
	assert_ptr_equal(r, &buf);
	assert_int_equal(decode_event(&e, sizeof(e), &out, why, sizeof(why)), 0);
	assert_memory_equal(r, &out, sizeof(out));
	e = good();
	e.res_name[sizeof(e.res_name) - 1] = 'x';
	assert_ptr_equal(decode_event_ref(&e, sizeof(e), &buf, why, sizeof(why)), &buf);
	assert_int_equal(buf.res_name[sizeof(buf.res_name) - 1], 0);
	/* the same rejections */
	e = good();
	e.hdr.kind = MEMHP_EV_KIND_MAX;
	assert_null(decode_event_ref(&e, sizeof(e), &buf, why, sizeof(why)));
	assert_non_null(strstr(why, "kind"));
	e = good();
	assert_null(decode_event_ref(&e, sizeof(e) - 1, &buf, why, sizeof(why)));
	assert_null(decode_event_ref(NULL, 0, &buf, why, sizeof(why)));
}

/* The short form: lossless, read in place; never for what it would lose. */
static void test_compact(void **s)
{
	struct memhp_event e = good(), full, back;
	/* room for the whole struct: the compiler cannot know that only 256
	 * bytes are read of a short record */
	uint64_t small[sizeof(struct memhp_event) / 8];
	struct memhp_event_hdr h;
	uint64_t rec[sizeof(e) / 8];
	const struct memhp_event *r;
	char why[128];
	size_t n;

	(void)s;
	e.hdr.kind = MEMHP_EV_ONLINE;
	n = event_compact(&e, sizeof(e), small, sizeof(small));
	assert_int_equal(n, MEMHP_EVENT_SIZE_V1);
	memcpy(&h, small, sizeof(h));
	assert_int_equal(h.size, MEMHP_EVENT_SIZE_V1);
	/* in place, and the same event as the full record decodes to */
	r = decode_event_ref(small, n, &back, why, sizeof(why));
	assert_ptr_equal(r, (void *)small);
	assert_int_equal(decode_event(&e, sizeof(e), &full, why, sizeof(why)), 0);
	assert_int_equal(decode_event(small, n, &back, why, sizeof(why)), 0);
	back.hdr.size = full.hdr.size;
	assert_memory_equal(&back, &full, sizeof(full));
	assert_memory_equal((const char *)r + sizeof(r->hdr), (const char *)&full + sizeof(full.hdr),
			    MEMHP_EVENT_SIZE_V1 - sizeof(full.hdr));

	/* an offline without why fields: short too */
	e.hdr.kind = MEMHP_EV_OFFLINE;
	assert_int_equal(event_compact(&e, sizeof(e), small, sizeof(small)), MEMHP_EVENT_SIZE_V1);
	/* what would be lost stays long */
	e.flags |= MEMHP_F_WHY;
	assert_int_equal(event_compact(&e, sizeof(e), small, sizeof(small)), 0);
	e = good();
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	assert_int_equal(event_compact(&e, sizeof(e), small, sizeof(small)), 0);
	e = good();
	e.pages_migrated = 1; /* past the first layout */
	assert_int_equal(event_compact(&e, sizeof(e), small, sizeof(small)), 0);
	/* malformed or odd records are written as they are */
	e = good();
	assert_int_equal(event_compact(&e, sizeof(e) - 8, small, sizeof(small)), 0);
	e.hdr.kind = MEMHP_EV_KIND_MAX;
	assert_int_equal(event_compact(&e, sizeof(e), small, sizeof(small)), 0);
	e = good();
	assert_int_equal(event_compact(&e, sizeof(e), small, MEMHP_EVENT_SIZE_V1 - 1), 0);

	/* a 256-byte record of a why kind with the flag, or a progress one,
	 * is never served in place (its why fields would be past the end) */
	e = good();
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e.hdr.size = MEMHP_EVENT_SIZE_V1;
	memcpy(rec, &e, MEMHP_EVENT_SIZE_V1);
	r = decode_event_ref(rec, MEMHP_EVENT_SIZE_V1, &back, why, sizeof(why));
	assert_ptr_equal(r, &back);
	assert_int_equal(back.why_seen, 0);
	e.hdr.kind = MEMHP_EV_OFFLINE;
	e.flags |= MEMHP_F_WHY;
	memcpy(rec, &e, MEMHP_EVENT_SIZE_V1);
	r = decode_event_ref(rec, MEMHP_EVENT_SIZE_V1, &back, why, sizeof(why));
	assert_ptr_equal(r, &back);
}

static void test_names(void **s)
{
	char b[16];

	assert_string_equal(event_kind_name(MEMHP_EV_ONLINE), "online");
	assert_string_equal(event_kind_name(999), "unknown");
	assert_int_equal(event_kind_parse("offline"), MEMHP_EV_OFFLINE);
	assert_int_equal(event_kind_parse("bogus"), -1);
	assert_string_equal(errno_name(0, b, sizeof(b)), "ok");
	assert_string_equal(errno_name(-16, b, sizeof(b)), "EBUSY");
	assert_string_equal(errno_name(-4095, b, sizeof(b)), "-4095");
	assert_string_equal(notify_action_name(MEMHP_NOTIFY_CANCEL_OFFLINE), "cancel-offline");
	assert_string_equal(notify_action_name(1000), "unknown");
	assert_string_equal(online_type_name(3), "online_movable");
	assert_string_equal(online_type_name(-1), "-");
}

static char *capture(void (*fn)(FILE *, const struct memhp_event *, uint64_t, uint64_t,
				const struct time_conv *, const struct pgowner_note *),
		     const struct memhp_event *e)
{
	struct time_conv tc = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, e, 32768, 4096, &tc, NULL);
	fclose(f);
	return buf;
}

static void test_json(void **s)
{
	struct memhp_event e = good();
	char *j;

	strcpy(e.comm, "a\"b\\c\n");
	j = capture(event_print_json, &e);
	assert_non_null(strstr(j, "\"event\":\"online\""));
	assert_non_null(strstr(j, "\"block\":48,\"blocks\":1"));
	assert_non_null(strstr(j, "\"start_pfn\":1572864,\"nr_pages\":32768"));
	assert_non_null(strstr(j, "\"size_bytes\":134217728"));
	assert_non_null(strstr(j, "\"zone\":\"Movable\""));
	assert_non_null(strstr(j, "\"group\":{\"id\":3,\"dynamic\":false"));
	assert_non_null(strstr(j, "\"max_pages\":262144"));
	assert_non_null(strstr(j, "\"comm\":\"a\\\"b\\\\c\\u000a\""));
	assert_non_null(strstr(j, "\"duration_ns\":1500000"));
	assert_non_null(strstr(j, "\"ret\":0,\"result\":\"ok\""));
	assert_true(j[strlen(j) - 1] == '\n');
	assert_ptr_equal(strchr(j, '\n'), j + strlen(j) - 1); /* one line */
	free(j);
}

static void test_text(void **s)
{
	struct memhp_event e = good();
	char *t;

	e.nr_pages = 3 * 32768;
	e.ret = -16;
	t = capture(event_print_text, &e);
	assert_non_null(strstr(t, "online"));
	assert_non_null(strstr(t, "48-50"));
	assert_non_null(strstr(t, "0x180000-0x197fff"));
	assert_non_null(strstr(t, "384M"));
	assert_non_null(strstr(t, "Movable"));
	assert_non_null(strstr(t, "3(sta)"));
	assert_non_null(strstr(t, "EBUSY"));
	assert_non_null(strstr(t, "1.500ms"));
	free(t);
}

/* Where @col starts in @line: the number of characters before it. */
static long col_of(const char *line, const char *col)
{
	const char *p = strstr(line, col);

	return p ? p - line : -1;
}

/*
 * The EVENT column holds the longest event name, so BLOCK starts where its
 * header does for every kind, request:online_movable included (issue #15).
 */
static void test_text_columns(void **s)
{
	char *hdr = NULL, *t;
	size_t len = 0;
	FILE *f = open_memstream(&hdr, &len);
	long want;
	int k, a;

	assert_non_null(f);
	event_print_text_header(f);
	fclose(f);
	want = col_of(hdr, "BLOCK");
	assert_true(want > 0);
	for (k = 0; k < 64; k++) {
		int nvar = k == MEMHP_EV_NOTIFY ? 8 : k == MEMHP_EV_REQUEST ? 5 : 1;

		if (!strcmp(event_kind_name(k), "unknown"))
			continue;
		for (a = 0; a < nvar; a++) {
			struct memhp_event e = good();

			e.hdr.kind = k;
			e.nr_pages = 32768 * 3;
			e.notify_action = a;
			e.online_type = a < 4 ? a : 0;
			if (a == 4)
				e.flags |= MEMHP_F_REQ_OFFLINE;
			t = capture(event_print_text, &e);
			if (col_of(t, " 48-50 ") + 1 != want)
				fail_msg("kind %d/%d: BLOCK at %ld, header at %ld: %s", k, a,
					 col_of(t, " 48-50 ") + 1, want, t);
			free(t);
		}
	}
	free(hdr);
}

static void test_coverage_findings(void **s)
{
	struct memhp_event e = good();
	char *j;

	e.hdr.kind = MEMHP_EV_COVERAGE;
	strcpy(e.res_name, "hv_balloon");
	e.backed_pages = 32768;
	e.released_backed = 19456;
	e.released_uncovered = 0;
	j = capture(event_print_json, &e);
	assert_non_null(strstr(j, "\"event\":\"coverage\""));
	assert_non_null(strstr(j, "\"backed_not_onlined_pages\":13312"));
	assert_non_null(strstr(j, "\"findings\":[{\"kind\":\"backed-not-onlined\","
				  "\"severity\":\"warning\",\"pages\":13312}]"));
	free(j);
	e.released_backed = 32768;
	e.released_uncovered = 5;
	j = capture(event_print_json, &e);
	assert_non_null(strstr(j, "\"findings\":[{\"kind\":\"uncovered-online\","
				  "\"severity\":\"critical\",\"pages\":5}]"));
	free(j);
	j = capture(event_print_text, &e);
	assert_non_null(strstr(j, "CRITICAL: 5 pages released that the driver never backed"));
	free(j);
	e.released_uncovered = 0;
	j = capture(event_print_json, &e);
	assert_non_null(strstr(j, "\"findings\":[]"));
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_accepts_good),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_terminates_strings),
		cmocka_unit_test(test_decode_ref),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_columns),
		cmocka_unit_test(test_coverage_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
