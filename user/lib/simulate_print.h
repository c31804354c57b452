/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp simulate: the two printers of a run, to s->o->out
 * (user/lib/simulate_print.c). OK: whether every operation succeeded.
 */
#ifndef MEMHP_SIMULATE_PRINT_H
#define MEMHP_SIMULATE_PRINT_H

#include <stdbool.h>

struct sim;

void print_text(struct sim *s, bool ok);
void print_json(struct sim *s, bool ok);

#endif
