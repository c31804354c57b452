// SPDX-License-Identifier: GPL-2.0
/* `memhp top`'s data: a session's events and sysfs into a top_data (top_int.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "decode.h"
#include "prom.h"
#include "reconcile.h"
#include "snapshot.h"
#include "sysfs.h"
#include "top_int.h"
#include "zoneinfo.h"

static void format_event(struct session *s, const struct memhp_event *e, char *out,
			 size_t len)
{
	uint64_t ppb = model_pages_per_block(&s->model);
	int64_t ns;
	time_t t;
	struct tm tm;
	char ts[16], blk[32], lat[24], eb[16];

	if (e->ts_ns > INT64_MAX ||
	    __builtin_add_overflow((int64_t)e->ts_ns, s->tc.offset_ns, &ns) || ns < 0)
		ns = 0;
	t = (time_t)(ns / 1000000000LL);
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (ppb && (e->nr_pages || e->hdr.kind == MEMHP_EV_REQUEST))
		snprintf(blk, sizeof(blk), "memory%" PRIu64 "%s", (uint64_t)e->start_pfn / ppb,
			 e->nr_pages > ppb ? "+" : "");
	else if (e->hdr.kind == MEMHP_EV_GROUP_REGISTER || e->hdr.kind == MEMHP_EV_GROUP_UNREGISTER)
		snprintf(blk, sizeof(blk), "group %d", e->group_id);
	else
		snprintf(blk, sizeof(blk), "-");
	if (e->flags & MEMHP_F_DURATION)
		snprintf(lat, sizeof(lat), "%.1fms", e->duration_ns / 1e6);
	else
		snprintf(lat, sizeof(lat), "-");
	snprintf(out, len, "%s %-16s %-12s %-7s node %-2d %-7s %-8s %s", ts,
		 event_kind_name(e->hdr.kind), blk,
		 (e->flags & MEMHP_F_ZONE) ? e->zone_name : "-", e->nid,
		 e->hdr.kind == MEMHP_EV_NOTIFY ? "ok" : errno_name(e->ret, eb, sizeof(eb)), lat,
		 e->comm);
}

/* Into the recent-events ring; the caller holds s.lock when live. */
static void push_event_line(struct top_state *st, const char *line)
{
	snprintf(st->events[st->ev_head], TOP_LINE, "%s", line);
	st->ev_head = (st->ev_head + 1) % TOP_MAX_EVENTS;
	if (st->ev_count < TOP_MAX_EVENTS)
		st->ev_count++;
}

void top_on_event(struct session *s, const struct memhp_event *e, void *ctx)
{
	struct top_state *st = ctx;
	char line[TOP_LINE];

	if (e->hdr.kind == MEMHP_EV_NOTIFY)
		return; /* two per block: they would crowd out the rest */
	if (e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS) { /* one a second: under RUNNING */
		pthread_mutex_lock(&s->lock);
		offrun_event(&st->run, e);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	format_event(s, e, line, sizeof(line));
	pthread_mutex_lock(&s->lock);
	offrun_event(&st->run, e);
	st->seen++;
	push_event_line(st, line);
	pthread_mutex_unlock(&s->lock);
}

/* A policy violation appeared or cleared: one line in RECENT EVENTS. */
static void on_transition(enum policy_transition t, const struct policy *p,
			  const struct policy_violation *v, void *ctx)
{
	struct top_state *st = ctx;
	char text[TOP_LINE], line[TOP_LINE + 32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	policy_violation_text(p, v, text, sizeof(text));
	snprintf(line, sizeof(line), "%02d:%02d:%02d violation %-6s %s", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, t == POL_APPEAR ? "appear" : "clear", text);
	push_event_line(st, line);
}

static struct top_zone *zone_get(struct top_data *d, int node, const char *zone)
{
	size_t i;

	for (i = 0; i < d->nr_zones; i++)
		if (d->zones[i].node == node && !strcmp(d->zones[i].zone, zone))
			return &d->zones[i];
	if (d->nr_zones == TOP_MAX_ZONES)
		return NULL;
	memset(&d->zones[d->nr_zones], 0, sizeof(d->zones[0]));
	d->zones[d->nr_zones].node = node;
	snprintf(d->zones[d->nr_zones].zone, sizeof(d->zones[0].zone), "%s", zone);
	return &d->zones[d->nr_zones++];
}

static int cmp_zone_row(const void *a, const void *b)
{
	static const char *const order[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable",
					     "Device", "None", "unknown", "-" };
	const struct top_zone *x = a, *y = b;
	size_t i, ix = 99, iy = 99;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!strcmp(x->zone, order[i]))
			ix = i;
		if (!strcmp(y->zone, order[i]))
			iy = i;
	}
	return ix < iy ? -1 : ix > iy;
}

