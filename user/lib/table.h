/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small table printer whose output is byte-for-byte what util-linux's
 * libsmartcols (2.38) prints for the simple flat tables lsmem makes: human
 * (aligned), raw, key="value" pairs and JSON. No terminal-width truncation:
 * like libsmartcols when stdout is not a terminal, columns are never cut.
 *
 * Cells are copied into one arena, so a table of 131,072 rows costs a few
 * allocations, not one per cell.
 */
#ifndef MEMHP_TABLE_H
#define MEMHP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum table_format {
	TABLE_HUMAN = 0,
	TABLE_RAW,
	TABLE_PAIRS,
	TABLE_JSON,
};

/* Column flags. */
#define TABLE_RIGHT	  (1u << 0) /* right-aligned (header too) */
#define TABLE_JSON_NUMBER (1u << 1) /* JSON: bare value, null when empty */
#define TABLE_JSON_BOOL	  (1u << 2) /* JSON: true/false, false when empty */

struct table;

/* @name: the JSON array's key ("memory"). NULL on allocation failure. */
struct table *table_new(const char *name);
void table_free(struct table *t);
/* @min_width: a libsmartcols width hint >= 1 (0: none): the minimum width
 * unless every cell is narrower than the header. Returns the
 * column index or -1. Columns must all be added before the first row. */
int table_add_column(struct table *t, const char *header, unsigned int flags,
		     size_t min_width);
/* Start a new row; all its cells are empty. Returns 0 or -1 (ENOMEM). */
int table_new_row(struct table *t);
/* Set a cell of the current row; NULL or "" leaves it empty. 0 or -1. */
int table_set(struct table *t, size_t col, const char *s);
int table_setf(struct table *t, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t table_nr_rows(const struct table *t);
/* Print in @fmt; @noheadings drops the header line (human, raw). Returns 0,
 * or -1 if writing failed. */
int table_print(const struct table *t, FILE *out, enum table_format fmt,
		bool noheadings);

#endif
