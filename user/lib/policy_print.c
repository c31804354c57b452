// SPDX-License-Identifier: GPL-2.0
/*
 * A policy violation appearing or clearing, one line of text or JSON: the
 * same lines from `memhp trace --policy` and `memhp replay`.
 */
#include <stdio.h>

#include "decode.h"
#include "jsonstr.h"
#include "policy_print.h"

void policy_print_transition(enum policy_transition t, const struct policy *p,
			     const struct policy_violation *v, void *ctx)
{
	struct policy_print_ctx *c = ctx;
	const struct policy_rule *r = &p->rules[v->rule];
	char line[1024];

	policy_violation_text(p, v, line, sizeof(line));
	if (c->json) {
		fprintf(c->out, "{\"event\":\"policy\",\"transition\":\"%s\",\"rule\":",
			t == POL_APPEAR ? "appear" : "clear");
		json_string(c->out, r->name, sizeof(r->name));
		fprintf(c->out,
			",\"severity\":\"%s\",\"object\":", policy_severity_name(r->severity));
		json_string(c->out, v->object, sizeof(v->object));
		fprintf(c->out, ",\"message\":");
		json_string(c->out, line, sizeof(line));
		fprintf(c->out, "}\n");
	} else {
		fprintf(c->out, "# POLICY %s %s\n", t == POL_APPEAR ? "APPEAR" : "CLEAR ", line);
	}
}
