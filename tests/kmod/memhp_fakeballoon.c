// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_fakeballoon - a test model of hv_balloon's online-page callback.
 *
 * hv_balloon (drivers/hv/hv_balloon.c) hot-adds memory in 128 MiB chunks but
 * the host may back only part of it: struct hv_hotadd_state keeps the backed
 * range [covered_start_pfn, covered_end_pfn) minus a list of gaps and the
 * driver installs an online_page_callback_t that frees backed pages to the
 * buddy and leaves the rest PageOffline.  This module does the same over a
 * hot-plugged DIMM (QEMU has no Hyper-V), so memhp's tests can reproduce on a
 * real kernel.
 *
 * The state lives in the very data structures of 6.1 hv_balloon: a
 * file-scope "dm_device" (struct hv_dynmem_device) whose ha_region_list holds
 * one struct hv_hotadd_state with its gap_list of struct hv_hotadd_gap.  Type,
 * member names and member types are hv_balloon's, and the module's BTF
 * carries them, so BPF CO-RE code written for hv_balloon's state (dm_device
 * found through kallsyms) reads this module's unchanged.
 *
 * Parameters (set at load, read-only afterwards):
 *  covered_start_pfn, covered_end_pfn
 *                 the backed range of the hot-add region (required).
 *  ha_start_pfn   has->start_pfn; default covered_start_pfn rounded down to
 *                 HA_CHUNK (hv_balloon's region is whole HA_CHUNKs).
 *  ha_end_pfn     has->ha_end_pfn and has->end_pfn; default covered_end_pfn
 *                 rounded up to HA_CHUNK.
 *  gaps           "startA-endA,startB-endB" (up to MAX_GAPS, end exclusive,
 *                 decimal or 0x hex) put on has->gap_list: unbacked holes
 *                 such as pfn_covered() records.
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
 * the live (possibly advanced) has->covered_start_pfn.
 *
 * Test-only: pages this module holds back stay PageOffline with a reference
 * (as in hv_balloon), so their memory block can't be offlined any more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/page-flags.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

/* hv_balloon's hot-add granularity: 128 MiB of 4 KiB pages (HA_CHUNK). */
#define HA_CHUNK (128 * 1024 * 1024 / PAGE_SIZE)

/* Most gaps the "gaps" parameter takes. */
#define MAX_GAPS 8

/*
 * hv_balloon's hot-add state, verbatim from 6.1 drivers/hv/hv_balloon.c
 * (names and types must stay identical: BPF CO-RE reads them):
 *
 * State to manage hot adding memory into the guest.
 * The range start_pfn : end_pfn specifies the range
 * that the host has asked us to hot add. The range
 * start_pfn : ha_end_pfn specifies the range that we have
 * currently hot added. We hot add in multiples of 128M
 * chunks; it is possible that we may not be able to bring
 * online all the pages in the region. The range
 * covered_start_pfn:covered_end_pfn defines the pages that can
 * be brough online.
 */

struct hv_hotadd_state {
	struct list_head list;
	unsigned long start_pfn;
	unsigned long covered_start_pfn;
	unsigned long covered_end_pfn;
	unsigned long ha_end_pfn;
	unsigned long end_pfn;
	/*
	 * A list of gaps.
	 */
	struct list_head gap_list;
};

struct hv_hotadd_gap {
	struct list_head list;
	unsigned long start_pfn;
	unsigned long end_pfn;
};

/*
 * hv_balloon's struct hv_dynmem_device, reduced to the members this model
 * maintains; each keeps hv_balloon's name and type (CO-RE matches members by
 * name, so their order and the omitted ones don't matter).  Omitted: dev,
 * state, host_event, config_event, num_pages_ballooned, balloon_wrk, ha_wrk,
 * host_specified_ha_region, ol_waitevent, thread, next_version, version,
 * pr_dev_info, max_dynamic_page_count.
 */
struct hv_dynmem_device {
	unsigned int num_pages_onlined;
	unsigned int num_pages_added;

	/*
	 * Protects ha_region_list, num_pages_onlined counter and individual
	 * regions from ha_region_list.
	 */
	spinlock_t ha_lock;

	/*
	 * A list of hot-add regions.
	 */
	struct list_head ha_region_list;
};

/*
 * hv_balloon's "static struct hv_dynmem_device dm_device;", same symbol name
 * (kallsyms: "dm_device [memhp_fakeballoon]").  hv_balloon_probe() does the
 * spin_lock_init() and INIT_LIST_HEAD(); here they are static so that the
 * covered_start_pfn getter can take the lock and walk the (empty) list even
 * before fake_init() ran.  __used: keep it even if an optimisation ever
 * stopped referencing it.
 */
static struct hv_dynmem_device dm_device __used = {
	.ha_lock = __SPIN_LOCK_UNLOCKED(dm_device.ha_lock),
	.ha_region_list = LIST_HEAD_INIT(dm_device.ha_region_list),
};

/* The backed range, like hv_hotadd_state.covered_{start,end}_pfn. */
static unsigned long covered_start_pfn;
static unsigned long covered_end_pfn;
module_param(covered_end_pfn, ulong, 0444);
MODULE_PARM_DESC(covered_end_pfn, "first pfn after the backed range");

/* The hot-add region, like hv_hotadd_state.start_pfn and .ha_end_pfn/.end_pfn. */
static unsigned long ha_start_pfn;
module_param(ha_start_pfn, ulong, 0444);
MODULE_PARM_DESC(ha_start_pfn, "first pfn of the hot-add region (default covered_start_pfn rounded down to 128 MiB)");
static unsigned long ha_end_pfn;
module_param(ha_end_pfn, ulong, 0444);
MODULE_PARM_DESC(ha_end_pfn, "first pfn after the hot-add region (default covered_end_pfn rounded up to 128 MiB)");

static char *gaps;
module_param(gaps, charp, 0444);
MODULE_PARM_DESC(gaps, "unbacked holes for has->gap_list: \"start-end,...\" (end exclusive, up to 8)");

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
 * covered_start_pfn: set as a plain ulong at load; reading it shows the
 * live has->covered_start_pfn once the region exists.
 */
static int covered_start_get(char *buf, const struct kernel_param *kp)
{
	struct hv_hotadd_state *has;
	unsigned long flags, val = *(unsigned long *)kp->arg;

	spin_lock_irqsave(&dm_device.ha_lock, flags);
	has = list_first_entry_or_null(&dm_device.ha_region_list,
				       struct hv_hotadd_state, list);
	if (has)
		val = has->covered_start_pfn;
	spin_unlock_irqrestore(&dm_device.ha_lock, flags);
	return scnprintf(buf, PAGE_SIZE, "%lu\n", val);
}

static const struct kernel_param_ops covered_start_ops = {
	.set = param_set_ulong,
	.get = covered_start_get,
};
module_param_cb(covered_start_pfn, &covered_start_ops, &covered_start_pfn, 0444);
__MODULE_PARM_TYPE(covered_start_pfn, "ulong");
MODULE_PARM_DESC(covered_start_pfn, "first backed pfn (advances when buggy=1)");

/* hv_balloon: has_pfn_is_backed(), verbatim. */
static inline bool has_pfn_is_backed(struct hv_hotadd_state *has,
				     unsigned long pfn)
{
	struct hv_hotadd_gap *gap;

	/* The page is not backed. */
	if ((pfn < has->covered_start_pfn) || (pfn >= has->covered_end_pfn))
		return false;

	/* Check for gaps. */
	list_for_each_entry(gap, &has->gap_list, list) {
		if ((pfn >= gap->start_pfn) && (pfn < gap->end_pfn))
			return false;
	}

	return true;
}

/*
 * hv_balloon: hv_page_online_one() (check if the particular page is backed
 * and can be onlined and online it), plus the model's counters and its
 * buggy/overrelease variants.
 */
static void fake_page_online_one(struct hv_hotadd_state *has, struct page *pg)
{
	unsigned long pfn = page_to_pfn(pg);
	bool backed = has_pfn_is_backed(has, pfn);
	bool beyond = !backed && overrelease && pfn >= has->covered_end_pfn;

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

	lockdep_assert_held(&dm_device.ha_lock);
	dm_device.num_pages_onlined++;
	pages_released++;
	if (beyond)
		pages_overreleased++;

	/*
	 * The bug: the old hv_online_page() did has->covered_start_pfn++ for
	 * each page it onlined, assuming blocks are onlined in pfn order.
	 */
	if (buggy && backed)
		has->covered_start_pfn++;
}

/* hv_balloon: hv_bring_pgs_online(). */
static void fake_bring_pgs_online(struct hv_hotadd_state *has,
				  unsigned long start_pfn, unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i++)
		fake_page_online_one(has, pfn_to_page(start_pfn + i));
}

