/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf's log: verbosity, capture around loads, and the reason a load failed. */
#ifndef MEMHP_LIBBPF_LOG_H
#define MEMHP_LIBBPF_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Routes libbpf's messages through memhp: to stderr only when @verbose. */
void loader_log_init(bool verbose);

/*
 * Why an object failed to load, from what libbpf logged meanwhile: the
 * program it names (@prog, "" if none) and a few words (@why):
 * "CO-RE relocation failed: struct memory_block.online_type" (a poisoned
 * relocation the verifier reached), "verifier rejected: <its error line>",
 * or the load error libbpf reported. 0 if a failing program was named.
 */
int loader_log_reason(const char *log, char *prog, size_t proglen, char *why, size_t whylen);

/*
 * Capturing libbpf's log (the loader does it around loads; tools/compat.c
 * around its trials): from _start() on, messages (debug ones too if
 * @debug) are kept until _stop(), which returns them (valid until the
 * next _start()).
 */
void loader_log_start(bool debug);
const char *loader_log_stop(void);

#endif
