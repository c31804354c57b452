/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_REPLAY_H
#define MEMHP_REPLAY_H

#include <stdio.h>
/* `memhp replay FILE`: a record file through the live pipeline. */
int replay_main(int argc, char **argv, FILE *out, FILE *err);
#endif
