/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp simulate: predict the zone the kernel picks for each memory block
 * over a sequence of hotplug operations (docs/simulate.md).
 */
#ifndef MEMHP_SIMULATE_H
#define MEMHP_SIMULATE_H

#include <stdio.h>

#include "exitcode.h"

/* Exit status: 0 ok, 1 an operation failed (runtime), 2 bad usage or input. */
#define SIM_EXIT_OK MEMHP_EXIT_OK
#define SIM_EXIT_RUNTIME MEMHP_EXIT_FAILURE
#define SIM_EXIT_USAGE MEMHP_EXIT_USAGE

/* argv[0] is the program name ("memhp simulate"). */
/* The same with explicit streams (tests). */
int simulate_main(int argc, char **argv, FILE *out, FILE *err);

#endif
