#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Byte-for-byte comparison of two memhp binaries (a refactor must not change
# what memhp prints): stdout, stderr and exit status of every run below, on
# every fixture tree of mk-sysroots.sh (plus copies with /proc/zoneinfo, and
# tests/data/readiness-tree) and on a gen-record file.
#
#   ls (10 option sets), export --stdout, simulate (text and -J), readiness
#   (-J and text), check --policy (text and -J), online-daemon --dry-run
#   --once, replay (-J, text, --format prom, --stats with its timings
#   masked), every command's --help and --usage, and a few usage errors.
#
# usage: cmp-binaries.sh OLD_MEMHP NEW_MEMHP [GEN_RECORD]
#   e.g. make -j2 all && cp build/memhp /tmp/memhp.old   (before a change)
#        tests/unit/cmp-binaries.sh /tmp/memhp.old build/memhp
# Prints one line per difference and a final "N comparisons, M differences";
# exits 1 when anything differs.
set -u

old=${1:?usage: cmp-binaries.sh OLD NEW [GEN_RECORD]}
new=${2:?usage: cmp-binaries.sh OLD NEW [GEN_RECORD]}
top=$(cd "$(dirname "$0")/../.." && pwd)
genrec=${3:-$top/build/gen-record}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the same argv[0] for both: messages name the program
mkdir -p "$tmp/a" "$tmp/b"
cp "$old" "$tmp/a/memhp" && cp "$new" "$tmp/b/memhp" || exit 2

bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || { echo "mk-sysroots.sh failed"; exit 2; }
# trees with a /proc/zoneinfo too (export's zone and group metrics, simulate)
for t in 2node bs1g offline nonuma; do
	cp -a "$tmp/fx/sysroot-$t" "$tmp/fx/sysroot-$t-zi"
	mkdir -p "$tmp/fx/sysroot-$t-zi/proc"
	cp "$top/tests/data/zoneinfo-lab-2node" "$tmp/fx/sysroot-$t-zi/proc/zoneinfo"
done
cp -a "$top/tests/data/readiness-tree" "$tmp/fx/sysroot-readiness"

rec=$tmp/r100k.rec
"$genrec" -n 100000 -s 42 -o "$rec" >/dev/null 2>&1 || { echo "gen-record failed"; exit 2; }

n=0
bad=0
# mask: a sed script applied to both outputs (timings)
cmp_run() {
	local name=$1 mask=$2
	shift 2
	(cd "$tmp" && ./a/memhp "$@" >"$tmp/o.a" 2>"$tmp/e.a"; echo $? >"$tmp/rc.a")
	(cd "$tmp" && ./b/memhp "$@" >"$tmp/o.b" 2>"$tmp/e.b"; echo $? >"$tmp/rc.b")
	if [ -n "$mask" ]; then
		for f in o.a o.b e.a e.b; do sed -i -E "$mask" "$tmp/$f"; done
	fi
	n=$((n + 1))
	if ! cmp -s "$tmp/o.a" "$tmp/o.b" || ! cmp -s "$tmp/e.a" "$tmp/e.b" ||
	   ! cmp -s "$tmp/rc.a" "$tmp/rc.b"; then
		bad=$((bad + 1))
		echo "DIFFERS: $name"
		diff <(cat "$tmp/o.a" "$tmp/e.a" "$tmp/rc.a") <(cat "$tmp/o.b" "$tmp/e.b" "$tmp/rc.b") | head -n 8
	fi
}

pol=$top/tests/data/policy-good.conf
for d in "$tmp"/fx/sysroot-*; do
	t=${d##*/}
	r=fx/$t
	for opts in "" "-a" "-J" "-b -n" "-P -o +ZONES,NODE" "-r --output-all" "-Z" \
		    "--summary=always" "-a -J --output-all -b" "-S none -o RANGE,SIZE,GROUP"; do
		# shellcheck disable=SC2086
		cmp_run "$t: ls $opts" "" ls --sysroot "$r" $opts
	done
	cmp_run "$t: export --stdout" "" export --stdout --sysroot "$r"
	cmp_run "$t: export --stdout --per-block" "" export --stdout --per-block --sysroot "$r"
	cmp_run "$t: simulate" "" simulate --sysroot "$r" 'dimm 1G; virtio-mem 512M; online-all'
	cmp_run "$t: simulate -J" "" simulate -J --sysroot "$r" 'dimm 1G; virtio-mem 512M; online-all'
	cmp_run "$t: readiness -J" "" readiness -J --sysroot "$r"
	cmp_run "$t: readiness -a" "" readiness -a --sysroot "$r"
	cmp_run "$t: check" "" check --policy "$pol" --sysroot "$r"
	cmp_run "$t: check -J" "" check -J --policy "$pol" --sysroot "$r"
	cmp_run "$t: online-daemon --dry-run --once" 's/"time":[0-9.]+/"time":X/' online-daemon --dry-run --once -J \
		--no-bpf --ratio 301 --sysroot "$r"
done

stats_mask='s/^(seconds|events\/s|ns\/event|peak RSS):.*/\1: X/; s/"(seconds|cpu_seconds|events_per_second|ns_per_event|cpu_ns_per_event|peak_rss_mib)":[0-9.e+-]+/"\1":X/g'
cmp_run "replay -J" "" replay -J r100k.rec
cmp_run "replay text" "" replay r100k.rec
cmp_run "replay --format prom" "" replay --format prom r100k.rec
cmp_run "replay --format prom --policy" "" replay --format prom --policy "$pol" r100k.rec
cmp_run "replay -J --policy --every 1000" "" replay -J --policy "$pol" --every 1000 r100k.rec
cmp_run "replay --stats" "$stats_mask" replay --stats r100k.rec
cmp_run "replay --stats -J --policy" "$stats_mask" replay --stats -J --policy "$pol" r100k.rec

for c in trace record replay ls export top check readiness simulate balloon online-daemon; do
	cmp_run "$c --help" "" "$c" --help
	cmp_run "$c --usage" "" "$c" --usage
	cmp_run "$c bogus option" "" "$c" --no-such-option
done
cmp_run "check bad --interval" "" check --policy "$pol" --watch --interval 0.001
cmp_run "check bad --duration" "" check --policy "$pol" --watch --duration x
cmp_run "online-daemon bad --interval" "" online-daemon --interval x
cmp_run "online-daemon bad --duration" "" online-daemon --duration -1
cmp_run "check --duration without --watch" "" check --policy "$pol" --duration 1
cmp_run "online-daemon --once --duration" "" online-daemon --once --duration 3 --sysroot fx/sysroot-2node
cmp_run "export --stdout --listen" "" export --stdout --listen 127.0.0.1:1

echo "$n comparisons, $bad differences"
[ "$bad" -eq 0 ]
