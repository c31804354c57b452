// SPDX-License-Identifier: GPL-2.0
/* Snapshot + loader + event loop feeding the model (see session.h). */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "exits.h"
#include "privs.h"
#include "offstall_scan.h"
#include "offwhy.h"
#include "session.h"
#include "sysfs.h"

int session_ingest(struct session *s, const void *data, size_t size)
{
	/* aligned for the struct: a record file's events are read in place */
	unsigned char stored[sizeof(struct memhp_event)] __attribute__((aligned(8)));
	struct memhp_event e;
	char why[128];
	size_t n;

	if (decode_event(data, size, &e, why, sizeof(why))) {
		/* raw bytes, malformed ones included: a replay counts them too */
		if (s->o.on_raw)
			s->o.on_raw(s, data, size, s->o.ctx);
		if (!s->bad++)
			fprintf(s->o.err, "%s: dropped a malformed event: %s\n", s->o.prog, why);
		return -1;
	}
	s->seen++;
	/* what the page an offline is blocked on is, now; memhp record
	 * stores it with the event, so a replay says what live output said */
	offwhy_annotate(&e, &s->pages);
	if (offwhy_has_blocker(&e)) {
		s->owner.pfn = e.blocker_pfn;
		s->owner.st = pgowner_lookup(&s->owner_src, e.blocker_pfn, &s->owner.rec);
	}
	if (s->o.on_raw) {
		n = offwhy_record_bytes(data, size, &e, stored, sizeof(stored));
		s->o.on_raw(s, n ? stored : data, n ? n : size, s->o.ctx);
	}
	pipeline_event(&s->pipe, &e);
	return 0;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	session_ingest(ctx, data, size);
	return 0;
}

/* The pipeline's sink: the command's on_event, with its session. */
static void to_sink(const struct memhp_event *e, void *ctx)
{
	struct session *s = ctx;

	s->o.on_event(s, e, s->o.ctx);
}

int session_open(struct session *s, const struct session_opts *o)
{
	struct loader_opts lo = { 0 };
	char err[2048]; /* every required probe not attached, and why */
	int ret;

	/*
	 * Long-running sinks re-snapshot: they allocate and free whole-model
	 * arrays (4 MiB at 131,072 blocks). glibc's dynamic threshold would
	 * serve them from the heap after the first free, where freed holes
	 * stay resident; a fixed threshold keeps them mmap()ed: given back on
	 * free, grown by mremap() without a copy. Resident memory then stays
	 * what the live model needs.
	 */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	memset(s, 0, sizeof(*s));
	s->o = *o;
	if (!s->o.prog)
		s->o.prog = "memhp";
	if (!s->o.err)
		s->o.err = stderr;
	pthread_mutex_init(&s->lock, NULL);
	model_init(&s->model);
	pipeline_init(&s->pipe, &s->model, &s->lock);
	s->pipe.stats = o->stats;
	s->pipe.trk = o->trk;
	if (o->on_event)
		pipeline_add_sink(&s->pipe, to_sink, s);
	if (sysfs_snapshot(&s->model, o->sysroot, err, sizeof(err))) {
		fprintf(s->o.err, "%s: %s\n", s->o.prog, err);
		model_free(&s->model);
		return 2;
	}
	time_conv_init(&s->tc);
	s->pages.flags_fd = s->pages.count_fd = -1;
	s->owner_src.fd = -1;
	if (o->no_trace)
		return 0;
	/* before privileges drop; without them offline events name no kind */
	offwhy_pagefiles_open(&s->pages, o->sysroot);
	/* the same for the blocker's owner; when it fails, why (once, here) */
	pgowner_open(&s->owner_src, o->sysroot);
	lo.mode = o->mode;
	lo.verbose = o->verbose;
	lo.block_size = s->model.block_size;
	lo.ringbuf_bytes = o->ringbuf_bytes;
	lo.stuck_after_ns = !o->stuck_after_ns ? SESS_STUCK_DEFAULT_NS
			    : o->stuck_after_ns == SESS_STUCK_OFF ? 0 : o->stuck_after_ns;
	lo.require = o->require;
	lo.balloon_pages = o->balloon_pages;
	lo.watch_notifiers = o->watch_notifiers;
	offstall_init(&s->stall, lo.stuck_after_ns, OFFSTALL_EVERY_NS);
	lo.on_event = on_record;
	lo.ctx = s;
	ret = loader_open(&s->loader, &lo, err, sizeof(err));
	if (ret) {
		fprintf(s->o.err, "%s: %s\n", s->o.prog, err);
		offwhy_pagefiles_close(&s->pages);
		pgowner_close(&s->owner_src);
		model_free(&s->model);
		return ret;
	}
	/*
	 * The model above was read before the probes attached: a change made
	 * in between (an exporter restarted in the middle of a burst; attaching
	 * takes seconds) no event will ever tell, and the model would differ
	 * from the kernel until that block changes again. Read sysfs again now
	 * that every change reaches the ring buffer; events queued meanwhile
	 * set a block's state outright, so applying them on top stays right.
	 */
	pthread_mutex_lock(&s->lock);
	if (sysfs_snapshot(&s->model, o->sysroot, err, sizeof(err)))
		fprintf(s->o.err, "%s: warning: sysfs read after attach failed: %s\n", s->o.prog,
			err);
	pthread_mutex_unlock(&s->lock);
	/* balloon counts start here, as the batch programs' do */
	s->have_balloon_base = !balloon_vmstat_read(o->sysroot, &s->balloon_base);
	if (!o->quiet)
		loader_report(s->loader, s->o.err);
	/* Attached: from here on memhp needs far less than root. */
	if (privs_drop_after_attach(o->keep_setid ? PRIVS_KEEP_SETID : 0, err,
				    sizeof(err)))
		fprintf(s->o.err, "%s: warning: %s\n", s->o.prog, err);
	return 0;
}

