// SPDX-License-Identifier: GPL-2.0
/*
 * Rotated record set names and order (user/lib/recset.c): the part number
 * parser recset_part_of(), the part names, recset_list() over a directory
 * of those names, recset_order() over what replay would be given.
 *
 * Input: lines; the first is the base name, each other "NAME" or
 * "NAME SESSION" (a decimal session id, 1 by default). Checked: a part
 * number comes back from its own name; recset_list() finds exactly the
 * names that parse, in increasing part order; recset_order() either
 * refuses (with a reason) or leaves the members sorted by strictly
 * increasing part, all of one session, the same members as given.
 */
#include "fuzz_common.h"
#include "recset.h"

#define MAX_NAMES 64

static char dir[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/set", fz_tmpdir());
	return 0;
}

static bool safe_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 200 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line, *save = NULL, *base = NULL, buf[PATH_MAX], err[512];
	char *names[MAX_NAMES];
	uint64_t sessions[MAX_NAMES];
	struct recset_member m[MAX_NAMES];
	struct recset_file *files;
	size_t n = 0, nf, i, expect = 0;
	FILE *devnull;

	text = malloc(size + 1);
	FZ_CHECK(text);
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp;

		if (!base) {
			base = line;
			continue;
		}
		if (n == MAX_NAMES)
			break;
		sp = strchr(line, ' ');
		sessions[n] = 1;
		if (sp) {
			*sp = '\0';
			sessions[n] = strtoull(sp + 1, NULL, 10);
		}
		names[n++] = line;
	}
	if (!base || !safe_name(base)) {
		free(text);
		return 0;
	}
	fz_rmtree(dir);
	FZ_CHECK(!mkdir(dir, 0700));
	for (i = 0; i < n; i++) {
		uint32_t p = recset_part_of(base, names[i]);

		if (p) {
			/* the name is the base, a dot and decimal digits */
			FZ_CHECK(!strncmp(names[i], base, strlen(base)));
			FZ_CHECK(recset_part_name(buf, sizeof(buf), base, p) == 0);
			FZ_CHECK(recset_part_of(base, buf) == p);
		}
		if (safe_name(names[i])) {
			char path[2 * PATH_MAX];
			int fd;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
			if (fd >= 0) {
				close(fd);
				expect += p != 0;
			}
		}
		m[i].path = names[i];
		m[i].index = i;
		m[i].part = p;
		m[i].session = sessions[i];
		m[i].block_size = 1u << 27;
		m[i].page_size = 4096;
	}
	snprintf(buf, sizeof(buf), "%s/%s", dir, base);
	FZ_CHECK(recset_list(buf, &files, &nf, err, sizeof(err)) == 0);
	FZ_CHECK(nf == expect);
	for (i = 0; i < nf; i++) {
		const char *slash = strrchr(files[i].path, '/');

		FZ_CHECK(slash && recset_part_of(base, slash + 1) == files[i].part);
		FZ_CHECK(!i || files[i - 1].part <= files[i].part);
	}
	recset_free(files, nf);

	devnull = fopen("/dev/null", "w");
	FZ_CHECK(devnull);
	err[0] = '\0';
	if (recset_order(m, n, devnull, "fuzz", err, sizeof(err)) >= 0) {
		bool seen[MAX_NAMES] = { false };

		for (i = 0; i < n; i++) {
			FZ_CHECK(m[i].index < n && !seen[m[i].index]);
			seen[m[i].index] = true;
			if (n > 1) {
				FZ_CHECK(m[i].part && m[i].session == m[0].session);
				FZ_CHECK(!i || m[i - 1].part < m[i].part);
			}
		}
	} else {
		FZ_CHECK(err[0]);
	}
	fclose(devnull);
	free(text);
	return 0;
}
