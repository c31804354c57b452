/* SPDX-License-Identifier: GPL-2.0 */
/* `memhp export`: Prometheus metrics over HTTP, a textfile, or stdout. */
#ifndef MEMHP_EXPORT_H
#define MEMHP_EXPORT_H

#include <stdio.h>

#include <stddef.h>

int export_main(int argc, char **argv, FILE *out, FILE *err);

/*
 * Replace @path atomically with @len bytes of @data: a temporary file in the
 * same directory, then rename(2). 0 or -errno with a message in @err.
 */
int export_write_atomic(const char *path, const char *data, size_t len,
			char *err, size_t errlen);

#endif
