/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the readers of zoneinfo.h (user/lib/zi_read.c, kernel_log.c): the
 * small file and text readers they share. Not a public interface.
 */
#ifndef MEMHP_ZI_READ_H
#define MEMHP_ZI_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int parse_dec(const char *s, uint64_t *out);
int read_all(const char *path, size_t max, char **buf, size_t *len);
int read_word(const char *path, char *out, size_t outlen);
int split_words(char *line, char **w, int max);
bool next_line(const char *buf, size_t len, size_t *pos, char *line,
	       size_t linesz, bool *cut);
/* The kernel log buffer (klogctl): 0 and *buf, *len bytes of it, in a
 * mapping of *cap bytes that kernel_log_free() gives back; or -errno. */
int read_kernel_log(char **buf, size_t *len, size_t *cap);
void kernel_log_free(char *buf, size_t cap);

#endif
