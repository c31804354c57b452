// SPDX-License-Identifier: GPL-2.0
/*
 * memhp ls: list memory ranges like util-linux lsmem (2.38), from the model.
 *
 * For the columns lsmem has, the output is lsmem's, byte for byte: same
 * default columns, same coalescing of adjacent blocks, same table, raw,
 * pairs and JSON formats, same summary. The rules (and the lsmem bugs not
 * copied) are written down in user/cmd/LS-NOTES.md.
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
#include "ls.h"
#include "memhp.h"
#include "model.h"
#include "sysfs.h"
#include "table.h"

#define PROG "memhp ls"

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

static const struct ls_coldesc {
	const char *name;
	unsigned int flags;
	size_t whint;
	const char *help;
} coldescs[NR_COLS] = {
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
			"memory group id (from events; - unknown)" },
	[COL_ONLINE_TYPE] = { "ONLINE-TYPE", TABLE_RIGHT, 0,
			      "last requested online type (from events)" },
	[COL_ONLINED_BY] = { "ONLINED-BY", 0, 0,
			     "command that last onlined it (from events)" },
};

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

static const char *const zone_names[LS_MAX_ZONES] = {
	[ZONE_DMA] = "DMA",	    [ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal",   [ZONE_HIGHMEM] = "Highmem",
	[ZONE_MOVABLE] = "Movable", [ZONE_DEVICE] = "Device",
	[ZONE_NONE] = "None",	    [ZONE_UNKNOWN] = "Unknown",
};

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

static const char *online_type_str(int t)
{
	switch (t) {
	case MEMHP_MMOP_OFFLINE:
		return "offline";
	case MEMHP_MMOP_ONLINE:
		return "online";
	case MEMHP_MMOP_ONLINE_KERNEL:
		return "online_kernel";
	case MEMHP_MMOP_ONLINE_MOVABLE:
		return "online_movable";
	default:
		return NULL;
	}
}

/* valid_zones words as lsmem sees them: split on ' ', at most 8. */
struct zones {
	int nr;
	unsigned char id[LS_MAX_ZONES];
};

static int zone_id(const char *w, size_t len)
{
	int i;

	for (i = 0; i < LS_MAX_ZONES; i++)
		if (strlen(zone_names[i]) == len &&
		    !strncasecmp(w, zone_names[i], len))
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
				      zone_names[z->id[i]]);
}

/* --- ranges ------------------------------------------------------------- */

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

static int build_ranges(struct ls_ctx *c)
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
	unsigned int f = coldescs[col].flags;

	if (col == COL_SIZE && o->bytes)
		f |= TABLE_JSON_NUMBER;
	return f;
}

static int print_ranges(struct ls_ctx *c)
{
	const struct ls_opts *o = c->o;
	struct table *t = table_new("memory");
	size_t i;
	int rc = -ENOMEM;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < o->ncolumns; i++)
		if (table_add_column(t, coldescs[o->columns[i]].name,
				     col_flags(o, o->columns[i]),
				     coldescs[o->columns[i]].whint) < 0)
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

static int print_zones_summary(struct ls_ctx *c)
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
		table_set(t, 1, zone_names[rows[i].zone]);
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

