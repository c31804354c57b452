/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memhp state model: THE one source of truth for blocks, zones, nodes
 * and memory groups. Filled from a sysfs snapshot (user/sysfs.c), then kept
 * current by decoded BPF events (model_apply_event()). Sinks (trace, ls, ...)
 * only read it.
 */
#ifndef MEMHP_MODEL_H
#define MEMHP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memhp_event;

enum memhp_block_state {
	MEMHP_BLOCK_UNKNOWN = 0,
	MEMHP_BLOCK_ONLINE,
	MEMHP_BLOCK_OFFLINE,
	MEMHP_BLOCK_GOING_OFFLINE,
};

#define MEMHP_ZONES_LEN 64 /* "DMA32 Normal Movable" and the like */
#define MEMHP_ZONE_NAME_MODEL 16
#define MEMHP_MAX_GROUPS 256

struct memhp_block {
	uint64_t id;		     /* memoryN */
	enum memhp_block_state state;
	int node;		     /* -1: unknown */
	int removable;		     /* -1: the file does not exist */
	int phys_device;	     /* -1: the file does not exist */
	char zones[MEMHP_ZONES_LEN]; /* valid_zones as the kernel printed it */
	/* From events (zero until memhp sees one). */
	int group_id;		     /* -1: none or unknown */
	uint64_t group_key;	     /* opaque group identity from BPF, 0: none */
	int online_type;	     /* last requested MMOP_*, -1 unknown */
	char onlined_by[16];	     /* comm of the last online caller */
	uint64_t vmemmap_pages;	     /* memmap_on_memory: pages holding its memmap */
	char last_zone[MEMHP_ZONE_NAME_MODEL]; /* zone it left at its last offline */
	uint64_t released_pages;     /* last online: pages freed to the buddy */
	bool released_known;	     /* ... released_pages is valid */
	/* Last online inside a balloon driver's memory (COVERAGE event). */
	bool coverage_known;
	char coverage_driver[16];    /* "hv_balloon", "virtio_mem" */
	uint64_t backed_pages;	     /* what the driver says is backed */
	uint64_t backed_not_onlined; /* finding: backed pages left offline */
	uint64_t uncovered_released; /* finding: released, never backed */
	uint64_t last_event_ns;
};

struct memhp_group {
	uint64_t key;	/* opaque identity from BPF (never 0 when used) */
	int id;		/* memory group id, -1 unknown */
	int nid;
	bool dynamic;
	uint64_t pages; /* max_pages (static) or unit_pages (dynamic) */
	uint64_t present_kernel_pages;
	uint64_t present_movable_pages;
	bool registered; /* seen alive */
};

/*
 * System-wide hotplug settings as sysfs shows them (user/sysfs.c). Strings
 * are "" and numbers -1 when the kernel does not show them (or before a
 * snapshot: model_init() zeroes, sysfs_snapshot() sets every field).
 */
struct memhp_sys {
	char auto_online_blocks[24]; /* memory/auto_online_blocks: "offline",
				      * "online", "online_kernel", ... */
	char memmap_on_memory[16];   /* memory_hotplug.memmap_on_memory: "Y",
				      * "N", "force" (6.6+) */
	char online_policy[24];	     /* memory_hotplug.online_policy:
				      * "contig-zones", "auto-movable" */
	int auto_movable_ratio;	     /* memory_hotplug.auto_movable_ratio */
	int auto_movable_numa_aware; /* memory_hotplug.auto_movable_numa_aware:
				      * 1 (Y), 0 (N) */
	bool snapshot;		     /* filled by a sysfs snapshot */
};

/*
 * Present pages per (node, zone), for reconciliation with /proc/zoneinfo:
 * the kernel's count at a baseline plus what events changed since. A
 * successful online_pages() adds its pages, offline_pages() removes them,
 * and memory_block_online()/offline() add or remove the block's memmap
 * pages (memmap_on_memory) around them (the REQUEST event carries those).
 */
#define MEMHP_MAX_ZONE_ACCT 64
#define MEMHP_ZONE_NAME MEMHP_ZONE_NAME_MODEL

struct memhp_zone_acct {
	int nid;
	char zone[MEMHP_ZONE_NAME]; /* as /proc/zoneinfo names it */
	uint64_t base;		    /* present pages at the baseline */
	int64_t delta;		    /* pages events added minus removed since */
};

enum memhp_zacct_state {
	MEMHP_ZACCT_NONE = 0, /* no baseline: events are not counted */
	MEMHP_ZACCT_VALID,    /* base + delta must equal the kernel's present */
};

struct memhp_model {
	uint64_t block_size; /* bytes, from block_size_bytes */
	uint64_t page_size;  /* bytes */
	struct memhp_block *blocks; /* sorted by id, unique */
	size_t nr_blocks, cap_blocks;
	struct memhp_group groups[MEMHP_MAX_GROUPS];
	size_t nr_groups;
	uint64_t events; /* events applied */
	/* Findings seen so far (COVERAGE events), in pages and occurrences. */
	uint64_t uncovered_findings, uncovered_pages;
	uint64_t not_onlined_findings, not_onlined_pages;
	uint64_t lost;	 /* events lost (ring buffer full), as last reported */
	struct memhp_sys sys; /* global settings from sysfs */
	struct memhp_zone_acct zacct[MEMHP_MAX_ZONE_ACCT];
	size_t nr_zacct;
	enum memhp_zacct_state zacct_state;
	uint64_t zacct_overflow; /* events for zones beyond MEMHP_MAX_ZONE_ACCT */
	/* Where block id was last seen, by id % 64: a guess, checked
	 * before use (the array shifts as blocks come and go). */
	size_t hint[64];
};

void model_init(struct memhp_model *m);
void model_free(struct memhp_model *m);
/* Insert or find a block; keeps blocks sorted. NULL on allocation failure. */
struct memhp_block *model_block_get(struct memhp_model *m, uint64_t id);
/* Find a block; NULL if absent. O(log n). */
struct memhp_block *model_block_find(const struct memhp_model *m, uint64_t id);
void model_block_remove(struct memhp_model *m, uint64_t id);
uint64_t model_pages_per_block(const struct memhp_model *m);
/* Apply one decoded event; returns 0, or -1 if it was inconsistent. */
int model_apply_event(struct memhp_model *m, const struct memhp_event *e);
struct memhp_group *model_group_by_key(struct memhp_model *m, uint64_t key, bool create);
const char *model_state_name(enum memhp_block_state s);
/* The accounting entry of a zone, created when @create; NULL if full/absent. */
struct memhp_zone_acct *model_zone_acct(struct memhp_model *m, int nid, const char *zone,
					bool create);

#endif