/* Model (under the caller's lock) + zoneinfo -> d. */
static void collect_model(struct top_data *d, const struct memhp_model *m,
			  const struct zoneinfo *zi)
{
	size_t i;

	d->block_size = m->block_size;
	snprintf(d->policy, sizeof(d->policy), "%s", m->sys.online_policy);
	snprintf(d->auto_online, sizeof(d->auto_online), "%s", m->sys.auto_online_blocks);
	d->kernel_ratio = m->sys.auto_movable_ratio;
	d->nr_zones = 0;
	for (i = 0; zi && i < zi->nr; i++) {
		const struct zi_zone *z = &zi->zones[i];
		struct top_zone *t;

		if (!z->present && !z->spanned)
			continue;
		t = zone_get(d, z->nid, prom_zone_label(z->name));
		if (!t)
			break;
		t->has_zi = true;
		t->present = z->present * m->page_size;
		t->managed = z->managed * m->page_size;
		t->spanned = z->spanned * m->page_size;
	}
	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		bool on = b->state == MEMHP_BLOCK_ONLINE || b->state == MEMHP_BLOCK_GOING_OFFLINE;
		const char *zn = on ? prom_block_zone(m, b) : "-";
		struct top_zone *t;

		/* a text table: lsmem's "None" for a block spanning zones, not
		 * the exposition's label value "none" */
		if (!strcmp(zn, "none"))
			zn = "None";
		t = zone_get(d, b->node, zn);

		if (!t)
			continue;
		if (on)
			t->online++;
		else
			t->offline++;
	}
	qsort(d->zones, d->nr_zones, sizeof(d->zones[0]), cmp_zone_row);
}

static void read_zi(const char *sysroot, struct zoneinfo *zi, bool *have)
{
	char path[PATH_MAX], err[256];

	snprintf(path, sizeof(path), "%s/proc/zoneinfo", sysroot && *sysroot ? sysroot : "");
	*have = !access(path, F_OK) && !zoneinfo_read(path, zi, err, sizeof(err));
}

static void alert(struct top_data *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void alert(struct top_data *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nr_alerts == TOP_MAX_ALERTS)
		return;
	va_start(ap, fmt);
	vsnprintf(d->alerts[d->nr_alerts++], TOP_LINE, fmt, ap);
	va_end(ap);
}

