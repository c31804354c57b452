// SPDX-License-Identifier: GPL-2.0
/*
 * Ring-buffer records -> decode_event() -> model_apply_event() and the text
 * and JSON formatters (user/lib/decode.c, user/lib/model.c, user/lib/ksyms.c).
 *
 * Input: a sequence of records, each a little-endian u16 length and that
 * many bytes (the last one takes what is left), at most 64. Each record is
 * copied into a buffer of exactly its size, so any read past it is caught.
 * Accepted events are applied, in order, to one model with 128 MiB blocks
 * of 4 KiB pages, then printed. Checked: decode_event() only accepts what
 * it documents, strings come out terminated, the model stays sorted and
 * unique and its group table bounded. Then `memhp ls` lists the model
 * (lsmem columns, all columns as JSON, the zone summary) when it has at
 * most 4096 blocks: models filled by events, unlike sysfs snapshots, can
 * hold any block number.
 *
 * MEMHP_FUZZ_SEEDS=DIR: write the seed corpus (valid events of every kind,
 * and a few sequences) to DIR and exit.
 */
#include <inttypes.h>

#include "decode.h"
#include "fuzz_common.h"
#include "ksyms.h"
#include "ls.h"
#include "memhp.h"
#include "model.h"

#define MAX_RECORDS 64
#define BS	    (128ull << 20)
#define PS	    4096ull
#define PPB	    (BS / PS)

/* Symbols the seeds' online-page callbacks name. */
#define CB_GENERIC 0xffffffff812a4c10ull
#define CB_VIRTIO  0xffffffffc0a41230ull
#define CB_HV	   0xffffffffc0b00040ull

static const char kallsyms[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff812a4c10 T generic_online_page\n"
	"ffffffff812a4c10 t generic_online_page.cold\n"
	"ffffffffc0a41230 t virtio_mem_online_page_cb\t[virtio_mem]\n"
	"ffffffffc0b00040 t hv_online_page\t[hv_balloon]\n";

static void check_model(const struct memhp_model *m)
{
	size_t i;

	FZ_CHECK(m->nr_blocks <= m->cap_blocks);
	FZ_CHECK(m->nr_groups <= MEMHP_MAX_GROUPS);
	for (i = 1; i < m->nr_blocks; i++)
		FZ_CHECK(m->blocks[i - 1].id < m->blocks[i].id);
	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];

		FZ_CHECK(strlen(model_zones(m, b)) < MEMHP_ZONES_LEN);
		FZ_CHECK(memchr(model_block_ev(m, b)->onlined_by, 0,
				sizeof(model_block_ev(m, b)->onlined_by)));
	}
	for (i = 0; i < m->nr_groups; i++)
		FZ_CHECK(m->groups[i].key != 0);
}

static void one_record(struct memhp_model *m, const struct time_conv *tc,
		       const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct memhp_event e;
	char why[128];
	int rc;

	FZ_CHECK(copy);
	memcpy(copy, data, len);
	memset(&e, 0xa5, sizeof(e));
	why[0] = '\0';
	rc = decode_event(len ? copy : NULL, len, &e, why, sizeof(why));
	if (rc) {
		FZ_CHECK(rc == -1 && why[0]);
		free(copy);
		return;
	}
	/* What it promises for what it accepts. */
	/* the first layout (256 bytes) is the shortest accepted (memhp.h) */
	FZ_CHECK(len >= MEMHP_EVENT_SIZE_V1);
	FZ_CHECK(e.hdr.abi >= 1 && e.hdr.abi <= MEMHP_ABI_VERSION);
	FZ_CHECK(e.hdr.kind >= 1 && e.hdr.kind < MEMHP_EV_KIND_MAX);
	FZ_CHECK(e.hdr.size >= MEMHP_EVENT_SIZE_V1 && e.hdr.size <= len);
	FZ_CHECK(memchr(e.comm, 0, sizeof(e.comm)));
	FZ_CHECK(memchr(e.zone_name, 0, sizeof(e.zone_name)));
	FZ_CHECK(memchr(e.res_name, 0, sizeof(e.res_name)));
	free(copy);

	model_apply_event(m, &e);
	check_model(m);
	event_print_text(fz_devnull(), &e, model_pages_per_block(m), m->page_size, tc, NULL);
	event_print_json(fz_devnull(), &e, model_pages_per_block(m), m->page_size, tc, NULL);
	/* and with a model that does not know its block size yet */
	event_print_text(fz_devnull(), &e, 0, m->page_size, tc, NULL);
	event_print_json(fz_devnull(), &e, 0, 0, tc, NULL);
}

