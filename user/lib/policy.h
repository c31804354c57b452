/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy rules over memory hotplug state (docs/policy.md): a YAML policy file
 * parsed with libyaml into rules, and pure evaluation functions over a
 * struct policy_state (the zone-algorithm state of user/lib/zonealgo.h, memory
 * device names, the event model for coverage findings, balloons, and
 * per-block event statistics). Nothing here reads the system.
 *
 * Continuous use: policy_watch_eval() compares each evaluation with the
 * previous one and reports violations that appear and that clear.
 */
#ifndef MEMHP_POLICY_H
#define MEMHP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memhp.h"
#include "zonealgo.h"

struct memhp_model;
struct memhp_event;
struct zi_device;
struct readiness;

enum policy_severity {
	POL_SEV_INFO = 0,
	POL_SEV_WARNING,
	POL_SEV_CRITICAL,
};

enum policy_rule_type {
	POL_MAX_RATIO = 0,	   /* MOVABLE:KERNEL percent: global/node/group */
	POL_SINGLE_ZONE_GROUP,	   /* a static group (DIMM) in one zone */
	POL_NORMAL_BELOW_MOVABLE,  /* per node: kernel zones end <= Movable start */
	POL_KERNEL_RESERVE,	   /* per node: min kernel memory, not headroom */
	POL_BALLOON_MOVABLE,	   /* Movable memory + balloon w/o compaction */
	POL_OFFLINE_FAILURES,	   /* per block: failed offlines (events) */
	POL_ONLINE_FAILURES,	   /* per block: failed onlines (events) */
	POL_ONLINE_LATENCY,	   /* per block: online duration (events) */
	POL_UNCOVERED_ONLINE,	   /* coverage: released pages never backed */
	POL_BACKED_NOT_ONLINED,	   /* coverage: backed pages left offline */
	POL_MIN_UNPLUGGABLE,	   /* global/node/group: unpluggable bytes (readiness) */
	POL_OFFLINE_DURATION,	   /* per block: an offline running/ran too long (events) */
	POL_NR_RULE_TYPES,
};

enum policy_scope {
	POL_SCOPE_GLOBAL = 0,
	POL_SCOPE_NODE,
	POL_SCOPE_GROUP,
};

enum policy_groups {
	POL_GROUPS_ALL = 0,
	POL_GROUPS_STATIC,
	POL_GROUPS_DYNAMIC,
};

#define POL_NAME_LEN 64
#define POL_MAX_RULES 1024
#define POL_MAX_FILE (1u << 20)

struct policy_rule {
	char name[POL_NAME_LEN];
	enum policy_rule_type type;
	enum policy_severity severity;
	int line; /* of the rule in the file (1-based) */
	enum policy_scope scope;  /* max-ratio */
	int node;		  /* -1: every node */
	int group;		  /* -1: every group (or group_name) */
	char group_name[40];	  /* "" or a device name ("PNP0C80:00") */
	enum policy_groups groups; /* which groups a group rule covers */
	uint64_t max;		  /* percent, count, or ns (by type) */
	uint64_t min_bytes;	  /* kernel-reserve, min-unpluggable */
	int64_t ratio;		  /* kernel-reserve: -1 = the kernel's */
};

struct policy {
	struct policy_rule *rules;
	size_t nr;
	int version;
};

const char *policy_severity_name(enum policy_severity s);
int policy_severity_from_name(const char *s); /* -1 if unknown */
const char *policy_rule_type_name(enum policy_rule_type t);
int policy_rule_type_from_name(const char *s); /* -1 if unknown */
/* The smallest offline-duration budget (ns), 0 when the policy has none:
 * a live session reports running offlines from then on (--stuck-after). */
uint64_t policy_offline_budget_ns(const struct policy *p);
/* Whether a rule needs events (--live / --watch with BPF). */
bool policy_rule_needs_events(enum policy_rule_type t);
/* Whether @p has a rule that needs an unplug readiness scan (root). */
bool policy_needs_readiness(const struct policy *p);

/*
 * Parse a policy from @len bytes of @buf (any content); @fname names it in
 * messages. Returns 0, or -EINVAL / -ENOMEM with "FNAME:LINE: reason" in
 * @err. On error @p is left empty.
 */
int policy_parse(const char *buf, size_t len, const char *fname,
		 struct policy *p, char *err, size_t errlen);
/* Read and parse @path; -errno with "PATH: reason" or "PATH:LINE: reason". */
int policy_load(const char *path, struct policy *p, char *err, size_t errlen);
void policy_free(struct policy *p);

/* --- what rules are evaluated over --------------------------------------- */

struct policy_balloon {
	char driver[32]; /* "virtio_balloon", "hv_balloon", "xen_balloon" */
	int compaction;	 /* 1 yes, 0 no, -1 unknown */
};

struct policy_block_stats {
	uint64_t block;
	unsigned int offline_failures, online_failures;
	int last_offline_error, last_online_error; /* -errno */
	uint64_t onlines;	  /* with a known duration */
	uint64_t max_online_ns;	  /* slowest online seen */
	uint64_t slow_onlines;	  /* above the tracker's threshold (0: unused) */
	uint64_t max_offline_ns;  /* longest offline seen, running (progress) or ended */
	bool offline_running;	  /* the last offline event was a progress event */
	int last_offline_ret;	  /* of the last offline that ended */
};

