// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: rule evaluation over a struct policy_state (the result list and a
 * violation's text: policy_result.c). See user/lib/policy.h and docs/policy.md.
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
#include "readiness.h"
#include "zoneinfo.h"

struct ev {
	const struct policy *p;
	const struct policy_state *s;
	struct policy_result *r;
	size_t rule;
	uint64_t ps;
	int err;
};

static struct policy_violation *add_v(struct ev *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A new violation of the current rule, object named by @fmt. */
static struct policy_violation *add_v(struct ev *e, const char *fmt, ...)
{
	struct policy_result *r = e->r;
	struct policy_violation *v;
	va_list ap;

	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct policy_violation *nv;

		if (cap > (1u << 22)) {
			e->err = -E2BIG;
			return NULL;
		}
		nv = realloc(r->v, cap * sizeof(*nv));
		if (!nv) {
			e->err = -ENOMEM;
			return NULL;
		}
		r->v = nv;
		r->cap = cap;
	}
	v = &r->v[r->nr++];
	memset(v, 0, sizeof(*v));
	v->rule = e->rule;
	v->node = -1;
	v->zone = -1;
	v->group = -1;
	va_start(ap, fmt);
	vsnprintf(v->object, sizeof(v->object), fmt, ap);
	va_end(ap);
	return v;
}

/* A violation of a global, node or group object (walk_scope()): what and where. */
static struct policy_violation *scoped_v(struct ev *e, const char *obj, int nid, int gid,
					 enum policy_unit unit, uint64_t actual, uint64_t limit)
{
	struct policy_violation *v = add_v(e, "%s", obj);

	if (!v)
		return NULL;
	v->node = nid;
	v->group = gid;
	v->unit = unit;
	v->actual = actual;
	v->limit = limit;
	return v;
}

static uint64_t ratio_pct(uint64_t movable, uint64_t kernel, bool *inf)
{
	*inf = false;
	if (!kernel) {
		*inf = movable > 0;
		return 0;
	}
	return movable > UINT64_MAX / 100 ? movable / kernel * 100 :
					    movable * 100 / kernel;
}

static const char *group_name(const struct policy_state *s, int gid)
{
	for (size_t i = 0; i < s->nr_devs; i++)
		if (s->devs[i].group == gid)
			return s->devs[i].name;
	return NULL;
}

static void group_object(const struct policy_state *s,
			 const struct za_group *g, char *buf, size_t len)
{
	const char *n = group_name(s, g->id);

	if (n && *n)
		snprintf(buf, len, "group %d (%s)", g->id, n);
	else
		snprintf(buf, len, "group %d", g->id);
}

static bool node_has_memory(const struct za_state *za, int nid);

/* Present memory, or a memory block (offline ones too), on node @nid. */
static bool node_known(const struct za_state *za, int nid)
{
	if (node_has_memory(za, nid))
		return true;
	for (size_t i = 0; i < za->nr_blocks; i++)
		if (za->blocks[i].nid == nid)
			return true;
	return false;
}

bool policy_rule_unmatched(const struct policy_rule *r, const struct policy_state *s,
			   char *why, size_t len)
{
	const struct za_state *za = s->za;
	bool group_rule = r->group >= 0 || r->group_name[0];

	if (r->node >= 0 && !node_known(za, r->node)) {
		snprintf(why, len, "node %d: no memory on such a node", r->node);
		return true;
	}
	if (!group_rule)
		return false;
	for (size_t i = 0; i < za->nr_groups; i++) {
		const struct za_group *g = &za->groups[i];
		const char *n = group_name(s, g->id);

		if (!g->registered)
			continue;
		if (r->group >= 0 && g->id == r->group)
			return false;
		if (r->group_name[0] && ((n && !strcmp(n, r->group_name)) ||
					 !strcmp(g->name, r->group_name)))
			return false;
	}
	if (r->group >= 0)
		snprintf(why, len, "group %d: no such memory group", r->group);
	else
		snprintf(why, len, "group %s: no memory group of that device", r->group_name);
	return true;
}

static bool rule_wants_group(const struct policy_state *s,
			     const struct policy_rule *r,
			     const struct za_group *g)
{
	const char *n;

	if (!g->registered)
		return false;
	if (r->group >= 0 && g->id != r->group)
		return false;
	if (r->group_name[0]) {
		n = group_name(s, g->id);
		if (!n || strcmp(n, r->group_name))
			return false;
	}
	if (r->node >= 0 && g->nid != r->node)
		return false;
	if (r->groups == POL_GROUPS_STATIC && g->dynamic)
		return false;
	if (r->groups == POL_GROUPS_DYNAMIC && !g->dynamic)
		return false;
	return true;
}

