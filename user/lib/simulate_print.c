// SPDX-License-Identifier: GPL-2.0
/*
 * memhp simulate: the text and JSON printers of a run (docs/simulate.md).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonstr.h"
#include "simulate_print.h"
#include "simulate_run.h"

static const char *const act_names[] = {
	[ACT_REGISTER] = "register", [ACT_UNREGISTER] = "unregister",
	[ACT_ADD] = "add",	     [ACT_ONLINE] = "online",
	[ACT_OFFLINE] = "offline",   [ACT_REMOVE] = "remove",
};

static void fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char *const u[] = { "B",	"KiB", "MiB", "GiB",
					 "TiB", "PiB", "EiB" };
	int i = 0;
	uint64_t div = 1;

	while (i < 6 && b / div >= 1024) {
		div <<= 10;
		i++;
	}
	if (b % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", b / div, u[i]);
	else /* truncated, never rounded up to a value it does not reach */
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 " %s", b / div,
			 (uint64_t)((double)(b % div) * 100 / (double)div),
			 u[i]);
}

static bool same_run(const struct action *a, const struct action *b, int dir)
{
	return a->kind == b->kind && a->nid == b->nid && a->group == b->group &&
	       a->zone == b->zone && a->online_type == b->online_type &&
	       a->kind != ACT_REGISTER && a->kind != ACT_UNREGISTER &&
	       b->block == a->block + (uint64_t)(int64_t)dir;
}

static void print_actions_text(FILE *f, const struct step *st)
{
	size_t i = 0;

	while (i < st->nr) {
		const struct action *a = &st->acts[i];
		size_t j = i + 1;
		int dir = 0;
		char range[64];

		if (j < st->nr && same_run(a, &st->acts[j], 1))
			dir = 1;
		else if (j < st->nr && same_run(a, &st->acts[j], -1))
			dir = -1;
		while (dir && j < st->nr &&
		       same_run(&st->acts[j - 1], &st->acts[j], dir))
			j++;
		if (a->kind == ACT_REGISTER || a->kind == ACT_UNREGISTER) {
			fprintf(f, "    %-10s memory group %d\n",
				act_names[a->kind], a->group);
			i = j;
			continue;
		}
		if (j - i > 1)
			snprintf(range, sizeof(range),
				 "memory%" PRIu64 "-%" PRIu64, a->block,
				 st->acts[j - 1].block);
		else
			snprintf(range, sizeof(range), "memory%" PRIu64,
				 a->block);
		fprintf(f, "    %-10s %-22s node %d", act_names[a->kind], range,
			a->nid);
		if (a->group >= 0)
			fprintf(f, "  group %d", a->group);
		if (a->kind == ACT_ONLINE)
			fprintf(f, "  %s -> %s",
				za_online_type_name(a->online_type),
				za_zone_name(a->zone));
		else if (a->kind == ACT_OFFLINE)
			fprintf(f, "  (was %s)", za_zone_name(a->zone));
		fputc('\n', f);
		i = j;
	}
}

static void block_vz(struct sim *s, const struct za_block *b, char *buf,
		     size_t len)
{
	if (za_valid_zones(ST(s), b->id, buf, len))
		snprintf(buf, len, "?");
}

static bool same_block_row(struct sim *s, const struct za_block *a,
			   const struct za_block *b)
{
	char va[64], vb[64];

	if (b->id != a->id + 1 || a->online != b->online ||
	    a->zone != b->zone || a->nid != b->nid || a->group != b->group ||
	    a->early != b->early)
		return false;
	if (a->online)
		return true;
	block_vz(s, a, va, sizeof(va));
	block_vz(s, b, vb, sizeof(vb));
	return !strcmp(va, vb);
}

static void ratio_str(uint64_t movable, uint64_t kernel, char *buf, size_t len)
{
	if (!kernel)
		snprintf(buf, len, movable ? "inf" : "-");
	else
		snprintf(buf, len, "%" PRIu64,
			 movable > UINT64_MAX / 100 ? movable / kernel * 100 :
						      movable * 100 / kernel);
}

