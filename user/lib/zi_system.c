// SPDX-License-Identifier: GPL-2.0
/*
 * The starting state of the zone algorithm, struct zi_system: built by
 * zi_system_load() from sysfs, /proc/zoneinfo, /proc/iomem,
 * /sys/firmware/memmap, the memory_hotplug parameters and the kernel log
 * (see zoneinfo.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "sysfs.h"
#include "zi_read.h"
#include "zoneinfo.h"

void zi_system_init(struct zi_system *s)
{
	memset(s, 0, sizeof(*s));
	s->auto_online = -1;
	s->page_size = 4096;
}

void zi_system_free(struct zi_system *s)
{
	size_t i;

	za_free(&s->st);
	free(s->devs);
	for (i = 0; i < s->nr_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	memset(s, 0, sizeof(*s));
}

void zi_warn(struct zi_system *s, const char *fmt, ...)
{
	char buf[512], **nw;
	va_list ap;

	if (s->nr_warnings >= ZI_MAX_WARNINGS) {
		s->dropped_warnings++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	nw = realloc(s->warnings, (s->nr_warnings + 1) * sizeof(*nw));
	if (!nw)
		return;
	s->warnings = nw;
	s->warnings[s->nr_warnings] = strdup(buf);
	if (s->warnings[s->nr_warnings])
		s->nr_warnings++;
}

int zi_device_add(struct zi_system *s, const struct zi_device *d)
{
	if (s->nr_devs == s->cap_devs) {
		size_t cap = s->cap_devs ? s->cap_devs * 2 : 8;
		struct zi_device *nd;

		if (cap > 65536)
			return -ENOMEM;
		nd = realloc(s->devs, cap * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		s->devs = nd;
		s->cap_devs = cap;
	}
	s->devs[s->nr_devs] = *d;
	return (int)s->nr_devs++;
}

struct zi_device *zi_device_find(struct zi_system *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nr_devs; i++)
		if (!strcmp(s->devs[i].name, name))
			return &s->devs[i];
	return NULL;
}

static void path_of(char *out, size_t len, const char *root, const char *rel)
{
	snprintf(out, len, "%s/%s", root, rel);
}

/* Parameters of memory_hotplug and the kernel command line. */
static void load_config(struct zi_system *s, const char *root,
			const struct memhp_model *m)
{
	char path[PATH_MAX], word[64], *cmd;
	size_t len;
	uint64_t v;
	int b;

	path_of(path, sizeof(path), root,
		"sys/module/memory_hotplug/parameters/online_policy");
	if (read_word(path, word, sizeof(word))) {
		zi_warn(s,
			"%s: unreadable: assuming contig-zones (kernels before 5.15 have no other policy)",
			path);
	} else if (za_policy_from_name(word) < 0) {
		zi_warn(s, "%s: unknown policy \"%s\": assuming contig-zones",
			path, word);
	} else {
		s->st.cfg.policy = (enum za_policy)za_policy_from_name(word);
	}
	path_of(path, sizeof(path), root,
		"sys/module/memory_hotplug/parameters/auto_movable_ratio");
	if (!read_word(path, word, sizeof(word))) {
		if (parse_dec(word, &v) || v > UINT32_MAX)
			zi_warn(s, "%s: bad value \"%s\": assuming 301", path,
				word);
		else
			s->st.cfg.ratio = (unsigned int)v;
	}
	path_of(path, sizeof(path), root,
		"sys/module/memory_hotplug/parameters/auto_movable_numa_aware");
	if (!read_word(path, word, sizeof(word))) {
		b = zi_parse_bool(word);
		if (b < 0)
			zi_warn(s, "%s: bad value \"%s\": assuming Y", path,
				word);
		else
			s->st.cfg.numa_aware = b;
	}
	path_of(path, sizeof(path), root, "proc/cmdline");
	if (!read_all(path, 65536, &cmd, &len)) {
		char *w = cmd, *save = NULL, *tok;

		while ((tok = strtok_r(w, " \t\n", &save))) {
			w = NULL;
			if (!strcmp(tok, "movable_node"))
				s->st.cfg.movable_node = true;
		}
		free(cmd);
	}
	s->auto_online = -1;
	if (m->sys.auto_online_blocks[0])
		s->auto_online =
			za_online_type_from_name(m->sys.auto_online_blocks);
}

