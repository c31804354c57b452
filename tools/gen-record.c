// SPDX-License-Identifier: GPL-2.0
/*
 * gen-record: write a plausible memhp record file (docs/record.md) of N
 * events, deterministic from a seed, for `memhp replay` tests and its
 * benchmark.
 *
 *   gen-record -n EVENTS [-s SEED] [-S MAX_SIZE] [-k MAX_FILES] [-f MIN_FREE] -o FILE
 *
 * -S, -k and -f write a rotated set FILE.000001, ... through the same
 * bounded writer as `memhp record --max-size/--max-files/--min-free`
 * (user/lib/record_rotate.c), each part starting with the model's
 * snapshot: the tests of rotation without BPF.
 *
 * The machine: 2 nodes with 4 GiB of boot memory each (128 MiB blocks),
 * 6 DIMM slots of 1 GiB (a static memory group each) and 2 virtio-mem
 * devices of 2 GiB (a dynamic group each). Each slot/device runs the
 * kernel's sequences as memhp sees them: group registration, add, per
 * block request + notifier + online into Normal or Movable (and for
 * virtio-mem a coverage event), offline with the odd -EBUSY/-EAGAIN
 * (retried), remove, unregistration. Every block id stays within the
 * machine, so a replay's model stays bounded however long the stream.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp.h"
#include "model.h"
#include "event_compact.h"
#include "cliopt.h"
#include "record.h"
#include "record_rotate.h"

#define BLOCK_SIZE (128ull << 20)
#define PAGE_SIZE 4096ull
#define PPB (BLOCK_SIZE / PAGE_SIZE)
#define BOOT_BLOCKS 32 /* per node */
#define NR_DIMMS 6
#define DIMM_BLOCKS 8
#define NR_VMEM 2
#define VMEM_BLOCKS 16
#define DIMM_BASE 64  /* first DIMM block: after both nodes' boot memory */
#define VMEM_BASE 128 /* first virtio-mem block */

static uint64_t rng;

/* xorshift64*: fast, and the same stream for a seed everywhere */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int pct(void)
{
	return (unsigned int)(rnd() % 100);
}

struct gen {
	struct rec_rotor w;
	struct memhp_model *m; /* kept current only for a rotated set's snapshots */
	uint64_t left; /* events still to write */
	uint64_t now;  /* ktime ns */
	int err;
	bool group_used[64];
	uint64_t key_gen;
};

enum unit_state { U_ABSENT, U_ADDED, U_ONLINE };

struct unit {
	bool vmem;
	int nid;
	uint64_t first; /* block */
	int nblocks;
	int gid;	/* -1: not registered */
	uint64_t gkey;
	enum unit_state st[VMEM_BLOCKS];
	int zone[VMEM_BLOCKS]; /* 2 Normal, 3 Movable */
	uint64_t kernel_pages, movable_pages;
};

static void emit(struct gen *g, struct memhp_event *e)
{
	int ret;

	if (!g->left || g->err)
		return;
	g->now += 1000 + rnd() % 500000; /* events are microseconds apart */
	e->ts_ns = g->now;
	{
		/* the short form memhp record writes (event_compact()) */
		unsigned char small[MEMHP_EVENT_SIZE_V1] __attribute__((aligned(8)));
		size_t n = event_compact(e, sizeof(*e), small, sizeof(small));

		ret = n ? rot_event(&g->w, small, (uint32_t)n, g->m)
			: rot_event(&g->w, e, sizeof(*e), g->m);
	}
	if (ret)
		g->err = ret;
	else if (g->w.rotating)
		model_apply_event(g->m, e);
	g->left--;
}

static void ev_init(struct memhp_event *e, unsigned int kind, const char *comm)
{
	memset(e, 0, sizeof(*e));
	e->hdr.abi = MEMHP_ABI_VERSION;
	e->hdr.kind = (unsigned short)kind;
	e->hdr.size = sizeof(*e);
	e->cpu = (unsigned int)(rnd() % 4);
	e->pid = 100 + (unsigned int)(rnd() % 400);
	e->nid = -1;
	e->zone_idx = -1;
	e->group_id = -1;
	e->group_nid = -1;
	e->status_nid = -1;
	e->online_type = (unsigned int)-1;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
}

