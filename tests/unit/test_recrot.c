// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded recordings (lib/record_rotate, lib/recset, lib/diskfree): part
 * names, parts by size, --max-files pruning, the free-space floor (statvfs
 * injected), a write error cutting the file back to its last whole
 * record, and replay_main() reading a rotated set as one stream, in part
 * order whatever order it is given, refusing mixed sets.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "diskfree.h"
#include "memhp.h"
#include "model.h"
#include "record.h"
#include "record_rotate.h"
#include "recset.h"
#include "replay.h"

#define PPB 32768ull /* 128 MiB blocks of 4 KiB pages */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_recrot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static bool exists(const char *name)
{
	char p[256];

	path_of(p, sizeof(p), name);
	return !access(p, F_OK);
}

static size_t count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A model of 8 online boot blocks, as a session's first snapshot. */
static void boot_model(struct memhp_model *m)
{
	model_init(m);
	m->block_size = PPB * 4096;
	m->page_size = 4096;
	for (uint64_t i = 0; i < 8; i++) {
		struct memhp_block *b = model_block_get(m, i);

		assert_non_null(b);
		b->state = MEMHP_BLOCK_ONLINE;
		b->node = 0;
		assert_int_equal(model_set_zones(m, b, "Normal", 6), 0);
	}
}

/* Event @i: online of block 8 + i % 8 (decodes, applies, prints). */
static void make_event(struct memhp_event *e, unsigned int i)
{
	memset(e, 0, sizeof(*e));
	e->hdr.abi = MEMHP_ABI_VERSION;
	e->hdr.kind = i % 2 ? MEMHP_EV_OFFLINE : MEMHP_EV_ONLINE;
	e->hdr.size = sizeof(*e);
	e->ts_ns = 1000000000ull + i * 1000ull;
	e->pid = 100 + i;
	e->start_pfn = (8 + (i / 2) % 8) * PPB;
	e->nr_pages = PPB;
	e->nid = 0;
	e->zone_idx = 3;
	e->group_id = -1;
	snprintf(e->comm, sizeof(e->comm), "test");
	snprintf(e->zone_name, sizeof(e->zone_name), "Movable");
}

/* Taken once: every recording of this process carries the same clock
 * anchor, so two recordings of the same events replay byte-identical (the
 * anchor is two clock reads; taken twice, the microseconds between them
 * differ, and so did the "time" of test_replay_set's two recordings). */
static const struct rec_info *info_of(const struct memhp_model *m)
{
	static struct rec_info info;
	static int taken;

	if (!taken)
		rec_info_now(&info, m);
	taken = 1;
	return &info;
}

/* Write @n events through a rotor with @o (base @name in dir). */
static int write_events(struct rec_rotor *r, struct rot_opts *o, const char *name,
			unsigned int n)
{
	static char base[256];
	struct memhp_model m;
	struct memhp_event e;
	int ret = 0;

	path_of(base, sizeof(base), name);
	o->base = base;
	o->prog = "test";
	boot_model(&m);
	ret = rot_open(r, o, info_of(&m), &m);
	for (unsigned int i = 0; i < n && !ret; i++) {
		make_event(&e, i);
		ret = rot_event(r, &e, sizeof(e), &m);
		if (!ret)
			model_apply_event(&m, &e);
		if (!ret && i % 16 == 15)
			ret = rot_flush(r);
	}
	if (r->open) {
		int cret = rot_close(r);

		if (!ret)
			ret = cret;
	}
	model_free(&m);
	return ret;
}

/* Read a file: its header and the number of events; torn must stay false. */
static uint64_t read_events(const char *path, struct rec_info *info, enum rec_type *first)
{
	struct rec_file f;
	struct rec_reader rd;
	struct rec_record rec;
	char err[256];
	uint64_t events = 0;
	int n;

	assert_int_equal(rec_file_open(&f, path, err, sizeof(err)), 0);
	assert_int_equal(rec_reader_init(&rd, f.map, f.size, err, sizeof(err)), 0);
	*info = rd.info;
	*first = 0;
	while ((n = rec_next(&rd, &rec, err, sizeof(err))) > 0) {
		if (!*first)
			*first = rec.type;
		events += rec.type == REC_EVENT;
	}
	assert_int_equal(n, 0);
	assert_false(rd.torn);
	rec_file_close(&f);
	return events;
}

