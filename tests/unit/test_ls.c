// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `memhp ls` (user/cmd/ls.c, user/lib/table_scols.c): sizes, usage and
 * runtime errors, memhp's own columns and -Z on hand-made models, and the
 * golden comparison with util-linux lsmem on every fixture tree (skipped
 * when lsmem is not installed). tests/unit/ls_vs_lsmem.sh does the same
 * comparison with the built binary.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_fixture.h"

#include "ls.h"
#include "model.h"
#include "sysfs.h"

static char work[PATH_MAX];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	setenv("LC_ALL", "C", 1);
	unsetenv("LSMEM_COLUMNS");
	if (find_srcdir()) {
		fprintf(stderr,
			"cannot find tests/data/mk-sysroots.sh: set MEMHP_SRCDIR\n");
		return -1;
	}
	snprintf(work, sizeof(work), "%s/memhp-ls.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(work))
		return -1;
	if (run("'%s/tests/data/mk-sysroots.sh' '%s' >/dev/null", srcdir,
		work) ||
	    run("'%s/tools/gen-sysfs-tree.sh' '%s/sysroot-gen' 700 3 >/dev/null",
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

/* --- running memhp ls and lsmem ------------------------------------------ */

struct res {
	char *out, *err;
	size_t outlen, errlen;
	int rc;
};

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* memhp ls with @args split on spaces, on @m (NULL: sysfs). */
static void ls_m(struct res *r, struct memhp_model *m, const char *args)
{
	char buf[3 * PATH_MAX], *argv[64], *tok, *save = NULL;
	int argc = 0;
	FILE *out, *err;

	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", args);
	argv[argc++] = "ls";
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	out = open_memstream(&r->out, &r->outlen);
	err = open_memstream(&r->err, &r->errlen);
	assert_non_null(out);
	assert_non_null(err);
	r->rc = ls_main_model(argc, argv, m, out, err);
	fclose(out);
	fclose(err);
}

static void ls(struct res *r, const char *fmt, ...)
{
	char args[3 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	ls_m(r, NULL, args);
}

static bool have_lsmem(void)
{
	return run("command -v lsmem >/dev/null 2>&1") == 0;
}

/* lsmem's stdout for @args, and its exit status in *@rc. */
static char *lsmem(const char *sysroot, const char *args, int *rc)
{
	char cmd[3 * PATH_MAX], *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *p, *out;
	int st;

	snprintf(cmd, sizeof(cmd),
		 "LC_ALL=C lsmem --sysroot '%s' %s 2>/dev/null", sysroot, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	out = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, out);
	fclose(out);
	st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	return buf;
}

/* --- tests ------------------------------------------------------------------ */

static void test_size_human(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0B" },
		{ 1, "1B" },
		{ 1023, "1023B" },
		{ 1024, "1K" },
		{ 1536, "1.5K" },
		{ 1047552, "1023K" },	/* 1023.0K */
		{ 1048524, "1023.9K" }, /* 1023.949K */
		{ 1048525, "1024K" },	/* 1023.950K rounds up, no carry to M */
		{ 134217728, "128M" },
		{ 402653184, "384M" },
		{ 3087007744ULL, "2.9G" },
		{ 1127428915ULL, "1G" },   /* 1.0499G */
		{ 1127428916ULL, "1.1G" }, /* 1.0500G: 4/5 rounding */
		{ 1073741824ULL * 1024, "1T" },
		{ 1ULL << 63, "8E" },
		{ UINT64_MAX, "16E" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ls_size_human(cases[i].v, buf, sizeof(buf));
		if (strcmp(buf, cases[i].s))
			fail_msg("%llu: \"%s\", want \"%s\"",
				 (unsigned long long)cases[i].v, buf,
				 cases[i].s);
	}
}

static const char *const golden_trees[] = {
	"2node",       "bs1g",	 "bs128m", "oddbs", "offline",
	"noremovable", "nonuma", "gen",	   "holes",
};

/* Option lists; a "|" separates lsmem's from memhp's when they differ
 * (memhp's --output-all has memhp's columns too). */
#define ALL7 "-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"
static const char *const golden_opts[] = {
	"",
	"-b",
	"-n",
	"-r",
	"-J",
	"-P",
	"-a",
	"-J -b -a",
	"-J --output-all|-J " ALL7,
	"-r --output-all|-r " ALL7,
	"-P -b --output-all|-P -b " ALL7,
	"--output-all|" ALL7,
	"--output-all -a|" ALL7 " -a",
	"--output-all -o +SIZE|" ALL7 ",SIZE",
	"-o SIZE --output-all",
	"--summary=only",
	"--summary=only -b",
	"--summary",
	"--summary=never",
	"-J --summary=always",
	"-r --summary=always",
	"--summary=always -r",
	"-n --summary=only",
	"-r -n -b -o +NODE,ZONES",
	"-o +NODE,ZONES",
	"-o SIZE,RANGE",
	"-o range,size",
	"-o ZONES,RANGE",
	"-o BLOCK,NODE,STATE -a -n",
	"-o NODE,ZONES,REMOVABLE",
	"-S node",
	"-S none",
	"-S NODE,ZONES -o +NODE",
	"-S state,zones",
	"-S removable -o RANGE,SIZE",
	"-S none --output-all|-S none " ALL7,
	/* errors: both fail, nothing on stdout */
	"-o foo",
	"-o RANGE,,SIZE",
	"-S foo",
	"-J -r",
	"-a -S node",
	"-r --summary=only",
	"--summary=bad",
	"extra",
};

static void test_golden_vs_lsmem(void **state)
{
	size_t t, i, checked = 0, failed = 0;

	(void)state;
	if (!have_lsmem())
		skip();
	for (t = 0; t < sizeof(golden_trees) / sizeof(golden_trees[0]); t++) {
		const char *root = tree(golden_trees[t]);
		bool no_mem0 = !strcmp(golden_trees[t], "holes");

		for (i = 0; i < sizeof(golden_opts) / sizeof(golden_opts[0]);
		     i++) {
			char lopt[256], mopt[2 * PATH_MAX];
			const char *bar = strchr(golden_opts[i], '|');
			struct res r;
			char *exp;
			int rc;

			snprintf(lopt, sizeof(lopt), "%.*s",
				 bar ? (int)(bar - golden_opts[i]) : 255,
				 golden_opts[i]);
			/* lsmem 2.38 shows no zones without memory0 (#4055) */
			if (no_mem0 && (strcasestr(lopt, "zones") ||
					strstr(lopt, "output-all") ||
					strstr(lopt, "-S none")))
				continue;
			snprintf(mopt, sizeof(mopt), "--sysroot %s %s", root,
				 bar ? bar + 1 : lopt);
			exp = lsmem(root, lopt, &rc);
			ls(&r, "%s", mopt);
			checked++;
			if (strcmp(exp, r.out) || (rc == 0) != (r.rc == 0)) {
				failed++;
				print_error(
					"%s: lsmem %s (exit %d) | memhp ls %s (exit %d)\n"
					"--- lsmem\n%s--- memhp ls\n%s%s",
					golden_trees[t], lopt, rc, mopt, r.rc,
					exp, r.out, r.err);
			}
			free(exp);
			res_free(&r);
		}
	}
	if (failed)
		fail_msg("%zu of %zu comparisons with lsmem differ", failed,
			 checked);
	assert_true(checked > 300);
}

/* lsmem 2.38 prints no ZONES when memory0 is missing (#4055): we do. */
static void test_holes_zones(void **state)
{
	static const char want[] =
		"RANGE                                  SIZE   STATE REMOVABLE     BLOCK          ZONES\n"
		"0x0000000008000000-0x000000001fffffff  384M  online       yes       1-3          DMA32\n"
		"0x0000000040000000-0x000000004fffffff  256M  online       yes       8-9         Normal\n"
		"0x0000000058000000-0x000000005fffffff  128M  online       yes        11         Normal\n"
		"0x0000000080000000-0x000000009fffffff  512M  online        no     16-19         Normal\n"
		"0x00000000a0000000-0x00000000afffffff  256M offline               20-21 Normal/Movable\n"
		"0x0000001f40000000-0x0000001f4fffffff  256M  online       yes 1000-1001        Movable\n"
		"\n"
		"Memory block size:       128M\n"
		"Total online memory:     1.5G\n"
		"Total offline memory:    256M\n";
	struct res r;

	(void)state;
	ls(&r, "--sysroot %s -o +ZONES", tree("holes"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");
	res_free(&r);
}

static void expect(const char *args, int rc, const char *err_has)
{
	struct res r;

	ls(&r, "%s", args);
	if (r.rc != rc || !strstr(r.err, err_has))
		fail_msg(
			"memhp ls %s: exit %d (want %d), stderr \"%s\" (want \"%s\")",
			args, r.rc, rc, r.err, err_has);
	if (rc)
		assert_string_equal(r.out, ""); /* nothing on stdout */
	res_free(&r);
}

static void test_usage_errors(void **state)
{
	char a[2 * PATH_MAX];

	(void)state;
	snprintf(a, sizeof(a), "--sysroot %s", tree("2node"));
	expect("-o foo", 2, "memhp ls: unknown column: foo\n");
	expect("-o RANGE,foo,SIZE", 2, "unknown column: foo\n");
	expect("-o +Bogus", 2, "unknown column: Bogus\n");
	expect("-o RANGE,,SIZE", 2, "empty column name");
	expect("-o RANGE,", 2, "empty column name");
	expect("-o +", 2, "empty output list");
	expect("-S foo", 2, "unknown column: foo");
	expect("-J -r", 2,
	       "mutually exclusive arguments: --json --pairs --raw");
	expect("-P -J", 2, "mutually exclusive");
	expect("-a -S node", 2, "mutually exclusive arguments: --split --all");
	expect("-r --summary=only", 2,
	       "options --{raw,json,pairs} and --summary=only are mutually exclusive");
	expect("--summary=sometimes", 2, "unsupported --summary argument");
	/* getopt's own message goes to the process' stderr, then argp's hint */
	expect("--bogus", 2, "Try `memhp ls --help'");
	expect("-x", 2, "Try `memhp ls --help'");
	expect("-o", 2, "Try `memhp ls --help'");
	expect("extra", 2, "bad usage");
	expect("-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES,GROUP,RANGE,SIZE,"
	       "STATE,REMOVABLE,BLOCK,NODE,ZONES,GROUP,RANGE,SIZE,STATE,REMOVABLE,"
	       "BLOCK,NODE,ZONES,GROUP,RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES,"
	       "GROUP,RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES,GROUP,RANGE",
	       2, "too many columns");
	/* same option twice is fine */
	expect("-r -r -n --sysroot /nonexistent-memhp", 1,
	       "/nonexistent-memhp");
	/* lsmem compatibility: --summary=only never looks at -o and -S */
	snprintf(a, sizeof(a), "--summary=only -o foo -S bar --sysroot %s",
		 tree("2node"));
	expect(a, 0, "");
}

static void test_runtime_errors(void **state)
{
	char a[2 * PATH_MAX];

	(void)state;
	expect("--sysroot /nonexistent-memhp", 1,
	       "memhp ls: cannot open sysroot /nonexistent-memhp: No such file or directory\n");
	snprintf(a, sizeof(a), "--sysroot %s", tree("bad-nomem"));
	expect(a, 1,
	       "sysroot-bad-nomem/sys/devices/system/memory: No such file");
	snprintf(a, sizeof(a), "--sysroot %s -J", tree("bad-bsize"));
	expect(a, 1, "block_size_bytes: bad block size \"zz\"");
	snprintf(a, sizeof(a), "--sysroot %s --summary", tree("bad-noblocks"));
	expect(a, 1, "no memoryN block directories");
	/* tolerated oddities: output, and a warning on stderr */
	snprintf(a, sizeof(a), "--sysroot %s -o +NODE,ZONES", tree("weird"));
	expect(a, 0, "memhp ls: warning: ");
}

static void test_help_version(void **state)
{
	struct res r;

	(void)state;
	ls(&r, "--help");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Usage: memhp ls"));
	assert_non_null(strstr(r.out, "--zones-summary"));
	assert_non_null(strstr(r.out, "ONLINED-BY"));
	assert_non_null(strstr(r.out, "Exit status: 0 ok, 1"));
	assert_string_equal(r.err, "");
	res_free(&r);
	ls(&r, "-h --sysroot /nonexistent-memhp");
	assert_int_equal(r.rc, 0);
	res_free(&r);
	ls(&r, "--usage");
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Usage: memhp ls"));
	res_free(&r);
	ls(&r, "-V");
	assert_int_equal(r.rc, 0);
	assert_string_not_equal(r.out, "");
	res_free(&r);
}

/* A model as events would leave it: memhp's own columns. */
static struct memhp_model *event_model(void)
{
	struct memhp_model *m = calloc(1, sizeof(*m));
	char err[256];
	uint64_t i;

	assert_non_null(m);
	model_init(m);
	assert_int_equal(sysfs_snapshot(m, tree("2node"), err, sizeof(err)), 0);
	for (i = 24; i < 30; i++) {
		struct memhp_block *b = model_block_find(m, i);
		struct memhp_block_ev *x = model_block_ev_get(m, b);

		assert_non_null(x);
		x->group_id = i < 28 ? 0 : 1;
		x->group_key = 0xabc0 + (uint64_t)x->group_id;
		b->online_type = 3; /* online_movable */
		snprintf(x->onlined_by, sizeof(x->onlined_by), "%s",
			 i < 26 ? "udevd" : "virtio mem\\x");
		x->last_event_ns = 1;
	}
	return m;
}

static void test_event_columns(void **state)
{
	static const char want[] =
		"BLOCK GROUP    ONLINE-TYPE ONLINED-BY        STATE\n"
		" 0-23     -              - -                online\n"
		"24-25     0 online_movable udevd            online\n"
		"26-27     0 online_movable virtio mem\\x5cx  online\n"
		"28-29     1 online_movable virtio mem\\x5cx  online\n"
		"30-31     -              - -               offline\n";
	static const char want_raw[] =
		"BLOCK GROUP ONLINE-TYPE ONLINED-BY STATE\n"
		"0-23 - - - online\n"
		"24-25 0 online_movable udevd online\n"
		"26-27 0 online_movable virtio\\x20mem\\x5cx online\n"
		"28-29 1 online_movable virtio\\x20mem\\x5cx online\n"
		"30-31 - - - offline\n";
	struct memhp_model *m = event_model();
	struct res r;

	(void)state;
	ls_m(&r, m,
	     "-o BLOCK,GROUP,ONLINE-TYPE,ONLINED-BY,STATE --summary=never");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, want);
	res_free(&r);

	ls_m(&r, m, "-r -o BLOCK,GROUP,ONLINE-TYPE,ONLINED-BY,STATE");
	assert_string_equal(r.out, want_raw);
	res_free(&r);

	/* not shown, not split by: lsmem's ranges */
	ls_m(&r, m, "-o BLOCK,STATE --summary=never -n");
	assert_string_equal(r.out, " 0-29  online\n30-31 offline\n");
	res_free(&r);
	ls_m(&r, m, "-o BLOCK,STATE --summary=never -n -S group");
	assert_string_equal(
		r.out,
		" 0-23  online\n24-27  online\n28-29  online\n30-31 offline\n");
	res_free(&r);

	/* JSON: unknown is null, GROUP a number */
	ls_m(&r, m, "-J -o BLOCK,GROUP,ONLINE-TYPE,ONLINED-BY -S none");
	assert_string_equal(r.out, "{\n"
				   "   \"memory\": [\n"
				   "      {\n"
				   "         \"block\": \"0-31\",\n"
				   "         \"group\": null,\n"
				   "         \"online-type\": null,\n"
				   "         \"onlined-by\": null\n"
				   "      }\n"
				   "   ]\n"
				   "}\n");
	res_free(&r);
	ls_m(&r, m, "-J -a -o BLOCK,GROUP,ONLINED-BY");
	assert_non_null(strstr(
		r.out, "         \"block\": \"26\",\n"
		       "         \"group\": 0,\n"
		       "         \"onlined-by\": \"virtio mem\\\\x\"\n"));
	res_free(&r);

	/* --output-all: lsmem's seven, then memhp's three */
	ls_m(&r, m, "--output-all --summary=never");
	assert_true(!strncmp(
		r.out,
		"RANGE                                  SIZE   STATE REMOVABLE BLOCK NODE          ZONES GROUP    ONLINE-TYPE ONLINED-BY\n",
		119));
	res_free(&r);
	ls_m(&r, m, "-P -o BLOCK,ONLINED-BY -a");
	assert_non_null(strstr(
		r.out, "BLOCK=\"26\" ONLINED-BY=\"virtio mem\\x5cx\"\n"));
	res_free(&r);

	model_free(m);
	free(m);

	/* an empty model is an error, not an empty table */
	m = calloc(1, sizeof(*m));
	model_init(m);
	ls_m(&r, m, "");
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "no memory blocks"));
	res_free(&r);
	model_free(m);
	free(m);
}

static void test_zones_summary(void **state)
{
	static const char want[] = "NODE ZONE    BLOCKS  SIZE\n"
				   "   0 DMA32        7  896M\n"
				   "   0 Normal       8    1G\n"
				   "   0 None         1  128M\n"
				   "   1 Normal       8    1G\n"
				   "   1 Movable      6  768M\n"
				   "\n"
				   "Memory block size:       128M\n"
				   "Total online memory:     3.8G\n"
				   "Total offline memory:    256M\n";
	static const char want_nonuma[] = "NODE ZONE   BLOCKS  SIZE\n"
					  "   - DMA32       7  896M\n"
					  "   - Normal      4  512M\n"
					  "   - None        1  128M\n";
	struct res r;

	(void)state;
	ls(&r, "--sysroot %s -Z", tree("2node"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, want);
	res_free(&r);
	ls(&r, "--sysroot %s -Z --summary=never", tree("nonuma"));
	assert_string_equal(r.out, want_nonuma);
	res_free(&r);
	ls(&r, "--sysroot %s -Z -J -b", tree("nonuma"));
	assert_non_null(strstr(r.out, "{\n   \"zones\": [\n      {\n"
				      "         \"node\": null,\n"
				      "         \"zone\": \"DMA32\",\n"
				      "         \"blocks\": 7,\n"
				      "         \"size\": 939524096\n"));
	res_free(&r);
	ls(&r, "--sysroot %s -Z -r -n --summary=never", tree("offline"));
	assert_string_equal(r.out, "0 DMA32 7 896M\n0 Normal 4 512M\n"
				   "0 None 1 128M\n1 Movable 2 256M\n");
	res_free(&r);
}

/* Every block listed (-a) at a few thousand blocks: the same as merging. */
static void test_all_blocks(void **state)
{
	struct res r;
	size_t lines = 0;
	char *p;

	(void)state;
	ls(&r, "--sysroot %s -a -n -r -o BLOCK --summary=never", tree("gen"));
	assert_int_equal(r.rc, 0);
	for (p = r.out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 700);
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_human),
		cmocka_unit_test(test_golden_vs_lsmem),
		cmocka_unit_test(test_holes_zones),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_runtime_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_event_columns),
		cmocka_unit_test(test_zones_summary),
		cmocka_unit_test(test_all_blocks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
