// SPDX-License-Identifier: GPL-2.0
/*
 * Unplug readiness: scan the online blocks' pages and judge each block
 * (readiness.h). The scan reads runs of consecutive online blocks in
 * KPAGE_CHUNK_PFNS pieces: one pread per 64 Ki pages and file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "balloon_detect.h"
#include "readiness.h"
#include "zonealgo.h"

static const char *const verdict_names[RD_NR_VERDICTS] = {
	[RD_OFFLINE] = "offline",
	[RD_READY] = "ready",
	[RD_MIGRATE] = "migrate",
	[RD_BLOCKED] = "blocked",
};

const char *rd_verdict_name(enum rd_verdict v)
{
	return (unsigned int)v < RD_NR_VERDICTS ? verdict_names[v] : "?";
}

const char *rd_fail_name(enum rd_fail f)
{
	switch (f) {
	case RD_FAIL_ISOLATE:
		return "isolation";	/* fails at once */
	case RD_FAIL_RETRIES:
		return "retries";	/* loops until a signal */
	case RD_FAIL_UNMOVABLE:
		return "unmovable";	/* -EBUSY after the notifier */
	case RD_FAIL_ZONES:
		return "zones";
	default:
		return "";
	}
}

void readiness_init(struct readiness *r)
{
	memset(r, 0, sizeof(*r));
	zi_system_init(&r->sys);
}

void readiness_free(struct readiness *r)
{
	zi_system_free(&r->sys);
	free(r->blocks);
	free(r->nodes);
	free(r->zones);
	free(r->groups);
	free(r->devs);
	free(r->vmem);
	memset(r, 0, sizeof(*r));
}

void rd_block_add_page(struct rd_block *b, uint64_t pfn, enum kpage_kind kind, bool movable)
{
	if ((unsigned int)kind >= KPAGE_NR_KINDS)
		kind = KPAGE_UNKNOWN;
	b->pages[kind]++;
	if (movable) {
		if (kpage_kind_migrates(kind))
			b->migrate_pages++;
		return;
	}
	b->unmovable_pages++;
	if (b->nr_first < RD_FIRST_PFNS) {
		b->first_pfn[b->nr_first] = pfn;
		b->first_kind[b->nr_first] = (uint8_t)kind;
		b->nr_first++;
	}
}

void rd_block_judge(struct rd_block *b)
{
	b->blocker = -1;
	b->fail = RD_FAIL_NONE;
	if (!b->online) {
		b->verdict = RD_OFFLINE;
		return;
	}
	/* memory_block_offline(): a block whose pages are in two zones has
	 * no zone (valid_zones "none") and cannot be offlined at all. */
	if (b->zone == ZA_ZONE_NONE) {
		b->verdict = RD_BLOCKED;
		b->fail = RD_FAIL_ZONES;
		return;
	}
	if (b->unmovable_pages) {
		b->verdict = RD_BLOCKED;
		b->blocker = b->nr_first ? b->first_kind[0] : KPAGE_UNKNOWN;
		/*
		 * has_unmovable_pages() stops at the first PG_reserved page in
		 * any zone; in ZONE_MOVABLE it looks no further, so other
		 * unmovable pages are found by the migration loop, which
		 * retries until a fatal signal. Outside it, the first
		 * unmovable page fails isolation at once.
		 */
		if (b->pages[KPAGE_RESERVED] || b->zone != ZA_ZONE_MOVABLE)
			b->fail = RD_FAIL_ISOLATE;
		else
			b->fail = RD_FAIL_RETRIES;
		/* Reserved pages are what isolation trips on first, wherever
		 * they are: name that kind. */
		if (b->pages[KPAGE_RESERVED] && b->zone == ZA_ZONE_MOVABLE)
			b->blocker = KPAGE_RESERVED;
		/* Only PageOffline pages a driver keeps: scan_movable_pages()
		 * says -EBUSY after the notifier, no retry. */
		if (b->unmovable_pages == b->pages[KPAGE_OFFLINE])
			b->fail = RD_FAIL_UNMOVABLE;
		return;
	}
	b->verdict = b->migrate_pages ? RD_MIGRATE : RD_READY;
}

void rd_sb_add_page(struct rd_sb *sb, enum kpage_kind kind, bool movable, bool last)
{
	sb->n++;
	if (kind == KPAGE_OFFLINE)
		sb->n_offline++;
	/* alloc_contig_range() takes free pages and migrates movable ones;
	 * a poisoned page or a hole fails it. */
	else if (!movable || kind == KPAGE_HWPOISON || kind == KPAGE_NOPAGE)
		sb->n_stuck++;
	if (!last)
		return;
	if (sb->n_offline == sb->n) {
		sb->unplugged++;
	} else if (sb->n_offline) {
		sb->mixed++;
	} else {
		sb->plugged++;
		if (!sb->n_stuck)
			sb->unpluggable++;
	}
	sb->n = sb->n_offline = sb->n_stuck = 0;
}

