// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and attaching memhp's BPF objects (see loader.h).
 *
 * Each object (online, memadd, notify) is loaded as a unit: first with its
 * fentry/fexit programs, and when the kernel refuses trampolines (no BTF
 * func, ftrace blocked: EPERM/ENOTSUPP), again with the kprobe/kretprobe
 * twins. The first object that loads owns the shared maps (ring buffer,
 * stats, group ids, entry state); the others reuse their fds.
 */
#include <errno.h>
#include <malloc.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "memhp.h"
#include "online.skel.h"
#include "memadd.skel.h"
#include "notify.skel.h"
#include "balloon.skel.h"
#include "cover.skel.h"

/* x86_64: SECTION_SIZE_BITS 27, PAGE_SHIFT 12. */
#define PAGES_PER_SECTION (1ULL << (27 - 12))

struct probe_def {
	const char *name;
	const char *targets[3];	   /* candidates, first present wins */
	const char *fentry, *fexit; /* program names, NULL if none */
	const char *kprobe, *kretprobe;
	bool required;
	/* fexit programs per prototype, indexed by the ABI number of abi_of */
	const char *fexit_abi[3];
	enum { ABI_NONE, ABI_ONLINE, ABI_OFFLINE, ABI_REMOVE, ABI_MIGRATE } abi_of;
};

struct kconf {
	int online_abi, offline_abi, remove_abi, migrate_abi;
	bool has_release; /* generic_online_page() can be probed */
	uint64_t block_bytes; /* memory block size */
};

struct obj_ops {
	const char *name;
	const struct probe_def *probes;
	void *(*open)(void);
	struct bpf_object *(*obj)(void *skel);
	void (*set_rodata)(void *skel, const struct kconf *k);
	void (*destroy)(void *skel);
	bool module_state; /* reads module symbols: reload when modules change */
};

static const struct probe_def online_probes[] = {
	{ "online_pages", { "online_pages" }, "fentry_online", "fexit_online",
	  "kprobe_online", "kretprobe_online", true,
	  { "fexit_online", "fexit_online3", "fexit_online" }, ABI_ONLINE },
	{ "offline_pages", { "offline_pages" }, "fentry_offline", "fexit_offline",
	  "kprobe_offline", "kretprobe_offline", true,
	  { "fexit_offline", "fexit_offline3", "fexit_offline2" }, ABI_OFFLINE },
	/* entry only: counts pages released inside online_pages() */
	{ "generic_online_page", { "generic_online_page" }, "fentry_release", NULL,
	  "kprobe_release", NULL },
	{ 0 },
};

static const struct probe_def memadd_probes[] = {
	{ "add_memory", { "add_memory_resource" }, "fentry_add", "fexit_add",
	  "kprobe_add", "kretprobe_add" },
	{ "remove_memory", { "try_remove_memory", "remove_memory" }, "fentry_remove",
	  "fexit_remove", "kprobe_remove", "kretprobe_remove", false,
	  { "fexit_remove", "fexit_remove3", NULL }, ABI_REMOVE },
	{ "group_register_static", { "memory_group_register_static" }, NULL,
	  "fexit_grp_static", "kprobe_GROUP_STATIC", "kretprobe_GROUP_STATIC" },
	{ "group_register_dynamic", { "memory_group_register_dynamic" }, NULL,
	  "fexit_grp_dynamic", "kprobe_GROUP_DYNAMIC", "kretprobe_GROUP_DYNAMIC" },
	{ "group_unregister", { "memory_group_unregister" }, NULL,
	  "fexit_grp_unreg", "kprobe_GROUP_UNREGISTER", "kretprobe_GROUP_UNREGISTER" },
	{ "group_find_by_id", { "memory_group_find_by_id" }, NULL, "fexit_grp_find",
	  "kprobe_GROUP_FIND", "kretprobe_GROUP_FIND" },
	{ 0 },
};

