#!/bin/sh
# Stage Debian's bpftrace for the lab guest (bench/lab.py): the binary, every
# shared library it needs and the ELF interpreter (tools/lab/elfdeps.sh), in
# DIR/ and DIR/lib/.
# The guest copies DIR from the 9p share into its tmpfs and runs
#   DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib DIR/bpftrace
# so the normal test initramfs stays small.  usage: bench/mkbproot.sh DIR
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
bt=$(command -v bpftrace) || { echo "$0: bpftrace missing: tools/deps.sh bench" >&2; exit 1; }
libs=$("$(dirname "$0")/../tools/lab/elfdeps.sh" "$bt")
rm -rf "$1.tmp"
mkdir -p "$1.tmp/lib"
cp -L "$bt" "$1.tmp/bpftrace"
for l in $libs; do
	cp -L "$l" "$1.tmp/lib/"
done
[ -e "$1.tmp/lib/ld-linux-x86-64.so.2" ] || { echo "$0: no ELF interpreter found" >&2; exit 1; }
rm -rf "$1"
mv "$1.tmp" "$1"
