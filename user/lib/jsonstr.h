/* SPDX-License-Identifier: GPL-2.0 */
/* JSON string values. */
#ifndef MEMHP_JSONSTR_H
#define MEMHP_JSONSTR_H

#include <stddef.h>
#include <stdio.h>

/*
 * @s (at most @maxlen bytes; SIZE_MAX: up to its NUL) as a JSON string,
 * quotes included: " and \ escaped with \, control and non-ASCII bytes
 * as \u00XX.
 */
void json_string(FILE *f, const char *s, size_t maxlen);

#endif
