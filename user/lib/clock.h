/* SPDX-License-Identifier: GPL-2.0 */
/* Clock readings as plain numbers. */
#ifndef MEMHP_CLOCK_H
#define MEMHP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The time of clock @id in seconds. */
double clock_s(clockid_t id);

/* The time of clock @id in nanoseconds. */
int64_t clock_ns(clockid_t id);

/* CLOCK_MONOTONIC in seconds: deadlines, intervals, rates. */
double mono_s(void);

#endif
