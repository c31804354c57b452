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
 *   hpload clockcost N              ns per clock_gettime(CLOCK_MONOTONIC),
 *                                   the mean of N calls (what a clock read
 *                                   costs on the guest's clocksource)
 *   hpload progstats PID            one line per BPF program PID holds
 *                                   (as a program fd or through a link fd):
 *                                   "id name run_time_ns run_cnt
 *                                   attach_type attach_btf_id"
 *
 * progstats exists because fdinfo of a link fd names its program but has no
 * run_time_ns/run_cnt: a tracer that keeps only links would count nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
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

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* A tracing link's attach type (fdinfo "attach_type:", 24 fentry, 25
 * fexit), -1 when the program is held without a link or the kernel does
 * not say: the report compares entry with entry and exit with exit. The
 * program's attach_btf_id (0: none) is the kernel function it traces, in
 * full: the 15-character name alone cannot tell memory_subsys_online from
 * memory_subsys_offline (bench/run.py names it from the kernel's BTF). */
static int print_prog(unsigned int id, int attach_type)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		close(fd);
		return -1;
	}
	close(fd);
	printf("%u %s %llu %llu %d %u\n", id, info.name[0] ? info.name : "-",
	       (unsigned long long)info.run_time_ns, (unsigned long long)info.run_cnt,
	       attach_type, info.attach_btf_id);
	return 0;
}

#define MAX_PROGS 256

static int progstats(long pid)
{
	unsigned int ids[MAX_PROGS], id;
	int types[MAX_PROGS], type;
	char path[64], line[128];
	size_t n = 0, i;
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "hpload: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((d = readdir(dir)) && n < MAX_PROGS) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%.16s", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		id = 0;
		type = -1;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "prog_id: %u", &id) == 1)
				continue;
			sscanf(line, "attach_type: %d", &type);
		}
		if (id) {
			for (i = 0; i < n && ids[i] != id; i++)
				;
			if (i == n) {
				ids[n] = id;
				types[n++] = type;
			} else if (type >= 0) {
				types[i] = type;
			}
		}
		fclose(f);
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		print_prog(ids[i], types[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "progstats"))
		return progstats(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "now")) {
		printf("%lld\n", now_ns());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "clockcost")) {
		long n = atol(argv[2]), i;
		long long t0;

		if (n < 1 || n > 100000000) {
			fprintf(stderr, "hpload clockcost: N from 1 to 100000000\n");
			return 2;
		}
		t0 = now_ns();
		for (i = 0; i < n; i++)
			now_ns();
		printf("%.0f\n", (double)(now_ns() - t0) / n);
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
	fprintf(stderr, "usage: hpload now | clockcost N | cycle FIRST LAST LOOPS | progstats PID\n");
	return 2;
}
