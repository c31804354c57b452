// SPDX-License-Identifier: GPL-2.0
/*
 * Driver coverage: for each online_pages() inside memory a balloon-style
 * driver manages (an hv_balloon hot-add region, a virtio-mem device), what
 * the driver says is backed and what the online-page callback freed. Two
 * findings come out of it (user/lib/decode.c):
 * - pages freed that the driver never backed (touching them can crash the
 *   guest): released_uncovered > 0;
 * - backed pages left offline (the seed bug: a block onlined with zero
 *   pages gained): backed_pages > released_backed.
 *
 * The driver's state is read, not hooked: hv_balloon keeps one struct
 * hv_hotadd_state per hot-add region in dm_device.ha_region_list; a pfn is
 * backed iff it is in [covered_start_pfn, covered_end_pfn) and in no gap
 * (drivers/hv/hv_balloon.c: has_pfn_is_backed()). Old kernels advanced
 * covered_start_pfn while onlining (the seed bug); memhp keeps the lowest
 * covered_start_pfn it has seen per region as the driver's promise.
 *
 * virtio-mem: a device's memory is backed where its sub-blocks are plugged
 * (SBM: bit (mb_id - first_mb_id) * sbs_per_mb + sb_id of sbm.sb_states) or
 * its big block is not fake-offline (BBM), as virtio_mem_online_page() decides.
 *
 * dm_device and virtio_mem_devices are statics of their modules, resolved
 * from kallsyms when memhp loads; the loader reloads this object when
 * modules come and go.
 */
#include "common.bpf.h"

#define HV_MAX_REGIONS 8
#define HV_MAX_GAPS 8

struct hv_hotadd_gap___memhp {
	struct list_head list;
	unsigned long start_pfn;
	unsigned long end_pfn;
} __attribute__((preserve_access_index));

struct hv_hotadd_state___memhp {
	struct list_head list;
	unsigned long start_pfn;
	unsigned long covered_start_pfn;
	unsigned long covered_end_pfn;
	unsigned long ha_end_pfn;
	unsigned long end_pfn;
	struct list_head gap_list;
} __attribute__((preserve_access_index));

struct hv_dynmem_device___memhp {
	struct list_head ha_region_list;
} __attribute__((preserve_access_index));

struct virtio_mem___memhp {
	__u64 addr;
	__u64 region_size;
	bool in_sbm;
	union {
		struct {
			unsigned long first_mb_id;
			__u64 sb_size;
			__u32 sbs_per_mb;
			unsigned long *sb_states;
		} sbm;
		struct {
			unsigned long first_bb_id;
			__u8 *bb_states;
			__u64 bb_size;
		} bbm;
	};
	struct list_head next;
} __attribute__((preserve_access_index));

#define VMEM_MAX_DEVICES 8
#define VMEM_MAX_WORDS 16 /* bitmap words looked at per call: 1024 sub-blocks */
#define VIRTIO_MEM_BBM_BB_FAKE_OFFLINE 3

extern const void dm_device __ksym __weak;
extern const void virtio_mem_devices __ksym __weak;
extern const void vmemmap_base __ksym __weak;

const volatile int online_abi = 0;     /* as in online.bpf.c */
const volatile __u64 block_bytes = 128 << 20; /* memory block size */

enum { DRV_NONE, DRV_HV, DRV_VIRTIO_MEM };

/* Lowest covered_start_pfn seen per region (struct hv_hotadd_state *). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} hv_covered_start SEC(".maps");

/*
 * What decides whether a virtio-mem page is plugged, read once per
 * online_pages() call: generic_online_page() runs for every chunk of the
 * block (32 times per 128 MiB in the lab), and five reads of the device
 * per chunk cost more than the one bitmap word the chunk needs.
 */
struct vmem_geo {
	__u64 in_sbm;
	__u64 sb_size, first_mb_id, sbs_per_mb, states; /* SBM */
	__u64 bb_size, first_bb_id, bb_states;	  /* BBM */
};

