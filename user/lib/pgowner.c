// SPDX-License-Identifier: GPL-2.0
/* A page's owner from /sys/kernel/debug/page_owner (see pgowner.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonstr.h"
#include "pgowner.h"

#define LINE_MAX_ 512	/* longer lines are cut: memhp needs their start */
#define MAX_HEAD_ORDER 10 /* MAX_ORDER - 1 (6.1), MAX_PAGE_ORDER (6.12) */

/* The next line of [*p, end) into @line (NUL-terminated, cut to fit, a
 * NUL byte ends it); false at the end. */
static bool next_line(const char **p, const char *end, char *line, size_t len)
{
	const char *s = *p, *nl;
	size_t n;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', (size_t)(end - s));
	n = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	if (n >= len)
		n = len - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	return true;
}

static bool parse_u64(const char *s, int base, uint64_t *v, const char **endp)
{
	unsigned long long x;
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &e, base);
	if (errno || e == s)
		return false;
	*v = x;
	if (endp)
		*endp = e;
	return true;
}

static bool parse_int(const char *s, int *v)
{
	long x;
	char *e;

	errno = 0;
	x = strtol(s, &e, 10);
	if (errno || e == s || x < INT_MIN || x > INT_MAX)
		return false;
	*v = (int)x;
	return true;
}

/*
 * The first line, as print_page_owner() writes it:
 *   6.1  mm/page_owner.c:409 "Page allocated via order %u, mask %#x(%pGg),
 *        pid %d, tgid %d (%s), ts %llu ns, free_ts %llu ns\n"
 *   6.12 mm/page_owner.c:553 the same without ", free_ts %llu ns"
 * (older kernels: no tgid and comm; all fields after the mask are looked
 * for by name).
 */
static int parse_head(char *line, struct pgowner_rec *r)
{
	static const char lead[] = "Page allocated via order ";
	const char *p, *q;
	uint64_t v;
	char *ts;

	if (strncmp(line, lead, sizeof(lead) - 1))
		return -EINVAL;
	if (!parse_u64(line + sizeof(lead) - 1, 10, &v, &p) || v > 63)
		return -EINVAL;
	r->order = (unsigned int)v;
	if (strncmp(p, ", mask ", 7))
		return -EINVAL;
	p += 7;
	/* %#x: "0x152cca", or "0" for an empty mask */
	if (!parse_u64(p, 16, &v, &q) || v > UINT32_MAX)
		return -EINVAL;
	r->gfp = (uint32_t)v;
	if (*q == '(') {
		const char *c = strchr(q + 1, ')');
		size_t n = c ? (size_t)(c - q - 1) : 0;

		if (n >= sizeof(r->gfp_names))
			n = sizeof(r->gfp_names) - 1;
		memcpy(r->gfp_names, q + 1, n);
		r->gfp_names[n] = '\0';
		if (c)
			q = c + 1;
	}
	/* the comm may hold anything: the last "), ts " ends it */
	ts = NULL;
	for (char *s = strstr((char *)q, "), ts "); s; s = strstr(s + 1, "), ts "))
		ts = s;
	p = strstr(q, ", pid ");
	if (p && (!ts || p < ts))
		r->has_pid = parse_int(p + 6, &r->pid);
	p = strstr(q, ", tgid ");
	if (p && (!ts || p < ts) && parse_int(p + 7, &r->tgid)) {
		r->has_tgid = true;
		p = strstr(p, " (");
		if (p && ts && p < ts) {
			size_t n = (size_t)(ts - p - 2);

			if (n > PGOWNER_COMM_LEN)
				n = PGOWNER_COMM_LEN;
			memcpy(r->comm, p + 2, n);
			r->comm[n] = '\0';
			r->has_comm = true;
		}
	}
	if (ts)
		ts += 3; /* "), ts N" -> "ts N" */
	else if ((ts = strstr((char *)q, ", ts ")))
		ts += 2;
	if (ts && parse_u64(ts + 3, 10, &r->ts_ns, NULL))
		r->has_ts = true;
	return 0;
}

/*
 * "PFN %lu type ..." (6.1, mm/page_owner.c:419) or "PFN 0x%lx type ..."
 * (6.12, mm/page_owner.c:563).
 */
