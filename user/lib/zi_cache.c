// SPDX-License-Identifier: GPL-2.0
/* /proc/zoneinfo read by renders, with the main thread's copy behind it (zi_cache.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "zi_cache.h"

void zi_cache_path(const char *sysroot, char *out, size_t len)
{
	snprintf(out, len, "%s/proc/zoneinfo", sysroot && *sysroot ? sysroot : "");
}

int zi_file_read(const char *path, struct zoneinfo *zi, bool *warned, const char *prog,
		 FILE *errf)
{
	char err[256];

	memset(zi, 0, sizeof(*zi));
	if (access(path, F_OK))
		return 0;
	if (zoneinfo_read(path, zi, err, sizeof(err))) {
		if (!*warned)
			fprintf(errf, "%s: warning: no zone metrics: %s\n", prog, err);
		*warned = true;
		zoneinfo_free(zi);
		return -1;
	}
	return 1;
}

void zi_cache_init(struct zi_cache *c, const char *sysroot, const char *prog, FILE *err)
{
	memset(c, 0, sizeof(*c));
	zi_cache_path(sysroot, c->path, sizeof(c->path));
	c->prog = prog;
	c->err = err;
	pthread_mutex_init(&c->lock, NULL);
}

void zi_cache_free(struct zi_cache *c)
{
	if (c->have > 0)
		zoneinfo_free(&c->zi);
	c->have = 0;
	pthread_mutex_destroy(&c->lock);
}

void zi_cache_refresh(struct zi_cache *c, bool force)
{
	struct zoneinfo zi, old;
	double now = mono_s();
	bool warned;
	int have;

	if (!force && (!__atomic_load_n(&c->wanted, __ATOMIC_RELAXED) || now - c->read_at < 0.5))
		return;
	c->read_at = now;
	pthread_mutex_lock(&c->lock);
	warned = c->warned;
	pthread_mutex_unlock(&c->lock);
	have = zi_file_read(c->path, &zi, &warned, c->prog, c->err);
	pthread_mutex_lock(&c->lock);
	old = c->zi;
	c->zi = zi;
	c->warned = warned;
	if (c->have <= 0)
		memset(&old, 0, sizeof(old));
	c->have = have;
	pthread_mutex_unlock(&c->lock);
	zoneinfo_free(&old);
}

/* A private copy of the kept zones for one render; 1 if there are any. */
static int copy_zones(struct zi_cache *c, struct zoneinfo *out)
{
	int have;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	have = c->have;
	if (have > 0) {
		*out = c->zi;
		out->cap = out->nr;
		out->zones = malloc((out->nr ? out->nr : 1) * sizeof(*out->zones));
		if (out->zones)
			memcpy(out->zones, c->zi.zones, out->nr * sizeof(*out->zones));
		else
			have = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (have <= 0)
		memset(out, 0, sizeof(*out));
	return have;
}

int zi_cache_get(struct zi_cache *c, struct zoneinfo *out)
{
	char err[256];

	if (!zoneinfo_read(c->path, out, err, sizeof(err)))
		return 1;
	zoneinfo_free(out);
	__atomic_store_n(&c->wanted, true, __ATOMIC_RELAXED);
	return copy_zones(c, out);
}
