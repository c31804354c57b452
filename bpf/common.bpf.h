/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by every memhp BPF object: the maps all objects use (userspace
 * makes them one by reusing the first object's map fds), the load-time
 * configuration and the helpers that fill struct memhp_event.
 */
#ifndef MEMHP_COMMON_BPF_H
#define MEMHP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memhp.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace before load (user/live/loader.c). */
const volatile __u64 pages_per_section = 1ULL << 15; /* x86_64: 128 MiB / 4 KiB */
const volatile bool no_func_arg = false; /* FUNC_ARG() by probe reads */
/* Wake the reader at this much unread data: a quarter of the ring, set by
 * userspace to match --buffer-size (wakeup_flag()). */
const volatile __u64 ring_wake_bytes = 256 * 1024 / 4;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Indexed by enum memhp_stat: lost events and friends, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MEMHP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* struct memory_group * -> group id, learnt from memory_group_find_by_id(). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __s32);
} group_ids SEC(".maps");

/* group id -> struct memory_group *, to forget a group on unregister. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __s32);
	__type(value, __u64);
} group_ptrs SEC(".maps");

/*
 * Function entry state keyed by (pid_tgid, call site): the entry timestamp,
 * and the arguments for kretprobes (which cannot see them on return).
 * struct memhp_entry, struct memhp_offline: bpf/memhp.h (userspace reads them).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct memhp_entry_key);
	__type(value, struct memhp_entry);
} entries SEC(".maps");

/* offline_pages() calls in flight, with what offwhy.bpf.c saw (same keys). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct memhp_entry_key);
	__type(value, struct memhp_offline);
} offlines SEC(".maps");

/*
 * fexit arguments that are pointers arrive typed (PTR_TO_BTF_ID) and the
 * verifier forbids arithmetic on them; memhp only uses them as addresses
 * (BPF_CORE_READ, map keys, zone index), so copy them into plain scalars.
 */
static __always_inline __u64 as_scalar(__u64 v)
{
	__u64 out = 0;

	bpf_probe_read_kernel(&out, sizeof(out), &v);
	return out;
}

/*
 * The same for a function argument (or, n < 0, the return value) of an
 * fentry/fexit program, from the trampoline's frame: bpf_get_func_arg() and
 * bpf_get_func_ret() (5.17+) are inlined by the verifier into one load, where
 * as_scalar() is a helper call per argument (issue #14: the generic_online_page
 * and add_memory_resource programs paid most of their time for it). Only
 * programs with a trampoline may call them: tp_btf keeps as_scalar().
 */
#define FUNC_ARG(n, v) func_arg(ctx, (n), (__u64)(v))
#define FUNC_RET(v) func_arg(ctx, -1, (__u64)(v))

static __always_inline __u64 func_arg(void *ctx, int n, __u64 v)
{
	__u64 out = 0;

	if (no_func_arg || !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_arg))
		return as_scalar(v);
	if (n < 0)
		bpf_get_func_ret(ctx, &out);
	else
		bpf_get_func_arg(ctx, n, &out);
	return out;
}

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

/*
 * The entry-state helpers come in two forms: with the task's pid_tgid from
 * the caller (exit programs look up, emit and drop with one helper call for
 * it: issue #14) and without.
 */
static __always_inline void entry_save(__u64 site, __u64 a0, __u64 a1, __u64 a2,
				       __u64 a3, __u64 a4)
{
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(), .site = site };
	struct memhp_entry e = { .ts = bpf_ktime_get_ns(),
			   .args = { a0, a1, a2, a3, a4 } };

	bpf_map_update_elem(&entries, &k, &e, BPF_ANY);
}

/* The entry state of task @id for @site in place (no copy), NULL if none. */
static __always_inline struct memhp_entry *entry_of_id(__u64 id, __u64 site)
{
	struct memhp_entry_key k = { .pid_tgid = id, .site = site };

	return bpf_map_lookup_elem(&entries, &k);
}

static __always_inline struct memhp_entry *entry_of(__u64 site)
{
	return entry_of_id(bpf_get_current_pid_tgid(), site);
}

/*
 * Deletes the task's entry state for @site. Exit probes read the state in
 * place (entry_of()) and drop it after: no copy of the value on the stack.
 */
