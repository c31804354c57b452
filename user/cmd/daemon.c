// SPDX-License-Identifier: GPL-2.0
/*
 * memhp online-daemon: online hot-added memory blocks left offline, per
 * memory group and by a policy (docs/daemon.md). The decisions are pure
 * functions over the zone-algorithm state (daemon_decide()); the command
 * around them rebuilds that state from sysfs each round (user/lib/zi_system.c),
 * learns of new blocks from BPF ADD events (user/live/session.c) or by polling
 * sysfs, and writes online_kernel / online_movable to memoryN/state.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cliopt.h"
#include "clock.h"
#include "daemon.h"
#include "decode.h"
#include "model.h"
#include "polopt.h"
#include "session.h"
#include "sessopt.h"
#include "stopsig.h"
#include "zoneinfo.h"

#define PROG "memhp online-daemon"
#define MAX_BACKOFF 60.0

struct daemon_opts {
	FILE *out, *err;
	struct polopt po; /* --policy, --sysroot, --interval, --duration, --no-bpf, -q */
	long ratio; /* -1: none */
	bool json, dry_run, once;
	double backoff;
	unsigned int retries;
	struct sessopt sess; /* --attach (alias --mode), --buffer-size; no offline options (sessopt.h) */
	struct cli cli; /* -h, --usage, -V */
};

enum {
	OPT_RATIO = 0x100,
	OPT_ONCE,
	OPT_RETRIES,
	OPT_BACKOFF,
	OPT_DRY_RUN,
};

static const struct argp_option options[] = {
	{ "ratio", OPT_RATIO, "RATIO", 0,
	  "MOVABLE:KERNEL limit: 3.01, 301% or 301 (percent, like auto_movable_ratio; "
	  "overrides the policy's global max-ratio)",
	  0 },
	/* no -n: that is --noheadings (ls, like lsmem) */
	{ "dry-run", OPT_DRY_RUN, NULL, 0, "print the decisions, change nothing", 0 },
	{ "once", OPT_ONCE, NULL, 0,
	  "handle the blocks that are there (with retries) and exit", 0 },
	{ "json", 'J', NULL, 0, "one JSON object per line", 0 },
	{ "retries", OPT_RETRIES, "N", 0, "retries of a failed online (default 4)", 1 },
	{ "backoff", OPT_BACKOFF, "TIME", 0,
	  "first retry delay, doubled each time up to 60 s (default 1)", 1 },
	{ 0 },
};

static const struct polopt_help po_help = {
	.sysroot = "state from a copy under DIR; writes go to DIR's memoryN/state files (tests)",
	.interval = "sysfs rescan period (default 1s when polling, 10s with BPF events)",
	.no_bpf = "no BPF session: poll sysfs",
};

static const char doc[] =
	"Online hot-added memory blocks left offline (memhp_default_state=offline) "
	"by a policy: a DIMM goes whole into one zone, a virtio-mem device keeps as "
	"much MOVABLE memory as the MOVABLE:KERNEL ratio allows (the kernel's "
	"auto-movable algorithm, NUMA-aware), and per node the first hot-plugged "
	"memory goes KERNEL until a kernel-reserve rule is met. Never offlines.\v"
	"Blocks present at start are handled first (coldplug); new ones as BPF "
	"reports their hot-add, or by polling sysfs every second without BPF.\n"
	"See docs/daemon.md.\n"
	"\n"
	"Exit status: 0 ok, 1 some onlines failed after every retry,\n"
	"2 bad usage, bad policy file, unreadable state, not root.\n"
	"\n"
	"Examples:\n"
	"  memhp online-daemon --policy /etc/memhp/policy.yaml\n"
	"  memhp online-daemon --ratio 301 --once\n"
	"  memhp online-daemon -p policy.yaml --dry-run --once -J";

