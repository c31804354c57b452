// SPDX-License-Identifier: GPL-2.0
/* Free space against a floor (diskfree.h). */
#include <errno.h>

#include "diskfree.h"

diskfree_statvfs_fn diskfree_statvfs = statvfs;

int diskfree_get(const char *dir, struct diskfree *df)
{
	struct statvfs st;
	unsigned long unit;

	if (diskfree_statvfs(dir, &st))
		return -errno;
	/* f_frsize is the unit of the block counts; 0 on odd file systems */
	unit = st.f_frsize ? st.f_frsize : st.f_bsize;
	df->avail = (uint64_t)st.f_bavail * unit;
	df->total = (uint64_t)st.f_blocks * unit;
	return 0;
}

uint64_t diskfree_floor(const struct diskfree *df, uint64_t floor_bytes, unsigned int pct,
			uint64_t cap)
{
	uint64_t f;

	if (!pct)
		return floor_bytes;
	f = df->total / 100 * pct + df->total % 100 * pct / 100;
	return cap && f > cap ? cap : f;
}
