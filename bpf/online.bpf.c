// SPDX-License-Identifier: GPL-2.0
/*
 * online_pages() and offline_pages(): one event per call, on return, with the
 * arguments, the zone and group, the return code and the duration.
 *
 * fentry/fexit when the kernel allows trampolines, otherwise the
 * kprobe/kretprobe twins; userspace keeps one set (user/live/loader.c).
 */
#include "common.bpf.h"

/*
 * Argument layouts, chosen by userspace from the function's BTF prototype:
 * online_pages:  0: (pfn, nr_pages, zone, group)        5.15+
 *                1: (pfn, nr_pages, zone)               5.13, 5.14
 *                2: (pfn, nr_pages, online_type, nid)   up to 5.12
 * offline_pages: 0: (start_pfn, nr_pages, zone, group)  5.18+
 *                1: (start_pfn, nr_pages, group)        5.15 - 5.17
 *                2: (start_pfn, nr_pages)               up to 5.14
 */
const volatile int online_abi = 0;
const volatile int offline_abi = 0;
/* Set when the generic_online_page probe is loaded too. */
const volatile bool track_release = false;

/*
 * The online-page callback in force (mm/memory_hotplug.c, static): which
 * driver decides what happens to the pages of a block being onlined.
 * Typeless ksym, resolved from kallsyms; 0 when the kernel has none.
 */
extern const void online_page_callback __ksym __weak;

/*
 * The chain's start time (notify.bpf.c) still set when the call returns:
 * the kernel skipped memory_notify()'s exit program, a NOTIFY event lost.
 */
static __always_inline void notify_skipped(__u64 notify_ts)
{
	if (notify_ts)
		stat_inc(MEMHP_STAT_NOTIFY_SKIPPED);
}

/*
 * @en: the call's entry state in the map, read in place (NULL: the entry
 * probe did not run); the arguments come from the exit probe (fexit) or
 * from the entry state (kretprobe); @id: the task's pid_tgid.
 */
static __always_inline int emit_online(const struct memhp_entry *en, __u64 id, __u64 a0, __u64 a1,
				       __u64 a2, __u64 a3, int ret, __u32 flags)
{
	struct memhp_event *e;

	if (en)
		notify_skipped(en->on.notify_ts);
	e = event_new_id(MEMHP_EV_ONLINE, id);
	if (!e)
		return 0;
	e->flags |= flags;
	e->start_pfn = a0;
	e->nr_pages = a1;
	e->ret = ret;
	if (en)
		event_duration(e, en->ts);
	if (track_release) {
		if (en) {
			e->released_pages = en->on.released;
			e->release_calls = en->on.calls;
		}
		e->flags |= MEMHP_F_RELEASED;
	}
	if (&online_page_callback)
		bpf_probe_read_kernel(&e->callback, sizeof(e->callback),
				      &online_page_callback);
	if (online_abi == 2) {
		e->online_type = (int)a2;
		e->nid = (int)a3;
	} else {
		event_zone(e, (struct zone *)a2);
		if (online_abi == 0)
			event_group(e, (struct memory_group *)a3);
	}
	event_submit(e);
	return 0;
}

/* @off: the call's state in the offlines map, read in place (or NULL). */
static __always_inline int emit_offline(const struct memhp_offline *off, __u64 id, __u64 a0,
					__u64 a1, __u64 a2, __u64 a3, int ret, __u32 flags)
{
	struct memhp_event *e;

	if (off)
		notify_skipped(off->notify_ts);
	e = event_new_id(MEMHP_EV_OFFLINE, id);
	if (!e)
		return 0;
	e->flags |= flags;
	e->start_pfn = a0;
	e->nr_pages = a1;
	e->ret = ret;
	if (offline_abi == 0) {
		event_zone(e, (struct zone *)a2);
		event_group(e, (struct memory_group *)a3);
	} else if (offline_abi == 1) {
		event_group(e, (struct memory_group *)a2);
	}
	/* phase NONE with nothing seen: the offwhy probes are not attached
	 * (or the call failed its first checks); userspace tells them apart
	 * by the attach report, the event says what was seen */
	if (off) {
		event_duration(e, off->ts);
		memhp_event_set_why(e, &off->why);
	} else {
		e->flags |= MEMHP_F_WHY; /* nothing seen */
	}
	event_submit(e);
	return 0;
}

/* Return of online_pages(): the event, then the entry state goes. */
static __always_inline int online_return(__u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	emit_online(entry_of_id(id, SITE_ONLINE_PAGES), id, a0, a1, a2, a3, ret, 0);
	entry_drop_id(id, SITE_ONLINE_PAGES);
	return 0;
}

