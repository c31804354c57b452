// SPDX-License-Identifier: GPL-2.0
/*
 * memhp ls, the listing: lsmem's coalescing of blocks into ranges, its
 * columns, formats and summary (the rules: user/cmd/LS-NOTES.md).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"
#include "decode.h"
#include "ls.h"
#include "memhp.h"
#include "model.h"
#include "sysfs.h"
#include "table.h"
#include "ls_int.h"

const struct ls_coldesc ls_coldescs[NR_COLS] = {
	[COL_RANGE] = { "RANGE", 0, 0,
			"start and end address of the memory range" },
	[COL_SIZE] = { "SIZE", TABLE_RIGHT, 5, "size of the memory range" },
	[COL_STATE] = { "STATE", TABLE_RIGHT, 0,
			"online status of the memory range" },
	[COL_REMOVABLE] = { "REMOVABLE", TABLE_RIGHT | TABLE_JSON_BOOL, 0,
			    "memory is removable" },
	[COL_BLOCK] = { "BLOCK", TABLE_RIGHT, 0,
			"memory block number or blocks range" },
	[COL_NODE] = { "NODE", TABLE_RIGHT | TABLE_JSON_NUMBER, 0,
		       "numa node of memory" },
	[COL_ZONES] = { "ZONES", TABLE_RIGHT, 0,
			"valid zones for the memory range" },
	[COL_GROUP] = { "GROUP", TABLE_RIGHT | TABLE_JSON_NUMBER, 0,
			"memory group id (- none or unknown)" },
	[COL_ONLINE_TYPE] = { "ONLINE-TYPE", TABLE_RIGHT, 0,
			      "last requested online type (from events)" },
	[COL_ONLINED_BY] = { "ONLINED-BY", 0, 0,
			     "command that last onlined it (from events)" },
};

const char *const ls_zone_names[LS_MAX_ZONES] = {
	[ZONE_DMA] = "DMA",	    [ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal",   [ZONE_HIGHMEM] = "Highmem",
	[ZONE_MOVABLE] = "Movable", [ZONE_DEVICE] = "Device",
	[ZONE_NONE] = "None",	    [ZONE_UNKNOWN] = "Unknown",
};

/* --- formatting ----------------------------------------------------------- */

void ls_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char letters[] = "BKMGTPE";
	uint64_t dec, frac = 0;
	int exp = 0, shift;

	for (shift = 10; shift <= 60; shift += 10)
		if (bytes < (1ULL << shift))
			break;
	exp = shift - 10;
	dec = exp ? bytes >> exp : bytes;
	if (exp) {
		frac = bytes & ((1ULL << exp) - 1);
		/* three digits after the point, then round to one */
		if (frac >= UINT64_MAX / 1000)
			frac = ((frac / 1024) * 1000) / (1ULL << (exp - 10));
		else
			frac = (frac * 1000) / (1ULL << exp);
		frac = (frac + 50) / 100;
		if (frac == 10) {
			dec++;
			frac = 0;
		}
	}
	if (frac)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", dec, frac,
			 letters[exp / 10]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", dec, letters[exp / 10]);
}

static void fmt_size(const struct ls_opts *o, uint64_t bytes, char *buf,
		     size_t len)
{
	if (o->bytes)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		ls_size_human(bytes, buf, len);
}

static const char *state_str(enum memhp_block_state s)
{
	switch (s) {
	case MEMHP_BLOCK_ONLINE:
		return "online";
	case MEMHP_BLOCK_OFFLINE:
		return "offline";
	case MEMHP_BLOCK_GOING_OFFLINE:
		return "on->off";
	default:
		return "?";
	}
}

/* NULL for a block whose online type memhp does not know (printed "-"). */
static const char *online_type_str(int t)
{
	if (t < MEMHP_MMOP_OFFLINE || t > MEMHP_MMOP_ONLINE_MOVABLE)
		return NULL;
	return online_type_name(t);
}


static int zone_id(const char *w, size_t len)
{
	int i;

	for (i = 0; i < LS_MAX_ZONES; i++)
		if (strlen(ls_zone_names[i]) == len &&
		    !strncasecmp(w, ls_zone_names[i], len))
			return i;
	return ZONE_UNKNOWN;
}

static void parse_zones(const char *s, struct zones *z)
{
	const char *p = s;

	z->nr = 0;
	while (*p && z->nr < LS_MAX_ZONES) {
		size_t len;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " ");
		z->id[z->nr++] = (unsigned char)zone_id(p, len);
		p += len;
	}
}

static void zones_str(const struct zones *z, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < z->nr; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "/" : "",
				      ls_zone_names[z->id[i]]);
}

/* --- ranges ------------------------------------------------------------- */



static int group_of(const struct memhp_model *m, const struct memhp_block *b)
{
	int g = model_block_ev(m, b)->group_id;

	return g >= 0 ? g : -1;
}

