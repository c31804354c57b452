/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A live session: the sysfs snapshot, the loader and the event loop that
 * keeps the model current. Every live sink (trace, export, top, daemons)
 * runs one; it sees each decoded event after the model applied it.
 */
#ifndef MEMHP_SESSION_H
#define MEMHP_SESSION_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "balloon_stats.h"
#include "decode.h"
#include "loader.h"
#include "model.h"
#include "offstall.h"
#include "pgowner.h"
#include "offwhy.h"
#include "pgowner.h"
#include "pipeline.h"

/* An offline running this long is reported while it runs (docs/events.md,
 * offline-progress; --stuck-after). */
#define SESS_STUCK_DEFAULT_NS (10ULL * 1000000000ULL)
#define SESS_STUCK_OFF UINT64_MAX

struct session;
typedef void (*session_event_fn)(struct session *s, const struct memhp_event *e,
				 void *ctx);
/* Every ring-buffer record as the kernel wrote it, malformed ones included;
 * an offline event's with the blocker kind memhp named written in
 * (offwhy_record_bytes()): what memhp record stores. */
typedef void (*session_raw_fn)(struct session *s, const void *data, size_t size,
			       void *ctx);

struct session_opts {
	enum loader_mode mode;
	bool verbose; /* libbpf debug output */
	bool quiet;   /* no attach report on stderr */
	const char *sysroot;
	const char *prog; /* "memhp trace": prefix of messages */
	FILE *err;	  /* messages and the attach report; NULL: stderr */
	uint32_t ringbuf_bytes; /* 0: the default (256 KiB) */
	uint64_t stuck_after_ns; /* 0: SESS_STUCK_DEFAULT_NS, SESS_STUCK_OFF: never */
	const char *require; /* probes that must attach (loader_opts.require) */
	/* No BPF at all: the model is the sysfs snapshot, refreshed by
	 * session_resnapshot() (export --no-trace; no root needed). */
	bool no_trace;
	/* What the pipeline keeps besides the model (NULL: not kept); the
	 * caller owns them and reads them under session.lock. */
	struct prom_stats *stats;
	struct policy_tracker *trk;
	session_event_fn on_event; /* the sink, after the pipeline */
	session_raw_fn on_raw; /* NULL: none (memhp record writes them) */
	void *ctx;
	/* keep CAP_SETUID/SETGID after attaching: an HTTP thread drops to
	 * nobody later (the sink drops them itself then, privs.h) */
	bool keep_setid;
	/* per-page balloon programs (loader_opts.balloon_pages) */
	bool balloon_pages;
	/* kernels before 6.2: watch the memory notifier chain's callbacks
	 * (loader_opts.watch_notifiers, --watch-notifiers) */
	bool watch_notifiers;
#define BALLOON_PAGES_HELP                                                        \
	"Count balloon pages per device with BPF programs that run for every 4 KiB " \
	"page (about 2 runs a page; default: the kernel's vmstat counters, given to " \
	"the one active balloon driver)"
};

struct session {
	struct session_opts o;
	struct memhp_model model;
	struct pipeline pipe; /* event -> model -> stats -> tracker -> on_event */
	/* Held while the model changes; sinks on other threads take it to read. */
	pthread_mutex_t lock;
	struct memhp_loader *loader;
	struct time_conv tc;
	uint64_t seen;	/* events decoded (= pipe.events) */
	uint64_t bad;	/* records rejected by the decoder */
	uint64_t lost;	/* lost in the kernel (ring buffer full, exit skipped) */
	uint64_t exits_missed; /* of those: exit probes the kernel skipped */
	uint64_t notify_skipped; /* of those: MEMHP_STAT_NOTIFY_SKIPPED already counted */
	double modules_checked; /* CLOCK_MONOTONIC seconds */
	uint64_t resyncs; /* sysfs snapshots taken after events were lost */
	/* /proc/vmstat balloon counters at open: session_balloons() counts from here */
	struct balloon_vmstat balloon_base;
	bool have_balloon_base;
	struct offwhy_pagefiles pages; /* names blocker pages (offwhy_annotate()) */
	/* who allocated the blocker page (page_owner, where the kernel has it):
	 * looked up per event that names one; not recorded (docs/events.md) */
	struct pgowner_src owner_src;
	struct pgowner_note owner; /* of the last event with a blocker */
	struct offstall stall; /* offlines stuck inside one step (offstall.h) */
	unsigned int stall_err; /* offstall_scan() failures (said once) */
};

/* 0, or the exit status to use (message printed on stderr). */
int session_open(struct session *s, const struct session_opts *o);
/* Waits up to timeout_ms for events; >= 0 events handled, or -errno. */
int session_poll(struct session *s, int timeout_ms);
/* One poll of at most 1 s that ends by @deadline (CLOCK_MONOTONIC
 * seconds; 0: none): >= 0 events handled, -ETIMEDOUT once @deadline has
 * passed, or another -errno. The body of every command's event loop. */
int session_poll_until(struct session *s, double deadline);
/* The same, returning by @wake too (0: none), when the caller has its own
 * work due then (export's textfile writes and reconciliations). */
int session_poll_by(struct session *s, double deadline, double wake);
void session_close(struct session *s);
/*
 * One ring-buffer record, as the loader hands it over: decoded, the blocker
 * page named, handed to on_raw (as it is to be recorded), then through the
 * pipeline. 0, or -1 for a malformed record (counted in s->bad).
 */
int session_ingest(struct session *s, const void *data, size_t size);
/* Replace the model by a fresh sysfs snapshot (read without the lock,
 * swapped in under it). 0 or -errno with @err set. */
int session_resnapshot(struct session *s, char *err, size_t errlen);

/* The balloon drivers' counters the session's probes keep (per-CPU map,
 * summed): devices found (<= max), 0 without BPF, or -errno. The one
 * other way data comes from BPF besides the event pipeline. */
int session_balloons(struct session *s, struct balloon_dev *out, size_t max);

/*
 * Serve the session (or just sleep when @s is NULL) until CLOCK_MONOTONIC
 * reaches @until, *@stop becomes non-zero, or *@early becomes true (may be
 * NULL). 0, or a negative errno when polling failed (message on @err).
 */
int session_wait_until(struct session *s, double until, volatile sig_atomic_t *stop,
		       const bool *early, FILE *err);

#endif
