/* SPDX-License-Identifier: GPL-2.0 */
/* Little-endian loads and stores of record files (any alignment). */
#ifndef MEMHP_RECORD_LE_H
#define MEMHP_RECORD_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/* memcpy + byte order: one plain move on x86-64 and arm64. */
static inline uint64_t rec_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint32_t rec_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline uint16_t rec_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static inline void rec_put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static inline void rec_put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline void rec_put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

#endif
