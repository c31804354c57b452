// SPDX-License-Identifier: GPL-2.0
/*
 * memhp check --policy FILE: evaluate a policy over the current state
 * (sysfs, /proc/zoneinfo, memory devices: user/lib/zi_system.c), once, after a
 * live BPF session of --live SECS (event rules, coverage findings), or
 * continuously (--watch: a line when a violation appears and clears).
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cliopt.h"
#include "check.h"
#include "clock.h"
#include "decode.h"
#include "jsonstr.h"
#include "model.h"
#include "policy.h"
#include "polopt.h"
#include "readiness.h"
#include "session.h"
#include "sessopt.h"
#include "stopsig.h"
#include "zoneinfo.h"

#define PROG "memhp check"
#define MAX_BALLOONS 8

struct check_opts {
	FILE *out, *err;
	struct polopt po; /* --policy, --sysroot, --interval, --duration, --no-bpf, -q */
	bool json;
	enum policy_severity fail_on;
	double live;	 /* seconds, 0: no BPF session */
	bool watch;
	struct sessopt sess; /* --attach (alias --mode), --buffer-size, --stuck-after, --watch-notifiers */
	struct cli cli; /* -h, --usage, -V */
};

enum {
	OPT_FAIL_ON = 0x100,
	OPT_LIVE,
	OPT_WATCH,
};

static const struct argp_option options[] = {
	{ "json", 'J', NULL, 0, "JSON output (--watch: one object a line)", 0 },
	{ "fail-on", OPT_FAIL_ON, "SEVERITY", 0,
	  "exit 1 for violations at or above info, warning (default) or critical",
	  0 },
	{ "live", OPT_LIVE, "TIME", 0,
	  "run a BPF session for TIME (30s, 2m) first: event rules (failures, latency) and coverage findings apply",
	  1 },
	{ "watch", OPT_WATCH, NULL, 0,
	  "evaluate continuously; print a line when a violation appears and when it clears",
	  1 },
	{ 0 },
};

static const struct polopt_help po_help = {
	.sysroot = "read the state from a copy under DIR (DIR/sys/..., DIR/proc/zoneinfo, ...); no BPF",
	.interval = "--watch: state re-read every TIME (default 1s; 500ms, 5s)",
	.duration = "--watch: stop after TIME (30s, 5m; default: at SIGINT/SIGTERM)",
	.no_bpf = "--watch: no BPF session (sysfs only; event rules not evaluated)",
};

static const char doc[] =
	"Evaluate a memory hotplug policy (MOVABLE:KERNEL ratios, DIMMs in one "
	"zone, Normal below Movable, a kernel reserve per node, balloons, "
	"failure and latency budgets, coverage findings) over the current state.\v"
	"The policy format is described in docs/policy.md. Rules that need events "
	"(offline-failures, online-failures, online-latency, offline-duration, "
	"uncovered-online, backed-not-onlined) are evaluated with --live SECS or --watch.\n"
	"\n"
	"Exit status: 0 no violation at or above --fail-on, 1 violations,\n"
	"2 could not run (bad usage, bad policy file, unreadable state, no BPF).\n"
	"\n"
	"Examples:\n"
	"  memhp check --policy /etc/memhp/policy.yaml\n"
	"  memhp check -p policy.yaml -J --fail-on critical\n"
	"  memhp check -p policy.yaml --live 30\n"
	"  memhp check -p policy.yaml --watch --interval 5";

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct check_opts *o = state->input;
	int v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->cli;
		state->child_inputs[1] = &o->sess;
		state->child_inputs[2] = &o->po;
		state->child_inputs[3] = &o->sess;
		break;
	case 'J':
		o->json = true;
		break;
	case OPT_FAIL_ON:
		v = policy_severity_from_name(arg);
		if (v < 0)
			return cli_usage(state, "expected info, warning or critical: %s", arg);
		o->fail_on = (enum policy_severity)v;
		break;
	case OPT_LIVE:
		if (!cliopt_parse_secs(arg, &o->live, false))
			return cli_usage(state, "bad --live seconds: %s", arg);
		break;
	case OPT_WATCH:
		o->watch = true;
		break;
	case ARGP_KEY_ARG:
		return cli_usage(state, "unexpected argument: %s", arg);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* --- output --------------------------------------------------------------------- */

