/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): a scratch
 * directory per process, rm -rf, a /dev/null stream, a byte reader for
 * structured inputs, and the tiny text format that describes a file tree
 * (sysfs, procfs) built fresh for every input.
 *
 * Everything is static: each target is one translation unit plus the
 * memhp sources it fuzzes.
 */
#ifndef MEMHP_FUZZ_COMMON_H
#define MEMHP_FUZZ_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_UNUSED __attribute__((unused))

/* Where the harness's own messages go: stderr, or a copy of it made
 * before libFuzzer closes it (-close_fd_mask=2, targets whose code under
 * test logs a lot). */
static int fz_err_fd = 2;

static FZ_UNUSED __attribute__((format(printf, 1, 2))) void
fz_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(fz_err_fd, fmt, ap);
	va_end(ap);
}

/* A harness bug or a violated invariant of the code under test: crash so
 * libFuzzer records the input. */
#define FZ_CHECK(cond)                                                        \
	do {                                                                  \
		if (!(cond)) {                                                \
			fz_err("%s:%d: fuzz check failed: %s\n", __FILE__,    \
			       __LINE__, #cond);                              \
			abort();                                              \
		}                                                             \
	} while (0)

/* --- scratch directory ------------------------------------------------- */

static char fz_base[PATH_MAX];

static int fz_rm_one(const char *p, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

/* rm -rf @path (never follows symlinks). */
static FZ_UNUSED void fz_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	/* directories made without search permission by a test still go */
	nftw(path, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fz_base_cleanup(void)
{
	if (fz_base[0])
		fz_rmtree(fz_base);
}

/*
 * A private directory for this process: under $MEMHP_FUZZ_TMP (the runner
 * sets it and removes it afterwards, also after a crash), else /dev/shm
 * (tmpfs: fast), else $TMPDIR or /tmp. Removed at exit.
 */
static FZ_UNUSED const char *fz_tmpdir(void)
{
	const char *cands[4];
	size_t i, n = 0;

	if (fz_base[0])
		return fz_base;
	cands[n++] = getenv("MEMHP_FUZZ_TMP");
	cands[n++] = "/dev/shm";
	cands[n++] = getenv("TMPDIR");
	cands[n++] = "/tmp";
	for (i = 0; i < n; i++) {
		if (!cands[i] || !*cands[i] || access(cands[i], W_OK))
			continue;
		snprintf(fz_base, sizeof(fz_base), "%s/memhp-fuzz-XXXXXX",
			 cands[i]);
		if (mkdtemp(fz_base)) {
			atexit(fz_base_cleanup);
			return fz_base;
		}
	}
	fprintf(stderr, "fuzz: cannot make a scratch directory\n");
	abort();
}

static FZ_UNUSED int fz_write_file(const char *path, const void *data,
				   size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return 0;
}

/* Output of formatters goes here (formatting still runs in full). */
static FZ_UNUSED FILE *fz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "we");
	FZ_CHECK(f);
	return f;
}

/* --- structured input ---------------------------------------------------- */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static FZ_UNUSED uint64_t fz_take(struct fz_in *in, size_t bytes)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

static FZ_UNUSED uint8_t fz_u8(struct fz_in *in)
{
	return (uint8_t)fz_take(in, 1);
}

static FZ_UNUSED uint16_t fz_u16(struct fz_in *in)
{
	return (uint16_t)fz_take(in, 2);
}

static FZ_UNUSED uint32_t fz_u32(struct fz_in *in)
{
	return (uint32_t)fz_take(in, 4);
}

static FZ_UNUSED uint64_t fz_u64(struct fz_in *in)
{
	return fz_take(in, 8);
}

/* Up to @max bytes: the next length byte says how many. */
static FZ_UNUSED const uint8_t *fz_bytes(struct fz_in *in, size_t max,
					 size_t *len)
{
	size_t n = fz_u8(in);
	const uint8_t *p = in->p;

	if (n > max)
		n = max;
	if (n > in->n)
		n = in->n;
	in->p += n;
	in->n -= n;
	*len = n;
	return p;
}

/* --- file trees ---------------------------------------------------------
 *
 * A tree is described by lines, one entry each:
 *
 *   f PATH=CONTENT    regular file (no newline added: write \n)
 *   d PATH            directory
 *   l PATH=TARGET     symbolic link
 *   p PATH            FIFO
 *   a ARG             an extra argument for the code under test (memhp ls)
 *
 * PATH is relative to the tree's root, with shorthands for the usual
 * places: M/ sys/devices/system/memory/, N/ sys/devices/system/node/,
 * P/ sys/module/memory_hotplug/parameters/, V/ sys/module/virtio_mem/
 * parameters/, F/ sys/firmware/memmap/, B/ sys/bus/virtio/devices/,
 * Z/ proc/ (zoneinfo, iomem, cmdline). Escapes in PATH and CONTENT: \n \t
 * \\ \= \xHH (\x00 is a NUL in content; a path with one is dropped).
 * Parent directories are made on demand. Entries that would leave the root
 * are dropped: a PATH with a ".." component, a path through a symlink, and
 * link TARGETs that are absolute, or whose leading "../" climb above the
 * root, or that have ".." after a name. So every link resolves inside the
 * tree (loops and dangling links included), and nothing outside is read.
 */

#define FZ_TREE_MAX_ENTRIES 512
#define FZ_TREE_MAX_ARGS    8
#define FZ_TREE_MAX_PATH    512

struct fz_tree {
	int nargs;
	char *args[FZ_TREE_MAX_ARGS];
	unsigned int entries; /* made */
};

static FZ_UNUSED void fz_tree_free(struct fz_tree *t)
{
	int i;

	for (i = 0; i < t->nargs; i++)
		free(t->args[i]);
	memset(t, 0, sizeof(*t));
}

/* Unescape [s, e) into @out (at most @cap - 1 bytes, NUL added); length. */
static size_t fz_unescape(const char *s, const char *e, char *out, size_t cap)
{
	size_t n = 0;

	while (s < e && n + 1 < cap) {
		char c = *s++;

		if (c == '\\' && s < e) {
			c = *s++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'x': {
				int v = 0, k;

				for (k = 0; k < 2 && s < e; k++) {
					char h = *s;

					if (h >= '0' && h <= '9')
						v = v * 16 + (h - '0');
					else if (h >= 'a' && h <= 'f')
						v = v * 16 + (h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						v = v * 16 + (h - 'A' + 10);
					else
						break;
					s++;
				}
				c = (char)v;
				break;
			}
			default: /* \\ \= and anything else: the character */
				break;
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* End of the (escaped) path: the first unescaped '=' or @e. */
static const char *fz_path_end(const char *s, const char *e)
{
	while (s < e && *s != '=') {
		if (*s == '\\' && s + 1 < e)
			s++;
		s++;
	}
	return s;
}

static void fz_expand(const char *in, char *out, size_t cap)
{
	static const struct {
		const char *k, *v;
	} sh[] = {
		{ "M/", "sys/devices/system/memory/" },
		{ "N/", "sys/devices/system/node/" },
		{ "P/", "sys/module/memory_hotplug/parameters/" },
		{ "V/", "sys/module/virtio_mem/parameters/" },
		{ "F/", "sys/firmware/memmap/" },
		{ "B/", "sys/bus/virtio/devices/" },
		{ "Z/", "proc/" },
	};
	size_t i;

	for (i = 0; i < sizeof(sh) / sizeof(sh[0]); i++)
		if (!strncmp(in, sh[i].k, 2)) {
			snprintf(out, cap, "%s%s", sh[i].v, in + 2);
			return;
		}
	snprintf(out, cap, "%s", in);
}

/*
 * Walk @path's directories from @rootfd without following symlinks,
 * making them (mkdir -p). Returns an fd of the parent of the last
 * component (*@last points at it, in @path, modified), with *@depth its
 * number of components below the root; -1 if the path is unusable.
 */
static int fz_walk(int rootfd, char *path, char **last, int *depth)
{
	char *comp[64];
	int n = 0, i, fd;
	char *p = path, *save = NULL, *tok;

	while ((tok = strtok_r(p, "/", &save))) {
		p = NULL;
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") || strlen(tok) > NAME_MAX || n == 64)
			return -1;
		comp[n++] = tok;
	}
	if (!n)
		return -1;
	fd = dup(rootfd);
	if (fd < 0)
		return -1;
	for (i = 0; i < n - 1; i++) {
		int nfd;

		if (mkdirat(fd, comp[i], 0755) && errno != EEXIST) {
			close(fd);
			return -1;
		}
		nfd = openat(fd, comp[i],
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK |
				     O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return -1;
		fd = nfd;
	}
	*last = comp[n - 1];
	*depth = n - 1;
	return fd;
}

/* Link targets that stay in the tree (see above). */
static bool fz_target_ok(const char *t, int depth)
{
	const char *p = t;
	bool named = false;

	if (!*t || *t == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2)) {
			if (named || --depth < 0)
				return false;
		} else if (n && !(n == 1 && *p == '.')) {
			named = true;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

/* Build the tree described by @data under @root (which must not exist). */
static FZ_UNUSED int fz_tree_build(const char *root, const uint8_t *data,
				   size_t size, struct fz_tree *t)
{
	const char *s = (const char *)data, *end = s + size;
	char *content = NULL;
	int rootfd;

	memset(t, 0, sizeof(*t));
	if (mkdir(root, 0755))
		return -errno;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	content = malloc(size + 1);
	FZ_CHECK(content);
	while (s < end && t->entries < FZ_TREE_MAX_ENTRIES) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *pe, *line = s;
		char raw[FZ_TREE_MAX_PATH], path[FZ_TREE_MAX_PATH + 64], *last;
		size_t plen, clen = 0;
		int fd, depth;
		char type;

		if (!eol)
			eol = end;
		s = eol < end ? eol + 1 : end;
		if (eol - line < 3 || line[1] != ' ')
			continue;
		type = line[0];
		line += 2;
		pe = fz_path_end(line, eol);
		plen = fz_unescape(line, pe, raw, sizeof(raw));
		if (pe < eol)
			clen = fz_unescape(pe + 1, eol, content, size + 1);
		else
			content[0] = '\0';
		if (type == 'a') {
			if (t->nargs < FZ_TREE_MAX_ARGS && strlen(raw) == plen)
				t->args[t->nargs++] = strdup(raw);
			continue;
		}
		if (strlen(raw) != plen) /* a NUL in the path */
			continue;
		fz_expand(raw, path, sizeof(path));
		fd = fz_walk(rootfd, path, &last, &depth);
		if (fd < 0)
			continue;
		switch (type) {
		case 'f': {
			int ffd = openat(fd, last,
					 O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
						 O_NONBLOCK | O_CLOEXEC,
					 0644);

			if (ffd >= 0) {
				struct stat st;

				/* never write into a FIFO made earlier */
				if (!fstat(ffd, &st) && S_ISREG(st.st_mode) &&
				    write(ffd, content, clen) == (ssize_t)clen)
					t->entries++;
				close(ffd);
			}
			break;
		}
		case 'd':
			if (!mkdirat(fd, last, 0755))
				t->entries++;
			break;
		case 'l':
			if (strlen(content) == clen &&
			    fz_target_ok(content, depth) &&
			    !symlinkat(content, fd, last))
				t->entries++;
			break;
		case 'p':
			if (!mkfifoat(fd, last, 0644))
				t->entries++;
			break;
		default:
			break;
		}
		close(fd);
	}
	free(content);
	close(rootfd);
	return 0;
}

/* A fresh, empty path for this input's tree: <scratch>/t. */
static FZ_UNUSED const char *fz_tree_root(void)
{
	static char root[PATH_MAX];

	if (!root[0])
		snprintf(root, sizeof(root), "%s/t", fz_tmpdir());
	fz_rmtree(root);
	return root;
}

#endif
