#!/bin/bash
# BPF program names as the kernel keeps them (15 characters, what bpftool,
# kernel BPF stats and `make bench`'s per-program table show): no two memhp
# programs may share one (issue #14: fentry_subsys_on/off were one row of
# the bench table), and bench/run.py must refuse objects where two do.
# TAP-like "ok"/"not ok", "# done" at the end.
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-ops-prognames.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

objs=$(ls "$out"/bpf/*.bpf.o 2>/dev/null)
if [ -z "$objs" ] || ! command -v llvm-objdump >/dev/null 2>&1; then
	skip "program names" "no BPF objects in $out/bpf or no llvm-objdump"
	echo "# done"
	exit 0
fi
# program symbols: functions in a section with a probe type (fentry/F, ...)
for o in $objs; do
	llvm-objdump -t "$o" | awk '$3 == "F" && $4 ~ /\// { print $6 }'
done >"$tmp/names"
total=$(wc -l <"$tmp/names")
[ "$total" -gt 40 ] && ok "$total programs in $(echo "$objs" | wc -w) objects" ||
	nok "only $total programs found"
dups=$(cut -c1-15 "$tmp/names" | sort | uniq -d | tr '\n' ' ')
[ -z "$dups" ] && ok "every program unique in its first 15 characters" ||
	nok "programs sharing a kernel name: $dups"

# bench/run.py reads the same symbols: with two objects defining one cut
# name it must stop, not credit one function with both
mkdir -p "$tmp/repo/build/bpf" "$tmp/repo/bench"
cp "$top/bench/run.py" "$top/bench/baseline.py" "$tmp/repo/bench/"
long=$(awk 'length($0) >= 15 { print; exit }' "$tmp/names")
o1=$(for o in $objs; do llvm-objdump -t "$o" | grep -qw "$long" && echo "$o"; done | head -n1)
cp "$o1" "$tmp/repo/build/bpf/a.bpf.o"
cp "$o1" "$tmp/repo/build/bpf/b.bpf.o"
# the twin: same first 15 characters, another name
llvm-objcopy --redefine-sym "$long=$(echo "$long" | cut -c1-15)_twin" "$tmp/repo/build/bpf/b.bpf.o"
r=$(cd "$tmp/repo" && python3 -c 'import sys; sys.argv = ["x"]; sys.path.insert(0, "bench")
import run; run.prog_functions()' 2>&1)
case $r in
*"share the kernel name"*) ok "bench/run.py refuses two programs with one kernel name" ;;
*) nok "bench/run.py accepted a shared kernel name: $r" ;;
esac
r=$(cd "$top" && python3 -c 'import sys; sys.argv = ["x"]; sys.path.insert(0, "bench")
import run; print(len(run.prog_functions()))' 2>&1)
[ "$r" = "$total" ] && ok "bench/run.py maps all $total programs of the build" ||
	nok "bench/run.py on the build: $r"
echo "# done"
