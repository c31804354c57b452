/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_ATOMIC_FILE_H
#define MEMHP_ATOMIC_FILE_H

#include <stddef.h>

/*
 * Replace @path atomically with @len bytes of @data: a hidden temporary file
 * in the same directory (mode 0644, fsync'ed), then rename(2), so a reader
 * such as node_exporter's textfile collector never sees half a file. 0 or
 * -errno with a message in @err.
 */
int atomic_file_write(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif
