// SPDX-License-Identifier: GPL-2.0
/*
 * Defensive reader of /proc/zoneinfo (see zoneinfo.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zi_read.h"
#include "zoneinfo.h"

static void zi_problem(struct zoneinfo *zi, size_t lineno, const char *what)
{
	zi->malformed++;
	if (!zi->first[0])
		snprintf(zi->first, sizeof(zi->first), "line %zu: %s", lineno,
			 what);
}

static int zi_set(struct zoneinfo *zi, size_t lineno, uint64_t *field,
		  bool *has, const char *val)
{
	uint64_t v;

	if (*has) {
		zi_problem(zi, lineno, "repeated field");
		return 0;
	}
	if (parse_dec(val, &v)) {
		zi_problem(zi, lineno, "not a number");
		return 0;
	}
	*field = v;
	*has = true;
	return 0;
}

int zoneinfo_parse(const char *buf, size_t len, struct zoneinfo *zi)
{
	char line[512];
	size_t pos = 0, lineno = 0;
	struct zi_zone *cur = NULL;
	bool cut;

	memset(zi, 0, sizeof(*zi));
	while (next_line(buf, len, &pos, line, sizeof(line), &cut)) {
		char *w[5];
		int n;

		lineno++;
		n = split_words(line, w, 4);
		if (n <= 0)
			continue;
		if (!strcmp(w[0], "Node")) {
			struct zi_zone z = { 0 };
			uint64_t nid;
			size_t l;

			cur = NULL;
			/* "Node 0, zone   Normal" */
			if (n != 4 || strcmp(w[2], "zone")) {
				zi_problem(zi, lineno, "bad Node line");
				continue;
			}
			l = strlen(w[1]);
			if (l < 2 || w[1][l - 1] != ',') {
				zi_problem(zi, lineno, "bad Node line");
				continue;
			}
			w[1][l - 1] = '\0';
			if (parse_dec(w[1], &nid)) {
				zi_problem(zi, lineno, "bad node number");
				continue;
			}
			if (nid >= ZA_MAX_NODES) {
				zi_problem(zi, lineno,
					   "node number out of range");
				continue;
			}
			if (strlen(w[3]) >= sizeof(z.name)) {
				zi_problem(zi, lineno, "zone name too long");
				continue;
			}
			z.nid = (int)nid;
			snprintf(z.name, sizeof(z.name), "%s", w[3]);
			z.zid = za_zone_from_name(z.name);
			if (z.zid >= 0 && zoneinfo_find(zi, z.nid, z.zid)) {
				zi_problem(zi, lineno, "zone listed twice");
				continue;
			}
			if (zi->nr == zi->cap) {
				size_t cap = zi->cap ? zi->cap * 2 : 16;
				struct zi_zone *nz;

				if (cap > 65536) {
					zi_problem(zi, lineno,
						   "too many zones");
					continue;
				}
				nz = realloc(zi->zones, cap * sizeof(*nz));
				if (!nz) {
					zoneinfo_free(zi);
					return -ENOMEM;
				}
				zi->zones = nz;
				zi->cap = cap;
			}
			zi->zones[zi->nr] = z;
			cur = &zi->zones[zi->nr++];
			continue;
		}
		if (!cur || cut)
			continue;
		if (n == 2 && !strcmp(w[0], "spanned"))
			zi_set(zi, lineno, &cur->spanned, &cur->has_spanned,
			       w[1]);
		else if (n == 2 && !strcmp(w[0], "present"))
			zi_set(zi, lineno, &cur->present, &cur->has_present,
			       w[1]);
		else if (n == 2 && !strcmp(w[0], "managed"))
			zi_set(zi, lineno, &cur->managed, &cur->has_managed,
			       w[1]);
		else if (n == 2 && !strcmp(w[0], "cma"))
			zi_set(zi, lineno, &cur->cma, &cur->has_cma, w[1]);
		else if (n == 2 && !strcmp(w[0], "start_pfn:"))
			zi_set(zi, lineno, &cur->start_pfn, &cur->has_start,
			       w[1]);
		else if (!strcmp(w[0], "spanned") || !strcmp(w[0], "present") ||
			 !strcmp(w[0], "start_pfn:"))
			zi_problem(zi, lineno, "bad field line");
	}
	return zi->nr ? 0 : -EINVAL;
}

int zoneinfo_read(const char *path, struct zoneinfo *zi, char *err,
		  size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	memset(zi, 0, sizeof(*zi));
	rc = read_all(path, ZI_MAX_FILE, &buf, &len);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = zoneinfo_parse(buf, len, zi);
	free(buf);
	if (rc == -EINVAL)
		snprintf(err, errlen, "%s: no \"Node N, zone NAME\" entry%s%s",
			 path, zi->first[0] ? "; " : "", zi->first);
	else if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

void zoneinfo_free(struct zoneinfo *zi)
{
	free(zi->zones);
	memset(zi, 0, sizeof(*zi));
}

const struct zi_zone *zoneinfo_find(const struct zoneinfo *zi, int nid, int zid)
{
	size_t i;

	for (i = 0; i < zi->nr; i++)
		if (zi->zones[i].nid == nid && zi->zones[i].zid == zid &&
		    zid >= 0)
			return &zi->zones[i];
	return NULL;
}
