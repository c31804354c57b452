/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printing a readiness scan (readiness.h): a text report (blocks, then
 * nodes, zones, groups, devices) or one JSON document, sizes in bytes.
 * docs/readiness.md describes every field.
 */
#ifndef MEMHP_READINESS_PRINT_H
#define MEMHP_READINESS_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pgowner.h"
#include "readiness.h"

struct rd_print_opts {
	bool summary_only; /* no per-block lines (text) / no "blocks" (JSON) */
	bool all_blocks;   /* text: offline blocks too */
	/* page_owner, to name who allocated the first unmovable pages; NULL:
	 * not looked up (no "page_owner" in the output) */
	const struct pgowner_src *owner;
};

void rd_print_text(FILE *out, const struct readiness *r, const struct rd_print_opts *o);
void rd_print_json(FILE *out, const struct readiness *r, const struct rd_print_opts *o);
/* "ready", "needs migration of 12.5 MiB", "blocked (slab)", "offline" */
void rd_verdict_text(const struct rd_block *b, uint64_t page_size, char *buf, size_t len);

#endif