/*
 * hv_balloon: hv_online_page().  Called by online_pages_range() for each
 * MAX_ORDER - 1 (order 10 on x86) aligned chunk of the block being onlined,
 * under mem_hotplug_lock held for write.
 */
static void fake_online_page(struct page *pg, unsigned int order)
{
	struct hv_hotadd_state *has;
	unsigned long flags;
	unsigned long pfn = page_to_pfn(pg);
	unsigned long nr = 1UL << order;

	spin_lock_irqsave(&dm_device.ha_lock, flags);
	callbacks++;
	list_for_each_entry(has, &dm_device.ha_region_list, list) {
		/* The page belongs to a different HAS. */
		if ((pfn < has->start_pfn) || (pfn + nr > has->end_pfn))
			continue;

		fake_bring_pgs_online(has, pfn, nr);
		spin_unlock_irqrestore(&dm_device.ha_lock, flags);
		return;
	}
	/*
	 * hv_online_page() would leave a chunk outside every hot-add region
	 * untouched (neither freed nor PageOffline).  Onlining it normally
	 * keeps other memory in the test VM usable.
	 */
	pages_passthrough += nr;
	spin_unlock_irqrestore(&dm_device.ha_lock, flags);
	generic_online_page(pg, order);
}

/* hv_balloon: hv_page_offline_check(), verbatim but for the name. */
static unsigned long fake_page_offline_check(unsigned long start_pfn,
					     unsigned long nr_pages)
{
	unsigned long pfn = start_pfn, count = 0;
	struct hv_hotadd_state *has;
	bool found;

	while (pfn < start_pfn + nr_pages) {
		/*
		 * Search for HAS which covers the pfn and when we find one
		 * count how many consequitive PFNs are covered.
		 */
		found = false;
		list_for_each_entry(has, &dm_device.ha_region_list, list) {
			while ((pfn >= has->start_pfn) &&
			       (pfn < has->end_pfn) &&
			       (pfn < start_pfn + nr_pages)) {
				found = true;
				if (has_pfn_is_backed(has, pfn))
					count++;
				pfn++;
			}
		}

		/*
		 * This PFN is not in any HAS (e.g. we're offlining a region
		 * which was present at boot), no need to account for it. Go
		 * to the next one.
		 */
		if (!found)
			pfn++;
	}

	return count;
}

