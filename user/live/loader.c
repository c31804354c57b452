// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and attaching memhp's BPF objects (see loader.h).
 *
 * Each object (online, memadd, notify, balloon, cover) is loaded with the
 * fentry/fexit programs of all its probes first. Only when that fails does
 * the loader find out which probe's programs fail (the program libbpf names,
 * or trial loads one probe at a time), falls back for that probe alone to
 * its kprobe/kretprobe twins (auto mode), or gives up on that probe, and
 * loads the object again with every probe that can load: one program that
 * a kernel rejects (a CO-RE relocation its layout breaks) costs its probe,
 * never its neighbours. An object may so mix fentry and kprobe programs.
 * When the kernel refuses trampolines altogether (EPERM/ENOTSUPP without a
 * verifier log: ftrace blocked, lockdown), every later fentry load would
 * fail the same: the loader switches to kprobes for all at once.
 * The first object that loads owns the shared maps (ring buffer, stats,
 * group ids, entry state); the others reuse their fds.
 */
#include <errno.h>
#include <malloc.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libbpf_log.h"
#include "loader.h"
#include "probes.h"
#include "memhp.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, not in userspace errno.h */
#endif

/*
 * About 35 program links, plus with --watch-notifiers up to two per kprobed
 * notifier callback and one per CPU for each of the (at most four per CPU on
 * x86) breakpoints: room for 230 CPUs; past that a breakpoint fails with
 * E2BIG and its callback is reported unwatched.
 */
#define MAX_LINKS 1024

static const char *shared_maps[] = { "events", "stats", "group_ids",
				     "group_ptrs", "entries", "offlines" };

struct memhp_loader {
	struct loader_opts o; /* a copy: the caller's may not outlive loader_open() */
	void *skel[NR_OBJECTS];
	size_t first_link[NR_OBJECTS]; /* links of object i start here... */
	struct loader_kconf k;
	uint64_t modules_hash; /* of /proc/modules' names at the last load */
	struct timespec last_events; /* when a poll last brought events */
	struct bpf_link *links[MAX_LINKS];
	size_t nr_links;
	struct ring_buffer *rb;
	int map_fd[sizeof(shared_maps) / sizeof(shared_maps[0])];
	struct probe_status st[LOADER_MAX_PROBES];
	size_t nr_st;
	struct btf *vmlinux;
	bool verbose;
	int ncpus;
	bool no_trampolines; /* fentry refused kernel-wide: kprobes from now on */
	char tramp_why[LOADER_WHY_LEN];
	char *require; /* the --require list, expanded: ",a,b," */
};