static void test_part_names(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(recset_part_name(buf, sizeof(buf), "hp.rec", 1), 0);
	assert_string_equal(buf, "hp.rec.000001");
	assert_int_equal(recset_part_name(buf, sizeof(buf), "hp.rec", 1234567), 0);
	assert_string_equal(buf, "hp.rec.1234567");
	assert_int_equal(recset_part_name(buf, 10, "hp.rec", 1), -1);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.000001"), 1);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.000042"), 42);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.1234567"), 1234567);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.4294967295"), 4294967295u);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.4294967296"), 0); /* > u32 */
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.00001"), 0);	     /* 5 digits */
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.000000"), 0);     /* no part 0 */
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.00000a"), 0);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec.000001.tmp"), 0);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec"), 0);
	assert_int_equal(recset_part_of("hp.rec", "hp.rec000001"), 0);
	assert_int_equal(recset_part_of("hp.rec", "xhp.rec.000001"), 0);
	assert_int_equal(recset_part_of("hp", "hp.rec.000001"), 0);
}

static void test_list_sorted(void **state)
{
	static const char *const names[] = { "s.rec.000010", "s.rec.000002", "s.rec.000009",
					      "s.rec", "s.rec.x", "t.rec.000001" };
	struct recset_file *v;
	char p[256], err[256];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;

		path_of(p, sizeof(p), names[i]);
		f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
	path_of(p, sizeof(p), "s.rec");
	assert_int_equal(recset_list(p, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].part, 2);
	assert_int_equal(v[1].part, 9);
	assert_int_equal(v[2].part, 10);
	path_of(p, sizeof(p), "s.rec.000010");
	assert_string_equal(v[2].path, p);
	recset_free(v, n);
	path_of(p, sizeof(p), "none.rec");
	assert_int_equal(recset_list(p, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_not_equal(recset_list("/nonexistent-dir/x.rec", &v, &n, err, sizeof(err)), 0);
}

/* Parts by size: every part within the limit, a snapshot first, all
 * events there, one session, parts numbered 1.. */
static void test_rotate_by_size(void **state)
{
	struct rot_opts o = { .max_size = ROT_MIN_SIZE };
	struct rec_rotor r;
	uint64_t total = 0, session = 0;
	uint32_t p;

	(void)state;
	assert_int_equal(write_events(&r, &o, "size.rec", 400), 0);
	assert_true(r.part > 3);
	assert_false(exists("size.rec"));
	for (p = 1; p <= r.part; p++) {
		char name[64], path[256];
		struct rec_info info;
		enum rec_type first;
		struct stat st;

		snprintf(name, sizeof(name), "size.rec.%06u", p);
		path_of(path, sizeof(path), name);
		assert_int_equal(stat(path, &st), 0);
		assert_true((uint64_t)st.st_size <= ROT_MIN_SIZE);
		total += read_events(path, &info, &first);
		assert_int_equal(first, REC_SNAPSHOT);
		assert_int_equal(info.part, p);
		assert_int_not_equal(info.session, 0);
		if (p == 1)
			session = info.session;
		assert_true(info.session == session);
	}
	assert_int_equal(total, 400);
	assert_int_equal(rot_events(&r), 400);
}

/* The injected clock: what a loaded host's scheduler cannot disturb. */
static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

/* Parts by age: a part is closed at the first event after rotate_ns. */
static void test_rotate_by_time(void **state)
{
	struct rot_opts o = { .rotate_ns = 200000000 }; /* 200 ms */
	struct memhp_model m;
	struct memhp_event e;
	struct rec_rotor r;
	struct rec_info info;
	enum rec_type first;
	char base[256], p[256];
	int64_t (*real_clock)(void) = rot_clock;
	unsigned int i;

	(void)state;
	path_of(base, sizeof(base), "time.rec");
	o.base = base;
	boot_model(&m);
	rot_clock = fake_clock;
	fake_now = 1000000000;
	assert_int_equal(rot_open(&r, &o, info_of(&m), &m), 0);
	for (i = 0; i < 9; i++) {
		/* 1 ms apart; 300 ms idle before events 3 and 4: no part
		 * without an event, so one part for event 3 alone */
		fake_now += i == 3 || i == 4 ? 300000000 : 1000000;
		make_event(&e, i);
		assert_int_equal(rot_event(&r, &e, sizeof(e), &m), 0);
	}
	rot_clock = real_clock;
	assert_int_equal(rot_close(&r), 0);
	model_free(&m);
	/* events 0-2, then 3 (after a pause), then 4-8 */
	assert_int_equal(r.part, 3);
	path_of(p, sizeof(p), "time.rec.000001");
	assert_int_equal(read_events(p, &info, &first), 3);
	path_of(p, sizeof(p), "time.rec.000002");
	assert_int_equal(read_events(p, &info, &first), 1);
	path_of(p, sizeof(p), "time.rec.000003");
	assert_int_equal(read_events(p, &info, &first), 5);
	assert_int_equal(info.part, 3);
}

/* Without rotation options: one file, part 0, as before. */
static void test_single_file(void **state)
{
	struct rot_opts o = { 0 };
	struct rec_rotor r;
	struct rec_info info;
	enum rec_type first;
	char path[256];

	(void)state;
	assert_int_equal(write_events(&r, &o, "one.rec", 100), 0);
	path_of(path, sizeof(path), "one.rec");
	assert_int_equal(read_events(path, &info, &first), 100);
	assert_int_equal(info.part, 0);
	assert_true(info.session == 0);
	assert_int_equal(count_files(), 1);
}

/* --max-files 3: the newest three parts stay; stale parts of an earlier
 * recording under the same name are removed at the start. */
static void test_max_files(void **state)
{
	struct rot_opts o = { .max_size = ROT_MIN_SIZE, .max_files = 3 };
	struct rec_rotor r;
	FILE *f;
	char p[256];

	(void)state;
	path_of(p, sizeof(p), "keep.rec.000077"); /* an earlier run's part */
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(REC_MAGIC "rest", f);
	fclose(f);
	assert_int_equal(write_events(&r, &o, "keep.rec", 400), 0);
	assert_true(r.part > 5);
	assert_int_equal(count_files(), 3);
	assert_int_equal(r.oldest, r.part - 2);
	assert_int_equal(r.pruned, r.part - 3);
	for (uint32_t i = 1; i <= r.part; i++) {
		char name[64];

		snprintf(name, sizeof(name), "keep.rec.%06u", i);
		assert_int_equal(exists(name), i + 3 > r.part);
	}
	assert_false(exists("keep.rec.000077"));
}

/* A file under the name that is not a record file is never deleted. */
static void test_stale_not_record(void **state)
{
	struct rot_opts o = { .max_files = 2 };
	struct rec_rotor r;
	FILE *f;
	char p[256];

	(void)state;
	path_of(p, sizeof(p), "x.rec.000001");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("precious", f);
	fclose(f);
	assert_int_equal(write_events(&r, &o, "x.rec", 10), -EEXIST);
	assert_non_null(strstr(r.why, "not a memhp record file"));
	assert_true(exists("x.rec.000001"));
}

/* A part that appeared under the next name (a planted link) is refused,
 * its target untouched: the recording stops at the part before. */
static void test_part_exists(void **state)
{
	struct rot_opts o = { .max_size = ROT_MIN_SIZE };
	struct memhp_model m;
	struct memhp_event e;
	struct rec_rotor r;
	char base[256], link[256], target[256];
	struct stat st;
	unsigned int i;
	FILE *f;
	int ret = 0;

	(void)state;
	path_of(base, sizeof(base), "ln.rec");
	path_of(link, sizeof(link), "ln.rec.000002");
	path_of(target, sizeof(target), "precious");
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("keep me", f);
	fclose(f);
	o.base = base;
	boot_model(&m);
	assert_int_equal(rot_open(&r, &o, info_of(&m), &m), 0);
	assert_int_equal(symlink(target, link), 0);
	for (i = 0; i < 400 && !ret; i++) {
		make_event(&e, i);
		ret = rot_event(&r, &e, sizeof(e), &m);
	}
	rot_close(&r);
	model_free(&m);
	assert_int_equal(ret, -EEXIST);
	assert_int_equal(r.part, 2);
	assert_non_null(strstr(r.why, "ln.rec.000002"));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 7);
}

/* The injected file system: @fake_avail bytes free of 1 GiB; each
 * deleted part gives back what the test says. */
static uint64_t fake_avail;
static int fake_calls;

static int fake_statvfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_frsize = 4096;
	st->f_bsize = 4096;
	st->f_blocks = (1ull << 30) / 4096;
	st->f_bavail = fake_avail / 4096;
	fake_calls++;
	return 0;
}

