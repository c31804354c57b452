/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMHP_TRACE_H
#define MEMHP_TRACE_H

int cmd_trace(int argc, char **argv);

#endif
