// SPDX-License-Identifier: GPL-2.0
/* Prometheus text exposition of the model (see prom.h, docs/metrics.md). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "clock.h"
#include "procself.h"
#include "prom.h"
#include "readiness_prom.h"
#include "reconcile.h"
#include "zoneinfo.h"

/* A sample value as Prometheus parses it. */
static void put_double(struct prom_buf *b, double v)
{
	if (isnan(v))
		prom_printf(b, "NaN");
	else if (isinf(v))
		prom_printf(b, "%sInf", v < 0 ? "-" : "+");
	else
		prom_printf(b, "%.15g", v);
}

/* An unlabelled sample whose value is a double: "NAME VALUE\n". */
static void sample_double(struct prom_buf *b, const char *name, double v)
{
	prom_printf(b, "%s ", name);
	put_double(b, v);
	prom_printf(b, "\n");
}

static void family(struct prom_buf *b, const char *name, const char *type,
		   const char *help)
{
	prom_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled integer sample. */
static void sample_u64(struct prom_buf *b, const char *name, const char *type, const char *help,
		       uint64_t v)
{
	family(b, name, type, help);
	prom_printf(b, "%s %" PRIu64 "\n", name, v);
}

/* --- labels and small helpers ------------------------------------------- */

/*
 * Every zone label comes from this one array, so that equal labels are equal
 * pointers (the block walks compare pointers, not strings).
 */
static const char *const zone_labels[] = { "DMA",     "DMA32",  "Normal", "HighMem",
					   "Movable", "Device", "none",	  "unknown" };
#define LABEL_NONE (zone_labels[6])
#define LABEL_UNKNOWN (zone_labels[7])

const char *prom_zone_label(const char *name)
{
	size_t i;

	if (!name)
		return LABEL_UNKNOWN;
	for (i = 0; i < sizeof(zone_labels) / sizeof(zone_labels[0]) - 1; i++)
		if (!strcmp(name, zone_labels[i]))
			return zone_labels[i];
	return LABEL_UNKNOWN;
}

/* The label of the first zone of a valid_zones string. */
static const char *first_zone_label(const char *zones)
{
	char first[MEMHP_ZONES_LEN];
	size_t n = strcspn(zones, " ");

	if (!n || n >= sizeof(first))
		return LABEL_UNKNOWN;
	memcpy(first, zones, n);
	first[n] = '\0';
	return prom_zone_label(first);
}

static bool block_is_online(const struct memhp_block *b)
{
	return b->state == MEMHP_BLOCK_ONLINE || b->state == MEMHP_BLOCK_GOING_OFFLINE;
}

const char *prom_block_zone(const struct memhp_model *m, const struct memhp_block *b)
{
	if (!block_is_online(b))
		return LABEL_NONE;
	return first_zone_label(model_zones(m, b));
}

/*
 * prom_block_zone() for every block of a model, cheaply: a model holds a
 * handful of distinct valid_zones strings, so each string's label is worked
 * out once per render (on first use), not once per block.
 */
struct zone_memo {
	const struct memhp_model *m;
	const char **lab; /* by string index; NULL: not yet (or no memory) */
	uint32_t n;
};

static void memo_init(struct zone_memo *z, const struct memhp_model *m)
{
	z->m = m;
	z->n = m->nr_zstr;
	z->lab = z->n ? calloc(z->n, sizeof(*z->lab)) : NULL;
}

static void memo_free(struct zone_memo *z)
{
	free(z->lab);
}

static const char *memo_zone(struct zone_memo *z, const struct memhp_block *b)
{
	uint32_t i = b->zones;

	if (!block_is_online(b))
		return LABEL_NONE;
	if (!z->lab || i >= z->n)
		return first_zone_label(model_zones(z->m, b));
	if (!z->lab[i])
		z->lab[i] = first_zone_label(model_zones_str(z->m, i));
	return z->lab[i];
}

double prom_ratio(uint64_t movable, uint64_t kernel)
{
	if (!kernel)
		return movable ? INFINITY : 0.0;
	return (double)movable / (double)kernel;
}

uint64_t prom_headroom(uint64_t movable, uint64_t kernel, double max_ratio)
{
	double lim;

	if (!(max_ratio > 0) || isinf(max_ratio))
		return 0;
	lim = (double)kernel * max_ratio;
	if (lim <= (double)movable)
		return 0;
	if (lim - (double)movable >= 18446744073709549568.0)
		return UINT64_MAX;
	return (uint64_t)(lim - (double)movable);
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	if (a && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

size_t prom_groups_from_model(const struct memhp_model *m,
			      struct prom_group *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < m->nr_groups && i < MEMHP_MAX_GROUPS && n < max; i++) {
		const struct memhp_group *g = &m->groups[i];

		if (!g->registered)
			continue;
		out[n].id = g->id;
		out[n].nid = g->nid;
		out[n].dynamic = g->dynamic;
		out[n].size_bytes = mul_sat(g->pages, m->page_size);
		out[n].kernel_bytes = mul_sat(g->present_kernel_pages, m->page_size);
		out[n].movable_bytes = mul_sat(g->present_movable_pages, m->page_size);
		n++;
	}
	return n;
}

/* --- blocks by (node, zone, state) -------------------------------------- */

struct agg {
	int node;
	const char *zone;  /* zone_labels[]: compared as pointers */
	const char *state; /* model_state_name() */
	unsigned int st;   /* the state, as a number */
	uint64_t n;
};

static bool agg_is(const struct agg *a, int node, const char *zone, unsigned int st)
{
	return a->node == node && a->zone == zone && a->st == st;
}

static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;
	int c;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	c = strcmp(x->zone, y->zone);
	if (c)
		return c;
	return strcmp(x->state, y->state);
}

static void put_node(struct prom_buf *b, int node)
{
	if (node < 0)
		prom_printf(b, "unknown");
	else
		prom_printf(b, "%d", node);
}

static int render_blocks(struct prom_buf *b, const struct memhp_model *m, struct zone_memo *zm)
{
	struct agg *a = NULL, *last = NULL;
	const struct memhp_block *prev = NULL;
	size_t na = 0, cap = 0, i, j;

	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *bl = &m->blocks[i];
		const char *zone;
		unsigned int st;
		int node;

		/* Blocks come in long runs of the same node, state and zones
		 * (same series): count them without working out the labels. */
		if (prev && bl->node == prev->node && bl->state == prev->state &&
		    bl->zones == prev->zones) {
			last->n++;
			continue;
		}
		prev = bl;
		zone = memo_zone(zm, bl);
		/* states memhp does not know are all "unknown": one series */
		st = bl->state <= MEMHP_BLOCK_GOING_OFFLINE ? bl->state : MEMHP_BLOCK_UNKNOWN;
		node = bl->node < 0 ? -1 : bl->node;

		if (!last || !agg_is(last, node, zone, st)) {
			last = NULL;
			for (j = 0; j < na; j++)
				if (agg_is(&a[j], node, zone, st)) {
					last = &a[j];
					break;
				}
		}
		if (!last) {
			if (na == cap) {
				size_t nc = cap ? cap * 2 : 32;
				struct agg *n2 = realloc(a, nc * sizeof(*a));

				if (!n2) {
					free(a);
					return -ENOMEM;
				}
				a = n2;
				cap = nc;
			}
			last = &a[na++];
			last->node = node;
			last->zone = zone;
			last->st = st;
			last->state = model_state_name(st);
			last->n = 0;
		}
		last->n++;
	}
	if (na)
		qsort(a, na, sizeof(*a), cmp_agg);
	family(b, "memhp_blocks", "gauge",
	       "Memory blocks by node, zone and state (zone \"none\": offline, or online across zones).");
	for (i = 0; i < na; i++) {
		prom_printf(b, "memhp_blocks{node=\"");
		put_node(b, a[i].node);
		prom_printf(b, "\",zone=\"%s\",state=\"%s\"} %" PRIu64 "\n",
			    a[i].zone, a[i].state, a[i].n);
	}
	family(b, "memhp_blocks_bytes", "gauge",
	       "Bytes of memory blocks by node, zone and state.");
	for (i = 0; i < na; i++) {
		prom_printf(b, "memhp_blocks_bytes{node=\"");
		put_node(b, a[i].node);
		prom_printf(b, "\",zone=\"%s\",state=\"%s\"} %" PRIu64 "\n",
			    a[i].zone, a[i].state, mul_sat(a[i].n, m->block_size));
	}
	free(a);
	return 0;
}

