// SPDX-License-Identifier: GPL-2.0
/* `memhp top`: live terminal dashboard (see top.h). */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include <sys/ioctl.h>

#include "cli.h"
#include "cliopt.h"
#include "clock.h"
#include "policy.h"
#include "readiness_keep.h"
#include "sessopt.h"
#include "session.h"
#include "snapshot.h"
#include "stopsig.h"
#include "sysfs.h"
#include "top.h"
#include "top_int.h"
#include "top_render.h"

#define PROG "memhp top"
/* narrower than this, $COLUMNS or the terminal is not believed for --batch */
#define TOP_MIN_WIDTH 40

/* --- front ends ------------------------------------------------------------ */

static void clock_now(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, len, "%H:%M:%S", &tm);
}

/* Wait up to @secs for events (live) or just sleep (snapshot). */
static int wait_events(struct top_state *st, double secs)
{
	double end = mono_s() + secs;

	while (!stop_requested) {
		double left = end - mono_s();
		int n;

		if (left <= 0)
			break;
		if (!st->live) {
			usleep((useconds_t)(left > 0.1 ? 100000 : left * 1e6));
			continue;
		}
		n = session_poll(&st->s, left > 0.2 ? 200 : (int)(left * 1000) + 1);
		if (n < 0) {
			fprintf(st->o->err, PROG ": ring buffer poll failed: %s\n", strerror(-n));
			return 1;
		}
	}
	return 0;
}

/* --duration: stop once it has passed since the start. */
static double start_s;

static bool past_duration(const struct top_opts *o)
{
	return o->duration > 0 && mono_s() - start_s >= o->duration;
}

/*
 * --batch lines as wide as the terminal, as procps top -b does: $COLUMNS
 * when set (a shell exports it, and it lets a pipe ask for a width), else
 * the terminal's width when @out is one, else 80.
 */
static int batch_width(FILE *out)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	int fd = fileno(out);

	if (c && *c) {
		char *end;
		long v;

		errno = 0;
		v = strtol(c, &end, 10);
		if (!errno && !*end && v >= TOP_MIN_WIDTH)
			return v > TOP_LINE - 1 ? TOP_LINE - 1 : (int)v;
	}
	if (fd >= 0 && isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col >= TOP_MIN_WIDTH)
		return ws.ws_col > TOP_LINE - 1 ? TOP_LINE - 1 : ws.ws_col;
	return 80;
}

static int run_batch(struct top_state *st, struct top_view *v)
{
	struct top_data *d = malloc(sizeof(*d));
	struct top_lines *l = malloc(sizeof(*l));
	long f;
	size_t i;
	int ret = 0;

	if (!d || !l) {
		free(d);
		free(l);
		return 1;
	}
	int width = batch_width(st->o->out);

	for (f = 0; f < st->o->batch && !stop_requested && !past_duration(st->o); f++) {
		if (f && (ret = wait_events(st, st->o->interval)))
			break;
		clock_now(v->clock, sizeof(v->clock));
		if (top_collect(st, d)) {
			ret = 1;
			break;
		}
		top_render(d, v, width, 0, l);
		for (i = 0; i + 1 < l->n; i++) /* no key line in batch mode */
			fprintf(st->o->out, "%s\n", l->line[i]);
		fprintf(st->o->out, "\n");
		fflush(st->o->out);
	}
	free(d);
	free(l);
	return ret;
}

