// SPDX-License-Identifier: GPL-2.0
/*
 * What a system or sysroot tree says about itself without BPF: the kernel
 * release and the memory groups (memhp export --stdout, memhp top).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "snapshot.h"
#include "zoneinfo.h"

void snapshot_kernel_release(const char *sysroot, char *out, size_t len)
{
	char path[PATH_MAX], buf[128];
	struct utsname u;
	FILE *f;
	size_t n, i;

	snprintf(out, len, "unknown");
	if (!sysroot || !*sysroot) {
		if (!uname(&u))
			snprintf(out, len, "%s", u.release);
		return;
	}
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", sysroot);
	f = zi_fopen_regular(path);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			return; /* not a release string */
	if (buf[0])
		snprintf(out, len, "%s", buf);
}

/* The zone algorithm's view of @sysroot, or NULL (reason in @err). */
static struct zi_system *system_load(const char *sysroot, char *err, size_t errlen)
{
	struct zi_system *s;

	err[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	zi_system_init(s);
	if (zi_system_load(s, sysroot, err, errlen)) {
		zi_system_free(s);
		free(s);
		return NULL;
	}
	return s;
}

size_t snapshot_groups(const char *sysroot, struct prom_group *out, size_t max, char *err,
		       size_t errlen)
{
	struct zi_system *s;
	size_t i, n = 0;

	s = system_load(sysroot, err, errlen);
	if (!s)
		return 0;
	for (i = 0; i < s->st.nr_groups && n < max; i++) {
		const struct za_group *g = &s->st.groups[i];
		uint64_t ps = s->page_size;

		if (!g->registered)
			continue;
		out[n].id = g->id;
		out[n].nid = g->nid;
		out[n].dynamic = g->dynamic;
		out[n].size_bytes = (g->dynamic ? g->unit_pages : g->max_pages) * ps;
		out[n].kernel_bytes = g->present_kernel_pages * ps;
		out[n].movable_bytes = g->present_movable_pages * ps;
		n++;
	}
	zi_system_free(s);
	free(s);
	return n;
}

size_t snapshot_block_groups(const char *sysroot, struct memhp_model *m, char *err,
			     size_t errlen)
{
	struct zi_system *s;
	size_t i, n = 0;

	s = system_load(sysroot, err, errlen);
	if (!s)
		return 0;
	for (i = 0; i < s->st.nr_blocks; i++) {
		const struct za_block *zb = &s->st.blocks[i];
		struct memhp_block *b;
		struct memhp_block_ev *ev;

		if (zb->group < 0)
			continue;
		b = model_block_find(m, zb->id);
		if (!b || model_block_ev(m, b)->group_id >= 0)
			continue;
		ev = model_block_ev_get(m, b);
		if (!ev)
			break; /* out of memory: the rest stays unknown */
		ev->group_id = zb->group;
		n++;
	}
	zi_system_free(s);
	free(s);
	return n;
}
