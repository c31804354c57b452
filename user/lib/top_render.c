// SPDX-License-Identifier: GPL-2.0
/*
 * memhp top's frame, rendered from collected data into lines (pure: no
 * terminal, no session), so the batch mode, the curses front end and the
 * unit tests share it. The command (user/cmd/top.c) collects and shows.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top_render.h"

const char *top_sort_name(enum top_sort s)
{
	static const char *const n[TOP_NR_SORTS] = { "group", "ratio", "headroom", "size" };

	return s < TOP_NR_SORTS ? n[s] : "?";
}

static void human(uint64_t b, char *out, size_t len)
{
	static const char u[] = "BKMGTPE";
	double v = (double)b;
	int i = 0;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(out, len, "%" PRIu64 "B", b);
	else if (v < 10 && v != (double)(uint64_t)v)
		snprintf(out, len, "%.1f%c", v, u[i]);
	else
		snprintf(out, len, "%.0f%c", v, u[i]);
}

void top_ratio_bar(double ratio, double max, int w, char *out, size_t len)
{
	int inner = w - 2, mark, fill, i;
	size_t k = 0;

	if (len < 3 || w < 4 || (size_t)w >= len) {
		if (len)
			out[0] = '\0';
		return;
	}
	if (!(max > 0))
		max = 3.01;
	mark = inner / 2; /* the maximum sits in the middle: 0 .. 2*max */
	if (isinf(ratio) || ratio >= 2 * max)
		fill = inner;
	else if (ratio > 0)
		fill = (int)(ratio / (2 * max) * inner + 0.5);
	else
		fill = 0;
	if (ratio > 0 && fill == 0)
		fill = 1;
	out[k++] = '[';
	for (i = 0; i < inner; i++) {
		char c = ' ';

		if (i < fill)
			c = i >= mark ? '!' : '#';
		if (i == mark && i >= fill)
			c = '|';
		out[k++] = c;
	}
	out[k++] = ']';
	out[k] = '\0';
}

static bool match(const struct top_view *v, const char *s)
{
	return !v->filter[0] || strstr(s, v->filter);
}

static void add(struct top_lines *o, int height, unsigned char attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct top_lines *o, int height, unsigned char attr, const char *fmt, ...)
{
	va_list ap;

	if (o->n >= TOP_MAX_LINES || (height > 0 && o->n >= (size_t)height))
		return;
	va_start(ap, fmt);
	vsnprintf(o->line[o->n], TOP_LINE, fmt, ap);
	va_end(ap);
	o->attr[o->n++] = attr;
}

static const struct top_view *sort_view;
static double sort_max;

static int cmp_group(const void *a, const void *b)
{
	const struct prom_group *x = a, *y = b;
	double rx, ry;
	uint64_t hx, hy;

	switch (sort_view->sort) {
	case TOP_SORT_RATIO:
		rx = prom_ratio(x->movable_bytes, x->kernel_bytes);
		ry = prom_ratio(y->movable_bytes, y->kernel_bytes);
		if (rx != ry)
			return rx > ry ? -1 : 1;
		break;
	case TOP_SORT_HEADROOM:
		hx = prom_headroom(x->movable_bytes, x->kernel_bytes, sort_max);
		hy = prom_headroom(y->movable_bytes, y->kernel_bytes, sort_max);
		if (hx != hy)
			return hx < hy ? -1 : 1;
		break;
	case TOP_SORT_SIZE:
		if (x->size_bytes != y->size_bytes)
			return x->size_bytes > y->size_bytes ? -1 : 1;
		break;
	default:
		break;
	}
	return x->id < y->id ? -1 : x->id > y->id;
}

