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
#include "snapshot.h"
#include "sysfs.h"
#include "table.h"

#define PROG "memhp ls"
#include "ls_int.h"

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
	"      GROUP  memory group id (ACPI memory devices and virtio-mem found\n"
	"             as export finds them, or events; - none or unknown)\n"
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
		if (strlen(ls_coldescs[i].name) == len &&
		    !strncasecmp(name, ls_coldescs[i].name, len))
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

/* Is the GROUP column shown (or does it split ranges)? */
static bool wants_groups(const struct ls_opts *o)
{
	for (size_t j = 0; j < o->ncolumns; j++)
		if (o->columns[j] == COL_GROUP)
			return true;
	return o->split[COL_GROUP];
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
		if (get_model(&o, m, given) || ls_build_ranges(&c))
			goto out;
		ls_print_summary(&o, m->block_size, c.online, c.offline);
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
	if (!given && wants_groups(&o)) {
		char why[512];

		/* sysfs has no group attribute: found as export finds them */
		/* asked for by name: say why it stays "-" (not for --output-all) */
		if (!snapshot_block_groups(o.sysroot, m, why, sizeof(why)) && why[0] &&
		    ((o.outarg && strcasestr(o.outarg, "GROUP")) ||
		     (o.splitarg && strcasestr(o.splitarg, "GROUP"))))
			fprintf(err, PROG ": warning: memory groups not known: %s\n", why);
	}
	for (size_t j = 0; j < m->nr_blocks; j++)
		if (m->blocks[j].node >= 0)
			c.have_nodes = true;
	if (ls_build_ranges(&c)) {
		fprintf(err, PROG ": out of memory\n");
		goto out;
	}
	if (o.zones_summary ? ls_print_zones_summary(&c) : ls_print_ranges(&c)) {
		fprintf(err, PROG ": cannot write output\n");
		goto out;
	}
	if (o.want_summary) {
		fputc('\n', out);
		ls_print_summary(&o, m->block_size, c.online, c.offline);
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
