/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp check: evaluate a policy file (user/lib/policy.h, docs/policy.md) over
 * the current state, once or continuously (--watch).
 */
#ifndef MEMHP_CHECK_H
#define MEMHP_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "balloon_detect.h"
#include "exitcode.h"
#include "policy.h"

/* Exit status: 0 no violation at or above --fail-on, 1 violations,
 * 2 could not run (usage, bad policy, unreadable state, no BPF). */
#define CHECK_EXIT_OK MEMHP_EXIT_OK
#define CHECK_EXIT_VIOLATIONS MEMHP_EXIT_FAILURE
#define CHECK_EXIT_ERROR MEMHP_EXIT_USAGE

/* The same with explicit streams (tests). */
int check_main(int argc, char **argv, FILE *out, FILE *err);

#endif
