/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp readiness: would offlining each memory block succeed now, and what
 * stands in the way (docs/readiness.md). No BPF: sysfs + /proc/kpageflags.
 */
#ifndef MEMHP_READINESS_CMD_H
#define MEMHP_READINESS_CMD_H

#include <stdio.h>

#include "exitcode.h"

/* Exit status: 0 scanned, 1 could not scan (no root, no page files,
 * unreadable sysfs), 2 bad usage. */
#define RD_EXIT_OK MEMHP_EXIT_OK
#define RD_EXIT_ERROR MEMHP_EXIT_FAILURE
#define RD_EXIT_USAGE MEMHP_EXIT_USAGE

/* argv[0] is the program name ("memhp readiness"); output on @out/@err. */
int readiness_main(int argc, char **argv, FILE *out, FILE *err);

#endif
