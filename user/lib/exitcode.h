/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit status of the memhp commands, the numbers in one place: 0 done,
 * 1 the command's own failure, 2 bad usage. What 1 means, and whether a
 * run that could not be made is 1 or 2, is each command's (LS_EXIT_*,
 * SIM_EXIT_*, CHECK_EXIT_*, DAEMON_EXIT_* in its header).
 */
#ifndef MEMHP_EXITCODE_H
#define MEMHP_EXITCODE_H

#define MEMHP_EXIT_OK 0
#define MEMHP_EXIT_FAILURE 1
#define MEMHP_EXIT_USAGE 2

#endif
