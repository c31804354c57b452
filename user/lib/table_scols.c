// SPDX-License-Identifier: GPL-2.0
/*
 * table.h on util-linux's libsmartcols, the library lsmem prints with: the
 * same calls lsmem makes (a column's width hint and right alignment, its
 * JSON type, the table's name for JSON, raw/export/json/noheadings), so
 * `memhp ls` prints what the installed lsmem prints for the same rows,
 * whichever libsmartcols version the system has.
 *
 * The fully static build links table_builtin.c instead (Debian ships no
 * libsmartcols.a); tests/unit/run.sh compares both binaries with lsmem.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <libsmartcols/libsmartcols.h>

#include "table.h"

struct table {
	struct libscols_table *tb;
	struct libscols_line *line; /* the current row */
	size_t nr_cols, nr_rows;
};

struct table *table_new(const char *name)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	scols_init_debug(0); /* LIBSMARTCOLS_DEBUG, as lsmem reads it */
	t->tb = scols_new_table();
	if (!t->tb || scols_table_set_name(t->tb, name ? name : "table")) {
		table_free(t);
		return NULL;
	}
	return t;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	scols_unref_table(t->tb);
	free(t);
}

int table_add_column(struct table *t, const char *header, unsigned int flags,
		     size_t min_width)
{
	struct libscols_column *cl;
	int json = SCOLS_JSON_STRING;

	if (t->nr_rows)
		return -1;
	cl = scols_table_new_column(t->tb, header, (double)min_width,
				    flags & TABLE_RIGHT ? SCOLS_FL_RIGHT : 0);
	if (!cl)
		return -1;
	if (flags & TABLE_JSON_NUMBER)
		json = SCOLS_JSON_NUMBER;
	else if (flags & TABLE_JSON_BOOL)
		json = SCOLS_JSON_BOOLEAN;
	if (scols_column_set_json_type(cl, json))
		return -1;
	return (int)t->nr_cols++;
}

size_t table_nr_rows(const struct table *t)
{
	return t->nr_rows;
}

int table_new_row(struct table *t)
{
	if (!t->nr_cols)
		return -1;
	t->line = scols_table_new_line(t->tb, NULL);
	if (!t->line)
		return -1;
	t->nr_rows++;
	return 0;
}

int table_set(struct table *t, size_t col, const char *s)
{
	if (!t->line || col >= t->nr_cols)
		return -1;
	if (!s || !*s)
		return 0;
	return scols_line_set_data(t->line, col, s) ? -1 : 0;
}

int table_setf(struct table *t, size_t col, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (!t->line || col >= t->nr_cols)
		return -1;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (!*s) {
		free(s);
		return 0;
	}
	/* the line owns @s from here (@col was checked: the call cannot fail
	 * before taking it) */
	return scols_line_refer_data(t->line, col, s) ? -1 : 0;
}

int table_print(const struct table *t, FILE *out, enum table_format fmt,
		bool noheadings)
{
	struct libscols_table *tb = t->tb;

	if (scols_table_set_stream(tb, out) ||
	    scols_table_enable_raw(tb, fmt == TABLE_RAW) ||
	    scols_table_enable_export(tb, fmt == TABLE_PAIRS) ||
	    scols_table_enable_json(tb, fmt == TABLE_JSON) ||
	    scols_table_enable_noheadings(tb, noheadings))
		return -1;
	if (scols_print_table(tb))
		return -1;
	return ferror(out) ? -1 : 0;
}
