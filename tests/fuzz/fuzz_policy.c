// SPDX-License-Identifier: GPL-2.0
/*
 * Policy files (lib/policy_parse.c, YAML via libyaml) -> policy_parse(), and
 * a parsed policy evaluated over a small fixed system: two nodes with DMA32,
 * Normal and Movable memory, a DIMM (static group) spanning two zones, a
 * virtio-mem device (dynamic group), a balloon without compaction, a model
 * with a coverage finding and per-block event statistics with failures and
 * slow onlines. Every violation is formatted, and the policy is watched
 * twice (appear, then nothing new).
 *
 * Checked: parse returns 0 or -EINVAL/-ENOMEM with a message, and leaves
 * the policy empty on error; a parsed policy's rules are in range and their
 * strings terminated; evaluation returns the number of violations it lists,
 * each naming an existing rule, with terminated strings.
 * MEMHP_FUZZ_DUMP=1 prints the violations.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PPB 32768ull /* 128 MiB blocks of 4 KiB pages */

static struct za_state za;
static struct zi_device devs[2];
static struct memhp_model model;
static struct policy_tracker tracker;
static const struct policy_balloon balloons[] = {
	{ "virtio_balloon", 0 },
	{ "hv_balloon", -1 },
};

static void build_state(void)
{
	struct memhp_event e;
	uint64_t id;
	int dimm, vmem, i;

	FZ_CHECK(!za_init(&za, PPB));
	za.cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	for (id = 0; id < 8; id++)
		FZ_CHECK(!za_block_add_boot(&za, id, 0, id < 4 ? ZA_ZONE_DMA32 : ZA_ZONE_NORMAL));
	for (id = 32; id < 40; id++)
		FZ_CHECK(!za_block_add_boot(&za, id, 1, ZA_ZONE_NORMAL));
	dimm = za_group_register_static(&za, 0, 4 * PPB, "PNP0C80:00");
	vmem = za_group_register_dynamic(&za, 1, PPB, "virtio2");
	FZ_CHECK(dimm >= 0 && vmem >= 0);
	for (id = 64; id < 68; id++) {
		FZ_CHECK(!za_block_add(&za, id, 0, dimm));
		za_online(&za, id, id < 66 ? ZA_MMOP_ONLINE_MOVABLE : ZA_MMOP_ONLINE_KERNEL,
			  NULL);
	}
	for (id = 80; id < 88; id++) {
		FZ_CHECK(!za_block_add(&za, id, 1, vmem));
		za_online(&za, id, ZA_MMOP_ONLINE_MOVABLE, NULL);
	}
	devs[0] = (struct zi_device){ .kind = ZI_DEV_DIMM, .name = "PNP0C80:00",
				      .group = dimm, .nid = 0 };
	devs[1] = (struct zi_device){ .kind = ZI_DEV_VIRTIO_MEM, .name = "virtio2",
				      .group = vmem, .nid = 1, .region_first = 80,
				      .region_end = 96, .unit_pages = PPB };

	model_init(&model);
	model.block_size = PPB * 4096;
	policy_tracker_init(&tracker);
	for (i = 0; i < 12; i++) {
		memset(&e, 0, sizeof(e));
		e.hdr.abi = MEMHP_ABI_VERSION;
		e.hdr.size = sizeof(e);
		e.hdr.kind = i % 3 ? MEMHP_EV_ONLINE : MEMHP_EV_OFFLINE;
		e.ret = i % 4 ? -16 : 0;
		e.start_pfn = (64 + (uint64_t)(i % 5)) * PPB;
		e.nr_pages = PPB;
		e.flags = MEMHP_F_DURATION;
		e.duration_ns = (uint64_t)i * 90000000ull;
		FZ_CHECK(!policy_track_event(&tracker, &e, PPB));
		model_apply_event(&model, &e);
	}
	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.size = sizeof(e);
	e.hdr.kind = MEMHP_EV_COVERAGE;
	e.start_pfn = 80 * PPB;
	e.nr_pages = PPB;
	e.backed_pages = PPB / 2;
	e.released_backed = PPB / 4;
	e.released_uncovered = 64;
	snprintf(e.res_name, sizeof(e.res_name), "hv_balloon");
	model_apply_event(&model, &e);
}

