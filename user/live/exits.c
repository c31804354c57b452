// SPDX-License-Identifier: GPL-2.0
/* Finding the exit probes the kernel skipped (see exits.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "exits.h"
#include "memhp.h"

const char *exit_site_name(uint64_t site)
{
	switch (site) {
	case SITE_ONLINE_PAGES: return "online_pages";
	case SITE_OFFLINE_PAGES: return "offline_pages";
	case SITE_ADD_MEMORY: return "add_memory_resource";
	case SITE_REMOVE_MEMORY: return "remove_memory";
	case SITE_GROUP_STATIC: return "memory_group_register_static";
	case SITE_GROUP_DYNAMIC: return "memory_group_register_dynamic";
	case SITE_GROUP_UNREGISTER: return "memory_group_unregister";
	case SITE_GROUP_FIND: return "memory_group_find_by_id";
	case SITE_SUBSYS_ONLINE: return "memory_subsys_online";
	case SITE_SUBSYS_OFFLINE: return "memory_subsys_offline";
	case SITE_NOTIFY: return "memory_notify";
	case SITE_B_LIST_ENQ: return "balloon_page_list_enqueue";
	case SITE_B_LIST_DEQ: return "balloon_page_list_dequeue";
	case SITE_B_MIGRATE: return "balloon_page_migrate";
	default: return "?";
	}
}

/*
 * bpf_get_current_pid_tgid() gives ids of the initial PID namespace; /proc
 * shows ours. In a child namespace /proc/self/status' NSpid has more than
 * one field, and a missing /proc entry would prove nothing.
 */
bool in_initial_pid_ns(void)
{
	static int cached = -1;
	char line[256];
	FILE *f;

	if (cached >= 0)
		return cached;
	cached = 0;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned int a, b;

		if (strncmp(line, "NSpid:", 6))
			continue;
		cached = sscanf(line + 6, "%u %u", &a, &b) == 1 && a == (unsigned int)getpid();
		break;
	}
	fclose(f);
	return cached;
}

static bool thread_gone(uint64_t pid_tgid)
{
	char path[64];
	unsigned int tgid = pid_tgid >> 32, tid = (unsigned int)pid_tgid;

	snprintf(path, sizeof(path), "/proc/%u/task/%u", tgid, tid);
	return access(path, F_OK) && errno == ENOENT;
}

int exits_sweep(int fd, char *what, size_t len)
{
	struct memhp_entry_key key, next, *prev = NULL;
	/* The map holds 1024 entries: bound the walk even if it keeps changing. */
	unsigned int guard;
	int removed = 0;

	if (what && len)
		what[0] = '\0';
	if (fd < 0 || !in_initial_pid_ns())
		return 0;
	for (guard = 0; guard < 4096; guard++) {
		if (bpf_map_get_next_key(fd, prev, &next))
			return errno == ENOENT ? removed : -errno;
		if (thread_gone(next.pid_tgid) && !bpf_map_delete_elem(fd, &next)) {
			if (!removed++ && what)
				snprintf(what, len, "%s, pid %u", exit_site_name(next.site),
					 (unsigned int)next.pid_tgid);
			/* The deleted key cannot lead on: restart from the first key. */
			prev = NULL;
			continue;
		}
		key = next;
		prev = &key;
	}
	return removed;
}