int loader_mode_parse(const char *arg, enum loader_mode *out)
{
	static const char *const names[] = { [LOADER_AUTO] = "auto",
					     [LOADER_FENTRY] = "fentry",
					     [LOADER_KPROBE] = "kprobe" };
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(arg, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static bool required_by_user(const struct memhp_loader *l, const char *name)
{
	char key[80];

	if (!l->require)
		return false;
	snprintf(key, sizeof(key), ",%s,", name);
	return strstr(l->require, key) != NULL;
}

static struct probe_status *status_for(struct memhp_loader *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nr_st; i++)
		if (!strcmp(l->st[i].name, name))
			return &l->st[i];
	if (l->nr_st == LOADER_MAX_PROBES)
		return NULL;
	memset(&l->st[l->nr_st], 0, sizeof(l->st[0]));
	l->st[l->nr_st].name = name;
	l->st[l->nr_st].how = "-";
	return &l->st[l->nr_st++];
}

/* How a probe is loaded: not at all, by trampolines, or by kprobes. */
enum flavour { FL_OFF, FL_FENTRY, FL_KPROBE };

/* The probe's entry and return programs in @fl (NULL: none). */
static void probe_progs(const struct probe_def *p, const struct loader_kconf *k, enum flavour fl,
			const char *progs[2])
{
	progs[0] = fl == FL_FENTRY ? p->fentry : fl == FL_KPROBE ? p->kprobe : NULL;
	progs[1] = fl == FL_FENTRY ? fexit_for(p, k) : fl == FL_KPROBE ? p->kretprobe : NULL;
}

/* Autoload exactly the programs of probe @p in @fl, fentry/fexit aimed at @target. */
static void enable_probe(struct bpf_object *obj, const struct probe_def *p,
			 const struct loader_kconf *k, enum flavour fl, const char *target)
{
	const char *progs[2];
	int j;

	probe_progs(p, k, fl, progs);
	for (j = 0; j < 2; j++) {
		struct bpf_program *bp;

		if (!progs[j] || !(bp = bpf_object__find_program_by_name(obj, progs[j])))
			continue;
		bpf_program__set_autoload(bp, true);
		if (fl == FL_FENTRY && target)
			bpf_program__set_attach_target(bp, 0, target);
	}
	if (p->chain_cbs && fl == FL_KPROBE) {
		const char *more[] = { CHAIN_WALK_PROG, CHAIN_BP_PROG };

		for (j = 0; j < 2; j++) {
			struct bpf_program *bp = bpf_object__find_program_by_name(obj, more[j]);

			if (bp)
				bpf_program__set_autoload(bp, true);
		}
	}
}

static void disable_all(struct bpf_object *obj)
{
	struct bpf_program *bp;

	bpf_object__for_each_program(bp, obj)
		bpf_program__set_autoload(bp, false);
}

static void detach_from(struct memhp_loader *l, size_t first)
{
	while (l->nr_links > first)
		bpf_link__destroy(l->links[--l->nr_links]);
}

static int add_link(struct memhp_loader *l, struct bpf_link *link)
{
	if (!link)
		return -errno;
	if (l->nr_links == MAX_LINKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	l->links[l->nr_links++] = link;
	return 0;
}

#define MAX_OBJ_PROBES 8

/* What the loader tries for each probe of one object, and why it gave up. */
struct plan {
	size_t n;
	enum flavour fl[MAX_OBJ_PROBES];
	const char *target[MAX_OBJ_PROBES];
	char why_f[MAX_OBJ_PROBES][LOADER_WHY_LEN]; /* fentry/fexit failed */
	char why_k[MAX_OBJ_PROBES][LOADER_WHY_LEN]; /* kprobe/kretprobe failed */
	bool attached[MAX_OBJ_PROBES];
	bool opt_out[MAX_OBJ_PROBES]; /* per-page, not asked for */
	bool superseded[MAX_OBJ_PROBES]; /* a tracepoint does its job */
	/* a chain_cbs probe: callbacks by kprobes, by breakpoints, of */
	unsigned int chain_n, chain_bp, chain_of;
};

/*
 * For tests only: MEMHP_TEST_BTF=FILE makes the loader treat FILE as the
 * kernel's BTF (targets, prototypes, CO-RE relocations), to see how it
 * degrades on another kernel's layout; the programs still load into and
 * attach to the running kernel.
 */
static const char *test_btf(void)
{
	const char *f = getenv("MEMHP_TEST_BTF");

	return f && *f ? f : NULL;
}

static struct bpf_object_open_opts test_opts = { .sz = sizeof(test_opts) };

static struct btf *load_btf(void)
{
	if (!test_btf())
		return btf__load_vmlinux_btf();
	test_opts.btf_custom_path = test_btf();
	return btf__parse(test_btf(), NULL);
}

/*
 * Open, configure and load one object with the probes of @pl (all of them,
 * or only @only if >= 0). The loaded skeleton, or NULL with the error in
 * *err and libbpf's log captured (loader_log_stop()).
 */
static void *load_planned(struct memhp_loader *l, const struct obj_ops *ops,
			  const struct plan *pl, int only, int *err)
{
	struct bpf_object *obj;
	void *skel;
	size_t i;

	loader_log_start(false);
	skel = ops->open(test_btf() ? &test_opts : NULL);
	if (!skel) {
		*err = -errno;
		loader_log_stop();
		return NULL;
	}
	obj = ops->obj(skel);
	ops->set_rodata(skel, &l->k);
	disable_all(obj);
	for (i = 0; i < pl->n; i++)
		if (only < 0 || (size_t)only == i)
			enable_probe(obj, &ops->probes[i], &l->k, pl->fl[i], pl->target[i]);
	*err = 0;
	if (l->o.ringbuf_bytes && l->map_fd[0] < 0) {
		struct bpf_map *rb = bpf_object__find_map_by_name(obj, "events");

		if (rb && bpf_map__set_max_entries(rb, l->o.ringbuf_bytes))
			*err = -EINVAL;
	}
	for (i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]) && !*err; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_maps[i]);

		if (m && l->map_fd[i] >= 0 && bpf_map__reuse_fd(m, l->map_fd[i]))
			*err = -EINVAL;
	}
	if (!*err)
		*err = bpf_object__load(obj);
	loader_log_stop();
	if (*err) {
		ops->destroy(skel);
		return NULL;
	}
	return skel;
}

/* The probe of @ops that program @prog belongs to, -1 if none. */
static int probe_of_prog(const struct obj_ops *ops, const struct plan *pl, const char *prog)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct probe_def *p = &ops->probes[i];
		const char *names[] = { p->fentry, p->fexit, p->fexit_abi[0], p->fexit_abi[1],
					p->fexit_abi[2], p->kprobe, p->kretprobe };
		size_t j;

		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (names[j] && !strcmp(names[j], prog))
				return i;
	}
	return -1;
}

