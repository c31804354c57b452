// SPDX-License-Identifier: GPL-2.0
/* The record file format: header encode/decode and the record checksum. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "memhp.h"
#include "record.h"
#include "record_le.h"

/* --- CRC32C (Castagnoli, reflected 0x82F63B78) --------------------------------- */

static uint32_t crc_table[256];

static void crc_table_init(void)
{
	uint32_t i, j, c;

	if (crc_table[1])
		return;
	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (0x82F63B78u & -(c & 1));
		crc_table[i] = c;
	}
}

/* Plain CRC32C of @buf (initial ~0, final ~0), used for the header. */
uint32_t rec_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc_table_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* One step of the CRC32C register over 8 little-endian bytes, like SSE4.2's
 * crc32q (no inversion). */
static inline uint32_t crc_u64_sw(uint32_t crc, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		crc = crc_table[(crc ^ v) & 0xff] ^ (crc >> 8);
	return crc;
}

static inline uint32_t crc_u8_sw(uint32_t crc, uint8_t v)
{
	return crc_table[(crc ^ v) & 0xff] ^ (crc >> 8);
}

static inline uint32_t rol32(uint32_t v, int s)
{
	return (v << s) | (v >> (32 - s));
}

/*
 * Four independent CRC32C lanes over the record's 64-bit words, folded
 * into one value: the lanes have no data dependency between them, so the
 * CPU runs them in parallel. One plain CRC32C chain costs the crc32
 * instruction's latency (3 cycles) per 8 bytes, which alone would take
 * most of a replay's per-event budget (docs/record.md).
 */
#define LANES_BODY(T, U64, U32, U8)                                            \
	T l0 = ~0u, l1 = ~0u, l2 = ~0u, l3 = ~0u, tail;                       \
	uint32_t n = len / 8, i;                                               \
                                                                               \
	l0 = U64(l0, rec_le64(hdr));                                           \
	l1 = U32(l1, rec_le32(hdr + 12));                                      \
	for (i = 0; i + 4 <= n; i += 4) {                                      \
		l0 = U64(l0, rec_le64(payload + 8 * i));                       \
		l1 = U64(l1, rec_le64(payload + 8 * i + 8));                   \
		l2 = U64(l2, rec_le64(payload + 8 * i + 16));                  \
		l3 = U64(l3, rec_le64(payload + 8 * i + 24));                  \
	}                                                                      \
	/* words left (0-3) go to lanes 0, 1, 2; bytes left to the next */     \
	if (i < n)                                                             \
		l0 = U64(l0, rec_le64(payload + 8 * i++));                     \
	if (i < n)                                                             \
		l1 = U64(l1, rec_le64(payload + 8 * i++));                     \
	if (i < n)                                                             \
		l2 = U64(l2, rec_le64(payload + 8 * i++));                     \
	if (len % 8) { /* no pointers into the lanes: they stay in registers */ \
		tail = n % 4 == 0 ? l0 : n % 4 == 1 ? l1 : n % 4 == 2 ? l2 : l3; \
		for (i = n * 8; i < len; i++)                                  \
			tail = U8(tail, payload[i]);                           \
		if (n % 4 == 0)                                                \
			l0 = tail;                                             \
		else if (n % 4 == 1)                                           \
			l1 = tail;                                             \
		else if (n % 4 == 2)                                           \
			l2 = tail;                                             \
		else                                                           \
			l3 = tail;                                             \
	}                                                                      \
	return ~((uint32_t)l0 ^ rol32((uint32_t)l1, 8) ^ rol32((uint32_t)l2, 16) ^  \
		 rol32((uint32_t)l3, 24));

static inline uint32_t crc_u32_sw(uint32_t crc, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++, v >>= 8)
		crc = crc_table[(crc ^ v) & 0xff] ^ (crc >> 8);
	return crc;
}

