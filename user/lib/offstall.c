// SPDX-License-Identifier: GPL-2.0
/* Offlines stuck inside one step (see offstall.h). */
#include <string.h>

#include "offstall.h"

void offstall_init(struct offstall *st, uint64_t stuck_after_ns, uint64_t every_ns)
{
	memset(st, 0, sizeof(*st));
	st->stuck_after_ns = stuck_after_ns;
	st->every_ns = every_ns ? every_ns : 1000000000ULL;
}

static int find(const struct offstall *st, uint64_t pid_tgid, uint64_t ts)
{
	for (unsigned int i = 0; i < st->n; i++)
		if (st->told[i].pid_tgid == pid_tgid && st->told[i].entry_ts == ts)
			return (int)i;
	return -1;
}

void offstall_scan_begin(struct offstall *st)
{
	for (unsigned int i = 0; i < st->n; i++)
		st->told[i].seen = false;
}

bool offstall_due(struct offstall *st, uint64_t pid_tgid, const struct memhp_offline *en,
		  uint64_t now_ns)
{
	uint64_t bpf = en->why.last_progress;
	int i = find(st, pid_tgid, en->ts);

	if (i >= 0)
		st->told[i].seen = true;
	/* a clock behind the entry (another clock, a bad map value): never;
	 * and BPF gets the first interval past the threshold to speak (its
	 * first report comes from the first step after it) */
	if (!st->stuck_after_ns || now_ns < en->ts ||
	    now_ns - en->ts < st->stuck_after_ns + st->every_ns)
		return false;
	if (bpf && bpf <= now_ns && now_ns - bpf < 2 * st->every_ns)
		return false; /* BPF is reporting it */
	if (i >= 0) {
		if (now_ns >= st->told[i].told_ns && now_ns - st->told[i].told_ns < st->every_ns)
			return false;
		st->told[i].told_ns = now_ns;
		return true;
	}
	/* full (64 offlines stuck at once): reported every scan, not lost */
	if (st->n < OFFSTALL_MAX) {
		st->told[st->n].pid_tgid = pid_tgid;
		st->told[st->n].entry_ts = en->ts;
		st->told[st->n].told_ns = now_ns;
		st->told[st->n].seen = true;
		st->n++;
	}
	return true;
}

void offstall_scan_end(struct offstall *st)
{
	unsigned int i = 0;

	while (i < st->n) {
		if (!st->told[i].seen)
			st->told[i] = st->told[--st->n];
		else
			i++;
	}
}

void offstall_event(struct memhp_event *e, uint64_t pid_tgid, const struct memhp_offline *en,
		    uint64_t now_ns, const char *comm, unsigned int cpu)
{
	const struct memhp_offwhy *w = &en->why;

	memset(e, 0, sizeof(*e));
	e->hdr.abi = MEMHP_ABI_VERSION;
	e->hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e->hdr.size = sizeof(*e);
	e->ts_ns = now_ns;
	e->cpu = cpu;
	e->pid = (unsigned int)(pid_tgid >> 32);
	if (comm)
		strncpy(e->comm, comm, sizeof(e->comm) - 1);
	e->nid = -1;
	e->zone_idx = -1;
	e->group_id = -1;
	e->group_nid = -1;
	e->status_nid = -1;
	e->online_type = (unsigned int)-1;
	e->start_pfn = en->start_pfn;
	e->nr_pages = en->nr_pages;
	e->flags = MEMHP_F_TIMER;
	if (en->ts && now_ns >= en->ts) {
		e->duration_ns = now_ns - en->ts;
		e->flags |= MEMHP_F_DURATION;
	}
	memhp_event_set_why(e, w);
}
