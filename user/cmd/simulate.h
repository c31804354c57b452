/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp simulate: predict the zone the kernel picks for each memory block
 * over a sequence of hotplug operations (docs/simulate.md).
 */
#ifndef MEMHP_SIMULATE_H
#define MEMHP_SIMULATE_H

#include <stdio.h>

/* Exit status: 0 ok, 1 an operation failed (runtime), 2 bad usage or input. */
#define SIM_EXIT_OK 0
#define SIM_EXIT_RUNTIME 1
#define SIM_EXIT_USAGE 2

/* argv[0] is the program name ("memhp simulate"). */
int cmd_simulate(int argc, char **argv);
/* The same with explicit streams (tests). */
int simulate_main(int argc, char **argv, FILE *out, FILE *err);

#endif
