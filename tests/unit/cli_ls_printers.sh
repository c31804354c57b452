#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# memhp ls's two table printers print the same bytes where lsmem cannot be
# the judge: memhp's own columns (GROUP, ONLINE-TYPE, ONLINED-BY) and -Z.
# build/memhp prints with libsmartcols (user/lib/table_scols.c),
# build/memhp-static with user/lib/table_builtin.c (Debian ships no static
# libsmartcols); ls_vs_lsmem.sh compares each with lsmem for lsmem's columns.
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
unset LIBSMARTCOLS_DEBUG LIBSMARTCOLS_JSON COLUMNS
if [ ! -x "$out/memhp-static" ]; then
	skip "libsmartcols vs built-in printer" "no $out/memhp-static (sanitizer build)"
	echo "# done"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-ls-printers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$top/tests/data/mk-sysroots.sh" "$tmp" >/dev/null || nok "mk-sysroots.sh failed"
while IFS= read -r opt; do
	for t in "$top/tests/data/readiness-tree" "$tmp/sysroot-2node" "$tmp/sysroot-weird"; do
		# shellcheck disable=SC2086
		a=$("$out/memhp" ls --sysroot "$t" $opt 2>&1)
		ra=$?
		# shellcheck disable=SC2086
		b=$("$out/memhp-static" ls --sysroot "$t" $opt 2>&1)
		rb=$?
		if [ "$a" == "$b" ] && [ $ra -eq $rb ] && [ -n "$a" ]; then
			ok "$(basename "$t"): ls $opt: same bytes ($(printf '%s\n' "$a" | wc -l) lines)"
		else
			nok "$(basename "$t"): ls $opt: exit $ra vs $rb: $(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -6)"
		fi
	done
done <<'OPTS'
-o +GROUP,ONLINE-TYPE,ONLINED-BY
--output-all
-J --output-all
-P --output-all
-r --output-all
-n -a -o BLOCK,GROUP,ZONES
-J -a -b --output-all
-Z
-Z -J
-Z -b -J
-Z -r
-Z -P -n
OPTS
echo "# done"
