// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs snapshot of memory blocks (see sysfs.h).
 *
 * Built for 131,072 blocks: every read is an openat() relative to the memory
 * directory's fd into a small stack buffer (no stdio, no per-file path
 * walk from /), block ids are collected in one geometrically grown array and
 * sorted so the model is filled in increasing order (its append fast path),
 * and node membership is read once per node from node/nodeK/memoryN links
 * instead of one opendir() per block.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hexdigit.h"
#include "sysfs.h"

#define SYSFS_MEMORY_DIR "sys/devices/system/memory"
#define SYSFS_NODE_DIR	 "sys/devices/system/node"
#define SYSFS_PARAMS_DIR "sys/module/memory_hotplug/parameters"

/* Bigger than anything the kernel writes in these files (valid_zones:
 * "DMA32 Normal Movable\n"); longer content is reported as malformed. */
#define ATTR_BUF 128

/* --- pure parsers ------------------------------------------------------ */

/* Length without one trailing newline. */
static size_t chomp(const char *buf, size_t len)
{
	if (len && buf[len - 1] == '\n')
		len--;
	return len;
}

int sysfs_parse_block_size(const char *buf, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	*out = 0;
	len = chomp(buf, len);
	if (len >= 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		i = 2;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		int d = hex_digit_value((unsigned char)buf[i]);

		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX >> 4))
			return -ERANGE;
		v = (v << 4) | (unsigned int)d;
	}
	if (!v)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Decimal digits only, 0..max. */
