// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_holdpage: holds an extra reference on one LRU page inside a memory
 * range, the way a driver pinning user memory (GUP, DMA) does, so that
 * offlining the memory block around it loops in offline_pages(): every
 * migration pass fails on that page until the reference goes.
 *
 *   insmod memhp_holdpage.ko start_pfn=N nr_pages=M
 *     -> takes a reference on the first LRU page in [N, N+M), its pfn in
 *        /sys/module/memhp_holdpage/parameters/held_pfn; refuses to load
 *        (-ENOENT) when the range has none
 *   echo 1 > /sys/module/memhp_holdpage/parameters/release   (or rmmod)
 *     -> drops it; the looping offline then migrates the page and ends
 *
 * For the lab only (tests/vm/scenarios/test_offline_why.py).
 */
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page-flags.h>

static unsigned long start_pfn;
module_param(start_pfn, ulong, 0444);
MODULE_PARM_DESC(start_pfn, "first pfn of the range to pick the page from");

static unsigned long nr_pages;
module_param(nr_pages, ulong, 0444);
MODULE_PARM_DESC(nr_pages, "pages in the range (at most 1 GiB of 4 KiB pages)");

/* ULONG_MAX once released */
static unsigned long held_pfn = ULONG_MAX;
module_param(held_pfn, ulong, 0444);
MODULE_PARM_DESC(held_pfn, "pfn of the page held (ULONG_MAX: none)");

static DEFINE_MUTEX(hold_lock);
static struct page *held;

static void drop(void)
{
	mutex_lock(&hold_lock);
	if (held) {
		put_page(held);
		held = NULL;
		held_pfn = ULONG_MAX;
	}
	mutex_unlock(&hold_lock);
}

static int release_set(const char *val, const struct kernel_param *kp)
{
	bool yes;
	int err = kstrtobool(val, &yes);

	if (err)
		return err;
	if (yes)
		drop();
	return 0;
}

static int release_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%d\n", !held);
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
	.get = release_get,
};
module_param_cb(release, &release_ops, NULL, 0644);
MODULE_PARM_DESC(release, "write 1 to drop the reference");

static int __init holdpage_init(void)
{
	unsigned long pfn;

	if (!nr_pages || nr_pages > (1UL << 18) || start_pfn + nr_pages < start_pfn)
		return -EINVAL;
	for (pfn = start_pfn; pfn < start_pfn + nr_pages; pfn++) {
		struct page *page = pfn_to_online_page(pfn);

		/* an order-0 page on an LRU list: what migration must move */
		if (!page || !PageLRU(page) || PageCompound(page))
			continue;
		if (!get_page_unless_zero(page))
			continue;
		/* it may have been freed and reused between the checks */
		if (!PageLRU(page) || PageCompound(page)) {
			put_page(page);
			continue;
		}
		held = page;
		held_pfn = pfn;
		pr_info("memhp_holdpage: holding pfn %#lx (refcount %d)\n", pfn,
			page_ref_count(page));
		return 0;
	}
	return -ENOENT;
}

static void __exit holdpage_exit(void)
{
	drop();
}

module_init(holdpage_init);
module_exit(holdpage_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memhp lab: hold an extra reference on an LRU page");
