/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one event pipeline: what a decoded event does to memhp's state, in
 * the same order for a live session (user/live/session.c) and for replay
 * (user/cmd/replay.c):
 *
 *   event -> model -> exposition statistics -> policy tracker -> sinks
 *
 * The model is always kept; statistics and the tracker only where a
 * command asked for them (NULL otherwise). Sinks (printing, the top ring,
 * a daemon's decisions) see each event after the state above took it.
 * When @lock is set, the state updates run under it (readers on other
 * threads, e.g. export's HTTP threads, take the same lock); sinks run
 * outside it, so a sink may take it itself.
 */
#ifndef MEMHP_PIPELINE_H
#define MEMHP_PIPELINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "memhp.h"
#include "model.h"
#include "policy.h"
#include "prom.h"

#define PIPELINE_MAX_SINKS 4

typedef void (*pipeline_sink_fn)(const struct memhp_event *e, void *ctx);

struct pipeline {
	struct memhp_model *model;
	struct prom_stats *stats;   /* NULL: not kept */
	struct policy_tracker *trk; /* NULL: not kept */
	pthread_mutex_t *lock;	    /* NULL: one thread */
	uint64_t events;	    /* events that went through */
	uint64_t inconsistent;	    /* events the model could not apply */
	uint64_t track_errors;	    /* tracker out of memory */
	/* model_pages_per_block() for the block size below: a division per
	 * event was 3% of replay's time */
	uint64_t ppb_block_size, ppb_page_size, ppb;
	struct {
		pipeline_sink_fn fn;
		void *ctx;
	} sinks[PIPELINE_MAX_SINKS];
	size_t nr_sinks;
};

void pipeline_init(struct pipeline *p, struct memhp_model *m, pthread_mutex_t *lock);
/* 0, or -ENOSPC when PIPELINE_MAX_SINKS are taken. */
int pipeline_add_sink(struct pipeline *p, pipeline_sink_fn fn, void *ctx);

/* Inline: replay runs it tens of millions of times a second. */
/* The state updates, under the caller's lock if any. */
static inline void pipeline_apply(struct pipeline *p, const struct memhp_event *e)
{
	p->events++;
	if (model_apply_event(p->model, e))
		p->inconsistent++;
	if (p->stats)
		prom_stats_event(p->stats, e);
	/* the tracker's block numbers follow the model's block size */
	if (p->trk && policy_tracks_kind(e->hdr.kind)) {
		if (__builtin_expect(p->ppb_block_size != p->model->block_size ||
					     p->ppb_page_size != p->model->page_size,
				     0)) {
			p->ppb_block_size = p->model->block_size;
			p->ppb_page_size = p->model->page_size;
			p->ppb = model_pages_per_block(p->model);
		}
		if (policy_track_event(p->trk, e, p->ppb))
			p->track_errors++;
	}
}

static inline void pipeline_event(struct pipeline *p, const struct memhp_event *e)
{
	size_t i;

	/* replay has no lock: the lock-free branch first */
	if (__builtin_expect(!p->lock, 1)) {
		pipeline_apply(p, e);
	} else {
		pthread_mutex_lock(p->lock);
		pipeline_apply(p, e);
		pthread_mutex_unlock(p->lock);
	}
	for (i = 0; i < p->nr_sinks; i++)
		p->sinks[i].fn(e, p->sinks[i].ctx);
}

#endif