static void print_summary(const struct ls_opts *o, uint64_t bs, uint64_t online,
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

/* --- options ------------------------------------------------------------ */

enum {
	OPT_OUTPUT_ALL = 0x100,
	OPT_SUMMARY,
};

static const struct argp_option ls_options[] = {
	{ "json", 'J', NULL, 0, "use JSON output format", 0 },
	{ "pairs", 'P', NULL, 0, "use key=\"value\" output format", 0 },
	{ "all", 'a', NULL, 0, "list each individual memory block", 0 },
	{ "bytes", 'b', NULL, 0,
	  "print SIZE in bytes rather than in human readable format", 0 },
	{ "noheadings", 'n', NULL, 0, "don't print headings", 0 },
	{ "output", 'o', "LIST", 0,
	  "output columns (+LIST: add to the default ones)", 0 },
	{ "output-all", OPT_OUTPUT_ALL, NULL, 0,
	  "output all columns (lsmem's and memhp's)", 0 },
	{ "raw", 'r', NULL, 0, "use raw output format", 0 },
	{ "split", 'S', "LIST", 0,
	  "split ranges by specified columns (or \"none\")", 0 },
	{ "sysroot", 's', "DIR", 0,
	  "use the specified directory as system root", 0 },
	{ "summary", OPT_SUMMARY, "WHEN", OPTION_ARG_OPTIONAL,
	  "print summary information (never, always or only; "
	  "no WHEN: only)",
	  0 },
	{ "zones-summary", 'Z', NULL, 0,
	  "instead of ranges, print online memory per node and zone "
	  "(columns NODE ZONE BLOCKS SIZE)",
	  0 },
	{ 0 },
};

static const char ls_doc[] =
	"List the ranges of available memory with their online status.\n"
	"\n"
	"For the columns lsmem(1) has, the output is what util-linux lsmem "
	"prints for the same system (or --sysroot tree).\v"
	"Available output columns:\n"
	"      RANGE  start and end address of the memory range\n"
	"       SIZE  size of the memory range\n"
	"      STATE  online status of the memory range\n"
	"  REMOVABLE  memory is removable\n"
	"      BLOCK  memory block number or blocks range\n"
	"       NODE  numa node of memory\n"
	"      ZONES  valid zones for the memory range\n"
	"      GROUP  memory group id (from events; - unknown)\n"
	"ONLINE-TYPE  last requested online type (from events; - unknown)\n"
	" ONLINED-BY  command that last onlined it (from events; - unknown)\n"
	"\n"
	"Default columns: RANGE,SIZE,STATE,REMOVABLE,BLOCK. Adjacent blocks are "
	"merged into one range unless a shown column (or a -S column) "
	"differs.\n"
	"\n"
	"Exit status: 0 ok, 1 error reading sysfs, 2 bad usage.\n"
	"\n"
	"Examples:\n"
	"  memhp ls                       # like lsmem\n"
	"  memhp ls -o +NODE,ZONES -S node\n"
	"  memhp ls -J --output-all -a    # every block, every column\n"
	"  memhp ls -Z                    # online memory per node and zone\n"
	"  memhp ls --sysroot /tmp/tree   # a copied or synthetic sysfs tree";

/* lsmem's mutually exclusive options: 0, or the usage error (printed). */
static error_t excl(struct argp_state *state, int *slot, int key, const char *names)
{
	if (*slot && *slot != key)
		return cli_usage(state, "mutually exclusive arguments: %s", names);
	*slot = key;
	return 0;
}

static error_t ls_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct ls_opts *o = state->input;
	error_t e;
	size_t i;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->cli;
		break;
	case 'J':
	case 'P':
	case 'r':
		e = excl(state, &o->fmt_opt, key, "--json --pairs --raw");
		if (e)
			return e;
		o->fmt = key == 'J'   ? TABLE_JSON
			 : key == 'P' ? TABLE_PAIRS
				      : TABLE_RAW;
		o->want_summary = false;
		break;
	case 'a':
		e = excl(state, &o->split_opt, key, "--split --all");
		if (e)
			return e;
		o->list_all = true;
		break;
	case 'S':
		e = excl(state, &o->split_opt, key, "--split --all");
		if (e)
			return e;
		o->splitarg = arg;
		break;
	case 'b':
		o->bytes = true;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'o':
		o->outarg = arg;
		break;
	case OPT_OUTPUT_ALL:
		for (i = 0; i < NR_COLS; i++)
			o->columns[i] = (int)i;
		o->ncolumns = NR_COLS;
		break;
	case 's':
		o->sysroot = arg;
		break;
	case 'Z':
		o->zones_summary = true;
		break;
	case OPT_SUMMARY:
		if (!arg || !strcmp(arg, "only"))
			o->want_table = false;
		else if (!strcmp(arg, "never"))
			o->want_summary = false;
		else if (!strcmp(arg, "always"))
			o->want_summary = true;
		else
			return cli_usage(state, "unsupported --summary argument: %s", arg);
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "bad usage: unexpected argument: %s", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int column_id(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NR_COLS; i++)
		if (strlen(coldescs[i].name) == len &&
		    !strncasecmp(name, coldescs[i].name, len))
			return i;
	return -1;
}