static const struct probe_def notify_probes[] = {
	{ "memory_subsys_online", { "memory_subsys_online" }, "fentry_subsys_on",
	  "fexit_subsys_on", "kprobe_subsys_on", "kretprobe_subsys_on" },
	{ "memory_subsys_offline", { "memory_subsys_offline" }, "fentry_subsys_off",
	  "fexit_subsys_off", "kprobe_subsys_off", "kretprobe_subsys_off" },
	{ "memory_notify", { "memory_notify" }, "fentry_notify", "fexit_notify",
	  "kprobe_notify", "kretprobe_notify" },
	/* 6.17+: the node of a status change (bpf/core_fixes.bpf.h) */
	{ "node_notify", { "node_notify" }, "fentry_node_notify", NULL,
	  "kprobe_node_notify", NULL },
	{ 0 },
};

static const struct probe_def balloon_probes[] = {
	{ "balloon_page_enqueue", { "balloon_page_enqueue" }, "fentry_b_enq", NULL,
	  "kprobe_b_enq", NULL },
	{ "balloon_page_list_enqueue", { "balloon_page_list_enqueue" }, NULL,
	  "fexit_b_list_enq", "kprobe_b_list_enq", "kretprobe_b_list_enq" },
	{ "balloon_page_list_dequeue", { "balloon_page_list_dequeue" }, NULL,
	  "fexit_b_list_deq", "kprobe_b_list_deq", "kretprobe_b_list_deq" },
	{ "balloon_page_migrate", { "balloon_page_migrate" }, NULL, "fexit_b_migrate",
	  "kprobe_b_migrate", "kretprobe_b_migrate", false,
	  { "fexit_b_migrate", "fexit_b_migrate4", NULL }, ABI_MIGRATE },
	{ 0 },
};

/* Balloon drivers' coverage: reads module state (see cover.bpf.c). */
static const struct probe_def cover_probes[] = {
	{ "coverage", { "online_pages" }, "fentry_hv_online", "fexit_hv_online",
	  "kprobe_hv_online", "kretprobe_hv_online", false,
	  { "fexit_hv_online", "fexit_hv_online3", "fexit_hv_online" }, ABI_ONLINE },
	{ "coverage_release", { "generic_online_page" }, "fentry_hv_release", NULL,
	  "kprobe_hv_release", NULL },
	{ 0 },
};

