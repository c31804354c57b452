// SPDX-License-Identifier: GPL-2.0
/*
 * Defensive reader of /proc/iomem (see zoneinfo.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigit.h"
#include "zi_read.h"
#include "zoneinfo.h"

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 16)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int d = hex_digit_value((unsigned char)s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

int iomem_parse(const char *buf, size_t len, struct zi_iomem *io)
{
	int stack[32];
	char line[256];
	size_t pos = 0;
	bool cut, any_nonzero = false;
	int i;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < 32; i++)
		stack[i] = -1;
	while (next_line(buf, len, &pos, line, sizeof(line), &cut)) {
		struct zi_resource r = { .parent = -1 };
		size_t sp = strspn(line, " "), h1, h2;
		char *p = line + sp, *name;

		if (!*p)
			continue;
		h1 = strspn(p, "0123456789abcdefABCDEF");
		h2 = p[h1] == '-' ?
			     strspn(p + h1 + 1, "0123456789abcdefABCDEF") :
			     0;
		if (!h2 || parse_hex(p, h1, &r.start) ||
		    parse_hex(p + h1 + 1, h2, &r.end) || r.end < r.start ||
		    strncmp(p + h1 + 1 + h2, " : ", 3) || sp / 2 >= 32) {
			io->malformed++;
			continue;
		}
		name = p + h1 + 1 + h2 + 3;
		snprintf(r.name, sizeof(r.name), "%s", name);
		r.depth = (int)(sp / 2);
		for (i = r.depth - 1; i >= 0; i--)
			if (stack[i] >= 0) {
				r.parent = stack[i];
				break;
			}
		if (r.start || r.end)
			any_nonzero = true;
		if (io->nr == io->cap) {
			size_t cap = io->cap ? io->cap * 2 : 64;
			struct zi_resource *nr;

			if (cap > (1u << 20))
				break;
			nr = realloc(io->res, cap * sizeof(*nr));
			if (!nr) {
				iomem_free(io);
				return -ENOMEM;
			}
			io->res = nr;
			io->cap = cap;
		}
		io->res[io->nr] = r;
		stack[r.depth] = (int)io->nr;
		for (i = r.depth + 1; i < 32; i++)
			stack[i] = -1;
		io->nr++;
	}
	io->zeroed = io->nr && !any_nonzero;
	return 0;
}

void iomem_free(struct zi_iomem *io)
{
	free(io->res);
	memset(io, 0, sizeof(*io));
}
