// SPDX-License-Identifier: GPL-2.0
/*
 * Memory added and removed, and memory groups registered, used and
 * unregistered. Group ids are not stored in struct memory_group: the id of a
 * group object is learnt when memory_group_find_by_id() returns it (every
 * add_memory*() with MHP_NID_IS_MGID calls it), and forgotten on unregister.
 */
#include "common.bpf.h"

/* remove: 0: (start, size) 5.15+;  1: (nid, start, size) up to 5.14 */
const volatile int remove_abi = 0;

#define MHP_NID_IS_MGID_FLAG (1u << 2) /* 5.15+, see include/linux/memory_hotplug.h */

/* Bytes of struct resource read at once: start, end, name (the first 24). */
#define RES_HEAD_BYTES 32

/*
 * start, end and name of a resource in one read of kernel memory instead of
 * three (issue #14), at their CO-RE offsets; field by field if a kernel
 * ever moves them past RES_HEAD_BYTES.
 */
static __always_inline const char *res_head(struct resource *res, __u64 *start, __u64 *end)
{
	__u32 o_start = HEAD_OFF(struct resource, start, 0, 8, RES_HEAD_BYTES);
	__u32 o_end = HEAD_OFF(struct resource, end, 0, 8, RES_HEAD_BYTES);
	__u32 o_name = HEAD_OFF(struct resource, name, 0, 8, RES_HEAD_BYTES);
	__u8 buf[RES_HEAD_BYTES] = {};
	const char *name;

	if (o_start == RES_HEAD_BYTES || o_end == RES_HEAD_BYTES || o_name == RES_HEAD_BYTES) {
		*start = BPF_CORE_READ(res, start);
		*end = BPF_CORE_READ(res, end);
		return BPF_CORE_READ(res, name);
	}
	HEAD_READ(buf, struct resource, res);
	__builtin_memcpy(start, buf + o_start, 8);
	__builtin_memcpy(end, buf + o_end, 8);
	__builtin_memcpy(&name, buf + o_name, 8);
	return name;
}

/*
 * The resource is read at entry: with MHP_MERGE_RESOURCE (virtio-mem),
 * add_memory_resource() merges it into its neighbour and frees it before
 * returning, so at return it may hold anything.
 */
static __always_inline void save_add(__u64 nid, __u64 res_addr, __u64 flags)
{
	struct resource *res = (struct resource *)res_addr;
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(),
				     .site = SITE_ADD_MEMORY };
	struct memhp_entry en = { .ts = bpf_ktime_get_ns() };
	const char *name;

	en.args[0] = nid;
	name = res_head(res, &en.args[1], &en.args[2]);
	en.args[3] = flags;
	if (name)
		bpf_probe_read_kernel_str(en.name, sizeof(en.name), name);
	/* one insert with the name in it, not an insert and a lookup */
	bpf_map_update_elem(&entries, &k, &en, BPF_ANY);
}

/* en->args: nid, res->start, res->end, mhp_flags (saved at entry) */
static __always_inline int emit_add(const struct memhp_entry *en, __u64 id, int ret, __u32 flags)
{
	struct memhp_event *e;
	__u64 start = en->args[1], end = en->args[2];

	e = event_new_id(MEMHP_EV_ADD, id);
	if (!e)
		return 0;
	e->flags |= flags;
	e->ret = ret;
	e->mhp_flags = en->args[3];
	event_duration(e, en->ts);
	e->start_pfn = start >> 12;
	e->nr_pages = end >= start ? (end - start + 1) >> 12 : 0;
	__builtin_memcpy(e->res_name, en->name, sizeof(e->res_name));
	if (e->mhp_flags & MHP_NID_IS_MGID_FLAG) {
		e->group_id = (int)en->args[0];
		e->flags |= MEMHP_F_GROUP | MEMHP_F_GROUP_ID;
	} else {
		e->nid = (int)en->args[0];
	}
	event_submit(e);
	return 0;
}

