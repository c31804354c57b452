/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's zone choice for memory onlining, as pure functions over a
 * plain state: zones (spans, present and present early pages, CMA) per
 * node, memory groups and memory blocks. A faithful model of Linux 6.1
 * mm/memory_hotplug.c (zone_for_pfn_range(), auto_movable_zone_for_pfn(),
 * auto_movable_can_online_movable(), default_kernel_zone_for_pfn(),
 * default_zone_for_pfn(), resize_zone_range(), shrink_zone_span(),
 * adjust_present_page_count()) and drivers/base/memory.c (memory groups,
 * valid_zones). Nothing here reads the system; user/lib/zi_system.c builds a
 * state from it, user/lib/simulate_run.c drives sequences.
 *
 * Granularity: whole memory blocks (the kernel only onlines, offlines, adds
 * and removes complete blocks). All page counts are in pages, pfns are page
 * frame numbers. Arithmetic that is unsigned long in the kernel is uint64_t
 * here and wraps the same way.
 */
#ifndef MEMHP_ZONEALGO_H
#define MEMHP_ZONEALGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zone indexes of a 64-bit x86/arm64 kernel (enum zone_type). */
enum za_zone_id {
	ZA_ZONE_NONE = -1, /* offline, or an early block spanning zones */
	ZA_ZONE_DMA = 0,
	ZA_ZONE_DMA32,
	ZA_ZONE_NORMAL,
	ZA_ZONE_MOVABLE,
	ZA_ZONE_DEVICE,
	ZA_NR_ZONES,
};

/* MMOP_* (include/linux/memory_hotplug.h), stable since 5.x. */
enum za_online_type {
	ZA_MMOP_OFFLINE = 0,
	ZA_MMOP_ONLINE,
	ZA_MMOP_ONLINE_KERNEL,
	ZA_MMOP_ONLINE_MOVABLE,
};

enum za_policy {
	ZA_POLICY_CONTIG_ZONES = 0,
	ZA_POLICY_AUTO_MOVABLE,
};

#define ZA_NUMA_NO_NODE (-1)
#define ZA_MAX_NODES 1024 /* MAX_NUMNODES of Debian's x86-64 kernels */
#define ZA_MAX_BLOCKS (1u << 24)
#define ZA_MAX_GROUPS 65536

struct za_zone {
	uint64_t start_pfn;	/* zone_start_pfn */
	uint64_t spanned;	/* spanned_pages; 0: empty */
	uint64_t present;	/* present_pages */
	uint64_t present_early; /* present_early_pages */
	uint64_t cma;		/* cma_pages */
};

struct za_node {
	struct za_zone zones[ZA_NR_ZONES];
};

struct za_group {
	int id; /* memory group id: the lowest free one, like xa_alloc() */
	int nid;
	bool dynamic;
	bool registered;     /* false once unregistered */
	uint64_t max_pages;  /* static: s.max_pages */
	uint64_t unit_pages; /* dynamic: d.unit_pages */
	uint64_t present_kernel_pages;
	uint64_t present_movable_pages;
	char name[40]; /* who made it ("PNP0C80:00", "virtio2", "dimm0") */
};

struct za_block {
	uint64_t id; /* memoryN: pfns [id * block_pages, (id + 1) * block_pages) */
	int nid;
	int group; /* memory group id, -1: none */
	bool online;
	bool early; /* early (boot) sections: present_early_pages accounting */
	int zone; /* enum za_zone_id when online; ZA_ZONE_NONE offline or mixed */
};

struct za_config {
	enum za_policy policy; /* memory_hotplug.online_policy */
	unsigned int ratio;    /* memory_hotplug.auto_movable_ratio (uint) */
	bool numa_aware;       /* memory_hotplug.auto_movable_numa_aware */
	bool movable_node;     /* "movable_node" on the kernel command line */
};

struct za_state {
	uint64_t block_pages;	/* pages per memory block (> 0) */
	uint64_t section_pages; /* PAGES_PER_SECTION; block_pages if unknown */
	uint64_t subsection_pages; /* PAGES_PER_SUBSECTION (512 with 4K pages) */
	struct za_config cfg;
	struct za_node *nodes; /* indexed by nid, nr_nodes of them */
	int nr_nodes;
	struct za_group *groups; /* ordered by id */
	size_t nr_groups, cap_groups;
	struct za_block *blocks; /* sorted by id, unique */
	size_t nr_blocks, cap_blocks;
};

/* The kernel's ratio statistics (auto_movable_can_online_movable()). */
struct za_stats {
	uint64_t movable_pages;	      /* ZONE_MOVABLE present + CMA */
	uint64_t kernel_early_pages;  /* present early of other zones - CMA */
	uint64_t group_movable_pages; /* of dynamic groups but the given one */
	uint64_t req_kernel_early_pages; /* those groups' kernel requirement */
	bool starved; /* kernel_early <= required: nothing can go MOVABLE */
	uint64_t eff_kernel_pages;  /* kernel early after the group rules */
	uint64_t eff_movable_pages; /* movable after the group rules */
	uint64_t limit_pages;	    /* ratio * eff_kernel / 100 */
	uint64_t headroom_pages;    /* largest nr_pages that still fits */
};

