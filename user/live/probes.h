/* SPDX-License-Identifier: GPL-2.0 */
/* The loader's probe tables (probes.c), for the loader and tools/compat.c. */
#ifndef MEMHP_PROBES_H
#define MEMHP_PROBES_H

#include <stdbool.h>
#include <stddef.h>

#include <bpf/libbpf.h>

#include "loader.h"

struct probe_def {
	const char *name;
	const char *targets[3];	    /* candidates, first present wins */
	const char *fentry, *fexit; /* program names, NULL if none */
	const char *kprobe, *kretprobe;
	bool required;
	/* fexit programs per prototype, indexed by the ABI number of abi_of */
	const char *fexit_abi[3];
	enum { ABI_NONE, ABI_ONLINE, ABI_OFFLINE, ABI_REMOVE, ABI_MIGRATE } abi_of;
	/* the release that added the target: on older kernels its absence is
	 * expected, not a probe missing (NULL: every kernel memhp supports) */
	const char *since;
	/* targets are tracepoints (tp_btf programs in the fentry slot: no
	 * trampoline, so they attach whatever --attach says) */
	bool tracepoint;
	/* runs for every 4 KiB page where the kernel's own counters give the
	 * same numbers: planned only with loader_opts.balloon_pages */
	bool per_page;
	/* the memory notifier chain's callbacks (kernels without the
	 * notifier_run tracepoint): kprobe and kretprobe go on each callback
	 * (CHAIN_BP_PROG on a breakpoint where kprobes cannot), after the
	 * object's CHAIN_WALK_PROG read the chain (loader.c attach_chain_cbs()) */
	bool chain_cbs;
};

struct obj_ops {
	const char *name;
	const struct probe_def *probes;
	void *(*open)(const struct bpf_object_open_opts *opts);
	struct bpf_object *(*obj)(void *skel);
	void (*set_rodata)(void *skel, const struct loader_kconf *k);
	void (*destroy)(void *skel);
	bool module_state; /* reads module symbols: reload when modules change */
};

/* online, memadd, notify, balloon, offwhy, then the module-state objects
 * (reloaded with the modules): cover, chainwatch */
#define NR_OBJECTS 7
extern const struct obj_ops probe_objects[NR_OBJECTS];

/* Probe @idx of all objects' tables in order (NULL past the end), and its object. */
const struct probe_def *probe_at(size_t idx, const struct obj_ops **ops);
/* A chain_cbs probe's other programs (autoloaded with it): the one run once
 * to read the chain, the one on breakpoints at notrace callbacks. */
#define CHAIN_WALK_PROG "chain_walk"
#define CHAIN_BP_PROG "bp_chain_cb"
/* A chain_cbs probe on a kernel whose notifier_run tracepoint does its job. */
bool probe_superseded(const struct btf *btf, const struct probe_def *p);
/* The first of the probe's candidate functions @btf has, or NULL. */
const char *resolve_target(const struct btf *btf, const struct probe_def *p);
/* The fexit program for this kernel's prototype of the probe's target. */
const char *fexit_for(const struct probe_def *p, const struct loader_kconf *k);
/* A --require list (checked by loader_require_check()) as ",a,b,": all and
 * core expanded; NULL without memory. */
char *probes_require_expand(const char *list);

#endif