/* A node with any zone present or spanned: the ones the summaries list. */
static bool node_has_memory(const struct za_state *st, int n)
{
	int z;

	for (z = 0; z < ZA_NR_ZONES; z++)
		if (st->nodes[n].zones[z].present || st->nodes[n].zones[z].spanned)
			return true;
	return false;
}

static void print_scope_text(FILE *f, struct sim *s, const char *scope, int nid)
{
	const uint64_t ps = s->sys.page_size;
	struct za_stats st;
	char m[32], k[32], r[32], h[32], req[32];

	za_stats(ST(s), nid, NULL, &st);
	fmt_size(st.movable_pages * ps, m, sizeof(m));
	fmt_size(st.kernel_early_pages * ps, k, sizeof(k));
	ratio_str(st.movable_pages, st.kernel_early_pages, r, sizeof(r));
	fmt_size(st.req_kernel_early_pages * ps, req, sizeof(req));
	if (!ST(s)->cfg.ratio)
		snprintf(h, sizeof(h), "0 (ratio 0)");
	else
		fmt_size((st.starved ? 0 : st.headroom_pages) * ps, h,
			 sizeof(h));
	fprintf(f, "  %-8s %12s %14s %7s %16s %12s\n", scope, m, k, r, req, h);
}

static uint64_t group_req(const struct za_state *st, const struct za_group *g)
{
	int64_t pages;

	if (!g->dynamic || !st->cfg.ratio)
		return 0;
	pages = (int64_t)(g->present_movable_pages * 100 /
				  (uint64_t)(int64_t)(int)st->cfg.ratio -
			  g->present_kernel_pages);
	return pages > 0 ? (uint64_t)pages : 0;
}

