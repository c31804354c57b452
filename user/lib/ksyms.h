/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbol names for kernel addresses, from /proc/kallsyms. */
#ifndef MEMHP_KSYMS_H
#define MEMHP_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Name of the symbol at exactly @addr ("hv_online_page",
 * "virtio_mem_online_page_cb [virtio_mem]"), or its hex value when unknown
 * (no kallsyms, kptr_restrict). Results are cached: the few distinct
 * addresses memhp asks about (online-page callbacks) cost one scan each.
 */
const char *ksym_name(uint64_t addr, char *buf, size_t len);
/* For tests: read symbols from another file. */
void ksym_set_path(const char *path);

#endif