/* Decimal digits of @v at @p; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_str(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

#define PUT_LIT(p, lit) put_str(p, lit, sizeof(lit) - 1)

/*
 * One line per block: 131,072 of them, under the model lock. Formatted by
 * hand (what prom_printf() and put_node() would print, byte for byte):
 * three vsnprintf() calls a line took 40 ms there.
 */
static void render_per_block(struct prom_buf *b, const struct memhp_model *m, struct zone_memo *zm)
{
	size_t i;

	family(b, "memhp_block_state", "gauge",
	       "One series per memory block (only with --per-block): 1, labelled with its node, zone and state.");
	for (i = 0; i < m->nr_blocks && !b->oom; i++) {
		const struct memhp_block *bl = &m->blocks[i];
		const char *zone = memo_zone(zm, bl), *st = model_state_name(bl->state);
		size_t zl = strlen(zone), sl = strlen(st);
		char *p;

		/* the literals, two numbers of at most 20 digits, the labels */
		if (!prom_buf_reserve(b, 128 + zl + sl))
			return;
		p = b->p + b->len;
		p = PUT_LIT(p, "memhp_block_state{block=\"");
		p = put_u64(p, bl->id);
		p = PUT_LIT(p, "\",node=\"");
		if (bl->node < 0)
			p = PUT_LIT(p, "unknown");
		else
			p = put_u64(p, (uint64_t)bl->node);
		p = PUT_LIT(p, "\",zone=\"");
		p = put_str(p, zone, zl);
		p = PUT_LIT(p, "\",state=\"");
		p = put_str(p, st, sl);
		p = PUT_LIT(p, "\"} 1\n");
		*p = '\0';
		b->len = (size_t)(p - b->p);
	}
}

