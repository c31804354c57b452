// SPDX-License-Identifier: GPL-2.0
/*
 * soakmon: the guest side of the soak (tests/vm/soak.py), linked statically
 * for the lab's busybox initramfs. Every loop is bounded by MAX_S seconds and
 * ends early when STOPFILE exists.
 *
 *   soakmon scrape PORT INTERVAL_MS MAX_S OUT STOPFILE
 *       GET /metrics from 127.0.0.1:PORT every INTERVAL_MS; one line per
 *       scrape in OUT: "start_ns latency_ns bytes ok render_s" (ok: HTTP 200 and a
 *       memhp_blocks series in the body; latency from connect() to EOF;
 *       render_s: memhp_exporter_render_seconds in the body, -1 if none)
 *   soakmon sample INTERVAL_MS MAX_S OUT STOPFILE PID...
 *       every INTERVAL_MS: "T now_ns progs maps links" (BPF objects loaded in
 *       the kernel, by BPF_*_GET_NEXT_ID) then per PID
 *       "P pid rss_kb fds bpf_prog_fds bpf_map_fds bpf_link_fds anon_kb file_kb"
 *       (VmRSS, RssAnon, RssFile; -1: gone)
 *   soakmon bpfcount            "progs maps links" loaded in the kernel now
 *   soakmon bpffds PID          "rss_kb fds prog_fds map_fds link_fds" of PID
 *   soakmon bpfholders          pids holding any bpf fd, one a line
 *   soakmon cycle LOOPS BLOCK...
 *       LOOPS times: offline, then online_movable, each online BLOCK
 *       (sysfs); prints "offline_ok offline_failed online_ok online_failed"
 *       counting each write that reached the kernel (a failed offline is
 *       retried up to 20 times, each try counted; a block that stays online
 *       is not onlined again)
 *   soakmon setstate STATE BLOCK...
 *       write STATE to each block not already in it; prints "ok failed"
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t)
{
	long long d = t - now_ns();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = d / 1000000000LL;
	ts.tv_nsec = d % 1000000000LL;
	nanosleep(&ts, NULL);
}

static int stop_now(const char *stopfile)
{
	return access(stopfile, F_OK) == 0;
}

/* --- scrape ---------------------------------------------------------------- */

#define SCRAPE_MAX (4 << 20)

static char body[SCRAPE_MAX + 1];

/* Bytes read (the whole response), -1 on a connection error. */
static long scrape_once(int port)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n"
				  "Connection: close\r\n\r\n";
	struct timeval tv = { .tv_sec = 10 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		close(fd);
		return -1;
	}
	while (len < SCRAPE_MAX && (n = read(fd, body + len, SCRAPE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 && len < SCRAPE_MAX)
		return -1;
	body[len] = 0;
	return (long)len;
}

static int scrape(int argc, char **argv)
{
	int port = atoi(argv[2]);
	long long step = atoll(argv[3]) * 1000000LL, end, next;
	const char *stopfile = argv[6];
	FILE *out;

	if (argc != 7 || port <= 0 || step <= 0)
		return 2;
	out = fopen(argv[5], "w");
	if (!out) {
		fprintf(stderr, "soakmon: %s: %s\n", argv[5], strerror(errno));
		return 1;
	}
	end = now_ns() + atoll(argv[4]) * 1000000000LL;
	next = now_ns();
	while (now_ns() < end && !stop_now(stopfile)) {
		long long t0 = now_ns(), dt;
		long n = scrape_once(port);
		char *render;
		int ok;

		dt = now_ns() - t0;
		ok = n > 0 && !strncmp(body, "HTTP/1.", 7) && !strncmp(body + 8, " 200", 4) &&
		     strstr(body, "\nmemhp_blocks{");
		/* the exporter's own figure: how long its previous render held
		 * the model lock (the rest of the latency is elsewhere) */
		render = ok ? strstr(body, "\nmemhp_exporter_render_seconds ") : NULL;
		fprintf(out, "%lld %lld %ld %d %s\n", t0, dt, n, ok,
			render ? strtok(render + 31, "\n") : "-1");
		fflush(out);
		next += step;
		if (next < now_ns())
			next = now_ns(); /* late: no burst to catch up */
		sleep_until(next);
	}
	fclose(out);
	return 0;
}

/* --- BPF objects and process resources ---------------------------------- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Objects of one kind loaded in the kernel (bounded walk); -1 if not allowed. */
static long count_ids(int cmd)
{
	union bpf_attr attr;
	unsigned int id = 0;
	long n = 0;

	while (n < 100000) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(cmd, &attr))
			return errno == ENOENT ? n : -1;
		id = attr.next_id;
		n++;
	}
	return n;
}

static void bpf_counts(long *progs, long *maps, long *links)
{
	*progs = count_ids(BPF_PROG_GET_NEXT_ID);
	*maps = count_ids(BPF_MAP_GET_NEXT_ID);
	*links = count_ids(BPF_LINK_GET_NEXT_ID);
}

struct proc_res {
	long rss_kb, anon_kb, file_kb, fds, progs, maps, links;
};

static int proc_res(long pid, struct proc_res *r)
{
	char path[64], line[256], target[128];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	memset(r, 0, sizeof(*r));
	r->rss_kb = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	r->anon_kb = r->file_kb = -1;
	/* RssAnon: the heap, where a leak shows; RssFile: the binary's pages
	 * touched so far, which grow as new code paths run for the first time */
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld", &r->rss_kb);
		sscanf(line, "RssAnon: %ld", &r->anon_kb);
		sscanf(line, "RssFile: %ld", &r->file_kb);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		r->fds++;
		snprintf(path, sizeof(path), "/proc/%ld/fd/%.16s", pid, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (!strcmp(target, "anon_inode:bpf-prog"))
			r->progs++;
		else if (!strcmp(target, "anon_inode:bpf-map"))
			r->maps++;
		else if (!strcmp(target, "anon_inode:bpf_link"))
			r->links++;
	}
	closedir(dir);
	return 0;
}

