/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests over fixture trees share: finding the source tree
 * (tests/data/mk-sysroots.sh; MEMHP_SRCDIR overrides) and running a shell
 * command. Static: each test is one program.
 */
#ifndef MEMHP_UNIT_FIXTURE_H
#define MEMHP_UNIT_FIXTURE_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char srcdir[PATH_MAX];

static int find_srcdir(void)
{
	static const char *const cand[] = { ".", "..", "../..", "../../.." };
	const char *env = getenv("MEMHP_SRCDIR");
	char p[2 * PATH_MAX];
	size_t i;

	if (env && *env) {
		snprintf(srcdir, sizeof(srcdir), "%s", env);
		return 0;
	}
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		snprintf(p, sizeof(p), "%s/tests/data/mk-sysroots.sh", cand[i]);
		if (!access(p, X_OK))
			return realpath(cand[i], srcdir) ? 0 : -1;
	}
	return -1;
}

static int run(const char *fmt, ...)
{
	char cmd[3 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

#endif