/* --- seeds ---------------------------------------------------------------- */

static struct memhp_event ev(unsigned int kind, uint64_t block, uint64_t nblocks)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = (unsigned short)kind;
	e.hdr.size = sizeof(e);
	e.ts_ns = 123456789000ull + block * 1000;
	e.duration_ns = 1500000;
	e.cpu = 1;
	e.pid = 321;
	e.flags = MEMHP_F_DURATION;
	snprintf(e.comm, sizeof(e.comm), "%s", "udevd");
	e.start_pfn = block * PPB;
	e.nr_pages = nblocks * PPB;
	e.nid = -1;
	e.zone_idx = -1;
	e.group_id = -1;
	e.group_nid = -1;
	e.status_nid = -1;
	e.online_type = (unsigned int)-1;
	return e;
}

static void zone(struct memhp_event *e, int nid, int idx, const char *name)
{
	e->flags |= MEMHP_F_ZONE;
	e->nid = nid;
	e->zone_idx = idx;
	snprintf(e->zone_name, sizeof(e->zone_name), "%s", name);
}

static void group(struct memhp_event *e, int id, bool dyn, uint64_t key)
{
	e->flags |= MEMHP_F_GROUP | (id >= 0 ? MEMHP_F_GROUP_ID : 0) |
		    (dyn ? MEMHP_F_GROUP_DYNAMIC : 0);
	e->group_id = id;
	e->group_nid = 1;
	e->group_pages = dyn ? PPB : 8 * PPB;
	e->group_key = key;
	e->group_kernel_pages = 2 * PPB;
	e->group_movable_pages = 6 * PPB;
}

struct seedbuf {
	uint8_t b[16384];
	size_t n;
};

static void put_raw(struct seedbuf *s, const void *p, size_t len)
{
	FZ_CHECK(s->n + 2 + len <= sizeof(s->b));
	s->b[s->n++] = (uint8_t)(len & 0xff);
	s->b[s->n++] = (uint8_t)(len >> 8);
	memcpy(s->b + s->n, p, len);
	s->n += len;
}

static void put(struct seedbuf *s, const struct memhp_event *e)
{
	put_raw(s, e, sizeof(*e));
}

static void save(const char *dir, const char *name, const struct seedbuf *s)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FZ_CHECK(!fz_write_file(path, s->b, s->n));
}

static void save_one(const char *dir, const char *name, const struct memhp_event *e)
{
	struct seedbuf s = { .n = 0 };

	put(&s, e);
	save(dir, name, &s);
}

