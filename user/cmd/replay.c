// SPDX-License-Identifier: GPL-2.0
/*
 * `memhp replay FILE`: a record file (docs/record.md) through the same
 * pipeline as a live session: decode_event() -> model_apply_event() ->
 * policy (event tracker per event, evaluation every --every events and at
 * the end) -> Prometheus exposition (statistics per event, rendered into
 * memory every --every events and at the end).
 */
#include <argp.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cliopt.h"
#include "clock.h"
#include "decode.h"
#include "model.h"
#include "pipeline.h"
#include "policy.h"
#include "prom.h"
#include "record.h"
#include "recset.h"
#include "replay.h"
#include "policy_print.h"
#include "zonealgo.h"

#define PROG "memhp replay"
#define WINDOW (32u << 20)

enum replay_format { FMT_TEXT = 0, FMT_JSON, FMT_PROM };

struct replay_opts {
	FILE *out, *err;
	struct cli cli; /* -h, --usage, -V */
	const char *file;   /* the first argument, for messages before a file is open */
	const char **args;  /* FILE arguments (room for argc) */
	size_t nargs;
	enum replay_format format;
	bool stats, no_header;
	const char *policy;
	uint64_t repeat;
	uint64_t every;
};

static const char doc[] =
	"Replay a record file (memhp record, tools/gen-record; docs/record.md):\n"
	"every record goes through the live pipeline: event decoding, the state\n"
	"model, the policy (with --policy: per-event statistics, evaluated every\n"
	"--every events and at the end) and the Prometheus exposition (statistics\n"
	"per event, rendered in memory every --every events and at the end).\n"
	"\n"
	"Output: the events as `memhp trace` prints them (text, or JSON lines with\n"
	"-J), or the final exposition (--format prom); with --stats only a summary\n"
	"(events, seconds, events/s, ns/event, peak RSS). A torn tail (a recorder\n"
	"that was killed) is skipped with a warning.\n"
	"\n"
	"A rotated recording (memhp record --max-size/--rotate-every/--max-files)\n"
	"replays as one stream, oldest part first: name its FILE (when FILE itself\n"
	"does not exist, its parts FILE.000001, ... are read), the parts, or a\n"
	"quoted glob. Parts of different recordings are refused; parts out of\n"
	"order are replayed by part number and missing parts are reported, with a\n"
	"warning each. Exit status: 0 ok, 1 a damaged or unreadable file or a\n"
	"mixed set, 2 bad usage.\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp replay hotplug.rec -J\n"
	"  memhp replay /var/log/memhp/hp.rec --stats   # hp.rec.000001, ...\n"
	"  memhp replay hotplug.rec --format prom --policy policy.yaml\n"
	"  taskset -c 0 memhp replay big.rec --stats --repeat 3";

enum { OPT_FORMAT = 1000, OPT_POLICY, OPT_REPEAT, OPT_EVERY, OPT_STATS, OPT_NOHDR };