void rd_sum_add(struct rd_sum *s, const struct rd_block *b, uint64_t block_bytes,
		uint64_t page_size)
{
	size_t k;

	s->blocks[b->verdict]++;
	if (!b->online)
		return;
	s->online_bytes += block_bytes;
	if (b->verdict == RD_READY)
		s->ready_bytes += block_bytes;
	if (b->verdict == RD_READY || b->verdict == RD_MIGRATE) {
		s->unpluggable_bytes += block_bytes;
		s->migrate_bytes += b->migrate_pages * page_size;
	}
	for (k = 0; k < KPAGE_NR_KINDS; k++)
		s->pages[k] += b->pages[k];
}

const struct rd_zone_sum *rd_zone_find(const struct readiness *r, int nid, int zone)
{
	size_t i;

	for (i = 0; i < r->nr_zones; i++)
		if (r->zones[i].nid == nid && r->zones[i].zone == zone)
			return &r->zones[i];
	return NULL;
}

static struct rd_zone_sum *zone_get(struct readiness *r, int nid, int zone)
{
	struct rd_zone_sum *z;

	z = (struct rd_zone_sum *)rd_zone_find(r, nid, zone);
	if (z)
		return z;
	z = realloc(r->zones, (r->nr_zones + 1) * sizeof(*z));
	if (!z)
		return NULL;
	r->zones = z;
	z = &r->zones[r->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->nid = nid;
	z->zone = zone;
	return z;
}

/*
 * PageOffline pages: whose are they? In a virtio-mem device's memory they
 * are its fake-offline pages: its MEM_GOING_OFFLINE handler drops their
 * references and offlining skips them. Elsewhere they are a balloon's:
 * movable with balloon compaction; otherwise the driver keeps them
 * (hv_balloon, Xen, virtio_balloon without compaction) and
 * scan_movable_pages() fails with -EBUSY.
 */
static void add_page(const struct readiness *r, struct rd_block *b, uint64_t pfn,
		     enum kpage_kind k)
{
	bool movable = kpage_kind_movable(k);

