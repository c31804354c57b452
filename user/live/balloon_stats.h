/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_STATS_H
#define MEMHP_BALLOON_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "memhp.h"

struct memhp_loader;

struct balloon_dev {
	uint64_t key; /* struct balloon_dev_info * */
	char driver[64];
	struct memhp_balloon_stats s; /* summed over CPUs */
};

/* Reads the per-CPU "balloons" map; returns devices found (<= max) or -errno. */
int balloon_read(struct memhp_loader *l, struct balloon_dev *out, size_t max);
/* "virtballoon_migratepage [virtio_balloon]" -> "virtio_balloon". */
void balloon_driver_name(const char *sym, char *out, size_t len);

#endif
