// SPDX-License-Identifier: GPL-2.0
/*
 * rdload: the guest workload of tests/vm/scenarios/test_readiness.py, linked
 * statically for the lab's busybox initramfs (the scenario builds it).
 *
 *   rdload anon MIB         map and touch MIB MiB of anonymous memory, say
 *                           "ready", then hold it until killed
 *   rdload files DIR N SIZE create N files of SIZE bytes in DIR (SIZE 0:
 *                           many small files = inodes and dentries, slab)
 *   rdload thin DIR N K     unlink DIR/fI for I < N unless I % K == 0: the
 *                           slab pages left are sparsely used (fragmented)
 *
 * Busybox shell loops would take minutes for 50,000 files under TCG.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int anon(long mib)
{
	size_t len = (size_t)mib << 20, i;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Distinct content per page: no KSM/zero-page sharing. */
	for (i = 0; i < len; i += 4096)
		p[i] = (char)(i >> 12) | 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int files(const char *dir, long n, long size)
{
	static char buf[65536];
	char path[4096];
	long i, left;

	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		for (left = size; left > 0;) {
			ssize_t w = write(fd, buf, left < (long)sizeof(buf) ? (size_t)left : sizeof(buf));

			if (w <= 0) {
				perror("write");
				close(fd);
				return 1;
			}
			left -= w;
		}
		close(fd);
	}
	printf("%ld files\n", n);
	return 0;
}

static int thin(const char *dir, long n, long k)
{
	char path[4096];
	long i, gone = 0;

	for (i = 0; i < n; i++) {
		if (k > 0 && i % k == 0)
			continue;
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		if (unlink(path) == 0)
			gone++;
	}
	printf("%ld unlinked\n", gone);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "anon"))
		return anon(atol(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "files"))
		return files(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "thin"))
		return thin(argv[2], atol(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: rdload anon MIB | rdload files DIR N SIZE | rdload thin DIR N K\n");
	return 2;
}
