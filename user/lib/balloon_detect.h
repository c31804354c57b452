/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_DETECT_H
#define MEMHP_BALLOON_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/*
 * Active balloon drivers under @sysroot (NULL or "": /) and whether they
 * have balloon compaction: virtio_balloon bound to a device (compaction
 * from /proc/kallsyms "virtballoon_migratepage", else the kernel config
 * CONFIG_BALLOON_COMPACTION in /boot/config-RELEASE or DIR/config, else
 * unknown), hv_balloon bound to a VMBus device and the Xen balloon
 * (/sys/devices/system/xen_memory): never. Returns how many (<= max).
 */
size_t check_detect_balloons(const char *sysroot, struct policy_balloon *out,
			     size_t max);
/* <root><rel> is a driver directory with a device bound to it (root "": /). */
bool balloon_driver_bound(const char *root, const char *rel);

#endif
