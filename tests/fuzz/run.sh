#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the libFuzzer targets built in OUTDIR (make fuzz-build).
#
# usage: run.sh smoke|long OUTDIR SECONDS JOBS TARGET...
#
# smoke: each target for SECONDS over its committed corpus
#        (tests/fuzz/corpus/<target>, crash-* regressions included); new
#        inputs go to a scratch directory that is thrown away.
# long:  the same, new inputs kept in OUTDIR/corpus/<target>.
# JOBS targets run at once. Per target one line:
#   fuzz: <target>: ok (N runs, R/s)
#   fuzz: <target>: FAILED (<what>) input: <file>   (and the end of its log)
# then "fuzz: N passed, N failed". Exit status 1 if any failed.
# Logs: OUTDIR/logs/<target>.log; failing inputs: OUTDIR/artifacts/.
set -u

mode=${1:?usage: run.sh smoke|long OUTDIR SECONDS JOBS TARGET...}
out=${2:?}
secs=${3:?}
jobs=${4:?}
shift 4
here=$(cd "$(dirname "$0")" && pwd)

case $mode in
smoke | long) ;;
*)
	echo "usage: run.sh smoke|long OUTDIR SECONDS JOBS TARGET..." >&2
	exit 2
	;;
esac
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

mkdir -p "$out/logs" "$out/artifacts"
# Scratch space of the targets (trees, kallsyms files): tmpfs if there is
# one; removed at the end even when a target crashed.
tmp=$(mktemp -d /dev/shm/memhp-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MEMHP_FUZZ_TMP=$tmp
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
	local t=$1 bin=$out/fuzz_$t log=$out/logs/$t.log seeds=$here/corpus/$t
	local newc opts=()

	mkdir -p "$seeds"
	if [ "$mode" = smoke ]; then
		newc=$tmp/new-$t
		rm -rf "$newc"
	else
		newc=$out/corpus/$t
	fi
	mkdir -p "$newc"
	[ -f "$here/$t.dict" ] && opts+=("-dict=$here/$t.dict")
	# (libmicrohttpd logs each bad request fuzz_http sends: not kept)
	"$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
		"${opts[@]}" "$newc" "$seeds" 2>&1 |
		grep -v -a '^fuzz_http: http: ' >"$log"
	echo "${PIPESTATUS[0]}" >"$log.rc"
}

# Start at most $jobs at once.
for t in "$@"; do
	if [ ! -x "$out/fuzz_$t" ]; then
		echo "fuzz: $t: $out/fuzz_$t missing (make fuzz-build)" >"$out/logs/$t.log"
		echo 1 >"$out/logs/$t.log.rc"
		continue
	fi
	run_one "$t" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
done
wait

pass=0
fail=0
for t in "$@"; do
	log=$out/logs/$t.log
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
	took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n1)
	if [ "$rc" = 0 ] && [ -n "$runs" ]; then
		rate=$((runs / (took > 0 ? took : 1)))
		echo "fuzz: $t: ok ($runs runs, $rate/s)"
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	what=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz check failed|ALARM|out-of-memory|missing' "$log" |
		sed 's/^==[0-9]*==//; s/^ *//' | cut -c1-160)
	input=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -n1)
	echo "fuzz: $t: FAILED (${what:-exit status $rc})${input:+ input: $input}"
	echo "----- $log (end) -----"
	grep -v -E '^#[0-9]+|^INFO:|^\s*$|^"' "$log" | tail -n 40
	echo "-----"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
