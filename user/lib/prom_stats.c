// SPDX-License-Identifier: GPL-2.0
/* Per-event statistics of the exposition: results and latency histograms (see prom.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"
#include "decode.h"

const double prom_buckets[PROM_NR_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
	0.25,	0.5,   1,      2.5,   5,    10,	   30,
};

/*
 * prom_buckets[] in nanoseconds: for an integer ns, ns > bound_ns exactly
 * when ns / 1e9 > prom_buckets[i] (both sides round to the nearest double
 * and the doubles near a bound are far closer than 1e-9 apart), so events
 * land in the same bucket without a double compare per bucket.
 */
static const uint64_t prom_buckets_ns[PROM_NR_BUCKETS] = {
	500000,	   1000000,    2500000,	   5000000,    10000000,
	25000000,  50000000,   100000000,  250000000,  500000000,
	1000000000, 2500000000, 5000000000, 10000000000, 30000000000,
};

/* prom_hist_observe() for a duration in nanoseconds (events carry those). */
static void prom_hist_observe_ns(struct prom_hist *h, uint64_t ns)
{
	size_t i;

	for (i = 0; i < PROM_NR_BUCKETS && ns > prom_buckets_ns[i]; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum += (double)ns / 1e9;
}

void prom_hist_observe(struct prom_hist *h, double s)
{
	size_t i;

	if (!(s >= 0) || isinf(s))
		return;
	for (i = 0; i < PROM_NR_BUCKETS && s > prom_buckets[i]; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum += s;
}

static int op_of(unsigned int kind)
{
	switch (kind) {
	case MEMHP_EV_ONLINE:
		return PROM_OP_ONLINE;
	case MEMHP_EV_OFFLINE:
		return PROM_OP_OFFLINE;
	case MEMHP_EV_ADD:
		return PROM_OP_ADD;
	case MEMHP_EV_REMOVE:
		return PROM_OP_REMOVE;
	default:
		return -1;
	}
}

const char *const prom_op_names[PROM_NR_OPS] = { "online", "offline", "add", "remove" };

/*
 * A memory notifier chain's NOTIFY_* result as the errno the kernel makes of
 * it (notifier_to_errno()): NOTIFY_DONE/OK/STOP are 0, NOTIFY_BAD is -EPERM,
 * notifier_from_errno(-E) is -E.
 */
static int notify_errno(int ret)
{
	const int stop_mask = 0x8000, notify_ok = 1;

	if (!(ret & stop_mask))
		return 0;
	ret &= ~stop_mask;
	return ret > notify_ok ? notify_ok - ret : 0;
}

/* An event's result, latency and released pages (not for progress). */
static inline void stats_result(struct prom_stats *st, const struct memhp_event *e,
				unsigned int k)
{
	unsigned int i;
	int op, ret = e->ret;

	if (k == MEMHP_EV_NOTIFY)
		ret = notify_errno(ret);
	for (i = 0; i < st->nres[k] && i < PROM_MAX_RESULTS; i++)
		if (st->res[k][i].ret == ret)
			break;
	if (i < st->nres[k]) {
		st->res[k][i].n++;
	} else if (st->nres[k] < PROM_MAX_RESULTS) {
		st->res[k][st->nres[k]].ret = ret;
		st->res[k][st->nres[k]].n = 1;
		st->nres[k]++;
	} else {
		st->other[k]++;
	}
	op = op_of(k);
	if (op >= 0 && (e->flags & MEMHP_F_DURATION))
		prom_hist_observe_ns(&st->lat[op], e->duration_ns);
	if (k == MEMHP_EV_ONLINE && !e->ret && (e->flags & MEMHP_F_RELEASED)) {
		uint64_t rel = e->released_pages;

		if (rel > e->nr_pages)
			rel = e->nr_pages;
		st->released_pages += rel;
		st->held_pages += e->nr_pages - rel;
	}
}

/*
 * An offline's start, progress or end. Out of line and reached by a tail
 * call, so that prom_stats_event() stays a leaf for every other kind: the
 * call inline cost replay 15 instructions an event in register saves
 * (callgrind).
 */
static __attribute__((noinline)) void stats_offline(struct prom_stats *st,
						    const struct memhp_event *e)
{
	offrun_event(&st->running, e);
	if (e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS)
		return; /* a state, not a result: memhp_offline_running */
	if (e->ret)
		st->offline_failed[offwhy_reason(e)]++;
	stats_result(st, e, e->hdr.kind);
}

void prom_stats_event(struct prom_stats *st, const struct memhp_event *e)
{
	unsigned int k = e->hdr.kind;

	if (k == 0 || k >= MEMHP_EV_KIND_MAX)
		return;
	if (event_kind_has_why(k)) {
		stats_offline(st, e);
		return;
	}
	stats_result(st, e, k);
}