/* --- zones --------------------------------------------------------------- */

static int cmp_zone(const void *a, const void *b)
{
	const struct zi_zone *x = *(const struct zi_zone *const *)a;
	const struct zi_zone *y = *(const struct zi_zone *const *)b;

	if (x->nid != y->nid)
		return x->nid < y->nid ? -1 : 1;
	if (x->zid != y->zid)
		return x->zid < y->zid ? -1 : 1;
	return strcmp(x->name, y->name);
}

enum zfield { ZF_PRESENT, ZF_MANAGED, ZF_SPANNED, ZF_CMA, ZF_START, ZF_MAX };

static int render_zones(struct prom_buf *b, const struct memhp_model *m,
			const struct zoneinfo *zi)
{
	static const struct {
		const char *name, *help;
	} f[ZF_MAX] = {
		{ "memhp_zone_present_bytes",
		  "Present memory of the zone (/proc/zoneinfo present)." },
		{ "memhp_zone_managed_bytes",
		  "Memory of the zone managed by the buddy allocator (/proc/zoneinfo managed)." },
		{ "memhp_zone_spanned_bytes",
		  "Physical span of the zone, holes included (/proc/zoneinfo spanned)." },
		{ "memhp_zone_cma_bytes", "CMA memory of the zone (/proc/zoneinfo cma)." },
		{ "memhp_zone_start_address_bytes",
		  "Physical address where the zone starts (start_pfn times the page size)." },
	};
	const struct zi_zone **z;
	size_t i, n = 0;
	int k;
	struct {
		int node;
		uint64_t movable, kernel;
	} *nodes = NULL;
	size_t nn = 0;
	uint64_t gm = 0, gk = 0;

	z = calloc(zi->nr ? zi->nr : 1, sizeof(*z));
	nodes = calloc(zi->nr ? zi->nr : 1, sizeof(*nodes));
	if (!z || !nodes) {
		free(z);
		free(nodes);
		return -ENOMEM;
	}
	for (i = 0; i < zi->nr; i++)
		z[i] = &zi->zones[i];
	qsort(z, zi->nr, sizeof(*z), cmp_zone);
	/* Drop duplicates (same node and label): one series each. */
	for (i = 0; i < zi->nr; i++) {
		if (n && z[n - 1]->nid == z[i]->nid &&
		    !strcmp(prom_zone_label(z[n - 1]->name), prom_zone_label(z[i]->name)))
			continue;
		z[n++] = z[i];
	}
	for (k = 0; k < ZF_MAX; k++) {
		family(b, f[k].name, "gauge", f[k].help);
		for (i = 0; i < n; i++) {
			const struct zi_zone *x = z[i];
			uint64_t v;
			bool has;

			switch (k) {
			case ZF_PRESENT:
				v = x->present, has = x->has_present;
				break;
			case ZF_MANAGED:
				v = x->managed, has = x->has_managed;
				break;
			case ZF_SPANNED:
				v = x->spanned, has = x->has_spanned;
				break;
			case ZF_CMA:
				v = x->cma, has = x->has_cma;
				break;
			default:
				/* An empty zone's start_pfn means nothing. */
				v = x->start_pfn, has = x->has_start && x->spanned;
				break;
			}
			if (!has)
				continue;
			prom_printf(b, "%s{node=\"%d\",zone=\"%s\"} %" PRIu64 "\n",
				    f[k].name, x->nid, prom_zone_label(x->name),
				    mul_sat(v, m->page_size));
		}
	}
	/* MOVABLE:KERNEL of present memory, per node and overall. */
	for (i = 0; i < n; i++) {
		const struct zi_zone *x = z[i];
		size_t j;

		if (!x->has_present || x->zid == ZA_ZONE_DEVICE)
			continue;
		for (j = 0; j < nn && nodes[j].node != x->nid; j++)
			;
		if (j == nn) {
			nodes[nn].node = x->nid;
			nodes[nn].movable = nodes[nn].kernel = 0;
			nn++;
		}
		if (x->zid == ZA_ZONE_MOVABLE) {
			nodes[j].movable += x->present;
			gm += x->present;
		} else {
			nodes[j].kernel += x->present;
			gk += x->present;
		}
	}
	family(b, "memhp_node_movable_kernel_ratio", "gauge",
	       "Present ZONE_MOVABLE memory per present memory of the other zones, per node (+Inf: no kernel memory).");
	for (i = 0; i < nn; i++) {
		prom_printf(b, "memhp_node_movable_kernel_ratio{node=\"%d\"} ", nodes[i].node);
		put_double(b, prom_ratio(nodes[i].movable, nodes[i].kernel));
		prom_printf(b, "\n");
	}
	family(b, "memhp_movable_kernel_ratio", "gauge",
	       "Present ZONE_MOVABLE memory per present memory of the other zones, all nodes.");
	prom_printf(b, "memhp_movable_kernel_ratio ");
	put_double(b, prom_ratio(gm, gk));
	prom_printf(b, "\n");
	free(z);
	free(nodes);
	return 0;
}

