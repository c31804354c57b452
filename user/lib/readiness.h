/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unplug readiness: would offlining each memory block succeed now, and what
 * stands in the way. Blocks, groups, devices and zones come from the sysfs
 * readers (zi_system_load(): sysfs.c, iomem, memmap); every online block's
 * pages from /proc/kpageflags + kpagecount (kpage.h), classified the way
 * offline_pages() would treat them. docs/readiness.md has every field.
 *
 * The verdict of one block:
 *   offline   not online: nothing to do
 *   ready     only free pages (and pages offlining skips)
 *   migrate   movable pages that would have to be migrated (bytes)
 *   blocked   at least one page offlining cannot move, or a block that
 *             spans zones; "blocker" names the first one's kind
 */
#ifndef MEMHP_READINESS_H
#define MEMHP_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpage.h"
#include "zoneinfo.h"

enum rd_verdict {
	RD_OFFLINE = 0,
	RD_READY,
	RD_MIGRATE,
	RD_BLOCKED,
	RD_NR_VERDICTS,
};

/* How a blocked offline would end (the kernel's own reason). */
enum rd_fail {
	RD_FAIL_NONE = 0,
	/* has_unmovable_pages() finds it: "failure to isolate range", at once */
	RD_FAIL_ISOLATE,
	/* ZONE_MOVABLE: isolation passes, migration retries until a signal */
	RD_FAIL_RETRIES,
	/* PageOffline kept by its driver: scan_movable_pages() -EBUSY */
	RD_FAIL_UNMOVABLE,
	/* the block spans zones (valid_zones "none"): -EINVAL */
	RD_FAIL_ZONES,
};

#define RD_FIRST_PFNS 4

/*
 * A virtio-mem block cut into the driver's (un)plug units (subblocks in
 * Sub Block Mode; the whole block otherwise). A subblock is
 *   unplugged    every page PageOffline (the driver's fake-offline pages)
 *   unpluggable  no PageOffline page, and every page free or movable:
 *                alloc_contig_range() can take it (virtio_mem_fake_offline())
 *   plugged      no PageOffline page (unpluggable or not)
 *   mixed        some pages PageOffline, some not: not the driver's
 *                layout (a wrong unit, or a balloon page inside): counted
 *                neither plugged nor unpluggable
 */
struct rd_sb {
	uint32_t plugged, unplugged, unpluggable, mixed;
	/* the open subblock */
	uint32_t n, n_offline, n_stuck;
};

struct rd_block {
	uint64_t id;
	int nid, group, zone; /* zone: ZA_ZONE_*, ZA_ZONE_NONE offline/mixed */
	int dev;	      /* index into the system's devices, -1 none */
	bool online, early;
	enum rd_verdict verdict;
	enum rd_fail fail;
	int blocker;		     /* enum kpage_kind of the first unmovable page, -1 */
	uint32_t pages[KPAGE_NR_KINDS]; /* pages of each kind */
	uint64_t first_pfn[RD_FIRST_PFNS]; /* the first unmovable pages */
	uint8_t first_kind[RD_FIRST_PFNS];
	uint8_t nr_first;
	uint64_t unmovable_pages, migrate_pages;
	struct rd_sb sb; /* virtio-mem blocks only */
};

/* A sum over blocks: a node, a zone of a node, a group, a device, all. */
struct rd_sum {
	uint64_t blocks[RD_NR_VERDICTS];
	uint64_t online_bytes;
	uint64_t ready_bytes;	   /* blocks ready now */
	uint64_t unpluggable_bytes; /* ready + migrate blocks */
	uint64_t migrate_bytes;	   /* to copy for those */
	uint64_t pages[KPAGE_NR_KINDS];
};

struct rd_zone_sum {
	int nid, zone;
	struct rd_sum sum;
};

/*
 * A virtio-mem device's answer at the driver's granularity: what it could
 * unplug now from its online blocks. Offline blocks are not counted (their
 * pages cannot be read; the driver unplugs their plugged parts first).
 */
struct rd_vmem {
	uint64_t sb_bytes;	/* the unit used; a memory block if unknown */
	bool sb_bbm;		/* Big Block Mode: the unit is >= a block */
	int sb_source;		/* enum zi_sb_source */
	uint64_t plugged_bytes;	/* online, not PageOffline (page count) */
	uint64_t unplugged_bytes; /* PageOffline in online blocks */
	uint64_t unpluggable_bytes; /* unpluggable units x unit bytes */
	uint64_t block_unpluggable_bytes; /* ready + migrate blocks (as rd_sum) */
	uint64_t subblocks[4];	/* plugged, unplugged, unpluggable, mixed */
};

struct rd_opts {
	const char *sysroot; /* NULL or "": / */
	/* a virtio_balloon with balloon compaction: PageOffline pages outside
	 * a virtio-mem device are its balloon pages and migrate */
	int balloon_compaction; /* 1, 0, -1: detect */
};

struct readiness {
	struct zi_system sys;
	uint64_t page_size, block_pages;
	struct rd_block *blocks; /* as sys.st.blocks, same order */
	size_t nr_blocks;
	struct rd_sum total;
	struct rd_sum *nodes; /* by nid, nr_nodes */
	int nr_nodes;
	struct rd_zone_sum *zones;
	size_t nr_zones;
	struct rd_sum *groups; /* as sys.st.groups */
	struct rd_sum *devs;   /* as sys.devs */
	struct rd_vmem *vmem;  /* as sys.devs (virtio-mem entries only used) */
	bool balloon_compaction;
	uint64_t pages_scanned;
	double scan_seconds;
};

void readiness_init(struct readiness *r);
void readiness_free(struct readiness *r);

/*
 * Read the system (or a --sysroot tree: sys/, proc/zoneinfo, proc/kpageflags,
 * proc/kpagecount) and judge every block. 0, or -errno with one line in
 * @err: kpage_strerror() for the page files, zi_system_load()'s otherwise.
 */
int readiness_scan(struct readiness *r, const struct rd_opts *o, char *err, size_t errlen);

/*
 * The pure part, for tests and other scanners: count page @kind at @pfn
 * into @b (in pfn order; @movable: offlining can move or skip it, normally
 * kpage_kind_movable(@kind)), then decide its verdict once all its pages
 * are in (b->online and b->zone set first).
 */
void rd_block_add_page(struct rd_block *b, uint64_t pfn, enum kpage_kind kind, bool movable);
void rd_block_judge(struct rd_block *b);
/*
 * Count the page of kind @kind (@movable as for rd_block_add_page()) into
 * the open subblock of @sb; @last: it is the subblock's last page, close it.
 */
void rd_sb_add_page(struct rd_sb *sb, enum kpage_kind kind, bool movable, bool last);
/* Add a judged block to a sum. */
void rd_sum_add(struct rd_sum *s, const struct rd_block *b, uint64_t block_bytes,
		uint64_t page_size);

const char *rd_verdict_name(enum rd_verdict v); /* "offline", "ready", ... */
const char *rd_fail_name(enum rd_fail f);	/* "", "isolation", ... */
/* The zone sum of (nid, zone), NULL if none. */
const struct rd_zone_sum *rd_zone_find(const struct readiness *r, int nid, int zone);

#endif
