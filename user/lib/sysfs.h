/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshot of /sys/devices/system/memory (or <sysroot>/sys/...) into the
 * model: block size, every memoryN block (state, valid_zones, removable,
 * phys_device, node) and the global hotplug settings.
 *
 * Fatal problems (no memory directory, no or bad block_size_bytes, no block
 * at all, out of memory) fail the snapshot with a one-line message. Per-block
 * oddities (missing or malformed files, stray names, symlink loops) never
 * fail it: the field is left unknown and the problem is counted in a
 * struct sysfs_report.
 */
#ifndef MEMHP_SYSFS_H
#define MEMHP_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct sysfs_report {
	/* files that exist but could not be read */
	unsigned int unreadable;
	/* files whose content is not what the kernel writes */
	unsigned int malformed;
	/* memory* entries that are not memoryN, or are out of range */
	unsigned int bad_names;
	/* optional files absent (removable, valid_zones, ...): no problem */
	unsigned int missing;
	size_t nr_blocks;  /* blocks read */
	size_t node_links; /* block -> node links found */
	/* offline blocks without a node yet (being added): valid_zones not read */
	unsigned int zones_deferred;
	char first[256];   /* the first problem, "" if none */
};

/* What to read (struct sysfs_opts.want); 0 means everything. */
#define SYSFS_WANT_STATE       (1u << 0)
#define SYSFS_WANT_VALID_ZONES (1u << 1)
#define SYSFS_WANT_REMOVABLE   (1u << 2)
#define SYSFS_WANT_PHYS_DEVICE (1u << 3)
#define SYSFS_WANT_NODE	       (1u << 4) /* node membership */
#define SYSFS_WANT_ALL	       0x1fu

struct sysfs_opts {
	const char *sysroot; /* NULL or "": / */
	/* SYSFS_WANT_*, 0: all; fields not read are left unknown */
	unsigned int want;
	int threads; /* readers: 0 auto (online CPUs, at most 8), 1 none */
};

/* Number of problems worth a warning (missing optional files are not). */
unsigned int sysfs_report_problems(const struct sysfs_report *r);

/*
 * Fill @m from <sysroot>/sys/devices/system/memory; @sysroot NULL or "" is
 * "/". Sets m->block_size (and m->page_size for the live system), every
 * block's state, zones, removable, phys_device and node, and m->sys. Blocks
 * already in @m keep their event-derived fields; blocks sysfs no longer
 * shows are removed. Returns 0, or a negative errno with a message naming
 * the path in @err (@err may be NULL).
 */
int sysfs_snapshot(struct memhp_model *m, const char *sysroot, char *err,
		   size_t errlen);
/* The same, and tells what was tolerated (@rep may be NULL). */
int sysfs_snapshot_report(struct memhp_model *m, const char *sysroot,
			  struct sysfs_report *rep, char *err, size_t errlen);
/*
 * The same with options: read only some files (memhp ls reads what its
 * columns need; each file costs a few microseconds per block), and with
 * several reader threads for big trees. @opts may be NULL (everything).
 */
int sysfs_snapshot_opts(struct memhp_model *m, const struct sysfs_opts *opts,
			struct sysfs_report *rep, char *err, size_t errlen);

/*
 * Pure parsers of one sysfs file's content (@buf need not be NUL-terminated
 * and may hold any bytes; one trailing newline is allowed). They return 0,
 * or -EINVAL (malformed) / -ERANGE (out of range) / -E2BIG (too long, the
 * output holds a truncated copy), and then leave the output "unknown".
 */
/* block_size_bytes: hex, optional 0x, nonzero. */
int sysfs_parse_block_size(const char *buf, size_t len, uint64_t *out);
/* A decimal number 0..INT_MAX (phys_device, auto_movable_ratio); -1 on error. */
int sysfs_parse_int(const char *buf, size_t len, int *out);
/* A word of printable ASCII without blanks (auto_online_blocks, Y/N
 * parameters); "" on error. */
int sysfs_parse_word(const char *buf, size_t len, char *out, size_t outlen);

enum sysfs_block_attr {
	SYSFS_ATTR_STATE = 0,	/* online | offline | going-offline */
	SYSFS_ATTR_VALID_ZONES, /* "Normal", "none", "Normal Movable", ... */
	SYSFS_ATTR_REMOVABLE,	/* 0 | 1 */
	SYSFS_ATTR_PHYS_DEVICE, /* decimal */
	SYSFS_ATTR_MAX,
};

/* File name of @a inside memoryN ("state", ...). */
const char *sysfs_block_attr_name(enum sysfs_block_attr a);
/* Apply the content of memoryN/<a> to @b, a block of @m (valid_zones goes
 * to its string table): exactly one field changes. */
int sysfs_parse_block_attr(struct memhp_model *m, struct memhp_block *b, enum sysfs_block_attr a,
			   const char *buf, size_t len);

/*
 * Directory entry names. Return 1 and the number for a canonical name
 * ("memory12", "node3"), 0 for names of other things (no "memory"/"node"
 * prefix), -EINVAL for a malformed name with the prefix ("memoryfoo",
 * "memory007"), -ERANGE for a number too big (> UINT64_MAX, > INT_MAX).
 */
int sysfs_parse_block_name(const char *name, uint64_t *id);
int sysfs_parse_node_name(const char *name, int *nid);

#endif
