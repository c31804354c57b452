/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp ls: an lsmem(1)-compatible listing of memory blocks from a sysfs
 * snapshot (and, with events, memhp's own columns). See user/cmd/LS-NOTES.md.
 */
#ifndef MEMHP_LS_H
#define MEMHP_LS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "exitcode.h"

/* Exit status: 0 ok, 1 runtime error (sysfs unreadable), 2 bad usage. */
#define LS_EXIT_OK MEMHP_EXIT_OK
#define LS_EXIT_ERROR MEMHP_EXIT_FAILURE
#define LS_EXIT_USAGE MEMHP_EXIT_USAGE

/* `memhp ls [OPTION...]`; argv[0] is ignored. Prints to stdout/stderr. */
/* The same with explicit streams (tests). */
int ls_main(int argc, char **argv, FILE *out, FILE *err);
/*
 * List @m, a model the caller filled (a snapshot, then events or a replay)
 * instead of reading sysfs (--sysroot is then ignored); @m NULL: like
 * ls_main(). @m is not changed.
 */
struct memhp_model;
int ls_main_model(int argc, char **argv, struct memhp_model *m, FILE *out,
		  FILE *err);

/* util-linux size_to_human_string(SIZE_SUFFIX_1LETTER): "128M", "1.5G". */
void ls_size_human(uint64_t bytes, char *buf, size_t len);

#endif