struct vmem_params {
	bool force_bbm;
	uint64_t bbm_block_size; /* bytes, 0: unset */
};

static void vmem_params(const char *root, struct vmem_params *p)
{
	char path[PATH_MAX], word[64];

	memset(p, 0, sizeof(*p));
	path_of(path, sizeof(path), root,
		"sys/module/virtio_mem/parameters/force_bbm");
	if (!read_word(path, word, sizeof(word)))
		p->force_bbm = zi_parse_bool(word) == 1;
	path_of(path, sizeof(path), root,
		"sys/module/virtio_mem/parameters/bbm_block_size");
	if (!read_word(path, word, sizeof(word)) &&
	    parse_dec(word, &p->bbm_block_size))
		p->bbm_block_size = 0;
}

/*
 * virtio_mem_init_hotplug(): the group unit is the memory block (SBM)
 * unless the device block size (@dev_bs bytes, 0 unknown) is not smaller
 * than a memory block or BBM is forced; then the big block size.
 */
static uint64_t vmem_unit_pages(const struct zi_system *s,
				const struct vmem_params *p, uint64_t dev_bs)
{
	uint64_t sb = dev_bs > (2u << 20) ? dev_bs : (2u << 20), bb;

	if (sb < s->block_size && !p->force_bbm)
		return s->st.block_pages;
	bb = dev_bs > s->block_size ? dev_bs : s->block_size;
	if (p->bbm_block_size &&
	    !(p->bbm_block_size & (p->bbm_block_size - 1)) &&
	    p->bbm_block_size >= bb)
		bb = p->bbm_block_size;
	return bb / s->page_size;
}

/* What the virtio-mem driver logged about one device (0 / -1: not logged). */
struct vmem_log {
	int nid;
	uint64_t dev_bs; /* "device block size: 0x200000" */
	uint64_t sb;	 /* "subblock size: 0x400000" (Sub Block Mode) */
	uint64_t bb;	 /* "big block size: 0x8000000" (Big Block Mode) */
};

/*
 * What the virtio-mem driver logged at probe time (virtio_mem_init(),
 * dev_info() lines "virtio_mem virtio2: nid: 1", "... device block size:
 * 0x200000", "... subblock size: 0x400000" or "... big block size: ..."):
 * the kernel shows a device's node and (un)plug unit nowhere else (the
 * virtio device's sysfs directory has no config fields). The last line of
 * each kind wins: a rebound driver logs again.
 */
static void vmem_from_log(const char *text, size_t len, const char *name,
			  struct vmem_log *vl)
{
	char line[256], key[64];
	size_t pos = 0, kl;
	bool cut;

	vl->nid = -1;
	vl->dev_bs = vl->sb = vl->bb = 0;
	kl = (size_t)snprintf(key, sizeof(key), "virtio_mem %s: ", name);
	while (next_line(text, len, &pos, line, sizeof(line), &cut)) {
		char *p = strstr(line, key);
		uint64_t v;

		if (!p)
			continue;
		p += kl;
		if (!strncmp(p, "nid: ", 5) && !parse_dec(p + 5, &v) &&
		    v < ZA_MAX_NODES)
			vl->nid = (int)v;
		else if (!strncmp(p, "device block size: ", 19) &&
			 !zi_parse_u64(p + 19, &v))
			vl->dev_bs = v;
		else if (!strncmp(p, "subblock size: ", 15) &&
			 !zi_parse_u64(p + 15, &v) && v)
			vl->sb = v, vl->bb = 0;
		else if (!strncmp(p, "big block size: ", 16) &&
			 !zi_parse_u64(p + 16, &v) && v)
			vl->bb = v, vl->sb = 0;
	}
}

