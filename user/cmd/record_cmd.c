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
#include "diskfree.h"
#include "record.h"
#include "record_rotate.h"
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
	struct sessopt sess; /* --attach, --buffer-size, --stuck-after, --watch-notifiers */
	const char *sysroot;
	bool quiet, verbose;
	struct rot_opts rot; /* --max-size, --rotate-every, --max-files, --min-free */
	bool min_free_set;
};

struct record_state {
	struct record_opts *o;
	struct rec_rotor w;
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
	"0 ok, 1 runtime error (writing FILE failed, or the recording stopped at\n"
	"the free-space floor), 2 bad usage or tracing not possible here.\n"
	"\n"
	"Bounded recordings: with --max-size and/or --rotate-every (--max-files\n"
	"needs one of them) the recording is a set of parts FILE.000001,\n"
	"FILE.000002, ... (parts of an earlier recording named FILE are removed\n"
	"first), each a complete record file starting with the model's snapshot;\n"
	"`memhp replay FILE` replays the set in order. Free space is checked at\n"
	"every file and every 256 KiB written: below --min-free (plus what may be\n"
	"written until the next check) the oldest parts are removed if --max-files\n"
	"is given, else the recording stops with every file complete (a message,\n"
	"exit 1).\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp record -o hotplug.rec            # until Ctrl-C\n"
	"  memhp record -o hotplug.rec -d 60 -c 1000\n"
	"  memhp record -o /var/log/memhp/hp.rec --max-size 64M --max-files 10";

enum { OPT_MAX_SIZE = 1000, OPT_ROTATE_EVERY, OPT_MAX_FILES, OPT_MIN_FREE };

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0, "Write the recording to FILE (required; overwritten)", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "count", 'c', "N", 0, "Stop after N events", 0 },
	{ "sysroot", 's', "DIR", 0, "Read the initial sysfs snapshot below DIR", 0 },
	{ "quiet", 'q', NULL, 0, "Do not report attached probes on stderr", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0,
	  "Rotate: a new part before FILE.N would exceed SIZE (e.g. 64M; at least 16K)", 0 },
	{ "rotate-every", OPT_ROTATE_EVERY, "DURATION", 0,
	  "Rotate: a new part at the first event after DURATION (e.g. 1h, 30m)", 0 },
	{ "max-files", OPT_MAX_FILES, "N", 0,
	  "Rotate, keeping the newest N parts (older ones deleted; also below --min-free)", 0 },
	{ "min-free", OPT_MIN_FREE, "SIZE|PCT%", 0,
	  "Free-space floor of FILE's file system (default 5%, at most 256M; 0: none)", 0 },
	{ 0 },
};

/* SIZE (bytes, 0: no floor) or PCT% of the file system (no cap). */
static bool parse_min_free(const char *arg, struct rot_opts *rot)
{
	size_t l = strlen(arg);
	char num[24];
	uint64_t v;

	if (l && arg[l - 1] == '%') {
		if (l - 1 >= sizeof(num) || l == 1)
			return false;
		memcpy(num, arg, l - 1);
		num[l - 1] = '\0';
		if (!cliopt_parse_u64(num, &v) || v > 99)
			return false;
		rot->min_free_pct = (unsigned int)v;
		rot->min_free = 0;
		return true;
	}
	if (!cliopt_parse_size(arg, &v))
		return false;
	rot->min_free = v;
	rot->min_free_pct = 0;
	return true;
}

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
	case OPT_MAX_SIZE:
		if (!cliopt_parse_size(arg, &o->rot.max_size) || o->rot.max_size < ROT_MIN_SIZE)
			return cli_usage(state, "invalid --max-size '%s' (a size of 16K or more, e.g. 64M)",
					 arg);
		break;
	case OPT_ROTATE_EVERY: {
		double secs;

		if (!cliopt_parse_secs(arg, &secs, false) || secs < 1)
			return cli_usage(state, "invalid --rotate-every '%s' (a duration of 1s or more, e.g. 1h)",
					 arg);
		o->rot.rotate_ns = (int64_t)(secs * 1e9);
		break;
	}
	case OPT_MAX_FILES: {
		uint64_t n;

		if (!cliopt_parse_u64(arg, &n) || !n || n > 999999)
			return cli_usage(state, "invalid --max-files '%s' (1 to 999999)", arg);
		o->rot.max_files = (uint32_t)n;
		break;
	}
	case OPT_MIN_FREE:
		if (!parse_min_free(arg, &o->rot))
			return cli_usage(state, "invalid --min-free '%s' (a size like 256M, or 0%% to 99%%)",
					 arg);
		o->min_free_set = true;
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
		/* parts that never rotate would be one file under another name */
		if (o->rot.max_files && !o->rot.max_size && !o->rot.rotate_ns)
			return cli_usage(state, "--max-files needs --max-size or --rotate-every");
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->sess;
		state->child_inputs[1] = &o->cli;
		state->child_inputs[2] = &o->sess;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The first write error or the floor: say so loudly, stop the session. */
