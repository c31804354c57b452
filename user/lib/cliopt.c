// SPDX-License-Identifier: GPL-2.0
/* Option-value parsers shared by the subcommands (see cliopt.h). */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "cliopt.h"

struct unit {
	const char *suffix;
	double scale;
};

/* A decimal number (no sign, no space, no "inf"/"nan") times the scale of
 * its suffix, which must be one of @units. */
static bool parse_scaled(const char *arg, const struct unit *units, size_t nr, double *out)
{
	char *end;
	double v;
	size_t i;

	if (!arg || !((*arg >= '0' && *arg <= '9') || *arg == '.'))
		return false;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg)
		return false;
	for (i = 0; i < nr; i++) {
		if (!strcmp(end, units[i].suffix)) {
			*out = v * units[i].scale;
			return true;
		}
	}
	return false;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

bool cliopt_parse_secs(const char *arg, double *out, bool zero_ok)
{
	static const struct unit units[] = {
		{ "", 1 }, { "s", 1 }, { "ms", 1e-3 }, { "m", 60 }, { "h", 3600 },
	};
	double v;

	if (!parse_scaled(arg, units, ARRAY_LEN(units), &v) || !(v >= 0) ||
	    v > CLIOPT_MAX_SECS || (!zero_ok && v == 0))
		return false;
	*out = v;
	return true;
}

bool cliopt_parse_size(const char *arg, uint64_t *out)
{
	static const struct unit units[] = {
		{ "", 1 },	     { "B", 1 },
		{ "K", 0x1p10 },     { "KiB", 0x1p10 }, { "KB", 1e3 },
		{ "M", 0x1p20 },     { "MiB", 0x1p20 }, { "MB", 1e6 },
		{ "G", 0x1p30 },     { "GiB", 0x1p30 }, { "GB", 1e9 },
		{ "T", 0x1p40 },     { "TiB", 0x1p40 }, { "TB", 1e12 },
	};
	double v;

	/* whole bytes only, and exactly representable (below 2^53) */
	if (!parse_scaled(arg, units, ARRAY_LEN(units), &v) || !(v >= 0) || v >= 0x1p53 ||
	    v != (double)(uint64_t)v)
		return false;
	*out = (uint64_t)v;
	return true;
}

bool cliopt_parse_ringbuf(const char *arg, uint32_t *out)
{
	uint64_t v;

	if (!(cliopt_parse_u64(arg, &v) || cliopt_parse_size(arg, &v)) || v < 4096 || v > (1ull << 30) || (v & (v - 1)))
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

bool cliopt_parse_ratio(const char *arg, uint64_t *out)
{
	static const struct unit ratio[] = { { "", 100 } };
	static const struct unit pct[] = { { "%", 1 } };
	bool is_ratio = arg && strchr(arg, '.') && !strchr(arg, '%');
	double v, r;

	if (!arg || (!is_ratio && strchr(arg, '.')) || strpbrk(arg, "xXeEpP"))
		return false; /* "3.5%": percent is whole; no hex or exponents */
	if (!parse_scaled(arg, is_ratio ? ratio : strchr(arg, '%') ? pct : ratio,
			  1, &v))
		return false;
	if (!is_ratio && !strchr(arg, '%'))
		v /= 100; /* a bare integer is percent */
	if (!(v >= 0) || v >= 1e9)
		return false;
	/* 3.01 * 100 is 300.99999...: a whole percent within rounding */
	r = (double)(uint64_t)(v + 0.5);
	if (v - r > 1e-6 || r - v > 1e-6)
		return false;
	*out = (uint64_t)r;
	return true;
}
