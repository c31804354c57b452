#!/bin/bash
# `memhp check` on fixture sysroots (no BPF on the build hosts): exit codes,
# line-numbered policy errors, text and -J output with the numbers, --fail-on,
# and --watch (sysfs only) printing APPEAR/CLEAR as the tree changes.
# TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/data
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-check.XXXXXX")
wpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The command: memhp check, or the dev build until check is in memhp.c.
bin=$(cd "$(dirname "$out/memhp")" && pwd)/memhp
if "$bin" check --help >/dev/null 2>&1; then
	cmd=("$bin" check)
elif [ -x "$top/build/dev-check" ]; then
	cmd=("$top/build/dev-check")
	echo "# using $top/build/dev-check (check is not in memhp's command table yet)"
else
	ok "# SKIP no memhp check binary"
	echo "# done"
	exit 0
fi

run() { # sets rc, stdout in $tmp/o, stderr in $tmp/e
	"${cmd[@]}" "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
}
expect_rc() { # desc want
	if [ "$rc" -eq "$2" ]; then ok "$1"; else nok "$1 (rc $rc, want $2): $(head -c 300 "$tmp/e")"; fi
}
expect_in() { # desc file text
	if grep -qF -- "$3" "$2"; then ok "$1"; else nok "$1: no \"$3\" in: $(head -c 400 "$2")"; fi
}

# --- a sysroot like the lab VM: node 0 boot DMA32 + a DIMM (blocks 64-67,
# Movable), node 1 boot Normal + blocks 48-51 Movable -----------------------
mkroot() { # DIR ZONE_OF_64_65
	R=$1
	M=$R/sys/devices/system/memory
	mkdir -p "$M" "$R/proc" "$R/sys/module/memory_hotplug/parameters" \
		"$R/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00"
	echo 8000000 >"$M/block_size_bytes"
	echo offline >"$M/auto_online_blocks"
	P=$R/sys/module/memory_hotplug/parameters
	echo contig-zones >"$P/online_policy"
	echo 301 >"$P/auto_movable_ratio"
	echo Y >"$P/auto_movable_numa_aware"
	echo N >"$P/memmap_on_memory"
	echo "console=ttyS0" >"$R/proc/cmdline"
	: >"$R/dmesg"
	blk() { # ID ZONE NODE [fw]
		d=$M/memory$1
		mkdir -p "$d" "$R/sys/devices/system/node/node$3"
		echo online >"$d/state"
		echo "$2" >"$d/valid_zones"
		echo 1 >"$d/removable"
		echo 0 >"$d/phys_device"
		ln -sfn "../../node/node$3" "$d/node$3"
		ln -sfn "../../memory/memory$1" "$R/sys/devices/system/node/node$3/memory$1"
		[ -n "$4" ] && ln -sfn ../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00 "$d/firmware_node"
		return 0
	}
	blk 0 none 0
	for b in $(seq 1 15); do blk "$b" DMA32 0; done
	for b in $(seq 32 47); do blk "$b" Normal 1; done
	for b in $(seq 48 51); do blk "$b" Movable 1; done
	blk 64 "$2" 0 fw
	blk 65 "$2" 0 fw
	blk 66 Movable 0 fw
	blk 67 Movable 0 fw
	cp "$data/zoneinfo-lab-2node" "$R/proc/zoneinfo"
	printf '%s\n' "00001000-0009fbff : System RAM" "00100000-7ffdffff : System RAM" \
		"100000000-17fffffff : System RAM" "180000000-19fffffff : System RAM" \
		"200000000-21fffffff : System RAM" >"$R/proc/iomem"
}
mkroot "$tmp/good" Movable
mkroot "$tmp/mixed" Normal

pol=$tmp/p.yaml
cat >"$pol" <<'EOF'
version: 1
rules:
  - {name: dimm-one-zone, rule: single-zone-group, severity: critical}
  - {name: node0-ratio, rule: max-ratio, scope: node, node: 0, max: 30}
  - {name: order, rule: normal-below-movable}
  - {name: latency, rule: online-latency, max: 1s}
EOF