/* --- groups -------------------------------------------------------------- */

/* Groups are labelled by id; one whose id is unknown or repeats an earlier
 * group's (never from the kernel) by its position, so no series repeats. */
static void group_labels(struct prom_buf *b, const struct prom_group *all,
			 size_t idx)
{
	const struct prom_group *g = &all[idx];
	size_t i;
	bool dup = false;

	for (i = 0; i < idx && g->id >= 0 && !dup; i++)
		dup = all[i].id == g->id;
	if (g->id >= 0 && !dup)
		prom_printf(b, "{group=\"%d\",node=\"", g->id);
	else
		prom_printf(b, "{group=\"unknown%zu\",node=\"", idx);
	put_node(b, g->nid);
	prom_printf(b, "\",type=\"%s\"}", g->dynamic ? "dynamic" : "static");
}

static void render_groups(struct prom_buf *b, const struct prom_group *g,
			  size_t n, double max_ratio)
{
	static const char *const names[] = {
		"memhp_group_size_bytes",  "memhp_group_kernel_bytes",
		"memhp_group_movable_bytes", "memhp_group_movable_kernel_ratio",
		"memhp_group_headroom_bytes",
	};
	static const char *const helps[] = {
		"Size of the memory group: maximum (static groups: a DIMM) or unit (dynamic: virtio-mem).",
		"Online memory of the group in zones other than ZONE_MOVABLE (present_kernel_pages).",
		"Online memory of the group in ZONE_MOVABLE (present_movable_pages).",
		"MOVABLE:KERNEL ratio of the group's online memory (+Inf: all movable).",
		"Movable memory the group can still take before its MOVABLE:KERNEL ratio exceeds memory_hotplug.auto_movable_ratio.",
	};
	size_t k, i, nk = max_ratio > 0 ? 5 : 4;

	for (k = 0; k < nk; k++) {
		family(b, names[k], "gauge", helps[k]);
		for (i = 0; i < n; i++) {
			prom_printf(b, "%s", names[k]);
			group_labels(b, g, i);
			switch (k) {
			case 0:
				prom_printf(b, " %" PRIu64 "\n", g[i].size_bytes);
				break;
			case 1:
				prom_printf(b, " %" PRIu64 "\n", g[i].kernel_bytes);
				break;
			case 2:
				prom_printf(b, " %" PRIu64 "\n", g[i].movable_bytes);
				break;
			case 3:
				prom_printf(b, " ");
				put_double(b, prom_ratio(g[i].movable_bytes, g[i].kernel_bytes));
				prom_printf(b, "\n");
				break;
			default:
				prom_printf(b, " %" PRIu64 "\n",
					    prom_headroom(g[i].movable_bytes,
							  g[i].kernel_bytes, max_ratio));
			}
		}
	}
}

/* --- live: events and probes ------------------------------------------- */

/* Failed offlines by the kernel's reason, and offlines running now. */
static void render_offline_why(struct prom_buf *b, const struct prom_input *in)
{
	const struct prom_stats *st = in->stats;
	uint64_t ppb = model_pages_per_block(in->model);
	uint64_t now = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	unsigned int i, n = 0;

	family(b, "memhp_offline_failures_total", "counter",
	       "Failed offlines by the kernel's reason (offline_pages(): memory_holes, isolate_range, notifier, signal, unmovable_page, dissolve_huge_pages; none: no reason seen; unknown).");
	for (i = 0; i < OFFWHY_NR; i++)
		if (st->offline_failed[i])
			prom_printf(b, "memhp_offline_failures_total{reason=\"%s\"} %" PRIu64 "\n",
				    offwhy_reason_label((enum offwhy_reason)i), st->offline_failed[i]);
	family(b, "memhp_offline_running_seconds", "gauge",
	       "Offlines running past --stuck-after: how long so far, by first block.");
	for (i = 0; i < st->running.n && i < OFFRUN_MAX; i++) {
		const struct offrun_entry *x = &st->running.e[i];

		if (now > x->ts_ns && now - x->ts_ns > OFFRUN_STALE_NS)
			continue; /* its end was lost: not running as far as we know */
		n++;
		prom_printf(b, "memhp_offline_running_seconds{block=\"%" PRIu64 "\"} ",
			    ppb ? x->start_pfn / ppb : 0);
		put_double(b, offrun_elapsed_ns(x, now) / 1e9);
		prom_printf(b, "\n");
	}
	family(b, "memhp_offline_running", "gauge",
	       "Offlines running past --stuck-after (offline-progress events).");
	prom_printf(b, "memhp_offline_running %u\n", n);
}

