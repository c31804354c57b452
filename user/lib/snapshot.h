/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_SNAPSHOT_H
#define MEMHP_SNAPSHOT_H

#include <stddef.h>

#include "model.h"
#include "prom.h"

/* The kernel release of @sysroot (proc/sys/kernel/osrelease), or of the
 * running kernel when @sysroot is NULL/""; "unknown" if not known. */
void snapshot_kernel_release(const char *sysroot, char *out, size_t len);
/*
 * Memory groups of a system or tree as prom_groups, found the way
 * user/lib/zi_system.c does (ACPI memory devices, virtio-mem regions); needs
 * <sysroot>/proc/zoneinfo. Returns the count (0 when none can be found).
 */
size_t snapshot_groups(const char *sysroot, struct prom_group *out, size_t max, char *err,
		       size_t errlen);

/*
 * The memory group of each block of @m, found as snapshot_groups() finds
 * the groups (sysfs has no group attribute), written into the blocks'
 * event data (model_block_ev) where events have not told it already: what
 * `memhp ls -o +GROUP` shows without BPF. Returns how many blocks got a
 * group; 0 with @err set when the groups cannot be found.
 */
size_t snapshot_block_groups(const char *sysroot, struct memhp_model *m, char *err,
			     size_t errlen);

#endif