/*
 * The device's (un)plug unit. Logged: as logged. Otherwise from the device
 * block size as virtio_mem_init_hotplug() derives it since 5.19 (6.1 and
 * 6.12 alike): sb_size = max(device block size, pageblock_nr_pages pages)
 * (512 pages, 2 MiB, on x86-64; the lab's 6.1 and 6.12 log "subblock size:
 * 0x200000" for a 2 MiB device block; before 5.19 it was at least
 * MAX_ORDER_NR_PAGES, 4 MiB), SBM when that is smaller than a memory block
 * and force_bbm is off, else
 * BBM with bb_size = max(device block size, memory block), raised to
 * bbm_block_size. A device without VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE
 * support in the driver goes BBM too: only the log shows that.
 */
static void vmem_unit(const struct zi_system *s, const struct vmem_params *p,
		      const struct vmem_log *vl, struct zi_device *d)
{
	uint64_t sb, bb;

	d->dev_block_bytes = vl->dev_bs;
	d->sb_bytes = 0;
	d->sb_bbm = false;
	d->sb_source = ZI_SB_UNKNOWN;
	if (vl->sb || vl->bb) {
		d->sb_bytes = vl->sb ? vl->sb : vl->bb;
		d->sb_bbm = !vl->sb;
		d->sb_source = ZI_SB_LOG;
		return;
	}
	if (!vl->dev_bs || !s->page_size)
		return;
	sb = 512 * s->page_size;
	if (vl->dev_bs > sb)
		sb = vl->dev_bs;
	d->sb_source = ZI_SB_DEVICE_BS;
	if (sb < s->block_size && !p->force_bbm) {
		d->sb_bytes = sb;
		return;
	}
	bb = vl->dev_bs > s->block_size ? vl->dev_bs : s->block_size;
	if (p->bbm_block_size &&
	    !(p->bbm_block_size & (p->bbm_block_size - 1)) &&
	    p->bbm_block_size >= bb)
		bb = p->bbm_block_size;
	d->sb_bytes = bb;
	d->sb_bbm = true;
}

struct blockinfo {
	int dev; /* index in s->devs, -1 */
	bool in_boot_map;
};

/* firmware_node of memoryN: the ACPI device's name, "" if none. */
static void firmware_node(const char *memdir, uint64_t id, char *out,
			  size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *base;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/memory%llu/firmware_node", memdir,
		     (unsigned long long)id) >= (int)sizeof(path))
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (snprintf(out, len, "%s", base) >= (int)len)
		out[0] = '\0'; /* not an ACPI device name */
}

static int find_or_add_dev(struct zi_system *s, enum zi_dev_kind kind,
			   const char *name)
{
	struct zi_device d = {
		.kind = kind, .group = -1, .nid = -1, .detected = true
	};
	size_t i;

	for (i = 0; i < s->nr_devs; i++)
		if (s->devs[i].kind == kind && !strcmp(s->devs[i].name, name))
			return (int)i;
	snprintf(d.name, sizeof(d.name), "%s", name);
	return zi_device_add(s, &d);
}

