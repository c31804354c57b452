// SPDX-License-Identifier: GPL-2.0
/* The one event pipeline (see pipeline.h). */
#include <errno.h>
#include <string.h>

#include "pipeline.h"

void pipeline_init(struct pipeline *p, struct memhp_model *m, pthread_mutex_t *lock)
{
	memset(p, 0, sizeof(*p));
	p->model = m;
	p->lock = lock;
}

int pipeline_add_sink(struct pipeline *p, pipeline_sink_fn fn, void *ctx)
{
	if (p->nr_sinks >= PIPELINE_MAX_SINKS)
		return -ENOSPC;
	p->sinks[p->nr_sinks].fn = fn;
	p->sinks[p->nr_sinks].ctx = ctx;
	p->nr_sinks++;
	return 0;
}
