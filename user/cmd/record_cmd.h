/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_RECORD_CMD_H
#define MEMHP_RECORD_CMD_H

#include <stdio.h>
/* `memhp record -o FILE`: a live session written to a record file. */
int record_main(int argc, char **argv, FILE *out, FILE *err);
#endif