/* @a0..a2 the arguments (see remove_abi), @ts the entry time (0: unknown). */
static __always_inline int emit_remove(__u64 id, __u64 a0, __u64 a1, __u64 a2, __u64 ts, int ret,
				       __u32 flags)
{
	struct memhp_event *e = event_new_id(MEMHP_EV_REMOVE, id);
	__u64 start, size;

	if (!e)
		return 0;
	if (remove_abi == 1) {
		e->nid = (int)a0;
		start = a1;
		size = a2;
	} else {
		start = a0;
		size = a1;
	}
	e->flags |= flags;
	e->ret = ret;
	e->start_pfn = start >> 12;
	e->nr_pages = size >> 12;
	event_duration(e, ts);
	event_submit(e);
	return 0;
}

static __always_inline int emit_group(int nid, __u64 pages, __u64 ts, int ret, bool dynamic,
				      __u32 flags)
{
	struct memhp_event *e = event_new(MEMHP_EV_GROUP_REGISTER);

	if (!e)
		return 0;
	e->flags |= flags | MEMHP_F_GROUP;
	if (dynamic)
		e->flags |= MEMHP_F_GROUP_DYNAMIC;
	e->ret = ret < 0 ? ret : 0;
	if (ret >= 0) {
		e->group_id = ret;
		e->flags |= MEMHP_F_GROUP_ID;
	}
	e->group_nid = nid;
	e->nid = e->group_nid;
	e->group_pages = pages;
	event_duration(e, ts);
	event_submit(e);
	return 0;
}

static __always_inline int emit_unregister(__s32 id, __u64 ts, int ret, __u32 flags)
{
	struct memhp_event *e;
	__u64 *ptr;

	if (ret == 0) {
		ptr = bpf_map_lookup_elem(&group_ptrs, &id);
		if (ptr) {
			__u64 key = *ptr;

			bpf_map_delete_elem(&group_ids, &key);
			bpf_map_delete_elem(&group_ptrs, &id);
		}
	}
	e = event_new(MEMHP_EV_GROUP_UNREGISTER);
	if (!e)
		return 0;
	e->flags |= flags | MEMHP_F_GROUP | MEMHP_F_GROUP_ID;
	e->group_id = id;
	e->ret = ret;
	event_duration(e, ts);
	event_submit(e);
	return 0;
}

static __always_inline void learn_group(__s32 id, __u64 ptr)
{
	if (!ptr || id < 0)
		return;
	bpf_map_update_elem(&group_ids, &ptr, &id, BPF_ANY);
	bpf_map_update_elem(&group_ptrs, &id, &ptr, BPF_ANY);
}

/* ---- fentry/fexit ---- */

SEC("fentry/add_memory_resource")
int BPF_PROG(fentry_add, __u64 nid, struct resource *res, __u64 flags)
{
	save_add(nid, FUNC_ARG(1, res), flags);
	return 0;
}

/* Return of add_memory_resource(): the event from the entry state, read in place. */
static __always_inline int add_return(int ret, __u32 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct memhp_entry *en = entry_of_id(id, SITE_ADD_MEMORY);

	if (!en) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_add(en, id, ret, flags);
	entry_drop_id(id, SITE_ADD_MEMORY);
	return 0;
}

/* Return of try_remove_memory(): the entry state holds the time only. */
static __always_inline int remove_return(__u64 a0, __u64 a1, __u64 a2, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	return emit_remove(id, a0, a1, a2, entry_take_ts_id(id, SITE_REMOVE_MEMORY), ret, 0);
}

SEC("fexit/add_memory_resource")
int BPF_PROG(fexit_add, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	return add_return(ret, 0);
}

/* Attach target may be switched to remove_memory by userspace. */
SEC("fentry/try_remove_memory")
int BPF_PROG(fentry_remove)
{
	entry_save(SITE_REMOVE_MEMORY, 0, 0, 0, 0, 0);
	return 0;
}