/* Blocks of group @gid: first, last, and how many. */
static size_t group_blocks(const struct za_state *za, int gid, uint64_t *first,
			   uint64_t *last)
{
	size_t n = 0;

	for (size_t i = 0; i < za->nr_blocks; i++) {
		if (za->blocks[i].group != gid)
			continue;
		if (!n)
			*first = za->blocks[i].id;
		*last = za->blocks[i].id;
		n++;
	}
	return n;
}

static bool node_has_memory(const struct za_state *za, int nid)
{
	const struct za_node *n = za_node_find(za, nid);

	if (!n)
		return false;
	for (int z = 0; z < ZA_NR_ZONES; z++)
		if (n->zones[z].present)
			return true;
	return false;
}

/*
 * The objects a global, per-node or per-group rule looks at, in the order
 * violations are listed: "global"; each node the rule names (or all) that
 * @node_ok accepts, as "node N"; each group rule_wants_group() and
 * @group_ok accept (index into @za->groups), named by group_object().
 * @visit gets the object's name, node and group id (-1: none) and, for a
 * group, its index (else -1).
 */
struct scope_walk {
	int nr_nodes;
	const struct za_state *za; /* its groups */
	bool (*node_ok)(const void *ctx, int nid);
	bool (*group_ok)(const void *ctx, size_t gi);
	void (*visit)(struct ev *e, const struct policy_rule *r, const char *obj, int nid,
		      int gid, long gi, const void *ctx);
	const void *ctx;
};

static void walk_scope(struct ev *e, const struct policy_rule *r, const struct scope_walk *w)
{
	char obj[96];

	switch (r->scope) {
	case POL_SCOPE_GLOBAL:
		w->visit(e, r, "global", -1, -1, -1, w->ctx);
		break;
	case POL_SCOPE_NODE:
		for (int nid = 0; nid < w->nr_nodes; nid++) {
			if (r->node >= 0 && nid != r->node)
				continue;
			if (!w->node_ok(w->ctx, nid))
				continue;
			snprintf(obj, sizeof(obj), "node %d", nid);
			w->visit(e, r, obj, nid, -1, -1, w->ctx);
		}
		break;
	case POL_SCOPE_GROUP:
		for (size_t i = 0; i < w->za->nr_groups; i++) {
			const struct za_group *g = &w->za->groups[i];

			if (!rule_wants_group(e->s, r, g) || !w->group_ok(w->ctx, i))
				continue;
			group_object(e->s, g, obj, sizeof(obj));
			w->visit(e, r, obj, g->nid, g->id, (long)i, w->ctx);
		}
		break;
	}
}

static void ratio_violation(struct ev *e, const struct policy_rule *r,
			    const char *obj, int nid, int gid, uint64_t movable,
			    uint64_t kernel, const char *kernel_what)
{
	struct policy_violation *v;
	char m[32], k[32];
	bool inf;
	uint64_t pct = ratio_pct(movable, kernel, &inf);

	if (!inf && pct <= r->max)
		return;
	v = scoped_v(e, obj, nid, gid, POL_UNIT_PERCENT, pct, r->max);
	if (!v)
		return;
	v->infinite = inf;
	policy_fmt_bytes(movable * e->ps, m, sizeof(m));
	policy_fmt_bytes(kernel * e->ps, k, sizeof(k));
	{
		char a[24];

		if (inf)
			snprintf(a, sizeof(a), "inf");
		else
			snprintf(a, sizeof(a), "%" PRIu64, pct);
		snprintf(v->detail, sizeof(v->detail),
			 "MOVABLE:KERNEL %s exceeds %" PRIu64
			 " (Movable %s, %s %s)",
			 a, r->max, m, kernel_what, k);
	}
	if (gid >= 0) {
		uint64_t f = 0, l = 0;

		if (group_blocks(e->s->za, gid, &f, &l)) {
			v->has_blocks = true;
			v->first_block = f;
			v->last_block = l;
		}
	}
}

static bool za_node_ok(const void *za, int nid)
{
	return node_has_memory(za, nid);
}

