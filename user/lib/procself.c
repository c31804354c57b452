// SPDX-License-Identifier: GPL-2.0
/* The process's own resource use from /proc/self (see procself.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "procself.h"

/* An unsigned decimal at *@p (before @end), then one space or the end. */
static int next_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	*p = s;
	return 0;
}

/* Skip one field (any characters up to a space) and the space after it. */
static int skip_field(const char **p, const char *end)
{
	const char *s = *p;

	if (s >= end || *s == ' ')
		return -1;
	while (s < end && *s != ' ' && *s != '\n')
		s++;
	if (s >= end || *s != ' ')
		return -1;
	*p = s + 1;
	return 0;
}

int proc_stat_parse(const char *buf, size_t len, struct proc_stat_fields *f)
{
	const char *end = buf + len, *p = NULL, *s;
	uint64_t v;
	int field;

	/* "pid (comm) state ppid ...": comm is anything, so after the last ')' */
	for (s = buf; s < end; s++)
		if (*s == ')')
			p = s;
	if (!p || end - p < 2 || p[1] != ' ')
		return -1;
	p += 2;
	/* p is at field 3 (state); the fields used are 14, 15, 22, 23, 24 */
	for (field = 3; field <= 24; field++) {
		switch (field) {
		case 14: case 15: case 22: case 23: case 24:
			if (next_u64(&p, end, &v))
				return -1;
			if (field == 14)
				f->utime = v;
			else if (field == 15)
				f->stime = v;
			else if (field == 22)
				f->starttime = v;
			else if (field == 23)
				f->vsize = v;
			else
				f->rss = v;
			if (field == 24)
				return 0;
			if (p >= end || *p != ' ')
				return -1;
			p++;
			break;
		default:
			if (skip_field(&p, end))
				return -1;
		}
	}
	return -1;
}

int proc_btime_parse(const char *buf, size_t len, uint64_t *btime)
{
	const char *end = buf + len, *p = buf;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p + 6;

		if (!nl)
			nl = end;
		if (nl - p > 6 && !memcmp(p, "btime ", 6) && !next_u64(&q, nl, btime) && q == nl)
			return 0;
		p = nl + 1;
	}
	return -1;
}

/* The whole of a small file into @buf (NUL-terminated); its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Entries of @path but . and .. (the directory's own fd included, as the
 * client libraries count it); -1 when it cannot be read. */
static int64_t count_entries(const char *path)
{
	struct dirent *de;
	int64_t n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * /proc/stat's btime. The file grows with the CPUs and interrupts (its
 * intr line alone can be tens of KiB), so it is read line by line.
 */
static int boot_time(const char *proc, uint64_t *btime)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stat", proc);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (rc && (n = getline(&line, &cap, f)) > 0)
		if (n > 6 && !memcmp(line, "btime ", 6))
			rc = proc_btime_parse(line, (size_t)n, btime);
	free(line);
	fclose(f);
	return rc;
}

void proc_self_read(struct proc_self *ps, const char *proc)
{
	char path[PATH_MAX], buf[8192];
	struct proc_stat_fields f;
	struct rlimit rl;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	uint64_t btime;
	ssize_t n;
	int64_t fds;

	memset(ps, 0, sizeof(*ps));
	if (!proc)
		proc = "/proc";
	snprintf(path, sizeof(path), "%s/self/stat", proc);
	n = read_small(path, buf, sizeof(buf));
	if (n > 0 && tck > 0 && page > 0 && !proc_stat_parse(buf, (size_t)n, &f)) {
		ps->have_stat = true;
		ps->cpu_seconds = (double)(f.utime + f.stime) / (double)tck;
		ps->rss_bytes = f.rss * (uint64_t)page;
		ps->vsize_bytes = f.vsize;
		if (!boot_time(proc, &btime))
			ps->start_time = (double)btime + (double)f.starttime / (double)tck;
	}
	snprintf(path, sizeof(path), "%s/self/fd", proc);
	fds = count_entries(path);
	if (fds >= 0) {
		ps->have_fds = true;
		ps->open_fds = (uint64_t)fds;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		ps->have_max_fds = true;
		ps->max_fds = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	}
}
