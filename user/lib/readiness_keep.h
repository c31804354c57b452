/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An unplug readiness scan kept between policy evaluations, for the live
 * commands (export, trace, top) that evaluate the min-unpluggable rule.
 * A scan reads every online page's flags (~0.3 s of CPU for 24 GiB on the
 * build host), so it is redone at most every @interval seconds, never per
 * event or per evaluation: in between, the rule is evaluated on the last
 * scan (docs/readiness.md, "live").
 */
#ifndef MEMHP_READINESS_KEEP_H
#define MEMHP_READINESS_KEEP_H

#include <stdbool.h>

#include "readiness.h"

/* Between scans when the command has no interval of its own. */
#define RD_KEEP_DEFAULT_S 60.0

struct rd_keep {
	struct readiness rd;
	bool valid;	     /* rd holds the last scan, which worked */
	double scanned_at;   /* monotonic seconds of the last attempt; 0 never */
	double interval;
	unsigned int scans, failures;
	char error[256]; /* why the last scan failed */
};

/* A zeroed struct rd_keep is one with the default interval, too. */
void rd_keep_init(struct rd_keep *k, double interval);
void rd_keep_free(struct rd_keep *k);

/*
 * The scan to evaluate with at @now (monotonic seconds): scans <sysroot>
 * (NULL: /) first when none was attempted for @interval seconds. NULL when
 * the last attempt failed (k->error says why). *@scanned (may be NULL)
 * tells whether this call scanned.
 */
const struct readiness *rd_keep_get(struct rd_keep *k, const char *sysroot, double now,
				    bool *scanned);

#endif
