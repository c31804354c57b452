// SPDX-License-Identifier: GPL-2.0
/* Offlines in flight (offrun.h). */
#include <inttypes.h>
#include <string.h>

#include "kpage.h"
#include "offrun.h"
#include "offwhy.h"

static int find(const struct offrun *r, uint32_t pid, uint64_t start_pfn)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->e[i].pid == pid && r->e[i].start_pfn == start_pfn)
			return (int)i;
	return -1;
}

static void drop_at(struct offrun *r, unsigned int i)
{
	r->e[i] = r->e[--r->n];
}

void offrun_event(struct offrun *r, const struct memhp_event *e)
{
	struct offrun_entry *x;
	int i;

	if (e->hdr.kind != MEMHP_EV_OFFLINE && e->hdr.kind != MEMHP_EV_OFFLINE_PROGRESS)
		return;
	i = find(r, e->pid, e->start_pfn);
	if (e->hdr.kind == MEMHP_EV_OFFLINE) {
		if (i >= 0)
			drop_at(r, (unsigned int)i);
		return;
	}
	if (i < 0) {
		if (r->n == OFFRUN_MAX) {
			r->dropped++;
			return;
		}
		i = (int)r->n++;
	}
	x = &r->e[i];
	memset(x, 0, sizeof(*x));
	x->pid = e->pid;
	x->start_pfn = e->start_pfn;
	x->nr_pages = e->nr_pages;
	x->ts_ns = e->ts_ns;
	x->elapsed_ns = (e->flags & MEMHP_F_DURATION) ? e->duration_ns : 0;
	x->phase = e->phase;
	x->passes = e->migrate_passes;
	x->migrated = e->pages_migrated;
	x->failed = e->pages_failed;
	x->blocker_pfn = (e->why_seen & MEMHP_SEEN_BLOCKER) ? e->blocker_pfn : UINT64_MAX;
	x->blocker_kind = e->blocker_kind;
	memcpy(x->blocker_why, e->blocker_why, sizeof(x->blocker_why));
	x->blocker_why[sizeof(x->blocker_why) - 1] = '\0';
	memcpy(x->comm, e->comm, sizeof(x->comm));
	x->comm[sizeof(x->comm) - 1] = '\0';
}

void offrun_expire(struct offrun *r, uint64_t now_ns)
{
	unsigned int i = 0;

	while (i < r->n) {
		if (now_ns > r->e[i].ts_ns && now_ns - r->e[i].ts_ns > OFFRUN_STALE_NS)
			drop_at(r, i);
		else
			i++;
	}
}

uint64_t offrun_elapsed_ns(const struct offrun_entry *x, uint64_t now_ns)
{
	/* time since the event, bounded: a clock that went backwards adds nothing */
	uint64_t since = now_ns > x->ts_ns ? now_ns - x->ts_ns : 0;

	if (since > OFFRUN_STALE_NS)
		since = OFFRUN_STALE_NS;
	return x->elapsed_ns + since;
}

void offrun_line(const struct offrun_entry *x, uint64_t ppb, uint64_t now_ns, char *buf,
		 size_t len)
{
	const char *kind = NULL;
	size_t off;

	if (x->blocker_kind && x->blocker_kind <= KPAGE_NR_KINDS)
		kind = kpage_kind_name((enum kpage_kind)(x->blocker_kind - 1));
	/* what it is stuck on first: top's lines are cut at the terminal width */
	off = (size_t)snprintf(buf, len, "block %-6" PRIu64 " %7.1fs  ",
			       ppb ? x->start_pfn / ppb : 0, offrun_elapsed_ns(x, now_ns) / 1e9);
	if (off < len && x->blocker_pfn != UINT64_MAX)
		off += (size_t)snprintf(buf + off, len - off, "stuck on pfn 0x%" PRIx64 " %s (%s); ",
					x->blocker_pfn, kind ? kind : "kind?", x->blocker_why);
	if (off < len)
		snprintf(buf + off, len - off,
			 "%s, %u passes, %" PRIu64 " migrated, %" PRIu64 " failed; %s pid %u",
			 offwhy_phase_name(x->phase), x->passes, x->migrated, x->failed, x->comm,
			 x->pid);
}