struct hv_call {
	__u64 driver; /* DRV_* */
	__u64 start_pfn, nr_pages;
	__u64 backed, released_backed, released_uncovered;
	__u64 region_start, region_end;
	__u64 ts;
	/* DRV_VIRTIO_MEM: the device found at entry. It cannot go while its
	 * memory is being onlined (device_hotplug_lock), so the pages of the
	 * call inside its region skip the walk of virtio_mem_devices. */
	__u64 dev;
	struct vmem_geo geo; /* ... and its layout, read once */
	__u64 vmemmap;	     /* vmemmap_base, read once: struct page * -> pfn */
};

/* The online_pages() call in progress, per task. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct hv_call);
} hv_calls SEC(".maps");

struct hv_region {
	__u64 has, start, end, cov_start, cov_end;
};

static __always_inline __u64 list_head_addr(void)
{
	return (__u64)&dm_device +
	       bpf_core_field_offset(struct hv_dynmem_device___memhp, ha_region_list);
}

/* Region number i of the list (0-based), 0 when there is none. */
static __always_inline int region_at(__u64 *pos, struct hv_region *r)
{
	__u64 head = list_head_addr();
	struct hv_hotadd_state___memhp *has;
	__u64 next = 0, *seen, cs;

	bpf_probe_read_kernel(&next, sizeof(next), (void *)*pos);
	if (!next || next == head)
		return 0;
	*pos = next; /* list is the first member: the entry is at next */
	has = (void *)next;
	r->has = next;
	r->start = BPF_CORE_READ(has, start_pfn);
	r->end = BPF_CORE_READ(has, end_pfn);
	r->cov_end = BPF_CORE_READ(has, covered_end_pfn);
	cs = BPF_CORE_READ(has, covered_start_pfn);
	seen = bpf_map_lookup_elem(&hv_covered_start, &next);
	if (seen && *seen < cs)
		cs = *seen;
	else
		bpf_map_update_elem(&hv_covered_start, &next, &cs, BPF_ANY);
	r->cov_start = cs;
	return 1;
}

/* Pages of [lo, hi) inside a gap of the region. */
static __always_inline __u64 gap_pages(__u64 has, __u64 lo, __u64 hi)
{
	__u64 head = has + bpf_core_field_offset(struct hv_hotadd_state___memhp, gap_list);
	__u64 pos = head, next = 0, n = 0;
	int i;

	for (i = 0; i < HV_MAX_GAPS; i++) {
		struct hv_hotadd_gap___memhp *gap;
		__u64 gs, ge;

		next = 0;
		bpf_probe_read_kernel(&next, sizeof(next), (void *)pos);
		if (!next || next == head)
			break;
		pos = next;
		gap = (void *)next;
		gs = BPF_CORE_READ(gap, start_pfn);
		ge = BPF_CORE_READ(gap, end_pfn);
		if (gs < lo)
			gs = lo;
		if (ge > hi)
			ge = hi;
		if (ge > gs)
			n += ge - gs;
	}
	return n;
}

/* Backed pages of [lo, hi) in region r. */
static __always_inline __u64 backed_in(const struct hv_region *r, __u64 lo, __u64 hi)
{
	__u64 s = r->cov_start > lo ? r->cov_start : lo;
	__u64 e = r->cov_end < hi ? r->cov_end : hi;

	if (e <= s)
		return 0;
	return (e - s) - gap_pages(r->has, s, e);
}

/*
 * A device's region, [addr, addr + region_size): the two fields sit side by
 * side in struct virtio_mem, so one read of kernel memory (two if a kernel
 * ever parts them).
 */
static __always_inline void vmem_region(struct virtio_mem___memhp *vm, __u64 *a, __u64 *size)
{
	__u64 r[2] = {};

	if (bpf_core_field_offset(vm->region_size) == bpf_core_field_offset(vm->addr) + 8) {
		bpf_probe_read_kernel(r, sizeof(r), (char *)vm + bpf_core_field_offset(vm->addr));
		*a = r[0];
		*size = r[1];
	} else {
		*a = BPF_CORE_READ(vm, addr);
		*size = BPF_CORE_READ(vm, region_size);
	}
}

/* The virtio-mem device whose region holds [pfn, pfn + n), or 0; its
 * region in *a and *size. */