/* Probe @i failed in its current flavour: the next one, or none. */
static void demote(struct memhp_loader *l, struct plan *pl, size_t i, const char *why)
{
	if (pl->fl[i] == FL_FENTRY) {
		snprintf(pl->why_f[i], sizeof(pl->why_f[i]), "%s", why);
		pl->fl[i] = l->o.mode == LOADER_AUTO ? FL_KPROBE : FL_OFF;
	} else if (pl->fl[i] == FL_KPROBE) {
		snprintf(pl->why_k[i], sizeof(pl->why_k[i]), "%s", why);
		pl->fl[i] = FL_OFF;
	}
}

/* Trampolines refused for every program alike: errno, no verifier log. */
static bool kernel_refuses(int err, const char *log)
{
	return (err == -EPERM || err == -ENOTSUPP || err == -EOPNOTSUPP) &&
	       !strstr(log, "BEGIN PROG LOAD LOG");
}

/*
 * The object did not load with the probes of @pl: find one probe whose
 * programs fail (the program libbpf names, else trial loads of one probe
 * at a time) and demote it. false if none could be blamed.
 */
static bool blame_one(struct memhp_loader *l, const struct obj_ops *ops, struct plan *pl,
		      int err)
{
	char prog[64], why[LOADER_WHY_LEN];
	int i = -1, e;
	size_t j;

	loader_log_reason(loader_log_stop(), prog, sizeof(prog), why, sizeof(why));
	if (prog[0])
		i = probe_of_prog(ops, pl, prog);
	if (i >= 0 && pl->fl[i] == FL_FENTRY && kernel_refuses(err, loader_log_stop())) {
		/* no use trying the others' trampolines, here or in later objects */
		l->no_trampolines = true;
		snprintf(l->tramp_why, sizeof(l->tramp_why), "%s", why);
		for (j = 0; j < pl->n; j++)
			if (pl->fl[j] == FL_FENTRY)
				demote(l, pl, j, why);
		return true;
	}
	for (j = 0; i < 0 && j < pl->n; j++) {
		void *skel;

		if (pl->fl[j] == FL_OFF)
			continue;
		skel = load_planned(l, ops, pl, j, &e);
		if (skel) {
			ops->destroy(skel);
			continue;
		}
		loader_log_reason(loader_log_stop(), prog, sizeof(prog), why, sizeof(why));
		if (!why[0])
			snprintf(why, sizeof(why), "%s", strerror(-e));
		i = j;
	}
	if (i < 0)
		return false;
	if (!why[0])
		snprintf(why, sizeof(why), "%s", strerror(-err));
	demote(l, pl, i, why);
	return true;
}

/*
 * An execute hardware breakpoint on kernel address @addr on every online
 * CPU, each running @prog with @addr as the cookie; 0 or -errno (then none
 * is left). x86 has four such breakpoints per CPU.
 */
static int attach_breakpoints(struct memhp_loader *l, struct bpf_program *prog, __u64 addr)
{
	LIBBPF_OPTS(bpf_perf_event_opts, o, .bpf_cookie = addr);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t first = l->nr_links;
	int cpu, fd, err;

	for (cpu = 0; cpu < cpus; cpu++) {
		struct perf_event_attr a = {
			.type = PERF_TYPE_BREAKPOINT,
			.size = sizeof(a),
			.bp_type = HW_BREAKPOINT_X,
			.bp_addr = addr,
			.bp_len = sizeof(long),
			.sample_period = 1,
			.exclude_user = 1,
		};

		fd = (int)syscall(__NR_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			goto fail;
		}
		err = add_link(l, bpf_program__attach_perf_event_opts(prog, fd, &o));
		if (err) {
			close(fd);
			goto fail;
		}
	}
	return 0;
fail:
	detach_from(l, first);
	return err;
}

/*
 * A chain_cbs probe: run the walk program once (BPF_PROG_TEST_RUN), which
 * reads the memory notifier chain into the chain_cbs map, then watch each
 * callback's entry, by address (static callbacks share names) with the
 * address as the cookie: the probe's kprobe and kretprobe where the kernel
 * allows them, else (notrace callbacks) a hardware breakpoint; each watched
 * callback goes into chain_watched. The object is a module-state one:
 * loader_refresh() loads it again when modules change, so this reruns on
 * the chain of the moment. 0 when at least one callback is; @counts: by
 * kprobes, by breakpoints, in the chain.
 */