static bool any_group(const void *ctx, size_t gi)
{
	(void)ctx;
	(void)gi;
	return true;
}

/* max-ratio: a group compares its own present pages, the rest the kernel's early memory. */
static void max_ratio_visit(struct ev *e, const struct policy_rule *r, const char *obj, int nid,
			    int gid, long gi, const void *ctx)
{
	const struct za_state *za = ctx;
	struct za_stats st;

	if (gi >= 0) {
		const struct za_group *g = &za->groups[gi];

		ratio_violation(e, r, obj, nid, gid, g->present_movable_pages,
				g->present_kernel_pages, "kernel");
		return;
	}
	za_stats(za, nid >= 0 ? nid : ZA_NUMA_NO_NODE, NULL, &st);
	ratio_violation(e, r, obj, nid, -1, st.movable_pages, st.kernel_early_pages,
			"kernel early");
}

static void eval_max_ratio(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	const struct scope_walk w = { .nr_nodes = za->nr_nodes, .za = za, .node_ok = za_node_ok,
				      .group_ok = any_group, .visit = max_ratio_visit, .ctx = za };

	walk_scope(e, r, &w);
}

static void eval_single_zone(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;

	for (size_t i = 0; i < za->nr_groups; i++) {
		const struct za_group *g = &za->groups[i];
		uint64_t cnt[ZA_NR_ZONES + 1] = { 0 };
		uint64_t first[ZA_NR_ZONES + 1], last[ZA_NR_ZONES + 1];
		uint64_t f = 0, l = 0;
		unsigned int nz = 0;
		struct policy_violation *v;
		char obj[96];
		size_t off = 0;

		if (g->dynamic || !rule_wants_group(e->s, r, g))
			continue;
		for (size_t j = 0; j < za->nr_blocks; j++) {
			const struct za_block *b = &za->blocks[j];
			int z;

			if (b->group != g->id || !b->online)
				continue;
			z = b->zone >= 0 && b->zone < ZA_NR_ZONES ? b->zone :
								    ZA_NR_ZONES;
			if (!cnt[z]++) {
				first[z] = b->id;
				nz++;
			}
			last[z] = b->id;
		}
		if (nz <= 1)
			continue;
		group_object(e->s, g, obj, sizeof(obj));
		v = add_v(e, "%s", obj);
		if (!v)
			return;
		v->node = g->nid;
		v->group = g->id;
		v->unit = POL_UNIT_ZONES;
		v->actual = nz;
		v->limit = 1;
		if (group_blocks(za, g->id, &f, &l)) {
			v->has_blocks = true;
			v->first_block = f;
			v->last_block = l;
		}
		off = (size_t)snprintf(v->detail, sizeof(v->detail),
				       "onlined into %u zones:", nz);
		for (int z = 0; z <= ZA_NR_ZONES && off < sizeof(v->detail);
		     z++) {
			if (!cnt[z])
				continue;
			off += (size_t)snprintf(
				v->detail + off, sizeof(v->detail) - off,
				"%s %s %" PRIu64 " block%s (memory%" PRIu64
				"..%" PRIu64 ")",
				off > 20 && v->detail[off - 1] != ':' ? "," : "",
				z < ZA_NR_ZONES ? za_zone_name(z) : "mixed",
				cnt[z], cnt[z] == 1 ? "" : "s", first[z],
				last[z]);
		}
	}
}

static void eval_normal_below_movable(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;

	for (int nid = 0; nid < za->nr_nodes; nid++) {
		const struct za_zone *mv, *kz;
		struct policy_violation *v;

		if (r->node >= 0 && nid != r->node)
			continue;
		mv = &za->nodes[nid].zones[ZA_ZONE_MOVABLE];
		if (!mv->spanned)
			continue;
		for (int z = ZA_ZONE_DMA; z <= ZA_ZONE_NORMAL; z++) {
			uint64_t end;

			kz = &za->nodes[nid].zones[z];
			if (!kz->spanned)
				continue;
			end = kz->start_pfn + kz->spanned;
			if (end <= mv->start_pfn)
				continue;
			v = add_v(e, "node %d %s", nid, za_zone_name(z));
			if (!v)
				return;
			v->node = nid;
			v->zone = z;
			v->unit = POL_UNIT_PFN;
			v->actual = end;
			v->limit = mv->start_pfn;
			snprintf(v->detail, sizeof(v->detail),
				 "%s spans pfn 0x%" PRIx64 "-0x%" PRIx64
				 ", %s Movable (pfn 0x%" PRIx64 "-0x%" PRIx64
				 ")",
				 za_zone_name(z), kz->start_pfn, end,
				 kz->start_pfn < mv->start_pfn + mv->spanned ?
					 "overlapping" :
					 "above",
				 mv->start_pfn, mv->start_pfn + mv->spanned);
			if (za->block_pages) {
				v->has_blocks = true;
				v->first_block = mv->start_pfn / za->block_pages;
				v->last_block = (end - 1) / za->block_pages;
			}
		}
	}
}

