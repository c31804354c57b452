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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* One file of what replay was given, with what its header says. */
struct recset_member {
	const char *path;
	size_t index; /* the caller's: where its reader is */
	uint32_t part;	  /* 0: a single file, not a part */
	uint64_t session; /* 0: a single file */
	uint64_t block_size;
	uint32_t page_size;
};

/*
 * Put @n members into replay order (by part) and check that they are one
 * recording: -1 with the reason in @err for a single file among parts,
 * parts of different sessions (or sizes), or a part given twice; else the
 * number of warnings written to @notes ("@prog: warning: ..." lines):
 * files given out of order, parts missing between two given ones. A set
 * starting after part 1 (older parts removed) is a note, not a warning.
 */
int recset_order(struct recset_member *v, size_t n, FILE *notes, const char *prog, char *err,
		 size_t errlen);
