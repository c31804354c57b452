// SPDX-License-Identifier: GPL-2.0
/*
 * hpload: the guest side of `make bench` (bench/lab.py), linked statically
 * for the lab's busybox initramfs (run from the 9p share).
 *
 *   hpload now                      CLOCK_MONOTONIC in ns
 *   hpload cycle FIRST LAST LOOPS   offline, then online_movable, blocks
 *                                   FIRST..LAST through sysfs, LOOPS times;
 *                                   prints the elapsed ns (exit 1 on a
 *                                   failed write)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int put_state(long blk, const char *what)
{
	char path[96];
	int fd, tries;
	ssize_t n = -1;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state", blk);
	/* offlining can fail transiently (EBUSY/EAGAIN while pages migrate) */
	for (tries = 0; tries < 50; tries++) {
		fd = open(path, O_WRONLY);
		if (fd < 0) {
			fprintf(stderr, "hpload: %s: %s\n", path, strerror(errno));
			return -1;
		}
		n = write(fd, what, strlen(what));
		close(fd);
		if (n >= 0)
			return 0;
		if (errno != EBUSY && errno != EAGAIN)
			break;
		usleep(10000);
	}
	fprintf(stderr, "hpload: %s <- %s: %s\n", path, what, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%lld\n", now_ns());
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "cycle")) {
		long first = atol(argv[2]), last = atol(argv[3]), loops = atol(argv[4]), b, i;
		long long t0 = now_ns();

		for (i = 0; i < loops; i++) {
			for (b = first; b <= last; b++)
				if (put_state(b, "offline"))
					return 1;
			for (b = first; b <= last; b++)
				if (put_state(b, "online_movable"))
					return 1;
		}
		printf("%lld\n", now_ns() - t0);
		return 0;
	}
	fprintf(stderr, "usage: hpload now | cycle FIRST LAST LOOPS\n");
	return 2;
}
