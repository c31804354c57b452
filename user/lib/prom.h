/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition (format 0.0.4) of memhp's state: pure
 * functions over the model, /proc/zoneinfo data, event statistics and probe
 * status, so that they can be unit-tested and fuzzed without a kernel. Every
 * family is documented in docs/metrics.md.
 *
 * Label sets are bounded: node (hardware), zone (a fixed set of names, other
 * names become "unknown"), state, group (memory groups: hardware), event
 * kind, result (at most PROM_MAX_RESULTS errno names per kind, then
 * "other"), probe. Per-block series only when asked for.
 */
#ifndef MEMHP_PROM_H
#define MEMHP_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memhp.h"
#include "model.h"
#include "offrun.h"
#include "offwhy.h"

struct zoneinfo;

/* A growable output buffer; on allocation failure .oom is set and further
 * output is dropped (the render then fails). */
struct prom_buf {
	char *p;
	size_t len, cap;
	size_t max; /* 0: PROM_MAX_OUTPUT */
	bool oom;
};

#define PROM_MAX_OUTPUT (256u << 20)

void prom_buf_init(struct prom_buf *b);
void prom_buf_reset(struct prom_buf *b);
void prom_buf_free(struct prom_buf *b);
/* Room for @more bytes (and a NUL) past the end; false (and .oom) if not. */
bool prom_buf_reserve(struct prom_buf *b, size_t more);
void prom_printf(struct prom_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A label value with \, " and newline escaped (at most @max bytes of @s). */
void prom_label_value(struct prom_buf *b, const char *s, size_t max);

/* --- event statistics (live sessions) ----------------------------------- */

enum prom_op {
	PROM_OP_ONLINE = 0,
	PROM_OP_OFFLINE,
	PROM_OP_ADD,
	PROM_OP_REMOVE,
	PROM_NR_OPS,
};
/* The op label of each PROM_OP_*. */
extern const char *const prom_op_names[PROM_NR_OPS];

#define PROM_MAX_RESULTS 16
#define PROM_NR_BUCKETS 15

/* Upper bounds (seconds) of the latency histogram buckets; +Inf follows. */
extern const double prom_buckets[PROM_NR_BUCKETS];

struct prom_hist {
	uint64_t bucket[PROM_NR_BUCKETS + 1]; /* not cumulative; last: +Inf */
	uint64_t count;
	double sum; /* seconds */
};

struct prom_result {
	int ret; /* 0 or -errno */
	uint64_t n;
};

struct prom_stats {
	struct prom_result res[MEMHP_EV_KIND_MAX][PROM_MAX_RESULTS];
	unsigned int nres[MEMHP_EV_KIND_MAX];
	uint64_t other[MEMHP_EV_KIND_MAX]; /* results beyond PROM_MAX_RESULTS */
	struct prom_hist lat[PROM_NR_OPS];
	uint64_t released_pages; /* ONLINE: freed by the online-page callback */
	uint64_t held_pages;	 /* ONLINE: kept back (fake-offline) */
	uint64_t offline_failed[OFFWHY_NR]; /* failed offlines by reason (lib/offwhy) */
	struct offrun running;		    /* offlines past --stuck-after */
};

/* Account one decoded event. */
void prom_stats_event(struct prom_stats *st, const struct memhp_event *e);
/* Account one latency sample (seconds) of @op; negative/NaN ignored. */
void prom_hist_observe(struct prom_hist *h, double seconds);

/* --- input --------------------------------------------------------------- */

struct prom_probe {
	char name[32]; /* "online_pages" */
	char how[16];  /* "fexit", "kretprobe", ... ; "" when not attached */
	bool attached;
};

/* One balloon device's activity (user/cmd/balloon.c reads it from BPF). */
struct prom_balloon {
	char driver[64]; /* "virtio_balloon" */
	uint64_t inflated, deflated, migrated, migrate_failed; /* pages */
};

/* A memory group as exported (from the model, or from a system snapshot). */
struct prom_group {
	int id;	 /* -1: unknown */
	int nid; /* -1: unknown */
	bool dynamic;
	uint64_t size_bytes; /* static: max size; dynamic: unit size */
	uint64_t kernel_bytes, movable_bytes;
};

struct recon_result;
struct rd_summary;
struct proc_self;

struct prom_input {
	const struct memhp_model *model; /* required */
	const struct zoneinfo *zi;	 /* NULL: no zone series */
	/* Groups to export; NULL: the model's groups. */
	const struct prom_group *groups;
	size_t nr_groups;
	/* Live session data; NULL/false in one-shot (snapshot) mode. */
	const struct prom_stats *stats;
	bool live;
	bool no_trace; /* live exporter without BPF (export --no-trace): snapshots */
	uint64_t seen, lost, malformed, inconsistent;
	const struct prom_probe *probes;
	size_t nr_probes;
	const struct prom_balloon *balloons; /* live: balloon devices seen */
	size_t nr_balloons;
	const struct recon_result *recon; /* live: last reconciliation, or NULL */
	/* Self-description. */
	const char *version;	    /* "0.1.0" */
	const char *kernel_release; /* NULL or "": "unknown" */
	double start_time;	    /* unix seconds; 0: not shown */
	/* Exporter self-metrics (HTTP), shown when scrapes_valid. */
	bool scrapes_valid;
	uint64_t scrapes, scrape_errors;
	double last_render_seconds;
	bool per_block;
	/* Unplug readiness summary (readiness_prom.h); NULL: none. */
	const struct rd_summary *readiness;
	/* The exporter's own process_* metrics (HTTP scrapes only); NULL: none. */
	const struct proc_self *self;
};

/*
 * Append the whole exposition to @b. Returns 0, or -ENOMEM (nothing useful
 * in @b then).
 */
int prom_render(struct prom_buf *b, const struct prom_input *in);

/* Canonical zone label for a zone name: one of DMA DMA32 Normal HighMem
 * Movable Device none, else "unknown". */
const char *prom_zone_label(const char *name);
/* The zone of a block (of @m) for labels: its zone when online ("none"
 * when it spans zones), "none" when offline. */
const char *prom_block_zone(const struct memhp_model *m, const struct memhp_block *b);
/* MOVABLE:KERNEL ratio; +Inf when kernel is 0 and movable is not, 0 when
 * both are 0. */
double prom_ratio(uint64_t movable, uint64_t kernel);
/* Movable bytes a group can take before exceeding @max_ratio (movable per
 * kernel, e.g. 3.01) against its own kernel memory; 0 when beyond. */
uint64_t prom_headroom(uint64_t movable, uint64_t kernel, double max_ratio);

/* Groups of the model as prom_groups (at most @max); returns the count. */
size_t prom_groups_from_model(const struct memhp_model *m,
			      struct prom_group *out, size_t max);

#endif
