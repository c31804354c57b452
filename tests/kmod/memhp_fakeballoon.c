// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_fakeballoon - a test model of hv_balloon's online-page callback.
 *
 * hv_balloon (drivers/hv/hv_balloon.c) hot-adds memory in 128 MiB chunks but
 * the host may back only part of it: struct hv_hotadd_state keeps the backed
 * range [covered_start_pfn, covered_end_pfn) and the driver installs an
 * online_page_callback_t that frees backed pages to the buddy and leaves the
 * rest PageOffline.  This module does the same over a hot-plugged DIMM (QEMU
 * has no Hyper-V), so memhp's tests can reproduce on a real kernel:
 *
 *  buggy=1        hv_online_page() before the fix that stopped advancing
 *                 has->covered_start_pfn (memhp seed 000; 6.1 still has the
 *                 field but only as a fixed lower bound): it advances by one
 *                 for every page onlined, so onlining an upper block first
 *                 makes every lower pfn fail the "pfn >= covered_start_pfn"
 *                 check: a lower block then contributes zero pages.
 *  overrelease=1  frees pages at/after covered_end_pfn too (not backed by
 *                 the "host"): the uncovered onlining memhp must detect.
 *
 * Counters are read-only module parameters under
 * /sys/module/memhp_fakeballoon/parameters/.  covered_start_pfn there shows
 * the live (possibly advanced) value.
 *
 * Test-only: pages this module holds back stay PageOffline with a reference
 * (as in hv_balloon), so their memory block can't be offlined any more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/page-flags.h>
#include <linux/spinlock.h>

/* hv_balloon's hot-add granularity: 128 MiB of 4 KiB pages (HA_CHUNK). */
#define HA_CHUNK (32 * 1024)

/* The backed range, like hv_hotadd_state.covered_{start,end}_pfn. */
static unsigned long covered_start_pfn;
module_param(covered_start_pfn, ulong, 0444);
MODULE_PARM_DESC(covered_start_pfn, "first backed pfn (advances when buggy=1)");
static unsigned long covered_end_pfn;
module_param(covered_end_pfn, ulong, 0444);
MODULE_PARM_DESC(covered_end_pfn, "first pfn after the backed range");

static bool buggy;
module_param(buggy, bool, 0444);
MODULE_PARM_DESC(buggy, "advance covered_start_pfn per onlined page (old hv_online_page)");
static bool overrelease;
module_param(overrelease, bool, 0444);
MODULE_PARM_DESC(overrelease, "also free pages at/after covered_end_pfn (unbacked)");

/* Counters, in pages. */
static unsigned long pages_released;
module_param(pages_released, ulong, 0444);
MODULE_PARM_DESC(pages_released, "region pages given to generic_online_page()");
static unsigned long pages_held;
module_param(pages_held, ulong, 0444);
MODULE_PARM_DESC(pages_held, "region pages left PageOffline (not backed)");
static unsigned long pages_overreleased;
module_param(pages_overreleased, ulong, 0444);
MODULE_PARM_DESC(pages_overreleased, "part of pages_released at/after covered_end_pfn");
static unsigned long pages_passthrough;
module_param(pages_passthrough, ulong, 0444);
MODULE_PARM_DESC(pages_passthrough, "pages outside the region, onlined as generic_online_page would");
static unsigned long callbacks;
module_param(callbacks, ulong, 0444);
MODULE_PARM_DESC(callbacks, "online_page_callback invocations");

/*
 * hv_hotadd_state.start_pfn/end_pfn: the hot-added region, whole HA_CHUNKs
 * around the covered range.
 */
static unsigned long region_start_pfn, region_end_pfn;

/* hv_balloon serialises the callback with dm_device.ha_lock. */
static DEFINE_SPINLOCK(fake_lock);