# --- usage and policy errors (exit 2) ------------------------------------------
run --help
expect_rc "check --help" 0
expect_in "help names --policy" "$tmp/o" "--policy=FILE"
run --sysroot "$tmp/good"
expect_rc "no --policy: exit 2" 2
expect_in "no --policy: message" "$tmp/e" "memhp check: --policy FILE is required"
run --policy "$data/policy-bad-key.conf" --sysroot "$tmp/good"
expect_rc "bad policy: exit 2" 2
expect_in "bad policy: FILE:LINE: reason" "$tmp/e" \
	"memhp check: $data/policy-bad-key.conf:7: unknown key \"maximum\""
[ "$(wc -l <"$tmp/e")" -eq 1 ] && ok "bad policy: one line" || nok "bad policy: $(cat "$tmp/e")"
run --policy "$data/policy-bad-yaml.conf" --sysroot "$tmp/good"
expect_rc "YAML syntax error: exit 2" 2
expect_in "YAML syntax error: line" "$tmp/e" "policy-bad-yaml.conf:6: YAML: "
run --policy "$tmp/none.yaml" --sysroot "$tmp/good"
expect_rc "missing policy file: exit 2" 2
expect_in "missing policy file: message" "$tmp/e" "none.yaml: No such file or directory"
run --policy "$pol" --sysroot "$tmp/nonexistent"
expect_rc "unreadable state: exit 2" 2
run --policy "$pol" --fail-on fatal
expect_rc "bad --fail-on: exit 2" 2
run --policy "$pol" --sysroot "$tmp/good" --live 1
expect_rc "--live with --sysroot: exit 2" 2
run --policy "$pol" --duration 1
expect_rc "--duration without --watch: exit 2" 2
run --policy "$pol" extra
expect_rc "stray argument: exit 2" 2

# --- evaluation ------------------------------------------------------------------
# node 0: Movable 131072 pages (512 MiB) over DMA 3998 + DMA32 520160 = 25
run --policy "$pol" --sysroot "$tmp/good"
expect_rc "good layout: exit 0" 0
expect_in "good layout: summary" "$tmp/o" "no violations; 3 rules evaluated on the sysroot state; not evaluated (need --live or --watch): latency"
# A rule for a node or group the system does not have matches nothing: a
# warning on stderr names it, instead of a silent "no violations" (#15).
cat >"$tmp/unmatched.yaml" <<'EOF'
version: 1
rules:
  - {name: node5, rule: max-ratio, scope: node, node: 5, max: 30}
  - {name: node1, rule: max-ratio, scope: node, node: 1, max: 301}
  - {name: dimm9, rule: single-zone-group, group: PNP0C80:09}
  - {name: dimm0, rule: single-zone-group, group: PNP0C80:00}
  - {name: group7, rule: max-ratio, scope: group, group: 7, max: 301}
EOF
run --policy "$tmp/unmatched.yaml" --sysroot "$tmp/good"
expect_rc "rules matching nothing: still exit 0" 0
expect_in "rule for node 5: warned" "$tmp/e" \
	"memhp check: warning: rule node5 (line 3) matches nothing: node 5: no memory on such a node"
expect_in "rule for device PNP0C80:09: warned" "$tmp/e" \
	"memhp check: warning: rule dimm9 (line 5) matches nothing: group PNP0C80:09: no memory group of that device"
expect_in "rule for group 7: warned" "$tmp/e" \
	"memhp check: warning: rule group7 (line 7) matches nothing: group 7: no such memory group"
if grep -q "rule node1 \|rule dimm0 " "$tmp/e"; then nok "rules for node 1, PNP0C80:00: warned: $(cat "$tmp/e")"
else ok "rules for node 1 and PNP0C80:00 (present): no warning"; fi
if grep -q warning "$tmp/o"; then nok "warnings on stdout"; else ok "warnings not on stdout"; fi
run --policy "$pol" --sysroot "$tmp/mixed"
expect_rc "DIMM in two zones: exit 1" 1
expect_in "DIMM in two zones: text" "$tmp/o" \
	"critical dimm-one-zone [single-zone-group] group 0 (PNP0C80:00) memory64-67: onlined into 2 zones: Normal 2 blocks (memory64..65), Movable 2 blocks (memory66..67) (actual 2, limit 1)"
