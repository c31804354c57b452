/* SPDX-License-Identifier: GPL-2.0 */
/* memhp top's frame: the data it shows and the pure renderer (top_render.c). */
#ifndef MEMHP_TOP_RENDER_H
#define MEMHP_TOP_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prom.h"

#define TOP_MAX_ZONES 64
#define TOP_MAX_GROUPS 64
#define TOP_MAX_EVENTS 64
#define TOP_LINE 256
#define TOP_MAX_ALERTS 16
#define TOP_MAX_LINES 200

struct top_zone {
	int node;
	char zone[16];
	uint64_t online, offline; /* blocks (offline: per node, zone "-") */
	uint64_t present, managed, spanned; /* bytes; 0 without zoneinfo */
	bool has_zi;
};

struct top_data {
	bool live;
	char mode[96];	    /* "live (fexit)", "snapshot: ..." */
	char release[64];
	uint64_t block_size;
	char policy[24], auto_online[24];
	int kernel_ratio; /* auto_movable_ratio of the kernel, -1 unknown */
	struct top_zone zones[TOP_MAX_ZONES];
	size_t nr_zones;
	struct prom_group groups[TOP_MAX_GROUPS];
	size_t nr_groups;
	char events[TOP_MAX_EVENTS][TOP_LINE]; /* newest last */
	size_t nr_events;
	uint64_t seen, lost, malformed, inconsistent;
	/* Active coverage findings and policy violations, one line each. */
	char alerts[TOP_MAX_ALERTS][TOP_LINE];
	size_t nr_alerts;
};

enum top_sort { TOP_SORT_ID = 0, TOP_SORT_RATIO, TOP_SORT_HEADROOM, TOP_SORT_SIZE, TOP_NR_SORTS };

struct top_view {
	int max_ratio; /* percent: the bar's maximum; <= 0: the kernel's, else 301 */
	enum top_sort sort;
	char filter[64]; /* substring filter of zone, group and event lines */
	bool help;
	bool editing; /* typing a filter */
	char clock[16];
};

struct top_lines {
	char line[TOP_MAX_LINES][TOP_LINE];
	unsigned char attr[TOP_MAX_LINES]; /* TOP_A_* */
	size_t n;
};

enum { TOP_A_NORMAL = 0, TOP_A_TITLE, TOP_A_HEADER, TOP_A_WARN, TOP_A_BAD };

const char *top_sort_name(enum top_sort s);
/* The screen for @width x @height (height 0: unlimited, for --batch). */
void top_render(const struct top_data *d, const struct top_view *v, int width,
		int height, struct top_lines *out);
/* "[#######|   ]" @w columns wide: ratio against max (the '|'), over
 * twice the max at full width; '!' marks beyond the max. */
void top_ratio_bar(double ratio, double max, int w, char *out, size_t len);

#endif
