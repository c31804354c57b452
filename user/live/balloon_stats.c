// SPDX-License-Identifier: GPL-2.0
/* The balloon drivers' counters: the per-CPU "balloons" BPF map, summed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "balloon_stats.h"
#include "ksyms.h"
#include "loader.h"

void balloon_driver_name(const char *sym, char *out, size_t len)
{
	const char *lb = strchr(sym, '['), *rb = lb ? strchr(lb, ']') : NULL;

	if (lb && rb && rb > lb + 1)
		snprintf(out, len, "%.*s", (int)(rb - lb - 1), lb + 1);
	else
		snprintf(out, len, "%s", sym); /* built in: the callback's name */
}

int balloon_read(struct memhp_loader *l, struct balloon_dev *out, size_t max)
{
	int fd = loader_map_fd(l, "balloons"), ncpu = loader_ncpus(l), i;
	struct memhp_balloon_stats *vals;
	uint64_t key, next, *prev = NULL;
	size_t n = 0;

	if (fd < 0)
		return fd;
	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].key = key;
		for (i = 0; i < ncpu; i++) {
			out[n].s.inflated += vals[i].inflated;
			out[n].s.deflated += vals[i].deflated;
			out[n].s.migrated += vals[i].migrated;
			out[n].s.migrate_failed += vals[i].migrate_failed;
			if (vals[i].migratepage)
				out[n].s.migratepage = vals[i].migratepage;
		}
		if (out[n].s.migratepage) {
			char sym[128];

			balloon_driver_name(ksym_name(out[n].s.migratepage, sym, sizeof(sym)),
					    out[n].driver, sizeof(out[n].driver));
		} else {
			snprintf(out[n].driver, sizeof(out[n].driver), "unknown");
		}
		n++;
	}
	free(vals);
	return n;
}
