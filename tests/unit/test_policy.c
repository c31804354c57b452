// SPDX-License-Identifier: GPL-2.0
/*
 * user/lib/policy_parse.c: the policy parser (good and bad fixtures with exact line
 * numbers, inline edge cases) and every rule over constructed states, plus
 * the continuous appear/clear evaluation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "zonealgo.h"
#include "zoneinfo.h"

#define PPB 32768ULL /* 128 MiB blocks of 4 KiB pages */

static char data_dir[4096];

static void find_data_dir(void)
{
	const char *src = __FILE__;
	const char *slash = strrchr(src, '/');

	snprintf(data_dir, sizeof(data_dir), "%.*s/../data",
		 slash ? (int)(slash - src) : 1, slash ? src : ".");
}

static int load_fixture(const char *name, struct policy *p, char *err,
			size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	return policy_load(path, p, err, errlen);
}

static int parse_str(const char *s, struct policy *p, char *err, size_t len)
{
	return policy_parse(s, strlen(s), "t.yaml", p, err, len);
}

/* --- parser ------------------------------------------------------------------ */

static void test_parse_good(void **unused)
{
	struct policy p;
	char err[512] = "";

	assert_int_equal(load_fixture("policy-good.conf", &p, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(p.nr, 12);
	assert_int_equal(p.version, 1);
	assert_string_equal(p.rules[0].name, "global-ratio");
	assert_int_equal(p.rules[0].type, POL_MAX_RATIO);
	assert_int_equal(p.rules[0].scope, POL_SCOPE_GLOBAL);
	assert_int_equal(p.rules[0].max, 301);
	assert_int_equal(p.rules[0].severity, POL_SEV_CRITICAL);
	assert_int_equal(p.rules[0].line, 4);
	assert_int_equal(p.rules[1].scope, POL_SCOPE_NODE);
	assert_int_equal(p.rules[1].node, 1);
	assert_int_equal(p.rules[1].severity, POL_SEV_WARNING);
	assert_int_equal(p.rules[2].groups, POL_GROUPS_DYNAMIC);
	assert_int_equal(p.rules[2].severity, POL_SEV_INFO);
	assert_int_equal(p.rules[3].type, POL_SINGLE_ZONE_GROUP);
	assert_int_equal(p.rules[3].line, 20);
	/* unnamed: named after the type */
	assert_string_equal(p.rules[4].name, "normal-below-movable");
	assert_int_equal(p.rules[4].severity, POL_SEV_CRITICAL);
	assert_int_equal(p.rules[4].line, 22);
	assert_int_equal(p.rules[5].min_bytes, 512ull << 20);
	assert_int_equal(p.rules[5].ratio, 301);
	assert_int_equal(p.rules[7].max, 3);
	assert_int_equal(p.rules[8].max, 0);
	assert_int_equal(p.rules[9].max, 250000000ull);
	assert_int_equal(p.rules[10].severity, POL_SEV_CRITICAL); /* default */
	assert_int_equal(p.rules[11].severity, POL_SEV_INFO);
	assert_true(policy_rule_needs_events(p.rules[9].type));
	assert_false(policy_rule_needs_events(p.rules[0].type));
	policy_free(&p);
}

static void test_parse_bad_fixtures(void **unused)
{
	static const struct {
		const char *file, *msg;
	} cases[] = {
		{ "policy-bad-yaml.conf",
		  "policy-bad-yaml.conf:6: YAML: did not find expected ',' or ']' (while parsing a flow sequence started on line 5)" },
		{ "policy-bad-key.conf",
		  "policy-bad-key.conf:7: unknown key \"maximum\"" },
		{ "policy-bad-value.conf",
		  "policy-bad-value.conf:7: max: \"3.015\" is not a ratio" },
		{ "policy-bad-type.conf",
		  "policy-bad-type.conf:6: unknown rule type \"no-such-rule\"" },
		{ "policy-bad-dup.conf",
		  "policy-bad-dup.conf:6: rule name \"r1\" is already used on line 3" },
		{ "policy-bad-version.conf",
		  "policy-bad-version.conf:2: missing \"version: 1\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		char err[512] = "";

		assert_int_equal(load_fixture(cases[i].file, &p, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("%s: got \"%s\"", cases[i].file, err);
		assert_null(p.rules);
		assert_int_equal(p.nr, 0);
	}
}

static void test_parse_inline(void **unused)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "t.yaml: empty policy" },
		{ "- a\n- b\n", "t.yaml:1: the top level must be a mapping" },
		{ "version: 2\nrules: []\n", "t.yaml:1: version 2 is not supported" },
		{ "version: 1\n", "t.yaml:1: missing \"rules:\"" },
		{ "version: 1\nversion: 1\nrules: []\n",
		  "t.yaml:2: duplicate key \"version\"" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: 301\n    max: 302\n",
		  "t.yaml:5: duplicate key \"max\"" },
		{ "version: 1\nrules: {a: 1}\n", "t.yaml:2: rules: expected a list" },
		{ "version: 1\nrules:\n  - max-ratio\n",
		  "t.yaml:3: a rule must be a mapping" },
		{ "version: 1\nrules:\n  - max: 3\n",
		  "t.yaml:3: rule without \"rule: TYPE\"" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n",
		  "t.yaml:3: rule max-ratio needs \"max\"" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: -1\n",
		  "t.yaml:4: max: \"-1\" is not a ratio" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: 99999999999\n",
		  "t.yaml:4: max: \"99999999999\" is not a ratio" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: 3.5%\n",
		  "t.yaml:4: max: \"3.5%\" is not a ratio" },
		{ "version: 1\nrules:\n  - rule: kernel-reserve\n    min: 1.5Q\n",
		  "t.yaml:4: min: \"1.5Q\" is not a size" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: 1\n    node: 0\n",
		  "t.yaml:3: \"node\" needs scope node or group" },
		{ "version: 1\nrules:\n  - rule: max-ratio\n    max: 1\n    scope: zone\n",
		  "t.yaml:5: scope: \"zone\" is not global, node or group" },
		{ "version: 1\nrules:\n  - rule: balloon-movable\n    max: 1\n",
		  "t.yaml:4: key \"max\" does not apply to rule balloon-movable" },
		{ "version: 1\nrules:\n  - rule: kernel-reserve\n    min: 12X\n",
		  "t.yaml:4: min: \"12X\" is not a size" },
		{ "version: 1\nrules:\n  - rule: online-latency\n    max: 5 minutes\n",
		  "t.yaml:4: max: \"5 minutes\" is not a duration" },
		{ "version: 1\nrules:\n  - rule: balloon-movable\n    severity: fatal\n",
		  "t.yaml:4: severity: \"fatal\" is not info, warning or critical" },
		{ "version: 1\nrules:\n  - rule: balloon-movable\n    name: a b\n",
		  "t.yaml:4: name: use letters" },
		{ "version: 1\nrules:\n  - rule: [a]\n", "t.yaml:3: rule: expected a single value" },
		{ "version: 1\nrules: []\n---\nversion: 1\n",
		  "t.yaml:4: only one YAML document is allowed" },
		{ "version: 1\nrules:\n\t- rule: x\n", "t.yaml:3: YAML: found character that cannot start any token" },
		{ "version: 1\nfoo: 1\nrules: []\n", "t.yaml:2: unknown key \"foo\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy p;
		char err[512] = "";

		assert_int_equal(parse_str(cases[i].text, &p, err, sizeof(err)),
				 -EINVAL);
		if (strncmp(err, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i,
				 cases[i].msg, err);
	}
}

/* Ratios as export and top print them, and sizes as the options take them
 * (issue #15): 3.01 = 301% = 301; 512MB decimal, 512M binary, 1.5G. */
static void test_parse_units(void **unused)
{
	struct policy p;
	char err[512] = "";

	(void)unused;
	assert_int_equal(parse_str("version: 1\nrules:\n"
				   "  - {name: a, rule: max-ratio, max: 3.01}\n"
				   "  - {name: b, rule: max-ratio, max: 301%}\n"
				   "  - {name: c, rule: max-ratio, max: 301}\n"
				   "  - {name: d, rule: kernel-reserve, min: 512MB, ratio: 2.5}\n"
				   "  - {name: e, rule: kernel-reserve, min: 512M}\n"
				   "  - {name: f, rule: kernel-reserve, min: 1.5G}\n"
				   "  - {name: g, rule: kernel-reserve, min: 2 GiB}\n",
				   &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.nr, 7);
	assert_int_equal(p.rules[0].max, 301);
	assert_int_equal(p.rules[1].max, 301);
	assert_int_equal(p.rules[2].max, 301);
	assert_int_equal(p.rules[3].min_bytes, 512000000ull);
	assert_int_equal(p.rules[3].ratio, 250);
	assert_int_equal(p.rules[4].min_bytes, 512ull << 20);
	assert_int_equal(p.rules[5].min_bytes, 3ull << 29);
	assert_int_equal(p.rules[6].min_bytes, 2ull << 30);
	policy_free(&p);
}

static void test_parse_edge(void **unused)
{
	struct policy p;
	char err[512] = "";
	char buf[64] = "version: 1\nrules: []\n";

	/* an empty rule list is valid */
	assert_int_equal(parse_str(buf, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nr, 0);
	policy_free(&p);
	/* a NUL byte */
	buf[3] = '\0';
	assert_int_equal(policy_parse(buf, 20, "n", &p, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "n: NUL byte: not a text file");
	/* a default severity for all rules, overridden per rule */
	assert_int_equal(parse_str("version: 1\nseverity: info\nrules:\n"
				   "  - rule: uncovered-online\n"
				   "  - rule: max-ratio\n    max: 1\n    severity: critical\n"
				   "  - rule: kernel-reserve\n    min: 1 GiB\n"
				   "    node: 3\n  - rule: online-latency\n    max: 2s\n"
				   "  - rule: single-zone-group\n    group: PNP0C80:00\n",
				   &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.nr, 5);
	assert_int_equal(p.rules[0].severity, POL_SEV_INFO);
	assert_int_equal(p.rules[1].severity, POL_SEV_CRITICAL);
	assert_int_equal(p.rules[2].min_bytes, 1ull << 30);
	assert_int_equal(p.rules[2].node, 3);
	assert_int_equal(p.rules[3].max, 2000000000ull);
	assert_string_equal(p.rules[4].group_name, "PNP0C80:00");
	policy_free(&p);
	/* no such file */
	assert_int_equal(policy_load("/nonexistent/p.yaml", &p, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/p.yaml: No such file or directory");
	/* garbage of every byte value never crashes */
	for (int seed = 1; seed < 200; seed++) {
		char g[256];

		srand((unsigned int)seed);
		for (size_t i = 0; i < sizeof(g); i++)
			g[i] = (char)(rand() % 255 + 1);
		if (policy_parse(g, sizeof(g), "g", &p, err, sizeof(err)) == 0)
			policy_free(&p);
	}
}

/* --- constructed states ------------------------------------------------------- */

/*
 * Node 0: blocks 1-15 DMA32 (boot). Node 1 (optional): blocks 32-47 Normal
 * (boot). A DIMM of 8 blocks at 64-71 on node 0, offline.
 */
struct fx {
	struct za_state st;
	struct zi_device dev;
	int dimm;
	struct policy p;
	struct policy_result r;
	struct policy_state ps;
};

static void fx_init(struct fx *f, bool node1)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(za_init(&f->st, PPB), 0);
	f->st.cfg.policy = ZA_POLICY_AUTO_MOVABLE;
	for (uint64_t b = 1; b < 16; b++)
		assert_int_equal(za_block_add_boot(&f->st, b, 0, ZA_ZONE_DMA32), 0);
	if (node1)
		for (uint64_t b = 32; b < 48; b++)
			assert_int_equal(za_block_add_boot(&f->st, b, 1,
							   ZA_ZONE_NORMAL),
					 0);
	f->dimm = za_group_register_static(&f->st, 0, 8 * PPB, "PNP0C80:00");
	assert_true(f->dimm >= 0);
	for (uint64_t b = 64; b < 72; b++)
		assert_int_equal(za_block_add(&f->st, b, 0, f->dimm), 0);
	snprintf(f->dev.name, sizeof(f->dev.name), "PNP0C80:00");
	f->dev.group = f->dimm;
	f->ps.za = &f->st;
	f->ps.devs = &f->dev;
	f->ps.nr_devs = 1;
	f->ps.page_size = 4096;
	policy_result_init(&f->r);
}

static void fx_policy(struct fx *f, const char *rules)
{
	char text[2048], err[512] = "";

	snprintf(text, sizeof(text), "version: 1\nrules:\n%s", rules);
	if (parse_str(text, &f->p, err, sizeof(err)))
		fail_msg("policy: %s", err);
}

static int fx_eval(struct fx *f)
{
	return policy_evaluate(&f->p, &f->ps, &f->r);
}

static void fx_free(struct fx *f)
{
	policy_result_free(&f->r);
	policy_free(&f->p);
	za_free(&f->st);
}

static void online_range(struct fx *f, uint64_t a, uint64_t b, int type)
{
	for (uint64_t i = a; i <= b; i++)
		assert_int_equal(za_online(&f->st, i, type, NULL), 0);
}

static void test_rule_ratio(void **unused)
{
	struct fx f;
	char line[1024];

	fx_init(&f, true);
	fx_policy(&f, "  - {name: g, rule: max-ratio, scope: global, max: 20}\n"
		      "  - {name: n, rule: max-ratio, scope: node, max: 50}\n"
		      "  - {name: n1, rule: max-ratio, scope: node, node: 1, max: 1}\n"
		      "  - {name: grp, rule: max-ratio, scope: group, max: 1000}\n");
	assert_int_equal(fx_eval(&f), 0); /* nothing Movable yet */
	online_range(&f, 64, 71, ZA_MMOP_ONLINE_MOVABLE);
	/* global: 8 Movable / 31 kernel early = 25; node 0: 8/15 = 53 */
	assert_int_equal(fx_eval(&f), 3);
	assert_string_equal(f.r.v[0].object, "global");
	assert_int_equal(f.r.v[0].actual, 25);
	assert_int_equal(f.r.v[0].limit, 20);
	assert_int_equal(f.r.v[0].unit, POL_UNIT_PERCENT);
	assert_string_equal(f.r.v[1].object, "node 0");
	assert_int_equal(f.r.v[1].node, 0);
	assert_int_equal(f.r.v[1].actual, 53);
	assert_int_equal(f.r.v[1].limit, 50);
	/* the group: all Movable, no kernel pages: infinite */
	assert_string_equal(f.r.v[2].object, "group 0 (PNP0C80:00)");
	assert_true(f.r.v[2].infinite);
	assert_true(f.r.v[2].has_blocks);
	assert_int_equal(f.r.v[2].first_block, 64);
	assert_int_equal(f.r.v[2].last_block, 71);
	policy_violation_text(&f.p, &f.r.v[1], line, sizeof(line));
	assert_string_equal(line,
			    "warning n [max-ratio] node 0: MOVABLE:KERNEL 53 exceeds 50 (Movable 1 GiB, kernel early 1.88 GiB) (actual 53, limit 50)");
	policy_violation_text(&f.p, &f.r.v[2], line, sizeof(line));
	assert_non_null(strstr(line, "group 0 (PNP0C80:00) memory64-71: MOVABLE:KERNEL inf"));
	assert_true(f.r.evaluated[0] && f.r.evaluated[3]);
	assert_int_equal(policy_count_at_least(&f.p, &f.r, POL_SEV_CRITICAL), 0);
	assert_int_equal(policy_count_at_least(&f.p, &f.r, POL_SEV_INFO), 3);
	fx_free(&f);
}

static void test_rule_single_zone(void **unused)
{
	struct fx f;
	char line[1024];

	fx_init(&f, false);
	fx_policy(&f, "  - {name: dimm, rule: single-zone-group, severity: critical}\n"
		      "  - {name: other, rule: single-zone-group, group: 7}\n");
	online_range(&f, 64, 71, ZA_MMOP_ONLINE_MOVABLE);
	assert_int_equal(fx_eval(&f), 0);
	assert_int_equal(za_offline(&f.st, 70), 0);
	assert_int_equal(za_offline(&f.st, 71), 0);
	online_range(&f, 70, 71, ZA_MMOP_ONLINE_KERNEL);
	assert_int_equal(fx_eval(&f), 1);
	assert_int_equal(f.r.v[0].rule, 0);
	assert_int_equal(f.r.v[0].actual, 2);
	assert_int_equal(f.r.v[0].limit, 1);
	assert_int_equal(f.r.v[0].group, f.dimm);
	assert_int_equal(f.r.v[0].first_block, 64);
	assert_int_equal(f.r.v[0].last_block, 71);
	policy_violation_text(&f.p, &f.r.v[0], line, sizeof(line));
	assert_string_equal(line,
			    "critical dimm [single-zone-group] group 0 (PNP0C80:00) memory64-71: onlined into 2 zones: Normal 2 blocks (memory70..71), Movable 6 blocks (memory64..69) (actual 2, limit 1)");
	fx_free(&f);
}

static void test_rule_normal_below_movable(void **unused)
{
	struct fx f;

	fx_init(&f, false);
	fx_policy(&f, "  - rule: normal-below-movable\n");
	online_range(&f, 64, 67, ZA_MMOP_ONLINE_KERNEL);
	online_range(&f, 68, 71, ZA_MMOP_ONLINE_MOVABLE);
	assert_int_equal(fx_eval(&f), 0); /* Normal 64-67 below Movable 68-71 */
	fx_free(&f);

	fx_init(&f, false);
	fx_policy(&f, "  - rule: normal-below-movable\n");
	online_range(&f, 64, 67, ZA_MMOP_ONLINE_MOVABLE);
	online_range(&f, 68, 71, ZA_MMOP_ONLINE_KERNEL);
	assert_int_equal(fx_eval(&f), 1);
	assert_string_equal(f.r.v[0].object, "node 0 Normal");
	assert_int_equal(f.r.v[0].zone, ZA_ZONE_NORMAL);
	assert_int_equal(f.r.v[0].unit, POL_UNIT_PFN);
	assert_int_equal(f.r.v[0].actual, 72 * PPB); /* Normal's end */
	assert_int_equal(f.r.v[0].limit, 64 * PPB);  /* Movable's start */
	assert_non_null(strstr(f.r.v[0].detail, "above Movable"));
	fx_free(&f);
}

static void test_rule_kernel_reserve(void **unused)
{
	struct fx f;

	fx_init(&f, false);
	/* 15 blocks = 1920 MiB of kernel memory on node 0 */
	fx_policy(&f, "  - {name: big, rule: kernel-reserve, min: 2G}\n"
		      "  - {name: r, rule: kernel-reserve, min: 1G, ratio: 100}\n");
	assert_int_equal(fx_eval(&f), 1);
	assert_string_equal(f.r.v[0].object, "node 0");
	assert_int_equal(f.r.v[0].actual, 15 * PPB * 4096);
	assert_int_equal(f.r.v[0].limit, 2ull << 30);
	online_range(&f, 64, 71, ZA_MMOP_ONLINE_MOVABLE);
	/* rule r: (1920 - 1024) MiB * 100% = 896 MiB < 1 GiB Movable */
	assert_int_equal(fx_eval(&f), 2);
	assert_int_equal(f.r.v[1].rule, 1);
	assert_int_equal(f.r.v[1].actual, 1ull << 30);
	assert_int_equal(f.r.v[1].limit, 896ull << 20);
	fx_free(&f);
}

static void test_rule_balloon(void **unused)
{
	struct fx f;
	struct policy_balloon b[2] = { { "virtio_balloon", 1 },
				       { "hv_balloon", 0 } };

	fx_init(&f, false);
	fx_policy(&f, "  - rule: balloon-movable\n");
	f.ps.balloons = b;
	f.ps.nr_balloons = 2;
	assert_int_equal(fx_eval(&f), 0); /* no Movable memory */
	online_range(&f, 64, 65, ZA_MMOP_ONLINE_MOVABLE);
	assert_int_equal(fx_eval(&f), 1);
	assert_string_equal(f.r.v[0].object, "balloon hv_balloon");
	assert_int_equal(f.r.v[0].actual, 256ull << 20);
	f.ps.nr_balloons = 1; /* virtio_balloon with compaction: fine */
	assert_int_equal(fx_eval(&f), 0);
	b[0].compaction = -1; /* unknown: not reported */
	assert_int_equal(fx_eval(&f), 0);
	fx_free(&f);
}

static void ev(struct policy_tracker *t, unsigned int kind, uint64_t block,
	       int ret, uint64_t dur_ns)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.kind = (unsigned short)kind;
	e.start_pfn = block * PPB + (kind == MEMHP_EV_ONLINE ? 512 : 0);
	e.nr_pages = PPB;
	e.ret = ret;
	if (dur_ns) {
		e.flags |= MEMHP_F_DURATION;
		e.duration_ns = dur_ns;
	}
	assert_int_equal(policy_track_event(t, &e, PPB), 0);
}

static void test_rule_events(void **unused)
{
	struct fx f;
	struct policy_tracker t;

	fx_init(&f, false);
	fx_policy(&f, "  - {rule: offline-failures, max: 2}\n"
		      "  - {rule: online-failures, max: 0, severity: critical}\n"
		      "  - {rule: online-latency, max: 100ms}\n");
	policy_tracker_init(&t);
	/* without events: not evaluated */
	assert_int_equal(fx_eval(&f), 0);
	assert_false(f.r.evaluated[0]);
	f.ps.events = &t;
	for (int i = 0; i < 3; i++)
		ev(&t, MEMHP_EV_OFFLINE, 66, -EBUSY, 0);
	ev(&t, MEMHP_EV_OFFLINE, 67, -EBUSY, 0);
	ev(&t, MEMHP_EV_OFFLINE, 67, 0, 0);
	ev(&t, MEMHP_EV_ONLINE, 64, -ENOMEM, 0);
	ev(&t, MEMHP_EV_ONLINE, 65, 0, 50000000);
	ev(&t, MEMHP_EV_ONLINE, 65, 0, 150000000);
	ev(&t, MEMHP_EV_ADD, 65, 0, 0); /* ignored */
	assert_int_equal(t.nr, 4);
	assert_int_equal(fx_eval(&f), 3);
	assert_true(f.r.evaluated[0]);
	assert_string_equal(f.r.v[0].object, "memory66");
	assert_int_equal(f.r.v[0].actual, 3);
	assert_int_equal(f.r.v[0].limit, 2);
	assert_non_null(strstr(f.r.v[0].detail, "offline failed 3 times"));
	assert_string_equal(f.r.v[1].object, "memory64");
	assert_int_equal(f.r.v[1].actual, 1);
	assert_string_equal(f.r.v[2].object, "memory65");
	assert_int_equal(f.r.v[2].unit, POL_UNIT_NS);
	assert_int_equal(f.r.v[2].actual, 150000000);
	assert_int_equal(f.r.v[2].limit, 100000000);
	assert_int_equal(policy_tracker_find(&t, 65)->onlines, 2);
	assert_null(policy_tracker_find(&t, 99));
	policy_tracker_free(&t);
	fx_free(&f);
}

/* An offline still running (progress events) or one that took too long. */
static void test_rule_offline_duration(void **unused)
{
	struct fx f;
	struct policy_tracker t;

	fx_init(&f, false);
	fx_policy(&f, "  - {name: short, rule: offline-duration, max: 5s}\n"
		      "  - {name: long, rule: offline-duration, max: 30s}\n");
	assert_int_equal(policy_offline_budget_ns(&f.p), 5000000000ULL);
	policy_tracker_init(&t);
	f.ps.events = &t;
	ev(&t, MEMHP_EV_OFFLINE_PROGRESS, 66, 0, 4000000000ULL);
	assert_int_equal(fx_eval(&f), 0);
	ev(&t, MEMHP_EV_OFFLINE_PROGRESS, 66, 0, 6000000000ULL);
	ev(&t, MEMHP_EV_OFFLINE, 67, 0, 2000000000ULL);
	assert_int_equal(fx_eval(&f), 1);
	assert_string_equal(f.r.v[0].object, "memory66");
	assert_int_equal(f.r.v[0].unit, POL_UNIT_NS);
	assert_non_null(strstr(f.r.v[0].detail, "still running after 6.0 s"));
	/* progress does not count as a failure, and the end says how it went */
	assert_int_equal(policy_tracker_find(&t, 66)->offline_failures, 0);
	ev(&t, MEMHP_EV_OFFLINE, 66, -EINTR, 7000000000ULL);
	assert_int_equal(fx_eval(&f), 1);
	assert_non_null(strstr(f.r.v[0].detail, "took 7.0 s"));
	assert_non_null(strstr(f.r.v[0].detail, "result -4"));
	policy_tracker_free(&t);
	fx_free(&f);
}

static void test_rule_coverage(void **unused)
{
	struct fx f;
	struct memhp_model m;
	struct policy_tracker t;
	struct memhp_block *b;
	struct memhp_block_ev *x;

	fx_init(&f, false);
	fx_policy(&f, "  - rule: uncovered-online\n  - rule: backed-not-onlined\n");
	model_init(&m);
	policy_tracker_init(&t);
	b = model_block_get(&m, 80);
	assert_non_null(b);
	x = model_block_ev_get(&m, b);
	assert_non_null(x);
	x->coverage_known = true;
	snprintf(x->coverage_driver, sizeof(x->coverage_driver), "hv_balloon");
	x->uncovered_released = 256;
	x->backed_not_onlined = 512;
	b = model_block_get(&m, 81);
	assert_non_null(b);
	x = model_block_ev_get(&m, b);
	assert_non_null(x);
	x->coverage_known = true;
	f.ps.model = &m;
	assert_int_equal(fx_eval(&f), 0); /* no session: not evaluated */
	assert_false(f.r.evaluated[0]);
	f.ps.events = &t;
	assert_int_equal(fx_eval(&f), 2);
	assert_int_equal(f.r.v[0].rule, 0);
	assert_string_equal(f.r.v[0].object, "memory80");
	assert_int_equal(f.r.v[0].actual, 1ull << 20);
	assert_string_equal(f.r.v[0].detail,
			    "1 MiB released to the buddy allocator that hv_balloon never backed");
	assert_int_equal(f.p.rules[0].severity, POL_SEV_CRITICAL);
	assert_int_equal(f.r.v[1].actual, 2ull << 20);
	assert_int_equal(f.p.rules[1].severity, POL_SEV_WARNING);
	model_free(&m);
	fx_free(&f);
}

struct trans {
	int appear, clear;
	char last[128];
};

static void on_tr(enum policy_transition t, const struct policy *p,
		  const struct policy_violation *v, void *ctx)
{
	struct trans *tr = ctx;

	if (t == POL_APPEAR)
		tr->appear++;
	else
		tr->clear++;
	snprintf(tr->last, sizeof(tr->last), "%s %s %s",
		 t == POL_APPEAR ? "appear" : "clear", p->rules[v->rule].name,
		 v->object);
}

static void test_watch(void **unused)
{
	struct fx f;
	struct policy_watch w;
	struct trans tr = { 0 };

	fx_init(&f, false);
	fx_policy(&f, "  - {name: dimm, rule: single-zone-group}\n"
		      "  - {name: node, rule: max-ratio, scope: node, max: 40}\n");
	policy_watch_init(&w);
	assert_int_equal(policy_watch_eval(&w, &f.p, &f.ps, on_tr, &tr), 0);
	assert_int_equal(tr.appear + tr.clear, 0);
	online_range(&f, 64, 67, ZA_MMOP_ONLINE_MOVABLE);
	online_range(&f, 68, 68, ZA_MMOP_ONLINE_KERNEL);
	assert_int_equal(policy_watch_eval(&w, &f.p, &f.ps, on_tr, &tr), 1);
	assert_int_equal(tr.appear, 1);
	assert_string_equal(tr.last, "appear dimm group 0 (PNP0C80:00)");
	/* same again: no transition, even though the numbers move */
	online_range(&f, 69, 69, ZA_MMOP_ONLINE_KERNEL);
	assert_int_equal(policy_watch_eval(&w, &f.p, &f.ps, on_tr, &tr), 1);
	assert_int_equal(tr.appear, 1);
	/* 4+3 Movable... ratio: 8 Movable over 15 = 53 > 40 */
	assert_int_equal(za_offline(&f.st, 68), 0);
	assert_int_equal(za_offline(&f.st, 69), 0);
	online_range(&f, 68, 71, ZA_MMOP_ONLINE_MOVABLE);
	assert_int_equal(policy_watch_eval(&w, &f.p, &f.ps, on_tr, &tr), 1);
	assert_int_equal(tr.appear, 2);
	assert_int_equal(tr.clear, 1);
	assert_string_equal(tr.last, "appear node node 0");
	assert_int_equal(w.evaluations, 4);
	policy_watch_free(&w);
	fx_free(&f);
}

static void test_names(void **unused)
{
	char b[32];

	for (int t = 0; t < POL_NR_RULE_TYPES; t++)
		assert_int_equal(policy_rule_type_from_name(
					 policy_rule_type_name((enum policy_rule_type)t)),
				 t);
	assert_int_equal(policy_rule_type_from_name("x"), -1);
	assert_int_equal(policy_severity_from_name("critical"), POL_SEV_CRITICAL);
	assert_int_equal(policy_severity_from_name("CRITICAL"), -1);
	policy_fmt_bytes(0, b, sizeof(b));
	assert_string_equal(b, "0 B");
	policy_fmt_bytes(3ull << 30, b, sizeof(b));
	assert_string_equal(b, "3 GiB");
	policy_fmt_bytes(1536ull << 20, b, sizeof(b));
	assert_string_equal(b, "1.50 GiB");
	policy_fmt_bytes(UINT64_MAX, b, sizeof(b));
	assert_string_equal(b, "16 EiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad_fixtures),
		cmocka_unit_test(test_parse_inline),
		cmocka_unit_test(test_parse_edge),
		cmocka_unit_test(test_parse_units),
		cmocka_unit_test(test_rule_ratio),
		cmocka_unit_test(test_rule_single_zone),
		cmocka_unit_test(test_rule_normal_below_movable),
		cmocka_unit_test(test_rule_kernel_reserve),
		cmocka_unit_test(test_rule_balloon),
		cmocka_unit_test(test_rule_events),
		cmocka_unit_test(test_rule_offline_duration),
		cmocka_unit_test(test_rule_coverage),
		cmocka_unit_test(test_watch),
		cmocka_unit_test(test_names),
	};

	find_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
