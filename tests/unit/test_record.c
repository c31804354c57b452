// SPDX-License-Identifier: GPL-2.0
/* Record files: writer/reader round trip, torn tails, damaged files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode.h"
#include "memhp.h"
#include "model.h"
#include "record.h"
#include "record_le.h"

#define PPB 32768ULL
#define NEV 20

struct file {
	uint8_t *p;
	size_t len;
	size_t last; /* offset of the last record */
};

static struct memhp_event ev(int i)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = MEMHP_EV_ONLINE;
	e.hdr.size = sizeof(e);
	e.ts_ns = 1000 + i;
	e.start_pfn = (uint64_t)(100 + i) * PPB;
	e.nr_pages = PPB;
	e.nid = 0;
	e.flags = MEMHP_F_ZONE;
	strcpy(e.zone_name, "Movable");
	strcpy(e.comm, "udevd");
	return e;
}

static void model_setup(struct memhp_model *m)
{
	model_init(m);
	m->block_size = PPB * 4096;
	for (int i = 0; i < 4; i++) {
		struct memhp_block *b = model_block_get(m, (uint64_t)i);

		b->state = MEMHP_BLOCK_ONLINE;
		b->node = 0;
		assert_int_equal(model_set_zones(m, b, "Normal", 6), 0);
	}
}