/* Below the floor at the start: no file at all. */
static void test_floor_at_start(void **state)
{
	struct rot_opts o = { .min_free = 64ull << 20 };
	struct rec_rotor r;

	(void)state;
	diskfree_statvfs = fake_statvfs;
	fake_avail = 32ull << 20;
	assert_int_equal(write_events(&r, &o, "low.rec", 10), -ENOSPC);
	diskfree_statvfs = statvfs;
	assert_non_null(strstr(r.why, "not starting"));
	assert_int_equal(count_files(), 0);
}

/* The default floor: 5% of the file system, capped at 256 MiB. */
static void test_floor_default(void **state)
{
	struct diskfree small = { .total = 1000ull << 20 }, big = { .total = 1ull << 40 };

	(void)state;
	assert_int_equal(diskfree_floor(&small, 0, DISKFREE_DEFAULT_PCT, DISKFREE_DEFAULT_CAP),
			 50ull << 20);
	assert_int_equal(diskfree_floor(&big, 0, DISKFREE_DEFAULT_PCT, DISKFREE_DEFAULT_CAP),
			 DISKFREE_DEFAULT_CAP);
	assert_int_equal(diskfree_floor(&big, 12345, 0, DISKFREE_DEFAULT_CAP), 12345);
	/* --min-free 10%: a percentage given is not capped */
	assert_int_equal(diskfree_floor(&big, 0, 10, 0), (1ull << 40) / 10);
	assert_int_equal(diskfree_floor(&small, 0, 0, DISKFREE_DEFAULT_CAP), 0);
}

