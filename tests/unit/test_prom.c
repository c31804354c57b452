// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Prometheus exposition writer (user/lib/prom.c). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prom.h"
#include "zoneinfo.h"

#define BS (128ull << 20)

/*
 * A small checker of the text format, stricter than needed for these
 * outputs: every sample's family has HELP then TYPE before its samples,
 * families are not split, no series appears twice, counters end in _total,
 * histogram buckets are cumulative and end with +Inf == _count.
 * Returns the number of samples; fails the test on a violation.
 */
struct fam {
	char name[96];
	char type[16];
	bool closed;
};

static size_t check_exposition(const char *text)
{
	struct fam fams[128];
	size_t nf = 0, samples = 0, i;
	char **seen = NULL;
	size_t nseen = 0;
	const char *p = text;
	int cur = -1;
	char pending_help[96] = "";

	while (*p) {
		const char *eol = strchr(p, '\n');
		char line[4096], name[96];
		size_t len;

		assert_non_null(eol); /* every line ends with \n */
		len = (size_t)(eol - p);
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol + 1;
		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%95s", pending_help), 1);
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char type[16];

			assert_int_equal(sscanf(line + 7, "%95s %15s", name, type), 2);
			assert_string_equal(name, pending_help);
			for (i = 0; i < nf; i++)
				assert_string_not_equal(fams[i].name, name);
			if (cur >= 0)
				fams[cur].closed = true;
			assert_true(nf < 128);
			snprintf(fams[nf].name, sizeof(fams[nf].name), "%s", name);
			snprintf(fams[nf].type, sizeof(fams[nf].type), "%s", type);
			fams[nf].closed = false;
			cur = (int)nf++;
			if (!strcmp(type, "counter"))
				assert_non_null(strstr(name, "_total"));
			continue;
		}
		assert_true(line[0] != '#' && line[0] != '\0');
		/* sample: name[{labels}] value */
		len = strcspn(line, "{ ");
		assert_true(len > 0 && len < sizeof(name));
		memcpy(name, line, len);
		name[len] = '\0';
		assert_true(cur >= 0);
		if (strcmp(name, fams[cur].name)) {
			size_t fl = strlen(fams[cur].name);

			assert_string_equal(fams[cur].type, "histogram");
			assert_memory_equal(name, fams[cur].name, fl);
			assert_true(!strcmp(name + fl, "_bucket") || !strcmp(name + fl, "_sum") ||
				    !strcmp(name + fl, "_count"));
		}
		/* the value parses */
		{
			const char *v = strrchr(line, ' ');
			char *end;

			assert_non_null(v);
			if (strcmp(v + 1, "+Inf") && strcmp(v + 1, "NaN")) {
				strtod(v + 1, &end);
				assert_true(*end == '\0');
			}
			/* no duplicate series */
			for (i = 0; i < nseen; i++)
				assert_true(strncmp(seen[i], line, (size_t)(v - line)) ||
					    seen[i][v - line] != ' ');
			seen = realloc(seen, (nseen + 1) * sizeof(*seen));
			assert_non_null(seen);
			seen[nseen++] = strdup(line);
		}
		samples++;
	}
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return samples;
}

static void model_2node(struct memhp_model *m)
{
	uint64_t i;

	model_init(m);
	m->block_size = BS;
	m->sys.snapshot = true;
	m->sys.auto_movable_ratio = 301;
	strcpy(m->sys.online_policy, "auto-movable");
	strcpy(m->sys.auto_online_blocks, "online");
	strcpy(m->sys.memmap_on_memory, "N");
	for (i = 0; i < 16; i++) {
		struct memhp_block *b = model_block_get(m, i);

		assert_non_null(b);
		b->state = MEMHP_BLOCK_ONLINE;
		b->node = i < 8 ? 0 : 1;
		assert_int_equal(model_set_zones(m, b,
						 i == 0	  ? "none"
						 : i < 8  ? "DMA32"
						 : i < 12 ? "Normal"
							  : "Movable",
						 64),
				 0);
	}
	for (i = 16; i < 20; i++) {
		struct memhp_block *b = model_block_get(m, i);

		b->state = MEMHP_BLOCK_OFFLINE;
		b->node = 1;
		assert_int_equal(model_set_zones(m, b, "Movable Normal", 64), 0);
	}
}

static void test_label_escape(void **state)
{
	struct prom_buf b;

	prom_buf_init(&b);
	prom_label_value(&b, "a\\b\"c\nd", 64);
	assert_string_equal(b.p, "a\\\\b\\\"c\\nd");
	prom_buf_reset(&b);
	prom_label_value(&b, "abcdef", 3);
	assert_string_equal(b.p, "abc");
	prom_buf_free(&b);
}

