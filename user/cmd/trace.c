// SPDX-License-Identifier: GPL-2.0
/* `memhp trace`: live memory hotplug events, text or JSON lines. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "decode.h"
#include "nodelist.h"
#include "policy.h"
#include "cliopt.h"
#include "reconcile.h"
#include "session.h"
#include "sessopt.h"
#include "snapshot.h"
#include "stopsig.h"
#include "sysfs.h"
#include "policy_print.h"
#include "readiness_keep.h"
#include "trace.h"
#include "zoneinfo.h"

struct trace_opts {
	FILE *out, *err;
	struct cli cli; /* -h, --usage, -V */
	bool json, verbose, quiet, no_header;
	unsigned int kinds;	/* bit per enum memhp_event_kind */
	uint64_t block_lo, block_hi;
	int node;		/* -1: any */
	const char *zone;	/* NULL: any */
	int group;		/* -2: any */
	double duration;	/* seconds, 0: forever */
	uint64_t count;		/* 0: unlimited */
	struct sessopt sess; /* --attach, --buffer-size, --stuck-after, --watch-notifiers */
	const char *sysroot;
	bool prog_stats; /* --prog-stats */
	const char *policy; /* --policy FILE: flag violations as they appear/clear */
	bool no_reconcile;
	const char *require; /* --require LIST: probes that must attach */
};

struct trace_state {
	struct trace_opts *o;
	uint64_t printed;
	bool done;
	/* --policy */
	struct policy pol;
	struct policy_tracker trk;
	struct policy_watch watch;
	struct rd_keep rdk; /* min-unpluggable: a readiness scan a minute at most */
	bool dirty; /* events since the last evaluation */
	bool burst; /* events since the last reconciliation */
	uint64_t drift; /* blocks found drifted, in total */
	uint64_t zone_drift; /* zones found drifted, in total */
	unsigned int zone_warned;
	double next_check; /* the next periodic reconciliation */
	double check_every; /* its interval: DRIFT_EVERY_S, doubling while idle */
	double last_event; /* when the last poll brought events */
};

#define DEFAULT_KINDS                                                              \
	((1u << MEMHP_EV_ONLINE) | (1u << MEMHP_EV_OFFLINE) | (1u << MEMHP_EV_ADD) |  \
	 (1u << MEMHP_EV_REMOVE) | (1u << MEMHP_EV_GROUP_REGISTER) |                \
	 (1u << MEMHP_EV_GROUP_UNREGISTER) | (1u << MEMHP_EV_REQUEST) |                \
	 (1u << MEMHP_EV_COVERAGE) | (1u << MEMHP_EV_OFFLINE_PROGRESS))

static const char doc[] =
	"Trace memory hotplug live: one line per online/offline, memory add/remove,\n"
	"memory-group change and online/offline request, with pfns, block, node, zone,\n"
	"group, caller, result and latency.\n"
	"\n"
	"EVENT kinds: online offline add remove group-register group-unregister\n"
	"request coverage (balloon driver's backed pages vs onlined, with findings)\n"
	"offline-progress (an offline running past --stuck-after: what it waits for)\n"
	"notify (memory notifier chain; not shown by default), or 'all'.\n"
	"Events are read at least every 100 ms (500 ms once idle) and written out\n"
	"together: to a pipe or file in one write per batch, to a terminal by lines.\n"
	"Needs root and a kernel with BTF plus fentry or kprobes. A probe the kernel\n"
	"rejects is skipped (the attach report says why) unless --require names it.\n"
	"Exit status: 0 ok, 1 runtime error, 2 bad usage or tracing not possible here\n"
	"(also: a --require'd probe did not attach).\n"
	"\n"
	"EXAMPLES:\n"
	"  memhp trace                    # all but notifier events, text\n"
	"  memhp trace -J -c 10           # ten events as JSON lines\n"
	"  memhp trace -e online,offline --zone Movable --block 48-63\n"
	"  memhp trace --attach kprobe -d 30\n"
	"  memhp trace --require core     # all of online/offline, notifier, add/remove";

/* The zones the kernel names (zone_names[] of mm/page_alloc.c); HighMem
 * only on 32-bit kernels. */
#define ZONE_NAMES "DMA, DMA32, Normal, HighMem, Movable, Device"

/* @arg as the kernel spells it (any case accepted), NULL if no zone has
 * that name: a misspelt zone would otherwise filter out every event. */
