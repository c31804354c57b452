/* SPDX-License-Identifier: GPL-2.0 */
/* Small option-value parsers shared by the subcommands. */
#ifndef MEMHP_CLIOPT_H
#define MEMHP_CLIOPT_H

#include <stdbool.h>

/* Longest duration any option accepts: a year. */
#define CLIOPT_MAX_SECS (86400.0 * 365)

/* Seconds as a decimal number in [0, CLIOPT_MAX_SECS]; 0 only if @zero_ok. */
bool cliopt_parse_secs(const char *arg, double *out, bool zero_ok);

#endif