static void eval_kernel_reserve(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	uint64_t ratio = r->ratio >= 0 ? (uint64_t)r->ratio :
			 za->cfg.policy == ZA_POLICY_AUTO_MOVABLE ? za->cfg.ratio :
								     UINT64_MAX;
	uint64_t reserve = (r->min_bytes + e->ps - 1) / e->ps;

	for (int nid = 0; nid < za->nr_nodes; nid++) {
		struct za_stats st;
		struct policy_violation *v;
		uint64_t kernel = 0, avail, limit;
		char a[32], b[32], c[32];

		if (r->node >= 0 && nid != r->node)
			continue;
		if (!node_has_memory(za, nid))
			continue;
		for (int z = ZA_ZONE_DMA; z <= ZA_ZONE_NORMAL; z++) {
			const struct za_zone *zz = &za->nodes[nid].zones[z];

			kernel += zz->present > zz->cma ? zz->present - zz->cma :
							  0;
		}
		if (kernel < reserve) {
			v = add_v(e, "node %d", nid);
			if (!v)
				return;
			v->node = nid;
			v->unit = POL_UNIT_BYTES;
			v->actual = kernel * e->ps;
			v->limit = r->min_bytes;
			policy_fmt_bytes(v->actual, a, sizeof(a));
			policy_fmt_bytes(v->limit, b, sizeof(b));
			snprintf(v->detail, sizeof(v->detail),
				 "kernel memory %s is below the reserve %s", a,
				 b);
			continue;
		}
		if (ratio == UINT64_MAX)
			continue;
		za_stats(za, nid, NULL, &st);
		avail = st.kernel_early_pages > reserve ?
				st.kernel_early_pages - reserve :
				0;
		limit = avail > UINT64_MAX / 100 ? avail / 100 * ratio :
						   avail * ratio / 100;
		if (st.movable_pages <= limit)
			continue;
		v = add_v(e, "node %d", nid);
		if (!v)
			return;
		v->node = nid;
		v->unit = POL_UNIT_BYTES;
		v->actual = st.movable_pages * e->ps;
		v->limit = limit * e->ps;
		policy_fmt_bytes(v->actual, a, sizeof(a));
		policy_fmt_bytes(v->limit, b, sizeof(b));
		policy_fmt_bytes(r->min_bytes, c, sizeof(c));
		snprintf(v->detail, sizeof(v->detail),
			 "Movable %s exceeds %" PRIu64
			 "%% of kernel early memory minus the reserve %s (%s)",
			 a, ratio, c, b);
	}
}

static void eval_balloon(struct ev *e, const struct policy_rule *r)
{
	const struct za_state *za = e->s->za;
	uint64_t movable = 0;

	for (int nid = 0; nid < za->nr_nodes; nid++)
		movable += za->nodes[nid].zones[ZA_ZONE_MOVABLE].present;
	if (!movable)
		return;
	for (size_t i = 0; i < e->s->nr_balloons; i++) {
		const struct policy_balloon *b = &e->s->balloons[i];
		struct policy_violation *v;
		char m[32];

		if (b->compaction != 0)
			continue;
		v = add_v(e, "balloon %s", b->driver);
		if (!v)
			return;
		v->unit = POL_UNIT_BYTES;
		v->actual = movable * e->ps;
		v->limit = 0;
		policy_fmt_bytes(v->actual, m, sizeof(m));
		snprintf(v->detail, sizeof(v->detail),
			 "%s Movable memory while %s (no balloon compaction) is active: its pages pin Movable memory",
			 m, b->driver);
	}
}

