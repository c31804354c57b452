#!/bin/bash
# One vocabulary across the commands (issue #15): the same flag names
# (--no-bpf, -d a duration, no second -n, simulate's --online-policy),
# the same units (durations 1s/250ms, sizes 1.5G/512MB, ratios 3.01/301%),
# refusals instead of silent no-ops, and layouts that fit their content.
# An option value is checked by parsing it before --help: exit 0 when
# accepted, 2 when refused (cli_parse), and nothing runs either way.
# Nothing here needs BPF or root. TAP-like "ok"/"not ok" lines, "# done".
out=${1:-build}
bin=$out/memhp
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-vocab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run CMD...: exit status in $rc, output in $tmp/out and $tmp/err
run() {
	timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}
line() { head -c 200 "$1" | tr '\n' ' '; }
# accepts WHAT CMD OPTION...: the options parse (--help after them: exit 0)
accepts() {
	local what=$1
	shift
	run "$@" --help
	if [ "$rc" -eq 0 ]; then ok "$what"; else nok "$what: rc $rc: $(line "$tmp/err")"; fi
}
# refuses WHAT CMD OPTION...: a usage error (exit 2) that names the command
refuses() {
	local what=$1 c=$2
	shift
	run "$@" --help
	if [ "$rc" -eq 2 ] && grep -q "^memhp $c: " "$tmp/err"; then ok "$what"
	else nok "$what: rc $rc: $(line "$tmp/err")"; fi
}
# help_has WHAT CMD TEXT: CMD --help shows TEXT
help_has() {
	run "$2" --help
	if grep -q -e "$3" "$tmp/out"; then ok "$1"; else nok "$1: '$3' not in $2 --help"; fi
}
help_lacks() {
	run "$2" --help
	if grep -q -e "$3" "$tmp/out"; then nok "$1: '$3' in $2 --help"; else ok "$1"; fi
}

# A two-node tree with /proc/zoneinfo (what export, top and simulate read).
bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || nok "mk-sysroots.sh failed"
z=$tmp/fx/sysroot-2node
mkdir -p "$z/proc"
cp "$top/tests/data/zoneinfo-lab-2node" "$z/proc/zoneinfo"

# --- 1. one name per flag ----------------------------------------------------
# Running without BPF is --no-bpf everywhere it exists; the old names stay.
for c in export top check online-daemon; do
	help_has "$c --help names --no-bpf" "$c" "--no-bpf"
	accepts "$c --no-bpf parses" "$c" --no-bpf
done
help_lacks "export --no-trace is a hidden alias" export "--no-trace"
accepts "export --no-trace still parses" export --no-trace
help_lacks "top --snapshot is a hidden alias" top "--snapshot"
accepts "top --snapshot still parses" top --snapshot
# -d is a duration wherever it exists; top's refresh period is -i/--interval.
for c in trace record export top check online-daemon; do
	accepts "$c -d 1s" "$c" -d 1s
	accepts "$c -d 250ms" "$c" -d 250ms
	help_has "$c --help: -d is --duration" "$c" "-d, --duration"
done
accepts "top -i 500ms" top -i 500ms
accepts "top --delay 2s (old name of --interval)" top --delay 2s
run top --no-bpf --batch 50 -i 100ms -d 450ms --sysroot "$z"
frames=$(grep -c '^memhp top - ' "$tmp/out")
if [ "$rc" -eq 0 ] && [ "$frames" -ge 2 ] && [ "$frames" -le 6 ]; then
	ok "top -d 450ms stops --batch 50 after $frames frames"
else
	nok "top -d 450ms -i 100ms --batch 50: rc $rc, $frames frames: $(line "$tmp/err")"
fi
# -n is --noheadings (ls, as lsmem); online-daemon's dry run is --dry-run only.
help_has "ls -n is --noheadings" ls "-n, --noheadings"
help_lacks "online-daemon has no -n" online-daemon "-n, --dry-run"
refuses "online-daemon -n refused" online-daemon -n
accepts "online-daemon --dry-run" online-daemon --dry-run
# simulate's kernel online policy is --online-policy; --policy (a YAML file
# everywhere else) is a hidden alias that takes only a kernel policy.
help_has "simulate --help names --online-policy" simulate "--online-policy"
help_lacks "simulate --help hides --policy" simulate "--policy="
accepts "simulate --online-policy auto-movable" simulate --online-policy auto-movable
run simulate --policy auto-movable --sysroot "$z"
if [ "$rc" -eq 0 ] && grep -q "^policy auto-movable" "$tmp/out" &&
   grep -q "^memhp simulate: --policy is now --online-policy" "$tmp/err"; then
	ok "simulate --policy auto-movable: works, says --online-policy on stderr"
