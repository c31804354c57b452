// SPDX-License-Identifier: GPL-2.0
/*
 * Record files (user/record*.c): the reader over any bytes, the records it
 * accepts through decode_event() and the model, and the writer.
 *
 * Input: one mode byte, then the file. Mode bit 0: the harness rewrites
 * the header checksum, bit 1: every record's checksum (walking the lengths
 * as given), before reading: without it almost every mutation stops at a
 * checksum, with it the fuzzer reaches what lies behind one. The file is
 * copied into a buffer of exactly its size, so any read past it is caught.
 * Checked: errors and torn-tail warnings name an offset ("offset N: ..."),
 * every record accepted lies inside the file, in order, at increasing
 * offsets; the model stays sorted. Then the accepted records are written
 * again with the writer and must read back identical, with no torn tail.
 *
 * MEMHP_FUZZ_SEEDS=DIR: write the seed corpus to DIR and exit.
 */
#include "decode.h"
#include "fuzz_common.h"
#include "memhp.h"
#include "model.h"
#include "record.h"
#include "record_le.h"

#define MAX_RECORDS 512

static void reseal(uint8_t *p, size_t size, uint8_t mode)
{
	size_t off, hs;

	if (size < 16)
		return;
	hs = rec_le32(p + 12);
	if ((mode & 1) && hs >= REC_HEADER_SIZE && hs <= size && hs <= REC_HEADER_MAX)
		rec_put32(p + hs - 4, rec_crc32c(0, p, hs - 4));
	if (!(mode & 2) || hs > size || hs < 16)
		return;
	for (off = hs; size - off >= REC_RECORD_HDR;) {
		uint32_t len = rec_le32(p + off);

		if (len > size - off - REC_RECORD_HDR)
			break;
		rec_put32(p + off + 8, rec_checksum(p + off, p + off + REC_RECORD_HDR, len));
		off += REC_RECORD_HDR + len;
	}
}

static void check_model(const struct memhp_model *m)
{
	for (size_t i = 1; i < m->nr_blocks; i++)
		FZ_CHECK(m->blocks[i - 1].id < m->blocks[i].id);
	FZ_CHECK(m->nr_blocks <= m->cap_blocks || !m->blocks);
	FZ_CHECK(m->nr_groups <= MEMHP_MAX_GROUPS);
}

struct kept {
	enum rec_type type;
	const uint8_t *payload;
	uint32_t len;
};

/* Write @n records again and read them back: identical, nothing torn. */
static void rewrite(const struct rec_info *info, const struct kept *k, size_t n)
{
	char path[PATH_MAX], err[256];
	struct rec_writer w;
	struct rec_reader r;
	struct rec_record rec;
	FILE *f;
	uint8_t *buf;
	long size;
	size_t i;

	snprintf(path, sizeof(path), "%s/rewrite.rec", fz_tmpdir());
	FZ_CHECK(!rec_writer_open(&w, path, info, err, sizeof(err)));
	for (i = 0; i < n; i++)
		FZ_CHECK(!rec_write(&w, k[i].type, k[i].payload, k[i].len));
	FZ_CHECK(!rec_writer_close(&w));
	f = fopen(path, "rb");
	FZ_CHECK(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size);
	FZ_CHECK(buf && fread(buf, 1, (size_t)size, f) == (size_t)size);
	fclose(f);
	FZ_CHECK(!rec_reader_init(&r, buf, (size_t)size, err, sizeof(err)));
	FZ_CHECK(r.info.block_size == info->block_size && r.info.page_size == info->page_size);
	FZ_CHECK(!strcmp(r.info.release, info->release));
	for (i = 0; i < n; i++) {
		FZ_CHECK(rec_next(&r, &rec, err, sizeof(err)) == 1);
		FZ_CHECK(rec.type == k[i].type && rec.len == k[i].len);
		FZ_CHECK(!memcmp(rec.payload, k[i].payload, k[i].len));
	}
	FZ_CHECK(rec_next(&r, &rec, err, sizeof(err)) == 0 && !r.torn);
	free(buf);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kept kept[MAX_RECORDS];
	struct rec_reader r;
	struct rec_record rec;
	struct memhp_model m;
	uint64_t last_off = 0;
	char err[256] = "";
	size_t nk = 0;
	uint8_t *buf;
	int rc = 0, n;

	if (!size)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	FZ_CHECK(buf);
	memcpy(buf, data + 1, size - 1);
	reseal(buf, size - 1, data[0]);
	if (rec_reader_init(&r, size > 1 ? buf : NULL, size - 1, err, sizeof(err))) {
		FZ_CHECK(!strncmp(err, "offset ", 7));
		free(buf);
		return 0;
	}
	FZ_CHECK(r.info.header_size >= REC_HEADER_SIZE && r.info.header_size <= size - 1);
	FZ_CHECK(memchr(r.info.release, 0, sizeof(r.info.release)));
	model_init(&m);
	m.block_size = r.info.block_size;
	m.page_size = r.info.page_size;
	for (n = 0; n < MAX_RECORDS && (rc = rec_next(&r, &rec, err, sizeof(err))) > 0; n++) {
		FZ_CHECK(rec.payload >= buf + r.info.header_size + REC_RECORD_HDR);
		FZ_CHECK(rec.payload + rec.len <= buf + size - 1);
		FZ_CHECK(rec.offset >= last_off && rec.index == (uint64_t)n);
		last_off = rec.offset + 1;
		if (rec.type == REC_EVENT) {
			struct memhp_event e;
			char why[128];

			if (!decode_event(rec.payload, rec.len, &e, why, sizeof(why)))
				model_apply_event(&m, &e);
		} else if (rec.type == REC_SNAPSHOT) {
			if (rec_snapshot_apply(&rec, &m, err, sizeof(err)))
				FZ_CHECK(!strncmp(err, "offset ", 7));
		}
		check_model(&m);
		kept[nk++] = (struct kept){ rec.type, rec.payload, rec.len };
	}
	if (rc < 0)
		FZ_CHECK(!strncmp(err, "offset ", 7));
	if (r.torn)
		FZ_CHECK(!strncmp(r.warn, "offset ", 7) && r.off == r.size);
	rewrite(&r.info, kept, nk);
	model_free(&m);
	free(buf);
	return 0;
}

