// SPDX-License-Identifier: GPL-2.0
/*
 * fileread: the kernel's floor for `memhp ls` (bench item 1). Reads the two
 * files the default columns need (state, removable) of memory0..N-1 below a
 * sysfs tree and prints the elapsed ns, one of two ways:
 *
 *   fileread syscalls DIR N   openat/read/close per file (what memhp does)
 *   fileread uring DIR N      io_uring batches of linked openat/read/close
 *                             with direct descriptors (no per-file syscall)
 *
 * DIR is the .../sys/devices/system/memory directory. Both read the same
 * bytes (printed on stderr, to check). If uring is not faster, the cost is
 * the kernel's per-file work (lookup, open, read), not syscall entry.
 */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 128 /* blocks per io_uring submission */
#define BUFSZ 64

static const char *const files[] = { "state", "removable" };

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long by_syscalls(int dfd, long n)
{
	char path[64], buf[BUFSZ];
	long long bytes = 0;
	long i;
	int f, fd;

	for (i = 0; i < n; i++)
		for (f = 0; f < 2; f++) {
			ssize_t r;

			snprintf(path, sizeof(path), "memory%ld/%s", i, files[f]);
			fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			r = read(fd, buf, sizeof(buf));
			if (r > 0)
				bytes += r;
			close(fd);
		}
	return bytes;
}

static long long by_uring(int dfd, long n)
{
	static char bufs[BATCH * 2][BUFSZ], paths[BATCH * 2][64];
	struct io_uring ring;
	long long bytes = 0;
	long base;
	int rc;

	rc = io_uring_queue_init(BATCH * 2 * 3, &ring, 0);
	if (!rc)
		rc = io_uring_register_files_sparse(&ring, BATCH * 2);
	if (rc) {
		fprintf(stderr, "fileread: io_uring: %s\n", strerror(-rc));
		exit(1);
	}
	for (base = 0; base < n; base += BATCH) {
		long m = n - base < BATCH ? n - base : BATCH, j;
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;
		int k = 0, f;

		for (j = 0; j < m; j++)
			for (f = 0; f < 2; f++, k++) {
				struct io_uring_sqe *s;

				snprintf(paths[k], sizeof(paths[k]), "memory%ld/%s", base + j, files[f]);
				s = io_uring_get_sqe(&ring);
				io_uring_prep_openat_direct(s, dfd, paths[k], O_RDONLY, 0, k);
				s->flags |= IOSQE_IO_LINK;
				s->user_data = 0;
				s = io_uring_get_sqe(&ring);
				io_uring_prep_read(s, k, bufs[k], BUFSZ, 0);
				s->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
				s->user_data = 1;
				s = io_uring_get_sqe(&ring);
				io_uring_prep_close_direct(s, k);
				s->user_data = 0;
			}
		io_uring_submit_and_wait(&ring, k * 3);
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->user_data && cqe->res > 0)
				bytes += cqe->res;
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
	return bytes;
}

int main(int argc, char **argv)
{
	long long t0, bytes;
	long n;
	int dfd;

	if (argc != 4 || (strcmp(argv[1], "syscalls") && strcmp(argv[1], "uring"))) {
		fprintf(stderr, "usage: fileread syscalls|uring DIR N\n");
		return 2;
	}
	n = atol(argv[3]);
	dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || n <= 0) {
		perror(argv[2]);
		return 1;
	}
	t0 = now_ns();
	bytes = strcmp(argv[1], "uring") ? by_syscalls(dfd, n) : by_uring(dfd, n);
	printf("%lld\n", now_ns() - t0);
	fprintf(stderr, "fileread: %s: %lld bytes\n", argv[1], bytes);
	return 0;
}