/* A first reservation takes the size asked for (http.c: the last body's). */
static void test_buf_reserve(void **state)
{
	struct prom_buf b;

	prom_buf_init(&b);
	assert_true(prom_buf_reserve(&b, 100000));
	assert_int_equal(b.cap, 100001);
	prom_printf(&b, "%s", "x");
	assert_int_equal(b.len, 1);
	assert_true(prom_buf_reserve(&b, 100000));
	assert_int_equal(b.cap, 200002); /* then doubling */
	b.max = 1000;
	assert_false(prom_buf_reserve(&b, 1000));
	assert_true(b.oom);
	prom_buf_free(&b);
}

static void test_zone_labels(void **state)
{
	struct memhp_block b = { 0 };
	struct memhp_model m;
	char aaa[MEMHP_ZONES_LEN];

	model_init(&m);
	assert_string_equal(prom_zone_label("Normal"), "Normal");
	assert_string_equal(prom_zone_label("normal"), "unknown");
	assert_string_equal(prom_zone_label("Foo"), "unknown");
	assert_string_equal(prom_zone_label(NULL), "unknown");
	b.state = MEMHP_BLOCK_OFFLINE;
	assert_int_equal(model_set_zones(&m, &b, "Normal Movable", 64), 0);
	assert_string_equal(prom_block_zone(&m, &b), "none");
	b.state = MEMHP_BLOCK_ONLINE;
	assert_int_equal(model_set_zones(&m, &b, "Movable", 64), 0);
	assert_string_equal(prom_block_zone(&m, &b), "Movable");
	assert_int_equal(model_set_zones(&m, &b, "DMA32 Normal", 64), 0);
	assert_string_equal(prom_block_zone(&m, &b), "DMA32");
	assert_int_equal(model_set_zones(&m, &b, "", 64), 0);
	assert_string_equal(prom_block_zone(&m, &b), "unknown");
	memset(aaa, 'A', sizeof(aaa)); /* not terminated */
	assert_int_equal(model_set_zones(&m, &b, aaa, sizeof(aaa)), 0);
	assert_string_equal(prom_block_zone(&m, &b), "unknown");
	model_free(&m);
}

static void test_ratio_headroom(void **state)
{
	assert_true(isinf(prom_ratio(5, 0)));
	assert_true(prom_ratio(0, 0) == 0.0);
	assert_true(prom_ratio(3, 4) == 0.75);
	assert_true(prom_headroom(6, 8, 3.01) == (uint64_t)(8 * 3.01) - 6);
	assert_true(prom_headroom(100, 8, 3.01) == 0);
	assert_true(prom_headroom(1, 8, 0) == 0);
	assert_true(prom_headroom(1, 8, -1) == 0);
	assert_true(prom_headroom(0, UINT64_MAX, 1e300) == UINT64_MAX);
}

static void test_histogram(void **state)
{
	struct prom_hist h = { 0 };

	prom_hist_observe(&h, 0.001); /* le is inclusive */
	prom_hist_observe(&h, 0.0011);
	prom_hist_observe(&h, 1e9);   /* +Inf */
	prom_hist_observe(&h, -1);    /* ignored */
	prom_hist_observe(&h, NAN);   /* ignored */
	prom_hist_observe(&h, INFINITY); /* ignored */
	assert_int_equal(h.count, 3);
	assert_int_equal(h.bucket[1], 1);
	assert_int_equal(h.bucket[2], 1);
	assert_int_equal(h.bucket[PROM_NR_BUCKETS], 1);
}

/* Events (integer ns) land where prom_hist_observe(ns / 1e9) puts them. */
static void test_histogram_ns_same_buckets(void **state)
{
	struct prom_stats *st = calloc(1, sizeof(*st));
	struct memhp_event e = { 0 };
	struct prom_hist h = { 0 };
	size_t i, b;
	int d;

	assert_non_null(st);
	e.hdr.kind = MEMHP_EV_ONLINE;
	e.flags = MEMHP_F_DURATION;
	for (i = 0; i < PROM_NR_BUCKETS; i++) {
		uint64_t bound = (uint64_t)(prom_buckets[i] * 1e9 + 0.5);

		for (d = -2; d <= 2; d++) {
			e.duration_ns = bound + d;
			prom_stats_event(st, &e);
			prom_hist_observe(&h, (double)e.duration_ns / 1e9);
		}
	}
	e.duration_ns = 0;
	prom_stats_event(st, &e);
	prom_hist_observe(&h, 0);
	e.duration_ns = UINT64_MAX;
	prom_stats_event(st, &e);
	prom_hist_observe(&h, (double)UINT64_MAX / 1e9);
	for (b = 0; b <= PROM_NR_BUCKETS; b++)
		assert_int_equal(st->lat[PROM_OP_ONLINE].bucket[b], h.bucket[b]);
	assert_int_equal(st->lat[PROM_OP_ONLINE].count, h.count);
	assert_true(st->lat[PROM_OP_ONLINE].sum == h.sum);
	free(st);
}

