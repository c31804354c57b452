#!/bin/bash
# The man page against the binary: every command of `memhp --help` has a
# subsection `.SS "memhp CMD"` in docs/memhp.8 that names every long option of
# `memhp CMD --help` (and no option the command does not have), every
# command's exit status is described, and man/groff render it without a
# warning. TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
bin=$out/memhp
top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/docs/memhp.8
. "$(dirname "$0")/lib.sh"

# The roff source without font escapes, \- as -, \e as a backslash.
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' "$page"; }
# section NAME: the lines of `.SS "NAME"` (or `.SH NAME`) up to the next heading
section() {
	plain | awk -v h="$1" '
		/^\.S[SH] / { t = $0; sub(/^\.S[SH] +/, "", t); gsub(/"/, "", t); on = (t == h); next }
		on { print }'
}
# long options of `memhp CMD --help` (aliases too: argp lists them on the
# option's line), one a line, without the common three. Option lines are
# indented 2-8 columns; descriptions (and their continuation lines) 29.
help_opts() {
	"$bin" "$1" --help 2>/dev/null |
		sed -n 's/^ \{2,8\}\(-.*\)/\1/p' | sed 's/  .*//' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' |
		grep -vx -e --help -e --usage -e --version | sort -u
}

cmds=$("$bin" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ "$(echo "$cmds" | wc -w)" -ge 11 ] && ok "memhp --help lists $(echo $cmds | wc -w) commands" ||
	nok "memhp --help lists: $cmds"

for c in $cmds; do
	sec=$(section "memhp $c")
	if [ -z "$sec" ]; then
		nok "memhp.8: no section \"memhp $c\""
		continue
	fi
	opts=$(help_opts "$c")
	[ -n "$opts" ] || nok "memhp $c --help: no options found"
	missing=
	for o in $opts; do
		echo "$sec" | grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|$)" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "memhp.8 \"memhp $c\": all $(echo $opts | wc -w) options" ||
		nok "memhp.8 \"memhp $c\" lacks:$missing"
	# the option list (.TP entries) names no option the command lacks
	stale=
	for o in $(echo "$sec" | awk '/^\.TP/ { getline; print }' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
		echo "$opts" | grep -qx -- "$o" || stale="$stale $o"
	done
	[ -z "$stale" ] && ok "memhp.8 \"memhp $c\": no stale option" ||
		nok "memhp.8 \"memhp $c\" lists options memhp $c does not have:$stale"
	section "EXIT STATUS" | grep -qE "^\.(B|BR) ([^ ]+ \", \" )*$c( |$)" &&
		ok "memhp.8 EXIT STATUS: $c" || nok "memhp.8 EXIT STATUS does not describe $c"
done
# no section for a command memhp does not have
for s in $(plain | sed -n 's/^\.SS "memhp \([^"]*\)"$/\1/p'); do
	echo "$cmds" | grep -qx -- "$s" || nok "memhp.8 has a section for unknown command $s"
done
common=$(section "COMMON OPTIONS")
for o in --help --usage --version; do
	echo "$common" | grep -q -- "$o" && ok "memhp.8 COMMON OPTIONS: $o" || nok "memhp.8 COMMON OPTIONS lacks $o"
done

# Renders without warnings.
if command -v man >/dev/null 2>&1; then
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$w" ] && ok "man --warnings -l memhp.8: clean" || nok "man --warnings: $w"
else
	skip "man --warnings -l memhp.8" "man-db not installed"
fi
if command -v groff >/dev/null 2>&1; then
	w=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$w" ] && ok "groff -ww memhp.8: clean" || nok "groff -ww: $w"
else
	skip "groff -ww memhp.8" "groff not installed"
fi
echo "# done"
