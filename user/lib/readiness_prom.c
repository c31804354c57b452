// SPDX-License-Identifier: GPL-2.0
/* Unplug readiness summaries for the exposition (readiness_prom.h). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "prom.h"
#include "readiness_prom.h"

void rd_summary_from(struct rd_summary *s, const struct readiness *r)
{
	size_t i;
	int n;

	s->valid = true;
	s->error[0] = '\0';
	s->scan_seconds = r->scan_seconds;
	s->pages_scanned = r->pages_scanned;
	memcpy(s->blocks, r->total.blocks, sizeof(s->blocks));
	s->nr_nodes = r->nr_nodes < RD_SUM_MAX_NODES ? r->nr_nodes : RD_SUM_MAX_NODES;
	for (n = 0; n < s->nr_nodes; n++) {
		s->nodes[n].unpluggable = r->nodes[n].unpluggable_bytes;
		s->nodes[n].ready = r->nodes[n].ready_bytes;
		s->nodes[n].migrate = r->nodes[n].migrate_bytes;
	}
	s->nr_groups = 0;
	for (i = 0; i < r->sys.st.nr_groups && s->nr_groups < MEMHP_MAX_GROUPS; i++) {
		if (!r->sys.st.groups[i].registered)
			continue;
		s->groups[s->nr_groups].id = r->sys.st.groups[i].id;
		s->groups[s->nr_groups].unpluggable = r->groups[i].unpluggable_bytes;
		s->nr_groups++;
	}
}

bool rd_summary_refresh(struct rd_summary *s, const char *sysroot, double now, double interval)
{
	struct rd_opts o = { .sysroot = sysroot, .balloon_compaction = -1 };
	struct readiness r;

	if (s->scanned_at > 0 && now - s->scanned_at < interval)
		return false;
	s->enabled = true;
	s->scanned_at = now;
	readiness_init(&r);
	if (readiness_scan(&r, &o, s->error, sizeof(s->error)))
		s->valid = false;
	else
		rd_summary_from(s, &r);
	readiness_free(&r);
	return true;
}

static void fam(struct prom_buf *b, const char *name, const char *help)
{
	prom_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* One per-node family: the uint64_t at @field of every node's sum. */
static void node_family(struct prom_buf *b, const struct rd_summary *s, const char *name,
			const char *help, size_t field)
{
	int n;

	fam(b, name, help);
	for (n = 0; s->valid && n < s->nr_nodes; n++) {
		uint64_t v;

		memcpy(&v, (const char *)&s->nodes[n] + field, sizeof(v));
		prom_printf(b, "%s{node=\"%d\"} %" PRIu64 "\n", name, n, v);
	}
}

void rd_summary_render(struct prom_buf *b, const struct rd_summary *s)
{
	size_t i;
	int v;

	if (!s || !s->enabled)
		return;
	fam(b, "memhp_readiness_up",
	    "1 if the last unplug readiness scan (/proc/kpageflags) worked, 0 if not (not root).");
	prom_printf(b, "memhp_readiness_up %d\n", s->valid ? 1 : 0);
	/* Every family below has no sample when the scan failed. */
	fam(b, "memhp_readiness_scan_seconds", "Time the last readiness scan took.");
	if (s->valid)
		prom_printf(b, "memhp_readiness_scan_seconds %.6f\n", s->scan_seconds);
	fam(b, "memhp_readiness_blocks",
	    "Online memory blocks by the unplug verdict of the last scan.");
	for (v = RD_READY; s->valid && v < RD_NR_VERDICTS; v++)
		prom_printf(b, "memhp_readiness_blocks{verdict=\"%s\"} %" PRIu64 "\n",
			    rd_verdict_name(v), s->blocks[v]);
	node_family(b, s, "memhp_unpluggable_bytes",
		    "Bytes of blocks offlining would free now (verdict ready or migrate), per node.",
		    offsetof(struct rd_node_sum, unpluggable));
	node_family(b, s, "memhp_unpluggable_ready_bytes",
		    "Bytes of blocks ready to offline without migrating anything, per node.",
		    offsetof(struct rd_node_sum, ready));
	node_family(b, s, "memhp_unpluggable_migrate_bytes",
		    "Bytes offlining the unpluggable blocks would migrate, per node.",
		    offsetof(struct rd_node_sum, migrate));
	fam(b, "memhp_group_unpluggable_bytes",
	    "Bytes of a memory group's blocks offlining would free now.");
	for (i = 0; s->valid && i < s->nr_groups; i++)
		prom_printf(b, "memhp_group_unpluggable_bytes{group=\"%d\"} %" PRIu64 "\n",
			    s->groups[i].id, s->groups[i].unpluggable);
}
