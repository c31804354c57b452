#!/bin/bash
# valgrind memcheck on the real binary: a replay (torn tail, policy, JSON
# and exposition), ls, export --stdout and check on fixture trees. Must be
# clean: no invalid access, no uninitialised use, no definite leak. Skipped
# for the ASan build (the two do not mix). TAP-like lines, "# done".
out=${1:-build}
bin=$out/memhp
gen=$out/gen-record
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

finish() { echo "# done"; exit 0; }

if ! command -v valgrind >/dev/null 2>&1; then
	skip "valgrind" "not installed (tools/deps.sh build installs it)"
	finish
fi
if grep -q __asan_init "$bin" 2>/dev/null; then
	skip "valgrind" "ASan build"
	finish
fi
vg() { # description expected-rc cmd...
	desc=$1 want=$2
	shift 2
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$tmp/vg.log" "$@" >"$tmp/vg.out" 2>"$tmp/vg.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -s "$tmp/vg.log" ]; then
		ok "$desc"
	else
		nok "$desc (rc $rc, want $want): $(head -c 1500 "$tmp/vg.log") $(tail -n 3 "$tmp/vg.err")"
	fi
}

"$gen" -n 20000 -s 7 -o "$tmp/r.rec" >/dev/null 2>&1 || nok "gen-record failed"
# a writer killed mid-record: the last 100 bytes are gone
sz=$(stat -c %s "$tmp/r.rec")
head -c $((sz - 100)) "$tmp/r.rec" >"$tmp/torn.rec"
vg "replay -J --policy, torn tail: memcheck clean" 0 \
	"$bin" replay "$tmp/torn.rec" -J --policy "$top/tests/data/policy-good.conf" --every 5000
grep -q 'torn' "$tmp/vg.err" && ok "replay: the torn tail is reported" ||
	nok "replay: no torn-tail warning: $(cat "$tmp/vg.err")"
vg "replay --format prom --stats: memcheck clean" 0 \
	"$bin" replay "$tmp/r.rec" --format prom --stats

bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || nok "mk-sysroots.sh failed"
t=$tmp/fx/sysroot-2node
vg "ls -a -J: memcheck clean" 0 "$bin" ls -a -J --sysroot "$t"
vg "export --stdout --per-block (no zoneinfo: exit 1): memcheck clean" 1 "$bin" export --stdout --per-block --sysroot "$t"
vg "simulate: memcheck clean" 0 "$bin" simulate --ratio 301 'dimm 2G' 'online-all'
vg "bad record file: memcheck clean, exit 1" 1 "$bin" replay "$tmp/fx/sysroot-2node/sys/devices/system/memory/block_size_bytes"
finish
