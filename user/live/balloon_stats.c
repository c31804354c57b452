// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon drivers' counters: the kernel's vmstat deltas given to the
 * driver, or (--balloon-pages) the per-CPU "balloons" BPF map, summed.
 */
#include <errno.h>
#include <stdbool.h>
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

/* The per-CPU "balloons" map summed per device; devices or -errno. */
static int map_read(struct memhp_loader *l, struct balloon_dev *out, size_t max)
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

void balloon_names_prime(struct memhp_loader *l)
{
	struct balloon_dev devs[8];

	(void)map_read(l, devs, sizeof(devs) / sizeof(devs[0]));
}

static bool vm_zero(const struct balloon_vmstat *v)
{
	return !v->inflate && !v->deflate && !v->migrate;
}

/* The distinct driver names among @devs and @drivers: how many (capped at 2), first in *@one. */
static int distinct_drivers(const struct balloon_dev *devs, int n,
			    const char (*drivers)[BALLOON_DRIVER_LEN], size_t nd,
			    const char **one)
{
	int i;
	size_t j;

	*one = NULL;
	for (i = 0; i < n; i++) {
		if (!strcmp(devs[i].driver, "unknown"))
			continue;
		if (*one && strcmp(*one, devs[i].driver))
			return 2;
		*one = devs[i].driver;
	}
	for (j = 0; j < nd; j++) {
		if (*one && strcmp(*one, drivers[j]))
			return 2;
		*one = drivers[j];
	}
	return *one ? 1 : 0;
}

int balloon_attribute(struct balloon_dev *devs, int n, size_t max,
		      const struct balloon_vmstat *total,
		      const char (*drivers)[BALLOON_DRIVER_LEN], size_t nd)
{
	struct balloon_vmstat sum = { 0 }, rest;
	struct balloon_dev one = { 0 };
	const char *name;
	int i, kinds;

	if (!max)
		return 0;
	kinds = distinct_drivers(devs, n, drivers, nd, &name);
	if (kinds < 2) {
		if (!n && vm_zero(total))
			return 0;
		snprintf(one.driver, sizeof(one.driver), "%s", kinds ? name : "unknown");
		for (i = 0; i < n; i++) {
			if (!one.key)
				one.key = devs[i].key;
			one.s.migrate_failed += devs[i].s.migrate_failed;
			if (devs[i].s.migratepage)
				one.s.migratepage = devs[i].s.migratepage;
		}
		one.s.inflated = total->inflate;
		one.s.deflated = total->deflate;
		one.s.migrated = total->migrate;
		devs[0] = one;
		return 1;
	}
	for (i = 0; i < n; i++) {
		sum.inflate += devs[i].s.inflated;
		sum.deflate += devs[i].s.deflated;
		sum.migrate += devs[i].s.migrated;
	}
	rest = balloon_vmstat_delta(total, &sum);
	if (vm_zero(&rest) || (size_t)n >= max)
		return n;
	memset(&devs[n], 0, sizeof(devs[n]));
	devs[n].key = 1;
	snprintf(devs[n].driver, sizeof(devs[n].driver), "unattributed");
	devs[n].s.inflated = rest.inflate;
	devs[n].s.deflated = rest.deflate;
	devs[n].s.migrated = rest.migrate;
	return n + 1;
}

int balloon_read(struct memhp_loader *l, const char *sysroot, const struct balloon_vmstat *base,
		 struct balloon_dev *out, size_t max)
{
	char drivers[4][BALLOON_DRIVER_LEN];
	struct balloon_vmstat now, total;
	int n = 0;

	if (loader_map_fd(l, "balloons") >= 0) {
		n = map_read(l, out, max);
		if (n < 0)
			return n;
	}
	if (loader_balloon_pages(l) || !base || balloon_vmstat_read(sysroot, &now))
		return n;
	total = balloon_vmstat_delta(&now, base);
	return balloon_attribute(out, n, max, &total, (const char (*)[BALLOON_DRIVER_LEN])drivers,
				 balloon_vmstat_drivers(sysroot, drivers, 4));
}
