/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unplug readiness in the exposition (docs/metrics.md, "Readiness"): a
 * small summary of a scan (readiness.h) that an exporter keeps between
 * scans and renders into every scrape. Scanning reads every online page's
 * flags (~0.3 s for 24 GiB on the build host), so exporters scan at most
 * every N seconds, never per scrape.
 */
#ifndef MEMHP_READINESS_PROM_H
#define MEMHP_READINESS_PROM_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "readiness.h"

struct prom_buf;

#define RD_SUM_MAX_NODES 64

/* Bytes per node: what offlining would free, without and with migration. */
struct rd_node_sum {
	uint64_t unpluggable, ready, migrate;
};

struct rd_summary {
	bool enabled; /* rendered at all */
	bool valid;   /* the last scan worked */
	char error[160];
	double scanned_at;   /* monotonic seconds of the last attempt; 0 none */
	double scan_seconds; /* how long it took */
	uint64_t pages_scanned;
	uint64_t blocks[RD_NR_VERDICTS];
	int nr_nodes;
	struct rd_node_sum nodes[RD_SUM_MAX_NODES];
	size_t nr_groups;
	struct {
		int id;
		uint64_t unpluggable;
	} groups[MEMHP_MAX_GROUPS];
};

/* Fill @s from a finished scan. */
void rd_summary_from(struct rd_summary *s, const struct readiness *r);
/*
 * Scan @sysroot (NULL: /) when the last attempt is @interval seconds or
 * more before @now (monotonic seconds), keeping the result or the error in
 * @s. Returns true when it scanned.
 */
bool rd_summary_refresh(struct rd_summary *s, const char *sysroot, double now, double interval);
/* The readiness families (nothing when !s->enabled). */
void rd_summary_render(struct prom_buf *b, const struct rd_summary *s);

#endif
