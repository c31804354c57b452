// SPDX-License-Identifier: GPL-2.0
/*
 * The probe tables: which BPF object and programs observe what, with their
 * fentry/fexit and kprobe twins and the prototype variants (the loader picks
 * by the kernel's BTF: loader_kconf_from_btf()), the rodata each object is
 * given, and the --require lists over the probes' names. One place for it:
 * the loader, tools/compat.c and the CLI all read it from here (probes.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "probes.h"
#include "online.skel.h"
#include "memadd.skel.h"
#include "notify.skel.h"
#include "balloon.skel.h"
#include "cover.skel.h"
#include "offwhy.skel.h"
#include "chainwatch.skel.h"

/* x86_64: SECTION_SIZE_BITS 27, PAGE_SHIFT 12. */
#define PAGES_PER_SECTION (1ULL << (27 - 12))

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
	  "fexit_grp_static", "kprobe_GROUP_STATIC", "kret_GROUP_STATIC" },
	{ "group_register_dynamic", { "memory_group_register_dynamic" }, NULL,
	  "fexit_grp_dynamic", "kprobe_GROUP_DYNAMIC", "kret_GROUP_DYNAMIC" },
	{ "group_unregister", { "memory_group_unregister" }, NULL,
	  "fexit_grp_unreg", "kprobe_GROUP_UNREGISTER", "kret_GROUP_UNREGISTER" },
	{ "group_find_by_id", { "memory_group_find_by_id" }, NULL, "fexit_grp_find",
	  "kprobe_GROUP_FIND", "kret_GROUP_FIND" },
	{ 0 },
};

static const struct probe_def notify_probes[] = {
	{ "memory_subsys_online", { "memory_subsys_online" }, "fentry_subs_on",
	  "fexit_subs_on", "kprobe_subs_on", "kret_subs_on" },
	{ "memory_subsys_offline", { "memory_subsys_offline" }, "fentry_subs_off",
	  "fexit_subs_off", "kprobe_subs_off", "kret_subs_off" },
	{ "memory_notify", { "memory_notify" }, "fentry_notify", "fexit_notify",
	  "kprobe_notify", "kretprobe_notify" },
	/* 6.17+: the node of a status change (bpf/core_fixes.bpf.h) */
	{ "node_notify", { "node_notify" }, "fentry_node_notify", NULL,
	  "kprobe_node_notify", NULL, false, { NULL }, ABI_NONE, "6.17" },
	{ 0 },
};

static const struct probe_def balloon_probes[] = {
	/*
	 * Per page (virtio-balloon inflates and deflates one page per call):
	 * only with --balloon-pages. Without, the counts are the kernel's
	 * vmstat events (user/live/balloon_stats.c); the two programs below
	 * run per batch (VMware's list calls) or per migrated page (compaction).
	 */
	{ "balloon_page_enqueue", { "balloon_page_enqueue" }, "fentry_b_enq", NULL,
	  "kprobe_b_enq", NULL, false, { NULL }, ABI_NONE, NULL, false, true },
	{ "balloon_page_list_enqueue", { "balloon_page_list_enqueue" }, NULL,
	  "fexit_b_list_enq", "kprobe_b_list_enq", "kret_b_list_enq" },
	/* per page too: balloon_page_dequeue() calls it for one page */
	{ "balloon_page_list_dequeue", { "balloon_page_list_dequeue" }, NULL,
	  "fexit_b_list_deq", "kprobe_b_list_deq", "kret_b_list_deq", false, { NULL },
	  ABI_NONE, NULL, false, true },
	{ "balloon_page_migrate", { "balloon_page_migrate" }, NULL, "fexit_b_migrate",
	  "kprobe_b_migrate", "kretprobe_b_migrate", false,
	  { "fexit_b_migrate", "fexit_b_migr4", NULL }, ABI_MIGRATE },
	{ 0 },
};

