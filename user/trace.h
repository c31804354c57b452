/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_TRACE_H
#define MEMHP_TRACE_H

#include <stdbool.h>

#include "decode.h"
#include "policy.h"

int cmd_trace(int argc, char **argv);

struct trace_transition_ctx {
	bool json;
	const struct time_conv *tc;
};

/* A policy violation appearing or clearing, as `memhp trace --policy`
 * prints it (ctx: struct trace_transition_ctx). */
void trace_print_transition(enum policy_transition t, const struct policy *p,
			    const struct policy_violation *v, void *ctx);

#endif
