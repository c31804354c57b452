// SPDX-License-Identifier: GPL-2.0
/* `memhp top`: live terminal dashboard (see top.h). */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
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
#include "decode.h"
#include "sessopt.h"
#include "snapshot.h"
#include "session.h"
#include "stopsig.h"
#include "sysfs.h"
#include "policy.h"
#include "readiness_keep.h"
#include "reconcile.h"
#include "top.h"
#include "top_render.h"
#include "zoneinfo.h"

#define PROG "memhp top"
/* narrower than this, $COLUMNS or the terminal is not believed for --batch */
#define TOP_MIN_WIDTH 40

struct top_opts {
	FILE *out, *err;
	struct cli cli; /* -h, --usage, -V */
	bool no_bpf, verbose; /* --no-bpf: sysfs re-read every --interval */
	long batch;	/* frames to print as text; 0: curses */
	double interval; /* seconds between refreshes (--interval) */
	double duration; /* stop after this many seconds (--duration); 0: never */
	int max_ratio;	/* percent, 0: the kernel's */
	const char *sysroot;
	struct sessopt sess; /* --attach, --buffer-size, --stuck-after, --watch-notifiers */
	const char *policy; /* --policy FILE */
};

/* --- data collection ------------------------------------------------------ */

struct top_state {
	struct top_opts *o;
	struct session s;
	bool live;
	char events[TOP_MAX_EVENTS][TOP_LINE]; /* ring, under s.lock */
	size_t ev_head, ev_count;
	uint64_t seen;
	char mode[96];
	char release[64];
	struct policy pol; /* with --policy */
	bool have_pol;
	struct policy_watch watch; /* violations as they appear and clear */
	struct rd_keep rdk; /* min-unpluggable: a readiness scan a minute at most */
	struct offrun run; /* offlines in flight, under s.lock */
};

static void format_event(struct session *s, const struct memhp_event *e, char *out,
			 size_t len)
{
	uint64_t ppb = model_pages_per_block(&s->model);
	int64_t ns;
	time_t t;
	struct tm tm;
	char ts[16], blk[32], lat[24], eb[16];

	if (e->ts_ns > INT64_MAX ||
	    __builtin_add_overflow((int64_t)e->ts_ns, s->tc.offset_ns, &ns) || ns < 0)
		ns = 0;
	t = (time_t)(ns / 1000000000LL);
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (ppb && (e->nr_pages || e->hdr.kind == MEMHP_EV_REQUEST))
		snprintf(blk, sizeof(blk), "memory%" PRIu64 "%s", (uint64_t)e->start_pfn / ppb,
			 e->nr_pages > ppb ? "+" : "");
	else if (e->hdr.kind == MEMHP_EV_GROUP_REGISTER || e->hdr.kind == MEMHP_EV_GROUP_UNREGISTER)
		snprintf(blk, sizeof(blk), "group %d", e->group_id);
	else
		snprintf(blk, sizeof(blk), "-");
	if (e->flags & MEMHP_F_DURATION)
		snprintf(lat, sizeof(lat), "%.1fms", e->duration_ns / 1e6);
	else
		snprintf(lat, sizeof(lat), "-");
	snprintf(out, len, "%s %-16s %-12s %-7s node %-2d %-7s %-8s %s", ts,
		 event_kind_name(e->hdr.kind), blk,
		 (e->flags & MEMHP_F_ZONE) ? e->zone_name : "-", e->nid,
		 e->hdr.kind == MEMHP_EV_NOTIFY ? "ok" : errno_name(e->ret, eb, sizeof(eb)), lat,
		 e->comm);
}

/* Into the recent-events ring; the caller holds s.lock when live. */
static void push_event_line(struct top_state *st, const char *line)
{
	snprintf(st->events[st->ev_head], TOP_LINE, "%s", line);
	st->ev_head = (st->ev_head + 1) % TOP_MAX_EVENTS;
	if (st->ev_count < TOP_MAX_EVENTS)
		st->ev_count++;
}

