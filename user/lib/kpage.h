/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/kpageflags and /proc/kpagecount: read in large chunks, and one page
 * classified into what it means for offlining its memory block.
 *
 * The rules follow what offline_pages() does on 6.1 and 6.12 (mm/memory_hotplug.c,
 * mm/page_isolation.c has_unmovable_pages(), fs/proc/page.c
 * stable_page_flags()); docs/readiness.md explains each kind. Two limits of
 * the interface, said once here:
 *  - kpagecount is the page's *map* count (page_mapcount(), 0 for slab and
 *    typed pages), not its reference count: references taken by GUP pins,
 *    DMA, get_page() are invisible. KPAGE_PINNED is a heuristic: an
 *    anonymous LRU page no page table maps and that is not in the swap
 *    cache can only be alive because someone holds a reference to it.
 *  - A page with no flag at all is either free on a per-CPU list (offlining
 *    drains those) or a kernel allocation (vmalloc, driver pages): the flags
 *    cannot tell them apart, so it is KPAGE_UNKNOWN and counted as unmovable.
 */
#ifndef MEMHP_KPAGE_H
#define MEMHP_KPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h; RESERVED
 * and above from include/linux/kernel-page-flags.h, same on 6.1 and 6.12). */
#define KPF_BIT_LOCKED	      0
#define KPF_BIT_LRU	      5
#define KPF_BIT_SLAB	      7
#define KPF_BIT_BUDDY	      10
#define KPF_BIT_MMAP	      11
#define KPF_BIT_ANON	      12
#define KPF_BIT_SWAPCACHE     13
#define KPF_BIT_SWAPBACKED    14
#define KPF_BIT_COMPOUND_HEAD 15
#define KPF_BIT_COMPOUND_TAIL 16
#define KPF_BIT_HUGE	      17
#define KPF_BIT_UNEVICTABLE   18
#define KPF_BIT_HWPOISON      19
#define KPF_BIT_NOPAGE	      20
#define KPF_BIT_KSM	      21
#define KPF_BIT_THP	      22
#define KPF_BIT_OFFLINE	      23
#define KPF_BIT_ZERO_PAGE     24
#define KPF_BIT_PGTABLE	      26
#define KPF_BIT_RESERVED      32
#define KPF_BIT_MLOCKED	      33

#define KPF(b) (1ull << KPF_BIT_##b)

/* Values are recorded (memhp_event.blocker_kind = kind + 1 in record
 * files): append only, never renumber. */
enum kpage_kind {
	KPAGE_FREE = 0,	  /* in the buddy allocator */
	KPAGE_LRU_ANON,	  /* anonymous (or THP), on an LRU list: migrates */
	KPAGE_LRU_FILE,	  /* page cache, tmpfs/shmem: migrates */
	KPAGE_SLAB,	  /* slab/slub: never migrates */
	KPAGE_PGTABLE,	  /* page table page */
	KPAGE_RESERVED,	  /* PG_reserved: bootmem, holes, memmap */
	KPAGE_HUGETLB,	  /* hugetlbfs page: dissolved (free) or migrated */
	KPAGE_OFFLINE,	  /* PageOffline: skipped if its driver agrees */
	KPAGE_BALLOON,	  /* PageOffline of a compaction-capable balloon */
	KPAGE_PINNED,	  /* extra references (heuristic, see above) */
	KPAGE_UNKNOWN,	  /* no flag that explains it: kernel allocation */
	KPAGE_HWPOISON,	  /* poisoned: offlining skips it */
	KPAGE_NOPAGE,	  /* no online struct page (hole) */
	KPAGE_NR_KINDS,
};

/* Stable names used in text and JSON: "free", "lru-anon", ... */
const char *kpage_kind_name(enum kpage_kind k);
/* The kind of a name, or -1. */
int kpage_kind_parse(const char *name);

/*
 * Kind of one page from its kpageflags word @flags and its kpagecount
 * @count (the mapcount; pass @mapcount_hint = @count, or UINT64_MAX when
 * kpagecount was not read: the pinned heuristic is then off).
 */
enum kpage_kind kpage_classify(uint64_t flags, uint64_t count, uint64_t mapcount_hint);

/*
 * Would offline_pages() be able to move or skip a page of this kind?
 * KPAGE_OFFLINE is "yes if the driver agrees" (virtio-mem, hv_balloon do for
 * their own pages); this returns true for it and the caller says so.
 */
bool kpage_kind_movable(enum kpage_kind k);
/* Pages of this kind must be migrated (copied) for offlining to succeed. */
bool kpage_kind_migrates(enum kpage_kind k);

/* pfns per pread: 64 Ki entries, 512 KiB per file and call. */
#define KPAGE_CHUNK_PFNS (64u * 1024u)

/*
 * Read @nr entries from @start_pfn of <sysroot>/proc/kpageflags into
 * @flags and of <sysroot>/proc/kpagecount into @counts (either may be NULL:
 * that file is not read). @sysroot NULL or "" is "/". One pread per
 * KPAGE_CHUNK_PFNS. Returns 0, or a negative errno: -ENOENT (no file),
 * -EACCES/-EPERM (not root), -ENODATA (the file ends before @start_pfn +
 * @nr), -EINVAL (a size that is not a multiple of 8, a read that returned
 * a partial entry, or @nr too big).
 */
int kpage_read_range(const char *sysroot, uint64_t start_pfn, uint64_t nr, uint64_t *flags,
		     uint64_t *counts);

/*
 * The same with open descriptors (-1: not read), for scanners that read many
 * ranges without reopening. kpage_open() opens one of the two files
 * ("kpageflags" or "kpagecount") under @sysroot: an fd or -errno.
 */
int kpage_open(const char *sysroot, const char *which);
int kpage_read_fd(int fd, uint64_t start_pfn, uint64_t nr, uint64_t *out);

/* A one-line explanation of a kpage_read_range() error, for users. */
const char *kpage_strerror(int err);

#endif
