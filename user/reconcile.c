// SPDX-License-Identifier: GPL-2.0
/* Reconciliation of the live model with sysfs, early memory, policy (see .h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "policy.h"
#include "reconcile.h"
#include "session.h"
#include "sysfs.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define RECON_MAX_BALLOONS 8

uint64_t reconcile_diff(const struct memhp_model *k, const struct memhp_model *m,
			struct drift_item *out, size_t max)
{
	size_t i = 0, j = 0;
	uint64_t d = 0;

	while (i < k->nr_blocks || j < m->nr_blocks) {
		struct drift_item it = { 0, -1, -1 };

		if (j == m->nr_blocks || (i < k->nr_blocks && k->blocks[i].id < m->blocks[j].id)) {
			it.block = k->blocks[i].id; /* the kernel has it, the model not */
			it.kernel_state = k->blocks[i++].state;
		} else if (i == k->nr_blocks || m->blocks[j].id < k->blocks[i].id) {
			it.block = m->blocks[j].id; /* the model has it, the kernel not */
			it.model_state = m->blocks[j++].state;
		} else {
			if (k->blocks[i].state == m->blocks[j].state) {
				i++;
				j++;
				continue;
			}
			it.block = k->blocks[i].id;
			it.kernel_state = k->blocks[i++].state;
			it.model_state = m->blocks[j++].state;
		}
		if (out && d < max)
			out[d] = it;
		d++;
	}
	return d;
}

uint64_t reconcile_drift(const struct memhp_model *k, const struct memhp_model *m)
{
	return reconcile_diff(k, m, NULL, 0);
}

int reconcile_policy_state(struct policy_state *ps, struct zi_system *sys,
			   struct policy_balloon *balloons, size_t max_balloons,
			   const char *sysroot, const struct memhp_model *m,
			   const struct policy_tracker *trk, char *err, size_t errlen)
{
	if (zi_system_load(sys, sysroot, err, errlen))
		return -1;
	memset(ps, 0, sizeof(*ps));
	ps->za = &sys->st;
	ps->devs = sys->devs;
	ps->nr_devs = sys->nr_devs;
	ps->page_size = sys->page_size;
	ps->model = m;
	ps->events = trk;
	ps->nr_balloons = check_detect_balloons(sysroot, balloons, max_balloons);
	ps->balloons = balloons;
	return 0;
}

int reconcile_run(struct session *s, const char *sysroot, const struct policy *pol,
		  const struct policy_tracker *trk, struct recon_result *out, char *err,
		  size_t errlen)
{
	struct policy_balloon balloons[RECON_MAX_BALLOONS];
	struct memhp_model *kernel = calloc(1, sizeof(*kernel));
	struct zi_system *sys = calloc(1, sizeof(*sys));
	struct policy_result res;
	struct policy_state ps;
	int n, node, z, ret = -1;
	size_t i;

	if (!kernel || !sys) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	model_init(kernel);
	zi_system_init(sys);
	if (sysfs_snapshot(kernel, sysroot, err, errlen))
		goto out_models;
	if (reconcile_policy_state(&ps, sys, balloons, RECON_MAX_BALLOONS, sysroot, &s->model, trk,
				   err, errlen))
		goto out_models;
	out->nr_zones = 0;
	for (node = 0; node < sys->st.nr_nodes; node++) {
		for (z = 0; z < ZA_NR_ZONES && out->nr_zones < RECON_MAX_ZONES; z++) {
			const struct za_zone *zz = &sys->st.nodes[node].zones[z];

			if (!zz->present)
				continue;
			out->zones[out->nr_zones].node = node;
			snprintf(out->zones[out->nr_zones].zone, sizeof(out->zones[0].zone), "%s",
				 za_zone_name(z));
			out->zones[out->nr_zones].early = zz->present_early;
			out->nr_zones++;
		}
	}
	pthread_mutex_lock(&s->lock);
	out->drift_blocks = reconcile_drift(kernel, &s->model);
	ret = 0;
	if (pol) {
		policy_result_init(&res);
		n = policy_evaluate(pol, &ps, &res);
		if (n < 0) {
			snprintf(err, errlen, "policy evaluation failed");
			ret = -1;
		} else {
			out->policy = true;
			out->nr_rules = 0;
			for (i = 0; i < pol->nr && out->nr_rules < RECON_MAX_RULES; i++) {
				struct recon_rule *r = &out->rules[out->nr_rules++];
				size_t v;

				snprintf(r->name, sizeof(r->name), "%s", pol->rules[i].name);
				snprintf(r->severity, sizeof(r->severity), "%s",
					 policy_severity_name(pol->rules[i].severity));
				r->evaluated = res.evaluated[i];
				r->violations = 0;
				for (v = 0; v < res.nr; v++)
					if (res.v[v].rule == i)
						r->violations++;
			}
		}
		policy_result_free(&res);
	}
	pthread_mutex_unlock(&s->lock);
	out->runs++;
	out->valid = true;
out_models:
	zi_system_free(sys);
	model_free(kernel);
out:
	if (ret)
		out->errors++;
	free(kernel);
	free(sys);
	return ret;
}