static __always_inline __u64 vmem_device(__u64 pfn, __u64 n, __u64 *a, __u64 *size)
{
	__u64 head = (__u64)&virtio_mem_devices, pos = head, next;
	__u64 lo = pfn << 12, hi = (pfn + n) << 12;
	int i;

	for (i = 0; i < VMEM_MAX_DEVICES; i++) {
		struct virtio_mem___memhp *vm;

		next = 0;
		bpf_probe_read_kernel(&next, sizeof(next), (void *)pos);
		if (!next || next == head)
			return 0;
		pos = next;
		vm = (void *)(next - bpf_core_field_offset(struct virtio_mem___memhp, next));
		vmem_region(vm, a, size);
		if (lo >= *a && hi <= *a + *size)
			return (__u64)vm;
	}
	return 0;
}

/* Bytes from in_sbm on that hold the SBM/BBM fields (about 96 in 6.1 and
 * 6.12): read at once, fields at HEAD_OFF() (core_fixes.bpf.h; issue #14:
 * five reads were a third of the online_pages entry program). */
#define VMEM_GEO_BYTES 160
#define GEO_OFF(f, sz) HEAD_OFF(struct virtio_mem___memhp, f, o_base, sz, VMEM_GEO_BYTES)

static __always_inline void vmem_geo_read(__u64 dev, struct vmem_geo *g)
{
	struct virtio_mem___memhp *vm = (void *)dev;
	__u32 o_base = bpf_core_field_offset(struct virtio_mem___memhp, in_sbm);
	__u32 o_sbs = GEO_OFF(sbm.sb_size, 8), o_mb = GEO_OFF(sbm.first_mb_id, 8);
	__u32 o_per = GEO_OFF(sbm.sbs_per_mb, 4), o_st = GEO_OFF(sbm.sb_states, 8);
	__u32 o_bbs = GEO_OFF(bbm.bb_size, 8), o_bb = GEO_OFF(bbm.first_bb_id, 8);
	__u32 o_bst = GEO_OFF(bbm.bb_states, 8);
	__u8 buf[VMEM_GEO_BYTES] = {};
	__u32 per = 0;

	if (o_sbs == VMEM_GEO_BYTES || o_mb == VMEM_GEO_BYTES || o_per == VMEM_GEO_BYTES ||
	    o_st == VMEM_GEO_BYTES || o_bbs == VMEM_GEO_BYTES || o_bb == VMEM_GEO_BYTES ||
	    o_bst == VMEM_GEO_BYTES) {
		g->in_sbm = BPF_CORE_READ(vm, in_sbm);
		if (g->in_sbm) {
			g->sb_size = BPF_CORE_READ(vm, sbm.sb_size);
			g->first_mb_id = BPF_CORE_READ(vm, sbm.first_mb_id);
			g->sbs_per_mb = BPF_CORE_READ(vm, sbm.sbs_per_mb);
			g->states = (__u64)BPF_CORE_READ(vm, sbm.sb_states);
		} else {
			g->bb_size = BPF_CORE_READ(vm, bbm.bb_size);
			g->first_bb_id = BPF_CORE_READ(vm, bbm.first_bb_id);
			g->bb_states = (__u64)BPF_CORE_READ(vm, bbm.bb_states);
		}
		return;
	}
	bpf_probe_read_kernel(buf, sizeof(buf), (char *)vm + o_base);
	g->in_sbm = buf[0];
	if (g->in_sbm) {
		__builtin_memcpy(&g->sb_size, buf + o_sbs, 8);
		__builtin_memcpy(&g->first_mb_id, buf + o_mb, 8);
		__builtin_memcpy(&per, buf + o_per, 4);
		g->sbs_per_mb = per;
		__builtin_memcpy(&g->states, buf + o_st, 8);
	} else {
		__builtin_memcpy(&g->bb_size, buf + o_bbs, 8);
		__builtin_memcpy(&g->first_bb_id, buf + o_bb, 8);
		__builtin_memcpy(&g->bb_states, buf + o_bst, 8);
	}
}