static bool virtio_mem_driver(const char *root, const char *name)
{
	char path[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	ssize_t n;

	path_of(dir, sizeof(dir), root, "sys/bus/virtio/devices");
	if (access(dir, F_OK))
		return true; /* no way to tell: trust the name */
	if (snprintf(path, sizeof(path), "%s/%s/driver", dir, name) >=
	    (int)sizeof(path))
		return false;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strstr(target, "virtio_mem") != NULL;
}

static bool is_virtio_name(const char *n)
{
	size_t d;

	if (strncmp(n, "virtio", 6))
		return false;
	d = strspn(n + 6, "0123456789");
	return d > 0 && !n[6 + d];
}

/* Devices from /proc/iomem: virtio-mem regions and dax/kmem ranges. */
static void load_iomem(struct zi_system *s, const char *root,
		       struct blockinfo *bi)
{
	const uint64_t bs = s->block_size;
	char path[PATH_MAX], *buf;
	struct zi_iomem io;
	size_t len, i, k;

	path_of(path, sizeof(path), root, "proc/iomem");
	if (read_all(path, ZI_MAX_FILE, &buf, &len)) {
		zi_warn(s,
			"%s: unreadable: virtio-mem and dax/kmem memory are not told apart from other hot-added memory",
			path);
		return;
	}
	if (iomem_parse(buf, len, &io)) {
		free(buf);
		return;
	}
	free(buf);
	if (io.zeroed) {
		zi_warn(s,
			"%s: addresses hidden (not root?): virtio-mem and dax/kmem memory are not told apart",
			path);
		iomem_free(&io);
		return;
	}
	s->have_iomem = true;
	for (i = 0; i < io.nr; i++) {
		const struct zi_resource *r = &io.res[i];
		bool vmem = r->depth == 0 && is_virtio_name(r->name) &&
			    virtio_mem_driver(root, r->name);
		bool kmem = !strcmp(r->name, "System RAM (kmem)");
		const struct zi_resource *owner = r;
		int d;

		if (!vmem && !kmem)
			continue;
		if (kmem) {
			if (r->parent < 0)
				continue;
			owner = &io.res[r->parent];
		}
		d = find_or_add_dev(s, vmem ? ZI_DEV_VIRTIO_MEM : ZI_DEV_KMEM,
				    owner->name);
		if (d < 0)
			continue;
		if (vmem) {
			s->devs[d].region_first = (r->start + bs - 1) / bs;
			s->devs[d].region_end = (r->end + 1) / bs;
		}
		/* blocks of the memory this device added */
		for (k = 0; k < s->st.nr_blocks; k++) {
			uint64_t a = s->st.blocks[k].id * bs;
			size_t c;

			if (kmem) {
				if (a >= r->start && a + bs - 1 <= r->end)
					bi[k].dev = d;
				continue;
			}
			for (c = i + 1; c < io.nr && io.res[c].depth > 0; c++)
				if (io.res[c].parent == (int)i &&
				    !strcmp(io.res[c].name,
					    "System RAM (virtio_mem)") &&
				    a >= io.res[c].start &&
				    a + bs - 1 <= io.res[c].end)
					bi[k].dev = d;
		}
	}
	if (io.malformed)
		zi_warn(s, "%s: %u malformed line(s) ignored", path,
			io.malformed);
	iomem_free(&io);
}

static void load_memmap(struct zi_system *s, const char *root,
			struct blockinfo *bi)
{
	const uint64_t bs = s->block_size;
	uint64_t *late = NULL;
	struct zi_memmap mm;
	char path[PATH_MAX];
	size_t i, k, nl = 0;

	path_of(path, sizeof(path), root, "sys/firmware/memmap");
	if (memmap_read(path, &mm)) {
		/* no firmware map (not x86): grouped blocks are the hotplugged ones */
		for (k = 0; k < s->st.nr_blocks; k++)
			bi[k].in_boot_map = bi[k].dev < 0;
		return;
	}
	s->have_memmap = true;
	/* ACPI memory devices' contiguous runs: their add_memory() ranges */
	late = calloc(2 * s->st.nr_blocks + 2, sizeof(*late));
	for (k = 0; late && k < s->st.nr_blocks; k++) {
		int d = bi[k].dev;
		uint64_t id = s->st.blocks[k].id;

		if (d < 0 || s->devs[d].kind != ZI_DEV_DIMM)
			continue;
		if (nl && late[2 * nl - 1] == id * bs &&
		    (k && bi[k - 1].dev == d)) {
			late[2 * nl - 1] = (id + 1) * bs;
			continue;
		}
		late[2 * nl] = id * bs;
		late[2 * nl + 1] = (id + 1) * bs;
		nl++;
	}
	memmap_mark_boot(&mm, late, nl);
	free(late);
	for (k = 0; k < s->st.nr_blocks; k++) {
		uint64_t a = s->st.blocks[k].id * bs, e = a + bs - 1;

		for (i = 0; i < mm.nr; i++)
			if (mm.e[i].boot &&
			    !strcmp(mm.e[i].type, "System RAM") &&
			    mm.e[i].start <= e && mm.e[i].end >= a)
				bi[k].in_boot_map = true;
	}
	if (mm.malformed)
		zi_warn(s, "%s: %u malformed entr%s ignored", path,
			mm.malformed, mm.malformed == 1 ? "y" : "ies");
	memmap_free(&mm);
}

/* Zones from zoneinfo, present early = present - online hot-added pages. */
static void load_zones(struct zi_system *s, const struct zoneinfo *zi,
		       const char *path)
{
	size_t i;

	for (i = 0; i < zi->nr; i++) {
		const struct zi_zone *z = &zi->zones[i];
		struct za_zone *dz;

		if (z->zid < 0) {
			if (z->present)
				zi_warn(s,
					"%s: node %d zone %s is not modelled (%llu present pages ignored)",
					path, z->nid, z->name,
					(unsigned long long)z->present);
			continue;
		}
		dz = za_zone_get(&s->st, z->nid, z->zid);
		if (!dz)
			continue;
		if (!z->has_spanned || !z->has_present) {
			zi_warn(s,
				"%s: node %d zone %s: no spanned/present: taken as empty",
				path, z->nid, z->name);
			continue;
		}
		dz->present = z->present;
		dz->cma = z->has_cma ? z->cma : 0;
		if (z->spanned && !z->has_start) {
			if (z->present)
				zi_warn(s,
					"%s: node %d zone %s: no start_pfn: span taken as empty",
					path, z->nid, z->name);
			else
				zi_warn(s,
					"%s: node %d zone %s spans %llu pages but is unpopulated (start not shown): span taken as empty",
					path, z->nid, z->name,
					(unsigned long long)z->spanned);
			continue;
		}
		if (z->spanned && z->start_pfn > UINT64_MAX - z->spanned) {
			zi_warn(s,
				"%s: node %d zone %s: span beyond 64 bits: taken as empty",
				path, z->nid, z->name);
			continue;
		}
		dz->start_pfn = z->spanned ? z->start_pfn : 0;
		dz->spanned = z->spanned;
	}
}

int zi_system_load(struct zi_system *s, const char *sysroot, char *err,
		   size_t errlen)
{
	struct memhp_model *m;
	struct sysfs_report rep;
	char serr[512];
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	model_init(m);
	rc = sysfs_snapshot_report(m, sysroot && *sysroot ? sysroot : NULL,
				   &rep, serr, sizeof(serr));
	if (rc) {
		snprintf(err, errlen, "%s", serr);
	} else {
		if (sysfs_report_problems(&rep))
			zi_warn(s, "sysfs: %u problem(s), first: %s",
				sysfs_report_problems(&rep), rep.first);
		rc = zi_system_from_model(s, m, sysroot, err, errlen);
	}
	model_free(m);
	free(m);
	return rc;
}

int zi_system_from_model(struct zi_system *s, const struct memhp_model *m,
			 const char *sysroot, char *err, size_t errlen)
{
	const char *root = sysroot && *sysroot ? sysroot : "";
	struct blockinfo *bi = NULL;
	struct zoneinfo zi;
	char path[PATH_MAX], memdir[PATH_MAX];
	struct vmem_params vp;
	char *klog = NULL;
	size_t klog_len = 0, klog_cap = 0; /* cap: read_kernel_log()'s mapping */
	size_t k;
	int rc, n, zid;

	memset(&zi, 0, sizeof(zi));
	if (!sysroot || !*sysroot) {
		long ps = sysconf(_SC_PAGESIZE);

		if (ps > 0)
			s->page_size = (uint64_t)ps;
	}
	s->block_size = m->block_size;
	if (m->block_size < s->page_size || m->block_size % s->page_size) {
		snprintf(
			err, errlen,
			"memory block size 0x%llx is not a multiple of the page size",
			(unsigned long long)m->block_size);
		rc = -EINVAL;
		goto out;
	}
	rc = za_init(&s->st, m->block_size / s->page_size);
	if (rc) {
		snprintf(err, errlen, "bad memory block size");
		goto out;
	}
	/* PAGES_PER_SUBSECTION: 2 MiB */
	s->st.subsection_pages =
		(2u << 20) / s->page_size ? (2u << 20) / s->page_size : 1;
	path_of(path, sizeof(path), root, "proc/zoneinfo");
	rc = zoneinfo_read(path, &zi, err, errlen);
	if (rc)
		goto out;
	if (zi.malformed)
		zi_warn(s, "%s: %u malformed line(s) ignored, first: %s", path,
			zi.malformed, zi.first);
	load_config(s, root, m);

	/* blocks */
	for (k = 0; k < m->nr_blocks; k++) {
		const struct memhp_block *mb = &m->blocks[k];
		struct za_block b = { .id = mb->id,
				      .group = -1,
				      .zone = ZA_ZONE_NONE };
		char zone[MEMHP_ZONES_LEN];

		b.nid = mb->node >= 0 && mb->node < ZA_MAX_NODES ? mb->node : 0;
		b.online = mb->state == MEMHP_BLOCK_ONLINE ||
			   mb->state == MEMHP_BLOCK_GOING_OFFLINE;
		if (mb->state == MEMHP_BLOCK_UNKNOWN)
			zi_warn(s,
				"memory%llu: state unknown: taken as offline",
				(unsigned long long)mb->id);
		if (b.online) {
			snprintf(zone, sizeof(zone), "%.*s",
				 (int)strcspn(model_zones(m, mb), " "), model_zones(m, mb));
			b.zone = za_zone_from_name(zone);
			if (b.zone < 0 && strcmp(zone, "none"))
				zi_warn(s,
					"memory%llu: online in unknown zone \"%s\"",
					(unsigned long long)mb->id, zone);
			if (b.zone < 0)
				b.zone = ZA_ZONE_NONE;
		}
		rc = za_block_insert(&s->st, &b);
		if (rc == -EINVAL) {
			zi_warn(s, "memory%llu: beyond 64-bit pfns: ignored",
				(unsigned long long)mb->id);
			continue;
		}
		if (rc) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (!s->st.nr_blocks) {
		snprintf(err, errlen, "no usable memory block");
		rc = -EINVAL;
		goto out;
	}
	bi = calloc(s->st.nr_blocks, sizeof(*bi));
	if (!bi) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (k = 0; k < s->st.nr_blocks; k++)
		bi[k].dev = -1;

	/* ACPI memory devices (DIMMs) */
	path_of(memdir, sizeof(memdir), root, "sys/devices/system/memory");
	for (k = 0; k < s->st.nr_blocks; k++) {
		char fw[64];

		firmware_node(memdir, s->st.blocks[k].id, fw, sizeof(fw));
		if (fw[0])
			bi[k].dev = find_or_add_dev(s, ZI_DEV_DIMM, fw);
	}
	load_iomem(s, root, bi);
	load_memmap(s, root, bi);

	/* early blocks; blocks of a DIMM in the boot map were never added */
	for (k = 0; k < s->st.nr_blocks; k++) {
		struct za_block *b = &s->st.blocks[k];

		if (bi[k].dev >= 0 && s->devs[bi[k].dev].kind == ZI_DEV_DIMM &&
		    bi[k].in_boot_map)
			bi[k].dev = -1;
		b->early = bi[k].dev < 0 && bi[k].in_boot_map;
		if (b->early)
			s->nr_early++;
		else
			s->nr_hotplugged++;
	}

	/* memory groups: nid and size from their blocks */
	for (k = 0; k < s->nr_devs; k++) {
		struct zi_device *d = &s->devs[k];
		uint64_t nblocks = 0;
		size_t j;
		int gid;

		for (j = 0; j < s->st.nr_blocks; j++) {
			if (bi[j].dev != (int)k)
				continue;
			if (!nblocks)
				d->nid = s->st.blocks[j].nid;
			else if (d->nid != s->st.blocks[j].nid)
				zi_warn(s, "%s: blocks on several nodes",
					d->name);
			nblocks++;
		}
		if (d->kind == ZI_DEV_VIRTIO_MEM) {
			struct vmem_log vl = { .nid = -1 };

			if (!klog && !root[0] &&
			    read_kernel_log(&klog, &klog_len, &klog_cap))
				klog_len = 0;
			if (!klog && root[0]) {
				path_of(path, sizeof(path), root, "dmesg");
				if (read_all(path, ZI_MAX_FILE, &klog,
					     &klog_len))
					klog_len = 0;
			}
			if (klog)
				vmem_from_log(klog, klog_len, d->name, &vl);
			if (d->nid < 0)
				d->nid = vl.nid;
			else if (vl.nid >= 0 && vl.nid != d->nid)
				zi_warn(s,
					"%s: blocks on node %d, the driver said nid %d",
					d->name, d->nid, vl.nid);
			vmem_params(root, &vp);
			d->unit_pages = vmem_unit_pages(s, &vp, vl.dev_bs);
			vmem_unit(s, &vp, &vl, d);
			if (!vl.dev_bs)
				zi_warn(s,
					"%s: device block size unknown (kernel log): assuming a memory-block unit (say unit= otherwise)",
					d->name);
			if (d->nid < 0)
				zi_warn(s,
					"%s: node unknown (no blocks, no kernel log): say node=",
					d->name);
			gid = za_group_register_dynamic(
				&s->st, d->nid >= 0 ? d->nid : 0, d->unit_pages,
				d->name);
		} else if (nblocks)
			gid = za_group_register_static(
				&s->st, d->nid, nblocks * s->st.block_pages,
				d->name);
		else
			continue;
		if (gid < 0) {
			zi_warn(s, "%s: cannot model its memory group",
				d->name);
			continue;
		}
		d->group = gid;
		for (j = 0; j < s->st.nr_blocks; j++) {
			struct za_block *b = &s->st.blocks[j];
			struct za_group *g = za_group_find(&s->st, gid);

			if (bi[j].dev != (int)k)
				continue;
			b->group = gid;
			if (!b->online)
				continue;
			if (b->zone == ZA_ZONE_MOVABLE)
				g->present_movable_pages += s->st.block_pages;
			else
				g->present_kernel_pages += s->st.block_pages;
		}
	}

	load_zones(s, &zi, path);
	/* present early pages */
	for (n = 0; n < s->st.nr_nodes; n++) {
		for (zid = 0; zid < ZA_NR_ZONES; zid++) {
			struct za_zone *z = &s->st.nodes[n].zones[zid];
			uint64_t hot = za_hotplugged_present(&s->st, n, zid);

			if (hot > z->present) {
				zi_warn(s,
					"node %d zone %s: %llu pages of hot-added blocks online but only %llu present",
					n, za_zone_name(zid),
					(unsigned long long)hot,
					(unsigned long long)z->present);
				hot = z->present;
			}
			z->present_early = z->present - hot;
			if (z->cma > z->present_early)
				zi_warn(s,
					"node %d zone %s: more CMA than early pages",
					n, za_zone_name(zid));
		}
	}
	rc = 0;
out:
	if (klog_cap)
		kernel_log_free(klog, klog_cap);
	else
		free(klog);
	free(bi);
	zoneinfo_free(&zi);
	return rc;
}