static const struct argp_option options[] = {
	{ "json", 'J', NULL, 0, "JSON lines, like memhp trace -J (= --format json)", 0 },
	{ "format", OPT_FORMAT, "FMT", 0, "text (default), json, or prom (the final exposition)",
	  0 },
	{ "policy", OPT_POLICY, "FILE", 0, "Evaluate this policy (docs/policy.md)", 0 },
	{ "repeat", OPT_REPEAT, "N", 0,
	  "Replay the stream N times (benchmarks; the model sees the same events again)", 0 },
	{ "every", OPT_EVERY, "K", 0,
	  "Evaluate the policy and render the exposition every K events "
	  "(default 1000000; 0: only at the end)", 0 },
	{ "stats", OPT_STATS, NULL, 0, "Print only a summary with the replay's speed", 0 },
	{ "noheadings", OPT_NOHDR, NULL, 0, "No header line (text)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct replay_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->cli;
		break;
	case 'J':
		o->format = FMT_JSON;
		break;
	case OPT_FORMAT:
		if (!strcmp(arg, "text"))
			o->format = FMT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = FMT_JSON;
		else if (!strcmp(arg, "prom"))
			o->format = FMT_PROM;
		else
			return cli_usage(state, "invalid --format '%s' (text, json or prom)", arg);
		break;
	case OPT_POLICY:
		o->policy = arg;
		break;
	case OPT_REPEAT:
		if (!cliopt_parse_u64(arg, &o->repeat) || !o->repeat || o->repeat > 1000000)
			return cli_usage(state, "invalid --repeat '%s' (1 to 1000000)", arg);
		break;
	case OPT_EVERY:
		if (!cliopt_parse_u64(arg, &o->every))
			return cli_usage(state, "invalid --every '%s' (a number of events)", arg);
		break;
	case OPT_STATS:
		o->stats = true;
		break;
	case OPT_NOHDR:
		o->no_header = true;
		break;
	case ARGP_KEY_ARG:
		if (!o->file)
			o->file = arg;
		o->args[o->nargs++] = arg;
		break;
	case ARGP_KEY_END:
		if (!o->file && !o->cli.done) /* -h needs no FILE */
			return cli_usage(state, "missing record FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct replay {
	struct replay_opts *o;
	const char *file; /* the one being replayed, for messages */
	struct rec_info info;
	struct time_conv tc;
	struct memhp_model model;
	struct pipeline pipe; /* event -> model -> stats -> tracker -> print */
	struct prom_stats *pst;
	struct prom_buf out;
	struct policy pol;
	struct policy_tracker trk;
	struct policy_watch watch;
	struct za_state za;
	bool have_pol, have_za;
	uint64_t ppb;
	/* counters */
	uint64_t records, malformed, snapshots, unknown; /* events: pipe */
	uint64_t lost, evaluations, renders, violations;
	/* events left before the next --every round; UINT64_MAX without
	 * --every (a countdown: one decrement per event, replay's hot path) */
	uint64_t until_periodic;
	int fail; /* exit status of a failure inside the pipeline */
};

/* Policy on what a record holds: the event statistics and the model
 * (coverage); the kernel's zone state is not in a record (docs/record.md). */
static void evaluate(struct replay *r)
{
	struct policy_print_ctx tc = { .out = r->o->out, .json = r->o->format == FMT_JSON, .tc = &r->tc };
	struct policy_state ps = {
		.za = &r->za,
		.page_size = r->model.page_size,
		.model = &r->model,
		.events = &r->trk,
	};
	bool print = !r->o->stats && r->o->format != FMT_PROM;
	int n;

	n = policy_watch_eval(&r->watch, &r->pol, &ps, print ? policy_print_transition : NULL,
			      &tc);
	if (n < 0) {
		fprintf(r->o->err, PROG ": policy evaluation failed: %s\n", strerror(-n));
		r->fail = 1;
		return;
	}
	r->violations = (uint64_t)n;
	r->evaluations++;
}

static void render(struct replay *r)
{
	struct prom_input in = {
		.model = &r->model,
		.stats = r->pst,
		.live = true,
		.seen = r->pipe.events,
		.lost = r->lost,
		.malformed = r->malformed,
		.inconsistent = r->pipe.inconsistent,
		.version = MEMHP_VERSION,
		.kernel_release = r->info.release,
		.start_time = r->info.start_realtime_ns / 1e9,
	};

	prom_buf_reset(&r->out);
	if (prom_render(&r->out, &in)) {
		fprintf(r->o->err, PROG ": exposition: out of memory\n");
		r->fail = 1;
		return;
	}
	r->renders++;
}

static void periodic(struct replay *r)
{
	r->until_periodic = r->o->every ? r->o->every : UINT64_MAX;
	if (r->have_pol)
		evaluate(r);
	render(r);
}

static inline void one_event(struct replay *r, const struct rec_record *rec)
{
	struct memhp_event buf;
	const struct memhp_event *e;
	char why[128];

	/* the event in place in the file where decode_event()'s copy would
	 * be the same bytes: one copy of 256 bytes less per event */
	e = decode_event_ref(rec->payload, rec->len, &buf, why, sizeof(why));
	if (__builtin_expect(!e, 0)) {
		if (!r->malformed++)
			fprintf(r->o->err, PROG ": offset %" PRIu64 ": dropped a malformed event: %s\n",
				rec->offset, why);
		return;
	}
	pipeline_event(&r->pipe, e);
	if (__builtin_expect(r->pipe.track_errors, 0) && !r->fail) {
		fprintf(r->o->err, PROG ": policy statistics: out of memory\n");
		r->fail = 1;
	}
	if (__builtin_expect(--r->until_periodic == 0, 0))
		periodic(r);
}

/* The pipeline's sink: events as text or JSON lines. */
static void print_event(const struct memhp_event *e, void *ctx)
{
	struct replay *r = ctx;

	if (r->o->format == FMT_JSON)
		event_print_json(r->o->out, e, r->ppb, r->model.page_size, &r->tc, NULL);
	else if (r->o->format == FMT_TEXT)
		event_print_text(r->o->out, e, r->ppb, r->model.page_size, &r->tc, NULL);
}

/* One pass over the file; 0, or 1 after an error (message printed). */
static int replay_pass(struct replay *r, struct rec_reader *rd, struct rec_file *f)
{
	struct rec_record rec;
	char err[256];
	size_t released = 0;
	int n;

	rec_reader_rewind(rd);
	if (f)
		rec_file_window(f, rd->off, WINDOW);
	while ((n = rec_next(rd, &rec, err, sizeof(err))) > 0) {
		r->records++;
		switch (rec.type) {
		case REC_EVENT:
			one_event(r, &rec);
			break;
		case REC_SNAPSHOT:
			if (rec_snapshot_apply(&rec, &r->model, err, sizeof(err))) {
				fprintf(r->o->err, PROG ": %s: %s\n", r->file, err);
				return 1;
			}
			r->snapshots++;
			break;
		case REC_LOST:
			if (rec.len >= 8)
				memcpy(&r->lost, rec.payload, 8);
			r->model.lost = r->lost;
			break;
		default:
			/* a newer writer's record kind: checked, then skipped */
			r->unknown++;
			break;
		}
		if (r->fail)
			return 1;
		/* a window of the file mapped at a time: the process stays
		 * small on big files, and pages come in by the thousand */
		if (f && rd->off - released >= WINDOW) {
			rec_file_window(f, rd->off, WINDOW);
			released = rd->off;
		}
	}
	if (n < 0) {
		fprintf(r->o->err, PROG ": %s: %s\n", r->file, err);
		return 1;
	}
	return 0;
}

/*
 * Speeds are per second of wall-clock time; the CPU time is shown too: on
 * a shared host the two differ by the time the replay waited for a core.
 */
static void print_stats(struct replay *r, double secs, double cpu)
{
	struct rusage ru;
	double rss = 0;

	if (!getrusage(RUSAGE_SELF, &ru))
		rss = ru.ru_maxrss / 1024.0;
	if (r->o->format == FMT_JSON) {
		fprintf(r->o->out, "{\"events\":%" PRIu64 ",\"records\":%" PRIu64 ",\"malformed\":%" PRIu64
		       ",\"inconsistent\":%" PRIu64 ",\"seconds\":%.6f,\"cpu_seconds\":%.6f"
		       ",\"events_per_second\":%.0f,\"ns_per_event\":%.2f"
		       ",\"cpu_ns_per_event\":%.2f,\"peak_rss_mib\":%.1f,\"evaluations\":%" PRIu64
		       ",\"renders\":%" PRIu64 ",\"violations\":%" PRIu64 "}\n",
		       r->pipe.events, r->records, r->malformed, r->pipe.inconsistent, secs, cpu,
		       secs > 0 ? r->pipe.events / secs : 0, r->pipe.events ? secs * 1e9 / r->pipe.events : 0,
		       r->pipe.events ? cpu * 1e9 / r->pipe.events : 0, rss, r->evaluations, r->renders,
		       r->violations);
		return;
	}
	fprintf(r->o->out, "events:        %" PRIu64 "\n", r->pipe.events);
	fprintf(r->o->out, "records:       %" PRIu64 " (%" PRIu64 " malformed, %" PRIu64
	       " inconsistent with the model)\n",
	       r->records, r->malformed, r->pipe.inconsistent);
	fprintf(r->o->out, "seconds:       %.6f (CPU %.6f)\n", secs, cpu);
	fprintf(r->o->out, "events/s:      %.0f (per CPU second %.0f)\n", secs > 0 ? r->pipe.events / secs : 0,
	       cpu > 0 ? r->pipe.events / cpu : 0);
	fprintf(r->o->out, "ns/event:      %.2f (CPU %.2f)\n", r->pipe.events ? secs * 1e9 / r->pipe.events : 0,
	       r->pipe.events ? cpu * 1e9 / r->pipe.events : 0);
	fprintf(r->o->out, "peak RSS:      %.1f MiB\n", rss);
	fprintf(r->o->out, "model:         %zu blocks, %zu groups\n", r->model.nr_blocks, r->model.nr_groups);
	fprintf(r->o->out, "policy:        %" PRIu64 " evaluations, %" PRIu64 " violations at the end\n",
	       r->evaluations, r->violations);
	fprintf(r->o->out, "exposition:    %" PRIu64 " renders, %zu bytes at the end\n", r->renders,
	       r->out.len);
}

static int replay_setup(struct replay *r, const struct rec_reader *rd)
{
	char err[512];

	r->info = rd->info;
	r->tc.offset_ns = rd->info.start_realtime_ns - rd->info.start_monotonic_ns;
	model_init(&r->model);
	r->model.block_size = rd->info.block_size;
	r->model.page_size = rd->info.page_size;
	r->ppb = model_pages_per_block(&r->model);
	r->pst = calloc(1, sizeof(*r->pst));
	if (!r->pst) {
		fprintf(r->o->err, PROG ": out of memory\n");
		return 1;
	}
	pipeline_init(&r->pipe, &r->model, NULL);
	r->pipe.stats = r->pst;
	if (!r->o->stats && (r->o->format == FMT_JSON || r->o->format == FMT_TEXT))
		pipeline_add_sink(&r->pipe, print_event, r);
	prom_buf_init(&r->out);
	policy_tracker_init(&r->trk);
	policy_watch_init(&r->watch);
	if (za_init(&r->za, r->ppb)) {
		fprintf(r->o->err, PROG ": %s: bad block size\n", r->file);
		return 1;
	}
	r->have_za = true;
	if (r->o->policy) {
		if (policy_load(r->o->policy, &r->pol, err, sizeof(err))) {
			fprintf(r->o->err, PROG ": %s\n", err);
			return 2;
		}
		r->have_pol = true;
		r->pipe.trk = &r->trk;
	}
	return 0;
}

static void replay_free(struct replay *r)
{
	model_free(&r->model);
	free(r->pst);
	prom_buf_free(&r->out);
	policy_tracker_free(&r->trk);
	policy_watch_free(&r->watch);
	if (r->have_za)
		za_free(&r->za);
	if (r->have_pol)
		policy_free(&r->pol);
}

/* The files replay was given, checked: in replay order after recset_order(). */
struct replay_set {
	char **paths; /* owned */
	size_t n, cap;
	struct rec_file *f;
	struct rec_reader *rd;
	struct recset_member *order;
};

static int set_add(struct replay_set *set, const char *path)
{
	char **nv;

	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 8;
		nv = realloc(set->paths, set->cap * sizeof(*nv));
		if (!nv)
			return -1;
		set->paths = nv;
	}
	set->paths[set->n] = strdup(path);
	if (!set->paths[set->n])
		return -1;
	set->n++;
	return 0;
}

/*
 * One argument: a file that exists is itself; a name that does not is a
 * rotated set's base name (its parts FILE.000001, ...) or else a glob
 * that a shell did not expand; otherwise itself, for open's error.
 */
static int set_expand(struct replay_set *set, const char *arg)
{
	struct recset_file *parts;
	struct stat st;
	char why[512];
	size_t n, i;
	glob_t g;
	int ret = 0;

	if (!stat(arg, &st) || errno != ENOENT)
		return set_add(set, arg);
	if (recset_list(arg, &parts, &n, why, sizeof(why)) == -ENOMEM)
		return -1;
	if (n) {
		for (i = 0; i < n && !ret; i++)
			ret = set_add(set, parts[i].path);
		recset_free(parts, n);
		return ret;
	}
	if (strpbrk(arg, "*?[") && !glob(arg, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc && !ret; i++)
			ret = set_add(set, g.gl_pathv[i]);
		globfree(&g);
		return ret;
	}
	return set_add(set, arg);
}

static void set_free(struct replay_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->f)
			rec_file_close(&set->f[i]);
		free(set->paths[i]);
	}
	free(set->paths);
	free(set->f);
	free(set->rd);
	free(set->order);
}