/* Set bits of a word (no popcount instruction in BPF). */
static __always_inline __u64 bits_set(__u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

/*
 * Plugged pages of the physical range [lo, hi) in SBM: sub-block bit
 * (mb_id - first_mb_id) * sbs_per_mb + sb_id of sb_states, i.e. addr /
 * sb_size - first_mb_id * sbs_per_mb (a memory block is sbs_per_mb
 * sub-blocks). Whole words at a time; the sub-blocks at both ends count
 * only their pages inside the range.
 */
static __always_inline __u64 sbm_plugged(const struct vmem_geo *g, __u64 lo, __u64 hi)
{
	__u64 base, b0, b1, w0, cnt = 0, pages, sbp;
	int i;

	if (!g->sb_size || !g->states || hi <= lo)
		return 0;
	base = g->first_mb_id * g->sbs_per_mb;
	b0 = lo / g->sb_size;
	b1 = (hi - 1) / g->sb_size;
	if (b0 < base)
		return 0;
	sbp = g->sb_size >> 12;
	pages = 0;
	w0 = (b0 - base) / 64;
	for (i = 0; i < VMEM_MAX_WORDS; i++) {
		__u64 w = w0 + i, first = w * 64 + base, word = 0, mask = ~0ULL;

		if (first > b1)
			break;
		bpf_probe_read_kernel(&word, sizeof(word), (void *)(g->states + w * 8));
		if (b0 > first)
			mask &= ~0ULL << (b0 - first);
		if (b1 - first < 63)
			mask &= ~0ULL >> (63 - (b1 - first));
		cnt += bits_set(word & mask);
		/* the end sub-blocks, if plugged, only partly in the range */
		if (b0 >= first && b0 - first < 64 && (word >> (b0 - first) & 1))
			pages -= (lo - b0 * g->sb_size) >> 12;
		if (b1 >= first && b1 - first < 64 && (word >> (b1 - first) & 1))
			pages -= ((b1 + 1) * g->sb_size - hi) >> 12;
	}
	return pages + cnt * sbp;
}

/* Pages of [pfn, pfn + n) the virtio-mem device backs (plugged). */
static __always_inline __u64 vmem_backed(const struct vmem_geo *g, __u64 pfn, __u64 n)
{
	__u64 bb, b;
	__u8 state = 0;

	if (g->in_sbm) {
		b = sbm_plugged(g, pfn << 12, (pfn + n) << 12);
		return b > n ? n : b;
	}
	if (!g->bb_size)
		return 0;
	bb = (pfn << 12) / g->bb_size;
	bpf_probe_read_kernel(&state, 1, (void *)(g->bb_states + (bb - g->first_bb_id)));
	return state == VIRTIO_MEM_BBM_BB_FAKE_OFFLINE ? 0 : n;
}

/* The same for a device other than the call's (a chunk outside its region). */
static __always_inline __u64 vmem_backed_dev(__u64 dev, __u64 pfn, __u64 n)
{
	struct vmem_geo g = {};

	vmem_geo_read(dev, &g);
	return vmem_backed(&g, pfn, n);
}

/* A driver's call: zeroed only once a driver manages the range. */
static __always_inline void call_init(struct hv_call *c, __u64 driver, __u64 pfn, __u64 nr)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->driver = driver;
	c->start_pfn = pfn;
	c->nr_pages = nr;
}

/* The call's state goes in the map: what every driver's call has. */
static __always_inline void call_save(struct hv_call *c)
{
	__u64 id = bpf_get_current_pid_tgid();

	c->ts = bpf_ktime_get_ns();
	if (&vmemmap_base)
		bpf_probe_read_kernel(&c->vmemmap, sizeof(c->vmemmap), &vmemmap_base);
	bpf_map_update_elem(&hv_calls, &id, c, BPF_ANY);
}

/*
 * Entry of online_pages(): the driver that manages the range, if any, first;
 * a range no driver manages (a DIMM) costs the walk and nothing else (issue
 * #14). The duration starts after the walk: a few reads against an online
 * of milliseconds.
 */
static __always_inline void call_begin(__u64 pfn, __u64 nr)
{
	struct hv_call c;
	struct hv_region r;
	__u64 pos;
	int i;

	if (&virtio_mem_devices) {
		__u64 a = 0, size = 0, dev = vmem_device(pfn, nr, &a, &size);

		if (dev) {
			call_init(&c, DRV_VIRTIO_MEM, pfn, nr);
			c.dev = dev;
			vmem_geo_read(dev, &c.geo);
			c.backed = vmem_backed(&c.geo, pfn, nr);
			c.region_start = a >> 12;
			c.region_end = (a + size) >> 12;
			call_save(&c);
			return;
		}
	}
	if (!&dm_device)
		return;
	call_init(&c, DRV_HV, pfn, nr);
	pos = list_head_addr();
	for (i = 0; i < HV_MAX_REGIONS; i++) {
		if (!region_at(&pos, &r))
			break;
		if (pfn + nr <= r.start || pfn >= r.end)
			continue;
		c.backed += backed_in(&r, pfn, pfn + nr);
		c.region_start = r.start;
		c.region_end = r.end;
	}
	if (c.region_end) /* only ranges the driver manages */
		call_save(&c);
}

