// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of user/lib/sysfs.c: the pure parsers (edge cases and a random
 * sweep for the sanitizers) and snapshots of the fixture trees made by
 * tests/data/mk-sysroots.sh and tools/gen-sysfs-tree.sh.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "sysfs.h"

static char srcdir[PATH_MAX];
static char work[PATH_MAX];

/* The source tree: $MEMHP_SRCDIR, or the first of ., .., ../.. holding the
 * fixture script (tests run from the top or from their build directory). */
static int find_srcdir(void)
{
	static const char *const cand[] = { ".", "..", "../..", "../../.." };
	const char *env = getenv("MEMHP_SRCDIR");
	char p[2 * PATH_MAX];
	size_t i;

	if (env && *env) {
		snprintf(srcdir, sizeof(srcdir), "%s", env);
		return 0;
	}
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		snprintf(p, sizeof(p), "%s/tests/data/mk-sysroots.sh", cand[i]);
		if (!access(p, X_OK)) {
			if (!realpath(cand[i], srcdir))
				return -1;
			return 0;
		}
	}
	return -1;
}

static int run(const char *fmt, ...)
{
	char cmd[3 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	if (find_srcdir()) {
		fprintf(stderr,
			"cannot find tests/data/mk-sysroots.sh: set MEMHP_SRCDIR\n");
		return -1;
	}
	snprintf(work, sizeof(work), "%s/memhp-sysfs.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(work))
		return -1;
	if (run("'%s/tests/data/mk-sysroots.sh' '%s' >/dev/null", srcdir, work))
		return -1;
	if (run("'%s/tools/gen-sysfs-tree.sh' '%s/sysroot-gen' 2600 3 >/dev/null",
		srcdir, work))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (work[0] && !getenv("MEMHP_KEEP_FIXTURES"))
		run("rm -rf '%s'", work);
	return 0;
}

static const char *tree(const char *name)
{
	static char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/sysroot-%s", work, name);
	return p;
}

/* --- parsers ------------------------------------------------------------- */

#define S(x) x, sizeof(x) - 1

static void test_parse_block_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sysfs_parse_block_size(S("8000000\n"), &v), 0);
	assert_int_equal(v, 0x8000000);
	assert_int_equal(sysfs_parse_block_size(S("40000000"), &v), 0);
	assert_int_equal(v, 0x40000000);
	assert_int_equal(sysfs_parse_block_size(S("0x18000000\n"), &v), 0);
	assert_int_equal(v, 0x18000000);
	assert_int_equal(sysfs_parse_block_size(S("ABCdef\n"), &v), 0);
	assert_int_equal(v, 0xabcdef);
	assert_int_equal(sysfs_parse_block_size(S("ffffffffffffffff"), &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sysfs_parse_block_size(S("000000000000000000001"), &v),
			 0);
	assert_int_equal(v, 1);

	assert_int_equal(sysfs_parse_block_size(S(""), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("\n"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("0x"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("zz"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S(" 8000000"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("8000000 "), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("8000000\n\n"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("-1"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("80\0000"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_block_size(S("0\n"), &v), -ERANGE);
	assert_int_equal(sysfs_parse_block_size(S("10000000000000000"), &v),
			 -ERANGE);
	assert_int_equal(v, 0);
	/* not NUL-terminated: only len bytes count */
	assert_int_equal(sysfs_parse_block_size("12zz", 2, &v), 0);
	assert_int_equal(v, 0x12);
}

static void test_parse_int_word(void **state)
{
	char w[8];
	int v;

	(void)state;
	assert_int_equal(sysfs_parse_int(S("0\n"), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysfs_parse_int(S("2147483647"), &v), 0);
	assert_int_equal(v, INT_MAX);
	assert_int_equal(sysfs_parse_int(S("2147483648"), &v), -ERANGE);
	assert_int_equal(v, -1);
	assert_int_equal(sysfs_parse_int(S("99999999999999999999999\n"), &v),
			 -ERANGE);
	assert_int_equal(sysfs_parse_int(S("-1"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_int(S("+1"), &v), -EINVAL);
	assert_int_equal(sysfs_parse_int(S(""), &v), -EINVAL);
	assert_int_equal(sysfs_parse_int(S("1x"), &v), -EINVAL);
	assert_int_equal(v, -1);
	/* long digits then garbage: garbage, not "too big" (found by fuzzing) */
	assert_int_equal(sysfs_parse_int(S("99999999999999999999999x\n"), &v), -EINVAL);

	assert_int_equal(sysfs_parse_word(S("online\n"), w, sizeof(w)), 0);
	assert_string_equal(w, "online");
	assert_int_equal(sysfs_parse_word(S("Y"), w, sizeof(w)), 0);
	assert_string_equal(w, "Y");
	assert_int_equal(sysfs_parse_word(S("online_movable\n"), w, sizeof(w)),
			 -E2BIG);
	assert_string_equal(w, "");
	assert_int_equal(sysfs_parse_word(S("a b"), w, sizeof(w)), -EINVAL);
	assert_int_equal(sysfs_parse_word(S("\n"), w, sizeof(w)), -EINVAL);
	assert_int_equal(sysfs_parse_word(S("a\tb"), w, sizeof(w)), -EINVAL);
	assert_int_equal(sysfs_parse_word(S("\xff"), w, sizeof(w)), -EINVAL);
	assert_string_equal(w, "");
}

static void test_parse_block_attrs(void **state)
{
	struct memhp_block b;
	struct memhp_model m;
	char big[300];

	(void)state;
	model_init(&m);
	memset(&b, 0, sizeof(b));
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("online\n")), 0);
	assert_int_equal(b.state, MEMHP_BLOCK_ONLINE);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("offline")), 0);
	assert_int_equal(b.state, MEMHP_BLOCK_OFFLINE);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("going-offline\n")), 0);
	assert_int_equal(b.state, MEMHP_BLOCK_GOING_OFFLINE);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("online \n")), -EINVAL);
	assert_int_equal(b.state, MEMHP_BLOCK_UNKNOWN);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("onlin")), -EINVAL);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("online\n\n")),
			 -EINVAL);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_STATE, S("")), -EINVAL);

	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_REMOVABLE, S("1\n")), 0);
	assert_int_equal(b.removable, 1);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_REMOVABLE, S("0")), 0);
	assert_int_equal(b.removable, 0);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_REMOVABLE, S("7\n")), -EINVAL);
	assert_int_equal(b.removable, -1);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_REMOVABLE, S("10")), -EINVAL);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_REMOVABLE, S("")), -EINVAL);

	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_PHYS_DEVICE, S("3\n")), 0);
	assert_int_equal(b.phys_device, 3);
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_PHYS_DEVICE, S("x")), -EINVAL);
	assert_int_equal(b.phys_device, -1);

	assert_int_equal(
		sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_VALID_ZONES, S("DMA32 Normal Movable\n")),
		0);
	assert_string_equal(model_zones(&m, &b), "DMA32 Normal Movable");
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_VALID_ZONES, S("none\n")), 0);
	assert_string_equal(model_zones(&m, &b), "none");
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_VALID_ZONES, S("\n")), -EINVAL);
	assert_string_equal(model_zones(&m, &b), "");
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_VALID_ZONES, S("Nor\tmal\n")),
			 -EINVAL);
	assert_string_equal(model_zones(&m, &b), "Nor?mal");
	memset(big, 'A', sizeof(big));
	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_VALID_ZONES, big, sizeof(big)),
			 -E2BIG);
	assert_int_equal(strlen(model_zones(&m, &b)), MEMHP_ZONES_LEN - 1);

	assert_int_equal(sysfs_parse_block_attr(&m, &b, SYSFS_ATTR_MAX, S("1")), -EINVAL);
	assert_string_equal(sysfs_block_attr_name(SYSFS_ATTR_STATE), "state");
	assert_string_equal(sysfs_block_attr_name(SYSFS_ATTR_VALID_ZONES),
			    "valid_zones");
	model_free(&m);
}