/*
 * "A,B,C" into @ary from *@pos ("+A,B" appends, like util-linux's
 * string_add_to_idarray()). Returns 0, or -1 after saying why.
 */
static int parse_columns(const struct ls_opts *o, const char *what,
			 const char *list, int *ary, size_t arysz, size_t *pos)
{
	const char *p;
	size_t n;

	if (*list == '+')
		list++;
	else
		*pos = 0;
	if (!*list) {
		fprintf(o->err, PROG ": empty %s list\n", what);
		return -1;
	}
	for (p = list;; p += n + 1) {
		int id;

		n = strcspn(p, ",");
		if (!n) {
			fprintf(o->err,
				PROG ": empty column name in %s list: %s\n",
				what, list);
			return -1;
		}
		id = column_id(p, n);
		if (id < 0) {
			fprintf(o->err, PROG ": unknown column: %.*s\n", (int)n,
				p);
			return -1;
		}
		if (*pos >= arysz) {
			fprintf(o->err,
				PROG ": too many columns (at most %zu)\n",
				arysz);
			return -1;
		}
		ary[(*pos)++] = id;
		if (!p[n])
			break;
	}
	return 0;
}

/* Read only the files the output needs: each costs microseconds a block. */
static unsigned int wanted(const struct ls_opts *o)
{
	unsigned int want = SYSFS_WANT_STATE;
	size_t i;

	if (o->zones_summary)
		return want | SYSFS_WANT_NODE | SYSFS_WANT_VALID_ZONES;
	if (!o->want_table)
		return want;
	for (i = 0; i < o->ncolumns; i++) {
		if (o->columns[i] == COL_REMOVABLE)
			want |= SYSFS_WANT_REMOVABLE;
		else if (o->columns[i] == COL_NODE)
			want |= SYSFS_WANT_NODE;
		else if (o->columns[i] == COL_ZONES)
			want |= SYSFS_WANT_VALID_ZONES;
	}
	if (o->split[COL_REMOVABLE])
		want |= SYSFS_WANT_REMOVABLE;
	if (o->split[COL_NODE])
		want |= SYSFS_WANT_NODE;
	if (o->split[COL_ZONES])
		want |= SYSFS_WANT_VALID_ZONES;
	return want;
}

static int snapshot(const struct ls_opts *o, struct memhp_model *m)
{
	struct sysfs_opts so = { .sysroot = o->sysroot, .want = wanted(o) };
	struct sysfs_report rep;
	char err[512];

	if (sysfs_snapshot_opts(m, &so, &rep, err, sizeof(err))) {
		fprintf(o->err, PROG ": %s\n", err);
		return -1;
	}
	if (sysfs_report_problems(&rep))
		fprintf(o->err,
			PROG ": warning: %u sysfs problem(s), shown as "
			     "unknown; first: %s\n",
			sysfs_report_problems(&rep), rep.first);
	return 0;
}

/* Fill @m from sysfs unless the caller gave a filled model. */
static int get_model(const struct ls_opts *o, struct memhp_model *m, bool given)
{
	if (given)
		return m->nr_blocks && m->block_size ? 0 : -1;
	return snapshot(o, m);
}

