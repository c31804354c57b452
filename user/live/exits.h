/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit probes the kernel skipped. memhp pairs an entry probe (which saves
 * the arguments in the "entries" map) with an exit probe (which takes them
 * and emits the event). When another BPF tool attaches to or detaches from
 * the same function while a call is in flight, the kernel rebuilds the
 * trampoline and lets that call return without running any fexit program:
 * the event is lost and its entry is left behind. A stale entry whose thread
 * has exited is proof of that; this sweep finds, counts and removes them.
 */
#ifndef MEMHP_EXITS_H
#define MEMHP_EXITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether memhp runs in the initial PID namespace, where the thread ids
 * BPF sees are the ones /proc shows. */
bool in_initial_pid_ns(void);
/* The kernel function behind an entry's call site (enum memhp_site). */
const char *exit_site_name(uint64_t site);

/*
 * Removes the entries of @fd (the "entries" map) whose thread no longer
 * exists. Returns how many it removed (each one a lost event), with the
 * first described in @what ("memory_subsys_online, pid 123"), or -errno.
 * Returns 0 without looking when memhp runs outside the initial PID
 * namespace, where the kernel's thread ids cannot be checked in /proc.
 */
int exits_sweep(int fd, char *what, size_t len);

#endif
