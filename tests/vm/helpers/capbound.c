// SPDX-License-Identifier: GPL-2.0
/*
 * capbound CAP[,CAP...] PROG [ARG...]: run PROG with only these capabilities
 * in the bounding set, as systemd's CapabilityBoundingSet= does (root's
 * execve then permits exactly those). The lab guest's busybox setpriv has no
 * --bounding-set; this is the static stand-in (tests/vm/scenarios/test_units_lab.py).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

static const char *const names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define NR_NAMES (int)(sizeof(names) / sizeof(names[0]))

/* Is capability c named in the comma-separated list (CAP_ prefix optional)? */
static int listed(const char *list, int c)
{
	char buf[1024], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!strncasecmp(tok, "cap_", 4))
			tok += 4;
		if (!strcasecmp(tok, names[c]))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int c, known = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: capbound CAP[,CAP...] PROG [ARG...]\n");
		return 2;
	}
	for (c = 0; c < NR_NAMES; c++)
		known += listed(argv[1], c);
	if (!known) {
		fprintf(stderr, "capbound: no known capability in '%s'\n", argv[1]);
		return 2;
	}
	/* every capability the kernel knows, beyond the named list too */
	for (c = 0; c < 64; c++) {
		if (c < NR_NAMES && listed(argv[1], c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL) {
			fprintf(stderr, "capbound: dropping capability %d: %s\n", c, strerror(errno));
			return 1;
		}
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "capbound: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
