/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp record files (docs/record.md): a versioned header, then
 * length-prefixed, checksummed records. Event records carry the raw bytes
 * the BPF side put into the ring buffer, so a replay runs the same
 * decode_event() path as a live session.
 *
 * user/lib/record.c: the format (header encode/decode, checksum);
 * user/lib/record_write.c: the buffered writer; user/lib/record_read.c: the reader.
 */
#ifndef MEMHP_RECORD_H
#define MEMHP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "record_le.h"

#define REC_MAGIC "MEMHPREC"
#define REC_FORMAT_VERSION 1
#define REC_HEADER_SIZE 224	   /* what this memhp writes */
#define REC_HEADER_MAX 4096	   /* what a reader accepts (later fields) */
#define REC_RECORD_HDR 16
#define REC_MAX_PAYLOAD (16u << 20) /* a snapshot of 200k blocks fits */
#define REC_PREFETCH_AHEAD 2048	    /* bytes: the reader's prefetch distance */

enum rec_type {
	REC_EVENT = 1,	  /* raw struct memhp_event bytes */
	REC_SNAPSHOT = 2, /* the model's blocks: replaces the replay's blocks */
	REC_LOST = 3,	  /* u64: events lost in the kernel so far */
};

struct rec_info {
	uint16_t version;   /* REC_FORMAT_VERSION of the writer */
	uint16_t event_abi; /* MEMHP_ABI_VERSION of the writer */
	uint32_t header_size;
	uint64_t block_size; /* bytes (block_size_bytes) */
	uint32_t page_size;  /* bytes */
	int64_t start_realtime_ns;  /* CLOCK_REALTIME at start */
	int64_t start_monotonic_ns; /* CLOCK_MONOTONIC (= event ktime) at start */
	char release[80];  /* uname -r, or what made the file ("gen-record") */
	char machine[16];  /* uname -m */
	char hostname[64];
	/* a rotated set (docs/record.md "Rotation"): part 1, 2, ... of the
	 * recording session @session; both 0 in a single file */
	uint32_t part;
	uint64_t session;
};

/* One entry of a REC_SNAPSHOT record (little-endian on disk). */
#define REC_SNAP_ENTRY 80
struct rec_snap_block {
	uint64_t id;
	uint32_t state; /* enum memhp_block_state */
	int32_t node;
	char zones[64];
};

/* Checksum of a record: 4-lane CRC32C (docs/record.md). */
uint32_t rec_checksum(const uint8_t *hdr, const uint8_t *payload, uint32_t len);
/* The portable implementation (tests compare it with the SSE4.2 one). */
uint32_t rec_checksum_sw(const uint8_t *hdr, const uint8_t *payload, uint32_t len);
uint32_t rec_crc32c(uint32_t crc, const void *buf, size_t len);

/* Fill @info for this machine now (uname, clocks) with @m's sizes. */
void rec_info_now(struct rec_info *info, const struct memhp_model *m);
/* Encode the header into @buf (REC_HEADER_SIZE bytes). */
void rec_header_encode(const struct rec_info *info, uint8_t *buf);
/*
 * Decode and check a header from @len bytes (the start of a file).
 * 0, or -1 with a reason in @err.
 */
int rec_header_decode(const uint8_t *buf, size_t len, struct rec_info *info,
		      char *err, size_t errlen);

/* --- writer (user/lib/record_write.c) -------------------------------------------- */

struct rec_writer {
	int fd;
	uint8_t *buf;
	size_t len, cap;
	uint64_t records, events, bytes;
	uint64_t lost; /* last REC_LOST written */
	int err;       /* first write error (errno), sticky */
	int trunc_err; /* errno of cutting a failed write back (rare), or 0 */
};

/* Create (truncate) @path and write the header. 0 or -errno with @err. */
int rec_writer_open(struct rec_writer *w, const char *path, const struct rec_info *info,
		    char *err, size_t errlen);
/* The same with open(2) flags @oflags added (O_TRUNC, or O_EXCL | O_NOFOLLOW). */
int rec_writer_open_flags(struct rec_writer *w, const char *path, const struct rec_info *info,
			  int oflags, char *err, size_t errlen);
/*
 * Append one record (buffered; whole records only). 0 or -errno. After a
 * write error the file is cut back to its last whole record (w->bytes)
 * and the writer refuses more: ENOSPC never leaves a torn or damaged file.
 */
