// SPDX-License-Identifier: GPL-2.0
/*
 * Defensive reader of /sys/firmware/memmap, the firmware's memory map
 * (see zoneinfo.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zi_read.h"
#include "zoneinfo.h"

static int cmp_memmap(const void *a, const void *b)
{
	const struct zi_memmap_entry *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

int memmap_read(const char *dir, struct zi_memmap *mm)
{
	struct dirent *de;
	DIR *d;

	memset(mm, 0, sizeof(*mm));
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct zi_memmap_entry e = { 0 };
		char path[PATH_MAX], word[64];
		uint64_t idx;

		if (de->d_name[0] == '.')
			continue;
		if (parse_dec(de->d_name, &idx) || idx > UINT_MAX) {
			mm->malformed++;
			continue;
		}
		e.index = (unsigned int)idx;
		snprintf(path, sizeof(path), "%s/%s/start", dir, de->d_name);
		if (read_word(path, word, sizeof(word)) ||
		    zi_parse_u64(word, &e.start)) {
			mm->malformed++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/end", dir, de->d_name);
		if (read_word(path, word, sizeof(word)) ||
		    zi_parse_u64(word, &e.end) || e.end < e.start) {
			mm->malformed++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s/type", dir, de->d_name);
		if (read_word(path, e.type, sizeof(e.type))) {
			mm->malformed++;
			continue;
		}
		if (mm->nr == mm->cap) {
			size_t cap = mm->cap ? mm->cap * 2 : 32;
			struct zi_memmap_entry *ne;

			if (cap > 65536)
				break;
			ne = realloc(mm->e, cap * sizeof(*ne));
			if (!ne) {
				closedir(d);
				memmap_free(mm);
				return -ENOMEM;
			}
			mm->e = ne;
			mm->cap = cap;
		}
		mm->e[mm->nr++] = e;
	}
	closedir(d);
	if (mm->nr)
		qsort(mm->e, mm->nr, sizeof(*mm->e), cmp_memmap);
	return 0;
}

void memmap_mark_boot(struct zi_memmap *mm, const uint64_t *late,
		      size_t nr_late)
{
	uint64_t max_end = 0;
	size_t i, j, tail = mm->nr;

	for (i = 0; i < mm->nr && tail == mm->nr; i++) {
		const struct zi_memmap_entry *e = &mm->e[i];

		if (i && e->start < max_end)
			tail = i;
		for (j = 0; j < nr_late; j++)
			if (e->start == late[2 * j] &&
			    e->end + 1 == late[2 * j + 1])
				tail = i;
		if (e->end + 1 > max_end)
			max_end = e->end + 1;
	}
	for (i = 0; i < mm->nr; i++)
		mm->e[i].boot = i < tail;
}

void memmap_free(struct zi_memmap *mm)
{
	free(mm->e);
	memset(mm, 0, sizeof(*mm));
}