static __always_inline void count_page(__u64 page, unsigned int order)
{
	__u64 id = bpf_get_current_pid_tgid(), base, pfn, n, pos, b;
	struct hv_call *c = bpf_map_lookup_elem(&hv_calls, &id);
	struct hv_region r;
	int i;

	if (!c || order > 20)
		return;
	base = c->vmemmap; /* 0: the kernel has no vmemmap_base */
	if (!base || page < base)
		return;
	pfn = (page - base) / bpf_core_type_size(struct page);
	n = 1ULL << order;
	if (c->driver == DRV_VIRTIO_MEM) {
		__u64 dev, a, size;

		/* Without the module its types are unknown: the verifier must
		 * see this path is dead, or the object cannot load. */
		if (!&virtio_mem_devices)
			return;
		if (c->dev && pfn >= c->region_start && pfn + n <= c->region_end) {
			b = vmem_backed(&c->geo, pfn, n);
		} else {
			dev = vmem_device(pfn, n, &a, &size);
			b = dev ? vmem_backed_dev(dev, pfn, n) : 0;
		}
		c->released_backed += b;
		c->released_uncovered += n - b;
		return;
	}
	if (!&dm_device)
		return;
	pos = list_head_addr();
	for (i = 0; i < HV_MAX_REGIONS; i++) {
		if (!region_at(&pos, &r))
			break;
		if (pfn + n <= r.start || pfn >= r.end)
			continue;
		b = backed_in(&r, pfn, pfn + n);
		c->released_backed += b;
		c->released_uncovered += n - b;
		return;
	}
}

static __always_inline int call_end(int ret, __u32 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct hv_call *c = bpf_map_lookup_elem(&hv_calls, &id);
	struct memhp_event *e;

	if (!c)
		return 0;
	e = event_new(MEMHP_EV_COVERAGE);
	if (e) {
		e->flags |= flags;
		e->ret = ret;
		e->start_pfn = c->start_pfn;
		e->nr_pages = c->nr_pages;
		e->backed_pages = c->backed;
		e->released_backed = c->released_backed;
		e->released_uncovered = c->released_uncovered;
		e->region_start_pfn = c->region_start;
		e->region_end_pfn = c->region_end;
		event_duration(e, c->ts);
		if (c->driver == DRV_VIRTIO_MEM)
			__builtin_memcpy(e->res_name, "virtio_mem", 11);
		else
			__builtin_memcpy(e->res_name, "hv_balloon", 11);
		event_submit(e);
	}
	bpf_map_delete_elem(&hv_calls, &id);
	return 0;
}

SEC("fentry/online_pages")
int BPF_PROG(fentry_cov_onl, __u64 pfn, __u64 nr)
{
	call_begin(pfn, nr);
	return 0;
}

SEC("fexit/online_pages")
int BPF_PROG(fexit_cov_onl, __u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	return call_end(ret, 0);
}

SEC("fexit/online_pages")
int BPF_PROG(fexit_cov_onl3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	return call_end(ret, 0);
}

SEC("fentry/generic_online_page")
int BPF_PROG(fentry_cov_rel, struct page *page, unsigned int order)
{
	count_page(FUNC_ARG(0, page), order);
	return 0;
}

SEC("kprobe/online_pages")
int BPF_KPROBE(kprobe_cov_onl, __u64 pfn, __u64 nr)
{
	call_begin(pfn, nr);
	return 0;
}

SEC("kretprobe/online_pages")
int BPF_KRETPROBE(kret_cov_onl, int ret)
{
	return call_end(ret, MEMHP_F_KPROBE);
}

SEC("kprobe/generic_online_page")
int BPF_KPROBE(kprobe_cov_rel, __u64 page, unsigned int order)
{
	count_page(page, order);
	return 0;
}