static bool parse_ulong(const char *arg, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!arg[0] || arg[0] == '-' || arg[0] == '+')
		return false;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct daemon_opts *o = state->input;
	unsigned long v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->cli;
		state->child_inputs[1] = &o->sess;
		state->child_inputs[2] = &o->po;
		break;
	case OPT_RATIO:
	{
		uint64_t r;

		if (!cliopt_parse_ratio(arg, &r) || r > UINT32_MAX)
			return cli_usage(state, "invalid --ratio '%s' (3.01, 301%% or 301: percent)",
					 arg);
		o->ratio = (long)r;
		break;
	}
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	case OPT_ONCE:
		o->once = true;
		break;
	case 'J':
		o->json = true;
		break;
	case OPT_RETRIES:
		if (!parse_ulong(arg, 100, &v))
			return cli_usage(state, "bad --retries (0..100): %s", arg);
		o->retries = (unsigned int)v;
		break;
	case OPT_BACKOFF:
		if (!cliopt_parse_secs(arg, &o->backoff, true) || o->backoff > MAX_BACKOFF)
			return cli_usage(state, "bad --backoff (0..60 s): %s", arg);
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument: %s", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A block the daemon has seen: handled (online, onlined, given up) or due. */
struct dblock {
	uint64_t id;
	bool handled;
	unsigned int attempts;
	double next; /* retry time */
	int last_err;
};

/* What a BPF ADD event said about a block's group. */
struct dhint {
	uint64_t block;
	int group_id, nid;
	bool dynamic;
	uint64_t group_pages;
};

struct drun {
	struct daemon_opts *o;
	struct policy pol;
	bool have_pol;
	struct zi_system sys;
	bool have_sys;
	struct dblock *b;
	size_t nr_b, cap_b;
	struct dhint *h;
	size_t nr_h, cap_h;
	struct session sess;
	bool have_sess;
	bool dirty;	 /* an ADD/REMOVE event: rescan now */
	bool first;	 /* coldplug round */
	unsigned long onlined, failed, decided;
	/* the last round's offline blocks, and of them the hot-added ones
	 * (candidates): why nothing was decided, at the end */
	size_t offline, candidates;
	double t0;
};

static struct dblock *dblock_get(struct drun *r, uint64_t id, bool create)
{
	size_t i;

