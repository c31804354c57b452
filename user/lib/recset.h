/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rotated record sets (docs/record.md "Rotation"): `memhp record -o FILE`
 * with rotation writes FILE.000001, FILE.000002, ... (six digits at least,
 * more after 999999), each a complete record file whose header names its
 * part number and the session. Numbers only grow, nothing is renamed: a
 * reader listing the set while the recorder writes sees the same names.
 */
#ifndef MEMHP_RECSET_H
#define MEMHP_RECSET_H

#include <stddef.h>
#include <stdint.h>

#define RECSET_DIGITS 6

/* @base "." the part number in RECSET_DIGITS digits; -1 if it does not fit. */
int recset_part_name(char *buf, size_t len, const char *base, uint32_t part);

/*
 * The part number of @name if it is @base "." and decimal digits (at least
 * RECSET_DIGITS, no sign, 1 to UINT32_MAX), else 0. @base and @name are
 * file names without a directory.
 */
uint32_t recset_part_of(const char *base, const char *name);

struct recset_file {
	char *path;
	uint32_t part;
};

/*
 * The parts of the set @base (a path) on disk, in increasing part order:
 * 0 with *files (free with recset_free()) and *n (0: none), or -errno
 * with a reason in @err (the directory cannot be read).
 */
int recset_list(const char *base, struct recset_file **files, size_t *n, char *err,
		size_t errlen);
void recset_free(struct recset_file *files, size_t n);

#endif
