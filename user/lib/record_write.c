// SPDX-License-Identifier: GPL-2.0
/*
 * The record file writer. Records are appended to a buffer, whole; the
 * buffer goes to the file with write(2) when full and whenever the caller
 * flushes (the recorder does after every ring-buffer poll and at exit), so
 * a killed writer leaves at most a torn last record, which readers skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "record_le.h"

#define WBUF_SIZE (256u << 10)

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * A write that failed (ENOSPC, EFBIG, EIO) may have put part of a record
 * into the file: cut it back to the last whole record, w->bytes, so that
 * the file stays a valid recording and readers see no torn tail. Best
 * effort: if even that fails, the reader's torn-tail rule still applies.
 */
static void fail(struct rec_writer *w, int ret)
{
	w->err = -ret;
	if (ftruncate(w->fd, (off_t)w->bytes))
		w->trunc_err = errno;
}

int rec_flush(struct rec_writer *w)
{
	int ret;

	if (w->err)
		return -w->err;
	if (!w->len)
		return 0;
	ret = write_all(w->fd, w->buf, w->len);
	if (ret) {
		fail(w, ret);
		return ret;
	}
	w->bytes += w->len;
	w->len = 0;
	return 0;
}

int rec_writer_open(struct rec_writer *w, const char *path, const struct rec_info *info,
		    char *err, size_t errlen)
{
	return rec_writer_open_flags(w, path, info, O_TRUNC, err, errlen);
}

int rec_writer_open_flags(struct rec_writer *w, const char *path, const struct rec_info *info,
			  int oflags, char *err, size_t errlen)
{
	uint8_t hdr[REC_HEADER_SIZE];
	int ret;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->buf = malloc(WBUF_SIZE);
	if (!w->buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	w->cap = WBUF_SIZE;
	w->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | oflags, 0644);
	if (w->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(w->buf);
		w->buf = NULL;
		return ret;
	}
	rec_header_encode(info, hdr);
	/* The header goes out at once: a file killed before its first flush
	 * is still a valid, empty recording. */
	ret = write_all(w->fd, hdr, sizeof(hdr));
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		/* not even a header: no file rather than an invalid one */
		unlink(path);
		close(w->fd);
		free(w->buf);
		w->buf = NULL;
		w->fd = -1;
		return ret;
	}
	w->bytes = sizeof(hdr);
	return 0;
}

int rec_write(struct rec_writer *w, enum rec_type type, const void *payload, uint32_t len)
{
	uint8_t hdr[REC_RECORD_HDR];
	size_t need = REC_RECORD_HDR + (size_t)len;
	int ret;

	if (w->err)
		return -w->err;
	if (len > REC_MAX_PAYLOAD)
		return -E2BIG;
	rec_put32(hdr, len);
	rec_put16(hdr + 4, (uint16_t)type);
	rec_put16(hdr + 6, 0);
	rec_put32(hdr + 12, (uint32_t)w->records);
	rec_put32(hdr + 8, rec_checksum(hdr, payload, len));
	if (w->len + need > w->cap) {
		ret = rec_flush(w);
		if (ret)
			return ret;
	}
	if (need > w->cap) {
		/* larger than the buffer (a big snapshot): header and payload
		 * straight to the file, nothing buffered in between */
		ret = write_all(w->fd, hdr, sizeof(hdr));
		if (!ret)
			ret = write_all(w->fd, payload, len);
		if (ret) {
			fail(w, ret);
			return ret;
		}
		w->bytes += need;
	} else {
		memcpy(w->buf + w->len, hdr, sizeof(hdr));
		memcpy(w->buf + w->len + sizeof(hdr), payload, len);
		w->len += need;
	}
	w->records++;
	if (type == REC_EVENT)
		w->events++;
	return 0;
}

int rec_write_snapshot(struct rec_writer *w, const struct memhp_model *m)
{
	size_t n = m->nr_blocks, i;
	size_t len = 8 + n * REC_SNAP_ENTRY;
	uint8_t *p;
	int ret;

	if (len > REC_MAX_PAYLOAD)
		return -E2BIG;
	p = calloc(1, len);
	if (!p)
		return -ENOMEM;
	rec_put32(p, (uint32_t)n);
	rec_put32(p + 4, REC_SNAP_ENTRY);
	for (i = 0; i < n; i++) {
		const struct memhp_block *b = &m->blocks[i];
		uint8_t *e = p + 8 + i * REC_SNAP_ENTRY;

		rec_put64(e, b->id);
		rec_put32(e + 8, (uint32_t)b->state);
		rec_put32(e + 12, (uint32_t)b->node);
		/* e[16 + strlen] to e[79] stay '\0' */
		memcpy(e + 16, model_zones(m, b), strlen(model_zones(m, b)));
	}
	ret = rec_write(w, REC_SNAPSHOT, p, (uint32_t)len);
	free(p);
	return ret;
}

int rec_write_lost(struct rec_writer *w, uint64_t lost_total)
{
	uint8_t p[8];

	rec_put64(p, lost_total);
	w->lost = lost_total;
	return rec_write(w, REC_LOST, p, sizeof(p));
}

int rec_writer_close(struct rec_writer *w)
{
	int ret = 0;

	if (w->fd >= 0) {
		ret = rec_flush(w);
		if (fsync(w->fd) && !ret && errno != EINVAL)
			ret = -errno;
		if (close(w->fd) && !ret)
			ret = -errno;
	}
	free(w->buf);
	w->buf = NULL;
	w->fd = -1;
	return ret ? ret : (w->err ? -w->err : 0);
}