	for (i = 0; i < r->nr_b; i++)
		if (r->b[i].id == id)
			return &r->b[i];
	if (!create)
		return NULL;
	if (r->nr_b == r->cap_b) {
		size_t cap = r->cap_b ? r->cap_b * 2 : 64;
		struct dblock *n = realloc(r->b, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->b = n;
		r->cap_b = cap;
	}
	memset(&r->b[r->nr_b], 0, sizeof(r->b[0]));
	r->b[r->nr_b].id = id;
	return &r->b[r->nr_b++];
}

static void on_event(struct session *s, const struct memhp_event *e, void *ctx)
{
	struct drun *r = ctx;
	uint64_t ppb = model_pages_per_block(&s->model), blk, end;

	if (e->hdr.kind != MEMHP_EV_ADD && e->hdr.kind != MEMHP_EV_REMOVE)
		return;
	r->dirty = true;
	if (!ppb || e->ret)
		return;
	end = (e->start_pfn + e->nr_pages + ppb - 1) / ppb;
	for (blk = e->start_pfn / ppb; blk < end && blk - e->start_pfn / ppb < 65536;
	     blk++) {
		struct dblock *d = dblock_get(r, blk, false);

		/* a block added (again) is new: forget what was done to it */
		if (d)
			memset(d, 0, sizeof(*d)), d->id = blk;
		if (e->hdr.kind != MEMHP_EV_ADD || !(e->flags & MEMHP_F_GROUP))
			continue;
		if (r->nr_h == r->cap_h) {
			size_t cap = r->cap_h ? r->cap_h * 2 : 64;
			struct dhint *n = realloc(r->h, cap * sizeof(*n));

			if (!n)
				return;
			r->h = n;
			r->cap_h = cap;
		}
		r->h[r->nr_h++] = (struct dhint){
			.block = blk,
			.group_id = (e->flags & MEMHP_F_GROUP_ID) ? e->group_id : -1,
			.nid = e->group_nid >= 0 ? e->group_nid : e->nid,
			.dynamic = !!(e->flags & MEMHP_F_GROUP_DYNAMIC),
			.group_pages = e->group_pages,
		};
	}
}

/* What BPF saw beats what sysfs lets us infer (virtio-mem units). */
static void apply_hints(struct drun *r)
{
	struct za_state *st = &r->sys.st;
	size_t i;

	for (i = 0; i < r->nr_h; i++) {
		const struct dhint *h = &r->h[i];
		struct za_block *b = za_block_find(st, h->block);
		struct za_group *g;
		int gid;

		if (!b || !h->group_pages)
			continue;
		g = b->group >= 0 ? za_group_find(st, b->group) : NULL;
		if (g) {
			if (g->dynamic && h->dynamic && g->unit_pages != h->group_pages &&
			    h->group_pages >= st->block_pages)
				g->unit_pages = h->group_pages;
			continue;
		}
		if (b->online)
			continue;
		gid = h->dynamic ?
			      za_group_register_dynamic(st, h->nid >= 0 ? h->nid : b->nid,
							h->group_pages, "bpf") :
			      za_group_register_static(st, h->nid >= 0 ? h->nid : b->nid,
						       h->group_pages, "bpf");
		if (gid >= 0)
			b->group = gid;
	}
}

static int load(struct drun *r)
{
	char errbuf[512];

	if (r->have_sys)
		zi_system_free(&r->sys);
	zi_system_init(&r->sys);
	r->have_sys = true;
	/* A fresh snapshot, not the session's model: the daemon writes to
	 * sysfs and must act on the kernel's word of the moment (the
	 * snapshot goes through the same zi_system_from_model()). */
	if (zi_system_load(&r->sys, r->o->po.sysroot, errbuf, sizeof(errbuf))) {
		fprintf(r->o->err, PROG ": %s\n", errbuf);
		return -1;
	}
	apply_hints(r);
	return 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One log line: action online|would-online|retry|failed. */
static void log_action(struct drun *r, const char *action,
		       const struct daemon_decision *d, int zone_now, int err,
		       unsigned int attempt)
{
	FILE *f = r->o->out;
	const char *type = za_online_type_name(d->online_type);

	if (r->o->json) {
		fprintf(f, "{\"time\":%.3f,\"action\":\"%s\",\"block\":%" PRIu64
			   ",\"node\":%d,\"group\":",
			mono_s() - r->t0, action, d->block, d->nid);
		if (d->group >= 0)
			fprintf(f, "%d", d->group);
		else
			fputs("null", f);
		fprintf(f, ",\"online_type\":\"%s\",\"zone\":", type);
		if (zone_now >= 0 && zone_now < ZA_NR_ZONES)
			fprintf(f, "\"%s\"", za_zone_name(zone_now));
		else
			fputs("null", f);
		fprintf(f, ",\"rule\":\"%s\",\"reason\":", d->why ? d->why : "");
		json_str(f, d->reason);
		if (err)
			fprintf(f, ",\"error\":\"%s\",\"attempt\":%u", strerror(-err),
				attempt);
		fputs("}\n", f);
	} else if (err) {
		fprintf(f, "%-12s memory%" PRIu64 " %s: %s (attempt %u): %s\n",
			action, d->block, type, strerror(-err), attempt, d->reason);
	} else {
		fprintf(f, "%-12s memory%" PRIu64 " %s -> %s: %s\n", action,
			d->block, type, za_zone_text(zone_now), d->reason);
	}
	fflush(f);
}

static void path_of(char *buf, size_t len, const char *root, const char *rel)
{
	snprintf(buf, len, "%s%s%s", root ? root : "", root && root[0] ? "/" : "/",
		 rel);
}

/* echo TYPE > memoryN/state: 0 or -errno. */
static int write_state(struct drun *r, uint64_t id, const char *type)
{
	char rel[96], path[4096];
	ssize_t n;
	int fd, ret = 0;

	snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%" PRIu64 "/state",
		 id);
	path_of(path, sizeof(path), r->o->po.sysroot, rel);
	fd = open(path, O_WRONLY | O_CLOEXEC | (r->o->po.sysroot ? O_TRUNC : 0));
	if (fd < 0)
		return -errno;
	n = write(fd, type, strlen(type));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(type))
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* The zone the kernel used (valid_zones of an online block); -1 unknown. */
static int read_zone(struct drun *r, uint64_t id)
{
	char rel[96], path[4096], buf[64] = "";
	FILE *f;
	int z;

	if (r->o->po.sysroot)
		return -1;
	snprintf(rel, sizeof(rel),
		 "sys/devices/system/memory/memory%" PRIu64 "/valid_zones", id);
	path_of(path, sizeof(path), NULL, rel);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, " \n")] = 0;
	z = za_zone_from_name(buf);
	return z;
}