/* --- seeds ---------------------------------------------------------------------- */

static void seed_event(struct rec_writer *w, unsigned int kind, uint64_t block, int ret)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = (unsigned short)kind;
	e.hdr.size = sizeof(e);
	e.ts_ns = 5000000000ull + block;
	e.start_pfn = block * 32768;
	e.nr_pages = kind == MEMHP_EV_REQUEST ? 0 : 32768;
	e.ret = ret;
	e.nid = 0;
	e.flags = MEMHP_F_ZONE | MEMHP_F_DURATION;
	e.duration_ns = 1000000;
	snprintf(e.zone_name, sizeof(e.zone_name), "Movable");
	snprintf(e.comm, sizeof(e.comm), "udevd");
	FZ_CHECK(!rec_write(w, REC_EVENT, &e, sizeof(e)));
}

static void write_seeds(const char *dir)
{
	static const char *const names[] = { "valid",	     "torn",	      "only-header",
					     "lost-resync",  "damaged-middle", "zero-tail",
					     "huge-length" };
	char path[PATH_MAX], err[256];
	struct memhp_model m;
	struct rec_writer w;
	struct rec_info info;

	model_init(&m);
	m.block_size = 128ull << 20;
	for (int i = 0; i < 4; i++) {
		struct memhp_block *b = model_block_get(&m, (uint64_t)i);

		b->state = MEMHP_BLOCK_ONLINE;
		model_set_zones(&m, b, "Normal", 6);
	}
	rec_info_now(&info, &m);
	snprintf(info.hostname, sizeof(info.hostname), "seed");
	snprintf(info.release, sizeof(info.release), "6.1.0-seed");
	info.start_realtime_ns = 1700000000ll * 1000000000ll;
	info.start_monotonic_ns = 1000000000ll;
	for (size_t s = 0; s < sizeof(names) / sizeof(names[0]); s++) {
		/* reseal: mutations get past the checksums; not for the seeds
		 * of damage the checksums must catch */
		uint8_t mode = s >= 4 ? 0 : 3;

		snprintf(path, sizeof(path), "%s/%s.tmp", dir, names[s]);
		FZ_CHECK(!rec_writer_open(&w, path, &info, err, sizeof(err)));
		if (s != 2) {
			FZ_CHECK(!rec_write_snapshot(&w, &m));
			seed_event(&w, MEMHP_EV_ADD, 8, 0);
			seed_event(&w, MEMHP_EV_REQUEST, 8, 0);
			seed_event(&w, MEMHP_EV_ONLINE, 8, 0);
			seed_event(&w, MEMHP_EV_OFFLINE, 8, -16);
			if (s == 3) {
				FZ_CHECK(!rec_write_lost(&w, 3));
				FZ_CHECK(!rec_write_snapshot(&w, &m));
			}
			seed_event(&w, MEMHP_EV_REMOVE, 8, 0);
		}
		FZ_CHECK(!rec_writer_close(&w));
		/* prepend the mode byte */
		{
			FILE *in = fopen(path, "rb");
			char final[PATH_MAX];
			uint8_t b[65536 + 300];
			size_t got;

			FZ_CHECK(in);
			got = fread(b, 1, sizeof(b), in);
			fclose(in);
			unlink(path);
			if (s == 1)
				got -= 100; /* a killed writer */
			if (s == 4) /* a byte of the second record's payload */
				b[REC_HEADER_SIZE + REC_RECORD_HDR + 8 + 4 * REC_SNAP_ENTRY +
				  REC_RECORD_HDR + 40] ^= 0x5a;
			if (s == 5) { /* extended, never written */
				memset(b + got, 0, 300);
				got += 300;
			}
			if (s == 6) /* the third record's length */
				rec_put32(b + REC_HEADER_SIZE + REC_RECORD_HDR + 8 +
						  4 * REC_SNAP_ENTRY + REC_RECORD_HDR + 256,
					  0x7fffffff);
			snprintf(final, sizeof(final), "%s/%s", dir, names[s]);
			in = fopen(final, "wb");
			FZ_CHECK(in);
			fputc(mode, in);
			fwrite(b, 1, got, in);
			fclose(in);
		}
	}
	model_free(&m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("MEMHP_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	return 0;
}
