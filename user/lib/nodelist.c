// SPDX-License-Identifier: GPL-2.0
/* The kernel's node lists (see nodelist.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodelist.h"

/* A decimal node number at *p (at most 1 << 20), advancing *p; -1 if none. */
static long node_number(const char **p)
{
	long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > (1L << 20))
			return -1;
		s++;
	}
	*p = s;
	return v;
}

int nodelist_contains(const char *list, int nid)
{
	const char *p = list;
	int found = 0;

	while (*p && *p != '\n') {
		long lo = node_number(&p), hi = lo;

		if (lo < 0)
			return -EINVAL;
		if (*p == '-') {
			p++;
			hi = node_number(&p);
			if (hi < lo)
				return -EINVAL;
		}
		if (nid >= lo && nid <= hi)
			found = 1;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return found;
}

int node_possible(const char *sysroot, int nid, char *list, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd, ret;

	if (len)
		list[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/sys/devices/system/node/possible",
		     sysroot ? sysroot : "") >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, list, len ? len - 1 : 0);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	if (!len)
		return -ENOSPC;
	list[n] = '\0';
	list[strcspn(list, "\n")] = '\0';
	return nodelist_contains(list, nid);
}
