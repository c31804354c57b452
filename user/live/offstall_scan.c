// SPDX-License-Identifier: GPL-2.0
/* Offline calls in flight, from the offlines map (see offstall_scan.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "exits.h"
#include "offstall_scan.h"

/* /proc/TGID/task/TID/FILE into @buf ("" when it cannot be read). */
static void read_task_file(uint64_t pid_tgid, const char *file, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/task/%u/%s", (unsigned int)(pid_tgid >> 32),
		 (unsigned int)pid_tgid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Whether the thread is in offline_pages(): its kernel stack (root,
 * CONFIG_STACKTRACE) names it. An empty or unreadable stack (a thread on a
 * CPU right now, a kernel without it) cannot tell: then yes.
 */
static bool in_offline_pages(uint64_t pid_tgid)
{
	char stack[4096];

	if (!in_initial_pid_ns())
		return true;
	read_task_file(pid_tgid, "stack", stack, sizeof(stack));
	return !stack[0] || strstr(stack, "offline_pages");
}

int offstall_scan(int fd, struct offstall *st, uint64_t now_ns, offstall_emit_fn emit,
		  void *ctx)
{
	struct memhp_entry_key key, next, *prev = NULL;
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);
	struct memhp_offline en;
	struct memhp_event e;
	unsigned int guard;
	int made = 0, cpu;
	char comm[MEMHP_COMM_LEN + 1];

	if (fd < 0 || !st->stuck_after_ns)
		return 0;
	memset(&info, 0, sizeof(info));
	/* a map of another layout (a BPF object from another build) is not read */
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	if (info.key_size != sizeof(key) || info.value_size != sizeof(en))
		return -EPROTO;
	offstall_scan_begin(st);
	/* 1024 entries: bound the walk even if the map keeps changing */
	for (guard = 0; guard < 4096; guard++) {
		if (bpf_map_get_next_key(fd, prev, &next)) {
			if (errno != ENOENT)
				return -errno;
			break;
		}
		key = next;
		prev = &key;
		if (key.site != SITE_OFFLINE_PAGES || bpf_map_lookup_elem(fd, &key, &en))
			continue;
		if (!offstall_due(st, key.pid_tgid, &en, now_ns) || !in_offline_pages(key.pid_tgid))
			continue;
		read_task_file(key.pid_tgid, "comm", comm, sizeof(comm));
		comm[strcspn(comm, "\n")] = '\0';
		cpu = sched_getcpu();
		offstall_event(&e, key.pid_tgid, &en, now_ns, comm, cpu < 0 ? 0 : (unsigned int)cpu);
		emit(&e, ctx);
		made++;
	}
	offstall_scan_end(st);
	return made;
}
