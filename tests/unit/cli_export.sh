#!/bin/bash
# CLI checks of `memhp export` that need no BPF: bad usage, the one-shot
# exposition of every fixture sysroot (promtool check metrics, values against
# the fixture), textfile writes, and the service files (unit, man page,
# make install). TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
bin=$out/memhp
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# value FILE SERIES: the sample value of an exact series line
value() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }' "$1"; }
expect() { # description got want
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1 (got '$2', want '$3')"; fi
}

check "export --help" 0 "$bin" export --help
check "export bad --listen" 2 "$bin" export --listen nowhere
check "export bad --listen port" 2 "$bin" export --listen 127.0.0.1:70000
check "export --stdout --policy (live only)" 2 "$bin" export --stdout --policy tests/data/policy-lab.conf
check "export bad --reconcile" 2 "$bin" export --reconcile 0
check "export unreadable --policy" 2 "$bin" export --policy /nonexistent/policy.yaml --textfile /tmp/memhp-x.prom
check "export bad --interval" 2 "$bin" export --interval 0
check "export bad --duration" 2 "$bin" export -d -1
check "export bad --attach" 2 "$bin" export --attach magic
check "export bad --buffer-size" 2 "$bin" export --buffer-size 5000
check "export bad --max-connections" 2 "$bin" export --max-connections 0
check "export --stdout with --listen" 2 "$bin" export --stdout --listen 127.0.0.1:1
check "export stray arg" 2 "$bin" export --stdout extra
check "export missing sysroot" 2 "$bin" export --stdout --sysroot /nonexistent
msg=$("$bin" export --listen nowhere 2>&1 | head -n1)
case $msg in *"invalid --listen 'nowhere'"*) ok "error names the value" ;;
*) nok "error message: $msg" ;; esac

# Live mode: serves for a second where BPF tracing works (exit 0), else says
# why and exits 2 (the build hosts block ftrace); never hangs.
timeout 60 "$bin" export --listen 127.0.0.1:0 -d 1 -q >/dev/null 2>"$tmp/live.err"
rc=$?
case $rc in
0) grep -q 'serving http://127.0.0.1:[0-9]*/metrics' "$tmp/live.err" && ok "live export serves (BPF here)" ||
	nok "live export: $(head -n2 "$tmp/live.err")" ;;
2) grep -q 'cannot trace' "$tmp/live.err" && ok "live export without BPF: exit 2, says why" ||
	nok "live export rc 2: $(head -n2 "$tmp/live.err")" ;;
*) nok "live export: rc $rc: $(head -n2 "$tmp/live.err")" ;;
esac

bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || nok "mk-sysroots.sh failed"

have_promtool=
command -v promtool >/dev/null 2>&1 && have_promtool=1

# Every usable fixture: promtool clean, block counts = memoryN dirs. These
# trees have no /proc/zoneinfo: the exposition is printed without zone and
# group metrics, with a warning and exit 1 (issue #15: not a silent 0).
for d in "$tmp"/fx/sysroot-*; do
	name=${d##*/sysroot-}
	case $name in bad-*) continue ;; esac
	f=$tmp/$name.prom
	"$bin" export --stdout --sysroot "$d" >"$f" 2>"$tmp/$name.err"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q "^memhp export: warning: $d/proc/zoneinfo: absent: no zone or memory group metrics" "$tmp/$name.err" ||
	   ! grep -q '^memhp_blocks{' "$f"; then
		nok "$name: export --stdout without zoneinfo: rc $rc: $(head -n1 "$tmp/$name.err")"
		continue
	fi
	ok "$name: export --stdout: blocks printed; no zoneinfo: warned, exit 1"
	if [ -n "$have_promtool" ]; then
		if pt=$(promtool check metrics <"$f" 2>&1); then ok "$name: promtool check metrics"
		else nok "$name: promtool check metrics: $(echo "$pt" | head -n3)"; fi
	else
		skip "$name: promtool check metrics" "promtool not installed"
	fi
	d2=$(grep -v '^#' "$f" | sed 's/ [^ ]*$//' | sort | uniq -d | head -n3)
	[ -z "$d2" ] && ok "$name: no series repeats" || nok "$name: repeated series: $d2"
	want=$(find "$d/sys/devices/system/memory" -maxdepth 1 -regex '.*/memory\(0\|[1-9][0-9]*\)' \
		\( -type d -o -type l \) | while read -r p; do [ -d "$p" ] && echo; done | wc -l)
	got=$(awk '/^memhp_blocks\{/ { s += $2 } END { print s + 0 }' "$f")
	case $name in
	weird | overflow) ;; # blocks sysfs shows but memhp skips: compared below
	*) expect "$name: blocks add up to the memoryN directories" "$got" "$want" ;;
	esac
	# online blocks by state: the fixture's state files
	on=$(cat "$d"/sys/devices/system/memory/memory*/state 2>/dev/null | grep -c '^online$')
	got=$(awk '/^memhp_blocks\{/ && /state="online"/ { s += $2 } END { print s + 0 }' "$f")
	case $name in weird | overflow) ;; *) expect "$name: online blocks" "$got" "$on" ;; esac