static void ev_group(struct memhp_event *e, const struct unit *u)
{
	e->flags |= MEMHP_F_GROUP | MEMHP_F_GROUP_ID | (u->vmem ? MEMHP_F_GROUP_DYNAMIC : 0);
	e->group_id = u->gid;
	e->group_nid = u->nid;
	e->group_pages = u->vmem ? PPB : (uint64_t)u->nblocks * PPB;
	e->group_key = u->gkey;
	e->group_kernel_pages = u->kernel_pages;
	e->group_movable_pages = u->movable_pages;
}

static void ev_block(struct memhp_event *e, uint64_t block, uint64_t n)
{
	e->start_pfn = block * PPB;
	e->nr_pages = n * PPB;
}

static void timed(struct memhp_event *e, uint64_t lo, uint64_t spread)
{
	e->flags |= MEMHP_F_DURATION;
	e->duration_ns = lo + rnd() % spread;
}

static void notify(struct gen *g, const struct unit *u, int b, unsigned int action)
{
	struct memhp_event e;

	ev_init(&e, MEMHP_EV_NOTIFY, u->vmem ? "kworker/u4:2" : "udevd");
	ev_block(&e, u->first + b, 1);
	e.notify_action = action;
	e.online_type = action; /* the raw kernel value */
	e.status_nid = action == MEMHP_NOTIFY_GOING_ONLINE ? u->nid : -1;
	emit(g, &e);
}

static void request(struct gen *g, const struct unit *u, int b, bool offline, int type)
{
	struct memhp_event e;

	ev_init(&e, MEMHP_EV_REQUEST, "udevd");
	e.start_pfn = (u->first + b) * PPB;
	e.nid = u->nid;
	e.online_type = offline ? MEMHP_MMOP_OFFLINE : (unsigned int)type;
	if (offline)
		e.flags |= MEMHP_F_REQ_OFFLINE;
	timed(&e, 50000, 2000000);
	emit(g, &e);
}

static int group_alloc(struct gen *g)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!g->group_used[i]) {
			g->group_used[i] = true;
			return i;
		}
	return -1;
}

static void reg(struct gen *g, struct unit *u, bool on)
{
	struct memhp_event e;

	ev_init(&e, on ? MEMHP_EV_GROUP_REGISTER : MEMHP_EV_GROUP_UNREGISTER,
		u->vmem ? "modprobe" : "kworker/u4:0");
	if (on) {
		u->gid = group_alloc(g);
		u->gkey = 0xffff888100000000ull + (++g->key_gen << 6);
		u->kernel_pages = u->movable_pages = 0;
	}
	ev_group(&e, u);
	e.group_key = 0; /* register/unregister name the group by id */
	e.nid = u->nid;
	emit(g, &e);
	if (!on) {
		g->group_used[u->gid] = false;
		u->gid = -1;
	}
}

static void add_remove(struct gen *g, struct unit *u, int b, int n, bool add)
{
	struct memhp_event e;

	ev_init(&e, add ? MEMHP_EV_ADD : MEMHP_EV_REMOVE, u->vmem ? "kworker/u4:2" : "kworker/u4:0");
	ev_block(&e, u->first + b, (uint64_t)n);
	e.nid = u->nid;
	ev_group(&e, u);
	e.group_key = 0;
	if (add) {
		snprintf(e.res_name, sizeof(e.res_name), "%s",
			 u->vmem ? "System RAM (virtio_mem)" : "System RAM");
		e.mhp_flags = u->vmem ? 0x1 : 0;
	}
	timed(&e, 200000, 5000000);
	emit(g, &e);
}

