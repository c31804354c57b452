// SPDX-License-Identifier: GPL-2.0
/* memhp readiness: options and output of an unplug readiness scan. */
#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "readiness.h"
#include "readiness_print.h"
#include "readiness_cmd.h"

#define PROG "memhp readiness"

enum { OPT_BALLOON = 0x100, OPT_SUMMARY };

struct rd_cmd_opts {
	struct cli cli; /* -h, --usage, -V; the streams */
	const char *sysroot;
	bool json;
	int balloon;
	struct rd_print_opts p;
};

static const struct argp_option rd_options[] = {
	{ "json", 'J', NULL, 0, "JSON output (sizes in bytes)", 0 },
	{ "summary", OPT_SUMMARY, NULL, 0, "only the summaries (nodes, zones, groups, devices)", 0 },
	{ "all", 'a', NULL, 0, "list offline blocks too", 0 },
	{ "sysroot", 's', "DIR", 0,
	  "read DIR/sys/..., DIR/proc/{zoneinfo,iomem,kpageflags,kpagecount} instead of the system",
	  0 },
	/* -r: the first short name of --sysroot, kept working (-s is
	 * --sysroot in every command) */
	{ NULL, 'r', "DIR", OPTION_HIDDEN, NULL, 0 },
	{ "balloon-compaction", OPT_BALLOON, "Y|N", 0,
	  "PageOffline pages outside virtio-mem memory are (Y) or are not (N) movable balloon pages (default: detect virtio_balloon with compaction)",
	  0 },
	{ 0 },
};

static const char rd_doc[] =
	"Would offlining each memory block succeed now, and what stands in the way: "
	"free pages, pages that would have to migrate, pages that cannot (by kind, "
	"with the first pfns). A verdict per block (ready / needs migration of N MiB / "
	"blocked (kind)) and, per node, zone, memory group and device, the bytes that "
	"could be unplugged now.\n"
	"\n"
	"Reads sysfs and /proc/kpageflags + /proc/kpagecount (root); no BPF.\v"
	"Page kinds: free lru-anon lru-file slab pgtable reserved hugetlb offline "
	"balloon pinned unknown hwpoison nopage (docs/readiness.md).\n"
	"\n"
	"Exit status: 0 scanned, 1 could not scan (not root, no /proc/kpageflags), "
	"2 bad usage.\n"
	"\n"
	"Examples:\n"
	"  memhp readiness\n"
	"  memhp readiness -J | jq '.nodes[] | {node, unpluggable_bytes}'\n"
	"  memhp readiness --sysroot tests/data/readiness-tree";

static error_t rd_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct rd_cmd_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->cli;
		return 0;
	case 'J':
		o->json = true;
		break;
	case OPT_SUMMARY:
		o->p.summary_only = true;
		break;
	case 'a':
		o->p.all_blocks = true;
		break;
	case 's':
	case 'r':
		o->sysroot = arg;
		break;
	case OPT_BALLOON:
		if (!strcmp(arg, "Y") || !strcmp(arg, "y"))
			o->balloon = 1;
		else if (!strcmp(arg, "N") || !strcmp(arg, "n"))
			o->balloon = 0;
		else
			return cli_usage(state, "--balloon-compaction: expected Y or N: %s", arg);
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument: %s", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int readiness_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { rd_options, rd_parse_opt, NULL, rd_doc, children, NULL,
					  NULL };
	struct rd_cmd_opts o = { .cli = { .out = out, .err = err }, .balloon = -1 };
	char *dflt[] = { (char *)PROG, NULL };
	struct rd_opts ro;
	struct readiness r;
	struct pgowner_src owner;
	char errbuf[512];
	int rc;

	if (argc < 1) {
		argc = 1;
		argv = dflt;
	}
	rc = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (rc >= 0)
		return rc;
	ro = (struct rd_opts){ .sysroot = o.sysroot, .balloon_compaction = o.balloon };
	readiness_init(&r);
	if (readiness_scan(&r, &ro, errbuf, sizeof(errbuf))) {
		fprintf(err, PROG ": %s\n", errbuf);
		readiness_free(&r);
		return RD_EXIT_ERROR;
	}
	/* who allocated the first unmovable pages, where page_owner is on */
	pgowner_open(&owner, o.sysroot);
	o.p.owner = &owner;
	if (o.json)
		rd_print_json(out, &r, &o.p);
	else
		rd_print_text(out, &r, &o.p);
	pgowner_close(&owner);
	rc = RD_EXIT_OK;
	if (fflush(out) || ferror(out)) {
		fprintf(err, PROG ": write error\n");
		rc = RD_EXIT_ERROR;
	}
	readiness_free(&r);
	return rc;
}