static void slurp(const char *path, struct file *f)
{
	FILE *fp = fopen(path, "rb");
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	f->p = malloc((size_t)n + 8192);
	assert_non_null(f->p);
	assert_int_equal(fread(f->p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	f->len = (size_t)n;
}

/* snapshot, NEV events, a lost record, one more event (the last record). */
static void make_file(struct file *f)
{
	char path[] = "/tmp/memhp-test-record.XXXXXX";
	struct memhp_model m;
	struct rec_writer w;
	struct rec_info info;
	struct memhp_event e;
	char err[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	model_setup(&m);
	rec_info_now(&info, &m);
	assert_int_equal(rec_writer_open(&w, path, &info, err, sizeof(err)), 0);
	assert_int_equal(rec_write_snapshot(&w, &m), 0);
	for (int i = 0; i < NEV; i++) {
		e = ev(i);
		assert_int_equal(rec_write(&w, REC_EVENT, &e, sizeof(e)), 0);
	}
	assert_int_equal(rec_write_lost(&w, 7), 0);
	e = ev(NEV);
	assert_int_equal(rec_write(&w, REC_EVENT, &e, sizeof(e)), 0);
	assert_int_equal(rec_writer_close(&w), 0);
	model_free(&m);
	slurp(path, f);
	unlink(path);
	f->last = f->len - REC_RECORD_HDR - sizeof(e);
}

/* Read all; returns records read, -1 on error (message in err). */
static int read_all(const uint8_t *p, size_t len, struct rec_reader *r, char *err, size_t errlen)
{
	struct rec_record rec;
	int n = 0, rc;

	if (rec_reader_init(r, p, len, err, errlen))
		return -1;
	while ((rc = rec_next(r, &rec, err, errlen)) > 0)
		n++;
	return rc < 0 ? -1 : n;
}

static void test_crc32c(void **s)
{
	uint8_t hdr[16], buf[300];

	/* the CRC32C check value */
	assert_int_equal(rec_crc32c(0, "123456789", 9), 0xE3069283u);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t i = 0; i < sizeof(hdr); i++)
		hdr[i] = (uint8_t)(i * 17 + 1);
	/* the SSE4.2 path and the portable one agree for every length */
	for (uint32_t len = 0; len < sizeof(buf); len++)
		assert_int_equal(rec_checksum(hdr, buf, len), rec_checksum_sw(hdr, buf, len));
	/* event records (256 bytes) take the carry-less multiplication path
	 * where the CPU has it: the same value for any bytes, any alignment */
	{
		uint8_t big[16 + 256 + 8];
		uint64_t x = 0x9E3779B97F4A7C15ull;

		for (int it = 0; it < 20000; it++) {
			for (size_t i = 0; i < sizeof(big); i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				/* random, sparse, all ones, and every single bit */
				big[i] = it % 3 == 0   ? (uint8_t)x
					 : it % 3 == 1 ? (uint8_t)(x % 5 ? 0 : x)
						       : 0xff;
			}
			if (it < 8 * 272) {
				memset(big, 0, sizeof(big));
				big[it / 8] = (uint8_t)(1u << (it % 8));
			}
			assert_int_equal(rec_checksum(big, big + 16, 256),
					 rec_checksum_sw(big, big + 16, 256));
			assert_int_equal(rec_checksum(big + it % 8, big + 16 + it % 8, 256),
					 rec_checksum_sw(big + it % 8, big + 16 + it % 8, 256));
		}
	}
	/* the checksum covers length/type (bytes 0-7) and sequence (12-15) */
	uint32_t c = rec_checksum(hdr, buf, 64);

	hdr[5] ^= 1;
	assert_int_not_equal(rec_checksum(hdr, buf, 64), c);
	hdr[5] ^= 1;
	hdr[13] ^= 1;
	assert_int_not_equal(rec_checksum(hdr, buf, 64), c);
	hdr[13] ^= 1;
	hdr[9] ^= 1; /* the checksum field itself is not covered */
	assert_int_equal(rec_checksum(hdr, buf, 64), c);
}

static void test_round_trip(void **s)
{
	struct file f;
	struct rec_reader r;
	struct rec_record rec;
	struct memhp_model m;
	char err[256];
	int i = 0, rc;

	make_file(&f);
	assert_int_equal(rec_reader_init(&r, f.p, f.len, err, sizeof(err)), 0);
	assert_int_equal(r.info.version, REC_FORMAT_VERSION);
	assert_int_equal(r.info.event_abi, MEMHP_ABI_VERSION);
	assert_int_equal(r.info.block_size, PPB * 4096);
	assert_int_equal(r.info.page_size, 4096);
	assert_true(r.info.start_realtime_ns > r.info.start_monotonic_ns);
	model_init(&m);
	while ((rc = rec_next(&r, &rec, err, sizeof(err))) > 0) {
		assert_int_equal(rec.index, (uint64_t)i);
		if (i == 0) {
			assert_int_equal(rec.type, REC_SNAPSHOT);
			assert_int_equal(rec_snapshot_apply(&rec, &m, err, sizeof(err)), 0);
			assert_int_equal(m.nr_blocks, 4);
			assert_int_equal(m.blocks[3].id, 3);
			assert_int_equal(m.blocks[3].state, MEMHP_BLOCK_ONLINE);
			assert_string_equal(model_zones(&m, &m.blocks[3]), "Normal");
		} else if (i == NEV + 1) {
			assert_int_equal(rec.type, REC_LOST);
			assert_int_equal(rec.len, 8);
			assert_int_equal(rec_le64(rec.payload), 7);
		} else {
			struct memhp_event e, want = ev(i <= NEV ? i - 1 : NEV);
			char why[128];

			assert_int_equal(rec.type, REC_EVENT);
			assert_int_equal(rec.len, sizeof(e));
			/* byte for byte what was written, and it decodes */
			assert_memory_equal(rec.payload, &want, sizeof(want));
			assert_int_equal(decode_event(rec.payload, rec.len, &e, why, sizeof(why)), 0);
		}
		i++;
	}
	assert_int_equal(rc, 0);
	assert_false(r.torn);
	assert_int_equal(i, NEV + 3);
	/* rewind: the same again */
	rec_reader_rewind(&r);
	assert_int_equal(rec_next(&r, &rec, err, sizeof(err)), 1);
	assert_int_equal(rec.index, 0);
	model_free(&m);
	free(f.p);
}

static void test_torn_tail_every_offset(void **s)
{
	struct file f;
	struct rec_reader r;
	char err[256];

	make_file(&f);
	/* a writer killed anywhere in its last record: the rest is kept */
	for (size_t cut = f.last; cut < f.len; cut++) {
		int n = read_all(f.p, cut, &r, err, sizeof(err));

		assert_int_equal(n, NEV + 2);
		assert_int_equal(r.torn, cut != f.last);
		if (cut != f.last)
			assert_non_null(strstr(r.warn, "torn tail"));
	}
	assert_int_equal(read_all(f.p, f.len, &r, err, sizeof(err)), NEV + 3);
	assert_false(r.torn);
	/* the last record complete but damaged: torn too */
	f.p[f.len - 3] ^= 0x40;
	assert_int_equal(read_all(f.p, f.len, &r, err, sizeof(err)), NEV + 2);
	assert_true(r.torn);
	assert_non_null(strstr(r.warn, "checksum mismatch in the last record"));
	f.p[f.len - 3] ^= 0x40;
	/* zeros after the end (file extended, data never written) */
	memset(f.p + f.len, 0, 4096);
	assert_int_equal(read_all(f.p, f.len + 4096, &r, err, sizeof(err)), NEV + 3);
	assert_true(r.torn);
	assert_non_null(strstr(r.warn, "zero bytes"));
	free(f.p);
}

static void expect_error(const uint8_t *p, size_t len, const char *msg)
{
	struct rec_reader r;
	char err[256] = "";

	assert_int_equal(read_all(p, len, &r, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("error '%s' does not contain '%s'", err, msg);
	assert_true(!strncmp(err, "offset ", 7));
}

/* Rewrite the header checksum after patching the header. */
static void reseal(uint8_t *p)
{
	rec_put32(p + REC_HEADER_SIZE - 4, rec_crc32c(0, p, REC_HEADER_SIZE - 4));
}

static void test_bad_files(void **s)
{
	struct file f;
	char msg[64];

	make_file(&f);
	expect_error(f.p, 0, "empty file");
	expect_error(f.p, 100, "truncated header");
	f.p[0] = 'X';
	expect_error(f.p, f.len, "bad magic");
	f.p[0] = 'M';
	/* newer format version */
	rec_put16(f.p + 8, REC_FORMAT_VERSION + 1);
	reseal(f.p);
	expect_error(f.p, f.len, "record format version 2 is not supported");
	rec_put16(f.p + 8, REC_FORMAT_VERSION);
	/* newer event ABI */
	rec_put16(f.p + 10, MEMHP_ABI_VERSION + 1);
	reseal(f.p);
	expect_error(f.p, f.len, "events of ABI 2 are not supported");
	rec_put16(f.p + 10, MEMHP_ABI_VERSION);
	reseal(f.p);
	/* header checksum */
	f.p[150] ^= 1;
	expect_error(f.p, f.len, "header checksum mismatch");
	f.p[150] ^= 1;
	/* header size beyond the limit */
	rec_put32(f.p + 12, 1u << 30);
	expect_error(f.p, f.len, "header size 1073741824 out of range");
	rec_put32(f.p + 12, REC_HEADER_SIZE);
	/* a huge length in the first record */
	rec_put32(f.p + REC_HEADER_SIZE, 0xfffffff0u);
	snprintf(msg, sizeof(msg), "offset %d: record length 4294967280 exceeds", REC_HEADER_SIZE);
	expect_error(f.p, f.len, msg);
	free(f.p);

	/* garbage in the middle: an error with its offset, not a torn tail */
	make_file(&f);
	size_t second = REC_HEADER_SIZE + REC_RECORD_HDR + rec_le32(f.p + REC_HEADER_SIZE);

	f.p[second + REC_RECORD_HDR + 40] ^= 0xff;
	snprintf(msg, sizeof(msg), "offset %zu: record checksum mismatch", second);
	expect_error(f.p, f.len, msg);
	f.p[second + REC_RECORD_HDR + 40] ^= 0xff;
	/* a record missing in the middle (sequence) */
	memmove(f.p + second, f.p + second + REC_RECORD_HDR + sizeof(struct memhp_event),
		f.len - second - REC_RECORD_HDR - sizeof(struct memhp_event));
	snprintf(msg, sizeof(msg), "offset %zu: record sequence 2, expected 1", second);
	expect_error(f.p, f.len - REC_RECORD_HDR - sizeof(struct memhp_event), msg);
	free(f.p);
}

static void test_snapshot_checks(void **s)
{
	uint8_t p[8 + 2 * REC_SNAP_ENTRY];
	struct rec_record rec = { .type = REC_SNAPSHOT, .payload = p, .offset = 300 };
	struct memhp_model m;
	char err[256];

	memset(p, 0, sizeof(p));
	model_init(&m);
	rec.len = 4;
	assert_int_equal(rec_snapshot_apply(&rec, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "offset 300: snapshot record of 4 bytes"));
	rec_put32(p, 3); /* three entries announced, two present */
	rec_put32(p + 4, REC_SNAP_ENTRY);
	rec.len = sizeof(p);
	assert_int_equal(rec_snapshot_apply(&rec, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fill"));
	rec_put32(p, 2);
	rec_put64(p + 8, 5);
	rec_put64(p + 8 + REC_SNAP_ENTRY, 5); /* not increasing */
	assert_int_equal(rec_snapshot_apply(&rec, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "increasing"));
	rec_put64(p + 8 + REC_SNAP_ENTRY, 6);
	rec_put32(p + 8 + REC_SNAP_ENTRY + 8, 99); /* unknown state */
	memset(p + 8 + 16, 'x', 64);		   /* unterminated zones */
	assert_int_equal(rec_snapshot_apply(&rec, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nr_blocks, 2);
	assert_int_equal(m.blocks[1].state, MEMHP_BLOCK_UNKNOWN);
	assert_int_equal(strlen(model_zones(&m, &m.blocks[0])), 63);
	model_free(&m);
}

static void test_writer_errors(void **s)
{
	struct rec_writer w;
	struct rec_info info;
	struct memhp_model m;
	char err[256];

	model_setup(&m);
	rec_info_now(&info, &m);
	assert_int_equal(rec_writer_open(&w, "/nonexistent/dir/x.rec", &info, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir/x.rec: No such file"));
	/* /dev/full: the header write fails */
	if (access("/dev/full", W_OK) == 0) {
		assert_true(rec_writer_open(&w, "/dev/full", &info, err, sizeof(err)) < 0);
		assert_non_null(strstr(err, "No space"));
	}
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_snapshot_checks),
		cmocka_unit_test(test_writer_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