static int parse_pfn(const char *line, uint64_t *pfn)
{
	const char *p;

	if (strncmp(line, "PFN ", 4))
		return -EINVAL;
	p = line + 4;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return parse_u64(p + 2, 16, pfn, &p) && (*p == ' ' || !*p) ? 0 : -EINVAL;
	return parse_u64(p, 10, pfn, &p) && (*p == ' ' || !*p) ? 0 : -EINVAL;
}

/* The page allocator's own functions, as %pS names them; a "_noprof"
 * suffix (6.10+ allocation profiling) and compiler clone suffixes
 * (".constprop.0") are cut off first. */
static const char *const allocator_fns[] = {
	"__alloc_pages", "__alloc_pages_slowpath", "__alloc_pages_direct_compact",
	"__alloc_pages_direct_reclaim", "__alloc_pages_may_oom", "__alloc_pages_node",
	"__alloc_pages_bulk", "alloc_pages", "alloc_pages_node", "alloc_pages_vma",
	"alloc_pages_mpol", "alloc_pages_bulk", "alloc_pages_bulk_array_mempolicy",
	"alloc_pages_bulk_mempolicy", "alloc_pages_exact", "alloc_pages_exact_nid",
	"alloc_pages_current", "__alloc_frozen_pages", "alloc_frozen_pages",
	"alloc_frozen_pages_nolock", "alloc_pages_nolock", "get_page_from_freelist",
	"rmqueue", "rmqueue_bulk", "rmqueue_pcplist", "__rmqueue_pcplist", "rmqueue_buddy",
	"prep_new_page", "post_alloc_hook", "__set_page_owner", "set_page_owner",
	"folio_alloc", "__folio_alloc", "__folio_alloc_node", "folio_alloc_mpol",
	"vma_alloc_folio", "__get_free_pages", "get_zeroed_page", "__alloc_pages_internal",
};

bool pgowner_frame_is_allocator(const char *frame, size_t len)
{
	char name[96];
	size_t n = 0, i;

	while (len && (*frame == ' ' || *frame == '\t'))
		frame++, len--;
	while (n < len && n < sizeof(name) - 1 && frame[n] && frame[n] != '+' &&
	       frame[n] != '.' && frame[n] != ' ')
		n++;
	memcpy(name, frame, n);
	name[n] = '\0';
	if (n > 7 && !strcmp(name + n - 7, "_noprof"))
		name[n - 7] = '\0';
	for (i = 0; i < sizeof(allocator_fns) / sizeof(allocator_fns[0]); i++)
		if (!strcmp(name, allocator_fns[i]))
			return true;
	return false;
}

int pgowner_parse(const char *buf, size_t len, struct pgowner_rec *out)
{
	const char *p = buf, *end = buf + len;
	char line[LINE_MAX_];
	bool pfn = false;

	memset(out, 0, sizeof(*out));
	if (!buf || !next_line(&p, end, line, sizeof(line)) || parse_head(line, out))
		return -EINVAL;
	if (!next_line(&p, end, line, sizeof(line)) || parse_pfn(line, &out->pfn))
		return -EINVAL;
	pfn = true;
	/* the stack: stack_trace_snprint() (kernel/stacktrace.c:56), one
	 * " %pS\n" per frame, innermost first; it ends at the first line that
	 * does not start with a space (the migrate reason, memcg, "") */
	while (next_line(&p, end, line, sizeof(line)) && line[0] == ' ') {
		const char *f = line;

		while (*f == ' ')
			f++;
		if (!*f || pgowner_frame_is_allocator(f, strlen(f)))
			continue;
		snprintf(out->caller, sizeof(out->caller), "%s", f);
		break;
	}
	return pfn ? 0 : -EINVAL;
}

static void path_under(char *buf, size_t len, const char *sysroot, const char *path)
{
	snprintf(buf, len, "%s%s", sysroot && *sysroot ? sysroot : "", path);
}

/* debugfs on /sys/kernel/debug in the mount table. */
static bool debugfs_mounted(const char *sysroot)
{
	char path[PATH_MAX], line[1024], dev[256], dir[256], type[64];
	bool found = false;
	int lines = 0;
	FILE *f;

	path_under(path, sizeof(path), sysroot, "/proc/self/mounts");
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && lines++ < 100000 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %255s %63s", dev, dir, type) == 3 &&
		    !strcmp(dir, "/sys/kernel/debug") && !strcmp(type, "debugfs"))
			found = true;
	fclose(f);
	return found;
}

