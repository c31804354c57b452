// SPDX-License-Identifier: GPL-2.0
/* Reconciliation of the live model with sysfs, early memory, policy (see .h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon_detect.h"
#include "model.h"
#include "policy.h"
#include "reconcile.h"
#include "session.h"
#include "sysfs.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define RECON_MAX_BALLOONS 8

/*
 * The kernel shows "going-offline" for as long as offline_pages() runs
 * (seconds when pages must migrate); the event comes when it returns, as
 * offline or, failed, online again. Between online and going-offline there
 * is an operation in flight, not a drift: a lost event shows later as a
 * real difference.
 */
static bool same_state(int kernel, int model)
{
	if (kernel == model)
		return true;
	return (kernel == MEMHP_BLOCK_GOING_OFFLINE && model == MEMHP_BLOCK_ONLINE) ||
	       (kernel == MEMHP_BLOCK_ONLINE && model == MEMHP_BLOCK_GOING_OFFLINE);
}

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
			if (same_state(k->blocks[i].state, m->blocks[j].state)) {
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
	/* the session's model, kept current by events (one model); a fresh
	 * snapshot only without one */
	if (m ? zi_system_from_model(sys, m, sysroot, err, errlen)
	      : zi_system_load(sys, sysroot, err, errlen))
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

struct transition_ctx {
	struct recon_result *out;
	recon_transition_fn fn;
	void *ctx;
};

static void on_transition(enum policy_transition t, const struct policy *p,
			  const struct policy_violation *v, void *ctx)
{
	struct transition_ctx *tc = ctx;

	if (v->rule < RECON_MAX_RULES) {
		if (t == POL_APPEAR)
			tc->out->rules[v->rule].appeared++;
		else
			tc->out->rules[v->rule].cleared++;
	}
	if (tc->fn)
		tc->fn(t == POL_APPEAR, p, v, tc->ctx);
}

int reconcile_run(struct session *s, const char *sysroot, const struct policy *pol,
		  const struct policy_tracker *trk, struct recon_result *out, char *err,
		  size_t errlen)
{
	return reconcile_run_watch(s, sysroot, pol, trk, NULL, NULL, NULL, NULL, out, err, errlen);
}

int reconcile_run_watch(struct session *s, const char *sysroot, const struct policy *pol,
			const struct policy_tracker *trk, const struct readiness *rd,
			struct policy_watch *w,
			recon_transition_fn fn, void *ctx, struct recon_result *out, char *err,
			size_t errlen)
{
	struct transition_ctx tc = { out, fn, ctx };
	const struct policy_result *rp;
	struct policy_balloon balloons[RECON_MAX_BALLOONS];
	struct memhp_model *kernel = calloc(1, sizeof(*kernel));
	struct zi_system *sys = calloc(1, sizeof(*sys));
	struct policy_result res;
	struct policy_state ps;
	uint64_t drift;
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
	/*
	 * Compare now and let the kernel's blocks go: three models at once is
	 * what made the exporter's peak memory on a big machine. The policy
	 * state below is derived from the session's model (zi_system_from_model).
	 */
	pthread_mutex_lock(&s->lock);
	drift = reconcile_drift(kernel, &s->model);
	pthread_mutex_unlock(&s->lock);
	model_free(kernel);
	out->drift_zones = reconcile_zones(s, NULL, 0, err, errlen);
	pthread_mutex_lock(&s->lock); /* the event thread may be applying events */
	if (out->drift_zones >= 0 && s->model.zacct_state != MEMHP_ZACCT_VALID)
		out->drift_zones = -1;
	pthread_mutex_unlock(&s->lock);
	/*
	 * The policy state reads /proc/zoneinfo, /proc/iomem, sysfs links and,
	 * with virtio-mem, the kernel log: seconds in a busy guest. Under the
	 * session's lock that stalled every scrape and every event behind it
	 * (the soak: scrape p99 2 s at --reconcile 2). It reads against a copy
	 * of the blocks (in the kernel model's place, freed above); the policy
	 * is evaluated on the live model, under the lock, below.
	 */
	pthread_mutex_lock(&s->lock);
	n = model_copy_blocks(kernel, &s->model);
	pthread_mutex_unlock(&s->lock);
	if (n) {
		snprintf(err, errlen, "out of memory");
		goto out_models;
	}
	n = reconcile_policy_state(&ps, sys, balloons, RECON_MAX_BALLOONS, sysroot, kernel, trk,
				   err, errlen);
	if (n)
		goto out_models;
	ps.readiness = rd;
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
	ps.model = &s->model; /* the blocks' event data: only the live model has it */
	out->drift_blocks = drift; /* a failed run leaves the last one's */
	ret = 0;
	if (pol) {
		policy_result_init(&res);
		/* the watch keeps its own result */
		rp = w ? &w->cur : &res;
		n = w ? policy_watch_eval(w, pol, &ps, on_transition, &tc)
		      : policy_evaluate(pol, &ps, &res);
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
				r->evaluated = rp->evaluated[i];
				r->violations = 0;
				for (v = 0; v < rp->nr; v++)
					if (rp->v[v].rule == i)
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

static int read_zoneinfo(const struct session *s, struct zoneinfo *zi, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/proc/zoneinfo",
		 s->o.sysroot && *s->o.sysroot ? s->o.sysroot : "");
	memset(zi, 0, sizeof(*zi));
	if (zoneinfo_read(path, zi, err, errlen)) {
		zoneinfo_free(zi);
		return -1;
	}
	return 0;
}

static bool same_present(const struct zoneinfo *a, const struct zoneinfo *b)
{
	size_t i;

	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (a->zones[i].nid != b->zones[i].nid || a->zones[i].present != b->zones[i].present ||
		    strcmp(a->zones[i].name, b->zones[i].name))
			return false;
	return true;
}

/*
 * The baseline must hold no half of an operation: zoneinfo read twice 50 ms
 * apart with the same present pages, no event submitted by the kernel in
 * between (its counter) and none left unapplied in the ring buffer. Present
 * pages change inside online_pages(), a few instructions before the events
 * that follow (MEM_ONLINE notify, fexit), so a busy system retries.
 */
static int zones_baseline(struct session *s, char *err, size_t errlen)
{
	struct zoneinfo a, b;
	int attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		uint64_t c0, c1;
		bool ok;
		size_t i;

		session_poll(s, 0);
		c0 = loader_stat(s->loader, MEMHP_STAT_EVENTS);
		if (read_zoneinfo(s, &a, err, errlen))
			return -1;
		ok = session_poll(s, 50) == 0;
		if (read_zoneinfo(s, &b, err, errlen)) {
			zoneinfo_free(&a);
			return -1;
		}
		c1 = loader_stat(s->loader, MEMHP_STAT_EVENTS);
		ok = ok && c0 == c1 && same_present(&a, &b) && session_poll(s, 0) == 0;
		if (ok) {
			pthread_mutex_lock(&s->lock);
			s->model.nr_zacct = 0;
			for (i = 0; i < b.nr; i++) {
				struct memhp_zone_acct *z;

				if (!b.zones[i].has_present)
					continue;
				z = model_zone_acct(&s->model, b.zones[i].nid, b.zones[i].name,
						    true);
				if (z) {
					z->base = b.zones[i].present;
					z->delta = 0;
				}
			}
			s->model.zacct_state = MEMHP_ZACCT_VALID;
			pthread_mutex_unlock(&s->lock);
		}
		zoneinfo_free(&a);
		zoneinfo_free(&b);
		if (ok)
			return 0;
	}
	return 0; /* busy: the next reconciliation tries again */
}

int64_t reconcile_zones(struct session *s, struct zone_drift *out, size_t max, char *err,
			size_t errlen)
{
	struct memhp_model *m = &s->model;
	struct zoneinfo zi;
	int64_t d = 0;
	size_t i;

	if (!s->loader)
		return 0; /* no events (export --no-trace): nothing to account */
	pthread_mutex_lock(&s->lock);
	i = m->zacct_state == MEMHP_ZACCT_VALID;
	pthread_mutex_unlock(&s->lock);
	if (!i)
		return zones_baseline(s, err, errlen);
	if (read_zoneinfo(s, &zi, err, errlen))
		return -1;
	pthread_mutex_lock(&s->lock);
	for (i = 0; m->zacct_state == MEMHP_ZACCT_VALID && i < zi.nr; i++) {
		const struct zi_zone *z = &zi.zones[i];
		const struct memhp_zone_acct *a;
		int64_t want;

		if (!z->has_present)
			continue;
		/* A zone (node) that came up since the baseline had none. */
		a = model_zone_acct(m, z->nid, z->name, false);
		want = a ? (int64_t)a->base + a->delta : 0;
		if (want == (int64_t)z->present)
			continue;
		if (out && (size_t)d < max) {
			out[d].nid = z->nid;
			snprintf(out[d].zone, sizeof(out[d].zone), "%s", z->name);
			out[d].model = want < 0 ? 0 : (uint64_t)want;
			out[d].kernel = z->present;
		}
		d++;
	}
	pthread_mutex_unlock(&s->lock);
	zoneinfo_free(&zi);
	return d;
}
