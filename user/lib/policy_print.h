/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_POLICY_PRINT_H
#define MEMHP_POLICY_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "decode.h"
#include "policy.h"

struct policy_print_ctx {
	FILE *out;
	bool json;
	const struct time_conv *tc;
};

/* A policy violation appearing or clearing, as `memhp trace --policy` and
 * `memhp replay` print it (a policy_watch_eval() callback; ctx: struct
 * policy_print_ctx). */
void policy_print_transition(enum policy_transition t, const struct policy *p,
			     const struct policy_violation *v, void *ctx);

#endif