static int attach_chain_cbs(struct memhp_loader *l, struct bpf_object *obj,
			    const struct probe_def *p, unsigned int counts[3], char *why,
			    size_t whylen)
{
	struct bpf_program *walk = bpf_object__find_program_by_name(obj, CHAIN_WALK_PROG);
	struct bpf_program *bp = bpf_object__find_program_by_name(obj, CHAIN_BP_PROG);
	struct bpf_program *entry = bpf_object__find_program_by_name(obj, p->kprobe);
	struct bpf_program *ret = bpf_object__find_program_by_name(obj, p->kretprobe);
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "chain_cbs");
	struct bpf_map *watched = bpf_object__find_map_by_name(obj, "chain_watched");
	LIBBPF_OPTS(bpf_test_run_opts, run);
	struct memhp_chain chain;
	unsigned int i;
	__u32 key = 0;
	__u8 one = 1;
	int err = 0;

	counts[0] = counts[1] = counts[2] = 0;
	if (!walk || !bp || !entry || !ret || !m || !watched) {
		snprintf(why, whylen, "chain programs missing from the object");
		return -ENOENT;
	}
	memset(&chain, 0, sizeof(chain));
	if (bpf_prog_test_run_opts(bpf_program__fd(walk), &run) ||
	    bpf_map_lookup_elem(bpf_map__fd(m), &key, &chain)) {
		err = -errno;
		snprintf(why, whylen, "reading the memory notifier chain failed: %s", strerror(errno));
		return err;
	}
	counts[2] = chain.n;
	for (i = 0; i < chain.n && i < MEMHP_CHAIN_MAX; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, o, .offset = chain.cb[i], .bpf_cookie = chain.cb[i]);
		size_t first = l->nr_links;
		__u64 cb = chain.cb[i];
		bool by_bp = false;

		if (!cb)
			continue;
		/* func_name NULL: .offset is the address */
		err = add_link(l, bpf_program__attach_kprobe_opts(entry, NULL, &o));
		o.retprobe = true;
		if (!err)
			err = add_link(l, bpf_program__attach_kprobe_opts(ret, NULL, &o));
		if (err) {
			detach_from(l, first);
			err = attach_breakpoints(l, bp, cb);
			by_bp = true;
		}
		if (!err && bpf_map_update_elem(bpf_map__fd(watched), &cb, &one, BPF_ANY)) {
			err = -errno;
			detach_from(l, first);
		}
		if (!err)
			counts[by_bp]++;
	}
	if (counts[0] + counts[1])
		return 0;
	if (!err)
		err = -ENOENT;
	if (!chain.n)
		snprintf(why, whylen, "the memory notifier chain has no callbacks");
	else
		snprintf(why, whylen, "watching the %u notifier callbacks failed: %s", chain.n,
			 strerror(-err));
	return err;
}

/*
 * Attach every planned probe of the loaded object; a probe whose attach
 * fails is demoted. true if a demoted probe has another flavour to try
 * (the object must be loaded again).
 */
static bool attach_planned(struct memhp_loader *l, const struct obj_ops *ops, void *skel,
			   struct plan *pl)
{
	struct bpf_object *obj = ops->obj(skel);
	bool reload = false;
	size_t i;

	for (i = 0; i < pl->n; i++) {
		size_t first = l->nr_links;
		const char *progs[2];
		enum flavour fl = pl->fl[i];
		int j, err = 0;

		probe_progs(&ops->probes[i], &l->k, fl, progs);
		pl->attached[i] = false;
		if (ops->probes[i].chain_cbs && fl == FL_KPROBE) {
			char why[LOADER_WHY_LEN];
			unsigned int w[3];

			err = attach_chain_cbs(l, obj, &ops->probes[i], w, why, sizeof(why));
			pl->chain_n = w[0];
			pl->chain_bp = w[1];
			pl->chain_of = w[2];
			if (err) {
				detach_from(l, first);
				demote(l, pl, i, why);
			}
			pl->attached[i] = !err;
			continue;
		}
		for (j = 0; j < 2 && fl != FL_OFF && !err; j++) {
			struct bpf_program *bp;
			char why[LOADER_WHY_LEN];

			if (!progs[j] || !(bp = bpf_object__find_program_by_name(obj, progs[j])))
				continue;
			if (fl == FL_KPROBE)
				err = add_link(l, bpf_program__attach_kprobe(bp, j == 1, pl->target[i]));
			else
				err = add_link(l, bpf_program__attach_trace(bp));
			if (!err)
				continue;
			snprintf(why, sizeof(why), "attaching %s to %s failed: %s",
				 fl == FL_KPROBE ? (j ? "kretprobe" : "kprobe") : (j ? "fexit" : "fentry"),
				 pl->target[i], strerror(-err));
			detach_from(l, first);
			demote(l, pl, i, why);
			reload |= pl->fl[i] != FL_OFF;
		}
		pl->attached[i] = fl != FL_OFF && !err;
	}
	return reload;
}