static bool mergeable(const struct ls_ctx *c, const struct range *r,
		      const struct memhp_block *b, const struct zones *bz)
{
	const struct ls_opts *o = c->o;
	const struct memhp_block *f = r->first;
	int i;

	if (o->list_all || f->id + r->count != b->id)
		return false;
	if (o->split[COL_STATE] && f->state != b->state)
		return false;
	/* lsmem keeps one bit: removable is "1" or not */
	if (o->split[COL_REMOVABLE] &&
	    (f->removable == 1) != (b->removable == 1))
		return false;
	if (o->split[COL_NODE] && c->have_nodes && f->node != b->node)
		return false;
	if (o->split[COL_ZONES]) {
		if (r->zones.nr != bz->nr)
			return false;
		for (i = 0; i < r->zones.nr; i++)
			if (r->zones.id[i] == ZONE_UNKNOWN ||
			    r->zones.id[i] != bz->id[i])
				return false;
	}
	if (o->split[COL_GROUP] && group_of(c->m, f) != group_of(c->m, b))
		return false;
	if (o->split[COL_ONLINE_TYPE] &&
	    online_type_str(f->online_type) != online_type_str(b->online_type))
		return false;
	if (o->split[COL_ONLINED_BY] &&
	    strncmp(model_block_ev(c->m, f)->onlined_by, model_block_ev(c->m, b)->onlined_by,
		    sizeof(model_block_ev(c->m, f)->onlined_by)))
		return false;
	return true;
}

int ls_build_ranges(struct ls_ctx *c)
{
	const struct memhp_model *m = c->m;
	size_t i;

	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		struct zones z;

		if (b->state == MEMHP_BLOCK_ONLINE)
			c->online += m->block_size;
		else
			c->offline += m->block_size;
		parse_zones(model_zones(m, b), &z);
		if (c->nr_ranges &&
		    mergeable(c, &c->ranges[c->nr_ranges - 1], b, &z)) {
			c->ranges[c->nr_ranges - 1].count++;
			continue;
		}
		if (c->nr_ranges == c->cap_ranges) {
			size_t cap = c->cap_ranges ? c->cap_ranges * 2 : 64;
			struct range *n = realloc(c->ranges, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			c->ranges = n;
			c->cap_ranges = cap;
		}
		c->ranges[c->nr_ranges].first = b;
		c->ranges[c->nr_ranges].count = 1;
		c->ranges[c->nr_ranges].zones = z;
		c->nr_ranges++;
	}
	return 0;
}

static int fill_row(struct ls_ctx *c, struct table *t, const struct range *r)
{
	const struct ls_opts *o = c->o;
	const struct memhp_block *b = r->first;
	uint64_t bs = c->m->block_size;
	bool json = o->fmt == TABLE_JSON;
	char buf[128];
	const char *s;
	size_t i;
	int rc = 0;

	if (table_new_row(t))
		return -ENOMEM;
	for (i = 0; i < o->ncolumns && !rc; i++) {
		switch (o->columns[i]) {
		case COL_RANGE:
			rc = table_setf(t, i, "0x%016" PRIx64 "-0x%016" PRIx64,
					b->id * bs,
					(b->id + r->count) * bs - 1);
			break;
		case COL_SIZE:
			fmt_size(o, r->count * bs, buf, sizeof(buf));
			rc = table_set(t, i, buf);
			break;
		case COL_STATE:
			rc = table_set(t, i, state_str(b->state));
			break;
		case COL_REMOVABLE:
			if (b->state == MEMHP_BLOCK_ONLINE)
				rc = table_set(
					t, i, b->removable == 1 ? "yes" : "no");
			break;
		case COL_BLOCK:
			if (r->count == 1)
				rc = table_setf(t, i, "%" PRIu64, b->id);
			else
				rc = table_setf(t, i, "%" PRIu64 "-%" PRIu64,
						b->id, b->id + r->count - 1);
			break;
		case COL_NODE:
			if (c->have_nodes)
				rc = table_setf(t, i, "%d", b->node);
			break;
		case COL_ZONES:
			zones_str(&r->zones, buf, sizeof(buf));
			rc = table_set(t, i, buf);
			break;
		case COL_GROUP:
			if (group_of(c->m, b) >= 0)
				rc = table_setf(t, i, "%d", group_of(c->m, b));
			else
				rc = table_set(t, i, json ? NULL : "-");
			break;
		case COL_ONLINE_TYPE:
			s = online_type_str(b->online_type);
			rc = table_set(t, i, s ? s : json ? NULL : "-");
			break;
		case COL_ONLINED_BY:
			snprintf(buf, sizeof(buf), "%.*s",
				 (int)sizeof(model_block_ev(c->m, b)->onlined_by),
				 model_block_ev(c->m, b)->onlined_by);
			rc = table_set(t, i, buf[0] ? buf : json ? NULL : "-");
			break;
		}
	}
	return rc ? -ENOMEM : 0;
}