const char *za_zone_name(int zone);		/* "DMA" ... "Device", "none" */
/*
 * A zone in a text table (docs/DESIGN-NOTES.md "One spelling"): as lsmem
 * prints it, "None" for no single zone (an early block spanning zones);
 * callers print "-" for an offline block. JSON prints null for both.
 */
const char *za_zone_text(int zone);
int za_zone_from_name(const char *name);	/* -1 if unknown */
const char *za_online_type_name(int type);	/* "offline", "online", ... */
int za_online_type_from_name(const char *name); /* -1 if unknown */
const char *za_policy_name(enum za_policy p);
int za_policy_from_name(const char *name); /* -1 if unknown */

/* @block_pages > 0; returns 0 or -EINVAL. Config: contig-zones, 301, Y. */
int za_init(struct za_state *st, uint64_t block_pages);
void za_free(struct za_state *st);
/* Deep copy; 0 or -ENOMEM. */
int za_copy(struct za_state *dst, const struct za_state *src);

/* Node @nid (created empty on demand); NULL if out of range / no memory. */
struct za_node *za_node_get(struct za_state *st, int nid);
const struct za_node *za_node_find(const struct za_state *st, int nid);
/* Zone @zone of node @nid, NULL if absent. */
struct za_zone *za_zone_get(struct za_state *st, int nid, int zone);

struct za_block *za_block_find(const struct za_state *st, uint64_t id);
/*
 * Insert a block as given (no accounting: for states built from a snapshot
 * whose zone counters already include it). -EEXIST, -ENOMEM, -EINVAL.
 */
int za_block_insert(struct za_state *st, const struct za_block *b);
/* Hot-add: a new offline, non-early block in group @gid (-1: none). */
int za_block_add(struct za_state *st, uint64_t id, int nid, int gid);
/*
 * A boot block: online early in @zone, accounted (present, present early,
 * span) like memmap_init at boot; for described starting states.
 */
int za_block_add_boot(struct za_state *st, uint64_t id, int nid, int zone);
/* Remove an offline block (arch_remove_memory); -EBUSY if online. */
int za_block_remove(struct za_state *st, uint64_t id);

/* memory_group_register_static/_dynamic: the new id, or -EINVAL/-ENOMEM. */
int za_group_register_static(struct za_state *st, int nid, uint64_t max_pages,
			     const char *name);
int za_group_register_dynamic(struct za_state *st, int nid, uint64_t unit_pages,
			      const char *name);
/* memory_group_unregister: -EBUSY while blocks use it. */
int za_group_unregister(struct za_state *st, int id);
struct za_group *za_group_find(const struct za_state *st, int id);

/* zone_for_pfn_range() for an arbitrary range. */
int za_zone_for_pfn_range(const struct za_state *st, int online_type, int nid,
			  const struct za_group *group, uint64_t start_pfn,
			  uint64_t nr_pages);
/* The zone onlining block @id with @online_type would use; -ENOENT. */
int za_zone_for_block(const struct za_state *st, uint64_t id, int online_type);
/* auto_movable_can_online_movable(); @nid may be ZA_NUMA_NO_NODE. */
bool za_can_online_movable(const struct za_state *st, int nid,
			   const struct za_group *group, uint64_t nr_pages);
/* The numbers behind za_can_online_movable() (with nr_pages = 0). */
void za_stats(const struct za_state *st, int nid, const struct za_group *group,
	      struct za_stats *out);
/*
 * How many more pages could go MOVABLE now for @group on @nid (global and,
 * when NUMA-aware, node limits), the way auto_movable_zone_for_pfn()
 * checks. 0 with ratio 0.
 */
uint64_t za_headroom(const struct za_state *st, int nid,
		     const struct za_group *group);

/*
 * memory_block_online(): zone choice, move_pfn_range_to_zone(),
 * adjust_present_page_count(). Stores the zone in *@zone (may be NULL).
 * -ENOENT no such block, -EINVAL already online or bad type.
 */
int za_online(struct za_state *st, uint64_t id, int online_type, int *zone);
/*
 * memory_block_offline(): accounting, remove_pfn_range_from_zone() with
 * shrink_zone_span(). -ENOENT, -EINVAL (already offline, or a block that
 * spans zones: the kernel refuses those).
 */
int za_offline(struct za_state *st, uint64_t id);

/* sysfs valid_zones of block @id, like valid_zones_show(); -ENOENT. */
int za_valid_zones(const struct za_state *st, uint64_t id, char *buf,
		   size_t len);

/* Sum of present pages of online blocks in (nid, zone) that are !early. */
uint64_t za_hotplugged_present(const struct za_state *st, int nid, int zone);

#endif