static void test_parse_names(void **state)
{
	uint64_t id;
	int nid;

	(void)state;
	assert_int_equal(sysfs_parse_block_name("memory0", &id), 1);
	assert_int_equal(id, 0);
	assert_int_equal(sysfs_parse_block_name("memory131071", &id), 1);
	assert_int_equal(id, 131071);
	assert_int_equal(
		sysfs_parse_block_name("memory18446744073709551615", &id), 1);
	assert_true(id == UINT64_MAX);
	assert_int_equal(sysfs_parse_block_name("memory18446744073709551616",
						&id),
			 -ERANGE);
	assert_int_equal(sysfs_parse_block_name("memory99999999999999999999999",
						&id),
			 -ERANGE);
	assert_int_equal(sysfs_parse_block_name("memory", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("memoryfoo", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("memory12x", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("memory007", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("memory-1", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("memory_loop", &id), -EINVAL);
	assert_int_equal(sysfs_parse_block_name("block_size_bytes", &id), 0);
	assert_int_equal(sysfs_parse_block_name("power", &id), 0);
	assert_int_equal(sysfs_parse_block_name("Memory1", &id), 0);

	assert_int_equal(sysfs_parse_node_name("node0", &nid), 1);
	assert_int_equal(nid, 0);
	assert_int_equal(sysfs_parse_node_name("node1023", &nid), 1);
	assert_int_equal(nid, 1023);
	assert_int_equal(sysfs_parse_node_name("node2147483648", &nid),
			 -ERANGE);
	assert_int_equal(nid, -1);
	assert_int_equal(sysfs_parse_node_name("node01", &nid), -EINVAL);
	assert_int_equal(sysfs_parse_node_name("node", &nid), -EINVAL);
	assert_int_equal(sysfs_parse_node_name("has_cpu", &nid), 0);
	assert_int_equal(sysfs_parse_node_name("memory0", &nid), 0);
}

/* Random bytes into every parser: no crash (the sanitizers watch), outputs
 * always in range and NUL-terminated. */
static void test_parse_random(void **state)
{
	static const char alphabet[] =
		"0123456789abcdefxX \n\t-+onlinefmvDMANr\xff";
	uint64_t seed = 0x9e3779b97f4a7c15ULL, v;
	char buf[160], w[24], name[40];
	struct memhp_block b;
	struct memhp_model m;
	int i, a, n;

	(void)state;
	model_init(&m);
	for (i = 0; i < 200000; i++) {
		size_t len, j;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		len = seed % sizeof(buf);
		for (j = 0; j < len; j++) {
			seed = seed * 6364136223846793005ULL +
			       1442695040888963407ULL;
			buf[j] = (seed >> 40) & 1
					 ? alphabet[(seed >> 33) %
						    (sizeof(alphabet) - 1)]
					 : (char)(seed >> 48);
		}
		memset(&b, 0x5a, sizeof(b));
		a = (int)(seed % (SYSFS_ATTR_MAX + 1));
		sysfs_parse_block_attr(&m, &b, a, buf, len);
		assert_true(strlen(model_zones(&m, &b)) < MEMHP_ZONES_LEN ||
			    a != SYSFS_ATTR_VALID_ZONES);
		assert_true(b.removable >= -1 &&
			    (b.removable <= 1 || a != SYSFS_ATTR_REMOVABLE));
		if (sysfs_parse_block_size(buf, len, &v) == 0)
			assert_true(v != 0);
		if (sysfs_parse_int(buf, len, &n) == 0)
			assert_true(n >= 0);
		else
			assert_int_equal(n, -1);
		if (sysfs_parse_word(buf, len, w, sizeof(w)) == 0)
			assert_true(strlen(w) > 0 && strlen(w) < sizeof(w));
		else
			assert_string_equal(w, "");
		len = len < sizeof(name) - 8 ? len : sizeof(name) - 8;
		memcpy(name, "memory", 6);
		memcpy(name + 6, buf, len);
		name[6 + len] = '\0';
		sysfs_parse_block_name(name, &v);
		sysfs_parse_node_name(name + 2, &n);
	}
	model_free(&m);
}

/* --- snapshots ------------------------------------------------------------ */

struct snap {
	struct memhp_model m;
	struct sysfs_report r;
	char err[512];
	int rc;
};

static struct snap *snap_opts(const char *name, unsigned int want, int threads)
{
	struct snap *s = calloc(1, sizeof(*s));
	struct sysfs_opts o = { .sysroot = tree(name),
				.want = want,
				.threads = threads };

	assert_non_null(s);
	model_init(&s->m);
	s->rc = sysfs_snapshot_opts(&s->m, &o, &s->r, s->err, sizeof(s->err));
	return s;
}

static struct snap *snap(const char *name)
{
	return snap_opts(name, 0, 0);
}

static void snap_free(struct snap *s)
{
	model_free(&s->m);
	free(s);
}

static const struct memhp_block *blk(struct snap *s, uint64_t id)
{
	const struct memhp_block *b = model_block_find(&s->m, id);

	if (!b)
		fail_msg("memory%llu missing", (unsigned long long)id);
	return b;
}

static void test_snapshot_2node(void **state)
{
	struct snap *s = snap("2node");
	size_t i;

	(void)state;
	assert_int_equal(s->rc, 0);
	assert_string_equal(s->err, "");
	assert_int_equal(s->m.block_size, 0x8000000);
	assert_int_equal(s->m.nr_blocks, 32);
	assert_int_equal(s->r.nr_blocks, 32);
	assert_int_equal(s->r.node_links, 32);
	assert_int_equal(sysfs_report_problems(&s->r), 0);
	assert_int_equal(s->r.missing, 0);
	for (i = 0; i < 32; i++) {
		assert_int_equal(s->m.blocks[i].id, i);
		assert_int_equal(s->m.blocks[i].node, i < 16 ? 0 : 1);
		assert_int_equal(s->m.blocks[i].removable, 1);
		assert_int_equal(s->m.blocks[i].phys_device, 0);
		assert_int_equal(s->m.blocks[i].state,
				 i < 30 ? MEMHP_BLOCK_ONLINE
					: MEMHP_BLOCK_OFFLINE);
		/* event fields untouched */
		assert_int_equal(model_block_ev(&s->m, &s->m.blocks[i])->group_id, -1);
		assert_int_equal(s->m.blocks[i].online_type, -1);
	}
	assert_string_equal(model_zones(&s->m, blk(s, 0)), "none");
	assert_string_equal(model_zones(&s->m, blk(s, 7)), "DMA32");
	assert_string_equal(model_zones(&s->m, blk(s, 8)), "Normal");
	assert_string_equal(model_zones(&s->m, blk(s, 24)), "Movable");
	assert_string_equal(model_zones(&s->m, blk(s, 31)), "Movable Normal");
	assert_true(s->m.sys.snapshot);
	assert_string_equal(s->m.sys.auto_online_blocks, "online");
	assert_string_equal(s->m.sys.memmap_on_memory, "N");
	assert_string_equal(s->m.sys.online_policy, "contig-zones");
	assert_int_equal(s->m.sys.auto_movable_ratio, 301);
	assert_int_equal(s->m.sys.auto_movable_numa_aware, 1);
	snap_free(s);
}

static void test_snapshot_holes(void **state)
{
	static const uint64_t ids[] = { 1,  2,	3,  8,	9,  11,	  16,
					17, 18, 19, 20, 21, 1000, 1001 };
	struct snap *s = snap("holes");
	size_t i;

	(void)state;
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.nr_blocks, sizeof(ids) / sizeof(ids[0]));
	for (i = 0; i < s->m.nr_blocks; i++)
		assert_int_equal(s->m.blocks[i].id, ids[i]);
	assert_null(model_block_find(&s->m, 0));
	assert_null(model_block_find(&s->m, 10));
	assert_int_equal(blk(s, 16)->removable, 0);
	assert_int_equal(blk(s, 21)->state, MEMHP_BLOCK_OFFLINE);
	assert_string_equal(model_zones(&s->m, blk(s, 21)), "Normal Movable");
	assert_int_equal(blk(s, 1001)->node, 0);
	assert_int_equal(sysfs_report_problems(&s->r), 0);
	snap_free(s);
}

static void test_snapshot_block_sizes(void **state)
{
	struct snap *s;

	(void)state;
	s = snap("bs1g");
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.block_size, 1ULL << 30);
	assert_int_equal(s->m.nr_blocks, 19);
	assert_int_equal(blk(s, 16)->node, 2);
	assert_string_equal(model_zones(&s->m, blk(s, 19)), "Normal Movable");
	snap_free(s);

	s = snap("bs128m"); /* "0x8000000": with the 0x */
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.block_size, 0x8000000);
	assert_int_equal(blk(s, 45)->removable, 0);
	snap_free(s);

	s = snap("oddbs"); /* not a power of two */
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.block_size, 0x18000000);
	assert_int_equal(s->m.nr_blocks, 13);
	snap_free(s);

	/* 2^63: only memory0 ends below 2^64; 1 and 2 are reported */
	s = snap("overflow");
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.block_size, 1ULL << 63);
	assert_int_equal(s->m.nr_blocks, 1);
	assert_int_equal(s->r.bad_names, 2);
	assert_non_null(strstr(s->r.first, "memory2: beyond 64-bit"));
	snap_free(s);
}

