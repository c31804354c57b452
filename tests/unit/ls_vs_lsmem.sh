#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Golden test: `memhp ls` must print exactly what util-linux lsmem prints
# for the same sysfs tree, for every fixture tree and a set of option lists
# (and fail the same way on broken trees).
#
# usage: ls_vs_lsmem.sh [OUTPUT [WORKDIR]]
#   OUTPUT   build directory holding the memhp binary (default: build); or
#            set MEMHP_LS to a whole command ("build/memhp-static ls": the
#            static binary, run so by tests/unit/run.sh)
#   WORKDIR  where fixture trees are made (default: a temporary directory)
#
# TAP-like output for tests/unit/run.sh: "ok N - ..." / "not ok N - ..."
# with a diff on stderr, then "# done". Exit 0 when all match. Without
# lsmem there is nothing to compare: "# skip", "# done", exit 0.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-build}
MEMHP_LS=${MEMHP_LS:-$out/memhp ls}
LSMEM=${LSMEM:-lsmem}
if ! command -v "$LSMEM" >/dev/null 2>&1; then
	echo "# skip: $LSMEM not installed, nothing to compare with"
	echo "# done"
	exit 0
fi

export LC_ALL=C
unset LSMEM_COLUMNS LIBSMARTCOLS_DEBUG LIBSMARTCOLS_JSON COLUMNS

if [ $# -ge 2 ]; then
	work=$2
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/memhp-ls.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

if ! "$top/tests/data/mk-sysroots.sh" "$work" >/dev/null ||
	! "$top/tools/gen-sysfs-tree.sh" "$work/sysroot-gen512" 512 3 >/dev/null ||
	! "$top/tools/gen-sysfs-tree.sh" "$work/sysroot-gen64" 64 1 >/dev/null; then
	echo "not ok 1 - making the fixture trees"
	echo "# done"
	exit 1
fi

# Option lists compared on every tree (one per line).
opts_all=$(
	cat <<'EOF'

-b
-n
-r
-J
-P
-a
-a -b
-J -b
-J -a
-J --output-all|-J -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
-r --output-all|-r -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
-P --output-all|-P -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
-n -r
--summary=only
--summary=only -b
--summary=never
--summary
--summary=always
-J --summary=always
-r --summary=always
--summary=always -r
--summary=never -J
-n --summary=only
-o RANGE
-o SIZE,RANGE
-o +NODE
-o +NODE,ZONES
-o +ZONES
-o BLOCK,NODE,STATE
-o NODE,ZONES,REMOVABLE
-o SIZE,ZONES -b
-o state,node
-o range,size
-o ZONES,RANGE
-o RANGE,REMOVABLE -a
--output-all|-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
--output-all -a|-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES -a
--output-all -o +SIZE|-o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES,SIZE
-o SIZE --output-all
-o SIZE -o STATE
-S node
-S none
-S NODE,ZONES
-S state,zones
-S RANGE
-S node -o +NODE
-S removable -o RANGE,SIZE
-S none --output-all|-S none -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES
-S zones -J -o +ZONES
-r -n -b -o +NODE,ZONES
-a -n -o BLOCK,NODE,STATE
EOF
)

# lsmem 2.38 prints no ZONES when memory0/valid_zones is missing
# (util-linux #4055): memhp ls shows them, so for trees without memory0
# only option lists that neither show nor split by zones are compared.
zones_opts='ZONES|zones|output-all|-S none'

pass=0
fail=0
n=0

# A dynamic memhp prints with the installed libsmartcols (lsmem's own
# library: parity follows util-linux); only the static binary (no
# libsmartcols.a in Debian) uses user/lib/table_builtin.c.
bin=${MEMHP_LS%% *}
n=$((n + 1))
if readelf -d "$bin" 2>/dev/null | grep -q 'NEEDED.*\[libsmartcols\.so'; then
	pass=$((pass + 1))
	echo "ok $n - $bin prints through $(readelf -d "$bin" | sed -n 's/.*\[\(libsmartcols[^]]*\)\].*/\1/p')"
elif ! readelf -d "$bin" 2>/dev/null | grep -q NEEDED; then
	pass=$((pass + 1))
	echo "ok $n - $bin is static: its built-in copy of libsmartcols 2.38's tables"
else
	fail=$((fail + 1))
	echo "not ok $n - $bin is dynamic but does not use libsmartcols"
fi

cmp_one() {
	local tree=$1 opt=$2 mopt=${3-$2}
	local exp got rc1 rc2 name
	# shellcheck disable=SC2086
	exp=$("$LSMEM" --sysroot "$tree" $opt 2>/dev/null)
	rc1=$?
	# shellcheck disable=SC2086
	got=$($MEMHP_LS --sysroot "$tree" $mopt 2>/dev/null)
	rc2=$?
	n=$((n + 1))
	name="$(basename "$tree"): lsmem $opt"
	[ "$opt" != "$mopt" ] && name="$name | memhp ls $mopt"
	# lsmem exits 1 on every error; memhp ls 1 (runtime) or 2 (usage)
	if [ "$exp" == "$got" ] &&
		{ [ $rc1 -eq $rc2 ] || { [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ]; }; }; then
		pass=$((pass + 1))
		echo "ok $n - $name"
		return
	fi
	fail=$((fail + 1))
	echo "not ok $n - $name (exit $rc1 vs $rc2)"
	{
		echo "--- lsmem --sysroot $tree $opt"
		echo "+++ memhp ls --sysroot $tree $mopt"
		diff <(printf '%s\n' "$exp") <(printf '%s\n' "$got") | head -20
	} >&2
}

for tree in 2node holes bs1g bs128m oddbs offline noremovable nonuma gen512 gen64; do
	t="$work/sysroot-$tree"
	while IFS= read -r opt; do
		if [ ! -e "$t/sys/devices/system/memory/memory0" ] &&
			printf '%s' "$opt" | grep -Eq -- "$zones_opts"; then
			continue
		fi
		# memhp's --output-all adds its own columns: "LSMEM|MEMHP"
		# lines compare lsmem's options with memhp's equivalent.
		case "$opt" in
		*'|'*)
			cmp_one "$t" "${opt%%|*}" "${opt#*|}"
			continue
			;;
		esac
		cmp_one "$t" "$opt"
	done <<<"$opts_all"
done

# Errors: both must fail, and print nothing on stdout.
while IFS= read -r opt; do
	cmp_one "$work/sysroot-2node" "$opt"
done <<'EOF'
-o foo
-o +foo
-o RANGE,foo
-S foo
-J -r
-P -J
-a -S node
-r --summary=only
--summary=only -J
--summary=bad
extra
EOF
for bad in bad-nomem bad-noblocks bad-bsize-huge bad-bsize-empty; do
	cmp_one "$work/sysroot-$bad" ""
done
cmp_one "$work/does-not-exist" ""

echo "# $pass passed, $fail failed"
echo "# done"
[ $fail -eq 0 ]
