/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel layout and ABI difference memhp's BPF programs read across,
 * in one place (the model: bcc libbpf-tools' core_fixes.bpf.h). Each entry
 * names the kernel change it follows; `make compat` (docs/compat.md) checks
 * every probe against the BTF of each kernel at hand, the lab runs them on
 * Debian's 6.1 and 6.12.
 *
 * Flavours are local types whose name ends in ___<tag>: libbpf matches them
 * to the kernel type without the suffix, and bpf_core_field_exists() /
 * bpf_core_enum_value_exists() say at load time which one the kernel has,
 * so one object serves every kernel (never per-version builds).
 *
 * Function prototypes differ too; they cannot be told apart with CO-RE, so
 * userspace reads them from the kernel's BTF (loader_kconf_from_btf() in
 * user/live/probes.c) and sets the *_abi rodata the programs switch on. The prototypes of every
 * probed function are the same from 6.1 to 6.19 but for the last line; the
 * older forms stay supported (before memhp's tested range, no commits cited):
 *   online_pages()  (pfn, nr, zone, group) 5.15+ [online_abi 0], (pfn, nr,
 *                   zone) 5.13-5.14 [1], (pfn, nr, online_type, nid) [2]
 *   offline_pages() (pfn, nr, zone, group) 5.18+ [offline_abi 0], (pfn, nr,
 *                   group) 5.15-5.17 [1], (pfn, nr) [2]
 *   try_remove_memory()/remove_memory() had a nid first up to 5.14
 *                   [remove_abi 1]
 *   balloon_page_migrate() (newpage, page, mode) since 6.0's
 *                   movable_operations [migrate_abi 0], (mapping, newpage,
 *                   page, mode) before [1]
 *   memory_notify() takes enum memory_block_state instead of unsigned long
 *                   since 6.19 (ed1f8855dd7b "mm: change type of parameter
 *                   for memory_notify"): 32 bits either way, see
 *                   notify_action().
 *
 * Why an offline ended (offwhy.bpf.c) reads across these:
 *   - the mm_migrate_pages tracepoint gained large_folio_split before
 *     mode and reason between 6.1 (7 arguments) and 6.12 (8): tp_btf
 *     programs read arguments by position, so userspace counts them in the
 *     btf_trace_mm_migrate_pages prototype (loader_kconf_from_btf():
 *     migrate_tp_nargs) and the program loads the last one. MR_MEMORY_HOTPLUG
 *     is 2 in both; the program takes it from the kernel's enum
 *     migrate_reason (bpf_core_enum_value) all the same.
 *   - the notifier_run tracepoint (include/trace/events/notifier.h, "notifier:
 *     Add some basic tracepoints", v6.2) is what names the callback that
 *     vetoed MEM_GOING_OFFLINE; 6.1 has none (and notifier_call_chain()
 *     is NOKPROBE_SYMBOL): there the loader reads memory_chain's callbacks
 *     once and watches each one's entry, by kprobe or (notrace callbacks)
 *     hardware breakpoint (offwhy.bpf.c chain_walk, kprobe_chain_cb,
 *     bp_chain_cb; probe offline_notifier_cb, "not needed" where the
 *     tracepoint is).
 *   - dissolve_free_huge_pages() became dissolve_free_hugetlb_folios()
 *     (same (start_pfn, end_pfn) -> int; renamed in the hugetlb folio
 *     conversion, in 6.12 not 6.1): both are probe targets, the loader
 *     takes the one the kernel has.
 *   - start_isolate_page_range(), memory_notify(), dump_page() and the
 *     test_pages_isolated tracepoint have the same prototypes in 6.1 and
 *     6.12 (BTF of both, `make compat`).
 *
 * Changes that need nothing here, listed so nobody looks again:
 *   - memory_block.state became enum memory_block_state (8bc7ba3d265d "mm:
 *     change type of state in struct memory_block", 6.19; 6.12.110:
 *     168d2ab614ea): memhp does not read it (sysfs gives the state).
 *   - hv_balloon's hv_online_page() hands memory it did not hot-add to
 *     generic_online_page() since 6.14 (1da602ec36a3 "hv_balloon: Fallback to
 *     generic_online_page() for non-HV hot added mem"): such blocks are
 *     outside every hv_hotadd_state region, so cover.bpf.c emits
 *     no coverage event for them and online events count their release
 *     through generic_online_page() like any DIMM; before 6.14 the same
 *     blocks gained no pages at all, which online events show as released 0.
 *   - virtio_mem_fake_offline() gained a vm argument (6.6): not probed.
 *   - 6.17 reworked balloon_compaction (15504b116300 and the series around
 *     it: balloon_page_finalize(), PageOffline kept until the page is
 *     freed): balloon_page_enqueue/list_dequeue/migrate keep their
 *     prototypes (`make compat` on the build host's 6.18 BTF); what they
 *     count there is checked in no lab kernel yet.
 */
#ifndef MEMHP_CORE_FIXES_BPF_H
#define MEMHP_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include "memhp.h"

/* ---- reading a struct's head at once ------------------------------------- */

/*
 * Issue #14: every bpf_probe_read_kernel() is a helper call, so where a
 * program wants several fields that lie close together it reads their
 * bytes into a buffer with one call and copies each field out at its
 * CO-RE offset (block_head(), event_group(), notify_head(), res_head(),
 * cover.bpf.c's vmem_geo_read()).
 *
 * HEAD_OFF() is where @field of @type lies in a buffer of @n bytes read
 * from byte @base of the struct: its offset minus @base when the field is
 * @sz bytes wide on this kernel and lies wholly inside the buffer, else @n.
 * @n tells the caller to read field by field instead: a kernel whose
 * struct grew or whose field changed width. The field must exist (test
 * bpf_core_field_exists() first for fields some kernels lack).
 */
#define HEAD_OFF(type, field, base, sz, n)                                            \
	(bpf_core_field_offset(type, field) >= (base) &&                              \
			 bpf_core_field_offset(type, field) - (base) <= (n) - (sz) && \
			 bpf_core_field_size(type, field) == (sz)                     \
		 ? bpf_core_field_offset(type, field) - (base)                        \
		 : (n))

/* One read of the struct at @src into @buf: its first sizeof(@buf) bytes, or
 * all of it when this kernel's struct @type is smaller. */
#define HEAD_READ(buf, type, src)                                                               \
	bpf_probe_read_kernel(buf,                                                              \
			      bpf_core_type_size(type) < sizeof(buf) ? bpf_core_type_size(type) \
								     : sizeof(buf),             \
			      src)

/* ---- struct memory_block ------------------------------------------------- */

/*
 * memory_block.nr_vmemmap_pages became `struct vmem_altmap *altmap` in 6.6
 * (1a8c64e11043 "mm/memory_hotplug: embed vmem_altmap details in memory
 * block"): the memmap_on_memory pages of a block are then altmap->free.
 * vmlinux.h (6.1) has the old field.
 */
struct memory_block___altmap {
	struct vmem_altmap *altmap;
} __attribute__((preserve_access_index));

static __always_inline __u64 block_vmemmap_pages(struct memory_block *mem)
{
	struct memory_block___altmap *m = (void *)mem;
	struct vmem_altmap *altmap;

	if (bpf_core_field_exists(mem->nr_vmemmap_pages))
		return BPF_CORE_READ(mem, nr_vmemmap_pages);
	if (bpf_core_field_exists(m->altmap)) {
		altmap = BPF_CORE_READ(m, altmap);
		if (altmap)
			return BPF_CORE_READ(altmap, free);
	}
	return 0;
}

/*
 * memory_block.online_type: `int` up to 6.12.109, `enum mmop` from 6.12.110
 * (stable: c9a198191e3c "mm: name the anonymous MMOP enum as enum mmop")
 * and in mainline after 6.19. A CO-RE
 * field relocation requires the local and kernel types to be of one kind
 * (an int never matches an enum), so each form has its flavour; the
 * anonymous enum matches the kernel's enum whatever its name. MMOP_* values
 * are the same in both (0 offline, 1 online, 2 kernel, 3 movable).
 */
struct memory_block___int_online_type {
	int online_type;
} __attribute__((preserve_access_index));

struct memory_block___enum_online_type {
	enum { MMOP_OFFLINE___any } online_type;
} __attribute__((preserve_access_index));

static __always_inline int block_online_type(struct memory_block *mem)
{
	struct memory_block___int_online_type *i = (void *)mem;
	struct memory_block___enum_online_type *e = (void *)mem;

	if (bpf_core_field_exists(i->online_type))
		return BPF_CORE_READ(i, online_type);
	if (bpf_core_field_exists(e->online_type))
		return (int)BPF_CORE_READ(e, online_type);
	return -1;
}

/*
 * What a request (memory_subsys_online/offline) reads of its block at
 * entry: the first section, the requested online type and the node. They
 * lead struct memory_block in every kernel memhp knows (24 bytes from 5.x
 * to 6.19), so one read of its first 32 bytes instead of one read each
 * (issue #14: each read is a helper call); a layout where they are
 * further in falls back to one read each.
 */
#define BLOCK_HEAD_BYTES 32

struct block_head {
	__u64 section;
	int online_type;
	int nid;
};

static __always_inline void block_head(struct memory_block *mem, struct block_head *h)
{
	struct memory_block___int_online_type *i = (void *)mem;
	struct memory_block___enum_online_type *en = (void *)mem;
	__u32 o_sec = HEAD_OFF(struct memory_block, start_section_nr, 0, 8, BLOCK_HEAD_BYTES);
	__u32 o_nid = HEAD_OFF(struct memory_block, nid, 0, 4, BLOCK_HEAD_BYTES);
	__u32 o_type = BLOCK_HEAD_BYTES;
	bool has_type = true;
	__u8 buf[BLOCK_HEAD_BYTES] = {};

	if (bpf_core_field_exists(i->online_type))
		o_type = HEAD_OFF(struct memory_block___int_online_type, online_type, 0, 4,
				  BLOCK_HEAD_BYTES);
	else if (bpf_core_field_exists(en->online_type))
		o_type = HEAD_OFF(struct memory_block___enum_online_type, online_type, 0, 4,
				  BLOCK_HEAD_BYTES);
	else
		has_type = false; /* online_type -1 */
	if (o_sec == BLOCK_HEAD_BYTES || o_nid == BLOCK_HEAD_BYTES ||
	    (has_type && o_type == BLOCK_HEAD_BYTES)) {
		h->section = BPF_CORE_READ(mem, start_section_nr);
		h->online_type = block_online_type(mem);
		h->nid = BPF_CORE_READ(mem, nid);
		return;
	}
	HEAD_READ(buf, struct memory_block, mem);
	__builtin_memcpy(&h->section, buf + o_sec, 8);
	__builtin_memcpy(&h->nid, buf + o_nid, 4);
	h->online_type = -1;
	if (has_type)
		__builtin_memcpy(&h->online_type, buf + o_type, 4);
}

/* ---- memory_notify() ------------------------------------------------------ */

/*
 * The actions: bit macros up to 6.18 (not in BTF; MEM_PREPARE_ONLINE and
 * MEM_FINISH_OFFLINE added in 6.9 by c5f1e2d18909 "mm/memory_hotplug: introduce
 * MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE notifiers"), an enum
 * memory_block_state from 6.12.110 (stable) and 6.19
 * (1a4f70f6851a "mm: convert memory block states (MEM_*) macros to enum";
 * 6.12.110: c829eb72ca6b), which 6.19 shrank again to the six original
 * actions (300709fbefd1 "mm/memory_hotplug: Remove
 * MEM_PREPARE_ONLINE/MEM_FINISH_OFFLINE notifiers"). This flavour matches only when the
 * kernel has the enum; CO-RE then gives each value, or says it is absent.
 */
enum memory_block_state___enum {
	MEM_ONLINE___enum,
	MEM_GOING_OFFLINE___enum,
	MEM_OFFLINE___enum,
	MEM_GOING_ONLINE___enum,
	MEM_CANCEL_ONLINE___enum,
	MEM_CANCEL_OFFLINE___enum,
	MEM_PREPARE_ONLINE___enum,
	MEM_FINISH_OFFLINE___enum,
};

#define MEM_ENUM_IS(val, n)                                                        \
	(bpf_core_enum_value_exists(enum memory_block_state___enum, n##___enum) && \
	 (val) == bpf_core_enum_value(enum memory_block_state___enum, n##___enum))

/* enum memhp_notify_action of a memory_notify() action value. */
static __always_inline __u32 notify_action(__u64 val)
{
	/* unsigned long up to 6.18, a 32-bit enum from 6.19: the upper half of
	 * the argument register is not ours to trust then. */
	val = (__u32)val;
	if (bpf_core_enum_value_exists(enum memory_block_state___enum,
				       MEM_ONLINE___enum)) {
		if (MEM_ENUM_IS(val, MEM_GOING_ONLINE))
			return MEMHP_NOTIFY_GOING_ONLINE;
		if (MEM_ENUM_IS(val, MEM_ONLINE))
			return MEMHP_NOTIFY_ONLINE;
		if (MEM_ENUM_IS(val, MEM_CANCEL_ONLINE))
			return MEMHP_NOTIFY_CANCEL_ONLINE;
		if (MEM_ENUM_IS(val, MEM_GOING_OFFLINE))
			return MEMHP_NOTIFY_GOING_OFFLINE;
		if (MEM_ENUM_IS(val, MEM_OFFLINE))
			return MEMHP_NOTIFY_OFFLINE;
		if (MEM_ENUM_IS(val, MEM_CANCEL_OFFLINE))
			return MEMHP_NOTIFY_CANCEL_OFFLINE;
		if (MEM_ENUM_IS(val, MEM_PREPARE_ONLINE))
			return MEMHP_NOTIFY_PREPARE_ONLINE;
		if (MEM_ENUM_IS(val, MEM_FINISH_OFFLINE))
			return MEMHP_NOTIFY_FINISH_OFFLINE;
		return MEMHP_NOTIFY_UNKNOWN;
	}
	/* include/linux/memory.h up to 6.18 */
	switch (val) {
	case 1 << 0: return MEMHP_NOTIFY_ONLINE;
	case 1 << 1: return MEMHP_NOTIFY_GOING_OFFLINE;
	case 1 << 2: return MEMHP_NOTIFY_OFFLINE;
	case 1 << 3: return MEMHP_NOTIFY_GOING_ONLINE;
	case 1 << 4: return MEMHP_NOTIFY_CANCEL_ONLINE;
	case 1 << 5: return MEMHP_NOTIFY_CANCEL_OFFLINE;
	case 1 << 6: return MEMHP_NOTIFY_PREPARE_ONLINE;
	case 1 << 7: return MEMHP_NOTIFY_FINISH_OFFLINE;
	}
	return MEMHP_NOTIFY_UNKNOWN;
}

/*
 * struct memory_notify: altmap_start_pfn/altmap_nr_pages came first in 6.9
 * (c5f1e2d18909) and left in 6.19 (300709fbefd1); status_change_nid(_normal) left
 * in 6.17 (8d2882a8edb8, d2a9721d807d "mm,memory_hotplug: drop
 * status_change_nid parameter from memory_notify"), when the node whose first memory comes or
 * whose last memory goes moved to a notifier of its own, node_notify(val,
 * struct node_notify { int nid; } *) (67929de10847 "mm,memory_hotplug:
 * implement numa node notifier"). Field reads are CO-RE relocated; the
 * node comes from whichever the kernel has (notify.bpf.c).
 */
static __always_inline int notify_has_status_nid(struct memory_notify *arg)
{
	return bpf_core_field_exists(arg->status_change_nid);
}

struct node_notify___memhp {
	int nid;
} __attribute__((preserve_access_index));

#endif