#define OBJ_OPS(n)                                                            \
	static void *n##_open(void) { return memhp_##n##__open(); }           \
	static struct bpf_object *n##_obj(void *s)                            \
	{                                                                     \
		return ((struct memhp_##n *)s)->obj;                          \
	}                                                                     \
	static void n##_destroy(void *s) { memhp_##n##__destroy(s); }

OBJ_OPS(online)
OBJ_OPS(memadd)
OBJ_OPS(notify)
OBJ_OPS(balloon)
OBJ_OPS(cover)

static void online_rodata(void *s, const struct kconf *k)
{
	struct memhp_online *skel = s;

	skel->rodata->online_abi = k->online_abi;
	skel->rodata->offline_abi = k->offline_abi;
	skel->rodata->track_release = k->has_release;
	skel->rodata->pages_per_section = PAGES_PER_SECTION;
}

static void memadd_rodata(void *s, const struct kconf *k)
{
	struct memhp_memadd *skel = s;

	skel->rodata->remove_abi = k->remove_abi;
	skel->rodata->pages_per_section = PAGES_PER_SECTION;
}

static void notify_rodata(void *s, const struct kconf *k)
{
	((struct memhp_notify *)s)->rodata->pages_per_section = PAGES_PER_SECTION;
}

static void balloon_rodata(void *s, const struct kconf *k)
{
	((struct memhp_balloon *)s)->rodata->migrate_abi = k->migrate_abi;
	((struct memhp_balloon *)s)->rodata->pages_per_section = PAGES_PER_SECTION;
}

static void cover_rodata(void *s, const struct kconf *k)
{
	((struct memhp_cover *)s)->rodata->online_abi = k->online_abi;
	((struct memhp_cover *)s)->rodata->pages_per_section = PAGES_PER_SECTION;
	if (k->block_bytes)
		((struct memhp_cover *)s)->rodata->block_bytes = k->block_bytes;
}

static const struct obj_ops objects[] = {
	{ "online", online_probes, online_open, online_obj, online_rodata, online_destroy },
	{ "memadd", memadd_probes, memadd_open, memadd_obj, memadd_rodata, memadd_destroy },
	{ "notify", notify_probes, notify_open, notify_obj, notify_rodata, notify_destroy },
	{ "balloon", balloon_probes, balloon_open, balloon_obj, balloon_rodata, balloon_destroy },
	/* last: reloaded when modules come and go (module symbols resolve at load) */
	{ "cover", cover_probes, cover_open, cover_obj, cover_rodata, cover_destroy, true },
};

#define NR_OBJECTS (sizeof(objects) / sizeof(objects[0]))
#define MAX_LINKS 64

static const char *shared_maps[] = { "events", "stats", "group_ids",
				     "group_ptrs", "entries" };

struct memhp_loader {
	struct loader_opts o; /* a copy: the caller's may not outlive loader_open() */
	void *skel[NR_OBJECTS];
	size_t first_link[NR_OBJECTS]; /* links of object i start here... */
	struct kconf k;
	uint64_t modules_hash; /* of /proc/modules' names at the last load */
	struct bpf_link *links[MAX_LINKS];
	size_t nr_links;
	struct ring_buffer *rb;
	int map_fd[sizeof(shared_maps) / sizeof(shared_maps[0])];
	struct probe_status st[LOADER_MAX_PROBES];
	size_t nr_st;
	struct btf *vmlinux;
	bool verbose;
	int ncpus;
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

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose_libbpf)
		return 0;
	if (!verbose_libbpf)
		return 0; /* the loader reports failures itself, in one place */
	return vfprintf(stderr, fmt, ap);
}

/* Number of parameters of a kernel function, -1 if not in BTF. */
static int func_nparams(const struct btf *btf, const char *name,
			bool *third_is_ptr)
{
	const struct btf_type *t, *proto;
	const struct btf_param *p;
	int id;

	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	proto = btf__type_by_id(btf, t->type);
	if (!proto || !btf_is_func_proto(proto))
		return -1;
	if (third_is_ptr) {
		*third_is_ptr = false;
		if (btf_vlen(proto) >= 3) {
			p = btf_params(proto);
			int rid = btf__resolve_type(btf, p[2].type);
			const struct btf_type *pt = rid > 0 ? btf__type_by_id(btf, rid) : NULL;

			*third_is_ptr = pt && btf_is_ptr(pt);
		}
	}
	return btf_vlen(proto);
}

static void kconf_from_btf(const struct btf *btf, struct kconf *k)
{
	bool ptr;
	int n;

	n = func_nparams(btf, "online_pages", &ptr);
	k->online_abi = n == 3 ? 1 : (n == 4 && !ptr) ? 2 : 0;
	n = func_nparams(btf, "offline_pages", NULL);
	k->offline_abi = n == 3 ? 1 : n == 2 ? 2 : 0;
	n = func_nparams(btf, "try_remove_memory", NULL);
	if (n < 0)
		n = func_nparams(btf, "remove_memory", NULL);
	k->remove_abi = n == 3 ? 1 : 0;
	k->has_release = func_nparams(btf, "generic_online_page", NULL) == 2;
	k->migrate_abi = func_nparams(btf, "balloon_page_migrate", NULL) == 4 ? 1 : 0;
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

static const char *resolve_target(struct memhp_loader *l, const struct probe_def *p)
{
	int i;

	for (i = 0; i < 3 && p->targets[i] && l->vmlinux; i++)
		if (btf__find_by_name_kind(l->vmlinux, p->targets[i], BTF_KIND_FUNC) > 0)
			return p->targets[i];
	return NULL;
}

static void set_autoload(struct bpf_object *obj, const char *prog, bool on)
{
	struct bpf_program *p;

	if (!prog)
		return;
	p = bpf_object__find_program_by_name(obj, prog);
	if (p)
		bpf_program__set_autoload(p, on);
}

/* The fexit program for this kernel's prototype of the probe's target. */
static const char *fexit_for(const struct probe_def *p, const struct kconf *k)
{
	int abi;

	switch (p->abi_of) {
	case ABI_ONLINE:
		abi = k->online_abi;
		break;
	case ABI_OFFLINE:
		abi = k->offline_abi;
		break;
	case ABI_REMOVE:
		abi = k->remove_abi;
		break;
	case ABI_MIGRATE:
		abi = k->migrate_abi;
		break;
	default:
		return p->fexit;
	}
	return (abi >= 0 && abi < 3) ? p->fexit_abi[abi] : NULL;
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

/*
 * Open, configure, load and attach one object in one mode. On failure the
 * object is destroyed and *why says what failed.
 */
static int load_object(struct memhp_loader *l, const struct obj_ops *ops,
		       const struct kconf *k, bool kprobe, void **out,
		       char *why, size_t whylen)
{
	const struct probe_def *p;
	struct bpf_object *obj;
	size_t first_link = l->nr_links;
	void *skel;
	int err, any = 0;
	size_t i;

	skel = ops->open();
	if (!skel) {
		snprintf(why, whylen, "open failed: %s", strerror(errno));
		return -errno;
	}
	obj = ops->obj(skel);
	ops->set_rodata(skel, k);
	for (p = ops->probes; p->name; p++) {
		const char *t = resolve_target(l, p);
		const char *fexit = fexit_for(p, k);
		/* a probe is its return program, or its entry program alone */
		bool use = t && (kprobe ? (p->kretprobe || p->kprobe)
					: (fexit || p->fentry));
		int j;

		for (j = 0; j < 3; j++)
			set_autoload(obj, p->fexit_abi[j], false);
		set_autoload(obj, p->fentry, use && !kprobe);
		set_autoload(obj, fexit, use && !kprobe);
		set_autoload(obj, p->kprobe, use && kprobe);
		set_autoload(obj, p->kretprobe, use && kprobe);
		if (use && !kprobe) {
			struct bpf_program *bp;

			if (p->fentry && (bp = bpf_object__find_program_by_name(obj, p->fentry)))
				bpf_program__set_attach_target(bp, 0, t);
			if (fexit && (bp = bpf_object__find_program_by_name(obj, fexit)))
				bpf_program__set_attach_target(bp, 0, t);
		}
		any |= use;
	}
	if (!any) {
		snprintf(why, whylen, "no target function in this kernel");
		ops->destroy(skel);
		return -ENOENT;
	}
	if (l->o.ringbuf_bytes && l->map_fd[0] < 0) {
		struct bpf_map *rb = bpf_object__find_map_by_name(obj, "events");

		if (rb && bpf_map__set_max_entries(rb, l->o.ringbuf_bytes)) {
			snprintf(why, whylen, "ring buffer size %u refused", l->o.ringbuf_bytes);
			ops->destroy(skel);
			return -EINVAL;
		}
	}
	for (i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_maps[i]);

		if (m && l->map_fd[i] >= 0 && bpf_map__reuse_fd(m, l->map_fd[i])) {
			snprintf(why, whylen, "cannot share map %s", shared_maps[i]);
			ops->destroy(skel);
			return -EINVAL;
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		snprintf(why, whylen, "%s programs failed to load: %s",
			 kprobe ? "kprobe" : "fentry/fexit", strerror(-err));
		ops->destroy(skel);
		return err;
	}
	for (p = ops->probes; p->name; p++) {
		const char *t = resolve_target(l, p);
		const char *progs[2] = { kprobe ? p->kprobe : p->fentry,
					 kprobe ? p->kretprobe : fexit_for(p, k) };
		int j;

		if (!t || (!progs[0] && !progs[1]))
			continue;
		for (j = 0; j < 2; j++) {
			struct bpf_program *bp;
			struct bpf_link *link;

			if (!progs[j])
				continue;
			bp = bpf_object__find_program_by_name(obj, progs[j]);
			if (!bp)
				continue;
			if (kprobe)
				link = bpf_program__attach_kprobe(bp, j == 1, t);
			else
				link = bpf_program__attach_trace(bp);
			err = add_link(l, link);
			if (err) {
				snprintf(why, whylen, "attaching %s to %s failed: %s",
					 kprobe ? (j ? "kretprobe" : "kprobe")
						: (j ? "fexit" : "fentry"),
					 t, strerror(-err));
				detach_from(l, first_link);
				ops->destroy(skel);
				return err;
			}
		}
	}
	for (i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_maps[i]);

		if (m && l->map_fd[i] < 0)
			l->map_fd[i] = bpf_map__fd(m);
	}
	*out = skel;
	return 0;
}

static void record_status(struct memhp_loader *l, const struct obj_ops *ops,
			  const struct kconf *k, bool loaded, bool kprobe, const char *why)
{
	const struct probe_def *p;

	for (p = ops->probes; p->name; p++) {
		struct probe_status *s = status_for(l, p->name);
		const char *t = resolve_target(l, p);

		if (!s)
			continue;
		s->required = p->required;
		snprintf(s->target, sizeof(s->target), "%s", t ? t : p->targets[0]);
		if (!t) {
			s->attached = false;
			s->how = "-";
			snprintf(s->why, sizeof(s->why), "%s not in kernel BTF (absent or inlined)",
				 p->targets[0]);
		} else if (loaded) {
			s->attached = true;
			if (kprobe)
				s->how = p->kretprobe ? "kretprobe" : "kprobe";
			else
				s->how = fexit_for(p, k) ? "fexit" : "fentry";
			s->why[0] = '\0';
		} else {
			s->attached = false;
			s->how = "-";
			snprintf(s->why, sizeof(s->why), "%s", why);
		}
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct memhp_loader *l = ctx;

	return l->o.on_event(l->o.ctx, data, size);
}

/* Loads object i in the loader's mode, falling back to kprobes in auto mode. */
static void load_one(struct memhp_loader *l, size_t i)
{
	const struct obj_ops *ops = &objects[i];
	bool kprobe = l->o.mode == LOADER_KPROBE;
	char why_f[160] = "", why_k[160] = "";
	int e;

	l->first_link[i] = l->nr_links;
	e = load_object(l, ops, &l->k, kprobe, &l->skel[i], kprobe ? why_k : why_f,
			sizeof(why_f));
	if (e && l->o.mode == LOADER_AUTO && e != -ENOENT) {
		kprobe = true;
		e = load_object(l, ops, &l->k, true, &l->skel[i], why_k, sizeof(why_k));
	}
	if (e) {
		char why[160];

		l->skel[i] = NULL;
		if (why_f[0] && why_k[0])
			snprintf(why, sizeof(why), "%.70s; %.80s", why_f, why_k);
		else
			snprintf(why, sizeof(why), "%s", why_f[0] ? why_f : why_k);
		record_status(l, ops, &l->k, false, kprobe, why);
	} else {
		record_status(l, ops, &l->k, true, kprobe, NULL);
	}
}

/* FNV-1a over the module names in /proc/modules: changes when one comes or goes. */
static uint64_t modules_hash(void)
{
	uint64_t h = 1469598103934665603ULL;
	char line[512];
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		for (p = line; *p && *p != ' '; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ '\n') * 1099511628211ULL;
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
		l->vmlinux = btf__load_vmlinux_btf(); /* NULL: probes say why */
	for (i = 0; i < NR_OBJECTS; i++) {
		if (!objects[i].module_state)
			continue;
		/* module-state objects come last: their links are the tail */
		detach_from(l, l->first_link[i]);
		if (l->skel[i])
			objects[i].destroy(l->skel[i]);
		l->skel[i] = NULL;
		load_one(l, i);
		reloaded++;
	}
	release_load_memory(l);
	return reloaded;
}

int loader_open(struct memhp_loader **out, const struct loader_opts *o,
		char *err, size_t errlen)
{
	struct memhp_loader *l;
	size_t i, required_missing = 0;

	*out = NULL;
	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	for (i = 0; i < sizeof(l->map_fd) / sizeof(l->map_fd[0]); i++)
		l->map_fd[i] = -1;
	l->o = *o;
	l->verbose = o->verbose;
	l->vmlinux = btf__load_vmlinux_btf();
	if (!l->vmlinux) {
		snprintf(err, errlen,
			 "cannot trace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux: %s);"
			 " memhp needs CONFIG_DEBUG_INFO_BTF=y. Use `memhp ls` for a sysfs view.",
			 strerror(errno));
		free(l);
		return 2;
	}
	kconf_from_btf(l->vmlinux, &l->k);
	l->k.block_bytes = o->block_size;
	l->modules_hash = modules_hash();
	for (i = 0; i < NR_OBJECTS; i++)
		load_one(l, i);
	for (i = 0; i < l->nr_st; i++)
		if (l->st[i].required && !l->st[i].attached)
			required_missing++;
	if (required_missing || l->map_fd[0] < 0) {
		const struct probe_status *s = &l->st[0];
		const char *hint = geteuid() != 0 ?
			"run as root (memhp needs CAP_BPF and CAP_PERFMON, and CAP_SYS_ADMIN for driver modules)" :
			"this kernel forbids the tracing memhp needs (fentry trampolines and "
			"kprobes: ftrace disabled or locked down?)";

		snprintf(err, errlen,
			 "cannot trace: %s: %s.\n  Hint: %s. `memhp ls` still works "
			 "from sysfs; `make demo` runs memhp in the lab VM.",
			 s->name, s->why[0] ? s->why : "not attached", hint);
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
	 * in bpf/common.bpf.h): wait in slices of at most LOADER_POLL_MS and
	 * read what is there after each, until something came or @timeout_ms
	 * (-1: forever) passed. Events are seen at most LOADER_POLL_MS late.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left = LOADER_POLL_MS;

		if (timeout_ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000L +
					     (t.tv_nsec - t0.tv_nsec) / 1000000L);
			if (left < 0)
				left = 0;
		}
		slice = left > LOADER_POLL_MS ? LOADER_POLL_MS : (int)left;
		n = ring_buffer__poll(l->rb, slice);
		if (n == 0)
			n = ring_buffer__consume(l->rb);
		if (n != 0 || (timeout_ms >= 0 && left <= LOADER_POLL_MS))
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
		bpf_object__for_each_program(p, objects[i].obj(l->skel[i])) {
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_program__fd(p);

			memset(&info, 0, sizeof(info));
			if (fd < 0 || !bpf_program__autoload(p) ||
			    bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			fprintf(f, "memhp: prog %-8s %-28s %10llu runs %14llu ns %10.0f ns/run\n",
				objects[i].name, bpf_program__name(p),
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
		m = bpf_object__find_map_by_name(objects[i].obj(l->skel[i]), name);
		if (m)
			return bpf_map__fd(m);
	}
	return -ENOENT;
}

int loader_ncpus(struct memhp_loader *l)
{
	return l->ncpus;
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
		if (!objects[i].module_state)
			continue;
		for (p = objects[i].probes; p->name; p++)
			for (j = 0; j < l->nr_st; j++)
				if (!strcmp(l->st[j].name, p->name))
					report_one(&l->st[j], f);
	}
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
			objects[i].destroy(l->skel[i]);
	btf__free(l->vmlinux);
	free(l);
}
