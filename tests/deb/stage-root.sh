#!/bin/sh
# A root file system holding what the Debian package installs plus what its
# programs need from the host to run there, for the lab guest
# (tests/vm/debpkg.py copies DIR onto the guest's / as dpkg would):
#   DIR/        dpkg-deb -x DEB (the package's files at their paths)
#   DIR/lib..   every shared library the package's ELF programs need and the
#               ELF interpreter, at the paths ldd found them on this host
#               (Debian 12: /lib/x86_64-linux-gnu, /lib64; tools/lab/elfdeps.sh)
# A library path the package itself has is refused, not overwritten: the
# guest must run the package's file. usage: tests/deb/stage-root.sh DEB DIR
set -eu
[ $# -eq 2 ] || { echo "usage: $0 DEB DIR" >&2; exit 2; }
deb=$1
dir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$deb" ] || { echo "$0: no package $deb (make deb)" >&2; exit 1; }
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
dpkg-deb -x "$deb" "$dir.tmp"
n=0
libs=
for f in $(cd "$dir.tmp" && find . -type f -perm -u+x); do
	head -c 4 "$dir.tmp/$f" | grep -q 'ELF' || continue
	n=$((n + 1))
	libs="$libs $("$top/tools/lab/elfdeps.sh" "$dir.tmp/$f")"
done
[ "$n" -gt 0 ] || { echo "$0: $deb has no ELF program" >&2; exit 1; }
# shellcheck disable=SC2086 # one path per word
for l in $(printf '%s\n' $libs | sort -u); do
	if [ -e "$dir.tmp$l" ] || [ -L "$dir.tmp$l" ]; then
		echo "$0: $l is the package's own file, not staged from the host" >&2
		exit 1
	fi
	mkdir -p "$dir.tmp$(dirname "$l")"
	cp -L "$l" "$dir.tmp$l"
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
