/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memhp BPF <-> userspace ABI: the events the BPF programs put into the ring
 * buffer. Shared by the BPF programs (bpf/) and user/. Units are pages (the kernel's
 * PAGE_SIZE); userspace converts to bytes.
 *
 * Versioning: every event starts with struct memhp_event_hdr; abi is
 * MEMHP_ABI_VERSION of the writer. Readers reject events with a newer major
 * ABI and events shorter than they need (see user/lib/decode.c). Fields are
 * only ever appended, with hdr.size telling a reader which ones a record
 * has: a reader zero-fills the fields a shorter record lacks, and ignores
 * the bytes a longer one has past what it knows. The major number changes
 * only when a field changes meaning or place.
 */
#ifndef MEMHP_H
#define MEMHP_H

#define MEMHP_ABI_VERSION 1
#define MEMHP_COMM_LEN 16
#define MEMHP_ZONE_NAME_LEN 16
#define MEMHP_RES_NAME_LEN 32

/* Event kinds. Values are ABI: append only. */
enum memhp_event_kind {
	MEMHP_EV_ONLINE = 1,	    /* online_pages() returned */
	MEMHP_EV_OFFLINE = 2,	    /* offline_pages() returned */
	MEMHP_EV_ADD = 3,	    /* add_memory_resource() returned */
	MEMHP_EV_REMOVE = 4,	    /* try_remove_memory()/remove_memory() returned */
	MEMHP_EV_GROUP_REGISTER = 5,   /* memory_group_register_{static,dynamic} */
	MEMHP_EV_GROUP_UNREGISTER = 6, /* memory_group_unregister() */
	MEMHP_EV_NOTIFY = 7,	    /* memory_notify() chain called */
	MEMHP_EV_REQUEST = 8,	    /* memory_subsys_online/offline: who asked */
	MEMHP_EV_COVERAGE = 9,	    /* online_pages() in a balloon driver's region */
	MEMHP_EV_OFFLINE_PROGRESS = 10, /* offline_pages() still running past --stuck-after */
	MEMHP_EV_KIND_MAX,
};

/* memory_notify() actions, normalised (kernel values differ by version). */
enum memhp_notify_action {
	MEMHP_NOTIFY_UNKNOWN = 0,
	MEMHP_NOTIFY_GOING_ONLINE = 1,
	MEMHP_NOTIFY_ONLINE = 2,
	MEMHP_NOTIFY_CANCEL_ONLINE = 3,
	MEMHP_NOTIFY_GOING_OFFLINE = 4,
	MEMHP_NOTIFY_OFFLINE = 5,
	MEMHP_NOTIFY_CANCEL_OFFLINE = 6,
	MEMHP_NOTIFY_PREPARE_ONLINE = 7,
	MEMHP_NOTIFY_FINISH_OFFLINE = 8,
};

/* struct memhp_event.flags */
#define MEMHP_F_GROUP	      (1u << 0) /* the operation named a memory group */
#define MEMHP_F_GROUP_DYNAMIC (1u << 1) /* ... and it is dynamic */
#define MEMHP_F_GROUP_ID      (1u << 2) /* group_id is known (seen registered/used) */
#define MEMHP_F_ZONE	      (1u << 3) /* nid/zone_idx/zone_name are valid */
#define MEMHP_F_DURATION      (1u << 4) /* duration_ns is valid */
#define MEMHP_F_KPROBE	      (1u << 5) /* captured by the kprobe fallback */
#define MEMHP_F_REQ_OFFLINE   (1u << 6) /* REQUEST event: an offline request */
#define MEMHP_F_RELEASED      (1u << 7) /* ONLINE: released_pages is valid */
#define MEMHP_F_WHY	      (1u << 8) /* OFFLINE*: the why fields are valid */
#define MEMHP_F_TIMER	      (1u << 9) /* OFFLINE_PROGRESS made by memhp's timer: no
					 * repeating step of the call ran lately */

/*
 * OFFLINE, OFFLINE_PROGRESS: the last step of offline_pages() memhp saw
 * begin (mm/memory_hotplug.c, in the kernel's order). Values are ABI.
 */
