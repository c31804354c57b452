// SPDX-License-Identifier: GPL-2.0
/* Dropping privileges after attaching (see privs.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/capability.h>

#include "privs.h"

#define NOBODY 65534

/* Sets this thread's permitted and effective sets to @keep (those it has). */
static int set_caps(const cap_value_t *keep, int n)
{
	cap_t now = cap_get_proc(), want = cap_init();
	cap_value_t have[16];
	int i, k = 0, rc = -1;

	if (!now || !want)
		goto out;
	for (i = 0; i < n && k < 16; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (!cap_get_flag(now, keep[i], CAP_PERMITTED, &v) && v == CAP_SET)
			have[k++] = keep[i];
	}
	if (k && (cap_set_flag(want, CAP_PERMITTED, k, have, CAP_SET) ||
		  cap_set_flag(want, CAP_EFFECTIVE, k, have, CAP_SET)))
		goto out;
	rc = cap_set_proc(want);
out:
	if (now)
		cap_free(now);
	if (want)
		cap_free(want);
	return rc;
}

int privs_drop_after_attach(unsigned int flags, char *err, size_t errlen)
{
	cap_value_t keep[] = { CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYSLOG,
			       CAP_SETUID, CAP_SETGID };
	int n = (flags & PRIVS_KEEP_SETID) ? 6 : 4;

	/* Nothing memhp runs may gain privileges back (it runs nothing). */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (set_caps(keep, n)) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int privs_thread_drop_all(void)
{
	uid_t r = 0, e = 0, s = 0;

	/*
	 * Raw syscalls: glibc's setresuid() would change every thread. EPERM
	 * is fine for a process that never was root (nothing to drop), never
	 * for one that is: a thread left at uid 0 would serve the network as
	 * root (say, under a unit whose capability bounding set lacks
	 * CAP_SETUID/CAP_SETGID), so that is checked below, not swallowed.
	 */
	if (syscall(SYS_setgroups, 0, NULL) && errno != EPERM)
		return -errno;
	if (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) && errno != EPERM)
		return -errno;
	if (syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY) && errno != EPERM)
		return -errno;
	if (syscall(SYS_getresuid, &r, &e, &s))
		return -errno;
	if (!r || !e || !s)
		return -EPERM;
	/* Leaving uid 0 cleared the sets; this covers a non-root start. */
	if (set_caps(NULL, 0))
		return -errno;
	return 0;
}

uint64_t privs_effective(void)
{
	uint64_t mask = 0;
	cap_t c = cap_get_proc();
	cap_value_t v;

	if (!c)
		return 0;
	for (v = 0; v < 64 && cap_valid(v); v++) {
		cap_flag_value_t f = CAP_CLEAR;

		if (!cap_get_flag(c, v, CAP_EFFECTIVE, &f) && f == CAP_SET)
			mask |= 1ull << v;
	}
	cap_free(c);
	return mask;
}