static const char *unit_name(enum policy_unit u)
{
	static const char *const n[] = { "percent", "bytes", "count",
					 "ns",	    "zones", "pfn" };

	return (unsigned int)u < 6 ? n[u] : "?";
}

static void json_violation(FILE *f, const struct policy *p,
			   const struct policy_violation *v)
{
	const struct policy_rule *r = &p->rules[v->rule];

	fprintf(f, "{\"rule\":");
	json_string(f, r->name, sizeof(r->name));
	fprintf(f, ",\"type\":\"%s\",\"severity\":\"%s\",\"line\":%d,\"object\":",
		policy_rule_type_name(r->type), policy_severity_name(r->severity),
		r->line);
	json_string(f, v->object, sizeof(v->object));
	if (v->node >= 0)
		fprintf(f, ",\"node\":%d", v->node);
	else
		fprintf(f, ",\"node\":null");
	if (v->zone >= 0)
		fprintf(f, ",\"zone\":\"%s\"", za_zone_name(v->zone));
	else
		fprintf(f, ",\"zone\":null");
	if (v->group >= 0)
		fprintf(f, ",\"group\":%d", v->group);
	else
		fprintf(f, ",\"group\":null");
	if (v->has_blocks)
		fprintf(f, ",\"blocks\":{\"first\":%" PRIu64 ",\"last\":%" PRIu64 "}",
			v->first_block, v->last_block);
	else
		fprintf(f, ",\"blocks\":null");
	fprintf(f, ",\"unit\":\"%s\",\"actual\":", unit_name(v->unit));
	if (v->infinite)
		fprintf(f, "null,\"infinite\":true");
	else
		fprintf(f, "%" PRIu64 ",\"infinite\":false", v->actual);
	fprintf(f, ",\"limit\":%" PRIu64 ",\"message\":", v->limit);
	json_string(f, v->detail, sizeof(v->detail));
	fputc('}', f);
}

