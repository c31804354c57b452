// SPDX-License-Identifier: GPL-2.0
/*
 * A sysfs tree made from the input -> sysfs_snapshot*() -> memhp ls
 * (user/lib/sysfs.c, user/cmd/ls.c, user/lib/table_builtin.c, user/lib/model.c).
 *
 * The input describes the tree in the format of fuzz_common.h ("f M/
 * block_size_bytes=8000000\n", "l M/memory3/node0=../../node/node0", ...);
 * it is built in a fresh directory for every input and removed afterwards.
 * Then:
 *   1. sysfs_snapshot_report() of everything into a new model;
 *   2. sysfs_snapshot_opts() again into the same model, reading only some
 *      files (the "want" bits from the input's length), one thread;
 *   3. memhp ls over that model with the input's "a ARG" arguments;
 *   4. memhp ls reading the tree itself (--sysroot appended last).
 * Checked: a snapshot that succeeds gives a sorted, unique, bounded model
 * whose strings are terminated and whose report adds up; one that fails
 * says why; ls exits 0, 1 or 2.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "ls.h"
#include "model.h"
#include "sysfs.h"

static void check_model(const struct memhp_model *m, int rc,
			const struct sysfs_report *rep, const char *err)
{
	size_t i;

	if (rc) {
		FZ_CHECK(rc < 0 && err[0]);
		return;
	}
	FZ_CHECK(m->block_size != 0);
	FZ_CHECK(m->nr_blocks > 0 && m->nr_blocks == rep->nr_blocks);
	FZ_CHECK(m->sys.snapshot);
	FZ_CHECK(memchr(m->sys.auto_online_blocks, 0, sizeof(m->sys.auto_online_blocks)));
	FZ_CHECK(memchr(m->sys.memmap_on_memory, 0, sizeof(m->sys.memmap_on_memory)));
	FZ_CHECK(memchr(m->sys.online_policy, 0, sizeof(m->sys.online_policy)));
	FZ_CHECK(m->sys.auto_movable_ratio >= -1);
	FZ_CHECK(m->sys.auto_movable_numa_aware >= -1 && m->sys.auto_movable_numa_aware <= 1);
	FZ_CHECK(memchr(rep->first, 0, sizeof(rep->first)));
	FZ_CHECK(!sysfs_report_problems(rep) || rep->first[0]);
	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];

		if (i)
			FZ_CHECK(m->blocks[i - 1].id < b->id);
		/* every block ends below 2^64 */
		FZ_CHECK(b->id <= UINT64_MAX / m->block_size - 1);
		FZ_CHECK(strlen(model_zones(m, b)) < MEMHP_ZONES_LEN);
		FZ_CHECK(b->state >= MEMHP_BLOCK_UNKNOWN &&
			 b->state <= MEMHP_BLOCK_GOING_OFFLINE);
		FZ_CHECK(b->removable >= -1 && b->removable <= 1);
		FZ_CHECK(b->phys_device >= -1 && b->node >= -1);
	}
}

static void run_ls(int nargs, char **args, struct memhp_model *m,
		   const char *root)
{
	char *argv[FZ_TREE_MAX_ARGS + 3], sr[PATH_MAX + 16];
	int argc = 0, i, rc;

	argv[argc++] = (char *)"ls";
	for (i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	if (!m) {
		snprintf(sr, sizeof(sr), "--sysroot=%s", root);
		argv[argc++] = sr;
	}
	argv[argc] = NULL;
	rc = ls_main_model(argc, argv, m, fz_devnull(), fz_devnull());
	FZ_CHECK(rc == LS_EXIT_OK || rc == LS_EXIT_ERROR || rc == LS_EXIT_USAGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = fz_tree_root();
	struct sysfs_opts o = { .sysroot = root, .threads = 1 };
	struct sysfs_report rep;
	struct memhp_model m;
	struct fz_tree t;
	char err[512];
	int rc;

	if (fz_tree_build(root, data, size, &t))
		abort();
	model_init(&m);
	err[0] = '\0';
	rc = sysfs_snapshot_report(&m, root, &rep, err, sizeof(err));
	/* -EINTR: blocked (a FIFO opened without O_NONBLOCK), see zi_system */
	FZ_CHECK(rc != -EINTR);
	check_model(&m, rc, &rep, err);
	if (!rc) {
		/* again, a subset, into the filled model (stale blocks go) */
		o.want = (unsigned int)(size % SYSFS_WANT_ALL) + 1;
		err[0] = '\0';
		rc = sysfs_snapshot_opts(&m, &o, &rep, err, sizeof(err));
		check_model(&m, rc, &rep, err);
		if (!rc)
			run_ls(t.nargs, t.args, &m, root);
	}
	model_free(&m);
	run_ls(t.nargs, t.args, NULL, root);
	fz_tree_free(&t);
	fz_rmtree(root);
	return 0;
}