static void fill_rules(struct drun *r, struct daemon_rules *ru)
{
	memset(ru, 0, sizeof(*ru));
	daemon_pick_ratio(ru, r->have_pol ? &r->pol : NULL, r->o->ratio,
			  r->sys.st.cfg.ratio);
	ru->numa_aware = r->sys.st.cfg.numa_aware;
	ru->pol = r->have_pol ? &r->pol : NULL;
	ru->page_size = r->sys.page_size;
	ru->devs = r->sys.devs;
	ru->nr_devs = r->sys.nr_devs;
}

/*
 * Why the daemon decided nothing, from its last round (plain words, no
 * quotes: also a JSON string); "" when it decided something.
 */
static void nothing_why(const struct drun *r, char *why, size_t len)
{
	if (r->decided)
		snprintf(why, len, "%s", "");
	else if (!r->offline)
		snprintf(why, len, "no offline block");
	else if (!r->candidates)
		snprintf(why, len,
			 "%zu offline block%s, none hot-added: boot memory is left alone",
			 r->offline, r->offline == 1 ? "" : "s");
	else
		snprintf(why, len,
			 "%zu offline hot-added block%s, all left alone: offlined by someone else while the daemon ran",
			 r->candidates, r->candidates == 1 ? "" : "s");
}

/*
 * One round: rebuild the state, forget blocks that went away, decide and
 * online every due candidate in order. Returns how many are still due
 * (retries pending), or -1 on an unreadable state.
 */
static int round_once(struct drun *r)
{
	struct za_state *st;
	struct daemon_rules ru;
	uint64_t *ids;
	size_t n, i, k;
	double t = mono_s();
	int pending = 0;

	if (load(r))
		return -1;
	st = &r->sys.st;
	/* blocks gone from sysfs are forgotten: if added again they are new */
	for (k = 0; k < r->nr_b;) {
		if (!za_block_find(st, r->b[k].id))
			r->b[k] = r->b[--r->nr_b];
		else
			k++;
	}
	/* online blocks (not by us) and, after the coldplug round, blocks
	 * that went offline while known are none of our business */
	for (i = 0; i < st->nr_blocks; i++) {
		const struct za_block *b = &st->blocks[i];
		struct dblock *d = dblock_get(r, b->id, true);

		if (d && b->online)
			d->handled = true;
	}
	fill_rules(r, &ru);
	ids = calloc(st->nr_blocks ? st->nr_blocks : 1, sizeof(*ids));
	if (!ids)
		return -1;
	n = daemon_candidates(st, ids, st->nr_blocks);
	r->candidates = n;
	r->offline = 0;
	for (i = 0; i < st->nr_blocks; i++)
		r->offline += !st->blocks[i].online;
	for (i = 0; i < n && !stop_requested; i++) {
		struct dblock *d = dblock_get(r, ids[i], true);
		struct daemon_decision dec;
		int ret, zone;

		if (!d)
			break;
		if (d->handled)
			continue;
		if (d->attempts && d->next > t) {
			pending++;
			continue;
		}
		if (daemon_decide(st, &ru, ids[i], &dec))
			continue;
		r->decided++;
		if (r->o->dry_run) {
			d->handled = true;
			log_action(r, "would-online", &dec, dec.zone, 0, 0);
			za_online(st, ids[i], dec.online_type, NULL);
			continue;
		}
		ret = write_state(r, ids[i], za_online_type_name(dec.online_type));
		if (ret) {
			d->attempts++;
			d->last_err = ret;
			if (d->attempts > r->o->retries) {
				d->handled = true;
				r->failed++;
				log_action(r, "failed", &dec, dec.zone, ret, d->attempts);
			} else {
				double delay = r->o->backoff;
				unsigned int a;

				for (a = 1; a < d->attempts && delay < MAX_BACKOFF; a++)
					delay *= 2;
				if (delay > MAX_BACKOFF)
					delay = MAX_BACKOFF;
				d->next = mono_s() + delay;
				pending++;
				log_action(r, "retry", &dec, dec.zone, ret, d->attempts);
			}
			continue;
		}
		d->handled = true;
		r->onlined++;
		za_online(st, ids[i], dec.online_type, &zone);
		ret = read_zone(r, ids[i]);
		if (ret >= 0 && ret != dec.zone) {
			size_t l = strlen(dec.reason);

			snprintf(dec.reason + l, sizeof(dec.reason) - l,
				 " [predicted %s]", za_zone_name(dec.zone));
			zone = ret;
		} else if (ret >= 0) {
			zone = ret;
		}
		log_action(r, "online", &dec, zone, 0, 0);
	}
	free(ids);
	r->first = false;
	return pending;
}

