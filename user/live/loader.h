/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one loader: opens the BPF objects, picks fentry/fexit or the
 * kprobe/kretprobe fallback, disables programs whose target is absent,
 * attaches, and says precisely what is attached and why anything is not.
 */
#ifndef MEMHP_LOADER_H
#define MEMHP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libbpf_log.h"

enum loader_mode { LOADER_AUTO, LOADER_FENTRY, LOADER_KPROBE };

struct memhp_event;
struct btf;
struct bpf_object_open_opts;

/* "auto", "fentry", "kprobe" (the --attach values); 0, or -1 if unknown. */
int loader_mode_parse(const char *arg, enum loader_mode *out);
#define LOADER_MODE_HELP "auto (default), fentry or kprobe"
typedef int (*loader_event_fn)(void *ctx, const void *data, size_t size);

struct loader_opts {
	enum loader_mode mode;
	bool verbose;	       /* libbpf debug output */
	uint64_t block_size;   /* bytes, from sysfs */
	uint32_t ringbuf_bytes; /* ring buffer size (power of 2 >= page size), 0: default */
	uint64_t stuck_after_ns; /* offline progress events after this long, 0: none */
	loader_event_fn on_event;
	void *ctx;
	/* probes that must attach (a --require list, checked by
	 * loader_require_check()), NULL: only online/offline_pages */
	const char *require;
	/* the per-page balloon programs too (probe_def.per_page; --balloon-pages) */
	bool balloon_pages;
	/* the chain_cbs probe too (--watch-notifiers; kernels before 6.2) */
	bool watch_notifiers;
};

/*
 * A --require list: comma-separated probe names as the attach report prints
 * them, "core" (LOADER_CORE_PROBES) or "all". 0, or -1 with the first
 * unknown name in @bad.
 */
#define LOADER_CORE_PROBES                                                      \
	"online_pages,offline_pages,memory_subsys_online,memory_subsys_offline,"  \
	"memory_notify,add_memory,remove_memory"
int loader_require_check(const char *list, char *bad, size_t badlen);
/* Every probe name, ", "-separated (for "unknown probe" messages). */
void loader_known_probes(char *buf, size_t len);

#define LOADER_MAX_PROBES 32
#define LOADER_WHY_LEN 200

struct probe_status {
	const char *name;   /* what it observes, e.g. "online_pages" */
	char target[64];    /* the kernel function it attached to */
	const char *how;    /* "fexit", "kretprobe", or "-" */
	bool attached;
	bool required;
	bool not_needed; /* its target is newer than this kernel (probes.c since) */
	char why[LOADER_WHY_LEN]; /* when not attached */
};

struct memhp_loader;

/*
 * 0 on success (at least every required probe attached); on failure
 * returns the exit status to use (2: the kernel forbids tracing or lacks
 * what memhp needs) with a one-paragraph explanation in err.
 */
int loader_open(struct memhp_loader **out, const struct loader_opts *o,
		char *err, size_t errlen);
/*
 * Reloads the objects that read module state when the set of loaded modules
 * changed (a driver came or went). Returns how many were reloaded.
 */
int loader_refresh(struct memhp_loader *l);
/*
 * How late an event can be seen: the BPF side does not wake the reader.
 * LOADER_POLL_MS while events come; after LOADER_IDLE_AFTER_MS without any,
 * LOADER_IDLE_POLL_MS for the first event of the next burst: an idle
 * tracer's wakeups were most of its CPU time (bench/idle.py).
 */
#define LOADER_POLL_MS 100
#define LOADER_IDLE_POLL_MS 500
#define LOADER_IDLE_AFTER_MS 2000
/*
 * Polls the ring buffer: returns events consumed (as soon as some were seen,
 * at most LOADER_POLL_MS after they came, LOADER_IDLE_POLL_MS when idle),
 * 0 after @timeout_ms without any (-1: wait for events), or -errno.
 */
int loader_poll(struct memhp_loader *l, int timeout_ms);
/* Sum over CPUs of a stats counter (enum memhp_stat). */
uint64_t loader_stat(struct memhp_loader *l, unsigned int idx);
/* fd of a map of any loaded object ("balloons"), or -ENOENT. */
int loader_map_fd(struct memhp_loader *l, const char *name);
/*
 * Per loaded program: runs and run time as the kernel counts them (only
 * while sysctl kernel.bpf_stats_enabled=1), one line each on @f.
 */
void loader_prog_stats(struct memhp_loader *l, FILE *f);
int loader_ncpus(struct memhp_loader *l);
/* loader_opts.balloon_pages: the per-page balloon programs were planned. */
bool loader_balloon_pages(struct memhp_loader *l);
size_t loader_probes(struct memhp_loader *l, const struct probe_status **st);
void loader_report(struct memhp_loader *l, FILE *f);
/* The probes of the objects loader_refresh() reloads. */
void loader_report_changed(struct memhp_loader *l, FILE *f);
/* The probes not attached (but for those newer than this kernel),
 * ", "-separated in @buf; how many. */
size_t loader_missing(struct memhp_loader *l, char *buf, size_t len);
void loader_close(struct memhp_loader *l);


/*
 * What the loader knows about a kernel, from its BTF: which prototype
 * each probed function has (the fexit program and rodata to use).
 */
struct loader_kconf {
	int online_abi, offline_abi, remove_abi, migrate_abi;
	bool has_release; /* generic_online_page() can be probed */
	uint64_t block_bytes; /* memory block size, 0: the BPF default */
	int migrate_tp_nargs; /* arguments of the mm_migrate_pages tracepoint */
	uint64_t stuck_after_ns; /* OFFLINE_PROGRESS after this long, 0: never */
	uint64_t ring_wake_bytes; /* wake the reader at this much data, 0: default */
	/* fentry/fexit read pointer arguments by probe reads, not by the
	 * inlined bpf_get_func_arg(): tools/compat.c verifies their bodies as
	 * kprobe programs, which may not call it */
	bool no_func_arg;
};
void loader_kconf_from_btf(const struct btf *btf, struct loader_kconf *k);

/*
 * The probe tables, for tools that check every probe against other
 * kernels (tools/compat.c): the probe @idx (0 ... loader_nr_probes() - 1),
 * its object and the target present in @btf (NULL: absent, not claimed).
 */
size_t loader_nr_probes(void);
const char *loader_probe_name(size_t idx);
const char *loader_probe_object(size_t idx);
const char *loader_probe_target(size_t idx, const struct btf *btf);
/* The probe's object reads module state (driver structs, see cover.bpf.c). */
bool loader_probe_module_state(size_t idx);

/*
 * A trial: probe @idx's object opened with @opts (btf_custom_path: the
 * kernel to relocate against), rodata set for @k, only the programs of
 * that probe enabled, fentry/fexit or kprobe/kretprobe ones. NULL with
 * errno if the object cannot be opened or has no such programs (ENOENT).
 */
struct loader_trial;
struct loader_trial *loader_trial_open(size_t idx, bool kprobe, const struct loader_kconf *k,
				       const struct bpf_object_open_opts *opts);
struct bpf_object *loader_trial_obj(struct loader_trial *t);
void loader_trial_close(struct loader_trial *t);

#endif
