// SPDX-License-Identifier: GPL-2.0
/* `memhp balloon`: balloon inflate/deflate/migrate activity per driver. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "balloon.h"
#include "cli.h"
#include "cliopt.h"
#include "clock.h"
#include "decode.h"
#include "jsonstr.h"
#include "loader.h"
#include "session.h"
#include "sessopt.h"
#include "stopsig.h"

#define MAX_BALLOONS 16

struct balloon_opts {
	FILE *out, *err;
	struct cli cli;	     /* -h, --usage, -V */
	struct sessopt sess; /* --attach, --buffer-size; no offline options (sessopt.h) */
	bool json, verbose;
	bool balloon_pages; /* --balloon-pages */
	double interval;
	uint64_t count;
	const char *sysroot;
};

static const char doc[] =
	"Balloon activity per driver: pages inflated, deflated and migrated since\n"
	"memhp started, the balloon's growth, and rates, every INTERVAL seconds.\n"
	"The counts are the kernel's own balloon_inflate/balloon_deflate/\n"
	"balloon_migrate vmstat events (drivers using balloon compaction:\n"
	"virtio-balloon, VMware), given to the one active balloon driver; BPF\n"
	"programs run per batch or per migrated page (failed migrations, devices).\n"
	"With several drivers active, --balloon-pages splits the counts per device\n"
	"exactly, at the cost of a BPF program run per 4 KiB page.\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp balloon              # a line per driver every second\n"
	"  memhp balloon -J -i 5 -c 3";

static const struct argp_option options[] = {
	{ "json", 'J', NULL, 0, "JSON lines", 0 },
	{ "interval", 'i', "DURATION", 0, "Time between reports: 1 (default), 2s, 500ms", 0 },
	{ "count", 'c', "N", 0, "Stop after N reports", 0 },
	/* -A: the old short name of --attach (sessopt), kept working */
	{ NULL, 'A', "MODE", OPTION_HIDDEN, NULL, 0 },
	{ "sysroot", 's', "DIR", 0, "Read the sysfs snapshot below DIR", 0 },
	{ "balloon-pages", 'P', NULL, 0, BALLOON_PAGES_HELP, 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct balloon_opts *o = state->input;
	char *end;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->sess;
		state->child_inputs[1] = &o->cli;
		break;
	case 'J':
		o->json = true;
		break;
	case 'i':
		if (!cliopt_parse_secs(arg, &o->interval, false) || o->interval < 0.05 ||
		    o->interval > 86400)
			return cli_usage(state, "invalid --interval '%s' (0.05 to 86400 seconds, "
					 "e.g. 2, 2s, 500ms)", arg);
		break;
	case 'c':
		errno = 0;
		o->count = strtoull(arg, &end, 10);
		if (errno || *end || !o->count || *arg == '-')
			return cli_usage(state, "invalid --count '%s' (a number > 0)", arg);
		break;
	case 'A':
		if (loader_mode_parse(arg, &o->sess.mode))
			return cli_usage(state, "invalid --attach '%s' (auto, fentry or kprobe)", arg);
		break;
	case 's':
		o->sysroot = arg;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'P':
		o->balloon_pages = true;
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void report(const struct balloon_opts *o, struct balloon_dev *d, int n,
		   struct balloon_dev *prev, int nprev, double dt, uint64_t page_size)
{
	int i, j;

	if (o->json)
		fprintf(o->out, "{\"interval_s\":%.3f,\"balloons\":[", dt);
	else
		fprintf(o->out, "%-16s %12s %12s %10s %8s %14s %12s %12s\n", "DRIVER", "INFLATED",
		       "DEFLATED", "MIGRATED", "MIG-FAIL", "GROWTH", "INFLATE/s", "DEFLATE/s");
	for (i = 0; i < n; i++) {
		uint64_t pi = 0, pd = 0;
		double ri, rd;
		int64_t growth = (int64_t)(d[i].s.inflated - d[i].s.deflated);

		for (j = 0; j < nprev; j++)
			if (prev[j].key == d[i].key)
				pi = prev[j].s.inflated, pd = prev[j].s.deflated;
		ri = dt > 0 ? (d[i].s.inflated - pi) / dt : 0;
		rd = dt > 0 ? (d[i].s.deflated - pd) / dt : 0;
		if (o->json) {
			fprintf(o->out, "%s{\"driver\":", i ? "," : "");
			json_string(o->out, d[i].driver, sizeof(d[i].driver));
			fprintf(o->out, ",\"inflated_pages\":%" PRIu64 ",\"deflated_pages\":%" PRIu64
			       ",\"migrated_pages\":%" PRIu64 ",\"migrate_failed\":%" PRIu64
			       ",\"growth_bytes\":%" PRId64
			       ",\"inflate_pages_per_s\":%.1f,\"deflate_pages_per_s\":%.1f}",
			       (uint64_t)d[i].s.inflated, (uint64_t)d[i].s.deflated,
			       (uint64_t)d[i].s.migrated, (uint64_t)d[i].s.migrate_failed,
			       growth * (int64_t)page_size, ri, rd);
		} else {
			fprintf(o->out, "%-16s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64
			       " %13.1fM %12.1f %12.1f\n",
			       d[i].driver, (uint64_t)d[i].s.inflated, (uint64_t)d[i].s.deflated,
			       (uint64_t)d[i].s.migrated, (uint64_t)d[i].s.migrate_failed,
			       growth * (double)page_size / (1 << 20), ri, rd);
		}
	}
	if (o->json)
		fprintf(o->out, "]}\n");
	else if (!n)
		fprintf(o->out, "(no balloon activity seen yet)\n");
}

int balloon_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &sessopt_argp, 0, NULL, 0 },
						       { &cli_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct balloon_opts o = { .out = out, .err = err, .cli = { .out = out, .err = err },
				  .interval = 1, .sess.mode = LOADER_AUTO };
	struct balloon_dev cur[MAX_BALLOONS], prev[MAX_BALLOONS];
	struct session_opts so = { 0 };
	struct session s;
	uint64_t reports = 0;
	int n, nprev = 0, ret = 0;
	double last, next;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	ret = 0;
	sessopt_apply(&o.sess, &so);
	/* nothing here shows offlines: no progress timer (sessopt.h) */
	so.stuck_after_ns = SESS_STUCK_OFF;
	so.err = err;
	so.verbose = o.verbose;
	so.sysroot = o.sysroot;
	so.balloon_pages = o.balloon_pages;
	so.prog = "memhp balloon";
	ret = session_open(&s, &so);
	if (ret)
		return ret;
	if (o.balloon_pages && loader_map_fd(s.loader, "balloons") < 0) {
		fprintf(err, "memhp balloon: the balloon probes are not attached "
				"(see the report above)\n");
		session_close(&s);
		return 2;
	}
	stop_on_signals(true);
	last = mono_s();
	next = last + o.interval;
	while (!stop_requested) {
		double t = mono_s();

		if (t < next) {
			int ms = (int)((next - t) * 1000) + 1;

			session_poll(&s, ms > 200 ? 200 : ms);
			continue;
		}
		n = session_balloons(&s, cur, MAX_BALLOONS);
		if (n < 0) {
			fprintf(err, "memhp balloon: reading the counters failed: %s\n",
				strerror(-n));
			ret = 1;
			break;
		}
		report(&o, cur, n, prev, nprev, t - last, s.model.page_size);
		memcpy(prev, cur, sizeof(cur[0]) * n);
		nprev = n;
		last = t;
		next += o.interval;
		if (o.count && ++reports >= o.count)
			break;
	}
	session_close(&s);
	return ret;
}