void print_text(struct sim *s, bool ok)
{
	FILE *f = s->o->out;
	const uint64_t ps = s->sys.page_size;
	char bsz[32];
	size_t i;
	int n;

	fmt_size(s->sys.block_size, bsz, sizeof(bsz));
	fprintf(f,
		"policy %s, ratio %u, numa-aware %s, movable_node %s, auto-online %s; %s blocks; state: %s\n",
		za_policy_name(ST(s)->cfg.policy), ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? "Y" : "N",
		ST(s)->cfg.movable_node ? "Y" : "N",
		s->sys.auto_online >= 0 ?
			za_online_type_name(s->sys.auto_online) :
			"unknown",
		bsz, s->source);
	/* warnings are not the result: stderr, with the command's prefix */
	for (i = 0; i < s->sys.nr_warnings; i++)
		fprintf(s->o->err, SIM_PROG ": warning: %s\n", s->sys.warnings[i]);
	if (s->sys.dropped_warnings)
		fprintf(s->o->err, SIM_PROG ": warning: %u more warning(s)\n",
			s->sys.dropped_warnings);
	for (i = 0; i < s->nr_steps; i++) {
		const struct step *st = &s->steps[i];
		int k;

		fprintf(f, "\n[%zu] %s  (%s)\n", i + 1, st->op->text,
			st->op->src);
		for (k = 0; k < st->nr_notes; k++)
			fprintf(f, "    note: %s\n", st->notes[k]);
		print_actions_text(f, st);
		if (st->error[0])
			fprintf(f, "    error: %s\n", st->error);
	}
	if (!ok)
		fprintf(f,
			"\nstopped at the failed operation; the state below is the state before it\n");

	fprintf(f, "\nBlocks:\n  %-24s %-8s %-8s %4s %5s  %s\n", "BLOCKS",
		"STATE", "ZONE", "NODE", "GROUP",
		"VALID-ZONES (offline) / EARLY");
	for (i = 0; i < ST(s)->nr_blocks;) {
		const struct za_block *b = &ST(s)->blocks[i];
		size_t j = i + 1;
		char range[64], vz[64], grp[16];

		while (j < ST(s)->nr_blocks &&
		       same_block_row(s, &ST(s)->blocks[j - 1],
				      &ST(s)->blocks[j]))
			j++;
		if (j - i > 1)
			snprintf(range, sizeof(range),
				 "memory%" PRIu64 "-%" PRIu64, b->id,
				 ST(s)->blocks[j - 1].id);
		else
			snprintf(range, sizeof(range), "memory%" PRIu64, b->id);
		if (b->group >= 0)
			snprintf(grp, sizeof(grp), "%d", b->group);
		else
			snprintf(grp, sizeof(grp), "-");
		if (b->online)
			snprintf(vz, sizeof(vz), "%s", b->early ? "early" : "");
		else
			block_vz(s, b, vz, sizeof(vz));
		fprintf(f, "  %-24s %-8s %-8s %4d %5s  %s\n", range,
			b->online ? "online" : "offline",
			b->online ? za_zone_text(b->zone) : "-", b->nid, grp,
			vz);
		i = j;
	}

	fprintf(f,
		"\nMOVABLE:KERNEL (percent, like auto_movable_ratio; limit %u%s):\n",
		ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? ", per node too" : "");
	fprintf(f, "  %-8s %12s %14s %7s %16s %12s\n", "SCOPE", "MOVABLE",
		"KERNEL-EARLY", "RATIO", "GROUPS-REQUIRE", "HEADROOM");
	print_scope_text(f, s, "global", ZA_NUMA_NO_NODE);
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		char scope[24];

		if (!node_has_memory(ST(s), n))
			continue;
		snprintf(scope, sizeof(scope), "node %d", n);
		print_scope_text(f, s, scope, n);
	}
	if (!ST(s)->nr_groups)
		return;
	fprintf(f, "\n  %-5s %-8s %-12s %4s %12s %12s %12s %7s %12s %12s\n",
		"GROUP", "TYPE", "NAME", "NODE", "SIZE/UNIT", "MOVABLE",
		"KERNEL", "RATIO", "REQUIRES", "HEADROOM");
	for (i = 0; i < ST(s)->nr_groups; i++) {
		const struct za_group *g = &ST(s)->groups[i];
		char sz[32], m[32], k[32], r[32], req[32], h[32];

		fmt_size((g->dynamic ? g->unit_pages : g->max_pages) * ps, sz,
			 sizeof(sz));
		fmt_size(g->present_movable_pages * ps, m, sizeof(m));
		fmt_size(g->present_kernel_pages * ps, k, sizeof(k));
		ratio_str(g->present_movable_pages, g->present_kernel_pages, r,
			  sizeof(r));
		if (g->dynamic)
			fmt_size(group_req(ST(s), g) * ps, req, sizeof(req));
		else
			snprintf(req, sizeof(req), "-");
		if (g->dynamic)
			fmt_size(za_headroom(ST(s), g->nid, g) * ps, h,
				 sizeof(h));
		else
			snprintf(h, sizeof(h), "-");
		fprintf(f,
			"  %-5d %-8s %-12s %4d %12s %12s %12s %7s %12s %12s\n",
			g->id, g->dynamic ? "dynamic" : "static",
			g->name[0] ? g->name : "-", g->nid, sz, m, k, r, req,
			h);
	}
}

static void json_ratio(FILE *f, uint64_t movable, uint64_t kernel)
{
	if (!kernel)
		fprintf(f, "null");
	else
		fprintf(f, "%" PRIu64,
			movable > UINT64_MAX / 100 ? movable / kernel * 100 :
						     movable * 100 / kernel);
}

/*
 * A page count as "NAME_pages" and "NAME_bytes" (issue #15: sizes in JSON
 * in bytes; the page counts stay, named as such). @first: no comma before.
 */
static void json_pages(FILE *f, const char *name, uint64_t pages, uint64_t page_size,
		       bool first)
{
	fprintf(f, "%s\"%s_pages\":%" PRIu64 ",\"%s_bytes\":%" PRIu64, first ? "" : ",", name,
		pages, name, pages * page_size);
}

