/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Periodic reconciliation of a live session with the kernel: drift between
 * the model (kept by events) and sysfs, the zones' early (boot) memory, and,
 * with a policy, its violations. Run from a sink's main loop; the result is
 * copied into the exposition (user/lib/prom.c).
 */
#ifndef MEMHP_RECONCILE_H
#define MEMHP_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;
struct policy;
struct policy_tracker;
struct memhp_model;

#define RECON_MAX_ZONES 64
#define RECON_MAX_RULES 64

struct recon_zone {
	int node;
	char zone[16];	/* za_zone_name() */
	uint64_t early; /* present early (boot) pages */
};

struct recon_rule {
	char name[64];
	char severity[12];
	uint64_t violations;
	uint64_t appeared, cleared; /* violations that came and went, in total */
	bool evaluated;
};

struct recon_result {
	bool valid;		/* at least one run completed */
	uint64_t runs, errors;
	uint64_t drift_blocks;	/* blocks whose state differs, or missing on a side */
	/* zones whose present pages differ from the model's; -1 no baseline yet */
	int64_t drift_zones;
	struct recon_zone zones[RECON_MAX_ZONES];
	size_t nr_zones;
	bool policy;
	struct recon_rule rules[RECON_MAX_RULES];
	size_t nr_rules;
};

/*
 * One reconciliation. The model is read under the session's lock only while
 * comparing; sysfs and /proc are read before. Returns 0 or -1 with @err.
 */
int reconcile_run(struct session *s, const char *sysroot, const struct policy *pol,
		  const struct policy_tracker *trk, struct recon_result *out, char *err,
		  size_t errlen);

/*
 * Like reconcile_run(), following the policy's violations with @w: each that
 * appears or clears counts in its rule and is passed to @fn (may be NULL).
 */
struct policy_watch;
struct policy_violation;
typedef void (*recon_transition_fn)(bool appeared, const struct policy *p,
				    const struct policy_violation *v, void *ctx);
struct readiness;
/* @rd: the readiness scan min-unpluggable rules are evaluated on (NULL: not
 * evaluated); the caller keeps it (readiness_keep.h). */
int reconcile_run_watch(struct session *s, const char *sysroot, const struct policy *pol,
			const struct policy_tracker *trk, const struct readiness *rd,
			struct policy_watch *w,
			recon_transition_fn fn, void *ctx, struct recon_result *out, char *err,
			size_t errlen);

struct policy_state;
struct zi_system;
struct policy_balloon;

/*
 * The state a policy is evaluated on, in @sys (which the caller
 * initialised): derived from the live session's model @m (its blocks;
 * zi_system_from_model), with zones, devices and settings from procfs and
 * sysfs; from a fresh sysfs snapshot when @m is NULL. The event tracker
 * may be NULL. The caller keeps @m from changing meanwhile (session.lock
 * where events are applied on another thread). 0 or -1 with @err.
 */
int reconcile_policy_state(struct policy_state *ps, struct zi_system *sys,
			   struct policy_balloon *balloons, size_t max_balloons,
			   const char *sysroot, const struct memhp_model *m,
			   const struct policy_tracker *trk, char *err, size_t errlen);

/* Blocks whose state differs between two models (sorted block arrays). */
struct memhp_model;
uint64_t reconcile_drift(const struct memhp_model *kernel, const struct memhp_model *model);

/* One block on which the model and the kernel disagree. */
struct drift_item {
	uint64_t block;
	int model_state;  /* enum memhp_block_state; -1: not in the model */
	int kernel_state; /* -1: not in sysfs */
};

/*
 * Like reconcile_drift(), listing up to @max differences in @out. Returns
 * the number of differences (which may exceed @max).
 */
uint64_t reconcile_diff(const struct memhp_model *kernel, const struct memhp_model *model,
			struct drift_item *out, size_t max);

/* A zone whose present pages differ between the model and the kernel. */
struct zone_drift {
	int nid;
	char zone[16];
	uint64_t model;	 /* baseline + what events added and removed */
	uint64_t kernel; /* /proc/zoneinfo present now */
};

/*
 * Per-zone present pages of the model against /proc/zoneinfo (below the
 * session's sysroot). Without a baseline (at start, after a resync) it
 * takes one instead, at a quiet moment: it polls the session for that, so
 * call it where the sink is ready for events, without the session's lock.
 * Returns the zones that differ (up to @max in @out), 0 when equal or while
 * no baseline could be taken, or -1 with @err.
 */
int64_t reconcile_zones(struct session *s, struct zone_drift *out, size_t max, char *err,
			size_t errlen);

#endif