static double next_retry(const struct drun *r)
{
	double t = 0;
	size_t i;

	for (i = 0; i < r->nr_b; i++)
		if (!r->b[i].handled && r->b[i].attempts && (!t || r->b[i].next < t))
			t = r->b[i].next;
	return t;
}

/* Sleep or poll BPF until @until, an event, or a signal; -1 poll error. */
static int wait_until(struct drun *r, double until)
{
	/* returns early when an event made a rescan worthwhile (r->dirty) */
	return session_wait_until(r->have_sess ? &r->sess : NULL, until, &stop_requested, &r->dirty,
				  r->o->err) ? -1 : 0;
}

static void say_start(struct drun *r, const char *mode, const char *detail)
{
	struct daemon_rules ru;

	fill_rules(r, &ru);
	if (r->o->json) {
		fprintf(r->o->out, "{\"time\":0,\"action\":\"start\",\"mode\":\"%s\",\"dry_run\":%s,\"ratio\":%u,\"ratio_source\":",
			mode, r->o->dry_run ? "true" : "false", ru.ratio);
		json_str(r->o->out, ru.ratio_src);
		fprintf(r->o->out, ",\"numa_aware\":%s,\"detail\":",
			ru.numa_aware ? "true" : "false");
		json_str(r->o->out, detail);
		fputs("}\n", r->o->out);
		fflush(r->o->out);
	}
	fprintf(r->o->err, PROG ": mode: %s (%s); ratio %u (%s)%s%s%s\n", mode,
		detail, ru.ratio, ru.ratio_src, ru.numa_aware ? ", NUMA-aware" : "",
		r->have_pol ? ", policy " : "", r->have_pol ? r->o->po.policy_file : "");
}

