// SPDX-License-Identifier: GPL-2.0
/*
 * table.h for the fully static build (build/memhp-static, the lab's busybox
 * initramfs): Debian ships libsmartcols only as a shared library, so this
 * file prints what libsmartcols 2.38 prints for lsmem's flat tables. The
 * dynamic build uses libsmartcols itself (table_scols.c); tests/unit/run.sh
 * compares both binaries with the installed lsmem. The rules copied (by observation of lsmem's output):
 *  - human: a column is as wide as its widest cell or its header (the header
 *    counts even with --noheadings); when the cells are at least as wide
 *    as the header, at least as wide as its width hint too; one space
 *    between columns; right-aligned columns pad on the left, headers too;
 *    the last column is never padded on the right and an empty last cell
 *    prints nothing; non-printable bytes print as \xHH.
 *  - raw: cells separated by one space, no padding, blanks, backslashes and
 *    non-printable bytes as \xHH; empty cells print nothing.
 *  - pairs: NAME="value" separated by spaces; " \ ` $ and non-printable
 *    bytes as \xHH.
 *  - JSON: {"name": [ {...},{...} ]} indented by three spaces, keys are the
 *    lower-cased headers; strings are null when empty, numbers bare (null
 *    when empty), booleans false when empty or starting with 0, N or n.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define TABLE_MAX_COLUMNS 64

struct table_column {
	char *header;
	unsigned int flags;
	size_t min_width;
	size_t width; /* computed by table_print() */
};

struct table {
	char *name;
	struct table_column cols[TABLE_MAX_COLUMNS];
	size_t nr_cols;
	/* cells[row * nr_cols + col]: offset + 1 into arena, 0 when empty */
	size_t *cells;
	size_t nr_rows, cap_rows;
	char *arena;
	size_t arena_len, arena_cap;
};

struct table *table_new(const char *name)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->name = strdup(name ? name : "table");
	if (!t->name) {
		free(t);
		return NULL;
	}
	return t;
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nr_cols; i++)
		free(t->cols[i].header);
	free(t->cells);
	free(t->arena);
	free(t->name);
	free(t);
}

int table_add_column(struct table *t, const char *header, unsigned int flags,
		     size_t min_width)
{
	struct table_column *c;

	if (t->nr_cols == TABLE_MAX_COLUMNS || t->nr_rows)
		return -1;
	c = &t->cols[t->nr_cols];
	c->header = strdup(header);
	if (!c->header)
		return -1;
	c->flags = flags;
	c->min_width = min_width;
	return (int)t->nr_cols++;
}

size_t table_nr_rows(const struct table *t)
{
	return t->nr_rows;
}

int table_new_row(struct table *t)
{
	size_t i;

	if (!t->nr_cols)
		return -1;
	if (t->nr_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
		size_t *nc;

		if (cap > SIZE_MAX / sizeof(*nc) / t->nr_cols)
			return -1;
		nc = realloc(t->cells, cap * t->nr_cols * sizeof(*nc));
		if (!nc)
			return -1;
		t->cells = nc;
		t->cap_rows = cap;
	}
	for (i = 0; i < t->nr_cols; i++)
		t->cells[t->nr_rows * t->nr_cols + i] = 0;
	t->nr_rows++;
	return 0;
}

static int arena_reserve(struct table *t, size_t len)
{
	size_t cap;
	char *na;

	if (t->arena_cap - t->arena_len >= len)
		return 0;
	cap = t->arena_cap ? t->arena_cap : 4096;
	while (cap - t->arena_len < len) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	na = realloc(t->arena, cap);
	if (!na)
		return -1;
	t->arena = na;
	t->arena_cap = cap;
	return 0;
}

int table_set(struct table *t, size_t col, const char *s)
{
	size_t len;

	if (!t->nr_rows || col >= t->nr_cols)
		return -1;
	if (!s || !*s) {
		t->cells[(t->nr_rows - 1) * t->nr_cols + col] = 0;
		return 0;
	}
	len = strlen(s) + 1;
	if (arena_reserve(t, len))
		return -1;
	memcpy(t->arena + t->arena_len, s, len);
	t->cells[(t->nr_rows - 1) * t->nr_cols + col] = t->arena_len + 1;
	t->arena_len += len;
	return 0;
}

int table_setf(struct table *t, size_t col, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return table_set(t, col, buf);
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	size_t off = t->cells[row * t->nr_cols + col];

	return off ? t->arena + off - 1 : "";
}

static bool is_print(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Width of @s once printed by human mode (ASCII only: C locale). */
static size_t human_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++) {
		if (!is_print((unsigned char)*s) ||
		    (s[0] == '\\' && s[1] == 'x'))
			w += 4;
		else
			w++;
	}
	return w;
}