static void transition(enum policy_transition t, const struct policy *p,
		       const struct policy_violation *v, void *ctx)
{
	unsigned int *n = ctx;

	FZ_CHECK(t == POL_APPEAR || t == POL_CLEAR);
	FZ_CHECK(v->rule < p->nr);
	(*n)++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	build_state();
	return 0;
}

static void evaluate(const struct policy *p)
{
	struct policy_state s = {
		.za = &za, .devs = devs, .nr_devs = 2, .page_size = 4096,
		.model = &model, .balloons = balloons, .nr_balloons = 2,
		.events = &tracker,
	};
	struct policy_result r;
	struct policy_watch w;
	char buf[512], key[256];
	unsigned int seen = 0;
	size_t i;
	int n, n2;

	policy_result_init(&r);
	n = policy_evaluate(p, &s, &r);
	FZ_CHECK(n >= 0 || n == -ENOMEM || n == -EINVAL);
	if (n >= 0) {
		FZ_CHECK((size_t)n == r.nr);
		for (i = 0; i < r.nr; i++) {
			const struct policy_violation *v = &r.v[i];

			FZ_CHECK(v->rule < p->nr);
			FZ_CHECK(memchr(v->object, 0, sizeof(v->object)));
			FZ_CHECK(memchr(v->detail, 0, sizeof(v->detail)));
			policy_violation_text(p, v, buf, sizeof(buf));
			FZ_CHECK(memchr(buf, 0, sizeof(buf)));
			if (getenv("MEMHP_FUZZ_DUMP")) /* debugging: show it */
				fz_err("%s\n", buf);
			policy_violation_text(p, v, buf, 8);
			FZ_CHECK(memchr(buf, 0, 8));
			policy_violation_key(v, key, sizeof(key));
			FZ_CHECK(memchr(key, 0, sizeof(key)));
		}
		policy_count_at_least(p, &r, POL_SEV_WARNING);
	}
	policy_result_free(&r);
	/* watched: everything appears once, then nothing changes */
	s.events = NULL;
	policy_watch_init(&w);
	n = policy_watch_eval(&w, p, &s, transition, &seen);
	if (n >= 0) {
		FZ_CHECK(seen == (unsigned int)n);
		seen = 0;
		n2 = policy_watch_eval(&w, p, &s, transition, &seen);
		FZ_CHECK(n2 == n && seen == 0);
	}
	policy_watch_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	char err[512];
	size_t i;
	int rc;

	memset(&p, 0x5a, sizeof(p));
	err[0] = '\0';
	rc = policy_parse((const char *)data, size, "fuzz.conf", &p, err, sizeof(err));
	if (rc) {
		FZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
		FZ_CHECK(err[0] && memchr(err, 0, sizeof(err)));
		FZ_CHECK(!p.nr && !p.rules);
		policy_free(&p);
		return 0;
	}
	FZ_CHECK(p.nr <= POL_MAX_RULES);
	for (i = 0; i < p.nr; i++) {
		const struct policy_rule *r = &p.rules[i];

		FZ_CHECK(r->type >= 0 && r->type < POL_NR_RULE_TYPES);
		FZ_CHECK(r->severity >= POL_SEV_INFO && r->severity <= POL_SEV_CRITICAL);
		FZ_CHECK(memchr(r->name, 0, sizeof(r->name)));
		FZ_CHECK(memchr(r->group_name, 0, sizeof(r->group_name)));
		FZ_CHECK(r->line >= 1);
		FZ_CHECK(policy_rule_type_from_name(policy_rule_type_name(r->type)) ==
			 (int)r->type);
	}
	evaluate(&p);
	policy_free(&p);
	return 0;
}