enum memhp_offline_phase {
	MEMHP_PHASE_NONE = 0,	  /* nothing seen past the entry */
	MEMHP_PHASE_HOLES = 1,	  /* hole and zone checks */
	MEMHP_PHASE_ISOLATE = 2,  /* start_isolate_page_range() */
	MEMHP_PHASE_NOTIFY = 3,	  /* the MEM_GOING_OFFLINE notifier chain */
	MEMHP_PHASE_MIGRATE = 4,  /* scan and migrate movable pages */
	MEMHP_PHASE_DISSOLVE = 5, /* dissolve free hugetlb pages */
	MEMHP_PHASE_TEST = 6,	  /* test_pages_isolated() */
};

/* struct memhp_event.why_seen: which steps were observed (and so which
 * *_ret fields are valid). */
#define MEMHP_SEEN_ISOLATE  (1u << 0)
#define MEMHP_SEEN_NOTIFY   (1u << 1)
#define MEMHP_SEEN_MIGRATE  (1u << 2)
#define MEMHP_SEEN_DISSOLVE (1u << 3)
#define MEMHP_SEEN_TEST	    (1u << 4)
#define MEMHP_SEEN_BLOCKER  (1u << 5) /* blocker_pfn is valid */
#define MEMHP_SEEN_NOTIFIER (1u << 6) /* notifier_cb is valid */
#define MEMHP_BLOCKER_WHY_LEN 24

/* Online types as in the kernel (MMOP_*), stable across versions. */
#define MEMHP_MMOP_OFFLINE	  0
#define MEMHP_MMOP_ONLINE	  1
#define MEMHP_MMOP_ONLINE_KERNEL  2
#define MEMHP_MMOP_ONLINE_MOVABLE 3

struct memhp_event_hdr {
	unsigned short abi;  /* MEMHP_ABI_VERSION */
	unsigned short kind; /* enum memhp_event_kind */
	unsigned int size;   /* sizeof the whole event */
};

struct memhp_event {
	struct memhp_event_hdr hdr;
	unsigned long long ts_ns;	/* bpf_ktime_get_ns() at return */
	unsigned long long duration_ns; /* entry to return, MEMHP_F_DURATION */
	unsigned int cpu;
	unsigned int pid; /* tgid of the caller */
	int ret;	  /* return code (0 or -errno) */
	unsigned int flags;
	char comm[MEMHP_COMM_LEN];

	unsigned long long start_pfn;
	unsigned long long nr_pages;

	int nid;      /* node of the zone / add / group; -1 unknown */
	int zone_idx; /* index in pgdat->node_zones; -1 unknown */
	char zone_name[MEMHP_ZONE_NAME_LEN];

	int group_id;		/* -1: unknown or none (see flags) */
	int group_nid;		/* group's node, -1 unknown */
	unsigned long long group_pages; /* max_pages (static) or unit_pages (dynamic) */
	unsigned long long group_kernel_pages;  /* present_kernel_pages after the op */
	unsigned long long group_movable_pages; /* present_movable_pages after the op */
	unsigned long long group_key;	/* opaque identity of the group object */

	unsigned int online_type;   /* REQUEST: MMOP_* requested; ONLINE: -1 */
	unsigned int notify_action; /* NOTIFY: enum memhp_notify_action */
	unsigned int mhp_flags;	    /* ADD: mhp_t flags */
	int status_nid;		    /* NOTIFY: status_change_nid, -1 none */
	char res_name[MEMHP_RES_NAME_LEN]; /* ADD: resource name ("System RAM (virtio_mem)") */

	/* ONLINE: what the online-page callback did with the pages. */
	unsigned long long released_pages; /* freed to the buddy (generic_online_page) */
	unsigned long long release_calls;  /* generic_online_page() calls */
	unsigned long long callback;	   /* online_page_callback (kernel address) */

	/* COVERAGE: what the driver says is backed in [start_pfn, +nr_pages),
	 * and what its online-page callback did with it. */
	unsigned long long backed_pages;       /* backed (driver's view) */
	unsigned long long released_backed;    /* backed and freed to the buddy */
	unsigned long long released_uncovered; /* freed but NOT backed: critical */
	unsigned long long region_start_pfn;   /* the driver's hot-add region */
	unsigned long long region_end_pfn;

