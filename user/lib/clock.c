// SPDX-License-Identifier: GPL-2.0
/* Clock readings as plain numbers (see clock.h). */
#include "clock.h"

double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double mono_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}
