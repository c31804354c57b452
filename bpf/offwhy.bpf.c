// SPDX-License-Identifier: GPL-2.0
/*
 * Why an offline ended, and what a running one is stuck on: the steps of
 * offline_pages() (mm/memory_hotplug.c) seen from the inside, summed into
 * the call's state (struct memhp_offline in the offlines map, keyed by task;
 * online.bpf.c puts it into the offline event on return).
 *
 * Every program here first looks up the task's offline_pages() entry: the
 * functions and tracepoints it watches are also used outside offlining
 * (CMA, compaction, every notifier chain) and must then cost one lookup.
 *
 * Kernel tracepoints where the kernel has one (test_pages_isolated,
 * mm_migrate_pages, notifier_run), tp_btf programs that need no trampoline;
 * functions (start_isolate_page_range, the hugetlb dissolve, dump_page) with
 * fentry/fexit and kprobe twins like the other objects; memory_notify() in
 * notify.bpf.c (chain_enter/chain_exit there).
 */
#include "common.bpf.h"
#include "core_fixes.bpf.h"

/* Offline running longer than this emits OFFLINE_PROGRESS events (0: never). */
const volatile __u64 stuck_after_ns = 0;
/* ... at most one per this interval per offline. */
const volatile __u64 progress_every_ns = 1000000000ULL;
/* Arguments of the mm_migrate_pages tracepoint (core_fixes.bpf.h). */
const volatile int migrate_tp_nargs = 7;

/*
 * An OFFLINE_PROGRESS event when the call has run past the threshold and
 * the last one is older than progress_every_ns. Called from the steps that
 * repeat while offline_pages() loops (migration passes, the reports of a
 * stuck page, the isolation test), so a stuck offline keeps reporting.
 */
static __always_inline void maybe_progress(struct memhp_offline *en)
{
	struct memhp_event *e;
	__u64 now;

	if (!stuck_after_ns)
		return;
	now = bpf_ktime_get_ns();
	if (now - en->ts < stuck_after_ns || now - en->why.last_progress < progress_every_ns)
		return;
	en->why.last_progress = now;
	e = event_new(MEMHP_EV_OFFLINE_PROGRESS);
	if (!e)
		return;
	e->start_pfn = en->start_pfn;
	e->nr_pages = en->nr_pages;
	event_duration(e, en->ts);
	memhp_event_set_why(e, &en->why);
	event_submit(e);
}

/* ---- start_isolate_page_range() ------------------------------------------ */

/*
 * A step of offline_pages() that runs once and returns a code (isolation,
 * the hugetlb dissolve): its entry sets the phase, its return keeps the
 * code. offline_pages() isolates once; a later call of the same step on
 * the same task (none known) must not overwrite the answer: @once.
 */
static __always_inline void step_enter(unsigned int phase)
{
	struct memhp_offline *en = offline_of();

	if (en)
		en->why.phase = phase;
}

static __always_inline struct memhp_offwhy *step_exit(unsigned int seen, bool once)
{
	struct memhp_offline *en = offline_of();

	if (!en || (once && (en->why.seen & seen)))
		return NULL;
	en->why.seen |= seen;
	return &en->why;
}

static __always_inline void isolate_exit(long ret)
{
	struct memhp_offwhy *w = step_exit(MEMHP_SEEN_ISOLATE, true);

	if (w)
		w->isolate_ret = (int)ret;
}

static __always_inline void dissolve_exit(long ret)
{
	struct memhp_offwhy *w = step_exit(MEMHP_SEEN_DISSOLVE, false);

	if (w)
		w->dissolve_ret = (int)ret;
}

SEC("fentry/start_isolate_page_range")
int BPF_PROG(fentry_isolate)
{
	step_enter(MEMHP_PHASE_ISOLATE);
	return 0;
}

/* (start_pfn, end_pfn, migratetype, flags, gfp_flags) in 6.1 and 6.12 */
SEC("fexit/start_isolate_page_range")
int BPF_PROG(fexit_isolate, __u64 a0, __u64 a1, int a2, int a3, __u32 a4, int ret)
{
	isolate_exit(ret);
	return 0;
}

SEC("kprobe/start_isolate_page_range")
int BPF_KPROBE(kprobe_isolate)
{
	step_enter(MEMHP_PHASE_ISOLATE);
	return 0;
}

SEC("kretprobe/start_isolate_page_range")
int BPF_KRETPROBE(kretprobe_isolate, long ret)
{
	isolate_exit(ret);
	return 0;
}

/* ---- memory_notify(MEM_GOING_OFFLINE) and its callbacks -------------------- */

/*
 * The chain itself (phase NOTIFY, its return code) is seen by notify.bpf.c's
 * memory_notify() programs, which look up this same entry anyway: one
 * program per function and event instead of two (issue #14).
 */
/*
 * notifier_call_chain() fires notifier_run before each callback (6.2+,
 * core_fixes.bpf.h): inside the GOING_OFFLINE chain the last one is the
 * callback that stopped it when the chain failed. Callbacks run in the
 * caller's task, so the task's entry says which chain this is.
 */
SEC("tp_btf/notifier_run")
int BPF_PROG(tp_notifier_run, void *cb)
{
	struct memhp_offline *en = offline_of();

	if (!en || !en->why.in_chain)
		return 0;
	name_vetoer(&en->why, as_scalar((__u64)cb));
	return 0;
}

/*
 * Before 6.2 the callback comes from probes on the chain's callbacks
 * themselves: bpf/chainwatch.bpf.c (an object of its own, reloaded when
 * modules come and go, as the chain changes with them).
 */