done

# Fatal problems: exit 2 and one line.
for d in "$tmp"/fx/sysroot-bad-*; do
	name=${d##*/sysroot-}
	err=$("$bin" export --stdout --sysroot "$d" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(echo "$err" | wc -l)" -eq 1 ]; then ok "$name: exit 2, one line"
	else nok "$name: rc $rc: $err"; fi
done

# 2node in detail.
f=$tmp/2node.prom
expect "2node: DMA32 blocks on node 0" "$(value "$f" 'memhp_blocks{node="0",zone="DMA32",state="online"}')" 7
expect "2node: offline bytes on node 1" \
	"$(value "$f" 'memhp_blocks_bytes{node="1",zone="none",state="offline"}')" $((2 * 134217728))
expect "2node: block 0 spans zones" "$(value "$f" 'memhp_blocks{node="0",zone="none",state="online"}')" 1
expect "2node: ratio setting" "$(value "$f" 'memhp_auto_movable_ratio')" 3.01
expect "2node: not tracing" "$(value "$f" 'memhp_tracing')" 0
expect "2node: no per-block series by default" "$(grep -c '^memhp_block_state{' "$f")" 0
expect "2node: no zoneinfo, no zone series" "$(grep -c '^memhp_zone_present_bytes{' "$f")" 0
c=$("$bin" export --stdout --per-block --sysroot "$tmp/fx/sysroot-2node" | grep -c '^memhp_block_state{')
expect "2node: --per-block: one series per block" "$c" 32
"$bin" export --stdout --per-block --sysroot "$tmp/fx/sysroot-2node" |
	grep -q '^memhp_block_state{block="31",node="1",zone="none",state="offline"} 1$' &&
	ok "2node: --per-block series of memory31" || nok "2node: --per-block series of memory31"
expect "weird: unknown zone names are bounded" \
	"$(grep -c '^memhp_blocks{.*zone="\(Foo\|AAAA\)' "$tmp/weird.prom")" 0

# A tree with /proc/zoneinfo, a kernel release and a DIMM (ACPI memory
# device PNP0C80:00 = blocks 16-31: 8 Normal, 6 Movable, 2 offline).
z=$tmp/zi
cp -a "$tmp/fx/sysroot-2node" "$z"
mkdir -p "$z/proc/sys/kernel" "$z/sys/devices/LNXSYSTM:00/PNP0C80:00"
printf '6.1.0-test-amd64\n' >"$z/proc/sys/kernel/osrelease"
for b in $(seq 16 31); do
	ln -s ../../../LNXSYSTM:00/PNP0C80:00 "$z/sys/devices/system/memory/memory$b/firmware_node"
done
zone() { # node name spanned present managed start
	printf 'Node %s, zone %8s\n  pages free     100\n        min      1\n' "$1" "$2"
	printf '        spanned  %s\n        present  %s\n        managed  %s\n' "$3" "$4" "$5"
	printf '        cma      0\n        protection: (0, 0, 0, 0, 0)\n  start_pfn:           %s\n' "$6"
}
{
	zone 0 DMA 4095 3998 3840 1
	zone 0 DMA32 1044480 520000 500000 4096
	zone 0 Normal 262144 262144 250000 262144
	zone 0 Movable 0 0 0 0
	zone 1 DMA 0 0 0 0
	zone 1 DMA32 0 0 0 0
	zone 1 Normal 262144 262144 260000 524288
	zone 1 Movable 196608 196608 196608 786432
} >"$z/proc/zoneinfo"
f=$tmp/zi.prom
if "$bin" export --stdout --sysroot "$z" >"$f" 2>"$tmp/zi.err"; then ok "zoneinfo tree: export --stdout"
else nok "zoneinfo tree: $(cat "$tmp/zi.err")"; fi
if [ -n "$have_promtool" ]; then
	if pt=$(promtool check metrics <"$f" 2>&1); then ok "zoneinfo tree: promtool check metrics"
	else nok "zoneinfo tree: promtool: $(echo "$pt" | head -n3)"; fi
else
	skip "zoneinfo tree: promtool check metrics" "promtool not installed"
fi
expect "kernel release from proc/sys/kernel/osrelease" \
	"$(value "$f" 'memhp_kernel_info{release="6.1.0-test-amd64"}')" 1
expect "zone present bytes" "$(value "$f" 'memhp_zone_present_bytes{node="0",zone="DMA32"}')" $((520000 * 4096))
expect "zone managed bytes" "$(value "$f" 'memhp_zone_managed_bytes{node="1",zone="Normal"}')" $((260000 * 4096))
expect "zone spanned bytes" "$(value "$f" 'memhp_zone_spanned_bytes{node="1",zone="Movable"}')" $((196608 * 4096))
expect "zone start address" "$(value "$f" 'memhp_zone_start_address_bytes{node="1",zone="Movable"}')" $((786432 * 4096))
expect "empty zone: no start address" "$(value "$f" 'memhp_zone_start_address_bytes{node="0",zone="Movable"}')" absent
expect "node MOVABLE:KERNEL" "$(value "$f" 'memhp_node_movable_kernel_ratio{node="1"}')" 0.75
expect "node 0 has no movable memory" "$(value "$f" 'memhp_node_movable_kernel_ratio{node="0"}')" 0
expect "DIMM group kernel bytes" "$(value "$f" 'memhp_group_kernel_bytes{group="0",node="1",type="static"}')" $((8 * 134217728))
expect "DIMM group movable bytes" "$(value "$f" 'memhp_group_movable_bytes{group="0",node="1",type="static"}')" $((6 * 134217728))
expect "DIMM group ratio" "$(value "$f" 'memhp_group_movable_kernel_ratio{group="0",node="1",type="static"}')" 0.75
expect "DIMM group size" "$(value "$f" 'memhp_group_size_bytes{group="0",node="1",type="static"}')" $((16 * 134217728))
# headroom: 8 blocks kernel * 3.01 - 6 blocks movable
expect "DIMM group headroom" "$(value "$f" 'memhp_group_headroom_bytes{group="0",node="1",type="static"}')" \
	$((8 * 134217728 * 301 / 100 - 6 * 134217728))

# Textfile: atomic replace, no temporary left behind, same content.
mkdir -p "$tmp/tf"
if "$bin" export --stdout --textfile "$tmp/tf/memhp.prom" --sysroot "$z" >"$tmp/tf.out" 2>&1 &&
	cmp -s "$tmp/tf/memhp.prom" "$tmp/tf.out"; then ok "--textfile writes the exposition"
else nok "--textfile: $(head -n2 "$tmp/tf.out")"; fi
expect "--textfile leaves no temporary file" "$(ls -A "$tmp/tf" | tr '\n' ' ')" "memhp.prom "
expect "--textfile mode 0644" "$(stat -c %a "$tmp/tf/memhp.prom")" 644
check "--textfile in a missing directory" 1 "$bin" export --stdout --textfile "$tmp/nodir/x.prom" --sysroot "$z"

# min-unpluggable, live: evaluated on a readiness scan kept between
# evaluations (readiness_keep.h), the same scan --readiness's gauges show.
# tests/data/readiness-tree: the DIMM's group can give 32 KiB, node 0 64 KiB.
rt=$top/tests/data/readiness-tree
printf '%s\n' 'version: 1' 'rules:' \
	'  - {name: dimm, rule: min-unpluggable, scope: group, group: "PNP0C80:00", min: 64K}' \
	'  - {name: n0, rule: min-unpluggable, scope: node, node: 0, min: 64K}' >"$tmp/mu.yaml"
"$bin" export --no-trace --sysroot "$rt" --policy "$tmp/mu.yaml" --readiness 60 \
	--textfile "$tmp/mu.prom" -i 1 --reconcile 1 -d 3 >/dev/null 2>"$tmp/mu.err"
rc=$?
expect "min-unpluggable live: exit 0" "$rc" 0
expect "min-unpluggable live: the group below its minimum" \
	"$(value "$tmp/mu.prom" 'memhp_policy_violations{rule="dimm",severity="warning"}')" 1
expect "min-unpluggable live: node 0 at its minimum" \
	"$(value "$tmp/mu.prom" 'memhp_policy_violations{rule="n0",severity="warning"}')" 0
expect "min-unpluggable live: the policy's scan feeds the gauges" \
	"$(value "$tmp/mu.prom" 'memhp_group_unpluggable_bytes{group="0"}')" 32768
grep -q 'violation appeared: warning dimm \[min-unpluggable\] group 0 (PNP0C80:00): 32 KiB could be unplugged now' \
	"$tmp/mu.err" && ok "min-unpluggable live: the transition said" ||
	nok "min-unpluggable live: $(cat "$tmp/mu.err")"

# node_exporter's textfile collector merges into its own process_* families
grep -q '^process_' "$tmp/mu.prom" && nok "live --textfile has process_* series" ||
	ok "live --textfile: no process_* series (node_exporter has its own)"

# --no-trace: HTTP from a tree without BPF, reconciling every second (the
# zone reconciliation needs events: it must stand aside, not crash).
"$bin" export --no-trace --sysroot "$z" --listen 127.0.0.1:0 --reconcile 1 -d 4 \
	>"$tmp/nt.out" 2>"$tmp/nt.err" &
ntpid=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'serving http' "$tmp/nt.err"; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/metrics|\1|p' "$tmp/nt.err")
sleep 2.2
if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/nt.prom" 2>/dev/null; then
	grep -q '^memhp_tracing 0$' "$tmp/nt.prom" && grep -q '^memhp_drift_blocks 0$' "$tmp/nt.prom" &&
		ok "--no-trace: serves the tree, reconciled" || nok "--no-trace: $(head -c 400 "$tmp/nt.prom")"
	grep -q '^memhp_drift_zones' "$tmp/nt.prom" && nok "--no-trace: zone drift without events" ||
		ok "--no-trace: no zone drift series without events"
	# the HTTP threads run as nobody; the tree is in a root-only directory
	grep -q '^memhp_zone_present_bytes{node="0",zone="Normal"} ' "$tmp/nt.prom" &&
		ok "--no-trace: zone series (the main thread's copy)" ||
		nok "--no-trace: no zone series: $(grep zone "$tmp/nt.prom" | head -5)"
	# process_* self-metrics, read by an HTTP thread that runs as nobody
	now=$(date +%s)
	fds=$(value "$tmp/nt.prom" process_open_fds)
	maxfds=$(value "$tmp/nt.prom" process_max_fds)
	st=$(value "$tmp/nt.prom" process_start_time_seconds)
	cpu=$(value "$tmp/nt.prom" process_cpu_seconds_total)
	rss=$(value "$tmp/nt.prom" process_resident_memory_bytes)
	vsz=$(value "$tmp/nt.prom" process_virtual_memory_bytes)
	for v in "$fds" "$maxfds" "$st" "$cpu" "$rss" "$vsz"; do
		printf '%s' "$v" | grep -Eq '^[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$' || nok "process_* value '$v' is not a plain number"
	done
	awk -v f="$fds" -v m="$(ulimit -n)" -v mf="$maxfds" 'BEGIN { exit !(f >= 3 && f < 1000 && mf == m) }' &&
		ok "process_open_fds $fds, process_max_fds $maxfds (ulimit -n)" ||
		nok "process_open_fds '$fds', process_max_fds '$maxfds' (ulimit -n $(ulimit -n))"
	awk -v s="$st" -v n="$now" 'BEGIN { exit !(s + 0 > n - 30 && s + 0 <= n + 1) }' &&
		ok "process_start_time_seconds $st: seconds before $now" ||
		nok "process_start_time_seconds '$st', now $now"
	awk -v c="$cpu" -v r="$rss" -v v="$vsz" 'BEGIN { exit !(c >= 0 && c < 30 && r > 1048576 && v >= r) }' &&
		ok "process_cpu_seconds_total $cpu, resident $rss <= virtual $vsz" ||
		nok "process_cpu_seconds_total '$cpu', resident '$rss', virtual '$vsz'"
	if [ -n "$have_promtool" ]; then
		pt=$(promtool check metrics <"$tmp/nt.prom" 2>&1) && ok "--no-trace scrape: promtool check metrics" ||
			nok "--no-trace scrape: promtool: $(echo "$pt" | head -n3)"
	else
		skip "--no-trace scrape: promtool check metrics" "promtool not installed"
	fi
else
	nok "--no-trace: no scrape (port '$port'): $(cat "$tmp/nt.err")"
fi
wait $ntpid
rc=$?
[ "$rc" -eq 0 ] && ok "--no-trace: exit 0 after -d" || nok "--no-trace: rc $rc: $(cat "$tmp/nt.err")"

# The HTTP threads never serve as root (issue #15): under the shipped unit's
# capability bounding set they become nobody; without CAP_SETUID/CAP_SETGID
# memhp refuses to serve, loudly, instead of keeping uid 0.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	unitcaps=$(sed -n 's/^CapabilityBoundingSet=//p' "$top/tools/systemd/memhp-exporter.service" |
		tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g; s/^/-all,+/')
	setpriv --bounding-set "$unitcaps" "$bin" export --no-trace --sysroot "$z" \
		--listen 127.0.0.1:0 -d 3 >"$tmp/cap.out" 2>"$tmp/cap.err" &
	cpid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q 'serving http' "$tmp/cap.err"; do sleep 0.1; i=$((i + 1)); done
	uids=$(cat /proc/$cpid/task/*/status 2>/dev/null | awk '/^Uid:/ {print $2}' | sort -u | tr '\n' ' ')
	wait $cpid
	case $uids in
	"0 65534 ") ok "shipped unit's capabilities: HTTP threads run as nobody" ;;
	*) nok "shipped unit's capabilities: thread uids '$uids' ($unitcaps): $(cat "$tmp/cap.err")" ;;
	esac
	msg=$(setpriv --bounding-set -setuid,-setgid "$bin" export --no-trace --sysroot "$z" \
		--listen 127.0.0.1:0 -d 3 2>&1 >/dev/null)
	rc=$?
	case "$rc:$msg" in
	1:*"cannot leave uid 0"*CAP_SETUID*) ok "without CAP_SETUID/CAP_SETGID: refuses to serve as root (exit 1)" ;;
	*) nok "without CAP_SETUID/CAP_SETGID: rc $rc: $msg" ;;
	esac
else
	skip "HTTP threads' uid under bounded capabilities" "needs root and setpriv"
fi

# The systemd unit, with the binary it would run.
unit=$tmp/memhp-exporter.service
sed "s|/usr/local/sbin/memhp|$(cd "$(dirname "$bin")" && pwd)/memhp|" \
	"$top/tools/systemd/memhp-exporter.service" >"$unit"
if command -v systemd-analyze >/dev/null 2>&1; then
	if v=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$v" ]; then ok "systemd-analyze verify"
	else nok "systemd-analyze verify: $v"; fi
else
	skip "systemd-analyze verify" "systemd-analyze not installed"
fi
for k in 'CapabilityBoundingSet=CAP_BPF CAP_PERFMON' ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
	'ExecStart=/usr/local/sbin/memhp export --listen 127.0.0.1:'; do
	grep -q "^$k" "$top/tools/systemd/memhp-exporter.service" && ok "unit has $k" || nok "unit lacks $k"
done

# The man page renders without warnings.
if command -v groff >/dev/null 2>&1; then
	if w=$(groff -man -ww -z "$top/docs/memhp.8" 2>&1) && [ -z "$w" ]; then ok "memhp.8: groff -ww clean"
	else nok "memhp.8: $w"; fi
	MANWIDTH=80 man -l "$top/docs/memhp.8" 2>/dev/null | grep -q "memhp export" &&
		ok "memhp.8 documents export" || nok "memhp.8: no export section"
else
	skip "memhp.8" "groff not installed"
fi

# The DaemonSet and the dashboard parse; the dashboard's queries are run
# against a real Prometheus in tests/vm/scenarios/test_export_prometheus.py.
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$top/tools/k8s/daemonset.yaml" <<'PY' && ok "daemonset.yaml parses" || nok "daemonset.yaml"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
c = d["spec"]["template"]["spec"]["containers"][0]
assert d["kind"] == "DaemonSet" and c["args"][0] == "export", d
assert "BPF" in c["securityContext"]["capabilities"]["add"]
PY
else
	skip "daemonset.yaml parses" "python3-yaml not installed"
fi
python3 - "$top/tools/grafana/memhp-dashboard.json" <<'PY' && ok "dashboard: every panel query uses memhp_ families" || nok "dashboard"
import json, re, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert len(exprs) >= 10
for e in exprs:
    assert re.search(r"\bmemhp_[a-z_]+", e), e
PY
# Every family of the dashboard is documented, and every family the writer has.
fams=$( (grep -o 'memhp_[a-z_]*' "$top/tools/grafana/memhp-dashboard.json"
	grep -o '"\(memhp\|process\)_[a-z_]*' "$top/user/lib/prom.c" | tr -d '"') |
	sed 's/_\(bucket\|sum\|count\)$//' | sort -u)
missing=
for f in $fams; do
	case $f in memhp_ | memhp_group_ | memhp_events_ | memhp_zone_) continue ;; esac
	grep -q "\`$f\`" "$top/docs/metrics.md" || missing="$missing $f"
done
[ -z "$missing" ] && ok "docs/metrics.md documents every family" || nok "undocumented:$missing"

# make install into a temporary DESTDIR.
if [ -x "$out/memhp" ] && command -v make >/dev/null 2>&1; then
	d=$tmp/dest
	if log=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top" --no-print-directory \
		OUTPUT="$(cd "$out" && pwd)" DESTDIR="$d" PREFIX=/usr install 2>&1); then
		ok "make install DESTDIR PREFIX=/usr"
	else
		nok "make install: $(echo "$log" | tail -n3)"
	fi
	for f in usr/sbin/memhp usr/share/man/man8/memhp.8 usr/lib/systemd/system/memhp-exporter.service \
		usr/share/memhp/grafana/memhp-dashboard.json; do
		[ -f "$d/$f" ] && ok "installed /$f" || nok "not installed: /$f"
	done
	[ -x "$d/usr/sbin/memhp" ] && "$d/usr/sbin/memhp" --version >/dev/null && ok "installed memhp runs" ||
		nok "installed memhp does not run"
	grep -q '^ExecStart=/usr/sbin/memhp export' "$d/usr/lib/systemd/system/memhp-exporter.service" &&
		ok "installed unit runs /usr/sbin/memhp" || nok "installed unit: $(grep ExecStart "$d"/usr/lib/systemd/system/*)"
	expect "installed unit mode" "$(stat -c %a "$d/usr/lib/systemd/system/memhp-exporter.service")" 644
else
	skip "make install" "no $out/memhp"
fi

echo "# done"
