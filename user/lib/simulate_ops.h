/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp simulate: the operations (docs/simulate.md) and their parser, for
 * the command line, -f files and --state files (user/lib/simulate_ops.c).
 */
#ifndef MEMHP_SIMULATE_OPS_H
#define MEMHP_SIMULATE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_PROG "memhp simulate"

struct sim_opts;

/* --- operations ----------------------------------------------------------- */

enum op_kind {
	OP_DIMM,
	OP_VMEM,
	OP_ADD,
	OP_ONLINE,
	OP_OFFLINE,
	OP_REMOVE,
	OP_UNPLUG,
	OP_ONLINE_ALL,
	OP_SET,
	/* --state files only */
	OP_BLOCK_SIZE,
	OP_PAGE_SIZE,
	OP_BOOT,
	OP_ZONE,
};

struct op {
	enum op_kind kind;
	char src[160];	/* "ops.txt:3", "argument 2" */
	char text[256]; /* the operation as written (cut) */
	uint64_t size;	/* bytes: dimm, virtio-mem, block-size, page-size */
	int nid;	/* -1 unset */
	bool has_at, has_block, has_region, has_align;
	uint64_t at, block, region, align, unit; /* bytes (block: an id) */
	char name[40];	/* dimm name=, virtio-mem dev=, unplug NAME */
	uint64_t *list; /* blocks, in the order given */
	size_t nr_list;
	int online_type;
	/* set */
	int policy, numa_aware, movable_node, auto_online;
	long long ratio;
	/* boot, zone */
	int zone;
	bool has_start, has_spanned, has_present, has_early, has_cma;
	uint64_t z_start, z_spanned, z_present, z_early, z_cma;
};

struct op_list {
	struct op *ops;
	size_t nr, cap;
};

void op_list_free(struct op_list *l);
/*
 * Add the operations of one line or argument (';' separates several);
 * comments start at '#'. Returns 0 or -1 after printing "SRC: reason"
 * to o->err.
 */
int add_ops(struct sim_opts *o, struct op_list *l, const char *src,
	    const char *line, size_t len, bool state_file);
/* Every line of PATH ('-': stdin) through add_ops(). */
int read_ops_file(struct sim_opts *o, const char *path, struct op_list *l,
		  bool state_file);

#endif
