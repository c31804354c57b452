/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The value of one hexadecimal digit, for the readers of sysfs
 * (block_size_bytes), /proc/iomem and the zone-info files: they take
 * strings from the kernel without a prefix and want an exact error on
 * anything else, which strtoull (spaces, signs, "0x" anywhere) does not give.
 */
#ifndef MEMHP_HEXDIGIT_H
#define MEMHP_HEXDIGIT_H

/* 0..15, or -1 when c is not a hexadecimal digit. */
static inline int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
