/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp check: evaluate a policy file (user/policy.h, docs/policy.md) over
 * the current state, once or continuously (--watch).
 */
#ifndef MEMHP_CHECK_H
#define MEMHP_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "policy.h"

/* Exit status: 0 no violation at or above --fail-on, 1 violations,
 * 2 could not run (usage, bad policy, unreadable state, no BPF). */
#define CHECK_EXIT_OK 0
#define CHECK_EXIT_VIOLATIONS 1
#define CHECK_EXIT_ERROR 2

int cmd_check(int argc, char **argv);
/* The same with explicit streams (tests). */
int check_main(int argc, char **argv, FILE *out, FILE *err);

/*
 * Active balloon drivers under @sysroot (NULL or "": /) and whether they
 * have balloon compaction: virtio_balloon bound to a device (compaction
 * from /proc/kallsyms "virtballoon_migratepage", else the kernel config
 * CONFIG_BALLOON_COMPACTION in /boot/config-RELEASE or DIR/config, else
 * unknown), hv_balloon bound to a VMBus device and the Xen balloon
 * (/sys/devices/system/xen_memory): never. Returns how many (<= max).
 */
size_t check_detect_balloons(const char *sysroot, struct policy_balloon *out,
			     size_t max);

#endif