	/*
	 * Unmovable kernel allocations never come from ZONE_MOVABLE (only
	 * __GFP_MOVABLE ones do), so a page there with no flag explaining
	 * it is free on a per-CPU list (offline_pages() drains those first)
	 * or between two states (being allocated, isolated for migration).
	 * In other zones it is as likely a kernel allocation: unmovable.
	 */
	if (k == KPAGE_UNKNOWN && b->zone == ZA_ZONE_MOVABLE)
		movable = true;
	if (b->dev >= 0 && r->sys.devs[b->dev].kind == ZI_DEV_VIRTIO_MEM) {
		uint64_t sbp = r->vmem[b->dev].sb_bytes / r->page_size;

		/* a unit beyond a block (BBM) is judged block by block,
		 * then put together (vmem_sum()) */
		if (!sbp || sbp > r->block_pages)
			sbp = r->block_pages;
		rd_sb_add_page(&b->sb, k, movable, (pfn + 1) % sbp == 0);
	} else if (k == KPAGE_OFFLINE) {
		if (r->balloon_compaction)
			k = KPAGE_BALLOON;
		else
			movable = false;
	}
	rd_block_add_page(b, pfn, k, movable);
}

/* Each virtio-mem device's unit, from what zi_system_load() found. */
static void vmem_units(struct readiness *r)
{
	uint64_t bbytes = r->block_pages * r->page_size;
	size_t d;

	for (d = 0; d < r->sys.nr_devs; d++) {
		const struct zi_device *zd = &r->sys.devs[d];
		struct rd_vmem *v = &r->vmem[d];
		uint64_t u = zd->sb_bytes;

		if (zd->kind != ZI_DEV_VIRTIO_MEM)
			continue;
		v->sb_source = zd->sb_source;
		v->sb_bbm = zd->sb_bbm;
		/*
		 * A unit that does not tile memory blocks (not a power of two
		 * of pages, or a subblock that does not divide a block) is
		 * not a layout the driver makes: fall back to whole blocks.
		 * A block with fake-offline pages is then "mixed" and never
		 * counted: an answer too low, never too high.
		 */
		if (!u || u % r->page_size || (u & (u - 1)) ||
		    (u < bbytes && bbytes % u) || (u > bbytes && u % bbytes)) {
			u = bbytes;
			v->sb_source = ZI_SB_UNKNOWN;
			v->sb_bbm = false;
		}
		v->sb_bytes = u;
	}
}

/*
 * A device's sums at its own granularity. Big Block Mode with big blocks
 * larger than a memory block: one counts only if every memory block of it
 * is online and could go (offline_and_remove_memory() takes them all).
 */
static void vmem_sum(struct readiness *r, size_t d)
{
	uint64_t bbytes = r->block_pages * r->page_size;
	struct rd_vmem *v = &r->vmem[d];
	uint64_t per = v->sb_bytes > bbytes ? v->sb_bytes / bbytes : 1;
	size_t i, j;

	for (i = 0; i < r->nr_blocks; i++) {
		const struct rd_block *b = &r->blocks[i];
		uint64_t n = 0;

		if (b->dev != (int)d || !b->online)
			continue;
		v->unplugged_bytes += b->pages[KPAGE_OFFLINE] * r->page_size;
		v->plugged_bytes += (r->block_pages - b->pages[KPAGE_OFFLINE]) * r->page_size;
		v->subblocks[0] += b->sb.plugged;
		v->subblocks[1] += b->sb.unplugged;
		v->subblocks[2] += b->sb.unpluggable;
		v->subblocks[3] += b->sb.mixed;
		if (per == 1) {
			v->unpluggable_bytes += b->sb.unpluggable * v->sb_bytes;
			continue;
		}
		if (b->id % per)
			continue;
		for (j = 0; j < r->nr_blocks; j++) {
			const struct rd_block *o = &r->blocks[j];

			if (o->dev == (int)d && o->online && o->id >= b->id &&
			    o->id - b->id < per && o->sb.unpluggable)
				n++;
		}
		if (n == per)
			v->unpluggable_bytes += v->sb_bytes;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Classify blocks [first, last] (consecutive ids, all online). */
static int scan_run(struct readiness *r, int ffd, int cfd, size_t first, size_t last,
		    uint64_t *fbuf, uint64_t *cbuf)
{
	uint64_t bp = r->block_pages;
	uint64_t pfn = r->blocks[first].id * bp, end = (r->blocks[last].id + 1) * bp;

	while (pfn < end) {
		uint64_t n = end - pfn, i;
		int ret;

		if (n > KPAGE_CHUNK_PFNS)
			n = KPAGE_CHUNK_PFNS;
		ret = kpage_read_fd(ffd, pfn, n, fbuf);
		if (!ret)
			ret = kpage_read_fd(cfd, pfn, n, cbuf);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			uint64_t p = pfn + i;
			struct rd_block *b = &r->blocks[first + (p / bp - r->blocks[first].id)];
			enum kpage_kind k = kpage_classify(fbuf[i], cbuf[i], cbuf[i]);

			add_page(r, b, p, k);
		}
		r->pages_scanned += n;
		pfn += n;
	}
	return 0;
}

static int scan_pages(struct readiness *r, const char *sysroot, char *err, size_t errlen)
{
	uint64_t *fbuf, *cbuf;
	int ffd, cfd, ret = 0;
	size_t i, j;

	ffd = kpage_open(sysroot, "kpageflags");
	if (ffd < 0) {
		snprintf(err, errlen, "%s/proc/kpageflags: %s", sysroot ? sysroot : "",
			 kpage_strerror(ffd));
		return ffd;
	}
	cfd = kpage_open(sysroot, "kpagecount");
	if (cfd < 0) {
		snprintf(err, errlen, "%s/proc/kpagecount: %s", sysroot ? sysroot : "",
			 kpage_strerror(cfd));
		close(ffd);
		return cfd;
	}
	fbuf = malloc(KPAGE_CHUNK_PFNS * sizeof(*fbuf));
	cbuf = malloc(KPAGE_CHUNK_PFNS * sizeof(*cbuf));
	if (!fbuf || !cbuf) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nr_blocks; i = j) {
		if (!r->blocks[i].online) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < r->nr_blocks && r->blocks[j].online &&
				r->blocks[j].id == r->blocks[j - 1].id + 1;
		     j++)
			;
		ret = scan_run(r, ffd, cfd, i, j - 1, fbuf, cbuf);
		if (ret) {
			snprintf(err, errlen, "%s/proc/kpageflags, memory%llu-%llu: %s",
				 sysroot ? sysroot : "", (unsigned long long)r->blocks[i].id,
				 (unsigned long long)r->blocks[j - 1].id, kpage_strerror(ret));
			goto out;
		}
	}
out:
	free(fbuf);
	free(cbuf);
	close(ffd);
	close(cfd);
	return ret;
}