/* Coverage findings (live) and the policy's violations, evaluated now. */
static void collect_alerts(struct top_state *st, struct top_data *d)
{
	struct policy_balloon balloons[8];
	const struct readiness *rd = NULL;
	struct policy_state ps;
	struct zi_system *sys;
	char err[256], line[512];
	size_t i;

	if (st->live) {
		const struct memhp_model *m = &st->s.model;

		pthread_mutex_lock(&st->s.lock);
		if (m->uncovered_findings)
			alert(d, "CRITICAL uncovered-online: %" PRIu64 " pages released that the driver "
				 "never backed (%" PRIu64 " onlines)",
			      m->uncovered_pages, m->uncovered_findings);
		if (m->not_onlined_findings)
			alert(d, "WARNING  backed-not-onlined: %" PRIu64 " backed pages left offline "
				 "(%" PRIu64 " onlines)",
			      m->not_onlined_pages, m->not_onlined_findings);
		pthread_mutex_unlock(&st->s.lock);
	}
	if (!st->have_pol)
		return;
	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return;
	zi_system_init(sys);
	/* outside the lock: a scan reads every page's flags (readiness_keep.h) */
	if (policy_needs_readiness(&st->pol)) {
		rd = rd_keep_get(&st->rdk, st->o->sysroot, mono_s(), NULL);
		if (!rd)
			alert(d, "min-unpluggable not evaluated: %.200s", st->rdk.error);
	}
	if (st->live)
		pthread_mutex_lock(&st->s.lock);
	if (reconcile_policy_state(&ps, sys, balloons, 8, st->o->sysroot,
				   st->live ? &st->s.model : NULL, NULL, err, sizeof(err))) {
		alert(d, "policy not evaluated: %.200s", err);
	} else {
		ps.readiness = rd;
		if (policy_watch_eval(&st->watch, &st->pol, &ps, on_transition, st) >= 0)
			for (i = 0; i < st->watch.cur.nr; i++) {
				policy_violation_text(&st->pol, &st->watch.cur.v[i], line,
						      sizeof(line));
				alert(d, "%.250s", line);
			}
	}
	if (st->live)
		pthread_mutex_unlock(&st->s.lock);
	zi_system_free(sys);
	free(sys);
}

static void copy_events(const struct top_state *st, struct top_data *d)
{
	size_t i;

	for (i = 0; i < st->ev_count; i++) {
		size_t k = (st->ev_head + TOP_MAX_EVENTS - st->ev_count + i) % TOP_MAX_EVENTS;

		snprintf(d->events[i], TOP_LINE, "%s", st->events[k]);
	}
	d->nr_events = st->ev_count;
}

static void copy_running(struct top_state *st, struct top_data *d)
{
	uint64_t now = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	size_t i;

	offrun_expire(&st->run, now);
	for (i = 0; i < st->run.n && i < OFFRUN_MAX; i++)
		offrun_line(&st->run.e[i], model_pages_per_block(&st->s.model), now,
			    d->running[i], TOP_LINE);
	d->nr_running = i;
}

int top_collect(struct top_state *st, struct top_data *d)
{
	struct zoneinfo zi;
	bool have;

	memset(d, 0, sizeof(*d));
	d->live = st->live;
	snprintf(d->mode, sizeof(d->mode), "%s", st->mode);
	snprintf(d->release, sizeof(d->release), "%s", st->release);
	/* first: the violations that appear or clear go into RECENT EVENTS */
	collect_alerts(st, d);
	read_zi(st->o->sysroot, &zi, &have);
	if (st->live) {
		pthread_mutex_lock(&st->s.lock);
		collect_model(d, &st->s.model, have ? &zi : NULL);
		d->nr_groups = prom_groups_from_model(&st->s.model, d->groups, TOP_MAX_GROUPS);
		copy_events(st, d);
		copy_running(st, d);
		d->seen = st->seen;
		d->lost = st->s.model.lost;
		d->malformed = __atomic_load_n(&st->s.bad, __ATOMIC_RELAXED);
		d->inconsistent = st->s.pipe.inconsistent;
		pthread_mutex_unlock(&st->s.lock);
	} else {
		struct memhp_model *m = calloc(1, sizeof(*m));
		char err[512];

		if (!m) {
			if (have)
				zoneinfo_free(&zi);
			return -ENOMEM;
		}
		model_init(m);
		if (sysfs_snapshot(m, st->o->sysroot, err, sizeof(err))) {
			snprintf(d->mode, sizeof(d->mode), "snapshot failed: %.80s", err);
		} else {
			collect_model(d, m, have ? &zi : NULL);
			if (have)
				d->nr_groups = snapshot_groups(st->o->sysroot, d->groups,
								      TOP_MAX_GROUPS, err, sizeof(err));
		}
		model_free(m);
		free(m);
		copy_events(st, d); /* policy transitions: no other thread here */
	}
	if (have)
		zoneinfo_free(&zi);
	return 0;
}