static void write_seeds(const char *dir)
{
	struct memhp_event e, a[8];
	struct seedbuf s;
	int i;

	/* one of each kind */
	e = ev(MEMHP_EV_ADD, 32, 4);
	e.nid = 1;
	e.mhp_flags = 1;
	snprintf(e.res_name, sizeof(e.res_name), "System RAM (virtio_mem)");
	group(&e, 3, true, 0);
	save_one(dir, "add-virtio-mem", &e);

	e = ev(MEMHP_EV_ONLINE, 32, 1);
	zone(&e, 1, 3, "Movable");
	group(&e, 3, true, 0xffff888100a0b000ull);
	e.flags |= MEMHP_F_RELEASED;
	e.released_pages = PPB - 512;
	e.release_calls = 63;
	e.callback = CB_VIRTIO;
	save_one(dir, "online-virtio-partial", &e);

	e = ev(MEMHP_EV_ONLINE, 8, 1);
	zone(&e, 0, 2, "Normal");
	e.flags |= MEMHP_F_RELEASED;
	e.released_pages = PPB;
	e.release_calls = PPB / 512;
	e.callback = CB_GENERIC;
	save_one(dir, "online-normal", &e);

	e = ev(MEMHP_EV_ONLINE, 9, 1);
	e.ret = -16;
	e.flags |= MEMHP_F_KPROBE;
	save_one(dir, "online-ebusy-kprobe", &e);

	e = ev(MEMHP_EV_OFFLINE, 33, 1);
	zone(&e, 1, 3, "Movable");
	group(&e, 3, true, 0xffff888100a0b000ull);
	save_one(dir, "offline", &e);

	e = ev(MEMHP_EV_OFFLINE, 34, 1);
	e.ret = -11;
	save_one(dir, "offline-eagain", &e);

	e = ev(MEMHP_EV_REMOVE, 32, 4);
	e.nid = 1;
	save_one(dir, "remove", &e);

	e = ev(MEMHP_EV_GROUP_REGISTER, 0, 0);
	group(&e, 3, false, 0);
	e.group_pages = 8 * PPB;
	save_one(dir, "group-register-static", &e);

	e = ev(MEMHP_EV_GROUP_UNREGISTER, 0, 0);
	group(&e, 3, false, 0);
	save_one(dir, "group-unregister", &e);

	e = ev(MEMHP_EV_NOTIFY, 40, 1);
	e.notify_action = MEMHP_NOTIFY_GOING_ONLINE;
	e.status_nid = 2;
	e.ret = 0x8000;
	save_one(dir, "notify-going-online", &e);

	e = ev(MEMHP_EV_REQUEST, 40, 0);
	e.online_type = MEMHP_MMOP_ONLINE_MOVABLE;
	e.vmemmap_pages = 512;
	snprintf(e.comm, sizeof(e.comm), "memhp-online");
	save_one(dir, "request-online-movable", &e);

	e = ev(MEMHP_EV_REQUEST, 40, 0);
	e.flags |= MEMHP_F_REQ_OFFLINE;
	e.online_type = MEMHP_MMOP_OFFLINE;
	save_one(dir, "request-offline", &e);

	e = ev(MEMHP_EV_COVERAGE, 64, 1);
	snprintf(e.res_name, sizeof(e.res_name), "hv_balloon");
	e.backed_pages = PPB / 2;
	e.released_backed = PPB / 4;
	e.released_uncovered = 128;
	e.region_start_pfn = 64 * PPB;
	e.region_end_pfn = 72 * PPB;
	e.callback = CB_HV;
	save_one(dir, "coverage-findings", &e);

	/* strings without a terminator, odd bytes */
	e = ev(MEMHP_EV_ADD, 100, 1);
	memset(e.comm, 'A', sizeof(e.comm));
	memset(e.zone_name, 0xff, sizeof(e.zone_name));
	memset(e.res_name, '"', sizeof(e.res_name));
	e.flags = ~0u;
	save_one(dir, "unterminated-strings", &e);

	/* a longer record (newer minor ABI: tail ignored) and short ones */
	{
		uint8_t big[sizeof(struct memhp_event) + 64];

		e = ev(MEMHP_EV_ONLINE, 3, 1);
		e.hdr.size = sizeof(big);
		memset(big, 0x5a, sizeof(big));
		memcpy(big, &e, sizeof(e));
		s.n = 0;
		put_raw(&s, big, sizeof(big));
		save(dir, "longer-record", &s);
		s.n = 0;
		put_raw(&s, &e, sizeof(struct memhp_event_hdr));
		put_raw(&s, &e, sizeof(e) - 1);
		save(dir, "short-records", &s);
	}
	e = ev(MEMHP_EV_ONLINE, 3, 1);
	e.hdr.abi = MEMHP_ABI_VERSION + 1;
	save_one(dir, "newer-abi", &e);
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = MEMHP_EV_KIND_MAX;
	save_one(dir, "unknown-kind", &e);

	/* a hotplug sequence: register, add, request+online x2, offline, remove */
	s.n = 0;
	e = ev(MEMHP_EV_GROUP_REGISTER, 0, 0);
	group(&e, 1, false, 0);
	put(&s, &e);
	e = ev(MEMHP_EV_ADD, 16, 2);
	e.nid = 1;
	group(&e, 1, false, 0);
	snprintf(e.res_name, sizeof(e.res_name), "System RAM");
	put(&s, &e);
	for (i = 0; i < 2; i++) {
		a[i] = ev(MEMHP_EV_REQUEST, 16 + (uint64_t)i, 0);
		a[i].online_type = MEMHP_MMOP_ONLINE_KERNEL;
		put(&s, &a[i]);
		a[i] = ev(MEMHP_EV_ONLINE, 16 + (uint64_t)i, 1);
		zone(&a[i], 1, 2, "Normal");
		group(&a[i], 1, false, 0xffff888100c00000ull);
		put(&s, &a[i]);
	}
	e = ev(MEMHP_EV_OFFLINE, 17, 1);
	group(&e, 1, false, 0xffff888100c00000ull);
	put(&s, &e);
	e = ev(MEMHP_EV_REMOVE, 16, 2);
	put(&s, &e);
	e = ev(MEMHP_EV_GROUP_UNREGISTER, 0, 0);
	group(&e, 1, false, 0);
	put(&s, &e);
	save(dir, "sequence-dimm", &s);

	/* out-of-order blocks, huge pfns, wrapping ranges */
	s.n = 0;
	e = ev(MEMHP_EV_ADD, 50, 3);
	put(&s, &e);
	e = ev(MEMHP_EV_ADD, 10, 2);
	put(&s, &e);
	e = ev(MEMHP_EV_ONLINE, 0, 1);
	e.start_pfn = UINT64_MAX - PPB + 1;
	e.nr_pages = 2 * PPB;
	put(&s, &e);
	e = ev(MEMHP_EV_REMOVE, 11, 40);
	put(&s, &e);
	save(dir, "sequence-odd-ranges", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("MEMHP_FUZZ_SEEDS");
	static char path[PATH_MAX];

	(void)argc;
	(void)argv;
	if (seeds) {
		write_seeds(seeds);
		exit(0);
	}
	snprintf(path, sizeof(path), "%s/kallsyms", fz_tmpdir());
	FZ_CHECK(!fz_write_file(path, kallsyms, sizeof(kallsyms) - 1));
	ksym_set_path(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	/* realtime - monotonic of a host booted in late 2023 */
	struct time_conv tc = { .offset_ns = 1700000000ll * 1000000000ll };
	struct memhp_model m;
	int n, rc;

	model_init(&m);
	m.block_size = BS;
	m.page_size = PS;
	for (n = 0; n < MAX_RECORDS && in.n; n++) {
		size_t len = fz_u16(&in);

		if (len > in.n || n == MAX_RECORDS - 1)
			len = in.n;
		one_record(&m, &tc, in.p, len);
		in.p += len;
		in.n -= len;
	}
	/* (listing is linear in blocks; a few thousand say all it can) */
	if (m.nr_blocks && m.nr_blocks <= 4096) {
		static const char *const sets[][5] = {
			{ "ls", NULL },
			{ "ls", "-J", "--output-all", "-a", NULL },
			{ "ls", "-Z", NULL },
			{ "ls", "-r", "-b", "-o", "+NODE,GROUP,ONLINE-TYPE,ONLINED-BY" },
		};
		size_t k;

		for (k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
			int argc = 0;

			while (argc < 5 && sets[k][argc])
				argc++;
			rc = ls_main_model(argc, (char **)sets[k], &m, fz_devnull(),
					   fz_devnull());
			FZ_CHECK(rc == LS_EXIT_OK || rc == LS_EXIT_ERROR);
		}
	}
	model_free(&m);
	return 0;
}