/* Calls whose exit probe the kernel skipped: lost events, said out loud. */
static void sweep_exits(struct session *s)
{
	char what[96];
	uint64_t notify = loader_stat(s->loader, MEMHP_STAT_NOTIFY_SKIPPED);
	int n, m;

	/* memory_notify() keeps no entry of its own (notify.bpf.c): BPF counts them */
	if (notify > s->notify_skipped) {
		n = (int)(notify - s->notify_skipped);
		s->notify_skipped = notify;
		s->exits_missed += n;
		fprintf(s->o.err,
			"%s: lost %d event%s: the kernel skipped the exit probe of memory_notify "
			"(another BPF program was attached to or detached from it during the call)\n",
			s->o.prog, n, n == 1 ? "" : "s");
	}
	n = exits_sweep(loader_map_fd(s->loader, "entries"), what, sizeof(what));
	/* offline_pages() keeps its state in a map of its own (same keys) */
	m = exits_sweep(loader_map_fd(s->loader, "offlines"), n > 0 ? NULL : what,
			n > 0 ? 0 : sizeof(what));
	n = (n > 0 ? n : 0) + (m > 0 ? m : 0);
	if (n <= 0)
		return;
	s->exits_missed += n;
	fprintf(s->o.err,
		"%s: lost %d event%s: the kernel skipped the exit probe of %s%s "
		"(another BPF program was attached to or detached from it during the call)\n",
		s->o.prog, n, n == 1 ? "" : "s", what, n > 1 ? " and others" : "");
}

static void emit_stalled(const struct memhp_event *e, void *ctx)
{
	session_ingest(ctx, e, sizeof(*e));
}

/* Offlines stuck inside one step: no BPF progress comes, memhp reports them. */
static void scan_stalled(struct session *s)
{
	int n = offstall_scan(loader_map_fd(s->loader, "offlines"), &s->stall,
			      (uint64_t)clock_ns(CLOCK_MONOTONIC), emit_stalled, s);

	if (n < 0 && !s->stall_err++)
		fprintf(s->o.err, "%s: warning: cannot read the offlines in flight: %s; an "
				  "offline stuck inside one step is not reported\n",
			s->o.prog, n == -EPROTO ? "offlines map of another layout" : strerror(-n));
}