int rec_write(struct rec_writer *w, enum rec_type type, const void *payload, uint32_t len);
/* REC_SNAPSHOT of @m's blocks. */
int rec_write_snapshot(struct rec_writer *w, const struct memhp_model *m);
int rec_write_lost(struct rec_writer *w, uint64_t lost_total);
/* Write what is buffered. 0 or -errno. */
int rec_flush(struct rec_writer *w);
/* Flush, fsync and close. 0 or -errno (the first error of the writer). */
int rec_writer_close(struct rec_writer *w);

/* --- reader (user/lib/record_read.c) ----------------------------------------------- */

struct rec_record {
	enum rec_type type;
	const uint8_t *payload; /* inside the reader's buffer */
	uint32_t len;
	uint64_t offset; /* of the record header in the file */
	uint64_t index;	 /* 0-based */
};

struct rec_reader {
	const uint8_t *buf; /* the whole file */
	size_t size;
	size_t off;
	uint64_t index;
	struct rec_info info;
	bool torn;	 /* a torn tail was skipped (warning) */
	char warn[160];	 /* what the torn tail was */
};

/* Check the header of @buf; 0 or -1 with @err. */
int rec_reader_init(struct rec_reader *r, const void *buf, size_t size, char *err,
		    size_t errlen);
/* Start over at the first record (replays --repeat). */
void rec_reader_rewind(struct rec_reader *r);
/* rec_next() for anything but a whole, intact record: the torn tail and
 * the errors, with their messages. */
int rec_next_slow(struct rec_reader *r, struct rec_record *out, char *err, size_t errlen);

/* Hand out the intact record at @h (header checked) and step past it. */
static inline int rec_take(struct rec_reader *r, struct rec_record *out, const uint8_t *h,
			   uint32_t len)
{
	out->type = (enum rec_type)rec_le16(h + 4);
	out->payload = h + REC_RECORD_HDR;
	out->len = len;
	out->offset = r->off;
	out->index = r->index++;
	r->off += REC_RECORD_HDR + (size_t)len;
	return 1;
}

/*
 * The next record: 1, 0 at the end (r->torn set when a torn tail was
 * skipped, reason in r->warn), or -1 with "offset N: reason" in @err.
 *
 * Inline, for replay's loop (a call per record was ~10% of its time): a
 * record that is whole, in sequence and matches its checksum is returned
 * here; anything else goes to rec_next_slow(), which checks the same
 * record again from the start and says what is wrong with it.
 */
static inline int rec_next(struct rec_reader *r, struct rec_record *out, char *err, size_t errlen)
{
	const uint8_t *h = r->buf + r->off;
	size_t left = r->size - r->off;
	uint32_t len;

	if (__builtin_expect(left >= REC_RECORD_HDR, 1)) {
		/*
		 * Records are read once, in order, and the checksum is the
		 * first to touch each byte: ask for the lines a few records
		 * ahead now so that replay does not wait on memory
		 * (prefetches never fault). Five lines, a record's worth
		 * wherever it starts: on a 2.7 GB file, two per record cost
		 * 3 ns per event more, none (the hardware's prefetcher
		 * alone) 7 to 10 ns, one 20 ns.
		 */
		if (left > REC_PREFETCH_AHEAD + 320)
			for (int i = 0; i < 5; i++)
				__builtin_prefetch(h + REC_PREFETCH_AHEAD + 64 * i);
		len = rec_le32(h);
		if (__builtin_expect(len <= REC_MAX_PAYLOAD && left - REC_RECORD_HDR >= len &&
					     rec_le32(h + 12) == (uint32_t)r->index &&
					     rec_checksum(h, h + REC_RECORD_HDR, len) ==
						     rec_le32(h + 8),
				     1))
			return rec_take(r, out, h, len);
	}
	return rec_next_slow(r, out, err, errlen);
}
/* Decode a REC_SNAPSHOT payload into @m's blocks (replacing them). 0 or -1. */
int rec_snapshot_apply(const struct rec_record *rec, struct memhp_model *m, char *err,
		       size_t errlen);

/* A record file mapped read-only (regular files only). */
struct rec_file {
	void *map;
	size_t size;
	/* rec_file_window(): pages below dropped were given back, those from
	 * there to mapped were mapped in (advice: a guess, never trusted) */
	size_t dropped, mapped;
};

int rec_file_open(struct rec_file *f, const char *path, char *err, size_t errlen);
/* Reading at @off: drop the pages before it from the process, map the
 * next @ahead bytes now (both only advice). */
void rec_file_window(struct rec_file *f, size_t off, size_t ahead);
void rec_file_close(struct rec_file *f);

#endif
