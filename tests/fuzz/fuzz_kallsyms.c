// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms content -> ksym_set_path() + ksym_name() (user/lib/ksyms.c).
 *
 * The input is written to a file; the addresses looked up are the ones at
 * the start of its first lines (so lookups hit), plus 0, 1 and ~0, each
 * with a roomy, a tight and a one-byte output buffer, twice (the second
 * time from the cache). Checked: the answer is a terminated string that
 * fits, never empty, the same from the cache, and a hex number when the
 * address is not in the file.
 */
#include <inttypes.h>

#include "fuzz_common.h"
#include "ksyms.h"

#define MAX_ADDRS 24

static char path[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/kallsyms", fz_tmpdir());
	return 0;
}

static void lookup(uint64_t addr)
{
	static const size_t lens[] = { 128, 96, 20, 2, 1 };
	char first[128], buf[128];
	size_t i;

	memset(first, 0, sizeof(first));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		const char *r;

		memset(buf, 'Z', sizeof(buf));
		r = ksym_name(addr, buf, lens[i]);
		FZ_CHECK(r == buf);
		FZ_CHECK(memchr(buf, 0, lens[i]));
		if (lens[i] > 1)
			FZ_CHECK(buf[0] != '\0');
		if (i == 0) {
			memcpy(first, buf, sizeof(first));
			if (!addr)
				FZ_CHECK(!strcmp(buf, "-"));
		} else {
			/* the same answer, cut to the buffer */
			FZ_CHECK(!strncmp(buf, first, lens[i] - 1));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t addrs[MAX_ADDRS];
	size_t n = 0, pos = 0, i;

	fz_rmtree(path);
	FZ_CHECK(!fz_write_file(path, data, size));
	ksym_set_path(path);

	addrs[n++] = 0;
	addrs[n++] = 1;
	addrs[n++] = UINT64_MAX;
	while (pos < size && n < MAX_ADDRS) {
		uint64_t a = 0;
		size_t k = 0;

		while (pos + k < size && k < 16) {
			uint8_t c = data[pos + k];

			if (c >= '0' && c <= '9')
				a = a << 4 | (uint64_t)(c - '0');
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				a = a << 4 | (uint64_t)((c | 0x20) - 'a' + 10);
			else
				break;
			k++;
		}
		if (k)
			addrs[n++] = a;
		while (pos < size && data[pos] != '\n')
			pos++;
		pos++;
	}
	/* twice: the second round is answered from the cache (16 entries) */
	for (i = 0; i < n; i++)
		lookup(addrs[i]);
	for (i = 0; i < n; i++)
		lookup(addrs[i]);
	/* a path that does not exist: hex answers */
	ksym_set_path("/nonexistent/memhp-fuzz/kallsyms");
	{
		char buf[32], want[32];

		snprintf(want, sizeof(want), "0x%" PRIx64, addrs[n - 1]);
		ksym_name(addrs[n - 1], buf, sizeof(buf));
		FZ_CHECK(!addrs[n - 1] || !strcmp(buf, want));
	}
	return 0;
}
