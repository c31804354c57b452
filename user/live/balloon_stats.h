/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_STATS_H
#define MEMHP_BALLOON_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "balloon_vmstat.h"
#include "memhp.h"

struct memhp_loader;

struct balloon_dev {
	uint64_t key; /* struct balloon_dev_info *; 0: the one driver, 1: unattributed */
	char driver[64];
	struct memhp_balloon_stats s; /* summed over CPUs */
};

/*
 * The balloon counts since @base (the /proc/vmstat counters when the
 * session opened; NULL: none), per driver; devices found (<= max) or
 * -errno. With --balloon-pages (loader_balloon_pages()) they are the
 * per-CPU "balloons" map, exact per device. Without, the kernel's vmstat
 * deltas, attributed by balloon_attribute().
 */
int balloon_read(struct memhp_loader *l, const char *sysroot, const struct balloon_vmstat *base,
		 struct balloon_dev *out, size_t max);
/*
 * The kernel's totals @total given to drivers: @devs (n of them, room for
 * @max) are the devices the batch programs saw (balloon_page_list_enqueue,
 * balloon_page_migrate), @drivers the active ones that count balloon vm
 * events (balloon_vmstat_drivers()). One driver known (the usual case: a
 * guest has one balloon): it gets the totals, exact. None: one "unknown"
 * entry. Several: the devices keep what the batch programs counted and the
 * rest is one "unattributed" entry (--balloon-pages splits it). Entries
 * only once something was counted. Returns the entries in @devs.
 */
int balloon_attribute(struct balloon_dev *devs, int n, size_t max,
		      const struct balloon_vmstat *total,
		      const char (*drivers)[BALLOON_DRIVER_LEN], size_t nd);
/* "virtballoon_migratepage [virtio_balloon]" -> "virtio_balloon". */
/*
 * Names the balloon devices' callbacks now (ksym_name()'s cache): called
 * by the session's main thread, which can read kallsyms addresses, so that
 * threads without CAP_SYSLOG (export's HTTP thread) find the names cached.
 */
void balloon_names_prime(struct memhp_loader *l);
void balloon_driver_name(const char *sym, char *out, size_t len);

#endif
