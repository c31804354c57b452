/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offlines in flight, from OFFLINE_PROGRESS events (an offline_pages() call
 * running past --stuck-after) until its OFFLINE event: what `memhp top`
 * shows under RUNNING and the exporter as memhp_offline_running_seconds.
 */
#ifndef MEMHP_OFFRUN_H
#define MEMHP_OFFRUN_H

#include <stdint.h>
#include <stdio.h>

#include "memhp.h"

#define OFFRUN_MAX 16
/* An entry with no progress for this long is dropped: its OFFLINE event was
 * lost (counted and said elsewhere), progress comes every second or so. */
#define OFFRUN_STALE_NS (60ULL * 1000000000ULL)

struct offrun_entry {
	uint32_t pid;
	uint64_t start_pfn, nr_pages;
	uint64_t ts_ns;	     /* ktime of the last progress event */
	uint64_t elapsed_ns; /* running time at that event */
	uint32_t passes;
	uint64_t migrated, failed;
	uint64_t blocker_pfn; /* UINT64_MAX: none named */
	unsigned int blocker_kind; /* memhp_event.blocker_kind */
	char blocker_why[MEMHP_BLOCKER_WHY_LEN];
	char comm[MEMHP_COMM_LEN];
	unsigned int phase;
};

struct offrun {
	struct offrun_entry e[OFFRUN_MAX];
	unsigned int n;
	uint64_t dropped; /* progress of more than OFFRUN_MAX offlines at once */
};

/* Apply one event: progress adds or updates, the offline event removes. */
void offrun_event(struct offrun *r, const struct memhp_event *e);
/* Forget entries whose last progress is older than OFFRUN_STALE_NS at @now_ns. */
void offrun_expire(struct offrun *r, uint64_t now_ns);
/* Running time of entry @i at @now_ns (ktime), extrapolated from its last progress. */
uint64_t offrun_elapsed_ns(const struct offrun_entry *x, uint64_t now_ns);
/* One line per entry: "block 48  running 12.0s  migration, 40 passes ..." */
void offrun_line(const struct offrun_entry *x, uint64_t pages_per_block, uint64_t now_ns,
		 char *buf, size_t len);

#endif
