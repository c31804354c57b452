/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who allocated a page, from /sys/kernel/debug/page_owner (CONFIG_PAGE_OWNER
 * and page_owner=on). read_page_owner() (mm/page_owner.c, 6.1 and 6.12)
 * takes the file offset as a pfn and returns the record of the first
 * tracked, allocated, order-aligned page at or after it; a pread at the
 * blocker's pfn (or, for the tail of a high-order allocation, at its
 * head) is one lookup, no scan of the file. docs/events.md, "owner".
 */
#ifndef MEMHP_PGOWNER_H
#define MEMHP_PGOWNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Why there is (or is not) an owner. Values are not recorded. */
enum pgowner_status {
	PGOWNER_NOT_RECORDED = 0, /* not looked up: a replay (memhp record keeps no owner) */
	PGOWNER_FOUND,
	PGOWNER_NO_DEBUGFS,	  /* debugfs not mounted on /sys/kernel/debug */
	PGOWNER_NO_CONFIG,	  /* file absent; the kernel config says CONFIG_PAGE_OWNER is not set */
	PGOWNER_NOT_ENABLED,	  /* file absent; CONFIG_PAGE_OWNER=y, so page_owner=on was not given */
	PGOWNER_ABSENT,		  /* file absent, config not found: either of the two above */
	PGOWNER_NO_ACCESS,	  /* open failed (EACCES/EPERM: not root) */
	PGOWNER_NO_RECORD,	  /* the kernel has no allocated record for this pfn (free, untracked) */
	PGOWNER_BAD_RECORD,	  /* a record memhp cannot parse */
	PGOWNER_READ_ERROR,	  /* pread failed */
	PGOWNER_NR,
};

#define PGOWNER_COMM_LEN 16   /* TASK_COMM_LEN */
#define PGOWNER_FRAME_LEN 112 /* "function+0x1c/0x80 [module]" */
#define PGOWNER_GFP_LEN 112   /* "GFP_HIGHUSER_MOVABLE|__GFP_COMP" */

/* One record of print_page_owner(); has_* for the fields older kernels lack. */
struct pgowner_rec {
	uint64_t pfn;
	unsigned int order;
	uint32_t gfp;
	char gfp_names[PGOWNER_GFP_LEN]; /* %pGg, "" when absent */
	bool has_pid, has_tgid, has_comm, has_ts;
	int pid, tgid;
	char comm[PGOWNER_COMM_LEN + 1];
	uint64_t ts_ns;		      /* allocation time, local_clock() ns */
	char caller[PGOWNER_FRAME_LEN]; /* first frame outside the page allocator, "" none */
};

/*
 * Parses one record (what one read of the file returns). Bounded by @len,
 * NUL bytes or not; 0, or -EINVAL when the two lines memhp needs (the
 * "Page allocated via" and the "PFN" line) are not there.
 */
int pgowner_parse(const char *buf, size_t len, struct pgowner_rec *out);

/* Whether @frame (" name+0x../0x.. [mod]" text) is inside the page allocator. */
bool pgowner_frame_is_allocator(const char *frame, size_t len);

/* The page_owner file, opened once (before privileges drop). */
struct pgowner_src {
	int fd;			  /* -1: unavailable, @why says why */
	enum pgowner_status why;
};

/*
 * Opens @sysroot/sys/kernel/debug/page_owner (NULL: /). When it cannot,
 * src->why tells why, from @sysroot/proc/self/mounts and
 * @sysroot/boot/config-<osrelease>. Returns 0 when open, else -errno.
 */
int pgowner_open(struct pgowner_src *src, const char *sysroot);
void pgowner_close(struct pgowner_src *src);

/*
 * The owner of @pfn: the record at @pfn, else the record of the
 * high-order allocation whose head is below it and that covers it.
 * PGOWNER_FOUND with @out filled, or the reason there is none.
 */
enum pgowner_status pgowner_lookup(const struct pgowner_src *src, uint64_t pfn,
				   struct pgowner_rec *out);

/*
 * The same over any reader of the file's semantics: @rd reads, into @buf,
 * the record of the first owned page at or after @pfn (0 at the end, -1
 * on error). pgowner_lookup() is this over pread(); tests and the fuzz
 * target hand in their own.
 */
typedef ssize_t (*pgowner_read_fn)(void *ctx, char *buf, size_t len, uint64_t pfn);
enum pgowner_status pgowner_lookup_with(pgowner_read_fn rd, void *ctx, uint64_t pfn,
					struct pgowner_rec *out);

/* "debugfs not mounted", ...; "" for PGOWNER_FOUND. */
const char *pgowner_status_text(enum pgowner_status st);

/* A looked-up owner: what the printers take (NULL: not recorded). */
struct pgowner_note {
	uint64_t pfn; /* the page it was looked up for */
	enum pgowner_status st;
	struct pgowner_rec rec; /* PGOWNER_FOUND only */
};

/* The note for @pfn, NULL-safe: the not-recorded status when @n is NULL or for another pfn. */
enum pgowner_status pgowner_note_status(const struct pgowner_note *n, uint64_t pfn);

/* One line: "order 0, gfp 0x152cca, pid 812 tgid 812 (stress), ts 12345 ns, via shmem_alloc_folio+0x3c/0x80". */
void pgowner_print_text(FILE *f, const struct pgowner_rec *r);
/* {"pfn":..,"order":..,"gfp":"0x..","gfp_flags":"..","pid":..,"tgid":..,"comm":..,"ts_ns":..,"caller":..} */
void pgowner_print_json(FILE *f, const struct pgowner_rec *r);

/*
 * The owner of the page at @pfn as a JSON member list, for any output that
 * names a blocking page: ,"owner":{...} when found, else ,"owner":null,
 * "owner_unknown":"<why>" (docs/events.md). Text: "; owner ..." or
 * "; owner ? (<why>)".
 */
void pgowner_note_json(FILE *f, const struct pgowner_note *n, uint64_t pfn);
void pgowner_note_text(FILE *f, const struct pgowner_note *n, uint64_t pfn);

#endif