/* Below the floor mid-recording, no --max-files: stop, the file complete. */
static void test_floor_stops(void **state)
{
	struct rot_opts o = { .min_free = 64ull << 20 };
	struct memhp_model m;
	struct memhp_event e;
	struct rec_rotor r;
	struct rec_info info;
	enum rec_type first;
	char base[256];
	unsigned int i;
	int ret = 0;

	(void)state;
	diskfree_statvfs = fake_statvfs;
	fake_avail = 512ull << 20;
	path_of(base, sizeof(base), "stop.rec");
	o.base = base;
	boot_model(&m);
	assert_int_equal(rot_open(&r, &o, info_of(&m), &m), 0);
	/* 344-byte events: ROT_CHECK_BYTES is crossed after ~3000 */
	for (i = 0; i < 10000 && !ret; i++) {
		if (i == 1000)
			fake_avail = 1ull << 20; /* the disk fills up behind our back */
		make_event(&e, i);
		ret = rot_event(&r, &e, sizeof(e), &m);
		if (!ret && i % 64 == 63)
			ret = rot_flush(&r);
	}
	diskfree_statvfs = statvfs;
	model_free(&m);
	assert_int_equal(ret, -ENOSPC);
	assert_true(r.floor_hit);
	assert_false(r.open);
	assert_non_null(strstr(r.why, "below the floor"));
	assert_true(i < 4000);
	assert_int_equal(read_events(base, &info, &first), i);
	assert_int_equal(rot_events(&r), i);
}

/* Below the floor with --max-files: the oldest parts go, recording goes on. */
static void test_floor_prunes(void **state)
{
	struct rot_opts o = { .max_size = 256ull << 10, .max_files = 100, .min_free = 64ull << 20 };
	struct rec_rotor r;
	int ret;

	(void)state;
	diskfree_statvfs = fake_statvfs;
	fake_avail = 512ull << 20;
	fake_calls = 0;
	{
		struct memhp_model m;
		struct memhp_event e;
		char base[256];

		path_of(base, sizeof(base), "prune.rec");
		o.base = base;
		o.prog = "test";
		boot_model(&m);
		assert_int_equal(rot_open(&r, &o, info_of(&m), &m), 0);
		ret = 0;
		for (unsigned int i = 0; i < 6000 && !ret; i++) {
			if (i == 4000)
				fake_avail = 1ull << 20; /* stays low: pruning must run */
			make_event(&e, i);
			ret = rot_event(&r, &e, sizeof(e), &m);
			if (!ret && i % 64 == 63)
				ret = rot_flush(&r);
		}
		model_free(&m);
	}
	diskfree_statvfs = statvfs;
	/* the fake disk never recovers: pruning down to the part being
	 * written, then a clean stop */
	assert_int_equal(ret, -ENOSPC);
	assert_true(r.pruned > 0);
	assert_non_null(strstr(r.why, "no older part left"));
	assert_int_equal(count_files(), 1);
	assert_true(fake_calls > 2);
}

/* A write error (here EFBIG: a file size limit, a partial write as ENOSPC
 * leaves it) cuts the file back to its last whole record. */