	/* REQUEST: pages at the start of the block that hold its own memmap
	 * (memmap_on_memory); online_pages() then covers only the rest. */
	unsigned long long vmemmap_pages;

	/* ---- 256 bytes up to here: records written before the why fields
	 * have hdr.size 256 (MEMHP_EVENT_SIZE_V1) ---- */

	/* OFFLINE, OFFLINE_PROGRESS (MEMHP_F_WHY): how far offline_pages() got
	 * and what stood in the way (user/lib/offwhy.c names the reason). */
	unsigned int phase;	   /* enum memhp_offline_phase */
	unsigned int why_seen;	   /* MEMHP_SEEN_* */
	int isolate_ret;	   /* start_isolate_page_range() */
	int notify_ret;		   /* memory_notify(MEM_GOING_OFFLINE): NOTIFY_* */
	int dissolve_ret;	   /* dissolve_free_huge_pages() / _hugetlb_folios() */
	unsigned int migrate_passes; /* migrate_pages() calls (MR_MEMORY_HOTPLUG) */
	unsigned long long pages_migrated;
	unsigned long long pages_failed; /* summed over passes: a page can fail in each */
	unsigned long long blocker_pfn;	 /* the last page the kernel reported stuck */
	unsigned long long notifier_cb;	 /* the last callback the GOING_OFFLINE chain ran */
	char blocker_why[MEMHP_BLOCKER_WHY_LEN]; /* "unmovable page", "migration failure", ... */
	/* Written by memhp's userspace when it reads the event from the ring
	 * buffer (0 there): enum kpage_kind + 1 (user/lib/kpage.h, values
	 * append only) of blocker_pfn at that moment, 0 unknown. memhp record
	 * stores the value live output showed, so a replay names the same
	 * kind; files written before it was stored hold 0 (unknown). */
	unsigned int blocker_kind;
	unsigned int pad0;
};

#define MEMHP_EVENT_SIZE_V1 256

/*
 * Per-CPU values of the "balloons" map, keyed by struct balloon_dev_info *
 * (bpf/balloon.bpf.c): the kernel's BALLOON_* vmstat events per device.
 */
struct memhp_balloon_stats {
	unsigned long long inflated;
	unsigned long long deflated;
	unsigned long long migrated;
	unsigned long long migrate_failed;
	unsigned long long migratepage; /* b_dev_info->migratepage: names the driver */
};

/* Per-CPU counters in the "stats" map (index = enum memhp_stat). */
enum memhp_stat {
	MEMHP_STAT_LOST = 0,	   /* ring buffer reservation failed */
	MEMHP_STAT_EVENTS = 1,	   /* events submitted */
	MEMHP_STAT_MISSED_ENTRY = 2, /* return seen without its entry (kretprobe) */
	/* a memory_notify() whose exit program the kernel skipped, found when
	 * the enclosing online/offline_pages() returned (its NOTIFY event lost) */
	MEMHP_STAT_NOTIFY_SKIPPED = 3,
	MEMHP_STAT_MAX = 8,
};

/*
 * Keys of the "entries" hash map (function entry state, bpf/common.bpf.h).
 * Userspace sweeps it: an entry whose thread has exited belongs to a call
 * whose exit probe never ran. The kernel does that on purpose: whenever a
 * trampoline is rebuilt (any BPF tool attaching to or detaching from the
 * same function) it patches the old image so that calls still in flight
 * skip their fexit programs (kernel/bpf/trampoline.c, bpf_tramp_image_put).
 */
struct memhp_entry_key {
	unsigned long long pid_tgid;
	unsigned long long site; /* enum memhp_site */
};

/*
 * Values of the "entries" map: a call's state from its entry probe to its
 * exit probe, for every site but offline_pages() (struct memhp_offline in
 * the "offlines" map). Kept small: the entry probe writes all of it into
 * the map and the exit probe reads it in place (issue #14: the 280-byte
 * value with the offline state in it cost every entry probe a copy).
 */