static int parse_udec(const char *buf, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	/* Garbage is garbage however long the digits before it: check first. */
	for (i = 0; i < len; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
	for (i = 0; i < len; i++) {
		if (v > (max - (uint64_t)(buf[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	*out = v;
	return 0;
}

int sysfs_parse_int(const char *buf, size_t len, int *out)
{
	uint64_t v;
	int rc;

	*out = -1;
	rc = parse_udec(buf, chomp(buf, len), INT_MAX, &v);
	if (!rc)
		*out = (int)v;
	return rc;
}

int sysfs_parse_word(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t i;

	if (!outlen)
		return -E2BIG;
	out[0] = '\0';
	len = chomp(buf, len);
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (buf[i] <= ' ' || buf[i] >= 0x7f)
			return -EINVAL;
	if (len >= outlen)
		return -E2BIG;
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

static int parse_state(const char *buf, size_t len, uint8_t *out)
{
	static const struct {
		const char *s;
		enum memhp_block_state st;
	} names[] = {
		{ "online", MEMHP_BLOCK_ONLINE },
		{ "offline", MEMHP_BLOCK_OFFLINE },
		{ "going-offline", MEMHP_BLOCK_GOING_OFFLINE },
	};
	size_t i;

	*out = MEMHP_BLOCK_UNKNOWN;
	len = chomp(buf, len);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].s) == len &&
		    !memcmp(buf, names[i].s, len)) {
			*out = names[i].st;
			return 0;
		}
	}
	return -EINVAL;
}

/* valid_zones: kept as printed (newline dropped); bytes that are not
 * printable ASCII become '?' and make it malformed; too long is cut. */
static int parse_zones(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t i, n;
	int rc = 0;

	len = chomp(buf, len);
	n = len < outlen - 1 ? len : outlen - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < ' ' || c >= 0x7f) {
			c = '?';
			rc = -EINVAL;
		}
		out[i] = (char)c;
	}
	out[n] = '\0';
	if (!len)
		return -EINVAL;
	if (n < len)
		return -E2BIG;
	return rc;
}

const char *sysfs_block_attr_name(enum sysfs_block_attr a)
{
	switch (a) {
	case SYSFS_ATTR_STATE:
		return "state";
	case SYSFS_ATTR_VALID_ZONES:
		return "valid_zones";
	case SYSFS_ATTR_REMOVABLE:
		return "removable";
	case SYSFS_ATTR_PHYS_DEVICE:
		return "phys_device";
	default:
		return "?";
	}
}

int sysfs_parse_block_attr(struct memhp_model *m, struct memhp_block *b, enum sysfs_block_attr a,
			   const char *buf, size_t len)
{
	char zones[MEMHP_ZONES_LEN];
	int rc;

	switch (a) {
	case SYSFS_ATTR_STATE:
		return parse_state(buf, len, &b->state);
	case SYSFS_ATTR_VALID_ZONES:
		rc = parse_zones(buf, len, zones, sizeof(zones));
		if (model_set_zones(m, b, zones, sizeof(zones)))
			return -ENOMEM;
		return rc;
	case SYSFS_ATTR_REMOVABLE:
		len = chomp(buf, len);
		b->removable = -1;
		if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
			return -EINVAL;
		b->removable = buf[0] - '0';
		return 0;
	case SYSFS_ATTR_PHYS_DEVICE:
		rc = sysfs_parse_int(buf, len, &b->phys_device);
		return rc;
	default:
		return -EINVAL;
	}
}

/* "<prefix><digits>" without leading zeros, up to @max. */
static int parse_name(const char *name, const char *prefix, uint64_t max,
		      uint64_t *out)
{
	size_t plen = strlen(prefix);
	const char *p;

	if (strncmp(name, prefix, plen))
		return 0;
	p = name + plen;
	if (p[0] == '0' && p[1])
		return -EINVAL;
	switch (parse_udec(p, strlen(p), max, out)) {
	case 0:
		return 1;
	case -ERANGE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

int sysfs_parse_block_name(const char *name, uint64_t *id)
{
	return parse_name(name, "memory", UINT64_MAX, id);
}

int sysfs_parse_node_name(const char *name, int *nid)
{
	uint64_t v;
	int rc = parse_name(name, "node", INT_MAX, &v);

	*nid = rc == 1 ? (int)v : -1;
	return rc;
}

/* --- snapshot ------------------------------------------------------------ */

unsigned int sysfs_report_problems(const struct sysfs_report *r)
{
	return r->unreadable + r->malformed + r->bad_names;
}

struct snap {
	struct memhp_model *m;
	struct sysfs_report *rep;
	/* for messages: <sysroot>/sys/devices/system/memory */
	const char *memdir;
	int rootfd, memfd;
	unsigned int want; /* SYSFS_WANT_* */
	/* Live system with node links: an offline block without one is being
	 * added (read_block() leaves its valid_zones alone). */
	bool guard_zones;
	/* Reader threads: the model's string table takes one at a time. */
	pthread_mutex_t *zlock;
};

static void __attribute__((format(printf, 3, 4)))
problem(struct snap *s, unsigned int *counter, const char *fmt, ...)
{
	va_list ap;

	(*counter)++;
	if (s->rep->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->rep->first, sizeof(s->rep->first), fmt, ap);
	va_end(ap);
}

/* Printable excerpt of file content, for messages. */
static const char *excerpt(const char *buf, size_t len, char *out,
			   size_t outlen)
{
	size_t i, n = chomp(buf, len);

	if (n > outlen - 4)
		n = outlen - 4;
	for (i = 0; i < n; i++)
		out[i] = buf[i] >= ' ' && buf[i] < 0x7f ? buf[i] : '?';
	if (n < chomp(buf, len)) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/*
 * Read a small file at @path relative to @dirfd into @buf (NUL-terminated).
 * Returns its length or -errno; *@trunc is set when it did not fit. A FIFO
 * or a device planted in a fixture tree cannot block (O_NONBLOCK) and cannot
 * make us read more than @size.
 */
static ssize_t read_small(int dirfd, const char *path, char *buf, size_t size,
			  bool *trunc)
{
	ssize_t n, len = 0;
	char c;
	int fd;

	*trunc = false;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		buf[0] = '\0';
		return n;
	}
	len = n;
	/* A short read is the whole file (sysfs, regular files). */
	if ((size_t)len == size - 1) {
		do
			n = read(fd, &c, 1);
		while (n < 0 && errno == EINTR);
		*trunc = n > 0;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

static char *fmt_u64(char *p, uint64_t v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int collect_ids(struct snap *s, uint64_t **idsp, size_t *nrp, char *err,
		       size_t errlen)
{
	uint64_t *ids = NULL, id;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, rc;

	fd = openat(s->memfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot list %s: %s", s->memdir,
			 strerror(-rc));
		return rc;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		rc = sysfs_parse_block_name(de->d_name, &id);
		if (!rc)
			continue;
		if (rc < 0) {
			problem(s, &s->rep->bad_names,
				"%s/%s: not a memory block name%s", s->memdir,
				de->d_name,
				rc == -ERANGE ? " (number too big)" : "");
			continue;
		}
		if (nr == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			uint64_t *n = realloc(ids, ncap * sizeof(*n));

			if (!n) {
				free(ids);
				closedir(d);
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			ids = n;
			cap = ncap;
		}
		ids[nr++] = id;
	}
	rc = -errno;
	closedir(d);
	if (rc) {
		free(ids);
		snprintf(err, errlen, "cannot list %s: %s", s->memdir,
			 strerror(-rc));
		return rc;
	}
	if (!nr) {
		free(ids);
		snprintf(err, errlen, "%s: no memoryN block directories",
			 s->memdir);
		return -ENOENT;
	}
	qsort(ids, nr, sizeof(*ids), cmp_u64);
	*idsp = ids;
	*nrp = nr;
	return 0;
}

static void read_block(struct snap *s, struct memhp_block *b)
{
	char path[64], buf[ATTR_BUF], ex[48];
	char *p = path;
	size_t plen;
	int a;

	memcpy(p, "memory", 6);
	p = fmt_u64(p + 6, b->id);
	*p++ = '/';
	plen = (size_t)(p - path);

	for (a = 0; a < SYSFS_ATTR_MAX; a++) {
		const char *name = sysfs_block_attr_name(a);
		bool trunc;
		ssize_t n;
		int rc;

		if (!(s->want & (1u << a)))
			continue;
		/*
		 * Linux 6.1 oopses in valid_zones_show() for an offline block
		 * whose node is not set yet (NODE_DATA(NUMA_NO_NODE) in
		 * zone_for_pfn_range()): add_memory_resource() creates the block
		 * devices before register_memory_blocks_under_node() sets the nid
		 * and then creates the node links. No node link, not online: do
		 * not ask (seen in the lab during a hotplug storm).
		 */
		if (a == SYSFS_ATTR_VALID_ZONES && s->guard_zones && b->node < 0 &&
		    b->state != MEMHP_BLOCK_ONLINE) {
			s->rep->zones_deferred++;
			continue;
		}
		memcpy(path + plen, name, strlen(name) + 1);
		n = read_small(s->memfd, path, buf, sizeof(buf), &trunc);
		if (n < 0) {
			if (n == -ENOENT && a != SYSFS_ATTR_STATE)
				s->rep->missing++;
			else
				problem(s, &s->rep->unreadable, "%s/%s: %s",
					s->memdir, path, strerror((int)-n));
			continue;
		}
		if (a == SYSFS_ATTR_VALID_ZONES && s->zlock)
			pthread_mutex_lock(s->zlock);
		rc = sysfs_parse_block_attr(s->m, b, a, buf, (size_t)n);
		if (a == SYSFS_ATTR_VALID_ZONES && s->zlock)
			pthread_mutex_unlock(s->zlock);
		if (rc || trunc)
			problem(s, &s->rep->malformed,
				"%s/%s: unexpected content \"%s%s\"", s->memdir,
				path, excerpt(buf, (size_t)n, ex, sizeof(ex)),
				trunc ? "..." : "");
	}
}

/* Below this many blocks per reader a thread is not worth starting. */
#define BLOCKS_PER_THREAD 1024
#define MAX_THREADS	  8

struct reader {
	struct snap s; /* a copy, with its own report */
	struct sysfs_report rep;
	size_t from, to;
	pthread_t tid;
	bool started;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	size_t i;

	for (i = r->from; i < r->to; i++)
		read_block(&r->s, &r->s.m->blocks[i]);
	return NULL;
}

/*
 * Read every block's files, in slices on @threads threads (the blocks array
 * does not move any more). Reports are merged in block order, so the first
 * problem reported is the lowest block's, as with one thread.
 */
static void read_blocks(struct snap *s, int threads)
{
	struct reader rd[MAX_THREADS];
	pthread_mutex_t zlock = PTHREAD_MUTEX_INITIALIZER;
	size_t nr = s->m->nr_blocks, per, i;
	long cpus;

	if (threads <= 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (int)cpus : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if ((size_t)threads > nr / BLOCKS_PER_THREAD)
		threads = (int)(nr / BLOCKS_PER_THREAD);
	if (threads <= 1) {
		for (i = 0; i < nr; i++)
			read_block(s, &s->m->blocks[i]);
		return;
	}
	per = (nr + (size_t)threads - 1) / (size_t)threads;
	for (i = 0; i < (size_t)threads; i++) {
		rd[i].s = *s;
		rd[i].s.zlock = &zlock;
		memset(&rd[i].rep, 0, sizeof(rd[i].rep));
		rd[i].s.rep = &rd[i].rep;
		rd[i].from = i * per < nr ? i * per : nr;
		rd[i].to = (i + 1) * per < nr ? (i + 1) * per : nr;
		/* slice 0 runs here; a thread that cannot start runs here too */
		rd[i].started = i && !pthread_create(&rd[i].tid, NULL,
						     reader_main, &rd[i]);
	}
	for (i = 0; i < (size_t)threads; i++)
		if (!rd[i].started)
			reader_main(&rd[i]);
	for (i = 0; i < (size_t)threads; i++) {
		if (rd[i].started)
			pthread_join(rd[i].tid, NULL);
		s->rep->unreadable += rd[i].rep.unreadable;
		s->rep->malformed += rd[i].rep.malformed;
		s->rep->missing += rd[i].rep.missing;
		if (!s->rep->first[0] && rd[i].rep.first[0])
			memcpy(s->rep->first, rd[i].rep.first,
			       sizeof(s->rep->first));
	}
	pthread_mutex_destroy(&zlock);
}

/* Lowest nodeK entry in memoryN/, or -1. */
static int block_dir_node(struct snap *s, uint64_t id)
{
	char path[32], *p = path;
	struct dirent *de;
	int fd, nid, best = -1;
	DIR *d;

	memcpy(p, "memory", 6);
	p = fmt_u64(p + 6, id);
	*p = '\0';
	fd = openat(s->memfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (sysfs_parse_node_name(de->d_name, &nid) == 1 &&
		    (best < 0 || nid < best))
			best = nid;
	closedir(d);
	return best;
}

/* node/nodeK/memoryN links: one readdir per node. Returns links found. */
static size_t scan_node_dirs(struct snap *s)
{
	struct dirent *de, *e;
	size_t links = 0;
	int fd, nfd, nid;
	uint64_t id;
	DIR *d, *nd;

	fd = openat(s->rootfd, SYSFS_NODE_DIR,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* !CONFIG_NUMA: no node directory */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (sysfs_parse_node_name(de->d_name, &nid) != 1)
			continue;
		nfd = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		nd = nfd >= 0 ? fdopendir(nfd) : NULL;
		if (!nd) {
			if (nfd >= 0)
				close(nfd);
			continue;
		}
		while ((e = readdir(nd))) {
			struct memhp_block *b;

			if (sysfs_parse_block_name(e->d_name, &id) != 1)
				continue;
			b = model_block_find(s->m, id);
			if (!b)
				continue; /* beyond 64-bit addresses, skipped */
			if (b->node < 0 || nid < b->node)
				b->node = nid;
			links++;
		}
		closedir(nd);
	}
	closedir(d);
	return links;
}

static void read_nodes(struct snap *s)
{
	struct memhp_model *m = s->m;
	size_t i, links = scan_node_dirs(s);

	/*
	 * Trees (or kernels) without node/nodeK/memoryN links: fall back to
	 * memoryN/nodeK, but only if the first block has one, so a kernel
	 * without NUMA costs one opendir, not one per block. With links, only
	 * the blocks they missed are looked at.
	 */
	if (!links && (!m->nr_blocks || block_dir_node(s, m->blocks[0].id) < 0))
		goto out;
	for (i = 0; i < m->nr_blocks; i++) {
		if (m->blocks[i].node >= 0)
			continue;
		m->blocks[i].node = block_dir_node(s, m->blocks[i].id);
		if (m->blocks[i].node >= 0)
			links++;
	}
out:
	s->rep->node_links = links;
}

/* An optional global file: "" / -1 when absent, a problem when odd. */
static void read_word(struct snap *s, int dirfd, const char *dir,
		      const char *name, char *out, size_t outlen)
{
	char buf[ATTR_BUF], ex[48];
	bool trunc;
	ssize_t n;

	out[0] = '\0';
	if (dirfd < 0)
		return;
	n = read_small(dirfd, name, buf, sizeof(buf), &trunc);
	if (n == -ENOENT)
		return;
	if (n < 0) {
		problem(s, &s->rep->unreadable, "%s/%s: %s", dir, name,
			strerror((int)-n));
		return;
	}
	if (trunc || sysfs_parse_word(buf, (size_t)n, out, outlen))
		problem(s, &s->rep->malformed,
			"%s/%s: unexpected content \"%s\"", dir, name,
			excerpt(buf, (size_t)n, ex, sizeof(ex)));
}

static void read_globals(struct snap *s, const char *root)
{
	struct memhp_sys *sys = &s->m->sys;
	char params[PATH_MAX + sizeof(SYSFS_PARAMS_DIR) + 1], word[16];
	int pfd, v;

	snprintf(params, sizeof(params), "%s/%s", root, SYSFS_PARAMS_DIR);
	read_word(s, s->memfd, s->memdir, "auto_online_blocks",
		  sys->auto_online_blocks, sizeof(sys->auto_online_blocks));
	pfd = openat(s->rootfd, SYSFS_PARAMS_DIR,
		     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	read_word(s, pfd, params, "memmap_on_memory", sys->memmap_on_memory,
		  sizeof(sys->memmap_on_memory));
	read_word(s, pfd, params, "online_policy", sys->online_policy,
		  sizeof(sys->online_policy));
	read_word(s, pfd, params, "auto_movable_ratio", word, sizeof(word));
	sys->auto_movable_ratio = -1;
	if (word[0] && sysfs_parse_int(word, strlen(word), &v) == 0)
		sys->auto_movable_ratio = v;
	else if (word[0])
		problem(s, &s->rep->malformed, "%s/auto_movable_ratio: \"%s\"",
			params, word);
	read_word(s, pfd, params, "auto_movable_numa_aware", word,
		  sizeof(word));
	sys->auto_movable_numa_aware = -1;
	if (!strcmp(word, "Y") || !strcmp(word, "1"))
		sys->auto_movable_numa_aware = 1;
	else if (!strcmp(word, "N") || !strcmp(word, "0"))
		sys->auto_movable_numa_aware = 0;
	else if (word[0])
		problem(s, &s->rep->malformed,
			"%s/auto_movable_numa_aware: \"%s\"", params, word);
	if (pfd >= 0)
		close(pfd);
}

/* Drop model blocks that are not in the sorted @ids (a re-snapshot). */
static void remove_stale(struct memhp_model *m, const uint64_t *ids, size_t nr)
{
	size_t i = 0, j = 0, k = 0;

	for (i = 0; i < m->nr_blocks; i++) {
		while (j < nr && ids[j] < m->blocks[i].id)
			j++;
		if (j < nr && ids[j] == m->blocks[i].id)
			m->blocks[k++] = m->blocks[i];
		else
			model_blocks_release(m, i, i + 1);
	}
	m->nr_blocks = k;
}

int sysfs_snapshot_opts(struct memhp_model *m, const struct sysfs_opts *opts,
			struct sysfs_report *rep, char *err, size_t errlen)
{
	const char *sysroot = opts ? opts->sysroot : NULL;
	char root[PATH_MAX], memdir[PATH_MAX + sizeof(SYSFS_MEMORY_DIR) + 1],
		buf[ATTR_BUF], ex[48], ebuf[8];
	struct sysfs_report dummy;
	struct snap s = { .m = m, .rootfd = -1, .memfd = -1 };
	uint64_t *ids = NULL, bs, maxid;
	size_t nr = 0, i, rlen;
	bool trunc, nodes_read;
	ssize_t n;
	int rc;

	if (!err || !errlen) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	s.rep = rep ? rep : &dummy;
	memset(s.rep, 0, sizeof(*s.rep));
	s.want = opts && opts->want ? opts->want : SYSFS_WANT_ALL;
	/* The model takes the kernel's word again: per-zone accounting restarts. */
	m->zacct_state = MEMHP_ZACCT_NONE;
	m->nr_zacct = 0;

	/* "" and "/" are the live system; "dir/" is "dir". */
	rlen = sysroot ? strlen(sysroot) : 0;
	while (rlen > 1 && sysroot[rlen - 1] == '/')
		rlen--;
	if (rlen >= sizeof(root) - sizeof(SYSFS_PARAMS_DIR) - 2) {
		snprintf(err, errlen, "sysroot path too long");
		return -ENAMETOOLONG;
	}
	if (rlen)
		memcpy(root, sysroot, rlen);
	root[rlen] = '\0';
	snprintf(memdir, sizeof(memdir), "%s/%s", strcmp(root, "/") ? root : "",
		 SYSFS_MEMORY_DIR);
	s.memdir = memdir;

	s.rootfd = open(rlen ? root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.rootfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open sysroot %s: %s", root,
			 strerror(-rc));
		return rc;
	}
	s.memfd = openat(s.rootfd, SYSFS_MEMORY_DIR,
			 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.memfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s%s", memdir, strerror(-rc),
			 rc == -ENOENT ? " (no memory hotplug on this system: a kernel without "
					 "CONFIG_MEMORY_HOTPLUG?)" : "");
		goto out;
	}

	n = read_small(s.memfd, "block_size_bytes", buf, sizeof(buf), &trunc);
	if (n < 0) {
		rc = (int)n;
		snprintf(err, errlen, "cannot read %s/block_size_bytes: %s%s",
			 memdir, strerror(-rc),
			 rc == -ENOENT ? " (no memory hotplug blocks)" : "");
		goto out;
	}
	rc = trunc ? -EINVAL : sysfs_parse_block_size(buf, (size_t)n, &bs);
	if (rc) {
		snprintf(err, errlen,
			 "%s/block_size_bytes: bad block size \"%s\" (%s)",
			 memdir, excerpt(buf, (size_t)n, ex, sizeof(ex)),
			 rc == -ERANGE ? "zero or too big"
				       : "expected a hex number");
		goto out;
	}

	rc = collect_ids(&s, &ids, &nr, err, errlen);
	if (rc)
		goto out;

	/* Every block must end below 2^64, so sizes and sums never wrap. */
	maxid = UINT64_MAX / bs - 1;
	while (nr && ids[nr - 1] > maxid) {
		problem(&s, &s.rep->bad_names,
			"%s/memory%llu: beyond 64-bit addresses with blocks of 0x%llx",
			memdir, (unsigned long long)ids[nr - 1],
			(unsigned long long)bs);
		nr--;
	}
	if (!nr) {
		snprintf(err, errlen, "%s: no usable memoryN block directories",
			 memdir);
		rc = -ERANGE;
		goto out;
	}

	m->block_size = bs;
	if (!rlen || !strcmp(root, "/")) {
		long ps = sysconf(_SC_PAGESIZE); /* the live system's */

		if (ps > 0)
			m->page_size = (uint64_t)ps;
	}
	remove_stale(m, ids, nr);
	for (i = 0; i < nr; i++) {
		struct memhp_block *b = model_block_get(m, ids[i]);

		if (!b) {
			snprintf(err, errlen, "out of memory (%zu blocks)", nr);
			rc = -ENOMEM;
			goto out;
		}
		b->state = MEMHP_BLOCK_UNKNOWN;
		b->node = -1;
		b->removable = -1;
		b->phys_device = -1;
		b->zones = 0;
	}
	/* Nodes first on a live system: valid_zones is only safe to read for
	 * blocks whose node is set (see read_block()). */
	nodes_read = (!rlen || !strcmp(root, "/")) && (s.want & SYSFS_WANT_VALID_ZONES);
	if (nodes_read) {
		read_nodes(&s);
		s.guard_zones = s.rep->node_links > 0;
	}
	read_blocks(&s, opts ? opts->threads : 0);
	s.rep->nr_blocks = nr;
	if ((s.want & SYSFS_WANT_NODE) && !nodes_read)
		read_nodes(&s);
	read_globals(&s, strcmp(root, "/") ? root : "");
	m->sys.snapshot = true;
	rc = 0;
out:
	free(ids);
	if (s.memfd >= 0)
		close(s.memfd);
	close(s.rootfd);
	return rc;
}

int sysfs_snapshot_report(struct memhp_model *m, const char *sysroot,
			  struct sysfs_report *rep, char *err, size_t errlen)
{
	struct sysfs_opts o = { .sysroot = sysroot };

	return sysfs_snapshot_opts(m, &o, rep, err, errlen);
}

int sysfs_snapshot(struct memhp_model *m, const char *sysroot, char *err,
		   size_t errlen)
{
	return sysfs_snapshot_report(m, sysroot, NULL, err, errlen);
}
