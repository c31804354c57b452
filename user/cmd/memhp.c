// SPDX-License-Identifier: GPL-2.0
/* memhp: the command-line entry point; one subcommand per sink. */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include "balloon.h"
#include "check.h"
#include "daemon.h"
#include "export.h"
#include "ls.h"
#include "readiness_cmd.h"
#include "record_cmd.h"
#include "replay.h"
#include "simulate.h"
#include "top.h"
#include "trace.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "trace", cmd_trace, "live memory hotplug events (BPF; text or JSON lines)" },
	{ "record", cmd_record, "record live events into a file for replay (BPF)" },
	{ "replay", cmd_replay, "replay a record file through decode, model, policy and exposition" },
	{ "ls", cmd_ls, "memory blocks from sysfs, lsmem-compatible (no BPF needed)" },
	{ "export", cmd_export, "Prometheus metrics: HTTP /metrics, textfile, or --stdout once" },
	{ "top", cmd_top, "live terminal dashboard: zones, groups' MOVABLE:KERNEL ratios, events" },
	{ "check", cmd_check, "evaluate a memory hotplug policy (ratios, DIMM zones, reserves, budgets)" },
	{ "readiness", cmd_readiness, "would offlining each block succeed now, and what blocks it (no BPF)" },
	{ "simulate", cmd_simulate, "predict the kernel's zone for hotplug operations (no BPF needed)" },
	{ "balloon", cmd_balloon, "balloon inflate/deflate/migrate activity per driver (BPF)" },
	{ "online-daemon", cmd_online_daemon, "online hot-added memory left offline by a policy (DIMM one zone, ratio, reserve)" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: memhp [-h|--help] [-V|--version] COMMAND [OPTIONS]\n\n"
		   "eBPF observability for Linux memory hotplug.\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`memhp COMMAND --help` describes a command. Exit status: 0 ok,\n"
		   "1 runtime error, 2 bad usage or not possible on this system.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	argp_err_exit_status = 2; /* bad usage: 2, like every memhp error of that kind */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("memhp %s (event ABI %d)\n", MEMHP_VERSION, 1);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			char name[64];

			/* argp prints "memhp trace: ..." in its messages. */
			snprintf(name, sizeof(name), "memhp %s", commands[i].name);
			argv[1] = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "memhp: unknown command '%s' (see memhp --help)\n", argv[1]);
	return 2;
}
