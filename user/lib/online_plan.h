/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decisions of memhp online-daemon: group-aware onlining of hot-added
 * memory blocks left offline (memhp_default_state=offline), by a policy file
 * (docs/daemon.md).
 *
 * The decision is a pure function over the zone-algorithm state
 * (user/lib/zonealgo.h): a static group (DIMM) goes whole into one zone, a
 * dynamic group (virtio-mem) keeps as much MOVABLE memory as the ratio
 * allows (the kernel's auto-movable algorithm with the policy's ratio,
 * NUMA-aware as the kernel is), and per node the first hot-plugged memory
 * goes KERNEL until a kernel-reserve rule is met; the reserve never counts
 * toward MOVABLE headroom.
 */
#ifndef MEMHP_ONLINE_PLAN_H
#define MEMHP_ONLINE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "zonealgo.h"

struct zi_device;

struct daemon_rules {
	unsigned int ratio;  /* the auto_movable_ratio decisions use */
	char ratio_src[80];  /* "--ratio", "rule NAME (line N)", "kernel" */
	bool numa_aware;     /* node limits as well (the kernel's default) */
	const struct policy *pol; /* kernel-reserve, node/group max-ratio; NULL */
	uint64_t page_size;  /* bytes; 0: 4096 */
	const struct zi_device *devs; /* group names in reasons; may be NULL */
	size_t nr_devs;
};

struct daemon_decision {
	uint64_t block;
	int nid;
	int group;	 /* -1: none */
	int online_type; /* ZA_MMOP_ONLINE_KERNEL or ZA_MMOP_ONLINE_MOVABLE */
	int zone;	 /* the zone the kernel will use (enum za_zone_id) */
	const char *why; /* short tag: "static-group", "kernel-reserve", ... */
	char reason[320];
};

/*
 * The global ratio: @cli_ratio (>= 0: --ratio), else the smallest global
 * max-ratio rule of @pol, else @kernel_ratio. Fills r->ratio/ratio_src.
 */
void daemon_pick_ratio(struct daemon_rules *r, const struct policy *pol,
		       long cli_ratio, unsigned int kernel_ratio);

/*
 * Decide how to online offline block @id of @st. @st is used as scratch
 * (restored before returning). 0, -ENOENT (no block), -EALREADY (online).
 */
int daemon_decide(struct za_state *st, const struct daemon_rules *r,
		  uint64_t id, struct daemon_decision *d);

/*
 * Order @n block ids the way they should be onlined: by memory group (id
 * order; blocks without a group last), lowest block first within a group.
 */
void daemon_order(const struct za_state *st, uint64_t *ids, size_t n);

/*
 * Offline, hot-added (not early) blocks of @st in daemon_order(); returns
 * how many (at most @max) in @ids.
 */
size_t daemon_candidates(const struct za_state *st, uint64_t *ids, size_t max);

/*
 * Decide every block of @ids in order, applying each decision to @st
 * (za_online) so that later ones see it. @out has @n entries. Returns the
 * number decided or a negative errno.
 */
int daemon_plan(struct za_state *st, const struct daemon_rules *r,
		const uint64_t *ids, size_t n, struct daemon_decision *out);

#endif