static void test_snapshot_offline_states(void **state)
{
	struct snap *s = snap("offline");

	(void)state;
	assert_int_equal(s->rc, 0);
	assert_int_equal(blk(s, 12)->state, MEMHP_BLOCK_GOING_OFFLINE);
	assert_int_equal(blk(s, 14)->state, MEMHP_BLOCK_OFFLINE);
	assert_string_equal(model_zones(&s->m, blk(s, 14)), "Normal Movable");
	assert_string_equal(model_zones(&s->m, blk(s, 18)), "Movable Normal");
	assert_string_equal(model_zones(&s->m, blk(s, 20)), "DMA32 Normal Movable");
	assert_int_equal(blk(s, 20)->removable, 0);
	assert_int_equal(blk(s, 27)->node, 1);
	snap_free(s);
}

static void test_snapshot_noremovable_nonuma(void **state)
{
	struct snap *s = snap("noremovable");
	size_t i;

	(void)state;
	assert_int_equal(s->rc, 0);
	for (i = 0; i < s->m.nr_blocks; i++)
		assert_int_equal(s->m.blocks[i].removable, -1);
	assert_int_equal(s->r.missing, s->m.nr_blocks); /* not problems */
	assert_int_equal(sysfs_report_problems(&s->r), 0);
	snap_free(s);

	s = snap("nonuma");
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->m.nr_blocks, 16);
	for (i = 0; i < s->m.nr_blocks; i++)
		assert_int_equal(s->m.blocks[i].node, -1);
	assert_int_equal(s->r.node_links, 0);
	assert_int_equal(sysfs_report_problems(&s->r), 0);
	snap_free(s);
}