uint32_t rec_checksum_sw(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	crc_table_init();
	LANES_BODY(uint32_t, crc_u64_sw, crc_u32_sw, crc_u8_sw)
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
checksum_sse42(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	/* 64-bit lanes: crc32q's operand, no zero-extension per step */
	LANES_BODY(uint64_t, _mm_crc32_u64, _mm_crc32_u32, _mm_crc32_u8)
}

static int have_sse42 = -1;

uint32_t rec_checksum(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	if (__builtin_expect(have_sse42 < 0, 0))
		have_sse42 = __builtin_cpu_supports("sse4.2") ? 1 : 0;
	if (have_sse42)
		return checksum_sse42(hdr, payload, len);
	return rec_checksum_sw(hdr, payload, len);
}
#else
uint32_t rec_checksum(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	return rec_checksum_sw(hdr, payload, len);
}
#endif

/* --- header ---------------------------------------------------------------------- */

/* Offsets in the header (docs/record.md). */
#define H_VERSION 8
#define H_ABI 10
#define H_SIZE 12
#define H_BLOCK 16
#define H_PAGE 24
#define H_FLAGS 28
#define H_REAL 32
#define H_MONO 40
#define H_RELEASE 48
#define H_MACHINE 128
#define H_HOST 144
#define H_FIXED 208 /* bytes a reader needs: up to the hostname's end */

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rec_info_now(struct rec_info *info, const struct memhp_model *m)
{
	struct utsname u;

	memset(info, 0, sizeof(*info));
	info->version = REC_FORMAT_VERSION;
	info->event_abi = MEMHP_ABI_VERSION;
	info->header_size = REC_HEADER_SIZE;
	info->block_size = m->block_size;
	info->page_size = (uint32_t)m->page_size;
	info->start_realtime_ns = clock_ns(CLOCK_REALTIME);
	info->start_monotonic_ns = clock_ns(CLOCK_MONOTONIC);
	if (!uname(&u)) {
		snprintf(info->release, sizeof(info->release), "%s", u.release);
		snprintf(info->machine, sizeof(info->machine), "%s", u.machine);
		snprintf(info->hostname, sizeof(info->hostname), "%s", u.nodename);
	}
}

static void put_str(uint8_t *dst, const char *s, size_t n)
{
	size_t l = strnlen(s, n - 1);

	memset(dst, 0, n);
	memcpy(dst, s, l);
}

void rec_header_encode(const struct rec_info *info, uint8_t *buf)
{
	memset(buf, 0, REC_HEADER_SIZE);
	memcpy(buf, REC_MAGIC, 8);
	rec_put16(buf + H_VERSION, REC_FORMAT_VERSION);
	rec_put16(buf + H_ABI, info->event_abi);
	rec_put32(buf + H_SIZE, REC_HEADER_SIZE);
	rec_put64(buf + H_BLOCK, info->block_size);
	rec_put32(buf + H_PAGE, info->page_size);
	rec_put32(buf + H_FLAGS, 0);
	rec_put64(buf + H_REAL, (uint64_t)info->start_realtime_ns);
	rec_put64(buf + H_MONO, (uint64_t)info->start_monotonic_ns);
	put_str(buf + H_RELEASE, info->release, 80);
	put_str(buf + H_MACHINE, info->machine, 16);
	put_str(buf + H_HOST, info->hostname, 64);
	rec_put32(buf + REC_HEADER_SIZE - 4, rec_crc32c(0, buf, REC_HEADER_SIZE - 4));
}

static void get_str(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n - 1] = '\0';
}

int rec_header_decode(const uint8_t *buf, size_t len, struct rec_info *info, char *err,
		      size_t errlen)
{
	uint32_t hs, want;

	memset(info, 0, sizeof(*info));
	if (len < 8 || memcmp(buf, REC_MAGIC, 8)) {
		snprintf(err, errlen, "offset 0: not a memhp record file (bad magic)");
		return -1;
	}
	if (len < 16) {
		snprintf(err, errlen, "offset %zu: truncated header (%zu bytes)", len, len);
		return -1;
	}
	info->version = rec_le16(buf + H_VERSION);
	info->event_abi = rec_le16(buf + H_ABI);
	hs = rec_le32(buf + H_SIZE);
	if (info->version == 0 || info->version > REC_FORMAT_VERSION) {
		snprintf(err, errlen,
			 "offset %d: record format version %u is not supported (this memhp reads %d)",
			 H_VERSION, info->version, REC_FORMAT_VERSION);
		return -1;
	}
	if (hs < REC_HEADER_SIZE || hs > REC_HEADER_MAX) {
		snprintf(err, errlen, "offset %d: header size %u out of range (%d to %d)", H_SIZE,
			 hs, REC_HEADER_SIZE, REC_HEADER_MAX);
		return -1;
	}
	if (len < hs) {
		snprintf(err, errlen, "offset %zu: truncated header (%zu of %u bytes)", len, len,
			 hs);
		return -1;
	}
	want = rec_le32(buf + hs - 4);
	if (rec_crc32c(0, buf, hs - 4) != want) {
		snprintf(err, errlen, "offset %u: header checksum mismatch", hs - 4);
		return -1;
	}
	if (info->event_abi == 0 || info->event_abi > MEMHP_ABI_VERSION) {
		snprintf(err, errlen,
			 "offset %d: events of ABI %u are not supported (this memhp reads %d)",
			 H_ABI, info->event_abi, MEMHP_ABI_VERSION);
		return -1;
	}
	info->header_size = hs;
	info->block_size = rec_le64(buf + H_BLOCK);
	info->page_size = rec_le32(buf + H_PAGE);
	/* block and page size drive all block arithmetic: sane powers of 2 */
	if (info->page_size < 512 || info->page_size > (1u << 20) ||
	    (info->page_size & (info->page_size - 1))) {
		snprintf(err, errlen, "offset %d: page size %u is not a power of 2 in 512..1M",
			 H_PAGE, info->page_size);
		return -1;
	}
	if (info->block_size < info->page_size || info->block_size > (1ull << 40) ||
	    (info->block_size & (info->block_size - 1))) {
		snprintf(err, errlen,
			 "offset %d: block size %llu is not a power of 2 from the page size to 1T",
			 H_BLOCK, (unsigned long long)info->block_size);
		return -1;
	}
	info->start_realtime_ns = (int64_t)rec_le64(buf + H_REAL);
	info->start_monotonic_ns = (int64_t)rec_le64(buf + H_MONO);
	get_str(info->release, buf + H_RELEASE, 80);
	get_str(info->machine, buf + H_MACHINE, 16);
	get_str(info->hostname, buf + H_HOST, 64);
	return 0;
}