static void on_event(struct session *s, const struct memhp_event *e, void *ctx)
{
	struct top_state *st = ctx;
	char line[TOP_LINE];

	if (e->hdr.kind == MEMHP_EV_NOTIFY)
		return; /* two per block: they would crowd out the rest */
	if (e->hdr.kind == MEMHP_EV_OFFLINE_PROGRESS) { /* one a second: under RUNNING */
		pthread_mutex_lock(&s->lock);
		offrun_event(&st->run, e);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	format_event(s, e, line, sizeof(line));
	pthread_mutex_lock(&s->lock);
	offrun_event(&st->run, e);
	st->seen++;
	push_event_line(st, line);
	pthread_mutex_unlock(&s->lock);
}

/* A policy violation appeared or cleared: one line in RECENT EVENTS. */
static void on_transition(enum policy_transition t, const struct policy *p,
			  const struct policy_violation *v, void *ctx)
{
	struct top_state *st = ctx;
	char text[TOP_LINE], line[TOP_LINE + 32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	policy_violation_text(p, v, text, sizeof(text));
	snprintf(line, sizeof(line), "%02d:%02d:%02d violation %-6s %s", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, t == POL_APPEAR ? "appear" : "clear", text);
	push_event_line(st, line);
}

static struct top_zone *zone_get(struct top_data *d, int node, const char *zone)
{
	size_t i;

	for (i = 0; i < d->nr_zones; i++)
		if (d->zones[i].node == node && !strcmp(d->zones[i].zone, zone))
			return &d->zones[i];
	if (d->nr_zones == TOP_MAX_ZONES)
		return NULL;
	memset(&d->zones[d->nr_zones], 0, sizeof(d->zones[0]));
	d->zones[d->nr_zones].node = node;
	snprintf(d->zones[d->nr_zones].zone, sizeof(d->zones[0].zone), "%s", zone);
	return &d->zones[d->nr_zones++];
}

static int cmp_zone_row(const void *a, const void *b)
{
	static const char *const order[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable",
					     "Device", "None", "unknown", "-" };
	const struct top_zone *x = a, *y = b;
	size_t i, ix = 99, iy = 99;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!strcmp(x->zone, order[i]))
			ix = i;
		if (!strcmp(y->zone, order[i]))
			iy = i;
	}
	return ix < iy ? -1 : ix > iy;
}

/* Model (under the caller's lock) + zoneinfo -> d. */
static void collect_model(struct top_data *d, const struct memhp_model *m,
			  const struct zoneinfo *zi)
{
	size_t i;

	d->block_size = m->block_size;
	snprintf(d->policy, sizeof(d->policy), "%s", m->sys.online_policy);
	snprintf(d->auto_online, sizeof(d->auto_online), "%s", m->sys.auto_online_blocks);
	d->kernel_ratio = m->sys.auto_movable_ratio;
	d->nr_zones = 0;
	for (i = 0; zi && i < zi->nr; i++) {
		const struct zi_zone *z = &zi->zones[i];
		struct top_zone *t;

		if (!z->present && !z->spanned)
			continue;
		t = zone_get(d, z->nid, prom_zone_label(z->name));
		if (!t)
			break;
		t->has_zi = true;
		t->present = z->present * m->page_size;
		t->managed = z->managed * m->page_size;
		t->spanned = z->spanned * m->page_size;
	}
	for (i = 0; i < m->nr_blocks; i++) {
		const struct memhp_block *b = &m->blocks[i];
		bool on = b->state == MEMHP_BLOCK_ONLINE || b->state == MEMHP_BLOCK_GOING_OFFLINE;
		const char *zn = on ? prom_block_zone(m, b) : "-";
		struct top_zone *t;

		/* a text table: lsmem's "None" for a block spanning zones, not
		 * the exposition's label value "none" */
		if (!strcmp(zn, "none"))
			zn = "None";
		t = zone_get(d, b->node, zn);

		if (!t)
			continue;
		if (on)
			t->online++;
		else
			t->offline++;
	}
	qsort(d->zones, d->nr_zones, sizeof(d->zones[0]), cmp_zone_row);
}

static void read_zi(const char *sysroot, struct zoneinfo *zi, bool *have)
{
	char path[PATH_MAX], err[256];

	snprintf(path, sizeof(path), "%s/proc/zoneinfo", sysroot && *sysroot ? sysroot : "");
	*have = !access(path, F_OK) && !zoneinfo_read(path, zi, err, sizeof(err));
}

static void alert(struct top_data *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void alert(struct top_data *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nr_alerts == TOP_MAX_ALERTS)
		return;
	va_start(ap, fmt);
	vsnprintf(d->alerts[d->nr_alerts++], TOP_LINE, fmt, ap);
	va_end(ap);
}