static void test_snapshot_weird(void **state)
{
	struct snap *s = snap("weird");

	(void)state;
	assert_int_equal(s->rc, 0);
	/* memory0-8 and memory99 (a symlink loop); memoryfoo, memory,
	 * memory12x, memory007, memory_loop and the 23-digit one are not
	 * blocks */
	assert_int_equal(s->m.nr_blocks, 10);
	assert_int_equal(s->r.bad_names, 6);
	/* memory5/state missing, memory7/state and memory99/{4 files}: loops */
	assert_int_equal(s->r.unreadable, 6);
	/* bogus state, removable 7 and x, empty and huge valid_zones, huge
	 * phys_device */
	assert_int_equal(s->r.malformed, 6);
	assert_string_not_equal(s->r.first, "");

	assert_int_equal(blk(s, 1)->state, MEMHP_BLOCK_ONLINE);
	assert_int_equal(blk(s, 2)->state, MEMHP_BLOCK_UNKNOWN);
	assert_int_equal(blk(s, 3)->removable, -1);
	assert_string_equal(model_zones(&s->m, blk(s, 4)), "Foo");
	assert_int_equal(blk(s, 5)->state, MEMHP_BLOCK_UNKNOWN);
	assert_string_equal(model_zones(&s->m, blk(s, 5)), "Normal");
	assert_int_equal(blk(s, 6)->state, MEMHP_BLOCK_ONLINE); /* no \n */
	assert_int_equal(blk(s, 6)->removable, -1);
	assert_string_equal(model_zones(&s->m, blk(s, 6)), "");
	assert_int_equal(blk(s, 7)->state, MEMHP_BLOCK_UNKNOWN);
	assert_int_equal(strlen(model_zones(&s->m, blk(s, 8))), MEMHP_ZONES_LEN - 1);
	assert_int_equal(blk(s, 8)->phys_device, -1);
	assert_int_equal(blk(s, 99)->state, MEMHP_BLOCK_UNKNOWN);
	assert_int_equal(blk(s, 99)->node, -1);
	assert_int_equal(blk(s, 8)->node, 0);
	assert_null(model_block_find(&s->m, 12));
	snap_free(s);
}