static unsigned int col_flags(const struct ls_opts *o, int col)
{
	unsigned int f = ls_coldescs[col].flags;

	if (col == COL_SIZE && o->bytes)
		f |= TABLE_JSON_NUMBER;
	return f;
}

int ls_print_ranges(struct ls_ctx *c)
{
	const struct ls_opts *o = c->o;
	struct table *t = table_new("memory");
	size_t i;
	int rc = -ENOMEM;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < o->ncolumns; i++)
		if (table_add_column(t, ls_coldescs[o->columns[i]].name,
				     col_flags(o, o->columns[i]),
				     ls_coldescs[o->columns[i]].whint) < 0)
			goto out;
	for (i = 0; i < c->nr_ranges; i++)
		if (fill_row(c, t, &c->ranges[i]))
			goto out;
	rc = table_print(t, o->out, o->fmt, o->noheadings) ? -EIO : 0;
out:
	table_free(t);
	return rc;
}

/* -Z: online memory per node and zone. */
struct zone_row {
	int node, zone;
	uint64_t blocks;
};

static int cmp_zone_row(const void *a, const void *b)
{
	const struct zone_row *x = a, *y = b;
	/* unknown node (-1) last */
	unsigned int xn = (unsigned int)x->node, yn = (unsigned int)y->node;

	if (xn != yn)
		return xn < yn ? -1 : 1;
	return x->zone - y->zone;
}

int ls_print_zones_summary(struct ls_ctx *c)
{
	const struct ls_opts *o = c->o;
	const struct memhp_model *m = c->m;
	struct zone_row *rows = NULL, *last = NULL;
	size_t nr = 0, cap = 0, i, j;
	struct table *t = NULL;
	bool json = o->fmt == TABLE_JSON;
	unsigned int num;
	char buf[64];
	int rc = -ENOMEM;

	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		struct zones z;
		int zone;

		if (b->state != MEMHP_BLOCK_ONLINE)
			continue;
		parse_zones(model_zones(m, b), &z);
		/* An online block shows its one zone ("none" if it spans) */
		zone = z.nr ? z.id[0] : ZONE_UNKNOWN;
		if (!last || last->node != b->node || last->zone != zone) {
			last = NULL;
			for (j = 0; j < nr; j++)
				if (rows[j].node == b->node &&
				    rows[j].zone == zone)
					last = &rows[j];
		}
		if (!last) {
			if (nr == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct zone_row *n =
					realloc(rows, ncap * sizeof(*n));

				if (!n)
					goto out;
				rows = n;
				cap = ncap;
			}
			last = &rows[nr++];
			last->node = b->node;
			last->zone = zone;
			last->blocks = 0;
		}
		last->blocks++;
	}
	if (nr)
		qsort(rows, nr, sizeof(*rows), cmp_zone_row);

	num = TABLE_RIGHT | TABLE_JSON_NUMBER;
	t = table_new("zones");
	if (!t || table_add_column(t, "NODE", num, 0) < 0 ||
	    table_add_column(t, "ZONE", 0, 0) < 0 ||
	    table_add_column(t, "BLOCKS", num, 0) < 0 ||
	    table_add_column(t, "SIZE", o->bytes ? num : TABLE_RIGHT, 5) < 0)
		goto out;
	for (i = 0; i < nr; i++) {
		if (table_new_row(t))
			goto out;
		if (rows[i].node >= 0)
			table_setf(t, 0, "%d", rows[i].node);
		else
			table_set(t, 0, json ? NULL : "-");
		table_set(t, 1, ls_zone_names[rows[i].zone]);
		table_setf(t, 2, "%" PRIu64, rows[i].blocks);
		fmt_size(o, rows[i].blocks * m->block_size, buf, sizeof(buf));
		if (table_set(t, 3, buf))
			goto out;
	}
	rc = table_print(t, o->out, o->fmt, o->noheadings) ? -EIO : 0;
out:
	table_free(t);
	free(rows);
	return rc;
}

void ls_print_summary(const struct ls_opts *o, uint64_t bs, uint64_t online,
			  uint64_t offline)
{
	char a[32], b[32], c[32];

	if (o->bytes) {
		fprintf(o->out, "%-23s %15" PRIu64 "\n",
			"Memory block size:", bs);
		fprintf(o->out, "%-23s %15" PRIu64 "\n",
			"Total online memory:", online);
		fprintf(o->out, "%-23s %15" PRIu64 "\n",
			"Total offline memory:", offline);
		return;
	}
	ls_size_human(bs, a, sizeof(a));
	ls_size_human(online, b, sizeof(b));
	ls_size_human(offline, c, sizeof(c));
	fprintf(o->out, "%-23s %5s\n", "Memory block size:", a);
	fprintf(o->out, "%-23s %5s\n", "Total online memory:", b);
	fprintf(o->out, "%-23s %5s\n", "Total offline memory:", c);
}
