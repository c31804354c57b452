// SPDX-License-Identifier: GPL-2.0
/* SIGINT and SIGTERM set a stop flag (see stopsig.h). */
#include <stddef.h>

#include "stopsig.h"

volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void stop_on_signals(bool restart)
{
	struct sigaction sa = {0};

	if (restart) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		return;
	}
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