static void expect_fatal(const char *sysroot, const char *msg)
{
	struct memhp_model m;
	char err[512];
	int rc;

	model_init(&m);
	rc = sysfs_snapshot(&m, sysroot, err, sizeof(err));
	if (rc >= 0 || !strstr(err, msg))
		fail_msg("%s: rc %d, err \"%s\", want \"%s\"", sysroot, rc, err,
			 msg);
	assert_non_null(strstr(err, sysroot)); /* names the path */
	assert_int_equal(m.nr_blocks, 0);
	model_free(&m);
}

static void test_snapshot_fatal(void **state)
{
	char p[2 * PATH_MAX];

	(void)state;
	expect_fatal(tree("bad-nomem"), "cannot open");
	expect_fatal(tree("bad-noblocks"), "no memoryN block directories");
	expect_fatal(tree("bad-bsize"), "bad block size \"zz\"");
	expect_fatal(tree("bad-bsize-zero"), "bad block size \"0\"");
	expect_fatal(tree("bad-bsize-huge"), "zero or too big");
	expect_fatal(tree("bad-bsize-empty"), "bad block size");
	snprintf(p, sizeof(p), "%s/does-not-exist", work);
	expect_fatal(p, "cannot open sysroot");
	/* block_size_bytes missing */
	snprintf(p, sizeof(p), "%s/sysroot-nobs", work);
	run("cp -a '%s' '%s' && rm '%s/sys/devices/system/memory/block_size_bytes'",
	    tree("2node"), p, p);
	expect_fatal(p, "block_size_bytes");
	/* not even an err buffer */
	{
		struct memhp_model m;

		model_init(&m);
		assert_true(sysfs_snapshot(&m, tree("bad-nomem"), NULL, 0) < 0);
		model_free(&m);
	}
}

