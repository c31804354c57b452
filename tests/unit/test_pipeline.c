// SPDX-License-Identifier: GPL-2.0
/* The one event pipeline: model, statistics, tracker and sinks, in order. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "memhp.h"
#include "pipeline.h"

#define PPB 32768ULL /* 128 MiB blocks of 4 KiB pages */

static struct memhp_event ev(int kind, uint64_t block, uint64_t nblocks, int ret)
{
	struct memhp_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.abi = MEMHP_ABI_VERSION;
	e.hdr.kind = kind;
	e.hdr.size = sizeof(e);
	e.start_pfn = block * PPB;
	e.nr_pages = nblocks * PPB;
	e.ret = ret;
	e.nid = 0;
	e.group_id = -1;
	strcpy(e.comm, "sh");
	return e;
}

struct seen {
	struct pipeline *p;
	int calls;
	int state_at_call; /* the block's state when the sink ran */
	uint64_t stats_at_call;
	uint64_t trk_at_call;
	int order[4];
	int n;
};

static void sink_a(const struct memhp_event *e, void *ctx)
{
	struct seen *s = ctx;
	struct memhp_block *b = model_block_find(s->p->model, e->start_pfn / PPB);

	s->calls++;
	s->state_at_call = b ? b->state : -1;
	s->stats_at_call = s->p->stats ? s->p->stats->res[e->hdr.kind][0].n : 0;
	s->trk_at_call = s->p->trk ? s->p->trk->events : 0;
	if (s->n < 4)
		s->order[s->n++] = 'a';
}

static void sink_b(const struct memhp_event *e, void *ctx)
{
	struct seen *s = ctx;

	(void)e;
	if (s->n < 4)
		s->order[s->n++] = 'b';
}

/* Sinks see the event after the model, the statistics and the tracker. */
static void test_order(void **unused)
{
	static struct prom_stats st;
	struct policy_tracker trk;
	struct memhp_model m;
	struct pipeline p;
	struct seen s = {.p = &p};
	struct memhp_event e;

	(void)unused;
	memset(&st, 0, sizeof(st));
	model_init(&m);
	m.block_size = PPB * 4096;
	m.page_size = 4096;
	policy_tracker_init(&trk);
	pipeline_init(&p, &m, NULL);
	p.stats = &st;
	p.trk = &trk;
	assert_int_equal(pipeline_add_sink(&p, sink_a, &s), 0);
	assert_int_equal(pipeline_add_sink(&p, sink_b, &s), 0);

	e = ev(MEMHP_EV_ADD, 48, 2, 0);
	pipeline_event(&p, &e);
	e = ev(MEMHP_EV_ONLINE, 48, 1, 0);
	e.flags = MEMHP_F_ZONE;
	strcpy(e.zone_name, "Movable");
	pipeline_event(&p, &e);

	assert_int_equal(p.events, 2);
	assert_int_equal(p.inconsistent, 0);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.state_at_call, MEMHP_BLOCK_ONLINE);
	assert_int_equal(s.stats_at_call, 1);
	assert_true(s.trk_at_call >= 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.order[0], 'a');
	assert_int_equal(s.order[1], 'b');

	/* an event the model cannot apply is counted, and still reaches sinks */
	e = ev(MEMHP_EV_OFFLINE, 4000, 1, 0);
	pipeline_event(&p, &e);
	assert_int_equal(p.events, 3);
	assert_int_equal(s.calls, 3);

	policy_tracker_free(&trk);
	model_free(&m);
}

/* Without statistics or a tracker, only the model is kept. */
static void test_model_only(void **unused)
{
	struct memhp_model m;
	struct pipeline p;
	struct memhp_event e;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct seen dummy = {0};
	int i;

	(void)unused;
	model_init(&m);
	m.block_size = PPB * 4096;
	m.page_size = 4096;
	pipeline_init(&p, &m, &lock);
	for (i = 0; i < PIPELINE_MAX_SINKS; i++)
		assert_int_equal(pipeline_add_sink(&p, sink_b, &dummy), 0);
	assert_int_equal(pipeline_add_sink(&p, sink_b, &dummy), -ENOSPC);
	e = ev(MEMHP_EV_ADD, 8, 1, 0);
	pipeline_event(&p, &e);
	assert_non_null(model_block_find(&m, 8));
	assert_int_equal(dummy.n, PIPELINE_MAX_SINKS);
	/* the lock is free again after the event */
	assert_int_equal(pthread_mutex_trylock(&lock), 0);
	pthread_mutex_unlock(&lock);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_model_only),
	};

	return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
