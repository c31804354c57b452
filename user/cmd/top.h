/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `memhp top`: a terminal dashboard (ncurses) over a live session, or over
 * sysfs snapshots refreshed periodically when BPF tracing is not possible
 * (--no-bpf, or automatically). The screen is built by a pure function
 * (top_render, user/lib/top_render.h) from a copy of the data (top_data), so that the curses
 * front end, the --batch text mode and the tests show the same thing.
 */
#ifndef MEMHP_TOP_H
#define MEMHP_TOP_H

#include <stdio.h>

int top_main(int argc, char **argv, FILE *out, FILE *err);

#endif
