// SPDX-License-Identifier: GPL-2.0
/* Names of the parts of a rotated record set, and listing them (recset.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recset.h"

int recset_part_name(char *buf, size_t len, const char *base, uint32_t part)
{
	int n = snprintf(buf, len, "%s.%0*u", base, RECSET_DIGITS, part);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

uint32_t recset_part_of(const char *base, const char *name)
{
	size_t bl = strlen(base), digits = 0;
	uint64_t v = 0;
	const char *p;

	if (strncmp(name, base, bl) || name[bl] != '.')
		return 0;
	for (p = name + bl + 1; *p; p++, digits++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return digits >= RECSET_DIGITS ? (uint32_t)v : 0;
}

void recset_free(struct recset_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

static int by_part(const void *a, const void *b)
{
	const struct recset_file *x = a, *y = b;

	return x->part < y->part ? -1 : x->part > y->part;
}

/* Split @base into the directory to read and the name to match. */
static int split(const char *base, char **dir, const char **name)
{
	const char *slash = strrchr(base, '/');

	*name = slash ? slash + 1 : base;
	if (!slash)
		*dir = strdup(".");
	else if (slash == base)
		*dir = strdup("/");
	else
		*dir = strndup(base, (size_t)(slash - base));
	return *dir ? 0 : -ENOMEM;
}

int recset_list(const char *base, struct recset_file **files, size_t *n, char *err,
		size_t errlen)
{
	struct recset_file *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	const char *name;
	struct dirent *d;
	char *dir;
	DIR *dp;
	int ret = 0;

	*files = NULL;
	*n = 0;
	if (split(base, &dir, &name)) {
		snprintf(err, errlen, "%s: out of memory", base);
		return -ENOMEM;
	}
	if (!*name) {
		snprintf(err, errlen, "%s: not a file name", base);
		free(dir);
		return -EINVAL;
	}
	dp = opendir(dir);
	if (!dp) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(dir);
		return ret;
	}
	while ((d = readdir(dp))) {
		uint32_t part = recset_part_of(name, d->d_name);
		size_t plen;

		if (!part)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		plen = strlen(dir) + 1 + strlen(d->d_name) + 1;
		v[cnt].path = malloc(plen);
		if (!v[cnt].path) {
			ret = -ENOMEM;
			break;
		}
		/* "./x" for a bare name would change what messages show */
		if (strchr(base, '/'))
			snprintf(v[cnt].path, plen, "%.*s%s", (int)(name - base), base, d->d_name);
		else
			snprintf(v[cnt].path, plen, "%s", d->d_name);
		v[cnt++].part = part;
	}
	closedir(dp);
	free(dir);
	if (ret) {
		snprintf(err, errlen, "%s: out of memory", base);
		recset_free(v, cnt);
		return ret;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), by_part);
	*files = v;
	*n = cnt;
	return 0;
}

static int member_by_part(const void *a, const void *b)
{
	const struct recset_member *x = a, *y = b;

	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	/* equal parts: keep the given order (qsort is not stable) */
	return x->index < y->index ? -1 : x->index > y->index;
}

int recset_order(struct recset_member *v, size_t n, FILE *notes, const char *prog, char *err,
		 size_t errlen)
{
	int warnings = 0;
	bool sorted = true;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (!v[i].part || !v[i].session) {
			snprintf(err, errlen,
				 "%s is a single recording, not a part of a rotated set: replay it alone",
				 v[i].path);
			return -1;
		}
		if (v[i].session != v[0].session || v[i].block_size != v[0].block_size ||
		    v[i].page_size != v[0].page_size) {
			snprintf(err, errlen,
				 "%s and %s are parts of different recordings (session %016llx, %016llx): "
				 "replay one set at a time",
				 v[0].path, v[i].path, (unsigned long long)v[0].session,
				 (unsigned long long)v[i].session);
			return -1;
		}
		if (i && v[i].part < v[i - 1].part)
			sorted = false;
	}
	if (!sorted) {
		qsort(v, n, sizeof(*v), member_by_part);
		if (notes)
			fprintf(notes, "%s: warning: files given out of order: replaying them by part, "
				"from %s\n", prog, v[0].path);
		warnings++;
	}
	for (i = 1; i < n; i++) {
		if (v[i].part == v[i - 1].part) {
			snprintf(err, errlen, "%s and %s are both part %u of the recording",
				 v[i - 1].path, v[i].path, v[i].part);
			return -1;
		}
		if (v[i].part != v[i - 1].part + 1) {
			char which[40];

			if (v[i].part - v[i - 1].part == 2)
				snprintf(which, sizeof(which), "part %u is", v[i].part - 1);
			else
				snprintf(which, sizeof(which), "parts %u to %u are", v[i - 1].part + 1,
					 v[i].part - 1);
			if (notes)
				fprintf(notes,
					"%s: warning: %s missing between %s and %s: its events are not "
					"replayed (%s's snapshot resynchronises the model)\n",
					prog, which, v[i - 1].path, v[i].path, v[i].path);
			warnings++;
		}
	}
	if (v[0].part > 1 && notes)
		fprintf(notes, "%s: %s is part %u: the parts before it were removed (--max-files or "
			"the free-space floor) or not given\n", prog, v[0].path, v[0].part);
	return warnings;
}
