/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privileges after attaching. memhp starts as root (it loads BPF); once its
 * programs are attached it keeps only what it still needs (see
 * docs/SECURITY.md): CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN to reload the
 * driver probes when a module comes or goes (libbpf finds module BTF with
 * BPF_BTF_GET_NEXT_ID/GET_FD_BY_ID, which need CAP_SYS_ADMIN on 6.1; the
 * kernel shows /proc/iomem addresses only to it as well), and CAP_SYSLOG for
 * /proc/kallsyms addresses. The HTTP side runs as nobody with no
 * capabilities (http.c).
 */
#ifndef MEMHP_PRIVS_H
#define MEMHP_PRIVS_H

#include <stddef.h>
#include <stdint.h>

#define PRIVS_KEEP_SETID (1u << 0) /* also CAP_SETUID/SETGID: an HTTP thread follows */

/*
 * Drops every capability but the tracer's (and @flags'). Capabilities are
 * per thread: call it while the process has one thread (or from the thread
 * that keeps running). 0, or -1 with @err (the process keeps what it had).
 */
int privs_drop_after_attach(unsigned int flags, char *err, size_t errlen);

/*
 * For the calling thread only (raw syscalls, not glibc's process-wide
 * set*id): become nobody/nogroup with no capabilities and no way back.
 * Threads it creates inherit that. 0, or -errno.
 */
int privs_thread_drop_all(void);

/* The effective capability mask of this thread (bits = CAP_* numbers). */
uint64_t privs_effective(void);

#endif
