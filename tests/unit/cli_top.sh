#!/bin/bash
# `memhp top` for real in a terminal: tmux (80x24) runs it on a fixture
# sysroot (sysfs snapshot mode: no BPF on the build hosts), keys are sent
# with send-keys and the screen is read with capture-pane. Also --batch and
# bad usage. TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
bin=$(cd "$(dirname "$out/memhp")" && pwd)/memhp
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-top.XXXXXX")
sock=memhp-cli-top-$$
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

check "top --help" 0 "$bin" top --help
check "top bad --batch" 2 "$bin" top --batch 0
check "top bad --delay" 2 "$bin" top --delay 0.01
check "top bad --max-ratio" 2 "$bin" top --max-ratio x
check "top bad --attach" 2 "$bin" top --attach magic
check "top bad --buffer-size" 2 "$bin" top --buffer-size 1024
check "top stray arg" 2 "$bin" top extra
check "top missing sysroot" 2 "$bin" top --snapshot --batch 1 --sysroot /nonexistent

bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || nok "mk-sysroots.sh failed"
# A DIMM (PNP0C80:00 = blocks 16-31) and /proc/zoneinfo, so groups are known.
z=$tmp/fx/sysroot-2node
mkdir -p "$z/proc" "$z/sys/devices/LNXSYSTM:00/PNP0C80:00"
for b in $(seq 16 31); do
	ln -s ../../../LNXSYSTM:00/PNP0C80:00 "$z/sys/devices/system/memory/memory$b/firmware_node"
done
cat >"$z/proc/zoneinfo" <<'EOF'
Node 0, zone    DMA32
        spanned  1044480
        present  520000
        managed  500000
  start_pfn:           4096
Node 0, zone   Normal
        spanned  262144
        present  262144
        managed  250000
  start_pfn:           262144
Node 1, zone   Normal
        spanned  262144
        present  262144
        managed  260000
  start_pfn:           524288
Node 1, zone  Movable
        spanned  196608
        present  196608
        managed  196608
  start_pfn:           786432
EOF

# --batch: plain text frames.
b=$("$bin" top --snapshot --batch 2 --delay 0.1 --sysroot "$z" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && ok "--batch 2: exit 0" || nok "--batch 2: rc $rc: $b"
c=$(echo "$b" | grep -c '^memhp top - ')
[ "$c" -eq 2 ] && ok "--batch 2: two frames" || nok "--batch 2: $c frames"
echo "$b" | grep -q '^0 .* 1 static .*1G .*768M .*0.75 \[##  *|  *\] ' &&
	ok "--batch: the DIMM group, its ratio bar" || nok "--batch: group line: $(echo "$b" | grep static)"
w=$(echo "$b" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$w" -le 80 ] && ok "--batch: lines fit 80 columns" || nok "--batch: a line of $w columns"

# --policy: violations appear in RECENT EVENTS when they come and when they
# go. The DIMM group spans Normal and Movable (single-zone-group); between
# the frames its firmware_node links go, so the group and the violation go.
pz=$tmp/policy-tree
cp -a "$z" "$pz"
cat >"$tmp/one-zone.yaml" <<'EOF'
version: 1
rules:
  - {name: dimm-one-zone, rule: single-zone-group, severity: critical}
EOF
"$bin" top --snapshot --batch 2 --delay 3 --policy "$tmp/one-zone.yaml" --sysroot "$pz" \
	>"$tmp/pol.out" 2>&1 &
tpid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^memhp top - ' "$tmp/pol.out"; do sleep 0.1; i=$((i + 1)); done
rm -f "$pz"/sys/devices/system/memory/memory*/firmware_node
i=0
while [ $i -lt 150 ] && kill -0 $tpid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill $tpid 2>/dev/null
wait $tpid
rc=$?
[ "$rc" -eq 0 ] && ok "--policy --batch 2: exit 0" || nok "--policy: rc $rc: $(cat "$tmp/pol.out")"
f1=$(awk '/^memhp top - /{n++} n==1' "$tmp/pol.out")
f2=$(awk '/^memhp top - /{n++} n==2' "$tmp/pol.out")
echo "$f1" | grep -q 'violation appear .*dimm-one-zone' &&
	ok "--policy: the violation appears in RECENT EVENTS" ||
	nok "--policy: no appear line: $f1"
echo "$f2" | grep -q 'violation clear .*dimm-one-zone' &&
	ok "--policy: and clears when the DIMM is gone" || nok "--policy: no clear line: $f2"
echo "$f2" | grep -q 'CRITICAL.*dimm-one-zone' && nok "--policy: still listed as active: $f2" ||
	ok "--policy: no longer an active violation"

if ! command -v tmux >/dev/null 2>&1; then
	n=$((n + 1))
	echo "ok $n - tmux tests # SKIP tmux not installed"
	echo "# done"
	exit 0
fi

screen() { tmux -L "$sock" capture-pane -p -t top; }
# wait_screen PATTERN: up to 10 s for the screen to show it
wait_screen() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
expect_screen() { # description pattern
	if wait_screen "$2"; then ok "$1"; else nok "$1: screen:"; screen | sed 's/^/#   /'; fi
}

# Without --snapshot: BPF is not possible on the build host, so top falls
# back to snapshots and says so.
tmux -L "$sock" -f /dev/null new-session -d -s top -x 80 -y 24 \
	"TERM=xterm-256color '$bin' top --delay 0.2 --sysroot '$z'; echo \"rc=\$?\" >'$tmp/rc'; sleep 30"
expect_screen "top starts (80x24)" "^NODE ZONE"
if screen | grep -q "live"; then
	ok "top runs live here (BPF available)"
else
	expect_screen "says it shows snapshots" "SNAPSHOT (no BPF tracing here)"
fi
expect_screen "zone rows" "^   1 Movable        6       0      768M      768M      768M"
expect_screen "the DIMM group with its ratio bar" "^0        1 static       1G    768M   0.75 \[##"
expect_screen "key help on the last line" "q quit  s sort (group)  / filter  h help"
rows=$(screen | wc -l)
[ "$rows" -le 24 ] && ok "fits 24 rows" || nok "$rows rows"
tmux -L "$sock" send-keys -t top h
expect_screen "h shows the help" "cycle the group sort"
tmux -L "$sock" send-keys -t top x
expect_screen "any key leaves the help" "^NODE ZONE"
tmux -L "$sock" send-keys -t top s
expect_screen "s cycles the sort" "s sort (ratio)"
tmux -L "$sock" send-keys -t top / M o v a b l e
expect_screen "/ edits a filter" "filter: Movable_"
tmux -L "$sock" send-keys -t top Enter
if wait_screen "^   1 Movable" && ! screen | grep -q "^   0 DMA32"; then ok "the filter hides other zones"
else nok "filter: screen:"; screen | sed 's/^/#   /'; fi
tmux -L "$sock" send-keys -t top q
i=0
while [ ! -s "$tmp/rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$tmp/rc" 2>/dev/null)" = "rc=0" ] && ok "q quits, exit 0" || nok "q: $(cat "$tmp/rc" 2>/dev/null)"

echo "# done"