static int sample(int argc, char **argv)
{
	long long step = atoll(argv[2]) * 1000000LL, end, next;
	const char *stopfile = argv[5];
	FILE *out;
	int i;

	if (argc < 7 || step <= 0)
		return 2;
	out = fopen(argv[4], "w");
	if (!out) {
		fprintf(stderr, "soakmon: %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	end = now_ns() + atoll(argv[3]) * 1000000000LL;
	next = now_ns();
	while (now_ns() < end && !stop_now(stopfile)) {
		long progs, maps, links;

		bpf_counts(&progs, &maps, &links);
		fprintf(out, "T %lld %ld %ld %ld\n", now_ns(), progs, maps, links);
		for (i = 6; i < argc; i++) {
			struct proc_res r;
			long pid = atol(argv[i]);

			if (proc_res(pid, &r))
				fprintf(out, "P %ld -1 -1 -1 -1 -1 -1 -1\n", pid);
			else
				fprintf(out, "P %ld %ld %ld %ld %ld %ld %ld %ld\n", pid, r.rss_kb,
					r.fds, r.progs, r.maps, r.links, r.anon_kb, r.file_kb);
		}
		fflush(out);
		next += step;
		if (next < now_ns())
			next = now_ns();
		sleep_until(next);
	}
	fclose(out);
	return 0;
}

static int bpfholders(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 1;
	while ((d = readdir(dir))) {
		struct proc_res r;
		long pid = atol(d->d_name);

		if (pid > 0 && !proc_res(pid, &r) && r.progs + r.maps + r.links > 0)
			printf("%ld\n", pid);
	}
	closedir(dir);
	return 0;
}

/* --- sysfs block states ----------------------------------------------------- */

static int read_state(long blk, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state", blk);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* 0 written, 1 the kernel refused, -1 no such block */
static int write_state(long blk, const char *what)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state", blk);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, what, strlen(what));
	close(fd);
	return n >= 0 ? 0 : 1;
}

/* Blocks that are online (or offline) now, by the kernel's word. */
static int is_state(long blk, const char *want)
{
	char st[32];

	return !read_state(blk, st, sizeof(st)) && !strcmp(st, want);
}

static int cycle(int argc, char **argv)
{
	long loops = atol(argv[2]), i, off_ok = 0, off_bad = 0, on_ok = 0, on_bad = 0;
	int b, tries;

	if (argc < 4 || loops < 0 || loops > 100000)
		return 2;
	for (i = 0; i < loops; i++) {
		for (b = 3; b < argc; b++) {
			long blk = atol(argv[b]);

			if (!is_state(blk, "online"))
				continue;
			for (tries = 0; tries < 20; tries++) {
				int r = write_state(blk, "offline");

				if (r < 0)
					break;
				if (r == 0) {
					off_ok++;
					break;
				}
				off_bad++;
				usleep(20000);
			}
		}
		for (b = 3; b < argc; b++) {
			long blk = atol(argv[b]);
			int r;

			if (!is_state(blk, "offline"))
				continue;
			r = write_state(blk, "online_movable");
			if (r == 0)
				on_ok++;
			else if (r > 0)
				on_bad++;
		}
	}
	printf("%ld %ld %ld %ld\n", off_ok, off_bad, on_ok, on_bad);
	return 0;
}

static int set_states(int argc, char **argv)
{
	const char *want = argv[2];
	const char *now_is = strncmp(want, "online", 6) ? "offline" : "online";
	long ok = 0, bad = 0;
	int b, tries;

	for (b = 3; b < argc; b++) {
		long blk = atol(argv[b]);

		for (tries = 0; tries < 20 && !is_state(blk, now_is); tries++) {
			int r = write_state(blk, want);

			if (r < 0)
				break;
			if (r == 0) {
				ok++;
				break;
			}
			bad++;
			usleep(20000);
		}
	}
	printf("%ld %ld\n", ok, bad);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "scrape"))
		return scrape(argc, argv);
	if (argc >= 7 && !strcmp(argv[1], "sample"))
		return sample(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "bpfcount")) {
		long p, m, l;

		bpf_counts(&p, &m, &l);
		printf("%ld %ld %ld\n", p, m, l);
		return p < 0 || m < 0 || l < 0;
	}
	if (argc == 3 && !strcmp(argv[1], "bpffds")) {
		struct proc_res r;

		if (proc_res(atol(argv[2]), &r))
			return 1;
		printf("%ld %ld %ld %ld %ld\n", r.rss_kb, r.fds, r.progs, r.maps, r.links);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "bpfholders"))
		return bpfholders();
	if (argc >= 4 && !strcmp(argv[1], "cycle"))
		return cycle(argc, argv);
	if (argc >= 4 && !strcmp(argv[1], "setstate"))
		return set_states(argc, argv);
	fprintf(stderr, "usage: soakmon scrape PORT INTERVAL_MS MAX_S OUT STOPFILE\n"
			"       soakmon sample INTERVAL_MS MAX_S OUT STOPFILE PID...\n"
			"       soakmon bpfcount | bpffds PID | bpfholders\n"
			"       soakmon cycle LOOPS BLOCK... | setstate STATE BLOCK...\n");
	return 2;
}