/* One online or offline of block b, with request and notifier events. */
static void online_offline(struct gen *g, struct unit *u, int b, bool online)
{
	struct memhp_event e;
	int zone = u->zone[b], fail = 0;

	if (online) {
		zone = u->vmem || pct() < 60 ? 3 : 2;
		if (pct() < 2)
			fail = -ENOMEM;
	} else if (pct() < 8) {
		fail = pct() < 70 ? -EBUSY : -EAGAIN; /* in use: retried later */
	}
	if (!u->vmem)
		request(g, u, b, !online, zone == 3 ? MEMHP_MMOP_ONLINE_MOVABLE
						   : MEMHP_MMOP_ONLINE_KERNEL);
	notify(g, u, b, online ? MEMHP_NOTIFY_GOING_ONLINE : MEMHP_NOTIFY_GOING_OFFLINE);
	if (!fail) {
		uint64_t *p = zone == 3 ? &u->movable_pages : &u->kernel_pages;

		*p = online ? *p + PPB : (*p >= PPB ? *p - PPB : 0);
	}
	ev_init(&e, online ? MEMHP_EV_ONLINE : MEMHP_EV_OFFLINE,
		u->vmem ? "kworker/u4:2" : "udevd");
	ev_block(&e, u->first + b, 1);
	e.ret = fail;
	e.flags |= MEMHP_F_ZONE;
	e.nid = u->nid;
	e.zone_idx = zone;
	snprintf(e.zone_name, sizeof(e.zone_name), "%s", zone == 3 ? "Movable" : "Normal");
	ev_group(&e, u);
	timed(&e, online ? 2000000 : 5000000, online ? 30000000 : 200000000);
	if (online && !fail) {
		e.flags |= MEMHP_F_RELEASED;
		e.released_pages = PPB;
		e.release_calls = u->vmem ? 64 : 32;
		e.callback = u->vmem ? 0xffffffffc0a41230ull : 0xffffffff812a4c10ull;
	}
	emit(g, &e);
	if (fail)
		notify(g, u, b, online ? MEMHP_NOTIFY_CANCEL_ONLINE : MEMHP_NOTIFY_CANCEL_OFFLINE);
	else
		notify(g, u, b, online ? MEMHP_NOTIFY_ONLINE : MEMHP_NOTIFY_OFFLINE);
	if (fail)
		return;
	u->st[b] = online ? U_ONLINE : U_ADDED;
	u->zone[b] = zone;
	if (online && u->vmem) {
		ev_init(&e, MEMHP_EV_COVERAGE, "kworker/u4:2");
		ev_block(&e, u->first + b, 1);
		e.nid = u->nid;
		snprintf(e.res_name, sizeof(e.res_name), "virtio_mem");
		e.backed_pages = e.released_backed = PPB;
		if (pct() < 3) /* the seed bug: backed but left offline */
			e.released_backed = PPB - 512;
		e.region_start_pfn = u->first * PPB;
		e.region_end_pfn = (u->first + u->nblocks) * PPB;
		emit(g, &e);
	}
}

/* Advance one slot/device by one step of its life. */
static void step(struct gen *g, struct unit *u)
{
	int b, n_online = 0, n_added = 0;

	for (b = 0; b < u->nblocks; b++) {
		n_online += u->st[b] == U_ONLINE;
		n_added += u->st[b] == U_ADDED;
	}
	if (u->gid < 0) {
		reg(g, u, true);
		if (!u->vmem)
			add_remove(g, u, 0, u->nblocks, true);
		for (b = 0; !u->vmem && b < u->nblocks; b++)
			u->st[b] = U_ADDED;
		return;
	}
	b = (int)(rnd() % (uint64_t)u->nblocks);
	if (u->vmem) {
		/* virtio-mem plugs and unplugs block by block */
		if (u->st[b] == U_ABSENT) {
			add_remove(g, u, b, 1, true);
			u->st[b] = U_ADDED;
		} else if (u->st[b] == U_ADDED) {
			if (pct() < 85) {
				online_offline(g, u, b, true);
			} else {
				add_remove(g, u, b, 1, false);
				u->st[b] = U_ABSENT;
			}
		} else {
			online_offline(g, u, b, false);
		}
		return;
	}
	/* a DIMM: online all, later offline all, then unplug */
	if (n_added && (n_online || pct() < 90)) {
		for (b = 0; b < u->nblocks && u->st[b] != U_ADDED; b++)
			;
		if (b < u->nblocks)
			online_offline(g, u, b, true);
		return;
	}
	if (n_online) {
		for (b = 0; b < u->nblocks && u->st[b] != U_ONLINE; b++)
			;
		online_offline(g, u, b, false);
		return;
	}
	add_remove(g, u, 0, u->nblocks, false);
	for (b = 0; b < u->nblocks; b++)
		u->st[b] = U_ABSENT;
	reg(g, u, false);
}

#define USAGE "gen-record -n EVENTS [-s SEED] [-S MAX_SIZE] [-k MAX_FILES] [-f MIN_FREE] -o FILE"

