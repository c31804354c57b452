// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log buffer (klogctl), read for what the virtio-mem driver
 * logged at probe time (user/lib/zi_system.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/mman.h>

#include "zi_read.h"

/*
 * The buffer is a mapping of its own, unmapped after use (kernel_log_free):
 * from the heap, the pages the log filled stayed resident after free(), so
 * a long-running export or daemon grew by the log's size as the kernel's
 * buffer filled (the soak's RssAnon climb, about 1 KiB/s in the lab).
 */
int read_kernel_log(char **buf, size_t *len, size_t *cap)
{
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	size_t size;
	char *b;

	*buf = NULL;
	*len = 0;
	*cap = 0;
	if (n <= 0)
		return -errno;
	if (n > (64 << 20))
		n = 64 << 20;
	size = (size_t)n + 1;
	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, b, n);
	if (n < 0) {
		int err = errno;

		munmap(b, size);
		return -err;
	}
	b[n] = '\0';
	*buf = b;
	*len = (size_t)n;
	*cap = size;
	return 0;
}

void kernel_log_free(char *buf, size_t cap)
{
	if (buf && cap)
		munmap(buf, cap);
}
