#!/bin/sh
# Build the Debian package (debian/) with dpkg-buildpackage, then lintian.
# dpkg-buildpackage builds in the source tree and writes the .deb next to it,
# so it runs in a copy under OUTDIR (the files git tracks or would track) and
# the results land in OUTDIR: memhp_VERSION_amd64.deb, build.log and
# lintian.txt. Any lintian error or warning that debian/memhp.lintian-overrides
# does not justify fails the build.
#
# Usage: tools/mkdeb.sh OUTDIR [VERSION]   (VERSION: the Makefile's, checked
# against debian/changelog's)
set -eu
outdir=${1:?usage: tools/mkdeb.sh OUTDIR [VERSION]}
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -SVersion)
if [ -n "${2:-}" ] && [ "$2" != "$ver" ]; then
	echo "mkdeb: debian/changelog is at $ver, the Makefile's VERSION is $2: add a changelog entry (dch -v $2)" >&2
	exit 1
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
src=$outdir/memhp-$ver
rm -rf "$src" "$outdir"/memhp_* "$outdir"/*.log "$outdir"/lintian.txt
mkdir -p "$src"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and new files, not the ignored ones (build/, .cache/); deleted ones skipped
	git ls-files -z -co --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.cache --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

t0=$(date +%s)
echo "  DEB      $outdir/memhp_${ver}_amd64.deb"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc) \
	>"$outdir/build.log" 2>&1; then
	tail -n 40 "$outdir/build.log" >&2
	echo "mkdeb: dpkg-buildpackage failed (log: $outdir/build.log)" >&2
	exit 1
fi
rm -rf "$src"
deb=$outdir/memhp_${ver}_amd64.deb
[ -f "$deb" ] || { echo "mkdeb: no $deb" >&2; exit 1; }

echo "  LINTIAN  $deb"
if ! lintian --fail-on error,warning --display-info "$deb" >"$outdir/lintian.txt" 2>&1; then
	cat "$outdir/lintian.txt" >&2
	echo "mkdeb: lintian found errors or warnings (overrides: debian/memhp.lintian-overrides)" >&2
	exit 1
fi
echo "mkdeb: $deb in $(($(date +%s) - t0)) s, lintian: no error or warning, $(grep -c "^I: " "$outdir/lintian.txt") info tags ($outdir/lintian.txt)"