int daemon_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 },
						       { &sessopt_argp, 0, NULL, 0 },
						       { &polopt_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct daemon_opts o = { .out = out, .err = err, .ratio = -1,
				 .retries = 4, .backoff = 1.0,
				 .sess.mode = LOADER_AUTO, .po.help = &po_help,
				 .cli = { .out = out, .err = err } };
	struct drun r = { .o = &o, .first = true };
	char errbuf[512], why[160];
	int rc = DAEMON_EXIT_USAGE, pending;
	double deadline, next_scan;

	rc = cli_parse_as(PROG, &argp, argc, argv, ARGP_IN_ORDER, &o, &o.cli);
	if (rc >= 0)
		return rc;
	rc = DAEMON_EXIT_USAGE;
	if (!o.po.policy_file && o.ratio < 0 && !o.po.sysroot && !o.dry_run) {
		fprintf(err, PROG ": no --policy FILE and no --ratio N: refusing to online memory without a policy\n");
		return DAEMON_EXIT_USAGE;
	}
	if (o.once && o.po.duration > 0) {
		fprintf(err, PROG ": --duration does not go with --once\n");
		return DAEMON_EXIT_USAGE;
	}
	if (!o.po.sysroot && !o.dry_run && geteuid() != 0) {
		fprintf(err, PROG ": writing memoryN/state needs root (try --dry-run)\n");
		return DAEMON_EXIT_USAGE;
	}
	if (o.po.policy_file) {
		if (policy_load(o.po.policy_file, &r.pol, errbuf, sizeof(errbuf))) {
			fprintf(err, PROG ": %s\n", errbuf);
			return DAEMON_EXIT_USAGE;
		}
		r.have_pol = true;
	}
	stop_requested = 0;
	r.t0 = mono_s();
	if (load(&r))
		goto out;
	if (!o.json)
		for (size_t i = 0; i < r.sys.nr_warnings; i++)
			fprintf(err, PROG ": note: %s\n", r.sys.warnings[i]);
	if (r.sys.auto_online > 0)
		fprintf(err, PROG ": note: auto_online_blocks is %s: the kernel onlines new blocks itself; the daemon only sees blocks left offline\n",
			za_online_type_name(r.sys.auto_online));

	if (o.once) {
		say_start(&r, "once", o.po.sysroot ? "sysroot" : "live state");
	} else if (!o.po.no_bpf && !o.po.sysroot) {
		struct session_opts so = { 0 };

		sessopt_apply(&o.sess, &so);
		/* nothing here shows offlines: no progress timer (sessopt.h) */
		so.stuck_after_ns = SESS_STUCK_OFF;
		so.quiet = o.po.quiet;
		so.prog = PROG;
		so.on_event = on_event;
		so.ctx = &r;
		if (!session_open(&r.sess, &so)) {
			r.have_sess = true;
		}
		if (r.have_sess)
			say_start(&r, "events",
				  "BPF add_memory_resource events, group data from the probes; sysfs rescan as a safety net");
		else
			say_start(&r, "polling",
				  "BPF tracing unavailable: sysfs-only decisions, rescanning every interval");
	} else {
		say_start(&r, "polling",
			  o.po.sysroot ? "sysroot, no BPF" : "--no-bpf: sysfs-only decisions");
	}
	if (!o.po.interval)
		o.po.interval = r.have_sess ? 10.0 : 1.0;
	stop_on_signals(true);
	deadline = o.po.duration > 0 ? r.t0 + o.po.duration : 0;
	rc = DAEMON_EXIT_OK;
	for (unsigned long tick = 0; !stop_requested && tick < 1000000000ul; tick++) {
		double wake;

		r.dirty = false;
		pending = round_once(&r);
		if (pending < 0) {
			rc = DAEMON_EXIT_USAGE;
			break;
		}
		if (o.once && !pending)
			break;
		next_scan = mono_s() + o.po.interval;
		wake = o.once ? next_retry(&r) : next_scan;
		if (pending && next_retry(&r) && next_retry(&r) < wake)
			wake = next_retry(&r);
		if (deadline && wake > deadline)
			wake = deadline;
		if (deadline && mono_s() >= deadline)
			break;
		if (wait_until(&r, wake)) {
			rc = DAEMON_EXIT_FAILED;
			break;
		}
		if (deadline && mono_s() >= deadline && !r.dirty)
			break;
	}
	if (rc == DAEMON_EXIT_OK && r.failed)
		rc = DAEMON_EXIT_FAILED;
	nothing_why(&r, why, sizeof(why));
	if (o.json) {
		fprintf(out, "{\"time\":%.3f,\"action\":\"exit\",\"decided\":%lu,",
			mono_s() - r.t0, r.decided);
		if (why[0])
			fprintf(out, "\"why\":\"%s\",", why);
		fprintf(out, "\"onlined\":%lu,\"failed\":%lu,\"exit\":%d}\n", r.onlined,
			r.failed, rc);
	} else {
		fprintf(err, PROG ": %lu decided%s%s%s, %lu onlined, %lu failed%s\n", r.decided,
			why[0] ? " (" : "", why, why[0] ? ")" : "", r.onlined, r.failed,
			o.dry_run ? " (dry run: nothing changed)" : "");
	}
out:
	if (r.have_sess)
		session_close(&r.sess);
	if (r.have_sys)
		zi_system_free(&r.sys);
	if (r.have_pol)
		policy_free(&r.pol);
	free(r.b);
	free(r.h);
	fflush(out);
	return rc;
}
