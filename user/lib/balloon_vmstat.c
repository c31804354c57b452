// SPDX-License-Identifier: GPL-2.0
/* The kernel's balloon vm event counters and the drivers that count them. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "balloon_detect.h"
#include "balloon_vmstat.h"
#include "zoneinfo.h"

/* "name value\n" with a decimal value: true and *v, else false. */
static bool parse_value(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && (*end == '\n' || *end == '\0');
}

int balloon_vmstat_read(const char *sysroot, struct balloon_vmstat *out)
{
	static const char *const names[] = { "balloon_inflate ", "balloon_deflate ",
					      "balloon_migrate " };
	uint64_t *dst[] = { &out->inflate, &out->deflate, &out->migrate };
	char path[4200], line[256];
	unsigned int lines = 0, seen = 0, i;
	int err = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/proc/vmstat", sysroot && *sysroot ? sysroot : "");
	f = zi_fopen_regular(path);
	if (!f)
		return -errno ? -errno : -ENOENT;
	/* /proc/vmstat has about 180 lines; bounded against a bogus file */
	while (!err && lines++ < 100000 && fgets(line, sizeof(line), f)) {
		for (i = 0; i < 3; i++) {
			size_t len = strlen(names[i]);

			if (strncmp(line, names[i], len))
				continue;
			if (!parse_value(line + len, dst[i]))
				err = -EINVAL;
			seen |= 1u << i;
		}
	}
	fclose(f);
	if (err)
		return err;
	/* balloon_migrate needs CONFIG_BALLOON_COMPACTION as well */
	return seen & 3u ? 0 : -ENOENT;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

struct balloon_vmstat balloon_vmstat_delta(const struct balloon_vmstat *now,
					   const struct balloon_vmstat *base)
{
	struct balloon_vmstat d = {
		.inflate = sub0(now->inflate, base->inflate),
		.deflate = sub0(now->deflate, base->deflate),
		.migrate = sub0(now->migrate, base->migrate),
	};

	return d;
}

static bool exists(const char *root, const char *rel)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	return !stat(p, &st);
}

size_t balloon_vmstat_drivers(const char *sysroot, char (*out)[BALLOON_DRIVER_LEN],
			      size_t max)
{
	const char *root = sysroot && *sysroot ? sysroot : "";
	size_t n = 0;

	if (n < max && balloon_driver_bound(root, "/sys/bus/virtio/drivers/virtio_balloon"))
		snprintf(out[n++], BALLOON_DRIVER_LEN, "virtio_balloon");
	if (n < max && exists(root, "/sys/module/vmw_balloon"))
		snprintf(out[n++], BALLOON_DRIVER_LEN, "vmw_balloon");
	if (n < max && exists(root, "/sys/devices/system/cmm/cmm0"))
		snprintf(out[n++], BALLOON_DRIVER_LEN, "cmm");
	return n;
}
