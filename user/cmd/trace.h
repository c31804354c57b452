/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_TRACE_H
#define MEMHP_TRACE_H

#include <stdio.h>

int trace_main(int argc, char **argv, FILE *out, FILE *err);

#endif
