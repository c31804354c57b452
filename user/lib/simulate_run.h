/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp simulate: the engine that runs operations through the zone
 * algorithm (user/lib/simulate_run.c) and what it records for the printers.
 */
#ifndef MEMHP_SIMULATE_RUN_H
#define MEMHP_SIMULATE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "simulate_ops.h"
#include "zonealgo.h"
#include "zoneinfo.h"

/* --- results -------------------------------------------------------------- */

enum act_kind {
	ACT_REGISTER,
	ACT_UNREGISTER,
	ACT_ADD,
	ACT_ONLINE,
	ACT_OFFLINE,
	ACT_REMOVE,
};


struct action {
	enum act_kind kind;
	uint64_t block; /* or group id */
	int nid, group, zone, online_type;
};

struct step {
	const struct op *op;
	struct action *acts;
	size_t nr, cap;
	char notes[4][200];
	int nr_notes;
	char error[256];
};

struct sim_opts {
	const char *sysroot, *state_file, *ops_file;
	bool json;
	int policy, numa_aware, movable_node, auto_online;
	long long ratio;
	char **args;
	int nargs;
	FILE *out, *err;
};

struct sim {
	struct sim_opts *o;
	struct zi_system sys;
	bool have_state;	  /* st initialised (state files: lazily) */
	uint64_t next_block_size; /* state files: before the first block */
	struct step *steps;
	size_t nr_steps, cap_steps;
	bool silent; /* running a --state file: no steps recorded */
	unsigned int dimms, vmems;
	const char *source; /* "live", "sysroot", "state" */
};

struct za_state *ST(struct sim *s);
/* Run one operation; 0, or -1 after printing why to s->o->err. */
int exec_op(struct sim *s, const struct op *op);
/* Build the starting state from s->o->state_file. */
int run_state_file(struct sim *s);
void sim_free(struct sim *s);

#endif