/* hv_page_online_one(): free a backed page, keep an unbacked one offline. */
static void fake_online_one(unsigned long pfn)
{
	struct page *pg = pfn_to_page(pfn);
	/* has_pfn_is_backed() (this model has no gap list). */
	bool backed = pfn >= covered_start_pfn && pfn < covered_end_pfn;
	bool beyond = !backed && overrelease && pfn >= covered_end_pfn;

	if (!backed && !beyond) {
		/*
		 * As hv_balloon: mark PageOffline and don't free.  The page
		 * keeps the refcount 1 and PG_reserved memmap_init_range()
		 * gave it, so it stays out of the buddy and out of totalram.
		 */
		if (!PageOffline(pg))
			__SetPageOffline(pg);
		pages_held++;
		return;
	}
	if (PageOffline(pg))
		__ClearPageOffline(pg);

	/* Backed (or over-released): to the buddy, one page at a time. */
	generic_online_page(pg, 0);
	pages_released++;
	if (beyond)
		pages_overreleased++;

	/*
	 * The bug: the old hv_online_page() did has->covered_start_pfn++ for
	 * each page it onlined, assuming blocks are onlined in pfn order.
	 */
	if (buggy && backed)
		covered_start_pfn++;
}

/*
 * hv_online_page(): called by online_pages_range() for each MAX_ORDER - 1
 * (order 10 on x86) aligned chunk of the block being onlined, under
 * mem_hotplug_lock held for write.
 */
static void fake_online_page(struct page *pg, unsigned int order)
{
	unsigned long pfn = page_to_pfn(pg);
	unsigned long nr = 1UL << order;
	unsigned long flags, i;

	spin_lock_irqsave(&fake_lock, flags);
	callbacks++;
	if (pfn < region_start_pfn || pfn + nr > region_end_pfn) {
		/*
		 * hv_online_page() would leave a chunk outside every hot-add
		 * region untouched (neither freed nor PageOffline).  Onlining
		 * it normally keeps other memory in the test VM usable.
		 */
		pages_passthrough += nr;
		spin_unlock_irqrestore(&fake_lock, flags);
		generic_online_page(pg, order);
		return;
	}
	/* hv_bring_pgs_online(): page by page. */
	for (i = 0; i < nr; i++)
		fake_online_one(pfn + i);
	spin_unlock_irqrestore(&fake_lock, flags);
}

static int __init fake_init(void)
{
	int ret;

	if (covered_start_pfn >= covered_end_pfn) {
		pr_err("need covered_start_pfn < covered_end_pfn (got %#lx, %#lx)\n",
		       covered_start_pfn, covered_end_pfn);
		return -EINVAL;
	}
	region_start_pfn = ALIGN_DOWN(covered_start_pfn, HA_CHUNK);
	region_end_pfn = ALIGN(covered_end_pfn, HA_CHUNK);

	/* hv_balloon_probe() does the same; only one driver can own it. */
	ret = set_online_page_callback(&fake_online_page);
	if (ret) {
		pr_err("online_page_callback is owned by another driver (hv_balloon, virtio_mem or xen balloon): %d\n",
		       ret);
		return -EBUSY;
	}
	pr_info("region [%#lx, %#lx) covered [%#lx, %#lx) buggy=%d overrelease=%d\n",
		region_start_pfn, region_end_pfn, covered_start_pfn,
		covered_end_pfn, buggy, overrelease);
	return 0;
}

static void __exit fake_exit(void)
{
	/*
	 * restore_online_page_callback() takes get_online_mems(), so it waits
	 * for any online_pages() still calling us.  Pages already freed stay
	 * in the buddy; held-back ones stay PageOffline (leaked), so unloading
	 * is safe while memory onlined through us is online.
	 */
	if (restore_online_page_callback(&fake_online_page))
		pr_err("online_page_callback was not ours\n");
	pr_info("released %lu held %lu overreleased %lu passthrough %lu callbacks %lu\n",
		pages_released, pages_held, pages_overreleased,
		pages_passthrough, callbacks);
}

module_init(fake_init);
module_exit(fake_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memhp test: hv_balloon-like online_page_callback over a DIMM");