static void print_result(struct check_opts *o, const struct policy *p,
			 const struct policy_result *r, const char *source,
			 int exit_code)
{
	size_t per_rule[POL_MAX_RULES] = { 0 };
	size_t sev[3] = { 0 }, skipped = 0;
	FILE *f = o->out;
	char line[1024];

	for (size_t i = 0; i < r->nr; i++) {
		per_rule[r->v[i].rule]++;
		sev[p->rules[r->v[i].rule].severity]++;
	}
	for (size_t i = 0; i < p->nr; i++)
		if (!r->evaluated[i])
			skipped++;
	if (o->json) {
		fprintf(f, "{\"policy\":");
		json_string(f, o->po.policy_file, 4096);
		fprintf(f, ",\"source\":\"%s\",\"fail_on\":\"%s\",\"violations\":[",
			source, policy_severity_name(o->fail_on));
		for (size_t i = 0; i < r->nr; i++) {
			if (i)
				fputc(',', f);
			json_violation(f, p, &r->v[i]);
		}
		fprintf(f, "],\"rules\":[");
		for (size_t i = 0; i < p->nr; i++) {
			const struct policy_rule *ru = &p->rules[i];

			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_string(f, ru->name, sizeof(ru->name));
			fprintf(f,
				",\"type\":\"%s\",\"severity\":\"%s\",\"line\":%d,\"evaluated\":%s,\"violations\":%zu}",
				policy_rule_type_name(ru->type),
				policy_severity_name(ru->severity), ru->line,
				r->evaluated[i] ? "true" : "false", per_rule[i]);
		}
		fprintf(f,
			"],\"summary\":{\"violations\":%zu,\"critical\":%zu,\"warning\":%zu,\"info\":%zu,\"not_evaluated\":%zu},\"exit\":%d}\n",
			r->nr, sev[POL_SEV_CRITICAL], sev[POL_SEV_WARNING],
			sev[POL_SEV_INFO], skipped, exit_code);
		return;
	}
	for (size_t i = 0; i < r->nr; i++) {
		policy_violation_text(p, &r->v[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (r->nr)
		fprintf(f, "%zu violation%s (%zu critical, %zu warning, %zu info)",
			r->nr, r->nr == 1 ? "" : "s", sev[POL_SEV_CRITICAL],
			sev[POL_SEV_WARNING], sev[POL_SEV_INFO]);
	else
		fprintf(f, "no violations");
	fprintf(f, "; %zu rule%s evaluated on the %s state", p->nr - skipped,
		p->nr - skipped == 1 ? "" : "s", source);
	if (skipped) {
		bool first = true;

		fprintf(f, "; not evaluated (need --live or --watch):");
		for (size_t i = 0; i < p->nr; i++) {
			if (r->evaluated[i])
				continue;
			fprintf(f, "%s %s", first ? "" : ",", p->rules[i].name);
			first = false;
		}
	}
	fputc('\n', f);
}

/* --- state ------------------------------------------------------------------------ */

struct check_run {
	struct check_opts *o;
	struct policy pol;
	struct zi_system sys;
	bool have_sys;
	struct readiness rd; /* min-unpluggable rules only */
	bool have_rd;
	struct policy_balloon balloons[MAX_BALLOONS];
	struct policy_tracker trk;
	struct session sess;
	bool have_sess;
};

static int load_state(struct check_run *c, struct policy_state *ps)
{
	char errbuf[512];

	if (c->have_sys)
		zi_system_free(&c->sys);
	zi_system_init(&c->sys);
	c->have_sys = true;
	/* with --live, the session's model (one model); else a snapshot */
	if (c->have_sess ? zi_system_from_model(&c->sys, &c->sess.model, NULL, errbuf,
						sizeof(errbuf))
			 : zi_system_load(&c->sys, c->o->po.sysroot, errbuf, sizeof(errbuf))) {
		fprintf(c->o->err, PROG ": %s\n", errbuf);
		return -1;
	}
	memset(ps, 0, sizeof(*ps));
	ps->za = &c->sys.st;
	ps->devs = c->sys.devs;
	ps->nr_devs = c->sys.nr_devs;
	ps->page_size = c->sys.page_size;
	ps->nr_balloons = check_detect_balloons(c->o->po.sysroot, c->balloons,
						MAX_BALLOONS);
	ps->balloons = c->balloons;
	if (policy_needs_readiness(&c->pol)) {
		struct rd_opts ro = { .sysroot = c->o->po.sysroot, .balloon_compaction = -1 };

		if (c->have_rd)
			readiness_free(&c->rd);
		readiness_init(&c->rd);
		c->have_rd = true;
		if (readiness_scan(&c->rd, &ro, errbuf, sizeof(errbuf)))
			fprintf(c->o->err, PROG ": warning: min-unpluggable not evaluated: %s\n",
				errbuf);
		else
			ps->readiness = &c->rd;
	}
	if (c->have_sess) {
		ps->model = &c->sess.model;
		ps->events = &c->trk;
	}
	return 0;
}

/* Poll the session (or sleep) until @until or a signal; -1 on a poll error. */
static int run_until(struct check_run *c, double until)
{
	return session_wait_until(c->have_sess ? &c->sess : NULL, until, &stop_requested, NULL,
				  c->o->err) ? -1 : 0;
}

static int open_session(struct check_run *c)
{
	struct session_opts so = { 0 };
	int ret;

	sessopt_apply(&c->o->sess, &so);
	so.quiet = c->o->po.quiet;
	so.sysroot = NULL;
	so.prog = PROG;
	so.trk = &c->trk;
	/* offline progress events from the offline-duration budget on */
	so.stuck_after_ns = c->o->sess.stuck_after_ns ? c->o->sess.stuck_after_ns
						      : policy_offline_budget_ns(&c->pol);
	ret = session_open(&c->sess, &so);
	if (ret)
		return ret;
	c->have_sess = true;
	return 0;
}

struct watch_ctx {
	struct check_opts *o;
	double t0;
};

static void on_transition(enum policy_transition t, const struct policy *p,
			  const struct policy_violation *v, void *ctx)
{
	struct watch_ctx *w = ctx;
	FILE *f = w->o->out;
	char line[1024];

	if (w->o->json) {
		fprintf(f, "{\"transition\":\"%s\",\"time\":%.3f,\"violation\":",
			t == POL_APPEAR ? "appear" : "clear", mono_s() - w->t0);
		json_violation(f, p, v);
		fprintf(f, "}\n");
	} else {
		policy_violation_text(p, v, line, sizeof(line));
		fprintf(f, "%s %s\n", t == POL_APPEAR ? "APPEAR" : "CLEAR ", line);
	}
	fflush(f);
}

/*
 * A rule for a node or group the system does not have can never be
 * violated: say so on stderr rather than let "no violations" read as
 * compliance (a typo, or a DIMM not plugged yet). Returns how many.
 */
static size_t warn_unmatched(struct check_run *c, const struct policy_state *ps)
{
	size_t n = 0;
	char why[160];

	for (size_t i = 0; i < c->pol.nr; i++) {
		if (!policy_rule_unmatched(&c->pol.rules[i], ps, why, sizeof(why)))
			continue;
		fprintf(c->o->err, PROG ": warning: rule %s (line %d) matches nothing: %s\n",
			c->pol.rules[i].name, c->pol.rules[i].line, why);
		n++;
	}
	return n;
}

static int run_watch(struct check_run *c)
{
	struct check_opts *o = c->o;
	struct policy_watch w;
	struct policy_state ps;
	struct watch_ctx wc = { .o = o, .t0 = mono_s() };
	double deadline = o->po.duration > 0 ? wc.t0 + o->po.duration : 0;
	int rc = CHECK_EXIT_OK, n = 0;

	policy_watch_init(&w);
	for (unsigned long tick = 0; !stop_requested && tick < 1000000000ul; tick++) {
		double next = mono_s() + o->po.interval;

		if (load_state(c, &ps)) {
			rc = CHECK_EXIT_ERROR;
			break;
		}
		if (!tick)
			warn_unmatched(c, &ps);
		n = policy_watch_eval(&w, &c->pol, &ps, on_transition, &wc);
		if (n < 0) {
			fprintf(o->err, PROG ": evaluation failed: %s\n",
				strerror(-n));
			rc = CHECK_EXIT_ERROR;
			break;
		}
		if (deadline && next > deadline)
			next = deadline;
		if (deadline && mono_s() >= deadline)
			break;
		if (run_until(c, next)) {
			rc = CHECK_EXIT_ERROR;
			break;
		}
		if (deadline && mono_s() >= deadline) {
			/* one last evaluation at the end */
			if (load_state(c, &ps) ||
			    policy_watch_eval(&w, &c->pol, &ps, on_transition, &wc) < 0)
				rc = CHECK_EXIT_ERROR;
			break;
		}
	}
	if (rc == CHECK_EXIT_OK && w.evaluations &&
	    policy_count_at_least(&c->pol, &w.cur, o->fail_on))
		rc = CHECK_EXIT_VIOLATIONS;
	if (!o->json)
		fprintf(o->err,
			PROG ": %" PRIu64 " evaluations, %zu violations active at the end\n",
			w.evaluations, w.cur.nr);
	policy_watch_free(&w);
	return rc;
}

int check_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct argp_child children[] = { { &cli_argp, 0, NULL, 0 },
						       { &sessopt_argp, 0, NULL, 0 },
						       { &polopt_argp, 0, NULL, 0 },
						       { &sessopt_offline_argp, 0, NULL, 0 },
						       { 0 } };
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };
	struct check_opts o = { .out = out, .err = err,
				.fail_on = POL_SEV_WARNING,
				.po = { .interval = 1.0, .min_interval = 0.01,
					.help = &po_help },
				.sess.mode = LOADER_AUTO,
				.cli = { .out = out, .err = err } };
	struct check_run c = { .o = &o };
	struct policy_result res;
	struct policy_state ps;
	char errbuf[512];
	int rc, n;

	rc = cli_parse_as(PROG, &argp, argc, argv, ARGP_IN_ORDER, &o, &o.cli);
	if (rc >= 0)
		return rc;
	rc = CHECK_EXIT_ERROR;
	if (!o.po.policy_file) {
		fprintf(err, PROG ": --policy FILE is required (try --help)\n");
		return CHECK_EXIT_ERROR;
	}
	if (o.po.sysroot && o.live > 0) {
		fprintf(err, PROG ": --live traces the running kernel; it does not go with --sysroot\n");
		return CHECK_EXIT_ERROR;
	}
	if (!o.watch && (o.po.no_bpf || o.po.duration > 0)) {
		fprintf(err, PROG ": --no-bpf and --duration go with --watch\n");
		return CHECK_EXIT_ERROR;
	}
	if (o.watch && o.live > 0) {
		fprintf(err, PROG ": --live and --watch exclude each other\n");
		return CHECK_EXIT_ERROR;
	}
	if (policy_load(o.po.policy_file, &c.pol, errbuf, sizeof(errbuf))) {
		fprintf(err, PROG ": %s\n", errbuf);
		return CHECK_EXIT_ERROR;
	}
	policy_tracker_init(&c.trk);
	policy_result_init(&res);
	stop_requested = 0;
	if ((o.live > 0 || (o.watch && !o.po.no_bpf && !o.po.sysroot))) {
		n = open_session(&c);
		if (n) {
			rc = CHECK_EXIT_ERROR;
			goto out;
		}
	}
	if (o.watch) {
		stop_on_signals(true);
		rc = run_watch(&c);
		goto out;
	}
	if (o.live > 0) {
		stop_on_signals(true);
		if (run_until(&c, mono_s() + o.live)) {
			rc = CHECK_EXIT_ERROR;
			goto out;
		}
		session_poll(&c.sess, 0);
	}
	if (load_state(&c, &ps)) {
		rc = CHECK_EXIT_ERROR;
		goto out;
	}
	if (!o.json)
		for (size_t i = 0; i < c.sys.nr_warnings; i++)
			fprintf(err, PROG ": note: %s\n", c.sys.warnings[i]);
	warn_unmatched(&c, &ps);
	n = policy_evaluate(&c.pol, &ps, &res);
	if (n < 0) {
		fprintf(err, PROG ": evaluation failed: %s\n", strerror(-n));
		rc = CHECK_EXIT_ERROR;
		goto out;
	}
	rc = policy_count_at_least(&c.pol, &res, o.fail_on) ?
		     CHECK_EXIT_VIOLATIONS :
		     CHECK_EXIT_OK;
	print_result(&o, &c.pol, &res,
		     o.po.sysroot ? "sysroot" : c.have_sess ? "live+events" : "live",
		     rc);
	if (c.have_sess && !o.json)
		fprintf(err,
			PROG ": %" PRIu64 " events seen in %.1fs, %" PRIu64 " lost\n",
			c.sess.seen, o.live, c.sess.lost);
out:
	if (c.have_sess)
		session_close(&c.sess);
	if (c.have_sys)
		zi_system_free(&c.sys);
	if (c.have_rd)
		readiness_free(&c.rd);
	policy_result_free(&res);
	policy_tracker_free(&c.trk);
	policy_free(&c.pol);
	fflush(out);
	return rc;
}
