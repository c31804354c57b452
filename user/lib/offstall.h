/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offlines stuck inside one step. bpf/offwhy.bpf.c emits OFFLINE_PROGRESS
 * from the steps offline_pages() repeats (migration passes, reported pages,
 * isolation tests); an offline blocked inside a single step (a memory
 * notifier that sleeps, lru_add_drain_all() waiting on a CPU) reaches none
 * of them and would say nothing. The session reads the calls in flight from
 * the "offlines" map about once a second (user/live/offstall_scan.c) and,
 * for a call past --stuck-after that BPF has not reported on lately, makes
 * the OFFLINE_PROGRESS event itself, with MEMHP_F_TIMER. What to emit and
 * when is decided here, on a clock the caller passes in.
 */
#ifndef MEMHP_OFFSTALL_H
#define MEMHP_OFFSTALL_H

#include <stdbool.h>
#include <stdint.h>

#include "memhp.h"

/* BPF's interval (bpf/offwhy.bpf.c progress_every_ns), and memhp's. */
#define OFFSTALL_EVERY_NS 1000000000ULL
/* Calls remembered at once; more are reported, just not rate-limited. */
#define OFFSTALL_MAX 64

struct offstall {
	struct {
		uint64_t pid_tgid, entry_ts; /* the call (a thread offlines one at a time) */
		uint64_t told_ns;	     /* when memhp last reported it */
		bool seen;		     /* in flight in the current scan */
	} told[OFFSTALL_MAX];
	unsigned int n;
	uint64_t stuck_after_ns; /* 0: never */
	uint64_t every_ns;	 /* at most one report per call per this */
};

void offstall_init(struct offstall *st, uint64_t stuck_after_ns, uint64_t every_ns);

/* A scan of the calls in flight begins: each is then passed to offstall_due(). */
void offstall_scan_begin(struct offstall *st);
/*
 * Whether the offline_pages() call @en of thread @pid_tgid is due a report
 * at @now_ns (CLOCK_MONOTONIC = BPF's ktime): it has run @stuck_after_ns
 * and one interval more (BPF's first report comes from the first step past
 * the threshold: in the lab a migration pass takes up to 3 s), BPF's last
 * progress event for it is older than two intervals (BPF reports
 * once an interval while the steps repeat; the margin keeps the two from
 * both reporting), and memhp has not reported it within one interval. A
 * due call is remembered as reported at @now_ns.
 */
bool offstall_due(struct offstall *st, uint64_t pid_tgid, const struct memhp_offline *en,
		  uint64_t now_ns);
/* The scan ended: forget the calls it did not see (they returned). */
void offstall_scan_end(struct offstall *st);

/*
 * The OFFLINE_PROGRESS event for the call, as the BPF side would have made
 * it at @now_ns (pid, duration, the why fields from the call's state), with
 * MEMHP_F_TIMER; @comm the thread's name (may be NULL), @cpu the CPU the
 * timer ran on.
 */
void offstall_event(struct memhp_event *e, uint64_t pid_tgid, const struct memhp_offline *en,
		    uint64_t now_ns, const char *comm, unsigned int cpu);

#endif
