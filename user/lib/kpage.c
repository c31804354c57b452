// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kpageflags + /proc/kpagecount: chunked reader and page classifier.
 * Why each rule is what it is: kpage.h and docs/readiness.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kpage.h"

static const char *const kind_names[KPAGE_NR_KINDS] = {
	[KPAGE_FREE] = "free",
	[KPAGE_LRU_ANON] = "lru-anon",
	[KPAGE_LRU_FILE] = "lru-file",
	[KPAGE_SLAB] = "slab",
	[KPAGE_PGTABLE] = "pgtable",
	[KPAGE_RESERVED] = "reserved",
	[KPAGE_HUGETLB] = "hugetlb",
	[KPAGE_OFFLINE] = "page-offline",
	[KPAGE_BALLOON] = "balloon",
	[KPAGE_PINNED] = "pinned",
	[KPAGE_UNKNOWN] = "unknown",
	[KPAGE_HWPOISON] = "hwpoison",
	[KPAGE_NOPAGE] = "nopage",
};

const char *kpage_kind_name(enum kpage_kind k)
{
	if ((unsigned int)k >= KPAGE_NR_KINDS)
		return "?";
	return kind_names[k];
}

int kpage_kind_parse(const char *name)
{
	int k;

	for (k = 0; k < KPAGE_NR_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

enum kpage_kind kpage_classify(uint64_t flags, uint64_t count, uint64_t mapcount_hint)
{
	/* pfn_to_online_page() == NULL: stable_page_flags() gives NOPAGE only. */
	if (flags & KPF(NOPAGE))
		return KPAGE_NOPAGE;
	/* has_unmovable_pages() and test_pages_isolated() skip poisoned pages
	 * when offlining (MEMORY_OFFLINE), before any other test. */
	if (flags & KPF(HWPOISON))
		return KPAGE_HWPOISON;
	/* The first test of has_unmovable_pages(), in every zone, ZONE_MOVABLE too. */
	if (flags & KPF(RESERVED))
		return KPAGE_RESERVED;
	/* Every page of a free buddy block has KPF_BUDDY (is_free_buddy_page()). */
	if (flags & KPF(BUDDY))
		return KPAGE_FREE;
	if (flags & KPF(OFFLINE))
		return KPAGE_OFFLINE;
	/* KPF_HUGE is set on every page of a hugetlb folio, head and tails. */
	if (flags & KPF(HUGE))
		return KPAGE_HUGETLB;
	/* 6.1 also marks tails of slab compound pages. */
	if (flags & KPF(SLAB))
		return KPAGE_SLAB;
	if (flags & KPF(PGTABLE))
		return KPAGE_PGTABLE;
	/*
	 * THP tails carry KPF_THP but, on 6.1, not KPF_LRU (PG_lru is in the
	 * head's flags only); KPF_THP means the head is on the LRU or anon.
	 * An anonymous page not yet on the LRU sits in a per-CPU LRU batch,
	 * which offlining drains (lru_add_drain_all()): it migrates.
	 * PG_swapbacked is set only on anon and shmem/tmpfs folios and stays
	 * while a migration pass has the page isolated (off the LRU, so
	 * without KPF_LRU): a tmpfs page read mid-offline is still a file
	 * page of the LRU, not an unknown kernel page.
	 */
	if (flags & (KPF(LRU) | KPF(THP) | KPF(ANON) | KPF(SWAPBACKED))) {
		if (!(flags & KPF(ANON)))
			return KPAGE_LRU_FILE;
		/*
		 * An anon page lives while page tables map it (mapcount),
		 * the swap cache holds it, or someone took a reference.
		 * Unmapped, not in swap cache, not KSM, not compound (a
		 * THP's per-page mapcount differs across kernels): only an
		 * extra reference (GUP pin, DMA, an in-flight unmap) keeps
		 * it. Heuristic: the in-flight case is transient.
		 */
		if (mapcount_hint != UINT64_MAX && count == 0 &&
		    (flags & KPF(LRU)) &&
		    !(flags & (KPF(MMAP) | KPF(SWAPCACHE) | KPF(KSM) | KPF(THP) |
			       KPF(COMPOUND_HEAD) | KPF(COMPOUND_TAIL))))
			return KPAGE_PINNED;
		return KPAGE_LRU_ANON;
	}
	/*
	 * Mapped into user space but not on any LRU and of no known type:
	 * a driver's or the vDSO's page. Nothing: a kernel allocation or a
	 * free page on a per-CPU list (refcount 0; offlining drains those).
	 * The flags cannot tell which.
	 */
	return KPAGE_UNKNOWN;
}

bool kpage_kind_movable(enum kpage_kind k)
{
	switch (k) {
	case KPAGE_FREE:
	case KPAGE_LRU_ANON:
	case KPAGE_LRU_FILE:
	case KPAGE_HUGETLB:
	case KPAGE_OFFLINE:
	case KPAGE_BALLOON:
	case KPAGE_HWPOISON:
		return true;
	default:
		return false;
	}
}

bool kpage_kind_migrates(enum kpage_kind k)
{
	return k == KPAGE_LRU_ANON || k == KPAGE_LRU_FILE || k == KPAGE_HUGETLB ||
	       k == KPAGE_BALLOON;
}

int kpage_open(const char *sysroot, const char *which)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/proc/%s", sysroot && *sysroot ? sysroot : "",
		     which);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	/* /proc files report size 0; a fixture must be whole entries. */
	if (!S_ISREG(st.st_mode) || st.st_size % 8) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int kpage_read_fd(int fd, uint64_t start_pfn, uint64_t nr, uint64_t *out)
{
	uint64_t done = 0;

	if (start_pfn > (uint64_t)INT64_MAX / 8 || nr > (uint64_t)INT64_MAX / 8 - start_pfn)
		return -EINVAL;
	while (done < nr) {
		uint64_t want = nr - done;
		size_t bytes, got = 0;

		if (want > KPAGE_CHUNK_PFNS)
			want = KPAGE_CHUNK_PFNS;
		bytes = want * 8;
		/* The kernel may return less than asked (it stops at the
		 * last pfn, and signals cut long reads): continue. */
		while (got < bytes) {
			ssize_t r = pread(fd, (char *)(out + done) + got, bytes - got,
					  (off_t)((start_pfn + done) * 8 + got));

			if (r < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			if (r == 0)
				return got % 8 ? -EINVAL : -ENODATA;
			got += (size_t)r;
		}
		done += want;
	}
	return 0;
}

int kpage_read_range(const char *sysroot, uint64_t start_pfn, uint64_t nr, uint64_t *flags,
		     uint64_t *counts)
{
	int fd, ret = 0;

	if (flags) {
		fd = kpage_open(sysroot, "kpageflags");
		if (fd < 0)
			return fd;
		ret = kpage_read_fd(fd, start_pfn, nr, flags);
		close(fd);
		if (ret)
			return ret;
	}
	if (counts) {
		fd = kpage_open(sysroot, "kpagecount");
		if (fd < 0)
			return fd;
		ret = kpage_read_fd(fd, start_pfn, nr, counts);
		close(fd);
	}
	return ret;
}

const char *kpage_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "no /proc/kpageflags or /proc/kpagecount (kernel without CONFIG_PROC_PAGE_MONITOR?)";
	case -EACCES:
	case -EPERM:
		return "permission denied: /proc/kpageflags and /proc/kpagecount need root (CAP_SYS_ADMIN)";
	case -ENODATA:
		return "the page file ends before the memory it should describe";
	case -EINVAL:
		return "the page file is not whole 8-byte entries (or the range is out of bounds)";
	default:
		return strerror(-err);
	}
}