static int run_curses(struct top_state *st, struct top_view *v)
{
	struct top_data *d = malloc(sizeof(*d));
	struct top_lines *l = malloc(sizeof(*l));
	double next = 0;
	bool color;
	int ret = 0;

	if (!d || !l) {
		free(d);
		free(l);
		return 1;
	}
	/* the screen is the terminal's: --batch prints to the command's out */
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(st->o->err, PROG ": cannot use the terminal (TERM=%s); try --batch N\n",
			getenv("TERM") ? getenv("TERM") : "");
		free(d);
		free(l);
		return 2;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	color = has_colors() && start_color() == OK;
	if (color) {
		use_default_colors();
		init_pair(1, COLOR_CYAN, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_RED, -1);
	}
	while (!stop_requested && !past_duration(st->o)) {
		int ch, rows, cols, i;
		bool redraw = false;

		while ((ch = getch()) != ERR) {
			redraw = true;
			if (v->editing) {
				size_t n = strlen(v->filter);

				if (ch == '\n' || ch == KEY_ENTER)
					v->editing = false;
				else if (ch == 27) {
					v->editing = false;
					v->filter[0] = '\0';
				} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n)
					v->filter[n - 1] = '\0';
				else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(v->filter)) {
					v->filter[n] = (char)ch;
					v->filter[n + 1] = '\0';
				}
				continue;
			}
			if (v->help) {
				v->help = false;
				continue;
			}
			switch (ch) {
			case 'q':
			case 'Q':
				stop_requested = 1;
				break;
			case 's':
				v->sort = (v->sort + 1) % TOP_NR_SORTS;
				break;
			case '/':
				v->editing = true;
				v->filter[0] = '\0';
				break;
			case 'h':
			case '?':
				v->help = true;
				break;
			default:
				break;
			}
		}
		if (stop_requested)
			break;
		if (redraw || mono_s() >= next) {
			clock_now(v->clock, sizeof(v->clock));
			if (mono_s() >= next) {
				if (top_collect(st, d)) {
					ret = 1;
					break;
				}
				next = mono_s() + st->o->interval;
			}
			getmaxyx(stdscr, rows, cols);
			top_render(d, v, cols, rows, l);
			erase();
			for (i = 0; i < (int)l->n && i < rows; i++) {
				int a = 0;

				if (l->attr[i] == TOP_A_TITLE || l->attr[i] == TOP_A_HEADER)
					a = A_BOLD | (color ? COLOR_PAIR(1) : 0);
				else if (l->attr[i] == TOP_A_WARN)
					a = color ? COLOR_PAIR(2) : A_BOLD;
				else if (l->attr[i] == TOP_A_BAD)
					a = A_BOLD | (color ? COLOR_PAIR(3) : A_REVERSE);
				if (a)
					attron(a);
				mvaddnstr(i, 0, l->line[i], cols);
				if (a)
					attroff(a);
			}
			refresh();
		}
		if ((ret = wait_events(st, 0.1)))
			break;
	}
	endwin();
	free(d);
	free(l);
	return ret;
}

/* --- command ---------------------------------------------------------------- */

static const char doc[] =
	"A live dashboard of memory hotplug: per node and zone the blocks online and\n"
	"offline and the zone sizes, per memory group the MOVABLE:KERNEL ratio as a\n"
	"bar against the maximum (--max-ratio, default the kernel's\n"
	"memory_hotplug.auto_movable_ratio) with the headroom, recent events and\n"
	"lost events. Keys: q quit, s sort groups, / filter, h help.\n"
	"\n"
	"Live mode needs what `memhp trace` needs; where BPF tracing is not possible\n"
	"(or with --no-bpf) it shows sysfs snapshots re-read every --interval and\n"
	"says so in its title. --batch N prints N frames as plain text instead (no\n"
	"terminal needed), as wide as $COLUMNS, else the terminal, else 80 columns.\n"
	"Exit status: 0 ok, 1 runtime error, 2 bad usage or not possible on this\n"
	"system.\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp top\n"
	"  memhp top --max-ratio 2.0 -i 500ms\n"
	"  memhp top --no-bpf --sysroot /tmp/tree\n"
	"  memhp top --batch 3 -i 2s         # three frames, two seconds apart";

enum { OPT_NO_BPF = 1000, OPT_BATCH, OPT_MAXRATIO, OPT_POLICY };

