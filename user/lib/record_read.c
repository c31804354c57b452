// SPDX-License-Identifier: GPL-2.0
/*
 * The record file reader. Nothing in the file is trusted: every length is
 * checked against what is left before it is used, and records are read in
 * place (no allocation sized by the file). A torn tail, as a killed writer
 * leaves it, ends the file with a warning; anything else that does not
 * check out is an error naming its byte offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "record_le.h"

int rec_reader_init(struct rec_reader *r, const void *buf, size_t size, char *err,
		    size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->size = size;
	if (!buf || !size) {
		snprintf(err, errlen, "offset 0: empty file (no header)");
		return -1;
	}
	if (rec_header_decode(buf, size, &r->info, err, errlen))
		return -1;
	r->off = r->info.header_size;
	return 0;
}

void rec_reader_rewind(struct rec_reader *r)
{
	r->off = r->info.header_size;
	r->index = 0;
	r->torn = false;
	r->warn[0] = '\0';
}

/* A killed writer on a file system that had extended the file but not
 * written its data leaves zeros: a torn tail too. */
static bool zero_tail(const struct rec_reader *r)
{
	const uint8_t *p = r->buf + r->off, *end = r->buf + r->size;

	while (p < end && !*p)
		p++;
	return p == end;
}

static int torn(struct rec_reader *r, const char *fmt, unsigned long long a,
		unsigned long long b)
{
	char what[96];

	snprintf(what, sizeof(what), fmt, a, b);
	snprintf(r->warn, sizeof(r->warn),
		 "offset %zu: torn tail skipped (%s; %zu bytes)", r->off, what,
		 r->size - r->off);
	r->torn = true;
	r->off = r->size;
	return 0;
}

int rec_next_slow(struct rec_reader *r, struct rec_record *out, char *err, size_t errlen)
{
	const uint8_t *h = r->buf + r->off;
	size_t left = r->size - r->off;
	uint32_t len, sum, seq;

	if (!left)
		return 0;
	if (left < REC_RECORD_HDR) {
		if (zero_tail(r))
			return torn(r, "zero bytes", 0, 0);
		return torn(r, "%llu of %llu header bytes", left, REC_RECORD_HDR);
	}
	len = rec_le32(h);
	if (len > REC_MAX_PAYLOAD) {
		if (zero_tail(r))
			return torn(r, "zero bytes", 0, 0);
		snprintf(err, errlen, "offset %zu: record length %u exceeds the maximum %u",
			 r->off, len, REC_MAX_PAYLOAD);
		return -1;
	}
	if (left - REC_RECORD_HDR < len) {
		if (zero_tail(r))
			return torn(r, "zero bytes", 0, 0);
		return torn(r, "record of %llu bytes, %llu present", len,
			    left - REC_RECORD_HDR);
	}
	sum = rec_le32(h + 8);
	if (__builtin_expect(rec_checksum(h, h + REC_RECORD_HDR, len) != sum, 0)) {
		if (zero_tail(r))
			return torn(r, "zero bytes", 0, 0);
		if (left - REC_RECORD_HDR == len)
			return torn(r, "checksum mismatch in the last record (index %llu)",
				    r->index, 0);
		snprintf(err, errlen, "offset %zu: record checksum mismatch (record %llu)",
			 r->off, (unsigned long long)r->index);
		return -1;
	}
	seq = rec_le32(h + 12);
	if (seq != (uint32_t)r->index) {
		snprintf(err, errlen, "offset %zu: record sequence %u, expected %u", r->off, seq,
			 (uint32_t)r->index);
		return -1;
	}
	return rec_take(r, out, h, len);
}

int rec_snapshot_apply(const struct rec_record *rec, struct memhp_model *m, char *err,
		       size_t errlen)
{
	uint32_t n, esz, i;
	const uint8_t *p = rec->payload;

	if (rec->len < 8) {
		snprintf(err, errlen, "offset %llu: snapshot record of %u bytes is too short",
			 (unsigned long long)rec->offset, rec->len);
		return -1;
	}
	n = rec_le32(p);
	esz = rec_le32(p + 4);
	if (esz < REC_SNAP_ENTRY || esz > 4096 || (uint64_t)n * esz != rec->len - 8) {
		snprintf(err, errlen,
			 "offset %llu: snapshot of %u entries of %u bytes does not fill %u bytes",
			 (unsigned long long)rec->offset, n, esz, rec->len);
		return -1;
	}
	for (i = 1; i < n; i++) {
		if (rec_le64(p + 8 + (size_t)i * esz) <= rec_le64(p + 8 + (size_t)(i - 1) * esz)) {
			snprintf(err, errlen, "offset %llu: snapshot blocks not in increasing order",
				 (unsigned long long)rec->offset);
			return -1;
		}
	}
	/* the snapshot replaces the blocks, as a sysfs resync does live */
	model_blocks_clear(m);
	for (i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + (size_t)i * esz;
		struct memhp_block *b = model_block_get(m, rec_le64(e));
		uint32_t st = rec_le32(e + 8);

		if (!b) {
			snprintf(err, errlen, "offset %llu: out of memory",
				 (unsigned long long)rec->offset);
			return -1;
		}
		b->state = st <= MEMHP_BLOCK_GOING_OFFLINE ? (enum memhp_block_state)st
							    : MEMHP_BLOCK_UNKNOWN;
		b->node = (int32_t)rec_le32(e + 12);
		if (model_set_zones(m, b, (const char *)e + 16, MEMHP_ZONES_LEN - 1)) {
			snprintf(err, errlen, "offset %llu: out of memory",
				 (unsigned long long)rec->offset);
			return -1;
		}
	}
	return 0;
}

int rec_file_open(struct rec_file *f, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "%s: offset 0: empty file (no header)", path);
		close(fd);
		return -1;
	}
	f->size = (size_t)st.st_size;
	f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		f->map = NULL;
		return -1;
	}
	madvise(f->map, f->size, MADV_SEQUENTIAL);
	return 0;
}

void rec_file_window(struct rec_file *f, size_t off, size_t ahead)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), lo, hi, from;

	if (off > f->size)
		off = f->size;
	/* drop the pages already read from our RSS (the page cache keeps
	 * them), map the next ones in one call instead of a fault each 64K */
	lo = off & ~(pg - 1);
	if (lo > f->dropped) {
		madvise((char *)f->map + f->dropped, lo - f->dropped, MADV_DONTNEED);
		f->dropped = lo;
	} else if (lo < f->dropped) {
		/* back to the start (replay --repeat): what lies below
		 * f->dropped has to come in again */
		f->dropped = lo;
		f->mapped = lo;
	}
	hi = off + ahead < f->size ? off + ahead : f->size;
	/* only what is not mapped yet: on a file smaller than the window,
	 * every pass of replay --repeat asked the kernel to walk its pages
	 * again (~9% of the cached benchmark's time) */
	from = lo > f->mapped ? lo : f->mapped & ~(pg - 1); /* madvise() wants pages */
	if (hi <= from)
		return;
#ifdef MADV_POPULATE_READ
	madvise((char *)f->map + from, hi - from, MADV_POPULATE_READ); /* 5.14+ */
#endif
	f->mapped = hi;
}

void rec_file_close(struct rec_file *f)
{
	if (f->map)
		munmap(f->map, f->size);
	f->map = NULL;
	f->size = 0;
}
