// SPDX-License-Identifier: GPL-2.0
/*
 * Which balloon drivers are active under a sysroot, and whether they have
 * balloon compaction (policy rule `balloon`; memhp check, trace, top and
 * export through user/live/reconcile.c). Reads sysfs, /proc/kallsyms and
 * the kernel config only.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "balloon_detect.h"
#include "zoneinfo.h"

static bool path_exists(const char *root, const char *rel)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	return !lstat(p, &st);
}

/* A driver directory with a bound device (an entry that is a symlink to a
 * device: not bind/unbind/uevent/module/new_id/remove_id). */
bool balloon_driver_bound(const char *root, const char *rel)
{
	char p[4200];
	struct dirent *de;
	bool found = false;
	unsigned int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	d = opendir(p);
	if (!d)
		return false;
	while (!found && n++ < 4096 && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "bind") ||
		    !strcmp(de->d_name, "unbind") ||
		    !strcmp(de->d_name, "uevent") ||
		    !strcmp(de->d_name, "module") ||
		    !strcmp(de->d_name, "new_id") ||
		    !strcmp(de->d_name, "remove_id"))
			continue;
		found = true;
	}
	closedir(d);
	return found;
}

/* 1 a line of @path contains @needle, 0 no, -1 unreadable. Bounded. */
static int file_has(const char *path, const char *needle)
{
	char line[512];
	unsigned long n = 0;
	int found = 0;
	FILE *f = zi_fopen_regular(path);

	if (!f)
		return -1;
	while (!found && n++ < 4000000 && fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			found = 1;
	fclose(f);
	return found;
}

static int virtio_balloon_compaction(const char *root)
{
	char p[4200];
	struct utsname u;
	int r;

	snprintf(p, sizeof(p), "%s/proc/kallsyms", root);
	r = file_has(p, " virtballoon_migratepage");
	if (r == 1)
		return 1;
	if (r == 0 && file_has(p, "[virtio_balloon]") == 1)
		return 0; /* the module's symbols are there, the callback not */
	snprintf(p, sizeof(p), "%s/config", root);
	if (!*root || file_has(p, "CONFIG_") < 0) {
		if (uname(&u))
			return -1;
		snprintf(p, sizeof(p), "%s/boot/config-%s", root, u.release);
	}
	if (file_has(p, "CONFIG_BALLOON_COMPACTION=y") == 1)
		return 1;
	if (file_has(p, "# CONFIG_BALLOON_COMPACTION is not set") == 1)
		return 0;
	return -1;
}

size_t check_detect_balloons(const char *sysroot, struct policy_balloon *out,
			     size_t max)
{
	const char *root = sysroot && *sysroot ? sysroot : "";
	size_t n = 0;

	if (n < max && balloon_driver_bound(root, "/sys/bus/virtio/drivers/virtio_balloon")) {
		snprintf(out[n].driver, sizeof(out[n].driver), "virtio_balloon");
		out[n++].compaction = virtio_balloon_compaction(root);
	}
	if (n < max && balloon_driver_bound(root, "/sys/bus/vmbus/drivers/hv_balloon")) {
		snprintf(out[n].driver, sizeof(out[n].driver), "hv_balloon");
		out[n++].compaction = 0;
	}
	if (n < max && path_exists(root, "/sys/devices/system/xen_memory/xen_memory0")) {
		snprintf(out[n].driver, sizeof(out[n].driver), "xen_balloon");
		out[n++].compaction = 0;
	}
	return n;
}
