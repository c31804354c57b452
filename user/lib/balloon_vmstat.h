/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_VMSTAT_H
#define MEMHP_BALLOON_VMSTAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The kernel's own balloon counters: the BALLOON_INFLATE / BALLOON_DEFLATE /
 * BALLOON_MIGRATE vm events, which balloon_page_enqueue(),
 * balloon_page_list_enqueue(), balloon_page_list_dequeue() and the drivers'
 * migratepage callbacks count per CPU and /proc/vmstat sums
 * (CONFIG_MEMORY_BALLOON). memhp balloon reads these instead of running a
 * BPF program for every 4 KiB page (bpf/balloon.bpf.c: --balloon-pages).
 */
struct balloon_vmstat {
	uint64_t inflate, deflate, migrate;
};

/* <sysroot>/proc/vmstat (@sysroot NULL or "": /). 0, -ENOENT when the file
 * has no balloon_* lines (kernel without CONFIG_MEMORY_BALLOON), -EINVAL on
 * a malformed value, or the open error. */
int balloon_vmstat_read(const char *sysroot, struct balloon_vmstat *out);
/* @now - @base per counter, 0 where a counter went backwards. */
struct balloon_vmstat balloon_vmstat_delta(const struct balloon_vmstat *now,
					   const struct balloon_vmstat *base);

#define BALLOON_DRIVER_LEN 32
/*
 * The active drivers that count those vm events (they go through
 * mm/balloon_compaction.c): virtio_balloon bound to a device
 * (/sys/bus/virtio/drivers/virtio_balloon), VMware's vmw_balloon loaded
 * (/sys/module/vmw_balloon: its init fails off VMware) and the pSeries
 * CMM (/sys/devices/system/cmm/cmm0). hv_balloon and the Xen balloon do not
 * count them. Names into @out; returns how many (<= max).
 */
size_t balloon_vmstat_drivers(const char *sysroot, char (*out)[BALLOON_DRIVER_LEN],
			      size_t max);

#endif