static const struct argp_option options[] = {
	{ "no-bpf", OPT_NO_BPF, NULL, 0, "No BPF: sysfs snapshots, re-read every --interval", 0 },
	/* the old name of --no-bpf, kept working */
	{ "snapshot", OPT_NO_BPF, NULL, OPTION_HIDDEN, NULL, 0 },
	{ "batch", OPT_BATCH, "N", 0, "Print N frames as text and exit", 0 },
	{ "interval", 'i', "TIME", 0, "Refresh period (1s default, 500ms, 0.1s to 1h)", 0 },
	/* the old name of --interval, kept working (-d is --duration now) */
	{ "delay", 'i', "TIME", OPTION_HIDDEN, NULL, 0 },
	{ "duration", 'd', "TIME", 0, "Stop after TIME (30s, 5m; default: at q or SIGINT)", 0 },
	{ "max-ratio", OPT_MAXRATIO, "RATIO", 0,
	  "Maximum MOVABLE:KERNEL: 3.01, 301% or 301 (percent)", 0 },
	{ "sysroot", 's', "DIR", 0, "Read sysfs and /proc below DIR", 0 },
	{ "policy", OPT_POLICY, "FILE", 0, "Show this policy's violations (docs/policy.md)", 0 },
	{ "verbose", 'v', NULL, 0, "Report attached probes; libbpf debug output", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct top_opts *o = state->input;
	char *end;

	switch (key) {
	case OPT_NO_BPF:
		o->no_bpf = true;
		break;
	case OPT_BATCH:
		errno = 0;
		o->batch = strtol(arg, &end, 10);
		if (errno || *end || !*arg || o->batch < 1 || o->batch > 1000000)
			return cli_usage(state, "invalid --batch '%s' (frames, 1-1000000)", arg);
		break;
	case 'i':
		if (!cliopt_parse_secs(arg, &o->interval, false) || o->interval < 0.1 ||
		    o->interval > 3600)
			return cli_usage(state, "invalid --interval '%s' (0.1s to 1h, e.g. 2s, 500ms)",
					 arg);
		break;
	case 'd':
		if (!cliopt_parse_secs(arg, &o->duration, false))
			return cli_usage(state, "invalid --duration '%s' (e.g. 30s, 5m, 250ms)", arg);
		break;
	case OPT_MAXRATIO: {
		uint64_t v;

		if (!cliopt_parse_ratio(arg, &v) || v < 1 || v > 100000)
			return cli_usage(state,
					 "invalid --max-ratio '%s' (3.01, 301%% or 301; 1%% to 100000%%)",
					 arg);
		o->max_ratio = (int)v;
		break;
	}
	case 's':
		o->sysroot = arg;
		break;
	case OPT_POLICY:
		o->policy = arg;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument '%s'", arg);
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

static void top_state_free(struct top_state *st)
{
	if (st->have_pol) {
		policy_watch_free(&st->watch);
		policy_free(&st->pol);
	}
	rd_keep_free(&st->rdk);
	free(st);
}

int top_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &sessopt_argp, 0, NULL, 0 },
						       { &cli_argp, 0, NULL, 0 },
						       { &sessopt_offline_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct top_opts o = {
		.out = out,
		.err = err,
		.cli = { .out = out, .err = err },
		.interval = 1,
		.sess.mode = LOADER_AUTO,
	};
	struct top_view v = { 0 };
	struct top_state *st;
	int ret;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	st = calloc(1, sizeof(*st));
	if (!st) {
		fprintf(err, PROG ": out of memory\n");
		return 1;
	}
	st->o = &o;
	v.max_ratio = o.max_ratio;
	if (o.policy) {
		char why[512];

		if (policy_load(o.policy, &st->pol, why, sizeof(why))) {
			fprintf(err, PROG ": %s\n", why);
			free(st);
			return 2;
		}
		st->have_pol = true;
		policy_watch_init(&st->watch);
	}
	snapshot_kernel_release(o.sysroot, st->release, sizeof(st->release));
	start_s = mono_s();
	if (!o.no_bpf) {
		struct session_opts so = {
			.verbose = o.verbose, .quiet = !o.verbose, .sysroot = o.sysroot,
			.prog = PROG, .err = err, .on_event = top_on_event, .ctx = st,
		};
		const struct probe_status *ps;

		sessopt_apply(&o.sess, &so);
		ret = session_open(&st->s, &so);
		if (ret == 0) {
			st->live = true;
			snprintf(st->mode, sizeof(st->mode), "live");
			if (loader_probes(st->s.loader, &ps) && ps[0].attached && ps[0].how)
				snprintf(st->mode, sizeof(st->mode), "live (%s)", ps[0].how);
		} else if (ret != 2) {
			top_state_free(st);
			return ret;
		} else {
			/* The reason is on stderr already; say it on screen too. */
			fprintf(err, PROG ": BPF tracing not possible: showing sysfs snapshots\n");
			snprintf(st->mode, sizeof(st->mode), "SNAPSHOT (no BPF tracing here)");
		}
	} else {
		snprintf(st->mode, sizeof(st->mode), "snapshot every %gs", o.interval);
	}
	if (!st->live) {
		/* The snapshot must work before the screen takes over. */
		struct memhp_model m;
		char why[512];

		model_init(&m);
		if (sysfs_snapshot(&m, o.sysroot, why, sizeof(why))) {
			fprintf(err, PROG ": %s\n", why);
			model_free(&m);
			top_state_free(st);
			return 2;
		}
		model_free(&m);
	}
	stop_on_signals(false);
	if (o.batch)
		ret = run_batch(st, &v);
	else
		ret = run_curses(st, &v);
	if (st->live)
		session_close(&st->s);
	top_state_free(st);
	return ret;
}