/* Coverage findings (live) and the policy's violations, evaluated now. */
static void collect_alerts(struct top_state *st, struct top_data *d)
{
	struct policy_balloon balloons[8];
	const struct readiness *rd = NULL;
	struct policy_state ps;
	struct zi_system *sys;
	char err[256], line[512];
	size_t i;

	if (st->live) {
		const struct memhp_model *m = &st->s.model;

		pthread_mutex_lock(&st->s.lock);
		if (m->uncovered_findings)
			alert(d, "CRITICAL uncovered-online: %" PRIu64 " pages released that the driver "
				 "never backed (%" PRIu64 " onlines)",
			      m->uncovered_pages, m->uncovered_findings);
		if (m->not_onlined_findings)
			alert(d, "WARNING  backed-not-onlined: %" PRIu64 " backed pages left offline "
				 "(%" PRIu64 " onlines)",
			      m->not_onlined_pages, m->not_onlined_findings);
		pthread_mutex_unlock(&st->s.lock);
	}
	if (!st->have_pol)
		return;
	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return;
	zi_system_init(sys);
	/* outside the lock: a scan reads every page's flags (readiness_keep.h) */
	if (policy_needs_readiness(&st->pol)) {
		rd = rd_keep_get(&st->rdk, st->o->sysroot, mono_s(), NULL);
		if (!rd)
			alert(d, "min-unpluggable not evaluated: %.200s", st->rdk.error);
	}
	if (st->live)
		pthread_mutex_lock(&st->s.lock);
	if (reconcile_policy_state(&ps, sys, balloons, 8, st->o->sysroot,
				   st->live ? &st->s.model : NULL, NULL, err, sizeof(err))) {
		alert(d, "policy not evaluated: %.200s", err);
	} else {
		ps.readiness = rd;
		if (policy_watch_eval(&st->watch, &st->pol, &ps, on_transition, st) >= 0)
			for (i = 0; i < st->watch.cur.nr; i++) {
				policy_violation_text(&st->pol, &st->watch.cur.v[i], line,
						      sizeof(line));
				alert(d, "%.250s", line);
			}
	}
	if (st->live)
		pthread_mutex_unlock(&st->s.lock);
	zi_system_free(sys);
	free(sys);
}

static void copy_events(const struct top_state *st, struct top_data *d)
{
	size_t i;

	for (i = 0; i < st->ev_count; i++) {
		size_t k = (st->ev_head + TOP_MAX_EVENTS - st->ev_count + i) % TOP_MAX_EVENTS;

		snprintf(d->events[i], TOP_LINE, "%s", st->events[k]);
	}
	d->nr_events = st->ev_count;
}

static void copy_running(struct top_state *st, struct top_data *d)
{
	uint64_t now = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	size_t i;

	offrun_expire(&st->run, now);
	for (i = 0; i < st->run.n && i < OFFRUN_MAX; i++)
		offrun_line(&st->run.e[i], model_pages_per_block(&st->s.model), now,
			    d->running[i], TOP_LINE);
	d->nr_running = i;
}

static int collect(struct top_state *st, struct top_data *d)
{
	struct zoneinfo zi;
	bool have;

	memset(d, 0, sizeof(*d));
	d->live = st->live;
	snprintf(d->mode, sizeof(d->mode), "%s", st->mode);
	snprintf(d->release, sizeof(d->release), "%s", st->release);
	/* first: the violations that appear or clear go into RECENT EVENTS */
	collect_alerts(st, d);
	read_zi(st->o->sysroot, &zi, &have);
	if (st->live) {
		pthread_mutex_lock(&st->s.lock);
		collect_model(d, &st->s.model, have ? &zi : NULL);
		d->nr_groups = prom_groups_from_model(&st->s.model, d->groups, TOP_MAX_GROUPS);
		copy_events(st, d);
		copy_running(st, d);
		d->seen = st->seen;
		d->lost = st->s.model.lost;
		d->malformed = __atomic_load_n(&st->s.bad, __ATOMIC_RELAXED);
		d->inconsistent = st->s.pipe.inconsistent;
		pthread_mutex_unlock(&st->s.lock);
	} else {
		struct memhp_model *m = calloc(1, sizeof(*m));
		char err[512];

		if (!m) {
			if (have)
				zoneinfo_free(&zi);
			return -ENOMEM;
		}
		model_init(m);
		if (sysfs_snapshot(m, st->o->sysroot, err, sizeof(err))) {
			snprintf(d->mode, sizeof(d->mode), "snapshot failed: %.80s", err);
		} else {
			collect_model(d, m, have ? &zi : NULL);
			if (have)
				d->nr_groups = snapshot_groups(st->o->sysroot, d->groups,
								      TOP_MAX_GROUPS, err, sizeof(err));
		}
		model_free(m);
		free(m);
		copy_events(st, d); /* policy transitions: no other thread here */
	}
	if (have)
		zoneinfo_free(&zi);
	return 0;
}

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
		if (collect(st, d)) {
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
				if (collect(st, d)) {
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
			.prog = PROG, .err = err, .on_event = on_event, .ctx = st,
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
