/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process's own resource use, read from /proc/self the way Prometheus
 * client libraries read it for their process_* metrics (client_golang's
 * process collector): /proc/self/stat for CPU time, memory and start time,
 * /proc/stat's btime for the boot time, /proc/self/fd for open files, and
 * RLIMIT_NOFILE's soft limit for the maximum.
 */
#ifndef MEMHP_PROCSELF_H
#define MEMHP_PROCSELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc_self {
	bool have_stat;	      /* the four below */
	double cpu_seconds;   /* user + system */
	uint64_t rss_bytes;   /* resident set */
	uint64_t vsize_bytes; /* virtual memory */
	double start_time;    /* Unix seconds; 0 when /proc/stat has no btime */
	bool have_fds;
	uint64_t open_fds;
	bool have_max_fds;
	uint64_t max_fds; /* RLIMIT_NOFILE soft limit; UINT64_MAX: unlimited */
};

/* The fields of /proc/PID/stat that are used. */
struct proc_stat_fields {
	uint64_t utime, stime; /* clock ticks */
	uint64_t starttime;    /* clock ticks after boot */
	uint64_t vsize;	       /* bytes */
	uint64_t rss;	       /* pages */
};

/*
 * Parse one /proc/PID/stat line (@len bytes, not necessarily terminated).
 * The command name may hold spaces and ')': fields are counted after the
 * last ')'. Returns 0, or -1 when a field is missing or not a number.
 */
int proc_stat_parse(const char *buf, size_t len, struct proc_stat_fields *f);

/* The "btime N" line of /proc/stat in @len bytes; 0, or -1 when absent. */
int proc_btime_parse(const char *buf, size_t len, uint64_t *btime);

/*
 * Fill @ps from @proc ("/proc"; a test may point it at a tree) and
 * getrlimit(). What cannot be read is left out (have_* false); never fails.
 */
void proc_self_read(struct proc_self *ps, const char *proc);

#endif
