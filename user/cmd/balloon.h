/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_H
#define MEMHP_BALLOON_H

#include <stdio.h>

int balloon_main(int argc, char **argv, FILE *out, FILE *err);

#endif