/* Why an offline ended, what a running one is stuck on (offwhy.bpf.c). */
static const struct probe_def offwhy_probes[] = {
	{ "offline_isolate", { "start_isolate_page_range" }, "fentry_isolate", "fexit_isolate",
	  "kprobe_isolate", "kretprobe_isolate" },
	/* the GOING_OFFLINE chain: in the memory_notify probe's programs (notify.bpf.c) */
	/* 6.2+: the callback a GOING_OFFLINE veto came from */
	{ "offline_notifier_run", { "notifier_run" }, "tp_notifier_run", NULL, NULL, NULL, false,
	  { NULL }, ABI_NONE, "6.2", true },
	/* before 6.2: offline_notifier_cb (chainwatch_probes) */
	{ "offline_migrate", { "mm_migrate_pages" }, "tp_migrate", NULL, NULL, NULL, false,
	  { NULL }, ABI_NONE, NULL, true },
	{ "offline_dump_page", { "dump_page" }, "fentry_dump_page", NULL, "kprobe_dump_page",
	  NULL },
	/* renamed in 6.10 (core_fixes.bpf.h) */
	{ "offline_dissolve", { "dissolve_free_hugetlb_folios", "dissolve_free_huge_pages" },
	  "fentry_dissolve", "fexit_dissolve", "kprobe_dissolve", "kretprobe_dissolve" },
	{ "offline_test", { "test_pages_isolated" }, "tp_test_isolated", NULL, NULL, NULL, false,
	  { NULL }, ABI_NONE, NULL, true },
	{ 0 },
};

/* Balloon drivers' coverage: reads module state (see cover.bpf.c). */
static const struct probe_def cover_probes[] = {
	{ "coverage", { "online_pages" }, "fentry_cov_onl", "fexit_cov_onl",
	  "kprobe_cov_onl", "kret_cov_onl", false,
	  { "fexit_cov_onl", "fexit_cov_onl3", "fexit_cov_onl" }, ABI_ONLINE },
	{ "coverage_release", { "generic_online_page" }, "fentry_cov_rel", NULL,
	  "kprobe_cov_rel", NULL },
	{ 0 },
};

/*
 * Before 6.2, the callback a GOING_OFFLINE veto came from, by kprobes and
 * kretprobes on the chain's callbacks as read from memory_chain when the
 * object loads (not needed where notifier_run is; chainwatch.bpf.c).
 */
static const struct probe_def chainwatch_probes[] = {
	{ "offline_notifier_cb", { "memory_notify" }, NULL, NULL, "kprobe_chain_cb", "kret_chain_cb",
	  false, { NULL }, ABI_NONE, NULL, false, false, true },
	{ 0 },
};

#define OBJ_OPS(n)                                                            \
	static void *n##_open(const struct bpf_object_open_opts *o)           \
	{                                                                     \
		return memhp_##n##__open_opts(o);                             \
	}                                                                     \
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
OBJ_OPS(offwhy)
OBJ_OPS(chainwatch)

/*
 * What every object's rodata holds (bpf/common.bpf.h); @ro is the
 * skeleton's rodata. ring_wake_bytes: 0 keeps the BPF default, a quarter of
 * the default ring.
 */
#define COMMON_RODATA(ro, k)                                         \
	do {                                                         \
		(ro)->pages_per_section = PAGES_PER_SECTION;         \
		(ro)->no_func_arg = (k)->no_func_arg;                \
		if ((k)->ring_wake_bytes)                            \
			(ro)->ring_wake_bytes = (k)->ring_wake_bytes; \
	} while (0)

static void online_rodata(void *s, const struct loader_kconf *k)
{
	struct memhp_online *skel = s;

	skel->rodata->online_abi = k->online_abi;
	skel->rodata->offline_abi = k->offline_abi;
	skel->rodata->track_release = k->has_release;
	COMMON_RODATA(skel->rodata, k);
}

