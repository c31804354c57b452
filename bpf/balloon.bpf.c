// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon activity through mm/balloon_compaction.c (virtio-balloon, VMware):
 * pages inflated, deflated and migrated, per balloon device. These fire per
 * 4 KiB page, so they are counted in a per-CPU hash read by userspace, never
 * sent through the ring buffer. The counts are the kernel's own
 * BALLOON_INFLATE / BALLOON_DEFLATE / BALLOON_MIGRATE vmstat events:
 * inflate = balloon_page_enqueue() calls + balloon_page_list_enqueue()
 * results; deflate = balloon_page_list_dequeue() results (balloon_page_dequeue
 * calls it); migrate = successful balloon_page_migrate().
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64); /* struct balloon_dev_info * */
	__type(value, struct memhp_balloon_stats);
} balloons SEC(".maps");

/* balloon_page_migrate: 0: (newpage, page, mode) 6.0+;  1: (mapping, newpage, page, mode) */
const volatile int migrate_abi = 0;

static __always_inline struct memhp_balloon_stats *stats_for(__u64 dev)
{
	struct memhp_balloon_stats *s, zero = {};

	s = bpf_map_lookup_elem(&balloons, &dev);
	if (s)
		return s;
	zero.migratepage = (__u64)BPF_CORE_READ((struct balloon_dev_info *)dev, migratepage);
	bpf_map_update_elem(&balloons, &dev, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&balloons, &dev);
}

static __always_inline void add_inflated(__u64 dev, __u64 n)
{
	struct memhp_balloon_stats *s = stats_for(dev);

	if (s)
		s->inflated += n; /* per-CPU value: no atomics needed */
}

static __always_inline void add_deflated(__u64 dev, __u64 n)
{
	struct memhp_balloon_stats *s = stats_for(dev);

	if (s)
		s->deflated += n;
}

/*
 * After a successful migration the old page has left the balloon (its
 * page->private, where balloon_page_device() keeps the device, is cleared)
 * and the new page holds the device; after a failure the old page still does.
 */
static __always_inline void add_migrated(__u64 newpage, __u64 page, int ret)
{
	__u64 dev = BPF_CORE_READ((struct page *)(ret == 0 ? newpage : page), private);
	struct memhp_balloon_stats *s;

	if (!dev)
		return;
	s = stats_for(dev);
	if (!s)
		return;
	if (ret == 0)
		s->migrated++;
	else
		s->migrate_failed++;
}

SEC("fentry/balloon_page_enqueue")
int BPF_PROG(fentry_b_enq, struct balloon_dev_info *b, struct page *page)
{
	add_inflated(FUNC_ARG(0, b), 1);
	return 0;
}

SEC("fexit/balloon_page_list_enqueue")
int BPF_PROG(fexit_b_list_enq, struct balloon_dev_info *b, struct list_head *pages,
	     size_t n)
{
	add_inflated(FUNC_ARG(0, b), n);
	return 0;
}

SEC("fexit/balloon_page_list_dequeue")
int BPF_PROG(fexit_b_list_deq, struct balloon_dev_info *b, struct list_head *pages,
	     size_t req, size_t n)
{
	add_deflated(FUNC_ARG(0, b), n);
	return 0;
}

SEC("fexit/balloon_page_migrate")
int BPF_PROG(fexit_b_migrate, struct page *newpage, struct page *page, int mode, int ret)
{
	add_migrated(FUNC_ARG(0, newpage), FUNC_ARG(1, page), ret);
	return 0;
}

SEC("fexit/balloon_page_migrate")
int BPF_PROG(fexit_b_migr4, void *mapping, struct page *newpage, struct page *page,
	     int mode, int ret)
{
	add_migrated(FUNC_ARG(1, newpage), FUNC_ARG(2, page), ret);
	return 0;
}

/* kprobe twins: the return value needs the entry arguments. */
SEC("kprobe/balloon_page_enqueue")
int BPF_KPROBE(kprobe_b_enq, __u64 b)
{
	add_inflated(b, 1);
	return 0;
}

/*
 * The kretprobes' entries: the arguments a return needs, read back in
 * place; 0 and *a0, *a1 set if the entry was there (it is then dropped).
 */
static __always_inline int entry_args(__u64 site, __u64 *a0, __u64 *a1)
{
	struct memhp_entry *en = entry_of(site);

	if (!en)
		return -1;
	*a0 = en->args[0];
	*a1 = en->args[1];
	entry_drop(site);
	return 0;
}

SEC("kprobe/balloon_page_list_enqueue")
int BPF_KPROBE(kprobe_b_list_enq, __u64 b)
{
	entry_save(SITE_B_LIST_ENQ, b, 0, 0, 0, 0);
	return 0;
}

SEC("kretprobe/balloon_page_list_enqueue")
int BPF_KRETPROBE(kret_b_list_enq, __u64 n)
{
	__u64 b, unused;

	if (!entry_args(SITE_B_LIST_ENQ, &b, &unused))
		add_inflated(b, n);
	return 0;
}

SEC("kprobe/balloon_page_list_dequeue")
int BPF_KPROBE(kprobe_b_list_deq, __u64 b)
{
	entry_save(SITE_B_LIST_DEQ, b, 0, 0, 0, 0);
	return 0;
}

SEC("kretprobe/balloon_page_list_dequeue")
int BPF_KRETPROBE(kret_b_list_deq, __u64 n)
{
	__u64 b, unused;

	if (!entry_args(SITE_B_LIST_DEQ, &b, &unused))
		add_deflated(b, n);
	return 0;
}

SEC("kprobe/balloon_page_migrate")
int BPF_KPROBE(kprobe_b_migrate, __u64 a0, __u64 a1, __u64 a2)
{
	if (migrate_abi == 1)
		entry_save(SITE_B_MIGRATE, a1, a2, 0, 0, 0);
	else
		entry_save(SITE_B_MIGRATE, a0, a1, 0, 0, 0);
	return 0;
}

SEC("kretprobe/balloon_page_migrate")
int BPF_KRETPROBE(kretprobe_b_migrate, int ret)
{
	__u64 newpage, page;

	if (!entry_args(SITE_B_MIGRATE, &newpage, &page))
		add_migrated(newpage, page, ret);
	return 0;
}