int session_poll(struct session *s, int timeout_ms)
{
	int n;
	double now;

	if (!s->loader) { /* no_trace: nothing to poll */
		struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

		if (timeout_ms > 0)
			nanosleep(&ts, NULL);
		return 0;
	}
	n = loader_poll(s->loader, timeout_ms);
	now = mono_s();

	/* A driver module loaded or unloaded: reattach what reads its state.
	 * 0.95: session_poll_until()'s 1 s poll may return a hair early
	 * against this clock, and must not skip a second. */
	if (now - s->modules_checked >= 0.95) {
		s->modules_checked = now;
		if (loader_refresh(s->loader) > 0 && !s->o.quiet) {
			fprintf(s->o.err, "%s: modules changed; probes reattached:\n", s->o.prog);
			loader_report_changed(s->loader, s->o.err);
		}
		sweep_exits(s);
		scan_stalled(s);
		/* here, not in export's HTTP thread: that one reads kallsyms
		 * as nobody, without addresses */
		balloon_names_prime(s->loader);
	}

	uint64_t lost = loader_stat(s->loader, MEMHP_STAT_LOST) + s->exits_missed;

	pthread_mutex_lock(&s->lock);
	if (lost != s->lost) {
		char err[256];

		/*
		 * Events were dropped in the kernel: the model may have missed
		 * transitions. Drain what is queued, then take the kernel's word
		 * again (sysfs), keeping what events told us that sysfs cannot.
		 */
		pthread_mutex_unlock(&s->lock);
		loader_poll(s->loader, 0);
		pthread_mutex_lock(&s->lock);
		if (sysfs_snapshot(&s->model, s->o.sysroot, err, sizeof(err)))
			fprintf(s->o.err, "%s: resync after lost events failed: %s\n", s->o.prog, err);
		else
			s->resyncs++;
		s->lost = lost;
	}
	s->model.lost = s->lost;
	pthread_mutex_unlock(&s->lock);
	return n == -EINTR ? 0 : n;
}

/* timeout_ms cut so the poll returns by time point `at` (0: no such point). */
static int cap_until(int timeout_ms, double at, double now)
{
	double left = at - now;

	if (!at || left * 1000 >= timeout_ms)
		return timeout_ms;
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

int session_poll_by(struct session *s, double deadline, double wake)
{
	double now = mono_s();

	if (deadline && deadline <= now)
		return -ETIMEDOUT;
	/* 1000: the once-a-second checks of session_poll() */
	return session_poll(s, cap_until(cap_until(1000, deadline, now), wake, now));
}

int session_poll_until(struct session *s, double deadline)
{
	return session_poll_by(s, deadline, 0);
}

int session_resnapshot(struct session *s, char *err, size_t errlen)
{
	struct memhp_model *fresh = malloc(sizeof(*fresh));
	int rc;

	if (!fresh) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	model_init(fresh);
	rc = sysfs_snapshot(fresh, s->o.sysroot, err, errlen);
	if (rc) {
		model_free(fresh);
		free(fresh);
		return rc < 0 ? rc : -EIO;
	}
	/* Swap the blocks and settings in; what events told us stays. */
	pthread_mutex_lock(&s->lock);
	model_blocks_swap(&s->model, fresh);
	s->model.block_size = fresh->block_size;
	s->model.page_size = fresh->page_size;
	s->model.sys = fresh->sys;
	pthread_mutex_unlock(&s->lock);
	model_free(fresh);
	free(fresh);
	return 0;
}

int session_balloons(struct session *s, struct balloon_dev *out, size_t max)
{
	return s->loader ? balloon_read(s->loader, s->o.sysroot,
					s->have_balloon_base ? &s->balloon_base : NULL, out, max)
			 : 0;
}

void session_close(struct session *s)
{
	loader_close(s->loader);
	s->loader = NULL;
	offwhy_pagefiles_close(&s->pages);
	pgowner_close(&s->owner_src);
	model_free(&s->model);
	pthread_mutex_destroy(&s->lock);
}

int session_wait_until(struct session *s, double until, volatile sig_atomic_t *stop,
		       const bool *early, FILE *err)
{
	for (unsigned long guard = 0; !*stop && guard < 100000000ul; guard++) {
		double left = until - mono_s();
		int ms;

		if (left <= 0 || (early && *early))
			return 0;
		ms = left > 0.2 ? 200 : (int)(left * 1000) + 1;
		if (s) {
			int n = session_poll(s, ms);

			if (n < 0 && n != -EINTR) {
				fprintf(err, "%s: ring buffer poll failed: %s\n", s->o.prog,
					strerror(-n));
				return n;
			}
		} else {
			struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	return 0;
}