static void render_events(struct prom_buf *b, const struct prom_input *in)
{
	const struct prom_stats *st = in->stats;
	uint64_t ps = in->model->page_size;
	unsigned int k, i;
	int op;

	family(b, "memhp_events_total", "counter",
	       "Memory hotplug events seen, by kind and result (ok or the errno name; notify: the chain's result as an errno).");
	for (k = 1; k < MEMHP_EV_KIND_MAX; k++) {
		for (i = 0; i < st->nres[k] && i < PROM_MAX_RESULTS; i++) {
			char eb[16];

			prom_printf(b, "memhp_events_total{event=\"%s\",result=\"%s\"} %" PRIu64 "\n",
				    event_kind_name(k), errno_name(st->res[k][i].ret, eb, sizeof(eb)),
				    st->res[k][i].n);
		}
		if (st->other[k])
			prom_printf(b, "memhp_events_total{event=\"%s\",result=\"other\"} %" PRIu64 "\n",
				    event_kind_name(k), st->other[k]);
	}
	render_offline_why(b, in);
	family(b, "memhp_operation_duration_seconds", "histogram",
	       "Duration of memory hotplug operations (entry to return), by operation.");
	for (op = 0; op < PROM_NR_OPS; op++) {
		const struct prom_hist *h = &st->lat[op];
		uint64_t cum = 0;

		for (i = 0; i < PROM_NR_BUCKETS; i++) {
			cum += h->bucket[i];
			prom_printf(b, "memhp_operation_duration_seconds_bucket{op=\"%s\",le=\"",
				    prom_op_names[op]);
			put_double(b, prom_buckets[i]);
			prom_printf(b, "\"} %" PRIu64 "\n", cum);
		}
		prom_printf(b, "memhp_operation_duration_seconds_bucket{op=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
			    prom_op_names[op], h->count);
		prom_printf(b, "memhp_operation_duration_seconds_sum{op=\"%s\"} ", prom_op_names[op]);
		put_double(b, h->sum);
		prom_printf(b, "\nmemhp_operation_duration_seconds_count{op=\"%s\"} %" PRIu64 "\n",
			    prom_op_names[op], h->count);
	}
	sample_u64(b, "memhp_online_released_bytes_total", "counter",
		   "Bytes of onlined ranges that the online-page callback released to the page allocator.",
		   mul_sat(st->released_pages, ps));
	sample_u64(b, "memhp_online_held_bytes_total", "counter",
		   "Bytes of onlined ranges that the online-page callback kept back (fake-offline, e.g. balloon drivers).",
		   mul_sat(st->held_pages, ps));
}

static void render_probes(struct prom_buf *b, const struct prom_input *in)
{
	size_t i;

	family(b, "memhp_probe_attached", "gauge",
	       "1 when the probe is attached (how: fexit, fentry, kretprobe, kprobe), 0 when not (how=\"none\").");
	for (i = 0; i < in->nr_probes; i++) {
		const struct prom_probe *p = &in->probes[i];

		prom_printf(b, "memhp_probe_attached{probe=\"");
		prom_label_value(b, p->name, sizeof(p->name));
		prom_printf(b, "\",how=\"");
		prom_label_value(b, p->attached && p->how[0] ? p->how : "none", sizeof(p->how));
		prom_printf(b, "\"} %d\n", p->attached ? 1 : 0);
	}
}