/* One line: the problem, or the usage. */
static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "gen-record: %s (usage: " USAGE ")\n", msg);
	else
		fprintf(stderr, "usage: " USAGE "\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct unit units[NR_DIMMS + NR_VMEM];
	struct memhp_model m;
	struct rec_info info;
	struct gen g;
	struct rot_opts ro = { .log = stderr, .prog = "gen-record" };
	const char *out = NULL;
	uint64_t n = 0, seed = 1;
	char *end;
	int c, i, ret;

	memset(&g, 0, sizeof(g));
	while ((c = getopt(argc, argv, "n:s:o:S:k:f:h")) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			n = strtoull(optarg, &end, 0);
			if (errno || *end || !n || *optarg == '-')
				return usage("invalid -n (a number of events > 0)");
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end || *optarg == '-')
				return usage("invalid -s (a number)");
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			if (!cliopt_parse_size(optarg, &ro.max_size) || ro.max_size < ROT_MIN_SIZE)
				return usage("invalid -S (a size of 16K or more)");
			break;
		case 'k': {
			uint64_t k;

			if (!cliopt_parse_u64(optarg, &k) || !k || k > 999999)
				return usage("invalid -k (1 to 999999 files)");
			ro.max_files = (uint32_t)k;
			break;
		}
		case 'f':
			if (!cliopt_parse_size(optarg, &ro.min_free))
				return usage("invalid -f (a size)");
			break;
		case 'h':
			printf("usage: " USAGE "\n");
			return 0;
		default:
			return usage(NULL);
		}
	}
	if (ro.max_files && !ro.max_size)
		return usage("-k needs -S");
	if (!n || !out || optind != argc)
		return usage(!n ? "missing -n" : !out ? "missing -o" : "unexpected argument");
	rng = seed * 0x9E3779B97F4A7C15ull + 1; /* never 0 */

	/* the boot memory, as the recorder's first snapshot record */
	model_init(&m);
	m.block_size = BLOCK_SIZE;
	m.page_size = PAGE_SIZE;
	for (i = 0; i < 2 * BOOT_BLOCKS; i++) {
		struct memhp_block *b = model_block_get(&m, (uint64_t)i);

		if (!b) {
			fprintf(stderr, "gen-record: out of memory\n");
			model_free(&m);
			return 1;
		}
		b->state = MEMHP_BLOCK_ONLINE;
		b->node = i / BOOT_BLOCKS;
		if (model_set_zones(&m, b, i < 8 ? "DMA32" : "Normal", 8)) {
			fprintf(stderr, "gen-record: out of memory\n");
			model_free(&m);
			return 1;
		}
	}
	rec_info_now(&info, &m);
	snprintf(info.release, sizeof(info.release), "gen-record seed %llu",
		 (unsigned long long)seed);
	snprintf(info.hostname, sizeof(info.hostname), "generated");
	info.start_realtime_ns = 1767225600ll * 1000000000ll; /* 2026-01-01: reproducible */
	info.start_monotonic_ns = 10ll * 1000000000ll;
	ro.base = out;
	if (rot_open(&g.w, &ro, &info, &m)) {
		fprintf(stderr, "gen-record: %s\n", g.w.why);
		rot_close(&g.w);
		model_free(&m);
		return 1;
	}
	g.m = &m;
	ret = 0;
	g.now = (uint64_t)info.start_monotonic_ns;
	g.left = n;
	g.err = ret;
	memset(units, 0, sizeof(units));
	for (i = 0; i < NR_DIMMS + NR_VMEM; i++) {
		struct unit *u = &units[i];

		u->vmem = i >= NR_DIMMS;
		u->nid = i % 2;
		u->gid = -1;
		u->nblocks = u->vmem ? VMEM_BLOCKS : DIMM_BLOCKS;
		u->first = u->vmem ? VMEM_BASE + (uint64_t)(i - NR_DIMMS) * VMEM_BLOCKS
				   : DIMM_BASE + (uint64_t)i * DIMM_BLOCKS;
	}
	while (g.left && !g.err)
		step(&g, &units[rnd() % (NR_DIMMS + NR_VMEM)]);
	ret = g.err ? g.err : rot_close(&g.w);
	rot_close(&g.w);
	model_free(&m);
	if (ret) {
		fprintf(stderr, "gen-record: %s\n", g.w.why);
		return 1;
	}
	if (g.w.rotating)
		fprintf(stderr, "gen-record: %llu events to %s.%06u to .%06u (%llu bytes)\n",
			(unsigned long long)n, out, g.w.oldest, g.w.part,
			(unsigned long long)rot_bytes(&g.w));
	else
		fprintf(stderr, "gen-record: %llu events to %s (%llu bytes)\n",
			(unsigned long long)n, out, (unsigned long long)rot_bytes(&g.w));
	return 0;
}