/* The plan before anything was tried: each probe's preferred flavour. */
static void plan_init(struct memhp_loader *l, const struct obj_ops *ops, struct plan *pl)
{
	const struct probe_def *p;

	memset(pl, 0, sizeof(*pl));
	for (p = ops->probes; p->name && pl->n < MAX_OBJ_PROBES; p++) {
		size_t i = pl->n++;
		const char *progs[2];

		pl->target[i] = resolve_target(l->vmlinux, p);
		if (!pl->target[i])
			continue;
		if (p->per_page && !l->o.balloon_pages) {
			pl->opt_out[i] = true;
			continue; /* FL_OFF */
		}
		if (probe_superseded(l->vmlinux, p)) {
			pl->superseded[i] = true;
			continue; /* FL_OFF */
		}
		if (p->chain_cbs && !l->o.watch_notifiers) {
			pl->opt_out[i] = true;
			continue; /* FL_OFF */
		}
		/* kprobes (or breakpoints) on functions found at run time,
		 * whatever --attach says (as tp_btf): their only flavour */
		if (p->chain_cbs) {
			pl->fl[i] = FL_KPROBE;
			continue;
		}
		/* tp_btf programs (in the fentry slot) need no trampoline */
		pl->fl[i] = l->o.mode == LOADER_KPROBE && !p->tracepoint ? FL_KPROBE : FL_FENTRY;
		if (pl->fl[i] == FL_FENTRY && l->no_trampolines && !p->tracepoint)
			demote(l, pl, i, l->tramp_why);
		/* a flavour without a program for this prototype: the next one */
		for (;;) {
			probe_progs(p, &l->k, pl->fl[i], progs);
			if (pl->fl[i] == FL_OFF || progs[0] || progs[1])
				break;
			demote(l, pl, i, "no program for this kernel's prototype");
		}
	}
}

static bool plan_empty(const struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (pl->fl[i] != FL_OFF)
			return false;
	return true;
}

/* "fentry/fexit programs failed to load: R", or an attach failure as it is. */
static void why_part(const char *flavour, const char *r, char *out, size_t len)
{
	if (!strncmp(r, "attaching ", 10) || !strncmp(r, "no program", 10))
		snprintf(out, len, "%s", r);
	else
		snprintf(out, len, "%s programs failed to load: %s", flavour, r);
}

/* Why probe @i is not attached, in one line. */
static void plan_why(const struct plan *pl, size_t i, const struct probe_def *p, char *why,
		     size_t len)
{
	const char *f = pl->why_f[i], *k = pl->why_k[i];
	char a[LOADER_WHY_LEN], b[LOADER_WHY_LEN];

	why_part("fentry/fexit", f, a, sizeof(a));
	why_part("kprobe", k, b, sizeof(b));
	if (pl->opt_out[i] && p->chain_cbs)
		snprintf(why, len, "not asked for: before 6.2 naming a vetoing notifier callback "
			 "takes a probe on every callback (--watch-notifiers)");
	else if (pl->opt_out[i])
		snprintf(why, len, "not needed: per-page program (--balloon-pages), the kernel's "
			 "vmstat counts instead");
	else if (pl->superseded[i])
		snprintf(why, len, "not needed: the notifier_run tracepoint (6.2+) names the callback");
	else if (!pl->target[i] && p->since)
		snprintf(why, len, "not needed: %s is %s+, this kernel has none", p->targets[0],
			 p->since);
	else if (!pl->target[i])
		snprintf(why, len, "%s not in kernel BTF (absent or inlined)", p->targets[0]);
	else if (f[0] && k[0] && !strcmp(f, k) && strcmp(a, f))
		snprintf(why, len, "fentry/fexit and kprobe programs failed to load: %s", f);
	else if (f[0] && k[0])
		snprintf(why, len, "%.98s; %.98s", a, b);
	else if (f[0] || k[0])
		snprintf(why, len, "%s", f[0] ? a : b);
	else
		snprintf(why, len, "not loaded");
}

static void record_status(struct memhp_loader *l, const struct obj_ops *ops,
			  const struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct probe_def *p = &ops->probes[i];
		struct probe_status *s = status_for(l, p->name);

		if (!s)
			continue;
		s->required = p->required || required_by_user(l, p->name);
		s->not_needed = (!pl->target[i] && p->since) || pl->opt_out[i] || pl->superseded[i];
		snprintf(s->target, sizeof(s->target), "%s", pl->target[i] ? pl->target[i] : p->targets[0]);
		if (p->chain_cbs && pl->attached[i]) /* the callbacks, not memory_notify */
			snprintf(s->target, sizeof(s->target),
				 "%u kprobed + %u breakpoints of %u notifier callbacks", pl->chain_n,
				 pl->chain_bp, pl->chain_of);
		s->attached = pl->attached[i];
		s->how = "-";
		s->why[0] = '\0';
		if (s->attached && pl->fl[i] == FL_KPROBE)
			s->how = p->kretprobe ? "kretprobe" : "kprobe";
		else if (s->attached && p->tracepoint)
			s->how = "tp_btf";
		else if (s->attached)
			s->how = fexit_for(p, &l->k) ? "fexit" : "fentry";
		else
			plan_why(pl, i, p, s->why, sizeof(s->why));
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct memhp_loader *l = ctx;

	return l->o.on_event(l->o.ctx, data, size);
}

