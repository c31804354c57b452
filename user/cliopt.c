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
