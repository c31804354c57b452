// SPDX-License-Identifier: GPL-2.0
/*
 * The decisions of memhp online-daemon (user/cmd/daemon.c): pure functions
 * over the zone-algorithm state (user/lib/zonealgo.h), no I/O.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "online_plan.h"
#include "zoneinfo.h"

void daemon_pick_ratio(struct daemon_rules *r, const struct policy *pol,
		       long cli_ratio, unsigned int kernel_ratio)
{
	const struct policy_rule *best = NULL;
	size_t i;

	if (cli_ratio >= 0) {
		r->ratio = (unsigned int)cli_ratio;
		snprintf(r->ratio_src, sizeof(r->ratio_src), "--ratio");
		return;
	}
	for (i = 0; pol && i < pol->nr; i++) {
		const struct policy_rule *ru = &pol->rules[i];

		if (ru->type != POL_MAX_RATIO || ru->scope != POL_SCOPE_GLOBAL)
			continue;
		if (!best || ru->max < best->max)
			best = ru;
	}
	if (best) {
		r->ratio = best->max > UINT32_MAX ? UINT32_MAX :
						    (unsigned int)best->max;
		snprintf(r->ratio_src, sizeof(r->ratio_src), "rule %s, line %d",
			 best->name, best->line);
		return;
	}
	r->ratio = kernel_ratio;
	snprintf(r->ratio_src, sizeof(r->ratio_src),
		 "the kernel's auto_movable_ratio");
}

static uint64_t node_kernel_pages(const struct za_state *st, int nid)
{
	const struct za_node *n = za_node_find(st, nid);
	uint64_t sum = 0;
	int z;

	if (!n)
		return 0;
	for (z = ZA_ZONE_DMA; z <= ZA_ZONE_NORMAL; z++) {
		const struct za_zone *zz = &n->zones[z];

		sum += zz->present > zz->cma ? zz->present - zz->cma : 0;
	}
	return sum;
}

static void fmt_pages(const struct za_state *st, const struct daemon_rules *r,
		      uint64_t pages, char *buf, size_t len)
{
	(void)st;
	policy_fmt_bytes(pages * (r->page_size ? r->page_size : 4096), buf, len);
}

static const char *group_label(const struct za_group *g, char *buf, size_t len)
{
	if (!g)
		snprintf(buf, len, "no memory group");
	else
		snprintf(buf, len, "%s group %d%s%s%s",
			 g->dynamic ? "dynamic" : "static", g->id,
			 g->name[0] ? " (" : "", g->name, g->name[0] ? ")" : "");
	return buf;
}

/* The largest kernel-reserve (pages) of the rules that cover @nid. */
static uint64_t reserve_pages(const struct daemon_rules *r, int nid,
			      const struct policy_rule **which)
{
	uint64_t ps = r->page_size ? r->page_size : 4096, best = 0;
	size_t i;

	if (which)
		*which = NULL;
	for (i = 0; r->pol && i < r->pol->nr; i++) {
		const struct policy_rule *ru = &r->pol->rules[i];
		uint64_t p;

		if (ru->type != POL_KERNEL_RESERVE ||
		    (ru->node >= 0 && ru->node != nid))
			continue;
		p = (ru->min_bytes + ps - 1) / ps;
		if (p > best || (which && !*which)) {
			if (p >= best) {
				best = p;
				if (which)
					*which = ru;
			}
		}
	}
	return best;
}

/*
 * Take every node's kernel reserve off its kernel zones' present early
 * pages (Normal first), so the reserve counts toward no MOVABLE headroom.
 * @save gets the old values (nr_nodes * ZA_NR_ZONES).
 */
static void reserve_apply(struct za_state *st, const struct daemon_rules *r,
			  uint64_t *save)
{
	int n, z;

	for (n = 0; n < st->nr_nodes; n++) {
		uint64_t left = reserve_pages(r, n, NULL);

		for (z = 0; z < ZA_NR_ZONES; z++)
			save[n * ZA_NR_ZONES + z] =
				st->nodes[n].zones[z].present_early;
		for (z = ZA_ZONE_NORMAL; z >= ZA_ZONE_DMA && left; z--) {
			struct za_zone *zz = &st->nodes[n].zones[z];
			uint64_t take = zz->present_early < left ?
						zz->present_early : left;

			zz->present_early -= take;
			left -= take;
		}
	}
}

static void reserve_restore(struct za_state *st, const uint64_t *save)
{
	int n, z;

	for (n = 0; n < st->nr_nodes; n++)
		for (z = 0; z < ZA_NR_ZONES; z++)
			st->nodes[n].zones[z].present_early =
				save[n * ZA_NR_ZONES + z];
}

