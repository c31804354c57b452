/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free space of the file system a recording goes to, against a floor
 * (`memhp record --min-free`): statvfs(3)'s f_bavail, what an unprivileged
 * writer may still use, so root's reserved blocks stay untouched as well.
 */
#ifndef MEMHP_DISKFREE_H
#define MEMHP_DISKFREE_H

#include <stdint.h>
#include <sys/statvfs.h>

/* The default floor: 5% of the file system, at most 256 MiB. */
#define DISKFREE_DEFAULT_PCT 5
#define DISKFREE_DEFAULT_CAP (256ull << 20)

/* statvfs(3), or a test's stand-in. */
typedef int (*diskfree_statvfs_fn)(const char *path, struct statvfs *st);
extern diskfree_statvfs_fn diskfree_statvfs;

struct diskfree {
	uint64_t avail; /* bytes an unprivileged writer may still use */
	uint64_t total; /* bytes of the file system */
};

/* Free space of the file system holding @dir: 0 or -errno. */
int diskfree_get(const char *dir, struct diskfree *df);

/*
 * The floor in bytes: @floor_bytes if set (@pct 0), else @pct percent of
 * the file system, capped at @cap (0: no cap).
 */
uint64_t diskfree_floor(const struct diskfree *df, uint64_t floor_bytes, unsigned int pct,
			uint64_t cap);

#endif