/* One program per prototype (see online.bpf.c for why). */
SEC("fexit/try_remove_memory")
int BPF_PROG(fexit_remove, __u64 a0, __u64 a1, int ret)
{
	return remove_return(a0, a1, 0, ret);
}

SEC("fexit/try_remove_memory")
int BPF_PROG(fexit_remove3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	return remove_return(a0, a1, a2, ret);
}

SEC("fexit/memory_group_register_static")
int BPF_PROG(fexit_grp_static, int nid, __u64 pages, int ret)
{
	return emit_group(nid, pages, 0, ret, false, 0);
}

SEC("fexit/memory_group_register_dynamic")
int BPF_PROG(fexit_grp_dynamic, int nid, __u64 pages, int ret)
{
	return emit_group(nid, pages, 0, ret, true, 0);
}

SEC("fexit/memory_group_unregister")
int BPF_PROG(fexit_grp_unreg, int mgid, int ret)
{
	return emit_unregister(mgid, 0, ret, 0);
}

SEC("fexit/memory_group_find_by_id")
int BPF_PROG(fexit_grp_find, int mgid, struct memory_group *ret)
{
	learn_group(mgid, FUNC_RET(ret));
	return 0;
}

/* ---- kprobe/kretprobe twins ---- */

SEC("kprobe/add_memory_resource")
int BPF_KPROBE(kprobe_add, __u64 a0, __u64 a1, __u64 a2)
{
	save_add(a0, a1, a2);
	return 0;
}

SEC("kretprobe/add_memory_resource")
int BPF_KRETPROBE(kretprobe_add, int ret)
{
	return add_return(ret, MEMHP_F_KPROBE);
}

SEC("kprobe/try_remove_memory")
int BPF_KPROBE(kprobe_remove, __u64 a0, __u64 a1, __u64 a2)
{
	entry_save(SITE_REMOVE_MEMORY, a0, a1, a2, 0, 0);
	return 0;
}

SEC("kretprobe/try_remove_memory")
int BPF_KRETPROBE(kretprobe_remove, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct memhp_entry *en = entry_of_id(id, SITE_REMOVE_MEMORY);

	if (!en) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_remove(id, en->args[0], en->args[1], en->args[2], en->ts, ret, MEMHP_F_KPROBE);
	entry_drop_id(id, SITE_REMOVE_MEMORY);
	return 0;
}

/*
 * A kretprobe's pair: the entry keeps the first two arguments; the return
 * reads them in place (@en), then the entry goes.
 */
#define KPROBE_PAIR(name, site, emit)                                     \
	SEC("kprobe/" #name)                                               \
	int BPF_KPROBE(kprobe_##site, __u64 a0, __u64 a1)                  \
	{                                                                  \
		entry_save(SITE_##site, a0, a1, 0, 0, 0);                  \
		return 0;                                                  \
	}                                                                  \
	SEC("kretprobe/" #name)                                            \
	int BPF_KRETPROBE(kret_##site, long ret)                      \
	{                                                                  \
		struct memhp_entry *en = entry_of(SITE_##site);            \
		if (!en) {                                                 \
			stat_inc(MEMHP_STAT_MISSED_ENTRY);                 \
			return 0;                                          \
		}                                                          \
		emit;                                                      \
		entry_drop(SITE_##site);                                   \
		return 0;                                                  \
	}

KPROBE_PAIR(memory_group_register_static, GROUP_STATIC,
	    emit_group((int)en->args[0], en->args[1], en->ts, (int)ret, false, MEMHP_F_KPROBE))
KPROBE_PAIR(memory_group_register_dynamic, GROUP_DYNAMIC,
	    emit_group((int)en->args[0], en->args[1], en->ts, (int)ret, true, MEMHP_F_KPROBE))
KPROBE_PAIR(memory_group_unregister, GROUP_UNREGISTER,
	    emit_unregister((int)en->args[0], en->ts, (int)ret, MEMHP_F_KPROBE))
KPROBE_PAIR(memory_group_find_by_id, GROUP_FIND,
	    learn_group((int)en->args[0], (__u64)ret))