static const char *zone_known(const char *arg)
{
	static const char *const names[] = { "DMA",	"DMA32",   "Normal",
					     "HighMem", "Movable", "Device" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(arg, names[i]))
			return names[i];
	return NULL;
}

enum { OPT_BLOCK = 1000, OPT_NODE, OPT_ZONE, OPT_GROUP, OPT_NOHDR,
       OPT_PROGSTATS, OPT_POLICY, OPT_NORECON, OPT_REQUIRE };

static const struct argp_option options[] = {
	{ "json", 'J', NULL, 0, "JSON lines (schema: docs/events.md)", 0 },
	{ "event", 'e', "LIST", 0, "Comma-separated event kinds to show", 0 },
	{ "block", OPT_BLOCK, "N[-M]", 0, "Only events touching memory blocks N..M", 0 },
	{ "node", OPT_NODE, "NID", 0, "Only events on this NUMA node", 0 },
	{ "zone", OPT_ZONE, "NAME", 0, "Only events in this zone (" ZONE_NAMES ")", 0 },
	{ "group", OPT_GROUP, "ID", 0, "Only events of this memory group", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "count", 'c', "N", 0, "Stop after N events shown", 0 },
	{ "require", OPT_REQUIRE, "LIST", 0,
	  "Exit (status 2) before tracing unless these probes attach: names as the "
	  "attach report prints them, 'core' (" LOADER_CORE_PROBES ") or 'all'", 0 },
	{ "sysroot", 's', "DIR", 0, "Read the initial sysfs snapshot below DIR", 0 },
	{ "noheadings", OPT_NOHDR, NULL, 0, "No header line (text)", 0 },
	{ "policy", OPT_POLICY, "FILE", 0,
	  "Evaluate this policy (docs/policy.md) after event bursts and every 5 s; "
	  "print violations when they appear and when they clear", 0 },
	{ "no-reconcile", OPT_NORECON, NULL, 0,
	  "Do not compare the model with sysfs and /proc/zoneinfo (drift lines) after "
	  "event bursts and every 5 s (up to 60 s while idle)", 0 },
	{ "prog-stats", OPT_PROGSTATS, NULL, 0,
	  "At exit, each BPF program's runs and run time (needs sysctl "
	  "kernel.bpf_stats_enabled=1)", 0 },
	{ "quiet", 'q', NULL, 0, "Do not report attached probes on stderr", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ 0 },
};

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_kinds(const char *arg, unsigned int *kinds, FILE *err)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int k, ret = 0;

	if (!copy)
		return -1;
	*kinds = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*kinds = ~0u;
			continue;
		}
		if (!strcmp(tok, "group")) {
			*kinds |= (1u << MEMHP_EV_GROUP_REGISTER) |
				  (1u << MEMHP_EV_GROUP_UNREGISTER);
			continue;
		}
		k = event_kind_parse(tok);
		if (k < 0) {
			fprintf(err, "memhp trace: unknown event kind '%s'\n", tok);
			ret = -1;
			break;
		}
		*kinds |= 1u << k;
	}
	free(copy);
	if (!ret && !*kinds)
		ret = -1;
	return ret;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *o = state->input;
	char *dash;

	switch (key) {
	case 'J':
		o->json = true;
		break;
	case 'e':
		if (parse_kinds(arg, &o->kinds, o->err))
			return cli_usage(state, "invalid --event list '%s'", arg);
		break;
	case OPT_BLOCK: {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", arg);
		dash = strchr(buf, '-');
		if (dash)
			*dash = '\0';
		if (!cliopt_parse_u64(buf, &o->block_lo) ||
		    (dash ? !cliopt_parse_u64(dash + 1, &o->block_hi) : (o->block_hi = o->block_lo, 0)) ||
		    o->block_hi < o->block_lo)
			return cli_usage(state, "invalid --block '%s' (want N or N-M)", arg);
		break;
	}
	case OPT_NODE:
		if (parse_int(arg, 0, 1 << 20, &o->node))
			return cli_usage(state, "invalid --node '%s'", arg);
		break;
	case OPT_ZONE:
		o->zone = zone_known(arg);
		if (!o->zone)
			return cli_usage(state, "unknown --zone '%s' (" ZONE_NAMES ")", arg);
		break;
	case OPT_GROUP:
		if (parse_int(arg, 0, 1 << 30, &o->group))
			return cli_usage(state, "invalid --group '%s'", arg);
		break;
	case 'd':
		if (!cliopt_parse_secs(arg, &o->duration, false))
			return cli_usage(state, "invalid --duration '%s' (seconds > 0)", arg);
		break;
	case 'c':
		if (!cliopt_parse_u64(arg, &o->count) || !o->count)
			return cli_usage(state, "invalid --count '%s' (a number > 0)", arg);
		break;
	case OPT_REQUIRE: {
		char bad[64], known[1024];

		if (loader_require_check(arg, bad, sizeof(bad))) {
			loader_known_probes(known, sizeof(known));
			return cli_usage(state, "unknown probe %s (known: %s; or core, all)",
				   bad, known);
		}
		o->require = arg;
		break;
	}
	case 's':
		o->sysroot = arg;
		break;
	case OPT_NOHDR:
		o->no_header = true;
		break;
	case OPT_POLICY:
		o->policy = arg;
		break;
	case OPT_NORECON:
		o->no_reconcile = true;
		break;
	case OPT_PROGSTATS:
		o->prog_stats = true;
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

static bool wanted(const struct trace_opts *o, const struct memhp_event *e,
		   uint64_t ppb)
{
	if (!(o->kinds & (1u << e->hdr.kind)))
		return false;
	if (o->block_hi != UINT64_MAX) {
		uint64_t first, last;

		if (!ppb)
			return false;
		first = e->start_pfn / ppb;
		last = e->nr_pages ? (e->start_pfn + e->nr_pages - 1) / ppb : first;
		if (last < o->block_lo || first > o->block_hi)
			return false;
		if (!e->nr_pages && e->hdr.kind != MEMHP_EV_REQUEST)
			return false;
	}
	if (o->node >= 0 && e->nid != o->node && e->group_nid != o->node)
		return false;
	if (o->zone && (!(e->flags & MEMHP_F_ZONE) || strcasecmp(o->zone, e->zone_name)))
		return false;
	if (o->group >= 0 &&
	    (!(e->flags & MEMHP_F_GROUP_ID) || e->group_id != o->group))
		return false;
	return true;
}

static void on_event(struct session *s, const struct memhp_event *e, void *ctx)
{
	struct trace_state *st = ctx;
	uint64_t ppb = model_pages_per_block(&s->model);

	st->burst = true;
	if (st->o->policy)
		st->dirty = true; /* the pipeline's tracker took the event */
	if (st->done || !wanted(st->o, e, ppb))
		return;
	if (st->o->json)
		event_print_json(st->o->out, e, ppb, s->model.page_size, &s->tc, &s->owner);
	else
		event_print_text(st->o->out, e, ppb, s->model.page_size, &s->tc, &s->owner);
	st->printed++;
	if (st->o->count && st->printed >= st->o->count) {
		st->done = true;
		stop_requested = 1;
	}
}

/* The readiness scan for min-unpluggable rules, redone at most once a
 * minute (readiness_keep.h); NULL when the policy has none or it fails. */
static const struct readiness *policy_readiness(struct trace_state *st)
{
	const struct readiness *rd;
	bool scanned;

	if (!policy_needs_readiness(&st->pol))
		return NULL;
	rd = rd_keep_get(&st->rdk, st->o->sysroot, mono_s(), &scanned);
	if (!rd && scanned && st->rdk.failures == 1)
		fprintf(st->o->err, "memhp trace: warning: min-unpluggable not evaluated: %s\n",
			st->rdk.error);
	return rd;
}

/* Evaluate the policy on the kernel's state and the session's model. */
static void evaluate_policy(struct trace_state *st, struct session *s)
{
	struct policy_print_ctx tc = { .out = st->o->out, .json = st->o->json, .tc = &s->tc };
	struct policy_balloon balloons[8];
	struct zi_system *sys = calloc(1, sizeof(*sys));
	struct policy_state ps;
	char err[256];

	if (!sys)
		return;
	zi_system_init(sys);
	if (reconcile_policy_state(&ps, sys, balloons, 8, st->o->sysroot, &s->model, &st->trk,
				   err, sizeof(err))) {
		fprintf(st->o->err, "memhp trace: policy state: %s\n", err);
	} else {
		ps.readiness = policy_readiness(st);
		if (policy_watch_eval(&st->watch, &st->pol, &ps, policy_print_transition, &tc) < 0)
			fprintf(st->o->err, "memhp trace: policy evaluation failed\n");
	}
	zi_system_free(sys);
	free(sys);
	st->dirty = false;
}

#define DRIFT_DETAILS 16
#define DRIFT_QUIET_S 1.0
/*
 * The periodic check runs every DRIFT_EVERY_S while things happen, and its
 * interval doubles up to DRIFT_IDLE_MAX_S while nothing does: with no
 * event and a clean check, only a lost event or a transition no probe saw
 * can make a difference, and re-reading every block's sysfs files and
 * /proc/zoneinfo was a third of an idle tracer's CPU time (bench/idle.py).
 * Any event, or drift found, brings it back to DRIFT_EVERY_S.
 */
#define DRIFT_EVERY_S 5.0
#define DRIFT_IDLE_MAX_S 60.0

/*
 * Differences between a fresh sysfs snapshot and the model; -1 on error.
 * Only the blocks' state is compared, so only state is read, in this
 * thread: valid_zones (the kernel walks the block's pages for it), the node
 * links and the reader threads of a full snapshot made each check cost
 * several times more.
 */
static int64_t diff_now(struct session *s, struct drift_item *items, size_t max)
{
	struct memhp_model *k = calloc(1, sizeof(*k));
	struct sysfs_opts so = { .sysroot = s->o.sysroot, .want = SYSFS_WANT_STATE,
				 .threads = 1 };
	char err[256];
	int64_t d = -1;

	if (!k)
		return -1;
	model_init(k);
	if (!sysfs_snapshot_opts(k, &so, NULL, err, sizeof(err))) {
		pthread_mutex_lock(&s->lock);
		d = (int64_t)reconcile_diff(k, &s->model, items, max);
		pthread_mutex_unlock(&s->lock);
	}
	model_free(k);
	free(k);
	return d;
}

static const char *state_or_absent(int state)
{
	return state < 0 ? "absent" : model_state_name(state);
}

static void print_drift(const struct trace_state *st, int64_t d, const struct drift_item *items,
			int64_t z, const struct zone_drift *zones)
{
	int64_t i;

	if (st->o->json) {
		fprintf(st->o->out, "{\"event\":\"drift\",\"blocks\":%" PRId64 ",\"details\":[", d);
		for (i = 0; i < d && i < DRIFT_DETAILS; i++)
			fprintf(st->o->out, "%s{\"block\":%" PRIu64 ",\"model\":\"%s\",\"kernel\":\"%s\"}",
			       i ? "," : "", items[i].block, state_or_absent(items[i].model_state),
			       state_or_absent(items[i].kernel_state));
		fprintf(st->o->out, "],\"zones\":%" PRId64 ",\"zone_details\":[", z);
		for (i = 0; i < z && i < DRIFT_DETAILS; i++)
			fprintf(st->o->out, "%s{\"node\":%d,\"zone\":\"%s\",\"model_present_pages\":%" PRIu64
			       ",\"kernel_present_pages\":%" PRIu64 "}",
			       i ? "," : "", zones[i].nid, zones[i].zone, zones[i].model,
			       zones[i].kernel);
		fprintf(st->o->out, "]}\n");
		return;
	}
	fprintf(st->o->out, "# DRIFT %" PRId64 " blocks differ from sysfs, %" PRId64
	       " zones from /proc/zoneinfo:", d, z);
	for (i = 0; i < d && i < DRIFT_DETAILS; i++)
		fprintf(st->o->out, " memory%" PRIu64 " model=%s kernel=%s", items[i].block,
		       state_or_absent(items[i].model_state), state_or_absent(items[i].kernel_state));
	for (i = 0; i < z && i < DRIFT_DETAILS; i++)
		fprintf(st->o->out, " node%d/%s present model=%" PRIu64 " kernel=%" PRIu64, zones[i].nid,
		       zones[i].zone, zones[i].model, zones[i].kernel);
	fprintf(st->o->out, "; model resynchronised\n");
}

/*
 * After a burst of events, and every few seconds: does the model still
 * equal the kernel, block by block (sysfs) and in present pages per zone
 * (/proc/zoneinfo)? A difference must persist across a quiet moment to
 * count (the kernel can run a little ahead of or behind the events of an
 * operation in progress); then it is reported with details and the model
 * is resynchronised.
 */
static void check_drift(struct trace_state *st, struct session *s)
{
	struct drift_item items[DRIFT_DETAILS];
	struct zone_drift zones[DRIFT_DETAILS];
	char err[256];
	int64_t d, z;

	st->burst = false;
	d = diff_now(s, NULL, 0);
	z = reconcile_zones(s, NULL, 0, err, sizeof(err));
	if (z < 0 && !st->zone_warned++)
		fprintf(st->o->err, "memhp trace: no per-zone reconciliation: %s\n", err);
	if (d <= 0 && z <= 0)
		return;
	if (session_poll(s, 300) > 0)
		return; /* still busy: the next burst end looks again */
	d = diff_now(s, items, DRIFT_DETAILS);
	z = reconcile_zones(s, zones, DRIFT_DETAILS, err, sizeof(err));
	if (d < 0)
		d = 0;
	if (z < 0)
		z = 0;
	if (!d && !z)
		return;
	st->drift += d;
	st->zone_drift += z;
	print_drift(st, d, items, z, zones);
	pthread_mutex_lock(&s->lock);
	if (sysfs_snapshot(&s->model, s->o.sysroot, err, sizeof(err)))
		fprintf(st->o->err, "memhp trace: resync failed: %s\n", err);
	pthread_mutex_unlock(&s->lock);
}

/*
 * --group N that no registered memory group has: unlike a node (--node is
 * refused when node/possible lacks it), a group can appear later: the
 * kernel registers one per hot-plugged ACPI memory device or virtio-mem
 * device and numbers them as they come. So it is traced, with a warning
 * naming the groups there are now. Groups found as export finds them
 * (snapshot_groups); where they cannot be found, nothing is said (as a
 * kernel without node/possible is believed for --node).
 */
static void check_group(const struct trace_opts *o)
{
	struct prom_group *g = calloc(MEMHP_MAX_GROUPS, sizeof(*g));
	char why[256] = "", ids[128] = "";
	size_t n, i, len = 0;

	if (!g)
		return;
	n = snapshot_groups(o->sysroot, g, MEMHP_MAX_GROUPS, why, sizeof(why));
	if (!n && why[0]) {
		if (o->verbose)
			fprintf(o->err, "memhp trace: --group %d not checked: memory groups not known: %s\n",
				o->group, why);
		free(g);
		return;
	}
	for (i = 0; i < n; i++) {
		if (g[i].id == o->group) {
			free(g);
			return;
		}
		if (len < sizeof(ids))
			len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%d",
						i ? "," : "", g[i].id);
	}
	if (len >= sizeof(ids)) /* cut short: marked */
		snprintf(ids + sizeof(ids) - 5, 5, ",...");
	fprintf(o->err,
		"memhp trace: warning: --group %d: no such memory group now (registered: %s); "
		"tracing anyway: a hot-plug may register it\n",
		o->group, n ? ids : "none");
	free(g);
}