/* Open and check every file, then put them in replay order. 0 or 1. */
static int set_open(struct replay_set *set, struct replay_opts *o)
{
	char why[512];
	size_t i;
	int w;

	for (i = 0; i < o->nargs; i++)
		if (set_expand(set, o->args[i]))
			goto oom;
	set->f = calloc(set->n, sizeof(*set->f));
	set->rd = calloc(set->n, sizeof(*set->rd));
	set->order = calloc(set->n, sizeof(*set->order));
	if (!set->f || !set->rd || !set->order)
		goto oom;
	for (i = 0; i < set->n; i++) {
		struct recset_member *m = &set->order[i];

		if (rec_file_open(&set->f[i], set->paths[i], why, sizeof(why))) {
			fprintf(o->err, PROG ": %s\n", why);
			return 1;
		}
		if (rec_reader_init(&set->rd[i], set->f[i].map, set->f[i].size, why, sizeof(why))) {
			fprintf(o->err, PROG ": %s: %s\n", set->paths[i], why);
			return 1;
		}
		m->path = set->paths[i];
		m->index = i;
		m->part = set->rd[i].info.part;
		m->session = set->rd[i].info.session;
		m->block_size = set->rd[i].info.block_size;
		m->page_size = set->rd[i].info.page_size;
		/* mapped again when its turn comes: a set of 100,000 parts
		 * would exceed vm.max_map_count mapped all at once */
		rec_file_close(&set->f[i]);
	}
	w = recset_order(set->order, set->n, o->err, PROG, why, sizeof(why));
	if (w < 0) {
		fprintf(o->err, PROG ": %s\n", why);
		return 1;
	}
	return 0;
oom:
	fprintf(o->err, PROG ": out of memory\n");
	return 1;
}

