// SPDX-License-Identifier: GPL-2.0
/* Exact-address symbol lookup in /proc/kallsyms with a small cache. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"

#define CACHE_SIZE 16

static struct {
	uint64_t addr;
	char name[96];
} cache[CACHE_SIZE];
static unsigned int cache_next;
static const char *kallsyms_path = "/proc/kallsyms";

void ksym_set_path(const char *path)
{
	kallsyms_path = path;
	memset(cache, 0, sizeof(cache));
	cache_next = 0;
}

static void scan(uint64_t addr, char *name, size_t len)
{
	char line[512], sym[256], mod[128];
	unsigned long long a;
	char type;
	FILE *f = fopen(kallsyms_path, "re");

	name[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		mod[0] = '\0';
		if (sscanf(line, "%llx %c %255s %127s", &a, &type, sym, mod) < 3)
			continue;
		if (a != addr)
			continue;
		if (mod[0])
			snprintf(name, len, "%s %s", sym, mod);
		else
			snprintf(name, len, "%s", sym);
		/* prefer a text symbol if several share the address */
		if (type == 't' || type == 'T')
			break;
	}
	fclose(f);
}

const char *ksym_name(uint64_t addr, char *buf, size_t len)
{
	unsigned int i;

	if (!addr) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (i = 0; i < CACHE_SIZE; i++) {
		if (cache[i].addr == addr) {
			snprintf(buf, len, "%s", cache[i].name);
			return buf;
		}
	}
	i = cache_next++ % CACHE_SIZE;
	cache[i].addr = addr;
	scan(addr, cache[i].name, sizeof(cache[i].name));
	if (!cache[i].name[0])
		snprintf(cache[i].name, sizeof(cache[i].name), "0x%" PRIx64, addr);
	snprintf(buf, len, "%s", cache[i].name);
	return buf;
}
