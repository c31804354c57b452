// SPDX-License-Identifier: GPL-2.0
/* Option-value parsers shared by the subcommands (see cliopt.h). */
#include <errno.h>
#include <stdlib.h>

#include "cliopt.h"

bool cliopt_parse_secs(const char *arg, double *out, bool zero_ok)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0) || v > CLIOPT_MAX_SECS ||
	    (!zero_ok && v == 0))
		return false;
	*out = v;
	return true;
}

bool cliopt_parse_ringbuf(const char *arg, uint32_t *out)
{
	uint64_t v;

	if (!cliopt_parse_u64(arg, &v) || v < 4096 || v > (1ull << 30) || (v & (v - 1)))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cliopt_parse_u64(const char *arg, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!arg || *arg < '0' || *arg > '9')
		return false;
	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}