static void test_write_error_no_torn_tail(void **state)
{
	struct rlimit old, lim;
	struct rot_opts o = { .min_free = 0 };
	struct memhp_model m;
	struct memhp_event e;
	struct rec_rotor r;
	struct rec_info info;
	enum rec_type first;
	char base[256];
	struct stat st;
	unsigned int i;
	int ret = 0;

	(void)state;
	path_of(base, sizeof(base), "full.rec");
	o.base = base;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100000; /* not a record boundary */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	boot_model(&m);
	assert_int_equal(rot_open(&r, &o, info_of(&m), &m), 0);
	for (i = 0; i < 1000 && !ret; i++) {
		make_event(&e, i);
		ret = rot_event(&r, &e, sizeof(e), &m);
		if (!ret && i % 50 == 49)
			ret = rot_flush(&r);
	}
	rot_close(&r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	model_free(&m);
	assert_int_equal(ret, -EFBIG);
	assert_non_null(strstr(r.why, "ends with its last whole record"));
	assert_int_equal(stat(base, &st), 0);
	assert_true(st.st_size < 100000);
	assert_int_equal((uint64_t)st.st_size, r.bytes_done);
	/* everything written reads back, and no torn tail (read_events) */
	assert_true(read_events(base, &info, &first) > 100);
}

/* replay_main() on @argv; stdout and stderr captured. */
static int replay(char **out, char **err, int argc, char **argv)
{
	size_t ol, el;
	FILE *o = open_memstream(out, &ol), *e = open_memstream(err, &el);
	int ret;

	assert_non_null(o);
	assert_non_null(e);
	ret = replay_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return ret;
}

static void test_replay_set(void **state)
{
	struct rot_opts one = { 0 }, rot = { .max_size = ROT_MIN_SIZE };
	struct rec_rotor r;
	char single[256], base[256], p2[256], p3[256], p1[256];
	char *o1, *e1, *o2, *e2, *o3, *e3;

	(void)state;
	assert_int_equal(write_events(&r, &one, "all.rec", 300), 0);
	assert_int_equal(write_events(&r, &rot, "set.rec", 300), 0);
	assert_true(r.part >= 3);
	path_of(single, sizeof(single), "all.rec");
	path_of(base, sizeof(base), "set.rec");
	path_of(p1, sizeof(p1), "set.rec.000001");
	path_of(p2, sizeof(p2), "set.rec.000002");
	path_of(p3, sizeof(p3), "set.rec.000003");
	{
		char *a1[] = { "replay", "-J", single }, *a2[] = { "replay", "-J", base };

		assert_int_equal(replay(&o1, &e1, 3, a1), 0);
		assert_int_equal(replay(&o2, &e2, 3, a2), 0);
	}
	/* the base name replays the parts as one stream: the same events */
	assert_true(strlen(o1) > 1000);
	assert_string_equal(o1, o2);
	assert_non_null(strstr(e2, "300 events"));
	assert_non_null(strstr(e2, "files)"));
	free(o2);
	free(e2);
	/* the parts given out of order: replayed by part, with a warning */
	{
		char *in[] = { "replay", "-J", p1, p2, p3 }, *out[] = { "replay", "-J", p3, p1, p2 };
		char *o4, *e4;

		assert_int_equal(replay(&o4, &e4, 5, in), 0);
		assert_null(strstr(e4, "warning"));
		assert_int_equal(replay(&o2, &e2, 5, out), 0);
		assert_true(strlen(o4) > 1000);
		assert_string_equal(o4, o2);
		assert_non_null(strstr(e2, "warning: files given out of order"));
		free(o4);
		free(e4);
		free(o2);
		free(e2);
	}
	{
		/* a gap: said, and the rest replayed */
		char *a[] = { "replay", "-J", p1, p3 };

		assert_int_equal(replay(&o2, &e2, 4, a), 0);
		assert_non_null(strstr(e2, "warning: part 2 is missing"));
		free(o2);
		free(e2);
	}
	{
		/* a single recording and a part: mixed, refused */
		char *a[] = { "replay", "-J", single, p2 };

		assert_int_equal(replay(&o3, &e3, 4, a), 1);
		assert_non_null(strstr(e3, "single recording"));
		assert_string_equal(o3, "");
		free(o3);
		free(e3);
	}
	free(o1);
	free(e1);
	/* parts of two recordings: refused */
	assert_int_equal(rename(p1, single), 0);
	assert_int_equal(write_events(&r, &rot, "set.rec", 300), 0);
	{
		char *a[] = { "replay", "--stats", single, p2 };

		assert_int_equal(replay(&o3, &e3, 4, a), 1);
		assert_non_null(strstr(e3, "different recordings"));
		free(o3);
		free(e3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_names),
		cmocka_unit_test(test_floor_default),
		cmocka_unit_test_setup_teardown(test_list_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_by_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_not_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_part_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floor_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floor_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floor_prunes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error_no_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_set, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
