// SPDX-License-Identifier: GPL-2.0
/* A readiness scan kept between policy evaluations (see readiness_keep.h). */
#include <string.h>

#include "readiness_keep.h"

void rd_keep_init(struct rd_keep *k, double interval)
{
	memset(k, 0, sizeof(*k));
	readiness_init(&k->rd);
	k->interval = interval > 0 ? interval : RD_KEEP_DEFAULT_S;
}

void rd_keep_free(struct rd_keep *k)
{
	readiness_free(&k->rd);
	k->valid = false;
}

const struct readiness *rd_keep_get(struct rd_keep *k, const char *sysroot, double now,
				    bool *scanned)
{
	struct rd_opts o = { .sysroot = sysroot, .balloon_compaction = -1 };

	if (scanned)
		*scanned = false;
	/* a clock that went back (or the first call) counts as due */
	/* a zeroed struct is a keeper with the default interval */
	if (k->scanned_at > 0 && now >= k->scanned_at &&
	    now - k->scanned_at < (k->interval > 0 ? k->interval : RD_KEEP_DEFAULT_S))
		return k->valid ? &k->rd : NULL;
	if (scanned)
		*scanned = true;
	k->scanned_at = now;
	k->scans++;
	readiness_free(&k->rd);
	readiness_init(&k->rd);
	k->valid = !readiness_scan(&k->rd, &o, k->error, sizeof(k->error));
	if (!k->valid) {
		k->failures++;
		readiness_free(&k->rd);
		readiness_init(&k->rd);
		return NULL;
	}
	k->error[0] = '\0';
	return &k->rd;
}
