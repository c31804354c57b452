// SPDX-License-Identifier: GPL-2.0
/*
 * The memory notifier chain (memory_notify()) and the device-core requests
 * that start an online/offline (memory_subsys_online/offline(): who asked,
 * and with which online type; mem->online_type is read at entry because the
 * kernel resets it afterwards).
 */
#include "common.bpf.h"
#include "core_fixes.bpf.h"

/*
 * 6.17+: the node of a status change (first memory of a node onlined, last
 * offlined) comes from node_notify(), called inside the same online_pages()
 * or offline_pages() as the memory_notify() calls it used to ride on
 * (bpf/core_fixes.bpf.h). Kept per task with its time: a memory_notify()
 * takes it only when it was seen after the task entered the online/offline
 * call now in progress, so a node from an earlier call never leaks in,
 * whatever the order of node and memory notifications. An LRU map of its
 * own: node_notify() has no exit probe, so nothing ever takes these out
 * (and the entries map's sweeper would read them as skipped exits).
 */
struct node_seen {
	__u64 ts;
	__s64 nid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct node_seen);
} node_seen SEC(".maps");

static __always_inline int node_of_this_call(__u64 id)
{
	struct memhp_entry_key k = { .pid_tgid = id };
	struct memhp_offline *off;
	struct node_seen *node;
	struct memhp_entry *call;

	node = bpf_map_lookup_elem(&node_seen, &k.pid_tgid);
	if (!node)
		return -1;
	k.site = SITE_ONLINE_PAGES;
	call = bpf_map_lookup_elem(&entries, &k);
	if (call && call->ts <= node->ts)
		return (int)node->nid;
	k.site = SITE_OFFLINE_PAGES;
	off = bpf_map_lookup_elem(&offlines, &k);
	if (off && off->ts <= node->ts)
		return (int)node->nid;
	return -1;
}

/* Bytes of struct memory_notify read at once (24 in 6.1, 40 in 6.9 - 6.16). */
#define NOTIFY_HEAD_BYTES 48

struct notify_head {
	__u64 start_pfn, nr_pages;
	int status_nid; /* -1 where the kernel has no such field (6.17+) */
};

/*
 * The range and (up to 6.16) the status node of a memory_notify() call: the
 * struct in one read of kernel memory instead of three (issue #14), the
 * fields at their CO-RE offsets (HEAD_OFF(), core_fixes.bpf.h).
 */
static __always_inline void notify_head(struct memory_notify *arg, struct notify_head *h)
{
	__u32 o_pfn = HEAD_OFF(struct memory_notify, start_pfn, 0, 8, NOTIFY_HEAD_BYTES);
	__u32 o_nr = HEAD_OFF(struct memory_notify, nr_pages, 0, 8, NOTIFY_HEAD_BYTES);
	__u32 o_nid = NOTIFY_HEAD_BYTES;
	bool has_nid = notify_has_status_nid(arg);
	__u8 buf[NOTIFY_HEAD_BYTES] = {};

	h->status_nid = -1;
	if (has_nid)
		o_nid = HEAD_OFF(struct memory_notify, status_change_nid, 0, 4, NOTIFY_HEAD_BYTES);
	if (o_pfn == NOTIFY_HEAD_BYTES || o_nr == NOTIFY_HEAD_BYTES ||
	    (has_nid && o_nid == NOTIFY_HEAD_BYTES)) {
		h->start_pfn = BPF_CORE_READ(arg, start_pfn);
		h->nr_pages = BPF_CORE_READ(arg, nr_pages);
		if (has_nid)
			h->status_nid = BPF_CORE_READ(arg, status_change_nid);
		return;
	}
	HEAD_READ(buf, struct memory_notify, arg);
	__builtin_memcpy(&h->start_pfn, buf + o_pfn, 8);
	__builtin_memcpy(&h->nr_pages, buf + o_nr, 8);
	if (has_nid)
		__builtin_memcpy(&h->status_nid, buf + o_nid, 4);
}

