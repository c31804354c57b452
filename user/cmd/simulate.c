// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: run a sequence of memory hotplug operations through the
 * kernel's zone algorithm (user/lib/zonealgo.c) starting from the live system,
 * a --sysroot tree or a --state file, and print the zone of every block and
 * the resulting MOVABLE:KERNEL ratios. Format of operations and states:
 * docs/simulate.md.
 */
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliopt.h"
#include "simulate.h"
#include "simulate_ops.h"
#include "simulate_print.h"
#include "simulate_run.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PROG SIM_PROG

/* --- options -------------------------------------------------------------- */

enum {
	OPT_POLICY = 0x100,
	OPT_RATIO,
	OPT_NUMA_AWARE,
	OPT_MOVABLE_NODE,
	OPT_AUTO_ONLINE,
	OPT_STATE,
	OPT_OLD_POLICY,
};

/* What argp parses into: the options (user/lib) and -h, --usage, -V. */
struct sim_args {
	struct sim_opts *o;
	struct cli cli;
};

static const struct argp_option sim_options[] = {
	{ "sysroot", 's', "DIR", 0,
	  "start from the system copied under DIR (DIR/sys/..., DIR/proc/zoneinfo, DIR/proc/iomem)",
	  0 },
	{ "state", OPT_STATE, "FILE", 0,
	  "start from the state described in FILE (see docs/simulate.md)", 0 },
	{ "ops", 'f', "FILE", 0,
	  "read operations from FILE, one a line ('-': stdin), before those given as arguments",
	  0 },
	{ "online-policy", OPT_POLICY, "POLICY", 0,
	  "the kernel's online policy: contig-zones or auto-movable (default: memory_hotplug.online_policy)",
	  1 },
	/*
	 * The old name of --online-policy, hidden: elsewhere --policy is a YAML
	 * policy file, so it takes only a kernel policy's name here and says so.
	 */
	{ "policy", OPT_OLD_POLICY, "POLICY", OPTION_HIDDEN, NULL, 1 },
	{ "ratio", OPT_RATIO, "RATIO", 0,
	  "auto_movable_ratio: 3.01, 301% or 301 (percent)", 1 },
	{ "numa-aware", OPT_NUMA_AWARE, "Y|N", 0, "auto_movable_numa_aware",
	  1 },
	{ "movable-node", OPT_MOVABLE_NODE, "Y|N", 0,
	  "as if booted with (Y) or without (N) movable_node", 1 },
	{ "auto-online", OPT_AUTO_ONLINE, "TYPE", 0,
	  "what hot-added memory does: offline, online, online_kernel, online_movable (default: auto_online_blocks)",
	  1 },
	{ "json", 'J', NULL, 0, "JSON output", 2 },
	{ 0 },
};

static const char sim_doc[] =
	"Predict the zone the kernel picks for each memory block over a sequence "
	"of hotplug operations, and the resulting MOVABLE:KERNEL ratios.\n"
	"\n"
	"The model is Linux 6.1's zone_for_pfn_range() (contig-zones and "
	"auto-movable, memory groups, NUMA-aware). The starting state is the "
	"running system unless --sysroot or --state say otherwise. Each OP "
	"argument holds one or more operations separated by ';'.\v"
	"Operations (docs/simulate.md):\n"
	"  dimm SIZE [node=N] [name=NAME] [at=ADDR|block=N] [align=SIZE]\n"
	"      hot-add an ACPI DIMM (a static memory group); onlined as\n"
	"      auto_online_blocks says\n"
	"  virtio-mem SIZE [dev=NAME] [node=N] [unit=SIZE] [region=SIZE]\n"
	"             [at=ADDR|block=N]\n"
	"      grow a virtio-mem device (a dynamic memory group) by SIZE\n"
	"  add BLOCKS [node=N]           add blocks without a group (probe)\n"
	"  online BLOCKS [online|online_kernel|online_movable]\n"
	"  offline BLOCKS\n"
	"  remove BLOCKS                 remove offline blocks\n"
	"  unplug NAME                   eject a DIMM: offline and remove it\n"
	"  online-all [TYPE]             online every offline block, ascending\n"
	"  set [policy=P] [ratio=N] [numa-aware=Y|N] [movable-node=Y|N]\n"
	"      [auto-online=TYPE]\n"
	"BLOCKS: 48, 48-55, 55-48 (descending), memory48, 48,50-52.\n"
	"SIZE: bytes, K/M/G/T (powers of 1024) or KB/MB/GB/TB (of 1000): 1.5G.\n"
	"\n"
	"Exit status: 0 ok, 1 an operation failed (as the kernel would refuse it),\n"
	"2 bad usage or unreadable input.\n"
	"\n"
	"Examples:\n"
	"  memhp simulate --online-policy auto-movable 'dimm 4G' 'dimm 1.5G'\n"
	"  memhp simulate -J --auto-online offline 'dimm 1G node=1; online-all'\n"
	"  memhp simulate --state vm.state -f ops.txt\n"
	"  memhp simulate                 # the current state and ratios";

