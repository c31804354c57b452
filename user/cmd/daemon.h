/* SPDX-License-Identifier: GPL-2.0 */
/* memhp online-daemon; its decisions are in user/lib/online_plan.h. */
#ifndef MEMHP_DAEMON_H
#define MEMHP_DAEMON_H

#include <stdio.h>

#include "exitcode.h"
#include "online_plan.h"

#define DAEMON_EXIT_OK MEMHP_EXIT_OK
#define DAEMON_EXIT_FAILED MEMHP_EXIT_FAILURE /* some onlines failed for good */
#define DAEMON_EXIT_USAGE MEMHP_EXIT_USAGE    /* bad usage, bad policy, unreadable state */

/* The same with explicit streams (tests). */
int daemon_main(int argc, char **argv, FILE *out, FILE *err);

#endif
