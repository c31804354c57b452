/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A starting state for the zone algorithm (user/lib/zonealgo.h) from a running
 * system or a copied tree (<sysroot>/sys/..., <sysroot>/proc/...):
 *
 *   /proc/zoneinfo                        zone spans, present and CMA pages
 *   /sys/devices/system/memory            blocks (user/lib/sysfs.c), and each
 *     memoryN/firmware_node                 ACPI memory device (a DIMM: one
 *                                           static memory group)
 *   /proc/iomem                           virtio-mem regions ("virtioN" with
 *                                           "System RAM (virtio_mem)": one
 *                                           dynamic group), dax/kmem ranges
 *   /sys/firmware/memmap                  boot (e820) vs hot-added RAM
 *   /sys/module/memory_hotplug/parameters online_policy, auto_movable_ratio,
 *                                           auto_movable_numa_aware
 *   /sys/module/virtio_mem/parameters     force_bbm, bbm_block_size
 *   /proc/cmdline                         movable_node
 *
 * The kernel does not show present *early* pages per zone; they are derived
 * as present - the pages of online hot-added blocks in that zone.
 *
 * Every parser here is defensive: any byte sequence is accepted, oddities
 * are counted and described, never fatal unless nothing usable is left.
 */
#ifndef MEMHP_ZONEINFO_H
#define MEMHP_ZONEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "zonealgo.h"

/* --- /proc/zoneinfo ------------------------------------------------------ */

struct zi_zone {
	int nid;
	int zid;       /* enum za_zone_id, -1 for a name we do not model */
	char name[16]; /* as printed ("DMA32", "HighMem" ...) */
	uint64_t spanned, present, managed, cma, start_pfn;
	bool has_spanned, has_present, has_managed, has_cma, has_start;
};

struct zoneinfo {
	struct zi_zone *zones;
	size_t nr, cap;
	unsigned int malformed; /* lines that looked like ours but were not */
	char first[160];	/* the first problem, "" if none */
};

#define ZI_MAX_FILE (64u << 20) /* larger files are cut here */

/* Parse @len bytes (any content). 0, -ENOMEM, or -EINVAL: no zone at all. */
int zoneinfo_parse(const char *buf, size_t len, struct zoneinfo *zi);
/* Read and parse @path; -errno with a message in @err. */
int zoneinfo_read(const char *path, struct zoneinfo *zi, char *err,
		  size_t errlen);
void zoneinfo_free(struct zoneinfo *zi);
const struct zi_zone *zoneinfo_find(const struct zoneinfo *zi, int nid,
				    int zid);

/* --- /proc/iomem --------------------------------------------------------- */

struct zi_resource {
	uint64_t start, end; /* inclusive, as printed */
	int depth;	     /* indentation / 2 */
	int parent;	     /* index, -1 at top level */
	char name[64];
};

struct zi_iomem {
	struct zi_resource *res;
	size_t nr, cap;
	unsigned int malformed;
	bool zeroed; /* every address 0: read without CAP_SYS_ADMIN */
};

int iomem_parse(const char *buf, size_t len, struct zi_iomem *io);
void iomem_free(struct zi_iomem *io);

/* --- /sys/firmware/memmap ------------------------------------------------ */

struct zi_memmap_entry {
	unsigned int index;  /* the directory name */
	uint64_t start, end; /* inclusive */
	char type[32];
	bool boot; /* from the boot firmware map, not added by hotplug */
};

struct zi_memmap {
	struct zi_memmap_entry *e; /* sorted by index */
	size_t nr, cap;
	unsigned int malformed;
};

/* Reads @dir/N/{start,end,type}; -ENOENT if @dir does not exist. */
int memmap_read(const char *dir, struct zi_memmap *mm);
/*
 * Mark the boot entries: the firmware map is sorted by address at boot and
 * hot-added entries are appended, so the first entry that starts below an
 * earlier one's end, or that is exactly one of the @nr_late hot-added byte
 * ranges [late[2i], late[2i+1]) (an ACPI memory device's range), begins
 * the appended tail.
 */