int readiness_scan(struct readiness *r, const struct rd_opts *o, char *err, size_t errlen)
{
	const char *root = o && o->sysroot && *o->sysroot ? o->sysroot : NULL;
	const struct za_state *st;
	size_t i, d;
	double t0;
	int ret, nid;

	ret = zi_system_load(&r->sys, root, err, errlen);
	if (ret)
		return ret;
	st = &r->sys.st;
	r->page_size = r->sys.page_size;
	r->block_pages = st->block_pages;
	if (!r->block_pages || r->block_pages > UINT32_MAX) {
		snprintf(err, errlen, "unsupported memory block size");
		return -EINVAL;
	}
	if (o && o->balloon_compaction >= 0) {
		r->balloon_compaction = o->balloon_compaction;
	} else {
		struct policy_balloon bl[4];
		size_t n = check_detect_balloons(root, bl, 4);

		for (i = 0; i < n; i++)
			if (!strcmp(bl[i].driver, "virtio_balloon") && bl[i].compaction == 1)
				r->balloon_compaction = true;
	}
	r->nr_blocks = st->nr_blocks;
	r->blocks = calloc(r->nr_blocks ? r->nr_blocks : 1, sizeof(*r->blocks));
	r->nr_nodes = st->nr_nodes;
	r->nodes = calloc(r->nr_nodes ? r->nr_nodes : 1, sizeof(*r->nodes));
	r->groups = calloc(st->nr_groups ? st->nr_groups : 1, sizeof(*r->groups));
	r->devs = calloc(r->sys.nr_devs ? r->sys.nr_devs : 1, sizeof(*r->devs));
	r->vmem = calloc(r->sys.nr_devs ? r->sys.nr_devs : 1, sizeof(*r->vmem));
	if (!r->blocks || !r->nodes || !r->groups || !r->devs || !r->vmem) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < r->nr_blocks; i++) {
		const struct za_block *zb = &st->blocks[i];
		struct rd_block *b = &r->blocks[i];

		b->id = zb->id;
		b->nid = zb->nid;
		b->group = zb->group;
		b->zone = zb->online ? zb->zone : ZA_ZONE_NONE;
		b->online = zb->online;
		b->early = zb->early;
		b->blocker = -1;
		b->dev = -1;
		for (d = 0; d < r->sys.nr_devs; d++)
			if (zb->group >= 0 && r->sys.devs[d].group == zb->group)
				b->dev = (int)d;
		if (b->id > UINT64_MAX / r->block_pages - 1) {
			snprintf(err, errlen, "memory%llu: beyond 64-bit pfns",
				 (unsigned long long)b->id);
			return -ERANGE;
		}
	}
	vmem_units(r);
	t0 = now_s();
	ret = scan_pages(r, root, err, errlen);
	r->scan_seconds = now_s() - t0;
	if (ret)
		return ret;

	for (i = 0; i < r->nr_blocks; i++) {
		struct rd_block *b = &r->blocks[i];
		uint64_t bytes = r->block_pages * r->page_size;
		struct rd_zone_sum *z;

		rd_block_judge(b);
		rd_sum_add(&r->total, b, bytes, r->page_size);
		nid = b->nid;
		if (nid >= 0 && nid < r->nr_nodes)
			rd_sum_add(&r->nodes[nid], b, bytes, r->page_size);
		if (b->online) {
			z = zone_get(r, nid, b->zone);
			if (!z) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			rd_sum_add(&z->sum, b, bytes, r->page_size);
		}
		for (d = 0; d < st->nr_groups; d++)
			if (st->groups[d].id == b->group)
				rd_sum_add(&r->groups[d], b, bytes, r->page_size);
		if (b->dev >= 0)
			rd_sum_add(&r->devs[b->dev], b, bytes, r->page_size);
	}
	/* A virtio-mem device's unpluggable bytes are its own units' (the
	 * block-level figure stays in block_unpluggable_bytes). */
	for (d = 0; d < r->sys.nr_devs; d++) {
		if (r->sys.devs[d].kind != ZI_DEV_VIRTIO_MEM)
			continue;
		vmem_sum(r, d);
		r->vmem[d].block_unpluggable_bytes = r->devs[d].unpluggable_bytes;
		r->devs[d].unpluggable_bytes = r->vmem[d].unpluggable_bytes;
	}
	return 0;
}