static bool group_rule_covers(const struct policy_rule *ru,
			      const struct za_group *g)
{
	if (!g)
		return false;
	if (ru->groups == POL_GROUPS_STATIC && g->dynamic)
		return false;
	if (ru->groups == POL_GROUPS_DYNAMIC && !g->dynamic)
		return false;
	if (ru->group >= 0 && ru->group != g->id)
		return false;
	if (ru->group_name[0] && strcmp(ru->group_name, g->name))
		return false;
	return true;
}

/* The auto-movable zone for the block with @ratio (and NUMA-awareness). */
static int auto_zone(struct za_state *st, unsigned int ratio, bool numa,
		     int nid, const struct za_group *g, uint64_t start,
		     uint64_t nr)
{
	struct za_config save = st->cfg;
	int zone;

	st->cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	st->cfg.ratio = ratio;
	st->cfg.numa_aware = numa;
	zone = za_zone_for_pfn_range(st, ZA_MMOP_ONLINE, nid, g, start, nr);
	st->cfg = save;
	return zone;
}

/* The Movable headroom the auto-movable algorithm leaves at r's ratio, as text. */
static void ratio_headroom(struct za_state *st, const struct daemon_rules *r,
			   const struct za_block *b, const struct za_group *g,
			   char *h, size_t hlen)
{
	struct za_config save = st->cfg;
	uint64_t hr;

	st->cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	st->cfg.ratio = r->ratio;
	st->cfg.numa_aware = r->numa_aware;
	hr = za_headroom(st, b->nid, g);
	st->cfg = save;
	fmt_pages(st, r, hr, h, hlen);
}

static int decide_ratio(struct za_state *st, const struct daemon_rules *r,
			const struct za_block *b, const struct za_group *g,
			struct daemon_decision *d)
{
	uint64_t start = b->id * st->block_pages, nr = st->block_pages;
	char h[32], glab[96], need[32];
	size_t i;

	group_label(g, glab, sizeof(glab));
	if (auto_zone(st, r->ratio, r->numa_aware, b->nid, g, start, nr) !=
	    ZA_ZONE_MOVABLE) {
		ratio_headroom(st, r, b, g, h, sizeof(h));
		d->online_type = ZA_MMOP_ONLINE_KERNEL;
		d->why = "ratio";
		if (g && !g->dynamic)
			fmt_pages(st, r, g->max_pages - g->present_movable_pages,
				  need, sizeof(need));
		else
			fmt_pages(st, r, nr, need, sizeof(need));
		snprintf(d->reason, sizeof(d->reason),
			 "%s: MOVABLE:KERNEL ratio %u (%s) leaves %s of Movable headroom%s, %s needed%s",
			 glab, r->ratio, r->ratio_src, h,
			 r->numa_aware ? " (global and node)" : "", need,
			 g && !g->dynamic ? " for the whole DIMM: all of it goes KERNEL" :
					    "");
		return 0;
	}
	/* node and group max-ratio rules: each must allow Movable too */
	for (i = 0; r->pol && i < r->pol->nr; i++) {
		const struct policy_rule *ru = &r->pol->rules[i];
		unsigned int max = ru->max > UINT32_MAX ? UINT32_MAX :
							  (unsigned int)ru->max;

		if (ru->type != POL_MAX_RATIO)
			continue;
		if (ru->scope == POL_SCOPE_NODE &&
		    (ru->node < 0 || ru->node == b->nid) &&
		    auto_zone(st, max, true, b->nid, g, start, nr) !=
			    ZA_ZONE_MOVABLE) {
			d->online_type = ZA_MMOP_ONLINE_KERNEL;
			d->why = "node-ratio";
			snprintf(d->reason, sizeof(d->reason),
				 "%s: rule %s (line %d): node %d MOVABLE:KERNEL would exceed %u",
				 glab, ru->name, ru->line, b->nid, max);
			return 0;
		}
		if (ru->scope == POL_SCOPE_GROUP && group_rule_covers(ru, g)) {
			uint64_t need_p = g->dynamic ? nr :
					  g->max_pages - g->present_movable_pages;
			uint64_t lim = (uint64_t)max * g->present_kernel_pages / 100;

			if (g->present_movable_pages + need_p > lim) {
				d->online_type = ZA_MMOP_ONLINE_KERNEL;
				d->why = "group-ratio";
				snprintf(d->reason, sizeof(d->reason),
					 "%s: rule %s (line %d): the group's MOVABLE:KERNEL would exceed %u",
					 glab, ru->name, ru->line, max);
				return 0;
			}
		}
	}
	ratio_headroom(st, r, b, g, h, sizeof(h));
	d->online_type = ZA_MMOP_ONLINE_MOVABLE;
	d->why = "ratio";
	if (g && !g->dynamic) {
		fmt_pages(st, r, g->max_pages, need, sizeof(need));
		snprintf(d->reason, sizeof(d->reason),
			 "%s: the whole DIMM (%s) fits MOVABLE:KERNEL ratio %u (%s): headroom %s",
			 glab, need, r->ratio, r->ratio_src, h);
	} else {
		snprintf(d->reason, sizeof(d->reason),
			 "%s: fits MOVABLE:KERNEL ratio %u (%s): headroom %s",
			 glab, r->ratio, r->ratio_src, h);
	}
	return 0;
}