static void put_human(const char *s, FILE *out)
{
	for (; *s; s++) {
		if (!is_print((unsigned char)*s) ||
		    (s[0] == '\\' && s[1] == 'x'))
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
}

static void put_raw(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!is_print(c) || c == ' ' || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void put_pairs(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!is_print(c) || c == '"' || c == '\\' || c == '`' ||
		    c == '$')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_json_string(const char *s, bool lower, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
		} else if (c >= 0x20 && c < 0x7f) {
			fputc(lower && c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c,
			      out);
		} else if (c == '\b') {
			fputs("\\b", out);
		} else if (c == '\t') {
			fputs("\\t", out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c == '\f') {
			fputs("\\f", out);
		} else if (c == '\r') {
			fputs("\\r", out);
		} else {
			/* control and non-ASCII bytes: keep the JSON valid */
			fprintf(out, "\\u%04x", c);
		}
	}
	fputc('"', out);
}

static void human_cell(const struct table_column *c, const char *s, bool last,
		       FILE *out)
{
	size_t len = human_width(s), i;

	if (*s) {
		if (c->flags & TABLE_RIGHT) {
			for (i = len; i < c->width; i++)
				fputc(' ', out);
			len = c->width > len ? c->width : len;
		}
		put_human(s, out);
	}
	if (last)
		return;
	for (i = len; i < c->width; i++)
		fputc(' ', out);
	fputc(' ', out);
}

static void print_human(const struct table *t, FILE *out, bool noheadings)
{
	struct table_column cols[TABLE_MAX_COLUMNS];
	size_t r, i;

	memcpy(cols, t->cols, sizeof(cols[0]) * t->nr_cols);
	for (i = 0; i < t->nr_cols; i++) {
		size_t hw = human_width(cols[i].header), w = 0;

		for (r = 0; r < t->nr_rows; r++) {
			size_t cw = human_width(cell(t, r, i));

			if (cw > w)
				w = cw;
		}
		/* libsmartcols: data narrower than the header gets the
		 * header's width, else at least the hint */
		if (w < hw)
			w = hw;
		else if (w < cols[i].min_width && hw < cols[i].min_width)
			w = cols[i].min_width;
		cols[i].width = w;
	}
	if (!noheadings) {
		for (i = 0; i < t->nr_cols; i++)
			human_cell(&cols[i], cols[i].header,
				   i + 1 == t->nr_cols, out);
		fputc('\n', out);
	}
	for (r = 0; r < t->nr_rows; r++) {
		for (i = 0; i < t->nr_cols; i++)
			human_cell(&cols[i], cell(t, r, i), i + 1 == t->nr_cols,
				   out);
		fputc('\n', out);
	}
}

static void print_raw(const struct table *t, FILE *out, bool noheadings)
{
	size_t r, i;

	if (!noheadings) {
		for (i = 0; i < t->nr_cols; i++) {
			put_raw(t->cols[i].header, out);
			if (i + 1 < t->nr_cols)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
	for (r = 0; r < t->nr_rows; r++) {
		for (i = 0; i < t->nr_cols; i++) {
			put_raw(cell(t, r, i), out);
			if (i + 1 < t->nr_cols)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
}

static void print_pairs(const struct table *t, FILE *out)
{
	size_t r, i;

	for (r = 0; r < t->nr_rows; r++) {
		for (i = 0; i < t->nr_cols; i++) {
			fprintf(out, "%s=", t->cols[i].header);
			put_pairs(cell(t, r, i), out);
			if (i + 1 < t->nr_cols)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
}

static void print_json(const struct table *t, FILE *out)
{
	size_t r, i;

	fputs("{\n   ", out);
	put_json_string(t->name, false, out);
	fputs(": [", out);
	for (r = 0; r < t->nr_rows; r++) {
		fputs(r ? ",{\n" : "\n      {\n", out);
		for (i = 0; i < t->nr_cols; i++) {
			const struct table_column *c = &t->cols[i];
			const char *s = cell(t, r, i);

			fputs("         ", out);
			put_json_string(c->header, true, out);
			fputs(": ", out);
			if (c->flags & TABLE_JSON_BOOL)
				fputs(!*s || *s == '0' || *s == 'N' || *s == 'n'
					      ? "false"
					      : "true",
				      out);
			else if (!*s)
				fputs("null", out);
			else if (c->flags & TABLE_JSON_NUMBER)
				fputs(s, out);
			else
				put_json_string(s, false, out);
			fputs(i + 1 < t->nr_cols ? ",\n" : "\n", out);
		}
		fputs("      }", out);
	}
	fputs("\n   ]\n}\n", out);
}

int table_print(const struct table *t, FILE *out, enum table_format fmt,
		bool noheadings)
{
	if (!t->nr_cols)
		return -1;
	switch (fmt) {
	case TABLE_RAW:
		print_raw(t, out, noheadings);
		break;
	case TABLE_PAIRS:
		print_pairs(t, out);
		break;
	case TABLE_JSON:
		print_json(t, out);
		break;
	default:
		print_human(t, out, noheadings);
		break;
	}
	return ferror(out) ? -1 : 0;
}
