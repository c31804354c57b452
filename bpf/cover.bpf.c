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
#define VMEM_MAX_SBS 1024 /* sub-blocks looked at per call */
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

/* The virtio-mem device whose region holds [pfn, pfn + n), or 0. */
static __always_inline __u64 vmem_device(__u64 pfn, __u64 n)
{
	__u64 head = (__u64)&virtio_mem_devices, pos = head, next;
	__u64 lo = pfn << 12, hi = (pfn + n) << 12;
	int i;

	for (i = 0; i < VMEM_MAX_DEVICES; i++) {
		struct virtio_mem___memhp *vm;
		__u64 a, size;

		next = 0;
		bpf_probe_read_kernel(&next, sizeof(next), (void *)pos);
		if (!next || next == head)
			return 0;
		pos = next;
		vm = (void *)(next - bpf_core_field_offset(struct virtio_mem___memhp, next));
		a = BPF_CORE_READ(vm, addr);
		size = BPF_CORE_READ(vm, region_size);
		if (lo >= a && hi <= a + size)
			return (__u64)vm;
	}
	return 0;
}

struct sb_ctx {
	struct virtio_mem___memhp *vm;
	__u64 lo, hi; /* physical range */
	__u64 sb_size, first_mb_id, sbs_per_mb, states;
	__u64 plugged; /* pages */
};

static int sb_step(__u32 i, struct sb_ctx *c)
{
	__u64 addr = c->lo + (__u64)i * c->sb_size, end, mb_id, sb_id, bit, word = 0;

	if (addr >= c->hi)
		return 1;
	end = addr + c->sb_size < c->hi ? addr + c->sb_size : c->hi;
	mb_id = addr / block_bytes;
	sb_id = (addr - mb_id * block_bytes) / c->sb_size;
	bit = (mb_id - c->first_mb_id) * c->sbs_per_mb + sb_id;
	bpf_probe_read_kernel(&word, sizeof(word), (void *)(c->states + (bit / 64) * 8));
	if (word & (1ULL << (bit % 64)))
		c->plugged += (end - addr) >> 12;
	return 0;
}

/* Pages of [pfn, pfn + n) the virtio-mem device backs (plugged). */
static __always_inline __u64 vmem_backed(__u64 dev, __u64 pfn, __u64 n)
{
	struct virtio_mem___memhp *vm = (void *)dev;
	struct sb_ctx c = { .vm = vm, .lo = pfn << 12, .hi = (pfn + n) << 12 };
	__u64 bb_size, bb, first;
	__u8 state = 0;

	if (BPF_CORE_READ(vm, in_sbm)) {
		c.sb_size = BPF_CORE_READ(vm, sbm.sb_size);
		c.first_mb_id = BPF_CORE_READ(vm, sbm.first_mb_id);
		c.sbs_per_mb = BPF_CORE_READ(vm, sbm.sbs_per_mb);
		c.states = (__u64)BPF_CORE_READ(vm, sbm.sb_states);
		if (!c.sb_size || !c.states)
			return 0;
		/* align down to the sub-block holding lo */
		c.lo -= (c.lo % c.sb_size);
		bpf_loop(VMEM_MAX_SBS, sb_step, &c, 0);
		/* the first sub-block may start before pfn: never count more than n */
		return c.plugged > n ? n : c.plugged;
	}
	bb_size = BPF_CORE_READ(vm, bbm.bb_size);
	first = BPF_CORE_READ(vm, bbm.first_bb_id);
	if (!bb_size)
		return 0;
	bb = (pfn << 12) / bb_size;
	bpf_probe_read_kernel(&state, 1, BPF_CORE_READ(vm, bbm.bb_states) + (bb - first));
	return state == VIRTIO_MEM_BBM_BB_FAKE_OFFLINE ? 0 : n;
}

static __always_inline void call_begin(__u64 pfn, __u64 nr)
{
	__u64 id = bpf_get_current_pid_tgid(), pos;
	struct hv_call c = { .start_pfn = pfn, .nr_pages = nr, .ts = bpf_ktime_get_ns() };
	struct hv_region r;
	int i;

	if (&virtio_mem_devices) {
		__u64 dev = vmem_device(pfn, nr);

		if (dev) {
			__u64 a = BPF_CORE_READ((struct virtio_mem___memhp *)dev, addr);

			c.driver = DRV_VIRTIO_MEM;
			c.dev = dev;
			c.backed = vmem_backed(dev, pfn, nr);
			c.region_start = a >> 12;
			c.region_end = (a + BPF_CORE_READ((struct virtio_mem___memhp *)dev,
							  region_size)) >> 12;
			bpf_map_update_elem(&hv_calls, &id, &c, BPF_ANY);
			return;
		}
	}
	if (!&dm_device)
		return;
	c.driver = DRV_HV;
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
		bpf_map_update_elem(&hv_calls, &id, &c, BPF_ANY);
}

static __always_inline void count_page(__u64 page, unsigned int order)
{
	__u64 id = bpf_get_current_pid_tgid(), base = 0, pfn, n, pos, b;
	struct hv_call *c = bpf_map_lookup_elem(&hv_calls, &id);
	struct hv_region r;
	int i;

	if (!c || !&vmemmap_base || order > 20)
		return;
	bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	if (!base || page < base)
		return;
	pfn = (page - base) / bpf_core_type_size(struct page);
	n = 1ULL << order;
	if (c->driver == DRV_VIRTIO_MEM) {
		__u64 dev;

		/* Without the module its types are unknown: the verifier must
		 * see this path is dead, or the object cannot load. */
		if (!&virtio_mem_devices)
			return;
		if (c->dev && pfn >= c->region_start && pfn + n <= c->region_end)
			dev = c->dev;
		else
			dev = vmem_device(pfn, n);

		b = dev ? vmem_backed(dev, pfn, n) : 0;
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
	count_page(as_scalar((__u64)page), order);
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
