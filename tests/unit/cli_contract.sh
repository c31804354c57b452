#!/bin/bash
# The command-line contract every command shares (issue #15, user/cli/cli.h):
# -h/--help and --usage print "Usage: memhp CMD" on stdout and exit 0,
# -V/--version print "memhp VERSION (event ABI N)" and exit 0, `memhp help
# CMD` prints what `memhp CMD --help` prints, and an unknown option exits 2
# with argp's "Try `memhp CMD --help'" hint on stderr, nothing on stdout.
# Nothing here needs BPF or root. TAP-like "ok"/"not ok" lines, "# done".
out=${1:-build}
bin=$out/memhp
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-contract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

commands="trace record replay ls export top check simulate balloon online-daemon"

# run CMD...: exit status in $rc, output in $tmp/out and $tmp/err
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}
# the start of a file on one line, for a "not ok" line
line() { head -c 160 "$1" | tr '\n' ' '; }

# The top-level version line is the reference: "memhp VERSION (event ABI 1)".
run --version
version=$(cat "$tmp/out")
case "$rc:$version" in
0:"memhp "[0-9]*" (event ABI 1)") ok "memhp --version: $version" ;;
*) nok "memhp --version: rc $rc: $version" ;;
esac

for c in $commands; do
	for h in -h --help; do
		run "$c" "$h"
		if [ "$rc" -eq 0 ] && grep -q "^Usage: memhp $c " "$tmp/out" && [ ! -s "$tmp/err" ]; then
			ok "$c $h: exit 0, usage on stdout"
		else
			nok "$c $h: rc $rc: stdout '$(line "$tmp/out")' stderr '$(line "$tmp/err")'"
		fi
	done
	cp "$tmp/out" "$tmp/help"
	if grep -q -- "-h, --help" "$tmp/help" && grep -q -- "-V, --version" "$tmp/help" &&
	   grep -q -- "--usage" "$tmp/help"; then
		ok "$c --help lists -h/--help, --usage, -V/--version"
	else
		nok "$c --help does not list -h/--help, --usage, -V/--version"
	fi
	run "$c" --usage
	if [ "$rc" -eq 0 ] && grep -q "^Usage: memhp $c " "$tmp/out" && [ ! -s "$tmp/err" ]; then
		ok "$c --usage: exit 0"
	else
		nok "$c --usage: rc $rc: stdout '$(line "$tmp/out")' stderr '$(line "$tmp/err")'"
	fi
	for v in -V --version; do
		run "$c" "$v"
		got=$(cat "$tmp/out")
		if [ "$rc" -eq 0 ] && [ "$got" = "$version" ] && [ ! -s "$tmp/err" ]; then
			ok "$c $v: $got"
		else
			nok "$c $v: rc $rc: '$got' (want '$version'): $(line "$tmp/err")"
		fi
	done
	run help "$c"
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/help"; then
		ok "memhp help $c = memhp $c --help"
	else
		nok "memhp help $c: rc $rc, differs from $c --help: $(line "$tmp/out")"
	fi
	run "$c" --no-such-option
	if [ "$rc" -eq 2 ] && grep -q "Try \`memhp $c --help'" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "$c --no-such-option: exit 2, says Try \`memhp $c --help'"
	else
		nok "$c --no-such-option: rc $rc: $(line "$tmp/err")"
	fi
done

# The dispatcher's own help.
run help
if [ "$rc" -eq 0 ] && grep -q "^Usage: memhp " "$tmp/out"; then ok "memhp help: exit 0"
else nok "memhp help: rc $rc"; fi
run help no-such-command
if [ "$rc" -eq 2 ] && grep -q "unknown command 'no-such-command'" "$tmp/err" && [ ! -s "$tmp/out" ]; then
	ok "memhp help no-such-command: exit 2"
else
	nok "memhp help no-such-command: rc $rc: $(line "$tmp/err")"
fi
echo "# done"