/*
 * Loads object i with every probe that can load, each by trampolines or
 * (auto mode, or --attach kprobe) kprobes. Each round either loads or
 * demotes a probe: at most two rounds per probe.
 */
static void load_one(struct memhp_loader *l, size_t i)
{
	const struct obj_ops *ops = &probe_objects[i];
	struct plan pl;
	void *skel = NULL;
	size_t round, j;
	int err;

	l->first_link[i] = l->nr_links;
	plan_init(l, ops, &pl);
	for (round = 0; round <= 2 * pl.n + 1 && !plan_empty(&pl); round++) {
		skel = load_planned(l, ops, &pl, -1, &err);
		if (!skel) {
			if (!blame_one(l, ops, &pl, err)) {
				/* no single probe to blame: all of them */
				char why[LOADER_WHY_LEN];

				snprintf(why, sizeof(why), "%s", strerror(-err));
				for (j = 0; j < pl.n; j++)
					while (pl.fl[j] != FL_OFF)
						demote(l, &pl, j, why);
			}
			continue;
		}
		if (!attach_planned(l, ops, skel, &pl))
			break;
		detach_from(l, l->first_link[i]);
		ops->destroy(skel);
		skel = NULL;
	}
	for (j = 0; j < pl.n && skel; j++)
		if (pl.attached[j])
			break;
	if (skel && j == pl.n) { /* loaded, but nothing attached: keep nothing */
		ops->destroy(skel);
		skel = NULL;
	}
	l->skel[i] = skel;
	if (skel) {
		struct bpf_object *obj = ops->obj(skel);

		for (j = 0; j < sizeof(shared_maps) / sizeof(shared_maps[0]); j++) {
			struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_maps[j]);

			if (m && l->map_fd[j] < 0)
				l->map_fd[j] = bpf_map__fd(m);
		}
	}
	record_status(l, ops, &pl);
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/*
 * FNV-1a over each module's name and state in /proc/modules ("name size
 * refs deps state addr"): changes when one comes or goes, and when one
 * turns Live - a module is listed while its init still runs, before the
 * notifier callbacks it registers there are on the chain.
 */
static uint64_t modules_hash(void)
{
	uint64_t h = 1469598103934665603ULL;
	char line[4096]; /* the users column of a module many use is long */
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok = strtok_r(line, " \n", &save);
		int field;

		for (field = 0; tok; field++, tok = strtok_r(NULL, " \n", &save))
			if (field == 0 || field == 4)
				h = fnv1a(h, tok, strlen(tok) + 1);
		h = fnv1a(h, "\n", 1);
	}
	fclose(f);
	return h;
}

/*
 * Give back what loading needed and tracing does not: vmlinux BTF (~5 MiB
 * parsed) and the heap libbpf freed. A tracer's pages land in the memory it
 * watches (user pages prefer ZONE_MOVABLE, i.e. hotplugged blocks), and
 * every page held there must be migrated when that memory goes offline: in
 * the lab, an idle 16 MiB file in tmpfs made offlining 32 blocks 6x slower.
 */
static void release_load_memory(struct memhp_loader *l)
{
	btf__free(l->vmlinux);
	l->vmlinux = NULL;
	malloc_trim(0);
}

int loader_refresh(struct memhp_loader *l)
{
	uint64_t h = modules_hash();
	size_t i;
	int reloaded = 0;

	if (h == l->modules_hash)
		return 0;
	l->modules_hash = h;
	if (!l->vmlinux)
		l->vmlinux = load_btf(); /* NULL: probes say why */
	/* module-state objects come last: their links are the tail, from the
	 * first one's on; all go before any is loaded again, as each load
	 * appends its links (and moves its first_link) */
	for (i = 0; i < NR_OBJECTS && !probe_objects[i].module_state; i++)
		;
	if (i < NR_OBJECTS)
		detach_from(l, l->first_link[i]);
	for (i = 0; i < NR_OBJECTS; i++) {
		if (!probe_objects[i].module_state)
			continue;
		if (l->skel[i])
			probe_objects[i].destroy(l->skel[i]);
		l->skel[i] = NULL;
	}
	for (i = 0; i < NR_OBJECTS; i++) {
		if (!probe_objects[i].module_state)
			continue;
		load_one(l, i);
		reloaded++;
	}
	release_load_memory(l);
	return reloaded;
}

/*
 * When a required probe is not attached (online/offline_pages always,
 * --require'd ones too) or nothing is: true, with every such probe and why
 * in @err, and a hint.
 */