/* What the running kernel's config says about CONFIG_PAGE_OWNER. */
static enum pgowner_status config_says(const char *sysroot)
{
	enum pgowner_status st = PGOWNER_ABSENT;
	char path[PATH_MAX], rel[128], line[256], file[300];
	int lines = 0;
	FILE *f;

	path_under(path, sizeof(path), sysroot, "/proc/sys/kernel/osrelease");
	f = fopen(path, "re");
	if (!f)
		return st;
	if (!fgets(rel, sizeof(rel), f) || !rel[0] || strchr(rel, '/')) {
		fclose(f);
		return st;
	}
	fclose(f);
	rel[strcspn(rel, "\n")] = '\0';
	snprintf(file, sizeof(file), "/boot/config-%s", rel);
	path_under(path, sizeof(path), sysroot, file);
	f = fopen(path, "re");
	if (!f)
		return st;
	while (lines++ < 100000 && fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "CONFIG_PAGE_OWNER=y\n")) {
			st = PGOWNER_NOT_ENABLED;
			break;
		}
		if (!strcmp(line, "# CONFIG_PAGE_OWNER is not set\n")) {
			st = PGOWNER_NO_CONFIG;
			break;
		}
	}
	fclose(f);
	return st;
}

int pgowner_open(struct pgowner_src *src, const char *sysroot)
{
	char path[PATH_MAX];
	int err;

	path_under(path, sizeof(path), sysroot, "/sys/kernel/debug/page_owner");
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src->fd >= 0) {
		src->why = PGOWNER_FOUND;
		return 0;
	}
	err = -errno;
	if (err == -EACCES || err == -EPERM)
		src->why = PGOWNER_NO_ACCESS;
	else if (!debugfs_mounted(sysroot))
		src->why = PGOWNER_NO_DEBUGFS;
	else if (err == -ENOENT)
		/* pageowner_init() creates the file only when page_owner=on
		 * enabled it (mm/page_owner.c:716 in 6.1) */
		src->why = config_says(sysroot);
	else
		src->why = PGOWNER_READ_ERROR;
	return err;
}

void pgowner_close(struct pgowner_src *src)
{
	if (src->fd >= 0)
		close(src->fd);
	src->fd = -1;
}

static ssize_t pread_pfn(void *ctx, char *buf, size_t len, uint64_t pfn)
{
	const struct pgowner_src *src = ctx;

	return pread(src->fd, buf, len, (off_t)pfn);
}

enum pgowner_status pgowner_lookup(const struct pgowner_src *src, uint64_t pfn,
				   struct pgowner_rec *out)
{
	if (!src || src->fd < 0)
		return src ? src->why : PGOWNER_NOT_RECORDED;
	return pgowner_lookup_with(pread_pfn, (void *)src, pfn, out);
}

enum pgowner_status pgowner_lookup_with(pgowner_read_fn rd, void *ctx, uint64_t pfn,
					struct pgowner_rec *out)
{
	/* print_page_owner() writes at most PAGE_SIZE; one more byte tells
	 * a whole record from a cut one */
	char buf[4096 + 1];
	uint64_t head, last = UINT64_MAX;
	unsigned int k;
	ssize_t n;

	if (pfn > (uint64_t)INT64_MAX)
		return PGOWNER_NO_RECORD;
	/* read_page_owner() skips tail pages of high-order allocations: the
	 * record at or after @pfn may be the next one; then look at each
	 * order-aligned head below it */
	for (k = 0; k <= MAX_HEAD_ORDER; k++) {
		head = pfn & ~((1ULL << k) - 1);
		if (head == last)
			continue;
		last = head;
		n = rd(ctx, buf, sizeof(buf) - 1, head);
		if (n < 0)
			return PGOWNER_READ_ERROR;
		if (n == 0)
			continue; /* nothing at or after head: a lower head may cover @pfn */
		if ((size_t)n > sizeof(buf) - 1)
			return PGOWNER_BAD_RECORD;
		if (pgowner_parse(buf, (size_t)n, out))
			return PGOWNER_BAD_RECORD;
		if (out->pfn < head)
			return PGOWNER_BAD_RECORD; /* not what read_page_owner() returns */
		if (out->pfn == pfn ||
		    (out->pfn <= pfn && out->order < 64 && pfn - out->pfn < (1ULL << out->order)))
			return PGOWNER_FOUND;
	}
	return PGOWNER_NO_RECORD;
}

