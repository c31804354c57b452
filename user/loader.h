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

enum loader_mode { LOADER_AUTO, LOADER_FENTRY, LOADER_KPROBE };

struct memhp_event;

/* "auto", "fentry", "kprobe" (the --attach values); 0, or -1 if unknown. */
int loader_mode_parse(const char *arg, enum loader_mode *out);
#define LOADER_MODE_HELP "auto (default), fentry or kprobe"
typedef int (*loader_event_fn)(void *ctx, const void *data, size_t size);

struct loader_opts {
	enum loader_mode mode;
	bool verbose;	       /* libbpf debug output */
	uint64_t block_size;   /* bytes, from sysfs */
	uint32_t ringbuf_bytes; /* ring buffer size (power of 2 >= page size), 0: default */
	loader_event_fn on_event;
	void *ctx;
};

#define LOADER_MAX_PROBES 24

struct probe_status {
	const char *name;   /* what it observes, e.g. "online_pages" */
	char target[64];    /* the kernel function it attached to */
	const char *how;    /* "fexit", "kretprobe", or "-" */
	bool attached;
	bool required;
	char why[160];	    /* when not attached */
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
/* How late an event can be seen: the BPF side does not wake the reader. */
#define LOADER_POLL_MS 100
/*
 * Polls the ring buffer: returns events consumed (as soon as some were seen,
 * at most LOADER_POLL_MS after they came), 0 after @timeout_ms without any
 * (-1: wait for events), or -errno.
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
size_t loader_probes(struct memhp_loader *l, const struct probe_status **st);
void loader_report(struct memhp_loader *l, FILE *f);
/* The probes of the objects loader_refresh() reloads. */
void loader_report_changed(struct memhp_loader *l, FILE *f);
void loader_close(struct memhp_loader *l);

#endif
