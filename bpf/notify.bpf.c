// SPDX-License-Identifier: GPL-2.0
/*
 * The memory notifier chain (memory_notify()) and the device-core requests
 * that start an online/offline (memory_subsys_online/offline(): who asked,
 * and with which online type; mem->online_type is read at entry because the
 * kernel resets it afterwards).
 */
#include "common.bpf.h"

/*
 * The memory_notify() actions: bit macros up to 6.18 (not in BTF), an enum
 * memory_block_state from 6.19 and 6.12.108+ stable. The flavor below only
 * matches when the kernel has that enum, and CO-RE then gives its values.
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

/* 6.6+: the vmemmap pages of a block are described by an altmap. */
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

#define ENUMV(n) bpf_core_enum_value(enum memory_block_state___enum, n##___enum)

static __always_inline __u32 notify_action(__u64 val)
{
	if (bpf_core_enum_value_exists(enum memory_block_state___enum,
				       MEM_ONLINE___enum)) {
		if (val == ENUMV(MEM_GOING_ONLINE))
			return MEMHP_NOTIFY_GOING_ONLINE;
		if (val == ENUMV(MEM_ONLINE))
			return MEMHP_NOTIFY_ONLINE;
		if (val == ENUMV(MEM_CANCEL_ONLINE))
			return MEMHP_NOTIFY_CANCEL_ONLINE;
		if (val == ENUMV(MEM_GOING_OFFLINE))
			return MEMHP_NOTIFY_GOING_OFFLINE;
		if (val == ENUMV(MEM_OFFLINE))
			return MEMHP_NOTIFY_OFFLINE;
		if (val == ENUMV(MEM_CANCEL_OFFLINE))
			return MEMHP_NOTIFY_CANCEL_OFFLINE;
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

static __always_inline int emit_notify(__u64 val, void *v, int ret, __u64 ts,
				       __u32 flags)
{
	struct memory_notify *arg = v;
	struct memhp_event *e;

	e = event_new(MEMHP_EV_NOTIFY);
	if (!e)
		return 0;
	e->flags |= flags;
	e->ret = ret;
	e->notify_action = notify_action(val);
	e->online_type = (unsigned int)val; /* raw kernel value, for debugging */
	event_duration(e, ts);
	if (arg) {
		e->start_pfn = BPF_CORE_READ(arg, start_pfn);
		e->nr_pages = BPF_CORE_READ(arg, nr_pages);
		if (bpf_core_field_exists(arg->status_change_nid))
			e->status_nid = BPF_CORE_READ(arg, status_change_nid);
	}
	event_submit(e);
	return 0;
}

/* The memory_block behind a memory device (container_of in BPF). */
static __always_inline struct memory_block *dev_to_mem(void *dev)
{
	return (void *)((char *)dev - bpf_core_field_offset(struct memory_block, dev));
}

static __always_inline int emit_request(struct entry *en, int ret, bool offline,
					__u32 flags)
{
	struct memhp_event *e = event_new(MEMHP_EV_REQUEST);

	if (!e)
		return 0;
	e->flags |= flags | (offline ? MEMHP_F_REQ_OFFLINE : 0);
	e->ret = ret;
	e->start_pfn = en->args[1] * pages_per_section;
	e->online_type = offline ? MEMHP_MMOP_OFFLINE : (int)en->args[2];
	e->nid = (int)en->args[3];
	e->vmemmap_pages = en->args[4];
	event_duration(e, en->ts);
	event_submit(e);
	return 0;
}

/* Entry: remember the block's section and the requested online type. */
static __always_inline void save_request(__u64 site, void *dev)
{
	struct memory_block *mem = dev_to_mem(dev);

	entry_save(site, (__u64)dev, BPF_CORE_READ(mem, start_section_nr),
		   BPF_CORE_READ(mem, online_type), BPF_CORE_READ(mem, nid),
		   block_vmemmap_pages(mem));
}

SEC("fentry/memory_subsys_online")
int BPF_PROG(fentry_subsys_on, void *dev)
{
	save_request(SITE_SUBSYS_ONLINE, dev);
	return 0;
}

SEC("fexit/memory_subsys_online")
int BPF_PROG(fexit_subsys_on, void *dev, int ret)
{
	struct entry en;

	if (entry_take(SITE_SUBSYS_ONLINE, &en))
		return 0;
	return emit_request(&en, ret, false, 0);
}

SEC("fentry/memory_subsys_offline")
int BPF_PROG(fentry_subsys_off, void *dev)
{
	save_request(SITE_SUBSYS_OFFLINE, dev);
	return 0;
}

SEC("fexit/memory_subsys_offline")
int BPF_PROG(fexit_subsys_off, void *dev, int ret)
{
	struct entry en;

	if (entry_take(SITE_SUBSYS_OFFLINE, &en))
		return 0;
	return emit_request(&en, ret, true, 0);
}

SEC("fentry/memory_notify")
int BPF_PROG(fentry_notify)
{
	entry_save(SITE_NOTIFY, 0, 0, 0, 0, 0);
	return 0;
}

SEC("fexit/memory_notify")
int BPF_PROG(fexit_notify, unsigned long val, void *v, int ret)
{
	struct entry en = {};

	entry_take(SITE_NOTIFY, &en);
	return emit_notify(val, v, ret, en.ts, 0);
}

SEC("kprobe/memory_subsys_online")
int BPF_KPROBE(kprobe_subsys_on, void *dev)
{
	save_request(SITE_SUBSYS_ONLINE, dev);
	return 0;
}

SEC("kretprobe/memory_subsys_online")
int BPF_KRETPROBE(kretprobe_subsys_on, int ret)
{
	struct entry en;

	if (entry_take(SITE_SUBSYS_ONLINE, &en)) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	return emit_request(&en, ret, false, MEMHP_F_KPROBE);
}

SEC("kprobe/memory_subsys_offline")
int BPF_KPROBE(kprobe_subsys_off, void *dev)
{
	save_request(SITE_SUBSYS_OFFLINE, dev);
	return 0;
}

SEC("kretprobe/memory_subsys_offline")
int BPF_KRETPROBE(kretprobe_subsys_off, int ret)
{
	struct entry en;

	if (entry_take(SITE_SUBSYS_OFFLINE, &en)) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	return emit_request(&en, ret, true, MEMHP_F_KPROBE);
}

SEC("kprobe/memory_notify")
int BPF_KPROBE(kprobe_notify, unsigned long val, void *v)
{
	entry_save(SITE_NOTIFY, val, (__u64)v, 0, 0, 0);
	return 0;
}

SEC("kretprobe/memory_notify")
int BPF_KRETPROBE(kretprobe_notify, int ret)
{
	struct entry en;

	if (entry_take(SITE_NOTIFY, &en)) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	return emit_notify(en.args[0], (void *)en.args[1], ret, en.ts, MEMHP_F_KPROBE);
}