/* Coverage findings (model counters) and balloon activity, live only. */
static void render_findings_balloons(struct prom_buf *b, const struct prom_input *in)
{
	const struct memhp_model *m = in->model;
	static const char *const ops[] = { "inflate", "deflate", "migrate", "migrate_failed" };
	size_t i, k;

	family(b, "memhp_findings_total", "counter",
	       "Coverage findings: onlines that released pages the driver never backed "
	       "(uncovered-online, critical) or left backed pages offline "
	       "(backed-not-onlined, warning).");
	prom_printf(b, "memhp_findings_total{kind=\"uncovered-online\",severity=\"critical\"} %" PRIu64
		       "\n", m->uncovered_findings);
	prom_printf(b, "memhp_findings_total{kind=\"backed-not-onlined\",severity=\"warning\"} %" PRIu64
		       "\n", m->not_onlined_findings);
	family(b, "memhp_finding_bytes_total", "counter",
	       "Memory involved in coverage findings, by kind.");
	prom_printf(b, "memhp_finding_bytes_total{kind=\"uncovered-online\"} %" PRIu64 "\n",
		    mul_sat(m->uncovered_pages, m->page_size));
	prom_printf(b, "memhp_finding_bytes_total{kind=\"backed-not-onlined\"} %" PRIu64 "\n",
		    mul_sat(m->not_onlined_pages, m->page_size));
	if (!in->nr_balloons)
		return;
	family(b, "memhp_balloon_bytes_total", "counter",
	       "Balloon activity since memhp started, per driver: memory inflated, deflated, "
	       "migrated (balloon compaction) and failed migrations.");
	for (i = 0; i < in->nr_balloons; i++) {
		const struct prom_balloon *bl = &in->balloons[i];
		const uint64_t v[] = { bl->inflated, bl->deflated, bl->migrated, bl->migrate_failed };

		for (k = 0; k < 4; k++) {
			prom_printf(b, "memhp_balloon_bytes_total{driver=\"");
			prom_label_value(b, bl->driver, sizeof(bl->driver));
			prom_printf(b, "\",op=\"%s\"} %" PRIu64 "\n", ops[k],
				    mul_sat(v[k], m->page_size));
		}
	}
}

/*
 * Per node and zone, from the blocks memhp saw come online (live): pages the
 * online-page callback kept offline (fake-offline, unbacked) and pages that
 * hold the blocks' own memmap (memmap_on_memory).
 */
static void render_block_accounting(struct prom_buf *b, const struct memhp_model *m,
				    struct zone_memo *zm)
{
	struct {
		int node;
		const char *zone;
		uint64_t held, memmap;
	} acc[32];
	uint64_t ppb = model_pages_per_block(m);
	size_t n = 0, i, j, k;

	/* no event data at all (export --no-trace): nothing to walk for */
	for (i = 0; m->nr_ev && i < m->nr_blocks; i++) {
		const struct memhp_block *blk = &m->blocks[i];
		const struct memhp_block_ev *x;
		const char *zone;
		uint64_t held = 0;

		/* without event data, nothing held and no memmap pages known */
		if (blk->state != MEMHP_BLOCK_ONLINE || !blk->ev)
			continue;
		x = model_block_ev(m, blk);
		if (x->released_known && ppb > x->vmemmap_pages + x->released_pages)
			held = ppb - x->vmemmap_pages - x->released_pages;
		if (!held && !x->vmemmap_pages)
			continue;
		zone = memo_zone(zm, blk);
		for (j = 0; j < n; j++)
			if (acc[j].node == blk->node && acc[j].zone == zone)
				break;
		if (j == n) {
			if (n == sizeof(acc) / sizeof(acc[0]))
				continue; /* bounded label set */
			acc[n].node = blk->node;
			acc[n].zone = zone;
			acc[n].held = acc[n].memmap = 0;
			n++;
		}
		acc[j].held += held;
		acc[j].memmap += x->vmemmap_pages;
	}
	for (k = 0; k < 2; k++) {
		static const char *const name[] = { "memhp_zone_held_bytes",
						     "memhp_zone_memmap_bytes" };
		static const char *const help[] = {
			"Memory of online blocks that the online-page callback kept offline "
			"(balloon fake-offline, unbacked), per node and zone (blocks memhp saw online).",
			"Memory of online blocks holding their own memmap (memmap_on_memory), "
			"per node and zone (blocks memhp saw online).",
		};

		family(b, name[k], "gauge", help[k]);
		for (j = 0; j < n; j++) {
			prom_printf(b, "%s{node=\"", name[k]);
			put_node(b, acc[j].node);
			prom_printf(b, "\",zone=\"%s\"} %" PRIu64 "\n", acc[j].zone,
				    mul_sat(k ? acc[j].memmap : acc[j].held, m->page_size));
		}
	}
}

