/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/zoneinfo for renders on other threads (export's HTTP threads, which
 * run as nobody): a render reads the file itself, and where it cannot (a
 * --sysroot tree in a root-only directory) it takes the copy the main
 * thread keeps, at most 0.5 s old once a render has needed it.
 */
#ifndef MEMHP_ZI_CACHE_H
#define MEMHP_ZI_CACHE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "zoneinfo.h"

struct zi_cache {
	char path[PATH_MAX];
	const char *prog; /* warnings: "PROG: warning: ..." on err */
	FILE *err;
	pthread_mutex_t lock; /* the fields below */
	struct zoneinfo zi;
	int have; /* zi_file_read(): 1 read, 0 absent, -1 unusable */
	bool warned;
	double read_at; /* main thread only */
	bool wanted;	/* a render used the copy: keep it current (atomic) */
};

/* SYSROOT/proc/zoneinfo ("" or NULL: the system's). */
void zi_cache_path(const char *sysroot, char *out, size_t len);

/* 1 read, 0 absent (no zone series), -1 unusable (warned once, *warned). */
int zi_file_read(const char *path, struct zoneinfo *zi, bool *warned, const char *prog,
		 FILE *err);

void zi_cache_init(struct zi_cache *c, const char *sysroot, const char *prog, FILE *err);
void zi_cache_free(struct zi_cache *c);

/* Main thread: re-read the file when @force, or when a render needed the
 * copy (at most every 0.5 s). */
void zi_cache_refresh(struct zi_cache *c, bool force);

/* Any thread: the zones as of now into @out (the caller frees it with
 * zoneinfo_free() when 1 is returned): 1, or <= 0 when there are none. */
int zi_cache_get(struct zi_cache *c, struct zoneinfo *out);

#endif