const char *pgowner_status_text(enum pgowner_status st)
{
	static const char *const t[PGOWNER_NR] = {
		[PGOWNER_NOT_RECORDED] = "not recorded (memhp record keeps no owner)",
		[PGOWNER_FOUND] = "",
		[PGOWNER_NO_DEBUGFS] = "debugfs not mounted on /sys/kernel/debug",
		[PGOWNER_NO_CONFIG] = "no page_owner: CONFIG_PAGE_OWNER is not set",
		[PGOWNER_NOT_ENABLED] = "no page_owner: not enabled (boot with page_owner=on)",
		[PGOWNER_ABSENT] = "no page_owner: CONFIG_PAGE_OWNER not set or page_owner=on not given",
		[PGOWNER_NO_ACCESS] = "page_owner not readable (needs root)",
		[PGOWNER_NO_RECORD] = "page_owner has no record for this page",
		[PGOWNER_BAD_RECORD] = "page_owner record not understood",
		[PGOWNER_READ_ERROR] = "page_owner read failed",
	};

	return (unsigned int)st < PGOWNER_NR ? t[st] : "unknown";
}

enum pgowner_status pgowner_note_status(const struct pgowner_note *n, uint64_t pfn)
{
	if (!n || n->pfn != pfn || (unsigned int)n->st >= PGOWNER_NR)
		return PGOWNER_NOT_RECORDED;
	return n->st;
}

void pgowner_print_text(FILE *f, const struct pgowner_rec *r)
{
	fprintf(f, "order %u, gfp %#x", r->order, r->gfp);
	if (r->has_pid)
		fprintf(f, ", pid %d", r->pid);
	if (r->has_tgid)
		fprintf(f, " tgid %d", r->tgid);
	if (r->has_comm)
		fprintf(f, " (%s)", r->comm);
	if (r->has_ts)
		fprintf(f, ", ts %" PRIu64 " ns", r->ts_ns);
	fprintf(f, ", via %s", r->caller[0] ? r->caller : "?");
}

void pgowner_print_json(FILE *f, const struct pgowner_rec *r)
{
	fprintf(f, "{\"pfn\":%" PRIu64 ",\"order\":%u,\"gfp\":\"%#x\",\"gfp_flags\":", r->pfn,
		r->order, r->gfp);
	json_string(f, r->gfp_names, sizeof(r->gfp_names));
	fprintf(f, ",\"pid\":");
	if (r->has_pid)
		fprintf(f, "%d", r->pid);
	else
		fprintf(f, "null");
	fprintf(f, ",\"tgid\":");
	if (r->has_tgid)
		fprintf(f, "%d", r->tgid);
	else
		fprintf(f, "null");
	fprintf(f, ",\"comm\":");
	if (r->has_comm)
		json_string(f, r->comm, sizeof(r->comm));
	else
		fprintf(f, "null");
	fprintf(f, ",\"ts_ns\":");
	if (r->has_ts)
		fprintf(f, "%" PRIu64, r->ts_ns);
	else
		fprintf(f, "null");
	fprintf(f, ",\"caller\":");
	if (r->caller[0])
		json_string(f, r->caller, sizeof(r->caller));
	else
		fprintf(f, "null");
	fputc('}', f);
}

void pgowner_note_json(FILE *f, const struct pgowner_note *n, uint64_t pfn)
{
	enum pgowner_status st = pgowner_note_status(n, pfn);

	fprintf(f, ",\"owner\":");
	if (st == PGOWNER_FOUND) {
		pgowner_print_json(f, &n->rec);
		return;
	}
	fprintf(f, "null,\"owner_unknown\":\"%s\"", pgowner_status_text(st));
}

void pgowner_note_text(FILE *f, const struct pgowner_note *n, uint64_t pfn)
{
	enum pgowner_status st = pgowner_note_status(n, pfn);

	if (st == PGOWNER_FOUND) {
		fprintf(f, "; owner: ");
		pgowner_print_text(f, &n->rec);
		return;
	}
	fprintf(f, "; owner ? (%s)", pgowner_status_text(st));
}
