/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_BALLOON_H
#define MEMHP_BALLOON_H

int cmd_balloon(int argc, char **argv);

#endif
