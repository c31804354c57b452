#!/bin/sh
# The files a dynamically linked ELF binary needs from the host to run
# elsewhere: every shared library ldd resolves for it and its ELF
# interpreter, one absolute path a line (the names ldd found, not the
# symlinks' targets: copy them with cp -L). Fails when ldd cannot resolve a
# library or finds no interpreter, so a stage made from the list runs.
# Used to stage host binaries for the lab guest: bench/mkbproot.sh (bpftrace)
# and tests/deb/stage-root.sh (the packaged memhp).
# usage: tools/lab/elfdeps.sh BINARY
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BINARY" >&2; exit 2; }
[ -f "$1" ] || { echo "$0: no file $1" >&2; exit 1; }
out=$(ldd "$1" 2>&1) || { echo "$0: ldd $1: $out" >&2; exit 1; }
missing=$(echo "$out" | awk '/=> not found/ { print $1 }')
# shellcheck disable=SC2086 # one name per word
[ -z "$missing" ] || { echo "$0: $1 needs libraries ldd cannot find:" $missing >&2; exit 1; }
interp=$(echo "$out" | awk '$1 ~ /^\// && /ld-linux/ { print $1 }')
[ -n "$interp" ] || { echo "$0: $1 has no ELF interpreter in ldd's list (static?)" >&2; exit 1; }
echo "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
echo "$interp"