static void json_scope(FILE *f, struct sim *s, int nid)
{
	const uint64_t ps = s->sys.page_size;
	struct za_stats st;

	za_stats(ST(s), nid, NULL, &st);
	fprintf(f, "{");
	if (nid >= 0)
		fprintf(f, "\"node\":%d,", nid);
	json_pages(f, "movable", st.movable_pages, ps, true);
	json_pages(f, "kernel_early", st.kernel_early_pages, ps, false);
	fprintf(f, ",\"ratio\":");
	json_ratio(f, st.movable_pages, st.kernel_early_pages);
	json_pages(f, "dynamic_groups_movable", st.group_movable_pages, ps, false);
	json_pages(f, "dynamic_groups_require_kernel_early", st.req_kernel_early_pages, ps,
		   false);
	fprintf(f, ",\"starved\":%s", st.starved ? "true" : "false");
	json_pages(f, "headroom", st.starved || !ST(s)->cfg.ratio ? 0 : st.headroom_pages, ps,
		   false);
	fputc('}', f);
}

void print_json(struct sim *s, bool ok)
{
	FILE *f = s->o->out;
	size_t i, j;
	int n, k;

	fprintf(f, "{\"source\":");
	json_string(f, s->source, SIZE_MAX);
	fprintf(f,
		",\"config\":{\"policy\":\"%s\",\"ratio\":%u,\"numa_aware\":%s,"
		"\"movable_node\":%s,\"auto_online\":",
		za_policy_name(ST(s)->cfg.policy), ST(s)->cfg.ratio,
		ST(s)->cfg.numa_aware ? "true" : "false",
		ST(s)->cfg.movable_node ? "true" : "false");
	if (s->sys.auto_online >= 0)
		json_string(f, za_online_type_name(s->sys.auto_online), SIZE_MAX);
	else
		fprintf(f, "null");
	fprintf(f, ",\"block_size\":%" PRIu64 ",\"page_size\":%" PRIu64 "}",
		s->sys.block_size, s->sys.page_size);
	fprintf(f, ",\"warnings\":[");
	for (i = 0; i < s->sys.nr_warnings; i++) {
		if (i)
			fputc(',', f);
		json_string(f, s->sys.warnings[i], SIZE_MAX);
	}
	fprintf(f, "],\"ok\":%s,\"steps\":[", ok ? "true" : "false");
	for (i = 0; i < s->nr_steps; i++) {
		const struct step *st = &s->steps[i];

		fprintf(f, "%s{\"op\":", i ? "," : "");
		json_string(f, st->op->text, SIZE_MAX);
		fprintf(f, ",\"source\":");
		json_string(f, st->op->src, SIZE_MAX);
		fprintf(f, ",\"notes\":[");
		for (k = 0; k < st->nr_notes; k++) {
			if (k)
				fputc(',', f);
			json_string(f, st->notes[k], SIZE_MAX);
		}
		fprintf(f, "],\"actions\":[");
		for (j = 0; j < st->nr; j++) {
			const struct action *a = &st->acts[j];

			fprintf(f, "%s{\"action\":\"%s\"", j ? "," : "",
				act_names[a->kind]);
			if (a->kind == ACT_REGISTER ||
			    a->kind == ACT_UNREGISTER) {
				fprintf(f, ",\"group\":%d,\"node\":%d}",
					a->group, a->nid);
				continue;
			}
			fprintf(f,
				",\"block\":%" PRIu64 ",\"node\":%d,\"group\":",
				a->block, a->nid);
			if (a->group >= 0)
				fprintf(f, "%d", a->group);
			else
				fprintf(f, "null");
			if (a->kind == ACT_ONLINE)
				fprintf(f,
					",\"online_type\":\"%s\",\"zone\":\"%s\"",
					za_online_type_name(a->online_type),
					za_zone_name(a->zone));
			else if (a->kind == ACT_OFFLINE)
				fprintf(f, ",\"zone\":\"%s\"",
					za_zone_name(a->zone));
			fputc('}', f);
		}
		fprintf(f, "]");
		if (st->error[0]) {
			fprintf(f, ",\"error\":");
			json_string(f, st->error, SIZE_MAX);
		}
		fputc('}', f);
	}
	fprintf(f, "],\"blocks\":[");
	for (i = 0; i < ST(s)->nr_blocks; i++) {
		const struct za_block *b = &ST(s)->blocks[i];
		char vz[64];

		block_vz(s, b, vz, sizeof(vz));
		fprintf(f,
			"%s{\"block\":%" PRIu64 ",\"state\":\"%s\",\"zone\":",
			i ? "," : "", b->id, b->online ? "online" : "offline");
		if (b->online && b->zone >= 0) /* null: offline, or no single zone */
			fprintf(f, "\"%s\"", za_zone_name(b->zone));
		else
			fprintf(f, "null");
		fprintf(f, ",\"valid_zones\":\"%s\",\"node\":%d,\"group\":", vz,
			b->nid);
		if (b->group >= 0)
			fprintf(f, "%d", b->group);
		else
			fprintf(f, "null");
		fprintf(f, ",\"early\":%s}", b->early ? "true" : "false");
	}
	fprintf(f, "],\"zones\":[");
	k = 0;
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		int z;

		for (z = 0; z < ZA_NR_ZONES; z++) {
			const struct za_zone *zz = &ST(s)->nodes[n].zones[z];

			if (!zz->present && !zz->spanned)
				continue;
			fprintf(f, "%s{\"node\":%d,\"zone\":\"%s\",\"start_pfn\":%" PRIu64,
				k++ ? "," : "", n, za_zone_name(z), zz->start_pfn);
			json_pages(f, "spanned", zz->spanned, s->sys.page_size, false);
			json_pages(f, "present", zz->present, s->sys.page_size, false);
			json_pages(f, "present_early", zz->present_early, s->sys.page_size,
				   false);
			json_pages(f, "cma", zz->cma, s->sys.page_size, false);
			fputc('}', f);
		}
	}
	fprintf(f, "],\"groups\":[");
	for (i = 0; i < ST(s)->nr_groups; i++) {
		const struct za_group *g = &ST(s)->groups[i];

		fprintf(f, "%s{\"id\":%d,\"name\":", i ? "," : "", g->id);
		json_string(f, g->name, SIZE_MAX);
		fprintf(f, ",\"type\":\"%s\",\"node\":%d", g->dynamic ? "dynamic" : "static",
			g->nid);
		json_pages(f, g->dynamic ? "unit" : "max",
			   g->dynamic ? g->unit_pages : g->max_pages, s->sys.page_size, false);
		json_pages(f, "present_movable", g->present_movable_pages, s->sys.page_size,
			   false);
		json_pages(f, "present_kernel", g->present_kernel_pages, s->sys.page_size,
			   false);
		fprintf(f, ",\"ratio\":");
		json_ratio(f, g->present_movable_pages,
			   g->present_kernel_pages);
		if (g->dynamic) {
			json_pages(f, "require_kernel_early", group_req(ST(s), g),
				   s->sys.page_size, false);
			json_pages(f, "headroom", za_headroom(ST(s), g->nid, g),
				   s->sys.page_size, false);
		}
		fputc('}', f);
	}
	fprintf(f, "],\"ratios\":{\"limit\":%u,\"global\":", ST(s)->cfg.ratio);
	json_scope(f, s, ZA_NUMA_NO_NODE);
	fprintf(f, ",\"nodes\":[");
	k = 0;
	for (n = 0; n < ST(s)->nr_nodes; n++) {
		if (!node_has_memory(ST(s), n))
			continue;
		if (k++)
			fputc(',', f);
		json_scope(f, s, n);
	}
	fprintf(f, "]}}\n");
}