int ls_main_model(int argc, char **argv, struct memhp_model *given, FILE *out,
		  FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { ls_options, ls_parse_opt, NULL, ls_doc, children, NULL,
					  NULL };
	struct ls_opts o = {
		.out = out,
		.err = err,
		.want_table = true,
		.want_summary = true,
		.cli = { .out = out, .err = err },
	};
	struct ls_ctx c = { .o = &o };
	struct memhp_model *m = NULL;
	char **args;
	int i, rc;

	args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*args));
	if (!args) {
		fprintf(err, PROG ": out of memory\n");
		return LS_EXIT_ERROR;
	}
	args[0] = (char *)PROG;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	rc = cli_parse(&argp, argc > 0 ? argc : 1, args, ARGP_IN_ORDER, &o, &o.cli);
	free(args);
	if (rc >= 0)
		return rc;
	if (!o.want_table && !o.want_summary) {
		fprintf(err, PROG ": options --{raw,json,pairs} and "
				  "--summary=only are mutually exclusive\n");
		return LS_EXIT_USAGE;
	}

	m = given;
	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m) {
			fprintf(err, PROG ": out of memory\n");
			return LS_EXIT_ERROR;
		}
		model_init(m);
	} else if (!m->nr_blocks || !m->block_size) {
		fprintf(err, PROG ": no memory blocks known\n");
		return LS_EXIT_ERROR;
	}

	c.m = m;
	/* lsmem reads and prints the summary before looking at -o and -S */
	if (!o.want_table) {
		rc = LS_EXIT_ERROR;
		if (get_model(&o, m, given) || build_ranges(&c))
			goto out;
		print_summary(&o, m->block_size, c.online, c.offline);
		rc = LS_EXIT_OK;
		goto out;
	}

	rc = LS_EXIT_USAGE;
	if (!o.ncolumns) {
		o.columns[o.ncolumns++] = COL_RANGE;
		o.columns[o.ncolumns++] = COL_SIZE;
		o.columns[o.ncolumns++] = COL_STATE;
		o.columns[o.ncolumns++] = COL_REMOVABLE;
		o.columns[o.ncolumns++] = COL_BLOCK;
	}
	if (o.outarg && parse_columns(&o, "output", o.outarg, o.columns,
				      MAX_COLUMNS, &o.ncolumns))
		goto out;
	if (o.splitarg && strcasecmp(o.splitarg, "none")) {
		int split[MAX_COLUMNS];
		size_t nsplit = 0, j;

		if (parse_columns(&o, "split", o.splitarg, split, MAX_COLUMNS,
				  &nsplit))
			goto out;
		for (j = 0; j < nsplit; j++)
			o.split[split[j]] = true;
	} else if (!o.splitarg) {
		size_t j;

		for (j = 0; j < o.ncolumns; j++)
			o.split[o.columns[j]] = true;
	}
	/* only these columns split ranges */
	o.split[COL_RANGE] = o.split[COL_SIZE] = o.split[COL_BLOCK] = false;

	rc = LS_EXIT_ERROR;
	if (get_model(&o, m, given))
		goto out;
	for (size_t j = 0; j < m->nr_blocks; j++)
		if (m->blocks[j].node >= 0)
			c.have_nodes = true;
	if (build_ranges(&c)) {
		fprintf(err, PROG ": out of memory\n");
		goto out;
	}
	if (o.zones_summary ? print_zones_summary(&c) : print_ranges(&c)) {
		fprintf(err, PROG ": cannot write output\n");
		goto out;
	}
	if (o.want_summary) {
		fputc('\n', out);
		print_summary(&o, m->block_size, c.online, c.offline);
	}
	rc = fflush(out) ? LS_EXIT_ERROR : LS_EXIT_OK;
out:
	free(c.ranges);
	if (!given) {
		model_free(m);
		free(m);
	}
	return rc;
}

int ls_main(int argc, char **argv, FILE *out, FILE *err)
{
	return ls_main_model(argc, argv, NULL, out, err);
}