int daemon_decide(struct za_state *st, const struct daemon_rules *r,
		  uint64_t id, struct daemon_decision *d)
{
	const struct za_block *b = za_block_find(st, id);
	const struct za_group *g;
	const struct policy_rule *rr;
	uint64_t *save, res, kern;
	char glab[96], a[32], m[32];
	int ret;

	memset(d, 0, sizeof(*d));
	d->block = id;
	d->group = -1;
	d->zone = ZA_ZONE_NONE;
	if (!b)
		return -ENOENT;
	if (b->online)
		return -EALREADY;
	g = b->group >= 0 ? za_group_find(st, b->group) : NULL;
	d->nid = b->nid;
	d->group = g ? g->id : -1;
	group_label(g, glab, sizeof(glab));

	/* 1. a static group (DIMM) stays in the zone it started in */
	if (g && !g->dynamic &&
	    (g->present_kernel_pages || g->present_movable_pages)) {
		bool k = g->present_kernel_pages != 0;

		d->online_type = k ? ZA_MMOP_ONLINE_KERNEL :
				     ZA_MMOP_ONLINE_MOVABLE;
		d->why = "static-group";
		snprintf(d->reason, sizeof(d->reason),
			 "%s: the DIMM is already %s; the whole DIMM goes into one zone",
			 glab, k ? "KERNEL" : "MOVABLE");
		goto zone;
	}

	/* 2. the node's kernel reserve first */
	res = reserve_pages(r, b->nid, &rr);
	kern = node_kernel_pages(st, b->nid);
	if (rr && kern < res) {
		fmt_pages(st, r, kern, a, sizeof(a));
		fmt_pages(st, r, res, m, sizeof(m));
		d->online_type = ZA_MMOP_ONLINE_KERNEL;
		d->why = "kernel-reserve";
		snprintf(d->reason, sizeof(d->reason),
			 "%s: rule %s (line %d): node %d has %s of kernel memory, below the reserve of %s",
			 glab, rr->name, rr->line, b->nid, a, m);
		goto zone;
	}

	/* 3. the ratio, with every reserve taken off the kernel memory */
	save = calloc((size_t)(st->nr_nodes ? st->nr_nodes : 1) * ZA_NR_ZONES,
		      sizeof(*save));
	if (!save)
		return -ENOMEM;
	reserve_apply(st, r, save);
	ret = decide_ratio(st, r, b, g, d);
	reserve_restore(st, save);
	free(save);
	if (ret)
		return ret;
	if (rr && d->online_type == ZA_MMOP_ONLINE_MOVABLE) {
		size_t l = strlen(d->reason);

		fmt_pages(st, r, res, m, sizeof(m));
		snprintf(d->reason + l, sizeof(d->reason) - l,
			 " (node %d's reserve of %s not counted)", b->nid, m);
	}
zone:
	d->zone = za_zone_for_pfn_range(st, d->online_type, b->nid, g,
					b->id * st->block_pages,
					st->block_pages);
	return 0;
}

static const struct za_state *order_st;

static long group_rank(const struct za_state *st, int gid)
{
	size_t i;

	if (gid < 0)
		return (long)st->nr_groups;
	for (i = 0; i < st->nr_groups; i++)
		if (st->groups[i].id == gid)
			return (long)i;
	return (long)st->nr_groups;
}

static int cmp_order(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;
	const struct za_block *bx = za_block_find(order_st, x);
	const struct za_block *by = za_block_find(order_st, y);
	long gx = bx ? group_rank(order_st, bx->group) : LONG_MAX;
	long gy = by ? group_rank(order_st, by->group) : LONG_MAX;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

void daemon_order(const struct za_state *st, uint64_t *ids, size_t n)
{
	if (n < 2)
		return;
	order_st = st;
	qsort(ids, n, sizeof(*ids), cmp_order);
	order_st = NULL;
}

size_t daemon_candidates(const struct za_state *st, uint64_t *ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < st->nr_blocks && n < max; i++) {
		const struct za_block *b = &st->blocks[i];

		if (!b->online && !b->early)
			ids[n++] = b->id;
	}
	daemon_order(st, ids, n);
	return n;
}

int daemon_plan(struct za_state *st, const struct daemon_rules *r,
		const uint64_t *ids, size_t n, struct daemon_decision *out)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = daemon_decide(st, r, ids[i], &out[i]);
		if (ret)
			return ret;
		ret = za_online(st, ids[i], out[i].online_type, &out[i].zone);
		if (ret)
			return ret;
	}
	return (int)n;
}