else
	nok "simulate --policy auto-movable: rc $rc: $(line "$tmp/err")"
fi
run simulate --policy policy.yaml
if [ "$rc" -eq 2 ] && grep -q "online-policy" "$tmp/err"; then
	ok "simulate --policy FILE: refused, names --online-policy"
else
	nok "simulate --policy FILE: rc $rc: $(line "$tmp/err")"
fi

# --- 2. units ---------------------------------------------------------------
for c in "top --max-ratio" "online-daemon --ratio" "simulate --ratio"; do
	for r in 3.01 301% 301; do
		accepts "$c $r" $c "$r"
	done
	refuses "$c 3.015 refused" $c 3.015
done
for c in trace record export top check balloon online-daemon; do
	accepts "$c --buffer-size 1M (as its message says)" "$c" --buffer-size 1M
	accepts "$c --buffer-size 1G (the maximum its message names)" "$c" --buffer-size 1G
	accepts "$c --buffer-size 4K (the minimum its message names)" "$c" --buffer-size 4K
done
# The offline options only where offlines show; balloon and online-daemon
# refuse them instead of accepting options that would do nothing there.
for c in trace record export top check; do
	accepts "$c --stuck-after 3s" "$c" --stuck-after 3s
	accepts "$c --watch-notifiers" "$c" --watch-notifiers
done
for c in balloon online-daemon; do
	refuses "$c --stuck-after refused (shows no offlines)" "$c" --stuck-after 3s
	refuses "$c --watch-notifiers refused (shows no offlines)" "$c" --watch-notifiers
	help_lacks "$c --help has no --stuck-after" "$c" "--stuck-after"
done
run trace --buffer-size 3M
if [ "$rc" -eq 2 ] && grep -q "a power of 2, 4K to 1G" "$tmp/err"; then
	ok "--buffer-size 3M refused: a power of 2, 4K to 1G"
else
	nok "--buffer-size 3M: rc $rc: $(line "$tmp/err")"
fi
for o in "--interval 30s" "--reconcile 1m" "--readiness 90s"; do
	accepts "export $o" export $o
done
accepts "check --live 2m" check --live 2m
run simulate --sysroot "$z" 'dimm 1.5G'
if [ "$rc" -eq 0 ] && grep -q "add  *memory32-43 " "$tmp/out"; then
	ok "simulate 'dimm 1.5G': 12 blocks of 128M"
else
	nok "simulate 'dimm 1.5G': rc $rc: $(line "$tmp/err")"
fi
run simulate --sysroot "$z" -J 'dimm 512MB'
if [ "$rc" -eq 1 ] && grep -q '"ok":false' "$tmp/out"; then
	ok "simulate 'dimm 512MB': decimal (not a multiple of the block size)"
else
	nok "simulate 'dimm 512MB': rc $rc: $(line "$tmp/out")"
fi
run simulate --sysroot "$z" 'set ratio=2.5; dimm 1G'
if [ "$rc" -eq 0 ] && grep -q "^policy .*ratio 250" "$tmp/out"; then
	ok "simulate 'set ratio=2.5'"
else
	nok "simulate 'set ratio=2.5': rc $rc: $(line "$tmp/err") $(line "$tmp/out")"
fi

# --- 3. one spelling per zone; bytes in JSON; warnings on stderr -------------
# memory0 spans zones: "None" in text tables (as lsmem), null in JSON.
run simulate --sysroot "$z"
if [ "$rc" -eq 0 ] && grep -Eq '^  memory0 +online +None ' "$tmp/out" &&
   grep -Eq '^  memory30-31 +offline +- ' "$tmp/out"; then
	ok "simulate text: memory0's zone None, offline -"
else
	nok "simulate text: zones: $(grep memory0 "$tmp/out")"
fi
if grep -q '^memhp simulate: warning: ' "$tmp/err" && ! grep -q 'warning' "$tmp/out"; then
	ok "simulate text: warnings on stderr with the prefix"
else
	nok "simulate text: warnings: stdout $(grep warning "$tmp/out") stderr $(line "$tmp/err")"
fi
run simulate -J --sysroot "$z"
if python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b0 = [b for b in d["blocks"] if b["block"] == 0][0]
assert b0["zone"] is None, b0
ps = d["config"]["page_size"]
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k.endswith("_pages"):
                assert o[k[:-6] + "_bytes"] == v * ps, (k, o)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)
z = d["zones"][0]
assert "spanned" not in z and z["spanned_bytes"] == z["spanned_pages"] * ps, z
PY
then ok "simulate -J: memory0's zone null; every *_pages has its *_bytes"
else nok "simulate -J: zone or bytes fields"; fi
run top --no-bpf --batch 1 --sysroot "$z"
if grep -Eq '^ +0 None ' "$tmp/out" && ! grep -Eq '^ +[0-9]+ none ' "$tmp/out"; then
	ok "top: memory0's zone row is None"
