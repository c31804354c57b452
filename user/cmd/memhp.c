// SPDX-License-Identifier: GPL-2.0
/* memhp: the command-line entry point; one subcommand per sink. */
#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "balloon.h"
#include "check.h"
#include "cli.h"
#include "daemon.h"
#include "exitcode.h"
#include "export.h"
#include "ls.h"
#include "readiness_cmd.h"
#include "record_cmd.h"
#include "replay.h"
#include "simulate.h"
#include "top.h"
#include "trace.h"

/*
 * stdout of live commands: written out a line at a time, or (trace, which
 * flushes before each wait for events itself) in one write(2) per batch of
 * events, up to OUT_BATCH_BYTES (some 400 JSON lines). A terminal keeps
 * its line buffering either way.
 */
enum out_buffering { OUT_DEFAULT, OUT_LINES, OUT_BATCHES };
#define OUT_BATCH_BYTES (256 * 1024)

struct command {
	const char *name;
	/* every command: the same testable main and exit-status contract */
	int (*main)(int argc, char **argv, FILE *out, FILE *err);
	const char *help;
	enum out_buffering buffering; /* of stdout */
};

static const struct command commands[] = {
	{ "trace", trace_main, "live memory hotplug events (BPF; text or JSON lines)", OUT_BATCHES },
	{ "record", record_main, "record live events into a file for replay (BPF)", OUT_DEFAULT },
	{ "replay", replay_main, "replay a record file through decode, model, policy and exposition", OUT_DEFAULT },
	{ "ls", ls_main, "memory blocks from sysfs, lsmem-compatible (no BPF needed)", OUT_DEFAULT },
	{ "export", export_main, "Prometheus metrics: HTTP /metrics, textfile, or --stdout once", OUT_DEFAULT },
	{ "top", top_main, "live terminal dashboard: zones, groups' MOVABLE:KERNEL ratios, events", OUT_DEFAULT },
	{ "check", check_main, "evaluate a memory hotplug policy (ratios, DIMM zones, reserves, budgets)", OUT_LINES },
	{ "readiness", readiness_main, "would offlining each block succeed now, and what blocks it (no BPF)", OUT_DEFAULT },
	{ "simulate", simulate_main, "predict the kernel's zone for hotplug operations (no BPF needed)", OUT_DEFAULT },
	{ "balloon", balloon_main, "balloon inflate/deflate/migrate activity per driver (BPF)", OUT_LINES },
	{ "online-daemon", daemon_main, "online hot-added memory left offline by a policy (DIMM one zone, ratio, reserve)", OUT_LINES },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: memhp [-h|--help] [-V|--version] COMMAND [OPTIONS]\n"
		   "       memhp help [COMMAND]\n\n"
		   "eBPF observability for Linux memory hotplug.\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`memhp COMMAND --help` or `memhp help COMMAND` describes a command.\n"
		   "Every command takes -h/--help, --usage and -V/--version.\n"
		   "Exit status: 0 ok, 1 runtime error, 2 bad usage or not possible on this system\n"
		   "(check: 1 means violations).\n");
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int run(const struct command *c, int argc, char **argv)
{
	static char batch_buf[OUT_BATCH_BYTES];
	char name[64];

	/* argp prints "memhp trace: ..." in its messages. */
	snprintf(name, sizeof(name), "memhp %s", c->name);
	argv[0] = name;
	if (c->buffering == OUT_LINES)
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (c->buffering == OUT_BATCHES && !isatty(STDOUT_FILENO))
		setvbuf(stdout, batch_buf, _IOFBF, sizeof(batch_buf));
	return c->main(argc, argv, stdout, stderr);
}

int main(int argc, char **argv)
{
	const struct command *c;

	argp_err_exit_status = MEMHP_EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return MEMHP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return MEMHP_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		char help[] = "--help";
		char *hargv[] = { argv[1], help, NULL };

		if (argc < 3) {
			usage(stdout);
			return MEMHP_EXIT_OK;
		}
		c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "memhp help: unknown command '%s' (see memhp --help)\n",
				argv[2]);
			return MEMHP_EXIT_USAGE;
		}
		return run(c, 2, hargv);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		cli_print_version(stdout);
		return MEMHP_EXIT_OK;
	}
	c = find(argv[1]);
	if (c)
		return run(c, argc - 1, argv + 1);
	fprintf(stderr, "memhp: unknown command '%s' (see memhp --help)\n", argv[1]);
	return MEMHP_EXIT_USAGE;
}
