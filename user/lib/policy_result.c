// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: the result of an evaluation (the violation list, counted by
 * severity, keyed for --watch) and the text of a violation, apart from the
 * rules that fill it (policy_eval.c). See user/lib/policy.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

void policy_result_init(struct policy_result *r)
{
	memset(r, 0, sizeof(*r));
}

void policy_result_free(struct policy_result *r)
{
	free(r->v);
	free(r->evaluated);
	memset(r, 0, sizeof(*r));
}

void policy_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB",
					 "PiB", "EiB" };
	unsigned int i = 0;
	double v = (double)b;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, u[i]);
	else
		snprintf(buf, len, "%.2f %s", v, u[i]);
}

size_t policy_count_at_least(const struct policy *p,
			     const struct policy_result *r,
			     enum policy_severity min)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].rule < p->nr && p->rules[r->v[i].rule].severity >= min)
			n++;
	return n;
}

void policy_violation_key(const struct policy_violation *v, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%zu|%s", v->rule, v->object);
}

static void fmt_num(enum policy_unit u, uint64_t x, bool inf, char *buf,
		    size_t len)
{
	if (inf) {
		snprintf(buf, len, "inf");
		return;
	}
	switch (u) {
	case POL_UNIT_BYTES:
		policy_fmt_bytes(x, buf, len);
		break;
	case POL_UNIT_NS:
		snprintf(buf, len, "%.3f ms", (double)x / 1e6);
		break;
	case POL_UNIT_PFN:
		snprintf(buf, len, "pfn 0x%" PRIx64, x);
		break;
	default:
		snprintf(buf, len, "%" PRIu64, x);
		break;
	}
}

void policy_violation_text(const struct policy *p,
			   const struct policy_violation *v, char *buf,
			   size_t len)
{
	const struct policy_rule *r = &p->rules[v->rule];
	char a[32], l[32], blocks[64] = "";

	fmt_num(v->unit, v->actual, v->infinite, a, sizeof(a));
	fmt_num(v->unit, v->limit, false, l, sizeof(l));
	if (v->has_blocks && v->first_block != v->last_block)
		snprintf(blocks, sizeof(blocks), " memory%" PRIu64 "-%" PRIu64,
			 v->first_block, v->last_block);
	else if (v->has_blocks && strncmp(v->object, "memory", 6))
		snprintf(blocks, sizeof(blocks), " memory%" PRIu64,
			 v->first_block);
	snprintf(buf, len, "%s %s [%s] %s%s: %s (actual %s, limit %s)",
		 policy_severity_name(r->severity), r->name,
		 policy_rule_type_name(r->type), v->object, blocks, v->detail,
		 a, l);
}