else
	nok "top: zone rows: $(grep -E '^ +[0-9]+ ' "$tmp/out" | tr '\n' '|')"
fi

# --- 4. refusals instead of silent no-ops -------------------------------------
run trace --zone Moveable
if [ "$rc" -eq 2 ] && grep -q "unknown --zone 'Moveable' (DMA, DMA32, Normal, HighMem, Movable, Device)" "$tmp/err"
then ok "trace --zone Moveable: refused, the valid names listed"
else nok "trace --zone Moveable: rc $rc: $(line "$tmp/err")"; fi
accepts "trace --zone movable (any case)" trace --zone movable
accepts "trace --zone DMA32" trace --zone DMA32
# ls -o +GROUP: the groups export finds (an ACPI DIMM: blocks 16-31 of a
# tree with /proc/zoneinfo), not always "-".
g=$tmp/groups
cp -a "$z" "$g"
mkdir -p "$g/sys/devices/LNXSYSTM:00/PNP0C80:00"
for b in $(seq 16 31); do
	ln -sfn ../../../LNXSYSTM:00/PNP0C80:00 "$g/sys/devices/system/memory/memory$b/firmware_node"
done
run ls -o BLOCK,STATE,GROUP --sysroot "$g"
if [ "$rc" -eq 0 ] && grep -Eq '^ *0-15 +online +-$' "$tmp/out" &&
   grep -Eq '^ *16-29 +online +0$' "$tmp/out" && grep -Eq '^ *30-31 +offline +0$' "$tmp/out"; then
	ok "ls -o +GROUP: the DIMM's blocks in group 0, boot memory -"
else
	nok "ls -o BLOCK,STATE,GROUP: rc $rc: $(line "$tmp/out") $(line "$tmp/err")"
fi
run ls -J -o BLOCK,GROUP --sysroot "$g"
if grep -q '"block": "16-31",$' "$tmp/out" && grep -q '"group": 0$' "$tmp/out"; then
	ok "ls -J -o BLOCK,GROUP: group 0 as a number"
else
	nok "ls -J -o BLOCK,GROUP: $(line "$tmp/out")"
fi
run ls -o BLOCK,GROUP --sysroot "$tmp/fx/sysroot-holes"
if grep -q "^memhp ls: warning: memory groups not known: .*zoneinfo" "$tmp/err"; then
	ok "ls -o GROUP without zoneinfo: warned"
else
	nok "ls -o GROUP without zoneinfo: $(line "$tmp/err")"
fi

# --- 5. layout ----------------------------------------------------------------
# top --batch: as wide as $COLUMNS, else the terminal, else 80 columns. The
# tree's "not tracing" note is 99 characters long, so the width shows.
widest() { tr -d '\r' <"$1" | awk '{ if (length > w) w = length } END { print w + 0 }'; }
COLUMNS=150 timeout 60 "$bin" top --no-bpf --batch 1 --sysroot "$z" >"$tmp/out" 2>"$tmp/err"
w=$(widest "$tmp/out")
if [ "$w" -gt 80 ] && [ "$w" -le 150 ]; then ok "top --batch with COLUMNS=150: lines up to $w"
else nok "top --batch with COLUMNS=150: widest line $w"; fi
COLUMNS=60 timeout 60 "$bin" top --no-bpf --batch 1 --sysroot "$z" >"$tmp/out" 2>"$tmp/err"
w=$(widest "$tmp/out")
if [ "$w" -le 60 ] && [ "$w" -gt 40 ]; then ok "top --batch with COLUMNS=60: lines up to $w"
else nok "top --batch with COLUMNS=60: widest line $w"; fi
env -u COLUMNS timeout 60 "$bin" top --no-bpf --batch 1 --sysroot "$z" >"$tmp/out" 2>"$tmp/err"
w=$(widest "$tmp/out")
if [ "$w" -le 80 ] && [ "$w" -gt 60 ]; then ok "top --batch into a file, no COLUMNS: 80 columns ($w)"
else nok "top --batch into a file, no COLUMNS: widest line $w"; fi
if command -v script >/dev/null; then
	env -u COLUMNS timeout 60 script -qec "stty cols 132; '$bin' top --no-bpf --batch 1 --sysroot '$z'" \
		/dev/null >"$tmp/out" 2>&1
	w=$(widest "$tmp/out")
	if [ "$w" -gt 80 ] && [ "$w" -le 132 ]; then ok "top --batch on a 132-column terminal: lines up to $w"
	else nok "top --batch on a 132-column terminal: widest line $w: $(line "$tmp/out")"; fi
else
	skip "top --batch on a 132-column terminal" "no script(1)"
fi

echo "# done"
