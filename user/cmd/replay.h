/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_REPLAY_H
#define MEMHP_REPLAY_H
/* `memhp replay FILE`: a record file through the live pipeline. */
int cmd_replay(int argc, char **argv);
#endif