static void render_recon(struct prom_buf *b, const struct prom_input *in)
{
	const struct recon_result *r = in->recon;
	const uint64_t ps = in->model->page_size;
	size_t i;

	family(b, "memhp_reconciliations_total", "counter",
	       "Comparisons of the model with the kernel (sysfs), and failed ones.");
	prom_printf(b, "memhp_reconciliations_total{result=\"ok\"} %" PRIu64 "\n", r->runs);
	prom_printf(b, "memhp_reconciliations_total{result=\"error\"} %" PRIu64 "\n", r->errors);
	if (!r->valid)
		return;
	family(b, "memhp_drift_blocks", "gauge",
	       "Memory blocks whose state in memhp's model differed from sysfs at the last "
	       "reconciliation (0 when events and kernel agree).");
	prom_printf(b, "memhp_drift_blocks %" PRIu64 "\n", r->drift_blocks);
	if (r->drift_zones >= 0) {
		family(b, "memhp_drift_zones", "gauge",
		       "Zones whose present pages in /proc/zoneinfo differed from memhp's count "
		       "(a baseline plus what online and offline events moved) at the last "
		       "reconciliation.");
		prom_printf(b, "memhp_drift_zones %" PRId64 "\n", r->drift_zones);
	}
	family(b, "memhp_zone_early_bytes", "gauge",
	       "Present memory of the zone that was there at boot (the kernel's "
	       "present_early_pages, used by the auto-movable policy).");
	for (i = 0; i < r->nr_zones; i++)
		prom_printf(b, "memhp_zone_early_bytes{node=\"%d\",zone=\"%s\"} %" PRIu64 "\n",
			    r->zones[i].node, prom_zone_label(r->zones[i].zone),
			    mul_sat(r->zones[i].early, ps));
	if (!r->policy)
		return;
	family(b, "memhp_policy_violations", "gauge",
	       "Violations of each policy rule at the last evaluation (memhp export --policy).");
	for (i = 0; i < r->nr_rules; i++) {
		if (!r->rules[i].evaluated)
			continue;
		prom_printf(b, "memhp_policy_violations{rule=\"");
		prom_label_value(b, r->rules[i].name, sizeof(r->rules[i].name));
		prom_printf(b, "\",severity=\"%s\"} %" PRIu64 "\n", r->rules[i].severity,
			    r->rules[i].violations);
	}
	family(b, "memhp_policy_violation_transitions_total", "counter",
	       "Violations of each rule that appeared and that cleared since memhp started "
	       "(each is also logged on stderr).");
	for (i = 0; i < r->nr_rules; i++) {
		static const char *const what[] = { "appeared", "cleared" };
		int t;

		for (t = 0; t < 2; t++) {
			prom_printf(b, "memhp_policy_violation_transitions_total{rule=\"");
			prom_label_value(b, r->rules[i].name, sizeof(r->rules[i].name));
			prom_printf(b, "\",transition=\"%s\"} %" PRIu64 "\n", what[t],
				    t ? r->rules[i].cleared : r->rules[i].appeared);
		}
	}
}

/*
 * The process_* families Prometheus client libraries export (names, types
 * and units as client_golang's process collector), for what could be read.
 */
static void render_process(struct prom_buf *b, const struct proc_self *ps)
{
	if (ps->have_stat) {
		family(b, "process_cpu_seconds_total", "counter",
		       "Total user and system CPU time spent in seconds.");
		sample_double(b, "process_cpu_seconds_total", ps->cpu_seconds);
		family(b, "process_resident_memory_bytes", "gauge",
		       "Resident memory size in bytes.");
		prom_printf(b, "process_resident_memory_bytes %" PRIu64 "\n", ps->rss_bytes);
		family(b, "process_virtual_memory_bytes", "gauge",
		       "Virtual memory size in bytes.");
		prom_printf(b, "process_virtual_memory_bytes %" PRIu64 "\n", ps->vsize_bytes);
		if (ps->start_time > 0) {
			family(b, "process_start_time_seconds", "gauge",
			       "Start time of the process since unix epoch in seconds.");
			sample_double(b, "process_start_time_seconds", ps->start_time);
		}
	}
	if (ps->have_fds) {
		family(b, "process_open_fds", "gauge", "Number of open file descriptors.");
		prom_printf(b, "process_open_fds %" PRIu64 "\n", ps->open_fds);
	}
	if (ps->have_max_fds) {
		family(b, "process_max_fds", "gauge",
		       "Maximum number of open file descriptors.");
		/* unlimited: +Inf, as a bare 2^64-1 would be read as a float anyway */
		if (ps->max_fds == UINT64_MAX)
			sample_double(b, "process_max_fds", INFINITY);
		else
			prom_printf(b, "process_max_fds %" PRIu64 "\n", ps->max_fds);
	}
}

/* --- the whole exposition --------------------------------------------- */

