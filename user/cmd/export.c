// SPDX-License-Identifier: GPL-2.0
/* `memhp export`: the Prometheus exposition of the model (docs/metrics.md). */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "export.h"
#include "privs.h"
#include "procself.h"
#include "readiness_keep.h"
#include "readiness_prom.h"
#include "reconcile.h"
#include "policy.h"
#include "atomic_file.h"
#include "cliopt.h"
#include "http.h"
#include "session.h"
#include "sessopt.h"
#include "snapshot.h"
#include "stopsig.h"
#include "sysfs.h"
#include "zi_cache.h"
#include "zoneinfo.h"

#define PROG "memhp export"

struct export_opts {
	FILE *out, *err;
	struct cli cli; /* -h, --usage, -V */
	bool once, per_block, quiet, verbose, listen_set, no_trace;
	bool balloon_pages; /* --balloon-pages */
	const char *sysroot;
	const char *listen;
	const char *textfile;
	double interval; /* textfile period, seconds */
	double duration; /* 0: until a signal */
	unsigned int max_conns;
	struct sessopt sess; /* --attach, --buffer-size, --stuck-after, --watch-notifiers */
	const char *policy;  /* --policy FILE */
	double reconcile;    /* seconds between reconciliations */
	double readiness;    /* seconds between readiness scans; 0: none */
};

static const char doc[] =
	"Export memory hotplug state and events as Prometheus metrics: served over\n"
	"HTTP at /metrics (default 127.0.0.1:10435), written to a file for\n"
	"node_exporter's textfile collector (--textfile, replaced atomically), or\n"
	"printed once from a sysfs snapshot (--stdout, no BPF needed).\n"
	"\n"
	"Live mode needs what `memhp trace` needs (root, BTF, fentry or kprobes).\n"
	"With --textfile alone no HTTP listener is started; add --listen for both.\n"
	"Metric families: docs/metrics.md and memhp(8). Exit status: 0 ok,\n"
	"1 runtime error (--stdout: also when /proc/zoneinfo below --sysroot is\n"
	"absent or unreadable: the exposition is printed without zone and group\n"
	"metrics, with a warning), 2 bad usage or not possible on this system.\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp export                              # serve 127.0.0.1:10435/metrics\n"
	"  memhp export --listen 0.0.0.0:10435        # for a Prometheus elsewhere\n"
	"  memhp export --textfile /var/lib/node_exporter/memhp.prom -i 30\n"
	"  memhp export --stdout --sysroot /tmp/tree # once, from a copied tree\n"
	"  memhp export --no-bpf --sysroot /tmp/tree   # serve a tree, no BPF";

enum { OPT_STDOUT = 1000, OPT_PERBLOCK, OPT_TEXTFILE, OPT_MAXCONN, OPT_POLICY,
       OPT_RECONCILE, OPT_NOTRACE, OPT_READINESS, OPT_BALLOON_PAGES };