/* Per-block event statistics (fed by policy_track_event()). */
struct policy_tracker {
	struct policy_block_stats *b; /* sorted by block */
	size_t nr, cap;
	uint64_t events;
	size_t hint[64]; /* where block % 64 was last found: a checked guess */
};

void policy_tracker_init(struct policy_tracker *t);
void policy_tracker_free(struct policy_tracker *t);
/* The kinds policy_track_event() counts (the rest it ignores): the
 * pipeline asks first, a call per event being replay's hot path. */
static inline bool policy_tracks_kind(unsigned int kind)
{
	return kind == MEMHP_EV_ONLINE || kind == MEMHP_EV_OFFLINE ||
	       kind == MEMHP_EV_OFFLINE_PROGRESS;
}
/* Count ONLINE/OFFLINE results; 0, or -ENOMEM. */
int policy_track_event(struct policy_tracker *t, const struct memhp_event *e,
		       uint64_t pages_per_block);
const struct policy_block_stats *
policy_tracker_find(const struct policy_tracker *t, uint64_t block);

struct policy_state {
	const struct za_state *za;	    /* required */
	const struct zi_device *devs;	    /* names of groups; may be NULL */
	size_t nr_devs;
	uint64_t page_size;		    /* bytes; 0: 4096 */
	const struct memhp_model *model;    /* coverage findings; NULL: none */
	const struct policy_balloon *balloons;
	size_t nr_balloons;
	const struct policy_tracker *events; /* NULL: event rules skipped */
	/* An unplug readiness scan (readiness.h); NULL: min-unpluggable is
	 * not evaluated (no root, or the policy has no such rule). */
	const struct readiness *readiness;
};

/* --- evaluation ----------------------------------------------------------- */

enum policy_unit {
	POL_UNIT_PERCENT = 0, /* MOVABLE:KERNEL like auto_movable_ratio */
	POL_UNIT_BYTES,
	POL_UNIT_COUNT,
	POL_UNIT_NS,
	POL_UNIT_ZONES,
	POL_UNIT_PFN,
};

struct policy_violation {
	size_t rule; /* index in policy->rules */
	char object[96];  /* "global", "node 0", "group 0 (PNP0C80:00)", ... */
	int node;	  /* -1: n/a */
	int zone;	  /* enum za_zone_id, -1 n/a */
	int group;	  /* -1: n/a */
	bool has_blocks;
	uint64_t first_block, last_block;
	enum policy_unit unit;
	uint64_t actual, limit;
	bool infinite; /* actual is infinite (ratio with no kernel memory) */
	char detail[256];
};

struct policy_result {
	struct policy_violation *v;
	size_t nr, cap;
	bool *evaluated; /* per rule: false if its data was missing */
	size_t nr_rules;
};

void policy_result_init(struct policy_result *r);
void policy_result_free(struct policy_result *r);
/*
 * Evaluate every rule of @p over @s into @r (previous content replaced).
 * Returns the number of violations, or -ENOMEM / -EINVAL.
 */
int policy_evaluate(const struct policy *p, const struct policy_state *s,
		    struct policy_result *r);
/*
 * Does rule @r name a node or a memory group that @s does not have (a
 * typo, or a DIMM not plugged yet)? Then it can never be violated: returns
 * true with the reason in @why ("node 5: no memory on such a node"), so
 * that the caller can say so instead of "no violations".
 */
bool policy_rule_unmatched(const struct policy_rule *r, const struct policy_state *s,
			   char *why, size_t len);
/* Violations at or above @min: count. */
size_t policy_count_at_least(const struct policy *p,
			     const struct policy_result *r,
			     enum policy_severity min);
/* Identity of a violation for appear/clear tracking: rule + object. */
void policy_violation_key(const struct policy_violation *v, char *buf,
			  size_t len);
/* One line of text (no newline): "SEV NAME [TYPE] OBJECT: detail (...)". */
void policy_violation_text(const struct policy *p,
			   const struct policy_violation *v, char *buf,
			   size_t len);
/* "4 GiB", "512 MiB", "100 B" */
void policy_fmt_bytes(uint64_t b, char *buf, size_t len);

/* --- continuous ------------------------------------------------------------ */

enum policy_transition {
	POL_APPEAR = 0,
	POL_CLEAR,
};

typedef void (*policy_transition_fn)(enum policy_transition t,
				     const struct policy *p,
				     const struct policy_violation *v,
				     void *ctx);

struct policy_watch {
	struct policy_result cur, prev;
	uint64_t evaluations;
};

void policy_watch_init(struct policy_watch *w);
void policy_watch_free(struct policy_watch *w);
/*
 * Evaluate and call @fn for each violation that appeared since the last
 * call (first call: all of them) and each that cleared. Returns the number
 * of active violations, or a negative errno. w->cur holds the result.
 */
int policy_watch_eval(struct policy_watch *w, const struct policy *p,
		      const struct policy_state *s, policy_transition_fn fn,
		      void *ctx);

#endif