static __always_inline int offline_return(__u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(),
				     .site = SITE_OFFLINE_PAGES };

	emit_offline(bpf_map_lookup_elem(&offlines, &k), k.pid_tgid, a0, a1, a2, a3, ret, 0);
	bpf_map_delete_elem(&offlines, &k);
	return 0;
}

/* Entry of offline_pages(): the range is the first two arguments in every
 * prototype, kept so that progress events (offwhy.bpf.c) can say which
 * offline they are. */
static __always_inline void offline_enter(__u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(),
				     .site = SITE_OFFLINE_PAGES };
	struct memhp_offline off = { .ts = bpf_ktime_get_ns(), .start_pfn = a0, .nr_pages = a1,
				     .args = { a2, a3 } };

	bpf_map_update_elem(&offlines, &k, &off, BPF_ANY);
}

/* fentry only stamps the time: fexit sees the arguments again. */
SEC("fentry/online_pages")
int BPF_PROG(fentry_online)
{
	entry_save(SITE_ONLINE_PAGES, 0, 0, 0, 0, 0);
	return 0;
}

/*
 * One fexit program per argument count: BPF_PROG reads each argument at a
 * constant context offset, as the verifier requires. Userspace loads the
 * one matching the kernel's prototype and leaves the others out.
 */
SEC("fexit/online_pages")
int BPF_PROG(fexit_online, __u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	return online_return(a0, a1, FUNC_ARG(2, a2), FUNC_ARG(3, a3), ret);
}

SEC("fexit/online_pages")
int BPF_PROG(fexit_online3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	return online_return(a0, a1, FUNC_ARG(2, a2), 0, ret);
}

SEC("fentry/offline_pages")
int BPF_PROG(fentry_offline, __u64 a0, __u64 a1)
{
	offline_enter(a0, a1, 0, 0);
	return 0;
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline, __u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	return offline_return(a0, a1, FUNC_ARG(2, a2), FUNC_ARG(3, a3), ret);
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	return offline_return(a0, a1, FUNC_ARG(2, a2), 0, ret);
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline2, __u64 a0, __u64 a1, int ret)
{
	return offline_return(a0, a1, 0, 0, ret);
}

SEC("kprobe/online_pages")
int BPF_KPROBE(kprobe_online, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	entry_save(SITE_ONLINE_PAGES, a0, a1, a2, a3, 0);
	return 0;
}

SEC("kretprobe/online_pages")
int BPF_KRETPROBE(kretprobe_online, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct memhp_entry *en = entry_of_id(id, SITE_ONLINE_PAGES);

	if (!en) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_online(en, id, en->args[0], en->args[1], en->args[2], en->args[3], ret,
		    MEMHP_F_KPROBE);
	entry_drop_id(id, SITE_ONLINE_PAGES);
	return 0;
}

/* The kretprobe cannot see the arguments: all four go in the call's state. */
SEC("kprobe/offline_pages")
int BPF_KPROBE(kprobe_offline, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	offline_enter(a0, a1, a2, a3);
	return 0;
}

SEC("kretprobe/offline_pages")
int BPF_KRETPROBE(kretprobe_offline, int ret)
{
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(),
				     .site = SITE_OFFLINE_PAGES };
	struct memhp_offline *off = bpf_map_lookup_elem(&offlines, &k);

	if (!off) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	emit_offline(off, k.pid_tgid, off->start_pfn, off->nr_pages, off->args[0], off->args[1], ret,
		     MEMHP_F_KPROBE);
	bpf_map_delete_elem(&offlines, &k);
	return 0;
}

/*
 * generic_online_page(page, order) frees 2^order pages of a block being
 * onlined to the buddy allocator. Drivers that own the online-page callback
 * (hv_balloon, virtio-mem, xen) call it only for pages they back; counted
 * into the enclosing online_pages() call of the same task.
 */
static __always_inline void count_release(unsigned int order)
{
	struct memhp_entry_key k = { .pid_tgid = bpf_get_current_pid_tgid(),
			       .site = SITE_ONLINE_PAGES };
	struct memhp_entry *en = bpf_map_lookup_elem(&entries, &k);

	if (!en || order > 20)
		return;
	__sync_fetch_and_add(&en->on.released, 1ULL << order);
	__sync_fetch_and_add(&en->on.calls, 1);
}

SEC("fentry/generic_online_page")
int BPF_PROG(fentry_release, struct page *page, unsigned int order)
{
	count_release(order);
	return 0;
}

SEC("kprobe/generic_online_page")
int BPF_KPROBE(kprobe_release, struct page *page, unsigned int order)
{
	count_release(order);
	return 0;
}