static error_t sim_parse_opt(int key, char *arg, struct argp_state *state)
{
	struct sim_args *a = state->input;
	struct sim_opts *o = a->o;
	uint64_t v;
	int b;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->cli;
		break;
	case 's':
		o->sysroot = arg;
		break;
	case OPT_STATE:
		o->state_file = arg;
		break;
	case 'f':
		o->ops_file = arg;
		break;
	case OPT_OLD_POLICY:
		o->policy = za_policy_from_name(arg);
		if (o->policy < 0)
			return cli_usage(state,
					 "--policy is --online-policy here (contig-zones or auto-movable), "
					 "not a policy file: %s", arg);
		fprintf(a->cli.err, PROG ": --policy is now --online-policy\n");
		break;
	case OPT_POLICY:
		o->policy = za_policy_from_name(arg);
		if (o->policy < 0)
			return cli_usage(state,
					 "invalid --online-policy '%s' (contig-zones or auto-movable)",
					 arg);
		break;
	case OPT_RATIO:
		if (!cliopt_parse_ratio(arg, &v) || v > UINT32_MAX)
			return cli_usage(state, "invalid --ratio '%s' (3.01, 301%% or 301: percent)",
					 arg);
		o->ratio = (long long)v;
		break;
	case OPT_NUMA_AWARE:
	case OPT_MOVABLE_NODE:
		b = zi_parse_bool(arg);
		if (b < 0)
			return cli_usage(state, "expected Y or N: %s", arg);
		if (key == OPT_NUMA_AWARE)
			o->numa_aware = b;
		else
			o->movable_node = b;
		break;
	case OPT_AUTO_ONLINE:
		o->auto_online = za_online_type_from_name(arg);
		if (o->auto_online < 0)
			return cli_usage(state, "unknown online type: %s", arg);
		break;
	case 'J':
		o->json = true;
		break;
	case ARGP_KEY_ARG:
		o->args[o->nargs++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --- main ----------------------------------------------------------------- */

int simulate_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { sim_options, sim_parse_opt, "[OP...]", sim_doc,
					  children, NULL, NULL };
	struct sim_opts o = { .out = out,
			      .err = err,
			      .policy = -1,
			      .numa_aware = -1,
			      .movable_node = -1,
			      .auto_online = -1,
			      .ratio = -1 };
	struct sim_args a = { .o = &o, .cli = { .out = out, .err = err } };
	struct sim s = { .o = &o };
	struct op_list ops = { 0 };
	char **args, errbuf[512];
	int i, rc = SIM_EXIT_USAGE;
	bool ok = true;
	size_t k;

	args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*args));
	o.args = calloc((size_t)(argc > 0 ? argc : 1) + 1, sizeof(*o.args));
	if (!args || !o.args) {
		fprintf(err, PROG ": out of memory\n");
		free(args);
		free(o.args);
		return SIM_EXIT_RUNTIME;
	}
	args[0] = (char *)PROG;
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	rc = cli_parse(&argp, argc > 0 ? argc : 1, args, ARGP_IN_ORDER, &a, &a.cli);
	if (rc >= 0)
		goto out_args;
	rc = SIM_EXIT_USAGE;
	if (o.sysroot && o.state_file) {
		fprintf(err,
			PROG ": --sysroot and --state exclude each other\n");
		goto out_args;
	}

	zi_system_init(&s.sys);
	if (o.state_file) {
		s.source = "state";
		if (run_state_file(&s))
			goto out;
	} else {
		s.source = o.sysroot ? "sysroot" : "live";
		if (zi_system_load(&s.sys, o.sysroot, errbuf, sizeof(errbuf))) {
			fprintf(err, PROG ": %s\n", errbuf);
			goto out;
		}
		s.have_state = true;
	}
	/* options override what the system says */
	if (o.policy >= 0)
		ST(&s)->cfg.policy = (enum za_policy)o.policy;
	if (o.ratio >= 0)
		ST(&s)->cfg.ratio = (unsigned int)o.ratio;
	if (o.numa_aware >= 0)
		ST(&s)->cfg.numa_aware = o.numa_aware;
	if (o.movable_node >= 0)
		ST(&s)->cfg.movable_node = o.movable_node;
	if (o.auto_online >= 0)
		s.sys.auto_online = o.auto_online;
	if (s.sys.auto_online < 0) {
		zi_warn(&s.sys,
			"auto_online_blocks unknown: hot-added memory stays offline");
		s.sys.auto_online = ZA_MMOP_OFFLINE;
	}

	/* every operation is parsed before anything runs */
	if (o.ops_file && read_ops_file(&o, o.ops_file, &ops, false))
		goto out;
	for (i = 0; i < o.nargs; i++) {
		char src[32];

		snprintf(src, sizeof(src), "argument %d", i + 1);
		if (add_ops(&o, &ops, src, o.args[i], strlen(o.args[i]), false))
			goto out;
	}
	for (k = 0; k < ops.nr; k++) {
		if (exec_op(&s, &ops.ops[k])) {
			ok = false;
			break;
		}
	}
	if (o.json)
		print_json(&s, ok);
	else
		print_text(&s, ok);
	rc = ok ? SIM_EXIT_OK : SIM_EXIT_RUNTIME;
	if (fflush(out) || ferror(out)) {
		fprintf(err, PROG ": write error\n");
		rc = SIM_EXIT_RUNTIME;
	}
out:
	op_list_free(&ops);
	sim_free(&s);
out_args:
	free(args);
	free(o.args);
	return rc;
}