int prom_render(struct prom_buf *b, const struct prom_input *in)
{
	const struct memhp_model *m = in->model;
	struct prom_group *groups = NULL;
	const struct prom_group *gp = in->groups;
	size_t ng = in->nr_groups;
	double max_ratio = -1;
	struct zone_memo zm;
	int rc = -ENOMEM;

	if (!m)
		return -EINVAL;
	memo_init(&zm, m);
	family(b, "memhp_build_info", "gauge",
	       "memhp's version and event ABI; always 1.");
	prom_printf(b, "memhp_build_info{version=\"");
	prom_label_value(b, in->version ? in->version : "unknown", 64);
	prom_printf(b, "\",abi=\"%d\"} 1\n", MEMHP_ABI_VERSION);
	family(b, "memhp_kernel_info", "gauge", "The kernel release memhp reads; always 1.");
	prom_printf(b, "memhp_kernel_info{release=\"");
	prom_label_value(b, in->kernel_release && *in->kernel_release ?
				    in->kernel_release : "unknown", 128);
	prom_printf(b, "\"} 1\n");
	if (in->start_time > 0) {
		family(b, "memhp_start_time_seconds", "gauge",
		       "When memhp started, seconds since the Unix epoch.");
		sample_double(b, "memhp_start_time_seconds", in->start_time);
	}
	family(b, "memhp_tracing", "gauge",
	       "1 when the state is kept current by BPF events, 0 for sysfs snapshots (--stdout, --no-trace).");
	prom_printf(b, "memhp_tracing %d\n", in->live && !in->no_trace ? 1 : 0);
	sample_u64(b, "memhp_block_size_bytes", "gauge",
		   "Memory block size (block_size_bytes).",
		   m->block_size);
	if (m->sys.snapshot) {
		family(b, "memhp_hotplug_config_info", "gauge",
		       "Memory hotplug settings (auto_online_blocks and memory_hotplug parameters); always 1.");
		prom_printf(b, "memhp_hotplug_config_info{auto_online_blocks=\"");
		prom_label_value(b, m->sys.auto_online_blocks, sizeof(m->sys.auto_online_blocks));
		prom_printf(b, "\",online_policy=\"");
		prom_label_value(b, m->sys.online_policy, sizeof(m->sys.online_policy));
		prom_printf(b, "\",memmap_on_memory=\"");
		prom_label_value(b, m->sys.memmap_on_memory, sizeof(m->sys.memmap_on_memory));
		prom_printf(b, "\"} 1\n");
		if (m->sys.auto_movable_ratio >= 0) {
			max_ratio = m->sys.auto_movable_ratio / 100.0;
			family(b, "memhp_auto_movable_ratio", "gauge",
			       "Maximum MOVABLE:KERNEL ratio of the auto-movable online policy (memory_hotplug.auto_movable_ratio / 100).");
			prom_printf(b, "memhp_auto_movable_ratio ");
			put_double(b, max_ratio);
			prom_printf(b, "\n");
		}
	}
	if (render_blocks(b, m, &zm))
		goto out;
	if (in->per_block)
		render_per_block(b, m, &zm);
	if (in->zi && render_zones(b, m, in->zi))
		goto out;
	if (!gp) {
		groups = calloc(MEMHP_MAX_GROUPS, sizeof(*groups));
		if (!groups)
			goto out;
		ng = prom_groups_from_model(m, groups, MEMHP_MAX_GROUPS);
		gp = groups;
	}
	if (ng || in->live)
		render_groups(b, gp, ng, max_ratio);
	free(groups);
	if (in->live) {
		sample_u64(b, "memhp_events_decoded_total", "counter",
			   "Events read from the ring buffer and decoded.",
			   in->seen);
		sample_u64(b, "memhp_events_lost_total", "counter",
			   "Events lost in the kernel: ring buffer full, or an exit probe the kernel skipped.",
			   in->lost);
		sample_u64(b, "memhp_events_malformed_total", "counter",
			   "Ring-buffer records the decoder rejected.",
			   in->malformed);
		sample_u64(b, "memhp_events_inconsistent_total", "counter",
			   "Events the state model could not apply (drift between events and state).",
			   in->inconsistent);
		if (in->stats)
			render_events(b, in);
		render_probes(b, in);
		render_findings_balloons(b, in);
		render_block_accounting(b, m, &zm);
		if (in->recon)
			render_recon(b, in);
	}
	rd_summary_render(b, in->readiness);
	if (in->scrapes_valid) {
		sample_u64(b, "memhp_exporter_scrapes_total", "counter",
			   "HTTP requests for /metrics answered.",
			   in->scrapes);
		sample_u64(b, "memhp_exporter_render_errors_total", "counter",
			   "Expositions that could not be rendered (out of memory).",
			   in->scrape_errors);
		family(b, "memhp_exporter_render_seconds", "gauge",
		       "Time the previous exposition took to render (under the model lock).");
		prom_printf(b, "memhp_exporter_render_seconds ");
		put_double(b, in->last_render_seconds);
		prom_printf(b, "\n");
	}
	if (in->self)
		render_process(b, in->self);
	rc = b->oom ? -ENOMEM : 0;
out:
	memo_free(&zm);
	return rc;
}