static const struct argp_option options[] = {
	{ "stdout", OPT_STDOUT, NULL, 0, "Print the exposition once (sysfs snapshot) and exit", 0 },
	{ "sysroot", 's', "DIR", 0, "Read sysfs and /proc below DIR", 0 },
	{ "per-block", OPT_PERBLOCK, NULL, 0, "Also one series per memory block", 0 },
	{ "balloon-pages", OPT_BALLOON_PAGES, NULL, 0, BALLOON_PAGES_HELP, 0 },
	{ "no-bpf", OPT_NOTRACE, NULL, 0,
	  "Serve without BPF (no root needed): the model is the sysfs snapshot, "
	  "re-read every --reconcile seconds", 0 },
	/* the old name of --no-bpf, kept working */
	{ "no-trace", OPT_NOTRACE, NULL, OPTION_HIDDEN, NULL, 0 },
	{ "listen", 'l', "ADDR:PORT", 0, "HTTP listen address (default 127.0.0.1:10435)", 0 },
	{ "textfile", OPT_TEXTFILE, "PATH", 0, "Write the exposition to PATH (atomic replace)", 0 },
	{ "interval", 'i', "TIME", 0, "Textfile write period (default 15s; 30s, 2m)", 0 },
	{ "duration", 'd', "TIME", 0, "Stop after TIME (30s, 5m, 250ms)", 0 },
	{ "max-connections", OPT_MAXCONN, "N", 0, "Concurrent HTTP connections (default 16)", 0 },
	{ "policy", OPT_POLICY, "FILE", 0,
	  "Evaluate this policy (docs/policy.md) at each reconciliation: "
	  "memhp_policy_violations", 0 },
	{ "reconcile", OPT_RECONCILE, "TIME", 0,
	  "Seconds between comparisons of the model with sysfs (drift, early memory, "
	  "policy; default 10)", 0 },
	{ "readiness", OPT_READINESS, "TIME", 0,
	  "Unplug readiness gauges (docs/readiness.md; root): scan every SECS seconds "
	  "(at reconciliations; --stdout: once), the scan --policy's min-unpluggable "
	  "rules use too (without it: every 60 s). Off by default", 0 },
	{ "quiet", 'q', NULL, 0, "Do not report attached probes on stderr", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output; snapshot warnings", 0 },
	{ 0 },
};

/* A duration (cliopt: 30, 1.5s, 250ms, 2m) of at least @min seconds. */
static int parse_secs(const char *s, double min, double *out)
{
	double v;

	if (!cliopt_parse_secs(s, &v, true) || !(v >= min))
		return -1;
	*out = v;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct export_opts *o = state->input;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[160];

	switch (key) {
	case OPT_STDOUT:
		o->once = true;
		break;
	case 's':
		o->sysroot = arg;
		break;
	case OPT_PERBLOCK:
		o->per_block = true;
		break;
	case OPT_NOTRACE:
		o->no_trace = true;
		break;
	case OPT_BALLOON_PAGES:
		o->balloon_pages = true;
		break;
	case 'l':
		if (http_parse_listen(arg, &ss, &sl, err, sizeof(err)))
			return cli_usage(state,
					 "invalid --listen '%s' (want ADDR:PORT, e.g. 127.0.0.1:10435)",
					 arg);
		o->listen = arg;
		o->listen_set = true;
		break;
	case OPT_TEXTFILE:
		if (!*arg)
			return cli_usage(state, "invalid --textfile '' (a file path)");
		o->textfile = arg;
		break;
	case 'i':
		if (parse_secs(arg, 0.1, &o->interval))
			return cli_usage(state, "invalid --interval '%s' (at least 0.1s, e.g. 30s)", arg);
		break;
	case 'd':
		if (parse_secs(arg, 0, &o->duration) || !(o->duration > 0))
			return cli_usage(state, "invalid --duration '%s' (e.g. 30s, 5m, 250ms)", arg);
		break;
	case OPT_MAXCONN: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 1024)
			return cli_usage(state, "invalid --max-connections '%s' (1-1024)", arg);
		o->max_conns = (unsigned int)v;
		break;
	}
	case OPT_POLICY:
		o->policy = arg;
		break;
	case OPT_RECONCILE:
		if (parse_secs(arg, 1, &o->reconcile) || o->reconcile > 86400)
			return cli_usage(state, "invalid --reconcile '%s' (1s to 24h, e.g. 60s, 5m)",
					 arg);
		break;
	case OPT_READINESS:
		if (parse_secs(arg, 1, &o->readiness) || o->readiness > 86400)
			return cli_usage(state, "invalid --readiness '%s' (1s to 24h, e.g. 60s, 5m)",
					 arg);
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument '%s'", arg);
	case ARGP_KEY_END:
		if (o->once && o->listen_set)
			return cli_usage(state, "--stdout and --listen exclude each other");
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

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* --- one shot ------------------------------------------------------------ */

static int export_once(const struct export_opts *o)
{
	struct memhp_model *m;
	struct prom_input in = { 0 };
	struct prom_group *groups;
	struct rd_summary *rdsum = NULL;
	struct sysfs_report rep;
	struct zoneinfo zi;
	struct prom_buf b;
	char err[512], path[PATH_MAX], release[128];
	bool warned = false;
	int have_zi, ret = 0;

	m = calloc(1, sizeof(*m));
	groups = calloc(MEMHP_MAX_GROUPS, sizeof(*groups));
	if (!m || !groups) {
		fprintf(o->err, PROG ": out of memory\n");
		free(m);
		free(groups);
		return 1;
	}
	model_init(m);
	if (sysfs_snapshot_report(m, o->sysroot, &rep, err, sizeof(err))) {
		fprintf(o->err, PROG ": %s\n", err);
		free(m);
		free(groups);
		return 2;
	}
	if (sysfs_report_problems(&rep))
		fprintf(o->err,
			PROG ": warning: %u sysfs problem(s), shown as unknown; first: %s\n",
			sysfs_report_problems(&rep), rep.first);
	zi_cache_path(o->sysroot, path, sizeof(path));
	have_zi = zi_file_read(path, &zi, &warned, PROG, o->err);
	if (have_zi <= 0) {
		/* the exposition is printed, but it lacks families: say so, exit 1 */
		if (!have_zi)
			fprintf(o->err,
				PROG ": warning: %s: absent: no zone or memory group metrics\n",
				path);
		ret = 1;
	}
	in.model = m;
	in.zi = have_zi > 0 ? &zi : NULL;
	in.groups = groups;
	if (have_zi > 0) {
		in.nr_groups = snapshot_groups(o->sysroot, groups, MEMHP_MAX_GROUPS,
						      err, sizeof(err));
		if (err[0] && o->verbose)
			fprintf(o->err, PROG ": warning: memory groups not known: %s\n", err);
	}
	snapshot_kernel_release(o->sysroot, release, sizeof(release));
	in.kernel_release = release;
	in.version = MEMHP_VERSION;
	in.per_block = o->per_block;
	if (o->readiness > 0) {
		rdsum = calloc(1, sizeof(*rdsum));
		if (rdsum && rd_summary_refresh(rdsum, o->sysroot, 1, 0) && !rdsum->valid)
			fprintf(o->err, PROG ": warning: no readiness gauges: %s\n", rdsum->error);
		in.readiness = rdsum;
	}
	prom_buf_init(&b);
	if (prom_render(&b, &in)) {
		fprintf(o->err, PROG ": out of memory rendering the metrics\n");
		ret = 1;
	} else {
		if (o->textfile && atomic_file_write(o->textfile, b.p, b.len, err, sizeof(err))) {
			fprintf(o->err, PROG ": %s\n", err);
			ret = 1;
		}
		if (!o->textfile || o->once) {
			if (fwrite(b.p, 1, b.len, o->out) != b.len || fflush(o->out)) {
				fprintf(o->err, PROG ": cannot write to stdout: %s\n",
					strerror(errno));
				ret = 1;
			}
		}
	}
	prom_buf_free(&b);
	if (have_zi > 0)
		zoneinfo_free(&zi);
	model_free(m);
	free(m);
	free(groups);
	free(rdsum);
	return ret;
}

/* --- live ---------------------------------------------------------------- */

struct exporter {
	const struct export_opts *o;
	struct session s;
	struct prom_stats stats; /* kept by the session's pipeline; under s.lock */
	struct prom_probe probes[LOADER_MAX_PROBES];
	size_t nr_probes;
	char release[128];
	double start_time;
	struct policy pol;	  /* with --policy */
	bool have_pol;
	struct policy_watch watch; /* its violations as they appear and clear */
	struct policy_tracker trk; /* event-based rules (pipeline); under s.lock */
	pthread_mutex_t rlock; /* the fields below */
	struct recon_result recon;
	struct rd_summary rdsum; /* --readiness: refreshed by reconcile() */
	/* min-unpluggable rules: the scan they are evaluated on, redone every
	 * --readiness seconds (else RD_KEEP_DEFAULT_S); main thread only */
	struct rd_keep rdk;
	uint64_t scrapes, render_errors;
	double last_render;
	/* /proc/zoneinfo, with the main thread's copy: the HTTP threads run
	 * as nobody (http.c) and must not depend on what nobody may read */
	struct zi_cache zc;
};


#define MAX_EXPORT_BALLOONS 16

static int render_live(struct exporter *x, struct prom_buf *b, bool scrape)
{
	struct recon_result *recon = malloc(sizeof(*recon));
	struct rd_summary *rdsum = malloc(sizeof(*rdsum));
	struct balloon_dev bdev[MAX_EXPORT_BALLOONS];
	struct prom_balloon pb[MAX_EXPORT_BALLOONS];
	struct prom_input in = { 0 };
	struct proc_self self;
	size_t i;
	int nb;
	struct zoneinfo zi;
	double t0, dt;
	int have_zi, rc;

	/*
	 * Zones as of now: /proc/zoneinfo is world-readable, so the HTTP
	 * threads (nobody, http.c) read it themselves. Where they cannot (a
	 * --sysroot tree in a root-only directory), the copy the main thread
	 * keeps (at most 0.5 s old) stands in.
	 */
	have_zi = zi_cache_get(&x->zc, &zi);
	pthread_mutex_lock(&x->rlock);
	if (scrape)
		x->scrapes++;
	in.scrapes_valid = true;
	in.scrapes = x->scrapes;
	in.scrape_errors = x->render_errors;
	in.last_render_seconds = x->last_render;
	if (recon) {
		*recon = x->recon;
		in.recon = recon;
	}
	if (rdsum) {
		*rdsum = x->rdsum;
		in.readiness = rdsum;
	}
	pthread_mutex_unlock(&x->rlock);

	/* per-CPU balloon counters: map reads, outside the model lock */
	nb = session_balloons(&x->s, bdev, MAX_EXPORT_BALLOONS);
	for (i = 0; nb > 0 && i < (size_t)nb; i++) {
		snprintf(pb[i].driver, sizeof(pb[i].driver), "%s", bdev[i].driver);
		pb[i].inflated = bdev[i].s.inflated;
		pb[i].deflated = bdev[i].s.deflated;
		pb[i].migrated = bdev[i].s.migrated;
		pb[i].migrate_failed = bdev[i].s.migrate_failed;
	}
	in.balloons = pb;
	in.nr_balloons = nb > 0 ? (size_t)nb : 0;
	in.zi = have_zi > 0 ? &zi : NULL;
	in.live = true;
	in.no_trace = x->o->no_trace;
	in.stats = &x->stats;
	in.probes = x->probes;
	in.nr_probes = x->nr_probes;
	in.version = MEMHP_VERSION;
	in.kernel_release = x->release;
	in.start_time = x->start_time;
	in.per_block = x->o->per_block;
	/*
	 * process_* for the scraper (HTTP) only: a textfile's families are
	 * merged into node_exporter's own, which has process_* already.
	 */
	if (scrape) {
		proc_self_read(&self, "/proc");
		in.self = &self;
	}
	t0 = mono_s();
	pthread_mutex_lock(&x->s.lock);
	in.model = &x->s.model;
	in.seen = x->s.pipe.events;
	in.lost = x->s.model.lost;
	in.malformed = __atomic_load_n(&x->s.bad, __ATOMIC_RELAXED);
	in.inconsistent = x->s.pipe.inconsistent;
	rc = prom_render(b, &in);
	pthread_mutex_unlock(&x->s.lock);
	dt = mono_s() - t0;
	pthread_mutex_lock(&x->rlock);
	x->last_render = dt;
	if (rc)
		x->render_errors++;
	pthread_mutex_unlock(&x->rlock);
	if (have_zi > 0)
		zoneinfo_free(&zi);
	free(recon);
	free(rdsum);
	return rc;
}

/* A violation came or went: one line in the log (journald under systemd). */
static void on_transition(bool appeared, const struct policy *p, const struct policy_violation *v,
			  void *ctx)
{
	struct exporter *x = ctx;
	char text[512];

	policy_violation_text(p, v, text, sizeof(text));
	fprintf(x->o->err, PROG ": violation %s: %s\n", appeared ? "appeared" : "cleared", text);
}

/* Compare the model with the kernel; the result shows in the next scrape. */
static void reconcile(struct exporter *x)
{
	struct recon_result *r = malloc(sizeof(*r));
	const struct readiness *rd = NULL;
	bool scanned = false;
	char err[256];

	if (!r)
		return;
	if (x->o->no_trace && session_resnapshot(&x->s, err, sizeof(err)))
		fprintf(x->o->err, PROG ": sysfs snapshot failed: %s\n", err);
	pthread_mutex_lock(&x->rlock);
	*r = x->recon;
	pthread_mutex_unlock(&x->rlock);
	if (x->have_pol && policy_needs_readiness(&x->pol)) {
		rd = rd_keep_get(&x->rdk, x->o->sysroot, mono_s(), &scanned);
		if (!rd && scanned && x->rdk.failures == 1)
			fprintf(x->o->err, PROG ": warning: min-unpluggable not evaluated: %s\n",
				x->rdk.error);
	}
	if (reconcile_run_watch(&x->s, x->o->sysroot, x->have_pol ? &x->pol : NULL, &x->trk, rd,
				x->have_pol ? &x->watch : NULL, on_transition, x, r, err,
				sizeof(err)) &&
	    r->errors == 1)
		fprintf(x->o->err, PROG ": reconciliation failed: %s\n", err);
	pthread_mutex_lock(&x->rlock);
	x->recon = *r;
	pthread_mutex_unlock(&x->rlock);
	free(r);
	if (x->o->readiness > 0) {
		struct rd_summary *rs = malloc(sizeof(*rs));
		bool fresh;

		if (!rs)
			return;
		pthread_mutex_lock(&x->rlock);
		*rs = x->rdsum;
		pthread_mutex_unlock(&x->rlock);
		if (x->have_pol && policy_needs_readiness(&x->pol)) {
			/* the policy's scan is the gauges' too: one scan an interval */
			fresh = scanned;
			if (fresh)
				rd_summary_from_keep(rs, &x->rdk);
		} else {
			fresh = rd_summary_refresh(rs, x->o->sysroot, mono_s(), x->o->readiness);
		}
		if (fresh) {
			pthread_mutex_lock(&x->rlock);
			x->rdsum = *rs;
			pthread_mutex_unlock(&x->rlock);
		}
		free(rs);
	}
}

static int http_render(void *ctx, struct prom_buf *b)
{
	return render_live(ctx, b, true);
}

static int write_textfile(struct exporter *x)
{
	struct prom_buf b;
	char err[PATH_MAX + 128];
	int rc;

	prom_buf_init(&b);
	rc = render_live(x, &b, false);
	if (rc)
		fprintf(x->o->err, PROG ": out of memory rendering the metrics\n");
	else if ((rc = atomic_file_write(x->o->textfile, b.p, b.len, err, sizeof(err))))
		fprintf(x->o->err, PROG ": %s\n", err);
	prom_buf_free(&b);
	return rc;
}

/*
 * A (re)start: the model is what sysfs says now. What happened while no
 * exporter ran (since a kill -9, a crash, a stop) no one counted: memhp
 * cannot know how many events it missed, and says so rather than guess.
 * Counters start at 0 again (Prometheus' rate() and increase() handle the
 * reset); memhp_start_time_seconds tells a restart (docs/metrics.md).
 */
static void say_start(struct exporter *x)
{
	size_t i, online = 0, nr;

	pthread_mutex_lock(&x->s.lock);
	nr = x->s.model.nr_blocks;
	for (i = 0; i < nr; i++)
		online += x->s.model.blocks[i].state == MEMHP_BLOCK_ONLINE;
	pthread_mutex_unlock(&x->s.lock);
	fprintf(x->o->err,
		PROG ": model read from sysfs at start: %zu blocks, %zu online; changes made "
		"before this start are not known (not counted): counters start at 0, "
		"memhp_start_time_seconds %.0f\n",
		nr, online, x->start_time);
}

/* What export_live() set up beside the session (closed by then). */
static void exporter_free(struct exporter *x)
{
	rd_keep_free(&x->rdk);
	if (x->have_pol) {
		policy_watch_free(&x->watch);
		policy_free(&x->pol);
	}
	policy_tracker_free(&x->trk);
	zi_cache_free(&x->zc);
	pthread_mutex_destroy(&x->rlock);
	free(x);
}

static int export_live(const struct export_opts *o)
{
	struct exporter *x;
	struct session_opts so = { 0 };
	struct http_server *http = NULL;
	const struct probe_status *ps;
	double next_write, next_recon, deadline = 0;
	size_t i, n;
	int ret = 0, rc;

	x = calloc(1, sizeof(*x));
	if (!x) {
		fprintf(o->err, PROG ": out of memory\n");
		return 1;
	}
	x->o = o;
	x->start_time = wall_now();
	pthread_mutex_init(&x->rlock, NULL);
	policy_tracker_init(&x->trk);
	if (o->policy) {
		char err[512];

		if (policy_load(o->policy, &x->pol, err, sizeof(err))) {
			fprintf(o->err, PROG ": %s\n", err);
			policy_tracker_free(&x->trk);
			pthread_mutex_destroy(&x->rlock);
			free(x);
			return 2;
		}
		x->have_pol = true;
		policy_watch_init(&x->watch);
	}
	snapshot_kernel_release(o->sysroot, x->release, sizeof(x->release));
	zi_cache_init(&x->zc, o->sysroot, PROG, o->err);
	sessopt_apply(&o->sess, &so);
	so.verbose = o->verbose;
	so.quiet = o->quiet;
	so.sysroot = o->sysroot;
	so.no_trace = o->no_trace;
	so.balloon_pages = o->balloon_pages;
	so.prog = PROG;
	so.err = o->err;
	so.stats = &x->stats;
	rd_keep_init(&x->rdk, o->readiness);
	so.trk = x->have_pol ? &x->trk : NULL;
	so.keep_setid = true; /* the HTTP threads become nobody (http.c) */
	rc = session_open(&x->s, &so);
	if (rc) {
		exporter_free(x);
		return rc;
	}
	if (!o->no_trace)
		say_start(x);
	reconcile(x); /* early memory, drift 0 and the policy from the start */
	n = x->s.loader ? loader_probes(x->s.loader, &ps) : 0;
	for (i = 0; i < n && i < LOADER_MAX_PROBES; i++) {
		snprintf(x->probes[i].name, sizeof(x->probes[i].name), "%s",
			 ps[i].name ? ps[i].name : "?");
		snprintf(x->probes[i].how, sizeof(x->probes[i].how), "%s",
			 ps[i].attached && ps[i].how ? ps[i].how : "");
		x->probes[i].attached = ps[i].attached;
	}
	x->nr_probes = i;

	stop_on_signals(false);
	signal(SIGPIPE, SIG_IGN);

	zi_cache_refresh(&x->zc, true);
	if (!o->textfile || o->listen_set) {
		struct http_opts ho = {
			.listen = o->listen,
			.max_conns = o->max_conns,
			.render = http_render,
			.ctx = x,
			.prog = PROG,
			.err = o->err,
		};
		char err[256];

		if (http_start(&http, &ho, err, sizeof(err))) {
			fprintf(o->err, PROG ": %s\n", err);
			ret = 1;
			goto out;
		}
		{
			const char *l = o->listen ? o->listen : HTTP_DEFAULT_LISTEN;

			/* The address as given, with the port actually bound. */
			fprintf(o->err, PROG ": serving http://%.*s:%u/metrics\n",
				(int)(strrchr(l, ':') - l), l, http_port(http));
		}
	}
	{
		char err[256];

		/* HTTP started (or not wanted): no set*id from here on */
		if (privs_drop_after_attach(0, err, sizeof(err)))
			fprintf(o->err, PROG ": warning: %s\n", err);
	}
	if (o->textfile) {
		if (write_textfile(x)) {
			ret = 1;
			goto out;
		}
		fprintf(o->err, PROG ": writing %s every %gs\n", o->textfile, o->interval);
	}
	next_write = mono_s() + o->interval;
	next_recon = mono_s() + o->reconcile;
	if (o->duration > 0)
		deadline = mono_s() + o->duration;
	while (!stop_requested) {
		double now = mono_s();

		if (deadline && now >= deadline)
			break;
		zi_cache_refresh(&x->zc, false);
		if (now >= next_recon) {
			reconcile(x);
			next_recon = mono_s() + o->reconcile;
		}
		if (o->textfile && now >= next_write) {
			write_textfile(x);
			next_write = now + o->interval;
		}
		/* at most 1 s, never past --duration, back for the next
		 * reconciliation or textfile write */
		rc = session_poll_by(&x->s, deadline,
				     o->textfile && next_write < next_recon ? next_write : next_recon);
		if (rc == -ETIMEDOUT)
			break;
		if (rc < 0) {
			fprintf(o->err, PROG ": ring buffer poll failed: %s\n", strerror(-rc));
			ret = 1;
			break;
		}
	}
	session_poll(&x->s, 0);
	reconcile(x);
	zi_cache_refresh(&x->zc, true);
	if (o->textfile && write_textfile(x))
		ret = 1;
out:
	http_stop(http); /* waits for a scrape in progress; before the model goes */
	pthread_mutex_lock(&x->rlock);
	fprintf(o->err, PROG ": %llu scrapes, %llu events, %llu lost\n",
		(unsigned long long)x->scrapes, (unsigned long long)x->s.pipe.events,
		(unsigned long long)x->s.model.lost);
	pthread_mutex_unlock(&x->rlock);
	session_close(&x->s);
	exporter_free(x);
	return ret;
}

int export_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &sessopt_argp, 0, NULL, 0 },
						       { &cli_argp, 0, NULL, 0 },
						       { &sessopt_offline_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct export_opts o = {
		.out = out,
		.err = err,
		.cli = { .out = out, .err = err },
		.interval = 15,
		.sess.mode = LOADER_AUTO,
		.reconcile = 10,
	};
	int ret;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	if (o.once && o.policy) {
		fprintf(err,
			PROG ": --policy needs the live exporter (use memhp check for a one-shot evaluation)\n");
		return 2;
	}
	if (o.once)
		return export_once(&o);
	return export_live(&o);
}