static void test_stats_bounded(void **state)
{
	struct prom_stats *st = calloc(1, sizeof(*st));
	struct memhp_event e = { 0 };
	int i;

	e.hdr.kind = MEMHP_EV_OFFLINE;
	e.flags = MEMHP_F_DURATION;
	e.duration_ns = 2000000;
	for (i = 0; i < 100; i++) {
		e.ret = -(i % 40);
		prom_stats_event(st, &e);
	}
	assert_int_equal(st->nres[MEMHP_EV_OFFLINE], PROM_MAX_RESULTS);
	assert_true(st->other[MEMHP_EV_OFFLINE] > 0);
	assert_int_equal(st->lat[PROM_OP_OFFLINE].count, 100);
	e.hdr.kind = 0;
	prom_stats_event(st, &e); /* ignored */
	e.hdr.kind = 200;
	prom_stats_event(st, &e);
	/* online: released/held pages, never more released than onlined */
	e.hdr.kind = MEMHP_EV_ONLINE;
	e.ret = 0;
	e.flags = MEMHP_F_RELEASED;
	e.nr_pages = 32768;
	e.released_pages = 30000;
	prom_stats_event(st, &e);
	e.released_pages = 99999;
	prom_stats_event(st, &e);
	assert_int_equal(st->released_pages, 30000 + 32768);
	assert_int_equal(st->held_pages, 2768);
	free(st);
}

static void test_render_snapshot(void **state)
{
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct prom_buf b;

	model_2node(&m);
	in.model = &m;
	in.version = "9.9";
	prom_buf_init(&b);
	assert_int_equal(prom_render(&b, &in), 0);
	check_exposition(b.p);
	assert_non_null(strstr(b.p, "memhp_blocks{node=\"0\",zone=\"DMA32\",state=\"online\"} 7\n"));
	assert_non_null(strstr(b.p, "memhp_blocks{node=\"0\",zone=\"none\",state=\"online\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_blocks{node=\"1\",zone=\"none\",state=\"offline\"} 4\n"));
	assert_non_null(strstr(b.p, "memhp_blocks_bytes{node=\"1\",zone=\"Movable\",state=\"online\"} 536870912\n"));
	assert_non_null(strstr(b.p, "memhp_kernel_info{release=\"unknown\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_auto_movable_ratio 3.01\n"));
	assert_null(strstr(b.p, "memhp_events_total"));
	assert_null(strstr(b.p, "memhp_block_state{"));
	assert_null(strstr(b.p, "memhp_group_"));
	prom_buf_reset(&b);
	in.per_block = true;
	assert_int_equal(prom_render(&b, &in), 0);
	assert_int_equal(check_exposition(b.p) > 20, 1);
	assert_non_null(strstr(b.p, "memhp_block_state{block=\"19\",node=\"1\",zone=\"none\",state=\"offline\"} 1\n"));
	prom_buf_free(&b);
	model_free(&m);
}

