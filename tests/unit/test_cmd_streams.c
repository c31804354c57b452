// SPDX-License-Identifier: GPL-2.0
/*
 * export_main() and top_main() write only to the streams they are handed
 * (user/cli/cli.h): export --stdout's exposition and top --batch's frames
 * on out, messages and argp's on err, nothing on the process' stdout or
 * stderr. On a fixture tree from tests/data/mk-sysroots.sh; no BPF.
 */
#include <fcntl.h>
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

#include "unit_fixture.h"

#include "export.h"
#include "memhp.h"
#include "top.h"

static char work[PATH_MAX];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	if (find_srcdir()) {
		fprintf(stderr, "cannot find tests/data/mk-sysroots.sh: set MEMHP_SRCDIR\n");
		return -1;
	}
	snprintf(work, sizeof(work), "%s/memhp-streams.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(work))
		return -1;
	return run("'%s/tests/data/mk-sysroots.sh' '%s' >/dev/null", srcdir, work) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (work[0])
		run("rm -rf '%s'", work);
	return 0;
}

struct res {
	char *out, *err;
	size_t outlen, errlen;
	long stray; /* bytes the command wrote to fds 1 and 2 itself */
	int rc;
};

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/*
 * @main with the NULL-terminated arguments, out and err on memory streams,
 * the process' stdout and stderr on a file for the duration of the call.
 */
static void call(struct res *r, int (*main_fn)(int, char **, FILE *, FILE *), const char *name,
		 ...)
{
	char path[PATH_MAX + 16], *argv[32];
	int argc = 0, fd, saved1, saved2;
	FILE *out, *err;
	struct stat st;
	va_list ap;

	memset(r, 0, sizeof(*r));
	argv[argc++] = (char *)name;
	va_start(ap, name);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	out = open_memstream(&r->out, &r->outlen);
	err = open_memstream(&r->err, &r->errlen);
	assert_non_null(out);
	assert_non_null(err);

	snprintf(path, sizeof(path), "%s/stray", work);
	fflush(stdout);
	fflush(stderr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved1 = dup(1);
	saved2 = dup(2);
	assert_true(saved1 >= 0 && saved2 >= 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	r->rc = main_fn(argc, argv, out, err);
	fflush(stdout);
	fflush(stderr);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	assert_int_equal(stat(path, &st), 0);
	r->stray = (long)st.st_size;

	fclose(out);
	fclose(err);
}

static const char *tree(const char *name)
{
	static char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/sysroot-%s", work, name);
	return p;
}

static void version_line(char *buf, size_t len)
{
	snprintf(buf, len, "memhp %s (event ABI %d)\n", MEMHP_VERSION, MEMHP_ABI_VERSION);
}

static void test_export(void **state)
{
	char want[128];
	struct res r;

	(void)state;
	/* no proc/zoneinfo in this tree: printed, warned, exit 1 (issue #15) */
	call(&r, export_main, "memhp export", "--stdout", "--sysroot", tree("2node"), NULL);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.err, "memhp export: warning: "));
	assert_non_null(strstr(r.err, "/proc/zoneinfo: absent: no zone or memory group metrics"));
	assert_non_null(strstr(r.out, "# HELP memhp_build_info "));
	assert_non_null(strstr(r.out, "memhp_block_size_bytes "));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, export_main, "memhp export", "--stdout", "--sysroot", "/nonexistent-memhp", NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "memhp export: "));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, export_main, "memhp export", "--interval", "0", NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "memhp export: invalid --interval '0'"));
	assert_non_null(strstr(r.err, "Try `memhp export --help'"));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, export_main, "memhp export", "--stdout", "--listen", "127.0.0.1:1", NULL);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "--stdout and --listen exclude each other"));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, export_main, "memhp export", "--help", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Usage: memhp export"));
	assert_string_equal(r.err, "");
	assert_int_equal(r.stray, 0);
	res_free(&r);

	version_line(want, sizeof(want));
	call(&r, export_main, "memhp export", "-V", NULL);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, want);
	assert_int_equal(r.stray, 0);
	res_free(&r);
}

static void test_top(void **state)
{
	struct res r;

	(void)state;
	call(&r, top_main, "memhp top", "--no-bpf", "--batch", "2", "-i", "100ms", "--sysroot",
	     tree("2node"), NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "memhp top - "));
	assert_non_null(strstr(r.out, "NODE ZONE"));
	/* two frames, each ending in an empty line */
	assert_non_null(strstr(strstr(r.out, "memhp top - ") + 1, "memhp top - "));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, top_main, "memhp top", "--snapshot", "--batch", "1", "--sysroot",
	     "/nonexistent-memhp", NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "memhp top: "));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, top_main, "memhp top", "--max-ratio", "x", NULL);
	assert_int_equal(r.rc, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "memhp top: invalid --max-ratio 'x'"));
	assert_int_equal(r.stray, 0);
	res_free(&r);

	call(&r, top_main, "memhp top", "-h", NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "Usage: memhp top"));
	assert_string_equal(r.err, "");
	assert_int_equal(r.stray, 0);
	res_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_top),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
