/* SPDX-License-Identifier: GPL-2.0 */
/* `memhp export`: Prometheus metrics over HTTP, a textfile, or stdout. */
#ifndef MEMHP_EXPORT_H
#define MEMHP_EXPORT_H

#include <stdio.h>

int export_main(int argc, char **argv, FILE *out, FILE *err);

#endif