void top_render(const struct top_data *d, const struct top_view *v, int width,
		int height, struct top_lines *o)
{
	struct prom_group groups[TOP_MAX_GROUPS];
	size_t i, ng = d->nr_groups < TOP_MAX_GROUPS ? d->nr_groups : TOP_MAX_GROUPS;
	int pct = v->max_ratio > 0 ? v->max_ratio : d->kernel_ratio > 0 ? d->kernel_ratio : 301;
	double max = pct / 100.0;
	int body, ev_room, used, w = width > 0 && width < TOP_LINE ? width : TOP_LINE - 1;
	char a[16], b[16], c[16], line[TOP_LINE];

	o->n = 0;
	/* Leave the last line for the key help / filter prompt. */
	body = height > 0 ? height - 1 : 0;
	add(o, body, TOP_A_TITLE, "memhp top - %s - %s  %s", d->release[0] ? d->release : "?",
	    d->mode, v->clock);
	human(d->block_size, a, sizeof(a));
	add(o, body, (d->lost || d->malformed || d->inconsistent) ? TOP_A_WARN : TOP_A_NORMAL,
	    "lost %" PRIu64 "%s  events %" PRIu64 "  max %.2f%s  %s  auto_online %s  block %s",
	    d->lost, d->malformed || d->inconsistent ? " DRIFT" : "", d->seen, max,
	    v->max_ratio > 0 ? "*" : "", d->policy[0] ? d->policy : "?",
	    d->auto_online[0] ? d->auto_online : "?", a);
	if (v->help) {
		add(o, body, TOP_A_HEADER, "HELP");
		add(o, body, 0, "  q      quit");
		add(o, body, 0, "  s      cycle the group sort: group id, ratio, headroom, size");
		add(o, body, 0, "  /      filter zones, groups and events by a substring (Enter, Esc)");
		add(o, body, 0, "  h ?    this help (any key returns)");
		add(o, body, 0, "%s", "");
		add(o, body, 0, "RATIO is a group's MOVABLE:KERNEL online memory; the bar's '|' is");
		add(o, body, 0, "the maximum (--max-ratio, default memory_hotplug.auto_movable_ratio),");
		add(o, body, 0, "'!' is beyond it. HEADROOM: movable memory the group can still take.");
		add(o, body, 0, "Zone \"-\": offline blocks of the node. Sizes in bytes (K, M, G: 1024).");
		goto keys;
	}
	add(o, body, TOP_A_HEADER, "%-4s %-8s %7s %7s %9s %9s %9s", "NODE", "ZONE", "ONLINE",
	    "OFFLINE", "PRESENT", "MANAGED", "SPANNED");
	for (i = 0; i < d->nr_zones; i++) {
		const struct top_zone *z = &d->zones[i];

		human(z->present, a, sizeof(a));
		human(z->managed, b, sizeof(b));
		human(z->spanned, c, sizeof(c));
		snprintf(line, sizeof(line), "%4d %-8s %7" PRIu64 " %7" PRIu64 " %9s %9s %9s",
			 z->node, z->zone, z->online, z->offline, z->has_zi ? a : "-",
			 z->has_zi ? b : "-", z->has_zi ? c : "-");
		if (match(v, line))
			add(o, body, 0, "%s", line);
	}
	memcpy(groups, d->groups, ng * sizeof(groups[0]));
	sort_view = v;
	sort_max = max;
	qsort(groups, ng, sizeof(groups[0]), cmp_group);
	add(o, body, TOP_A_HEADER, "%-5s %4s %-7s %7s %7s %6s %-22s %8s", "GROUP", "NODE", "TYPE",
	    "KERNEL", "MOVABLE", "RATIO", "MOVABLE:KERNEL", "HEADROOM");
	if (!ng)
		add(o, body, 0, "  (no memory group known%s)",
		    d->live ? " yet: they appear with hotplug events" : "");
	for (i = 0; i < ng; i++) {
		const struct prom_group *g = &groups[i];
		double r = prom_ratio(g->movable_bytes, g->kernel_bytes);
		char bar[32], rs[16], id[12];

		human(g->kernel_bytes, a, sizeof(a));
		human(g->movable_bytes, b, sizeof(b));
		human(prom_headroom(g->movable_bytes, g->kernel_bytes, max), c, sizeof(c));
		top_ratio_bar(r, max, 22, bar, sizeof(bar));
		if (isinf(r))
			snprintf(rs, sizeof(rs), "inf");
		else
			snprintf(rs, sizeof(rs), "%.2f", r);
		if (g->id >= 0)
			snprintf(id, sizeof(id), "%d", g->id);
		else
			snprintf(id, sizeof(id), "?");
		snprintf(line, sizeof(line), "%-5s %4d %-7s %7s %7s %6s %-22s %8s", id, g->nid,
			 g->dynamic ? "dynamic" : "static", a, b, rs, bar, c);
		if (match(v, line))
			add(o, body, r > max ? TOP_A_BAD : 0, "%s", line);
	}
	if (d->nr_alerts) {
		add(o, body, TOP_A_HEADER, "FINDINGS AND POLICY VIOLATIONS");
		for (i = 0; i < d->nr_alerts; i++)
			add(o, body, TOP_A_BAD, "%s", d->alerts[i]);
	}
	/* Recent events fill what is left, newest first. */
	used = (int)o->n;
	ev_room = body > 0 ? body - used - 1 : TOP_MAX_EVENTS;
	if (ev_room > 0) {
		size_t shown = 0;

		add(o, body, TOP_A_HEADER, "RECENT EVENTS%s%s%s", v->filter[0] ? " (filter: " : "",
		    v->filter, v->filter[0] ? ")" : "");
		for (i = d->nr_events; i-- > 0 && shown < (size_t)ev_room;) {
			if (!match(v, d->events[i]))
				continue;
			add(o, body, strstr(d->events[i], " ok ") ? 0 : TOP_A_WARN, "%s",
			    d->events[i]);
			shown++;
		}
		if (!d->nr_events)
			add(o, body, 0, "  %s", d->live ? "(none yet)" :
				"(not tracing: values are re-read from sysfs; --policy "
				"violations appear here as they come and go)");
	}
keys:
	if (v->editing)
		snprintf(line, sizeof(line), "filter: %s_", v->filter);
	else
		snprintf(line, sizeof(line), "q quit  s sort (%s)  / filter  h help",
			 top_sort_name(v->sort));
	if (o->n < TOP_MAX_LINES) {
		if (height > 0)
			while ((int)o->n < height - 1 && o->n < TOP_MAX_LINES - 1)
				add(o, 0, 0, "%s", "");
		add(o, 0, TOP_A_HEADER, "%s", line);
	}
	for (i = 0; i < o->n; i++)
		o->line[i][w] = '\0';
}