/*
 * The set's file @i (in replay order) through replay_pass(): a single file
 * stays mapped for every pass (replay --repeat benchmarks it), a part is
 * mapped for its pass only.
 */
static int replay_file(struct replay *r, struct replay_set *set, size_t i, uint64_t pass)
{
	size_t k = set->order[i].index;
	char why[512];
	int ret;

	r->file = set->order[i].path;
	if (!set->f[k].map) {
		if (rec_file_open(&set->f[k], r->file, why, sizeof(why))) {
			fprintf(r->o->err, PROG ": %s\n", why);
			return 1;
		}
		if (rec_reader_init(&set->rd[k], set->f[k].map, set->f[k].size, why, sizeof(why))) {
			fprintf(r->o->err, PROG ": %s: %s\n", r->file, why);
			return 1;
		}
	}
	ret = replay_pass(r, &set->rd[k], &set->f[k]);
	if (set->n > 1 || pass + 1 == r->o->repeat)
		rec_file_close(&set->f[k]);
	return ret;
}

int replay_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 }, { 0 } };
	static const struct argp argp = { options, parse_opt, "FILE...", doc, children, NULL, NULL };
	struct replay_opts o = { .out = out, .err = err, .cli = { .out = out, .err = err },
				 .repeat = 1, .every = 1000000 };
	struct replay r = { .o = &o };
	struct replay_set set = { 0 };
	const struct rec_reader *first;
	double t0, c0, secs, cpu;
	uint64_t pass;
	size_t i;
	int ret = 0;

	o.args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*o.args));
	if (!o.args) {
		fprintf(err, PROG ": out of memory\n");
		return 1;
	}
	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0) {
		free(o.args);
		return ret;
	}
	ret = 0;
	r.until_periodic = o.every ? o.every : UINT64_MAX;
	if (set_open(&set, &o)) {
		set_free(&set);
		free(o.args);
		return 1;
	}
	first = &set.rd[set.order[0].index];
	r.file = set.order[0].path;
	ret = replay_setup(&r, first);
	if (ret)
		goto out;
	if (!o.stats && o.format == FMT_TEXT && !o.no_header)
		event_print_text_header(out);
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	/* a rotated set is one stream: its parts in order, --repeat times */
	for (pass = 0; pass < o.repeat && !ret; pass++) {
		for (i = 0; i < set.n && !ret; i++)
			ret = replay_file(&r, &set, i, pass);
	}
	if (!ret) {
		if (r.have_pol)
			evaluate(&r);
		render(&r);
		ret = r.fail;
	}
	secs = clock_s(CLOCK_MONOTONIC) - t0;
	cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	for (i = 0; i < set.n; i++) {
		const struct rec_reader *rd = &set.rd[set.order[i].index];

		if (rd->torn)
			fprintf(err, PROG ": warning: %s: %s%s\n", set.order[i].path, rd->warn,
				i + 1 < set.n ? " (not the last part: the recorder was killed "
						"while writing it?)" : "");
	}
	if (ret)
		goto out;
	if (o.stats)
		print_stats(&r, secs, cpu);
	else if (o.format == FMT_PROM)
		fwrite(r.out.p, 1, r.out.len, out);
	if (r.unknown)
		fprintf(err, PROG ": %s: %" PRIu64 " records of types this memhp does not know "
			"were skipped\n", o.file, r.unknown);
	if (!o.stats) {
		char files[48] = "";

		if (set.n > 1)
			snprintf(files, sizeof(files), " (%zu files)", set.n);
		fprintf(err,
			PROG ": %" PRIu64 " events, %" PRIu64 " lost, %" PRIu64
			" malformed, %" PRIu64 " inconsistent; recorded on %s (%s)%s\n",
			r.pipe.events, r.lost, r.malformed, r.pipe.inconsistent,
			r.info.hostname[0] ? r.info.hostname : "?",
			r.info.release[0] ? r.info.release : "?", files);
	}
	if (fflush(out)) {
		fprintf(err, PROG ": write error: %s\n", strerror(errno));
		ret = 1;
	}
out:
	replay_free(&r);
	set_free(&set);
	free(o.args);
	return ret;
}