static __always_inline void entry_drop_id(__u64 id, __u64 site)
{
	struct memhp_entry_key k = { .pid_tgid = id, .site = site };

	bpf_map_delete_elem(&entries, &k);
}

static __always_inline void entry_drop(__u64 site)
{
	entry_drop_id(bpf_get_current_pid_tgid(), site);
}

/* Deletes the entry state; its entry time, 0 if none (nothing copied). */
static __always_inline __u64 entry_take_ts_id(__u64 id, __u64 site)
{
	struct memhp_entry_key k = { .pid_tgid = id, .site = site };
	struct memhp_entry *e = bpf_map_lookup_elem(&entries, &k);
	__u64 ts;

	if (!e)
		return 0;
	ts = e->ts;
	bpf_map_delete_elem(&entries, &k);
	return ts;
}

static __always_inline __u64 entry_take_ts(__u64 site)
{
	return entry_take_ts_id(bpf_get_current_pid_tgid(), site);
}

/* Task @id's offline_pages() call in flight, in place; NULL if none. */
static __always_inline struct memhp_offline *offline_of_id(__u64 id)
{
	struct memhp_entry_key k = { .pid_tgid = id, .site = SITE_OFFLINE_PAGES };

	return bpf_map_lookup_elem(&offlines, &k);
}

static __always_inline struct memhp_offline *offline_of(void)
{
	return offline_of_id(bpf_get_current_pid_tgid());
}

/* The callback named as the GOING_OFFLINE chain's vetoer; 0: none (yet). */
static __always_inline void name_vetoer(struct memhp_offwhy *w, __u64 cb)
{
	w->notifier_cb = cb;
	if (cb)
		w->seen |= MEMHP_SEEN_NOTIFIER;
	else
		w->seen &= ~MEMHP_SEEN_NOTIFIER;
}

/*
 * Reserve an event and fill what every event has, for the task @pid_tgid
 * (the current one); NULL counts a loss.
 */
