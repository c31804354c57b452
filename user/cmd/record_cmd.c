// SPDX-License-Identifier: GPL-2.0
/*
 * `memhp record -o FILE`: a live session (like `memhp trace`) writing
 * every ring-buffer record, as the kernel produced it, to a record file
 * (docs/record.md). The model's sysfs snapshot goes first, so a replay
 * starts from the same state; lost events are recorded with the snapshot
 * the session resynchronised to.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cliopt.h"
#include "clock.h"
#include "event_compact.h"
#include "record.h"
#include "cli.h"
#include "record_cmd.h"
#include "session.h"
#include "sessopt.h"
#include "stopsig.h"

#define PROG "memhp record"

struct record_opts {
	FILE *err;	/* messages; records go to the file */
	struct cli cli; /* -h, --usage, -V */
	const char *out;
	double duration; /* seconds, 0: until a signal */
	uint64_t count;	 /* events, 0: unlimited */
	struct sessopt sess; /* --attach, --buffer-size */
	const char *sysroot;
	bool quiet, verbose;
};

struct record_state {
	struct record_opts *o;
	struct rec_writer w;
	uint64_t written; /* events */
	bool done;
	int werr; /* first write error (-errno) */
};

static const char doc[] =
	"Record memory hotplug events live into FILE (docs/record.md) for\n"
	"`memhp replay`: every event exactly as the kernel's BPF side produced it\n"
	"(an offline's with the kind of the page that blocked it, as memhp named\n"
	"it), after the model's initial sysfs snapshot. SIGINT or SIGTERM stop it with\n"
	"a final flush; a recorder killed harder leaves a torn last record that\n"
	"replay skips with a warning. Needs what `memhp trace` needs. Exit status:\n"
	"0 ok, 1 runtime error (e.g. writing FILE), 2 bad usage or tracing not\n"
	"possible here.\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp record -o hotplug.rec            # until Ctrl-C\n"
	"  memhp record -o hotplug.rec -d 60 -c 1000";

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0, "Write the recording to FILE (required; overwritten)", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "count", 'c', "N", 0, "Stop after N events", 0 },
	{ "sysroot", 's', "DIR", 0, "Read the initial sysfs snapshot below DIR", 0 },
	{ "quiet", 'q', NULL, 0, "Do not report attached probes on stderr", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct record_opts *o = state->input;

	switch (key) {
	case 'o':
		if (!*arg)
			return cli_usage(state, "invalid --output '' (a file name)");
		o->out = arg;
		break;
	case 'd':
		if (!cliopt_parse_secs(arg, &o->duration, false))
			return cli_usage(state, "invalid --duration '%s' (seconds > 0)", arg);
		break;
	case 'c':
		if (!cliopt_parse_u64(arg, &o->count) || !o->count)
			return cli_usage(state, "invalid --count '%s' (a number > 0)", arg);
		break;
	case 's':
		o->sysroot = arg;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!o->out && !o->cli.done) /* -h needs no FILE */
			return cli_usage(state, "missing -o FILE");
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->sess;
		state->child_inputs[1] = &o->cli;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void note_err(struct record_state *st, int ret)
{
	if (ret && !st->werr) {
		st->werr = ret;
		fprintf(st->o->err, PROG ": %s: %s\n", st->o->out,
			ret == -E2BIG ? "the sysfs snapshot exceeds the 16 MiB record limit"
				      : strerror(-ret));
		stop_requested = 1;
	}
}

/* Raw bytes, malformed ones included: a replay counts them as live would. */
static void on_raw(struct session *s, const void *data, size_t size, void *ctx)
{
	struct record_state *st = ctx;

	if (st->done || st->werr)
		return;
	if (size > REC_MAX_PAYLOAD)
		size = REC_MAX_PAYLOAD;
	{
		/* events without offline why fields in their 256-byte form:
		 * replay reads them in place (event_compact()) */
		unsigned char small[MEMHP_EVENT_SIZE_V1] __attribute__((aligned(8)));
		size_t n = event_compact(data, size, small, sizeof(small));

		note_err(st, n ? rec_write(&st->w, REC_EVENT, small, (uint32_t)n)
			       : rec_write(&st->w, REC_EVENT, data, (uint32_t)size));
	}
	st->written++;
	if (st->o->count && st->written >= st->o->count) {
		st->done = true;
		stop_requested = 1;
	}
}

int record_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &sessopt_argp, 0, NULL, 0 },
						       { &cli_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct record_opts o = { .err = err, .cli = { .out = out, .err = err },
				 .sess.mode = LOADER_AUTO };
	struct record_state st = { .o = &o };
	struct session_opts so = { 0 };
	struct rec_info info;
	struct session s;
	double start, deadline = 0;
	char why[512];
	int ret, n;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	so.mode = o.sess.mode;
	so.verbose = o.verbose;
	so.quiet = o.quiet;
	so.sysroot = o.sysroot;
	so.ringbuf_bytes = o.sess.ringbuf_bytes;
	so.stuck_after_ns = o.sess.stuck_after_ns;
	so.prog = PROG;
	so.err = err;
	so.on_raw = on_raw;
	so.ctx = &st;
	/* Signals first: a SIGTERM during the (slow) attach still ends in a
	 * flushed, valid file. */
	stop_on_signals(true);
	ret = session_open(&s, &so);
	if (ret)
		return ret;
	rec_info_now(&info, &s.model);
	/* ktime of events is CLOCK_MONOTONIC: keep the session's conversion */
	info.start_monotonic_ns = info.start_realtime_ns - s.tc.offset_ns;
	if (rec_writer_open(&st.w, o.out, &info, why, sizeof(why))) {
		fprintf(err, PROG ": %s\n", why);
		session_close(&s);
		return 1;
	}
	note_err(&st, rec_write_snapshot(&st.w, &s.model));
	note_err(&st, rec_flush(&st.w));
	start = mono_s();
	if (o.duration > 0)
		deadline = start + o.duration;
	ret = 0;
	while (!stop_requested) {
		n = session_poll_until(&s, deadline);
		if (n == -ETIMEDOUT)
			break;
		if (n < 0) {
			fprintf(err, PROG ": ring buffer poll failed: %s\n", strerror(-n));
			ret = 1;
			break;
		}
		if (s.lost != st.w.lost && !st.done) {
			/* the session took a fresh sysfs snapshot: record it */
			note_err(&st, rec_write_lost(&st.w, s.lost));
			note_err(&st, rec_write_snapshot(&st.w, &s.model));
		}
		/* at most one poll's worth of events is lost if we are killed */
		note_err(&st, rec_flush(&st.w));
	}
	if (!st.done && !st.werr)
		session_poll(&s, 0);
	note_err(&st, rec_writer_close(&st.w));
	fprintf(err,
		PROG ": %" PRIu64 " events written to %s (%" PRIu64 " bytes), %" PRIu64
		" lost, %" PRIu64 " malformed, %.1fs\n",
		st.written, o.out, st.w.bytes, s.lost, s.bad, mono_s() - start);
	session_close(&s);
	if (st.werr)
		ret = 1;
	return ret;
}
