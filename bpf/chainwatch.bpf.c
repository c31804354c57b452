// SPDX-License-Identifier: GPL-2.0
/*
 * The memory notifier chain's callbacks on kernels before 6.2 (no
 * notifier_run tracepoint): which callback vetoed a GOING_OFFLINE chain,
 * into the task's offline_pages() state (the offlines map, shared with
 * online.bpf.c and offwhy.bpf.c), as offwhy.bpf.c's tp_notifier_run does
 * on 6.2+.
 *
 * An object of its own because the chain changes when modules come and go
 * (drivers register callbacks at load and unregister them at unload): the
 * loader reloads module-state objects then (user/live/loader.c,
 * loader_refresh()), so the walk reruns and the watches follow the live
 * chain, and no probe stays on the address of an unloaded module's code.
 */
#include "common.bpf.h"

/*
 * Before 6.2 there is no tracepoint inside notifier_call_chain() (and the
 * function is NOKPROBE_SYMBOL). The loader runs chain_walk once per load
 * (BPF_PROG_TEST_RUN, never attached) to read the memory chain's
 * callbacks, then watches each callback's entry: a kprobe (kprobe_chain_cb,
 * with kret_chain_cb on its return) where the kernel allows one, else an
 * execute hardware breakpoint (bp_chain_cb: callbacks the kernel marks
 * notrace, __meminit ones and some modules', take no kprobe). The links'
 * cookie is the callback's address; chain_watched lists the watched ones.
 * As with notifier_run on 6.2+, the last callback entered inside the
 * task's GOING_OFFLINE chain is the one that stopped it when it failed.
 * Where the next callback in the live chain is not watched, a callback
 * that ends without stopping the chain (seen by its kretprobe), or one
 * whose end memhp cannot see (a breakpoint), leaves nothing named: the
 * event's notifier_callback is then null rather than a guess.
 */
extern const void memory_chain __ksym __weak;

#define NOTIFY_STOP_MASK 0x8000 /* include/linux/notifier.h */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct memhp_chain);
} chain_cbs SEC(".maps");

/* Callback address -> 1, for the callbacks memhp watches. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MEMHP_CHAIN_MAX);
	__type(key, __u64);
	__type(value, __u8);
} chain_watched SEC(".maps");

SEC("raw_tp")
int chain_walk(void *ctx)
{
	struct notifier_block *nb = NULL;
	struct memhp_chain *out;
	__u32 k = 0;
	int i;

	out = bpf_map_lookup_elem(&chain_cbs, &k);
	if (!out || !&memory_chain)
		return 0;
	bpf_probe_read_kernel(&nb, sizeof(nb),
			      (char *)&memory_chain +
				      bpf_core_field_offset(struct blocking_notifier_head, head));
	out->n = 0;
	for (i = 0; i < MEMHP_CHAIN_MAX && nb; i++) {
		out->cb[i] = (__u64)BPF_CORE_READ(nb, notifier_call);
		out->n = i + 1;
		nb = BPF_CORE_READ(nb, next);
	}
	return 0;
}

static __always_inline bool watched(__u64 cb)
{
	return bpf_map_lookup_elem(&chain_watched, &cb) != NULL;
}

/* The callback after @nb in the live chain, 0 at its end. */
static __always_inline __u64 next_cb(struct notifier_block *nb)
{
	nb = nb ? BPF_CORE_READ(nb, next) : NULL;
	return nb ? (__u64)BPF_CORE_READ(nb, notifier_call) : 0;
}

/* Entry of callback @cb (block @nb): it is the last one entered. */
static __always_inline void chain_cb_enter(__u64 cb, struct notifier_block *nb, bool sees_return)
{
	struct memhp_offline *en = offline_of();
	__u64 next;

	if (!en || !en->why.in_chain)
		return;
	next = next_cb(nb);
	en->why.chain_next = next;
	/* an unwatched next one that memhp cannot see this one end before:
	 * this one or that one, no answer */
	name_vetoer(&en->why, next && !watched(next) && !sees_return ? 0 : cb);
}

SEC("kprobe")
int BPF_KPROBE(kprobe_chain_cb, struct notifier_block *nb)
{
	chain_cb_enter(bpf_get_attach_cookie(ctx), nb, true);
	return 0;
}

SEC("perf_event")
int bp_chain_cb(struct bpf_perf_event_data *ctx)
{
	chain_cb_enter(bpf_get_attach_cookie(ctx), (void *)PT_REGS_PARM1(&ctx->regs), false);
	return 0;
}

/* A kprobed callback's return: it stopped the chain, or the next one runs. */
SEC("kretprobe")
int BPF_KRETPROBE(kret_chain_cb, int ret)
{
	struct memhp_offline *en = offline_of();

	if (!en || !en->why.in_chain || (ret & NOTIFY_STOP_MASK))
		return 0;
	if (en->why.chain_next && !watched(en->why.chain_next))
		name_vetoer(&en->why, 0);
	return 0;
}
