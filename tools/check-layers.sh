#!/bin/sh
# The one-way dependencies of user/ (docs/DESIGN-NOTES.md), from the objects:
# a lib/ object uses only lib/, a live/ object lib/ and live/, a cli/ object
# lib/, live/ and cli/, a cmd/ object lib/, live/ and cli/ (never another
# command; a command's own family, cmd/NAME_*.o beside cmd/NAME.o, is one
# command); cmd/memhp.o dispatches to them all.
# Prints each offending use and "layers: N violations"; exits 1 on any.
# Usage: tools/check-layers.sh [OUTPUT]
set -u
obj=${1:-build}/user
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for o in "$obj"/lib/*.o "$obj"/live/*.o "$obj"/cli/*.o "$obj"/cmd/*.o; do
	[ -f "$o" ] || { echo "layers: no objects in $obj (make first)"; exit 2; }
	f=${o#"$obj"/}
	nm --defined-only -g "$o" | awk -v f="$f" 'NF == 3 { print $3, f }'
done | sort >"$tmp/defs"
bad=0
for o in "$obj"/lib/*.o "$obj"/live/*.o "$obj"/cli/*.o "$obj"/cmd/*.o; do
	f=${o#"$obj"/}
	case $f in
	cmd/memhp.o) continue ;;
	lib/*) allow='^lib/' ;;
	live/*) allow='^(lib|live)/' ;;
	cli/*) allow='^(lib|live|cli)/' ;;
	cmd/*)
		fam=${f#cmd/}
		fam=${fam%.o}
		fam=${fam%%_*}
		allow="^(lib|live|cli)/|^cmd/${fam}(_[a-z0-9_]*)?\\.o\$" ;;
	esac
	nm -u "$o" | awk '{ print $2 }' | sort -u >"$tmp/undef"
	join "$tmp/undef" "$tmp/defs" | while read -r sym where; do
		[ "$where" = "$f" ] && continue
		echo "$where" | grep -Eq "$allow" || echo "$f uses $sym of $where"
	done >>"$tmp/bad"
done
[ -f "$tmp/bad" ] && bad=$(wc -l <"$tmp/bad") && cat "$tmp/bad"
echo "layers: $bad violations"
[ "$bad" -eq 0 ]
