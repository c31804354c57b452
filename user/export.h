/* SPDX-License-Identifier: GPL-2.0 */
/* `memhp export`: Prometheus metrics over HTTP, a textfile, or stdout. */
#ifndef MEMHP_EXPORT_H
#define MEMHP_EXPORT_H

#include <stddef.h>

#include "prom.h"

int cmd_export(int argc, char **argv);

/*
 * Replace @path atomically with @len bytes of @data: a temporary file in the
 * same directory, then rename(2). 0 or -errno with a message in @err.
 */
int export_write_atomic(const char *path, const char *data, size_t len,
			char *err, size_t errlen);
/* The kernel release of @sysroot (proc/sys/kernel/osrelease), or of the
 * running kernel when @sysroot is NULL/""; "unknown" if not known. */
void export_kernel_release(const char *sysroot, char *out, size_t len);
/*
 * Memory groups of a system or tree as prom_groups, found the way
 * user/zoneinfo.c does (ACPI memory devices, virtio-mem regions); needs
 * <sysroot>/proc/zoneinfo. Returns the count (0 when none can be found).
 */
size_t export_snapshot_groups(const char *sysroot, struct prom_group *out,
			      size_t max, char *err, size_t errlen);

#endif
