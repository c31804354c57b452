// SPDX-License-Identifier: GPL-2.0
/*
 * kpone: what naming an offline's blocker page costs the event thread
 * (docs/events.md, "blocker kind"). offwhy_annotate() on the page files a
 * session keeps open (two 8-byte preads), next to opening and closing both
 * files per event (kpage_read_range(), what memhp did before). Pinned to
 * one CPU; pfns spread over the first @span pages; needs root.
 *
 *   kpone [N [SPAN]]     N events (default 200000), SPAN pfns (default 1 Mi)
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kpage.h"
#include "memhp.h"
#include "offwhy.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	uint64_t span = argc > 2 ? strtoull(argv[2], NULL, 0) : 1 << 20, fl, ct, sum = 0;
	struct offwhy_pagefiles pf;
	struct memhp_event e;
	cpu_set_t one;
	double t0, kept, reopen;
	unsigned long i;
	int err;

	if (!n || !span) {
		fprintf(stderr, "usage: kpone [N [SPAN]]\n");
		return 2;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	err = offwhy_pagefiles_open(&pf, NULL);
	if (err) {
		fprintf(stderr, "kpone: %s\n", kpage_strerror(err));
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.hdr.kind = MEMHP_EV_OFFLINE_PROGRESS;
	e.flags = MEMHP_F_WHY;
	e.why_seen = MEMHP_SEEN_BLOCKER;
	t0 = now();
	for (i = 0; i < n; i++) {
		e.blocker_pfn = (i * 7919) % span;
		offwhy_annotate(&e, &pf);
		sum += e.blocker_kind;
	}
	kept = (now() - t0) / n;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (!kpage_read_range(NULL, (i * 7919) % span, 1, &fl, &ct))
			sum += kpage_classify(fl, ct, ct);
	}
	reopen = (now() - t0) / n;
	offwhy_pagefiles_close(&pf);
	printf("{\"events\":%lu,\"kept_fds_us\":%.2f,\"open_per_event_us\":%.2f,\"checksum\":%llu}\n",
	       n, kept * 1e6, reopen * 1e6, (unsigned long long)sum);
	return 0;
}