static void test_render_live(void **state)
{
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct prom_stats *st = calloc(1, sizeof(*st));
	struct prom_probe probes[2] = { { "online_pages", "fexit", true },
					{ "balloon\"x", "", false } };
	struct memhp_event e = { 0 };
	struct zoneinfo zi;
	static const char zit[] =
		"Node 0, zone   Normal\n  pages free 1\n        spanned  100\n        present  80\n"
		"        managed  70\n  start_pfn:           4096\n"
		"Node 0, zone  Movable\n        spanned  40\n        present  40\n        managed  40\n"
		"  start_pfn:           8192\n"
		"Node 1, zone    Weird\n        spanned  1\n        present  1\n"
		"Node 1, zone   Weird2\n        spanned  1\n        present  1\n";
	struct prom_buf b;

	model_2node(&m);
	/* groups from the model: one known, one with unknown id */
	m.groups[0] = (struct memhp_group){ .key = 1, .id = 3, .nid = 1, .dynamic = false,
					    .pages = 65536, .present_kernel_pages = 0,
					    .present_movable_pages = 32768, .registered = true };
	m.groups[1] = (struct memhp_group){ .key = 2, .id = -1, .nid = 0, .dynamic = true,
					    .pages = 32768, .present_kernel_pages = 32768,
					    .present_movable_pages = 32768, .registered = true };
	m.nr_groups = 2;
	assert_int_equal(zoneinfo_parse(zit, sizeof(zit) - 1, &zi), 0);
	e.hdr.kind = MEMHP_EV_ONLINE;
	e.flags = MEMHP_F_DURATION;
	e.duration_ns = 30000000;
	prom_stats_event(st, &e);
	e.ret = -16;
	prom_stats_event(st, &e);
	/* notifier results: DONE, OK, STOP are ok; notifier_from_errno(-ENOMEM) */
	e.hdr.kind = MEMHP_EV_NOTIFY;
	e.ret = 1;
	prom_stats_event(st, &e);
	e.ret = 0;
	prom_stats_event(st, &e);
	e.ret = 0x8001;
	prom_stats_event(st, &e);
	e.ret = 0x8000 | 13;
	prom_stats_event(st, &e);
	e.ret = 0x8002; /* NOTIFY_BAD: -EPERM */
	prom_stats_event(st, &e);
	in.model = &m;
	in.zi = &zi;
	in.live = true;
	in.stats = st;
	in.probes = probes;
	in.nr_probes = 2;
	in.seen = 3;
	in.lost = 7;
	in.start_time = 1700000000.5;
	in.scrapes_valid = true;
	in.scrapes = 4;
	in.kernel_release = "6.1.0\n\"x\"";
	prom_buf_init(&b);
	assert_int_equal(prom_render(&b, &in), 0);
	check_exposition(b.p);
	assert_non_null(strstr(b.p, "memhp_events_total{event=\"online\",result=\"ok\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_events_total{event=\"online\",result=\"EBUSY\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_events_total{event=\"notify\",result=\"ok\"} 3\n"));
	assert_non_null(strstr(b.p, "memhp_events_total{event=\"notify\",result=\"ENOMEM\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_events_total{event=\"notify\",result=\"EPERM\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_events_lost_total 7\n"));
	assert_non_null(strstr(b.p, "memhp_operation_duration_seconds_bucket{op=\"online\",le=\"0.05\"} 2\n"));
	assert_non_null(strstr(b.p, "memhp_operation_duration_seconds_bucket{op=\"online\",le=\"0.025\"} 0\n"));
	assert_non_null(strstr(b.p, "memhp_operation_duration_seconds_bucket{op=\"online\",le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(b.p, "memhp_operation_duration_seconds_count{op=\"offline\"} 0\n"));
	assert_non_null(strstr(b.p, "memhp_probe_attached{probe=\"online_pages\",how=\"fexit\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_probe_attached{probe=\"balloon\\\"x\",how=\"none\"} 0\n"));
	assert_non_null(strstr(b.p, "memhp_kernel_info{release=\"6.1.0\\n\\\"x\\\"\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_group_movable_kernel_ratio{group=\"3\",node=\"1\",type=\"static\"} +Inf\n"));
	assert_non_null(strstr(b.p, "memhp_group_movable_kernel_ratio{group=\"unknown1\",node=\"0\",type=\"dynamic\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_group_headroom_bytes{group=\"3\",node=\"1\",type=\"static\"} 0\n"));
	assert_non_null(strstr(b.p, "memhp_zone_present_bytes{node=\"0\",zone=\"Normal\"} 327680\n"));
	assert_non_null(strstr(b.p, "memhp_zone_start_address_bytes{node=\"0\",zone=\"Movable\"} 33554432\n"));
	assert_non_null(strstr(b.p, "memhp_node_movable_kernel_ratio{node=\"0\"} 0.5\n"));
	/* two unknown zone names on one node: one series */
	assert_non_null(strstr(b.p, "memhp_zone_present_bytes{node=\"1\",zone=\"unknown\"} 4096\n"));
	assert_non_null(strstr(b.p, "memhp_start_time_seconds 1700000000.5\n"));
	assert_non_null(strstr(b.p, "memhp_exporter_scrapes_total 4\n"));
	prom_buf_free(&b);
	zoneinfo_free(&zi);
	model_free(&m);
	free(st);
}

static void test_render_oom(void **state)
{
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct prom_buf b;

	model_2node(&m);
	in.model = &m;
	in.per_block = true;
	prom_buf_init(&b);
	b.max = 600; /* far too small */
	assert_int_equal(prom_render(&b, &in), -ENOMEM);
	assert_true(b.oom);
	prom_buf_free(&b);
	prom_buf_init(&b);
	in.model = NULL;
	assert_int_equal(prom_render(&b, &in), -EINVAL);
	prom_buf_free(&b);
	model_free(&m);
}

/* Random models: never a crash, always a well-formed exposition. */
static void test_render_random(void **state)
{
	unsigned int seed = 12345;
	int round;

	for (round = 0; round < 200; round++) {
		struct memhp_model m;
		struct prom_input in = { 0 };
		struct prom_buf b;
		int i, nb = rand_r(&seed) % 300;

		model_init(&m);
		m.block_size = (uint64_t)(rand_r(&seed) % 4 + 1) << 27;
		m.sys.snapshot = rand_r(&seed) & 1;
		m.sys.auto_movable_ratio = rand_r(&seed) % 3 ? rand_r(&seed) % 1000 : -1;
		for (i = 0; i < nb; i++) {
			struct memhp_block *b2 = model_block_get(&m, (uint64_t)rand_r(&seed) % 5000);
			char z[MEMHP_ZONES_LEN];
			size_t k;

			assert_non_null(b2);
			b2->state = rand_r(&seed) % 5;
			b2->node = rand_r(&seed) % 6 - 1;
			for (k = 0; k < sizeof(z); k++)
				z[k] = (char)(rand_r(&seed) % 4
						      ? "DMA32 Normal Movable"[rand_r(&seed) % 20]
						      : rand_r(&seed) % 256);
			z[rand_r(&seed) % sizeof(z)] = '\0';
			assert_int_equal(model_set_zones(&m, b2, z, sizeof(z)), 0);
		}
		m.nr_groups = rand_r(&seed) % 5;
		for (i = 0; i < (int)m.nr_groups; i++) {
			m.groups[i].key = (uint64_t)i + 1;
			m.groups[i].id = rand_r(&seed) % 3 - 1;
			m.groups[i].nid = rand_r(&seed) % 3 - 1;
			m.groups[i].registered = rand_r(&seed) % 4;
			m.groups[i].present_kernel_pages = (uint64_t)rand_r(&seed) << (rand_r(&seed) % 40);
			m.groups[i].present_movable_pages = (uint64_t)rand_r(&seed) << (rand_r(&seed) % 40);
		}
		/* groups with the same unknown id would repeat a series: the
		 * writer names them by position, so they never do */
		in.model = &m;
		in.per_block = rand_r(&seed) & 1;
		in.live = rand_r(&seed) & 1;
		prom_buf_init(&b);
		assert_int_equal(prom_render(&b, &in), 0);
		check_exposition(b.p);
		prom_buf_free(&b);
		model_free(&m);
	}
}

static void test_render_findings_balloons(void **state)
{
	struct memhp_model m;
	struct prom_input in = { 0 };
	struct prom_balloon bl[1] = { { "virtio\"balloon", 76800, 76800, 191, 2 } };
	struct prom_buf b;

	model_2node(&m);
	m.uncovered_findings = 1;
	m.uncovered_pages = 19456;
	m.not_onlined_findings = 2;
	m.not_onlined_pages = 45056;
	in.model = &m;
	in.live = true;
	in.balloons = bl;
	in.nr_balloons = 1;
	prom_buf_init(&b);
	assert_int_equal(prom_render(&b, &in), 0);
	check_exposition(b.p);
	assert_non_null(strstr(b.p, "memhp_findings_total{kind=\"uncovered-online\",severity=\"critical\"} 1\n"));
	assert_non_null(strstr(b.p, "memhp_findings_total{kind=\"backed-not-onlined\",severity=\"warning\"} 2\n"));
	assert_non_null(strstr(b.p, "memhp_finding_bytes_total{kind=\"uncovered-online\"} 79691776\n"));
	assert_non_null(strstr(b.p, "memhp_balloon_bytes_total{driver=\"virtio\\\"balloon\",op=\"inflate\"} 314572800\n"));
	assert_non_null(strstr(b.p, "memhp_balloon_bytes_total{driver=\"virtio\\\"balloon\",op=\"migrate\"} 782336\n"));
	prom_buf_free(&b);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_buf_reserve),
		cmocka_unit_test(test_zone_labels),
		cmocka_unit_test(test_ratio_headroom),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_histogram_ns_same_buckets),
		cmocka_unit_test(test_stats_bounded),
		cmocka_unit_test(test_render_snapshot),
		cmocka_unit_test(test_render_live),
		cmocka_unit_test(test_render_oom),
		cmocka_unit_test(test_render_random),
		cmocka_unit_test(test_render_findings_balloons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