static bool required_missing_msg(const struct memhp_loader *l, char *err, size_t errlen)
{
	bool only_user = l->map_fd[0] >= 0; /* only --require'd probes missing */
	const struct probe_def *p;
	size_t i, j, off, n = 0;

	off = snprintf(err, errlen, "cannot trace: ");
	for (i = 0; i < l->nr_st && off < errlen; i++) {
		const struct probe_status *s = &l->st[i];

		if (!s->required || s->attached || s->not_needed)
			continue;
		off += snprintf(err + off, errlen - off, "%s%s: %s", n++ ? "; " : "", s->name,
				s->why[0] ? s->why : "not attached");
		for (j = 0; (p = probe_at(j, NULL)); j++)
			if (!strcmp(p->name, s->name) && p->required)
				only_user = false;
	}
	if (!n && l->map_fd[0] >= 0)
		return false;
	if (!n && off < errlen)
		off += snprintf(err + off, errlen - off, "no probe attached");
	if (only_user && off < errlen)
		snprintf(err + off, errlen - off,
			 ".\n  Hint: --require names probes that must attach; without it memhp"
			 " traces with what did.");
	else if (off < errlen)
		snprintf(err + off, errlen - off,
			 ".\n  Hint: %s. `memhp ls` still works from sysfs; `make demo` runs"
			 " memhp in the lab VM.",
			 geteuid() != 0 ? "run as root (memhp needs CAP_BPF and CAP_PERFMON, and "
					  "CAP_SYS_ADMIN for driver modules)"
					: "this kernel forbids the tracing memhp needs (fentry "
					  "trampolines and kprobes: ftrace disabled or locked down?)");
	return true;
}

int loader_open(struct memhp_loader **out, const struct loader_opts *o,
		char *err, size_t errlen)
{
	struct memhp_loader *l;
	size_t i;

	*out = NULL;
	loader_log_init(o->verbose);
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	for (i = 0; i < sizeof(l->map_fd) / sizeof(l->map_fd[0]); i++)
		l->map_fd[i] = -1;
	l->o = *o;
	l->verbose = o->verbose;
	l->vmlinux = load_btf();
	if (!l->vmlinux) {
		snprintf(err, errlen,
			 "cannot trace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s);"
			 " memhp needs CONFIG_DEBUG_INFO_BTF=y. Use `memhp ls` for a sysfs view.",
			 strerror(errno));
		free(l);
		return 2;
	}
	if (o->require)
		l->require = probes_require_expand(o->require);
	loader_kconf_from_btf(l->vmlinux, &l->k);
	l->k.block_bytes = o->block_size;
	l->k.stuck_after_ns = o->stuck_after_ns;
	l->k.ring_wake_bytes = o->ringbuf_bytes / 4;
	l->modules_hash = modules_hash();
	for (i = 0; i < NR_OBJECTS; i++)
		load_one(l, i);
	if (required_missing_msg(l, err, errlen)) {
		loader_close(l);
		return 2;
	}
	l->rb = ring_buffer__new(l->map_fd[0], handle_event, l, NULL);
	if (!l->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		loader_close(l);
		return 1;
	}
	l->ncpus = libbpf_num_possible_cpus();
	release_load_memory(l);
	*out = l;
	return 0;
}

