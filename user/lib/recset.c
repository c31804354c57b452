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