static void eval_block_events(struct ev *e, const struct policy_rule *r)
{
	const struct policy_tracker *t = e->s->events;

	for (size_t i = 0; i < t->nr; i++) {
		const struct policy_block_stats *b = &t->b[i];
		struct policy_violation *v;
		uint64_t actual;
		char err[16];

		switch (r->type) {
		case POL_OFFLINE_FAILURES:
			actual = b->offline_failures;
			break;
		case POL_ONLINE_FAILURES:
			actual = b->online_failures;
			break;
		case POL_OFFLINE_DURATION:
			actual = b->max_offline_ns;
			break;
		default:
			actual = b->max_online_ns;
			break;
		}
		if (actual <= r->max)
			continue;
		v = add_v(e, "memory%" PRIu64, b->block);
		if (!v)
			return;
		v->has_blocks = true;
		v->first_block = v->last_block = b->block;
		v->actual = actual;
		v->limit = r->max;
		if (r->type == POL_OFFLINE_DURATION) {
			v->unit = POL_UNIT_NS;
			snprintf(err, sizeof(err), "%d", b->last_offline_ret);
			snprintf(v->detail, sizeof(v->detail),
				 "offline %s %.1f s (budget %.1f s)%s%s",
				 b->offline_running ? "still running after" : "took",
				 (double)actual / 1e9, (double)r->max / 1e9,
				 b->offline_running ? "" : "; result ",
				 b->offline_running ? "" : err);
		} else if (r->type == POL_ONLINE_LATENCY) {
			v->unit = POL_UNIT_NS;
			snprintf(v->detail, sizeof(v->detail),
				 "slowest online took %.3f ms (budget %.3f ms; %" PRIu64
				 " onlines timed)",
				 (double)actual / 1e6, (double)r->max / 1e6,
				 b->onlines);
		} else {
			int last = r->type == POL_OFFLINE_FAILURES ?
					   b->last_offline_error :
					   b->last_online_error;

			v->unit = POL_UNIT_COUNT;
			snprintf(err, sizeof(err), "%d", last);
			snprintf(v->detail, sizeof(v->detail),
				 "%s failed %" PRIu64 " times (budget %" PRIu64
				 "; last error %s)",
				 r->type == POL_OFFLINE_FAILURES ? "offline" :
								   "online",
				 actual, r->max, err);
		}
	}
}

static void eval_coverage(struct ev *e, const struct policy_rule *r)
{
	const struct memhp_model *m = e->s->model;

	for (size_t i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		const struct memhp_block_ev *x = model_block_ev(m, b);
		struct policy_violation *v;
		uint64_t pages = r->type == POL_UNCOVERED_ONLINE ?
					 x->uncovered_released :
					 x->backed_not_onlined;
		char a[32];

		if (!x->coverage_known || !pages)
			continue;
		v = add_v(e, "memory%" PRIu64, b->id);
		if (!v)
			return;
		v->node = b->node;
		v->has_blocks = true;
		v->first_block = v->last_block = b->id;
		v->unit = POL_UNIT_BYTES;
		v->actual = pages * e->ps;
		v->limit = 0;
		policy_fmt_bytes(v->actual, a, sizeof(a));
		snprintf(v->detail, sizeof(v->detail),
			 r->type == POL_UNCOVERED_ONLINE ?
				 "%s released to the buddy allocator that %.15s never backed" :
				 "%s backed by %.15s but left offline",
			 a, x->coverage_driver[0] ? x->coverage_driver : "the driver");
	}
}

/*
 * min-unpluggable: the bytes of blocks `memhp readiness` judges ready or
 * needs-migration (readiness.h), globally, per node or per memory group.
 */
static void min_unplug_v(struct ev *e, const struct policy_rule *r, uint64_t have,
			 const char *obj, int nid, int gid)
{
	struct policy_violation *v;
	char a[32], b[32];

	if (have >= r->min_bytes)
		return;
	v = scoped_v(e, obj, nid, gid, POL_UNIT_BYTES, have, r->min_bytes);
	if (!v)
		return;
	policy_fmt_bytes(have, a, sizeof(a));
	policy_fmt_bytes(r->min_bytes, b, sizeof(b));
	snprintf(v->detail, sizeof(v->detail),
		 "%s could be unplugged now, below the minimum %s", a, b);
}

bool policy_needs_readiness(const struct policy *p)
{
	for (size_t i = 0; p && i < p->nr; i++)
		if (p->rules[i].type == POL_MIN_UNPLUGGABLE)
			return true;
	return false;
}