/*
 * hv_balloon: hv_memory_notifier(), the MEM_OFFLINE part that keeps
 * dm_device.num_pages_onlined (hv_balloon also completes ol_waitevent on
 * MEM_ONLINE, which has no use here).
 */
static int fake_memory_notifier(struct notifier_block *nb, unsigned long val,
				void *v)
{
	struct memory_notify *mem = (struct memory_notify *)v;
	unsigned long flags, pfn_count;

	if (val != MEM_OFFLINE)
		return NOTIFY_OK;

	spin_lock_irqsave(&dm_device.ha_lock, flags);
	pfn_count = fake_page_offline_check(mem->start_pfn, mem->nr_pages);
	if (pfn_count <= dm_device.num_pages_onlined) {
		dm_device.num_pages_onlined -= pfn_count;
	} else {
		/*
		 * hv_balloon WARNs here; over-released pages and a buggy
		 * covered_start_pfn make it expected in this model.
		 */
		dm_device.num_pages_onlined = 0;
	}
	spin_unlock_irqrestore(&dm_device.ha_lock, flags);
	return NOTIFY_OK;
}

static struct notifier_block fake_memory_nb = {
	.notifier_call = fake_memory_notifier,
	.priority = 0
};

/*
 * Parse the "gaps" parameter onto has->gap_list, as pfn_covered() records
 * gaps: kzalloc'ed struct hv_hotadd_gap, list_add_tail().  Every gap must be
 * non-empty, inside [has->start_pfn, has->end_pfn) and not overlap another.
 */
