/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's node lists (/sys/devices/system/node/possible: "0-3,8"), to
 * refuse a NUMA node that cannot exist instead of filtering on it silently
 * (trace --node 7 on a two-node VM used to print nothing, forever).
 */
#ifndef MEMHP_NODELIST_H
#define MEMHP_NODELIST_H

#include <stdbool.h>
#include <stddef.h>

/* 1 if @list ("0-3,8\n") holds @nid, 0 if not, -EINVAL if it is malformed. */
int nodelist_contains(const char *list, int nid);
/*
 * Is @nid a possible node of the system under @sysroot (NULL: /)? 1 or 0;
 * -errno when the kernel does not say (no file: CONFIG_NUMA=n, a bare
 * fixture). The list, for a message, in @list (may be "").
 */
int node_possible(const char *sysroot, int nid, char *list, size_t len);

#endif