expect_in "DIMM in two zones: summary" "$tmp/o" "1 violation (1 critical, 0 warning, 0 info)"
run --policy "$pol" --sysroot "$tmp/mixed" -J
expect_rc "-J: exit 1" 1
if python3 - "$tmp/o" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
v = d["violations"]
assert len(v) == 1, v
v = v[0]
assert v["rule"] == "dimm-one-zone" and v["type"] == "single-zone-group", v
assert v["severity"] == "critical" and v["group"] == 0 and v["node"] == 0, v
assert v["blocks"] == {"first": 64, "last": 67}, v
assert (v["actual"], v["limit"], v["unit"]) == (2, 1, "zones"), v
assert d["exit"] == 1 and d["source"] == "sysroot", d
assert [r["evaluated"] for r in d["rules"]] == [True, True, True, False], d
assert d["summary"] == {"violations": 1, "critical": 1, "warning": 0, "info": 0,
                        "not_evaluated": 1}, d
EOF
then ok "-J: rule, objects, numbers"; else nok "-J: $(head -c 600 "$tmp/o")"; fi

# a node ratio over the limit, with the numbers
sed -i 's/max: 30}/max: 20}/' "$pol"
run --policy "$pol" --sysroot "$tmp/good"
expect_rc "node ratio over 20: exit 1" 1
expect_in "node ratio: numbers" "$tmp/o" \
	"warning node0-ratio [max-ratio] node 0: MOVABLE:KERNEL 25 exceeds 20 (Movable 512 MiB, kernel early 2.00 GiB) (actual 25, limit 20)"
run --policy "$pol" --sysroot "$tmp/good" --fail-on critical
expect_rc "--fail-on critical ignores a warning" 0
run --policy "$pol" --sysroot "$tmp/mixed" --fail-on critical
expect_rc "--fail-on critical: a critical one fails" 1
sed -i 's/max: 20}/max: 30}/' "$pol"

# --- --watch: the tree changes while it runs ----------------------------------------
cp -a "$tmp/good" "$tmp/w"
"${cmd[@]}" --policy "$pol" --sysroot "$tmp/w" --watch --interval 0.1 --duration 4 \
	>"$tmp/wo" 2>"$tmp/we" &
wpid=$!
sleep 1
for b in 64 65; do echo Normal >"$tmp/w/sys/devices/system/memory/memory$b/valid_zones"; done
sleep 1.2
for b in 64 65; do echo Movable >"$tmp/w/sys/devices/system/memory/memory$b/valid_zones"; done
for i in $(seq 1 100); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$wpid" 2>/dev/null; then
	kill "$wpid"
	nok "--watch did not stop at --duration"
fi
wait "$wpid"
rc=$?
wpid=
expect_rc "--watch: exit 0 at the end (cleared)" 0
if [ "$(grep -c '^APPEAR critical dimm-one-zone' "$tmp/wo")" -eq 1 ] &&
	[ "$(grep -c '^CLEAR  critical dimm-one-zone' "$tmp/wo")" -eq 1 ] &&
	[ "$(wc -l <"$tmp/wo")" -eq 2 ] &&
	[ "$(grep -n APPEAR "$tmp/wo" | cut -d: -f1)" -lt "$(grep -n CLEAR "$tmp/wo" | cut -d: -f1)" ]; then
	ok "--watch: one APPEAR then one CLEAR"
else
	nok "--watch: $(cat "$tmp/wo" "$tmp/we")"
fi
expect_in "--watch: summary on stderr" "$tmp/we" "0 violations active at the end"

# JSON watch lines
cp -a "$tmp/mixed" "$tmp/w2"
"${cmd[@]}" --policy "$pol" --sysroot "$tmp/w2" --watch -J --interval 0.1 --duration 0.5 >"$tmp/wo" 2>"$tmp/we"
rc=$?
expect_rc "--watch -J: exit 1 (still violated)" 1
if python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) == 1 and ls[0]["transition"] == "appear", ls
assert ls[0]["violation"]["rule"] == "dimm-one-zone", ls
' "$tmp/wo"; then ok "--watch -J: one appear line"; else nok "--watch -J: $(cat "$tmp/wo")"; fi

echo "# done"
