/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_RECORD_CMD_H
#define MEMHP_RECORD_CMD_H
/* `memhp record -o FILE`: a live session written to a record file. */
int cmd_record(int argc, char **argv);
#endif
