// SPDX-License-Identifier: GPL-2.0
/*
 * Policy, continuous use: each evaluation compared with the previous one,
 * violations that appear and that clear. See user/lib/policy.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "zoneinfo.h"

void policy_watch_init(struct policy_watch *w)
{
	memset(w, 0, sizeof(*w));
}

void policy_watch_free(struct policy_watch *w)
{
	policy_result_free(&w->cur);
	policy_result_free(&w->prev);
}

static const struct policy_violation *find_key(const struct policy_result *r,
					       const struct policy_violation *v)
{
	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].rule == v->rule &&
		    !strcmp(r->v[i].object, v->object))
			return &r->v[i];
	return NULL;
}

int policy_watch_eval(struct policy_watch *w, const struct policy *p,
		      const struct policy_state *s, policy_transition_fn fn,
		      void *ctx)
{
	struct policy_result tmp;
	int ret;

	/* prev <- cur, then evaluate into cur (reusing the old prev's memory). */
	tmp = w->prev;
	w->prev = w->cur;
	w->cur = tmp;
	ret = policy_evaluate(p, s, &w->cur);
	if (ret < 0) {
		/* Keep the last good result as current. */
		tmp = w->prev;
		w->prev = w->cur;
		w->cur = tmp;
		return ret;
	}
	w->evaluations++;
	if (!fn)
		return ret;
	for (size_t i = 0; i < w->prev.nr; i++)
		if (!find_key(&w->cur, &w->prev.v[i]))
			fn(POL_CLEAR, p, &w->prev.v[i], ctx);
	for (size_t i = 0; i < w->cur.nr; i++)
		if (!find_key(&w->prev, &w->cur.v[i]))
			fn(POL_APPEAR, p, &w->cur.v[i], ctx);
	return ret;
}
