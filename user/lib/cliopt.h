/* SPDX-License-Identifier: GPL-2.0 */
/* Small option-value parsers shared by the subcommands. */
#ifndef MEMHP_CLIOPT_H
#define MEMHP_CLIOPT_H

#include <stdbool.h>
#include <stdint.h>

/* Longest duration any option accepts: a year. */
#define CLIOPT_MAX_SECS (86400.0 * 365)

/* A duration: a decimal number with an optional unit (none or s: seconds,
 * ms, m, h), e.g. 30, 1.5s, 250ms, 2m; in [0, CLIOPT_MAX_SECS], 0 only if
 * @zero_ok. */
bool cliopt_parse_secs(const char *arg, double *out, bool zero_ok);

/* An unsigned number, decimal or 0x hex, nothing else (no sign, no space). */
bool cliopt_parse_u64(const char *arg, uint64_t *out);

/* Bytes: a decimal number with an optional unit, binary like util-linux
 * (K/KiB = 1024, M/MiB, G/GiB, T/TiB) or decimal (KB = 1000, MB, GB, TB),
 * e.g. 1M, 1.5G, 4096; whole bytes only. */
bool cliopt_parse_size(const char *arg, uint64_t *out);

/*
 * A MOVABLE:KERNEL ratio, in whole percent (what auto_movable_ratio and the
 * policy's max-ratio count in): "3.01" (a ratio: has a decimal point),
 * "301%" (percent), or "301" (a bare integer: percent, the historical
 * spelling). A ratio that is not a whole percent ("3.015") is refused.
 */
bool cliopt_parse_ratio(const char *arg, uint64_t *out);

/* --buffer-size: ring buffer bytes, a power of 2 from 4096 to 1 GiB. */
#define CLIOPT_RINGBUF_HELP "Ring buffer size: a power of 2, 4K to 1G (default 256K)"
#define CLIOPT_RINGBUF_BAD "invalid --buffer-size '%s' (a power of 2, 4K to 1G, e.g. 1M)"
bool cliopt_parse_ringbuf(const char *arg, uint32_t *out);

#endif