static void memadd_rodata(void *s, const struct loader_kconf *k)
{
	struct memhp_memadd *skel = s;

	skel->rodata->remove_abi = k->remove_abi;
	COMMON_RODATA(skel->rodata, k);
}

static void notify_rodata(void *s, const struct loader_kconf *k)
{
	COMMON_RODATA(((struct memhp_notify *)s)->rodata, k);
}

static void balloon_rodata(void *s, const struct loader_kconf *k)
{
	((struct memhp_balloon *)s)->rodata->migrate_abi = k->migrate_abi;
	COMMON_RODATA(((struct memhp_balloon *)s)->rodata, k);
}

static void offwhy_rodata(void *s, const struct loader_kconf *k)
{
	struct memhp_offwhy *skel = s;

	COMMON_RODATA(skel->rodata, k);
	skel->rodata->migrate_tp_nargs = k->migrate_tp_nargs;
	skel->rodata->stuck_after_ns = k->stuck_after_ns;
}

static void chainwatch_rodata(void *s, const struct loader_kconf *k)
{
	COMMON_RODATA(((struct memhp_chainwatch *)s)->rodata, k);
}

static void cover_rodata(void *s, const struct loader_kconf *k)
{
	((struct memhp_cover *)s)->rodata->online_abi = k->online_abi;
	COMMON_RODATA(((struct memhp_cover *)s)->rodata, k);
	if (k->block_bytes)
		((struct memhp_cover *)s)->rodata->block_bytes = k->block_bytes;
}

const struct obj_ops probe_objects[NR_OBJECTS] = {
	{ "online", online_probes, online_open, online_obj, online_rodata, online_destroy },
	{ "memadd", memadd_probes, memadd_open, memadd_obj, memadd_rodata, memadd_destroy },
	{ "notify", notify_probes, notify_open, notify_obj, notify_rodata, notify_destroy },
	{ "balloon", balloon_probes, balloon_open, balloon_obj, balloon_rodata, balloon_destroy },
	{ "offwhy", offwhy_probes, offwhy_open, offwhy_obj, offwhy_rodata, offwhy_destroy },
	/* last: reloaded when modules come and go (module symbols resolve at
	 * load; the notifier chain's callbacks change with them) */
	{ "cover", cover_probes, cover_open, cover_obj, cover_rodata, cover_destroy, true },
	{ "chainwatch", chainwatch_probes, chainwatch_open, chainwatch_obj, chainwatch_rodata,
	  chainwatch_destroy, true },
};

/* Probe @idx of all objects' tables in order, and its object. */
const struct probe_def *probe_at(size_t idx, const struct obj_ops **ops)
{
	const struct probe_def *p;
	size_t i;

	for (i = 0; i < NR_OBJECTS; i++)
		for (p = probe_objects[i].probes; p->name; p++)
			if (!idx--) {
				if (ops)
					*ops = &probe_objects[i];
				return p;
			}
	return NULL;
}

size_t loader_nr_probes(void)
{
	size_t n = 0;

	while (probe_at(n, NULL))
		n++;
	return n;
}

const char *loader_probe_name(size_t idx)
{
	const struct probe_def *p = probe_at(idx, NULL);

	return p ? p->name : NULL;
}

const char *loader_probe_object(size_t idx)
{
	const struct obj_ops *ops;

	return probe_at(idx, &ops) ? ops->name : NULL;
}

static bool probe_known(const char *name, size_t len)
{
	const struct probe_def *p;
	size_t i;

	for (i = 0; (p = probe_at(i, NULL)); i++)
		if (strlen(p->name) == len && !strncmp(p->name, name, len))
			return true;
	return false;
}

void loader_known_probes(char *buf, size_t len)
{
	const struct probe_def *p;
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; (p = probe_at(i, NULL)) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", p->name);
}