/* ---- migration passes ------------------------------------------------------ */

/*
 * mm_migrate_pages(succeeded, failed, thp_succeeded, thp_failed, thp_split,
 * [large_folio_split,] mode, reason) at the end of every migrate_pages():
 * the reason is the last argument (core_fixes.bpf.h: migrate_tp_nargs).
 */
SEC("tp_btf/mm_migrate_pages")
int BPF_PROG(tp_migrate)
{
	__u64 ok, failed, reason;
	struct memhp_offline *en;

	/*
	 * The verifier wants every context load at a constant offset from the
	 * context register; written in C, the two loads below become one
	 * load from a computed address. The branch not taken is dead code
	 * for the verifier (migrate_tp_nargs is read-only data).
	 */
	if (migrate_tp_nargs == 8)
		asm volatile("%0 = *(u64 *)(%1 + 56)" : "=r"(reason) : "r"(ctx));
	else
		asm volatile("%0 = *(u64 *)(%1 + 48)" : "=r"(reason) : "r"(ctx));
	ok = ctx[0];
	failed = ctx[1];
	if ((int)reason != bpf_core_enum_value(enum migrate_reason, MR_MEMORY_HOTPLUG))
		return 0;
	en = offline_of();
	if (!en)
		return 0;
	en->why.phase = MEMHP_PHASE_MIGRATE;
	en->why.seen |= MEMHP_SEEN_MIGRATE;
	en->why.passes++;
	en->why.migrated += ok;
	en->why.failed += failed;
	maybe_progress(en);
	return 0;
}

/* ---- the page the kernel reports stuck ------------------------------------- */

/*
 * struct page * -> pfn (x86_64 SPARSEMEM_VMEMMAP: the memmap is one array at
 * vmemmap_base, randomised with KASLR; the fixed base without it).
 */
extern const void vmemmap_base __ksym __weak;
#define VMEMMAP_START_NOKASLR 0xffffea0000000000ULL

static __always_inline __u64 page_pfn(__u64 page)
{
	__u64 base = VMEMMAP_START_NOKASLR;

	if (&vmemmap_base)
		bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	if (page < base)
		return (__u64)-1;
	return (page - base) / bpf_core_type_size(struct page);
}

/*
 * dump_page() is how offline_pages() names a page it cannot handle: "unmovable
 * page" (has_unmovable_pages(), isolation failed), "isolation failed" and
 * "migration failure" (do_migrate_range(), ratelimited: 10 per 5 s). The
 * last one is what a looping offline is stuck on.
 */
static __always_inline void page_reported(__u64 page, const char *why)
{
	struct memhp_offline *en = offline_of();

	if (!en)
		return;
	en->why.blocker_pfn = page_pfn(page);
	en->why.seen |= MEMHP_SEEN_BLOCKER;
	bpf_probe_read_kernel_str(en->why.blocker_why, sizeof(en->why.blocker_why), why);
	maybe_progress(en);
}

SEC("fentry/dump_page")
int BPF_PROG(fentry_dump_page, struct page *page, const char *why)
{
	page_reported(FUNC_ARG(0, page), why);
	return 0;
}

SEC("kprobe/dump_page")
int BPF_KPROBE(kprobe_dump_page, struct page *page, const char *why)
{
	page_reported((__u64)page, why);
	return 0;
}

/* ---- dissolving free hugetlb pages ----------------------------------------- */

/*
 * (start_pfn, end_pfn) -> int under either name; the section names the
 * newer one (the loader aims the programs at the kernel's, probes.c).
 */
SEC("fentry/dissolve_free_hugetlb_folios")
int BPF_PROG(fentry_dissolve)
{
	step_enter(MEMHP_PHASE_DISSOLVE);
	return 0;
}

SEC("fexit/dissolve_free_hugetlb_folios")
int BPF_PROG(fexit_dissolve, __u64 start_pfn, __u64 end_pfn, int ret)
{
	dissolve_exit(ret);
	return 0;
}

SEC("kprobe/dissolve_free_hugetlb_folios")
int BPF_KPROBE(kprobe_dissolve)
{
	step_enter(MEMHP_PHASE_DISSOLVE);
	return 0;
}

SEC("kretprobe/dissolve_free_hugetlb_folios")
int BPF_KRETPROBE(kretprobe_dissolve, long ret)
{
	dissolve_exit(ret);
	return 0;
}

/* ---- the final check -------------------------------------------------------- */

/*
 * test_pages_isolated(start_pfn, end_pfn, fin_pfn): fin_pfn is the first pfn
 * not isolated, end_pfn when all are. offline_pages() repeats the whole loop
 * while it fails, so a failing test is the page it is waiting for.
 */
SEC("tp_btf/test_pages_isolated")
int BPF_PROG(tp_test_isolated, unsigned long start_pfn, unsigned long end_pfn,
	     unsigned long fin_pfn)
{
	struct memhp_offline *en = offline_of();

	if (!en)
		return 0;
	en->why.phase = MEMHP_PHASE_TEST;
	en->why.seen |= MEMHP_SEEN_TEST;
	if (fin_pfn < end_pfn) {
		en->why.blocker_pfn = fin_pfn;
		en->why.seen |= MEMHP_SEEN_BLOCKER;
		__builtin_memcpy(en->why.blocker_why, "not isolated", sizeof("not isolated"));
	}
	maybe_progress(en);
	return 0;
}