static __always_inline int emit_notify(__u64 id, __u64 val, void *v, int ret, __u64 ts,
				       __u32 flags)
{
	struct memory_notify *arg = v;
	struct notify_head h;
	struct memhp_event *e;

	e = event_new_id(MEMHP_EV_NOTIFY, id);
	if (!e)
		return 0;
	e->flags |= flags;
	e->ret = ret;
	e->notify_action = notify_action(val);
	e->online_type = (unsigned int)val; /* raw kernel value, for debugging */
	event_duration(e, ts);
	if (arg) {
		notify_head(arg, &h);
		e->start_pfn = h.start_pfn;
		e->nr_pages = h.nr_pages;
		/* 6.17+: the node_notify() chain's node (node_of_this_call()) */
		e->status_nid = notify_has_status_nid(arg) ? h.status_nid : node_of_this_call(id);
	}
	event_submit(e);
	return 0;
}

/* The memory_block behind a memory device (container_of in BPF). */
static __always_inline struct memory_block *dev_to_mem(void *dev)
{
	return (void *)((char *)dev - bpf_core_field_offset(struct memory_block, dev));
}

static __always_inline int emit_request(const struct memhp_entry *en, __u64 id, int ret,
					bool offline, __u32 flags)
{
	struct memhp_event *e = event_new_id(MEMHP_EV_REQUEST, id);

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

/*
 * Return: the REQUEST event from the entry state, read in place, which then
 * goes. Without an entry (probe attached mid-call) nothing is said, as the
 * request's type and block are unknown; the kretprobe counts it.
 */
static __always_inline int request_return(__u64 site, int ret, bool offline, __u32 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct memhp_entry *en = entry_of_id(id, site);

	if (!en) {
		if (flags & MEMHP_F_KPROBE)
			stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_request(en, id, ret, offline, flags);
	entry_drop_id(id, site);
	return 0;
}

/* Entry: remember the block's section and the requested online type. */
static __always_inline void save_request(__u64 site, void *dev)
{
	struct memory_block *mem = dev_to_mem(dev);
	struct block_head h;

	block_head(mem, &h);
	entry_save(site, (__u64)dev, h.section, h.online_type, h.nid,
		   block_vmemmap_pages(mem));
}

SEC("fentry/memory_subsys_online")
int BPF_PROG(fentry_subs_on, void *dev)
{
	save_request(SITE_SUBSYS_ONLINE, dev);
	return 0;
}

SEC("fexit/memory_subsys_online")
int BPF_PROG(fexit_subs_on, void *dev, int ret)
{
	return request_return(SITE_SUBSYS_ONLINE, ret, false, 0);
}

SEC("fentry/memory_subsys_offline")
int BPF_PROG(fentry_subs_off, void *dev)
{
	save_request(SITE_SUBSYS_OFFLINE, dev);
	return 0;
}

SEC("fexit/memory_subsys_offline")
int BPF_PROG(fexit_subs_off, void *dev, int ret)
{
	return request_return(SITE_SUBSYS_OFFLINE, ret, true, 0);
}

/*
 * memory_notify() runs inside online_pages() or offline_pages() of the same
 * task, whose entry state memhp already keeps: the chain's start time goes
 * there (a lookup) instead of an entry of its own (an insert at entry, a
 * copy and a delete at return, ~190 bytes each way). Only a call outside
 * them (the enclosing probe not attached) takes an entry of its own.
 *
 * Two concerns, one program each way (issue #14): the NOTIFY event, and for
 * offline_pages() the why fields of the GOING_OFFLINE chain (offwhy.bpf.c
 * reads in_chain in its notifier_run program).
 */
static __always_inline void chain_enter(struct memhp_offline *off, __u64 val)
{
	if (notify_action(val) != MEMHP_NOTIFY_GOING_OFFLINE)
		return;
	off->why.phase = MEMHP_PHASE_NOTIFY;
	off->why.in_chain = 1;
	name_vetoer(&off->why, 0);
}

static __always_inline void chain_exit(struct memhp_offline *off, long ret)
{
	if (!off->why.in_chain)
		return;
	off->why.in_chain = 0;
	off->why.notify_ret = (int)ret;
	off->why.seen |= MEMHP_SEEN_NOTIFY;
}

/*
 * The chain's start time in the enclosing online/offline call's state
 * (offline first: the chain's), and that offline call; NULL if none.
 */
static __always_inline __u64 *enclosing(__u64 id, struct memhp_offline **offp)
{
	struct memhp_offline *off = offline_of_id(id);
	struct memhp_entry *en;

	*offp = off;
	if (off)
		return &off->notify_ts;
	en = entry_of_id(id, SITE_ONLINE_PAGES);
	return en ? &en->on.notify_ts : NULL;
}

/* Entry: true if the state went into the enclosing call's entry. */
static __always_inline bool notify_enter(__u64 val)
{
	struct memhp_offline *off;
	__u64 *ts = enclosing(bpf_get_current_pid_tgid(), &off);

	if (!ts)
		return false;
	if (off)
		chain_enter(off, val);
	*ts = bpf_ktime_get_ns();
	return true;
}

/* Return: the chain's start time from the enclosing entry, 0 if none. */
static __always_inline __u64 notify_exit(__u64 id, long ret)
{
	struct memhp_offline *off;
	__u64 *tsp = enclosing(id, &off), ts;

	if (!tsp)
		return 0;
	if (off)
		chain_exit(off, ret);
	ts = *tsp;
	*tsp = 0;
	return ts;
}

SEC("fentry/memory_notify")
int BPF_PROG(fentry_notify, __u64 val)
{
	if (!notify_enter(val))
		entry_save(SITE_NOTIFY, 0, 0, 0, 0, 0);
	return 0;
}

SEC("fexit/memory_notify")
int BPF_PROG(fexit_notify, unsigned long val, void *v, int ret)
{
	__u64 id = bpf_get_current_pid_tgid(), ts = notify_exit(id, ret);

	if (!ts)
		ts = entry_take_ts_id(id, SITE_NOTIFY);
	return emit_notify(id, val, v, ret, ts, 0);
}

SEC("kprobe/memory_subsys_online")
int BPF_KPROBE(kprobe_subs_on, void *dev)
{
	save_request(SITE_SUBSYS_ONLINE, dev);
	return 0;
}

SEC("kretprobe/memory_subsys_online")
int BPF_KRETPROBE(kret_subs_on, int ret)
{
	return request_return(SITE_SUBSYS_ONLINE, ret, false, MEMHP_F_KPROBE);
}

SEC("kprobe/memory_subsys_offline")
int BPF_KPROBE(kprobe_subs_off, void *dev)
{
	save_request(SITE_SUBSYS_OFFLINE, dev);
	return 0;
}

SEC("kretprobe/memory_subsys_offline")
int BPF_KRETPROBE(kret_subs_off, int ret)
{
	return request_return(SITE_SUBSYS_OFFLINE, ret, true, MEMHP_F_KPROBE);
}

/* The kretprobe cannot see the arguments: they stay in an entry of their own. */
SEC("kprobe/memory_notify")
int BPF_KPROBE(kprobe_notify, unsigned long val, void *v)
{
	struct memhp_offline *off = offline_of();

	if (off)
		chain_enter(off, val);
	entry_save(SITE_NOTIFY, val, (__u64)v, 0, 0, 0);
	return 0;
}

SEC("kretprobe/memory_notify")
int BPF_KRETPROBE(kretprobe_notify, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct memhp_offline *off = offline_of_id(id);
	struct memhp_entry *en;

	if (off)
		chain_exit(off, ret);
	en = entry_of_id(id, SITE_NOTIFY);
	if (!en) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_notify(id, en->args[0], (void *)en->args[1], ret, en->ts, MEMHP_F_KPROBE);
	entry_drop_id(id, SITE_NOTIFY);
	return 0;
}

/* node_notify() (6.17+): remember the node for the memory_notify() calls. */
static __always_inline void save_node(void *v)
{
	struct node_notify___memhp *arg = v;
	__u64 id = bpf_get_current_pid_tgid();
	struct node_seen n = { .ts = bpf_ktime_get_ns(), .nid = -1 };

	if (!arg)
		return;
	n.nid = BPF_CORE_READ(arg, nid);
	bpf_map_update_elem(&node_seen, &id, &n, BPF_ANY);
}

SEC("fentry/node_notify")
int BPF_PROG(fentry_node_notify, unsigned long val, void *v)
{
	save_node((void *)FUNC_ARG(1, v));
	return 0;
}

SEC("kprobe/node_notify")
int BPF_KPROBE(kprobe_node_notify, unsigned long val, void *v)
{
	save_node(v);
	return 0;
}
