#!/bin/bash
# Prometheus and Grafana assets: the alert rules pass `promtool check rules`
# and their `promtool test rules` file; every rule and dashboard query uses
# metric families memhp exports; every dashboard query is filtered by the
# job and instance variables, counts lost events with increase(), and does
# not drop all-movable groups. (The dashboard's queries run against a real
# Prometheus in tests/vm/scenarios/test_export_prometheus.py.)
# TAP-like "ok"/"not ok" lines, "# done" at the end.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
rules=$top/tools/prometheus/memhp-rules.yml
dash=$top/tools/grafana/memhp-dashboard.json

if command -v promtool >/dev/null 2>&1; then
	v=$(promtool check rules "$rules" 2>&1) && ok "promtool check rules: $(echo "$v" | grep -o '[0-9]* rules found')" ||
		nok "promtool check rules: $v"
	v=$(cd "$top/tools/prometheus" && promtool test rules memhp-rules.test.yml 2>&1) &&
		ok "promtool test rules memhp-rules.test.yml" || nok "promtool test rules: $v"
else
	skip "promtool check/test rules" "promtool not installed (Debian package prometheus: tools/deps.sh lab)"
fi

# Every alert the brief of the rules names, and each has a test case.
for a in MemhpPolicyViolation MemhpModelDrift MemhpCoverageFinding MemhpEventsLost MemhpOfflineStuck \
	MemhpExporterDown; do
	grep -q "alert: $a\$" "$rules" && grep -q "alertname: $a\$" "$top/tools/prometheus/memhp-rules.test.yml" &&
		ok "rule $a and its test" || nok "rule $a or its test missing"
done

# The families the rules and the dashboard use are ones memhp exports.
exported=$(grep -oh '"memhp_[a-z_]*' "$top"/user/lib/prom*.c "$top"/user/lib/readiness_prom.c | tr -d '"' | sort -u)
unknown=
for f in $( (grep -o 'memhp_[a-z_]*' "$rules"; grep -o 'memhp_[a-z_]*' "$dash") |
	sed 's/_\(bucket\|sum\|count\)$//' | sort -u); do
	case $f in memhp_dashboard | memhp_rules) continue ;; esac
	echo "$exported" | grep -qx "$f" || unknown="$unknown $f"
done
[ -z "$unknown" ] && ok "rules and dashboard use exported families only" || nok "not exported:$unknown"

python3 - "$dash" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
n = 0
def res(ok, what):
    global n
    n += 1
    print("%s %d - dashboard: %s" % ("ok" if ok else "not ok", n, what))
tv = {v["name"]: v for v in d["templating"]["list"]}
res("job" in tv and "instance" in tv and "memhp_" in tv["job"].get("definition", "")
    and '$job' in tv["instance"].get("definition", ""), "job and instance template variables")
exprs = [(p["title"], t["expr"]) for p in d["panels"] for t in p.get("targets", [])]
bad = []
for title, e in exprs:
    # every selector of a memhp family carries both variables
    for m in re.finditer(r"\b(memhp_[a-z_]+)(\{[^}]*\})?", e):
        sel = m.group(2) or ""
        if 'job=~"$job"' not in sel or 'instance=~"$instance"' not in sel:
            bad.append(m.group(0))
res(not bad, "every selector filtered by job and instance%s" % (": %s" % bad if bad else ""))
raw = [e for _, e in exprs if re.search(r"memhp_events_(lost|malformed|inconsistent)_total", e)
       and not re.search(r"increase\(memhp_events_(lost|malformed|inconsistent)_total", e)]
res(not raw, "lost/malformed/inconsistent events only as increase()%s" % (": %s" % raw if raw else ""))
inf = [e for _, e in exprs if "< +Inf" in e or "<+Inf" in e]
res(not inf, "no query drops +Inf (all-movable) series%s" % (": %s" % inf if inf else ""))
fams = set(f for _, e in exprs for f in re.findall(r"\bmemhp_[a-z_]+", e))
for f in ("memhp_policy_violations", "memhp_drift_blocks", "memhp_findings_total",
          "memhp_balloon_bytes_total", "memhp_offline_running", "memhp_offline_running_seconds",
          "memhp_group_movable_kernel_ratio"):
    res(f in fams, "a panel for %s" % f)
ids = [p["id"] for p in d["panels"]]
res(len(ids) == len(set(ids)), "panel ids unique")
PY
echo "# done"