static void note_err(struct record_state *st, int ret)
{
	if (ret && !st->werr) {
		st->werr = ret;
		fprintf(st->o->err, PROG ": %s\n", st->w.why);
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

		/* the session's model is still the one before this event:
		 * the snapshot a new part starts with */
		note_err(st, n ? rot_event(&st->w, small, (uint32_t)n, &s->model)
			       : rot_event(&st->w, data, (uint32_t)size, &s->model));
		if (st->werr)
			return;
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
						       { &sessopt_offline_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct record_opts o = { .err = err, .cli = { .out = out, .err = err },
				 .sess.mode = LOADER_AUTO };
	struct record_state st = { .o = &o };
	struct session_opts so = { 0 };
	struct rec_info info;
	struct session s;
	double start, deadline = 0;
	int ret, n;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	sessopt_apply(&o.sess, &so);
	so.verbose = o.verbose;
	so.quiet = o.quiet;
	so.sysroot = o.sysroot;
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
	o.rot.base = o.out;
	o.rot.log = err;
	o.rot.prog = PROG;
	if (!o.min_free_set) { /* 5%, at most 256 MiB (docs/record.md "Rotation") */
		o.rot.min_free_pct = DISKFREE_DEFAULT_PCT;
		o.rot.min_free_cap = DISKFREE_DEFAULT_CAP;
	}
	if (rot_open(&st.w, &o.rot, &info, &s.model)) {
		fprintf(err, PROG ": %s\n", st.w.why);
		rot_close(&st.w);
		session_close(&s);
		return 1;
	}
	note_err(&st, rot_flush(&st.w));
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
		if (st.werr)
			break;
		if (s.lost != st.w.lost && !st.done) {
			/* the session took a fresh sysfs snapshot: record it */
			note_err(&st, rot_lost(&st.w, s.lost, &s.model));
		}
		/* at most one poll's worth of events is lost if we are killed;
		 * the free-space floor is checked here, every MiB written */
		if (!st.werr)
			note_err(&st, rot_flush(&st.w));
	}
	if (!st.done && !st.werr)
		session_poll(&s, 0);
	note_err(&st, rot_close(&st.w));
	if (st.w.rotating)
		fprintf(err,
			PROG ": %" PRIu64 " events written to %s.%06u to .%06u (%" PRIu64
			" bytes; %" PRIu64 " parts removed), %" PRIu64 " lost, %" PRIu64
			" malformed, %.1fs\n",
			rot_events(&st.w), o.out, st.w.oldest, st.w.part, rot_bytes(&st.w),
			st.w.pruned, s.lost, s.bad, mono_s() - start);
	else
		fprintf(err,
			PROG ": %" PRIu64 " events written to %s (%" PRIu64 " bytes), %" PRIu64
			" lost, %" PRIu64 " malformed, %.1fs\n",
			rot_events(&st.w), o.out, rot_bytes(&st.w), s.lost, s.bad,
			mono_s() - start);
	session_close(&s);
	if (st.werr)
		ret = 1;
	return ret;
}