/* Calls @fn on each name of a --require list, "core" and "all" expanded. */
static int require_each(const char *list, int (*fn)(const char *name, size_t len, void *ctx),
			void *ctx)
{
	const struct probe_def *p;
	const char *s = list;
	size_t i;
	int err;

	while (*s) {
		size_t n = strcspn(s, ",");

		if (n == 3 && !strncmp(s, "all", 3)) {
			for (i = 0; (p = probe_at(i, NULL)); i++)
				if ((err = fn(p->name, strlen(p->name), ctx)))
					return err;
		} else if (n == 4 && !strncmp(s, "core", 4)) {
			if ((err = require_each(LOADER_CORE_PROBES, fn, ctx)))
				return err;
		} else if (n && (err = fn(s, n, ctx))) {
			return err;
		}
		s += n + (s[n] == ',');
	}
	return 0;
}

struct require_ctx {
	char *out;
	size_t len;
};

static int require_known(const char *name, size_t len, void *ctx)
{
	struct require_ctx *c = ctx;

	if (probe_known(name, len))
		return 0;
	snprintf(c->out, c->len, "%.*s", (int)len, name);
	return -1;
}

int loader_require_check(const char *list, char *bad, size_t badlen)
{
	struct require_ctx c = { bad, badlen };

	if (!*list) {
		snprintf(bad, badlen, "%s", "(empty)");
		return -1;
	}
	return require_each(list, require_known, &c);
}

/* Appends ",name," to the expanded list (its names are then found by strstr). */
static int require_add(const char *name, size_t len, void *ctx)
{
	struct require_ctx *c = ctx;
	size_t off = strlen(c->out);

	snprintf(c->out + off, c->len - off, "%.*s,", (int)len, name);
	return 0;
}

char *probes_require_expand(const char *list)
{
	struct require_ctx c;
	const struct probe_def *p;
	size_t i, len = 2;
	char *out;

	for (i = 0; (p = probe_at(i, NULL)); i++)
		len += strlen(p->name) + 1;
	out = calloc(1, len + strlen(list) + 2);
	if (!out)
		return NULL;
	out[0] = ',';
	c.out = out;
	c.len = len + strlen(list) + 2;
	require_each(list, require_add, &c);
	return out;
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

/* Number of arguments of tracepoint @name (its btf_trace_<name> typedef), -1 if absent. */
static int tp_nparams(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	char tn[128];
	int id;

	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tn, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	id = btf__resolve_type(btf, id); /* the pointer */
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

void loader_kconf_from_btf(const struct btf *btf, struct loader_kconf *k)
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
	/* the btf_trace_ typedef's prototype has the tracepoint's arguments
	 * after a void *: 7 up to 6.5, 8 since (core_fixes.bpf.h) */
	n = tp_nparams(btf, "mm_migrate_pages");
	k->migrate_tp_nargs = n == 8 ? 8 : 7;
}

const char *resolve_target(const struct btf *btf, const struct probe_def *p)
{
	int i;

	for (i = 0; i < 3 && p->targets[i] && btf; i++)
		if (p->tracepoint ? tp_nparams(btf, p->targets[i]) >= 0
				  : btf__find_by_name_kind(btf, p->targets[i], BTF_KIND_FUNC) > 0)
			return p->targets[i];
	return NULL;
}

bool probe_superseded(const struct btf *btf, const struct probe_def *p)
{
	return p->chain_cbs && btf && tp_nparams(btf, "notifier_run") >= 0;
}

/* The fexit program for this kernel's prototype of the probe's target. */
const char *fexit_for(const struct probe_def *p, const struct loader_kconf *k)
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

const char *loader_probe_target(size_t idx, const struct btf *btf)
{
	const struct probe_def *p = probe_at(idx, NULL);

	return p ? resolve_target(btf, p) : NULL;
}

bool loader_probe_module_state(size_t idx)
{
	const struct obj_ops *ops;

	return probe_at(idx, &ops) && ops->module_state;
}
