/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two files of memhp ls share: ls.c (options, main) and
 * ls_print.c (lsmem's ranges, columns and formats).
 */
#ifndef MEMHP_LS_INT_H
#define MEMHP_LS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "model.h"
#include "table.h"

enum ls_col {
	COL_RANGE,
	COL_SIZE,
	COL_STATE,
	COL_REMOVABLE,
	COL_BLOCK,
	COL_NODE,
	COL_ZONES,
	/* memhp's own, from events */
	COL_GROUP,
	COL_ONLINE_TYPE,
	COL_ONLINED_BY,
	NR_COLS,
};

struct ls_coldesc {
	const char *name;
	unsigned int flags;
	size_t whint;
	const char *help;
};
extern const struct ls_coldesc ls_coldescs[NR_COLS];

/* lsmem's zone table: valid_zones words, matched case-insensitively. */
enum ls_zone {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	ZONE_NONE, /* the block spans zones (kernel prints "none") */
	ZONE_UNKNOWN,
	LS_MAX_ZONES,
};

extern const char *const ls_zone_names[LS_MAX_ZONES];

#define MAX_COLUMNS (NR_COLS * 4)

struct ls_opts {
	FILE *out, *err;
	bool list_all, bytes, noheadings, zones_summary;
	bool want_table, want_summary;
	enum table_format fmt;
	int fmt_opt;   /* first of -J/-P/-r seen */
	int split_opt; /* first of -S/-a seen */
	const char *outarg, *splitarg, *sysroot;
	int columns[MAX_COLUMNS];
	size_t ncolumns;
	bool split[NR_COLS];
	struct cli cli; /* -h, --usage, -V */
};

/* valid_zones words as lsmem sees them: split on ' ', at most 8. */
struct zones {
	int nr;
	unsigned char id[LS_MAX_ZONES];
};

struct range {
	const struct memhp_block *first;
	uint64_t count;
	struct zones zones;
};

struct ls_ctx {
	const struct ls_opts *o;
	const struct memhp_model *m;
	bool have_nodes;
	struct range *ranges;
	size_t nr_ranges, cap_ranges;
	uint64_t online, offline; /* bytes */
};

int ls_build_ranges(struct ls_ctx *c);
int ls_print_ranges(struct ls_ctx *c);
int ls_print_zones_summary(struct ls_ctx *c);
void ls_print_summary(const struct ls_opts *o, uint64_t bs, uint64_t online,
			  uint64_t offline);

#endif
