#!/bin/sh
# Runs cmocka test binaries, then the CLI checks; writes the totals to
# OUTPUT/results/unit.txt and prints "N passed, N failed".
# Usage: tests/unit/run.sh OUTPUT BIN...
set -u
out=$1
shift
mkdir -p "$out/results"
pass=0 fail=0
for t in "$@"; do
	log=$out/results/$(basename "$t").log
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed
	echo "unit: $(basename "$t"): $p passed, $f failed"
	[ "$f" -ne 0 ] && sed 's/^/    /' "$log" | grep -v '^    \[ \(RUN\|  OK\)' | head -40
	pass=$((pass + p))
	fail=$((fail + f))
done
# CLI behaviour of the real binary (exit codes, messages); the ops assets
# (man page, units, Prometheus rules, dashboard, package).
for s in tests/unit/cli_*.sh tests/unit/ls_vs_lsmem.sh tests/unit/ops_*.sh; do
	[ -f "$s" ] || continue
	log=$out/results/$(basename "$s").log
	bash "$s" "$out" >"$log" 2>&1
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	[ "$f" -ne 0 ] && grep '^not ok ' "$log" | head -20 | sed 's/^/    /'
	if ! tail -n1 "$log" | grep -q '^# done'; then
		f=$((f + 1))
		echo "    $(basename "$s") did not finish:"
		tail -n 5 "$log" | sed 's/^/    /'
	fi
	echo "unit: $(basename "$s"): $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
done
# The static binary prints its tables with user/lib/table_builtin.c, not
# libsmartcols: the same golden comparison (not built under sanitizers).
if [ -x "$out/memhp-static" ]; then
	log=$out/results/ls_vs_lsmem-static.log
	MEMHP_LS="$out/memhp-static ls" bash tests/unit/ls_vs_lsmem.sh "$out" >"$log" 2>&1
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	[ "$f" -ne 0 ] && grep '^not ok ' "$log" | head -20 | sed 's/^/    /'
	tail -n1 "$log" | grep -q '^# done' || f=$((f + 1))
	echo "unit: ls_vs_lsmem.sh (memhp-static): $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
fi
echo "$pass $fail 0" >"$out/results/unit.txt"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