static int fake_parse_gaps(struct hv_hotadd_state *has, const char *spec)
{
	struct hv_hotadd_gap *gap, *other;
	char *buf, *cur, *tok, *dash;
	unsigned long start, end;
	int n = 0, ret = 0;

	if (!spec)
		return 0;
	buf = kstrdup(spec, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	cur = buf;
	while ((tok = strsep(&cur, ",")) != NULL) {
		tok = strim(tok);
		if (!*tok)
			continue;	/* "" or a stray comma */
		if (++n > MAX_GAPS) {
			pr_err("gaps=\"%s\": more than %d gaps\n", spec, MAX_GAPS);
			ret = -E2BIG;
			break;
		}
		dash = strchr(tok, '-');
		if (!dash) {
			ret = -EINVAL;
			break;
		}
		*dash = '\0';
		if (kstrtoul(strim(tok), 0, &start) ||
		    kstrtoul(strim(dash + 1), 0, &end) ||
		    start >= end || start < has->start_pfn ||
		    end > has->end_pfn) {
			ret = -EINVAL;
			break;
		}
		list_for_each_entry(other, &has->gap_list, list) {
			if (start < other->end_pfn && other->start_pfn < end)
				ret = -EINVAL;
		}
		if (ret)
			break;

		gap = kzalloc(sizeof(struct hv_hotadd_gap), GFP_KERNEL);
		if (!gap) {
			ret = -ENOMEM;
			break;
		}
		INIT_LIST_HEAD(&gap->list);
		gap->start_pfn = start;
		gap->end_pfn = end;
		list_add_tail(&gap->list, &has->gap_list);
	}
	if (ret == -EINVAL)
		pr_err("gaps=\"%s\": gap %d is not \"start-end\" with start < end inside [%#lx, %#lx) and clear of the other gaps\n",
		       spec, n, has->start_pfn, has->end_pfn);
	kfree(buf);
	return ret;
}

/* hv_balloon: the region freeing loop of balloon_remove(). */
static void fake_free_regions(void)
{
	struct hv_hotadd_state *has, *tmp;
	struct hv_hotadd_gap *gap, *tmp_gap;
	unsigned long flags;

	spin_lock_irqsave(&dm_device.ha_lock, flags);
	list_for_each_entry_safe(has, tmp, &dm_device.ha_region_list, list) {
		list_for_each_entry_safe(gap, tmp_gap, &has->gap_list, list) {
			list_del(&gap->list);
			kfree(gap);
		}
		list_del(&has->list);
		kfree(has);
	}
	spin_unlock_irqrestore(&dm_device.ha_lock, flags);
}

static int __init fake_init(void)
{
	struct hv_hotadd_state *has;
	struct hv_hotadd_gap *gap, *tmp_gap;
	unsigned long flags, added;
	int ret;

	if (covered_start_pfn >= covered_end_pfn) {
		pr_err("need covered_start_pfn < covered_end_pfn (got %#lx, %#lx)\n",
		       covered_start_pfn, covered_end_pfn);
		return -EINVAL;
	}
	if (!ha_start_pfn)
		ha_start_pfn = ALIGN_DOWN(covered_start_pfn, HA_CHUNK);
	if (!ha_end_pfn)
		ha_end_pfn = ALIGN(covered_end_pfn, HA_CHUNK);
	if (ha_start_pfn > covered_start_pfn || covered_end_pfn > ha_end_pfn) {
		pr_err("need ha_start_pfn <= covered_start_pfn < covered_end_pfn <= ha_end_pfn (got %#lx, %#lx, %#lx, %#lx)\n",
		       ha_start_pfn, covered_start_pfn, covered_end_pfn,
		       ha_end_pfn);
		return -EINVAL;
	}

	/*
	 * process_hot_add() with the host's hot-add range already fully
	 * added (hv_mem_hot_add() advanced ha_end_pfn to end_pfn and
	 * covered_end_pfn over the backed pages).
	 */
	has = kzalloc(sizeof(struct hv_hotadd_state), GFP_KERNEL);
	if (!has)
		return -ENOMEM;
	INIT_LIST_HEAD(&has->list);
	INIT_LIST_HEAD(&has->gap_list);
	has->start_pfn = ha_start_pfn;
	has->covered_start_pfn = covered_start_pfn;
	has->covered_end_pfn = covered_end_pfn;
	has->ha_end_pfn = ha_end_pfn;
	has->end_pfn = ha_end_pfn;

	/* pfn_covered(): the gaps. */
	ret = fake_parse_gaps(has, gaps);
	if (ret)
		goto err_free_has;

	/*
	 * hot_add_req(): num_pages_added counts the backed pages
	 * (covered_end_pfn growth, gaps excluded).
	 */
	added = covered_end_pfn - covered_start_pfn;
	list_for_each_entry(gap, &has->gap_list, list) {
		unsigned long s = max(gap->start_pfn, covered_start_pfn);
		unsigned long e = min(gap->end_pfn, covered_end_pfn);

		if (s < e)
			added -= e - s;
	}

	spin_lock_irqsave(&dm_device.ha_lock, flags);
	dm_device.num_pages_added = added;
	dm_device.num_pages_onlined = 0;
	list_add_tail(&has->list, &dm_device.ha_region_list);
	spin_unlock_irqrestore(&dm_device.ha_lock, flags);

	/* hv_balloon_probe(): the memory notifier, then the callback. */
	ret = register_memory_notifier(&fake_memory_nb);
	if (ret)
		goto err_regions;
	ret = set_online_page_callback(&fake_online_page);
	if (ret) {
		pr_err("online_page_callback is owned by another driver (hv_balloon, virtio_mem or xen balloon): %d\n",
		       ret);
		unregister_memory_notifier(&fake_memory_nb);
		ret = -EBUSY;
		goto err_regions;
	}
	pr_info("region [%#lx, %#lx) covered [%#lx, %#lx) gaps \"%s\" buggy=%d overrelease=%d\n",
		has->start_pfn, has->end_pfn, has->covered_start_pfn,
		has->covered_end_pfn, gaps ? gaps : "", buggy, overrelease);
	return 0;

err_regions:
	fake_free_regions();
	return ret;

err_free_has:
	list_for_each_entry_safe(gap, tmp_gap, &has->gap_list, list) {
		list_del(&gap->list);
		kfree(gap);
	}
	kfree(has);
	return ret;
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
	unregister_memory_notifier(&fake_memory_nb);
	pr_info("released %lu held %lu overreleased %lu passthrough %lu callbacks %lu onlined %u\n",
		pages_released, pages_held, pages_overreleased,
		pages_passthrough, callbacks, dm_device.num_pages_onlined);
	fake_free_regions();
}

module_init(fake_init);
module_exit(fake_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memhp test: hv_balloon-like online_page_callback over a DIMM");
