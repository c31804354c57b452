/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memhp state model: THE one source of truth for blocks, zones, nodes
 * and memory groups. Filled from a sysfs snapshot (user/lib/sysfs.c), then kept
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

/*
 * What events told about a block. Few blocks ever see an event (and a
 * --no-trace exporter sees none), so this lives aside, in the model's ev
 * array, and a block only holds an index: 131,072 blocks then take 4 MiB,
 * not 28 (twice that while a re-snapshot holds two models). Read it with
 * model_block_ev(), write it with model_block_ev_get().
 */
struct memhp_block_ev {
	uint64_t group_key;	     /* opaque group identity from BPF, 0: none */
	uint64_t vmemmap_pages;	     /* memmap_on_memory: pages holding its memmap */
	uint64_t released_pages;     /* last online: pages freed to the buddy */
	uint64_t backed_pages;	     /* what the driver says is backed */
	uint64_t backed_not_onlined; /* finding: backed pages left offline */
	uint64_t uncovered_released; /* finding: released, never backed */
	uint64_t last_event_ns;
	int group_id;			       /* -1: none or unknown */
	uint32_t next_free;		       /* free list of the ev array (1-based), internal */
	char onlined_by[16];		       /* comm of the last online caller */
	char last_zone[MEMHP_ZONE_NAME_MODEL]; /* zone it left at its last offline */
	/* Last online inside a balloon driver's memory (COVERAGE event). */
	char coverage_driver[16]; /* "hv_balloon", "virtio_mem" */
	bool released_known;	  /* ... released_pages is valid */
	bool coverage_known;
};

/* 32 bytes: the model of a big machine is an array of these (see above). */
struct memhp_block {
	uint64_t id;	     /* memoryN */
	int32_t node;	     /* -1: unknown */
	int32_t phys_device; /* -1: the file does not exist */
	int32_t online_type; /* last requested MMOP_* (event), -1 unknown */
	/* valid_zones as the kernel printed it: an index into the model's
	 * string table (a handful of distinct strings); model_zones() */
	uint32_t zones;
	uint32_t ev;	  /* 1 + index into the model's ev array; 0: none */
	uint8_t state;	  /* enum memhp_block_state */
	int8_t removable; /* -1: the file does not exist */
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
 * System-wide hotplug settings as sysfs shows them (user/lib/sysfs.c). Strings
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
	/* Distinct valid_zones strings (struct memhp_block.zones indexes
	 * them; 0 is ""), with an open-addressing hash to intern them. */
	char (*zstr)[MEMHP_ZONES_LEN];
	uint32_t nr_zstr, cap_zstr;
	uint32_t *zhash; /* 1 + index into zstr; 0: empty slot */
	uint32_t zhash_cap;
	uint32_t zlast; /* the last string interned: events repeat it */
	/* Event data of blocks (struct memhp_block.ev), with a free list. */
	struct memhp_block_ev *ev;
	uint32_t nr_ev, cap_ev, ev_free;
};

void model_init(struct memhp_model *m);
void model_free(struct memhp_model *m);
/* Insert or find a block; keeps blocks sorted. NULL on allocation failure. */
struct memhp_block *model_block_get(struct memhp_model *m, uint64_t id);
/* Find a block; NULL if absent. O(log n). */
struct memhp_block *model_block_find(const struct memhp_model *m, uint64_t id);
void model_block_remove(struct memhp_model *m, uint64_t id);
/* Drop every block (their event data too); the model keeps its settings. */
void model_blocks_clear(struct memhp_model *m);
/* Release the event data of blocks [from, to), before they are dropped. */
void model_blocks_release(struct memhp_model *m, size_t from, size_t to);
/*
 * @dst (uninitialized): a copy of @src's settings, groups and blocks
 * (states, nodes, zones) without their event data, to read the rest of the
 * system against while @src's lock is not held. 0, or -ENOMEM (@dst empty;
 * model_free() it either way).
 */
int model_copy_blocks(struct memhp_model *dst, const struct memhp_model *src);
/* Exchange the blocks (with their strings and event data) of two models. */
void model_blocks_swap(struct memhp_model *a, struct memhp_model *b);

/* A block's valid_zones ("" when unknown); valid while the model lives. */
const char *model_zones(const struct memhp_model *m, const struct memhp_block *b);
/* The string of zone index @zi (struct memhp_block.zones). */
const char *model_zones_str(const struct memhp_model *m, uint32_t zi);
/*
 * Index of @len bytes of @s (cut at a NUL and at MEMHP_ZONES_LEN - 1 bytes),
 * added to the table when new. 0, or -1 when out of memory (*@zi is 0, "").
 */
int model_zones_intern(struct memhp_model *m, const char *s, size_t len, uint32_t *zi);
/* Set a block's valid_zones; 0 or -1 when out of memory (then ""). */
int model_set_zones(struct memhp_model *m, struct memhp_block *b, const char *s, size_t len);

/* A block's event data; a shared all-unknown record when it has none. */
const struct memhp_block_ev *model_block_ev(const struct memhp_model *m,
					    const struct memhp_block *b);
/* The same, writable, created when missing; NULL when out of memory. The
 * pointer is valid until the next model_block_ev_get() or removal. */
struct memhp_block_ev *model_block_ev_get(struct memhp_model *m, struct memhp_block *b);
uint64_t model_pages_per_block(const struct memhp_model *m);
/* Apply one decoded event; returns 0, or -1 if it was inconsistent. */
int model_apply_event(struct memhp_model *m, const struct memhp_event *e);
struct memhp_group *model_group_by_key(struct memhp_model *m, uint64_t key, bool create);
const char *model_state_name(enum memhp_block_state s);
/* The accounting entry of a zone, created when @create; NULL if full/absent. */
struct memhp_zone_acct *model_zone_acct(struct memhp_model *m, int nid, const char *zone,
					bool create);

#endif