struct memhp_entry {
	unsigned long long ts; /* ktime at entry */
	unsigned long long args[5];
	union {
		struct { /* online_pages */
			unsigned long long released; /* pages the online-page callback freed */
			unsigned long long calls;    /* ... in this many generic_online_page() calls */
			unsigned long long notify_ts; /* its memory_notify() in progress began */
		} on;
		char name[MEMHP_RES_NAME_LEN]; /* add_memory_resource: res->name at entry */
	};
};

/* offline_pages(): what bpf/offwhy.bpf.c saw during the call. */
struct memhp_offwhy {
	unsigned int phase; /* enum memhp_offline_phase */
	unsigned int seen;  /* MEMHP_SEEN_* */
	int isolate_ret, notify_ret, dissolve_ret;
	unsigned int passes;
	unsigned long long migrated, failed;
	unsigned long long blocker_pfn, notifier_cb;
	char blocker_why[MEMHP_BLOCKER_WHY_LEN];
	unsigned int in_chain;		 /* inside memory_notify(MEM_GOING_OFFLINE) */
	unsigned long long last_progress; /* ktime of the last OFFLINE_PROGRESS event */
	/* before 6.2 (offwhy.bpf.c chain_cb_enter): the callback after the
	 * one running, read from the live chain at its entry */
	unsigned long long chain_next;
};

/*
 * Values of the "offlines" map (keys as "entries", site SITE_OFFLINE_PAGES):
 * an offline_pages() call in flight. Userspace reads them to report an
 * offline stuck inside one step (user/live/offstall_scan.c).
 */
struct memhp_offline {
	unsigned long long ts; /* ktime at entry */
	unsigned long long start_pfn, nr_pages;
	unsigned long long args[2]; /* kprobe fallback: the 3rd and 4th arguments
				     * (a kretprobe cannot see them) */
	unsigned long long notify_ts; /* its memory_notify() in progress began */
	struct memhp_offwhy why;
};

/*
 * The memory notifier chain's callbacks, in call order, as offwhy.bpf.c's
 * chain_walk reads them (kernels without the notifier_run tracepoint): the
 * loader watches each one's entry (user/live/loader.c, attach_chain_cbs()).
 */
#define MEMHP_CHAIN_MAX 32
struct memhp_chain {
	unsigned int n, pad;
	unsigned long long cb[MEMHP_CHAIN_MAX];
};

enum memhp_site {
	SITE_ONLINE_PAGES = 1,
	SITE_OFFLINE_PAGES,
	SITE_ADD_MEMORY,
	SITE_REMOVE_MEMORY,
	SITE_GROUP_STATIC,
	SITE_GROUP_DYNAMIC,
	SITE_GROUP_UNREGISTER,
	SITE_GROUP_FIND,
	SITE_SUBSYS_ONLINE,
	SITE_SUBSYS_OFFLINE,
	SITE_NOTIFY,
	SITE_B_LIST_ENQ = 100,
	SITE_B_LIST_DEQ,
	SITE_B_MIGRATE,
};

/*
 * The why fields of an OFFLINE or OFFLINE_PROGRESS event from a call's
 * offwhy state: the BPF programs (bpf/common.bpf.h, on return and on
 * progress) and userspace's stall timer (user/lib/offstall.c, an offline
 * stuck where no probe runs) fill them the same way.
 */
static inline __attribute__((always_inline)) void
memhp_event_set_why(struct memhp_event *e, const struct memhp_offwhy *w)
{
	e->flags |= MEMHP_F_WHY;
	e->phase = w->phase;
	e->why_seen = w->seen;
	e->isolate_ret = w->isolate_ret;
	e->notify_ret = w->notify_ret;
	e->dissolve_ret = w->dissolve_ret;
	e->migrate_passes = w->passes;
	e->pages_migrated = w->migrated;
	e->pages_failed = w->failed;
	e->blocker_pfn = w->blocker_pfn;
	e->notifier_cb = w->notifier_cb;
	__builtin_memcpy(e->blocker_why, w->blocker_why, sizeof(e->blocker_why));
	e->blocker_why[sizeof(e->blocker_why) - 1] = '\0';
}

#endif /* MEMHP_H */