/* A node or group without online memory has nothing to give. */
static bool rd_node_ok(const void *ctx, int nid)
{
	return ((const struct readiness *)ctx)->nodes[nid].online_bytes != 0;
}

static bool rd_group_ok(const void *ctx, size_t gi)
{
	return ((const struct readiness *)ctx)->groups[gi].online_bytes != 0;
}

static void min_unplug_visit(struct ev *e, const struct policy_rule *r, const char *obj, int nid,
			     int gid, long gi, const void *ctx)
{
	const struct readiness *rd = ctx;
	const struct rd_sum *sum = gi >= 0 ? &rd->groups[gi] : nid >= 0 ? &rd->nodes[nid] :
					     &rd->total;

	min_unplug_v(e, r, sum->unpluggable_bytes, obj, nid, gid);
}

static void eval_min_unpluggable(struct ev *e, const struct policy_rule *r)
{
	const struct readiness *rd = e->s->readiness;
	const struct scope_walk w = { .nr_nodes = rd->nr_nodes, .za = &rd->sys.st,
				      .node_ok = rd_node_ok, .group_ok = rd_group_ok,
				      .visit = min_unplug_visit, .ctx = rd };

	walk_scope(e, r, &w);
}

/* What a rule reads beyond the zone state; a state without it leaves the rule unevaluated. */
enum rule_needs { NEEDS_ZONES, NEEDS_EVENTS, NEEDS_READINESS, NEEDS_MODEL_EVENTS };

static const struct {
	void (*eval)(struct ev *e, const struct policy_rule *r);
	enum rule_needs needs;
} rule_kinds[POL_NR_RULE_TYPES] = {
	[POL_MAX_RATIO] = { eval_max_ratio, NEEDS_ZONES },
	[POL_SINGLE_ZONE_GROUP] = { eval_single_zone, NEEDS_ZONES },
	[POL_NORMAL_BELOW_MOVABLE] = { eval_normal_below_movable, NEEDS_ZONES },
	[POL_KERNEL_RESERVE] = { eval_kernel_reserve, NEEDS_ZONES },
	[POL_BALLOON_MOVABLE] = { eval_balloon, NEEDS_ZONES },
	[POL_OFFLINE_FAILURES] = { eval_block_events, NEEDS_EVENTS },
	[POL_ONLINE_FAILURES] = { eval_block_events, NEEDS_EVENTS },
	[POL_ONLINE_LATENCY] = { eval_block_events, NEEDS_EVENTS },
	[POL_OFFLINE_DURATION] = { eval_block_events, NEEDS_EVENTS },
	[POL_MIN_UNPLUGGABLE] = { eval_min_unpluggable, NEEDS_READINESS },
	[POL_UNCOVERED_ONLINE] = { eval_coverage, NEEDS_MODEL_EVENTS },
	[POL_BACKED_NOT_ONLINED] = { eval_coverage, NEEDS_MODEL_EVENTS },
};

static bool rule_has_inputs(const struct policy_state *s, enum policy_rule_type t)
{
	if ((unsigned int)t >= POL_NR_RULE_TYPES || !rule_kinds[t].eval)
		return false;
	switch (rule_kinds[t].needs) {
	case NEEDS_EVENTS:
		return s->events;
	case NEEDS_READINESS:
		return s->readiness;
	case NEEDS_MODEL_EVENTS:
		return s->model && s->events;
	default:
		return true;
	}
}

int policy_evaluate(const struct policy *p, const struct policy_state *s,
		    struct policy_result *r)
{
	struct ev e = { .p = p, .s = s, .r = r };

	if (!p || !s || !s->za || !r)
		return -EINVAL;
	e.ps = s->page_size ? s->page_size : 4096;
	r->nr = 0;
	if (r->nr_rules != p->nr || !r->evaluated) {
		free(r->evaluated);
		r->evaluated = calloc(p->nr ? p->nr : 1, sizeof(bool));
		if (!r->evaluated)
			return -ENOMEM;
		r->nr_rules = p->nr;
	}
	for (size_t i = 0; i < p->nr && !e.err; i++) {
		const struct policy_rule *rule = &p->rules[i];

		e.rule = i;
		r->evaluated[i] = rule_has_inputs(s, rule->type);
		if (!r->evaluated[i])
			continue;
		rule_kinds[rule->type].eval(&e, rule);
	}
	if (e.err)
		return e.err;
	return (int)(r->nr > INT_MAX ? INT_MAX : r->nr);
}
