// SPDX-License-Identifier: GPL-2.0
/* The record file format: header encode/decode and the record checksum. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
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
#include <immintrin.h>
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
checksum_sse42(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	/* 64-bit lanes: crc32q's operand, no zero-extension per step */
	LANES_BODY(uint64_t, _mm_crc32_u64, _mm_crc32_u32, _mm_crc32_u8)
}

/*
 * The same checksum for the 256-byte payload of an event record (every
 * record a live session or gen-record writes but the snapshots) with
 * carry-less multiplications instead of a crc32q per word: the 34 crc32q
 * above are bound by that one instruction's throughput (a third of the
 * replay's time in the cached benchmark).
 *
 * Each lane is linear: over the words u[0..m-1] (the lane's initial value
 * XORed into u[0]), its register is U(x) * x^32 mod P with
 * U = sum u[i] * x^(64 * (m-1-i)). Reduce U to 128 bits, as the two-word
 * message X = (lo, hi), and two crc32q give the lane: crc32q(crc32q(0, lo),
 * hi) = (lo * x^64 + hi) * x^32 mod P. The last word goes into hi, the one
 * before into lo, and each word d >= 2 places from the end adds
 * clmul(u, x^(64d - 33) mod P): in the bit-reflected order of CRC32C the
 * product of two words comes out as a 128-bit message times x^33. With
 * 256 bytes every lane's word d places from the end is payload word
 * 4 * (7 - d) + lane (lane 0 starts with the record header's first word,
 * d = 8; lane 1 with the crc32l of the sequence, XORed into its first
 * payload word). The tests compare it with rec_checksum_sw().
 */
#define CLMUL_LEN 256

/* x^e mod P in the reflected order (bit k: the coefficient of x^(31-k)) */
static uint64_t xpow_mod(unsigned int e)
{
	uint32_t c = 0x80000000u; /* 1 */

	while (e--)
		c = (c >> 1) ^ (0x82F63B78u & -(c & 1));
	return c;
}

static uint64_t clmul_k[9]; /* clmul_k[d] = x^(64d - 33) mod P, d >= 1 */
/* per payload word w < 24: clmul_kv[w / 8][w % 8] = clmul_k[7 - w / 4] */
static uint64_t clmul_kv[3][8] __attribute__((aligned(64)));

__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.2"))) static uint32_t
checksum_clmul256(const uint8_t *hdr, const uint8_t *payload)
{
	const uint64_t *k = clmul_k;
	const __m512i k0 = _mm512_load_si512(clmul_kv[0]);
	const __m512i k1 = _mm512_load_si512(clmul_kv[1]);
	const __m512i k2 = _mm512_load_si512(clmul_kv[2]);
	/* lanes 2 and 3 start at ~0, in their first words: payload words 2, 3 */
	const __m512i init = _mm512_set_epi64(0, 0, 0, 0, 0xffffffff, 0xffffffff, 0, 0);
	__m512i z0 = _mm512_xor_si512(_mm512_loadu_si512(payload), init);
	__m512i z1 = _mm512_loadu_si512(payload + 64);
	__m512i z2 = _mm512_loadu_si512(payload + 128);
	__m512i z3 = _mm512_loadu_si512(payload + 192);
	/* even words: 128-bit lanes of lanes 0, 2, 0, 2; odd: 1, 3, 1, 3 */
	__m512i e = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(z0, k0, 0x00),
					      _mm512_clmulepi64_epi128(z1, k1, 0x00),
					      _mm512_clmulepi64_epi128(z2, k2, 0x00), 0x96);
	__m512i o = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(z0, k0, 0x11),
					      _mm512_clmulepi64_epi128(z1, k1, 0x11),
					      _mm512_clmulepi64_epi128(z2, k2, 0x11), 0x96);
	__m256i lo3 = _mm512_castsi512_si256(z3), hi3 = _mm512_extracti64x4_epi64(z3, 1);
	/* words 24-27 are their lanes' lo, 28-31 their hi: (24, 28), (26, 30) */
	__m256i e2 = _mm256_xor_si256(
		_mm256_xor_si256(_mm512_castsi512_si256(e), _mm512_extracti64x4_epi64(e, 1)),
		_mm256_unpacklo_epi64(lo3, hi3));
	__m256i o2 = _mm256_xor_si256(
		_mm256_xor_si256(_mm512_castsi512_si256(o), _mm512_extracti64x4_epi64(o, 1)),
		_mm256_unpackhi_epi64(lo3, hi3));
	uint64_t h0 = rec_le64(hdr) ^ 0xffffffffu;
	uint64_t c1 = _mm_crc32_u32(~0u, rec_le32(hdr + 12));
	__m128i x0 = _mm_xor_si128(_mm256_castsi256_si128(e2),
				   _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)h0),
							_mm_cvtsi64_si128((long long)k[8]), 0x00));
	__m128i x1 = _mm_xor_si128(_mm256_castsi256_si128(o2),
				   _mm_clmulepi64_si128(_mm_cvtsi64_si128((long long)c1),
							_mm_cvtsi64_si128((long long)k[7]), 0x00));
	__m128i x2 = _mm256_extracti128_si256(e2, 1), x3 = _mm256_extracti128_si256(o2, 1);
	uint32_t l0, l1, l2, l3;

	l0 = (uint32_t)_mm_crc32_u64(_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x0)),
				     (uint64_t)_mm_extract_epi64(x0, 1));
	l1 = (uint32_t)_mm_crc32_u64(_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x1)),
				     (uint64_t)_mm_extract_epi64(x1, 1));
	l2 = (uint32_t)_mm_crc32_u64(_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x2)),
				     (uint64_t)_mm_extract_epi64(x2, 1));
	l3 = (uint32_t)_mm_crc32_u64(_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x3)),
				     (uint64_t)_mm_extract_epi64(x3, 1));
	return ~(l0 ^ rol32(l1, 8) ^ rol32(l2, 16) ^ rol32(l3, 24));
}

static int have_sse42 = -1, have_clmul;

static void checksum_init(void)
{
	unsigned int d;

	__builtin_cpu_init();
	have_clmul = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("vpclmulqdq") &&
		     __builtin_cpu_supports("sse4.2");
	for (d = 1; d < 9; d++)
		clmul_k[d] = xpow_mod(64 * d - 33);
	for (d = 0; d < 24; d++)
		clmul_kv[d / 8][d % 8] = clmul_k[7 - d / 4];
	have_sse42 = __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

uint32_t rec_checksum(const uint8_t *hdr, const uint8_t *payload, uint32_t len)
{
	if (__builtin_expect(have_sse42 < 0, 0))
		checksum_init();
	if (len == CLMUL_LEN && have_clmul)
		return checksum_clmul256(hdr, payload);
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
#define H_PART 208	  /* u32: part of a rotated set (1..), 0 a single file */
#define H_SESSION 212 /* u64: the rotated set's session id, 0 a single file */

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
	rec_put32(buf + H_PART, info->part);
	rec_put64(buf + H_SESSION, info->session);
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
	/* reserved (0) in files of memhp before rotation: a single file */
	info->part = rec_le32(buf + H_PART);
	info->session = rec_le64(buf + H_SESSION);
	return 0;
}
