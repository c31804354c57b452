/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flat tables of memhp ls, printed the way lsmem prints them: human
 * (aligned), raw, key="value" pairs and JSON. Two implementations:
 *  - table_scols.c: util-linux's libsmartcols, lsmem's own library, so the
 *    output follows the installed util-linux (build/memhp, the package);
 *  - table_builtin.c: a copy of libsmartcols 2.38's output for these tables
 *    (no terminal-width truncation), for build/memhp-static, because Debian
 *    ships no static libsmartcols. Cells go into one arena there.
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
