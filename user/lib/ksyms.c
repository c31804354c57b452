// SPDX-License-Identifier: GPL-2.0
/*
 * Exact-address symbol lookup in /proc/kallsyms with a small cache, shared
 * by the threads of a command (export's HTTP threads and its main thread).
 * A miss is cached only when the file showed real addresses: read without
 * CAP_SYSLOG (export's HTTP thread runs as nobody) every address is 0, and
 * caching that miss would print the address for good even after the main
 * thread, still root, could name it.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexdigit.h"
#include "ksyms.h"

#define CACHE_SIZE 16

static struct {
	uint64_t addr;
	char name[96];
} cache[CACHE_SIZE];
static unsigned int cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *kallsyms_path = "/proc/kallsyms";

void ksym_set_path(const char *path)
{
	pthread_mutex_lock(&cache_lock);
	kallsyms_path = path;
	memset(cache, 0, sizeof(cache));
	cache_next = 0;
	pthread_mutex_unlock(&cache_lock);
}

/*
 * The line's leading address when it plainly is one (1 to 16 hex digits,
 * then a blank) into *@a; false for anything else, which the full parse
 * then takes as it always did.
 */
static bool line_addr(const char *line, unsigned long long *a)
{
	unsigned long long v = 0;
	int n, d;

	for (n = 0; n <= 16; n++) {
		d = hex_digit_value(line[n]);
		if (d < 0)
			break;
		v = v << 4 | (unsigned int)d;
	}
	if (n == 0 || n > 16 || (line[n] != ' ' && line[n] != '\t'))
		return false;
	*a = v;
	return true;
}

/* Names @addr into @name ("" if not found); false if the file showed no
 * real address (unreadable, or read without CAP_SYSLOG). */
static bool scan(uint64_t addr, char *name, size_t len)
{
	bool addresses = false;
	char line[512], sym[256], mod[128];
	static char buf[64 * 1024];
	unsigned long long a;
	char type;
	FILE *f = fopen(kallsyms_path, "re");

	name[0] = '\0';
	if (!f)
		return false;
	/* one read(2) per 64 KiB, not per 4: the file has over 100k lines
	 * (static: callers hold cache_lock) */
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	while (fgets(line, sizeof(line), f)) {
		/*
		 * All but the line that names @addr are skipped on their
		 * address alone: sscanf() on every line cost the tracer about
		 * a third of a second of CPU per lookup in the lab (issue #14,
		 * docs/DESIGN-NOTES.md). Until an address
		 * shows the file's addresses are real, lines take the full
		 * parse, which decides that as before.
		 */
		if (line_addr(line, &a) && a != addr && (!a || addresses))
			continue;
		mod[0] = '\0';
		if (sscanf(line, "%llx %c %255s %127s", &a, &type, sym, mod) < 3)
			continue;
		if (a)
			addresses = true;
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
	return addresses;
}

const char *ksym_name(uint64_t addr, char *buf, size_t len)
{
	char name[sizeof(cache[0].name)];
	unsigned int i;
	bool known;

	if (!addr) {
		snprintf(buf, len, "-");
		return buf;
	}
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SIZE; i++) {
		if (cache[i].addr == addr) {
			snprintf(buf, len, "%s", cache[i].name);
			pthread_mutex_unlock(&cache_lock);
			return buf;
		}
	}
	known = scan(addr, name, sizeof(name));
	if (!name[0])
		snprintf(name, sizeof(name), "0x%" PRIx64, addr);
	if (known) {
		i = cache_next++ % CACHE_SIZE;
		cache[i].addr = addr;
		snprintf(cache[i].name, sizeof(cache[i].name), "%s", name);
	}
	pthread_mutex_unlock(&cache_lock);
	snprintf(buf, len, "%s", name);
	return buf;
}