int loader_poll(struct memhp_loader *l, int timeout_ms)
{
	struct timespec t0, t;
	int n, slice;

	/*
	 * The BPF side wakes us only when the buffer fills up (wakeup_flag()
	 * in bpf/common.bpf.h): wait in slices of at most LOADER_POLL_MS
	 * (LOADER_IDLE_POLL_MS after LOADER_IDLE_AFTER_MS without events) and
	 * read what is there after each, until something came or @timeout_ms
	 * (-1: forever) passed.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t = t0;
	for (;;) {
		long quiet = (t.tv_sec - l->last_events.tv_sec) * 1000L +
			     (t.tv_nsec - l->last_events.tv_nsec) / 1000000L;
		long every = quiet >= LOADER_IDLE_AFTER_MS ? LOADER_IDLE_POLL_MS : LOADER_POLL_MS;
		long left = every;

		if (timeout_ms >= 0) {
			left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000L +
					     (t.tv_nsec - t0.tv_nsec) / 1000000L);
			if (left < 0)
				left = 0;
		}
		slice = left > every ? (int)every : (int)left;
		n = ring_buffer__poll(l->rb, slice);
		if (n == 0)
			n = ring_buffer__consume(l->rb);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (n > 0)
			l->last_events = t;
		if (n != 0 || (timeout_ms >= 0 && left <= every))
			return n;
	}
}

uint64_t loader_stat(struct memhp_loader *l, unsigned int idx)
{
	uint64_t sum = 0, *vals;
	int i;

	if (l->map_fd[1] < 0 || l->ncpus <= 0)
		return 0;
	vals = calloc(l->ncpus, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(l->map_fd[1], &idx, vals))
		for (i = 0; i < l->ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void loader_prog_stats(struct memhp_loader *l, FILE *f)
{
	size_t i;

	for (i = 0; i < NR_OBJECTS; i++) {
		struct bpf_program *p;

		if (!l->skel[i])
			continue;
		bpf_object__for_each_program(p, probe_objects[i].obj(l->skel[i])) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_program__fd(p);

			memset(&info, 0, sizeof(info));
			if (fd < 0 || !bpf_program__autoload(p) ||
			    bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			fprintf(f, "memhp: prog %-8s %-28s %10llu runs %14llu ns %10.0f ns/run\n",
				probe_objects[i].name, bpf_program__name(p),
				(unsigned long long)info.run_cnt,
				(unsigned long long)info.run_time_ns,
				info.run_cnt ? (double)info.run_time_ns / info.run_cnt : 0.0);
		}
	}
}

int loader_map_fd(struct memhp_loader *l, const char *name)
{
	size_t i;

	for (i = 0; i < NR_OBJECTS; i++) {
		struct bpf_map *m;

		if (!l->skel[i])
			continue;
		m = bpf_object__find_map_by_name(probe_objects[i].obj(l->skel[i]), name);
		if (m)
			return bpf_map__fd(m);
	}
	return -ENOENT;
}

int loader_ncpus(struct memhp_loader *l)
{
	return l->ncpus;
}

bool loader_balloon_pages(struct memhp_loader *l)
{
	return l->o.balloon_pages;
}

size_t loader_probes(struct memhp_loader *l, const struct probe_status **st)
{
	*st = l->st;
	return l->nr_st;
}

static void report_one(const struct probe_status *s, FILE *f)
{
	if (s->attached)
		fprintf(f, "memhp: attached %-22s %s:%s\n", s->name, s->how, s->target);
	else
		fprintf(f, "memhp: skipped  %-22s %s\n", s->name, s->why);
}

void loader_report(struct memhp_loader *l, FILE *f)
{
	size_t i;

	for (i = 0; i < l->nr_st; i++)
		report_one(&l->st[i], f);
}

void loader_report_changed(struct memhp_loader *l, FILE *f)
{
	const struct probe_def *p;
	size_t i, j;

	for (i = 0; i < NR_OBJECTS; i++) {
		if (!probe_objects[i].module_state)
			continue;
		for (p = probe_objects[i].probes; p->name; p++)
			for (j = 0; j < l->nr_st; j++)
				if (!strcmp(l->st[j].name, p->name))
					report_one(&l->st[j], f);
	}
}

size_t loader_missing(struct memhp_loader *l, char *buf, size_t len)
{
	size_t i, n = 0, off = 0;

	buf[0] = '\0';
	for (i = 0; i < l->nr_st; i++) {
		if (l->st[i].attached || l->st[i].not_needed)
			continue;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s", n ? ", " : "", l->st[i].name);
		n++;
	}
	return n;
}

void loader_close(struct memhp_loader *l)
{
	size_t i;

	if (!l)
		return;
	ring_buffer__free(l->rb);
	detach_from(l, 0);
	for (i = 0; i < NR_OBJECTS; i++)
		if (l->skel[i])
			probe_objects[i].destroy(l->skel[i]);
	btf__free(l->vmlinux);
	free(l->require);
	free(l);
}

struct loader_trial {
	const struct obj_ops *ops;
	void *skel;
};

struct loader_trial *loader_trial_open(size_t idx, bool kprobe, const struct loader_kconf *k,
				       const struct bpf_object_open_opts *opts)
{
	const struct obj_ops *ops;
	const struct probe_def *p = probe_at(idx, &ops);
	enum flavour fl = kprobe ? FL_KPROBE : FL_FENTRY;
	struct loader_trial *t;
	const char *progs[2];

	if (!p) {
		errno = EINVAL;
		return NULL;
	}
	probe_progs(p, k, fl, progs);
	if (!progs[0] && !progs[1]) {
		errno = ENOENT;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ops = ops;
	t->skel = ops->open(opts);
	if (!t->skel) {
		free(t);
		return NULL;
	}
	ops->set_rodata(t->skel, k);
	disable_all(ops->obj(t->skel));
	/* fentry/fexit aim at the target their section names (the host's) */
	enable_probe(ops->obj(t->skel), p, k, fl, NULL);
	return t;
}

struct bpf_object *loader_trial_obj(struct loader_trial *t)
{
	return t->ops->obj(t->skel);
}

void loader_trial_close(struct loader_trial *t)
{
	if (!t)
		return;
	t->ops->destroy(t->skel);
	free(t);
}