static __always_inline struct memhp_event *event_new_id(__u16 kind, __u64 pid_tgid)
{
	struct memhp_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(MEMHP_STAT_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.abi = MEMHP_ABI_VERSION;
	e->hdr.kind = kind;
	e->hdr.size = sizeof(*e);
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->pid = pid_tgid >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->nid = -1;
	e->zone_idx = -1;
	e->group_id = -1;
	e->group_nid = -1;
	e->status_nid = -1;
	e->online_type = (unsigned int)-1;
	return e;
}

static __always_inline struct memhp_event *event_new(__u16 kind)
{
	return event_new_id(kind, bpf_get_current_pid_tgid());
}

/*
 * Waking the reader happens inside the probed call (irq_work, IPI, wakeup):
 * in the lab it made fexit programs of memory_notify() and remove cost
 * 0.5-2 ms per run instead of 30-130 us. Userspace polls the buffer every
 * LOADER_POLL_MS anyway, so wake it only when the buffer is a quarter full
 * (ring_wake_bytes: one query per event, not two).
 */
static __always_inline __u64 wakeup_flag(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return avail >= ring_wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void event_submit(struct memhp_event *e)
{
	stat_inc(MEMHP_STAT_EVENTS);
	bpf_ringbuf_submit(e, wakeup_flag());
}

static __always_inline void event_duration(struct memhp_event *e, __u64 ts)
{
	if (ts && e->ts_ns >= ts) {
		e->duration_ns = e->ts_ns - ts;
		e->flags |= MEMHP_F_DURATION;
	}
}

/* What an event says about a zone; zones never move nor change node. */
struct zone_info {
	__s32 nid, zone_idx;
	char name[MEMHP_ZONE_NAME_LEN];
};

/* struct zone * -> its zone_info, learnt on the zone's first event. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct zone_info);
} zones SEC(".maps");

/*
 * Node, zone index and zone name of a struct zone: four reads of kernel
 * memory the first time, one lookup after (issue #14: they were most of
 * what an online/offline event cost beyond bpftrace's).
 */
static __always_inline void event_zone(struct memhp_event *e, struct zone *zone)
{
	__u64 key = (__u64)zone, first;
	struct pglist_data *pgdat;
	struct zone_info *zi, n;
	const char *name;

	if (!zone)
		return;
	/* copied either way: the verifier refuses a pointer that may be the
	 * map's value or the stack's */
	zi = bpf_map_lookup_elem(&zones, &key);
	if (zi) {
		n = *zi;
	} else {
		__builtin_memset(&n, 0, sizeof(n));
		pgdat = BPF_CORE_READ(zone, zone_pgdat);
		if (!pgdat)
			return;
		n.nid = BPF_CORE_READ(pgdat, node_id);
		n.zone_idx = -1;
		first = (__u64)pgdat + bpf_core_field_offset(struct pglist_data, node_zones);
		if (key >= first)
			n.zone_idx = (key - first) / bpf_core_type_size(struct zone);
		name = BPF_CORE_READ(zone, name);
		if (name)
			bpf_probe_read_kernel_str(n.name, sizeof(n.name), name);
		bpf_map_update_elem(&zones, &key, &n, BPF_NOEXIST);
	}
	e->nid = n.nid;
	e->zone_idx = n.zone_idx;
	__builtin_memcpy(e->zone_name, n.name, sizeof(e->zone_name));
	e->flags |= MEMHP_F_ZONE;
}

static __always_inline void event_group_id(struct memhp_event *e, __u64 key)
{
	__s32 *id = bpf_map_lookup_elem(&group_ids, &key);

	if (id) {
		e->group_id = *id;
		e->flags |= MEMHP_F_GROUP_ID;
	}
}

/* Bytes of struct memory_group read at once (56 on x86_64 5.15 - 6.18). */
#define GROUP_BYTES 64

#define GROUP_OFF(f, sz) HEAD_OFF(struct memory_group, f, 0, sz, GROUP_BYTES)

/*
 * Everything about a memory group (5.15+); id only if memhp saw it used.
 * The struct in one read of kernel memory instead of five (issue #14), the
 * fields picked out at their CO-RE offsets; a kernel whose struct grew past
 * GROUP_BYTES gets the field-by-field reads.
 */
static __always_inline void event_group(struct memhp_event *e,
					struct memory_group *g)
{
	__u32 o_nid = GROUP_OFF(nid, 4), o_dyn = GROUP_OFF(is_dynamic, 1);
	__u32 o_max = GROUP_OFF(s.max_pages, 8), o_unit = GROUP_OFF(d.unit_pages, 8);
	__u32 o_kern = GROUP_OFF(present_kernel_pages, 8);
	__u32 o_mov = GROUP_OFF(present_movable_pages, 8);
	__u64 key = (__u64)g;
	__u8 buf[GROUP_BYTES] = {};
	int nid;

	if (!g)
		return;
	e->flags |= MEMHP_F_GROUP;
	e->group_key = key;
	if (o_nid == GROUP_BYTES || o_dyn == GROUP_BYTES || o_max == GROUP_BYTES ||
	    o_unit == GROUP_BYTES || o_kern == GROUP_BYTES || o_mov == GROUP_BYTES) {
		e->group_nid = BPF_CORE_READ(g, nid);
		if (BPF_CORE_READ(g, is_dynamic)) {
			e->flags |= MEMHP_F_GROUP_DYNAMIC;
			e->group_pages = BPF_CORE_READ(g, d.unit_pages);
		} else {
			e->group_pages = BPF_CORE_READ(g, s.max_pages);
		}
		e->group_kernel_pages = BPF_CORE_READ(g, present_kernel_pages);
		e->group_movable_pages = BPF_CORE_READ(g, present_movable_pages);
	} else {
		HEAD_READ(buf, struct memory_group, g);
		__builtin_memcpy(&nid, buf + o_nid, 4);
		e->group_nid = nid;
		if (buf[o_dyn]) {
			e->flags |= MEMHP_F_GROUP_DYNAMIC;
			__builtin_memcpy(&e->group_pages, buf + o_unit, 8);
		} else {
			__builtin_memcpy(&e->group_pages, buf + o_max, 8);
		}
		__builtin_memcpy(&e->group_kernel_pages, buf + o_kern, 8);
		__builtin_memcpy(&e->group_movable_pages, buf + o_mov, 8);
	}
	event_group_id(e, key);
}

#endif
