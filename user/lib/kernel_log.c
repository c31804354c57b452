// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log buffer (klogctl), read for what the virtio-mem driver
 * logged at probe time (user/lib/zi_system.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/klog.h>

#include "zi_read.h"

int read_kernel_log(char **buf, size_t *len)
{
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *b;

	*buf = NULL;
	*len = 0;
	if (n <= 0)
		return -errno;
	if (n > (64 << 20))
		n = 64 << 20;
	b = malloc((size_t)n + 1);
	if (!b)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, b, n);
	if (n < 0) {
		free(b);
		return -errno;
	}
	b[n] = '\0';
	*buf = b;
	*len = (size_t)n;
	return 0;
}
