/* SPDX-License-Identifier: GPL-2.0 */
/* SIGINT and SIGTERM ask the running command to stop: a flag its loops test. */
#ifndef MEMHP_STOPSIG_H
#define MEMHP_STOPSIG_H

#include <signal.h>
#include <stdbool.h>

/* Set to 1 by the handler; a command clears it before its loop if it may run twice. */
extern volatile sig_atomic_t stop_requested;

/*
 * Set stop_requested on SIGINT and SIGTERM. @restart: system calls the
 * signal interrupts are restarted (signal(2), SA_RESTART); otherwise they
 * fail with EINTR (sigaction() without flags).
 */
void stop_on_signals(bool restart);

#endif