int trace_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &sessopt_argp, 0, NULL, 0 },
						       { &cli_argp, 0, NULL, 0 },
						       { &sessopt_offline_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct trace_opts o = {
		.kinds = DEFAULT_KINDS,
		.block_hi = UINT64_MAX,
		.node = -1,
		.group = -2,
		.sess.mode = LOADER_AUTO,
		.out = out,
		.err = err,
		.cli = { .out = out, .err = err },
	};
	struct trace_state st = { .o = &o };
	struct session_opts so = { 0 };
	struct session s;
	uint64_t lost_reported = 0;
	double start, deadline = 0, next_eval = 0;
	char missing[480], tail[512] = "";
	int ret, n;

	ret = cli_parse(&argp, argc, argv, 0, &o, &o.cli);
	if (ret >= 0)
		return ret;
	if (o.node >= 0) {
		char list[128];

		/* a node that cannot exist would filter out every event,
		 * silently; a kernel that does not say (no NUMA) is believed */
		if (!node_possible(o.sysroot, o.node, list, sizeof(list))) {
			fprintf(err, "memhp trace: --node %d: no such node (possible: %s)\n", o.node,
				list);
			return 2;
		}
	}
	if (o.group >= 0)
		check_group(&o);
	policy_tracker_init(&st.trk);
	policy_watch_init(&st.watch);
	if (o.policy) {
		char why[512];

		if (policy_load(o.policy, &st.pol, why, sizeof(why))) {
			fprintf(err, "memhp trace: %s\n", why);
			return 2;
		}
	}
	sessopt_apply(&o.sess, &so);
	so.verbose = o.verbose;
	so.quiet = o.quiet;
	so.sysroot = o.sysroot;
	so.require = o.require;
	so.prog = "memhp trace";
	so.err = err;
	so.on_event = on_event;
	so.ctx = &st;
	so.trk = o.policy ? &st.trk : NULL;
	ret = session_open(&s, &so);
	if (ret) {
		if (o.policy)
			policy_free(&st.pol);
		return ret;
	}
	stop_on_signals(true);
	if (!o.json && !o.no_header)
		event_print_text_header(out);
	start = mono_s();
	if (o.duration > 0)
		deadline = start + o.duration;
	if (!o.no_reconcile)
		check_drift(&st, &s); /* takes the per-zone baseline */
	st.check_every = DRIFT_EVERY_S;
	st.next_check = mono_s() + st.check_every;
	if (o.policy) {
		evaluate_policy(&st, &s); /* what is violated already */
		next_eval = mono_s() + 5;
	}
	while (!stop_requested) {
		/*
		 * Written out before each wait, not a line at a time (main()
		 * gives stdout a batch-sized buffer): events come in batches
		 * anyway (the BPF side wakes no one per event,
		 * bpf/common.bpf.h), and one write(2) per event was 16% of the
		 * tracer's CPU in the lab's virtio-mem workload (issue #14).
		 */
		fflush(out);
		n = session_poll_until(&s, deadline);
		if (n == -ETIMEDOUT)
			break;
		if (n < 0) {
			fprintf(err, "memhp trace: ring buffer poll failed: %s\n",
				strerror(-n));
			ret = 1;
			break;
		}
		if (n > 0) {
			st.last_event = mono_s();
			if (st.check_every > DRIFT_EVERY_S) {
				st.check_every = DRIFT_EVERY_S;
				st.next_check = st.last_event + DRIFT_EVERY_S;
			}
		}
		/*
		 * After a burst, or every check_every s, once nothing happened for
		 * DRIFT_QUIET_S: re-reading sysfs competes with the hotplug
		 * operations for CPU and cannot compare while they run anyway.
		 */
		if (!o.no_reconcile && n == 0 && mono_s() - st.last_event >= DRIFT_QUIET_S &&
		    (st.burst || mono_s() >= st.next_check)) {
			bool periodic = !st.burst;
			uint64_t found = st.drift + st.zone_drift;

			check_drift(&st, &s);
			if (st.drift + st.zone_drift != found)
				st.check_every = DRIFT_EVERY_S;
			else if (periodic && st.check_every < DRIFT_IDLE_MAX_S)
				st.check_every = st.check_every * 2 > DRIFT_IDLE_MAX_S ?
							 DRIFT_IDLE_MAX_S : st.check_every * 2;
			st.next_check = mono_s() + st.check_every;
		}
		/* after a burst (the poll came back empty) or every 5 s */
		if (o.policy && ((st.dirty && n == 0) || mono_s() >= next_eval)) {
			evaluate_policy(&st, &s);
			next_eval = mono_s() + 5;
		}
		if (s.lost != lost_reported) {
			if (o.json)
				fprintf(out, "{\"event\":\"lost\",\"lost_total\":%" PRIu64
				       ",\"resyncs\":%" PRIu64 "}\n", s.lost, s.resyncs);
			else
				fprintf(out, "# LOST %" PRIu64 " events (ring buffer full; total %" PRIu64
				       "); model resynchronised from sysfs\n",
				       s.lost - lost_reported, s.lost);
			lost_reported = s.lost;
		}
	}
	/* Drain what is already in the buffer unless a count stopped us. */
	if (!st.done)
		session_poll(&s, 0);
	fflush(out); /* the events before the summary on stderr */
	/* what was missing all along, said again where the run is summed up */
	if (loader_missing(s.loader, missing, sizeof(missing)))
		snprintf(tail, sizeof(tail), "; probes not attached: %s", missing);
	fprintf(err,
		"memhp trace: %" PRIu64 " events shown, %" PRIu64 " seen, %" PRIu64
		" lost, %" PRIu64 " malformed, %" PRIu64 " drift, %" PRIu64 " zone drift, %.1fs%s\n",
		st.printed, s.seen, s.lost, s.bad, st.drift, st.zone_drift, mono_s() - start,
		tail);
	if (o.prog_stats)
		loader_prog_stats(s.loader, err);
	session_close(&s);
	if (o.policy)
		policy_free(&st.pol);
	policy_watch_free(&st.watch);
	policy_tracker_free(&st.trk);
	rd_keep_free(&st.rdk);
	return ret;
}