/* A FIFO or a directory where a file should be: no hang, no crash. */
static void test_snapshot_special_files(void **state)
{
	char p[2 * PATH_MAX], f[3 * PATH_MAX];
	struct memhp_model m;
	struct sysfs_report r;
	char err[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/sysroot-special", work);
	assert_int_equal(run("cp -a '%s' '%s'", tree("2node"), p), 0);
	snprintf(f, sizeof(f), "%s/sys/devices/system/memory/memory3/state", p);
	unlink(f);
	assert_int_equal(mkfifo(f, 0600), 0);
	snprintf(f, sizeof(f),
		 "%s/sys/devices/system/memory/memory4/valid_zones", p);
	unlink(f);
	assert_int_equal(mkdir(f, 0700), 0);
	snprintf(f, sizeof(f), "%s/sys/devices/system/memory/memory5/removable",
		 p);
	unlink(f);
	assert_int_equal(symlink("/dev/zero", f), 0);

	model_init(&m);
	assert_int_equal(sysfs_snapshot_report(&m, p, &r, err, sizeof(err)), 0);
	assert_int_equal(model_block_find(&m, 3)->state, MEMHP_BLOCK_UNKNOWN);
	assert_string_equal(model_zones(&m, model_block_find(&m, 4)), "");
	assert_int_equal(model_block_find(&m, 5)->removable, -1);
	assert_int_equal(r.malformed, 2);  /* empty FIFO, endless /dev/zero */
	assert_int_equal(r.unreadable, 1); /* EISDIR */
	model_free(&m);
}

static void test_snapshot_want(void **state)
{
	struct snap *s = snap_opts("2node", SYSFS_WANT_STATE, 1);
	size_t i;

	(void)state;
	assert_int_equal(s->rc, 0);
	for (i = 0; i < s->m.nr_blocks; i++) {
		assert_int_not_equal(s->m.blocks[i].state, MEMHP_BLOCK_UNKNOWN);
		assert_int_equal(s->m.blocks[i].removable, -1);
		assert_int_equal(s->m.blocks[i].phys_device, -1);
		assert_int_equal(s->m.blocks[i].node, -1);
		assert_string_equal(model_zones(&s->m, &s->m.blocks[i]), "");
	}
	snap_free(s);

	s = snap_opts("2node", SYSFS_WANT_NODE | SYSFS_WANT_VALID_ZONES, 1);
	assert_int_equal(blk(s, 20)->node, 1);
	assert_string_equal(model_zones(&s->m, blk(s, 20)), "Normal");
	assert_int_equal(blk(s, 20)->state, MEMHP_BLOCK_UNKNOWN);
	snap_free(s);
}

/* Threads change the speed, never the result. */
/*
 * Two snapshots hold the same blocks. Not a byte compare: a block's zones
 * are an index into the model's string table, filled in the order the
 * reader threads first meet each string, so indices differ run to run.
 */
static void assert_same_blocks(const struct memhp_model *x, const struct memhp_model *y)
{
	size_t i;

	assert_int_equal(x->nr_blocks, y->nr_blocks);
	for (i = 0; i < x->nr_blocks; i++) {
		const struct memhp_block *a = &x->blocks[i], *b = &y->blocks[i];

		assert_int_equal(a->id, b->id);
		assert_int_equal(a->node, b->node);
		assert_int_equal(a->phys_device, b->phys_device);
		assert_int_equal(a->online_type, b->online_type);
		assert_int_equal(a->state, b->state);
		assert_int_equal(a->removable, b->removable);
		assert_int_equal(a->ev, b->ev);
		assert_string_equal(model_zones(x, a), model_zones(y, b));
	}
}

static void test_snapshot_threads(void **state)
{
	struct snap *a = snap_opts("gen", 0, 1), *b = snap_opts("gen", 0, 4);
	struct snap *c = snap_opts("gen", 0, 0);

	(void)state;
	assert_int_equal(a->rc, 0);
	assert_int_equal(b->rc, 0);
	assert_int_equal(c->rc, 0);
	assert_int_equal(a->m.nr_blocks, 2600);
	assert_int_equal(a->r.node_links, 2600);
	assert_int_equal(b->m.nr_blocks, 2600);
	assert_same_blocks(&a->m, &b->m);
	assert_same_blocks(&a->m, &c->m);
	assert_memory_equal(&a->r, &b->r, sizeof(a->r));
	assert_int_equal(blk(a, 0)->node, 0);
	assert_int_equal(a->m.blocks[2599].node, 2);
	snap_free(a);
	snap_free(b);
	snap_free(c);
}

/* Nodes from memoryN/nodeK when node/ has no links (and the reverse). */
static void test_snapshot_node_fallback(void **state)
{
	char p[2 * PATH_MAX];
	struct memhp_model m;
	struct sysfs_report r;
	char err[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/sysroot-nonodedir", work);
	assert_int_equal(
		run("cp -a '%s' '%s' && rm -rf '%s/sys/devices/system/node'",
		    tree("2node"), p, p),
		0);
	model_init(&m);
	assert_int_equal(sysfs_snapshot_report(&m, p, &r, err, sizeof(err)), 0);
	assert_int_equal(r.node_links, 32);
	assert_int_equal(model_block_find(&m, 0)->node, 0);
	assert_int_equal(model_block_find(&m, 31)->node, 1);
	model_free(&m);

	/* node/ links for some blocks only: the others from memoryN/ */
	snprintf(p, sizeof(p), "%s/sysroot-somelinks", work);
	assert_int_equal(
		run("cp -a '%s' '%s' && rm '%s/sys/devices/system/node/node1/memory20'",
		    tree("2node"), p, p),
		0);
	model_init(&m);
	assert_int_equal(sysfs_snapshot_report(&m, p, &r, err, sizeof(err)), 0);
	assert_int_equal(r.node_links, 32);
	assert_int_equal(model_block_find(&m, 20)->node, 1);
	model_free(&m);
}

/* A second snapshot keeps what events taught and drops vanished blocks. */
static void test_resnapshot(void **state)
{
	char p[2 * PATH_MAX];
	struct memhp_model m;
	struct memhp_block *b;
	char err[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/sysroot-resnap", work);
	assert_int_equal(run("cp -a '%s' '%s'", tree("2node"), p), 0);
	model_init(&m);
	assert_int_equal(sysfs_snapshot(&m, p, err, sizeof(err)), 0);
	assert_int_equal(m.nr_blocks, 32);
	b = model_block_get(&m, 5);
	b->online_type = 3;
	model_block_ev_get(&m, b)->group_id = 3;
	snprintf(model_block_ev_get(&m, b)->onlined_by, 16, "udevd");
	model_block_get(&m, 500); /* only in the model: must go */

	assert_int_equal(
		run("rm -rf '%s/sys/devices/system/memory/memory10' "
		    "'%s/sys/devices/system/node/node0/memory10' && "
		    "echo offline > '%s/sys/devices/system/memory/memory5/state'",
		    p, p, p),
		0);
	assert_int_equal(sysfs_snapshot(&m, p, err, sizeof(err)), 0);
	assert_int_equal(m.nr_blocks, 31);
	assert_null(model_block_find(&m, 10));
	assert_null(model_block_find(&m, 500));
	b = model_block_find(&m, 5);
	assert_non_null(b);
	assert_int_equal(b->state, MEMHP_BLOCK_OFFLINE);
	assert_int_equal(model_block_ev(&m, b)->group_id, 3);
	assert_int_equal(b->online_type, 3);
	assert_string_equal(model_block_ev(&m, b)->onlined_by, "udevd");
	model_free(&m);
}

static void test_sysroot_spelling(void **state)
{
	char p[2 * PATH_MAX];
	struct memhp_model m;
	char err[512];
	int rc;

	(void)state;
	snprintf(p, sizeof(p), "%s///", tree("2node"));
	model_init(&m);
	assert_int_equal(sysfs_snapshot(&m, p, err, sizeof(err)), 0);
	assert_int_equal(m.nr_blocks, 32);
	model_free(&m);

	/* NULL and "" are the live system: works where it has memory blocks */
	model_init(&m);
	rc = sysfs_snapshot(&m, NULL, err, sizeof(err));
	if (access("/sys/devices/system/memory/block_size_bytes", R_OK) == 0) {
		assert_int_equal(rc, 0);
		assert_true(m.nr_blocks > 0);
	} else {
		assert_true(rc < 0);
		assert_non_null(strstr(err, "/sys/devices/system/memory"));
	}
	model_free(&m);
	model_init(&m);
	assert_int_equal(sysfs_snapshot(&m, "", err, sizeof(err)), rc);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_block_size),
		cmocka_unit_test(test_parse_int_word),
		cmocka_unit_test(test_parse_block_attrs),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_snapshot_2node),
		cmocka_unit_test(test_snapshot_holes),
		cmocka_unit_test(test_snapshot_block_sizes),
		cmocka_unit_test(test_snapshot_offline_states),
		cmocka_unit_test(test_snapshot_noremovable_nonuma),
		cmocka_unit_test(test_snapshot_weird),
		cmocka_unit_test(test_snapshot_fatal),
		cmocka_unit_test(test_snapshot_special_files),
		cmocka_unit_test(test_snapshot_want),
		cmocka_unit_test(test_snapshot_threads),
		cmocka_unit_test(test_snapshot_node_fallback),
		cmocka_unit_test(test_resnapshot),
		cmocka_unit_test(test_sysroot_spelling),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