void memmap_mark_boot(struct zi_memmap *mm, const uint64_t *late,
		      size_t nr_late);
void memmap_free(struct zi_memmap *mm);

/* --- the whole system --------------------------------------------------- */

enum zi_dev_kind {
	ZI_DEV_DIMM = 0,   /* ACPI memory device: static group */
	ZI_DEV_VIRTIO_MEM, /* dynamic group */
	ZI_DEV_KMEM,	   /* dax/kmem: static group */
	ZI_DEV_RAW,	   /* added without a group (probe, hv_balloon...) */
};

/* Where a virtio-mem device's (un)plug unit came from. */
enum zi_sb_source {
	ZI_SB_UNKNOWN = 0, /* no log line: callers fall back to memory blocks */
	ZI_SB_LOG,	   /* "subblock size:" / "big block size:" logged */
	ZI_SB_DEVICE_BS,   /* computed from "device block size:" */
};

struct zi_device {
	enum zi_dev_kind kind;
	char name[40];
	int group; /* memory group id in the state, -1 none */
	int nid;   /* -1 unknown */
	/* Physical region in blocks [first, end) (virtio-mem, kmem); end 0:
	 * unknown / unbounded. */
	uint64_t region_first, region_end;
	uint64_t unit_pages; /* virtio-mem: memory group unit */
	/*
	 * virtio-mem: the unit the driver plugs and unplugs in (bytes; 0
	 * unknown): the subblock in Sub Block Mode, the big block in Big
	 * Block Mode (sb_bbm). Only the kernel log tells it (zi_system.c).
	 */
	uint64_t dev_block_bytes, sb_bytes;
	enum zi_sb_source sb_source;
	bool sb_bbm;
	bool detected;	     /* found on the system (not made by an op) */
};

struct zi_system {
	struct za_state st;
	uint64_t page_size;
	uint64_t block_size; /* bytes */
	int auto_online;     /* MMOP_* of auto_online_blocks, -1 unknown */
	struct zi_device *devs;
	size_t nr_devs, cap_devs;
	char **warnings;
	size_t nr_warnings;
	unsigned int dropped_warnings; /* beyond ZI_MAX_WARNINGS */
	/* what was found */
	size_t nr_early, nr_hotplugged;
	bool have_memmap, have_iomem;
};

#define ZI_MAX_WARNINGS 64

void zi_system_init(struct zi_system *s);
void zi_system_free(struct zi_system *s);
/* printf-style; kept in s->warnings (bounded). */
void zi_warn(struct zi_system *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a device; its index or -ENOMEM. */
int zi_device_add(struct zi_system *s, const struct zi_device *d);
struct zi_device *zi_device_find(struct zi_system *s, const char *name);

/*
 * Build @s from the running system (@sysroot NULL or "") or a tree.
 * Returns 0 or -errno with a one-line message in @err (unreadable or
 * unusable input); soft problems go to s->warnings.
 */
int zi_system_load(struct zi_system *s, const char *sysroot, char *err,
		   size_t errlen);
/*
 * The one way from memhp's model to the zone algorithm's state: the blocks
 * (state, node, zone) come from @m (a sysfs snapshot, or a live session's
 * model kept current by events); zones, devices and settings from the
 * procfs and sysfs files below @sysroot. zi_system_load() is this on a
 * fresh snapshot. @m is only read.
 */
struct memhp_model;
int zi_system_from_model(struct zi_system *s, const struct memhp_model *m,
			 const char *sysroot, char *err, size_t errlen);

/* fopen() for reading a regular file only (NULL, errno EINVAL otherwise),
 * never blocking on a FIFO: for files under a --sysroot. */
FILE *zi_fopen_regular(const char *path);

/* Small helpers shared with the simulator. */
/* Parse an unsigned decimal or 0x hex number (whole string). 0/-EINVAL/-ERANGE */
int zi_parse_u64(const char *s, uint64_t *out);
/* "Y"/"N"/"1"/"0"/"y"/"n" -> 1/0; -1 otherwise. */
int zi_parse_bool(const char *s);

#endif
