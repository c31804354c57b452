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
static __always_inline void notify_skipped(const struct memhp_entry *en)
{
	if (en->notify_ts)
		stat_inc(MEMHP_STAT_NOTIFY_SKIPPED);
}

static __always_inline int emit_online(struct memhp_entry *en, int ret, __u32 flags)
{
	struct memhp_event *e;

	notify_skipped(en);
	e = event_new(MEMHP_EV_ONLINE);

	if (!e)
		return 0;
	e->flags |= flags;
	e->start_pfn = en->args[0];
	e->nr_pages = en->args[1];
	e->ret = ret;
	event_duration(e, en->ts);
	if (track_release) {
		e->released_pages = en->released;
		e->release_calls = en->calls;
		e->flags |= MEMHP_F_RELEASED;
	}
	if (&online_page_callback)
		bpf_probe_read_kernel(&e->callback, sizeof(e->callback),
				      &online_page_callback);
	if (online_abi == 2) {
		e->online_type = (int)en->args[2];
		e->nid = (int)en->args[3];
	} else {
		event_zone(e, (struct zone *)en->args[2]);
		if (online_abi == 0)
			event_group(e, (struct memory_group *)en->args[3]);
	}
	event_submit(e);
	return 0;
}

static __always_inline int emit_offline(struct memhp_entry *en, int ret, __u32 flags)
{
	struct memhp_event *e;

	notify_skipped(en);
	e = event_new(MEMHP_EV_OFFLINE);

	if (!e)
		return 0;
	e->flags |= flags;
	e->start_pfn = en->args[0];
	e->nr_pages = en->args[1];
	e->ret = ret;
	event_duration(e, en->ts);
	if (offline_abi == 0) {
		event_zone(e, (struct zone *)en->args[2]);
		event_group(e, (struct memory_group *)en->args[3]);
	} else if (offline_abi == 1) {
		event_group(e, (struct memory_group *)en->args[2]);
	}
	/* phase NONE with nothing seen: the offwhy probes are not attached
	 * (or the call failed its first checks); userspace tells them apart
	 * by the attach report, the event says what was seen */
	memhp_event_set_why(e, &en->why);
	event_submit(e);
	return 0;
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
	struct memhp_entry en = {};

	entry_take(SITE_ONLINE_PAGES, &en);
	en.args[0] = a0;
	en.args[1] = a1;
	en.args[2] = as_scalar(a2);
	en.args[3] = as_scalar(a3);
	return emit_online(&en, ret, 0);
}

SEC("fexit/online_pages")
int BPF_PROG(fexit_online3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	struct memhp_entry en = {};

	entry_take(SITE_ONLINE_PAGES, &en);
	en.args[0] = a0;
	en.args[1] = a1;
	en.args[2] = as_scalar(a2);
	return emit_online(&en, ret, 0);
}

/* The range is the first two arguments in every prototype: kept at entry
 * so that progress events (offwhy.bpf.c) can say which offline they are. */
SEC("fentry/offline_pages")
int BPF_PROG(fentry_offline, __u64 a0, __u64 a1)
{
	entry_save(SITE_OFFLINE_PAGES, a0, a1, 0, 0, 0);
	return 0;
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline, __u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret)
{
	struct memhp_entry en = {};

	entry_take(SITE_OFFLINE_PAGES, &en);
	en.args[0] = a0;
	en.args[1] = a1;
	en.args[2] = as_scalar(a2);
	en.args[3] = as_scalar(a3);
	return emit_offline(&en, ret, 0);
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline3, __u64 a0, __u64 a1, __u64 a2, int ret)
{
	struct memhp_entry en = {};

	entry_take(SITE_OFFLINE_PAGES, &en);
	en.args[0] = a0;
	en.args[1] = a1;
	en.args[2] = as_scalar(a2);
	return emit_offline(&en, ret, 0);
}

SEC("fexit/offline_pages")
int BPF_PROG(fexit_offline2, __u64 a0, __u64 a1, int ret)
{
	struct memhp_entry en = {};

	entry_take(SITE_OFFLINE_PAGES, &en);
	en.args[0] = a0;
	en.args[1] = a1;
	return emit_offline(&en, ret, 0);
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
	struct memhp_entry en;

	if (entry_take(SITE_ONLINE_PAGES, &en)) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	return emit_online(&en, ret, MEMHP_F_KPROBE);
}

SEC("kprobe/offline_pages")
int BPF_KPROBE(kprobe_offline, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	entry_save(SITE_OFFLINE_PAGES, a0, a1, a2, a3, 0);
	return 0;
}

SEC("kretprobe/offline_pages")
int BPF_KRETPROBE(kretprobe_offline, int ret)
{
	struct memhp_entry en;

	if (entry_take(SITE_OFFLINE_PAGES, &en)) {
		stat_inc(MEMHP_STAT_MISSED_ENTRY);
		return 0;
	}
	return emit_offline(&en, ret, MEMHP_F_KPROBE);
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
	__sync_fetch_and_add(&en->released, 1ULL << order);
	__sync_fetch_and_add(&en->calls, 1);
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
