/* SPDX-License-Identifier: GPL-2.0 */
/* `memhp export`: Prometheus metrics over HTTP, a textfile, or stdout. */
#ifndef MEMHP_EXPORT_H
#define MEMHP_EXPORT_H

#include <stddef.h>

int cmd_export(int argc, char **argv);

/*
 * Replace @path atomically with @len bytes of @data: a temporary file in the
 * same directory, then rename(2). 0 or -errno with a message in @err.
 */
int export_write_atomic(const char *path, const char *data, size_t len,
			char *err, size_t errlen);

#endif
